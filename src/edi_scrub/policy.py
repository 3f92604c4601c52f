"""Payer policy: the payer-specific switches rules consult.

A :class:`PayerPolicy` is what a payer profile in ``maps/payers/*.xml`` says (issue 3): JW/JZ
policy with dates, NDC requirement, preferred CTP unit and precision, prior authorisation,
quantity limits, KX requirements, date-span policy, MUE values, plausible IU/kg ranges and
severity overrides. Rules read it through ``ctx.policy(claim)``; they never look at SBR09 or
payer ids themselves.

The policies themselves are data: :mod:`edi_scrub.maps.payers` loads them from the maps and
:class:`edi_scrub.maps.layers.PolicyChooser` picks one per claim. Nothing here is built in, so
a payer fact lives in exactly one place, the profile file that cites its source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from edi_scrub.model.claim import Claim


class JwPolicy(StrEnum):
    """What a payer does with JW (discarded drug) lines."""

    REQUIRED = "required"
    ALLOWED = "allowed"
    DENIED = "denied"


class LimitPeriod(StrEnum):
    """What a quantity limit counts over."""

    LINE = "line"
    DAY = "day"
    ROLLING = "rolling"


@dataclass(frozen=True, slots=True)
class QuantityLimit:
    """At most ``units`` of ``code`` per line, per date of service, or per rolling ``days``."""

    code: str
    units: int
    period: LimitPeriod
    days: int = 1
    #: Where the limit comes from (the profile's ``source``), for findings to cite.
    source: str = ""


@dataclass(frozen=True, slots=True)
class Mue:
    """A Medically Unlikely Edit: ``value`` units; MAI 1 = per line, 2/3 = per day."""

    code: str
    value: int
    mai: int

    @property
    def per_line(self) -> bool:
        """MAI 1 counts per line; MAI 2 and 3 per date of service."""
        return self.mai == 1


@dataclass(frozen=True, slots=True)
class PayerPolicy:
    """One payer profile. Dates are first dates of service a rule applies to (inclusive)."""

    id: str
    name: str
    payer_ids: tuple[str, ...] = ()
    filing_indicators: tuple[str, ...] = ()
    jw: JwPolicy = JwPolicy.ALLOWED
    #: JW is required (REQUIRED) or denied (DENIED) from this date; None = always.
    jw_from: date | None = None
    #: JZ is required from this date (Medicare: 2023-07-01); None = never required.
    jz_required_from: date | None = None
    #: JZ is accepted only from this date (e.g. a Medicaid plan's later start); None = always.
    jz_accepted_from: date | None = None
    ndc_required: bool = False
    #: CTP05-1 unit the payer wants for drug quantities (F2, UN, ...); None = any valid unit.
    preferred_ctp_unit: str | None = None
    #: Decimal places allowed in CTP04; None = no limit.
    ctp_precision: int | None = None
    prior_auth_codes: frozenset[str] = frozenset()
    quantity_limits: tuple[QuantityLimit, ...] = ()
    kx_required_codes: frozenset[str] = frozenset()
    #: The payer wants a single date (D8) on clotting-factor lines, not an RD8 span.
    single_date_lines: bool = False
    mue: Mapping[str, Mue] = field(default_factory=lambda: MappingProxyType({}))
    #: HCPCS code → (lowest, highest) plausible IU per kg of body weight for one date of
    #: service (DOSE002). Empty by default: domain.md sources no range, so none is built in.
    dose_per_kg_range: Mapping[str, tuple[Decimal, Decimal]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    #: Rule id → severity name ("error", "warning", "info", or "off").
    severity_overrides: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: True for the profile used when no other matches.
    default: bool = False

    @property
    def jw_denied(self) -> bool:
        """Whether the payer denies JW lines (on any date; see :meth:`denies_jw`)."""
        return self.jw is JwPolicy.DENIED and self.jw_from is None

    def denies_jw(self, service_date: date | None) -> bool:
        """Whether a JW line on ``service_date`` is denied by this payer."""
        if self.jw is not JwPolicy.DENIED:
            return False
        return self.jw_from is None or (service_date is not None and service_date >= self.jw_from)

    def requires_jw_jz(self, service_date: date | None) -> bool:
        """Whether a single-dose drug line on ``service_date`` must carry JW or JZ."""
        if self.jz_required_from is None or service_date is None:
            return False
        return service_date >= self.jz_required_from

    def accepts_jz(self, service_date: date | None) -> bool:
        """Whether JZ may be billed on ``service_date`` (False before a later JZ start)."""
        if self.jz_accepted_from is None:
            return True
        return service_date is not None and service_date >= self.jz_accepted_from

    def limits_for(self, code: str) -> tuple[QuantityLimit, ...]:
        """The quantity limits that apply to ``code``."""
        return tuple(q for q in self.quantity_limits if q.code == code)

    def matches(self, claim: Claim) -> bool:
        """Whether this profile applies to ``claim`` (payer id and/or filing indicator)."""
        if not self.payer_ids and not self.filing_indicators:
            return False
        if self.payer_ids and claim.payer_id not in self.payer_ids:
            return False
        return not self.filing_indicators or claim.filing_indicator in self.filing_indicators


def rolling_window(day: date, days: int) -> tuple[date, date]:
    """The ``days``-long window ending on ``day`` (inclusive at both ends)."""
    return day - timedelta(days=days - 1), day
