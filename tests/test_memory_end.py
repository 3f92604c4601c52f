"""What the end of a run holds (issue 9: flat memory at a million claims).

A 1,000,000-claim run peaked above 100 MB after its fix pass, not during it: the output check
built sets of every changed claim's edges (~160,000 ints each). These tests pin that the
per-issue answers that replaced them are the same as the sets gave, and that the compact list of
failing claims the report keeps reads back exactly what was put in, and that merging the spilled
findings in rounds (a capped fan-in) gives the order one merge of every chunk gives.
"""

from __future__ import annotations

import pickle
import random
import tracemalloc
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from edi_scrub import pipeline
from edi_scrub._spans import SpanTable
from edi_scrub.fixes.edits import Applicability, Fix, SetElement
from edi_scrub.fixes.engine import FixStatus, Outcome
from edi_scrub.report import spill
from edi_scrub.report.model import ClaimRef, ClaimRefs
from edi_scrub.report.spill import OutcomeLog, report_order
from edi_scrub.x12 import partial
from edi_scrub.x12.partial import _at_changed_edge
from tests.generated import generate
from tests.test_span_blocks import _make
from tests.test_spill import _LocPlus, _outcomes


@pytest.mark.parametrize("block", [1, 3, 64, 4096])
def test_changed_edge_answers_like_the_sets_of_edges(block: int) -> None:
    spans = _make(400, seed=block + 9)
    table = SpanTable(block)
    for span in spans:
        table.add(span)
    # What ChangedClaims.result built before: every changed claim's first input position and
    # the position after its last.
    changed_first = {s.in_first for s in spans if s.changed}
    after_changed = {s.in_last + 1 for s in spans if s.changed}
    assert changed_first and after_changed
    for at in range(-1, spans[-1].in_last + 3):
        expected = at in changed_first or at in after_changed
        assert _at_changed_edge(at, table) is expected, at


def test_claim_refs_read_back_what_was_put_in() -> None:
    refs = (
        ClaimRef(0, "PCN1", 12),
        ClaimRef(7, "", 40),  # an empty CLM01
        ClaimRef(9, "ÄÖ\udcff\ud800x", 2**40),  # non-ASCII and lone surrogates
        ClaimRef(2**40, "PCN1", 99),  # a repeated CLM01
    )
    compact = ClaimRefs(refs)
    assert len(compact) == 4 and tuple(compact) == refs and list(compact) == list(refs)
    assert compact == refs and refs == compact and compact == list(refs)
    assert compact != refs[:3] and compact != "PCN1"
    assert [compact[i] for i in range(-4, 4)] == [*refs, *refs]
    assert compact[1:3] == refs[1:3] and compact[::-1] == refs[::-1]
    with pytest.raises(IndexError):
        compact[4]
    assert pickle.loads(pickle.dumps(compact)) == refs
    assert type(pickle.loads(pickle.dumps(compact))) is tuple
    assert ClaimRefs() == () and not ClaimRefs() and len(ClaimRefs()) == 0
    assert repr(ClaimRefs(refs[:1])) == f"ClaimRefs({refs[:1]!r})"


def _mixed(count: int) -> list[Outcome]:
    """Outcomes with many ties, plus ones kept as objects when spilled (a Loc subclass) and
    ones with a fix, so that both the tuple key and the decoded key are exercised."""
    rng = random.Random(count)
    fix = Fix(Applicability.SAFE, "renumber", "1", "2", (SetElement(3, "LX01", "1", "2"),))
    found = _outcomes(count)
    for n in rng.sample(range(count), count // 10):
        o = found[n]
        segment = o.finding.loc.segment if o.finding.loc else 0
        found[n] = Outcome(replace(o.finding, loc=_LocPlus(1, segment, "SV101")), o.status)
    for n in rng.sample(range(count), count // 10):
        found[n] = Outcome(replace(found[n].finding, fix=fix), FixStatus.APPLIED)
    return found


@pytest.mark.parametrize(("limit", "fan_in"), [(1, 2), (3, 2), (7, 3), (16, 4), (17, 5)])
def test_merge_in_rounds_gives_the_order_of_one_merge(
    limit: int, fan_in: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    head, rest = _mixed(13), _mixed(400)
    everything = head + rest
    log = OutcomeLog(limit=limit)
    log.extend(rest[:300])
    log.set_head(head)
    # Unbounded first (one merge of every chunk), then in rounds.
    monkeypatch.setattr(spill, "FAN_IN", 10**9)
    once = list(log.merged())
    assert log._rounds is None
    monkeypatch.setattr(spill, "FAN_IN", fan_in)
    assert list(log.merged()) == once == sorted(head + rest[:300], key=report_order)
    assert log._rounds is not None and len(log._rounds[2]) <= fan_in < len(log._chunks)
    assert list(log.merged()) == once  # the rounds are kept and read again
    log.extend(rest[300:])  # more chunks after a merge: merged again, all of them
    assert list(log.merged()) == sorted(everything, key=report_order)
    assert list(log) == everything  # insertion order is untouched by the rounds


def test_merge_in_rounds_with_another_key(monkeypatch: pytest.MonkeyPatch) -> None:
    def by_message(o: Outcome) -> str:
        return o.finding.message[-1]

    outcomes = _mixed(200)
    monkeypatch.setattr(spill, "FAN_IN", 3)
    log = OutcomeLog(key=by_message, limit=5)
    log.extend(outcomes)
    assert list(log.merged()) == sorted(outcomes, key=by_message)


#: Allowed growth, per claim, of the memory the end of a run (after the fix pass and the input's
#: validation: the output check's result, cured issues, summary, failing claims, JSON report)
#: needs above what it starts with, between 1,000 and 4,000 claims with the spill bounds lowered
#: (many chunks, merged in rounds). Measured: 28 bytes per claim (Python's free lists of tuples
#: and lists filling, which stops); 189 on the code before the fixes it guards (sets of every
#: changed claim's edges, a tuple of ClaimRef, one merge over every spilled chunk).
_END_BYTES_PER_CLAIM = 80


def _end_of_run_peak(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Traced peak (bytes) above the traced memory when the output check's result starts."""
    at_start: list[int] = []
    result = partial.ChangedClaims.result

    def measured(self: partial.ChangedClaims, *args: Any) -> Any:
        tracemalloc.reset_peak()
        at_start.append(tracemalloc.get_traced_memory()[0])
        return result(self, *args)

    monkeypatch.setattr(partial.ChangedClaims, "result", measured)
    with (tmp_path / f"{path.stem}.out").open("w+b") as out:
        tracemalloc.start()
        try:
            report = pipeline.scrub(path, out, pipeline.Options())
            size = sum(len(chunk) for chunk in report.json_chunks())
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert size > 0 and len(at_start) == 1, "the output check did not run"
    assert report.summary.fixed and report.failing_claims
    return peak - at_start[0]


def test_end_of_run_memory_does_not_grow_with_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The end of a run holds what it needs, not something per changed claim, failing claim or
    spilled chunk (the 1M-claim run's peak came after its fix pass)."""
    monkeypatch.setattr(spill, "LIMIT", 64)  # many spilled chunks at both sizes
    monkeypatch.setattr(spill, "FAN_IN", 4)
    peaks: list[int] = []
    sizes = (1_000, 4_000)
    for claims in sizes:
        path = tmp_path / f"in{claims}.837"
        generate(path, "837P", claims=claims, seed=5, defects=0.2)
        peaks.append(_end_of_run_peak(path, tmp_path, monkeypatch))
        monkeypatch.undo()  # the next run wraps the original again
        monkeypatch.setattr(spill, "LIMIT", 64)
        monkeypatch.setattr(spill, "FAN_IN", 4)
    per_claim = (peaks[1] - peaks[0]) / (sizes[1] - sizes[0])
    assert per_claim < _END_BYTES_PER_CLAIM, (peaks, per_claim)
