"""Tests for edi_scrub.x12.validate (the pyx12 adapter)."""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from edi_scrub.errors import InputError
from edi_scrub.x12.lexer import read_segments
from edi_scrub.x12.validate import (
    StructuralIssue,
    StructuralLevel,
    StructuralResult,
    _scrub,
    validate_bytes,
    validate_segments,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

ISA = (
    "ISA*00*          *00*          *ZZ*SUBMITTER01    *ZZ*RECEIVER01     "
    "*240101*1200*^*00501*000000101*0*T*:"
)
assert len(ISA) == 105

# A small, valid 837P (TR3 example 1 shape, synthetic data).
PROFESSIONAL = [
    "BHT*0019*00*0123*20240101*1200*CH",
    "NM1*41*2*SUBMITTING CLINIC*****46*SUB0001",
    "PER*IC*CONTACT PERSON*TE*5555550100",
    "NM1*40*2*RECEIVING PAYER*****46*REC0001",
    "HL*1**20*1",
    "PRV*BI*PXC*207Q00000X",
    "NM1*85*2*SUNNYVALE FAMILY CLINIC*****XX*1234567893",
    "N3*4821 ORCHARD LANE",
    "N4*SPRINGFIELD*IL*627040000",
    "REF*EI*371234567",
    "HL*2*1*22*0",
    "SBR*P*18*GRP7788******CI",
    "NM1*IL*1*QUIMBY*HORTENSE****MI*MBR55501234",
    "N3*77 WILLOWBROOK COURT",
    "N4*SHELBYVILLE*IL*627050000",
    "DMG*D8*19520314*F",
    "NM1*PR*2*ACME HEALTH PLAN*****PI*PAYER42",
    "CLM*PCN88123*150***11:B:1*Y*A*Y*Y",
    "HI*ABK:R69",
    "LX*1",
    "SV1*HC:99213*150*UN*1***1",
    "DTP*472*D8*20231215",
]
SV1_POS = PROFESSIONAL.index("SV1*HC:99213*150*UN*1***1")

# A small, valid 837I (synthetic data; 9-digit billing ZIP as the 837I map requires).
INSTITUTIONAL = [
    "BHT*0019*00*1024*20240101*1200*CH",
    "NM1*41*2*REGIONAL BILLING SERVICE*****46*SUB0002",
    "PER*IC*BILLING DESK*TE*5555550199",
    "NM1*40*2*RECEIVING PAYER*****46*REC0002",
    "HL*1**20*1",
    "NM1*85*2*RIVERBEND COMMUNITY HOSPITAL*****XX*1234567893",
    "N3*1200 RIVERBEND PARKWAY",
    "N4*CAPITAL CITY*OH*432150000",
    "REF*EI*311234567",
    "HL*2*1*22*0",
    "SBR*P*18*GRP9911******CI",
    "NM1*IL*1*VANHOUTEN*MILHOUSE*A***MI*MBR77700456",
    "N3*9 EVERGREEN TERRACE",
    "N4*CAPITAL CITY*OH*432150000",
    "DMG*D8*19800704*M",
    "NM1*PR*2*ACME HEALTH PLAN*****PI*PAYER42",
    "CLM*ICN55501*14.84***13:A:1**A*Y*Y",
    "DTP*434*RD8*20231215-20231215",
    "CL1*1*1*01",
    "HI*ABK:K219",
    "NM1*71*1*HIBBERT*JULIUS****XX*1234567893",
    "LX*1",
    "SV2*0301*HC:82270*14.84*UN*1",
    "DTP*472*D8*20231215",
]


def transaction(body: list[str], st03: str, control: str = "0001") -> list[str]:
    """ST + body + SE with the right SE01."""
    return [f"ST*837*{control}*{st03}", *body, f"SE*{len(body) + 2}*{control}"]


def interchange(
    *sets: list[str],
    gs08: str = "005010X222A1",
    isa: str = ISA,
) -> list[str]:
    return [
        isa,
        f"GS*HC*SUBMITTER01*RECEIVER01*20240101*1200*101*X*{gs08}",
        *[seg for st in sets for seg in st],
        f"GE*{len(sets)}*101",
        "IEA*1*000000101",
    ]


def x12(segments: list[str], term: str = "~\n") -> bytes:
    return (term.join(segments) + term).encode("ascii")


def professional(body: list[str] | None = None, **kw: str) -> bytes:
    st03 = kw.pop("st03", "005010X222A1")
    return x12(interchange(transaction(body or PROFESSIONAL, st03), **kw))


def institutional(st03: str = "005010X223A2", gs08: str = "005010X223A2") -> bytes:
    return x12(interchange(transaction(INSTITUTIONAL, st03), gs08=gs08))


def summary(result: StructuralResult) -> list[tuple[int, str, str, str]]:
    return [(i.segment, i.segment_id, i.element, i.code) for i in result.issues]


# --------------------------------------------------------------------------------------------


def test_valid_837p_has_no_issues() -> None:
    result = validate_bytes(professional())
    assert result == StructuralResult((), "005010X222A1", (), validated=True)


def test_valid_837i_has_no_issues() -> None:
    result = validate_bytes(institutional())
    assert result == StructuralResult((), "005010X223A2", (), validated=True)


def test_bad_sv1_code_lands_on_the_sv1_segment() -> None:
    body = [*PROFESSIONAL]
    body[SV1_POS] = "SV1*HC:99213*150*QQ*1***1"  # SV103 unit code QQ does not exist
    data = professional(body)
    sv1 = [s.index for s in read_segments(data) if s.seg_id == "SV1"]
    result = validate_bytes(data)
    assert result.validated
    assert result.issues == (
        StructuralIssue(
            segment=sv1[0],
            segment_id="SV1",
            element="SV103",
            level=StructuralLevel.ELEMENT,
            code="7",
            ack_codes="IK403=7",
            message="Not a valid code for Unit or Basis for Measurement Code (SV103)",
            transaction=0,
        ),
    )


def test_positions_survive_bom_blank_segments_and_indentation() -> None:
    body = [*PROFESSIONAL]
    body[SV1_POS] = "SV1*HC:99213*150*QQ*1***1"
    plain = professional(body)
    messy = b"\xef\xbb\xbf" + plain.replace(b"HI*ABK:R69~", b"HI*ABK:R69~~").replace(
        b"~\nLX", b"~\n    LX"
    )
    sv1 = next(s.index for s in read_segments(messy) if s.seg_id == "SV1")
    result = validate_bytes(messy)
    by_code = {i.code: i for i in result.issues}
    assert by_code["7"].segment == sv1
    assert by_code["8"].message.startswith("Empty segment")  # the "~~"
    assert by_code["1"].segment_id == "LX"  # the indentation, reported once


def test_bom_validates_like_the_same_file_without_bom() -> None:
    body = [*PROFESSIONAL]
    body[SV1_POS] = "SV1*HC:99213*150*QQ*1***1"
    data = professional(body)
    assert validate_bytes(b"\xef\xbb\xbf" + data) == validate_bytes(data)


@pytest.mark.parametrize("term", ["\n", "\r\n", "\r"])
def test_newline_terminators_validate_like_tilde(term: str) -> None:
    body = [*PROFESSIONAL]
    body[SV1_POS] = "SV1*HC:99213*150*QQ*1***1"
    segments = interchange(transaction(body, "005010X222A1"))
    tilde = validate_bytes(x12(segments, "~\n"))
    newline = validate_bytes(x12(segments, term))
    assert newline == tilde
    assert summary(newline) == [(SV1_POS + 4, "SV1", "SV103", "7")]


def test_tilde_in_data_of_a_newline_terminated_file_does_not_shift_positions() -> None:
    body = [*PROFESSIONAL]
    body[1] = "NM1*41*2*SUBMITTING~CLINIC*****46*SUB0001"
    body[SV1_POS] = "SV1*HC:99213*150*QQ*1***1"
    result = validate_bytes(x12(interchange(transaction(body, "005010X222A1")), "\n"))
    assert summary(result) == [(SV1_POS + 4, "SV1", "SV103", "7")]


def test_later_interchange_with_other_delimiters_is_converted() -> None:
    first = x12(interchange(transaction(PROFESSIONAL, "005010X222A1")))
    body = [s.replace("*", "|").replace(":", ">") for s in PROFESSIONAL]
    body[SV1_POS] = "SV1|HC>99213|150|QQ|1|||1"
    isa = ISA.replace("*", "|")[:-1] + ">"
    second = interchange(
        transaction(body, "005010X222A1"), isa=isa.replace("000000101", "000000102")
    )
    second = [s.replace("*", "|") for s in second]
    second[-1] = "IEA|1|000000102"
    data = first + x12(second, "!\n")
    result = validate_bytes(data)
    sv1 = [s.index for s in read_segments(data) if s.seg_id == "SV1"]
    assert summary(result) == [(sv1[1], "SV1", "SV103", "7")]


def test_x223a3_is_validated_with_the_x223a2_map() -> None:
    result = validate_bytes(institutional("005010X223A3", "005010X223A3"))
    assert result.validated
    assert result.issues == ()
    assert result.implementation == "005010X223A2"
    assert result.aliases == ("005010X223A3 validated with the 005010X223A2 map",)


@pytest.mark.parametrize("version", ["005010X222", "005010X222A2"])
def test_other_837p_errata_use_the_x222a1_map(version: str) -> None:
    result = validate_bytes(professional(gs08=version, st03=version))
    assert (result.validated, result.issues, result.implementation) == (True, (), "005010X222A1")
    assert result.aliases == (f"{version} validated with the 005010X222A1 map",)


def test_st03_x223_wins_over_gs08_x222() -> None:
    # OopFactory's samples: GS08 says professional, ST03 says institutional.
    result = validate_bytes(institutional("005010X223", "005010X222"))
    assert (result.validated, result.issues, result.implementation) == (True, (), "005010X223A2")
    assert result.aliases == (
        "GS08 005010X222 overridden by ST03 005010X223: validated as 837I with the "
        "005010X223A2 map",
        "005010X223 validated with the 005010X223A2 map",
    )


def test_mixed_group_validates_each_transaction_with_its_own_map() -> None:
    data = x12(
        interchange(
            transaction(PROFESSIONAL, "005010X222A1", "0001"),
            transaction(INSTITUTIONAL, "005010X223A2", "0002"),
            transaction(PROFESSIONAL, "005010X222A1", "0003"),
        )
    ).replace(b"GE*1*101", b"GE*3*101")
    result = validate_bytes(data)
    assert (result.validated, result.issues) == (True, ())
    assert result.implementation == "005010X222A1,005010X223A2"
    assert result.aliases == (
        "ST03 005010X223A2 in a GS08 005010X222A1 group: transaction set validated with the "
        "005010X223A2 map",
    )


def test_missing_segment_is_reported_where_it_was_noticed() -> None:
    body = [s for s in PROFESSIONAL if not s.startswith("N4*SPRINGFIELD")]
    data = professional(body)
    ref = next(s.index for s in read_segments(data) if s.text.startswith("REF*EI"))
    result = validate_bytes(data)
    assert summary(result) == [(ref, "REF", "", "3")]
    assert result.issues[0].message == (
        'Mandatory segment "Billing Provider City, State, ZIP Code" (N4) missing'
    )
    assert result.issues[0].transaction == 0


def test_isa12_00401_with_5010_group() -> None:
    isa = ISA.replace("*^*00501*", "*U*00401*")
    result = validate_bytes(professional(isa=isa))
    assert (result.validated, result.issues) == (True, ())
    assert result.aliases == ("ISA12 00401 with GS08 005010X222A1 validated as 00501",)


@pytest.mark.parametrize(
    ("old", "new", "length"),
    [
        ("*ZZ*SUBMITTER01    *", "*ZZ*SUBMITTER01*", 102),
        ("*ZZ*SUBMITTER01    *", "*ZZ*SUBMITTER01      *", 108),
        # 106 characters, but ISA13 is two too long and ISA06 two too short.
        ("*ZZ*SUBMITTER01    *", "*ZZ*SUBMITTER01  *", 106),
    ],
)
def test_sloppy_isa_is_repadded_and_reported_once(old: str, new: str, length: int) -> None:
    isa = ISA.replace(old, new)
    if length == 106:
        isa = isa.replace("*000000101*", "*00000000101*")
    assert len(isa) + 1 == length
    data = professional(isa=isa).replace(
        b"IEA*1*000000101", b"IEA*1*" + isa.split("*")[13].encode()
    )
    result = validate_bytes(data)
    assert result.validated
    assert [(i.segment, i.code, i.level) for i in result.issues] == [
        (1, "ISA-WIDTH", StructuralLevel.INTERCHANGE)
    ]
    issue = result.issues[0]
    assert "ISA06" in issue.message
    assert (f"ISA is {length} characters, not 106" in issue.message) == (length != 106)


@pytest.mark.parametrize("pointers", ["1:2:3:4:5", "1:2:3:4:5:6:7"])
def test_sv107_with_too_many_pointers_is_an_issue_not_a_crash(pointers: str) -> None:
    body = [*PROFESSIONAL]
    body[SV1_POS] = f"SV1*HC:99213*150*UN*1***{pointers}"
    body[SV1_POS + 1] = "DTP*472*D8*20231399"  # must still be validated after the crash point
    result = validate_bytes(professional(body))
    assert result.validated
    assert summary(result) == [
        (SV1_POS + 4, "SV1", "SV107", "13"),
        (SV1_POS + 5, "DTP", "DTP03", "8"),
    ]
    assert result.issues[0].ack_codes == "IK403=13"
    assert f"has {len(pointers.split(':'))} components" in result.issues[0].message


def test_not_x12_is_not_validated() -> None:
    result = validate_bytes(b"GS*HC*A*B*20240101*1200*1*X*005010X222A1~", "f.x12")
    assert not result.validated
    assert len(result.issues) == 1
    assert result.issues[0].code == "ENGINE"
    assert "not X12" in result.issues[0].message


def test_unknown_guide_is_not_validated() -> None:
    result = validate_bytes(professional(gs08="005010", st03="005010"))
    assert not result.validated
    (issue,) = result.issues
    assert (issue.code, issue.level, issue.segment) == ("ENGINE", StructuralLevel.INTERCHANGE, 2)
    assert "GS08 005010" in issue.message


def test_validate_segments_takes_lexer_segments() -> None:
    data = professional()
    assert validate_segments(read_segments(data)) == validate_bytes(data)


def test_exceptions_from_the_segment_source_do_not_escape() -> None:
    def broken() -> Iterator[object]:
        yield from read_segments(professional())[:5]
        raise InputError("x: byte 9: truncated")

    result = validate_segments(broken())  # type: ignore[arg-type]
    assert not result.validated
    assert result.issues[0].code == "ENGINE"


def test_envelope_errors_have_levels_and_no_values() -> None:
    data = professional().replace(b"SE*24*0001", b"SE*99*0001").replace(b"GE*1*101", b"GE*1*777")
    result = validate_bytes(data)
    by_code = {(i.level, i.code): i for i in result.issues}
    se = by_code[(StructuralLevel.TRANSACTION, "4")]
    assert (se.segment_id, se.transaction, se.ack_codes) == ("SE", 0, "IK502=4")
    assert "99" not in se.message
    ge = by_code[(StructuralLevel.GROUP, "4")]
    assert (ge.segment_id, ge.transaction) == ("GE", -1)
    assert "777" not in ge.message


def test_pyx12_logging_is_silenced(caplog: pytest.LogCaptureFixture) -> None:
    body = [*PROFESSIONAL]
    body[SV1_POS] = "SV1*HC:99213*150*QQ*1***1"
    with caplog.at_level(logging.DEBUG):
        assert validate_bytes(professional(body)).issues
    assert not [r for r in caplog.records if r.name.startswith("pyx12")]
    assert logging.getLogger("pyx12").propagate is False


@pytest.mark.parametrize(
    ("raw", "value", "expected"),
    [
        (
            'Data element "Billing Provider Postal Zone or ZIP Code" with a value of (17111) '
            'failed to match the regular expression "[0-9]{9}"',
            "17111",
            'Data element "Billing Provider Postal Zone or ZIP Code" failed to match the '
            'regular expression "[0-9]{9}"',
        ),
        (
            'Data element "Subscriber Last Name" (NM103) is too long: len("QUIMBYQUIMBY") = 12 '
            "> 10 (max_len)",
            "QUIMBYQUIMBY",
            'Data element "Subscriber Last Name" (NM103) is too long: length 12 > 10 (max_len)',
        ),
        (
            'Data element "Subscriber Birth Date" (DMG02) contains an invalid date (19521399)',
            "19521399",
            'Data element "Subscriber Birth Date" (DMG02) contains an invalid date',
        ),
        (
            "(QUIMBY) is not a valid code for Entity Identifier Code (NM101)",
            "QUIMBY",
            "Not a valid code for Entity Identifier Code (NM101)",
        ),
        (
            "Segment N3*4821 ORCHARD LANE not found.  Started at /ISA_LOOP/GS_LOOP/ST_LOOP/2000A",
            "4821 ORCHARD LANE",
            "Segment N3 not found in the map. Started at /ISA_LOOP/GS_LOOP/ST_LOOP/2000A",
        ),
        (
            "Some new wording about MBR55501234 here",
            "MBR55501234",
            "Some new wording about (value) here",
        ),
    ],
)
def test_messages_are_scrubbed_of_values(raw: str, value: str, expected: str) -> None:
    assert _scrub(raw, [value]) == expected


# --------------------------------------------------------------------------------------------
# The public corpus (../shared/corpus), when present.

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")


@cache
def corpus_results() -> dict[str, tuple[bytes, StructuralResult]]:
    out: dict[str, tuple[bytes, StructuralResult]] = {}
    for path in sorted(CORPUS.iterdir()):
        if path.is_file() and path.name != "MANIFEST.tsv":
            data = path.read_bytes()
            out[path.name] = (data, validate_bytes(data, path.name))
    return out


def phi_values(data: bytes) -> set[str]:
    try:
        segments = read_segments(data)
    except InputError:
        return set()
    values: set[str] = set()
    for seg in segments:
        if seg.seg_id in ("NM1", "N3", "N4", "DMG", "REF"):
            for element in seg.elements[1:]:
                for value in (element, *element.split(seg.delimiters.component)):
                    if len(value.strip()) >= 4:
                        values.add(value.strip())
    return values


@needs_corpus
def test_corpus_every_file_gives_a_result() -> None:
    results = corpus_results()
    assert results
    for name, (_, result) in results.items():
        assert isinstance(result, StructuralResult), name
        if not result.validated:
            assert len(result.issues) == 1 and result.issues[0].code == "ENGINE", name
        for issue in result.issues:
            assert "\n" not in issue.message and "\r" not in issue.message, name


@needs_corpus
def test_corpus_messages_carry_no_phi_values() -> None:
    for name, (data, result) in corpus_results().items():
        values = phi_values(data)
        for issue in result.issues:
            leaked = [v for v in values if v in issue.message]
            assert not leaked, (name, issue.message, leaked)


@needs_corpus
def test_corpus_files_pyx12_calls_valid_stay_valid() -> None:
    with (CORPUS / "MANIFEST.tsv").open(newline="") as fh:
        valid = [
            row["file"]
            for row in csv.DictReader(fh, delimiter="\t")
            if row["pyx12_verdict"] == "valid"
        ]
    assert valid
    results = corpus_results()
    for name in valid:
        result = results[name][1]
        assert (result.validated, result.issues) == (True, ()), name


@needs_corpus
def test_corpus_x223a3_file_is_validated_with_an_alias() -> None:
    name = "LinuxForHealth__x12__src_tests_resources_837_005010X223A3_institutional-claim.837i"
    if name not in corpus_results():
        pytest.skip("file not in this corpus")
    result = corpus_results()[name][1]
    assert result.validated
    assert result.implementation == "005010X223A2"
    assert "005010X223A3 validated with the 005010X223A2 map" in result.aliases
