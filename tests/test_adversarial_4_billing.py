"""Round 4 of playing the billing expert against edi-scrub: each test pins one defect found, or
one refusal a fix must keep (docs/robustness.md, "Found by hand, round 4").

Claims are built with ``tests/builders.py`` (synthetic data only). Each test is named after
what used to go wrong, or after the refusal it shows.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

import edi_scrub
from edi_scrub.cli import main
from tests.builders import ClaimSpec, I, LineSpec, P, build, with_cob


def _scrub(data: bytes, structure: bool = False, **options: object) -> edi_scrub.Result:
    opts = edi_scrub.Options(structure=structure, **options)  # type: ignore[arg-type]
    return edi_scrub.scrub(data, options=opts)


def _found(result: edi_scrub.Result, rule: str) -> list[edi_scrub.Outcome]:
    return [o for o in result.findings if o.finding.rule == rule]


def _drop_subscriber_loop(data: bytes, clm01: str) -> bytes:
    """``data`` with the 2000B/2010 segments before claim ``clm01`` removed (and SE01 recounted),
    so that claim shares the previous claim's subscriber loop."""
    segments = data.decode("latin-1").split("~\n")
    at = next(i for i, s in enumerate(segments) if s.startswith(f"CLM*{clm01}*"))
    hl = max(i for i in range(at) if segments[i].startswith("HL*"))
    kept = segments[:hl] + segments[at:]
    body = [s for s in kept if s and s.split("*")[0] not in ("ISA", "GS", "GE", "IEA")]
    kept = [f"SE*{len(body)}*0001" if s.startswith("SE*") else s for s in kept]
    return "~\n".join(kept).encode("latin-1")


# ------------------------------------------------------------ item 1: a claim with no lines

#: Claim B has no service line (CLM followed by the next claim) and a CLM02 of 5.
NO_LINES = (ClaimSpec(clm01="A"), ClaimSpec(lines=(), clm01="B", clm02="5"), ClaimSpec(clm01="C"))


@pytest.mark.parametrize("kind", [P, I])
@pytest.mark.parametrize("validator", ["compiled", "pyx12"])
@pytest.mark.parametrize("followed_by", ["HL", "CLM", "SE"])
def test_claim_without_service_lines_is_no_longer_filed_under_the_next_claim(
    tmp_path: Path, kind: str, validator: str, followed_by: str
) -> None:
    """The TR3 requires loop 2400; both validators report it (IK304=3) at the segment that came
    instead: the next HL or the SE (so the finding named no claim and ``--rejects`` sent the
    broken claim on) or, when the next claim shares the subscriber loop, the next claim's CLM
    (so the good claim C was rejected and B sent). ``--no-structure`` skips this check with
    every other TR3 check. The finding now names claim B, and B is the claim
    moved to the rejects file."""
    data = build(kind, NO_LINES if followed_by != "SE" else NO_LINES[:2])
    if followed_by == "CLM":
        data = _drop_subscriber_loop(data, "C")
    (tmp_path / "in.837").write_bytes(data)
    args = ["in.837", "out.837", "--rejects", "rej.837", "--report", "r.json"]
    args += ["--report-format", "json", "--validator", validator, "--no-config", "-q"]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    x12001 = [f for f in report["findings"] if f["rule"] == "X12001"]
    assert [(f["claim"], f["message"]) for f in x12001] == [
        ("B", 'Mandatory loop "Service Line Number" (2400) missing [IK304=3]')
    ]
    rejected = (tmp_path / "rej.837").read_bytes()
    kept = (tmp_path / "out.837").read_bytes()
    assert b"CLM*B*" in rejected and b"CLM*B*" not in kept
    assert b"CLM*C*" not in rejected
    assert (b"CLM*C*" in kept) is (followed_by != "SE")


@pytest.mark.parametrize("kind", [P, I])
def test_claim_without_service_lines_gets_no_fix(kind: str) -> None:
    """Nothing on a claim with no lines is changed, not even formatting (its HI's dotted code,
    which DX006 removes on any other claim): which lines it lost is not on the claim. CLM02 is
    not recounted to 0 and nothing crashes; the other claims are fixed as usual."""
    broken = ClaimSpec(lines=(), clm01="B", clm02="5", dx=("D66.",))
    data = build(kind, (ClaimSpec(clm01="A"), broken))
    result = _scrub(data, structure=True)
    assert result.output is not None
    text = result.output.decode("latin-1")
    assert "CLM*B*5*" in text and "D66." in text
    dx006 = _found(result, "DX006")
    assert [(o.finding.claim, o.status.value) for o in dx006] == [("B", "suggested")]
    assert "no service line" in dx006[0].finding.message
    assert _found(result, "CLM001") == []
    # Claim A still gets its fix (MOD001 JZ), and the same dot on a claim with lines is fixed.
    assert ":JZ" in text
    fixed = _scrub(build(kind, (replace(broken, lines=(LineSpec(),), clm02=None),)))
    assert [o.status.value for o in _found(fixed, "DX006")] == ["applied"]


# ------------------------------------------------------------ item 2: a reversed RD8 span

REVERSED = LineSpec(dos="20240120-20240115", dos_qualifier="RD8")


@pytest.mark.parametrize("kind", [P, I])
def test_reversed_service_date_span_is_no_longer_silent(kind: str) -> None:
    """``DTP*472*RD8*20240120-20240115`` got no finding. DOS003 now reports it as an error with
    no fix (which date is wrong is not provable), at the DTP03 of that line; the output keeps
    the span as written."""
    data = build(kind, (ClaimSpec(lines=(LineSpec(), REVERSED)),))
    result = _scrub(data)
    dos003 = _found(result, "DOS003")
    assert [(o.finding.line, o.finding.severity.value, o.status.value) for o in dos003] == [
        (2, "error", "none")
    ]
    assert dos003[0].finding.loc is not None and dos003[0].finding.loc.ref == "DTP03"
    assert "ends on 2024-01-15, before it starts on 2024-01-20" in dos003[0].finding.message
    assert result.output is not None and b"RD8*20240120-20240115" in result.output
    # An ordered span, a one-day span and a D8 date pass.
    for dos, qualifier in (("20240115-20240120", "RD8"), ("20240115-20240115", "RD8")):
        line = LineSpec(dos=dos, dos_qualifier=qualifier)
        assert _found(_scrub(build(kind, (ClaimSpec(lines=(line,)),))), "DOS003") == []


def test_reversed_837i_statement_period_is_no_longer_silent() -> None:
    """``DTP*434*RD8*20240131-20240101`` (the 837I statement period) got no finding."""
    data = build(I, (ClaimSpec(statement="20240131-20240101"),))
    dos003 = _found(_scrub(data), "DOS003")
    assert [(o.finding.line, o.finding.loc.ref if o.finding.loc else None) for o in dos003] == [
        (None, "DTP03")
    ]
    assert "statement period (DTP*434 RD8)" in dos003[0].finding.message
    assert _found(_scrub(build(I, (ClaimSpec(statement="20240101-20240131"),))), "DOS003") == []


@pytest.mark.parametrize("kind", [P, I])
def test_reversed_span_keeps_the_date_rules_steady(kind: str) -> None:
    """The rules that read dates read a reversed line by its first date, and do not crash:
    DOS002 reports the span for a single-date payer as before, HCP002 judges J7208 by the first
    date (2019-07-05, valid; DOS003 carries the doubt), the history still sees the second claim
    repeat the first (DUP001), and a line with waste gets no JZ. Its JW split (which copies
    the line's DTP*472) used to be applied and then reverted whole, with every other fix of the
    claim, because the copy carried a second DOS003: it is now a suggestion naming the span."""
    j7208 = LineSpec(code="J7208", ndc=None, dos="20190705-20190625", dos_qualifier="RD8")
    result = _scrub(build(kind, (ClaimSpec(lines=(j7208,)),)))
    assert _found(result, "HCP002") == []
    assert [o.finding.rule for o in result.findings if o.finding.rule.startswith("DOS")] == [
        "DOS003"
    ]
    twice = (ClaimSpec(clm01="A", lines=(REVERSED,)), ClaimSpec(clm01="B", lines=(REVERSED,)))
    dup = _scrub(build(kind, twice))
    assert [o.finding.claim for o in _found(dup, "DUP001")] == ["B"]
    assert [o.finding.claim for o in _found(dup, "DOS003")] == ["A", "B"]
    waste = replace(REVERSED, ctp_qty="1200")
    data = build(kind, (ClaimSpec(lines=(waste,)),))
    split = _scrub(data)
    assert split.output == data
    mod004 = _found(split, "MOD004")
    assert [o.status.value for o in mod004] == ["suggested"]
    assert "date span ends before it starts (DOS003)" in mod004[0].finding.message
    # Another fix of the claim (NDC003: hyphens out) is applied, not reverted with the split.
    hyphens = _scrub(build(kind, (ClaimSpec(lines=(replace(waste, ndc="0944-4624-01"),)),)))
    assert [o.status.value for o in _found(hyphens, "NDC003")] == ["applied"]


# ------------------------------------------------- item 3: an 837I 0636 line with no HCPCS


def _without_hcpcs(data: bytes, composite: bytes = b"") -> bytes:
    return data.replace(b"SV2*0636*HC:J7207*", b"SV2*0636*" + composite + b"*")


@pytest.mark.parametrize("composite", [b"", b"HC"])
def test_837i_0636_line_with_a_crosswalk_ndc_and_no_hcpcs_is_no_longer_silent(
    composite: bytes,
) -> None:
    """``SV2*0636**2000*UN*1000~`` with ``LIN**N4*00944462401`` (Adynovate, J7207 in maps/) got
    no finding at all. HCP005 now names the code maps/ files the NDC under, as a suggestion:
    nothing is changed (a code change needs the biller)."""
    data = _without_hcpcs(build(I, (ClaimSpec(),)), composite)
    result = _scrub(data)
    assert result.output == data
    hcp005 = _found(result, "HCP005")
    assert [(o.finding.line, o.status.value) for o in hcp005] == [(1, "suggested")]
    outcome = hcp005[0]
    assert outcome.finding.loc is not None and outcome.finding.loc.ref == "SV202-2"
    assert outcome.finding.fix is not None and outcome.finding.fix.after == "J7207"
    assert outcome.finding.fix.edits == ()
    assert "maps/ lists the NDC under J7207" in outcome.finding.message


@pytest.mark.parametrize(
    ("revenue", "ndc", "hcpcs"),
    [
        pytest.param(b"0250", b"00944462401", b"", id="revenue-0250"),
        pytest.param(b"0636", b"99999999999", b"", id="ndc-not-in-maps"),
        pytest.param(b"0636", b"0944462401", b"", id="ndc-bare-10-digits"),
        pytest.param(b"0636", b"00944462401", b"HC:J7207", id="with-hcpcs"),
    ],
)
def test_hcp005_stays_quiet_without_its_proof(revenue: bytes, ndc: bytes, hcpcs: bytes) -> None:
    """No finding for another revenue code, an NDC maps/ does not list, an ambiguous bare
    10-digit NDC, or a line that has its HCPCS code."""
    data = build(I, (ClaimSpec(),))
    data = data.replace(b"SV2*0636*HC:J7207*", b"SV2*" + revenue + b"*" + hcpcs + b"*")
    data = data.replace(b"N4*00944462401", b"N4*" + ndc)
    assert _found(_scrub(data), "HCP005") == []


def test_hcp005_reads_a_hyphenated_ndc_and_never_fires_on_the_837p() -> None:
    hyphenated = _without_hcpcs(build(I, (ClaimSpec(lines=(LineSpec(ndc="0944-4624-01"),)),)))
    assert [o.status.value for o in _found(_scrub(hyphenated), "HCP005")] == ["suggested"]
    assert _found(_scrub(build(P, (ClaimSpec(),))), "HCP005") == []


# ---------------------------------------------------------------- voids and replacements


def _scrub_with_policy(tmp_path: Path, data: bytes, policy: object) -> list[tuple[str, str]]:
    from edi_scrub.pipeline import Options, scrub

    src = tmp_path / "in.837"
    src.write_bytes(data)
    options = Options(structure=False, policy=lambda _claim: policy)  # type: ignore[arg-type, return-value]
    report = scrub(src, io.BytesIO(), options)
    return [(o.finding.rule, o.finding.claim or "") for o in report.outcomes]


@pytest.mark.parametrize("frequency", ["8", "08", " 8"])
def test_a_void_no_longer_counts_toward_the_usage_of_the_claim_that_follows_it(
    tmp_path: Path, frequency: str
) -> None:
    """A provider voids claim X and sends its corrected claim Y in the same file: the void's
    4000 units were added to the patient's day, and Y (4000 units, MUE 6000 per day) got an
    UNT005 error (8000 units), which rejected the only live claim. A void cancels units; it
    adds none."""
    from edi_scrub.policy import Mue, PayerPolicy

    policy = PayerPolicy("t", "Test payer", mue={"J7208": Mue("J7208", 6000, 2)})
    line = LineSpec(code="J7208", ndc=None, units="4000", charge="1000", modifiers=("JZ",))
    void = ClaimSpec(clm01="X", lines=(line,), frequency=frequency, original_ref="ORIG1")
    data = build(P, (void, ClaimSpec(clm01="Y", lines=(line,))))
    found = _scrub_with_policy(tmp_path, data, policy)
    assert ("UNT005", "Y") not in found and ("DUP001", "Y") not in found
    assert ("FIX001", "X") in found
    # Two originals of 4000 on the day are still over, and still reported.
    original = replace(void, frequency="1", original_ref=None)
    both = _scrub_with_policy(
        tmp_path, build(P, (original, ClaimSpec(clm01="Y", lines=(line,)))), policy
    )
    assert ("UNT005", "Y") in both


@pytest.mark.parametrize("frequency", ["08", " 8", "07", " 7", "7 "])
def test_void_or_replacement_written_oddly_is_no_longer_a_duplicate_claim(frequency: str) -> None:
    """DUP001 skips voids and replacements (they repeat the claim they correct by design), but
    compared CLM05-3 as written: ``08`` or `` 7`` was taken for an original, so a claim
    following it (or the correction itself) was reported as a duplicate."""
    line = LineSpec(modifiers=("JZ",))
    correction = ClaimSpec(clm01="X", lines=(line,), frequency=frequency, original_ref="ORIG1")
    result = _scrub(build(P, (correction, ClaimSpec(clm01="Y", lines=(line,)))))
    assert _found(result, "DUP001") == []


# ---------------------------------------------------------------- attestations and units

WASTE = LineSpec(ctp_qty="1200")


@pytest.mark.parametrize("kind", [P, I])
def test_jw_split_no_longer_overrides_the_providers_nte_note(kind: str) -> None:
    """``NTE*ADD*WASTE NOT BILLED PER POLICY`` on a line whose CTP shows 200 IU discarded: the
    split was applied anyway, and the note copied onto the new JW line, which contradicts it.
    A line note is the provider's word about the line: the split is now a suggestion."""
    line = replace(WASTE, notes=("WASTE NOT BILLED PER POLICY",))
    data = build(kind, (ClaimSpec(lines=(line,)),))
    result = _scrub(data)
    assert result.output == data
    mod004 = _found(result, "MOD004")
    assert [o.status.value for o in mod004] == ["suggested"]
    assert "NTE note" in mod004[0].finding.message
    # The same line without a note is still split.
    split = _scrub(build(kind, (ClaimSpec(lines=(WASTE,)),)))
    assert [o.status.value for o in _found(split, "MOD004")] == ["applied"]


@pytest.mark.parametrize("kind", [P, I])
def test_fractional_units_are_no_longer_rounded_above_the_dispensed_iu(kind: str) -> None:
    """Units ``1000.500`` with CTP04 1000 F2: UNT002 rounded them up to 1001, billing more IU
    than the claim's own CTP says were dispensed. Now a suggestion; a fraction below the
    dispensed IU (999.4 of 1200, waste either way) is still rounded up."""
    over = LineSpec(units="1000.500", modifiers=("JZ",))
    data = build(kind, (ClaimSpec(lines=(over,)),))
    result = _scrub(data)
    assert result.output == data
    assert [o.status.value for o in _found(result, "UNT002")] == ["suggested"]
    assert [o.status.value for o in _found(result, "UNT007")] == ["none"]
    under = LineSpec(units="999.4", ctp_qty="1200", modifiers=("JW",), charge="400")
    rounded = _scrub(build(kind, (ClaimSpec(lines=(under,)),)))
    assert [o.status.value for o in _found(rounded, "UNT002")] == ["applied"]


@pytest.mark.parametrize("kind", [P, I])
@pytest.mark.parametrize("ctp", ["1000", None])
def test_a_fractional_vial_count_is_no_longer_rounded_up_as_iu(kind: str, ctp: str | None) -> None:
    """``SV104 = 1.500`` on an Adynovate kit line (801-1250 IU a vial): one and a half vials,
    as UNT003 says. UNT002 rounded it up to 2 "IU" anyway. Now a suggestion naming the doubt."""
    line = LineSpec(units="1.500", ctp_qty=ctp)
    data = build(kind, (ClaimSpec(lines=(line,)),))
    result = _scrub(data)
    assert result.output == data
    unt002 = _found(result, "UNT002")
    assert [o.status.value for o in unt002] == ["suggested"]
    assert unt002[0].finding.fix is not None
    assert "vial count" in unt002[0].finding.fix.description
    assert [o.finding.rule for o in _found(result, "UNT003")] == ["UNT003"]


@pytest.mark.parametrize("kind", [P, I])
@pytest.mark.parametrize("units", ["1000.0", "01000", "000000000001000", "1000.000"])
def test_units_in_odd_but_legal_forms_get_no_fix(kind: str, units: str) -> None:
    """Legal X12 numbers equal to 1000 (leading zeros, a 15-digit value, trailing decimal zeros)
    are 1000 IU to every rule: no finding, no fix, the bytes stay."""
    data = build(kind, (ClaimSpec(lines=(LineSpec(units=units, modifiers=("JZ",)),)),))
    result = _scrub(data)
    assert result.output == data
    assert not result.findings


# ------------------------------------------------------------------ 2410 loops, TR3 limits

#: A second 2410 loop on the line: 800 more IU of the same kit dispensed.
SECOND_2410 = (("LIN", "", "N4", "00944462401"), ("CTP", "", "", "", "800", "F2"))


@pytest.mark.parametrize("kind", [P, I])
def test_jz_is_no_longer_added_when_a_second_2410_loop_shows_more_dispensed(kind: str) -> None:
    """1000 IU billed; the first 2410 says 1000 IU dispensed, a second one 800 more. MOD001 read
    only the first CTP, took it as proof of zero waste and added JZ: an attestation the claim's
    own data contradicts. Now a suggestion naming the second loop."""
    line = replace(LineSpec(), loops=SECOND_2410)
    data = build(kind, (ClaimSpec(lines=(line,)),))
    result = _scrub(data)
    assert result.output == data
    mod001 = _found(result, "MOD001")
    assert [o.status.value for o in mod001] == ["suggested"]
    fix = mod001[0].finding.fix
    assert fix is not None and "more than one 2410 drug loop" in fix.description


@pytest.mark.parametrize("kind", [P, I])
def test_two_2410_loops_that_add_up_are_no_longer_billed_exceeds_dispensed(kind: str) -> None:
    """200 IU in the first 2410 loop, 800 in the second, 1000 billed with JZ: UNT007 (an error,
    so ``--rejects`` moved the claim) said 1000 billed but only 200 dispensed."""
    line = replace(LineSpec(ctp_qty="200", modifiers=("JZ",)), loops=SECOND_2410)
    result = _scrub(build(kind, (ClaimSpec(lines=(line,)),)))
    assert _found(result, "UNT007") == []
    one_loop = _scrub(
        build(kind, (ClaimSpec(lines=(LineSpec(ctp_qty="200", modifiers=("JZ",)),)),))
    )
    assert [o.finding.rule for o in _found(one_loop, "UNT007")] == ["UNT007"]


def _dated_lines(count: int, waste: int) -> tuple[LineSpec, ...]:
    """``count`` J7207 lines on consecutive days; the first ``waste`` show 200 IU discarded."""
    first = date(2024, 1, 1)
    days = [(first + timedelta(days=i)).strftime("%Y%m%d") for i in range(count)]
    return tuple(
        LineSpec(dos=day, ctp_qty="1200") if i < waste else LineSpec(dos=day, modifiers=("JZ",))
        for i, day in enumerate(days)
    )


@pytest.mark.parametrize(
    ("kind", "count", "waste", "split"),
    [
        (P, 49, 1, True),
        (P, 50, 1, False),
        (P, 48, 3, False),  # three splits that each fit would make 51 lines together
        (I, 998, 1, True),
        (I, 999, 1, False),
    ],
)
def test_jw_split_no_longer_takes_a_claim_past_the_tr3_line_limit(
    kind: str, count: int, waste: int, split: bool
) -> None:
    """An 837P holds at most 50 service lines, an 837I 999. A split on a full claim was
    applied (51 lines: the whole claim is rejected) without the TR3 validation, and reverted
    with no reason given with it. Now a suggestion that says why; a claim with room still
    splits."""
    data = build(kind, (ClaimSpec(lines=_dated_lines(count, waste)),))
    result = _scrub(data)
    assert result.output is not None
    mod004 = _found(result, "MOD004")
    assert len(mod004) == waste
    if split:
        assert result.output.count(b":JW*") == waste
        assert [o.status.value for o in mod004] == ["applied"] * waste
    else:
        assert result.output == data
        assert {o.status.value for o in mod004} == {"suggested"}
        assert "service lines its TR3 allows" in mod004[0].finding.message


# ------------------------------------------------------------------------- CLM02 recount


@pytest.mark.parametrize("kind", [P, I])
@pytest.mark.parametrize(
    ("clm02", "after"),
    [("2000.5", "2000"), (".50", "2000.00"), ("1E2", "2000"), ("-2000", "2000"), ("2,000", "2000")],
)
def test_clm02_in_odd_or_illegal_forms_is_recounted_from_valid_lines(
    kind: str, clm02: str, after: str
) -> None:
    """The line charges are valid, so they prove the total, whatever CLM02 held."""
    data = build(kind, (ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),), clm02=clm02),))
    result = _scrub(data)
    assert [o.status.value for o in _found(result, "CLM001")] == ["applied"]
    assert result.output is not None and f"CLM*PCN001*{after}*".encode() in result.output


@pytest.mark.parametrize("kind", [P, I])
@pytest.mark.parametrize("charge", ["-100", "100.505"])
def test_clm02_is_no_longer_recounted_over_a_negative_or_sub_cent_charge(
    kind: str, charge: str
) -> None:
    """A negative line charge (CLM002's error) made CLM001 write a negative CLM02 (-50); a
    charge of 100.505 made it write 150.51 (rounded: still unbalanced) and then report "CLM02 is
    150.51 but the lines add up to 150.51" twice more. Neither total is the claim's to write:
    the finding stays, with no fix."""
    lines = (
        LineSpec(modifiers=("JZ",), charge=charge),
        LineSpec(code="99213", ndc=None, charge="50", units="1"),
    )
    data = build(kind, (ClaimSpec(lines=lines, clm02="1"),))
    result = _scrub(data)
    assert result.output == data
    clm001 = _found(result, "CLM001")
    assert [o.status.value for o in clm001] == ["none"]
    assert "not recomputed" in clm001[0].finding.message


# ------------------------------------------------------------- one claim's fix stays its own


@pytest.mark.parametrize("kind", [P, I])
def test_a_fix_on_one_claim_never_changes_another_claims_bytes(kind: str) -> None:
    """Claims around a split (a COB claim, a void, a clean claim) come out byte for byte."""
    neighbours = (
        with_cob(ClaimSpec(clm01="COB", lines=(WASTE,))),
        ClaimSpec(clm01="VOID", lines=(WASTE,), frequency="8", original_ref="ORIG1"),
        ClaimSpec(clm01="CLEAN", lines=(LineSpec(modifiers=("JZ",), dos="20240301"),)),
    )
    target = ClaimSpec(clm01="SPLIT", lines=(LineSpec(ctp_qty="1200", dos="20240201"),))
    claims = (neighbours[0], target, neighbours[1], neighbours[2])
    data = build(kind, claims)
    result = _scrub(data)
    assert result.output is not None and result.output != data

    def claim_text(blob: bytes, clm01: str) -> str:
        text = blob.decode("latin-1")
        start = text.index(f"CLM*{clm01}*")
        end = min(i for i in (text.find("\nHL*", start), text.find("\nSE*", start)) if i > 0)
        return text[start:end]

    for spec in neighbours:
        assert claim_text(result.output, spec.clm01) == claim_text(data, spec.clm01)
    assert claim_text(result.output, "SPLIT").count(":JW*") == 1


@pytest.mark.parametrize("kind", [P, I])
@pytest.mark.parametrize("basis", ["MJ", "DA", ""])
def test_unit_basis_is_no_longer_relabelled_without_proof_the_quantity_counts_iu(
    kind: str, basis: str
) -> None:
    """``SV1*HC:J7207*2000*MJ*2`` with no CTP: UNT001 relabelled the basis to UN, so the line
    billed 2 IU of factor VIII (the 2 was likely two vials) with no error left to say so. The
    relabel now needs a CTP in IU equal to the quantity; otherwise it is a suggestion."""
    vials = LineSpec(basis=basis, units="2", ndc=None, modifiers=("JZ",))
    data = build(kind, (ClaimSpec(lines=(vials,)),))
    result = _scrub(data)
    assert result.output == data
    assert [o.status.value for o in _found(result, "UNT001")] == ["suggested"]
    proven = _scrub(build(kind, (ClaimSpec(lines=(LineSpec(basis=basis, modifiers=("JZ",)),)),)))
    assert [o.status.value for o in _found(proven, "UNT001")] == ["applied"]


# ------------------------------------------- refusals that already held: pinned with the sweep

#: A line with waste (a JW split), a hyphenated NDC (a format fix) and a CLM02 off by 100.
SWEEP = ClaimSpec(lines=(replace(WASTE, ndc="0944-4624-01"),), clm02="2100")


def _cob_claims() -> dict[str, ClaimSpec]:
    line_level = with_cob(SWEEP)
    return {
        "2320-and-2430": replace(line_level, clm02="2100"),
        "2320-only": replace(with_cob(SWEEP, line_level=False), clm02="2100"),
        "2430-only": replace(line_level, other_payers=(), sbr01="P", clm02="2100"),
    }


@pytest.mark.parametrize("kind", [P, I])
@pytest.mark.parametrize("shape", ["2320-and-2430", "2320-only", "2430-only"])
def test_cob_claim_gets_no_money_units_or_line_fix_only_formatting(kind: str, shape: str) -> None:
    """A COB claim: the JW split, the CLM02 recount and JZ are suggestions naming COB; the NDC
    hyphens (formatting) are still removed."""
    data = build(kind, (_cob_claims()[shape],))
    result = _scrub(data)
    assert result.output is not None
    statuses = {o.finding.rule: o.status.value for o in result.findings}
    assert statuses["MOD004"] == "suggested" and statuses["NDC003"] == "applied"
    assert statuses.get("CLM001", "suggested") == "suggested"
    assert statuses.get("MOD001", "suggested") == "suggested"
    text = result.output.decode("latin-1")
    assert ":JW*" not in text and ":JZ" not in text and "CLM*PCN001*2100*" in text
    assert text.replace("00944462401", "0944-4624-01") == data.decode("latin-1")


@pytest.mark.parametrize("kind", [P, I])
@pytest.mark.parametrize("frequency", ["8", "08", " 8", "8 "])
def test_void_written_any_way_gets_no_fix_at_all(kind: str, frequency: str) -> None:
    """A void, however CLM05-3 is written, comes out byte for byte (not even the NDC format)."""
    data = build(kind, (replace(SWEEP, frequency=frequency, original_ref="ORIG1"),))
    result = _scrub(data)
    assert result.output == data
    assert {o.status.value for o in result.findings} <= {"suggested", "none"}
    assert [o.finding.rule for o in _found(result, "FIX001")] == ["FIX001"]


@pytest.mark.parametrize("kind", [P, I])
@pytest.mark.parametrize("modifier", ["JZ", "JW"])
def test_attestation_on_a_line_is_never_removed(kind: str, modifier: str) -> None:
    """JZ on a line whose CTP shows waste (MOD010), or JW on a line billing the whole amount:
    the provider's modifier stays, and no JW line is split off."""
    line = replace(WASTE, modifiers=(modifier,))
    data = build(kind, (ClaimSpec(lines=(line,)),))
    result = _scrub(data)
    assert result.output is not None
    assert result.output.count(f":{modifier}*".encode()) == 1
    assert result.output.count(b"\nLX*") == 1


@pytest.mark.parametrize("kind", [P, I])
def test_jw_line_before_its_administered_line_is_matched(kind: str) -> None:
    """The JW line comes first: the administered line after it gets no JZ and no second JW
    line; the claim is left as sent."""
    jw = LineSpec(modifiers=("JW",), units="200", charge="400", ctp_qty="200")
    data = build(kind, (ClaimSpec(lines=(jw, LineSpec(ctp_qty="1000"))),))
    result = _scrub(data)
    assert result.output == data
    assert not [o for o in result.findings if o.finding.rule.startswith("MOD")]


@pytest.mark.parametrize("kind", [P, I])
def test_lines_of_one_drug_on_different_dates_each_get_their_own_jw_line(kind: str) -> None:
    """Three J7207 lines on three dates, each showing 200 IU discarded, and a JW line already
    billing the first date's waste for a fourth line: each date with unbilled waste gets one
    JW line carrying its own date."""
    lines = (
        LineSpec(ctp_qty="1000"),
        LineSpec(modifiers=("JW",), units="200", charge="400", ctp_qty="200"),
        replace(WASTE, dos="20240116"),
        replace(WASTE, dos="20240117"),
    )
    result = _scrub(build(kind, (ClaimSpec(lines=lines),)))
    assert result.output is not None
    text = result.output.decode("latin-1")
    assert text.count(":JW*") == 3
    for day in ("20240116", "20240117"):
        assert text.count(f"DTP*472*D8*{day}") == 2


def test_837i_split_beside_a_0250_line_leaves_it_alone() -> None:
    """An 837I claim with a 0636 drug line (units in SV205) and a 0250 pharmacy line: the JW
    line copies the 0636 line; the 0250 line and its units stay as sent."""
    pharmacy = LineSpec(code="", revenue="0250", ndc=None, charge="50", units="3")
    result = _scrub(build(I, (ClaimSpec(lines=(WASTE, pharmacy)),)))
    assert result.output is not None
    text = result.output.decode("latin-1")
    assert "SV2*0636*HC:J7207:JW*400*UN*200~" in text
    assert "SV2*0250*HC:*50*UN*3~" in text and "CLM*PCN001*2450*" in text


@pytest.mark.parametrize("kind", [P, I])
@pytest.mark.parametrize(
    ("written", "after"),
    [
        ("0944-4624-01", "00944462401"),  # 4-4-2: zero before the labeler
        ("00944-4624-1", "00944462401"),  # 5-4-1: zero before the package
        ("00944 4624 01", "00944462401"),  # spaces as separators
        ("0944 4624 01", "00944462401"),
        ("00944-462-01", "00944046201"),  # 5-3-2: zero before the product (not in maps/)
    ],
)
def test_ndc_label_layouts_are_normalised_as_domain_md_says(
    kind: str, written: str, after: str
) -> None:
    """The hyphens (or spaces) show which segment is short; only that one gets its zero."""
    line = LineSpec(ndc=written, modifiers=("JZ",))
    result = _scrub(build(kind, (ClaimSpec(lines=(line,)),)))
    assert result.output is not None and f"LIN**N4*{after}~".encode() in result.output
    assert [o.status.value for o in _found(result, "NDC003")] == ["applied"]


@pytest.mark.parametrize("kind", [P, I])
@pytest.mark.parametrize("written", ["0944462401", "0094-44624-01", " 00944462401"])
def test_ndc_whose_short_segment_is_unknown_is_not_guessed(kind: str, written: str) -> None:
    """Ten bare digits, a split that is no label layout, a leading space: no default fix."""
    data = build(kind, (ClaimSpec(lines=(LineSpec(ndc=written, modifiers=("JZ",)),)),))
    result = _scrub(data)
    assert result.output == data
    assert [o.status.value for o in _found(result, "NDC003")] in (["none"], ["available"])


@pytest.mark.parametrize("kind", [P, I])
@pytest.mark.parametrize("unit", ["UN", "ML", "GR", "ME"])
def test_ctp_in_another_unit_never_proves_zero_waste(kind: str, unit: str) -> None:
    """CTP04 = 1000 with CTP05-1 UN/ML/GR/ME beside 1000 units billed: the same number in
    another unit proves nothing about IU, so JZ is only suggested."""
    line = LineSpec(ctp_qty="1000", ctp_unit=unit)
    data = build(kind, (ClaimSpec(lines=(line,)),))
    result = _scrub(data)
    assert result.output == data
    assert [o.status.value for o in _found(result, "MOD001")] == ["suggested"]
