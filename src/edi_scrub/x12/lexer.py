"""Lossless X12 lexer: bytes in, segments out, and ``render(segments) == bytes`` always.

Every segment keeps its text, its terminator and the line formatting that follows it (CR, LF,
CRLF, or repeated newlines when the newline itself is the terminator). A UTF-8 byte order mark or
blank space before the ISA is kept as the first segment's ``lead``. The input is decoded as
Latin-1 so that every byte maps to exactly one character: UTF-8 text in a name field survives
the round trip byte for byte even though edi-scrub never interprets it.

The lexer streams: it reads the input in chunks and yields segments one at a time, so memory is
bounded by the longest segment, not by the file; a segment longer than :data:`MAX_SEGMENT`
(16 MiB) refuses the input. A new ISA after an IEA re-reads the delimiters.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import BinaryIO

from edi_scrub._drafts import draft_class
from edi_scrub._slots import slot_setter
from edi_scrub.errors import InputError
from edi_scrub.x12.delimiters import Delimiters, parse_isa

ENCODING = "latin-1"
_BOM = "\xef\xbb\xbf"  # UTF-8 BOM as Latin-1 characters
_CHUNK = 1 << 20
_ISA_LOOKAHEAD = 256
#: Characters split at once by the lexer's fast path: the pieces of a whole 1 MiB chunk at
#: once would add ~5 MiB to the peak; 64 KiB windows cost the same time.
_BATCH = 1 << 16


class _SplitCache:
    """Holds a segment's element split, done once on first use.

    A slot of a base class rather than a dataclass field: the cache is no part of the value
    (not in ``fields()``, ``==``, ``repr`` or a pickle), only a memo of ``text.split``.
    """

    __slots__ = ("_parts",)
    _parts: tuple[str, ...] | None


@dataclass(frozen=True, slots=True, init=False)
class Segment(_SplitCache):
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

    def __init__(
        self,
        index: int,
        text: str,
        terminator: str,
        trailer: str,
        delimiters: Delimiters,
        lead: str = "",
    ) -> None:
        # The lexer makes one Segment per input segment (three walks of every file), so the
        # frozen fields are stored through their slot descriptors (see edi_scrub/_slots.py):
        # written out rather than by fast_init, to derive seg_id in the same call.
        _SET_INDEX(self, index)
        _SET_TEXT(self, text)
        _SET_TERMINATOR(self, terminator)
        _SET_TRAILER(self, trailer)
        _SET_DELIMITERS(self, delimiters)
        _SET_LEAD(self, lead)
        _SET_PARTS(self, None)
        _SET_SEG_ID(self, text.partition(delimiters.element)[0].strip())

    def __setstate__(self, state: list[object]) -> None:
        # Unpickling sets the fields only; the split cache starts empty.
        for name, value in zip(_FIELD_NAMES, state, strict=True):
            object.__setattr__(self, name, value)
        _SET_PARTS(self, None)

    @property
    def parts(self) -> tuple[str, ...]:
        """Element values as a tuple, split once: ``parts[0]`` is the segment id."""
        parts = self._parts
        if parts is None:
            parts = tuple(self.text.split(self.delimiters.element))
            _SET_PARTS(self, parts)
        return parts

    @property
    def elements(self) -> list[str]:
        """Element values; ``elements[0]`` is the segment id, so ``elements[2]`` is XXX02.

        A new list on every call: callers may edit it (see :meth:`with_elements`).
        """
        return list(self.parts)

    def element(self, position: int) -> str:
        """Element ``position`` (1-based) or ``""`` when absent."""
        parts = self._parts
        if parts is None:
            parts = self.parts
        return parts[position] if position < len(parts) else ""

    def component(self, position: int, sub: int) -> str:
        """Component ``sub`` (1-based) of element ``position``, or ``""`` when absent."""
        parts = self.element(position).split(self.delimiters.component)
        return parts[sub - 1] if sub - 1 < len(parts) else ""

    def raw(self) -> str:
        """The segment's exact input text, formatting included."""
        return f"{self.lead}{self.text}{self.terminator}{self.trailer}"

    def with_text(self, text: str) -> Segment:
        """The same segment (position, terminator, formatting) carrying new text."""
        # Not dataclasses.replace: fixes edit a few thousand segments per 10k claims.
        return new_segment(
            self.index, text, self.terminator, self.trailer, self.delimiters, self.lead
        )

    def with_elements(self, elements: list[str]) -> Segment:
        """The same segment rebuilt from element values with the input's own delimiters.

        Trailing empty elements are dropped, as X12 requires of newly written data.
        """
        while len(elements) > 1 and elements[-1] == "":
            elements = elements[:-1]
        return self.with_text(self.delimiters.element.join(elements))


_FIELD_NAMES = tuple(f.name for f in fields(Segment))
_SET_INDEX = slot_setter(Segment, "index")
_SET_TEXT = slot_setter(Segment, "text")
_SET_TERMINATOR = slot_setter(Segment, "terminator")
_SET_TRAILER = slot_setter(Segment, "trailer")
_SET_DELIMITERS = slot_setter(Segment, "delimiters")
_SET_LEAD = slot_setter(Segment, "lead")
_SET_SEG_ID = slot_setter(Segment, "seg_id")
_SET_PARTS = slot_setter(Segment, "_parts")
_SegmentDraft = draft_class(Segment)


def new_segment(
    index: int, text: str, terminator: str, trailer: str, delimiters: Delimiters, lead: str
) -> Segment:
    """``Segment(index, text, terminator, trailer, delimiters, lead)``, built as a draft.

    The lexer makes one per input segment: filling a draft (see edi_scrub/_drafts.py) costs
    about half the frozen constructor. The same value in every respect; the tests pin it.
    """
    seg = _SegmentDraft()
    seg.index = index
    seg.text = text
    seg.terminator = terminator
    seg.trailer = trailer
    seg.delimiters = delimiters
    seg.lead = lead
    seg._parts = None
    seg.seg_id = text.partition(delimiters.element)[0].strip()
    seg.__class__ = Segment
    return seg  # type: ignore[no-any-return]


def _decode(data: bytes) -> str:
    return data.decode(ENCODING)


#: Files that are not X12 text, told by their first bytes (as Latin-1 characters). Never
#: decompressed or opened: a compressed 837 could be a decompression bomb.
_MAGIC = (
    ("\x1f\x8b", "gzip-compressed; decompress it first"),
    ("PK\x03\x04", "a zip archive (an xlsx or docx file is one too); extract the 837 first"),
    ("PK\x05\x06", "a zip archive (an empty one); extract the 837 first"),
    ("%PDF-", "binary (a PDF document), not X12 text"),
)
_WIDE = "; convert the file to ASCII or UTF-8"
#: More than this many characters in one segment (with its line formatting) refuses the input:
#: the longest legal 837 segment is a few hundred bytes (NTE/MSG text is 80); a 100 MB one
#: used to take ~1 GB in the two processes. 16 MiB keeps 10 MB segments (the hostile tests'
#: size) scrubbable and bounds what a run holds for one segment.
MAX_SEGMENT = 16 << 20


def _not_text(head: str) -> str | None:
    """What ``head`` (a file's first bytes) is when it is not single-byte text, else None."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"byte 0: {what}"
    if head.startswith(("\xff\xfe\x00\x00", "\x00\x00\xfe\xff")):
        return f"byte 0: UTF-32 encoded{_WIDE}"
    if head.startswith(("\xff\xfe", "\xfe\xff")):
        return f"byte 0: UTF-16 encoded{_WIDE}"
    nul = head.find("\x00", 0, 64)
    if nul < 0:
        return None
    first = head[:4]
    # Without a byte order mark, an ASCII character is one byte and 1 or 3 NULs.
    if len(first) == 4 and (
        (first[0] != "\x00" and first[1:] == "\x00" * 3)
        or (first[:3] == "\x00" * 3 and first[3] != "\x00")
    ):
        return f"byte 0: UTF-32 encoded{_WIDE}"
    if len(first) >= 2 and (first[0] == "\x00") != (first[1] == "\x00"):
        return f"byte 0: UTF-16 encoded{_WIDE}"
    return f"byte {nul}: binary, not X12 text (a NUL byte)"


def _check_text(head: str, where: str) -> None:
    problem = _not_text(head)
    if problem is not None:
        raise InputError(f"{where}: {problem}")


def _no_isa(rest: str, skipped: int, eof: bool) -> str:
    """Why a file that does not start with ISA is refused: said plainly for an empty file."""
    if rest or not eof:
        return "the file does not start with ISA"
    return "the file is empty" if not skipped else "the file holds only blank space or a BOM"


def _too_long(where: str, at: int, index: int) -> InputError:
    limit = f"{MAX_SEGMENT >> 20} MiB" if MAX_SEGMENT >= 1 << 20 else f"{MAX_SEGMENT} bytes"
    return InputError(
        f"{where}: byte {at}: segment {index} is longer than {limit} (legal 837 segments are a "
        "few hundred bytes); not scrubbed"
    )


def _formatting(delims: Delimiters) -> frozenset[str]:
    """Characters after a terminator that are line formatting, not the next segment's text.

    CR/LF (unless a delimiter), and when the terminator is itself a newline, further
    terminators (blank lines) too. Worked out once per interchange, not per segment.
    """
    ws = delims.trailing_whitespace()
    return ws | {delims.segment} if delims.segment in "\r\n" else ws


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

    def next_interchange(at: int) -> Delimiters:
        # After an IEA: a new ISA at ``at`` brings its own delimiters.
        fill(at + _ISA_LOOKAHEAD)
        rest = buf[at:]
        return parse_isa(rest, where, consumed + at)[0] if rest.startswith("ISA") else delims

    fill(_ISA_LOOKAHEAD)
    _check_text(buf, where)
    lead = ""
    if buf.startswith(_BOM):
        lead, buf, consumed = _BOM, buf[3:], 3
    stripped = buf.lstrip(" \t\r\n")
    lead += buf[: len(buf) - len(stripped)]
    consumed += len(buf) - len(stripped)
    buf = stripped
    if not buf.startswith("ISA"):
        raise InputError(f"{where}: byte {consumed}: not X12 ({_no_isa(buf, consumed, eof)})")
    delims, _ = parse_isa(buf, where, consumed)
    term, fmt = delims.segment, _formatting(delims)
    pos = 0
    while True:
        if term not in fmt:
            # Fast path: all segments of the buffer but the last, from one split. Each piece
            # after the first is the previous segment's formatting (CR/LF) then a segment's
            # text. The last text, whose formatting may run past the buffer, and interchanges
            # with a newline terminator (blank lines are formatting there, not segments) go
            # through the general loop below.
            last = buf.rfind(term, pos, pos + _BATCH)
            if last > pos:
                pieces = buf[pos:last].split(term)
                strip = "".join(fmt)
                prev = pieces[0]
                first = index  # the index before this window's first segment
                iea = False
                element = delims.element
                for piece in itertools.islice(pieces, 1, None):
                    text = piece.lstrip(strip)
                    cut = len(piece) - len(text)
                    index += 1
                    # new_segment() written out: this loop makes nearly every segment.
                    seg = _SegmentDraft()
                    seg.index = index
                    seg.text = prev
                    seg.terminator = term
                    seg.trailer = piece[:cut]
                    seg.delimiters = delims
                    seg.lead = lead
                    seg._parts = None
                    seg.seg_id = sid = prev.partition(element)[0].strip()
                    seg.__class__ = Segment
                    lead = ""
                    yield seg
                    if sid == "IEA":
                        # Piece k (k = index - first) starts after pieces 0..k-1 and their k
                        # terminators; the next interchange, after the IEA's formatting.
                        done = index - first
                        pos += sum(map(len, pieces[:done])) + done + cut
                        iea = True
                        break
                    prev = text
                if iea:
                    delims = next_interchange(pos)
                    term, fmt = delims.segment, _formatting(delims)
                    continue
                pos = last - len(prev)
        end = buf.find(term, pos)
        while end < 0 and not eof:
            # Keep only the unconsumed tail so memory stays bounded by one segment.
            consumed += pos
            buf, pos = buf[pos:], 0
            if len(buf) > MAX_SEGMENT:
                raise _too_long(where, consumed, index + 1)
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
        size = len(buf)
        # Formatting after the terminator (see _formatting).
        while True:
            if after >= size and not eof:
                consumed += pos
                buf, end, after, pos = buf[pos:], end - pos, after - pos, 0
                if after > MAX_SEGMENT:
                    raise _too_long(where, consumed, index + 1)
                fill(len(buf) + _CHUNK)
                size = len(buf)
            if after < size and buf[after] in fmt:
                after += 1
            else:
                break
        index += 1
        seg = new_segment(index, text, term, buf[end + 1 : after], delims, lead)
        lead = ""
        yield seg
        pos = after
        if seg.seg_id == "IEA":
            delims = next_interchange(pos)
            term, fmt = delims.segment, _formatting(delims)


def read_segments(data: bytes, where: str = "<input>") -> list[Segment]:
    """All segments of ``data`` (see :func:`iter_segments`)."""
    return list(iter_segments(io.BytesIO(data), where))


def render(segments: Iterable[Segment]) -> bytes:
    """The exact bytes of ``segments``: ``render(read_segments(b)) == b``."""
    # raw() spelled out: the pipeline renders every claim it writes. An f-string builds the
    # four pieces in one allocation (``+`` makes three strings).
    return "".join([f"{s.lead}{s.text}{s.terminator}{s.trailer}" for s in segments]).encode(
        ENCODING
    )
