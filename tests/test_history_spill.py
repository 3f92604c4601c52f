"""The usage history with flat memory (history.py over spill_map.py): the same answers as the
plain dicts it replaced, whatever the in-memory bound; nothing in clear on disk; no named file."""

from __future__ import annotations

import io
import os
import random
import sqlite3
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from edi_scrub import history
from edi_scrub.history import UsageHistory, duplicate_keys
from edi_scrub.model.build import build_claim
from edi_scrub.model.claim import Claim
from edi_scrub.model.group import ClaimUnit, group
from edi_scrub.pipeline import Options, scrub
from edi_scrub.policy import LimitPeriod, Mue, PayerPolicy, QuantityLimit
from edi_scrub.spill_map import SpillMap
from edi_scrub.x12.lexer import iter_segments
from tests.builders import (
    HISTORY_DAYS,
    HISTORY_DOBS,
    ClaimSpec,
    LineSpec,
    P,
    build,
    history_claims,
)


class _Reference:
    """The history as it was before it could spill: plain dicts (the answers to match)."""

    def __init__(self) -> None:
        self.units: defaultdict[tuple[str, str], defaultdict[date, Decimal]] = defaultdict(
            lambda: defaultdict(Decimal)
        )
        self.lines: dict[int, str] = {}

    def claim_with_line(self, key: int) -> str | None:
        return self.lines.get(key)

    def units_between(self, patient_key: str, code: str, start: date, end: date) -> Decimal:
        days = self.units.get((patient_key, code))
        if not days:
            return Decimal(0)
        return sum((u for d, u in days.items() if start <= d <= end), Decimal(0))

    def record(self, claim: Claim) -> None:
        for _, key in duplicate_keys(claim):
            self.lines.setdefault(key, claim.claim_id)
        for line in claim.lines:
            units = line.units.decimal()
            day = line.date_of_service
            if units is None or day is None or units <= 0:
                continue
            self.units[(claim.patient_key, line.code.value)][day] += units


def _claims(data: bytes) -> list[Claim]:
    units = group(iter_segments(io.BytesIO(data)), "<test>")
    return [
        build_claim(u.segments, u.context, u.ordinal) for u in units if isinstance(u, ClaimUnit)
    ]


@pytest.mark.parametrize("bound", [1, 2, 5, 10_000])
def test_history_answers_like_plain_dicts_across_the_bound(
    bound: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history, "LINES_IN_MEMORY", bound)
    monkeypatch.setattr(history, "UNITS_IN_MEMORY", bound)
    claims = _claims(build(P, history_claims(80, seed=bound)))
    reference, spilling = _Reference(), UsageHistory()
    pairs = {(c.patient_key, line.code.value) for c in claims for line in c.lines}
    windows = [
        (date(2024, 1, 10) + timedelta(days=a), date(2024, 1, 10) + timedelta(days=a + w))
        for a in (-5, 0, 1, 5, 22)
        for w in (0, 1, 6, 30, 60)
    ]
    duplicates = 0
    for n, claim in enumerate(claims):
        # Most claims are asked about before they are recorded (as DUP001 does), some not, some
        # twice (the fix loop): record must give the same answers either way.
        for _ in range(n % 3):
            for _, key in duplicate_keys(claim):
                assert spilling.claim_with_line(key) == reference.claim_with_line(key)
                duplicates += reference.claim_with_line(key) is not None
        for patient, code in pairs:
            for start, end in windows:
                expected = reference.units_between(patient, code, start, end)
                got = spilling.units_between(patient, code, start, end)
                assert (got, str(got)) == (expected, str(expected))
        reference.record(claim)
        spilling.record(claim)
    assert duplicates > 0  # the data does exercise the duplicate index
    assert spilling._lines.spilled == spilling._units.spilled == (bound < 100)
    for claim in claims:  # and every answer after the last record
        for _, key in duplicate_keys(claim):
            assert spilling.claim_with_line(key) == reference.claim_with_line(key)
    spilling.close()


def test_a_line_repeated_within_a_claim_keeps_its_first_claim(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(history, "LINES_IN_MEMORY", 1)
    line = LineSpec(modifiers=("JZ",))
    specs = (ClaimSpec(lines=(line, line), clm01="PCNA"), ClaimSpec(lines=(line,), clm01="PCNB"))
    first, second = _claims(build(P, specs))
    spilling = UsageHistory()
    keys = [key for _, key in duplicate_keys(first)]
    assert len(keys) == 2 and keys[0] == keys[1]
    assert spilling.claim_with_line(keys[0]) is None
    spilling.record(first)  # the second line finds the first on disk (the bound is 1)
    assert spilling._lines.spilled and spilling._asked == {}
    assert [spilling.claim_with_line(k) for _, k in duplicate_keys(second)] == ["PCNA"]
    spilling.record(second)
    assert spilling.claim_with_line(keys[0]) == "PCNA"


def _policy() -> PayerPolicy:
    limit = QuantityLimit("J7208", 2500, LimitPeriod.ROLLING, 14)
    return PayerPolicy(
        "t", "Test payer", quantity_limits=(limit,), mue={"J7208": Mue("J7208", 3000, 3)}
    )


def test_scrub_with_the_history_on_disk_gives_the_same_output_and_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "in.837"
    src.write_bytes(build(P, history_claims(60, seed=7)))
    policy = _policy()
    rules = ("DUP001", "UNT005", "UNT006")
    options = Options(select=rules, structure=False, policy=lambda _claim: policy)

    def run() -> tuple[bytes, str]:
        out = io.BytesIO()
        report = scrub(src, out, options)
        return out.getvalue(), "".join(report.json_chunks())

    in_memory = run()
    for rule in ("DUP001", "UNT005", "UNT006"):
        assert f'"rule": "{rule}"' in in_memory[1]  # each rule has findings to compare
    for bound in (1, 3):
        monkeypatch.setattr(history, "LINES_IN_MEMORY", bound)
        monkeypatch.setattr(history, "UNITS_IN_MEMORY", bound)
        assert run() == in_memory


def test_spill_map_matches_a_dict() -> None:
    rng = random.Random(3)
    for limit in (1, 2, 7, 50):
        plain: dict[int, str] = {}
        spilled = SpillMap[int, str](limit, lambda k: str(k).encode(), str, str)
        for _ in range(600):
            key = rng.randrange(120)
            if rng.random() < 0.5:
                value = f"v{rng.randrange(1000)}"
                plain[key] = value
                spilled[key] = value
            assert spilled.get(key) == plain.get(key)
        assert all(spilled.get(k) == plain.get(k) for k in range(130))
        assert spilled.spilled
        spilled.close()
        assert not spilled.spilled and spilled.get(1) is None


def _spill_files() -> list[str]:
    fds = Path(f"/proc/{os.getpid()}/fd")
    links = []
    for fd in fds.iterdir():
        try:
            links.append(os.readlink(fd))
        except OSError:
            continue
    return [link for link in links if "etilqs_" in link]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_the_spill_file_has_no_name_and_goes_with_close() -> None:
    before = _spill_files()
    spilled = SpillMap[int, str](1000, lambda k: str(k).encode(), str, str)
    # More than SQLite's page cache holds, so that it does write its (temporary) file.
    for k in range(25_000):
        spilled[k] = "x" * 400
    files = [f for f in _spill_files() if f not in before]
    assert files and all(f.endswith("(deleted)") for f in files)
    spilled.close()
    assert [f for f in _spill_files() if f not in before] == []


def test_nothing_in_clear_on_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history, "LINES_IN_MEMORY", 1)
    monkeypatch.setattr(history, "UNITS_IN_MEMORY", 1)
    claims = _claims(build(P, history_claims(20, seed=5)))
    spilling = UsageHistory()
    for claim in claims:
        spilling.record(claim)
    stored: list[tuple[bytes, str]] = []
    for part in (spilling._lines, spilling._units):
        assert part._db is not None
        stored += part._db.execute("SELECT k, v FROM h.m").fetchall()
    assert stored
    text = repr(stored)
    secrets = {c.patient_key for c in claims} | {"SYN000000001", *HISTORY_DOBS, *HISTORY_DAYS}
    secrets |= {str((date(2024, 1, 10) + timedelta(days=d)).toordinal()) for d in range(60)}
    assert not [s for s in secrets if s in text]
    raw_keys = {k.to_bytes(8, "little", signed=True) for c in claims for _, k in duplicate_keys(c)}
    assert not raw_keys & {k for k, _ in stored}
    spilling.close()


def test_a_failing_database_is_an_environment_error() -> None:
    spilled = SpillMap[int, str](1, lambda k: str(k).encode(), str, str)
    spilled[1] = "a"
    assert spilled._db is not None
    spilled._db.close()  # as if the temp folder's disk had gone away
    with pytest.raises(OSError, match="temporary usage-history database"):
        spilled.get(1)  # on disk (a key never stored is answered by the filter)
    with pytest.raises(OSError, match="temporary usage-history database"):
        spilled[3] = "b"
    with pytest.raises(sqlite3.ProgrammingError):
        spilled._db.execute("SELECT 1")


def test_keys_never_stored_are_answered_without_a_query() -> None:
    """The Bloom filter: a new key (most of a run's lookups) costs no disk query; a stored one
    is always found (no false negatives)."""
    spilled = SpillMap[int, str](100, lambda k: str(k).encode(), str, str)
    for k in range(1000):
        spilled[k] = f"v{k}"
    assert spilled._db is not None
    queries: list[str] = []
    spilled._db.set_trace_callback(queries.append)
    assert all(spilled.get(k) is None for k in range(10_000, 12_000))
    assert len(queries) < 20  # false positives only (about 0 at 1,000 keys)
    assert all(spilled.get(k) == f"v{k}" for k in range(1000))
    spilled.close()


def test_a_map_finalised_in_another_thread_closes_quietly() -> None:
    """A library caller may scrub in a worker thread and have the map collected in another:
    closing its database there must not raise (Python would print "Exception ignored")."""
    import gc
    import sys
    import threading

    from edi_scrub.spill_map import SpillMap

    made: list[SpillMap[str, str]] = []

    def build() -> None:
        spill: SpillMap[str, str] = SpillMap(1, str.encode, str, str)
        spill["a"] = "1"
        spill["b"] = "2"  # past the limit: the database is open now
        assert spill.spilled and spill.get("a") == "1"
        made.append(spill)

    worker = threading.Thread(target=build)
    worker.start()
    worker.join()
    raised: list[object] = []
    previous = sys.unraisablehook
    sys.unraisablehook = raised.append
    try:
        made.clear()
        gc.collect()
    finally:
        sys.unraisablehook = previous
    assert raised == []
