"""Reading the CMS CSV files as CMS publishes them: preamble lines, Windows-1252, quoted newlines.

CMS puts title and copyright lines above the header row, so the header is found by what it
says, never by its position, and columns are looked up by name. Every row keeps the physical
line it starts on, so an error can say ``file:line:`` even when a quoted cell spans lines (the
MUE tables' ``"HCPCS/\\nCPT Code"`` header does).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from edi_scrub.errors import ConfigError

# HCPCS Level II (J7207) or CPT (five digits, or four digits and a letter): both appear in the
# CMS tables and both fit the maps' code types.
CODE = re.compile(r"[A-Z][0-9]{4}|[0-9]{4}[0-9A-Z]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _c1_as_latin_1(exc: UnicodeError) -> tuple[str, int]:
    # The five bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) read as the C1
    # controls Latin-1 gives them, which :func:`clean` then drops: one odd byte never costs the
    # rest of the file its Windows-1252 reading (0x99 is "\u2122", not a control character).
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("iso-8859-1"), exc.end


codecs.register_error("edi_scrub_c1", _c1_as_latin_1)


def decode(data: bytes) -> str:
    """The file's text. CMS publishes Windows-1252 (0x99 ™, 0xAE ®, 0xA0 no-break space occur).

    UTF-8 is tried first (a file re-saved as UTF-8 must read too) because Windows-1252 text with
    any byte above 0x7F is almost never valid UTF-8, while UTF-8 read as Windows-1252 silently
    turns "é" into "Ã©". Everything else is read as Windows-1252, never as plain Latin-1, which
    would turn "™" (0x99) into an invisible control character.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="edi_scrub_c1")


def clean(text: str) -> str:
    """A cell as the maps may store it: control characters dropped, whitespace folded."""
    return " ".join(_CONTROL.sub(" ", text).split())


def header_name(text: str) -> str:
    """A header cell normalised for lookup: folded, upper case (``"HCPCS/\\nCPT Code"`` too)."""
    return clean(text).upper()


@dataclass(frozen=True, slots=True)
class Row:
    """One CSV record and the physical line it starts on (1-based)."""

    line: int
    cells: tuple[str, ...]

    def cell(self, index: int | None) -> str:
        """The cleaned cell at ``index``; "" when the row is short or the column absent."""
        if index is None or index >= len(self.cells):
            return ""
        return clean(self.cells[index])


def read_rows(path: Path) -> Iterator[Row]:
    """Every non-blank record of the CSV at ``path``. Raises :class:`ConfigError`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    # newline="" keeps quoted newlines inside cells and lets line_num count physical lines;
    # strict makes a stray or unclosed quote an error instead of swallowing the rows after it.
    reader = csv.reader(io.StringIO(decode(data), newline=""), strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ConfigError(f"{path}:{reader.line_num}: not a readable CSV: {exc}") from None
        if any(c.strip() for c in cells):
            yield Row(start, tuple(cells))
        start = reader.line_num + 1


def find_header(
    path: Path, rows: Iterator[Row], is_header: Callable[[list[str]], bool], expected: str
) -> Row:
    """Consume ``rows`` up to and including the header row, and return it.

    ``is_header`` gets the row's normalised cells. Raises :class:`ConfigError` naming
    ``expected`` (what the header should contain) when no row qualifies.
    """
    for row in rows:
        if is_header([header_name(c) for c in row.cells]):
            return row
    raise ConfigError(f"{path}:1: no header row found: expected {expected}")


def column(
    path: Path, header: Row, matches: Callable[[str], bool], name: str, required: bool = True
) -> int | None:
    """The index of the one header cell ``matches`` accepts; :class:`ConfigError` if missing.

    Two matching cells are an error too: picking one would be a guess.
    """
    found = [i for i, cell in enumerate(header.cells) if matches(header_name(cell))]
    if len(found) > 1:
        raise ConfigError(f"{path}:{header.line}: the header row has {len(found)} {name} columns")
    if not found:
        if required:
            raise ConfigError(f"{path}:{header.line}: the header row has no {name} column")
        return None
    return found[0]
