"""benchmarks/memtree.py: the process tree's peak PSS sum (pages shared after a fork counted once).

The commands are small Python scripts with a known memory shape: a parent that fills a buffer
and forks a child that keeps it shared, or writes its own copy.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.scripts import load_script

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/smaps_rollup").exists(), reason="needs Linux's smaps_rollup"
)

MIB = 1024

#: Parent fills 40 MiB, forks; the child either leaves the buffer shared or writes every page
#: (copy on write: its own 40 MiB). Both hold still long enough for a few samples.
SCRIPT = """
import os, sys, time
buf = bytearray(40 << 20)
for i in range(0, len(buf), 4096):
    buf[i] = 1  # touch every page (no transient copy: the parent's peak stays ~40 MiB)
pid = os.fork()
if pid == 0:
    if sys.argv[1] == "write":
        for i in range(0, len(buf), 4096):
            buf[i] ^= 1
    time.sleep(1.5)
    os._exit(0)
time.sleep(0.3)
os.waitpid(pid, 0)
sys.exit(3)
"""


def _memtree() -> ModuleType:
    return load_script("benchmarks/memtree.py")


def test_shared_pages_count_once_in_the_pss_sum() -> None:
    peak = _memtree().watch([sys.executable, "-c", SCRIPT, "share"], interval=0.1)
    assert peak.exit_code == 3
    assert peak.max_children == 1
    main, child = peak.at_peak
    # Both map the 40 MiB: RSS counts it twice, PSS once (half in each).
    assert main.rss > 40 * MIB and child.rss > 40 * MIB
    assert peak.rss_sum_peak > 80 * MIB
    assert 40 * MIB < peak.pss_sum_peak < 60 * MIB
    assert child.private < 10 * MIB


def test_pages_written_after_the_fork_count_twice() -> None:
    peak = _memtree().watch([sys.executable, "-c", SCRIPT, "write"], interval=0.1)
    assert peak.exit_code == 3
    _, child = peak.at_peak
    assert child.private > 39 * MIB
    assert peak.pss_sum_peak > 80 * MIB
    # The single largest process's peak RSS misses half of it. (Not checked on ru_maxrss:
    # forked from this test process, the command's starts at this process's RSS; see memtree.)
    assert max(peak.main_hwm, peak.child_hwm) < 60 * MIB


def test_cli_prints_one_line_and_passes_the_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    code = _memtree().main(["--interval", "0.1", "--", sys.executable, "-c", "exit(5)"])
    assert code == 5
    line = capsys.readouterr().out
    assert line.startswith("rc=5 ") and "pss_sum_peak=" in line and line.count("\n") == 1
