"""Shortcuts in the compiled validator's inner loops equal the general code they replace.

* ``raw_lines``: the normaliser's usual piece (one segment, its terminator, a newline) is cut
  without re-buffering; any sequence of pieces must give the lines of the general algorithm
  (pyx12's ``RawX12File`` splitting, kept here as the reference).
* ``element_errors``: AN/ID values are checked with pyx12's character-class pattern directly;
  the verdict must be ``IsValidDataType``'s for any string.
* ``clean_fast``'s quick value checks (text and number elements without codes): "no error"
  exactly when ``element_errors`` finds none, on every such element of both maps.
"""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st
from pyx12 import validation

from edi_scrub.x12 import _tr3_segment
from edi_scrub.x12._tr3_compile import CComposite, CElement, load
from edi_scrub.x12._tr3_reader import raw_lines
from edi_scrub.x12._tr3_segment import (
    _GENERAL,
    _NUMBER,
    _TEXT,
    _quick_check,
    _quick_ok,
    element_errors,
)

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


# --------------------------------------------------------------------------------------------
# The quick value checks of ``clean_fast`` (``_quick_check`` / ``_quick_ok``).


def _quick_elements() -> list[tuple[CElement, str]]:
    """Every simple element and component of the 837P/837I maps that has a quick check."""
    out: list[tuple[CElement, str]] = []
    for name in ("837.5010.X222.A1.xml", "837Q3.I.5010.X223.A1.xml"):
        cmap = load(name)
        for node in cmap.nodes:
            for child in node.children:
                for el in child.children if isinstance(child, CComposite) else [child]:
                    if _quick_check(el, cmap.icvn)[0] != _GENERAL:
                        out.append((el, cmap.icvn))
    return out


_QUICK = _quick_elements()
_quick_value = st.one_of(
    st.text(alphabet="0123456789.-", min_size=1, max_size=20),
    st.text(alphabet="AZaz09 .-^`~é\x01", min_size=1, max_size=12),
    st.text(min_size=1, max_size=90),
)


def test_quick_checks_cover_text_and_numbers() -> None:
    kinds = {(_quick_check(el, icvn)[0], el.data_type[:1]) for el, icvn in _QUICK}
    assert (_TEXT, "A") in kinds and (_NUMBER, "R") in kinds and (_NUMBER, "N") in kinds


@settings(max_examples=300, derandomize=True)
@given(value=_quick_value, index=st.integers(0, 10**6))
def test_quick_ok_is_element_errors_verdict(value: str, index: int) -> None:
    el, icvn = _QUICK[index % len(_QUICK)]
    check, pattern = _quick_check(el, icvn)
    # Fresh clean sets: element_errors must really check the value.
    _tr3_segment._clean.pop(id(el), None)
    assert _quick_ok(el, value, check, pattern) == (
        element_errors(el, value, (), icvn, False) == []
    )
    _tr3_segment._clean.pop(id(el), None)


def test_quick_ok_examples() -> None:
    for el, icvn in _QUICK:
        check, pattern = _quick_check(el, icvn)
        for value in ("1", "12.50", "-3", "1.", ".5", "A B", "AB ", " ", "a^b", "x" * 99, "1-2"):
            _tr3_segment._clean.pop(id(el), None)
            verdict = element_errors(el, value, (), icvn, False) == []
            assert _quick_ok(el, value, check, pattern) == verdict, (el.refdes, value)
        _tr3_segment._clean.pop(id(el), None)
