"""The claims of one big file scrubbed on every core, with the sequential run's exact results.

Design
------
The main process lexes and groups the input as before and cuts the claims into blocks of
:data:`BLOCK` claims. ``jobs`` processes share the blocks: ``jobs - 1`` forked workers, which
build the model, run the rules and the fix loop (:func:`claim_work`) and send back one small
:class:`ClaimWork` per claim, and the main process itself, which scrubs its share when it
comes to it (no copy, no speculation: the cheapest share) or ahead of time while it waits for
a worker. The share is decided block by block, on demand: a block goes to a worker while that
worker holds fewer than :data:`QUEUED` blocks, else it is the main process's. So each side
gets what its speed allows (the main process also does everything below, and the validation
worker shares the cores), instead of a fixed alternation that left the main process, the
longer path, with half the claims. The main process takes the blocks back **in file order**
and does everything that depends on the run as a whole, claim by claim, exactly where the
sequential run does it: writing, the envelope counts, the output-check probe, spans,
outcomes, counters and the usage history. At most ``QUEUED`` blocks per worker plus
:data:`OWN` are read and not yet taken back, so memory stays bounded by the blocks, not by the
file.

Cross-claim state, and how each piece keeps its sequential meaning:

- **The usage history** (:mod:`edi_scrub.history`: DUP001, UNT005/UNT006) is the only state a
  rule reads that earlier claims write. A worker cannot know it, so it *speculates*: its history
  answers every question as an empty history would (no earlier line, no earlier units) and
  writes the questions down. When the main process reaches that claim, the real history holds
  exactly the earlier claims (as in the sequential run); if it gives the same answers, the
  worker's result is the sequential result (rules, the fix loop, its revert check and its
  re-checks read nothing else that varies), and the claim's :class:`~edi_scrub.history.
  ClaimUsage` is added. If any answer differs (a duplicate line, units of the same patient
  earlier in the window), the main process scrubs that claim again itself with the real
  history, as the sequential run would. Speculation never changes a result; a hit costs one
  claim scrubbed twice.
- **The payer-policy chooser** is stateless (a lookup by payer id and SBR09); its answers (the
  profile id, whether it fell back) are computed in the worker and counted in the main process.
- **Per-claim caches** (the facts memo, ``lru_cache`` of dates, amounts, NDCs) are pure
  functions of their arguments: a worker's own copies give the same answers.
- **Duplicate keys** are ``hash()`` values: workers are forked, so they share the main
  process's hash seed. Without ``fork`` (Windows) the run is sequential.
- **Reverts** (a claim whose structure got worse, :func:`edi_scrub.pipeline._fix_and_verify`)
  travel with each claim in the block, so one set of workers serves both passes.
- **Logs**: rules, the fix engine and the model log nothing; the workers write no files.

Failures end as in the sequential run. An exception while a worker scrubs a claim is not sent
back: the worker marks the claim, and the main process scrubs it itself, which raises the same
exception from the same place (the CLI's one-line error names it). A worker that dies (``kill
-9``, the OOM killer) breaks the pool: the main process stops the others and scrubs every
claim not yet taken back itself (a warning says so); the output is the same. Workers die with
the main process (:mod:`edi_scrub._lifeline`), end on SIGTERM and ignore SIGINT/SIGHUP (sent
to the whole process group: the main process decides); the main process stops them when the
run ends, however it ends. Workers that cannot be forked leave the run to the main process.

Cost: a claim travels as the texts of its segments (its positions, terminator and line
break are rebuilt in the worker), about 12 µs per claim to send; a
:class:`ClaimWork` carries its segments only when a fix changed them. Sending costs the main
process about 0.12 s per 10k claims, taking back 0.25 s; rebuilding the segments costs the
workers 0.5 s and pickling their results 0.13 s, against 3.4 s of claim work.

Why the fixed alternation gained little (round 2: 7-14% less wall time at 100k claims on an
idle 2-core machine): the main process, which alone lexes, groups, writes, checks the
output's changed claims and builds the report (~2.6 s of 5.4 s CPU per 10k 837P claims under
load, measured with every block sent to the worker), also scrubbed every other block. So it
stayed the long path, and it shared the cores with two processes: the claim worker and the
input's validation worker. Shared on demand, the main process scrubs ~25-40% of the claims
(``benchmarks/par_timeline.py``: 7,280-7,600 of 10k went to the worker under a load of 10),
its CPU drops by 27-33% against ``--jobs 1`` (12-23% against the alternation), the worker is
busy 93-96% of the run (it was idle a quarter of a 100k run while this process scrubbed whole
blocks ahead, before :data:`AHEAD_STEP`), and the main process waits for it 0.2-0.8 s of a
25 s run. What remains is the cost of two processes: 14-23% more CPU in all (the worker's
rebuilding and pickling, the main process's sending and taking back, a second set of caches,
cores contending for memory), so two processes can be at best ~20-30% faster than one in wall
time on an idle 2-core machine (total CPU / 2 against the main process's CPU alone).

Measured 2026-11-30 on the team's 2-core machine with ``benchmarks/cpu_split.py IN OUT
--report r.json --no-config -q --jobs N`` (``gen837.py --defects 0.2 --seed 1`` files),
alternating before (main 65e3b4d, fixed alternation, ``-j2``) / ``-j1`` / after ``-j2``;
output and report byte-identical in every run. CPU seconds: main process / children
(validation worker, claim workers) / total; peak RSS of the main process.

**Nearly idle** (14:33-14:39, load average falling from 3.6 to 1.5; 10k: medians of 3,
100k: one run each):

==========  ===========  =======  =====  ========  =====  ========
file        run          wall s   main   children  total  peak RSS
==========  ===========  =======  =====  ========  =====  ========
837P 10k    before -j2    3.63    3.39   2.63      6.04   71 MiB
837P 10k    -j1           4.10    4.27   1.11      5.38   68 MiB
837P 10k    after -j2     3.31    2.89   3.43      6.32   71 MiB
837I 10k    before -j2    3.69    3.42   2.57      5.99   73 MiB
837I 10k    -j1           4.03    4.17   1.11      5.28   69 MiB
837I 10k    after -j2     3.33    2.83   3.38      6.22   72 MiB
837P 100k   before -j2   38.93    34.5   25.0      59.4   93 MiB
837P 100k   -j1          43.19    43.3   10.0      53.2   88 MiB
837P 100k   after -j2    33.80    28.9   32.8      61.7   93 MiB
837I 100k   before -j2   50.55    36.9   26.0      62.9   95 MiB
837I 100k   -j1          53.31    44.6   11.6      56.2   91 MiB
837I 100k   after -j2    43.52    31.4   35.3      66.6   95 MiB
==========  ===========  =======  =====  ========  =====  ========

So two processes now take 17-22% less wall time than one (the alternation: 5-12%), for
15-19% more CPU in all; the main process needs 30-33% less CPU. (The 837I 100k ``-j1`` run
took 53.3 s of wall time for 44.6 s of main-process CPU: something else held a core at
times, so its 18% may be a little high.) Under other engineers' load
(13:47-14:25, load average 6-13, same alternation) wall time says little: ``-j2`` was within
-26%..+26% of ``-j1`` run to run (100k 837P 350.7 s against 353.6 s, 837I 215.5 against
292.3; 10k medians 16.72 against 15.38 and 11.07 against 8.81), the main process needing
27-33% less CPU, 14-23% more in all. Memory (``benchmarks/par_timeline.py``, 100k 837P,
sampled from /proc): ``-j1`` main 90 MiB and validation worker 50 MiB, 139 MiB RSS / 114 MiB
PSS summed at one moment; ``-j2`` adds a 36-38 MiB worker, main 93-95 MiB, 180 MiB RSS /
144 MiB PSS summed. So ``jobs`` stays 1 by default: short of the 25% asked for a default, and
2-core pipelines that scrub several files at once have no idle core to give.

When it applies (:func:`workers_for`): ``jobs`` ``None`` (auto) uses the idle cores the process
may run on (cores minus :func:`_busy_cores`), when there are at least two, the file has
at least :data:`AUTO_MIN_BYTES` and the process may fork (not a daemonic pool worker); ``1``
is the sequential run; ``N`` uses ``N - 1`` workers beside the main process. Batch runs use
``1``: their workers already fill the cores.
"""

from __future__ import annotations

import copyreg
import dataclasses
import io
import multiprocessing
import operator
import os
import pickle
import queue
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import Enum
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import structlog

from edi_scrub._lifeline import die_with_parent
from edi_scrub.fixes.edits import (
    Applicability,
    DeleteSegments,
    Fix,
    InsertSegments,
    Reach,
    SetElement,
)
from edi_scrub.fixes.engine import FixStatus, Outcome, scrub_claim
from edi_scrub.history import ClaimUsage, UsageHistory
from edi_scrub.maps.layers import PolicyChooser
from edi_scrub.model.claim import Loc
from edi_scrub.model.group import ClaimContext, ClaimUnit, Unit
from edi_scrub.rules import Rule
from edi_scrub.rules._base import Finding, RuleContext, Severity
from edi_scrub.x12.delimiters import Delimiters
from edi_scrub.x12.lexer import Segment

log = structlog.get_logger(__name__)

#: Claims per block sent to a worker: large enough that a message's fixed cost vanishes, small
#: enough that the workers start early and finish together.
BLOCK = 80
#: Blocks a worker holds at once: the one it scrubs and the next ones, waiting in its pipe, so
#: that it does not wait for this process while that one is busy with a block of its own (or
#: off its core). A block read while every worker holds as many is this process's own.
QUEUED = 3
#: Blocks of this process's own share read ahead at most (scrubbed while it waits for a
#: worker). With QUEUED they bound the blocks held at once, so memory stays flat.
OWN = 2
#: Claims scrubbed ahead between two looks at the worker's results: a result taken in early
#: frees the worker's slot for the next block sooner (a look costs ~2 us, a claim ~300 us).
AHEAD_STEP = 8
#: Below this input size ``jobs=None`` (auto) stays sequential. Chosen, not measured as a
#: crossover (the machine was never idle enough to time one): a pool costs a fixed ~0.05 s of
#: CPU (forks, a worker's caches warming up, teardown; measured on 500-4,000-claim files),
#: and a worker's share ~30% more than the same claims in this process; at 2 MiB (~4,000
#: claims) the worker's half is ~0.7 s of claim work, so the fixed cost is small beside it.
AUTO_MIN_BYTES = 2 * 1024 * 1024
#: ``jobs`` above the cores is capped at the cores, but never below this many processes.
MAX_JOBS_FLOOR = 8


@dataclass(frozen=True, slots=True)
class ClaimWork:
    """What scrubbing one claim yields, wherever it ran: all the pass needs of it."""

    #: The output segments (the input's own objects when nothing changed).
    segments: tuple[Segment, ...]
    outcomes: tuple[Outcome, ...]
    claim_id: str
    changed: bool
    lines_added: int
    #: Charges the fixes added (fixed line total minus submitted line total).
    charges_added: Decimal
    #: The id of the payer profile the claim got, and whether only as the default.
    profile: str
    fell_back: bool
    drug_lines: int
    usage: ClaimUsage


def claim_work(
    unit: ClaimUnit,
    rules: Sequence[Rule],
    ctx: RuleContext,
    allowed: Collection[Applicability],
    force_original: bool,
) -> ClaimWork:
    """Scrub one claim (:func:`~edi_scrub.fixes.engine.scrub_claim`) and read off the rest."""
    result = scrub_claim(unit, rules, ctx, allowed, force_original)
    claim = result.claim
    policy = ctx.policy
    # The facts the rules just read (policy, drug lines), not asked for again.
    facts = ctx.facts(claim)
    return ClaimWork(
        result.segments,
        result.outcomes,
        claim.claim_id,
        result.changed,
        result.lines_added,
        result.charges_added if result.changed else Decimal(0),
        facts.policy.id,
        isinstance(policy, PolicyChooser) and policy.fell_back(claim),
        len(facts.drug_lines),
        ctx.history.usage(claim),
    )


Scrubbed = Iterator[tuple[Unit, ClaimWork | None]]


def sequential(
    units: Iterable[Unit],
    rules: Sequence[Rule],
    ctx: RuleContext,
    allowed: Collection[Applicability],
    revert: Collection[int],
) -> Scrubbed:
    """Each unit with its :class:`ClaimWork` (``None`` for segments outside claims), scrubbed
    here one at a time. The caller adds each claim's usage to ``ctx.history`` before it asks
    for the next claim."""
    for unit in units:
        if isinstance(unit, ClaimUnit):
            yield unit, claim_work(unit, rules, ctx, allowed, unit.ordinal in revert)
        else:
            yield unit, None


def workers_for(jobs: int | None, size: int) -> int:
    """Worker processes beside this one for a file of ``size`` bytes (``jobs`` processes
    scrub claims, this one included); 0 means the sequential run."""
    if jobs is not None and jobs <= 1:
        return 0
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    if multiprocessing.current_process().daemon:
        return 0  # a daemonic process (a pool's worker) may not have children
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if jobs is not None:
        # Processes beyond the cores only wait for one; `--jobs 99999` forked thousands on a
        # 2-core machine for a one-claim file. At least MAX_JOBS_FLOOR stay allowed.
        return min(jobs, max(cores or 1, MAX_JOBS_FLOOR)) - 1
    if size < AUTO_MIN_BYTES:
        return 0
    # Cores other processes keep busy are no gain: workers that wait for a core, and the main
    # process waiting for them, made a loaded machine's run slower.
    idle = round((cores or 1) - _busy_cores())  # this process takes one of them
    return max(0, min((cores or 1) - 1, idle - 1))


def _busy_cores() -> float:
    """Cores other processes use: the 1-minute load average, but no more than the processes
    running right now (Linux), so that a run just before this one (on a machine running one
    scrub after another) does not count."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    try:
        with open("/proc/loadavg", encoding="ascii") as stat:
            running = int(stat.read().split()[3].split("/")[0]) - 1  # not this process
    except (OSError, ValueError, IndexError):
        return load
    return min(load, float(max(running, 0)))


class _Asked(UsageHistory):
    """A worker's history: answers as an empty one would and writes the questions down."""

    __slots__ = ("lines", "units")

    def __init__(self, codes: frozenset[str] | None) -> None:
        super().__init__(codes)
        self.lines: list[int] = []
        self.units: list[tuple[str, str, date, date]] = []

    def claim_with_line(self, key: int) -> str | None:
        self.lines.append(key)
        return None

    def units_between(self, patient_key: str, code: str, start: date, end: date) -> Decimal:
        self.units.append((patient_key, code, start, end))
        return Decimal(0)


def _same_answers(history: UsageHistory, lines: Sequence[int], units: Sequence[_Units]) -> bool:
    """Whether the real history answers as the worker's empty one did."""
    # Recorded units are all positive, so a sum of 0 means no entry: Decimal(0) itself.
    return all(history.claim_with_line(key) is None for key in lines) and all(
        history.units_between(*question) == 0 for question in units
    )


_Units = tuple[str, str, date, date]
_Shared = tuple[str, str, Delimiters]
#: A claim on its way to a worker: ordinal, context, first position, segment texts, the
#: (terminator, line break, delimiters) all its segments share, or the segments themselves when
#: they differ (mixed line breaks, a claim across a gap), and its revert flag. The delimiters
#: are one object per interchange, pickled once per block.
_Sent = tuple[int, ClaimContext, int, tuple[str, ...], _Shared | tuple[Segment, ...], bool]
#: A claim's way back (see :func:`_back_form`), or ``None`` when scrubbing it raised (the main
#: process then scrubs it itself).
_Back = (
    tuple[
        tuple[int | Segment, ...],
        tuple[Outcome, ...],
        str,
        bool,
        int,
        Decimal,
        str,
        bool,
        int,
        tuple[int, ...],
        tuple[tuple[tuple[str, str], date, Decimal], ...],
        tuple[int, ...],
        tuple[_Units, ...],
    ]
    | None
)

# The run's rules and context, set before the workers are forked (a fork copies them; nothing
# is pickled).
_JOB: list[tuple[Sequence[Rule], RuleContext, Collection[Applicability]]] = []


def _send_form(unit: ClaimUnit, force: bool) -> _Sent:
    segs = unit.segments
    head = segs[0]
    first, delims, term, trail = head.index, head.delimiters, head.terminator, head.trailer
    uniform = segs[-1].index - first == len(segs) - 1 and all(
        s.delimiters is delims and s.terminator == term and s.trailer == trail and not s.lead
        for s in segs
    )
    texts = tuple(s.text for s in segs)
    tail: _Shared | tuple[Segment, ...] = (term, trail, delims) if uniform else segs
    return (unit.ordinal, unit.context, first, texts, tail, force)


def _received(sent: _Sent) -> tuple[ClaimUnit, bool]:
    ordinal, context, first, texts, tail, force = sent
    term, trail, delims = tail if isinstance(tail[0], str) else ("", "", None)
    if isinstance(term, str) and isinstance(trail, str) and isinstance(delims, Delimiters):
        segments = tuple(
            Segment(first + i, text, term, trail, delims) for i, text in enumerate(texts)
        )
    else:
        segments = tuple(s for s in tail if isinstance(s, Segment))
    return ClaimUnit(segments, context, ordinal), force


def _back_form(work: ClaimWork, unit: ClaimUnit, asked: _Asked) -> _Back:
    """``work`` as plain values (a frozen dataclass unpickles slowly); each output segment that
    is one of the claim's own travels as its position in the claim (none when unchanged)."""
    segments: tuple[int | Segment, ...] = ()
    if work.changed:
        own = {id(s): n for n, s in enumerate(unit.segments)}
        segments = tuple(own.get(id(s), s) for s in work.segments)
    usage = work.usage
    return (
        segments,
        work.outcomes,
        work.claim_id,
        work.changed,
        work.lines_added,
        work.charges_added,
        work.profile,
        work.fell_back,
        work.drug_lines,
        usage.lines,
        usage.units,
        tuple(asked.lines),
        tuple(asked.units),
    )


def _work_from(back: tuple[int | Segment, ...], unit: ClaimUnit) -> tuple[Segment, ...]:
    own = unit.segments
    if not back:
        return own
    return tuple(own[s] if isinstance(s, int) else s for s in back)


def _fields_reducer(cls: type) -> Callable[[object], tuple[object, ...]]:
    get = operator.attrgetter(*(f.name for f in dataclasses.fields(cls)))
    return lambda obj: (cls, get(obj))


def _member_reducer(obj: object) -> tuple[object, ...]:
    assert isinstance(obj, Enum)
    return (getattr, (type(obj), obj.name))


#: How the results' values are pickled: a frozen dataclass as its class called with its fields
#: (the default calls ``dataclasses.fields`` for every object it loads, 3x slower), an enum
#: member by name. Only these types; their fields are all plain values.
_REDUCERS: dict[type, Callable[[object], tuple[object, ...]]] = {
    **{
        cls: _fields_reducer(cls)
        for cls in (Outcome, Finding, Loc, Fix, SetElement, InsertSegments, DeleteSegments)
    },
    **{cls: _member_reducer for cls in (FixStatus, Severity, Applicability, Reach)},
}


def _dumps(obj: object) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    table: dict[type, Any] = dict(copyreg.dispatch_table)
    table.update(_REDUCERS)
    pickler.dispatch_table = table
    pickler.dump(obj)
    return buffer.getvalue()


def _serve(requests: Connection, results: Connection) -> None:
    """A worker: scrub the claims of each block received, send their work back in order."""
    die_with_parent()
    # Ctrl-C and a closed terminal reach the whole process group: the main process decides
    # (and stops the workers), as in batch_pool. SIGTERM keeps its action: it ends a worker.
    for name in ("SIGINT", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    rules, ctx, allowed = _JOB[0]
    ctx = replace(ctx, history=_Asked(ctx.history.codes))
    inbox: queue.SimpleQueue[list[_Sent] | None] = queue.SimpleQueue()

    def read() -> None:
        # Its own thread: the main process may send the next block while this one still
        # sends results back, and neither may wait on the other.
        while True:
            try:
                block = requests.recv()
            except (EOFError, OSError):
                block = None
            inbox.put(block)
            if block is None:
                return

    threading.Thread(target=read, daemon=True, name="claims-in").start()
    while (block := inbox.get()) is not None:
        back: list[_Back] = []
        for item in block:
            unit, force = _received(item)
            back.append(_scrub_ahead(unit, rules, ctx, allowed, force))
        results.send_bytes(_dumps(back))
    # Not a return through multiprocessing's bootstrap, which flushes the standard streams:
    # their buffers are copies of the main process's, which may be writing EDI to stdout.
    os._exit(0)


def _scrub_ahead(
    unit: ClaimUnit,
    rules: Sequence[Rule],
    ctx: RuleContext,
    allowed: Collection[Applicability],
    force: bool,
) -> _Back:
    """A claim scrubbed with a speculating history (``ctx.history`` an :class:`_Asked`), as a
    worker does it: the result and the questions, or ``None`` when it raised."""
    asked = ctx.history
    assert isinstance(asked, _Asked)
    asked.lines, asked.units = [], []
    try:
        work = claim_work(unit, rules, ctx, allowed, force)
    except Exception:  # scrubbed again in order, which raises it there
        return None
    return _back_form(work, unit, asked)


@dataclass(slots=True)
class _Worker:
    process: BaseProcess
    requests: Connection
    results: Connection
    #: The blocks sent to this worker and not yet back, oldest first (results come in order).
    out: deque[_Block] = field(default_factory=deque)


@dataclass(slots=True)
class _Block:
    """Units on their way: the worker scrubbing the claims (None: this process), what came
    back from it, and what this process found working ahead on its own share (one entry per
    claim, ``None`` for a claim whose scrub raised)."""

    units: list[Unit]
    worker: _Worker | None
    back: list[_Back] | None = None
    #: Its claims' results found ahead so far (the first ones, in order).
    ahead: list[_Back] | None = None


def _blocks(units: Iterable[Unit]) -> Iterator[list[Unit]]:
    """``units`` cut after every :data:`BLOCK` claims (the last block may hold fewer)."""
    block: list[Unit] = []
    claims = 0
    for unit in units:
        block.append(unit)
        if isinstance(unit, ClaimUnit):
            claims += 1
            if claims >= BLOCK:
                yield block
                block, claims = [], 0
    if block:
        yield block


class ClaimPool:
    """Forked workers that scrub blocks of claims; :meth:`scrub` gives results in file order.

    Start it before any thread is running in this process (a fork copies only the calling
    thread, and a lock held by another one would stay locked in the child forever).
    """

    def __init__(
        self,
        workers: int,
        rules: Sequence[Rule],
        ctx: RuleContext,
        allowed: Collection[Applicability],
    ) -> None:
        self._rules, self._allowed = rules, allowed
        self._workers: list[_Worker] = []
        self.broken = False
        #: Claims sent to a worker; of those, claims the main process took as they came back;
        #: and claims scrubbed again in order (history hits, errors); for tests and logs.
        self.sent = 0
        self.taken = 0
        self.redone = 0
        #: Blocks of its own share this process scrubbed ahead while it waited for a worker.
        self.ahead = 0
        fork = multiprocessing.get_context("fork")
        # A child must not inherit unwritten output (its copy could be flushed twice).
        sys.stdout.flush()
        sys.stderr.flush()
        _JOB[:] = [(rules, ctx, allowed)]
        try:
            for _ in range(workers):
                req_in, req_out = fork.Pipe(duplex=False)
                res_in, res_out = fork.Pipe(duplex=False)
                process = fork.Process(
                    target=_serve, args=(req_in, res_out), daemon=True, name="edi-scrub-claims"
                )
                process.start()
                req_in.close()
                res_out.close()
                self._workers.append(_Worker(process, req_out, res_in))
        except BaseException:
            self.close()
            raise
        finally:
            _JOB.clear()

    def scrub(self, units: Iterable[Unit], ctx: RuleContext, revert: Collection[int]) -> Scrubbed:
        """Like :func:`sequential` (same units, same work), with the claims scrubbed by the
        workers; ``ctx`` is the pass's context (its history is the real one).

        Blocks go to a worker while it holds fewer than :data:`QUEUED`; the others are this
        process's share. So the share follows the speed each side really gets (a core shared
        with the validation worker or another program), not a fixed alternation."""
        pending: deque[_Block] = deque()
        # This process's own speculative context, for working ahead (see _work_ahead).
        ahead = replace(ctx, history=_Asked(ctx.history.codes))
        blocks = _blocks(units)
        window = QUEUED * len(self._workers) + OWN
        more = True
        while True:
            while more and len(pending) < window:
                block = next(blocks, None)
                if block is None:
                    more = False
                else:
                    pending.append(self._assign(block, revert))
            if not pending:
                return
            head = pending[0]
            if head.worker is None or head.back is not None or self.broken:
                pending.popleft()
                yield from self._take(head, ctx, revert)
            elif self._arrived(head.worker) or not self._work_ahead(pending, ahead, revert):
                self._wait(head.worker)

    def _assign(self, block: list[Unit], revert: Collection[int]) -> _Block:
        """Send ``block`` to the least busy worker, unless each already holds :data:`QUEUED`
        blocks: then it is this process's (no copy, no speculation)."""
        self._collect()
        if self.broken or not self._workers:
            return _Block(block, None)
        worker = min(self._workers, key=lambda w: len(w.out))
        if len(worker.out) >= QUEUED:
            return _Block(block, None)
        claims = [u for u in block if isinstance(u, ClaimUnit)]
        sent = [_send_form(u, u.ordinal in revert) for u in claims]
        try:
            worker.requests.send(sent)
        except OSError:
            self._break()
            return _Block(block, None)
        self.sent += len(sent)
        taken = _Block(block, worker)
        worker.out.append(taken)
        return taken

    def _collect(self) -> None:
        """Take in every result already waiting, without waiting for any."""
        try:
            for worker in self._workers:
                while worker.out and worker.results.poll():
                    self._receive(worker)
        except (EOFError, OSError):
            self._break()

    def _arrived(self, worker: _Worker) -> bool:
        """Whether ``worker``'s oldest block is back (or the worker ended: then reading it
        breaks the pool)."""
        try:
            return worker.results.poll()
        except (EOFError, OSError):
            return True

    def _wait(self, worker: _Worker) -> None:
        """Wait for ``worker``'s oldest block to come back."""
        try:
            self._receive(worker)
        except (EOFError, OSError):
            self._break()

    @staticmethod
    def _receive(worker: _Worker) -> None:
        block = worker.out[0]
        block.back = pickle.loads(worker.results.recv_bytes())
        worker.out.popleft()

    def _take(self, taken: _Block, ctx: RuleContext, revert: Collection[int]) -> Scrubbed:
        worker = taken.worker
        back = (taken.back if worker is not None else taken.ahead) or []
        n = 0
        for unit in taken.units:
            if not isinstance(unit, ClaimUnit):
                yield unit, None
                continue
            # Scrubbed elsewhere (a worker, or ahead), as far as it got.
            speculated = n < len(back)
            item = back[n] if speculated else None
            n += 1
            # Checked only now: the history holds exactly the claims before this one.
            if item is not None and _same_answers(ctx.history, item[11], item[12]):
                self.taken += worker is not None
                claim_id = item[2]
                usage = ClaimUsage(claim_id, item[9], item[10])
                work = ClaimWork(_work_from(item[0], unit), *item[1:9], usage)
                yield unit, work
                continue
            if speculated or worker is not None:
                self.redone += 1
            force = unit.ordinal in revert
            yield unit, claim_work(unit, self._rules, ctx, self._allowed, force)

    def _work_ahead(
        self, pending: deque[_Block], ahead: RuleContext, revert: Collection[int]
    ) -> bool:
        """Scrub the next :data:`AHEAD_STEP` claims of this process's share not yet done;
        False when none is left."""
        for block in pending:
            if block.worker is not None:
                continue
            done = block.ahead if block.ahead is not None else []
            claims = [u for u in block.units if isinstance(u, ClaimUnit)]
            if len(done) == len(claims):
                continue
            if not done:
                self.ahead += 1
            block.ahead = done
            for unit in claims[len(done) : len(done) + AHEAD_STEP]:
                force = unit.ordinal in revert
                done.append(_scrub_ahead(unit, self._rules, ahead, self._allowed, force))
            return True
        return False

    def _break(self) -> None:
        if not self.broken:
            self.broken = True
            log.warning("claim_worker_lost", reason="a worker process ended", fallback="sequential")
            self.close()

    def close(self) -> None:
        """Stop the workers (at once: whatever they were doing is no longer wanted)."""
        for worker in self._workers:
            if worker.process.is_alive():
                worker.process.terminate()
        for worker in self._workers:
            worker.process.join()
            worker.requests.close()
            worker.results.close()
        self._workers = []
