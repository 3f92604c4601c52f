"""UNT006 units-exceed-payer-limit (across claims of one file: test_usage_history.py)."""

from edi_scrub.policy import LimitPeriod, PayerPolicy, QuantityLimit
from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case


def _policy(units: int, period: LimitPeriod, days: int = 1) -> PayerPolicy:
    limit = QuantityLimit("J7208", units, period, days)
    return PayerPolicy("t", "Test payer", quantity_limits=(limit,))


def _line(units: str, dos: str | None = "20240115", jw: bool = False) -> LineSpec:
    mods = ("JW",) if jw else ("JZ",)
    return LineSpec(code="J7208", ndc=None, units=units, charge="1000", dos=dos, modifiers=mods)


def _claim(*lines: LineSpec) -> ClaimSpec:
    return ClaimSpec(lines=lines)


_LINE = LimitPeriod.LINE
_DAY = LimitPeriod.DAY
_ROLLING = LimitPeriod.ROLLING

CASES = [
    Case("no limit for the code", _claim(_line("99999")), 0),
    Case("line: at the limit", _claim(_line("3000")), 0, policy=_policy(3000, _LINE)),
    Case("line: over", _claim(_line("3001")), 1, None, "none", policy=_policy(3000, _LINE)),
    Case(
        "line: lines are not added",
        _claim(_line("3000"), _line("3000")),
        0,
        policy=_policy(3000, _LINE),
    ),
    Case(
        "day: same date adds up",
        _claim(_line("2000"), _line("1500", jw=True)),
        1,
        None,
        "none",
        policy=_policy(3000, _DAY),
    ),
    Case(
        "day: different dates",
        _claim(_line("2000"), _line("2000", dos="20240116")),
        0,
        policy=_policy(3000, _DAY),
    ),
    Case(
        "rolling: lines inside the window add up",
        _claim(_line("30000", dos="20240102"), _line("12000", dos="20240131")),
        1,
        None,
        "none",
        policy=_policy(41400, _ROLLING, 30),
    ),
    Case(
        "rolling: a line just outside the window",
        _claim(_line("30000", dos="20240102"), _line("12000", dos="20240201")),
        0,
        policy=_policy(41400, _ROLLING, 30),
    ),
    Case(
        "rolling: each window over is reported",
        _claim(_line("42000", dos="20240102"), _line("1000", dos="20240110")),
        2,
        None,
        "none",
        policy=_policy(41400, _ROLLING, 30),
    ),
    Case(
        "several limits on one code",
        _claim(_line("3500")),
        2,
        None,
        "none",
        policy=PayerPolicy(
            "t",
            "Test payer",
            quantity_limits=(
                QuantityLimit("J7208", 3000, _LINE),
                QuantityLimit("J7208", 3000, _DAY),
                QuantityLimit("J7207", 1, _LINE),
            ),
        ),
    ),
    Case("units not a number are UNT002's", _claim(_line("ABC")), 0, policy=_policy(0, _LINE)),
]
