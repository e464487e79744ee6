"""Clock-time and span options (``--lights-off 22:30``, ``--exclude 01:10-01:25``, ``--segment``).

The command line's words for times, turned into seconds from the recording's start; the
library (:mod:`oximetry.windows`) takes seconds only.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import re
from collections.abc import Sequence

from oximetry.errors import SettingsError
from oximetry.model import Recording
from oximetry.settings import SEGMENT_NAMES
from oximetry.windows import segment_outside

__all__ = ["check_segments_inside", "parse_segments", "parse_span", "parse_time_spec"]

_SECONDS = re.compile(r"^\d+(?:\.\d+)?$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?$")
_MMSS = re.compile(r"^(\d+):(\d{2}(?:\.\d+)?)$")


def parse_time_spec(
    text: str,
    start: _dt.datetime | None = None,
    *,
    minutes_seconds: bool = False,
    span_s: float | None = None,
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
    span_s : float, optional
        The recording's length: a clock time it holds more than once (a recording of more
        than 24 h) is refused, as it names no one moment.

    Returns
    -------
    float
        Seconds from the start.

    Raises
    ------
    SettingsError
        Text that is neither, a clock time without a start, or one the recording holds twice.

    Examples
    --------
    >>> start = _dt.datetime(2026, 1, 5, 21, 0)
    >>> parse_time_spec("06:00", start, span_s=10 * 3600)
    32400.0
    >>> parse_time_spec("12:00", start, span_s=30 * 3600)  # 12:00 once in 21:00 to 03:00
    54000.0
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
        clock = (
            "minutes and seconds elapsed MM:SS (e.g. 5:00) or a clock time HH:MM:SS (e.g. 22:30:00)"
            if minutes_seconds
            else "a clock time HH:MM[:SS] (e.g. 22:30)"
        )
        raise SettingsError(
            f"Invalid time {text!r}: expected seconds from the start (e.g. 300) or {clock}"
        )
    if start is None:
        raise SettingsError(
            f"Invalid time {text!r}: a clock time cannot be placed on this recording (its "
            "file gives elapsed time only or UTC time stamps, or its clock changed for "
            "daylight saving during it); give seconds from the start (e.g. 300)"
        )
    h, mi = int(m.group(1)), int(m.group(2))
    sec = int(m.group(3) or 0)
    frac = float(m.group(4) or 0.0)
    if h > 23 or mi > 59 or sec > 59:
        raise SettingsError(f"Invalid clock time {text!r}: hours 0-23, minutes and seconds 0-59")
    when = start.replace(hour=h, minute=mi, second=sec, microsecond=0)
    offset = (when - start).total_seconds() + frac
    if -1.0 < offset < 0:
        # The start's own second before its fraction: oxi shows a start of 22:00:00.6 as
        # "22:00:00", and --lights-off 22:00 naming it was read as the next day and refused.
        offset = 0.0
    if offset < 0:
        offset += 86400.0
    if span_s is not None and offset + 86400.0 < span_s:
        # A recording of more than 24 h holds some clock times twice: placed on the first
        # silently, --lights-off 22:00 --lights-on 06:00 on a 34-h recording took night 1
        # whichever night was meant, and --exclude 01:00-01:30 the same.
        raise SettingsError(
            f"Invalid time {text!r}: the clock time occurs more than once in this recording of "
            f"{span_s / 3600:.1f} h ({offset:g} s and {offset + 86400:g} s from the start); give "
            "seconds from the start"
        )
    return offset


def _is_clock(text: str, minutes_seconds: bool) -> bool:
    """Return True when :func:`parse_time_spec` reads ``text`` as a clock time."""
    t = str(text).strip()
    if _SECONDS.match(t) or (minutes_seconds and _MMSS.match(t)):
        return False
    return _CLOCK.match(t) is not None


def parse_span(
    text: str,
    start: _dt.datetime | None = None,
    *,
    minutes_seconds: bool = False,
    span_s: float | None = None,
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
    span_s : float, optional
        The recording's length (a clock time it holds twice is refused).

    Returns
    -------
    (float, float)
        Start and end in seconds, end after start.

    Raises
    ------
    SettingsError
        Malformed text, an end not after the start, or one end a clock time and the other
        elapsed time (``10:05:00-10:11`` read 10:11 as 10 min 11 s from the start).
    """
    parts = str(text).split("-")
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise SettingsError(
            f"Invalid span {text!r}: expected START-END, e.g. 0-300 or 10:05:00-10:11:00"
        )
    clocks = [_is_clock(p, minutes_seconds) for p in parts]
    if clocks[0] != clocks[1]:
        raise SettingsError(
            f"Invalid span {text!r}: one end is a clock time and the other elapsed time "
            "from the start; give both ends the same way (e.g. 10:05:00-10:11:00, or 0-300)"
        )
    s = parse_time_spec(parts[0], start, minutes_seconds=minutes_seconds, span_s=span_s)
    e = parse_time_spec(parts[1], start, minutes_seconds=minutes_seconds, span_s=span_s)
    if e <= s and clocks[0] and span_s is not None and e < span_s <= s:
        # A clock time before the recording's start is read as the next day: a span from 09:59
        # on a recording from 10:00 said "the end (300 s) must come after the start (86340 s)"
        raise SettingsError(
            f"Invalid span {text!r}: its start {parts[0].strip()} lies before the recording's "
            "first sample (or after its end); a span must lie within the recording"
        )
    if e <= s:
        raise SettingsError(
            f"Invalid span {text!r}: the end ({e:g} s) must come after the start ({s:g} s)"
        )
    return s, e


#: A segment option as typed, with what it gives: (text, name, start s, end s).
_Segment = tuple[str, str, float, float]


def parse_segments(
    texts: Sequence[str], start: _dt.datetime | None = None, span_s: float | None = None
) -> tuple[tuple[str, float, float], ...]:
    """Turn ``--segment NAME=START-END`` options into (name, start s, end s), checked together.

    Every problem is in the options themselves, so the message names the option as typed (not
    the recording): a malformed option, an unknown name, an end not after the start, a segment
    given twice, or two segments that overlap (SPEC §6: each moment belongs to one segment).

    Parameters
    ----------
    texts : sequence of str
        The options as typed (``rest=0-300``, ``exercise=6:30-12:30``,
        ``exercise_o2=10:05:00-10:11:00``); two fields are minutes and seconds elapsed.
    start : datetime.datetime, optional
        The recording's start (needed for clock times).
    span_s : float, optional
        The recording's length (a clock time it holds twice is refused).

    Returns
    -------
    tuple of (str, float, float)
        Name, start and end in seconds from the recording's start, in the order given.

    Raises
    ------
    SettingsError
        ``--segment '<text>': <reason>``.
    """
    parsed: list[_Segment] = []
    for text in texts:
        where = f"--segment {text!r}"
        name, sep, span = text.partition("=")
        name = name.strip()
        if not sep or name not in SEGMENT_NAMES:
            raise SettingsError(
                f"{where}: expected NAME=START-END with NAME one of {list(SEGMENT_NAMES)}"
            )
        try:
            s, e = parse_span(span, start, minutes_seconds=True, span_s=span_s)
        except SettingsError as exc:
            reason = exc.reason.removeprefix(f"Invalid span {span!r}: ")
            raise SettingsError(f"{where}: {reason[:1].lower()}{reason[1:]}") from None
        parsed.append((text, name, s, e))
    for a, b in itertools.combinations(parsed, 2):
        if a[1] == b[1]:
            raise SettingsError(
                f"--segment {a[0]!r} and --segment {b[0]!r} both give the {a[1]} segment; "
                "give each segment once"
            )
    ordered = sorted(parsed, key=lambda seg: seg[2])
    for a, b in itertools.pairwise(ordered):
        if b[2] < a[3]:
            raise SettingsError(
                f"--segment {a[0]!r} ({a[2]:g}-{a[3]:g} s) and --segment {b[0]!r} "
                f"({b[2]:g}-{b[3]:g} s) overlap; each moment belongs to one segment"
            )
    return tuple((name, s, e) for _, name, s, e in parsed)


def check_segments_inside(
    texts: Sequence[str], segments: Sequence[tuple[str, float, float]], recording: Recording
) -> None:
    """Refuse a ``--segment`` that lies outside the recording, naming the recording.

    Parameters
    ----------
    texts : sequence of str
        The options as typed.
    segments : sequence of (str, float, float)
        What :func:`parse_segments` made of them, in the same order.
    recording : Recording
        The recording they apply to.

    Raises
    ------
    SettingsError
        ``<recording>: --segment '<text>' (... s to ... s from the start) lies outside the
        recording (0 to ... s)``, for the first such segment.
    """
    for text, (_, s, e) in zip(texts, segments, strict=True):
        if segment_outside(s, e, recording):
            raise SettingsError(
                f"--segment {text!r} ({s:g} s to {e:g} s from the start) lies outside the "
                f"recording (0 to {recording.duration_s:g} s)",
                recording.source.path,
            )
