"""ICD-10-CM code sets by date of service, read from the ``simple-icd-10-cm`` package.

The package ships one CDC release (its code list and tabular XML) and updates it yearly. Only its
code list is read here: every chapter, block, category and subcategory of the release, one per
line. A code is billable when it is a leaf, i.e. no longer code of the release starts with it
(this is exactly the package's own ``is_leaf``; tests/rules/test_icd10.py checks it). Importing
the package itself would parse the 10 MB tabular XML (about 2 s), so it is located without being
imported, and the list is loaded once per process, on the first claim that needs it. Parsing it
takes ~0.14 s, so the parsed release is kept in the user cache (``edi_scrub._cache``, keyed by
the list's name, size and mtime) and later processes load it in ~10 ms.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import TypeGuard

from edi_scrub import _cache
from edi_scrub.errors import ConfigError
from edi_scrub.rules.claim._codeset import CodeSet

#: ICD-10-CM replaced ICD-9-CM for dates of service from this day on (HIPAA 45 CFR 162.1002).
ICD10_START = date(2015, 10, 1)

_MONTH_NAMES = (
    "January February March April May June July August September October November December"
)
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES.split(), 1)}
_RELEASE_FILE = re.compile(r"code-list-([A-Za-z]+)-(\d{4})\.txt")


@dataclass(frozen=True, slots=True)
class Release:
    """One ICD-10-CM release: its name, the fiscal year it belongs to, and its codes."""

    name: str
    #: First and last day of the federal fiscal year the release is for (Oct 1 - Sep 30).
    starts: date
    ends: date
    #: Codes with no code below them (what may be billed) and codes with codes below them.
    billable: CodeSet
    categories: CodeSet

    def covers(self, day: date) -> bool:
        """Whether ``day`` falls in the release's fiscal year."""
        return self.starts <= day <= self.ends

    def knows(self, code: str) -> bool:
        """Whether ``code`` (no dot) is a code of the release, billable or not."""
        return code in self.billable or code in self.categories


def fiscal_year(day: date) -> int:
    """The federal fiscal year of ``day`` (FY2026 = 2025-10-01 .. 2026-09-30)."""
    return day.year + 1 if day.month >= 10 else day.year


def _data_dir() -> Path:
    spec = importlib.util.find_spec("simple_icd_10_cm")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("ICD-10-CM data: the simple-icd-10-cm package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def parse_release(path: Path) -> Release:
    """A release from a code list named ``code-list-<Month>-<YYYY>.txt`` (one code per line)."""
    match = _RELEASE_FILE.fullmatch(path.name)
    if match is None or match.group(1) not in _MONTHS:
        raise ConfigError(f"{path}: not an ICD-10-CM code list (code-list-<Month>-<YYYY>.txt)")
    month, year = _MONTHS[match.group(1)], int(match.group(2))
    fy = year + 1 if month >= 10 else year
    codes: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        code = line.split(" ", 1)[0].strip().replace(".", "").upper()
        # Chapters are numbers and blocks are ranges ("A00-A09"): neither is a code to bill.
        if code and "-" not in code and not code.isdigit():
            codes.add(code)
    # In sorted order every code is followed by its descendants, so a code is a category
    # exactly when the next code extends it.
    ordered = sorted(codes)
    categories = {a for a, b in pairwise(ordered) if b.startswith(a)}
    return Release(
        f"{match.group(1)} {year}",
        date(fy - 1, 10, 1),
        date(fy, 9, 30),
        CodeSet(codes - categories),
        CodeSet(categories),
    )


#: Bump when what :func:`_cached_release` stores changes: older cache files are then not read.
_CACHE_FORMAT = 2


def _cached_release(path: Path) -> Release:
    """:func:`parse_release`, through the user cache (same answer, a file read instead)."""
    st = path.stat()
    name = f"icd10cm-{_CACHE_FORMAT}-{path.name}-{st.st_size:x}-{int(st.st_mtime):x}"
    stored = _cache.load(name)
    if isinstance(stored, tuple) and len(stored) == 5:
        label, starts, ends, billable, categories = stored
        if (
            isinstance(label, str)
            and isinstance(starts, int)
            and isinstance(ends, int)
            and _groups(billable)
            and _groups(categories)
        ):
            return Release(
                label,
                date.fromordinal(starts),
                date.fromordinal(ends),
                CodeSet.from_groups(billable),
                CodeSet.from_groups(categories),
            )
    release = parse_release(path)
    _cache.store(
        name,
        (
            release.name,
            release.starts.toordinal(),
            release.ends.toordinal(),
            release.billable.groups,
            release.categories.groups,
        ),
    )
    return release


def _groups(value: object) -> TypeGuard[dict[str, str]]:
    """Whether ``value`` (read back from the cache) has the shape of :attr:`CodeSet.groups`."""
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) and v.startswith("|") and v.endswith("|")
        for k, v in value.items()
    )


@cache
def bundled_release() -> Release:
    """The newest release the installed package ships (loaded once per process)."""
    lists = sorted(_data_dir().glob("code-list-*.txt"))
    if not lists:
        raise ConfigError(f"ICD-10-CM data: no code list in {_data_dir()}")
    releases = [_cached_release(p) for p in lists]
    return max(releases, key=lambda r: r.starts)
