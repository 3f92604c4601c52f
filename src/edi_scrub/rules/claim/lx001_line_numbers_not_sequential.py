"""The claim's service line numbers (LX01) do not run 1, 2, 3, … in order.

What it checks
    Loop 2400's LX01 within each claim must count the lines from 1 without gaps or repeats
    (``LX*1``, ``LX*2``, …). A claim with ``LX*1`` then ``LX*7`` fires.

Why it matters
    The TR3 defines LX01 as the line's sequence number within the claim; payers echo it in their
    835 line adjudication (and pyx12 reports the mismatch), so a gap or repeat makes lines
    impossible to match to their payments.

Example
    ``LX*1~ SV1*…~ LX*7~ SV1*…~`` (fires) → ``LX*1~ SV1*…~ LX*2~ SV1*…~``.

Fix
    Safe (formatting): renumber the lines 1..n in file order. Nothing else changes; the finding's
    before/after list the numbers as they were and as they are written.

References
    005010X222A1 / X223A2 loop 2400 LX01 (assigned number, sequential within the claim);
    docs/fixes.md.
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability, Fix, Reach, SetElement
from edi_scrub.model.claim import Claim
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding


@register("LX001", "line-numbers-not-sequential", Severity.ERROR, Applicability.SAFE)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report a claim whose LX01 values are not 1..n; renumber them."""
    numbers = [line.lx.value for line in claim.lines]
    wanted = [str(n) for n in range(1, len(numbers) + 1)]
    if numbers == wanted:
        return
    edits = tuple(
        SetElement(line.lx.loc.pos, "LX01", line.lx.value, new)
        for line, new in zip(claim.lines, wanted, strict=True)
        if line.lx.value != new
    )
    first = next(
        line for line, new in zip(claim.lines, wanted, strict=True) if line.lx.value != new
    )
    fix = Fix(
        Applicability.SAFE,
        "renumber the service lines 1..n",
        ",".join(numbers),
        ",".join(wanted),
        edits,
        Reach.FORMAT,
    )
    yield make_finding(
        meta,
        claim,
        first,
        first.lx,
        f"service line numbers run {','.join(numbers)}; the TR3 wants {','.join(wanted)}",
        fix,
    )
