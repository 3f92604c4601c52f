"""The payer requires KX for the code and the line does not carry it.

What it checks
    Lines whose HCPCS code (qualifier HC) is among the payer profile's ``kx_required_codes`` and
    whose modifiers (SV101-3..6 / SV202-3..6) do not include KX. JW lines are checked too: they
    bill the same drug under the same policy.

Why it matters
    KX attests that the requirements of the payer's medical policy are met (e.g. the coverage
    criteria of a prior-authorisation program). Payers that require it deny the line without it
    (CO-16 with N822/N823, or CARC 4).

Example
    Payer requires KX on J7208: ``SV1*HC:J7208:JZ*1000*UN*2000***1~`` (fires) →
    ``SV1*HC:J7208:KX:JZ*1000*UN*2000***1~`` once the biller has checked the policy criteria.

Fix
    None: KX is an attestation that the medical-policy criteria are met and documented, which
    only the provider can make. Add it in the next free slot (at most four modifiers, MOD007).

References
    docs/domain.md §4 (KX: requirements of medical policy met; at most 4 modifiers), §5 (payer
    coverage rules vary per plan → payer profiles).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding


@register("MOD008", "kx-required", Severity.WARNING, Applicability.NONE)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report lines of KX-required codes without KX."""
    policy = ctx.facts(claim).policy
    if not policy.kx_required_codes:
        return
    for line in claim.lines:
        if line.qualifier.value not in ("HC", ""):
            continue
        if line.code.value not in policy.kx_required_codes or line.has_modifier("KX"):
            continue
        yield make_finding(
            meta,
            claim,
            line,
            line.code,
            f"{policy.name} requires modifier KX on {line.code.value}; the line has "
            f"{':'.join(line.modifier_codes) or 'no modifiers'}",
        )
