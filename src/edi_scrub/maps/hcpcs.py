"""The HCPCS map: when each HCPCS Level II code (and modifier) was added and terminated.

``hcpcs.xml`` (schema ``maps/hcpcs.xsd``) lives only in a user maps directory: ``edi-scrub maps
import-hcpcs`` fills it from the CMS HCPCS Level II alpha-numeric file, and nothing is shipped
(the dates of ~7,000 codes are CMS's to publish each year, not ours to copy). Rule HCP002 reads
the procedure codes' dates for every service line, not only the drug lines of ``drugs.xml``.

An entry says what the CMS file said: ``added`` (HCPCS Code Added Date, the first date of service
that may carry the code), ``terminated`` (the last one; absent while the code is active), and the
latest action with its effective date. An absent code means "not known", never "invalid": the
annual file lags the quarterly additions (J7204, added 2020-07-01, is not in the 2020 file).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

from lxml import etree

from edi_scrub.maps._write import serialize
from edi_scrub.maps._xml import ElementReader, load

HCPCS_XML = "hcpcs.xml"
HCPCS_XSD = "hcpcs.xsd"
#: The ``source`` prefix of entries written by the importer; other sources are hand-entered.
IMPORTED_SOURCE = "CMS HCPCS Level II file"

_HEADER = """
  edi-scrub HCPCS map (schema: hcpcs.xsd in the bundled maps). Written by `edi-scrub maps
  import-hcpcs` from the CMS HCPCS Level II alpha-numeric file; a later import replaces the entries
  of the codes it lists and keeps the others (older files' dates stay true for older claims).
"""


class EntryKind(StrEnum):
    PROCEDURE = "code"  # record ids 3/4: a procedure (HCPCS) code
    MODIFIER = "modifier"  # record ids 7/8: a modifier


@dataclass(frozen=True, slots=True)
class HcpcsEntry:
    """One code's or modifier's dates. ``None`` = the file did not say."""

    id: str
    kind: EntryKind
    added: date | None
    action_effective: date | None
    action: str | None
    terminated: date | None
    description: str | None
    source: str

    def facts(self) -> tuple[object, ...]:
        """Everything but the source: two entries with the same facts are the same entry."""
        return (
            self.added,
            self.action_effective,
            self.action,
            self.terminated,
            self.description,
        )

    def valid_on(self, day: date) -> bool | None:
        """True/False when the dates decide ``day``; None when the entry has no added date."""
        if self.terminated is not None and day > self.terminated:
            return False
        if self.added is None:
            return None
        return day >= self.added


def _file(path: Path) -> Path:
    return path / HCPCS_XML if path.is_dir() else path


def load_hcpcs_entries(path: Path) -> tuple[HcpcsEntry, ...]:
    """Every entry of ``path`` (a ``hcpcs.xml`` or a directory holding one), validated.

    A missing file is an empty map. Raises :class:`~edi_scrub.errors.ConfigError`
    ("<file>:<line>: <problem>") for a file that is not a valid HCPCS map.
    """
    path = _file(path)
    if not path.exists():
        return ()
    root = load(path, HCPCS_XSD)
    reader = ElementReader(path)
    entries: list[HcpcsEntry] = []
    for el in root.iterchildren("code", "modifier"):
        entry = HcpcsEntry(
            id=reader.required(el, "id"),
            kind=EntryKind(el.tag),
            added=reader.date_attr(el, "added"),
            action_effective=reader.date_attr(el, "action-effective"),
            action=reader.attr(el, "action"),
            terminated=reader.date_attr(el, "terminated"),
            description=reader.attr(el, "description"),
            source=reader.required(el, "source"),
        )
        if entry.added and entry.terminated and entry.terminated < entry.added:
            raise reader.fail(
                el, f"{el.tag} {entry.id}: terminated {entry.terminated} is before it was added"
            )
        entries.append(entry)
    return tuple(entries)


def load_code_dates(path: Path) -> Mapping[str, HcpcsEntry]:
    """The procedure codes' entries by code (what HCP002 reads); empty when there is no map."""
    found = {e.id: e for e in load_hcpcs_entries(path) if e.kind is EntryKind.PROCEDURE}
    return MappingProxyType(found)


def render_hcpcs(entries: Iterable[HcpcsEntry]) -> bytes:
    """The ``hcpcs.xml`` holding ``entries``: codes then modifiers, each sorted (stable bytes)."""
    root = etree.Element("hcpcs-map", version="1")
    root.addprevious(etree.Comment(_HEADER))
    order = {EntryKind.PROCEDURE: 0, EntryKind.MODIFIER: 1}
    for entry in sorted(entries, key=lambda e: (order[e.kind], e.id)):
        el = etree.SubElement(root, entry.kind.value, id=entry.id)
        for name, value in (
            ("added", entry.added),
            ("action-effective", entry.action_effective),
            ("action", entry.action),
            ("terminated", entry.terminated),
            ("description", entry.description),
        ):
            if value is not None:
                el.set(name, value.isoformat() if isinstance(value, date) else value)
        el.set("source", entry.source)
    return serialize(root)
