"""UNT001 unit-basis-not-un."""

from tests.builders import ClaimSpec, I, LineSpec, P
from tests.rules.case import Case


def _claim(basis: str, code: str = "J7207") -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(code=code, basis=basis, modifiers=("JZ",)),))


CASES = [
    Case("UN", _claim("UN"), 0),
    Case("minutes on the 837P", _claim("MJ"), 1, _claim("UN"), "applied", kinds=(P,)),
    Case("days on the 837I", _claim("DA"), 1, _claim("UN"), "applied", kinds=(I,)),
    Case("empty basis", _claim(""), 1, _claim("UN"), "applied"),
    Case("IU on a per-IU code", _claim("F2"), 1, _claim("UN"), "applied"),
    Case("IU on a code without a billing unit", _claim("F2", "J7195"), 1, None, "suggested"),
    Case("milliliters need a conversion", _claim("ML"), 1, None, "suggested"),
    Case(
        "minutes with no CTP in IU to show what the quantity counts",
        ClaimSpec(lines=(LineSpec(basis="MJ", units="2", ndc=None, modifiers=("JZ",)),)),
        1,
        None,
        "suggested",
    ),
    Case(
        "days whose CTP is in another unit",
        ClaimSpec(lines=(LineSpec(basis="DA", ctp_unit="UN", ctp_qty="1", modifiers=("JZ",)),)),
        1,
        None,
        "suggested",
    ),
    Case(
        "non-drug line",
        ClaimSpec(
            lines=(LineSpec(code="99213", ndc=None, basis="MJ", units="30", revenue="0510"),)
        ),
        0,
        kinds=(P,),
    ),
]
