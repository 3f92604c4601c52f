"""What every map loader shares: safe lxml parsing, XSD validation, one-line located errors.

A map is data, never a fetch: the parser resolves no entities, loads no DTD and touches no
network, and a map with a DOCTYPE is refused outright. A map must be a regular file of at most
:data:`MAX_MAP_BYTES` (a FIFO would block the run forever, ``/dev/zero`` never ends, and lxml
needs about twenty times a file's size in memory). Every problem becomes a
:class:`~edi_scrub.errors.ConfigError` reading ``"<file>:<line>: <problem>"`` on one line, which
the CLI prints as is (exit 2).
"""

from __future__ import annotations

import functools
import io
import os
import stat
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Protocol, cast

from lxml import etree

from edi_scrub.errors import ConfigError
from edi_scrub.maps._locate import bundled_maps_dir

#: The largest map file read: twenty times what a real one needs (the January 2026 CMS
#: crosswalk, 7,125 rows, imports to a 1.5 MB drugs.xml), and a bound on memory (lxml takes about
#: twenty times a file's size: a 145 MB drugs.xml took 2.9 GB).
MAX_MAP_BYTES = 32 * 1024 * 1024


def map_present(path: Path) -> bool:
    """Whether a map layer file is there: ``False`` when absent, ``True`` for a regular file.

    Raises :class:`ConfigError` for anything else at that name (a directory, a FIFO, a device,
    a broken symlink): silently skipping it would scrub with the wrong maps.
    """
    if not os.path.lexists(path):
        return False
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read map: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        raise ConfigError(f"{path}: not a regular file (a map must be a plain XML file)")
    return True


def read_map(path: Path) -> bytes:
    """The bytes of the map at ``path``; :class:`ConfigError` unless a small regular file."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        # Non-blocking open, then fstat: opening a FIFO for reading would wait for a writer.
        fd = os.open(path, flags)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read map: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ConfigError(f"{path}: not a regular file (a map must be a plain XML file)")
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(MAX_MAP_BYTES + 1)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read map: {exc.strerror or exc}") from None
    if len(data) > MAX_MAP_BYTES:
        raise ConfigError(f"{path}: map larger than {MAX_MAP_BYTES // (1024 * 1024)} MiB")
    return data


def _parser() -> etree.XMLParser:
    # No entity expansion, no network, no DTD loading: a map is data, never a fetch.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) folded into one space."""
    return " ".join(text.split())


class _LogEntry(Protocol):  # lxml-stubs leave _ErrorLog and its entries untyped
    line: int
    message: str


def _first_error(log: object) -> _LogEntry | None:
    return next(iter(cast("Iterable[_LogEntry]", log)), None)


def line_of(el: etree._Element) -> int:
    """The source line of ``el`` (0 when lxml does not know it)."""
    return cast("int | None", el.sourceline) or 0


def parse(path: Path) -> etree._ElementTree:
    """Parse ``path`` safely; :class:`ConfigError` when unreadable, malformed or with a DTD."""
    data = read_map(path)
    try:
        tree = etree.parse(io.BytesIO(data), _parser())
    except etree.XMLSyntaxError as exc:
        line, _column = exc.position
        raise ConfigError(f"{path}:{line}: not well-formed XML: {one_line(exc.msg)}") from None
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        # Validating a tree with unexpanded entity nodes is undefined in libxml2, and no map
        # needs a DTD: refuse it outright.
        line = data[: max(data.find(b"<!DOCTYPE"), 0)].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: a DOCTYPE is not allowed in a map (no entities)")
    return tree


@functools.cache
def bundled_schema(name: str) -> etree.XMLSchema:
    """The XSD ``name`` shipped in the bundled maps directory, compiled once per process.

    User maps are validated against the bundled schemas too: a user may add data, not change
    what data means.
    """
    xsd = bundled_maps_dir() / name
    try:
        return etree.XMLSchema(parse(xsd))
    except etree.XMLSchemaParseError as exc:
        entry = _first_error(exc.error_log)
        line = entry.line if entry is not None else 0
        raise ConfigError(f"{xsd}:{line}: invalid schema: {one_line(str(exc))}") from None


def validate(tree: etree._ElementTree, path: Path, schema: etree.XMLSchema) -> None:
    """Validate ``tree`` (read from ``path``); :class:`ConfigError` at the first violation."""
    try:
        valid = schema.validate(tree)
    except etree.Error as exc:
        raise ConfigError(f"{path}:0: cannot validate map: {one_line(str(exc))}") from None
    if not valid:
        entry = _first_error(schema.error_log)
        line, message = (entry.line, entry.message) if entry else (0, "invalid map")
        raise ConfigError(f"{path}:{line}: {one_line(message)}")


def load(path: Path, xsd_name: str) -> etree._Element:
    """Parse ``path``, validate it against the bundled ``xsd_name`` and return its root."""
    tree = parse(path)
    validate(tree, path, bundled_schema(xsd_name))
    return tree.getroot()


def text(el: etree._Element) -> str:
    """The simple content of ``el``, whitespace folded.

    Simple content may be split by comments; the schemas allow no other children.
    """
    parts = [el.text or ""] + [child.tail or "" for child in el]
    return one_line("".join(parts))


class ElementReader:
    """Typed attribute access for a builder that turns one schema-valid file into objects.

    The ``required`` guards exist for trees built without the schema; on a validated tree
    they never fire. Every failure names ``path`` and the element's line.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, el: etree._Element, problem: str) -> ConfigError:
        """A :class:`ConfigError` about ``el`` (raise it)."""
        return ConfigError(f"{self.path}:{line_of(el)}: {problem}")

    def attr(self, el: etree._Element, name: str) -> str | None:
        """Attribute ``name`` with whitespace folded, or None when absent."""
        value = el.get(name)
        return None if value is None else one_line(value)

    def required(self, el: etree._Element, name: str) -> str:
        """Attribute ``name``; :class:`ConfigError` when absent."""
        value = self.attr(el, name)
        if value is None:
            raise self.fail(el, f"{el.tag}: missing attribute {name}")
        return value

    def int_attr(self, el: etree._Element, name: str) -> int | None:
        """Attribute ``name`` as an int (the schema types it), or None."""
        value = self.attr(el, name)
        return None if value is None else int(value)

    def date_attr(self, el: etree._Element, name: str) -> date | None:
        """Attribute ``name`` as a date (the schema types it CCYY-MM-DD), or None."""
        value = self.attr(el, name)
        return None if value is None else date.fromisoformat(value)

    def bool_attr(self, el: etree._Element, name: str) -> bool | None:
        """Attribute ``name`` as an xs:boolean (``true``/``1``), or None."""
        value = self.attr(el, name)
        return None if value is None else value in ("true", "1")
