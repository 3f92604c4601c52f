"""UNT004 units-outside-potency-range."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_KIT_1000 = "00944462401"  # 801-1250 IU per vial


def _claim(
    units: str, vials: str = "2", unit: str = "UN", ndc: str | None = _KIT_1000, code: str = "J7207"
) -> ClaimSpec:
    return ClaimSpec(
        lines=(
            LineSpec(
                code=code,
                ndc=ndc,
                units=units,
                charge="4000",
                ctp_qty=vials,
                ctp_unit=unit,
                modifiers=("JZ",),
            ),
        )
    )


CASES = [
    Case("inside the range", _claim("2000"), 0),
    Case("at the bounds", _claim("1602"), 0),
    Case("at the upper bound", _claim("2500"), 0),
    Case("nominal x count above the range", _claim("3000"), 1, None, "none"),
    Case("below the range per vial", _claim("1500"), 1, None, "none"),
    Case("one kit, above the range", _claim("1300", "1"), 1, None, "none"),
    Case("inner vial judged by its kit's range", _claim("3000", "1", ndc="00944425701"), 1),
    Case("below one vial is UNT003's", _claim("2", "2"), 0),
    Case("CTP in IU says nothing about vials", _claim("3000", "3000", "F2"), 0),
    Case("fractional kit count", _claim("3000", "1.5"), 0),
    Case("zero kit count", _claim("3000", "0"), 0),
    Case("NDC without potency data", _claim("9000", "1", ndc="71104080901", code="J7205"), 0),
    Case("unknown NDC", _claim("9000", "1", ndc="12345678901"), 0),
    Case(
        "line with a JW sibling",
        ClaimSpec(
            lines=(
                LineSpec(units="1000", ctp_qty="1", ctp_unit="UN"),
                LineSpec(modifiers=("JW",), units="200", charge="400", ctp_qty="1", ctp_unit="UN"),
            )
        ),
        0,
    ),
    Case("code without a billing unit", _claim("9000", "1", code="J7195"), 0),
    Case("non-drug line", _claim("9000", "1", code="99213"), 0),
]
