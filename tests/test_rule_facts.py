"""The per-claim facts memo and rule skipping give exactly what the uncached, ungated code gives.

``rules/_facts.py`` computes what several rules share once per claim (drug lines, policy, COB
loops, segments by id, lines of one drug and date) and caches pure per-value parses; the engine
skips rules whose ``needs`` a claim lacks. Each is held here against its reference (the scan it
replaced, the rule run ungated) on every rule case table claim, the samples, the corpus and
generated files, before and after fixing, under every payer profile.
"""

from __future__ import annotations

import dataclasses
import functools
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from edi_scrub.errors import InputError
from edi_scrub.fixes.edits import Applicability
from edi_scrub.fixes.engine import _override, check_claim, scrub_claim
from edi_scrub.fixes.guard import guard
from edi_scrub.maps.layers import load_maps
from edi_scrub.model.build import build_claim
from edi_scrub.model.claim import Claim
from edi_scrub.model.group import ClaimUnit, group
from edi_scrub.model.money import parse_amount
from edi_scrub.model.ndc import read_ndc
from edi_scrub.model.source import segment_id, segments
from edi_scrub.rules import Needs, Rule, all_rules
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity
from edi_scrub.rules._drug import same_drug
from edi_scrub.rules._facts import ClaimFacts, amount, needs_held, normalized_ndc
from edi_scrub.rules.claim._cob import read_cob
from edi_scrub.rules.claim._dates import _claim_date, claim_date
from edi_scrub.rules.claim._dx import _line_diagnoses, line_diagnoses, normalize_dx
from edi_scrub.rules.modifiers._jw import _jw_siblings, jw_siblings
from edi_scrub.rules.provider._providers import npi_defect
from edi_scrub.x12.lexer import read_segments
from tests.builders import build
from tests.conftest import SAMPLES, corpus_files
from tests.generated import generate
from tests.rules.test_harness import TABLES

MAPS = load_maps()
RULES = tuple(r for r in all_rules() if r.check is not None)
SAFE = frozenset({Applicability.SAFE})
BOTH = frozenset({Applicability.SAFE, Applicability.UNSAFE})


@functools.cache
def _inputs() -> tuple[bytes, ...]:
    found = [build(kind, (case.claim,)) for _, case in TABLES for kind in case.kinds]
    found += [build(kind, (case.fixed,)) for _, case in TABLES if case.fixed for kind in case.kinds]
    found += [p.read_bytes() for p in sorted(SAMPLES.rglob("*.837"))]
    found += [p.read_bytes() for p in corpus_files()]
    with tempfile.TemporaryDirectory() as folder:
        found += [
            generate(Path(folder) / "p.837", "837P", claims=60, seed=11, defects=0.6),
            generate(Path(folder) / "i.837", "837I", claims=60, seed=12, defects=0.6),
        ]
    return tuple(found)


@functools.cache
def _units() -> tuple[ClaimUnit, ...]:
    units: list[ClaimUnit] = []
    for data in _inputs():
        try:
            units += [u for u in group(read_segments(data)) if isinstance(u, ClaimUnit)]
        except InputError:
            continue  # the corpus holds non-837s on purpose
    return tuple(units)


def _claims() -> Iterator[Claim]:
    for unit in _units():
        yield build_claim(unit.segments, unit.context, unit.ordinal)


def _contexts() -> list[RuleContext]:
    """The auto-matching chooser and every profile forced."""
    return [
        RuleContext(MAPS.catalog, MAPS.chooser()),
        *(RuleContext(MAPS.catalog, MAPS.chooser(p.id)) for p in MAPS.profiles),
    ]


def _ungated(claim: Claim, ctx: RuleContext) -> list[Finding]:
    """check_claim as it was: every rule run, the policy asked afresh."""
    found = [f for r in RULES for f in r.run(claim, ctx)]
    overrides = ctx.policy(claim).severity_overrides
    return guard(claim, _override(found, overrides) if overrides else found)


def _fresh(ctx: RuleContext) -> RuleContext:
    """``ctx`` with an empty memo (a copy made by ``replace`` shares it)."""
    return RuleContext(ctx.catalog, ctx.policy, ctx.history, ctx.submitted)


def test_the_inputs_cover_every_need() -> None:
    """The claims below include ones with and without drug lines and COB loops."""
    ctx = _contexts()[0]
    seen = {(need, need.holds(ctx.facts(c))) for c in _claims() for need in Needs}
    assert seen == {(need, held) for need in Needs for held in (True, False)}


@pytest.mark.parametrize("index", range(len(MAPS.profiles) + 1))
def test_gated_engine_finds_what_every_rule_run_finds(index: int) -> None:
    """Skipping rules by need changes no finding, on claims as read and as fixed."""
    ctx = _contexts()[index]
    checked = 0
    for unit in _units():
        claim = build_claim(unit.segments, unit.context, unit.ordinal)
        assert check_claim(claim, RULES, ctx) == _ungated(claim, _fresh(ctx))
        # Fixed claims under the matching chooser only: scrubbing costs most of this test.
        for allowed in (SAFE, BOTH) if index == 0 else ():
            fixed = scrub_claim(unit, RULES, ctx, allowed).claim
            sub = replace(_fresh(ctx), submitted=claim)
            assert check_claim(fixed, RULES, replace(ctx, submitted=claim)) == _ungated(fixed, sub)
        checked += 1
    assert checked > 300


def test_needs_held_is_each_need_asked() -> None:
    """The engine's flags (``needs_held``) are ``Needs.holds`` of every need, in Enum order."""
    for ctx in _contexts()[:2]:
        for claim in _claims():
            facts = ctx.facts(claim)
            assert needs_held(facts) == tuple(need.holds(facts) for need in Needs)


def test_a_rule_skipped_for_a_need_finds_nothing_when_run() -> None:
    """Per rule: a claim lacking the rule's need gives no finding even when the rule is run."""
    gated = [r for r in RULES if r.needs is not None]
    assert {r.meta.id for r in gated} >= {"COB001", "COB002", "MOD004", "UNT003", "NDC003"}
    for ctx in _contexts():
        for claim in _claims():
            facts = ctx.facts(claim)
            for r in gated:
                assert r.needs is not None
                if not r.needs.holds(facts):
                    assert list(r.run(claim, _fresh(ctx))) == [], (r.meta.id, claim.claim_id)


def test_facts_equal_the_scans_they_replace() -> None:
    """Each fact equals the per-rule computation it replaced, claim by claim and line by line."""
    ctx = _contexts()[0]
    for claim in _claims():
        facts = ClaimFacts(claim, ctx.catalog, ctx.policy)
        assert facts.drug_lines == tuple(
            (line, code) for line in claim.lines if (code := ctx.drug_code(line)) is not None
        )
        assert facts.policy is ctx.policy(claim)
        assert facts.cob == read_cob(claim)
        for sid in {segment_id(parts) for parts in claim.source} | {"SVD", "SBR", "NOPE"}:
            assert facts.segments(sid) == tuple(segments(claim, sid))
        assert claim_date(ctx, claim) == _claim_date(claim)
        assert facts.charges == tuple(parse_amount(line.charge.value) for line in claim.lines)
        for line in claim.lines:
            assert facts.same_drug(line) == same_drug(claim, line)
            for code in ("JW", "JZ", "KX", "GA", "", *line.modifier_codes):
                assert (code in facts.modifiers(line)) is line.has_modifier(code)
            # The helpers memoised through facts.derived, against their uncached bodies.
            assert jw_siblings(ctx, claim, line) == _jw_siblings(ctx, claim, line)
            assert line_diagnoses(ctx, claim, line) == _line_diagnoses(claim, line)


def test_memo_is_per_claim_object_and_per_maps() -> None:
    """A new claim object (the engine's fixed claim) or other maps never get stale facts."""
    ctx = _contexts()[0]
    unit = _units()[0]
    first = build_claim(unit.segments, unit.context, unit.ordinal)
    again = build_claim(unit.segments, unit.context, unit.ordinal)
    facts = ctx.facts(first)
    assert ctx.facts(first) is facts
    assert replace(ctx, submitted=first).facts(first) is facts  # replace shares the memo
    assert ctx.facts(again) is not facts and ctx.facts(again).claim is again
    other_catalog = MAPS.catalog.merged(MAPS.catalog)
    assert replace(ctx, catalog=other_catalog).facts(again) is not ctx.facts(again)
    forced = replace(ctx, policy=MAPS.chooser(MAPS.profiles[0].id))
    assert forced.facts(again).policy is MAPS.chooser(MAPS.profiles[0].id)(again)


def test_skipped_rules_are_not_called() -> None:
    """The engine does not call a check whose need the claim lacks, and calls the others."""
    calls: list[str] = []

    def spy(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
        calls.append(meta.id)
        return iter(())

    def meta(rule_id: str) -> RuleMeta:
        return RuleMeta(rule_id, rule_id.lower(), Severity.INFO, Applicability.NONE, "", "")

    spies = (
        Rule(meta("ANY001"), spy),
        Rule(meta("DRG001"), spy, Needs.DRUG_LINES),
        Rule(meta("COB901"), spy, Needs.COB_LOOPS),
    )
    ctx = _contexts()[0]
    for claim in _claims():
        calls.clear()
        facts = ctx.facts(claim)
        check_claim(claim, spies, ctx)
        expected = ["ANY001"]
        expected += ["DRG001"] if facts.drug_lines else []
        expected += ["COB901"] if Needs.COB_LOOPS.holds(facts) else []
        assert calls == expected


def _texts() -> set[str]:
    """Every element value of every input, plus hostile shapes."""
    found = {"", "-", ".", "1e3", "NaN", "+1", " 1", "1" * 19, "1" * 21, "²", "1.", ".5", "-0"}
    for data in _inputs()[::3]:
        try:
            found |= {el for seg in read_segments(data) for el in seg.elements}
        except InputError:
            continue
    return found


def test_value_caches_equal_the_functions_they_cache() -> None:
    """The value-cached parses give what the uncached functions give."""
    texts = sorted(_texts())
    assert len(texts) > 1000
    for text in texts:
        assert amount(text) == parse_amount(text), text
        assert normalized_ndc(text) == read_ndc(text).normalized, text
        assert npi_defect(text) == npi_defect.__wrapped__(text), text
        assert normalize_dx(text) == normalize_dx.__wrapped__(text), text
    # And again, now that every value is cached (the cache holds 4096: part of it evicts).
    for text in texts:
        assert amount(text) == parse_amount(text), text
        assert normalized_ndc(text) == read_ndc(text).normalized, text


def test_with_submitted_is_replace() -> None:
    """RuleContext.with_submitted equals dataclasses.replace on every field, memo included."""
    ctx = _contexts()[0]
    claim = next(_claims())
    made, replaced = ctx.with_submitted(claim), replace(ctx, submitted=claim)
    assert made == replaced
    for f in dataclasses.fields(RuleContext):
        assert getattr(made, f.name) is getattr(replaced, f.name), f.name
