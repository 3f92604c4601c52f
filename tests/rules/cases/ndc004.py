"""NDC004 ndc-not-in-crosswalk."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case


def _claim(ndc: str | None, code: str = "J7207") -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(code=code, ndc=ndc, modifiers=("JZ",)),))


CASES = [
    Case("known kit", _claim("00944462401"), 0),
    Case("unknown NDC", _claim("12345678901"), 1, None, "none"),
    Case("unknown hyphenated NDC", _claim("12345-6789-01"), 1, None, "none"),
    Case("known hyphenated NDC", _claim("0944-4624-01"), 0),
    Case("unassigned NDC (Advate) is not confirmed for the code", _claim("00944305302"), 1),
    Case("code whose NDCs maps/ lacks", _claim("12345678901", "J7208"), 1),
    Case("unlisted code with an unknown NDC", _claim("12345678901", "J7199"), 1),
    Case("NDC of another code is HCP001's", _claim("71104080901"), 0),
    Case("inner vial is NDC005's", _claim("00944425701"), 0),
    Case("bare 10-digit NDC is NDC003's", _claim("1234567890"), 0),
    Case("garbage is NDC003's", _claim("12AB"), 0),
    Case("no NDC", _claim(None), 0),
    Case("non-drug line", _claim("12345678901", "99213"), 0),
]
