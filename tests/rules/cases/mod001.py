"""MOD001 missing-jw-jz."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

CASES = [
    Case("JZ present", ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),)), 0),
    Case(
        "zero waste proven: JZ added",
        ClaimSpec(),
        1,
        ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),)),
        "applied",
    ),
    Case(
        "after other modifiers JZ takes the next slot",
        ClaimSpec(lines=(LineSpec(modifiers=("KX",)),)),
        1,
        ClaimSpec(lines=(LineSpec(modifiers=("KX", "JZ")),)),
        "applied",
    ),
    Case(
        "kit count in CTP proves nothing",
        ClaimSpec(lines=(LineSpec(ctp_qty="1", ctp_unit="UN"),)),
        1,
        None,
        "suggested",
    ),
    Case("no CTP proves nothing", ClaimSpec(lines=(LineSpec(ctp_qty=None),)), 1, None, "suggested"),
    Case(
        "four modifiers: no slot",
        ClaimSpec(lines=(LineSpec(modifiers=("KX", "GA", "59", "76")),)),
        1,
        None,
        "suggested",
    ),
    Case("not Medicare: not required", ClaimSpec(sbr09="CI"), 0),
    Case("before 2023-07-01: not required", ClaimSpec(lines=(LineSpec(dos="20230630"),)), 0),
    Case(
        "JW sibling exists",
        ClaimSpec(
            lines=(
                LineSpec(),
                LineSpec(modifiers=("JW",), units="200", charge="400", ctp_qty="200"),
            )
        ),
        0,
    ),
    Case("not a single-dose product in maps", ClaimSpec(lines=(LineSpec(code="J7192"),)), 0),
]
