"""HCP003 unlisted-code-has-specific-code."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_ADYNOVATE_1000 = "00944462401"
_ELOCTATE = "71104080901"


def _claim(code: str, ndc: str | None, dos: str | None = "20240115") -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(code=code, ndc=ndc, dos=dos, modifiers=("JZ",)),))


CASES = [
    Case(
        "J7199 with an Adynovate NDC: unsafe fix offered",
        _claim("J7199", _ADYNOVATE_1000),
        1,
        None,
        "available",
    ),
    Case(
        "J7199 fixed to J7207 with --unsafe-fixes",
        _claim("J7199", _ADYNOVATE_1000),
        1,
        _claim("J7207", _ADYNOVATE_1000),
        "applied",
        unsafe=True,
    ),
    Case(
        "J7192 (NOS) fixed to J7207",
        _claim("J7192", _ADYNOVATE_1000),
        1,
        _claim("J7207", _ADYNOVATE_1000),
        "applied",
        unsafe=True,
    ),
    Case(
        "hyphenated NDC still resolves",
        _claim("J7199", "0944-4624-01"),
        1,
        _claim("J7207", "0944-4624-01"),
        "applied",
        unsafe=True,
    ),
    Case(
        "on the specific code's first day",
        _claim("J7199", _ADYNOVATE_1000, "20170101"),
        1,
        _claim("J7207", _ADYNOVATE_1000, "20170101"),
        "applied",
        unsafe=True,
    ),
    Case("before the specific code existed", _claim("J7199", _ADYNOVATE_1000, "20161231"), 0),
    Case("inside a year-only start year: not certain", _claim("J7199", _ELOCTATE, "20160601"), 0),
    Case(
        "after a year-only start year",
        _claim("J7199", _ELOCTATE, "20170601"),
        1,
        _claim("J7205", _ELOCTATE, "20170601"),
        "applied",
        unsafe=True,
    ),
    Case("unassigned NDC (Advate)", _claim("J7199", "00944305302"), 0),
    Case("unknown NDC", _claim("J7199", "12345678901"), 0),
    # The 837P requires a line date (DOS001); the 837I line takes the statement period's.
    Case("no date of service", _claim("J7199", _ADYNOVATE_1000, None), 0, kinds=("837P",)),
    Case(
        "837I line without DTP*472 is dated by the statement period",
        _claim("J7199", _ADYNOVATE_1000, None),
        1,
        None,
        "available",
        kinds=("837I",),
    ),
    Case("specific code billed is HCP001's", _claim("J7205", _ADYNOVATE_1000), 0),
    Case("no NDC", _claim("J7199", None), 0),
]
