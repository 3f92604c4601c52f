"""The compiled validator's collector: its errors as :class:`StructuralIssue` at our positions.

Issues are made as :class:`._pyx12.Collector` makes them (scrubbed messages, 999 codes, the
transaction index); with a 999 wanted, every error is also fed to pyx12's error tree.
"""

from __future__ import annotations

from typing import Any

from edi_scrub.x12 import _tr3_ack
from edi_scrub.x12._ack import AckTree
from edi_scrub.x12._issues import ENVELOPE_LEVELS, StructuralIssue, StructuralLevel
from edi_scrub.x12._messages import element_ack, scrub, segment_ack
from edi_scrub.x12._normalise import LineMap
from edi_scrub.x12._tr3_compile import CElement
from edi_scrub.x12._tr3_segment import EleError


class Collector:
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
        #: Set by ``at_clean``: the segment text, split only if an issue needs its values.
        self.pending: str | None = None
        self.ele = ""
        self.sub: str | None = None
        #: The element separator (set by the driver; ``at_clean`` texts are split with it).
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
        self.pending = None
        self.line, self.seg_id, self.elements, self.sub, self.values = (
            line,
            seg_id,
            elements,
            sub,
            None,
        )

    def at_clean(self, line: int, seg_id: str, text: str, sub: str) -> None:
        """``at`` for a segment the memo knows to be clean (never ST or SE)."""
        if self.after_se:
            self.in_tx = False
            self.after_se = False
        self.line, self.seg_id, self.sub, self.values, self.pending = line, seg_id, sub, None, text

    @property
    def segment(self) -> int:
        return self.lines.index_of(self.line)

    def _segment_values(self) -> list[str]:
        # pyx12's Segment.format(): trailing empty elements and components dropped.
        if self.pending is not None:
            self.elements = self.pending.split(self.ele_term)[1:]
            self.pending = None
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
