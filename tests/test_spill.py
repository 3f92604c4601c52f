"""Outcomes spilled to disk (report.spill) and compact claim spans (_spans): same answers as
the plain lists they replace, whatever the spill bound."""

from __future__ import annotations

import io
import pickle
import random
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from edi_scrub import pipeline
from edi_scrub._spans import Span, SpanTable
from edi_scrub.fixes.edits import Applicability, Fix, SetElement
from edi_scrub.fixes.engine import FixStatus, Outcome
from edi_scrub.model.claim import Loc
from edi_scrub.report import spill
from edi_scrub.report.spill import OutcomeLog, report_order
from edi_scrub.rules._base import Finding, Severity
from tests.conftest import SAMPLES


def _outcome(n: int, segment: int | None, rule: str) -> Outcome:
    loc = None if segment is None else Loc(0, segment, "CLM01")
    finding = Finding(rule, "name", Severity.ERROR, f"C{n}", None, loc, f"message {n}")
    return Outcome(finding, FixStatus.NONE)


def _outcomes(count: int) -> list[Outcome]:
    rng = random.Random(9)
    # Many ties (same segment and rule) so that stability is actually exercised.
    return [
        _outcome(n, rng.choice([None, 0, *range(1, 40)]), rng.choice(["A001", "B002", "A001"]))
        for n in range(count)
    ]


@pytest.mark.parametrize("limit", [1, 3, 7, 16, 17, 33, 1000])
def test_log_reads_back_in_order_and_merges_like_sorted(limit: int) -> None:
    head, rest = _outcomes(11), _outcomes(200)
    log = OutcomeLog(limit=limit)
    log.extend(rest)
    log.set_head(head)
    everything = head + rest
    assert len(log) == len(everything)
    assert list(log) == everything
    assert list(log) == everything  # a second read sees the same (files are re-read)
    assert list(log.merged()) == sorted(everything, key=report_order)
    assert log[5] == everything[5] and list(log[-3:]) == everything[-3:]
    assert log == everything and log == tuple(everything)


def test_log_pickles_as_a_tuple() -> None:
    log = OutcomeLog(limit=4)
    log.extend(_outcomes(30))
    copy = pickle.loads(pickle.dumps(log))
    assert isinstance(copy, tuple) and copy == tuple(log)


def test_empty_log() -> None:
    log = OutcomeLog(limit=2)
    assert len(log) == 0 and not log and list(log.merged()) == []


def test_span_table_matches_spans() -> None:
    spans = [
        Span(
            n,
            f"CLAIM-{n}" * (n % 3),
            10 * n + 1,
            10 * n + 8,
            12 * n + 1,
            12 * n + 11,
            n % 2 == 0,
            n % 5 == 0,
        )
        for n in range(50)
    ]
    table = SpanTable()
    for span in spans:
        table.add(span)
    assert list(table) == spans
    # Writes after reads still land at the end.
    extra = Span(50, "LAST", 600, 605, 700, 705, False)
    table.add(extra)
    assert table[-1] == extra and table.claim_id(3) == spans[3].claim_id
    assert table.find(11, output=False) == 1 and table.find(19, output=False) is None
    assert table.find(13, output=True) == 1 and table.find(0, output=True) is None
    assert table.changed(2) and not table.changed(3) and table.failing(5) and not table.failing(4)


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.837")), ids=lambda p: p.name)
def test_spilled_run_gives_the_same_report_and_output(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run() -> tuple[bytes, str, tuple[Outcome, ...]]:
        out = io.BytesIO()
        report = pipeline.scrub(sample, out, pipeline.Options())
        return out.getvalue(), "".join(report.json_chunks()), tuple(report.outcomes)

    in_memory = run()
    monkeypatch.setattr(spill, "LIMIT", 1)  # every claim outcome goes through the file
    spilled = run()
    assert spilled == in_memory


@dataclass(frozen=True, slots=True)
class _LocPlus(Loc):
    extra: str = "x"


def test_encoding_round_trips_every_outcome_shape() -> None:
    """Spilled outcomes are stored as tuples and rebuilt equal (subclasses as they are)."""
    fix = Fix(Applicability.SAFE, "renumber", "1", "2", (SetElement(3, "LX01", "1", "2"),))
    plain = _outcome(1, 5, "A001")
    fixed = Outcome(replace(plain.finding, fix=fix, line=2), FixStatus.APPLIED)
    odd = Outcome(replace(plain.finding, loc=_LocPlus(1, 2, "SV101")), FixStatus.AVAILABLE)
    outcomes = [plain, fixed, odd, _outcome(2, None, "B002")]
    assert [spill._decode(spill._encode(o)) for o in outcomes] == outcomes
    assert spill._encode(odd) is odd
    assert type(spill._decode(spill._encode(odd)).finding.loc) is _LocPlus
    log = OutcomeLog(limit=2)
    log.extend(outcomes)
    assert list(log) == outcomes and list(log.merged()) == sorted(outcomes, key=report_order)
