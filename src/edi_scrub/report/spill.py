"""Outcomes kept on disk past a bound, so a run's memory does not grow with its findings.

A 100,000-claim file with a defect in one claim of five carries some 130,000 findings; held as
objects they were most of the run's peak memory (155 MiB). :class:`OutcomeLog` keeps at most
``limit`` of them in memory and pickles the rest to an anonymous temporary file in chunks.
Each chunk is written once, sorted by the report's key, in groups of :data:`GROUP` outcomes (one
pickle each), every outcome with its index in the chunk: :meth:`OutcomeLog.merged` streams the
report order with :func:`heapq.merge` (an external merge sort) holding one group per chunk, and
iteration reads a chunk's groups and puts them back in insertion order by those indices.

An outcome is pickled as a plain tuple of its fields (:func:`_encode`), not as three objects:
pickling dataclasses costs a class reference and a state dict each, and one outcome per pickle
repeated them all; this format costs about a third of the CPU of the one before it. A fix is
flattened the same way (:func:`_encode_fix`, its edits too): pickling a Fix and its edits as
objects cost ~4 us each way, most of an outcome's cost when it had one.

The report reads the log without rebuilding the spilled outcomes: :meth:`OutcomeLog.merged_rows`
gives them in report order as stored, for the JSON writer to format (:func:`row_fields`), and
:meth:`OutcomeLog.tally` counts them for the summary as they are added.

``heapq.merge`` breaks ties in favour of the earlier iterable and :func:`sorted` is stable, so
the merged order equals ``sorted(all outcomes, key=key)`` exactly; the report bytes do not
change.

The merge holds one group per chunk it reads, so with many chunks (317 at a million claims) it
would grow with the number of findings (13 KiB per chunk, 4 MiB there). Past :data:`FAN_IN`
chunks they are first merged in rounds, :data:`FAN_IN` consecutive chunks at a time, into longer
sorted runs in a second temporary file (the outcomes stay encoded: no decoding, only pickling),
until at most :data:`FAN_IN` runs are left; a merge of consecutive runs, each stable, keeps the
order of equal keys, so the result is still exactly ``sorted``. The rounds are done once per
log (a second :meth:`OutcomeLog.merged` reads the same runs) and cost one more write and read
of the spilled outcomes; below :data:`FAN_IN` chunks (262,144 outcomes) nothing changes.
"""

from __future__ import annotations

import dataclasses
import heapq
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Any, cast, overload

from edi_scrub.fixes.edits import (
    Applicability,
    DeleteSegments,
    Edit,
    Fix,
    InsertSegments,
    Reach,
    SetElement,
)
from edi_scrub.fixes.engine import FixStatus, Outcome
from edi_scrub.model.claim import Loc
from edi_scrub.rules._base import Finding, Severity

#: Outcomes held in memory before a chunk is spilled (a few MiB of findings).
LIMIT = 4096
#: Outcomes per pickle in a spilled chunk; the merge holds one group per chunk.
GROUP = 16
#: Most chunks (or runs) merged at once; more are merged in rounds first (read when merging,
#: so tests can lower it).
FAN_IN = 64

#: An outcome as stored: its index in the chunk and its encoded fields (or the object).
_Stored = tuple[int, object]

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
        #: Per spilled chunk: where its sorted groups start, and how many outcomes it holds.
        self._chunks: list[tuple[int, int]] = []
        self._spilled = 0
        #: The rounds' result: how many chunks it covers, its file and its runs (at, count).
        self._rounds: tuple[int, IO[bytes], list[tuple[int, int]]] | None = None
        #: Outcomes added, counted by :func:`tally_key` (the report's summary reads these
        #: instead of reading every spilled outcome back).
        self._tally: dict[TallyKey, int] = {}

    @property
    def key(self) -> SortKey:
        """The order :meth:`merged` sorts by."""
        return self._key

    def set_head(self, head: Iterable[Outcome]) -> None:
        """Put ``head`` before every outcome added (once the pass that fills the log is over)."""
        tally = self._tally
        for outcome in self._head:
            key = tally_key(outcome)
            tally[key] -= 1
        self._head = tuple(head)
        for outcome in self._head:
            key = tally_key(outcome)
            tally[key] = tally.get(key, 0) + 1

    def append(self, outcome: Outcome) -> None:
        """Add one outcome (at the end)."""
        self._buffer.append(outcome)
        key = tally_key(outcome)
        self._tally[key] = self._tally.get(key, 0) + 1
        if len(self._buffer) >= self._limit:
            self._spill()

    def extend(self, outcomes: Iterable[Outcome]) -> None:
        """Add outcomes (at the end, in order)."""
        # append() inlined: the pipeline adds each claim's outcomes (a few, often none).
        buffer, tally, limit = self._buffer, self._tally, self._limit
        for outcome in outcomes:
            buffer.append(outcome)
            key = tally_key(outcome)
            tally[key] = tally.get(key, 0) + 1
            if len(buffer) >= limit:
                self._spill()
                buffer = self._buffer

    def tally(self) -> dict[TallyKey, int]:
        """How many outcomes (head included) have each :func:`tally_key`, without reading
        the spilled ones back."""
        return {key: n for key, n in self._tally.items() if n}

    def _spill(self) -> None:
        if self._file is None:
            # Lives as long as the log (closed when it is collected): no `with` can hold it.
            self._file = tempfile.TemporaryFile(prefix="edi-scrub-outcomes-")  # noqa: SIM115
        f = self._file
        f.seek(0, 2)
        at = f.tell()
        chunk, key = self._buffer, self._key
        # Indices sorted by the outcomes' keys: stable, so the same order as sorted(chunk).
        order = sorted(range(len(chunk)), key=lambda i: key(chunk[i]))
        for start in range(0, len(order), GROUP):
            group = [(i, _encode(chunk[i])) for i in order[start : start + GROUP]]
            pickle.dump(group, f, pickle.HIGHEST_PROTOCOL)
        self._chunks.append((at, len(chunk)))
        self._spilled += len(chunk)
        self._buffer = []

    def __len__(self) -> int:
        return len(self._head) + self._spilled + len(self._buffer)

    def __iter__(self) -> Iterator[Outcome]:
        yield from self._head
        for at, count in self._chunks:
            assert self._file is not None
            self._file.seek(at)
            chunk: list[Outcome | None] = [None] * count
            for _ in range(0, count, GROUP):
                group: list[_Stored] = pickle.load(self._file)
                for i, stored in group:
                    chunk[i] = _decode(stored)
            yield from cast(list[Outcome], chunk)
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
        for _ in range(0, count, GROUP):
            f.seek(at)
            group: list[_Stored] = pickle.load(f)
            at = f.tell()
            for _, stored in group:
                yield _decode(stored)

    def merged(self) -> Iterator[Outcome]:
        """``sorted(self, key=key)``, streamed (one group per spilled run in memory)."""
        runs: list[Iterable[Outcome]] = [sorted(self._head, key=self._key)]
        if len(self._chunks) <= FAN_IN:
            runs += [self._run(at, count) for at, count in self._chunks]
        else:
            f, spans = self._merge_rounds(FAN_IN)
            runs += [self._decoded(f, at, count) for at, count in spans]
        runs.append(sorted(self._buffer, key=self._key))
        return heapq.merge(*runs, key=self._key)

    def _decoded(self, f: IO[bytes], at: int, count: int) -> Iterator[Outcome]:
        for stored in _stored_run(f, at, count, indexed=False):
            yield _decode(stored)

    def merged_rows(self) -> Iterator[object]:
        """What :meth:`merged` gives, in the same order, but each outcome as :func:`_encode`
        stores it (a tuple of its fields, or the outcome itself): the JSON writer formats
        those directly, so no spilled outcome is rebuilt as three objects (see
        :func:`row_fields`)."""
        key = self._stored_key
        runs: list[Iterable[object]] = [sorted(map(_encode, self._head), key=key)]
        if len(self._chunks) <= FAN_IN:
            assert self._file is not None or not self._chunks
            runs += [
                _stored_run(cast(IO[bytes], self._file), at, count, indexed=True)
                for at, count in self._chunks
            ]
        else:
            f, spans = self._merge_rounds(FAN_IN)
            runs += [_stored_run(f, at, count, indexed=False) for at, count in spans]
        runs.append(sorted(map(_encode, self._buffer), key=key))
        return heapq.merge(*runs, key=key)

    def _merge_rounds(self, fan_in: int) -> tuple[IO[bytes], list[tuple[int, int]]]:
        """The spilled chunks merged into at most ``fan_in`` sorted runs (see the module)."""
        if self._rounds is not None:
            covered, f, spans = self._rounds
            if covered == len(self._chunks):
                return f, spans
            f.close()  # chunks were added since: merge them all again
            self._rounds = None
        assert self._file is not None
        source, indexed, runs = self._file, True, list(self._chunks)
        while len(runs) > fan_in:
            # Lives as long as the log, like the chunks' file.
            dest = tempfile.TemporaryFile(prefix="edi-scrub-outcomes-")  # noqa: SIM115
            merged: list[tuple[int, int]] = []
            for start in range(0, len(runs), fan_in):
                streams = [
                    _stored_run(source, at, count, indexed)
                    for at, count in runs[start : start + fan_in]
                ]
                at, count, group = dest.tell(), 0, []
                for stored in heapq.merge(*streams, key=self._stored_key):
                    group.append(stored)
                    if len(group) == GROUP:
                        pickle.dump(group, dest, pickle.HIGHEST_PROTOCOL)
                        count, group = count + len(group), []
                if group:
                    pickle.dump(group, dest, pickle.HIGHEST_PROTOCOL)
                    count += len(group)
                merged.append((at, count))
            if source is not self._file:
                source.close()
            source, indexed, runs = dest, False, merged
        self._rounds = (len(self._chunks), source, runs)
        return source, runs

    def _stored_key(self, stored: object) -> Any:
        """The sort key of an encoded outcome (read off the tuple for the report's order)."""
        if self._key is report_order and type(stored) is tuple:
            loc = stored[5]
            return (loc[1] if loc is not None and loc[1] > 0 else 0, stored[0])
        return self._key(_decode(stored))


def _stored_run(f: IO[bytes], at: int, count: int, indexed: bool) -> Iterator[object]:
    """The encoded outcomes of one sorted run: a chunk's (``indexed``: stored with their index
    in the chunk) or a round's. Several runs are read at once from one file: each read seeks."""
    for _ in range(0, count, GROUP):
        f.seek(at)
        group: list[Any] = pickle.load(f)
        at = f.tell()
        if indexed:
            for _, stored in group:
                yield stored
        else:
            yield from group


#: What the report's summary counts an outcome by: its severity, whether its fix was applied,
#: and whether it counts as fixed when it was (a fix without edits only records what another
#: fix did, LX002's renumbering).
TallyKey = tuple[Severity, bool, bool]


def tally_key(o: Outcome) -> TallyKey:
    """The :data:`TallyKey` of ``o``."""
    fix = o.finding.fix
    return (o.finding.severity, o.status is FixStatus.APPLIED, fix is None or bool(fix.edits))


#: An outcome's report fields: rule, name, severity value, claim, line, segment (0: none),
#: element reference ("": none), message, fix status value, and the fix's applicability value,
#: before and after (``None``, ``None``, ``None`` without a fix).
RowFields = tuple[
    str, str, str, str | None, int | None, int, str, str, str, str | None, str | None, str | None
]


def row_fields(row: object) -> RowFields:
    """The report fields of a row of :meth:`OutcomeLog.merged_rows` (or of an outcome)."""
    if type(row) is tuple:
        rule, name, severity, claim, line, loc, message, fix, status = row
        segment, ref = (0, "") if loc is None else (loc[1], loc[2])
        applicability: str | None
        before: str | None
        after: str | None
        if fix is None:
            applicability = before = after = None
        elif type(fix) is tuple:
            applicability, before, after = fix[0], fix[2], fix[3]
        else:
            applicability, before, after = fix.applicability._value_, fix.before, fix.after
        return (
            rule,
            name,
            severity,
            claim,
            line,
            segment,
            ref,
            message,
            status,
            applicability,
            before,
            after,
        )
    o = cast(Outcome, row)
    f = o.finding
    loc = f.loc
    segment, ref = (0, "") if loc is None else (loc.segment, loc.ref)
    fix = f.fix
    return (
        f.rule,
        f.name,
        f.severity._value_,
        f.claim,
        f.line,
        segment,
        ref,
        f.message,
        o.status._value_,
        None if fix is None else fix.applicability._value_,
        None if fix is None else fix.before,
        None if fix is None else fix.after,
    )


#: Edit classes stored as tuples tagged with their index here (see :func:`_encode_fix`).
_EDITS: tuple[type[Edit], ...] = (SetElement, InsertSegments, DeleteSegments)
_EDIT_TAGS: dict[type, int] = {cls: n for n, cls in enumerate(_EDITS)}
_EDIT_FIELDS: tuple[tuple[str, ...], ...] = tuple(
    tuple(f.name for f in dataclasses.fields(cls)) for cls in _EDITS
)
# Enum members by value: calling an Enum class to look one up is slow (Python-level).
_SEVERITIES = {m._value_: m for m in Severity}
_STATUSES = {m._value_: m for m in FixStatus}
_APPLICABILITIES = {m._value_: m for m in Applicability}
_REACHES = {m._value_: m for m in Reach}


def _encode_fix(fix: Fix | None) -> object:
    """The fix as a flat tuple (the object itself when it or an edit is of a subclass).

    Pickling a frozen slots dataclass costs a reduce call and a state list each way, about
    4 us per fix: most of a spilled outcome's cost when it had one.
    """
    if fix is None or type(fix) is not Fix:
        return fix
    edits = []
    for edit in fix.edits:
        tag = _EDIT_TAGS.get(type(edit))
        if tag is None:
            return fix
        edits.append((tag, *(getattr(edit, name) for name in _EDIT_FIELDS[tag])))
    return (
        fix.applicability._value_,
        fix.description,
        fix.before,
        fix.after,
        tuple(edits),
        fix.reach._value_,
    )


def _decode_fix(stored: Any) -> Fix | None:
    """The fix :func:`_encode_fix` stored, equal to the one it was given."""
    if type(stored) is not tuple:
        return cast(Fix | None, stored)
    applicability, description, before, after, edits, reach = stored
    return Fix(
        _APPLICABILITIES[applicability],
        description,
        before,
        after,
        tuple(_EDITS[edit[0]](*edit[1:]) for edit in edits),
        _REACHES[reach],
    )


def _encode(outcome: Outcome) -> object:
    """The outcome's fields as a flat tuple (the object itself when it is of a subclass)."""
    finding, loc = outcome.finding, outcome.finding.loc
    exact = type(outcome) is Outcome and type(finding) is Finding
    if not exact or (loc is not None and type(loc) is not Loc):
        return outcome
    return (
        finding.rule,
        finding.name,
        # _value_, not value: an Enum's ``value`` is a Python-level property (two per outcome).
        finding.severity._value_,
        finding.claim,
        finding.line,
        None if loc is None else (loc.pos, loc.segment, loc.ref),
        finding.message,
        _encode_fix(finding.fix),
        outcome.status._value_,
    )


def _decode(stored: object) -> Outcome:
    """The outcome :func:`_encode` stored, equal to the one it was given."""
    if isinstance(stored, Outcome):
        return stored
    rule, name, severity, claim, line, loc, message, fix, status = cast(tuple[Any, ...], stored)
    finding = Finding(
        rule,
        name,
        _SEVERITIES[severity],
        claim,
        line,
        None if loc is None else Loc(*loc),
        message,
        _decode_fix(fix),
    )
    return Outcome(finding, _STATUSES[status])
