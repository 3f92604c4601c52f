"""The faster grouper and model builder give what they gave before the speed work.

tests/reference holds verbatim copies of model/group.py and model/build.py as they were; on the
corpus, the samples, generated 837P/837I files and mutated ones (segments dropped, duplicated,
moved; elements cut or emptied), both must yield the same pass-through segments, the same claim
contexts and equal claims, and the memoised reads rules use (modifier codes, segment positions,
amounts, NDCs, dates) must equal their plain computation.
"""

from __future__ import annotations

import dataclasses
import pickle
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edi_scrub.errors import InputError
from edi_scrub.model import group as group_module
from edi_scrub.model.build import build_claim
from edi_scrub.model.claim import Claim, Field, Loc, ServiceLine
from edi_scrub.model.group import ClaimUnit, group, parse_date
from edi_scrub.model.money import _parse_amount, parse_amount
from edi_scrub.model.ndc import _read_ndc, read_ndc
from edi_scrub.model.source import segment_id, segments
from edi_scrub.x12.lexer import Segment, read_segments
from tests.builders import (
    AdjudicationSpec,
    ClaimSpec,
    Envelope,
    I,
    LineSpec,
    OtherPayerSpec,
    P,
    build,
)
from tests.conftest import SAMPLES, corpus_files, needs_corpus
from tests.reference import build_v1, group_v1


def _values(obj: Any) -> tuple[object, ...]:
    return tuple(getattr(obj, f.name) for f in dataclasses.fields(obj))


def _run(module: Any, builder: Any, data: bytes) -> list[object]:
    """What a grouper + builder pair makes of ``data``: segments, (context, claim), or error."""
    out: list[object] = []
    try:
        for unit in module.group(read_segments(data, "in.837"), "in.837"):
            if isinstance(unit, ClaimUnit | group_v1.ClaimUnit):
                claim = builder(unit.segments, unit.context, unit.ordinal)
                out.append((unit.segments, _values(unit.context), unit.ordinal, claim))
            else:
                out.append(unit)
    except InputError as exc:
        out.append(("error", str(exc)))
    return out


def _plain_date(line: ServiceLine) -> date | None:
    sd = line.service_date
    if sd is not None and sd.start is not None:
        return sd.start
    return line.fallback_date


def _check_memos(claim: Claim) -> None:
    """Every memoised read equals what it memoises, asked twice; a line the builder filled
    the memos of reads as one that computes them (made by its constructor)."""
    for line in claim.lines:
        remade = dataclasses.replace(line)  # memo slots empty: computed on first read
        assert remade.modifier_codes == line.modifier_codes
        assert remade.date_of_service == line.date_of_service == _plain_date(line)
        with pytest.raises(AttributeError):
            remade.no_such_attribute  # type: ignore[attr-defined]  # noqa: B018
    for _ in range(2):
        for line in claim.lines:
            assert line.date_of_service == _plain_date(line)
            plain = tuple(m.value for m in line.modifiers if m.value)
            for code in ("JW", "JZ", "KX", "", "XX", *plain):  # before and after the memo
                assert line.has_modifier(code) == (code in plain)
            assert line.modifier_codes == plain
            for f in (line.charge, line.units, line.unit_basis):
                assert f.decimal() == _parse_amount(f.value)
        assert claim.segment_ids == tuple(segment_id(p) for p in claim.source)
        for sid in {segment_id(p) for p in claim.source} | {"NOPE", ""}:
            plain_positions = [
                (pos, parts) for pos, parts in enumerate(claim.source) if segment_id(parts) == sid
            ]
            assert list(segments(claim, sid)) == plain_positions


def _same(data: bytes) -> None:
    new = _run(group_module, build_claim, data)
    old = _run(group_v1, build_v1.build_claim, data)
    assert new == old
    for item in new:
        if isinstance(item, tuple) and len(item) == 4 and isinstance(item[3], Claim):
            _check_memos(item[3])


def _inputs() -> Iterator[Path]:
    yield from corpus_files()
    yield from sorted(SAMPLES.glob("*.837"))


@needs_corpus()
@pytest.mark.parametrize("path", list(_inputs()), ids=lambda p: p.name[:60])
def test_corpus_and_samples(path: Path) -> None:
    """Every corpus file and sample: same units, contexts and claims as the reference."""
    _same(path.read_bytes())


_LINES = (
    LineSpec(modifiers=("JZ",), notes=("WASTE 0",), control="C1", prior_auth="PA1"),
    LineSpec(code="J7208", modifiers=("JW", "KX", "GA", "GY"), ndc="0944-4624-01"),
    LineSpec(code="99213", ndc=None, dos="20240101-20240105", dos_qualifier="RD8"),
    LineSpec(dos=None, pointers="1:2:3", non_covered="12.5", ctp_qty=None),
    LineSpec(units="1e3", charge="-0", ndc="0094446240", adjudications=(AdjudicationSpec(),)),
)
_CLAIMS = (
    ClaimSpec(lines=_LINES, dx=("D66", "Z79899", "D68.1"), prior_auth="PA9", weight="154.3"),
    ClaimSpec(lines=(LineSpec(),), frequency="8", other_payers=(OtherPayerSpec(),)),
    ClaimSpec(lines=(LineSpec(description="FACTOR"),), statement="20240110-20240112"),
)


@pytest.mark.parametrize("kind", [P, I])
def test_generated_files(kind: str) -> None:
    """Generated claims covering every field the builder reads."""
    _same(build(kind, _CLAIMS, Envelope()))
    _same(build(kind, _CLAIMS, Envelope(terminator="\n", element="|", component=">")))


@settings(max_examples=150, derandomize=True, deadline=None)
@given(data=st.data(), kind=st.sampled_from([P, I]))
def test_mutated_files(data: st.DataObject, kind: str) -> None:
    """Segments dropped, duplicated or moved and elements cut, emptied or retyped: same result."""
    text = build(kind, _CLAIMS, Envelope()).decode("latin-1")
    segs = text.split("~\n")
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(1, len(segs) - 2))
        action = data.draw(st.sampled_from(["drop", "dup", "move", "cut", "empty", "retype"]))
        if action == "drop":
            del segs[at]
        elif action == "dup":
            segs.insert(at, segs[at])
        elif action == "move":
            segs.insert(data.draw(st.integers(1, len(segs) - 2)), segs.pop(at))
        else:
            parts = segs[at].split("*")
            i = data.draw(st.integers(0, len(parts) - 1))
            if action == "cut":
                parts = parts[:i] if i else parts
            elif action == "empty":
                parts[i] = ""
            else:
                parts[i] = data.draw(st.sampled_from(["X", "1.5", ":", "::J7207:JW", " LX", "-"]))
            segs[at] = "*".join(parts)
    _same("~\n".join(segs).encode("latin-1"))


_OLD_AMOUNT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def _old_parse_amount(text: str) -> Decimal | None:
    # model/money.py's parse_amount before the speed work, verbatim.
    if not text or len(text) > 18 + 2 or not _OLD_AMOUNT.fullmatch(text):
        return None
    if sum(c.isdigit() for c in text) > 18:
        return None
    return Decimal(text)


_AMOUNT_TEXT = st.one_of(
    st.text(alphabet="0123456789.-+e ²", max_size=24),
    st.from_regex(r"-?[0-9]{0,20}(\.[0-9]{0,4})?", fullmatch=True),
)


@settings(max_examples=500, derandomize=True, deadline=None)
@given(text=_AMOUNT_TEXT)
def test_parse_amount_cached_equals_uncached(text: str) -> None:
    """The memoised parse_amount equals the plain one and the one before the speed work."""
    expected = _old_parse_amount(text)
    for _ in range(2):
        got = parse_amount(text)
        assert got == expected and _parse_amount(text) == expected
        assert type(got) is type(expected)
        if got is not None:
            assert str(got) == str(expected)  # same exponent: "2.50" stays 2.50


@settings(max_examples=300, derandomize=True, deadline=None)
@given(text=st.text(alphabet="0123456789- \t²", max_size=16))
def test_read_ndc_cached_equals_uncached(text: str) -> None:
    """The memoised read_ndc equals the plain one."""
    assert read_ndc(text) == _read_ndc(text) == read_ndc(text)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(text=st.one_of(st.text(alphabet="0123456789²", max_size=9), st.dates().map(str)))
def test_parse_date_cached_equals_reference(text: str) -> None:
    """The memoised parse_date equals the reference one (invalid dates stay None)."""
    text = text.replace("-", "")
    assert parse_date(text) == group_v1.parse_date(text) == parse_date(text)


def test_caches_are_bounded() -> None:
    """A file of all-different values cannot grow the caches past their bound."""
    for i in range(10_000):
        parse_amount(str(i))
        read_ndc(f"{i:011d}")
        parse_date(f"2024{i:04d}")
    for cached in (parse_amount, read_ndc, parse_date):
        info = cached.cache_info()  # type: ignore[attr-defined]
        assert info.currsize <= info.maxsize <= 4096


def test_fast_init_values_behave_as_dataclasses() -> None:
    """Values built by the fast __init__: keywords, defaults, equality, frozen, pickling."""
    loc = Loc(pos=1, segment=2, ref="SV102")
    assert loc == Loc(1, 2, "SV102") and hash(loc) == hash(Loc(1, 2, "SV102"))
    assert repr(Field("12", loc)) == "Field(value='12', loc=Loc(pos=1, segment=2, ref='SV102'))"
    with pytest.raises(dataclasses.FrozenInstanceError):
        loc.pos = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        Loc(1, 2)  # type: ignore[call-arg]
    claim = _first_claim()
    line = claim.lines[1]
    assert line.modifier_codes == ("JW", "KX", "GA", "GY")
    again = pickle.loads(pickle.dumps(claim))
    assert again == claim and again.lines[1].modifier_codes == line.modifier_codes
    assert list(segments(again, "LX")) == list(segments(claim, "LX"))
    copy = dataclasses.replace(claim, frequency="7")
    assert copy.frequency == "7" and copy.cob == claim.cob and copy.lines == claim.lines
    bare = dataclasses.replace(line)
    assert isinstance(bare, ServiceLine) and bare == line and bare.non_covered is None


def _first_claim() -> Claim:
    data = build(P, _CLAIMS[:1], Envelope())
    unit = next(u for u in group(read_segments(data)) if isinstance(u, ClaimUnit))
    return build_claim(unit.segments, unit.context, unit.ordinal)


def test_untracked_segments_change_no_context() -> None:
    """group() skips _track for ids outside _TRACKED: for those, _track changes nothing,
    whatever loop the grouper is in."""
    data = build(P, _CLAIMS, Envelope()) + build(I, _CLAIMS, Envelope())
    segs = read_segments(data)
    ids = {s.seg_id for s in segs} | {"PRV", "N3", "N4", "REF", "PER", "AMT", "XYZ", ""}
    delims = segs[0].delimiters
    for level in ("20", "22", "23", ""):
        for payer_loop in (False, True):
            for sid in sorted(ids - group_module._TRACKED):
                for text in (
                    f"{sid}*85*2*A*B*C*D*01*150*PI*X",  # NM1*85, SBR09, PAT07/08
                    f"{sid}*D8*20240101",  # DMG
                    f"{sid}*QC*1*A*B",
                    f"{sid}*IL*1*A*B",
                    f"{sid}*PR*2*X*****PI*P1",
                    f"{sid}*1*2*22*1",  # HL
                    sid,
                ):
                    st = group_module._State(hl_level=level, in_payer_loop=payer_loop)
                    before = dataclasses.astuple(st)
                    seg = Segment(9, text, "~", "", delims)
                    group_module._track(st, seg, sid, "in.837")
                    assert dataclasses.astuple(st) == before, (level, sid, text)
