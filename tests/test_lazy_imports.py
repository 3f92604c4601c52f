"""Start-up: a scrub run does not import what it does not use (the ``batch`` and ``maps``
subcommands), and those still work and are listed as before."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from edi_scrub.cli import main
from tests.conftest import SAMPLES

_PROBE = """
import sys
from click.testing import CliRunner
from edi_scrub.cli import main
lazy = ("edi_scrub.cli_batch", "edi_scrub.cli_maps")
assert not any(m in sys.modules for m in lazy), "imported with the CLI"
result = CliRunner().invoke(main, [sys.argv[1], sys.argv[2], "-q", "--no-config"])
assert result.exit_code in (0, 1), result.output
assert not any(m in sys.modules for m in lazy), "imported by a scrub run"
result = CliRunner().invoke(main, ["--help"])
assert result.exit_code == 0 and all(m in sys.modules for m in lazy)
print("ok")
"""


def test_scrub_run_does_not_import_the_subcommands(tmp_path: Path) -> None:
    sample = next(SAMPLES.glob("*.837"))
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(sample), str(tmp_path / "out.837")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_subcommands_are_listed_and_run() -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["--help"])
    assert listed.exit_code == 0
    commands = listed.output.split("Commands:")[1].split()
    assert {"batch", "maps", "scrub", "check"} <= set(commands)
    for name in ("batch", "maps"):
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0 and f" {name} [OPTIONS]" in result.output
    assert sorted(main.list_commands(None)) == main.list_commands(None)  # type: ignore[arg-type]
