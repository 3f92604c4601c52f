"""A cheaper split of the input for validation: the lexer's segments, mostly without the objects.

The validator reads the input a second time, beside the fix pass, and needs of most segments
only their position and text: the lexer's :class:`~edi_scrub.x12.lexer.Segment` objects (with
their terminator, formatting, lead and split cache) cost more to make than the whole walk of a
memoised segment. :func:`split_segments` cuts the same texts at the same positions with one
``str.split`` per chunk, and hands the normaliser a plain ``(index, text, delimiters)`` tuple
for every segment it would treat as plain (not blank, not indented, no envelope prefix, see
:class:`._normalise.Normaliser`), and a real ``Segment`` for the others.

It covers the usual input: an ISA at byte 0, a printable segment terminator (CR/LF after it
are formatting), later interchanges with the same delimiters. Anything else -- a BOM or blank
space before the ISA, a newline terminator, an ISA the lexer would refuse or that changes the
delimiters -- raises :class:`Resplit`, and the caller validates with the lexer's segments
from the start (:func:`edi_scrub.x12.validate.validate_path`; a file whose later interchange
changes the delimiters is thus walked twice up to that interchange). So every input gets the
lexer's segmentation either way; tests/test_tr3_split.py compares the two on every sample,
corpus file, generated, mutated and random input.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, Final

from edi_scrub.errors import InputError
from edi_scrub.x12._normalise import ENVELOPE_PREFIXES, Plain
from edi_scrub.x12.delimiters import parse_isa
from edi_scrub.x12.lexer import ENCODING, MAX_SEGMENT, Segment

__all__ = ["Resplit", "split_segments"]

#: Characters read and split at once (the pieces of a chunk are held at once).
_CHUNK: Final = 1 << 18
#: Read at least this much first: an ISA is 106 characters (a sloppy one a few more); an ISA
#: not complete within it is left to the lexer.
_HEAD: Final = 4096
#: Characters the lexer drops after an unterminated last segment (see ``iter_segments``).
_JUNK: Final = " \r\n\x00\x1a"


class Resplit(BaseException):
    """The input needs the lexer itself. A ``BaseException`` so that no ``except Exception``
    of the validators (which turn failures into findings) can swallow it."""


def _sid(text: str, element: str) -> str:
    """``Segment.seg_id`` of ``text``."""
    sep = text.find(element)
    return (text if sep < 0 else text[:sep]).strip()


def split_segments(stream: BinaryIO, where: str = "<input>") -> Iterator[Segment | Plain]:
    """The segments :func:`~edi_scrub.x12.lexer.iter_segments` gives for ``stream``, minus
    the trailing-whitespace pseudo-segment (index 0, which the normaliser skips), plain ones as
    tuples. Raises :class:`Resplit` (possibly after yielding) when the lexer is needed."""
    buf = stream.read(max(_CHUNK, _HEAD)).decode(ENCODING)
    if not buf.startswith("ISA") or "\x00" in buf[:64]:
        raise Resplit  # lead, BOM, UTF-16 or not X12: the lexer's own handling or error
    try:
        delims, _ = parse_isa(buf, where, 0)
    except InputError:
        raise Resplit from None
    term, ele = delims.segment, delims.element
    if term in "\r\n":
        raise Resplit  # blank lines are formatting there: the lexer's general loop
    strip = "".join(delims.trailing_whitespace())
    index = 0
    after_iea = False
    while True:
        chunk = stream.read(_CHUNK)
        pieces = buf.split(term)
        # The last piece is unterminated: kept for the next chunk (or the end of the input).
        buf = pieces.pop()
        if len(buf) > MAX_SEGMENT:
            raise Resplit  # the lexer refuses such a segment, with its message
        for piece in pieces:
            # After a terminator, CR/LF are the previous segment's formatting.
            text = piece.lstrip(strip)
            index += 1
            if after_iea:
                after_iea = False
                if text.startswith("ISA"):
                    # The lexer re-reads the delimiters here; the same ones go on, others (or
                    # an ISA it refuses) need the lexer.
                    try:
                        same = parse_isa(text + term, where, 0)[0] == delims
                    except InputError:
                        same = False
                    if not same:
                        raise Resplit
            # Plain for the normaliser (not blank, not indented, no envelope prefix); a text
            # that starts with another blank (\v, \f ...) gets a Segment, which is always right.
            if text and not text.startswith(ENVELOPE_PREFIXES) and not text[0].isspace():
                yield index, text, delims
                continue
            # Segment.seg_id strips blanks: " IEA" ends an interchange too.
            after_iea = _sid(text, ele) == "IEA"
            yield Segment(index, text, term, "", delims)
        if not chunk:
            break
        buf += chunk.decode(ENCODING)
    tail = buf.lstrip(strip)
    if tail.strip(_JUNK + "\t"):
        if after_iea and tail.startswith("ISA"):
            raise Resplit  # a truncated next interchange: the lexer's error
        body = tail.rstrip("".join(c for c in _JUNK if c != ele))
        yield Segment(index + 1, body, "", "", delims)
