"""The user cache (``edi_scrub._cache``) and the ICD-10-CM release kept in it: an optimisation
that must never change an answer, whatever state the cache is in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from edi_scrub import _cache
from edi_scrub.rules.claim import _icd10


def _code_list() -> Path:
    (path,) = sorted(_icd10._data_dir().glob("code-list-*.txt"))[-1:]
    return path


def test_cached_release_equals_the_parsed_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = _code_list()
    parsed = _icd10.parse_release(path)
    first = _icd10._cached_release(path)  # a miss: parses and stores
    assert list((tmp_path / "edi-scrub").glob("icd10cm-*.marshal"))
    second = _icd10._cached_release(path)  # a hit: read back
    assert first == second == parsed
    assert "D68311" in second.billable and "D683" in second.categories


@pytest.mark.parametrize(
    "damage",
    [b"", b"\x00garbage", b"\xe9" * 64],
    ids=["empty", "garbage", "not-marshal"],
)
def test_a_damaged_cache_file_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = _code_list()
    _icd10._cached_release(path)
    (stored,) = (tmp_path / "edi-scrub").glob("icd10cm-*.marshal")
    stored.write_bytes(damage)
    assert _icd10._cached_release(path) == _icd10.parse_release(path)


def test_a_cache_of_the_wrong_shape_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = _code_list()
    _icd10._cached_release(path)
    (stored,) = (tmp_path / "edi-scrub").glob("icd10cm-*.marshal")
    name = stored.name.removesuffix(stored.name[stored.name.rindex("-py") :])
    _cache.store(name, ("x", "not an ordinal", 3, (), ()))
    assert _icd10._cached_release(path) == _icd10.parse_release(path)


def test_an_unwritable_cache_directory_still_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    path = _code_list()
    assert _icd10._cached_release(path) == _icd10.parse_release(path)
    assert blocker.read_text() == "not a directory"


def test_store_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _cache.store("probe", (1, "two", (3,)))
    assert _cache.load("probe") == (1, "two", (3,))
    assert sorted(os.listdir(tmp_path / "edi-scrub")) == [
        p.name for p in (tmp_path / "edi-scrub").glob("probe-*.marshal")
    ]
    assert _cache.load("absent") is None


def _age(path: Path, days: float) -> None:
    when = path.stat().st_mtime - days * 86_400
    os.utime(path, (when, when))


def test_a_write_prunes_its_family_unused_for_max_age(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Old entries of the same family go; recent ones, other families and the new file stay."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _cache.store("demo-old", 1)
    _cache.store("demo-recent", 2)
    _cache.store("other-old", 3)
    folder = tmp_path / "edi-scrub"
    old, recent, other = (
        next(folder.glob(f"{n}-*")) for n in ("demo-old", "demo-recent", "other-old")
    )
    _age(old, _cache.MAX_AGE + 1)
    _age(recent, _cache.MAX_AGE - 1)
    _age(other, _cache.MAX_AGE + 1)
    _cache.store("demo-new", 4)
    assert not old.exists()
    assert recent.exists() and other.exists()
    assert _cache.load("demo-new") == 4


def test_a_read_keeps_an_entry_alive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry in use (read by some install) is not pruned however old its file is."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _cache.store("demo-used", 1)
    (used,) = (tmp_path / "edi-scrub").glob("demo-used-*")
    _age(used, _cache.MAX_AGE + 5)
    assert _cache.load("demo-used") == 1  # marks it used
    _cache.store("demo-other", 2)
    assert used.exists()
    assert _cache.load("demo-used") == 1


def test_compiled_tr3_maps_are_pruned_and_kept_alive_the_same_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil
    import time

    from edi_scrub.x12 import _tr3_compile

    name = "837.5010.X222.A1.xml"
    _tr3_compile.load(name)  # in the real cache (compiled once per machine, as other tests do)
    real = _tr3_compile.cache_path(name)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(_tr3_compile, "_MEMORY", {})
    current = _tr3_compile.cache_path(name)
    current.parent.mkdir(parents=True)
    shutil.copyfile(real, current)
    _age(current, _cache.MAX_AGE + 1)
    _tr3_compile.load(name)  # a hit: marks it used
    assert current.stat().st_mtime > time.time() - 86_400
    stale = current.parent / "tr3-0.0.0-c0-gone-837.xml.pickle"
    stale.write_bytes(b"stale")
    _age(stale, _cache.MAX_AGE + 1)
    other = current.parent / "tr3-4.0.0-c2-other-x12.control.00501.xml.pickle"
    monkeypatch.setattr(_tr3_compile, "_MEMORY", {})
    _tr3_compile._store(other, _tr3_compile.load(name))  # any write prunes the family
    assert not stale.exists()
    assert current.exists() and other.exists()
