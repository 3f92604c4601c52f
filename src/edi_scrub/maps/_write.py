"""Writing a map: stable layout, and a file that is either the old one or a valid new one.

Importers build an lxml tree, serialize it with :func:`serialize` (same tree → same bytes, so a
re-import is byte-identical) and hand the bytes to :func:`write_atomically`, which writes a
temporary file beside the target, loads it back through the real loader (schema and loader
checks) and only then renames it into place. A failure at any step leaves the maps directory as
it was, including not creating it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from edi_scrub.errors import ConfigError

_INDENT = "  "


def editing_parser() -> etree.XMLParser:
    """A parser for re-reading a map that its loader has already accepted.

    Same safety switches as the loaders; blank text is dropped so that :func:`serialize` lays
    the whole file out again the same way whatever the old indentation was.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_blank_text=True,
    )


def _indent(el: etree._Element, level: int) -> None:
    children = list(el)
    if not children:
        return
    pad = "\n" + _INDENT * (level + 1)
    if not (el.text or "").strip():
        el.text = pad
    for child in children:
        if isinstance(child.tag, str):  # comments have no children to lay out
            _indent(child, level + 1)
        if not (child.tail or "").strip():
            child.tail = pad
    children[-1].tail = "\n" + _INDENT * level


def serialize(root: etree._Element) -> bytes:
    """``root``'s document (leading comments included) as UTF-8, two-space indented."""
    _indent(root, 0)
    # Top-level comments have no tail to carry a newline, so each node is serialized on its own.
    before = reversed(list(root.itersiblings(preceding=True)))
    nodes = [*before, root, *root.itersiblings()]
    parts = [etree.tostring(node, encoding="UTF-8", with_tail=False) for node in nodes]
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + b"\n".join(parts) + b"\n"


def _missing_dirs(folder: Path) -> list[Path]:
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    return missing


def write_atomically(target: Path, data: bytes, check: Callable[[Path], object]) -> None:
    """Write ``data`` to ``target`` only if ``check`` (a loader) accepts it.

    ``check`` is called on the temporary file; its :class:`ConfigError` is re-raised with the
    target's name in place of the temporary one. Folders created for the target are removed
    again when the write fails.
    """
    created = _missing_dirs(target.parent)
    tmp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        tmp = Path(name)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file 0600; keep an existing map's mode, else the usual 0644.
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
        tmp.chmod(mode)
        try:
            check(tmp)
        except ConfigError as exc:
            raise ConfigError(str(exc).replace(str(tmp), str(target))) from None
        os.replace(tmp, target)
        tmp = None
        created = []
    except OSError as exc:
        raise ConfigError(f"{target}: cannot write map: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        for folder in created:  # deepest first: _missing_dirs walks upwards
            try:
                folder.rmdir()
            except OSError:
                break
