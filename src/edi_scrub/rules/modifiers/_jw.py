"""Helpers the JW/JZ rules share: which lines bill the same drug on the same day.

A JW line bills the discarded part of what an administered line's drug came from, so the two
must be recognised as one drug and one date however the provider wrote them: a hyphenated or
10-digit NDC, the inner vial's NDC instead of the kit's, an RD8 span of one day instead of a D8
date, no line date at all. Matching is three-valued: *same*, *different*, or *maybe* (the data
cannot tell). A fix that would add a JW line treats *maybe* as *same*: a second JW line for one
drug and date is a duplicate a payer recoups, a missed split is only a suggestion.
"""

from __future__ import annotations

from datetime import date
from enum import Enum

from edi_scrub.model.claim import Claim, ServiceLine
from edi_scrub.model.ndc import NdcShape, candidates, read_ndc
from edi_scrub.rules._base import RuleContext


class Match(Enum):
    """Whether two lines bill the same drug on the same day."""

    SAME = "same"
    MAYBE = "maybe"
    DIFFERENT = "different"


# Enum members read once: on Python 3.11 every ``Enum.MEMBER`` read costs a metaclass
# lookup (~150 ns), and these are read for every claim or line.
_DIFFERENT = Match.DIFFERENT
_MAYBE = Match.MAYBE
_SAME = Match.SAME


def ndc_forms(ctx: RuleContext, line: ServiceLine) -> frozenset[str]:
    """Every 11-digit NDC the line's LIN03 may stand for, inner vials read as their kit.

    Empty when the line has no NDC or one that cannot be read.
    """
    if line.drug is None or not line.drug.ndc.value:
        return frozenset()
    raw = line.drug.ndc.value
    reading = read_ndc(raw)
    if reading.normalized is not None:
        forms = {reading.normalized}
    elif reading.shape is NdcShape.BARE_TEN:
        forms = set(candidates(raw))
    else:
        return frozenset()
    for ndc in tuple(forms):
        pkg = ctx.catalog.package(ndc)
        if pkg is not None and pkg.outer_kit is not None:
            forms.add(pkg.outer_kit)
    return frozenset(forms)


def claim_span(claim: Claim) -> tuple[date, date] | None:
    """The date a line without DTP*472 is taken to have.

    The 837I statement period's start (already each undated line's fallback), else the one date
    span every dated line of the claim shares; ``None`` when the claim's lines disagree.
    """
    spans = {span for line in claim.lines if (span := line.service_span) is not None}
    return spans.pop() if len(spans) == 1 else None


def line_span(claim: Claim, line: ServiceLine) -> tuple[date, date] | None:
    """The dates :func:`match` compares for ``line``; ``None`` when the data cannot tell."""
    span = line.service_span or claim_span(claim)
    # An RD8 that ends before it starts tells no date: compared as dates it would not even
    # overlap itself, and a line and the JW copy of it would read as different days.
    return None if span is not None and span[1] < span[0] else span


def match(ctx: RuleContext, claim: Claim, a: ServiceLine, b: ServiceLine) -> Match:
    """Whether ``a`` and ``b`` bill the same code, drug and date of service."""
    if a.code.value != b.code.value:
        return _DIFFERENT
    ndcs_a, ndcs_b = ndc_forms(ctx, a), ndc_forms(ctx, b)
    span_a, span_b = line_span(claim, a), line_span(claim, b)
    if (ndcs_a and ndcs_b and not ndcs_a & ndcs_b) or (
        span_a and span_b and (span_a[1] < span_b[0] or span_b[1] < span_a[0])
    ):
        return _DIFFERENT
    if _certain(a) and _certain(b) and ndcs_a & ndcs_b and span_a is not None and span_a == span_b:
        return _SAME
    return _MAYBE


def _certain(line: ServiceLine) -> bool:
    # An NDC read one way only (11 digits, or a label layout with hyphens). A bare 10-digit NDC
    # has three readings, so a line carrying one is at most a MAYBE.
    return line.drug is not None and read_ndc(line.drug.ndc.value).normalized is not None


def jw_siblings(
    ctx: RuleContext, claim: Claim, line: ServiceLine
) -> tuple[tuple[ServiceLine, ...], tuple[ServiceLine, ...]]:
    """The claim's other JW lines for ``line``'s drug and date: (certainly, possibly) the same."""
    # Five rules ask this of each drug line, each pass comparing it with every JW line.
    return ctx.facts(claim).derived("jw_siblings", line, lambda: _jw_siblings(ctx, claim, line))


def _jw_siblings(
    ctx: RuleContext, claim: Claim, line: ServiceLine
) -> tuple[tuple[ServiceLine, ...], tuple[ServiceLine, ...]]:
    same: list[ServiceLine] = []
    maybe: list[ServiceLine] = []
    facts = ctx.facts(claim)
    # The claim's JW lines, listed once: scanning every line for each drug line made a claim
    # of n lines cost n * n modifier look-ups.
    jw_lines = facts.derived(
        "jw_lines",
        claim,
        lambda: tuple([other for other in claim.lines if "JW" in facts.modifiers(other)]),
    )
    for other in jw_lines:
        if other is line:
            continue
        verdict = match(ctx, claim, line, other)
        if verdict is _SAME:
            same.append(other)
        elif verdict is _MAYBE:
            maybe.append(other)
    return tuple(same), tuple(maybe)


def has_jw_sibling(ctx: RuleContext, claim: Claim, line: ServiceLine) -> bool:
    """Whether another line of the claim bills (or may bill) JW for the same drug and date."""
    same, maybe = jw_siblings(ctx, claim, line)
    return bool(same or maybe)
