"""Reference copy of the lexer as it was before the speed work (issue 9, commit 74ab1c4).

Kept verbatim (but for this docstring) so that tests/test_lexer_reference.py can check that the
faster lexer yields the same segments, positions, formatting and errors on every input. Not
used by edi-scrub itself; do not "improve" it.

One deliberate change since (robustness round 4, branch robust-4in): the messages for input
that is not X12 text. A gzip, zip, PDF or UTF-32 file was called "UTF-16 encoded", and an
empty or blank file "does not start with ISA"; ``_check_not_utf16`` and the no-ISA message
below now say what the file is, as the lexer does. Segmentation is untouched. The lexer's
16 MiB segment limit is not copied: the differential inputs are far smaller.
"""


from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import BinaryIO

from edi_scrub.errors import InputError
from edi_scrub.x12.delimiters import Delimiters, parse_isa

ENCODING = "latin-1"
_BOM = "\xef\xbb\xbf"  # UTF-8 BOM as Latin-1 characters
_CHUNK = 1 << 20
_ISA_LOOKAHEAD = 256


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment exactly as it stood in the input.

    ``index`` is the 1-based position in the input file (ISA = 1); segments that edi-scrub
    creates carry 0. ``lead`` holds bytes before the segment that belong to no segment (a BOM).
    """

    index: int
    text: str
    terminator: str
    trailer: str
    delimiters: Delimiters
    lead: str = ""
    #: The segment identifier (``CLM``, ``SV1`` ...); derived from ``text`` once, because every
    #: stage dispatches on it.
    seg_id: str = field(init=False)

    def __post_init__(self) -> None:
        sep = self.text.find(self.delimiters.element)
        object.__setattr__(self, "seg_id", (self.text if sep < 0 else self.text[:sep]).strip())

    @property
    def elements(self) -> list[str]:
        """Element values; ``elements[0]`` is the segment id, so ``elements[2]`` is XXX02."""
        return self.text.split(self.delimiters.element)

    def element(self, position: int) -> str:
        """Element ``position`` (1-based) or ``""`` when absent."""
        parts = self.elements
        return parts[position] if position < len(parts) else ""

    def component(self, position: int, sub: int) -> str:
        """Component ``sub`` (1-based) of element ``position``, or ``""`` when absent."""
        parts = self.element(position).split(self.delimiters.component)
        return parts[sub - 1] if sub - 1 < len(parts) else ""

    def raw(self) -> str:
        """The segment's exact input text, formatting included."""
        return self.lead + self.text + self.terminator + self.trailer

    def with_text(self, text: str) -> Segment:
        """The same segment (position, terminator, formatting) carrying new text."""
        return replace(self, text=text)

    def with_elements(self, elements: list[str]) -> Segment:
        """The same segment rebuilt from element values with the input's own delimiters.

        Trailing empty elements are dropped, as X12 requires of newly written data.
        """
        while len(elements) > 1 and elements[-1] == "":
            elements = elements[:-1]
        return replace(self, text=self.delimiters.element.join(elements))


def _decode(data: bytes) -> str:
    return data.decode(ENCODING)


_WIDE = "; convert the file to ASCII or UTF-8"


def _check_not_utf16(head: str, where: str) -> None:
    # Round 4: what the file is (see the docstring), written independently of the lexer's
    # table so that the two are compared, not shared.
    if head.startswith("\x1f\x8b"):
        problem = "byte 0: gzip-compressed; decompress it first"
    elif head.startswith("PK\x03\x04"):
        problem = "byte 0: a zip archive (an xlsx or docx file is one too); extract the 837 first"
    elif head.startswith("PK\x05\x06"):
        problem = "byte 0: a zip archive (an empty one); extract the 837 first"
    elif head.startswith("%PDF-"):
        problem = "byte 0: binary (a PDF document), not X12 text"
    elif head[:4] in ("\xff\xfe\x00\x00", "\x00\x00\xfe\xff"):
        problem = f"byte 0: UTF-32 encoded{_WIDE}"
    elif head[:2] in ("\xff\xfe", "\xfe\xff"):
        problem = f"byte 0: UTF-16 encoded{_WIDE}"
    elif "\x00" not in head[:64]:
        return
    elif len(head) >= 4 and [c == "\x00" for c in head[:4]] in (
        [False, True, True, True],
        [True, True, True, False],
    ):
        problem = f"byte 0: UTF-32 encoded{_WIDE}"
    elif len(head) >= 2 and (head[0] == "\x00") != (head[1] == "\x00"):
        problem = f"byte 0: UTF-16 encoded{_WIDE}"
    else:
        problem = f"byte {head.index(chr(0))}: binary, not X12 text (a NUL byte)"
    raise InputError(f"{where}: {problem}")


def iter_segments(stream: BinaryIO, where: str = "<input>") -> Iterator[Segment]:
    """Yield the segments of an X12 byte stream, losslessly, in file order."""
    buf = ""
    eof = False
    consumed = 0  # characters (= bytes) before ``buf``
    index = 0

    def fill(minimum: int) -> None:
        nonlocal buf, eof
        while not eof and len(buf) < minimum:
            chunk = stream.read(_CHUNK)
            if not chunk:
                eof = True
            else:
                buf += _decode(chunk)

    fill(_ISA_LOOKAHEAD)
    _check_not_utf16(buf, where)
    lead = ""
    if buf.startswith(_BOM):
        lead, buf, consumed = _BOM, buf[3:], 3
    stripped = buf.lstrip(" \t\r\n")
    lead += buf[: len(buf) - len(stripped)]
    consumed += len(buf) - len(stripped)
    buf = stripped
    if not buf.startswith("ISA"):
        why = "the file does not start with ISA"
        if not buf and eof:  # round 4: an empty or blank file says so
            why = "the file holds only blank space or a BOM" if consumed else "the file is empty"
        raise InputError(f"{where}: byte {consumed}: not X12 ({why})")
    delims, _ = parse_isa(buf, where, consumed)
    ws = delims.trailing_whitespace()
    term = delims.segment
    pos = 0
    while True:
        end = buf.find(term, pos)
        while end < 0 and not eof:
            # Keep only the unconsumed tail so memory stays bounded by one segment.
            consumed += pos
            buf, pos = buf[pos:], 0
            fill(len(buf) + _CHUNK)
            end = buf.find(term, pos)
        if end < 0:
            tail = buf[pos:]
            if tail.strip(" \t\r\n\x00\x1a"):
                # An unterminated last segment: its line ending is formatting, not data (else
                # "IEA*1*000000001\n" would carry an IEA02 of "000000001\n").
                junk = "".join(c for c in " \r\n\x00\x1a" if c not in delims.element)
                body = tail.rstrip(junk)
                index += 1
                yield Segment(index, body, "", tail[len(body) :], delims, lead)
            elif tail:
                # Trailing whitespace after the last terminator belongs to no segment; hang it
                # on a zero-width pseudo-segment so the round trip stays exact.
                yield Segment(0, "", "", tail, delims, lead)
            return
        text = buf[pos:end]
        after = end + 1
        # Formatting after the terminator: CR/LF, and when the terminator is itself a newline,
        # further newlines (blank lines) too.
        while True:
            if after >= len(buf) and not eof:
                consumed += pos
                buf, end, after, pos = buf[pos:], end - pos, after - pos, 0
                fill(len(buf) + _CHUNK)
            if after < len(buf) and (buf[after] in ws or (buf[after] == term and term in "\r\n")):
                after += 1
            else:
                break
        index += 1
        seg = Segment(index, text, term, buf[end + 1 : after], delims, lead)
        lead = ""
        yield seg
        pos = after
        if seg.seg_id == "IEA":
            fill(pos + _ISA_LOOKAHEAD)
            rest = buf[pos:]
            if rest.startswith("ISA"):
                delims, _ = parse_isa(rest, where, consumed + pos)
                ws, term = delims.trailing_whitespace(), delims.segment


def read_segments(data: bytes, where: str = "<input>") -> list[Segment]:
    """All segments of ``data`` (see :func:`iter_segments`)."""
    return list(iter_segments(io.BytesIO(data), where))


def render(segments: Iterable[Segment]) -> bytes:
    """The exact bytes of ``segments``: ``render(read_segments(b)) == b``."""
    return "".join(s.raw() for s in segments).encode(ENCODING)
