"""Property tests of fix safety (issue 7, item 11) over generated 837P and 837I claims.

Hypothesis generates claims the way billing offices get them wrong: unit errors (vial counts,
IU/100, CTP typos, fractional units, an MJ or empty unit basis, a kit-count CTP), COB claims
(2320/2330 with or without 2430 line adjudication), claim frequencies 1/7/8, existing JW lines in
every form (no DTP*472, a bare 10-digit NDC, a hyphenated NDC, the inner-vial NDC, a one-day RD8,
a JW line for part of the waste only), JZ/KX/GA/GY/GZ on input, 837I SV207, line providers,
2410 REF*XZ and long REF*6R. Each file is scrubbed in-process with the default options
(``structure=False`` for speed; a smaller subset with pyx12 on), scrubbed a second time, and
judged on the output bytes and the report alone:

(a) no COB claim gains or loses a line or changes CLM02;
(b) at most one JW line per drug (code + NDC after normalisation) and date unless the input had
    more (a JW line without a date counts for every date of its drug);
(c) no JW line the scrub wrote (new or changed) bills more IU than one container of its NDC
    (``potency-max`` in maps/drugs.xml; no potency known = no JW line may be written);
(d) every attestation modifier on an input line (JZ, JW, KX, GA, GY, GZ) is still on that line;
(e) voids (CLM05-3 = 8) are byte-identical;
(f) every applied fix's report ``after`` is what the output carries at the finding's element
    (a descriptive ``after`` must name only figures the changed or added segments carry);
(g) a second scrub of the output changes nothing.

Seeds are fixed (``derandomize=True``) and example counts bounded, so a run is reproducible and
takes well under a minute. The number of generated claims judged is printed at the end of the
module's run (``claims judged by the fix-safety properties: N``).
"""

from __future__ import annotations

import io
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edi_scrub.pipeline import Options, scrub
from edi_scrub.report.model import Report
from tests.builders import (
    CasSpec,
    ClaimSpec,
    I,
    LineSpec,
    OtherPayerSpec,
    P,
    ProviderSpec,
    build,
    with_cob,
)
from tests.claim_view import CATALOG, ParsedClaim, align, normal_ndc, parse_claims, segments

ATTESTATIONS = frozenset({"JZ", "JW", "KX", "GA", "GY", "GZ"})
#: Adynovate kits with a potency range in maps/drugs.xml (the container limit of property c).
KITS = tuple(
    ndc
    for ndc in (
        "00944462201",
        "00944462301",
        "00944462601",
        "00944462401",
        "00944462701",
        "00944462501",
    )
    if (pkg := CATALOG.package(ndc)) is not None and pkg.potency_max is not None
)
INNER_VIAL, INNER_KIT = "00944425701", "00944462501"  # a vial and its kit (maps/drugs.xml)
JIVI_KIT = "00026394225"  # a Jivi kit NDC from the CMS crosswalk (domain.md); no potency known
DATE = "20240115"

#: Distinct generated files judged per property test (input bytes -> claims in the file),
#: printed when the module finishes; shrinking's repeats of a file are counted once.
JUDGED: dict[str, dict[bytes, int]] = defaultdict(dict)

#: Example counts: (a)-(g) per transaction without pyx12, and the pyx12 subset per transaction.
EXAMPLES = 30
STRUCTURE_EXAMPLES = 8

PROPERTY_SETTINGS = settings(
    derandomize=True,
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module", autouse=True)
def _report_judged(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    distinct: dict[bytes, int] = {}
    for files_judged in JUDGED.values():
        distinct.update(files_judged)
    detail = ", ".join(f"{k}: {sum(v.values())}" for k, v in sorted(JUDGED.items()))
    line = (
        f"claims judged by the fix-safety properties: {sum(distinct.values())} distinct claims "
        f"in {len(distinct)} files, scrubbed twice each ({detail})"
    )
    # Written past pytest's capture so that a plain ``pytest -q`` run shows the count.
    plugins = request.config.pluginmanager
    reporter, capture = plugins.getplugin("terminalreporter"), plugins.getplugin("capturemanager")
    if reporter is None or capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line(line)


# --------------------------------------------------------------------------- generation


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


def _label_442(ndc: str) -> str:
    """The 4-4-2 label form of an 11-digit NDC whose labeler starts with 0 (Adynovate's)."""
    return f"{ndc[1:5]}-{ndc[5:9]}-{ndc[9:]}"


PROVIDERS = {
    P: (
        ProviderSpec("82", "ROE", "RILEY", "1631706698"),
        ProviderSpec("DK", "POE", "PAT", "1631706706"),
    ),
    I: (
        ProviderSpec("82", "ROE", "RILEY", "1631706698"),
        ProviderSpec("DN", "LOE", "LEE", "1741234565"),
    ),
}

UNIT_ERRORS = (
    "ok",
    "ok",
    "ok",
    "vials",
    "iu100",
    "ctp-typo",
    "fraction",
    "mj",
    "empty-basis",
    "ctp-kits",
)
JW_FORMS = ("same", "no-date", "bare-10", "hyphenated", "inner-vial", "rd8", "partial")
MODIFIER_SETS = (
    (),
    (),
    ("KX",),
    ("GA",),
    ("JZ",),
    ("JZ", "KX"),
    ("KX", "GA"),
    ("GY",),
    ("GZ",),
)


@st.composite
def drug_lines(draw: st.DrawFn, kind: str, n: int) -> tuple[LineSpec, ...]:
    """An administered drug line, with or without a JW sibling in one of its forms."""
    jivi = draw(st.integers(0, 4)) == 4  # shrinks towards Adynovate, the drug with potencies
    if jivi:
        code, ndc, low, high = "J7208", JIVI_KIT, 900, 1100  # synthetic amounts only
    else:
        # The 2000 IU kit twice as often: its inner vial is the one JW form that needs it.
        ndc = draw(st.sampled_from((*KITS, INNER_KIT)))
        pkg = CATALOG.package(ndc)
        assert pkg is not None and pkg.potency_min is not None and pkg.potency_max is not None
        code, low, high = "J7207", pkg.potency_min, pkg.potency_max
    vials = draw(st.integers(1, 3))
    dispensed = draw(st.integers(vials * low, vials * high))
    waste_kind = draw(st.sampled_from(("none", "none", "small", "small", "container", "over")))
    ceiling = {"none": 0, "small": low - 1, "container": high, "over": dispensed - 1}[waste_kind]
    floor = {"none": 0, "small": 1, "container": low, "over": high + 1}[waste_kind]
    ceiling = min(ceiling, dispensed - 1)
    waste = draw(st.integers(floor, ceiling)) if floor <= ceiling else 0
    billed = dispensed - waste
    price = draw(st.sampled_from((Decimal(2), Decimal("2.13"), Decimal("0.85"))))
    error = draw(st.sampled_from(UNIT_ERRORS))
    units, basis, ctp_qty, ctp_unit = str(billed), "UN", str(dispensed), "F2"
    if error == "vials":
        units = str(vials)
    elif error == "iu100":
        units = str(max(1, round(billed / 100)))
    elif error == "ctp-typo":
        ctp_qty = str(dispensed * 10)
    elif error == "fraction":
        units = f"{billed}.5"
    elif error == "mj":
        basis = "MJ"
    elif error == "empty-basis":
        basis = ""
    elif error == "ctp-kits":
        ctp_qty, ctp_unit = str(vials), "UN"
    dos_form = draw(
        st.sampled_from(("d8", "d8", "rd8", "none") if kind == I else ("d8", "d8", "rd8"))
    )
    dos, qualifier = {"d8": (DATE, "D8"), "rd8": (f"{DATE}-{DATE}", "RD8"), "none": (None, "D8")}[
        dos_form
    ]
    charge = price * billed
    control = draw(
        st.sampled_from((None, None, f"SYNLINE{n:03d}", f"SYN{'X' * 24}{n:03d}"))
    )  # the last is 30 characters: a suffix pushes it past what receivers keep
    admin = LineSpec(
        code=code,
        modifiers=draw(st.sampled_from(MODIFIER_SETS)),
        charge=_money(charge),
        basis=basis,
        units=units,
        ndc=ndc,
        ctp_qty=ctp_qty,
        ctp_unit=ctp_unit,
        dos=dos,
        dos_qualifier=qualifier,
        control=control,
        non_covered=draw(st.sampled_from((None, None, _money(charge / 2), _money(charge))))
        if kind == I
        else None,
        drug_ref=draw(st.sampled_from((None, ("XZ", f"RX{n:07d}")))),
        providers=tuple(p for p in PROVIDERS[kind] if draw(st.booleans())),
    )
    if waste == 0 or not draw(st.booleans()):
        return (admin,)
    form = draw(st.sampled_from(JW_FORMS))
    jw_units = max(1, waste // 2) if form == "partial" else waste
    jw_ndc = ndc
    if form == "bare-10" and not jivi:
        jw_ndc = _label_442(ndc).replace("-", "")
    elif form == "hyphenated" and not jivi:
        jw_ndc = _label_442(ndc)
    elif form == "inner-vial" and ndc == INNER_KIT:
        jw_ndc = INNER_VIAL
    jw = replace(
        admin,
        modifiers=("JW",),
        charge=_money(price * jw_units),
        basis="UN",
        units=str(jw_units),
        ndc=jw_ndc,
        ctp_qty=str(jw_units),
        ctp_unit="F2",
        dos=None if form == "no-date" else dos,
        dos_qualifier="RD8" if form == "rd8" else qualifier,
        control=None,
        non_covered=None,
    )
    if form == "rd8" and jw.dos is not None:
        jw = replace(jw, dos=f"{DATE}-{DATE}")
    # Half the time the administered line's CTP shows everything dispensed (so the waste is
    # visible and the JW sibling must be found), else only what it bills.
    if draw(st.booleans()) and error == "ok":
        admin = replace(admin, ctp_qty=str(billed))
    return (admin, jw)


@st.composite
def claims(draw: st.DrawFn, kind: str, n: int) -> ClaimSpec:
    """One claim: 1-2 drug lines (with JW siblings), frequency, payer, maybe COB."""
    lines: tuple[LineSpec, ...] = ()
    for k in range(draw(st.integers(1, 2))):
        lines += draw(drug_lines(kind, n * 10 + k))
    frequency = draw(st.sampled_from(("1", "1", "1", "7", "8")))
    filing = draw(st.sampled_from(("MB", "MB", "CI") if kind == P else ("MA", "MA", "CI")))
    claim = ClaimSpec(
        lines=lines,
        clm01=f"SYNPCN{n:04d}",
        sbr09=filing,
        frequency=frequency,
        original_ref="SYNORIG0001" if frequency != "1" else None,
        statement=draw(st.sampled_from((f"{DATE}-{DATE}", "20240110-20240120"))),
    )
    cob = draw(st.sampled_from(("none", "none", "line", "claim", "claim-off-lines")))
    if cob == "line":
        claim = with_cob(claim, draw(st.sampled_from(("0.8", "0", "1"))))
    elif cob == "claim":
        claim = with_cob(claim, draw(st.sampled_from(("0.8", "0"))), line_level=False)
    elif cob == "claim-off-lines":
        # A COB-balanced CLM02 that differs from the sum of the lines (CLM001 must not "repair" it).
        total = sum((Decimal(x.charge) for x in lines), Decimal(0)) + Decimal(1)
        paid = (total * Decimal("0.8")).quantize(Decimal("0.01"))
        other = OtherPayerSpec(
            paid=_money(paid), cas=(CasSpec("PR", (("2", _money(total - paid)),)),)
        )
        claim = replace(claim, clm02=_money(total), sbr01="S", other_payers=(other,))
    return claim


@st.composite
def files(draw: st.DrawFn, kind: str) -> tuple[ClaimSpec, ...]:
    """An interchange of 1-2 claims."""
    return tuple(draw(claims(kind, n)) for n in range(1, draw(st.integers(1, 2)) + 1))


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class Run:
    """One scrub of a generated file, and the scrub of its output."""

    kind: str
    specs: tuple[ClaimSpec, ...]
    data: bytes
    out: bytes
    report: Report
    again: bytes


def _scrub_bytes(data: bytes, structure: bool) -> tuple[bytes, Report]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.837"
        path.write_bytes(data)
        out = io.BytesIO()
        report = scrub(path, out, Options(structure=structure))
        return out.getvalue(), report


#: Runs by (input bytes, structure): the property tests draw the same files, so each file is
#: scrubbed once however many properties judge it.
_RUNS: dict[tuple[bytes, bool], Run] = {}


def run(kind: str, specs: tuple[ClaimSpec, ...], structure: bool = False) -> Run:
    """Build, scrub, and scrub the output again."""
    data = build(kind, specs)
    cached = _RUNS.get((data, structure))
    if cached is None:
        out, report = _scrub_bytes(data, structure)
        again, _ = _scrub_bytes(out, structure)
        cached = _RUNS[data, structure] = Run(kind, specs, data, out, report, again)
    return cached


# --------------------------------------------------------------------------- the properties


def _claim_text(claim: ParsedClaim) -> str:
    return "~".join(claim.segs)


def _pairs(r: Run) -> Iterator[tuple[ParsedClaim, ParsedClaim]]:
    before = parse_claims(segments(r.data))
    after = {c.clm01: c for c in parse_claims(segments(r.out))}
    for claim in before:
        assert claim.clm01 in after, f"claim {claim.clm01} missing from the output"
        yield claim, after[claim.clm01]


def prop_a_cob_lines_and_total(r: Run) -> list[str]:
    """(a) No COB claim gains or loses a line or changes CLM02."""
    bad = []
    for old, new in _pairs(r):
        if not old.cob:
            continue
        if len(new.lines) != len(old.lines):
            bad.append(
                f"{old.clm01}: COB claim went from {len(old.lines)} to {len(new.lines)} lines"
            )
        if new.clm[2] != old.clm[2]:
            bad.append(f"{old.clm01}: COB claim CLM02 changed {old.clm[2]} -> {new.clm[2]}")
    return bad


def _jw_counts(claim: ParsedClaim) -> dict[tuple[str, str, str], int]:
    jw = [ln for ln in claim.lines if "JW" in ln.modifiers]
    dates = {ln.date for ln in claim.lines if ln.date is not None} or {""}
    counts: Counter[tuple[str, str, str]] = Counter()
    for ln in jw:
        # A JW line without a date stands for every date of the claim (the claim date fills in).
        for d in [ln.date] if ln.date is not None else sorted(dates):
            counts[ln.code, normal_ndc(ln.ndc), d] += 1
    return counts


def prop_b_one_jw_line(r: Run) -> list[str]:
    """(b) At most one JW line per drug and date unless the input had more."""
    bad = []
    for old, new in _pairs(r):
        before = _jw_counts(old)
        for key, count in _jw_counts(new).items():
            if count > max(1, before.get(key, 0)):
                bad.append(
                    f"{old.clm01}: {count} JW lines for {key} (input had {before.get(key, 0)})"
                )
    return bad


def prop_c_jw_within_container(r: Run) -> list[str]:
    """(c) No JW line the scrub wrote bills more than one container of its NDC."""
    bad = []
    _, same = align(segments(r.data), segments(r.out))
    for _, new in _pairs(r):
        for ln in new.lines:
            if "JW" not in ln.modifiers or ln.service in same:
                continue  # only JW lines the scrub wrote or changed
            pkg = CATALOG.package(normal_ndc(ln.ndc))
            limit = pkg.potency_max if pkg is not None else None
            if limit is None:
                bad.append(f"{new.clm01}: JW line written for NDC {ln.ndc} with no known potency")
            elif ln.units is None or ln.units > limit:
                bad.append(
                    f"{new.clm01}: JW line of {ln.units} IU exceeds one container ({limit} IU)"
                )
    return bad


def prop_d_attestations_kept(r: Run) -> list[str]:
    """(d) Every input attestation modifier (JZ, JW, KX, GA, GY, GZ) stays on its line."""
    bad = []
    a, b = segments(r.data), segments(r.out)
    mapping, _ = align(a, b)
    out_claims = parse_claims(b)
    by_service = {ln.service: ln for c in out_claims for ln in c.lines}
    for old, _new in _pairs(r):
        for n, ln in enumerate(old.lines, 1):
            wanted = ATTESTATIONS & set(ln.modifiers)
            if not wanted:
                continue
            target = by_service.get(mapping.get(ln.service, -1))
            if target is None:
                bad.append(f"{old.clm01} line {n}: line with {sorted(wanted)} removed")
                continue
            lost = wanted - set(target.modifiers)
            if lost:
                bad.append(
                    f"{old.clm01} line {n}: {sorted(lost)} removed ({a[ln.service]} -> {b[target.service]})"
                )
    return bad


def prop_e_voids_untouched(r: Run) -> list[str]:
    """(e) Voids (CLM05-3 = 8) are byte-identical."""
    return [
        f"{old.clm01}: void changed"
        for old, new in _pairs(r)
        if old.frequency == "8" and old.segs != new.segs
    ]


_REF = re.compile(r"([A-Z][A-Z0-9]{1,2})(\d{2})(?:-(\d+))?")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def prop_f_report_after_is_output(r: Run) -> list[str]:
    """(f) Every applied fix's report ``after`` is what the output carries."""
    bad = []
    a, b = segments(r.data), segments(r.out)
    mapping, same = align(a, b)
    changed_values = {
        v
        for j, s in enumerate(b)
        if j not in same
        for el in s.split("*")[1:]
        for v in (el, *el.split(":"))
    }
    for f in r.report.findings_json():
        fix = f["fix"]
        if fix["status"] != "applied" or fix["after"] is None:
            continue
        after, where = fix["after"], f"{f['rule']} at segment {f['segment']} {f['element']}"
        if " " in after.strip():
            missing = [n for n in _NUMBER.findall(after) if n not in changed_values]
            if missing:
                bad.append(
                    f"{where}: report after {after!r} names {missing}, not in the written segments"
                )
            continue
        m = _REF.fullmatch(f["element"] or "")
        if f["segment"] is None or m is None:
            bad.append(f"{where}: applied fix with no element to compare (after {after!r})")
            continue
        i = f["segment"] - 1
        if i >= len(a) or not a[i].startswith(m.group(1) + "*"):
            bad.append(f"{where}: finding points at input segment {a[i] if i < len(a) else '?'!r}")
            continue
        j = mapping.get(i)
        if j is None:
            if after and not after.startswith("no "):
                bad.append(f"{where}: segment removed but report after is {after!r}")
            continue
        parts = b[j].split("*")
        element = parts[int(m.group(2))] if int(m.group(2)) < len(parts) else ""
        # A composite may be reported without its qualifier (``J7207:JZ`` for ``HC:J7207:JZ``).
        values = {element, element.partition(":")[2]} if ":" in element else {element}
        if m.group(3):
            comps = element.split(":")
            k = int(m.group(3)) - 1
            values.add(comps[k] if k < len(comps) else "")
        if after not in values:
            bad.append(f"{where}: report after {after!r} but the output has {element!r} ({b[j]})")
    return bad


def prop_g_idempotent(r: Run) -> list[str]:
    """(g) A second scrub of the output changes nothing."""
    if r.again == r.out:
        return []
    a, b = segments(r.out), segments(r.again)
    diff = [f"{x!r} -> {y!r}" for x, y in zip(a, b, strict=False) if x != y][:3]
    return [f"second scrub changed the output: {diff or 'segment count'}"]


PROPERTIES: dict[str, Callable[[Run], list[str]]] = {
    "a-cob": prop_a_cob_lines_and_total,
    "b-one-jw": prop_b_one_jw_line,
    "c-container": prop_c_jw_within_container,
    "d-attestations": prop_d_attestations_kept,
    "e-voids": prop_e_voids_untouched,
    "f-report-after": prop_f_report_after_is_output,
    "g-idempotent": prop_g_idempotent,
}


def _judge(name: str, r: Run) -> None:
    JUDGED[name][r.data] = len(r.specs)
    bad = PROPERTIES[name](r)
    if bad:
        claims_text = "\n".join(_claim_text(c) for c in parse_claims(segments(r.data)))
        raise AssertionError(
            f"property {name} ({r.kind}) fails:\n  "
            + "\n  ".join(bad)
            + f"\ninput claims:\n{claims_text}"
        )


def _property_test(name: str) -> Callable[[str], None]:
    """One test per property, so that each fails, and shrinks, on its own."""

    @PROPERTY_SETTINGS
    @given(data=st.data())
    def test(kind: str, data: st.DataObject) -> None:
        specs = data.draw(files(kind), label="claims")
        _judge(name, run(kind, specs))

    test.__name__ = f"test_property_{name.replace('-', '_')}"
    test.__doc__ = PROPERTIES[name].__doc__
    parametrized: Callable[[str], None] = pytest.mark.parametrize("kind", [P, I])(test)
    return parametrized


test_property_a_cob = _property_test("a-cob")
test_property_b_one_jw = _property_test("b-one-jw")
test_property_c_container = _property_test("c-container")
test_property_d_attestations = _property_test("d-attestations")
test_property_e_voids = _property_test("e-voids")
test_property_f_report_after = _property_test("f-report-after")
test_property_g_idempotent = _property_test("g-idempotent")


@pytest.mark.parametrize("kind", [P, I])
@settings(PROPERTY_SETTINGS, max_examples=STRUCTURE_EXAMPLES)
@given(data=st.data())
def test_properties_with_structure(kind: str, data: st.DataObject) -> None:
    """All seven properties on a smaller subset scrubbed with pyx12's re-check on."""
    specs = data.draw(files(kind), label="claims")
    r = run(kind, specs, structure=True)
    JUDGED["all-with-structure"][r.data] = len(r.specs)
    failures = [f"{name}: {b}" for name, prop in PROPERTIES.items() for b in prop(r)]
    if failures:
        claims_text = "\n".join(_claim_text(c) for c in parse_claims(segments(r.data)))
        raise AssertionError("\n".join(failures) + f"\ninput claims:\n{claims_text}")


# --------------------------------------------------------------------------- the judges judged


def _fake(kind: str, specs: tuple[ClaimSpec, ...], out_specs: tuple[ClaimSpec, ...]) -> Run:
    """A run whose "output" is built from ``out_specs``: lets each judge be shown a defect."""
    data, out = build(kind, specs), build(kind, out_specs)
    clean = run(kind, specs)
    return Run(kind, specs, data, out, clean.report, out)


ADMIN = LineSpec(units="1000", charge="2000", ctp_qty="1200")
SPLIT = (
    replace(ADMIN, ctp_qty="1000"),
    LineSpec(modifiers=("JW",), units="200", charge="400", ctp_qty="200"),
)


@pytest.mark.parametrize("kind", [P, I])
def test_judges_pass_a_claim_with_nothing_to_fix(kind: str) -> None:
    r = run(kind, (ClaimSpec(lines=(LineSpec(modifiers=("JZ", "KX")),)),))
    assert r.out == r.data
    assert {name: prop(r) for name, prop in PROPERTIES.items()} == {key: [] for key in PROPERTIES}


@pytest.mark.parametrize("kind", [P, I])
def test_judges_see_each_defect(kind: str) -> None:
    """Every property fails on an output that has its defect (the judges can fail)."""
    cob = with_cob(ClaimSpec(lines=(ADMIN,)))
    split_cob = replace(cob, lines=SPLIT, clm02="2400")
    assert prop_a_cob_lines_and_total(_fake(kind, (cob,), (split_cob,)))
    one = ClaimSpec(lines=SPLIT)
    two = ClaimSpec(lines=(*SPLIT, replace(SPLIT[1], ndc="0944-4624-01", dos=None)))
    assert prop_b_one_jw_line(_fake(kind, (one,), (two,)))
    assert not prop_b_one_jw_line(_fake(kind, (two,), (two,)))
    big = ClaimSpec(lines=(SPLIT[0], replace(SPLIT[1], units="1251")))
    assert prop_c_jw_within_container(_fake(kind, (ClaimSpec(lines=(ADMIN,)),), (big,)))
    jz = ClaimSpec(lines=(replace(ADMIN, modifiers=("JZ", "KX")),))
    lost = ClaimSpec(lines=(replace(SPLIT[0], modifiers=("KX",)), SPLIT[1]))
    assert prop_d_attestations_kept(_fake(kind, (jz,), (lost,))) == [
        f"PCN001 line 1: ['JZ'] removed ({_service(kind, 'HC:J7207:JZ:KX')} -> "
        f"{_service(kind, 'HC:J7207:KX')})"
    ]
    void = ClaimSpec(lines=(ADMIN,), frequency="8", original_ref="SYNORIG0001")
    assert prop_e_voids_untouched(_fake(kind, (void,), (replace(void, lines=SPLIT),)))
    changed = _fake(kind, (one,), (ClaimSpec(lines=(replace(SPLIT[0], units="999"), SPLIT[1])),))
    assert prop_g_idempotent(replace(changed, out=changed.data))


def _service(kind: str, composite: str) -> str:
    if kind == P:
        return f"SV1*{composite}*2000*UN*1000***1"
    return f"SV2*0636*{composite}*2000*UN*1000"


@pytest.mark.parametrize("kind", [P, I])
def test_report_after_judge_compares_with_the_written_element(kind: str) -> None:
    """(f) fails when the report's ``after`` differs from the written value, passes when equal."""
    claim = ClaimSpec(lines=(LineSpec(modifiers=("JZ",), ndc="0944-4624-01"),))  # NDC003 only
    r = run(kind, (claim,))
    applied = [f for f in r.report.findings_json() if f["fix"]["status"] == "applied"]
    assert [(f["rule"], f["fix"]["after"]) for f in applied] == [("NDC003", "00944462401")]
    assert prop_f_report_after_is_output(r) == []
    tampered = replace(r, out=r.out.replace(b"LIN**N4*00944462401", b"LIN**N4*00944462409"))
    assert len(prop_f_report_after_is_output(tampered)) == 1


def test_normal_ndc_reads_the_forms_a_payer_matches() -> None:
    assert normal_ndc("0944-4624-01") == "00944462401"
    assert normal_ndc("0944462401") == "00944462401"  # the only reading the drug map knows
    assert normal_ndc(INNER_VIAL) == "00944462501"
    assert normal_ndc("0094-44624-01") == "0094-44624-01"  # not a label layout: not guessed


def test_align_does_not_take_an_inserted_jw_line_for_the_next_line() -> None:
    """Line 1 split (JW line inserted), line 2 given JZ: each input line maps to its own line."""
    a = [
        *("LX*1", "SV1*HC:J7207*400.00*UN*1***1", "DTP*472*D8*20240115"),
        *("LIN**N4*00944462201", "CTP****200*F2"),
        *("LX*2", "SV1*HC:J7207:KX*802.00*UN*401***1", "DTP*472*D8*20240115"),
        *("LIN**N4*00944462301", "CTP****401*F2", "SE*12*0001"),
    ]
    b = [
        *a[:4],
        "CTP****1*F2",
        *("LX*2", "SV1*HC:J7207:JW*79600.00*UN*199***1", "DTP*472*D8*20240115"),
        *("LIN**N4*00944462201", "CTP****199*F2"),
        *("LX*3", "SV1*HC:J7207:KX:JZ*802.00*UN*401***1", *a[7:10], "SE*17*0001"),
    ]
    mapping, same = align(a, b)
    assert mapping == {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 10, 6: 11, 7: 12, 8: 13, 9: 14, 10: 15}
    assert same == {0, 1, 2, 3, 12, 13, 14}
