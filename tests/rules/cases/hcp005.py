"""HCP005 drug-line-without-hcpcs."""

from tests.builders import ClaimSpec, I, LineSpec, P
from tests.rules.case import Case


def _claim(code: str = "", revenue: str = "0636", ndc: str | None = "00944462401") -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(code=code, revenue=revenue, ndc=ndc, modifiers=()),))


CASES = [
    Case("0636 with a crosswalk NDC and no code", _claim(), 1, None, "suggested", kinds=(I,)),
    Case("label form of the NDC", _claim(ndc="0944-4624-01"), 1, None, "suggested", kinds=(I,)),
    Case("the line has its code", _claim("J7207"), 0, kinds=(I,)),
    Case("another revenue code", _claim(revenue="0250"), 0, kinds=(I,)),
    Case("no NDC", _claim(ndc=None), 0, kinds=(I,)),
    Case("NDC not in maps/", _claim(ndc="99999999999"), 0, kinds=(I,)),
    Case("bare 10-digit NDC is ambiguous", _claim(ndc="0944462401"), 0, kinds=(I,)),
    Case("the 837P is never checked", _claim(), 0, kinds=(P,)),
]
