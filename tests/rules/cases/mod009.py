"""MOD009 waste-not-accounted-for."""

from dataclasses import replace

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_JW = LineSpec(modifiers=("JW",), units="200", charge="400", ctp_qty="200")

CASES = [
    Case("JW line bills exactly the waste", ClaimSpec(lines=(LineSpec(ctp_qty="1200"), _JW)), 0),
    Case(
        "JW line bills only part of the waste",
        ClaimSpec(lines=(LineSpec(ctp_qty="1200"), replace(_JW, units="100", charge="200"))),
        1,
        None,
        "none",
    ),
    Case(
        "JW line bills more than the waste",
        ClaimSpec(lines=(LineSpec(ctp_qty="1100"), _JW)),
        1,
    ),
    Case("no waste on the administered line", ClaimSpec(lines=(LineSpec(), _JW)), 0),
    Case("no JW line is MOD004's", ClaimSpec(lines=(LineSpec(ctp_qty="1200"),)), 0),
    Case(
        "JW line on another date is another drug",
        ClaimSpec(lines=(LineSpec(ctp_qty="1200"), replace(_JW, units="100", dos="20240116"))),
        0,
    ),
]
