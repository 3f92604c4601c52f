"""MOD003 jz-beside-jw-line."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_JW = LineSpec(modifiers=("JW",), units="200", charge="400", ctp_qty="200")


def _pair(admin: tuple[str, ...], jw: LineSpec = _JW) -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(modifiers=admin), jw))


CASES = [
    Case("administered line without JZ", _pair(()), 0),
    Case("JZ alone, no JW line", ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),)), 0),
    # JZ is the provider's attestation: never removed by edi-scrub, only suggested (issue 7).
    Case("JZ beside a JW line is kept, removal suggested", _pair(("JZ",)), 1, None, "suggested"),
    Case("other modifiers untouched", _pair(("59", "JZ", "KX")), 1, None, "suggested"),
    Case(
        "description in component 7 untouched",
        ClaimSpec(lines=(LineSpec(modifiers=("JZ", "KX"), description="ADYNOVATE"), _JW)),
        1,
        None,
        "suggested",
    ),
    Case(
        "JW line without a date takes the claim's date",
        _pair(
            ("JZ",),
            LineSpec(modifiers=("JW",), units="200", charge="400", ctp_qty="200", dos=None),
        ),
        1,
        None,
        "suggested",
        kinds=("837P",),
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
        None,
        "suggested",
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
