"""FRQ002 original-claim-with-payer-claim-number."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_LINES = (LineSpec(modifiers=("JZ",)),)
_F8 = (("F8", "SYNICN0001"),)

CASES = [
    Case("original without REF*F8", ClaimSpec(lines=_LINES), 0),
    Case("original with REF*F8", ClaimSpec(lines=_LINES, refs=_F8), 1, None, "none"),
    Case("replacement with REF*F8", ClaimSpec(lines=_LINES, frequency="7", refs=_F8), 0),
    Case("other claim-level REF only", ClaimSpec(lines=_LINES, refs=(("EA", "SYNMR1"),)), 0),
]
