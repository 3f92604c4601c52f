"""edi-scrub: scrub X12 837P/837I claim files before they go to a payer.

Public API: :func:`scrub` a file into a writable binary stream and get a :class:`Report`.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Options", "Report", "Severity", "__version__", "scrub"]


def __getattr__(name: str) -> object:
    # Lazy re-exports: importing the package (e.g. for __version__) stays cheap and
    # free of import cycles with modules that read __version__.
    if name in ("Options", "scrub"):
        from edi_scrub import pipeline as _pipeline

        return getattr(_pipeline, name)
    if name == "Report":
        from edi_scrub.report.model import Report

        return Report
    if name == "Severity":
        from edi_scrub.rules._base import Severity

        return Severity
    raise AttributeError(name)
