"""The compiled TR3 validator: pyx12's findings from compiled maps, in one streaming pass.

It reads the same normalised text the pyx12 adapter hands to pyx12 (:mod:`._normalise`: BOMs,
aliases, odd delimiters, newline terminators, sloppy ISAs are handled there, identically), and
reproduces, step for step, what :func:`._pyx12.drive` gets from pyx12: the reader's envelope,
HL and count checks (``X12Reader``), the map walk (``walk_tree``, memoised, see
:mod:`._tr3_walk`) and segment/element validation (``is_valid_errors``, see
:mod:`._tr3_segment`). Findings are :class:`StructuralIssue` with the same positions, elements,
codes, 999 codes and (scrubbed) messages as the adapter's.

What it does not do itself it hands back with :class:`Unsupported` (a pre-5010 map, which the
adapter validates with pyx12's 4010 maps); the caller then runs the adapter instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from edi_scrub.x12 import _tr3_ack
from edi_scrub.x12._ack import AckTree
from edi_scrub.x12._issues import ENVELOPE_LEVELS, StructuralIssue, StructuralLevel
from edi_scrub.x12._messages import element_ack, scrub, segment_ack
from edi_scrub.x12._normalise import ICVN_5010, KIND, LineMap, safe_code
from edi_scrub.x12._tr3_compile import CElement, CMap, load
from edi_scrub.x12._tr3_segment import (
    CONTROL_RE,
    EleError,
    EngineFailure,
    clean_fast,
    overfull,
    segment_errors,
    skeleton_re,
    value,
)
from edi_scrub.x12._tr3_walk import Counters, Program, Walker, plan

_ISA_LEN: Final = 106
_ENVELOPE_IDS: Final = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})
_SEG_ID_RE: Final = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")
_CONTROL_MAP: Final = "x12.control.00501.xml"
_MEMO_MAX: Final = 20000


class Unsupported(Exception):  # noqa: N818 - a signal to use the pyx12 adapter
    pass


class ReaderRefused(Exception):  # noqa: N818 - pyx12's X12Error
    pass


class NoMapFound(Exception):  # noqa: N818 - pyx12 has no map for the group
    def __init__(self, icvn: str, fic: str, vriic: str) -> None:
        super().__init__()
        self.message = (
            f"pyx12 has no map for ISA12 {safe_code(icvn)}, GS01 {safe_code(fic)}, "
            f"GS08 {safe_code(vriic)}"
        )


def _map_file(icvn: str, vriic: str, fic: str) -> str | None:
    from edi_scrub.x12._pyx12 import _map_file as lookup  # noqa: PLC0415 - map index only

    return lookup(icvn, vriic, fic)


_MAP_NAMES: dict[tuple[str, str, str], str | None] = {}


def map_name(icvn: str, vriic: str, fic: str) -> str | None:
    key = (icvn, vriic, fic)
    if key not in _MAP_NAMES:
        _MAP_NAMES[key] = _map_file(icvn, vriic, fic)
    return _MAP_NAMES[key]


#: Walk programs per (map, start node, segment id, qualifier values).
_PROGRAMS: dict[str, dict[tuple[object, ...], Program]] = {}
_SPECS: dict[str, dict[str, tuple[tuple[tuple[int, int], frozenset[str | None]], ...]]] = {}
#: Per map and segment id: the qualifier positions its segment nodes match on.
_KEYS: dict[tuple[str, str], tuple[tuple[int, int], ...]] = {}
#: Per map, segment id and position: every code a node matches on there (others are alike).
_KEY_CODES: dict[tuple[str, str, tuple[int, int]], frozenset[str | None]] = {}


def _key_positions(cmap: CMap, seg_id: str) -> tuple[tuple[int, int], ...]:
    k = (cmap.name, seg_id)
    found = _KEYS.get(k)
    if found is None:
        positions: dict[tuple[int, int], set[str | None]] = {}
        for node in cmap.nodes:
            if node.xid == seg_id and node.key is not None:
                positions.setdefault(node.key, set()).update(node.key_codes)
        found = tuple(sorted(positions))
        for pos, codes in positions.items():
            _KEY_CODES[(cmap.name, seg_id, pos)] = frozenset(codes)
        _KEYS[k] = found
    return found


class _Collector:
    """Issues at our segment numbers, as :class:`._pyx12.Collector` makes them."""

    def __init__(self, lines: LineMap, tree: AckTree | None = None) -> None:
        self.tree = tree
        #: With a tree: the pyx12 segment being processed and the reader's stand-in.
        self.seg_obj: Any = None
        self.src: Any = None
        self.issues: list[StructuralIssue] = []
        self.lines = lines
        self.line = 0
        self.seg_id = ""
        self.values: list[str] | None = None
        self.elements: list[str] = []
        self.ele = ""
        self.sub: str | None = None
        self.ele_term = "*"
        self.tx = -1
        self.in_tx = False
        self.after_se = False

    def at(self, line: int, seg_id: str, elements: list[str], sub: str | None) -> None:
        if self.after_se:
            self.in_tx = False
        if seg_id == "ST":
            self.tx += 1
            self.in_tx = True
        self.after_se = seg_id == "SE"
        self.line, self.seg_id, self.elements, self.sub, self.values = (
            line,
            seg_id,
            elements,
            sub,
            None,
        )

    @property
    def segment(self) -> int:
        return self.lines.index_of(self.line)

    def _segment_values(self) -> list[str]:
        # pyx12's Segment.format(): trailing empty elements and components dropped.
        sub = self.sub
        elements = [e.rstrip(sub) if sub is not None else e for e in self.elements]
        while elements and elements[-1] == "":
            elements.pop()
        out: list[str] = []
        for e in elements or [""]:
            out.append(e.strip())
            if sub and sub in e:
                out.extend(c.strip() for c in e.split(sub))
        return out

    def add(
        self, level: StructuralLevel, code: str, ack: str, message: str, element: str = ""
    ) -> None:
        if self.values is None:
            self.values = self._segment_values() if self.line else []
        self.issues.append(
            StructuralIssue(
                segment=self.lines.index_of(self.line),
                segment_id=self.seg_id,
                element=element,
                level=level,
                code=code,
                ack_codes=ack,
                message=scrub(message, self.values),
                transaction=self.tx if self.in_tx and level not in ENVELOPE_LEVELS else -1,
            )
        )

    def reader(self, kind: str, code: str, text: str) -> None:
        tree = self.tree
        if tree is not None:
            if kind == "isa":
                tree.isa_error(code, text)
            elif kind == "gs":
                tree.gs_error(code, text)
            elif kind == "st":
                tree.st_error(code, text)
            else:
                tree.seg_error(code, text, None, self.line)
        if kind == "isa":
            self.add(StructuralLevel.INTERCHANGE, code, f"TA105={code}", text)
        elif kind == "gs":
            self.add(StructuralLevel.GROUP, code, f"AK905={code}", text)
        elif kind == "st":
            self.add(StructuralLevel.TRANSACTION, code, f"IK502={code}", text)
        else:
            self.add(StructuralLevel.SEGMENT, code, segment_ack(code), text)

    def element_errors(self, errors: list[EleError]) -> None:
        tree = self.tree
        cursor: CElement | None = None
        for code, text, bad, el in errors:
            if el is None:
                self.add(StructuralLevel.SEGMENT, "8", segment_ack("8"), text)
                if tree is not None:
                    tree.seg_error("8", text, bad, None)
                continue
            if tree is not None:
                if el is not cursor:
                    tree.add_ele(_tr3_ack.element_node(el))
                    cursor = el
                tree.ele_error(code, text, bad)
            self.ele = f"{self.seg_id}{el.ref_suffix}"
            ack = element_ack(self.seg_id, el.ele_pos, code)
            self.add(StructuralLevel.ELEMENT, code, ack, text, self.ele)


def _int(text: str | None) -> int | None:
    try:
        return int(text)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return None


_VALID_IDS: set[str] = set()
#: The segments X12Reader does more with than count.
_READER_IDS: Final = frozenset({"ISA", "GS", "ST", "HL", "IEA", "GE", "SE"})


class _Reader:
    """``X12Reader``'s checks (envelope, control numbers, counts, HL) on parsed segments."""

    def __init__(self, delimiters: str = "*:") -> None:
        #: element separator, then component separator (the empty-segment check strips both)
        self.delimiters = delimiters
        self.errors: list[tuple[str, str, str]] = []
        self.loops: list[tuple[str, str | None]] = []
        self.hl_stack: list[int | None] = []
        self.gs_count = self.st_count = self.hl_count = self.seg_count = 0
        self.isa_ids: list[str | None] = []
        self.gs_ids: list[str | None] = []
        self.st_ids: list[str | None] = []
        #: X12Reader.check_837_lx: on once an 837 map is in use (set by ``run``), as pyx12's
        #: own x12n_document does; LX01 must count the lines of each claim from 1.
        self.check_lx = False
        self.lx_count = 0

    def parse(self, seg_id: str, elements: list[str], sub: str | None, rest: str) -> None:
        """``rest``: the segment's text after its identifier (delimiters included)."""
        err = self.errors.append
        if not rest.strip(self.delimiters if sub else self.delimiters[0]):
            err(("seg", "8", f'Segment "{seg_id}" is empty'))
        if seg_id not in _VALID_IDS:
            if not seg_id or not _SEG_ID_RE.search(seg_id):
                err(("seg", "1", f'Segment identifier "{seg_id}" is invalid'))
            elif len(_VALID_IDS) < 1000:
                _VALID_IDS.add(seg_id)
        if seg_id not in _READER_IDS:
            if self.check_lx and seg_id == "CLM":
                self.lx_count = 0
            elif self.check_lx and seg_id == "LX":
                self.lx_count += 1
                lx01 = value(elements, sub, 1)
                if lx01 != f"{self.lx_count:d}":
                    err(
                        (
                            "seg",
                            "LX",
                            f"Your 2400/LX01 Service Line Number {lx01} does not match my "
                            f"count of {self.lx_count:d}",
                        )
                    )
            self.seg_count += 1
            return

        def get(pos: int) -> str | None:
            return value(elements, sub, pos)

        if seg_id == "ISA":
            if len(elements) != 16:
                raise ReaderRefused
            icn = get(13)
            if icn in self.isa_ids:
                err(("isa", "025", f"ISA Interchange Control Number {icn} not unique within file"))
            self.loops.append(("ISA", icn))
            self.isa_ids.append(icn)
            self.gs_count = 0
            self.gs_ids = []
        elif seg_id == "GS":
            gcn = get(6)
            if gcn in self.gs_ids:
                err(("gs", "6", f"GS Interchange Control Number {gcn} not unique within file"))
            self.gs_count += 1
            self.gs_ids.append(gcn)
            self.loops.append(("GS", gcn))
            self.st_count = 0
            self.st_ids = []
        elif seg_id == "ST":
            self.hl_stack = []
            tcn = get(2)
            if tcn in self.st_ids:
                err(("st", "23", f"ST Interchange Control Number {tcn} not unique within file"))
            self.st_count += 1
            self.st_ids.append(tcn)
            self.loops.append(("ST", tcn))
            self.seg_count = 1
            self.hl_count = 0
        elif seg_id == "HL":
            self.hl_count += 1
            hl01 = get(1)
            if self.hl_count != _int(hl01):
                err(
                    (
                        "seg",
                        "HL1",
                        f"My HL count {self.hl_count:d} does not match your HL count {hl01}",
                    )
                )
            if get(2) != "":
                parent = _int(get(2))
                if parent not in self.hl_stack:
                    err(("seg", "HL2", f"HL parent ({parent}) is not a valid parent"))
                while self.hl_stack and parent != self.hl_stack[-1]:
                    del self.hl_stack[-1]
            self.hl_stack.append(self.hl_count)
        if seg_id not in ("ISA", "IEA", "GS", "GE", "ST", "SE"):
            self.seg_count += 1
        # X12Reader._parse_segment: the trailers.
        if seg_id == "IEA":
            if self.loops[-1][0] != "ISA":
                err(("isa", "024", f"Unterminated Loop {self.loops[-1][0]}"))
                del self.loops[-1]
            if self.loops[-1][1] != get(2):
                err(("isa", "001", f"IEA id={get(2)} does not match ISA id={self.loops[-1][1]}"))
            if _int(get(1)) != self.gs_count:
                err(("isa", "021", f"IEA count for IEA02={get(2)} is wrong"))
            del self.loops[-1]
        elif seg_id == "GE":
            if self.loops[-1][0] != "GS":
                err(("gs", "3", f"Unterminated segment {self.loops[-1][1]}"))
                del self.loops[-1]
            if self.loops[-1][1] != get(2):
                err(("gs", "4", f"GE id={get(2)} does not match GS id={self.loops[-1][1]}"))
            if _int(get(1)) != self.st_count:
                err(
                    (
                        "gs",
                        "5",
                        f"GE count of {get(1)} for GE02={get(2)} is wrong. I count {self.st_count}",
                    )
                )
            del self.loops[-1]
        elif seg_id == "SE":
            se02 = get(2)
            if self.loops[-1][0] != "ST" or self.loops[-1][1] != se02:
                err(("st", "3", f"SE id={se02} does not match ST id={self.loops[-1][1]}"))
            if _int(get(1)) != self.seg_count + 1:
                err(
                    (
                        "st",
                        "4",
                        f"SE count of {get(1)} for SE02={se02} is wrong. "
                        f"I count {self.seg_count + 1}",
                    )
                )
            del self.loops[-1]

    def cleanup(self) -> None:
        for seg, id1 in self.loops:
            if seg == "ST":
                self.errors.append(
                    ("st", "2", f'Mandatory segment "Transaction Set Trailer" (SE={id1}) missing')
                )
            elif seg == "GS":
                self.errors.append(
                    ("gs", "3", f'Mandatory segment "Functional Group Trailer" (GE={id1}) missing')
                )
            elif seg == "ISA":
                self.errors.append(
                    (
                        "isa",
                        "023",
                        f'Mandatory segment "Interchange Control Trailer" (IEA={id1}) missing',
                    )
                )


def _raw_lines(pieces: Iterator[str]) -> tuple[str, Iterator[str]]:
    """pyx12's ``RawX12File``: the ISA header checks, then the segment strings."""
    head = ""
    rest = ""
    for piece in pieces:
        head += piece
        if len(head) >= _ISA_LEN:
            break
    head, rest = head[:_ISA_LEN], head[_ISA_LEN:]
    if head[:3] != "ISA" or len(head) != _ISA_LEN:
        raise ReaderRefused
    icvn = head[84:89]
    if icvn not in ("00401", ICVN_5010):
        raise ReaderRefused
    if icvn != ICVN_5010:
        raise Unsupported
    term = head[-1]

    def lines() -> Iterator[str]:
        buf = head + rest
        while True:
            i = buf.find(term)
            while i < 0:
                piece = next(pieces, None)
                if piece is None:
                    return
                buf += piece
                i = buf.find(term)
            line = buf[:i].lstrip("\n\r")
            buf = buf[i + 1 :]
            if line == "":
                return
            yield line

    return head, lines()


def collector(lines: LineMap, tree: AckTree | None = None) -> _Collector:
    return _Collector(lines, tree)


def run(pieces: Iterator[str], coll: _Collector, aliases: dict[str, None]) -> list[str]:
    """Validate the normaliser's ``pieces`` into ``coll``; returns the maps (GS08) used.

    Raises :class:`ReaderRefused` (pyx12 would not read the ISA), :class:`NoMapFound` (a group
    pyx12 has no map for) and :class:`Unsupported` (left to the pyx12 adapter)."""
    head, seg_lines = _raw_lines(pieces)
    ele, sub_char = head[3], head[-2]
    control = load(_CONTROL_MAP)
    counters = Counters()
    walker = Walker(counters)
    reader = _Reader(ele + sub_char)
    cur_map: CMap | None = None
    node = control.by_path["/ISA_LOOP/ISA"]
    node_map: CMap = control
    cur_vriic = group_vriic = fic = ""
    icvn = ICVN_5010
    used: dict[str, None] = {}
    line_no = 0
    tree = coll.tree
    if tree is not None:
        coll.src = _tr3_ack.Source(reader)
    for raw in seg_lines:
        text = raw
        if text.startswith(" "):
            reader.errors.append(("seg", "1", "Segment contains a leading space"))
            text = text.lstrip()
        if text[-1] == ele:
            reader.errors.append(("seg", "SEG1", "Segment contains trailing element terminators"))
        parts = text.split(ele)
        seg_id = parts[0]
        elements = parts[1:]
        sub: str | None = None if seg_id == "ISA" else sub_char
        reader.parse(seg_id, elements, sub, text[len(seg_id) :])
        line_no += 1
        coll.at(line_no, seg_id, elements, sub)
        if tree is not None:
            coll.src.line = line_no
            coll.seg_obj = _tr3_ack.segment(text, head[-1], ele, sub_char)
        orig_node, orig_map = node, node_map
        found = True
        if seg_id == "ISA":
            node, node_map = control.by_path["/ISA_LOOP/ISA"], control
            walker.force("/ISA_LOOP", "/ISA_LOOP/ISA")
        elif seg_id == "GS":
            node, node_map = control.by_path["/ISA_LOOP/GS_LOOP/GS"], control
            walker.force("/ISA_LOOP/GS_LOOP", "/ISA_LOOP/GS_LOOP/GS")
        else:
            if seg_id == "ST" and cur_map is not None:
                st03 = value(elements, sub, 3) or ""
                if st03 in KIND and st03 != cur_vriic:
                    name = map_name(icvn, st03, fic)
                    if name is not None:
                        cur_map, cur_vriic = load(name), st03
                        reader.check_lx = True
                        used.setdefault(st03, None)
                        node, node_map = cur_map.by_path["/ISA_LOOP/GS_LOOP/GS"], cur_map
                        if st03 != group_vriic:
                            aliases.setdefault(
                                f"ST03 {st03} in a GS08 {safe_code(group_vriic)} group: "
                                f"transaction set validated with the {st03} map",
                                None,
                            )
            if tree is not None and seg_id not in _ENVELOPE_IDS:
                tree.open_segment(coll.seg_obj, coll.src)
            node, found = _walk(walker, node_map, node, seg_id, elements, sub, coll)
            if tree is not None:
                tree.resume()
        if not found:
            node, node_map = orig_node, orig_map
            _flush_reader(reader, coll)
            continue
        if tree is not None and seg_id in _ENVELOPE_IDS:
            tree.enter(seg_id, None, coll.seg_obj, coll.src)
        if seg_id == "ISA":
            icvn = value(elements, sub, 12) or ""
        elif seg_id == "GS":
            fic = value(elements, sub, 1) or ""
            group_vriic = value(elements, sub, 8) or ""
            name = map_name(icvn, group_vriic, fic)
            if name is None:
                raise NoMapFound(icvn, fic, group_vriic)
            if group_vriic not in KIND:
                raise Unsupported
            cur_map, cur_vriic = load(name), group_vriic
            reader.check_lx = True
            used.setdefault(group_vriic, None)
            node, node_map = cur_map.by_path["/ISA_LOOP/GS_LOOP/GS"], cur_map
        _flush_reader(reader, coll)
        _validate(node_map, node, seg_id, elements, sub, coll, text, ele)
    reader.cleanup()
    _flush_reader(reader, coll)
    return list(used)


def _flush_reader(reader: _Reader, coll: _Collector) -> None:
    if reader.errors:
        errors, reader.errors = reader.errors, []
        for kind, code, text in errors:
            coll.reader(kind, code, text)


def _walk(
    walker: Walker,
    cmap: CMap,
    node: int,
    seg_id: str,
    elements: list[str],
    sub: str | None,
    coll: _Collector,
) -> tuple[int, bool]:
    specs = _SPECS.get(cmap.name)
    if specs is None:
        specs = _SPECS[cmap.name] = {}
    spec = specs.get(seg_id)
    if spec is None:
        positions = _key_positions(cmap, seg_id)
        spec = specs[seg_id] = tuple(
            (pos, _KEY_CODES[(cmap.name, seg_id, pos)]) for pos in positions
        )
    vals: list[str | None] = []
    for pos, codes in spec:
        v = value(elements, sub, pos[0], pos[1])
        if v not in codes:
            v = "\x00other"  # matches no node: all such values walk alike
        vals.append(v)
    programs = _PROGRAMS.get(cmap.name)
    if programs is None:
        programs = _PROGRAMS[cmap.name] = {}
    key = (node, seg_id, *vals)
    program = programs.get(key)
    if program is None:
        positions = tuple(pos for pos, _ in spec)
        program = plan(cmap, node, seg_id, dict(zip(positions, vals, strict=True)))
        if len(programs) < _MEMO_MAX:
            programs[key] = program
    errors = walker.replay(cmap, program, seg_id)
    if not errors:
        result = program[1]
        return (result, True) if result >= 0 else (node, False)
    for code, message, filed in errors:
        text = message
        if code == "1" and text == "":
            if seg_id == "HL":
                shown = _format_hl(seg_id, elements, sub)
            else:
                shown = f"{seg_id}*{value(elements, sub, 1)}"
            text = f"Segment {shown} not found.  Started at {cmap.nodes[filed].path}"
        coll.add(StructuralLevel.SEGMENT, code, segment_ack(code), text)
        tree = coll.tree
        if tree is not None:
            if filed >= 0:
                node_obj = cmap.nodes[filed]
                seg_obj = _tr3_ack.missing_segment(node_obj.xid) if code == "3" else coll.seg_obj
                tree.add_seg(node_obj, seg_obj, coll.src.get_seg_count(), coll.line, None)
            tree.seg_error(code, text, None, coll.line)
    result = program[1]
    return (result, True) if result >= 0 else (node, False)


def _format_hl(seg_id: str, elements: list[str], sub: str | None) -> str:
    trimmed = [e.rstrip(sub) if sub else e for e in elements]
    while trimmed and trimmed[-1] == "":
        trimmed.pop()
    return seg_id + "*" + "*".join(trimmed)


def _validate(
    cmap: CMap,
    nid: int,
    seg_id: str,
    elements: list[str],
    sub: str | None,
    coll: _Collector,
    text: str,
    ele: str,
) -> None:
    node = cmap.nodes[nid]
    ctrl = CONTROL_RE.search(text) is not None
    if not ctrl:
        skeleton = skeleton_re(ele, sub).sub("x", text)
        if clean_fast(node, seg_id, skeleton, elements, sub, cmap.icvn):
            return
    try:
        full = overfull(node, elements, sub)
        if full and sub is not None:
            for position, allowed, count in full:
                coll.add(
                    StructuralLevel.ELEMENT,
                    "13",
                    "IK403=13",
                    f"Composite {seg_id}{position:02d} has {count} components; the TR3 "
                    f"allows {allowed} (validated with the extra components removed)",
                    element=f"{seg_id}{position:02d}",
                )
                if coll.tree is not None:
                    coll.tree.add_ele(_tr3_ack.element_node(node.children[position - 1]))
                    coll.tree.ele_error("13", "Too many components", None)
            elements = _truncated(elements, sub, full)
        coll.element_errors(segment_errors(node, seg_id, elements, sub, cmap.icvn, ctrl))
    except EngineFailure:
        coll.add(
            StructuralLevel.SEGMENT,
            "ENGINE",
            "",
            "pyx12 could not validate this segment (EngineError)",
        )


def _truncated(elements: list[str], sub: str, full: list[tuple[int, int, int]]) -> list[str]:
    """As ``_pyx12._truncated``: the segment re-read from pyx12's ``format()`` with the
    overfull composites cut (trailing empty elements and components dropped)."""
    out = [e.rstrip(sub) for e in elements]
    while out and out[-1] == "":
        out.pop()
    for position, allowed, _ in full:
        out[position - 1] = sub.join(out[position - 1].split(sub)[:allowed])
    return out
