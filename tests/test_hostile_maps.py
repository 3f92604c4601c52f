"""Hostile user maps (issue 8): FIFOs, devices, huge files, entities, XInclude, a missing folder.

Each is one clear exit-2 line naming the file, in bounded time and memory, and nothing written.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_scrub.cli import main
from edi_scrub.maps._xml import MAX_MAP_BYTES
from tests.builders import ClaimSpec, LineSpec, P, build

CLEAN = build(P, (ClaimSpec(lines=(LineSpec(modifiers=("JZ",)),)),))


def _run(tmp_path: Path, maps: Path, *extra: str) -> tuple[int, str, Path]:
    src, out = tmp_path / "in.837", tmp_path / "out.837"
    src.write_bytes(CLEAN)
    result = CliRunner().invoke(main, [str(src), str(out), "--maps", str(maps), "-q", *extra])
    return result.exit_code, result.output, out


def _refused(tmp_path: Path, maps: Path, names: Path) -> str:
    code, output, out = _run(tmp_path, maps)
    assert code == 2, output
    assert not out.exists()
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"edi-scrub: error: {names}"), output
    return lines[0]


def _maps(tmp_path: Path) -> Path:
    maps = tmp_path / "maps"
    (maps / "payers").mkdir(parents=True)
    return maps


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_in_payers_is_refused_not_a_hang(tmp_path: Path) -> None:
    """Before: reading the FIFO waited for a writer forever. Run as a real process, bounded."""
    maps = _maps(tmp_path)
    fifo = maps / "payers" / "plan.xml"
    os.mkfifo(fifo)
    src, out = tmp_path / "in.837", tmp_path / "out.837"
    src.write_bytes(CLEAN)
    cmd = [sys.executable, "-m", "edi_scrub", str(src), str(out), "--maps", str(maps), "-q"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        f"edi-scrub: error: {fifo}: not a regular file (a map must be a plain XML file)"
    )
    assert "Traceback" not in done.stderr
    assert not out.exists()


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
@pytest.mark.parametrize("name", ["drugs.xml", "mue.xml", "payers/plan.xml"])
def test_map_linked_to_dev_zero_is_refused_not_ignored(tmp_path: Path, name: str) -> None:
    """Before: drugs.xml -> /dev/zero was silently skipped (not `is_file`), the run went on."""
    maps = _maps(tmp_path)
    (maps / name).symlink_to("/dev/zero")
    _refused(tmp_path, maps, maps / name)


@pytest.mark.parametrize("name", ["drugs.xml", "mue.xml", "payers/plan.xml"])
def test_map_that_is_a_directory_is_refused(tmp_path: Path, name: str) -> None:
    maps = _maps(tmp_path)
    (maps / name).mkdir()
    _refused(tmp_path, maps, maps / name)


def test_map_that_is_a_broken_symlink_is_refused(tmp_path: Path) -> None:
    maps = _maps(tmp_path)
    (maps / "drugs.xml").symlink_to(tmp_path / "nowhere.xml")
    _refused(tmp_path, maps, maps / "drugs.xml")


def test_huge_map_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    """Before: a 145 MB drugs.xml took 2.9 GB. Now: over MAX_MAP_BYTES is refused unread."""
    maps = _maps(tmp_path)
    huge = maps / "drugs.xml"
    with huge.open("wb") as handle:  # sparse: costs no disk
        handle.write(b'<?xml version="1.0"?>\n<drug-map version="1">\n')
        handle.truncate(MAX_MAP_BYTES + 1)
    started = time.perf_counter()
    line = _refused(tmp_path, maps, huge)
    assert "larger than 32 MiB" in line
    assert time.perf_counter() - started < 60


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    maps = _maps(tmp_path)
    lol = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    (maps / "drugs.xml").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE drug-map [' + "".join(lol) + "]>\n"
        '<drug-map version="1"><!-- &lol9; --></drug-map>\n'
    )
    started = time.perf_counter()
    line = _refused(tmp_path, maps, maps / "drugs.xml")
    assert "DOCTYPE is not allowed" in line
    assert time.perf_counter() - started < 30


def test_xinclude_is_not_processed(tmp_path: Path) -> None:
    """An xi:include of a local file is refused by the schema; the file's text never shows."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    maps = _maps(tmp_path)
    (maps / "drugs.xml").write_text(
        '<?xml version="1.0"?>\n<drug-map version="1" '
        'xmlns:xi="http://www.w3.org/2001/XInclude">\n'
        f'<xi:include href="{secret.as_uri()}" parse="text"/>\n</drug-map>\n'
    )
    line = _refused(tmp_path, maps, maps / "drugs.xml")
    assert "TOP-SECRET" not in line


def test_misspelt_edi_scrub_maps_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: ignored without a word. Now: a warning naming it; the run uses the bundled maps."""
    absent = tmp_path / "my-mpas"
    monkeypatch.setenv("EDI_SCRUB_MAPS", str(absent))
    src, out = tmp_path / "in.837", tmp_path / "out.837"
    src.write_bytes(CLEAN)
    args = [str(src), str(out), "--log-format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "user_maps_not_found" in result.output
    assert str(absent) in result.output
    assert out.read_bytes() == CLEAN
