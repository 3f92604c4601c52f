"""Report = output: every applied fix's ``after`` is what was written (issue 7, item 10)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.builders import ClaimSpec, I, LineSpec, P, build
from tests.report_output import mismatches

SAMPLES = sorted(
    p
    for p in (Path(__file__).resolve().parents[1] / "samples").rglob("*.837")
    if "expected" not in p.parts
)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_every_sample_reports_what_it_writes(sample: Path) -> None:
    assert mismatches(sample.read_bytes()) == []
    assert mismatches(sample.read_bytes(), unsafe=True) == []


@pytest.mark.parametrize("kind", [P, I])
def test_fixes_that_touch_one_element_twice_report_the_last_write(kind: str) -> None:
    # MOD001 adds JZ after KX; NDC003 normalises; MOD004 splits another line; LX renumbered.
    claim = ClaimSpec(
        lines=(
            LineSpec(modifiers=("", "", "KX"), ndc="0944-4624-01", lx="3"),
            LineSpec(ctp_qty="1200", lx="9"),
        )
    )
    assert mismatches(build(kind, (claim,))) == []


def test_the_checker_catches_a_report_that_lies() -> None:
    # Guard against a checker that can never fail: a split format it cannot match is reported.
    from tests.report_output import _split_problems

    assert _split_problems("1000 IU on one line", ()) != []
