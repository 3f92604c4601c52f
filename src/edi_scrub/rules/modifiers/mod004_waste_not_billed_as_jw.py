"""The line's own data shows discarded drug, but no JW line bills it.

What it checks
    A drug line whose 2410 CTP says more international units were dispensed (CTP04 with CTP05-1 =
    F2) than the line bills (SV104 / SV205, per-IU codes), with no JW line for the same code, NDC
    and date of service in the claim. Lines carrying JW or JZ are not checked here: JZ with waste
    is MOD010's contradiction, and a JW line that bills only part of the waste is MOD009's.

    Lines are matched as the payer would: NDCs after normalisation (hyphens, the three readings
    of a bare 10-digit NDC, an inner vial read as its kit), dates as spans (a one-day RD8 equals
    its D8; a line without DTP*472 takes the claim's date: the 837I statement period, or the one
    date all other lines share). A JW line that *may* bill the same drug and date (an ambiguous
    NDC, overlapping spans, no date at all) counts as one: no finding, and never a second line.

Why it matters
    Medicare wants the discarded amount of a single-dose drug on its own line with JW (since
    2017-01-01); billing only the administered amount leaves the waste unpaid, and billing the
    whole amount on one line without JW is denied or recouped.

Example
    ``SV1*HC:J7207*2000*UN*1000***1~ … CTP****1200*F2~`` (fires: 200 IU discarded) →
    the line keeps 1000 IU and its CTP04 becomes 1000; a new line follows:
    ``LX*2~ SV1*HC:J7207:JW*400*UN*200***1~ DTP*472*D8*… LIN**N4*… CTP****200*F2~``.

Fix
    Safe only when the claim itself proves the split (docs/fixes.md):

    - CTP05-1 is F2 and waste = CTP04 − billed IU is a whole number greater than zero and less
      than one container of the NDC (its maximum actual potency in maps/drugs.xml; an NDC with
      no known potency range gets a suggestion);
    - the units are trustworthy: unit basis UN, whole units, no vial-count or IU/100 look
      (UNT003), CTP04 a whole number of vials (no fix may change whether a line shows waste:
      UNT001, UNT002 and NDC008 only suggest on such lines);
    - the product is single-dose, the payer does not deny JW lines on the date of service, a
      modifier slot is free, the line's unit price (charge ÷ units) times the waste is a whole
      number of cents;
    - the line carries no other money (AMT, HCP, CN1 segments), no 837I non-covered charge (SV207:
      how it splits is the provider's call), no NTE note (the provider's words about the line,
      which the split would contradict or copy), and only one 2410 drug loop;
    - no other line without JW is (or may be) the same drug and date and shows waste too (two
      splits would bill two identical JW lines, a duplicate line to a payer);
    - the line's date of service is not a reversed RD8 span (DOS003: the copy needs a date);
    - the claim stays within its TR3's service lines (50 on the 837P, 999 on the 837I) even if
      every line that shows waste gets its JW line;
    - the claim is no COB claim and no void (those refusals are the engine's, for every rule).

    The JW line is a faithful copy of the administered loop 2400: every segment (DTP, REF
    including G1 and XZ, the 2420x provider loops, 2410 LIN/CTP/REF), with JZ removed and JW
    added to the modifiers (the description in component 7 kept), units and CTP04 = the waste,
    charge = waste × unit price, and a REF*6R made unique within its first 30 characters (the
    part receivers must keep). LX, CLM02 and SE01 are recomputed. Otherwise the finding carries a
    suggestion naming the missing proof, whatever flags are given. No finding when the payer
    denies JW lines on the line's date of service (payer profile ``jw="denied"``).

References
    docs/domain.md §4 (JW/JZ; how discarded drug is billed); docs/fixes.md; CMS JW/JZ FAQ; MAC
    articles A56433, A56482.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from itertools import chain

from edi_scrub.fixes.edits import Applicability, Fix, InsertSegments, Reach, SetElement
from edi_scrub.maps.drugs import DrugCode
from edi_scrub.model.claim import Claim, ServiceLine, Transaction
from edi_scrub.model.money import format_amount, format_quantity, to_cents
from edi_scrub.model.source import segment_id
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._drug import line_package, potency_range
from edi_scrub.rules._facts import amount
from edi_scrub.rules._proof import unit_doubts
from edi_scrub.rules.modifiers._composite import with_modifiers
from edi_scrub.rules.modifiers._jw import Match, has_jw_sibling, line_span, match

#: Segments inside a 2400 loop that carry money of their own: a copy would bill it twice.
_MONEY_SEGMENTS = frozenset({"AMT", "HCP", "CN1"})
#: Loop 2400's repeat limit in each TR3 (X222A1: 50 service lines; X223A2: 999).
_MAX_LINES = {Transaction.PROFESSIONAL: 50, Transaction.INSTITUTIONAL: 999}
#: What receivers must keep of REF*6R; uniqueness has to hold within it.
_CONTROL_KEPT = 30


def unique_control(claim: Claim, value: str) -> str:
    """A REF*6R value for the copy of ``value``: unique within the first 30 characters."""
    taken = {
        line.control_number.value[:_CONTROL_KEPT] for line in claim.lines if line.control_number
    }
    # Suffixes made one at a time: the first is nearly always free (a tuple of all 999 was
    # built on every call).
    for suffix in chain(("JW",), (f"JW{n}" for n in range(2, 1000))):
        candidate = value[: _CONTROL_KEPT - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
    raise AssertionError("a claim cannot hold 1000 lines with one control number")


def _waste_line(
    claim: Claim, line: ServiceLine, waste: Decimal, charge: str
) -> tuple[tuple[str, ...], ...] | None:
    """The new JW line's segments, or ``None`` when no modifier slot is free."""
    composite = with_modifiers(
        claim, line, [*(m for m in line.modifier_codes if m not in ("JZ", "JW")), "JW"]
    )
    drug = line.drug
    if composite is None or drug is None or drug.ctp_pos is None:
        return None
    comp = 1 if claim.transaction is Transaction.PROFESSIONAL else 2
    out: list[tuple[str, ...]] = [("LX", "0")]
    for pos in range(line.service_pos, line.last_pos + 1):
        parts = list(claim.source[pos])
        if pos == line.service_pos:
            parts[comp] = composite
            parts[comp + 1] = charge
            parts[comp + 3] = format_quantity(waste)
        elif segment_id(claim.source[pos]) == "REF" and len(parts) > 2 and parts[1] == "6R":
            parts[2] = unique_control(claim, parts[2])
        elif pos == drug.ctp_pos:
            parts[4] = format_quantity(waste)
        out.append(tuple(parts))
    return tuple(out)


def _refusals(
    ctx: RuleContext, claim: Claim, line: ServiceLine, code: DrugCode, waste: Decimal
) -> list[str]:
    """Every precondition of the split that the claim's data does not meet."""
    why = unit_doubts(ctx, claim, line, code)
    if code.single_dose is not True:
        why.append(f"{code.code} is not known to be single-dose")
    if waste != waste.to_integral_value():
        why.append(f"the waste {format_quantity(waste)} IU is fractional")
    pkg = line_package(ctx, line)
    potency = potency_range(ctx, pkg) if pkg is not None else None
    if potency is None:
        why.append("no actual-potency range is known for the NDC, so one container is unknown")
    elif waste >= potency[1]:
        why.append(
            f"the waste {format_quantity(waste)} IU is not less than one container "
            f"(at most {potency[1]} IU): check CTP04 and the billed units"
        )
    ids = [segment_id(claim.source[pos]) for pos in range(line.first_pos, line.last_pos + 1)]
    if _MONEY_SEGMENTS & set(ids):
        why.append("the line carries other amounts (AMT/HCP/CN1) that a copy would bill twice")
    if ids.count("LIN") > 1:
        why.append("the line has more than one 2410 drug loop")
    if "NTE" in ids:
        # The provider's own words about the line (the drug and IU given, why nothing was
        # billed as waste): a split can neither read them nor keep them true on both lines.
        why.append("the line carries an NTE note, which the split would contradict or repeat")
    if line.non_covered is not None and (amount(line.non_covered.value) or 0) != 0:
        why.append("the line has a non-covered charge (SV207) whose split is the provider's call")
    if with_modifiers(claim, line, [*line.modifier_codes, "JW"]) is None:
        why.append("no free modifier slot for JW")
    span = line.service_date
    if span is not None and span.start and span.end and span.end < span.start:
        # The JW line bills the same date as the line it splits from: a copy of a span that
        # ends before it starts would bill a second undated line (DOS003).
        why.append(
            "the line's date span ends before it starts (DOS003), so the JW line's date is unknown"
        )
    limit = _MAX_LINES.get(claim.transaction)
    # Every line that shows waste may be split in the same pass: count them all, so that two
    # splits that each fit cannot together pass the limit.
    if limit is not None and len(claim.lines) + len(_waste_lines(ctx, claim)) > limit:
        why.append(
            f"a JW line would take the claim past the {limit} service lines its TR3 allows "
            "(split the claim)"
        )
    twin = _twin_with_waste(ctx, claim, line)
    if twin is not None:
        # Each split's proof sees no JW line, so both were applied in one pass: two identical
        # JW lines for one drug and date, which a payer denies as a duplicate line.
        why.append(
            f"line {claim.lines.index(twin) + 1} bills the same drug and date and shows waste too: "
            "one JW line for the day's waste is the provider's call"
        )
    return why


def _twin_with_waste(ctx: RuleContext, claim: Claim, line: ServiceLine) -> ServiceLine | None:
    """Another line without JW that is (or may be) the same drug and date, showing waste."""
    span = line_span(claim, line)
    for other, other_span in _waste_lines(ctx, claim):
        if other is line or other.code.value != line.code.value:
            continue
        if span and other_span and (span[1] < other_span[0] or other_span[1] < span[0]):
            continue  # another date: what match() would say first, without its cost
        if match(ctx, claim, line, other) is not Match.DIFFERENT:
            return other
    return None


def _waste_lines(
    ctx: RuleContext, claim: Claim
) -> tuple[tuple[ServiceLine, tuple[date, date] | None], ...]:
    """The claim's lines without JW whose CTP shows waste, with their spans (once per claim:
    a 999-line claim would otherwise compare every line with every other)."""

    def compute() -> tuple[tuple[ServiceLine, tuple[date, date] | None], ...]:
        found = []
        for other in claim.lines:
            drug = other.drug
            if drug is None or drug.quantity is None or drug.unit is None:
                continue
            if drug.unit.value != "F2" or "JW" in ctx.facts(claim).modifiers(other):
                continue
            dispensed, billed = amount(drug.quantity.value), amount(other.units.value)
            if dispensed is not None and billed is not None and dispensed > billed:
                found.append((other, line_span(claim, other)))
        return tuple(found)

    return ctx.facts(claim).derived("mod004_waste_lines", claim, compute)


def _charge(line: ServiceLine, billed: Decimal, waste: Decimal) -> tuple[str | None, str]:
    """The JW line's charge text (``None`` when not a whole number of cents) and why not."""
    price = amount(line.charge.value)
    if price is None or price <= 0:
        return None, "the line has no positive charge to take a unit price from"
    share = price * waste / billed
    if to_cents(share) != share:
        return None, (
            f"waste × unit price ({line.charge.value} ÷ {format_quantity(billed)}) is not a "
            "whole number of cents"
        )
    return format_amount(share, line.charge.value), ""


@register(
    "MOD004", "waste-not-billed-as-jw", Severity.WARNING, Applicability.SAFE, needs=Needs.DRUG_LINES
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report drug lines whose CTP shows discarded IU with no JW line; split one off on proof."""
    # The claim's facts read once, not once per drug line.
    facts = ctx.facts(claim)
    policy = facts.policy
    for line, code in facts.drug_lines:
        if policy.denies_jw(line.date_of_service):
            continue
        drug = line.drug
        if drug is None or drug.quantity is None or drug.unit is None or drug.unit.value != "F2":
            continue
        mods = facts.modifiers(line)
        if "JW" in mods or "JZ" in mods or code.single_dose is False:
            continue
        dispensed, billed = amount(drug.quantity.value), amount(line.units.value)
        if dispensed is None or billed is None or billed <= 0 or dispensed <= billed:
            continue
        if has_jw_sibling(ctx, claim, line):
            continue
        waste = dispensed - billed
        message = (
            f"CTP04 shows {format_quantity(dispensed)} IU dispensed but the line bills "
            f"{format_quantity(billed)}: {format_quantity(waste)} IU discarded with no JW line"
        )
        why = _refusals(ctx, claim, line, code, waste)
        charge, no_charge = _charge(line, billed, waste)
        if charge is None:
            why.append(no_charge)
        segments = None if why or charge is None else _waste_line(claim, line, waste, charge)
        if segments is None or drug.ctp_pos is None or charge is None:
            reason = "; ".join(why)
            fix = Fix(
                Applicability.SUGGESTION,
                f"bill the discarded amount on a JW line after review ({reason})",
                f"{format_quantity(dispensed)} IU on one line",
                f"{format_quantity(billed)} IU + JW line {format_quantity(waste)} IU",
                (),
                Reach.MONEY_LINES,
            )
            message = f"{message}; not split: {reason}"
        else:
            edits = (
                SetElement(drug.ctp_pos, "CTP04", drug.quantity.value, format_quantity(billed)),
                InsertSegments(
                    line.last_pos, segments, tuple(range(line.first_pos, line.last_pos + 1))
                ),
            )
            fix = Fix(
                Applicability.SAFE,
                "split the discarded amount onto a JW line",
                f"{format_quantity(dispensed)} IU on one line",
                f"{format_quantity(billed)} IU + JW line {format_quantity(waste)} IU at {charge}",
                edits,
                Reach.MONEY_LINES,
            )
        yield make_finding(meta, claim, line, drug.quantity, message, fix)
