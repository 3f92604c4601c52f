"""The report's fast paths give what the plain ones give: each finding's JSON text formatted
directly (from an outcome or from a spilled row) equals ``json.dumps`` of its JSON data, the
rows of a spilled log come in :meth:`OutcomeLog.merged` order, and the summary counted from the
log's running tally equals the summary counted by reading every outcome."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest

from edi_scrub.fixes.edits import (
    Applicability,
    DeleteSegments,
    Fix,
    InsertSegments,
    Reach,
    SetElement,
)
from edi_scrub.fixes.engine import FixStatus, Outcome
from edi_scrub.model.claim import Loc
from edi_scrub.report import spill
from edi_scrub.report.model import (
    MAX_MESSAGE,
    MAX_VALUE,
    Report,
    Summary,
    _finding_json,
    _finding_text,
    _indented,
)
from edi_scrub.report.spill import OutcomeLog, report_order, row_fields
from edi_scrub.rules._base import Finding, Severity


@dataclass(frozen=True, slots=True)
class _LocPlus(Loc):
    """A Loc subclass: kept as an object when spilled (the row is the outcome itself)."""


@dataclass(frozen=True, slots=True)
class _FixPlus(Fix):
    """A Fix subclass: kept as an object inside the spilled tuple."""


@dataclass(frozen=True, slots=True)
class _SetPlus(SetElement):
    """An edit subclass: its fix is kept as an object inside the spilled tuple."""


_TEXTS = ["plain", "", 'quote " and \\ back', "ÄÖ é 中文 \u2028", "\udcff lone", "x" * 700]


def _varied(count: int, seed: int) -> list[Outcome]:
    """Outcomes covering every field's shapes: no loc, segment 0 or negative, empty ref, no
    claim or line, long and non-ASCII texts, fixes with and without edits, every status."""
    rng = random.Random(seed)
    with_edits = Fix(Applicability.SAFE, "d", "1", "2", (SetElement(3, "LX01", "1", "2"),))
    found: list[Outcome] = []
    for n in range(count):
        loc_kind = rng.randrange(5)
        segment = rng.choice([-1, 0, 1, 7, 7, 12, 2**40])
        ref = rng.choice(["CLM01", "", "SV101-2", "y" * 90])
        loc: Loc | None = (
            None
            if loc_kind == 0
            else (_LocPlus(1, segment, ref) if loc_kind == 1 else Loc(2, segment, ref))
        )
        fix = rng.choice(
            [
                None,
                with_edits,
                Fix(Applicability.UNSAFE, "d", rng.choice(_TEXTS), rng.choice(_TEXTS)),
                Fix(Applicability.SAFE, "d", "", "z" * 85),
                Fix(
                    Applicability.SUGGESTION,
                    rng.choice(_TEXTS),
                    "a",
                    "b",
                    (
                        InsertSegments(4, (("LIN", "", "N4", "12345678901"), ("CTP",)), (2, 3)),
                        DeleteSegments(5, 6, ("LIN", "CTP")),
                        SetElement(1, "SV101-2", "J7207", "J7208"),
                    ),
                    Reach.FORMAT,
                ),
                _FixPlus(Applicability.SAFE, "sub", "1", "2", (), Reach.UNITS_CODES),
                Fix(Applicability.SAFE, "d", "1", "2", (_SetPlus(1, "LX01", "1", "2"),)),
            ]
        )
        finding = Finding(
            rng.choice(["A001", "B002", "X12001"]),
            rng.choice(_TEXTS[:5]),
            rng.choice(list(Severity)),
            rng.choice([None, f"C{n}", "Ä" * 100, ""]),
            rng.choice([None, 0, 1, 3]),
            loc,
            rng.choice(_TEXTS),
            fix,
        )
        found.append(Outcome(finding, rng.choice(list(FixStatus))))
    return found


def test_finding_text_equals_json_dumps_of_the_finding() -> None:
    for o in _varied(400, 1):
        expected = _indented(_finding_json(o), "\n    ")
        assert _finding_text(*row_fields(o)) == expected
        # The same, from the row a spilled chunk stores (a tuple, or the outcome itself).
        assert _finding_text(*row_fields(spill._encode(o))) == expected
        # And what json.dumps writes for it, nested as in the report.
        wrapped = json.dumps({"findings": [_finding_json(o)]}, indent=2)
        assert f"[\n    {expected}\n  ]" in wrapped


def test_long_values_are_bounded_in_the_fast_text() -> None:
    finding = Finding("A001", "n", Severity.ERROR, "c" * 100, None, None, "m" * 900)
    text = _finding_text(*row_fields(Outcome(finding, FixStatus.NONE)))
    data = json.loads(text)
    assert data["claim"] == "c" * MAX_VALUE + "... (20 more characters)"
    assert data["message"] == "m" * MAX_MESSAGE + "... (400 more characters)"


@pytest.mark.parametrize(("limit", "fan_in"), [(1, 2), (3, 64), (7, 3), (16, 4), (1000, 64)])
def test_merged_rows_come_in_merged_order(
    limit: int, fan_in: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spill, "FAN_IN", fan_in)
    head, rest = _varied(9, 2), _varied(300, 3)
    log = OutcomeLog(limit=limit)
    log.extend(rest)
    log.set_head(head)
    rows = [row_fields(r) for r in log.merged_rows()]
    assert rows == [row_fields(o) for o in log.merged()]
    assert rows == [row_fields(o) for o in sorted(head + rest, key=report_order)]


def _report(outcomes: object) -> Report:
    summary = Summary.of(outcomes, 3, 1, 0, Decimal(0), Severity.ERROR)  # type: ignore[arg-type]
    return Report("in", "out", "837P", "005010X222A1", summary, outcomes, False, 0.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("limit", [1, 5, 4096])
def test_spilled_report_json_equals_json_dumps(limit: int) -> None:
    head, rest = _varied(7, 4), _varied(250, 5)
    log = OutcomeLog(limit=limit)
    log.extend(rest)
    log.set_head(head)
    plain = head + rest
    for report in (_report(log), _report(tuple(plain))):
        text = "".join(report.json_chunks())
        assert text == json.dumps(report.to_json(), indent=2) + "\n"
    assert "".join(_report(log).json_chunks()) == "".join(_report(tuple(plain)).json_chunks())


def test_log_with_another_key_still_writes_report_order() -> None:
    outcomes = _varied(60, 6)
    log = OutcomeLog(key=lambda o: o.finding.message, limit=4)
    log.extend(outcomes)
    report = _report(log)
    assert "".join(report.json_chunks()) == json.dumps(report.to_json(), indent=2) + "\n"


@pytest.mark.parametrize("fail_on", list(Severity))
def test_summary_from_the_tally_equals_summary_from_reading(fail_on: Severity) -> None:
    head, rest = _varied(10, 7), _varied(500, 8)
    log = OutcomeLog(limit=16)
    log.append(rest[0])
    log.extend(rest[1:])
    log.set_head(head[:4])
    log.set_head(head)  # a head set again replaces the first one, in the counts too
    args = (10, 2, 1, Decimal("1.5"), fail_on)
    from_log = Summary.of(log, *args)
    from_reading = Summary.of(iter(list(log)), *args)
    assert from_log == from_reading
    assert from_log.errors + from_log.warnings + from_log.infos == len(head) + len(rest)
    assert Summary.of(OutcomeLog(), *args) == Summary.of((), *args)


def test_fixed_counts_only_fixes_with_edits() -> None:
    no_edits = Fix(Applicability.SAFE, "renumbered by another fix", "1", "2")
    base = Finding("LX002", "n", Severity.WARNING, None, None, None, "m")
    log = OutcomeLog()
    log.extend(
        [
            Outcome(replace(base, fix=no_edits), FixStatus.APPLIED),
            Outcome(replace(base, fix=None), FixStatus.APPLIED),
            Outcome(base, FixStatus.AVAILABLE),
        ]
    )
    summary = Summary.of(log, 1, 0, 0, Decimal(0), Severity.WARNING)
    assert (summary.fixed, summary.unfixed_warnings, summary.failing) == (1, 1, 1)


def test_spilled_outcomes_decode_equal_with_their_fixes() -> None:
    """Fixes are stored as flat tuples (edits too) unless a subclass is involved; either way
    every outcome reads back equal, of the same classes."""
    outcomes = _varied(300, 10)
    for o in outcomes:
        back = spill._decode(spill._encode(o))
        assert back == o
        assert type(back.finding.fix) is type(o.finding.fix)
        if o.finding.fix is not None:
            assert [type(e) for e in back.finding.fix.edits] == [
                type(e) for e in o.finding.fix.edits
            ]
    log = OutcomeLog(limit=7)
    log.extend(outcomes)
    assert list(log) == outcomes and list(log.merged()) == sorted(outcomes, key=report_order)
