"""Shared steps of the native binary readers (Contec, Viatom/Wellue, O2Ring-S, MedView).

Each of those formats is a small file of fixed-size records; the reader decodes every channel
up front (a night at 1 Hz is a few tens of thousands of samples) and hands the arrays to
:func:`fixed_rate_recording`, which wraps them in a :class:`RawRecording` whose loader returns
fresh copies (the reader cleans them in place).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from oximetry.errors import RecordingFormatError
from oximetry.io._base import RawChannel, RawRecording
from oximetry.limits import MAX_YEAR, MIN_YEAR
from oximetry.model import PatientInfo

__all__ = ["Channel", "checked_datetime", "file_name_time", "fixed_rate_recording", "read_all"]

#: Longest night a native file may claim (the devices store at most a few days).
MAX_NATIVE_S = 7 * 86400.0
#: A time in a file name, at digit boundaries, inside a lookahead so that every start is tried
#: (overlapping candidates). Without the boundaries the optional separators let
#: ``20260105_202601`` match at the start of the O2Ring-S name ``20260105_20260105230000`` and
#: swallow the device's stamp: the night was read as starting at 20:26:01 (review of hunt 10);
#: ``202601052300001`` was read as 23:00:00. A run of 15 or more digits is no time.
_NAME_TIME = re.compile(
    r"(?<!\d)(?=((20\d\d)-?([01]\d)-?([0-3]\d)[ _T-]?([0-2]\d):?([0-5]\d):?([0-5]\d))(?!\d))"
)


@dataclass(frozen=True)
class Channel:
    """One decoded channel: label, unit, values (float, NaN = missing), valid physical range."""

    label: str
    unit: str
    values: NDArray[np.float64]
    valid_range: tuple[float, float] | None = None


def read_all(path: Path) -> bytes:
    """Return the file's bytes, or raise RecordingFormatError naming the OS reason."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise RecordingFormatError(f"cannot read the file ({exc.strerror})", path) from None


def checked_datetime(fields: Sequence[int], what: str, path: Path) -> _dt.datetime:
    """Build a datetime from (year, month, day, hour, minute, second) or refuse the file.

    Parameters
    ----------
    fields : sequence of int
        Year, month, day, hour, minute, second as stored.
    what : str
        The format's name, for the message.
    path : Path
        The file, for the message.

    Returns
    -------
    datetime.datetime
        Naive local wall-clock time.

    Raises
    ------
    RecordingFormatError
        When the fields are not a real date and time in the years ``MIN_YEAR``-``MAX_YEAR``.
    """
    y, mo, d, h, mi, s = (int(x) for x in fields)
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise RecordingFormatError(f"{what}: the header's year {y} is not plausible", path)
    try:
        return _dt.datetime(y, mo, d, h, mi, s)
    except (ValueError, OverflowError):  # OverflowError: a field beyond a C int (a 4-byte day)
        raise RecordingFormatError(
            f"{what}: the header's start {y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d} is "
            "not a real date and time",
            path,
        ) from None


def file_name_time(path: Path) -> _dt.datetime | None:
    """Return the start time written in a file name (``20240301231500``, ``2024-03-01 23:15:00``).

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    datetime.datetime or None
        None when the name holds no such time (or an impossible one).

    Raises
    ------
    RecordingFormatError
        The name holds two different times: which is the start is not known.
    """
    found: dict[_dt.datetime, str] = {}
    for m in _NAME_TIME.finditer(path.name):
        y, mo, d, h, mi, sec = (int(x) for x in m.groups()[1:])
        try:
            when = _dt.datetime(y, mo, d, h, mi, sec)
        except ValueError:  # digits shaped like a time that is none (month 13): no time at all
            continue
        found.setdefault(when, m.group(1))
    if len(found) > 1:
        # The devices name a file after its start alone (formats.md: the name is the start
        # time); nothing says which of two stamps is the start. The last was taken: a copy named
        # 20260105230000-20260106063000 (start-end) was read as starting at 06:30 the next day.
        stamps = " and ".join(f"'{s}'" for s in found.values())
        raise RecordingFormatError(
            f"the file name carries {len(found)} different times ({stamps}) and the file holds "
            "none: which is the start is not known; rename the file to its start time alone "
            "(yyyyMMddHHmmss), as the device names it",
            path,
        )
    return next(iter(found), None)


def fixed_rate_recording(
    path: Path,
    *,
    fmt: str,
    device: str,
    start: _dt.datetime,
    fs: float,
    channels: Sequence[Channel],
    warnings: Sequence[str] = (),
    patient: PatientInfo | None = None,
    extra: dict[str, Any] | None = None,
    date_known: bool = True,
    clock_known: bool = True,
) -> RawRecording:
    """Wrap decoded channels sharing one rate in a :class:`RawRecording`.

    Parameters
    ----------
    path : Path
        The file.
    fmt, device : str
        Format name (``contec-spo2`` ...) and device as far as the file says.
    start : datetime.datetime
        Time of the first sample.
    fs : float
        Sampling rate in Hz of every channel.
    channels : sequence of Channel
        Decoded values, one array per channel, all of the same length.
    warnings : sequence of str
        What the reader had to decide.
    patient : PatientInfo, optional
        Identifiers the file holds.
    extra : dict, optional
        Format-specific facts (the vendor's own summary ...), kept in ``RawRecording.extra``.
    date_known : bool
        False when the start is the placeholder date (the file holds no date).
    clock_known : bool
        False when the file holds no time of day either (the start is the placeholder
        midnight).

    Returns
    -------
    RawRecording

    Raises
    ------
    RecordingFormatError
        When the file holds no samples or claims more than a week.
    """
    n = int(channels[0].values.size)
    if n == 0:
        raise RecordingFormatError(f"{fmt}: the file holds no samples", path)
    if n / fs > MAX_NATIVE_S:
        raise RecordingFormatError(
            f"{fmt}: {n} samples at {fs:g} Hz is {n / fs / 86400:.1f} days; not one recording",
            path,
        )
    raws = [RawChannel(c.label, c.unit, fs, int(c.values.size), c.valid_range) for c in channels]
    arrays = [c.values for c in channels]

    def load(which: Sequence[int]) -> dict[int, NDArray[np.float64]]:
        return {k: np.array(arrays[k], dtype=np.float64) for k in which}

    return RawRecording(
        path=str(path),
        format=fmt,
        device=device,
        start=start,
        date_known=date_known,
        clock_known=clock_known,
        channels=raws,
        load=load,
        patient=patient if patient is not None else PatientInfo(),
        warnings=list(warnings),
        extra=dict(extra or {}),
    )
