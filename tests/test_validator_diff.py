"""Differential tests: the compiled TR3 validator against the pyx12 adapter (the reference).

Both must give the same result -- validated or not, implementation, aliases, and every issue
(segment position, segment id, element, level, code, 999 codes, message, transaction) in the
same order -- on every corpus file, every sample, generated 837P/837I files and mutated ones.
Deliberate differences are listed in docs/validator.md and pinned at the end of this file.
"""

from __future__ import annotations

import importlib.util
import io
import pickle
import random
import tempfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edi_scrub.x12 import _tr3_compile
from edi_scrub.x12.validate import StructuralResult, validate_bytes
from tests.builders import ClaimSpec, P, build
from tests.conftest import SAMPLES, corpus_files, needs_corpus
from tests.generated import generate


def _key(result: StructuralResult) -> tuple[object, ...]:
    return (result.validated, result.implementation, result.aliases, result.issues)


def _same(data: bytes, where: str = "<input>") -> StructuralResult:
    reference = validate_bytes(data, where, validator="pyx12")
    compiled = validate_bytes(data, where, validator="compiled")
    assert _key(compiled) == _key(reference)
    return compiled


@cache
def _generated(kind: str, claims: int, defects: float, seed: int) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "gen.837"
        return generate(target, kind, claims=claims, seed=seed, defects=defects)


@needs_corpus()
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name[:60])
def test_corpus_file_same_findings(path: Path) -> None:
    _same(path.read_bytes(), path.name)


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.837")), ids=lambda p: p.name)
def test_sample_same_findings(path: Path) -> None:
    _same(path.read_bytes(), path.name)


@pytest.mark.parametrize("kind", ["837P", "837I"])
@pytest.mark.parametrize("defects", [0.0, 0.5])
def test_generated_same_findings(kind: str, defects: float) -> None:
    result = _same(_generated(kind, 60, defects, 7))
    if defects == 0.0:
        assert result.validated
    assert result.implementation == {"837P": "005010X222A1", "837I": "005010X223A2"}[kind]


# --------------------------------------------------------------------------------------------
# Mutations: segments dropped, duplicated, moved; elements cut, retyped, given bad codes.

_JUNK = ("", "X", "ZZ", "99999999999999999999999999999999", "20231340", "1.2.3", "A:B", "-5", " ")


def _mutate(data: bytes, rng: random.Random, count: int) -> bytes:
    text = data.decode("latin-1")
    term = text[105]
    ele = text[3]
    segments = text.split(term)
    body = range(3, max(4, len(segments) - 4))  # keep ISA/GS/ST and the trailers mostly intact
    for _ in range(count):
        i = rng.choice(body)
        if i >= len(segments):
            continue
        op = rng.randrange(6)
        if op == 0:
            del segments[i]
        elif op == 1:
            segments.insert(i, segments[i])
        elif op == 2:
            j = rng.choice(body)
            if j < len(segments):
                segments[i], segments[j] = segments[j], segments[i]
        else:
            parts = segments[i].split(ele)
            if len(parts) < 2:
                continue
            k = rng.randrange(1, len(parts))
            if op == 3:
                parts[k] = parts[k][: rng.randrange(len(parts[k]) + 1)]
            elif op == 4:
                parts[k] = rng.choice(_JUNK)
            else:
                parts = parts[: k + 1] + [rng.choice(_JUNK)] * rng.randrange(1, 4)
            segments[i] = ele.join(parts)
    return term.join(segments).encode("latin-1")


@pytest.mark.parametrize("kind", ["837P", "837I"])
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 6))
def test_mutated_same_findings(kind: str, seed: int, count: int) -> None:
    base = _generated(kind, 6, 0.3, 11)
    _same(_mutate(base, random.Random(seed), count))


def test_mutations_do_find_errors() -> None:
    """The mutated inputs exercise the error paths, not only clean files."""
    base = _generated("837P", 6, 0.0, 11)
    codes: set[str] = set()
    for seed in range(30):
        result = _same(_mutate(base, random.Random(seed), 4))
        codes |= {issue.code for issue in result.issues}
    assert {"1", "3", "7"} <= codes  # not found, missing, bad code among them


# --------------------------------------------------------------------------------------------
# The compiled maps: cached on disk per pyx12 version, in memory when that cannot be written.


def test_compiled_map_is_cached_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(_tr3_compile, "_MEMORY", {})
    name = "837.5010.X222.A1.xml"
    cmap = _tr3_compile.load(name)
    path = _tr3_compile.cache_path(name)
    assert path.parent == tmp_path / "edi-scrub"
    assert str(_tr3_compile.COMPILER_VERSION) in path.name
    with path.open("rb") as stream:
        cached = pickle.load(stream)
    assert cached.name == name and len(cached.nodes) == len(cmap.nodes)

    # A second process (fresh memory) loads the file instead of compiling.
    monkeypatch.setattr(_tr3_compile, "_MEMORY", {})

    def refuse(_: str) -> None:
        raise AssertionError("compiled again despite the cache")

    monkeypatch.setattr(_tr3_compile, "compile_map", refuse)
    assert len(_tr3_compile.load(name).nodes) == len(cmap.nodes)


def test_unwritable_cache_falls_back_to_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.setattr(_tr3_compile, "_MEMORY", {})
    cmap = _tr3_compile.load("837Q3.I.5010.X223.A1.xml")
    assert cmap.nodes
    assert not _tr3_compile.cache_path("837Q3.I.5010.X223.A1.xml").exists()


def test_corrupt_cache_is_recompiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(_tr3_compile, "_MEMORY", {})
    name = "837.5010.X222.A1.xml"
    path = _tr3_compile.cache_path(name)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage")
    assert _tr3_compile.load(name).nodes
    with path.open("rb") as stream:
        assert pickle.load(stream).name == name


# --------------------------------------------------------------------------------------------
# End to end: the default scrub reports the same structural findings as --validator pyx12.


def _structural(path: Path, validator: str) -> list[tuple[object, ...]]:
    from edi_scrub.errors import InputError
    from edi_scrub.pipeline import Options, scrub

    try:
        report = scrub(path, io.BytesIO(), Options(validator=validator))
    except InputError as exc:
        return [("refused", str(exc))]
    return [
        (o.finding.rule, o.finding.claim, o.finding.loc, o.finding.message, o.status)
        for o in report.outcomes
        if o.finding.rule.startswith("X12")
    ] + [("exit", report.summary.exit_code)]


@needs_corpus()
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name[:60])
def test_corpus_scrub_same_structural_findings(path: Path) -> None:
    assert _structural(path, "compiled") == _structural(path, "pyx12")


# --------------------------------------------------------------------------------------------
# Deliberate differences and hand-overs (docs/validator.md).


def _as_4010(data: bytes) -> bytes:
    text = data.decode("latin-1")
    return (
        text.replace("*00501*", "*00401*", 1)
        .replace("005010X222A1", "004010X098A1")
        .replace("*^*00401*", "*U*00401*", 1)
        .encode("latin-1")
    )


def test_pre_5010_group_is_handed_to_pyx12() -> None:
    """A 4010 interchange: the compiled validator hands the whole input to the pyx12 adapter,
    so the result is pyx12's (here validated with pyx12's 4010 map)."""
    data = _as_4010(_generated("837P", 3, 0.0, 11))
    result = _same(data)
    assert result.implementation == "004010X098A1"


def test_late_pre_5010_group_is_not_validated() -> None:
    """A pre-5010 interchange after the first 2,000 segments: the segments already read are not
    kept, so the compiled validator reports the input as not validated (pyx12 is not run)."""
    first = _generated("837P", 120, 0.0, 11)
    assert first.count(b"~") > 2000
    second = _as_4010(_generated("837P", 2, 0.0, 12))
    data = first + second.replace(b"*000000001*", b"*000000002*")
    compiled = validate_bytes(data, "big.837", validator="compiled")
    assert not compiled.validated
    assert "--validator pyx12" in compiled.issues[0].message
    reference = validate_bytes(data, "big.837", validator="pyx12")
    assert reference.validated


# --------------------------------------------------------------------------------------------
# The 999: built by pyx12's writer from the compiled validator's events, equal to pyx12's.


def _ack_body(text: str | None) -> list[str] | None:
    """The 999 without its envelope (ISA13 from the clock, a random GS06)."""
    if text is None:
        return None
    segments = (s.strip() for s in text.split("~"))
    return [s for s in segments if s and not s.startswith(("ISA", "GS", "GE", "IEA"))]


def _same_ack(data: bytes, where: str = "<input>") -> StructuralResult:
    reference = validate_bytes(data, where, ack=True, validator="pyx12")
    compiled = validate_bytes(data, where, ack=True, validator="compiled")
    assert _key(compiled) == _key(reference)
    assert compiled.ack_note == reference.ack_note
    assert _ack_body(compiled.ack) == _ack_body(reference.ack)
    return compiled


@needs_corpus()
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name[:60])
def test_corpus_file_same_999(path: Path) -> None:
    _same_ack(path.read_bytes(), path.name)


@pytest.mark.parametrize("kind", ["837P", "837I"])
def test_generated_and_mutated_same_999(kind: str) -> None:
    base = _generated(kind, 6, 0.3, 11)
    result = _same_ack(base)
    assert result.ack is not None and "IK5*A" in result.ack
    rejected = 0
    for seed in range(12):
        mutated = _same_ack(_mutate(base, random.Random(seed), 4))
        rejected += mutated.ack is not None and "IK5*R" in mutated.ack
    assert rejected  # the error paths of the 999 are exercised


# --------------------------------------------------------------------------------------------
# Choosing the validator: CLI option, config key, batch settings.


def test_validator_option_and_config_key(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from edi_scrub.cli import main
    from edi_scrub.config import parse_config

    sample = SAMPLES / "p_waste_jw_split.837"
    runner = CliRunner()
    for extra in (["--validator", "pyx12"], ["--validator", "compiled"], []):
        out = tmp_path / "out.837"
        result = runner.invoke(main, [str(sample), str(out), "-q", "--no-config", *extra])
        assert result.exit_code == 0, result.output
    bad = runner.invoke(main, [str(sample), str(tmp_path / "o.837"), "--validator", "x"])
    assert bad.exit_code == 2
    config = parse_config({"validator": "pyx12"}, tmp_path / "edi-scrub.toml")
    assert config.params()["validator"] == "pyx12"
    from edi_scrub.errors import ConfigError

    with pytest.raises(ConfigError):
        parse_config({"validator": "fast"}, tmp_path / "edi-scrub.toml")


def test_batch_settings_carry_the_validator() -> None:
    from edi_scrub.batch import Settings

    assert Settings().options().validator == "compiled"
    assert Settings(validator="pyx12").options().validator == "pyx12"
    assert Settings(validator="pyx12").digest() != Settings().digest()


def test_cache_key_follows_the_map_files() -> None:
    """A pyx12 install whose map changed without a version bump gets a new cache file."""

    spec = importlib.util.find_spec("pyx12")
    assert spec is not None and spec.submodule_search_locations
    base = Path(next(iter(spec.submodule_search_locations))) / "map"
    name = "837.5010.X222.A1.xml"
    size = (base / name).stat().st_size
    assert f"{size:x}" in _tr3_compile._sources_stamp(name)
    assert _tr3_compile._sources_stamp(name) in _tr3_compile.cache_path(name).name
    assert _tr3_compile._sources_stamp("no-such-map.xml").startswith("x-")


@pytest.mark.parametrize(("a", "b"), [("GS*", "GE*"), ("ST*", "SE*"), ("GS*", "IEA*")])
def test_a_trailer_before_its_header_fails_both_validators_the_same_way(a: str, b: str) -> None:
    """pyx12's reader raises IndexError on a GE/IEA with no open loop; the compiled reader too
    (found by tests/test_hostile.py's swap mutants: it escaped as an internal error)."""
    segs = build(P, (ClaimSpec(),)).decode("latin-1").split("~\n")
    i = next(k for k, s in enumerate(segs) if s.startswith(a))
    j = next(k for k, s in enumerate(segs) if s.startswith(b))
    segs[i], segs[j] = segs[j], segs[i]
    result = _same("~\n".join(segs).encode("latin-1"))
    assert [issue.code for issue in result.issues] == ["ENGINE"]
