"""The billed units exceed the Medically Unlikely Edit (MUE) for the code.

What it checks
    Lines whose HCPCS code has an MUE in the payer profile (``mue``: value and MAI, loaded from
    the CMS quarterly MUE tables). MAI 1 counts per line: a line's units (SV104 / SV205) above
    the value fire. MAI 2 and 3 count per date of service: the units of all the claim's lines
    with that code and date, plus those earlier claims of the same file billed for the same
    patient, code and date, above the value fire once for that date. JW lines count: they are
    billed units too. A line without a date of service is counted on its own; lines whose
    units are not a positive number are skipped (UNT002 reports them).

Why it matters
    Units above the MUE are denied (RARC N362, with CARC 35 or 151 depending on the payer). For
    MAI 1 codes the extra units may be billed on a second line with modifier 76; for MAI 2/3
    the whole day's units are over.

Example
    MUE 6000 per line (MAI 1): ``SV1*HC:J7208*1000*UN*7000***1~`` (fires). MUE 6000 per day
    (MAI 2): two J7208 lines of 4000 and 3000 units on one date (fires once).

Fix
    None: the units come from the administration record, and whether they are right (a unit
    error) or medically justified (appeal with records) is for a person to decide.

References
    docs/domain.md §5 (MUE: MAI 1 per line, MAI 2/3 per day; values from the CMS MUE tables, none
    built in), §6 (RARC N362).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules.units._usage import per_line, per_window


@register("UNT005", "units-exceed-mue", Severity.ERROR, Applicability.NONE)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report units above the code's MUE, per line (MAI 1) or per date of service (MAI 2/3)."""
    policy = ctx.facts(claim).policy
    for code in sorted({line.code.value for line in claim.lines}):
        mue = policy.mue.get(code)
        if mue is None:
            continue
        usages = per_line(claim, code) if mue.per_line else per_window(claim, ctx, code)
        period = " on one line" if mue.per_line else " on one date of service"
        basis = "per line" if mue.per_line else "per day"
        for usage in usages:
            if usage.total <= mue.value:
                continue
            line = usage.anchor
            yield make_finding(
                meta,
                claim,
                line,
                line.units,
                f"{usage.describe(code, period)}; the MUE is {mue.value} {basis} "
                f"(MAI {mue.mai}); likely denial N362",
            )
