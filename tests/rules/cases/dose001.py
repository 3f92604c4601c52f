"""DOSE001 dose-above-label-maximum."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case


def _jivi(*units: str, dos: tuple[str, ...] = ()) -> ClaimSpec:
    dates = dos or ("20240115",) * len(units)
    return ClaimSpec(
        lines=tuple(
            LineSpec(code="J7208", ndc=None, units=u, charge="1000", dos=d, modifiers=("JZ",))
            for u, d in zip(units, dates, strict=True)
        )
    )


CASES = [
    Case("at the maximum", _jivi("6000"), 0),
    Case("one IU over", _jivi("6001"), 1, None, "none"),
    Case("same date: lines add up", _jivi("4000", "3000"), 1, None, "none"),
    Case(
        "different dates: separate infusions",
        _jivi("4000", "3000", dos=("20240115", "20240116")),
        0,
    ),
    Case(
        "each date over is reported",
        _jivi("7000", "6500", dos=("20240115", "20240116")),
        2,
        None,
        "none",
    ),
    Case(
        "discarded drug on a JW line is not infused",
        ClaimSpec(
            lines=(
                LineSpec(code="J7208", ndc=None, units="5000", charge="1000"),
                LineSpec(code="J7208", ndc=None, units="2000", charge="400", modifiers=("JW",)),
            )
        ),
        0,
    ),
    Case(
        "no maximum in maps (Adynovate)",
        ClaimSpec(lines=(LineSpec(units="10000", ctp_qty="10000", modifiers=("JZ",)),)),
        0,
    ),
    Case("units not a number are UNT002's", _jivi("ABC"), 0),
]
