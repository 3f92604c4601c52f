"""MOD005 jw-not-accepted (multi-dose products: tests/rules/test_payer_rules.py)."""

from dataclasses import replace
from datetime import date

from edi_scrub.policy import JwPolicy, PayerPolicy
from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_DENIES = PayerPolicy("t", "Test Medicaid", jw=JwPolicy.DENIED)
_DENIES_FROM = PayerPolicy("t", "Test Medicaid", jw=JwPolicy.DENIED, jw_from=date(2021, 5, 1))
_ADMIN = LineSpec(ctp_qty="1000", control="LINE1")
_JW = LineSpec(modifiers=("JW",), units="200", charge="400", ctp_qty="200", control="LINE1JW")
_OTHER = LineSpec(code="J7208", ndc=None, units="500", charge="900", control="LINE2")


def _dated(line: LineSpec, dos: str) -> LineSpec:
    return replace(line, dos=dos)


CASES = [
    Case("Medicare (SBR09 MB) requires JW", ClaimSpec(lines=(_ADMIN, _JW)), 0),
    Case("other payers allow JW", ClaimSpec(lines=(_ADMIN, _JW), sbr09="CI"), 0),
    Case(
        "payer denies JW: removal offered (unsafe)",
        ClaimSpec(lines=(_ADMIN, _JW)),
        1,
        None,
        "available",
        policy=_DENIES,
    ),
    Case(
        "payer denies JW: line removed, CLM02 lowered",
        ClaimSpec(lines=(_ADMIN, _JW)),
        1,
        ClaimSpec(lines=(_ADMIN,)),
        "applied",
        unsafe=True,
        policy=_DENIES,
    ),
    Case(
        "JW line in the middle: later lines renumbered",
        ClaimSpec(lines=(_ADMIN, _JW, _OTHER)),
        1,
        ClaimSpec(lines=(_ADMIN, _OTHER)),
        "applied",
        unsafe=True,
        policy=_DENIES,
    ),
    Case(
        "the only line is not removed",
        ClaimSpec(lines=(_JW,)),
        1,
        None,
        "none",
        unsafe=True,
        policy=_DENIES,
    ),
    Case(
        "denied only from 2021-05-01: the day before",
        ClaimSpec(lines=(_dated(_ADMIN, "20210430"), _dated(_JW, "20210430"))),
        0,
        policy=_DENIES_FROM,
    ),
    Case(
        "denied from 2021-05-01: on that day",
        ClaimSpec(lines=(_dated(_ADMIN, "20210501"), _dated(_JW, "20210501"))),
        1,
        ClaimSpec(lines=(_dated(_ADMIN, "20210501"),)),
        "applied",
        unsafe=True,
        policy=_DENIES_FROM,
    ),
]
