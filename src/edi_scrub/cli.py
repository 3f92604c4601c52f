"""The ``edi-scrub`` command: scrub IN to OUT, report, and exit with a code pipelines can trust.

Exit codes: 0 no failing findings remain; 1 failing findings remain; 2 usage, configuration or
unreadable/non-837 input; 3 internal error. On 2 and 3 no output file is written. Output goes to
a temporary file beside the target and is renamed into place only when the run succeeds.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import click
import structlog

from edi_scrub import __version__
from edi_scrub.atomic import publish
from edi_scrub.cli_batch import batch_command
from edi_scrub.cli_config import with_config
from edi_scrub.cli_maps import maps_group
from edi_scrub.errors import ConfigError, EdiScrubError, InputError
from edi_scrub.exit_codes import ExitCode
from edi_scrub.log import configure
from edi_scrub.maps._user import ENV_VAR
from edi_scrub.maps.layers import AUTO, user_maps_dir
from edi_scrub.pipeline import Options, scrub
from edi_scrub.rejects import split
from edi_scrub.report.html import render_html
from edi_scrub.report.model import Report
from edi_scrub.report.text import render_text
from edi_scrub.rules import get_rule
from edi_scrub.rules._base import Severity
from edi_scrub.rules.docs import rules_markdown, rules_table
from edi_scrub.x12.lexer import ENCODING

log = structlog.get_logger(__name__)


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def _stdin_to_temp() -> Path:
    with tempfile.NamedTemporaryFile(prefix="edi-scrub-", suffix=".837", delete=False) as handle:
        shutil.copyfileobj(sys.stdin.buffer, handle)
    return Path(handle.name)


def _atomic_target(target: str) -> tuple[BinaryIO, Path | None]:
    if target == "-":
        return tempfile.TemporaryFile(), None
    folder = Path(target).resolve().parent
    if not folder.is_dir():
        raise InputError(f"{target}: output folder does not exist")
    fd, tmp = tempfile.mkstemp(prefix=".edi-scrub-", suffix=".tmp", dir=folder)
    return os.fdopen(fd, "w+b"), Path(tmp)


def _render_report(report: Report, fmt: str) -> Iterator[bytes]:
    if fmt == "html":
        yield render_html(report)
    elif fmt == "text":
        yield render_text(report).encode("utf-8")
    else:
        # Streamed: a 50,000-claim report built as one string would double the run's memory.
        for chunk in report.json_chunks():
            yield chunk.encode("utf-8")


def _write_report(report: Report, target: str | None, fmt: str) -> None:
    if target is None:
        return
    if target == "-":
        sys.stdout.flush()  # text already written through sys.stdout must come first
        sys.stdout.buffer.writelines(_render_report(report, fmt))
        sys.stdout.buffer.flush()
        return
    folder = Path(target).resolve().parent
    if not folder.is_dir():
        raise InputError(f"{target}: report folder does not exist")
    fd, tmp = tempfile.mkstemp(prefix=".edi-scrub-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.writelines(_render_report(report, fmt))
        publish(Path(tmp), Path(target))
    finally:
        Path(tmp).unlink(missing_ok=True)


def _run(
    source: str,
    target: str | None,
    options: Options,
    report_path: str | None,
    report_format: str,
    html_path: str | None = None,
    ack_path: str | None = None,
    rejects_path: str | None = None,
) -> Report:
    for extra in (report_path, html_path):
        # Checked before scrubbing: an exit 2 must not leave a fresh output file behind.
        if extra and extra != "-" and not Path(extra).resolve().parent.is_dir():
            raise InputError(f"{extra}: report folder does not exist")
    if ack_path is not None:
        _check_ack_target(ack_path)
        options = replace(options, ack=True)
    if rejects_path is not None:
        _check_rejects_target(rejects_path, source, target)
    temp_input = _stdin_to_temp() if source == "-" else None
    path = temp_input or Path(source)
    if temp_input is None and not path.is_file():
        raise InputError(f"{source}: no such file")
    # Closed by the `with stream` below; the target is only renamed into place on success.
    stream, tmp = _atomic_target(target) if target else (tempfile.TemporaryFile(), None)  # noqa: SIM115
    rejects_tmp: Path | None = None
    try:
        with stream:
            if rejects_path is None:
                report = scrub(path, stream, options)
            else:
                report, rejects_tmp = _scrub_and_split(path, stream, options, rejects_path)
            if target == "-":
                stream.seek(0)
                shutil.copyfileobj(stream, sys.stdout.buffer)
                sys.stdout.buffer.flush()
            elif tmp is not None and target is not None:
                stream.flush()
                os.fsync(stream.fileno())
        if rejects_tmp is not None and rejects_path is not None:
            # REJECTS first: OUT appearing is what a pipeline watches for, so when it does,
            # the claims it no longer holds are already in place beside it.
            publish(rejects_tmp, Path(rejects_path))
            rejects_tmp = None
        if tmp is not None and target is not None:
            publish(tmp, Path(target))
            tmp = None
        report = _with_paths(report, source, target)
        _write_report(report, report_path, report_format)
        _write_report(report, html_path, "html")
        _write_ack(report.ack, ack_path)
        return report
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        if rejects_tmp is not None:
            rejects_tmp.unlink(missing_ok=True)
        if temp_input is not None:
            temp_input.unlink(missing_ok=True)


def _check_rejects_target(target: str, source: str, out: str | None) -> None:
    if target == "-":
        raise ConfigError("--rejects -: the rejected claims are EDI; give them a file of their own")
    if not Path(target).resolve().parent.is_dir():
        raise InputError(f"{target}: rejects folder does not exist")
    resolved = Path(target).resolve()
    if (source != "-" and resolved == Path(source).resolve()) or (
        out not in (None, "-") and resolved == Path(str(out)).resolve()
    ):
        raise ConfigError(f"--rejects {target}: must differ from IN and OUT")


def _scrub_and_split(
    path: Path, stream: BinaryIO, options: Options, rejects_path: str
) -> tuple[Report, Path]:
    """Scrub into a scratch file, then split it into OUT (``stream``) and a rejects temp file.

    Returns the report (with ``rejected`` set) and the rejects temp file, which the caller
    renames into place only when everything succeeded.
    """
    fd, name = tempfile.mkstemp(
        prefix=".edi-scrub-", suffix=".tmp", dir=Path(rejects_path).resolve().parent
    )
    try:
        with tempfile.TemporaryFile() as scrubbed, os.fdopen(fd, "w+b") as rejects:
            report = scrub(path, scrubbed, options)
            scrubbed.seek(0)
            failing = report.failing_claims
            split(scrubbed, stream, rejects, {c.ordinal for c in failing}, f"{path} (scrubbed)")
            rejects.flush()
            os.fsync(rejects.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return replace(report, rejected=failing), Path(name)


def _check_ack_target(target: str) -> None:
    if target == "-":
        raise ConfigError("--ack -: the 999 is EDI; give it a file of its own")
    if not Path(target).resolve().parent.is_dir():
        raise InputError(f"{target}: 999 folder does not exist")


def _write_ack(text: str | None, target: str | None) -> None:
    """Write the 999 atomically; nothing when none could be built (the pipeline warned)."""
    if target is None or text is None:
        return
    fd, tmp = tempfile.mkstemp(prefix=".edi-scrub-", suffix=".tmp", dir=Path(target).parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode(ENCODING))
            handle.flush()
            os.fsync(handle.fileno())
        publish(Path(tmp), Path(target))
    finally:
        Path(tmp).unlink(missing_ok=True)


def _with_paths(report: Report, source: str, target: str | None) -> Report:
    return replace(report, input=source, output=target)


def _exit(report: Report, exit_zero: bool) -> int:
    return 0 if exit_zero else int(report.summary.exit_code)


def _options(
    no_fix: bool,
    unsafe_fixes: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str,
    no_structure: bool,
    payer_profile: str,
    maps_dir: Path | None,
    validator: str = "compiled",
) -> Options:
    return Options(
        fix=not no_fix,
        unsafe_fixes=unsafe_fixes,
        select=_split(select),
        ignore=_split(ignore),
        fail_on=Severity(fail_on),
        structure=not no_structure,
        payer_profile=payer_profile,
        maps_dir=user_maps_dir(maps_dir),
        validator=validator,
        # One file from the command line: let pyx12 use the second core.
        parallel_validation=True,
    )


def _guarded(work: click.Context, action: Callable[[], int]) -> None:
    """Run ``action`` mapping every failure to a one-line message and its exit code."""
    try:
        code = action()
    except EdiScrubError as exc:
        click.echo(f"edi-scrub: error: {exc}", err=True)
        work.exit(exc.exit_code)
    except Exception as exc:  # the CLI promises no tracebacks
        click.echo(f"edi-scrub: internal error: {type(exc).__name__}: {exc}", err=True)
        work.exit(int(ExitCode.INTERNAL))
    work.exit(int(code))


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
    click.option("--log-format", type=click.Choice(["auto", "console", "json"]), default="auto"),
    click.option("-v", "--verbose", count=True),
    click.option("-q", "--quiet", is_flag=True, help="No summary on stderr."),
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

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["scrub", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="edi-scrub")
def main() -> None:
    """Scrub X12 837P/837I claim files: edi-scrub IN OUT [options]."""


main.add_command(batch_command)
main.add_command(maps_group)


@dataclass(frozen=True, slots=True)
class _RunArgs:
    """The options ``scrub`` and ``check`` share, as click hands them over."""

    report_path: str | None
    report_format: str
    html_path: str | None
    ack_path: str | None
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
    log_format: str
    verbose: int
    quiet: bool

    def options(self, fix: bool) -> Options:
        """The pipeline options; ``fix=False`` for report-only runs."""
        return _options(
            not fix or self.no_fix,
            self.unsafe_fixes,
            self.select,
            self.ignore,
            self.fail_on,
            self.no_structure,
            self.payer_profile,
            self.maps_dir,
            self.validator,
        )


def _execute(source: str, target: str | None, rejects_path: str | None, args: _RunArgs) -> None:
    """Scrub (``target`` given) or check (``target`` None) one file, then exit with its code."""
    configure(args.log_format, args.verbose)
    ctx = click.get_current_context()

    def action() -> int:
        report_path = args.report_path if target is not None else args.report_path or "-"
        report = _run(
            source,
            target,
            args.options(fix=target is not None),
            report_path,
            args.report_format,
            args.html_path,
            args.ack_path,
            rejects_path,
        )
        _announce(report, args.quiet)
        return _exit(report, args.exit_zero)

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
