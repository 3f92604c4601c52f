"""Generated 837 files for tests: ``benchmarks/gen837.py`` loaded once as a module.

Importing it (rather than running it as a subprocess) keeps generation in-process and fast; the
same seed always gives the same bytes.
"""

from __future__ import annotations

import contextlib
import io
from functools import cache
from pathlib import Path
from types import ModuleType

from tests.scripts import load_script

REPO = Path(__file__).resolve().parents[1]

__all__ = ["gen837", "generate"]


@cache
def gen837() -> ModuleType:
    """The generator module (loaded once per test process)."""
    return load_script("benchmarks/gen837.py")


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
