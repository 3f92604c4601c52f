"""Shortcuts in the usage history and its spill map give exactly what the general code gives.

Each fast path added for speed (issue 9, round 4) is held here against the code it stands in
for, in the style of ``tests/test_rule_shortcuts.py``.
"""

from __future__ import annotations

import hashlib
import random

from edi_scrub import history
from edi_scrub.history import duplicate_keys
from edi_scrub.model.claim import Claim, ServiceLine
from edi_scrub.model.money import parse_amount
from edi_scrub.model.ndc import read_ndc
from edi_scrub.model.source import frequency
from edi_scrub.spill_map import _BLOOM_BITS, SpillMap
from tests.test_rule_facts import _claims


def _bits_by_slices(digest: bytes) -> tuple[int, int, int]:
    """The Bloom bits as spill_map computed them before round 4: three 4-byte slices."""
    mask = _BLOOM_BITS - 1
    return (
        int.from_bytes(digest[0:4], "little") & mask,
        int.from_bytes(digest[4:8], "little") & mask,
        int.from_bytes(digest[8:12], "little") & mask,
    )


def test_bloom_bits_equal_the_three_slices() -> None:
    rng = random.Random(4)
    digests = [rng.randbytes(16) for _ in range(20_000)]
    digests += [bytes(16), b"\xff" * 16, bytes(range(16)), bytes(range(16, 0, -1))]
    digests += [hashlib.blake2b(str(n).encode(), digest_size=16).digest() for n in range(2000)]
    for digest in digests:
        assert SpillMap._bits(digest) == _bits_by_slices(digest)


def test_a_spill_sets_exactly_the_bits_of_its_keys() -> None:
    """The inlined loop of ``_spill`` sets the bits ``_bits`` names for each key, and no other;
    the inlined test of ``get`` answers as ``_maybe_on_disk`` does."""
    spilled = SpillMap[int, str](500, lambda k: str(k).encode(), str, str)
    for k in range(1500):
        spilled[k] = f"v{k}"
    expected = bytearray(_BLOOM_BITS // 8)
    for k in range(1500):
        for b in _bits_by_slices(spilled._digest(k)):
            expected[b >> 3] |= 1 << (b & 7)
    assert spilled._bloom == expected
    assert spilled._db is not None
    queries: list[str] = []
    spilled._db.set_trace_callback(queries.append)
    for k in range(100_000, 130_000):
        maybe = spilled._maybe_on_disk(spilled._digest(k))
        before = len(queries)
        assert spilled.get(k) is None
        assert (len(queries) > before) is maybe  # a query exactly when the filter says maybe
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
