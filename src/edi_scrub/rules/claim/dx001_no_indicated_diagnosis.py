"""A drug line is not tied to a diagnosis the product is indicated for.

What it checks
    Drug lines whose code has indicated diagnoses in maps/drugs.xml (J7207 and J7208: hemophilia
    A, D66). On the 837P the diagnoses the line's SV107 pointers select must include one of them;
    on the 837I, which has no line pointers, any diagnosis of the claim's HI segments will do.
    A listed code also covers its ICD-10-CM subcodes. Codes with no indication in maps/ are not
    checked: an absent list means unknown, not "anything goes" nor "nothing".

Why it matters
    Payers check medical necessity on the line's diagnosis: a clotting factor billed without its
    indication is denied or sent to review. On the 837P a correct diagnosis elsewhere on the
    claim does not help when the line points at another one.

Example
    ``HI*ABK:D66*ABF:Z7982~ … SV1*HC:J7207*2000*UN*1000***2~`` (fires on the 837P: the line
    points at Z79.82 only) → ``SV1*HC:J7207*2000*UN*1000***1~`` once the biller re-points it.

Fix
    None: whether the patient has the indicated condition is a clinical fact. Point the line at
    the indicated diagnosis, or add it to HI when the record supports it. A pointer to a position
    that does not exist is DX003's, which can re-point automatically.

References
    docs/domain.md §5 (diagnosis: hemophilia A = D66); docs/domain.md §3 (SV107 pointers; 837I
    has none).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim, Transaction
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules.claim._dx import is_indicated, line_diagnoses

# Enum members read once: on Python 3.11 every ``Enum.MEMBER`` read costs a metaclass
# lookup (~150 ns), and these are read for every claim or line.
_PROFESSIONAL = Transaction.PROFESSIONAL


@register(
    "DX001", "no-indicated-diagnosis", Severity.WARNING, Applicability.NONE, needs=Needs.DRUG_LINES
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report drug lines without an indicated diagnosis (line pointers on the 837P)."""
    professional = claim.transaction is _PROFESSIONAL
    for line, code in ctx.drug_lines(claim):
        if not code.indicated_dx:
            continue
        wanted = ", ".join(code.indicated_dx)
        if professional:
            selected = line_diagnoses(ctx, claim, line)  # the diagnoses its pointers select
            if any(is_indicated(code, d.code) for d in selected):
                continue
            # Positions, not codes: the report should not repeat the patient's diagnoses.
            pointers = ":".join(p.value for p in line.dx_pointers) or "empty"
            where = f"the diagnoses its pointers select (SV107 {pointers})"
            at = line.dx_pointers[0] if line.dx_pointers else line.code
        else:
            if any(is_indicated(code, d.code) for d in claim.diagnoses):
                continue
            where = "the claim's diagnoses (HI)"
            at = line.code
        yield make_finding(
            meta,
            claim,
            line,
            at,
            f"{line.code.value} line: none of {where} is an indicated diagnosis ({wanted})",
        )
