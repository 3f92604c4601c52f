"""The pipeline: lex → group → build → rules → fixes → write, then verify the structure.

One pass streams the input and writes the output; memory is bounded by the largest claim plus
the findings. When any claim changed, the changed claims of the output are validated
(:mod:`.x12.partial`; the whole output when that cut cannot be trusted) and compared claim by
claim with the input's validation; a claim whose structure got worse is reverted and the pass
runs once more with that claim left as it was.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.process
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, BinaryIO

import structlog

from edi_scrub._lifeline import die_with_parent
from edi_scrub._spans import Span, SpanTable
from edi_scrub.envelope import EnvelopeTracker
from edi_scrub.errors import ConfigError
from edi_scrub.fixes.edits import Applicability
from edi_scrub.fixes.engine import FixStatus, Outcome
from edi_scrub.history import UsageHistory
from edi_scrub.maps.drugs import DrugCatalog
from edi_scrub.maps.layers import AUTO, PolicyChooser, load_maps
from edi_scrub.model.claim import Claim, Loc, Transaction
from edi_scrub.model.group import ClaimUnit, group
from edi_scrub.parallel import ClaimPool, sequential, workers_for
from edi_scrub.policy import PayerPolicy
from edi_scrub.report.model import ClaimRef, ClaimRefs, Report, Summary
from edi_scrub.report.spill import OutcomeLog
from edi_scrub.rules import Rule, get_rule, select_rules
from edi_scrub.rules._base import Finding, RuleContext, Severity
from edi_scrub.x12.claim_of import claim_of
from edi_scrub.x12.cure import cured
from edi_scrub.x12.lexer import ENCODING, Segment, iter_segments, render
from edi_scrub.x12.partial import ChangedClaims

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from edi_scrub.x12._normalise import Plain
    from edi_scrub.x12.validate import StructuralResult

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Options:
    """What a run does. ``fix=False`` is report-only."""

    fix: bool = True
    unsafe_fixes: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: Severity = Severity.ERROR
    structure: bool = True
    #: Also produce a 999 for the input's structural errors (``Report.ack``); needs ``structure``.
    ack: bool = False
    #: Validate the input with pyx12 in a second process while this one runs the rules and
    #: fixes (the CLI's single-file runs; batch workers already use every core).
    parallel_validation: bool = False
    #: The drug map; default: the maps (bundled, then ``maps_dir``).
    catalog: DrugCatalog | None = None
    #: Chooses each claim's payer policy; default: the payer profiles of the maps, matched per
    #: claim or forced by ``payer_profile``. Tests inject one policy here.
    policy: Callable[[Claim], PayerPolicy] | None = None
    #: A payer profile id to force on every claim, or ``auto`` to match each claim.
    payer_profile: str = AUTO
    #: A user maps directory layered over the bundled maps (``--maps DIR``).
    maps_dir: Path | None = None
    #: The TR3 validator: ``compiled`` (pyx12's maps compiled) or ``pyx12`` (the reference).
    validator: str = "compiled"
    #: Processes scrubbing the claims (:mod:`edi_scrub.parallel`): 1 = this one alone, ``N`` =
    #: this one and ``N - 1`` workers, ``None`` = the idle cores when the file is big enough.
    jobs: int | None = 1

    def allowed(self) -> frozenset[Applicability]:
        """Fix applicabilities this run applies."""
        if not self.fix:
            return frozenset()
        if self.unsafe_fixes:
            return frozenset({Applicability.SAFE, Applicability.UNSAFE})
        return frozenset({Applicability.SAFE})


@dataclass(slots=True)
class _Pass:
    #: Claim outcomes, spilled to a temporary file past a bound (memory stays flat).
    outcomes: OutcomeLog = field(default_factory=OutcomeLog)
    spans: SpanTable = field(default_factory=SpanTable)
    claims: int = 0
    drug_lines: int = 0
    lines_added: int = 0
    charges_added: Decimal = Decimal(0)
    transaction: str = ""
    implementation: str = ""
    changed: bool = False
    #: Claims per payer profile id, and claims no profile matched (they got the default).
    profiles: Counter[str] = field(default_factory=Counter)
    unmatched: int = 0


def _segments(path: Path) -> Iterator[Segment]:
    with path.open("rb") as stream:
        yield from iter_segments(stream, str(path))


def _validate(
    segments: Iterator[Segment | Plain], where: str, ack: bool = False, validator: str = "compiled"
) -> StructuralResult:
    # Imported here: pyx12 is the slow, heavy part and `--no-structure`-style callers
    # (rule tests, library users) should not pay for loading it.
    from edi_scrub.x12.validate import validate_segments

    return validate_segments(
        segments, where, ack=ack, validator="pyx12" if validator == "pyx12" else "compiled"
    )


def _validate_path(path: str, ack: bool, validator: str = "compiled") -> StructuralResult:
    """Validate a file by path: the unit of work sent to the background process."""
    from edi_scrub.x12.validate import validate_path  # imported here: see _validate

    return validate_path(
        Path(path), path, ack=ack, validator="pyx12" if validator == "pyx12" else "compiled"
    )


#: Below this size a second process costs more than it saves.
_PARALLEL_MIN_BYTES = 512 * 1024


def _validate_in_worker(conn: Connection, path: str, ack: bool, validator: str) -> None:
    """The validation worker's body: validate, send (ok, result or exception), end."""
    die_with_parent()
    outcome: tuple[bool, object]
    try:
        outcome = (True, _validate_path(path, ack, validator))
    except Exception as exc:  # sent to the main process, raised there by result()
        outcome = (False, exc)
    with contextlib.suppress(Exception):
        # Unpicklable (or the main process is gone): the main process, finding no answer,
        # validates itself and so raises the same error there.
        conn.send(outcome)
    conn.close()


class _InputValidation:
    """The input's structural validation, run beside the fix pass when that pays off.

    pyx12 is the slow part (about ten times the rules and fixes), and the fix pass does not
    need its result until the end, so on a 2-core machine the two can overlap. A forked worker
    is used because it starts in milliseconds and shares the already-imported modules.

    Memory (what a cgroup charges is the two processes' PSS sum, benchmarks/memtree.py): the
    worker is a one-shot process, not a pool, so it ends as soon as its result is sent (a
    thread here receives it) instead of holding its ~40 MiB until the fix pass is done; and
    the objects that exist at the fork are frozen (``gc.freeze``) until it ends, so that
    neither process's garbage collector writes to their shared pages (copy on write would
    give each process its own copy).
    """

    def __init__(self, path: Path, options: Options) -> None:
        self._path, self._ack, self._validator = path, options.ack, options.validator
        self._worker: multiprocessing.process.BaseProcess | None = None
        self._receiver: threading.Thread | None = None
        self._received: tuple[bool, object] | None = None
        self._result: StructuralResult | None = None
        big = options.parallel_validation and path.stat().st_size >= _PARALLEL_MIN_BYTES
        if options.structure and big and "fork" in multiprocessing.get_all_start_methods():
            fork = multiprocessing.get_context("fork")
            reader, writer = fork.Pipe(duplex=False)
            gc.freeze()
            try:
                # The worker dies with this process, even after a kill -9 (see _lifeline).
                self._worker = fork.Process(
                    target=_validate_in_worker,
                    args=(writer, str(path), options.ack, options.validator),
                    name="edi-scrub-validation",
                    daemon=True,
                )
                self._worker.start()
            except BaseException:
                gc.unfreeze()
                reader.close()
                raise
            finally:
                writer.close()  # the worker's end: EOF here if it dies without an answer
            self._receiver = threading.Thread(
                target=self._receive, args=(reader, self._worker), daemon=True
            )
            self._receiver.start()

    def _receive(self, reader: Connection, worker: multiprocessing.process.BaseProcess) -> None:
        """Take the worker's answer as soon as it is sent (the worker then ends), reap it."""
        try:
            self._received = reader.recv()
        except (EOFError, OSError):  # killed (close(), the OOM killer): no answer
            self._received = None
        finally:
            reader.close()
            worker.join()
            gc.unfreeze()

    def result(self) -> StructuralResult:
        """The validation, computed here if no worker is running it (or it died)."""
        if self._result is not None:
            return self._result
        received = None
        if self._receiver is not None:
            self._receiver.join()
            received = self._received
            if received is None:
                log.warning("validation_worker_lost", file=str(self._path))
        if received is None:
            result = _validate_path(str(self._path), self._ack, self._validator)
        elif received[0]:
            result = received[1]  # type: ignore[assignment]
        else:
            raise received[1]  # type: ignore[misc]
        self._result = result
        return result

    def close(self) -> None:
        """Stop the worker (at once, if the run failed before it finished)."""
        if self._worker is not None:
            if self._worker.is_alive():
                self._worker.kill()
            assert self._receiver is not None
            self._receiver.join()
            self._worker = None


def _run_pass(
    path: Path,
    out: BinaryIO,
    rules: tuple[Rule, ...],
    ctx: RuleContext,
    options: Options,
    revert: frozenset[int],
    x12003: bool,
    probe: ChangedClaims | None = None,
    pool: ClaimPool | None = None,
) -> tuple[_Pass, EnvelopeTracker]:
    """One fix pass; ``probe`` (if any) sees every segment written, for :mod:`.x12.partial`;
    ``pool`` (if any) scrubs the claims in worker processes (:mod:`edi_scrub.parallel`)."""
    result = _Pass()
    # A pass that runs again (after a revert) must not see the first pass's claims twice.
    ctx = replace(ctx, history=UsageHistory(ctx.history.codes))
    allowed = options.allowed()
    tracker = EnvelopeTracker(recount=x12003 and Applicability.SAFE in allowed)
    position = 0
    units = group(_segments(path), str(path))
    scrubbed = (
        sequential(units, rules, ctx, allowed, revert)
        if pool is None
        else pool.scrub(units, ctx, revert)
    )
    for unit, work in scrubbed:
        if isinstance(unit, ClaimUnit):
            assert work is not None
            # Before the next claim is scrubbed (or its speculation checked): see parallel.py.
            ctx.history.add(work.usage)
            result.profiles[work.profile] += 1
            if work.fell_back:
                result.unmatched += 1
            if not result.transaction:
                result.transaction = unit.context.transaction.value
                result.implementation = unit.context.implementation
            result.claims += 1
            result.drug_lines += work.drug_lines
            result.outcomes.extend(work.outcomes)
            first = position + 1
            # One write per claim, not per segment.
            out.write(render(work.segments))
            position += len(work.segments)
            if work.changed:
                result.changed = True
                result.lines_added += work.lines_added
                result.charges_added += work.charges_added
            if probe is not None:
                probe.claim(work.segments, first, work.changed, len(unit.segments))
            result.spans.add(
                Span(
                    unit.ordinal,
                    work.claim_id,
                    unit.segments[0].index,
                    unit.segments[-1].index,
                    first,
                    position,
                    work.changed,
                    _fails(work.outcomes, options.fail_on),
                )
            )
            continue
        if unit.index:
            position += 1
        written = tracker.trailer(unit, position)
        result.changed |= written is not unit
        out.write(written.raw().encode(ENCODING))
        if probe is not None and unit.index:
            probe.outside(written, unit, position)
    tracker.close()
    if probe is not None:
        probe.close()
    return result, tracker


def _fails(outcomes: Iterable[Outcome], fail_on: Severity) -> bool:
    """Whether a finding at or above ``fail_on`` is left unfixed (as the exit code counts)."""
    return any(
        o.finding.severity.fails(fail_on) and o.status is not FixStatus.APPLIED for o in outcomes
    )


def _failing_claims(
    spans: SpanTable,
    structure: StructuralResult | None,
    options: Options,
    ids: set[str],
    cured: frozenset[int] = frozenset(),
) -> ClaimRefs:
    """Claims with a failing claim finding or a structural (X12001) error inside them."""
    broken: dict[int, int] = {}
    x12001 = get_rule("X12001").meta
    if structure is not None and x12001.id in ids and x12001.severity.fails(options.fail_on):
        broken = _issues_by_claim(structure, spans, output=False, skip=cured)
    return ClaimRefs(
        ClaimRef(spans.ordinal[i], spans.claim_id(i), spans.in_first[i])
        for i in range(len(spans))
        if spans.failing(i) or spans.ordinal[i] in broken
    )


def _issues_by_claim(
    structure: StructuralResult,
    spans: SpanTable,
    output: bool,
    skip: frozenset[int] = frozenset(),
) -> dict[int, int]:
    counts: dict[int, int] = {}
    for n, issue in enumerate(structure.issues):
        if n in skip:
            continue
        i = claim_of(issue, spans, output)
        if i is not None:
            ordinal = spans.ordinal[i]
            counts[ordinal] = counts.get(ordinal, 0) + 1
    return counts


def _structural_findings(
    structure: StructuralResult, spans: SpanTable, cured: frozenset[int] = frozenset()
) -> list[Outcome]:
    """X12002 notes and X12001 issues; an issue the output no longer has is fixed (applied)."""
    x12001, x12002 = get_rule("X12001").meta, get_rule("X12002").meta
    outcomes: list[Outcome] = []
    for note in structure.aliases:
        finding = Finding(x12002.id, x12002.name, x12002.severity, None, None, None, note)
        outcomes.append(Outcome(finding, FixStatus.NONE))
    for n, issue in enumerate(structure.issues):
        i = claim_of(issue, spans)
        claim = spans.claim_id(i) if i is not None else None
        loc = Loc(-1, issue.segment, issue.element or issue.segment_id) if issue.segment else None
        message = f"{issue.message} [{issue.ack_codes}]" if issue.ack_codes else issue.message
        finding = Finding(x12001.id, x12001.name, x12001.severity, claim, None, loc, message)
        outcomes.append(Outcome(finding, FixStatus.APPLIED if n in cured else FixStatus.NONE))
    return outcomes


def _count_findings(tracker: EnvelopeTracker, missing: bool) -> list[Outcome]:
    meta = get_rule("X12003").meta

    def outcome(loc: Loc, message: str, status: FixStatus) -> Outcome:
        finding = Finding(meta.id, meta.name, meta.severity, None, None, loc, message)
        return Outcome(finding, status)

    # Missing trailers only without pyx12 (which reports them itself, X12001); nothing can
    # restore what a cut file lost, so no fix.
    lost = [
        outcome(
            m.loc,
            f"{m.opener} at segment {m.loc.segment} has no {m.trailer}: the input ends or "
            f"moves on before its trailer (cut short?), so its count cannot be checked",
            FixStatus.NONE,
        )
        for m in (tracker.missing if missing else ())
    ]
    status = FixStatus.APPLIED if tracker.recount else FixStatus.AVAILABLE
    return lost + [
        outcome(
            p.loc,
            # Escaped: a malformed count may hold a line break, and messages are one line.
            f"{p.what} says {p.found.encode('unicode_escape').decode() or 'nothing'}, "
            f"but the input has {p.expected}",
            status,
        )
        for p in tracker.problems
    ]


#: How the fixed output is checked: ``changed`` validates only the changed claims in a stand-in
#: interchange (:mod:`.x12.partial`, falling back to a full walk when the cut cannot be
#: trusted); ``full`` walks the whole output. Tests compare the two.
_OUTPUT_CHECK = "changed"


@dataclass(frozen=True, slots=True)
class _Verified:
    """What one verification of the output found (recorded for the differential tests)."""

    #: ``changed`` (stand-in of the changed claims), ``full`` (whole output) or ``none``.
    how: str
    after: dict[int, int]
    revert: frozenset[int]
    cured: frozenset[int]


def _probe(path: Path, options: Options, full: bool) -> ChangedClaims | None:
    """The changed-claims check of the output, when it applies (compiled validator)."""
    if not options.structure or full or options.validator == "pyx12":
        # pyx12 (the reference) keeps the full walk of the output.
        return None
    where = str(path)

    def validate(segments: Iterable[Segment | Plain]) -> StructuralResult:
        return _validate(iter(segments), where, validator=options.validator)

    return ChangedClaims(validate)


def _fix_and_verify(
    path: Path,
    out: BinaryIO,
    claim_rules: tuple[Rule, ...],
    ctx: RuleContext,
    options: Options,
    x12003: bool,
    validation: _InputValidation,
    trace: list[_Verified] | None = None,
    pool: ClaimPool | None = None,
) -> tuple[StructuralResult | None, _Pass, EnvelopeTracker, frozenset[int]]:
    """Run the fix pass; with structure on, revert claims whose structure got worse, re-run.

    Also returns which input issues the final output no longer has (:func:`x12.cure.cured`).

    The output's changed claims are validated during the pass (:mod:`.x12.partial`); when that
    cut cannot be trusted, or with ``--validator pyx12``, the whole output is validated
    *before* waiting for the input's validation: when that runs in the background worker, the
    two walks (the slow part) overlap on the two cores.
    """
    full = _OUTPUT_CHECK == "full"
    revert: frozenset[int] = frozenset()
    structure_in: StructuralResult | None = None

    def input_result() -> StructuralResult:
        nonlocal structure_in
        if structure_in is None:
            structure_in = validation.result()
            if options.ack and structure_in.ack is None:
                log.warning("no_999", file=str(path), reason=structure_in.ack_note)
        return structure_in

    passes = 0
    while True:
        passes += 1
        out.seek(0)
        out.truncate()
        probe = _probe(path, options, full) if passes <= 2 else None
        result, tracker = _run_pass(
            path, out, claim_rules, ctx, options, revert, x12003, probe, pool
        )
        if not options.structure:
            return None, result, tracker, frozenset()
        structure_out = None
        how = "none"
        if result.changed and passes <= 2 and probe is not None:
            structure_out = probe.result(input_result(), result.spans)
            how = "changed"
            if structure_out is None:
                log.debug("output_check_full", file=str(path), reason=probe.reason)
        if result.changed and passes <= 2 and structure_out is None:
            out.flush()
            out.seek(0)
            structure_out = _validate(
                iter_segments(out, str(path)), str(path), validator=options.validator
            )
            how = "full"
        structure_in = input_result()
        if structure_out is None:
            if trace is not None:
                trace.append(_Verified(how, {}, revert, frozenset()))
            return structure_in, result, tracker, frozenset()
        before = _issues_by_claim(structure_in, result.spans, output=False)
        after = _issues_by_claim(structure_out, result.spans, output=True)
        spans = result.spans
        worse = frozenset(
            spans.ordinal[i]
            for i in range(len(spans))
            if spans.changed(i) and after.get(spans.ordinal[i], 0) > before.get(spans.ordinal[i], 0)
        )
        if not worse - revert:
            fixed = cured(structure_in, structure_out, result.spans)
            if trace is not None:
                trace.append(_Verified(how, after, revert, fixed))
            return structure_in, result, tracker, fixed
        if trace is not None:
            trace.append(_Verified(how, after, revert, frozenset()))
        log.warning("fix_reverted", claims=len(worse - revert), reason="structure got worse")
        revert |= worse


def scrub(path: Path, out: BinaryIO, options: Options) -> Report:
    """Scrub the 837 at ``path``, writing the corrected interchange to ``out``.

    Raises :class:`~edi_scrub.errors.InputError` for input that is not an 837 5010.
    """
    started = time.perf_counter()
    if options.ack and not options.structure:
        # Checked before anything is read or written: the 999 comes from that validation.
        raise ConfigError("a 999 (--ack) needs the structural validation --no-structure skips")
    rules = select_rules(options.select, options.ignore)
    ids = {r.meta.id for r in rules}
    ctx = _context(options)
    claim_rules = tuple(r for r in rules if r.check is not None)
    x12003 = "X12003" in ids
    # The claim workers are forked first, while this process has no other thread (the
    # validation pool starts some); they serve every pass of the run.
    workers = workers_for(options.jobs, path.stat().st_size)
    pool = _claim_pool(path, workers, claim_rules, ctx, options)
    try:
        validation = _InputValidation(path, options)
        try:
            structure_in, result, tracker, fixed = _fix_and_verify(
                path, out, claim_rules, ctx, options, x12003, validation, pool=pool
            )
        finally:
            validation.close()
    finally:
        if pool is not None:
            pool.close()
            log.debug(
                "claim_workers",
                file=str(path),
                workers=workers,
                sent=pool.sent,
                taken=pool.taken,
                redone=pool.redone,
                ahead=pool.ahead,
                broken=pool.broken,
            )
    head: list[Outcome] = []
    if structure_in is not None and "X12001" in ids:
        head += [
            o
            for o in _structural_findings(structure_in, result.spans, fixed)
            if o.finding.rule in ids
        ]
    if x12003:
        head += _count_findings(tracker, missing=not options.structure)
    outcomes = result.outcomes
    outcomes.set_head(head)
    summary = Summary.of(
        outcomes,
        result.claims,
        result.drug_lines,
        result.lines_added,
        result.charges_added,
        options.fail_on,
    )
    summary = replace(
        summary,
        payer_profiles=MappingProxyType(dict(sorted(result.profiles.items()))),
        unmatched_claims=result.unmatched,
    )
    if result.unmatched and isinstance(ctx.policy, PolicyChooser):
        # Counts only: which claims fell back is in no log (CLM01 is enough to find them, but
        # a log line per claim would flood batch runs).
        log.warning(
            "payer_profile_fallback",
            file=str(path),
            claims=result.unmatched,
            profile=ctx.policy.default.id,
            reason="no payer profile matched",
        )
    return Report(
        input=str(path),
        output=None,
        transaction=result.transaction or Transaction.PROFESSIONAL.value,
        implementation=(structure_in.implementation if structure_in else "")
        or result.implementation,
        summary=summary,
        outcomes=outcomes,
        changed=result.changed,
        seconds=time.perf_counter() - started,
        ack=structure_in.ack if structure_in is not None else None,
        failing_claims=_failing_claims(result.spans, structure_in, options, ids, fixed),
    )


def _claim_pool(
    path: Path, workers: int, rules: tuple[Rule, ...], ctx: RuleContext, options: Options
) -> ClaimPool | None:
    """The claim workers, if any; none when they cannot be started (the run is the same)."""
    if not workers:
        return None
    try:
        return ClaimPool(workers, rules, ctx, options.allowed())
    except OSError as exc:  # fork refused: a process limit, no memory
        log.warning("claim_workers_not_started", file=str(path), reason=exc.strerror or str(exc))
        return None


def _context(options: Options) -> RuleContext:
    """The rule context: injected catalog/policy, else the maps (bundled + ``maps_dir``).

    Raises :class:`~edi_scrub.errors.ConfigError` for bad maps or an unknown payer profile,
    before anything is written.
    """
    if options.catalog is not None and options.policy is not None:
        return RuleContext(options.catalog, options.policy)
    maps = load_maps(options.maps_dir)
    if options.policy is not None:
        return RuleContext(options.catalog or maps.catalog, options.policy)
    policy = maps.chooser(options.payer_profile)
    history = UsageHistory(maps.counted_codes())
    return RuleContext(options.catalog or maps.catalog, policy, history)
