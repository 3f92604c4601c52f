"""FRQ001 corrected-claim-without-payer-claim-number."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_LINES = (LineSpec(modifiers=("JZ",)),)
_F8 = (("F8", "SYNICN0001"),)
#: A 2320/2330B pair whose other-payer REF*F8 must not count as the claim's own.
_OTHER_PAYER = (
    ("SBR", "S", "18", "", "", "", "", "", "", "CI"),
    ("OI", "", "", "Y", "", "", "Y"),
    ("NM1", "IL", "1", "DOE", "JANE", "", "", "", "MI", "SYN000000002"),
    ("NM1", "PR", "2", "OTHER PAYER", "", "", "", "", "PI", "SYNOTH01"),
    ("REF", "F8", "SYNOTHERICN"),
)

CASES = [
    Case("original", ClaimSpec(lines=_LINES), 0),
    Case("replacement with REF*F8", ClaimSpec(lines=_LINES, frequency="7", refs=_F8), 0),
    Case("void with REF*F8", ClaimSpec(lines=_LINES, frequency="8", refs=_F8), 0),
    Case("replacement without", ClaimSpec(lines=_LINES, frequency="7"), 1, None, "none"),
    Case("void without", ClaimSpec(lines=_LINES, frequency="8"), 1, None, "none"),
    Case("empty REF*F8", ClaimSpec(lines=_LINES, frequency="7", refs=(("F8", ""),)), 1),
    Case(
        "only another payer's REF*F8",
        ClaimSpec(lines=_LINES, frequency="7", loops=_OTHER_PAYER),
        1,
    ),
]
