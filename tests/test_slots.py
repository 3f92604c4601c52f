"""fast_init keeps a frozen slots dataclass exactly what @dataclass made it, only cheaper to build."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field

import pytest

from edi_scrub._slots import fast_init, slot_setter


@dataclass(frozen=True, slots=True)
class _Plain:
    a: int
    b: str = "x"
    c: tuple[int, ...] = ()
    d: int = field(init=False, default=7)


@fast_init
@dataclass(frozen=True, slots=True)
class _Fast:
    a: int
    b: str = "x"
    c: tuple[int, ...] = ()
    d: int = field(init=False, default=7)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((1,), {}), ((1, "y"), {}), ((1,), {"c": (2,)}), ((), {"a": 3, "b": "z", "c": ()})],
)
def test_same_values_as_the_generated_init(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    """Positional, keyword and default arguments give the same field values."""
    plain, fast = _Plain(*args, **kwargs), _Fast(*args, **kwargs)  # type: ignore[arg-type]
    assert dataclasses.astuple(plain) == dataclasses.astuple(fast)
    assert repr(plain).replace("_Plain", "_Fast") == repr(fast)
    assert fast == _Fast(*args, **kwargs) and hash(fast) == hash(_Fast(*args, **kwargs))  # type: ignore[arg-type]
    assert pickle.loads(pickle.dumps(fast)) == fast
    assert dataclasses.replace(fast, b="q").b == "q"


def test_wrong_arguments_still_fail() -> None:
    """Missing, unknown or doubled arguments raise TypeError as before."""
    for args, kwargs in [((), {}), ((1,), {"e": 1}), ((1,), {"a": 1}), ((1, "y", (), 4), {})]:
        with pytest.raises(TypeError):
            _Fast(*args, **kwargs)  # type: ignore[arg-type]


def test_still_frozen() -> None:
    """Assignment raises FrozenInstanceError."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        _Fast(1).a = 2  # type: ignore[misc]


def test_post_init_runs() -> None:
    """A __post_init__ is called, as the generated __init__ calls it."""

    @fast_init
    @dataclass(frozen=True, slots=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            if self.a < 0:
                raise ValueError("negative")

    assert Checked(1).a == 1
    with pytest.raises(ValueError, match="negative"):
        Checked(-1)


def test_refuses_what_it_cannot_build() -> None:
    """default_factory fields and non-slots classes are refused at decoration time."""
    with pytest.raises(TypeError):

        @fast_init
        @dataclass(frozen=True, slots=True)
        class Factory:
            a: list[int] = field(default_factory=list)

    with pytest.raises(TypeError):

        @fast_init
        @dataclass(frozen=True)
        class NoSlots:
            a: int

    with pytest.raises(AttributeError):
        slot_setter(_Fast, "nope")
