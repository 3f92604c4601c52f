"""The Python API (issue 11): public names, typing, sources and outputs, errors like the CLI's."""

from __future__ import annotations

import ast
import importlib.resources
import io
import json
import os
import shutil
import subprocess
import sys
import typing
from pathlib import Path

import pytest
import structlog
from click.testing import CliRunner

import edi_scrub
from edi_scrub.cli import main
from tests.builders import ClaimSpec, LineSpec, P, build
from tests.conftest import REPO, SAMPLES

CONSUMER = REPO / "tests" / "api_consumer.py"
UNPROVEN = build(P, (ClaimSpec(lines=(LineSpec(ctp_qty="1", ctp_unit="UN"),)),))
FIXABLE = build(P, (ClaimSpec(lines=(LineSpec(ndc="0944-4624-01", modifiers=("JZ",)),)),))


def _cli(args: list[str], stdin: bytes | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--no-config", *args], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stderr


def _listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# --- the public surface -----------------------------------------------------------------


def test_all_is_the_whole_api_and_every_name_resolves() -> None:
    public = {n for n in dir(edi_scrub) if not n.startswith("_")}
    assert public == {n for n in edi_scrub.__all__ if not n.startswith("_")}
    for name in edi_scrub.__all__:
        assert getattr(edi_scrub, name) is not None
    with pytest.raises(AttributeError):
        _ = edi_scrub.pipeline_scrub  # type: ignore[attr-defined]


def _mentions_any(hint: object) -> bool:
    if hint is typing.Any:
        return True
    return any(_mentions_any(arg) for arg in typing.get_args(hint))


@pytest.mark.parametrize(
    "obj",
    [
        edi_scrub.scrub,
        edi_scrub.check,
        edi_scrub.Options.__init__,
        edi_scrub.Options,
        edi_scrub.Result,
        edi_scrub.Report,
        edi_scrub.Summary,
        edi_scrub.Finding,
        edi_scrub.Outcome,
        edi_scrub.ClaimRef,
    ],
    ids=lambda o: getattr(o, "__qualname__", str(o)),
)
def test_public_signatures_have_no_any(obj: object) -> None:
    hints = typing.get_type_hints(obj)
    assert hints
    assert not [name for name, hint in hints.items() if _mentions_any(hint)]


def test_py_typed_is_in_the_package() -> None:
    # Hatchling puts every file of src/edi_scrub into the wheel; this is the file it must carry.
    assert importlib.resources.files("edi_scrub").joinpath("py.typed").is_file()


def test_consumer_imports_only_public_names() -> None:
    tree = ast.parse(CONSUMER.read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert "edi_scrub" in imported
    assert not [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and n.module and "edi_scrub" in n.module
    ]
    used = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "edi_scrub"
    }
    assert used and used <= set(edi_scrub.__all__)


def test_consumer_passes_mypy_strict_against_the_installed_package(tmp_path: Path) -> None:
    """Outside the checkout, mypy only sees edi-scrub's types through its py.typed marker."""
    shutil.copy(CONSUMER, tmp_path / "consumer.py")
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "consumer.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MYPYPATH": ""},
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_consumer_runs(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(CONSUMER), str(SAMPLES / "p_waste_jw_split.837")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(edi_scrub.__version__)
    assert "not X12" in run.stdout


# --- sources and outputs ----------------------------------------------------------------


def test_path_stream_and_bytes_give_the_same_output(tmp_path: Path) -> None:
    src, out = tmp_path / "in.837", tmp_path / "out.837"
    src.write_bytes(FIXABLE)
    by_path = edi_scrub.scrub(src, out)
    stream = io.BytesIO()
    with src.open("rb") as handle:
        by_stream = edi_scrub.scrub(handle, stream)
    by_bytes = edi_scrub.scrub(FIXABLE)
    assert by_path.output is None and by_stream.output is None
    assert out.read_bytes() == stream.getvalue() == by_bytes.output
    assert by_bytes.output != FIXABLE  # the NDC was normalised
    assert by_path.summary.fixed == by_bytes.summary.fixed == 1
    assert json.loads(by_path.to_json())["input"] == str(src)
    assert json.loads(by_bytes.to_json())["input"] == "-"
    assert src.read_bytes() == FIXABLE


def test_check_fixes_nothing_and_matches_cli_check(tmp_path: Path) -> None:
    src = tmp_path / "in.837"
    src.write_bytes(FIXABLE)
    report = edi_scrub.check(src)
    assert report.summary.fixed == 0
    assert report.output is None
    result = CliRunner().invoke(main, ["check", str(src), "--no-config", "-q"])
    assert json.loads(result.stdout) == report.to_json()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.837"]


def test_exit_code_and_exit_zero() -> None:
    assert edi_scrub.scrub(UNPROVEN).exit_code == edi_scrub.ExitCode.FINDINGS
    result = edi_scrub.scrub(UNPROVEN, options=edi_scrub.Options(exit_zero=True))
    assert result.exit_code == edi_scrub.ExitCode.OK
    assert result.summary.exit_code == edi_scrub.ExitCode.FINDINGS  # the report tells the truth


def test_rejects_and_ack_match_the_cli(tmp_path: Path) -> None:
    data = build(P, (ClaimSpec(), ClaimSpec(lines=(LineSpec(ctp_qty="1", ctp_unit="UN"),))))
    src = tmp_path / "in.837"
    src.write_bytes(data)
    rejects, ack = io.BytesIO(), io.BytesIO()
    result = edi_scrub.scrub(data, rejects=rejects, ack=ack)
    assert result.rejected is not None and len(result.rejected) == 1
    assert rejects.getvalue().count(b"CLM*") == 1
    assert result.output is not None and result.output.count(b"CLM*") == 1
    assert ack.getvalue() == result.ack and ack.getvalue().startswith(b"ISA")
    code, _ = _cli([str(src), str(tmp_path / "o.837"), "--rejects", str(tmp_path / "r.837"), "-q"])
    assert code == int(result.exit_code) == 1
    assert (tmp_path / "r.837").read_bytes() == rejects.getvalue()
    assert (tmp_path / "o.837").read_bytes() == result.output


def test_api_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    """No output on stdout/stderr, even for events the CLI logs (no profile matched)."""
    structlog.reset_defaults()
    result = edi_scrub.scrub((SAMPLES / "profiles" / "p_profiles.837").read_bytes())
    assert result.summary.unmatched_claims > 0  # the run logs payer_profile_fallback
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


# --- errors: the CLI's messages, nothing written -------------------------------------------


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"not an 837 at all\n", "text"),
        (b"", "empty"),
        (b"ISA*00*", "cut ISA"),
        (None, "missing"),
        ("dir", "directory"),
    ],
)
def test_bad_input_raises_input_error_with_cli_message(
    tmp_path: Path, content: bytes | str | None, kind: str
) -> None:
    src = tmp_path / "in.837"
    if isinstance(content, bytes):
        src.write_bytes(content)
    elif content == "dir":
        src.mkdir()
    before = _listing(tmp_path)
    with pytest.raises(edi_scrub.InputError) as caught:
        edi_scrub.scrub(src, tmp_path / "out.837", options=edi_scrub.Options())
    code, err = _cli([str(src), str(tmp_path / "out.837"), "-q"])
    assert code == 2
    assert err == f"edi-scrub: error: {caught.value}\n"
    assert "\n" not in str(caught.value)
    assert _listing(tmp_path) == before


def test_bad_bytes_and_stream_are_named_like_stdin(tmp_path: Path) -> None:
    with pytest.raises(edi_scrub.InputError) as from_bytes:
        edi_scrub.scrub(b"garbage")
    with pytest.raises(edi_scrub.InputError) as from_stream:
        edi_scrub.check(io.BytesIO(b"garbage"))
    code, err = _cli(["-", str(tmp_path / "o.837"), "-q"], stdin=b"garbage")
    assert code == 2
    assert (
        err
        == f"edi-scrub: error: {from_bytes.value}\n"
        == f"edi-scrub: error: {from_stream.value}\n"
    )
    assert not (tmp_path / "o.837").exists()


@pytest.mark.parametrize(
    ("kwargs", "flags"),
    [
        ({"select": ["NOPE999"]}, ["--select", "NOPE999"]),
        ({"ignore": "MOD,bogus-rule"}, ["--ignore", "MOD,bogus-rule"]),
        ({"payer_profile": "no-such-payer"}, ["--payer-profile", "no-such-payer"]),
        ({"maps": "no-such-maps"}, ["--maps", "no-such-maps"]),
    ],
)
def test_bad_options_raise_config_error_with_cli_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kwargs: dict[str, object], flags: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.837").write_bytes(FIXABLE)
    with pytest.raises(edi_scrub.ConfigError) as caught:
        edi_scrub.Options(**kwargs)  # type: ignore[arg-type]
    code, err = _cli(["in.837", "out.837", *flags, "-q"])
    assert code == 2
    assert err == f"edi-scrub: error: {caught.value}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.837"]


def test_bad_map_raises_config_error_with_cli_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.837").write_bytes(FIXABLE)
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "drugs.xml").write_text("<drug-map version='1'><oops/></drug-map>")
    with pytest.raises(edi_scrub.ConfigError) as caught:
        edi_scrub.Options(maps="maps")
    code, err = _cli(["in.837", "out.837", "--maps", "maps", "-q"])
    assert code == 2
    assert err == f"edi-scrub: error: {caught.value}\n"
    assert not (tmp_path / "out.837").exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"fail_on": "fatal"},
            "Options: key 'fail_on': 'fatal' is not one of error, warning, info",
        ),
        ({"fix": 1}, "Options: key 'fix': expected true or false, got int 1"),
        ({"structure": "no"}, "Options: key 'structure': expected true or false, got str 'no'"),
        ({"payer_profile": ""}, "Options: key 'payer_profile': must not be empty"),
        ({"select": [3]}, "Options: key 'select': expected rule ids, names or families, got 3"),
        ({"maps": 7}, "Options: key 'maps': expected a path, got int"),
    ],
)
def test_option_values_are_checked_like_config_keys(
    kwargs: dict[str, object], message: str
) -> None:
    """Values only Python can pass get the config file's checks and wording (key, problem)."""
    with pytest.raises(edi_scrub.ConfigError) as caught:
        edi_scrub.Options(**kwargs)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_options_take_the_config_key_names() -> None:
    options = edi_scrub.Options(
        fail_on="warning", payer_profile="medicare-part-b", select="NDC, MOD", fix=False
    )
    assert options.select == ("NDC", "MOD")
    assert options.fail_on == "warning"
    assert options == edi_scrub.Options(
        fail_on=edi_scrub.Severity.WARNING,
        payer_profile="medicare-part-b",
        select=["NDC", "MOD"],
        fix=False,
    )
