"""DX005 icd10-before-effective-date."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case


def _claim(dos: str, dx: tuple[str, ...] = ("D66", "Z7982")) -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(modifiers=("JZ",), dos=dos),), dx=dx)


CASES = [
    Case("dated before 2015-10-01", _claim("20150930"), 1, None, "none"),
    Case("years before", _claim("20120605"), 1, None, "none"),
    Case("first day of ICD-10", _claim("20151001"), 0),
    Case("current", _claim("20240115"), 0),
    Case("no diagnosis", _claim("20150930", ()), 0),
]
