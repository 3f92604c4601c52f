"""Atomic writes: a temporary file beside the target, renamed into place only on success.

``tempfile.mkstemp`` creates files readable by their owner only (0600). Claim files and reports
are read by the next job in a pipeline, often as another user, so a published file takes the
mode of the file it replaces or, for a new file, the usual ``0666 & ~umask`` — what a plain
``open(path, "w")`` would have given.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def temp_beside(target: Path) -> tuple[int, Path]:
    """A new temporary file (descriptor, path) in ``target``'s folder, for :func:`publish`."""
    fd, name = tempfile.mkstemp(prefix=".edi-scrub-", suffix=".tmp", dir=target.parent)
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
