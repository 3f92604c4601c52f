"""The CLI contract: exit codes, atomic output, stdin/stdout, no output on exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from edi_scrub.cli import main
from tests.builders import ClaimSpec, LineSpec, P, build

CLEAN = build(P, (ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),)),))
UNPROVEN = build(P, (ClaimSpec(lines=(LineSpec(ctp_qty="1", ctp_unit="UN"),)),))
FIXABLE = build(P, (ClaimSpec(lines=(LineSpec(ndc="0944-4624-01", modifiers=("JZ",)),)),))


def _invoke(args: list[str], stdin: bytes | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, input=stdin)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def test_clean_file_exits_0_and_is_identical(tmp_path: Path) -> None:
    """A clean file: exit 0 and output byte-identical to the input."""
    src, out = tmp_path / "in.837", tmp_path / "out.837"
    src.write_bytes(CLEAN)
    code, _ = _invoke([str(src), str(out), "-q"])
    assert code == 0
    assert out.read_bytes() == CLEAN


def test_remaining_error_exits_1_and_report_says_so(tmp_path: Path) -> None:
    """An unfixable error: exit 1, output written, report lists it as unfixed."""
    src, out, rep = tmp_path / "in.837", tmp_path / "out.837", tmp_path / "r.json"
    src.write_bytes(UNPROVEN)
    code, _ = _invoke([str(src), str(out), "--report", str(rep), "-q"])
    assert code == 1
    report = json.loads(rep.read_text())
    assert report["schema"] == "edi-scrub/report/v1"
    assert report["summary"]["unfixed_errors"] == 1
    assert report["findings"][0]["rule"] == "MOD001"
    assert report["findings"][0]["fix"]["status"] == "suggested"
    assert out.read_bytes() == UNPROVEN


def test_exit_zero_and_ignore(tmp_path: Path) -> None:
    """--exit-zero forces 0; --ignore drops the rule."""
    src, out = tmp_path / "in.837", tmp_path / "out.837"
    src.write_bytes(UNPROVEN)
    assert _invoke([str(src), str(out), "--exit-zero", "-q"])[0] == 0
    assert _invoke([str(src), str(out), "--ignore", "MOD001", "-q"])[0] == 0


def test_fail_on_warning(tmp_path: Path) -> None:
    """A remaining warning fails only with --fail-on warning."""
    data = build(P, (ClaimSpec(lines=(LineSpec(code="J7192", ctp_qty="1200"),)),))
    src, out = tmp_path / "in.837", tmp_path / "out.837"
    src.write_bytes(data)
    assert _invoke([str(src), str(out), "--select", "MOD004", "-q"])[0] == 0
    assert _invoke([str(src), str(out), "--select", "MOD004", "--fail-on", "warning", "-q"])[0] == 1


def test_no_fix_leaves_bytes(tmp_path: Path) -> None:
    """--no-fix reports the fixable error and writes the input unchanged."""
    src, out = tmp_path / "in.837", tmp_path / "out.837"
    src.write_bytes(FIXABLE)
    code, _ = _invoke([str(src), str(out), "--no-fix", "-q"])
    assert code == 1
    assert out.read_bytes() == FIXABLE
    code, _ = _invoke([str(src), str(out), "-q"])
    assert code == 0
    assert b"LIN**N4*00944462401~" in out.read_bytes()


def test_not_x12_exits_2_without_output(tmp_path: Path) -> None:
    """Non-X12 input: exit 2, one line naming the file, and no output file (old one kept)."""
    src, out = tmp_path / "in.837", tmp_path / "out.837"
    src.write_bytes(b"hello world, not an interchange\n")
    out.write_bytes(b"previous")
    code, output = _invoke([str(src), str(out), "-q"])
    assert code == 2
    assert output.strip().count("\n") == 0 and str(src) in output
    assert out.read_bytes() == b"previous"
    assert list(tmp_path.glob(".edi-scrub-*")) == []


def test_not_837_exits_2(tmp_path: Path) -> None:
    """An 835 is refused as X12004 territory: exit 2."""
    src = tmp_path / "in.835"
    src.write_bytes(CLEAN.replace(b"ST*837*", b"ST*835*"))
    code, output = _invoke([str(src), str(tmp_path / "o"), "-q"])
    assert code == 2 and "not an 837" in output


def test_missing_input_and_unknown_rule(tmp_path: Path) -> None:
    """Usage problems are exit 2 with a message, never a traceback."""
    assert _invoke([str(tmp_path / "nope.837"), str(tmp_path / "o")])[0] == 2
    src = tmp_path / "in.837"
    src.write_bytes(CLEAN)
    code, output = _invoke([str(src), str(tmp_path / "o"), "--select", "NOPE999"])
    assert code == 2 and "unknown rule" in output


def test_stdin_stdout_subprocess(tmp_path: Path) -> None:
    """`-` reads stdin and writes EDI to stdout; logs and summary stay on stderr."""
    proc = subprocess.run(
        [sys.executable, "-m", "edi_scrub", "-", "-"],
        input=FIXABLE,
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == FIXABLE.replace(b"0944-4624-01", b"00944462401")
    assert b"Traceback" not in proc.stderr
    assert b"DOE" not in proc.stderr and b"SYN000000001" not in proc.stderr


def test_rule_docs() -> None:
    """`rules` lists every rule; `rule ID` prints its documentation."""
    code, output = _invoke(["rules"])
    assert code == 0 and "MOD004" in output and "NDC003" in output
    code, output = _invoke(["rule", "MOD004"])
    assert code == 0 and "What it checks" in output
    assert _invoke(["rule", "ZZZ999"])[0] == 2


def test_streamed_json_report_is_the_json_document(tmp_path: Path) -> None:
    """The streamed report is byte for byte json.dumps(to_json(), indent=2), findings or not."""
    import io

    from edi_scrub.pipeline import Options, scrub

    for data in (CLEAN, UNPROVEN, FIXABLE):
        src = tmp_path / "in.837"
        src.write_bytes(data)
        report = scrub(src, io.BytesIO(), Options(structure=False))
        assert "".join(report.json_chunks()) == json.dumps(report.to_json(), indent=2) + "\n"
        assert json.loads("".join(report.json_chunks()))["findings"] == report.findings_json()


def test_outputs_get_ordinary_permissions(tmp_path: Path) -> None:
    """New output and report files get 0666 & ~umask (not mkstemp's 0600); a replaced file
    keeps its mode, so the next job in a pipeline can read what edi-scrub wrote."""
    import os
    import stat

    src, out, rep = tmp_path / "in.837", tmp_path / "out.837", tmp_path / "r.json"
    src.write_bytes(CLEAN)
    old = os.umask(0o022)
    try:
        assert _invoke([str(src), str(out), "--report", str(rep), "-q"])[0] == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o644
        assert stat.S_IMODE(rep.stat().st_mode) == 0o644
        out.chmod(0o640)
        assert _invoke([str(src), str(out), "-q"])[0] == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_q_silences_warnings_in_a_single_run(tmp_path: Path) -> None:
    """`-q` means the same as in batch: no summary and no warnings (errors would still print)."""
    src = tmp_path / "in.837"
    src.write_bytes(build(P, (ClaimSpec(payer_id="SYNNOBODY", sbr09="CI", lines=(LineSpec(),)),)))

    def stderr(*extra: str) -> str:
        args = [sys.executable, "-m", "edi_scrub", str(src), str(tmp_path / "o.837"), *extra]
        proc = subprocess.run(args, capture_output=True, check=False, text=True)
        assert proc.returncode in (0, 1), proc.stderr
        return proc.stderr

    loud = stderr("--no-structure", "--log-format", "json")
    assert "payer_profile_fallback" in loud and "claims" in loud
    assert stderr("--no-structure", "--log-format", "json", "-q") == ""
