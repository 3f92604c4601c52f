"""Throughput and peak memory of ``edi-scrub`` next to pyx12's ``x12valid`` on generated files.

Usage::

    python benchmarks/bench.py [--kinds 837P,837I] [--sizes 1000,10000,100000]
                               [--scrub-only-sizes 1000000] [--runs 3] [--x12valid-runs 1]
                               [--x12valid-max 100000] [--defects 0.2]
                               [--x12valid-cache FILE]

For every kind and size it generates an interchange with ``gen837.py`` (beside this file, seed
1), then runs each command as its own process and reads wall time and peak RSS from
``os.wait4``: ``edi-scrub`` end to end (compiled TR3 validation + all rules + fixes + write + JSON
report), ``edi-scrub --validator pyx12``, ``edi-scrub --no-structure`` and pyx12's ``x12valid``
(up to ``--x12valid-max`` claims). Each figure is the median of ``--runs`` runs (x12valid:
``--x12valid-runs``). ``x12valid/this`` is x12valid's median time divided by the command's
(how many times faster than x12valid it is), on wall time and on CPU time (user + system of
the process and its children: steadier than wall time on a loaded machine; the default
``edi-scrub`` validates the input in a second process when the file is large, so its wall time
can be below its CPU time). Two memory columns: ``peak MiB`` is ``ru_maxrss`` from ``os.wait4``,
the peak RSS of the *largest single process* (for a process with children that is the max, not
the sum); ``tree PSS MiB`` is the peak of the PSS *sum* over the command and all its children
(pages shared after a fork counted once), sampled every 0.25 s by ``memtree.py`` (beside this
file): roughly what a container limit or memory cgroup charges. The tree figure is the max
over the runs, like the RSS one. The machine's load average is printed with the table:
numbers are for the machine it runs on; run it, don't trust old numbers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from memtree import watch

HERE = Path(__file__).resolve().parent


#: The commands' environment: bytecode caching on, as in any normal install (a sandbox's
#: PYTHONDONTWRITEBYTECODE would make every run recompile edi-scrub's ~200 modules, ~0.15 s,
#: while pyx12, installed by pip, ships compiled).
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass(frozen=True, slots=True)
class Measured:
    seconds: float
    cpu: float
    rss_mib: float
    exit_code: int
    #: Peak PSS sum of the process tree, MiB (0 when read from an old x12valid cache).
    tree_mib: float = 0.0


def _measure(cmd: list[str]) -> Measured:
    """Wall seconds, CPU seconds (user + system), peak RSS and tree PSS in MiB, exit code."""
    peak = watch(cmd, env=_ENV)
    # ru_maxrss and smaps are KiB on Linux.
    return Measured(
        peak.wall, peak.cpu, peak.maxrss / 1024, peak.exit_code, peak.pss_sum_peak / 1024
    )


def _median(cmd: list[str], runs: int) -> Measured:
    results = [_measure(cmd) for _ in range(runs)]
    return Measured(
        statistics.median(r.seconds for r in results),
        statistics.median(r.cpu for r in results),
        max(r.rss_mib for r in results),
        results[-1].exit_code,
        max(r.tree_mib for r in results),
    )


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _baseline_key(src: Path) -> str:
    """What an x12valid figure depends on: the file's bytes, pyx12's version, the machine."""
    return f"{_digest(src)}|pyx12 {version('pyx12')}|{platform.node()}|{os.cpu_count()} CPUs"


def _baseline(cmd: list[str], runs: int, src: Path, cache: Path | None) -> tuple[Measured, str]:
    """x12valid's median, from ``cache`` when this exact file was measured on this machine.

    x12valid does not change with edi-scrub's code, and it is the slowest command by far (about
    five minutes per 100,000 claims), so a cache keeps repeated benchmark runs short. The table
    says which figures came from the cache and when they were measured.
    """
    key = _baseline_key(src)
    stored: dict[str, dict[str, object]] = {}
    if cache is not None and cache.exists():
        stored = json.loads(cache.read_text())
    hit = stored.get(key)
    if hit is not None and int(str(hit["runs"])) >= runs:
        m = Measured(
            float(str(hit["seconds"])),
            float(str(hit["cpu"])),
            float(str(hit["rss_mib"])),
            0,
            float(str(hit.get("tree_mib", 0.0))),
        )
        return m, f" (cached, {hit['when']})"
    m = _median(cmd, runs)
    # x12valid exits 1 when it finds errors (the generated files have some on purpose).
    if cache is not None and m.exit_code in (0, 1):
        stored[key] = {
            "seconds": m.seconds,
            "cpu": m.cpu,
            "rss_mib": m.rss_mib,
            "tree_mib": m.tree_mib,
            "runs": runs,
            "when": time.strftime("%Y-%m-%d %H:%M"),
        }
        cache.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n")
    return m, ""


def _generate(kind: str, claims: int, defects: float, target: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            str(HERE / "gen837.py"),
            "--claims",
            str(claims),
            "--kind",
            kind,
            "--seed",
            "1",
            "--defects",
            str(defects),
            "-o",
            str(target),
        ],
        check=True,
        capture_output=True,
    )


def _sizes(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s.strip()]


def main(argv: list[str] | None = None) -> int:
    """Generate, run, print a table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--kinds", default="837P,837I")
    parser.add_argument("--sizes", type=_sizes, default=[1_000, 10_000, 100_000])
    parser.add_argument("--scrub-only-sizes", type=_sizes, default=[])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--x12valid-runs", type=int, default=1)
    parser.add_argument("--x12valid-max", type=int, default=100_000)
    parser.add_argument("--pyx12-scrub-max", type=int, default=10_000)
    parser.add_argument("--defects", type=float, default=0.2)
    parser.add_argument(
        "--x12valid-cache",
        type=Path,
        default=None,
        help="JSON file of x12valid figures by file digest, pyx12 version and machine "
        "(reused instead of re-running x12valid; written when missing)",
    )
    args = parser.parse_args(argv)
    bindir = Path(sys.executable).parent
    scrub = str(bindir / "edi-scrub")
    x12valid = shutil.which("x12valid", path=str(bindir)) or "x12valid"
    print(
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}, {os.cpu_count()} CPUs, "
        f"medians of {args.runs} runs (x12valid: {args.x12valid_runs}), defects {args.defects}"
    )
    print()
    print(
        "| kind | claims | MB | command | wall s | CPU s | claims/s | MB/s | peak MiB "
        "| tree PSS MiB | x12valid/this (wall) | (CPU) |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    sizes = [(n, False) for n in args.sizes] + [(n, True) for n in args.scrub_only_sizes]
    for kind in args.kinds.split(","):
        for claims, scrub_only in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                src = Path(tmp) / f"bench.{kind}.837"
                _generate(kind, claims, args.defects, src)
                mb = src.stat().st_size / 1e6
                out = [f"{tmp}/out.837", "--report", f"{tmp}/r.json", "-q", "--no-config"]
                runs: list[tuple[str, list[str], int]] = [
                    ("edi-scrub", [scrub, str(src), *out], args.runs),
                    (
                        "edi-scrub --no-structure",
                        [scrub, str(src), *out, "--no-structure"],
                        args.runs,
                    ),
                ]
                if not scrub_only and claims <= args.pyx12_scrub_max:
                    runs.append(
                        (
                            "edi-scrub --validator pyx12",
                            [scrub, str(src), *out, "--validator", "pyx12"],
                            args.x12valid_runs,
                        )
                    )
                measured = [(name, _median(cmd, n)) for name, cmd, n in runs]
                if not scrub_only and claims <= args.x12valid_max:
                    copy = Path(tmp) / "copy.837"
                    shutil.copy(src, copy)
                    cmd = [x12valid, "-q", str(copy)]
                    m, note = _baseline(cmd, args.x12valid_runs, src, args.x12valid_cache)
                    measured.append((f"x12valid{note}", m))
                base = next((m for name, m in measured if name.startswith("x12valid")), None)
                for name, m in measured:
                    wall = f"{base.seconds / m.seconds:.1f}x" if base else "-"
                    cpu = f"{base.cpu / m.cpu:.1f}x" if base and m.cpu else "-"
                    # An x12valid figure from a cache written before the column existed.
                    tree = f"{m.tree_mib:.0f}" if m.tree_mib else "-"
                    print(
                        f"| {kind} | {claims:,} | {mb:.1f} | `{name}` | {m.seconds:.2f} | "
                        f"{m.cpu:.2f} | {claims / m.seconds:,.0f} | {mb / m.seconds:.2f} | "
                        f"{m.rss_mib:.0f} | {tree} | {wall} | {cpu} |",
                        flush=True,
                    )
    print()
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
