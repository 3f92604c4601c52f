"""Hostile input as a test program (issue 8, item 8): property tests over mutated 837 files.

Seeds are the shipped samples, a spread of the public corpus (when present) and files made by
``benchmarks/gen837.py``. Each category of damage is a Hypothesis strategy; every mutant is
scrubbed in-process through the CLI (click's runner) and must keep the pipeline contract:

- exit 0, 1 or 2 (3 is a bug), and no traceback;
- exit 2 writes nothing (no OUT, no report, no rejects);
- written output re-reads (scrubbing it again is exit 0 or 1), and a second scrub changes
  nothing (``scrub(scrub(x)) == scrub(x)``);
- claims in = claims out + claims rejected;
- no PHI value of the input (NM1/N3/N4/DMG/member REF, see ``tests/test_phi.py``) in any log
  line, report or error message.

Seeded and bounded: the ``edi-scrub-ci`` settings derandomize (a fixed seed, the same examples
every run) and cap the examples per category so CI stays within a few minutes.
``EDI_SCRUB_HOSTILE_EXAMPLES=N`` runs N per category instead (a longer local trial), and
``EDI_SCRUB_HOSTILE_STATS=FILE`` appends one JSON line per input tried (category, exit code,
claims) to count them.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edi_scrub.cli import main
from edi_scrub.errors import InputError
from edi_scrub.x12.lexer import ENCODING, read_segments
from tests.builders import ClaimSpec, LineSpec, P, build
from tests.conftest import SAMPLES, corpus_files
from tests.generated import generate
from tests.test_phi import leaks, phi_values

_EXAMPLES = int(os.environ.get("EDI_SCRUB_HOSTILE_EXAMPLES", "30"))
settings.register_profile(
    "edi-scrub-ci",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=_EXAMPLES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CI = settings.get_profile("edi-scrub-ci")
#: pyx12 costs about ten times the rest per file: fewer examples with structure on.
CI_STRUCTURE = settings(CI, max_examples=max(_EXAMPLES // 3, 5))


# ------------------------------------------------------------------------------- seeds


@functools.cache
def seeds() -> tuple[bytes, ...]:
    """Samples, every 13th corpus file, and two generated files (one 837P, one 837I), lexable."""
    found = [p.read_bytes() for p in sorted(SAMPLES.rglob("*.837"))]
    found += [p.read_bytes() for p in corpus_files()[::13]]
    with tempfile.TemporaryDirectory() as folder:
        found += [
            generate(Path(folder) / "p.837", "837P", claims=4, seed=7, defects=0.5),
            generate(Path(folder) / "i.837", "837I", claims=4, seed=8, defects=0.5),
        ]
    return tuple(seed for seed in found if _lexes(seed))


def _lexes(data: bytes) -> bool:
    # The corpus holds a UTF-16 file and non-837s on purpose; mutants start from X12 text.
    try:
        read_segments(data)
    except InputError:
        return False
    return True


def _segments(data: bytes) -> list[str]:
    """The raw text of each segment (formatting included); ``render`` is their concatenation."""
    return [s.raw() for s in read_segments(data)]


def _join(parts: list[str]) -> bytes:
    return "".join(parts).encode(ENCODING)


# --------------------------------------------------------------------------- mutations

Mutator = Callable[[st.DataObject, bytes], bytes]


def _pick(data: st.DataObject, upper: int, label: str) -> int:
    """A position below ``upper``, uniform over the range: Hypothesis's own integers favour 0
    and small values, which put most cuts and drops in the ISA (exit 2, little tested)."""
    if upper <= 1:
        return 0
    rng = data.draw(st.randoms(use_true_random=False), label=label)
    return rng.randrange(upper)


def truncate(data: st.DataObject, seed: bytes) -> bytes:
    return seed[: _pick(data, len(seed), "cut at")]


def drop_segment(data: st.DataObject, seed: bytes) -> bytes:
    parts = _segments(seed)
    del parts[_pick(data, len(parts), "drop")]
    return _join(parts)


def duplicate_segment(data: st.DataObject, seed: bytes) -> bytes:
    parts = _segments(seed)
    i = _pick(data, len(parts), "duplicate")
    return _join([*parts[: i + 1], parts[i], *parts[i + 1 :]])


def swap_segments(data: st.DataObject, seed: bytes) -> bytes:
    parts = _segments(seed)
    i, j = _pick(data, len(parts), "swap a"), _pick(data, len(parts), "swap b")
    parts[i], parts[j] = parts[j], parts[i]
    return _join(parts)


def random_bytes(data: st.DataObject, seed: bytes) -> bytes:
    out = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 8), label="bytes changed")):
        out[_pick(data, len(out), "at")] = data.draw(st.integers(0, 255), label="byte")
    return bytes(out)


def delimiter_in_value(data: st.DataObject, seed: bytes) -> bytes:
    """An element, component, repetition separator or terminator inside a segment's text."""
    segs = read_segments(seed)
    real = [s for s in segs if s.index > 1]  # not the ISA: that is isa_damage
    seg = real[_pick(data, len(real), "segment")]
    d = seg.delimiters
    char = data.draw(st.sampled_from([d.element, d.component, d.repetition or "^", d.segment]))
    at = _pick(data, len(seg.text) + 1, "offset")
    parts = [s.raw() for s in segs]
    index = segs.index(seg)
    parts[index] = seg.raw().replace(seg.text, seg.text[:at] + char + seg.text[at:], 1)
    return _join(parts)


def isa_damage(data: st.DataObject, seed: bytes) -> bytes:
    out = bytearray(seed)
    start = seed.find(b"ISA")
    at = start + _pick(data, 106, "ISA byte")
    action = data.draw(st.sampled_from(["replace", "delete", "insert"]), label="action")
    byte = data.draw(st.integers(0, 255), label="byte")
    if action == "replace" and at < len(out):
        out[at] = byte
    elif action == "delete":
        del out[at : at + 1]
    else:
        out.insert(at, byte)
    return bytes(out)


def line_endings(data: st.DataObject, seed: bytes) -> bytes:
    """CR/LF mixes: each segment followed by nothing, LF, CRLF, CR or a blank line."""
    endings = st.sampled_from(["", "\n", "\r\n", "\r", "\n\n", "\r\r\n"])
    parts = []
    for seg in read_segments(seed):
        if seg.index == 0:
            continue  # trailing formatting after the last segment
        trailer = data.draw(endings, label="ending")
        parts.append(seg.lead + seg.text + seg.terminator + trailer)
    return _join(parts)


def byte_order_mark(data: st.DataObject, seed: bytes) -> bytes:
    lead = data.draw(st.sampled_from([b"", b"\n", b"  \r\n"]), label="lead")
    return b"\xef\xbb\xbf" + lead + seed


def utf16(data: st.DataObject, seed: bytes) -> bytes:
    codec = data.draw(st.sampled_from(["utf-16", "utf-16-le", "utf-16-be"]), label="codec")
    return seed.decode(ENCODING).encode(codec)


MUTATIONS: dict[str, Mutator] = {
    "truncate": truncate,
    "drop-segment": drop_segment,
    "duplicate-segment": duplicate_segment,
    "swap-segments": swap_segments,
    "random-bytes": random_bytes,
    "delimiter-in-value": delimiter_in_value,
    "isa-damage": isa_damage,
    "line-endings": line_endings,
    "bom": byte_order_mark,
    "utf-16": utf16,
}


# --------------------------------------------------------------------------- invariants


@dataclass(frozen=True)
class Outcome:
    code: int
    claims: int


def _cli(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args)
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), f"uncaught {type(exc).__name__}: {exc}"
    assert "Traceback" not in result.output, result.output[-2000:]
    assert "internal error" not in result.output, result.output[-2000:]
    assert result.exit_code in (0, 1, 2), result.output[-2000:]
    return result.exit_code, result.output


def _claims(report: Path) -> int:
    return int(json.loads(report.read_text(encoding="utf-8"))["summary"]["claims"])


def _leaks(values: set[str], *texts: str) -> list[str]:
    return leaks(values, *texts)


def _attributable(data: bytes) -> set[str]:
    """PHI values of ``data`` that no non-PHI element also holds (mutants can copy a ZIP into
    a charge or a name into CLM01; such a value is no longer evidence of a leak)."""
    values = phi_values(data)
    try:
        segments = read_segments(data)
    except InputError:
        return values
    phi_ids = {"NM1", "N3", "N4", "DMG", "REF"}
    other = {e.strip() for s in segments if s.seg_id not in phi_ids for e in s.elements}
    return values - other


def check_contract(data: bytes, category: str, structure: bool, rejects: bool) -> Outcome:
    """Scrub ``data`` and assert every invariant of the module docstring."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src, out, rep, rej = (folder / n for n in ("in.837", "out.837", "r.json", "rej.837"))
        src.write_bytes(data)
        args = [str(src), str(out), "--report", str(rep), "--log-format", "json", "-vv"]
        args += [] if structure else ["--no-structure"]
        args += ["--rejects", str(rej)] if rejects else []
        code, output = _cli(args)
        phi = _attributable(data)
        if code == 2:
            assert sorted(p.name for p in folder.iterdir()) == ["in.837"], "exit 2 wrote files"
            assert not _leaks(phi, output), "PHI in the error message"
            _record(category, code, 0)
            return Outcome(code, 0)
        claims = _claims(rep)
        texts = [output, rep.read_text(encoding="utf-8")]
        kept = _rescrub(out, folder / "again", structure, texts)
        rejected = _rescrub(rej, folder / "again-rej", structure, texts) if rejects else 0
        assert kept + rejected == claims, f"claims in {claims}, out {kept} + rejected {rejected}"
        leaked = _leaks(phi, *texts)
        assert not leaked, f"{len(leaked)} PHI value(s) in logs/reports, e.g. {leaked[0][:3]}..."
        _record(category, code, claims)
        return Outcome(code, claims)


def _rescrub(path: Path, stem: Path, structure: bool, texts: list[str]) -> int:
    """Scrub a written output again: it must re-read, and come out unchanged. Its claims."""
    first = path.read_bytes()
    if not first:
        return 0  # an empty OUT (every claim rejected) or an empty rejects file
    again, report = stem.with_suffix(".837"), stem.with_suffix(".json")
    args = [str(path), str(again), "--report", str(report), "--log-format", "json", "-vv"]
    code, output = _cli(args + ([] if structure else ["--no-structure"]))
    assert code in (0, 1), f"written output does not re-read: {output[-500:]}"
    assert again.read_bytes() == first, "a second scrub changed the output"
    texts += [output, report.read_text(encoding="utf-8")]
    return _claims(report)


def _record(category: str, code: int, claims: int) -> None:
    stats = os.environ.get("EDI_SCRUB_HOSTILE_STATS")
    if stats:
        with open(stats, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"category": category, "exit": code, "claims": claims}) + "\n")


def _mutant(data: st.DataObject, category: str) -> bytes:
    pool = seeds()
    seed = pool[data.draw(st.integers(0, len(pool) - 1), label="seed")]
    return MUTATIONS[category](data, seed)


# ------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("category", sorted(MUTATIONS))
@CI
@given(data=st.data())
def test_mutants_keep_the_contract(category: str, data: st.DataObject) -> None:
    """Without pyx12 (fast), with --rejects on every other example."""
    mutant = _mutant(data, category)
    rejects = data.draw(st.booleans(), label="rejects")
    outcome = check_contract(mutant, category, structure=False, rejects=rejects)
    if category == "utf-16":
        assert outcome.code == 2


@pytest.mark.parametrize("category", ["truncate", "drop-segment", "swap-segments", "random-bytes"])
@CI_STRUCTURE
@given(data=st.data())
def test_mutants_keep_the_contract_with_pyx12(category: str, data: st.DataObject) -> None:
    check_contract(_mutant(data, category), category + "+pyx12", structure=True, rejects=True)


def test_seeds_are_scrubbable() -> None:
    """The seeds themselves pass: a broken seed would make every mutant trivially exit 2."""
    pool = seeds()
    assert len(pool) >= 11
    for seed in pool[:3]:
        assert check_contract(seed, "seed", structure=False, rejects=False).code in (0, 1)


def _ten_mb(where: str) -> bytes:
    big = "A" * (10 * 1024 * 1024)
    if where == "note":
        return build(P, (ClaimSpec(notes=(big,)),))
    return build(P, (ClaimSpec(lines=(LineSpec(charge=big),), clm02="2000"),))


@pytest.mark.parametrize("where", ["note", "charge"])
def test_10_mb_segment_keeps_the_contract(where: str) -> None:
    """A 10 MB NTE or SV102: scrubbed (no structure), output re-read, nothing lost."""
    outcome = check_contract(_ten_mb(where), "10mb-segment", structure=False, rejects=True)
    assert outcome.code in (0, 1) and outcome.claims == 1


@pytest.mark.parametrize(
    ("name", "make", "codes"),
    [
        ("truncated", lambda: build(P)[:-40], (1,)),
        ("utf-16", lambda: build(P).decode(ENCODING).encode("utf-16"), (2,)),
        ("10 MB segment", lambda: _ten_mb("charge"), (1,)),
    ],
)
def test_real_process_on_hostile_input(
    name: str, make: Callable[[], bytes], codes: tuple[int, ...], tmp_path: Path
) -> None:
    """A real subprocess (not the runner): exit code, stderr free of tracebacks and PHI."""
    data = make()
    src, out, rep = tmp_path / "in.837", tmp_path / "out.837", tmp_path / "r.json"
    src.write_bytes(data)
    cmd = [sys.executable, "-m", "edi_scrub", str(src), str(out), "--report", str(rep)]
    done = subprocess.run(cmd, capture_output=True, timeout=300, check=False)
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode in codes, stderr[-1000:]
    assert "Traceback" not in stderr
    assert not _leaks(phi_values(build(P)), stderr)
    assert out.exists() == (done.returncode != 2)
