"""Issue 9 (speed), one file on all cores (edi_scrub/parallel.py): the claims scrubbed by forked
workers give byte for byte what the sequential run gives (output, report JSON, 999, exit code),
on every sample, corpus file, generated file and file with run-wide history hits; failures end
as they do without workers.

The block size is lowered so that even a small file is cut into many blocks spread over both
workers, with several blocks in flight.
"""

from __future__ import annotations

import errno
import io
import os
import pickle
import signal
import traceback
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_scrub import Options as ApiOptions
from edi_scrub import parallel, pipeline
from edi_scrub.batch import Settings
from edi_scrub.cli import main
from edi_scrub.errors import ConfigError, InputError
from edi_scrub.fixes import engine
from edi_scrub.history import UsageHistory
from edi_scrub.model.group import ClaimUnit, group
from edi_scrub.pipeline import Options, scrub
from edi_scrub.policy import LimitPeriod, Mue, PayerPolicy, QuantityLimit
from edi_scrub.rules import Rule, get_rule, select_rules
from edi_scrub.x12.lexer import iter_segments
from tests.builders import ClaimSpec, LineSpec, P, build, history_claims
from tests.conftest import REPO, SAMPLES, corpus_files, needs_corpus
from tests.generated import generate
from tests.processes import LINUX, alive, children, start, wait_for

MAIN = os.getpid()


@pytest.fixture(autouse=True)
def _small_blocks(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    """Blocks of 2 claims; and the pool's counters of the last run, for the tests to read."""
    monkeypatch.setattr(parallel, "BLOCK", 2)
    stats: dict[str, object] = {}
    close = parallel.ClaimPool.close

    def recording(self: parallel.ClaimPool) -> None:
        stats.update(
            sent=self.sent,
            taken=self.taken,
            redone=self.redone,
            broken=self.broken,
            ahead=self.ahead,
        )
        close(self)

    monkeypatch.setattr(parallel.ClaimPool, "close", recording)
    before = set(children(os.getpid(), live=True))  # what earlier tests of the session left running
    yield stats
    # No worker outlives its run.
    assert set(children(os.getpid(), live=True)) - before == set()


def _ack_body(ack: str | None) -> str | None:
    """The 999 from ST to SE: its envelope carries a fresh control number and the time."""
    if ack is None:
        return None
    return ack[ack.index("ST*") : ack.index("GE*")]


def _run(path: Path, options: Options) -> tuple[bytes, str, bytes | None, int, tuple[object, ...]]:
    out = io.BytesIO()
    report = scrub(path, out, options)
    return (
        out.getvalue(),
        "".join(report.json_chunks()),
        _ack_body(report.ack),
        int(report.summary.exit_code),
        report.failing_claims,
    )


def _same(path: Path, options: Options | None = None, jobs: int = 2) -> None:
    options = options or Options()
    sequential = _run(path, replace(options, jobs=1))
    assert _run(path, replace(options, jobs=jobs)) == sequential


SAMPLE_FILES = sorted(SAMPLES.glob("*.837"))


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_samples_are_the_same_on_workers(path: Path) -> None:
    _same(path, Options(ack=True))


@needs_corpus()
def test_corpus_is_the_same_on_workers() -> None:
    files = corpus_files()
    assert files
    for path in files:
        try:
            _run(path, Options(jobs=1))
        except InputError as exc:  # not an 837: the same error either way
            with pytest.raises(InputError) as caught:
                _run(path, Options(jobs=2))
            assert str(caught.value) == str(exc)
            continue
        _same(path)


@pytest.mark.parametrize("kind", ["837P", "837I"])
@pytest.mark.parametrize("unsafe", [False, True])
def test_generated_files_are_the_same_on_workers(
    kind: str, unsafe: bool, tmp_path: Path, _small_blocks: dict[str, object]
) -> None:
    path = tmp_path / "in.837"
    generate(path, kind, claims=120, seed=11, defects=0.4, per_st=50)
    _same(path, Options(ack=True, unsafe_fixes=unsafe), jobs=3)
    assert _small_blocks["taken"] and not _small_blocks["broken"]


def test_history_hits_are_the_same_on_workers(
    tmp_path: Path, _small_blocks: dict[str, object]
) -> None:
    """DUP001, UNT005 and UNT006 read what earlier claims billed: a worker cannot know it, so
    the main process scrubs such claims again; the findings are those of the sequential run."""
    path = tmp_path / "in.837"
    path.write_bytes(build(P, history_claims(60, seed=5)))
    policy = PayerPolicy(
        "t",
        "Test payer",
        quantity_limits=(QuantityLimit("J7208", 2500, LimitPeriod.ROLLING, 14),),
        mue={"J7208": Mue("J7208", 3000, 3)},
    )
    options = Options(policy=lambda _claim: policy)
    _same(path, options)
    report = _run(path, replace(options, jobs=2))[1]
    for rule in ("DUP001", "UNT005", "UNT006"):
        assert f'"rule": "{rule}"' in report
    assert _small_blocks["redone"] and _small_blocks["taken"]
    # With the bundled maps too (their MUEs and limits).
    _same(path)


def test_duplicates_across_blocks_with_the_bundled_maps(tmp_path: Path) -> None:
    line = LineSpec(modifiers=("JZ",))
    specs = tuple(ClaimSpec(lines=(line,), clm01=f"PCN{n}") for n in range(9))
    path = tmp_path / "in.837"
    path.write_bytes(build(P, specs))
    _same(path)
    assert _run(path, Options(jobs=2))[1].count('"rule": "DUP001"') == 8


def test_a_claim_with_irregular_segments_travels_whole(tmp_path: Path) -> None:
    """A claim whose segments differ in line breaks goes as segments, not as texts."""
    data = build(P, history_claims(6, seed=2))
    assert b"~\nSV1" in data
    path = tmp_path / "in.837"
    path.write_bytes(data.replace(b"~\nSV1", b"~SV1", 1).replace(b"~\nLX", b"~\r\nLX", 2))
    units = [
        u for u in group(iter_segments(io.BytesIO(path.read_bytes()))) if isinstance(u, ClaimUnit)
    ]
    forms = [parallel._send_form(u, False) for u in units]
    assert any(isinstance(f[4][0], str) for f in forms)  # the compact form
    assert any(not isinstance(f[4][0], str) for f in forms)  # and the whole one
    for unit, form in zip(units, forms, strict=True):
        assert parallel._received(form) == (unit, False)
    _same(path)


def test_interchanges_with_other_delimiters_in_one_block(
    tmp_path: Path, _small_blocks: dict[str, object]
) -> None:
    """Each claim travels with its own interchange's delimiters (a block can hold both)."""
    first = generate(tmp_path / "a.837", "837P", claims=5, seed=1, defects=0.4)
    second = generate(tmp_path / "b.837", "837P", claims=6, seed=2, defects=1.0)
    assert b"|" not in second and second.startswith(b"ISA*")
    path = tmp_path / "in.837"
    path.write_bytes(first + second.replace(b"*", b"|"))
    units = [
        u for u in group(iter_segments(io.BytesIO(path.read_bytes()))) if isinstance(u, ClaimUnit)
    ]
    assert {u.segments[0].delimiters.element for u in units[4:6]} == {"*", "|"}
    message = pickle.loads(pickle.dumps([parallel._send_form(u, False) for u in units]))
    assert [parallel._received(sent)[0] for sent in message] == units
    _same(path)
    assert _run(path, Options(jobs=2))[0].count(b"CLM|") == 6
    # Every claim sent to the worker (its first blocks at least: claims 0-3, both
    # interchanges' delimiters among the later ones as the timing goes) was taken as it came
    # back: a claim read with the wrong delimiters would have failed in the worker and been
    # redone here, hiding the mistake.
    sent = _small_blocks["sent"]
    assert isinstance(sent, int) and sent >= 4
    assert _small_blocks["taken"] == sent


def test_every_question_to_the_history_is_speculated_on() -> None:
    """A worker's history must record every question a rule can ask; a new reading method
    on UsageHistory that _Asked does not override would answer from an empty history."""
    writes = {"record", "add", "usage", "close"}
    questions = {
        name
        for name in dir(UsageHistory)
        if not name.startswith("_") and callable(getattr(UsageHistory, name))
    }
    assert questions - writes == {"claim_with_line", "units_between"}
    for name in questions - writes:
        assert getattr(parallel._Asked, name) is not getattr(UsageHistory, name)


def test_workers_that_cannot_start_leave_the_run_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*_args: object) -> parallel.ClaimPool:
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    path = _generated(tmp_path)
    expected = _run(path, Options(jobs=1))
    monkeypatch.setattr(pipeline, "ClaimPool", refused)
    assert _run(path, Options(jobs=2)) == expected


def test_reverted_claims_are_the_same_on_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second pass (claims whose structure got worse come back as they were) runs on the
    same workers, with each claim's revert flag sent along (test_revert's breaking rule)."""
    from tests.test_revert import _META, _breaker

    good = LineSpec(ndc="0944-4624-01", modifiers=("JZ",))
    specs = tuple(
        ClaimSpec(clm01="BAD" if n % 3 == 1 else f"GOOD{n}", lines=(good,)) for n in range(9)
    )
    path = tmp_path / "in.837"
    path.write_bytes(build(P, specs))
    rules = (Rule(_META, _breaker), get_rule("NDC003"))
    monkeypatch.setattr(pipeline, "select_rules", lambda *_: rules)
    options = Options(select=("ZZZ001", "NDC003", "X12001"))
    _same(path, options)
    report = _run(path, replace(options, jobs=2))[1]
    assert report.count('"status": "reverted"') >= 3  # each BAD claim's fixes


# Failures


def _failing_scrub_claim(
    monkeypatch: pytest.MonkeyPatch, ordinal: int, only_in_workers: bool
) -> None:
    real = parallel.scrub_claim

    def scrub_claim(unit: ClaimUnit, *args: object, **kwargs: object) -> engine.ClaimResult:
        if unit.ordinal == ordinal and (os.getpid() != MAIN or not only_in_workers):
            raise RuntimeError("boom")
        return real(unit, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "scrub_claim", scrub_claim)


def _generated(tmp_path: Path, claims: int = 40) -> Path:
    path = tmp_path / "in.837"
    generate(path, "837P", claims=claims, seed=4, defects=0.3)
    return path


def test_an_error_in_a_claim_is_raised_from_the_same_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _small_blocks: dict[str, object]
) -> None:
    path = _generated(tmp_path)
    _failing_scrub_claim(monkeypatch, ordinal=7, only_in_workers=False)
    raised = []
    for jobs in (1, 2):
        with pytest.raises(RuntimeError, match="boom") as caught:
            _run(path, Options(jobs=jobs))
        raised.append(traceback.extract_tb(caught.value.__traceback__)[-1][1:3])
    assert raised[0] == raised[1]
    # Through the CLI: the same one-line internal error, exit 3, no output.
    messages = []
    for jobs in ("1", "2"):
        result = CliRunner().invoke(
            main, [str(path), str(tmp_path / f"out{jobs}.837"), "--jobs", jobs, "--no-config"]
        )
        assert result.exit_code == 3
        assert "Traceback" not in result.output
        assert not (tmp_path / f"out{jobs}.837").exists()
        messages.append(result.output.strip().splitlines()[-1])
    assert messages[0] == messages[1]
    assert "internal error: RuntimeError at test_parallel.py" in messages[0]


def test_an_error_only_a_worker_meets_is_redone_in_the_main_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _small_blocks: dict[str, object]
) -> None:
    path = _generated(tmp_path)
    # Claims 2 and 3 are the second block: a worker's (the first QUEUED blocks always are).
    _failing_scrub_claim(monkeypatch, ordinal=3, only_in_workers=True)
    _same(path)
    # (Claims this process scrubbed ahead may be redone too: history hits, timing-dependent.)
    assert _small_blocks["redone"] >= 1 and not _small_blocks["broken"]


def test_a_killed_worker_leaves_the_rest_to_the_main_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _small_blocks: dict[str, object]
) -> None:
    path = _generated(tmp_path)
    real = parallel.scrub_claim

    def scrub_claim(unit: ClaimUnit, *args: object, **kwargs: object) -> engine.ClaimResult:
        if unit.ordinal == 3 and os.getpid() != MAIN:  # the worker's second block
            os.kill(os.getpid(), signal.SIGKILL)
        return real(unit, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "scrub_claim", scrub_claim)
    _same(path)
    assert _small_blocks["broken"] is True


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs SIGSTOP")
def test_a_block_goes_to_a_worker_only_while_it_holds_fewer_than_queued(tmp_path: Path) -> None:
    """The share follows the workers' speed: with the worker stopped (as if it had no core),
    the blocks after its QUEUED are this process's; once it answers, it gets blocks again."""
    data = _generated(tmp_path, claims=8).read_bytes()
    units = [u for u in group(iter_segments(io.BytesIO(data))) if isinstance(u, ClaimUnit)]
    ctx = pipeline._context(Options())
    rules = tuple(r for r in select_rules((), ()) if r.check is not None)
    pool = parallel.ClaimPool(1, rules, ctx, Options().allowed())
    try:
        worker = pool._workers[0]
        os.kill(worker.process.pid or 0, signal.SIGSTOP)
        try:
            blocks = [pool._assign([u], frozenset()) for u in units[: parallel.QUEUED + 2]]
        finally:
            os.kill(worker.process.pid or 0, signal.SIGCONT)
        assert [b.worker is worker for b in blocks] == [True] * parallel.QUEUED + [False] * 2
        assert pool.sent == parallel.QUEUED and len(worker.out) == parallel.QUEUED
        pool._wait(worker)
        assert blocks[0].back is not None and len(blocks[0].back) == 1
        assert len(worker.out) == parallel.QUEUED - 1
        assert pool._assign([units[-1]], frozenset()).worker is worker
    finally:
        pool.close()


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs SIGSTOP")
def test_a_block_scrubbed_partly_ahead_is_finished_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Working ahead goes AHEAD_STEP claims at a time (to look at the workers in between);
    a block taken back half done ahead keeps the claims found ahead (their speculation
    checked) and scrubs the rest in order, none of them counted as redone."""
    monkeypatch.setattr(parallel, "AHEAD_STEP", 2)
    data = _generated(tmp_path, claims=8).read_bytes()
    units = list(group(iter_segments(io.BytesIO(data))))
    claims = [u for u in units if isinstance(u, ClaimUnit)]
    options = Options()
    ctx = pipeline._context(options)
    rules = tuple(r for r in select_rules((), ()) if r.check is not None)
    # The sequential run's results, with the history it builds claim by claim.
    sequential = replace(ctx, history=UsageHistory(ctx.history.codes))
    expected = []
    for unit in claims[:5]:
        expected.append(parallel.claim_work(unit, rules, sequential, options.allowed(), False))
        sequential.history.add(expected[-1].usage)
    pool = parallel.ClaimPool(1, rules, ctx, options.allowed())
    try:
        worker = pool._workers[0]
        os.kill(worker.process.pid or 0, signal.SIGSTOP)
        try:
            for _ in range(parallel.QUEUED):
                pool._assign([claims[-1]], frozenset())
            own = pool._assign(claims[:5], frozenset())
        finally:
            os.kill(worker.process.pid or 0, signal.SIGCONT)
        assert own.worker is None
        history = UsageHistory(ctx.history.codes)
        ahead = replace(ctx, history=parallel._Asked(history.codes))
        assert pool._work_ahead(parallel.deque([own]), ahead, frozenset())
        assert own.ahead is not None and len(own.ahead) == 2 and pool.ahead == 1
        real = replace(ctx, history=history)
        got = []
        for _unit, work in pool._take(own, real, frozenset()):
            assert work is not None
            real.history.add(work.usage)
            got.append(work)
        assert got == expected
        assert pool.redone == 0 and pool.taken == 0
    finally:
        pool.close()


def test_bad_input_after_some_claims_is_the_same_error(tmp_path: Path) -> None:
    path = tmp_path / "in.837"
    data = generate(path, "837P", claims=30, seed=4, defects=0.3, per_st=10)
    second = data.index(b"ST*837*", data.index(b"ST*837*") + 1)
    path.write_bytes(data[:second] + b"ST*835*" + data[second + 7 :])
    errors = []
    for jobs in (1, 2):
        with pytest.raises(InputError) as caught:
            _run(path, Options(jobs=jobs))
        errors.append(str(caught.value))
    assert errors[0] == errors[1]


# When it applies


def test_workers_for(monkeypatch: pytest.MonkeyPatch) -> None:
    big = parallel.AUTO_MIN_BYTES
    assert parallel.workers_for(1, big * 10) == 0
    assert parallel.workers_for(3, 10) == 2  # asked for: even a small file; 2 beside this one
    load = [0.2]
    monkeypatch.setattr(parallel, "_busy_cores", lambda: load[0])
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    assert parallel.workers_for(None, big - 1) == 0
    assert parallel.workers_for(None, big) == 1
    load[0] = 1.2  # the other core is busy: nothing to gain
    assert parallel.workers_for(None, big) == 0
    assert parallel.workers_for(2, big) == 1  # unless asked for
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(8)), raising=False)
    assert parallel.workers_for(None, big) == 6  # 8 cores, about one busy
    load[0] = 0.0
    assert parallel.workers_for(None, big) == 7
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    assert parallel.workers_for(None, big) == 0  # one core: nothing to gain


def test_busy_cores_reads_the_load(monkeypatch: pytest.MonkeyPatch) -> None:
    busy = parallel._busy_cores()
    assert 0 <= busy <= os.getloadavg()[0]
    # Without /proc, the load average.
    monkeypatch.setattr(os, "getloadavg", lambda: (3.5, 0.0, 0.0))
    real_open = open

    def no_proc(path: str, *args: object, **kwargs: object) -> object:
        if path == "/proc/loadavg":
            raise FileNotFoundError(path)
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", no_proc)
    assert parallel._busy_cores() == 3.5


def test_a_daemonic_process_stays_sequential(monkeypatch: pytest.MonkeyPatch) -> None:
    class Daemon:
        daemon = True

    monkeypatch.setattr(parallel.multiprocessing, "current_process", Daemon)
    assert parallel.workers_for(4, parallel.AUTO_MIN_BYTES) == 0


def test_batch_never_nests_a_pool() -> None:
    assert Settings().options().jobs == 1


def test_the_switch_is_checked() -> None:
    assert ApiOptions().jobs == 1  # sequential unless asked (see _options.Options.jobs)
    assert ApiOptions(jobs=None).jobs is None
    assert ApiOptions(jobs=3).jobs == 3
    with pytest.raises(ConfigError, match="jobs"):
        ApiOptions(jobs=0)
    with pytest.raises(ConfigError, match="jobs"):
        ApiOptions(jobs="2")  # type: ignore[arg-type]
    for bad in ("0", "-1", "two", ""):
        result = CliRunner().invoke(main, ["in.837", "out.837", "--jobs", bad, "--no-config"])
        assert result.exit_code == 2, bad
        assert "--jobs" in result.output


def test_the_cli_default_is_one_process_and_auto_is_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int | None] = []
    real = pipeline.workers_for

    def spy(jobs: int | None, size: int) -> int:
        seen.append(jobs)
        return real(jobs, size)

    monkeypatch.setattr(pipeline, "workers_for", spy)
    source = SAMPLES / "p_waste_jw_split.837"
    for extra in ([], ["--jobs", "auto"], ["--jobs", "AUTO"], ["--jobs", "3"]):
        out = tmp_path / "out.837"
        result = CliRunner().invoke(main, [str(source), str(out), "--no-config", "-q", *extra])
        assert result.exit_code in (0, 1), result.output
    assert seen == [1, None, None, 3]


def test_the_library_uses_workers_as_asked(
    tmp_path: Path, _small_blocks: dict[str, object]
) -> None:
    import edi_scrub

    path = _generated(tmp_path)
    one = edi_scrub.scrub(path, options=ApiOptions(jobs=1))
    assert _small_blocks == {}
    two = edi_scrub.scrub(path, options=ApiOptions(jobs=2))
    assert _small_blocks["taken"]
    assert one.output == two.output
    assert "".join(one.report.json_chunks()) == "".join(two.report.json_chunks())


# Real processes: signals and kill -9 of the main process


@LINUX
@pytest.mark.parametrize("how", ["sigterm", "kill"])
def test_workers_end_with_the_main_process(tmp_path: Path, how: str) -> None:
    path = tmp_path / "big.837"
    generate(path, "837P", claims=3000, seed=3, defects=0.2)
    proc = start([str(path), "out.837", "--report", "r.json", "--jobs", "3"], tmp_path, tmp_path)
    # The two claim workers (and the validation worker) are running.
    wait_for(lambda: len(children(proc.pid, live=True)) >= 3 or proc.poll() is not None)
    workers = children(proc.pid, live=True)
    assert len(workers) >= 3 and proc.poll() is None, "the run ended before the signal"
    if how == "sigterm":
        proc.send_signal(signal.SIGTERM)
    else:
        proc.kill()
    _, err = proc.communicate(timeout=120)
    if how == "sigterm":
        assert proc.returncode == 143, err
        assert b"Traceback" not in err
        assert err.strip().count(b"\n") == 0  # one line
    assert not (tmp_path / "out.837").exists() and not (tmp_path / "r.json").exists()
    wait_for(lambda: not any(alive(w) for w in workers), timeout=10)
    if how == "sigterm":  # kill -9 runs no cleanup; a later run removes the orphan
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".edi-scrub-")] == []


def test_readme_documents_the_switch() -> None:
    text = (REPO / "README.md").read_text()
    assert "--jobs N" in text and "Options(jobs=" in text
