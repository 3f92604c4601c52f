"""structlog setup, done once by the CLI: console renderer on a terminal, JSON lines otherwise.

Library modules only call ``structlog.get_logger``; they never configure logging. Log events carry
counts, rule ids and segment positions, never element values.
"""

from __future__ import annotations

import logging
import sys

import structlog

from edi_scrub._shown import shown_fields


def configure(fmt: str = "auto", verbosity: int = 0) -> None:
    """Send structlog events to stderr; ``fmt`` is ``console``, ``json`` or ``auto``."""
    level = logging.WARNING - 10 * verbosity
    use_console = fmt == "console" or (fmt == "auto" and sys.stderr.isatty())
    renderer: structlog.typing.Processor = (
        structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
        if use_console
        else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            shown_fields,  # file names that are not UTF-8: \xNN, never a lone surrogate
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(max(level, logging.DEBUG)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
