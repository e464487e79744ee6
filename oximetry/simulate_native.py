"""Write simulated nights in the devices' own binary layouts (tests only; not a conversion tool).

Each writer lays a :class:`~oximetry.model.Recording` (from :func:`oximetry.simulate.simulate_night`
at the device's rate) out byte for byte as ``../shared/formats.md`` describes the device's file,
so every native reader is tested on files made from known truth: Contec ``.SpO2``, Viatom/Wellue
version 3 and 5, O2Ring-S and MedView ``.dat``. Missing samples are written as the device's
missing-value codes; a Viatom SpO2 below the device's floor is written as the device does (0xFF
in a record not flagged invalid). The devices keep time to the second: a night that starts within
a second is refused, never written a fraction early.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .errors import SettingsError
from .model import Recording

__all__ = ["write_contec", "write_medview", "write_o2ring_s", "write_viatom"]


def _pulse(rec: Recording) -> NDArray[np.float64]:
    n = rec.spo2.n_samples
    if rec.pulse is None:
        return np.full(n, np.nan)
    if rec.pulse.n_samples != n:
        raise SettingsError("native writers need pulse at the SpO2 rate")
    return np.asarray(rec.pulse.data, dtype=np.float64)


def _bytes(values: NDArray[np.float64], missing: int) -> NDArray[np.uint8]:
    out = np.where(np.isfinite(values), np.clip(np.rint(values), 0, 254), missing)
    return out.astype(np.uint8)


def _check_rate(rec: Recording, fs: float, what: str) -> None:
    if abs(rec.fs - fs) > 1e-9:
        raise SettingsError(f"{what} stores {fs:g} Hz; the recording is at {rec.fs:g} Hz")


def _check_start(rec: Recording, what: str) -> None:
    # The devices keep their start (or their records' times) to the second: a start at
    # 22:13:07.500 was written as 22:13:07, every sample half a second early, without a word.
    if rec.start.microsecond:
        raise SettingsError(
            f"{what} files give the start to the second; the recording starts at "
            f"{rec.start:%H:%M:%S.%f} (writing it would move every sample)"
        )


def _utf16(text: str, width: int = 64) -> bytes:
    return text.encode("utf-16-le")[: width - 2].ljust(width, b"\0")


def write_contec(
    rec: Recording, path: str | Path, *, record_bytes: int = 2, model: str = "CMS50E"
) -> Path:
    """Write a Contec ``.SpO2`` file (1 Hz; missing samples as the pair 127/255).

    Parameters
    ----------
    rec : Recording
        At 1 Hz, with pulse at 1 Hz or none.
    path : str or Path
        Where to write.
    record_bytes : int
        2 (SpO2, pulse) or 4 (a u16 written as 0, then SpO2, pulse).
    model : str
        The model string of the header.

    Returns
    -------
    Path

    Raises
    ------
    SettingsError
        Not 1 Hz, a start within a second (the header holds whole seconds), or a record size
        other than 2 or 4.
    """
    _check_rate(rec, 1.0, "Contec .SpO2")
    _check_start(rec, "Contec .SpO2")
    if record_bytes not in (2, 4):
        raise SettingsError("Contec records are 2 or 4 bytes")
    spo2, pulse = rec.spo2.data, _pulse(rec)
    missing = ~np.isfinite(spo2)
    s = np.where(missing, 127, _bytes(spo2, 127)).astype(np.uint8)
    p = np.where(missing, 255, _bytes(pulse, 255)).astype(np.uint8)
    body = np.zeros((s.size, record_bytes), dtype=np.uint8)
    body[:, -2], body[:, -1] = s, p
    head = bytearray(1084)
    struct.pack_into("<H", head, 0, 856)
    struct.pack_into("<I", head, 856, 1)
    head[0x360 : 0x360 + 64] = _utf16(model)
    head[0x3E0 : 0x3E0 + 64] = _utf16("Contec")
    t = rec.start
    struct.pack_into("<7I", head, 1056, t.year, t.month, t.day, t.hour, t.minute, t.second, s.size)
    out = Path(path)
    out.write_bytes(bytes(head) + body.tobytes())
    return out


def write_viatom(
    rec: Recording,
    path: str | Path,
    *,
    version: int = 3,
    duplicate: bool = False,
    motion: NDArray[np.float64] | None = None,
    floor_pct: float = 61.0,
) -> Path:
    """Write a Viatom/Wellue binary night (version 3 or 5).

    Parameters
    ----------
    rec : Recording
        At 0.25 Hz (4 s) or, for version 5, 0.5 Hz (2 s); pulse at the same rate or none.
    path : str or Path
        Where to write.
    version : int
        3 (O2Ring, Checkme O2, SleepU) or 5 (Checkme O2 Max).
    duplicate : bool
        Write every record twice with a 2-s duration, as older version-3 devices do.
    motion : array, optional
        Motion values per sample (0 by default).
    floor_pct : float
        SpO2 below this (and above 0) is written as 0xFF in a valid record (the device's
        floor); NaN and 0 (a probe off) are written as invalid records.

    Returns
    -------
    Path

    Raises
    ------
    SettingsError
        A rate the device does not store, a start within a second (the header holds whole
        seconds), or a night longer than the header's u16 duration can say (65535 s).
    """
    step = 1.0 / rec.fs
    if step not in (2.0, 4.0) or (step == 2.0 and version != 5):
        raise SettingsError(f"Viatom v{version} stores 4 s (v5 also 2 s), not {step:g} s")
    _check_start(rec, f"Viatom v{version}")
    spo2, pulse = rec.spo2.data, _pulse(rec)
    n = spo2.size
    # a simulated probe-off (NaN, or the sentinel 0 other formats write) is an invalid record:
    # written as 0xFF in a valid one it read back as a reading below the floor (61 %)
    invalid = ~np.isfinite(spo2) | (spo2 <= 0)
    below = ~invalid & (spo2 < floor_pct)
    recs = np.zeros((n, 5), dtype=np.uint8)
    recs[:, 0] = np.where(invalid | below, 0xFF, _bytes(spo2, 0xFF))
    recs[:, 1] = np.where(invalid, 0xFF, _bytes(pulse, 0xFF))
    recs[:, 2] = np.where(invalid, 0xFF, 0)
    recs[:, 3] = 0 if motion is None else np.clip(np.asarray(motion), 0, 255).astype(np.uint8)
    body = np.repeat(recs, 2, axis=0) if duplicate else recs
    head = bytearray(40)
    t = rec.start
    struct.pack_into("<HH5B", head, 0, version, t.year, t.month, t.day, t.hour, t.minute, t.second)
    struct.pack_into("<I", head, 9, 40 + 5 * n)
    duration = round(n * step)
    if duration > 0xFFFF:
        raise SettingsError(
            f"Viatom files hold at most 65535 s (a u16); this night is {duration} s"
        )
    struct.pack_into("<H", head, 13, duration)  # bytes 15-16 stay 0 (formats.md)
    ok = spo2[~invalid]
    if ok.size:
        head[17] = int(np.rint(ok.mean()))
        head[18] = int(np.rint(ok.min()))
    head[19], head[20] = 7, 3  # drop counts the device would report (read back as given)
    struct.pack_into("<H", head, 22, int(np.count_nonzero(ok < 90) * step))
    head[25] = 93
    hr = pulse[np.isfinite(pulse)]
    head[30] = int(np.rint(hr.mean())) if hr.size else 0
    out = Path(path)
    out.write_bytes(bytes(head) + body.tobytes())
    return out


def _count(n: int, count: int | None, what: str) -> int:
    """Return the u16 record count to write: ``n``, or the ``count`` given to disagree with it."""
    if count is None:
        if n > 0xFFFF:
            raise SettingsError(
                f"{what} files count at most 65535 records (a u16); this night has {n} "
                "(give count=n % 65536 to write the count wrapped)"
            )
        return n
    if not 0 <= count <= 0xFFFF:
        raise SettingsError(f"{what} record count must fit a u16 (0 to 65535), got {count}")
    return count


def write_o2ring_s(rec: Recording, folder: str | Path, *, count: int | None = None) -> Path:
    """Write an O2Ring-S night named after its start time (``yyyyMMddHHmmss``), 1 Hz.

    Parameters
    ----------
    rec : Recording
        At 1 Hz.
    folder : str or Path
        The folder; the file is named after ``rec.start`` as the device names it.
    count : int, optional
        The record count to write in the trailer (a u16), to build a file whose count disagrees
        with its records (``n % 65536`` for a count that wrapped). By default the number of
        records, which must then be at most 65535.

    Returns
    -------
    Path

    Raises
    ------
    SettingsError
        Not 1 Hz, a start within a second (the device keeps whole seconds), or more than
        65535 records without ``count``.
    """
    _check_rate(rec, 1.0, "O2Ring-S")
    _check_start(rec, "O2Ring-S")
    spo2, pulse = rec.spo2.data, _pulse(rec)
    n = spo2.size
    written = _count(n, count, "O2Ring-S")
    recs = np.zeros((n, 3), dtype=np.uint8)
    recs[:, 0] = _bytes(spo2, 0xFF)
    recs[:, 1] = np.where(np.isfinite(spo2), _bytes(pulse, 0xFF), 0xFF)
    trailer = bytearray(48)
    trailer[4:8] = bytes([0x48, 0x12, 0x5A, 0xDA])
    struct.pack_into("<H", trailer, 12, written)
    ok = spo2[np.isfinite(spo2)]
    if ok.size:
        trailer[34], trailer[35] = int(np.rint(ok.mean())), int(np.rint(ok.min()))
    trailer[42] = 0xFF
    out = Path(folder) / rec.start.strftime("%Y%m%d%H%M%S")
    header = bytes([0x01, 0x03, 0, 0, 0, 0, 0, 0, 0x04, 0x00])
    out.write_bytes(header + recs.tobytes() + bytes(trailer))
    return out


def write_medview(rec: Recording, path: str | Path, *, count: int | None = None) -> Path:
    """Write a MedView ``.dat`` file: one dated record a second; gaps are left out.

    A sample whose SpO2 and pulse are both missing is not written (the device was not
    recording), so the reader must find the gap from the records' own times; a missing SpO2
    beside a pulse is written 0, a missing pulse beside an SpO2 255 (a pulse of 0 is kept as
    "no pulse found"). A short report block (``REPORT``) follows the records.

    Parameters
    ----------
    rec : Recording
        At 1 Hz.
    path : str or Path
        Where to write.
    count : int, optional
        The record count to write at bytes 1-2 (a u16), to build a file whose count disagrees
        with its records (``n % 65536`` for a count that wrapped). By default the number of
        records written, which must then be at most 65535.

    Returns
    -------
    Path

    Raises
    ------
    SettingsError
        Not 1 Hz, a start within a second (the device keeps whole seconds), or more than
        65535 records without ``count``.
    """
    _check_rate(rec, 1.0, "MedView .dat")
    _check_start(rec, "MedView .dat")
    spo2, pulse = rec.spo2.data, _pulse(rec)
    keep = np.flatnonzero(np.isfinite(spo2) | np.isfinite(pulse))
    written = _count(int(keep.size), count, "MedView")
    rows = bytearray()
    for i in keep:
        t = rec.time_at(float(i))
        rows += bytes([0, 0, 0xCC, t.year - 2000, t.month, t.day, t.hour, t.minute, t.second])
        # a missing pulse is 255, never 0: a pulse of 0 is "no pulse found", which invalidates
        # the SpO2 beside it (SPEC §4 rule 4), and would have made a pulse gap a probe off
        rows += bytes([int(_bytes(spo2[i : i + 1], 0)[0]), int(_bytes(pulse[i : i + 1], 255)[0])])
    out = Path(path)
    out.write_bytes(bytes([0x01]) + struct.pack("<H", written) + bytes(rows) + b"REPORT")
    return out
