"""Drafts (edi_scrub/_drafts.py) build the very values the frozen constructors build.

A value made by filling a draft must be indistinguishable from one made by the class's own
constructor: same type, fields, ``==``, hash, repr, pickling, ``replace`` and frozenness.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from edi_scrub._drafts import draft_class, draft_constructor
from edi_scrub.model.build import build_claim
from edi_scrub.model.claim import Claim, Diagnosis, DrugDetail, Field, Loc, ServiceDate, ServiceLine
from edi_scrub.model.group import ClaimContext, ClaimUnit, group
from edi_scrub.x12.lexer import Segment, new_segment, read_segments
from tests.builders import ClaimSpec, Envelope, I, LineSpec, P, build


class _Base:
    __slots__ = ("_memo",)


@dataclass(frozen=True, slots=True)
class _Value(_Base):
    a: int
    b: str


def _same_value(made: Any, built: Any) -> None:
    assert type(made) is type(built)
    assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    assert dataclasses.astuple(made) == dataclasses.astuple(built)
    assert pickle.loads(pickle.dumps(made)) == built
    assert copy.deepcopy(made) == built
    first = dataclasses.fields(made)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(made, first, None)


def test_a_filled_draft_is_the_frozen_class() -> None:
    """A draft filled and switched is an instance of the class, equal to the constructor's."""
    draft = draft_class(_Value)
    made = draft()
    made.a, made.b = 1, "x"
    made.__class__ = _Value
    _same_value(made, _Value(1, "x"))
    assert not isinstance(draft(), _Value)  # the draft itself is no _Value until switched


def test_classes_without_plain_slots_are_refused() -> None:
    """No slots, or a __dict__/__weakref__ slot: refused when the draft is made."""

    @dataclass(frozen=True)
    class NoSlots:
        a: int

    class WithDict:
        __slots__ = ("__dict__", "a")

    for cls in (NoSlots, WithDict):
        with pytest.raises(TypeError):
            draft_class(cls)


def test_a_single_string_slot_is_one_slot() -> None:
    """``__slots__ = "name"`` declares one slot; its draft has that slot, not one per letter."""

    class One:
        __slots__ = "value"  # noqa: PLC0205  (the case under test)

    made = draft_class(One)()
    made.value = 5
    made.__class__ = One
    assert isinstance(made, One) and made.value == 5


def _segments() -> list[Segment]:
    data = build(P, (ClaimSpec(),), Envelope(terminator="~\r\n"))
    data = b"\xef\xbb\xbf" + data[:-3] + b"\n\n"  # a lead and an unterminated last segment
    return read_segments(data)


def test_lexer_segments_are_segments() -> None:
    """Every segment the lexer makes (drafted) equals one made by Segment(...)."""
    segments = _segments()
    assert segments[0].lead and segments[-1].terminator == ""
    for seg in segments:
        built = Segment(seg.index, seg.text, seg.terminator, seg.trailer, seg.delimiters, seg.lead)
        _same_value(seg, built)
        assert seg.seg_id == built.seg_id and seg.parts == built.parts


@pytest.mark.parametrize("text", ["SV1*HC:J7207*10", "  NM1*85", "LX", "", " * ", "CLM*"])
def test_new_segment_equals_the_constructor(text: str) -> None:
    """new_segment() is Segment() for any text, including odd ids (blank, padded, bare)."""
    delims = _segments()[0].delimiters
    made = new_segment(3, text, "~", "\n", delims, "")
    built = Segment(3, text, "~", "\n", delims, "")
    _same_value(made, built)
    assert made.seg_id == built.seg_id and made.elements == built.elements


def test_edits_keep_everything_but_the_text() -> None:
    """with_text / with_elements: the same segment (position, formatting, lead), new text."""
    seg = _segments()[0]
    assert seg.lead
    edited = seg.with_text("ISA*XX")
    _same_value(edited, dataclasses.replace(seg, text="ISA*XX"))
    assert edited.seg_id == "ISA" and edited.element(1) == "XX"
    trimmed = seg.with_elements(["REF", "6R", "A1", "", ""])
    _same_value(trimmed, dataclasses.replace(seg, text="REF*6R*A1"))
    assert trimmed.seg_id == "REF"


@dataclass(frozen=True, slots=True)
class _WithDefaults(_Base):
    a: int
    b: str = "x"
    c: tuple[int, ...] = ()
    d: int = dataclasses.field(init=False, default=7)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((1,), {}), ((1, "y"), {}), ((1,), {"c": (2,)}), ((), {"a": 3, "b": "z", "c": ()})],
)
def test_draft_constructor_takes_the_constructor_arguments(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Positional, keyword and default arguments; init=False fields get their default."""
    new = draft_constructor(_WithDefaults)
    _same_value(new(*args, **kwargs), _WithDefaults(*args, **kwargs))
    for bad_args, bad_kwargs in [((), {}), ((1,), {"e": 1}), ((1,), {"a": 1}), ((1, "y", (), 4), {})]:
        with pytest.raises(TypeError):
            new(*bad_args, **bad_kwargs)


def test_draft_constructor_refuses_what_it_cannot_build() -> None:
    """default_factory, __post_init__ and non-dataclasses are refused at once."""

    @dataclass(frozen=True, slots=True)
    class Factory:
        a: list[int] = dataclasses.field(default_factory=list)

    @dataclass(frozen=True, slots=True)
    class PostInit:
        a: int

        def __post_init__(self) -> None:
            pass

    for cls in (Factory, PostInit, _Base):
        with pytest.raises(TypeError):
            draft_constructor(cls)


def _model_values(claim: Claim) -> Iterator[Any]:
    """Every dataclass value of a claim's model, depth first."""
    todo: list[Any] = [claim]
    while todo:
        value = todo.pop()
        if dataclasses.is_dataclass(value):
            yield value
            todo.extend(getattr(value, f.name) for f in dataclasses.fields(value))
        elif isinstance(value, tuple):
            todo.extend(value)


@pytest.mark.parametrize("kind", [P, I])
def test_model_values_are_what_their_constructors_make(kind: Any) -> None:
    """Claims, lines, drugs, dates, diagnoses, locations, contexts and units built from drafts
    equal (type, value, hash, pickling) the same values rebuilt by their constructors."""
    claims = (
        ClaimSpec(lines=(LineSpec(), LineSpec(code="99213", ndc=None, modifiers=("25",)))),
        ClaimSpec(),
    )
    seen: set[type] = set()
    for unit in group(read_segments(build(kind, claims, Envelope()))):
        if not isinstance(unit, ClaimUnit):
            continue
        for made in (unit, unit.context, build_claim(unit.segments, unit.context, unit.ordinal)):
            values = [made] if not isinstance(made, Claim) else list(_model_values(made))
            for value in values:
                seen.add(type(value))
                rebuilt = type(value)(
                    *(getattr(value, f.name) for f in dataclasses.fields(value) if f.init)
                )
                _same_value(value, rebuilt)
    assert {Claim, ServiceLine, DrugDetail, ServiceDate, Diagnosis, Loc, Field} <= seen
    assert {ClaimUnit, ClaimContext} <= seen
