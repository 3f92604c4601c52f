"""Outcomes kept on disk past a bound, so a run's memory does not grow with its findings.

A 100,000-claim file with a defect in one claim of five carries some 130,000 findings; held as
objects they were most of the run's peak memory (155 MiB). :class:`OutcomeLog` keeps at most
``limit`` of them in memory and pickles the rest to an anonymous temporary file in chunks.
Each chunk is written twice: as added (for iteration in insertion order) and sorted by the
report's key, one pickle per outcome, so :meth:`OutcomeLog.merged` can stream the report order
with :func:`heapq.merge` (an external merge sort) holding one outcome per chunk.

``heapq.merge`` breaks ties in favour of the earlier iterable and :func:`sorted` is stable, so
the merged order equals ``sorted(all outcomes, key=key)`` exactly; the report bytes do not
change.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Any, overload

from edi_scrub.fixes.engine import Outcome

#: Outcomes held in memory before a chunk is spilled (a few MiB of findings).
LIMIT = 4096

SortKey = Callable[[Outcome], Any]


def report_order(o: Outcome) -> tuple[int, str]:
    """The report's order: file position (none first), then rule id."""
    loc = o.finding.loc
    return (loc.segment if loc and loc.segment > 0 else 0, o.finding.rule)


class OutcomeLog(Sequence[Outcome]):
    """An append-only sequence of outcomes, spilled to a temporary file past ``limit``.

    Reads (``iter``, ``len``, indexing) see every outcome in the order added. Pickling one
    gives a plain tuple (a report sent between processes carries its outcomes, not a file).
    """

    def __init__(self, key: SortKey = report_order, limit: int | None = None) -> None:
        self._key = key
        #: Outcomes known only after the pass (structural, counts), read before the rest.
        self._head: tuple[Outcome, ...] = ()
        self._limit = LIMIT if limit is None else limit
        self._buffer: list[Outcome] = []
        self._file: IO[bytes] | None = None
        #: Per spilled chunk: offset of its insertion-order pickle, offset of its sorted run
        #: and the run's length.
        self._chunks: list[tuple[int, int, int]] = []
        self._spilled = 0

    def set_head(self, head: Iterable[Outcome]) -> None:
        """Put ``head`` before every outcome added (once the pass that fills the log is over)."""
        self._head = tuple(head)

    def append(self, outcome: Outcome) -> None:
        """Add one outcome (at the end)."""
        self._buffer.append(outcome)
        if len(self._buffer) >= self._limit:
            self._spill()

    def extend(self, outcomes: Iterable[Outcome]) -> None:
        """Add outcomes (at the end, in order)."""
        for outcome in outcomes:
            self.append(outcome)

    def _spill(self) -> None:
        if self._file is None:
            # Lives as long as the log (closed when it is collected): no `with` can hold it.
            self._file = tempfile.TemporaryFile(prefix="edi-scrub-outcomes-")  # noqa: SIM115
        f = self._file
        f.seek(0, 2)
        at = f.tell()
        pickle.dump(self._buffer, f, pickle.HIGHEST_PROTOCOL)
        run = f.tell()
        pickler = pickle.Pickler(f, pickle.HIGHEST_PROTOCOL)
        for outcome in sorted(self._buffer, key=self._key):
            # One pickle per outcome (memo cleared) so a run can be read back one at a time.
            pickler.dump(outcome)
            pickler.clear_memo()
        self._chunks.append((at, run, len(self._buffer)))
        self._spilled += len(self._buffer)
        self._buffer = []

    def __len__(self) -> int:
        return len(self._head) + self._spilled + len(self._buffer)

    def __iter__(self) -> Iterator[Outcome]:
        yield from self._head
        for at, _, _ in self._chunks:
            assert self._file is not None
            self._file.seek(at)
            chunk: list[Outcome] = pickle.load(self._file)
            yield from chunk
        yield from list(self._buffer)

    @overload
    def __getitem__(self, index: int) -> Outcome: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Outcome]: ...

    def __getitem__(self, index: int | slice) -> Outcome | Sequence[Outcome]:
        # Rare (tests, library users); reads everything rather than indexing the file.
        return tuple(self)[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"OutcomeLog({len(self)} outcomes, {len(self._chunks)} spilled chunks)"

    def __reduce__(self) -> tuple[type[tuple[Outcome, ...]], tuple[tuple[Outcome, ...]]]:
        return (tuple, (tuple(self),))

    def _run(self, at: int, count: int) -> Iterator[Outcome]:
        # Several runs are read at once from one file: each read seeks to where its run is.
        assert self._file is not None
        f = self._file
        for _ in range(count):
            f.seek(at)
            outcome: Outcome = pickle.load(f)
            at = f.tell()
            yield outcome

    def merged(self) -> Iterator[Outcome]:
        """``sorted(self, key=key)``, streamed (one outcome per spilled chunk in memory)."""
        runs: list[Iterable[Outcome]] = [sorted(self._head, key=self._key)]
        runs += [self._run(run, count) for _, run, count in self._chunks]
        runs.append(sorted(self._buffer, key=self._key))
        return heapq.merge(*runs, key=self._key)
