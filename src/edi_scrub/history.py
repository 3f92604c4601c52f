"""Run-wide usage history: units billed per patient, code and date by earlier claims of a run.

Quantity limits over a rolling period (UNT006) and per-day MUEs (UNT005) look across claims, and
so does the duplicate-claim check (DUP001), which asks which earlier claim billed the same line.
Rules stay pure: they only *read* the history of claims already finished; the pipeline records
each claim once, in its final (fixed) state, after its fix loop is over, so re-running rules
during the fix loop never counts a claim twice. Patients are keyed by an opaque digest.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from edi_scrub.model.claim import Claim, ServiceLine
from edi_scrub.model.ndc import read_ndc
from edi_scrub.model.source import frequency

#: Frequencies of claims that act on an earlier claim (replacement, void): they repeat its lines
#: on purpose, so they neither are nor make duplicates.
_CORRECTIONS = frozenset({"7", "8"})
#: Modifier 76 (repeat procedure, domain.md §5) marks a line billed again on purpose.
_REPEAT = "76"


def duplicate_keys(claim: Claim) -> list[tuple[ServiceLine, int]]:
    """Each line's key for what makes two lines the same service: patient, date, code, NDC, units.

    Lines that cannot be duplicates get none: no date of service, modifier 76, or a claim that
    replaces or voids another. The key is a hash, only compared within one process's run; a
    64-bit hash keeps a 50,000-claim run's index small, and a collision is vanishingly rare.
    """
    if frequency(claim) in _CORRECTIONS:
        return []
    keys: list[tuple[ServiceLine, int]] = []
    for line in claim.lines:
        day = line.service_date
        if day is None or day.start is None or line.has_modifier(_REPEAT):
            continue
        # Normalised, so that NDC003 reformatting one copy cannot make (or unmake) a duplicate.
        raw = line.drug.ndc.value if line.drug is not None else ""
        ndc = read_ndc(raw).normalized or raw
        units = line.units.decimal()
        amount = str(units.normalize()) if units is not None else line.units.value
        identity = (claim.patient_key, day.start, day.end, line.code.value, ndc, amount)
        keys.append((line, hash(identity)))
    return keys


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
    #: Duplicate key of every dated line of the run -> CLM01 of the first claim that billed it.
    _lines: dict[int, str] = field(default_factory=dict)

    def claim_with_line(self, key: int) -> str | None:
        """CLM01 of the earlier claim of this run that billed a line with ``key``, if any."""
        return self._lines.get(key)

    def units_between(self, patient_key: str, code: str, start: date, end: date) -> Decimal:
        """Units of ``code`` billed for the patient from ``start`` to ``end`` (inclusive)."""
        days = self._units.get((patient_key, code))
        if not days:
            return Decimal(0)
        return sum((u for d, u in days.items() if start <= d <= end), Decimal(0))

    def record(self, claim: Claim) -> None:
        """Add ``claim``'s billed units (lines with a date and numeric units) and its lines."""
        for _, key in duplicate_keys(claim):
            self._lines.setdefault(key, claim.claim_id)
        for line in claim.lines:
            if self.codes is not None and line.code.value not in self.codes:
                continue
            units = line.units.decimal()
            day = line.date_of_service
            if units is None or day is None or units <= 0:
                continue
            self._units[(claim.patient_key, line.code.value)][day] += units
