"""REF002 line-control-number-too-long."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case


def _claim(control: str | None) -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(modifiers=("JZ",), control=control),))


CASES = [
    Case("30 characters", _claim("X" * 30), 0),
    Case("31 characters", _claim("X" * 31), 1, None, "none"),
    Case("50 characters", _claim("SYN" + "9" * 47), 1, None, "none"),
    Case("none sent", _claim(None), 0),
]
