"""Verify-and-revert: a fix that makes a claim worse is undone for that claim only."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from edi_scrub import pipeline
from edi_scrub.fixes.edits import Applicability, Fix, InsertSegments
from edi_scrub.model.claim import Claim
from edi_scrub.pipeline import Options, scrub
from edi_scrub.rules import Rule, get_rule
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from tests.builders import ClaimSpec, LineSpec, P, build

_META = RuleMeta("ZZZ001", "test-breaks-structure", Severity.WARNING, Applicability.SAFE, "", "")


def _breaker(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    if any(line.code.value == "J7207" for line in claim.lines) and claim.claim_id == "BAD":
        # A segment the TR3 does not allow inside loop 2300: pyx12 must reject the output.
        fix = Fix(
            Applicability.SAFE, "insert junk", "", "ZZZ", (InsertSegments(0, (("ZZZ", "1"),)),)
        )
        yield make_finding(meta, claim, None, claim.clm01, "test finding", fix)


def test_structurally_worse_claim_is_reverted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Only the claim whose fix broke the TR3 structure comes back as it was; the other keeps its fix."""
    claims = (
        ClaimSpec(clm01="BAD"),
        ClaimSpec(clm01="GOOD", lines=(LineSpec(ndc="0944-4624-01", modifiers=("JZ",)),)),
    )
    data = build(P, claims)
    src = tmp_path / "in.837"
    src.write_bytes(data)
    rules = (Rule(_META, _breaker), get_rule("NDC003"))
    monkeypatch.setattr(pipeline, "select_rules", lambda *_: rules)
    monkeypatch.setattr(pipeline, "get_rule", get_rule)
    out = io.BytesIO()
    report = scrub(src, out, Options(select=("ZZZ001", "NDC003", "X12001")))
    statuses = {o.finding.rule: o.status.value for o in report.outcomes}
    assert statuses == {"ZZZ001": "reverted", "NDC003": "applied"}
    assert b"ZZZ*1" not in out.getvalue()
    assert out.getvalue() == data.replace(b"0944-4624-01", b"00944462401")
    # Without the pyx12 re-check nothing notices: proof that the structural check did the revert.
    blind = scrub(src, io.BytesIO(), Options(select=("ZZZ001",), structure=False))
    blind_statuses = {o.status.value for o in blind.outcomes}
    assert "applied" in blind_statuses and "reverted" not in blind_statuses


def test_fix_that_adds_findings_is_reverted(tmp_path: Path) -> None:
    """An unsafe code replacement that would create a new finding is undone (HCP003 → UNT003)."""
    data = build(
        P, (ClaimSpec(lines=(LineSpec(code="J7195", units="2", ctp_qty="2", modifiers=("JZ",)),)),)
    )
    src = tmp_path / "in.837"
    src.write_bytes(data)
    out = io.BytesIO()
    report = scrub(src, out, Options(unsafe_fixes=True, structure=False))
    hcp003 = [o for o in report.outcomes if o.finding.rule == "HCP003"]
    assert hcp003 and all(o.status.value == "reverted" for o in hcp003)
    assert out.getvalue() == data
