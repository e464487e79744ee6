"""Contec ``.SpO2`` files (CMS50/CMS60 family; Contec "SpO2 Assistant" and pulseoxdl).

Layout (``../shared/formats.md``): a u16 at byte 0 holding 856 (the offset of the record block's
header), UTF-16LE text fields (record name at 0x18, model at 0x360, user at 0x3A0, maker at
0x3E0), seven u32 at 856+200 (year, month, day, hour, minute, second, sample count), then one
record per second from byte 1084. A record is 2 bytes (SpO2, pulse) or 4 bytes (a u16, probably
perfusion index, then SpO2, pulse); the record size is (file size − 1084) ÷ count. The pair
127/255 means no finger or an artefact: both values become missing. A pulse of 255 beside an
SpO2 value (the CMS50H demo's first record) makes only the pulse missing, and an SpO2 of 127
beside a pulse only the SpO2; the warnings count each kind apart. A header whose year, month and
day are 0 (a CMS50D+, which keeps no date) gives neither date nor time of day.
"""

from __future__ import annotations

import datetime as _dt
import struct
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from oximetry.errors import RecordingFormatError
from oximetry.io._base import PLACEHOLDER_DATE, RawRecording
from oximetry.io._binary import Channel, checked_datetime, fixed_rate_recording, read_all
from oximetry.model import PatientInfo

__all__ = ["read_contec", "sniff_contec"]

_POS = 856
_DATA = _POS + 228
_NAME = "Contec .SpO2"


def sniff_contec(head: bytes) -> bool:
    """Return True when ``head`` starts like a Contec ``.SpO2`` file (u16 856 at byte 0)."""
    return len(head) >= 4 and head[:4] == b"\x58\x03\x00\x00"


def _text(data: bytes, offset: int) -> str:
    raw = data[offset : offset + 64]
    cut = next((i for i in range(0, len(raw) - 1, 2) if raw[i : i + 2] == b"\0\0"), len(raw))
    return raw[:cut].decode("utf-16-le", errors="replace").strip()


def _sentinel_warnings(no_spo2: NDArray[np.bool_], no_pulse: NDArray[np.bool_]) -> list[str]:
    """Say how many records hold each missing-value code: the pair, or one value alone.

    A record whose pulse is 255 but whose SpO2 is a reading keeps its SpO2: it is counted
    apart from the no-finger pair, never as a record "kept as missing".
    """
    pair = int(np.count_nonzero(no_spo2 & no_pulse))
    pulse_only = int(np.count_nonzero(no_pulse & ~no_spo2))
    spo2_only = int(np.count_nonzero(no_spo2 & ~no_pulse))
    out = []
    if pair:
        out.append(
            f"{pair} record(s) hold the no-finger / artefact pair 127/255: SpO2 and pulse missing"
        )
    if pulse_only:
        out.append(
            f"{pulse_only} record(s) hold pulse 255 (no pulse) beside an SpO2 reading: pulse "
            "missing there, SpO2 kept"
        )
    if spo2_only:
        out.append(
            f"{spo2_only} record(s) hold SpO2 127 (no SpO2) beside a pulse reading: SpO2 missing "
            "there, pulse kept"
        )
    return out


def read_contec(path: Path) -> RawRecording:
    """Read a Contec ``.SpO2`` file.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    RawRecording
        ``SpO2`` (%) and ``Pulse`` (bpm) at 1 Hz; format ``contec-spo2``.

    Raises
    ------
    RecordingFormatError
        A truncated header, an impossible date, a sample count that does not fit the file
        size, or records that are neither 2 nor 4 bytes.
    """
    data = read_all(path)
    if len(data) < _DATA:
        raise RecordingFormatError(
            f"{_NAME}: file is {len(data)} bytes, shorter than its {_DATA}-byte header (truncated)",
            path,
        )
    *when, count = struct.unpack_from("<7I", data, _POS + 200)
    warnings = []
    dated = any(when[:3])
    if dated:
        start = checked_datetime(when, _NAME, path)
    else:
        # A CMS50D+ keeps no date: its files hold 0 for year, month and day (OSCAR,
        # cms50f37_loader.cpp 962-970, cited in formats.md). Refused as "year 0", a sound
        # night could not be read; the time fields beside no date say no time of day either.
        start = _dt.datetime.combine(PLACEHOLDER_DATE, _dt.time())
        warnings.append(
            "the header holds no date (0, as a CMS50D+ writes it): start date and time unknown "
            "(shown as 1900-01-01 00:00:00), times are elapsed time; give the test date in the "
            "clinical context"
        )
    body = len(data) - _DATA
    if count == 0:
        raise RecordingFormatError(f"{_NAME}: the header says it holds no samples", path)
    if body % count or body // count not in (2, 4):
        raise RecordingFormatError(
            f"{_NAME}: {body} data bytes do not hold the header's {count} samples of 2 or 4 "
            "bytes (truncated or not a .SpO2 file)",
            path,
        )
    width = body // count
    rec = np.frombuffer(data, dtype=np.uint8, offset=_DATA).reshape(count, width)
    spo2 = rec[:, width - 2].astype(np.float64)
    pulse = rec[:, width - 1].astype(np.float64)
    no_spo2, no_pulse = spo2 == 127, pulse == 255
    spo2[no_spo2] = np.nan
    pulse[no_pulse] = np.nan
    if struct.unpack_from("<I", data, _POS)[0] != 1:
        warnings.append(
            "Contec header flag at byte 856 is not 1 (seen in CMS50H files); read anyway"
        )
    warnings += _sentinel_warnings(no_spo2, no_pulse)
    model = _text(data, 0x360)
    maker = _text(data, 0x3E0) or "Contec"
    user = _text(data, 0x3A0)
    return fixed_rate_recording(
        path,
        fmt="contec-spo2",
        device=f"{maker} {model}".strip() + f" ({width}-byte records)",
        start=start,
        fs=1.0,
        channels=[
            Channel("SpO2", "%", spo2, (0.0, 100.0)),
            Channel("Pulse", "bpm", pulse, (0.0, 254.0)),
        ],
        warnings=warnings,
        patient=PatientInfo(name=user or None),
        date_known=dated,
        clock_known=dated,
    )
