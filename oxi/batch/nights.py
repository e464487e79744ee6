"""``oxi batch --join-nights``: which files of a batch are one night (issue 15).

Before the analysis, every file is read once (on the same workers as the analysis) to learn its
device, start, length and whether it holds a date (:func:`scan_file`). The batch process then
groups the files (:func:`group_nights`):

- files join only with files of the **same folder**, the **same format and device** and the
  **same patient identifiers** (as the file holds them);
- within such a set, sorted by start, a file belongs to the night before it when it starts less
  than :data:`NIGHT_GAP_S` after that night's last file ends (an overlap counts as "less": such a
  night is refused when joined, not split);
- files that hold **no** patient identifier join only across a pause of at most
  :data:`UNIDENTIFIED_GAP_S` (one recording's parts); a longer pause, under
  :data:`NIGHT_GAP_S`, leaves them apart and is reported (:class:`KeptApart`);
- a file without a date, or that could not be read, is a night of its own (analysed, or failing,
  exactly as without ``--join-nights``).

Each night of several files is then analysed as ``oxi analyze a b c`` joins them
(:func:`oximetry.io.join.join_recordings`): the same rates, at most a day, no overlap; a night
that cannot be joined is one error row naming its files and the reason.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace

from criteria.conflicts import PLACEHOLDER_BIRTH_DATES
from criteria.names import name_words
from oximetry.io import read_recording
from oximetry.model import PatientInfo

from ..pipeline import AnalyzeRequest

__all__ = [
    "NIGHT_GAP_S",
    "UNIDENTIFIED_GAP_S",
    "FileScan",
    "KeptApart",
    "group_nights",
    "scan_file",
]

#: A file starting less than this after the previous file of the same device ends is part of
#: the same night. Splits inside a night (finger out, battery, memory full) last minutes to an
#: hour or two; two nights are at least a day's waking hours apart.
NIGHT_GAP_S = 4 * 3600.0

#: Files that hold no patient identifier join only across a pause this short or shorter: one
#: recording's parts (a download the device split, a probe re-seated). Nothing in such files tells
#: two patients apart: two O2Ring CSV exports in one download folder, patient A 21:00-23:00 and
#: patient B 01:00-05:00 with 30 min at 85 %, were one night under A's context, and qualified.
UNIDENTIFIED_GAP_S = 15 * 60.0


@dataclass(frozen=True)
class FileScan:
    """What grouping needs to know about one file (picklable; no patient identifier).

    Parameters
    ----------
    sha256 : str
        The file's sha256.
    folder : str
        The real path of its folder.
    device : tuple of str
        Its format and device, as the reader names them.
    patient : str
        sha256 of the patient identifiers the file holds ("" when none).
    start : datetime.datetime
        Its first sample (local wall-clock time).
    duration_s : float
        Its length.
    date_known : bool
        False when the file holds no date.
    """

    sha256: str
    folder: str
    device: tuple[str, str]
    patient: str
    start: _dt.datetime
    duration_s: float
    date_known: bool

    @property
    def end(self) -> _dt.datetime:
        """The end of its last sample."""
        return self.start + _dt.timedelta(seconds=self.duration_s)


@dataclass(frozen=True)
class KeptApart:
    """Two nights of files without patient identifiers kept apart by the shorter pause.

    Parameters
    ----------
    before : tuple of int
        The earlier night's files (indices, in time order).
    after : tuple of int
        The later night's files (indices, in time order).
    pause_s : float
        From the end of the earlier night to the start of the later one.
    """

    before: tuple[int, ...]
    after: tuple[int, ...]
    pause_s: float


def scan_file(path: str, request: AnalyzeRequest) -> FileScan:
    """Read a recording with the batch's reading options and return what grouping needs.

    Parameters
    ----------
    path : str
        The file (absolute).
    request : AnalyzeRequest
        The batch's options (``channel``, ``fs``, ``scale`` are used).

    Returns
    -------
    FileScan

    Raises
    ------
    OximetryError
        The file cannot be read (it then becomes its own row, failing as it would alone).
    """
    rec = read_recording(path, channel=request.channel, fs=request.fs, scale=request.scale)
    ids = "\x00".join(_identifiers(rec.patient))
    return FileScan(
        sha256=rec.source.sha256,
        folder=os.path.dirname(os.path.realpath(path)),
        device=(rec.source.format, rec.source.device),
        patient=hashlib.sha256(ids.encode()).hexdigest() if ids else "",
        start=rec.start,
        duration_s=rec.duration_s,
        date_known=bool(rec.source.date_known),
    )


#: Codes that name nobody (a header's "unknown"), compared case-folded.
_NO_CODE = frozenset({"x", "xx", "xxx", "unknown", "unk", "anon", "anonymous", "none", "na", "n/a"})


def _identifiers(p: PatientInfo) -> list[str]:
    """Return what tells the recording's patient from another, placeholders left out.

    The name's words, the code and the birth date, each only when it names someone. A plain EDF's patient field is its name whatever it says: "Anonymous" in two patients'
    files made them one patient's, and --join-nights joined them across 2 h (review of hunt
    12). Placeholders (:func:`criteria.names.name_words`; a code "X"; the birth dates headers
    write for "not entered") are no identifier.
    """
    words = name_words(p.name)
    code = (p.code or "").strip()
    has_code = any(ch.isalnum() for ch in code) and code.casefold() not in _NO_CODE
    born = p.birth_date if p.birth_date not in PLACEHOLDER_BIRTH_DATES else None
    return [
        *sorted(words or ()),
        *([code] if has_code else []),
        *([born.isoformat()] if born is not None else []),
    ]


def group_nights(
    scans: Sequence[FileScan | None],
) -> tuple[list[list[int]], list[str], list[KeptApart]]:
    """Group files into nights (see the module's rule).

    Parameters
    ----------
    scans : sequence of FileScan or None
        One per file, in input order; None for a file that could not be read.

    Returns
    -------
    nights : list of list of int
        Indices into ``scans``: each night's files in time order; nights ordered by their
        earliest file in input order.
    notes : list of str
        What the grouping did, for the user (no file names).
    apart : list of KeptApart
        Consecutive nights of files without patient identifiers that would be one night if the
        files named one patient (a pause over :data:`UNIDENTIFIED_GAP_S`, under
        :data:`NIGHT_GAP_S`), in the order found.
    """
    sets: dict[tuple[str, tuple[str, str], str], list[int]] = {}
    nights: list[list[int]] = []
    undated = 0
    for i, s in enumerate(scans):
        if s is None:
            nights.append([i])
        elif not s.date_known:
            undated += 1
            nights.append([i])
        else:
            sets.setdefault((s.folder, s.device, s.patient), []).append(i)
    gap = _dt.timedelta(seconds=NIGHT_GAP_S)
    short = _dt.timedelta(seconds=UNIDENTIFIED_GAP_S)
    apart: list[KeptApart] = []
    for (_folder, _device, patient), members in sets.items():
        ordered = sorted(members, key=lambda i: (_scan(scans, i).start, i))
        night = [ordered[0]]
        end = _scan(scans, ordered[0]).end
        for i in ordered[1:]:
            s = _scan(scans, i)
            pause = s.start - end
            # "None is the same as none" joined every unidentified file of a folder: another
            # patient's export 2 h later was one night with the first (and qualified it). With
            # no identifier only a pause as short as one recording's parts joins; an overlap is
            # still kept in the night, to be refused, never analysed alone.
            joins = pause < gap if patient else pause <= short
            if joins:
                night.append(i)
                end = max(end, s.end)
                continue
            if not patient and pause < gap:
                apart.append(KeptApart(tuple(night), (i,), pause.total_seconds()))
            nights.append(night)
            night, end = [i], s.end
        nights.append(night)
    # a KeptApart's later night grows with the files joined to it after it was found
    grown = {n[0]: tuple(n) for n in nights}
    apart = [replace(a, after=grown[a.after[0]]) for a in apart]
    nights.sort(key=min)
    joined = [n for n in nights if len(n) > 1]
    notes = []
    if joined:
        n_files = sum(len(n) for n in joined)
        notes.append(
            f"--join-nights: {n_files} files grouped into {len(joined)} "
            f"night{'s' if len(joined) != 1 else ''} of several files"
        )
    if undated:
        notes.append(
            f"--join-nights: {undated} file{'s hold' if undated != 1 else ' holds'} no date and "
            f"{'were' if undated != 1 else 'was'} analysed alone (a night is joined by dates)"
        )
    return nights, notes, apart


def _scan(scans: Sequence[FileScan | None], i: int) -> FileScan:
    s = scans[i]
    assert s is not None
    return s
