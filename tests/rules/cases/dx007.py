"""DX007 icd9-on-or-after-icd10-date."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_ICD9 = ("BK", "BF")


def _claim(dos: str, dx: tuple[str, ...], qualifiers: tuple[str, str] = _ICD9) -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(modifiers=("JZ",), dos=dos),), dx=dx, dx_qualifiers=qualifiers)


CASES = [
    Case("ICD-10-CM today", _claim("20240115", ("D66", "Z7982"), ("ABK", "ABF")), 0),
    Case("ICD-9-CM before ICD-10", _claim("20150930", ("2860", "V5864")), 0),
    Case("ICD-9-CM today", _claim("20240115", ("2860",)), 1, None, "none"),
    Case("ICD-9-CM on the first ICD-10 day", _claim("20151001", ("2860", "V5864")), 1),
    Case("only a secondary in ICD-9-CM", _claim("20240115", ("D66", "V5864"), ("ABK", "BF")), 1),
    Case("no diagnosis", _claim("20240115", ()), 0),
]
