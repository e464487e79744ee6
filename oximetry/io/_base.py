"""What every format reader hands back before channels are chosen, and shared file checks."""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from oximetry.annotations import annotation_kind
from oximetry.errors import RecordingFormatError
from oximetry.model import Annotation, PatientInfo

__all__ = [
    "PLACEHOLDER_DATE",
    "RawChannel",
    "RawRecording",
    "check_file",
    "classify_annotation",
    "sha256_of",
]

#: The date given to recordings whose file holds only times of day (or no time at all). No
#: oximeter recorded in 1900, so the placeholder cannot pass for a real study date; a warning
#: says the date is unknown and ``SourceInfo.date_known`` is False.
PLACEHOLDER_DATE = _dt.date(1900, 1, 1)

Loader = Callable[[Sequence[int]], dict[int, NDArray[np.float64]]]


@dataclass
class RawChannel:
    """One channel as found in the file, before any choice is made.

    ``valid_range`` is the physical range the file can represent (EDF digital min/max mapped to
    physical units); samples outside it are missing-data markers.
    """

    label: str
    unit: str
    fs: float | None
    n_samples: int
    valid_range: tuple[float, float] | None = None


@dataclass
class RawRecording:
    """A parsed file: channels with a loader for their samples, start, annotations, patient.

    ``load(which)`` returns, for each channel index asked for, a new float64 array of its samples
    that the caller owns and may change (the reader cleans them in place); each call reads anew.
    """

    path: str
    format: str
    device: str
    start: _dt.datetime
    date_known: bool
    channels: list[RawChannel]
    load: Loader
    annotations: tuple[Annotation, ...] = ()
    patient: PatientInfo = field(default_factory=PatientInfo)
    warnings: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def check_file(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` as a Path after checking it is a readable, non-empty file.

    Raises
    ------
    RecordingFormatError
        When the path does not exist, is a directory, is empty or cannot be opened.
    """
    p = Path(path)
    try:
        if not p.exists():
            raise RecordingFormatError("no such file", path)
        if p.is_dir():
            raise RecordingFormatError("is a directory, not a recording file", path)
        size = p.stat().st_size
    except OSError as exc:
        raise RecordingFormatError(f"cannot access the file ({exc.strerror})", path) from None
    if size == 0:
        raise RecordingFormatError("file is empty (0 bytes)", path)
    if not os.access(p, os.R_OK):
        raise RecordingFormatError("file is not readable (permission denied)", path)
    return p


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Return the hex SHA-256 of the file's bytes (read in chunks, never modified).

    Parameters
    ----------
    path : str or PathLike
        The file.

    Returns
    -------
    str
        64 hex digits.

    Raises
    ------
    RecordingFormatError
        The file cannot be read.
    """
    h = hashlib.sha256()
    # One reused buffer: a fresh megabyte per chunk costs more than hashing it on machines where
    # new memory pages are slow (hashlib.file_digest does the same, from Python 3.11).
    buf = bytearray(1 << 18)
    view = memoryview(buf)
    try:
        with open(path, "rb", buffering=0) as fh:
            while size := fh.readinto(view):
                h.update(view[:size])
        return h.hexdigest()
    except OSError as exc:
        raise RecordingFormatError(f"cannot read the file ({exc.strerror})", path) from None


#: ``oxi info``'s name for each kind of :func:`oximetry.annotations.annotation_kind`.
_INFO_KIND = {
    "stage": "sleep_stage",
    "lights": "lights",
    "segment": "segment",
    "event": "event",
    "note": "note",
}


def classify_annotation(text: str) -> str:
    """Return the kind of an annotation text, as ``oxi info`` counts it.

    The words are those of :mod:`oximetry.annotations`, the vocabulary the analysis uses, so the
    counts name exactly what the analysis will see.

    Parameters
    ----------
    text : str
        The annotation as written in the file.

    Returns
    -------
    str
        ``sleep_stage``, ``lights``, ``segment``, ``event`` (scored events, which the analysis
        keeps) or ``note`` (other text, which it does not).
    """
    return _INFO_KIND[annotation_kind(text)[0]]
