"""A whole batch: survey INDIR, run :func:`~edi_scrub.batch.scrub_one` on an engine, sum up.

:func:`survey_batch` gives every file under INDIR a verdict (:mod:`edi_scrub.batch_discover`):
the files to scrub become jobs, the rest (``not-837``, ``excluded``) results at once, so the
batch report accounts for every file. Outputs mirror the tree under OUTDIR: ``INDIR/a/b.837``
becomes ``OUTDIR/a/b.837`` with its report at ``OUTDIR/a/b.837.report.json``.

Engines: ``process`` (:mod:`edi_scrub.batch_pool`, local worker processes that survive a worker's
death) and ``dask`` (a ``dask.distributed`` cluster, local or at a scheduler address; an optional
extra). Both run the same per-file function and stream results back as files complete. Files
already up to date are answered in this process without starting an engine. An engine that
cannot start (Dask not installed, scheduler unreachable) is not a crash: the files it would have
scrubbed are ``not-run`` (exit 2) and the batch report is written all the same.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from edi_scrub import __version__
from edi_scrub._shown import shown_data
from edi_scrub.atomic import publish
from edi_scrub.batch import (
    REPORT_SUFFIX,
    SCRUBBED,
    FileJob,
    FileResult,
    Settings,
    Status,
    check_targets,
    up_to_date,
)
from edi_scrub.batch_discover import EXCLUDED, NOT_837, SCRUB, UNREADABLE, survey
from edi_scrub.batch_pool import pool_results
from edi_scrub.batch_temp import locked_temp, new_token, remove_orphans, remove_own
from edi_scrub.errors import ConfigError

SCHEMA = "edi-scrub/batch/v1"
BATCH_REPORT = "batch-report.json"
ENGINES = ("process", "dask")


@dataclass(frozen=True, slots=True)
class Engine:
    """Where the per-file function runs: ``process`` or ``dask`` (``scheduler`` None = local)."""

    name: str = "process"
    workers: int = 1
    scheduler: str | None = None
    #: Seconds to wait for a Dask scheduler before giving up.
    connect_timeout: float = 20.0


@dataclass(frozen=True, slots=True)
class Batch:
    """A surveyed batch: jobs to scrub, and results for the files it leaves alone."""

    jobs: tuple[FileJob, ...]
    others: tuple[FileResult, ...]
    token: str = field(default_factory=new_token)

    def folders(self, outdir: Path) -> set[Path]:
        """The folders this batch writes to (where its temporary files can be)."""
        return {outdir} | {job.output.parent for job in self.jobs}


def discover(indir: Path, patterns: Sequence[str] | None, exclude: Path | None = None) -> list[str]:
    """Paths (relative to ``indir``, POSIX form, sorted) of the files the batch should scrub.

    ``patterns`` None: the default patterns with content sniffing (see batch_discover).
    """
    return [v.name for v in survey(indir, patterns, exclude) if v.action == SCRUB]


def survey_batch(
    indir: Path,
    outdir: Path,
    settings: Settings,
    patterns: Sequence[str] | None = None,
    force: bool = False,
) -> Batch:
    """Jobs for the files to scrub under ``indir``, results for every other file.

    Raises :class:`ConfigError` when INDIR is not a folder or when outputs could land on inputs
    (OUTDIR is INDIR, or INDIR lies inside OUTDIR). OUTDIR inside INDIR is fine: it is skipped.
    """
    if not indir.is_dir():
        problem = "is not a folder" if indir.exists() else "input folder does not exist"
        raise ConfigError(f"{indir}: {problem}")
    src, dst = indir.resolve(), outdir.resolve()
    if src == dst or src.is_relative_to(dst):
        raise ConfigError(f"{outdir}: the output folder must not be or contain the input folder")
    exclude = dst if dst.is_relative_to(src) else None
    token = new_token()
    jobs: list[FileJob] = []
    others: list[FileResult] = []
    status = {
        NOT_837: (Status.NOT_837, 0),
        EXCLUDED: (Status.EXCLUDED, 0),
        UNREADABLE: (Status.REFUSED, 2),
    }
    for verdict in survey(indir, patterns, exclude):
        if verdict.action != SCRUB:
            what, code = status[verdict.action]
            others.append(FileResult(verdict.name, what, code, message=verdict.reason))
            continue
        output = outdir / verdict.name
        jobs.append(
            FileJob(
                name=verdict.name,
                input=indir / verdict.name,
                output=output,
                report=output.with_name(output.name + REPORT_SUFFIX),
                settings=settings,
                force=force,
                token=token,
            )
        )
    return Batch(tuple(jobs), tuple(others), token)


def plan(
    indir: Path,
    outdir: Path,
    settings: Settings,
    patterns: Sequence[str] | None = None,
    force: bool = False,
) -> list[FileJob]:
    """The jobs of :func:`survey_batch` alone (the files to scrub)."""
    return list(survey_batch(indir, outdir, settings, patterns, force).jobs)


def clean_orphans(outdir: Path, started_ns: int) -> list[str]:
    """Remove temporary files that killed batches left anywhere in OUTDIR; their names.

    Only files :mod:`edi_scrub.batch_temp` can prove orphaned (no lock, older than this run).
    """
    folders = [Path(root) for root, _, _ in os.walk(outdir)]  # symlinked folders not followed
    removed = remove_orphans(folders, started_ns)
    return sorted(p.relative_to(outdir).as_posix() for p in removed)


def _engine_results(
    pending: Sequence[FileJob], engine: Engine
) -> Generator[FileResult, None, None]:
    if engine.name == "dask":
        from edi_scrub.batch_dask import dask_results  # noqa: PLC0415 - Dask is optional, heavy

        yield from dask_results(pending, engine.workers, engine.scheduler, engine.connect_timeout)
    else:
        yield from pool_results(pending, max(1, min(engine.workers, len(pending))))


def _remove_temps(jobs: Sequence[FileJob]) -> None:
    folders = {j.output.parent for j in jobs} | {j.report.parent for j in jobs}
    for token in {j.token for j in jobs}:
        remove_own(folders, token)


def run(
    jobs: Sequence[FileJob],
    engine: Engine,
    on_result: Callable[[FileResult], None] = lambda _: None,
) -> list[FileResult]:
    """Scrub ``jobs`` on ``engine``; ``on_result`` sees each result as it arrives.

    If the engine cannot start or fails, the files it did not answer are ``not-run`` (exit 2,
    the engine's error as message); this never raises for that.
    """
    results: list[FileResult] = []
    pending: list[FileJob] = []
    for job in jobs:
        skipped = up_to_date(job)
        if skipped is None:
            pending.append(job)
            continue
        results.append(skipped)
        on_result(skipped)
    if not pending:
        return results
    try:
        # closing: a signal raised in on_result must still stop the engine's workers now.
        with contextlib.closing(_engine_results(pending, engine)) as stream:
            for result in stream:
                results.append(result)
                on_result(result)
        # The engine is done: what temporary files remain belonged to workers that died.
        _remove_temps(pending)
    except (ConfigError, OSError) as exc:
        done = {r.name for r in results}
        _remove_temps(pending)
        message = " ".join(f"engine {engine.name!r} could not run: {exc}".split())
        for job in pending:
            if job.name not in done:
                # Not passed to on_result: the caller says this once, not once per file.
                results.append(FileResult(job.name, Status.NOT_RUN, 2, message=message))
    return results


def batch_report(
    results: Sequence[FileResult],
    jobs: Sequence[FileJob],
    indir: Path,
    outdir: Path,
    engine: Engine,
    settings: Settings,
    wall_seconds: float,
    orphans_removed: Sequence[str] = (),
) -> dict[str, object]:
    """The batch summary (``schema: edi-scrub/batch/v1``), every file sorted by path.

    ``results`` covers every file under INDIR (scrubbed or not); ``files[].message`` says why a
    file was refused, failed, not scrubbed or excluded. ``error`` is the engine's error when it
    could not run, else None.
    """
    by_name = {j.name: j for j in jobs}
    files: list[dict[str, object]] = []
    for r in sorted(results, key=lambda r: r.name):
        job = by_name.get(r.name)
        record = asdict(r)
        del record["logs"]  # relayed to the batch's log, not part of the report
        record["status"] = r.status.value
        record["seconds"] = round(r.seconds, 3)
        wrote = job is not None and r.wrote
        record["output"] = job.output.relative_to(outdir).as_posix() if job and wrote else None
        record["report"] = job.report.relative_to(outdir).as_posix() if job and wrote else None
        files.append(record)
    counts = {s.value: sum(1 for r in results if r.status is s) for s in Status}
    error = next((r.message for r in results if r.status is Status.NOT_RUN), None)
    return {
        "schema": SCHEMA,
        "tool_version": __version__,
        "input_dir": str(indir),
        "output_dir": str(outdir),
        "engine": engine.name,
        "scheduler": engine.scheduler,
        "workers": None if engine.scheduler else engine.workers,
        "settings": {**asdict(settings), "digest": settings.digest()},
        "exit_code": worst_exit_code(results),
        "error": error,
        "wall_seconds": round(wall_seconds, 3),
        # Temporary files of earlier, killed batches found in OUTDIR and removed.
        "orphans_removed": list(orphans_removed),
        "totals": {
            "files": len(results),
            "scrubbed": sum(1 for r in results if r.status in SCRUBBED),
            **counts,
            "claims": sum(r.claims for r in results),
            "drug_lines": sum(r.drug_lines for r in results),
            "errors": sum(r.errors for r in results),
            "warnings": sum(r.warnings for r in results),
            "fixed": sum(r.fixed for r in results),
            "unfixed_errors": sum(r.unfixed_errors for r in results),
            "file_seconds": round(sum(r.seconds for r in results), 3),
        },
        "files": files,
    }


def worst_exit_code(results: Iterable[FileResult]) -> int:
    """The batch's exit code: the highest file exit code (0 < 1 < 2 < 3), 0 for no files."""
    return max((r.exit_code for r in results), default=0)


def write_json(path: Path, data: object, token: str | None = None) -> None:
    """Write ``data`` as JSON to ``path`` atomically (a batch temporary file, then rename)."""
    token = token or new_token()
    path.parent.mkdir(parents=True, exist_ok=True)
    check_targets(path)  # before writing: the error then names the path, not a temp file
    fd, tmp = locked_temp(path, token)
    try:
        with os.fdopen(os.dup(fd), "w", encoding="utf-8") as handle:
            # shown_data: a file name that is not UTF-8 would make the JSON invalid Unicode.
            handle.write(json.dumps(shown_data(data), indent=2) + "\n")
        publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        os.close(fd)
