"""MOD010 jz-with-waste."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

CASES = [
    Case("JZ with no waste", ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),)), 0),
    Case(
        "JZ but CTP shows 200 IU discarded: error, JZ kept, no JW line",
        ClaimSpec(lines=(LineSpec(modifiers=("JZ",), ctp_qty="1200"),)),
        1,
        None,
        "none",
    ),
    Case(
        "JZ and KX with waste: nothing changes",
        ClaimSpec(lines=(LineSpec(modifiers=("KX", "JZ"), ctp_qty="1200"),)),
        1,
        None,
        "none",
    ),
    Case("waste without JZ is MOD004's", ClaimSpec(lines=(LineSpec(ctp_qty="1200"),)), 0),
    Case(
        "JZ with CTP in UN says nothing about IU",
        ClaimSpec(lines=(LineSpec(modifiers=("JZ",), ctp_qty="2", ctp_unit="UN"),)),
        0,
    ),
]
