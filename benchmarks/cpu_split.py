"""Run one ``edi-scrub`` command in this process; print its wall time and the CPU time of the
main process and of its children (validation worker, claim workers), and the main process's
peak RSS. For ``--jobs`` comparisons (README, Benchmarks, "One file on all cores").

    python benchmarks/cpu_split.py IN OUT --report r.json --no-config -q --jobs 2
"""

from __future__ import annotations

import contextlib
import os
import resource
import sys
import time

from edi_scrub.cli import main


def run(args: list[str]) -> str:
    """Run the CLI with ``args``; the measurements as one line."""
    started = time.perf_counter()
    with contextlib.suppress(SystemExit):  # click's exit with the run's code
        main.main(args, standalone_mode=False)
    wall = time.perf_counter() - started
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    own, children = me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime
    return (
        f"wall={wall:.2f} main={own:.2f} children={children:.2f} total={own + children:.2f} "
        f"rss_main={me.ru_maxrss // 1024}M load={os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    print(run(sys.argv[1:]))
