"""Delimiters of an interchange, read from its ISA segment."""

from __future__ import annotations

from dataclasses import dataclass

from edi_scrub.errors import InputError

#: Characters that may follow a terminator as line formatting (CRLF after ``~`` and the like).
LINE_WHITESPACE = frozenset("\r\n")

_ISA_ELEMENTS = 16


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The four X12 delimiters. ``repetition`` is ISA11 (5010); it may equal another delimiter
    in sloppy files, in which case it is treated as data."""

    element: str
    component: str
    repetition: str
    segment: str

    def trailing_whitespace(self) -> frozenset[str]:
        """Characters that, after a terminator, are formatting rather than data."""
        return frozenset(c for c in LINE_WHITESPACE if c not in (self.element, self.component))


def parse_isa(text: str, where: str = "<input>", offset: int = 0) -> tuple[Delimiters, int]:
    """Read the delimiters from an ISA at the start of ``text``.

    Returns the delimiters and the length of the ISA text (without its terminator). Real files
    carry ISAs of 104–136 characters, so the ISA is split on its own element separator rather
    than read at fixed columns; ISA16 is the single character after the 16th separator and the
    segment terminator is the character after that.
    """
    if not text.startswith("ISA") or len(text) < 4:
        raise InputError(f"{where}: byte {offset}: not X12 (no ISA segment at the start)")
    element = text[3]
    if element.isalnum() or element == " ":
        raise InputError(f"{where}: byte {offset}: not X12 (ISA element separator is {element!r})")
    pos = 0
    for _ in range(_ISA_ELEMENTS):
        pos = text.find(element, pos + 1)
        if pos < 0:
            raise InputError(f"{where}: byte {offset}: truncated ISA (fewer than 16 elements)")
    if pos + 2 >= len(text):
        raise InputError(f"{where}: byte {offset}: truncated ISA (no ISA16 or terminator)")
    component = text[pos + 1]
    segment = text[pos + 2]
    fields = text[: pos + 2].split(element)
    repetition = fields[11] if len(fields[11]) == 1 and not fields[11].isalnum() else ""
    if segment.isalnum() or segment == " " or segment in (element, component):
        raise InputError(
            f"{where}: byte {offset}: ISA has no usable segment terminator after ISA16"
        )
    return Delimiters(element, component, repetition, segment), pos + 2
