"""The awake baseline and falls below it: drop minutes and sustained desaturations."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..results import Event
from .runs import samples_at_least

__all__ = ["awake_baseline", "rounded_baseline", "run_events", "run_nadirs", "sustained_drops"]


def awake_baseline(x: ArrayLike, mask: ArrayLike, min_samples: int = 1) -> float | None:
    """Return the median SpO2 over ``mask`` (unrounded), or None when it selects too little.

    Parameters
    ----------
    x : array_like of float
        SpO2 in percent, NaN where missing.
    mask : array_like of bool
        The valid awake samples (stage W, ``--awake``, or the first 300 s of valid data).
    min_samples : int, optional
        The fewest samples a baseline rests on; with fewer there is none (the analysis asks
        for five minutes' worth, as the presumed baseline takes).

    Returns
    -------
    float or None
        The median; NaN samples under the mask are ignored.

    Notes
    -----
    SPEC §5. Rules and the drop use it rounded like any reading (:func:`rounded_baseline`).

    Examples
    --------
    >>> awake_baseline([97.0, 96.0, float("nan"), 95.0], [True, True, True, True])
    96.0
    >>> awake_baseline([97.0, 96.0], [True, True], min_samples=3) is None
    True
    """
    xs = np.asarray(x, dtype=np.float64)
    sel = np.asarray(mask, dtype=bool) & np.isfinite(xs)
    if np.count_nonzero(sel) < max(min_samples, 1):
        return None
    return float(np.median(xs[sel], overwrite_input=True))  # sorts its own copy, not another


def rounded_baseline(baseline_pct: float) -> int:
    """Return ``floor(baseline + 0.5)``: the baseline as a whole percent, as payers round.

    Parameters
    ----------
    baseline_pct : float
        The awake baseline (a median, possibly fractional).

    Returns
    -------
    int
        The rounded baseline ``b`` of SPEC §7.
    """
    return math.floor(baseline_pct + 0.5)


def run_nadirs(
    x: NDArray[np.float64], starts: NDArray[np.intp], ends: NDArray[np.intp]
) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """Return the minimum of ``x`` in each run ``[starts[k], ends[k])`` and where it first occurs.

    Parameters
    ----------
    x : numpy.ndarray of float
        The signal (finite inside the runs).
    starts, ends : numpy.ndarray of int
        Non-empty, disjoint runs in increasing order.

    Returns
    -------
    nadirs : numpy.ndarray of float
        One minimum per run.
    where : numpy.ndarray of int
        Sample index of the first minimum of each run.
    """
    if starts.size == 0:
        return np.empty(0), np.empty(0, dtype=np.intp)
    lengths = ends - starts
    idx = _run_indices(starts, lengths)
    vals = x[idx]
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    nadirs = np.minimum.reduceat(vals, offsets)
    run_id = np.repeat(np.arange(starts.size), lengths)
    at_min = np.flatnonzero(vals == nadirs[run_id])
    _, first = np.unique(run_id[at_min], return_index=True)
    return nadirs, idx[at_min[first]]


def _run_indices(starts: NDArray[np.intp], lengths: NDArray[np.intp]) -> NDArray[np.intp]:
    """Concatenate ``arange(start, start + length)`` for every run, vectorised."""
    total = int(lengths.sum())
    step = np.ones(total, dtype=np.intp)
    heads = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    step[0] = starts[0]
    step[heads[1:]] = starts[1:] - (starts[:-1] + lengths[:-1] - 1)
    return np.cumsum(step)


def sustained_drops(
    x: NDArray[np.float64],
    found: tuple[NDArray[np.intp], NDArray[np.intp]],
    fs: float,
    *,
    min_s: float,
    baseline: int,
    window: str | None,
    offset: int = 0,
) -> tuple[Event, ...]:
    """Return the drop runs lasting at least ``min_s`` as ``sustained_drop`` events.

    Parameters
    ----------
    x : numpy.ndarray of float
        SpO2 in percent.
    found : (starts, ends)
        The runs of ``valid ∧ W ∧ (b − r > drop_pts)`` (:func:`oximetry.spans.find_runs`).
    fs : float
        Sampling rate in Hz.
    min_s : float
        Minimum duration; compared as a sample count (``ceil(min_s × fs)`` samples).
    baseline : int
        The rounded awake baseline ``b``.
    window : str or None
        Window kind written on the events.
    offset : int
        Index of ``x[0]`` in the recording (when ``x`` is a slice of it).

    Returns
    -------
    tuple of Event
        Start, end (exclusive), nadir and its time, ``baseline_pct = b``, ``drop_pct = b − nadir``.
    """
    starts, ends = found
    need = max(samples_at_least(min_s, fs), 1)
    keep = (ends - starts) >= need
    return run_events(
        x, starts[keep], ends[keep], fs, "sustained_drop", window, offset=offset, baseline=baseline
    )


def run_events(
    x: NDArray[np.float64],
    starts: NDArray[np.intp],
    ends: NDArray[np.intp],
    fs: float,
    kind: str,
    window: str | None,
    *,
    offset: int = 0,
    baseline: int | None = None,
) -> tuple[Event, ...]:
    """Return one event per run ``[starts[k], ends[k])`` of ``x``, with its nadir.

    Parameters
    ----------
    x : numpy.ndarray of float
        SpO2 in percent (finite inside the runs).
    starts, ends : numpy.ndarray of int
        Non-empty, disjoint runs in increasing order.
    fs : float
        Sampling rate in Hz.
    kind : str
        Event type (``le88_run``, ``sustained_drop``).
    window : str or None
        Window kind written on the events.
    offset : int
        Index of ``x[0]`` in the recording (when ``x`` is a slice of it).
    baseline : int, optional
        The rounded awake baseline ``b``; when given the events carry ``baseline_pct = b`` and
        ``drop_pct = b − nadir``.

    Returns
    -------
    tuple of Event
        Start, end (exclusive) and nadir time in seconds, and the nadir.

    Notes
    -----
    Times and nadirs are computed as arrays; the only per-run work is creating the event.
    """
    nadirs, where = run_nadirs(x, starts, ends)
    t0 = ((starts + offset) / fs).tolist()
    t1 = ((ends + offset) / fs).tolist()
    tn = ((where + offset) / fs).tolist()
    v = nadirs.tolist()
    if baseline is None:
        return tuple(
            Event(kind, a, b, nadir, t, window=window)
            for a, b, nadir, t in zip(t0, t1, v, tn, strict=True)
        )
    base = float(baseline)
    return tuple(
        Event(kind, a, b, nadir, t, base, base - nadir, window)
        for a, b, nadir, t in zip(t0, t1, v, tn, strict=True)
    )
