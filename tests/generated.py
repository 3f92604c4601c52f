"""Generated 837 files for tests: ``benchmarks/gen837.py`` loaded once as a module.

Importing it (rather than running it as a subprocess) keeps generation in-process and fast; the
same seed always gives the same bytes.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]

__all__ = ["gen837", "generate"]


@cache
def gen837() -> ModuleType:
    """The generator module (loaded once per test process)."""
    spec = importlib.util.spec_from_file_location("gen837", REPO / "benchmarks" / "gen837.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen837"] = module  # its dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


def generate(
    target: Path,
    kind: str,
    *,
    claims: int,
    seed: int,
    defects: float,
    per_st: int = 0,
) -> bytes:
    """Write a generated interchange to ``target`` and return its bytes (``per_st`` 0: one ST)."""
    args = ["--claims", str(claims), "--kind", kind, "--seed", str(seed)]
    args += ["--defects", str(defects), "--per-st", str(per_st), "-o", str(target)]
    with contextlib.redirect_stderr(io.StringIO()):  # its one-line summary
        assert gen837().main(args) == 0
    return target.read_bytes()
