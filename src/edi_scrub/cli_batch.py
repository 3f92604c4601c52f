"""``edi-scrub batch INDIR OUTDIR``: scrub every 837 of a folder tree in parallel.

One status line per file on stderr as files complete, a progress bar when stderr is a terminal
(nothing extra when piped), and ``OUTDIR/batch-report.json`` at the end, listing every file under
INDIR. One bad file never stops the batch; the batch exits with the worst file exit code. Files
whose outputs are up to date are skipped unless ``--force``. Workers' log events are logged here,
under this process's format and level (``-q`` silences warnings), never through the bar.

SIGTERM, SIGINT and SIGHUP stop the workers, remove the temporary files this batch made in
OUTDIR and exit 128 + the signal number, without a batch report (outputs already published are
complete and stay).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import time
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import TextIO

import click
import structlog

from edi_scrub._signals import Interrupted, cleanup_on_signals
from edi_scrub.batch import FileResult, Settings, Status, check_targets
from edi_scrub.batch_discover import DEFAULT_GLOBS
from edi_scrub.batch_run import (
    BATCH_REPORT,
    ENGINES,
    Engine,
    batch_report,
    clean_orphans,
    run,
    survey_batch,
    worst_exit_code,
    write_json,
)
from edi_scrub.batch_temp import remove_own
from edi_scrub.cli_config import with_config
from edi_scrub.errors import ConfigError, EdiScrubError, where_raised
from edi_scrub.exit_codes import ExitCode
from edi_scrub.log import configure
from edi_scrub.maps._user import ENV_VAR
from edi_scrub.maps.layers import AUTO, load_maps, user_maps_dir
from edi_scrub.report.text import printable
from edi_scrub.rules import select_rules

log = structlog.get_logger(__name__)


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def _patterns(values: tuple[str, ...]) -> tuple[str, ...]:
    """``--glob`` values; one that names nothing (``''``, ``.``) is a usage error, not the
    internal error pathlib's "empty pattern" ValueError became mid-batch."""
    for value in values:
        try:
            PurePosixPath("x").match(value)
        except ValueError as exc:
            raise click.BadParameter(f"{value!r}: {exc}", param_hint="'--glob'") from None
    return values


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def status_line(r: FileResult) -> str:
    """``name: status exit N (details)`` — the per-file line a batch prints, control
    characters escaped (a file named ``a.837\\nb.837: clean ...`` printed a forged line)."""
    return printable(_status_line(r))


def _status_line(r: FileResult) -> str:
    if r.status in (Status.REFUSED, Status.INTERNAL, Status.NOT_837, Status.NOT_RUN):
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

    def _clear(self) -> None:
        # Clear the bar's line first so what follows does not end up glued to it.
        if self._bar is not None:
            click.echo("\r\x1b[K", file=self._stream, nl=False)

    def __call__(self, result: FileResult) -> None:
        for line in result.logs:
            event = json.loads(line)
            level, name = event.pop("level", "warning"), event.pop("event", "worker_event")
            self._clear()
            log.log(
                logging.getLevelNamesMapping().get(level.upper(), logging.WARNING), name, **event
            )
        self._clear()  # for -v, whose file_scrubbed line would otherwise join the bar's
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
            self._clear()
            click.echo(status_line(result), file=self._stream)
        if self._bar is not None:
            self._bar.update(1)


def _summary(results: list[FileResult], code: int, seconds: float, where: Path) -> str:
    counts = {s: sum(1 for r in results if r.status is s) for s in Status}
    parts = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
    files = _n(len(results), "file")
    return f"batch: {files} ({parts or 'none'}), exit {code}, {seconds:.1f}s → {where}"


@click.command("batch")
@click.argument("indir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--glob",
    "patterns",
    multiple=True,
    metavar="PATTERN",
    callback=lambda _ctx, _param, value: _patterns(value),
    help=f"File pattern, case-insensitive, repeatable; only matching files are scrubbed "
    f"(default: {' '.join(DEFAULT_GLOBS)}, and any other file that starts with an ISA).",
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
    # -q: no status lines and no warnings (workers' ones included); errors still show.
    configure(log_format, verbose - (1 if quiet else 0))
    ctx = click.get_current_context()
    try:
        # Resolved here, once: the workers (maybe on other machines, with another $HOME or
        # working directory) must use the very folder the settings digest describes.
        maps = user_maps_dir(maps_dir)
        code = _batch(
            indir,
            outdir,
            patterns or None,
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
            quiet,
        )
    except Interrupted as stop:
        name = signal.Signals(stop.signum).name
        click.echo(f"edi-scrub: interrupted by {name}: batch stopped", err=True)
        ctx.exit(stop.exit_code)
    except EdiScrubError as exc:
        click.echo(f"edi-scrub: error: {printable(str(exc))}", err=True)
        ctx.exit(exc.exit_code)
    except OSError as exc:
        # OUTDIR or the batch report cannot be written (read-only, full, a file in the way):
        # the environment's problem, exit 2, one line naming the path.
        where = exc.filename or outdir
        click.echo(f"edi-scrub: error: {printable(str(where))}: {exc.strerror or exc}", err=True)
        ctx.exit(int(ExitCode.USAGE))
    except Exception as exc:  # the CLI promises no tracebacks
        # Its type and place, not its message, which could quote input (as the one-file CLI).
        click.echo(
            f"edi-scrub: internal error: {type(exc).__name__} at {where_raised(exc)}", err=True
        )
        ctx.exit(int(ExitCode.INTERNAL))
    ctx.exit(code)


def _batch(
    indir: Path,
    outdir: Path,
    patterns: tuple[str, ...] | None,
    engine: Engine,
    settings: Settings,
    force: bool,
    quiet: bool,
) -> int:
    if engine.scheduler and engine.name != "dask":
        raise ConfigError("--scheduler needs --engine dask")
    # Bad rule selectors, maps or payer profile ids are the batch's error, not every file's:
    # check them once, up front.
    select_rules(settings.select, settings.ignore)
    options = settings.options()
    load_maps(options.maps_dir).chooser(options.payer_profile)
    started, started_ns = time.perf_counter(), time.time_ns()
    with cleanup_on_signals(once=True):
        batch = survey_batch(indir, outdir, settings, patterns, force)
        outdir.mkdir(parents=True, exist_ok=True)
        check_targets(outdir / BATCH_REPORT)  # fail now, not after hours of scrubbing
        orphans = clean_orphans(outdir, started_ns)
        not_837 = [o for o in batch.others if o.status is Status.NOT_837]
        try:
            with _Progress(len(batch.jobs) + len(not_837), quiet) as progress:
                for other in not_837:
                    progress(other)
                results = run(batch.jobs, engine, progress)
            results += batch.others
            wall = time.perf_counter() - started
            code = worst_exit_code(results)
            target = outdir / BATCH_REPORT
            report = batch_report(
                results, batch.jobs, indir, outdir, engine, settings, wall, orphans
            )
            write_json(target, report, batch.token)
        except Interrupted:
            # The engine's workers are stopped by now (run closes its stream on the way out):
            # every temporary file with this batch's token is dead.
            remove_own(batch.folders(outdir), batch.token)
            raise
    if report["error"]:
        # One line: the engine's problem, and where the accounting of every file is.
        click.echo(f"edi-scrub: error: {report['error']}; batch report: {target}", err=True)
    else:
        click.echo(_summary(results, code, wall, target), err=True)
    return code
