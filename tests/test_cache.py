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
