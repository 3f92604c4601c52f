"""REF001 line-control-number-duplicate."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case


def _claim(*controls: str | None) -> ClaimSpec:
    return ClaimSpec(lines=tuple(LineSpec(modifiers=("JZ",), control=c) for c in controls))


_PREFIX = "SYN-LINE-CONTROL-0000000000001"  # 30 characters

CASES = [
    Case("unique", _claim("SYN1-1", "SYN1-2"), 0),
    Case("none sent", _claim(None, None), 0),
    Case("one line", _claim("SYN1-1"), 0),
    Case("duplicate", _claim("SYN1-1", "SYN1-1"), 1, None, "none"),
    Case("three lines, two repeats", _claim("SYN1-1", "SYN1-1", "SYN1-1"), 2),
    Case("same first 30 characters", _claim(_PREFIX + "A", _PREFIX + "B"), 1, None, "none"),
    Case("differ within 30 characters", _claim(_PREFIX[:-1] + "2A", _PREFIX + "A"), 0),
    Case("case differs: not the same", _claim("syn1-1", "SYN1-1"), 0),
]
