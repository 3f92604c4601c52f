"""How every message, log and report shows a file name: the bytes that are not UTF-8 escaped.

On Linux a file name is bytes; Python hands one that is not UTF-8 (``b'\\xff.837'``) over as a
string with a lone surrogate per bad byte (``'\\udcff.837'``, PEP 383). Such a string is not
valid Unicode: JSON written from it is refused by strict readers (or, written as UTF-8, is
not UTF-8 at all), and a terminal shows it as ``\\udcff``. :func:`shown` writes each bad byte
as ``\\xNN`` (Python's own notation for a byte), so ``b'\\xff.837'`` is shown as ``\\xff.837``:
readable, valid UTF-8, and the original bytes can be read back from it. A name that is valid
UTF-8 is shown unchanged, as before (so a valid name that itself contains the four characters
``\xff`` reads the same as one with that bad byte: backslashes are not doubled, which would
change how every Windows path is shown).
"""

from __future__ import annotations

import os
import re
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from structlog.typing import EventDict

#: Lone surrogates: U+DC80..U+DCFF stand for the bytes 0x80..0xFF of an undecodable name;
#: others can only come from a caller's own string.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def shown(name: str | os.PathLike[str]) -> str:
    """``name`` with every undecodable byte as ``\\xNN`` (and any other lone surrogate as
    ``\\uNNNN``); unchanged when it is valid Unicode."""
    text = os.fspath(name)
    if text.isascii():
        return text  # nearly every name: no scan
    return _SURROGATE.sub(_escape, text)


def shown_fields(_logger: object, _method: str, event: MutableMapping[str, Any]) -> EventDict:
    """A structlog processor: every string of an event (a file name) passed through
    :func:`shown`, so that JSON log lines stay valid UTF-8."""
    return {k: shown(v) if isinstance(v, str) else v for k, v in event.items()}


def shown_data(value: object) -> object:
    """``value`` (JSON data: dicts, lists, strings ...) with every string passed through
    :func:`shown`: the names in a batch report."""
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, dict):
        return {shown_data(k): shown_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [shown_data(v) for v in value]
    return value
