"""UNT002 units-not-positive-whole."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case


def _claim(
    units: str, code: str = "J7207", ctp_qty: str = "1000", ndc: str = "00944462401"
) -> ClaimSpec:
    line = LineSpec(code=code, units=units, ctp_qty=ctp_qty, ndc=ndc, modifiers=("JZ",))
    return ClaimSpec(lines=(line,))


#: An NDC maps/ does not list: no potency range, so no vial-count reading of small units.
_UNLISTED = "99999999901"


CASES = [
    Case("whole IU", _claim("1000"), 0),
    Case("whole IU with a zero decimal", _claim("1000.0"), 0),
    Case(
        "fraction rounded up",
        _claim("999.2", ctp_qty="1200"),
        1,
        _claim("1000", ctp_qty="1200"),
        "applied",
    ),
    Case(
        "rounding that would erase the CTP's waste is only suggested",
        _claim("999.2", ctp_qty="1000"),
        1,
        None,
        "suggested",
    ),
    Case(
        "rounding that would bill more than dispensed is only suggested",
        _claim("999.2", ctp_qty="999.2"),
        1,
        None,
        "suggested",
    ),
    Case(
        "half rounded up",
        _claim("1000.5", ctp_qty="1200"),
        1,
        _claim("1001", ctp_qty="1200"),
        "applied",
    ),
    Case(
        "below one IU rounded up",
        _claim("0.4", ctp_qty="5", ndc=_UNLISTED),
        1,
        _claim("1", ctp_qty="5", ndc=_UNLISTED),
        "applied",
    ),
    Case(
        "a fraction that looks like vials of a kit is only suggested",
        _claim("1.5", ctp_qty="1500"),
        1,
        None,
        "suggested",
    ),
    Case("zero", _claim("0"), 1, None, "none"),
    Case("negative", _claim("-1000"), 1, None, "none"),
    Case("not a number", _claim("ABC"), 1, None, "none"),
    Case("fraction allowed without a per-IU billing unit", _claim("2.5", "J7195"), 0),
    Case("zero without a billing unit still fires", _claim("0", "J7195"), 1, None, "none"),
    Case(
        "non-drug line",
        ClaimSpec(lines=(LineSpec(code="99213", ndc=None, units="0.5", revenue="0510"),)),
        0,
    ),
]
