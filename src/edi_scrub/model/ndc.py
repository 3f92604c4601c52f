"""NDC shapes: the 11-digit 5-4-2 claim form and the 10-digit label forms that map to it.

Only the label layouts 4-4-2, 5-3-2, 5-4-1 and 5-4-2 (hyphens or spaces between the three
segments) are read; any other split of the digits is invalid. Only a hyphenated 10-digit NDC
tells which segment is short (4-4-2 → pad the labeler, 5-3-2 → pad the product, 5-4-1 → pad the
package). A bare 10-digit string could be any of the three and
must not be guessed; :func:`candidates` lists the three readings so a crosswalk can decide.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

_SEPARATORS = re.compile(r"[-\s]+")
_PADDINGS = {(5, 4, 2): (0, 0, 0), (4, 4, 2): (1, 0, 0), (5, 3, 2): (0, 1, 0), (5, 4, 1): (0, 0, 1)}


class NdcShape(StrEnum):
    """What an LIN03 value looks like."""

    CLAIM_FORM = "11-digit"
    SEPARATED = "separated"
    BARE_TEN = "bare-10-digit"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class NdcReading:
    """An LIN03 value read as an NDC: its shape and, when certain, its 11-digit form."""

    shape: NdcShape
    normalized: str | None


def _digits(text: str) -> bool:
    # ASCII digits only: str.isdigit() is also true of '²' and '³' (Latin-1 input bytes 0xB2,
    # 0xB3), which int() refuses and no NDC or LX01 contains (found by fuzzing).
    return text.isascii() and text.isdigit()


def _read_ndc(text: str) -> NdcReading:
    """Classify ``text`` and give the 11-digit NDC when it is certain."""
    if len(text) == 11 and _digits(text):
        return NdcReading(NdcShape.CLAIM_FORM, text)
    parts = [p for p in _SEPARATORS.split(text.strip()) if p]
    if len(parts) == 3 and all(_digits(p) for p in parts):
        pad = _PADDINGS.get((len(parts[0]), len(parts[1]), len(parts[2])))
        if pad is not None:
            padded = "".join("0" * n + p for n, p in zip(pad, parts, strict=True))
            return NdcReading(NdcShape.SEPARATED, padded)
    digits = "".join(parts)
    if len(parts) == 1 and len(digits) == 10 and _digits(digits):
        return NdcReading(NdcShape.BARE_TEN, None)
    # Eleven digits split any other way (0094-44624-01, 00944-462-401) are not a label layout:
    # which digit belongs to which segment is unknown, so they are not normalised.
    return NdcReading(NdcShape.INVALID, None)


#: Classify ``text`` and give the 11-digit NDC when it is certain. Memoised (bounded): rules
#: read the same line's NDC several times per claim and files repeat a few NDCs; the reading is
#: a frozen value of the text alone.
read_ndc: Callable[[str], NdcReading] = lru_cache(maxsize=4096)(_read_ndc)


def candidates(ten: str) -> tuple[str, ...]:
    """The three 11-digit readings of a bare 10-digit NDC (4-4-2, 5-3-2, 5-4-1)."""
    return ("0" + ten, ten[:5] + "0" + ten[5:], ten[:9] + "0" + ten[9:])
