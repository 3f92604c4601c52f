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
import stat
from pathlib import Path

from edi_scrub.errors import ConfigError
from edi_scrub.maps._user import default_user_maps_dir
from edi_scrub.x12._ack import CONTROL_NUMBER_MAX

COUNTER_FILE = "ack-control-number"
#: A counter holds nine digits and a newline; more than this is not one.
_MAX_BYTES = 64


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
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        # A link to /dev/zero was read whole (the OOM killer ended the run); a FIFO failed
        # under OUT's name ("UnsupportedOperation").
        raise ConfigError(f"{counter}: the 999 control number counter is not a regular file")
    with os.fdopen(fd, "r+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
        raw = handle.read(_MAX_BYTES + 1)
        # Bytes, not text: a byte order mark or a non-ASCII digit was an internal error
        # (UnicodeDecodeError), and str.isdigit() accepts digits int() reads in other scripts.
        text = raw.decode("ascii", errors="replace").strip()
        if len(raw) > _MAX_BYTES or (
            text and not (text.isascii() and text.isdigit() and len(text) <= 9)
        ):
            raise ConfigError(f"{counter}: not a 999 control number counter (holds {text[:20]!r})")
        last = int(text) if text else 0
        number = last % CONTROL_NUMBER_MAX + 1
        handle.seek(0)
        handle.truncate()
        handle.write(f"{number}\n".encode("ascii"))
        handle.flush()
        os.fsync(handle.fileno())
    return number
