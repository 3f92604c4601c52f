"""DOS002 service-date-span."""

from edi_scrub.policy import PayerPolicy
from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

_SINGLE = PayerPolicy("t", "Test payer", single_date_lines=True)


def _claim(dos: str, qualifier: str, code: str = "J7207") -> ClaimSpec:
    if code != "J7207":
        line = LineSpec(code=code, ndc=None, charge="50", units="1", revenue="0510")
        return ClaimSpec(lines=(LineSpec(modifiers=("JZ",)), line))
    return ClaimSpec(lines=(LineSpec(dos=dos, dos_qualifier=qualifier, modifiers=("JZ",)),))


_SPAN = ("20240115-20240120", "RD8")

CASES = [
    Case("payer accepts spans", _claim(*_SPAN), 0),
    Case("single date", _claim("20240115", "D8"), 0, policy=_SINGLE),
    Case("span on a factor line", _claim(*_SPAN), 1, None, "none", policy=_SINGLE),
    Case(
        "one-day span is still a span",
        _claim("20240115-20240115", "RD8"),
        1,
        None,
        "none",
        policy=_SINGLE,
    ),
    Case(
        "non-drug line with a span is not checked",
        ClaimSpec(
            lines=(
                LineSpec(modifiers=("JZ",)),
                LineSpec(
                    code="99213",
                    ndc=None,
                    charge="50",
                    units="1",
                    revenue="0510",
                    dos="20240115-20240116",
                    dos_qualifier="RD8",
                ),
            )
        ),
        0,
        policy=_SINGLE,
    ),
]
