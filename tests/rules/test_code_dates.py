"""Code validity dates the bundled map cannot exercise: termination, via a custom catalog."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from edi_scrub.maps.drugs import DrugCatalog, load_drug_catalog
from edi_scrub.pipeline import Options, scrub
from edi_scrub.rules._drug import valid_on
from tests.builders import ClaimSpec, I, LineSpec, P, build


def _terminated(code: str, last: date) -> DrugCatalog:
    bundled = load_drug_catalog()
    codes = dict(bundled.codes)
    codes[code] = replace(codes[code], terminated=last)
    return DrugCatalog(codes=codes, packages=bundled.packages)


def _rules(
    tmp_path: Path, kind: str, spec: ClaimSpec, rule: str, catalog: DrugCatalog
) -> list[str]:
    src = tmp_path / "in.837"
    src.write_bytes(build(kind, (spec,)))
    options = Options(select=(rule,), structure=False, catalog=catalog, fix=False)
    report = scrub(src, io.BytesIO(), options)
    return [o.finding.rule for o in report.outcomes if o.finding.rule == rule]


@pytest.mark.parametrize("kind", [P, I])
@pytest.mark.parametrize(("dos", "fires"), [("20231231", 0), ("20240101", 1)])
def test_hcp002_after_termination(tmp_path: Path, kind: str, dos: str, fires: int) -> None:
    catalog = _terminated("J7207", date(2023, 12, 31))
    spec = ClaimSpec(lines=(LineSpec(dos=dos, modifiers=("JZ",)),))
    assert len(_rules(tmp_path, kind, spec, "HCP002", catalog)) == fires


@pytest.mark.parametrize("kind", [P, I])
def test_hcp003_not_after_specific_code_terminated(tmp_path: Path, kind: str) -> None:
    catalog = _terminated("J7207", date(2023, 12, 31))
    spec = ClaimSpec(lines=(LineSpec(code="J7199", modifiers=("JZ",)),))
    assert _rules(tmp_path, kind, spec, "HCP003", catalog) == []


def test_valid_on_year_only_start_is_unknown_inside_the_year() -> None:
    j7208 = load_drug_catalog().code("J7208")
    assert j7208 is not None
    assert valid_on(j7208, date(2018, 12, 31)) is False
    assert valid_on(j7208, date(2019, 6, 1)) is None
    assert valid_on(j7208, date(2020, 1, 1)) is True
