"""The atheris harness (fuzz/fuzz_scrub.py) still runs: its target accepts the samples and a
crash input it once found. Skipped where atheris is not installed (it is not a dev dependency)."""

from __future__ import annotations

from types import ModuleType

import pytest
import structlog

from tests.builders import P, build
from tests.conftest import SAMPLES
from tests.scripts import load_script


def _harness(name: str = "fuzz_scrub") -> ModuleType:
    pytest.importorskip("atheris")
    return load_script(f"fuzz/{name}.py")


def test_harness_target_accepts_samples_and_past_crashes() -> None:
    saved = structlog.get_config()  # the harness silences logging process-wide
    try:
        target = _harness().test_one_input
        for path in sorted(SAMPLES.glob("*.837")):
            target(path.read_bytes())
        target(build(P).replace(b"GE*1*1", b"GE"))  # was an IndexError, exit 3
        target(build(P).replace(b"LX*1~", b"LX*\xb2~"))  # was a ValueError, exit 3
        target(b"not x12 at all")  # exit 2 is a normal outcome
    finally:
        structlog.configure(**saved)


def test_api_harness_target_accepts_samples_and_refusals() -> None:
    """fuzz/fuzz_api.py (the API entry: bytes in, OUT + REJECTS, JSON/text/HTML reports)."""
    saved = structlog.get_config()
    try:
        target = _harness("fuzz_api").test_one_input
        for path in sorted(SAMPLES.glob("*.837")):
            target(path.read_bytes())
        target(build(P) * 2 + b"\x00\x1a")
        target(b"\x1f\x8b\x08\x00")  # gzip: exit 2 is a normal outcome
        target(b"")
    finally:
        structlog.configure(**saved)
