"""Issue 8, item 4 (single file): signals, child processes, cleanup, broken pipes and
all-or-nothing publishing. Real processes (``python -m edi_scrub``) get real signals.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_scrub import atomic
from edi_scrub.cli import main
from tests.builders import ClaimSpec, LineSpec, P, build
from tests.conftest import REPO
from tests.processes import LINUX, alive, children, start, wait_for

SMALL = build(P, (ClaimSpec(lines=(LineSpec(ndc="0944-4624-01", modifiers=("JZ",)),)),))


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic 837P big enough (~0.8 MB) that the run takes seconds and forks its pyx12
    validation worker."""
    path = tmp_path_factory.mktemp("big") / "big.837"
    subprocess.run(
        [
            *(sys.executable, str(REPO / "benchmarks" / "gen837.py"), "--claims", "1500"),
            *("--kind", "837P", "--seed", "3", "-o", str(path)),
        ],
        check=True,
        capture_output=True,
    )
    return path


def _start(args: list[str], cwd: Path, **kwargs: object) -> subprocess.Popen[bytes]:
    (cwd / "tmp").mkdir(exist_ok=True)
    return start(args, cwd, cwd / "tmp", **kwargs)


def _leftovers(*folders: Path) -> list[str]:
    return [
        p.name for folder in folders for p in folder.iterdir() if p.name.startswith(".edi-scrub-")
    ]


@LINUX
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_signal_mid_run_no_longer_leaves_temp_files(
    tmp_path: Path, big: Path, signum: signal.Signals
) -> None:
    """SIGTERM/SIGINT/SIGHUP: exit 128+n, no temp file anywhere, OUT as it was, no child left."""
    (tmp_path / "out.837").write_bytes(b"previous complete version")
    proc = _start([str(big), "out.837", "--report", "r.json", "--ack", "a.999"], tmp_path)
    wait_for(lambda: children(proc.pid) or proc.poll() is not None)
    workers = children(proc.pid)
    assert workers and proc.poll() is None, "the run ended before the signal"
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signum, err
    assert b"Traceback" not in err
    assert (tmp_path / "out.837").read_bytes() == b"previous complete version"
    assert not (tmp_path / "r.json").exists() and not (tmp_path / "a.999").exists()
    assert _leftovers(tmp_path, tmp_path / "tmp") == []
    wait_for(lambda: not any(alive(w) for w in workers), timeout=10)


@LINUX
def test_sigterm_while_reading_stdin_removes_the_spool(tmp_path: Path) -> None:
    proc = _start(["-", "out.837"], tmp_path, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    proc.stdin.write(SMALL[: len(SMALL) // 2])
    proc.stdin.flush()
    wait_for(lambda: _leftovers(tmp_path / "tmp") or proc.poll() is not None)
    assert proc.poll() is None
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert _leftovers(tmp_path, tmp_path / "tmp") == []
    assert not (tmp_path / "out.837").exists()


@LINUX
def test_validation_worker_no_longer_outlives_a_killed_parent(tmp_path: Path, big: Path) -> None:
    proc = _start([str(big), "out.837"], tmp_path)
    wait_for(lambda: children(proc.pid) or proc.poll() is not None)
    workers = children(proc.pid)
    assert workers and proc.poll() is None
    proc.kill()  # kill -9: no cleanup code runs in the parent
    proc.communicate(timeout=60)
    wait_for(lambda: not any(alive(w) for w in workers), timeout=10)


@LINUX
def test_broken_pipe_on_stdout_ends_quietly(tmp_path: Path, big: Path) -> None:
    proc = _start([str(big), "-", "--no-structure"], tmp_path, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.read(100).startswith(b"ISA")
    proc.stdout.close()  # as `| head -c 100` does
    err = proc.stderr.read() if proc.stderr else b""
    proc.wait(timeout=120)
    assert proc.returncode == 141
    # Only the run's ordinary log lines (a payer-profile fallback warning); no error, no trace.
    assert b"Traceback" not in err and b"BrokenPipe" not in err and b"error" not in err


def test_later_run_removes_only_provable_orphans(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    host = atomic._host()
    orphan = tmp_path / f".edi-scrub-{dead_pid}@{host}-abc123.tmp"
    live = tmp_path / f".edi-scrub-{os.getpid()}@{host}-def456.tmp"
    other_host = tmp_path / f".edi-scrub-{dead_pid}@{'0' * 8 if host != '0' * 8 else '1' * 8}-x.tmp"
    old_style = tmp_path / ".edi-scrub-k2j3h4.tmp"
    for path in (orphan, live, other_host, old_style):
        path.write_bytes(b"claim data")
    src = tmp_path / "in.837"
    src.write_bytes(SMALL)
    result = CliRunner().invoke(main, [str(src), str(tmp_path / "out.837"), "--no-config", "-q"])
    assert result.exit_code == 0, result.stderr
    assert not orphan.exists()
    assert live.exists() and other_host.exists() and old_style.exists()


def test_publishing_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The HTML failing (a full disk) no longer leaves OUT and the JSON report published."""
    src = tmp_path / "in.837"
    src.write_bytes(SMALL)
    (tmp_path / "out.837").write_bytes(b"previous")

    def full_disk(report: object) -> bytes:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("edi_scrub._api.render_html", full_disk)
    args = [str(src), str(tmp_path / "out.837"), "--report", str(tmp_path / "r.json")]
    result = CliRunner().invoke(main, [*args, "--html", str(tmp_path / "r.html"), "--no-config"])
    assert result.exit_code == 2
    assert result.stderr.startswith("edi-scrub: error: ")
    assert "No space left on device" in result.stderr and str(tmp_path / "r.html") in result.stderr
    assert (tmp_path / "out.837").read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.837", "out.837"]
