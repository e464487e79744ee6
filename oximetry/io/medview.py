"""ChoiceMMed MedView ``.dat`` files (MD300W1 and relatives).

Layout (``../shared/formats.md``): byte 0 an id, bytes 1–2 the record count n (u16 LE), then n
records of 11 bytes: 0, 0, an id byte, year − 2000, month, day, hour, minute, second, SpO2,
pulse. Each record carries its own time (one a second); a report block may follow the records,
but not more dated records: a count that is the records modulo 65536 (a u16 that wrapped) is read
with a warning, any other count short of the records is refused.
Records are placed on a 1-s grid by their own times (:mod:`oximetry.io.timegrid`), so a pause in
the recording stays a gap (missing data), never closed up; time going backwards is refused
(other than one autumn daylight-saving hour). An SpO2 of 0 or 255 and a pulse of 255 are missing
values; a pulse of 0 is "no pulse found" and kept, so that it invalidates the SpO2 beside it
(SPEC §4 rule 4), as in every other reader.
"""

from __future__ import annotations

import datetime as _dt
import struct
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from oximetry.errors import RecordingFormatError
from oximetry.io._base import RawRecording
from oximetry.io._binary import Channel, checked_datetime, fixed_rate_recording, read_all
from oximetry.io.timegrid import TimeAxisError, place_on_grid

__all__ = ["read_medview", "sniff_medview"]

RECORD = 11
_WHAT = "MedView .dat"


def _dated(r: NDArray[np.uint8]) -> NDArray[np.bool_]:
    """Return, for each 11-byte row, whether it is shaped like a dated record (0, 0, id, date)."""
    return (
        (r[:, 0] == 0)
        & (r[:, 1] == 0)
        & (r[:, 3] <= 99)
        & (r[:, 4] >= 1)
        & (r[:, 4] <= 12)
        & (r[:, 5] >= 1)
        & (r[:, 5] <= 31)
        & (r[:, 6] < 24)
        & (r[:, 7] < 60)
        & (r[:, 8] < 60)
    )


def _dated_records_after(data: bytes, n: int) -> int:
    """Return how many 11-byte chunks after the first ``n`` records look like dated records.

    Counted from the end of the ``n`` records to the first chunk that does not (the start of a
    report block, or the end of the file).
    """
    start = 3 + RECORD * n
    whole = (len(data) - start) // RECORD
    if whole <= 0:
        return 0
    r = np.frombuffer(data, dtype=np.uint8, offset=start, count=RECORD * whole)
    dated = _dated(r.reshape(whole, RECORD))
    return whole if bool(dated.all()) else int(np.argmin(dated))


def sniff_medview(head: bytes, size: int) -> bool:
    """Return True when the file starts like a MedView ``.dat`` (count, then dated records)."""
    if len(head) < 3 + RECORD:
        return False
    n = struct.unpack_from("<H", head, 1)[0]
    if n == 0 or size < 3 + RECORD * n:
        return False
    shown = min(n, (len(head) - 3) // RECORD, 8)
    rows = np.frombuffer(head, dtype=np.uint8, offset=3, count=RECORD * shown)
    return bool(_dated(rows.reshape(shown, RECORD)).all())


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
        Too few bytes for the record count, more dated records after the counted ones (other
        than a multiple of 65536 more: a u16 count that wrapped, read with a warning), an
        impossible record time, or time going backwards.
    """
    data = read_all(path)
    n = struct.unpack_from("<H", data, 1)[0] if len(data) >= 3 else 0
    if n == 0 or len(data) < 3 + RECORD * n:
        raise RecordingFormatError(
            f"{_WHAT}: {len(data)} bytes cannot hold the {n} records the header announces "
            "(truncated)",
            path,
        )
    warnings: list[str] = []
    # What follows the n records is taken as a report block only when it does not begin with
    # more dated records: a 70,000-record night (a u16 count of 4,464) read as 74 min, the
    # 65,536 records after the count ignored as "report". A count off by a multiple of 65536
    # (a u16 that wrapped) is unambiguous; any other disagreement is refused.
    more = _dated_records_after(data, n)
    if more:
        if more % 0x10000:
            raise RecordingFormatError(
                f"{_WHAT}: the header announces {n} records, but {more} more dated 11-byte "
                f"records follow them ({n + more} in all): the count disagrees with the file; "
                "not read, as either may be the wrong one (damaged file)",
                path,
            )
        warnings.append(
            f"the header's record count {n} is the {n + more} dated records the file holds "
            "modulo 65536: read as a u16 count that wrapped, all records read"
        )
        n += more
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
    # SpO2 0 or 255 is no reading. A pulse of 255 is missing too, but a pulse of 0 is "no pulse
    # found" and is kept, as the Contec and Viatom readers keep it (reader._clean, SPEC §4 rule
    # 4: it invalidates the SpO2 beside it). Blanked here, 10 min of SpO2 sliding to 86 %
    # beside a pulse of 0 qualified a night whose same samples in a Contec .SpO2 were invalid.
    spo2[(spo2 == 0) | (spo2 == 255)] = np.nan
    pulse[pulse == 255] = np.nan
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
