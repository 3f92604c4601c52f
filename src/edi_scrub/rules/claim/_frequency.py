"""Claim-level (loop 2300) segments, before the first 2310/2320 provider, payer or line loop."""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.model.claim import Claim
from edi_scrub.model.source import segment_id

#: Segments that open the loops after 2300's own segments (2310x NM1, 2320 SBR, 2400 LX).
_LOOP_STARTS = frozenset({"NM1", "SBR", "LX"})


def claim_level(claim: Claim) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Loop 2300's own segments with their positions (not its provider, COB or line loops)."""
    for pos, parts in enumerate(claim.source):
        if pos and segment_id(parts) in _LOOP_STARTS:
            return
        yield pos, parts


def payer_claim_numbers(claim: Claim) -> list[tuple[int, str]]:
    """The 2300 ``REF*F8`` (payer claim control number of the claim replaced or voided)."""
    return [
        (pos, parts[2] if len(parts) > 2 else "")
        for pos, parts in claim_level(claim)
        if segment_id(parts) == "REF" and len(parts) > 1 and parts[1] == "F8"
    ]
