"""The HCPCS code was not in effect on the line's date of service.

What it checks
    Every service line's HCPCS code (qualifier HC), drug or not, against the dates the maps know,
    with the line's date of service (DTP*472; on an 837I without one, the start of the claim's
    statement period, DTP*434) as "today":

    - when the user maps hold the code's CMS dates (``hcpcs.xml``, written by ``edi-scrub maps
      import-hcpcs`` from the CMS HCPCS Level II file), a date before the code was added or
      after its termination date fires; these dates win over the drug map's, being CMS's own
      (a date they do not decide, as for an entry without an added date, falls to the drug map);
    - otherwise, for drug lines, the dates of maps/drugs.xml: J7207 before 2017-01-01, J7208
      before 2019. When the drug map knows only the year a code started, only dates before that
      year fire (the code may have started in a later quarter, so a date inside the year is not
      judged).

    A code the maps have no dates for is not judged (the annual HCPCS file lags the quarterly
    additions, and CPT codes are not in it). Lines without any date are left to DOS001.

Why it matters
    A code billed outside its validity period is rejected as invalid for the date of service
    before any coverage decision. Before a product's own code existed it was billed on a
    temporary C code or the unlisted J7199.

Example
    ``SV1*HC:J7207*2000*UN*1000***1~ DTP*472*D8*20161215~`` (fires: J7207 starts 2017-01-01;
    Adynovate was C9137 then). With the 2020 HCPCS file imported, ``SV1*HC:J7208...`` dated
    2019-06-15 fires too: J7208 was added 2019-07-01.

Fix
    None: the right code for an earlier date (a C code, J7199, or a predecessor the map names)
    depends on the payer and the period, and a wrong date of service is as likely as a wrong code.

References
    docs/domain.md §1 (the codes and their start dates); CMS HCPCS Level II alpha-numeric file
    (HCPCS Code Added Date, Termination Date); CMS HCPCS quarterly update files.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from edi_scrub.maps.drugs import DrugCatalog, DrugCode
from edi_scrub.maps.hcpcs import HcpcsEntry
from edi_scrub.model.claim import Claim, ServiceLine
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._drug import valid_on


def _by_hcpcs_file(entry: HcpcsEntry, day: date) -> str:
    """Why ``day`` is outside the CMS dates of ``entry`` (``entry.valid_on(day)`` is False)."""
    if entry.terminated is not None and day > entry.terminated:
        return f"was terminated after {entry.terminated.isoformat()} (per {entry.source})"
    added = entry.added.isoformat() if entry.added is not None else "later"
    return f"was added {added} (per {entry.source})"


def _by_drug_map(code: DrugCode, day: date) -> str | None:
    """Why ``day`` is outside the drug map's dates of ``code``; None when inside or unknown."""
    if valid_on(code, day) is not False:
        return None
    if code.terminated is not None and day > code.terminated:
        return f"was terminated after {code.terminated.isoformat()}"
    if code.effective is not None:
        why = f"took effect {code.effective.isoformat()}"
    else:
        why = f"took effect during {code.effective_not_before_year}"
    if code.replaces is not None:
        why += f" (it replaced {code.replaces})"
    return why


def _day(claim: Claim, line: ServiceLine) -> date | None:
    return line.date_of_service or claim.statement_date


@register("HCP002", "code-not-valid-on-date", Severity.ERROR)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report lines whose HCPCS code is dated outside its validity period."""
    for line in claim.lines:
        hcpcs = line.code.value
        if not hcpcs or line.qualifier.value not in ("HC", ""):
            continue
        day = _day(claim, line)
        if day is None:
            continue
        why = why_invalid(ctx.catalog, hcpcs, day)
        if why is None:
            continue
        yield make_finding(
            meta, claim, line, line.code, f"{hcpcs} {why}; the date of service is {day.isoformat()}"
        )


def why_invalid(catalog: DrugCatalog, hcpcs: str, day: date) -> str | None:
    """Why the maps say ``hcpcs`` may not be billed for ``day``; None when it may or they cannot
    tell. Memoised: a pure function of the catalog, the code and the day, and a file bills few
    codes on a few hundred days, line after line."""
    last = _LAST[0]
    if last[0] is not catalog:
        last = _LAST[0] = (catalog, {})
    known = last[1]
    key = (hcpcs, day)
    try:
        return known[key]
    except KeyError:
        pass
    if len(known) >= _KEPT:
        known.clear()  # bounded: a file of all-different days costs churn, never memory
    why = known[key] = _why_invalid(catalog, hcpcs, day)
    return why


def _why_invalid(catalog: DrugCatalog, hcpcs: str, day: date) -> str | None:
    """:func:`why_invalid` unmemoised (the reference the tests hold it to)."""
    entry = catalog.dates(hcpcs)
    verdict = entry.valid_on(day) if entry is not None else None
    if entry is not None and verdict is False:
        return _by_hcpcs_file(entry, day)
    if verdict is None and (drug := catalog.code(hcpcs)) is not None:
        # The CMS file says nothing about this day (or the code): the drug map may.
        return _by_drug_map(drug, day)
    return None


#: The catalog of the last :func:`why_invalid` call and its answers (the catalog is held, so
#: its id cannot be reused; one tuple, replaced whole, so no answer is filed under another map).
_LAST: list[tuple[DrugCatalog | None, dict[tuple[str, date], str | None]]] = [(None, {})]
_KEPT = 65536
