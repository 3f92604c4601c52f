"""Temporary files of a batch: named after the batch, locked while alive, removable when orphaned.

Every temporary file a batch writes in OUTDIR is called ``.edi-scrub-b<token>-<random>.tmp``,
where ``token`` is drawn once per batch, and is held under an exclusive ``flock`` by the process
that writes it, from just after its creation until it is renamed into place or removed. That
gives the two proofs cleanup needs:

* *Created by this batch*: the token is in the name. On SIGTERM/SIGINT/SIGHUP the batch stops
  its workers and then removes every file carrying its token (:func:`remove_own`).
* *Orphaned*: nobody holds its lock (a killed process's locks go with it) and it is older than
  the run that looks at it (which closes the instant between ``mkstemp`` and ``flock``). A later
  batch removes such files in the folders it writes to (:func:`remove_orphans`). Temporary
  files without the ``b<token>`` part (single-file runs, other tools) are never touched: there
  is no proof they are dead.

Locks are advisory and local to the kernel that granted them; on a network file system shared
by Dask workers they are as good as its lock service (NFSv4 grants them across hosts). Where
``fcntl`` does not exist (Windows) orphans are never removed.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

PREFIX = ".edi-scrub-b"
SUFFIX = ".tmp"
_NAME = re.compile(r"\.edi-scrub-b([0-9a-f]{12})-[^/]*\.tmp\Z")


def new_token() -> str:
    """A batch's token: random, so two batches never mistake each other's files for their own."""
    return secrets.token_hex(6)


def _lock(fd: int, blocking: bool) -> bool:
    if fcntl is None:  # pragma: no cover - Windows
        return not blocking
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def locked_temp(target: Path, token: str) -> tuple[int, Path]:
    """A new temporary file beside ``target``, locked until its descriptor is closed."""
    fd, name = tempfile.mkstemp(prefix=f"{PREFIX}{token}-", suffix=SUFFIX, dir=target.parent)
    _lock(fd, blocking=True)
    return fd, Path(name)


def token_of(path: Path) -> str | None:
    """The batch token in a batch temporary file's name, None for any other file."""
    match = _NAME.match(path.name)
    return match.group(1) if match else None


def remove_own(folders: Iterable[Path], token: str) -> int:
    """Remove the temporary files of batch ``token`` in ``folders``; how many were removed.

    Called once the batch's workers are gone, so every such file is dead.
    """
    removed = 0
    for folder in set(folders):
        with contextlib.suppress(OSError):
            for path in folder.glob(f"{PREFIX}{token}-*{SUFFIX}"):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed += 1
    return removed


def _orphan(path: Path, before_ns: int) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if not (info.st_mtime_ns < before_ns and stat.S_ISREG(info.st_mode)):
            return False
        # A live writer holds the lock; getting it proves the writer is gone. Our own lock on
        # this descriptor is dropped when it is closed below.
        return fcntl is not None and _lock(fd, blocking=False)
    finally:
        os.close(fd)


def remove_orphans(folders: Iterable[Path], before_ns: int) -> list[Path]:
    """Remove orphaned batch temporary files (see the module docs) in ``folders``.

    ``before_ns``: the time the calling batch started; younger files are left alone.
    Returns the removed paths.
    """
    removed: list[Path] = []
    for folder in sorted(set(folders)):
        try:
            candidates = sorted(folder.glob(f"{PREFIX}*{SUFFIX}"))
        except OSError:
            continue
        for path in candidates:
            if token_of(path) is not None and _orphan(path, before_ns):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
    return removed
