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
        "JZ dropped on the JW line",
        ClaimSpec(lines=(LineSpec(ctp_qty="1500", charge="1000", modifiers=("KX",)),)),
        1,
        ClaimSpec(
            lines=(
                LineSpec(charge="1000", modifiers=("KX",)),
                LineSpec(modifiers=("KX", "JW"), units="500", charge="500", ctp_qty="500"),
            )
        ),
        "applied",
    ),
    Case(
        "unit price rounded to the cent",
        ClaimSpec(
            lines=(LineSpec(charge="1000", units="3", ctp_qty="4", modifiers=()),), sbr09="CI"
        ),
        1,
        ClaimSpec(
            lines=(
                LineSpec(charge="1000", units="3", ctp_qty="3"),
                LineSpec(modifiers=("JW",), units="1", charge="333.33", ctp_qty="1"),
            ),
            sbr09="CI",
        ),
        "applied",
    ),
    Case("JW line already there", ClaimSpec(lines=(LineSpec(ctp_qty="1200"), _JW)), 0),
    Case(
        "fractional waste is only suggested",
        ClaimSpec(lines=(LineSpec(ctp_qty="1000.5", modifiers=("JZ",)),)),
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
