"""CLM001 claim-total-mismatch."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_LINES = (
    LineSpec(modifiers=("JZ",)),
    LineSpec(code="99213", ndc=None, charge="50.25", units="1", revenue="0510"),
)

CASES = [
    Case("balanced", ClaimSpec(lines=_LINES), 0),
    Case("balanced with trailing zeros", ClaimSpec(lines=_LINES, clm02="2050.250"), 0),
    Case("too high", ClaimSpec(lines=_LINES, clm02="2100"), 1, ClaimSpec(lines=_LINES), "applied"),
    Case("empty", ClaimSpec(lines=_LINES, clm02="0"), 1, ClaimSpec(lines=_LINES), "applied"),
]
