"""Each claim's segment range in the input and the output, kept on disk in fixed blocks.

The pipeline needs, per claim, where it sits in the input and in the output (structural
findings name their claim; revert-on-worse and cured findings compare the two walks). A frozen
object per claim cost about 200 bytes with its CLM01; int arrays still cost 57 bytes per claim
(57 MiB at a million claims). This table keeps the numbers of the last :data:`BLOCK` claims in
arrays and writes each full block to an anonymous temporary file, column by column; a read
loads one column of one block (32 KiB) and keeps the few it read last. In memory: the current
block, a few cached columns, and each block's first input and output position (for
:meth:`SpanTable.find`), 16 bytes per 4,096 claims. CLM01s go to a second anonymous file, read
back only for the few claims a finding or ``--rejects`` names. :class:`Span` is the per-claim
view. The files have no name (``TemporaryFile``) and vanish with the process.
"""

from __future__ import annotations

import bisect
import tempfile
from array import array
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, overload

_CHANGED, _FAILING = 1, 2
#: Claims per block. Read back as one column of 8-byte ints: 32 KiB per read.
BLOCK = 4096
#: The int columns, in the order a block stores them (the flags byte column comes last).
_ORDINAL, _IN_FIRST, _IN_LAST, _OUT_FIRST, _OUT_LAST, _ID_AT = range(6)
_COLUMNS = 6
_FLAGS = _COLUMNS
#: Column blocks kept after a read (a scan reads them in turn; a bisect touches a few).
_CACHED = 16


@dataclass(frozen=True, slots=True)
class Span:
    """One claim's ranges (1-based segment positions, inclusive)."""

    ordinal: int
    claim_id: str
    in_first: int
    in_last: int
    out_first: int
    out_last: int
    changed: bool
    #: A claim finding at or above ``fail_on`` remains (the claim ``--rejects`` would move).
    failing: bool = False


class _Column(Sequence[int]):
    """One int column of a :class:`SpanTable`, indexed by claim index (and bisectable)."""

    def __init__(self, table: SpanTable, column: int) -> None:
        self._table, self._column = table, column

    def __len__(self) -> int:
        return len(self._table)

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...

    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        return self._table.value(self._column, index)


class SpanTable(Sequence[Span]):
    """Append-only claim spans in input order (so both ranges ascend)."""

    def __init__(self, block: int | None = None) -> None:
        # BLOCK is read here, not bound at definition, so tests can lower it.
        self._block = BLOCK if block is None else block
        #: The current (last, not yet written) block: one array per int column, and flags.
        self._tail = [array("q") for _ in range(_COLUMNS)]
        self._tail_flags = bytearray()
        #: Full blocks written to ``_data``, and each one's first input/output position.
        self._blocks = 0
        self._in_starts = array("q")
        self._out_starts = array("q")
        self._data: IO[bytes] | None = None
        self._cache: OrderedDict[tuple[int, int], Sequence[int]] = OrderedDict()
        self._ids: IO[bytes] | None = None
        self._end = 0
        self._read = False
        self.ordinal = _Column(self, _ORDINAL)
        self.in_first = _Column(self, _IN_FIRST)
        self.in_last = _Column(self, _IN_LAST)
        self.out_first = _Column(self, _OUT_FIRST)
        self.out_last = _Column(self, _OUT_LAST)

    def add(self, span: Span) -> None:
        """Append the next claim's span."""
        if self._ids is None:
            # Lives as long as the table (closed when it is collected): no `with` can hold it.
            self._ids = tempfile.TemporaryFile(prefix="edi-scrub-claims-")  # noqa: SIM115
        if self._read:
            # Only after a read: a seek per claim would flush the write buffer every time.
            self._ids.seek(self._end)
            self._read = False
        data = span.claim_id.encode("utf-8", "surrogateescape")
        tail = self._tail
        if not self._tail_flags:
            self._in_starts.append(span.in_first)
            self._out_starts.append(span.out_first)
        tail[_ID_AT].append(self._end)
        self._ids.write(data)
        self._end += len(data)
        tail[_ORDINAL].append(span.ordinal)
        tail[_IN_FIRST].append(span.in_first)
        tail[_IN_LAST].append(span.in_last)
        tail[_OUT_FIRST].append(span.out_first)
        tail[_OUT_LAST].append(span.out_last)
        self._tail_flags.append(
            (_CHANGED if span.changed else 0) | (_FAILING if span.failing else 0)
        )
        if len(self._tail_flags) == self._block:
            self._write_block()

    def _write_block(self) -> None:
        if self._data is None:
            # Unbuffered: every block is written and read at an explicit offset.
            self._data = tempfile.TemporaryFile(prefix="edi-scrub-spans-", buffering=0)  # noqa: SIM115
        f = self._data
        f.seek(self._blocks * self._block_bytes())
        for column in self._tail:
            f.write(column.tobytes())
        f.write(bytes(self._tail_flags))
        self._blocks += 1
        self._tail = [array("q") for _ in range(_COLUMNS)]
        self._tail_flags = bytearray()

    def _block_bytes(self) -> int:
        return self._block * (8 * _COLUMNS + 1)

    def _part(self, block: int, column: int) -> Sequence[int]:
        """Column ``column`` (``_FLAGS``: the flags) of block ``block``."""
        if block == self._blocks:
            return self._tail_flags if column == _FLAGS else self._tail[column]
        key = (block, column)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        assert self._data is not None
        size = self._block if column == _FLAGS else 8 * self._block
        self._data.seek(block * self._block_bytes() + column * 8 * self._block)
        raw = self._data.read(size)
        part: Sequence[int] = raw
        if column != _FLAGS:
            ints = array("q")
            ints.frombytes(raw)
            part = ints
        self._cache[key] = part
        if len(self._cache) > _CACHED:
            self._cache.popitem(last=False)
        return part

    def value(self, column: int, i: int) -> int:
        """Int column ``column`` of claim ``i`` (index, not ordinal; negative from the end)."""
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("span index out of range")
        block, at = divmod(i, self._block)
        return self._part(block, column)[at]

    def _flags(self, i: int) -> int:
        block, at = divmod(i, self._block)
        return self._part(block, _FLAGS)[at]

    def changed(self, i: int) -> bool:
        """Whether claim ``i`` (index, not ordinal) was changed by a fix."""
        return bool(self._flags(i) & _CHANGED)

    def failing(self, i: int) -> bool:
        """Whether claim ``i`` keeps a failing claim finding."""
        return bool(self._flags(i) & _FAILING)

    def claim_id(self, i: int) -> str:
        """Claim ``i``'s CLM01 (read back from the temporary file)."""
        assert self._ids is not None
        start = self.value(_ID_AT, i)
        end = self.value(_ID_AT, i + 1) if i + 1 < len(self) else self._end
        self._read = True
        self._ids.seek(start)
        data = self._ids.read(end - start)
        return data.decode("utf-8", "surrogateescape")

    def find(self, segment: int, output: bool) -> int | None:
        """Index of the claim whose input (or output) range holds ``segment``, if any."""
        # The block: the last whose first claim starts at or before ``segment`` (both ranges
        # ascend, so the claim, if any, is in it); then the claim within the block.
        starts = self._out_starts if output else self._in_starts
        block = bisect.bisect_right(starts, segment) - 1
        if block < 0:
            return None
        firsts = self._part(block, _OUT_FIRST if output else _IN_FIRST)
        lasts = self._part(block, _OUT_LAST if output else _IN_LAST)
        at = bisect.bisect_right(firsts, segment) - 1
        return block * self._block + at if at >= 0 and segment <= lasts[at] else None

    def __len__(self) -> int:
        return self._blocks * self._block + len(self._tail_flags)

    @overload
    def __getitem__(self, index: int) -> Span: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Span]: ...

    def __getitem__(self, index: int | slice) -> Span | Sequence[Span]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        i = range(len(self))[index]
        return Span(
            self.ordinal[i],
            self.claim_id(i),
            self.in_first[i],
            self.in_last[i],
            self.out_first[i],
            self.out_last[i],
            self.changed(i),
            self.failing(i),
        )

    def __iter__(self) -> Iterator[Span]:
        for i in range(len(self)):
            yield self[i]
