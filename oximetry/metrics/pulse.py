"""Pulse-rate statistics over a window."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["pulse_stats"]


def pulse_stats(
    pulse_values: ArrayLike | None, selected: NDArray[np.bool_] | None = None
) -> tuple[float | None, float | None, float | None]:
    """Return min, mean and max pulse rate in bpm, ignoring missing values.

    Parameters
    ----------
    pulse_values : array_like of float or None
        Pulse rate in bpm (NaN = missing). None when the recording has no pulse channel.
    selected : numpy.ndarray of bool, optional
        When given and of the same length as ``pulse_values``, only these samples count
        (the valid samples of the window, for a pulse channel on the SpO2 time base).

    Returns
    -------
    tuple of (float or None)
        ``(min, mean, max)``; all None without a pulse channel or without any value.
    """
    if pulse_values is None:
        return None, None, None
    values = np.asarray(pulse_values, dtype=np.float64).ravel()
    if selected is not None and selected.shape == values.shape:
        values = values[selected]
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None, None, None
    return float(values.min()), float(values.mean()), float(values.max())
