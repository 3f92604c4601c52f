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
    Safe only when the claim's own data proves zero waste: CTP05-1 is F2, CTP04 equals the
    billed IU (no fix may make them equal: UNT002 and NDC008 refuse a rounding that would), the
    line has one 2410 drug loop (a second one dispensed drug too), and the line shows no sign
    of a unit error (unit basis not UN, fractional units, units that look
    like a vial count or IU/100, a CTP04 no whole number of vials can make: see docs/fixes.md).
    JZ is the provider's attestation that nothing was discarded, so it is never guessed:
    otherwise the finding stays with a suggestion to add JZ (or a JW line) after review.
    Also only a suggestion when the payer does not accept JZ yet on the line's date of service
    (payer profile ``jz_accepted_from``, e.g. a Medicaid plan's later start).
    The modifier goes after the existing ones (the composite is rewritten without gaps, and the
    report's ``after`` is the composite written); none is added when four are already present.

References
    docs/domain.md §4 (JW and JZ); CMS JW/JZ policy (JZ required from 2023-07-01).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability, Fix, Reach, SetElement
from edi_scrub.maps.drugs import DrugCode
from edi_scrub.model.claim import Claim, ServiceLine
from edi_scrub.policy import PayerPolicy
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._facts import amount
from edi_scrub.rules._proof import unit_doubts
from edi_scrub.rules.modifiers._composite import composite_ref, composite_text, with_modifiers
from edi_scrub.rules.modifiers._jw import has_jw_sibling


def _zero_waste_doubt(
    ctx: RuleContext, claim: Claim, line: ServiceLine, code: DrugCode
) -> str | None:
    """Why the claim does not prove zero waste (``None``: it does)."""
    drug = line.drug
    if drug is None or drug.quantity is None or drug.unit is None or drug.unit.value != "F2":
        return "no CTP quantity in international units (F2) to compare with the billed IU"
    dispensed, billed = amount(drug.quantity.value), amount(line.units.value)
    if dispensed is None or billed is None or billed <= 0 or dispensed != billed:
        return "CTP04 does not equal the billed IU"
    if claim.segment_ids[line.first_pos : line.last_pos + 1].count("LIN") > 1:
        # The model reads the first 2410 loop; the others dispensed drug too, so the first
        # CTP04 equalling the billed IU proves nothing about waste.
        return "the line has more than one 2410 drug loop, and CTP04 of the first is not all"
    doubts = unit_doubts(ctx, claim, line, code)
    return "; ".join(doubts) if doubts else None


def _add_jz(
    ctx: RuleContext, claim: Claim, line: ServiceLine, code: DrugCode, policy: PayerPolicy
) -> Fix:
    before = composite_text(claim, line)
    new = with_modifiers(claim, line, [*line.modifier_codes, "JZ"])
    after = new if new is not None else f"{before}{claim.component_separator}JZ"
    accepted = policy.accepts_jz(line.date_of_service)
    doubt = _zero_waste_doubt(ctx, claim, line, code)
    if new is None or not accepted or doubt is not None:
        if new is None:
            why = "no free modifier slot"
        elif not accepted:
            why = f"{policy.name} does not accept JZ on this date of service"
        else:
            why = f"zero waste is not proven by the claim: {doubt}"
        return Fix(
            Applicability.SUGGESTION,
            f"add JZ or bill waste with JW ({why})",
            before,
            f"{after} or a JW line",
        )
    edit = SetElement(line.service_pos, composite_ref(claim), before, new)
    return Fix(
        Applicability.SAFE,
        "add JZ: CTP04 in F2 equals the billed IU",
        before,
        new,
        (edit,),
        Reach.UNITS_CODES,
    )


@register("MOD001", "missing-jw-jz", Severity.ERROR, Applicability.SAFE, needs=Needs.DRUG_LINES)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report single-dose drug lines without JW/JZ where the payer requires them."""
    # The claim's facts read once, not once per drug line.
    facts = ctx.facts(claim)
    policy = facts.policy
    for line, code in facts.drug_lines:
        if not code.single_dose or not policy.requires_jw_jz(line.date_of_service):
            continue
        mods = facts.modifiers(line)
        if "JW" in mods or "JZ" in mods or has_jw_sibling(ctx, claim, line):
            continue
        yield make_finding(
            meta,
            claim,
            line,
            line.code,
            f"{line.code.value} is a single-dose drug and {policy.name} requires JW or JZ "
            "on this date of service; the line has neither",
            _add_jz(ctx, claim, line, code, policy),
        )
