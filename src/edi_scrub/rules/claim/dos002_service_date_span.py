"""A clotting-factor line carries a date span (RD8) for a payer that wants a single date.

What it checks
    Drug lines whose date of service (DTP*472) uses qualifier RD8 (a from-to span) when the
    payer profile says ``single_date_lines``. A span whose two dates are the same is reported
    too: the payer wants the D8 form.

Why it matters
    A clotting-factor line bills what was given on one day: its MUE, quantity limits, JW/JZ
    rules and code validity all depend on that date. Payers that want one date per drug line
    reject a span or cannot apply their per-day edits to it.

Example
    ``DTP*472*RD8*20240115-20240120~`` on a J7207 line (fires) → one line per date of
    administration, each with ``DTP*472*D8*CCYYMMDD~``.

Fix
    None: splitting a span into dated lines needs the administration record (which day, how
    many IU). A same-day span could be rewritten as D8, but the catalogue offers no fix.

References
    docs/domain.md §3 (837P/837I loop 2400 ``DTP*472*D8`` or RD8 span); payer profile
    ``single_date_lines``.
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding


@register(
    "DOS002", "service-date-span", Severity.WARNING, Applicability.NONE, needs=Needs.DRUG_LINES
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report drug lines dated with an RD8 span when the payer wants single dates."""
    policy = ctx.facts(claim).policy
    if not policy.single_date_lines:
        return
    for line, _ in ctx.drug_lines(claim):
        span = line.service_date
        if span is None or span.qualifier != "RD8":
            continue
        same = span.start is not None and span.start == span.end
        what = "a one-day span" if same else "a span"
        yield make_finding(
            meta,
            claim,
            line,
            span.loc,
            f"{line.code.value} line is dated with {what} (DTP*472 RD8); {policy.name} wants "
            "a single date of service (D8) on clotting-factor lines",
        )
