"""Configuration files: ``edi-scrub.toml``, or a ``[tool.edi-scrub]`` table in ``pyproject.toml``.

Found the way ruff and black find theirs: from the current directory up to the filesystem root,
the first folder holding an ``edi-scrub.toml`` (its top-level keys) or a ``pyproject.toml`` with a
``[tool.edi-scrub]`` table wins (``edi-scrub.toml`` first when a folder has both). ``--config FILE``
names the file instead; ``--no-config`` uses none.

Discovery starts from the current directory for every command, ``batch`` included (not from IN or
INDIR): one run has one configuration, a scheduled job pins it with its working directory, and
``edi-scrub - -`` has no input path to start from.

Keys are kebab-case, like the command-line options::

    select = ["NDC", "MOD"]          # rule ids, names or families
    ignore = ["DX002"]
    fail-on = "warning"              # error | warning | info
    fix = true                       # false: report only (--no-fix)
    unsafe-fixes = false
    payer-profile = "auto"           # a profile id, or auto
    maps = "maps"                    # relative to this file's folder
    report-format = "json"           # json | text | html
    exit-zero = false
    structure = true                 # false: skip pyx12 (--no-structure)
    validator = "compiled"           # compiled | pyx12 (--validator)
    log-format = "auto"              # auto | console | json
    workers = 4                      # batch
    engine = "process"               # batch: process | dask

A key a command has no option for (``workers`` for ``scrub``) is ignored by that command. An
unknown key, a wrong type or a bad value is a :class:`~edi_scrub.errors.ConfigError` naming the file
and the key (tomllib reports no line numbers for values; syntax errors carry tomllib's line).
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from edi_scrub.errors import ConfigError
from edi_scrub.rules import select_rules

CONFIG_FILE = "edi-scrub.toml"
PYPROJECT = "pyproject.toml"
TOOL_TABLE = "edi-scrub"

FAIL_ON = ("error", "warning", "info")
REPORT_FORMATS = ("json", "text", "html")
LOG_FORMATS = ("auto", "console", "json")
ENGINES = ("process", "dask")
VALIDATORS = ("compiled", "pyx12")

KEYS = (
    "select",
    "ignore",
    "fail-on",
    "fix",
    "unsafe-fixes",
    "payer-profile",
    "maps",
    "report-format",
    "exit-zero",
    "structure",
    "validator",
    "log-format",
    "workers",
    "engine",
)


@dataclass(frozen=True, slots=True)
class Config:
    """The settings of one config file; ``None`` means the file does not set that key."""

    #: The file these settings came from (None: no config file).
    path: Path | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    fail_on: str | None = None
    fix: bool | None = None
    unsafe_fixes: bool | None = None
    payer_profile: str | None = None
    #: Absolute: a relative ``maps`` is resolved against the config file's folder.
    maps: Path | None = None
    report_format: str | None = None
    exit_zero: bool | None = None
    structure: bool | None = None
    validator: str | None = None
    log_format: str | None = None
    workers: int | None = None
    engine: str | None = None

    def params(self) -> dict[str, object]:
        """The values this file sets, keyed by the command-line parameter they stand for."""
        # The CLI's flags are negative (--no-fix, --no-structure); the file's keys are positive
        # because `no-fix = false` is a double negative nobody should have to read.
        pairs: tuple[tuple[str, object], ...] = (
            ("select", self.select),
            ("ignore", self.ignore),
            ("fail_on", self.fail_on),
            ("no_fix", None if self.fix is None else not self.fix),
            ("unsafe_fixes", self.unsafe_fixes),
            ("payer_profile", self.payer_profile),
            ("maps_dir", self.maps),
            ("report_format", self.report_format),
            ("exit_zero", self.exit_zero),
            ("no_structure", None if self.structure is None else not self.structure),
            ("validator", self.validator),
            ("log_format", self.log_format),
            ("workers", self.workers),
            ("engine", self.engine),
        )
        return {name: value for name, value in pairs if value is not None}


class Table:
    """Typed access to one config table; every problem names the file and the key.

    Also the validation of the Python API's ``Options`` (one code path, one set of messages):
    there ``origin`` is ``"Options"`` instead of a file, ``keys`` are the snake_case names and
    ``base`` (for a relative ``maps``) is the current directory.
    """

    def __init__(
        self,
        data: Mapping[str, object],
        path: Path,
        *,
        origin: str | None = None,
        keys: tuple[str, ...] = KEYS,
        base: Path | None = None,
    ) -> None:
        self._data = data
        self._origin = str(path) if origin is None else origin
        self._base = path.parent if base is None else base
        for key in data:
            if key not in keys:
                raise ConfigError(f"{self._origin}: unknown key {key!r} (known: {', '.join(keys)})")

    def _fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self._origin}: key {key!r}: {problem}")

    def _typed(self, key: str, kind: type[object], name: str) -> object:
        value = self._data.get(key)
        # bool is an int subclass, so `workers = true` must be refused explicitly.
        if value is not None and (
            not isinstance(value, kind) or (kind is int and isinstance(value, bool))
        ):
            raise self._fail(key, f"expected {name}, got {type(value).__name__} {value!r}")
        return value

    def flag(self, key: str) -> bool | None:
        value = self._typed(key, bool, "true or false")
        return value if isinstance(value, bool) else None

    def text(self, key: str) -> str | None:
        value = self._typed(key, str, "a string")
        if value == "":
            raise self._fail(key, "must not be empty")
        return value if isinstance(value, str) else None

    def choice(self, key: str, choices: tuple[str, ...]) -> str | None:
        value = self.text(key)
        if value is not None and value not in choices:
            raise self._fail(key, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def selectors(self, key: str) -> tuple[str, ...] | None:
        """A list of rule selectors, checked for type only (see :meth:`rules`)."""
        value = self._typed(key, list, "a list of rule ids, names or families")
        if not isinstance(value, list):
            return None
        selectors: list[str] = []
        for item in value:
            if not isinstance(item, str) or not item.strip():
                raise self._fail(key, f"expected rule ids, names or families, got {item!r}")
            selectors.append(item.strip())
        return tuple(selectors)

    def rules(self, key: str) -> tuple[str, ...] | None:
        selectors = self.selectors(key)
        if selectors is None:
            return None
        try:
            # Checked here so the message names this file, not just the selector.
            select_rules(selectors, ())
        except ConfigError as exc:
            raise self._fail(key, str(exc)) from None
        return tuple(selectors)

    def count(self, key: str) -> int | None:
        value = self._typed(key, int, "a whole number")
        if isinstance(value, int) and value < 1:
            raise self._fail(key, f"must be at least 1, got {value}")
        return value if isinstance(value, int) else None

    def folder(self, key: str) -> Path | None:
        value = self.text(key)
        if value is None:
            return None
        # Relative to the file, not the working directory: a config means the same wherever
        # the command is started from below it.
        folder = (self._base / Path(value).expanduser()).resolve()
        if not folder.is_dir():
            raise self._fail(key, f"{value!r} is not a directory ({folder})")
        return folder


def parse_config(data: Mapping[str, object], path: Path) -> Config:
    """The :class:`Config` of one table (top level of ``edi-scrub.toml``, or ``tool.edi-scrub``)."""
    table = Table(data, path)
    return Config(
        path=path,
        select=table.rules("select"),
        ignore=table.rules("ignore"),
        fail_on=table.choice("fail-on", FAIL_ON),
        fix=table.flag("fix"),
        unsafe_fixes=table.flag("unsafe-fixes"),
        payer_profile=table.text("payer-profile"),
        maps=table.folder("maps"),
        report_format=table.choice("report-format", REPORT_FORMATS),
        exit_zero=table.flag("exit-zero"),
        structure=table.flag("structure"),
        validator=table.choice("validator", VALIDATORS),
        log_format=table.choice("log-format", LOG_FORMATS),
        workers=table.count("workers"),
        engine=table.choice("engine", ENGINES),
    )


def _toml(path: Path) -> dict[str, object]:
    try:
        # A UTF-8 byte order mark (Windows Notepad writes one) is not TOML's business: tomllib
        # called it an "Invalid statement (at line 1, column 1)".
        return tomllib.loads(path.read_bytes().decode("utf-8").removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _tool_table(path: Path, data: Mapping[str, object]) -> Mapping[str, object] | None:
    tool = data.get("tool")
    table = tool.get(TOOL_TABLE) if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{TOOL_TABLE}] must be a table")
    return table


def read_config(path: Path) -> Config:
    """The config in ``path``: a ``pyproject.toml``'s ``[tool.edi-scrub]``, else top-level keys."""
    data = _toml(path)
    if path.name != PYPROJECT:
        return parse_config(data, path)
    table = _tool_table(path, data)
    if table is None:
        raise ConfigError(f"{path}: no [tool.{TOOL_TABLE}] table")
    return parse_config(table, path)


def _mentions_us(path: Path) -> bool:
    # Most pyproject.toml files on the way up belong to other tools; one that never names
    # edi-scrub cannot hold our table, so it is skipped unparsed (even when it is broken).
    try:
        return TOOL_TABLE in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def find_config(start: Path) -> Path | None:
    """The config file that applies in ``start``: the nearest one on the way up, or None."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        if os.path.lexists(candidate):
            # Skipping it (as before) ran without the team's settings, or with a parent
            # folder's, and nobody knew: a dangling link to an unmounted share, a FIFO.
            raise ConfigError(
                f"{candidate}: {_not_regular(candidate)}, not a config file "
                "(remove it, or use --config FILE or --no-config)"
            )
        pyproject = folder / PYPROJECT
        if (
            pyproject.is_file()
            and _mentions_us(pyproject)
            and _tool_table(pyproject, _toml(pyproject)) is not None
        ):
            return pyproject
    return None


def _not_regular(path: Path) -> str:
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return "a broken symbolic link" if path.is_symlink() else (exc.strerror or "unreadable")
    if stat.S_ISDIR(mode):
        return "a directory"
    return "a FIFO" if stat.S_ISFIFO(mode) else "a device or other special file"


def load_config(explicit: Path | None = None, isolated: bool = False) -> Config:
    """The config a command runs with: ``explicit`` (``--config``), else the one found from the
    current directory; an empty :class:`Config` with ``isolated`` (``--no-config``) or none found.
    """
    if isolated and explicit is not None:
        raise ConfigError("--config FILE and --no-config exclude each other")
    if isolated:
        return Config()
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: config file not found (--config FILE)")
        return read_config(explicit)
    try:
        start = Path.cwd()
    except OSError:
        return Config()  # the working directory was removed: nothing to discover from
    found = find_config(start)
    return Config() if found is None else read_config(found)
