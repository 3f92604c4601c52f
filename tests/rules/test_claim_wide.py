"""Claim-wide rules beyond their case tables: duplicates across claims, ICD-10-CM releases."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from edi_scrub.pipeline import Options, scrub
from edi_scrub.report.model import Report
from edi_scrub.rules.claim._icd10 import bundled_release, fiscal_year
from edi_scrub.rules.provider._providers import npi_defect
from tests.builders import ClaimSpec, Envelope, I, LineSpec, P, build
from tests.rules.cob_claims import adjudication, cob_claim, other_payer

_LINE = LineSpec(modifiers=("JZ",))


def _run(tmp_path: Path, kind: str, claims: tuple[ClaimSpec, ...], rule: str) -> Report:
    src = tmp_path / "in.837"
    src.write_bytes(build(kind, claims))
    return scrub(src, io.BytesIO(), Options(select=(rule,), structure=False))


def _messages(report: Report, rule: str) -> list[str]:
    return [o.finding.message for o in report.outcomes if o.finding.rule == rule]


@pytest.mark.parametrize("kind", [P, I])
def test_duplicate_claim_names_both_claims(tmp_path: Path, kind: str) -> None:
    claims = (ClaimSpec(clm01="PCNA"), ClaimSpec(clm01="PCNB"), ClaimSpec(clm01="PCNC"))
    report = _run(tmp_path, kind, claims, "DUP001")
    found = [o.finding for o in report.outcomes if o.finding.rule == "DUP001"]
    assert [f.claim for f in found] == ["PCNB", "PCNC"]
    assert all("claim PCNA" in f.message and f.severity.value == "warning" for f in found)
    assert "PCNB" in found[0].message


@pytest.mark.parametrize(
    ("second", "why"),
    [
        (ClaimSpec(clm01="PCNB", dob="19900101"), "another patient"),
        (ClaimSpec(clm01="PCNB", lines=(replace(_LINE, units="900"),)), "other units"),
        (ClaimSpec(clm01="PCNB", lines=(replace(_LINE, dos="20240116"),)), "other date"),
        (ClaimSpec(clm01="PCNB", lines=(replace(_LINE, ndc="00944462501"),)), "other NDC"),
        (ClaimSpec(clm01="PCNB", lines=(replace(_LINE, code="J7208"),)), "other code"),
        (ClaimSpec(clm01="PCNB", lines=(replace(_LINE, modifiers=("76",)),)), "modifier 76"),
        (
            ClaimSpec(clm01="PCNB", frequency="7", refs=(("F8", "SYNICN1"),)),
            "replacement of the first",
        ),
    ],
)
def test_not_a_duplicate(tmp_path: Path, second: ClaimSpec, why: str) -> None:
    report = _run(tmp_path, P, (ClaimSpec(clm01="PCNA"), second), "DUP001")
    assert _messages(report, "DUP001") == [], why


def test_duplicate_index_is_per_run(tmp_path: Path) -> None:
    """A second run (another file) starts with an empty index."""
    first = _run(tmp_path, P, (ClaimSpec(clm01="PCNA"),), "DUP001")
    second = _run(tmp_path, P, (ClaimSpec(clm01="PCNB"),), "DUP001")
    assert _messages(first, "DUP001") == _messages(second, "DUP001") == []


def _dx_finding(tmp_path: Path, dos: str) -> tuple[str, str]:
    claim = ClaimSpec(lines=(replace(_LINE, dos=dos),), dx=("D683",))
    report = _run(tmp_path, P, (claim,), "DX004")
    (finding,) = [o.finding for o in report.outcomes if o.finding.rule == "DX004"]
    return finding.severity.value, finding.message


def test_dx004_error_inside_the_release_year_warning_outside(tmp_path: Path) -> None:
    release = bundled_release()
    inside = release.starts.replace(day=15).strftime("%Y%m%d")
    severity, message = _dx_finding(tmp_path, inside)
    assert severity == "error" and "release" not in message
    severity, message = _dx_finding(tmp_path, "20240115")
    assert severity == "warning"
    assert release.name in message and "FY2024" in message


def test_release_is_the_packages_and_leaves_are_its_leaves() -> None:
    """Billable = the package's own is_leaf, checked on a spread of codes (slow import: 2 s)."""
    cm = pytest.importorskip("simple_icd_10_cm")
    release = bundled_release()
    assert fiscal_year(release.starts) == fiscal_year(release.ends)
    sample = [
        *sorted(release.billable | release.categories)[::97],
        "D66",
        "D683",
        "D68311",
        "S72001A",
        "T360X1A",
    ]
    for code in sample:
        assert cm.is_valid_item(code), code
        assert cm.is_leaf(code) == (code in release.billable), code
    assert not cm.is_valid_item("D999") and not release.knows("D999")


@pytest.mark.parametrize(
    ("npi", "valid"),
    [("1234567893", True), ("1234567890", False), ("2000000002", True), ("0234567893", False)],
)
def test_npi_check_digit(npi: str, valid: bool) -> None:
    assert (npi_defect(npi) is None) is valid


def _run_bytes(tmp_path: Path, data: bytes, rule: str) -> tuple[Report, bytes]:
    src = tmp_path / "in.837"
    src.write_bytes(data)
    out = io.BytesIO()
    return scrub(src, out, Options(select=(rule,), structure=False)), out.getvalue()


@pytest.mark.parametrize("kind", [P, I])
def test_billing_provider_npi_reported_on_every_claim(tmp_path: Path, kind: str) -> None:
    """The 2010AA NPI sits above the claims; each claim under it is named, with its segment."""
    data = build(kind, (ClaimSpec(clm01="PCNA"), ClaimSpec(clm01="PCNB")))
    bad = data.replace(b"*XX*1291417776~", b"*XX*1291417770~")
    assert bad != data
    nm1_85 = 1 + bad.decode().split("~\n").index("NM1*85*2*SYNTHETIC CLINIC*****XX*1291417770")
    report, out = _run_bytes(tmp_path, bad, "NPI001")
    found = [o for o in report.outcomes if o.finding.rule == "NPI001"]
    assert [o.finding.claim for o in found] == ["PCNA", "PCNB"]
    assert all(o.finding.loc is not None and o.finding.loc.segment == nm1_85 for o in found)
    assert all("billing provider" in o.finding.message for o in found)
    assert out == bad
    clean, _ = _run_bytes(tmp_path, data, "NPI001")
    assert not [o for o in clean.outcomes if o.finding.rule == "NPI001"]


def test_billing_provider_taxonomy_reported_without_fix(tmp_path: Path) -> None:
    data = build(P, (ClaimSpec(),))
    hl = b"HL*1**20*1~\n"
    for taxonomy, fires in ((b"207RH0003X", 0), (b"207rh0003x", 1)):
        with_prv = data.replace(hl, hl + b"PRV*BI*PXC*" + taxonomy + b"~\n")
        report, out = _run_bytes(tmp_path, with_prv, "PRV001")
        found = [o for o in report.outcomes if o.finding.rule == "PRV001"]
        assert len(found) == fires
        assert all(o.status.value == "none" for o in found)
        assert out == with_prv


@pytest.mark.parametrize("kind", [P, I])
def test_indented_files_read_the_same(tmp_path: Path, kind: str) -> None:
    """Files that indent segments (whitespace before the id) give the same claim-wide findings."""
    payer = "SYNPRI01"
    claim = replace(
        cob_claim(other_payer(payer, "1400"), adjudication(payer, "1500", "400")),
        frequency="7",
        loops=(
            *other_payer(payer, "1400"),
            ("NM1", "82", "1", "ROE", "RILEY", "", "", "", "XX", "1234567890"),
        ),
    )
    rules = ("NPI001", "FRQ001", "COB001", "COB002")
    counts = []
    for env in (Envelope(), Envelope(terminator="~\n    ")):
        src = tmp_path / "in.837"
        src.write_bytes(build(kind, (claim,), env).replace(b"*XX*1291417776~", b"*XX*1291417770~"))
        report = scrub(src, io.BytesIO(), Options(select=rules, structure=False))
        counts.append(sorted(o.finding.rule for o in report.outcomes))
    assert counts[0] == counts[1] == ["COB001", "COB002", "FRQ001", "NPI001", "NPI001"]


def test_html_report_documents_the_claim_wide_rules(tmp_path: Path) -> None:
    """The HTML report's rule docs (from the registry) include the new rules that fired."""
    from edi_scrub.report.html import render_html

    claim = ClaimSpec(
        dx=("D68.3",),
        frequency="7",
        lines=(replace(_LINE, control="SYN1-1"), replace(_LINE, control="SYN1-1")),
    )
    src = tmp_path / "in.837"
    src.write_bytes(build(P, (claim,)))
    report = scrub(src, io.BytesIO(), Options(structure=False, fix=False))
    html = render_html(report).decode()
    for rule_id, heading_text in (
        ("DX006", "decimal point is implied"),
        ("FRQ001", "payer claim control number"),
        ("REF001", "receivers are not"),
    ):
        assert rule_id in html and heading_text in html, rule_id


@pytest.mark.parametrize("kind", [P, I])
def test_findings_name_the_input_segment(tmp_path: Path, kind: str) -> None:
    """Rules that read Claim.source report the segment's 1-based position in the input file."""
    bad = ("NM1", "DN", "1", "X", "Y", "", "", "", "XX", "1902837465")
    claim = ClaimSpec(
        lines=(
            LineSpec(modifiers=("JZ",), loops=(bad,)),
            LineSpec(modifiers=("JZ",), loops=(bad,)),
        ),
        loops=(("NM1", "82", *bad[2:]),),
    )
    data = build(kind, (ClaimSpec(clm01="FIRST"), claim))
    report, _ = _run_bytes(tmp_path, data, "NPI001")
    segments = data.decode().split("~\n")
    found = [o.finding for o in report.outcomes if o.finding.rule == "NPI001"]
    assert [(f.line, segments[f.loc.segment - 1][:6]) for f in found if f.loc] == [
        (None, "NM1*82"),
        (1, "NM1*DN"),
        (2, "NM1*DN"),
    ]


def test_duplicate_with_a_hyphenated_ndc_copy_is_a_duplicate_before_and_after_fixing(
    tmp_path: Path,
) -> None:
    # The second copy's NDC is reformatted by NDC003: the duplicate must be seen either way, or
    # the fix looks like it created a new finding and the engine reverts it.
    hyphen = LineSpec(ndc="0944-4624-01", modifiers=("JZ",))
    claims = (ClaimSpec(clm01="PCNA"), ClaimSpec(clm01="PCNB", lines=(hyphen,)))
    data = build(P, claims)
    src = tmp_path / "in.837"
    src.write_bytes(data)
    report = scrub(src, io.BytesIO(), Options(structure=False))
    assert [o.status.value for o in report.outcomes if o.finding.rule == "NDC003"] == ["applied"]
    assert len(_messages(report, "DUP001")) == 1


def test_npi_with_a_superscript_digit_is_a_defect_not_a_crash() -> None:
    # Latin-1 byte 0xB2 reads as '²', which str.isdigit() accepts and int() refuses.
    assert npi_defect("1\u00b2345678930"[:10]) is not None
