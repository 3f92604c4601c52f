"""Real ``python -m edi_scrub`` processes for the signal and worker tests, seen through /proc."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

LINUX = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def children(pid: int, *, live: bool = False) -> list[int]:
    """``pid``'s child processes now (``live``: zombies, ended but not reaped, left out)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and not (live and fields[0] == "Z"):
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start(args: list[str], cwd: Path, tmpdir: Path, **kwargs: object) -> subprocess.Popen[bytes]:
    """``python -m edi_scrub ARGS --no-config -q`` in ``cwd``, temporary files in ``tmpdir``."""
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "edi_scrub", *args, "--no-config", "-q"],
        cwd=cwd,
        env=env,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def wait_for(condition: Callable[[], object], timeout: float = 120.0) -> None:
    """Poll ``condition`` until it is true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
