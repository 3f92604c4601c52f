"""The NDC is an inner vial or a diluent, not the outer kit that must be billed.

What it checks
    Drug lines whose NDC (LIN03, read as an 11-digit NDC) maps/drugs.xml lists as ``vial`` (the
    vial inside a kit, e.g. 0944-4257-01 inside Adynovate kit 0944-4625-01) or ``diluent`` (e.g.
    sterile-water diluent 64764-0515-50 shipped in an Adynovate kit).

Why it matters
    Payers and the CMS crosswalk know the carton (kit) NDC; an inner-vial or diluent NDC does not
    match the billed code and is denied as an invalid NDC (CARC 16 + RARC M119).

Example
    ``LIN**N4*00944425701~`` (fires: inner vial) → ``LIN**N4*00944462501~`` (its kit).

Fix
    Safe when the map names the package's outer kit: LIN03 becomes the kit's NDC (a vial belongs
    to exactly one kit, so nothing is guessed). Otherwise none: a diluent ships in several kits,
    so the drug's NDC must come from the carton.

References
    docs/domain.md §2 ("bill the outer carton/kit NDC, not the inner vial or the diluent").
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability, Fix, Reach, SetElement
from edi_scrub.maps.drugs import PackageKind
from edi_scrub.model.claim import Claim
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._drug import line_package

# Enum members read once: on Python 3.11 every ``Enum.MEMBER`` read costs a metaclass
# lookup (~150 ns), and these are read for every claim or line.
_KIT = PackageKind.KIT


@register("NDC005", "inner-package-ndc", Severity.ERROR, Applicability.SAFE, needs=Needs.DRUG_LINES)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report inner-vial and diluent NDCs, replacing them with the outer kit when known."""
    for line, _ in ctx.drug_lines(claim):
        pkg = line_package(ctx, line)
        if pkg is None or line.drug is None or pkg.kind is _KIT:
            continue
        ndc = line.drug.ndc
        fix: Fix | None = None
        if pkg.outer_kit is not None:
            edit = SetElement(ndc.loc.pos, ndc.loc.ref, ndc.value, pkg.outer_kit)
            fix = Fix(
                Applicability.SAFE,
                "bill the outer kit's NDC",
                ndc.value,
                pkg.outer_kit,
                (edit,),
                Reach.UNITS_CODES,
            )
        where = f"bill kit {pkg.outer_kit}" if pkg.outer_kit else "bill the kit's carton NDC"
        what = "an inner vial" if pkg.kind is PackageKind.VIAL else "a diluent"
        yield make_finding(
            meta,
            claim,
            line,
            ndc,
            f"NDC {pkg.ndc} is {what} ({pkg.product}), not a billable kit; {where}",
            fix,
        )
