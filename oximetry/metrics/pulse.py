"""Pulse-rate statistics over a window."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["pulse_stats"]


def pulse_stats(
    pulse_values: ArrayLike | None,
) -> tuple[float | None, float | None, float | None]:
    """Return min, mean and max pulse rate in bpm, ignoring missing values.

    Parameters
    ----------
    pulse_values : array_like of float or None
        The window's valid pulse-rate samples in bpm, at the pulse channel's own rate, as the
        caller selected them (NaN = missing, ignored). None when there is no pulse channel.

    Returns
    -------
    tuple of (float or None)
        ``(min, mean, max)``; all None without a pulse channel or without any value.
    """
    if pulse_values is None:
        return None, None, None
    values = np.asarray(pulse_values, dtype=np.float64).ravel()
    finite = np.isfinite(values)
    if not finite.all():  # the analysis passes only valid samples: usually no copy
        values = values[finite]
    if values.size == 0:
        return None, None, None
    return float(values.min()), float(values.mean()), float(values.max())
