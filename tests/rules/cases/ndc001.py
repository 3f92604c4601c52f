"""NDC001 missing-ndc."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_NON_DRUG = LineSpec(code="99213", ndc=None, charge="50", units="1", revenue="0510")

CASES = [
    Case("NDC present", ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),)), 0),
    Case("Medicare drug line without LIN", ClaimSpec(lines=(LineSpec(ndc=None),)), 1, None, "none"),
    Case(
        "Medicare Part A too", ClaimSpec(lines=(LineSpec(ndc=None),), sbr09="MA"), 1, None, "none"
    ),
    Case("empty LIN03", ClaimSpec(lines=(LineSpec(ndc=""),)), 1, None, "none"),
    Case("one of two drug lines", ClaimSpec(lines=(LineSpec(), LineSpec(ndc=None))), 1),
    Case("payer does not require the NDC", ClaimSpec(lines=(LineSpec(ndc=None),), sbr09="CI"), 0),
    Case("LIN without CTP is NDC006's", ClaimSpec(lines=(LineSpec(ctp_qty=None),)), 0),
    Case("non-drug line", ClaimSpec(lines=(LineSpec(modifiers=("JZ",)), _NON_DRUG)), 0),
]
