"""``oxi batch``: many recordings, every core (or a Dask cluster), one table (SPEC §11).

The parent process expands the inputs, names each recording's output folder and finds its
context (:mod:`.inputs`); the per-recording work (:mod:`.worker`) runs in this process, on a pool
of worker processes that each import oxi once (:mod:`.local`), or on a Dask cluster
(:mod:`.dask_runner`); the parent collects one row per recording, in input order, into
``DIR/cohort.csv`` (:mod:`.table`). A broken recording becomes an ``error`` row with its one-line
reason and never stops the rest. Recordings whose outputs are already complete for the same input
(sha256) and the same settings are skipped, so an interrupted batch resumes where it stopped.
"""

from __future__ import annotations

from .inputs import RECORDING_SUFFIXES, expand_inputs
from .run import BatchResult, run_batch
from .table import COHORT_COLUMNS, BatchRow

__all__ = [
    "COHORT_COLUMNS",
    "RECORDING_SUFFIXES",
    "BatchResult",
    "BatchRow",
    "expand_inputs",
    "run_batch",
]
