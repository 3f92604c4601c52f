"""DUP001 duplicate-claim (one claim only; claims against each other: tests/rules/test_dup.py)."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

CASES = [
    Case("one claim", ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),)), 0),
    Case(
        "two identical lines of one claim are not a duplicate claim",
        ClaimSpec(lines=(LineSpec(modifiers=("JZ",)), LineSpec(modifiers=("JZ",)))),
        0,
    ),
]
