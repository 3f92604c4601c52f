"""No raw element text from unidentifiable segments, bounded messages, escaped terminal output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_scrub.cli import main
from edi_scrub.report.model import MAX_MESSAGE
from edi_scrub.report.text import printable
from edi_scrub.x12._issues import StructuralIssue, StructuralLevel
from tests.builders import ClaimSpec, LineSpec, P, build

ADDRESS = b"9517 OAK AVE"


def _invoke(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


@pytest.mark.parametrize("damage", [b"#", b"\x00", b" ", b"\xc3"])
def test_damaged_segment_id_keeps_the_address_out_of_reports(damage: bytes, tmp_path: Path) -> None:
    """Before: `N3#9517 OAK AVE` was the X12001 finding's "element" in JSON and HTML."""
    data = build(P, (ClaimSpec(),)).replace(b"N3*123 MAIN ST", b"N3" + damage + ADDRESS)
    src, out = tmp_path / "in.837", tmp_path / "out.837"
    rep, html, text = tmp_path / "r.json", tmp_path / "r.html", tmp_path / "r.txt"
    src.write_bytes(data)
    code, output = _invoke([str(src), str(out), "--report", str(rep), "--html", str(html)])
    assert code == 1
    _invoke([str(src), str(out), "--report", str(text), "--report-format", "text"])
    for path in (rep, html, text):
        assert ADDRESS not in path.read_bytes(), path.name
    assert ADDRESS.decode() not in output
    x12001 = [f for f in json.loads(rep.read_text())["findings"] if f["rule"] == "X12001"]
    assert x12001 and all(f["element"] is None for f in x12001 if f["segment"] == 16)


def test_structural_issue_drops_ids_that_are_not_x12_ids() -> None:
    def issue(seg_id: str, element: str) -> StructuralIssue:
        return StructuralIssue(3, seg_id, element, StructuralLevel.SEGMENT, "1", "", "m", 0)

    assert issue("N3#9517 OAK AVE", "N3#9517 OAK AVE01").segment_id == ""
    assert issue("N3#9517 OAK AVE", "N3#9517 OAK AVE01").element == ""
    assert issue("NM1", "NM109").segment_id == "NM1"
    assert issue("SV1", "SV101-2").element == "SV101-2"


def test_error_message_does_not_echo_a_misplaced_element(tmp_path: Path) -> None:
    """Before: `not an 837 5010 transaction set (ST01 N4 CENTERVILLE PA 17111, ...)`."""
    data = build(P, (ClaimSpec(),)).replace(b"ST*837*", b"ST*N4 CENTERVILLE PA 17111*")
    src, out = tmp_path / "in.837", tmp_path / "out.837"
    src.write_bytes(data)
    code, output = _invoke([str(src), str(out)])
    assert code == 2
    assert "CENTERVILLE" not in output
    assert "ST01 unreadable (23 characters)" in output
    assert not out.exists()


def test_long_quoted_value_is_cut_in_every_report(tmp_path: Path) -> None:
    """A 100k-character SV102 was quoted whole in CLM002's message."""
    line = LineSpec(charge="7" * 50_000 + "x" * 50_000)
    src, out, rep = tmp_path / "in.837", tmp_path / "out.837", tmp_path / "r.json"
    src.write_bytes(build(P, (ClaimSpec(lines=(line,), clm02="2000"),)))
    code, _ = _invoke([str(src), str(out), "--report", str(rep), "-q", "--no-structure"])
    assert code == 1
    findings = json.loads(rep.read_text())["findings"]
    clm002 = next(f for f in findings if f["rule"] == "CLM002")
    assert len(clm002["message"]) < MAX_MESSAGE + 40
    assert clm002["message"].endswith("more characters)")
    assert rep.stat().st_size < 20_000


ESCAPE = "A\x1b[31mRED\x1b]0;owned\x07\x9b2J\u202e"


def test_text_report_escapes_control_characters_in_clm01(tmp_path: Path) -> None:
    """Before: escape sequences in CLM01 reached the terminal raw (text report and summary)."""
    data = build(P, (ClaimSpec(clm01="PCNX"),)).replace(b"CLM*PCNX", b"CLM*" + ESCAPE.encode())
    src, out, rep = tmp_path / "in.837", tmp_path / "out.837", tmp_path / "r.txt"
    src.write_bytes(data)
    args = [str(src), str(out), "--report", str(rep), "--report-format", "text"]
    code, output = _invoke(args)
    assert code == 1
    text = rep.read_text(encoding="utf-8")
    for shown in (text, output):
        assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
        assert "\x9b" not in shown
    assert "A\\x1b[31mRED" in text


def test_printable_keeps_ordinary_text() -> None:
    assert printable("claim PCN001 → J7207:JZ, 2000.00 é") == "claim PCN001 → J7207:JZ, 2000.00 é"
    assert printable("a\tb\r\nc\x00") == "a\\tb\\r\\nc\\x00"


def test_error_line_escapes_control_characters_in_paths(tmp_path: Path) -> None:
    code, output = _invoke([str(tmp_path / "in\x1b[2J.837"), str(tmp_path / "out.837")])
    assert code == 2
    assert "\x1b" not in output and "in\\x1b[2J.837" in output
