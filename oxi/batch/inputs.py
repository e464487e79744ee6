"""Which recordings a batch covers, what their output folders are called, and their contexts."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from oximetry.io.wfdb_record import header_for_signal_file

from ..pipeline import folder_name
from .table import COHORT_COLUMNS

__all__ = [
    "CONTEXT_SUFFIXES",
    "RECORDING_SUFFIXES",
    "expand_inputs",
    "find_context",
    "folder_bases",
    "folder_names",
    "unique_names",
]

#: File endings picked up when a folder is given (case-insensitive). A WFDB record is taken by
#: its header (``.hea``); its signal files are skipped. Device files without an ending (Viatom,
#: O2Ring-S) are analysed when named explicitly.
RECORDING_SUFFIXES = (".edf", ".csv", ".txt", ".spo2", ".dat", ".hea")
#: Context file endings looked up in ``--contexts DIR``, in order.
CONTEXT_SUFFIXES = (".yaml", ".yml", ".json")


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
        folder), unless it is the folder searched or holds it (``data`` for ``data`` or for
        ``data/*.csv``). oxi's own outputs (``events.csv``
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
        kept = 0
        for p, searched in _expand_one(arg):
            real = os.path.realpath(p)
            if searched is not None:
                # An output folder inside the searched one is skipped; the searched folder itself
                # may be the output folder (``oxi batch data --out data``, or 'data/*.csv': every
                # match of the pattern was skipped, "no recordings found"): then oxi's own
                # outputs are skipped.
                root = os.path.realpath(searched)
                skip = [x for x in excluded if not _within(root, x)]
                if any(_within(real, x) for x in skip) or _is_oxi_output(p):
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


def _expand_one(arg: str) -> Iterator[tuple[str, str | None]]:
    """Yield each recording ``arg`` gives, with the folder it was searched for in.

    That folder is None for a file named as such (always taken); the folder itself, or a folder
    the pattern matched; else the pattern's leading folders (``data`` for ``data/*.csv``, ``.``
    for ``*.csv``).
    """
    if os.path.isdir(arg):
        for p in _walk(arg):
            yield p, arg
    elif os.path.isfile(arg) or not _is_pattern(arg):
        yield arg, None
    else:
        parts = Path(arg).parts
        fixed = next((i for i, part in enumerate(parts) if _is_pattern(part)), len(parts))
        base = os.path.join(*parts[:fixed]) if fixed else os.curdir
        for match in sorted(glob.glob(arg, recursive=True)):
            if os.path.isdir(match):
                for p in _walk(match):
                    yield p, match
            elif os.path.isfile(match):
                yield match, base


def _is_pattern(text: str) -> bool:
    return any(c in text for c in "*?[")


def _walk(folder: str) -> Iterator[str]:
    """Yield the recordings under ``folder``, and each folder under it that cannot be read.

    Folders linked from inside are searched too, each folder once (a link back up is no loop);
    a folder that cannot be listed is yielded itself and becomes an error row saying so. With
    ``os.walk``'s defaults a linked site folder (``cohort/siteB -> /nas/siteB``) and a folder
    the user could not read were left out without a word: "1 recording: 1 ok", exit 0.
    """
    found = []
    unreadable: list[OSError] = []
    seen: set[tuple[int, int]] = set()
    for root, dirs, files in os.walk(folder, onerror=unreadable.append, followlinks=True):
        try:
            st = os.stat(root)
        except OSError as exc:  # gone since it was listed: said as unreadable
            unreadable.append(exc)
            dirs[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen:  # reached again through a link: searched once
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        # sorted, so which of two ways to one folder is searched does not depend on the order
        # the system lists them in
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if not name.startswith(".") and name.lower().endswith(RECORDING_SUFFIXES):
                path = os.path.join(root, name)
                if name.lower().endswith(".dat") and header_for_signal_file(Path(path)):
                    continue  # a WFDB signal file: its record is read through the header
                found.append(path)
    found += [str(exc.filename) for exc in unreadable if exc.filename is not None]
    yield from sorted(found, key=lambda p: Path(p).parts)


def folder_names(paths: Sequence[str]) -> list[str]:
    """Name each recording's output folder: its stem, disambiguated deterministically.

    Recordings sharing a stem get the smallest number of parent folder names prefixed
    (``site1_night``, ``site2_night``) that tells them apart; files differing only by ending get
    it appended (``night_edf``); any clash left gets ``-2``, ``-3``, ... in input order.
    """
    return unique_names(folder_bases(paths))


def folder_bases(paths: Sequence[str]) -> list[str]:
    """Return each recording's output folder name before the ``-2``, ``-3`` of a clash left.

    Parameters
    ----------
    paths : sequence of str
        The recordings, as given.

    Returns
    -------
    list of str
        :func:`folder_names` without its last step (:func:`unique_names`): a name that two
        recordings share here is one that depends on the input order (``siteA/night00.csv``
        and ``siteA_night00.csv`` both come to ``siteA_night00``; the first listed keeps it).
    """
    stems = [folder_name(Path(p).stem or Path(p).name) for p in paths]
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
    return names


def _parent_parts(path: str) -> tuple[str, ...]:
    """Folder names of ``path`` as given, without root, ``.`` and ``..``."""
    parts = Path(os.path.normpath(path)).parent.parts
    return tuple(folder_name(x) for x in parts if x not in (".", "..") and x != Path(x).anchor)


def find_context(
    contexts_dir: str, names: Sequence[str], *, deidentify: bool = False
) -> tuple[str | None, str | None]:
    """Return (context path, error) for a recording known by ``names`` (most specific first).

    With ``deidentify`` the error names no file (a context is often named after the patient).
    """
    for name in names:
        # Any file of the name but a folder: the night's row then says what is wrong with it
        # (a FIFO named night.yaml was skipped, the row saying "no night.yaml in --contexts").
        # A link to nothing too: night.yaml linked to an unmounted share was passed over, and
        # a stale night.json beside it decided the night without a word.
        hits = [
            os.path.join(contexts_dir, name + s)
            for s in CONTEXT_SUFFIXES
            if os.path.lexists(os.path.join(contexts_dir, name + s))
            and not os.path.isdir(os.path.join(contexts_dir, name + s))
        ]
        if len(hits) > 1:
            if deidentify:
                return None, "several context files for this recording in --contexts; keep one"
            return None, (
                f"several context files for {name!r} in {contexts_dir}: "
                f"{[os.path.basename(h) for h in hits]}; keep one"
            )
        if hits:
            return hits[0], None
    return None, None


def unique_names(names: Sequence[str]) -> list[str]:
    """Return ``names`` with repeats made unique by ``-2``, ``-3``, ... in order."""
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
