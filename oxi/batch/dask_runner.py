"""Running the tasks on a Dask distributed cluster (``--scheduler``; the ``oxi[dask]`` extra).

Dask is imported only here, and only when a scheduler is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from oximetry.errors import SettingsError

from .local import Tally
from .table import BatchRow
from .worker import Task, error_row, run_task

__all__ = ["run_dask"]


def run_dask(tasks: Sequence[Task], scheduler: str, jobs: int, tally: Tally) -> dict[int, BatchRow]:
    """Run the tasks on a Dask scheduler (an address, or ``"local"`` for a LocalCluster).

    Parameters
    ----------
    tasks : sequence of Task
        The recordings.
    scheduler : str
        ``tcp://host:port`` of a running scheduler, or ``"local"``.
    jobs : int
        Worker processes of the LocalCluster (ignored for an external scheduler).
    tally : Tally
        Progress counts.

    Returns
    -------
    dict of int to BatchRow
        Rows by task index.

    Raises
    ------
    SettingsError
        Dask distributed is not installed, or the scheduler cannot be reached.
    """
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise SettingsError(
            f"--scheduler {scheduler!r} needs Dask distributed, which is not installed; "
            "install it with: pip install 'oxi[dask]'"
        ) from None

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        address: Any = cluster
    else:
        address = scheduler
    rows: dict[int, BatchRow] = {}
    try:
        try:
            client = Client(address, timeout="30s")
        except OSError as exc:
            raise SettingsError(
                f"cannot reach the Dask scheduler at {scheduler!r} ({exc}); "
                "give its address as tcp://HOST:8786, or 'local'"
            ) from None
        with client:
            futures = client.map(run_task, list(tasks), pure=False)
            index = {f.key: t for f, t in zip(futures, tasks, strict=True)}
            for fut in as_completed(futures):
                t = index[fut.key]
                try:
                    row = fut.result()
                except Exception as exc:  # KilledWorker: the file kept killing workers
                    row = error_row(t, f"{type(exc).__name__}: {exc}", None)
                rows[t.index] = row
                tally.add([row])
                fut.release()
    finally:
        if cluster is not None:
            cluster.close()
    return rows
