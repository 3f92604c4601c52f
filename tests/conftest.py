"""Shared fixtures: the public corpus beside the checkout (skipped cleanly when absent)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
SAMPLES = REPO / "samples"


def corpus_files() -> list[Path]:
    """Every X12 file of ../shared/corpus (empty when the folder is absent)."""
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir() if p.is_file() and p.name != "MANIFEST.tsv")


def needs_corpus() -> pytest.MarkDecorator:
    """Skip a test when ../shared/corpus is not there."""
    return pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")


@pytest.fixture(scope="session", autouse=True)
def _no_user_maps_in_shared_fixtures(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """The same for module- and session-scoped fixtures, which are set up before any
    function-scoped fixture runs: without it a batch run in a module fixture saw the developer's
    user maps and a test's rerun did not, so the settings digests differed."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("EDI_SCRUB_MAPS", raising=False)
        patch.setenv("XDG_DATA_HOME", str(tmp_path_factory.getbasetemp() / "no-user-data-shared"))
        yield


@pytest.fixture(autouse=True)
def _no_user_maps(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Tests never pick up the developer's own maps (~/.local/share/edi-scrub/maps)."""
    # Through XDG_DATA_HOME, not $EDI_SCRUB_MAPS: a set but missing $EDI_SCRUB_MAPS is a typo
    # edi-scrub warns about, and that warning would land in every CLI test's output. One per
    # test: a run asked for a 999 creates it for its control number counter, and that must not
    # turn into a user maps directory for the tests after it.
    monkeypatch.delenv("EDI_SCRUB_MAPS", raising=False)
    absent = tmp_path_factory.getbasetemp() / "no-user-data" / uuid.uuid4().hex
    monkeypatch.setenv("XDG_DATA_HOME", str(absent))
