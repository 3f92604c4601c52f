"""The MUE map: Medically Unlikely Edit values per code, as CMS publishes them each quarter.

``mue.xml`` (schema ``maps/mue.xsd``) holds one ``<mue>`` per code and CMS setting: the MUE value
(maximum units per beneficiary and date of service under most circumstances) and the MUE
Adjudication Indicator (MAI 1 per claim line, 2 and 3 per date of service). The bundled file is
empty on purpose: no value is sourced (domain.md §5). Users fill their own maps directory with
``edi-scrub maps import-mue`` from the CMS tables.

Why a setting: CMS publishes separate tables for practitioner services (professional claims,
837P), outpatient hospital services (facility claims, 837I) and DME suppliers, and a code's value
differs between them; mixing them would apply a facility value to a professional claim.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

from lxml import etree

from edi_scrub.maps._write import serialize, write_atomically
from edi_scrub.maps._xml import ElementReader, load
from edi_scrub.policy import Mue

MUE_XML = "mue.xml"
MUE_XSD = "mue.xsd"
#: The ``source`` prefix of values written by the importer; other sources are hand-entered.
IMPORTED_SOURCE = "CMS MUE table"

_HEADER = """
  edi-scrub MUE map (schema: mue.xsd in the bundled maps). Written by `edi-scrub maps import-mue`;
  entries whose source is not "CMS MUE table ..." were entered by hand and are kept on re-import.
"""


class MueSetting(StrEnum):
    """Which CMS MUE table a value belongs to."""

    PRACTITIONER = "practitioner"
    OUTPATIENT_HOSPITAL = "outpatient-hospital"
    DME_SUPPLIER = "dme-supplier"


@dataclass(frozen=True, slots=True)
class MueEntry:
    """One ``<mue>`` of a map: what :class:`~edi_scrub.policy.Mue` carries plus its provenance."""

    code: str
    setting: MueSetting
    value: int
    mai: int
    source: str
    rationale: str | None = None

    def as_mue(self) -> Mue:
        return Mue(self.code, self.value, self.mai)


def setting_for(transaction: str) -> MueSetting:
    """The MUE table for a transaction: 837I claims are facility claims, the rest professional."""
    return MueSetting.OUTPATIENT_HOSPITAL if transaction == "837I" else MueSetting.PRACTITIONER


def _file(path: Path) -> Path:
    return path / MUE_XML if path.is_dir() else path


def load_mue_entries(path: Path) -> tuple[MueEntry, ...]:
    """Every entry of ``path`` (a ``mue.xml`` or a directory holding one), validated.

    A missing file is an empty map. Raises :class:`~edi_scrub.errors.ConfigError`
    ("<file>:<line>: <problem>") for a file that is not a valid MUE map.
    """
    path = _file(path)
    if not path.exists():
        return ()
    root = load(path, MUE_XSD)
    reader = ElementReader(path)
    return tuple(
        MueEntry(
            code=reader.required(el, "code"),
            setting=MueSetting(reader.required(el, "setting")),
            value=int(reader.required(el, "value")),
            mai=int(reader.required(el, "mai")),
            source=reader.required(el, "source"),
            rationale=reader.attr(el, "rationale"),
        )
        for el in root.iterchildren("mue")
    )


def load_mue(path: Path, setting: MueSetting = MueSetting.PRACTITIONER) -> Mapping[str, Mue]:
    """MUE values by code for one CMS ``setting`` (practitioner unless told otherwise).

    ``path`` is a ``mue.xml`` or a directory holding one; a missing file gives an empty mapping.
    """
    found = {e.code: e.as_mue() for e in load_mue_entries(path) if e.setting is setting}
    return MappingProxyType(found)


def _sort_key(entry: MueEntry) -> tuple[str, str]:
    return entry.setting.value, entry.code


def render_mue(entries: Iterable[MueEntry]) -> bytes:
    """The ``mue.xml`` holding ``entries``, sorted by setting and code (stable bytes)."""
    root = etree.Element("mue-map", version="1")
    root.addprevious(etree.Comment(_HEADER))
    for entry in sorted(entries, key=_sort_key):
        el = etree.SubElement(root, "mue")
        el.set("code", entry.code)
        el.set("setting", entry.setting.value)
        el.set("value", str(entry.value))
        el.set("mai", str(entry.mai))
        if entry.rationale:
            el.set("rationale", entry.rationale)
        el.set("source", entry.source)
    return serialize(root)


def write_mue(path: Path, entries: Iterable[MueEntry]) -> None:
    """Write ``entries`` to ``path`` (a file or a maps directory) atomically, validated first."""
    write_atomically(_file(path), render_mue(entries), load_mue_entries)
