"""`edi-scrub maps import-crosswalk / import-mue / check`: CMS layouts in, valid maps out.

Every CSV here is SYNTHETIC, written in the layout CMS publishes (preamble lines, ISO-8859-1, a
``_YYYY_CODE`` column, NDC2 as 5-4-2 with hyphens; MUE tables with a quoted multi-line
``HCPCS/CPT Code`` header and MAI text). NDCs with labeler 99999 are made up and belong to no
product: no real Jivi NDC is claimed anywhere. The one real NDC used, 00944-4624-01, is the
Adynovate 1000 IU kit that docs/domain.md sources and the bundled map already lists under J7207.
MUE values are placeholders, not CMS values.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edi_scrub.cli import main
from edi_scrub.maps._locate import bundled_maps_dir
from edi_scrub.maps._user import default_user_maps_dir, writable_maps_dir
from edi_scrub.maps.drugs import CodeCategory, PackageKind, load_drug_catalog
from edi_scrub.maps.mue import MueSetting, load_mue, load_mue_entries
from edi_scrub.pipeline import Options, scrub
from tests.builders import ClaimSpec, LineSpec, P, build
from tests.conftest import SAMPLES

HEADER = (
    "_2024_CODE",
    "Short Description",
    "LABELER NAME",
    "NDC2",
    "Drug Name",
    "HCPCS dosage",
    "PKG SIZE",
    "PKG QTY",
    "BILLUNITS",
    "BILLUNITSPKG",
)
PREAMBLE = (
    '"SYNTHETIC crosswalk for tests (CMS layout, not CMS data)",,,',
    '"CPT codes, descriptions: placeholder copyright line",,,',
    "",
)
ADYNOVATE_1000 = "00944-4624-01"  # sourced in domain.md; bundled under J7207
FAKE_J7207 = "99999-0701-01"  # FAKE NDC (labeler 99999)
FAKE_J7208 = "99999-0801-01"  # FAKE NDC standing in for a Jivi kit; not a real Jivi NDC
FAKE_J7208_B = "99999-0802-01"  # FAKE


def _row(
    code: str, ndc: str, drug: str = "SYNTHETIC KIT", labeler: str = "SYNTH LAB"
) -> dict[str, str]:
    return {
        "_2024_CODE": code,
        "Short Description": f"SYNTHETIC description {code}",
        "LABELER NAME": labeler,
        "NDC2": ndc,
        "Drug Name": drug,
        "HCPCS dosage": "1 IU",
        "PKG SIZE": "1",
        "PKG QTY": "1",
        "BILLUNITS": "1",
        "BILLUNITSPKG": "1000",
    }


BASE_ROWS = (
    _row("J7207", ADYNOVATE_1000, "ADYNOVATE"),
    _row("J7207", FAKE_J7207),
    _row("J7208", FAKE_J7208, "SYNTHETIC JIVI-LIKE KIT"),
    _row("J7208", FAKE_J7208_B, "SYNTHETIC JIVI-LIKE KIT"),
)


def _csv_cell(value: str) -> str:
    return f'"{value}"' if any(c in value for c in ',"\n') else value


def crosswalk(
    path: Path,
    rows: Sequence[dict[str, str]] = BASE_ROWS,
    header: Sequence[str] = HEADER,
    preamble: Sequence[str] = PREAMBLE,
) -> Path:
    """Write a synthetic crosswalk CSV in ISO-8859-1 with CRLF line ends, as CMS ships it."""
    lines = [*preamble, ",".join(header)]
    lines += [",".join(_csv_cell(r.get(h, "")) for h in header) for r in rows]
    path.write_bytes("\r\n".join(lines).encode("iso-8859-1") + b"\r\n")
    return path


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert isinstance(result.exception, SystemExit | None), result.exception
    return result.exit_code, result.stdout, result.stderr


def snapshot(folder: Path) -> dict[str, bytes] | None:
    """Every file under ``folder`` with its bytes; None when the folder does not exist."""
    if not folder.exists():
        return None
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def line_of(path: Path, needle: str) -> int:
    text = path.read_bytes().decode("iso-8859-1")
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def assert_refused(
    csv_path: Path, maps: Path, line: int, *needles: str, options: Sequence[str] = ()
) -> str:
    """Exit 2, one stderr line ``<csv>:<line>: ...`` naming ``needles``, and ``maps`` untouched."""
    before = snapshot(maps)
    code, out, err = invoke("maps", "import-crosswalk", csv_path, "--maps", maps, *options)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"edi-scrub: error: {csv_path}:{line}: ")
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err
    assert snapshot(maps) == before
    return err


# ---------------------------------------------------------------------------- crosswalk


def test_import_after_preamble_writes_a_valid_user_map(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    code, out, err = invoke(
        "maps", "import-crosswalk", crosswalk(tmp_path / "x.csv"), "--maps", maps
    )
    assert (code, err) == (0, "")
    assert (
        out
        == f"{maps / 'drugs.xml'}: 3 added, 0 changed, 1 unchanged (4 NDCs, year 2024; 4 rows read): written\n"
    )

    user = load_drug_catalog(maps / "drugs.xml")
    assert user.codes == {}  # bundled codes are extended, never restated
    jivi_like = user.package("99999080101")
    assert jivi_like is not None
    assert (jivi_like.code, jivi_like.kind, jivi_like.label_ndc) == (
        "J7208",
        PackageKind.KIT,
        FAKE_J7208,
    )
    assert jivi_like.product == "SYNTHETIC JIVI-LIKE KIT"
    assert jivi_like.source == "CMS ASP NDC-HCPCS crosswalk x.csv 2024"
    # The bundled Adynovate kit is not copied: the bundled entry knows more (potency range).
    assert user.package("00944462401") is None

    merged = load_drug_catalog().merged(user)
    j7208 = merged.codes["J7208"]
    assert {p.ndc for p in j7208.packages} == {"99999080101", "99999080201"}
    assert j7208.min_age_years == 12  # the bundled facts about J7208 survive the layering
    assert merged.codes["J7207"].product == "Adynovate"
    assert (
        len(merged.codes["J7207"].packages) == len(load_drug_catalog().codes["J7207"].packages) + 1
    )


def test_columns_are_found_by_name_in_any_order(tmp_path: Path) -> None:
    header = tuple(reversed(HEADER))
    maps = tmp_path / "maps"
    code, _, _ = invoke(
        "maps", "import-crosswalk", crosswalk(tmp_path / "x.csv", header=header), "--maps", maps
    )
    assert code == 0
    pkg = load_drug_catalog(maps / "drugs.xml").package("99999080101")
    assert pkg is not None
    assert pkg.code == "J7208"


def test_iso_8859_1_bytes_read_as_latin_1(tmp_path: Path) -> None:
    rows = [
        _row(
            "J7208", FAKE_J7208, drug="SYNTH\u00c9TIQUE KIT", labeler="Laboratoire Synth\u00e9tique"
        )
    ]
    path = crosswalk(tmp_path / "x.csv", rows)
    assert b"Synth\xe9tique" in path.read_bytes()  # one byte per letter: Latin-1, not UTF-8
    maps = tmp_path / "maps"
    assert invoke("maps", "import-crosswalk", path, "--maps", maps)[0] == 0
    pkg = load_drug_catalog(maps / "drugs.xml").package("99999080101")
    assert pkg is not None
    assert pkg.product == "SYNTH\u00c9TIQUE KIT"
    assert "SYNTHÉTIQUE".encode() in (maps / "drugs.xml").read_bytes()  # the map is UTF-8


def test_reimport_is_a_byte_identical_no_op(tmp_path: Path) -> None:
    path, maps = crosswalk(tmp_path / "x.csv"), tmp_path / "maps"
    assert invoke("maps", "import-crosswalk", path, "--maps", maps)[0] == 0
    target = maps / "drugs.xml"
    first, stamp = target.read_bytes(), target.stat().st_mtime_ns
    code, out, err = invoke("maps", "import-crosswalk", path, "--maps", maps)
    assert (code, err) == (0, "")
    assert "0 added, 0 changed, 4 unchanged" in out
    assert out.rstrip().endswith("no change, file left as it was")
    assert target.read_bytes() == first
    assert target.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in maps.iterdir()) == ["drugs.xml"]  # no temporary left behind


def test_same_content_in_another_row_order_gives_the_same_bytes(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    invoke("maps", "import-crosswalk", crosswalk(tmp_path / "x.csv"), "--maps", one)
    invoke(
        "maps", "import-crosswalk", crosswalk(tmp_path / "x.csv", BASE_ROWS[::-1]), "--maps", two
    )
    assert (one / "drugs.xml").read_bytes() == (two / "drugs.xml").read_bytes()


def test_a_later_file_moves_an_ndc_and_keeps_hand_edits(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    invoke("maps", "import-crosswalk", crosswalk(tmp_path / "q1.csv"), "--maps", maps)
    target = maps / "drugs.xml"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("<drug-map", "<!-- hand note -->\n<drug-map"), encoding="utf-8")
    # Synthetic correction: the fake J7207 kit is now listed under J7208.
    rows = [_row("J7208", FAKE_J7207), _row("J7208", "99999-0803-01")]
    code, out, _ = invoke(
        "maps", "import-crosswalk", crosswalk(tmp_path / "q2.csv", rows), "--maps", maps
    )
    assert code == 0
    assert "1 added, 1 changed, 0 unchanged" in out
    user = load_drug_catalog(target)
    moved = user.package("99999070101")
    assert moved is not None
    assert (moved.code, moved.source) == ("J7208", "CMS ASP NDC-HCPCS crosswalk q2.csv 2024")
    assert "<!-- hand note -->" in target.read_text(encoding="utf-8")
    assert '<packages code="J7207">' not in target.read_text(encoding="utf-8")  # emptied block gone


def test_a_bundled_ndc_under_another_code_keeps_what_the_bundle_knows(tmp_path: Path) -> None:
    # DELIBERATELY WRONG synthetic row: files the bundled Adynovate kit under J7208 to check that
    # a crosswalk wins over the bundled map. Not a real mapping.
    maps = tmp_path / "maps"
    path = crosswalk(tmp_path / "x.csv", [_row("J7208", ADYNOVATE_1000, "ADYNOVATE")])
    code, out, _ = invoke("maps", "import-crosswalk", path, "--maps", maps)
    assert code == 0
    assert "0 added, 1 changed" in out
    pkg = load_drug_catalog(maps).package("00944462401")
    assert pkg is not None
    assert (pkg.code, pkg.nominal_iu, pkg.potency_min, pkg.potency_max) == (
        "J7208",
        1000,
        801,
        1250,
    )


def test_unknown_codes_get_a_minimal_entry(tmp_path: Path) -> None:
    rows = [
        {**_row("J9901", "99999-0901-01"), "Short Description": "SYNTHETIC drug NOS"},
        {
            **_row("Q9902", "99999-0902-01"),
            "Short Description": "SYNTHETIC hemophilia clot factor noc",
        },
        _row("90999", "99999-0903-01"),  # CPT codes (vaccines) are in the crosswalk too
    ]
    maps = tmp_path / "maps"
    path = crosswalk(tmp_path / "x.csv", rows)
    assert invoke("maps", "import-crosswalk", path, "--maps", maps, "--codes", "all")[0] == 0
    user = load_drug_catalog(maps)
    assert set(user.codes) == {"J9901", "Q9902", "90999"}
    j9901 = user.codes["J9901"]
    assert (j9901.category, j9901.family, j9901.billing_unit, j9901.single_dose) == (
        CodeCategory.NOS,
        None,
        None,
        None,
    )
    assert j9901.descriptor == "SYNTHETIC drug NOS"
    assert user.codes["Q9902"].category is CodeCategory.NOC
    assert user.codes["90999"].category is CodeCategory.SPECIFIC
    assert [p.ndc for p in user.codes["J9901"].packages] == ["99999090101"]


def test_alternate_ids_and_ambiguous_ndcs_are_skipped_with_one_counted_warning_each(
    tmp_path: Path,
) -> None:
    # Every shape of "no NDC" the real crosswalks carry in NDC2 (SYNTHETIC values of those
    # shapes), plus a bare 10-digit number and an empty cell: skipped, never fatal.
    no_ndc = [
        "DV-115-01",  # dashed device number (the value that aborted real imports before)
        "99999-08X3-01",  # three groups, not digits
        "12345",
        "123456",
        "12345678",
        "999990000012",
        "99999000001234",
        "GG100",
        "9999908030",  # bare 10 digits: which segment is short is unknown
        "",
    ]
    rows = [
        _row("J7208", FAKE_J7208),
        *(_row("J7208", value) for value in no_ndc),
        _row("J7207", "99999-0999-01"),
        _row("J7208", "99999-0999-01"),  # the same FAKE NDC under a second code
        _row("J7207", "99999-0999-01"),  # ... and back: still ambiguous, never re-added
    ]
    path, maps = crosswalk(tmp_path / "x.csv", rows), tmp_path / "maps"
    code, out, err = invoke("maps", "import-crosswalk", path, "--maps", maps)
    assert code == 0
    assert "1 added, 0 changed, 0 unchanged, 13 skipped" in out
    warnings = err.splitlines()
    assert len(warnings) == 2  # one counted line per reason, not one per row
    assert warnings[0].startswith(f"edi-scrub: warning: {path}: 10 rows skipped: NDC2 holds no NDC")
    assert f"J7208 'DV-115-01' (line {line_of(path, 'DV-115-01')})" in warnings[0]
    assert warnings[1].startswith(
        f"edi-scrub: warning: {path}: 3 rows skipped: 1 NDC listed under more than one code"
    )
    assert "J7207 '99999-0999-01'" in warnings[1]
    assert "J7208 '99999-0999-01'" in warnings[1]
    assert set(load_drug_catalog(maps).packages) == {"99999080101"}


def test_an_ndc_under_a_code_left_out_is_not_ambiguous(tmp_path: Path) -> None:
    # The FAKE NDC is under J7208 and under a non-family code. By default only J7208 is read, so
    # there is no conflict to report; with --codes all both rows are read and the NDC is skipped.
    rows = [_row("J7208", FAKE_J7208), _row("J9999", FAKE_J7208)]
    path = crosswalk(tmp_path / "x.csv", rows)
    code, out, err = invoke("maps", "import-crosswalk", path, "--maps", tmp_path / "a")
    assert (code, err) == (0, "")
    assert "1 added" in out
    assert "1 row of other codes left out" in out
    code, out, err = invoke(
        "maps", "import-crosswalk", path, "--maps", tmp_path / "b", "--codes", "all"
    )
    assert code == 0
    assert "0 added, 0 changed, 0 unchanged, 2 skipped" in out
    assert "listed under more than one code" in err


def test_notes_below_the_table_are_not_rows(tmp_path: Path) -> None:
    path = crosswalk(tmp_path / "x.csv")
    with path.open("ab") as handle:
        handle.write(b'\r\n"Note: SYNTHETIC footer line",,,\r\n')
    code, out, _ = invoke("maps", "import-crosswalk", path, "--maps", tmp_path / "maps")
    assert code == 0
    assert "4 rows read" in out


@pytest.mark.parametrize("existing", [False, True], ids=["new-dir", "existing-map"])
@pytest.mark.parametrize(
    ("rows", "header", "preamble", "needle_line", "needles"),
    [
        pytest.param(
            BASE_ROWS,
            ("CODE", *HEADER[1:]),
            PREAMBLE,
            None,
            ("no header row", "_YYYY_CODE"),
            id="no-header",
        ),
        pytest.param(
            BASE_ROWS,
            tuple(h for h in HEADER if h != "NDC2"),
            PREAMBLE,
            "_2024_CODE",
            ("no NDC2 column",),
            id="missing-column",
        ),
        pytest.param(
            [*BASE_ROWS, _row("J72O8", "99999-0803-01")],
            HEADER,
            PREAMBLE,
            "J72O8",
            ("'J72O8' is not a HCPCS or CPT code",),
            id="bad-code",
        ),
        pytest.param(
            BASE_ROWS,
            (*HEADER, "NDC2"),
            PREAMBLE,
            "_2024_CODE",
            ("2 NDC2 columns",),
            id="two-ndc-columns",
        ),
        pytest.param([], HEADER, PREAMBLE, "_2024_CODE", ("no data rows",), id="no-rows"),
        pytest.param(
            [{**_row("J9901", "99999-0901-01"), "Short Description": ""}],
            HEADER,
            PREAMBLE,
            "J9901",
            ("Short Description is empty",),
            id="new-code-without-description",
        ),
    ],
)
def test_malformed_csv_exits_2_and_writes_nothing(
    tmp_path: Path,
    existing: bool,
    rows: Sequence[dict[str, str]],
    header: Sequence[str],
    preamble: Sequence[str],
    needle_line: str | None,
    needles: tuple[str, ...],
) -> None:
    maps = tmp_path / "maps"
    if existing:
        invoke("maps", "import-crosswalk", crosswalk(tmp_path / "good.csv"), "--maps", maps)
    path = crosswalk(tmp_path / "bad.csv", rows, header, preamble)
    line = 1 if needle_line is None else line_of(path, needle_line)
    # --codes all: the malformed row must be read whatever its code.
    assert_refused(path, maps, line, *needles, options=("--codes", "all"))


def test_a_broken_user_map_is_reported_not_overwritten(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    maps.mkdir()
    (maps / "drugs.xml").write_text(
        '<?xml version="1.0"?>\n<drug-map version="1">\n<code/>\n</drug-map>\n'
    )
    before = snapshot(maps)
    code, _, err = invoke("maps", "import-crosswalk", crosswalk(tmp_path / "x.csv"), "--maps", maps)
    assert code == 2
    assert err.startswith(f"edi-scrub: error: {maps / 'drugs.xml'}:3: ")
    assert snapshot(maps) == before


def test_a_result_the_loader_refuses_is_never_renamed_into_place(tmp_path: Path) -> None:
    # A hand-entered FAKE vial whose outer kit the crosswalk then moves to another code: the
    # merged map breaks a loader rule (an outer kit is billed under the vial's code), which only
    # the validation of the written temporary file can see.
    maps = tmp_path / "maps"
    maps.mkdir()
    (maps / "drugs.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<drug-map version="1">\n<packages code="J7207">\n'
        '<package ndc="99999070101" label-ndc="99999-0701-01" kind="kit" source="hand"/>\n'
        '<package ndc="99999070201" label-ndc="99999-0702-01" kind="vial" outer-kit="99999070101" source="hand"/>\n'
        "</packages>\n</drug-map>\n",
        encoding="utf-8",
    )
    before = snapshot(maps)
    path = crosswalk(tmp_path / "x.csv", [_row("J7208", FAKE_J7207)])
    code, out, err = invoke("maps", "import-crosswalk", path, "--maps", maps)
    assert (code, out) == (2, "")
    assert err.startswith(f"edi-scrub: error: {maps / 'drugs.xml'}:")
    assert "outer-kit 99999070101 is billed under J7208, not J7207" in err
    assert snapshot(maps) == before  # no temporary file left either


def test_missing_csv_and_unclosed_quote(tmp_path: Path) -> None:
    code, _, err = invoke(
        "maps", "import-crosswalk", tmp_path / "nope.csv", "--maps", tmp_path / "m"
    )
    assert code == 2
    assert err == f"edi-scrub: error: {tmp_path / 'nope.csv'}: no such file\n"
    broken = crosswalk(tmp_path / "broken.csv")
    with broken.open("ab") as handle:  # a quote that never closes would swallow every row after it
        handle.write(b'J7208,"SYNTHETIC,SYNTH LAB,99999-0803-01,SYNTHETIC KIT\r\n')
    code, _, err = invoke("maps", "import-crosswalk", broken, "--maps", tmp_path / "m")
    assert code == 2
    assert err.startswith(f"edi-scrub: error: {broken}:")
    assert "not a readable CSV" in err
    assert not (tmp_path / "m").exists()


def test_never_writes_into_the_bundled_maps(tmp_path: Path) -> None:
    before = snapshot(bundled_maps_dir())
    code, _, err = invoke(
        "maps", "import-crosswalk", crosswalk(tmp_path / "x.csv"), "--maps", bundled_maps_dir()
    )
    assert code == 2
    assert "refusing to write into the bundled maps" in err
    assert snapshot(bundled_maps_dir()) == before


# ---------------------------------------------------------------------------- the user dir


def test_default_user_maps_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("EDI_SCRUB_MAPS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_user_maps_dir() == tmp_path / "xdg" / "edi-scrub" / "maps"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_user_maps_dir() == tmp_path / "home" / ".local" / "share" / "edi-scrub" / "maps"
    monkeypatch.setenv("EDI_SCRUB_MAPS", str(tmp_path / "explicit"))
    assert default_user_maps_dir() == tmp_path / "explicit"
    with pytest.raises(Exception, match="refusing"):
        writable_maps_dir(bundled_maps_dir() / "payers")


def test_import_defaults_to_the_user_maps_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EDI_SCRUB_MAPS", str(tmp_path / "user"))
    code, out, _ = invoke("maps", "import-crosswalk", crosswalk(tmp_path / "x.csv"))
    assert code == 0
    assert out.startswith(f"{tmp_path / 'user' / 'drugs.xml'}: 3 added")


# ---------------------------------------------------------------------------- MUE

MUE_HEADER = (
    '"HCPCS/\r\nCPT Code",Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale'
)
MUE_PREAMBLE = (
    '"SYNTHETIC MUE table for tests (CMS layout; values are placeholders)",,,',
    '"placeholder copyright line",,,',
)


def mue_csv(path: Path, rows: Sequence[str], header: str = MUE_HEADER) -> Path:
    path.write_bytes("\r\n".join([*MUE_PREAMBLE, header, *rows]).encode("iso-8859-1") + b"\r\n")
    return path


MUE_ROWS = (
    "J7207,99999,1 Line Edit,SYNTHETIC",
    'J7208,99998,"2 Date of Service Edit: Policy",SYNTHETIC',
    "90999,7,3 Date of Service Edit: Clinical,",
)


def test_mue_import_parses_values_and_mai_text(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    code, out, err = invoke(
        "maps", "import-mue", mue_csv(tmp_path / "m.csv", MUE_ROWS), "--maps", maps
    )
    assert (code, err) == (0, "")
    assert (
        out
        == f"{maps / 'mue.xml'}: 3 added, 0 changed, 0 unchanged (practitioner table; 3 rows read): written\n"
    )
    table = load_mue(maps)
    assert {c: (m.value, m.mai) for c, m in table.items()} == {
        "J7207": (99999, 1),
        "J7208": (99998, 2),
        "90999": (7, 3),
    }
    assert table["J7207"].per_line and not table["J7208"].per_line
    assert load_mue(maps, MueSetting.OUTPATIENT_HOSPITAL) == {}
    entries = {e.code: e for e in load_mue_entries(maps / "mue.xml")}
    assert entries["J7207"].rationale == "SYNTHETIC"
    assert entries["90999"].rationale is None
    assert entries["J7207"].source == "CMS MUE table m.csv"


def test_mue_reimport_is_a_no_op_and_a_new_quarter_replaces_imported_values(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    first = mue_csv(tmp_path / "q1.csv", MUE_ROWS)
    invoke("maps", "import-mue", first, "--maps", maps)
    target = maps / "mue.xml"
    data = target.read_bytes()
    code, out, _ = invoke("maps", "import-mue", first, "--maps", maps)
    assert code == 0
    assert "0 added, 0 changed, 3 unchanged" in out
    assert target.read_bytes() == data
    # A hand-entered value of the same setting survives a new quarter; dropped imports go.
    hand = '  <mue code="J7199" setting="practitioner" value="5" mai="2" source="payer letter"/>\n'
    target.write_text(data.decode().replace("</mue-map>", hand + "</mue-map>"), encoding="utf-8")
    second = mue_csv(tmp_path / "q2.csv", ["J7207,99990,1 Line Edit,SYNTHETIC"])
    code, out, _ = invoke("maps", "import-mue", second, "--maps", maps)
    assert "0 added, 1 changed, 0 unchanged, 2 removed" in out
    assert {c: m.value for c, m in load_mue(maps).items()} == {"J7207": 99990, "J7199": 5}


def test_mue_settings_are_kept_apart(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    invoke("maps", "import-mue", mue_csv(tmp_path / "p.csv", MUE_ROWS), "--maps", maps)
    header = MUE_HEADER.replace("Practitioner Services", "Outpatient Hospital Services")
    code, out, _ = invoke(
        "maps", "import-mue", mue_csv(tmp_path / "o.csv", ["J7207,11,1,"], header), "--maps", maps
    )
    assert code == 0
    assert "outpatient-hospital table" in out
    assert load_mue(maps)["J7207"].value == 99999
    assert load_mue(maps, MueSetting.OUTPATIENT_HOSPITAL)["J7207"].value == 11


def test_mue_setting_must_be_known(tmp_path: Path) -> None:
    header = "HCPCS/CPT Code,MUE Values,MUE Adjudication Indicator"
    path, maps = mue_csv(tmp_path / "m.csv", ["J7207,3,1"], header), tmp_path / "maps"
    code, _, err = invoke("maps", "import-mue", path, "--maps", maps)
    assert code == 2
    assert "--setting" in err
    assert not maps.exists()
    code, _, _ = invoke("maps", "import-mue", path, "--maps", maps, "--setting", "dme-supplier")
    assert code == 0
    assert load_mue(maps, MueSetting.DME_SUPPLIER)["J7207"].value == 3


@pytest.mark.parametrize(
    ("rows", "needle", "message"),
    [
        (
            ["J7207,99999,4 Something"],
            "4 Something",
            "MUE Adjudication Indicator '4 Something' is not 1, 2 or 3",
        ),
        (["J7207,lots,1 Line Edit"], "lots", "MUE value 'lots' is not a whole number"),
        (["J7207,-1,1 Line Edit"], "-1", "MUE value '-1' is not a whole number"),
        (["J7207,5,1", "J7207,6,1"], "J7207,6", "J7207 is listed again"),
        (["J720,5,1"], "J720,", "'J720' is not a HCPCS or CPT code"),
    ],
)
def test_malformed_mue_rows(tmp_path: Path, rows: list[str], needle: str, message: str) -> None:
    path, maps = mue_csv(tmp_path / "m.csv", rows), tmp_path / "maps"
    code, out, err = invoke("maps", "import-mue", path, "--maps", maps)
    assert (code, out) == (2, "")
    assert err == f"edi-scrub: error: {path}:{line_of(path, needle)}: {err.split(': ', 3)[3]}"
    assert message in err
    assert not maps.exists()


def test_an_empty_mue_table_removes_nothing(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    invoke("maps", "import-mue", mue_csv(tmp_path / "m.csv", MUE_ROWS), "--maps", maps)
    before = snapshot(maps)
    path = mue_csv(tmp_path / "empty.csv", [])
    code, _, err = invoke("maps", "import-mue", path, "--maps", maps)
    assert code == 2
    assert err.startswith(f"edi-scrub: error: {path}:3: no data rows")  # the header's first line
    assert snapshot(maps) == before


def test_mue_without_header(tmp_path: Path) -> None:
    path = mue_csv(tmp_path / "m.csv", ["J7207,5,1"], header="Code,Value,Indicator")
    code, _, err = invoke("maps", "import-mue", path, "--maps", tmp_path / "maps")
    assert code == 2
    assert err.startswith(f"edi-scrub: error: {path}:1: no header row found")


def test_the_bundled_mue_map_is_empty() -> None:
    assert load_mue_entries(bundled_maps_dir()) == ()
    assert load_mue(Path("/nonexistent/maps")) == {}


# ---------------------------------------------------------------------------- maps check


def test_check_a_good_directory(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    invoke("maps", "import-crosswalk", crosswalk(tmp_path / "x.csv"), "--maps", maps)
    invoke("maps", "import-mue", mue_csv(tmp_path / "m.csv", MUE_ROWS), "--maps", maps)
    code, out, err = invoke("maps", "check", maps)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"ok  {maps / 'drugs.xml'} (0 codes, 3 NDCs)",
        f"ok  {maps / 'mue.xml'} (3 MUE values)",
    ]


def test_check_without_dir_checks_bundled_and_user(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EDI_SCRUB_MAPS", str(tmp_path / "none"))
    code, out, _ = invoke("maps", "check")
    assert code == 0
    assert f"ok  {bundled_maps_dir() / 'drugs.xml'}" in out
    assert out.splitlines()[-1] == f"--  {tmp_path / 'none'} (no user maps)"


@pytest.mark.parametrize(
    ("name", "content", "line", "needle"),
    [
        (
            "drugs.xml",
            '<drug-map version="1">\n<packages code="J9876"/>\n</drug-map>\n',
            2,
            "no such code",
        ),
        ("drugs.xml", '<drug-map version="1">\n<code id="J7207"\n', 3, "not well-formed"),
        (
            "mue.xml",
            '<mue-map version="1">\n<mue code="J7207" setting="practitioner" value="1" mai="4" source="x"/>\n</mue-map>\n',
            2,
            "mai",
        ),
    ],
)
def test_check_a_bad_directory(
    tmp_path: Path, name: str, content: str, line: int, needle: str
) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    code, _, err = invoke("maps", "check", tmp_path)
    assert code == 2
    assert err.startswith(f"edi-scrub: error: {tmp_path / name}:{line}: ")
    assert needle in err
    assert err.count("\n") == 1


def test_check_missing_or_empty_directory(tmp_path: Path) -> None:
    assert (
        invoke("maps", "check", tmp_path / "nope")[2]
        == f"edi-scrub: error: {tmp_path / 'nope'}: no such directory\n"
    )
    code, _, err = invoke("maps", "check", tmp_path)
    assert code == 2
    assert "no drugs.xml, mue.xml, hcpcs.xml or payers/*.xml" in err


# ---------------------------------------------------------------------------- end to end

JIVI_LIKE_ON_J7207 = build(
    P, (ClaimSpec(lines=(LineSpec(code="J7207", ndc="99999080101", modifiers=("JZ",)),)),)
)


def _hcp001(findings: object) -> list[dict[str, Any]]:
    assert isinstance(findings, list)
    return [f for f in findings if f["rule"] == "HCP001"]


def test_imported_j7208_ndc_billed_as_j7207_is_hcp001_with_j7208(tmp_path: Path) -> None:
    """The issue's "done when": import the crosswalk, then the J7208 NDC on J7207 is HCP001."""
    maps, src = tmp_path / "maps", tmp_path / "in.837"
    src.write_bytes(JIVI_LIKE_ON_J7207)
    options = Options(select=("HCP001",), structure=False)
    before = scrub(src, io.BytesIO(), options).to_json()["findings"]
    assert not _hcp001(before)  # without the import, the fake NDC is unknown

    assert (
        invoke(
            "maps", "import-crosswalk", SAMPLES / "cms_asp_crosswalk_synthetic.csv", "--maps", maps
        )[0]
        == 0
    )
    catalog = load_drug_catalog().merged(load_drug_catalog(maps))
    findings = scrub(
        src, io.BytesIO(), Options(select=("HCP001",), structure=False, catalog=catalog)
    ).to_json()["findings"]
    [finding] = _hcp001(findings)
    assert finding["fix"] == {
        "status": "available",
        "applicability": "unsafe",
        "before": "J7207",
        "after": "J7208",
    }
    assert "mapped to J7208" in str(finding["message"])


@pytest.mark.skipif(
    "maps_dir" not in Options.__dataclass_fields__,
    reason="Options.maps_dir (--maps for scrub) is not in place yet",
)
def test_end_to_end_through_options_maps_dir(tmp_path: Path) -> None:
    maps, src = tmp_path / "maps", tmp_path / "in.837"
    src.write_bytes(JIVI_LIKE_ON_J7207)
    invoke("maps", "import-crosswalk", SAMPLES / "cms_asp_crosswalk_synthetic.csv", "--maps", maps)
    options = Options(select=("HCP001",), structure=False, maps_dir=maps)
    [finding] = _hcp001(scrub(src, io.BytesIO(), options).to_json()["findings"])
    assert finding["fix"]["after"] == "J7208"


def _scrub_has_maps_option() -> bool:
    scrub_command = main.commands["scrub"]
    return any("--maps" in getattr(p, "opts", ()) for p in scrub_command.params)


@pytest.mark.skipif(
    not _scrub_has_maps_option(),
    reason="`edi-scrub IN OUT --maps DIR` (profiles work) is not in place yet",
)
def test_end_to_end_through_the_cli(tmp_path: Path) -> None:
    maps, src, out, report = (
        tmp_path / "maps",
        tmp_path / "in.837",
        tmp_path / "out.837",
        tmp_path / "r.json",
    )
    src.write_bytes(JIVI_LIKE_ON_J7207)
    assert (
        invoke(
            "maps", "import-crosswalk", SAMPLES / "cms_asp_crosswalk_synthetic.csv", "--maps", maps
        )[0]
        == 0
    )
    code, _, _ = invoke(
        src, out, "--maps", maps, "--select", "HCP001", "--no-structure", "--report", report, "-q"
    )
    assert code == 1
    [finding] = _hcp001(json.loads(report.read_text())["findings"])
    assert finding["fix"]["after"] == "J7208"
    assert out.read_bytes() == JIVI_LIKE_ON_J7207  # unsafe fix: reported, not applied


def test_sample_crosswalk_is_latin_1_and_synthetic() -> None:
    data = (SAMPLES / "cms_asp_crosswalk_synthetic.csv").read_bytes()
    assert b"\xe9" in data and b"SYNTHETIC" in data
    assert os.fsdecode(b"99999") in data.decode("iso-8859-1")
