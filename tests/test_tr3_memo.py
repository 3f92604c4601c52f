"""The compiled validator's memos cannot change a finding.

Two shortcuts are checked here against the full path:

* the memo of segments already found clean (``_tr3_memo``): every input validated with it on
  (cold, warm, and with a tiny bound so entries are evicted all the time) gives exactly the
  result of the memo switched off -- issues, 999 and all -- on samples, corpus files,
  generated and mutated files;
* the quick form of a walk program (``_tr3_walk.quick``): for every program the validator
  planned and many counter states, the quick replay gives the same errors and counts as
  stepping through the ops.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edi_scrub.x12 import _tr3_memo, _tr3_validate, _tr3_walk
from edi_scrub.x12._tr3_compile import CMap, load
from edi_scrub.x12.validate import StructuralResult, validate_bytes
from tests.builders import ClaimSpec, LineSpec, P, build
from tests.conftest import SAMPLES, corpus_files, needs_corpus
from tests.test_validator_diff import _ack_body, _generated, _key, _mutate


def _full(result: StructuralResult) -> tuple[object, ...]:
    return (*_key(result), result.ack_note, _ack_body(result.ack))


@pytest.fixture
def memo_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with empty memos and leaves the switch as it found it."""
    monkeypatch.setattr(_tr3_memo, "_ALL", {})
    yield


def _without_memo(data: bytes, where: str, ack: bool = False) -> StructuralResult:
    _tr3_memo.ENABLED = False
    try:
        return validate_bytes(data, where, ack=ack)
    finally:
        _tr3_memo.ENABLED = True


def _same_with_and_without(data: bytes, where: str = "<input>") -> StructuralResult:
    reference = _without_memo(data, where)
    cold = validate_bytes(data, where)
    warm = validate_bytes(data, where)  # the memo now holds this very file's segments
    assert _key(cold) == _key(reference)
    assert _key(warm) == _key(reference)
    return warm


@pytest.mark.usefixtures("memo_state")
@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.837")), ids=lambda p: p.name)
def test_sample_same_with_and_without_memo(path: Path) -> None:
    _same_with_and_without(path.read_bytes(), path.name)


@needs_corpus()
@pytest.mark.usefixtures("memo_state")
def test_corpus_same_with_and_without_memo() -> None:
    # One memo across all files, as in a batch run: entries of one file meet the next.
    for path in corpus_files():
        _same_with_and_without(path.read_bytes(), path.name)


@pytest.mark.usefixtures("memo_state")
@pytest.mark.parametrize("kind", ["837P", "837I"])
def test_generated_same_with_and_without_memo(kind: str) -> None:
    _same_with_and_without(_generated(kind, 300, 0.3, 5))


@pytest.mark.usefixtures("memo_state")
@pytest.mark.parametrize("kind", ["837P", "837I"])
@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 12))
def test_mutated_same_with_and_without_memo(kind: str, seed: int, count: int) -> None:
    base = _generated(kind, 40, 0.3, 11)
    # The clean base first, so the memo holds entries the mutated segments' neighbours hit.
    validate_bytes(base)
    _same_with_and_without(_mutate(base, random.Random(seed), count))


@pytest.mark.usefixtures("memo_state")
def test_tiny_memo_evicts_and_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bounded: with room for 8 entries the memo is emptied all the time."""
    monkeypatch.setattr(_tr3_memo, "LIMIT", 8)
    base = _generated("837P", 40, 0.3, 11)
    rng = random.Random(3)
    for data in (base, _mutate(base, rng, 8), _mutate(base, rng, 8)):
        _same_with_and_without(data)
    for memos in _tr3_memo._ALL.values():
        assert len(memos.whole.data) <= 8 and len(memos.clean.data) <= 8


def test_memo_is_bounded() -> None:
    memo: _tr3_memo.Memo[bool] = _tr3_memo.Memo(10)
    for i in range(1000):
        memo.put((i, "x"), True)
        assert len(memo.data) <= 10
    assert (999, "x") in memo.data  # the newest entry is kept


@pytest.mark.usefixtures("memo_state")
def test_999_same_with_and_without_memo() -> None:
    """With a 999 wanted the memo is not used; the 999 is the same either way."""
    base = _generated("837P", 40, 0.3, 11)
    validate_bytes(base)  # a warm memo must not leak into the 999 path
    for data in (base, _mutate(base, random.Random(9), 6)):
        assert _full(validate_bytes(data, ack=True)) == _full(_without_memo(data, "<input>", True))


@pytest.mark.usefixtures("memo_state")
def test_memo_skips_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """The memo is really used: far fewer segments are validated the full way."""
    calls = {"n": 0}
    validate = _tr3_validate._validate

    def counting(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        validate(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_tr3_validate, "_validate", counting)
    data = _generated("837P", 200, 0.0, 5)
    _without_memo(data, "<input>")
    full = calls["n"]
    calls["n"] = 0
    validate_bytes(data)
    assert calls["n"] < full / 2


@pytest.mark.usefixtures("memo_state")
def test_memoised_lx_with_a_wrong_count_is_still_reported() -> None:
    """LX*2 after a CTP is memoised clean in the first claim; in the second claim the lines
    are numbered 1, 3, 2, so the same LX*2 after the same CTP must be reported."""
    claim = ClaimSpec(lines=(LineSpec(), LineSpec(), LineSpec()))
    text = build(P, (claim, claim)).decode("latin-1")
    segments = text.split("~\n")
    lx = [i for i, s in enumerate(segments) if s.startswith("LX*")]
    assert [segments[i] for i in lx] == ["LX*1", "LX*2", "LX*3"] * 2
    segments[lx[4]], segments[lx[5]] = "LX*3", "LX*2"
    data = "~\n".join(segments).encode("latin-1")
    result = _same_with_and_without(data)
    assert [i.code for i in result.issues] == ["LX", "LX"]
    assert _key(result) == _key(validate_bytes(data, validator="pyx12"))


# --------------------------------------------------------------------------------------------
# The quick form of walk programs.


def _replay(
    walker: _tr3_walk.Walker, cmap: CMap, program: _tr3_walk.Program, counts: dict[int, int]
) -> object:
    walker.counters.counts.clear()
    walker.counters.counts.update(counts)
    errors = walker.replay(cmap, program, "XX")
    return errors, dict(sorted(walker.counters.counts.items()))


@pytest.mark.parametrize(
    ("kind", "name"), [("837P", "837.5010.X222.A1.xml"), ("837I", "837Q3.I.5010.X223.A1.xml")]
)
def test_quick_replay_equals_the_ops(kind: str, name: str) -> None:
    base = _generated(kind, 20, 0.3, 11)
    validate_bytes(base)
    for seed in range(20):
        validate_bytes(_mutate(base, random.Random(seed), 6))
    programs = list(_tr3_validate._PROGRAMS[name].values())
    quick = [p for p in programs if p[2] is not None]
    assert len(quick) > 20 and any(p[2][1] >= 0 for p in quick if p[2] is not None)
    cmap = load(name)
    walker = _tr3_walk.Walker(_tr3_walk.Counters())
    keys = _tr3_walk.map_keys(cmap)
    rng = random.Random(1)
    for program in quick:
        ops, _, fast = program
        assert fast is not None
        # The counts the program reads (FLUSH carries a position, not a node), and a few
        # keys below the loop it enters (which the entry resets).
        nodes = {a for op, a, _ in ops if op != _tr3_walk.FLUSH}
        nodes |= {b for op, _, b in ops if op == _tr3_walk.MISS_LOOP}
        touched = {keys[nid] for nid in nodes if nid >= 0} | {fast[1], fast[4]}
        touched |= set(sorted(fast[3])[:5])
        touched.discard(-1)
        for _ in range(12):
            counts = {
                key: rng.choice((1, 1, 2, 5, 2147483647)) for key in touched if rng.random() < 0.7
            }
            slow = (ops, program[1], None)
            assert _replay(walker, cmap, program, counts) == _replay(walker, cmap, slow, counts)


@pytest.mark.usefixtures("memo_state")
@pytest.mark.parametrize("kind", ["837P", "837I"])
def test_file_cut_after_memo_hits(kind: str) -> None:
    """The collector hears of a memo hit only when it needs to: a file cut short after a run
    of hits must still get its missing trailers (SE, GE, IEA) filed at its last segment."""
    base = _generated(kind, 40, 0.0, 11)
    validate_bytes(base)  # warm: the claims' segments are now hits
    segments = base.decode("latin-1").split("~\n")
    for cut in (len(segments) // 2, len(segments) // 2 + 1, len(segments) - 5):
        data = "~\n".join(segments[:cut]).encode("latin-1") + b"~\n"
        result = _same_with_and_without(data)
        assert _key(result) == _key(validate_bytes(data, validator="pyx12"))
        last = max(i.segment for i in result.issues)
        assert last == cut and {"2", "3", "023"} <= {i.code for i in result.issues}
