"""The fix engine for one claim: check, apply non-overlapping fixes, re-check, until stable.

Like sqlfluff's fix loop it runs at most :data:`MAX_PASSES` passes and stops when a state repeats.
It then verifies: if the fixed claim carries more errors or warnings of any rule than the
original did, every fix on that claim is reverted (the original segments come back and the
findings say ``reverted``). Structural re-validation with pyx12 happens once per file in the
pipeline, which can revert a claim the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from edi_scrub._slots import fast_init
from edi_scrub.fixes.apply import apply_fixes
from edi_scrub.fixes.edits import Applicability, Fix, InsertSegments, Reach
from edi_scrub.fixes.guard import attestations_kept, guard
from edi_scrub.model.build import build_claim
from edi_scrub.model.claim import Claim
from edi_scrub.model.group import ClaimUnit
from edi_scrub.model.money import parse_amount
from edi_scrub.rules import Check, Needs, Rule
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity
from edi_scrub.rules._facts import needs_held
from edi_scrub.x12.lexer import Segment

# Enum members read once: on Python 3.11 every ``Enum.MEMBER`` read costs a metaclass
# lookup (~150 ns), and these are read for every claim or line.
_ERROR = Severity.ERROR
_INFO = Severity.INFO
_MONEY_LINES = Reach.MONEY_LINES
_NONE = Applicability.NONE
_SAFE = Applicability.SAFE
_SUGGESTION = Applicability.SUGGESTION

MAX_PASSES = 10
_NEEDS = tuple(Needs)

#: The checks to call, in rule order, for each set of needs a claim lacks.
_Plan = tuple[tuple[Check, RuleMeta], ...]


class _Plans:
    """The rule list of the last ``rules`` sequence, narrowed once per combination of needs.

    Keyed by the sequence's identity and held (so its id cannot be reused): the pipeline passes
    one tuple for a whole run, and a claim then costs one dict lookup instead of a ``needs``
    test per rule. The sequence and its plans are one tuple, replaced whole, so a thread never
    files one sequence's plan under another's.
    """

    __slots__ = ("last",)

    def __init__(self) -> None:
        self.last: tuple[Sequence[Rule], dict[tuple[bool, ...], _Plan]] = ((), {})

    def plan(self, rules: Sequence[Rule], held: tuple[bool, ...]) -> _Plan:
        """The checks of ``rules`` whose needs hold (``held``: one flag per :data:`_NEEDS`)."""
        last = self.last
        if last[0] is not rules:
            last = self.last = (rules, {})
        found = last[1].get(held)
        if found is None:
            lacking = tuple(need for need, ok in zip(_NEEDS, held, strict=True) if not ok)
            found = last[1][held] = tuple(
                (r.check, r.meta)
                for r in rules
                if r.check is not None and (r.needs is None or r.needs not in lacking)
            )
        return found


_PLANS = _Plans()


class FixStatus(StrEnum):
    """What became of a finding's fix (the report's ``fix.status``)."""

    APPLIED = "applied"
    AVAILABLE = "available"
    SUGGESTED = "suggested"
    NONE = "none"
    REVERTED = "reverted"


@fast_init
@dataclass(frozen=True, slots=True)
class Outcome:
    """A finding and what happened to its fix."""

    finding: Finding
    status: FixStatus


@fast_init
@dataclass(frozen=True, slots=True)
class ClaimResult:
    """The scrubbed claim: its segments (original when nothing changed) and outcomes."""

    segments: tuple[Segment, ...]
    outcomes: tuple[Outcome, ...]
    claim: Claim
    changed: bool
    lines_added: int
    #: What the fixes added to the sum of the line charges (fixed claim minus submitted).
    charges_added: Decimal = Decimal(0)


def check_claim(claim: Claim, rules: Sequence[Rule], ctx: RuleContext) -> list[Finding]:
    """Every finding of ``rules`` on ``claim``, in rule order, after the payer's overrides.

    The claim's payer policy may change a rule's severity or turn it ``off``. It is applied
    here, the one place every claim finding passes, so the fix loop (an ``off`` rule's fix is
    never applied), the revert check, the counts and the exit code all see the same findings.
    """
    facts = ctx.facts(claim)
    # Rules that cannot fire on this claim (no drug lines, no COB loops) are not called at all.
    # Flags, not the needs themselves: a tuple of bools hashes in C, an Enum in Python.
    found: list[Finding] = []
    extend = found.extend
    for check, meta in _PLANS.plan(rules, needs_held(facts)):
        extend(check(claim, ctx, meta))
    overrides = facts.policy.severity_overrides
    # Then the claim-wide refusals (voids, COB claims): whatever a rule proposed.
    return guard(claim, _override(found, overrides) if overrides else found)


def _override(findings: Sequence[Finding], overrides: Mapping[str, str]) -> list[Finding]:
    kept: list[Finding] = []
    for f in findings:
        level = overrides.get(f.rule)
        if level == "off":
            continue
        kept.append(f if level is None else replace(f, severity=Severity(level)))
    return kept


def _unfixed_status(finding: Finding, allowed: Collection[Applicability]) -> FixStatus:
    fix = finding.fix
    if fix is None or fix.applicability is _NONE:
        return FixStatus.NONE
    if fix.applicability is _SAFE and not fix.edits:
        # A record of a change another fix already made (LX002's renumbering).
        return FixStatus.APPLIED
    if fix.applicability is _SUGGESTION or not fix.edits:
        return FixStatus.SUGGESTED
    if fix.applicability not in allowed:
        return FixStatus.AVAILABLE
    # Allowed and concrete, yet still present: it was refused (stale, overlap) or undone.
    return FixStatus.NONE


def _got_worse(before: Sequence[Finding], after: Sequence[Finding]) -> bool:
    """Whether fixing introduced a problem the claim did not have.

    Worse means a rule (error or warning) fires that did not fire before, or there are more
    errors than before. A warning repeated on a line a fix added (a JW line inherits the
    administered line's missing D66, say) is the same problem, not a new one.
    """
    rules_before = {f.rule for f in before if f.severity is not _INFO}
    if any(f.rule not in rules_before for f in after if f.severity is not _INFO):
        return True
    errors: Counter[str] = Counter(f.rule for f in after if f.severity is _ERROR)
    errors.subtract(f.rule for f in before if f.severity is _ERROR)
    return any(count > 0 for count in errors.values())


def _choose(findings: Sequence[Finding], allowed: Collection[Applicability]) -> list[Finding]:
    # The findings with a fix to apply, before sorting: most claims have none (their findings
    # carry no fix), and then nothing is sorted. Filtering first and then sorting stably keeps
    # the order sorting first and skipping gave.
    fixable = [
        f
        for f in findings
        if (fix := f.fix) is not None and fix.edits and fix.applicability in allowed
    ]
    if not fixable:
        return []
    chosen: list[Finding] = []
    touched: set[int] = set()
    # Narrow fixes first. A fix that changes money or lines (a JW split, CLM02) waits for a
    # pass in which nothing else changes: its proof (sibling JW lines, NDCs, units, totals) must
    # be re-checked on the claim as every other fix leaves it, and a split must copy corrected
    # data.
    for finding in sorted(fixable, key=_wide):
        fix = finding.fix
        if fix is None:  # never (filtered above): for the type checker
            continue
        if _wide(finding) and chosen and not _wide(chosen[0]):
            break
        if fix.positions() & touched:
            continue  # overlapping: the next pass sees it again on the updated claim
        chosen.append(finding)
        touched |= fix.positions()
    return chosen


def _wide(finding: Finding) -> bool:
    fix = finding.fix
    return fix is not None and (
        fix.reach is _MONEY_LINES or any(isinstance(e, InsertSegments) for e in fix.edits)
    )


def _added(fixes: Sequence[Fix]) -> int:
    return sum(
        sum(1 for seg in e.segments if seg[0] == "LX")
        for f in fixes
        for e in f.edits
        if isinstance(e, InsertSegments)
    )


def scrub_claim(
    unit: ClaimUnit,
    rules: Sequence[Rule],
    ctx: RuleContext,
    allowed: Collection[Applicability],
    force_original: bool = False,
) -> ClaimResult:
    """Check one claim and apply the allowed fixes, verifying the result."""
    # The unit's own tuple until a fix applies (apply_fixes returns a new list): no copy of
    # the segments of a claim no fix changes.
    segments: Sequence[Segment] = unit.segments
    claim = build_claim(segments, unit.context, unit.ordinal)
    submitted = claim
    ctx = ctx.with_submitted(submitted)
    initial = check_claim(claim, rules, ctx)
    findings = initial
    applied: list[Finding] = []
    # The states seen, for stopping at a repeat; most claims get no fix, so the first state is
    # only written down once there is one to apply.
    seen: set[tuple[str, ...]] | None = None
    for _ in range(MAX_PASSES if allowed and not force_original else 0):
        chosen = _choose(findings, allowed)
        if not chosen:
            break
        if seen is None:
            seen = {tuple(s.text for s in segments)}
        new, done = apply_fixes(segments, [f.fix for f in chosen if f.fix is not None])
        if not done:
            break
        # By identity (apply_fixes returns the objects it was given): ``in`` on the list
        # compared fixes field by field, n * n for a claim of n fixable lines.
        done_ids = {id(fix) for fix in done}
        applied.extend(f for f in chosen if id(f.fix) in done_ids)
        segments = new
        claim = build_claim(segments, unit.context, unit.ordinal)
        findings = check_claim(claim, rules, ctx)
        state = tuple(s.text for s in segments)
        if state in seen:
            break
        seen.add(state)
    if not applied:
        status = FixStatus.REVERTED if force_original else None
        return _unchanged(unit, claim, initial, allowed, status)
    if _got_worse(initial, findings) or not attestations_kept(submitted, claim):
        return _unchanged(unit, submitted, initial, allowed, FixStatus.REVERTED)
    outcomes = [Outcome(f, FixStatus.APPLIED) for f in applied]
    outcomes += [Outcome(f, _unfixed_status(f, allowed)) for f in findings]
    lines_added = _added([f.fix for f in applied if f.fix is not None])
    charges = _line_total(claim) - _line_total(submitted)
    return ClaimResult(tuple(segments), tuple(outcomes), claim, True, lines_added, charges)


def _line_total(claim: Claim) -> Decimal:
    total = Decimal(0)
    for line in claim.lines:
        amount = parse_amount(line.charge.value)
        total += amount or Decimal(0)
    return total


def _unchanged(
    unit: ClaimUnit,
    claim: Claim,
    findings: Sequence[Finding],
    allowed: Collection[Applicability],
    revert: FixStatus | None,
) -> ClaimResult:
    def status(f: Finding) -> FixStatus:
        concrete = f.fix is not None and f.fix.edits and f.fix.applicability in allowed
        if revert is not None and concrete:
            return revert
        return _unfixed_status(f, allowed)

    outcomes = tuple(Outcome(f, status(f)) for f in findings)
    return ClaimResult(unit.segments, outcomes, claim, False, 0)
