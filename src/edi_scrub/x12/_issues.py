"""The result types of structural validation (re-exported by :mod:`edi_scrub.x12.validate`).

They live apart from ``validate`` so that the normaliser, the message scrubber and the pyx12
driver can all build issues without importing the public module that imports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


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
