"""PRV001 taxonomy-code-malformed."""

from tests.builders import ClaimSpec, I, LineSpec, P
from tests.rules.case import Case

_RENDERING = ("NM1", "82", "1", "ROE", "RILEY", "", "", "", "XX", "1234567893")


def _p(taxonomy: str, qualifier: str = "PXC") -> ClaimSpec:
    """837P: rendering provider (2310B) with its specialty."""
    prv = ("PRV", "PE", qualifier, taxonomy)
    return ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),), loops=(_RENDERING, prv))


def _i(taxonomy: str) -> ClaimSpec:
    """837I: the attending provider's (2310A) specialty, right after its NM1*71."""
    return ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),), loops=(("PRV", "AT", "PXC", taxonomy),))


CASES = [
    Case("well formed", _p("207RH0003X"), 0, kinds=(P,)),
    Case("well formed (attending)", _i("207RH0003X"), 0, kinds=(I,)),
    Case("lower case: upper-cased", _p("207rh0003x"), 1, _p("207RH0003X"), "applied", kinds=(P,)),
    Case("lower case attending", _i("207rh0003X"), 1, _i("207RH0003X"), "applied", kinds=(I,)),
    Case("nine characters", _p("207RH0003"), 1, None, "none", kinds=(P,)),
    Case("not ending in X", _p("207RH00031"), 1, None, "none", kinds=(P,)),
    Case("eleven characters", _i("207RH0003XX"), 1, None, "none", kinds=(I,)),
    Case("lower case but too short: no fix", _p("207rh003x"), 1, None, "none", kinds=(P,)),
    Case("other qualifier not judged", _p("ABC", "ZZ"), 0, kinds=(P,)),
]
