"""The exception tree. Findings are data, never exceptions; these are for runs that cannot go on.

::

    EdiScrubError
    ├── InputError          unreadable, non-X12 or non-837 input        → exit 2
    ├── ConfigError         bad option, bad map, unknown rule id        → exit 2
    └── InternalError       a fix could not be verified, a bug          → exit 3

Every message is one line that names the file and, where known, the position (segment number or
byte offset) and what is wrong. Messages never carry element values from PHI segments.
"""

from __future__ import annotations

import traceback
from pathlib import Path


class EdiScrubError(Exception):
    """Base of every error edi-scrub raises on purpose."""

    exit_code = 3


class InputError(EdiScrubError):
    """The input cannot be scrubbed: not X12, not an 837 5010, unreadable, truncated ISA."""

    exit_code = 2


class ConfigError(EdiScrubError):
    """A command-line option, config value or map file is invalid."""

    exit_code = 2


class InternalError(EdiScrubError):
    """Something edi-scrub did could not be verified; no output is written."""

    exit_code = 3


def where_raised(exc: BaseException) -> str:
    """``module.py:line`` of the innermost frame of ``exc``: how an internal error is named
    (its message could quote input, so it is never shown)."""
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
