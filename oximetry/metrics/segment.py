"""SPEC §6 figures for an exercise-test segment: median, nadir, sustained nadir."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..results import SegmentMetrics
from .pulse import pulse_stats
from .runs import check_arrays, check_fs, samples_at_least, sliding_max

__all__ = ["SUSTAINED_NADIR_S", "summarize_segment"]

#: SpO2 must stay at or below the sustained nadir for at least this long (SPEC §6).
SUSTAINED_NADIR_S = 10.0


def summarize_segment(
    x: ArrayLike,
    valid: ArrayLike,
    in_window: ArrayLike,
    fs: float,
    *,
    pulse_values: ArrayLike | None = None,
) -> SegmentMetrics:
    """Compute the figures of one exercise-test segment (``rest``, ``exercise``, ``exercise_o2``).

    Parameters
    ----------
    x : array_like of float
        SpO2 in percent, NaN where missing.
    valid : array_like of bool
        The artifact mask.
    in_window : array_like of bool
        The segment's samples.
    fs : float
        Sampling rate in Hz.
    pulse_values : array_like of float, optional
        Pulse rate in bpm; as in :func:`oximetry.metrics.summarize_window`.

    Returns
    -------
    SegmentMetrics
        ``median_pct``, ``nadir_pct`` (+ ``nadir_s``) over the valid samples of the segment,
        and ``sustained_nadir_pct``: the lowest level SpO2 stayed at or below for at least
        10 s, i.e. the minimum over every run of ``ceil(10 × fs)`` consecutive samples, all
        valid and in the segment, of the run's maximum. None when no such run exists.
        ``sustained_nadir_low_pct``: the same minimum over every run of that length between
        the segment's first and last valid sample, each run's maximum taken over its valid
        samples only. Where artifact breaks the runs the true level is unknown; this is its
        lower bound (the nadir ≤ it ≤ ``sustained_nadir_pct``, the upper bound), for rules
        that need SpO2 shown high (an improvement on oxygen, a rest value ≥ 89 %). None when
        the valid samples span less than 10 s.

    Notes
    -----
    SPEC §6. Values are unrounded; rules round them like any reading. The sliding maximum is
    ``scipy.ndimage.maximum_filter1d`` (:func:`oximetry.metrics.runs.sliding_max`).
    """
    fs = check_fs(fs)
    xs, ok, w = check_arrays(x, valid, in_window)
    sel = ok & w & np.isfinite(xs)
    per_min = 1.0 / (fs * 60.0)
    n_valid = int(np.count_nonzero(sel))
    median = nadir = nadir_s = sustained = low = None
    if n_valid:
        where = np.flatnonzero(sel)
        values = xs[where]
        i_min = int(np.argmin(values))
        nadir = float(values[i_min])
        nadir_s = int(where[i_min]) / fs
        median = float(np.median(values))
        width = max(samples_at_least(SUSTAINED_NADIR_S, fs), 1)
        lo, hi = int(where[0]), int(where[-1]) + 1
        span = np.where(sel[lo:hi], xs[lo:hi], np.inf)
        maxima = sliding_max(span, width)
        if maxima.size and np.isfinite(maxima.min()):
            sustained = float(maxima.min())
        # the same runs over the valid samples only; a run holding none has no level (-inf)
        lows = sliding_max(np.where(sel[lo:hi], xs[lo:hi], -np.inf), width)
        lows = lows[np.isfinite(lows)]
        if lows.size:
            low = float(lows.min())
    p_min, p_mean, p_max = pulse_stats(pulse_values)
    return SegmentMetrics(
        duration_min=int(np.count_nonzero(w)) * per_min,
        valid_min=n_valid * per_min,
        median_pct=median,
        nadir_pct=nadir,
        nadir_s=nadir_s,
        sustained_nadir_pct=sustained,
        sustained_nadir_low_pct=low,
        pulse_min_bpm=p_min,
        pulse_mean_bpm=p_mean,
        pulse_max_bpm=p_max,
    )
