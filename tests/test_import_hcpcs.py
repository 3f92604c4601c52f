"""`edi-scrub maps import-hcpcs` on SYNTHETIC files in the CMS HCPCS Level II fixed-width layout.

Codes Q9991..Q9993 and modifier ZZ with their dates are made up for these tests (descriptions say
SYNTHETIC); the real file is exercised in tests/test_import_cms_real.py. The one real fact used
is J7208's start, 2019-07-01 (domain.md).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_scrub.cli import main
from edi_scrub.maps.drugs import DrugCatalog, load_drug_catalog
from edi_scrub.maps.hcpcs import (
    EntryKind,
    HcpcsEntry,
    load_code_dates,
    load_hcpcs_entries,
    render_hcpcs,
)
from edi_scrub.maps.layers import load_maps, maps_signature
from edi_scrub.pipeline import Options, scrub
from tests.builders import ClaimSpec, I, LineSpec, P, build

DISCLAIMER = (
    "Note regarding coverage and payment indicators for codes in CMS\u00ae SYNTHETIC test file",
    "",
    "If specific Medicare coverage or payment indicators ... (SYNTHETIC disclaimer text)",
    "",
)


@dataclass(frozen=True)
class Rec:
    """One code's records: a first record (3 or 7) and its continuation lines (4 or 8)."""

    code: str
    added: str = "20200101"
    effective: str = "20200101"
    terminated: str = ""
    action: str = "A"
    short: str = "SYNTHETIC short"
    more: tuple[str, ...] = ()  # continuation lines of the long description
    modifier: bool = False


def _first(rec: Rec, seq: int) -> str:
    ident = f"   {rec.code}" if rec.modifier else rec.code
    ric = "7" if rec.modifier else "3"
    head = f"{ident}{seq:05d}{ric}{'SYNTHETIC long description':<80}{rec.short:<28}"
    middle = " " * (268 - len(head))
    tail = f"{rec.added:<8}{rec.effective:<8}{rec.terminated:<8}{rec.action}"
    return (head + middle + tail).ljust(320)


def _more(rec: Rec, seq: int, text: str, padded: bool) -> str:
    ident = f"   {rec.code}" if rec.modifier else rec.code
    ric = "8" if rec.modifier else "4"
    line = f"{ident}{seq:05d}{ric}{text:<80}"
    return line.ljust(320) if padded else line


BASE = (
    Rec("Q9991", added="20190701", effective="20190701", more=("SYNTHETIC continued",)),
    Rec("Q9992", added="20100101", effective="20181231", terminated="20181231", action="D"),
    Rec("ZZ", added="20030101", action="N", modifier=True, more=("SYNTHETIC modifier text",)),
)


def hcpcs_file(
    path: Path,
    recs: tuple[Rec, ...] = BASE,
    disclaimer: bool = True,
    padded: bool = False,
    extra: tuple[str, ...] = (),
) -> Path:
    lines = list(DISCLAIMER) if disclaimer else []
    for n, rec in enumerate(recs, 1):
        lines.append(_first(rec, n * 100))
        lines += [_more(rec, n * 100 + 1, t, padded) for t in rec.more]
    lines += extra
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert isinstance(result.exception, SystemExit | None), result.exception
    return result.exit_code, result.stdout, result.stderr


def snapshot(folder: Path) -> dict[str, bytes] | None:
    if not folder.exists():
        return None
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# ---------------------------------------------------------------------------- reading


def test_import_reads_codes_modifiers_and_dates(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    code, out, err = invoke("maps", "import-hcpcs", hcpcs_file(tmp_path / "h.txt"), "--maps", maps)
    assert (code, err) == (0, "")
    assert out == (
        f"{maps / 'hcpcs.xml'}: 3 added, 0 changed, 0 unchanged "
        "(2 codes, 1 modifiers; 3 rows read): written\n"
    )
    entries = {(e.kind, e.id): e for e in load_hcpcs_entries(maps)}
    q1 = entries[(EntryKind.PROCEDURE, "Q9991")]
    assert (q1.added, q1.action_effective, q1.terminated, q1.action) == (
        date(2019, 7, 1),
        date(2019, 7, 1),
        None,
        "A",
    )
    assert q1.description == "SYNTHETIC short"
    assert q1.source == "CMS HCPCS Level II file h.txt"
    q2 = entries[(EntryKind.PROCEDURE, "Q9992")]
    assert (q2.terminated, q2.action) == (date(2018, 12, 31), "D")
    assert entries[(EntryKind.MODIFIER, "ZZ")].added == date(2003, 1, 1)
    # Only procedure codes judge service lines.
    assert set(load_code_dates(maps)) == {"Q9991", "Q9992"}


@pytest.mark.parametrize("disclaimer", [True, False], ids=["disclaimer", "no-disclaimer"])
@pytest.mark.parametrize("padded", [True, False], ids=["padded", "unpadded"])
def test_disclaimer_and_padding_do_not_matter(
    tmp_path: Path, disclaimer: bool, padded: bool
) -> None:
    reference, maps = tmp_path / "ref", tmp_path / "maps"
    invoke("maps", "import-hcpcs", hcpcs_file(tmp_path / "h.txt"), "--maps", reference)
    path = hcpcs_file(tmp_path / "h.txt", disclaimer=disclaimer, padded=padded)
    assert invoke("maps", "import-hcpcs", path, "--maps", maps)[0] == 0
    assert (maps / "hcpcs.xml").read_bytes() == (reference / "hcpcs.xml").read_bytes()


def test_lf_only_and_windows_1252_text(tmp_path: Path) -> None:
    path = hcpcs_file(tmp_path / "h.txt", (Rec("Q9991", short="SYNTHETIC\u2122 kit"),))
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n"))
    assert b"\x99" in path.read_bytes()  # one byte: Windows-1252, as CMS ships it
    maps = tmp_path / "maps"
    assert invoke("maps", "import-hcpcs", path, "--maps", maps)[0] == 0
    [entry] = load_hcpcs_entries(maps)
    assert entry.description == "SYNTHETIC\u2122 kit"


def test_reimport_is_a_no_op_and_a_later_file_updates_and_keeps(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    path = hcpcs_file(tmp_path / "h2020.txt")
    invoke("maps", "import-hcpcs", path, "--maps", maps)
    target = maps / "hcpcs.xml"
    first, stamp = target.read_bytes(), target.stat().st_mtime_ns
    code, out, err = invoke("maps", "import-hcpcs", path, "--maps", maps)
    assert (code, err) == (0, "")
    assert "0 added, 0 changed, 3 unchanged" in out
    assert out.rstrip().endswith("no change, file left as it was")
    assert (target.read_bytes(), target.stat().st_mtime_ns) == (first, stamp)
    assert sorted(p.name for p in maps.iterdir()) == ["hcpcs.xml"]

    # A later SYNTHETIC file: Q9991 terminated, Q9993 new, Q9992 and ZZ no longer listed.
    later = (
        Rec("Q9991", added="20190701", effective="20231231", terminated="20231231", action="D"),
        Rec("Q9993", added="20240101", effective="20240101"),
    )
    code, out, _ = invoke(
        "maps", "import-hcpcs", hcpcs_file(tmp_path / "h2024.txt", later), "--maps", maps
    )
    assert code == 0
    assert "1 added, 1 changed, 0 unchanged" in out
    entries = {e.id: e for e in load_hcpcs_entries(maps)}
    assert set(entries) == {"Q9991", "Q9992", "Q9993", "ZZ"}  # older entries stay
    assert entries["Q9991"].terminated == date(2023, 12, 31)
    assert entries["Q9991"].source == "CMS HCPCS Level II file h2024.txt"
    assert entries["Q9992"].source == "CMS HCPCS Level II file h2020.txt"


# ---------------------------------------------------------------------------- malformed files


def _short(line: str) -> str:
    return line[:200]


@pytest.mark.parametrize("existing", [False, True], ids=["new-dir", "existing-map"])
@pytest.mark.parametrize(
    ("recs", "extra", "line", "needle"),
    [
        pytest.param(
            (Rec("Q9991", added="2019070A"),),
            (),
            5,
            "date added (269-276) '2019070A' is not a YYYYMMDD date",
            id="bad-date",
        ),
        pytest.param(
            (Rec("Q9991", terminated="20191301"),),
            (),
            5,
            "termination date (285-292) '20191301'",
            id="bad-month",
        ),
        pytest.param(
            (Rec("Q9991", action="1"),),
            (),
            5,
            "action code '1' (293) is not a letter",
            id="bad-action",
        ),
        pytest.param(
            (Rec("Q9991", added="20200101", terminated="20191231"),),
            (),
            5,
            "terminated 2019-12-31 is before it was added 2020-01-01",
            id="terminated-before-added",
        ),
        pytest.param(
            (Rec("Q9991"),),
            (_short(_first(Rec("Q9993"), 200)),),
            6,
            "Q9993: record is 200 characters; a first record (id 3 or 7) needs 293",
            id="short-first-record",
        ),
        pytest.param(
            (Rec("Q9991"),),
            (_more(Rec("Q9993"), 201, "orphan", padded=False),),
            6,
            "continuation record 4 of 'Q9993' does not follow its first record",
            id="orphan-continuation",
        ),
        pytest.param(
            (Rec("Q9991"), Rec("Q9991")),
            (),
            6,
            "Q9991 is listed again (line 5)",
            id="duplicate",
        ),
        pytest.param(
            (Rec("Q9991"),),
            ("this is not a record",),
            6,
            "not a HCPCS record (positions 1-11",
            id="garbage-after-records",
        ),
        pytest.param(
            (Rec("Q9991"),),
            ("   ZZ00100" + "3" + " " * 300,),
            6,
            "record id 3 does not fit '   ZZ'",
            id="modifier-as-procedure",
        ),
        pytest.param((), ("no records at all",), 1, "no HCPCS records found", id="no-records"),
        pytest.param(
            (),
            ("J7208 0100" + "3" + " " * 300,),  # a damaged first record is not disclaimer text
            5,
            "not a HCPCS record (positions 1-11",
            id="damaged-first-record",
        ),
    ],
)
def test_malformed_file_exits_2_and_writes_nothing(
    tmp_path: Path,
    existing: bool,
    recs: tuple[Rec, ...],
    extra: tuple[str, ...],
    line: int,
    needle: str,
) -> None:
    maps = tmp_path / "maps"
    if existing:
        invoke("maps", "import-hcpcs", hcpcs_file(tmp_path / "good.txt"), "--maps", maps)
    path = hcpcs_file(tmp_path / "bad.txt", recs, extra=extra)
    before = snapshot(maps)
    code, out, err = invoke("maps", "import-hcpcs", path, "--maps", maps)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith(f"edi-scrub: error: {path}:{line}: "), err
    assert needle in err
    assert "Traceback" not in err
    assert snapshot(maps) == before


def test_missing_file_and_broken_map(tmp_path: Path) -> None:
    code, _, err = invoke("maps", "import-hcpcs", tmp_path / "nope.txt", "--maps", tmp_path / "m")
    assert (code, err) == (2, f"edi-scrub: error: {tmp_path / 'nope.txt'}: no such file\n")
    maps = tmp_path / "maps"
    maps.mkdir()
    (maps / "hcpcs.xml").write_text(
        '<?xml version="1.0"?>\n<hcpcs-map version="1">\n'
        '<code id="Q9991" added="2020-01-01" terminated="2019-01-01" source="hand"/>\n'
        "</hcpcs-map>\n"
    )
    before = snapshot(maps)
    code, _, err = invoke("maps", "import-hcpcs", hcpcs_file(tmp_path / "h.txt"), "--maps", maps)
    assert code == 2
    assert err == (
        f"edi-scrub: error: {maps / 'hcpcs.xml'}:3: code Q9991: terminated 2019-01-01 is "
        "before it was added\n"
    )
    assert snapshot(maps) == before
    code, _, err = invoke("maps", "check", maps)
    assert code == 2


def test_check_lists_the_hcpcs_map(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    invoke("maps", "import-hcpcs", hcpcs_file(tmp_path / "h.txt"), "--maps", maps)
    code, out, _ = invoke("maps", "check", maps)
    assert code == 0
    assert out == f"ok  {maps / 'hcpcs.xml'} (3 HCPCS codes and modifiers)\n"


# ---------------------------------------------------------------------------- layering and HCP002


def test_load_maps_carries_the_dates_and_a_changed_map_is_reread(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    invoke("maps", "import-hcpcs", hcpcs_file(tmp_path / "h.txt"), "--maps", maps)
    first = load_maps(maps)
    entry = first.catalog.dates("Q9991")
    assert entry is not None and entry.added == date(2019, 7, 1)
    assert not first.catalog.is_drug_code("Q9991")  # dates never make a code a drug line
    assert str(maps / "hcpcs.xml") in {path for path, _, _ in maps_signature(maps)}
    later = (Rec("Q9991", added="20200101", effective="20200101", action="C"),)
    invoke("maps", "import-hcpcs", hcpcs_file(tmp_path / "h2.txt", later), "--maps", maps)
    entry = load_maps(maps).catalog.dates("Q9991")
    assert entry is not None and entry.added == date(2020, 1, 1)


def _entry(code: str, added: date | None, terminated: date | None = None) -> HcpcsEntry:
    return HcpcsEntry(code, EntryKind.PROCEDURE, added, added, "A", terminated, None, "SYNTHETIC")


def _catalog(*entries: HcpcsEntry) -> DrugCatalog:
    return load_drug_catalog().with_code_dates({e.id: e for e in entries})


def _hcp002(tmp_path: Path, kind: str, spec: ClaimSpec, catalog: DrugCatalog) -> list[str]:
    src = tmp_path / "in.837"
    src.write_bytes(build(kind, (spec,)))
    options = Options(select=("HCP002",), structure=False, catalog=catalog, fix=False)
    report = scrub(src, io.BytesIO(), options)
    return [o.finding.message for o in report.outcomes if o.finding.rule == "HCP002"]


def _other_line(code: str, dos: str | None) -> ClaimSpec:
    # A non-drug line: no NDC, one unit.
    line = LineSpec(code=code, ndc=None, ctp_qty=None, units="1", charge="50", dos=dos)
    return ClaimSpec(lines=(line,))


SYNTH = _entry("Q9991", date(2019, 7, 1), date(2023, 12, 31))


@pytest.mark.parametrize("kind", [P, I])
@pytest.mark.parametrize(
    ("dos", "message"),
    [
        (
            "20190630",
            "Q9991 was added 2019-07-01 (per SYNTHETIC); the date of service is 2019-06-30",
        ),
        ("20190701", None),
        ("20231231", None),
        (
            "20240101",
            "Q9991 was terminated after 2023-12-31 (per SYNTHETIC); the date of service is 2024-01-01",
        ),
    ],
)
def test_hcp002_judges_every_line_with_hcpcs_dates(
    tmp_path: Path, kind: str, dos: str, message: str | None
) -> None:
    found = _hcp002(tmp_path, kind, _other_line("Q9991", dos), _catalog(SYNTH))
    assert found == ([message] if message else [])


@pytest.mark.parametrize("kind", [P, I])
def test_hcp002_without_hcpcs_dates_leaves_other_lines_alone(tmp_path: Path, kind: str) -> None:
    assert _hcp002(tmp_path, kind, _other_line("Q9991", "19990101"), load_drug_catalog()) == []


@pytest.mark.parametrize("kind", [P, I])
def test_hcpcs_dates_win_over_the_drug_maps_year_only_start(tmp_path: Path, kind: str) -> None:
    # The bundled map knows only that J7208 started in 2019, so 2019-06-15 is not judged; the
    # CMS file's added date (2019-07-01, domain.md) decides it.
    spec = ClaimSpec(lines=(LineSpec(code="J7208", ndc=None, dos="20190615"),))
    assert _hcp002(tmp_path, kind, spec, load_drug_catalog()) == []
    catalog = _catalog(_entry("J7208", date(2019, 7, 1)))
    assert _hcp002(tmp_path, kind, spec, catalog) == [
        "J7208 was added 2019-07-01 (per SYNTHETIC); the date of service is 2019-06-15"
    ]


@pytest.mark.parametrize("kind", [P, I])
def test_an_entry_without_an_added_date_falls_back_to_the_drug_map(
    tmp_path: Path, kind: str
) -> None:
    spec = ClaimSpec(lines=(LineSpec(code="J7207", modifiers=("JZ",), dos="20161231"),))
    catalog = _catalog(_entry("J7207", None))
    [message] = _hcp002(tmp_path, kind, spec, catalog)
    assert message.startswith("J7207 took effect 2017-01-01")


def test_an_837i_line_without_a_date_uses_the_statement_period(tmp_path: Path) -> None:
    # The builder's 837I statement period starts 2024-01-15 (DTP*434); the 837P has no claim date.
    late = _entry("Q9991", date(2024, 2, 1))
    assert _hcp002(tmp_path, I, _other_line("Q9991", None), _catalog(late)) == [
        "Q9991 was added 2024-02-01 (per SYNTHETIC); the date of service is 2024-01-15"
    ]
    assert _hcp002(tmp_path, P, _other_line("Q9991", None), _catalog(late)) == []


def test_render_is_stable_whatever_the_order() -> None:
    a = _entry("Q9991", date(2019, 7, 1))
    b = HcpcsEntry("ZZ", EntryKind.MODIFIER, None, None, None, None, None, "SYNTHETIC")
    c = _entry("A0001", date(2000, 1, 1))
    assert render_hcpcs([a, b, c]) == render_hcpcs([b, c, a])
