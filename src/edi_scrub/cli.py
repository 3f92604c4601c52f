"""The ``edi-scrub`` command: scrub IN to OUT, report, and exit with a code pipelines can trust.

Exit codes: 0 no failing findings remain; 1 failing findings remain; 2 usage, configuration or
unreadable/non-837 input or an environment problem (a full disk, a folder that cannot be
written); 3 internal error; 128+n when signal n stopped the run (130 Ctrl-C, 143 SIGTERM) and
141 when the reader of stdout went away. On 2, 3 and signals no output file is written. The
work is the Python API's (``_api.run``): this module only turns the command line into its
arguments and its results and errors into output and exit codes.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, cast

import click
import structlog

from edi_scrub import __version__
from edi_scrub._api import ReportTarget, Result, run
from edi_scrub._options import Options
from edi_scrub._signals import Interrupted, cleanup_on_signals
from edi_scrub._targets import Labelled
from edi_scrub.atomic import remove_live_temps
from edi_scrub.cli_config import with_config
from edi_scrub.errors import ConfigError, EdiScrubError
from edi_scrub.exit_codes import ExitCode
from edi_scrub.log import configure
from edi_scrub.maps._user import ENV_VAR
from edi_scrub.maps.layers import AUTO
from edi_scrub.report.model import Report, bounded
from edi_scrub.report.text import printable, render_text
from edi_scrub.rules import get_rule
from edi_scrub.rules.docs import rules_markdown, rules_table
from edi_scrub.x12._ack import CONTROL_NUMBER_MAX

log = structlog.get_logger(__name__)


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def _place(label: str, value: str) -> Labelled:
    """A command-line path, ``-`` being stdout."""
    return Labelled(label, _std("stdout", label) if value == "-" else value)


def _std(name: str, label: str) -> BinaryIO:
    """``sys.stdin.buffer`` or ``sys.stdout.buffer``; Python sets the stream to None when its
    descriptor was closed at start (``edi-scrub IN - >&-``), which was an internal error."""
    stream = getattr(sys, name)
    if stream is None:
        raise ConfigError(f"{label} -: {name} is closed; give a file instead")
    return cast(BinaryIO, stream.buffer)


def _run(
    source: str,
    target: str | None,
    options: Options,
    report_path: str | None,
    report_format: str,
    html_path: str | None = None,
    ack_path: str | None = None,
    rejects_path: str | None = None,
) -> Result:
    """The API's run with the command line's names: ``-`` is stdin/stdout."""
    if ack_path == "-":
        raise ConfigError("--ack -: the 999 is EDI; give it a file of its own")
    if rejects_path == "-":
        raise ConfigError("--rejects -: the rejected claims are EDI; give them a file of their own")
    reports = [
        ReportTarget(_place(label, path), fmt)
        for label, path, fmt in (
            ("--report", report_path, report_format),
            ("--html", html_path, "html"),
        )
        if path is not None
    ]
    return run(
        Labelled("IN", _std("stdin", "IN") if source == "-" else source),
        None if target is None else _place("OUT", target),
        options,
        rejects=None if rejects_path is None else Labelled("--rejects", rejects_path),
        ack=None if ack_path is None else Labelled("--ack", ack_path),
        reports=reports,
        # One file from the command line: let pyx12 use the second core.
        parallel_validation=True,
    )


def _where(exc: BaseException) -> str:
    """``module.py:line`` of the innermost frame of ``exc`` (for a bug report)."""
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"


def _guarded(work: click.Context, action: Callable[[], int]) -> None:
    """Run ``action`` mapping every failure to a one-line message and its exit code.

    Signals end the run with ``128 + n`` after removing its temporary files (see _signals); a
    reader that closed stdout early (``| head``) ends it quietly, as ``cat`` would.
    """
    try:
        with cleanup_on_signals():
            code = action()
    except Interrupted as exc:
        _say(f"edi-scrub: {exc}; no output written")
        work.exit(exc.exit_code)
    except BrokenPipeError:
        _quiet_stdout()
        work.exit(_BROKEN_PIPE)
    except EdiScrubError as exc:
        _say(f"edi-scrub: error: {printable(bounded(str(exc), 1000))}")
        work.exit(exc.exit_code)
    except OSError as exc:  # the environment (a full disk, permissions), not a bug: exit 2
        where = exc.filename if exc.filename is not None else "edi-scrub"
        shown = printable(bounded(str(where), 1000))
        _say(f"edi-scrub: error: {shown}: {exc.strerror or type(exc).__name__}")
        work.exit(int(ExitCode.USAGE))
    except Exception as exc:  # the CLI promises no tracebacks
        # Where, not what: an unexpected exception's text may quote input (int('DOE')).
        _say(f"edi-scrub: internal error: {type(exc).__name__} at {_where(exc)}")
        work.exit(int(ExitCode.INTERNAL))
    work.exit(int(code))


#: 128 + SIGPIPE: what a shell reports for a writer whose reader went away.
_BROKEN_PIPE = 141


def _say(line: str) -> None:
    with contextlib.suppress(OSError):  # stderr may be a closed pipe too
        click.echo(line, err=True)


def _quiet_stdout() -> None:
    # Python flushes stdout again at exit and would print "Exception ignored ... BrokenPipeError";
    # pointing the descriptor at /dev/null makes that flush succeed silently.
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _jobs(ctx: click.Context, param: click.Parameter, value: str | int | None) -> int | None:
    """``--jobs``: a whole number of processes (1 or more), or ``auto`` (None)."""
    if value is None or isinstance(value, int):
        return value
    if value.strip().lower() == "auto":
        return None
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise click.BadParameter(f"{value!r} is not a number of processes (1 or more) or 'auto'")
    return jobs


_COMMON = [
    click.option(
        "--report", "report_path", metavar="FILE", help="Write the report here (- for stdout)."
    ),
    click.option(
        "--report-format",
        type=click.Choice(["json", "text", "html"]),
        default="json",
        show_default=True,
    ),
    click.option(
        "--html",
        "html_path",
        metavar="FILE",
        help="Also write a self-contained HTML report here (beside --report).",
    ),
    click.option(
        "--ack",
        "ack_path",
        metavar="FILE",
        help="Write a 999 acknowledging the input's TR3 structure here "
        "(accepted/rejected per transaction set).",
    ),
    click.option(
        "--ack-control-number",
        type=click.IntRange(1, CONTROL_NUMBER_MAX),
        metavar="N",
        help="ISA13/IEA02 of the 999 (default: the next number of the counter file "
        "ack-control-number in the maps directory).",
    ),
    click.option("--no-fix", is_flag=True, help="Report only; write the input unchanged."),
    click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes marked unsafe."),
    click.option(
        "--select",
        multiple=True,
        metavar="RULES",
        help="Rule ids, names or families (comma-separated).",
    ),
    click.option(
        "--ignore", multiple=True, metavar="RULES", help="Rules to skip (comma-separated)."
    ),
    click.option(
        "--fail-on",
        type=click.Choice(["error", "warning", "info"]),
        default="error",
        show_default=True,
    ),
    click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain."),
    click.option(
        "--payer-profile",
        metavar="ID|auto",
        default=AUTO,
        show_default=True,
        help="Payer profile for every claim; auto matches each claim (payer id, SBR09).",
    ),
    click.option(
        "--maps",
        "maps_dir",
        metavar="DIR",
        type=click.Path(path_type=Path),
        help=f"User maps layered over the bundled ones (default: ${ENV_VAR}, else "
        "$XDG_DATA_HOME/edi-scrub/maps or ~/.local/share/edi-scrub/maps, when it exists).",
    ),
    click.option(
        "--no-structure",
        is_flag=True,
        help="Skip TR3 validation (X12001/X12002) and the structural re-check of fixes.",
    ),
    click.option(
        "--validator",
        type=click.Choice(["compiled", "pyx12"]),
        default="compiled",
        show_default=True,
        help="TR3 validator: pyx12's maps compiled (fast), or pyx12 itself (the reference).",
    ),
    click.option(
        "--jobs",
        callback=_jobs,
        default="1",
        show_default=True,
        metavar="N|auto",
        help="Processes scrubbing the claims of the file, this one included; auto: the idle "
        "cores, for a file of 2 MiB or more. Results are the same whatever N.",
    ),
    click.option("--log-format", type=click.Choice(["auto", "console", "json"]), default="auto"),
    click.option("-v", "--verbose", count=True),
    click.option("-q", "--quiet", is_flag=True, help="No summary, no warnings (errors still)."),
]


_F = TypeVar("_F", bound=Callable[..., None])


def _common(func: _F) -> _F:
    # Applied first, so --config/--no-config are listed last in --help and the config sees
    # (and may fill in) every option added here.
    func = with_config(func)
    for option in reversed(_COMMON):
        func = option(func)
    return func


class _Main(click.Group):
    """``edi-scrub IN OUT`` without a subcommand name scrubs; subcommands win by name."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if sys.stderr is None:
            # Started with stderr closed (``2>&-``, some schedulers): Python leaves it None and
            # the first message or log line was an AttributeError, exit 1 ("findings") with
            # nothing written. Messages go nowhere instead; the run and its exit code stand.
            sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> object:
        # Ctrl-C outside a run's own handler: 130 as for any signal, not click's "Aborted!" 1.
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            remove_live_temps()
            raise click.exceptions.Exit(128 + int(signal.SIGINT)) from None

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        named = args and (args[0] in self.commands or args[0] in _LAZY)
        if args and not named and args[0] not in ("--help", "-h", "--version"):
            args = ["scrub", *args]
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *_LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        # `batch` and `maps` are imported when named (or listed by --help): a scrub run does
        # not pay for importing them (~15 ms of CPU, a share of a small file's run).
        if cmd_name not in self.commands and cmd_name in _LAZY:
            module, attribute = _LAZY[cmd_name]
            command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


#: Subcommands imported on first use: name -> (module, attribute).
_LAZY = {
    "batch": ("edi_scrub.cli_batch", "batch_command"),
    "maps": ("edi_scrub.cli_maps", "maps_group"),
}


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="edi-scrub")
def main() -> None:
    """Scrub X12 837P/837I claim files: edi-scrub IN OUT [options]."""


@dataclass(frozen=True, slots=True)
class _RunArgs:
    """The options ``scrub`` and ``check`` share, as click hands them over."""

    report_path: str | None
    report_format: str
    html_path: str | None
    ack_path: str | None
    ack_control_number: int | None
    no_fix: bool
    unsafe_fixes: bool
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    fail_on: str
    exit_zero: bool
    payer_profile: str
    maps_dir: Path | None
    no_structure: bool
    validator: str
    jobs: int | None
    log_format: str
    verbose: int
    quiet: bool

    def options(self) -> Options:
        """The run's options (the API's, validated there); ``check`` never fixes."""
        return Options(
            select=_split(self.select),
            ignore=_split(self.ignore),
            fail_on=self.fail_on,
            fix=not self.no_fix,
            unsafe_fixes=self.unsafe_fixes,
            payer_profile=self.payer_profile,
            maps=self.maps_dir,
            structure=not self.no_structure,
            exit_zero=self.exit_zero,
            ack_control_number=self.ack_control_number,
            validator=self.validator,
            jobs=self.jobs,
        )


def _execute(source: str, target: str | None, rejects_path: str | None, args: _RunArgs) -> None:
    """Scrub (``target`` given) or check (``target`` None) one file, then exit with its code."""
    # -q silences warnings too (as in batch): a quiet pipeline step prints only errors.
    configure(args.log_format, args.verbose - (1 if args.quiet else 0))
    ctx = click.get_current_context()

    def action() -> int:
        report_path = args.report_path if target is not None else args.report_path or "-"
        result = _run(
            source,
            target,
            args.options(),
            report_path,
            args.report_format,
            args.html_path,
            args.ack_path,
            rejects_path,
        )
        _announce(result.report, args.quiet)
        return int(result.exit_code)

    _guarded(ctx, action)


@main.command("scrub")
@click.argument("source", metavar="IN")
@click.argument("target", metavar="OUT")
@click.option(
    "--rejects",
    "rejects_path",
    metavar="FILE",
    help="Move claims that still carry failing findings into this separate 837; OUT keeps "
    "the clean claims. Written (empty when nothing is rejected) on exit 0/1.",
)
@_common
def scrub_command(source: str, target: str, rejects_path: str | None, **params: Any) -> None:
    """Scrub IN into OUT (use - for stdin/stdout)."""
    _execute(source, target, rejects_path, _RunArgs(**params))


@main.command("check")
@click.argument("source", metavar="IN")
@_common
def check_command(source: str, **params: Any) -> None:
    """Check IN and report; write no EDI."""
    _execute(source, None, None, _RunArgs(**params))


def _announce(report: Report, quiet: bool) -> None:
    s = report.summary
    rejected = {} if report.rejected is None else {"rejected_claims": len(report.rejected)}
    log.info(
        "file_scrubbed",
        file=report.input,
        claims=s.claims,
        drug_lines=s.drug_lines,
        errors=s.errors,
        warnings=s.warnings,
        fixed=s.fixed,
        lines_added=s.lines_added,
        exit_code=int(s.exit_code),
        seconds=round(report.seconds, 3),
        **rejected,
    )
    if not quiet:
        click.echo(render_text(report, findings=False), err=True, nl=False)


@main.command("rules")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "md"]),
    default="table",
    show_default=True,
    help="md regenerates docs/rules.md.",
)
def rules_command(fmt: str) -> None:
    """List the rules (id, name, severity, fix, summary)."""
    click.echo(rules_markdown() if fmt == "md" else rules_table(), nl=False)


@main.command("rule")
@click.argument("rule_id")
def rule_command(rule_id: str) -> None:
    """Show a rule's documentation."""
    ctx = click.get_current_context()

    def action() -> int:
        m = get_rule(rule_id).meta
        click.echo(f"{m.id} ({m.name}) — severity {m.severity.value}, fix {m.fix.value}\n")
        click.echo(m.doc)
        return 0

    _guarded(ctx, action)
