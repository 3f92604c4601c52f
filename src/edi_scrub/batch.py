"""One file of a batch: the per-file job, its result, and :func:`scrub_one`, which never raises.

A batch engine (process pool, Dask) only ever ships a :class:`FileJob` to a worker and gets a
:class:`FileResult` back, so both are frozen dataclasses of plain data: they pickle, and the
scrub :class:`~edi_scrub.pipeline.Options` (which may hold callables and a loaded drug map) is
built inside the worker from :class:`Settings`.

Each file's corrected EDI is written to its output path and its JSON report to
``<output>.report.json`` beside it, each through a temporary file renamed into place, the EDI
first: a report therefore never describes an output that is not there. On exit 2 or 3 nothing is
written and an existing output is left as it was (the single-file CLI contract).

The report carries a ``batch`` stamp (settings digest, input size and mtime) so a re-run can
skip a file whose output is up to date: same input, same settings, same edi-scrub version,
same user maps.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import time
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import structlog

from edi_scrub import __version__
from edi_scrub.atomic import publish, temp_beside
from edi_scrub.errors import EdiScrubError
from edi_scrub.exit_codes import ExitCode
from edi_scrub.log import configure
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
    log_format: str = "json"


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

    @property
    def wrote(self) -> bool:
        """True when the file has an output (written now or up to date from an earlier run)."""
        return self.exit_code <= ExitCode.FINDINGS


def failed(job: FileJob, exc: BaseException, seconds: float = 0.0) -> FileResult:
    """The result for a file whose scrub raised ``exc`` (exit 2 for input/config, else 3)."""
    if isinstance(exc, EdiScrubError):
        code, message = exc.exit_code, str(exc)
    elif isinstance(exc, OSError) and exc.filename == str(job.input):
        # An unreadable input is the input's problem, not ours (design: exit 2).
        code, message = int(ExitCode.USAGE), f"{job.input}: cannot read: {exc.strerror or exc}"
    else:
        code, message = int(ExitCode.INTERNAL), f"internal error: {type(exc).__name__}: {exc}"
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


def up_to_date(job: FileJob) -> FileResult | None:
    """A ``skipped`` result when ``job``'s output and report are current, else None.

    Current means: both exist, the report's stamp matches the input's size and mtime and the
    settings digest, and the output has the size the report recorded. The recorded exit code
    and counts are carried over so a re-run exits as the first run did.
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


def _write_outputs(job: FileJob) -> Report:
    # Stamped before reading, so an input that changes during the scrub looks stale next time.
    stamp = _stamp(job)
    job.output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_out = temp_beside(job.output)
    tmp_report: Path | None = None
    try:
        with os.fdopen(fd, "w+b") as stream:
            report = scrub(job.input, stream, job.settings.options())
            stream.flush()
            os.fsync(stream.fileno())
            size = os.fstat(stream.fileno()).st_size
        data = replace(report, input=str(job.input), output=str(job.output)).to_json()
        data["batch"] = {**stamp, "output_size": size}
        fd, tmp_report = temp_beside(job.report)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data, indent=2) + "\n")
        # EDI first: a report must never describe an output that is not in place.
        publish(tmp_out, job.output)
        publish(tmp_report, job.report)
        return report
    finally:
        tmp_out.unlink(missing_ok=True)
        if tmp_report is not None:
            tmp_report.unlink(missing_ok=True)


def _ensure_logging(fmt: str) -> None:
    # A spawned or Dask worker has no structlog set-up, and structlog's default prints to
    # stdout. Only worker processes are configured: a library caller's logging is its own.
    if multiprocessing.parent_process() is not None and not structlog.is_configured():
        configure(fmt)


def scrub_one(job: FileJob) -> FileResult:
    """Scrub one file of a batch; never raises (a failure is a ``refused``/``internal`` result).

    Skips the file when its output is up to date (unless ``job.force``). Otherwise writes the
    output and its report atomically, or nothing at all on exit 2 or 3.
    """
    started = time.perf_counter()
    try:
        _ensure_logging(job.log_format)
        skipped = up_to_date(job)
        if skipped is not None:
            return skipped
        report = _write_outputs(job)
    except Exception as exc:  # the batch promises one result per file, whatever happened
        return failed(job, exc, time.perf_counter() - started)
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
    )
