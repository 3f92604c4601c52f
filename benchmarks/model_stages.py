"""CPU of the front stages on one file, in this process: lexer, + grouper, + model builder.

    python benchmarks/model_stages.py FILE [--runs 3]

Prints the median ``time.process_time()`` of ``--runs`` runs of: ``lex`` (every segment of
the file), ``group`` (lexer and grouper: every unit), ``build`` (lexer, grouper and
``build_claim`` of every claim), and ``build-only`` (``build_claim`` of claims already grouped
in memory, their segments unsplit). For A/B comparisons, run it alternately against two source
trees (``PYTHONPATH=<tree>/src``) on the same file and compare medians.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from edi_scrub.model.build import build_claim
from edi_scrub.model.group import ClaimUnit, group
from edi_scrub.x12.lexer import iter_segments, read_segments


def _lex(path: Path) -> None:
    with path.open("rb") as stream:
        for _ in iter_segments(stream, str(path)):
            pass


def _group(path: Path) -> None:
    with path.open("rb") as stream:
        for _ in group(iter_segments(stream, str(path)), str(path)):
            pass


def _build(path: Path) -> None:
    with path.open("rb") as stream:
        for unit in group(iter_segments(stream, str(path)), str(path)):
            if isinstance(unit, ClaimUnit):
                build_claim(unit.segments, unit.context, unit.ordinal)


def _build_only(path: Path, runs: int) -> str:
    units = [u for u in group(read_segments(path.read_bytes())) if isinstance(u, ClaimUnit)]
    times = []
    for _ in range(runs):
        # Fresh, unsplit copies: a tree that memoises the split on the segment would otherwise
        # find it done from the previous run.
        claims = [
            (
                [
                    type(s)(s.index, s.text, s.terminator, s.trailer, s.delimiters, s.lead)
                    for s in unit.segments
                ],
                unit,
            )
            for unit in units
        ]
        started = time.process_time()
        for segments, unit in claims:
            build_claim(segments, unit.context, unit.ordinal)
        times.append(time.process_time() - started)
    return _summary(times)


def _summary(times: list[float]) -> str:
    return f"{statistics.median(times):.3f} s  ({' '.join(f'{t:.3f}' for t in times)})"


def _median(run: Callable[[], None], runs: int) -> str:
    times = []
    for _ in range(runs):
        started = time.process_time()
        run()
        times.append(time.process_time() - started)
    return _summary(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path: Path = args.file
    stages: tuple[tuple[str, Callable[[Path], None]], ...] = (
        ("lex", _lex),
        ("group", _group),
        ("build", _build),
    )
    for name, stage in stages:
        print(f"{path.name} {name:10} {_median(functools.partial(stage, path), args.runs)}")
    print(f"{path.name} build-only {_build_only(path, args.runs)}")


if __name__ == "__main__":
    main()
