"""Normalisation: our lexer's segments rewritten into text pyx12 can read, plus the way back.

pyx12 wants ASCII text, an ISA of exactly 106 characters, one set of delimiters per file and a
non-newline segment terminator, and it picks its map from ISA12 + GS08 only. We never hand it the
file: :class:`Normaliser` rebuilds the text from our segments (one segment per line, BOM dropped,
newline terminators replaced, later interchanges converted to the first one's delimiters, a sloppy
ISA re-padded, ISA12/GS08/ST03 rewritten to the value a map exists for) and records a
:class:`LineMap` so every pyx12 finding can be put back on *our* segment number. Every rewrite is
noted in ``aliases`` so the caller can warn about it (rule X12002).
"""

from __future__ import annotations

import bisect
import io
import re
from collections.abc import Iterable, Iterator
from typing import Final, cast

from edi_scrub.x12._issues import StructuralIssue, StructuralLevel
from edi_scrub.x12.delimiters import Delimiters
from edi_scrub.x12.lexer import Segment

# --------------------------------------------------------------------------------------------
# Aliases: which guide versions are validated with which of pyx12's maps.

CANONICAL: Final[dict[str, str]] = {
    "005010X222": "005010X222A1",
    "005010X222A1": "005010X222A1",
    "005010X222A2": "005010X222A1",
    "005010X223": "005010X223A2",
    "005010X223A1": "005010X223A2",
    "005010X223A2": "005010X223A2",
    "005010X223A3": "005010X223A2",
}
KIND: Final[dict[str, str]] = {"005010X222A1": "837P", "005010X223A2": "837I"}
ICVN_5010: Final = "00501"
# Only version-like codes are quoted in notes and engine messages; anything else could be data.
_CODE_RE: Final = re.compile(r"[0-9A-Z]{1,12}")

# ISA01..ISA16 fixed widths: 3 + 16 separators + 86 = 105 characters before the terminator.
_ISA_WIDTHS: Final = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
_ISA_LENGTH: Final = 106
_ISA11_COLUMN: Final = 82  # 0-based column of ISA11 in a well-formed ISA
# Characters we may use as a replacement segment terminator / repetition separator.
_SPARE_DELIMITERS: Final = "~'!|^`}{@$%&"
ENVELOPE_PREFIXES: Final = ("ISA", "GS", "ST", "SE", "GE", "IEA")
_ENVELOPE_IDS: Final = frozenset(ENVELOPE_PREFIXES)
#: A plain segment as :mod:`._tr3_split` hands it over: (index, text, delimiters), for a segment
#: that is neither blank nor indented and has no envelope prefix (so ``pieces`` only places it).
Plain = tuple[int, str, Delimiters]
# How many segments we hold back after an ISA/GS while looking for the ST that decides the map.
_LOOKAHEAD: Final = 8


def safe_code(value: str) -> str:
    """``value`` if it looks like a version/code identifier, else a neutral placeholder."""
    return value if _CODE_RE.fullmatch(value) else "(unrecognised)"


def _spare(used: Iterable[str]) -> str:
    taken = set(used)
    for c in _SPARE_DELIMITERS:
        if c not in taken:
            return c
    return "\x1d"  # pragma: no cover - every printable spare in use


# --------------------------------------------------------------------------------------------
# Line map: pyx12 line number (1-based, one segment per line) -> our Segment.index.


class LineMap:
    """Piecewise-constant offset between pyx12's line numbers and our segment numbers.

    The offset only changes where we skip a segment (blank segments), so we store change points
    rather than one entry per segment: memory stays O(skips), lookups are a bisect.
    """

    __slots__ = ("_delta", "_deltas", "_lines", "emitted")

    def __init__(self) -> None:
        self._lines: list[int] = []
        self._deltas: list[int] = []
        self._delta = 0
        self.emitted = 0

    def add(self, index: int) -> None:
        self.emitted += 1
        delta = index - self.emitted
        if delta != self._delta:
            self._delta = delta
            self._lines.append(self.emitted)
            self._deltas.append(delta)

    def index_of(self, line: int) -> int:
        if line <= 0 or line > self.emitted:
            return 0
        i = bisect.bisect_right(self._lines, line) - 1
        return line + (self._deltas[i] if i >= 0 else 0)


# --------------------------------------------------------------------------------------------
# Normalisation: our segments -> text pyx12 can read.


def _fit_isa(fields: list[str], element: str, component: str) -> tuple[str, str | None]:
    """Re-pad ISA01..ISA16 to their fixed widths; returns the text and the new ISA13 if changed."""
    out = ["ISA"]
    new13: str | None = None
    for pos, width in enumerate(_ISA_WIDTHS, start=1):
        value = fields[pos] if pos < len(fields) else ""
        if pos == 16:
            value = component
        elif len(value) != width:
            if pos == 13:
                # Control number: zero-pad (it is N0), and remember it so IEA02 can follow.
                value = value.strip().rjust(width, "0")[:width]
                new13 = value
            else:
                value = value.ljust(width)[:width]
        out.append(value)
    return element.join(out), new13


class Normaliser:
    """Turns our segments into pyx12-readable lines, recording how to map lines back."""

    def __init__(self, segments: Iterable[Segment | Plain]) -> None:
        self._segments = segments
        self.lines = LineMap()
        self.issues: list[StructuralIssue] = []
        self.aliases: dict[str, None] = {}  # ordered set
        #: pyx12 line -> the GS08/ST03 value rewritten on that line, so a 999 can echo the
        #: input's own version in AK103/AK203 rather than the map we validated with.
        self.originals: dict[int, str] = {}
        self._target: Delimiters | None = None
        self._nl = "~\n"
        self._table: dict[int, str] | None = None  # applied to every segment
        self._guard: str | None = None  # translate only if this character occurs
        self._guard_table: dict[int, str] = {}
        self._pending: list[Segment] = []
        self._isa13: tuple[str, str] | None = None  # (original, padded) in this interchange
        self._tx = -1
        self._in_tx = False
        self._indented = 0

    # -- public ----------------------------------------------------------------------------

    def pieces(self) -> Iterator[str]:
        """The normalised text, one segment line at a time."""
        return cast(Iterator[str], self._pieces(bare=False))

    def pieces_bare(self) -> Iterator[str | Plain]:
        """:meth:`pieces`, but a plain segment that is placed as it is (nothing held back, no
        delimiter translated) comes as its :data:`Plain` tuple, whose line is its text: the
        compiled validator's :func:`._tr3_reader.raw_lines` then skips the terminator it
        would append here and search for there."""
        return self._pieces(bare=True)

    def _pieces(self, bare: bool) -> Iterator[str | Plain]:
        indented: Segment | None = None  # the first indented segment
        for item in self._segments:
            if type(item) is tuple:
                index, text, delims = item
                if not self._pending:
                    if bare and self._table is None and self._guard is None and self._target:
                        # _line without the text: where it goes (nearly always one on).
                        lines = self.lines
                        if index - lines.emitted - 1 == lines._delta:
                            lines.emitted += 1
                        else:
                            lines.add(index)
                        yield item
                    else:
                        yield self._line(index, text)
                    continue
                # Held back with the envelope: as the lexer's segment, as below.
                original = Segment(index, text, delims.segment, "", delims)
            else:
                original = cast(Segment, item)
            seg, text = original, original.text
            if seg.index == 0:
                continue  # trailing whitespace pseudo-segment
            if not text or text.isspace():
                # pyx12 stops reading at an empty segment; skip it and say so ourselves.
                self._blank(seg)
                continue
            if text[0] in " \t":
                # Indentation after the terminator is pretty-printing; pyx12 would flag every
                # such segment. Validate without it and report it once (below).
                indented = indented or seg
                self._indented += 1
                text = text.lstrip(" \t")
                seg = original.with_text(text)
            if text.startswith(ENVELOPE_PREFIXES):
                sid = seg.seg_id
                if sid in _ENVELOPE_IDS:
                    yield from self._envelope(seg, sid)
                    continue
            if self._pending:
                self._pending.append(seg)
                if len(self._pending) > _LOOKAHEAD:
                    yield from self._flush()
                continue
            yield self._line(seg.index, text)
        if self._pending:
            yield from self._flush()
        if indented is not None:
            self.issues.append(
                StructuralIssue(
                    segment=indented.index,
                    segment_id=indented.seg_id,
                    element="",
                    level=StructuralLevel.SEGMENT,
                    code="1",
                    ack_codes="IK304=1",
                    message=(
                        f"Segment contains a leading space ({self._indented} indented segment(s) "
                        "in the file; reported once, validated without the indentation)"
                    ),
                    transaction=-1,
                )
            )

    # -- helpers ---------------------------------------------------------------------------

    def _blank(self, seg: Segment) -> None:
        self.issues.append(
            StructuralIssue(
                segment=seg.index,
                segment_id="",
                element="",
                level=StructuralLevel.SEGMENT,
                code="8",
                ack_codes="IK304=8",
                message="Empty segment (nothing between two segment terminators)",
                transaction=self._tx if self._in_tx else -1,
            )
        )

    def _line(self, index: int, text: str) -> str:
        lines = self.lines
        if index - lines.emitted - 1 == lines._delta:
            lines.emitted += 1  # LineMap.add when the offset is unchanged (nearly always)
        else:
            lines.add(index)
        if self._table is not None:
            text = text.translate(self._table)
        elif self._guard is not None and self._guard in text:
            text = text.translate(self._guard_table)
        return text + self._nl

    def _start_interchange(self, seg: Segment) -> None:
        src = seg.delimiters
        if self._target is None:
            term = src.segment
            if term in "\r\n":
                # pyx12 cannot split on newlines; any unused printable terminator will do.
                term = _spare((src.element, src.component, src.repetition))
            self._target = Delimiters(src.element, src.component, src.repetition, term)
            self._nl = term + "\n"
        tgt = self._target
        placeholder = _spare((tgt.element, tgt.component, tgt.segment))
        mapping: dict[int, str] = {}
        if (src.element, src.component) != (tgt.element, tgt.component):
            mapping[ord(src.element)] = tgt.element
            mapping[ord(src.component)] = tgt.component
        sources = {src.element, src.component}
        # A target delimiter occurring as data would split the segment differently in pyx12
        # and shift every later line; neutralise it.
        guards = {c for c in (tgt.element, tgt.component, tgt.segment) if c not in sources}
        if src.segment != tgt.segment:
            guards.add(tgt.segment)
        for c in guards:
            mapping.setdefault(ord(c), placeholder)
        if (src.element, src.component) != (tgt.element, tgt.component):
            self._table, self._guard = mapping, None
        elif src.segment != tgt.segment:
            self._table, self._guard, self._guard_table = None, tgt.segment, mapping
        else:
            self._table, self._guard = None, None
        self._isa13 = None

    def _envelope(self, seg: Segment, sid: str) -> Iterator[str]:
        if sid == "ISA":
            if self._pending:
                yield from self._flush()
            self._start_interchange(seg)
            self._pending = [seg]
            return
        if sid == "GS":
            if self._pending and any(s.seg_id == "GS" for s in self._pending):
                yield from self._flush()
            self._pending.append(seg)
            return
        if sid == "ST":
            self._tx += 1
            self._in_tx = True
            if self._pending:
                self._pending.append(seg)
                yield from self._flush()
            else:
                yield self._line(seg.index, self._st_text(seg))
            return
        if self._pending:
            yield from self._flush()
        if sid == "SE":
            self._in_tx = False
        text = seg.text
        if sid == "IEA" and self._isa13 is not None:
            parts = text.split(seg.delimiters.element)
            original, padded = self._isa13
            if len(parts) > 2 and parts[2].strip() == original.strip():
                parts[2] = padded
                text = seg.delimiters.element.join(parts)
        yield self._line(seg.index, text)

    def _note(self, text: str) -> None:
        self.aliases.setdefault(text, None)

    def _st_text(self, seg: Segment) -> str:
        parts = seg.text.split(seg.delimiters.element)
        if len(parts) > 3:
            st03 = parts[3].strip()
            canon = CANONICAL.get(st03)
            if canon is not None and canon != st03:
                self._note(f"{st03} validated with the {canon} map")
                # The caller emits this text as the very next line.
                self.originals[self.lines.emitted + 1] = st03
                parts[3] = canon
                return seg.delimiters.element.join(parts)
        return seg.text

    def _flush(self) -> Iterator[str]:
        """Emit the held-back envelope segments, rewriting ISA12/GS08/ST03 for pyx12's maps."""
        pending, self._pending = self._pending, []
        isa = gs = st = None
        for s in pending:
            sid = s.seg_id
            if sid == "ISA" and isa is None:
                isa = s
            elif sid == "GS" and gs is None:
                gs = s
            elif sid == "ST" and gs is not None and st is None:
                st = s
        gs08 = new_gs08 = ""
        gs_text = ""
        if gs is not None:
            parts = gs.text.split(gs.delimiters.element)
            gs08 = new_gs08 = parts[8].strip() if len(parts) > 8 else ""
            st03 = st.element(3).strip() if st is not None else ""
            target = CANONICAL.get(st03) or CANONICAL.get(gs08)
            if target is not None and target != gs08:
                if CANONICAL.get(gs08) == target:
                    self._note(f"{gs08} validated with the {target} map")
                else:
                    self._note(
                        f"GS08 {safe_code(gs08)} overridden by ST03 {st03}: "
                        f"validated as {KIND[target]} with the {target} map"
                    )
                new_gs08 = target
                while len(parts) < 9:
                    parts.append("")
                parts[8] = target
            gs_text = gs.delimiters.element.join(parts)
        for s in pending:
            if s is isa:
                yield self._raw_line(s.index, self._isa_text(s, new_gs08))
            elif s is gs:
                if new_gs08 != gs08:
                    self.originals[self.lines.emitted + 1] = gs08
                yield self._line(s.index, gs_text)
            elif s.seg_id == "ST":
                yield self._line(s.index, self._st_text(s))
            else:
                yield self._line(s.index, s.text)

    def _isa_text(self, seg: Segment, gs08: str) -> str:
        """The ISA in the target delimiters, exactly 106 characters with its terminator.

        Built directly in the target delimiters, so it must not go through ``_line``'s
        translation again (see ``_raw_line``).
        """
        src = seg.delimiters
        tgt = self._target
        assert tgt is not None  # set by _start_interchange before any ISA is emitted
        fields = seg.text.split(src.element)
        fields = fields[:17] + [""] * (17 - len(fields))
        isa12 = fields[12].strip()
        if gs08.startswith("005010") and isa12 != ICVN_5010:
            self._note(
                f"ISA12 {safe_code(isa12)} with GS08 {safe_code(gs08)} validated as {ICVN_5010}"
            )
            fields[12] = ICVN_5010
            if len(fields[11]) != 1 or fields[11].isalnum():
                # 4010's ISA11 is a standards id ("U"); 5010 wants a repetition separator.
                fields[11] = _spare((tgt.element, tgt.component, tgt.segment))
        length = len(seg.text) + 1
        # pyx12 reads ISA11, ISA12, ISA16 and the terminator at fixed columns; as long as those
        # line up it can read the ISA and reports any other width problem itself.
        if (
            length == _ISA_LENGTH
            and sum(len(f) for f in fields[:11]) + 10 == _ISA11_COLUMN - 1
            and len(fields[12]) == _ISA_WIDTHS[11]
        ):
            return tgt.element.join(fields[:16]) + tgt.element + tgt.component
        misfit = ", ".join(
            f"ISA{pos:02d}"
            for pos, width in enumerate(_ISA_WIDTHS[:15], start=1)
            if len(fields[pos]) != width
        )
        size = f"ISA is {length} characters, not {_ISA_LENGTH}" if length != _ISA_LENGTH else ""
        fields_note = f"not at the fixed width: {misfit}" if misfit else ""
        text, new13 = _fit_isa(fields, tgt.element, tgt.component)
        if new13 is not None:
            self._isa13 = (fields[13], new13)
        self.issues.append(
            StructuralIssue(
                segment=seg.index,
                segment_id="ISA",
                element="",
                level=StructuralLevel.INTERCHANGE,
                code="ISA-WIDTH",
                ack_codes="",
                message=(
                    "; ".join(p for p in (size, fields_note) if p)
                    + " (fields re-padded for validation)"
                ),
                transaction=-1,
            )
        )
        return text

    def _raw_line(self, index: int, text: str) -> str:
        self.lines.add(index)
        return text + self._nl


class PieceReader(io.TextIOBase):
    """A read-only text stream over the normaliser's pieces, so pyx12 can stream the input."""

    def __init__(self, pieces: Iterator[str]) -> None:
        super().__init__()
        self._pieces = pieces
        self._buf = ""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        parts = [self._buf]
        have = len(self._buf)
        while size is None or size < 0 or have < size:
            piece = next(self._pieces, None)
            if piece is None:
                break
            parts.append(piece)
            have += len(piece)
        data = "".join(parts)
        if size is None or size < 0:
            self._buf = ""
            return data
        self._buf = data[size:]
        return data[:size]
