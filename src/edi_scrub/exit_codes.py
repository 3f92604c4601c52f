"""Exit codes, in one place (design.md's CLI contract)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """0 clean, 1 findings remain, 2 usage/config/input, 3 internal (fix not verifiable)."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    INTERNAL = 3
