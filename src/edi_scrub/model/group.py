"""Claim grouper: walks HL/CLM boundaries and hands over one claim at a time.

Segments outside claims (envelope, headers, HL, subscriber and patient loops) pass through one
by one; a claim (CLM up to the next HL, CLM or SE) comes out whole with the context the rules need
from the loops above it. Memory is bounded by the largest claim.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from edi_scrub._drafts import draft_constructor
from edi_scrub._slots import fast_init
from edi_scrub.errors import InputError
from edi_scrub.model.claim import Transaction
from edi_scrub.model.money import parse_amount
from edi_scrub.x12.lexer import Segment

_CLAIM_END = frozenset({"HL", "CLM", "SE", "GE", "IEA", "ST", "GS", "ISA"})
#: The segments :func:`_track` reads; the others (N3, N4, REF, PER ...) skip the call.
_TRACKED = frozenset({"GS", "ST", "HL", "PRV", "NM1", "SBR", "DMG", "PAT"})


@fast_init
@dataclass(frozen=True, slots=True)
class ClaimContext:
    """What a claim inherits from the loops above it (2000B/2010BA/2010BB/2000C/2010CA)."""

    transaction: Transaction
    implementation: str
    filing_indicator: str
    payer_id: str
    birth_date: date | None
    weight_lb: Decimal | None
    transaction_index: int
    #: An opaque digest of the patient's identity (member id, name, birth date) so that run-wide
    #: checks can add up one patient's claims. Never reported or logged.
    patient_key: str
    #: The billing/pay-to provider's NM1*85/NM1*87 and PRV (loop 2000A) as (file position,
    #: elements), for the provider rules: those segments sit above the claim.
    billing_provider: tuple[tuple[int, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimUnit:
    """One claim's segments in file order, with its context and 0-based ordinal in the file."""

    segments: tuple[Segment, ...]
    context: ClaimContext
    ordinal: int


Unit = Segment | ClaimUnit

# Built from drafts (edi_scrub/_drafts.py): one of each per claim, same values as the
# constructors make.
_new_context = draft_constructor(ClaimContext)
_new_unit = draft_constructor(ClaimUnit)


@lru_cache(maxsize=4096)
def parse_date(value: str) -> date | None:
    """CCYYMMDD to a date, or ``None`` when it is not a valid date.

    Memoised (bounded): a file repeats a few hundred service and birth dates across 50k line
    and patient reads, and a date is an immutable value of the text alone.
    """
    if len(value) != 8 or not (value.isascii() and value.isdigit()):
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def transaction_kind(version: str) -> Transaction | None:
    """837P or 837I from a GS08/ST03 implementation string, if it says."""
    if "X222" in version:
        return Transaction.PROFESSIONAL
    if "X223" in version:
        return Transaction.INSTITUTIONAL
    return None


@dataclass(slots=True)
class _State:
    gs08: str = ""
    st03: str = ""
    st_count: int = -1
    saw_837: bool = False
    hl_level: str = ""
    in_payer_loop: bool = False
    filing: str = ""
    payer_id: str = ""
    subscriber_dob: date | None = None
    patient_dob: date | None = None
    subscriber_id: str = ""
    patient_id: str = ""
    weight: Decimal | None = None
    billing: tuple[tuple[int, tuple[str, ...]], ...] = ()
    claims: int = 0
    #: The last claim's patient identity and its digest (see ClaimContext.patient_key).
    last_identity: str | None = None
    last_key: str = ""

    def context(self, clm: Segment, where: str) -> ClaimContext:
        version = self.st03 or self.gs08
        kind = transaction_kind(version)
        if kind is None:
            # Bare "005010" stamps: CLM05-2 says it (B = place of service, A = facility type).
            qualifier = clm.component(5, 2)
            kind = Transaction.INSTITUTIONAL if qualifier == "A" else Transaction.PROFESSIONAL
        patient = self.hl_level == "23"
        dob = self.patient_dob if patient else self.subscriber_dob
        identity = "|".join((self.subscriber_id, self.patient_id if patient else "", str(dob)))
        if identity == self.last_identity:
            key = self.last_key  # a patient's claims come in a row: hashed once
        else:
            key = hashlib.blake2b(identity.encode("latin-1"), digest_size=12).hexdigest()
            self.last_identity, self.last_key = identity, key
        return _new_context(
            kind,
            version,
            self.filing,
            self.payer_id,
            dob,
            self.weight,
            self.st_count,
            key,
            self.billing,
        )


def _weight(seg: Segment) -> Decimal | None:
    if seg.element(7) != "01":
        return None
    return parse_amount(seg.element(8))


#: What an ST01 and an X12 version look like. Anything else is shown only as its length: a
#: damaged delimiter can put any element there (``ST01 N4 CENTERVILLE PA 17111``, an address).
_ST01 = re.compile(r"[0-9]{3}")
_VERSION = re.compile(r"[0-9]{6}(?:X[0-9]{3}(?:A[0-9])?)?")


def _shown(value: str, shape: re.Pattern[str]) -> str:
    if not value:
        return "-"
    return value if shape.fullmatch(value) else f"unreadable ({len(value)} characters)"


def group(segments: Iterable[Segment], where: str = "<input>") -> Iterator[Unit]:
    """Yield pass-through segments and whole claims, in file order.

    Raises :class:`InputError` when the interchange holds no 837 5010 transaction set.
    """
    st = _State()
    # The open claim's segments, in a local: the check below runs for every segment.
    pending: list[Segment] = []
    for seg in segments:
        sid = seg.seg_id
        if pending:
            if sid not in _CLAIM_END:
                pending.append(seg)
                continue
            yield _close(st, pending, where)
            pending = []
        if sid == "CLM":
            pending = [seg]
            continue
        if sid in _TRACKED:
            _track(st, seg, sid, where)
        yield seg
    if pending:
        yield _close(st, pending, where)
    if not st.saw_837:
        raise InputError(f"{where}: no 837 5010 transaction set (ST01 837, 005010 version) found")


def _close(st: _State, pending: list[Segment], where: str) -> ClaimUnit:
    unit = _new_unit(tuple(pending), st.context(pending[0], where), st.claims)
    st.claims += 1
    return unit


def _track(st: _State, seg: Segment, sid: str, where: str) -> None:
    if sid == "GS":
        st.gs08 = seg.element(8)
    elif sid == "ST":
        st.st03 = seg.element(3)
        st.st_count += 1
        version = st.st03 or st.gs08
        if seg.element(1) != "837" or not version.startswith("00501"):
            raise InputError(
                f"{where}: segment {seg.index}: not an 837 5010 transaction set "
                f"(ST01 {_shown(seg.element(1), _ST01)}, version {_shown(version, _VERSION)})"
            )
        st.saw_837 = True
    elif sid == "HL":
        st.hl_level = seg.element(3)
        st.in_payer_loop = False
        if st.hl_level == "20":
            st.billing = ()
        if st.hl_level == "22":
            st.filing, st.payer_id, st.subscriber_dob = "", "", None
            st.patient_dob, st.weight, st.subscriber_id, st.patient_id = None, None, "", ""
        elif st.hl_level == "23":
            st.patient_dob, st.weight, st.patient_id = None, None, ""
    elif st.hl_level == "20" and (
        sid == "PRV" or (sid == "NM1" and seg.element(1) in ("85", "87"))
    ):
        st.billing += ((seg.index, tuple(seg.elements)),)
    elif sid == "SBR" and st.hl_level == "22":
        st.filing = seg.element(9)
    elif sid == "NM1" and st.hl_level == "22":
        st.in_payer_loop = seg.element(1) == "PR"
        if st.in_payer_loop:
            st.payer_id = seg.element(9)
        elif seg.element(1) == "IL":
            st.subscriber_id = "|".join(seg.elements[3:10])
    elif sid == "NM1" and st.hl_level == "23" and seg.element(1) == "QC":
        st.patient_id = "|".join(seg.elements[3:10])
    elif sid == "DMG" and seg.element(1) == "D8":
        dob = parse_date(seg.element(2))
        if st.hl_level == "23":
            st.patient_dob = dob
        elif st.hl_level == "22" and not st.in_payer_loop:
            st.subscriber_dob = dob
    elif sid == "PAT":
        st.weight = _weight(seg)
