"""The Dask engine of ``edi-scrub batch``: the same per-file function on a dask.distributed cluster.

Optional (``pip install -e '.[dask]'`` in a checkout, ``pip install 'edi-scrub[dask]'`` where
edi-scrub is installed from a package index) and imported only when ``--engine dask`` is chosen.
With a scheduler address, workers must have edi-scrub installed and see INDIR and OUTDIR at the
same paths as this process (a shared file system); without one a local cluster of worker
processes is started for the batch and closed after it.
"""

# distributed ships no complete annotations; its calls are confined to this module.
# mypy: disallow-untyped-calls=False

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from edi_scrub.batch import FileJob, FileResult, result_of, scrub_one
from edi_scrub.errors import ConfigError

try:
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ConfigError(
        "--engine dask needs Dask: pip install -e '.[dask]' in a checkout of edi-scrub, "
        "pip install 'edi-scrub[dask]' where it is installed from a package index"
    ) from exc


def _connect(
    workers: int, scheduler: str | None, timeout: float
) -> tuple[Client, LocalCluster | None]:
    cluster: LocalCluster | None = None
    try:
        if scheduler:
            return Client(scheduler, timeout=f"{timeout}s"), None
        # One thread per worker: the scrub is CPU-bound Python, threads would share one GIL.
        # silence_logs: the batch's status lines and report say what became of each file;
        # Dask's own worker logs would cut through them, and a batch stopped by a signal
        # would end in heartbeat tracebacks instead of its one line.
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
        )
        return Client(cluster), cluster
    except (OSError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        where = scheduler or "local cluster"
        raise ConfigError(f"cannot start or reach the Dask scheduler ({where}): {exc}") from exc


def dask_results(
    jobs: Sequence[FileJob], workers: int, scheduler: str | None, timeout: float = 20.0
) -> Iterator[FileResult]:
    """Run :func:`scrub_one` over ``jobs`` on Dask, yielding results as files complete.

    Raises :class:`ConfigError` when the cluster cannot be started or reached in ``timeout`` s.
    """
    client, cluster = _connect(workers, scheduler, timeout)
    try:
        # pure=False: a re-run with --force must scrub again, not reuse a cached result.
        futures = client.map(scrub_one, list(jobs), pure=False)
        by_key = {f.key: job for f, job in zip(futures, jobs, strict=True)}
        for future in dask_completed(futures):
            yield result_of(future, by_key[future.key])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
