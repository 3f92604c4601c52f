"""DX006 diagnosis-code-has-dot."""

from tests.builders import ClaimSpec, I, LineSpec, P
from tests.rules.case import Case


def _claim(dx: tuple[str, ...]) -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),), dx=dx)


CASES = [
    Case("no dots", _claim(("D66", "Z792")), 0),
    Case("principal dotted", _claim(("D68.311",)), 1, _claim(("D68311",)), "applied"),
    # The 837P has one HI; the 837I puts the other diagnoses in a second HI (two findings).
    Case(
        "two dotted codes in one HI",
        _claim(("D68.311", "Z79.2")),
        1,
        _claim(("D68311", "Z792")),
        "applied",
        kinds=(P,),
    ),
    Case(
        "dotted codes in two HIs",
        _claim(("D68.311", "Z79.2", "Z79.82")),
        2,
        _claim(("D68311", "Z792", "Z7982")),
        "applied",
        kinds=(I,),
    ),
    Case(
        "only a secondary dotted", _claim(("D66", "Z79.2")), 1, _claim(("D66", "Z792")), "applied"
    ),
]
