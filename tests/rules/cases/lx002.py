"""LX002 line-renumbered.

LX002 only records what another fix did (a JW split moving the lines after it), so alone it never
fires: the harness runs one rule at a time. tests/test_fix_proof.py and tests/test_fix_safety.py
check it with every rule on.
"""

from tests.builders import ClaimSpec, LineSpec
from tests.rules.case import Case

CASES = [
    Case("nothing fixed, nothing renumbered", ClaimSpec(lines=(LineSpec(ctp_qty="1200"),)), 0),
    Case(
        "out-of-sequence input alone is LX001's",
        ClaimSpec(lines=(LineSpec(modifiers=("JZ",)), LineSpec(modifiers=("JZ",), lx="7"))),
        0,
    ),
]
