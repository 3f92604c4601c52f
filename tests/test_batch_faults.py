"""Issue 8, batch under faults: dead workers, kill -9 of the batch, signals, stale temps and skips.

The kill and signal tests run the real CLI in a subprocess and poll with deadlines (never a bare
sleep): a busy worker is recognised by the batch temporary file it is writing in OUTDIR. Test
names follow the issue's defect bullets.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from edi_scrub import batch
from edi_scrub.batch import FileJob, FileResult, Settings, Status, scrub_one
from edi_scrub.batch_pool import pool_results
from edi_scrub.batch_run import BATCH_REPORT, plan
from edi_scrub.batch_temp import PREFIX, locked_temp, new_token, remove_orphans, remove_own
from tests.builders import ClaimSpec, LineSpec, P, build

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")

HYPHEN_NDC = ClaimSpec(lines=(LineSpec(ndc="0944-4624-01", modifiers=("JZ",)),))
#: Claims per "slow" file: long enough (a second or more) that a worker is caught mid-file.
SLOW_CLAIMS = 600
DEADLINE = 240.0


def _slow_file(seed: int) -> bytes:
    claims = tuple(
        ClaimSpec(clm01=f"PCN{seed:02d}{n:04d}", lines=HYPHEN_NDC.lines) for n in range(SLOW_CLAIMS)
    )
    return build(P, claims)


def _tree(root: Path, files: int) -> list[str]:
    root.mkdir(parents=True, exist_ok=True)
    names = [f"f{i}.837" for i in range(files)]
    for i, name in enumerate(names):
        (root / name).write_bytes(_slow_file(i))
    return names


def _start(indir: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "edi_scrub", "batch", str(indir), str(out), "--no-structure"]
    return subprocess.Popen(
        [*args, "-q", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # signals from the test reach only what it means them for
    )


def _ppid_and_state(pid: int) -> tuple[int, str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[1]), fields[0]


def _descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            info = _ppid_and_state(int(entry.name))
            if info is not None:
                parents[int(entry.name)] = info[0]
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    info = _ppid_and_state(pid)
    return info is not None and info[1] != "Z"  # a zombie has exited; only its entry is left


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _workers(pid: int) -> list[int]:
    return sorted(p for p in _descendants(pid) if "spawn_main" in _cmdline(p))


def _poll(what: str, condition: Callable[[], object], timeout: float = DEADLINE) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def _temps(out: Path) -> list[Path]:
    return sorted(out.rglob(".edi-scrub-*")) if out.exists() else []


@pytest.fixture
def proc() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test started; killed (with their sessions) if the test leaves them running."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for p in started:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(30)


def test_one_batch_worker_killed_costs_one_file_not_the_batch(
    tmp_path: Path, proc: list[subprocess.Popen[str]]
) -> None:
    """kill -9 of a busy worker (as the OOM killer would): its file is retried on a new worker
    and every file ends clean; before, 152 of 198 files became `internal`, exit 3."""
    indir, out = tmp_path / "in", tmp_path / "out"
    names = _tree(indir, 6)
    p = _start(indir, out, "--workers", "2")
    proc.append(p)
    _poll("a worker writing a file", lambda: _temps(out) and _workers(p.pid))
    victim = _workers(p.pid)[0]
    os.kill(victim, signal.SIGKILL)
    _, err = p.communicate(timeout=DEADLINE)
    assert p.returncode == 0, err
    files = {f["name"]: f for f in json.loads((out / BATCH_REPORT).read_text())["files"]}
    assert sorted(files) == names
    assert {f["status"] for f in files.values()} == {"clean"}
    assert sorted(f["attempts"] for f in files.values()) == [1, 1, 1, 1, 1, 2]
    assert not _temps(out)
    assert not _alive(victim)


def _die_on_poison(job: FileJob) -> FileResult:
    """A per-file function whose worker dies (SIGKILL) on files named poison*."""
    if job.name.startswith("poison"):
        os.kill(os.getpid(), signal.SIGKILL)
    return FileResult(job.name, Status.CLEAN, 0, claims=1)


def test_a_file_that_kills_every_worker_is_internal_after_one_retry(tmp_path: Path) -> None:
    jobs = [
        FileJob(name, tmp_path / name, tmp_path / "o" / name, tmp_path / "r", Settings())
        for name in ("a.837", "poison.837", "b.837", "c.837")
    ]
    results = {r.name: r for r in pool_results(jobs, 2, _die_on_poison)}
    assert sorted(results) == ["a.837", "b.837", "c.837", "poison.837"]
    poison = results.pop("poison.837")
    assert (poison.status, poison.exit_code, poison.attempts) == (Status.INTERNAL, 3, 2)
    assert poison.message == "internal error: the worker process died (killed by SIGKILL), twice"
    assert {(r.status, r.attempts) for r in results.values()} == {(Status.CLEAN, 1)}


def test_after_kill_9_forkserver_workers_and_validation_worker_keep_running(
    tmp_path: Path, proc: list[subprocess.Popen[str]]
) -> None:
    """kill -9 of the batch process: every process it started exits (they used to run on,
    one printing a BrokenPipeError 31 s later). The next batch removes the orphaned temps."""
    indir, out = tmp_path / "in", tmp_path / "out"
    names = _tree(indir, 4)
    p = _start(indir, out, "--workers", "2")
    proc.append(p)
    _poll("workers writing files", lambda: len(_workers(p.pid)) == 2 and _temps(out))
    children = _descendants(p.pid)
    assert len(children) >= 2  # the workers (and the resource tracker)
    os.kill(p.pid, signal.SIGKILL)
    p.wait(30)
    _poll("the batch's children to exit", lambda: not any(_alive(c) for c in children), 30)

    # Planted beside the real leftovers: an old orphan of another batch (removed), a live one
    # (locked by this test: kept) and a single-file run's temp (no proof it is dead: kept).
    orphan = out / f"{PREFIX}{new_token()}-planted.tmp"
    orphan.write_bytes(b"ISA*claims of a dead batch~")
    os.utime(orphan, ns=(time.time_ns() - 10**10, time.time_ns() - 10**10))
    fd, live = locked_temp(out / "x", new_token())
    single = out / ".edi-scrub-single.tmp"
    single.write_bytes(b"")
    try:
        leftovers = [t for t in _temps(out) if t not in (live, single)]
        assert orphan in leftovers
        again = subprocess.run(
            [sys.executable, "-m", "edi_scrub", "batch", str(indir), str(out), "--no-structure"],
            capture_output=True,
            text=True,
            timeout=DEADLINE,
            check=False,
        )
        assert again.returncode == 0, again.stderr
        assert _temps(out) == sorted([live, single])
        report = json.loads((out / BATCH_REPORT).read_text())
        assert sorted(report["orphans_removed"]) == sorted(t.name for t in leftovers)
        assert {f["name"] for f in report["files"]} == set(names)
    finally:
        os.close(fd)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_sigterm_leaves_edi_scrub_tmp_files_in_outdir_for_batch_too(
    tmp_path: Path, proc: list[subprocess.Popen[str]], sig: signal.Signals
) -> None:
    """A signal mid-batch: the batch's temp files are removed, workers gone, exit 128+n."""
    indir, out = tmp_path / "in", tmp_path / "out"
    _tree(indir, 4)
    p = _start(indir, out, "--workers", "2")
    proc.append(p)
    _poll("a worker writing a file", lambda: _temps(out) and _workers(p.pid))
    children = _descendants(p.pid)
    os.kill(p.pid, sig)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 128 + sig, err
    assert err.splitlines() == [f"edi-scrub: interrupted by {sig.name}: batch stopped"]
    assert not _temps(out)
    assert not (out / BATCH_REPORT).exists()
    _poll("the batch's children to exit", lambda: not any(_alive(c) for c in children), 30)
    # What was published before the signal is complete: each output has its report.
    for output in out.glob("*.837"):
        report = json.loads(output.with_name(output.name + ".report.json").read_text())
        assert report["batch"]["output_size"] == output.stat().st_size


def test_sigterm_with_the_dask_engine_one_line_no_temps(
    tmp_path: Path, proc: list[subprocess.Popen[str]]
) -> None:
    """The same on a local Dask cluster: its processes go, the batch's temps go, one line."""
    pytest.importorskip("distributed")
    indir, out = tmp_path / "in", tmp_path / "out"
    _tree(indir, 4)
    p = _start(indir, out, "--workers", "2", "--engine", "dask")
    proc.append(p)
    _poll("a Dask worker writing a file", lambda: _temps(out) and _workers(p.pid))
    children = _descendants(p.pid)
    os.kill(p.pid, signal.SIGTERM)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 143, err
    assert err.splitlines() == ["edi-scrub: interrupted by SIGTERM: batch stopped"]
    assert not _temps(out)
    _poll("the cluster's processes to exit", lambda: not any(_alive(c) for c in children), 60)


def test_nothing_cleans_stale_tmp_files_up_later_orphans_need_proof(tmp_path: Path) -> None:
    """Removed: batch temps nobody holds, older than the run. Kept: a held lock, a young file,
    temps of single-file runs, anything else."""
    old = time.time_ns() - 10**10
    dead = tmp_path / f"{PREFIX}{new_token()}-dead.tmp"
    young = tmp_path / f"{PREFIX}{new_token()}-young.tmp"
    for path in (dead, young):
        path.write_bytes(b"x")
    os.utime(dead, ns=(old, old))
    fd, held = locked_temp(tmp_path / "out.837", new_token())
    os.utime(held, ns=(old, old))
    other = [tmp_path / ".edi-scrub-abc123.tmp", tmp_path / f"{PREFIX}nothex-x.tmp"]
    for path in other:
        path.write_bytes(b"")
        os.utime(path, ns=(old, old))
    try:
        before = time.time_ns() - 10**9  # the young file is younger than this
        assert remove_orphans([tmp_path], before) == [dead]
        assert held.exists() and young.exists() and all(p.exists() for p in other)
    finally:
        os.close(fd)
    # Released: now provably dead.
    assert remove_orphans([tmp_path], before) == [held]
    # A batch removes its own temps by token, whatever their age or lock.
    fd, mine = locked_temp(tmp_path / "out.837", "0123456789ab")
    os.close(fd)
    assert remove_own([tmp_path], "0123456789ab") == 1
    assert not mine.exists()
    # The lock is real: another descriptor cannot take it while the writer holds it.
    fd, locked = locked_temp(tmp_path / "out.837", new_token())
    probe = os.open(locked, os.O_RDONLY)
    try:
        with pytest.raises(BlockingIOError):
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(probe)
        os.close(fd)


@pytest.fixture
def job(tmp_path: Path) -> FileJob:
    src = tmp_path / "in.837"
    src.write_bytes(build(P, (HYPHEN_NDC,)))
    out = tmp_path / "out" / "in.837"
    return FileJob(
        "in.837", src, out, out.with_name("in.837.report.json"), Settings(structure=False)
    )


def test_stale_skip_after_a_crash_between_publishing_out_and_its_report(
    job: FileJob, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later batch must not skip a file whose output is not the one its report describes."""
    assert scrub_one(job).status is Status.CLEAN
    good = job.output.read_bytes()
    report = json.loads(job.report.read_text())
    assert report["batch"]["output_sha256"] == hashlib.sha256(good).hexdigest()

    # A run with other settings publishes its output and dies before its report.
    other = FileJob(
        job.name, job.input, job.output, job.report, Settings(fix=False, structure=False)
    )
    real = batch.publish

    def crash_on_report(tmp: Path, target: Path) -> None:
        if target == job.report:
            raise KeyboardInterrupt  # the process dies here
        real(tmp, target)

    monkeypatch.setattr(batch, "publish", crash_on_report)
    with pytest.raises(KeyboardInterrupt):
        batch._write_outputs(other)
    monkeypatch.undo()
    stale = job.output.read_bytes()
    assert stale != good  # the unfixed copy, beside the fixed output's report
    assert json.loads(job.report.read_text()) == report
    assert not [p for p in job.output.parent.iterdir() if p.name.startswith(".edi-scrub-")]

    result = scrub_one(job)
    assert result.status is Status.CLEAN  # scrubbed again, not skipped
    assert job.output.read_bytes() == good

    # Same size, other bytes (sizes alone used to pass): scrubbed again too.
    flipped = bytearray(good)
    flipped[-2] = ord("X") if flipped[-2] != ord("X") else ord("Y")
    job.output.write_bytes(bytes(flipped))
    assert scrub_one(job).status is Status.CLEAN
    assert job.output.read_bytes() == good
    assert scrub_one(job).status is Status.SKIPPED


def test_publishing_a_files_outputs_is_all_or_nothing(job: FileJob) -> None:
    """The report's target is in the way (a folder): the output is not published either."""
    job.report.mkdir(parents=True)
    result = scrub_one(job)
    assert (result.status, result.exit_code) == (Status.REFUSED, 2)
    assert result.message is not None
    assert "is a directory" in result.message
    assert sorted(p.name for p in job.output.parent.iterdir()) == [job.report.name]


def test_plan_shares_one_token_per_batch(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    for name in ("a.837", "b.837"):
        (tmp_path / "in" / name).write_bytes(build(P, (HYPHEN_NDC,)))
    jobs = plan(tmp_path / "in", tmp_path / "out", Settings())
    assert len({j.token for j in jobs}) == 1
