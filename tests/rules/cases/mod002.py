"""MOD002 jw-and-jz-together."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_ADMIN = LineSpec()
_JW = LineSpec(modifiers=("JW",), units="200", charge="400", ctp_qty="200")


def _one(*modifiers: str, code: str = "J7207") -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(code=code, modifiers=modifiers),))


CASES = [
    Case("JZ alone", _one("JZ"), 0),
    Case("JW line beside the administered line", ClaimSpec(lines=(_ADMIN, _JW)), 0),
    Case("JW and JZ together", _one("JW", "JZ"), 1, None, "none"),
    Case("JZ then JW after another modifier", _one("KX", "JZ", "JW"), 1, None, "none"),
    Case(
        "each offending line reported",
        ClaimSpec(
            lines=(
                LineSpec(modifiers=("JZ", "JW")),
                LineSpec(modifiers=("JW", "JZ"), units="200", charge="400", ctp_qty="200"),
            )
        ),
        2,
        None,
        "none",
    ),
    Case(
        "not a drug line",
        ClaimSpec(
            lines=(
                LineSpec(modifiers=("JZ",)),
                LineSpec(
                    code="99213",
                    modifiers=("JW", "JZ"),
                    ndc=None,
                    charge="50",
                    units="1",
                    revenue="0510",
                ),
            )
        ),
        0,
    ),
]
