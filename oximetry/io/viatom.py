"""Viatom / Wellue binary nights: O2Ring, Checkme O2 (Max), SleepU, BabyO2 (v3/v5), and O2Ring-S.

**Version 3 and 5 files** (``../shared/formats.md``): a 40-byte little-endian header (version u16,
start year u16, month, day, hour, minute, second; file size at 9; duration in seconds, a u16
at 13; the device's own summary at 17–30), then 5-byte records: SpO2, pulse, an invalid flag (0 or
0xFF), motion, vibration. The interval is duration ÷ records (4 s; 2 s on the O2 Max). A version-3
file that comes out at 2 s holds every sample twice and is de-duplicated. A record flagged
invalid (0xFF) is missing (a gap). A record not flagged invalid whose SpO2 is 0xFF while its
pulse is valid is a reading below the device's floor (about 61 %): it is kept at the floor value
:data:`FLOOR_PCT` — the highest it can be, so every "time at or below 88/89/90 %" counts it
exactly — a warning says how many, and the ``SpO2 below floor`` channel marks them. The start
time is the header's. Motion and vibration are kept as channels; the device's summary is kept
as ``vendor_summary`` and reported beside oxi's figures.

**O2Ring-S** files have a constant 10-byte header, 3-byte records at 1 Hz (SpO2, pulse,
motion/status), and a 48-byte trailer (magic ``48 12 5a da`` at trailer offset 4; the record
count is the u16 36 bytes before the end; average and minimum SpO2 at trailer offsets 34 and
35). The records fill the bytes between header and trailer, and the count must agree with them:
a count that is their number modulo 65536 (a u16 that wrapped) is read with a warning, any other
disagreement is refused. The file holds no start time: it is read from the file name
(``yyyyMMddHHmmss``); a name with two different times is refused (which is the start is unknown).
"""

from __future__ import annotations

import datetime as _dt
import struct
from pathlib import Path
from typing import Any

import numpy as np

from oximetry.errors import RecordingFormatError
from oximetry.io._base import PLACEHOLDER_DATE, RawRecording
from oximetry.io._binary import (
    Channel,
    checked_datetime,
    file_name_time,
    fixed_rate_recording,
    read_all,
)

__all__ = [
    "FLOOR_PCT",
    "O2RING_S_HEADER",
    "O2RING_S_MAGIC",
    "read_o2ring_s",
    "read_viatom",
    "sniff_o2ring_s",
    "sniff_viatom",
]

HEADER = 40
RECORD = 5
#: The lowest SpO2 the Viatom/Wellue devices report; 0xFF in a valid record means below it.
FLOOR_PCT = 61.0
O2RING_S_HEADER = bytes([0x01, 0x03, 0, 0, 0, 0, 0, 0, 0x04, 0x00])
O2RING_S_MAGIC = bytes([0x48, 0x12, 0x5A, 0xDA])
O2RING_S_TRAILER = 48
_INTERVALS = (1.0, 2.0, 4.0)
_V3 = "Viatom/Wellue binary"


def sniff_viatom(head: bytes) -> bool:
    """Return True when ``head`` starts with a plausible Viatom v3/v5 header."""
    if len(head) < 9 or head[:2] not in (b"\x03\x00", b"\x05\x00"):
        return False
    year = head[2] | head[3] << 8
    return 2000 <= year <= 2099 and 1 <= head[4] <= 12 and 1 <= head[5] <= 31 and head[6] < 24


def sniff_o2ring_s(head: bytes) -> bool:
    """Return True when ``head`` starts with the O2Ring-S constant header."""
    return head[: len(O2RING_S_HEADER)] == O2RING_S_HEADER


def _duration_s(h: bytes) -> int:
    """Return the header's duration in seconds: the u16 at byte 13.

    ``../shared/formats.md`` gives "13: duration in seconds, u16" and says bytes it does not
    describe (15 and 16 among them) are 0; OSCAR (``viatom_loader.cpp``, cited there) reads bytes
    13–14 and reports a non-zero byte 15 or 16 as data it has never seen. A u32 at 13 would take
    bytes 15–16 into the duration: any non-zero byte there multiplies it by 65536 or more, which
    gives a wrong interval or refuses a sound file. The records check the u16 (:func:`_interval`
    and the coverage check of :func:`read_viatom`), so a night longer than 65535 s whose device
    used more bytes is refused there, never read at a wrong interval.
    """
    return int(struct.unpack_from("<H", h, 13)[0])


def _vendor_summary_v3(h: bytes) -> dict[str, Any]:
    """Return the device's own figures from the header (None where the device left 0)."""

    def pct(v: int) -> float | None:
        return float(v) if 0 < v <= 100 else None

    return {
        "source": "device header",
        "spo2_mean_pct": pct(h[17]),
        "spo2_min_pct": pct(h[18]),
        "drops_3pct": int(h[19]),
        "drops_4pct": int(h[20]),
        "time_below_90_min": struct.unpack_from("<H", h, 22)[0] / 60.0,
        "events_below_90": int(h[24]),
        "o2_score": h[25] / 10.0 if h[25] else None,
        "pulse_mean_bpm": float(h[30]) if h[30] else None,
        "duration_min": _duration_s(h) / 60.0,
    }


def _interval(duration: int, n: int, path: Path, note: str) -> float:
    raw = duration / n
    best = min(_INTERVALS, key=lambda s: abs(s - raw))
    if abs(raw - best) > 0.1 * best:
        raise RecordingFormatError(
            f"{_V3}: duration {duration} s over {n} records is {raw:.3g} s per record, not a "
            f"device interval (1, 2 or 4 s){note}",
            path,
        )
    return best


def read_viatom(path: Path) -> RawRecording:
    """Read a Viatom/Wellue version-3 or version-5 binary night.

    Parameters
    ----------
    path : Path
        The file (as the device or ViHealth app stored it).

    Returns
    -------
    RawRecording
        ``SpO2`` (%), ``Pulse`` (bpm), ``Motion``, ``Vibration`` and ``SpO2 below floor``
        (1 where a reading was below the device's floor); format ``viatom-v3`` or ``viatom-v5``;
        ``extra["vendor_summary"]`` holds the device's own summary.

    Raises
    ------
    RecordingFormatError
        A header shorter than 40 bytes, an impossible start, records that do not fill the file,
        or a duration that gives no device interval.
    """
    data = read_all(path)
    if len(data) < HEADER + RECORD:
        raise RecordingFormatError(
            f"{_V3}: file is {len(data)} bytes; a header of {HEADER} bytes and at least one "
            "record are needed (truncated)",
            path,
        )
    version = struct.unpack_from("<H", data, 0)[0]
    start = checked_datetime((struct.unpack_from("<H", data, 2)[0], *data[4:9]), _V3, path)
    body = len(data) - HEADER
    if body % RECORD:
        raise RecordingFormatError(
            f"{_V3}: {body} data bytes are not whole {RECORD}-byte records (truncated?)", path
        )
    rec = np.frombuffer(data, dtype=np.uint8, offset=HEADER).reshape(-1, RECORD)
    duration = _duration_s(data)
    high = data[15:17]
    # Bytes 15-16 are not described (formats.md): said when a check fails, and as a warning.
    note = (
        f" (header bytes 15-16 are {high.hex(' ')}, not 0: a duration that does not fit the "
        "u16 at byte 13 is not a known layout)"
        if any(high)
        else ""
    )
    if duration == 0:
        raise RecordingFormatError(f"{_V3}: the header's duration is 0 s{note}", path)
    step = _interval(duration, rec.shape[0], path, note)
    warnings: list[str] = []
    if step == 2.0 and version == 3:
        pairs = rec.shape[0] % 2 == 0 and bool(np.array_equal(rec[0::2], rec[1::2]))
        if pairs:
            rec = rec[0::2]
            step = 4.0
            warnings.append("version-3 file stores every 4-s sample twice; de-duplicated to 4 s")
        else:
            warnings.append("version-3 file at 2 s whose samples are not pairs; kept at 2 s")
    covered = rec.shape[0] * step
    if abs(covered - duration) > step:
        raise RecordingFormatError(
            f"{_V3}: the header's duration is {duration} s but the records cover {covered:g} s "
            f"(truncated or damaged){note}",
            path,
        )
    if any(high):
        warnings.append(
            f"header bytes 15-16 are {high.hex(' ')}, not 0 as in the known layouts; the "
            f"duration was read from bytes 13-14 ({duration} s), which the records confirm "
            f"({rec.shape[0]} of {step:g} s)"
        )
    declared = data[9] | data[10] << 8 | data[11] << 16 | data[12] << 24
    if declared not in (len(data), HEADER + body // 2):
        warnings.append(f"header gives file size {declared}, the file has {len(data)} bytes")
    spo2_b, hr_b, flag = rec[:, 0], rec[:, 1], rec[:, 2]
    invalid = flag != 0
    below = ~invalid & (spo2_b == 0xFF) & (hr_b != 0xFF)
    spo2 = spo2_b.astype(np.float64)
    pulse = hr_b.astype(np.float64)
    spo2[invalid | ((spo2_b == 0xFF) & ~below)] = np.nan
    pulse[invalid | (hr_b == 0xFF)] = np.nan
    spo2[below] = FLOOR_PCT
    n_below = int(np.count_nonzero(below))
    if n_below:
        warnings.append(
            f"{n_below} sample(s) below the device's floor ({FLOOR_PCT:g} %) counted at "
            f"{FLOOR_PCT:g} %: the true value is lower (not a gap)"
        )
    if invalid.any():
        warnings.append(f"{int(invalid.sum())} record(s) flagged invalid by the device (missing)")
    model = "Checkme O2 Max" if version == 5 else "O2Ring / Checkme O2 / SleepU"
    return fixed_rate_recording(
        path,
        fmt=f"viatom-v{version}",
        device=f"Viatom/Wellue {model} (binary v{version}, {step:g} s)",
        start=start,
        fs=1.0 / step,
        channels=[
            Channel("SpO2", "%", spo2, (0.0, 100.0)),
            Channel("Pulse", "bpm", pulse, (0.0, 254.0)),
            Channel("Motion", "", rec[:, 3].astype(np.float64)),
            Channel("Vibration", "", rec[:, 4].astype(np.float64)),
            Channel("SpO2 below floor", "", below.astype(np.float64)),
        ],
        warnings=warnings,
        extra={"vendor_summary": _vendor_summary_v3(data[:HEADER])},
    )


def _name_start(path: Path, what: str) -> tuple[_dt.datetime, list[str]]:
    start = file_name_time(path)
    if start is not None:
        # said, because the file's sha256 does not cover its name: the same bytes renamed
        # 20261120223000 moved a June night into an order's window and qualified, and
        # oxi verify of the renamed file passed
        return start, [
            f"{what} files hold no start time: the start ({start:%Y-%m-%d %H:%M:%S}) is read "
            "from the file name, which the file's sha256 does not cover; check it against the "
            "test's date"
        ]
    return _dt.datetime.combine(PLACEHOLDER_DATE, _dt.time()), [
        f"{what} files hold no start time and the file name carries none (yyyyMMddHHmmss): "
        "start date and time unknown (shown as 1900-01-01 00:00:00)"
    ]


def read_o2ring_s(path: Path) -> RawRecording:
    """Read an O2Ring-S (OxyII) binary night.

    Parameters
    ----------
    path : Path
        The file, named after its start time as the device names it.

    Returns
    -------
    RawRecording
        ``SpO2`` (%), ``Pulse`` (bpm) and ``Motion`` at 1 Hz; format ``o2ring-s``.

    Raises
    ------
    RecordingFormatError
        A file too short for header and trailer, no trailer, bytes between them that are not
        whole records, or a trailer record count that disagrees with the records (other than
        one that is their number modulo 65536: a u16 that wrapped, read with a warning), or a
        file name with two different times (which is the start is not known).
    """
    data = read_all(path)
    what = "O2Ring-S binary"
    size = len(data)
    if size < len(O2RING_S_HEADER) + O2RING_S_TRAILER:
        raise RecordingFormatError(
            f"{what}: file is {size} bytes, too short for its header and 48-byte trailer "
            "(truncated)",
            path,
        )
    trailer = data[size - O2RING_S_TRAILER :]
    if trailer[4:8] != O2RING_S_MAGIC:
        raise RecordingFormatError(
            f"{what}: no trailer (magic 48 12 5a da) in the last 48 bytes; truncated or not an "
            "O2Ring-S file",
            path,
        )
    body = size - len(O2RING_S_HEADER) - O2RING_S_TRAILER
    if body % 3:
        raise RecordingFormatError(
            f"{what}: the {body} bytes between the 10-byte header and the 48-byte trailer are "
            "not whole 3-byte records (truncated or damaged)",
            path,
        )
    room = body // 3
    count = struct.unpack_from("<H", data, size - 36)[0]
    warnings: list[str] = []
    if room == 0:
        raise RecordingFormatError(f"{what}: the file holds no records", path)
    # The records fill the space between header and trailer (formats.md). Reading the first
    # `count` of them when the count was smaller dropped the rest without a word: an 8-h file
    # whose count said 10,800 read as 3 h, and a 70,000-record night (a u16 count of 4,464)
    # as 74 min. Only a count that is the records modulo 65536 is unambiguous.
    if count != room:
        if room <= 0xFFFF or count != room % 0x10000:
            raise RecordingFormatError(
                f"{what}: the trailer's record count {count} ({count / 3600:.2f} h at 1 Hz) "
                f"disagrees with the {room} records between header and trailer "
                f"({room / 3600:.2f} h); not read, as either may be the wrong one "
                "(damaged file)",
                path,
            )
        warnings.append(
            f"the trailer's record count {count} is the {room} records the file holds "
            f"({room / 3600:.2f} h) modulo 65536: read as a u16 count that wrapped, all "
            f"{room} records read. OSCAR gives 36000 (10 h) as the most an O2Ring-S file "
            "holds: check that the file is one night from the device"
        )
    count = room
    start, more = _name_start(path, what)
    warnings += more
    rec = np.frombuffer(data, dtype=np.uint8, offset=len(O2RING_S_HEADER), count=3 * count)
    rec = rec.reshape(count, 3)
    spo2 = rec[:, 0].astype(np.float64)
    pulse = rec[:, 1].astype(np.float64)
    lost = (rec[:, 0] == 0xFF) | (rec[:, 1] == 0xFF)
    spo2[lost] = np.nan
    pulse[rec[:, 1] == 0xFF] = np.nan
    summary = {
        "source": "device trailer",
        "spo2_mean_pct": float(trailer[34]) if 0 < trailer[34] <= 100 else None,
        "spo2_min_pct": float(trailer[35]) if 0 < trailer[35] <= 100 else None,
        "o2_score": None if trailer[42] == 0xFF else trailer[42] / 10.0,
    }
    return fixed_rate_recording(
        path,
        fmt="o2ring-s",
        device="Wellue O2Ring-S (binary, 1 s)",
        start=start,
        fs=1.0,
        channels=[
            Channel("SpO2", "%", spo2, (0.0, 100.0)),
            Channel("Pulse", "bpm", pulse, (0.0, 254.0)),
            Channel("Motion", "", rec[:, 2].astype(np.float64)),
        ],
        warnings=warnings,
        extra={"vendor_summary": summary},
        date_known=start.date() != PLACEHOLDER_DATE,
        clock_known=start.date() != PLACEHOLDER_DATE,
    )
