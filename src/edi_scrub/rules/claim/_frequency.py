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
    # What _payer_claim_numbers finds, read off the claim's segment ids (made once per claim)
    # instead of a generator and an id per segment: FRQ002 asks it of every claim.
    found: list[tuple[int, str]] = []
    source = claim.source
    for pos, sid in enumerate(claim.segment_ids):
        if pos and sid in _LOOP_STARTS:
            break
        if sid == "REF":
            parts = source[pos]
            if len(parts) > 1 and parts[1] == "F8":
                found.append((pos, parts[2] if len(parts) > 2 else ""))
    return found


def _payer_claim_numbers(claim: Claim) -> list[tuple[int, str]]:
    """:func:`payer_claim_numbers` through :func:`claim_level` (the reference tests use)."""
    return [
        (pos, parts[2] if len(parts) > 2 else "")
        for pos, parts in claim_level(claim)
        if segment_id(parts) == "REF" and len(parts) > 1 and parts[1] == "F8"
    ]
