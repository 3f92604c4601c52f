"""The 999 acknowledgement (``validate_segments(..., ack=True)`` and ``--ack FILE``).

The 999 is written by pyx12's own 999 visitor from the error tree built while the input is
validated; these tests check what it says (IK5 per transaction set, IK3/IK4 at the right
segment, AK9 per group), that it is itself a valid 999, and the CLI contract around it.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_scrub.cli import main
from edi_scrub.x12.lexer import read_segments, render
from edi_scrub.x12.validate import StructuralResult, validate_bytes
from tests.builders import ClaimSpec, I, LineSpec, P, build
from tests.conftest import CORPUS, SAMPLES, corpus_files, needs_corpus

MULTI_ST = SAMPLES / "p_multi_st.837"


def _ack(data: bytes) -> tuple[StructuralResult, list[list[str]]]:
    """Validate ``data`` asking for a 999; the result and the 999's segments as element lists."""
    result = validate_bytes(data, "<test>", ack=True)
    assert result.ack is not None, result.ack_note
    return result, [seg.elements for seg in read_segments(result.ack.encode("latin-1"))]


def _rows(ack: list[list[str]], seg_id: str) -> list[list[str]]:
    return [row for row in ack if row[0] == seg_id]


def _ik5_by_set(ack: list[list[str]]) -> dict[str, list[str]]:
    """ST02 of each acknowledged set -> its IK5 elements (IK501 first)."""
    out: dict[str, list[str]] = {}
    current = ""
    for row in ack:
        if row[0] == "AK2":
            current = row[2]
        elif row[0] == "IK5":
            out[current] = row[1:]
    return out


def _break_second_set(data: bytes) -> bytes:
    """p_multi_st with SV103 of the second transaction set changed to a unit that does not exist."""
    segments = read_segments(data)
    second_st = [s.index for s in segments if s.seg_id == "ST"][1]
    sv1 = next(s for s in segments if s.seg_id == "SV1" and s.index > second_st)
    parts = sv1.elements
    parts[3] = "QQ"
    return render(s.with_elements(parts) if s is sv1 else s for s in segments)


def _assert_valid_999(text: str) -> None:
    """The 999 passes our validator (pyx12's 999 map) and pyx12's own x12n_document."""
    import pyx12.params
    import pyx12.x12n_document

    again = validate_bytes(text.encode("latin-1"), "<999>")
    assert (again.validated, again.issues, again.implementation) == (True, (), "005010X231")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ack.999"
        path.write_text(text, encoding="latin-1")
        assert pyx12.x12n_document.x12n_document(pyx12.params.params(), str(path), None, None)


# --------------------------------------------------------------------------------------------
# What the 999 says


def test_clean_sample_is_accepted() -> None:
    data = (SAMPLES / "p_clean_j7207.837").read_bytes()
    result, ack = _ack(data)
    assert result.issues == ()
    gs = next(s for s in read_segments(data) if s.seg_id == "GS")
    assert _rows(ack, "AK1") == [["AK1", "HC", gs.element(6), "005010X222A1"]]
    assert list(_ik5_by_set(ack).values()) == [["A"]]
    assert _rows(ack, "IK3") == [] and _rows(ack, "IK4") == []
    assert _rows(ack, "AK9") == [["AK9", "A", "1", "1", "1"]]
    _assert_valid_999(result.ack or "")


def test_ack_echoes_the_inputs_control_numbers() -> None:
    data = build(P)
    _, ack = _ack(data)
    segments = read_segments(data)
    gs = next(s for s in segments if s.seg_id == "GS")
    st = next(s for s in segments if s.seg_id == "ST")
    assert _rows(ack, "AK1") == [["AK1", "HC", gs.element(6), gs.element(8)]]
    assert _rows(ack, "AK2") == [["AK2", "837", st.element(2), st.element(3)]]
    isa = _rows(ack, "ISA")[0]
    # Sender and receiver swapped: the 999 goes back to the submitter.
    assert (isa[6].strip(), isa[8].strip()) == ("SYNRECEIVE", "SYNSUBMIT")
    assert _rows(ack, "GS")[0][1:4] == ["FA", "SYNRECEIVE", "SYNSUBMIT"]


def test_element_error_rejects_with_ik3_and_ik4_at_that_segment() -> None:
    data = build(P, (ClaimSpec(lines=(LineSpec(basis="QQ"),)),))  # SV103 QQ is no unit code
    result, ack = _ack(data)
    segments = read_segments(data)
    st = next(s for s in segments if s.seg_id == "ST")
    [issue] = result.issues
    assert (issue.segment_id, issue.element) == ("SV1", "SV103")
    # IK302 counts from ST = 1; it must name the segment our issue points at.
    assert _rows(ack, "IK3") == [["IK3", "SV1", str(issue.segment - st.index + 1), "", "8"]]
    assert _rows(ack, "IK4") == [["IK4", "3", "355", "7", "QQ"]]
    assert list(_ik5_by_set(ack).values()) == [["R", "5"]]
    assert _rows(ack, "AK9") == [["AK9", "R", "1", "1", "0"]]
    _assert_valid_999(result.ack or "")


def test_multi_st_file_with_one_broken_set_is_partially_accepted() -> None:
    data = _break_second_set(MULTI_ST.read_bytes())
    result, ack = _ack(data)
    assert [i.transaction for i in result.issues] == [1]
    assert _ik5_by_set(ack) == {"0001": ["A"], "0002": ["R", "5"]}
    assert [row[1] for row in _rows(ack, "IK3")] == ["SV1"]
    # X12's "P": some but not all sets rejected (pyx12's own tree would say R).
    assert _rows(ack, "AK9") == [["AK9", "P", "2", "2", "1"]]
    _assert_valid_999(result.ack or "")


def test_multi_st_clean_file_accepts_both_sets() -> None:
    _, ack = _ack(MULTI_ST.read_bytes())
    assert _ik5_by_set(ack) == {"0001": ["A"], "0002": ["A"]}
    assert _rows(ack, "AK9") == [["AK9", "A", "2", "2", "2"]]


def test_unrecognised_segment_is_named_once_at_its_own_position() -> None:
    data = build(P).replace(b"N3*1 CLINIC WAY~\n", b"N3*1 CLINIC WAY~\nZZZ*1~\n", 1)
    result, ack = _ack(data)
    zzz = next(i for i in result.issues if i.segment_id == "ZZZ")
    st = next(s for s in read_segments(data) if s.seg_id == "ST")
    assert _rows(ack, "IK3") == [["IK3", "ZZZ", str(zzz.segment - st.index + 1), "", "1"]]
    assert _ik5_by_set(ack)["0001"][0] == "R"
    _assert_valid_999(result.ack or "")


def test_group_trailer_error_rejects_the_group_not_the_set() -> None:
    result, ack = _ack(build(P).replace(b"GE*1*1~", b"GE*2*1~"))
    assert [i.ack_codes for i in result.issues] == ["AK905=5"]
    assert _ik5_by_set(ack) == {"0001": ["A"]}
    assert _rows(ack, "AK9") == [["AK9", "R", "2", "1", "1", "5"]]


def test_overfull_composite_gets_an_ik4_too_many_components() -> None:
    result, ack = _ack(build(P, (ClaimSpec(lines=(LineSpec(pointers="1:2:3:4:5"),)),)))
    assert [i.code for i in result.issues] == ["13"]
    # No IK402: the composite's reference (C004) is not a data element number.
    assert _rows(ack, "IK4") == [["IK4", "7", "", "13"]]
    _assert_valid_999(result.ack or "")


def test_malformed_segment_id_is_not_echoed_but_still_rejects() -> None:
    data = build(P).replace(b"N4*ANYTOWN", b"Nd4*ANYTOWN", 1)
    result, ack = _ack(data)
    # Reported at its position, but not named: "Nd4" is not an X12 segment id (issue 8).
    assert result.issues and all(i.segment_id != "Nd4" for i in result.issues)
    assert all(row[1] != "Nd4" for row in _rows(ack, "IK3"))
    assert _ik5_by_set(ack)["0001"][:2] == ["R", "5"]
    _assert_valid_999(result.ack or "")


def test_aliased_versions_are_echoed_as_received() -> None:
    result, ack = _ack(build(P).replace(b"005010X222A1", b"005010X222A2"))
    assert result.aliases  # validated with the X222A1 map ...
    assert _rows(ack, "AK1")[0][3] == "005010X222A2"  # ... but acknowledged as sent
    assert _rows(ack, "AK2")[0][3] == "005010X222A2"


def test_group_validated_through_st03_is_acknowledged_with_its_own_gs08() -> None:
    # GS08 "00501" names no guide; ST03 decides the map, and the 999 still echoes "00501".
    data = build(P).replace(b"*X*005010X222A1~", b"*X*00501~", 1)
    result, ack = _ack(data)
    assert result.validated
    assert _rows(ack, "AK1")[0][3] == "00501"
    assert _rows(ack, "AK2")[0][3] == "005010X222A1"


def test_no_ta1_even_when_isa14_asks_for_one() -> None:
    data = build(P).replace(b"*000000001*0*T*", b"*000000001*1*T*", 1)
    result, ack = _ack(data)
    assert _rows(ack, "TA1") == []
    assert _rows(ack, "ISA")[0][14] == "0"
    _assert_valid_999(result.ack or "")


def test_missing_trailers_reject_the_set_and_group() -> None:
    data = b"\n".join(
        line for line in build(P).split(b"\n") if not line.startswith((b"SE*", b"GE*", b"IEA*"))
    )
    result, ack = _ack(data)
    assert _ik5_by_set(ack) == {"0001": ["R", "2"]}  # IK502 2: transaction set trailer missing
    assert _rows(ack, "AK9")[0][:4] == ["AK9", "R", "0", "1"]  # no GE01, one set received
    _assert_valid_999(result.ack or "")


def test_asking_for_the_ack_changes_no_issue() -> None:
    data = _break_second_set(MULTI_ST.read_bytes())
    with_ack = validate_bytes(data, ack=True)
    without = validate_bytes(data)
    assert without.ack is None and without.ack_note == ""
    assert (with_ack.issues, with_ack.aliases, with_ack.implementation) == (
        without.issues,
        without.aliases,
        without.implementation,
    )


def test_no_ack_when_the_input_cannot_be_validated() -> None:
    result = validate_bytes(build(P).replace(b"005010X222A1", b"005010X999"), ack=True)
    assert not result.validated
    assert result.ack is None
    assert result.ack_note == "the input could not be validated"


def test_an_acknowledgement_is_not_acknowledged() -> None:
    _, ack = _ack(build(P))
    text = "~\n".join("*".join(row) for row in ack) + "~\n"
    result = validate_bytes(text.encode("latin-1"), ack=True)
    assert result.validated and result.issues == ()
    assert result.ack is None
    assert "acknowledgement" in result.ack_note


def _with_sv1_in_837i() -> bytes:
    """An 837I whose service line also has an SV1 (837P's segment): pyx12 gives that segment
    two IK3 codes, 1 (not in the set) and 8 (its trailing element separators)."""
    segments = read_segments(build(I, [ClaimSpec()]))
    sv2 = next(seg for seg in segments if seg.seg_id == "SV2")
    sv1 = sv2.with_text("SV1*HC:J7207*100*UN*1***1**")
    return render(s for seg in segments for s in ((seg, sv1) if seg is sv2 else (seg,)))


_ACK_IN_CHILD = """
import sys
from edi_scrub.x12.validate import validate_bytes
result = validate_bytes(sys.stdin.buffer.read(), "<test>", ack=True)
lines = result.ack.split("~")
sys.stdout.write("~".join(s for s in lines if not s.lstrip().startswith(("ISA", "GS", "GE", "IEA"))))
"""


def test_a_segments_ik3s_are_in_code_order_whatever_the_hash_seed() -> None:
    """pyx12 iterates a set of IK3 codes, so the 999's bytes changed with PYTHONHASHSEED."""
    data = _with_sv1_in_837i()
    _, ack = _ack(data)
    sv1 = [row[4] for row in _rows(ack, "IK3") if row[1] == "SV1"]
    assert sv1 == ["1", "8"]
    acks = {
        subprocess.run(
            [sys.executable, "-c", _ACK_IN_CHILD],
            input=data,
            capture_output=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in (1, 2, 3, 4, 5)
    }
    assert len(acks) == 1


# --------------------------------------------------------------------------------------------
# Corpus: files pyx12 itself calls invalid get a rejecting 999, valid ones an accepting one


@needs_corpus()
def test_corpus_acks_are_valid_and_agree_with_the_manifest() -> None:
    with (CORPUS / "MANIFEST.tsv").open(newline="") as fh:
        verdict = {row["file"]: row["pyx12_verdict"] for row in csv.DictReader(fh, delimiter="\t")}
    seen = {"valid": 0, "invalid": 0}
    for path in corpus_files():
        if verdict.get(path.name) not in seen:
            continue
        result = validate_bytes(path.read_bytes(), path.name, ack=True)
        if result.ack is None:
            continue
        seen[verdict[path.name]] += 1
        ack = [seg.elements for seg in read_segments(result.ack.encode("latin-1"))]
        accepted = all(row[1] == "A" for row in _rows(ack, "IK5") + _rows(ack, "AK9"))
        assert accepted == (verdict[path.name] == "valid"), path.name
        again = validate_bytes(result.ack.encode("latin-1"), "<999>")
        assert (again.validated, again.issues) == (True, ()), path.name
    assert seen["valid"] and seen["invalid"]


# --------------------------------------------------------------------------------------------
# CLI


def _invoke(args: list[str]) -> int:
    result = CliRunner().invoke(main, args)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    return result.exit_code


def test_cli_scrub_writes_the_ack(tmp_path: Path) -> None:
    src, out, ack = tmp_path / "in.837", tmp_path / "out.837", tmp_path / "in.999"
    src.write_bytes(_break_second_set(MULTI_ST.read_bytes()))
    code = _invoke([str(src), str(out), "--ack", str(ack), "-q"])
    assert code == 1  # the structural error remains (X12001)
    segments = [seg.elements for seg in read_segments(ack.read_bytes())]
    assert _ik5_by_set(segments) == {"0001": ["A"], "0002": ["R", "5"]}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".edi-scrub-")] == []


def test_cli_check_writes_the_ack(tmp_path: Path) -> None:
    ack = tmp_path / "clean.999"
    code = _invoke(["check", str(SAMPLES / "p_clean_j7207.837"), "--ack", str(ack), "-q"])
    assert code == 0
    assert b"IK5*A~" in ack.read_bytes()


@pytest.mark.parametrize(
    "extra",
    [["--no-structure"], []],
    ids=["no-structure", "not-x12"],
)
def test_cli_writes_nothing_on_exit_2(tmp_path: Path, extra: list[str]) -> None:
    src, out, ack = tmp_path / "in.837", tmp_path / "out.837", tmp_path / "in.999"
    src.write_bytes(MULTI_ST.read_bytes() if extra else b"not an interchange")
    code = _invoke([str(src), str(out), "--ack", str(ack), "-q", *extra])
    assert code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.837"]


def test_cli_ack_to_stdout_is_a_usage_error(tmp_path: Path) -> None:
    assert _invoke(["check", str(MULTI_ST), "--ack", "-", "-q"]) == 2


def test_cli_ack_into_a_missing_folder_is_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "out.837"
    code = _invoke([str(MULTI_ST), str(out), "--ack", str(tmp_path / "no" / "x.999"), "-q"])
    assert code == 2
    assert not out.exists()
