"""UNT003 units-look-like-vials."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_KIT_1000 = "00944462401"  # 801-1250 IU per vial


def _claim(units: str, ndc: str | None = _KIT_1000, code: str = "J7207") -> ClaimSpec:
    return ClaimSpec(
        lines=(
            LineSpec(
                code=code,
                ndc=ndc,
                units=units,
                charge="2000",
                ctp_qty="1",
                ctp_unit="UN",
                modifiers=("JZ",),
            ),
        )
    )


CASES = [
    Case("IU of one vial", _claim("1000"), 0),
    Case("at the potency minimum", _claim("801"), 0),
    Case("vial count", _claim("2"), 1, None, "none"),
    Case("IU / 100", _claim("10"), 1, None, "none"),
    Case("just below the minimum", _claim("800"), 1, None, "none"),
    Case("inner vial judged by its kit's range", _claim("1000", "00944425701"), 1, None, "none"),
    Case(
        "administered line and its JW line together fill a vial",
        ClaimSpec(
            lines=(
                LineSpec(units="700", ctp_qty="700"),
                LineSpec(modifiers=("JW",), units="300", charge="600", ctp_qty="300"),
            )
        ),
        0,
    ),
    Case("NDC without potency data", _claim("2", "71104080901", "J7205"), 0),
    Case("unknown NDC", _claim("2", "12345678901"), 0),
    Case("no NDC", _claim("2", None), 0),
    Case("units not positive are UNT002's", _claim("0"), 0),
    Case("code without a billing unit", _claim("2", code="J7195"), 0),
    Case("non-drug line", _claim("2", code="99213"), 0),
]
