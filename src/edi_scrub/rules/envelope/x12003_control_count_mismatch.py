"""A control count (SE01, GE01 or IEA01) does not match what the input holds.

What it checks
    SE01 against the number of segments from ST to SE inclusive; GE01 against the number of ST
    transaction sets in the group; IEA01 against the number of GS groups in the interchange.
    With ``--no-structure`` (no pyx12, which reports it otherwise) also an ISA, GS or ST whose
    IEA, GE or SE never comes: a file cut short has no count left to check.

Why it matters
    Receivers reject the transaction set (999 IK5 with AK9/IK502 code 4) or the whole group
    when a count is off; the claims inside are never looked at.

Example
    ``SE*41*0001~`` closing a transaction set of 42 segments → ``SE*42*0001~``.

Fix
    Safe: the count is recomputed from the output as written. Counts that were right in the input
    are also kept right when fixes add or remove segments (that is not this finding).

References
    ASC X12 005010 envelope (SE01, GE01, IEA01); pyx12 ``x12norm --fixcounting``.
"""

from __future__ import annotations

from edi_scrub.fixes.edits import Applicability
from edi_scrub.rules import register_envelope
from edi_scrub.rules._base import Severity

META = register_envelope(
    __name__, "X12003", "control-count-mismatch", Severity.ERROR, Applicability.SAFE
)
