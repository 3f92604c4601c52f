"""The 999 acknowledgement: pyx12's own error tree, fed while we validate, rendered by pyx12.

pyx12 writes a 999 by walking its error tree (``pyx12.error_handler.err_handler``) with its 999
visitor (``pyx12.error_999.error_999_visitor``). We do not use ``x12n_document``, so
:class:`AckTree` builds that tree beside our collector from the same events, and fixes the
places where ``x12n_document``'s tree would give a wrong 999:

* **Cursor.** Walker errors that carry no map node (a segment or loop marked "not used") land
  on whatever segment the tree last saw, i.e. the previous one. We open the current segment's
  node before walking, and reuse it when the walker reports the segment itself (not found), so
  each input segment gets at most one IK3; the reader's errors for a segment that is not in the
  map go to that segment (``x12n_document`` leaves them for the next one).
* **Accept/reject decided too early.** ``err_st.close`` and ``err_gs.close`` compute IK501 and
  AK901 when SE/GE is read, before the SE/GE elements are validated, and they ignore ST/SE and
  GS/GE element errors. :meth:`AckTree.render` settles every IK501 and AK901 once everything is
  known. AK901 is ``P`` (partially accepted) when some but not all sets were rejected; pyx12
  says ``R`` there, which X12 reserves for a group whose sets were all rejected or whose
  envelope is in error. A group without GE reports the sets it did receive in AK903 (pyx12: 0).
* **Echoed versions.** The normaliser may have rewritten GS08/ST03 to the guide version pyx12
  has a map for; AK103/AK203 echo the input's own values.
* **No TA1.** The visitor appends a TA1 *after* the GE when ISA14 is ``1``, where X12 does not
  allow one; pyx12 cannot produce a real TA1 (see ``docs/pyx12-notes.md``), so none is written
  and interchange-level (ISA/IEA) errors are not acknowledged at all.
* **Unwritable IK3.** A segment whose identifier is itself malformed cannot be named in IK301;
  its IK3/IK4 are left out and the set's IK5 carries ``5`` (segments in error) instead.
* **IK402.** pyx12 puts a composite's reference (``C004``) into the numeric IK402; it is left
  out there.
* **IK3 order.** pyx12 writes a segment's IK3s in the order of a ``set`` of their codes, which
  changes with ``PYTHONHASHSEED``: one input gave different 999 bytes from run to run. They are
  written in code order (as pyx12 already orders IK5 and AK9 codes).
* **IK404.** pyx12 copies the bad value into IK404. The 999 guide requires that copy "unless
  invalid characters are present", and a value containing one of the 999's own delimiters would
  break the 999, so such values (and over-long ones) are left out.

The 999's envelope is pyx12's: its fixed delimiters ``~ * : ^``, sender and receiver swapped from
the (last) ISA and GS, a random GS06, version ``005010X231``. pyx12 derives ISA13 from the clock
(the same number for every 999 of a minute, which trading partners reject as duplicates), so the
run replaces it, and IEA02 with it, by a control number of its own (:func:`set_control_number`).
A failure anywhere in the tree never affects validation: the tree stops, and ``render`` says why
there is no 999.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from typing import Any, Concatenate, Final, ParamSpec

import pyx12.error_999
import pyx12.error_handler
import pyx12.segment

_P = ParamSpec("_P")

# IK404 is AN 1/99 in the 999 guide; anything with a 999 delimiter or a control character cannot
# be copied (the visitor writes with "~", "*", ":" and "^").
_IK404_MAX: Final = 99
_IK404_BAD: Final = re.compile(r"[~*:^\x00-\x1f\x7f-\xff]")
# IK301 is an X12 segment identifier; one the input got wrong ("", "Nd4", "NM31") cannot be
# echoed without making the 999 itself invalid.
_SEG_ID: Final = re.compile(r"[A-Z][A-Z0-9]{1,2}")


def _guarded(
    method: Callable[Concatenate[AckTree, _P], None],
) -> Callable[Concatenate[AckTree, _P], None]:
    """Run a tree operation; on any failure stop building the tree and remember why."""

    def wrapper(self: AckTree, /, *args: _P.args, **kwargs: _P.kwargs) -> None:
        if self.broken:
            return
        try:
            method(self, *args, **kwargs)
        except Exception as exc:
            self.broken = f"pyx12's error tree failed ({type(exc).__name__})"

    return wrapper


def _has_errors(nodes: list[Any]) -> bool:
    return any(node.errors for node in nodes)


class AckTree:
    """pyx12's error tree for one validation, and the 999 made from it.

    The driver calls :meth:`open_segment` (before walking a body segment), :meth:`resume` (after
    the walker's errors), and :meth:`enter` (envelope segments, once the map node is known); the
    collector forwards pyx12's ``err_handler`` calls (``add_seg``, ``add_ele``, ``*_error``).
    """

    def __init__(self, originals: Mapping[int, str]) -> None:
        self._errh = pyx12.error_handler.err_handler()
        self._originals = originals
        self._open_data: Any = None  # the pyx12 segment being processed
        self._open_node: Any = None  # its err_seg
        self._not_5010 = False  # a group validated with a pre-5010 map (that would get a 997)
        #: Why no 999 can be built; empty while the tree is intact.
        self.broken = ""

    # -- driver side -----------------------------------------------------------------------

    @_guarded
    def open_segment(self, seg: Any, src: Any) -> None:
        """A segment inside a transaction set is about to be walked."""
        errh = self._errh
        errh.add_seg(None, seg, src.get_seg_count(), src.get_cur_line(), src.get_ls_id())
        self._open_data, self._open_node = seg, errh.cur_seg_node

    @_guarded
    def resume(self) -> None:
        """Point the tree back at the current segment after the walker's errors moved it."""
        if self._open_node is not None:
            self._point_at(self._open_node)

    @_guarded
    def enter(self, seg_id: str, node: Any, seg: Any, src: Any) -> None:
        """An envelope segment was found in the map: open or close its loop, as pyx12 does."""
        errh = self._errh
        self._open_data = self._open_node = None
        line = src.get_cur_line()
        if seg_id == "ISA":
            errh.add_isa_loop(seg, src)
        elif seg_id == "GS":
            errh.add_gs_loop(seg, src)
            gs = errh.cur_gs_node
            # Judged on the GS08 pyx12 validated with; a malformed original ("00501") whose
            # sets were validated with a 5010 map is still acknowledged, echoing what it said.
            self._not_5010 |= not str(gs.vriic or "").startswith("005010")
            gs.vriic = self._originals.get(line, gs.vriic)
        elif seg_id == "ST":
            errh.add_st_loop(seg, src)
            st = errh.cur_st_node
            st.vriic = self._originals.get(line, st.vriic)
        elif seg_id == "SE":
            errh.close_st_loop(node, seg, src)
        elif seg_id == "GE":
            errh.close_gs_loop(node, seg, src)
        elif seg_id == "IEA":
            errh.close_isa_loop(node, seg, src)

    # -- pyx12 err_handler protocol (forwarded by the collector) ---------------------------

    @_guarded
    def add_seg(self, map_node: Any, seg_data: Any, seg_count: Any, line: Any, ls_id: Any) -> None:
        if seg_data is not None and seg_data is self._open_data:
            # The walker reporting the segment being processed (e.g. "not found"): one node.
            self._point_at(self._open_node)
        else:
            self._errh.add_seg(map_node, seg_data, seg_count, line, ls_id)

    @_guarded
    def add_ele(self, map_node: Any) -> None:
        errh = self._errh
        errh.add_ele(map_node)
        if not str(errh.cur_ele_node.ele_ref_num or "").isdigit():
            # A composite's reference ("C004") is no data element number; IK402 is N0.
            errh.cur_ele_node.ele_ref_num = None

    @_guarded
    def isa_error(self, err_cde: str, err_str: str) -> None:
        self._errh.isa_error(err_cde, err_str)

    @_guarded
    def gs_error(self, err_cde: str, err_str: str) -> None:
        self._errh.gs_error(err_cde, err_str)

    @_guarded
    def st_error(self, err_cde: str, err_str: str) -> None:
        self._errh.st_error(err_cde, err_str)

    @_guarded
    def seg_error(self, err_cde: str, err_str: str, err_value: Any, src_line: Any) -> None:
        self._errh.seg_error(err_cde, err_str, err_value, src_line)

    @_guarded
    def ele_error(self, err_cde: str, err_str: str, bad_value: str | None) -> None:
        if bad_value is not None and (
            len(bad_value) > _IK404_MAX or _IK404_BAD.search(bad_value) is not None
        ):
            bad_value = None
        self._errh.ele_error(err_cde, err_str, bad_value)

    # -- the 999 ---------------------------------------------------------------------------

    def render(self) -> tuple[str | None, str]:
        """``(999 text, "")``, or ``(None, why not)``."""
        if self.broken:
            return None, self.broken
        errh = self._errh
        if errh.cur_isa_node is None or errh.cur_gs_node is None:
            return None, "the input has no functional group to acknowledge"
        if self._not_5010:
            return None, "a 999 acknowledges 5010 groups only"
        for isa in errh.children:
            isa.ta1_req = None  # see the module docstring: no TA1
            for gs in isa.children:
                if gs.fic == "FA":
                    # Acknowledgements are never acknowledged (x12n_document skips them too).
                    return None, "the input is itself an acknowledgement (GS01 FA)"
                _settle(gs)
        out = io.StringIO()
        try:
            errh.accept(_Visitor(out))
        except Exception as exc:
            return None, f"pyx12 could not write the 999 ({type(exc).__name__})"
        return out.getvalue(), ""

    def _point_at(self, node: Any) -> None:
        errh = self._errh
        errh.cur_seg_node = node
        # err_handler appends a segment node to its transaction set on its first error.
        errh.seg_node_added = bool(node.errors or node.elements)


class _Visitor(pyx12.error_999.error_999_visitor):  # type: ignore[misc]
    """pyx12's 999 visitor with a segment's IK3s in a stable order (see the module docstring)."""

    _IK3_CODES: Final = ("1", "2", "3", "4", "5", "6", "7", "8", "I4", "I6", "I7", "I8", "I9")

    def visit_seg(self, err_seg: Any) -> None:
        # pyx12's visit_seg, but sorted(set(...)) where it iterates set(...) itself.
        seg_base = pyx12.segment.Segment("IK3", "~", "*", ":")
        seg_base.set("01", err_seg.seg_id)
        seg_base.set("02", f"{err_seg.seg_count:d}")
        if err_seg.ls_id:
            seg_base.set("03", err_seg.ls_id)
        seg_str = seg_base.format("~", "*", ":")
        errors = [x[0] for x in err_seg.errors]
        if "SEG1" in errors:
            if "8" not in errors:
                errors.append("8")
            errors = [x for x in errors if x != "SEG1"]
        for code in sorted(set(errors)):
            if code in self._IK3_CODES:
                self._ik3(seg_str, code)
        if err_seg.child_err_count() > 0 and "8" not in errors:
            self._ik3(seg_str, "8")

    def _ik3(self, seg_str: str, code: str) -> None:
        seg_data = pyx12.segment.Segment(seg_str, "~", "*", ":")
        seg_data.set("IK304", code)
        self.wr.Write(seg_data)


def _settle(gs: Any) -> None:
    """Final IK501 of every set and AK901/AK903 of the group (see the module docstring)."""
    for st in gs.children:
        failed = not st.is_closed() or st.errors or st.child_err_count() or _has_errors(st.elements)
        st.ack_code = "R" if failed else "A"
        unwritable = [s for s in st.children if not _SEG_ID.fullmatch(str(s.seg_id or ""))]
        if unwritable:
            st.children = [s for s in st.children if s not in unwritable]
            st.errors.append(("5", "segment with a malformed identifier"))
    if not gs.is_closed():
        gs.st_count_recv = len(gs.children)  # close() takes it from the reader at GE
    rejected = gs.count_failed_st()
    if gs.errors or _has_errors(gs.elements) or rejected == len(gs.children):
        gs.ack_code = "R"
    elif rejected:
        gs.ack_code = "P"
    else:
        gs.ack_code = "A"


#: ISA13 / IEA02: a 9-digit interchange control number.
CONTROL_NUMBER_MAX: Final = 999_999_999


def set_control_number(ack: str, number: int) -> str:
    """The 999 ``ack`` with ISA13 and IEA02 set to ``number`` (9 digits, zero-padded).

    The 999 is pyx12's rendering, so its delimiters are the fixed ``~`` and ``*``.
    """
    if not 1 <= number <= CONTROL_NUMBER_MAX:
        raise ValueError(f"interchange control number {number} is not 1..{CONTROL_NUMBER_MAX}")
    value = f"{number:09d}"
    segments = ack.split("~")
    for i, segment in enumerate(segments):
        tag = segment.lstrip()
        if tag.startswith("ISA*"):
            elements = segment.split("*")
            elements[13] = value
            segments[i] = "*".join(elements)
        elif tag.startswith("IEA*"):
            elements = segment.split("*")
            elements[2] = value
            segments[i] = "*".join(elements)
    return "~".join(segments)
