"""ChoiceMMed MedView ``.dat`` files (MD300W1 and relatives).

Layout (``../shared/formats.md``): byte 0 an id, bytes 1–2 the record count n (u16 LE), then n
records of 11 bytes: 0, 0, an id byte, year − 2000, month, day, hour, minute, second, SpO2,
pulse. Each record carries its own time (one a second); a report block may follow the records.
Records are placed on a 1-s grid by their own times (:mod:`oximetry.io.timegrid`), so a pause in
the recording stays a gap (missing data), never closed up; time going backwards is refused
(other than one autumn daylight-saving hour). 0 and 255 are missing values.
"""

from __future__ import annotations

import datetime as _dt
import struct
from pathlib import Path

import numpy as np

from oximetry.errors import RecordingFormatError
from oximetry.io._base import RawRecording
from oximetry.io._binary import Channel, checked_datetime, fixed_rate_recording, read_all
from oximetry.io.timegrid import TimeAxisError, place_on_grid

__all__ = ["read_medview", "sniff_medview"]

RECORD = 11
_WHAT = "MedView .dat"


def _plausible(r: bytes) -> bool:
    return (
        r[0] == 0
        and r[1] == 0
        and r[3] <= 99
        and 1 <= r[4] <= 12
        and 1 <= r[5] <= 31
        and r[6] < 24
        and r[7] < 60
        and r[8] < 60
    )


def sniff_medview(head: bytes, size: int) -> bool:
    """Return True when the file starts like a MedView ``.dat`` (count, then dated records)."""
    if len(head) < 3 + RECORD:
        return False
    n = struct.unpack_from("<H", head, 1)[0]
    if n == 0 or size < 3 + RECORD * n:
        return False
    shown = min(n, (len(head) - 3) // RECORD, 8)
    return all(_plausible(head[3 + RECORD * k : 3 + RECORD * (k + 1)]) for k in range(shown))


def read_medview(path: Path) -> RawRecording:
    """Read a MedView ``.dat`` file.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    RawRecording
        ``SpO2`` (%) and ``Pulse`` (bpm) on a 1-s grid from the records' own times; format
        ``medview-dat``.

    Raises
    ------
    RecordingFormatError
        Too few bytes for the record count, an impossible record time, or time going backwards.
    """
    data = read_all(path)
    n = struct.unpack_from("<H", data, 1)[0] if len(data) >= 3 else 0
    if n == 0 or len(data) < 3 + RECORD * n:
        raise RecordingFormatError(
            f"{_WHAT}: {len(data)} bytes cannot hold the {n} records the header announces "
            "(truncated)",
            path,
        )
    rec = np.frombuffer(data, dtype=np.uint8, offset=3, count=RECORD * n).reshape(n, RECORD)
    if np.any(rec[:, 0] | rec[:, 1]):
        k = int(np.flatnonzero(rec[:, 0] | rec[:, 1])[0])
        raise RecordingFormatError(f"{_WHAT}: record {k + 1} does not start with 0, 0", path)
    first = checked_datetime([2000 + int(rec[0, 3]), *(int(x) for x in rec[0, 4:9])], _WHAT, path)
    elapsed = np.empty(n)
    for k in range(n):  # each record's own clock time, checked one by one for a clear message
        when = checked_datetime(
            [2000 + int(rec[k, 3]), *(int(x) for x in rec[k, 4:9])], f"{_WHAT} record {k + 1}", path
        )
        elapsed[k] = (when - first).total_seconds()
    warnings: list[str] = []
    clock_changes: tuple[float, ...] = ()
    if n == 1:
        spo2 = rec[:, 9].astype(np.float64)
        pulse = rec[:, 10].astype(np.float64)
    else:
        try:
            grid = place_on_grid(
                elapsed,
                time_of_day_only=False,
                clock0_s=_seconds(first),
                date0=first.date(),
                rows=rec[:, 9:11].astype(np.float64),
            )
        except TimeAxisError as exc:
            raise RecordingFormatError(f"{_WHAT}: {exc}", path) from None
        if abs(grid.step_s - 1.0) > 1e-6:
            raise RecordingFormatError(
                f"{_WHAT}: records are {grid.step_s:g} s apart; MedView stores one a second", path
            )
        warnings.extend(grid.warnings)
        clock_changes = grid.clock_changes_s
        spo2 = grid.fill(rec[:, 9].astype(np.float64))
        pulse = grid.fill(rec[:, 10].astype(np.float64))
    for arr in (spo2, pulse):
        arr[(arr == 0) | (arr == 255)] = np.nan
    return fixed_rate_recording(
        path,
        fmt="medview-dat",
        device="ChoiceMMed oximeter (MedView .dat)",
        start=first,
        fs=1.0,
        channels=[
            Channel("SpO2", "%", spo2, (0.0, 100.0)),
            Channel("Pulse", "bpm", pulse, (0.0, 254.0)),
        ],
        warnings=warnings,
        extra={"clock_changes_s": clock_changes},
    )


def _seconds(t: _dt.datetime) -> float:
    return t.hour * 3600.0 + t.minute * 60.0 + t.second
