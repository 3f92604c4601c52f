"""The pyx12 driver: ``x12n_document``'s loop over pyx12's own building blocks, made robust.

``x12n_document`` builds its error tree privately, attributes some walker errors to the previous
segment, drops ISA/GS/ST element errors, picks one map per functional group and lets
``IndexError`` escape on a composite with more components than the map allows (SV107 with five
diagnosis pointers). So :func:`drive` runs pyx12's ``X12Reader``, map walker and
``apply_segment_errors`` itself, collects errors through :class:`Collector` (a duck-typed
``err_handler`` that knows the current line), selects the map per transaction set, and on the
composite crash reports the element, truncates the composite and validates the segment again.
When a 999 is wanted the collector also feeds pyx12's real error tree (:mod:`._ack`).

Together with :mod:`._ack` this is the only code that imports pyx12. pyx12 logs every finding
through the ``pyx12`` logger; we silence that logger (level and propagation only) since the
findings are returned as data.
"""

from __future__ import annotations

import io
import logging
import threading
from typing import Any, Final

import pyx12.errors
import pyx12.map_if
import pyx12.map_index
import pyx12.params
import pyx12.segment
import pyx12.x12file
from pyx12.map_if._segment import apply_segment_errors
from pyx12.map_walker import apply_walk_errors, walk_tree

from edi_scrub.x12._ack import AckTree
from edi_scrub.x12._issues import ENVELOPE_LEVELS, StructuralIssue, StructuralLevel
from edi_scrub.x12._messages import element_ack, scrub, segment_ack, segment_values
from edi_scrub.x12._normalise import ICVN_5010, KIND, LineMap, safe_code

# pyx12 logs each finding at ERROR on loggers under "pyx12"; they are returned as data instead.
_PYX12_LOGGER = logging.getLogger("pyx12")
_PYX12_LOGGER.setLevel(logging.CRITICAL + 1)
_PYX12_LOGGER.propagate = False

# How many times one segment may be re-validated after truncating over-long composites.
_MAX_TRUNCATIONS: Final = 3
_ENVELOPE_IDS: Final = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})

#: What pyx12's reader raises for an interchange header it refuses (caught by ``validate``).
X12Error = pyx12.errors.X12Error


# --------------------------------------------------------------------------------------------
# Error collection: a duck-typed replacement for pyx12.error_handler.err_handler.


class Collector:
    """Receives pyx12's errors and turns them into :class:`StructuralIssue` at our positions.

    pyx12's ``err_handler`` builds a tree whose segment cursor lags for some walker errors and
    whose ISA/GS/ST element errors no visitor reports. The driver tells us the line it is on,
    so every error is attributed to the segment being processed (or the ``src_line`` pyx12
    supplies, which is the same line). When a 999 is wanted, every call is also forwarded to
    ``tree``, which builds pyx12's real tree for pyx12's 999 writer.
    """

    def __init__(self, lines: LineMap, tree: AckTree | None = None) -> None:
        self.issues: list[StructuralIssue] = []
        self.tree = tree
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
            self._values = segment_values(self._seg)
        self.issues.append(
            StructuralIssue(
                segment=self._lines.index_of(line),
                segment_id=self._seg_id if current else "",
                element=element,
                level=level,
                code=code,
                ack_codes=ack,
                message=scrub(message, self._values or () if current else ()),
                transaction=self._tx if self._in_tx and level not in ENVELOPE_LEVELS else -1,
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
        if self.tree is not None:
            self.tree.add_seg(map_node, seg_data, seg_count, cur_line, ls)

    def add_ele(self, map_node: Any) -> None:
        if self.tree is not None:
            self.tree.add_ele(map_node)
        parent = map_node.parent
        if parent is not None and parent.is_composite():
            self._ele_pos = int(parent.seq)
            self._ele = f"{self._seg_id}{self._ele_pos:02d}-{int(map_node.seq)}"
        else:
            self._ele_pos = int(map_node.seq)
            self._ele = f"{self._seg_id}{self._ele_pos:02d}"

    def isa_error(self, err_cde: str, err_str: str) -> None:
        self.add(StructuralLevel.INTERCHANGE, err_cde, f"TA105={err_cde}", err_str)
        if self.tree is not None:
            self.tree.isa_error(err_cde, err_str)

    def gs_error(self, err_cde: str, err_str: str) -> None:
        self.add(StructuralLevel.GROUP, err_cde, f"AK905={err_cde}", err_str)
        if self.tree is not None:
            self.tree.gs_error(err_cde, err_str)

    def st_error(self, err_cde: str, err_str: str) -> None:
        self.add(StructuralLevel.TRANSACTION, err_cde, f"IK502={err_cde}", err_str)
        if self.tree is not None:
            self.tree.st_error(err_cde, err_str)

    def seg_error(
        self,
        err_cde: str,
        err_str: str,
        err_value: str | None = None,
        src_line: int | None = None,
    ) -> None:
        self.add(StructuralLevel.SEGMENT, err_cde, segment_ack(err_cde), err_str, line=src_line)
        if self.tree is not None:
            self.tree.seg_error(err_cde, err_str, err_value, src_line)

    def ele_error(
        self,
        err_cde: str,
        err_str: str,
        bad_value: str | None,
        refdes: str | None = None,
    ) -> None:
        ack = element_ack(self._seg_id, self._ele_pos, err_cde)
        self.add(StructuralLevel.ELEMENT, err_cde, ack, err_str, element=self._ele)
        if self.tree is not None:
            self.tree.ele_error(err_cde, err_str, bad_value)

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


class NoMap(Exception):  # noqa: N818 - internal signal, converted to an issue
    def __init__(self, icvn: str, fic: str, vriic: str) -> None:
        super().__init__()
        self.message = (
            f"pyx12 has no map for ISA12 {safe_code(icvn)}, GS01 {safe_code(fic)}, "
            f"GS08 {safe_code(vriic)}"
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


def _validate_segment(node: Any, seg: Any, coll: Collector) -> None:
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
                if coll.tree is not None:
                    # An IK4 "too many components" on the composite, as pyx12 would have said.
                    coll.tree.add_ele(node.get_child_node_by_idx(position - 1))
                    coll.tree.ele_error("13", "Too many components", None)
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


def drive(stream: io.TextIOBase, coll: Collector, aliases: dict[str, None]) -> list[str]:
    """Validate the normalised ``stream``; returns the map versions (GS08 values) used."""
    src = pyx12.x12file.X12Reader(stream)
    control_map = _load_map(
        "x12.control.00501.xml" if src.icvn == ICVN_5010 else "x12.control.00401.xml"
    )
    walker = walk_tree()
    node = control_map.getnodebypath("/ISA_LOOP/ISA")
    cur_map: Any = None
    cur_vriic = ""
    group_vriic = ""
    icvn = str(src.icvn)
    fic = ""
    used: dict[str, None] = {}
    tree = coll.tree
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
                if st03 in KIND and st03 != cur_vriic:
                    # A group mixing 837P and 837I sets: validate each with its own guide.
                    name = _map_file(icvn, st03, fic)
                    if name is not None:
                        cur_map, cur_vriic = _load_map(name), st03
                        src.check_837_lx = True
                        used.setdefault(st03, None)
                        node = cur_map.getnodebypath("/ISA_LOOP/GS_LOOP/GS")
                        if st03 != group_vriic:
                            aliases.setdefault(
                                f"ST03 {st03} in a GS08 {safe_code(group_vriic)} group: "
                                f"transaction set validated with the {st03} map",
                                None,
                            )
            if tree is not None and seg_id not in _ENVELOPE_IDS:
                tree.open_segment(seg, src)
            node, _pop, _push, walk_errors = walker.walk_errors(
                node, seg, src.get_seg_count(), src.get_cur_line(), src.get_ls_id()
            )
            apply_walk_errors(coll, walk_errors)
            if tree is not None:
                tree.resume()
        if node is None:
            # Not in the map (already reported); x12n_document leaves the reader's errors for
            # the next segment, which would misplace them.
            node = orig_node
            coll.handle_errors(src.pop_errors())
            continue
        if tree is not None and seg_id in _ENVELOPE_IDS:
            tree.enter(seg_id, node, seg, src)
        if seg_id == "ISA":
            icvn = str(seg.get_value("ISA12") or "")
            coll.handle_errors(src.pop_errors())
        elif seg_id == "GS":
            fic = str(seg.get_value("GS01") or "")
            group_vriic = str(seg.get_value("GS08") or "")
            name = _map_file(icvn, group_vriic, fic)
            if name is None:
                raise NoMap(icvn, fic, group_vriic)
            cur_map, cur_vriic = _load_map(name), group_vriic
            # x12n_document turns on the reader's 2400 LX01 sequence check for 837 maps.
            src.check_837_lx = True
            used.setdefault(group_vriic, None)
            node = cur_map.getnodebypath("/ISA_LOOP/GS_LOOP/GS")
            coll.handle_errors(src.pop_errors())
        else:
            coll.handle_errors(src.pop_errors())
        _validate_segment(node, seg, coll)
    src.cleanup()  # reports missing SE/GE/IEA trailers
    coll.handle_errors(src.pop_errors())
    return list(used)
