"""Every public corpus file: exit 0, 1 or 2, never a traceback; untouched files stay identical."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_scrub.cli import main
from edi_scrub.errors import InputError
from edi_scrub.x12.lexer import read_segments
from tests.conftest import corpus_files, needs_corpus

_PHI_SEGMENTS = frozenset({"NM1", "N3", "N4", "DMG"})


def _phi_values(path: Path) -> set[str]:
    """Values of name, address and birth-date segments (and member ids), 4+ characters."""
    try:
        segments = read_segments(path.read_bytes())
    except InputError:
        return set()
    values: set[str] = set()
    claim_ids = {seg.element(1) for seg in segments if seg.seg_id == "CLM"}
    for seg in segments:
        if seg.seg_id in _PHI_SEGMENTS or (seg.seg_id == "REF" and seg.element(1) in ("SY", "1W")):
            values.update(v for v in seg.elements[2:] if len(v) >= 4 and not v.isspace())
    # CLM01 identifies the claim in reports by design (it may equal a ZIP in toy files); bare
    # upper-case words are too often also code values or rule text to test for.
    return {
        v for v in values - claim_ids if not v.isupper() or " " in v or any(c.isdigit() for c in v)
    }


@needs_corpus()
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name[:60])
def test_corpus_file(path: Path, tmp_path: Path) -> None:
    """Scrubbing a real file ends in a defined exit code; no applied fix means identical bytes."""
    out, report = tmp_path / "out.837", tmp_path / "report.json"
    result = CliRunner().invoke(main, [str(path), str(out), "--report", str(report), "-q"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2:
        assert not out.exists()
        assert result.output.count("\n") == 1 and str(path) in result.output
        return
    text = report.read_text()
    leaked = sorted(v for v in _phi_values(path) if v in text)
    assert not leaked, f"PHI-bearing values in the report: {len(leaked)}"
    data = json.loads(text)
    applied = [f for f in data["findings"] if f["fix"]["status"] == "applied"]
    if not applied:
        assert out.read_bytes() == path.read_bytes()
    assert data["summary"]["exit_code"] == result.exit_code
