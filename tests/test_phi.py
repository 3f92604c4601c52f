"""No PHI in logs or reports: over the whole public corpus, nothing from NM1, N3, N4, DMG or
member-id REF segments reaches stderr (logs and summary), the JSON, text or HTML reports."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_scrub.cli import main
from edi_scrub.errors import InputError
from edi_scrub.x12.lexer import read_segments
from tests.conftest import corpus_files, needs_corpus

_PHI_SEGMENTS = frozenset({"NM1", "N3", "N4", "DMG"})
#: REF qualifiers that carry member or patient identifiers.
_MEMBER_REFS = frozenset({"SY", "1W", "IG", "0F", "1L", "EA", "F8", "Y4", "EJ"})


def phi_values(data: bytes) -> set[str]:
    """Element values of PHI-bearing segments worth looking for (4+ characters)."""
    try:
        segments = read_segments(data)
    except InputError:
        return set()
    values: set[str] = set()
    claim_ids = {s.element(1) for s in segments if s.seg_id == "CLM"}
    for seg in segments:
        if seg.seg_id in _PHI_SEGMENTS or (seg.seg_id == "REF" and seg.element(1) in _MEMBER_REFS):
            # Skip the qualifiers (NM101/NM102, N4 country codes...): codes, not identities.
            start = {"NM1": 3, "DMG": 2, "N3": 1, "N4": 1}.get(seg.seg_id, 2)
            values.update(v.strip() for v in seg.elements[start:] if len(v.strip()) >= 4)
    # CLM01 names a claim in reports by design (toy files reuse it as a ZIP or an id).
    return values - claim_ids


_PATH = re.compile(r"/[^\s\"']*")


def leaks(values: set[str], *texts: str) -> list[str]:
    """The PHI ``values`` that stand as whole tokens in ``texts``, file paths set aside.

    Paths and timings are ours, not the file's: a 4-digit address number ("2345") used to match
    a random pytest folder number or the digits of a float ("0.12345") about once in 50 runs.
    """
    blob = _PATH.sub("<path>", "\n".join(texts))
    return sorted(
        v for v in values if re.search(rf"(?<![0-9A-Za-z]){re.escape(v)}(?![0-9A-Za-z])", blob)
    )


@needs_corpus()
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name[:60])
def test_no_phi_in_logs_or_reports(path: Path, tmp_path: Path) -> None:
    """Logs (debug level, JSON) and every report format carry none of the file's PHI values."""
    values = phi_values(path.read_bytes())
    if not values:
        pytest.skip("no PHI-bearing values in this file")
    outputs = []
    for fmt in ("json", "text", "html"):
        report = tmp_path / f"report.{fmt}"
        result = CliRunner().invoke(
            main,
            [
                str(path),
                str(tmp_path / "out.837"),
                "--report",
                str(report),
                "--report-format",
                fmt,
                "--log-format",
                "json",
                "-vv",
            ],
        )
        assert result.exit_code in (0, 1, 2)
        outputs.append(result.output)
        if report.exists():
            text = report.read_text(encoding="utf-8")
            outputs.append(html.unescape(text) if fmt == "html" else text)
    leaked = leaks(values, *outputs)
    assert not leaked, f"{len(leaked)} PHI value(s) leaked, e.g. {leaked[0][:2]}…"


def test_extractor_finds_the_synthetic_patient() -> None:
    """The PHI list is not empty by accident: it holds the names, ids and addresses of a file."""
    from tests.builders import ClaimSpec, P, build

    values = phi_values(build(P, (ClaimSpec(),)))
    assert {"JANE", "SYN000000001", "123 MAIN ST", "ANYTOWN", "19800101"} <= values


def test_leak_matcher_finds_whole_values_and_ignores_paths_and_float_digits() -> None:
    assert leaks({"2345", "JANE"}, "N3 2345 OCEAN", '"JANE"') == ["2345", "JANE"]
    assert leaks({"2345"}, "took 0.12345 s", "/tmp/pytest-2345/in.837: 1 claim") == []
