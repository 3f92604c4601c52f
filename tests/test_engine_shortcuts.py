"""Shortcuts in the fix engine give exactly what the general code gives (issue 9, round 4).

In the style of ``tests/test_rule_shortcuts.py``: each fast path held against the code it
stands in for, on the claims of every rule case table, the samples, the corpus and generated
files (``tests/test_rule_facts.py`` collects them).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from edi_scrub.fixes.edits import Applicability
from edi_scrub.fixes.engine import _choose, _wide, check_claim
from edi_scrub.rules._base import Finding
from tests.test_rule_facts import RULES, _claims, _contexts

ALLOWED: tuple[frozenset[Applicability], ...] = (
    frozenset(),
    frozenset({Applicability.SAFE}),
    frozenset({Applicability.SAFE, Applicability.UNSAFE}),
)


def _reference_choose(
    findings: Sequence[Finding], allowed: Collection[Applicability]
) -> list[Finding]:
    """``_choose`` as round 3 wrote it: sort every finding, then skip those without a fix."""
    chosen: list[Finding] = []
    touched: set[int] = set()
    for finding in sorted(findings, key=_wide):
        fix = finding.fix
        if fix is None or not fix.edits or fix.applicability not in allowed:
            continue
        if _wide(finding) and chosen and not _wide(chosen[0]):
            break
        if fix.positions() & touched:
            continue
        chosen.append(finding)
        touched |= fix.positions()
    return chosen


def test_choose_equals_the_reference() -> None:
    ctx = _contexts()[0]
    fixable = 0
    for claim in _claims():
        findings = check_claim(claim, RULES, ctx)
        # The engine's order, reversed, and every fixable finding moved to the front: the
        # stable sort must give the same choice from any order.
        orders = [findings, findings[::-1], sorted(findings, key=lambda f: f.fix is None)]
        for order in orders:
            for allowed in ALLOWED:
                got, want = _choose(order, allowed), _reference_choose(order, allowed)
                assert [id(f) for f in got] == [id(f) for f in want]
                fixable += bool(got)
    assert fixable > 100
