"""COB001 cob-claim-unbalanced."""

from tests.builders import ClaimSpec
from tests.rules.case import Case
from tests.rules.cob_claims import adjudication, cob_claim, other_payer

_P1 = "SYNPRI01"
_P2 = "SYNSEC02"

CASES = [
    Case("not a COB claim", ClaimSpec(), 0),
    Case("balanced", cob_claim(other_payer(_P1, "1500"), adjudication(_P1, "1500", "500")), 0),
    Case(
        "balanced with claim-level adjustment",
        cob_claim(other_payer(_P1, "1400", "100"), adjudication(_P1, "1500", "500")),
        0,
    ),
    Case(
        "paid amount off",
        cob_claim(other_payer(_P1, "1400"), adjudication(_P1, "1500", "500")),
        1,
        None,
        "none",
    ),
    Case(
        "CLM02 off",
        cob_claim(other_payer(_P1, "1500"), adjudication(_P1, "1500", "500"), clm02="2100"),
        1,
    ),
    Case(
        "claim-level adjustment counted twice",
        cob_claim(other_payer(_P1, "1500", "500"), adjudication(_P1, "1500", "500")),
        1,
    ),
    Case("no AMT*D", cob_claim(other_payer(_P1, None), adjudication(_P1, "1500", "500")), 1),
    # Claim-level adjudication balances too: CLM02 = AMT*D + 2320 CAS (TR3 1.4.1, RFI 1115).
    Case("claim-level adjudication only: judged", cob_claim(other_payer(_P1, "900"), ()), 1),
    Case(
        "two lines balanced",
        cob_claim(
            other_payer(_P1, "2800"),
            adjudication(_P1, "1500", "500"),
            adjudication(_P1, "1300", "700"),
        ),
        0,
    ),
    Case(
        "two payers, each balanced on its own",
        cob_claim(
            other_payer(_P1, "1500") + other_payer(_P2, "300"),
            adjudication(_P1, "1500", "500") + adjudication(_P2, "300", "1700"),
        ),
        0,
    ),
    Case(
        "two payers, the second unbalanced",
        cob_claim(
            other_payer(_P1, "1500") + other_payer(_P2, "200"),
            adjudication(_P1, "1500", "500") + adjudication(_P2, "300", "1700"),
        ),
        1,
    ),
    Case(
        "not a number: not judged",
        cob_claim(other_payer(_P1, "15X0"), adjudication(_P1, "1500", "500")),
        0,
    ),
]
