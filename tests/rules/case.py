"""The shape of a rule case table (see tests/rules/test_harness.py)."""

from __future__ import annotations

from dataclasses import dataclass

from edi_scrub.policy import PayerPolicy
from tests.builders import ClaimSpec, I, P


@dataclass(frozen=True)
class Case:
    """One claim and what a rule must do with it, on the 837P and the 837I.

    ``fires`` is the number of findings of the rule on the input. ``fixed`` is the claim the
    default (safe) fixes must produce; ``None`` means the output must equal the input byte for
    byte. ``status`` is the fix status every finding must report. ``unsafe`` runs with
    ``--unsafe-fixes``. ``policy`` forces one payer policy for the case.
    """

    name: str
    claim: ClaimSpec
    fires: int
    fixed: ClaimSpec | None = None
    status: str | None = None
    kinds: tuple[str, ...] = (P, I)
    unsafe: bool = False
    #: The payer policy every claim of the case gets (default: the bundled payer profiles).
    policy: PayerPolicy | None = None
