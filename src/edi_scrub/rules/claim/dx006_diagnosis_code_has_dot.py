"""A diagnosis code in HI is written with its decimal point.

What it checks
    Every diagnosis code in the claim's HI segments (ICD-10-CM and ICD-9-CM qualifiers): the
    code must be sent without the dot that code books print after the third character. One
    finding per HI segment, listing its dotted codes.

Why it matters
    The 837 implementation guides say the decimal point is implied and must not be sent; many
    payers reject a code with a dot as invalid, and DX004 (and the payer) cannot look it up.

Example
    ``HI*ABK:D68.311*ABF:Z79.2~`` (fires) → ``HI*ABK:D68311*ABF:Z792~``.

Fix
    Safe: the dots are removed and nothing else changes; the code itself is the same code.
    The message names the codes by position; the fix's before/after show them as written.

References
    005010X222A1 / X223A2 HI01-2 ("Do not transmit the decimal point for ICD codes. The decimal
    point is implied"); docs/domain.md §3 (HI).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby

from edi_scrub.fixes.edits import Applicability, Fix, Reach, SetElement
from edi_scrub.model.claim import Claim
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding


@register("DX006", "diagnosis-code-has-dot", Severity.ERROR, Applicability.SAFE)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report HI segments with dotted diagnosis codes and remove the dots."""
    dotted = [d for d in claim.diagnoses if "." in d.code]
    for _, group in groupby(dotted, key=lambda d: d.loc.pos):
        codes = list(group)
        edits = tuple(
            SetElement(d.loc.pos, d.loc.ref, d.code, d.code.replace(".", "")) for d in codes
        )
        before = ", ".join(d.code for d in codes)
        after = ", ".join(e.new for e in edits)
        fix = Fix(
            Applicability.SAFE, "remove the decimal point", before, after, edits, Reach.FORMAT
        )
        yield make_finding(
            meta,
            claim,
            None,
            codes[0].loc,
            f"{len(codes)} diagnosis code(s) of this HI ({', '.join(d.loc.ref for d in codes)}) "
            "are sent with a decimal point, which must be left out",
            fix,
        )
