"""Atomic writes: a temporary file beside the target, renamed into place only on success.

``tempfile.mkstemp`` creates files readable by their owner only (0600). Claim files and reports
are read by the next job in a pipeline, often as another user, so a published file takes the
mode of the file it replaces or, for a new file, the usual ``0666 & ~umask`` — what a plain
``open(path, "w")`` would have given.

Temporary files are named ``.edi-scrub-<pid>-<random>.tmp``: the process id lets a later run
prove that a leftover belongs to a process that no longer exists (see :func:`remove_orphans`).
A run that publishes several files (OUT, report, HTML, 999, rejects) collects them in one
:class:`Publication` and renames them only after every one was written and synced.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

#: Every temporary file edi-scrub creates starts with this (and ends with ``.tmp``).
PREFIX = ".edi-scrub-"
SUFFIX = ".tmp"
_OURS = re.compile(r"\.edi-scrub-(\d+)-[^/]*\.tmp")


def temp_beside(target: Path) -> tuple[int, Path]:
    """A new temporary file (descriptor, path) in ``target``'s folder, for :func:`publish`."""
    return temp_in(target.parent)


def temp_in(folder: Path | None) -> tuple[int, Path]:
    """A new temporary file (descriptor, path) in ``folder`` (None: the system temp folder)."""
    fd, name = tempfile.mkstemp(prefix=f"{PREFIX}{os.getpid()}-", suffix=SUFFIX, dir=folder)
    return fd, Path(name)


def _umask() -> int:
    # There is no way to read the umask without setting it; set it back at once.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def publish(tmp: Path, target: Path) -> None:
    """Give ``tmp`` the mode ``target`` should have and rename it over ``target``."""
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    tmp.chmod(mode)
    os.replace(tmp, target)


class Publication:
    """Files to publish together: each is written to a temporary file beside its target, and
    all are renamed into place only by :meth:`commit`, after every one was written.

    A target that is a symlink is followed: the file it points to is replaced and the link is
    kept (as ``open(path, "w")`` would), and the temporary file sits beside the real file, so
    the rename never crosses file systems. Use as a context manager: leaving the block without
    :meth:`commit` (an error, a signal turned into an exception) removes every temporary file.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[BinaryIO, Path, Path]] = []

    def open(self, target: Path) -> BinaryIO:
        """A new temporary file for ``target``, open for writing (and reading back)."""
        real = target.resolve()
        fd, tmp = temp_beside(real)
        try:
            handle = os.fdopen(fd, "w+b")
        except BaseException:
            os.close(fd)
            tmp.unlink(missing_ok=True)
            raise
        self._pending.append((handle, tmp, real))
        return handle

    def temporaries(self) -> tuple[Path, ...]:
        """The temporary files not yet renamed (for cleanup on a signal)."""
        return tuple(tmp for _, tmp, _ in self._pending)

    def commit(self) -> None:
        """Sync every file, then rename them all into place, in the order they were opened."""
        for handle, _, _ in self._pending:
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        while self._pending:
            _, tmp, real = self._pending[0]
            publish(tmp, real)
            self._pending.pop(0)

    def discard(self) -> None:
        """Close and remove every temporary file not yet renamed."""
        while self._pending:
            handle, tmp, _ = self._pending.pop()
            handle.close()
            tmp.unlink(missing_ok=True)

    def __enter__(self) -> Publication:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()
