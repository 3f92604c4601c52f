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

import contextlib
import hashlib
import os
import re
import shutil
import signal
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

#: Every temporary file edi-scrub creates starts with this (and ends with ``.tmp``).
PREFIX = ".edi-scrub-"
SUFFIX = ".tmp"
#: ``.edi-scrub-<pid>@<host>-<random>.tmp``: who made it, so a later run can prove it orphaned.
_NAME = re.compile(r"\.edi-scrub-(\d+)@([0-9a-f]{8})-[A-Za-z0-9_]+\.tmp")
_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

#: The temporary files of this process not yet renamed or removed (for the signal handler).
_LIVE: set[Path] = set()


def _host() -> str:
    # Folders can be shared between machines (batch on a shared file system): a pid proves
    # nothing about another host's files, so the name says which host made it.
    return hashlib.sha1(socket.gethostname().encode(), usedforsecurity=False).hexdigest()[:8]


def temp_beside(target: Path) -> tuple[int, Path]:
    """A new temporary file (descriptor, path) in ``target``'s folder, for :func:`publish`."""
    return temp_in(target.parent)


def temp_in(folder: Path | None) -> tuple[int, Path]:
    """A new temporary file (descriptor, path) in ``folder`` (None: the system temp folder)."""
    prefix = f"{PREFIX}{os.getpid()}@{_host()}-"
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=SUFFIX, dir=folder)
    _LIVE.add(Path(name))
    return fd, Path(name)


def remove_temp(path: Path) -> None:
    """Remove a temporary file made by :func:`temp_in` (gone already is fine)."""
    path.unlink(missing_ok=True)
    _LIVE.discard(path)


def remove_live_temps() -> None:
    """Remove every temporary file this process still has (a signal ends the run)."""
    for path in list(_LIVE):
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        _LIVE.discard(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def remove_orphans(folder: Path | None) -> int:
    """Remove the temporary files in ``folder`` (None: the system temp folder) that a dead
    edi-scrub process of this host and user left (killed before it could clean up).

    Only what can be proven orphaned goes: our name pattern, made on this host, owned by this
    user, by a process id that no longer exists. Returns how many were removed.
    """
    where = Path(tempfile.gettempdir()) if folder is None else folder
    host, removed = _host(), 0
    try:
        entries = list(os.scandir(where))
    except OSError:
        return 0
    for entry in entries:
        match = _NAME.fullmatch(entry.name)
        if match is None or match.group(2) != host:
            continue
        pid = int(match.group(1))
        try:
            owned = entry.stat(follow_symlinks=False).st_uid == os.geteuid()
        except OSError:
            continue
        ours = owned and entry.is_file(follow_symlinks=False) and pid != os.getpid()
        if ours and not _alive(pid):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed += 1
    return removed


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGTERM/SIGINT/SIGHUP while files are renamed, so a run publishes all or none."""
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    except (AttributeError, ValueError, OSError):  # no sigmask on this platform or thread
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


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
    _LIVE.discard(tmp)


class Publication:
    """Files to publish together: each is written to a temporary file beside its target, and
    all are renamed into place only by :meth:`commit`, after every one was written.

    A target that is a symlink is followed: the file it points to is replaced and the link is
    kept (as ``open(path, "w")`` would), and the temporary file sits beside the real file, so
    the rename never crosses file systems. A target that exists and is not a regular file (a
    FIFO, ``/dev/null``) is never replaced: its data is kept in an anonymous temporary file and
    written into it at :meth:`commit`, before the renames. Use as a context manager: leaving
    the block without :meth:`commit` (an error, a signal turned into an exception) removes
    every temporary file.
    """

    def __init__(self) -> None:
        #: (handle, temporary file or None for a special file, the real target)
        self._pending: list[tuple[BinaryIO, Path | None, Path]] = []

    def open(self, target: Path) -> BinaryIO:
        """A new temporary file for ``target``, open for writing (and reading back)."""
        # The given path first: os.stat follows /proc's links to pipes (``/dev/stdout`` in a
        # pipeline), which resolve() turns into a path that does not exist; the temporary file
        # was then made in /proc/<pid>/fd and the run failed naming it.
        special = target if _special(target) else None
        real = target.resolve()
        if special is not None or _special(real):
            spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by commit or discard
            self._pending.append((spool, None, special or real))
            return spool
        fd, tmp = temp_beside(real)
        try:
            handle = os.fdopen(fd, "w+b")
        except BaseException:
            os.close(fd)
            remove_temp(tmp)
            raise
        self._pending.append((handle, tmp, real))
        return handle

    def targets(self) -> dict[Path, Path]:
        """Each temporary file not yet renamed, and the file it is for."""
        return {tmp: real for _, tmp, real in self._pending if tmp is not None}

    def commit(self) -> None:
        """Sync every file, write the special ones, then rename the others into place (in the
        order they were opened)."""
        for handle, tmp, _ in self._pending:
            if tmp is not None:
                handle.flush()
                os.fsync(handle.fileno())
                handle.close()
        for handle, tmp, real in self._pending:
            if tmp is None:
                handle.seek(0)
                try:
                    with real.open("wb") as device:
                        shutil.copyfileobj(handle, device)
                except OSError as exc:
                    # A write error names no file: without this, the message named another
                    # target or the input (`--report /dev/full` said `out.837: No space ...`).
                    if exc.filename is None:
                        exc.filename = str(real)
                    raise
                handle.close()
        self._pending = [entry for entry in self._pending if entry[1] is not None]
        with _signals_held():
            while self._pending:
                _, named, real = self._pending[0]
                if named is not None:
                    publish(named, real)
                self._pending.pop(0)

    def discard(self) -> None:
        """Close and remove every temporary file not yet renamed."""
        while self._pending:
            handle, tmp, _ = self._pending.pop()
            with contextlib.suppress(OSError):  # a full disk can fail the close's flush
                handle.close()
            if tmp is not None:
                remove_temp(tmp)

    def __enter__(self) -> Publication:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()


def _special(path: Path) -> bool:
    """An existing target that is not a regular file (a FIFO, a device): written, not replaced."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)
