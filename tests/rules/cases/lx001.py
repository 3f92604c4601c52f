"""LX001 line-numbers-not-sequential."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_A = LineSpec(modifiers=("JZ",))

CASES = [
    Case("lines 1, 2", ClaimSpec(lines=(_A, _A)), 0),
    Case(
        "lines 1, 7 renumbered",
        ClaimSpec(lines=(_A, LineSpec(modifiers=("JZ",), lx="7"))),
        1,
        ClaimSpec(lines=(_A, _A)),
        "applied",
    ),
    Case(
        "repeated number renumbered",
        ClaimSpec(lines=(_A, LineSpec(modifiers=("JZ",), lx="1"), _A)),
        1,
        ClaimSpec(lines=(_A, _A, _A)),
        "applied",
    ),
    Case(
        "void keeps its numbers",
        ClaimSpec(
            lines=(_A, LineSpec(modifiers=("JZ",), lx="9")), frequency="8", original_ref="SYNORIG1"
        ),
        1,
        None,
        "suggested",
    ),
]
