"""A drug line carries no NDC although the payer requires one.

What it checks
    Drug lines without a loop 2410 LIN segment, or whose LIN03 is empty, on claims for a payer
    that requires the NDC (Medicare: claim filing indicator SBR09 MA or MB). A LIN without its CTP
    is NDC006's finding, not this one.

Why it matters
    Payers that require the NDC on physician-administered drugs deny lines without it as a
    missing NDC (CARC 16 + RARC M119); Medicaid drug rebates depend on it too.

Example
    ``SV1*HC:J7207*2000*UN*1000***1~ DTP*472*D8*20240115~`` and no ``LIN`` (fires) →
    add ``LIN**N4*00944462401~ CTP****1000*F2~`` from the vial or kit carton.

Fix
    None: the NDC is on the carton the provider used, not in the claim; a code may cover many
    NDCs, so none can be inferred.

References
    docs/domain.md §2 (NDCs), §3 (loop 2410 LIN/CTP), §6 (CARC 16 / M119); policy.py (which payers
    require the NDC).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.model.claim import Claim
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding


@register("NDC001", "missing-ndc", Severity.ERROR, needs=Needs.DRUG_LINES)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report drug lines without an NDC for payers that require one."""
    policy = ctx.facts(claim).policy
    if not policy.ndc_required:
        return
    for line, code in ctx.drug_lines(claim):
        drug = line.drug
        if drug is not None and drug.ndc.value:
            continue
        where = "no LIN segment" if drug is None else "an empty LIN03"
        yield make_finding(
            meta,
            claim,
            line,
            line.code if drug is None else drug.ndc,
            f"{code.code} line has {where}: {policy.name} requires the NDC",
        )
