#!/usr/bin/env python3
"""Generate a synthetic X12 837P / 837I interchange with clotting-factor (J7207) drug lines.

Stdlib only, deterministic for a given ``--seed``. Every person, member id, address and
organisation in the output is invented (DOE/ROE-style names, ``SYN`` member ids, "123 MAIN ST").

With ``--defects 0`` (the default) the output validates cleanly with pyx12 4.0
(``005010X222A1`` / ``005010X223A2`` maps) and is meant to be clean for edi-scrub's drug rules:
NDCs are 11-digit Adynovate kit NDCs, CTP04 (F2, IU) equals the billed IU, Medicare lines on or
after 2023-07-01 carry JZ (or are billed as an administered line plus a JW waste line),
CLM02 equals the sum of the line charges.

``--defects P`` injects one defect into each claim with probability P; ``--scenario`` chooses
which kinds (see DEFECT_KINDS). ``--manifest FILE`` writes one JSON object per injected defect
(claim id, line number, kind, details) so benchmarks and tests can check what a scrubber found.

Examples::

    python benchmarks/gen837.py --claims 10000 --kind 837P --seed 1 -o /tmp/p10000.837
    python benchmarks/gen837.py --claims 50 --kind 837I --defects 0.3 --manifest /tmp/m.jsonl
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Final

ELE: Final = "*"
COMP: Final = ":"
REP: Final = "^"

TERMINATORS: Final[dict[str, str]] = {
    "~": "~",
    "~\\n": "~\n",
    "~\\r\\n": "~\r\n",
    "\\n": "\n",
}
IMPLEMENTATION: Final[dict[str, str]] = {"837P": "005010X222A1", "837I": "005010X223A2"}

DEFECT_KINDS: Final[tuple[str, ...]] = (
    "hyphen-ndc",  # LIN03 hyphenated (4-4-2 10-digit or 5-4-2 11-digit label form)
    "waste",  # CTP04 (F2 IU dispensed) > billed units, no JW line, no JW/JZ modifier
    "missing-jz",  # Medicare, CTP04 == units, DOS >= 2023-07-01, neither JW nor JZ
    "wrong-clm02",  # CLM02 != sum of line charges
    "other-code-ndc",  # Eloctate NDC (J7205) on a J7207 line
)

JZ_REQUIRED_FROM: Final = dt.date(2023, 7, 1)
DRUG_CODE: Final = "J7207"
ELOCTATE_NDC: Final = "71104080901"


@dataclass(frozen=True, slots=True)
class Kit:
    """An Adynovate kit: claim NDC, nominal IU and the actual-potency range per vial."""

    ndc: str
    nominal: int
    low: int
    high: int


# Adynovate kit NDCs (domain.md section 2, manufacturer coding sheet).
ADYNOVATE_KITS: Final[tuple[Kit, ...]] = (
    Kit("00944462201", 250, 200, 400),
    Kit("00944462301", 500, 401, 800),
    Kit("00944462601", 750, 600, 940),
    Kit("00944462401", 1000, 801, 1250),
    Kit("00944462701", 1500, 1200, 1875),
    Kit("00944462501", 2000, 1251, 2500),
)


@dataclass(frozen=True, slots=True)
class Payer:
    """A payer as seen in 2010BB plus the claim filing indicator (SBR09) used with it."""

    sbr09: str
    name: str
    payer_id: str
    group: str  # SBR03, empty for government programs


PAYERS_837P: Final[tuple[Payer, ...]] = (
    Payer("MB", "MEDICARE PART B", "SYNMCRB01", ""),
    Payer("MC", "STATE MEDICAID PROGRAM", "SYNMCD001", ""),
    Payer("CI", "ACME HEALTH PLAN", "SYNCOM001", "GRP00417"),
)
PAYERS_837I: Final[tuple[Payer, ...]] = (
    Payer("MA", "MEDICARE PART A", "SYNMCRA01", ""),
    Payer("MC", "STATE MEDICAID PROGRAM", "SYNMCD001", ""),
    Payer("CI", "ACME HEALTH PLAN", "SYNCOM001", "GRP00417"),
)
MEDICARE: Final = frozenset({"MB", "MA"})

# Ordinary (non-drug) lines: (revenue code for 837I, HCPCS/CPT, charge).
OTHER_SERVICES: Final[tuple[tuple[str, str, Decimal], ...]] = (
    ("0510", "99213", Decimal("145.00")),  # office / clinic visit
    ("0260", "96374", Decimal("120.00")),  # IV push administration
    ("0300", "36415", Decimal("18.00")),  # venipuncture
    ("0305", "85240", Decimal("62.50")),  # factor VIII activity assay
)
UNIT_PRICES: Final[tuple[Decimal, ...]] = tuple(
    Decimal(p) for p in ("1.85", "2.00", "2.10", "2.25", "2.40")
)

LAST_NAMES: Final = ("DOE", "ROE", "POE", "MOE", "SAMPLE", "EXAMPLE", "TESTCASE", "PUBLIC")
FIRST_NAMES: Final = ("JANE", "JOHN", "ALEX", "SAM", "CHRIS", "PAT", "JORDAN", "CASEY", "TAYLOR")
STREETS: Final = ("MAIN ST", "OAK AVE", "ELM ST", "MAPLE DR", "PINE RD", "CEDAR LN")
CITIES: Final = (
    ("ANYTOWN", "PA", "17111"),
    ("SPRINGFIELD", "IL", "62701"),
    ("CENTERVILLE", "OH", "45459"),
)


@dataclass(slots=True)
class Line:
    """One service line (2400), with its drug details (2410) when it is a drug line."""

    service: str  # HCPCS / CPT
    revenue: str  # 837I SV201
    charge: Decimal
    units: int
    dos: dt.date
    modifiers: list[str] = field(default_factory=list)
    ndc: str = ""
    ctp_qty: int = 0
    ctp_unit: str = "F2"
    pointers: str = "1"
    ref_6r: str = ""

    @property
    def is_drug(self) -> bool:
        return bool(self.ndc)


@dataclass(slots=True)
class Claim:
    """A 2300 claim with its lines; ``total`` is what CLM02 will say."""

    pcn: str
    lines: list[Line]
    two_dx: bool
    total: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Defect:
    """One injected defect, as written to the manifest."""

    claim: str
    line: int  # LX number, 0 for claim-level defects
    kind: str
    detail: str


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _npi(rng: random.Random) -> str:
    """A 10-digit NPI with a valid Luhn check digit (prefix 80840), starting with 1."""
    base = "1" + "".join(str(rng.randrange(10)) for _ in range(8))
    digits = [int(c) for c in "80840" + base]
    total = 0
    for i, d in enumerate(reversed(digits)):
        doubled = d * 2 if i % 2 == 0 else d
        total += doubled - 9 if doubled > 9 else doubled
    return base + str((10 - total % 10) % 10)


def _hyphenate(ndc: str, rng: random.Random) -> tuple[str, str]:
    """Label forms of an 11-digit NDC: 5-4-2, or 4-4-2 when the labeler has a leading zero."""
    if ndc[0] == "0" and rng.random() < 0.5:
        return f"{ndc[1:5]}-{ndc[5:9]}-{ndc[9:]}", "10-digit 4-4-2"
    return f"{ndc[:5]}-{ndc[5:9]}-{ndc[9:]}", "11-digit 5-4-2"


class Generator:
    """Builds segments for one interchange; ``segments()`` yields them in file order."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.kind: str = args.kind
        self.impl = IMPLEMENTATION[self.kind]
        self.claims: int = args.claims
        self.per_st: int = args.per_st if args.per_st > 0 else max(args.claims, 1)
        self.drug_fraction: float = args.drug_fraction
        self.defect_rate: float = args.defects
        self.scenario: tuple[str, ...] = args.scenario
        self.year: int = args.year
        self.rng = random.Random(args.seed)
        self.seed: int = args.seed
        self.payers = PAYERS_837P if self.kind == "837P" else PAYERS_837I
        self.created = dt.date(self.year, 12, 31)
        self.defects: list[Defect] = []
        self.claim_no = 0
        self.member_no = 0
        self.line_ref_no = 0
        self.billing_npi = _npi(self.rng)
        self.attending_npi = _npi(self.rng)
        self.tax_id = "".join(str(self.rng.randrange(10)) for _ in range(9))

    # -- envelope ---------------------------------------------------------------------------

    def segments(self) -> Iterator[str]:
        isa13 = f"{self.seed % 1_000_000_000:09d}"
        yymmdd = self.created.strftime("%y%m%d")
        ccyymmdd = self.created.strftime("%Y%m%d")
        yield ELE.join(
            (
                "ISA", "00", " " * 10, "00", " " * 10,
                "ZZ", "SYNSUBMIT".ljust(15), "ZZ", "SYNRECEIVE".ljust(15),
                yymmdd, "1200", REP, "00501", isa13, "0", "T", COMP,
            )
        )  # fmt: skip
        yield f"GS*HC*SYNSUBMIT*SYNRECEIVE*{ccyymmdd}*1200*1*X*{self.impl}"
        st_count = 0
        remaining = self.claims
        while remaining > 0:
            batch = min(self.per_st, remaining)
            st_count += 1
            yield from self._transaction(st_count, batch)
            remaining -= batch
        yield f"GE*{st_count}*1"
        yield f"IEA*1*{isa13}"

    def _transaction(self, st_no: int, n_claims: int) -> Iterator[str]:
        st02 = f"{st_no:04d}"
        count = 0
        for seg in self._transaction_body(st02, n_claims):
            count += 1
            yield seg
        yield f"SE*{count + 1}*{st02}"

    def _transaction_body(self, st02: str, n_claims: int) -> Iterator[str]:
        created = self.created.strftime("%Y%m%d")
        yield f"ST*837*{st02}*{self.impl}"
        yield f"BHT*0019*00*SYN{self.seed}B{st02}*{created}*1200*CH"
        yield "NM1*41*2*SYNTHETIC BILLING SERVICE*****46*SYNSUBMIT"
        yield "PER*IC*BILLING DESK*TE*5555550100"
        yield "NM1*40*2*SYNTHETIC CLEARINGHOUSE*****46*SYNRECEIVE"
        yield "HL*1**20*1"
        if self.kind == "837P":
            yield "PRV*BI*PXC*207RH0003X"
            yield f"NM1*85*2*SYNTHETIC HEMATOLOGY CLINIC*****XX*{self.billing_npi}"
        else:
            yield "PRV*BI*PXC*282N00000X"
            yield f"NM1*85*2*SYNTHETIC COMMUNITY HOSPITAL*****XX*{self.billing_npi}"
        yield "N3*123 MAIN ST"
        yield "N4*ANYTOWN*PA*171110001"  # 9-digit ZIP: the 837I map requires it
        yield f"REF*EI*{self.tax_id}"
        hl = 1
        remaining = n_claims
        while remaining > 0:
            k = min(remaining, self.rng.choices((1, 2, 3), weights=(70, 20, 10))[0])
            hl += 1
            yield from self._subscriber(hl, k)
            remaining -= k

    # -- 2000B / 2010BA / 2010BB -----------------------------------------------------------------

    def _subscriber(self, hl: int, n_claims: int) -> Iterator[str]:
        rng = self.rng
        kinds = [self._pick_defect() for _ in range(n_claims)]
        payer = rng.choice(self.payers)
        if "missing-jz" in kinds and payer.sbr09 not in MEDICARE:
            payer = self.payers[0]
        medicare = payer.sbr09 in MEDICARE
        self.member_no += 1
        birth = (
            dt.date(rng.randint(1940, 1958), rng.randint(1, 12), rng.randint(1, 28))
            if medicare
            else dt.date(rng.randint(1960, 2008), rng.randint(1, 12), rng.randint(1, 28))
        )
        weight_lb = rng.randint(110, 240)
        yield f"HL*{hl}*1*22*0"
        yield ELE.join(("SBR", "P", "18", payer.group, "", "", "", "", "", payer.sbr09))
        if self.kind == "837P" and rng.random() < 0.3:
            yield f"PAT*******01*{weight_lb}"
        last, first = rng.choice(LAST_NAMES), rng.choice(FIRST_NAMES)
        city, state, zip5 = rng.choice(CITIES)
        yield f"NM1*IL*1*{last}*{first}****MI*SYN{self.member_no:09d}"
        yield f"N3*{rng.randint(100, 9899)} {rng.choice(STREETS)}"
        yield f"N4*{city}*{state}*{zip5}"
        sex = "M" if rng.random() < 0.9 else "F"  # hemophilia A: mostly male
        yield f"DMG*D8*{birth:%Y%m%d}*{sex}"
        yield f"NM1*PR*2*{payer.name}*****PI*{payer.payer_id}"
        for kind in kinds:
            claim = self._claim(medicare, weight_lb, kind)
            yield from self._claim_segments(claim)

    def _pick_defect(self) -> str:
        if self.defect_rate > 0 and self.rng.random() < self.defect_rate:
            return self.rng.choice(self.scenario)
        return ""

    # -- 2300 / 2400 / 2410 ----------------------------------------------------------------

    def _claim(self, medicare: bool, weight_lb: int, defect: str) -> Claim:
        rng = self.rng
        self.claim_no += 1
        pcn = f"SYN{self.seed}C{self.claim_no:07d}"
        start = dt.date(self.year, 1, 1) + dt.timedelta(days=rng.randrange(340))
        n_lines = rng.randint(3, 5)
        drug_slots = [rng.random() < self.drug_fraction for _ in range(n_lines)]
        if defect and defect != "wrong-clm02" and not any(drug_slots):
            drug_slots[0] = True
        two_dx = rng.random() < 0.5
        price = rng.choice(UNIT_PRICES)
        with_6r = rng.random() < 0.3
        lines: list[Line] = []
        drug_day = 0
        # A line-level defect needs a drug line that is not an administered + JW pair.
        need_single = bool(defect) and defect != "wrong-clm02"
        for is_drug in drug_slots:
            if is_drug:
                dos = start + dt.timedelta(days=drug_day)
                drug_day += rng.choice((2, 3, 4))
                lines.extend(self._drug_lines(dos, medicare, weight_lb, price, not need_single))
                need_single = False
            else:
                rev, code, charge = rng.choice(OTHER_SERVICES)
                pointers = "1:2" if two_dx and rng.random() < 0.5 else "1"
                lines.append(Line(code, rev, charge, 1, start, pointers=pointers))
        if with_6r:
            for line in lines:
                self.line_ref_no += 1
                line.ref_6r = f"SYNL{self.line_ref_no:08d}"
        claim = Claim(pcn, lines, two_dx)
        claim.total = sum((ln.charge for ln in lines), Decimal(0))
        if defect:
            self._inject(claim, defect, medicare)
        return claim

    def _drug_lines(
        self, dos: dt.date, medicare: bool, weight_lb: int, price: Decimal, allow_pair: bool
    ) -> list[Line]:
        """One dose: a single line (JZ on Medicare), or an administered line plus a JW line."""
        rng = self.rng
        target = weight_lb / 2.2046 * rng.uniform(20, 50)  # IU/kg of a usual prophylaxis dose
        kits = [k for k in ADYNOVATE_KITS if k.nominal <= max(target, 250)]
        kit = rng.choice(kits[-3:])
        vials = max(1, min(3, round(target / kit.nominal)))
        units = sum(rng.randint(kit.low, kit.high) for _ in range(vials))
        jz_rule = medicare and dos >= JZ_REQUIRED_FROM
        if allow_pair and medicare and rng.random() < 0.15 and units > 300:
            waste = rng.randint(20, min(250, units // 4))
            given = units - waste
            return [
                Line(DRUG_CODE, "0636", price * given, given, dos, [], kit.ndc, given),
                Line(DRUG_CODE, "0636", price * waste, waste, dos, ["JW"], kit.ndc, waste),
            ]
        mods = ["JZ"] if jz_rule else []
        return [Line(DRUG_CODE, "0636", price * units, units, dos, mods, kit.ndc, units)]

    def _inject(self, claim: Claim, kind: str, medicare: bool) -> None:
        rng = self.rng
        # A single drug line (not part of an administered + JW pair) is the target.
        singles = [
            i for i, ln in enumerate(claim.lines)
            if ln.is_drug and "JW" not in ln.modifiers
            and not any(
                o.is_drug and "JW" in o.modifiers and o.dos == ln.dos and o.ndc == ln.ndc
                for o in claim.lines
            )
        ]  # fmt: skip
        if kind == "wrong-clm02" or not singles:
            delta = rng.choice((Decimal("100.00"), Decimal("-10.00"), Decimal("0.01")))
            right = claim.total
            claim.total = right + delta
            self.defects.append(
                Defect(claim.pcn, 0, "wrong-clm02", f"CLM02 {claim.total} != {right}")
            )
            return
        idx = rng.choice(singles)
        line = claim.lines[idx]
        lx = idx + 1
        if kind == "hyphen-ndc":
            before = line.ndc
            line.ndc, form = _hyphenate(line.ndc, rng)
            detail = f"LIN03 {line.ndc} ({form}) for {before}"
        elif kind == "waste":
            waste = rng.randint(50, 400)
            line.ctp_qty = line.units + waste
            line.modifiers = [m for m in line.modifiers if m not in ("JW", "JZ")]
            detail = f"CTP04 {line.ctp_qty} F2 > billed {line.units}: {waste} IU waste"
        elif kind == "missing-jz" and medicare and line.dos >= JZ_REQUIRED_FROM:
            line.modifiers = [m for m in line.modifiers if m != "JZ"]
            detail = f"no JW/JZ, CTP04 {line.ctp_qty} F2 == units {line.units}"
        elif kind == "other-code-ndc":
            line.ndc = ELOCTATE_NDC
            detail = f"Eloctate NDC {ELOCTATE_NDC} (J7205) on {DRUG_CODE}"
        else:  # missing-jz cannot apply (DOS before the JZ rule): fall back to wrong CLM02
            self._inject(claim, "wrong-clm02", medicare)
            return
        self.defects.append(Defect(claim.pcn, lx, kind, detail))

    def _claim_segments(self, claim: Claim) -> Iterator[str]:
        total = _money(claim.total)
        if self.kind == "837P":
            yield f"CLM*{claim.pcn}*{total}***11:B:1*Y*A*Y*Y"
            yield "HI*ABK:D66*ABF:Z79899" if claim.two_dx else "HI*ABK:D66"
        else:
            first = min(ln.dos for ln in claim.lines)
            last = max(ln.dos for ln in claim.lines)
            yield f"CLM*{claim.pcn}*{total}***13:A:1**A*Y*Y"
            yield f"DTP*434*RD8*{first:%Y%m%d}-{last:%Y%m%d}"
            yield "CL1***01"
            yield "HI*ABK:D66"  # 837I: principal alone, other diagnoses in their own HI
            if claim.two_dx:
                yield "HI*ABF:Z79899"
            yield f"NM1*71*1*ROE*RILEY****XX*{self.attending_npi}"
        for lx, line in enumerate(claim.lines, start=1):
            yield f"LX*{lx}"
            proc = COMP.join(["HC", line.service, *line.modifiers])
            charge = _money(line.charge)
            if self.kind == "837P":
                yield f"SV1*{proc}*{charge}*UN*{line.units}***{line.pointers}"
            else:
                yield f"SV2*{line.revenue}*{proc}*{charge}*UN*{line.units}"
            yield f"DTP*472*D8*{line.dos:%Y%m%d}"
            if line.ref_6r:
                yield f"REF*6R*{line.ref_6r}"
            if line.is_drug:
                yield f"LIN**N4*{line.ndc}"
                yield f"CTP****{line.ctp_qty}*{line.ctp_unit}"


def _scenario(value: str) -> tuple[str, ...]:
    if value in ("mixed", "all"):
        return DEFECT_KINDS
    kinds = tuple(k.strip() for k in value.split(",") if k.strip())
    unknown = [k for k in kinds if k not in DEFECT_KINDS]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(
            f"unknown defect kind(s) {unknown}; choose from {', '.join(DEFECT_KINDS)} or 'mixed'"
        )
    return kinds


def _fraction(value: str) -> float:
    f = float(value)
    if not 0.0 <= f <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return f


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gen837",
        description="Generate a synthetic 837P/837I interchange with J7207 (Adynovate) drug lines.",
    )
    parser.add_argument("--claims", type=int, default=100, help="number of claims (default 100)")
    parser.add_argument("--kind", choices=sorted(IMPLEMENTATION), default="837P")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("-o", "--output", default="-", help="output file, '-' = stdout")
    parser.add_argument(
        "--terminator",
        choices=sorted(TERMINATORS),
        default="~\\n",
        help=r"segment terminator, written with backslash escapes: '~', '~\n' (default), "
        r"'~\r\n' or '\n'",
    )
    parser.add_argument(
        "--drug-fraction",
        type=_fraction,
        default=0.4,
        help="probability that a service line is a J7207 drug line (default 0.4)",
    )
    parser.add_argument(
        "--defects",
        type=_fraction,
        default=0.0,
        help="probability that a claim gets one injected defect (default 0)",
    )
    parser.add_argument(
        "--scenario",
        type=_scenario,
        default=DEFECT_KINDS,
        help=f"defect kinds to inject, comma-separated, or 'mixed' (default): "
        f"{', '.join(DEFECT_KINDS)}",
    )
    parser.add_argument(
        "--per-st", type=int, default=0, help="claims per ST transaction (default 0 = one ST)"
    )
    parser.add_argument("--year", type=int, default=2024, help="year of service (default 2024)")
    parser.add_argument("--manifest", help="write injected defects as JSON lines to this file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.claims < 1 or args.per_st < 0:
        print("gen837: --claims must be >= 1 and --per-st >= 0", file=sys.stderr)
        return 2
    gen = Generator(args)
    term = TERMINATORS[args.terminator]
    started = time.perf_counter()
    n_segments = 0
    with contextlib.ExitStack() as stack:
        out: IO[str]
        if args.output == "-":
            out = sys.stdout
        else:
            out = stack.enter_context(
                open(args.output, "w", encoding="ascii", newline="", buffering=1 << 20)
            )
        chunk: list[str] = []
        for seg in gen.segments():
            chunk.append(seg)
            if len(chunk) >= 4096:
                out.write(term.join(chunk) + term)
                n_segments += len(chunk)
                chunk.clear()
        out.write(term.join(chunk) + term)
        n_segments += len(chunk)
    if args.manifest:
        with open(args.manifest, "w", encoding="utf-8") as fd:
            for d in gen.defects:
                record = {"claim": d.claim, "line": d.line, "kind": d.kind, "detail": d.detail}
                fd.write(json.dumps(record) + "\n")
    elapsed = time.perf_counter() - started
    print(
        f"gen837: {args.kind} {args.claims} claims, {n_segments} segments, "
        f"{len(gen.defects)} defects, {elapsed:.2f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
