"""The 999 from the compiled validator: its events fed to pyx12's error tree (:mod:`._ack`).

The 999 is written by pyx12's own visitor from pyx12's error tree, exactly as with the pyx12
adapter; only the events come from the compiled validator. pyx12's tree asks little of what it
is given: a segment object (``get_value``/``get_seg_id``), the reader's counters and control
numbers, and of map nodes their name, position, data element number and sequence. This module
supplies those from the compiled structures, so no pyx12 map is loaded and no pyx12 walk runs.
"""

from __future__ import annotations

from typing import Any

import pyx12.segment

from edi_scrub.x12._tr3_compile import CComposite, CElement


class _Parent:
    __slots__ = ("_composite", "seq")

    def __init__(self, composite: bool, seq: int) -> None:
        self._composite, self.seq = composite, seq

    def is_composite(self) -> bool:
        return self._composite


class _Element:
    """What ``err_ele`` reads of an element (or composite) map node."""

    __slots__ = ("data_ele", "name", "parent", "seq")

    def __init__(self, data_ele: str, name: str, seq: int, parent: _Parent) -> None:
        self.data_ele, self.name, self.seq, self.parent = data_ele, name, seq, parent


_SHIMS: dict[int, _Element] = {}


def element_node(el: CElement | CComposite) -> _Element:
    found = _SHIMS.get(id(el))
    if found is None:
        if isinstance(el, CComposite):
            found = _Element(el.data_ele, el.name, el.seq, _Parent(False, 0))
        else:
            found = _Element(el.data_ele, el.name, el.seq, _Parent(el.in_composite, el.ele_pos))
        _SHIMS[id(el)] = found
    return found


def segment(text: str, term: str, ele: str, sub: str) -> Any:
    return pyx12.segment.Segment(text, term, ele, sub)


def missing_segment(seg_id: str) -> Any:
    """The stand-in segment pyx12's walker files a missing segment or loop under."""
    return pyx12.segment.Segment(seg_id, "~", "*", ":")


class Source:
    """What pyx12's tree reads of its ``X12Reader``."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self.line = 0

    def _first(self, kind: str) -> str | None:
        for loop, ident in self._reader.loops:
            if loop == kind:
                return str(ident) if ident is not None else None
        return None

    def get_seg_count(self) -> int:
        return int(self._reader.seg_count)

    def get_cur_line(self) -> int:
        return self.line

    def get_ls_id(self) -> None:
        return None

    def get_isa_id(self) -> str | None:
        return self._first("ISA")

    def get_gs_id(self) -> str | None:
        return self._first("GS")

    def get_st_id(self) -> str | None:
        return self._first("ST")

    @property
    def st_count(self) -> int:
        return int(self._reader.st_count)
