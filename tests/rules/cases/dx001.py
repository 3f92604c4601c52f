"""DX001 no-indicated-diagnosis."""

from tests.builders import ClaimSpec, I, LineSpec, P
from tests.rules.case import Case


def _claim(dx: tuple[str, ...], pointers: str = "1", code: str = "J7207") -> ClaimSpec:
    ndc = "00944462401" if code == "J7207" else None
    return ClaimSpec(
        lines=(LineSpec(code=code, ndc=ndc, pointers=pointers, modifiers=("JZ",)),), dx=dx
    )


CASES = [
    Case("D66 pointed at", _claim(("D66",)), 0),
    Case("D66 second, pointed at second", _claim(("Z7982", "D66"), "1:2"), 0),
    Case("only von Willebrand on the claim", _claim(("D680",)), 1, None, "none"),
    Case(
        "837P: D66 on the claim but not pointed at",
        _claim(("D66", "Z7982"), "2"),
        1,
        None,
        "none",
        kinds=(P,),
    ),
    Case("837I: D66 anywhere on the claim will do", _claim(("Z7982", "D66"), "1"), 0, kinds=(I,)),
    Case(
        "837P: pointer into nothing selects no D66",
        _claim(("D66",), "3"),
        1,
        None,
        "none",
        kinds=(P,),
    ),
    Case("Jivi without D66", _claim(("Z7982",), code="J7208"), 1, None, "none"),
    Case("Obizur with acquired hemophilia", _claim(("D68311",), code="J7188"), 0),
    Case("Obizur with hemophilia A only", _claim(("D66",), code="J7188"), 1, None, "none"),
    Case("no indication in maps: not checked", _claim(("D680",), code="J7192"), 0),
    Case(
        "non-drug line is not checked",
        ClaimSpec(
            lines=(
                LineSpec(modifiers=("JZ",)),
                LineSpec(
                    code="99213", ndc=None, charge="50", units="1", revenue="0510", pointers="2"
                ),
            ),
            dx=("D66", "Z7982"),
        ),
        0,
    ),
]
