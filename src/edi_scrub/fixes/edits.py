"""Edits: the only way a fix changes a claim.

Each edit addresses segments by their position inside the claim's segment list and carries the
value it expects to replace, so the engine can refuse a stale edit instead of clobbering data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Applicability(StrEnum):
    """How sure a fix is (ruff's three levels, plus rules with no fix)."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    SUGGESTION = "suggestion"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class SetElement:
    """Replace element (or component) ``ref`` of the segment at ``pos``; ``old`` must match."""

    pos: int
    ref: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class InsertSegments:
    """Insert new segments, given as element lists (``[id, e1, e2, ...]``), after ``after``."""

    after: int
    segments: tuple[tuple[str, ...], ...]
    #: Positions the new segments were copied from: another fix touching them in the same
    #: pass would make the copy stale, so they count as touched.
    copied_from: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class DeleteSegments:
    """Delete segments ``first..last`` (inclusive); ``ids`` are their expected segment ids."""

    first: int
    last: int
    ids: tuple[str, ...]


Edit = SetElement | InsertSegments | DeleteSegments


class Reach(StrEnum):
    """What a fix can change, from least to most (docs/fixes.md).

    The wider the reach, the more proof a fix needs and the more claims it must leave alone:
    on a COB claim only formatting is repaired, on a void nothing.
    """

    #: Representation only: NDC hyphens, qualifiers, modifier order, line numbers, counts.
    FORMAT = "format"
    #: What is billed: a unit basis, a unit count, a code, a modifier, an NDC, a pointer.
    UNITS_CODES = "units-or-codes"
    #: Money or lines: a charge, CLM02, a line added or removed.
    MONEY_LINES = "money-or-lines"


@dataclass(frozen=True, slots=True)
class Fix:
    """A proposed correction: what it does, how sure it is, and the edits that do it."""

    applicability: Applicability
    description: str
    before: str
    after: str
    edits: tuple[Edit, ...] = ()
    #: What the fix can change. Unannotated fixes are treated as the widest reach, so a rule
    #: that forgets to say gets the most caution, never the least.
    reach: Reach = Reach.MONEY_LINES

    def positions(self) -> frozenset[int]:
        """Claim positions the fix touches (for the overlap check)."""
        touched: set[int] = set()
        for edit in self.edits:
            if isinstance(edit, SetElement):
                touched.add(edit.pos)
            elif isinstance(edit, InsertSegments):
                touched.add(edit.after)
                touched.update(edit.copied_from)
            else:
                touched.update(range(edit.first, edit.last + 1))
        return frozenset(touched)
