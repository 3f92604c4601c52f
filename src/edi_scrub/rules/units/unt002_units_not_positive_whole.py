"""The billed units (SV104 / SV205) are not a positive number, or a fraction of an IU.

What it checks
    Drug lines whose service unit count, SV104 on the 837P or SV205 on the 837I, is empty, not a
    number, zero or negative; and, for codes billed per IU (maps/drugs.xml ``billing-unit``), a
    count with a fractional part (``1000.5``).

Why it matters
    A line without a positive quantity cannot be priced and is rejected. Per-IU codes are paid
    per whole billing unit; payers reject or truncate fractions, and CMS says to round a fractional
    IU up.

Example
    ``SV1*HC:J7207*2000*UN*1000.4***1~`` (fires) → ``SV1*HC:J7207*2000*UN*1001***1~``.

Fix
    Safe for a positive fraction on a per-IU code: round up to the next whole unit. The line
    charge stays as it is (it is the provider's price for the line). None for an empty, zero,
    negative or non-numeric count: the quantity must come from the dispensing record. Only a
    suggestion when rounding would change whether the line's CTP shows discarded drug (999.5 IU
    billed of 1000 dispensed would become "no waste" and let JZ through), or would bill more IU
    than the CTP (F2) shows dispensed (1000.5 billed of 1000: 1001 is not the claim's own
    number), or when the units look like a vial count (UNT003's test: ``1.5`` of a kit holding
    801-1250 IU is one and a half vials, not a fraction of an IU): see docs/fixes.md.

References
    docs/domain.md §1 (billed per 1 IU), §5 ("Round fractional IU up").
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_CEILING

from edi_scrub.fixes.edits import Applicability, Fix, Reach, SetElement
from edi_scrub.model.claim import Claim
from edi_scrub.model.money import format_quantity
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._facts import amount
from edi_scrub.rules._proof import vial_count_doubt, waste_sign


@register(
    "UNT002", "units-not-positive-whole", Severity.ERROR, Applicability.SAFE, needs=Needs.DRUG_LINES
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report non-positive and fractional per-IU units; round a positive fraction up."""
    for line, code in ctx.drug_lines(claim):
        units = line.units
        count = amount(units.value)
        if count is None:
            shown = repr(units.value) if units.value else "empty"
            yield make_finding(
                meta, claim, line, units, f"{units.loc.ref} units are {shown}, not a number"
            )
        elif count <= 0:
            yield make_finding(
                meta, claim, line, units, f"{units.loc.ref} units are {units.value}, not above zero"
            )
        elif code.billing_unit is not None and count != count.to_integral_value():
            ref = units.loc.ref  # read only for a finding: the model makes a Loc on first read
            rounded = count.to_integral_value(rounding=ROUND_CEILING)
            whole = format_quantity(rounded)
            edit = SetElement(units.loc.pos, ref, units.value, whole)
            fix = Fix(
                Applicability.SAFE,
                "round the fractional IU up",
                units.value,
                whole,
                (edit,),
                Reach.UNITS_CODES,
            )
            after = waste_sign(line, units=rounded)
            vials = vial_count_doubt(ctx, claim, line)
            if vials is not None:
                # 1.5 "IU" of a kit that holds 801-1250 is one and a half vials, not a fraction
                # of an IU: rounding it up would bill 2 IU on a reading the claim contradicts.
                fix = Fix(
                    Applicability.SUGGESTION,
                    f"restate the units in IU after review ({vials})",
                    units.value,
                    whole,
                )
            elif after < 0:
                # CTP04 (F2) shows fewer IU dispensed than the rounded count: rounding up would
                # bill more drug than the claim's own data says was given (UNT007).
                fix = Fix(
                    Applicability.SUGGESTION,
                    "correct the units after review: CTP04 shows fewer IU dispensed than "
                    "rounding up would bill",
                    units.value,
                    whole,
                )
            elif after != waste_sign(line):
                fix = Fix(
                    Applicability.SUGGESTION,
                    "round the fractional IU up after review: rounding would change whether "
                    "the CTP shows discarded drug (a JW or JZ question)",
                    units.value,
                    whole,
                )
            yield make_finding(
                meta,
                claim,
                line,
                units,
                f"{ref} units {units.value} are a fraction of a {code.code} billing unit (1 IU)",
                fix,
            )
