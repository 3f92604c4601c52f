"""The transaction is stamped with an implementation version pyx12 has no map for.

What it checks
    GS08/ST03 implementation strings other than the two TR3 maps pyx12 ships: an 837I stamped
    005010X223A1 or 005010X223A3 (validated with the 005010X223A2 map), an 837P stamped 005010X222
    or 005010X222A2 (validated with 005010X222A1), or a group whose GS08 disagrees with ST03.

Why it matters
    pyx12 refuses such files outright ("Map not found"), so without the alias nothing would be
    validated. The errata differ little for the segments edi-scrub checks, but the receiver may
    expect the stamp it published.

Example
    ``GS*HC*SENDER*RECEIVER*20240101*1200*1*X*005010X223A3~`` → validated as 005010X223A2, with
    this warning.

Fix
    None. Confirm the version your receiver expects.

References
    pyx12 4.0 ``map/maps.xml``; docs/domain.md §3 (837I map versions).
"""

from __future__ import annotations

from edi_scrub.fixes.edits import Applicability
from edi_scrub.rules import register_envelope
from edi_scrub.rules._base import Severity

META = register_envelope(
    __name__, "X12002", "implementation-alias", Severity.WARNING, Applicability.NONE
)
