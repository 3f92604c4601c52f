"""AGE001 below-label-age."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case


def _jivi(dob: str, dos: str | None = "20240115", code: str = "J7208") -> ClaimSpec:
    ndc = "00944462401" if code == "J7207" else None
    return ClaimSpec(lines=(LineSpec(code=code, ndc=ndc, dos=dos, modifiers=("JZ",)),), dob=dob)


CASES = [
    Case("adult", _jivi("19800101"), 0),
    Case("child of 8", _jivi("20150601"), 1, None, "none"),
    Case("twelfth birthday on the date of service", _jivi("20120115"), 0),
    Case("day before the twelfth birthday", _jivi("20120116"), 1, None, "none"),
    Case(
        "29 February birthday: not yet 12 on 28 February",
        _jivi("20120229", "20240228"),
        1,
        None,
        "none",
    ),
    Case("29 February birthday: 12 on 29 February", _jivi("20120229", "20240229"), 0),
    Case("no minimum age in maps (Adynovate)", _jivi("20200101", code="J7207"), 0),
    Case("date of service before birth is not an age", _jivi("20250101"), 0),
    Case(
        "each young line reported",
        ClaimSpec(
            lines=(
                LineSpec(code="J7208", ndc=None, units="1000"),
                LineSpec(code="J7208", ndc=None, units="1000", dos="20240120"),
            ),
            dob="20150101",
        ),
        2,
        None,
        "none",
    ),
]
