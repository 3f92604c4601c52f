"""Issue 8, item 5 (CLI part): usage and environment problems are exit 2 with one line naming
the path, never exit 3 (``internal error: IsADirectoryError``) and never a half-written output.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import edi_scrub
from edi_scrub import pipeline
from edi_scrub._targets import Labelled, guard
from edi_scrub.cli import main
from tests.builders import ClaimSpec, LineSpec, P, build
from tests.conftest import SAMPLES

DATA = build(P, (ClaimSpec(lines=(LineSpec(ndc="0944-4624-01", modifiers=("JZ",)),)),))
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _cli(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--no-config", "-q"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stderr


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.837").write_bytes(DATA)
    return tmp_path


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _exit_2(work: Path, args: list[str], *named: str) -> str:
    before = _files(work)
    code, err = _cli(args)
    assert code == 2, err
    assert err.startswith("edi-scrub: error: ") and err.count("\n") == 1, err
    for path in named:
        assert path in err
    assert _files(work) == before
    return err


def test_out_naming_a_directory_is_no_longer_internal_error(work: Path) -> None:
    (work / "outdir").mkdir()
    assert "is a directory" in _exit_2(work, ["in.837", "outdir"], "outdir")
    assert "is a directory" in _exit_2(work, ["in.837", "o.837", "--report", "outdir"], "outdir")


def test_directory_as_in_no_longer_says_no_such_file(work: Path) -> None:
    (work / "indir").mkdir()
    err = _exit_2(work, ["indir", "out.837"], "indir")
    assert "is a directory" in err and "no such file" not in err


def test_missing_input_and_missing_output_folder(work: Path) -> None:
    assert "no such file" in _exit_2(work, ["nope.837", "out.837"], "nope.837")
    assert "folder does not exist" in _exit_2(work, ["in.837", "no/out.837"], "no/out.837")


@pytest.mark.skipif(ROOT, reason="root reads and writes through any permission bits")
def test_unreadable_input_and_unwritable_folder_for_real(work: Path) -> None:
    (work / "in.837").chmod(0)
    assert "permission denied" in _exit_2(work, ["in.837", "out.837"], "in.837")
    (work / "in.837").chmod(0o644)
    (work / "ro").mkdir()
    (work / "ro").chmod(0o555)
    assert "not writable" in _exit_2(work, ["in.837", "ro/out.837"], "ro/out.837")


def test_unreadable_input_is_exit_2_not_3(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As the permission check would see it (tests may run as root), and as a read that fails
    after the check (the file's mode changed, an I/O error): exit 2 naming the file."""
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, m: False if str(p).endswith("in.837") else real_access(p, m)
    )
    assert "permission denied" in _exit_2(work, ["in.837", "out.837"], "in.837")
    monkeypatch.setattr(os, "access", real_access)

    def unreadable(path: Path) -> object:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr(pipeline, "_segments", unreadable)
    assert "Permission denied" in _exit_2(work, ["in.837", "out.837"], "in.837")


def test_unwritable_folder_is_exit_2_not_3(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (work / "ro").mkdir()
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, m: False if str(p).endswith("ro") else real_access(p, m)
    )
    assert "not writable" in _exit_2(work, ["in.837", "ro/out.837"], "ro/out.837")


def test_disk_full_while_writing_out_is_exit_2_naming_it(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC where a full disk reports it: on a write, or only when the data is synced."""

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    real_fsync = os.fsync
    monkeypatch.setattr("edi_scrub.atomic.os.fsync", full)
    assert "No space left on device" in _exit_2(work, ["in.837", "out.837"], "out.837")
    monkeypatch.setattr("edi_scrub.atomic.os.fsync", real_fsync)
    monkeypatch.setattr("edi_scrub._api.split", full)
    err = _exit_2(work, ["in.837", "out.837", "--rejects", "rej.837"], "out.837", "rej.837")
    assert "No space left on device" in err


def test_cross_device_symlink_out_writes_through_the_link(work: Path) -> None:
    """OUT a symlink to another file system: the file it points to is replaced, the link kept
    (no EXDEV: the temporary file sits beside the real file)."""
    other = Path(tempfile.mkdtemp(dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    try:
        (other / "real.837").write_bytes(b"previous")
        (work / "out.837").symlink_to(other / "real.837")
        code, err = _cli(["in.837", "out.837"])
        assert code == 0, err
        assert (work / "out.837").is_symlink()
        assert (other / "real.837").read_bytes() != b"previous"
        assert [p.name for p in other.iterdir()] == ["real.837"]
    finally:
        for p in other.iterdir():
            p.unlink()
        other.rmdir()


def test_exdev_on_rename_is_exit_2_not_3(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def exdev(src: object, dst: object) -> None:
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), str(src), None, str(dst))

    monkeypatch.setattr("edi_scrub.atomic.os.replace", exdev)
    err = _exit_2(work, ["in.837", "out.837"], "out.837")
    assert "cross-device" in err.lower()


def test_input_changing_during_the_run_is_refused(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An input appended to while it is read no longer yields an output with more claims."""
    real = pipeline.scrub

    def growing(path: Path, out: object, options: pipeline.Options) -> object:
        report = real(path, out, options)  # type: ignore[arg-type]
        with path.open("ab") as handle:
            handle.write(b"\n")
        return report

    monkeypatch.setattr(pipeline, "scrub", growing)
    err = _exit_2_after_change(work)
    assert "changed while it was being scrubbed" in err
    with pytest.raises(edi_scrub.InputError, match="changed while"):
        edi_scrub.scrub(work / "in.837", work / "api.837")
    assert not (work / "api.837").exists()


def _exit_2_after_change(work: Path) -> str:
    code, err = _cli(["in.837", "out.837", "--report", "r.json"])
    assert code == 2, err
    assert err.count("\n") == 1 and "in.837" in err
    assert sorted(p.name for p in work.iterdir()) == ["in.837"]
    return err


def test_fifo_out_is_written_not_replaced_and_fifo_in_is_read_once(work: Path) -> None:
    """A named pipe as OUT gets the EDI (the pipe stays a pipe); one as IN is read once."""
    import threading

    os.mkfifo(work / "out.fifo")
    received: list[bytes] = []
    reader = threading.Thread(
        target=lambda: received.append((work / "out.fifo").read_bytes()), daemon=True
    )
    reader.start()
    code, err = _cli(["in.837", "out.fifo", "--report", "r.json"])
    reader.join(timeout=60)
    assert code == 0, err
    assert stat.S_ISFIFO((work / "out.fifo").stat().st_mode)
    assert received and received[0].startswith(b"ISA")
    expected = received[0]

    os.mkfifo(work / "in.fifo")
    writer = threading.Thread(target=lambda: (work / "in.fifo").write_bytes(DATA), daemon=True)
    writer.start()
    code, err = _cli(["in.fifo", "from-fifo.837"])
    writer.join(timeout=60)
    assert code == 0, err
    assert (work / "from-fifo.837").read_bytes() == expected
    assert not [p for p in Path(tempfile.gettempdir()).glob(f".edi-scrub-{os.getpid()}@*")]


def test_device_outputs_are_written_not_replaced(work: Path) -> None:
    """A device as OUT is written into, never replaced by a regular file (tried on a private
    null device: a regression must not replace the machine's /dev/null)."""
    device = work / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (OSError, AttributeError):
        pytest.skip("cannot make a device node here (needs root)")
    code, err = _cli(["in.837", "null", "--report", "r.json"])
    assert code == 0, err
    assert device.is_char_device()


def test_dev_null_may_take_several_outputs() -> None:
    """Only the guard is run here (nothing is written): /dev/null twice destroys nothing."""
    targets = [Labelled("OUT", os.devnull), Labelled("--report", os.devnull)]
    guard(Labelled("IN", str(SAMPLES / "p_clean_j7207.837")), targets)
