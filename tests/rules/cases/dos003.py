"""DOS003 date-span-reversed."""

from tests.builders import ClaimSpec, I, LineSpec
from tests.rules.case import Case


def _claim(dos: str, qualifier: str = "RD8", statement: str = "20240115-20240115") -> ClaimSpec:
    line = LineSpec(dos=dos, dos_qualifier=qualifier, modifiers=("JZ",))
    return ClaimSpec(lines=(line,), statement=statement)


CASES = [
    Case("ordered span", _claim("20240115-20240120"), 0),
    Case("one-day span", _claim("20240115-20240115"), 0),
    Case("single date", _claim("20240115", "D8"), 0),
    Case("reversed span: no fix", _claim("20240120-20240115"), 1, None, "none"),
    Case("reversed by a year", _claim("20250115-20240115"), 1, None, "none"),
    Case("one date not a date is X12001's", _claim("20241315-20240115"), 0),
    Case(
        "reversed statement period (837I)",
        _claim("20240115", "D8", statement="20240131-20240101"),
        1,
        None,
        "none",
        kinds=(I,),
    ),
    Case(
        "both reversed (837I)",
        _claim("20240120-20240115", statement="20240131-20240101"),
        2,
        None,
        "none",
        kinds=(I,),
    ),
]
