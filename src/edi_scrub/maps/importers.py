"""Importing public CMS files into a user maps directory: ASP crosswalk, MUE tables, HCPCS file.

``import_crosswalk`` reads the CMS ASP NDC-HCPCS crosswalk CSV (preamble lines, Windows-1252, a
``_YYYY_CODE`` column, ``NDC2`` in 5-4-2 with hyphens, ...) and merges its NDC packages into the
directory's ``drugs.xml``; ``import_mue`` reads a CMS MUE table into ``mue.xml``;
``import_hcpcs`` reads the HCPCS Level II alpha-numeric file into ``hcpcs.xml``. All of them:

- find the header row and the columns by name, never by position (the HCPCS file is fixed
  width: its positions are CMS's record layout, see ``_hcpcs_file``);
- check every row first and fail with ``"<file>:<line>: <problem>"`` (a
  :class:`~edi_scrub.errors.ConfigError`, exit 2) before anything is written;
- write atomically, validated through the real loader before the rename (see ``_write``);
- leave the file untouched when nothing changes, so re-importing a file is a no-op.

Rows are kept whole in memory: the crosswalk has about ten thousand, the MUE tables a few tens of
thousands, the HCPCS file about seven thousand codes: far below what needs streaming.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from edi_scrub.errors import ConfigError
from edi_scrub.maps._codes import CodeSelection, family_codes
from edi_scrub.maps._crosswalk import Crosswalk, CrosswalkRow, Skipped, category, read_crosswalk
from edi_scrub.maps._csv import CODE, Row, column, find_header, read_rows
from edi_scrub.maps._hcpcs_file import read_hcpcs_file
from edi_scrub.maps._write import editing_parser, serialize, write_atomically
from edi_scrub.maps.drugs import DRUGS_XML, DrugCatalog, NdcPackage, load_drug_catalog
from edi_scrub.maps.hcpcs import HCPCS_XML, EntryKind, load_hcpcs_entries, render_hcpcs
from edi_scrub.maps.hcpcs import IMPORTED_SOURCE as HCPCS_SOURCE
from edi_scrub.maps.mue import (
    IMPORTED_SOURCE,
    MUE_XML,
    MueEntry,
    MueSetting,
    load_mue_entries,
    render_mue,
)

__all__ = [
    "ImportResult",
    "default_selection",
    "import_crosswalk",
    "import_hcpcs",
    "import_mue",
]


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did to one map file.

    ``skipped`` counts input rows set aside; ``warnings`` says why, one counted line per reason
    with the first few rows as examples (``"<file>: 695 rows skipped: NDC2 holds no NDC ...:
    Q4111 'GG100' (line 5697), ..."``), so a real file's hundreds of alternate ids are one line.
    """

    target: Path
    rows: int
    added: int
    changed: int
    unchanged: int
    removed: int = 0
    skipped: int = 0
    warnings: tuple[str, ...] = ()
    detail: str = ""

    @property
    def written(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        """One line for people: counts, and whether the file was rewritten."""
        counts = f"{self.added} added, {self.changed} changed, {self.unchanged} unchanged"
        if self.removed:
            counts += f", {self.removed} removed"
        if self.skipped:
            counts += f", {self.skipped} skipped"
        outcome = "written" if self.written else "no change, file left as it was"
        detail = f"{self.detail}; " if self.detail else ""
        return f"{self.target}: {counts} ({detail}{self.rows} rows read): {outcome}"


# ---------------------------------------------------------------------------- drugs.xml merge

_DRUGS_HEADER = """
  edi-scrub user drug map (schema: drugs.xsd in the bundled maps), layered over the bundled
  drugs.xml. Written by `edi-scrub maps import-crosswalk`; hand edits are kept on re-import.
  <packages code="..."> adds NDCs to a code the bundled map defines; a <code> here replaces it.
"""


def _insert_sorted(
    parent: etree._Element, el: etree._Element, tag: str, key: str, before: tuple[str, ...] = ()
) -> None:
    """Insert ``el`` among ``parent``'s ``tag`` children, sorted by attribute ``key``.

    With no ``tag`` child yet, ``el`` goes before the first child named in ``before`` (the
    schema's order: codes, then packages blocks, then unassigned), else last.
    """
    value = el.get(key) or ""
    last: etree._Element | None = None
    for sibling in parent.iterchildren(tag):
        if (sibling.get(key) or "") > value:
            sibling.addprevious(el)
            return
        last = sibling
    following = next(parent.iterchildren(*before), None) if before else None
    if last is not None:
        last.addnext(el)
    elif following is not None:
        following.addprevious(el)
    else:
        parent.append(el)


class _DrugMerge:
    """The user's ``drugs.xml`` as an editable tree, with the bundled map to layer over."""

    def __init__(self, target: Path, table: Crosswalk, source: str) -> None:
        self.table = table
        self.source = source
        self.bundled: DrugCatalog = load_drug_catalog()
        if target.exists():
            load_drug_catalog(target)  # a broken user map is reported as itself, file:line
            self.root = etree.parse(str(target), editing_parser()).getroot()
        else:
            self.root = etree.Element("drug-map", version="1")
            self.root.addprevious(etree.Comment(_DRUGS_HEADER))
        self.codes = {el.get("id", ""): el for el in self.root.iterchildren("code")}
        self.blocks = {el.get("code", ""): el for el in self.root.iterchildren("packages")}
        self.packages = {el.get("ndc", ""): el for el in self.root.iterdescendants("package")}

    @staticmethod
    def code_of(el: etree._Element) -> str | None:
        parent = el.getparent()
        if parent is None or parent.tag == "unassigned":
            return None
        return parent.get("id") if parent.tag == "code" else parent.get("code")

    def block(self, row: CrosswalkRow) -> etree._Element:
        """Where packages of ``row.code`` go: its code here, a packages block, or a new code."""
        found = self.codes.get(row.code, self.blocks.get(row.code))
        if found is not None:
            return found
        if self.bundled.code(row.code) is not None:
            el = etree.Element("packages", code=row.code)
            _insert_sorted(self.root, el, "packages", "code", ("unassigned",))
            self.blocks[row.code] = el
            return el
        # A code the bundled map does not know: the least the schema allows, nothing guessed
        # (no family, billing unit, dates or label facts: the crosswalk does not give them).
        descriptor = self.table.descriptors.get(row.code)
        if descriptor is None:
            raise ConfigError(
                f"{self.table.path}:{row.line}: {row.code}: Short Description is empty, and "
                "the maps do not know the code"
            )
        el = etree.Element("code", id=row.code, category=category(descriptor))
        etree.SubElement(el, "descriptor").text = descriptor
        _insert_sorted(self.root, el, "code", "id", ("packages", "unassigned"))
        self.codes[row.code] = el
        return el

    def package(self, row: CrosswalkRow, known: NdcPackage | None) -> etree._Element:
        el = etree.Element("package", ndc=row.ndc)
        el.set("label-ndc", row.label_ndc)
        # The crosswalk lists billable NDCs, i.e. kits; a package the bundled map knows keeps
        # what it knows about it (kind, strength, potency) under its new code.
        el.set("kind", known.kind.value if known is not None else "kit")
        if known is not None:
            for name, value in (
                ("nominal-iu", known.nominal_iu),
                ("potency-min", known.potency_min),
                ("potency-max", known.potency_max),
            ):
                if value is not None:
                    el.set(name, str(value))
        if row.product:
            el.set("product", row.product)
        el.set("source", self.source)
        return el

    def place(self, el: etree._Element, row: CrosswalkRow) -> None:
        _insert_sorted(self.block(row), el, "package", "ndc")
        self.packages[row.ndc] = el

    def move(self, el: etree._Element, row: CrosswalkRow) -> None:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
            if parent.tag in ("packages", "unassigned") and len(parent) == 0:
                self.root.remove(parent)
                self.blocks.pop(parent.get("code", ""), None)
        el.set("source", self.source)
        self.place(el, row)


#: Examples quoted in a counted warning: enough to see the pattern, not a flood.
_EXAMPLES = 3


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def _examples(items: list[Skipped]) -> str:
    shown = ", ".join(f"{s.code} {s.value!r} (line {s.line})" for s in items[:_EXAMPLES])
    return shown + (", ..." if len(items) > _EXAMPLES else "")


def _crosswalk_warnings(table: Crosswalk, selection: CodeSelection) -> tuple[str, ...]:
    path = table.path
    notes: list[str] = []
    if table.no_ndc:
        notes.append(
            f"{path}: {_rows(len(table.no_ndc))} skipped: NDC2 holds no NDC (an alternate id "
            f"such as a device number, or nothing): {_examples(table.no_ndc)}"
        )
    if table.ambiguous:
        ndcs = len({s.value for s in table.ambiguous})
        notes.append(
            f"{path}: {_rows(len(table.ambiguous))} skipped: {ndcs} NDC"
            f"{'' if ndcs == 1 else 's'} listed under more than one code, which the map cannot "
            f"file under one: {_examples(table.ambiguous)}"
        )
    missing = selection.unmatched(table.codes)
    if missing:
        notes.append(
            f"{path}: {selection.described}: no code of the file matches {', '.join(missing)}"
        )
    return tuple(notes)


def default_selection(maps_dir: Path) -> CodeSelection:
    """The codes imported without ``--codes``: every code the bundled or user map gives a family.

    Those are the clotting-factor codes the rules are written for; see ``_codes``.
    """
    codes = {c.code for c in load_drug_catalog().codes.values() if c.family is not None}
    if (maps_dir / DRUGS_XML).is_file():
        user = load_drug_catalog(maps_dir / DRUGS_XML)
        codes.update(c.code for c in user.codes.values() if c.family is not None)
    return family_codes(codes)


def import_crosswalk(
    csv_path: Path, maps_dir: Path, selection: CodeSelection | None = None
) -> ImportResult:
    """Merge the crosswalk rows of the ``selection``'s codes into ``maps_dir/drugs.xml``.

    ``selection`` defaults to :func:`default_selection`. A package already filed under the
    crosswalk's code (here or in the bundled map) is left alone; one filed under another code
    moves to the crosswalk's code; a new one is added as a kit. Rows without an NDC and NDCs
    listed under more than one code are skipped and counted. Raises :class:`ConfigError`
    ("<file>:<line>: <problem>") with nothing written.
    """
    chosen = selection if selection is not None else default_selection(maps_dir)
    table = read_crosswalk(csv_path, chosen)
    target = maps_dir / DRUGS_XML
    source = f"CMS ASP NDC-HCPCS crosswalk {csv_path.name} {table.year}".strip()
    merge = _DrugMerge(target, table, source)
    added = changed = unchanged = 0
    for ndc in sorted(table.by_ndc):
        row = table.by_ndc[ndc]
        mine = merge.packages.get(ndc)
        known = merge.bundled.package(ndc)
        if mine is not None:
            if merge.code_of(mine) == row.code:
                unchanged += 1
            else:
                merge.move(mine, row)
                changed += 1
        elif known is not None and known.code == row.code:
            unchanged += 1  # the bundled map already says so, with more detail
        else:
            merge.place(merge.package(row, known), row)
            if known is None:
                added += 1
            else:
                changed += 1  # the crosswalk files a bundled NDC under another code
    detail = f"{len(table.by_ndc)} NDCs, year {table.year}"
    if table.other_codes_rows:
        detail += f", {_rows(table.other_codes_rows)} of other codes left out"
    result = ImportResult(
        target,
        table.rows,
        added,
        changed,
        unchanged,
        skipped=len(table.no_ndc) + len(table.ambiguous),
        warnings=_crosswalk_warnings(table, chosen),
        detail=detail,
    )
    if result.written:
        write_atomically(target, serialize(merge.root), load_drug_catalog)
    return result


# ---------------------------------------------------------------------------- MUE table

_SETTINGS = (
    ("PRACTITIONER", MueSetting.PRACTITIONER),
    ("OUTPATIENT HOSPITAL", MueSetting.OUTPATIENT_HOSPITAL),
    ("FACILITY", MueSetting.OUTPATIENT_HOSPITAL),
    ("DME", MueSetting.DME_SUPPLIER),
)
_MAI = re.compile(r"([123])(?![0-9])")  # "1", "1 Line Edit", "2 Date of Service Edit: Policy"


def _is_value_column(cell: str) -> bool:
    return cell.endswith(("MUE VALUES", "MUE VALUE"))


def _setting(path: Path, header: Row, name: str, given: MueSetting | None) -> MueSetting:
    said = next((s for word, s in _SETTINGS if word in name), None)
    if given is not None and said is not None and given is not said:
        raise ConfigError(
            f"{path}:{header.line}: column {name!r} is the {said.value} table, "
            f"not {given.value} (--setting)"
        )
    setting = given or said
    if setting is None:
        raise ConfigError(
            f"{path}:{header.line}: column {name!r} does not say which CMS table this is: "
            "pass --setting practitioner|outpatient-hospital|dme-supplier"
        )
    return setting


def _read_mue(path: Path, given: MueSetting | None) -> tuple[MueSetting, dict[str, MueEntry], int]:
    rows = read_rows(path)
    expected = "a 'MUE Values' column (the CMS MUE table layout)"
    header = find_header(path, rows, lambda cells: any(map(_is_value_column, cells)), expected)
    value_at = column(path, header, _is_value_column, "MUE Values")
    setting = _setting(path, header, header.cell(value_at).upper(), given)
    code_at = column(path, header, lambda c: "CODE" in c, "HCPCS/CPT Code")
    mai_at = column(path, header, lambda c: "ADJUDICATION INDICATOR" in c, "MUE Adjudication")
    why_at = column(path, header, lambda c: "RATIONALE" in c, "MUE Rationale", required=False)
    source = f"{IMPORTED_SOURCE} {path.name}"
    found: dict[str, MueEntry] = {}
    lines: dict[str, int] = {}
    count = 0
    for row in rows:
        code, value, mai = row.cell(code_at).upper(), row.cell(value_at), row.cell(mai_at)
        if not CODE.fullmatch(code) and not value and not mai:
            continue  # a note or footer line, not a data row
        count += 1
        where = f"{path}:{row.line}"
        if not CODE.fullmatch(code):
            raise ConfigError(f"{where}: {code!r} is not a HCPCS or CPT code")
        if not (value.isascii() and value.isdigit()):
            raise ConfigError(f"{where}: {code}: MUE value {value!r} is not a whole number")
        indicator = _MAI.match(mai)
        if indicator is None:
            raise ConfigError(
                f"{where}: {code}: MUE Adjudication Indicator {mai!r} is not 1, 2 or 3"
            )
        entry = MueEntry(
            code, setting, int(value), int(indicator.group(1)), source, row.cell(why_at) or None
        )
        seen = found.get(code)
        if seen is not None and (seen.value, seen.mai) != (entry.value, entry.mai):
            raise ConfigError(f"{where}: {code} is listed again (line {lines[code]}), differently")
        found.setdefault(code, entry)
        lines.setdefault(code, row.line)
    if not count:
        # An empty table would remove every imported value of the setting: surely a mistake.
        raise ConfigError(f"{path}:{header.line}: no data rows below the header row")
    return setting, found, count


def import_mue(csv_path: Path, maps_dir: Path, setting: MueSetting | None = None) -> ImportResult:
    """Merge the CMS MUE table at ``csv_path`` into ``maps_dir/mue.xml``.

    The table is a full quarterly snapshot of one setting, so imported values of that setting
    that it no longer lists are removed; hand-entered values (another ``source``) are kept.
    Raises :class:`ConfigError` ("<file>:<line>: <problem>") with nothing written.
    """
    setting, imported, count = _read_mue(csv_path, setting)
    target = maps_dir / MUE_XML
    current = {(e.code, e.setting): e for e in load_mue_entries(target)}
    # Other settings' values and hand-entered ones stay; imported values of this setting that
    # the new table no longer lists are dropped (CMS removed the edit).
    kept = [
        e
        for e in current.values()
        if e.setting is not setting
        or (e.code not in imported and not e.source.startswith(IMPORTED_SOURCE))
    ]
    removed = sum(
        1
        for e in current.values()
        if e.setting is setting and e.code not in imported and e.source.startswith(IMPORTED_SOURCE)
    )
    added = changed = unchanged = 0
    for code, entry in imported.items():
        old = current.get((code, setting))
        if old is not None and (old.value, old.mai, old.rationale) == (
            entry.value,
            entry.mai,
            entry.rationale,
        ):
            kept.append(old)  # unchanged values keep the source they were first read from
            unchanged += 1
            continue
        kept.append(entry)
        if old is None:
            added += 1
        else:
            changed += 1
    result = ImportResult(
        target, count, added, changed, unchanged, removed, detail=f"{setting.value} table"
    )
    if result.written:
        write_atomically(target, render_mue(kept), load_mue_entries)
    return result


# ---------------------------------------------------------------------------- HCPCS Level II


def import_hcpcs(path: Path, maps_dir: Path) -> ImportResult:
    """Merge the CMS HCPCS Level II alpha-numeric file at ``path`` into ``maps_dir/hcpcs.xml``.

    Each code and modifier the file lists replaces its entry (an imported one or one entered by
    hand); entries of codes the file does not list are kept, because annual files drop codes
    terminated years ago whose dates still judge claims of those years. Raises
    :class:`ConfigError` ("<file>:<line>: <problem>") with nothing written.
    """
    table = read_hcpcs_file(path, f"{HCPCS_SOURCE} {path.name}")
    target = maps_dir / HCPCS_XML
    current = {(e.kind, e.id): e for e in load_hcpcs_entries(target)}
    merged = dict(current)
    added = changed = unchanged = 0
    for key, entry in table.entries.items():
        old = current.get(key)
        if old is not None and old.facts() == entry.facts():
            unchanged += 1  # kept with the source it was first read from: no rewrite
            continue
        merged[key] = entry
        if old is None:
            added += 1
        else:
            changed += 1
    codes = sum(1 for kind, _ in table.entries if kind is EntryKind.PROCEDURE)
    detail = f"{codes} codes, {len(table.entries) - codes} modifiers"
    result = ImportResult(target, table.records, added, changed, unchanged, detail=detail)
    if result.written:
        write_atomically(target, render_hcpcs(merged.values()), load_hcpcs_entries)
    return result
