"""pyx12's ``X12Reader`` for the compiled validator: the raw segment lines and the reader's checks.

``RawX12File``'s ISA header checks and segment splitting (:func:`raw_lines`), and
``X12Reader``'s envelope, control number, count, HL and LX checks (:class:`Reader`), with
pyx12's codes and wording, on segments already split into elements.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final, cast

from edi_scrub.x12._normalise import ICVN_5010, Plain
from edi_scrub.x12._tr3_segment import value

_ISA_LEN: Final = 106
_SEG_ID_RE: Final = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")


class Unsupported(Exception):  # noqa: N818 - a signal to use the pyx12 adapter
    pass


class ReaderRefused(Exception):  # noqa: N818 - pyx12's X12Error
    pass


def _int(text: str | None) -> int | None:
    try:
        return int(text)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return None


VALID_IDS: set[str] = set()
#: The segments X12Reader does more with than count.
_READER_IDS: Final = frozenset({"ISA", "GS", "ST", "HL", "IEA", "GE", "SE"})


class Reader:
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
        if seg_id not in VALID_IDS:
            if not seg_id or not _SEG_ID_RE.search(seg_id):
                err(("seg", "1", f'Segment identifier "{seg_id}" is invalid'))
            elif len(VALID_IDS) < 1000:
                VALID_IDS.add(seg_id)
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


def raw_lines(pieces: Iterator[str | Plain]) -> tuple[str, Iterator[str]]:
    """pyx12's ``RawX12File``: the ISA header checks, then the segment strings.

    ``pieces``: the normaliser's (:meth:`._normalise.Normaliser.pieces_bare`): a
    :data:`Plain` tuple stands for its text followed by the terminator and a newline."""
    head = ""
    rest = ""
    for piece in pieces:
        # The ISA's line comes first, whole (the normaliser gives tuples only after it).
        assert isinstance(piece, str)
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
                item = next(pieces, None)
                if item is None:
                    return
                if type(item) is tuple:
                    text = item[1]
                    if buf == "\n" and term not in text:
                        # What the general steps below give for text + term + "\n" after the
                        # previous line's newline, and the buffer they leave.
                        line = text.lstrip("\n\r")
                        if line == "":
                            return
                        yield line
                        continue
                    piece = text + term + "\n"
                else:
                    piece = cast(str, item)
                j = piece.find(term)
                if buf == "\n" and j >= 0 and j == len(piece) - 2 and piece[-1] == "\n" != term:
                    # The normaliser's usual piece, one segment and its terminator after the
                    # previous one's newline: the general steps below would give this line and
                    # leave this buffer, without the copies.
                    line = piece[:j].lstrip("\n\r")
                    if line == "":
                        return
                    yield line
                    continue
                buf += piece
                i = buf.find(term)
            line = buf[:i].lstrip("\n\r")
            buf = buf[i + 1 :]
            if line == "":
                return
            yield line

    return head, lines()
