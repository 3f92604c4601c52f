"""Payer profiles end to end: one claim file, each profile's outcome, and the CLI contract.

``samples/profiles/p_profiles.837`` is scrubbed under each shipped profile; the output EDI and
the JSON report must equal the reviewed golden files in ``samples/profiles/expected/``
(regenerate with ``EDI_SCRUB_UPDATE_GOLDEN=1 pytest tests/test_profiles.py`` and review the
diff). The per-profile tests then state in plain assertions what each payer's rules call for, so
a golden update cannot silently change the behaviour issue 3 asks for.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_scrub.cli import main
from edi_scrub.maps._locate import bundled_maps_dir
from edi_scrub.pipeline import Options, scrub
from edi_scrub.x12.validate import validate_bytes
from tests.conftest import SAMPLES

PROFILES_DIR = SAMPLES / "profiles"
SAMPLE = PROFILES_DIR / "p_profiles.837"
EXPECTED = PROFILES_DIR / "expected"
UPDATE = os.environ.get("EDI_SCRUB_UPDATE_GOLDEN") == "1"
GOLDEN_PROFILES = ("medicare-part-b", "uhc-nj-medicaid", "commercial-default")

Findings = list[dict[str, object]]


@pytest.fixture(autouse=True)
def _no_user_maps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The CLI layers the user maps directory when it exists; keep the developer's out (not by
    # a missing $EDI_SCRUB_MAPS, which warns: see conftest.py).
    monkeypatch.delenv("EDI_SCRUB_MAPS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "no-user-data"))


def _run(path: Path, profile: str, maps_dir: Path | None = None) -> tuple[bytes, dict[str, object]]:
    out = io.BytesIO()
    report = scrub(path, out, Options(payer_profile=profile, maps_dir=maps_dir))
    data = report.to_json()
    data["input"] = path.name
    data["output"] = f"{path.stem}.{profile}.out.837"
    data.pop("tool_version")
    return out.getvalue(), data


def _findings(report: dict[str, object], rule: str) -> Findings:
    rows = report["findings"]
    assert isinstance(rows, list)
    return [f for f in rows if f["rule"] == rule]


def _summary(report: dict[str, object]) -> dict[str, object]:
    summary = report["summary"]
    assert isinstance(summary, dict)
    return summary


@pytest.mark.parametrize("profile", GOLDEN_PROFILES)
def test_golden(profile: str, tmp_path: Path) -> None:
    """Output and report match the golden files; valid in → valid out; a second run is a no-op."""
    out, report = _run(SAMPLE, profile)
    edi_file = EXPECTED / f"p_profiles.{profile}.out.837"
    report_file = EXPECTED / f"p_profiles.{profile}.report.json"
    text = json.dumps(report, indent=2) + "\n"
    if UPDATE:
        EXPECTED.mkdir(exist_ok=True)
        edi_file.write_bytes(out)
        report_file.write_text(text)
    assert out == edi_file.read_bytes()
    assert text == report_file.read_text()
    assert validate_bytes(SAMPLE.read_bytes()).issues == ()
    assert validate_bytes(out).issues == ()
    again = tmp_path / "again.837"
    again.write_bytes(out)
    out2, report2 = _run(again, profile)
    assert out2 == out
    assert _summary(report2)["fixed"] == 0


def test_medicare_splits_waste_onto_jw_and_adds_proven_jz() -> None:
    """Medicare Part B: JW required → the waste is split off; JZ required → added where proven."""
    out, report = _run(SAMPLE, "medicare-part-b")
    assert b"SV1*HC:J7207:JZ*2000.00*UN*1000***1~" in out  # zero waste proven by CTP F2
    assert b"SV1*HC:J7207:JW*400.00*UN*200***1~" in out  # 200 IU discarded
    assert b"CLM*PCN1101*6800.00*" in out
    assert [f["fix"]["status"] for f in _findings(report, "MOD004")] == ["applied"]
    assert {f["line"] for f in _findings(report, "MOD001")} == {1}
    assert _findings(report, "AUTH001") == [] and _findings(report, "UNT006") == []
    # Medicare requires the NDC; no Jivi NDC is sourced, so the Jivi lines carry none.
    assert len(_findings(report, "NDC001")) == 7
    assert _summary(report)["payer_profiles"] == {"medicare-part-b": 2}


def test_jw_denying_medicaid_does_not_split_and_flags_the_existing_jw_line() -> None:
    """UHC NJ Medicaid denies JW from 2021-05-01: no split; MOD005 on the JW line already there."""
    out, report = _run(SAMPLE, "uhc-nj-medicaid")
    assert out == SAMPLE.read_bytes()
    assert _findings(report, "MOD004") == []
    mod005 = _findings(report, "MOD005")
    assert [(f["claim"], f["line"]) for f in mod005] == [("PCN1101", 4)]
    assert _findings(report, "MOD001") == [] and _findings(report, "NDC001") == []
    assert _summary(report)["lines_added"] == 0


def test_commercial_default_wants_prior_auth_and_applies_the_jivi_limit() -> None:
    """Commercial default: AUTH001 where REF*G1 is missing; UNT006 over 41,400 IU / 30 days."""
    _, report = _run(SAMPLE, "commercial-default")
    auth = _findings(report, "AUTH001")
    assert auth and {f["claim"] for f in auth} == {"PCN1101"}  # PCN1102 has REF*G1
    unt006 = _findings(report, "UNT006")
    assert [(f["claim"], f["line"]) for f in unt006] == [("PCN1102", 7)]
    assert "41400" in str(unt006[0]["message"])
    assert _findings(report, "NDC001") == [] and _findings(report, "MOD001") == []


def test_auto_falls_back_to_the_commercial_default_and_says_so() -> None:
    """SBR09 CI and an unknown payer id match no profile: the default applies, counted."""
    out, report = _run(SAMPLE, "auto")
    forced, _ = _run(SAMPLE, "commercial-default")
    assert out == forced
    summary = _summary(report)
    assert summary["payer_profiles"] == {"commercial-default": 2}
    assert summary["unmatched_claims"] == 2


def test_overlay_adds_a_payer_id_to_the_medicaid_profile(tmp_path: Path) -> None:
    """A user's --maps DIR copy of uhc-nj-medicaid with a payer id makes auto match it."""
    user = tmp_path / "maps"
    (user / "payers").mkdir(parents=True)
    bundled = (bundled_maps_dir() / "payers" / "uhc-nj-medicaid.xml").read_text()
    match = '<match><payer-id value="SYNPAYER01" source="our clearinghouse routing table"/></match>'
    profile = bundled.replace('(JW denied)">', f'(JW denied)">{match}')
    (user / "payers" / "uhc-nj-medicaid.xml").write_text(profile)
    out, report = _run(SAMPLE, "auto", maps_dir=user)
    assert out == SAMPLE.read_bytes()
    assert _summary(report)["payer_profiles"] == {"uhc-nj-medicaid": 2}
    assert _summary(report)["unmatched_claims"] == 0
    assert len(_findings(report, "MOD005")) == 1


# ---------------------------------------------------------------------------- CLI contract


def _invoke(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


@pytest.mark.parametrize("command", ["scrub", "check"])
def test_unknown_profile_exits_2_with_one_line_and_writes_nothing(
    command: str, tmp_path: Path
) -> None:
    """An unknown --payer-profile is a configuration error: exit 2, one line, no output."""
    out, rep = tmp_path / "out.837", tmp_path / "r.json"
    target = [str(out)] if command == "scrub" else []
    args = [command, str(SAMPLE), *target, "--payer-profile", "nope", "--report", str(rep)]
    code, output = _invoke(args)
    assert code == 2
    assert output.strip().count("\n") == 0
    assert "unknown payer profile 'nope'" in output and "medicare-part-b" in output
    assert not out.exists() and not rep.exists()
    assert list(tmp_path.glob(".edi-scrub-*")) == []


@pytest.mark.parametrize(
    ("xml", "problem"),
    [
        ('<payer-profile version="1" id="x" name="X"></wrong>', "not well-formed XML"),
        (
            '<payer-profile version="1" id="x" name="X"><jw policy="sometimes" source="s"/>'
            "</payer-profile>",
            "sometimes",
        ),
        (
            '<payer-profile version="1" id="second" name="X" default="true"/>',
            "second default",
        ),
    ],
    ids=["malformed", "xsd", "two-defaults"],
)
def test_bad_payer_map_exits_2_with_file_and_line(xml: str, problem: str, tmp_path: Path) -> None:
    """A bad payer profile in --maps: exit 2, one line naming file:line, nothing written."""
    user = tmp_path / "maps"
    (user / "payers").mkdir(parents=True)
    bad = user / "payers" / "bad.xml"
    bad.write_text(xml + "\n")
    out = tmp_path / "out.837"
    code, output = _invoke([str(SAMPLE), str(out), "--maps", str(user), "-q"])
    assert code == 2
    assert output.strip().count("\n") == 0
    assert f"{bad}:1:" in output and problem in output
    assert not out.exists()


def test_missing_maps_dir_exits_2(tmp_path: Path) -> None:
    """--maps naming no directory is a configuration error."""
    out = tmp_path / "out.837"
    code, output = _invoke([str(SAMPLE), str(out), "--maps", str(tmp_path / "nope"), "-q"])
    assert code == 2 and "maps directory not found" in output
    assert not out.exists()


def test_cli_forces_a_profile_and_reports_it(tmp_path: Path) -> None:
    """--payer-profile ID on the CLI scrubs every claim under that profile."""
    out, rep = tmp_path / "out.837", tmp_path / "r.json"
    code, _ = _invoke(
        [str(SAMPLE), str(out), "--payer-profile", "uhc-nj-medicaid", "--report", str(rep), "-q"]
    )
    assert code == 0
    report = json.loads(rep.read_text())
    assert report["summary"]["payer_profiles"] == {"uhc-nj-medicaid": 2}
    assert out.read_bytes() == SAMPLE.read_bytes()


def test_cli_uses_the_user_maps_directory_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --maps, the user maps directory ($EDI_SCRUB_MAPS) is layered when it exists."""
    user = tmp_path / "user-maps"
    (user / "payers").mkdir(parents=True)
    (user / "payers" / "plan.xml").write_text(
        '<payer-profile version="1" id="synthetic-plan" name="Synthetic plan">'
        '<match><payer-id value="SYNPAYER01" source="test"/></match></payer-profile>\n'
    )
    monkeypatch.setenv("EDI_SCRUB_MAPS", str(user))
    rep = tmp_path / "r.json"
    code, _ = _invoke(["check", str(SAMPLE), "--report", str(rep), "-q"])
    assert code == 0
    assert json.loads(rep.read_text())["summary"]["payer_profiles"] == {"synthetic-plan": 2}
