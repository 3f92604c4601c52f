"""Model builder: one claim's segments → a frozen :class:`Claim` (837P and 837I)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from edi_scrub._drafts import draft_constructor
from edi_scrub.model.claim import (
    Claim,
    Diagnosis,
    DrugDetail,
    Field,
    Loc,
    ServiceDate,
    ServiceLine,
    Transaction,
    field_at,
    set_line_memos,
    set_segment_ids,
)
from edi_scrub.model.group import ClaimContext, parse_date
from edi_scrub.x12.lexer import Segment

# The model's values built from drafts (edi_scrub/_drafts.py): the same values as their
# constructors make, at about half the cost (a claim is ~100 of them).
_new_claim = draft_constructor(Claim)
_new_line = draft_constructor(ServiceLine)
_new_drug = draft_constructor(DrugDetail)
_new_date = draft_constructor(ServiceDate)
_new_diagnosis = draft_constructor(Diagnosis)
_new_loc = draft_constructor(Loc)

#: HI qualifiers that carry diagnosis codes (5010 and the 4010 spellings seen in real files).
_DX_QUALIFIERS = frozenset({"ABK", "ABF", "ABJ", "APR", "ABN", "BK", "BF", "BJ", "PR"})
#: The ones SV107 pointers count through on the 837P.
_POINTER_QUALIFIERS = frozenset({"ABK", "ABF", "BK", "BF"})
#: The service line segments (loop 2400): SV1 on the 837P, SV2 on the 837I.
_SERVICE_IDS = frozenset({"SV1", "SV2"})


def _field(parts: tuple[str, ...], index: int, pos: int, position: int, ref: str) -> Field:
    # Elements and names are passed in, not looked up here: the model builder is the
    # pipeline's hot path (a dozen fields per line), each segment's split is read once, and
    # the names are constants of the call sites.
    return field_at(parts[position] if position < len(parts) else "", pos, index, ref)


@cache
def _refs(seg_id: str) -> tuple[str, ...]:
    """Element names ``XXX00`` .. ``XXX09`` of a segment id (SV1 and SV2 only reach here)."""
    return tuple(f"{seg_id}{position:02d}" for position in range(10))


@cache
def _component_refs(seg_id: str, position: int) -> tuple[str, ...]:
    """Component names ``XXXnn-1`` .. ``XXXnn-6``."""
    return tuple(f"{seg_id}{position:02d}-{sub}" for sub in range(1, 7))


#: SV107 pointer names; a longer list (hostile input) formats the rest.
_POINTER_REFS = tuple(f"SV107-{i}" for i in range(1, 13))


@dataclass(slots=True)
class _LineDraft:
    lx: Field
    first_pos: int
    last_pos: int = -1
    #: (position, segment, its elements) of the SV1/SV2, LIN and CTP.
    service: tuple[int, Segment, tuple[str, ...]] | None = None
    service_date: ServiceDate | None = None
    control_number: Field | None = None
    #: Made on the first REF*G1 / NTE (few lines have one).
    prior_auth: list[Field] | None = None
    notes: list[Field] | None = None
    lin: tuple[int, Segment, tuple[str, ...]] | None = None
    ctp: tuple[int, Segment, tuple[str, ...]] | None = None


def _component(parts: tuple[str, ...], position: int, sub: int, separator: str) -> str:
    """What ``Segment.component(position, sub)`` reads, from the segment's elements."""
    subs = (parts[position] if position < len(parts) else "").split(separator)
    return subs[sub - 1] if sub - 1 < len(subs) else ""


def _service_date(seg: Segment, parts: tuple[str, ...], pos: int) -> ServiceDate:
    size = len(parts)
    qualifier = parts[2] if size > 2 else ""
    value = parts[3] if size > 3 else ""
    loc = _new_loc(pos, seg.index, "DTP03")
    if qualifier == "RD8" and "-" in value:
        start, _, end = value.partition("-")
        return _new_date(qualifier, parse_date(start), parse_date(end), loc)
    day = parse_date(value)
    return _new_date(qualifier, day, day, loc)


def _drug(
    lin_at: tuple[int, Segment, tuple[str, ...]],
    ctp_at: tuple[int, Segment, tuple[str, ...]] | None,
) -> DrugDetail:
    quantity = unit = None
    ctp_pos = None
    if ctp_at is not None:
        ctp_pos, ctp, parts = ctp_at
        index = ctp.index
        size = len(parts)
        quantity = field_at(parts[4] if size > 4 else "", ctp_pos, index, "CTP04")
        basis = parts[5] if size > 5 else ""
        unit = field_at(basis.split(ctp.delimiters.component)[0], ctp_pos, index, "CTP05-1")
    lin_pos, lin, parts = lin_at
    index = lin.index
    size = len(parts)
    return _new_drug(
        lin_pos,
        field_at(parts[2] if size > 2 else "", lin_pos, index, "LIN02"),
        field_at(parts[3] if size > 3 else "", lin_pos, index, "LIN03"),
        ctp_pos,
        quantity,
        unit,
    )


def _line(draft: _LineDraft, kind: Transaction, fallback: date | None) -> ServiceLine | None:
    # The hot path of the model (a dozen values per line): Field and Loc are made inline rather
    # than through _field, and each element is read from the segment's split once.
    if draft.service is None:
        return None
    pos, seg, parts = draft.service
    index, sep = seg.index, seg.delimiters.component
    size = len(parts)
    refs = _refs(seg.seg_id)
    # SV1: composite 01, charge 02, basis 03, units 04, pointers 07.
    # SV2: revenue 01, composite 02, charge 03, basis 04, units 05.
    professional = kind is Transaction.PROFESSIONAL
    comp = 1 if professional else 2
    subs = (parts[comp] if comp < size else "").split(sep)
    names = _component_refs(seg.seg_id, comp)
    count = len(subs)
    qualifier = field_at(subs[0], pos, index, names[0])
    code = field_at(subs[1] if count > 1 else "", pos, index, names[1])
    # Components 3-6; the empty ones are no modifiers.
    modifiers: tuple[Field, ...] = ()
    if count > 2:
        modifiers = tuple(
            [
                field_at(subs[sub], pos, index, names[sub])
                for sub in range(2, min(count, 6))
                if subs[sub]
            ]
        )
    pointers: tuple[Field, ...] = ()
    revenue = non_covered = None
    if professional:
        raw = parts[7] if size > 7 else ""
        if raw:
            pointers = tuple(
                [
                    field_at(value, pos, index, _POINTER_REFS[i] if i < 12 else f"SV107-{i + 1}")
                    for i, value in enumerate(raw.split(sep))
                ]
            )
    else:
        revenue = field_at(parts[1] if size > 1 else "", pos, index, refs[1])
        if size > 7 and parts[7]:
            non_covered = field_at(parts[7], pos, index, refs[7])
    at = comp + 1
    lin = draft.lin
    service_date = draft.service_date
    line = _new_line(
        draft.lx,
        draft.first_pos,
        draft.last_pos,
        pos,
        qualifier,
        code,
        modifiers,
        field_at(parts[at] if at < size else "", pos, index, refs[at]),
        field_at(parts[at + 1] if at + 1 < size else "", pos, index, refs[at + 1]),
        field_at(parts[at + 2] if at + 2 < size else "", pos, index, refs[at + 2]),
        revenue,
        pointers,
        draft.service_date,
        draft.control_number,
        () if draft.prior_auth is None else tuple(draft.prior_auth),
        () if draft.notes is None else tuple(draft.notes),
        None if lin is None else _drug(lin, draft.ctp),
        non_covered,
        fallback if service_date is None else None,
    )
    # The memos rules read most (line_modifier_codes and line_date, from what is at hand).
    set_line_memos(
        line,
        tuple([m.value for m in modifiers]),  # only non-empty components became modifiers
        fallback if service_date is None else service_date.start,
    )
    return line


def build_claim(segments: Sequence[Segment], context: ClaimContext, ordinal: int) -> Claim:
    """Build the model of one claim (CLM ... up to the next claim) from its segments."""
    clm = segments[0]
    kind = context.transaction
    diagnoses: list[Diagnosis] = []
    claim_auth: list[Field] = []
    statement = None
    cob = False
    drafts: list[_LineDraft] = []
    line: _LineDraft | None = None
    source: list[tuple[str, ...]] = []
    for pos, seg in enumerate(segments):
        parts = seg._parts  # the split memo, read without the property call (~240k per 10k)
        if parts is None:
            # Segment.parts written out, and not memoised on the segment: the builder reads
            # each segment's elements from here on (``source`` and the drafts carry them).
            parts = tuple(seg.text.split(seg.delimiters.element))
        source.append(parts)
        sid = seg.seg_id
        # XX01, what most branches test, is read only in those (not for SV1, LIN, CTP ...).
        if sid == "LX":
            lx = parts[1] if len(parts) > 1 else ""
            line = _LineDraft(field_at(lx, pos, seg.index, "LX01"), pos, pos)
            drafts.append(line)
            continue
        if line is None:
            if sid == "HI":
                _diagnoses(seg, parts, pos, diagnoses)
            elif sid == "REF":
                if len(parts) > 1 and parts[1] == "G1":
                    claim_auth.append(_field(parts, seg.index, pos, 2, "REF02"))
            elif sid == "DTP":
                if len(parts) > 1 and parts[1] == "434":
                    statement = parse_date((parts[3] if len(parts) > 3 else "").partition("-")[0])
            elif sid == "SBR":
                cob = True  # 2320: another payer's subscriber loop inside the claim
            continue
        line.last_pos = pos
        if sid in _SERVICE_IDS:
            if line.service is None:
                line.service = (pos, seg, parts)
        elif sid == "DTP":
            if line.service_date is None and len(parts) > 1 and parts[1] == "472":
                line.service_date = _service_date(seg, parts, pos)
        elif sid == "REF":
            if line.lin is None and len(parts) > 1:
                qualifier = parts[1]
                if qualifier == "6R" and line.control_number is None:
                    line.control_number = _field(parts, seg.index, pos, 2, "REF02")
                elif qualifier == "G1":
                    if line.prior_auth is None:
                        line.prior_auth = []
                    line.prior_auth.append(_field(parts, seg.index, pos, 2, "REF02"))
        elif sid == "NTE":
            if line.lin is None:
                if line.notes is None:
                    line.notes = []
                line.notes.append(_field(parts, seg.index, pos, 2, "NTE02"))
        elif sid == "LIN":
            if line.lin is None:
                line.lin = (pos, seg, parts)
        elif sid == "CTP":
            if line.lin is not None and line.ctp is None:
                line.ctp = (pos, seg, parts)
        elif sid == "SVD":
            cob = True  # 2430: a prior payer adjudicated this line
    fallback = statement if kind is Transaction.INSTITUTIONAL else None
    lines = tuple(built for draft in drafts if (built := _line(draft, kind, fallback)) is not None)
    clm_id, clm_parts = clm.seg_id, source[0]
    claim = _new_claim(
        kind,
        ordinal,
        _field(clm_parts, clm.index, 0, 1, f"{clm_id}01"),
        _field(clm_parts, clm.index, 0, 2, f"{clm_id}02"),
        context.filing_indicator,
        context.payer_id,
        tuple(diagnoses),
        tuple(claim_auth),
        statement,
        context.birth_date,
        context.weight_lb,
        lines,
        context.patient_key,
        tuple(source),
        clm.delimiters.component,
        _component(clm_parts, 5, 3, clm.delimiters.component),
        cob,
        context.billing_provider,
    )
    # The segment ids the lexer already read (Claim.segment_ids computes the same from source).
    set_segment_ids(claim, tuple([seg.seg_id for seg in segments]))
    return claim


def _diagnoses(seg: Segment, parts: tuple[str, ...], pos: int, out: list[Diagnosis]) -> None:
    # The pointer count is carried, not recounted per composite: a hostile HI with 100k
    # composites must cost linear time (recounting made it quadratic: 40k took 31 s).
    counted = sum(1 for d in out if d.qualifier in _POINTER_QUALIFIERS)
    for i, composite in enumerate(parts[1:], 1):
        qualifier, _, rest = composite.partition(seg.delimiters.component)
        if qualifier not in _DX_QUALIFIERS:
            continue
        code = rest.partition(seg.delimiters.component)[0]
        position = 0
        if qualifier in _POINTER_QUALIFIERS:
            counted += 1
            position = counted
        out.append(
            _new_diagnosis(qualifier, code, position, _new_loc(pos, seg.index, f"HI{i:02d}-2"))
        )
