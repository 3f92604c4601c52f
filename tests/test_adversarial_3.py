"""Round 3 of playing users and fuzzers against edi-scrub: each test pins one defect found.

Each test is named after what used to go wrong. Billing cases are built with
``tests/builders.py`` (synthetic data only); pipeline cases run the CLI through click's runner
or the API, in a temporary folder.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

import edi_scrub
from edi_scrub.cli import main
from tests.builders import ClaimSpec, I, LineSpec, P, build

#: A J7207 line whose CTP shows 200 IU discarded (1200 dispensed, 1000 billed): a JW split.
WASTE = LineSpec(ctp_qty="1200")


def _scrub(data: bytes, **options: object) -> edi_scrub.Result:
    return edi_scrub.scrub(data, options=edi_scrub.Options(structure=False, **options))  # type: ignore[arg-type]


def _cli(args: list[str], stdin: bytes | None = None) -> tuple[int, str, bytes]:
    result = CliRunner().invoke(main, [*args, "--no-config", "-q"], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stderr, result.stdout_bytes


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.837").write_bytes(build(P, (ClaimSpec(lines=(WASTE,)),)))
    return tmp_path


# ----------------------------------------------------------------------------- billing


@pytest.mark.parametrize("kind", [P, I])
def test_reversed_rd8_span_no_longer_gets_jz_beside_its_own_jw_line(kind: str) -> None:
    """``DTP*472*RD8*20240131-20240101`` (to before from): the span did not overlap itself, so
    the JW line the split added was a *different* date, and MOD001 then put JZ (nothing
    discarded) on the administered line beside the JW line billing its waste.

    Round 4: a reversed span is now DOS003 (an error), and the split is a suggestion (a JW copy
    of the line would carry the same impossible span); the JW line a biller adds by hand is
    still matched to the line (tests/test_adversarial_4_billing.py)."""
    line = LineSpec(ctp_qty="1200", dos="20240131-20240101", dos_qualifier="RD8")
    result = _scrub(build(kind, (ClaimSpec(lines=(line,)),)))
    assert result.output is not None
    text = result.output.decode("latin-1")
    assert ":JZ" not in text
    jw = LineSpec(modifiers=("JW",), charge="400", units="200", ctp_qty="200")
    jw = replace(jw, dos=line.dos, dos_qualifier="RD8")
    both = _scrub(build(kind, (ClaimSpec(lines=(replace(line, ctp_qty="1000"), jw)),)))
    assert both.output is not None
    assert b":JZ" not in both.output  # the JW line is the same date as the administered line
    again = _scrub(result.output)
    assert again.output == result.output


@pytest.mark.parametrize("kind", [P, I])
def test_two_lines_of_one_drug_and_date_with_waste_no_longer_get_two_jw_lines(kind: str) -> None:
    """Two administered lines of the same drug and date, each showing 200 IU of waste: each
    split's proof saw no JW line, both were applied in one pass, and the output billed two
    identical JW lines (a duplicate line to a payer; docs/fixes.md: one drug and date gets one
    JW line). Both are now suggestions naming the other line."""
    data = build(kind, (ClaimSpec(lines=(WASTE, WASTE)),))
    result = _scrub(data)
    assert result.output == data
    mod004 = [o for o in result.findings if o.finding.rule == "MOD004"]
    assert [o.status.value for o in mod004] == ["suggested", "suggested"]
    assert "line 2 bills the same drug and date" in mod004[0].finding.message
    # Another drug's line, or another date, still splits.
    other_day = LineSpec(ctp_qty="1200", dos="20240116")
    split = _scrub(build(kind, (ClaimSpec(lines=(WASTE, other_day)),)))
    assert split.output is not None and split.output.count(b":JW*") == 2


# ---------------------------------------------------------------------------- pipeline


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("flag", ["OUT", "--report", "--html", "--ack"])
def test_full_device_as_a_target_is_named_not_out_or_the_input(work: Path, flag: str) -> None:
    """A target that is a device (written into at commit, never replaced) failing with ENOSPC
    used to be reported under another name: ``out.837: No space left on device`` for
    ``--report /dev/full``, ``in.837: ...`` for OUT ``/dev/full``."""
    args = ["in.837", "/dev/full"] if flag == "OUT" else ["in.837", "out.837", flag, "/dev/full"]
    code, err, _ = _cli(args)
    assert code == 2
    assert err == "edi-scrub: error: /dev/full: No space left on device\n"
    assert sorted(p.name for p in work.iterdir()) == ["in.837"]


def test_output_stream_that_is_the_input_file_is_refused(work: Path) -> None:
    """``edi-scrub in.837 - >> in.837``: the guard compared paths only, so stdout opened on
    the input was written: the EDI was appended to the input (and the run then said "changed
    while it was being scrubbed; nothing written")."""
    before = (work / "in.837").read_bytes()
    with (work / "in.837").open("ab") as stdout:
        done = _run_cli_process(["in.837", "-"], stdout=stdout)
    assert done.returncode == 2
    assert done.stderr == (
        "edi-scrub: error: IN and OUT are the same file (in.837): the input is never overwritten\n"
    )
    assert (work / "in.837").read_bytes() == before
    with (work / "in.837").open("ab") as stream, pytest.raises(edi_scrub.ConfigError):
        edi_scrub.scrub(work / "in.837", stream)
    assert (work / "in.837").read_bytes() == before


def test_dev_stdout_and_dash_together_are_refused(work: Path) -> None:
    """``OUT /dev/stdout --report -``: both reach stdout, EDI and JSON in one stream."""
    with (work / "captured").open("wb") as stdout:
        done = _run_cli_process(["in.837", "/dev/stdout", "--report", "-"], stdout=stdout)
    assert done.returncode == 2
    assert done.stderr.startswith("edi-scrub: error: OUT and --report are the same file")
    assert (work / "captured").read_bytes() == b""


def test_stream_into_another_target_file_is_refused(work: Path) -> None:
    with (work / "out.837").open("wb") as rejects, pytest.raises(edi_scrub.ConfigError) as err:
        edi_scrub.scrub(work / "in.837", work / "out.837", rejects=rejects)
    assert "same file" in str(err.value)
    assert (work / "out.837").read_bytes() == b""


def test_dev_null_twice_as_streams_and_paths_is_still_allowed(work: Path) -> None:
    with open(os.devnull, "wb") as stream:
        result = edi_scrub.scrub(work / "in.837", stream, rejects=os.devnull)
    assert result.exit_code == 0


def _run_cli_process(args: list[str], stdout: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "edi_scrub", *args, "--no-config", "-q"],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        timeout=120,
    )


class _Zeros(io.RawIOBase):
    """``/dev/zero`` with an end (50 MB): counts what the reader took."""

    def __init__(self) -> None:
        self.taken = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), 50_000_000 - self.taken)
        buffer[:n] = bytes(n)
        self.taken += n
        return n


def test_endless_non_x12_stream_is_refused_after_its_head_not_spooled_whole() -> None:
    """IN ``/dev/zero`` (or ``cat /dev/urandom | edi-scrub - OUT``) was copied to a temporary
    file until the disk was full before the lexer could refuse it; now the first bytes decide,
    and the refusal is the lexer's usual one."""
    zeros = _Zeros()
    with pytest.raises(edi_scrub.InputError, match="byte 0"):
        edi_scrub.scrub(io.BufferedReader(zeros))
    assert zeros.taken < 1_000_000
    # X12 after blank lines still streams whole.
    data = build(P, (ClaimSpec(lines=(WASTE,)),))
    stream = io.BytesIO(b"\n \r\n" + data)
    result = edi_scrub.scrub(stream, options=edi_scrub.Options(structure=False))
    assert result.output is not None and result.output.endswith(b"IEA*1*000000001~\n")


# ------------------------------------------------------------------------------- batch


def test_batch_status_line_escapes_a_newline_in_a_file_name(tmp_path: Path) -> None:
    """A file named ``x.837<LF>forged.837: clean exit 0 (...)`` printed a second, forged
    status line: names are escaped as the one-file CLI's messages are."""
    indir, outdir = tmp_path / "in", tmp_path / "out"
    indir.mkdir()
    (indir / "x.837\nforged.837: clean exit 0").write_bytes(build(P, (ClaimSpec(),)))
    result = CliRunner().invoke(
        main, ["batch", str(indir), str(outdir), "--workers", "1", "--no-config", "--no-structure"]
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("x.837\\nforged.837: clean exit 0: clean exit 0 (1 claim")
    assert len(lines) == 2  # the file's line and the batch summary


def test_batch_internal_error_no_longer_shows_the_exception_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one-file CLI names an internal error by type and place only (its message could
    quote input); batch printed and recorded ``internal error: ValueError: <message>``."""
    from edi_scrub import batch, cli_batch

    def boom(*_: object) -> None:
        raise ValueError("invalid literal for int() with base 10: 'SYN000000001'")

    monkeypatch.setattr(batch, "scrub", boom)
    (tmp_path / "a.837").write_bytes(build(P, (ClaimSpec(),)))
    out = tmp_path / "out" / "a.837"
    job = batch.FileJob(
        "a.837", tmp_path / "a.837", out, out.with_name("a.837.report.json"), batch.Settings()
    )
    result = batch.scrub_one(job)
    assert result.exit_code == 3
    assert result.message.startswith("internal error: ValueError at test_adversarial_3.py:")
    assert "SYN000000001" not in cli_batch.status_line(result)
    # The batch command's own last resort says the same.
    monkeypatch.setattr(cli_batch, "_batch", boom)
    indir = tmp_path / "in"
    indir.mkdir()
    got = CliRunner().invoke(main, ["batch", str(indir), str(tmp_path / "o2"), "--no-config"])
    assert got.exit_code == 3
    assert got.stderr.startswith("edi-scrub: internal error: ValueError at test_adversarial_3.py:")
    assert "SYN000000001" not in got.stderr


def test_absurd_jobs_no_longer_forks_a_process_per_job(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--jobs 99999`` forked a worker per job (thousands, on a 2-core machine, for a
    one-claim file); above the cores it is capped, never below ``MAX_JOBS_FLOOR``."""
    from edi_scrub import parallel

    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    assert parallel.workers_for(99999, 10) == parallel.MAX_JOBS_FLOOR - 1
    assert parallel.workers_for(3, 10) == 2  # within the floor: as asked
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(32)), raising=False)
    assert parallel.workers_for(99999, 10) == 31
    assert parallel.workers_for(12, 10) == 11


def test_api_path_too_long_is_an_input_error_not_a_raw_oserror(tmp_path: Path) -> None:
    """``scrub(text)`` with the EDI text given as a ``str`` (a path) raised OSError
    ``File name too long`` out of the API, which promises EdiScrubError for bad paths."""
    data = build(P, (ClaimSpec(),))
    with pytest.raises(edi_scrub.InputError, match="File name too long"):
        edi_scrub.scrub(data.decode("latin-1"))
    with pytest.raises(edi_scrub.InputError, match="File name too long"):
        edi_scrub.scrub(data, tmp_path / ("x" * 5000))


def test_api_same_stream_as_source_and_out_is_refused() -> None:
    """``scrub(stream, stream)`` appended the output to the input stream it had just read."""
    data = build(P, (ClaimSpec(),))
    stream = io.BytesIO(data)
    with pytest.raises(edi_scrub.ConfigError, match="same stream"):
        edi_scrub.scrub(stream, stream)
    assert stream.getvalue() == data


# ------------------------------------------------------------------------------ config


@pytest.mark.parametrize("kind", ["dangling", "fifo", "directory", "device"])
def test_config_file_that_is_not_a_regular_file_is_refused_not_skipped(
    work: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ``edi-scrub.toml`` that is a dangling link (to an unmounted share), a FIFO, a
    directory or a device was skipped: the run went on without the team's settings (or with
    a parent folder's) and said nothing. Maps already refuse such files (test_hostile_maps)."""
    (work / "edi-scrub.toml").write_text('fail-on = "warning"\n', encoding="utf-8")
    inner = work / "inner"
    inner.mkdir()
    (work / "in.837").rename(inner / "in.837")
    monkeypatch.chdir(inner)
    config = inner / "edi-scrub.toml"
    if kind == "dangling":
        config.symlink_to(work / "unmounted" / "edi-scrub.toml")
    elif kind == "fifo":
        os.mkfifo(config)
    elif kind == "directory":
        config.mkdir()
    else:
        config.symlink_to(os.devnull)
    result = CliRunner().invoke(main, ["in.837", "out.837"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"edi-scrub: error: {config}: ")
    assert "not a config file" in result.stderr and result.stderr.count("\n") == 1
    assert not (inner / "out.837").exists()
    # --no-config still runs.
    assert CliRunner().invoke(main, ["in.837", "out.837", "--no-config", "-q"]).exit_code == 0


def test_config_with_a_utf8_byte_order_mark_is_read(work: Path) -> None:
    """Notepad saves ``edi-scrub.toml`` with a BOM: tomllib said "Invalid statement (at line
    1, column 1)"; the BOM is skipped and the settings apply."""
    (work / "edi-scrub.toml").write_bytes(b"\xef\xbb\xbffix = false\n")
    result = CliRunner().invoke(main, ["in.837", "out.837", "-q"])
    assert result.exit_code == 1, result.stderr  # nothing fixed: the claim's errors remain
    assert CliRunner().invoke(main, ["in.837", "out.837", "-q", "--no-config"]).exit_code == 0


@pytest.mark.parametrize("frequency", ["08", " 8", "8 ", "008"])
@pytest.mark.parametrize("kind", [P, I])
def test_void_written_with_a_zero_or_a_space_is_left_unchanged(kind: str, frequency: str) -> None:
    """CLM05-3 ``08`` / `` 8`` was not a void, so a JW split (a line, money) was applied; the
    payer rejects the code, the provider corrects it to ``8``, and the void no longer matches
    the claim it cancels. Such a claim is now left as it is, with FIX001, like a void."""
    claim = ClaimSpec(lines=(WASTE,), frequency=frequency, original_ref="ORIG1")
    data = build(kind, (claim,))
    result = _scrub(data)
    assert result.output == data
    assert "FIX001" in {o.finding.rule for o in result.findings}


@pytest.mark.parametrize("flag", ["OUT", "--report", "--html", "--ack", "--rejects"])
def test_target_with_a_trailing_slash_is_refused_not_written_as_a_file(
    work: Path, flag: str
) -> None:
    """``edi-scrub in.837 outdir/`` (a folder that does not exist yet) wrote a file named
    ``outdir``: pathlib drops the trailing slash."""
    args = ["in.837", "outdir/"] if flag == "OUT" else ["in.837", "out.837", flag, "outdir/"]
    code, err, _ = _cli(args)
    assert code == 2
    assert err == f"edi-scrub: error: outdir/: {flag} names a folder; name a file\n"
    assert sorted(p.name for p in work.iterdir()) == ["in.837"]


# --------------------------------------------------------------------- 999 counter file


def _ack_run(work: Path) -> tuple[int, str]:
    code, err, _ = _cli(["in.837", "out.837", "--ack", "a.999", "--maps", "maps"])
    return code, err


@pytest.mark.parametrize(
    "content",
    [b"\xef\xbb\xbf7\n", "\u0663\n".encode(), b"1" * 100_000],
    ids=["bom", "arabic-digit", "long"],
)
def test_counter_file_with_non_ascii_or_long_content_is_exit_2_not_3(
    work: Path, content: bytes
) -> None:
    """A counter written with a BOM or a non-ASCII digit was an internal error (exit 3,
    UnicodeDecodeError); a long one is refused after 64 bytes, not read whole."""
    (work / "maps").mkdir()
    (work / "maps" / "ack-control-number").write_bytes(content)
    code, err = _ack_run(work)
    assert code == 2
    assert err.startswith("edi-scrub: error: maps/ack-control-number: not a 999 control number")
    assert (work / "maps" / "ack-control-number").read_bytes() == content
    assert sorted(p.name for p in work.iterdir()) == ["in.837", "maps"]


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_counter_file_that_is_not_a_regular_file_is_refused(work: Path, kind: str) -> None:
    """A counter linked to /dev/zero was read to the end of memory (the OOM killer ended the
    run, exit 137); a FIFO failed as ``out.837: UnsupportedOperation``."""
    (work / "maps").mkdir()
    counter = work / "maps" / "ack-control-number"
    if kind == "fifo":
        os.mkfifo(counter)
    else:
        counter.symlink_to(os.devnull)  # a device like /dev/zero, without its danger
    code, err = _ack_run(work)
    assert code == 2
    assert err == (
        "edi-scrub: error: maps/ack-control-number: the 999 control number counter is not a "
        "regular file\n"
    )


@pytest.mark.parametrize("pattern", ["", "."])
def test_batch_glob_that_names_nothing_is_a_usage_error_not_exit_3(
    tmp_path: Path, pattern: str
) -> None:
    """``--glob ''`` ended the batch as ``internal error: ValueError`` (pathlib: "empty
    pattern"), exit 3, after the batch had started."""
    indir = tmp_path / "in"
    indir.mkdir()
    (indir / "a.837").write_bytes(build(P, (ClaimSpec(),)))
    result = CliRunner().invoke(
        main, ["batch", str(indir), str(tmp_path / "out"), "--glob", pattern, "--no-config"]
    )
    assert result.exit_code == 2
    assert "Invalid value for '--glob'" in result.stderr and "empty pattern" in result.stderr
    assert not (tmp_path / "out").exists()
