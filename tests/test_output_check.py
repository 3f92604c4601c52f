"""Checking only the changed claims of the output (x12/partial.py) equals walking all of it.

For each input the fix pass runs twice: once with the output validated as a whole (the
reference, ``pipeline._OUTPUT_CHECK = "full"``) and once with only the changed claims validated
in a stand-in interchange (the default). Both must give the same output bytes, the same
per-claim output issue counts for the changed claims, the same reverts, the same cured input
issues and the same report. Inputs: every sample (safe and unsafe fixes), every corpus file,
generated 837P/837I files in several layouts (several claims per subscriber, patient HL 2000C,
several ST, several GS), and the same files mutated in place (bad codes, bad types, truncated
and swapped segments) or with segments dropped or duplicated.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from pathlib import Path

import pytest

from edi_scrub import pipeline
from edi_scrub.errors import InputError
from edi_scrub.model.group import ClaimUnit, group
from edi_scrub.pipeline import Options, scrub
from edi_scrub.rules import select_rules
from edi_scrub.x12._issues import StructuralResult
from edi_scrub.x12._normalise import ENVELOPE_PREFIXES, Plain
from edi_scrub.x12.lexer import Segment, iter_segments
from edi_scrub.x12.partial import ChangedClaims
from edi_scrub.x12.validate import validate_segments
from tests.builders import ClaimSpec, LineSpec, P, build
from tests.conftest import SAMPLES, corpus_files, needs_corpus
from tests.generated import generate

Trace = list[tuple[str, dict[int, int], frozenset[int], frozenset[int]]]


def _verify(path: Path, options: Options, mode: str) -> tuple[bytes, Trace, frozenset[int]]:
    """The fix pass with its output check in ``mode``: output, per-pass trace, cured issues."""
    rules = select_rules(options.select, options.ignore)
    ids = {r.meta.id for r in rules}
    ctx = pipeline._context(options)
    claim_rules = tuple(r for r in rules if r.check is not None)
    validation = pipeline._InputValidation(path, options)
    out = io.BytesIO()
    trace: list[pipeline._Verified] = []
    old = pipeline._OUTPUT_CHECK
    pipeline._OUTPUT_CHECK = mode
    try:
        _, result, _, fixed = pipeline._fix_and_verify(
            path, out, claim_rules, ctx, options, "X12003" in ids, validation, trace
        )
    finally:
        pipeline._OUTPUT_CHECK = old
        validation.close()
    spans = result.spans
    changed = {spans.ordinal[i] for i in range(len(spans)) if spans.changed(i)}
    # Only the changed claims' counts decide reverts; the others are compared through `cured`.
    steps = [
        (v.how, {k: n for k, n in v.after.items() if k in changed}, v.revert, v.cured)
        for v in trace
    ]
    return out.getvalue(), [(h, a, r, c) for h, a, r, c in steps], fixed


def _same(path: Path, options: Options) -> list[str]:
    """Asserts both output checks agree on ``path``; returns how the default one checked."""
    full_out, full_trace, full_fixed = _verify(path, options, "full")
    out, trace, fixed = _verify(path, options, "changed")
    assert out == full_out
    assert [step[1:] for step in trace] == [step[1:] for step in full_trace]
    assert fixed == full_fixed
    assert all(step[0] in ("full", "none") for step in full_trace)
    return [step[0] for step in trace]


def _report(path: Path, options: Options, mode: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(pipeline, "_OUTPUT_CHECK", mode)
    out = io.BytesIO()
    report = scrub(path, out, options)
    text = "".join(report.json_chunks())
    # Wall-clock seconds are the one field that may differ between two runs.
    return "\n".join(line for line in text.splitlines() if '"seconds"' not in line)


# ----------------------------------------------------------------------------- inputs


def _generate(folder: Path, kind: str, seed: int, claims: int = 40, per_st: int = 0) -> bytes:
    out = folder / f"gen_{kind}_{seed}_{per_st}.837"
    return generate(out, kind, claims=claims, seed=seed, defects=0.5, per_st=per_st)


def _segments(data: bytes) -> list[str]:
    return [s for s in data.decode("latin-1").split("~\n") if s]


def _join(segments: list[str]) -> bytes:
    """Segments back to a file, with SE01 and GE01 recounted and HL01/HL02 renumbered."""
    out: list[str] = []
    st_at = 0
    sts = 0
    numbers: dict[str, str] = {}
    for seg in segments:
        parts = seg.split("*")
        if parts[0] == "ST":
            st_at, numbers, sts = len(out), {}, sts + 1
        elif parts[0] == "HL":
            new = str(len(numbers) + 1)
            numbers[parts[1]] = new
            parts[1] = new
            parts[2] = numbers.get(parts[2], parts[2])
        elif parts[0] == "SE":
            parts[1] = str(len(out) - st_at + 1)
        elif parts[0] == "GE":
            parts[1], sts = str(sts), 0
        out.append("*".join(parts))
    return ("~\n".join(out) + "~\n").encode("latin-1")


def _with_patients(data: bytes) -> bytes:
    """Every other subscriber gets a patient loop (2000C) holding its claims."""
    out: list[str] = []
    subscriber = ""
    patient = False
    for text in _segments(data):
        parts = text.split("*")
        if parts[0] == "HL" and parts[3] == "22":
            subscriber = parts[1]
            patient = int(subscriber) % 2 == 0
            if patient:
                parts[4] = "1"
        elif parts[0] == "SBR" and patient:
            parts[2] = ""
        out.append("*".join(parts))
        if patient and parts[0] == "NM1" and parts[1] == "PR":
            # HL01 is made unique here and renumbered by _join; HL02 names the subscriber.
            out += [
                f"HL*P{subscriber}*{subscriber}*23*0",
                "PAT*19",
                "NM1*QC*1*DOE*SAM",
                "N3*1 ELM ST",
                "N4*ANYTOWN*PA*17111",
                "DMG*D8*20100101*M",
            ]
    return _join(out)


def _with_groups(data: bytes) -> bytes:
    """The transaction sets of a several-ST file split over two functional groups."""
    segments = _segments(data)
    gs = next(s for s in segments if s.startswith("GS*"))
    ses = [i for i, s in enumerate(segments) if s.startswith("SE*")]
    cut = ses[len(ses) // 2] + 1
    second = gs.split("*")
    second[6] = "2"
    out = [*segments[:cut], "GE*0*1", "*".join(second), *segments[cut:]]
    out = [s if not s.startswith("GE*") or s == "GE*0*1" else "GE*0*2" for s in out]
    text = _join(out)
    return text.replace(b"IEA*1*", b"IEA*2*")


_IN_PLACE = ("swap", "trunc", "badcode", "badtype", "lx")


def _mutate(data: bytes, seed: int, ops: tuple[str, ...], n: int = 8) -> bytes:
    rnd = random.Random(seed)
    segs = _segments(data)
    for _ in range(n):
        i = rnd.randrange(3, len(segs) - 3)
        if segs[i].split("*")[0] in ("ISA", "GS", "ST", "SE", "GE", "IEA", "HL"):
            continue
        op = rnd.choice(ops)
        parts = segs[i].split("*")
        if op == "drop":
            del segs[i]
        elif op == "dup":
            segs.insert(i, segs[i])
        elif op == "swap" and not segs[i + 1].startswith(("SE*", "HL*")):
            segs[i], segs[i + 1] = segs[i + 1], segs[i]
        elif op == "trunc" and len(parts) > 2:
            segs[i] = "*".join(parts[:-1])
        elif op == "badcode" and len(parts) > 1:
            segs[i] = "*".join([parts[0], "ZZ", *parts[2:]])
        elif op == "badtype" and len(parts) > 2:
            j = rnd.randrange(1, len(parts))
            parts[j] += "!X" * rnd.randrange(1, 30)
            segs[i] = "*".join(parts)
        elif op == "lx" and parts[0] == "LX":
            segs[i] = "LX*9"
    return ("~\n".join(segs) + "~\n").encode("latin-1")


def _layouts(folder: Path) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for kind in ("837P", "837I"):
        found[f"{kind}-one-st"] = _generate(folder, kind, 11)
        several = _generate(folder, kind, 12, per_st=12)
        found[f"{kind}-several-st"] = several
        found[f"{kind}-several-gs"] = _with_groups(several)
        found[f"{kind}-patients"] = _with_patients(_generate(folder, kind, 13, per_st=20))
    return found


# ----------------------------------------------------------------------------- tests


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.837")), ids=lambda p: p.name)
def test_samples_same_as_full_walk(path: Path, unsafe: bool) -> None:
    _same(path, Options(unsafe_fixes=unsafe))


@needs_corpus()
def test_corpus_same_as_full_walk() -> None:
    """Every corpus file (the ones no fix changes check nothing, quickly)."""
    hows: list[str] = []
    for path in corpus_files():
        for unsafe in (False, True):
            try:
                hows += _same(path, Options(unsafe_fixes=unsafe))
            except InputError:
                continue  # not an 837 at all: both ways fail the same, before any check
    # The cut is used on the corpus, not only the fallback.
    assert "changed" in hows and "full" in hows


def test_generated_layouts_same_as_full_walk(tmp_path: Path) -> None:
    for name, data in _layouts(tmp_path).items():
        path = tmp_path / f"{name}.837"
        path.write_bytes(data)
        assert validate_segments(iter_segments(io.BytesIO(data), name)).issues == (), name
        for unsafe in (False, True):
            hows = _same(path, Options(unsafe_fixes=unsafe))
            # Clean structure: the changed claims alone are checked, no fallback.
            assert hows == ["changed"], (name, unsafe)


def test_mutated_in_place_same_as_full_walk(tmp_path: Path) -> None:
    """Structural errors inside and around changed claims: reverts and cures included."""
    hows: list[str] = []
    for name, data in _layouts(tmp_path).items():
        for seed in range(4):
            path = tmp_path / f"{name}-m{seed}.837"
            path.write_bytes(_mutate(data, seed, _IN_PLACE))
            for unsafe in (False, True):
                hows += _same(path, Options(unsafe_fixes=unsafe))
    assert hows.count("changed") > len(hows) // 2


def test_mutated_counts_same_as_full_walk(tmp_path: Path) -> None:
    """Segments dropped or duplicated (wrong SE01 too): these mostly take the full walk."""
    for name, data in _layouts(tmp_path).items():
        for seed in range(2):
            path = tmp_path / f"{name}-c{seed}.837"
            path.write_bytes(_mutate(data, seed, ("drop", "dup", *_IN_PLACE)))
            _same(path, Options())


def test_report_bytes_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    layouts = _layouts(tmp_path)
    for name in ("837P-patients", "837I-several-gs"):
        path = tmp_path / f"{name}.837"
        path.write_bytes(_mutate(layouts[name], 1, _IN_PLACE))
        options = Options(unsafe_fixes=True)
        full = _report(path, options, "full", monkeypatch)
        assert _report(path, options, "changed", monkeypatch) == full


def test_pyx12_validator_keeps_the_full_walk() -> None:
    path = SAMPLES / "p_hyphenated_ndc.837"
    _, trace, _ = _verify(path, Options(validator="pyx12"), "changed")
    assert [step[0] for step in trace] == ["full"]


def test_stand_in_of_a_changed_claim_maps_issues_to_output_positions(tmp_path: Path) -> None:
    """A bad qualifier put into one changed claim: the stand-in finds what a full walk of the
    whole file finds in that claim, at the same positions, and nothing elsewhere."""
    data = _generate(tmp_path, "837P", 11)
    segments = list(iter_segments(io.BytesIO(data), "x"))
    clms = [s for s in segments if s.seg_id == "CLM"]
    clm = clms[len(clms) // 2]
    dtp = next(s for s in segments if s.seg_id == "DTP" and s.index > clm.index)
    bad = dtp.with_text("DTP*999*D8*20240101")
    whole = validate_segments([bad if s is dtp else s for s in segments], "x")
    probe = ChangedClaims(lambda segs: validate_segments(segs, "x"))
    last = 0
    for unit in group(iter(segments), "x"):
        if isinstance(unit, ClaimUnit):
            changed = unit.segments[0] is clm
            if changed:
                last = unit.segments[-1].index
            segs = [bad if s is dtp else s for s in unit.segments]
            probe.claim(segs, unit.segments[0].index, changed, len(segs))
        else:
            probe.outside(unit, unit, unit.index)
    probe.close()
    inside = [i for i in whole.issues if clm.index <= i.segment <= last]
    assert len(inside) == len(whole.issues) >= 2
    assert probe.issues == inside
    assert {i.segment for i in inside} == {dtp.index, dtp.index + 1}


def _with_se01(data: bytes, delta: int) -> bytes:
    text = data.decode("latin-1")
    start = text.index("\nSE*") + 4
    end = text.index("*", start)
    return (text[:start] + str(int(text[start:end]) + delta) + text[end:]).encode("latin-1")


def test_recounted_se01_is_cured_without_a_full_walk(tmp_path: Path) -> None:
    """A wrong SE01 in a file whose claims a fix changes: the recount cures it (as the full
    walk says), judged without walking the output again. With X12003 ignored the SE01 stays
    wrong, and as the fix does not change the transaction's size, the finding is carried."""
    claims = (
        ClaimSpec(clm01="A1", lines=(LineSpec(ndc="0944-4624-01", modifiers=("JZ",)),)),
        ClaimSpec(clm01="B2", lines=(LineSpec(modifiers=("JZ",)),)),
    )
    path = tmp_path / "se01.837"
    path.write_bytes(_with_se01(build(P, claims), 5))
    hows = _same(path, Options())
    assert hows == ["changed"]
    _, _, fixed = _verify(path, Options(), "changed")
    assert len(fixed) == 1  # the SE01 count finding
    assert _same(path, Options(ignore=("X12003",))) == ["changed"]
    assert _verify(path, Options(ignore=("X12003",)), "changed")[2] == frozenset()


def test_indented_input_takes_the_full_walk(tmp_path: Path) -> None:
    claims = (ClaimSpec(clm01="A1", lines=(LineSpec(ndc="0944-4624-01", modifiers=("JZ",)),)),)
    text = build(P, claims).decode("latin-1").replace("~\nN3*", "~\n  N3*")
    path = tmp_path / "indented.837"
    path.write_bytes(text.encode("latin-1"))
    assert _same(path, Options()) == ["full"]


def test_wrong_se01_of_a_grown_transaction_without_recount_takes_the_full_walk(
    tmp_path: Path,
) -> None:
    """The JW split adds segments; with X12003 ignored SE01 is not recounted, so whether its
    count finding stays is left to the full walk (the count changed under it)."""
    path = tmp_path / "split.837"
    path.write_bytes(_with_se01((SAMPLES / "p_waste_jw_split.837").read_bytes(), 5))
    assert _same(path, Options(ignore=("X12003",))) == ["full"]
    assert _same(path, Options()) == ["changed"]


def test_stand_in_hands_plain_segments_as_tuples_with_the_same_findings(tmp_path: Path) -> None:
    """The stand-in gives the validator a plain segment as the (index, text, delimiters) tuple
    the input's split gives it, and a Segment for the rest (envelope, indented, blank); the
    validator finds the same in it as in the stand-in made of Segments only."""
    data = _generate(tmp_path, "837P", 12)
    segments = list(iter_segments(io.BytesIO(data), "x"))
    clms = [s for s in segments if s.seg_id == "CLM"]
    odd = {
        clms[1].index + 1: " DTP*472*D8*20240101",  # indented
        clms[1].index + 2: "STC*A1",  # an envelope prefix, not an envelope segment
        clms[2].index + 1: "DTP*999*D8*20240101",  # a bad qualifier
    }
    edited = [s.with_text(odd[s.index]) if s.index in odd else s for s in segments]
    batches: list[list[Segment | Plain]] = []

    def validate(segs: Sequence[Segment | Plain]) -> StructuralResult:
        batches.append(list(segs))
        return validate_segments(segs, "x")

    probe = ChangedClaims(validate)
    for unit in group(iter(edited), "x"):
        if isinstance(unit, ClaimUnit):
            changed = unit.segments[0].index in (clms[1].index, clms[2].index)
            probe.claim(unit.segments, unit.segments[0].index, changed, len(unit.segments))
        else:
            probe.outside(unit, unit, unit.index)
    probe.close()
    assert len(batches) == 1
    as_segments: list[Segment | Plain] = []
    plain = 0
    for item in batches[0]:
        if isinstance(item, tuple):
            n, text, delims = item
            assert text and not text.startswith(ENVELOPE_PREFIXES) and not text[0].isspace()
            as_segments.append(Segment(n, text, delims.segment, "", delims))
            plain += 1
        else:
            text = item.text
            assert not text or text.startswith(ENVELOPE_PREFIXES) or text[0].isspace()
            as_segments.append(item)
    assert 0 < plain < len(as_segments)
    assert validate_segments(as_segments, "x") == validate_segments(batches[0], "x")
    assert probe.issues  # the bad qualifier (and the indentation) were found
