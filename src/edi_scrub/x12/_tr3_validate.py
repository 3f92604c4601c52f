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

from collections.abc import Iterator
from typing import Final

from edi_scrub.x12 import _tr3_ack, _tr3_memo
from edi_scrub.x12._ack import AckTree
from edi_scrub.x12._issues import StructuralLevel
from edi_scrub.x12._messages import segment_ack
from edi_scrub.x12._normalise import ICVN_5010, KIND, LineMap, Plain, safe_code
from edi_scrub.x12._tr3_collect import Collector
from edi_scrub.x12._tr3_compile import CMap, load
from edi_scrub.x12._tr3_reader import VALID_IDS, Reader, ReaderRefused, Unsupported, raw_lines
from edi_scrub.x12._tr3_segment import (
    CONTROL_RE,
    EngineFailure,
    clean_fast,
    overfull,
    segment_errors,
    skeleton_re,
    value,
)
from edi_scrub.x12._tr3_walk import Counters, Program, Walker, WalkError, plan, quick_step

__all__ = ["NoMapFound", "ReaderRefused", "Unsupported", "collector", "run"]

_ENVELOPE_IDS: Final = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})
_CONTROL_MAP: Final = "x12.control.00501.xml"
_MEMO_MAX: Final = 20000
#: Segments the reader does more with than its text allows (see _tr3_memo).
_NOT_MEMO_IDS: Final = frozenset({"ISA", "GS", "ST", "HL", "IEA", "GE", "SE"})
#: Segments Reader.parse does more with than count (ISA has no component separator).
_PARSE_IDS: Final = _NOT_MEMO_IDS | {"LX", "CLM"}


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


def collector(lines: LineMap, tree: AckTree | None = None) -> Collector:
    return Collector(lines, tree)


def run(pieces: Iterator[str | Plain], coll: Collector, aliases: dict[str, None]) -> list[str]:
    """Validate the normaliser's ``pieces`` into ``coll``; returns the maps (GS08) used.

    Raises :class:`ReaderRefused` (pyx12 would not read the ISA), :class:`NoMapFound` (a group
    pyx12 has no map for) and :class:`Unsupported` (left to the pyx12 adapter)."""
    head, seg_lines = raw_lines(pieces)
    ele, sub_char = head[3], head[-2]
    control = load(_CONTROL_MAP)
    counters = Counters()
    walker = Walker(counters)
    reader = Reader(ele + sub_char)
    cur_map: CMap | None = None
    node = control.by_path["/ISA_LOOP/ISA"]
    node_map: CMap = control
    cur_vriic = group_vriic = fic = ""
    icvn = ICVN_5010
    used: dict[str, None] = {}
    line_no = 0
    coll.ele_term = ele
    tree = coll.tree
    if tree is not None:
        coll.src = _tr3_ack.Source(reader)
    # The memo (see _tr3_memo): off when building a 999, which wants every event.
    use_memo = _tr3_memo.ENABLED and tree is None
    memo = _tr3_memo.memos(node_map.name, ele, sub_char)
    whole, clean = memo.whole.data, memo.clean.data
    counts = counters.counts
    delims = ele + sub_char
    # The last segment, when it was a memo hit not yet handed to the collector (see below).
    pending: _tr3_memo.Whole | None = None
    pending_raw = ""
    for raw in seg_lines:
        hit = whole.get((node, raw)) if use_memo else None
        if hit is not None:
            seg_id, next_node, fast, kind, lx01, hit_program = hit
            if kind != _tr3_memo.PLAIN and reader.check_lx:
                if kind == _tr3_memo.CLM:
                    reader.lx_count = 0
                elif lx01 == reader.lx_count + 1:
                    reader.lx_count = lx01
                else:
                    # LX01 is checked against the reader's line count; a mismatch goes the
                    # full way (nothing has been changed yet).
                    hit = None
        if hit is not None:
            reader.seg_count += 1
            line_no += 1
            # The quick form of the program (_tr3_walk.quick_step, inlined: this runs for
            # most segments). The collector hears of the segment only if the walk finds an
            # error, or at the end of the loop.
            if fast is not None:
                needed, loop, loop_max, below, seg, seg_max = fast
                if not needed or counts.keys() >= needed:
                    if loop >= 0:
                        count = counts.get(loop, 0) + 1
                        if count <= loop_max:
                            for k in counts.keys() & below:
                                del counts[k]
                            counts[loop] = count
                            counts[seg] = counts.get(seg, 0) + 1
                            node = next_node
                            pending, pending_raw = hit, raw
                            continue
                    else:
                        count = counts.get(seg, 0) + 1
                        if count <= seg_max:
                            counts[seg] = count
                            node = next_node
                            pending, pending_raw = hit, raw
                            continue
            coll.at_clean(line_no, seg_id, raw, sub_char)
            pending = None
            errors = walker.replay(node_map, hit_program, seg_id)
            if errors:
                elements = raw.split(ele)[1:]
                _file_walk_errors(errors, node_map, seg_id, elements, sub_char, coll)
            node = next_node
            continue
        if pending is not None:
            # The reader may fail on this segment before the collector hears of it; the
            # failure is then reported at the previous segment, as without the memo.
            coll.at_clean(line_no, pending[0], pending_raw, sub_char)
            pending = None
        issues_before = len(coll.issues)
        program: Program | None = None
        start = node
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
        rest = text[len(seg_id) :]
        if seg_id not in _PARSE_IDS and seg_id in VALID_IDS and rest.strip(delims):
            reader.seg_count += 1  # all Reader.parse does with it (known id, not empty)
        else:
            reader.parse(seg_id, elements, sub, rest)
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
            node, found, program = _walk(walker, node_map, node, seg_id, elements, sub, coll)
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
        if not use_memo:
            _validate(node_map, node, seg_id, elements, sub, coll, text, ele)
            continue
        if seg_id in _ENVELOPE_IDS:
            # The map may have changed (ISA, GS, ST): the memo and counter keys follow it.
            memo = _tr3_memo.memos(node_map.name, ele, sub_char)
            whole, clean = memo.whole.data, memo.clean.data
        if (node, text) in clean:
            pass  # validated at this node before and found clean
        else:
            before = len(coll.issues)
            _validate(node_map, node, seg_id, elements, sub, coll, text, ele)
            if len(coll.issues) != before:
                continue
            if len(clean) >= memo.clean.limit:
                clean.clear()  # bounded (see _tr3_memo)
            clean[(node, text)] = True
        if (
            program is not None
            and len(coll.issues) == issues_before
            and text is raw
            and seg_id not in _NOT_MEMO_IDS
            and (seg_id != "LX" or reader.check_lx)
        ):
            kind = _tr3_memo.PLAIN
            lx01 = -1
            if seg_id == "CLM":
                kind = _tr3_memo.CLM
            elif seg_id == "LX":
                kind = _tr3_memo.LX
                lx01 = reader.lx_count
            if len(whole) >= memo.whole.limit:
                whole.clear()
            whole[(start, raw)] = (seg_id, program[1], program[2], kind, lx01, program)
    if pending is not None:
        coll.at_clean(line_no, pending[0], pending_raw, sub_char)
    reader.cleanup()
    _flush_reader(reader, coll)
    return list(used)


def _flush_reader(reader: Reader, coll: Collector) -> None:
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
    coll: Collector,
) -> tuple[int, bool, Program]:
    """The node the segment walks to, whether it was found, and its walk program."""
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
    fast = program[2]
    if fast is None or not quick_step(walker.counters.counts, fast):
        errors = walker.replay(cmap, program, seg_id)
        if errors:
            _file_walk_errors(errors, cmap, seg_id, elements, sub, coll)
    result = program[1]
    return (result, True, program) if result >= 0 else (node, False, program)


def _file_walk_errors(
    errors: list[WalkError],
    cmap: CMap,
    seg_id: str,
    elements: list[str],
    sub: str | None,
    coll: Collector,
) -> None:
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
    coll: Collector,
    text: str,
    ele: str,
) -> None:
    node = cmap.nodes[nid]
    ctrl = CONTROL_RE.search(text) is not None
    if not ctrl:
        # The shape key: without components, which elements are present says it all (and is
        # cheaper than the skeleton regex); with components, the skeleton text.
        skeleton: object
        if sub is None or sub not in text:
            skeleton = tuple(map(bool, elements))
        else:
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
