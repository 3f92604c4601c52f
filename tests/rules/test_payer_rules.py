"""Payer-policy rules where the one-claim case tables cannot reach.

UNT005 (MUE per day) and UNT006 (payer limits per day / rolling period) add the units of earlier
claims of the same file for the same patient; MOD005's multi-dose branch needs a product the
bundled map does not mark multi-dose.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from edi_scrub.maps.drugs import DrugCatalog, load_drug_catalog
from edi_scrub.pipeline import Options, scrub
from edi_scrub.policy import LimitPeriod, Mue, PayerPolicy, QuantityLimit
from edi_scrub.report.model import Report
from tests.builders import ClaimSpec, I, LineSpec, P, build

_MUE_PER_DAY = PayerPolicy("t", "Test payer", mue={"J7208": Mue("J7208", 6000, 2)})
_ROLLING = PayerPolicy(
    "t",
    "Test payer",
    quantity_limits=(
        QuantityLimit("J7208", 41400, LimitPeriod.ROLLING, 30, source="test quantity policy"),
    ),
)
_DAY = PayerPolicy(
    "t", "Test payer", quantity_limits=(QuantityLimit("J7208", 6000, LimitPeriod.DAY),)
)


def _claim(clm01: str, units: str, dos: str, dob: str = "19800101") -> ClaimSpec:
    line = LineSpec(code="J7208", ndc=None, units=units, charge="1000", dos=dos, modifiers=("JZ",))
    return ClaimSpec(lines=(line,), clm01=clm01, dob=dob)


def _run(
    tmp_path: Path,
    kind: str,
    claims: tuple[ClaimSpec, ...],
    rule: str,
    policy: PayerPolicy | None = None,
    catalog: DrugCatalog | None = None,
    unsafe: bool = False,
) -> tuple[Report, bytes]:
    src = tmp_path / "in.837"
    src.write_bytes(build(kind, claims))
    out = io.BytesIO()
    options = Options(
        select=(rule,),
        structure=False,
        unsafe_fixes=unsafe,
        catalog=catalog,
        policy=(lambda _claim: policy) if policy is not None else None,
    )
    return scrub(src, out, options), out.getvalue()


def _fired(report: Report, rule: str) -> list[str | None]:
    return [o.finding.claim for o in report.outcomes if o.finding.rule == rule]


@pytest.mark.parametrize("kind", [P, I])
@pytest.mark.parametrize(
    ("second_dos", "second_dob", "fires"),
    [
        # Same patient and date: 4000 + 3000 on the second claim; the first cannot see it.
        ("20240115", "19800101", ["PCN002"]),
        ("20240116", "19800101", []),  # another date
        ("20240115", "19900101", []),  # another patient
    ],
)
def test_unt005_per_day_counts_earlier_claims(
    tmp_path: Path, kind: str, second_dos: str, second_dob: str, fires: list[str]
) -> None:
    claims = (
        _claim("PCN001", "4000", "20240115"),
        _claim("PCN002", "3000", second_dos, second_dob),
    )
    report, _ = _run(tmp_path, kind, claims, "UNT005", _MUE_PER_DAY)
    assert _fired(report, "UNT005") == fires


@pytest.mark.parametrize("kind", [P, I])
@pytest.mark.parametrize(
    ("second_dos", "fires"),
    [("20240131", ["PCN002"]), ("20240201", [])],  # 30-day window from 01-02 ends 01-31
)
def test_unt006_rolling_window_across_claims(
    tmp_path: Path, kind: str, second_dos: str, fires: list[str]
) -> None:
    claims = (_claim("PCN001", "30000", "20240102"), _claim("PCN002", "12000", second_dos))
    report, _ = _run(tmp_path, kind, claims, "UNT006", _ROLLING)
    assert _fired(report, "UNT006") == fires
    if fires:
        message = next(o.finding.message for o in report.outcomes if o.finding.rule == "UNT006")
        assert "30000 on earlier claims" in message
        assert "41400 units per 30 days (test quantity policy)" in message
        assert "2024" not in message  # no dates of service in the report


@pytest.mark.parametrize("kind", [P, I])
def test_unt006_day_across_claims(tmp_path: Path, kind: str) -> None:
    claims = (_claim("PCN001", "4000", "20240115"), _claim("PCN002", "2001", "20240115"))
    report, _ = _run(tmp_path, kind, claims, "UNT006", _DAY)
    assert _fired(report, "UNT006") == ["PCN002"]


def _multi_dose(code: str) -> DrugCatalog:
    bundled = load_drug_catalog()
    codes = dict(bundled.codes)
    codes[code] = replace(codes[code], single_dose=False)
    return DrugCatalog(codes=codes, packages=bundled.packages)


@pytest.mark.parametrize("kind", [P, I])
def test_mod005_jw_on_a_multi_dose_product(tmp_path: Path, kind: str) -> None:
    admin = LineSpec(code="J7208", ndc=None, units="1000", charge="2000", modifiers=("KX",))
    jw = replace(admin, units="200", charge="400", modifiers=("JW",))
    spec = ClaimSpec(lines=(admin, jw), sbr09="CI")
    catalog = _multi_dose("J7208")
    report, out = _run(tmp_path, kind, (spec,), "MOD005", catalog=catalog, unsafe=True)
    assert _fired(report, "MOD005") == ["PCN001"]
    assert out == build(kind, (ClaimSpec(lines=(admin,), sbr09="CI"),))
    report, _ = _run(tmp_path, kind, (spec,), "MOD005")  # bundled map: single-dose
    assert _fired(report, "MOD005") == []
