"""CSV and text exports of home and clinical oximeters (SPEC §2.2).

Formats are recognised from the header row, not the file name:

========================  =====================================================================
format name               header
========================  =====================================================================
``csv-o2ring``            ``Time,SpO2(%),Pulse Rate(bpm),Motion,SpO2 Reminder,PR Reminder,``
``csv-o2insight``         ``Time,Oxygen Level(%),Pulse Rate(bpm),Motion,...``
``csv-viatom``            ``Time,Oxygen Level,Pulse Rate,Motion,O2 Reminder,PR Reminder``
``csv-emay``              ``Date,Time,SpO2(%),PR(bpm)``
``csv-date-time``         ``Date,Time,SpO2...`` of another device (``DATE,TIME,SPO2,PULSE``)
``masimo-trendcom``       lines ``09/21/08 09:56:12 SpO2=097 PR=069 PI=04.69 EXC=800:SET``
``csv-sats-rate``         ``Sats,Rate`` (no time stamps: the rate must be given)
``csv-generic``           any header with a time column and an SpO2 column
========================  =====================================================================

Values that mean "no reading" (``--``, blank, 0, 255, 65535, -1) become NaN; nothing is
forward-filled. pandas is imported here only, inside the functions that need it.
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from oximetry.errors import RecordingFormatError
from oximetry.io._base import PLACEHOLDER_DATE, RawChannel, RawRecording
from oximetry.io.timegrid import Grid, TimeAxisError, place_on_grid
from oximetry.limits import MAX_DURATION_S, MAX_YEAR, MIN_YEAR

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_text"]

_MASIMO_LINE = re.compile(r"^\s*\d\d/\d\d/\d\d\s+\d\d:\d\d:\d\d\s+SpO2=", re.IGNORECASE)
# The pulse may end the line: a line "... SpO2=097 PR=069" was "not in TrendCom format", its
# sample dropped, and a file of such lines refused.
_MASIMO_FIELDS = (
    r"^\s*(?P<time>\d\d/\d\d/\d\d\s+\d\d:\d\d:\d\d)\s+SpO2=(?P<spo2>\S+?)%?\s+"
    r"(?:PR|BPM)=(?P<pr>\S+?)(?:\s|$)(?:.*?\bEXC=(?P<exc>[0-9A-Fa-f]+))?"
)
#: Masimo exception bits taken as "no valid reading": no sensor (001), defective sensor (002),
#: pulse search (008), interference (010), sensor off (020), ambient light (040), unrecognised
#: sensor (080). Low perfusion (004) and the upper bits (signal IQ, mode flags such as 800) still
#: come with a displayed reading and are not treated as faults.
MASIMO_FAULT_BITS = 0x0FB

_O2RING_TIMES = ("%I:%M:%S%p %b %d, %Y", "%I:%M:%S %p %b %d, %Y", "%H:%M:%S %b %d, %Y")
_VIATOM_TIMES = ("%H:%M:%S %b %d %Y", "%H:%M:%S %b %d, %Y", "%I:%M:%S%p %b %d %Y")
_EMAY_TIMES = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y %I:%M:%S %p",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
)
_TIME_OF_DAY = ("%H:%M:%S", "%H:%M:%S.%f", "%H:%M", "%I:%M:%S %p", "%I:%M:%S%p")
_TIME_NAMES = frozenset(
    {
        "time",
        "timestamp",
        "datetime",
        "date time",
        "date/time",
        "seconds",
        "time_s",
        "time (s)",
        "elapsed",
        "elapsed_s",
        "t",
        "clock",
    }
)
#: 24-hour times of day without a date that start before this and never pass midnight are read
#: as elapsed time (h:mm:ss from 00:00:00, or from the first sample's second).
_ELAPSED_START_BEFORE = _dt.time(0, 1)
#: Words of a column name that say it holds time (a name of :data:`_TIME_NAMES` aside).
_TIME_WORDS = frozenset({"time", "timestamp", "datetime", "date", "seconds", "elapsed", "clock"})
#: Units of time: a column named by one (``sec``, ``ms``, ``minutes``), or whose unit in
#: parentheses is one (``t (ms)``), holds time too.
_TIME_UNITS = frozenset(
    {
        "s", "sec", "secs", "second", "ms", "msec", "msecs", "millisecond", "milliseconds",
        "min", "mins", "minute", "minutes", "h", "hr", "hrs", "hour", "hours",
    }
)  # fmt: skip
_MISSING_TOKENS = frozenset({"", "--", "---", "-", "na", "nan", "n/a", "null", "none"})
_UNIT = re.compile(r"\(([^()]*)\)\s*$")


@dataclass
class _Table:
    header: list[str]
    #: Every row after the header, blank ones too (empty lines, ",,"): without time stamps a row
    #: is a sample, and a blank one a missing sample.
    all_rows: list[list[str]]
    first_line: int  # 1-based line number of the first data row

    @functools.cached_property
    def rows(self) -> list[list[str]]:
        """The rows that hold text (with time stamps, a blank row is no sample)."""
        return [r for r in self.all_rows if any(c.strip() for c in r)]


#: The byte-order marks of UTF-16 text (little-, big-endian): Windows' "Unicode" text.
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def looks_utf16(head: bytes) -> bool:
    """Say whether bytes are the start of UTF-16 text.

    Parameters
    ----------
    head : bytes
        The file's first bytes.

    Returns
    -------
    bool
        True for a UTF-16 byte-order mark, or (without one) a NUL in every other byte and
        printable ASCII in the others, as text of ASCII characters is in UTF-16.
    """
    if head.startswith(UTF16_BOMS):
        return True
    pairs = head[: len(head) // 2 * 2]
    if len(pairs) < 16:
        return False
    printable = set(range(32, 127)) | {9, 10, 13}
    return any(
        not any(a) and set(b) <= printable
        for a, b in ((pairs[0::2], pairs[1::2]), (pairs[1::2], pairs[0::2]))
    )


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith(UTF16_BOMS):
        # A spreadsheet's "Unicode text" export: its NUL bytes read as binary data ("neither
        # EDF nor a text export"), which said nothing of what to do. With its byte-order mark it
        # says its encoding, and is read.
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise RecordingFormatError(
                "UTF-16 text that does not decode as UTF-16: save it as UTF-8", path
            ) from None
        if "\x00" not in text:
            return text.lstrip("\ufeff")
    if b"\x00" in raw[:65536]:
        raise RecordingFormatError(
            "not a recording this tool reads: binary content that is neither EDF nor a text export",
            path,
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        head = raw[:4096]
        control = sum(1 for b in head if b < 9 or 13 < b < 32 or b == 127)
        if control > len(head) // 20:
            raise RecordingFormatError(
                "not a recording this tool reads: binary content, neither EDF nor a text export",
                path,
            ) from None
        text = raw.decode("cp1252", errors="replace")
    return text


def _table(text: str, path: Path) -> _Table:
    lines = text.splitlines()
    try:
        parsed = list(csv.reader(lines))
    except csv.Error as exc:
        raise RecordingFormatError(f"cannot parse as CSV ({exc})", path) from None
    start = next((i for i, r in enumerate(parsed) if any(c.strip() for c in r)), None)
    if start is None:
        raise RecordingFormatError("file holds no text rows (blank lines only)", path)
    header = [c.strip().lstrip("\ufeff").strip() for c in parsed[start]]
    while len(header) > 1 and header[-1] == "":
        header.pop()
    width = len(header)
    # (the header line's own fields, unnamed ones too: the hypoxia study's rows fill the five
    # blank-named columns at its end)
    named = len(parsed[start])
    for j, r in enumerate(parsed[start + 1 :]):
        if named == 1 and len(r) > 1 and any(c.strip() for c in r[1:]):
            # A title above the table ("SpO2 report: Jane Doe") was taken for a one-column
            # header naming SpO2: its text was the channel's label, quoted by the errors that
            # followed (under --deidentify too), and the table's first column read as SpO2.
            # Not quoted here: the line may name the patient.
            raise RecordingFormatError(
                f"line {start + 1} holds one field but line {start + 2 + j} holds {len(r)}: the "
                "first line is not this table's header (a title or patient line above the "
                "header?), or the fields are not separated by commas",
                path,
            )
        if named > 1 and len(r) > named and any(c.strip() for c in r[named:]):
            # (a header of one field is no comma table: "Time;SpO2;PR" is refused below as
            # naming no SpO2 column, whatever its rows' commas)
            # Cut to the header's width, "Time,PI,SpO2,PR" rows with PI written 0,87 read SpO2
            # from PI's decimals and the pulse from SpO2: 119 min at or below 88 % on a night
            # at 93-95 %, qualified. Which field is extra the row does not say.
            raise RecordingFormatError(
                f"line {start + 2 + j}: {len(r)} fields where the header (line {start + 1}) "
                f"has {named}: a field holds a separator (a decimal comma, such as '0,87', in "
                "a comma-separated file?); which field is which is unknown",
                path,
            )
    every = [(r + [""] * (width - len(r)))[:width] for r in parsed[start + 1 :]]
    return _Table(header=header, all_rows=every, first_line=start + 2)


def _numeric(cells: Sequence[str]) -> NDArray[np.float64]:
    """Parse cells to float; missing-data tokens and non-numbers become NaN."""
    import pandas as pd

    s = pd.Series(cells, dtype=object)
    out = np.asarray(pd.to_numeric(s, errors="coerce"), dtype=np.float64).copy()
    retry = np.isnan(out)
    if retry.any():
        # Slow path only for the cells the fast parser could not read ("97%", padded text).
        sub = s[retry].astype(str).str.strip().str.rstrip("%").str.strip()
        sub = sub.where(~sub.str.casefold().isin(_MISSING_TOKENS), None)
        out[retry] = np.asarray(pd.to_numeric(sub, errors="coerce"), dtype=np.float64)
    return out


_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+\s*%?$")  # "88,4" and "88,4 %"


def _unreadable(
    label: str, cells: Sequence[str], values: NDArray[np.float64], path: Path, status: bool
) -> list[str]:
    """Say which cells of a number column are neither numbers nor a missing-data token.

    Read as missing without a word, a column of whole numbers with fractions written
    ``"88,4"`` lost a night's ten minutes at 88.4 %: a decimal comma is refused, and other
    text in a column that holds numbers is counted in a warning (not quoted: a cell may hold
    anything). In the oximeter's status column (``status``) such a cell is refused: read as
    missing it flagged nothing, and rows saying "Probe off" beside 6 min at 84 % qualified a
    night that the same rows flagged 1 did not (hunt 13).

    Raises
    ------
    RecordingFormatError
        When a cell holds a number with a decimal comma, or a status cell is not a number.
    """
    empty = (cells[i].strip() for i in np.flatnonzero(np.isnan(values)).tolist())
    bad = [c for c in empty if c.rstrip("%").strip().casefold() not in _MISSING_TOKENS]
    if not bad:
        return []
    if status:
        raise RecordingFormatError(
            f"column {label!r} is the oximeter's status, but {len(bad)} of its cell(s) are not "
            "status codes (numbers: 0 for none, any other for a sample the oximeter flagged): "
            "which samples it flagged cannot be read",
            path,
        )
    numbers = int(np.count_nonzero(~np.isnan(values)))
    commas = [c for c in bad if _DECIMAL_COMMA.match(c)]
    if commas and (numbers + len(commas)) * 2 >= numbers + len(bad):
        raise RecordingFormatError(
            f"column {label!r} holds numbers with a decimal comma ({commas[0]!r}): save the "
            "file with decimal points",
            path,
        )
    if len(bad) * 2 > numbers + len(bad):
        return []  # a column of text, not one of numbers
    return [f"column {label!r}: {len(bad)} cell(s) that are not numbers were read as missing"]


@dataclass
class _Stamps:
    """Time stamps as parsed, with what the parse could not tell."""

    times: pd.Series
    fmt: str
    #: Why the date is not known, when both the day-first and the month-first reading of the
    #: dates hold a recording and they differ (the time of day is known); None otherwise.
    ambiguous_date: str | None = None
    warnings: tuple[str, ...] = ()
    #: The first stamp's date in each reading, when the date is not known (``ambiguous_date``).
    possible_dates: tuple[_dt.date, ...] = ()


def _day_month_twin(fmt: str) -> str:
    """Return ``fmt`` with its day and month swapped (``%m/%d`` <-> ``%d/%m``)."""
    swap = {"%m/%d": "%d/%m", "%d/%m": "%m/%d"}
    return re.sub("%m/%d|%d/%m", lambda m: swap[m.group(0)], fmt)


def _order(fmt: str) -> str:
    return "day first" if fmt.startswith("%d") else "month first"


def _span_s(t: pd.Series) -> float:
    stamped = t.dropna()
    return float((stamped.max() - stamped.min()).total_seconds()) if not stamped.empty else 0.0


def _parse_times(
    cells: Sequence[str],
    formats: Sequence[str],
    path: Path,
    first_line: int,
    has_data: NDArray[np.bool_],
) -> _Stamps:
    """Parse time stamps with the first format that reads every row carrying data.

    Where ``formats`` hold both a month-first and a day-first order, the other order is tried
    too: ``06/01/2026`` is 1 June or 6 January, and the first format that reads every row must
    not decide which.
    """
    import pandas as pd

    s = pd.Series(cells, dtype=object).astype(str).str.strip()
    best: tuple[int, pd.Series, str] = (len(s) + 1, s, formats[0])
    for fmt in formats:
        t = _parse_one(s, fmt)
        bad = int((t.isna().to_numpy() & has_data).sum())
        if bad == 0:
            return _day_month_order(s, t, fmt, formats, has_data, path, first_line)
        if bad < best[0]:
            best = (bad, t, fmt)
    _, t, fmt = best
    row = int(np.flatnonzero(t.isna().to_numpy() & has_data)[0])
    raise RecordingFormatError(
        f"line {first_line + row}: time {s.iloc[row]!r} is not in the expected format "
        f"({' or '.join(formats)})",
        path,
    )


def _parse_one(s: pd.Series, fmt: str) -> pd.Series:
    import pandas as pd

    if fmt == "ISO8601":
        return _parse_iso(s)
    return pd.to_datetime(s, format=fmt, errors="coerce")


def _day_month_order(
    s: pd.Series,
    t: pd.Series,
    fmt: str,
    formats: Sequence[str],
    has_data: NDArray[np.bool_],
    path: Path,
    first_line: int,
) -> _Stamps:
    """Decide between the day-first and month-first reading of dates that both orders read.

    Raises
    ------
    RecordingFormatError
        When neither reading is one recording (both span more than a week), or the one that is
        needs a gap where its date changes (two recordings in one file, whose order the file
        does not say), or the two readings put the rows at different distances apart.
    """
    twin = _day_month_twin(fmt)
    if twin == fmt or twin not in formats:
        return _Stamps(t, fmt)
    u = _parse_one(s, twin)
    t_only = (t.notna() & u.isna()).to_numpy()
    u_only = (u.notna() & t.isna()).to_numpy()
    if u_only.any() and not t_only.any() and not (u.isna().to_numpy() & has_data).any():
        # A day above 12 on rows without data (stamped, SpO2 blank) says the order too: counted
        # on rows with data only, 13/01/2026 after midnight did not, the date was "unknown" and
        # the 7200 stamped rows after it were dropped as "without a time stamp" (240 -> 120 min).
        t, u, fmt, twin = u, t, twin, fmt
        t_only, u_only = u_only, t_only
    both = t.notna().to_numpy() & u.notna().to_numpy()
    settled = bool((u.isna().to_numpy() & has_data).any()) or (t_only.any() and not u_only.any())
    if settled or (t[both] == u[both]).all():
        return _Stamps(t, fmt)  # a day above 12 somewhere, or every date reads the same
    first = int(np.flatnonzero((t != u).to_numpy() & both)[0])
    date_text = str(s.iloc[first]).split()[0]
    fits_t, fits_u = _span_s(t) <= MAX_DURATION_S, _span_s(u) <= MAX_DURATION_S
    if not (fits_t or fits_u):
        # Two nights a week apart, 1/2 and 1/10, span 8 days month first and 8 months day
        # first: read by time of day, as a date neither order gives, they were one night.
        raise RecordingFormatError(
            f"the dates (from {date_text!r}) span {_span_s(t) / 86400:.1f} days read "
            f"{_order(fmt)} and {_span_s(u) / 86400:.1f} days read {_order(twin)}: more than "
            f"{MAX_DURATION_S / 86400:.0f} days is not one recording either way (several "
            "recordings in one file?)",
            path,
        )
    if fits_t != fits_u:
        # A reading whose dates jump by weeks (1 June -> 1 July across one midnight) is no
        # recording; when only one reading is one, it is the file's order, not a guess, but only
        # where the rows run on across each change of date: 2 Jan 20:30-23:30 and 2 Feb
        # 00:30-05:30 day first read month first as 1 Feb and 2 Feb, one night with an hour's
        # gap, and qualified. Which recording a gap separates the file does not say.
        keep, keep_fmt, other = (t, fmt, u) if fits_t else (u, twin, t)
        jump = _gap_at_a_date_change(keep)
        if jump is not None:
            k, gap_s = jump
            raise RecordingFormatError(
                f"line {first_line + k}: the dates are one recording only read "
                f"{_order(keep_fmt)}, and then with a gap of {_duration(gap_s)} where the date "
                f"changes ({str(s.iloc[k - 1]).strip()!r} -> {str(s.iloc[k]).strip()!r}); read "
                f"{_order(_day_month_twin(keep_fmt))} they span "
                f"{_span_s(other) / 86400:.1f} days. The file does not say which order its "
                "dates are in (several recordings in one file?): export the dates as "
                "yyyy-mm-dd, or each recording to its own file",
                path,
            )
        return _Stamps(
            keep,
            keep_fmt,
            warnings=(
                f"dates read {_order(keep_fmt)} ({keep_fmt.split()[0]}): read "
                f"{_order(_day_month_twin(keep_fmt))} they would span "
                f"{_span_s(other) / 86400:.0f} days, which no recording does",
            ),
        )
    stamped_t, stamped_u = t[both], u[both]
    if not ((stamped_t - stamped_t.iloc[0]) == (stamped_u - stamped_u.iloc[0])).all():
        # Both readings one recording but the rows at other distances apart: the time between
        # them, not only the date, is unknown.
        raise RecordingFormatError(
            f"the dates (from {date_text!r}) read {_order(fmt)} and {_order(twin)} put the rows "
            "at different times from one another, and the file does not say which order they "
            "are in: export the dates as yyyy-mm-dd",
            path,
        )
    return _Stamps(
        t,
        fmt,
        ambiguous_date=(
            f"the date {date_text!r} reads as {t.iloc[first]:%d %B %Y} "
            f"({_order(fmt)}) or {u.iloc[first]:%d %B %Y} ({_order(twin)}) and the file does "
            "not say which: the start date is unknown and shown as 1900-01-01; give the test "
            "date in the clinical context"
        ),
        possible_dates=tuple(sorted({stamped_t.iloc[0].date(), stamped_u.iloc[0].date()})),
    )


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:g} s"


def _gap_at_a_date_change(t: pd.Series) -> tuple[int, float] | None:
    """Return the first row where the date changes after a gap, with the gap (None if none).

    A gap is a step longer than the grid's own tolerance (three steps, at least a minute:
    :func:`oximetry.io.timegrid.place_on_grid`), or a step back.
    """
    rows = np.flatnonzero(t.notna().to_numpy())
    if rows.size < 2:
        return None
    stamped = t.iloc[rows]
    step = stamped.diff().dt.total_seconds().to_numpy()[1:]
    forward = step[step > 0]
    tol = max(3 * float(np.median(forward)), 60.0) if forward.size else 60.0
    day = stamped.dt.normalize().to_numpy()
    changes = np.flatnonzero(day[1:] != day[:-1])
    bad = changes[(step[changes] <= 0) | (step[changes] > tol)]
    if bad.size == 0:
        return None
    j = int(bad[0])
    return int(rows[j + 1]), float(abs(step[j]))


#: An ISO 8601 time of day just before an hour-only offset (``T22:00:00+01``): a date alone
#: (``2026-01-05``) ends in ``-05`` too.
_ISO_CLOCK = r"[T ]\d\d(?::?\d\d){1,2}(?:[.,]\d+)?\s?"
#: An ISO 8601 stamp's UTC designator or offset at its end: ``+01:00``, ``+0100`` or ``+01``.
#: Unseen, ``+01`` left the stamps to pandas alone, which read them as aware times (an internal
#: error), or as "mixed timezones" across a daylight-saving change.
_ISO_OFFSET = rf"(?:[+-]\d\d:?\d\d|{_ISO_CLOCK}[+-]\d\d|[Zz])$"
#: The ones that say UTC without saying the local offset: ``Z``, and a zero offset, which is how
#: software writes UTC (Python's ``isoformat``) far more often than a clock in London in winter.
_ISO_UTC = rf"(?:[+-]00:?00|{_ISO_CLOCK}[+-]00|[Zz])$"


def _parse_iso(s: pd.Series) -> pd.Series:
    """Parse ISO 8601 stamps; with UTC offsets, keep the first stamp's wall clock.

    The first stamp's wall clock is local time only when its offset is the local one; stamps in
    UTC are recognised by :func:`_iso_offsets`, and :func:`_time_axis` then keeps no clock.
    """
    import pandas as pd

    has_offset = s.str.contains(_ISO_OFFSET, regex=True, na=False)
    if has_offset.any():
        utc = pd.to_datetime(s, format="ISO8601", errors="coerce", utc=True)
        first = s[utc.notna()]
        if first.empty:
            return utc.dt.tz_localize(None)
        wall0 = pd.Timestamp(first.iloc[0]).tz_localize(None)
        out: pd.Series = wall0 + (utc - utc[utc.notna()].iloc[0])
        return out
    try:
        naive = pd.to_datetime(s, format="ISO8601", errors="coerce")
    except ValueError:  # "Mixed timezones": offsets in a form _ISO_OFFSET does not know
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    if getattr(naive.dtype, "tz", None) is not None:
        # (the same, one offset throughout): an aware start crashed the model. Unread, the
        # first such stamp is named as not in the expected format.
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    return naive


#: pandas' row index as a column name: written under a blank name and read back as
#: ``Unnamed: 0``, or ``index`` after ``reset_index()``.
_ROW_INDEX = re.compile(r"unnamed: ?\d+|index")
#: A clock time (``22:00:04``, ``9:10 PM``) or a date (``2026-03-01``, ``3/1/2026``) in a cell.
_TIME_CELL = re.compile(r"\b\d{1,2}:\d\d\b|\b\d{4}-\d\d-\d\d\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b")


def _unnamed_time_columns(header: list[str], rows: list[list[str]]) -> list[int]:
    """Return the columns that hold time without a name this reader knows as a time column.

    A column is one when its name holds a word of :data:`_TIME_WORDS` (``Elapsed Time``), is
    a unit of time or gives one as its unit (:data:`_TIME_UNITS`: ``sec``, ``t (ms)``), is
    pandas' row index (:func:`_row_numbers`: ``Unnamed: 0`` or ``index`` counting up; numbered
    rows that a ``dropna()`` left gaps in, closed up at ``--fs``), or when most of its first 200
    filled cells hold a clock time or a date, whatever its name (a localised export's ``Zeit``).
    Read with ``--fs``, a column ``sec`` of elapsed seconds was passed over and its gaps closed
    up: an ``--exclude`` of the file's own seconds fell 1000 s past the 86 % it was given for,
    and the night qualified on it.
    """
    out = []
    for i, h in enumerate(header):
        cells = [c for r in rows[:200] if (c := r[i].strip())]
        stamped = sum(1 for c in cells if _TIME_CELL.search(c))
        unit, _ = _split_unit(h)
        named = (
            _TIME_WORDS.intersection(_words(h))
            or _TIME_UNITS.intersection((h.strip().casefold(), unit.casefold()))
            or _row_numbers(h, cells)
        )
        if named or (cells and stamped * 2 > len(cells)):
            out.append(i)
    return out


def _row_numbers(header: str, cells: list[str]) -> bool:
    """Return whether a column is pandas' row index: named so, its cells row numbers.

    Row numbers are whole numbers of 0 or more, wherever the column sits, each above the one
    before (``0, 1, 2``, with the gaps a ``dropna()`` leaves) but where they start again
    (tables joined by ``pd.concat`` without ``ignore_index``: read as data, an index starting
    again after 100 rows let a ``dropna()``'s gaps close up at ``--fs``, review of hunt 14), or
    all different (a sorted table's). The name alone is not enough, nor whole numbers: a
    device's trailing comma, read by pandas and written without its index, leaves an empty
    ``Unnamed: 2`` column, and a status or event column of 0s and 1s left without a name is
    data (both were refused: reviews of hunt 14).

    Parameters
    ----------
    header : str
        The column's name.
    cells : list of str
        Its filled cells (stripped).

    Returns
    -------
    bool
        True when the name is :data:`_ROW_INDEX`'s and the cells are row numbers.
    """
    if not cells or not _ROW_INDEX.fullmatch(header.strip().casefold()):
        return False
    numbers = _numeric(cells)
    whole = np.isfinite(numbers).all() and (numbers == np.round(numbers)).all()
    if not (whole and (numbers >= 0).all()) or numbers.size < 2:
        return False
    steps = np.diff(numbers)
    counting = (steps != 0).all() and np.count_nonzero(steps < 0) <= numbers.size // 50
    return bool(counting or np.unique(numbers).size == numbers.size)


def _check_unnamed_first_column(rows: list[list[str]], path: Path) -> None:
    """Refuse a first column without a name whose cells are not clock times or dates.

    Numbers there may be seconds from the start or row numbers (a spreadsheet's, or the index
    pandas writes under a blank name), which cannot be told apart: a night at 2 Hz with its
    pandas index (0, 1, 2 ...) was read as seconds, at 1 Hz, ``--fs 2`` ignored, and 3.3 min at
    86 % counted 6.7 min and qualified.
    """
    cells = [c for r in rows[:200] if (c := r[0].strip())]
    stamped = sum(1 for c in cells if _TIME_CELL.search(c))
    if cells and stamped * 2 <= len(cells):
        raise RecordingFormatError(
            "the first column has no name and holds no clock times or dates: its numbers may be "
            "seconds from the start or row numbers (a spreadsheet's or pandas' index); name it "
            "'seconds' if it counts seconds, or remove it and give --fs (rows without time "
            "stamps)",
            path,
        )


def _time_name(header: str) -> str:
    """Return a column name as :data:`_TIME_NAMES` spells it (``Time [s]``: ``time (s)``)."""
    name = header.casefold().replace("[", "(").replace("]", ")")
    return " ".join(name.replace("(", " (").split())


def _words(label: str) -> list[str]:
    return re.split(r"[^a-z]+", label.casefold())


def _role(label: str) -> str:
    """Return the role of a column (:func:`oximetry.io.channels.classify`) by its header."""
    from oximetry.io.channels import classify

    unit, label = _split_unit(label)
    return classify(label, unit)[0]


def _split_unit(label: str) -> tuple[str, str]:
    m = _UNIT.search(label)
    return (m.group(1).strip(), label) if m else ("", label)


#: EMAY's own header (SPEC §2.2); a trailing empty field is a trailing comma.
_EMAY_HEADER = ["date", "time", "spo2(%)", "pr(bpm)"]


def _detect(header: list[str]) -> str:
    low = [h.strip().casefold() for h in header]
    if low[:2] == ["date", "time"] and any(h.startswith("spo2") for h in low):
        # Read alike (date and time columns), named EMAY only on EMAY's header: pulseoxdl's
        # CSV of a Contec CMS50E (DATE,TIME,SPO2,PULSE) printed "Device: EMAY oximeter export".
        named = [h for h in low if h] == _EMAY_HEADER
        return "csv-emay" if named else "csv-date-time"
    if low and low[0] == "time" and "spo2(%)" in low and "pulse rate(bpm)" in low:
        return "csv-o2ring"
    if low and low[0] == "time" and "oxygen level(%)" in low:
        return "csv-o2insight"
    if low and low[0] == "time" and "oxygen level" in low and "pulse rate" in low:
        return "csv-viatom"
    if low == ["sats", "rate"]:
        return "csv-sats-rate"
    return "csv-generic"


def read_text(path: Path, raw: bytes, fs: float | None) -> RawRecording:
    """Read a CSV or text export.

    Parameters
    ----------
    path : Path
        The file (for messages).
    raw : bytes
        The file's bytes.
    fs : float or None
        Sampling rate from ``--fs``; needed when the file has no time stamps.

    Returns
    -------
    RawRecording
        One channel per data column, on a regular time grid.

    Raises
    ------
    RecordingFormatError
        When the file is not a recognised export or its time column is unusable.
    """
    text = _decode(raw, path)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    if _MASIMO_LINE.match(first.lstrip("\ufeff")):
        return _read_masimo(path, text)
    table = _table(text, path)
    fmt = _detect(table.header)
    header = table.header
    if len(header) < 2 and fmt != "csv-generic":
        raise RecordingFormatError("header has a single column; not an oximetry export", path)
    time_cols: list[int] = []
    formats: tuple[str, ...] = ()
    if fmt in ("csv-emay", "csv-date-time"):
        time_cols, formats = [0, 1], _EMAY_TIMES
    elif fmt in ("csv-o2ring", "csv-o2insight"):
        time_cols, formats = [0], _O2RING_TIMES
    elif fmt == "csv-viatom":
        time_cols, formats = [0], _VIATOM_TIMES
    elif fmt == "csv-generic":
        named = [i for i, h in enumerate(header) if _time_name(h) in _TIME_NAMES]
        if named:
            time_cols = [named[0]]
        elif header and header[0] == "" and table.rows:
            # a time column whose header is blank (hypoxia study's 100004.csv)
            _check_unnamed_first_column(table.rows, path)
            time_cols = [0]
        formats = ("ISO8601", *_TIME_OF_DAY)
    data_cols = [i for i in range(len(header)) if i not in time_cols and header[i] != ""]
    if fmt == "csv-generic" and not any(_looks_spo2(header[i]) for i in data_cols):
        # The first line is not echoed: some exports open with patient details.
        raise RecordingFormatError(
            f"not a recognised oximetry export: the first line ({len(header)} field(s)) names no "
            "SpO2 column (expected a header such as 'Time,SpO2' or 'Time,Oxygen Level')",
            path,
        )
    timed = [] if time_cols else _unnamed_time_columns(header, table.rows)
    if fmt == "csv-generic" and len(header) > 1 and timed:
        # Read as rows without time stamps (--fs, as the message asked), "Elapsed Time",
        # "Time (hh:mm:ss)" or a German "Zeit" lost its gaps: a 30-min pause closed up and a
        # dip at 2500 s was placed at 700 s. Which unit such a column counts in is not known.
        name = header[timed[0]]
        if _row_numbers(name, [c for r in table.rows[:200] if (c := r[timed[0]].strip())]):
            raise RecordingFormatError(
                f"column {name!r} looks like row numbers (pandas' index): read as rows without "
                "time stamps, rows missing from it would close up; write the table with its "
                "time column, or without the index when no row is missing",
                path,
            )
        raise RecordingFormatError(
            f"column {name!r} looks like a time column but is none this reader "
            "knows: name it 'Time' (clock times, or dates and times), or 'seconds' (seconds "
            "from the start); read as rows without time stamps, its gaps would close up",
            path,
        )
    if not table.rows:
        raise RecordingFormatError("header only: the file holds no data rows", path)
    # With time stamps a blank row is no sample (the stamps place the samples); without them
    # each row is the next sample, so a blank one is a missing sample and is kept: dropped, it
    # moved every later sample one interval early (SPEC §4: the time axis never shifts).
    rows = table.rows if time_cols else table.all_rows
    columns = {i: [r[i] for r in rows] for i in data_cols}
    values = {i: _numeric(columns[i]) for i in data_cols}
    has_data = np.zeros(len(rows), dtype=bool)
    for i in data_cols:
        has_data |= np.array([c.strip() != "" for c in columns[i]])
    warnings: list[str] = []
    for i in data_cols:
        role = _role(header[i])
        if role in ("spo2", "pulse", "status"):
            # (a column the analysis never reads may hold what it likes: "4,5" in a PI column)
            warnings.extend(_unreadable(header[i], columns[i], values[i], path, role == "status"))
    date_known = clock_known = True
    possible: tuple[_dt.date, ...] = ()
    if time_cols:
        cells = [" ".join(r[c].strip() for c in time_cols) for r in table.rows]
        by_row = np.column_stack([values[i] for i in data_cols]) if data_cols else None
        grid, start, date_known, clock_known, extra, possible = _time_axis(
            cells, formats, path, table.first_line, has_data, by_row
        )
        warnings.extend(extra)
        clock_changes = grid.clock_changes_s
        keep = grid.index >= 0
        fs_used: float | None = grid.fs
        n = grid.n
        placed = {i: grid.fill(np.where(keep, values[i], np.nan)) for i in data_cols}
    else:
        # No time stamps: rows are consecutive samples at the user's rate.
        last = int(np.flatnonzero(has_data)[-1]) + 1 if has_data.any() else 0
        n = last
        placed = {i: values[i][:last] for i in data_cols}
        fs_used = fs
        clock_changes = ()
        start = _dt.datetime.combine(PLACEHOLDER_DATE, _dt.time())
        date_known = clock_known = False
        warnings.append(
            "the file has no time stamps: start date and time unknown (shown as 1900-01-01 00:00:00)"
            + ("" if fs is not None else "; the sampling rate must be given with --fs")
        )
    channels = []
    for i in data_cols:
        unit, label = _split_unit(header[i])
        channels.append(RawChannel(label=label, unit=unit, fs=fs_used, n_samples=n))
    arrays = [placed[i] for i in data_cols]

    def load(which: Sequence[int]) -> dict[int, NDArray[np.float64]]:
        return {k: np.array(arrays[k], dtype=np.float64) for k in which}  # the caller's own

    return RawRecording(
        path=str(path),
        format=fmt,
        device=_DEVICES.get(fmt, ""),
        start=start,
        date_known=date_known,
        clock_known=clock_known,
        channels=channels,
        load=load,
        warnings=warnings,
        # an --fs given for a file with time stamps is ignored: reader.ignored_fs says so
        extra={
            "needs_fs": not time_cols,
            "clock_changes_s": clock_changes,
            "possible_dates": possible,
        },
    )


_DEVICES = {
    "csv-o2ring": "Wellue O2Ring / O2 Insight Pro export",
    "csv-o2insight": "O2 Insight export",
    "csv-viatom": "ViHealth / Checkme O2 export",
    "csv-emay": "EMAY oximeter export",
    "masimo-trendcom": "Masimo TrendCom",
}


def _looks_spo2(label: str) -> bool:
    from oximetry.io.channels import classify

    unit, _ = _split_unit(label)
    return classify(label, unit)[0] == "spo2" or "spo2" in label.casefold()


def _time_axis(
    cells: list[str],
    formats: Sequence[str],
    path: Path,
    first_line: int,
    has_data: NDArray[np.bool_],
    rows: NDArray[np.float64] | None = None,
) -> tuple[Grid, _dt.datetime, bool, bool, list[str], tuple[_dt.date, ...]]:
    """Place the rows on a time grid from their time cells.

    Returns the grid, the start, whether the file gives a date and whether it gives a time of
    day (``SourceInfo.clock_known``), warnings, and the dates the start may be on when the file
    narrows an unknown date to a few (``SourceInfo.possible_dates``).

    ``rows`` holds their values: a step back in time that repeats them is a duplicated export,
    not a daylight-saving change.
    """
    import pandas as pd

    warnings: list[str] = []
    possible: tuple[_dt.date, ...] = ()
    probe = [c for c, d in zip(cells[:200], has_data[:200], strict=False) if d]
    numeric = _numeric(cells) if probe and not np.isnan(_numeric(probe)).any() else None
    ok = ~np.isnan(numeric) if numeric is not None else np.zeros(len(cells), dtype=bool)
    if numeric is not None and ok[has_data].all() and ok.any():
        # Seconds, counted from the first row: the grid starts at the first sample. Read from
        # the column's own zero, a column of seconds since midnight starting at 79200 put 22 h of
        # missing data in front of a 4-hour night (duration 1560 min, "1 gap ... 1320 min").
        # A large first value is not read as a clock (seconds since midnight, or since 1970):
        # nothing in a bare number says which zero it counts from, or in which time zone, and a
        # clock guessed wrong would place a day as a night; the recording keeps elapsed time.
        negative = np.flatnonzero(numeric < 0)
        if negative.size:
            k = int(negative[0])
            raise RecordingFormatError(
                f"line {first_line + k}: time {numeric[k]:g} s is negative; seconds from the "
                "start cannot be placed before it",
                path,
            )
        endless = np.flatnonzero(np.isinf(numeric))
        if endless.size:
            # (refused later as "not a finite number", after numpy printed its RuntimeWarning
            # for inf - inf with a line of this file)
            k = int(endless[0])
            raise RecordingFormatError(
                f"line {first_line + k}: time {cells[k].strip()!r} is not a finite number of "
                "seconds",
                path,
            )
        first = float(numeric[int(np.flatnonzero(ok)[0])])
        if _clock_digits(numeric[ok]):
            raise RecordingFormatError(
                f"the time column's numbers read as clock times written as digits ({first:.0f} "
                "for hh:mm:ss, or yyyymmddhhmmss) rather than seconds: read as seconds, every "
                "minute would end in a 40-s gap and every hour in a 4040-s one; export the time "
                "as hh:mm:ss, or as seconds from the start",
                path,
            )
        elapsed = numeric - first
        date_known = clock_known = False
        start = _dt.datetime.combine(PLACEHOLDER_DATE, _dt.time())
        time_of_day = False
        wall_clock = False
        warnings.append(
            "time column holds seconds from the start: start date and time unknown "
            "(shown as 1900-01-01 00:00:00)"
            + (
                f"; its first row, at {first:g} s, is taken as the start (times given in "
                "seconds count from it)"
                if first
                else ""
            )
        )
        rows_ok = ok
    else:
        stamps = _parse_times(cells, formats, path, first_line, has_data)
        times, fmt = stamps.times, stamps.fmt
        warnings.extend(stamps.warnings)
        rows_ok = times.notna().to_numpy()
        if not rows_ok.any():
            raise RecordingFormatError("no row has a readable time stamp", path)
        if fmt == "%H:%M":
            _clock_or_elapsed(times[rows_ok], path)
        offsets = _iso_offsets(cells, rows_ok, path, first_line) if fmt == "ISO8601" else None
        utc = offsets == "utc"
        # Stamps with an offset are instants: a local clock change moves the offset, not the
        # instant, so time that goes back went back (never a daylight-saving change).
        wall_clock = offsets is None
        # In the stamps' own resolution: a cast to nanoseconds wraps years outside 1677-2262.
        stamped = times[rows_ok]
        t0 = stamped.iloc[0]
        elapsed = np.full(len(cells), np.nan)
        # (a date that reads both ways keeps its elapsed times: _day_month_order refuses
        # readings that place the rows apart differently)
        time_of_day = fmt in _TIME_OF_DAY
        elapsed[rows_ok] = (stamped - t0).dt.total_seconds().to_numpy()
        # Checked on pandas' stamp, which holds years a datetime does not: a first stamp '-1'
        # (ISO 8601 reads it as the year -1) or '9999-12-31 23:59:60' (the year 10000) ended
        # in a traceback from the conversion below.
        year = pd.Timestamp(t0).year
        if not time_of_day and not MIN_YEAR <= year <= MAX_YEAR:
            raise RecordingFormatError(
                f"line {first_line + int(np.flatnonzero(rows_ok)[0])}: the first time stamp's "
                f"year {year} is not plausible for a recording ({MIN_YEAR}-{MAX_YEAR})",
                path,
            )
        # The start to the microsecond (a datetime holds no more); elapsed keeps the rest.
        first_ts = pd.Timestamp(t0).to_pydatetime(warn=False)
        if utc:
            # UTC says when, not what the patient's clock read: 16:00 Z is 08:00 in California,
            # and a day taken for a night would be read as sleep. Keep elapsed time only, as for
            # seconds from the start.
            date_known = clock_known = False
            start = _dt.datetime.combine(PLACEHOLDER_DATE, _dt.time())
            warnings.append(
                f"time stamps are in UTC ({cells[int(np.flatnonzero(rows_ok)[0])]!r}) and the "
                "file does not say the local time zone: the local date and time of day are "
                "unknown, so the recording is placed by elapsed time only (shown from "
                "1900-01-01 00:00:00); give the test date in the clinical context, and lights "
                "off/on in seconds from the start or sleep staging to place the night"
            )
        elif stamps.ambiguous_date is not None:
            date_known, clock_known = False, True
            start = _dt.datetime.combine(PLACEHOLDER_DATE, first_ts.time())
            warnings.append(stamps.ambiguous_date)
            possible = stamps.possible_dates
        elif (
            fmt in ("%H:%M:%S", "%H:%M:%S.%f")
            and first_ts.time() < _ELAPSED_START_BEFORE
            and bool((np.diff(elapsed[rows_ok]) >= 0).all())
        ):
            # 00:00:00, 00:00:01, ... without a date is elapsed time (h:mm:ss) as well as a
            # clock from midnight. Read as the clock, an afternoon's 5 h exported as elapsed
            # time lay wholly in the night and qualified as nocturnal, where the same rows in
            # seconds were indeterminate (no clock to place the night); so did one counted from
            # 00:00:01 or from its first 4-s sample (review of hunt 13). A clock from 12:00:00
            # AM (a 12-hour clock), or one that passes midnight, says it is a clock.
            date_known = clock_known = False
            start = _dt.datetime.combine(PLACEHOLDER_DATE, _dt.time())
            warnings.append(
                "time stamps from within a minute of 00:00:00 without a date read as elapsed "
                "time from the start "
                "as well as a clock from midnight, and the file does not say which: read as "
                "elapsed time, so the date and time of day are unknown (give lights-off/on in "
                "seconds from the start or sleep staging to place the night, and the test date "
                "in the clinical context)"
            )
        elif time_of_day:
            date_known, clock_known = False, True
            start = _dt.datetime.combine(PLACEHOLDER_DATE, first_ts.time())
            warnings.append(
                "no date in file (times of day only): the start date is unknown and shown as "
                "1900-01-01; give the test date in the clinical context"
            )
        else:
            date_known = clock_known = True
            start = first_ts
    dropped = int((~rows_ok).sum())
    if dropped:
        # Rows without a time stamp and without data (e.g. a "Collection Halted" trailer).
        warnings.append(f"{dropped} row(s) without a time stamp or data ignored")
    idx_rows = np.flatnonzero(rows_ok)
    try:
        grid = place_on_grid(
            elapsed[idx_rows],
            time_of_day_only=time_of_day,
            clock0_s=start.hour * 3600 + start.minute * 60 + start.second,
            date0=start.date() if date_known else None,
            wall_clock=wall_clock,
            rows=None if rows is None else rows[idx_rows],
        )
    except TimeAxisError as exc:
        raise RecordingFormatError(str(exc), path) from None
    full_index = np.full(len(cells), -1, dtype=np.int64)
    full_index[idx_rows] = grid.index
    changes: tuple[float, ...] = ()
    if not wall_clock and date_known:
        # Instants with a local offset: placed by the instant, but the local clock moved where
        # the offset changes (a daylight-saving change), so a clock time after it is not
        # ``clock - start``.
        changes, moved = _offset_changes(cells, rows_ok, elapsed, start=start)
        warnings.extend(moved)
    grid = replace(grid, index=full_index, clock_changes_s=grid.clock_changes_s + changes)
    warnings.extend(grid.warnings)
    return grid, start, date_known, clock_known, warnings, possible


def _clock_digits(values: NDArray[np.float64]) -> bool:
    """Say whether a numeric time column holds clock times written as digits (``220004``).

    ``hhmmss`` (or ``yyyymmddhhmmss``) stamps are numbers too: read as seconds, a 2-h night of
    4-s rows from 220000 became 266 min, each minute's 15 rows followed by a 40-s gap, and each
    run of low saturation cut at every minute (146 min of gaps that are not in the file). They
    are told by their digits (the last two, and the two before, under 60 on every row) and by
    their steps, regular read as a clock where read as seconds they jump at each minute.

    Parameters
    ----------
    values : numpy.ndarray
        The column's numbers, in row order (no NaN).

    Returns
    -------
    bool
        True when every number has a clock's digits and the steps between rows are more regular
        read as clock times than read as seconds.
    """
    if values.size < 3 or not np.all(values == np.floor(values)) or values.min() < 0:
        return False
    if values.max() >= 1e14:
        # more digits than yyyymmddhhmmss: no clock (and inf, or 1e30, overflowed the cast
        # below, printing numpy's RuntimeWarning and a line of this file before the refusal)
        return False
    digits = values.astype(np.int64)
    ss, mm = digits % 100, digits // 100 % 100
    if np.any(ss >= 60) or np.any(mm >= 60):
        return False
    clock = digits // 10000 * 3600 + mm * 60 + ss

    def irregular(t: NDArray[np.int64]) -> int:
        d = np.diff(t)
        return int(np.count_nonzero(d != np.median(d)))

    return irregular(clock) < irregular(digits)


def _clock_or_elapsed(stamped: pd.Series, path: Path) -> None:
    """Refuse stamps without seconds that read as minutes and seconds from the start as well.

    ``00:00`` ... ``05:59`` is six hours of a clock from midnight, a row a minute, or six
    minutes elapsed, a row a second: read as the clock, a 6-min test with a 2-min dip made
    97 min at or below 88 % and qualified as a night. Both fit when the first stamp is in the
    clock's first hour (the elapsed reading's first minute) and the stamps never go back (an
    elapsed reading cannot pass midnight); the file does not say which it is.

    Raises
    ------
    RecordingFormatError
        When both readings fit.
    """
    first, last = stamped.iloc[0], stamped.iloc[-1]
    as_elapsed = (stamped.dt.hour * 60 + stamped.dt.minute).to_numpy()
    if first.hour != 0 or bool((np.diff(as_elapsed) < 0).any()):
        return
    n = len(stamped)
    span = int(as_elapsed[-1] - as_elapsed[0])
    raise RecordingFormatError(
        f"time stamps without seconds ({first:%H:%M} ... {last:%H:%M}, {n} rows) read as a clock "
        f"in hours and minutes ({_duration(60.0 * span)} from {first:%H:%M}) or as minutes and "
        f"seconds from the start ({_duration(float(span))}), and the file does not say which: "
        "export the time with its seconds (HH:MM:SS), or as seconds from the start",
        path,
    )


def _offset_changes(
    cells: Sequence[str],
    rows_ok: NDArray[np.bool_],
    elapsed: NDArray[np.float64],
    *,
    start: _dt.datetime,
) -> tuple[tuple[float, ...], list[str]]:
    """Return where the stamps' UTC offset changes (seconds from the start) and a warning each.

    The samples stay placed by their instants; the outputs show times in the first stamp's
    clock, so after a change they read an hour off the file's own stamps, as the warning says.
    """
    rows = np.flatnonzero(rows_ok).tolist()
    offsets = [_offset_text(cells[k]) for k in rows]
    changes: list[float] = []
    warnings: list[str] = []
    for j in range(1, len(rows)):
        if offsets[j] != offsets[j - 1]:
            at = float(elapsed[rows[j]])
            changes.append(at)
            if len(warnings) < 3:
                shown = (start + _dt.timedelta(seconds=at)).strftime("%H:%M:%S")
                warnings.append(
                    f"the time stamps' UTC offset changes from {offsets[j - 1]} to "
                    f"{offsets[j]} at {cells[rows[j]].strip()} (a daylight-saving change): "
                    f"samples are placed by the instants, times are shown in the first "
                    f"stamp's clock ({shown} there), and clock times (lights, --awake, "
                    "--exclude, segments) are refused: give seconds from the start"
                )
    return tuple(changes), warnings


def _offset_text(cell: str) -> str:
    """Return an ISO stamp's UTC offset as ``+hh:mm`` (``+01`` as ``+01:00``)."""
    m = re.search(r"([+-])(\d\d)(?::?(\d\d))?$", cell.strip())
    return "+00:00" if m is None else f"{m.group(1)}{m.group(2)}:{m.group(3) or '00'}"


def _iso_offsets(
    cells: Sequence[str], rows_ok: NDArray[np.bool_], path: Path, first_line: int
) -> str | None:
    """Return what the ISO stamps' offsets say.

    ``"utc"`` for ``Z`` or a zero offset, ``"local"`` for another offset (each stamp an instant
    with its local clock), None when the stamps carry no offset.

    Raises
    ------
    RecordingFormatError
        When some stamps carry an offset and others do not: the ones without would be read as
        UTC, hours away from the ones with.
    """
    import pandas as pd

    s = pd.Series(cells, dtype=object).astype(str).str.strip()[rows_ok]
    offset = s.str.contains(_ISO_OFFSET, regex=True, na=False).to_numpy()
    if offset.any() and not offset.all():
        k = int(np.flatnonzero(rows_ok)[int(np.flatnonzero(offset != offset[0])[0])])
        raise RecordingFormatError(
            f"line {first_line + k}: time {cells[k].strip()!r} "
            + ("has no UTC offset" if offset[0] else "has a UTC offset")
            + f" and line {first_line + int(np.flatnonzero(rows_ok)[0])}'s "
            + ("has one" if offset[0] else "has none")
            + "; a file's time stamps must all give one or none",
            path,
        )
    if not offset.any():
        return None
    return "utc" if s.str.contains(_ISO_UTC, regex=True, na=False).any() else "local"


def _read_masimo(path: Path, text: str) -> RawRecording:
    import pandas as pd

    lines = pd.Series([ln for ln in text.lstrip("\ufeff").splitlines() if ln.strip()], dtype=object)
    fields = lines.str.extract(_MASIMO_FIELDS, flags=re.IGNORECASE)
    matched = fields["time"].notna().to_numpy()
    if not matched.any():
        raise RecordingFormatError("Masimo TrendCom text without readable data lines", path)
    fields = fields[matched].reset_index(drop=True)
    has_data = np.ones(len(fields), dtype=bool)
    cells = [" ".join(str(c).split()) for c in fields["time"]]
    spo2_cells, pr_cells = fields["spo2"].fillna("").tolist(), fields["pr"].fillna("").tolist()
    spo2, pr = _numeric(spo2_cells), _numeric(pr_cells)
    grid, start, date_known, clock_known, warnings, _ = _time_axis(
        cells, ("%m/%d/%y %H:%M:%S",), path, 1, has_data, np.column_stack([spo2, pr])
    )
    # Read as missing without a word, readings written "SpO2=086*" lost 10 min at 86 % (0.0 min
    # at or below 88 % of a night with 9.5). Said as any export's are (_unreadable), also when
    # most are: these fields are numbers, never a column of text.
    for label, texts, values in (("SpO2", spo2_cells, spo2), ("PR", pr_cells, pr)):
        bad = [
            c
            for c in (texts[i].strip() for i in np.flatnonzero(np.isnan(values)).tolist())
            if c.rstrip("%").strip().casefold() not in _MISSING_TOKENS
        ]
        if bad:
            warnings.append(f"{label}: {len(bad)} value(s) that are not numbers read as missing")
    if int((~matched).sum()):
        warnings.append(f"{int((~matched).sum())} line(s) not in TrendCom format ignored")
    # the fault bits taken from the code as Python's int: a code of more hex digits than an
    # int64 holds (EXC=FFFFFFFFFFFFFFFFFFFF) raised OverflowError, a traceback for bad input
    exc = fields["exc"].fillna("0").map(lambda h: int(h, 16) & MASIMO_FAULT_BITS)
    status = (exc.to_numpy(dtype=np.int64) != 0).astype(np.float64)
    arrays = [grid.fill(spo2), grid.fill(pr), grid.fill(status)]
    fs_used, n = grid.fs, grid.n
    channels = [
        RawChannel("SpO2", "%", fs_used, n),
        RawChannel("PR", "bpm", fs_used, n),
        RawChannel("EXC fault", "", fs_used, n),
    ]

    def load(which: Sequence[int]) -> dict[int, NDArray[np.float64]]:
        return {k: np.array(arrays[k], dtype=np.float64) for k in which}  # the caller's own

    return RawRecording(
        path=str(path),
        format="masimo-trendcom",
        device=_DEVICES["masimo-trendcom"],
        start=start,
        date_known=date_known,
        clock_known=clock_known,
        channels=channels,
        load=load,
        warnings=warnings,
        extra={"needs_fs": False, "clock_changes_s": grid.clock_changes_s},
    )
