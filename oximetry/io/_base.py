"""What every format reader hands back before channels are chosen, and shared file checks."""

from __future__ import annotations

import datetime as _dt
import errno
import hashlib
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from oximetry.annotations import annotation_kind
from oximetry.errors import RecordingFormatError
from oximetry.limits import MAX_DURATION_S, MAX_FS_HZ, MAX_SAMPLES, MIN_FS_HZ
from oximetry.model import Annotation, PatientInfo

__all__ = [
    "COARSE_STEP",
    "MAX_DURATION_S",
    "MAX_FS_HZ",
    "MAX_SAMPLES",
    "MIN_FS_HZ",
    "PLACEHOLDER_DATE",
    "RawChannel",
    "RawRecording",
    "check_file",
    "check_rate",
    "classify_annotation",
    "is_coarse_step",
    "path_text",
    "sha256_of",
    "snap_to_tenths",
    "whole_percents",
]

#: The date given to recordings whose file holds only times of day (or no time at all). No
#: oximeter recorded in 1900, so the placeholder cannot pass for a real study date; a warning
#: says the date is unknown and ``SourceInfo.date_known`` is False. A file without a time of day
#: either starts at its midnight, with ``clock_known`` False (the start alone cannot say so: a
#: file of times of day may start at 00:00:00).
PLACEHOLDER_DATE = _dt.date(1900, 1, 1)

#: From this digital step (in percent) up to 0.1 a code may stand for either of two tenths (89.5
#: truncated or 89.4 rounded): such a file is read only when it holds whole percents
#: (:func:`whole_percents`).
COARSE_STEP = 0.05


def is_coarse_step(step: float) -> bool:
    """Return whether a digital ``step`` lets a code stand for either of two tenths.

    Parameters
    ----------
    step : float
        The physical size of one digital step, in percent.

    Returns
    -------
    bool
        True from :data:`COARSE_STEP` to under 0.1, each bound to 1e-9: a header of tenths,
        0..102.3 over 0..1023, has a step of 0.09999999999999999, and its codes are the tenths.
    """
    return COARSE_STEP - 1e-9 <= step < 0.1 - 1e-9


Loader = Callable[[Sequence[int]], dict[int, NDArray[np.float64]]]


@dataclass
class RawChannel:
    """One channel as found in the file, before any choice is made.

    ``valid_range`` is the physical range the file can represent (EDF digital min/max mapped to
    physical units); SpO2 samples outside it are missing-data markers (a pulse or status
    code outside it is kept, ``reader._clean``). ``step`` is the physical size of one digital
    code (EDF, WFDB), None where the file stores the values themselves: the values are put on
    their tenths with it (:func:`snap_to_tenths`), again after ``--scale`` in percent.
    """

    label: str
    unit: str
    fs: float | None
    n_samples: int
    valid_range: tuple[float, float] | None = None
    step: float | None = None


@dataclass
class RawRecording:
    """A parsed file: channels with a loader for their samples, start, annotations, patient.

    ``load(which)`` returns, for each channel index asked for, a new float64 array of its samples
    that the caller owns and may change (the reader cleans them in place); each call reads anew.
    ``date_known`` and ``clock_known`` say whether the file gives a date and a time of day
    (:class:`oximetry.model.SourceInfo`).
    """

    path: str
    format: str
    device: str
    start: _dt.datetime
    date_known: bool
    clock_known: bool
    channels: list[RawChannel]
    load: Loader
    annotations: tuple[Annotation, ...] = ()
    patient: PatientInfo = field(default_factory=PatientInfo)
    warnings: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def check_file(path: str | os.PathLike[str], kind: str = "a recording file") -> Path:
    """Return ``path`` as a Path after checking it is a readable, non-empty file.

    Parameters
    ----------
    path : str or PathLike
        The file.
    kind : str
        What file it should be, named when it is a directory (``--hypnogram DIR`` was told
        "not a recording file").

    Returns
    -------
    Path

    Raises
    ------
    RecordingFormatError
        When the path does not exist, is a directory or no regular file (a FIFO), is empty or
        cannot be opened.
    """
    p = Path(path)
    try:
        if not p.exists():
            raise RecordingFormatError("no such file", path)
        if p.is_dir():
            raise RecordingFormatError(f"is a directory, not {kind}", path)
        if not p.is_file():
            # a FIFO (or /dev/zero) has no size: it was said to be "empty (0 bytes)"
            raise RecordingFormatError("not a regular file (a FIFO or a device)", path)
        size = p.stat().st_size
    except OSError as exc:
        raise RecordingFormatError(f"cannot access the file ({exc.strerror})", path) from None
    if size == 0:
        raise RecordingFormatError("file is empty (0 bytes)", path)
    if not os.access(p, os.R_OK):
        raise RecordingFormatError("file is not readable (permission denied)", path)
    return p


def check_rate(fs: float, n_samples: int, what: str, path: str | os.PathLike[str]) -> None:
    """Refuse a channel whose rate, duration or size no oximeter recording has.

    Parameters
    ----------
    fs : float
        The channel's sampling rate in Hz.
    n_samples : int
        Its number of samples on the time axis (gaps included).
    what : str
        The channel, in words (``signal 'SpO2'``, ``the time stamps``), for the message.
    path : str or PathLike
        The file, for the message.

    Raises
    ------
    RecordingFormatError
        A rate outside [:data:`MIN_FS_HZ`, :data:`MAX_FS_HZ`], a duration over
        :data:`MAX_DURATION_S` or more than :data:`MAX_SAMPLES` samples.
    """
    if not (MIN_FS_HZ <= fs <= MAX_FS_HZ):
        raise RecordingFormatError(
            f"{what}: sampling rate {fs:.3g} Hz is outside {MIN_FS_HZ:g}-{MAX_FS_HZ:g} Hz "
            "(a broken header or time column)",
            path,
        )
    duration = n_samples / fs
    if duration > MAX_DURATION_S * (1 + 1e-9):
        raise RecordingFormatError(
            f"{what}: {duration / 86400:.3g} days long; more than {MAX_DURATION_S / 86400:g} "
            "days is not a recording (a broken header or time column)",
            path,
        )
    if n_samples > MAX_SAMPLES:
        raise RecordingFormatError(
            f"{what}: {n_samples} samples, more than the {MAX_SAMPLES} one channel may hold",
            path,
        )


def snap_to_tenths(values: NDArray[np.float64], step: float) -> NDArray[np.float64]:
    """Put each value on the tenth its digital code stands for, at a step under 0.05, in place.

    A file stores a value as the nearest of its digital codes, ``step`` apart in physical units:
    the value it was is known to half a step. Where a tenth (what oximeters report: whole or
    tenths of a percent) lies that close, it is that tenth. 88.5 % in a 16-bit EDF of 0-100 %
    over -32768..32767 read back as 88.499275, which SPEC §7 rounds to 88 (r = floor(x + 0.5)):
    8 minutes held at 88.5 % counted as at or below 88 % and qualified a night that a file of
    0-100 over 0..1000 did not (hunt 12). EDFlib, and so pyedflib, truncates toward zero
    instead (the code below a positive code, above a negative one, within a step): where the
    tenths fall between codes (a step that is no whole fraction of a tenth), a tenth within a
    step either side is that tenth. Within half a step
    only, 8 minutes at 88.5 % written by pyedflib over 0..32767 (stored as 88.497574, 0.8 of a
    step below) still qualified a night (hunt 15). Where every tenth is a code (0.01 % a step),
    a code beside it is a value of its own (88.49). Nothing moves by more than the file's own
    resolution. From half a tenth a step (:func:`is_coarse_step`) a code may stand for either
    of two tenths, as the writer truncated or rounded, and nothing is done here: the reader
    takes such an SpO2 channel only when it holds whole percents (:func:`whole_percents`).

    Parameters
    ----------
    values : numpy.ndarray of float
        Physical values (NaN stays NaN); changed in place.
    step : float
        The physical size of one digital step (``> 0``); from :data:`COARSE_STEP` on nothing is
        done (for 0.1 or more the values are already as fine as the file can tell them).

    Returns
    -------
    numpy.ndarray
        ``values``.
    """
    if not 0 < step < 0.1 or is_coarse_step(step):
        return values
    tenths = np.round(values, 1)
    # within a step where the tenths lie between codes and a step reaches one tenth only (a
    # truncating writer's codes); a tenth at exactly the bound is still that tenth (the values
    # come rounded to 1e-9)
    per_tenth = 0.1 / step
    between = abs(per_tenth - round(per_tenth)) > 1e-6
    within = step if between else step / 2
    near = np.abs(tenths - values) <= within + 1e-9
    np.copyto(values, tenths, where=near)
    return values


def whole_percents(values: NDArray[np.float64], step: float) -> NDArray[np.float64] | None:
    """Return SpO2 stored at a coarse ``step`` as the whole percents it holds, or None.

    From half a tenth a digital step to a tenth (:func:`is_coarse_step`; 0-100 % over 0..1023,
    0..1024, 0..1250, a WFDB gain of 10.23) a code may stand for either of two tenths, and the
    file cannot say which: over 0..1023, code 915 (89.4428) is 89.5 as EDFlib (and so pyedflib)
    stores it, truncated toward zero (the code below a positive code, above a negative one), and
    89.4 as a writer that rounds stores it. Read as the lower, pyedflib's 89.5 rounded to 89
    (SPEC §7) and 40 minutes at 89.5/89.7 % QUALIFIED a night; read as the higher, a rounding
    writer's 89.9 was 90.0, which met Medicare Group III's 90 % or more (hunt 15). A whole
    percent ``n`` is stored within a step of ``n``: below it truncated to a positive code, above
    it truncated to a negative one (52 % of 0-200 over -1024..1023 as 52.076, refused while the
    band ended half a step above ``n``; hunt 15), within half a step rounded. The bands
    ``[n - step, n + step]`` of two whole percents never meet (a step is under a tenth): a file
    whose values all lie in them holds whole percents, read exactly whichever writer wrote it.
    Whatever value a writer stored in such a band was within two steps (under 0.2) of ``n`` and
    rounds to ``n``: read as ``n``, no sample crosses a whole percent.

    Parameters
    ----------
    values : numpy.ndarray of float
        The SpO2 values in percent (NaN = missing); not changed.
    step : float
        The physical size of one digital step, in percent.

    Returns
    -------
    numpy.ndarray or None
        A new array of whole percents (NaN kept), or None when some value is no whole percent
        as either writer stores it: the file holds values finer than whole percents that its
        step cannot tell apart.
    """
    whole = np.round(values)
    off = values - whole
    # a step either side inclusive (truncated toward zero: the code below or above), and 1e-9
    # more: the values come rounded to 1e-9, and a truncating writer's floating point can store
    # a value that is itself a code a code off
    stray = np.abs(off) > step + 1e-9  # NaN (missing) is never stray
    return None if stray.any() else whole


def path_text(path: str | os.PathLike[str]) -> str:
    r"""Return a file name as text every output can hold: bytes that are not UTF-8 escaped.

    A name copied from an old share in Latin-1 (``M\xfcller.edf``) reaches Python with its
    byte as a lone surrogate, which summary.json, cohort.csv and the PDF could not encode: the
    analysis failed as an internal error, and a whole ``oxi batch`` ended without its table.

    Parameters
    ----------
    path : str or PathLike
        The name as the operating system gave it.

    Returns
    -------
    str
        The same text for a UTF-8 name; ``\xfc`` in place of each byte that is not UTF-8.

    Examples
    --------
    >>> path_text(b"M\xfcller.edf".decode("utf-8", "surrogateescape"))
    'M\\xfcller.edf'
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


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
        # Opened without blocking, and only a regular file is read: `oxi batch --hypnogram`
        # given a FIFO (or a FIFO named night.yaml in --contexts) hung hashing it for the
        # settings' fingerprint until killed.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise RecordingFormatError(f"cannot read the file ({exc.strerror})", path) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise RecordingFormatError(f"cannot read the file ({os.strerror(errno.EISDIR)})", path)
        raise RecordingFormatError("not a regular file (a FIFO or a device)", path)
    with open(fd, "rb", buffering=0) as fh:
        try:
            while size := fh.readinto(view):
                h.update(view[:size])
        except OSError as exc:
            raise RecordingFormatError(f"cannot read the file ({exc.strerror})", path) from None
    return h.hexdigest()


#: ``oxi info``'s name for each kind of :func:`oximetry.annotations.annotation_kind`.
_INFO_KIND = {
    "stage": "sleep_stage",
    "lights": "lights",
    "segment": "segment",
    "artifact": "spo2_artifact",
    "oxygen": "oxygen",
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
        ``sleep_stage``, ``lights``, ``segment``, ``spo2_artifact`` (spans the scorer rejected
        as SpO2 artifact, which the analysis excludes), ``oxygen`` (supplemental oxygen given
        during the recording), ``event`` (scored events, which the analysis keeps) or ``note``
        (other text, which it does not).
    """
    return _INFO_KIND[annotation_kind(text)[0]]
