"""NDC006 bad-drug-quantity."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case


def _claim(
    qty: str | None = "1000", unit: str = "F2", code: str = "J7207", ndc: str | None = "00944462401"
) -> ClaimSpec:
    return ClaimSpec(
        lines=(LineSpec(code=code, ndc=ndc, ctp_qty=qty, ctp_unit=unit, modifiers=("JZ",)),)
    )


CASES = [
    Case("IU", _claim(), 0),
    Case("kit count", _claim("1", "UN"), 0),
    Case("milliliters", _claim("2.5", "ML"), 0),
    Case("milligrams", _claim("0.5", "ME"), 0),
    Case("grams", _claim("1", "GR"), 0),
    Case("LIN without CTP", _claim(None), 1, None, "none"),
    Case("zero quantity", _claim("0"), 1, None, "none"),
    Case("negative quantity", _claim("-1"), 1, None, "none"),
    Case("quantity not a number", _claim("ABC"), 1, None, "none"),
    Case("unit not in the list", _claim("2", "EA"), 1, None, "none"),
    Case("no LIN at all is NDC001's", _claim(ndc=None), 0),
    Case("non-drug line", _claim(None, code="99213"), 0),
]
