"""FIX001 void-left-unchanged."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

CASES = [
    Case("original claim", ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),)), 0),
    Case(
        "replacement claim is fixed as usual",
        ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),), frequency="7", original_ref="SYNORIG01"),
        0,
    ),
    Case(
        "void is noted and left byte for byte",
        ClaimSpec(
            lines=(LineSpec(ctp_qty="1200"),),
            frequency="8",
            original_ref="SYNORIG01",
            clm02="9999",
        ),
        1,
        None,
        "none",
    ),
]
