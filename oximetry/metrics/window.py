"""SPEC §7 figures for one sleep, presumed-sleep or awake window."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..results import Event, WindowMetrics
from ..spans import find_runs
from .drops import rounded_baseline, run_events, sustained_drops
from .pulse import pulse_stats
from .runs import check_arrays, check_fs, extent, longest_of, rounded_below, sample_minutes

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
        The runs of valid ∧ W ∧ r ≤ 88 (:func:`oximetry.spans.find_runs`).
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
    n_valid = int(np.count_nonzero(sel))
    valid_min = sample_minutes(n_valid, fs)

    # Thresholds on r = floor(x + 0.5): r <= 88, r < 90, r <= 90.
    le88 = rounded_below(xs, 89)
    le88 &= sel
    n_le88 = int(np.count_nonzero(le88))
    values = xs[sel]
    n_lt90 = int(np.count_nonzero(rounded_below(values, 90)))
    n_le90 = int(np.count_nonzero(rounded_below(values, 91)))
    le88_found = find_runs(le88)
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
        drop5_min = sample_minutes(int(np.count_nonzero(drop)), fs)
        drop_found = find_runs(drop)
        del drop
        longest_drop5_min = sample_minutes(longest_of(drop_found)[0], fs)
        sustained = sustained_drops(
            xs, drop_found, fs, min_s=sustained_min_s, baseline=b, window=kind, offset=lo
        )

    nadir = nadir_s = mean = median = None
    if n_valid:
        nadir = float(values.min())
        nadir_s = (lo + int(np.argmax(sel & (xs == nadir)))) / fs
        mean = float(values.mean())
        # `values` is this function's own copy, not used below: np.median may sort it in place
        # rather than copy it again (120 MB for a week at 25 Hz)
        median = float(np.median(values, overwrite_input=True))

    mean_drop_min = longest_mean_drop_min = None
    if mean is not None and kind in SLEEP_KINDS:
        mean_drop_min, longest_mean_drop_min = _drop_below_mean(xs, sel, mean, drop_pts, fs)

    p_min, p_mean, p_max = pulse_stats(pulse_values)
    metrics = WindowMetrics(
        duration_min=sample_minutes(int(np.count_nonzero(w_all)), fs),
        valid_min=valid_min,
        t_le88_min=sample_minutes(n_le88, fs),
        t_le88_pct=pct(n_le88),
        t_lt90_min=sample_minutes(n_lt90, fs),
        t_lt90_pct=pct(n_lt90),
        t_le90_min=sample_minutes(n_le90, fs),
        longest_le88_min=sample_minutes(longest, fs),
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
    xs: NDArray[np.float64], sel: NDArray[np.bool_], mean: float, drop_pts: float, fs: float
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
    total = sample_minutes(int(np.count_nonzero(below)), fs)
    longest = sample_minutes(longest_of(find_runs(below))[0], fs)
    return total, longest
