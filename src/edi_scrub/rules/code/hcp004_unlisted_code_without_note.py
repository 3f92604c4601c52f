"""A not-otherwise-classified clotting-factor line (J7199) has no note naming the drug and its IU.

What it checks
    Drug lines whose code maps/drugs.xml files as not otherwise classified (``category="noc"``:
    J7199) and that carry no note giving the drug name and the international units. The notes
    read are the line's NTE segments (loop 2400 NTE02) on the 837P and the 837I, and on the 837I
    also the claim's NTE segments (loop 2300), because the 837I's line NTE is reserved for
    third-party organisations.

    Whether free text names a drug cannot be decided exactly, so a note counts when it holds a
    number followed by ``IU``, ``I.U.``, ``unit`` or ``units`` (``2000 IU``, ``1,500 units``)
    and, besides that, a word of at least three letters (the drug name: ``JIVI 2000 IU``). A
    note with only the amount (``2000 IU``) or only a name (``JIVI``) does not count. Any
    number of notes may be present; one matching note is enough.

Why it matters
    An unlisted code does not say what was given. Medicare contractors price J7199 by hand from
    the drug name and the IU in the note and reject or deny lines without it.

Example
    ``SV1*HC:J7199*2000*UN*2000***1~ DTP*472*D8*20240115~`` (fires) →
    ``SV1*HC:J7199*2000*UN*2000***1~ DTP*472*D8*20240115~ NTE*ADD*JIVI 2000 IU~``.

Fix
    None: the drug name and the IU come from the administration record. Add the note, or bill
    the product's own code when it has one (HCP003).

References
    docs/domain.md §1 (J7199: "needs drug name + IU in NTE (Medicare MAC)"); 005010X222A1 loop 2400
    NTE Line Note; 005010X223A2 loop 2300 NTE Claim Note.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability
from edi_scrub.maps.drugs import CodeCategory
from edi_scrub.model.claim import Claim, Transaction
from edi_scrub.model.source import segment_id
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding

# Enum members read once: on Python 3.11 every ``Enum.MEMBER`` read costs a metaclass
# lookup (~150 ns), and these are read for every claim or line.
_INSTITUTIONAL = Transaction.INSTITUTIONAL
_NOC = CodeCategory.NOC

_AMOUNT = re.compile(r"\d[\d,.]*\s*(?:I\.?\s?U\.?|UNITS?)(?![A-Z])", re.IGNORECASE)
_WORD = re.compile(r"[A-Z]{3,}", re.IGNORECASE)


def names_drug_and_iu(text: str) -> bool:
    """Whether a note holds an IU amount and, besides it, a word that can be a drug name."""
    amount = _AMOUNT.search(text)
    if amount is None:
        return False
    rest = text[: amount.start()] + " " + text[amount.end() :]
    return any(w.upper() not in ("UNIT", "UNITS") for w in _WORD.findall(rest))


def _claim_notes(claim: Claim) -> tuple[str, ...]:
    """NTE02 of the claim's 2300 NTE segments (those before the first LX)."""
    notes: list[str] = []
    for parts in claim.source:
        if segment_id(parts) == "LX":
            break
        if segment_id(parts) == "NTE" and len(parts) > 2:
            notes.append(parts[2])
    return tuple(notes)


@register(
    "HCP004",
    "unlisted-code-without-note",
    Severity.ERROR,
    Applicability.NONE,
    needs=Needs.DRUG_LINES,
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report NOC drug lines without a note giving the drug name and the IU."""
    institutional = claim.transaction is _INSTITUTIONAL
    # Read on the first NOC line, not for every claim: most claims have none.
    claim_notes: tuple[str, ...] | None = None if institutional else ()
    for line, code in ctx.drug_lines(claim):
        if code.category is not _NOC:
            continue
        if claim_notes is None:
            claim_notes = _claim_notes(claim)
        notes = (*(n.value for n in line.notes), *claim_notes)
        if any(names_drug_and_iu(n) for n in notes):
            continue
        where = "line or claim NTE" if institutional else "line NTE"
        yield make_finding(
            meta,
            claim,
            line,
            line.code,
            f"{line.code.value} is not otherwise classified and no {where} names the drug and "
            "its IU (e.g. NTE*ADD*<drug name> <IU> IU)",
        )
