"""Drafts: the cheapest way to build the frozen slots values made per segment and per element.

A frozen dataclass refuses attribute stores (its ``__setattr__`` raises), so its constructor,
even :func:`~edi_scrub._slots.fast_init`'s, stores each field through a slot descriptor call.
A *draft* is a plain class with exactly the same slots and bases: its stores are ordinary
attribute stores (which CPython specialises to a direct slot write), and once filled, the draft
becomes the real class by ``__class__`` assignment, which CPython allows between heap types of
identical layout (same base, same slots). The result *is* an instance of the frozen class, in
every respect (type, ``==``, hash, repr, pickling, ``replace``, ``FrozenInstanceError``):
nothing of the draft remains. On the lexer's 240k segments per 10k claims, about half the cost
of the dataclass-style constructor.

The layout check runs when the draft class is made (import time), so an interpreter that
refused the assignment would fail at import, not in the middle of a run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, fields, is_dataclass
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


def draft_class(cls: type) -> Any:
    """A mutable class with ``cls``'s slots and bases, whose instances may become ``cls``.

    Typed ``Any`` on purpose: a draft is filled attribute by attribute and then turned into
    ``cls`` (``draft.__class__ = cls``); callers return it as ``cls``.
    """
    slots = cls.__dict__.get("__slots__")
    if isinstance(slots, str):  # __slots__ = "name": one slot, not one per character
        slots = (slots,)
    if slots is None or "__dict__" in slots or "__weakref__" in slots:
        raise TypeError(f"{cls.__name__}: a draft needs a class with plain __slots__")
    draft = type(f"_{cls.__name__}Draft", cls.__bases__, {"__slots__": tuple(slots)})
    probe = draft()
    probe.__class__ = cls  # TypeError here if the layouts differ
    return draft


def draft_constructor(cls: Callable[P, T]) -> Callable[P, T]:
    """A function with ``cls``'s constructor signature that builds the value from a draft.

    For the frozen slots dataclasses the model builder makes per line and per element: the
    same value as ``cls(...)`` (same positional/keyword parameters and defaults, ``init=False``
    fields set to their defaults) at about half the cost. Refused when ``cls`` is no slots
    dataclass or has what it cannot build (``default_factory``, keyword-only fields,
    ``__post_init__``).
    """
    if not isinstance(cls, type) or not is_dataclass(cls) or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls!r}: draft_constructor needs a slots dataclass without __post_init__")
    namespace: dict[str, Any] = {"_draft": draft_class(cls), "_cls": cls}
    params: list[str] = []
    body = ["    made = _draft()"]
    for f in fields(cls):
        if f.default_factory is not MISSING or f.kw_only or f.name == "made":
            raise TypeError(f"{cls.__name__}.{f.name}: draft_constructor cannot build this field")
        if f.default is not MISSING:
            namespace[f"_default_{f.name}"] = f.default
        if f.init:
            params.append(f.name if f.default is MISSING else f"{f.name}=_default_{f.name}")
            body.append(f"    made.{f.name} = {f.name}")
        elif f.default is not MISSING:
            body.append(f"    made.{f.name} = _default_{f.name}")
    body += ["    made.__class__ = _cls", "    return made"]
    source = f"def new_{cls.__name__}({', '.join(params)}):\n" + "\n".join(body)
    exec(source, namespace)  # as dataclasses and edi_scrub/_slots.py write their __init__
    built: Callable[P, T] = namespace[f"new_{cls.__name__}"]
    built.__module__ = cls.__module__
    return built
