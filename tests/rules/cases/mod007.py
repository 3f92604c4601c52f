"""MOD007 too-many-modifiers."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case


def _one(*modifiers: str, description: str | None = None) -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(modifiers=modifiers, description=description),))


CASES = [
    Case("no modifiers", _one(), 0),
    Case("pricing first", _one("59", "KX", "JZ"), 0),
    Case("only informational", _one("KX", "GA", "JZ"), 0),
    Case("four modifiers in order", _one("RT", "59", "KX", "JZ"), 0),
    Case("pricing after KX moved forward", _one("KX", "59"), 1, _one("59", "KX"), "applied"),
    Case(
        "stable reorder of four",
        _one("KX", "RT", "JZ", "76"),
        1,
        _one("RT", "76", "KX", "JZ"),
        "applied",
    ),
    Case(
        "description in component 7 stays put",
        _one("JZ", "RT", description="ADYNOVATE"),
        1,
        _one("RT", "JZ", description="ADYNOVATE"),
        "applied",
    ),
    Case(
        "two lines, each reordered",
        ClaimSpec(
            lines=(
                LineSpec(modifiers=("KX", "RT")),
                LineSpec(code="J7208", ndc=None, modifiers=("GA", "59")),
            )
        ),
        2,
        ClaimSpec(
            lines=(
                LineSpec(modifiers=("RT", "KX")),
                LineSpec(code="J7208", ndc=None, modifiers=("59", "GA")),
            )
        ),
        "applied",
    ),
    Case(
        "non-drug line is not checked",
        ClaimSpec(
            lines=(
                LineSpec(modifiers=("JZ",)),
                LineSpec(
                    code="99213",
                    ndc=None,
                    charge="50",
                    units="1",
                    revenue="0510",
                    modifiers=("KX", "25"),
                ),
            )
        ),
        0,
    ),
]
