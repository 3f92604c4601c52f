"""Input limits (issue 8, item 5): each test is named after the defect it proves gone."""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from click.testing import CliRunner

from edi_scrub.cli import main
from edi_scrub.model.money import parse_amount, to_cents
from edi_scrub.pipeline import Options, scrub
from tests.builders import ClaimSpec, LineSpec, P, build

NO_STRUCTURE = Options(structure=False)


def _calls(work: Callable[[], object]) -> int:
    """Python-level calls (generator resumes included) made while ``work`` runs.

    A count of work, not a timing: it does not depend on how loaded the machine is.
    """
    count = 0

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return count


def _scrub_bytes(data: bytes, tmp_path: Path, options: Options = NO_STRUCTURE) -> None:
    path = tmp_path / "in.837"
    path.write_bytes(data)
    scrub(path, io.BytesIO(), options)


def _wide_hi(n: int) -> bytes:
    return build(P, (ClaimSpec(dx=("D66",) * n),))


def _wide_pointers(n: int) -> bytes:
    # Pointers counted down from n: each one points far into the HI list.
    pointers = ":".join(str(n - i) for i in range(n))
    return build(P, (ClaimSpec(dx=("D66",) * n, lines=(LineSpec(pointers=pointers),)),))


@pytest.mark.parametrize("make", [_wide_hi, _wide_pointers], ids=["hi", "sv107"])
def test_wide_segment_costs_linear_not_quadratic_work(
    make: Callable[[int], bytes], tmp_path: Path
) -> None:
    """Twice the composites is about twice the work (recounting per composite made it 4x)."""
    _scrub_bytes(make(10), tmp_path)  # warm-up: maps and caches load once, outside the count
    small = _calls(lambda: _scrub_bytes(make(1000), tmp_path))
    large = _calls(lambda: _scrub_bytes(make(2000), tmp_path))
    assert large < 2.2 * small, (small, large)


def test_hi_with_100k_composites_scrubs_in_seconds(tmp_path: Path) -> None:
    """100k diagnoses in one HI: was over 150 s; now about 1 s (bound generous for busy CI)."""
    started = time.perf_counter()
    _scrub_bytes(_wide_hi(100_000), tmp_path)
    assert time.perf_counter() - started < 30


ABSURD = ["1" * 28, "9" * 40, "1e30", "1E+30", "NaN", "sNaN", "Infinity", "-Infinity", " 12", "+5"]


@pytest.mark.parametrize("text", ABSURD)
def test_absurd_amount_is_not_a_number_not_invalid_operation(text: str) -> None:
    """Exponents, NaN, Infinity and more than 18 digits are not X12 amounts."""
    assert parse_amount(text) is None


@pytest.mark.parametrize("text", ["0", "2000", "2000.00", "-12.5", ".5", "5.", "9" * 18])
def test_plain_amounts_still_parse(text: str) -> None:
    assert parse_amount(text) is not None


def test_to_cents_of_a_product_wider_than_28_digits_is_exact() -> None:
    """Two 18-digit amounts multiply to 36 digits; rounding them raised InvalidOperation."""
    wide = parse_amount("9" * 18)
    assert wide is not None
    assert to_cents(wide * wide) == wide * wide


@pytest.mark.parametrize("text", ["1" * 28, "1e30", "NaN", "Infinity"])
@pytest.mark.parametrize("where", ["line-charge", "clm02", "units"])
def test_absurd_amount_is_a_finding_not_exit_3(text: str, where: str, tmp_path: Path) -> None:
    """Before: `InvalidOperation` from quantize, exit 3. Now: a finding, exit 0 or 1."""
    claims = {
        "line-charge": ClaimSpec(lines=(LineSpec(charge=text),), clm02="2000"),
        "clm02": ClaimSpec(clm02=text),
        "units": ClaimSpec(lines=(LineSpec(units=text, ctp_qty=text),)),
    }
    src, out, rep = tmp_path / "in.837", tmp_path / "out.837", tmp_path / "r.json"
    src.write_bytes(build(P, (claims[where],)))
    result = CliRunner().invoke(main, [str(src), str(out), "--report", str(rep), "-q"])
    assert result.exit_code in (0, 1), result.output
    assert "internal error" not in result.output
    assert out.exists() and rep.exists()
    if where != "clm02":  # CLM02 garbage is recomputed from the lines (CLM001)
        assert result.exit_code == 1


def _cut_mid_claim() -> bytes:
    data = build(P, (ClaimSpec(clm01="A1"), ClaimSpec(clm01="A2")))
    return data[: data.find(b"CLM*A2") + 20]  # mid-segment: no SE, GE or IEA, a claim gone


def _missing(report: dict[str, Any]) -> list[str]:
    return [
        f["element"]
        for f in report["findings"]
        if f["rule"] == "X12003" and "has no" in f["message"]
    ]


def test_no_structure_does_not_pass_a_file_cut_mid_segment_as_clean(tmp_path: Path) -> None:
    """Before: exit 0 and no finding. Now: X12003 for each lost trailer, exit 1."""
    src, out, rep = tmp_path / "in.837", tmp_path / "out.837", tmp_path / "r.json"
    src.write_bytes(_cut_mid_claim())
    args = [str(src), str(out), "--report", str(rep), "-q", "--no-structure"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    report = json.loads(rep.read_text())
    assert sorted(_missing(report)) == ["GE", "IEA", "SE"]


def test_no_structure_missing_se_between_two_transaction_sets(tmp_path: Path) -> None:
    """An ST followed by another ST (its SE dropped) is one missing SE, nothing else."""
    data = build(P, (ClaimSpec(),))
    se = data[data.find(b"\nSE*") + 1 : data.find(b"\nGE*") + 1]
    st_to_se = data[data.find(b"\nST*") + 1 : data.find(b"\nGE*") + 1]
    doubled = data.replace(st_to_se, st_to_se.replace(se, b"") + st_to_se.replace(b"0001", b"0002"))
    doubled = doubled.replace(b"GE*1*", b"GE*2*")
    src, out, rep = tmp_path / "in.837", tmp_path / "out.837", tmp_path / "r.json"
    src.write_bytes(doubled)
    args = [str(src), str(out), "--report", str(rep), "-q", "--no-structure"]
    assert CliRunner().invoke(main, args).exit_code == 1
    assert _missing(json.loads(rep.read_text())) == ["SE"]


def test_no_structure_intact_envelope_has_no_missing_trailer(tmp_path: Path) -> None:
    src, out, rep = tmp_path / "in.837", tmp_path / "out.837", tmp_path / "r.json"
    src.write_bytes(build(P, (ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),)),)))
    args = [str(src), str(out), "--report", str(rep), "-q", "--no-structure"]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert _missing(json.loads(rep.read_text())) == []


def test_with_structure_pyx12_reports_the_lost_trailers_once(tmp_path: Path) -> None:
    """With pyx12 on, X12001 names the missing SE/GE/IEA; X12003 does not repeat them."""
    src, out, rep = tmp_path / "in.837", tmp_path / "out.837", tmp_path / "r.json"
    src.write_bytes(_cut_mid_claim())
    assert CliRunner().invoke(main, [str(src), str(out), "--report", str(rep), "-q"]).exit_code == 1
    report = json.loads(rep.read_text())
    assert _missing(report) == []
    assert sum("(SE) missing" in f["message"] for f in report["findings"]) == 1


@pytest.mark.parametrize("trailer", [b"GE*1*1", b"IEA*1*000000001", b"SE*25*0001"])
@pytest.mark.parametrize("structure", [False, True])
def test_trailer_with_no_elements_is_recounted_not_index_error(
    trailer: bytes, structure: bool, tmp_path: Path
) -> None:
    """Found by the atheris harness: `GE~` (no GE01) was an IndexError, exit 3."""
    data = build(P, (ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),)),))
    seg_id = trailer.split(b"*")[0]
    assert trailer in data
    src, out = tmp_path / "in.837", tmp_path / "out.837"
    src.write_bytes(data.replace(trailer, seg_id))
    args = [str(src), str(out), "-q"] + ([] if structure else ["--no-structure"])
    result = CliRunner().invoke(main, args)
    # The count is restored (X12003, applied); pyx12 still misses the control number.
    assert result.exit_code == (1 if structure else 0), result.output
    assert seg_id + b"*" + trailer.split(b"*")[1] in out.read_bytes()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"LX*1~", b"LX*\xb9~"),  # LX01 '¹'
        (b"*1~\nDTP*472", b"*\xb2~\nDTP*472"),  # SV107 pointer '²'
        (b"*1~\nDTP*472", b"*\xb33~\nDTP*472"),  # SV107 pointer '³3'
        (b"N4*00944462401", b"N4*0094446240\xb9"),  # an NDC ending in '¹'
    ],
    ids=["lx01", "sv107", "sv107-mixed", "ndc"],
)
def test_superscript_digits_are_not_numbers_not_value_error(
    old: bytes, new: bytes, tmp_path: Path
) -> None:
    """Found by the atheris harness: str.isdigit() accepts '²' (byte 0xB2), int() does not."""
    data = build(P, (ClaimSpec(),))
    assert old in data
    src, out, rep = tmp_path / "in.837", tmp_path / "out.837", tmp_path / "r.json"
    src.write_bytes(data.replace(old, new, 1))
    result = CliRunner().invoke(main, [str(src), str(out), "--report", str(rep), "-q"])
    findings = json.loads(rep.read_text())["findings"]
    if old.startswith(b"N4"):  # not taken for an 11-digit NDC, so not "fixed" into the output
        assert result.exit_code == 1, result.output
        assert any(f["rule"] == "NDC003" for f in findings)
        assert new in out.read_bytes()
    else:
        # A finding, never a ValueError: LX001 renumbers the line, DX003 re-points the only
        # diagnosis; the output's validation then no longer has pyx12's finding (cured, exit 0).
        rule = "LX001" if old.startswith(b"LX") else "DX003"
        assert result.exit_code == 0, result.output
        assert [f["fix"]["status"] for f in findings if f["rule"] == rule] == ["applied"]
        assert all(f["fix"]["status"] == "applied" for f in findings if f["rule"] == "X12001")


def _many_lines(n: int, ndc: str) -> bytes:
    # One claim of n J7207 lines of one NDC and date: rules group them (same drug, JW
    # siblings), and a hyphenated NDC gives every line a fix, so the fix loop runs too.
    return build(P, (ClaimSpec(lines=tuple(LineSpec(ndc=ndc) for _ in range(n))),))


@pytest.mark.parametrize("ndc", ["00944462401", "00944-4624-01"])
def test_lines_of_one_drug_cost_linear_not_quadratic_work(ndc: str, tmp_path: Path) -> None:
    """Twice the lines is about twice the work: each line summed its whole same-drug group
    (UNT003, the JW proofs), scanned every line for JW siblings and for its submitted self, and
    the fix loop compared applied fixes field by field (a 5,000-line claim took 108 s)."""
    _scrub_bytes(_many_lines(10, ndc), tmp_path)  # warm-up, outside the count
    small = _calls(lambda: _scrub_bytes(_many_lines(200, ndc), tmp_path))
    large = _calls(lambda: _scrub_bytes(_many_lines(400, ndc), tmp_path))
    assert large < 2.2 * small, (small, large)
