"""The work for one recording, as a worker runs it: analyse, or reuse complete outputs.

Runs in pool worker processes and on Dask workers, so everything it gets is picklable and every
path absolute. It never raises: whatever goes wrong becomes the recording's error row.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from oximetry import __version__
from oximetry.errors import OximetryError, deidentified_reason, withhold_quoted
from oximetry.io import sha256_of
from oximetry.io.nsrr_xml import find_xml_beside
from oximetry.io.wfdb_record import record_companions
from oximetry.report.atomic import remove_temporaries, write_atomic
from oximetry.report.outputs import OUTPUT_NAMES

from ..pipeline import AnalyzeRequest, analyze_file, refused_by_system
from .nights import scan_file
from .table import COHORT_COLUMNS, BatchRow, row_values

__all__ = [
    "EARLIER",
    "MARKER",
    "Analyzer",
    "Task",
    "error_row",
    "names_sha256",
    "remove_left_temporaries",
    "run_task",
    "set_aside_earlier_outputs",
    "settings_fingerprint",
]

MARKER = ".oxi-batch.json"
#: Where an error row's earlier outputs go, inside its folder (:func:`set_aside_earlier_outputs`).
EARLIER = "earlier-outputs"
_MARKER_SCHEMA = "oxi.batch-marker/1"
_REPORT_FILES = ("report.pdf", "trace.png")
_ALWAYS_FILES = ("summary.json", "events.csv")

#: ``analyze(path, request, out_dir) -> summary dict``: the per-recording work; ``path`` is one
#: file, or the list of a joined night's files (``--join-nights``).
Analyzer = Callable[[str | list[str], "AnalyzeRequest", str], Mapping[str, Any]]


@dataclass(frozen=True)
class Task:
    """Everything a worker needs for one recording (picklable, absolute paths).

    ``parts`` (with ``part_labels``, how each is named in the row) are the files of a night
    joined from several, in time order; ``path`` is then the first. ``scan`` asks only to read
    the file for :func:`oxi.batch.nights.group_nights`.
    """

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
    context_note: str = ""
    parts: tuple[str, ...] = ()
    part_labels: tuple[str, ...] = ()
    scan: bool = False


def settings_fingerprint(request: AnalyzeRequest) -> str:
    """Hash of everything that decides a recording's outputs, except the report switch.

    File options (context, hypnogram) enter by their content, not their path.
    """
    data: dict[str, Any] = asdict(request)
    data.pop("report", None)
    for key in ("context_path", "hypnogram"):
        p = data.pop(key, None)
        try:
            data[key + "_sha256"] = None if p is None else sha256_of(p)
        except OximetryError:
            data[key + "_sha256"] = f"unreadable:{p}"
    data["oxi_version"] = __version__
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def default_analyze(
    path: str | list[str], request: AnalyzeRequest, out_dir: str
) -> Mapping[str, Any]:
    return analyze_file(path, request, out_dir=out_dir).summary


def _scan_task(task: Task) -> BatchRow:
    """Read one file for the grouping of ``--join-nights``; never raises.

    A file that cannot be read has no scan: it becomes a row of its own, whose analysis then
    fails as it would without ``--join-nights``. A bug is not bad input: its row says so.
    """
    try:
        return BatchRow({"status": "ok"}, scan=scan_file(task.path, task.request))
    except OximetryError:
        return BatchRow({"status": "error"})
    except Exception as exc:  # a bug in oxi, said so; its message may quote data
        where = type(exc).__name__ if task.request.deidentify else f"{type(exc).__name__}: {exc}"
        return BatchRow({"status": "error", "error": f"internal error (a bug in oxi): {where}"})


def run_task(task: Task) -> BatchRow:
    """Analyse one recording (or reuse its complete outputs); never raises."""
    if task.scan:
        return _scan_task(task)
    sha = task.sha256
    try:
        if task.error is not None:
            return error_row(task, task.error, sha)
        sha = sha or sha256_of(task.path)
        out = Path(task.out_dir)
        # what a run stopped mid-write (kill -9, a power cut) left in the folder, written in place
        remove_temporaries(out, files=_OWN_FILES)
        files = list(task.parts) if task.parts else [task.path]
        names = names_sha256(files)
        if not task.force:
            summary = _complete_summary(out, sha, task.fingerprint, task.request.report, names)
            if (
                summary is not None
                and _same_annotation_files(summary, files)
                and _same_companion_files(summary, files)
            ):
                return BatchRow(
                    row_values(task.label, sha, summary, task.context_note), skipped=True
                )
        (out / MARKER).unlink(missing_ok=True)
        analyze = task.analyze or default_analyze
        target: str | list[str] = files if task.parts else task.path
        summary = analyze(target, task.request, task.out_dir)
        marker = {
            "schema": _MARKER_SCHEMA,
            "input_sha256": sha,
            # what the files' names decide (an O2Ring-S or Viatom start, the words
            # --deidentify scrubs), by a digest: never a name, which may be the patient's
            "names_sha256": names,
            "fingerprint": task.fingerprint,
            "report": bool(task.request.report),
            # Binds the outputs: a summary.json rewritten since (another oxi analyze --out into
            # this folder, or an edit) is not this run's, and is redone, never copied.
            "summary_sha256": sha256_of(out / "summary.json"),
        }
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(out / MARKER, json.dumps(marker, indent=2) + "\n")
        _remove_earlier_outputs(out)
        return BatchRow(row_values(task.label, sha, summary, task.context_note))
    except OximetryError as exc:
        # De-identified: the reason, without the path or anything quoted from the file.
        reason = _deidentified(task, exc) if task.request.deidentify else str(exc)
        return error_row(task, reason, sha)
    except Exception as exc:  # a bug in oxi, said so; its message may quote data
        if isinstance(exc, OSError) and refused_by_system(exc):
            # a full disk or an output folder in the way is the machine's, not a bug in oxi
            hidden = task.request.deidentify or exc.filename is None
            return error_row(task, f"{'' if hidden else f'{exc.filename}: '}{exc.strerror}", sha)
        where = type(exc).__name__ if task.request.deidentify else f"{type(exc).__name__}: {exc}"
        return error_row(task, f"internal error (a bug in oxi): {where}", sha)


#: The files oxi writes in a recording's folder, whose temporaries it may remove.
_OWN_FILES = (*OUTPUT_NAMES.values(), MARKER)


def remove_left_temporaries(tasks: Sequence[Task], *, inside: bool = True) -> None:
    """Remove the temporaries a stopped run left of these tasks' outputs, and nothing else.

    A batch stopped while a worker wrote a recording's outputs (Ctrl-C terminates the pool's
    workers) left ``out/.n1.<hex>.tmp/`` holding a lone report.pdf, which no later run removed.
    Only the temporaries :mod:`oximetry.report.atomic` names after these tasks' folders (beside
    them, and with ``inside`` in them) are removed: never a user's file. A recording's earlier
    set that a write killed mid-swap left aside is put back when its folder is missing (a re-run
    removed it, the earlier run's finished outputs, as a temporary).

    Parameters
    ----------
    tasks : sequence of Task
        The recordings; their processes must have stopped (a worker still writing would lose
        its set).
    inside : bool
        Also look inside each recording's folder (the set written in place, the marker).
    """
    by_parent: dict[str, list[str]] = {}
    for t in tasks:
        if t.scan or not t.out_dir:
            continue
        parent, name = os.path.split(t.out_dir)
        by_parent.setdefault(parent, []).append(name)
        if inside:
            remove_temporaries(t.out_dir, files=_OWN_FILES)
    for parent, names in by_parent.items():
        remove_temporaries(parent, folders=names, holding=OUTPUT_NAMES.values())


def _deidentified(task: Task, exc: OximetryError) -> str:
    """Return the reason of ``exc`` for a de-identified row, a joined night's files by hash.

    A night that cannot be joined names its files (``overlaps '/in/Doe_1.edf' by 100 s``); the
    quoted path was withheld before :func:`error_row` could put each file's sha256 prefix in its
    place, and the row said ``overlaps '…'`` (docs/batch.md: ``overlaps 700c09b8dede32c7``).
    Each part's path becomes its label first; whatever else is quoted is withheld.
    """
    if not task.parts or exc.deidentified is not None:
        return deidentified_reason(exc)
    named = sorted(zip(task.parts, task.part_labels, strict=True), key=lambda pl: -len(pl[0]))
    reason = exc.reason
    for path, label in named:  # quoted or not; a path before a shorter one inside it
        # a function, not a template: a label is put as is, whatever its characters
        reason = re.sub(rf"(['\"]?){re.escape(path)}\1", _literal(label), reason)
    reason = withhold_quoted(reason)
    labels = dict(named)
    # the file (or files: "the files span 25.0 h") the error is about, when they are parts
    where = [labels.get(p) for p in (exc.path or "").split(", ")] if exc.path else []
    if where and all(where):
        return f"{', '.join(str(w) for w in where)}: {reason}"
    return reason


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    return lambda _match: text


def _same_annotation_files(summary: Mapping[str, Any], files: list[str]) -> bool:
    """Tell whether the annotation files beside the files are those the summary was made with.

    An NSRR XML beside an EDF enters the analysis by its content but is not part of the
    recording's sha256: one added, removed or edited since the earlier run makes its outputs
    stale. Compared by sha256, as ``summary.json`` records them: for a joined night, each file's
    with that file, in time order (compared as one pool, two parts' Profusion files swapped, their
    stages laid over the other part, kept the earlier row after the names were put right).
    """
    inp = summary.get("input")
    inp = inp if isinstance(inp, Mapping) else {}
    parts = inp.get("parts")
    if isinstance(parts, list) and parts:
        recorded = [p.get("annotations_sha256") if isinstance(p, Mapping) else None for p in parts]
    else:
        options = inp.get("read_options")
        recorded = [options.get("annotations_sha256") if isinstance(options, Mapping) else None]
    beside = []
    for f in files:
        found = find_xml_beside(f) if Path(f).suffix.lower() in (".edf", ".bdf") else None
        beside.append(None if found is None else sha256_of(found))
    return [x if isinstance(x, str) else None for x in recorded] == beside


def _same_companion_files(summary: Mapping[str, Any], files: list[str]) -> bool:
    """Tell whether each file's record companions are those the summary was made with.

    A WFDB header's signal file (or a signal file's header) enters the analysis but not the
    input's sha256: a ``.dat`` replaced beside an unchanged ``.hea`` kept the earlier outputs.
    Compared by sha256, as ``summary.json`` records them (``input.companions``, or each part's).
    """
    inp = summary.get("input")
    inp = inp if isinstance(inp, Mapping) else {}
    parts = inp.get("parts")
    entries = parts if isinstance(parts, list) and parts else [inp]
    recorded = []
    for entry in entries:
        listed = entry.get("companions") if isinstance(entry, Mapping) else None
        for c in listed if isinstance(listed, list) else []:
            recorded.append(c.get("sha256") if isinstance(c, Mapping) else None)
    try:
        found = [sha256_of(c) for f in files for c in record_companions(Path(f))]
    except OximetryError:
        return False  # unreadable now: analysed again, which says why
    return sorted(map(str, recorded)) == sorted(found)


def names_sha256(files: Sequence[str]) -> str:
    """Return the sha256 of the files' names (without their folders), in the order given.

    The sha256 of a file does not cover its name, and a name may decide the analysis: an
    O2Ring-S or Viatom file's start is its name (``20260301223000``). Renamed from a wrong start
    to the right one, a ``--deidentify`` batch (its folder named after the sha256) found its
    marker matching and kept the row ``2026-11-20, qualified`` that ``oxi analyze`` of the renamed
    file called indeterminate. The marker records this digest, never a name.

    Parameters
    ----------
    files : sequence of str
        The recording's files (a joined night's in time order).

    Returns
    -------
    str
        Hex sha256 of the names, each followed by a NUL.
    """
    text = "".join(os.path.basename(f) + "\x00" for f in files)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _complete_summary(
    out: Path, sha: str, fingerprint: str, report: bool, names: str
) -> Mapping[str, Any] | None:
    """Return the earlier summary when ``out`` holds complete outputs for this input+settings.

    ``names`` is :func:`names_sha256` of the recording's files: a file renamed since is redone.
    """
    try:
        marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (
        isinstance(marker, dict)
        and marker.get("schema") == _MARKER_SCHEMA
        and marker.get("input_sha256") == sha
        and marker.get("names_sha256") == names
        and marker.get("fingerprint") == fingerprint
    ):
        return None
    needed = _ALWAYS_FILES + (_REPORT_FILES if report else ())
    if not all((out / f).is_file() for f in needed):
        return None
    try:
        raw = (out / "summary.json").read_bytes()
        summary = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(summary, dict) or hashlib.sha256(raw).hexdigest() != marker.get(
        "summary_sha256"
    ):
        return None  # not the summary this batch wrote (rewritten or edited since)
    files = summary.get("files")
    if not isinstance(files, dict) or any(
        not isinstance(digest, str) or not (out / name).is_file() or sha256_of(out / name) != digest
        for name, digest in files.items()
        if name in needed
    ):
        return None  # an output beside it is not the one the summary records
    return summary


def error_row(task: Task, reason: str, sha: str | None) -> BatchRow:
    """Return the error row of a task, its reason on one line, naming the file as given.

    The recording's earlier outputs are set aside first (:func:`set_aside_earlier_outputs`): an
    error row is never beside results.
    """
    set_aside_earlier_outputs(task)
    # Messages name the file as the user gave it (and never by name when de-identifying).
    reason = " ".join(str(reason).split())
    named = list(zip(task.parts, task.part_labels, strict=True)) or [(task.path, task.label)]
    named.sort(key=lambda pl: len(pl[0]), reverse=True)  # a path inside another one last
    for path, label in named:
        reason = reason.replace(path, label)
    if task.request.deidentify:
        for path, label in named:
            reason = reason.replace(os.path.basename(path), label)
    values = dict.fromkeys(COHORT_COLUMNS, "")
    values.update(
        file=task.label, status="error", error=reason or "unknown error", context=task.context_note
    )
    values["sha256"] = sha or _readable_sha(task) or ""
    return BatchRow(values)


def set_aside_earlier_outputs(task: Task) -> list[str]:
    """Move what an earlier run wrote in the task's folder into its ``earlier-outputs`` folder.

    A recording analysed once, then replaced by a truncated file, had an error row while its
    folder still held the earlier file's summary.json and events.csv, results of another file
    presented as this one's (SPEC §10). They are set aside, not deleted: a finished set is never
    destroyed on a guess (a run killed mid-swap left one that the next run, its recording now
    damaged, removed; review of hunt 11). Only the files oxi writes there (``summary.json``,
    ``events.csv``, ``report.pdf``, ``trace.png``; never a folder of those names, which is not
    oxi's) move, replacing an earlier set aside; the marker is removed. The batch has already
    refused any of them that is an input (``run._refuse_writing_over_inputs``).

    Parameters
    ----------
    task : Task
        The recording whose row is an error.

    Returns
    -------
    list of str
        The file names set aside.
    """
    if task.scan or not task.out_dir:
        return []
    out = task.out_dir
    with contextlib.suppress(OSError):
        if not os.path.isdir(os.path.join(out, MARKER)):
            os.unlink(os.path.join(out, MARKER))
    found = [n for n in OUTPUT_NAMES.values() if _own_file(os.path.join(out, n))]
    if not found:
        return []
    aside = os.path.join(out, EARLIER)
    try:
        os.makedirs(aside, exist_ok=True)
    except OSError:
        aside = ""  # a file of that name in the way: the earlier set cannot be kept
    moved = []
    for name in OUTPUT_NAMES.values():
        source, dest = os.path.join(out, name), os.path.join(aside, name)
        try:
            if name in found:
                if aside:
                    os.replace(source, dest)
                else:
                    os.unlink(source)
                moved.append(name)
            elif aside and _own_file(dest):
                os.unlink(dest)  # of an older set: the set aside is one run's
        except OSError:
            continue  # not ours to move
    return moved


def _remove_earlier_outputs(out: Path) -> None:
    """Remove the set an error row put aside, now that the folder holds this file's outputs.

    Left beside them, another file's summary.json stood in ``earlier-outputs/``, which a
    recursive ``**/summary.json`` found as a result (review of hunt 12). Only the files oxi
    writes are removed, and the folder when nothing else is in it.
    """
    aside = out / EARLIER
    for name in OUTPUT_NAMES.values():
        if _own_file(str(aside / name)):
            with contextlib.suppress(OSError):
                (aside / name).unlink()
    with contextlib.suppress(OSError):
        aside.rmdir()  # refused when not empty (the user's files) or not there


def _own_file(path: str) -> bool:
    """Tell whether ``path`` is a file (or a link) oxi may have written, not a folder."""
    return os.path.lexists(path) and not (os.path.isdir(path) and not os.path.islink(path))


def _readable_sha(task: Task) -> str | None:
    """Return the sha256 of a single-file task's file when it can be read, else None.

    The cell is blank only for a file that could not be read (docs/batch.md): a recording with
    two context files, or one whose worker process died, had a blank sha256 though its file was
    there. A joined night's hash is known before (``task.sha256``); a folder or a FIFO is not
    read.
    """
    if task.parts or task.scan or not os.path.isfile(task.path):
        return None
    try:
        return sha256_of(task.path)
    except OximetryError:
        return None
