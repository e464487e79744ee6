"""``oxi batch``: many recordings, every core (or a Dask cluster), one table.

The parent process expands the inputs, names each recording's output folder and finds its
context; a pool of worker processes (each importing oxi once) analyses the recordings through
:func:`oximetry.pipeline.analyze_file`; the parent collects one row per recording, in input order,
into ``DIR/cohort.csv`` (SPEC §11). A broken recording becomes an ``error`` row with its one-line
reason and never stops the rest. Recordings whose outputs are already complete for the same input
(sha256) and the same settings are skipped, so an interrupted batch resumes where it stopped.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import io
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import OximetryError, SettingsError

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .pipeline import AnalyzeRequest

__all__ = [
    "COHORT_COLUMNS",
    "RECORDING_SUFFIXES",
    "BatchResult",
    "BatchRow",
    "expand_inputs",
    "run_batch",
]

#: File endings picked up when a folder is given (case-insensitive).
RECORDING_SUFFIXES = (".edf", ".csv", ".txt")
#: Context file endings looked up in ``--contexts DIR``, in order.
CONTEXT_SUFFIXES = (".yaml", ".yml", ".json")
#: Columns of ``cohort.csv``, in order.
COHORT_COLUMNS = (
    "file",
    "status",
    "error",
    "sha256",
    "window",
    "duration_min",
    "valid_min",
    "t_le88_min",
    "t_le88_pct",
    "longest_le88_min",
    "t_lt90_min",
    "nadir_pct",
    "mean_pct",
    "odi3_per_h",
    "odi4_per_h",
    "awake_baseline_pct",
    "drop5_min",
    "n_sustained_desaturations",
    "pulse_mean_bpm",
    "determination",
)
#: Figures copied from the main window's metrics block.
_FIGURES = tuple(c for c in COHORT_COLUMNS[5:-1] if c != "n_sustained_desaturations")
_MARKER = ".oxi-batch.json"
_MARKER_SCHEMA = "oxi.batch-marker/1"
_REPORT_FILES = ("report.pdf", "trace.png")
_ALWAYS_FILES = ("summary.json", "events.csv")
_DECIMALS = 4
_MAX_CHUNK = 8

#: ``analyze(path, request, out_dir) -> summary dict``: the per-recording work.
Analyzer = Callable[[str, "AnalyzeRequest", str], Mapping[str, Any]]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class BatchRow:
    """One recording's line in ``cohort.csv``.

    Parameters
    ----------
    values : mapping of str to str
        Cell text keyed by :data:`COHORT_COLUMNS`.
    skipped : bool
        True when the outputs were already complete and the row was read back from them.
    """

    values: Mapping[str, str]
    skipped: bool = False

    @property
    def ok(self) -> bool:
        """True when the recording was analysed (now or earlier)."""
        return self.values.get("status") == "ok"


@dataclass(frozen=True)
class BatchResult:
    """What :func:`run_batch` did.

    Parameters
    ----------
    rows : tuple of BatchRow
        One per recording, in input order (as in ``cohort.csv``).
    table : Path
        The ``cohort.csv`` written.
    notes : tuple of str
        Remarks for the user (an input that matched no recording, ...).
    """

    rows: tuple[BatchRow, ...]
    table: Path
    notes: tuple[str, ...] = ()

    @property
    def n_ok(self) -> int:
        """Recordings with status ``ok`` (including skipped ones)."""
        return sum(r.ok for r in self.rows)

    @property
    def n_failed(self) -> int:
        """Recordings with status ``error``."""
        return sum(not r.ok for r in self.rows)

    @property
    def n_skipped(self) -> int:
        """Recordings whose outputs were already complete and were not redone."""
        return sum(r.skipped for r in self.rows)

    def describe(self) -> str:
        """Return one or two lines: counts and where the table is.

        Returns
        -------
        str
        """
        n = len(self.rows)
        counts = f"{self.n_ok} ok"
        if self.n_skipped:
            counts += f" ({self.n_skipped} already complete, skipped)"
        counts += f", {self.n_failed} failed"
        lines = [*(f"note: {x}" for x in self.notes)]
        lines.append(f"{n} recording{'s' if n != 1 else ''}: {counts}; table: {self.table}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- inputs


def expand_inputs(
    inputs: Sequence[str], *, exclude: Sequence[str | Path] = ()
) -> tuple[list[str], list[str]]:
    """Turn files, folders and glob patterns into a list of recording paths.

    Parameters
    ----------
    inputs : sequence of str
        As typed. A file is taken whatever its ending; a folder is searched recursively for
        files ending in :data:`RECORDING_SUFFIXES` (hidden files and folders are skipped); anything
        else is a glob pattern (``**`` allowed). A path that neither exists nor looks like a
        pattern is kept, so that it becomes an error row naming it.
    exclude : sequence of str or Path
        Folders whose contents are not taken from a folder or pattern (the batch's own output
        folder, unless it is the searched folder itself). oxi's own outputs (``events.csv``
        beside a ``summary.json``, ``cohort.csv``) are never taken from a folder or pattern.

    Returns
    -------
    paths : list of str
        In input order, each folder's or pattern's matches sorted; duplicates (the same file
        reached twice) removed, the first kept.
    notes : list of str
        One per input that matched no recording.
    """
    excluded = [os.path.realpath(x) for x in exclude]
    seen: set[str] = set()
    paths: list[str] = []
    notes: list[str] = []
    for arg in inputs:
        found = list(_expand_one(arg))
        explicit = found == [arg]
        # An output folder inside the searched one is skipped; the searched folder itself may be
        # the output folder (``oxi batch data --out data``): then oxi's own outputs are skipped.
        real_arg = os.path.realpath(arg) if os.path.isdir(arg) else None
        skip = [x for x in excluded if real_arg is None or not _within(real_arg, x)]
        kept = 0
        for p in found:
            real = os.path.realpath(p)
            if not explicit and (any(_within(real, x) for x in skip) or _is_oxi_output(p)):
                continue
            kept += 1
            if real not in seen:
                seen.add(real)
                paths.append(p)
        if not kept:
            notes.append(f"{arg!r} matched no recording")
    return paths, notes


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _is_oxi_output(path: str) -> bool:
    """Tell oxi's own outputs (``events.csv`` beside a ``summary.json``, ``cohort.csv``)."""
    folder, name = os.path.split(path)
    if name == "events.csv":
        return os.path.isfile(os.path.join(folder, "summary.json"))
    if name == "cohort.csv":
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                return fh.readline().rstrip("\r\n") == ",".join(COHORT_COLUMNS)
        except OSError:
            return False
    return False


def _expand_one(arg: str) -> Iterator[str]:
    if os.path.isdir(arg):
        yield from _walk(arg)
    elif os.path.isfile(arg) or not any(c in arg for c in "*?["):
        yield arg
    else:
        for match in sorted(glob.glob(arg, recursive=True)):
            if os.path.isdir(match):
                yield from _walk(match)
            elif os.path.isfile(match):
                yield match


def _walk(folder: str) -> Iterator[str]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith(".") and name.lower().endswith(RECORDING_SUFFIXES):
                found.append(os.path.join(root, name))
    yield from sorted(found, key=lambda p: Path(p).parts)


def _folder_names(paths: Sequence[str]) -> list[str]:
    """Name each recording's output folder: its stem, disambiguated deterministically.

    Recordings sharing a stem get the smallest number of parent folder names prefixed
    (``site1_night``, ``site2_night``) that tells them apart; files differing only by ending get
    it appended (``night_edf``); any clash left gets ``-2``, ``-3``, ... in input order.
    """
    stems = [Path(p).stem or Path(p).name for p in paths]
    names = list(stems)
    groups: dict[str, list[int]] = {}
    for i, s in enumerate(stems):
        groups.setdefault(s, []).append(i)
    for stem, idx in groups.items():
        if len(idx) < 2:
            continue
        parents = [_parent_parts(paths[i]) for i in idx]
        exts = [Path(paths[i]).suffix.lstrip(".") for i in idx]
        depth = max(len(x) for x in parents)
        tries = [(k, False) for k in range(1, depth + 1)]
        tries += [(k, True) for k in range(depth + 1)]
        for k, with_ext in tries:
            cand = [
                "_".join((*par[max(0, len(par) - k) :], stem, *((ext,) if with_ext else ())))
                for par, ext in zip(parents, exts, strict=True)
            ]
            if len(set(cand)) == len(cand):
                break
        for i, name in zip(idx, cand, strict=True):
            names[i] = name
    return _unique(names)


def _parent_parts(path: str) -> tuple[str, ...]:
    """Folder names of ``path`` as given, without root, ``.`` and ``..``."""
    parts = Path(os.path.normpath(path)).parent.parts
    return tuple(x for x in parts if x not in (".", "..") and x != Path(x).anchor)


def _find_context(contexts_dir: str, names: Sequence[str]) -> tuple[str | None, str | None]:
    """Return (context path, error) for a recording known by ``names`` (most specific first)."""
    for name in names:
        hits = [
            os.path.join(contexts_dir, name + s)
            for s in CONTEXT_SUFFIXES
            if os.path.isfile(os.path.join(contexts_dir, name + s))
        ]
        if len(hits) > 1:
            return None, (
                f"several context files for {name!r} in {contexts_dir}: "
                f"{[os.path.basename(h) for h in hits]}; keep one"
            )
        if hits:
            return hits[0], None
    return None, None


# --------------------------------------------------------------------------- the work


@dataclass(frozen=True)
class _Task:
    """Everything a worker needs for one recording (picklable, absolute paths)."""

    index: int
    label: str
    path: str
    out_dir: str
    request: AnalyzeRequest
    fingerprint: str
    force: bool
    sha256: str | None = None
    error: str | None = None
    analyze: Analyzer | None = field(default=None, compare=False)


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fingerprint(request: AnalyzeRequest) -> str:
    """Hash of everything that decides a recording's outputs, except the report switch.

    File options (context, hypnogram) enter by their content, not their path.
    """
    data: dict[str, Any] = asdict(request)
    data.pop("report", None)
    for key in ("context_path", "hypnogram"):
        p = data.pop(key, None)
        try:
            data[key + "_sha256"] = None if p is None else _sha256(p)
        except OSError:
            data[key + "_sha256"] = f"unreadable:{p}"
    data["oxi_version"] = __version__
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _default_analyze(path: str, request: AnalyzeRequest, out_dir: str) -> Mapping[str, Any]:
    from .pipeline import analyze_file

    return analyze_file(path, request, out_dir=out_dir).summary


#: In a pool worker: where to say which recording is starting (see :func:`_run_pool`).
_STARTED: Any = None


def _init_worker(started: Any = None) -> None:
    """Import oxi once per worker process, and leave Ctrl-C to the parent."""
    import importlib
    import signal

    global _STARTED
    _STARTED = started
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for mod in _PRELOAD:
        try:
            importlib.import_module(mod)
        except ImportError:  # pragma: no cover - a module not built yet
            pass


_PRELOAD = (
    "numpy",
    "oximetry.pipeline",
    "oximetry.io",
    "oximetry.io.edf",
    "oximetry.analysis",
    "oximetry.report",
    "criteria.context",
    "criteria.evaluate",
    "criteria.rules.masshealth",
    "criteria.rules.medicare",
)


def _run_chunk(tasks: Sequence[_Task]) -> list[tuple[int, BatchRow]]:
    """Worker entry point for the process pool: several recordings, one round trip."""
    done = []
    for t in tasks:
        if _STARTED is not None:
            _STARTED.put(t.index)
        done.append((t.index, _run_task(t)))
    return done


def _run_task(task: _Task) -> BatchRow:
    """Analyse one recording (or reuse its complete outputs); never raises."""
    sha = task.sha256
    try:
        if task.error is not None:
            return _error_row(task, task.error, sha)
        sha = sha or _sha256(task.path)
        out = Path(task.out_dir)
        if not task.force:
            summary = _complete_summary(out, sha, task.fingerprint, task.request.report)
            if summary is not None:
                return BatchRow(_row_values(task.label, sha, summary), skipped=True)
        (out / _MARKER).unlink(missing_ok=True)
        analyze = task.analyze or _default_analyze
        summary = analyze(task.path, task.request, task.out_dir)
        marker = {
            "schema": _MARKER_SCHEMA,
            "input_sha256": sha,
            "fingerprint": task.fingerprint,
            "report": bool(task.request.report),
        }
        _write_atomic(out / _MARKER, json.dumps(marker, indent=2) + "\n")
        return BatchRow(_row_values(task.label, sha, summary))
    except OximetryError as exc:
        reason = exc.reason if task.request.deidentify else str(exc)
        return _error_row(task, reason, sha)
    except Exception as exc:
        return _error_row(task, f"{type(exc).__name__}: {exc}", sha)


def _complete_summary(
    out: Path, sha: str, fingerprint: str, report: bool
) -> Mapping[str, Any] | None:
    """Return the earlier summary when ``out`` holds complete outputs for this input+settings."""
    try:
        marker = json.loads((out / _MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (
        isinstance(marker, dict)
        and marker.get("schema") == _MARKER_SCHEMA
        and marker.get("input_sha256") == sha
        and marker.get("fingerprint") == fingerprint
    ):
        return None
    needed = _ALWAYS_FILES + (_REPORT_FILES if report else ())
    if not all((out / f).is_file() for f in needed):
        return None
    try:
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return summary if isinstance(summary, dict) else None


def _error_row(task: _Task, reason: str, sha: str | None) -> BatchRow:
    # Messages name the file as the user gave it (and never by name when de-identifying).
    reason = " ".join(str(reason).split()).replace(task.path, task.label)
    if task.request.deidentify:
        reason = reason.replace(os.path.basename(task.path), task.label)
    values = dict.fromkeys(COHORT_COLUMNS, "")
    values.update(file=task.label, status="error", error=reason or "unknown error")
    values["sha256"] = sha or ""
    return BatchRow(values)


def _row_values(label: str, sha: str, summary: Mapping[str, Any]) -> dict[str, str]:
    """Return the cohort row of one analysed recording, from its summary.json content."""
    values = dict.fromkeys(COHORT_COLUMNS, "")
    values.update(file=label, status="ok", sha256=sha)
    metrics = summary.get("metrics") or {}
    window = summary.get("main_window")
    if window not in ("sleep", "presumed_sleep") or window not in metrics:
        window = next((k for k in ("sleep", "presumed_sleep") if k in metrics), None)
    if window is not None:
        block = metrics[window] or {}
        values["window"] = window
        for key in _FIGURES:
            values[key] = _cell(block.get(key))
        sustained = block.get("sustained_desaturations")
        if isinstance(sustained, list | tuple):
            values["n_sustained_desaturations"] = str(len(sustained))
        elif isinstance(sustained, int):
            values["n_sustained_desaturations"] = str(sustained)
    qualification = summary.get("qualification") or {}
    values["determination"] = _cell(qualification.get("determination"))
    return values


def _cell(value: Any) -> str:
    if hasattr(value, "item"):  # a numpy scalar: as the JSON file would hold it
        value = value.item()
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return repr(round(value, _DECIMALS) + 0.0)  # + 0.0: no "-0.0"
    return str(value)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _table_text(rows: Iterable[BatchRow]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COHORT_COLUMNS)
    for r in rows:
        w.writerow([r.values.get(c, "") for c in COHORT_COLUMNS])
    return buf.getvalue()


# --------------------------------------------------------------------------- running


def _default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _progress_bar(total: int, progress: bool) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit="rec",
        desc="oxi batch",
        file=sys.stderr,
        disable=None if progress else True,  # None: off when stderr is not a terminal
        dynamic_ncols=True,
    )


class _Tally:
    """Counts shown beside the progress bar."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self.ok = self.failed = self.skipped = 0

    def add(self, rows: Sequence[BatchRow]) -> None:
        for r in rows:
            self.ok += r.ok
            self.failed += not r.ok
            self.skipped += r.skipped
        counts = {"ok": self.ok, "failed": self.failed, "skipped": self.skipped}
        self.bar.set_postfix(counts, refresh=False)
        self.bar.update(len(rows))


def _run_serial(tasks: Sequence[_Task], tally: _Tally) -> dict[int, BatchRow]:
    rows: dict[int, BatchRow] = {}
    for t in tasks:
        rows[t.index] = _run_task(t)
        tally.add([rows[t.index]])
    return rows


def _mp_context() -> Any:
    import multiprocessing as mp

    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(list(_PRELOAD))
        return ctx
    return mp.get_context("spawn")  # pragma: no cover - Windows


def _chunks(tasks: Sequence[_Task], jobs: int) -> list[list[_Task]]:
    """Split into chunks: about four per worker, at most a few recordings each."""
    size = max(1, min(_MAX_CHUNK, len(tasks) // (jobs * 4)))
    return [list(tasks[i : i + size]) for i in range(0, len(tasks), size)]


def _run_pool(tasks: Sequence[_Task], jobs: int, tally: _Tally) -> dict[int, BatchRow]:
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
        groups: list[tuple[int, list[list[_Task]]]] = []
        if shared:
            groups.append((jobs, _chunks(shared, jobs) if first else [[t] for t in shared]))
        groups.extend((1, [[t]]) for t in alone)
        first = False
        for n_workers, chunks in groups:
            n_done = len(rows)
            broken, started = _pool_round(chunks, n_workers, rows, tally, BrokenProcessPool)
            if broken and len(rows) == n_done and not started:  # the pool cannot start
                rows.update(_run_serial(broken, tally))
                continue
            for t in broken:
                if t.index in started:
                    suspected[t.index] = suspected.get(t.index, 0) + 1
                if n_workers == 1 and t.index in started:
                    row = _error_row(t, "the worker process died while analysing this file", None)
                    rows[t.index] = row
                    tally.add([row])
                else:
                    pending.append(t)
    return rows


def _pool_round(
    chunks: Sequence[list[_Task]],
    n_workers: int,
    rows: dict[int, BatchRow],
    tally: _Tally,
    broken_exc: type[BaseException],
) -> tuple[list[_Task], set[int]]:
    """Run one pool; return the tasks lost to a dead worker and the indices that had started."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = _mp_context()
    started_queue = ctx.SimpleQueue()
    broken: list[_Task] = []
    ex = ProcessPoolExecutor(
        max_workers=min(n_workers, len(chunks)),
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(started_queue,),
    )
    try:
        futures: dict[Future[list[tuple[int, BatchRow]]], list[_Task]] = {
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
                    (t.index, _error_row(t, f"{type(exc).__name__}: {exc}", None))
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
        raise
    ex.shutdown(wait=True)
    started: set[int] = set()
    if broken:
        while not started_queue.empty():
            started.add(started_queue.get())
    started_queue.close()
    return broken, started


def _run_dask(
    tasks: Sequence[_Task], scheduler: str, jobs: int, tally: _Tally
) -> dict[int, BatchRow]:
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
            futures = client.map(_run_task, list(tasks), pure=False)
            index = {f.key: t for f, t in zip(futures, tasks, strict=True)}
            for fut in as_completed(futures):
                t = index[fut.key]
                try:
                    row = fut.result()
                except Exception as exc:  # KilledWorker: the file kept killing workers
                    row = _error_row(t, f"{type(exc).__name__}: {exc}", None)
                rows[t.index] = row
                tally.add([row])
                fut.release()
    finally:
        if cluster is not None:
            cluster.close()
    return rows


def run_batch(
    inputs: Sequence[str],
    out_dir: Path,
    *,
    request: AnalyzeRequest,
    contexts_dir: str | None = None,
    jobs: int | None = None,
    force: bool = False,
    scheduler: str | None = None,
    progress: bool = True,
    analyze: Analyzer | None = None,
) -> BatchResult:
    """Analyse many recordings and write ``out_dir/cohort.csv`` (SPEC §11).

    Parameters
    ----------
    inputs : sequence of str
        Files, folders (searched recursively for .edf, .csv, .txt) and glob patterns.
    out_dir : Path
        Each recording's outputs go to ``out_dir/<recording name>/``; the table to
        ``out_dir/cohort.csv``.
    request : AnalyzeRequest
        The analysis options, the same for every recording (``request.context_path`` is the
        ``--context`` for all).
    contexts_dir : str, optional
        Per-recording contexts: ``contexts_dir/<name>.yaml`` (or ``.yml``, ``.json``), where
        ``<name>`` is the output folder's name or else the file's stem; none found means no
        context. Cannot be combined with ``request.context_path``.
    jobs : int, optional
        Worker processes (default: every core this process may use). ``1`` runs in this process.
    force : bool
        Redo recordings whose outputs are already complete.
    scheduler : str, optional
        A Dask distributed scheduler address (``tcp://host:8786``) to run on, or ``"local"`` for a
        ``LocalCluster`` of ``jobs`` processes. Needs the ``oxi[dask]`` extra.
    progress : bool
        Show a progress bar (counts and ETA) on stderr when it is a terminal.
    analyze : callable, optional
        ``analyze(path, request, out_dir) -> summary`` replacing the pipeline (tests); must be
        picklable for the process pool.

    Returns
    -------
    BatchResult

    Raises
    ------
    OximetryError
        No recording found, bad options, an unusable output folder or ``--context`` file.
        Problems with one recording never raise: they become its error row.
    """
    if jobs is not None and jobs < 1:
        raise SettingsError(f"Invalid --jobs {jobs}: expected a whole number >= 1")
    if contexts_dir is not None and request.context_path is not None:
        raise SettingsError("give either --context FILE (for all) or --contexts DIR, not both")
    if contexts_dir is not None and not os.path.isdir(contexts_dir):
        raise OximetryError("--contexts: no such folder", contexts_dir)
    if request.context_path is not None:
        _check_context(request.context_path)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OximetryError("--out exists and is not a folder", out_dir)
    n_jobs = jobs or _default_jobs()

    paths, notes = expand_inputs(inputs, exclude=[out_dir])
    if not paths:
        raise OximetryError(
            f"no recordings found in {list(inputs)} (folders are searched for "
            f"{', '.join(RECORDING_SUFFIXES)})"
        )
    tasks = _make_tasks(paths, out_dir, request, contexts_dir, force, analyze)
    out_dir.mkdir(parents=True, exist_ok=True)

    with _progress_bar(len(tasks), progress) as bar:
        tally = _Tally(bar)
        if scheduler is not None:
            by_index = _run_dask(tasks, scheduler, n_jobs, tally)
        elif n_jobs == 1 or len(tasks) == 1:
            by_index = _run_serial(tasks, tally)
        else:
            by_index = _run_pool(tasks, n_jobs, tally)
    rows = tuple(by_index[t.index] for t in tasks)
    table = out_dir / "cohort.csv"
    _write_atomic(table, _table_text(rows))
    return BatchResult(rows, table, tuple(notes))


def _check_context(path: str) -> None:
    """Fail the whole batch early (exit 2) on a ``--context`` file that cannot be used."""
    if not os.path.isfile(path):
        raise OximetryError("--context: no such file", path)
    try:
        from criteria.context import load_context
    except ImportError:  # pragma: no cover - criteria not built yet
        return
    load_context(path)


def _make_tasks(
    paths: Sequence[str],
    out_dir: Path,
    request: AnalyzeRequest,
    contexts_dir: str | None,
    force: bool,
    analyze: Analyzer | None,
) -> list[_Task]:
    hashes: list[str | None] = [None] * len(paths)
    errors: list[str | None] = [None] * len(paths)
    for i, p in enumerate(paths):
        if not os.path.exists(p):
            errors[i] = f"{os.path.abspath(p)}: no such file"
        elif os.path.isdir(p):
            errors[i] = f"{os.path.abspath(p)}: is a directory, expected a recording file"
    # Workers may run elsewhere (Dask): every path they get is absolute.
    request = replace(
        request,
        context_path=_abs(request.context_path),
        hypnogram=_abs(request.hypnogram),
    )
    if request.deidentify:
        # Folders and the table are named after the file's hash, never its name.
        for i, p in enumerate(paths):
            if errors[i] is None:
                try:
                    hashes[i] = _sha256(p)
                except OSError as exc:
                    errors[i] = f"cannot read the file ({type(exc).__name__})"
        names = _unique([h[:16] if h else f"unreadable-{i + 1}" for i, h in enumerate(hashes)])
        labels = names
    else:
        names = _folder_names(paths)
        labels = list(paths)
    base_fp: str | None = None
    tasks = []
    for i, p in enumerate(paths):
        req = request
        fingerprint = base_fp
        if contexts_dir is not None:
            ctx, ctx_err = _find_context(contexts_dir, [names[i], Path(p).stem])
            errors[i] = errors[i] or ctx_err
            if ctx is not None:
                req = replace(request, context_path=os.path.abspath(ctx))
                fingerprint = None
        if fingerprint is None:
            fingerprint = _fingerprint(req)
            if req is request:
                base_fp = fingerprint
        tasks.append(
            _Task(
                index=i,
                label=labels[i],
                path=os.path.abspath(p),
                out_dir=os.path.abspath(out_dir / names[i]),
                request=req,
                fingerprint=fingerprint,
                force=force,
                sha256=hashes[i],
                error=errors[i],
                analyze=analyze,
            )
        )
    return tasks


def _abs(path: str | None) -> str | None:
    return None if path is None else os.path.abspath(path)


def _unique(names: Sequence[str]) -> list[str]:
    used: set[str] = set()
    out = []
    for name in names:
        base, n = name, 1
        while name in used:
            n += 1
            name = f"{base}-{n}"
        used.add(name)
        out.append(name)
    return out
