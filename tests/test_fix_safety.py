"""Fix safety (issue 7): one test per defect the issue reports, named after it.

Each test builds the issue's small claim (fake data), scrubs it with the default options (or the
options the example names) and asserts what the issue's Deliver section demands: a fix that
changes money, units, codes or lines applies only when the claim's own data proves it, and is
otherwise reported as ``suggested``. Rule ids the issue does not name (the new unaccounted-waste,
COB-balance, contradiction and LX findings) are not pinned: those tests look for the finding by
what it must say.
"""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from edi_scrub.pipeline import Options, scrub
from edi_scrub.report.model import FindingJson, Report
from tests.builders import (
    CasSpec,
    ClaimSpec,
    I,
    LineSpec,
    OtherPayerSpec,
    P,
    ProviderSpec,
    build,
    with_cob,
)
from tests.claim_view import ParsedClaim, parse_claims, segments

KINDS = pytest.mark.parametrize("kind", [P, I])
#: 1000 IU billed of 1200 IU dispensed (kit 00944462401, 801-1250 IU): 200 IU of real waste.
WASTE = LineSpec(units="1000", charge="2000", ctp_qty="1200")


def _scrub(
    tmp_path: Path,
    kind: str,
    claims: tuple[ClaimSpec, ...],
    data: bytes | None = None,
    **opts: object,
) -> tuple[bytes, bytes, Report]:
    """(input, output, report) of one in-process scrub; default options unless ``opts``."""
    data = build(kind, claims) if data is None else data
    src = tmp_path / f"in-{kind}.837"
    src.write_bytes(data)
    out = io.BytesIO()
    options = Options(**{"structure": False, **opts})  # type: ignore[arg-type]
    report = scrub(src, out, options)
    return data, out.getvalue(), report


def _claim(data: bytes) -> ParsedClaim:
    (claim,) = parse_claims(segments(data))
    return claim


def _findings(report: Report, rule: str | None = None) -> list[FindingJson]:
    return [f for f in report.findings_json() if rule is None or f["rule"] == rule]


def _status(report: Report, rule: str) -> list[str]:
    return [f["fix"]["status"] for f in _findings(report, rule)]


def _jw_lines(claim: ParsedClaim) -> list[str]:
    return [ln.segs[1] for ln in claim.lines if "JW" in ln.modifiers]


def _assert_no_split(data: bytes, out: bytes, report: Report) -> None:
    before, after = _claim(data), _claim(out)
    assert len(after.lines) == len(before.lines)
    assert after.clm[2] == before.clm[2]
    assert report.summary.lines_added == 0
    assert report.summary.charges_added == Decimal(0)


# ------------------------------------------------------------------ units that are not IU


@KINDS
def test_vial_count_units_get_no_jw_split_and_keep_the_unit_warning(
    tmp_path: Path, kind: str
) -> None:
    """``SV1*HC:J7207*4000.00*UN*2`` + ``CTP****2000*F2``: 2 is a vial count, not 2 IU."""
    line = LineSpec(charge="4000.00", units="2", ctp_qty="2000")
    data, out, report = _scrub(tmp_path, kind, (ClaimSpec(lines=(line,)),))
    _assert_no_split(data, out, report)
    assert _status(report, "MOD004") == ["suggested"]
    assert _findings(report, "UNT003"), "the unit warning must stay in the report"


@KINDS
def test_iu_per_100_units_get_no_jw_split(tmp_path: Path, kind: str) -> None:
    """Units = IU/100 (10 for 1000 IU): the 990 "wasted" IU are a unit error, not waste."""
    line = LineSpec(charge="2000.00", units="10", ctp_qty="1000")
    data, out, report = _scrub(tmp_path, kind, (ClaimSpec(lines=(line,)),))
    _assert_no_split(data, out, report)
    assert _status(report, "MOD004") == ["suggested"]
    assert _findings(report, "UNT003")


@KINDS
@pytest.mark.parametrize("basis", ["MJ", ""])
def test_unit_basis_relabelled_in_the_same_pass_blocks_the_jw_split(
    tmp_path: Path, kind: str, basis: str
) -> None:
    """An MJ (minutes) or empty unit basis relabelled to UN does not prove the units are IU."""
    line = replace(WASTE, basis=basis)
    data, out, report = _scrub(tmp_path, kind, (ClaimSpec(lines=(line,)),))
    _assert_no_split(data, out, report)
    assert _status(report, "MOD004") == ["suggested"]
    assert _findings(report, "UNT001")


@KINDS
def test_ctp_typo_gets_no_jw_split(tmp_path: Path, kind: str) -> None:
    """CTP04 12000 beside a 1000 IU dose: 11000 IU of "waste" is more than one container."""
    line = replace(WASTE, ctp_qty="12000")
    data, out, report = _scrub(tmp_path, kind, (ClaimSpec(lines=(line,)),))
    _assert_no_split(data, out, report)
    assert _status(report, "MOD004") == ["suggested"]


@KINDS
def test_jw_split_without_known_potency_is_only_suggested(tmp_path: Path, kind: str) -> None:
    """No potency known for the NDC (a Jivi kit): one container cannot be checked."""
    line = replace(WASTE, code="J7208", ndc="00026394225")
    data, out, report = _scrub(tmp_path, kind, (ClaimSpec(lines=(line,)),))
    _assert_no_split(data, out, report)
    assert _status(report, "MOD004") == ["suggested"]


@KINDS
def test_real_waste_is_still_split(tmp_path: Path, kind: str) -> None:
    """The preconditions hold (200 IU of a 801-1250 IU kit): the split still applies."""
    _data, out, report = _scrub(tmp_path, kind, (ClaimSpec(lines=(WASTE,)),))
    assert _status(report, "MOD004") == ["applied"]
    assert len(_jw_lines(_claim(out))) == 1


# ------------------------------------------------------------------ existing JW lines

JW = LineSpec(modifiers=("JW",), units="200", charge="400", ctp_qty="200")
JW_FORMS = {
    "no-dtp": (WASTE, replace(JW, dos=None)),
    "bare-10-digit-ndc": (WASTE, replace(JW, ndc="0944462401")),
    "hyphenated-ndc": (WASTE, replace(JW, ndc="0944-4624-01")),
    "inner-vial-ndc": (
        replace(WASTE, ndc="00944462501", units="2000", charge="4000", ctp_qty="2200"),
        replace(JW, ndc="00944425701"),
    ),
    "rd8-one-day": (WASTE, replace(JW, dos_qualifier="RD8", dos="20240115-20240115")),
}


@KINDS
@pytest.mark.parametrize("form", list(JW_FORMS))
def test_existing_jw_line_in_any_form_gets_no_second_jw_line(
    tmp_path: Path, kind: str, form: str
) -> None:
    _data, out, report = _scrub(tmp_path, kind, (ClaimSpec(lines=JW_FORMS[form]),))
    after = _claim(out)
    assert len(_jw_lines(after)) == 1, _jw_lines(after)
    assert len(after.lines) == 2
    assert "applied" not in _status(report, "MOD004")


@KINDS
def test_jw_line_for_part_of_the_waste_is_unaccounted_waste_not_a_second_line(
    tmp_path: Path, kind: str
) -> None:
    claim = ClaimSpec(lines=(WASTE, replace(JW, units="100", charge="200", ctp_qty="100")))
    _data, out, report = _scrub(tmp_path, kind, (claim,))
    assert len(_jw_lines(_claim(out))) == 1
    unaccounted = [f for f in _findings(report) if "unaccounted" in f["message"].lower()]
    assert unaccounted and all(f["fix"]["status"] != "applied" for f in unaccounted)


# ------------------------------------------------------------------ COB claims


@KINDS
@pytest.mark.parametrize("line_level", [True, False], ids=["2430", "2320-only"])
def test_cob_claim_gets_no_jw_split(tmp_path: Path, kind: str, line_level: bool) -> None:
    claim = with_cob(ClaimSpec(lines=(WASTE,)), line_level=line_level)
    data, out, report = _scrub(tmp_path, kind, (claim,))
    _assert_no_split(data, out, report)
    assert _status(report, "MOD004") == ["suggested"]


def _off_lines_cob(total: str, paid: str, rest: str) -> ClaimSpec:
    other = OtherPayerSpec(paid=paid, cas=(CasSpec("PR", (("2", rest),)),))
    return ClaimSpec(
        lines=(LineSpec(modifiers=("JZ",)),), clm02=total, sbr01="S", other_payers=(other,)
    )


@KINDS
def test_cob_balanced_clm02_is_not_recomputed(tmp_path: Path, kind: str) -> None:
    """CLM02 2001.00 = AMT*D 1600.80 + CAS 400.20 (COB-balanced) though the line bills 2000."""
    _data, out, report = _scrub(tmp_path, kind, (_off_lines_cob("2001.00", "1600.80", "400.20"),))
    assert _claim(out).clm[2] == "2001.00"
    assert "applied" not in _status(report, "CLM001")


@KINDS
def test_cob_claim_out_of_balance_is_reported(tmp_path: Path, kind: str) -> None:
    """CLM02 2000 but AMT*D 1500 + CAS 400 = 1900 (X12 RFIs 1115, 1294)."""
    _data, _out, report = _scrub(tmp_path, kind, (_off_lines_cob("2000", "1500", "400"),))
    cob = [f for f in _findings(report) if "cob" in (f["name"] + f["message"]).lower()]
    assert cob, [f["rule"] for f in _findings(report)]


@KINDS
def test_cob_line_out_of_balance_is_reported(tmp_path: Path, kind: str) -> None:
    """Line charge 2000 but SVD02 1600 + CAS 300 = 1900."""
    claim = with_cob(ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),)))
    data = build(kind, (claim,)).replace(b"CAS*PR*2*400~", b"CAS*PR*2*300~")
    assert data.count(b"CAS*PR*2*300~") == 1
    _, _out, report = _scrub(tmp_path, kind, (claim,), data=data)
    cob = [
        f
        for f in _findings(report)
        if "cob" in (f["name"] + f["message"]).lower() or "SVD" in (f["element"] or "")
    ]
    assert cob, [f["rule"] for f in _findings(report)]


@KINDS
def test_unsafe_jw_removal_keeps_a_jw_line_the_prior_payer_adjudicated(
    tmp_path: Path, kind: str
) -> None:
    """MOD005 (payer denies JW) with --unsafe-fixes must not delete a line with a 2430."""
    claim = with_cob(ClaimSpec(lines=(replace(WASTE, ctp_qty="1000"), JW)))
    _data, out, report = _scrub(
        tmp_path, kind, (claim,), payer_profile="uhc-nj-medicaid", unsafe_fixes=True
    )
    after = _claim(out)
    assert len(_jw_lines(after)) == 1
    assert sum(1 for s in after.segs if s.startswith("SVD*")) == 2
    assert "applied" not in _status(report, "MOD005")


# ------------------------------------------------------------------ attestations


@KINDS
def test_jz_with_ctp_waste_keeps_jz_and_adds_no_jw_line(tmp_path: Path, kind: str) -> None:
    """``SV1*HC:J7207:JZ*...*1000`` with ``CTP****1200*F2``: a contradiction to report."""
    _data, out, report = _scrub(
        tmp_path, kind, (ClaimSpec(lines=(replace(WASTE, modifiers=("JZ",)),)),)
    )
    after = _claim(out)
    assert after.lines[0].modifiers == ["JZ"]
    assert len(after.lines) == 1
    errors = [f for f in _findings(report) if f["severity"] == "error" and f["line"] == 1]
    assert errors and all(f["fix"]["status"] != "applied" for f in errors)


@KINDS
def test_jz_line_billing_more_than_dispensed_is_an_error(tmp_path: Path, kind: str) -> None:
    """JZ on 1200 IU billed of 1000 IU dispensed."""
    line = LineSpec(modifiers=("JZ",), units="1200", charge="2400", ctp_qty="1000")
    data, out, report = _scrub(tmp_path, kind, (ClaimSpec(lines=(line,)),))
    errors = [f for f in _findings(report) if f["severity"] == "error" and f["line"] == 1]
    assert errors and all(f["fix"]["status"] != "applied" for f in errors)
    assert out == data


# ------------------------------------------------------------------ claim frequency


@KINDS
def test_void_is_byte_identical_and_says_fixes_were_skipped(tmp_path: Path, kind: str) -> None:
    void = ClaimSpec(lines=(WASTE,), frequency="8", original_ref="SYNORIG0001")
    data, out, report = _scrub(tmp_path, kind, (void,))
    assert out == data
    assert any(f["severity"] == "info" and f["claim"] == "PCN001" for f in _findings(report))
    assert all(f["fix"]["status"] != "applied" for f in _findings(report))


@KINDS
def test_replacement_claim_is_fixed_as_usual(tmp_path: Path, kind: str) -> None:
    claim = ClaimSpec(lines=(WASTE,), frequency="7", original_ref="SYNORIG0001")
    _, out, report = _scrub(tmp_path, kind, (claim,))
    assert _status(report, "MOD004") == ["applied"]
    assert len(_jw_lines(_claim(out))) == 1


# ------------------------------------------------------------------ 837I


@pytest.mark.parametrize("non_covered", ["2000", "1000"])
def test_837i_sv207_is_not_copied_whole_onto_the_jw_line(tmp_path: Path, non_covered: str) -> None:
    line = replace(WASTE, non_covered=non_covered)
    _, out, report = _scrub(tmp_path, I, (ClaimSpec(lines=(line,)),))
    for ln in _claim(out).lines:
        sv2 = ln.segs[1].split("*")
        if len(sv2) > 7 and sv2[7]:
            assert Decimal(sv2[7]) <= Decimal(sv2[3]), ln.segs[1]
    if len(_claim(out).lines) == 1:
        assert _status(report, "MOD004") == ["suggested"]


def test_837i_statement_period_stands_in_for_a_missing_line_date(tmp_path: Path) -> None:
    """J7208 (Jivi) did not exist in 2018: the statement period dates a line without DTP*472."""
    line = replace(WASTE, code="J7208", ndc="00026394225", dos=None, ctp_qty="1000")
    claim = ClaimSpec(lines=(line,), statement="20180110-20180110")
    _, _, report = _scrub(tmp_path, I, (claim,))
    assert _findings(report, "HCP002")


def test_837i_jw_jz_rules_use_the_statement_period(tmp_path: Path) -> None:
    """JZ is required from 2023-07-01: a zero-waste line dated only by the statement period."""
    line = replace(WASTE, dos=None, ctp_qty="1000")
    _, _, report = _scrub(tmp_path, I, (ClaimSpec(lines=(line,)),))
    assert _findings(report, "MOD001")


# ------------------------------------------------------------------ the JW line is a faithful copy

PROVIDERS = {
    P: (
        ProviderSpec("82", "ROE", "RILEY", "1631706698"),
        ProviderSpec("DK", "POE", "PAT", "1631706706"),
    ),
    I: (
        ProviderSpec("82", "ROE", "RILEY", "1631706698"),
        ProviderSpec("DN", "LOE", "LEE", "1741234565"),
    ),
}


@KINDS
def test_jw_line_keeps_the_line_providers_and_drug_reference(tmp_path: Path, kind: str) -> None:
    line = replace(WASTE, providers=PROVIDERS[kind], drug_ref=("XZ", "RX0000001"))
    _, out, report = _scrub(tmp_path, kind, (ClaimSpec(lines=(line,)),))
    assert _status(report, "MOD004") == ["applied"]
    admin, jw = _claim(out).lines
    keep = ("NM1*", "REF*XZ*", "DTP*472*")
    assert [s for s in jw.segs if s.startswith(keep)] == [
        s for s in admin.segs if s.startswith(keep)
    ]


@KINDS
def test_jw_line_control_number_is_unique_within_30_characters(tmp_path: Path, kind: str) -> None:
    control = "SYN" + "X" * 24 + "001"  # 30 characters: receivers need keep no more
    line = replace(WASTE, control=control)
    _, out, _ = _scrub(tmp_path, kind, (ClaimSpec(lines=(line,)),))
    refs = [s.split("*")[2] for s in _claim(out).segs if s.startswith("REF*6R*")]
    assert len(refs) == 2
    assert len({r[:30] for r in refs}) == 2, refs


# The infusion itself (CPT 96365, no NDC): a second line that is no drug line. A second JZ line
# of the same drug and date would make the split contradict its JZ (MOD003): the split is then
# reverted, rightly.
_INFUSION = LineSpec(code="96365", ndc=None, charge="150", units="1")


@KINDS
def test_lx_renumbering_is_a_finding_with_before_and_after(tmp_path: Path, kind: str) -> None:
    """Splitting line 1 moves line 2 to LX*3: the report must say so."""
    claim = ClaimSpec(lines=(WASTE, _INFUSION))
    _, out, report = _scrub(tmp_path, kind, (claim,))
    assert "LX*3" in segments(out)
    lx = [f for f in _findings(report) if (f["element"] or "").startswith("LX")]
    assert [(f["fix"]["before"], f["fix"]["after"]) for f in lx] == [("2", "3")]


@KINDS
def test_lx_out_of_sequence_is_reported(tmp_path: Path, kind: str) -> None:
    """LX*1, LX*7: pyx12's LX sequence check must be on (structure=True)."""
    claim = ClaimSpec(lines=(LineSpec(modifiers=("JZ",)), LineSpec(modifiers=("JZ",))))
    data = build(kind, (claim,)).replace(b"LX*2~", b"LX*7~")
    _, _, report = _scrub(tmp_path, kind, (claim,), data=data, structure=True)
    position = segments(data).index("LX*7") + 1
    assert any(f["segment"] == position for f in _findings(report)), _findings(report)


# ------------------------------------------------------------------ NDC shapes


@KINDS
@pytest.mark.parametrize("ndc", ["0094-44624-01", "00944-462-401"])
def test_ndc_in_no_label_layout_is_not_normalised(tmp_path: Path, kind: str, ndc: str) -> None:
    line = LineSpec(modifiers=("JZ",), ndc=ndc)
    _, out, report = _scrub(tmp_path, kind, (ClaimSpec(lines=(line,)),))
    assert f"LIN**N4*{ndc}" in segments(out)
    assert "applied" not in _status(report, "NDC003")


# ------------------------------------------------------------------ report = output


@KINDS
def test_modifier_fix_after_is_the_written_composite(tmp_path: Path, kind: str) -> None:
    """``HC:J7207:::KX`` reported as ``J7207:KX:JZ`` but written ``HC:J7207::JZ:KX``."""
    line = LineSpec(modifiers=("", "", "KX"))
    _, out, report = _scrub(tmp_path, kind, (ClaimSpec(lines=(line,)),))
    composite = _claim(out).lines[0].segs[1].split("*")[1 if kind == P else 2]
    applied = [f for f in _findings(report) if f["fix"]["status"] == "applied"]
    assert applied
    for f in applied:
        if (f["element"] or "").startswith(("SV101", "SV202")):
            assert f["fix"]["after"] in {composite, composite.partition(":")[2]}
