"""A fix that added or removed a line renumbered the service lines after it.

What it checks
    Lines of a fixed claim whose LX01 differs from what the provider submitted because a fix
    inserted a line before them (a JW split) or removed one (an unsafe JW-line removal). One
    finding per renumbered line, with the number as submitted (``before``) and as written
    (``after``). Renumbering an input's own out-of-sequence numbers is LX001's finding instead.

Why it matters
    Payers echo LX01 in their 835 line adjudication and billing systems match payments to lines
    by it. A billing team reconciling the remittance must know that the line it sent as 2 went
    out as 3.

Example
    ``LX*1~ SV1*HC:J7207*…~ … LX*2~ SV1*HC:99211*…~``, where line 1 is split (MOD004) → the
    JW line is ``LX*2`` and the second line becomes ``LX*3`` (fires once: before 2, after 3).

Fix
    Informational: the renumbering is part of the fix that added or removed the line; it is
    reported as applied with its before and after.

References
    005010X222A1 / X223A2 loop 2400 LX01; docs/fixes.md (report = output).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability, Fix, Reach
from edi_scrub.model.claim import Claim
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding


@register("LX002", "line-renumbered", Severity.INFO, Applicability.SAFE)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report lines whose LX01 a fix changed (only while fixing: there is a submitted claim)."""
    submitted = ctx.submitted
    if submitted is None or submitted is claim:
        return
    wanted = [str(n) for n in range(1, len(submitted.lines) + 1)]
    if [line.lx.value for line in submitted.lines] != wanted:
        return  # the input's own numbering was off: LX001 reports the renumbering
    for line in claim.lines:
        before = ctx.as_submitted(line)
        if before is None or before.lx.value == line.lx.value:
            continue
        yield make_finding(
            meta,
            claim,
            line,
            before.lx,
            f"line {before.lx.value} is written as line {line.lx.value}: a fix added or removed "
            "a line before it",
            # No edits: the change is already made by the fix that moved the line.
            Fix(Applicability.SAFE, "renumbered", before.lx.value, line.lx.value, (), Reach.FORMAT),
        )
