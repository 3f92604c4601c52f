"""HCP002 code-not-valid-on-date."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case


def _claim(code: str, dos: str | None, ndc: str | None = None) -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(code=code, dos=dos, ndc=ndc, modifiers=("JZ",)),))


CASES = [
    Case("J7207 on its first day", _claim("J7207", "20170101"), 0),
    Case("J7207 before 2017-01-01", _claim("J7207", "20161231"), 1, None, "none"),
    Case("J7208 before 2019 (year-only start)", _claim("J7208", "20181231"), 1, None, "none"),
    Case("J7208 inside its start year is not judged", _claim("J7208", "20190115"), 0),
    Case("J7208 after its start year", _claim("J7208", "20240115"), 0),
    Case("code without a start in maps", _claim("J7204", "20000101"), 0),
    Case("no date of service is DOS001's", _claim("J7207", None), 0),
    Case(
        "non-drug line",
        ClaimSpec(
            lines=(LineSpec(code="99213", ndc=None, units="1", revenue="0510", dos="20000101"),)
        ),
        0,
    ),
]
