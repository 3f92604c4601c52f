"""A TR3 structural finding from pyx12 (missing or unexpected segment, bad element, bad code).

What it checks
    The interchange against the X12 TR3 implementation guide map (005010X222A1 for the 837P,
    005010X223A2 for the 837I) through pyx12: segment order and repeats, loop structure, required
    elements, element lengths and types, code values. One finding per pyx12 error, with its 999
    acknowledgement codes (IK3/IK4/IK5) in the message.

Why it matters
    A clearinghouse or payer runs the same TR3 edits first and rejects the whole transaction set
    (999 ``R``) or the claim (277CA A6/A7) before any drug rule is looked at.

Example
    ``SV1*HC:J7207*2000*UN*1000***1:2:3:4:5~`` has five diagnosis pointers where the TR3 allows
    four: reported as an X12001 on SV107.

Fix
    None. Structural problems need the source system to be corrected.

References
    ASC X12 005010X222A1 / 005010X223A2 TR3; pyx12 4.0 error codes (docs/errors.rst).
"""

from __future__ import annotations

from edi_scrub.fixes.edits import Applicability
from edi_scrub.rules import register_envelope
from edi_scrub.rules._base import Severity

META = register_envelope(__name__, "X12001", "tr3-structure", Severity.ERROR, Applicability.NONE)
