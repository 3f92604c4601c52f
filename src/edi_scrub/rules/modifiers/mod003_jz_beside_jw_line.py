"""JZ (nothing discarded) on a drug line while a JW line bills waste of the same drug.

What it checks
    Drug lines carrying JZ, but not JW, when another line of the claim carries JW for the same
    HCPCS code, the same NDC (compared in 11-digit form) and the same date of service.

Why it matters
    The JW line says drug was discarded; JZ on the administered line says none was. CMS wants the
    administered amount without JW/JZ and the waste on the JW line: never JZ on the administered
    line when a JW line exists for the same drug and date. Payers deny the contradiction (CO-16
    with RARC N822/N823, or CARC 4).

Example
    ``SV1*HC:J7207:JZ*2000*UN*1000***1~`` next to ``SV1*HC:J7207:JW*400*UN*200***1~``, same NDC
    and date (fires) → ``SV1*HC:J7207*2000*UN*1000***1~``.

Fix
    Suggestion only: remove JZ from the administered line, or the JW line if nothing was
    discarded. JZ is the provider's attestation that nothing was discarded and the JW line says
    the opposite; which of the two is true only the provider knows, so edi-scrub never removes
    either (docs/fixes.md). A line carrying both JW and JZ is MOD002's, not this rule's. Only a
    JW line that certainly bills the same drug and date counts (see MOD004 for how lines are
    matched).

References
    docs/domain.md §4 (JW and JZ; how discarded drug is billed); CMS JW/JZ policy.
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability, Fix
from edi_scrub.model.claim import Claim
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules.modifiers._composite import composite_text
from edi_scrub.rules.modifiers._jw import jw_siblings


@register(
    "MOD003", "jz-beside-jw-line", Severity.ERROR, Applicability.SUGGESTION, needs=Needs.DRUG_LINES
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report JZ on a line that has a JW sibling, and remove it."""
    # The claim's facts read once, not once per drug line.
    facts = ctx.facts(claim)
    for line, _ in facts.drug_lines:
        mods = facts.modifiers(line)
        if "JZ" not in mods or "JW" in mods:
            continue
        same, _ = jw_siblings(ctx, claim, line)
        if not same:
            continue
        kept = [m for m in line.modifier_codes if m != "JZ"]
        fix = Fix(
            Applicability.SUGGESTION,
            "the provider must confirm: remove JZ if the JW line's waste is real, else the JW line",
            composite_text(claim, line),
            ":".join([line.code.value, *kept]),
        )
        jz = next(m for m in line.modifiers if m.value == "JZ")
        yield make_finding(
            meta,
            claim,
            line,
            jz,
            f"{line.code.value} line carries JZ (nothing discarded) but a JW line bills waste "
            "of the same code, NDC and date",
            fix,
        )
