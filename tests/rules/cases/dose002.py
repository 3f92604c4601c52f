"""DOSE002 dose-per-kg-implausible."""

from decimal import Decimal

from edi_scrub.policy import PayerPolicy
from tests.builders import ClaimSpec, I, LineSpec, P
from tests.rules.case import Case

#: A test range only: no plausible IU/kg range is sourced, so none ships.
_RANGE = PayerPolicy("t", "Test payer", dose_per_kg_range={"J7207": (Decimal(10), Decimal(100))})
_LB = "154"  # 69.85 kg


def _claim(*units: str, weight: str | None = _LB, jw: str | None = None) -> ClaimSpec:
    lines = [LineSpec(units=u, ctp_qty=u, modifiers=("JZ",)) for u in units]
    if jw is not None:
        lines.append(LineSpec(units=jw, ctp_qty=jw, charge="400", modifiers=("JW",)))
    return ClaimSpec(lines=tuple(lines), weight=weight)


CASES = [
    Case("no range configured", _claim("50000"), 0, kinds=(P,)),
    Case("inside the range", _claim("1000"), 0, kinds=(P,), policy=_RANGE),
    Case("below the range", _claim("500"), 1, None, "none", kinds=(P,), policy=_RANGE),
    Case("above the range", _claim("8000"), 1, None, "none", kinds=(P,), policy=_RANGE),
    Case(
        "lines on one date add up",
        _claim("4000", "4000"),
        1,
        None,
        "none",
        kinds=(P,),
        policy=_RANGE,
    ),
    Case("JW units are not infused", _claim("6000", jw="2000"), 0, kinds=(P,), policy=_RANGE),
    Case("no weight on the claim", _claim("500", weight=None), 0, kinds=(P,), policy=_RANGE),
    Case("837I carries no weight", _claim("500"), 0, kinds=(I,), policy=_RANGE),
    Case(
        "other codes are not checked",
        ClaimSpec(
            lines=(LineSpec(code="J7208", ndc=None, units="100", modifiers=("JZ",)),),
            weight=_LB,
        ),
        0,
        kinds=(P,),
        policy=_RANGE,
    ),
]
