"""Which files under INDIR a batch scrubs, and why each other file is left alone.

Every file under INDIR gets exactly one verdict, so the batch report can account for all of them:

* ``scrub``: with the default patterns, a file whose name ends in ``.837``, ``.837p`` or
  ``.837i`` (case-insensitive; the name says it is a claim file, so garbage in it is *refused*,
  exit 2), or any other file whose content starts like an X12 interchange: ``ISA`` after an
  optional byte order mark and whitespace, in UTF-8 or UTF-16 (which the scrub then refuses
  with the reason), or an 837 group or transaction that lost its ISA (``GS*HC``, ``ST*837``).
  ``.edi``, ``.x12``, ``.txt`` and ``.dat`` files, the other extensions 837 files really carry,
  are taken on their content like any other name: those extensions are shared with remittances
  in EDIFACT, notes and exports, which are not a batch failure.
  With ``--glob`` patterns, exactly the files they match (content is not looked at: the user
  said which files are claims).
* ``not-837``: default patterns, no 837 extension, content not an X12 interchange.
* ``excluded``: hidden (the name of the file or of a folder above it starts with ``.``: VCS data,
  editor swap files, uploads in progress), not matched by ``--glob``, inside OUTDIR (the batch's
  own outputs), not a regular file (a FIFO would hang a reader), or a symlinked folder (not
  followed, so a link loop cannot make the walk endless). Such files are never opened.
* ``unreadable``: a folder that cannot be listed (its files cannot be accounted for): the batch
  reports it as ``refused``, exit 2.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

#: The extensions 837 files really carry (the default patterns, for docs and ``--help``).
DEFAULT_GLOBS = ("*.837", "*.837p", "*.837i", "*.edi", "*.x12", "*.txt", "*.dat")
#: Names that say "837": scrubbed whatever they contain.
CLAIM_GLOBS = ("*.837", "*.837p", "*.837i")

SCRUB = "scrub"
NOT_837 = "not-837"
EXCLUDED = "excluded"
UNREADABLE = "unreadable"  # a folder that cannot be listed: its files cannot be accounted for

HIDDEN = "hidden"
NOT_MATCHED = "not matched by --glob"
OUTPUT_FOLDER = "inside the output folder"
NOT_REGULAR = "not a regular file"
FOLDER_LINK = "symlink to a folder (not followed)"
NO_ISA = "no ISA header: not an X12 interchange"

_SNIFF_BYTES = 512
_WHITESPACE = b" \t\r\n\x0b\x0c"
_HEADLESS = re.compile(
    r"(GS(?P<sep>[^A-Za-z0-9 ])HC(?P=sep)|ST(?P<sep2>[^A-Za-z0-9 ])837(?P=sep2))"
)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the batch does with one file: ``name`` is its path relative to INDIR (POSIX form)."""

    name: str
    action: str  # SCRUB, NOT_837, EXCLUDED or UNREADABLE
    reason: str | None = None


def matches(name: str, patterns: Sequence[str]) -> bool:
    """True when ``name`` (relative, POSIX) matches one of ``patterns``, case-insensitively."""
    path = PurePosixPath(name.lower())
    return any(path.match(p.lower()) for p in patterns)


def _starts_x12(text: str) -> bool:
    text = text.lstrip(_WHITESPACE.decode())
    # An ISA, or a claim group or transaction without its ISA (GS01 HC, ST01 837), whatever
    # the element separator: scrubbed, the refusal then says what is missing.
    return text.startswith("ISA") or _HEADLESS.match(text) is not None


def looks_like_x12(head: bytes) -> bool:
    """True when ``head`` (a file's first bytes) starts like an X12 837 interchange.

    UTF-8 (with or without a byte order mark) or UTF-16 (with a byte order mark, or without one
    when the first character's other byte is NUL): such files are scrubbed, and the scrub
    refuses what it cannot read with the reason, rather than the batch calling them not-837.
    """
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return _starts_x12(head[len(bom) :].decode(codec, errors="ignore"))
    if head[1:2] == b"\0" and head[:1] != b"\0":
        return _starts_x12(head.decode("utf-16-le", errors="ignore"))
    if head[:1] == b"\0" and head[1:2] != b"\0":
        return _starts_x12(head.decode("utf-16-be", errors="ignore"))
    return _starts_x12(head.removeprefix(b"\xef\xbb\xbf").decode("latin-1"))


def _sniff(path: Path) -> bool:
    try:
        # O_NONBLOCK: the file was a regular file when listed; if it became a FIFO since, an
        # open must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return True  # unreadable: let the scrub refuse it with the reason (exit 2)
    try:
        return looks_like_x12(os.read(fd, _SNIFF_BYTES))
    except OSError:
        return True
    finally:
        os.close(fd)


def _verdict(path: Path, name: str, patterns: Sequence[str] | None) -> Verdict:
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = path.lstat().st_mode  # a dangling symlink: not a regular file
    if stat.S_ISDIR(mode):
        return Verdict(name, EXCLUDED, FOLDER_LINK)
    if not stat.S_ISREG(mode):
        return Verdict(name, EXCLUDED, NOT_REGULAR)
    if patterns is not None:
        return (
            Verdict(name, SCRUB)
            if matches(name, patterns)
            else Verdict(name, EXCLUDED, NOT_MATCHED)
        )
    if matches(name, CLAIM_GLOBS) or _sniff(path):
        return Verdict(name, SCRUB)
    return Verdict(name, NOT_837, NO_ISA)


def survey(
    indir: Path, patterns: Sequence[str] | None = None, exclude: Path | None = None
) -> list[Verdict]:
    """A verdict for every file under ``indir``, sorted by name.

    ``patterns``: the user's ``--glob`` patterns, or None for the defaults with content
    sniffing. ``exclude``: OUTDIR (resolved) when it lies inside INDIR.
    """
    verdicts: list[Verdict] = []

    def unreadable(error: OSError) -> None:
        # os.walk would skip such a folder without a word: it must show in the report.
        where = Path(error.filename or indir).relative_to(indir).as_posix()
        reason = f"cannot list this folder: {error.strerror or error}"
        verdicts.append(Verdict(where, UNREADABLE, reason))

    for root, dirs, files in os.walk(indir, onerror=unreadable):
        here = Path(root)
        rel = here.relative_to(indir)
        hidden = any(part.startswith(".") for part in rel.parts)
        output = exclude is not None and here.resolve().is_relative_to(exclude)
        # os.walk lists symlinked folders among dirs and does not enter them: report them.
        for d in dirs:
            if (here / d).is_symlink():
                verdicts.append(Verdict((rel / d).as_posix(), EXCLUDED, FOLDER_LINK))
        dirs.sort()
        for file in files:
            path = here / file
            name = (rel / file).as_posix()
            if hidden or file.startswith("."):
                verdicts.append(Verdict(name, EXCLUDED, HIDDEN))
            elif output:
                verdicts.append(Verdict(name, EXCLUDED, OUTPUT_FOLDER))
            else:
                verdicts.append(_verdict(path, name, patterns))
    return sorted(verdicts, key=lambda v: v.name)
