"""Shortcuts in the compiled validator's inner loops equal the general code they replace.

* ``raw_lines``: the normaliser's usual piece (one segment, its terminator, a newline) is cut
  without re-buffering; any sequence of pieces must give the lines of the general algorithm
  (pyx12's ``RawX12File`` splitting, kept here as the reference).
* ``element_errors``: AN/ID values are checked with pyx12's character-class pattern directly;
  the verdict must be ``IsValidDataType``'s for any string.
"""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st
from pyx12 import validation

from edi_scrub.x12._tr3_compile import CElement
from edi_scrub.x12._tr3_reader import raw_lines
from edi_scrub.x12._tr3_segment import element_errors

_ISA = (
    "ISA*00*          *00*          *ZZ*SYNSUBMIT      *ZZ*SYNRECEIVE     "
    "*241231*1200*^*00501*000000001*0*T*:~"
)


def _reference(pieces: list[str], term: str) -> list[str]:
    """The general algorithm: buffer, cut at the terminator, strip leading newlines, stop at
    the first empty line."""
    out: list[str] = []
    it = iter(pieces)
    buf = ""
    while True:
        i = buf.find(term)
        while i < 0:
            piece = next(it, None)
            if piece is None:
                return out
            buf += piece
            i = buf.find(term)
        line = buf[:i].lstrip("\n\r")
        buf = buf[i + 1 :]
        if line == "":
            return out
        out.append(line)


_piece = st.text(alphabet="AB*:~\n\r", max_size=8)


@settings(max_examples=200, derandomize=True)
@given(pieces=st.lists(st.one_of(_piece, _piece.map(lambda s: s + "~\n")), max_size=12))
def test_raw_lines_equal_the_general_split(pieces: list[str]) -> None:
    all_pieces = [_ISA + "\n", *pieces]
    head, lines = raw_lines(iter(all_pieces))
    assert head == _ISA
    assert list(lines) == _reference(all_pieces, "~")


def test_raw_lines_usual_pieces() -> None:
    pieces = [_ISA + "\n", "GS*HC~\n", "ST*837~\n", "\r~\n", "NM1*X~\n"]
    _, lines = raw_lines(iter(pieces))
    assert list(lines) == _reference(pieces, "~") == [_ISA[:-1], "GS*HC", "ST*837"]


def _element(data_type: str) -> CElement:
    return CElement(
        name="Test",
        refdes="TST01",
        usage="R",
        seq=1,
        data_ele="1",
        data_type=data_type,
        min_len=1,
        max_len=80,
        codes=frozenset(),
        code_list=(),
        external=None,
        external_codes=None,
        external_missing=False,
        regex=None,
        ref_suffix="01",
        ele_pos=1,
        in_composite=False,
        composite_usage="",
    )


def _verdicts(value: str) -> Iterator[tuple[str, str, bool, bool]]:
    for data_type in ("AN", "ID"):
        for icvn in ("00501", "00401"):
            el = _element(data_type)
            codes = {e[0] for e in element_errors(el, value, (), icvn, False)}
            ours = "6" not in codes or value.endswith(" ")  # "6": invalid character
            theirs = validation.IsValidDataType(value, data_type, "E", icvn)
            yield data_type, icvn, ours, theirs


@settings(max_examples=200, derandomize=True)
@given(value=st.text(min_size=1, max_size=12).filter(lambda v: not v.endswith(" ")))
def test_an_id_character_check_is_pyx12s(value: str) -> None:
    for data_type, icvn, ours, theirs in _verdicts(value):
        assert ours == theirs, (data_type, icvn, value)


def test_an_id_character_check_examples() -> None:
    for value in ("ABC", "a^b", "a`b", "a\x01", "é", "A~B", "{}|"):
        for data_type, icvn, ours, theirs in _verdicts(value):
            assert ours == theirs, (data_type, icvn, value)
    assert not next(_verdicts("a\x01"))[2]  # an invalid character is reported
