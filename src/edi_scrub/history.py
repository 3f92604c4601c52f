"""Run-wide usage history: units billed per patient, code and date by earlier claims of a run.

Quantity limits over a rolling period (UNT006) and per-day MUEs (UNT005) look across claims, and
so does the duplicate-claim check (DUP001), which asks which earlier claim billed the same line.
Rules stay pure: they only *read* the history of claims already finished; the pipeline records
each claim once, in its final (fixed) state, after its fix loop is over, so re-running rules
during the fix loop never counts a claim twice. Patients are keyed by an opaque digest.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from edi_scrub.model.claim import Claim, ServiceLine
from edi_scrub.model.money import parse_amount
from edi_scrub.model.ndc import read_ndc
from edi_scrub.spill_map import SpillMap

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
    # DUP001 asks this of a claim, then the pipeline's record() of the same claim object: the
    # last answer is kept (claims are immutable; one tuple, replaced whole) and copied out.
    last = _LAST_KEYS[0]
    if last[0] is claim:
        return list(last[1])
    keys = _duplicate_keys(claim)
    _LAST_KEYS[0] = (claim, tuple(keys))
    return keys


def _duplicate_keys(claim: Claim) -> list[tuple[ServiceLine, int]]:
    # A void or replacement written ``08`` or `` 7`` was taken for an original, so the claim
    # sent after it with the same lines was a "duplicate".
    if claim.frequency_code in _CORRECTIONS:
        return []
    keys: list[tuple[ServiceLine, int]] = []
    patient = claim.patient_key
    ndc_key, units_key = _ndc_key, _units_key
    for line in claim.lines:
        day = line.service_date
        # ``in modifier_codes`` is ``has_modifier`` without the method call (asked of every
        # dated line of every check).
        if day is None or (start := day.start) is None or _REPEAT in line.modifier_codes:
            continue
        # Normalised, so that NDC003 reformatting one copy cannot make (or unmake) a duplicate.
        drug = line.drug
        ndc = ndc_key(drug.ndc.value if drug is not None else "")
        identity = (patient, start, day.end, line.code.value, ndc, units_key(line.units.value))
        keys.append((line, hash(identity)))
    return keys


#: The last claim :func:`duplicate_keys` answered for, and its keys (the claim is held, so its
#: id cannot be reused by another).
_LAST_KEYS: list[tuple[Claim | None, tuple[tuple[ServiceLine, int], ...]]] = [(None, ())]


# Pure functions of one element's text, cached by it: a file repeats its NDCs and unit counts.
@lru_cache(maxsize=4096)
def _ndc_key(raw: str) -> str:
    return read_ndc(raw).normalized or raw


@lru_cache(maxsize=4096)
def _units_key(text: str) -> str:
    units = parse_amount(text)
    return str(units.normalize()) if units is not None else text


#: Entries each of the history's maps keeps in memory before it moves them to disk (see
#: :mod:`edi_scrub.spill_map`): about 4,500 claims' dated lines, 4,096 (patient, code) pairs.
#: Was 65,536 / 16,384: the main process then peaked ~15 MiB higher at 100k claims (84.6 vs
#: 69.6 MiB; the process tree's PSS 105 vs 92 MiB, over the 100 MB budget) for no measurable
#: CPU (lookups of keys never seen are answered by the spill map's Bloom filter).
#: Read when a history is made, so tests can lower them.
LINES_IN_MEMORY = 1 << 14
UNITS_IN_MEMORY = 1 << 12
#: Answers :meth:`UsageHistory.claim_with_line` remembers between two records.
_ASKED_MAX = 1024


@dataclass(frozen=True, slots=True)
class ClaimUsage:
    """What one claim adds to the history: its CLM01, the duplicate key of each dated line
    (in line order) and its counted units as ((patient key, code), date of service, units)."""

    claim_id: str
    lines: tuple[int, ...]
    units: tuple[tuple[tuple[str, str], date, Decimal], ...]


@dataclass(slots=True, eq=False)
class UsageHistory:
    """Units per (patient key, HCPCS code) and date of service, and the run's dated lines.

    ``codes``, when given, limits what is recorded to the codes some limit or MUE can ask about:
    recording every line of a 50,000-claim file would otherwise hold tens of MiB for nothing.
    Both maps keep a bounded number of entries in memory and the rest in a private temporary
    database (:class:`~edi_scrub.spill_map.SpillMap`), with the same answers: memory stays flat
    at any file size. On disk, keys are digests salted per run, and dates are shifted by a
    secret per-run number of days (see :func:`_units_codec`).
    """

    codes: frozenset[str] | None = None
    #: Units per (patient key, code): date of service -> units, in the order dates were first
    #: billed (the order :meth:`units_between` adds them in, so sums are exactly as before).
    _units: SpillMap[tuple[str, str], dict[date, Decimal]] = field(init=False)
    #: Duplicate key of every dated line of the run -> CLM01 of the first claim that billed it.
    _lines: SpillMap[int, str] = field(init=False)
    #: Once lines are on disk: what DUP001 asked about the claim being checked, so that
    #: :meth:`record` does not ask the disk again (only ``record`` changes the answers, and it
    #: empties this).
    _asked: dict[int, str | None] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        # At least 2**16 days (179 years) away from the real dates of any plausible file.
        encode, decode = _units_codec((1 << 16) + secrets.randbelow(1 << 20))
        self._units = SpillMap(UNITS_IN_MEMORY, _pair_bytes, encode, decode)
        self._lines = SpillMap(LINES_IN_MEMORY, _int_bytes, str, str)

    def claim_with_line(self, key: int) -> str | None:
        """CLM01 of the earlier claim of this run that billed a line with ``key``, if any."""
        lines = self._lines
        found = lines.get(key)
        if lines.spilled:
            if len(self._asked) >= _ASKED_MAX:  # rules run without recording (a library user)
                self._asked.clear()
            self._asked[key] = found
        return found

    def units_between(self, patient_key: str, code: str, start: date, end: date) -> Decimal:
        """Units of ``code`` billed for the patient from ``start`` to ``end`` (inclusive)."""
        days = self._units.get((patient_key, code))
        if not days:
            return Decimal(0)
        return sum((u for d, u in days.items() if start <= d <= end), Decimal(0))

    def record(self, claim: Claim) -> None:
        """Add ``claim``'s billed units (lines with a date and numeric units) and its lines."""
        self.add(self.usage(claim))

    def usage(self, claim: Claim) -> ClaimUsage:
        """What :meth:`record` adds for ``claim``, read from the claim alone (no history).

        A worker process that scrubbed the claim computes it; the process that owns the
        history adds it, in claim order (:mod:`edi_scrub.parallel`).
        """
        keys = tuple([key for _, key in duplicate_keys(claim)])
        units: list[tuple[tuple[str, str], date, Decimal]] = []
        # A void cancels units billed before; counted, they pushed the claim that replaces it in
        # the same file over its MUE or quantity limit (UNT005/UNT006).
        for line in () if claim.is_void else claim.lines:
            if self.codes is not None and line.code.value not in self.codes:
                continue
            amount = line.units.decimal()
            day = line.date_of_service
            if amount is None or day is None or amount <= 0:
                continue
            units.append(((claim.patient_key, line.code.value), day, amount))
        return ClaimUsage(claim.claim_id, keys, tuple(units))

    def add(self, usage: ClaimUsage) -> None:
        """Add one claim's :class:`ClaimUsage` (see :meth:`record`)."""
        lines, asked = self._lines, self._asked
        self._asked = {}
        for key in usage.lines:
            # Popped: a second line of this claim with the same key must see the first one.
            known = asked.pop(key) if key in asked else lines.get(key)
            if known is None:  # the first claim that billed a line keeps it
                lines[key] = usage.claim_id
        for pair, day, amount in usage.units:
            days = self._units.get(pair)
            if days is None:
                days = {}
            days[day] = days.get(day, Decimal(0)) + amount
            # Stored again even when it was the dict's own object: one read back from disk is
            # a copy, and the map's memory part must then supersede the disk's.
            self._units[pair] = days

    def close(self) -> None:
        """Drop what the history holds (its temporary database too); it is empty afterwards."""
        self._units.close()
        self._lines.close()
        self._asked = {}


def _int_bytes(key: int) -> bytes:
    return key.to_bytes(8, "little", signed=True)


def _pair_bytes(pair: tuple[str, str]) -> bytes:
    # NUL cannot occur in an element (the lexer's delimiters are printable), so pairs that
    # differ stay different.
    return "\0".join(pair).encode("utf-8", "surrogateescape")


def _units_codec(
    shift: int,
) -> tuple[Callable[[dict[date, Decimal]], str], Callable[[str], dict[date, Decimal]]]:
    """Encode a patient's units per date as ``day:units;...`` and back, exactly (a Decimal's
    ``str`` keeps its digits and exponent). Days are ordinals plus ``shift``, a secret number
    of days per run, so the file holds no real date of service."""

    def encode(days: dict[date, Decimal]) -> str:
        return ";".join(f"{d.toordinal() + shift}:{u}" for d, u in days.items())

    def decode(text: str) -> dict[date, Decimal]:
        days: dict[date, Decimal] = {}
        for item in text.split(";"):
            day, _, units = item.partition(":")
            days[date.fromordinal(int(day) - shift)] = Decimal(units)
        return days

    return encode, decode
