"""``--rejects``: the claims of OUT plus REJECTS are exactly the claims of the scrubbed output.

The invariant is checked on every sample, on generated files with injected defects (837P and
837I, one and many transaction sets) and on a hand-built nested hierarchy (two billing providers,
a subscriber with two patients) under every choice of rejected claims. "Exactly" means: the same
claims, in the same order, byte for byte, each under the same envelope, header and HL loops
(compared by content, since HL ids are renumbered); nothing lost, nothing duplicated. Both files
must have sequential HL ids with valid parents and HL04, right SE/GE/IEA counts, and validate
with pyx12 whenever the scrubbed output does.
"""

from __future__ import annotations

import io
import itertools
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_scrub.cli import main
from edi_scrub.errors import InputError, InternalError
from edi_scrub.pipeline import Options, scrub
from edi_scrub.rejects import split, split_bytes
from edi_scrub.report.model import Report
from edi_scrub.rules._base import Severity
from edi_scrub.x12.lexer import Segment, read_segments
from edi_scrub.x12.validate import validate_bytes
from tests.builders import ClaimSpec, Envelope, LineSpec, P, build
from tests.conftest import SAMPLES
from tests.generated import generate

SAMPLE_FILES = sorted(SAMPLES.glob("*.837")) + sorted((SAMPLES / "profiles").glob("*.837"))
_CLAIM_END = frozenset({"HL", "CLM", "SE", "GE", "IEA", "ST", "GS", "ISA"})

CLEAN = ClaimSpec(clm01="CLEAN1", lines=(LineSpec(modifiers=("JZ",)),))
#: MOD001: CTP04 1 UN cannot prove zero waste; a suggestion only, so the error stays.
DIRTY = ClaimSpec(clm01="DIRTY1", lines=(LineSpec(ctp_qty="1", ctp_unit="UN"),))


# -- reading files back ---------------------------------------------------------------------


def _raw(seg: Segment) -> str:
    # The BOM (``lead``) belongs to the file, not to a segment.
    return seg.text + seg.terminator + seg.trailer


Claim = tuple[tuple[str, ...], tuple[str, ...]]


def _claims(data: bytes) -> list[Claim]:
    """Every claim in file order: (its context, its segments' exact bytes).

    The context is the interchange and group headers, the transaction set's header and the
    loops of every HL above the claim, with the HL segments themselves reduced to their level
    code (HL03), since the split renumbers them.
    """
    if not data:
        return []
    claims: list[Claim] = []
    isa = gs = ""
    header: list[str] = []
    loops: dict[str, tuple[str, list[str]]] = {}  # HL01 -> (HL02, [HL03, loop segments...])
    current = ""
    claim: list[str] | None = None
    in_header = False

    def chain() -> tuple[str, ...]:
        out: list[str] = []
        hl = current
        while hl in loops:
            parent, loop = loops[hl]
            out = loop + out
            hl = parent
        return (isa, gs, *header, *out)

    for seg in read_segments(data):
        if not seg.index:
            continue
        sid = seg.seg_id
        if claim is not None and sid in _CLAIM_END:
            claims.append((chain(), tuple(claim)))
            claim = None
        if claim is not None:
            claim.append(_raw(seg))
        elif sid == "ISA":
            isa = _raw(seg)
        elif sid == "GS":
            gs = _raw(seg)
        elif sid == "ST":
            header, loops, current, in_header = [_raw(seg)], {}, "", True
        elif sid == "HL":
            in_header = False
            current = seg.element(1)
            loops[current] = (seg.element(2), [f"HL03={seg.element(3)}"])
        elif sid == "CLM":
            claim = [_raw(seg)]
        elif in_header:
            header.append(_raw(seg))
        elif current and sid not in ("SE", "GE", "IEA"):
            loops[current][1].append(_raw(seg))
    return claims


_PARENT_LEVEL = {"20": "", "22": "20", "23": "22"}


def _check_envelope(data: bytes) -> None:
    """Control counts, control numbers and the HL hierarchy of every transaction set."""
    segs = [s for s in read_segments(data) if s.index]
    isa13 = gs06 = st02 = ""
    groups = sets = start = 0
    levels: dict[str, str] = {}
    hl04: dict[str, str] = {}
    children: dict[str, int] = {}
    claims_under: dict[str, int] = {}
    current = ""
    for i, seg in enumerate(segs):
        sid = seg.seg_id
        if sid == "ISA":
            isa13, groups = seg.element(13), 0
        elif sid == "GS":
            gs06, sets, groups = seg.element(6), 0, groups + 1
        elif sid == "ST":
            st02, start, sets = seg.element(2), i, sets + 1
            levels, hl04, children, claims_under, current = {}, {}, {}, {}, ""
        elif sid == "HL":
            hl_id, parent, level = seg.element(1), seg.element(2), seg.element(3)
            assert hl_id == str(len(levels) + 1), f"HL01 {hl_id} out of sequence"
            assert levels.get(parent, "") == _PARENT_LEVEL[level], f"HL {hl_id}: bad parent"
            if parent:
                children[parent] = children.get(parent, 0) + 1
            levels[hl_id], hl04[hl_id], current = level, seg.element(4), hl_id
        elif sid == "CLM":
            claims_under[current] = claims_under.get(current, 0) + 1
        elif sid == "SE":
            assert seg.element(1) == str(i - start + 1), "SE01"
            assert seg.element(2) == st02, "SE02"
            for hl_id in levels:
                assert hl04[hl_id] == ("1" if children.get(hl_id) else "0"), f"HL04 of {hl_id}"
                # Every HL carries a claim or a child: no loop was left behind empty.
                assert children.get(hl_id) or claims_under.get(hl_id), f"HL {hl_id} is empty"
        elif sid == "GE":
            assert (seg.element(1), seg.element(2)) == (str(sets), gs06), "GE01/GE02"
        elif sid == "IEA":
            assert (seg.element(1), seg.element(2)) == (str(groups), isa13), "IEA01/IEA02"


def _check_split(scrubbed: bytes, reject: set[int], pyx12: bool = True) -> tuple[bytes, bytes]:
    """Split ``scrubbed`` and check every promise of the split; returns (OUT, REJECTS)."""
    out, rejects, result = split_bytes(scrubbed, reject)
    claims = _claims(scrubbed)
    kept = [c for i, c in enumerate(claims) if i not in reject]
    moved = [c for i, c in enumerate(claims) if i in reject]
    assert _claims(out) == kept
    assert _claims(rejects) == moved
    assert (result.kept, result.rejected) == (len(kept), len(moved))
    assert (result.out_empty, result.rejects_empty) == (not out, not rejects)
    if not reject:
        assert out == scrubbed
        assert rejects == b""
    assert bool(rejects) == bool(moved)
    assert bool(out) == bool(kept)
    for data in (out, rejects):
        if data:
            _check_envelope(data)
    if pyx12 and not validate_bytes(scrubbed).issues:
        for data in (out, rejects):
            if data:
                assert validate_bytes(data).issues == ()
    return out, rejects


def _scrub(path: Path, options: Options | None = None) -> tuple[bytes, Report]:
    out = io.BytesIO()
    report = scrub(path, out, options or Options())
    return out.getvalue(), report


def _failing(report: Report) -> set[int]:
    return {c.ordinal for c in report.failing_claims}


# -- generated files ------------------------------------------------------------------------


def _generate(tmp_path: Path, kind: str, per_st: int, claims: int = 200, seed: int = 7) -> Path:
    target = tmp_path / f"gen-{kind}-{per_st}.837"
    generate(target, kind, claims=claims, seed=seed, defects=0.3, per_st=per_st)
    return target


# -- the invariant --------------------------------------------------------------------------


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_samples(path: Path, tmp_path: Path) -> None:
    """Every sample: the run's own rejects, then each claim alone and all claims rejected."""
    scrubbed, report = _scrub(path)
    out, _ = _check_split(scrubbed, _failing(report))
    n = len(_claims(scrubbed))
    for reject in [*({i} for i in range(n)), set(range(n))]:
        _check_split(scrubbed, reject)
    if not out:
        return  # every claim failed
    # OUT holds clean claims only: scrubbed again, no claim fails and nothing changes.
    again = tmp_path / "out.837"
    again.write_bytes(out)
    out2, report2 = _scrub(again)
    assert report2.failing_claims == ()
    assert out2 == out


@pytest.mark.parametrize("per_st", [0, 25], ids=["one-st", "multi-st"])
@pytest.mark.parametrize("kind", ["837P", "837I"])
def test_generated_with_defects(kind: str, per_st: int, tmp_path: Path) -> None:
    """Generated files with injected defects: the run's own rejects, and other patterns."""
    path = _generate(tmp_path, kind, per_st)
    scrubbed, report = _scrub(path)
    reject = _failing(report)
    assert reject, "the generator's defects should leave some claim failing"
    out, rejects = _check_split(scrubbed, reject)
    ids = {c.claim_id for c in report.failing_claims}
    moved = {_raw(s).split("*")[1] for s in read_segments(rejects) if s.seg_id == "CLM"}
    assert moved == ids
    again = tmp_path / "out.837"
    again.write_bytes(out)
    # pyx12 has just passed OUT; the rules alone say whether any claim still fails.
    out2, report2 = _scrub(again, Options(structure=False))
    assert report2.failing_claims == ()
    assert report2.summary.unfixed_errors == 0
    assert out2 == out
    # Structure only (pyx12 is slow): every third claim, and everything.
    n = report.summary.claims
    _check_split(scrubbed, set(range(0, n, 3)), pyx12=False)
    _check_split(scrubbed, set(range(n)), pyx12=False)


def test_whole_transaction_sets_move(tmp_path: Path) -> None:
    """Rejecting every claim of one ST drops that ST from OUT; GE01 follows."""
    path = _generate(tmp_path, "837P", 10, claims=30, seed=3)
    scrubbed, _ = _scrub(path, Options(structure=False))
    out, rejects = _check_split(scrubbed, set(range(10)))
    assert sum(1 for s in read_segments(out) if s.seg_id == "ST") == 2
    assert sum(1 for s in read_segments(rejects) if s.seg_id == "ST") == 1
    assert b"ST*837*0001*" in rejects and b"ST*837*0001*" not in out


def _nested() -> bytes:
    """Two billing providers; a subscriber with two patients (2000C), one with three claims."""
    base = [s.text for s in read_segments(build(P, (CLEAN,))) if s.index]

    def at(prefix: str) -> int:
        return next(i for i, t in enumerate(base) if t.startswith(prefix))

    header, provider = base[at("ST*") : at("HL*")], base[at("HL*1*") + 1 : at("HL*2*")]
    subscriber, claim = base[at("HL*2*") + 1 : at("CLM*")], base[at("CLM*") : at("SE*")]
    dependent = [t.replace("SBR*P*18*", "SBR*P**", 1) for t in subscriber]
    patient = ["PAT*19", "NM1*QC*1*DOE*SAMMY", "N3*1 MAIN ST", "N4*ANYTOWN*PA*17111"]
    patient.append("DMG*D8*20100101*M")

    def claim_as(clm01: str) -> list[str]:
        return ["CLM*" + clm01 + "*" + claim[0].split("*", 2)[2], *claim[1:]]

    body = [
        *header,
        *("HL*1**20*1", *provider, "HL*2*1*22*0", *subscriber, *claim_as("A1")),
        *("HL*3*1*22*1", *dependent, "HL*4*3*23*0", *patient, *claim_as("B1")),
        *(*claim_as("B2"), "HL*5*3*23*0", *patient, *claim_as("C1")),
        *("HL*6**20*1", *provider, "HL*7*6*22*0", *subscriber, *claim_as("D1")),
    ]
    body.append(f"SE*{len(body) + 1}*0001")
    segments = [base[0], base[1], *body, "GE*1*1", "IEA*1*000000001"]
    return "".join(t + "~\n" for t in segments).encode("latin-1")


def test_nested_hierarchy_every_subset() -> None:
    """2000A/2000B/2000C: every choice of rejected claims renumbers and prunes consistently."""
    data = _nested()
    assert validate_bytes(data).issues == ()
    for size in range(6):
        for reject in itertools.combinations(range(5), size):
            # pyx12 on a spread of cases; the structural checks on all 32.
            _check_split(data, set(reject), pyx12=size in (1, 3, 5))


def test_nested_hierarchy_renumbering() -> None:
    """Rejecting one patient's claims: REJECTS gets 2000A → 2000B → that 2000C, renumbered."""
    out, rejects = _check_split(_nested(), {1, 2})
    hl = [s.text for s in read_segments(rejects) if s.seg_id == "HL"]
    assert hl == ["HL*1**20*1", "HL*2*1*22*1", "HL*3*2*23*0"]
    hl = [s.text for s in read_segments(out) if s.seg_id == "HL"]
    assert hl == [
        "HL*1**20*1",
        "HL*2*1*22*0",
        "HL*3*1*22*1",
        "HL*4*3*23*0",
        "HL*5**20*1",
        "HL*6*5*22*0",
    ]


# -- degenerate cases and formatting -----------------------------------------------------------


def test_nothing_rejected_is_byte_identical_even_when_odd() -> None:
    """No claim rejected: OUT is the input byte for byte, even with gaps in the HL ids."""
    data = build(P, (CLEAN,)).replace(b"HL*2*1*22*0", b"HL*9*1*22*0")
    out, rejects, result = split_bytes(data, set())
    assert (out, rejects) == (data, b"")
    assert (result.kept, result.rejected, result.rejects_empty) == (1, 0, True)


def test_all_rejected_leaves_out_empty() -> None:
    """Every claim rejected: OUT is empty (0 bytes), REJECTS is the whole interchange."""
    data = build(P, (DIRTY, DIRTY))
    out, rejects, result = split_bytes(data, {0, 1})
    assert out == b""
    assert rejects == data
    assert result.out_empty and not result.rejects_empty


def test_formatting_and_bom_survive() -> None:
    """CRLF after each terminator and a BOM: kept in both files; only HL/SE are re-rendered."""
    env = Envelope(terminator="~\r\n")
    data = b"\xef\xbb\xbf" + build(P, (CLEAN, DIRTY), env)
    out, rejects = _check_split(data, {1})
    for part in (out, rejects):
        assert part.startswith(b"\xef\xbb\xbfISA")
        assert part.count(b"\r\n") == part.count(b"~")
    assert b"HL*2*1*22*0~\r\nSBR" in rejects


def test_claimless_loops_stay_in_out() -> None:
    """An HL with no claim (unusual) was not emptied by the split: it stays in OUT."""
    base = build(P, (CLEAN, DIRTY)).decode("latin-1")
    head, _, tail = base.rpartition("SE*")
    extra = "HL*4*1*22*0~\nSBR*P*18*******MB~\nNM1*IL*1*DOE*JANE****MI*SYN1~\n"
    data = (head + extra + "SE*" + tail).encode("latin-1")
    out, rejects, _ = split_bytes(data, {0, 1})
    assert b"HL*1**20*1~" in out and b"*DOE*JANE****MI*SYN1~" in out
    assert b"CLM*" not in out
    assert _claims(rejects) == _claims(data)


def test_unknown_claim_is_an_internal_error() -> None:
    """Asked to reject a claim the file does not have: refuse (a claim would go missing)."""
    with pytest.raises(InternalError):
        split(io.BytesIO(build(P, (CLEAN,))), io.BytesIO(), io.BytesIO(), {5})


def test_unsplittable_envelope_is_refused() -> None:
    """An ST outside any GS cannot be given a valid envelope: InputError (exit 2)."""
    data = build(P, (CLEAN, DIRTY)).replace(b"GS*HC*", b"ZZ*HC*").replace(b"GE*1*1~", b"")
    with pytest.raises(InputError, match="ST outside a functional group"):
        split_bytes(data, {1})


def test_truncated_file_splits_only_when_nothing_moves() -> None:
    """A file cut short before SE: copied when nothing is rejected, else refused (exit 2)."""
    data = build(P, (CLEAN, DIRTY))
    cut = data[: data.rindex(b"SE*")]
    out, rejects, result = split_bytes(cut, set())
    assert (out, rejects, result.kept) == (cut, b"", 2)
    with pytest.raises(InputError, match="the interchange is not closed"):
        split_bytes(cut, {1})


# -- which claims fail ------------------------------------------------------------------------


def test_failing_claims_follow_fail_on(tmp_path: Path) -> None:
    """A claim with only a remaining warning moves only under --fail-on warning."""
    warned = ClaimSpec(clm01="WARN1", lines=(LineSpec(code="J7192", ctp_qty="1200"),))
    path = tmp_path / "in.837"
    path.write_bytes(build(P, (CLEAN, warned, DIRTY)))
    _, report = _scrub(path)
    assert [c.claim_id for c in report.failing_claims] == ["DIRTY1"]
    _, report = _scrub(path, Options(fail_on=Severity.WARNING))
    assert [c.claim_id for c in report.failing_claims] == ["WARN1", "DIRTY1"]


def _plant(data: bytes, after: str, last: bool, planted: str) -> bytes:
    """``data`` with ``planted`` inserted after the first (or last) segment starting ``after``,
    SE01 kept right so that only the planted error is found."""
    texts = [s.text for s in read_segments(data) if s.index]
    hits = [i for i, t in enumerate(texts) if t.startswith(after)]
    texts.insert((hits[-1] if last else hits[0]) + 1, planted)
    st, se = texts.index(next(t for t in texts if t.startswith("ST*"))), len(texts) - 3
    texts[se] = f"SE*{se - st + 1}*{texts[se].split('*')[2]}"
    return "".join(t + "~\n" for t in texts).encode("latin-1")


def test_structural_error_inside_a_claim_moves_it(tmp_path: Path) -> None:
    """X12001 inside a claim's segments moves the claim; one in the 2010AA loop moves none."""
    clean2 = ClaimSpec(clm01="CLEAN2", lines=(LineSpec(modifiers=("JZ",)),))
    data = build(P, (CLEAN, clean2))
    inside = _plant(data, "HI*", True, "PWK*ZZ*QQ")
    outside = _plant(data, "N3*1 CLINIC WAY", False, "PER*ZZ")
    for planted, expected in ((inside, ["CLEAN2"]), (outside, [])):
        path = tmp_path / "in.837"
        path.write_bytes(planted)
        assert len(validate_bytes(planted).issues) == 1
        scrubbed, report = _scrub(path)
        assert [c.claim_id for c in report.failing_claims] == expected
        _check_split(scrubbed, _failing(report), pyx12=False)


# -- the CLI ------------------------------------------------------------------------------------


def _invoke(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def _files(folder: Path) -> Iterator[str]:
    return (p.name for p in sorted(folder.iterdir()))


def test_cli_rejects_split_and_report(tmp_path: Path) -> None:
    """A failing claim moves: exit 1, both files written, the report names it."""
    src, out, rej, rep = (tmp_path / n for n in ("in.837", "out.837", "rej.837", "r.json"))
    src.write_bytes(build(P, (CLEAN, DIRTY)))
    code, output = _invoke([str(src), str(out), "--rejects", str(rej), "--report", str(rep)])
    assert code == 1
    assert "1 claim moved to the rejects file, 1 kept" in output
    assert b"CLM*CLEAN1*" in out.read_bytes() and b"CLM*DIRTY1*" not in out.read_bytes()
    assert b"CLM*DIRTY1*" in rej.read_bytes() and b"CLM*CLEAN1*" not in rej.read_bytes()
    report = json.loads(rep.read_text())
    assert report["summary"]["rejected_claims"] == 1
    assert report["rejected"] == [{"claim": "DIRTY1", "segment": report["rejected"][0]["segment"]}]
    assert list(_files(tmp_path)) == ["in.837", "out.837", "r.json", "rej.837"]


def test_cli_nothing_rejected(tmp_path: Path) -> None:
    """Clean input: exit 0, OUT as without --rejects, REJECTS written empty, report says 0."""
    src, out, rej, rep = (tmp_path / n for n in ("in.837", "out.837", "rej.837", "r.json"))
    data = build(P, (CLEAN,))
    src.write_bytes(data)
    rej.write_bytes(b"a stale file from an earlier run")
    code, _ = _invoke([str(src), str(out), "--rejects", str(rej), "--report", str(rep), "-q"])
    assert code == 0
    assert out.read_bytes() == data
    assert rej.read_bytes() == b""
    report = json.loads(rep.read_text())
    assert (report["summary"]["rejected_claims"], report["rejected"]) == (0, [])


def test_cli_all_rejected(tmp_path: Path) -> None:
    """Every claim fails: exit 1, OUT empty, REJECTS is the scrubbed file, stderr says so."""
    src, out, rej = tmp_path / "in.837", tmp_path / "out.837", tmp_path / "rej.837"
    data = build(P, (DIRTY,))
    src.write_bytes(data)
    code, output = _invoke([str(src), str(out), "--rejects", str(rej)])
    assert code == 1
    assert "the only claim rejected, none left in the output file" in output
    assert out.read_bytes() == b""
    assert rej.read_bytes() == data


def test_cli_report_without_rejects_is_unchanged(tmp_path: Path) -> None:
    """No --rejects: the report has no rejected keys (the schema stays additive)."""
    src, out, rep = tmp_path / "in.837", tmp_path / "out.837", tmp_path / "r.json"
    src.write_bytes(build(P, (CLEAN, DIRTY)))
    assert _invoke([str(src), str(out), "--report", str(rep), "-q"])[0] == 1
    report = json.loads(rep.read_text())
    assert "rejected" not in report and "rejected_claims" not in report["summary"]


@pytest.mark.parametrize(
    "case",
    ["not-837", "rejects-stdout", "rejects-is-out", "rejects-is-in", "no-folder"],
)
def test_cli_nothing_written_on_exit_2(case: str, tmp_path: Path) -> None:
    """Exit 2: neither OUT nor REJECTS is written, and no temporary file is left behind."""
    src, out, rej = tmp_path / "in.837", tmp_path / "out.837", tmp_path / "rej.837"
    src.write_bytes(b"not x12" if case == "not-837" else build(P, (CLEAN, DIRTY)))
    rej.write_bytes(b"old")
    target = {
        "rejects-stdout": "-",
        "rejects-is-out": str(out),
        "rejects-is-in": str(src),
        "no-folder": str(tmp_path / "missing" / "rej.837"),
    }.get(case, str(rej))
    code, _ = _invoke([str(src), str(out), "--rejects", target, "-q"])
    assert code == 2
    assert not out.exists()
    assert rej.read_bytes() == b"old"
    assert list(_files(tmp_path)) == ["in.837", "rej.837"]


def test_cli_check_has_no_rejects(tmp_path: Path) -> None:
    """``check`` writes no EDI, so it has no --rejects."""
    src = tmp_path / "in.837"
    src.write_bytes(build(P, (CLEAN,)))
    assert _invoke(["check", str(src), "--rejects", str(tmp_path / "r.837")])[0] == 2


def test_cli_subprocess_out_on_stdout(tmp_path: Path) -> None:
    """A real process: OUT on stdout, REJECTS in a file."""
    src, rej = tmp_path / "in.837", tmp_path / "rej.837"
    src.write_bytes(build(P, (CLEAN, DIRTY)))
    done = subprocess.run(
        [sys.executable, "-m", "edi_scrub", str(src), "-", "--rejects", str(rej), "-q"],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1
    assert _claims(done.stdout) + _claims(rej.read_bytes()) == _claims(src.read_bytes())
    _check_envelope(done.stdout)
