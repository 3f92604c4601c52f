"""The fast lexer gives exactly what the lexer before the speed work gave (tests/reference).

Same segments (position, text, terminator, formatting, lead, id, elements, components) and the
same error for bad input, on the corpus, the samples, generated files, mutated bytes and any
chunk size; and the split cache on Segment is invisible (equality, pickling, editable lists).
"""

from __future__ import annotations

import copy
import dataclasses
import io
import pickle
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edi_scrub.errors import InputError
from edi_scrub.x12 import lexer
from edi_scrub.x12.lexer import Segment, read_segments
from tests.builders import ClaimSpec, Envelope, I, LineSpec, P, build
from tests.conftest import SAMPLES, corpus_files, needs_corpus
from tests.reference import lexer_v1


class _Trickle(io.RawIOBase):
    """A stream that hands out at most ``step`` bytes per read."""

    def __init__(self, data: bytes, step: int) -> None:
        self.buf, self.step = io.BytesIO(data), step

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self.buf.read(self.step)


def _view(seg: Any) -> tuple[object, ...]:
    parts = seg.elements
    shown = [seg.element(i) for i in range(len(parts) + 2)]
    comps = [seg.component(i, j) for i in range(1, min(len(parts), 8)) for j in range(1, 4)]
    return (
        seg.index,
        seg.text,
        seg.terminator,
        seg.trailer,
        seg.delimiters,
        seg.lead,
        seg.seg_id,
        parts,
        shown,
        comps,
        seg.raw(),
    )


def _lex(module: ModuleType, data: bytes, chunk: int | None) -> list[tuple[object, ...]]:
    """Everything ``module``'s lexer yields for ``data`` (or the error it raises)."""
    out: list[tuple[object, ...]] = []
    old = module._CHUNK
    if chunk is not None:
        module._CHUNK = chunk
    try:
        stream: Any = _Trickle(data, chunk) if chunk is not None else io.BytesIO(data)
        for seg in module.iter_segments(stream, "in.837"):
            out.append(_view(seg))
    except InputError as exc:
        out.append(("error", str(exc)))
    finally:
        module._CHUNK = old
    return out


def _same(data: bytes, chunk: int | None = None) -> None:
    assert _lex(lexer, data, chunk) == _lex(lexer_v1, data, chunk)


def _inputs() -> Iterator[Path]:
    yield from corpus_files()
    yield from sorted(SAMPLES.glob("*.837"))


@needs_corpus()
@pytest.mark.parametrize("path", list(_inputs()), ids=lambda p: p.name[:60])
def test_same_segments_as_reference(path: Path) -> None:
    """Every corpus file and sample lexes exactly as before, read whole and in small chunks."""
    data = path.read_bytes()
    _same(data)
    _same(data, chunk=97)


_ENVS = [
    Envelope(),
    Envelope(terminator="~\r\n"),
    Envelope(terminator="\n"),
    Envelope(terminator="\r\n"),
    Envelope(terminator="'", element="+", component=">", repetition="^"),
]


@pytest.mark.parametrize("env", _ENVS, ids=lambda e: repr(e.terminator))
@pytest.mark.parametrize("chunk", [None, 1, 5, 64])
def test_generated_files_and_chunk_sizes(env: Envelope, chunk: int | None) -> None:
    """Generated 837P and 837I files in every terminator style, at any chunk boundary."""
    claims = (ClaimSpec(lines=(LineSpec(), LineSpec(code="99213", ndc=None))),) * 3
    _same(build(P, claims, env), chunk)
    _same(build(I, claims, env), chunk)


def test_two_interchanges_with_different_delimiters() -> None:
    """A second ISA re-reads the delimiters, as before."""
    first = build(P, (ClaimSpec(),), Envelope(terminator="~\n"))
    second = build(P, (ClaimSpec(),), Envelope(terminator="\n", element="|", component=">"))
    third = build(I, (ClaimSpec(),), Envelope(terminator="'", element="+", component=">"))
    _same(first + second)
    _same(first + b"\r\n\r\n" + second, chunk=3)
    _same(first + third + first)
    _same(third + b"\n" + first, chunk=50)


_NOISE = st.sampled_from(
    [
        b"~",
        b"*",
        b":",
        b"^",
        b"\n",
        b"\r",
        b"\r\n",
        b" ",
        b"\x00",
        b"\x1a",
        b"ISA",
        b"IEA*1~",
        b"\xef\xbb\xbf",
        b"|",
        b"\n\n",
        b"~~",
        b"A",
        b"\xb2",
    ]
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    data=st.data(),
    term=st.sampled_from(["~", "~\n", "~\r\n", "\n", "\r\n"]),
    chunk=st.sampled_from([None, 1, 2, 7, 50]),
)
def test_mutated_bytes(data: st.DataObject, term: str, chunk: int | None) -> None:
    """Bytes inserted, deleted or cut anywhere (damaged files): same segments or same error."""
    raw = bytearray(build(P, (ClaimSpec(),), Envelope(terminator=term)))
    for _ in range(data.draw(st.integers(0, 6))):
        at = data.draw(st.integers(0, len(raw)))
        action = data.draw(st.sampled_from(["insert", "delete", "cut"]))
        if action == "insert":
            raw[at:at] = data.draw(_NOISE)
        elif action == "delete":
            del raw[at : at + data.draw(st.integers(1, 20))]
        else:
            del raw[at:]
    _same(bytes(raw), chunk)


@pytest.mark.parametrize("batch", [1, 2, 9, 100])
@pytest.mark.parametrize("chunk", [None, 7])
def test_fast_path_windows(monkeypatch: pytest.MonkeyPatch, batch: int, chunk: int | None) -> None:
    """Any window size of the fast path's split gives the same segments."""
    monkeypatch.setattr(lexer, "_BATCH", batch)
    first = build(P, (ClaimSpec(),) * 2, Envelope(terminator="~\r\n"))
    second = build(I, (ClaimSpec(),), Envelope(terminator="'", element="+", component=">"))
    _same(first + second + first, chunk)


@pytest.mark.parametrize(
    "data",
    [b"", b"   ", b"\xef\xbb\xbf", b"GS*HC~", b"ISA*00*", "ISA".encode("utf-16"), b"ISA~~~~~~"],
)
def test_bad_input_same_error(data: bytes) -> None:
    """Input the lexer refuses is refused with the same one-line message."""
    _same(data)
    _same(data, chunk=1)


def _segment() -> Segment:
    data = build(P, (ClaimSpec(),), Envelope())
    return next(s for s in read_segments(data) if s.seg_id == "SV1")


def test_split_cache_is_not_part_of_the_value() -> None:
    """Equality, hash, repr, fields, pickling and copies ignore whether a segment was split."""
    seg = _segment()
    fresh = dataclasses.replace(seg)
    assert seg.element(1)  # ``seg`` now carries its split, ``fresh`` does not
    assert seg == fresh and hash(seg) == hash(fresh) and repr(seg) == repr(fresh)
    assert [f.name for f in dataclasses.fields(seg)] == [
        "index",
        "text",
        "terminator",
        "trailer",
        "delimiters",
        "lead",
        "seg_id",
    ]
    for other in (pickle.loads(pickle.dumps(seg)), copy.copy(seg), copy.deepcopy(seg)):
        assert other == seg and other.elements == seg.elements
        assert other.element(2) == seg.element(2) and other.parts == seg.parts


def test_elements_is_a_fresh_list() -> None:
    """Editing the list ``elements`` returns changes neither the segment nor later reads."""
    seg = _segment()
    parts = seg.elements
    parts[2] = "999"
    assert seg.element(2) != "999" and seg.elements[2] != "999"
    assert seg.with_elements(parts).element(2) == "999"


def test_segments_stay_frozen() -> None:
    """Fields cannot be assigned, split cache or not."""
    seg = _segment()
    seg.element(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        seg.text = "LX*1"  # type: ignore[misc]
