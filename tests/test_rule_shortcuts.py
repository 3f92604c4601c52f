"""Shortcuts inside rules give exactly what the general path gives.

Each memo or fast path added for speed (issue 9) is held here against the code it stands in
for, on the claims of every rule case table, the samples, the corpus and generated files
(``tests/test_rule_facts.py`` collects them).
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from edi_scrub.model.claim import Field, Loc
from edi_scrub.rules.claim._dx import pointed, pointer_texts
from edi_scrub.rules.claim._frequency import _payer_claim_numbers, payer_claim_numbers
from edi_scrub.rules.code.hcp002_code_not_valid_on_date import _why_invalid, why_invalid
from edi_scrub.rules.modifiers.mod004_waste_not_billed_as_jw import unique_control
from tests.test_rule_facts import MAPS, _claims


def _pointer(value: str) -> Field:
    return Field(value, Loc(0, 0, "SV107"))


def test_pointer_texts_only_name_pointers_that_select() -> None:
    """Every text in ``pointer_texts`` selects a diagnosis; ``pointed`` decides the rest."""
    checked = 0
    for claim in _claims():
        texts = pointer_texts(claim)
        for text in texts:
            assert pointed(claim, _pointer(text)) is not None, (claim.claim_id, text)
        # Each position written plainly is in the set, and the set holds nothing else.
        assert texts == {str(d.position) for d in claim.diagnoses if d.position > 0}
        for line in claim.lines:
            for p in line.dx_pointers:
                fast = p.value not in texts and pointed(claim, p) is None
                assert fast is (pointed(claim, p) is None)
                checked += 1
    assert checked > 1000


def test_pointer_texts_follow_the_claim() -> None:
    """The memo is the last claim's diagnoses: asking about another claim never gets stale."""
    claims = [c for c in _claims() if c.diagnoses][:50]
    for first, second in pairwise(claims):
        assert pointer_texts(first) == {str(d.position) for d in first.diagnoses if d.position > 0}
        assert pointed(second, _pointer("1")) is next(
            (d for d in second.diagnoses if d.position == 1), None
        )
        assert pointer_texts(second) == {
            str(d.position) for d in second.diagnoses if d.position > 0
        }


def test_hcp002_memo_equals_the_look_up() -> None:
    """``why_invalid`` (memoised) equals ``_why_invalid`` for every code billed and many days."""
    catalog = MAPS.catalog
    codes = {line.code.value for claim in _claims() for line in claim.lines}
    codes |= set(catalog.codes) | set(list(catalog.code_dates)[:200])
    days = [date(2015, 1, 1) + timedelta(days=n) for n in range(0, 4000, 9)]
    days += [d for c in _claims() for line in c.lines if (d := line.date_of_service) is not None]
    for _ in range(2):  # cold, then from the memo
        for hcpcs in sorted(codes):
            for day in days[::7]:
                assert why_invalid(catalog, hcpcs, day) == _why_invalid(catalog, hcpcs, day)
    # Another catalog never gets the first one's answers.
    other = catalog.with_code_dates({})
    for hcpcs in sorted(catalog.codes):
        for day in days[::50]:
            assert why_invalid(other, hcpcs, day) == _why_invalid(other, hcpcs, day)


def test_unique_control_skips_taken_suffixes() -> None:
    """The JW copy's REF*6R: the first free suffix, in the order JW, JW2, JW3, ..."""
    claim = next(c for c in _claims() if any(line.control_number for line in c.lines))
    line = next(line for line in claim.lines if line.control_number)
    assert line.control_number is not None
    value = line.control_number.value
    made = unique_control(claim, value)
    taken = {x.control_number.value[:30] for x in claim.lines if x.control_number}
    suffixes = ["JW", *(f"JW{n}" for n in range(2, 1000))]
    expected = next(
        value[: 30 - len(s)] + s for s in suffixes if value[: 30 - len(s)] + s not in taken
    )
    assert made == expected


def test_payer_claim_numbers_equal_the_loop_walk() -> None:
    """REF*F8 read off the segment ids equals the walk of loop 2300's own segments."""
    seen = 0
    for claim in _claims():
        found = payer_claim_numbers(claim)
        assert found == _payer_claim_numbers(claim), claim.claim_id
        seen += bool(found)
    assert seen > 0  # the inputs hold claims with a REF*F8
