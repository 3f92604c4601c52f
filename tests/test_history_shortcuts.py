"""Shortcuts in the usage history and its spill map give exactly what the general code gives.

Each fast path added for speed (issue 9, round 4) is held here against the code it stands in
for, in the style of ``tests/test_rule_shortcuts.py``.
"""

from __future__ import annotations

import copy
import hashlib
import random

from edi_scrub import history
from edi_scrub.history import UsageHistory, duplicate_keys
from edi_scrub.model.claim import Claim, ServiceLine
from edi_scrub.model.money import parse_amount
from edi_scrub.model.ndc import read_ndc
from edi_scrub.model.source import frequency
from edi_scrub.spill_map import SpillMap
from tests.test_rule_facts import _claims


def test_the_filter_has_no_false_negatives() -> None:
    """Every key spilled to disk passes the filter (ints and tuples of text, as the history's
    two maps use), whatever the spill sizes, so a key on disk is always looked up."""
    rng = random.Random(4)
    for limit in (1, 3, 64, 1000):
        ints = SpillMap[int, str](limit, lambda k: str(k).encode(), str, str)
        pairs = SpillMap[tuple[str, str], str](limit, lambda k: "\0".join(k).encode(), str, str)
        stored_ints = [rng.getrandbits(64) - (1 << 63) for _ in range(3000)] + [0, -1, 1]
        stored_pairs = [(f"P{rng.getrandbits(40):x}", f"J{n % 50:04d}") for n in range(3000)]
        for k in stored_ints:
            ints[k] = "x"
        for p in stored_pairs:
            pairs[p] = "y"
        on_disk_ints = [k for k in stored_ints if k not in ints._memory]
        on_disk_pairs = [p for p in stored_pairs if p not in pairs._memory]
        assert on_disk_ints and on_disk_pairs
        assert all(ints._maybe_on_disk(k) for k in on_disk_ints)
        assert all(pairs._maybe_on_disk(p) for p in on_disk_pairs)
        assert all(ints.get(k) == "x" for k in stored_ints)
        assert all(pairs.get(p) == "y" for p in stored_pairs)
        ints.close()
        pairs.close()


def test_a_query_exactly_when_the_filter_says_maybe() -> None:
    """The inlined test of ``get`` answers as ``_maybe_on_disk`` does, and the filter rules out
    nearly every key never stored (false positives cost a query, never an answer)."""
    spilled = SpillMap[int, str](500, lambda k: str(k).encode(), str, str)
    for k in range(1500):
        spilled[k] = f"v{k}"
    assert spilled._db is not None
    queries: list[str] = []
    spilled._db.set_trace_callback(queries.append)
    maybes = 0
    for k in range(100_000, 130_000):
        maybe = spilled._maybe_on_disk(k)
        maybes += maybe
        before = len(queries)
        assert spilled.get(k) is None
        assert (len(queries) > before) is maybe
    assert maybes < 30  # 0.1%; about 0 expected at 1,500 keys in 2**24 bits
    assert all(spilled.get(k) == f"v{k}" for k in range(1500))
    spilled.close()


def _reference_keys(claim: Claim) -> list[tuple[ServiceLine, int]]:
    """``duplicate_keys`` as round 3 wrote it (``has_modifier``, no walrus)."""
    if frequency(claim) in ("7", "8"):
        return []
    keys: list[tuple[ServiceLine, int]] = []
    for line in claim.lines:
        day = line.service_date
        if day is None:
            continue
        start = day.start
        if start is None or line.has_modifier("76"):
            continue
        drug = line.drug
        raw = drug.ndc.value if drug is not None else ""
        ndc = read_ndc(raw).normalized or raw
        units = parse_amount(line.units.value)
        units_key = str(units.normalize()) if units is not None else line.units.value
        identity = (claim.patient_key, start, day.end, line.code.value, ndc, units_key)
        keys.append((line, hash(identity)))
    return keys


def test_duplicate_keys_equal_the_reference() -> None:
    checked = 0
    for claim in _claims():
        assert history._duplicate_keys(claim) == _reference_keys(claim)
        assert duplicate_keys(claim) == _reference_keys(claim)
        checked += len(claim.lines)
    assert checked > 1000


def test_digest_from_the_keyed_state_equals_the_keyed_hash() -> None:
    spilled = SpillMap[int, str](10, lambda k: str(k).encode(), str, str)
    for k in [*range(-500, 5000), 2**63 - 1, -(2**63)]:
        plain = hashlib.blake2b(str(k).encode(), key=spilled._salt, digest_size=16).digest()
        assert spilled._digest(k) == plain
    # Twice the same key, the same digest: the keyed state is copied, never consumed.
    assert spilled._digest(7) == spilled._digest(7)


def test_an_unspilled_history_still_copies() -> None:
    """The filter and the keyed hash state are made at the first spill or digest: a history
    that has not spilled copies with ``copy.deepcopy`` as it did before round 4."""
    fresh = UsageHistory()
    for claim in list(_claims())[:20]:
        fresh.record(claim)
    copied = copy.deepcopy(fresh)
    for claim in list(_claims())[:20]:
        assert all(
            copied.claim_with_line(key) == fresh.claim_with_line(key)
            for _, key in duplicate_keys(claim)
        )
