"""Coordination of benefits as the balancing rules read it: loops 2320 and 2430 of a claim.

A secondary claim repeats what each earlier payer did: per payer a 2320 loop (SBR, claim-level
CAS adjustments, ``AMT*D`` amount paid) whose 2330B ``NM1*PR`` names the payer, and per line a
2430 loop (``SVD``: payer id, amount paid; ``CAS``) for each payer that adjudicated the line.
Amounts that are not numbers are kept as ``None`` so a rule can decline to judge them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from edi_scrub.model.claim import Claim, ServiceLine
from edi_scrub.model.money import parse_amount
from edi_scrub.model.source import element, line_at, segment_id

#: CAS03, CAS06, ... CAS18: the amount of each of a CAS segment's six adjustment triples.
_CAS_AMOUNTS = (3, 6, 9, 12, 15, 18)


def cas_amounts(parts: tuple[str, ...]) -> list[Decimal | None]:
    """The adjustment amounts a CAS segment carries (``None`` for one that is not a number)."""
    return [parse_amount(element(parts, i)) for i in _CAS_AMOUNTS if element(parts, i)]


@dataclass(slots=True)
class OtherPayer:
    """Loop 2320: one earlier payer's claim-level adjudication."""

    pos: int
    payer_id: str = ""
    paid: Decimal | None = Decimal(0)
    paid_pos: int | None = None
    adjustments: list[Decimal | None] = field(default_factory=list)


@dataclass(slots=True)
class LineAdjudication:
    """Loop 2430: one earlier payer's adjudication of one service line."""

    pos: int
    line: ServiceLine
    payer_id: str
    paid: Decimal | None
    adjustments: list[Decimal | None] = field(default_factory=list)


@dataclass(slots=True)
class Cob:
    """A claim's 2320 and 2430 loops, in file order."""

    payers: list[OtherPayer] = field(default_factory=list)
    lines: list[LineAdjudication] = field(default_factory=list)


def read_cob(claim: Claim) -> Cob:
    """The claim's COB loops (both lists empty on a claim no other payer has seen)."""
    cob = Cob()
    line: ServiceLine | None = None
    for pos, parts in enumerate(claim.source):
        sid = segment_id(parts)
        if sid == "LX":
            line = line_at(claim, pos)
        elif line is not None:
            if sid == "SVD":
                paid = parse_amount(element(parts, 2))
                cob.lines.append(LineAdjudication(pos, line, element(parts, 1), paid))
            elif sid == "CAS" and cob.lines and cob.lines[-1].line is line:
                # Loop 2400 has no CAS of its own: a line's CAS belongs to its latest SVD.
                cob.lines[-1].adjustments += cas_amounts(parts)
        elif sid == "SBR":
            cob.payers.append(OtherPayer(pos))
        elif not cob.payers:
            continue
        elif sid == "CAS":
            cob.payers[-1].adjustments += cas_amounts(parts)
        elif sid == "AMT" and element(parts, 1) == "D":
            cob.payers[-1].paid = parse_amount(element(parts, 2))
            cob.payers[-1].paid_pos = pos
        elif sid == "NM1" and element(parts, 1) == "PR":
            cob.payers[-1].payer_id = element(parts, 9)
    return cob


def total(amounts: list[Decimal | None]) -> Decimal | None:
    """The sum of ``amounts``, or ``None`` when one of them is not a number."""
    if any(a is None for a in amounts):
        return None
    return sum((a for a in amounts if a is not None), Decimal(0))
