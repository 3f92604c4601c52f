"""Round 4 of attacking edi-scrub's input and pipeline side: each test pins one defect found.

Each test is named after what used to go wrong (docs/robustness.md lists them). Claims are
built with ``tests/builders.py`` (synthetic data only); pipeline cases run the CLI through
click's runner, a real process where argv bytes or memory matter, or the API, in a temporary
folder.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import edi_scrub
from edi_scrub import batch
from edi_scrub.batch import FileJob, Settings, Status, scrub_one
from edi_scrub.cli import main
from edi_scrub.x12 import lexer
from edi_scrub.x12.lexer import ENCODING, read_segments
from tests.builders import ClaimSpec, Envelope, LineSpec, P, build

#: A J7207 line whose CTP shows 200 IU discarded: a fix applies (a JW split).
WASTE = LineSpec(ctp_qty="1200")
CLAIM = build(P, (ClaimSpec(lines=(WASTE,)),))
#: A name that is not UTF-8: Python sees b"\xff" as the lone surrogate U+DCFF.
BAD_NAME = os.fsdecode(b"cl\xffims.837")


def _cli(args: list[str], stdin: bytes | None = None) -> tuple[int, str, bytes]:
    result = CliRunner().invoke(main, [*args, "--no-config", "-q"], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stderr, result.stdout_bytes


def _strict(value: object) -> None:
    """What a strict JSON reader checks: every string is valid Unicode (no lone surrogate,
    which Python's json accepts and writes as ``\\udcff`` but RFC 8259 readers refuse)."""
    if isinstance(value, str):
        value.encode("utf-8")  # raises UnicodeEncodeError on a lone surrogate
    elif isinstance(value, dict):
        for key, item in value.items():
            _strict(key)
            _strict(item)
    elif isinstance(value, list):
        for item in value:
            _strict(item)


def _strict_json(data: bytes) -> dict[str, object]:
    parsed = json.loads(data.decode("utf-8"))  # strict UTF-8 first
    _strict(parsed)
    assert isinstance(parsed, dict)
    return parsed


# ------------------------------------------------------------- item 1: what a file is


def _zip(names: tuple[str, ...]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name in names:
            archive.writestr(name, CLAIM)
    return buf.getvalue()


_TEXT = CLAIM.decode(ENCODING)
NOT_TEXT = {
    "gzip": (gzip.compress(CLAIM), "byte 0: gzip-compressed"),
    "zip": (_zip(("claims.837",)), "byte 0: a zip archive"),
    "xlsx": (_zip(("[Content_Types].xml", "xl/workbook.xml")), "byte 0: a zip archive"),
    "utf-32": (_TEXT.encode("utf-32"), "byte 0: UTF-32 encoded"),
    "utf-32-le": (_TEXT.encode("utf-32-le"), "byte 0: UTF-32 encoded"),
    "utf-32-be": (_TEXT.encode("utf-32-be"), "byte 0: UTF-32 encoded"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\x00\x01\x02", "byte 0: binary (a PDF"),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "byte 8: binary, not X12 text"),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00", "byte 8: binary, not X12 text"),
    # Still said as before:
    "utf-16": (_TEXT.encode("utf-16"), "byte 0: UTF-16 encoded"),
    "utf-16-be": (_TEXT.encode("utf-16-be"), "byte 0: UTF-16 encoded"),
}


@pytest.mark.parametrize("kind", sorted(NOT_TEXT))
def test_compressed_archived_utf32_and_binary_files_no_longer_called_utf16(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gzip, zip (xlsx), UTF-32 or PDF file was refused as "UTF-16 encoded": one exit-2
    line now says what it is, naming the file and position, and nothing is written."""
    monkeypatch.chdir(tmp_path)
    data, says = NOT_TEXT[kind]
    Path("in.837").write_bytes(data)
    code, err, _ = _cli(["in.837", "out.837", "--report", "r.json", "--rejects", "rej.837"])
    assert code == 2
    assert err.startswith(f"edi-scrub: error: in.837: {says}"), err
    assert err.count("\n") == 1
    if kind not in ("utf-16", "utf-16-be"):
        assert "UTF-16" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.837"]
    # The same through stdin (the spool stops after the head) and the API.
    code, err, out = _cli(["-", "-"], stdin=data)
    assert (code, out) == (2, b"") and err.startswith(f"edi-scrub: error: -: {says}"), err
    with pytest.raises(edi_scrub.InputError, match=says.replace("(", r"\(")):
        edi_scrub.scrub(data)


def test_empty_and_blank_files_say_so_not_that_they_lack_an_isa() -> None:
    """An empty file "does not start with ISA" (true, but not the problem): now it says it is
    empty, or holds only blank space."""
    for data, says in [
        (b"", "byte 0: not X12 (the file is empty)"),
        (b" \r\n\t\n", "byte 5: not X12 (the file holds only blank space or a BOM)"),
        (b"\xef\xbb\xbf\n", "byte 4: not X12 (the file holds only blank space or a BOM)"),
        (b"  GS*HC~", "byte 2: not X12 (the file does not start with ISA)"),
    ]:
        with pytest.raises(edi_scrub.InputError) as info:
            read_segments(data, "in.837")
        assert str(info.value) == f"in.837: {says}"


# ------------------------------------------------------- item 2: names that are not UTF-8


@pytest.mark.skipif(sys.platform != "linux", reason="file names are bytes on Linux")
def test_file_name_that_is_not_utf8_no_longer_puts_a_lone_surrogate_in_reports(
    tmp_path: Path,
) -> None:
    """``b'cl\\xffims.837'`` reached the JSON report as ``"cl\\udcffims.837"`` (refused by
    strict JSON readers), the HTML and the logs too. Every place now shows ``cl\\xffims.837``.
    A real process: argv bytes as a shell passes them."""
    src = tmp_path / BAD_NAME
    src.write_bytes(CLAIM)
    cmd = [sys.executable, "-m", "edi_scrub", BAD_NAME, "out.837", "--report", "r.json"]
    cmd += ["--html", "r.html", "--no-config", "--log-format", "json", "-v"]
    done = subprocess.run(cmd, cwd=tmp_path, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-1000:]
    report = _strict_json((tmp_path / "r.json").read_bytes())
    assert report["input"] == "cl\\xffims.837"
    assert "cl\\xffims.837" in (tmp_path / "r.html").read_bytes().decode("utf-8")
    stderr = done.stderr.decode("utf-8")  # strict: no surrogate escaped into bytes
    logged = [_strict_json(line.encode()) for line in stderr.splitlines() if line[:1] == "{"]
    assert any(e.get("file") == "cl\\xffims.837" for e in logged), stderr
    assert "udcff" not in stderr

    # A refused file names itself the same way (one line, exit 2).
    (tmp_path / BAD_NAME).write_bytes(b"not x12")
    done = subprocess.run(cmd, cwd=tmp_path, capture_output=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "cl\\xffims.837: byte 0: not X12" in done.stderr.decode("utf-8")


@pytest.mark.skipif(sys.platform != "linux", reason="file names are bytes on Linux")
def test_batch_with_a_name_that_is_not_utf8_writes_strict_json(tmp_path: Path) -> None:
    """The batch report, the per-file report and the status line carried the surrogate."""
    indir = tmp_path / "in"
    indir.mkdir()
    (indir / BAD_NAME).write_bytes(CLAIM)
    out = tmp_path / "out"
    args = ["batch", str(indir), str(out), "--workers", "1", "--no-structure", "--no-config"]
    result = CliRunner().invoke(main, args)
    err = result.stderr
    assert result.exit_code == 0, err
    summary = _strict_json((out / "batch-report.json").read_bytes())
    files = summary["files"]
    assert isinstance(files, list)
    assert files[0]["name"] == "cl\\xffims.837"
    assert files[0]["report"] == "cl\\xffims.837.report.json"
    per_file = _strict_json((out / (BAD_NAME + ".report.json")).read_bytes())
    assert per_file["input"] == str(indir / "cl\\xffims.837")
    assert "cl\\xffims.837: clean exit 0" in err and "\udcff" not in err


def test_api_reports_and_errors_show_the_name_escaped(tmp_path: Path) -> None:
    """Through the API: ``Result.to_json()`` and an ``InputError`` message."""
    src = tmp_path / BAD_NAME
    src.write_bytes(CLAIM)
    result = edi_scrub.scrub(src, options=edi_scrub.Options(structure=False))
    assert _strict_json(result.to_json().encode("utf-8"))["input"] == str(
        tmp_path / "cl\\xffims.837"
    )
    src.write_bytes(b"")
    with pytest.raises(edi_scrub.InputError) as info:
        edi_scrub.scrub(src)
    assert "cl\\xffims.837: byte 0" in str(info.value)
    str(info.value).encode("utf-8")


# --------------------------------------------------------- item 3: a pathological segment


def _long_note(size: int) -> bytes:
    return build(P, (ClaimSpec(notes=("A" * size,)),))


def test_segment_over_the_limit_is_refused_in_one_line_not_held_in_memory(
    tmp_path: Path,
) -> None:
    """A 100 MB segment peaked at ~1 GB over the two processes (benchmarks/memtree.py: 940
    MiB main, 635 MiB validation worker); it took ~15 s of CPU. A segment over 16 MiB is now
    refused as soon as the lexer has read that much: exit 2, one line, nothing written. A
    real process with the default validation (its worker splits the input itself too)."""
    src, out, rep = tmp_path / "in.837", tmp_path / "out.837", tmp_path / "r.json"
    src.write_bytes(_long_note(lexer.MAX_SEGMENT + (1 << 20)))
    cmd = [sys.executable, "-m", "edi_scrub", str(src), str(out), "--report", str(rep)]
    done = subprocess.run([*cmd, "--no-config"], capture_output=True, timeout=300, check=False)
    stderr = done.stderr.decode("utf-8")
    assert done.returncode == 2, stderr[-1000:]
    assert stderr.count("\n") == 1 and "is longer than 16 MiB" in stderr, stderr[-1000:]
    assert "Traceback" not in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.837"]


@pytest.mark.parametrize("chunk", [4096, 100, 7])
def test_segment_limit_applies_to_text_to_formatting_and_to_an_unterminated_tail(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit, lowered to 4,096 bytes: a long element, a run of blank lines after a newline
    terminator (formatting, held with its segment) and an unterminated tail are refused; a
    segment at the limit is not."""
    monkeypatch.setattr(lexer, "MAX_SEGMENT", 4096)
    monkeypatch.setattr(lexer, "_CHUNK", chunk)
    ok = build(P, (ClaimSpec(notes=("A" * 3000,)),))
    assert len(read_segments(ok)) > 20
    blank = build(P, (ClaimSpec(),), Envelope(terminator="\n")).replace(
        b"\nGS*", b"\n" * 9000 + b"GS*", 1
    )
    for data in (_long_note(9000), blank, CLAIM + b"GARBAGE" * 2000):
        # Each is longer than a chunk: the limit is checked when the lexer reads more.
        with pytest.raises(edi_scrub.InputError, match=r"is longer than 4096 bytes"):
            read_segments(data, "in.837")


# ------------------------------------------------------------------- pipeline sweep


def test_batch_input_changed_during_its_scrub_is_refused_not_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file rewritten while a batch scrubbed it was published (output and report) from
    whatever the two reads saw; a single run refuses that. Now the batch does too: refused,
    exit 2, nothing written, and the next batch scrubs it again."""
    src = tmp_path / "in.837"
    src.write_bytes(CLAIM)
    out = tmp_path / "out" / "in.837"
    job = FileJob(
        "in.837", src, out, out.with_name("in.837.report.json"), Settings(structure=False)
    )
    real = batch.scrub

    def scrub_then_append(path: Path, stream: object, options: object) -> object:
        report = real(path, stream, options)  # type: ignore[arg-type]
        with path.open("ab") as handle:
            handle.write(b"ISA*")  # another writer appends while we finish
        return report

    monkeypatch.setattr(batch, "scrub", scrub_then_append)
    result = scrub_one(job)
    assert (result.status, result.exit_code) == (Status.REFUSED, 2)
    assert result.message is not None and "changed while it was being scrubbed" in result.message
    assert not out.parent.exists() or list(out.parent.iterdir()) == []
    monkeypatch.undo()
    src.write_bytes(CLAIM)
    assert scrub_one(job).status is Status.CLEAN


_ODD = [
    Envelope(terminator="|"),
    Envelope(terminator="|\n", element="^", component=">", repetition="{"),
    Envelope(terminator="\x1d\r\n"),
    Envelope(terminator="\x1d", element="\x1f", component="\x1c", repetition="\x1e"),
    Envelope(terminator="~\r\n", repetition="U"),
    Envelope(terminator="\r\n"),
    Envelope(terminator="~", element="|", component="\\", repetition="!"),
]


@pytest.mark.parametrize("env", _ODD, ids=lambda e: repr(e.terminator + e.element))
def test_odd_but_legal_delimiters_scrub_losslessly(env: Envelope) -> None:
    """Checked in the sweep and held (a guard, not a fixed defect): control-character and
    '|' terminators, a repetition separator, CR LF after the terminator; many interchanges
    and trailing NULs or ^Z after the IEA. A clean file is byte-identical; a fix applies
    once; the output re-reads to itself."""
    options = edi_scrub.Options(structure=False)
    clean = build(P, (ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),)),), env)
    assert edi_scrub.scrub(clean, options=options).output == clean
    fixed = edi_scrub.scrub(build(P, (ClaimSpec(lines=(WASTE,)),), env) * 3 + b"\x00\x1a")
    assert fixed.output is not None and fixed.output.count(b"JW") == 3
    assert fixed.output.endswith(b"\x00\x1a")
    assert edi_scrub.scrub(fixed.output).output == fixed.output


def _closed(fd: int, args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """Run the CLI with descriptor ``fd`` closed at start (``>&-``, ``<&-``, ``2>&-``)."""
    close = {0: "<&-", 1: ">&-", 2: "2>&-"}[fd]
    cmd = ["sh", "-c", f'exec "$0" "$@" {close}', sys.executable, "-m", "edi_scrub", *args]
    return subprocess.run(
        [*cmd, "--no-config"],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(sys.platform != "linux", reason="POSIX descriptors")
@pytest.mark.parametrize(
    ("fd", "args", "says"),
    [
        (1, ["in.837", "-"], "OUT -: stdout is closed"),
        (1, ["check", "in.837", "--report", "-"], "--report -: stdout is closed"),
        (0, ["-", "out.837"], "IN -: stdin is closed"),
    ],
)
def test_dash_on_a_closed_stdout_or_stdin_is_exit_2_not_an_internal_error(
    fd: int, args: list[str], says: str, tmp_path: Path
) -> None:
    """``edi-scrub IN - >&-`` (and ``- OUT <&-``): Python sets sys.stdout (stdin) to None and
    ``sys.stdout.buffer`` was "internal error: AttributeError", exit 3."""
    (tmp_path / "in.837").write_bytes(CLAIM)
    done = _closed(fd, args, tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.decode() == f"edi-scrub: error: {says}; give a file instead\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.837"]


@pytest.mark.skipif(sys.platform != "linux", reason="POSIX descriptors")
def test_closed_stderr_no_longer_fails_the_run_with_exit_1(tmp_path: Path) -> None:
    """``edi-scrub IN OUT 2>&-`` (a scheduler that closes stderr): the log set-up read
    ``sys.stderr.isatty()`` of None, and the run died before reading the input with exit 1,
    the code for "findings remain". Now it runs: OUT written, its own exit code."""
    (tmp_path / "in.837").write_bytes(CLAIM)
    done = _closed(2, ["in.837", "out.837", "--report", "r.json"], tmp_path)
    assert done.returncode == 0
    assert (tmp_path / "out.837").read_bytes() == edi_scrub.scrub(CLAIM).output
    (tmp_path / "bad.837").write_bytes(b"")
    assert _closed(2, ["bad.837", "out2.837"], tmp_path).returncode == 2
    assert not (tmp_path / "out2.837").exists()


@pytest.mark.skipif(sys.platform != "linux", reason="/dev/stdout through /proc")
@pytest.mark.parametrize("flag", ["OUT", "--report"])
def test_dev_stdout_on_a_pipe_as_a_target_is_written_not_exit_2(flag: str, tmp_path: Path) -> None:
    """``edi-scrub IN /dev/stdout | next-step``: resolve() turned /dev/stdout (a link through
    /proc to ``pipe:[N]``) into a path that does not exist, the temporary file was made in
    /proc/<pid>/fd, and the run ended with exit 2 naming that temporary file."""
    (tmp_path / "in.837").write_bytes(CLAIM)
    args = ["in.837", "/dev/stdout"] if flag == "OUT" else ["in.837", "o.837", flag, "/dev/stdout"]
    cmd = [sys.executable, "-m", "edi_scrub", *args, "--no-config", "-q"]
    done = subprocess.run(cmd, cwd=tmp_path, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    expected = edi_scrub.scrub(CLAIM).output
    if flag == "OUT":
        assert done.stdout == expected
    else:
        assert _strict_json(done.stdout)["input"] == "in.837"
        assert (tmp_path / "o.837").read_bytes() == expected
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
