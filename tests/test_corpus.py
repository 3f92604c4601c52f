"""Every public corpus file: exit 0, 1 or 2, never a traceback; untouched files stay identical."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_scrub.cli import main
from tests.conftest import corpus_files, needs_corpus


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
    data = json.loads(report.read_text())
    applied = [f for f in data["findings"] if f["fix"]["status"] == "applied"]
    if not applied:
        assert out.read_bytes() == path.read_bytes()
    assert data["summary"]["exit_code"] == result.exit_code
