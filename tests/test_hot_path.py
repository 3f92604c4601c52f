"""The per-claim hot path's shortcuts give exactly what the plain code they replaced gives.

Each shortcut (a memo, a cached parse, a precomputed rule list, one write per claim) is held
against a verbatim copy of the code it replaced, on the rule case tables, the samples, the
corpus and generated files (the inputs of tests/test_rule_facts.py).
"""

from __future__ import annotations

import copy
import dataclasses
import io
import pickle
from collections.abc import Iterator
from decimal import Decimal

import pytest

from edi_scrub.errors import InputError
from edi_scrub.fixes.edits import Applicability
from edi_scrub.fixes.engine import check_claim, scrub_claim
from edi_scrub.history import duplicate_keys
from edi_scrub.model import money
from edi_scrub.model.build import build_claim
from edi_scrub.model.claim import Claim, Field, Loc, ServiceLine, field_at, file_segment
from edi_scrub.model.money import parse_amount
from edi_scrub.model.ndc import read_ndc
from edi_scrub.model.source import frequency
from edi_scrub.rules import Rule
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity
from edi_scrub.x12.lexer import ENCODING, iter_segments, render
from tests.test_rule_facts import RULES, _claims, _contexts, _inputs, _units

SAFE = frozenset({Applicability.SAFE})


def _duplicate_keys_v1(claim: Claim) -> list[tuple[ServiceLine, int]]:
    """history.duplicate_keys as it was before its memo and cached parses."""
    if frequency(claim) in frozenset({"7", "8"}):
        return []
    keys: list[tuple[ServiceLine, int]] = []
    for line in claim.lines:
        day = line.service_date
        if day is None or day.start is None or line.has_modifier("76"):
            continue
        raw = line.drug.ndc.value if line.drug is not None else ""
        ndc = read_ndc(raw).normalized or raw
        units = line.units.decimal()
        amount = str(units.normalize()) if units is not None else line.units.value
        identity = (claim.patient_key, day.start, day.end, line.code.value, ndc, amount)
        keys.append((line, hash(identity)))
    return keys


def test_duplicate_keys_equal_the_uncached_function() -> None:
    """Asked once, twice (the memo) and after another claim, the keys are the plain ones."""
    claims = list(_claims())
    assert len(claims) > 100
    previous: Claim | None = None
    for claim in claims:
        expected = _duplicate_keys_v1(claim)
        first = duplicate_keys(claim)
        assert first == expected
        first.clear()  # a caller's copy: emptying it must not empty the memo
        assert duplicate_keys(claim) == expected
        if previous is not None:
            assert duplicate_keys(previous) == _duplicate_keys_v1(previous)
        previous = claim


def test_render_is_the_raw_text_of_every_segment() -> None:
    """render() (one join per claim in the pipeline) is the segments' raw() texts, encoded."""
    for data in _inputs():
        try:
            segments = list(iter_segments(io.BytesIO(data)))
        except InputError:
            continue  # the corpus holds non-X12 files on purpose
        expected = "".join(s.raw() for s in segments).encode(ENCODING)
        assert render(segments) == expected == data


def _line_total(claim: Claim) -> Decimal:
    return sum((parse_amount(line.charge.value) or Decimal(0) for line in claim.lines), Decimal(0))


def test_charges_added_is_the_change_of_the_line_totals() -> None:
    """ClaimResult.charges_added = line charges after the fixes minus as submitted."""
    ctx = _contexts()[0]
    changed = 0
    for unit in _units():
        result = scrub_claim(unit, RULES, ctx, SAFE)
        submitted = build_claim(unit.segments, unit.context, unit.ordinal)
        expected = _line_total(result.claim) - _line_total(submitted) if result.changed else 0
        assert result.charges_added == expected
        changed += result.changed and expected != 0
    assert changed > 5  # JW splits add lines and charges


def _spy_rules(calls: list[str], prefix: str) -> tuple[Rule, ...]:
    def spy(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
        calls.append(meta.id)
        return iter(())

    def meta(rule_id: str) -> RuleMeta:
        return RuleMeta(rule_id, rule_id.lower(), Severity.INFO, Applicability.NONE, "", "")

    return (Rule(meta(f"{prefix}001"), spy), Rule(meta(f"{prefix}002"), None))


def test_each_rule_sequence_gets_its_own_plan() -> None:
    """Alternating two rule sequences (the engine keeps the last one's plans) calls each one's
    own checks, in order, and never the other's; envelope rules (no check) are never called."""
    calls: list[str] = []
    first, second = _spy_rules(calls, "AAA"), _spy_rules(calls, "BBB")
    ctx = _contexts()[0]
    claim = next(_claims())
    for rules, expected in ((first, ["AAA001"]), (second, ["BBB001"]), (first, ["AAA001"])):
        calls.clear()
        check_claim(claim, rules, ctx)
        assert calls == expected
    # A list equal to a tuple already planned is planned afresh, and gives the same.
    calls.clear()
    check_claim(claim, list(first), ctx)
    assert calls == ["AAA001"]


def test_field_at_is_the_eager_field() -> None:
    """model.claim.field_at (Loc made on first read) is Field(value, Loc(...)) in every respect."""
    eager = Field("J7207", Loc(3, 41, "SV101-2"))

    def lazy() -> Field:
        return field_at("J7207", 3, 41, "SV101-2")

    assert lazy() == eager and eager == lazy()
    assert hash(lazy()) == hash(eager)
    assert repr(lazy()) == repr(eager)
    assert pickle.loads(pickle.dumps(lazy())) == eager
    assert copy.deepcopy(lazy()) == eager
    assert dataclasses.astuple(lazy()) == dataclasses.astuple(eager)
    assert dataclasses.replace(lazy(), value="J7208") == Field("J7208", eager.loc)
    made = lazy()
    assert made.loc == eager.loc and made.loc is made.loc  # made once, then kept
    assert made != field_at("J7207", 3, 42, "SV101-2")
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.loc = eager.loc  # type: ignore[misc]
    with pytest.raises(AttributeError):
        getattr(made, "nothing")  # noqa: B009
    with pytest.raises(AttributeError):
        getattr(lazy(), "_at_nothing")  # noqa: B009


def test_builder_segment_ids_are_the_computed_ones() -> None:
    """build_claim fills Claim.segment_ids from the lexer's ids: what the property computes."""
    for claim in _claims():
        assert claim.segment_ids == tuple(p[0].strip() if p else "" for p in claim.source)


def _regex_amount(text: str) -> Decimal | None:
    """model.money._parse_amount as the regex wrote it before the string-method version."""
    if not text or len(text) > money.MAX_DIGITS + 2 or not money._X12_DECIMAL.fullmatch(text):
        return None
    if len(text) - text.count(".") - text.startswith("-") > money.MAX_DIGITS:
        return None
    return Decimal(text)


@pytest.mark.parametrize(
    "text",
    [
        "", "-", ".", "-.", "5", "5.", ".5", "-.5", "-5.", "-0", "0.00", "2000.00", "1234.5",
        "5.5.5", "--5", "-5-", "+1", " 1", "1 ", "1e3", "NaN", "Infinity", "1_000", "²", "1²",
        "١٢", "1" * 18, "1" * 19, "-" + "1" * 18, "1" * 17 + ".1", "." + "1" * 18,
        "1" * 10 + "." + "1" * 9, "1" * 21, "0x10", "\u0661", "12\n", "\t5",
    ],
)  # fmt: skip
def test_parse_amount_is_the_regex(text: str) -> None:
    """The string-method amount parse accepts and reads exactly what the X12 regex did."""
    assert money._parse_amount(text) == _regex_amount(text)


def test_file_segment_is_the_locations_segment() -> None:
    """file_segment(f) is f.loc.segment for lazy and eager fields, before and after the read."""
    lazy, eager = field_at("1", 3, 41, "SV104"), Field("1", Loc(3, 41, "SV104"))
    assert file_segment(lazy) == file_segment(eager) == 41
    assert lazy.loc.segment == file_segment(lazy) == 41
    for claim in _claims():
        for line in claim.lines:
            for f in (line.charge, line.units, line.code, line.lx):
                assert file_segment(f) == f.loc.segment
