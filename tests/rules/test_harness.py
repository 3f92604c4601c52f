"""One harness for every rule's case table (tests/rules/cases/<rule>.py, ``CASES``).

For each case and each transaction (837P, 837I) it checks that the rule fires the stated number
of times; that the fixed output equals the expected claim (or the input, byte for byte, when no
fix applies); that scrubbing the output again changes nothing and fixes nothing; and that the
output still validates with pyx12 whenever the input did.
"""

from __future__ import annotations

import importlib
import io
import pkgutil
from pathlib import Path

import pytest

from edi_scrub.pipeline import Options, scrub
from edi_scrub.report.model import Report
from edi_scrub.rules import all_rules
from edi_scrub.x12.validate import validate_bytes
from tests.builders import build
from tests.rules import cases as cases_pkg
from tests.rules.case import Case


def _tables() -> list[tuple[str, Case]]:
    found: list[tuple[str, Case]] = []
    for info in pkgutil.iter_modules(cases_pkg.__path__):
        module = importlib.import_module(f"{cases_pkg.__name__}.{info.name}")
        found += [(info.name.upper(), case) for case in module.CASES]
    return found


TABLES = _tables()


def _scrub(tmp_path: Path, name: str, data: bytes, rule: str, case: Case) -> tuple[Report, bytes]:
    src = tmp_path / name
    src.write_bytes(data)
    out = io.BytesIO()
    forced = case.policy
    options = Options(
        select=(rule,),
        unsafe_fixes=case.unsafe,
        structure=False,
        policy=(lambda _claim: forced) if forced is not None else None,
    )
    report = scrub(src, out, options)
    return report, out.getvalue()


def test_every_claim_rule_has_a_case_table() -> None:
    """No claim rule ships without cases."""
    covered = {rule for rule, _ in TABLES}
    claim_rules = {r.meta.id for r in all_rules() if r.check is not None}
    assert claim_rules <= covered, sorted(claim_rules - covered)


@pytest.mark.parametrize(
    ("rule", "case", "kind"),
    [(rule, case, kind) for rule, case in TABLES for kind in case.kinds],
    ids=lambda v: v.name if isinstance(v, Case) else str(v),
)
def test_case(tmp_path: Path, rule: str, case: Case, kind: str) -> None:
    """The rule fires as stated, fixes to the expected claim, and the fix is stable and valid."""
    data = build(kind, (case.claim,))
    report, out = _scrub(tmp_path, "in.837", data, rule, case)
    mine = [o for o in report.outcomes if o.finding.rule == rule]
    assert len(mine) == case.fires, [o.finding.message for o in mine]
    if case.status is not None:
        assert {o.status.value for o in mine} == {case.status}
    expected = build(kind, (case.fixed,)) if case.fixed is not None else data
    assert out.decode("latin-1") == expected.decode("latin-1")
    again, out2 = _scrub(tmp_path, "out.837", out, rule, case)
    assert out2 == out, "a second scrub changed the output"
    assert again.summary.fixed == 0
    if out != data and not validate_bytes(data).issues:
        assert validate_bytes(out).issues == ()
