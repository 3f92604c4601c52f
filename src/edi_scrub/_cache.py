"""The user cache directory, and small derived data kept there between runs.

Some inputs are expensive to read and never change between runs of one install (the ICD-10-CM
code list takes ~0.14 s to parse; every process, batch worker and small file paid it). Their
derived form is kept in ``$XDG_CACHE_HOME/edi-scrub`` (else ``~/.cache/edi-scrub``) as
``marshal`` data: only plain built-in values, which load in a few milliseconds and, unlike
pickle, cannot run code. The cache is an optimisation only: a file that is missing, corrupt,
of another Python version or unwritable is ignored and the data derived again, so the answers
never depend on it. Callers put what the data was derived from (a file's name, size and mtime)
into the cache file's name, so stale entries are never read.

Stale entries are removed, too: each read marks its file as used (its mtime, at most once a
day), and each write removes the files of the same family (``icd10cm-*``, ``tr3-*``) unused for
:data:`MAX_AGE` days. Another install sharing the directory keeps its own entries alive by
using them; one that went away stops doing so, and its entries go.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["MAX_AGE", "cache_dir", "load", "mark_used", "store", "write_atomic"]

#: Days an unused cache file is kept.
MAX_AGE = 30
_DAY = 86_400.0


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/edi-scrub``, else ``~/.cache/edi-scrub`` (not created here)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "edi-scrub"


def _path(name: str) -> Path:
    # marshal's format is specific to the Python version that wrote it.
    return cache_dir() / f"{name}-py{sys.version_info[0]}{sys.version_info[1]}.marshal"


def load(name: str) -> object | None:
    """The value stored under ``name``, or ``None`` when there is none that can be read."""
    try:
        # Plain values only: marshal builds no class instances and runs no code. Read whole:
        # marshal.load on a stream reads it in tiny pieces (14x slower on a 0.8 MB file).
        path = _path(name)
        value: object = marshal.loads(path.read_bytes())
        mark_used(path)
        return value
    except (OSError, EOFError, ValueError, TypeError):
        return None


def store(name: str, value: object) -> None:
    """Keep ``value`` (built-in types only) under ``name``: atomically, and silently not at all
    when the cache directory cannot be written (read-only home, full disk)."""
    write_atomic(
        _path(name),
        lambda stream: marshal.dump(value, stream),  # type: ignore[arg-type]
        family=name.split("-", 1)[0] + "-",
    )


def mark_used(path: Path) -> None:
    """Note that ``path`` was just read (its mtime, if over a day old), so it is not pruned."""
    with contextlib.suppress(OSError):
        if path.stat().st_mtime < time.time() - _DAY:
            os.utime(path)


def write_atomic(path: Path, write: Callable[[BinaryIO], object], family: str = "") -> None:
    """Write a cache file through ``write``: to a temporary file beside it, then renamed, so a
    reader never sees half a file; any failure (unwritable folder, full disk, a value ``write``
    cannot encode) leaves no file and is ignored, as a cache miss would be. ``family``: the
    name prefix of this kind of file; its siblings unused for :data:`MAX_AGE` days are removed."""
    with contextlib.suppress(OSError, ValueError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cache-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as stream:
                write(stream)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        if family:
            _prune(path, family)


def _prune(keep: Path, family: str) -> None:
    oldest = time.time() - MAX_AGE * _DAY
    for sibling in keep.parent.glob(f"{family}*"):
        # A sibling another process is renaming or removing at the same moment is fine to miss.
        with contextlib.suppress(OSError):
            if sibling != keep and sibling.stat().st_mtime < oldest:
                sibling.unlink()
