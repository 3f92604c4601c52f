"""edi-scrub: scrub X12 837P/837I claim files before they go to a payer.

The public API is what ``__all__`` lists; every other module and name is internal::

    import edi_scrub

    result = edi_scrub.scrub(Path("in.837"), options=edi_scrub.Options(fail_on="warning"))
    result.output            # the fixed EDI (bytes), since no `out` was given
    result.report.summary    # counts and exit code; result.to_json() is the CLI's JSON report

See the README's "Use from Python" section.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

__all__ = [
    "ClaimRef",
    "ConfigError",
    "EdiScrubError",
    "ExitCode",
    "Finding",
    "FixStatus",
    "InputError",
    "Options",
    "Outcome",
    "Report",
    "Result",
    "Severity",
    "Summary",
    "__version__",
    "check",
    "scrub",
]

if TYPE_CHECKING:  # what type checkers see; at run time the names are loaded on first use
    from edi_scrub._api import Result, check, scrub
    from edi_scrub._options import Options
    from edi_scrub.errors import ConfigError, EdiScrubError, InputError
    from edi_scrub.exit_codes import ExitCode
    from edi_scrub.fixes.engine import FixStatus, Outcome
    from edi_scrub.report.model import ClaimRef, Report, Summary
    from edi_scrub.rules._base import Finding, Severity

_HOMES = {
    "Result": "edi_scrub._api",
    "check": "edi_scrub._api",
    "scrub": "edi_scrub._api",
    "Options": "edi_scrub._options",
    "ConfigError": "edi_scrub.errors",
    "EdiScrubError": "edi_scrub.errors",
    "InputError": "edi_scrub.errors",
    "ExitCode": "edi_scrub.exit_codes",
    "FixStatus": "edi_scrub.fixes.engine",
    "Outcome": "edi_scrub.fixes.engine",
    "ClaimRef": "edi_scrub.report.model",
    "Report": "edi_scrub.report.model",
    "Summary": "edi_scrub.report.model",
    "Finding": "edi_scrub.rules._base",
    "Severity": "edi_scrub.rules._base",
}


def __getattr__(name: str) -> object:
    # Lazy re-exports: importing the package (e.g. for __version__) stays cheap and free of
    # import cycles with the modules that read __version__.
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'edi_scrub' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
