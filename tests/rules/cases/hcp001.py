"""HCP001 ndc-belongs-to-other-code."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_ELOCTATE = "71104080901"
_ADYNOVATE_1000 = "00944462401"


def _claim(code: str, ndc: str | None, dos: str | None = "20240115") -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(code=code, ndc=ndc, dos=dos, modifiers=("JZ",)),))


CASES = [
    Case("NDC matches the code", _claim("J7207", _ADYNOVATE_1000), 0),
    Case(
        "Eloctate NDC on J7207: unsafe fix offered",
        _claim("J7207", _ELOCTATE),
        1,
        None,
        "available",
    ),
    Case(
        "Eloctate NDC on J7207 fixed to J7205 with --unsafe-fixes",
        _claim("J7207", _ELOCTATE),
        1,
        _claim("J7205", _ELOCTATE),
        "applied",
        unsafe=True,
    ),
    Case(
        "Adynovate NDC on J7208 fixed to J7207",
        _claim("J7208", _ADYNOVATE_1000),
        1,
        _claim("J7207", _ADYNOVATE_1000),
        "applied",
        unsafe=True,
    ),
    Case(
        "hyphenated NDC still resolves; only the code changes",
        _claim("J7207", "71104-0809-01"),
        1,
        _claim("J7205", "71104-0809-01"),
        "applied",
        unsafe=True,
    ),
    Case(
        "inner vial counts as its product",
        _claim("J7208", "00944425701"),
        1,
        _claim("J7207", "00944425701"),
        "applied",
        unsafe=True,
    ),
    Case(
        "map's code not valid on the date: suggestion only",
        _claim("J7207", _ELOCTATE, dos="20150601"),
        1,
        None,
        "suggested",
        unsafe=True,
    ),
    Case("unassigned NDC (Advate) never fires", _claim("J7207", "00944305302"), 0),
    Case("unknown NDC is NDC004's", _claim("J7207", "12345678901"), 0),
    Case("unlisted code is HCP003's", _claim("J7199", _ELOCTATE), 0),
    Case("no NDC", _claim("J7207", None), 0),
    Case("bare 10-digit NDC is NDC003's", _claim("J7207", "7110480901"), 0),
    Case(
        "non-drug line with a mapped NDC",
        ClaimSpec(lines=(LineSpec(code="99213", ndc=_ELOCTATE, units="1", revenue="0510"),)),
        0,
    ),
]
