"""Throughput and peak memory of ``edi-scrub`` next to pyx12's ``x12valid`` on one generated file.

Usage: ``python benchmarks/bench.py [--claims 10000] [--kind 837P] [--defects 0.2]``

Generates a synthetic interchange with ``gen837.py`` (beside this file), then runs each command
as its own process and reads wall time and peak RSS from ``os.wait4``. Numbers are for the
machine it runs on; run it, don't trust old numbers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _measure(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB and exit code of ``cmd``."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    # ru_maxrss is KiB on Linux.
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> int:
    """Generate, run, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--kind", choices=["837P", "837I"], default="837P")
    parser.add_argument("--defects", type=float, default=0.2)
    parser.add_argument("--skip-x12valid", action="store_true")
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    scrub = str(bindir / "edi-scrub")
    x12valid = shutil.which("x12valid", path=str(bindir)) or "x12valid"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"bench.{args.kind}.837"
        subprocess.run(
            [
                sys.executable,
                str(HERE / "gen837.py"),
                "--claims",
                str(args.claims),
                "--kind",
                args.kind,
                "--seed",
                "1",
                "--defects",
                str(args.defects),
                "-o",
                str(src),
            ],
            check=True,
            capture_output=True,
        )
        size = src.stat().st_size / 1e6
        print(f"{args.kind}, {args.claims} claims, {size:.1f} MB, defects {args.defects}")
        runs = [
            (
                "edi-scrub (rules + fixes + pyx12 in/out)",
                [scrub, str(src), f"{tmp}/out.837", "--report", f"{tmp}/r.json", "-q"],
            ),
            (
                "edi-scrub --no-structure (rules + fixes)",
                [
                    scrub,
                    str(src),
                    f"{tmp}/out2.837",
                    "--report",
                    f"{tmp}/r2.json",
                    "-q",
                    "--no-structure",
                ],
            ),
        ]
        if not args.skip_x12valid:
            copy = Path(tmp) / "copy.837"
            shutil.copy(src, copy)
            runs.append(("pyx12 x12valid", [x12valid, "-q", str(copy)]))
        print(f"{'command':<44} {'seconds':>8} {'claims/s':>9} {'peak MiB':>9} {'exit':>5}")
        for name, cmd in runs:
            seconds, rss, code = _measure(cmd)
            print(f"{name:<44} {seconds:8.2f} {args.claims / seconds:9.0f} {rss:9.1f} {code:5d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
