"""The service line's unit basis (SV103 / SV204) is not UN on a drug line.

What it checks
    Drug lines whose unit-of-measure code, SV103 on the 837P or SV204 on the 837I, is anything
    but ``UN`` (unit): minutes (``MJ``, for anesthesia), days (``DA``), empty, or a drug unit.

Why it matters
    Drug codes are billed in HCPCS billing units (1 IU for the clotting-factor codes) with unit
    basis UN; a line in minutes or days is priced wrongly or rejected.

Example
    ``SV1*HC:J7207*2000*MJ*1000***1~`` (fires) → ``SV1*HC:J7207*2000*UN*1000***1~``.

Fix
    Safe: set the basis to UN when it is empty, MJ or DA and the line's CTP in IU (F2) equals
    the quantity (so it already counts billing units; only its label is wrong), or F2 on a
    per-IU code (an IU is the billing unit). Without that CTP, an empty, MJ or DA basis only
    gets a suggestion: ``2`` minutes may be two vials, and relabelled it would bill 2 IU. Other
    values (ML, ME, GR, ...) only get a suggestion: the quantity may be in that unit and would
    have to be converted, which the claim cannot tell. Also only a suggestion when the line's
    CTP shows discarded drug (CTP04 in F2 above the units): the relabel would then decide a JW
    split, which must rest on the provider's data, not on a label edi-scrub wrote
    (docs/fixes.md).

References
    docs/domain.md §1 (billed per 1 IU), §3 (SV103 UN or MJ; SV204 UN or DA).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability, Fix, Reach, SetElement
from edi_scrub.model.claim import Claim, ServiceLine
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._facts import amount
from edi_scrub.rules._proof import waste_sign

#: Bases whose quantity is already a count of billing units: only the label is wrong.
_RELABEL = frozenset({"", "MJ", "DA"})


def _counts_iu(line: ServiceLine) -> bool:
    """Whether the line's CTP states, in IU (F2), exactly the quantity the line bills."""
    drug = line.drug
    if drug is None or drug.quantity is None or drug.unit is None or drug.unit.value != "F2":
        return False
    dispensed, billed = amount(drug.quantity.value), amount(line.units.value)
    return dispensed is not None and dispensed == billed


@register("UNT001", "unit-basis-not-un", Severity.ERROR, Applicability.SAFE, needs=Needs.DRUG_LINES)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report drug lines whose unit basis is not UN, relabelling it when that is safe."""
    for line, code in ctx.drug_lines(claim):
        basis = line.unit_basis
        if basis.value == "UN":
            continue
        per_iu = code.billing_unit is not None
        if waste_sign(line) > 0:
            # The relabel would decide a JW split in the same run: a careful biller checks
            # what the quantity meant first (docs/fixes.md).
            fix = Fix(
                Applicability.SUGGESTION,
                "set the unit basis to UN after checking the quantity: the CTP shows discarded "
                "drug, so the units decide a JW line",
                basis.value,
                "UN",
            )
        elif basis.value in _RELABEL and not _counts_iu(line):
            # Minutes, days or nothing say nothing about what SV104 counts: "2" may be vials.
            # Only a CTP in IU equal to the quantity shows it already counts billing units.
            fix = Fix(
                Applicability.SUGGESTION,
                "set the unit basis to UN after checking that the quantity counts IU (no CTP "
                "in IU on the line equals it)",
                basis.value,
                "UN",
            )
        elif basis.value in _RELABEL or (basis.value == "F2" and per_iu):
            edit = SetElement(basis.loc.pos, basis.loc.ref, basis.value, "UN")
            fix = Fix(
                Applicability.SAFE,
                "set the unit basis to UN",
                basis.value,
                "UN",
                (edit,),
                Reach.UNITS_CODES,
            )
        else:
            fix = Fix(
                Applicability.SUGGESTION,
                f"restate the quantity in {code.code} billing units with basis UN",
                basis.value,
                "UN",
            )
        shown = repr(basis.value) if basis.value else "empty"
        yield make_finding(
            meta,
            claim,
            line,
            basis,
            f"{basis.loc.ref} unit basis is {shown}, not UN, on a {code.code} drug line",
            fix,
        )
