"""An 837I drug line (revenue code 0636, an NDC in maps/) has no HCPCS code in SV202.

What it checks
    837I service lines whose revenue code (SV201) is 0636 and whose procedure code (SV202-2) is
    empty or absent while loop 2410 carries an NDC (LIN03, in 11-digit form or a hyphenated
    label form) that maps/ lists under a HCPCS code: a drug from the drug map billed without
    its code.

Why it matters
    Revenue code 0636 is "drugs requiring detailed coding": the detail is the drug's HCPCS code,
    which the crosswalk names for the NDC and which prices the line per billing unit (one IU for
    the clotting factors). Without it the line is not coded as 0636 asks, and none of the drug
    checks (NDC against code, units, JW/JZ, MUE) can run on it.

Example
    ``SV2*0636**2000*UN*1000~ ... LIN**N4*00944462401~`` (fires: maps/ lists the Adynovate kit
    under J7207) → ``SV2*0636*HC:J7207*2000*UN*1000~`` once the biller confirms the code and
    that SV205 counts its billing units.

Fix
    Suggestion only: the message names the code maps/ lists the NDC under. Adding a procedure
    code is a coding decision (and the units must then be that code's billing units), so the
    biller makes it; nothing is changed. No finding when the NDC is not in maps/, is a bare
    10-digit value (ambiguous), or its package has no HCPCS code.

References
    docs/domain.md §3 (837I SV201 revenue code, 0636 "drugs requiring detailed coding"; SV202
    the procedure composite), §2 (CMS ASP NDC-HCPCS crosswalk: the NDC's HCPCS code), §1 (the
    clotting factors are billed per IU).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability, Fix
from edi_scrub.model.claim import Claim, Transaction
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._drug import line_package

# Read once: on Python 3.11 every ``Enum.MEMBER`` read costs a metaclass lookup.
_INSTITUTIONAL = Transaction.INSTITUTIONAL
_DETAILED_CODING = "0636"


@register("HCP005", "drug-line-without-hcpcs", Severity.WARNING, Applicability.SUGGESTION)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report 0636 lines without a procedure code whose NDC maps/ files under a HCPCS code."""
    if claim.transaction is not _INSTITUTIONAL:
        return
    for line in claim.lines:
        revenue = line.revenue_code
        if revenue is None or revenue.value != _DETAILED_CODING or line.code.value:
            continue
        if line.drug is None:
            continue
        pkg = line_package(ctx, line)
        if pkg is None or pkg.code is None:
            continue
        fix = Fix(
            Applicability.SUGGESTION,
            f"bill {pkg.code} in SV202 after confirming the code and that SV205 counts its "
            "billing units",
            "",
            pkg.code,
        )
        yield make_finding(
            meta,
            claim,
            line,
            line.code,
            f"revenue code 0636 line bills NDC {pkg.ndc} ({pkg.product}) with no HCPCS code in "
            f"SV202; maps/ lists the NDC under {pkg.code}",
            fix,
        )
