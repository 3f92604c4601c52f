"""A whole batch: find the files, run :func:`~edi_scrub.batch.scrub_one` on an engine, sum up.

Discovery walks INDIR recursively (hidden files and folders, symlinked folders and OUTDIR itself
are left out) and keeps files whose path relative to INDIR matches one of the glob patterns,
case-insensitively. Outputs mirror the tree under OUTDIR: ``INDIR/a/b.837`` becomes
``OUTDIR/a/b.837`` with its report at ``OUTDIR/a/b.837.report.json``.

Engines: ``process`` (a local :class:`~concurrent.futures.ProcessPoolExecutor`) and ``dask``
(a ``dask.distributed`` cluster, local or at a scheduler address; an optional extra). Both run
the same per-file function and stream results back as files complete. Files already up to date
are answered in this process without starting an engine.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

from edi_scrub import __version__
from edi_scrub.atomic import publish
from edi_scrub.batch import (
    REPORT_SUFFIX,
    FileJob,
    FileResult,
    Settings,
    Status,
    result_of,
    scrub_one,
    up_to_date,
)
from edi_scrub.errors import ConfigError

SCHEMA = "edi-scrub/batch/v1"
BATCH_REPORT = "batch-report.json"
DEFAULT_GLOBS = ("*.837", "*.edi", "*.x12")
ENGINES = ("process", "dask")


@dataclass(frozen=True, slots=True)
class Engine:
    """Where the per-file function runs: ``process`` or ``dask`` (``scheduler`` None = local)."""

    name: str = "process"
    workers: int = 1
    scheduler: str | None = None


def _matches(name: str, patterns: Sequence[str]) -> bool:
    path = PurePosixPath(name.lower())
    return any(path.match(p.lower()) for p in patterns)


def discover(indir: Path, patterns: Sequence[str], exclude: Path | None = None) -> list[str]:
    """Paths (relative to ``indir``, POSIX form, sorted) of the files the batch should scrub."""
    names: list[str] = []
    for root, dirs, files in os.walk(indir):
        here = Path(root)
        # Hidden folders hold VCS data and our own temporary files; OUTDIR holds our outputs.
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and (exclude is None or (here / d).resolve() != exclude)
        )
        for file in files:
            path = here / file
            if file.startswith(".") or not path.is_file():
                continue
            name = path.relative_to(indir).as_posix()
            if _matches(name, patterns):
                names.append(name)
    return sorted(names)


def plan(
    indir: Path,
    outdir: Path,
    settings: Settings,
    patterns: Sequence[str] = DEFAULT_GLOBS,
    force: bool = False,
    log_format: str = "json",
) -> list[FileJob]:
    """One job per discovered file, its output mirrored under ``outdir``.

    Raises :class:`ConfigError` when INDIR is not a folder or when outputs could land on inputs
    (OUTDIR is INDIR, or INDIR lies inside OUTDIR). OUTDIR inside INDIR is fine: it is skipped.
    """
    if not indir.is_dir():
        raise ConfigError(f"{indir}: input folder does not exist")
    src, dst = indir.resolve(), outdir.resolve()
    if src == dst or src.is_relative_to(dst):
        raise ConfigError(f"{outdir}: the output folder must not be or contain the input folder")
    exclude = dst if dst.is_relative_to(src) else None
    jobs: list[FileJob] = []
    for name in discover(indir, patterns, exclude):
        output = outdir / name
        jobs.append(
            FileJob(
                name=name,
                input=indir / name,
                output=output,
                report=output.with_name(output.name + REPORT_SUFFIX),
                settings=settings,
                force=force,
                log_format=log_format,
            )
        )
    return jobs


def _process_results(jobs: Sequence[FileJob], workers: int) -> Iterator[FileResult]:
    # forkserver (spawn where missing): forking a parent that may hold threads is unsafe.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures: dict[Future[FileResult], FileJob] = {pool.submit(scrub_one, j): j for j in jobs}
        try:
            for future in as_completed(futures):
                yield result_of(future, futures[future])
        finally:
            pool.shutdown(cancel_futures=True)


def run(
    jobs: Sequence[FileJob],
    engine: Engine,
    on_result: Callable[[FileResult], None] = lambda _: None,
) -> list[FileResult]:
    """Scrub ``jobs`` on ``engine``; ``on_result`` sees each result as it arrives."""
    results: list[FileResult] = []
    pending: list[FileJob] = []
    for job in jobs:
        skipped = up_to_date(job)
        if skipped is None:
            pending.append(job)
            continue
        results.append(skipped)
        on_result(skipped)
    stream: Iterable[FileResult] = ()
    if pending and engine.name == "dask":
        from edi_scrub.batch_dask import dask_results  # noqa: PLC0415 - Dask is optional, heavy

        stream = dask_results(pending, engine.workers, engine.scheduler)
    elif pending:
        stream = _process_results(pending, max(1, min(engine.workers, len(pending))))
    for result in stream:
        results.append(result)
        on_result(result)
    return results


def batch_report(
    results: Sequence[FileResult],
    jobs: Sequence[FileJob],
    indir: Path,
    outdir: Path,
    engine: Engine,
    settings: Settings,
    wall_seconds: float,
) -> dict[str, object]:
    """The batch summary (``schema: edi-scrub/batch/v1``), files sorted by path."""
    by_name = {j.name: j for j in jobs}
    files: list[dict[str, object]] = []
    for r in sorted(results, key=lambda r: r.name):
        job = by_name[r.name]
        record = asdict(r)
        record["status"] = r.status.value
        record["seconds"] = round(r.seconds, 3)
        record["output"] = job.output.relative_to(outdir).as_posix() if r.wrote else None
        record["report"] = job.report.relative_to(outdir).as_posix() if r.wrote else None
        files.append(record)
    counts = {s.value: sum(1 for r in results if r.status is s) for s in Status}
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
        "wall_seconds": round(wall_seconds, 3),
        "totals": {
            "files": len(results),
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


def write_json(path: Path, data: object) -> None:
    """Write ``data`` as JSON to ``path`` atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".edi-scrub-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data, indent=2) + "\n")
        publish(Path(tmp), path)
    finally:
        Path(tmp).unlink(missing_ok=True)
