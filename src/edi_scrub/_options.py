"""``Options``: what a run does, named like the config file's keys (in snake_case).

Validated when built, by the code that validates the config file (``config.Table``) and with
the CLI's own checks (rule selectors, maps, payer profile), so a bad value raises the same
:class:`~edi_scrub.errors.ConfigError` the command line reports, before anything is read.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from edi_scrub.config import FAIL_ON, VALIDATORS, Table
from edi_scrub.errors import ConfigError
from edi_scrub.maps.layers import AUTO, load_maps, user_maps_dir
from edi_scrub.rules import select_rules
from edi_scrub.x12._ack import CONTROL_NUMBER_MAX

_KEYS = (
    "select",
    "ignore",
    "fail_on",
    "fix",
    "unsafe_fixes",
    "payer_profile",
    "maps",
    "structure",
    "exit_zero",
    "ack_control_number",
    "validator",
    "jobs",
)


def _selectors(value: Sequence[str] | str) -> object:
    # A string is a comma-separated list, as on the command line (`--select NDC,MOD`).
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value) if isinstance(value, list | tuple) else value


@dataclass(frozen=True, slots=True, init=False)
class Options:
    """What a scrub does; the defaults are the CLI's.

    ``Options(fail_on="warning", payer_profile="medicare-part-b", maps="my-maps")``. ``select``
    and ``ignore`` take rule ids, names or families (a list, or one comma-separated string);
    ``maps`` is a user maps directory layered over the bundled maps (default: ``$EDI_SCRUB_MAPS``
    or the XDG user maps directory, when it exists). ``ack_control_number`` is the 999's ISA13
    (default: the next number of the counter file ``ack-control-number`` in the maps
    directory). Raises :class:`ConfigError` for a bad value.
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str = "error"
    fix: bool = True
    unsafe_fixes: bool = False
    payer_profile: str = AUTO
    maps: Path | None = None
    structure: bool = True
    exit_zero: bool = False
    #: ISA13/IEA02 of the 999 (``ack=``); None: the next number of the maps directory's counter.
    ack_control_number: int | None = None
    #: The TR3 validator: ``compiled`` (pyx12's maps compiled, fast) or ``pyx12`` itself.
    validator: str = "compiled"
    #: Processes that scrub the claims of one file (:mod:`edi_scrub.parallel`): ``1`` (the
    #: default) scrubs in the calling process, ``N`` forks ``N - 1`` workers beside it,
    #: ``None`` (auto) uses the idle cores for a file of 2 MiB or more. Results are the same
    #: whatever it is. Not auto by default: on an idle 2-core machine two processes were only
    #: 7-14% faster in wall time at 100k claims, for ~10% more CPU and 4-6 MiB more peak RSS
    #: (README, Benchmarks).
    jobs: int | None = 1

    def __init__(
        self,
        *,
        select: Sequence[str] | str = (),
        ignore: Sequence[str] | str = (),
        fail_on: str = "error",
        fix: bool = True,
        unsafe_fixes: bool = False,
        payer_profile: str = AUTO,
        maps: str | os.PathLike[str] | None = None,
        structure: bool = True,
        exit_zero: bool = False,
        ack_control_number: int | None = None,
        validator: str = "compiled",
        jobs: int | None = 1,
    ) -> None:
        data: dict[str, object] = {
            "fail_on": fail_on,
            "fix": fix,
            "unsafe_fixes": unsafe_fixes,
            "payer_profile": payer_profile,
            "structure": structure,
            "exit_zero": exit_zero,
            "ack_control_number": ack_control_number,
            "validator": validator,
            "jobs": jobs,
        }
        table = Table(data, Path("Options"), origin="Options", keys=_KEYS, base=Path.cwd())
        checked_select = _rules(table, "select", select)
        checked_ignore = _rules(table, "ignore", ignore)
        # The CLI's check and message for rule selectors (`unknown rule selector ...`).
        select_rules(checked_select, checked_ignore)
        folder = _folder(maps)
        profile = table.text("payer_profile") or AUTO
        # The maps load (and are cached) now: a bad map or an unknown payer profile is the
        # CLI's error, raised here rather than in the middle of a run.
        load_maps(user_maps_dir(folder)).chooser(profile)
        object.__setattr__(self, "select", checked_select)
        object.__setattr__(self, "ignore", checked_ignore)
        object.__setattr__(self, "fail_on", str(table.choice("fail_on", FAIL_ON) or "error"))
        object.__setattr__(self, "fix", _flag(table, "fix", default=True))
        object.__setattr__(self, "unsafe_fixes", _flag(table, "unsafe_fixes", default=False))
        object.__setattr__(self, "payer_profile", profile)
        object.__setattr__(self, "maps", folder)
        object.__setattr__(self, "structure", _flag(table, "structure", default=True))
        object.__setattr__(self, "exit_zero", _flag(table, "exit_zero", default=False))
        object.__setattr__(self, "ack_control_number", _control_number(table))
        object.__setattr__(
            self, "validator", str(table.choice("validator", VALIDATORS) or "compiled")
        )
        object.__setattr__(self, "jobs", table.count("jobs"))


def _rules(table: Table, key: str, value: Sequence[str] | str) -> tuple[str, ...]:
    checked = Table({key: _selectors(value)}, Path("Options"), origin="Options", keys=_KEYS)
    return checked.selectors(key) or ()


def _flag(table: Table, key: str, default: bool) -> bool:
    value = table.flag(key)
    return default if value is None else value


def _folder(maps: str | os.PathLike[str] | None) -> Path | None:
    if maps is None:
        return None
    if not isinstance(maps, str | os.PathLike):
        raise ConfigError(f"Options: key 'maps': expected a path, got {type(maps).__name__}")
    # As given (like --maps DIR): load_maps names a missing folder in the CLI's words.
    return Path(os.fspath(maps)).expanduser()


def _control_number(table: Table) -> int | None:
    number = table.count("ack_control_number")
    if number is not None and number > CONTROL_NUMBER_MAX:
        raise ConfigError(
            f"Options: key 'ack_control_number': must be at most {CONTROL_NUMBER_MAX} "
            f"(nine digits), got {number}"
        )
    return number
