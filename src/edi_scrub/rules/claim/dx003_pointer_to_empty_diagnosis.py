"""An 837P line's diagnosis pointer (SV107) selects an HI position that holds no diagnosis.

What it checks
    Every 837P service line: each SV107 component must be a number naming a diagnosis of the
    claim's HI segments (principal ABK = 1, then the ABF codes in order; other HI qualifiers
    cannot be pointed at). The 837I has no line pointers and is not checked.

Why it matters
    A pointer into nothing leaves the line without a diagnosis: payers reject it at the front
    end (277CA A7) or deny it for lack of medical necessity.

Example
    ``HI*ABK:D66~ … SV1*HC:J7207*2000*UN*1000***2~`` (fires: there is no diagnosis 2) →
    ``SV1*HC:J7207*2000*UN*1000***1~``.

Fix
    Safe only on drug lines, and only when exactly one of the claim's pointable diagnoses is
    indicated for the code in maps/drugs.xml: the first broken pointer becomes that diagnosis's
    position (dropped instead when the line already points at it), other broken pointers are
    dropped and valid ones keep their place. Otherwise there is no fix: which diagnosis a line
    belongs to is the provider's call.

References
    docs/domain.md §3 (SV107 pointers into the claim's HI list); docs/domain.md §5 (indicated
    diagnoses); 005010X222A1 SV107.
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability, Fix, Reach, SetElement
from edi_scrub.maps.drugs import DrugCode
from edi_scrub.model.claim import Claim, ServiceLine, Transaction
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules.claim._dx import is_indicated, pointed, pointer_texts

# Enum members read once: on Python 3.11 every ``Enum.MEMBER`` read costs a metaclass
# lookup (~150 ns), and these are read for every claim or line.
_PROFESSIONAL = Transaction.PROFESSIONAL


def _repoint(claim: Claim, line: ServiceLine, code: DrugCode | None) -> Fix | None:
    if code is None or not code.indicated_dx:
        return None
    targets = {d.position for d in claim.diagnoses if d.position > 0 and is_indicated(code, d.code)}
    if len(targets) != 1:
        return None
    target = str(targets.pop())
    valid = [p.value for p in line.dx_pointers if pointed(claim, p) is not None]
    already = any(int(v) == int(target) for v in valid)
    new: list[str] = []
    for p in line.dx_pointers:
        if pointed(claim, p) is not None:
            new.append(p.value)
        elif not already:
            new.append(target)
            already = True
    parts = claim.source[line.service_pos]
    old = parts[7] if len(parts) > 7 else ""
    after = claim.component_separator.join(new)
    edit = SetElement(line.service_pos, "SV107", old, after)
    return Fix(
        Applicability.SAFE,
        "re-point to the only indicated diagnosis",
        old,
        after,
        (edit,),
        Reach.UNITS_CODES,
    )


@register("DX003", "pointer-to-empty-diagnosis", Severity.ERROR, Applicability.SAFE)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report SV107 pointers that select no diagnosis; re-point drug lines when unambiguous."""
    if claim.transaction is not _PROFESSIONAL:
        return
    pointable: int | None = None  # counted once, and only for a claim with a finding
    plain = pointer_texts(claim)
    for line in claim.lines:
        broken = [p for p in line.dx_pointers if p.value not in plain and pointed(claim, p) is None]
        if not broken:
            continue
        values = ", ".join(p.value or "(empty)" for p in broken)
        if pointable is None:
            pointable = sum(1 for d in claim.diagnoses if d.position > 0)
        yield make_finding(
            meta,
            claim,
            line,
            broken[0],
            f"SV107 pointer(s) {values} select no diagnosis: the claim has {pointable} "
            "pointable diagnosis code(s) in HI",
            _repoint(claim, line, ctx.drug_code(line)),
        )
