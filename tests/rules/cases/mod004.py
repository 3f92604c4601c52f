"""MOD004 waste-not-billed-as-jw."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

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
]
