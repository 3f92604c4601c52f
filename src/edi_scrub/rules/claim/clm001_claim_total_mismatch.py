"""CLM02 (total claim charge) is not the sum of the line charges.

What it checks
    CLM02 against the sum of SV102 (837P) or SV203 (837I) over the claim's service lines.

Why it matters
    Balancing is a SNIP level 3 edit: clearinghouses and payers reject unbalanced claims
    (277CA A7) before adjudication. pyx12 does not check it.

Example
    ``CLM*PCN1*2100***11:B:1*Y*A*Y*Y~`` with lines of 2000 and 50 (fires) →
    ``CLM*PCN1*2050***11:B:1*Y*A*Y*Y~``.

Fix
    Safe: CLM02 is recomputed as the sum of the line charges, written without needless zeros.
    No fix when a line charge is not a number or is negative (CLM002 reports those: correct
    the charge first), or when the charges add up to a fraction of a cent (``100.505``: a
    rounded CLM02 would still not balance).

References
    docs/domain.md §3 (claim level, loop 2300); 005010X222A1 CLM02 / X223A2 CLM02 notes.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import cast

from edi_scrub.fixes.edits import Applicability, Fix, Reach, SetElement
from edi_scrub.model.claim import Claim
from edi_scrub.model.money import format_amount, format_quantity, to_cents
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._facts import amount


@register("CLM001", "claim-total-mismatch", Severity.ERROR, Applicability.SAFE)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report a CLM02 that differs from the sum of the line charges, and recompute it."""
    charges = ctx.facts(claim).charges
    if not charges or None in charges:
        return
    # A string cast: tuple[Decimal, ...] written out would build a GenericAlias on every claim.
    total = sum(cast("tuple[Decimal, ...]", charges), Decimal(0))
    stated = amount(claim.clm02.value)
    if stated is not None and stated == total:
        return
    if to_cents(total) != total or any(c < 0 for c in charges if c is not None):
        # A sum with fractions of a cent would be rounded (and still not balance), and one over
        # a negative charge writes a total CLM002 says is wrong: the charges come first.
        shown = format_quantity(total)
        yield make_finding(
            meta,
            claim,
            None,
            claim.clm02,
            f"CLM02 is {claim.clm02.value or 'empty'} but the lines add up to {shown}; not "
            "recomputed: a line charge is negative or not a whole number of cents",
        )
        return
    new = format_amount(total, claim.clm02.value)
    fix = Fix(
        Applicability.SAFE,
        "recompute CLM02 from the lines",
        claim.clm02.value,
        new,
        (SetElement(0, "CLM02", claim.clm02.value, new),),
        Reach.MONEY_LINES,
    )
    yield make_finding(
        meta,
        claim,
        None,
        claim.clm02,
        f"CLM02 is {claim.clm02.value or 'empty'} but the lines add up to {new}",
        fix,
    )
