"""Build small synthetic 837P/837I interchanges for tests (no real people, pyx12-valid).

A test describes claims and lines abstractly (:class:`ClaimSpec`, :class:`LineSpec`) and gets the
same claim rendered as an 837P and as an 837I, so one case table covers both transactions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

P = "837P"
I = "837I"  # noqa: E741 - the transaction's own name


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
    #: CLM05-3 claim frequency code.
    frequency: str = "1"
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
    segs = [["LX", str(n)], service]
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
    segs += [list(seg) for seg in line.loops]
    return segs


def _claim(kind: str, claim: ClaimSpec, c: str, hl: int) -> list[list[str]]:
    total = claim.clm02 or _fmt(sum((_amount(x.charge) for x in claim.lines), Decimal(0)))
    freq = claim.frequency
    segs: list[list[str]] = [
        ["HL", str(hl), "1", "22", "0"],
        ["SBR", "P", "18", "", "", "", "", "", "", claim.sbr09],
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
        segs.append(
            ["CLM", claim.clm01, total, "", "", c.join(["11", "B", freq]), "Y", "A", "Y", "Y"]
        )
    else:
        segs += [
            ["CLM", claim.clm01, total, "", "", c.join(["13", "A", freq]), "", "A", "Y", "Y"],
            ["DTP", "434", "RD8", "20240115-20240115"],
            ["CL1", "", "", "01"],
        ]
    if claim.prior_auth is not None:
        segs.append(["REF", "G1", claim.prior_auth])
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
