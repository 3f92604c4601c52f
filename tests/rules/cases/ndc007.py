"""NDC007 drug-unit-not-payer-preferred."""

from edi_scrub.policy import PayerPolicy
from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case


def _policy(unit: str, precision: int | None = None) -> PayerPolicy:
    return PayerPolicy("t", "Test payer", preferred_ctp_unit=unit, ctp_precision=precision)


def _claim(qty: str = "1000", unit: str = "F2") -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(ctp_qty=qty, ctp_unit=unit, modifiers=("JZ",)),))


CASES = [
    Case("no preferred unit", _claim(qty="1", unit="UN"), 0),
    Case("already the preferred unit", _claim(), 0, policy=_policy("F2")),
    Case(
        "IU to kit count needs the potency: suggestion",
        _claim(),
        1,
        None,
        "suggested",
        policy=_policy("UN"),
    ),
    Case(
        "kit count to IU needs the potency: suggestion",
        _claim(qty="1", unit="UN"),
        1,
        None,
        "suggested",
        policy=_policy("F2"),
    ),
    Case(
        "grams to milligrams: unsafe, offered only",
        _claim(qty="0.5", unit="GR"),
        1,
        None,
        "available",
        policy=_policy("ME"),
    ),
    Case(
        "grams to milligrams with --unsafe-fixes",
        _claim(qty="0.5", unit="GR"),
        1,
        _claim(qty="500", unit="ME"),
        "applied",
        unsafe=True,
        policy=_policy("ME"),
    ),
    Case(
        "milligrams to grams with --unsafe-fixes",
        _claim(qty="1500", unit="ME"),
        1,
        _claim(qty="1.5", unit="GR"),
        "applied",
        unsafe=True,
        policy=_policy("GR"),
    ),
    Case(
        "conversion needing more decimals than allowed: suggestion",
        _claim(qty="1500", unit="ME"),
        1,
        None,
        "suggested",
        unsafe=True,
        policy=_policy("GR", precision=0),
    ),
    Case(
        "milliliters depend on the concentration",
        _claim(qty="5", unit="ML"),
        1,
        None,
        "suggested",
        unsafe=True,
        policy=_policy("ME"),
    ),
    Case("invalid unit is NDC006's", _claim(unit="EA"), 0, policy=_policy("F2")),
    Case("zero quantity is NDC006's", _claim(qty="0", unit="UN"), 0, policy=_policy("F2")),
    Case(
        "no CTP is NDC006's",
        ClaimSpec(lines=(LineSpec(ctp_qty=None, modifiers=("JZ",)),)),
        0,
        policy=_policy("UN"),
    ),
]
