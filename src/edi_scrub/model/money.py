"""Amounts in X12 ``R`` (decimal) elements: parse strictly, write without needless zeros."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache

_CENT = Decimal("0.01")
#: An X12 ``R`` value: optional minus, digits, optional decimal point. No exponent (``1e30``),
#: no ``NaN``/``Infinity``, no sign ``+``, no spaces: Python's Decimal accepts all of those.
_X12_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
#: The widest ``R`` element an 837 has (CLM02, SV102, SV203: R 1/18); the length counts digits
#: only. Longer text is not an amount any payer reads, and would overflow Decimal's 28 digits
#: once multiplied or rounded.
MAX_DIGITS = 18


#: Distinct texts remembered by :func:`parse_amount`. Claims repeat the same few charges, units
#: and quantities (450k reads of ~1k distinct values per 10k claims); the bound keeps a file of
#: all-different amounts from growing the cache.
CACHE_SIZE = 4096


def _parse_amount(text: str) -> Decimal | None:
    """The amount in ``text``, or ``None`` when it is not a plain X12 decimal number."""
    if not text or len(text) > MAX_DIGITS + 2:
        return None
    # What _X12_DECIMAL matches, with string methods (a third cheaper than the regex; charges
    # are mostly distinct, so most reads miss the cache): one optional leading minus, ASCII
    # digits with at most one point, at least one digit.
    whole, _, fraction = (text[1:] if text[0] == "-" else text).partition(".")
    digits = whole + fraction
    if not digits or not (digits.isascii() and digits.isdigit()) or len(digits) > MAX_DIGITS:
        return None
    return Decimal(text)


#: The amount in ``text``, or ``None`` when it is not a plain X12 decimal number. Memoised:
#: the result is a pure function of the text (``Decimal(str)`` is exact whatever the context),
#: and Decimals are immutable, so callers may share them.
parse_amount: Callable[[str], Decimal | None] = lru_cache(maxsize=CACHE_SIZE)(_parse_amount)


def to_cents(value: Decimal) -> Decimal:
    """Round half up to the cent, as billing systems do.

    Exact for any finite value: quantize raises ``InvalidOperation`` when the result needs more
    digits than the context holds (28), so the context is widened to fit (a product of two
    18-digit amounts has 36).
    """
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, value.adjusted() + 4)
        return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def format_amount(value: Decimal, like: str = "") -> str:
    """X12 decimal text rounded to the cent.

    Written in the style of ``like`` (the amount it replaces or sits beside): a file that writes
    ``2000.00`` gets ``2400.00``, one that writes ``2000`` gets ``2400``; without a model, no
    trailing zeros (``412.5``).
    """
    text = f"{to_cents(value):f}"
    if "." in like and len(like.rpartition(".")[2]) == 2:
        return text
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def format_quantity(value: Decimal) -> str:
    """A quantity without needless trailing zeros (``1000``, ``2.5``)."""
    text = f"{value.normalize():f}"
    return text
