"""Interchange control numbers for the 999s a run writes: unique per run, never the clock's.

A number given for the run (``--ack-control-number N``, ``Options(ack_control_number=N)``) is
used as is: the trading partner's own sequence, kept by the caller. Otherwise the next number of
a counter file, ``ack-control-number`` in the maps directory (``--maps DIR``, else the user maps
directory, created when missing), taken under an exclusive lock, so concurrent runs on one host
never get the same number; after 999999999 it wraps to 1. A file that does not hold a number is
a :class:`ConfigError`, never silently reset.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from edi_scrub.errors import ConfigError
from edi_scrub.maps._user import default_user_maps_dir
from edi_scrub.x12._ack import CONTROL_NUMBER_MAX

COUNTER_FILE = "ack-control-number"


def counter_path(maps: Path | None) -> Path:
    """The counter file of the maps directory a run uses."""
    return (maps if maps is not None else default_user_maps_dir()) / COUNTER_FILE


def next_control_number(counter: Path) -> int:
    """Take the next number from ``counter`` (created, starting at 1, when missing)."""
    try:
        counter.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(counter, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        problem = f"cannot open the 999 control number counter: {exc.strerror}"
        raise ConfigError(f"{counter}: {problem}") from None
    with os.fdopen(fd, "r+", encoding="ascii") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
        text = handle.read().strip()
        if text and not (text.isdigit() and len(text) <= 9):
            raise ConfigError(f"{counter}: not a 999 control number counter (holds {text[:20]!r})")
        last = int(text) if text else 0
        number = last % CONTROL_NUMBER_MAX + 1
        handle.seek(0)
        handle.truncate()
        handle.write(f"{number}\n")
        handle.flush()
        os.fsync(handle.fileno())
    return number
