"""Sleep staging from a separate file (``--hypnogram``, SPEC §2.3).

Three CSV layouts are accepted (each with or without a header row):

* one stage per 30-s epoch, one per row (optionally ``epoch,stage`` with consecutive epoch
  numbers), the first epoch starting at the recording start;
* ``onset,duration_s,stage`` rows, the onset in seconds from the recording start;
* ``time,stage`` rows (one 30-s epoch starting at that clock time) or ``time,duration_s,stage``
  rows, the time a clock time (``23:10:30``) or a date and time (``2026-03-02 23:10:30``). A
  clock time is placed on the recording's day: within 12 hours of its start, later rows past
  midnight on the next day. In a recording of more than 24 h whose second day holds the first
  row's clock time too, clock times are refused (give dates, or seconds from the start).

Stage labels go through the one annotation vocabulary (:func:`oximetry.annotations.
hypnogram_stage`: ``W``, ``Wake``, ``Stage W``, ``REM``, ``n2``, ``Sleep stage 3``, ``0``–``5`` ...)
and are returned as ``W``, ``N1``–``N4``, ``R`` or ``?``; a label it does not know is an error
naming the label and its line, never a silently dropped epoch, and an empty row among one stage
per epoch is refused too (skipped, it moved every later epoch 30 s earlier). Codes holding ``4`` but no ``5``
are refused: ``4`` is R&K's stage 4, or REM in AASM numberings (YASA's ``0``-``4``). Epochs are clipped to the
recording when its length is given.
"""

from __future__ import annotations

import csv
import datetime as _dt
import math
import os
import re
from typing import NoReturn

from oximetry.annotations import hypnogram_stage
from oximetry.errors import RecordingFormatError
from oximetry.io._base import check_file
from oximetry.settings import first_overlap

__all__ = ["EPOCH_S", "MAX_HYPNOGRAM_BYTES", "read_hypnogram"]

#: Length of one scoring epoch in seconds (AASM).
EPOCH_S = 30.0
#: Largest hypnogram file read (a week of 30-s epochs is about 20,000 rows).
MAX_HYPNOGRAM_BYTES = 16 << 20

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?$")
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d{1,2}:\d\d(?::\d\d(?:\.\d+)?)?$")
_HEADER_WORDS = ("stage", "stages", "sleep stage", "hypnogram")
_DAY = 86400.0

Row = tuple[int, list[str]]


def _float(text: str) -> float | None:
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def _is_time(text: str) -> bool:
    return bool(_CLOCK.match(text) or _DATETIME.match(text))


def _stage(label: str, line: int, path: str | os.PathLike[str]) -> str:
    stage = hypnogram_stage(label)
    if stage is None:
        shown = label if len(label) <= 40 else label[:37] + "..."
        raise RecordingFormatError(
            f"hypnogram line {line}: unknown sleep stage {shown!r} (expected W/Wake, N1-N4, "
            "R/REM, Stage 1-4, 0-5 or ?)",
            path,
        )
    return stage


class _Clock:
    """Turn a hypnogram's clock times into seconds from the recording start, in row order."""

    def __init__(
        self, start: _dt.datetime | None, path: str | os.PathLike[str], end_s: float | None = None
    ) -> None:
        self.start = start
        self.path = path
        self.end_s = end_s
        self.last: float | None = None

    def seconds(self, text: str, line: int) -> float:
        if self.start is None:
            raise RecordingFormatError(
                f"hypnogram line {line}: clock time {text!r} needs the recording's start", self.path
            )
        if _DATETIME.match(text):
            try:
                when = _dt.datetime.fromisoformat(text)
            except ValueError:
                raise RecordingFormatError(
                    f"hypnogram line {line}: {text!r} is not a real date and time", self.path
                ) from None
            t = (when - self.start).total_seconds()
        else:
            m = _CLOCK.match(text)
            assert m is not None
            h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
            if h > 23 or mi > 59 or s > 59:
                raise RecordingFormatError(
                    f"hypnogram line {line}: {text!r} is not a clock time (HH:MM[:SS])", self.path
                )
            of_day = h * 3600 + mi * 60 + s + float(m.group(4) or 0.0)
            start_of_day = self.start.hour * 3600 + self.start.minute * 60 + self.start.second
            t = of_day - start_of_day - self.start.microsecond / 1e6
            if self.last is None:  # the first row: the recording's day, within 12 h of its start
                t = (t + _DAY / 2) % _DAY - _DAY / 2
                if self.end_s is not None and t + _DAY < self.end_s:
                    # a recording of more than 24 h holds this clock time a day later too: a
                    # hypnogram of its second night was placed on the first
                    raise RecordingFormatError(
                        f"hypnogram line {line}: clock time {text!r} occurs more than once in "
                        f"the recording ({self.end_s / 3600:.1f} h; {t:g} s and {t + _DAY:g} s "
                        "from its start): give dated times (2026-03-02 23:10:30) or "
                        "onset_s,duration_s,stage rows in seconds from the start",
                        self.path,
                    )
            else:  # later rows: forward from the previous one, past midnight when needed
                t += _DAY * math.ceil((self.last - t - _DAY / 2) / _DAY)
        if self.last is not None and t <= self.last:
            raise RecordingFormatError(
                f"hypnogram line {line}: time {text!r} does not come after the previous row's",
                self.path,
            )
        self.last = t
        return t


def read_hypnogram(
    path: str | os.PathLike[str],
    *,
    start: _dt.datetime | None = None,
    end_s: float | None = None,
) -> tuple[tuple[float, float, str], ...]:
    """Read a hypnogram file.

    Parameters
    ----------
    path : str or PathLike
        CSV with one stage per 30-s epoch, ``onset_s,duration_s,stage`` rows, or clock-time rows
        (``time,stage`` / ``time,duration_s,stage``).
    start : datetime.datetime, optional
        The recording's start; needed for clock times.
    end_s : float, optional
        The recording's length in seconds; epochs are clipped to ``[0, end_s]`` and those
        entirely outside are dropped. Clock-time rows whose first time the recording holds twice
        (more than 24 h) are refused.

    Returns
    -------
    tuple of (onset_s, duration_s, stage)
        Seconds from the recording start, length in seconds, stage code (``W``, ``N1``–``N4``,
        ``R``, ``?``), sorted by onset.

    Raises
    ------
    RecordingFormatError
        When the file is missing, empty, too large, not text, a row is malformed or a stage
        unknown (the line is named), codes hold ``4`` but no ``5`` (stage 4 or REM), epochs
        overlap, or none falls within the recording.
    """
    rows = _rows(path)
    first = rows[0][1]
    assumed = True  # epochs of EPOCH_S by assumption (numbered or one stage a row), not by times
    column = -1  # the stage's cell
    if len(first) == 1:
        if first[0].casefold() in _HEADER_WORDS and hypnogram_stage(first[0]) is None:
            rows = rows[1:]
        out = _epochs(rows, path)
    else:
        if _float(first[0]) is None and not _is_time(first[0]):  # a header row
            rows = rows[1:]
        if not rows:
            raise RecordingFormatError("hypnogram has a header but no epochs", path)
        width = len(rows[0][1])
        assumed = width == 2 and not _is_time(rows[0][1][0])
        if _is_time(rows[0][1][0]):
            out = _clock_rows(rows, path, start, end_s)
        elif width == 2:
            out = _numbered(rows, path)
        else:
            out, column = _timed(rows, path), 2
    _check_overlaps(out, path)
    _check_codes([r[column] for _, r in rows], path)
    if out and all(s == "?" for _, _, s in out):
        # every epoch unscored stages nothing; taken as no staging, a PSG's oximetry passed for
        # stand-alone overnight oximetry (Medicare A16), and one W epoch made it a sleep study
        raise RecordingFormatError(
            "the hypnogram scores no epoch (every one is '?'): it stages nothing", path
        )
    if end_s is not None:
        if assumed:
            _check_epoch_length(out, end_s, path)
        out = _clip(out, end_s, path)
    return tuple(out)


def _check_codes(cells: list[str], path: str | os.PathLike[str]) -> None:
    """Refuse stage codes ``0``-``4`` without ``5``: whether ``4`` is REM is not in the file.

    The codes are R&K's (``4`` stage 4, ``5`` REM), but YASA and many scoring exports number the
    AASM stages ``0``-``4`` with ``4`` REM: read as stage 4, their REM was NREM and the REM
    figures held none. A night of stage 4 without REM, or with it named ``R``, is still read.
    """
    codes = {c.strip() for c in cells}
    if "4" in codes and "5" not in codes and not any(hypnogram_stage(c) == "R" for c in cells):
        raise RecordingFormatError(
            "the hypnogram's stage codes hold 4 and no 5: 4 is stage 4 in R&K's codes "
            "(5 REM) but REM in AASM numberings (0 W, 1 N1, 2 N2, 3 N3, 4 R), so it is not "
            "known which; write the stages as labels (W, N1, N2, N3, N4, R)",
            path,
        )


def _check_epoch_length(
    epochs: list[tuple[float, float, str]], end_s: float, path: str | os.PathLike[str]
) -> None:
    """Refuse epochs of an assumed length that run far past the recording's end.

    A file of 20-s epochs read as 30-s ones spans 1.5 times the night: its stages were laid
    out ever later, the morning's wake fell past the end and was dropped, and a dip while awake
    counted as sleep. More than five minutes and a tenth of the recording past its end is
    another epoch length or another night.
    """
    last = max(o + d for o, d, _ in epochs)
    over = last - end_s
    if over > max(300.0, 0.1 * end_s):
        raise RecordingFormatError(
            f"the hypnogram's {len(epochs)} epochs of {EPOCH_S:g} s span {last / 3600:.1f} h, "
            f"{over / 60:.0f} min past the recording's end ({end_s / 3600:.1f} h): epochs of "
            "another length, another night, or a recording that stopped before the scoring "
            "did; give onset_s,duration_s,stage rows (or clock times) to place them",
            path,
        )


def _rows(path: str | os.PathLike[str]) -> list[Row]:
    p = check_file(path, "a hypnogram file")
    try:
        size = p.stat().st_size
        if size > MAX_HYPNOGRAM_BYTES:
            raise RecordingFormatError(
                f"hypnogram is {size} bytes, more than the {MAX_HYPNOGRAM_BYTES} a week of "
                "epochs needs",
                path,
            )
        raw = p.read_bytes()
    except OSError as exc:
        raise RecordingFormatError(f"cannot read the hypnogram ({exc.strerror})", path) from None
    if b"\x00" in raw:
        raise RecordingFormatError("not a hypnogram: binary content, expected CSV text", path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    # One line end written twice over ("\r\r\n", Python's csv.writer on a file opened in text
    # mode on Windows) is one line end: split as two, every row had an empty one after it, which
    # one stage per epoch refuses (review of hunt 16).
    lines = text.replace("\r\r\n", "\n").splitlines()
    try:
        rows = [
            (n, [c.strip() for c in r])
            for n, r in enumerate(csv.reader(lines), start=1)
            if any(c.strip() for c in r)
        ]
    except csv.Error as exc:
        raise RecordingFormatError(f"cannot parse the hypnogram as CSV ({exc})", path) from None
    if not rows:
        raise RecordingFormatError("hypnogram holds no rows", path)
    for _, r in rows:
        while len(r) > 1 and r[-1] == "":
            r.pop()
    return rows


def _expect(n: int, r: list[str], what: str, path: str | os.PathLike[str]) -> NoReturn:
    shown = ",".join(r)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    raise RecordingFormatError(f"hypnogram line {n}: expected {what}, got {shown!r}", path)


def _epochs(rows: list[Row], path: str | os.PathLike[str]) -> list[tuple[float, float, str]]:
    """One stage per 30-s epoch, the first at the recording start."""
    if not rows:
        raise RecordingFormatError("hypnogram has a header but no epochs", path)
    out = []
    for i, (n, r) in enumerate(rows):
        if len(r) != 1 or not r[0]:
            _expect(n, r, "one stage per 30-s epoch", path)
        if i and n != rows[i - 1][0] + 1:
            # Each row is the next epoch: skipped, an empty row (an unscored epoch left blank)
            # laid every later stage 30 s earlier, and 60 of them put a wake epoch's 15 min at
            # 85 % in the N2 after it, which QUALIFIED the night.
            raise RecordingFormatError(
                f"hypnogram line {n}: {n - rows[i - 1][0] - 1} empty row(s) before it, among one "
                "stage per 30-s epoch: each row is the next epoch (write ? for an unscored one)",
                path,
            )
        out.append((i * EPOCH_S, EPOCH_S, _stage(r[0], n, path)))
    return out


def _numbered(rows: list[Row], path: str | os.PathLike[str]) -> list[tuple[float, float, str]]:
    """``epoch,stage`` rows with consecutive epoch numbers, the first at the recording start."""
    numbers = []
    for n, r in rows:
        num = _float(r[0]) if len(r) == 2 else None
        if num is None:
            _expect(n, r, "epoch,stage", path)
        numbers.append(num)
    for (n, _), a, b in zip(rows[1:], numbers, numbers[1:], strict=False):
        if a is not None and b is not None and b != a + 1:
            raise RecordingFormatError(
                f"hypnogram line {n}: epoch {b:g} does not follow epoch {a:g}", path
            )
    if numbers and numbers[0] not in (0, 1):
        # Epochs numbered from 121 are scored from somewhere after the recording's start (lights
        # off); laid from the start, every stage moved an hour earlier and a dip while awake
        # was counted as sleep. Where epoch 1 lies is not in the file: never guessed.
        raise RecordingFormatError(
            f"hypnogram line {rows[0][0]}: the epochs start at {numbers[0]:g}, not at 0 or 1, so "
            "where they lie in the recording is unknown; give onset_s,duration_s,stage rows "
            "(or clock times)",
            path,
        )
    return [(i * EPOCH_S, EPOCH_S, _stage(r[1], n, path)) for i, (n, r) in enumerate(rows)]


def _timed(rows: list[Row], path: str | os.PathLike[str]) -> list[tuple[float, float, str]]:
    """``onset_s,duration_s,stage`` rows."""
    out = []
    for n, r in rows:
        onset = _float(r[0]) if len(r) >= 3 else None
        dur = _float(r[1]) if len(r) >= 3 else None
        if onset is None or dur is None or onset < 0 or dur <= 0 or not r[2]:
            _expect(n, r, "onset_s,duration_s,stage with onset >= 0 and duration > 0", path)
        out.append((onset, dur, _stage(r[2], n, path)))
    return sorted(out, key=lambda e: e[0])


def _clock_rows(
    rows: list[Row],
    path: str | os.PathLike[str],
    start: _dt.datetime | None,
    end_s: float | None = None,
) -> list[tuple[float, float, str]]:
    """``time,stage`` (one 30-s epoch) or ``time,duration_s,stage`` rows, in time order."""
    clock = _Clock(start, path, end_s)
    width = len(rows[0][1])
    out = []
    for n, r in rows:
        if width not in (2, 3) or len(r) != width or not _is_time(r[0]) or not r[-1]:
            _expect(n, r, "time,stage" if width == 2 else "time,duration_s,stage", path)
        dur = EPOCH_S if width == 2 else _float(r[1])
        if dur is None or dur <= 0:
            _expect(n, r, "time,duration_s,stage with duration > 0", path)
        out.append((clock.seconds(r[0], n), dur, _stage(r[-1], n, path)))
    return out


def _check_overlaps(epochs: list[tuple[float, float, str]], path: str | os.PathLike[str]) -> None:
    i = first_overlap(epochs)
    if i is not None:
        (o1, d1, _), (o2, _, _) = epochs[i - 1], epochs[i]
        raise RecordingFormatError(
            f"hypnogram epochs overlap: one at {o1:g} s lasting {d1:g} s, the next at {o2:g} s",
            path,
        )


def _clip(
    epochs: list[tuple[float, float, str]], end_s: float, path: str | os.PathLike[str]
) -> list[tuple[float, float, str]]:
    out = []
    for o, d, s in epochs:
        a, b = max(o, 0.0), min(o + d, end_s)
        if b > a:
            out.append((a, b - a, s))
    if not out:
        first, last = epochs[0][0], epochs[-1][0] + epochs[-1][1]
        raise RecordingFormatError(
            f"hypnogram covers {first:g} s to {last:g} s from the recording start, none of the "
            f"recording (0 to {end_s:g} s): a hypnogram of another night?",
            path,
        )
    return out
