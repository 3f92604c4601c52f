"""DX002 off-label-diagnosis."""

from tests.builders import ClaimSpec, I, LineSpec, P
from tests.rules.case import Case


def _claim(dx: tuple[str, ...], pointers: str = "1", code: str = "J7207") -> ClaimSpec:
    ndc = "00944462401" if code == "J7207" else None
    return ClaimSpec(
        lines=(LineSpec(code=code, ndc=ndc, pointers=pointers, modifiers=("JZ",)),), dx=dx
    )


CASES = [
    Case("hemophilia A", _claim(("D66",)), 0),
    Case("Adynovate for von Willebrand disease", _claim(("D680",)), 1, None, "none"),
    Case("Jivi for von Willebrand disease", _claim(("D680",), code="J7208"), 1, None, "none"),
    Case("written with the dot", _claim(("D68.0",)), 1, None, "none"),
    Case("von Willebrand beside hemophilia A", _claim(("D680", "D66"), "1:2"), 0),
    Case(
        "other diagnoses do not change the verdict",
        _claim(("D680", "Z7982"), "1:2"),
        1,
        None,
        "none",
    ),
    Case(
        "837P: the line points at von Willebrand only",
        _claim(("D66", "D680"), "2"),
        1,
        None,
        "none",
        kinds=(P,),
    ),
    Case("837I: any claim diagnosis counts", _claim(("D680", "D66"), "1"), 0, kinds=(I,)),
    Case("no off-label diagnosis: DX001's case", _claim(("Z7982",)), 0),
    Case("Obizur lists no off-label diagnosis", _claim(("D680",), code="J7188"), 0),
    Case("acquired hemophilia is not listed for Adynovate", _claim(("D68311",)), 0),
]
