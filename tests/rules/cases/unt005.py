"""UNT005 units-exceed-mue (across claims of one file: tests/rules/test_usage_history.py)."""

from edi_scrub.policy import Mue, PayerPolicy
from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case


def _policy(mai: int, value: int = 6000) -> PayerPolicy:
    return PayerPolicy("t", "Test payer", mue={"J7208": Mue("J7208", value, mai)})


def _line(units: str, dos: str | None = "20240115", jw: bool = False) -> LineSpec:
    mods = ("JW",) if jw else ("JZ",)
    return LineSpec(code="J7208", ndc=None, units=units, charge="1000", dos=dos, modifiers=mods)


def _claim(*lines: LineSpec) -> ClaimSpec:
    return ClaimSpec(lines=lines)


CASES = [
    Case("no MUE for the code", _claim(_line("99999")), 0),
    Case("MAI 1: at the value", _claim(_line("6000")), 0, policy=_policy(1)),
    Case("MAI 1: over on one line", _claim(_line("6001")), 1, None, "none", policy=_policy(1)),
    Case(
        "MAI 1: counted per line, not per day",
        _claim(_line("4000"), _line("4000")),
        0,
        policy=_policy(1),
    ),
    Case(
        "MAI 1: each line over is reported",
        _claim(_line("7000"), _line("6500")),
        2,
        None,
        "none",
        policy=_policy(1),
    ),
    Case(
        "MAI 2: same date adds up, reported once",
        _claim(_line("4000"), _line("3000")),
        1,
        None,
        "none",
        policy=_policy(2),
    ),
    Case(
        "MAI 3: per day too",
        _claim(_line("4000"), _line("3000")),
        1,
        None,
        "none",
        policy=_policy(3),
    ),
    Case(
        "MAI 2: different dates are separate days",
        _claim(_line("4000"), _line("3000", dos="20240116")),
        0,
        policy=_policy(2),
    ),
    Case(
        "MAI 2: a JW line's units count",
        _claim(_line("5000"), _line("1500", jw=True)),
        1,
        None,
        "none",
        policy=_policy(2),
    ),
    Case(
        "MAI 2: a line without a date stands alone",
        _claim(_line("4000"), _line("3000", dos=None)),
        0,
        policy=_policy(2),
        kinds=("837P",),
    ),
    Case(
        "MAI 2: an 837I line without a date takes the statement period's",
        _claim(_line("4000"), _line("3000", dos=None)),
        1,
        policy=_policy(2),
        kinds=("837I",),
    ),
    Case("units not a number are UNT002's", _claim(_line("ABC")), 0, policy=_policy(1, 0)),
    Case(
        "other codes are not counted",
        _claim(_line("4000"), LineSpec(units="3000", ctp_qty="3000", modifiers=("JZ",))),
        0,
        policy=_policy(2),
    ),
]
