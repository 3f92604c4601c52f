"""The ``process`` engine of a batch: a small worker pool that survives the death of a worker.

:class:`concurrent.futures.ProcessPoolExecutor` breaks as a whole when one worker dies (the OOM
killer's ``kill -9``): every pending file fails, and it cannot say which file killed the worker.
This pool gives each worker one file at a time over its own pipe, so the parent always knows what
a dead worker was doing: that file is tried once more on a fresh worker, and is ``internal``
(exit 3) if that one dies too; the other files go on.

Workers are started with ``spawn`` (a fresh interpreter: no inherited threads or locks, and no
forkserver process to outlive the batch) and die with their parent: on Linux they ask the
kernel for ``SIGKILL`` when the batch process dies (``PR_SET_PDEATHSIG``); elsewhere a thread
watches the parent's pid. They ignore SIGINT and SIGHUP, which a terminal sends to the whole
process group: the batch process decides, and stops them itself (:func:`pool_results`'s
cleanup), so their temporary files can be removed after they are gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from edi_scrub.batch import FileJob, FileResult, Status, scrub_one
from edi_scrub.exit_codes import ExitCode

Work = Callable[[FileJob], FileResult]

#: A file whose worker died this many times is given up (``internal``).
MAX_ATTEMPTS = 2
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    # The parent may have died before prctl took effect; elsewhere there is no prctl at all.
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(128 + signal.SIGKILL)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def _worker(conn: Connection, parent: int, work: Work) -> None:
    _die_with_parent(parent)
    for name in ("SIGINT", "SIGHUP"):  # no SIGHUP on Windows
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send(work(job))


@dataclass
class _Slot:
    process: BaseProcess
    conn: Connection
    job: FileJob | None = None


def _describe(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def _stop(slots: Sequence[_Slot], grace: float = 2.0) -> None:
    """Stop every worker: ask (close its pipe), then terminate, then kill; reap them all."""
    for slot in slots:
        with contextlib.suppress(OSError):
            slot.conn.close()
        if slot.job is not None:
            # Busy: it would finish its file first; the caller wants it gone now.
            slot.process.terminate()
    deadline = time.monotonic() + grace
    for slot in slots:
        slot.process.join(max(0.0, deadline - time.monotonic()))
        if slot.process.is_alive():
            slot.process.kill()
            slot.process.join()


def pool_results(
    jobs: Sequence[FileJob], workers: int, work: Work = scrub_one
) -> Iterator[FileResult]:
    """Run ``work`` over ``jobs`` on ``workers`` processes, yielding results as files complete.

    A file whose worker dies is retried once on a new worker, then reported ``internal``.
    Closing the iterator early (an exception, a signal) stops every worker before returning.
    """
    context = multiprocessing.get_context("spawn")
    queue = deque(jobs)
    attempts: dict[str, int] = {}
    slots: list[_Slot] = []

    def start() -> None:
        mine, theirs = context.Pipe()
        process = context.Process(
            target=_worker, args=(theirs, os.getpid(), work), name="edi-scrub-batch-worker"
        )
        process.start()
        theirs.close()
        slots.append(_Slot(process, mine))

    def assign(slot: _Slot) -> None:
        if not slot.process.is_alive():
            # Died between two files: a fresh worker, and no attempt charged to the next file.
            slots.remove(slot)
            slot.conn.close()
            slot.process.join()
            start()
            slot = slots[-1]
        slot.job = queue.popleft()
        attempts[slot.job.name] = attempts.get(slot.job.name, 0) + 1
        # A worker already dead cannot take it: its sentinel says so on the next round.
        with contextlib.suppress(OSError):
            slot.conn.send(slot.job)

    try:
        for _ in range(min(workers, len(queue))):
            start()
        for slot in slots:
            assign(slot)
        while any(s.job is not None for s in slots):
            busy = [s for s in slots if s.job is not None]
            ready = set(wait([s.conn for s in busy] + [s.process.sentinel for s in busy]))
            for slot in busy:
                job = slot.job
                assert job is not None
                result: FileResult | None = None
                if slot.conn in ready:
                    with contextlib.suppress(EOFError, OSError):
                        result = slot.conn.recv()
                if result is not None:
                    slot.job = None
                    tries = attempts[job.name]
                    yield result if tries == 1 else replace(result, attempts=tries)
                    if queue:
                        assign(slot)
                    continue
                if slot.conn not in ready and slot.process.sentinel not in ready:
                    continue
                # The worker died under ``job`` (or closed its pipe, which it never does alive).
                slot.process.join(5)
                slots.remove(slot)
                slot.conn.close()
                slot.job = None
                how = _describe(slot.process.exitcode)
                if attempts[job.name] < MAX_ATTEMPTS:
                    queue.appendleft(job)
                else:
                    yield FileResult(
                        job.name,
                        Status.INTERNAL,
                        int(ExitCode.INTERNAL),
                        attempts=attempts[job.name],
                        message=f"internal error: the worker process died ({how}), twice",
                    )
                if queue:
                    start()
                    assign(slots[-1])
        for slot in slots:
            with contextlib.suppress(OSError):
                slot.conn.send(None)
    finally:
        _stop(slots)
