"""Bounded memo of segments the compiled validator already found clean.

Most segments of an 837 repeat word for word (the billing provider's NM1/N3/N4/REF, the payer,
SBR, DTP dates, HI, SV1 with the same codes and charges). What the validator does with a
segment depends on:

* its text, the delimiters it is split with, and the map node it is validated at (element
  and syntax checks: :func:`._tr3_segment.segment_errors` reads nothing else);
* the map node the walk starts from and the segment id and qualifiers, which decide the walk
  program (:mod:`._tr3_walk`); only the program's replay reads the live counters;
* the reader's checks, which for segments other than ISA/GS/ST/HL/SE/GE/IEA depend on the
  text alone, except LX (LX01 against the reader's line count) and CLM (resets that count).

So two levels are kept, per (map, element separator, component separator):

* ``clean[(node, text)]``: validated at ``node``, ``text`` gives no element or segment error.
* ``whole[(start node, text)]``: from ``start node``, ``text`` walks with the stored program
  to a node where it is clean, and the reader's text checks have nothing to say about it. A
  hit skips the split, the reader's text checks, the program look-up and the element checks;
  the program is still replayed against the live counters (its errors are filed as usual),
  and an LX whose LX01 does not follow the live line count goes the full way.

Both are filled only from segments that gave no finding at all, and never when a 999 is being
built (that path wants every event). Each level holds at most :data:`LIMIT` entries and is
emptied when full, so memory stays flat at any file size.
"""

from __future__ import annotations

from typing import Final, Generic, TypeVar

from edi_scrub.x12._tr3_walk import Program, Quick

#: Entries per level and per (map, delimiters). The segments worth remembering recur within a
#: few claims (about 24 segments each), so a small memo is enough: validating a 100,000-claim
#: 837P took the same CPU (12.4-12.9 s, noise) at 16,384, 4,096 and 1,024, and each process
#: that validates (the main one for the output check, the input validation worker) holds
#: ~5 MiB less than at 16,384.
LIMIT = 4096
#: Set to False (tests) to validate every segment the full way.
ENABLED = True

#: A ``whole`` entry: (segment id, the node walked to, the program's quick form, reader kind,
#: LX01 as an int or -1, the walk program), flat so that a hit is one unpacking.
#: Reader kinds: see ``PLAIN``/``CLM``/``LX``.
Whole = tuple[str, int, Quick | None, int, int, Program]
PLAIN: Final = 0
CLM: Final = 1
LX: Final = 2


V = TypeVar("V")


class Memo(Generic[V]):
    """A dict bounded at ``limit`` entries: when full, it is emptied (the validator's loop
    inlines :meth:`put`; the segments that matter are back after a few hundred misses)."""

    __slots__ = ("data", "limit")

    def __init__(self, limit: int = LIMIT) -> None:
        self.data: dict[tuple[int, str], V] = {}
        self.limit = limit

    def put(self, key: tuple[int, str], value: V) -> None:
        data = self.data
        if len(data) >= self.limit:
            data.clear()
        data[key] = value


class Memos:
    """The two levels for one (map, delimiters)."""

    __slots__ = ("clean", "whole")

    def __init__(self, limit: int = LIMIT) -> None:
        self.clean: Memo[bool] = Memo(limit)
        self.whole: Memo[Whole] = Memo(limit)


_ALL: dict[tuple[str, str, str], Memos] = {}
_KINDS_MAX: Final = 16


def memos(map_name: str, ele: str, sub: str) -> Memos:
    key = (map_name, ele, sub)
    found = _ALL.get(key)
    if found is None:
        if len(_ALL) >= _KINDS_MAX:
            _ALL.clear()  # many delimiter sets in one process: start afresh
        found = _ALL[key] = Memos(LIMIT)
    return found


def clear() -> None:
    _ALL.clear()
