"""UNT007 billed-exceeds-dispensed."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

CASES = [
    Case("billed equals dispensed", ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),)), 0),
    Case(
        "JZ line bills more IU than dispensed",
        ClaimSpec(
            lines=(LineSpec(modifiers=("JZ",), units="1200", charge="2400", ctp_qty="1000"),)
        ),
        1,
        None,
        "none",
    ),
    Case(
        "JW line bills more than its CTP",
        ClaimSpec(
            lines=(
                LineSpec(),
                LineSpec(modifiers=("JW",), units="300", charge="600", ctp_qty="200"),
            )
        ),
        1,
    ),
    Case(
        "CTP in UN is not compared",
        ClaimSpec(lines=(LineSpec(modifiers=("JZ",), ctp_qty="1", ctp_unit="UN"),)),
        0,
    ),
    Case("dispensed more than billed is MOD004's", ClaimSpec(lines=(LineSpec(ctp_qty="1200"),)), 0),
]
