"""NPI001 npi-check-digit-invalid."""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case


def _rendering(npi: str, qualifier: str = "XX") -> tuple[str, ...]:
    return ("NM1", "82", "1", "ROE", "RILEY", "", "", "", qualifier, npi)


def _claim(*loops: tuple[str, ...], line_loops: tuple[tuple[str, ...], ...] = ()) -> ClaimSpec:
    return ClaimSpec(lines=(LineSpec(modifiers=("JZ",), loops=line_loops),), loops=loops)


CASES = [
    Case("no provider loop (837I attending is valid)", _claim(), 0),
    Case("valid rendering NPI", _claim(_rendering("1234567893")), 0),
    Case("check digit wrong", _claim(_rendering("1234567890")), 1, None, "none"),
    Case("nine digits", _claim(_rendering("123456789")), 1, None, "none"),
    Case("letters", _claim(_rendering("12345678A3")), 1, None, "none"),
    Case("starts with 3", _claim(_rendering("3234567893")), 1, None, "none"),
    Case("not an NPI qualifier: not judged", _claim(_rendering("1234567890", "24")), 0),
    Case(
        "line-level referring provider",
        _claim(line_loops=(("NM1", "DN", "1", "ROE", "SAM", "", "", "", "XX", "1111111113"),)),
        1,
        None,
        "none",
    ),
    Case(
        "two providers, one bad",
        _claim(
            ("NM1", "DN", "1", "ROE", "SAM", "", "", "", "XX", "2222222228"),
            _rendering("1555555551"),
        ),
        1,
    ),
]
