"""The claim's provider loops as rules see them: which NM1 entity codes name which provider."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from edi_scrub.model.claim import Claim
from edi_scrub.model.source import segment_id
from edi_scrub.rules._base import RuleContext

#: NM101 entity codes of the provider loops inside a claim (2310x, 2420x) and what they are.
ENTITIES = {
    "71": "attending provider",
    "72": "operating physician",
    "ZZ": "other operating physician",
    "82": "rendering provider",
    "77": "service facility",
    "DN": "referring provider",
    "DQ": "supervising provider",
    "DK": "ordering provider",
    "QB": "purchased service provider",
    "85": "billing provider",
    "87": "pay-to provider",
}


def entity_name(code: str) -> str:
    """A provider NM101 entity code in words (the code itself when unknown)."""
    return ENTITIES.get(code, f"entity {code or '(empty)'}")


@lru_cache(maxsize=4096)  # a pure function of the text; a file repeats its NPIs claim after claim
def npi_defect(npi: str) -> str | None:
    """Why ``npi`` is not a valid NPI, or ``None`` when it is.

    An NPI is 10 digits starting with 1 or 2; its last digit is the Luhn check digit computed
    over the prefix ``80840`` (the card issuer code for US health) followed by the first nine.
    """
    if len(npi) != 10 or not (npi.isascii() and npi.isdigit()):  # int() refuses "²"
        return f"is {len(npi)} characters, not 10 digits" if npi else "is empty"
    if npi[0] not in "12":
        return "does not start with 1 or 2"
    total = 0
    for i, ch in enumerate(reversed("80840" + npi[:9])):
        digit = int(ch) * (2 if i % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    if (10 - total % 10) % 10 != int(npi[9]):
        return "fails the check digit (Luhn over 80840 + NPI)"
    return None


def provider_segments(
    ctx: RuleContext, claim: Claim, seg_id: str
) -> Iterator[tuple[int | None, int, tuple[str, ...]]]:
    """``seg_id`` segments of the claim's providers: (claim position or ``None``, file position,
    elements), the billing provider's (loop 2000A, above the claim: no claim position) first."""
    for index, parts in claim.billing_provider:
        if segment_id(parts) == seg_id:
            yield None, index, parts
    for pos, parts in ctx.facts(claim).segments(seg_id):
        yield pos, 0, parts
