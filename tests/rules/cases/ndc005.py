"""NDC005 inner-package-ndc."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_KIT_2000 = "00944462501"
_VIAL_2000 = "00944425701"
_DILUENT = "64764051550"


def _claim(ndc: str | None, code: str = "J7207") -> ClaimSpec:
    return ClaimSpec(
        lines=(LineSpec(code=code, ndc=ndc, units="2000", ctp_qty="2000", modifiers=("JZ",)),)
    )


CASES = [
    Case("kit", _claim(_KIT_2000), 0),
    Case("inner vial replaced by its kit", _claim(_VIAL_2000), 1, _claim(_KIT_2000), "applied"),
    Case(
        "hyphenated inner vial replaced by its kit",
        _claim("0944-4257-01"),
        1,
        _claim(_KIT_2000),
        "applied",
    ),
    Case("diluent: no kit named", _claim(_DILUENT), 1, None, "none"),
    Case(
        "inner vial on another code still fixed",
        _claim(_VIAL_2000, "J7208"),
        1,
        _claim(_KIT_2000, "J7208"),
        "applied",
    ),
    Case("unknown NDC", _claim("12345678901"), 0),
    Case("no NDC", _claim(None), 0),
    Case("non-drug line", _claim(_VIAL_2000, "99213"), 0),
]
