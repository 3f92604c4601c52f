"""MOD003 jz-beside-jw-line."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_JW = LineSpec(modifiers=("JW",), units="200", charge="400", ctp_qty="200")


def _pair(admin: tuple[str, ...], jw: LineSpec = _JW) -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(modifiers=admin), jw))


CASES = [
    Case("administered line without JZ", _pair(()), 0),
    Case("JZ alone, no JW line", ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),)), 0),
    Case("JZ removed beside a JW line", _pair(("JZ",)), 1, _pair(()), "applied"),
    Case(
        "later modifiers shift left", _pair(("59", "JZ", "KX")), 1, _pair(("59", "KX")), "applied"
    ),
    Case("JZ first, the rest shift left", _pair(("JZ", "KX")), 1, _pair(("KX",)), "applied"),
    Case(
        "description in component 7 stays put",
        ClaimSpec(lines=(LineSpec(modifiers=("JZ", "KX"), description="ADYNOVATE"), _JW)),
        1,
        ClaimSpec(lines=(LineSpec(modifiers=("KX",), description="ADYNOVATE"), _JW)),
        "applied",
    ),
    Case(
        "hyphenated NDC on the JW line is the same drug",
        _pair(
            ("JZ",),
            LineSpec(
                modifiers=("JW",), units="200", charge="400", ctp_qty="200", ndc="0944-4624-01"
            ),
        ),
        1,
        _pair(
            (),
            LineSpec(
                modifiers=("JW",), units="200", charge="400", ctp_qty="200", ndc="0944-4624-01"
            ),
        ),
        "applied",
    ),
    Case(
        "JW line on another date",
        _pair(
            ("JZ",),
            LineSpec(modifiers=("JW",), units="200", charge="400", ctp_qty="200", dos="20240116"),
        ),
        0,
    ),
    Case(
        "JW line for another NDC",
        _pair(
            ("JZ",),
            LineSpec(
                modifiers=("JW",), units="200", charge="400", ctp_qty="200", ndc="00944462501"
            ),
        ),
        0,
    ),
    Case(
        "JW line for another code",
        _pair(
            ("JZ",),
            LineSpec(code="J7192", modifiers=("JW",), units="200", charge="400", ctp_qty="200"),
        ),
        0,
    ),
    Case("JW and JZ on one line is MOD002's", _pair(("JW", "JZ")), 0),
]
