"""Claim spans kept on disk in blocks (_spans.SpanTable): the same answers as plain lists, for
any block size, with reads and writes interleaved; a whole scrub gives the same bytes."""

from __future__ import annotations

import bisect
import io
import random
from pathlib import Path

import pytest

from edi_scrub import _spans, pipeline
from edi_scrub._spans import Span, SpanTable
from edi_scrub.report import spill
from tests.conftest import SAMPLES


def _make(count: int, seed: int) -> list[Span]:
    rng = random.Random(seed)
    spans, at_in, at_out = [], 0, 0
    for n in range(count):
        # Gaps (envelope segments between claims), claims that grow or shrink on output, and
        # the odd claim with nothing written (out_last < out_first).
        at_in += rng.choice((0, 0, 1, 5))
        at_out += rng.choice((0, 0, 1, 5))
        size_in = rng.randint(1, 30)
        size_out = rng.choice((size_in, size_in + 2, max(size_in - 1, 0), 0))
        span = Span(
            n,
            rng.choice(("", "PCN", "ÄÖ", "\udcff")) + str(n) * rng.randint(0, 3),
            at_in + 1,
            at_in + size_in,
            at_out + 1,
            at_out + size_out,
            rng.random() < 0.3,
            rng.random() < 0.2,
        )
        spans.append(span)
        at_in += size_in
        at_out += size_out
    return spans


def _find(spans: list[Span], segment: int, output: bool) -> int | None:
    """The plain-list answer (what the array-based table did)."""
    firsts = [s.out_first if output else s.in_first for s in spans]
    lasts = [s.out_last if output else s.in_last for s in spans]
    i = bisect.bisect_right(firsts, segment) - 1
    return i if i >= 0 and segment <= lasts[i] else None


@pytest.mark.parametrize("block", [1, 2, 3, 7, 64, 4096])
def test_table_answers_like_lists(block: int) -> None:
    spans = _make(300, seed=block)
    table = SpanTable(block)
    for n, span in enumerate(spans):
        table.add(span)
        if n % 37 == 0:  # reads between writes (the claim-id file and the block cache)
            assert table[n] == span and table.claim_id(n // 2) == spans[n // 2].claim_id
    assert len(table) == len(spans) and list(table) == spans
    assert table[-1] == spans[-1] and list(table[5:9]) == spans[5:9]
    for i, s in enumerate(spans):
        assert (table.ordinal[i], table.in_first[i], table.in_last[i]) == (
            s.ordinal,
            s.in_first,
            s.in_last,
        )
        assert (table.out_first[i], table.out_last[i]) == (s.out_first, s.out_last)
        assert (table.changed(i), table.failing(i)) == (s.changed, s.failing)
    top = spans[-1].in_last + 3
    for segment in range(-1, top):
        for output in (False, True):
            assert table.find(segment, output) == _find(spans, segment, output)
        # bisect straight on a column, as x12.cure does
        firsts = [s.in_first for s in spans]
        assert bisect.bisect_right(table.in_first, segment) == bisect.bisect_right(firsts, segment)
    with pytest.raises(IndexError):
        table.ordinal[len(spans)]


def test_empty_table() -> None:
    table = SpanTable(4)
    assert len(table) == 0 and list(table) == [] and table.find(1, output=False) is None


def test_memory_per_claim_is_bounded() -> None:
    table = SpanTable(64)
    for span in _make(6400, seed=1):
        table.add(span)
    # 100 blocks on disk: in memory only the (empty) tail, the cache and 2 starts per block.
    assert len(table._tail_flags) == 0 and len(table._in_starts) == 100
    for i in range(len(table)):
        table.changed(i)
    assert len(table._cache) <= _spans._CACHED


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.837")), ids=lambda p: p.name)
def test_scrub_with_tiny_blocks_gives_the_same_report_and_output(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run() -> tuple[bytes, str, list[str]]:
        out = io.BytesIO()
        report = pipeline.scrub(sample, out, pipeline.Options())
        refs = [repr(c) for c in report.failing_claims]
        return out.getvalue(), "".join(report.json_chunks()), refs

    default = run()
    monkeypatch.setattr(_spans, "BLOCK", 1)  # every claim's span goes through the file
    monkeypatch.setattr(spill, "LIMIT", 1)
    assert run() == default
