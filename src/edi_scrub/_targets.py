"""Sources and destinations of a run, and the one guard every run passes before it starts.

The guard (issue 8, item 1) is what keeps ``edi-scrub same.837 same.837`` or ``--report IN``
from destroying the input: no two of IN, OUT, the reports, the 999 and the rejects may be the
same file — compared with :func:`os.path.samefile` where both exist, so symlinks and hard links
count, and by resolved path where they do not yet — and no stream may receive two of them
(``-`` twice is stdout twice). It runs before anything is read or written; a violation is
a :class:`ConfigError` (or :class:`InputError` for a path that cannot be used), exit 2.

Also here: :class:`spooled`, the input as a file the pipeline can read twice (bytes, streams,
FIFOs and devices are copied to a temporary file first), and :func:`identity`, what must not
change about an input file while it is scrubbed.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from edi_scrub._shown import shown
from edi_scrub.atomic import remove_temp, temp_in
from edi_scrub.batch_discover import looks_like_x12
from edi_scrub.errors import ConfigError, EdiScrubError, InputError

#: Where a run reads the 837 from: a path, the bytes themselves, or a binary stream.
Source = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO
#: Where a run writes a file: a path or a binary stream.
Destination = str | os.PathLike[str] | BinaryIO

#: What reports and messages call a source or an output that is not a path (bytes, a stream).
STREAM = "-"


@dataclass(frozen=True, slots=True)
class Labelled:
    """A source or destination and the name messages use for it (``OUT``, ``--report``...)."""

    label: str
    value: Source


def path_of(value: Source) -> Path | None:
    """``value`` as a path, or ``None`` when it is bytes or a stream."""
    if isinstance(value, str | os.PathLike):
        return Path(os.fspath(value))
    return None


def stream_of(value: Source) -> BinaryIO | None:
    """``value`` as a binary stream, or ``None`` when it is a path or bytes."""
    if isinstance(value, str | os.PathLike | bytes | bytearray | memoryview):
        return None
    return value


def guard(source: Labelled, targets: Sequence[Labelled]) -> None:
    """Refuse a run whose paths would overwrite each other or the input; touches nothing."""
    try:
        _guard(source, targets)
    except OSError as exc:
        # A path the system refuses to look at (too long, a loop of links): the API raised
        # the OSError itself; one line naming the path, as the CLI prints for it.
        where = exc.filename if exc.filename is not None else label(source.value)
        raise InputError(f"{where}: {exc.strerror or type(exc).__name__}") from None


def _guard(source: Labelled, targets: Sequence[Labelled]) -> None:
    source_path = path_of(source.value)
    if source_path is not None:
        _check_source(source_path)
    for target in targets:
        path = path_of(target.value)
        if path is not None:
            _check_target(target.label, path)
            if str(target.value).endswith(("/", os.sep)):
                # pathlib drops the slash: `OUT outdir/` wrote a file named `outdir`.
                where = label(target.value)
                raise InputError(f"{where}: {target.label} names a folder; name a file")
    named = [(source, source_path)] if source_path is not None else []
    named += [(t, p) for t in targets if (p := path_of(t.value)) is not None]
    for i, (first, first_path) in enumerate(named):
        for second, second_path in named[i + 1 :]:
            if _same_file(first_path, second_path) and not _is_devnull(second_path):
                why = "the input is never overwritten" if first is source else "give each its own"
                raise ConfigError(
                    f"{first.label} and {second.label} are the same file ({second_path}): {why}"
                )
    _same_file_as_stream(source, targets)
    streams = [(t, s) for t in (source, *targets) if (s := stream_of(t.value)) is not None]
    for i, (first, stream) in enumerate(streams):
        for second, other in streams[i + 1 :]:
            if stream is other and first is source:
                # scrub(stream, stream) wrote the output after the input it had just read.
                raise ConfigError(f"{first.label} and {second.label} are the same stream")
            if stream is other:
                where = "stdout" if stream is _stdout() else "the same stream"
                raise ConfigError(
                    f"{first.label} and {second.label} both write to {where}: at most one may"
                )


def _same_file_as_stream(source: Labelled, targets: Sequence[Labelled]) -> None:
    """Refuse a stream that is the same file as a path or another stream: ``edi-scrub IN -
    >> IN`` appended the output to the input, ``OUT /dev/stdout --report -`` mixed EDI and
    JSON in one stream (a stream is compared by the file behind its descriptor)."""
    given = [source, *targets]
    files = [(t, _file_of(t.value)) for t in given]
    for i, (first, one) in enumerate(files):
        for second, other in files[i + 1 :]:
            if one is None or other is None or one[0] != other[0]:
                continue
            if stream_of(first.value) is None and stream_of(second.value) is None:
                continue  # two paths: compared above
            if one[1]:
                continue  # a device (/dev/null, a terminal) twice destroys nothing
            named = label(first.value if stream_of(second.value) is not None else second.value)
            why = "the input is never overwritten" if first is source else "give each its own"
            raise ConfigError(
                f"{first.label} and {second.label} are the same file ({named}): {why}"
            )


def _file_of(value: Source) -> tuple[tuple[int, int], bool] | None:
    """(device, inode) of the file a path or a stream's descriptor is, and whether it is a
    character device (``/dev/null``, a terminal); ``None`` when there is none (bytes, an
    in-memory stream, a missing file)."""
    try:
        path = path_of(value)
        if path is not None:
            st = os.stat(path)
        else:
            stream = stream_of(value)
            if stream is None:
                return None
            st = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation: no descriptor
        return None
    return (st.st_dev, st.st_ino), stat.S_ISCHR(st.st_mode)


def _stdout() -> object:
    return getattr(sys.stdout, "buffer", None)


def _check_source(path: Path) -> None:
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not an 837 file")
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied (cannot read the input)")


def _check_target(label: str, path: Path) -> None:
    real = path.resolve()
    if real.is_dir():
        raise InputError(f"{path}: {label} is a directory; name a file")
    folder = real.parent
    if not folder.is_dir():
        raise InputError(f"{path}: {label} folder does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{path}: {label} folder is not writable ({folder})")


def _same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        # One does not exist yet: compare where they would be, symlinks followed.
        return first.resolve() == second.resolve()


def _is_devnull(path: Path) -> bool:
    # Two outputs thrown away in the same place destroy nothing (`--report /dev/null --html
    # /dev/null`).
    try:
        return os.path.samefile(path, os.devnull)
    except OSError:
        return False


class spooled:  # noqa: N801 - used like a function, as contextlib's context managers are
    """The source as a path the pipeline can read twice: a path itself, else a spooled copy."""

    def __init__(self, value: Source) -> None:
        self._value = value
        self._temp: Path | None = None

    def __enter__(self) -> Path:
        path = path_of(self._value)
        if path is not None and not _readable_once(path):
            return path
        fd, self._temp = temp_in(None)
        try:
            with os.fdopen(fd, "wb") as handle:
                stream = stream_of(self._value)
                if path is not None:
                    with path.open("rb") as once:
                        _spool(once, handle)
                elif stream is not None:
                    _spool(stream, handle)
                elif isinstance(self._value, bytes | bytearray | memoryview):
                    handle.write(self._value)
        except BaseException:
            remove_temp(self._temp)
            raise
        return self._temp

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if self._temp is None:
            return
        remove_temp(self._temp)
        if isinstance(exc, EdiScrubError) and str(self._temp) in str(exc):
            # The spool is ours, not the caller's: messages name the input as given (`-` for
            # stdin and bytes, as the CLI always did), never a file that is gone.
            raise type(exc)(str(exc).replace(str(self._temp), label(self._value))) from None


#: How much of a stream is read before deciding whether it is X12 at all.
_HEAD = 4096


def _spool(source: BinaryIO, handle: BinaryIO) -> None:
    """Copy ``source`` into ``handle``; stop after its head when that is not X12 (the lexer
    refuses the head with its usual message): ``/dev/zero`` as IN, or ``cat /dev/urandom |
    edi-scrub - OUT``, filled the temp folder's disk before anything was refused."""
    head = b""
    while len(head) < _HEAD:
        chunk = source.read(_HEAD - len(head))
        if not chunk:
            break
        head += chunk
    handle.write(head)
    if head.strip() and not looks_like_x12(head):
        return
    shutil.copyfileobj(source, handle)


def _readable_once(path: Path) -> bool:
    """A FIFO or a device (``/dev/stdin``, a named pipe): the pipeline reads its input twice,
    so such an input is spooled to a temporary file first, like stdin."""
    try:
        return not stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False  # the pipeline names the problem


def identity(source: Labelled, path: Path) -> tuple[int, int, int, int] | None:
    """What must not change while the input is read (None for our own spool of bytes/stdin)."""
    given = path_of(source.value)
    if given is None or given != path:
        return None
    st = os.stat(path)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def label(value: Source) -> str:
    # A path string is kept as given (`./in.837` stays so), as the CLI always reported it.
    # shown(): a name that is not UTF-8 gets \xNN escapes (reports must be valid Unicode).
    if isinstance(value, str):
        return shown(value)
    path = path_of(value)
    return STREAM if path is None else shown(path)
