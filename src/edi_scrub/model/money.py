"""Amounts in X12 ``R`` (decimal) elements: parse strictly, write without needless zeros."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_CENT = Decimal("0.01")


def parse_amount(text: str) -> Decimal | None:
    """The amount in ``text``, or ``None`` when it is not a plain decimal number."""
    if not text or text.strip() != text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def to_cents(value: Decimal) -> Decimal:
    """Round half up to the cent, as billing systems do."""
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
