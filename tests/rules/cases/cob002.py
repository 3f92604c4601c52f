"""COB002 cob-line-unbalanced."""

from tests.builders import ClaimSpec
from tests.rules.case import Case
from tests.rules.cob_claims import adjudication, cob_claim, other_payer

_P1 = "SYNPRI01"
_P2 = "SYNSEC02"
_PAYER = other_payer(_P1, "1500")

CASES = [
    Case("not a COB claim", ClaimSpec(), 0),
    Case("balanced", cob_claim(_PAYER, adjudication(_P1, "1500", "500")), 0),
    Case(
        "balanced, two CAS amounts", cob_claim(_PAYER, adjudication(_P1, "1500", "300", "200")), 0
    ),
    Case("adjustment missing", cob_claim(_PAYER, adjudication(_P1, "1500")), 1, None, "none"),
    Case("paid too much", cob_claim(_PAYER, adjudication(_P1, "1600", "500")), 1, None, "none"),
    Case(
        "line charge changed after adjudication",
        cob_claim(_PAYER, adjudication(_P1, "1500", "500"), charge="2400"),
        1,
    ),
    Case(
        "second line unbalanced",
        cob_claim(_PAYER, adjudication(_P1, "1500", "500"), adjudication(_P1, "1500", "400")),
        1,
    ),
    Case(
        "unbundled: two 2430s of one payer add up",
        cob_claim(_PAYER, adjudication(_P1, "1000", "200") + adjudication(_P1, "500", "300")),
        0,
    ),
    Case(
        "each payer on its own",
        cob_claim(
            _PAYER + other_payer(_P2, "300"),
            adjudication(_P1, "1500", "500") + adjudication(_P2, "300", "1600"),
        ),
        1,
    ),
    Case("line without 2430", cob_claim(_PAYER, ()), 0),
    Case("not a number: not judged", cob_claim(_PAYER, adjudication(_P1, "1,500", "500")), 0),
]
