"""The line's own data shows discarded drug, but no JW line bills it.

What it checks
    A drug line whose 2410 CTP says more international units were dispensed (CTP04 with CTP05-1 =
    F2) than the line bills (SV104 / SV205, per-IU codes), with no JW line for the same code, NDC
    and date of service in the claim.

Why it matters
    Medicare wants the discarded amount of a single-dose drug on its own line with JW (since
    2017-01-01); billing only the administered amount leaves the waste unpaid, and billing the
    whole amount on one line without JW is denied or recouped.

Example
    ``SV1*HC:J7207*2000*UN*1000***1~ … CTP****1200*F2~`` (fires: 200 IU discarded) →
    the line keeps 1000 IU and its CTP04 becomes 1000; a new line follows:
    ``LX*2~ SV1*HC:J7207:JW*400*UN*200***1~ DTP*472*D8*… LIN**N4*… CTP****200*F2~``.

Fix
    Safe for single-dose products: split a JW line after the administered line with the same
    code (JZ removed, JW added), NDC, date, line prior authorisation and REF*6R (made unique);
    units = the waste, charge = waste × the line's unit price rounded to the cent. LX, CLM02 and
    SE01 are recomputed. Only a suggestion when the waste is fractional, the product is not
    known to be single-dose, or the line has no free modifier slot. No finding when the payer
    denies JW lines on the line's date of service (payer profile ``jw="denied"``, from
    ``jw_from`` when given): the waste is then not billable as a JW line.

References
    docs/domain.md §4 (JW/JZ; how discarded drug is billed); CMS JW/JZ FAQ; MAC articles A56433,
    A56482.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from edi_scrub.fixes.edits import Applicability, Fix, InsertSegments, SetElement
from edi_scrub.model.claim import Claim, ServiceLine, Transaction
from edi_scrub.model.money import format_amount, format_quantity, parse_amount
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules.modifiers._jw import has_jw_sibling

_COPIED = frozenset({("DTP", "472"), ("REF", "G1"), ("REF", "6R")})


def _unique_control(claim: Claim, value: str) -> str:
    taken = {line.control_number.value for line in claim.lines if line.control_number}
    for suffix in ("JW", *(f"JW{n}" for n in range(2, 100))):
        candidate = value[: 50 - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
    return value


def _waste_line(
    claim: Claim, line: ServiceLine, waste: Decimal, charge: Decimal
) -> tuple[tuple[str, ...], ...] | None:
    """The new JW line's segments, or ``None`` when no modifier slot is free."""
    modifiers = [m for m in line.modifier_codes if m not in ("JZ", "JW")]
    if len(modifiers) >= 4:
        return None
    comp = 1 if claim.transaction is Transaction.PROFESSIONAL else 2
    sep = claim.component_separator
    out: list[tuple[str, ...]] = [("LX", "0")]
    drug = line.drug
    assert drug is not None and drug.ctp_pos is not None
    for pos in range(line.service_pos, line.last_pos + 1):
        parts = list(claim.source[pos])
        key = (parts[0], parts[1] if len(parts) > 1 else "")
        if pos == line.service_pos:
            parts[comp] = sep.join([line.qualifier.value, line.code.value, *modifiers, "JW"])
            parts[comp + 1] = format_amount(charge, line.charge.value)
            parts[comp + 3] = format_quantity(waste)
        elif key == ("REF", "6R"):
            parts[2] = _unique_control(claim, parts[2])
        elif pos == drug.ctp_pos:
            parts[4] = format_quantity(waste)
        elif pos != drug.lin_pos and key not in _COPIED:
            continue
        out.append(tuple(parts))
    return tuple(out)


@register("MOD004", "waste-not-billed-as-jw", Severity.WARNING, Applicability.SAFE)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report drug lines whose CTP shows discarded IU with no JW line; split one off."""
    policy = ctx.policy(claim)
    for line, code in ctx.drug_lines(claim):
        if policy.denies_jw(line.date_of_service):
            continue
        drug = line.drug
        if drug is None or drug.quantity is None or drug.unit is None or drug.unit.value != "F2":
            continue
        if line.has_modifier("JW") or code.single_dose is False or code.billing_unit is None:
            continue
        dispensed, billed = drug.quantity.decimal(), line.units.decimal()
        if dispensed is None or billed is None or billed <= 0 or dispensed <= billed:
            continue
        if has_jw_sibling(claim, line):
            continue
        waste = dispensed - billed
        price = parse_amount(line.charge.value)
        message = (
            f"CTP04 shows {format_quantity(dispensed)} IU dispensed but the line bills "
            f"{format_quantity(billed)}: {format_quantity(waste)} IU discarded with no JW line"
        )
        segments = None
        if price is not None and waste == waste.to_integral_value() and code.single_dose:
            segments = _waste_line(claim, line, waste, price / billed * waste)
        if segments is None or drug.ctp_pos is None:
            fix = Fix(
                Applicability.SUGGESTION,
                "bill the discarded amount on a JW line",
                "",
                f"JW line for {format_quantity(waste)} IU",
            )
        else:
            edits = (
                SetElement(drug.ctp_pos, "CTP04", drug.quantity.value, format_quantity(billed)),
                InsertSegments(
                    line.last_pos, segments, tuple(range(line.first_pos, line.last_pos + 1))
                ),
            )
            charge = format_amount(price / billed * waste, line.charge.value) if price else ""
            fix = Fix(
                Applicability.SAFE,
                "split the discarded amount onto a JW line",
                f"{format_quantity(dispensed)} IU on one line",
                f"{format_quantity(billed)} IU + JW line {format_quantity(waste)} IU at {charge}",
                edits,
            )
        yield make_finding(meta, claim, line, drug.quantity, message, fix)
