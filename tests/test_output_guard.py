"""Issue 8, item 1: one output-path guard; no output may destroy the input or another output.

Each test is named after the defect it pins. A refused run is exit 2 with one line, and leaves
every file as it was (nothing read from stdin matters: nothing is written).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import edi_scrub
from edi_scrub.cli import main
from tests.builders import ClaimSpec, LineSpec, P, build

DATA = build(P, (ClaimSpec(lines=(LineSpec(ndc="0944-4624-01", modifiers=("JZ",)),)),))


def _cli(args: list[str], stdin: bytes | None = None) -> tuple[int, str, bytes]:
    result = CliRunner().invoke(main, [*args, "--no-config", "-q"], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stderr, result.stdout_bytes


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.837").write_bytes(DATA)
    return tmp_path


def _refused(work: Path, args: list[str], stdin: bytes | None = None) -> str:
    before = _files(work)
    code, err, out = _cli(args, stdin)
    assert code == 2, err
    assert err.startswith("edi-scrub: error: ") and err.count("\n") == 1
    assert out == b""
    assert _files(work) == before
    return err


def test_same_in_and_out_no_longer_rewrites_the_input(work: Path) -> None:
    err = _refused(work, ["in.837", "in.837"])
    assert "IN and OUT are the same file" in err


def test_report_naming_the_input_no_longer_replaces_it_with_json(work: Path) -> None:
    assert "IN and --report" in _refused(work, ["in.837", "out.837", "--report", "in.837"])
    assert "IN and --html" in _refused(work, ["in.837", "out.837", "--html", "./in.837"])


@pytest.mark.parametrize("flag", ["--report", "--html", "--ack", "--rejects"])
def test_extra_output_naming_out_no_longer_lands_where_the_837_should(
    work: Path, flag: str
) -> None:
    assert f"OUT and {flag} are the same file" in _refused(
        work, ["in.837", "out.837", flag, "out.837"]
    )


@pytest.mark.parametrize(
    ("first", "second"), [("--report", "--html"), ("--ack", "--rejects"), ("--html", "--ack")]
)
def test_two_extra_outputs_on_one_file_are_refused(work: Path, first: str, second: str) -> None:
    assert "are the same file" in _refused(
        work, ["in.837", "out.837", first, "x.out", second, "x.out"]
    )


def test_edi_and_json_together_on_stdout_are_refused(work: Path) -> None:
    err = _refused(work, ["-", "-", "--report", "-"], stdin=DATA)
    assert "OUT and --report both write to stdout" in err
    err = _refused(work, ["check", "in.837", "--html", "-"])
    assert "--report and --html both write to stdout" in err


def test_symlink_to_the_input_as_out_is_refused(work: Path) -> None:
    (work / "link.837").symlink_to(work / "in.837")
    assert "IN and OUT are the same file" in _refused(work, ["in.837", "link.837"])


def test_hard_link_to_the_input_as_report_is_refused(work: Path) -> None:
    os.link(work / "in.837", work / "hard.837")
    assert "IN and --report are the same file" in _refused(
        work, ["in.837", "out.837", "--report", "hard.837"]
    )


def test_dangling_symlink_outputs_pointing_at_one_file_are_refused(work: Path) -> None:
    (work / "a.json").symlink_to(work / "target.json")
    assert "OUT and --report are the same file" in _refused(
        work, ["in.837", "target.json", "--report", "a.json"]
    )


def test_distinct_outputs_are_all_written(work: Path) -> None:
    code, err, _ = _cli(
        ["in.837", "out.837", "--report", "r.json", "--html", "r.html", "--rejects", "rej.837"]
    )
    assert code == 0, err
    assert {"out.837", "r.json", "r.html", "rej.837"} <= set(_files(work))
    assert (work / "in.837").read_bytes() == DATA


def test_api_applies_the_same_guard(work: Path) -> None:
    with pytest.raises(edi_scrub.ConfigError, match="source and out are the same file"):
        edi_scrub.scrub(work / "in.837", work / "in.837")
    stream = io.BytesIO()
    with pytest.raises(edi_scrub.ConfigError, match="out and rejects both write to the same"):
        edi_scrub.scrub(DATA, stream, rejects=stream)
    with pytest.raises(edi_scrub.ConfigError, match="rejects and ack are the same file"):
        edi_scrub.scrub(DATA, rejects=work / "x", ack=work / "x")
    assert stream.getvalue() == b""
    assert sorted(_files(work)) == ["in.837"]
    assert (work / "in.837").read_bytes() == DATA
