"""Running the tasks on this machine: in this process, or on a pool of worker processes."""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

from .table import BatchRow
from .worker import Task, error_row, remove_left_temporaries, run_task

__all__ = ["Tally", "default_jobs", "progress_bar", "run_pool", "run_serial"]

#: Most recordings sent to a worker in one round trip.
_MAX_CHUNK = 8
#: Imported by the forkserver before it forks workers, so no recording pays for them.
_PRELOAD = (
    "numpy",
    "oxi.pipeline",
    "oximetry.io",
    "oximetry.io.edf",
    "oximetry.analysis",
    "oximetry.report",
    "criteria.context",
    "criteria.evaluate",
    "criteria.rules.masshealth",
    "criteria.rules.medicare",
)


#: In a pool worker: where to say which recording is starting (see :func:`run_pool`).
_STARTED: Any = None


#: How often a pool worker checks that the batch that started it is still there (seconds).
_PARENT_POLL_S = 0.5


def _init_worker(started: Any = None, parent: int | None = None) -> None:
    """Import oxi once per worker process, leave Ctrl-C to the parent, and die with it."""
    global _STARTED
    _STARTED = started
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent is not None:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    for mod in _PRELOAD:
        importlib.import_module(mod)


def _watch_parent(pid: int) -> None:
    """Exit this worker as soon as the batch process ``pid`` is gone (``kill -9`` included).

    Workers are children of the forkserver, not of the batch, so the kernel tells them nothing
    when the batch dies; without this they would finish (or wait for) work nobody collects.
    """
    while _alive(pid):
        time.sleep(_PARENT_POLL_S)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - a process of another user took the pid
        return False
    try:  # a zombie (dead, not yet reaped) is gone too
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except OSError:
        return True


def _run_chunk(tasks: Sequence[Task]) -> list[tuple[int, BatchRow]]:
    """Worker entry point for the process pool: several recordings, one round trip."""
    done = []
    for t in tasks:
        if _STARTED is not None:
            _STARTED.put(t.index)
        done.append((t.index, run_task(t)))
    return done


#: How long a stopped batch waits for its terminated workers before killing them (seconds).
_REAP_S = 5.0


def _reap(procs: Sequence[Any]) -> None:
    """Wait for terminated worker processes to end; kill any still there after :data:`_REAP_S`."""
    deadline = time.monotonic() + _REAP_S
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
    for proc in procs:
        if proc.is_alive():  # pragma: no cover - a worker that outlived SIGTERM
            proc.kill()
            proc.join(1.0)


def default_jobs() -> int:
    """Return the number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def progress_bar(total: int, progress: bool, desc: str = "oxi batch") -> Any:
    """Return a tqdm bar on stderr (off when ``progress`` is False or stderr is no terminal)."""
    # Lazy: importing tqdm takes about 45 ms (measured with -X importtime), a fifth of a whole
    # `oxi analyze --no-report` of an 8-hour night, which imports this module but shows no bar.
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit="rec",
        desc=desc,
        file=sys.stderr,
        disable=None if progress else True,  # None: off when stderr is not a terminal
        dynamic_ncols=True,
    )


class Tally:
    """Counts shown beside the progress bar."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self.ok = self.failed = self.skipped = 0

    def add(self, rows: Sequence[BatchRow]) -> None:
        """Count finished rows and advance the bar."""
        for r in rows:
            self.ok += r.ok
            self.failed += not r.ok
            self.skipped += r.skipped
        counts = {"ok": self.ok, "failed": self.failed, "skipped": self.skipped}
        self.bar.set_postfix(counts, refresh=False)
        self.bar.update(len(rows))


def run_serial(tasks: Sequence[Task], tally: Tally) -> dict[int, BatchRow]:
    """Run the tasks one after the other in this process; return rows by task index."""
    rows: dict[int, BatchRow] = {}
    for t in tasks:
        rows[t.index] = run_task(t)
        tally.add([rows[t.index]])
    return rows


def _mp_context() -> Any:
    # Lazy, like the pool imports below: multiprocessing and concurrent.futures.process take
    # 50-70 ms to import (-X importtime), paid only when a pool is started.
    import multiprocessing as mp

    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(list(_PRELOAD))
        return ctx
    return mp.get_context("spawn")  # pragma: no cover - Windows


def _chunks(tasks: Sequence[Task], jobs: int) -> list[list[Task]]:
    """Split into chunks: about four per worker, at most a few recordings each."""
    size = max(1, min(_MAX_CHUNK, len(tasks) // (jobs * 4)))
    return [list(tasks[i : i + size]) for i in range(0, len(tasks), size)]


def run_pool(tasks: Sequence[Task], jobs: int, tally: Tally) -> dict[int, BatchRow]:
    """Run ``tasks`` on a process pool; survive a worker that dies (segfault, OOM kill).

    When a worker process dies, every unfinished task of that pool fails with
    ``BrokenProcessPool``. The tasks that had started (workers report each start) are suspects;
    the others were innocent bystanders. All run again in a new pool, one task per chunk; a task
    that is a suspect twice is then run alone, where a crash is surely its own, and a crash there
    makes it an error row. If a pool cannot run anything at all, the rest run in this process.
    """
    from concurrent.futures.process import BrokenProcessPool

    rows: dict[int, BatchRow] = {}
    suspected: dict[int, int] = {}
    pending = list(tasks)
    first = True
    while pending:
        alone = [t for t in pending if suspected.get(t.index, 0) >= 2]
        shared = [t for t in pending if suspected.get(t.index, 0) < 2]
        pending = []
        groups: list[tuple[int, list[list[Task]]]] = []
        if shared:
            groups.append((jobs, _chunks(shared, jobs) if first else [[t] for t in shared]))
        groups.extend((1, [[t]]) for t in alone)
        first = False
        for n_workers, chunks in groups:
            n_done = len(rows)
            broken, started = _pool_round(chunks, n_workers, rows, tally, BrokenProcessPool)
            if broken and len(rows) == n_done and not started:  # the pool cannot start
                rows.update(run_serial(broken, tally))
                continue
            for t in broken:
                if t.index in started:
                    suspected[t.index] = suspected.get(t.index, 0) + 1
                if n_workers == 1 and t.index in started:
                    row = error_row(t, "the worker process died while analysing this file", None)
                    rows[t.index] = row
                    tally.add([row])
                else:
                    pending.append(t)
    return rows


def _pool_round(
    chunks: Sequence[list[Task]],
    n_workers: int,
    rows: dict[int, BatchRow],
    tally: Tally,
    broken_exc: type[BaseException],
) -> tuple[list[Task], set[int]]:
    """Run one pool; return the tasks lost to a dead worker and the indices that had started."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = _mp_context()
    started_queue = ctx.SimpleQueue()
    broken: list[Task] = []
    ex = ProcessPoolExecutor(
        max_workers=min(n_workers, len(chunks)),
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(started_queue, os.getpid()),
    )
    try:
        futures: dict[Future[list[tuple[int, BatchRow]]], list[Task]] = {
            ex.submit(_run_chunk, c): c for c in chunks
        }
        for fut in as_completed(futures):
            try:
                done = fut.result()
            except broken_exc:
                broken.extend(futures[fut])
                continue
            except Exception as exc:  # e.g. a result that cannot be pickled
                done = [
                    (t.index, error_row(t, f"{type(exc).__name__}: {exc}", None))
                    for t in futures[fut]
                ]
            for i, row in done:
                rows[i] = row
            tally.add([row for _, row in done])
    except BaseException:  # Ctrl-C: stop now; finished recordings keep their markers
        procs = list((getattr(ex, "_processes", None) or {}).values())
        ex.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            proc.terminate()
        # A worker ends where SIGTERM finds it: inside write_set it left out/.n1.<hex>.tmp/
        # with a lone report.pdf. Once the workers are gone, what they left is removed.
        _reap(procs)
        remove_left_temporaries([t for c in chunks for t in c if t.index not in rows])
        raise
    ex.shutdown(wait=True)
    started: set[int] = set()
    if broken:
        while not started_queue.empty():
            started.add(started_queue.get())
    started_queue.close()
    return broken, started
