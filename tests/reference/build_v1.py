"""Reference copy of model/build.py as it was before the speed work (issue 9, commit 74ab1c4).

Kept verbatim (but for this docstring and importing parse_date from the reference group) so that tests/test_model_reference.py can check
that the faster model builder and grouper give equal claims, contexts and pass-through
segments on every input. Not used by edi-scrub itself; do not "improve" it.
"""


from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from edi_scrub.model.claim import (
    Claim,
    Diagnosis,
    DrugDetail,
    Field,
    Loc,
    ServiceDate,
    ServiceLine,
    Transaction,
)
from edi_scrub.model.group import ClaimContext
from edi_scrub.x12.lexer import Segment
from tests.reference.group_v1 import parse_date

#: HI qualifiers that carry diagnosis codes (5010 and the 4010 spellings seen in real files).
_DX_QUALIFIERS = frozenset({"ABK", "ABF", "ABJ", "APR", "ABN", "BK", "BF", "BJ", "PR"})
#: The ones SV107 pointers count through on the 837P.
_POINTER_QUALIFIERS = frozenset({"ABK", "ABF", "BK", "BF"})


def _field(seg: Segment, pos: int, position: int, ref: str | None = None) -> Field:
    name = ref or f"{seg.seg_id}{position:02d}"
    return Field(seg.element(position), Loc(pos, seg.index, name))


def _components(seg: Segment, pos: int, position: int, subs: range) -> list[Field]:
    # One split for the whole composite: the model builder is the pipeline's hot path.
    parts = seg.element(position).split(seg.delimiters.component)
    prefix = f"{seg.seg_id}{position:02d}-"
    return [
        Field(parts[sub - 1] if sub <= len(parts) else "", Loc(pos, seg.index, f"{prefix}{sub}"))
        for sub in subs
    ]


def _component(seg: Segment, pos: int, position: int, sub: int) -> Field:
    return _components(seg, pos, position, range(sub, sub + 1))[0]


@dataclass(slots=True)
class _LineDraft:
    lx: Field
    first_pos: int
    last_pos: int = -1
    service: tuple[int, Segment] | None = None
    service_date: ServiceDate | None = None
    control_number: Field | None = None
    prior_auth: list[Field] = field(default_factory=list)
    notes: list[Field] = field(default_factory=list)
    lin: tuple[int, Segment] | None = None
    ctp: tuple[int, Segment] | None = None


def _service_date(seg: Segment, pos: int) -> ServiceDate:
    qualifier, value = seg.element(2), seg.element(3)
    loc = Loc(pos, seg.index, "DTP03")
    if qualifier == "RD8" and "-" in value:
        start, _, end = value.partition("-")
        return ServiceDate(qualifier, parse_date(start), parse_date(end), loc)
    day = parse_date(value)
    return ServiceDate(qualifier, day, day, loc)


def _drug(draft: _LineDraft) -> DrugDetail | None:
    if draft.lin is None:
        return None
    lin_pos, lin = draft.lin
    ctp_pos, ctp = draft.ctp if draft.ctp else (None, None)
    quantity = _field(ctp, ctp_pos, 4) if ctp is not None and ctp_pos is not None else None
    unit = _component(ctp, ctp_pos, 5, 1) if ctp is not None and ctp_pos is not None else None
    return DrugDetail(
        lin_pos, _field(lin, lin_pos, 2), _field(lin, lin_pos, 3), ctp_pos, quantity, unit
    )


def _line(draft: _LineDraft, kind: Transaction, fallback: date | None) -> ServiceLine | None:
    if draft.service is None:
        return None
    pos, seg = draft.service
    # SV1: composite 01, charge 02, basis 03, units 04, pointers 07.
    # SV2: revenue 01, composite 02, charge 03, basis 04, units 05.
    comp = 1 if kind is Transaction.PROFESSIONAL else 2
    qualifier, code, *modifiers = _components(seg, pos, comp, range(1, 7))
    pointers: tuple[Field, ...] = ()
    revenue = non_covered = None
    if kind is Transaction.PROFESSIONAL:
        raw = seg.element(7)
        pointers = tuple(
            Field(value, Loc(pos, seg.index, f"SV107-{i}"))
            for i, value in enumerate(raw.split(seg.delimiters.component) if raw else [], 1)
        )
    else:
        revenue = _field(seg, pos, 1)
        if seg.element(7):
            non_covered = _field(seg, pos, 7)
    return ServiceLine(
        lx=draft.lx,
        first_pos=draft.first_pos,
        last_pos=draft.last_pos,
        service_pos=pos,
        qualifier=qualifier,
        code=code,
        modifiers=tuple(m for m in modifiers if m.value),
        charge=_field(seg, pos, comp + 1),
        unit_basis=_field(seg, pos, comp + 2),
        units=_field(seg, pos, comp + 3),
        revenue_code=revenue,
        dx_pointers=pointers,
        service_date=draft.service_date,
        control_number=draft.control_number,
        prior_auth=tuple(draft.prior_auth),
        notes=tuple(draft.notes),
        drug=_drug(draft),
        non_covered=non_covered,
        fallback_date=fallback if draft.service_date is None else None,
    )


def build_claim(segments: Sequence[Segment], context: ClaimContext, ordinal: int) -> Claim:
    """Build the model of one claim (CLM ... up to the next claim) from its segments."""
    clm = segments[0]
    kind = context.transaction
    diagnoses: list[Diagnosis] = []
    claim_auth: list[Field] = []
    statement = None
    cob = False
    drafts: list[_LineDraft] = []
    service_ids = {"SV1", "SV2"}
    for pos, seg in enumerate(segments):
        sid = seg.seg_id
        line = drafts[-1] if drafts else None
        if line is not None and sid != "LX":
            line.last_pos = pos
        if sid == "LX":
            drafts.append(_LineDraft(_field(seg, pos, 1), pos, pos))
        elif line is None:
            if sid == "HI":
                _diagnoses(seg, pos, diagnoses)
            elif sid == "REF" and seg.element(1) == "G1":
                claim_auth.append(_field(seg, pos, 2))
            elif sid == "DTP" and seg.element(1) == "434":
                statement = parse_date(seg.element(3).partition("-")[0])
            elif sid == "SBR":
                cob = True  # 2320: another payer's subscriber loop inside the claim
        elif sid in service_ids and line.service is None:
            line.service = (pos, seg)
        elif sid == "DTP" and seg.element(1) == "472" and line.service_date is None:
            line.service_date = _service_date(seg, pos)
        elif sid == "REF" and line.lin is None:
            if seg.element(1) == "6R" and line.control_number is None:
                line.control_number = _field(seg, pos, 2)
            elif seg.element(1) == "G1":
                line.prior_auth.append(_field(seg, pos, 2))
        elif sid == "NTE" and line.lin is None:
            line.notes.append(_field(seg, pos, 2))
        elif sid == "LIN" and line.lin is None:
            line.lin = (pos, seg)
        elif sid == "CTP" and line.lin is not None and line.ctp is None:
            line.ctp = (pos, seg)
        elif sid == "SVD":
            cob = True  # 2430: a prior payer adjudicated this line
    fallback = statement if kind is Transaction.INSTITUTIONAL else None
    lines = tuple(built for draft in drafts if (built := _line(draft, kind, fallback)) is not None)
    return Claim(
        transaction=kind,
        ordinal=ordinal,
        clm01=_field(clm, 0, 1),
        clm02=_field(clm, 0, 2),
        filing_indicator=context.filing_indicator,
        payer_id=context.payer_id,
        diagnoses=tuple(diagnoses),
        prior_auth=tuple(claim_auth),
        statement_date=statement,
        birth_date=context.birth_date,
        weight_lb=context.weight_lb,
        lines=lines,
        patient_key=context.patient_key,
        source=tuple(tuple(seg.elements) for seg in segments),
        component_separator=clm.delimiters.component,
        frequency=clm.component(5, 3),
        cob=cob,
        billing_provider=context.billing_provider,
    )


def _diagnoses(seg: Segment, pos: int, out: list[Diagnosis]) -> None:
    # The pointer count is carried, not recounted per composite: a hostile HI with 100k
    # composites must cost linear time (recounting made it quadratic: 40k took 31 s).
    counted = sum(1 for d in out if d.qualifier in _POINTER_QUALIFIERS)
    for i, composite in enumerate(seg.elements[1:], 1):
        qualifier, _, rest = composite.partition(seg.delimiters.component)
        if qualifier not in _DX_QUALIFIERS:
            continue
        code = rest.partition(seg.delimiters.component)[0]
        position = 0
        if qualifier in _POINTER_QUALIFIERS:
            counted += 1
            position = counted
        out.append(Diagnosis(qualifier, code, position, Loc(pos, seg.index, f"HI{i:02d}-2")))
