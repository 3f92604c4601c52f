"""Claim-wide fix safety: what no rule may change on a void, a COB claim or an attestation.

Rules prove their own fixes from the claim's data (docs/fixes.md). Some refusals do not depend
on the rule at all, only on the claim, so they live here, in the one place every finding passes
(``engine.check_claim``), and no rule can forget them:

- a **void** (CLM05-3 = 8) must match the claim it cancels: no fix is applied to it at all;
- a claim with **no service line** breaks the TR3 (loop 2400 is required; X12001 reports it):
  which lines it lost is not on the claim, so nothing on it is changed (a CLM02 recounted over
  zero lines would only make the damage look balanced);
- a **COB claim** (2320 or 2430 present) was adjudicated by another payer as submitted: only
  formatting is repaired; a fix that changes units, codes, charges, CLM02 or lines would break
  its balancing against the prior payer's SVD/CAS, so it becomes a suggestion;
- an **attestation** modifier the provider put on a line (JZ, JW, KX, GA, GY, GZ) is never
  removed by a default fix: :func:`attestations_kept` is the engine's last check.

A refused fix is reported as ``suggested`` and its message says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from edi_scrub.fixes.edits import Applicability, Reach
from edi_scrub.model.claim import Claim, file_segment
from edi_scrub.rules._base import Finding

#: Modifiers that state a fact only the provider knows (waste, policy met, liability notices).
ATTESTATIONS = frozenset({"JZ", "JW", "KX", "GA", "GY", "GZ"})

VOID_REASON = "the claim is a void (CLM05-3 = 8), which must match the claim it cancels"
NO_LINES_REASON = "the claim has no service line (loop 2400 is required), so it is left as sent"
COB_REASON = (
    "COB claim (loop 2320/2430): the prior payer adjudicated its lines, units and charges as "
    "submitted, so only formatting is repaired"
)


def refusal(claim: Claim, reach: Reach) -> str | None:
    """Why no fix of ``reach`` may be applied to ``claim``, or ``None`` when one may."""
    if claim.is_void:
        return VOID_REASON
    if not claim.lines:
        return NO_LINES_REASON
    if claim.cob and reach is not Reach.FORMAT:
        return COB_REASON
    return None


def guard(claim: Claim, findings: Sequence[Finding]) -> list[Finding]:
    """``findings`` with every fix the claim forbids turned into a suggestion that says why."""
    if claim.lines and not claim.is_void and not claim.cob:
        return list(findings)
    out: list[Finding] = []
    for f in findings:
        fix = f.fix
        if fix is None or fix.applicability in (Applicability.NONE, Applicability.SUGGESTION):
            out.append(f)
            continue
        why = refusal(claim, fix.reach)
        if why is None:
            out.append(f)
            continue
        suggestion = replace(
            fix,
            applicability=Applicability.SUGGESTION,
            description=f"{fix.description} (not applied: {why})",
            edits=(),
        )
        out.append(replace(f, message=f"{f.message}; fix not applied: {why}", fix=suggestion))
    return out


def _attested(claim: Claim) -> dict[int, frozenset[str]]:
    # Keyed by the service segment's input position: lines a fix created have position 0 and
    # carry no provider attestation.
    # file_segment: the position without making the lazy Loc of each charge.
    return {
        file_segment(line.charge): frozenset(line.modifier_codes) & ATTESTATIONS
        for line in claim.lines
        if file_segment(line.charge)
    }


def attestations_kept(submitted: Claim, fixed: Claim) -> bool:
    """Whether every line still present carries every attestation it was submitted with."""
    after = _attested(fixed)
    return all(
        mods <= after[index]
        for index, mods in _attested(submitted).items()
        if mods and index in after
    )
