"""The claim model: frozen, position-aware values that rules read and never change.

Every value is a :class:`Field` that remembers where it came from: ``pos`` (its segment's position
inside the claim's segment list, which is what fixes address) and ``segment`` (its 1-based position
in the input file, which is what reports show; 0 for segments edi-scrub created).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from edi_scrub._drafts import draft_class
from edi_scrub._slots import fast_init, slot_setter
from edi_scrub.model.money import parse_amount


class Transaction(StrEnum):
    """The two 837 flavours edi-scrub reads."""

    PROFESSIONAL = "837P"
    INSTITUTIONAL = "837I"


@fast_init
@dataclass(frozen=True, slots=True)
class Loc:
    """Where a value lives: claim-local position, file position and element reference."""

    pos: int
    segment: int
    ref: str


class _FieldMemo:
    """Where a :func:`field_at` value lives, until its :class:`Loc` is asked for: a base-class
    slot, so no part of its value (not in ``fields()``, ``==``, ``repr`` or a pickle)."""

    __slots__ = ("_at",)
    _at: tuple[int, int, str]


@fast_init
@dataclass(frozen=True, slots=True)
class Field(_FieldMemo):
    """A value with its location. ``value`` is the raw element text."""

    value: str
    loc: Loc

    def decimal(self) -> Decimal | None:
        """The value as a decimal, or ``None`` when it is not an X12 number (see money.py)."""
        return parse_amount(self.value)

    if not TYPE_CHECKING:  # mypy would otherwise accept any attribute name on a Field

        def __getattr__(self, name: str) -> Loc:
            # Called only when the ``loc`` slot is empty: a field_at() value made its Loc
            # lazily. Any other missing name is the usual AttributeError.
            if name == "loc":
                try:
                    at = self._at
                except AttributeError:
                    pass
                else:
                    loc = Loc(*at)
                    _SET_FIELD_LOC(self, loc)
                    return loc
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


def file_segment(field: Field) -> int:
    """``field.loc.segment`` without making a :func:`field_at` value's Loc."""
    try:
        return field._at[1]
    except AttributeError:  # a Field made with its Loc
        return field.loc.segment


def field_at(value: str, pos: int, segment: int, ref: str) -> Field:
    """``Field(value, Loc(pos, segment, ref))``, with the Loc made only when first read.

    The model builder makes a dozen fields per service line, and rules read the location of few
    of them (findings and fixes): the value is the same Field in every respect (``==``, hash,
    ``repr``, pickling, ``replace``), only cheaper to make.
    """
    made = _FieldDraft()  # see edi_scrub/_drafts.py
    made.value = value
    made._at = (pos, segment, ref)
    made.__class__ = Field
    return made  # type: ignore[no-any-return]


@fast_init
@dataclass(frozen=True, slots=True)
class ServiceDate:
    """DTP*472: a single date (D8) or a span (RD8)."""

    qualifier: str
    start: date | None
    end: date | None
    loc: Loc


@fast_init
@dataclass(frozen=True, slots=True)
class Diagnosis:
    """One diagnosis code from HI, with its 1-based position (what SV107 points at)."""

    qualifier: str
    code: str
    position: int
    loc: Loc


@fast_init
@dataclass(frozen=True, slots=True)
class DrugDetail:
    """Loop 2410: LIN (NDC) and CTP (quantity and unit)."""

    lin_pos: int
    qualifier: Field
    ndc: Field
    ctp_pos: int | None
    quantity: Field | None
    unit: Field | None

    @property
    def last_pos(self) -> int:
        """Position of the last segment of the 2410 loop's LIN/CTP pair."""
        return self.ctp_pos if self.ctp_pos is not None else self.lin_pos


class _LineMemo:
    """What a service line computes once: base-class slots, so no part of its value (not in
    ``fields()``, ``==``, ``repr`` or a pickle). Rules read them ~7 times per line, so they
    are plain slots (a read costs no call): the builder fills them, and a line made any other
    way (its constructor, ``replace``, unpickling) computes each on first read (see
    ``ServiceLine.__getattr__``).
    """

    __slots__ = ("date_of_service", "modifier_codes")
    #: The modifiers as plain strings, in slot order (empty slots left out).
    modifier_codes: tuple[str, ...]
    #: The line's start date of service: DTP*472, else the claim's statement period.
    date_of_service: date | None


@fast_init
@dataclass(frozen=True, slots=True)
class ServiceLine(_LineMemo):
    """Loop 2400: one service line (SV1 on the 837P, SV2 on the 837I)."""

    lx: Field
    first_pos: int
    last_pos: int
    service_pos: int
    qualifier: Field
    code: Field
    modifiers: tuple[Field, ...]
    charge: Field
    unit_basis: Field
    units: Field
    revenue_code: Field | None
    dx_pointers: tuple[Field, ...]
    service_date: ServiceDate | None
    control_number: Field | None
    prior_auth: tuple[Field, ...]
    notes: tuple[Field, ...]
    drug: DrugDetail | None
    #: SV207, the 837I line's non-covered charge (``None`` on the 837P or when absent).
    non_covered: Field | None = None
    #: The date that stands in for a missing DTP*472: the 837I statement period's start
    #: (DTP*434), which dates every line of an institutional claim that has no line date.
    fallback_date: date | None = None

    if not TYPE_CHECKING:  # mypy would otherwise accept any attribute name on a line

        def __getattr__(self, name: str) -> object:
            # Called only when a memo slot (see _LineMemo) is empty: the line was not made by
            # the builder. Any other missing name is the usual AttributeError.
            if name == "modifier_codes":
                codes = line_modifier_codes(self.modifiers)
                _SET_MODIFIER_CODES(self, codes)
                return codes
            if name == "date_of_service":
                day = line_date(self.service_date, self.fallback_date)
                _SET_DATE_OF_SERVICE(self, day)
                return day
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def has_modifier(self, code: str) -> bool:
        """Whether ``code`` is among the line's modifiers."""
        return code in self.modifier_codes

    @property
    def service_span(self) -> tuple[date, date] | None:
        """The line's dates as (first, last): D8 is a one-day span, RD8 its two dates."""
        sd = self.service_date
        if sd is not None and sd.start is not None:
            return sd.start, sd.end or sd.start
        return (self.fallback_date, self.fallback_date) if self.fallback_date else None


class _ClaimMemo:
    """What a claim computes once on first use: a base-class slot, so no part of its value
    (not in ``fields()``, ``==``, ``repr`` or a pickle)."""

    __slots__ = ("_segment_ids",)
    _segment_ids: tuple[str, ...]


@fast_init
@dataclass(frozen=True, slots=True)
class Claim(_ClaimMemo):
    """Loop 2300 with its lines and the 2000B/2000C context rules need.

    Birth date and weight are kept only as values for age and dose checks; they never reach a
    report or a log.
    """

    transaction: Transaction
    ordinal: int
    clm01: Field
    clm02: Field
    filing_indicator: str
    payer_id: str
    diagnoses: tuple[Diagnosis, ...]
    prior_auth: tuple[Field, ...]
    statement_date: date | None
    birth_date: date | None
    weight_lb: Decimal | None
    lines: tuple[ServiceLine, ...]
    #: Opaque digest identifying the patient across claims of one run; never reported.
    patient_key: str
    #: Element lists of the claim's segments by position, for fixes that copy segments.
    source: tuple[tuple[str, ...], ...]
    component_separator: str
    #: CLM05-3 claim frequency: 1 original, 7 replacement, 8 void ("" when absent).
    frequency: str = ""
    #: The claim carries coordination-of-benefits data (a 2320 other-subscriber loop or a
    #: 2430 line adjudication): other payers have seen it, so its lines and money must balance
    #: against theirs.
    cob: bool = False
    #: The billing/pay-to provider's NM1 and PRV (loop 2000A, above the claim) as (file
    #: position, elements); read by the provider rules only.
    billing_provider: tuple[tuple[int, tuple[str, ...]], ...] = ()

    @property
    def is_void(self) -> bool:
        """CLM05-3 = 8: the claim cancels an earlier one and must match it exactly.

        ``08`` and `` 8`` (invalid, but a void by any reading) count: a money fix applied to
        such a claim broke the void once its frequency code was corrected."""
        return self.frequency == "8" or self.frequency_code == "8"

    @property
    def frequency_code(self) -> str:
        """CLM05-3 as a payer reads it: ``08``, `` 8`` and ``8 `` are ``8`` (invalid forms, but
        taken for an original they made voids and replacements look like new claims)."""
        return self.frequency.strip(" ").lstrip("0")

    @property
    def claim_id(self) -> str:
        """CLM01, the patient control number: how reports name a claim."""
        return self.clm01.value

    @property
    def segment_ids(self) -> tuple[str, ...]:
        """The id of each segment of ``source``, by position (computed once per claim).

        Read as :func:`edi_scrub.model.source.segment_id` reads it: whitespace a file puts
        before the id stripped.
        """
        try:
            return self._segment_ids
        except AttributeError:
            ids = tuple([parts[0].strip() if parts else "" for parts in self.source])
            _SET_SEGMENT_IDS(self, ids)
            return ids

    def positions(self, seg_id: str) -> tuple[int, ...]:
        """Positions in ``source`` of the segments with id ``seg_id``, in order."""
        ids = self.segment_ids
        found: list[int] = []
        # The scans run in C (tuple.count, tuple.index), not as a Python loop over the claim.
        pos = -1
        for _ in range(ids.count(seg_id)):
            pos = ids.index(seg_id, pos + 1)
            found.append(pos)
        return tuple(found)


_FieldDraft = draft_class(Field)
_SET_FIELD_LOC = slot_setter(Field, "loc")
_SET_MODIFIER_CODES = slot_setter(_LineMemo, "modifier_codes")
_SET_DATE_OF_SERVICE = slot_setter(_LineMemo, "date_of_service")


def line_modifier_codes(modifiers: tuple[Field, ...]) -> tuple[str, ...]:
    """What :attr:`ServiceLine.modifier_codes` holds for ``modifiers``."""
    return tuple([m.value for m in modifiers if m.value])


def line_date(service_date: ServiceDate | None, fallback: date | None) -> date | None:
    """What :attr:`ServiceLine.date_of_service` holds: the DTP*472 start, else ``fallback``."""
    if service_date is not None and service_date.start is not None:
        return service_date.start
    return fallback


def set_line_memos(line: ServiceLine, codes: tuple[str, ...], day: date | None) -> None:
    """Fill a line's memos with what its builder already knows.

    ``codes`` and ``day`` must be :func:`line_modifier_codes` and :func:`line_date` of the
    line (tests/test_model_reference.py checks every built line).
    """
    _SET_MODIFIER_CODES(line, codes)
    _SET_DATE_OF_SERVICE(line, day)


_SET_SEGMENT_IDS = slot_setter(_ClaimMemo, "_segment_ids")


def set_segment_ids(claim: Claim, ids: tuple[str, ...]) -> None:
    """Fill the :attr:`Claim.segment_ids` memo with ids its builder already read.

    ``ids`` must be what the property computes: each segment's id, stripped, by position.
    """
    _SET_SEGMENT_IDS(claim, ids)
