"""MOD006 conflicting-abn-modifiers."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_VISIT = LineSpec(code="99213", ndc=None, charge="50", units="1", revenue="0510")


def _one(*modifiers: str) -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(modifiers=("JZ", *modifiers)),))


CASES = [
    Case("GA alone", _one("GA"), 0),
    Case("GZ with KX", _one("KX", "GZ"), 0),
    Case("GA and GZ", _one("GA", "GZ"), 1, None, "none"),
    Case("GA, GY and GZ: one finding", _one("GA", "GY", "GZ"), 1, None, "none"),
    Case(
        "GY and GZ on a non-drug line",
        ClaimSpec(
            lines=(
                LineSpec(modifiers=("JZ",)),
                LineSpec(
                    code="99213",
                    ndc=None,
                    charge="50",
                    units="1",
                    revenue="0510",
                    modifiers=("GY", "GZ"),
                ),
            )
        ),
        1,
        None,
        "none",
    ),
    Case(
        "each offending line reported",
        ClaimSpec(
            lines=(
                LineSpec(modifiers=("JZ", "GA", "GY")),
                LineSpec(
                    code="99213",
                    ndc=None,
                    charge="50",
                    units="1",
                    revenue="0510",
                    modifiers=("GA", "GZ"),
                ),
            )
        ),
        2,
        None,
        "none",
    ),
    Case(
        "non-drug line with one of them", ClaimSpec(lines=(LineSpec(modifiers=("JZ",)), _VISIT)), 0
    ),
]
