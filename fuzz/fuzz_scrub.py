#!/usr/bin/env python3
"""Coverage-guided fuzzing of the scrub pipeline with atheris (not run in CI).

Each input is written to a file and scrubbed in-process (``--no-structure`` by default: pyx12 is
about ten times slower per input; set ``EDI_SCRUB_FUZZ_STRUCTURE=1`` to include it). A crash is
any exception other than ``InputError``/``ConfigError`` (exit 2), or a broken invariant:

- the output re-reads (scrubbing it raises nothing),
- a second scrub changes nothing (idempotence),
- the second scrub sees as many claims as the first.

Run (see README, "Fuzzing")::

    .venv/bin/pip install atheris
    nice -n 19 .venv/bin/python fuzz/fuzz_scrub.py fuzz/corpus -max_total_time=1800 \
        -max_len=65536 -artifact_prefix=fuzz/crashes/
"""

from __future__ import annotations

import io
import logging
import os
import sys
import tempfile
from pathlib import Path

import atheris
import structlog

with atheris.instrument_imports():
    from edi_scrub.errors import ConfigError, InputError
    from edi_scrub.pipeline import Options, scrub

# Logs are not what is fuzzed, and writing them slows every run down.
structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
_DIR = Path(tempfile.mkdtemp(prefix="edi-scrub-fuzz-"))
_IN, _OUT = _DIR / "in.837", _DIR / "out.837"
_OPTIONS = Options(structure=os.environ.get("EDI_SCRUB_FUZZ_STRUCTURE") == "1")


def _scrub(data: bytes, path: Path) -> tuple[bytes, int] | None:
    path.write_bytes(data)
    out = io.BytesIO()
    try:
        report = scrub(path, out, _OPTIONS)
    except (InputError, ConfigError):
        return None  # exit 2: refused input is a normal outcome
    return out.getvalue(), report.summary.claims


def test_one_input(data: bytes) -> None:
    first = _scrub(data, _IN)
    if first is None:
        return
    output, claims = first
    second = _scrub(output, _OUT)
    if second is None:
        raise AssertionError("the scrubbed output does not re-read")
    again, claims_again = second
    if again != output:
        raise AssertionError("a second scrub changed the output (not idempotent)")
    if claims_again != claims:
        raise AssertionError(f"claims in the output: {claims_again}, in the input: {claims}")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
