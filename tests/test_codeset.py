"""CodeSet (the ICD-10-CM release's compact code sets) answers exactly as a frozenset would."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edi_scrub.rules.claim._codeset import CodeSet
from edi_scrub.rules.claim._icd10 import bundled_release

_CODE = st.text(alphabet="ABDZ0139X|", min_size=0, max_size=8)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.sets(_CODE.filter(lambda c: "|" not in c), max_size=40), st.lists(_CODE, max_size=30))
def test_membership_iteration_and_size_match_a_frozenset(
    codes: set[str], probes: list[str]
) -> None:
    cs = CodeSet(codes)
    plain = frozenset(codes)
    assert len(cs) == len(plain)
    assert sorted(cs) == sorted(plain)
    for probe in [*probes, *codes, *(c[:-1] for c in codes), *(c + "1" for c in codes)]:
        assert (probe in cs) == (probe in plain), probe
    assert CodeSet.from_groups(cs.groups) == cs == plain
    others = [p for p in probes if "|" not in p]
    assert cs | CodeSet(others) == plain | set(others)


def test_separator_is_refused_and_never_found() -> None:
    with pytest.raises(ValueError, match="not a code"):
        CodeSet(["D6|8"])
    cs = CodeSet(["D68", "D683", "D68311"])
    assert "D68|" not in cs and "|" not in cs and "" not in cs and 3 not in cs


def test_the_release_is_small_and_complete() -> None:
    release = bundled_release()
    billable = release.billable
    assert "D68311" in billable and "D683" not in billable and "D683" in release.categories
    assert len(billable) > 70_000 and len(release.categories) > 20_000
    size = sys.getsizeof(billable._groups) + sum(
        sys.getsizeof(k) + sys.getsizeof(v) for k, v in billable._groups.items()
    )
    # A frozenset of the same strings holds ~7 MiB; the groups stay under 1.5 MiB.
    assert size < 1_500_000, size
    assert hash(billable) == hash(CodeSet.from_groups(billable.groups))
