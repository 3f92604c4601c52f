"""DX004 diagnosis-not-valid-on-date."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case


def _claim(dx: tuple[str, ...], dos: str = "20260315") -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(modifiers=("JZ",), dos=dos),), dx=dx)


CASES = [
    Case("billable code", _claim(("D66",)), 0),
    Case("billable subcodes", _claim(("D66", "D68311", "Z7982")), 0),
    Case("category, not billable", _claim(("D683",)), 1, None, "none"),
    Case("no such code", _claim(("D999",)), 1, None, "none"),
    Case("one bad among good", _claim(("D66", "Z7982", "D6831")), 1, None, "none"),
    Case("lower case is the same code", _claim(("d66",)), 0),
    Case("dotted billable code left to DX006", _claim(("D68.311",)), 0),
    Case("dotted category still not billable", _claim(("D68.3",)), 1, None, "none"),
    Case("another fiscal year: still judged", _claim(("D683",), "20240115"), 1),
    Case("before ICD-10: left to DX005", _claim(("D683",), "20150930"), 0),
]
