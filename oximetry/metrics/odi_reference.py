"""The ODI definition of SPEC §7 read one sample at a time: the reference for the fast scan.

:func:`detect_desaturations_reference` is slow (a Python loop over samples and a median per
sample) and is not used by :func:`oximetry.analyze`; it exists so that a reader can check the
definition line by line, and the tests compare :func:`oximetry.metrics.odi.detect_desaturations`
with it on many signals.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..results import Event
from ..settings import OdiSettings
from .odi import _event_type
from .runs import check_fs, samples_at_least

__all__ = ["detect_desaturations_reference"]


def detect_desaturations_reference(
    x: ArrayLike,
    valid: ArrayLike,
    fs: float,
    drop_pts: float,
    settings: OdiSettings,
) -> tuple[Event, ...]:
    """Detect desaturation events by SPEC §7, literally, one sample at a time.

    Parameters
    ----------
    x : array_like of float
        SpO2 in percent, NaN where missing.
    valid : array_like of bool
        The artifact mask (True = usable).
    fs : float
        Sampling rate in Hz.
    drop_pts : float
        ``k``: an event needs ``r <= baseline - k``.
    settings : OdiSettings
        Baseline window, minimum baseline data and minimum event length.

    Returns
    -------
    tuple of Event
        The events :func:`oximetry.metrics.odi.detect_desaturations` returns for the same input.

    Examples
    --------
    >>> import numpy as np
    >>> from oximetry.settings import OdiSettings
    >>> x = np.r_[np.full(120, 96.0), np.full(15, 92.0), np.full(60, 96.0)]
    >>> [(e.start_s, e.end_s, e.baseline_pct, e.nadir_pct) for e in
    ...  detect_desaturations_reference(x, np.ones(x.size, bool), 1.0, 3, OdiSettings())]
    [(120.0, 135.0, 96.0, 92.0)]
    """
    fs = check_fs(fs)
    xs = np.asarray(x, dtype=np.float64)
    ok = np.asarray(valid, dtype=bool) & np.isfinite(xs)
    r = np.floor(xs + 0.5)
    k = float(drop_pts)
    n = xs.shape[0]
    win = max(int(np.floor(settings.baseline_window_s * fs + 1e-9)), 1)
    need_base = max(samples_at_least(settings.min_baseline_s, fs), 1)
    need_event = max(samples_at_least(settings.min_event_s, fs), 1)
    in_event = np.zeros(n, dtype=bool)
    events: list[Event] = []
    i = 0
    while i < n:
        if ok[i]:
            lo = max(0, i - win)
            before = r[lo:i][ok[lo:i] & ~in_event[lo:i]]
            if before.size >= need_base:
                baseline = float(np.median(before))
                if r[i] <= baseline - k:
                    j = i + 1
                    while j < n and ok[j] and not xs[j] >= baseline - k / 2:
                        j += 1
                    if j - i >= need_event:
                        in_event[i:j] = True
                        t = i + int(np.argmin(xs[i:j]))
                        events.append(
                            Event(
                                type=_event_type(k),
                                start_s=i / fs,
                                end_s=j / fs,
                                nadir_pct=float(xs[t]),
                                nadir_s=t / fs,
                                baseline_pct=baseline,
                                drop_pct=baseline - float(xs[t]),
                            )
                        )
                    i = j
                    continue
        i += 1
    return tuple(events)
