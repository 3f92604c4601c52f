"""A single-dose drug line for a payer that requires JW/JZ carries neither.

What it checks
    Drug lines of single-dose products (maps/drugs.xml ``single-dose``) whose payer requires JW/JZ
    on the line's date of service (payer profile ``jz_required_from``; Medicare: from
    2023-07-01) and that carry neither JW nor JZ and have no JW sibling line (same code, NDC
    and date).

Why it matters
    Medicare returns claims lacking both JW and JZ as unprocessable from 2023-10-01 (CO-16 with
    RARC N822/N823).

Example
    ``SV1*HC:J7207*2000*UN*1000***1~ … CTP****1000*F2~`` (fires) →
    ``SV1*HC:J7207:JZ*2000*UN*1000***1~`` (clean: the claim data proves zero waste).

Fix
    Safe only when the claim's own data proves zero waste: CTP05-1 is F2 and CTP04 equals the
    billed IU. JZ is the provider's attestation that nothing was discarded, so it is never
    guessed: otherwise the finding stays with a suggestion to add JZ (or a JW line) after review.
    Also only a suggestion when the payer does not accept JZ yet on the line's date of service
    (payer profile ``jz_accepted_from``, e.g. a Medicaid plan's later start).
    The modifier goes in the next free slot; none is added when four are already present.

References
    docs/domain.md §4 (JW and JZ); CMS JW/JZ policy (JZ required from 2023-07-01).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability, Fix, SetElement
from edi_scrub.model.claim import Claim, ServiceLine, Transaction
from edi_scrub.policy import PayerPolicy
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules.modifiers._jw import has_jw_sibling


def _zero_waste_proven(line: ServiceLine) -> bool:
    drug = line.drug
    if drug is None or drug.quantity is None or drug.unit is None or drug.unit.value != "F2":
        return False
    dispensed, billed = drug.quantity.decimal(), line.units.decimal()
    return dispensed is not None and billed is not None and billed > 0 and dispensed == billed


def _add_jz(claim: Claim, line: ServiceLine, policy: PayerPolicy) -> Fix:
    slot = len(line.modifiers) + 3
    comp = "SV101" if claim.transaction is Transaction.PROFESSIONAL else "SV202"
    before = ":".join([line.code.value, *line.modifier_codes])
    after = ":".join([line.code.value, *line.modifier_codes, "JZ"])
    accepted = policy.accepts_jz(line.date_of_service)
    if slot > 6 or not accepted or not _zero_waste_proven(line):
        if slot > 6:
            why = "no free modifier slot"
        elif not accepted:
            why = f"{policy.name} does not accept JZ on this date of service"
        else:
            why = "zero waste is not proven by the claim"
        return Fix(
            Applicability.SUGGESTION,
            f"add JZ or bill waste with JW ({why})",
            before,
            f"{after} or a JW line",
        )
    edit = SetElement(line.service_pos, f"{comp}-{slot}", "", "JZ")
    return Fix(
        Applicability.SAFE, "add JZ: CTP04 in F2 equals the billed IU", before, after, (edit,)
    )


@register("MOD001", "missing-jw-jz", Severity.ERROR, Applicability.SAFE)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report single-dose drug lines without JW/JZ where the payer requires them."""
    policy = ctx.policy(claim)
    for line, code in ctx.drug_lines(claim):
        if not code.single_dose or not policy.requires_jw_jz(line.date_of_service):
            continue
        if line.has_modifier("JW") or line.has_modifier("JZ") or has_jw_sibling(claim, line):
            continue
        yield make_finding(
            meta,
            claim,
            line,
            line.code,
            f"{line.code.value} is a single-dose drug and {policy.name} requires JW or JZ "
            "on this date of service; the line has neither",
            _add_jz(claim, line, policy),
        )
