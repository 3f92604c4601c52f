"""The input is not X12, or not an 837P/837I 5010 interchange.

What it checks
    That the input starts with an ISA segment whose delimiters can be read (after an optional
    UTF-8 byte order mark), and that every transaction set is an 837 (ST01) of a 005010 version.

Why it matters
    edi-scrub only knows 837 5010 claims; guessing at another transaction would mangle it. The
    whole file is refused with exit code 2 and a one-line message; no output is written.

Example
    A UTF-16 file, a file that starts at GS, or ``ST*835*0001~`` → exit 2.

Fix
    None. Convert the file to ASCII/UTF-8, or send it to the right tool.

References
    ASC X12 005010 envelope; design.md (CLI contract, exit codes).
"""

from __future__ import annotations

from edi_scrub.fixes.edits import Applicability
from edi_scrub.rules import register_envelope
from edi_scrub.rules._base import Severity

META = register_envelope(__name__, "X12004", "not-an-837", Severity.ERROR, Applicability.NONE)
