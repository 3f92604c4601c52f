"""The Python API: :func:`scrub` and :func:`check`, the one code path the CLI also runs.

A source is a path, bytes or a binary stream; an output is a path, a binary stream or ``None``
(the fixed EDI is then returned on the :class:`Result`). Every file is published atomically and
all together (:class:`~edi_scrub.atomic.Publication`): written to temporary files, renamed only
after all were written, so a failed run leaves every target as it was. Nothing here prints or
exits: problems are :class:`~edi_scrub.errors.InputError` / :class:`~edi_scrub.errors.ConfigError`
with the one-line messages the CLI prints.
"""

from __future__ import annotations

import io
import logging
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

import structlog

from edi_scrub import pipeline
from edi_scrub._control_numbers import counter_path, next_control_number
from edi_scrub._options import Options
from edi_scrub._shown import shown, shown_fields
from edi_scrub._targets import (
    Destination,
    Labelled,
    Source,
    guard,
    identity,
    label,
    path_of,
    spooled,
    stream_of,
)
from edi_scrub.atomic import Publication, remove_orphans
from edi_scrub.errors import EdiScrubError, InputError
from edi_scrub.exit_codes import ExitCode
from edi_scrub.fixes.engine import Outcome
from edi_scrub.maps.layers import user_maps_dir
from edi_scrub.rejects import split
from edi_scrub.report.html import render_html
from edi_scrub.report.model import ClaimRef, Report, Summary
from edi_scrub.report.text import render_text
from edi_scrub.rules._base import Severity
from edi_scrub.x12._ack import set_control_number
from edi_scrub.x12.lexer import ENCODING

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Result:
    """What :func:`scrub` produced: the report, and the fixed EDI when ``out`` was ``None``."""

    #: The findings, the summary (counts and exit code) and the 999, when one was asked for.
    report: Report
    #: The fixed interchange when ``out`` was ``None``; else ``None`` (it went to ``out``).
    output: bytes | None
    #: The exit code the CLI would give: ``summary.exit_code``, or 0 with ``exit_zero``.
    exit_code: ExitCode

    @property
    def summary(self) -> Summary:
        """The report's figures (claims, errors, warnings, fixed, exit code, ...)."""
        return self.report.summary

    @property
    def findings(self) -> tuple[Outcome, ...]:
        """Every finding with what became of its fix, in report order."""
        return tuple(self.report.sorted_outcomes())

    @property
    def rejected(self) -> tuple[ClaimRef, ...] | None:
        """The claims moved to ``rejects`` (``None`` when no rejects target was given)."""
        return self.report.rejected

    @property
    def ack(self) -> bytes | None:
        """The 999 when an ``ack`` target was given and one could be built."""
        return None if self.report.ack is None else self.report.ack.encode(ENCODING)

    def to_json(self) -> str:
        """The JSON report (``schema: edi-scrub/report/v1``), exactly as the CLI writes it."""
        return "".join(self.report.json_chunks())


def scrub(
    source: Source,
    out: Destination | None = None,
    *,
    options: Options | None = None,
    rejects: Destination | None = None,
    ack: Destination | None = None,
) -> Result:
    """Scrub ``source`` into ``out`` (a path or binary stream; ``None``: bytes on the result).

    ``rejects``: also move the claims that still carry failing findings into this separate 837
    (``Result.rejected`` names them). ``ack``: also write the 999 for the input's structure
    here (and on ``Result.ack``). Raises :class:`InputError` for unreadable or non-837 input
    and :class:`ConfigError` for bad options or paths; then nothing is written.
    """
    _library_logging()
    buffer = io.BytesIO()
    sink: Destination = buffer if out is None else out
    result = run(
        Labelled("source", source),
        Labelled("out", sink),
        options or Options(),
        rejects=None if rejects is None else Labelled("rejects", rejects),
        ack=None if ack is None else Labelled("ack", ack),
    )
    return result if out is not None else replace(result, output=buffer.getvalue())


def check(
    source: Source, *, options: Options | None = None, ack: Destination | None = None
) -> Report:
    """Check ``source`` and report; nothing is fixed and no EDI is written (``ack``: the 999)."""
    _library_logging()
    target = None if ack is None else Labelled("ack", ack)
    return run(Labelled("source", source), None, options or Options(), ack=target).report


@dataclass(frozen=True, slots=True)
class ReportTarget:
    """A report file the CLI asked for (``--report``/``--html``) and its format."""

    target: Labelled
    fmt: str


def run(
    source: Labelled,
    out: Labelled | None,
    options: Options,
    *,
    rejects: Labelled | None = None,
    ack: Labelled | None = None,
    reports: Sequence[ReportTarget] = (),
    parallel_validation: bool = False,
) -> Result:
    """One run, as the API and the CLI do it: guard the paths, scrub, publish all or nothing.

    ``out`` ``None`` is a check (report only). The guard runs before anything is read or
    written; every file target is written to a temporary file and renamed only at the end.
    """
    try:
        return _run(source, out, options, rejects, ack, reports, parallel_validation)
    except EdiScrubError as exc:
        message = str(exc)
        if message.isascii() or shown(message) == message:
            raise
        # A path that is not UTF-8 in the message (an OSError's file name, the lexer's
        # ``where``): the same \xNN escapes as reports show, not a lone surrogate.
        raise type(exc)(shown(message)) from None


def _run(
    source: Labelled,
    out: Labelled | None,
    options: Options,
    rejects: Labelled | None,
    ack: Labelled | None,
    reports: Sequence[ReportTarget],
    parallel_validation: bool,
) -> Result:
    targets = [t for t in (out, rejects, ack, *(r.target for r in reports)) if t is not None]
    guard(source, targets)
    settings = _pipeline_options(options, fix=out is not None, ack=ack is not None)
    settings = replace(settings, parallel_validation=parallel_validation)
    _remove_orphans(source, targets)
    with Publication() as publication:
        try:
            with spooled(source.value) as path:
                before = identity(source, path)
                report = _produce(path, publication, source, out, rejects, settings)
                if identity(source, path) != before:
                    raise InputError(
                        f"{sourcelabel(source)}: changed while it was being scrubbed "
                        "(size, modification time or inode); nothing written"
                    )
            for wanted in reports:
                sink = _sink(publication, wanted.target)
                if sink is not None:
                    sink.writelines(render_report(report, wanted.fmt))
            if ack is not None and report.ack is not None:
                report = replace(report, ack=_numbered(report.ack, options))
            # No 999 could be built (the pipeline logged why): no file written, none replaced.
            ack_stream = _sink(publication, ack) if report.ack is not None else None
            if ack_stream is not None and report.ack is not None:
                ack_stream.write(report.ack.encode(ENCODING))
            _flush_streams(t for t in targets if path_of(t.value) is None)
            publication.commit()
        except BrokenPipeError:
            raise  # the reader went away: the CLI ends quietly, a caller sees its own stream
        except OSError as exc:
            # The environment, not a bug: a full disk, a folder that went read-only, an input
            # that cannot be read. One line naming the file, and nothing published.
            raise InputError(_os_problem(exc, publication, source)) from None
    code = ExitCode.OK if options.exit_zero else report.summary.exit_code
    return Result(report, None, code)


def _produce(
    path: Path,
    publication: Publication,
    source: Labelled,
    out: Labelled | None,
    rejects: Labelled | None,
    settings: pipeline.Options,
) -> Report:
    """Scrub ``path`` and write OUT (and REJECTS); the report with the caller's names."""
    label_in, label_out = label(source.value), None if out is None else label(out.value)
    out_path = None if out is None else path_of(out.value)
    if rejects is None and out_path is not None:
        # The common case: the pipeline writes straight into OUT's temporary file (it rewinds
        # and re-reads it when a claim is reverted), no scratch copy of the whole output.
        report = pipeline.scrub(path, publication.open(out_path), settings)
        return replace(report, input=label_in, output=label_out)
    with tempfile.TemporaryFile() as scratch:
        report = pipeline.scrub(path, scratch, settings)
        report = replace(report, input=label_in, output=label_out)
        scratch.seek(0)
        # Opened (and so renamed) in this order: REJECTS before OUT, because OUT appearing is
        # what a pipeline watches for; the reports come after OUT, which they describe.
        rejects_stream = _sink(publication, rejects)
        out_stream = _sink(publication, out)
        if rejects_stream is not None and out_stream is not None:
            failing = report.failing_claims
            where = f"{report.input} (scrubbed)"
            split(scratch, out_stream, rejects_stream, {c.ordinal for c in failing}, where)
            report = replace(report, rejected=tuple(failing))
        elif out_stream is not None:
            shutil.copyfileobj(scratch, out_stream)
    return report


def _numbered(ack: str, options: Options) -> str:
    """The 999 with its own interchange control number (pyx12's comes from the clock)."""
    number = options.ack_control_number
    if number is None:
        number = next_control_number(counter_path(options.maps))
    return set_control_number(ack, number)


def sourcelabel(source: Labelled) -> str:
    """How messages name the input: its path as given, or ``-``."""
    return label(source.value)


def _remove_orphans(source: Labelled, targets: Sequence[Labelled]) -> None:
    folders: set[Path | None] = set()
    for target in targets:
        path = path_of(target.value)
        if path is not None:
            folders.add(path.resolve().parent)
    if path_of(source.value) is None:
        folders.add(None)  # the stdin/bytes spool lives in the system temp folder
    for folder in folders:
        removed = remove_orphans(folder)
        if removed:
            log.info("orphans_removed", folder=str(folder or "temp"), files=removed)


def _os_problem(exc: OSError, publication: Publication, source: Labelled) -> str:
    what = exc.strerror or type(exc).__name__
    pending = publication.targets()
    named = exc.filename if isinstance(exc.filename, str) else None
    if named is not None and Path(named) in pending:
        return f"{pending[Path(named)]}: {what}"  # name the target, not our temporary file
    if named is not None:
        return f"{named}: {what}"
    writing = ", ".join(str(p) for p in pending.values())
    return f"{writing or sourcelabel(source)}: {what}"


def render_report(report: Report, fmt: str) -> Iterator[bytes]:
    """The report rendered as ``json`` (streamed), ``text`` or ``html``."""
    if fmt == "html":
        yield render_html(report)
    elif fmt == "text":
        yield render_text(report).encode("utf-8")
    else:
        # Streamed: a 50,000-claim report built as one string would double the run's memory.
        for chunk in report.json_chunks():
            yield chunk.encode("utf-8")


def _sink(publication: Publication, target: Labelled | None) -> BinaryIO | None:
    """Where to write ``target``: a temporary file to publish, or the caller's stream."""
    if target is None:
        return None
    path = path_of(target.value)
    return publication.open(path) if path is not None else stream_of(target.value)


def _flush_streams(targets: Iterator[Labelled]) -> None:
    for target in targets:
        stream = stream_of(target.value)
        if stream is not None:
            stream.flush()


def _pipeline_options(options: Options, fix: bool, ack: bool) -> pipeline.Options:
    return pipeline.Options(
        fix=fix and options.fix,
        unsafe_fixes=options.unsafe_fixes,
        select=options.select,
        ignore=options.ignore,
        fail_on=Severity(options.fail_on),
        structure=options.structure,
        validator=options.validator,
        jobs=options.jobs,
        ack=ack,
        payer_profile=options.payer_profile,
        maps_dir=user_maps_dir(options.maps),
    )


def _library_logging() -> None:
    """Keep a library caller's stdout clean: structlog's default prints there.

    When the host application has not configured structlog, edi-scrub's events go to the
    standard ``logging`` logger ``edi_scrub`` (silent unless the application configures
    logging), the usual behaviour of a library. A host that configured structlog keeps its own.
    """
    if structlog.is_configured():
        return
    logging.getLogger("edi_scrub").addHandler(logging.NullHandler())
    logging.getLogger("edi_scrub").propagate = True
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            shown_fields,
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=lambda *_: logging.getLogger("edi_scrub"),
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        cache_logger_on_first_use=False,
    )
