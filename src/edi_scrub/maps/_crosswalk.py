"""The CMS ASP NDC-HCPCS crosswalk CSV, read into NDC -> code rows (``importers`` merges them).

CMS publishes the file in ISO-8859-1 with title lines above the header, a code column named for
the year (``_2024_CODE``), then Short Description, LABELER NAME, NDC2 (the 11-digit NDC as 5-4-2
with hyphens), Drug Name, HCPCS dosage, PKG SIZE, PKG QTY, BILLUNITS, BILLUNITSPKG. The header
row and the columns are found by name. Only code, NDC2, Short Description and Drug Name are
used: package size and billing units describe pricing, not which code an NDC belongs to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from edi_scrub.errors import ConfigError
from edi_scrub.maps._csv import CODE, Row, column, find_header, read_rows

_CODE_COLUMN = re.compile(r"_([0-9]{4})_CODE")
_NDC_COLUMNS = ("NDC2", "NDC")  # "NDC2" in the published files; plain "NDC" in some years
_NDC_SHAPES = {(5, 4, 2), (4, 4, 2), (5, 3, 2), (5, 4, 1)}
_NOC = re.compile(r"\bNOC\b|NOT OTHERWISE CLASSIFIED|UNCLASSIFIED")
_NOS = re.compile(r"\bNOS\b|NOT OTHERWISE SPECIFIED")


@dataclass(frozen=True, slots=True)
class CrosswalkRow:
    """One usable crosswalk row: an NDC (claim and label form) filed under a code."""

    line: int
    code: str
    ndc: str
    label_ndc: str
    product: str


@dataclass(slots=True)
class Crosswalk:
    """A whole crosswalk file: its year, usable rows by NDC, and the rows it had to skip."""

    path: Path
    year: str
    rows: int = 0
    by_ndc: dict[str, CrosswalkRow] = field(default_factory=dict)
    #: The first non-empty Short Description of each code: a new code entry's descriptor.
    descriptors: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def _label_ndc(path: Path, row: Row, raw: str) -> tuple[str, str] | None:
    """``(claim NDC, label NDC)`` for an NDC2 cell; None for an alternate id (not an NDC).

    CMS gives NDC2 as 5-4-2 with hyphens. A hyphenated 10-digit form says which segment is
    short, so it converts safely; a bare 10-digit string does not and is never guessed.
    Three hyphen-separated groups that are none of these are a broken NDC: an error.
    """
    if re.fullmatch(r"[0-9]{11}", raw):
        return raw, f"{raw[:5]}-{raw[5:9]}-{raw[9:]}"
    parts = raw.split("-")
    if len(parts) == 3:
        shape = tuple(len(p) for p in parts)
        if all(p.isascii() and p.isdigit() for p in parts) and shape in _NDC_SHAPES:
            return parts[0].zfill(5) + parts[1].zfill(4) + parts[2].zfill(2), raw
        raise ConfigError(f"{path}:{row.line}: NDC2 {raw!r} is not a 5-4-2 NDC")
    if re.fullmatch(r"[0-9]{10}", raw):
        raise ConfigError(
            f"{path}:{row.line}: NDC2 {raw!r} is a bare 10-digit NDC: which segment is short "
            "is unknown (write it 5-4-2 with hyphens)"
        )
    # The crosswalk lists some devices under drug codes with another product number (CMS calls
    # the column "NDC or alternate ID" in its NOC file): not an NDC, so not a package.
    return None


def read_crosswalk(path: Path) -> Crosswalk:
    rows = read_rows(path)
    header = find_header(
        path,
        rows,
        lambda cells: any(_CODE_COLUMN.fullmatch(c) for c in cells),
        "a _YYYY_CODE column (the CMS ASP NDC-HCPCS crosswalk layout)",
    )
    code_at = column(path, header, lambda c: bool(_CODE_COLUMN.fullmatch(c)), "_YYYY_CODE")
    year_match = _CODE_COLUMN.fullmatch(header.cell(code_at).upper())
    table = Crosswalk(path, year=year_match.group(1) if year_match else "")
    ndc_at = column(path, header, lambda c: c in _NDC_COLUMNS, "NDC2")
    short_at = column(path, header, lambda c: c == "SHORT DESCRIPTION", "Short Description")
    drug_at = column(path, header, lambda c: c == "DRUG NAME", "Drug Name")
    conflicts: dict[str, CrosswalkRow] = {}
    for row in rows:
        code, raw = row.cell(code_at).upper(), row.cell(ndc_at)
        if not raw and not CODE.fullmatch(code):
            continue  # a note or footer line below the table, not a data row
        table.rows += 1
        if not CODE.fullmatch(code):
            raise ConfigError(f"{path}:{row.line}: {code!r} is not a HCPCS or CPT code")
        if not raw:
            raise ConfigError(f"{path}:{row.line}: {code}: NDC2 is empty")
        ndcs = _label_ndc(path, row, raw)
        if ndcs is None:
            table.skipped.append(f"{path}:{row.line}: {code}: {raw!r} is not an NDC, skipped")
            continue
        ndc, label = ndcs
        if row.cell(short_at):
            table.descriptors.setdefault(code, row.cell(short_at))
        entry = CrosswalkRow(row.line, code, ndc, label, row.cell(drug_at))
        seen = table.by_ndc.get(ndc) or conflicts.get(ndc)
        if seen is None:
            table.by_ndc[ndc] = entry
        elif seen.code != code or ndc in conflicts:
            # One package, one code: the map cannot hold both, and choosing would be a guess.
            table.skipped.append(
                f"{path}:{row.line}: NDC {label} is listed under {seen.code} (line {seen.line})"
                f" and {code}: skipped"
            )
            conflicts[ndc] = table.by_ndc.pop(ndc, seen)
    if not table.rows:
        raise ConfigError(f"{path}:{header.line}: no data rows below the header row")
    return table


def category(descriptor: str) -> str:
    """The drug map category of a code the bundled map does not know, from its description.

    The crosswalk gives only the short description, so "NOC"/"NOS" in it is all there is.
    """
    upper = descriptor.upper()
    if _NOC.search(upper):
        return "noc"
    if _NOS.search(upper):
        return "nos"
    return "specific"
