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

from typing import Any


def draft_class(cls: type) -> Any:
    """A mutable class with ``cls``'s slots and bases, whose instances may become ``cls``.

    Typed ``Any`` on purpose: a draft is filled attribute by attribute and then turned into
    ``cls`` (``draft.__class__ = cls``); callers return it as ``cls``.
    """
    slots = cls.__dict__.get("__slots__")
    if slots is None or "__dict__" in slots or "__weakref__" in slots:
        raise TypeError(f"{cls.__name__}: a draft needs a class with plain __slots__")
    draft = type(f"_{cls.__name__}Draft", cls.__bases__, {"__slots__": tuple(slots)})
    probe = draft()
    probe.__class__ = cls  # TypeError here if the layouts differ
    return draft
