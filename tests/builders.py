"""Build small synthetic 837P/837I interchanges for tests (no real people, pyx12-valid).

A test describes claims and lines abstractly (:class:`ClaimSpec`, :class:`LineSpec`) and gets the
same claim rendered as an 837P and as an 837I, so one case table covers both transactions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from decimal import Decimal

P = "837P"
I = "837I"  # noqa: E741 - the transaction's own name


@dataclass(frozen=True)
class CasSpec:
    """One ``CAS`` adjustment segment: group code, then (reason, amount) pairs (CAS02/03, 05/06 ...)."""

    group: str = "CO"
    adjustments: tuple[tuple[str, str], ...] = (("45", "0"),)


@dataclass(frozen=True)
class ProviderSpec:
    """A line-level provider loop (2420x), named by its NM101 entity code.

    837P: ``82`` rendering (2420A), ``DK`` ordering (2420E), ``DN`` referring (2420F).
    837I: ``72`` operating (2420A), ``ZZ`` other operating (2420B), ``82`` rendering (2420C),
    ``DN`` referring (2420D). The 837I has no line-level ordering provider.
    """

    role: str = "82"
    last: str = "ROE"
    first: str = "RILEY"
    npi: str = "1631706698"


@dataclass(frozen=True)
class AdjudicationSpec:
    """Loop 2430: one prior payer's adjudication of the line (SVD, CAS, DTP*573).

    ``procedure``/``units``/``revenue`` default to the line's own composite, SV1/SV2 units and
    SV201 revenue code, so a test states only what differs from the billed line.
    """

    paid: str = "0"
    payer_id: str = "SYNPRIM01"
    procedure: str | None = None
    units: str | None = None
    revenue: str | None = None
    cas: tuple[CasSpec, ...] = ()
    date: str = "20240201"


@dataclass(frozen=True)
class OtherPayerSpec:
    """Loop 2320 (other subscriber: SBR, CAS, AMT*D, OI) with its 2330A and 2330B loops.

    ``paid=None`` leaves out ``AMT*D``; ``adjudicated=None`` leaves out 2330B ``DTP*573``.
    """

    responsibility: str = "P"
    relationship: str = "18"
    filing: str = "CI"
    cas: tuple[CasSpec, ...] = ()
    paid: str | None = "0"
    subscriber_id: str = "SYN000000002"
    payer_name: str = "SYNTHETIC PRIMARY"
    payer_id: str = "SYNPRIM01"
    adjudicated: str | None = "20240201"


@dataclass(frozen=True)
class LineSpec:
    """One service line; ``None`` leaves a segment or element out."""

    code: str = "J7207"
    modifiers: tuple[str, ...] = ()
    charge: str = "2000"
    basis: str = "UN"
    units: str = "1000"
    ndc: str | None = "00944462401"
    lin_qualifier: str = "N4"
    ctp_qty: str | None = "1000"
    ctp_unit: str = "F2"
    dos: str | None = "20240115"
    dos_qualifier: str = "D8"
    pointers: str = "1"
    control: str | None = None
    prior_auth: str | None = None
    revenue: str = "0636"
    notes: tuple[str, ...] = ()
    #: SV101-7 / SV202-7 procedure description; the modifier slots before it are padded.
    description: str | None = None
    #: 837I SV207, line item denied / non-covered charge (ignored on the 837P).
    non_covered: str | None = None
    #: 2410 ``REF``: (qualifier, value), e.g. ``("XZ", "RX0001")`` or ``("VY", "1")``.
    drug_ref: tuple[str, str] | None = None
    #: Line-level provider loops (2420x), written in the TR3's loop order.
    providers: tuple[ProviderSpec, ...] = ()
    #: Loop 2430, one per prior payer that adjudicated the line.
    adjudications: tuple[AdjudicationSpec, ...] = ()
    #: LX01 as written (default: the line's position, 1..n).
    lx: str | None = None
    #: Raw segments after the 2410 loop (2420x provider loops, 2430 line adjudication).
    loops: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class ClaimSpec:
    """One claim in its own subscriber loop; ``clm02=None`` means the exact sum of the lines."""

    lines: tuple[LineSpec, ...] = (LineSpec(),)
    clm01: str = "PCN001"
    clm02: str | None = None
    sbr09: str = "MB"
    payer_id: str = "SYNMCR01"
    dx: tuple[str, ...] = ("D66",)
    prior_auth: str | None = None
    dob: str = "19800101"
    weight: str | None = None
    #: Claim-level (loop 2300) ``NTE*ADD`` notes.
    notes: tuple[str, ...] = ()
    #: CLM05-3 claim frequency: 1 original, 7 replacement, 8 void.
    frequency: str = "1"
    #: 2300 ``REF*F8`` payer claim control number (the original claim a 7 or 8 refers to).
    original_ref: str | None = None
    #: 837I statement period, 2300 ``DTP*434*RD8`` (ignored on the 837P).
    statement: str = "20240115-20240115"
    #: 2000B SBR01 payer responsibility of the destination payer (``S`` on a secondary claim).
    sbr01: str = "P"
    #: Loops 2320/2330A/2330B, one per other payer (a COB claim).
    other_payers: tuple[OtherPayerSpec, ...] = ()
    #: Claim-level (loop 2300) REFs after REF*G1, as (qualifier, value): ``("F8", "ORIG1")``.
    refs: tuple[tuple[str, str], ...] = ()
    #: Raw 2310x/2320/2330x segments after HI (on the 837I right after the attending NM1*71).
    loops: tuple[tuple[str, ...], ...] = ()
    #: HI qualifiers of the principal and the other diagnoses (ICD-9-CM: ``("BK", "BF")``).
    dx_qualifiers: tuple[str, str] = ("ABK", "ABF")


@dataclass(frozen=True)
class Envelope:
    """Interchange framing options."""

    terminator: str = "~\n"
    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    extra: tuple[str, ...] = field(default=())


def _amount(text: str) -> Decimal:
    return Decimal(text) if text else Decimal(0)


def _fmt(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _line(kind: str, n: int, line: LineSpec, c: str) -> list[list[str]]:
    composite = c.join(["HC", line.code, *line.modifiers])
    if line.description is not None:
        slots = [*line.modifiers, *[""] * (4 - len(line.modifiers))]
        composite = c.join(["HC", line.code, *slots, line.description])
    if kind == P:
        service = ["SV1", composite, line.charge, line.basis, line.units, "", "", line.pointers]
    else:
        service = ["SV2", line.revenue, composite, line.charge, line.basis, line.units]
        if line.non_covered is not None:
            service += ["", line.non_covered]
    segs = [["LX", line.lx or str(n)], service]
    if line.dos is not None:
        segs.append(["DTP", "472", line.dos_qualifier, line.dos])
    if line.prior_auth is not None:
        segs.append(["REF", "G1", line.prior_auth])
    if line.control is not None:
        segs.append(["REF", "6R", line.control])
    segs += [["NTE", "ADD", note] for note in line.notes]
    if line.ndc is not None:
        segs.append(["LIN", "", line.lin_qualifier, line.ndc])
        if line.ctp_qty is not None:
            segs.append(["CTP", "", "", "", line.ctp_qty, line.ctp_unit])
        if line.drug_ref is not None:
            segs.append(["REF", *line.drug_ref])
    order = _PROVIDER_ORDER[kind]
    for provider in sorted(line.providers, key=lambda x: order.index(x.role)):
        segs.append(_nm1(provider))
    for adj in line.adjudications:
        procedure = adj.procedure if adj.procedure is not None else composite
        units = adj.units if adj.units is not None else line.units
        revenue = "" if kind == P else (adj.revenue if adj.revenue is not None else line.revenue)
        segs.append(["SVD", adj.payer_id, adj.paid, procedure, revenue, units])
        segs += [_cas(cas) for cas in adj.cas]
        segs.append(["DTP", "573", "D8", adj.date])
    segs += [list(seg) for seg in line.loops]
    return segs


#: NM101 codes of the line-level provider loops, in the TR3's loop order (2420A, 2420B ...).
_PROVIDER_ORDER = {P: ("82", "QB", "77", "DQ", "DK", "DN"), I: ("72", "ZZ", "82", "DN")}


def _nm1(provider: ProviderSpec) -> list[str]:
    return [
        "NM1",
        provider.role,
        "1",
        provider.last,
        provider.first,
        "",
        "",
        "",
        "XX",
        provider.npi,
    ]


def _cas(cas: CasSpec) -> list[str]:
    seg = ["CAS", cas.group]
    for reason, amount in cas.adjustments:
        seg += [reason, amount, ""]
    while seg[-1] == "":
        seg.pop()
    return seg


def _other_payer(kind: str, other: OtherPayerSpec) -> list[list[str]]:
    sbr = ["SBR", other.responsibility, other.relationship, "", "", "", "", "", "", other.filing]
    segs = [sbr, *[_cas(cas) for cas in other.cas]]
    if other.paid is not None:
        segs.append(["AMT", "D", other.paid])
    # OI04 (patient signature source) exists only on the 837P.
    segs.append(["OI", "", "", "Y", "P" if kind == P else "", "", "Y"])
    segs.append(["NM1", "IL", "1", "DOE", "JOHN", "", "", "", "MI", other.subscriber_id])
    segs.append(["NM1", "PR", "2", other.payer_name, "", "", "", "", "PI", other.payer_id])
    if other.adjudicated is not None:
        segs.append(["DTP", "573", "D8", other.adjudicated])
    return segs


def _claim(kind: str, claim: ClaimSpec, c: str, hl: int) -> list[list[str]]:
    total = claim.clm02 or _fmt(sum((_amount(x.charge) for x in claim.lines), Decimal(0)))
    segs: list[list[str]] = [
        ["HL", str(hl), "1", "22", "0"],
        ["SBR", claim.sbr01, "18", "", "", "", "", "", "", claim.sbr09],
    ]
    if claim.weight is not None and kind == P:
        segs.append(["PAT", "", "", "", "", "", "", "01", claim.weight])
    segs += [
        ["NM1", "IL", "1", "DOE", "JANE", "", "", "", "MI", "SYN000000001"],
        ["N3", "123 MAIN ST"],
        ["N4", "ANYTOWN", "PA", "17111"],
        ["DMG", "D8", claim.dob, "F"],
        ["NM1", "PR", "2", "SYNTHETIC PAYER", "", "", "", "", "PI", claim.payer_id],
    ]
    if kind == P:
        facility = c.join(["11", "B", claim.frequency])
        segs.append(["CLM", claim.clm01, total, "", "", facility, "Y", "A", "Y", "Y"])
    else:
        facility = c.join(["13", "A", claim.frequency])
        segs += [
            ["CLM", claim.clm01, total, "", "", facility, "", "A", "Y", "Y"],
            ["DTP", "434", "RD8", claim.statement],
            ["CL1", "", "", "01"],
        ]
    if claim.prior_auth is not None:
        segs.append(["REF", "G1", claim.prior_auth])
    if claim.original_ref is not None:
        segs.append(["REF", "F8", claim.original_ref])
    segs += [["REF", qualifier, value] for qualifier, value in claim.refs]
    segs += [["NTE", "ADD", note] for note in claim.notes]
    if claim.dx:
        first, *rest = claim.dx
        principal, other = claim.dx_qualifiers
        others = [c.join([other, d]) for d in rest]
        if kind == P:
            segs.append(["HI", c.join([principal, first]), *others])
        else:
            # The 837I allows only the principal diagnosis in its HI; others go in a second HI.
            segs.append(["HI", c.join([principal, first])])
            if others:
                segs.append(["HI", *others])
    if kind == I:
        segs.append(["NM1", "71", "1", "ROE", "RILEY", "", "", "", "XX", "1631706698"])
    segs += [list(seg) for seg in claim.loops]
    for other in claim.other_payers:
        segs += _other_payer(kind, other)
    for n, line in enumerate(claim.lines, 1):
        segs += _line(kind, n, line, c)
    return segs


def build(
    kind: str, claims: tuple[ClaimSpec, ...] = (ClaimSpec(),), env: Envelope = Envelope()
) -> bytes:
    """A complete, pyx12-valid interchange (one ST) holding ``claims``."""
    c, e = env.component, env.element
    version = "005010X222A1" if kind == P else "005010X223A2"
    zip_code = "171110001"
    body: list[list[str]] = [
        ["ST", "837", "0001", version],
        ["BHT", "0019", "00", "SYNBATCH1", "20240201", "1200", "CH"],
        ["NM1", "41", "2", "SYNTHETIC BILLING", "", "", "", "", "46", "SYNSUBMIT"],
        ["PER", "IC", "BILLING DESK", "TE", "5555550100"],
        ["NM1", "40", "2", "SYNTHETIC CLEARINGHOUSE", "", "", "", "", "46", "SYNRECEIVE"],
        ["HL", "1", "", "20", "1"],
        ["NM1", "85", "2", "SYNTHETIC CLINIC", "", "", "", "", "XX", "1291417776"],
        ["N3", "1 CLINIC WAY"],
        ["N4", "ANYTOWN", "PA", zip_code],
        ["REF", "EI", "074391500"],
    ]
    for i, claim in enumerate(claims):
        body += _claim(kind, claim, c, i + 2)
    body.append(["SE", str(len(body) + 1), "0001"])
    isa = [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        "SYNSUBMIT".ljust(15),
        "ZZ",
        "SYNRECEIVE".ljust(15),
        "240201",
        "1200",
        env.repetition,
        "00501",
        "000000001",
        "0",
        "T",
        c,
    ]
    segments = [
        isa,
        ["GS", "HC", "SYNSUBMIT", "SYNRECEIVE", "20240201", "1200", "1", "X", version],
        *body,
        ["GE", "1", "1"],
        ["IEA", "1", "000000001"],
    ]
    text = "".join(e.join(s) + env.terminator for s in segments)
    return text.encode("latin-1")


def _split_paid(charge: str, share: Decimal) -> tuple[str, str]:
    amount = _amount(charge)
    paid = (amount * share).quantize(Decimal("0.01"))
    return _fmt(paid), _fmt(amount - paid)


def with_cob(
    claim: ClaimSpec, share: str = "0.8", line_level: bool = True, payer_id: str = "SYNPRIM01"
) -> ClaimSpec:
    """``claim`` as a balanced secondary claim: the primary paid ``share`` of each charge.

    With ``line_level`` every line gets a 2430 (SVD02 = paid, CAS*PR*2 = the rest) and 2320
    AMT*D = the sum paid; without it the 2320 carries AMT*D and one claim-level CAS*PR*2.
    Either way CLM02 = AMT*D + all CAS amounts and each adjudicated line's charge = SVD02 + CAS.
    """
    part = Decimal(share)
    lines = claim.lines
    paid_total = Decimal(0)
    for line in lines:
        paid_total += _amount(_split_paid(line.charge, part)[0])
    rest_total = sum((_amount(x.charge) for x in lines), Decimal(0)) - paid_total
    if line_level:
        lines = tuple(
            replace(
                line,
                adjudications=(
                    AdjudicationSpec(
                        paid=_split_paid(line.charge, part)[0],
                        payer_id=payer_id,
                        cas=(CasSpec("PR", (("2", _split_paid(line.charge, part)[1]),)),),
                    ),
                ),
            )
            for line in lines
        )
        cas: tuple[CasSpec, ...] = ()
    else:
        cas = (CasSpec("PR", (("2", _fmt(rest_total)),)),)
    other = OtherPayerSpec(cas=cas, paid=_fmt(paid_total), payer_id=payer_id)
    return replace(claim, lines=lines, sbr01="S", other_payers=(other,))


HISTORY_DAYS = ("20240110", "20240111", "20240115", "20240201", "20240301")
HISTORY_DOBS = ("19800101", "19900202", "20000303", "20100404")


def history_claims(count: int, seed: int) -> tuple[ClaimSpec, ...]:
    """Claims of a few patients (by birth date) on a few days, for the run-wide usage history
    (DUP001, UNT005, UNT006): repeats, duplicates, units adding up in windows."""
    rng = random.Random(seed)
    specs = []
    for n in range(count):
        lines = tuple(
            LineSpec(
                code=rng.choice(("J7208", "J7207")),
                ndc=None,
                units=rng.choice(("500", "1000", "1500.5", "2000", "0")),
                charge="1000",
                dos=rng.choice(HISTORY_DAYS),
                modifiers=rng.choice((("JZ",), ("JW",), ("76",))),
            )
            for _ in range(rng.randint(1, 3))
        )
        specs.append(ClaimSpec(lines=lines, clm01=f"PCN{n:04d}", dob=rng.choice(HISTORY_DOBS)))
    return tuple(specs)
