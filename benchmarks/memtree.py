"""Peak memory of a whole process tree: what a container limit or cgroup charges, not one process.

Usage::

    python benchmarks/memtree.py [--interval 0.25] [--json] -- COMMAND [ARG...]

``os.wait4``'s ``ru_maxrss`` is the peak RSS of the *largest* single process (the command or
one of its reaped children), not of the tree. The default ``edi-scrub`` run on a large file is
two processes (the main one and the forked input validation worker, ``pipeline.py``
``_InputValidation``), and the two share the pages they had when the worker was forked: their
RSS sum counts those shared pages twice, so neither RSS figure nor their sum is what the
machine pays. PSS (proportional set size: a page shared by *n* processes counts 1/*n* in each)
adds up to the memory the tree really holds, which is roughly what a memory cgroup charges.

This tool runs the command and, every ``--interval`` seconds (default 0.25 s), reads
``/proc/<pid>/smaps_rollup`` of the command and every descendant it has at that moment. It
reports:

- ``pss_sum_peak``: the largest sum of PSS over the tree seen in one sample, and each
  process's RSS, PSS and private (clean + dirty) memory in that sample. A sampled peak: a spike
  shorter than the interval can be missed, so it is a lower bound of the true peak.
- ``rss_sum_peak``: the largest sum of RSS seen in one sample (counts shared pages twice).
- ``main_hwm`` / ``child_hwm``: each process's own exact RSS high-water mark (``VmHWM`` in
  ``/proc/<pid>/status``, read at every sample, so exact unless a process grows in its last
  interval), the command's and the largest child's.
- ``maxrss``: ``ru_maxrss`` from ``os.wait4`` (the largest single process; bench.py's old
  column), plus wall and CPU (user + system of the tree) seconds. Linux carries the launching
  process's RSS at the fork into it, so it is only meaningful when the launcher is small (a
  script like this one or bench.py, not a test process holding hundreds of MiB).

All memory figures are KiB in the JSON output and MiB in the one-line summary. Linux only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: Default sampling interval, seconds: short enough for the phases of a 1,000-claim run
#: (about a second), long enough that reading smaps_rollup costs the measured run nothing.
INTERVAL = 0.25


@dataclass(frozen=True, slots=True)
class ProcMem:
    """One process's memory in one sample, KiB."""

    pid: int
    rss: int
    pss: int
    private: int
    hwm: int


@dataclass(frozen=True, slots=True)
class TreePeak:
    """What :func:`watch` saw of one command's process tree (memory in KiB)."""

    exit_code: int
    wall: float
    cpu: float
    maxrss: int
    pss_sum_peak: int
    at_peak: tuple[ProcMem, ...]
    rss_sum_peak: int
    main_hwm: int
    child_hwm: int
    max_children: int
    samples: int
    interval: float = field(default=INTERVAL)

    def summary(self) -> str:
        """One line: the tree's PSS-sum peak first, then the rest, in MiB."""
        procs = "; ".join(
            f"{'main' if i == 0 else 'child'} rss {p.rss / 1024:.1f} pss {p.pss / 1024:.1f} "
            f"private {p.private / 1024:.1f}"
            for i, p in enumerate(self.at_peak)
        )
        return (
            f"rc={self.exit_code} wall={self.wall:.2f}s cpu={self.cpu:.2f}s "
            f"pss_sum_peak={self.pss_sum_peak / 1024:.1f}MiB [{procs}] "
            f"rss_sum_peak={self.rss_sum_peak / 1024:.1f}MiB "
            f"main_hwm={self.main_hwm / 1024:.1f}MiB child_hwm={self.child_hwm / 1024:.1f}MiB "
            f"maxrss={self.maxrss / 1024:.1f}MiB children={self.max_children} "
            f"samples={self.samples} every {self.interval}s"
        )


def _children(pid: int) -> list[int] | None:
    """``pid``'s children from the kernel's list of each of its threads' children (cheap: no
    walk of all of /proc), [] if it has ended; None if the kernel keeps no such lists."""
    task = Path(f"/proc/{pid}/task")
    kids: list[int] = []
    try:
        threads = list(task.iterdir())
    except OSError:
        return []
    for thread in threads:
        try:
            kids += [int(kid) for kid in (thread / "children").read_text().split()]
        except FileNotFoundError:
            if thread.exists():
                return None  # CONFIG_PROC_CHILDREN off: no children files at all
        except (OSError, ValueError):
            continue  # the thread ended meanwhile
    return kids


def _parents() -> dict[int, list[int]]:
    """Every process's children, from /proc/<pid>/stat (field 4 is the parent's pid)."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stream:
                stat = stream.read()
        except OSError:  # the process ended between scandir and open
            continue
        # The command name (field 2) may hold spaces or ')': split after its last ')'.
        ppid = int(stat.rsplit(b")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    """``pid``'s children, grandchildren, ... at this moment (breadth first)."""
    tree: dict[int, list[int]] | None = None
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop(0)
        kids = _children(parent) if tree is None else tree.get(parent, [])
        if kids is None:  # no children lists: one walk of /proc for the whole tree
            tree = _parents()
            kids = tree.get(parent, [])
        found.extend(kids)
        todo.extend(kids)
    return found


def read(pid: int) -> ProcMem | None:
    """``pid``'s memory now, or None if it has ended (or is a zombie: no mappings)."""
    got = {"Rss:": 0, "Pss:": 0, "Private_Clean:": 0, "Private_Dirty:": 0}
    hwm = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as stream:
            for line in stream:
                key, _, rest = line.partition(" ")
                if key in got:
                    got[key] = int(rest.split()[0])
        with open(f"/proc/{pid}/status") as stream:
            for line in stream:
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
                    break
    except (OSError, ValueError):
        return None
    if not got["Rss:"]:
        return None
    private = got["Private_Clean:"] + got["Private_Dirty:"]
    return ProcMem(pid, got["Rss:"], got["Pss:"], private, hwm)


class _Sampler:
    """Samples one process tree from a thread until told to stop."""

    def __init__(self, pid: int, interval: float) -> None:
        self.pid, self.interval = pid, interval
        self.pss_peak = self.rss_peak = self.main_hwm = self.child_hwm = 0
        self.kids_max = self.samples = 0
        self.at_peak: tuple[ProcMem, ...] = ()
        self.done = threading.Event()

    def run(self) -> None:
        while True:
            self.sample()
            if self.done.wait(self.interval):
                return

    def sample(self) -> None:
        main = read(self.pid)
        if main is None:  # ended (a zombie has no memory left to count)
            return
        kids = [m for m in map(read, descendants(self.pid)) if m is not None]
        now = (main, *kids)
        self.samples += 1
        self.main_hwm = max(self.main_hwm, main.hwm)
        self.child_hwm = max([self.child_hwm, *(k.hwm for k in kids)])
        self.kids_max = max(self.kids_max, len(kids))
        self.rss_peak = max(self.rss_peak, sum(p.rss for p in now))
        total = sum(p.pss for p in now)
        if total > self.pss_peak:
            self.pss_peak, self.at_peak = total, now


def watch(
    cmd: list[str],
    interval: float = INTERVAL,
    env: dict[str, str] | None = None,
    quiet: bool = True,
) -> TreePeak:
    """Run ``cmd`` to its end, sampling its process tree every ``interval`` seconds.

    The sampling runs in a thread and this one waits for the command, so the wall time is
    exact (not rounded up to the interval).
    """
    started = time.perf_counter()
    sink = subprocess.DEVNULL if quiet else None
    proc = subprocess.Popen(cmd, stdout=sink, stderr=sink, env=env)
    sampler = _Sampler(proc.pid, interval)
    thread = threading.Thread(target=sampler.run, daemon=True, name="memtree")
    thread.start()
    # Reaped by wait4, not Popen.wait, to get the tree's rusage (CPU, ru_maxrss).
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    sampler.done.set()
    thread.join()
    proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait for it again
    return TreePeak(
        exit_code=proc.returncode,
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        maxrss=usage.ru_maxrss,  # KiB on Linux
        pss_sum_peak=sampler.pss_peak,
        at_peak=sampler.at_peak,
        rss_sum_peak=sampler.rss_peak,
        main_hwm=sampler.main_hwm,
        child_hwm=sampler.child_hwm,
        max_children=sampler.kids_max,
        samples=sampler.samples,
        interval=interval,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the command, print its tree's peaks; exit with the command's exit code."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--interval", type=float, default=INTERVAL)
    parser.add_argument("--json", action="store_true", help="one JSON object instead of a line")
    parser.add_argument("--show-output", action="store_true", help="keep the command's output")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not cmd:
        parser.error("no command given")
    if not Path("/proc/self/smaps_rollup").exists():
        parser.error("needs Linux's /proc/<pid>/smaps_rollup")
    peak = watch(cmd, args.interval, quiet=not args.show_output)
    print(json.dumps(asdict(peak)) if args.json else peak.summary(), flush=True)
    return peak.exit_code


if __name__ == "__main__":
    sys.exit(main())
