"""The NDC qualifier LIN02 is not N4.

What it checks
    On drug lines with a loop 2410 LIN segment, LIN02 must be ``N4`` (National Drug Code in
    5-4-2 format), the only product qualifier the 5010 837P and 837I allow there. Empty,
    lower-case and other qualifiers (UPC ``UP``, ``EN``, 4010 leftovers) are reported.

Why it matters
    Without N4 the payer cannot read LIN03 as an NDC: the line is rejected at the front end or
    denied as having no valid NDC (CARC 16 + RARC M119).

Example
    ``LIN**UP*00944462401~`` (fires) → ``LIN**N4*00944462401~``.

Fix
    Safe when LIN03 is already a valid 11-digit NDC: set LIN02 to N4. Otherwise none: a
    hyphenated or 10-digit value needs NDC003's attention first, and anything else may not be an
    NDC at all.

References
    docs/domain.md §2 (NDCs), §3 (loop 2410: ``LIN**N4*<11-digit NDC>``); 005010X222A1 / X223A2
    loop 2410 LIN02.
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability, Fix, Reach, SetElement
from edi_scrub.model.claim import Claim
from edi_scrub.model.ndc import NdcShape, read_ndc
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding


@register(
    "NDC002", "ndc-qualifier-not-n4", Severity.ERROR, Applicability.SAFE, needs=Needs.DRUG_LINES
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report LIN02 values other than N4, setting N4 when LIN03 is a clean NDC."""
    for line, _ in ctx.drug_lines(claim):
        drug = line.drug
        if drug is None or drug.qualifier.value == "N4":
            continue
        qualifier = drug.qualifier
        fix: Fix | None = None
        if read_ndc(drug.ndc.value).shape is NdcShape.CLAIM_FORM:
            edit = SetElement(qualifier.loc.pos, qualifier.loc.ref, qualifier.value, "N4")
            fix = Fix(
                Applicability.SAFE,
                "qualify the NDC with N4",
                qualifier.value,
                "N4",
                (edit,),
                Reach.FORMAT,
            )
        shown = repr(qualifier.value) if qualifier.value else "empty"
        yield make_finding(
            meta,
            claim,
            line,
            qualifier,
            f"LIN02 is {shown}, not N4, for LIN03 {drug.ndc.value!r}",
            fix,
        )
