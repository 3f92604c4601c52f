"""What every rule shares: severity, rule metadata, findings and the context rules read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from edi_scrub._slots import fast_init
from edi_scrub.fixes.edits import Applicability, Fix
from edi_scrub.history import UsageHistory
from edi_scrub.model.claim import Claim, Field, Loc, ServiceLine, file_segment
from edi_scrub.rules._facts import ClaimFacts

if TYPE_CHECKING:
    from edi_scrub.maps.drugs import DrugCatalog, DrugCode
    from edi_scrub.policy import PayerPolicy


class Severity(StrEnum):
    """How bad a finding is: error (will be rejected), warning (likely denial), info."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse."""
        # _value_, not value: an Enum's ``value`` is a Python-level property (every finding's
        # severity is ranked when the pipeline decides whether a claim fails).
        return _RANKS[self._value_]

    def fails(self, fail_on: Severity) -> bool:
        """Whether an unfixed finding of this severity fails a run with ``--fail-on fail_on``.

        The one order the exit code, ``--rejects``, the summary and batch all use:
        ``info`` ⊇ ``warning`` ⊇ ``error``.
        """
        return self.rank >= fail_on.rank


_RANKS = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True, slots=True)
class RuleMeta:
    """A rule's identity and contract. ``doc`` is its module docstring (the user docs)."""

    id: str
    name: str
    severity: Severity
    fix: Applicability
    summary: str
    doc: str


@fast_init  # one per finding, and again for each finding read back from the report's spill
@dataclass(frozen=True, slots=True)
class Finding:
    """One defect found. Data, never an exception; carries no PHI."""

    rule: str
    name: str
    severity: Severity
    claim: str | None
    line: int | None
    loc: Loc | None
    message: str
    fix: Fix | None = None


@dataclass(slots=True)
class _FactsMemo:
    """The last claim's facts (mutable on purpose: a one-entry memo).

    One tuple, replaced whole, so a reader never pairs one claim with another's facts.
    """

    last: tuple[Claim, DrugCatalog, Callable[[Claim], PayerPolicy], ClaimFacts] | None = None
    #: The submitted claim's lines by their service segment's file position (``as_submitted``).
    submitted: tuple[Claim, dict[int, ServiceLine]] | None = None


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What rules may read besides the claim: the drug map and the payer policy."""

    catalog: DrugCatalog
    policy: Callable[[Claim], PayerPolicy]
    #: Units of earlier claims in this run (read-only for rules; the pipeline records).
    history: UsageHistory = field(default_factory=UsageHistory)
    #: The claim as it was submitted, while the fix engine works on a changed copy: money and
    #: line fixes must be proven by the provider's data, not by what another fix just wrote.
    submitted: Claim | None = None
    _memo: _FactsMemo = field(default_factory=_FactsMemo, compare=False, repr=False)

    def with_submitted(self, claim: Claim) -> RuleContext:
        """This context for the fix loop of ``claim``: ``replace(self, submitted=claim)``.

        Spelled out (the facts memo shared, as ``replace`` shares it): the engine makes one per
        claim, and ``dataclasses.replace`` re-reads the field list on every call.
        """
        return RuleContext(self.catalog, self.policy, self.history, claim, self._memo)

    def drug_code(self, line: ServiceLine) -> DrugCode | None:
        """The map entry for the line's HCPCS code, when it is a drug line."""
        if line.qualifier.value not in ("HC", ""):
            return None
        return self.catalog.code(line.code.value)

    def facts(self, claim: Claim) -> ClaimFacts:
        """The shared per-claim facts of ``claim`` (see :mod:`edi_scrub.rules._facts`)."""
        # Every rule asks about the same claim in turn: remember the last one, by identity
        # (claims are immutable; a fixed claim is a new object) and with the catalog and policy
        # it was read with, so a context replaced with other maps never sees stale facts.
        last = self._memo.last
        if (
            last is not None
            and last[0] is claim
            and last[1] is self.catalog
            and last[2] is self.policy
        ):
            return last[3]
        facts = ClaimFacts(claim, self.catalog, self.policy)
        self._memo.last = (claim, self.catalog, self.policy, facts)
        return facts

    def drug_lines(self, claim: Claim) -> tuple[tuple[ServiceLine, DrugCode], ...]:
        """The claim's drug lines (HCPCS in maps/drugs.xml) with their map entries."""
        # The memo of facts() read here directly: most rules start with this call.
        last = self._memo.last
        if (
            last is not None
            and last[0] is claim
            and last[1] is self.catalog
            and last[2] is self.policy
        ):
            return last[3].drug_lines
        return self.facts(claim).drug_lines

    def as_submitted(self, line: ServiceLine) -> ServiceLine | None:
        """``line`` as the provider submitted it (matched by its service segment's position).

        ``None`` for a line a fix created. Without a submitted claim (rules run outside the
        engine) the line itself is the submitted one.
        """
        if self.submitted is None:
            return line
        index = file_segment(line.charge)
        if index == 0:
            return None
        # Indexed once per submitted claim: a scan per line was quadratic in the claim's lines.
        known = self._memo.submitted
        if known is None or known[0] is not self.submitted:
            by_segment: dict[int, ServiceLine] = {}
            for s in self.submitted.lines:
                by_segment.setdefault(file_segment(s.charge), s)  # the first, as a scan finds
            known = self._memo.submitted = (self.submitted, by_segment)
        return known[1].get(index)


ClaimCheck = Callable[[Claim, RuleContext], Iterator[Finding]]


def _digits(text: str) -> bool:
    # ASCII digits only: str.isdigit() is also true of '²' and '³' (Latin-1 input bytes 0xB2,
    # 0xB3), which int() refuses and no NDC or LX01 contains (found by fuzzing).
    return text.isascii() and text.isdigit()


def line_number(line: ServiceLine) -> int | None:
    """LX01 as an int (what reports call the line), if it is one."""
    return int(line.lx.value) if _digits(line.lx.value) else None


def make_finding(
    meta: RuleMeta,
    claim: Claim,
    line: ServiceLine | None,
    at: Field | Loc | None,
    message: str,
    fix: Fix | None = None,
) -> Finding:
    """A finding of ``meta`` about ``claim`` (and ``line``) located at ``at``."""
    loc = at.loc if isinstance(at, Field) else at
    return Finding(
        meta.id,
        meta.name,
        meta.severity,
        claim.claim_id,
        line_number(line) if line is not None else None,
        loc,
        message,
        fix,
    )
