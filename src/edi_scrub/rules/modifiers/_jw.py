"""Helpers the JW/JZ rules share: finding a line's JW sibling."""

from __future__ import annotations

from edi_scrub.model.claim import Claim, ServiceLine
from edi_scrub.model.ndc import read_ndc


def _ndc(line: ServiceLine) -> str:
    # Compare NDCs as the payer will, so a hyphenated copy still counts as the same drug.
    if line.drug is None:
        return ""
    raw = line.drug.ndc.value
    return read_ndc(raw).normalized or raw


def has_jw_sibling(claim: Claim, line: ServiceLine) -> bool:
    """Whether another line of the claim bills JW for the same code, NDC and date."""
    return any(
        other is not line
        and other.has_modifier("JW")
        and other.code.value == line.code.value
        and _ndc(other) == _ndc(line)
        and other.date_of_service == line.date_of_service
        for other in claim.lines
    )
