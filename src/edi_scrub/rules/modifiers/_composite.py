"""Helpers the modifier rules share: rewriting a line's procedure composite (SV101 / SV202)."""

from __future__ import annotations

from collections.abc import Sequence

from edi_scrub.fixes.edits import SetElement
from edi_scrub.model.claim import Claim, ServiceLine, Transaction

# Enum members read once: on Python 3.11 every ``Enum.MEMBER`` read costs a metaclass
# lookup (~150 ns), and these are read for every claim or line.
_PROFESSIONAL = Transaction.PROFESSIONAL

#: Modifier slots are components 3..6 of the composite; component 7 (SV101-7) is a description.
MAX_MODIFIERS = 4


def composite_ref(claim: Claim) -> str:
    """The whole-element reference of the procedure composite: ``SV101`` or ``SV202``."""
    return "SV101" if claim.transaction is _PROFESSIONAL else "SV202"


def composite_text(claim: Claim, line: ServiceLine) -> str:
    """The composite exactly as the claim carries it (what a fix must find to apply)."""
    element = int(composite_ref(claim)[3:])
    parts = claim.source[line.service_pos]
    return parts[element] if element < len(parts) else ""


def set_modifiers(claim: Claim, line: ServiceLine, modifiers: Sequence[str]) -> SetElement | None:
    """An edit giving the line exactly ``modifiers`` in slot order; ``None`` when over 4.

    The whole composite is rewritten, not one component, so that removing a modifier shifts the
    later ones left instead of leaving a gap a payer would read as a missing modifier.
    """
    new = with_modifiers(claim, line, modifiers)
    if new is None:
        return None
    return SetElement(line.service_pos, composite_ref(claim), composite_text(claim, line), new)


def with_modifiers(claim: Claim, line: ServiceLine, modifiers: Sequence[str]) -> str | None:
    """The line's composite text carrying exactly ``modifiers``; ``None`` when over 4."""
    if len(modifiers) > MAX_MODIFIERS:
        return None
    sep = claim.component_separator
    old = composite_text(claim, line)
    comps = old.split(sep)
    head, tail = comps[:2], comps[2 + MAX_MODIFIERS :]
    slots = list(modifiers)
    if tail:
        # Keep the description in component 7, where the TR3 expects it.
        slots += [""] * (MAX_MODIFIERS - len(slots))
    new_comps = [*head, *slots, *tail]
    while new_comps and new_comps[-1] == "":
        new_comps.pop()
    return sep.join(new_comps)
