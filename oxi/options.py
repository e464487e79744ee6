"""Clock-time and span options (``--lights-off 22:30``, ``--exclude 01:10-01:25``, ``--segment``).

The command line's words for times, turned into seconds from the recording's start; the
library (:mod:`oximetry.windows`) takes seconds only.
"""

from __future__ import annotations

import datetime as _dt
import re

from oximetry.errors import SettingsError

__all__ = ["parse_span", "parse_time_spec"]

_SECONDS = re.compile(r"^\d+(?:\.\d+)?$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?$")
_MMSS = re.compile(r"^(\d+):(\d{2}(?:\.\d+)?)$")


def parse_time_spec(
    text: str, start: _dt.datetime | None = None, *, minutes_seconds: bool = False
) -> float:
    """Turn option text into seconds from the recording start.

    Parameters
    ----------
    text : str
        Seconds (``300``, ``12.5``) or a clock time (``22:30``, ``10:05:00``). A clock time
        earlier than the start's time of day means the next day.
    start : datetime.datetime, optional
        The recording's start (needed for clock times).
    minutes_seconds : bool
        Read two fields (``5:00``, ``12:30.5``) as minutes and seconds elapsed since the start
        (``--segment``); a clock time then needs three fields (``10:05:00``).

    Returns
    -------
    float
        Seconds from the start.

    Raises
    ------
    SettingsError
        Text that is neither, or a clock time without a start.
    """
    t = str(text).strip()
    if _SECONDS.match(t):
        return float(t)
    mmss = _MMSS.match(t) if minutes_seconds else None
    if mmss is not None:
        if float(mmss.group(2)) >= 60:
            raise SettingsError(f"Invalid time {text!r}: seconds must be below 60 in MM:SS")
        return int(mmss.group(1)) * 60.0 + float(mmss.group(2))
    m = _CLOCK.match(t)
    if m is None:
        raise SettingsError(
            f"Invalid time {text!r}: expected seconds from the start (e.g. 300) or a clock "
            "time HH:MM[:SS] (e.g. 22:30)"
        )
    if start is None:
        raise SettingsError(f"Invalid time {text!r}: a clock time needs the recording's start")
    h, mi = int(m.group(1)), int(m.group(2))
    sec = int(m.group(3) or 0)
    frac = float(m.group(4) or 0.0)
    if h > 23 or mi > 59 or sec > 59:
        raise SettingsError(f"Invalid clock time {text!r}: hours 0-23, minutes and seconds 0-59")
    when = start.replace(hour=h, minute=mi, second=sec, microsecond=0)
    offset = (when - start).total_seconds() + frac
    if offset < 0:
        offset += 86400.0
    return offset


def parse_span(
    text: str, start: _dt.datetime | None = None, *, minutes_seconds: bool = False
) -> tuple[float, float]:
    """Turn ``START-END`` option text into seconds from the recording start.

    Parameters
    ----------
    text : str
        ``0-300`` (seconds) or ``10:05:00-10:11:00`` / ``22:30-23:00`` (clock times; see
        :func:`parse_time_spec`).
    start : datetime.datetime, optional
        The recording's start (needed for clock times).
    minutes_seconds : bool
        ``0:00-5:00`` is minutes and seconds elapsed (as for ``--segment``).

    Returns
    -------
    (float, float)
        Start and end in seconds, end after start.

    Raises
    ------
    SettingsError
        Malformed text or an end not after the start.
    """
    parts = str(text).split("-")
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise SettingsError(
            f"Invalid span {text!r}: expected START-END, e.g. 0-300 or 10:05:00-10:11:00"
        )
    s = parse_time_spec(parts[0], start, minutes_seconds=minutes_seconds)
    e = parse_time_spec(parts[1], start, minutes_seconds=minutes_seconds)
    if e <= s:
        raise SettingsError(
            f"Invalid span {text!r}: the end ({e:g} s) must come after the start ({s:g} s)"
        )
    return s, e
