"""The validator's cheaper split (``_tr3_split``) gives the lexer's segments, or steps aside.

For every input, :func:`split_segments` either yields exactly the segments the lexer gives
(same positions, texts and delimiters; tuples only for segments the normaliser treats as
plain) or raises :class:`Resplit`, and validation through it equals validation of
the lexer's own segments: issues, 999 and all.
"""

from __future__ import annotations

import io
import random
import tempfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edi_scrub.errors import InputError
from edi_scrub.x12 import _tr3_split
from edi_scrub.x12._normalise import ENVELOPE_PREFIXES, Normaliser
from edi_scrub.x12._tr3_reader import ReaderRefused, Unsupported, raw_lines
from edi_scrub.x12._tr3_split import Resplit, split_segments
from edi_scrub.x12.lexer import iter_segments, read_segments
from edi_scrub.x12.validate import (
    StructuralResult,
    Validator,
    validate_bytes,
    validate_path,
    validate_segments,
)
from tests.conftest import SAMPLES, corpus_files, needs_corpus
from tests.generated import generate
from tests.test_validator_diff import _ack_body, _key, _mutate

Row = tuple[int, str, object, bool]


def _lexed(data: bytes) -> list[Row] | None:
    """The lexer's segments (pseudo-segment dropped) and whether the normaliser would find
    each plain; None when the lexer refuses the input."""
    try:
        segments = read_segments(data)
    except InputError:
        return None
    rows: list[Row] = []
    for s in segments:
        if s.index == 0:
            continue
        t = s.text
        plain = bool(t) and t[0] not in " \t" and not t.isspace()
        rows.append((s.index, t, s.delimiters, plain and not t.startswith(ENVELOPE_PREFIXES)))
    return rows


def _split(data: bytes) -> list[Row] | None:
    """The split's segments in the same form; None when it steps aside."""
    rows: list[Row] = []
    try:
        for item in split_segments(io.BytesIO(data)):
            if isinstance(item, tuple):
                rows.append((item[0], item[1], item[2], True))
            else:
                rows.append((item.index, item.text, item.delimiters, False))
    except Resplit:
        return None
    return rows


def _same_segments(data: bytes) -> bool:
    """Asserts the split gives the lexer's segments when it does not step aside; returns
    whether it handled the input itself."""
    ours = _split(data)
    if ours is not None:
        lexed = _lexed(data)
        assert lexed is not None
        assert [row[:3] for row in ours] == [row[:3] for row in lexed]
        # A tuple only for a segment the normaliser treats as plain (a Segment is always
        # right: the normaliser then looks for itself).
        assert all(theirs[3] for mine, theirs in zip(ours, lexed, strict=True) if mine[3])
    return ours is not None


def _full(result: StructuralResult) -> tuple[object, ...]:
    return (*_key(result), result.ack_note, _ack_body(result.ack))


def _same_validation(data: bytes, ack: bool = False, validator: Validator = "compiled") -> None:
    reference = validate_segments(iter_segments(io.BytesIO(data)), ack=ack, validator=validator)
    assert _full(validate_bytes(data, ack=ack, validator=validator)) == _full(reference)


@cache
def _generated(kind: str, terminator: str, per_st: int = 0) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "gen.837"
        data = generate(target, kind, claims=30, seed=7, defects=0.3, per_st=per_st)
    text = data.decode("latin-1")
    return text.replace("~\n", terminator.replace("\\n", "\n").replace("\\r", "\r")).encode(
        "latin-1"
    )


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.837")), ids=lambda p: p.name)
def test_samples(path: Path) -> None:
    data = path.read_bytes()
    _same_segments(data)
    _same_validation(data)


@needs_corpus()
def test_corpus() -> None:
    handled = 0
    files = corpus_files()
    for path in files:
        data = path.read_bytes()
        handled += _same_segments(data)
        _same_validation(data)
    assert handled >= len(files) // 2  # the split really covers the usual input


@pytest.mark.parametrize("kind", ["837P", "837I"])
@pytest.mark.parametrize("terminator", ["~", "~\\n", "~\\r\\n", "\\n"])
def test_generated(kind: str, terminator: str) -> None:
    data = _generated(kind, terminator)
    handled = _same_segments(data)
    assert handled == (terminator != "\\n")  # a newline terminator goes to the lexer
    _same_validation(data)
    _same_validation(data, ack=True)
    _same_validation(data, ack=True, validator="pyx12")  # the pyx12 adapter reads it too


@pytest.mark.parametrize("kind", ["837P", "837I"])
@settings(max_examples=25, derandomize=True, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 12))
def test_mutated(kind: str, seed: int, count: int) -> None:
    data = _mutate(_generated(kind, "~\\n"), random.Random(seed), count)
    _same_segments(data)
    _same_validation(data)


_ISA = (
    "ISA*00*          *00*          *ZZ*SYNSUBMIT      *ZZ*SYNRECEIVE     "
    "*241231*1200*^*00501*000000001*0*T*:~"
)
_ISA_PIPE = _ISA.replace("*", "|")


@settings(max_examples=300, derandomize=True, deadline=None)
@given(body=st.text(alphabet="AB*:|~\n\r \t\x0bIEASGT1", max_size=60))
def test_random_tails(body: str) -> None:
    """Blank, indented, unterminated and trailing-whitespace segments; IEAs followed by
    ISAs with the same, other or broken delimiters."""
    for head in (_ISA + "\n", _ISA):
        data = (head + body).encode("latin-1")
        _same_segments(data)


@pytest.mark.parametrize(
    ("tail", "handled"),
    [
        ("GS*HC~\nIEA*1*1~\n" + _ISA + "\nGS*HC~\nIEA*1*1~\n", True),  # same delimiters
        ("GS*HC~\n IEA*1*1~\n" + _ISA + "\nGS*HC~\n", True),  # " IEA" ends it too
        ("GS*HC~\n\x0bIEA*1*1~\n" + _ISA_PIPE + "\nGS|HC~\n", False),
        ("GS*HC~\nIEA*1*1~\n" + _ISA_PIPE + "\nGS|HC~\n", False),  # other delimiters
        ("GS*HC~\nIEA*1*1~\nISA*00*~\n", False),  # an ISA the lexer refuses
        ("GS*HC~\nIEA*1*1~\nISA*00", False),  # a truncated ISA at the end
        ("GS*HC~\nIEA*1*1~\nNM1*X~\nISA*00*~\n", True),  # not right after an IEA: data
        ("GS*HC~\nNM1*X*Y", True),  # unterminated last segment
        ("GS*HC~\nNM1*X*Y \r\n\x1a", True),
        ("GS*HC~\n~\n  \t~\n", True),  # blank segments and trailing blanks
        ("GS*HC~\n\tNM1*X~\n", True),  # indented
    ],
)
def test_interchange_edges(tail: str, handled: bool) -> None:
    data = (_ISA + "\n" + tail).encode("latin-1")
    assert _same_segments(data) == handled
    _same_validation(data)


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + _ISA.encode() + b"\nGS*HC~\n",  # BOM
        b"  \n" + _ISA.encode() + b"\nGS*HC~\n",  # blank lead
        b"NOT X12 AT ALL",
        b"ISA*00",
        "ISA*00".encode("utf-16"),
        b"",
    ],
    ids=["bom", "lead", "not-x12", "short-isa", "utf16", "empty"],
)
def test_unusual_starts_go_to_the_lexer(data: bytes) -> None:
    assert not _same_segments(data)
    _same_validation(data)


def test_validate_path_streams_the_file(tmp_path: Path) -> None:
    data = _generated("837P", "~\\n", per_st=10)
    path = tmp_path / "in.837"
    path.write_bytes(data)
    assert _full(validate_path(path)) == _full(validate_bytes(data))
    assert _full(validate_path(path, ack=True)) == _full(
        validate_segments(iter_segments(io.BytesIO(data)), ack=True)
    )


def test_chunk_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Segments cut by a chunk boundary (and a CR/LF pair cut between two chunks)."""
    data = _generated("837I", "~\\r\\n")
    for size in (7, 64, 1000):
        monkeypatch.setattr(_tr3_split, "_CHUNK", size)
        assert _same_segments(data)
        _same_validation(data)


def _lines(data: bytes, bare: bool) -> tuple[list[str], list[int]] | None:
    """The compiled validator's lines and where each maps back, through the split."""
    try:
        norm = Normaliser(list(split_segments(io.BytesIO(data))))
        pieces = norm.pieces_bare() if bare else norm.pieces()
        try:
            head, lines = raw_lines(pieces)
        except (ReaderRefused, Unsupported):
            return None
        out = [head, *lines]
    except Resplit:
        return None
    return out, [norm.lines.index_of(n) for n in range(len(out) + 2)]


@pytest.mark.parametrize("kind", ["837P", "837I"])
@pytest.mark.parametrize("terminator", ["~", "~\\n", "~\\r\\n"])
def test_bare_pieces_give_the_same_lines(kind: str, terminator: str) -> None:
    """Plain tuples handed through to raw_lines give the lines (and line map) of the
    normaliser's text pieces."""
    data = _generated(kind, terminator, per_st=7)
    found = _lines(data, bare=True)
    assert found is not None and len(found[0]) > 100
    assert found == _lines(data, bare=False)
    for seed in range(10):
        mutated = _mutate(data, random.Random(seed), 8)
        assert _lines(mutated, bare=True) == _lines(mutated, bare=False)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(body=st.text(alphabet="AB*:|~\n\r \t\x0bIEASGT1", max_size=60))
def test_bare_pieces_random_tails(body: str) -> None:
    data = (_ISA + "\nGS*HC*A*B*20240101*1200*1*X*005010X222A1~\nST*837*1~\n" + body).encode()
    assert _lines(data, bare=True) == _lines(data, bare=False)
