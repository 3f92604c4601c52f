"""Structural (TR3) validation through pyx12, isolated behind one small typed API.

edi-scrub's own rules look at drug lines; whether the file is a well-formed 837 at all (loops,
required segments, element lengths, code lists) is pyx12's job. pyx12 4.0 is the only maintained
Python validator with 837P/837I maps, but it is brittle on real files (see
``docs/pyx12-notes.md``), so the modules behind this one absorb every way pyx12 fails:

* :mod:`._normalise` -- **input it cannot read** and **maps it does not have**: pyx12 is fed a
  normalised text rebuilt from our own lexer's segments, with a line -> segment map so that
  every finding points at *our* segment number, and with ISA12/GS08/ST03 rewritten to the guide
  version pyx12 has a map for; each rewrite is reported in ``aliases`` (rule X12002).
* :mod:`._pyx12` -- **crashes**: pyx12's reader, map walker and segment validator driven in a
  loop that mirrors ``x12n_document``, with per-transaction-set map choice and recovery from
  the over-long-composite ``IndexError``. Anything else pyx12 raises becomes ``validated=False``
  with one explanatory issue; nothing escapes.
* :mod:`._messages` -- **PHI in messages**: pyx12 quotes element values; every message is
  rewritten from known templates and scrubbed of the segment's own values.
* :mod:`._ack` -- the optional **999** for the validated input, written by pyx12's own 999
  visitor from pyx12's error tree, built during the same pass.

The default engine is the **compiled validator** (``_tr3_*``, see ``docs/validator.md``): the
same normalised text, pyx12's maps compiled once into plain tables, pyx12's reader, walker and
segment checks reproduced over them, and the 999 written by pyx12's writer from its events. It
gives the same issues and 999 as the adapter above (``validator="pyx12"``), which stays as the
reference the differential tests compare against. The compiled modules use pyx12's data-type
and syntax helpers, its segment class and error tree (for the 999), and its map loader on a
cache miss; they never run pyx12's walker or validators.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Final, Literal

from edi_scrub.errors import InputError
from edi_scrub.x12._ack import AckTree
from edi_scrub.x12._issues import StructuralIssue, StructuralLevel, StructuralResult
from edi_scrub.x12._messages import WS_RE
from edi_scrub.x12._messages import scrub as _scrub  # noqa: F401 - used by the tests
from edi_scrub.x12._normalise import Normaliser, PieceReader, Plain
from edi_scrub.x12._pyx12 import Collector, NoMap, X12Error, drive
from edi_scrub.x12._tr3_split import Resplit, split_segments
from edi_scrub.x12.lexer import Segment, iter_segments

__all__ = [
    "VALIDATORS",
    "StructuralIssue",
    "StructuralLevel",
    "StructuralResult",
    "validate_bytes",
    "validate_path",
    "validate_segments",
]


def _engine_failure(
    message: str,
    segment: int,
    seg_id: str,
    aliases: Iterable[str],
    ack: bool,
) -> StructuralResult:
    issue = StructuralIssue(
        segment=segment,
        segment_id=seg_id,
        element="",
        level=StructuralLevel.INTERCHANGE,
        code="ENGINE",
        ack_codes="",
        message=WS_RE.sub(" ", message).strip(),
        transaction=-1,
    )
    note = "the input could not be validated" if ack else ""
    return StructuralResult((issue,), "", tuple(aliases), validated=False, ack_note=note)


#: ``compiled`` (default): pyx12's maps compiled once (:mod:`._tr3_validate`); ``pyx12``: pyx12
#: itself, the reference the compiled validator is tested against.
VALIDATORS: Final = ("compiled", "pyx12")
Validator = Literal["compiled", "pyx12"]
# Segments kept while the compiled validator may still hand the input to pyx12 (a pre-5010 map
# is only known at the first GS); beyond this a late hand-over is reported as not validated.
_REPLAY_MAX: Final = 2000


class _Recorder:
    """Iterates ``segments`` and keeps the first ones, so they can be read again."""

    def __init__(self, segments: Iterable[Segment | Plain]) -> None:
        self._it = iter(segments)
        self.kept: list[Segment | Plain] = []
        self.complete = True

    def __iter__(self) -> Iterator[Segment | Plain]:
        kept = self.kept
        for seg in self._it:
            if len(kept) >= _REPLAY_MAX:
                self.complete, self.kept = False, []
                yield seg
                yield from self._it  # past the replay limit: nothing more to keep
                return
            kept.append(seg)
            yield seg

    def replay(self) -> Iterator[Segment | Plain]:
        yield from self.kept
        yield from self._it


def _validate_compiled(
    segments: Iterable[Segment | Plain], where: str, ack: bool
) -> StructuralResult:
    from edi_scrub.x12 import _tr3_validate as tr3  # noqa: PLC0415 - keeps import light

    recorder = _Recorder(segments)
    norm = Normaliser(recorder)
    tree = AckTree(norm.originals) if ack else None
    coll = tr3.collector(norm.lines, tree)
    try:
        used = tr3.run(norm.pieces_bare(), coll, norm.aliases)
    except tr3.Unsupported:
        if recorder.complete:
            return validate_segments(recorder.replay(), where, ack=ack, validator="pyx12")
        return _engine_failure(
            f"{where}: not validated: a pre-5010 group after the first segments "
            "(use --validator pyx12)",
            coll.segment,
            coll.seg_id,
            norm.aliases,
            ack,
        )
    except tr3.NoMapFound as exc:
        return _engine_failure(
            f"{where}: not validated: {exc.message}",
            coll.segment,
            coll.seg_id,
            norm.aliases,
            ack,
        )
    except InputError as exc:
        return _engine_failure(f"not validated: {exc}", 0, "", norm.aliases, ack)
    except IndexError:
        # pyx12's X12Reader fails the same way on a trailer (IEA, GE) with no open loop, and the
        # pyx12 adapter reports that failure: the same finding, so both validators agree.
        return _engine_failure(
            f"{where}: not validated: pyx12 failed (IndexError)",
            coll.segment,
            coll.seg_id,
            norm.aliases,
            ack,
        )
    except tr3.ReaderRefused:
        segment = coll.segment or norm.lines.index_of(1)
        return _engine_failure(
            f"{where}: not validated: pyx12 could not read the interchange header "
            "(it supports ISA12 00401 and 00501)",
            segment,
            coll.seg_id if coll.segment else ("ISA" if segment else ""),
            norm.aliases,
            ack,
        )
    return _validated(norm, coll.issues, tree, used)


def _validated(
    norm: Normaliser, found: list[StructuralIssue], tree: AckTree | None, used: list[str]
) -> StructuralResult:
    """The result of a validation that ran to the end (either validator)."""
    issues = sorted(norm.issues + found, key=lambda issue: issue.segment)
    text, note = tree.render() if tree is not None else (None, "")
    return StructuralResult(
        issues=tuple(issues),
        implementation=",".join(used),
        aliases=tuple(norm.aliases),
        validated=True,
        ack=text,
        ack_note=note,
    )


def validate_segments(
    segments: Iterable[Segment | Plain],
    where: str = "<input>",
    *,
    ack: bool = False,
    validator: Validator = "compiled",
) -> StructuralResult:
    """Validate ``segments`` (from :mod:`edi_scrub.x12.lexer`) against pyx12's TR3 maps.

    Never raises for bad input: when pyx12 cannot validate at all, the result has
    ``validated=False`` and one issue (code ``ENGINE``) saying why.

    With ``ack=True`` the result also carries the 999 acknowledging the input (``ack``): one
    AK2/IK5 per transaction set (``A`` accepted, ``R`` rejected, with IK3/IK4 for the segments
    and elements in error) and one AK9 per functional group. When no 999 can be made (input
    not validated, an acknowledgement or non-5010 input, a pyx12 failure) ``ack`` is ``None``
    and ``ack_note`` says why. Asking for the 999 does not change the issues.

    ``validator`` picks the engine (:data:`VALIDATORS`); both give the same issues and 999.
    """
    if validator == "compiled":
        return _validate_compiled(segments, where, ack)
    norm = Normaliser(segments)
    tree = AckTree(norm.originals) if ack else None
    coll = Collector(norm.lines, tree)
    try:
        used = drive(PieceReader(norm.pieces()), coll, norm.aliases)
    except NoMap as exc:
        return _engine_failure(
            f"{where}: not validated: {exc.message}",
            coll.segment,
            coll.segment_id,
            norm.aliases,
            ack,
        )
    except InputError as exc:
        return _engine_failure(f"not validated: {exc}", 0, "", norm.aliases, ack)
    except X12Error:
        # X12Reader refuses the ISA itself; after normalisation that means an ISA12 it has no
        # control map for (or no segments at all).
        segment = coll.segment or norm.lines.index_of(1)
        return _engine_failure(
            f"{where}: not validated: pyx12 could not read the interchange header "
            "(it supports ISA12 00401 and 00501)",
            segment,
            coll.segment_id if coll.segment else ("ISA" if segment else ""),
            norm.aliases,
            ack,
        )
    except Exception as exc:
        return _engine_failure(
            f"{where}: not validated: pyx12 failed ({type(exc).__name__})",
            coll.segment,
            coll.segment_id,
            norm.aliases,
            ack,
        )
    return _validated(norm, coll.issues, tree, used)


def validate_bytes(
    data: bytes,
    where: str = "<input>",
    *,
    ack: bool = False,
    validator: Validator = "compiled",
) -> StructuralResult:
    """Lex ``data`` with :mod:`edi_scrub.x12.lexer` and validate it (see
    :func:`validate_segments`). Input the lexer rejects gives ``validated=False``."""
    return _validate_stream(lambda: io.BytesIO(data), where, ack, validator)


def validate_path(
    path: Path,
    where: str = "<input>",
    *,
    ack: bool = False,
    validator: Validator = "compiled",
) -> StructuralResult:
    """:func:`validate_bytes` for the file at ``path``, read as a stream (flat memory)."""
    return _validate_stream(lambda: path.open("rb"), where, ack, validator)


def _validate_stream(
    open_stream: Callable[[], BinaryIO], where: str, ack: bool, validator: Validator
) -> StructuralResult:
    # The cheaper split (:mod:`._tr3_split`) when it covers the input, else the lexer's
    # segments from the start: the same segments either way.
    try:
        with open_stream() as stream:
            return validate_segments(
                split_segments(stream, where), where, ack=ack, validator=validator
            )
    except Resplit:
        pass
    with open_stream() as stream:
        return validate_segments(iter_segments(stream, where), where, ack=ack, validator=validator)
