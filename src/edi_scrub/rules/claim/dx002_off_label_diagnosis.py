"""A drug line is billed only for a bleeding disorder the product is not indicated for.

What it checks
    Drug lines whose code lists diagnoses it is not indicated for in maps/drugs.xml
    (``not-indicated``: von Willebrand disease D68.0 for J7207 Adynovate and J7208 Jivi) where
    the line's diagnoses include one of them (or a subcode) and none of the code's indicated
    diagnoses (D66). The line's diagnoses are those its SV107 pointers select on the 837P and
    all of the claim's HI diagnoses on the 837I, which has no line pointers. Other diagnoses on
    the line (neither listed as indicated nor as not indicated) do not change the verdict.

Why it matters
    A factor VIII product billed for von Willebrand disease or acquired hemophilia when its
    label covers hemophilia A only is off-label: payers deny it as not medically necessary or
    send it to review. Often the claim is simply pointed at the wrong diagnosis, or a
    von Willebrand product (e.g. Humate-P, J7187) was meant.

Example
    ``HI*ABK:D680~ … SV1*HC:J7207*2000*UN*1000***1~`` (fires: Adynovate for von Willebrand
    disease) → ``HI*ABK:D66~`` when the patient has hemophilia A, or the product's own code.

Fix
    None: the diagnosis and the product are clinical facts. DX001 also reports the missing
    indicated diagnosis; this rule says that the one billed is a known off-label use.

References
    docs/domain.md §5 (Jivi and Adynovate are not indicated for von Willebrand disease D68.0;
    acquired hemophilia D68.311 is Obizur's indication); §3 (SV107 pointers; 837I has none).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim, Transaction
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules.claim._dx import is_indicated, is_not_indicated, line_diagnoses

# Enum members read once: on Python 3.11 every ``Enum.MEMBER`` read costs a metaclass
# lookup (~150 ns), and these are read for every claim or line.
_PROFESSIONAL = Transaction.PROFESSIONAL


@register(
    "DX002", "off-label-diagnosis", Severity.WARNING, Applicability.NONE, needs=Needs.DRUG_LINES
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report drug lines billed for a listed not-indicated diagnosis and no indicated one."""
    professional = claim.transaction is _PROFESSIONAL
    for line, code in ctx.drug_lines(claim):
        if not code.not_indicated_dx:
            continue
        diagnoses = line_diagnoses(ctx, claim, line)
        off = [d for d in diagnoses if is_not_indicated(code, d.code)]
        if not off or any(is_indicated(code, d.code) for d in diagnoses):
            continue
        product = code.product or code.code
        # The map's codes, not the claim's: the report repeats none of the patient's diagnoses.
        listed = ", ".join(code.not_indicated_dx)
        where = "the line's diagnoses (SV107)" if professional else "the claim's diagnoses (HI)"
        wanted = ", ".join(code.indicated_dx) or "none listed"
        yield make_finding(
            meta,
            claim,
            line,
            off[0].loc,
            f"{line.code.value} line: {where} include a diagnosis {product} is not indicated "
            f"for ({listed}) and no indicated one ({wanted})",
        )
