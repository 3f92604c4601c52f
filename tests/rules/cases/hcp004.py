"""HCP004 unlisted-code-without-note."""

from tests.builders import ClaimSpec, I, LineSpec, P
from tests.rules.case import Case


def _claim(*notes: str, code: str = "J7199", claim_notes: tuple[str, ...] = ()) -> ClaimSpec:
    line = LineSpec(code=code, ndc=None, units="2000", notes=notes, modifiers=("JZ",))
    return ClaimSpec(lines=(line,), notes=claim_notes)


CASES = [
    Case("drug name and IU in the line note", _claim("JIVI 2000 IU"), 0),
    Case("no note", _claim(), 1, None, "none"),
    Case("name without an amount", _claim("JIVI"), 1, None, "none"),
    Case("amount without a name", _claim("2000 IU"), 1, None, "none"),
    Case("a bare number is not IU", _claim("JIVI 2000"), 1, None, "none"),
    Case("units spelled out, thousands separator", _claim("FACTOR VIII 1,500 UNITS"), 0),
    Case("I.U. without a space", _claim("ESPEROCT 2000I.U."), 0),
    Case("one good note among others", _claim("SEE RECORD", "JIVI 2000 IU"), 0),
    Case(
        "837I: a claim note counts (its line NTE is for third parties)",
        _claim(claim_notes=("JIVI 2000 IU",)),
        0,
        kinds=(I,),
    ),
    Case(
        "837P: a claim note is not the line note",
        _claim(claim_notes=("JIVI 2000 IU",)),
        1,
        None,
        "none",
        kinds=(P,),
    ),
    Case("specific code needs no note", _claim(code="J7208"), 0),
    Case("NOS code is not NOC", _claim(code="J7192"), 0),
]
