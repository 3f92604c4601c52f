"""Structural (TR3) validation through pyx12, isolated behind one small typed API.

edi-scrub's own rules look at drug lines; whether the file is a well-formed 837 at all (loops,
required segments, element lengths, code lists) is pyx12's job. pyx12 4.0 is the only maintained
Python validator with 837P/837I maps, but it is brittle on real files (see
``docs/pyx12-notes.md``), so this module is the only one that imports it and it absorbs every
way pyx12 fails:

* **Input it cannot read.** pyx12 wants ASCII text, an ISA of exactly 106 characters, one set of
  delimiters per file and a non-newline segment terminator. We therefore never hand it the file:
  we feed it a *normalised* text rebuilt from our own lexer's segments (one segment per line, BOM
  dropped, newline terminators replaced, later interchanges converted to the first one's
  delimiters, a sloppy ISA re-padded) and keep a line -> segment map so that every finding points
  at *our* segment number.
* **Maps it does not have.** Its map index only knows 837P ``005010X222A1`` and 837I
  ``005010X223A2`` under ISA12 ``00501``. Other errata of the same guides, an ``00401``/``00402``
  ISA around a 5010 group, and OopFactory's "GS08 says X222, ST03 says X223" are handled by
  rewriting ISA12/GS08/ST03 in the normalised text to the value the map expects (choosing the
  guide from ST03 when it names one). Each rewrite is reported in ``aliases`` so the caller can
  warn about it (rule X12002) instead of pyx12 flagging the rewritten codes.
* **Crashes.** ``x12n_document`` builds its error tree privately, attributes some walker errors
  to the previous segment, drops ISA/GS/ST element errors, picks one map per functional group
  and lets ``IndexError`` escape on a composite with more components than the map allows (SV107
  with five diagnosis pointers). So we drive pyx12's own building blocks (``X12Reader``, the map
  walker, ``apply_segment_errors``) in a loop that mirrors ``x12n_document``, collect errors
  through a small error-handler object that knows the current line, select the map per
  transaction set, and on the composite crash report the element, truncate the composite and
  validate the segment again. Anything else pyx12 raises becomes ``validated=False`` with one
  explanatory issue; nothing escapes.
* **PHI in messages.** pyx12 quotes element values in its messages ("with a value of (17111)").
  Every message is rewritten from known templates and then scrubbed of the segment's own values,
  because findings end up in reports and logs.

pyx12 logs every finding through the ``pyx12`` logger; we silence that logger (level and
propagation only) since the findings are returned as data.
"""

from __future__ import annotations

import bisect
import io
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

import pyx12.errors
import pyx12.map_if
import pyx12.map_index
import pyx12.params
import pyx12.segment
import pyx12.x12file
from pyx12.map_if._segment import apply_segment_errors
from pyx12.map_walker import apply_walk_errors, walk_tree

from edi_scrub.errors import InputError
from edi_scrub.x12.delimiters import Delimiters
from edi_scrub.x12.lexer import Segment, iter_segments

__all__ = [
    "StructuralIssue",
    "StructuralLevel",
    "StructuralResult",
    "validate_bytes",
    "validate_segments",
]

# pyx12 logs each finding at ERROR on loggers under "pyx12"; they are returned as data instead.
_PYX12_LOGGER = logging.getLogger("pyx12")
_PYX12_LOGGER.setLevel(logging.CRITICAL + 1)
_PYX12_LOGGER.propagate = False


class StructuralLevel(StrEnum):
    """Where in the X12 hierarchy a finding sits (999 loop it would be reported in)."""

    INTERCHANGE = "interchange"
    GROUP = "group"
    TRANSACTION = "transaction"
    SEGMENT = "segment"
    ELEMENT = "element"


_ENVELOPE_LEVELS: Final = frozenset({StructuralLevel.INTERCHANGE, StructuralLevel.GROUP})


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
    """Findings of one validation run."""

    issues: tuple[StructuralIssue, ...]
    implementation: str
    aliases: tuple[str, ...]
    validated: bool


# --------------------------------------------------------------------------------------------
# Aliases: which guide versions are validated with which of pyx12's maps.

_CANONICAL: Final[dict[str, str]] = {
    "005010X222": "005010X222A1",
    "005010X222A1": "005010X222A1",
    "005010X222A2": "005010X222A1",
    "005010X223": "005010X223A2",
    "005010X223A1": "005010X223A2",
    "005010X223A2": "005010X223A2",
    "005010X223A3": "005010X223A2",
}
_KIND: Final[dict[str, str]] = {"005010X222A1": "837P", "005010X223A2": "837I"}
_ICVN_5010: Final = "00501"
# Only version-like codes are quoted in notes and engine messages; anything else could be data.
_CODE_RE: Final = re.compile(r"[0-9A-Z]{1,12}")

# ISA01..ISA16 fixed widths: 3 + 16 separators + 86 = 105 characters before the terminator.
_ISA_WIDTHS: Final = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
_ISA_LENGTH: Final = 106
_ISA11_COLUMN: Final = 82  # 0-based column of ISA11 in a well-formed ISA
# Characters we may use as a replacement segment terminator / repetition separator.
_SPARE_DELIMITERS: Final = "~'!|^`}{@$%&"
_ENVELOPE_PREFIXES: Final = ("ISA", "GS", "ST", "SE", "GE", "IEA")
_ENVELOPE_IDS: Final = frozenset(_ENVELOPE_PREFIXES)
# How many segments we hold back after an ISA/GS while looking for the ST that decides the map.
_LOOKAHEAD: Final = 8
# How many times one segment may be re-validated after truncating over-long composites.
_MAX_TRUNCATIONS: Final = 3


def _code(value: str) -> str:
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


class _LineMap:
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


class _Normaliser:
    """Turns our segments into pyx12-readable lines, recording how to map lines back."""

    def __init__(self, segments: Iterable[Segment]) -> None:
        self._segments = segments
        self.lines = _LineMap()
        self.issues: list[StructuralIssue] = []
        self.aliases: dict[str, None] = {}  # ordered set
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
        indented: Segment | None = None  # the first indented segment
        for original in self._segments:
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
            if text.startswith(_ENVELOPE_PREFIXES):
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
        self.lines.add(index)
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
            canon = _CANONICAL.get(st03)
            if canon is not None and canon != st03:
                self._note(f"{st03} validated with the {canon} map")
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
            target = _CANONICAL.get(st03) or _CANONICAL.get(gs08)
            if target is not None and target != gs08:
                if _CANONICAL.get(gs08) == target:
                    self._note(f"{gs08} validated with the {target} map")
                else:
                    self._note(
                        f"GS08 {_code(gs08)} overridden by ST03 {st03}: "
                        f"validated as {_KIND[target]} with the {target} map"
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
        if gs08.startswith("005010") and isa12 != _ICVN_5010:
            self._note(f"ISA12 {_code(isa12)} with GS08 {_code(gs08)} validated as {_ICVN_5010}")
            fields[12] = _ICVN_5010
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


class _PieceReader(io.TextIOBase):
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


# --------------------------------------------------------------------------------------------
# Messages: pyx12's wording without the values it quotes.

_WS_RE: Final = re.compile(r"\s+")
_SEG_ID_RE: Final = re.compile(r"[A-Z][A-Z0-9]{1,2}")
_MAP_PATH_RE: Final = re.compile(r"[A-Za-z0-9_/\[\]]+")


def _not_found(match: re.Match[str]) -> str:
    seg_id = match.group(1).split("*", 1)[0]
    seg_id = seg_id if _SEG_ID_RE.fullmatch(seg_id) else "with an unrecognised identifier"
    path = match.group(2)
    where = f". Started at {path}" if _MAP_PATH_RE.fullmatch(path) else ""
    return f"Segment {seg_id} not found in the map{where}"


_NAME = r'"[^"]*"'
_REF = r"\([A-Z0-9-]+\)"
_TEMPLATES: Final[tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...]] = tuple(
    (re.compile(pattern, re.S), replacement)
    for pattern, replacement in (
        # x12file.py (envelope, counting)
        (r'^Segment ".*" is empty$', "Segment is empty"),
        (r'^Segment identifier ".*" is invalid$', "Segment identifier is invalid"),
        (
            r"^(ISA|GS|ST) Interchange Control Number .* not unique within file$",
            r"\1 control number is not unique within the file",
        ),
        (
            r"^My HL count (\d+) does not match your HL count .*$",
            r"HL01 does not match the HL count (expected \1)",
        ),
        (r"^HL parent \(.*\) is not a valid parent$", "HL02 does not name an open parent HL"),
        (
            r"^Your 2400/LX01 Service Line Number .* does not match my count of (\d+)$",
            r"LX01 does not match the service line count (expected \1)",
        ),
        (r"^Unterminated Loop (ISA|GS|ST|LS)$", r"Unterminated loop \1"),
        (r"^Unterminated segment .*$", "Unterminated loop before GE"),
        (r"^IEA id=.* does not match ISA id=.*$", "IEA02 does not match ISA13"),
        (r"^IEA count for IEA02=.* is wrong$", "IEA01 does not match the number of groups"),
        (r"^GE id=.* does not match GS id=.*$", "GE02 does not match GS06"),
        (
            r"^GE count of .* is wrong\. I count (\d+)$",
            r"GE01 does not match the number of transaction sets (counted \1)",
        ),
        (r"^SE id=.* does not match ST id=.*$", "SE02 does not match ST02"),
        (
            r"^SE count of .* is wrong\. I count (\d+)$",
            r"SE01 does not match the number of segments (counted \1)",
        ),
        (
            rf"^Mandatory segment ({_NAME}) \((SE|GE|IEA)=.*\) missing$",
            r"Mandatory segment \1 (\2) missing",
        ),
        # map_walker.py: the segment is quoted with its first element (or whole, for HL)
        (r"^Segment (.*) not found\.\s+Started at (.*)$", _not_found),
        # map_if/_element.py
        (
            rf'^(Data element {_NAME} {_REF}) is too (short|long): len\(".*"\) = (\d+) '
            r"([<>]) (\d+) \((min|max)_len\)$",
            r"\1 is too \2: length \3 \4 \5 (\6_len)",
        ),
        (
            rf"^(Data element {_NAME} {_REF}), contains an invalid control character\(.*\)$",
            r"\1 contains an invalid control character",
        ),
        (
            rf"^(Data element {_NAME} {_REF}) has unnecessary trailing spaces\. \(.*\)$",
            r"\1 has unnecessary trailing spaces",
        ),
        (
            rf"^(Data element {_NAME} {_REF}) contains an invalid (date|time) \(.*\)$",
            r"\1 contains an invalid \2",
        ),
        (
            rf"^(Data element {_NAME} {_REF}) is type (\w+), contains an invalid character\(.*\)$",
            r"\1 is type \2 and contains an invalid character",
        ),
        (
            rf"^(Data element {_NAME}) with a value of \(.*\) failed to match the regular "
            r'expression ("[^"]*")$',
            r"\1 failed to match the regular expression \2",
        ),
        (r"^\(.*\) is not a valid code for (.*) (\([A-Z0-9-]+\))$", r"Not a valid code for \1 \2"),
    )
)
# Values shorter than this are codes/qualifiers ("Y", "D8", "HC") and too likely to appear in
# pyx12's own wording to be scrubbed blindly; PHI values are longer.
_MIN_SCRUB = 4


def _scrub(message: str, values: Iterable[str]) -> str:
    """One line of pyx12's message with element values removed (see module docstring)."""
    for pattern, replacement in _TEMPLATES:
        if pattern.match(message):
            message = pattern.sub(replacement, message, count=1)
            break
    # Belt and braces for wordings we do not know: drop any of the segment's own values.
    for value in sorted({v for v in values if len(v) >= _MIN_SCRUB}, key=len, reverse=True):
        if value in message:
            message = re.sub(
                rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", "(value)", message
            )
    return _WS_RE.sub(" ", message).strip()


def _segment_values(seg: Any) -> list[str]:
    """Element and component values of a pyx12 segment (for :func:`_scrub`)."""
    try:
        text = str(seg.format())
        ele = str(seg.ele_term)
        sub = str(seg.subele_term)
    except Exception:  # pragma: no cover - defensive: scrubbing must never fail
        return []
    values: list[str] = []
    for element in text[:-1].split(ele)[1:]:
        values.append(element.strip())
        if sub and sub in element:
            values.extend(c.strip() for c in element.split(sub))
    return values


# --------------------------------------------------------------------------------------------
# 999 / TA1 codes for pyx12's error codes (after error_999.py / error_handler.py).

_IK3_CODES: Final = frozenset(
    {"1", "2", "3", "4", "5", "6", "7", "8", "I4", "I6", "I7", "I8", "I9"}
)
_IK4_CODES: Final = frozenset(
    {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "12", "13"}
    | {"I10", "I11", "I12", "I13", "I6", "I9"}
)
_ISA_ELEMENT_TA1: Final[dict[int, str]] = {
    1: "010", 2: "011", 3: "012", 4: "013", 5: "005", 6: "006", 7: "007", 8: "008",
    9: "014", 10: "015", 11: "016", 12: "017", 13: "018", 14: "019", 15: "020", 16: "027",
}  # fmt: skip
_IEA_ELEMENT_TA1: Final[dict[int, str]] = {1: "021", 2: "018"}
_GS_ELEMENT_AK9: Final[dict[int, str]] = {6: "6", 8: "2"}
_GE_ELEMENT_AK9: Final[dict[int, str]] = {2: "6"}
_STSE_ELEMENT_IK5: Final[dict[int, str]] = {1: "6", 2: "7"}


def _element_ack(seg_id: str, position: int, code: str) -> str:
    if seg_id == "ISA":
        return f"TA105={_ISA_ELEMENT_TA1.get(position, '')}".rstrip("=")
    if seg_id == "IEA":
        return f"TA105={_IEA_ELEMENT_TA1.get(position, '')}".rstrip("=")
    if seg_id in ("GS", "GE"):
        table = _GS_ELEMENT_AK9 if seg_id == "GS" else _GE_ELEMENT_AK9
        return f"AK905={table.get(position, '1')}"
    if seg_id in ("ST", "SE"):
        mapped = _STSE_ELEMENT_IK5.get(position)
        return f"IK502={mapped}" if mapped else ""
    return f"IK403={code}" if code in _IK4_CODES else ""


def _segment_ack(code: str) -> str:
    if code in _IK3_CODES:
        return f"IK304={code}"
    if code == "SEG1":
        return "IK304=8"
    # pyx12's own codes (HL1, HL2, LX) get no IK3; the set is rejected with IK502=5.
    return "IK502=5"


# --------------------------------------------------------------------------------------------
# Error collection: a duck-typed replacement for pyx12.error_handler.err_handler.


class _Collector:
    """Receives pyx12's errors and turns them into :class:`StructuralIssue` at our positions.

    pyx12's ``err_handler`` builds a tree whose segment cursor lags for some walker errors and
    whose ISA/GS/ST element errors no visitor reports. The driver tells us the line it is on,
    so every error is attributed to the segment being processed (or the ``src_line`` pyx12
    supplies, which is the same line).
    """

    def __init__(self, lines: _LineMap) -> None:
        self.issues: list[StructuralIssue] = []
        self._lines = lines
        self._line = 0
        self._seg_id = ""
        self._seg: Any = None
        self._values: list[str] | None = None
        self._ele = ""
        self._ele_pos = 0
        self._tx = -1
        self._in_tx = False
        self._after_se = False

    # -- driver side -----------------------------------------------------------------------

    def at(self, line: int, seg_id: str, seg: Any) -> None:
        if self._after_se:
            self._in_tx = False
        if seg_id == "ST":
            self._tx += 1
            self._in_tx = True
        self._after_se = seg_id == "SE"
        self._line, self._seg_id, self._seg, self._values = line, seg_id, seg, None

    @property
    def segment(self) -> int:
        """Our index of the segment being processed (0 before the first)."""
        return self._lines.index_of(self._line)

    @property
    def segment_id(self) -> str:
        return self._seg_id

    def add(
        self,
        level: StructuralLevel,
        code: str,
        ack: str,
        message: str,
        *,
        element: str = "",
        line: int | None = None,
    ) -> None:
        line = self._line if line is None else line
        current = line == self._line
        if current and self._values is None and self._seg is not None:
            self._values = _segment_values(self._seg)
        self.issues.append(
            StructuralIssue(
                segment=self._lines.index_of(line),
                segment_id=self._seg_id if current else "",
                element=element,
                level=level,
                code=code,
                ack_codes=ack,
                message=_scrub(message, self._values or () if current else ()),
                transaction=self._tx if self._in_tx and level not in _ENVELOPE_LEVELS else -1,
            )
        )

    # -- pyx12 err_handler protocol --------------------------------------------------------

    def add_isa_loop(self, seg_data: Any, src: Any) -> None:
        pass

    def add_gs_loop(self, seg_data: Any, src: Any) -> None:
        pass

    def add_st_loop(self, seg_data: Any, src: Any) -> None:
        pass

    def add_seg(self, map_node: Any, seg_data: Any, seg_count: Any, cur_line: Any, ls: Any) -> None:
        pass

    def add_ele(self, map_node: Any) -> None:
        parent = map_node.parent
        if parent is not None and parent.is_composite():
            self._ele_pos = int(parent.seq)
            self._ele = f"{self._seg_id}{self._ele_pos:02d}-{int(map_node.seq)}"
        else:
            self._ele_pos = int(map_node.seq)
            self._ele = f"{self._seg_id}{self._ele_pos:02d}"

    def isa_error(self, err_cde: str, err_str: str) -> None:
        self.add(StructuralLevel.INTERCHANGE, err_cde, f"TA105={err_cde}", err_str)

    def gs_error(self, err_cde: str, err_str: str) -> None:
        self.add(StructuralLevel.GROUP, err_cde, f"AK905={err_cde}", err_str)

    def st_error(self, err_cde: str, err_str: str) -> None:
        self.add(StructuralLevel.TRANSACTION, err_cde, f"IK502={err_cde}", err_str)

    def seg_error(
        self,
        err_cde: str,
        err_str: str,
        err_value: str | None = None,
        src_line: int | None = None,
    ) -> None:
        self.add(StructuralLevel.SEGMENT, err_cde, _segment_ack(err_cde), err_str, line=src_line)

    def ele_error(
        self,
        err_cde: str,
        err_str: str,
        bad_value: str | None,
        refdes: str | None = None,
    ) -> None:
        ack = _element_ack(self._seg_id, self._ele_pos, err_cde)
        self.add(StructuralLevel.ELEMENT, err_cde, ack, err_str, element=self._ele)

    def handle_errors(self, err_list: list[tuple[str, str, str, Any, int | None]]) -> None:
        for kind, code, text, value, src_line in err_list:
            if kind == "isa":
                self.isa_error(code, text)
            elif kind == "gs":
                self.gs_error(code, text)
            elif kind == "st":
                self.st_error(code, text)
            elif kind == "seg":
                self.seg_error(code, text, value, src_line)

    def close_isa_loop(self, node: Any, seg: Any, src: Any) -> None:
        pass

    def close_gs_loop(self, node: Any, seg: Any, src: Any) -> None:
        pass

    def close_st_loop(self, node: Any, seg: Any, src: Any) -> None:
        pass

    def get_error_count(self) -> int:
        return len(self.issues)


# --------------------------------------------------------------------------------------------
# pyx12 resources, loaded once per process: a map takes ~0.2 s to parse, longer than
# validating a typical claim file. Maps are not mutated by validation (counts live in the
# walker), so sharing them is safe.

_LOCK = threading.Lock()
_MAPS: dict[str, Any] = {}
_STATE: dict[str, Any] = {}


def _params() -> Any:
    with _LOCK:
        if "params" not in _STATE:
            _STATE["params"] = pyx12.params.params()
        return _STATE["params"]


def _map_file(icvn: str, vriic: str, fic: str) -> str | None:
    with _LOCK:
        if "index" not in _STATE:
            _STATE["index"] = pyx12.map_index.map_index()
        found = _STATE["index"].get_filename(icvn, vriic, fic)
    return None if found is None else str(found)


def _load_map(name: str) -> Any:
    params = _params()
    with _LOCK:
        if name not in _MAPS:
            _MAPS[name] = pyx12.map_if.load_map_file(name, params)
        return _MAPS[name]


class _NoMap(Exception):  # noqa: N818 - internal signal, converted to an issue
    def __init__(self, icvn: str, fic: str, vriic: str) -> None:
        super().__init__()
        self.message = (
            f"pyx12 has no map for ISA12 {_code(icvn)}, GS01 {_code(fic)}, GS08 {_code(vriic)}"
        )


# --------------------------------------------------------------------------------------------
# The driver: x12n_document's loop, with our collector and per-transaction map choice.


def _overfull_composites(node: Any, seg: Any) -> list[tuple[int, int, int]]:
    """(position, allowed, found) of composites with more components than the map defines."""
    out: list[tuple[int, int, int]] = []
    for i in range(min(len(seg), node.get_child_count())):
        child = node.get_child_node_by_idx(i)
        if child.is_composite() and child.usage != "N":
            allowed = int(child.get_child_count())
            found = int(seg.ele_len(f"{i + 1:02d}"))
            if found > allowed:
                out.append((i + 1, allowed, found))
    return out


def _truncated(seg: Any, overfull: list[tuple[int, int, int]]) -> Any:
    """A copy of ``seg`` with the given composites cut to the allowed number of components."""
    ele, sub, term = str(seg.ele_term), str(seg.subele_term), str(seg.seg_term)
    parts = str(seg.format())[: -len(term)].split(ele)
    for position, allowed, _ in overfull:
        parts[position] = sub.join(parts[position].split(sub)[:allowed])
    return pyx12.segment.Segment(ele.join(parts), term, ele, sub)


def _validate_segment(node: Any, seg: Any, coll: _Collector) -> None:
    """``apply_segment_errors`` without its crash on over-long composites.

    ``segment_if.is_valid_errors`` collects all errors before reporting any, so an exception
    leaves nothing half-reported and the segment can be validated again.
    """
    for _ in range(_MAX_TRUNCATIONS + 1):
        try:
            apply_segment_errors(node, seg, coll)
            return
        except IndexError:
            overfull = _overfull_composites(node, seg)
            if not overfull:
                break
            for position, allowed, found in overfull:
                coll.add(
                    StructuralLevel.ELEMENT,
                    "13",
                    "IK403=13",
                    f"Composite {coll.segment_id}{position:02d} has {found} components; the TR3 "
                    f"allows {allowed} (validated with the extra components removed)",
                    element=f"{coll.segment_id}{position:02d}",
                )
            seg = _truncated(seg, overfull)
        except Exception as exc:
            coll.add(
                StructuralLevel.SEGMENT,
                "ENGINE",
                "",
                f"pyx12 could not validate this segment ({type(exc).__name__})",
            )
            return
    coll.add(
        StructuralLevel.SEGMENT,
        "ENGINE",
        "",
        "pyx12 could not validate this segment (IndexError)",
    )


def _drive(stream: io.TextIOBase, coll: _Collector, aliases: dict[str, None]) -> list[str]:
    """Validate the normalised ``stream``; returns the map versions (GS08 values) used."""
    src = pyx12.x12file.X12Reader(stream)
    control_map = _load_map(
        "x12.control.00501.xml" if src.icvn == _ICVN_5010 else "x12.control.00401.xml"
    )
    walker = walk_tree()
    node = control_map.getnodebypath("/ISA_LOOP/ISA")
    cur_map: Any = None
    cur_vriic = ""
    group_vriic = ""
    icvn = str(src.icvn)
    fic = ""
    used: dict[str, None] = {}
    for seg in src:
        seg_id = str(seg.get_seg_id())
        coll.at(src.get_cur_line(), seg_id, seg)
        orig_node = node
        if seg_id == "ISA":
            node = control_map.getnodebypath("/ISA_LOOP/ISA")
            walker.forceWalkCounterToLoopStart("/ISA_LOOP", "/ISA_LOOP/ISA")
        elif seg_id == "GS":
            node = control_map.getnodebypath("/ISA_LOOP/GS_LOOP/GS")
            walker.forceWalkCounterToLoopStart("/ISA_LOOP/GS_LOOP", "/ISA_LOOP/GS_LOOP/GS")
        else:
            if seg_id == "ST" and cur_map is not None:
                st03 = str(seg.get_value("ST03") or "")
                if st03 in _KIND and st03 != cur_vriic:
                    # A group mixing 837P and 837I sets: validate each with its own guide.
                    name = _map_file(icvn, st03, fic)
                    if name is not None:
                        cur_map, cur_vriic = _load_map(name), st03
                        used.setdefault(st03, None)
                        node = cur_map.getnodebypath("/ISA_LOOP/GS_LOOP/GS")
                        if st03 != group_vriic:
                            aliases.setdefault(
                                f"ST03 {st03} in a GS08 {_code(group_vriic)} group: "
                                f"transaction set validated with the {st03} map",
                                None,
                            )
            node, _pop, _push, walk_errors = walker.walk_errors(
                node, seg, src.get_seg_count(), src.get_cur_line(), src.get_ls_id()
            )
            apply_walk_errors(coll, walk_errors)
        if node is None:
            # Not in the map (already reported); x12n_document leaves the reader's errors for
            # the next segment, which would misplace them.
            node = orig_node
            coll.handle_errors(src.pop_errors())
            continue
        if seg_id == "ISA":
            icvn = str(seg.get_value("ISA12") or "")
            coll.handle_errors(src.pop_errors())
        elif seg_id == "GS":
            fic = str(seg.get_value("GS01") or "")
            group_vriic = str(seg.get_value("GS08") or "")
            name = _map_file(icvn, group_vriic, fic)
            if name is None:
                raise _NoMap(icvn, fic, group_vriic)
            cur_map, cur_vriic = _load_map(name), group_vriic
            used.setdefault(group_vriic, None)
            node = cur_map.getnodebypath("/ISA_LOOP/GS_LOOP/GS")
            coll.handle_errors(src.pop_errors())
        else:
            coll.handle_errors(src.pop_errors())
        _validate_segment(node, seg, coll)
    src.cleanup()  # reports missing SE/GE/IEA trailers
    coll.handle_errors(src.pop_errors())
    return list(used)


# --------------------------------------------------------------------------------------------
# Public API


def _engine_failure(
    message: str, segment: int, seg_id: str, aliases: Iterable[str], implementation: str = ""
) -> StructuralResult:
    issue = StructuralIssue(
        segment=segment,
        segment_id=seg_id,
        element="",
        level=StructuralLevel.INTERCHANGE,
        code="ENGINE",
        ack_codes="",
        message=_WS_RE.sub(" ", message).strip(),
        transaction=-1,
    )
    return StructuralResult((issue,), implementation, tuple(aliases), validated=False)


def validate_segments(segments: Iterable[Segment], where: str = "<input>") -> StructuralResult:
    """Validate ``segments`` (from :mod:`edi_scrub.x12.lexer`) against pyx12's TR3 maps.

    Never raises for bad input: when pyx12 cannot validate at all, the result has
    ``validated=False`` and one issue (code ``ENGINE``) saying why.
    """
    norm = _Normaliser(segments)
    coll = _Collector(norm.lines)
    try:
        used = _drive(_PieceReader(norm.pieces()), coll, norm.aliases)
    except _NoMap as exc:
        return _engine_failure(
            f"{where}: not validated: {exc.message}",
            coll.segment,
            coll.segment_id,
            norm.aliases,
        )
    except InputError as exc:
        return _engine_failure(f"not validated: {exc}", 0, "", norm.aliases)
    except pyx12.errors.X12Error:
        # X12Reader refuses the ISA itself; after normalisation that means an ISA12 it has no
        # control map for (or no segments at all).
        segment = coll.segment or norm.lines.index_of(1)
        return _engine_failure(
            f"{where}: not validated: pyx12 could not read the interchange header "
            "(it supports ISA12 00401 and 00501)",
            segment,
            coll.segment_id if coll.segment else ("ISA" if segment else ""),
            norm.aliases,
        )
    except Exception as exc:
        return _engine_failure(
            f"{where}: not validated: pyx12 failed ({type(exc).__name__})",
            coll.segment,
            coll.segment_id,
            norm.aliases,
        )
    issues = sorted(norm.issues + coll.issues, key=lambda issue: issue.segment)
    return StructuralResult(
        issues=tuple(issues),
        implementation=",".join(used),
        aliases=tuple(norm.aliases),
        validated=True,
    )


def validate_bytes(data: bytes, where: str = "<input>") -> StructuralResult:
    """Lex ``data`` with :mod:`edi_scrub.x12.lexer` and validate it (see
    :func:`validate_segments`). Input the lexer rejects gives ``validated=False``."""
    return validate_segments(iter_segments(io.BytesIO(data), where), where)
