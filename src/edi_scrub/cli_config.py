"""The command-line side of the config file: ``--config FILE``, ``--no-config`` and precedence.

Precedence is the usual one: an option given on the command line wins over the config file, and
the config file wins over the option's default. Click records where each value came from, so a
value is taken from the config only where its source is ``DEFAULT`` (an option not given).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

import click
from click.core import ParameterSource

from edi_scrub.config import load_config
from edi_scrub.errors import ConfigError

_F = TypeVar("_F", bound=Callable[..., None])


def with_config(func: _F) -> _F:
    """Add ``--config``/``--no-config`` to a command and fill its unset options from the config.

    Put it under the command's other option decorators (nearest the ``def``). The command itself
    never sees ``config_path``/``no_config``; it gets its parameters with the config applied. A
    bad config exits 2 with one line before the command runs, so nothing is written.
    """

    @functools.wraps(func)
    def wrapper(**kwargs: object) -> None:
        ctx = click.get_current_context()
        explicit = kwargs.pop("config_path")
        isolated = bool(kwargs.pop("no_config"))
        try:
            config = load_config(explicit if isinstance(explicit, Path) else None, isolated)
        except ConfigError as exc:
            click.echo(f"edi-scrub: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        for name, value in config.params().items():
            if name in kwargs and ctx.get_parameter_source(name) is ParameterSource.DEFAULT:
                kwargs[name] = value
        func(**kwargs)

    decorated = click.option(
        "--no-config",
        is_flag=True,
        help="Use no config file (edi-scrub.toml / [tool.edi-scrub]).",
    )(wrapper)
    decorated = click.option(
        "--config",
        "config_path",
        metavar="FILE",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Config file to use instead of the edi-scrub.toml or pyproject.toml "
        "[tool.edi-scrub] found from the current directory up.",
    )(decorated)
    return cast(_F, decorated)
