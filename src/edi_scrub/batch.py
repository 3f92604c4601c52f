"""One file of a batch: the per-file job, its result, and :func:`scrub_one`, which never raises.

A batch engine (process pool, Dask) only ever ships a :class:`FileJob` to a worker and gets a
:class:`FileResult` back, so both are frozen dataclasses of plain data: they pickle, and the
scrub :class:`~edi_scrub.pipeline.Options` (which may hold callables and a loaded drug map) is
built inside the worker from :class:`Settings`.

Each file's corrected EDI is written to its output path and its JSON report to
``<output>.report.json`` beside it. Publishing is all or nothing: both are written to locked
temporary files first (:mod:`edi_scrub.batch_temp`), and renamed into place, the EDI first, only
when both are complete and neither target is in the way. On exit 2 or 3 nothing is written and an
existing output is left as it was (the single-file CLI contract).

The report carries a ``batch`` stamp (settings digest, input size and mtime, and the size and
SHA-256 of the output it describes) so a re-run can skip a file whose output is up to date: same
input, same settings, same edi-scrub version, same user maps, and an output whose bytes are the
ones the report describes. A crash between the two renames leaves a new output beside an old
report; the digest no longer matches, so the next run scrubs the file again.

In a worker process, log events are not printed (a Dask worker's stderr may be on another
machine; a pool worker's would cut through the progress bar): they travel back in the
:class:`FileResult` and the batch process logs them under its own format and level.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import multiprocessing
import os
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import structlog

from edi_scrub import __version__
from edi_scrub._shown import shown
from edi_scrub.atomic import publish
from edi_scrub.batch_temp import locked_temp, new_token
from edi_scrub.errors import EdiScrubError, InputError, where_raised
from edi_scrub.exit_codes import ExitCode
from edi_scrub.maps.layers import AUTO, maps_signature
from edi_scrub.pipeline import Options, scrub
from edi_scrub.report.model import Report
from edi_scrub.rules._base import Severity

REPORT_SUFFIX = ".report.json"


class Status(StrEnum):
    """What happened to one file of a batch."""

    CLEAN = "clean"  # exit 0
    FINDINGS = "findings"  # exit 1: failing findings remain, output written
    REFUSED = "refused"  # exit 2: not an 837, unreadable, bad settings; nothing written
    INTERNAL = "internal"  # exit 3: a bug or an unverifiable fix; nothing written
    SKIPPED = "skipped"  # output already up to date; exit code is the recorded one
    # Not scrubbed, and no failure (exit 0): the batch report still lists them.
    NOT_837 = "not-837"  # content is not an X12 interchange (no ISA), name does not say 837
    EXCLUDED = "excluded"  # hidden, not matched by --glob, OUTDIR itself, not a regular file
    # Not scrubbed because the engine could not start (exit 2).
    NOT_RUN = "not-run"


#: The statuses of files an engine scrubbed (or tried to).
SCRUBBED = frozenset({Status.CLEAN, Status.FINDINGS, Status.REFUSED, Status.INTERNAL})


@dataclass(frozen=True, slots=True)
class Settings:
    """The scrub options of a batch as plain data (what :class:`Options` is built from)."""

    fix: bool = True
    unsafe_fixes: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str = Severity.ERROR.value
    structure: bool = True
    #: A payer profile id forced on every claim, or ``auto``.
    payer_profile: str = AUTO
    #: The user maps layer, already resolved (the CLI turns ``--maps``, or the user maps
    #: directory when it exists, into an absolute path); None: the bundled maps alone.
    #: A string, not a Path, so the settings stay plain JSON in the batch report.
    maps_dir: str | None = None
    #: The TR3 validator: ``compiled`` or ``pyx12`` (same findings; see docs/validator.md).
    validator: str = "compiled"

    def options(self) -> Options:
        """The pipeline options these settings stand for."""
        return Options(
            fix=self.fix,
            unsafe_fixes=self.unsafe_fixes,
            select=self.select,
            ignore=self.ignore,
            fail_on=Severity(self.fail_on),
            structure=self.structure,
            payer_profile=self.payer_profile,
            maps_dir=None if self.maps_dir is None else Path(self.maps_dir),
            # No second process per file: the batch's workers already use every core, and a
            # worker's own children would be one more thing to outlive a killed batch.
            parallel_validation=False,
            jobs=1,  # nor claim workers: no pool inside a pool
            validator=self.validator,
        )

    def digest(self) -> str:
        """A stable digest of the settings, tool version and user maps: a change means outputs
        are stale.
        """
        # The version is part of it because a new release may find or fix different things
        # (the bundled maps ship with it). The user maps are taken by each map file's path,
        # mtime and size, read when the digest is made: editing, adding or removing a map
        # re-scrubs every file, without hashing a possibly large MUE table for each one.
        maps = [] if self.maps_dir is None else maps_signature(Path(self.maps_dir))
        data = {"tool_version": __version__, **asdict(self), "maps_files": maps}
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class FileJob:
    """One file to scrub: ``name`` is its path relative to the batch's input folder."""

    name: str
    input: Path
    output: Path
    report: Path
    settings: Settings
    force: bool = False
    #: The batch's token, in the names of its temporary files (:mod:`edi_scrub.batch_temp`).
    token: str = field(default_factory=new_token)


@dataclass(frozen=True, slots=True)
class FileResult:
    """How one file went; counts are zero when the file was refused or failed."""

    name: str
    status: Status
    exit_code: int
    claims: int = 0
    drug_lines: int = 0
    errors: int = 0
    warnings: int = 0
    fixed: int = 0
    unfixed_errors: int = 0
    seconds: float = 0.0
    message: str | None = None
    #: How many workers tried the file (2: the first died under it, as by the OOM killer).
    attempts: int = 1
    #: Log events of the worker, as JSON lines, for the batch process to log (not reported).
    logs: tuple[str, ...] = ()

    @property
    def wrote(self) -> bool:
        """True when the file has an output (written now or up to date from an earlier run)."""
        return self.status in (Status.CLEAN, Status.FINDINGS, Status.SKIPPED)


#: errno values that say OUTDIR cannot take the file (not a bug of ours).
_ENVIRONMENT = frozenset(
    {
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
        errno.EISDIR,
        errno.ENOTDIR,
        errno.ENAMETOOLONG,
        errno.EXDEV,
    }
)


def failed(job: FileJob, exc: BaseException, seconds: float = 0.0) -> FileResult:
    """The result for a file whose scrub raised ``exc`` (exit 2 for input/config, else 3)."""
    if isinstance(exc, EdiScrubError):
        code, message = exc.exit_code, str(exc)
    elif isinstance(exc, OSError) and exc.filename == str(job.input):
        # An unreadable input is the input's problem, not ours (design: exit 2).
        code, message = int(ExitCode.USAGE), f"{job.input}: cannot read: {exc.strerror or exc}"
    elif isinstance(exc, OSError) and exc.errno in _ENVIRONMENT:
        # A full disk, a read-only or forbidden OUTDIR, a folder where a file goes: the
        # environment's problem, exit 2 like any usage error; nothing was published.
        where = exc.filename or job.output
        code, message = int(ExitCode.USAGE), f"cannot write {where}: {exc.strerror or exc}"
    else:
        # Its type and place, not its message, which could quote input (a member id in a
        # ValueError): the message goes into the batch report and onto stderr.
        code = int(ExitCode.INTERNAL)
        message = f"internal error: {type(exc).__name__} at {where_raised(exc)}"
    status = Status.REFUSED if code == ExitCode.USAGE else Status.INTERNAL
    # The status line and batch report already name the file; keep the message about the problem.
    message = message.removeprefix(f"{job.input}: ")
    one_line = " ".join(message.split())
    return FileResult(job.name, status, code, seconds=seconds, message=one_line)


class _Pending(Protocol):
    def result(self) -> FileResult: ...


def result_of(future: _Pending, job: FileJob) -> FileResult:
    """The result a finished future holds, or a failure result if its worker died."""
    try:
        return future.result()
    except Exception as exc:  # BrokenProcessPool, KilledWorker: the worker, not scrub_one, failed
        return failed(job, exc)


def _stamp(job: FileJob) -> dict[str, object]:
    stat = job.input.stat()
    return {
        "settings": job.settings.digest(),
        "input_size": stat.st_size,
        "input_mtime_ns": stat.st_mtime_ns,
    }


def _identity(path: Path) -> tuple[int, int, int, int]:
    st = path.stat()
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def up_to_date(job: FileJob) -> FileResult | None:
    """A ``skipped`` result when ``job``'s output and report are current, else None.

    Current means: both exist, the report's stamp matches the input's size and mtime and the
    settings digest, and the output has the size and SHA-256 the report recorded (so an output
    replaced or damaged since, or published without its report, is scrubbed again). The
    recorded exit code and counts are carried over so a re-run exits as the first run did.
    """
    if job.force:
        return None
    started = time.perf_counter()
    try:
        report = json.loads(job.report.read_text(encoding="utf-8"))
        stamp = report["batch"]
        current = {k: stamp[k] for k in ("settings", "input_size", "input_mtime_ns")}
        if current != _stamp(job) or job.output.stat().st_size != stamp["output_size"]:
            return None
        if _sha256(job.output) != stamp["output_sha256"]:
            return None
        summary = report["summary"]
        return FileResult(
            job.name,
            Status.SKIPPED,
            int(summary["exit_code"]),
            claims=int(summary["claims"]),
            drug_lines=int(summary["drug_lines"]),
            errors=int(summary["errors"]),
            warnings=int(summary["warnings"]),
            fixed=int(summary["fixed"]),
            unfixed_errors=int(summary["unfixed_errors"]),
            seconds=time.perf_counter() - started,
        )
    except (OSError, ValueError, KeyError, TypeError):
        # No report, an unreadable one or one from another version: scrub the file again.
        return None


def check_targets(*targets: Path) -> None:
    """Raise :class:`IsADirectoryError` if a folder stands where one of ``targets`` goes.

    Checked before the first rename, so a report path that cannot be replaced does not leave
    a published output without its report.
    """
    for target in targets:
        if target.is_dir() and not target.is_symlink():
            raise IsADirectoryError(21, "is a directory", str(target))


def _write_outputs(job: FileJob) -> Report:
    # Stamped before reading, so an input that changes during the scrub looks stale next time.
    stamp = _stamp(job)
    before = _identity(job.input)
    job.output.parent.mkdir(parents=True, exist_ok=True)
    out_fd, tmp_out = locked_temp(job.output, job.token)
    report_fd: int | None = None
    tmp_report: Path | None = None
    try:
        # The descriptors stay open (their locks held) until both files are published.
        with os.fdopen(os.dup(out_fd), "w+b") as stream:
            report = scrub(job.input, stream, job.settings.options())
            stream.flush()
            os.fsync(stream.fileno())
            size = os.fstat(stream.fileno()).st_size
        data = replace(report, input=shown(job.input), output=shown(job.output)).to_json()
        data["batch"] = {**stamp, "output_size": size, "output_sha256": _sha256(tmp_out)}
        report_fd, tmp_report = locked_temp(job.report, job.token)
        with os.fdopen(os.dup(report_fd), "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data, indent=2) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        if _identity(job.input) != before:
            # Rewritten or truncated while it was read (the validation worker and the fix pass
            # read it separately): the output could mix two versions. Refused, as a single run
            # refuses it; the next batch scrubs the file again.
            raise InputError(
                f"{job.input}: changed while it was being scrubbed (size, modification time "
                "or inode); nothing written"
            )
        check_targets(job.output, job.report)
        # EDI first: a report must never describe an output that is not in place.
        publish(tmp_out, job.output)
        publish(tmp_report, job.report)
        return report
    finally:
        tmp_out.unlink(missing_ok=True)
        os.close(out_fd)
        if tmp_report is not None:
            tmp_report.unlink(missing_ok=True)
        if report_fd is not None:
            os.close(report_fd)


class _Captured(threading.local):
    """Log events of the current file (see the module docs); per thread, since a Dask worker
    may run several files at once on its threads."""

    def __init__(self) -> None:
        self.events: list[str] = []


_captured = _Captured()


def _capture(_: object, method: str, event: structlog.typing.EventDict) -> str:
    _captured.events.append(json.dumps({"level": method, **event}, default=str))
    raise structlog.DropEvent


def _ensure_logging() -> None:
    # Only worker processes capture their events: a library caller's logging is its own.
    if multiprocessing.parent_process() is not None and not structlog.is_configured():
        structlog.configure(
            processors=[_capture],
            wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
            cache_logger_on_first_use=False,
        )


def scrub_one(job: FileJob) -> FileResult:
    """Scrub one file of a batch; never raises (a failure is a ``refused``/``internal`` result).

    Skips the file when its output is up to date (unless ``job.force``). Otherwise writes the
    output and its report atomically, or nothing at all on exit 2 or 3.
    """
    started = time.perf_counter()
    _captured.events.clear()
    try:
        _ensure_logging()
        skipped = up_to_date(job)
        if skipped is not None:
            return skipped
        report = _write_outputs(job)
    except Exception as exc:  # the batch promises one result per file, whatever happened
        return replace(failed(job, exc, time.perf_counter() - started), logs=_logs())
    s = report.summary
    code = int(s.exit_code)
    return FileResult(
        job.name,
        Status.CLEAN if code == ExitCode.OK else Status.FINDINGS,
        code,
        claims=s.claims,
        drug_lines=s.drug_lines,
        errors=s.errors,
        warnings=s.warnings,
        fixed=s.fixed,
        unfixed_errors=s.unfixed_errors,
        seconds=time.perf_counter() - started,
        logs=_logs(),
    )


def _logs() -> tuple[str, ...]:
    logs = tuple(_captured.events)
    _captured.events.clear()
    return logs
