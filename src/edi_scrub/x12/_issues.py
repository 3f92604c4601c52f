"""The result types of structural validation (re-exported by :mod:`edi_scrub.x12.validate`).

They live apart from ``validate`` so that the normaliser, the message scrubber and the pyx12
driver can all build issues without importing the public module that imports them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

#: What a real X12 segment id looks like (2-3 upper-case letters/digits, a letter first), and an
#: element reference built on one (``NM109``, ``SV101-2``).
_SEGMENT_ID: Final = re.compile(r"[A-Z][A-Z0-9]{1,2}")
_ELEMENT_REF: Final = re.compile(r"[A-Z][A-Z0-9]{1,2}[0-9]{2}(?:-[0-9]{1,2})?")


def known_segment_id(text: str) -> str:
    """``text`` when it is a well-formed segment id, else ``""``.

    A damaged byte turns a segment's text into its "id" (``N3#9517 OAK AVE``, an address):
    such an id is never repeated in a finding, report or log.
    """
    return text if _SEGMENT_ID.fullmatch(text) else ""


class StructuralLevel(StrEnum):
    """Where in the X12 hierarchy a finding sits (999 loop it would be reported in)."""

    INTERCHANGE = "interchange"
    GROUP = "group"
    TRANSACTION = "transaction"
    SEGMENT = "segment"
    ELEMENT = "element"


ENVELOPE_LEVELS: Final = frozenset({StructuralLevel.INTERCHANGE, StructuralLevel.GROUP})


@dataclass(frozen=True, slots=True)
class StructuralIssue:
    """One structural finding. ``message`` never carries element values."""

    segment: int
    segment_id: str
    element: str
    level: StructuralLevel
    code: str
    ack_codes: str
    message: str
    transaction: int

    def __post_init__(self) -> None:
        # The one place every issue passes: ids and element refs from unidentifiable segments
        # are dropped here, whoever built the issue.
        object.__setattr__(self, "segment_id", known_segment_id(self.segment_id))
        if not _ELEMENT_REF.fullmatch(self.element):
            object.__setattr__(self, "element", "")


@dataclass(frozen=True, slots=True)
class StructuralResult:
    """Findings of one validation run.

    ``ack`` is the 999 acknowledging the validated input when one was asked for and could be
    built (see :func:`edi_scrub.x12.validate.validate_segments`), else ``None``; ``ack_note``
    then says why there is none.
    """

    issues: tuple[StructuralIssue, ...]
    implementation: str
    aliases: tuple[str, ...]
    validated: bool
    ack: str | None = None
    ack_note: str = ""
