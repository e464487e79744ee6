"""Placing time-stamped samples on a regular grid (SPEC §2.2).

Exports give one wall-clock time stamp per row. The sampling interval is the median step between
time stamps; each row goes to the grid slot nearest its time, and slots without a row stay NaN
(gaps are kept, never filled). Local wall-clock times may cross a daylight-saving change at
night: one backward jump of an hour is the autumn change (later rows move one hour later), a
forward jump of an hour is the spring change (kept as a gap). Any other backward step is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._base import MAX_DURATION_S, MAX_FS_HZ, MAX_SAMPLES, MIN_FS_HZ

__all__ = ["Grid", "TimeAxisError", "place_on_grid"]

_HOUR = 3600.0
_DAY = 86400.0
#: Longest time axis accepted from a text export; longer means a wrong time column.
MAX_SPAN_S = MAX_DURATION_S


class TimeAxisError(ValueError):
    """The time stamps cannot be turned into a regular time axis (reason in the message)."""


@dataclass(frozen=True)
class Grid:
    """Where each row goes on a regular time axis.

    Parameters
    ----------
    index : numpy.ndarray
        Grid slot of each row (int64); -1 for a row dropped as a duplicate of an earlier one.
    n : int
        Number of grid slots.
    step_s : float
        The sampling interval in seconds (median step between time stamps).
    warnings : tuple of str
        Daylight-saving changes, gaps, duplicate time stamps.
    """

    index: NDArray[np.int64]
    n: int
    step_s: float
    warnings: tuple[str, ...]

    @property
    def fs(self) -> float:
        """Sampling rate in Hz."""
        return 1.0 / self.step_s

    def fill(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Return ``values`` (one per row) on the grid, NaN where no row landed."""
        out = np.full(self.n, np.nan)
        keep = self.index >= 0
        out[self.index[keep]] = values[keep]
        return out


def _clock(seconds: float) -> str:
    s = round(seconds) % int(_DAY)
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def place_on_grid(
    elapsed_s: NDArray[np.float64], *, time_of_day_only: bool, clock0_s: float = 0.0
) -> Grid:
    """Map time stamps (seconds from the first row, wall clock) onto a regular grid.

    Parameters
    ----------
    elapsed_s : numpy.ndarray
        Wall-clock seconds of each row relative to the first row (or seconds from the start as
        the file gives them), in file order.
    time_of_day_only : bool
        True when the file holds times of day without dates: a backward jump of nearly a day
        is then midnight, not a step back in time.
    clock0_s : float, optional
        Seconds after midnight of the first row, used only to word warnings.

    Returns
    -------
    Grid
        Slot of each row, number of slots, step and warnings.

    Raises
    ------
    TimeAxisError
        When time goes backwards (other than one autumn daylight-saving change), does not
        advance, spans more than a week, gives a rate outside 0.01-1000 Hz, or
        would need more grid slots than one channel may hold.
    """
    t = np.asarray(elapsed_s, dtype=np.float64).copy()
    warnings: list[str] = []
    if t.size < 2:
        raise TimeAxisError(f"only {t.size} time-stamped row(s); cannot infer a sampling rate")
    if not np.isfinite(t).all():
        raise TimeAxisError("a time stamp is not a finite number")

    d = np.diff(t)
    if time_of_day_only:
        wraps = d < -12 * _HOUR
        if wraps.any():
            t[1:] += _DAY * np.cumsum(wraps)
            d = np.diff(t)
    pos = d[d > 0]
    if pos.size == 0:
        raise TimeAxisError("time stamps do not advance (every row has the same time)")
    step = float(np.median(pos))
    step = round(step, 6) or step
    tol = max(3 * step, 60.0)
    back = np.flatnonzero(d < 0)
    if back.size:
        k = int(back[0])
        autumn = back.size == 1 and 0 <= d[k] + _HOUR <= tol
        if not autumn:
            raise TimeAxisError(
                f"time goes backwards at data row {k + 2} ({_clock(clock0_s + t[k])} -> "
                f"{_clock(clock0_s + t[k + 1])}); only a single 1-hour step back (the autumn "
                "daylight-saving change) is accepted"
            )
        t[k + 1 :] += _HOUR
        warnings.append(
            f"clock went back 1 h at {_clock(clock0_s + t[k])} (autumn daylight-saving change); "
            "later samples placed 1 h later"
        )
        d = np.diff(t)
    spring = np.flatnonzero((d >= _HOUR) & (d <= _HOUR + tol))
    for k in spring[:3]:
        warnings.append(
            f"clock jumped forward 1 h at {_clock(clock0_s + t[k])} (spring daylight-saving "
            "change?); kept as a 1-hour gap"
        )
    if not MIN_FS_HZ <= 1 / step <= MAX_FS_HZ:
        raise TimeAxisError(
            f"the time stamps are {step:.3g} s apart (median step), a rate of {1 / step:.3g} Hz "
            f"outside {MIN_FS_HZ:g}-{MAX_FS_HZ:g} Hz (wrong time column or unit?)"
        )
    if t[-1] > MAX_SPAN_S:
        raise TimeAxisError(
            f"time stamps span {t[-1] / _DAY:.1f} days; more than {MAX_SPAN_S / _DAY:.0f} days "
            "is not a recording (wrong time column?)"
        )
    if t[-1] / step >= MAX_SAMPLES:
        raise TimeAxisError(
            f"{t[-1]:g} s at one sample every {step:g} s needs {t[-1] / step:.3g} samples, more "
            f"than the {MAX_SAMPLES} one channel may hold"
        )
    index = np.rint(t / step).astype(np.int64)
    n = int(index[-1]) + 1
    # Duplicate slots (repeated time stamps): keep the first row, drop the rest.
    order = np.argsort(index, kind="stable")
    sorted_idx = index[order]
    dup = np.zeros(index.size, dtype=bool)
    dup[order[1:]] = sorted_idx[1:] == sorted_idx[:-1]
    if dup.any():
        warnings.append(
            f"{int(dup.sum())} row(s) share a time slot with an earlier row; the first was kept"
        )
        index = np.where(dup, -1, index)
    n_gap_slots = n - int((~dup).sum())
    if n_gap_slots > 0:
        gaps = int(np.sum(np.diff(t) > 1.5 * step))
        warnings.append(
            f"{gaps} gap(s) in the time stamps ({n_gap_slots * step / 60:.1f} min in all) kept as "
            "missing data"
        )
    return Grid(index=index, n=n, step_s=step, warnings=tuple(warnings))
