"""Cheaper construction of frozen slots dataclasses (the lexer's and the claim model's values).

A frozen dataclass's generated ``__init__`` stores each field with ``object.__setattr__(self,
"name", value)``, which looks the attribute up by name on every call: for the small values made
per segment and per element (Segment, Loc, Field) that is most of their cost. Storing through
the slot's own descriptor (``Class.name.__set__``) skips the lookup and halves it, while the
class stays exactly the dataclass it was: same fields, ``==``, hash, repr, pickling,
``dataclasses.replace`` and ``FrozenInstanceError`` on assignment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, fields, is_dataclass
from typing import Any, TypeVar

T = TypeVar("T")


def slot_setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    """The ``__set__`` of slot ``name`` of ``cls`` (or of a base class)."""
    for klass in cls.__mro__:
        descriptor = klass.__dict__.get(name)
        if descriptor is not None:
            setter: Callable[[Any, Any], None] = descriptor.__set__
            return setter
    raise AttributeError(f"{cls.__name__} has no slot {name!r}")


def fast_init(cls: type[T]) -> type[T]:
    """Give frozen slots dataclass ``cls`` an ``__init__`` that stores through slot descriptors.

    The new ``__init__`` has the generated one's signature (positional or keyword, same
    defaults) and calls ``__post_init__`` if there is one. Fields with a ``default_factory``,
    keyword-only fields and ``InitVar`` are not supported (none of the model's values has them)
    and raise ``TypeError`` at import time rather than misbehave.
    """
    if not is_dataclass(cls) or not hasattr(cls, "__slots__"):
        raise TypeError(f"{cls.__name__}: fast_init needs a slots dataclass")
    namespace: dict[str, Any] = {}
    params: list[str] = []
    body: list[str] = []
    for f in fields(cls):
        if f.default_factory is not MISSING or f.kw_only:
            raise TypeError(f"{cls.__name__}.{f.name}: fast_init cannot build this field")
        namespace[f"_set_{f.name}"] = slot_setter(cls, f.name)
        if f.init:
            if f.default is MISSING:
                params.append(f.name)
            else:
                namespace[f"_default_{f.name}"] = f.default
                params.append(f"{f.name}=_default_{f.name}")
            body.append(f"    _set_{f.name}(self, {f.name})")
        elif f.default is not MISSING:
            namespace[f"_default_{f.name}"] = f.default
            body.append(f"    _set_{f.name}(self, _default_{f.name})")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body or ["    pass"])
    exec(source, namespace)  # the same technique dataclasses uses for the __init__ it writes
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    type.__setattr__(cls, "__init__", init)
    return cls
