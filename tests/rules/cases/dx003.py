"""DX003 pointer-to-empty-diagnosis."""

from tests.builders import ClaimSpec, I, LineSpec, P
from tests.rules.case import Case


def _claim(dx: tuple[str, ...], pointers: str, code: str = "J7207") -> ClaimSpec:
    ndc = "00944462401" if code == "J7207" else None
    return ClaimSpec(
        lines=(LineSpec(code=code, ndc=ndc, pointers=pointers, modifiers=("JZ",)),), dx=dx
    )


def _visit(pointers: str) -> ClaimSpec:
    return ClaimSpec(
        lines=(
            LineSpec(modifiers=("JZ",)),
            LineSpec(
                code="99213", ndc=None, charge="50", units="1", revenue="0510", pointers=pointers
            ),
        ),
        dx=("D66",),
    )


CASES = [
    Case("pointers valid", _claim(("D66", "Z7982"), "1:2"), 0),
    Case(
        "re-pointed to the only indicated diagnosis",
        _claim(("D66",), "2"),
        1,
        _claim(("D66",), "1"),
        "applied",
        kinds=(P,),
    ),
    Case("837I has no pointers", _claim(("D66",), "2"), 0, kinds=(I,)),
    Case(
        "broken pointer dropped when D66 is already pointed at",
        _claim(("D66",), "1:2"),
        1,
        _claim(("D66",), "1"),
        "applied",
        kinds=(P,),
    ),
    Case(
        "broken pointer replaced in place",
        _claim(("Z7982", "D66"), "3:1"),
        1,
        _claim(("Z7982", "D66"), "2:1"),
        "applied",
        kinds=(P,),
    ),
    Case(
        "non-numeric pointer",
        _claim(("D66",), "A"),
        1,
        _claim(("D66",), "1"),
        "applied",
        kinds=(P,),
    ),
    Case("no indicated diagnosis: no fix", _claim(("D680",), "2"), 1, None, "none", kinds=(P,)),
    Case(
        "two indicated positions: no fix", _claim(("D66", "D66"), "3"), 1, None, "none", kinds=(P,)
    ),
    Case(
        "no indication in maps: no fix",
        _claim(("D66",), "2", code="J7192"),
        1,
        None,
        "none",
        kinds=(P,),
    ),
    Case("non-drug line reported without a fix", _visit("2"), 1, None, "none", kinds=(P,)),
    Case("non-drug line with valid pointer", _visit("1"), 0),
]
