"""Issue 7: every defect a billing expert found in the default fixes, as a test named after it.

Each test scrubs a small synthetic claim with every rule and the default (safe) fixes, as a user
would, and asserts what the fix-safety model (docs/fixes.md) demands: a money or line fix only on
the claim's own proof, never on COB claims or voids, never over an attestation.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from edi_scrub.pipeline import Options, scrub
from edi_scrub.report.model import Report
from edi_scrub.x12.lexer import iter_segments
from tests.builders import (
    ClaimSpec,
    I,
    LineSpec,
    P,
    ProviderSpec,
    build,
    with_cob,
)

BOTH = pytest.mark.parametrize("kind", [P, I])


def _scrub(
    tmp_path: Path, data: bytes, *, structure: bool = False, unsafe: bool = False
) -> tuple[Report, bytes]:
    src = tmp_path / "in.837"
    src.write_bytes(data)
    out = io.BytesIO()
    report = scrub(src, out, Options(structure=structure, unsafe_fixes=unsafe))
    return report, out.getvalue()


def _segments(data: bytes) -> list[list[str]]:
    return [s.elements for s in iter_segments(io.BytesIO(data), "t")]


def _lines(data: bytes) -> list[list[str]]:
    return [s for s in _segments(data) if s[0] in ("SV1", "SV2")]


def _clm02(data: bytes) -> str:
    return next(s[2] for s in _segments(data) if s[0] == "CLM")


def _by_rule(report: Report, rule: str) -> list[str]:
    return [o.status.value for o in report.outcomes if o.finding.rule == rule]


def _messages(report: Report, rule: str) -> list[str]:
    return [o.finding.message for o in report.outcomes if o.finding.rule == rule]


# --- unit errors: no JW line of 1,998 units --------------------------------------------------


@BOTH
def test_vial_count_units_do_not_make_a_jw_line_of_1998_units(tmp_path: Path, kind: str) -> None:
    claim = ClaimSpec(lines=(LineSpec(charge="4000.00", units="2", ctp_qty="2000"),))
    data = build(kind, (claim,))
    report, out = _scrub(tmp_path, data)
    assert len(_lines(out)) == 1
    assert _clm02(out) == _clm02(data)
    assert report.summary.charges_added == 0
    assert _by_rule(report, "MOD004") == ["suggested"]
    assert "vial count" in _messages(report, "MOD004")[0]
    # The unit finding stays in the report whatever else happens.
    assert _by_rule(report, "UNT003") == ["none"]


@BOTH
def test_units_in_iu_per_100_do_not_split(tmp_path: Path, kind: str) -> None:
    data = build(kind, (ClaimSpec(lines=(LineSpec(charge="2000", units="10", ctp_qty="1000"),)),))
    report, out = _scrub(tmp_path, data)
    assert out == data
    assert _by_rule(report, "MOD004") == ["suggested"]
    assert _by_rule(report, "UNT003") == ["none"]


@BOTH
@pytest.mark.parametrize("basis", ["MJ", ""])
def test_unit_basis_relabelled_in_the_same_pass_is_no_proof_for_a_split(
    tmp_path: Path, kind: str, basis: str
) -> None:
    claim = ClaimSpec(lines=(LineSpec(basis=basis, ctp_qty="1200"),))
    data = build(kind, (claim,))
    report, out = _scrub(tmp_path, data)
    # The relabel would decide the split, so neither happens: the biller checks the quantity.
    assert _by_rule(report, "UNT001") == ["suggested"]
    assert out == data
    assert _by_rule(report, "MOD004") == ["suggested"]
    assert "unit basis" in _messages(report, "MOD004")[0]


@BOTH
def test_ctp_typo_far_over_one_vial_does_not_split(tmp_path: Path, kind: str) -> None:
    data = build(kind, (ClaimSpec(lines=(LineSpec(ctp_qty="12000"),)),))
    report, out = _scrub(tmp_path, data)
    assert out == data
    assert _by_rule(report, "MOD004") == ["suggested"]
    assert "one container" in _messages(report, "MOD004")[0]


@BOTH
def test_unsafe_fixes_never_override_a_failed_split_precondition(tmp_path: Path, kind: str) -> None:
    data = build(kind, (ClaimSpec(lines=(LineSpec(charge="4000.00", units="2", ctp_qty="2000"),)),))
    report, out = _scrub(tmp_path, data, unsafe=True)
    assert len(_lines(out)) == 1
    assert _by_rule(report, "MOD004") == ["suggested"]


@BOTH
def test_proven_waste_is_still_split(tmp_path: Path, kind: str) -> None:
    report, out = _scrub(tmp_path, build(kind, (ClaimSpec(lines=(LineSpec(ctp_qty="1200"),)),)))
    assert _by_rule(report, "MOD004") == ["applied"]
    assert len(_lines(out)) == 2
    assert str(report.summary.charges_added) == "400"


# --- one JW line per drug and date -----------------------------------------------------------

_JW = LineSpec(modifiers=("JW",), units="200", charge="400", ctp_qty="200")


@pytest.mark.parametrize(
    ("kind", "jw"),
    [
        (P, replace(_JW, dos=None)),
        (I, replace(_JW, dos=None)),
        (P, replace(_JW, ndc="0944462401")),
        (I, replace(_JW, ndc="0944462401")),
        (P, replace(_JW, ndc="0944-4624-01")),
        (P, replace(_JW, dos_qualifier="RD8", dos="20240115-20240115")),
        (I, replace(_JW, dos_qualifier="RD8", dos="20240115-20240115")),
    ],
    ids=["no-DTP-P", "no-DTP-I", "bare10-P", "bare10-I", "hyphens-P", "RD8-P", "RD8-I"],
)
def test_existing_jw_line_in_any_form_gets_no_second_jw_line(
    tmp_path: Path, kind: str, jw: LineSpec
) -> None:
    data = build(kind, (ClaimSpec(lines=(LineSpec(ctp_qty="1200"), jw)),))
    report, out = _scrub(tmp_path, data)
    jw_lines = [s for s in _lines(out) if "JW" in s[1 if s[0] == "SV1" else 2].split(":")]
    assert len(jw_lines) == 1
    assert _by_rule(report, "MOD004") == []


@BOTH
def test_jw_line_with_the_inner_vial_ndc_is_rewritten_but_not_duplicated(
    tmp_path: Path, kind: str
) -> None:
    admin = LineSpec(ndc="00944462501", units="2000", charge="4000", ctp_qty="2200")
    data = build(kind, (ClaimSpec(lines=(admin, replace(_JW, ndc="00944425701"))),))
    report, out = _scrub(tmp_path, data)
    assert _by_rule(report, "NDC005") == ["applied"]
    assert len(_lines(out)) == 2
    assert _by_rule(report, "MOD004") == []


@BOTH
def test_jw_line_accounting_for_part_of_the_waste_is_a_finding(tmp_path: Path, kind: str) -> None:
    data = build(kind, (ClaimSpec(lines=(LineSpec(ctp_qty="1200"), replace(_JW, units="100"))),))
    report, out = _scrub(tmp_path, data)
    assert len(_lines(out)) == 2
    assert _by_rule(report, "MOD009") == ["none"]


# --- COB claims ------------------------------------------------------------------------------


@BOTH
@pytest.mark.parametrize("line_level", [True, False])
def test_cob_claim_gets_no_jw_line_and_keeps_clm02(
    tmp_path: Path, kind: str, line_level: bool
) -> None:
    claim = with_cob(ClaimSpec(lines=(LineSpec(ctp_qty="1200"),)), line_level=line_level)
    data = build(kind, (claim,))
    report, out = _scrub(tmp_path, data)
    assert out == data
    assert _by_rule(report, "MOD004") == ["suggested"]
    assert "COB claim" in _messages(report, "MOD004")[0]


@BOTH
def test_clm001_does_not_repair_a_cob_balanced_clm02(tmp_path: Path, kind: str) -> None:
    claim = with_cob(ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),)), line_level=False)
    data = build(kind, (replace(claim, clm02="2100"),))
    report, out = _scrub(tmp_path, data)
    assert _clm02(out) == "2100"
    assert _by_rule(report, "CLM001") == ["suggested"]


@BOTH
def test_unsafe_mod005_does_not_delete_a_cob_jw_line_with_its_2430(
    tmp_path: Path, kind: str
) -> None:
    claim = with_cob(
        ClaimSpec(lines=(LineSpec(), _JW), sbr09="MC", payer_id="SYNMCD01"), line_level=True
    )
    data = build(kind, (claim,))
    src = tmp_path / "in.837"
    src.write_bytes(data)
    out = io.BytesIO()
    report = scrub(
        src, out, Options(structure=False, unsafe_fixes=True, payer_profile="uhc-nj-medicaid")
    )
    assert out.getvalue() == data
    assert _by_rule(report, "MOD005") == ["suggested"]


@BOTH
def test_cob_claim_still_gets_formatting_repairs(tmp_path: Path, kind: str) -> None:
    claim = with_cob(ClaimSpec(lines=(LineSpec(modifiers=("JZ",), ndc="0944-4624-01"),)))
    report, out = _scrub(tmp_path, build(kind, (claim,)))
    assert _by_rule(report, "NDC003") == ["applied"]
    assert b"00944462401" in out


# --- attestations ----------------------------------------------------------------------------


@BOTH
def test_jz_with_ctp_waste_is_kept_and_reported_not_split(tmp_path: Path, kind: str) -> None:
    data = build(kind, (ClaimSpec(lines=(LineSpec(modifiers=("JZ",), ctp_qty="1200"),)),))
    report, out = _scrub(tmp_path, data)
    assert out == data
    assert _by_rule(report, "MOD010") == ["none"]
    assert report.summary.errors >= 1


@BOTH
def test_jz_beside_a_jw_line_is_not_removed(tmp_path: Path, kind: str) -> None:
    data = build(kind, (ClaimSpec(lines=(LineSpec(modifiers=("JZ",)), _JW)),))
    report, out = _scrub(tmp_path, data)
    assert out == data
    assert _by_rule(report, "MOD003") == ["suggested"]


@BOTH
def test_jz_line_billing_more_than_dispensed_is_an_error(tmp_path: Path, kind: str) -> None:
    line = LineSpec(modifiers=("JZ",), units="1200", charge="2400", ctp_qty="1000")
    report, _out = _scrub(tmp_path, build(kind, (ClaimSpec(lines=(line,)),)))
    assert _by_rule(report, "UNT007") == ["none"]


# --- claim frequency -------------------------------------------------------------------------


@BOTH
def test_void_gets_no_jw_line_and_no_new_clm02(tmp_path: Path, kind: str) -> None:
    claim = ClaimSpec(
        lines=(LineSpec(ctp_qty="1200", ndc="0944-4624-01"),),
        frequency="8",
        original_ref="SYNORIG01",
        clm02="2500",
    )
    data = build(kind, (claim,))
    report, out = _scrub(tmp_path, data)
    assert out == data
    assert _by_rule(report, "FIX001") == ["none"]
    assert "applied" not in {o.status.value for o in report.outcomes}


@BOTH
def test_replacement_claim_is_fixed_as_usual(tmp_path: Path, kind: str) -> None:
    claim = ClaimSpec(lines=(LineSpec(ctp_qty="1200"),), frequency="7", original_ref="SYNORIG01")
    report, _out = _scrub(tmp_path, build(kind, (claim,)))
    assert _by_rule(report, "MOD004") == ["applied"]


# --- 837I ------------------------------------------------------------------------------------


def test_837i_sv207_is_not_copied_whole_onto_the_jw_line(tmp_path: Path) -> None:
    claim = ClaimSpec(lines=(LineSpec(ctp_qty="1200", non_covered="2000"),))
    data = build(I, (claim,))
    report, out = _scrub(tmp_path, data)
    assert out == data
    assert "SV207" in _messages(report, "MOD004")[0]


def test_837i_line_without_dtp_472_is_dated_by_the_statement_period(tmp_path: Path) -> None:
    # J7208 (Jivi) before 2019 is not a valid code; the line has no DTP*472.
    claim = ClaimSpec(
        lines=(LineSpec(code="J7208", ndc=None, dos=None, modifiers=("JZ",)),),
        statement="20180301-20180301",
    )
    report, _ = _scrub(tmp_path, build(I, (claim,)))
    assert len(_by_rule(report, "HCP002")) == 1


def test_837i_statement_period_dates_jw_policy(tmp_path: Path) -> None:
    # JZ is required from 2023-07-01: the undated line takes the statement period (2023-08-01).
    claim = ClaimSpec(lines=(LineSpec(dos=None),), statement="20230801-20230801", sbr09="MA")
    report, _ = _scrub(tmp_path, build(I, (claim,)))
    assert _by_rule(report, "MOD001") == ["applied"]


# --- the JW line is a faithful copy ----------------------------------------------------------


def test_jw_line_keeps_provider_loops_and_2410_ref(tmp_path: Path) -> None:
    line = LineSpec(
        ctp_qty="1200",
        providers=(
            ProviderSpec(role="82"),
            ProviderSpec(role="DK", last="ORDER", npi="1234567893"),
        ),
        drug_ref=("XZ", "RX0001"),
        control="LINE1",
    )
    report, out = _scrub(tmp_path, build(P, (ClaimSpec(lines=(line,)),)), structure=True)
    assert _by_rule(report, "MOD004") == ["applied"]
    segs = _segments(out)
    lx = [i for i, s in enumerate(segs) if s[0] == "LX"]
    end = next(i for i, s in enumerate(segs) if s[0] == "SE")
    admin, jw = segs[lx[0] : lx[1]], segs[lx[1] : end]
    # Segment by segment the same loop: same ids and qualifiers (SV1-01 differs by JW only).
    assert [s[0] for s in jw] == [s[0] for s in admin]
    assert [s[1] for s in jw[2:]] == [s[1] for s in admin[2:]]
    assert ["REF", "XZ", "RX0001"] in jw
    assert sum(1 for s in jw if s[0] == "NM1") == 2
    assert report.summary.errors == 0


def test_jw_line_control_number_is_unique_within_30_characters(tmp_path: Path) -> None:
    long = "C" * 30
    line = LineSpec(ctp_qty="1200", control=long)
    _report, out = _scrub(tmp_path, build(P, (ClaimSpec(lines=(line,)),)))
    controls = [s[2] for s in _segments(out) if s[:2] == ["REF", "6R"]]
    assert len(controls) == 2
    assert all(len(c) <= 30 for c in controls)
    assert len({c[:30] for c in controls}) == 2


# --- line numbers ----------------------------------------------------------------------------


@BOTH
def test_lx_out_of_sequence_is_reported_and_renumbered_with_before_after(
    tmp_path: Path, kind: str
) -> None:
    claim = ClaimSpec(lines=(LineSpec(modifiers=("JZ",)), LineSpec(modifiers=("JZ",), lx="7")))
    report, out = _scrub(tmp_path, build(kind, (claim,)))
    lx = [o for o in report.outcomes if o.finding.rule == "LX001"]
    assert [o.status.value for o in lx] == ["applied"]
    fix = lx[0].finding.fix
    assert fix is not None and (fix.before, fix.after) == ("1,7", "1,2")
    assert [s[1] for s in _segments(out) if s[0] == "LX"] == ["1", "2"]


@BOTH
def test_lx_7_and_9_are_reported_by_the_structural_check(tmp_path: Path, kind: str) -> None:
    claim = ClaimSpec(
        lines=(LineSpec(modifiers=("JZ",), lx="7"), LineSpec(modifiers=("JZ",), lx="9"))
    )
    src = tmp_path / "in.837"
    src.write_bytes(build(kind, (claim,)))
    report = scrub(src, io.BytesIO(), Options(fix=False))
    assert any("LX01" in o.finding.message for o in report.outcomes if o.finding.rule == "X12001")


# --- NDC shapes and report = output ----------------------------------------------------------


@BOTH
@pytest.mark.parametrize("ndc", ["0094-44624-01", "00944-462-401"])
def test_ndc_split_in_no_label_layout_is_not_normalised(
    tmp_path: Path, kind: str, ndc: str
) -> None:
    data = build(kind, (ClaimSpec(lines=(LineSpec(modifiers=("JZ",), ndc=ndc),)),))
    report, out = _scrub(tmp_path, data)
    assert out == data
    assert _by_rule(report, "NDC003") == ["none"]


@BOTH
def test_added_jz_is_reported_as_written(tmp_path: Path, kind: str) -> None:
    line = LineSpec(modifiers=("", "", "KX"))
    report, out = _scrub(tmp_path, build(kind, (ClaimSpec(lines=(line,)),)))
    mod001 = [o for o in report.outcomes if o.finding.rule == "MOD001"]
    assert [o.status.value for o in mod001] == ["applied"]
    fix = mod001[0].finding.fix
    assert fix is not None
    written = _lines(out)[0][1 if kind == P else 2]
    assert fix.after == written == "HC:J7207:KX:JZ"


# A second line that is no drug line (the infusion, CPT 96365). A JZ line of the same drug and
# date would make the split contradict it (MOD003), and the split is then reverted.
_INFUSION = LineSpec(code="96365", ndc=None, charge="150", units="1")


@BOTH
def test_a_split_reports_the_lines_it_renumbered(tmp_path: Path, kind: str) -> None:
    claim = ClaimSpec(lines=(LineSpec(ctp_qty="1200"), _INFUSION))
    report, out = _scrub(tmp_path, build(kind, (claim,)))
    assert [s[1] for s in _segments(out) if s[0] == "LX"] == ["1", "2", "3"]
    moved = [o for o in report.outcomes if o.finding.rule == "LX002"]
    assert [(o.finding.fix.before, o.finding.fix.after) for o in moved if o.finding.fix] == [
        ("2", "3")
    ]
    assert [o.status.value for o in moved] == ["applied"]


@BOTH
def test_a_relabelled_unit_basis_with_no_waste_still_gets_jz_in_one_run(
    tmp_path: Path, kind: str
) -> None:
    # Idempotence: CTP04 = billed IU proves IU whatever the label said; the first run must do
    # what a second would, so a second run changes nothing.
    claim = ClaimSpec(lines=(LineSpec(basis="MJ"),))
    report, out = _scrub(tmp_path, build(kind, (claim,)))
    assert _by_rule(report, "UNT001") == ["applied"]
    assert _by_rule(report, "MOD001") == ["applied"]
    again, out2 = _scrub(tmp_path, out)
    assert out2 == out and again.summary.fixed == 0


@BOTH
def test_rounding_fractional_units_never_decides_waste(tmp_path: Path, kind: str) -> None:
    # 999.5 IU billed, 1000 dispensed: rounding up would erase the waste the CTP shows and let
    # JZ through. Neither happens; the suggestion says why.
    data = build(kind, (ClaimSpec(lines=(LineSpec(units="999.5"),)),))
    report, out = _scrub(tmp_path, data)
    assert out == data
    assert _by_rule(report, "UNT002") == ["suggested"]


def test_indented_file_gets_the_same_split_as_a_flat_one(tmp_path: Path) -> None:
    # Real files indent segments; the segment ids the fixes compare must not carry the indent.
    from tests.builders import Envelope

    claim = ClaimSpec(lines=(LineSpec(ctp_qty="1200", control="LINE1"),))
    flat_report, flat = _scrub(tmp_path, build(P, (claim,)))
    indented = build(P, (claim,), Envelope(terminator="~\n    "))
    report, out = _scrub(tmp_path, indented)
    assert _by_rule(report, "MOD004") == _by_rule(flat_report, "MOD004") == ["applied"]
    # Same segments as the flat file's output, once the indentation is set aside.
    assert [[s[0].strip(), *s[1:]] for s in _segments(out) if s[0].strip()] == _segments(flat)
