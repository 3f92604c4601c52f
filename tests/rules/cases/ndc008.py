"""NDC008 drug-quantity-precision."""

from edi_scrub.policy import PayerPolicy
from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case


def _policy(precision: int) -> PayerPolicy:
    return PayerPolicy("t", "Test payer", ctp_precision=precision)


def _claim(qty: str, unit: str = "F2") -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(ctp_qty=qty, ctp_unit=unit, modifiers=("JZ",)),))


CASES = [
    Case("no precision set", _claim("1000.12345"), 0),
    Case("within the precision", _claim("1.23", "UN"), 0, policy=_policy(2)),
    Case(
        "rounded half up to 2 places",
        _claim("1.2345", "UN"),
        1,
        _claim("1.23", "UN"),
        "applied",
        policy=_policy(2),
    ),
    Case(
        "half rounds up",
        _claim("1000.5"),
        1,
        _claim("1001"),
        "applied",
        policy=_policy(0),
    ),
    Case(
        "needless zeros are dropped",
        _claim("1000.50"),
        1,
        _claim("1000.5"),
        "applied",
        policy=_policy(1),
    ),
    Case(
        "a written zero decimal counts",
        _claim("1000.0"),
        1,
        _claim("1000"),
        "applied",
        policy=_policy(0),
    ),
    Case(
        "rounding to zero is only suggested",
        _claim("0.004", "UN"),
        1,
        None,
        "suggested",
        policy=_policy(2),
    ),
    Case("not a number is NDC006's", _claim("ABC"), 0, policy=_policy(0)),
]
