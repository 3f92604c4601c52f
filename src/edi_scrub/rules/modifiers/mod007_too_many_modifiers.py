"""A drug line lists a possibly pricing modifier after an informational one.

What it checks
    Drug lines whose modifiers (SV101-3..6 / SV202-3..6) put any modifier after one of the
    informational modifiers JW, JZ, KX, GA, GY or GZ, unless it is itself one of those six.

    This is a deliberately narrow heuristic. edi-scrub has no list of pricing modifiers, so it
    only knows which modifiers are informational: the six that domain.md describes as
    attestations (JW/JZ waste, KX policy met, GA/GY/GZ liability). Every other modifier is
    treated as possibly pricing, so an informational modifier outside those six (59, 76, XS,
    ...) written after, say, KX is also reported; moving it forward is harmless.

    The other half of the catalogue's check, more than four modifiers needed, cannot be seen in
    a claim: the composite has only four modifier slots. Rules that would add a modifier to a
    full line (MOD001, MOD004) say so in their own findings instead.

Why it matters
    Payers price from the first modifier positions: pricing modifiers go first, informational
    ones after. A pricing modifier pushed behind JW, JZ or KX may be ignored or priced wrongly.

Example
    ``SV1*HC:J7207:KX:RT*2000*UN*1000***1~`` (fires) → ``SV1*HC:J7207:RT:KX*2000*UN*1000***1~``.

Fix
    Safe: a stable reorder. The non-informational modifiers move to the front and the
    informational ones follow, each group keeping its existing order; no modifier is added or
    dropped, and a description in SV101-7 stays where it is.

References
    docs/domain.md §4 (modifiers: at most 4 per line; pricing first, informational after).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability, Fix, Reach
from edi_scrub.model.claim import Claim
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules.modifiers._composite import set_modifiers

# Only the modifiers domain.md names as informational; anything else may be pricing.
_INFORMATIONAL = frozenset({"JW", "JZ", "KX", "GA", "GY", "GZ"})


@register(
    "MOD007", "too-many-modifiers", Severity.ERROR, Applicability.SAFE, needs=Needs.DRUG_LINES
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report drug lines with a possibly pricing modifier after an informational one; reorder."""
    for line, _ in ctx.drug_lines(claim):
        codes = line.modifier_codes
        first_info = next((i for i, m in enumerate(codes) if m in _INFORMATIONAL), None)
        if first_info is None:
            continue
        late = [m for m in line.modifiers[first_info:] if m.value not in _INFORMATIONAL]
        if not late:
            continue
        ordered = [m for m in codes if m not in _INFORMATIONAL]
        ordered += [m for m in codes if m in _INFORMATIONAL]
        edit = set_modifiers(claim, line, ordered)
        fix = None
        if edit is not None:
            fix = Fix(
                Applicability.SAFE,
                "put possibly pricing modifiers before informational ones",
                edit.old,
                edit.new,
                (edit,),
                Reach.FORMAT,
            )
        yield make_finding(
            meta,
            claim,
            line,
            late[0],
            f"{line.code.value} line lists {late[0].value} after the informational modifier "
            f"{codes[first_info]}; modifiers that may affect pricing go first",
            fix,
        )
