"""Config files (``edi-scrub.toml``, ``[tool.edi-scrub]``): discovery, precedence, errors, batch.

The waste sample, checked without fixes, has one MOD001 error and one MOD004 warning, so the
exit code shows which of select/ignore/fail-on/fix came through.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from edi_scrub.cli import main
from edi_scrub.cli_batch import batch_command
from edi_scrub.config import (
    ENGINES,
    FAIL_ON,
    LOG_FORMATS,
    REPORT_FORMATS,
    Config,
    find_config,
    load_config,
    parse_config,
)
from edi_scrub.errors import ConfigError
from tests.builders import ClaimSpec, LineSpec, P, build
from tests.conftest import SAMPLES

WASTE = SAMPLES / "p_waste_jw_split.837"


def _invoke(args: list[str]) -> Result:
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _rules(report: Path) -> list[str]:
    return sorted(f["rule"] for f in json.loads(report.read_text())["findings"])


def _profile_xml(profile_id: str, name: str = "Synthetic plan") -> str:
    return f'<payer-profile version="1" id="{profile_id}" name="{name}"/>\n'


def _user_maps(folder: Path, profile_id: str = "acme") -> Path:
    (folder / "payers").mkdir(parents=True)
    (folder / "payers" / f"{profile_id}.xml").write_text(_profile_xml(profile_id))
    return folder


# -- discovery and parsing ---------------------------------------------------------------------


def test_edi_scrub_toml_in_cwd_selects_and_ignores_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    report = tmp_path / "r.json"
    (tmp_path / "edi-scrub.toml").write_text('select = ["MOD"]\nignore = ["MOD001"]\nfix = false\n')
    result = _invoke(["check", str(WASTE), "--report", str(report), "-q"])
    # MOD001 (the error) is ignored, MOD004 is only a warning: exit 0.
    assert result.exit_code == 0, result.output
    assert _rules(report) == ["MOD004"]

    (tmp_path / "edi-scrub.toml").write_text('select = ["MOD001"]\n')
    assert _invoke(["check", str(WASTE), "--report", str(report), "-q"]).exit_code == 1
    assert _rules(report) == ["MOD001"]


def test_pyproject_tool_table_is_found_from_a_subfolder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "clinic"\n\n[tool.edi-scrub]\nfail-on = "warning"\nignore = ["MOD001"]\n'
    )
    below = tmp_path / "a" / "b"
    below.mkdir(parents=True)
    # A nearer pyproject.toml without our table is passed over, even a broken one.
    (tmp_path / "a" / "pyproject.toml").write_text("[tool.other\nthis is not TOML\n")
    monkeypatch.chdir(below)
    assert find_config(below) == tmp_path / "pyproject.toml"
    out = tmp_path / "out.837"
    result = _invoke([str(WASTE), str(out), "--no-fix", "-q"])
    assert result.exit_code == 1  # the MOD004 warning fails under fail-on = "warning"
    assert out.read_bytes() == WASTE.read_bytes()


def test_edi_scrub_toml_wins_over_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.edi-scrub]\nfail-on = "warning"\n')
    (tmp_path / "edi-scrub.toml").write_text('fail-on = "info"\n')
    assert find_config(tmp_path) == tmp_path / "edi-scrub.toml"
    assert find_config(tmp_path / "nowhere") == tmp_path / "edi-scrub.toml"


def test_no_config_file_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    if find_config(tmp_path.parent) is not None:
        pytest.skip("a config file above the test folder")
    assert load_config() == Config()
    assert Config().params() == {}


def test_keys_map_to_the_command_line_parameters(tmp_path: Path) -> None:
    (tmp_path / "maps").mkdir()
    config = parse_config(
        {
            "select": ["NDC", "MOD004"],
            "ignore": [],
            "fail-on": "warning",
            "fix": False,
            "unsafe-fixes": True,
            "payer-profile": "medicare-part-b",
            "maps": "maps",
            "report-format": "text",
            "exit-zero": True,
            "structure": False,
            "log-format": "json",
            "workers": 3,
            "engine": "dask",
        },
        tmp_path / "edi-scrub.toml",
    )
    assert config.params() == {
        "select": ("NDC", "MOD004"),
        "ignore": (),
        "fail_on": "warning",
        "no_fix": True,
        "unsafe_fixes": True,
        "payer_profile": "medicare-part-b",
        "maps_dir": (tmp_path / "maps").resolve(),
        "report_format": "text",
        "exit_zero": True,
        "no_structure": True,
        "log_format": "json",
        "workers": 3,
        "engine": "dask",
    }
    assert parse_config({}, tmp_path / "edi-scrub.toml").params() == {}


def _choices(command: click.Command, name: str) -> tuple[str, ...]:
    param = next(p for p in command.params if p.name == name)
    assert isinstance(param.type, click.Choice)
    return tuple(str(c) for c in param.type.choices)


def test_config_choices_match_the_options() -> None:
    scrub = main.commands["scrub"]
    assert _choices(scrub, "fail_on") == FAIL_ON
    assert _choices(scrub, "report_format") == REPORT_FORMATS
    assert _choices(scrub, "log_format") == LOG_FORMATS
    assert _choices(batch_command, "engine") == ENGINES


# -- precedence --------------------------------------------------------------------------------


def test_command_line_flags_win_over_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "edi-scrub.toml").write_text(
        'fail-on = "warning"\nignore = ["MOD001"]\nreport-format = "text"\n'
    )
    report = tmp_path / "r.json"
    base = ["check", str(WASTE), "--report", str(report), "-q"]
    assert _invoke(base).exit_code == 1
    assert report.read_text().lstrip()[0] != "{"  # the config's text format
    assert _invoke([*base, "--fail-on", "error"]).exit_code == 0
    assert _invoke([*base, "--report-format", "json"]).exit_code == 1
    assert _rules(report) == ["MOD004"]
    # --ignore on the command line replaces the config's list, it does not add to it.
    assert _invoke([*base, "--ignore", "MOD004", "--report-format", "json"]).exit_code == 1
    assert _rules(report) == ["MOD001"]
    # --no-config: the defaults (fail on errors, nothing ignored).
    assert _invoke([*base, "--no-config", "--report-format", "json"]).exit_code == 1
    assert _rules(report) == ["MOD001", "MOD004"]


def test_boolean_keys_and_their_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "edi-scrub.toml").write_text("fix = false\nexit-zero = true\n")
    out = tmp_path / "out.837"
    assert _invoke([str(WASTE), str(out), "-q"]).exit_code == 0  # exit-zero
    assert out.read_bytes() == WASTE.read_bytes()  # fix = false
    # --no-fix and --exit-zero only switch on: a file's `fix = false` is undone by --no-config.
    assert _invoke([str(WASTE), str(out), "-q", "--no-config"]).exit_code == 0
    assert out.read_bytes() != WASTE.read_bytes()


def test_explicit_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "edi-scrub.toml").write_text('fail-on = "warning"\n')
    other = tmp_path / "ci.toml"
    other.write_text('ignore = ["MOD004"]\n')
    report = tmp_path / "r.json"
    args = ["check", str(WASTE), "--no-fix", "--report", str(report), "-q"]
    assert _invoke([*args, "--config", str(other)]).exit_code == 1
    assert _rules(report) == ["MOD001"]  # ci.toml, not the discovered file
    pyproject = tmp_path / "sub" / "pyproject.toml"
    pyproject.parent.mkdir()
    pyproject.write_text('[tool.edi-scrub]\nignore = ["MOD001"]\n')
    # 0: only the MOD004 warning is left, and the discovered fail-on = "warning" is not merged in.
    assert _invoke([*args, "--config", str(pyproject)]).exit_code == 0
    assert _rules(report) == ["MOD004"]


def test_maps_path_is_relative_to_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    _user_maps(project / "my-maps")
    (project / "edi-scrub.toml").write_text('maps = "my-maps"\npayer-profile = "acme"\n')
    (project / "work").mkdir()
    monkeypatch.chdir(project / "work")  # no my-maps here: only the file's folder has it
    report = tmp_path / "r.json"
    result = _invoke(["check", str(WASTE), "--report", str(report), "-q"])
    assert result.exit_code in (0, 1), result.output
    assert json.loads(report.read_text())["summary"]["payer_profiles"] == {"acme": 1}
    # The command line still wins: another profile from the same layered maps.
    _invoke(["check", str(WASTE), "--report", str(report), "--payer-profile", "auto", "-q"])
    assert json.loads(report.read_text())["summary"]["payer_profiles"] == {"medicare-part-b": 1}


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("fail-on = \n", "invalid TOML"),
        ('select = ["MOD"\n', "invalid TOML"),
        ("colour = true\n", "unknown key 'colour'"),
        ("no-fix = true\n", "unknown key 'no-fix'"),
        ('fix = "no"\n', "key 'fix': expected true or false, got str 'no'"),
        ('select = "MOD"\n', "key 'select': expected a list"),
        ("ignore = [1]\n", "key 'ignore': expected rule ids"),
        ('select = ["NOPE999"]\n', "key 'select': unknown rule selector 'NOPE999'"),
        ('fail-on = "fatal"\n', "key 'fail-on': 'fatal' is not one of error, warning, info"),
        ("workers = true\n", "key 'workers': expected a whole number, got bool"),
        ("workers = 0\n", "key 'workers': must be at least 1"),
        ('maps = "nope"\n', "key 'maps': 'nope' is not a directory"),
        ('payer-profile = ""\n', "key 'payer-profile': must not be empty"),
        ("[select]\nx = 1\n", "key 'select': expected a list"),
    ],
)
def test_bad_config_exits_2_with_one_line_and_writes_nothing(
    text: str, problem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "edi-scrub.toml"
    config.write_text(text)
    out, report = tmp_path / "out.837", tmp_path / "r.json"
    for args in (
        [str(WASTE), str(out), "--report", str(report)],
        ["check", str(WASTE), "--report", str(report)],
        ["batch", str(SAMPLES), str(tmp_path / "batch-out")],
    ):
        result = _invoke(args)
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1, result.output
        assert lines[0].startswith(f"edi-scrub: error: {config}: "), lines[0]
        assert problem in lines[0]
        assert not out.exists() and not report.exists()
        assert not (tmp_path / "batch-out").exists()


def test_bad_tool_table_and_missing_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool]\nedi-scrub = "strict"\n')
    result = _invoke(["check", str(WASTE)])
    assert result.exit_code == 2
    assert "[tool.edi-scrub] must be a table" in result.output
    result = _invoke(["check", str(WASTE), "--config", str(tmp_path / "pyproject.toml")])
    assert result.exit_code == 2
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "edi-scrub-user"\n')
    result = _invoke(["check", str(WASTE), "--config", str(tmp_path / "pyproject.toml")])
    assert result.exit_code == 2 and "no [tool.edi-scrub] table" in result.output
    result = _invoke(["check", str(WASTE), "--config", str(tmp_path / "missing.toml")])
    assert result.exit_code == 2 and "config file not found" in result.output
    result = _invoke(["check", str(WASTE), "--config", "x.toml", "--no-config"])
    assert result.exit_code == 2 and "exclude each other" in result.output


def test_load_config_raises_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "edi-scrub.toml"
    bad.write_bytes(b'fail-on = "\xff"\n')
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(bad)


# -- batch -------------------------------------------------------------------------------------


def _tree(root: Path) -> Path:
    indir = root / "in"
    (indir / "sub").mkdir(parents=True)
    waste = ClaimSpec(lines=(LineSpec(ctp_qty="1200"),))
    clean = ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),))
    (indir / "a.837").write_bytes(build(P, (waste,)))
    (indir / "sub" / "b.837").write_bytes(build(P, (clean, ClaimSpec(clm01="PCN002"))))
    return indir


def _batch(args: list[str]) -> Result:
    return _invoke(["batch", *args, "--no-structure", "-q"])


def _statuses(outdir: Path) -> dict[str, str]:
    report = json.loads((outdir / "batch-report.json").read_text())
    return {f["name"]: f["status"] for f in report["files"]}


def _profiles(outdir: Path) -> dict[str, dict[str, int]]:
    return {
        name: json.loads((outdir / f"{name}.report.json").read_text())["summary"]["payer_profiles"]
        for name in ("a.837", "sub/b.837")
    }


def test_batch_honours_the_config_and_its_new_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    indir, outdir = _tree(tmp_path), tmp_path / "out"
    _user_maps(tmp_path / "my-maps")
    (tmp_path / "edi-scrub.toml").write_text(
        'payer-profile = "uhc-nj-medicaid"\nworkers = 1\nignore = ["AUTH"]\n'
    )
    monkeypatch.chdir(tmp_path)
    result = _batch([str(indir), str(outdir)])
    assert result.exit_code in (0, 1), result.output
    batch_report = json.loads((outdir / "batch-report.json").read_text())
    assert batch_report["workers"] == 1
    assert batch_report["settings"]["payer_profile"] == "uhc-nj-medicaid"
    assert batch_report["settings"]["ignore"] == ["AUTH"]
    assert _profiles(outdir) == {
        "a.837": {"uhc-nj-medicaid": 1},
        "sub/b.837": {"uhc-nj-medicaid": 2},
    }

    # Same settings: up to date. Another payer profile: every file again (the digest changed).
    assert set(_statuses(outdir).values()) != {"skipped"}
    _batch([str(indir), str(outdir)])
    assert set(_statuses(outdir).values()) == {"skipped"}
    _batch([str(indir), str(outdir), "--payer-profile", "medicare-part-b"])
    assert "skipped" not in _statuses(outdir).values()
    assert _profiles(outdir) == {
        "a.837": {"medicare-part-b": 1},
        "sub/b.837": {"medicare-part-b": 2},
    }

    # --maps: a profile only the user maps have; editing a map re-runs every file.
    with_maps = [str(indir), str(outdir), "--maps", "my-maps", "--payer-profile", "acme"]
    _batch(with_maps)
    assert "skipped" not in _statuses(outdir).values()
    assert _profiles(outdir) == {"a.837": {"acme": 1}, "sub/b.837": {"acme": 2}}
    batch_report = json.loads((outdir / "batch-report.json").read_text())
    assert batch_report["settings"]["maps_dir"] == str((tmp_path / "my-maps").resolve())
    _batch(with_maps)
    assert set(_statuses(outdir).values()) == {"skipped"}
    (tmp_path / "my-maps" / "payers" / "acme.xml").write_text(_profile_xml("acme", "Acme, edited"))
    _batch(with_maps)
    assert "skipped" not in _statuses(outdir).values()


def test_batch_maps_from_the_config_and_bad_profile_up_front(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    indir, outdir = _tree(tmp_path), tmp_path / "out"
    _user_maps(tmp_path / "conf" / "my-maps")
    (tmp_path / "conf" / "edi-scrub.toml").write_text('maps = "my-maps"\nworkers = 1\n')
    monkeypatch.chdir(tmp_path)
    # The profile exists only in the maps the config names: without them it is exit 2, once,
    # before anything is scrubbed or written.
    result = _batch([str(indir), str(outdir), "--payer-profile", "acme"])
    assert result.exit_code == 2
    assert "unknown payer profile 'acme'" in result.output
    assert not outdir.exists()
    config = tmp_path / "conf" / "edi-scrub.toml"
    result = _batch([str(indir), str(outdir), "--payer-profile", "acme", "--config", str(config)])
    assert result.exit_code in (0, 1), result.output
    assert _profiles(outdir) == {"a.837": {"acme": 1}, "sub/b.837": {"acme": 2}}


def test_the_readme_example_is_a_valid_config(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    example = "#" + readme.split("```toml\n#", 1)[1].split("```", 1)[0]
    (tmp_path / "clearinghouse-maps").mkdir()
    (tmp_path / "edi-scrub.toml").write_text(example)
    config = load_config(tmp_path / "edi-scrub.toml")
    assert (
        config.fail_on == "warning" and config.maps == (tmp_path / "clearinghouse-maps").resolve()
    )
