"""`maps import-crosswalk` on SYNTHETIC files shaped like the real CMS quarters, and `--codes`.

Every oddity ../shared/cms/README.md lists for the real files gets a small synthetic file here:
an 8-line preamble with a quoted "Effective" line, ``_YYYY_CODE`` whose year is not the
quarter's, records padded with empty fields, Windows-1252 bytes (0x99, 0xAE, 0xA0) and a byte
Windows-1252 leaves undefined, a bare LF inside a quoted cell, ``NDC`` instead of ``NDC2``.
NDCs with labeler 99999 are FAKE; codes J9901/90999 and their rows are synthetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_scrub.cli import main
from edi_scrub.maps.drugs import load_drug_catalog

HEADER = (
    "_2023_CODE",  # a January 2024 file says 2023: the year is only a label
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
    "January 2024 ASP NDC - HCPCS Crosswalk (SYNTHETIC test file, not CMS data)",
    "     Effective January 1, 2024 through March 31, 2024",  # quoted: it holds a comma
    "",
    'The crosswalks are ... SYNTHETIC notes paragraph, with a comma and "quotes".',
    "",
    "",
    "",
    "",
)


def _record(cells: Sequence[str], width: int) -> bytes:
    quoted = [
        '"' + c.replace('"', '""') + '"' if any(ch in c for ch in ',"\n') else c for c in cells
    ]
    padded = [*quoted, *[""] * (width - len(quoted))]
    return ",".join(padded).encode("cp1252")


def real_shaped(
    path: Path,
    rows: Sequence[Sequence[str]],
    header: Sequence[str] = HEADER,
    width: int = 252,
) -> Path:
    """A crosswalk as CMS ships it: every record (preamble too) padded to ``width`` fields."""
    records = [_record([line], width) for line in PREAMBLE]
    records.append(_record(header, width))
    records += [_record(row, width) for row in rows]
    path.write_bytes(b"\r\n".join(records) + b"\r\n")
    return path


def row(code: str, ndc: str, drug: str = "SYNTHETIC KIT") -> tuple[str, ...]:
    return (code, f"SYNTHETIC {code}", "SYNTH LAB", ndc, drug, "1 IU", "1", "1", "1", "1000")


ROWS = (
    row("J7208", "99999-0801-01", "SYNTHETIC JIVI-LIKE\u2122 KIT\u00ae\u00a0"),
    row("J7207", "99999-0701-01", "SYNTHETIC\nKIT"),  # a bare LF inside a quoted cell
    row("J9901", "99999-0901-01"),
    row("90999", "99999-0903-01"),
    row("J9901", "DV-115-01"),
)


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert isinstance(result.exception, SystemExit | None), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("width", [10, 11, 136, 250, 252])
def test_real_shaped_file_imports(tmp_path: Path, width: int) -> None:
    path, maps = real_shaped(tmp_path / "x.csv", ROWS, width=width), tmp_path / "maps"
    data = path.read_bytes()
    assert b"\x99" in data and b"\xae" in data and b"\xa0" in data
    assert b'"SYNTHETIC\nKIT"' in data  # a bare LF, not CRLF, inside the quotes
    code, out, err = invoke("maps", "import-crosswalk", path, "--maps", maps)
    assert (code, err) == (0, "")
    assert out == (
        f"{maps / 'drugs.xml'}: 2 added, 0 changed, 0 unchanged "
        "(2 NDCs, year 2023, 3 rows of other codes left out; 5 rows read): written\n"
    )
    user = load_drug_catalog(maps)
    jivi_like = user.package("99999080101")
    assert jivi_like is not None
    # Windows-1252, not Latin-1: 0x99 is the trade mark sign; the no-break space is folded.
    assert jivi_like.product == "SYNTHETIC JIVI-LIKE\u2122 KIT\u00ae"
    other = user.package("99999070101")
    assert other is not None
    assert other.product == "SYNTHETIC KIT"  # the quoted LF is folded, the row read whole


def test_plain_ndc_column_and_undefined_windows_1252_byte(tmp_path: Path) -> None:
    header = tuple("NDC" if h == "NDC2" else h for h in HEADER)
    path = real_shaped(tmp_path / "x.csv", ROWS[:1], header=header)
    path.write_bytes(path.read_bytes().replace(b"LAB", b"L\x81B"))  # undefined in cp1252
    maps = tmp_path / "maps"
    code, _, err = invoke("maps", "import-crosswalk", path, "--maps", maps)
    assert (code, err) == (0, "")
    assert load_drug_catalog(maps).package("99999080101") is not None


# ---------------------------------------------------------------------------- --codes


@pytest.mark.parametrize(
    ("codes", "ndcs", "new_codes"),
    [
        (None, {"99999080101", "99999070101"}, set()),
        ("J7208", {"99999080101"}, set()),
        ("j72", {"99999080101", "99999070101"}, set()),  # a prefix, any case
        ("J9901, 90999", {"99999090101", "99999090301"}, {"J9901", "90999"}),
        ("J7207,J99", {"99999070101", "99999090101"}, {"J9901"}),
        ("all", {"99999080101", "99999070101", "99999090101", "99999090301"}, {"J9901", "90999"}),
    ],
    ids=["default", "exact", "prefix", "two-exact", "mixed", "all"],
)
def test_codes_selects_what_becomes_a_drug_line(
    tmp_path: Path, codes: str | None, ndcs: set[str], new_codes: set[str]
) -> None:
    path, maps = real_shaped(tmp_path / "x.csv", ROWS), tmp_path / "maps"
    options = ("--codes", codes) if codes is not None else ()
    code, _, err = invoke("maps", "import-crosswalk", path, "--maps", maps, *options)
    assert code == 0
    user = load_drug_catalog(maps)
    assert set(user.packages) == ndcs
    assert set(user.codes) == new_codes  # codes the maps did not know: now drug lines
    # The dashed device number under J9901 is one counted warning, when J9901 is selected.
    assert ("NDC2 holds no NDC" in err) == ("J9901" in new_codes)


@pytest.mark.parametrize(
    ("codes", "needle"),
    [
        ("J7-207", "'J7-207' is not a HCPCS code or code prefix"),
        ("J72070", "'J72070' is not a HCPCS code or code prefix"),
        (",", "give codes or prefixes"),
        ("all,J7207", "'all' cannot be combined with codes"),
    ],
)
def test_bad_codes_exit_2_and_write_nothing(tmp_path: Path, codes: str, needle: str) -> None:
    path, maps = real_shaped(tmp_path / "x.csv", ROWS), tmp_path / "maps"
    code, out, err = invoke("maps", "import-crosswalk", path, "--maps", maps, "--codes", codes)
    assert (code, out) == (2, "")
    assert err.startswith("edi-scrub: error: --codes: ")
    assert needle in err
    assert err.count("\n") == 1
    assert not maps.exists()


def test_a_code_the_file_lacks_is_a_warning(tmp_path: Path) -> None:
    path, maps = real_shaped(tmp_path / "x.csv", ROWS), tmp_path / "maps"
    code, _, err = invoke(
        "maps", "import-crosswalk", path, "--maps", maps, "--codes", "J7208,J7O,Q5"
    )
    assert code == 0
    assert err == (
        f"edi-scrub: warning: {path}: --codes J7208,J7O,Q5: no code of the file matches J7O, Q5\n"
    )


def test_the_default_includes_family_codes_of_the_user_map(tmp_path: Path) -> None:
    # A user map that defines a SYNTHETIC clotting-factor code: the default imports it too.
    maps = tmp_path / "maps"
    maps.mkdir()
    (maps / "drugs.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<drug-map version="1">\n'
        '<code id="J9901" family="factor-ix" category="specific">\n'
        "<descriptor>SYNTHETIC factor IX code</descriptor>\n</code>\n</drug-map>\n",
        encoding="utf-8",
    )
    path = real_shaped(tmp_path / "x.csv", ROWS)
    code, _, _ = invoke("maps", "import-crosswalk", path, "--maps", maps)
    assert code == 0
    j9901 = load_drug_catalog(maps).code("J9901")
    assert j9901 is not None
    assert [p.ndc for p in j9901.packages] == ["99999090101"]
