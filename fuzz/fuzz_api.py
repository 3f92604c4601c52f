#!/usr/bin/env python3
"""Coverage-guided fuzzing of the public API entry (``edi_scrub.scrub``), not run in CI.

Where ``fuzz_scrub.py`` drives ``pipeline.scrub`` on a file, this drives what the CLI and a
library caller use: bytes in (the spool, the path guard), OUT and REJECTS streams, the 999, and
the JSON, text and HTML reports. A crash is any exception other than ``InputError`` /
``ConfigError`` (exit 2), or a broken invariant:

- OUT + REJECTS hold as many claims as the report counts,
- the JSON report is valid UTF-8 JSON with no lone surrogate (strict readers refuse those),
- the text and HTML reports render.

Run (see README, "Fuzzing")::

    .venv/bin/pip install atheris
    nice -n 19 .venv/bin/python fuzz/fuzz_api.py fuzz/corpus -max_total_time=600 \
        -max_len=65536 -artifact_prefix=fuzz/crashes/
"""

from __future__ import annotations

import io
import json
import logging
import sys

import atheris
import structlog

with atheris.instrument_imports():
    import edi_scrub
    from edi_scrub._api import render_report
    from edi_scrub.errors import ConfigError, InputError
    from edi_scrub.x12.lexer import read_segments

structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
_OPTIONS = edi_scrub.Options(structure=False)


def _strict(value: object) -> None:
    """Raise when a string in ``value`` is not encodable as UTF-8 (a lone surrogate)."""
    if isinstance(value, str):
        value.encode("utf-8")
    elif isinstance(value, dict):
        for k, v in value.items():
            _strict(k)
            _strict(v)
    elif isinstance(value, list):
        for v in value:
            _strict(v)


def test_one_input(data: bytes) -> None:
    out, rejects = io.BytesIO(), io.BytesIO()
    try:
        result = edi_scrub.scrub(data, out, options=_OPTIONS, rejects=rejects)
    except (InputError, ConfigError):
        return
    text = result.to_json().encode("utf-8")
    _strict(json.loads(text.decode("utf-8")))
    b"".join(render_report(result.report, "text"))
    b"".join(render_report(result.report, "html"))
    seen = 0
    for chunk in (out.getvalue(), rejects.getvalue()):
        if chunk:
            seen += sum(1 for s in read_segments(chunk) if s.seg_id == "CLM")
    if seen != result.summary.claims:
        raise AssertionError(
            f"claims in OUT + REJECTS: {seen}, in the report: {result.summary.claims}"
        )


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
