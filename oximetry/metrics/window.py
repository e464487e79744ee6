"""SPEC §7 figures for one sleep, presumed-sleep or awake window."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._numeric import middle_values
from ..results import Event, WindowMetrics
from .drops import rounded_baseline, run_events, sustained_drops
from .pulse import pulse_stats
from .runs import check_arrays, check_fs, extent, longest_of, rounded_below, runs

__all__ = ["SLEEP_KINDS", "count_events_in", "le88_runs", "summarize_window"]

#: The windows whose block carries the drop below the window's mean (Medicare Group I-3).
SLEEP_KINDS = ("sleep", "presumed_sleep")


def count_events_in(events: Iterable[Event], in_window: NDArray[np.bool_], fs: float) -> int:
    """Count the events whose start sample lies in the window.

    Parameters
    ----------
    events : iterable of Event
        Events with ``start_s`` in seconds from the recording start.
    in_window : numpy.ndarray of bool
        The window mask, one flag per sample.
    fs : float
        Sampling rate in Hz.

    Returns
    -------
    int
        Events assigned to the window by their start (SPEC §7).
    """
    starts = np.array([e.start_s for e in events], dtype=np.float64)
    if starts.size == 0:
        return 0
    idx = np.rint(starts * fs).astype(np.int64)
    inside = (idx >= 0) & (idx < in_window.shape[0])
    return int(np.count_nonzero(in_window[idx[inside]]))


def le88_runs(
    x: NDArray[np.float64],
    found: tuple[NDArray[np.intp], NDArray[np.intp]],
    fs: float,
    window: str | None,
    *,
    offset: int = 0,
) -> tuple[Event, ...]:
    """Return every maximal run of valid ∧ W ∧ r ≤ 88 as a ``le88_run`` event.

    Parameters
    ----------
    x : numpy.ndarray of float
        SpO2 in percent.
    found : (starts, ends)
        The runs of valid ∧ W ∧ r ≤ 88 (:func:`oximetry.metrics.runs.runs`).
    fs : float
        Sampling rate in Hz.
    window : str or None
        Window kind written on the events.
    offset : int
        Index of ``x[0]`` in the recording (when ``x`` is a slice of it).

    Returns
    -------
    tuple of Event
        Start, end (exclusive), nadir and its time.
    """
    starts, ends = found
    return run_events(x, starts, ends, fs, "le88_run", window, offset=offset)


def summarize_window(
    x: ArrayLike,
    valid: ArrayLike,
    in_window: ArrayLike,
    fs: float,
    *,
    kind: str,
    awake_baseline_pct: float | None,
    awake_baseline_source: str | None,
    odi3_events: Iterable[Event],
    odi4_events: Iterable[Event],
    drop_pts: float,
    sustained_min_s: float,
    pulse_values: ArrayLike | None = None,
) -> tuple[WindowMetrics, tuple[Event, ...]]:
    """Compute every SPEC §7 figure for one window.

    Parameters
    ----------
    x : array_like of float
        SpO2 in percent, one value per sample, NaN where missing.
    valid : array_like of bool
        The artifact mask (True = usable).
    in_window : array_like of bool
        ``W``: the samples that belong to the window.
    fs : float
        Sampling rate in Hz.
    kind : str
        Window kind (``sleep``, ``presumed_sleep``, ``awake``, ``presumed_awake``), written on
        the returned events.
    awake_baseline_pct : float or None
        The awake baseline (a median, unrounded); None when there is none, which makes the
        drop figures None.
    awake_baseline_source : str or None
        Where the baseline came from, passed through.
    odi3_events, odi4_events : iterable of Event
        The whole recording's ODI events (:func:`oximetry.metrics.odi.detect_desaturations`);
        those whose start sample lies in ``W`` are counted.
    drop_pts : float
        A drop is ``b - r > drop_pts`` with ``b`` the rounded baseline (5: "more than five").
        In a sleep or presumed-sleep window the same number of points below the window's
        unrounded mean gives ``drop5_from_mean_min`` (see :func:`_drop_below_mean`).
    sustained_min_s : float
        Runs of the drop condition at least this long (300 s) are sustained desaturations.
    pulse_values : array_like of float, optional
        The window's valid pulse-rate samples in bpm, selected by the caller at the pulse
        channel's own rate (NaN values are ignored). None without a pulse channel.

    Returns
    -------
    metrics : WindowMetrics
        The figures. Minutes are sample counts × 1/fs / 60; percentages are of ``valid_min``
        (None when it is 0); ODI rates are events per hour of ``valid_min``.
    le88_events : tuple of Event
        Each maximal run of valid ∧ W ∧ r ≤ 88 (type ``le88_run``, with its nadir), for the
        report's shading. Sustained drops are in ``metrics.sustained_desaturations``.

    Notes
    -----
    SPEC §7: ``r = floor(x + 0.5)``; thresholds compare ``r`` (88.4 counts as 88, 88.5 as 89),
    averages use ``x``. An invalid sample breaks a run.
    """
    fs = check_fs(fs)
    xs_all, ok_all, w_all = check_arrays(x, valid, in_window)
    # Work on the window's extent only (an awake window is minutes of a night).
    lo, hi = extent(w_all)
    xs = xs_all[lo:hi]
    sel = ok_all[lo:hi] & w_all[lo:hi]
    sel &= np.isfinite(xs)
    per_min = 1.0 / (fs * 60.0)
    n_valid = int(np.count_nonzero(sel))
    valid_min = n_valid * per_min

    # Thresholds on r = floor(x + 0.5): r <= 88, r < 90, r <= 90.
    le88 = rounded_below(xs, 89)
    le88 &= sel
    n_le88 = int(np.count_nonzero(le88))
    valid_fig = _ValidFigures(xs, sel, n_valid)
    n_lt90, n_le90 = valid_fig.n_lt90, valid_fig.n_le90
    le88_found = runs(le88)
    del le88
    longest, longest_start = longest_of(le88_found)

    def pct(count: int) -> float | None:
        return None if n_valid == 0 else 100.0 * count / n_valid

    odi3 = count_events_in(odi3_events, w_all, fs)
    odi4 = count_events_in(odi4_events, w_all, fs)
    hours = n_valid / fs / 3600.0

    drop5_min = longest_drop5_min = None
    sustained: tuple[Event, ...] = ()
    if awake_baseline_pct is not None:
        b = rounded_baseline(awake_baseline_pct)
        limit = b - drop_pts  # b - r > drop_pts  <=>  r < b - drop_pts
        drop = rounded_below(xs, limit)
        drop &= sel
        drop5_min = int(np.count_nonzero(drop)) * per_min
        drop_found = runs(drop)
        del drop
        longest_drop5_min = longest_of(drop_found)[0] * per_min
        sustained = sustained_drops(
            xs, drop_found, fs, min_s=sustained_min_s, baseline=b, window=kind, offset=lo
        )

    nadir = nadir_s = mean = median = None
    if n_valid:
        nadir = valid_fig.minimum
        nadir_s = (lo + int(np.argmax(sel & (xs == nadir)))) / fs
        mean = valid_fig.total / n_valid
        low, high = valid_fig.middle
        median = float((low + high) / 2.0)

    mean_drop_min = longest_mean_drop_min = None
    if mean is not None and kind in SLEEP_KINDS:
        mean_drop_min, longest_mean_drop_min = _drop_below_mean(xs, sel, mean, drop_pts, per_min)

    p_min, p_mean, p_max = pulse_stats(pulse_values)
    metrics = WindowMetrics(
        duration_min=int(np.count_nonzero(w_all)) * per_min,
        valid_min=valid_min,
        t_le88_min=n_le88 * per_min,
        t_le88_pct=pct(n_le88),
        t_lt90_min=n_lt90 * per_min,
        t_lt90_pct=pct(n_lt90),
        t_le90_min=n_le90 * per_min,
        longest_le88_min=longest * per_min,
        longest_le88_start_s=None if longest_start is None else (lo + longest_start) / fs,
        nadir_pct=nadir,
        nadir_s=nadir_s,
        mean_pct=mean,
        median_pct=median,
        odi3_count=odi3,
        odi3_per_h=None if hours == 0 else odi3 / hours,
        odi4_count=odi4,
        odi4_per_h=None if hours == 0 else odi4 / hours,
        awake_baseline_pct=awake_baseline_pct,
        awake_baseline_source=awake_baseline_source,
        drop5_min=drop5_min,
        longest_drop5_min=longest_drop5_min,
        sustained_desaturations=sustained,
        pulse_min_bpm=p_min,
        pulse_mean_bpm=p_mean,
        pulse_max_bpm=p_max,
        drop5_from_mean_min=mean_drop_min,
        longest_drop5_from_mean_min=longest_mean_drop_min,
    )
    return metrics, le88_runs(xs, le88_found, fs, kind, offset=lo)


def _drop_below_mean(
    xs: NDArray[np.float64], sel: NDArray[np.bool_], mean: float, drop_pts: float, per_min: float
) -> tuple[float, float]:
    """Minutes and longest run of valid samples more than ``drop_pts`` points below ``mean``.

    A sample counts only when both its value and its rounded value are below ``mean - drop_pts``
    (the mean itself is compared unrounded), so no rounding ever adds a minute: Medicare's
    Group I-3 drop from "the mean saturation over the test" (docs/validation.md).
    """
    limit = mean - drop_pts
    below = rounded_below(xs, limit)
    below &= xs < limit
    below &= sel
    total = int(np.count_nonzero(below)) * per_min
    longest = longest_of(runs(below))[0] * per_min
    return total, longest


class _ValidFigures:
    """Sum, minimum, counts below 90 and the middle values of the valid samples of a window.

    Equal to what the array of those samples (``x[sel]``) would give, without building that
    array for a long window: the samples are compacted a chunk at a time, and the sum follows
    numpy's pairwise summation tree over the compacted series (a node of at most ``_LEAF``
    values is summed by numpy itself), so the mean is bit-identical to ``x[sel].mean()``. The
    median is selected exactly from a bracket ``[lo, hi]`` taken from a sample: the values
    below ``lo``, equal to ``lo``, equal to ``hi`` are counted and only those strictly inside
    are kept, so the middle ranks are found from the counts and a small selection (the whole
    series is selected when the bracket missed them).
    """

    _CHUNK = 1 << 20
    _LEAF = 1 << 16

    def __init__(self, xs: NDArray[np.float64], sel: NDArray[np.bool_], n_valid: int) -> None:
        self.minimum = np.inf
        self.n_lt90 = self.n_le90 = 0
        self.total = 0.0
        self.middle: tuple[float, float] = (np.nan, np.nan)
        if n_valid == 0:
            return
        mid = ((n_valid - 1) // 2, n_valid // 2)
        if n_valid <= 4 * self._LEAF:
            values = xs[sel]
            self._add(values)
            self.total = float(np.add.reduce(values))
            self.middle = middle_values(values)
            return
        step = max(1, xs.size // 8192)
        sample = np.sort(xs[::step][sel[::step]])
        m = sample.size
        self._lo, self._hi = (
            (float(sample[max(m // 2 - 64, 0)]), float(sample[min(m // 2 + 64, m - 1)]))
            if m
            else (-np.inf, np.inf)
        )
        self._below = self._eq_lo = self._eq_hi = 0
        self._inner: list[NDArray[np.float64]] = []
        self._pieces = self._compacted(xs, sel)
        self._pending: NDArray[np.float64] = np.empty(0)
        self.total = self._tree_sum(n_valid)
        middle = self._select(mid)
        if middle is None:
            middle = middle_values(xs[sel])
        self.middle = middle

    def _select(self, ranks: tuple[int, int]) -> tuple[float, float] | None:
        """Return the values of the given ranks from the bracket's counts, None if outside it."""
        inner = np.concatenate(self._inner) if self._inner else np.empty(0)
        n_in = inner.size
        out: list[float | None] = []  # None: the value lies strictly inside the bracket
        pick: list[int] = []
        for r in ranks:
            r -= self._below
            if r < 0:
                return None
            if r < self._eq_lo:
                out.append(self._lo)
            elif r < self._eq_lo + n_in:
                pick.append(r - self._eq_lo)
                out.append(None)
            elif r < self._eq_lo + n_in + self._eq_hi:
                out.append(self._hi)
            else:
                return None
        if pick:
            inner.partition(pick)
            inside = iter(pick)
            out = [float(inner[next(inside)]) if v is None else v for v in out]
        low, high = out
        return (low, high) if low is not None and high is not None else None

    def _add(self, piece: NDArray[np.float64]) -> None:
        self.minimum = min(self.minimum, float(piece.min()))
        self.n_lt90 += int(np.count_nonzero(rounded_below(piece, 90)))
        self.n_le90 += int(np.count_nonzero(rounded_below(piece, 91)))

    def _compacted(
        self, xs: NDArray[np.float64], sel: NDArray[np.bool_]
    ) -> Iterator[NDArray[np.float64]]:
        lo, hi = self._lo, self._hi
        for s in range(0, xs.size, self._CHUNK):
            piece = xs[s : s + self._CHUNK][sel[s : s + self._CHUNK]]
            if piece.size:
                self._add(piece)
                self._below += int(np.count_nonzero(piece < lo))
                self._eq_lo += int(np.count_nonzero(piece == lo))
                if hi > lo:
                    self._eq_hi += int(np.count_nonzero(piece == hi))
                    self._inner.append(piece[(piece > lo) & (piece < hi)])
                yield piece

    def _take(self, k: int) -> NDArray[np.float64]:
        parts = []
        while k > 0:
            if self._pending.size == 0:
                self._pending = next(self._pieces)
            part = self._pending[:k]
            self._pending = self._pending[k:]
            parts.append(part)
            k -= part.size
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _tree_sum(self, k: int) -> float:
        # numpy's pairwise summation: halve (rounded down to a multiple of 8) above 128 values
        if k <= self._LEAF:
            return float(np.add.reduce(self._take(k)))
        half = k // 2
        half -= half % 8
        return self._tree_sum(half) + self._tree_sum(k - half)
