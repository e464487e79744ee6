"""``run_batch``: plan the tasks, run them, write ``cohort.csv``."""

from __future__ import annotations

import os
import shlex
import stat
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from oximetry.errors import OximetryError, SettingsError
from oximetry.io import sha256_of
from oximetry.io.join import night_sha256
from oximetry.report.atomic import remove_temporaries, write_atomic
from oximetry.report.outputs import OUTPUT_NAMES

from ..pipeline import AnalyzeRequest, same_file
from ..qualify import load_context
from .dask_runner import run_dask
from .inputs import (
    RECORDING_SUFFIXES,
    expand_inputs,
    find_context,
    folder_bases,
    unique_names,
)
from .local import Tally, default_jobs, progress_bar, run_pool, run_serial
from .nights import UNIDENTIFIED_GAP_S, FileScan, KeptApart, group_nights
from .table import BatchRow, table_text
from .worker import MARKER, Analyzer, Task, remove_left_temporaries, settings_fingerprint

__all__ = ["BatchResult", "run_batch"]


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
    join_nights: bool = False,
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
        picklable for the process pool. ``path`` is a list of files for a joined night.
    join_nights : bool
        Join the files of one night into one recording (``--join-nights``): every file is read
        first, then grouped by :func:`oxi.batch.nights.group_nights`; one row per night.

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
    cores = default_jobs()
    n_jobs = jobs or cores

    paths, notes = expand_inputs(inputs, exclude=[out_dir])
    if not paths:
        raise OximetryError(
            f"no recordings found in {list(inputs)} (folders are searched for "
            f"{', '.join(RECORDING_SUFFIXES)})"
        )
    table = out_dir / "cohort.csv"
    for given in (*paths, request.context_path, request.hypnogram, request.annotations):
        if given is not None and same_file(table, given):
            raise OximetryError(
                f"an input of this batch; --out {out_dir} would write cohort.csv over it "
                "(give another --out)",
                given,
            )
    scans: list[FileScan | None] = [None] * len(paths)
    failed: dict[int, str] = {}
    nights = [[i] for i in range(len(paths))]
    if join_nights:
        n_scan = _capped(jobs or cores, len(paths), cores)
        scans, failed = _scan_files(paths, request, scheduler, n_scan, progress)
        nights, night_notes, apart = group_nights(scans)
        notes.extend(night_notes)
        notes.extend(_kept_apart_notes(apart, paths, scans, request.deidentify))
    if request.hypnogram is not None and len(nights) > 1:
        # A hypnogram stages one night: laid over every recording of the batch, it set aside
        # another night's own staging, and that night's 15 min at 85 % awake QUALIFIED as sleep
        raise SettingsError(
            f"--hypnogram stages one night, and this batch holds {len(nights)} recordings: each "
            "would be analysed with that night's staging (give it to oxi analyze with its own "
            "recording)"
        )
    tasks = _make_tasks(
        paths, nights, scans, failed, out_dir, request, contexts_dir, force, analyze
    )
    _refuse_writing_over_inputs(
        tasks, out_dir, [*paths, request.context_path, request.hypnogram, request.annotations]
    )
    if scheduler is None and n_jobs > min(len(tasks), cores):
        capped = _capped(n_jobs, len(tasks), cores)
        if jobs is not None:
            notes.append(
                f"--jobs {jobs} capped at {capped} ({len(tasks)} recording(s), {cores} core(s))"
            )
        n_jobs = capped
    out_dir.mkdir(parents=True, exist_ok=True)
    # The table of an earlier run goes first: a run stopped before its end (Ctrl-C, a killed
    # machine) left it beside the folders it had redone, its rows the old figures of nights
    # analysed again. The next run writes a new one; the folders resume.
    table.unlink(missing_ok=True)
    # A run killed mid-write (kill -9, a power cut) left hidden temporaries beside the folders
    # and the table; oxi's own, named after them, are removed (those inside a folder by its task).
    remove_temporaries(out_dir, files=[table.name])
    remove_left_temporaries(tasks, inside=False)

    by_index = _run(tasks, scheduler, n_jobs, progress, "oxi batch")
    rows = tuple(by_index[t.index] for t in tasks)
    write_atomic(table, table_text(rows))
    return BatchResult(rows, table, tuple(notes))


def _capped(n_jobs: int, n_tasks: int, cores: int) -> int:
    return max(1, min(n_jobs, n_tasks, cores))


def _run(
    tasks: Sequence[Task], scheduler: str | None, n_jobs: int, progress: bool, desc: str
) -> dict[int, BatchRow]:
    """Run tasks where the batch runs: Dask, this process, or the process pool."""
    with progress_bar(len(tasks), progress, desc) as bar:
        tally = Tally(bar)
        if scheduler is not None:
            return run_dask(tasks, scheduler, n_jobs, tally)
        if n_jobs == 1 or len(tasks) == 1:
            return run_serial(tasks, tally)
        return run_pool(tasks, n_jobs, tally)


def _scan_files(
    paths: Sequence[str],
    request: AnalyzeRequest,
    scheduler: str | None,
    n_jobs: int,
    progress: bool,
) -> tuple[list[FileScan | None], dict[int, str]]:
    """Read every file once, where the analysis will run, for :func:`group_nights`.

    Returns each file's scan (None when it could not be read: it is then a row of its own) and,
    by index, the error of a file whose reading was a bug or killed its worker (its row).
    """
    tasks = [
        Task(
            index=i,
            label=p,
            path=os.path.abspath(p),
            out_dir="",
            request=request,
            fingerprint="",
            force=False,
            scan=True,
        )
        for i, p in enumerate(paths)
        if os.path.isfile(p)
    ]
    if not tasks:
        return [None] * len(paths), {}
    by_index = _run(tasks, scheduler, n_jobs, progress, "oxi batch: reading")
    scans = [by_index[i].scan if i in by_index else None for i in range(len(paths))]
    failed = {i: r.values["error"] for i, r in by_index.items() if r.values.get("error")}
    return scans, failed


def _kept_apart_notes(
    apart: Sequence[KeptApart],
    paths: Sequence[str],
    scans: Sequence[FileScan | None],
    deidentify: bool,
) -> list[str]:
    """Say, for each pair of rows kept apart for want of a patient identifier, how to join them.

    Two patients' O2Ring exports in one folder, 2 h apart, were one night; now they are two rows,
    and these lines say which file each was not joined with and why, so that one patient's night
    split by a longer pause is joined deliberately (``oxi analyze A B``), never by a guess.
    """
    notes = []
    for a in apart:
        if deidentify:  # by the files' sha256 prefixes, never their names
            kept = [scans[i] for i in (*a.before, *a.after)]
            names = [s.sha256[:16] for s in kept if s is not None]  # (kept apart: all read)
            first, last = names[len(a.before)], names[len(a.before) - 1]
            how = f"give oxi analyze its files together ({', '.join(names)})"
        else:
            files = [paths[i] for i in (*a.before, *a.after)]
            first, last = paths[a.after[0]], paths[a.before[-1]]
            how = "oxi analyze " + " ".join(shlex.quote(f) for f in files)
        notes.append(
            f"--join-nights: {first} was not joined with {last}, which ended "
            f"{a.pause_s / 60:.1f} min before it started: neither file holds a patient "
            "identifier, so nothing shows they are one patient's (files without one are joined "
            f"only across pauses of at most {UNIDENTIFIED_GAP_S / 60:.0f} min, as one "
            f"recording's parts); if they are one patient's night, {how}"
        )
    return notes


def _refuse_writing_over_inputs(
    tasks: Sequence[Task], out_dir: Path, given: Sequence[str | None]
) -> None:
    """Refuse the batch when a recording's output would replace an input of it (SPEC §10).

    ``oxi batch data --out data`` with ``data/a.csv`` beside an oximetry export saved as
    ``data/a/events.csv`` wrote a.csv's events table over that recording: each analysis checks
    only its own inputs. Refused before anything is written, as for ``cohort.csv``: the clash is
    the command's layout, not a fault of either recording, and the next run of the same command
    would meet it again (the destroyed recording, now beside a ``summary.json``, was even taken
    for an output and left out). Files are compared by device and inode, once each, so a batch of
    thousands costs one ``stat`` per output name and recording.
    """
    inputs: dict[tuple[int, int], str] = {}
    for item in (*given, *(t.request.context_path for t in tasks)):
        if item is None:
            continue
        try:
            st = os.stat(item)
        except OSError:
            continue  # not there: nothing to write over (a missing file is its own error row)
        inputs.setdefault((st.st_dev, st.st_ino), item)
    for t in tasks:
        # the output folder itself: a device file without an ending (an O2Ring-S night named
        # 20260105220000) in the folder given as --out is where its own folder would go
        try:
            folder = os.stat(t.out_dir)
        except OSError:
            folder = None
        hit = None if folder is None else inputs.get((folder.st_dev, folder.st_ino))
        if hit is not None:
            raise OximetryError(
                f"an input of this batch; --out {out_dir} would put the output folder of "
                f"{t.label} in its place (give another --out)",
                hit,
            )
        for name in (*OUTPUT_NAMES.values(), MARKER):
            target = os.path.join(t.out_dir, name)
            try:
                st = os.stat(target)
            except OSError:
                continue
            hit = inputs.get((st.st_dev, st.st_ino))
            if hit is not None:
                written = out_dir / Path(t.out_dir).name / name
                raise OximetryError(
                    f"an input of this batch; --out {out_dir} would write {written} (an output "
                    f"of {t.label}) over it (give another --out)",
                    hit,
                )


def _check_context(path: str) -> None:
    """Fail the whole batch early (exit 2) on a ``--context`` file that cannot be used."""
    if not os.path.exists(path):
        raise OximetryError("--context: no such file", path)
    if stat.S_ISFIFO(os.stat(path).st_mode):
        # oxi analyze reads a pipe (--context /dev/stdin); a batch reads its context again for
        # every recording, and a pipe gives its text once: the first check here took it and
        # each recording was an error row, "a pipe nothing was written to"
        raise OximetryError(
            "--context: a pipe gives its text once, and a batch reads the context for every "
            "recording; give a file",
            path,
        )
    # anything else there (a directory, a device) is refused by the reader as what it is: a
    # FIFO was said to be "no such file"

    load_context(path)


def _make_tasks(
    paths: Sequence[str],
    nights: Sequence[Sequence[int]],
    scans: Sequence[FileScan | None],
    failed: Mapping[int, str],
    out_dir: Path,
    request: AnalyzeRequest,
    contexts_dir: str | None,
    force: bool,
    analyze: Analyzer | None,
) -> list[Task]:
    """One task per night: one file, or the files of a night joined from several."""
    hashes: list[str | None] = [None if s is None else s.sha256 for s in scans]
    errors: list[str | None] = [failed.get(i) for i in range(len(paths))]
    for i, p in enumerate(paths):
        if not os.path.exists(p):
            errors[i] = f"{os.path.abspath(p)}: no such file"
        elif os.path.isdir(p):
            errors[i] = _folder_error(p)
    # Workers may run elsewhere (Dask): every path they get is absolute.
    request = replace(
        request,
        context_path=_abs(request.context_path),
        hypnogram=_abs(request.hypnogram),
    )
    if request.deidentify:
        # Folders and the table are named after the file's hash, never its name.
        for i, p in enumerate(paths):
            if errors[i] is None and hashes[i] is None:
                try:
                    hashes[i] = sha256_of(p)
                except OximetryError as exc:
                    errors[i] = exc.reason
    night_sha: list[str | None] = []
    for night in nights:
        if len(night) == 1:
            night_sha.append(hashes[night[0]])
        else:  # every file of a joined night was read (scanned), so its hash is known
            night_sha.append(night_sha256([str(hashes[i]) for i in night]))
    first_bases = folder_bases([paths[n[0]] for n in nights])
    firsts = unique_names(first_bases)
    plain = unique_names(
        [f"{f}+{len(n) - 1}" if len(n) > 1 else f for f, n in zip(firsts, nights, strict=True)]
    )
    # Each night's folder names before the -2, -3 of a clash: a name two nights share there is
    # the first-listed one's only by the input order.
    bases = [
        {f"{f}+{len(n) - 1}" if len(n) > 1 else f} for f, n in zip(first_bases, nights, strict=True)
    ]
    if request.deidentify:
        hashed = [h[:16] if h else f"unreadable-{k + 1}" for k, h in enumerate(night_sha)]
        names = unique_names(hashed)
        labels = names
        for k, h in enumerate(hashed):
            bases[k].add(h)
    else:
        names = plain
        labels = [" + ".join(paths[i] for i in n) for n in nights]
    lookup = None
    if contexts_dir is not None:
        stems = [Path(paths[n[0]]).stem for n in nights]
        folders = [{names[k], plain[k], *b} for k, b in enumerate(bases)]
        later = [[Path(paths[i]).stem for i in n[1:]] for n in nights]
        lookup = _ContextLookup(
            contexts_dir, names, plain, folders, stems, request.deidentify, later
        )
    base_fp: str | None = None
    tasks = []
    for k, night in enumerate(nights):
        first = paths[night[0]]
        error = errors[night[0]] if len(night) == 1 else None
        req = request
        fingerprint = base_fp
        why_none = None
        if lookup is not None:
            ctx, ctx_err, why_none = lookup.find(k)
            error = error or ctx_err
            if ctx is not None:
                req = replace(request, context_path=os.path.abspath(ctx))
                fingerprint = None
        note = why_none or _context_note(
            req.context_path, contexts_dir, names[k], request.deidentify
        )
        if fingerprint is None:
            fingerprint = settings_fingerprint(req)
            if req is request:
                base_fp = fingerprint
        parts: tuple[str, ...] = ()
        part_labels: tuple[str, ...] = ()
        if len(night) > 1:
            parts = tuple(os.path.abspath(paths[i]) for i in night)
            part_labels = tuple(
                str(hashes[i])[:16] if request.deidentify else paths[i] for i in night
            )
        tasks.append(
            Task(
                index=k,
                label=labels[k],
                path=os.path.abspath(first),
                out_dir=os.path.abspath(out_dir / names[k]),
                request=req,
                fingerprint=fingerprint,
                force=force,
                sha256=night_sha[k],
                error=error,
                analyze=analyze,
                context_note=note,
                parts=parts,
                part_labels=part_labels,
            )
        )
    return tasks


def _folder_error(path: str) -> str:
    """Return the error row's reason for a folder among the recordings.

    A folder the search could not list (``expand_inputs``) is one: its row says so, where it
    was left out without a word and the batch said "1 recording: 1 ok", exit 0.
    """
    try:
        with os.scandir(path):
            pass
    except OSError as exc:
        return (
            f"{os.path.abspath(path)}: cannot read this folder ({exc.strerror}): "
            "the recordings in it are not in this table"
        )
    return f"{os.path.abspath(path)}: is a directory, expected a recording file"


class _ContextLookup:
    """Find each night's context in ``--contexts DIR``, by a name that is its alone.

    A night answers to its output folder's name (``names``, and ``plain``: the name it has
    without ``--deidentify``) and else its first file's stem. A context file decides a night
    only when no other night of the batch answers to its name: as a folder name (``folders``:
    its names, and those before the ``-2`` of a clash) or, for a stem, as a stem too.
    ``siteA/night00.csv`` (folder ``siteA_night00``) and ``siteA_night00.csv`` (its stem; folder
    ``siteA_night00-2``) both took ``siteA_night00.yaml``, one patient's context qualifying
    another's night; listed the other way round, the folder name went to the other file. Such a
    name decides none of them: each with a context file of that name is an error row saying so.
    Names are compared regardless of letter case and Unicode normalisation (:func:`_name_key`).

    A night joined from several files (``--join-nights``) takes one context: a file of it after
    the first with a context of its own (``later``: their stems) that is not the night's is an
    error row. Two exports 10 min apart, A's normal 2 h and B's 4 h with 30 min at 85 %, each
    with its patient's context, were one night judged under A's context, and qualified; B's
    context was passed over without a word.
    """

    def __init__(
        self,
        contexts_dir: str,
        names: Sequence[str],
        plain: Sequence[str],
        folders: Sequence[Collection[str]],
        stems: Sequence[str],
        deidentify: bool,
        later: Sequence[Sequence[str]] = (),
    ) -> None:
        self.contexts_dir = contexts_dir
        self.names, self.plain, self.folders, self.stems = names, plain, folders, stems
        self.deidentify = deidentify
        self.later = later
        self.by_folder: dict[str, set[int]] = {}
        self.by_stem: dict[str, set[int]] = {}
        for k in range(len(names)):
            for name in folders[k]:
                self.by_folder.setdefault(_name_key(name), set()).add(k)
            self.by_stem.setdefault(_name_key(stems[k]), set()).add(k)

    def _others(self, k: int, name: str, as_folder: bool) -> set[int]:
        """Return the other nights answering to ``name``.

        A folder name is more specific than a stem: ``night.edf``, folder ``night``, keeps
        ``night.yaml`` beside ``site1/night.edf`` and ``site2/night.edf`` (whose stem it is).
        """
        others = set(self.by_folder.get(_name_key(name), ()))
        if not as_folder:
            others |= self.by_stem.get(_name_key(name), set())
        return others - {k}

    def find(self, k: int) -> tuple[str | None, str | None, str | None]:
        """Return (context path, error, ``context`` cell when the lookup failed) for night ``k``."""
        ctx, err, note = self._find_own(k)
        if err is not None:
            return ctx, err, note
        for stem in self.later[k] if k < len(self.later) else ():
            other, other_err = find_context(self.contexts_dir, [stem], deidentify=True)
            if (other is None and other_err is None) or (
                other is not None and ctx is not None and _same_content(other, ctx)
            ):
                continue
            shown = "" if self.deidentify else f" ({stem!r})"
            return (
                None,
                (
                    f"a file of this night after the first has a context of its own in --contexts"
                    f"{shown}, not the night's: a night joined from several files takes one "
                    "context; give the night one (or the same in each file's name), or analyse "
                    "the files without --join-nights"
                ),
                "no context: its files have different contexts (see error)",
            )
        return ctx, None, note

    def _find_own(self, k: int) -> tuple[str | None, str | None, str | None]:
        quiet = self.deidentify
        # its folder's name before the -2 of a clash too: it may be what the context was named
        # after, and is then another night's as well (an error row, whichever is listed first)
        folders = (self.names[k], self.plain[k], *sorted(self.folders[k]))
        for name in dict.fromkeys((*folders, self.stems[k])):
            ctx, err = find_context(self.contexts_dir, [name], deidentify=quiet)
            if ctx is None and err is None:
                continue
            as_folder = name in folders
            others = self._others(k, name, as_folder)
            if others:
                return (
                    None,
                    self._ambiguous(k, name, as_folder, others),
                    (
                        "no context: the context file named after it is another recording's name "
                        "too (see error)"
                    ),
                )
            if err is not None:
                # the cell said "no n1.yaml ..." beside the error "several context files ..."
                return None, err, "no context: several context files for it (see error)"
            return ctx, None, None
        return None, None, None

    def _ambiguous(self, k: int, name: str, as_folder: bool, others: set[int]) -> str:
        shown = "" if self.deidentify else f" ({name!r})"
        own = self.names[k]
        if not self._others(k, own, True):
            advice = f"name it after the output folder, {own!r}"
        else:
            advice = (
                "rename one of the files, or give this recording its context with "
                "oxi analyze --context"
            )
        if not as_folder and not self.by_folder.get(_name_key(name), set()) - {k}:
            return (
                f"{len(others) + 1} recordings share the file name the context in --contexts "
                f"is named after{shown}: {advice}"
            )
        return (
            f"the name of the context in --contexts{shown} is another recording's too (its "
            f"output folder or file name; {len(others) + 1} recordings of this batch go by it): "
            f"it decides none of them; {advice}"
        )


def _name_key(name: str) -> str:
    """Return ``name`` as compared when telling whether two recordings go by one name.

    Names that differ only by letter case or Unicode normalisation are one name: "José" typed
    (NFC) and "José" copied from a Mac (NFD, "e" and a combining accent) look the same, and a
    filesystem may hold them as one (macOS, a Windows share), so ``José.yaml`` was the NFC
    recording's alone while the other ``site1/José.edf``, the patient it was written for, had
    none; the same bytes would have made both error rows.
    """
    return unicodedata.normalize("NFC", name).casefold()


def _same_content(a: str, b: str) -> bool:
    try:
        return sha256_of(a) == sha256_of(b)
    except OximetryError:
        return False  # unreadable: not known to be the night's


def _context_note(
    context_path: str | None, contexts_dir: str | None, name: str, deidentify: bool
) -> str:
    """Return the ``context`` cell: the context file used, or why the recording has none."""
    if context_path is not None:
        if deidentify:  # a context file may be named after the patient
            try:
                return f"context sha256 {sha256_of(context_path)[:16]}"
            except OximetryError:
                return "context (unreadable)"
        return os.path.basename(context_path)
    if contexts_dir is not None:
        return f"no context: no {name}.yaml, .yml or .json in --contexts"
    return "no context: none given (--context / --contexts)"


def _abs(path: str | None) -> str | None:
    return None if path is None else os.path.abspath(path)
