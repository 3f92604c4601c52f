"""Run-wide usage history: units billed per patient, code and date by earlier claims of a run.

Quantity limits over a rolling period (UNT006) and per-day MUEs (UNT005) look across claims.
Rules stay pure: they only *read* the history of claims already finished; the pipeline records
each claim once, in its final (fixed) state, after its fix loop is over, so re-running rules
during the fix loop never counts a claim twice. Patients are keyed by an opaque digest.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from edi_scrub.model.claim import Claim


@dataclass(slots=True)
class UsageHistory:
    """Units per (patient key, HCPCS code) and date of service.

    ``codes``, when given, limits what is recorded to the codes some limit or MUE can ask about:
    recording every line of a 50,000-claim file would otherwise hold tens of MiB for nothing.
    """

    codes: frozenset[str] | None = None
    _units: defaultdict[tuple[str, str], defaultdict[date, Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Decimal))
    )

    def units_between(self, patient_key: str, code: str, start: date, end: date) -> Decimal:
        """Units of ``code`` billed for the patient from ``start`` to ``end`` (inclusive)."""
        days = self._units.get((patient_key, code))
        if not days:
            return Decimal(0)
        return sum((u for d, u in days.items() if start <= d <= end), Decimal(0))

    def record(self, claim: Claim) -> None:
        """Add ``claim``'s billed units (lines with a date and numeric units)."""
        for line in claim.lines:
            if self.codes is not None and line.code.value not in self.codes:
                continue
            units = line.units.decimal()
            day = line.date_of_service
            if units is None or day is None or units <= 0:
                continue
            self._units[(claim.patient_key, line.code.value)][day] += units
