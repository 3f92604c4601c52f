"""Docs a newcomer can follow: every reference a rule makes resolves inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

from edi_scrub.rules import all_rules

REPO = Path(__file__).resolve().parents[1]
DOMAIN = REPO / "docs" / "domain.md"


def _sections() -> set[str]:
    return set(re.findall(r"^## (\d+)\. ", DOMAIN.read_text(encoding="utf-8"), re.M))


def _references(doc: str) -> str:
    return doc.partition("\nReferences\n")[2]


def test_domain_md_is_shipped_with_its_sections() -> None:
    assert _sections() == {"1", "2", "3", "4", "5", "6"}


def test_every_rule_reference_to_domain_md_resolves() -> None:
    """`docs/domain.md §N` (and the `§M` that follow it) name a section docs/domain.md has."""
    sections, cited = _sections(), 0
    for rule in all_rules():
        refs = _references(rule.meta.doc)
        for match in re.finditer(r"docs/domain\.md((?:[^;.]|\.\w)*)", refs):
            numbers = re.findall(r"§(\d+)", match.group(1))
            cited += len(numbers)
            assert set(numbers) <= sections, (rule.meta.id, numbers)
    assert cited >= 40


def test_no_rule_reference_points_outside_the_repository() -> None:
    for rule in all_rules():
        refs = _references(rule.meta.doc)
        assert refs, rule.meta.id
        assert "../shared" not in refs and "pyx12-notes" not in refs, rule.meta.id
        # A bare `domain.md` is the old, unresolvable spelling.
        assert not re.search(r"(?<![/\w])domain\.md", refs), rule.meta.id


def test_readme_points_at_the_repository_docs() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "../shared/docs" not in readme
    for doc in ("docs/domain.md", "docs/rules.md", "docs/robustness.md"):
        assert f"({doc})" in readme, doc
        assert (REPO / doc).is_file(), doc


def test_every_test_robustness_md_names_exists() -> None:
    """docs/robustness.md names real tests (`file::test`, `::test` continues the last file)."""
    text = (REPO / "docs" / "robustness.md").read_text(encoding="utf-8")
    named = 0
    for line in text.splitlines():
        current: Path | None = None
        for path, name in re.findall(r"`(?:(tests/[\w/]+\.py))?(?:::(\w+))?", line):
            if path:
                current = REPO / path
                assert current.is_file(), path
            if name and current is not None:
                assert re.search(rf"^def {name}\(", current.read_text(), re.M), (path, name)
                named += 1
    assert named >= 40
