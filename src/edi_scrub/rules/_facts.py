"""Per-claim facts several rules read, computed at most once per claim object.

Every rule of a run looks at the same claim in turn, and many of them need the same derived
data: the claim's drug lines with their map entries, the payer policy chosen for it, its COB
loops, its segments by id, the lines billing one drug on one date. :class:`ClaimFacts` computes
each on first use and keeps it for the rules after.

It is keyed by the claim *object* (``RuleContext.facts`` keeps the last one): claims are
immutable, and the fix engine builds a new :class:`Claim` for every changed state, so a memo can
never describe a claim other than the one it was made from. Nothing here changes what a rule
decides; a rule reading a fact gets exactly what it would have computed itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar, cast

from edi_scrub.model.claim import Claim, ServiceLine
from edi_scrub.model.money import parse_amount
from edi_scrub.model.ndc import read_ndc
from edi_scrub.rules.claim._cob import Cob, read_cob

if TYPE_CHECKING:
    from edi_scrub.maps.drugs import DrugCatalog, DrugCode
    from edi_scrub.policy import PayerPolicy

T = TypeVar("T")

#: One (claim position, elements) entry of a claim's segment index.
Indexed = tuple[tuple[int, tuple[str, ...]], ...]


# Pure functions of one element's text, cached by that text: the same NDCs, unit counts and
# charges repeat across the claims of a file, and a value-keyed cache cannot go stale. Bounded,
# so a file of all-different values costs a little churn, never memory.
@lru_cache(maxsize=4096)
def amount(text: str) -> Decimal | None:
    """:func:`~edi_scrub.model.money.parse_amount`, cached (Decimals are immutable)."""
    return parse_amount(text)


@lru_cache(maxsize=4096)
def normalized_ndc(text: str) -> str | None:
    """The 11-digit form of an NDC text when it is certain (``read_ndc(text).normalized``)."""
    return read_ndc(text).normalized


class ClaimFacts:
    """What rules derive from one claim, each computed on first use.

    A plain slotted class rather than a frozen dataclass: it is a memo, filled lazily.
    """

    __slots__ = (
        "_by_id",
        "_charges",
        "_cob",
        "_derived",
        "_modifiers",
        "_policy",
        "_policy_of",
        "_same_drug",
        "_same_drug_units",
        "claim",
        "drug_lines",
    )

    def __init__(
        self,
        claim: Claim,
        catalog: DrugCatalog,
        policy_of: Callable[[Claim], PayerPolicy],
    ) -> None:
        self.claim = claim
        self._policy_of = policy_of
        # Made at once, not on first use: the engine asks every claim (Needs.DRUG_LINES) and
        # most rules read it, so a plain attribute saves a property call on ~50 reads a claim.
        code_of = catalog.code
        #: The claim's drug lines (HCPCS in the drug map) with their map entries.
        self.drug_lines: tuple[tuple[ServiceLine, DrugCode], ...] = tuple(
            [
                (line, code)
                for line in claim.lines
                if line.qualifier.value in ("HC", "")
                and (code := code_of(line.code.value)) is not None
            ]
        )
        self._policy: PayerPolicy | None = None
        self._cob: Cob | None = None
        self._by_id: dict[str, Indexed] | None = None
        self._same_drug: dict[tuple[str, str | None, date | None], tuple[ServiceLine, ...]] | None
        self._same_drug = None
        self._same_drug_units: dict[tuple[str, str | None, date | None], Decimal] = {}
        self._derived: dict[tuple[str, int], object] = {}
        self._charges: tuple[Decimal | None, ...] | None = None
        self._modifiers: dict[int, frozenset[str]] = {}

    @property
    def charges(self) -> tuple[Decimal | None, ...]:
        """Each line's charge (SV102 / SV203) as an amount, in line order (``None``: not one)."""
        found = self._charges
        if found is None:
            found = self._charges = tuple([amount(line.charge.value) for line in self.claim.lines])
        return found

    @property
    def policy(self) -> PayerPolicy:
        """The payer policy chosen for the claim."""
        chosen = self._policy
        if chosen is None:
            chosen = self._policy = self._policy_of(self.claim)
        return chosen

    @property
    def cob(self) -> Cob:
        """The claim's COB loops (2320, 2430) as ``read_cob`` reads them."""
        cob = self._cob
        if cob is None:
            # read_cob collects SBR (2320) and SVD (2430) loops and nothing else: without either
            # segment the answer is empty, and the index is already built for other rules.
            cob = read_cob(self.claim) if _has_cob_loops(self) else Cob()
            self._cob = cob
        return cob

    def segments(self, seg_id: str) -> Indexed:
        """The claim's ``seg_id`` segments with their claim-local positions, in file order.

        The same answer as :func:`edi_scrub.model.source.segments`, kept per id asked for.
        """
        index = self._by_id
        if index is None:
            index = self._by_id = {}
        found = index.get(seg_id)
        if found is None:
            # Claim.positions scans the claim's segment ids in C (the builder filled them in).
            source = self.claim.source
            found = index[seg_id] = tuple(
                [(pos, source[pos]) for pos in self.claim.positions(seg_id)]
            )
        return found

    def modifiers(self, line: ServiceLine) -> frozenset[str]:
        """The line's modifiers as a set: ``"JW" in facts.modifiers(line)`` is
        ``line.has_modifier("JW")`` without rebuilding the modifier tuple on every question."""
        found = self._modifiers.get(id(line))
        if found is None:
            found = self._modifiers[id(line)] = frozenset(line.modifier_codes)
        return found

    def derived(self, name: str, owner: Claim | ServiceLine, compute: Callable[[], T]) -> T:
        """``compute()``, remembered for this claim under ``name`` and ``owner``.

        For a rule family's helper whose answer depends only on the claim (``owner`` is the
        claim) or one of its lines, and the maps (JW siblings, say); ``name`` names the helper,
        so two helpers never share an entry. ``owner`` is keyed by identity, which the claim
        keeps: it must be this claim or one of its lines.
        """
        key = (name, id(owner))
        derived = self._derived
        if key in derived:
            return cast(T, derived[key])
        value = derived[key] = compute()
        return value

    def same_drug(self, line: ServiceLine) -> tuple[ServiceLine, ...]:
        """The claim's lines billing ``line``'s code, NDC and date (itself included), in order.

        What :func:`edi_scrub.rules._drug.same_drug` returns, grouped once per claim.
        """
        groups = self._same_drug
        if groups is None:
            built: dict[tuple[str, str | None, date | None], list[ServiceLine]] = {}
            for other in self.claim.lines:
                built.setdefault(_drug_key(other), []).append(other)
            groups = self._same_drug = {key: tuple(found) for key, found in built.items()}
        return groups.get(_drug_key(line), ())

    def same_drug_units(self, line: ServiceLine) -> Decimal:
        """The positive units (``billed_units``) of :meth:`same_drug`'s lines, summed.

        Summed once per group: rules ask it of every line of the group, and a claim of n lines
        of one drug and date made that n sums of n lines each (quadratic in the claim's size).
        """
        key = _drug_key(line)
        total = self._same_drug_units.get(key)
        if total is None:
            total = sum(
                (u for other in self.same_drug(line) if (u := billed_units(other)) is not None),
                Decimal(0),
            )
            self._same_drug_units[key] = total
        return total


def billed_units(line: ServiceLine) -> Decimal | None:
    """SV104 / SV205 as a positive number (whole or not), or None when it is not one."""
    units = amount(line.units.value)
    return None if units is None or units <= 0 else units


def line_ndc(line: ServiceLine) -> str | None:
    """The line's NDC in 11-digit form when that form is certain, whatever LIN02 says.

    Rules look NDCs up through this so that another rule's fix never changes their verdict:
    NDC003 reformatting a hyphenated NDC or NDC002 setting LIN02 to N4 must not make findings
    appear (the engine reverts a claim whose fixes add findings). Bare 10-digit and malformed
    values give None: NDC003 reports those.
    """
    if line.drug is None or not line.drug.ndc.value:
        return None
    return normalized_ndc(line.drug.ndc.value)


def _drug_key(line: ServiceLine) -> tuple[str, str | None, date | None]:
    return line.code.value, line_ndc(line), line.date_of_service


class Needs(Enum):
    """What a claim must have for a rule to be able to fire on it (``register(needs=...)``).

    The engine skips a rule whose need a claim lacks without calling it. A need only saves
    time: the rule's own code still decides, and it finds nothing on such a claim anyway (a test
    runs every rule ungated on the corpus and samples to hold that).
    """

    #: At least one line whose HCPCS code is in the drug map (rules that loop over drug lines).
    DRUG_LINES = "drug lines"
    #: An SBR (2320) or SVD (2430) segment: the only segments the COB reading collects.
    COB_LOOPS = "COB loops"

    def holds(self, facts: ClaimFacts) -> bool:
        """Whether the claim of ``facts`` has what this need names."""
        # A module constant: ``Needs.DRUG_LINES`` goes through the Enum class's lookup.
        if self is _DRUG_LINES:
            return bool(facts.drug_lines)
        return _has_cob_loops(facts)


_DRUG_LINES = Needs.DRUG_LINES


def needs_held(facts: ClaimFacts) -> tuple[bool, ...]:
    """``tuple(need.holds(facts) for need in Needs)``: one flag per need, in the Enum's order.

    Spelled out for the engine, which asks it of every claim: two Enum method calls and a
    generator cost more than the two tests (a test holds it to the Enum's answers).
    """
    ids = facts.claim.segment_ids
    return (bool(facts.drug_lines), "SBR" in ids or "SVD" in ids)


def _has_cob_loops(facts: ClaimFacts) -> bool:
    """:attr:`Needs.COB_LOOPS`: an SBR (2320) or SVD (2430) segment."""
    # Membership in the segment ids (a C scan): asked of every claim, and most have neither.
    ids = facts.claim.segment_ids
    return "SBR" in ids or "SVD" in ids
