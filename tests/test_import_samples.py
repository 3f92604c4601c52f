"""The README's import examples, run as written on the samples in samples/import/."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from edi_scrub.cli import main
from tests.conftest import SAMPLES

IMPORT_SAMPLES = SAMPLES / "import"


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert isinstance(result.exception, SystemExit | None), result.exception
    return result.exit_code, result.stdout, result.stderr


def _findings(report: Path, rule: str) -> list[dict[str, object]]:
    found = json.loads(report.read_text())["findings"]
    return [f for f in found if f["rule"] == rule]


def test_jivi_like_ndc_on_j7207_is_hcp001_after_the_synthetic_crosswalk(tmp_path: Path) -> None:
    sample = IMPORT_SAMPLES / "p_jivi_like_ndc_on_j7207.837"
    maps, out, report = tmp_path / "my-maps", tmp_path / "out.837", tmp_path / "report.json"
    invoke(sample, out, "--report", report, "-q")
    assert _findings(report, "HCP001") == []  # the bundled maps do not know the FAKE NDC
    csv = SAMPLES / "cms_asp_crosswalk_synthetic.csv"
    assert invoke("maps", "import-crosswalk", csv, "--maps", maps)[0] == 0
    code, _, _ = invoke(sample, out, "--maps", maps, "--report", report, "-q")
    assert code == 1
    [finding] = _findings(report, "HCP001")
    assert finding["message"] == (
        "NDC 99999080101 (SYNTHETIC JIVI-LIKE KIT, kit) is mapped to J7208, not to the billed J7207"
    )
    assert finding["fix"] == {
        "status": "available",
        "applicability": "unsafe",
        "before": "J7207",
        "after": "J7208",
    }
    assert out.read_bytes() == sample.read_bytes()  # unsafe: reported, not applied


def test_j7208_before_its_start_is_hcp002_only_with_hcpcs_dates(tmp_path: Path) -> None:
    sample = IMPORT_SAMPLES / "p_j7208_before_its_start.837"
    maps, out, report = tmp_path / "my-maps", tmp_path / "out.837", tmp_path / "report.json"
    invoke(sample, out, "--report", report, "-q")
    assert _findings(report, "HCP002") == []  # the bundled map: "from 2019", 2019-06-15 unjudged
    # A hand-made hcpcs.xml holding the one fact domain.md sources: J7208 added 2019-07-01.
    maps.mkdir()
    (maps / "hcpcs.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<hcpcs-map version="1">\n'
        '  <code id="J7208" added="2019-07-01" source="domain.md: J7208 added 2019-07-01"/>\n'
        "</hcpcs-map>\n",
        encoding="utf-8",
    )
    code, _, _ = invoke(sample, out, "--maps", maps, "--report", report, "-q")
    assert code == 1
    [finding] = _findings(report, "HCP002")
    assert finding["message"] == (
        "J7208 was added 2019-07-01 (per domain.md: J7208 added 2019-07-01); the date of service is 2019-06-15"
    )
