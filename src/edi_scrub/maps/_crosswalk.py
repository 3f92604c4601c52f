"""The CMS ASP NDC-HCPCS crosswalk CSV, read into NDC -> code rows (``importers`` merges them).

CMS publishes the file in Windows-1252 with title lines above the header, a code column named
for a year (``_2024_CODE``; the year does not follow the quarter), then Short Description,
LABELER NAME, NDC2 (the 11-digit NDC as 5-4-2 with hyphens; ``NDC`` in some derived copies),
Drug Name, HCPCS dosage, PKG SIZE, PKG QTY, BILLUNITS, BILLUNITSPKG. The header row and the
columns are found by name. Only code, NDC2, Short Description and Drug Name are used: package
size and billing units describe pricing, not which code an NDC belongs to. Real files pad every
record with empty fields (10 to 252 per record) and put bare LFs inside quoted cells; neither
matters, because cells are read by column name and the CSV reader keeps quoted newlines. Only the
rows of the selected codes (``--codes``, see ``_codes``) are checked further.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from edi_scrub.errors import ConfigError
from edi_scrub.maps._codes import CodeSelection
from edi_scrub.maps._csv import CODE, column, find_header, read_rows

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


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row not imported: its line, its code and what NDC2 held (never PHI: public data)."""

    line: int
    code: str
    value: str


@dataclass(slots=True)
class Crosswalk:
    """A whole crosswalk file: its year, usable rows by NDC, and the rows it had to skip."""

    path: Path
    year: str
    rows: int = 0
    by_ndc: dict[str, CrosswalkRow] = field(default_factory=dict)
    #: The first non-empty Short Description of each code: a new code entry's descriptor.
    descriptors: dict[str, str] = field(default_factory=dict)
    #: Every code of the file, selected or not (to tell a mistyped ``--codes`` entry).
    codes: set[str] = field(default_factory=set)
    #: Rows of codes the selection leaves out.
    other_codes_rows: int = 0
    #: Selected rows whose NDC2 holds no NDC: an alternate id (device number, ...) or nothing.
    no_ndc: list[Skipped] = field(default_factory=list)
    #: Selected rows of an NDC the file lists under two codes: every row of that NDC.
    ambiguous: list[Skipped] = field(default_factory=list)


def _ndc_forms(raw: str) -> tuple[str, str] | None:
    """``(claim NDC, label NDC)`` for an NDC2 cell; None when it holds no usable NDC.

    CMS gives NDC2 as 5-4-2 with hyphens; a hyphenated 10-digit form (4-4-2, 5-3-2, 5-4-1) says
    which segment is short, so it converts safely. Everything else is not imported: the real files
    put up to ~500 alternate ids per quarter in NDC2 (undashed 5- to 14-digit numbers, ``GG100``,
    dashed device numbers such as ``DV-115-01``), and a bare 10-digit string would be an NDC whose
    short segment is unknown, which is never guessed.
    """
    if re.fullmatch(r"[0-9]{11}", raw):
        return raw, f"{raw[:5]}-{raw[5:9]}-{raw[9:]}"
    parts = raw.split("-")
    if len(parts) == 3:
        shape = tuple(len(p) for p in parts)
        if all(p.isascii() and p.isdigit() for p in parts) and shape in _NDC_SHAPES:
            return parts[0].zfill(5) + parts[1].zfill(4) + parts[2].zfill(2), raw
    return None


def read_crosswalk(path: Path, selection: CodeSelection) -> Crosswalk:
    """The rows of the crosswalk at ``path`` whose code ``selection`` holds, by NDC.

    Rows without an NDC and NDCs listed under two selected codes are set aside (``no_ndc``,
    ``ambiguous``), never fatal. A row whose code is not a HCPCS or CPT code is a malformed
    file: :class:`ConfigError` ``"<file>:<line>: <problem>"``.
    """
    rows = read_rows(path)
    header = find_header(
        path,
        rows,
        lambda cells: any(_CODE_COLUMN.fullmatch(c) for c in cells),
        "a _YYYY_CODE column (the CMS ASP NDC-HCPCS crosswalk layout)",
    )
    code_at = column(path, header, lambda c: bool(_CODE_COLUMN.fullmatch(c)), "_YYYY_CODE")
    # The column's year is not the quarter's (January 2024 says _2023_CODE): a label only.
    year_match = _CODE_COLUMN.fullmatch(header.cell(code_at).upper())
    table = Crosswalk(path, year=year_match.group(1) if year_match else "")
    ndc_at = column(path, header, lambda c: c in _NDC_COLUMNS, "NDC2")
    short_at = column(path, header, lambda c: c == "SHORT DESCRIPTION", "Short Description")
    drug_at = column(path, header, lambda c: c == "DRUG NAME", "Drug Name")
    first: dict[str, CrosswalkRow] = {}  # every NDC's first row, to report both codes
    ambiguous: set[str] = set()
    for row in rows:
        code, raw = row.cell(code_at).upper(), row.cell(ndc_at)
        if not raw and not CODE.fullmatch(code):
            continue  # a note or footer line below the table, not a data row
        table.rows += 1
        if not CODE.fullmatch(code):
            raise ConfigError(f"{path}:{row.line}: {code!r} is not a HCPCS or CPT code")
        table.codes.add(code)
        if code not in selection:
            table.other_codes_rows += 1
            continue
        forms = _ndc_forms(raw)
        if forms is None:
            table.no_ndc.append(Skipped(row.line, code, raw))
            continue
        ndc, label = forms
        if row.cell(short_at):
            table.descriptors.setdefault(code, row.cell(short_at))
        entry = CrosswalkRow(row.line, code, ndc, label, row.cell(drug_at))
        seen = first.setdefault(ndc, entry)
        if ndc in ambiguous:
            table.ambiguous.append(Skipped(row.line, code, label))
        elif seen.code != code:
            # One package, one code: the map cannot hold both, and choosing would be a guess
            # (the real files list e.g. the same NDCs under J0881 and J0882).
            ambiguous.add(ndc)
            del table.by_ndc[ndc]
            table.ambiguous += [
                Skipped(seen.line, seen.code, label),
                Skipped(row.line, code, label),
            ]
        else:
            table.by_ndc.setdefault(ndc, entry)
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
