"""Runs of a boolean mask, sample-count durations and sliding extrema, all vectorised."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import OximetryError
from ..spans import find_runs

__all__ = [
    "check_arrays",
    "check_fs",
    "extent",
    "longest_of",
    "longest_run",
    "round_pct",
    "rounded_below",
    "sample_minutes",
    "samples_at_least",
    "sliding_max",
]

#: Tolerance for turning seconds × Hz into a whole number of samples (absorbs float noise).
_EPS = 1e-9


def check_fs(fs: float) -> float:
    """Return ``fs`` as a float, or raise when it is not a positive finite number of Hz.

    Parameters
    ----------
    fs : float
        Sampling rate in Hz.

    Returns
    -------
    float
        The rate.
    """
    value = float(fs)
    if not math.isfinite(value) or value <= 0:
        raise OximetryError(f"Invalid sampling rate {fs!r} Hz; it must be a positive number")
    return value


def check_arrays(
    x: ArrayLike, valid: ArrayLike, in_window: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.bool_]]:
    """Return SpO2, validity and window mask as arrays, or raise when their shapes disagree.

    Parameters
    ----------
    x : array_like of float
        SpO2 in percent.
    valid, in_window : array_like of bool
        The artifact mask and the window's samples.

    Returns
    -------
    tuple of numpy.ndarray
        ``x`` as float64, ``valid`` and ``in_window`` as bool (no copy when already so).
    """
    xs = np.asarray(x, dtype=np.float64)
    ok = np.asarray(valid, dtype=bool)
    w = np.asarray(in_window, dtype=bool)
    if xs.ndim != 1 or ok.shape != xs.shape or w.shape != xs.shape:
        raise OximetryError(
            f"x, valid and in_window must be one-dimensional and of equal length, got shapes "
            f"{xs.shape}, {ok.shape} and {w.shape}"
        )
    return xs, ok, w


def samples_at_least(seconds: float, fs: float) -> int:
    """Return the fewest samples whose duration (samples × 1/fs) is at least ``seconds``.

    Parameters
    ----------
    seconds : float
        A minimum duration.
    fs : float
        Sampling rate in Hz.

    Returns
    -------
    int
        ``ceil(seconds × fs)`` (``300 × fs`` for five minutes whenever that is whole).

    Notes
    -----
    SPEC §7: durations compare sample counts, not floats.
    """
    return max(math.ceil(seconds * fs - _EPS), 0)


def sample_minutes(count: int, fs: float) -> float:
    """Return ``count`` samples at ``fs`` Hz in minutes: ``count / fs / 60``.

    Parameters
    ----------
    count : int
        A number of samples.
    fs : float
        Sampling rate in Hz.

    Returns
    -------
    float
        Samples × 1/fs / 60 (SPEC §7), divided rather than multiplied by ``1 / (fs × 60)``:
        that product put 4,500 samples at 5 Hz at 15.000000000000002 min, which summary.json,
        never rounding a figure onto a whole it is not, wrote 15.000001 beside the tables'
        15.0 (a whole number of seconds divides exactly). Seconds within a billionth of a second
        of a whole are that whole: 630 samples at 0.7 Hz are 900.0000000000001 s in floating
        point, and were 15.000000000000002 min (written 15.000001). The figure itself is the
        whole, so summary.json still writes what the rules read, never a whole the figure is not;
        a count that close to whole seconds without being on them takes a rate written to about
        ten significant digits or more.

    Examples
    --------
    >>> sample_minutes(4500, 5.0), sample_minutes(2100, 7.0), sample_minutes(299, 1.0)
    (15.0, 5.0, 4.983333333333333)
    >>> sample_minutes(630, 0.7), sample_minutes(631, 0.7)
    (15.0, 15.023809523809524)
    """
    seconds = count / fs
    whole = round(seconds)
    if abs(seconds - whole) <= 1e-9:
        seconds = float(whole)
    return seconds / 60.0


def round_pct(x: ArrayLike) -> NDArray[np.float64]:
    """Round SpO2 to whole percent as payers do: ``floor(x + 0.5)`` (88.5 → 89, 88.4 → 88).

    Parameters
    ----------
    x : array_like
        SpO2 in percent; NaN stays NaN.

    Returns
    -------
    numpy.ndarray
        The rounded values (float, so that NaN survives).
    """
    r = np.asarray(x, dtype=np.float64) + 0.5
    np.floor(r, out=r)
    return r


def rounded_below(x: NDArray[np.float64], limit: float) -> NDArray[np.bool_]:
    """Return ``floor(x + 0.5) < limit`` without building the rounded array.

    Parameters
    ----------
    x : numpy.ndarray of float
        SpO2 in percent (NaN gives False).
    limit : float
        The bound on the rounded value: ``r <= 88`` is ``rounded_below(x, 89)``.

    Returns
    -------
    numpy.ndarray of bool
        One flag per sample.

    Notes
    -----
    For a whole number ``r``, ``r < limit`` is ``r <= ceil(limit) - 1``, which for
    ``r = floor(x + 0.5)`` is ``x < ceil(limit) - 0.5``: one comparison per sample. Exact for
    every ``x >= 1`` (``x + 0.5`` never rounds across the bound there).
    """
    return x < math.ceil(limit) - 0.5


def extent(mask: NDArray[np.bool_]) -> tuple[int, int]:
    """Return ``(first, last + 1)`` of the True samples, ``(0, 0)`` when there is none.

    Parameters
    ----------
    mask : numpy.ndarray of bool
        One flag per sample.

    Returns
    -------
    tuple of int
        A slice that holds every True sample.
    """
    if mask.size == 0 or not mask.any():
        return 0, 0
    first = int(np.argmax(mask))
    last = mask.size - int(np.argmax(mask[::-1]))
    return first, last


def longest_run(mask: ArrayLike) -> tuple[int, int | None]:
    """Return the length and the start index of the longest run of True (the first if tied).

    Parameters
    ----------
    mask : array_like of bool
        One flag per sample.

    Returns
    -------
    length : int
        Samples in the longest run (0 when there is none).
    start : int or None
        Its first sample, None when there is no run.
    """
    return longest_of(find_runs(mask))


def longest_of(found: tuple[NDArray[np.intp], NDArray[np.intp]]) -> tuple[int, int | None]:
    """Return the length and start of the longest of the runs ``(starts, ends)`` (first if tied).

    Parameters
    ----------
    found : (starts, ends)
        Runs as returned by :func:`oximetry.spans.find_runs`.

    Returns
    -------
    length : int
        Samples in the longest run (0 when there is none).
    start : int or None
        Its first sample, None when there is no run.
    """
    starts, ends = found
    if starts.size == 0:
        return 0, None
    lengths = ends - starts
    k = int(np.argmax(lengths))
    return int(lengths[k]), int(starts[k])


def sliding_max(values: NDArray[np.float64], width: int) -> NDArray[np.float64]:
    """Return the maximum of every window of ``width`` consecutive values.

    Parameters
    ----------
    values : numpy.ndarray of float
        The series (no NaN: replace missing values first).
    width : int
        Window length in samples, at least 1.

    Returns
    -------
    numpy.ndarray
        ``out[s] = max(values[s : s + width])`` for ``s = 0 .. len(values) - width``
        (empty when the series is shorter than the window).

    Notes
    -----
    ``scipy.ndimage.maximum_filter1d`` (linear time whatever the width), keeping the windows
    that lie wholly inside the series. scipy is imported here, not at module import: only
    exercise-test segments need it, and importing ``scipy.ndimage`` costs about 0.2 s, more than
    ``oxi analyze --no-report`` spends on an 8-hour night.
    """
    from scipy.ndimage import maximum_filter1d

    n = values.shape[0]
    if width < 1:
        raise OximetryError(f"Invalid window width {width}; it must be at least 1 sample")
    if n < width:
        return np.empty(0, dtype=np.float64)
    centred = maximum_filter1d(np.asarray(values, dtype=np.float64), width, mode="nearest")
    # centred[i] is the maximum of values[i - width // 2 : i - width // 2 + width]
    half = width // 2
    return centred[half : half + n - width + 1]
