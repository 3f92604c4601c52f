"""Read a builder-made interchange back: its claims, lines and values, and how two versions align.

Shared by the fix-safety tests (``test_fix_properties``, ``test_fix_safety``), which judge the
scrubber on its output bytes alone. Only builder-made files are read (``~`` + newline, ``*``, ``:``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from difflib import SequenceMatcher

from edi_scrub.maps.drugs import DrugCatalog, PackageKind, load_drug_catalog

CATALOG: DrugCatalog = load_drug_catalog()


def segments(data: bytes) -> list[str]:
    """The segments of a builder-made interchange (``~`` + newline, ``*``, ``:``)."""
    return [s for s in data.decode("latin-1").split("~\n") if s]


@dataclass(frozen=True)
class Line:
    """A service line of a parsed claim: its segment indexes and the values the checks need."""

    first: int
    segs: tuple[str, ...]
    service: int  # index (file-wide) of the SV1/SV2 segment

    def els(self, seg_id: str) -> list[str] | None:
        for s in self.segs:
            if s.split("*")[0] == seg_id:
                return s.split("*")
        return None

    @property
    def composite(self) -> list[str]:
        el = self.els("SV1")
        comp = el[1] if el else (self.els("SV2") or ["", "", ""])[2]
        return comp.split(":")

    @property
    def code(self) -> str:
        return self.composite[1] if len(self.composite) > 1 else ""

    @property
    def modifiers(self) -> list[str]:
        return [m for m in self.composite[2:6] if m]

    @property
    def units(self) -> Decimal | None:
        el = self.els("SV1")
        text = el[4] if el else (self.els("SV2") or [""] * 6)[5]
        try:
            return Decimal(text)
        except ArithmeticError:
            return None

    @property
    def ndc(self) -> str | None:
        el = self.els("LIN")
        return el[3] if el else None

    @property
    def date(self) -> str | None:
        for s in self.segs:
            if s.startswith("DTP*472*"):
                qualifier, value = s.split("*")[2:4]
                if qualifier == "RD8":
                    start, _, end = value.partition("-")
                    return start if start == end else value
                return value
        return None


@dataclass(frozen=True)
class ParsedClaim:
    """A claim (CLM up to the next HL or SE) of a parsed interchange."""

    first: int
    segs: tuple[str, ...]
    lines: tuple[Line, ...]

    @property
    def clm(self) -> list[str]:
        return self.segs[0].split("*")

    @property
    def clm01(self) -> str:
        return self.clm[1]

    @property
    def frequency(self) -> str:
        return self.clm[5].split(":")[2]

    @property
    def cob(self) -> bool:
        return any(s.startswith(("SBR*", "SVD*")) for s in self.segs)


def parse_claims(segs: list[str]) -> list[ParsedClaim]:
    out: list[ParsedClaim] = []
    i = 0
    while i < len(segs):
        if not segs[i].startswith("CLM*"):
            i += 1
            continue
        j = i + 1
        while j < len(segs) and not segs[j].startswith(("HL*", "SE*")):
            j += 1
        lines: list[Line] = []
        starts = [k for k in range(i, j) if segs[k].startswith("LX*")]
        for a, b in zip(starts, [*starts[1:], j], strict=True):
            service = next(k for k in range(a, b) if segs[k].startswith(("SV1*", "SV2*")))
            lines.append(Line(a, tuple(segs[a:b]), service))
        out.append(ParsedClaim(i, tuple(segs[i:j]), tuple(lines)))
        i = j
    return out


def _key(seg: str) -> str:
    """A segment's identity for alignment: its id, plus the qualifier of qualified segments."""
    parts = seg.split("*")
    if parts[0] in {"DTP", "REF", "NM1", "AMT", "HL", "NTE"} and len(parts) > 1:
        return f"{parts[0]}*{parts[1]}"
    return parts[0]


def _comparable(seg: str) -> str:
    # LX and SE carry counts a fix legitimately renumbers; align them by id only.
    return seg.split("*", maxsplit=1)[0] if seg.startswith(("LX*", "SE*")) else seg


def _map_run(a: list[str], b: list[str], ia: int, ib: int, mapping: dict[int, int]) -> None:
    """Map a[ia:] onto b[ib:] (two short runs): equal segments first, then same-id ones."""
    ca, cb = [_comparable(s) for s in a], [_comparable(s) for s in b]
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, ca, cb, autojunk=False).get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                mapping[ia + i1 + k] = ib + j1 + k
        elif tag == "replace":
            ka, kb = [_key(s) for s in a[i1:i2]], [_key(s) for s in b[j1:j2]]
            for block in SequenceMatcher(None, ka, kb, autojunk=False).get_matching_blocks():
                for k in range(block.size):
                    mapping[ia + i1 + block.a + k] = ib + j1 + block.b + k


#: A unit of alignment: a service line (LX up to the next LX or the claim's end) or one segment.
_Unit = tuple[int, int, bool]


def _units(segs: list[str]) -> list[_Unit]:
    units: list[_Unit] = []
    i = 0
    while i < len(segs):
        if segs[i].startswith("LX*"):
            j = i + 1
            while j < len(segs) and not segs[j].startswith(("LX*", "CLM*", "HL*", "SE*")):
                j += 1
            units.append((i, j, True))
            i = j
        else:
            units.append((i, i + 1, False))
            i += 1
    return units


def _score(a: list[str], ua: _Unit, b: list[str], ub: _Unit) -> float:
    """How well two units match (0: not the same unit)."""
    if ua[2] != ub[2]:
        return 0.0
    if not ua[2]:
        x, y = a[ua[0]], b[ub[0]]
        return 2.0 if _comparable(x) == _comparable(y) else 1.0 if _key(x) == _key(y) else 0.0
    # Lines: how much of the text (LX left out) they share. An edited line stays closer to its
    # original than a JW line copied from it.
    tx, ty = "~".join(a[ua[0] + 1 : ua[1]]), "~".join(b[ub[0] + 1 : ub[1]])
    ratio = SequenceMatcher(None, tx, ty, autojunk=False).ratio()
    return 1.0 + ratio if ratio >= 0.6 else 0.0


def align(a: list[str], b: list[str]) -> tuple[dict[int, int], set[int]]:
    """Input index -> output index, and the output indexes that are unchanged copies.

    Service lines are aligned as wholes first (an order-preserving best match, so an inserted
    JW line is not mistaken for the next line), then the segments inside each matched pair.
    """
    ua, ub = _units(a), _units(b)
    n, m = len(ua), len(ub)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            score = _score(a, ua[i], b, ub[j])
            take = best[i + 1][j + 1] + score if score else 0.0
            best[i][j] = max(best[i + 1][j], best[i][j + 1], take)
    mapping: dict[int, int] = {}
    i = j = 0
    while i < n and j < m:
        score = _score(a, ua[i], b, ub[j])
        if score and best[i][j] == best[i + 1][j + 1] + score:
            (ia, ja, _), (ib, jb, _) = ua[i], ub[j]
            _map_run(a[ia:ja], b[ib:jb], ia, ib, mapping)
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    same = {j for i, j in mapping.items() if a[i] == b[j]}
    return mapping, same


def normal_ndc(raw: str | None) -> str:
    """An NDC as a payer matches it: hyphens resolved, a bare 10-digit NDC resolved when the
    drug map knows exactly one reading, an inner vial replaced by its kit."""
    if raw is None:
        return ""
    text = raw.strip()
    if "-" in text:
        parts = text.split("-")
        pads: dict[tuple[int, ...], tuple[int, int, int]] = {
            (4, 4, 2): (1, 0, 0),
            (5, 3, 2): (0, 1, 0),
            (5, 4, 1): (0, 0, 1),
            (5, 4, 2): (0, 0, 0),
        }
        pad = pads.get(tuple(len(p) for p in parts)) if len(parts) == 3 else None
        if pad is None:
            return text
        text = "".join("0" * n + p for n, p in zip(pad, parts, strict=True))
    elif len(text) == 10 and text.isdigit():
        readings = ["0" + text, text[:5] + "0" + text[5:], text[:9] + "0" + text[9:]]
        known = [r for r in readings if CATALOG.package(r) is not None]
        if len(known) == 1:
            text = known[0]
    pkg = CATALOG.package(text)
    if pkg is not None and pkg.kind is PackageKind.VIAL and pkg.outer_kit:
        return pkg.outer_kit
    return text
