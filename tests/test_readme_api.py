"""The README's "Use from Python" examples run, and agree with the CLI on every sample.

The blocks are taken from README.md as written (no copy to drift): the bytes example runs once
per sample (its sample path swapped for each one) against ``edi-scrub - - --report``; the folder
example runs over ``samples/`` and its files are compared with the CLI's, byte for byte.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_scrub.cli import main
from tests.conftest import REPO, SAMPLES

README = REPO / "README.md"
EXAMPLE_SAMPLE = "samples/p_waste_jw_split.837"
ALL_SAMPLES = sorted([*SAMPLES.glob("*.837"), *SAMPLES.glob("profiles/*.837")])


def _python_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Use from Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def _cli(args: list[str], stdin: bytes | None = None) -> tuple[int, bytes]:
    result = CliRunner().invoke(main, ["--no-config", *args], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stdout_bytes


@pytest.fixture
def in_workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with ``samples/`` in it, as in a checkout."""
    shutil.copytree(SAMPLES, tmp_path / "samples")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_readme_has_the_two_examples() -> None:
    blocks = _python_blocks()
    assert len(blocks) == 2
    assert EXAMPLE_SAMPLE in blocks[0]
    assert "glob(" in blocks[1]


@pytest.mark.parametrize("sample", ALL_SAMPLES, ids=lambda p: p.name)
def test_bytes_example_matches_cli(sample: Path, in_workdir: Path) -> None:
    """Bytes in, bytes out: the same EDI, report and exit code as ``edi-scrub - -``."""
    block = _python_blocks()[0]
    relative = sample.relative_to(REPO).as_posix()
    namespace: dict[str, object] = {}
    exec(compile(block.replace(EXAMPLE_SAMPLE, relative), "README.md", "exec"), namespace)
    result = namespace["result"]
    code, stdout = _cli(
        ["-", "-", "--fail-on", "warning", "--report", "cli.json", "-q"],
        stdin=(in_workdir / relative).read_bytes(),
    )
    assert namespace["fixed"] == stdout
    assert result.to_json() == (in_workdir / "cli.json").read_text(encoding="utf-8")  # type: ignore[attr-defined]
    assert int(result.exit_code) == code  # type: ignore[attr-defined]


def test_folder_example_matches_cli(in_workdir: Path) -> None:
    """A folder of files: every output and report identical to the CLI's for the same paths."""
    exec(compile(_python_blocks()[1], "README.md", "exec"), {})
    api = in_workdir / "api-scrubbed"
    (in_workdir / "scrubbed").rename(api)
    (in_workdir / "scrubbed").mkdir()
    samples = sorted((in_workdir / "samples").glob("*.837"))
    assert samples
    for path in samples:
        name = path.name
        out, report = f"scrubbed/{name}", f"scrubbed/{name}.report.json"
        code, _ = _cli([f"samples/{name}", out, "--report", report, "-q"])
        assert code in (0, 1)
        assert (api / name).read_bytes() == (in_workdir / out).read_bytes(), name
        assert (api / f"{name}.report.json").read_bytes() == (in_workdir / report).read_bytes()
    assert sorted(p.name for p in api.iterdir()) == sorted(
        p.name for p in (in_workdir / "scrubbed").iterdir()
    )
