"""A drug line carries both JW (amount discarded) and JZ (nothing discarded).

What it checks
    Drug lines whose modifiers (SV101-3..6 on the 837P, SV202-3..6 on the 837I) include both JW
    and JZ.

Why it matters
    JW says the line bills discarded drug; JZ attests that nothing was discarded. One line cannot
    say both, and CMS instructions are explicit: never JW and JZ on one line. Payers deny the line
    as having an invalid modifier combination (CO-16 with RARC N822/N823, or CARC 4).

Example
    ``SV1*HC:J7207:JW:JZ*400*UN*200***1~`` (fires). Depending on what happened, the fix is either
    ``SV1*HC:J7207:JW*400*UN*200***1~`` (the line bills waste, and the administered amount is on
    another line) or ``SV1*HC:J7207:JZ*…`` (nothing was discarded).

Fix
    None: which modifier is wrong depends on whether drug was discarded, which only the provider
    knows. Bill the administered amount without JW/JZ and the discarded amount on its own JW line,
    or bill one line with JZ when nothing was discarded.

References
    docs/domain.md §4 (JW and JZ; how discarded drug is billed); CMS JW/JZ policy.
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding


@register(
    "MOD002", "jw-and-jz-together", Severity.ERROR, Applicability.NONE, needs=Needs.DRUG_LINES
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report drug lines that carry both JW and JZ."""
    # The claim's facts read once, not once per drug line.
    facts = ctx.facts(claim)
    for line, _ in facts.drug_lines:
        mods = facts.modifiers(line)
        if not ("JW" in mods and "JZ" in mods):
            continue
        jz = next(m for m in line.modifiers if m.value == "JZ")
        yield make_finding(
            meta,
            claim,
            line,
            jz,
            f"{line.code.value} line carries both JW (drug discarded) and JZ (nothing "
            "discarded); keep the one that is true and bill waste on its own JW line",
        )
