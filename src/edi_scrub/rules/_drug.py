"""Look-ups the code, NDC and unit rules share: a line's NDC, its package, code validity."""

from __future__ import annotations

from datetime import date

from edi_scrub.maps.drugs import DrugCode, NdcPackage
from edi_scrub.model.claim import Claim, ServiceLine
from edi_scrub.rules._base import RuleContext
from edi_scrub.rules._facts import line_ndc


def line_package(ctx: RuleContext, line: ServiceLine) -> NdcPackage | None:
    """The map's package for the line's NDC, if the map lists it."""
    ndc = line_ndc(line)
    return None if ndc is None else ctx.catalog.package(ndc)


def potency_range(ctx: RuleContext, pkg: NdcPackage) -> tuple[int, int] | None:
    """The actual IU per vial the map gives for ``pkg``, or for the kit an inner NDC sits in.

    The range printed for a kit is per vial of that kit, so it holds for its inner vial too; using
    it keeps NDC005's vial-to-kit fix from changing what the unit rules say.
    """
    outer = ctx.catalog.package(pkg.outer_kit) if pkg.outer_kit is not None else None
    for candidate in (pkg, outer):
        if candidate is None:
            continue
        low, high = candidate.potency_min, candidate.potency_max
        if low is not None and high is not None:
            return low, high
    return None


def valid_on(code: DrugCode, day: date) -> bool | None:
    """Whether ``code`` may be billed for ``day``: True, False, or None when the map cannot say.

    A year-only start (``effective-not-before-year``) proves only that earlier dates are invalid;
    a date inside that year stays unknown. No termination date is read as "still in force".
    """
    if code.terminated is not None and day > code.terminated:
        return False
    start = code.not_valid_before()
    if start is not None and day < start:
        return False
    if code.effective is not None:
        return True
    if code.effective_not_before_year is not None and day.year > code.effective_not_before_year:
        return True
    return None


def same_drug(claim: Claim, line: ServiceLine) -> tuple[ServiceLine, ...]:
    """The claim's lines billing the same code, NDC and date as ``line`` (itself included).

    Together they bill what was dispensed for one administration: the administered line and its
    JW line, or a dose split over lines. Rules ask ``ctx.facts(claim).same_drug(line)``, the
    same answer grouped once per claim; this scan is its reference.
    """
    ndc = line_ndc(line)
    return tuple(
        other
        for other in claim.lines
        if other.code.value == line.code.value
        and line_ndc(other) == ndc
        and other.date_of_service == line.date_of_service
    )
