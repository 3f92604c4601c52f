"""The payer requires prior authorisation for the code and the claim carries none.

What it checks
    Lines whose HCPCS code (qualifier HC) is among the payer profile's ``prior_auth_codes``
    when no prior-authorisation number is present: no non-empty ``REF*G1`` in loop 2300 and,
    on the 837P, none in the line's loop 2400 either. The 837I has prior authorisation only at
    claim level, so only the 2300 REF*G1 counts there.

Why it matters
    Payers with prior-authorisation programs for clotting factors deny lines billed without the
    authorisation number, even when an authorisation exists.

Example
    Payer requires prior auth for J7208: a J7208 line with no REF*G1 anywhere (fires) →
    ``REF*G1*<authorisation number>~`` in loop 2300 (or loop 2400 on the 837P).

Fix
    None: the authorisation number comes from the payer's approval; it cannot be derived from
    the claim.

References
    docs/domain.md §3 (2300 REF*G1 prior authorisation; 837P line REF*G1 up to 5; 837I prior
    auth only at claim level), §5 (commercial payers: prior authorisation varies per plan).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim, Field, Transaction
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding

# Enum members read once: on Python 3.11 every ``Enum.MEMBER`` read costs a metaclass
# lookup (~150 ns), and these are read for every claim or line.
_PROFESSIONAL = Transaction.PROFESSIONAL


def _present(refs: tuple[Field, ...]) -> bool:
    return any(ref.value.strip() for ref in refs)


@register("AUTH001", "missing-prior-auth", Severity.WARNING, Applicability.NONE)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report lines of prior-auth codes without any REF*G1 (claim, or 837P line)."""
    policy = ctx.facts(claim).policy
    if not policy.prior_auth_codes or _present(claim.prior_auth):
        return
    professional = claim.transaction is _PROFESSIONAL
    where = "loop 2300 or the line" if professional else "loop 2300"
    for line in claim.lines:
        if line.qualifier.value not in ("HC", ""):
            continue
        if line.code.value not in policy.prior_auth_codes:
            continue
        if professional and _present(line.prior_auth):
            continue
        yield make_finding(
            meta,
            claim,
            line,
            line.code,
            f"{policy.name} requires prior authorization for {line.code.value}; no REF*G1 "
            f"in {where}",
        )
