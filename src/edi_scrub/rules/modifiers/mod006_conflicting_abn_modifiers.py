"""A service line carries two or more of GA, GY and GZ.

What it checks
    Every service line (drug or not) whose modifiers include more than one of GA (ABN on file),
    GY (statutorily excluded / not a contract benefit) and GZ (expected denial, no ABN).

Why it matters
    The three say mutually exclusive things about liability: an ABN is on file, the service is
    not a benefit at all, or a denial is expected and no ABN was obtained. CMS treats any two of
    them on one line as invalid, and the line is denied for an inconsistent modifier (CARC 4).

Example
    ``SV1*HC:J7207:GA:GZ*2000*UN*1000***1~`` (fires) → ``SV1*HC:J7207:GA*…`` when an ABN was
    signed, or ``SV1*HC:J7207:GZ*…`` when none was.

Fix
    None: which modifier is right depends on whether the patient signed an ABN and why the
    service may not be covered, which only the provider knows.

References
    docs/domain.md §4 (KX, GA, GY, GZ); CMS ABN modifier instructions.
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding

_LIABILITY = ("GA", "GY", "GZ")
_LIABLE = frozenset(_LIABILITY)


@register("MOD006", "conflicting-abn-modifiers", Severity.ERROR, Applicability.NONE)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report lines carrying more than one of GA/GY/GZ."""
    # Every line, not only drug lines: the conflict is about liability, whatever the service.
    facts = ctx.facts(claim)
    for line in claim.lines:
        # Most lines carry at most one of the three: decided on the line's modifier set (the
        # same values, empty ones left out) before any list is built.
        if len(_LIABLE & facts.modifiers(line)) < 2:
            continue
        found = [m for m in line.modifiers if m.value in _LIABILITY]
        codes = sorted({m.value for m in found})
        if len(codes) < 2:
            continue
        yield make_finding(
            meta,
            claim,
            line,
            found[1],
            f"{line.code.value} line carries {', '.join(codes)}: at most one of GA/GY/GZ "
            "may describe the patient's liability",
        )
