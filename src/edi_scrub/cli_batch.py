"""``edi-scrub batch INDIR OUTDIR``: scrub every 837 of a folder tree in parallel.

One status line per file on stderr as files complete, a progress bar when stderr is a terminal
(nothing extra when piped), and ``OUTDIR/batch-report.json`` at the end. One bad file never stops
the batch; the batch exits with the worst file exit code. Files whose outputs are up to date
are skipped unless ``--force``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import TextIO

import click
import structlog

from edi_scrub.batch import FileResult, Settings, Status
from edi_scrub.batch_run import (
    BATCH_REPORT,
    DEFAULT_GLOBS,
    ENGINES,
    Engine,
    batch_report,
    plan,
    run,
    worst_exit_code,
    write_json,
)
from edi_scrub.cli_config import with_config
from edi_scrub.errors import ConfigError, EdiScrubError
from edi_scrub.exit_codes import ExitCode
from edi_scrub.log import configure
from edi_scrub.maps._user import ENV_VAR
from edi_scrub.maps.layers import AUTO, load_maps, user_maps_dir
from edi_scrub.rules import select_rules

log = structlog.get_logger(__name__)


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def status_line(r: FileResult) -> str:
    """``name: status exit N (details)`` — the per-file line a batch prints."""
    if r.status in (Status.REFUSED, Status.INTERNAL):
        return f"{r.name}: {r.status} exit {r.exit_code} ({r.message})"
    counts = f"{_n(r.claims, 'claim')}, {_n(r.errors, 'error')}, {r.fixed} fixed"
    if r.status is Status.SKIPPED:
        return f"{r.name}: {r.status} exit {r.exit_code} (up to date: {counts})"
    return f"{r.name}: {r.status} exit {r.exit_code} ({counts}, {r.seconds:.2f}s)"


class _Progress:
    """Status lines, and a progress bar under them only when stderr is a terminal."""

    def __init__(self, total: int, quiet: bool) -> None:
        self._quiet = quiet
        self._stream: TextIO = sys.stderr
        tty = self._stream.isatty() and total > 0
        self._bar = (
            click.progressbar(length=total, label="scrubbing", file=self._stream) if tty else None
        )

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, exc, tb)

    def __call__(self, result: FileResult) -> None:
        log.info(
            "file_scrubbed",
            file=result.name,
            status=result.status.value,
            exit_code=result.exit_code,
            claims=result.claims,
            errors=result.errors,
            fixed=result.fixed,
            seconds=round(result.seconds, 3),
        )
        if not self._quiet:
            # Clear the bar's line first so the status line does not end up glued to it.
            prefix = "\r\x1b[K" if self._bar is not None else ""
            click.echo(prefix + status_line(result), file=self._stream)
        if self._bar is not None:
            self._bar.update(1)


def _summary(results: list[FileResult], code: int, seconds: float, where: Path) -> str:
    counts = {s: sum(1 for r in results if r.status is s) for s in Status}
    parts = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
    return f"batch: {len(results)} files ({parts or 'none'}), exit {code}, {seconds:.1f}s → {where}"


@click.command("batch")
@click.argument("indir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--glob",
    "patterns",
    multiple=True,
    metavar="PATTERN",
    help=f"File pattern, case-insensitive, repeatable (default: {' '.join(DEFAULT_GLOBS)}).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Worker processes (default: the number of CPUs).",
)
@click.option("--engine", type=click.Choice(ENGINES), default="process", show_default=True)
@click.option(
    "--scheduler",
    metavar="ADDR",
    help="Dask scheduler address (with --engine dask; default: start a local cluster).",
)
@click.option("--force", is_flag=True, help="Scrub files whose outputs are up to date too.")
@click.option("--no-fix", is_flag=True, help="Report only; outputs are copies of the inputs.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes marked unsafe.")
@click.option("--select", multiple=True, metavar="RULES", help="Rule ids, names or families.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Rules to skip.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default="error",
    show_default=True,
)
@click.option(
    "--payer-profile",
    metavar="ID|auto",
    default=AUTO,
    show_default=True,
    help="Payer profile for every claim; auto matches each claim (payer id, SBR09).",
)
@click.option(
    "--maps",
    "maps_dir",
    metavar="DIR",
    type=click.Path(path_type=Path),
    help=f"User maps layered over the bundled ones (default: ${ENV_VAR}, else "
    "$XDG_DATA_HOME/edi-scrub/maps or ~/.local/share/edi-scrub/maps, when it exists).",
)
@click.option("--no-structure", is_flag=True, help="Skip TR3 validation.")
@click.option(
    "--validator",
    type=click.Choice(["compiled", "pyx12"]),
    default="compiled",
    show_default=True,
    help="TR3 validator: pyx12's maps compiled (fast), or pyx12 itself (the reference).",
)
@click.option("--log-format", type=click.Choice(["auto", "console", "json"]), default="auto")
@click.option("-v", "--verbose", count=True)
@click.option("-q", "--quiet", is_flag=True, help="No per-file status lines.")
@with_config
def batch_command(
    indir: Path,
    outdir: Path,
    patterns: tuple[str, ...],
    workers: int | None,
    engine: str,
    scheduler: str | None,
    force: bool,
    no_fix: bool,
    unsafe_fixes: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str,
    payer_profile: str,
    maps_dir: Path | None,
    no_structure: bool,
    validator: str,
    log_format: str,
    verbose: int,
    quiet: bool,
) -> None:
    """Scrub every 837 under INDIR into OUTDIR (same tree), in parallel.

    Each output gets its JSON report beside it (OUT.report.json); OUTDIR/batch-report.json
    sums up the batch. Exit code: the worst file's.
    """
    configure(log_format, verbose)
    ctx = click.get_current_context()
    try:
        # Resolved here, once: the workers (maybe on other machines, with another $HOME or
        # working directory) must use the very folder the settings digest describes.
        maps = user_maps_dir(maps_dir)
        code = _batch(
            indir,
            outdir,
            patterns or DEFAULT_GLOBS,
            Engine(engine, workers or os.cpu_count() or 1, scheduler),
            Settings(
                fix=not no_fix,
                unsafe_fixes=unsafe_fixes,
                select=_split(select),
                ignore=_split(ignore),
                fail_on=fail_on,
                structure=not no_structure,
                payer_profile=payer_profile,
                maps_dir=None if maps is None else str(maps.resolve()),
                validator=validator,
            ),
            force,
            "json" if log_format == "auto" else log_format,
            quiet,
        )
    except EdiScrubError as exc:
        click.echo(f"edi-scrub: error: {exc}", err=True)
        ctx.exit(exc.exit_code)
    except Exception as exc:  # the CLI promises no tracebacks
        click.echo(f"edi-scrub: internal error: {type(exc).__name__}: {exc}", err=True)
        ctx.exit(int(ExitCode.INTERNAL))
    ctx.exit(code)


def _batch(
    indir: Path,
    outdir: Path,
    patterns: tuple[str, ...],
    engine: Engine,
    settings: Settings,
    force: bool,
    worker_log_format: str,
    quiet: bool,
) -> int:
    if engine.scheduler and engine.name != "dask":
        raise ConfigError("--scheduler needs --engine dask")
    # Bad rule selectors, maps or payer profile ids are the batch's error, not every file's:
    # check them once, up front.
    select_rules(settings.select, settings.ignore)
    options = settings.options()
    load_maps(options.maps_dir).chooser(options.payer_profile)
    started = time.perf_counter()
    jobs = plan(indir, outdir, settings, patterns, force, worker_log_format)
    outdir.mkdir(parents=True, exist_ok=True)
    with _Progress(len(jobs), quiet) as progress:
        results = run(jobs, engine, progress)
    wall = time.perf_counter() - started
    code = worst_exit_code(results)
    target = outdir / BATCH_REPORT
    write_json(target, batch_report(results, jobs, indir, outdir, engine, settings, wall))
    click.echo(_summary(results, code, wall, target), err=True)
    return code
