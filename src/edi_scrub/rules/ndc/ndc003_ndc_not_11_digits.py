"""The NDC in LIN03 is not in the 11-digit 5-4-2 claim form.

What it checks
    On drug lines, LIN03 (with LIN02 = N4) must be exactly 11 digits with no hyphens or spaces.
    Hyphenated and spaced forms, 10-digit label forms and anything else are reported.

Why it matters
    Payers match the NDC digit for digit against their NDC–HCPCS crosswalk; a hyphenated or
    10-digit NDC is denied as invalid (CARC 16 + RARC M119).

Example
    ``LIN**N4*0944-4624-01~`` (fires) → ``LIN**N4*00944462401~`` (clean).

Fix
    Safe (formatting) only for the exact label layouts: strip the separators of a 5-4-2 NDC and
    pad the short segment of a 4-4-2 (labeler), 5-3-2 (product) or 5-4-1 (package) one. Eleven
    digits split any other way (``0094-44624-01``, ``00944-462-401``) are not a label layout and
    get no fix: which digit is misplaced is unknown. A bare 10-digit NDC is ambiguous: when
    exactly one of its three readings is in maps/ the fix is unsafe; otherwise it is only a
    suggestion.

References
    docs/domain.md §2 (NDC formats); 005010X222A1 / X223A2 loop 2410 LIN03.
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability, Fix, Reach, SetElement
from edi_scrub.model.claim import Claim
from edi_scrub.model.ndc import NdcShape, candidates, read_ndc
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding

# Enum members read once: on Python 3.11 every ``Enum.MEMBER`` read costs a metaclass
# lookup (~150 ns), and these are read for every claim or line.
_CLAIM_FORM = NdcShape.CLAIM_FORM


@register("NDC003", "ndc-not-11-digits", Severity.ERROR, Applicability.SAFE, needs=Needs.DRUG_LINES)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report LIN03 values that are not 11 plain digits, normalising the certain ones."""
    for line, _ in ctx.drug_lines(claim):
        drug = line.drug
        if drug is None or drug.qualifier.value != "N4" or not drug.ndc.value:
            continue
        ndc = drug.ndc
        reading = read_ndc(ndc.value)
        if reading.shape is _CLAIM_FORM:
            continue
        fix: Fix | None = None
        if reading.normalized is not None:
            edit = SetElement(ndc.loc.pos, "LIN03", ndc.value, reading.normalized)
            fix = Fix(
                Applicability.SAFE,
                "normalise the NDC",
                ndc.value,
                reading.normalized,
                (edit,),
                Reach.FORMAT,
            )
        elif reading.shape is NdcShape.BARE_TEN:
            known = [c for c in candidates(ndc.value) if ctx.catalog.package(c) is not None]
            if len(known) == 1:
                edit = SetElement(ndc.loc.pos, "LIN03", ndc.value, known[0])
                fix = Fix(
                    Applicability.UNSAFE,
                    "pad the NDC as maps/ resolves it",
                    ndc.value,
                    known[0],
                    (edit,),
                    Reach.UNITS_CODES,
                )
            else:
                fix = Fix(
                    Applicability.SUGGESTION,
                    "a bare 10-digit NDC is ambiguous: take the 5-4-2 form from the label",
                    ndc.value,
                    " or ".join(candidates(ndc.value)),
                )
        yield make_finding(
            meta,
            claim,
            line,
            ndc,
            f"NDC {ndc.value!r} is not 11 digits in 5-4-2 form ({reading.shape.value})",
            fix,
        )
