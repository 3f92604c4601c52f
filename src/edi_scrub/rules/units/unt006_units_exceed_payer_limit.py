"""The billed units exceed a quantity limit of the payer's policy.

What it checks
    Lines whose HCPCS code has quantity limits in the payer profile (``quantity_limits``). Each
    limit counts over its period: ``line`` (one line's units, SV104 / SV205), ``day`` (all the
    claim's lines of the code on one date of service) or ``rolling`` (the ``days``-long window
    ending on each date of service the claim bills the code on). Day and rolling periods add
    what earlier claims of the same file billed for the same patient and code in the period;
    later claims are not known yet, and claims outside the file never are. JW lines count.
    A line without a date is counted on its own; lines whose units are not a positive number
    are skipped (UNT002 reports them).

Why it matters
    Payers with prior-authorisation programs cap the units per period (e.g. one 2024 policy:
    Jivi 41,400 IU per 30 days); claims over the cap are denied or pended for review.

Example
    Limit J7208 41400 units per 30 days: an earlier claim of the file billed 30000 units on
    2024-01-02 and this claim bills 12000 on 2024-01-20 (fires: 42000 in the window).

Fix
    None: whether the units are right, or the authorisation covers more, is for a person to
    check against the authorisation and the dispensing record.

References
    docs/domain.md §5 (payer quantity limits in prior-auth programs); payer profile
    ``quantity_limits`` (the finding cites a limit's ``source`` when the profile gives one).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim
from edi_scrub.policy import LimitPeriod, QuantityLimit
from edi_scrub.rules import register
from edi_scrub.rules._base import (
    Finding,
    RuleContext,
    RuleMeta,
    Severity,
    line_number,
    make_finding,
)
from edi_scrub.rules.units._usage import Usage, per_line, per_window


def _usages(claim: Claim, ctx: RuleContext, limit: QuantityLimit) -> Iterator[Usage]:
    if limit.period is LimitPeriod.LINE:
        return per_line(claim, limit.code)
    days = limit.days if limit.period is LimitPeriod.ROLLING else 1
    return per_window(claim, ctx, limit.code, max(days, 1))


def _periods(limit: QuantityLimit, usage: Usage) -> tuple[str, str]:
    """How the usage and the limit name the period (no dates: line numbers only)."""
    if limit.period is LimitPeriod.LINE:
        return " on one line", "per line"
    if limit.period is LimitPeriod.DAY:
        return " on one date of service", "per date of service"
    anchor = line_number(usage.anchor) or "?"
    return (
        f" in the {limit.days} days ending on line {anchor}'s date of service",
        f"per {limit.days} days",
    )


@register("UNT006", "units-exceed-payer-limit", Severity.WARNING, Applicability.NONE)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report units above the payer's quantity limits (per line, day or rolling period)."""
    policy = ctx.facts(claim).policy
    for code in sorted({line.code.value for line in claim.lines}):
        for limit in policy.limits_for(code):
            for usage in _usages(claim, ctx, limit):
                if usage.total <= limit.units:
                    continue
                period, per = _periods(limit, usage)
                source = f" ({limit.source})" if limit.source else ""
                line = usage.anchor
                yield make_finding(
                    meta,
                    claim,
                    line,
                    line.units,
                    f"{usage.describe(code, period)}; {policy.name} limits {code} to "
                    f"{limit.units} units {per}{source}",
                )
