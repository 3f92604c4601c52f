"""Load one of the repository's scripts (``benchmarks/*.py``, ``fuzz/*.py``) as a module.

They are not packages and are run by path, so tests load them from their file instead of
importing them.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]


def load_script(relative: str) -> ModuleType:
    """Execute ``REPO / relative`` as a fresh module named after its file, and return it."""
    path = REPO / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module  # its dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module
