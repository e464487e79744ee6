"""Small numeric helpers shared by the readers and the metrics."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["median", "middle_values"]


def median(values: ArrayLike) -> float:
    """Return the median of NaN-free values, equal to ``numpy.median`` bit for bit.

    Parameters
    ----------
    values : array_like of float
        At least one value; none may be NaN.

    Returns
    -------
    float
        The middle value, or the mean ``(a + b) / 2`` of the two middle values.

    Raises
    ------
    ValueError
        When there are no values or some are NaN.

    Notes
    -----
    ``numpy.median`` imports ``numpy.ma`` on its first call (about 12 ms, once per process),
    which ``oxi analyze --no-report`` would pay for three medians. Selection by
    ``numpy.partition`` gives the same middle values, and the mean of two is computed as
    numpy computes it.
    """
    a = np.array(values, dtype=np.float64).ravel()  # a copy: selection reorders it
    n = a.size
    if n == 0:
        raise ValueError("median of no values")
    if np.isnan(a).any():
        raise ValueError("median of values holding NaN")
    low, high = middle_values(a)
    return low if n % 2 else (low + high) / 2.0


def middle_values(values: NDArray[np.float64]) -> tuple[float, float]:
    """Return the lower and upper middle values of NaN-free ``values``, reordering them in place.

    Parameters
    ----------
    values : numpy.ndarray of float
        At least one value; partitioned in place around the middle ranks.

    Returns
    -------
    tuple of float
        The values of ranks ``(n - 1) // 2`` and ``n // 2`` (equal when ``n`` is odd).
    """
    n = values.size
    mid = ((n - 1) // 2, n // 2)
    values.partition(mid)
    return float(values[mid[0]]), float(values[mid[1]])
