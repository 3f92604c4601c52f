"""Where one ``edi-scrub`` run's wall time goes, per process, and its process tree's memory.

Runs the CLI in a child process (``python par_timeline.py IN OUT --report r.json --jobs 2``)
and prints one line per process:

- the main process: wall time, CPU, and how long it waited for a claim worker (blocked on
  its results) and scrubbed blocks of its own share ahead of time;
- each claim worker: blocks and claims it scrubbed, busy time (from a block's arrival to its
  results sent) and idle time (waiting for a block), CPU;
- the whole tree: peak RSS of each process and the peaks of the sums of RSS and of PSS at one
  moment (sampled from /proc every 50 ms: main process, claim workers, validation worker).

The child wraps a few functions of :mod:`edi_scrub.parallel` (timestamps only; the run itself
is unchanged) and writes their stamps to a temporary file. Linux only (/proc).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from memtree import descendants, read

_STAMPS = "PAR_TIMELINE_FILE"


def _child(args: list[str]) -> None:
    """Run the CLI here with the pool's waits and work stamped."""
    # Imported here: the parent process only samples /proc.
    from edi_scrub import parallel  # noqa: PLC0415
    from edi_scrub.cli import main  # noqa: PLC0415

    sink = open(os.environ[_STAMPS], "a", encoding="ascii")  # noqa: SIM115 - kept for forks

    def stamp(kind: str, start: float, end: float, claims: int = 0) -> None:
        sink.write(json.dumps([os.getpid(), kind, start, end, claims]) + "\n")
        sink.flush()

    wait = parallel.ClaimPool._wait
    ahead = parallel.ClaimPool._work_ahead
    received = parallel._received
    dumps = parallel._dumps
    first: dict[int, float] = {}

    def timed_wait(self: parallel.ClaimPool, worker: Any) -> None:
        start = time.perf_counter()
        wait(self, worker)
        stamp("wait", start, time.perf_counter())

    def timed_ahead(self: parallel.ClaimPool, *rest: Any) -> bool:
        start = time.perf_counter()
        done = ahead(self, *rest)
        stamp("ahead", start, time.perf_counter())
        return done

    def timed_received(sent: Any) -> Any:
        # The first claim of a block marks the block's start in the worker.
        first.setdefault(os.getpid(), time.perf_counter())
        return received(sent)

    def timed_dumps(obj: object) -> bytes:
        data = dumps(obj)
        start = first.pop(os.getpid(), time.perf_counter())
        stamp("block", start, time.perf_counter(), len(obj) if isinstance(obj, list) else 0)
        return data

    parallel.ClaimPool._wait = timed_wait  # type: ignore[method-assign]
    parallel.ClaimPool._work_ahead = timed_ahead  # type: ignore[method-assign,assignment]
    parallel._received = timed_received
    parallel._dumps = timed_dumps
    start = time.perf_counter()
    with contextlib.suppress(SystemExit):
        main.main(args, standalone_mode=False)
    stamp("run", start, time.perf_counter())
    sink.close()


def _tree(root: int) -> dict[int, tuple[int, int]]:
    """RSS and PSS (KiB) of ``root`` and its descendants (read as :mod:`memtree` reads them).

    Forked processes share their pages with the main process until they write them: RSS
    counts a shared page in each process, PSS splits it between them, so the sum of PSS is the
    tree's real footprint."""
    found = [m for m in map(read, [root, *descendants(root)]) if m is not None]
    return {m.pid: (m.rss, m.pss) for m in found}


def main(args: list[str]) -> None:
    with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as handle:
        stamps = handle.name
    env = {**os.environ, _STAMPS: stamps}
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, "--child", *args], env=env)
    peaks: dict[int, int] = defaultdict(int)
    peak_sum = peak_pss = 0
    while True:
        # wait4, not poll(): it also gives the CPU time of the child and of its children.
        pid, _status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        with contextlib.suppress(OSError, ValueError):
            sizes = _tree(child.pid)
            for pid, (kib, _pss) in sizes.items():
                peaks[pid] = max(peaks[pid], kib)
            peak_sum = max(peak_sum, sum(rss for rss, _pss in sizes.values()))
            peak_pss = max(peak_pss, sum(pss for _rss, pss in sizes.values()))
        time.sleep(0.05)
    child.returncode = 0  # reaped above
    wall = time.perf_counter() - started
    cpu = usage.ru_utime + usage.ru_stime
    load = os.getloadavg()[0]
    rows = [json.loads(line) for line in Path(stamps).read_text().splitlines()]
    os.unlink(stamps)
    main_pid = child.pid
    run = next(r for r in rows if r[1] == "run")
    waited = sum(r[3] - r[2] for r in rows if r[1] == "wait")
    ahead = sum(r[3] - r[2] for r in rows if r[1] == "ahead")
    print(
        f"main pid={main_pid} run={run[3] - run[2]:.2f}s waited={waited:.2f}s "
        f"ahead={ahead:.2f}s peak_rss={peaks[main_pid] / 1024:.0f}M"
    )
    by_worker: dict[int, list[list[Any]]] = defaultdict(list)
    for row in rows:
        if row[1] == "block":
            by_worker[row[0]].append(row)
    for pid, blocks in sorted(by_worker.items()):
        busy = sum(b[3] - b[2] for b in blocks)
        span = max(b[3] for b in blocks) - run[2]
        print(
            f"worker pid={pid} blocks={len(blocks)} claims={sum(b[4] for b in blocks)} "
            f"busy={busy:.2f}s idle={span - busy:.2f}s (from run start to last block) "
            f"peak_rss={peaks[pid] / 1024:.0f}M"
        )
    others = {pid: kib for pid, kib in peaks.items() if pid != main_pid and pid not in by_worker}
    for pid, kib in sorted(others.items()):
        print(f"other child pid={pid} (the validation pool) peak_rss={kib / 1024:.0f}M")
    print(
        f"tree wall={wall:.2f}s cpu={cpu:.2f}s peak_rss_sum={peak_sum / 1024:.0f}M "
        f"peak_pss_sum={peak_pss / 1024:.0f}M "
        f"load={load:.1f}"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2:])
    else:
        main(sys.argv[1:])
