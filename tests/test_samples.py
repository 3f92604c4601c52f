"""Golden files for samples/: expected output EDI and JSON report, plus whole-file invariants.

Regenerate the golden files after an intended change with ``EDI_SCRUB_UPDATE_GOLDEN=1 pytest
tests/test_samples.py`` and review the diff.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from edi_scrub.pipeline import Options, scrub
from edi_scrub.x12.lexer import read_segments
from edi_scrub.x12.validate import validate_bytes
from tests.conftest import SAMPLES

SAMPLE_FILES = sorted(SAMPLES.glob("*.837"))
EXPECTED = SAMPLES / "expected"
UPDATE = os.environ.get("EDI_SCRUB_UPDATE_GOLDEN") == "1"


def _run(path: Path) -> tuple[bytes, dict[str, object]]:
    out = io.BytesIO()
    report = scrub(path, out, Options())
    data = report.to_json()
    data["input"] = path.name
    data["output"] = path.stem + ".out.837"
    data.pop("tool_version")
    return out.getvalue(), data


def test_samples_exist() -> None:
    """The bundled samples are there (the README's first command uses one)."""
    assert len(SAMPLE_FILES) >= 9


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    """Output EDI and report match the reviewed golden files."""
    out, report = _run(path)
    edi_file, report_file = EXPECTED / f"{path.stem}.out.837", EXPECTED / f"{path.stem}.report.json"
    text = json.dumps(report, indent=2) + "\n"
    if UPDATE:
        EXPECTED.mkdir(exist_ok=True)
        edi_file.write_bytes(out)
        report_file.write_text(text)
    assert out == edi_file.read_bytes()
    assert text == report_file.read_text()


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_invariants(path: Path, tmp_path: Path) -> None:
    """Valid in → valid out; LX runs 1..n per claim; SE01 counts; a second scrub is a no-op."""
    data = path.read_bytes()
    out, _ = _run(path)
    if not validate_bytes(data).issues:
        assert validate_bytes(out).issues == ()
    segments = [s for s in read_segments(out) if s.index]
    lx = 0
    start = 0
    for i, seg in enumerate(segments):
        if seg.seg_id in ("CLM", "HL"):
            lx = 0
        elif seg.seg_id == "LX":
            lx += 1
            assert seg.element(1) == str(lx)
        elif seg.seg_id == "ST":
            start = i
        elif seg.seg_id == "SE":
            assert seg.element(1) == str(i - start + 1)
    again = tmp_path / "again.837"
    again.write_bytes(out)
    out2, report2 = _run(again)
    assert out2 == out
    summary = report2["summary"]
    assert isinstance(summary, dict) and summary["fixed"] == 0
