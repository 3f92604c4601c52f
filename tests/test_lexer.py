"""The lexer is lossless: ``render(read_segments(b)) == b`` for real and generated files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edi_scrub.errors import InputError
from edi_scrub.x12.lexer import iter_segments, read_segments, render
from tests.builders import ClaimSpec, Envelope, LineSpec, P, build
from tests.conftest import corpus_files, needs_corpus


@needs_corpus()
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name[:60])
def test_round_trip_corpus(path: Path) -> None:
    """Every corpus file lexes and renders back to the same bytes (or is refused cleanly)."""
    data = path.read_bytes()
    try:
        segments = read_segments(data, str(path))
    except InputError as exc:
        assert str(path) in str(exc)
        return
    assert render(segments) == data


_DELIMS = st.sampled_from(["*", "|", "^", ":", ">", "!", "\x1c", "\x1d", "\x1e", "\x1f", "+"])
_TERMS = st.sampled_from(["~", "~\n", "~\r\n", "\n", "\r\n", "\x1e", "'"])


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    element=_DELIMS,
    component=_DELIMS,
    repetition=_DELIMS,
    terminator=_TERMS,
    bom=st.booleans(),
    tail=st.sampled_from(["", "\n", "\r\n", "\n\n"]),
)
def test_round_trip_any_delimiters(
    element: str, component: str, repetition: str, terminator: str, bom: bool, tail: str
) -> None:
    """Any distinct delimiter set, terminator style, BOM and trailing space round-trips."""
    chars = {element, component, repetition, terminator[0]}
    if len(chars) < 4:
        return
    env = Envelope(
        terminator=terminator, element=element, component=component, repetition=repetition
    )
    data = build(P, (ClaimSpec(lines=(LineSpec(), LineSpec(code="99213", ndc=None))),), env)
    data = (b"\xef\xbb\xbf" if bom else b"") + data + tail.encode()
    segments = read_segments(data)
    assert render(segments) == data
    ids = [s.seg_id for s in segments if s.index]
    assert ids[0] == "ISA" and ids[-1] == "IEA"
    assert "SV1" in ids and "LIN" in ids
    sv1 = next(s for s in segments if s.seg_id == "SV1")
    assert sv1.component(1, 2) == "J7207"


def test_streams_in_small_chunks() -> None:
    """Chunk boundaries anywhere give the same segments as reading all at once."""
    data = build(P, (ClaimSpec(),) * 50, Envelope(terminator="~\r\n"))

    class Trickle(io.RawIOBase):
        def __init__(self) -> None:
            self.buf = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            return self.buf.read(7)

    from edi_scrub.x12 import lexer

    old = lexer._CHUNK
    lexer._CHUNK = 7
    try:
        trickled = list(iter_segments(Trickle()))  # type: ignore[arg-type]
    finally:
        lexer._CHUNK = old
    assert render(trickled) == data
    assert [s.text for s in trickled] == [s.text for s in read_segments(data)]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "not X12"),
        (b"GS*HC*A*B~", "not X12"),
        (b"ISA*00*", "truncated ISA"),
        ("ISA".encode("utf-16"), "UTF-16"),
    ],
)
def test_bad_input_is_one_clear_error(data: bytes, problem: str) -> None:
    """Non-X12 input raises InputError naming the file, position and problem."""
    with pytest.raises(InputError, match=problem) as info:
        read_segments(data, "in.837")
    assert str(info.value).startswith("in.837: byte ")


def test_unterminated_last_segment_keeps_its_newline_as_formatting() -> None:
    """A file whose IEA has no terminator but a newline: the newline is not part of IEA02."""
    data = build(P, (ClaimSpec(),), Envelope(terminator="~\n"))
    data = data[: -len(b"~\n")] + b"\r\n"
    segments = read_segments(data)
    iea = next(s for s in segments if s.seg_id == "IEA")
    assert iea.element(2) == "000000001" and iea.terminator == "" and iea.trailer == "\r\n"
    assert render(segments) == data
