"""Runs of a mask, spans in seconds and span masks: the one home of these conversions.

Samples sit at ``t_i = i / fs``. A span ``[start_s, end_s)`` in seconds holds the samples whose
time lies in it, at any rate (the SpO2 channel's, the pulse channel's ...); a run ``[a, b)`` is
a maximal stretch of True samples. The artifact rules, the windows, the metrics and the plots
all convert through these functions, so a sample is inside a span for each of them alike.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["find_runs", "run_spans", "span_indices", "spans_mask"]

#: Tolerance for seconds × Hz (absorbs float noise such as 0.1 × 30 = 3.0000000000000004).
_EPS = 1e-9
#: And in proportion to the sample index: (i / fs) × fs is i within a few parts in 1e16, which
#: past 2**24 samples is more than _EPS (sample 26 214 890 at 100 Hz came back as 26 214 891).
_REL_EPS = 1e-13


def find_runs(mask: ArrayLike) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Return the starts and (exclusive) ends of the maximal runs of True in ``mask``.

    Parameters
    ----------
    mask : array_like of bool
        One flag per sample.

    Returns
    -------
    starts, ends : numpy.ndarray of int
        Run ``k`` covers samples ``starts[k] .. ends[k] - 1``.

    Examples
    --------
    >>> import numpy as np
    >>> starts, ends = find_runs(np.array([0, 1, 1, 0, 1], dtype=bool))
    >>> starts.tolist(), ends.tolist()
    ([1, 4], [3, 5])
    """
    m = np.asarray(mask, dtype=bool)
    n = m.shape[0]
    if n == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    padded = np.concatenate(([False], m, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return edges[0::2], edges[1::2]


def span_indices(start_s: float, end_s: float, fs: float, n: int) -> tuple[int, int]:
    """Return the sample range ``[i0, i1)`` whose times ``i / fs`` lie in ``[start_s, end_s)``.

    Parameters
    ----------
    start_s, end_s : float
        A half-open span in seconds from the first sample.
    fs : float
        Sampling rate in Hz.
    n : int
        Number of samples (the result is clipped to ``[0, n]``).

    Returns
    -------
    (int, int)
        ``i0 <= i1``: the first samples at or after ``start_s`` and at or after ``end_s``.

    Examples
    --------
    >>> span_indices(0.1, 0.3, 4.0, 100)
    (1, 2)
    """
    i0 = min(n, max(0, _first_at_or_after(start_s * fs)))
    i1 = min(n, max(0, _first_at_or_after(end_s * fs)))
    return i0, max(i0, i1)


def _first_at_or_after(position: float) -> int:
    """Return the first sample index at or after ``position`` (seconds × Hz), float noise aside."""
    return math.ceil(position - _EPS - _REL_EPS * abs(position))


def spans_mask(spans_s: Iterable[tuple[float, float]], fs: float, n: int) -> NDArray[np.bool_]:
    """Return one flag per sample, True for samples whose time lies in one of the spans.

    Parameters
    ----------
    spans_s : iterable of (float, float)
        Half-open spans in seconds from the first sample.
    fs : float
        Sampling rate in Hz of the channel the mask is for.
    n : int
        Number of samples of that channel.

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> spans_mask([(1.0, 2.0)], 3.0, 9).astype(int).tolist()
    [0, 0, 0, 1, 1, 1, 0, 0, 0]
    """
    out = np.zeros(n, dtype=bool)
    for s, e in spans_s:
        i0, i1 = span_indices(s, e, fs, n)
        out[i0:i1] = True
    return out


def run_spans(
    starts: NDArray[np.intp], ends: NDArray[np.intp], fs: float
) -> tuple[tuple[float, float], ...]:
    """Return runs of samples ``[starts[k], ends[k])`` as spans in seconds.

    Parameters
    ----------
    starts, ends : numpy.ndarray of int
        Runs as returned by :func:`find_runs`.
    fs : float
        Sampling rate in Hz.

    Returns
    -------
    tuple of (float, float)
        ``(start / fs, end / fs)`` per run: :func:`spans_mask` of these spans gives the runs
        back.
    """
    return tuple((float(s) / fs, float(e) / fs) for s, e in zip(starts, ends, strict=True))
