"""Where the bundled ``maps/`` directory is, installed or in a source checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from edi_scrub.errors import ConfigError


def bundled_maps_dir() -> Path:
    """The directory holding the maps shipped with edi-scrub (``drugs.xml``, ``payers/``, ...).

    A wheel force-includes the top-level ``maps/`` as ``edi_scrub/_maps`` (see pyproject.toml);
    an editable install or a source checkout has no ``_maps``, so fall back to the repository's
    top-level ``maps/``. Raises :class:`ConfigError` when neither exists (a broken install).
    """
    packaged = resources.files("edi_scrub") / "_maps"
    # Wheels install on the file system, where the traversable is a real path; a zipped
    # install would need as_file() extraction, which edi-scrub does not support.
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "maps"
    if checkout.is_dir():
        return checkout
    raise ConfigError(f"{packaged}: bundled maps not found (nor {checkout}); reinstall edi-scrub")
