"""Where a user's own maps live: imports write there, never into the installed package.

The bundled ``maps/`` is read-only data shipped with edi-scrub (a reinstall would silently drop
anything written into it, and a shared install must not be changed by one user's import). User
maps go to ``$EDI_SCRUB_MAPS`` when set, else ``$XDG_DATA_HOME/edi-scrub/maps``, else
``~/.local/share/edi-scrub/maps`` (the XDG base-directory default).
"""

from __future__ import annotations

import os
from pathlib import Path

import edi_scrub
from edi_scrub.errors import ConfigError
from edi_scrub.maps._locate import bundled_maps_dir

ENV_VAR = "EDI_SCRUB_MAPS"


def default_user_maps_dir() -> Path:
    """The user maps directory (it may not exist yet)."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    # The XDG spec says to ignore a relative XDG_DATA_HOME.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "edi-scrub" / "maps"


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def writable_maps_dir(folder: Path) -> Path:
    """``folder`` (``~`` expanded), refused when it is in the bundled maps or the package.

    Raises :class:`ConfigError`: writing there would change the installed edi-scrub (or, in a
    source checkout, the shipped data) for everyone.
    """
    folder = folder.expanduser()
    resolved = folder.resolve()
    package = Path(edi_scrub.__file__).resolve().parent
    for protected in (bundled_maps_dir().resolve(), package):
        if _inside(resolved, protected):
            raise ConfigError(
                f"{folder}: refusing to write into the bundled maps or the installed package "
                f"({protected}); use --maps DIR or ${ENV_VAR}"
            )
    if resolved.exists() and not resolved.is_dir():
        raise ConfigError(f"{folder}: not a directory")
    return folder
