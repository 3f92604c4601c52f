"""MOD004 waste-not-billed-as-jw."""

from dataclasses import replace
from datetime import date

from edi_scrub.policy import JwPolicy, PayerPolicy
from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_DENIES = PayerPolicy("t", "Test Medicaid", jw=JwPolicy.DENIED)
_DENIES_FROM = PayerPolicy("t", "Test Medicaid", jw=JwPolicy.DENIED, jw_from=date(2021, 5, 1))


def _on(dos: str, *lines: LineSpec) -> ClaimSpec:
    return ClaimSpec(lines=tuple(replace(line, dos=dos) for line in lines))


_WASTE = LineSpec(ctp_qty="1200", control="LINE1", prior_auth="PA123")
_ADMIN = LineSpec(control="LINE1", prior_auth="PA123")
_JW = LineSpec(
    modifiers=("JW",),
    units="200",
    charge="400",
    ctp_qty="200",
    control="LINE1JW",
    prior_auth="PA123",
)

CASES = [
    Case("no waste", ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),)), 0),
    Case(
        "waste split onto a JW line",
        ClaimSpec(lines=(_WASTE,)),
        1,
        ClaimSpec(lines=(_ADMIN, _JW)),
        "applied",
    ),
    Case(
        "KX kept on both lines, JW added on the copy",
        ClaimSpec(lines=(LineSpec(ctp_qty="1200", modifiers=("KX",)),)),
        1,
        ClaimSpec(
            lines=(
                LineSpec(modifiers=("KX",)),
                LineSpec(modifiers=("KX", "JW"), units="200", charge="400", ctp_qty="200"),
            )
        ),
        "applied",
    ),
    Case(
        "JZ line with waste is MOD010's, never split",
        ClaimSpec(lines=(LineSpec(ctp_qty="1200", modifiers=("JZ",)),)),
        0,
    ),
    Case(
        "waste times unit price not whole cents: suggested",
        ClaimSpec(lines=(LineSpec(charge="1999.99", ctp_qty="1200"),)),
        1,
        None,
        "suggested",
    ),
    Case(
        "units are a vial count: suggested (UNT003)",
        ClaimSpec(lines=(LineSpec(charge="4000.00", units="2", ctp_qty="2000"),)),
        1,
        None,
        "suggested",
    ),
    Case(
        "units are IU/100: suggested",
        ClaimSpec(lines=(LineSpec(charge="2000", units="10", ctp_qty="1000"),)),
        1,
        None,
        "suggested",
    ),
    Case(
        "CTP typo far over one container: suggested",
        ClaimSpec(lines=(LineSpec(charge="2000", units="1000", ctp_qty="12000"),)),
        1,
        None,
        "suggested",
    ),
    Case(
        "CTP no whole number of vials can make: suggested",
        ClaimSpec(lines=(LineSpec(charge="2000", units="1000", ctp_qty="1500"),)),
        1,
        None,
        "suggested",
    ),
    Case(
        "NDC without a known potency range: suggested",
        ClaimSpec(lines=(LineSpec(ndc="99999080101", ctp_qty="1200"),)),
        1,
        None,
        "suggested",
    ),
    Case(
        "existing JW line without a date: no second JW line",
        ClaimSpec(lines=(LineSpec(ctp_qty="1200"), replace(_JW, dos=None))),
        0,
        kinds=("837P",),
    ),
    Case(
        "existing JW line with a bare 10-digit NDC: no second JW line",
        ClaimSpec(lines=(LineSpec(ctp_qty="1200"), replace(_JW, ndc="0944462401"))),
        0,
    ),
    Case(
        "existing JW line with the inner vial's NDC: no second JW line",
        ClaimSpec(
            lines=(
                LineSpec(ndc="00944462501", ctp_qty="2200", units="2000", charge="4000"),
                replace(_JW, ndc="00944425701"),
            )
        ),
        0,
    ),
    Case(
        "existing JW line with a one-day RD8 date: no second JW line",
        ClaimSpec(
            lines=(
                LineSpec(ctp_qty="1200"),
                replace(_JW, dos_qualifier="RD8", dos="20240115-20240115"),
            )
        ),
        0,
    ),
    Case(
        "SV207 non-covered charge: suggested",
        ClaimSpec(lines=(LineSpec(ctp_qty="1200", non_covered="100"),)),
        1,
        None,
        "suggested",
        kinds=("837I",),
    ),
    Case(
        "fractional waste is only suggested",
        ClaimSpec(lines=(LineSpec(ctp_qty="1000.5"),)),
        1,
        None,
        "suggested",
    ),
    Case(
        "CTP in UN says nothing about IU",
        ClaimSpec(lines=(LineSpec(ctp_qty="2", ctp_unit="UN", modifiers=("JZ",)),)),
        0,
    ),
    Case(
        "product not known single-dose: suggestion",
        ClaimSpec(lines=(LineSpec(code="J7192", ctp_qty="1200"),)),
        1,
        None,
        "suggested",
    ),
    Case("payer denies JW: no finding", ClaimSpec(lines=(_WASTE,)), 0, policy=_DENIES),
    Case(
        "JW denied from 2021-05-01: the day before still splits",
        _on("20210430", _WASTE),
        1,
        _on("20210430", _ADMIN, _JW),
        "applied",
        policy=_DENIES_FROM,
    ),
    Case(
        "JW denied from 2021-05-01: on that day no finding",
        _on("20210501", _WASTE),
        0,
        policy=_DENIES_FROM,
    ),
    Case(
        "payer allowing JW: split",
        ClaimSpec(lines=(_WASTE,)),
        1,
        ClaimSpec(lines=(_ADMIN, _JW)),
        "applied",
        policy=PayerPolicy("t", "Test payer", jw=JwPolicy.ALLOWED),
    ),
]
