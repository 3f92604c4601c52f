"""MOD001 missing-jw-jz."""

from datetime import date

from edi_scrub.policy import PayerPolicy
from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

#: Requires JW/JZ like Medicare, but accepts JZ only from a later date (a Medicaid plan).
_LATE_JZ = PayerPolicy(
    "t",
    "Test Medicaid",
    jz_required_from=date(2023, 7, 1),
    jz_accepted_from=date(2025, 5, 1),
)
_REQUIRES = PayerPolicy("t", "Test payer", jz_required_from=date(2024, 1, 1))

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
    Case(
        "JZ not accepted yet: only suggested",
        ClaimSpec(),
        1,
        None,
        "suggested",
        policy=_LATE_JZ,
    ),
    Case(
        "JZ accepted from its start date: added",
        ClaimSpec(lines=(LineSpec(dos="20250501"),)),
        1,
        ClaimSpec(lines=(LineSpec(dos="20250501", modifiers=("JZ",)),)),
        "applied",
        policy=_LATE_JZ,
    ),
    Case(
        "payer's own requirement date: before",
        ClaimSpec(lines=(LineSpec(dos="20231231"),)),
        0,
        policy=_REQUIRES,
    ),
    Case(
        "payer's own requirement date: from",
        ClaimSpec(lines=(LineSpec(dos="20240101"),)),
        1,
        ClaimSpec(lines=(LineSpec(dos="20240101", modifiers=("JZ",)),)),
        "applied",
        policy=_REQUIRES,
    ),
    Case("payer without a requirement", ClaimSpec(), 0, policy=PayerPolicy("t", "Test payer")),
]
