"""A secondary claim does not balance against an earlier payer's adjudication.

What it checks
    Claims with COB loops (2320) whose earlier payer adjudicated the claim: it sent an amount
    paid (2320 ``AMT*D``), claim-level adjustments (2320 ``CAS``) or line adjudications (2430).
    For each such payer: CLM02 must equal that payer's amount paid (none sent counts as 0) plus
    every claim-level adjustment of its 2320 ``CAS`` plus every line-level adjustment of its 2430
    ``CAS``. With several payers, each 2430 belongs to the payer whose 2330B ``NM1*PR`` id it
    names in SVD01 (with one payer, every 2430 is that payer's), and each payer is balanced on
    its own. A payer with no adjudication data at all is not judged, nor is any total with an
    amount that is not a number.

Why it matters
    The secondary payer recomputes the primary's arithmetic: the charge must be fully accounted
    for by what was paid and what was adjusted. A claim that does not balance is rejected at the
    front end, and "correcting" CLM02 to the line sum would not help: the 2320/2430 amounts come
    from the primary's 835 and must be copied from it as they are.

Example
    ``CLM*PCN1*2000~ … SBR*P*18***…~ AMT*D*1500~ NM1*PR*2*…*PI*P1~ …
    SVD*P1*1500*HC:J7207**1000~ CAS*CO*45*400~`` (fires: 1500 + 400 = 1900, not 2000).

Fix
    None: the amounts are the earlier payer's; correct them from its remittance (835). Fixes that
    would change charges or lines are not applied to COB claims for the same reason.

References
    X12 RFIs 1115 and 1294 (COB balancing in the 837); 005010X222A1 / X223A2 section 1.4.1
    (coordination of benefits), loops 2320 AMT*D / CAS and 2430 SVD / CAS; docs/domain.md §3.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from edi_scrub.model.claim import Claim
from edi_scrub.model.source import loc
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._facts import amount
from edi_scrub.rules.claim._cob import total


def _text(amount: Decimal) -> str:
    return f"{amount:f}"


@register("COB001", "cob-claim-unbalanced", Severity.ERROR, needs=Needs.COB_LOOPS)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Balance CLM02 against each earlier payer that adjudicated lines."""
    cob = ctx.facts(claim).cob
    charge = amount(claim.clm02.value)
    if not cob.payers or charge is None:
        return
    for number, payer in enumerate(cob.payers, 1):
        mine = [adj for adj in cob.lines if len(cob.payers) == 1 or adj.payer_id == payer.payer_id]
        claim_adj = total(payer.adjustments)
        line_adj = total([a for adj in mine for a in adj.adjustments])
        adjudicated = mine or payer.paid_pos is not None or payer.adjustments
        if not adjudicated or payer.paid is None or claim_adj is None or line_adj is None:
            continue
        balance = payer.paid + claim_adj + line_adj
        if balance == charge:
            continue
        paid = _text(payer.paid) if payer.paid_pos is not None else "0 (no AMT*D)"
        at = (
            loc(claim, payer.paid_pos, "AMT02")
            if payer.paid_pos is not None
            else loc(claim, payer.pos, "SBR01")
        )
        yield make_finding(
            meta,
            claim,
            None,
            at,
            f"CLM02 {claim.clm02.value} does not balance for other payer {number}: paid {paid} "
            f"+ claim adjustments {_text(claim_adj)} + line adjustments {_text(line_adj)} = "
            f"{_text(balance)}",
        )
