"""DOS001 missing-service-date."""

from tests.builders import ClaimSpec, I, LineSpec, P
from tests.rules.case import Case

_VISIT = LineSpec(code="99213", ndc=None, charge="50", units="1", revenue="0510")
_NO_DATE = ClaimSpec(lines=(LineSpec(dos=None, modifiers=("JZ",)),))

CASES = [
    Case("date present", ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),)), 0),
    Case(
        "span present",
        ClaimSpec(
            lines=(LineSpec(dos="20240115-20240116", dos_qualifier="RD8", modifiers=("JZ",)),)
        ),
        0,
    ),
    Case("837P drug line without DTP*472", _NO_DATE, 1, None, "none", kinds=(P,)),
    Case("837I: DTP*472 is situational", _NO_DATE, 0, kinds=(I,)),
    Case(
        "each undated drug line reported",
        ClaimSpec(
            lines=(
                LineSpec(dos=None, modifiers=("JZ",)),
                LineSpec(code="J7208", ndc=None, dos=None),
            )
        ),
        2,
        None,
        "none",
        kinds=(P,),
    ),
    Case(
        "non-drug line is not checked",
        ClaimSpec(
            lines=(
                LineSpec(modifiers=("JZ",)),
                LineSpec(code="99213", ndc=None, charge="50", units="1", revenue="0510", dos=None),
            )
        ),
        0,
    ),
]
