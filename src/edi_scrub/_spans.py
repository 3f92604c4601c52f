"""Each claim's segment range in the input and the output, kept compact.

The pipeline needs, per claim, where it sits in the input and in the output (structural
findings name their claim; revert-on-worse and cured findings compare the two walks). A frozen
object per claim cost about 200 bytes with its CLM01; this table keeps five machine integers and
a flag byte per claim in arrays, and the CLM01s in an anonymous temporary file, read back only
for the few claims a finding or ``--rejects`` names. :class:`Span` is the per-claim view.
"""

from __future__ import annotations

import bisect
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, overload

_CHANGED, _FAILING = 1, 2


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


class SpanTable(Sequence[Span]):
    """Append-only claim spans in input order (so both ranges ascend)."""

    def __init__(self) -> None:
        self.ordinal = array("q")
        self.in_first = array("q")
        self.in_last = array("q")
        self.out_first = array("q")
        self.out_last = array("q")
        self._flags = bytearray()
        self._ids: IO[bytes] | None = None
        self._id_at = array("q")
        self._end = 0
        self._read = False

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
        self._id_at.append(self._end)
        self._ids.write(data)
        self._end += len(data)
        self.ordinal.append(span.ordinal)
        self.in_first.append(span.in_first)
        self.in_last.append(span.in_last)
        self.out_first.append(span.out_first)
        self.out_last.append(span.out_last)
        self._flags.append((_CHANGED if span.changed else 0) | (_FAILING if span.failing else 0))

    def changed(self, i: int) -> bool:
        """Whether claim ``i`` (index, not ordinal) was changed by a fix."""
        return bool(self._flags[i] & _CHANGED)

    def failing(self, i: int) -> bool:
        """Whether claim ``i`` keeps a failing claim finding."""
        return bool(self._flags[i] & _FAILING)

    def claim_id(self, i: int) -> str:
        """Claim ``i``'s CLM01 (read back from the temporary file)."""
        assert self._ids is not None
        end = self._id_at[i + 1] if i + 1 < len(self._id_at) else self._end
        self._read = True
        self._ids.seek(self._id_at[i])
        data = self._ids.read(end - self._id_at[i])
        return data.decode("utf-8", "surrogateescape")

    def find(self, segment: int, output: bool) -> int | None:
        """Index of the claim whose input (or output) range holds ``segment``, if any."""
        firsts, lasts = (self.out_first, self.out_last) if output else (self.in_first, self.in_last)
        i = bisect.bisect_right(firsts, segment) - 1
        return i if i >= 0 and segment <= lasts[i] else None

    def __len__(self) -> int:
        return len(self._flags)

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
