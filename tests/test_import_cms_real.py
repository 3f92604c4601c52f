"""The importers on the REAL CMS files in ../shared/cms (skipped cleanly when it is absent).

The files are public US federal data, read in place and never copied into the repository. The
NDC lists and dates asserted here are the ones ../shared/docs/domain.md and ../shared/cms/README.md
state: J7207 (Adynovate) 00944-4622-01 ... 00944-4628-01; J7208 (Jivi) 00026-3942-25, -3944-25,
-3946-25, -3948-25, and -3950-50 from July 2025; J7208 added 2019-07-01, J7207 2017-01-01.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_scrub.cli import main
from edi_scrub.maps.drugs import load_drug_catalog
from edi_scrub.maps.hcpcs import EntryKind, load_hcpcs_entries
from tests.builders import ClaimSpec, LineSpec, P, build
from tests.conftest import REPO

CMS = REPO.parent / "shared" / "cms"
CROSSWALKS = CMS / "asp-crosswalk"
HCPCS_2020 = CMS / "hcpcs" / "HCPC2020_ANWEB_w_disclaimer.txt"
JAN_2024 = "section 508 version of January 2024 ASP NDC-HCPCS Crosswalk 122023.csv"
OCT_2025 = "section 508 version of October 2025 ASP NDC-HCPCS Crosswalk 090525.csv"
JAN_2026 = "section 508 version of January 2026 ASP NDC-HCPCS Crosswalk 121725.csv"

J7207_NDCS = {f"00944462{n}01" for n in range(2, 9)}  # 00944-4622-01 ... 00944-4628-01
J7208_NDCS = {"00026394225", "00026394425", "00026394625", "00026394825"}
J7208_FROM_JULY_2025 = "00026395050"

needs_cms = pytest.mark.skipif(not CMS.is_dir(), reason="../shared/cms not present")


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert isinstance(result.exception, SystemExit | None), result.exception
    return result.exit_code, result.stdout, result.stderr


def _codes_of(maps: Path) -> dict[str, str | None]:
    merged = load_drug_catalog().merged(load_drug_catalog(maps))
    return {ndc: pkg.code for ndc, pkg in merged.packages.items()}


@needs_cms
@pytest.mark.parametrize(
    ("name", "jivi"),
    [
        (JAN_2024, J7208_NDCS),
        (OCT_2025, J7208_NDCS | {J7208_FROM_JULY_2025}),
        (JAN_2026, J7208_NDCS | {J7208_FROM_JULY_2025}),
    ],
    ids=["2024-01", "2025-10", "2026-01"],
)
def test_real_crosswalk_imports_and_files_the_factor_ndcs(
    tmp_path: Path, name: str, jivi: set[str]
) -> None:
    maps = tmp_path / "maps"
    code, out, err = invoke("maps", "import-crosswalk", CROSSWALKS / name, "--maps", maps)
    assert code == 0, err
    assert "Traceback" not in err
    assert out.rstrip().endswith(": written")
    codes = _codes_of(maps)
    assert {ndc for ndc in J7207_NDCS if codes.get(ndc) == "J7207"} == J7207_NDCS
    assert {ndc for ndc, c in codes.items() if c == "J7208"} == jivi
    # The default imports the clotting-factor codes only: no antibiotic or vaccine code became
    # a drug line.
    user = load_drug_catalog(maps)
    assert user.codes == {}
    assert {p.code for p in user.packages.values()} <= {
        c.code for c in load_drug_catalog().codes.values() if c.family is not None
    }
    # Re-importing the same file changes nothing.
    before = (maps / "drugs.xml").read_bytes()
    code, out, _ = invoke("maps", "import-crosswalk", CROSSWALKS / name, "--maps", maps)
    assert code == 0
    assert out.rstrip().endswith("no change, file left as it was")
    assert (maps / "drugs.xml").read_bytes() == before


@needs_cms
@pytest.mark.parametrize(
    "name", [JAN_2024, OCT_2025, JAN_2026], ids=["2024-01", "2025-10", "2026-01"]
)
def test_real_crosswalk_imports_every_code_with_counted_warnings(tmp_path: Path, name: str) -> None:
    maps = tmp_path / "maps"
    code, out, err = invoke(
        "maps", "import-crosswalk", CROSSWALKS / name, "--maps", maps, "--codes", "all"
    )
    assert code == 0, err
    # One counted line per reason, however many rows: alternate ids (hundreds in 2024-01 and
    # 2025-10, one in 2026-01) and NDCs under two codes (J0881/J0882 in every quarter).
    no_ndc, two_codes = err.splitlines()
    assert no_ndc.startswith(f"edi-scrub: warning: {CROSSWALKS / name}: ")
    assert "skipped: NDC2 holds no NDC" in no_ndc
    assert "listed under more than one code" in two_codes
    skipped = int(out.split(" skipped")[0].rsplit(" ", 1)[1])
    assert skipped == int(no_ndc.split(": ")[3].split()[0]) + int(
        two_codes.split(": ")[3].split()[0]
    )
    user = load_drug_catalog(maps)
    assert len(user.codes) > 500  # every other code got a minimal entry: it asked for "all"
    assert user.package("00026394225") is not None


@needs_cms
def test_real_crosswalk_codes_filter(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    code, out, err = invoke(
        "maps", "import-crosswalk", CROSSWALKS / JAN_2026, "--maps", maps, "--codes", "J7207,J7208"
    )
    assert (code, err) == (0, "")
    assert "0 changed" in out
    user = load_drug_catalog(maps)
    assert {p.code for p in user.packages.values()} == {"J7207", "J7208"}
    jivi = {ndc for ndc, p in user.packages.items() if p.code == "J7208"}
    assert jivi == J7208_NDCS | {J7208_FROM_JULY_2025}


@needs_cms
def test_jivi_ndc_billed_under_j7207_is_hcp001_after_importing_january_2026(
    tmp_path: Path,
) -> None:
    maps, src, out, report = (tmp_path / n for n in ("maps", "in.837", "out.837", "r.json"))
    claim = ClaimSpec(lines=(LineSpec(code="J7207", ndc="00026394225", modifiers=("JZ",)),))
    src.write_bytes(build(P, (claim,)))
    assert invoke("maps", "import-crosswalk", CROSSWALKS / JAN_2026, "--maps", maps)[0] == 0
    code, _, err = invoke(src, out, "--maps", maps, "--report", report, "--no-structure", "-q")
    assert code == 1, err
    findings = json.loads(report.read_text())["findings"]
    [hcp001] = [f for f in findings if f["rule"] == "HCP001"]
    assert "mapped to J7208, not to the billed J7207" in hcp001["message"]
    assert hcp001["fix"]["after"] == "J7208"


@needs_cms
def test_real_hcpcs_file_gives_j7208_its_start_and_hcp002_fires_before_it(
    tmp_path: Path,
) -> None:
    maps = tmp_path / "maps"
    code, out, err = invoke("maps", "import-hcpcs", HCPCS_2020, "--maps", maps)
    assert (code, err) == (0, "")
    assert out.rstrip().endswith(": written")
    entries = {(e.kind, e.id): e for e in load_hcpcs_entries(maps)}
    j7208 = entries[(EntryKind.PROCEDURE, "J7208")]
    assert (j7208.added, j7208.action, j7208.terminated) == (date(2019, 7, 1), "A", None)
    assert entries[(EntryKind.PROCEDURE, "J7207")].added == date(2017, 1, 1)
    assert (EntryKind.PROCEDURE, "J7204") not in entries  # added 2020-07-01, after this file
    assert (EntryKind.MODIFIER, "JW") in entries
    again = invoke("maps", "import-hcpcs", HCPCS_2020, "--maps", maps)
    assert again[1].rstrip().endswith("no change, file left as it was")

    src, out_837, report = tmp_path / "in.837", tmp_path / "out.837", tmp_path / "r.json"
    for dos, fires in (("20190615", 1), ("20190701", 0)):
        claim = ClaimSpec(lines=(LineSpec(code="J7208", ndc="00026394225", dos=dos),))
        src.write_bytes(build(P, (claim,)))
        invoke(src, out_837, "--maps", maps, "--report", report, "--no-structure", "-q")
        findings = json.loads(report.read_text())["findings"]
        hcp002 = [f for f in findings if f["rule"] == "HCP002"]
        assert len(hcp002) == fires, findings
        if fires:
            assert hcp002[0]["message"] == (
                "J7208 was added 2019-07-01 (per CMS HCPCS Level II file HCPC2020_ANWEB_w_disclaimer.txt); the date of service is 2019-06-15"
            )
