"""Payer policy: which JW/JZ and NDC requirements apply to a claim.

Until payer profiles are loaded from ``maps/payers`` (issue 3), two built-in policies apply:
Medicare (claim filing indicator SBR09 ``MA`` or ``MB``) requires JW/JZ on single-dose drug
lines from 2023-07-01 dates of service and requires the NDC; every other payer allows JW/JZ
without requiring them. Sources: domain.md §4 (CMS JW/JZ policy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from edi_scrub.model.claim import Claim


@dataclass(frozen=True, slots=True)
class PayerPolicy:
    """The payer-specific switches rules consult."""

    id: str
    name: str
    jw_jz_required_from: date | None
    jw_denied: bool
    ndc_required: bool

    def requires_jw_jz(self, service_date: date | None) -> bool:
        """Whether a single-dose drug line on ``service_date`` must carry JW or JZ."""
        if self.jw_jz_required_from is None or service_date is None:
            return False
        return service_date >= self.jw_jz_required_from


#: CMS: JZ required from 2023-07-01 (domain.md §4); JW since 2017 on discarded amounts.
MEDICARE = PayerPolicy("medicare", "Medicare (SBR09 MA/MB)", date(2023, 7, 1), False, True)
DEFAULT = PayerPolicy("default", "Other payers (JW/JZ allowed, not required)", None, False, False)

_MEDICARE_FILING = frozenset({"MA", "MB"})


def policy_for(claim: Claim) -> PayerPolicy:
    """The policy for ``claim``, chosen by its claim filing indicator."""
    return MEDICARE if claim.filing_indicator in _MEDICARE_FILING else DEFAULT
