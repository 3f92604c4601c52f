"""Amounts in X12 ``R`` (decimal) elements: parse strictly, write without needless zeros."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

_CENT = Decimal("0.01")
#: An X12 ``R`` value: optional minus, digits, optional decimal point. No exponent (``1e30``),
#: no ``NaN``/``Infinity``, no sign ``+``, no spaces: Python's Decimal accepts all of those.
_X12_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
#: The widest ``R`` element an 837 has (CLM02, SV102, SV203: R 1/18); the length counts digits
#: only. Longer text is not an amount any payer reads, and would overflow Decimal's 28 digits
#: once multiplied or rounded.
MAX_DIGITS = 18


def parse_amount(text: str) -> Decimal | None:
    """The amount in ``text``, or ``None`` when it is not a plain X12 decimal number."""
    if not text or len(text) > MAX_DIGITS + 2 or not _X12_DECIMAL.fullmatch(text):
        return None
    if sum(c.isdigit() for c in text) > MAX_DIGITS:
        return None
    return Decimal(text)


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
