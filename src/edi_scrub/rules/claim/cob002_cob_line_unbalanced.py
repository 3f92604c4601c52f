"""A service line does not balance against an earlier payer's line adjudication.

What it checks
    Every service line with 2430 loops: for each earlier payer (SVD01), the line charge (SV102 on
    the 837P, SV203 on the 837I) must equal the payer's amount paid (SVD02) plus the amounts of
    the line's 2430 ``CAS`` adjustments. When one payer has several 2430 loops on a line (the
    payer unbundled it), their amounts are added up. Amounts that are not numbers are not judged.

Why it matters
    The secondary payer checks that the primary's line payment and adjustments account for the
    whole line charge; an unbalanced line makes the whole claim reject at the front end. It
    usually means an adjustment from the 835 was left out, or the line charge was changed after
    the primary adjudicated it.

Example
    ``SV1*HC:J7207*2000*UN*1000***1~ … SVD*P1*1500*HC:J7207**1000~ CAS*CO*45*400~``
    (fires: 1500 + 400 = 1900, not 2000).

Fix
    None: the 2430 amounts are the earlier payer's and the line charge is what it adjudicated;
    neither can be changed to make the other fit.

References
    X12 RFIs 1115 and 1294 (COB balancing in the 837); 005010X222A1 / X223A2 loop 2430 SVD02
    and CAS; docs/domain.md §3.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from edi_scrub.model.claim import Claim
from edi_scrub.model.source import loc
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._facts import amount
from edi_scrub.rules.claim._cob import LineAdjudication, total


@register("COB002", "cob-line-unbalanced", Severity.ERROR, needs=Needs.COB_LOOPS)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Balance each line's charge against each earlier payer's SVD02 and CAS amounts."""
    groups: dict[tuple[int, str], list[LineAdjudication]] = {}
    for adj in ctx.facts(claim).cob.lines:
        groups.setdefault((adj.line.first_pos, adj.payer_id), []).append(adj)
    for adjs in groups.values():
        line = adjs[0].line
        charge = amount(line.charge.value)
        paid = total([a.paid for a in adjs])
        adjusted = total([x for a in adjs for x in a.adjustments])
        if charge is None or paid is None or adjusted is None or paid + adjusted == charge:
            continue
        balance: Decimal = paid + adjusted
        yield make_finding(
            meta,
            claim,
            line,
            loc(claim, adjs[0].pos, "SVD02"),
            f"line charge {line.charge.value} does not balance against the earlier payer's "
            f"adjudication (2430): paid {paid:f} + adjustments {adjusted:f} = {balance:f}",
        )
