"""NDC002 ndc-qualifier-not-n4."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case


def _claim(qualifier: str, ndc: str = "00944462401", code: str = "J7207") -> ClaimSpec:
    return ClaimSpec(
        lines=(LineSpec(code=code, lin_qualifier=qualifier, ndc=ndc, modifiers=("JZ",)),)
    )


CASES = [
    Case("N4", _claim("N4"), 0),
    Case("UPC qualifier on a clean NDC", _claim("UP"), 1, _claim("N4"), "applied"),
    Case("lower-case n4", _claim("n4"), 1, _claim("N4"), "applied"),
    Case("empty qualifier", _claim(""), 1, _claim("N4"), "applied"),
    Case("hyphenated NDC: no fix", _claim("UP", "0944-4624-01"), 1, None, "none"),
    Case("bare 10-digit NDC: no fix", _claim("EN", "0944462401"), 1, None, "none"),
    Case("non-drug line", _claim("UP", code="99213"), 0),
]
