"""Placing time-stamped samples on a regular grid (SPEC §2.2).

Exports give one wall-clock time stamp per row. The sampling interval is the median step between
time stamps, or a whole number of samples a second (or seconds a sample) near it, or the mean
regular step, whichever moves fewest rows off their own slot (stamps rounded to the millisecond,
jittered stamps, steady 1.004-s steps), on a grid through the first row or through the rows'
own phase (a jittered file whose first row is late); each row goes to the grid slot nearest its
time, slot 0 being the first row's (the start stays its time stamp), and
slots without a row stay NaN (gaps are kept, never filled). Stamps that follow no one interval (a
long run of rows at another interval, whole multiples of it where rows are missing, rows in
packets that fill under half the slots) are refused: on one grid their rows would stand alone
between empty slots and be lost. Local wall-clock times may cross a daylight-saving change at
night: one backward jump of an hour is the autumn change (later rows move one hour later), a
forward jump of an hour is the spring change (kept as a gap). Any other backward step is refused.

An hour read twice is counted twice, so the backward hour is taken for the autumn change only
where one can happen: on a wall clock (not seconds from the start), landing between 23:00 and
03:00, in February-April or September-November on a Sunday (or at midnight, where some
countries change on other days) when the date is known, and when the rows after the step do not
repeat the rows of the hour before (a duplicated export).
"""

from __future__ import annotations

import datetime as _dt
import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._base import MAX_DURATION_S, MAX_FS_HZ, MAX_SAMPLES, MIN_FS_HZ

__all__ = ["Grid", "TimeAxisError", "place_on_grid"]

_HOUR = 3600.0
_DAY = 86400.0
#: Longest time axis accepted from a text export; longer means a wrong time column.
MAX_SPAN_S = MAX_DURATION_S
#: Largest share of rows that may repeat an earlier row's time slot (each dropped, the first
#: kept). More means the stamps are coarser than the rows: a 1 Hz night stamped to the minute
#: kept one row a minute, each standing for the whole minute, and five 40-s dips at 86 % became
#: 5.0 min at or below 88 % and qualified.
MAX_DUPLICATE_SHARE = 0.1


class TimeAxisError(ValueError):
    """The time stamps cannot be turned into a regular time axis (reason in the message)."""


@dataclass(frozen=True)
class Grid:
    """Where each row goes on a regular time axis.

    Parameters
    ----------
    index : numpy.ndarray
        Grid slot of each row (int64); -1 for a row dropped as a duplicate of an earlier one.
    n : int
        Number of grid slots.
    step_s : float
        The sampling interval in seconds (median step between time stamps, the whole rate
        millisecond stamps round: 1/3 s for 0.333/0.334 s steps, or the mean regular step where
        the median moves rows: 1.004 s).
    warnings : tuple of str
        Daylight-saving changes, gaps, duplicate time stamps.
    clock_changes_s : tuple of float
        Where the wall clock changed (an autumn or spring daylight-saving change), in seconds
        from the first row: a clock time after it is not ``clock - start``.
    """

    index: NDArray[np.int64]
    n: int
    step_s: float
    warnings: tuple[str, ...]
    clock_changes_s: tuple[float, ...] = ()

    @property
    def fs(self) -> float:
        """Sampling rate in Hz."""
        return 1.0 / self.step_s

    def fill(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Return ``values`` (one per row) on the grid, NaN where no row landed."""
        out = np.full(self.n, np.nan)
        keep = self.index >= 0
        out[self.index[keep]] = values[keep]
        return out


def _clock(seconds: float) -> str:
    s = round(seconds) % int(_DAY)
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


#: Months in which a daylight-saving period ends somewhere (north: September-November; south
#: and historical Brazil: February-April).
_DST_END_MONTHS = frozenset({2, 3, 4, 9, 10, 11})
#: Share of the repeated hour's rows, matched to the earlier rows of the same time stamp, that
#: may be identical before the hour is taken for a duplicated export.
_REPEATED_SHARE = 0.9


def _not_autumn(
    t: NDArray[np.float64],
    k: int,
    *,
    clock0_s: float,
    date0: _dt.date | None,
    wall_clock: bool,
    rows: NDArray[np.float64] | None,
) -> str | None:
    """Return why the 1-hour step back after row ``k`` is not an autumn change (None if it can be)."""
    if not wall_clock:
        return (
            "the time stamps are not a wall clock (seconds from the start, or instants with a "
            "UTC offset), and those never go back"
        )
    after_s = clock0_s + float(t[k + 1])
    clock = after_s % _DAY
    midnight = clock >= 23 * _HOUR
    if not (midnight or clock <= 3 * _HOUR + 60.0):
        return f"it lands at {_clock(after_s)}; clocks go back between 23:00 and 03:00"
    if date0 is not None:
        day = date0 + _dt.timedelta(seconds=after_s)
        if day.month not in _DST_END_MONTHS:
            return f"on {day:%Y-%m-%d}; clocks go back in February-April or September-November"
        if not midnight and day.weekday() != 6:
            return f"on {day:%A %Y-%m-%d}; clocks go back at night on a Sunday (or at midnight)"
    if rows is not None:
        # rows after the step in the hour the clock repeats, matched to the earlier rows at the
        # same time stamp (times before the step only increase, so a sorted search finds them)
        before = t[: k + 1]
        later = np.arange(k + 1, t.size)
        later = later[t[later] <= before[-1]]
        at = np.searchsorted(before, t[later])
        ok = (at < before.size) & (before[np.minimum(at, before.size - 1)] == t[later])
        a, b = rows[at[ok]], rows[later[ok]]
        same = np.all((a == b) | (np.isnan(a) & np.isnan(b)), axis=1)
        if same.size >= 10 and same.mean() >= _REPEATED_SHARE:
            return (
                f"{same.mean():.0%} of the {same.size} rows after it repeat the rows of the same "
                "times before it (a duplicated export)"
            )
    return None


def _rate_outside(step: float) -> str:
    """Say that rows ``step`` seconds apart are at a rate outside the one a channel may have."""
    return (
        f"the time stamps are {step:.3g} s apart (median step), a rate of {1 / step:.3g} Hz "
        f"outside {MIN_FS_HZ:g}-{MAX_FS_HZ:g} Hz (wrong time column or unit?)"
    )


def _moved(t: NDArray[np.float64], step: float) -> int:
    """Count the rows one step after the last that a grid of ``step`` does not put one slot on.

    Such a row leaves a hole that is not in the file (two slots on) or lands on the row before it
    (no slot on): the grid does not fit the stamps.
    """
    d = np.diff(t)
    slots = np.diff(np.floor(t / step + 0.5))
    one_step = (d > 0.5 * step) & (d < 1.5 * step)
    return int(np.count_nonzero(one_step & (slots != 1)))


def _phase(t: NDArray[np.float64], step: float) -> float:
    """Return where the rows fall on a grid of ``step`` through the first row, in seconds.

    The circular mean of each row's offset from its nearest slot (0 for rows on the slots),
    between -``step``/2 and ``step``/2.
    """
    offset = t / step
    offset -= np.floor(offset + 0.5)
    angle = 2.0 * np.pi * offset
    return float(np.arctan2(np.sin(angle).mean(), np.cos(angle).mean())) * step / (2.0 * np.pi)


#: Fewest consecutive steps at one other interval (each a whole multiple of at least 2 of the
#: median step, all multiples of one common interval, or each at most half of the median step)
#: read as the file changing its interval. The cases measured: 1-s rows for 2 h then 4-s rows
#: (5400 steps of 4 s), 4-s rows for 2 h then 1-s rows (1800), and the 4-s part with 10-30 % of
#: its rows dropped (steps of 4, 8, 12 s: no 60 steps of one length in a row); a probe-off is
#: one long step; single samples dropped at random from 1-s rows give independent steps of
#: 2, 3, ... s, each long and even with a chance of p / (1 + p) at a drop rate p: even at 30 %,
#: 60 in a row come with a chance of 0.23**60 (1e-38) a row (multiples of 3 are rarer). On the
#: grid of the median step every row of such a run stands alone between empty slots (or on
#: another row's slot), and SPEC §4 rule 5 (islands under 10 s) discarded the 4-s part without
#: a word.
MIN_OTHER_INTERVAL_RUN = 60
#: Least share of the slots the rows must fill in the time they cover (steps longer than the
#: tolerance of a gap, three steps and at least a minute, set aside). Rows stamped on arrival
#: in packets of 4, 10 ms apart every 4 s, gave a median step of 0.01 s: 100 Hz, 1 % of the slots
#: filled, 0.0013 valid min of a 4-h night. 1-s rows then 4-s rows fill 44 %; a file reaches
#: under a half only with more than half its rows missing (1 % dropped at random fills 99 %).
MIN_FILLED_SHARE = 0.5


def _steps_seen(d: NDArray[np.float64]) -> str:
    """Say the most common steps between rows and their shares (``0.01 s (75 %)``)."""
    values, counts = np.unique(np.round(d[d > 0], 3), return_counts=True)
    top = np.argsort(counts, kind="stable")[::-1][:3]
    total = int(counts.sum())
    return ", ".join(f"{values[i]:g} s ({counts[i] / total:.0%})" for i in top)


def _common_multiple_run(k: NDArray[np.int64]) -> tuple[int, int, int] | None:
    """Find the first run of long steps that are all whole multiples of one interval.

    Parameters
    ----------
    k : numpy.ndarray
        Each step between rows in whole median steps where it is a whole multiple of at least 2
        of it, else 1 (int64).

    Returns
    -------
    tuple of int or None
        ``(start, end, m)``: steps ``start`` to ``end - 1``, at least
        :data:`MIN_OTHER_INTERVAL_RUN` of them, all multiples of ``m >= 2`` (their greatest
        common divisor), the run as long as it stays so; None when there is no such run.
    """
    n = MIN_OTHER_INTERVAL_RUN
    if k.size < n:
        return None
    # gcd of every window of n steps by doubling: g[i] is the gcd of k[i : i + width], and a
    # window of n is two overlapping windows of width (a step counted twice leaves a gcd as is)
    g, width = k, 1
    while 2 * width <= n:
        g = np.gcd(g[:-width], g[width:])
        width *= 2
    g = np.gcd(g[: g.size - (n - width)], g[n - width :])
    hits = np.flatnonzero(g >= 2)
    if hits.size == 0:
        return None
    a = int(hits[0])
    acc = np.gcd.accumulate(k[a:])
    length = int(np.argmax(acc < 2)) if acc[-1] < 2 else acc.size
    return a, a + length, int(acc[length - 1])


def _one_interval(t: NDArray[np.float64], step: float, tol: float, clock0_s: float) -> None:
    """Refuse time stamps that do not follow one sampling interval (SPEC §2.2).

    Raises
    ------
    TimeAxisError
        When the rows run at another interval for :data:`MIN_OTHER_INTERVAL_RUN` steps in a
        row (longer steps all whole multiples of one interval, rows missing between them or
        not, or shorter steps at one fraction of the median step), or fill under
        :data:`MIN_FILLED_SHARE` of the slots of the time they cover.
    """
    d = np.diff(t)
    ratio = d / step
    # Longer: whole multiples of one interval of at least 2 median steps, not one length: 4-s
    # rows after 1-s rows with 10-20 % of them dropped (a Bluetooth link) gave steps of 4, 8 and
    # 12 s, no 60 of one length in a row, and 60 % of the 1-s slots filled; each 4-s row was an
    # island SPEC §4 rule 5 threw out (240 -> 120 valid min, a 15-min dip at 86 % gone) and
    # whether the file was refused hung on where the drops fell (review of hunt 10). Not any step
    # of 1.5 median steps or more: that refused a genuine night whose link delivered one row every
    # 2 to 7 s for 15 min (no common interval), a stretch SPEC §4 rule 5 handles (review of hunt
    # 9). 4-s rows jittered by 1.5 s before 1-s rows pass this check (and the fill check when
    # first).
    whole = np.rint(ratio)
    longer = (whole >= 2) & (np.abs(ratio - whole) <= 0.25)
    k = np.where(longer, whole, 1.0).astype(np.int64)
    inverse = np.rint(1.0 / np.where(d > 0, ratio, 1.0))
    shorter = (d > 0) & (ratio <= 0.5)
    # shorter: one fraction of the median step (0: the median step, longer, or no interval)
    key = np.where(shorter, -inverse, 0.0)
    edges = np.flatnonzero(np.diff(key, prepend=np.nan, append=np.nan) != 0)
    # each run found: (its first step, its end, the other interval, a note on missing rows)
    found: list[tuple[int, int, str, str]] = []
    for a, b in itertools.pairwise(edges.tolist()):
        if key[a] != 0 and b - a >= MIN_OTHER_INTERVAL_RUN:
            found.append((a, b, f"{float(np.median(d[a:b])):g} s", ""))
            break  # the first run of shorter steps
    common = _common_multiple_run(k)
    if common is not None:
        a, b, m = common
        note = " or a whole multiple of it, where rows are missing" if np.any(k[a:b] != m) else ""
        found.append((a, b, f"{m * step:g} s", note))
    if found:
        a, b, other, note = min(found, key=lambda run: run[0])  # the earlier of the two
        usual = f"{step:g} s"
        start, end = _clock(clock0_s + t[a]), _clock(clock0_s + t[b])
        if a == 0:
            how = f"{other} steps until {end}, then {usual} steps"
        elif b == d.size:
            how = f"{usual} steps, then {other} steps from {start}"
        else:
            how = f"{usual} steps, and {other} steps from {start} to {end}"
        raise TimeAxisError(
            f"the sampling interval changes within the file: {how} ({b - a} steps of {other}"
            f"{note}); on one grid the rows at the other interval would stand alone between "
            "empty slots, or on one another, and be lost: export each part to its own file"
        )
    covered = (d > 0) & (d <= tol)
    slots = float(d[covered].sum()) / step
    if slots >= 100 and np.count_nonzero(covered) < MIN_FILLED_SHARE * slots:
        raise TimeAxisError(
            f"the time stamps do not follow one sampling interval: at the median step, "
            f"{step:g} s ({1 / step:.3g} Hz), the {t.size} rows fill "
            f"{np.count_nonzero(covered) / slots:.0%} of the time they cover (gaps over "
            f"{tol:g} s set aside); steps seen: {_steps_seen(d)} (rows stamped in packets, "
            "on arrival?). Export the time of each sample"
        )


def place_on_grid(
    elapsed_s: NDArray[np.float64],
    *,
    time_of_day_only: bool,
    clock0_s: float = 0.0,
    date0: _dt.date | None = None,
    wall_clock: bool = True,
    rows: NDArray[np.float64] | None = None,
) -> Grid:
    """Map time stamps (seconds from the first row, wall clock) onto a regular grid.

    Parameters
    ----------
    elapsed_s : numpy.ndarray
        Wall-clock seconds of each row relative to the first row (for a column of seconds, its
        values less the first row's), in file order: slot 0 is the first row.
    time_of_day_only : bool
        True when the file holds times of day without dates: a backward jump of nearly a day
        is then midnight, not a step back in time.
    clock0_s : float, optional
        Seconds after midnight of the first row: words warnings, and places a step back in the
        night.
    date0 : datetime.date, optional
        The first row's date, when the file gives it: a step back must fall on a date clocks
        go back.
    wall_clock : bool, optional
        False when the stamps are seconds from the start or instants with a UTC offset: no
        step back is accepted.
    rows : numpy.ndarray, optional
        The rows' values (one row per time stamp, NaN where empty): a step back whose later
        rows repeat the hour before is a duplicated export, not a daylight-saving change.

    Returns
    -------
    Grid
        Slot of each row, number of slots, step and warnings.

    Raises
    ------
    TimeAxisError
        When time goes backwards (other than one autumn daylight-saving change, where and
        when one can happen), does not advance, repeats for more than a tenth of the rows,
        spans more than a week, gives a rate outside 0.01-1000 Hz, follows no one sampling
        interval, or would need more grid slots than one channel may hold.
    """
    t = np.asarray(elapsed_s, dtype=np.float64).copy()
    warnings: list[str] = []
    changes: list[float] = []
    if t.size < 2:
        raise TimeAxisError(f"only {t.size} time-stamped row(s); cannot infer a sampling rate")
    if not np.isfinite(t).all():
        raise TimeAxisError("a time stamp is not a finite number")

    d = np.diff(t)
    if time_of_day_only:
        wraps = d < -12 * _HOUR
        if wraps.any():
            t[1:] += _DAY * np.cumsum(wraps)
            d = np.diff(t)
    pos = d[d > 0]
    if np.count_nonzero(d < 0) > 2 * pos.size + 1:
        # A file sorted newest first was refused as "every row has the same time": it says
        # nothing of the order the rows are in. (Most steps back, not a few: those are said
        # where they are, below.)
        k = int(np.flatnonzero(d < 0)[0])
        raise TimeAxisError(
            f"time runs backwards: {np.count_nonzero(d < 0)} of the {d.size} steps between rows "
            f"go back in time, the first at data row {k + 2} ({_clock(clock0_s + t[k])} -> "
            f"{_clock(clock0_s + t[k + 1])}); the rows are in reverse order? Sort them "
            "oldest first"
        )
    if pos.size == 0:
        raise TimeAxisError("time stamps do not advance (every row has the same time)")
    median_step = float(np.median(pos))
    if 1.0 / median_step > 2 * MAX_FS_HZ:
        # Far too fast before a rate is chosen: steps of 1e-320 s made an infinite rate, and
        # the whole rates tried below ended in an OverflowError traceback.
        raise TimeAxisError(_rate_outside(median_step))
    step = round(median_step, 6) or median_step
    # Stamps written to the millisecond make a 3 Hz step 0.333 or 0.334 s: the median gave
    # 3.003 Hz, a phantom one-sample gap every 333 s, and longest runs cut in two. A 1 Hz night
    # stamped on arrival, jittered by up to 0.3 s, gave a median step of 0.999 s; the slots
    # drifted a second every 17 min, rows fell on one another or left holes, and the
    # short-island rule took out 40 % of the night (with a tenth of the samples dropped as well,
    # the median came out 1.03 s). So the whole number of samples a second (or seconds a
    # sample) nearest the median, and nearest the mean of the regular steps (gaps left out), are
    # tried before the median and that mean; the one that moves fewest rows off the slot after
    # the last (a hole the file does not have, or a row on the row before it) is the step, the
    # earlier on a tie. Snapped to 1 s whenever within 0.5 % of it, rows steadily 1.004 s apart
    # slipped one slot every 250 rows: 58 holes cut a 14.6-min run at 86 % into 4.2-min pieces.
    # On their own 1.004 s they move none; jittered stamps about a whole second move none on it.
    regular = pos[(pos > 0.5 * step) & (pos < 1.5 * step)]
    mean_step = float(regular.mean()) if regular.size else step
    candidates: list[float] = []
    for measured in (step, mean_step):
        per_s = round(1.0 / measured)
        whole = 1.0 / per_s if measured < 1.0 and per_s >= 2 else float(round(measured))
        # (5 % off, a whole rate moves a row within ten rows: it is tried only nearer, so that a
        # file of two rows 0.7 s apart is not taken for 1 Hz for want of rows to move)
        if whole > 0 and abs(measured - whole) <= 0.05 * whole:
            candidates.append(whole)
    # A rate of a few decimals whose step has many (4.7 Hz, 0.2127659... s; 0.3 Hz, 3.333... s),
    # stamped exactly: with its step rounded to 6 decimals it was 4.699999 and 0.30000003 Hz,
    # and 90 samples at 0.3 Hz (300 s) 4.9999995 min, shown "4.9" beside a 5-minute rule met
    for measured in (median_step, mean_step):
        rate = round(1.0 / measured, 6)
        if rate > 0 and abs(1.0 / measured - rate) <= 1e-9 * rate:
            candidates.append(1.0 / rate)
    candidates += [step, mean_step]
    # Each with the grid through the first row, then through the rows' own phase: a jittered
    # 1 Hz night whose first row alone was 0.3 s late put the others 0.3 s early on a grid
    # through it, and 38 % of the night fell on one another or left holes (hunt 12).
    tried = [(c, phase) for c in dict.fromkeys(candidates) for phase in (0.0, _phase(t, c))]
    step, phase = min(tried, key=lambda cp: _moved(t - cp[1], cp[0]))
    tol = max(3 * step, 60.0)
    back = np.flatnonzero(d < 0)
    if back.size:
        k = int(back[0])
        moved = f"time goes backwards at data row {k + 2} ({_clock(clock0_s + t[k])} -> "
        moved += f"{_clock(clock0_s + t[k + 1])})"
        if not (back.size == 1 and 0 <= d[k] + _HOUR <= tol):
            raise TimeAxisError(
                f"{moved}; only a single 1-hour step back (the autumn daylight-saving change) "
                "is accepted"
            )
        why = _not_autumn(t, k, clock0_s=clock0_s, date0=date0, wall_clock=wall_clock, rows=rows)
        if why is not None:
            raise TimeAxisError(
                f"{moved}, not a daylight-saving change: {why}; an hour read twice would "
                "count twice"
            )
        t[k + 1 :] += _HOUR
        changes.append(float(t[k + 1]))
        warnings.append(
            f"clock went back 1 h at {_clock(clock0_s + t[k])} (autumn daylight-saving change); "
            "later samples placed 1 h later"
        )
        d = np.diff(t)
    spring = np.flatnonzero((d >= _HOUR) & (d <= _HOUR + tol))
    changes += [float(t[k + 1]) for k in spring]
    for k in spring[:3]:
        warnings.append(
            f"clock jumped forward 1 h at {_clock(clock0_s + t[k])} (spring daylight-saving "
            "change?); kept as a 1-hour gap"
        )
    if not MIN_FS_HZ <= 1 / step <= MAX_FS_HZ:
        raise TimeAxisError(_rate_outside(step))
    if t[-1] > MAX_SPAN_S:
        raise TimeAxisError(
            f"time stamps span {t[-1] / _DAY:.1f} days; more than {MAX_SPAN_S / _DAY:.0f} days "
            "is not a recording (wrong time column?)"
        )
    _one_interval(t, step, tol, clock0_s)
    if t[-1] / step >= MAX_SAMPLES:
        raise TimeAxisError(
            f"{t[-1]:g} s at one sample every {step:g} s needs {t[-1] / step:.3g} samples, more "
            f"than the {MAX_SAMPLES} one channel may hold"
        )
    # Half a step rounds up, always: np.rint's halves to even put a device's stamps that restart
    # half a step out of phase (4 s steps, 2 s off) on slots 0, 2, 2, 4, 4, ..., and every
    # second row was dropped as a duplicate with an hour of data.
    index = np.floor((t - phase) / step + 0.5).astype(np.int64)
    index -= index[0]  # slot 0 is the first row's (the recording's start)
    n = int(index[-1]) + 1
    # Duplicate slots (repeated time stamps): keep the first row, drop the rest.
    order = np.argsort(index, kind="stable")
    sorted_idx = index[order]
    dup = np.zeros(index.size, dtype=bool)
    dup[order[1:]] = sorted_idx[1:] == sorted_idx[:-1]
    n_dup = int(dup.sum())
    if n_dup > MAX_DUPLICATE_SHARE * index.size:
        raise TimeAxisError(
            f"{n_dup} of {index.size} rows repeat the time slot of an earlier row: the time "
            f"stamps ({step:g} s apart) are coarser than the rows (stamps to the minute, or a "
            "clock column shown without its seconds?); export the time with its seconds"
        )
    if dup.any():
        warnings.append(
            f"{int(dup.sum())} row(s) share a time slot with an earlier row; the first was kept"
        )
        index = np.where(dup, -1, index)
    n_gap_slots = n - int((~dup).sum())
    if n_gap_slots > 0:
        empty = np.ones(n, dtype=bool)
        empty[index[index >= 0]] = False
        gaps = int(np.count_nonzero(np.diff(empty.astype(np.int8), prepend=0) == 1))
        gap_s = n_gap_slots * step
        said = f"{gap_s / 60:.1f} min" if gap_s >= 60 else f"{gap_s:g} s"
        warnings.append(f"{gaps} gap(s) in the time stamps ({said} in all) kept as missing data")
    return Grid(
        index=index, n=n, step_s=step, warnings=tuple(warnings), clock_changes_s=tuple(changes)
    )
