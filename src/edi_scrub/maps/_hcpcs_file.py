"""The CMS HCPCS Level II alpha-numeric file (fixed width), read into code and modifier dates.

Layout (CMS record layout, the same positions from 2019 to 2026; 1-based, inclusive):

====  =========  =====================================================================
1-5   code       procedure code (``J7208``), or 3 blanks and a 2-character modifier
6-10  sequence   groups a code's records
11    record id  3 = procedure, 4 = its continuation line; 7 = modifier, 8 = continuation
12-91            long description (continued on the 4/8 records)
92-119           short description
269-276          HCPCS Code Added Date, YYYYMMDD
277-284          Action Effective Date
285-292          Termination Date (blank while the code is active)
293              Action Code (A add, D discontinue, N no maintenance, ...)
====  =========  =====================================================================

Real files are CRLF and Windows-1252, 320 characters per 3/7 record; some start with disclaimer
lines (the 2020 file has 9), later ones with the first record; continuation records are padded
to 320 or not (91 characters in 2020). So: lines before the first record are a preamble, every
non-blank line after it must be a record, and only a first (3/7) record must reach position 293.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from edi_scrub.errors import ConfigError
from edi_scrub.maps._csv import decode
from edi_scrub.maps.hcpcs import EntryKind, HcpcsEntry

# Positions 1-11 of any record: a code or "   " + modifier, five digits, a known record id.
_RECORD = re.compile(r"(?P<id>[A-Z][0-9]{4}| {3}[A-Z0-9]{2})(?P<seq>[0-9]{5})(?P<ric>[3478])")
# What a record starts with, however broken the rest: above the first record such a line is a
# damaged record, not disclaimer text (which is prose: "Note regarding coverage ...").
_LOOKS_LIKE_RECORD = re.compile(r"[A-Z][0-9]{4}[0-9 ]| {3}[A-Z0-9]{2}[0-9]")
_FIRST = {"3": EntryKind.PROCEDURE, "7": EntryKind.MODIFIER}
_NEEDED = 293  # a first record reaches the action code
_ACTION = re.compile(r"[A-Z ]")


@dataclass(slots=True)
class HcpcsFile:
    """The file's entries by (kind, id), and how many first records were read."""

    path: Path
    entries: dict[tuple[EntryKind, str], HcpcsEntry]
    records: int


def _date(where: str, what: str, text: str) -> date | None:
    if not text.strip():
        return None
    try:
        if not text.isdigit():
            raise ValueError(text)
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise ConfigError(f"{where}: {what} {text.strip()!r} is not a YYYYMMDD date") from None


def _entry(where: str, kind: EntryKind, code: str, line: str, source: str) -> HcpcsEntry:
    if len(line) < _NEEDED:
        raise ConfigError(
            f"{where}: {code}: record is {len(line)} characters; a first record (id 3 or 7) "
            f"needs {_NEEDED} (dates at 269-292, action code at 293)"
        )
    added = _date(where, f"{code}: date added (269-276)", line[268:276])
    effective = _date(where, f"{code}: action effective date (277-284)", line[276:284])
    terminated = _date(where, f"{code}: termination date (285-292)", line[284:292])
    action = line[292]
    if not _ACTION.fullmatch(action):
        raise ConfigError(f"{where}: {code}: action code {action!r} (293) is not a letter")
    if added is not None and terminated is not None and terminated < added:
        raise ConfigError(
            f"{where}: {code}: terminated {terminated} is before it was added {added}"
        )
    description = " ".join(line[91:119].split())
    return HcpcsEntry(
        id=code,
        kind=kind,
        added=added,
        action_effective=effective,
        action=action.strip() or None,
        terminated=terminated,
        description=description or None,
        source=source,
    )


def read_hcpcs_file(path: Path, source: str) -> HcpcsFile:
    """Every code and modifier of the CMS file at ``path``; :class:`ConfigError` when malformed.

    ``source`` is stored on each entry. Every line is checked before anything is returned.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    table = HcpcsFile(path, {}, 0)
    lines_of: dict[tuple[EntryKind, str], int] = {}
    current: tuple[str, str] | None = None  # (positions 1-5, kind letter) of the open record
    for number, raw in enumerate(decode(data).split("\n"), 1):
        line = raw.rstrip("\r")
        where = f"{path}:{number}"
        match = _RECORD.match(line)
        if match is None:
            if not line.strip():
                continue
            if not table.records and not _LOOKS_LIKE_RECORD.match(line):
                continue  # disclaimer lines above the first record
            raise ConfigError(
                f"{where}: not a HCPCS record (positions 1-11: code, 5-digit sequence number, "
                "record id 3, 4, 7 or 8)"
            )
        ident, ric = match.group("id"), match.group("ric")
        code = ident.strip()
        if ric in _FIRST:
            kind = _FIRST[ric]
            if (kind is EntryKind.PROCEDURE) != (not ident.startswith(" ")):
                raise ConfigError(
                    f"{where}: record id {ric} does not fit {ident!r} (3 is a procedure code, "
                    "7 a modifier after three blanks)"
                )
            key = (kind, code)
            if key in table.entries:
                raise ConfigError(f"{where}: {code} is listed again (line {lines_of[key]})")
            table.entries[key] = _entry(where, kind, code, line, source)
            lines_of[key] = number
            table.records += 1
            current = (ident, "3" if kind is EntryKind.PROCEDURE else "7")
        elif current is None or current != (ident, "3" if ric == "4" else "7"):
            raise ConfigError(
                f"{where}: continuation record {ric} of {code!r} does not follow its first record"
            )
    if not table.records:
        raise ConfigError(
            f"{path}:1: no HCPCS records found (the CMS HCPCS Level II alpha-numeric layout)"
        )
    return table
