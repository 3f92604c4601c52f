"""CLM002 line-charge-invalid."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_VISIT = LineSpec(code="99213", ndc=None, charge="50", units="1", revenue="0510")


def _drug(charge: str, clm02: str | None = None) -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(charge=charge, modifiers=("JZ",)), _VISIT), clm02=clm02)


def _visit(charge: str, clm02: str | None = None) -> ClaimSpec:
    return ClaimSpec(
        lines=(
            LineSpec(modifiers=("JZ",)),
            LineSpec(code="99213", ndc=None, charge=charge, units="1", revenue="0510"),
        ),
        clm02=clm02,
    )


CASES = [
    Case("valid charges", _drug("2000"), 0),
    Case("cents", _drug("2000.25"), 0),
    Case("zero on a drug line", _drug("0"), 1, None, "none"),
    Case("zero written with decimals", _drug("0.00"), 1, None, "none"),
    Case("zero on a non-drug line is allowed", _visit("0"), 0),
    Case("negative on a non-drug line", _visit("-50"), 1, None, "none"),
    Case("negative on a drug line", _drug("-2000"), 1, None, "none"),
    Case("missing", _drug(""), 1, None, "none"),
    Case("not a number", _drug("2,000", clm02="2050"), 1, None, "none"),
    Case(
        "every bad line reported",
        ClaimSpec(
            lines=(
                LineSpec(charge="0", modifiers=("JZ",)),
                LineSpec(code="99213", ndc=None, charge="-5", units="1", revenue="0510"),
            )
        ),
        2,
        None,
        "none",
    ),
]
