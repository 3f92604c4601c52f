"""MEMORY TEST (issue 8: "memory grows ~1.3 KB per claim"; issue 9: flat memory at any size).

Scrubs generated 837P files of two sizes, each in its own process, and asserts that the peak
RSS (the process and its validation worker) grows by less than ``_BYTES_PER_CLAIM`` per claim
between them. Every bounded buffer is lowered in the child (findings in memory, the usage
history's dicts, the claim-span block, the validator's caches of clean values and segment
shapes) so that they are full at both sizes: what is left to grow is what nothing bounds, and
that is what this test catches. Measured on the code before the usage history and the claim
spans went to disk: 249 bytes per claim; after: 35 and 67 bytes per claim in two runs (the
allocator's noise over 12,000 claims is a few hundred KiB), hence the bound of 150.

The child's own peak is its ``VmHWM`` (per address space, so it starts again at ``exec``), not
``ru_maxrss``: Linux carries ``ru_maxrss`` across ``exec``, so under a full pytest run (~80 MiB)
both sizes read the *pytest* process's peak and the test could not fail (round 3 found it so).
The sizes are 15,000 and 45,000 claims because the caches the child cannot lower (``lru_cache``
of 4,096 amounts, NDCs, codes; the validator's memo) fill between 3,000 and 15,000 claims:
measured with ``VmHWM`` on 2026-11-30, 3k -> 15k grew 4.7 MiB (~400 bytes per claim), 15k ->
45k 0.4 MiB (~14 bytes per claim).

It takes two subprocess runs of 15,000 and 45,000 claims (about 25 s CPU in all).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN = REPO / "benchmarks" / "gen837.py"

#: Allowed growth of the peak RSS per claim between the two sizes.
_BYTES_PER_CLAIM = 150
_SMALL, _LARGE = 15_000, 45_000

_CHILD = r"""
import json, resource, sys
from edi_scrub import _spans, history
from edi_scrub.report import spill
from edi_scrub.x12 import _tr3_segment

# Every bound small, so that each is reached at both sizes.
spill.LIMIT = 256
history.LINES_IN_MEMORY = 512
history.UNITS_IN_MEMORY = 128
_spans.BLOCK = 256
_tr3_segment._CLEAN_MAX = 64
_tr3_segment._SHAPES_MAX = 256

from edi_scrub.cli import main

try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
# VmHWM, not ru_maxrss: ru_maxrss keeps the launching process's peak across exec.
with open("/proc/self/status") as status:
    own = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"self_kib": own, "children_kib": workers}))
"""


def _peak_kib(tmp_path: Path, claims: int) -> int:
    src = tmp_path / f"in{claims}.837"
    gen = [sys.executable, str(GEN), "--claims", str(claims), "--kind", "837P"]
    subprocess.run([*gen, "--defects", "0.2", "-o", str(src)], check=True, capture_output=True)
    out, report = tmp_path / f"out{claims}.837", tmp_path / f"r{claims}.json"
    args = [str(src), str(out), "--report", str(report), "-q"]
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *args], capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert out.stat().st_size > 0 and json.loads(report.read_text())["summary"]
    return max(int(found["self_kib"]), int(found["children_kib"]))


def test_peak_memory_does_not_grow_with_the_number_of_claims(tmp_path: Path) -> None:
    small = _peak_kib(tmp_path, _SMALL)
    large = _peak_kib(tmp_path, _LARGE)
    per_claim = (large - small) * 1024 / (_LARGE - _SMALL)
    assert per_claim < _BYTES_PER_CLAIM, (small, large, per_claim)
