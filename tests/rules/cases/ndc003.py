"""NDC003 ndc-not-11-digits."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case


def _claim(ndc: str) -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(ndc=ndc, modifiers=("JZ",)),))


CASES = [
    Case("clean 11-digit", _claim("00944462401"), 0),
    Case("hyphenated 4-4-2 padded", _claim("0944-4624-01"), 1, _claim("00944462401"), "applied"),
    Case("hyphenated 5-4-2 stripped", _claim("00944-4624-01"), 1, _claim("00944462401"), "applied"),
    Case("hyphenated 5-3-2 padded", _claim("00944-462-01"), 1, _claim("00944046201"), "applied"),
    Case("hyphenated 5-4-1 padded", _claim("00944-4624-1"), 1, _claim("00944462401"), "applied"),
    Case("spaces stripped", _claim("00944 4624 01"), 1, _claim("00944462401"), "applied"),
    Case("bare 10-digit resolved by maps is unsafe", _claim("0944462401"), 1, None, "available"),
    Case(
        "bare 10-digit fixed with --unsafe-fixes",
        _claim("0944462401"),
        1,
        _claim("00944462401"),
        "applied",
        unsafe=True,
    ),
    Case("bare 10-digit unknown is a suggestion", _claim("1234567890"), 1, None, "suggested"),
    Case("garbage has no fix", _claim("12AB"), 1, None, "none"),
]
