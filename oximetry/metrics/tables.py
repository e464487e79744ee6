"""The tables clinicians expect beside the SPEC §7 figures (docs/validation.md §1, "Tables").

Pure, vectorised functions of arrays and a sampling rate:

- :func:`saturation_bands` — minutes of valid data in each SpO2 band (≥ 95, 90–94, 85–89,
  80–84, 70–79, < 70), on the rounded value ``r = floor(x + 0.5)``;
- :func:`desaturation_summary` — count, mean and lowest nadir, mean and longest duration of the
  ODI events of a window;
- :func:`pulse_events` — runs of at least 10 s of pulse above 100 bpm (tachycardia) or below
  50 bpm (bradycardia);
- :func:`odi_by_hour` — ODI3 / ODI4 per hour of valid time, hour by hour;
- :func:`stage_figures` — with sleep staging: the main figures for NREM and REM sleep.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..results import Event
from ..spans import find_runs, span_indices
from .runs import extent, rounded_below, sample_minutes, samples_at_least

__all__ = [
    "BANDS",
    "PULSE_EVENT_MIN_S",
    "PULSE_HIGH_BPM",
    "PULSE_LOW_BPM",
    "desaturation_summary",
    "odi_by_hour",
    "pulse_events",
    "saturation_bands",
    "stage_figures",
]

#: SpO2 bands as (label, lowest rounded value, highest rounded value); inclusive edges on r.
BANDS: tuple[tuple[str, int, int], ...] = (
    ("95-100", 95, 100),
    ("90-94", 90, 94),
    ("85-89", 85, 89),
    ("80-84", 80, 84),
    ("70-79", 70, 79),
    ("<70", 0, 69),
)
#: Pulse events: a run of valid pulse above PULSE_HIGH_BPM or below PULSE_LOW_BPM lasting at
#: least PULSE_EVENT_MIN_S seconds.
PULSE_HIGH_BPM = 100.0
PULSE_LOW_BPM = 50.0
PULSE_EVENT_MIN_S = 10.0


def saturation_bands(
    x: NDArray[np.float64], sel: NDArray[np.bool_], fs: float
) -> tuple[dict[str, Any], ...]:
    """Return minutes and percent of valid time in each SpO2 band of :data:`BANDS`.

    Parameters
    ----------
    x : numpy.ndarray of float
        SpO2 in percent.
    sel : numpy.ndarray of bool
        The samples counted (valid ∧ window); NaN samples are never counted.
    fs : float
        Sampling rate in Hz.

    Returns
    -------
    tuple of dict
        One per band, in :data:`BANDS` order: ``band`` (label), ``lo_pct`` and ``hi_pct``
        (inclusive edges on the rounded value r = floor(x + 0.5)), ``minutes`` (samples × 1/fs /
        60) and ``pct`` (of the counted samples; None when there are none). The bands partition
        the counted samples: their minutes add up to the valid minutes.
    """
    ok = sel & np.isfinite(x)
    n = int(np.count_nonzero(ok))
    values = x[ok]
    # Counted samples with r below each band's lowest value, once per distinct edge; a band's
    # count is the difference of its two edges' counts, so the bands partition the samples.
    edges = sorted({lo for _, lo, _ in BANDS} | {hi + 1 for _, _, hi in BANDS if hi < 100})
    below = {e: int(np.count_nonzero(rounded_below(values, e))) for e in edges}
    below[101] = n  # r above 100 cannot be valid, but never lose a sample
    out = []
    for label, lo, hi in BANDS:
        count = below[hi + 1] - below[lo]
        out.append(
            {
                "band": label,
                "lo_pct": lo,
                "hi_pct": hi,
                "minutes": sample_minutes(count, fs),
                "pct": None if n == 0 else 100.0 * count / n,
            }
        )
    return tuple(out)


def desaturation_summary(events: Iterable[Event], fs: float) -> dict[str, Any]:
    """Summarise desaturation events (one ODI type of one window).

    Parameters
    ----------
    events : iterable of Event
        The events (e.g. the ODI3 events assigned to the window).
    fs : float
        The rate they were detected at: each lasts whole samples
        (:meth:`~oximetry.results.Event.duration_at`).

    Returns
    -------
    dict
        ``count``; ``mean_nadir_pct`` and ``lowest_nadir_pct`` (of the events' nadirs);
        ``mean_drop_pct`` (mean of baseline − nadir); ``mean_duration_s`` and
        ``longest_duration_s``. Figures are None when there is no event.
    """
    evs = list(events)
    nadirs = np.array([e.nadir_pct for e in evs if e.nadir_pct is not None], dtype=np.float64)
    drops = np.array([e.drop_pct for e in evs if e.drop_pct is not None], dtype=np.float64)
    durations = np.array([e.duration_at(fs) for e in evs], dtype=np.float64)
    return {
        "count": len(evs),
        "mean_nadir_pct": float(nadirs.mean()) if nadirs.size else None,
        "lowest_nadir_pct": float(nadirs.min()) if nadirs.size else None,
        "mean_drop_pct": float(drops.mean()) if drops.size else None,
        "mean_duration_s": float(durations.mean()) if durations.size else None,
        "longest_duration_s": float(durations.max()) if durations.size else None,
    }


def pulse_events(p: NDArray[np.float64], ok: NDArray[np.bool_], fs: float) -> dict[str, Any]:
    """Count runs of high and low pulse rate.

    Parameters
    ----------
    p : numpy.ndarray of float
        Pulse rate in bpm at the pulse channel's rate.
    ok : numpy.ndarray of bool
        Valid pulse samples inside the window (an invalid sample breaks a run).
    fs : float
        The pulse channel's rate in Hz.

    Returns
    -------
    dict
        ``high_bpm`` / ``low_bpm`` (the thresholds, :data:`PULSE_HIGH_BPM` and
        :data:`PULSE_LOW_BPM`), ``min_s`` (:data:`PULSE_EVENT_MIN_S`), ``high_count`` and
        ``high_min`` (runs of ``p > high_bpm`` lasting at least ``min_s`` and their total
        minutes), ``low_count`` and ``low_min`` (the same for ``p < low_bpm``).
    """
    need = max(1, samples_at_least(PULSE_EVENT_MIN_S, fs))
    out: dict[str, Any] = {
        "high_bpm": PULSE_HIGH_BPM,
        "low_bpm": PULSE_LOW_BPM,
        "min_s": PULSE_EVENT_MIN_S,
    }
    lo, hi = extent(ok)  # runs lie inside the valid samples' extent (a window of a night)
    p, ok = p[lo:hi], ok[lo:hi]
    with np.errstate(invalid="ignore"):
        masks = {"high": ok & (p > PULSE_HIGH_BPM), "low": ok & (p < PULSE_LOW_BPM)}
    for name, mask in masks.items():
        starts, ends = find_runs(mask)
        lengths = ends - starts
        long_enough = lengths >= need
        out[f"{name}_count"] = int(np.count_nonzero(long_enough))
        out[f"{name}_min"] = sample_minutes(int(lengths[long_enough].sum()), fs)
    return out


def odi_by_hour(
    sel: NDArray[np.bool_],
    odi3_starts_s: Sequence[float],
    odi4_starts_s: Sequence[float],
    fs: float,
    first_s: float,
    span_s: float = 3600.0,
) -> tuple[dict[str, Any], ...]:
    """Return ODI3 and ODI4 hour by hour.

    Parameters
    ----------
    sel : numpy.ndarray of bool
        Valid samples of the window (the denominator).
    odi3_starts_s, odi4_starts_s : sequence of float
        Start times (s) of the window's ODI3 and ODI4 events.
    fs : float
        Sampling rate in Hz.
    first_s : float
        Start of the first hour, in seconds from the recording start (≤ 0; negative when
        hours are aligned to the clock, as the report's strips are).
    span_s : float
        Length of one row (3600 s).

    Returns
    -------
    tuple of dict
        One per hour holding valid data or an event: ``start_s``, ``end_s``, ``valid_min``,
        ``odi3_count``, ``odi3_per_h``, ``odi4_count``, ``odi4_per_h`` (rates per hour of the
        hour's valid time; None when it has none). Counts add up to the window's counts.
    """
    n = sel.shape[0]
    n_rows = max(1, math.ceil((n / fs - first_s) / span_s))
    edges = first_s + span_s * np.arange(n_rows + 1)
    # Sample i lies in row k when edges[k] <= i / fs < edges[k + 1] (spans.span_indices, the
    # rule the report's hour strips use).
    rows = [span_indices(edges[k], edges[k + 1], fs, n) for k in range(n_rows)]
    valid_counts = np.array([np.count_nonzero(sel[i0:i1]) for i0, i1 in rows], dtype=np.int64)

    # An event belongs to the row of its start sample, found by the same rule (comparing its
    # time with the edges would put a sample at exactly an edge, i / fs a hair below it in
    # floats, in the hour before the one that counts its valid time).
    row_first = np.array([i0 for i0, _ in rows], dtype=np.int64)

    def per_row(starts: Sequence[float]) -> NDArray[np.int64]:
        i = np.ceil(np.asarray(starts, dtype=np.float64) * fs - 1e-9).astype(np.int64)
        k = np.searchsorted(row_first, i, "right") - 1
        k = k[(k >= 0) & (i >= 0) & (i < n)]
        return np.bincount(k, minlength=n_rows)[:n_rows]

    c3, c4 = per_row(odi3_starts_s), per_row(odi4_starts_s)
    out = []
    for k in range(n_rows):
        v = int(valid_counts[k])
        if v == 0 and c3[k] == 0 and c4[k] == 0:
            continue
        hours = v / fs / 3600.0
        out.append(
            {
                "start_s": float(edges[k]),
                "end_s": float(edges[k + 1]),
                "valid_min": sample_minutes(v, fs),
                "odi3_count": int(c3[k]),
                "odi3_per_h": None if v == 0 else int(c3[k]) / hours,
                "odi4_count": int(c4[k]),
                "odi4_per_h": None if v == 0 else int(c4[k]) / hours,
            }
        )
    return tuple(out)


def stage_figures(
    x: NDArray[np.float64],
    sel: NDArray[np.bool_],
    in_stage: NDArray[np.bool_],
    fs: float,
    odi3_starts_s: Sequence[float],
    odi4_starts_s: Sequence[float],
) -> dict[str, Any]:
    """Return the main figures of one sleep stage group (NREM or REM).

    Parameters
    ----------
    x : numpy.ndarray of float
        SpO2 in percent.
    sel : numpy.ndarray of bool
        Valid samples (artifact mask).
    in_stage : numpy.ndarray of bool
        The samples scored in the stage group.
    fs : float
        Sampling rate in Hz.
    odi3_starts_s, odi4_starts_s : sequence of float
        Start times (s) of ODI3 / ODI4 events; those whose start sample is in the stage count.

    Returns
    -------
    dict
        ``duration_min`` (scored time in the recording), ``valid_min``, ``t_le88_min``,
        ``t_le88_pct`` and ``t_lt90_min`` (on r, percent of ``valid_min``), ``nadir_pct``,
        ``mean_pct``, ``odi3_count``/``odi3_per_h`` and ``odi4_count``/``odi4_per_h`` (per hour
        of ``valid_min``). Figures needing valid data are None without any.
    """
    use = sel & in_stage & np.isfinite(x)
    values = x[use]
    n = values.size
    n_le88 = int(np.count_nonzero(rounded_below(values, 89)))
    hours = n / fs / 3600.0

    def count(starts: Sequence[float]) -> int:
        i = np.ceil(np.asarray(starts, dtype=np.float64) * fs - 1e-9).astype(np.int64)
        i = i[(i >= 0) & (i < in_stage.shape[0])]
        return int(np.count_nonzero(in_stage[i]))

    c3, c4 = count(odi3_starts_s), count(odi4_starts_s)
    return {
        "duration_min": sample_minutes(int(np.count_nonzero(in_stage)), fs),
        "valid_min": sample_minutes(n, fs),
        "t_le88_min": sample_minutes(n_le88, fs),
        "t_le88_pct": None if n == 0 else 100.0 * n_le88 / n,
        "t_lt90_min": sample_minutes(int(np.count_nonzero(rounded_below(values, 90))), fs),
        "nadir_pct": float(values.min()) if n else None,
        "mean_pct": float(values.mean()) if n else None,
        "odi3_count": c3,
        "odi3_per_h": None if n == 0 else c3 / hours,
        "odi4_count": c4,
        "odi4_per_h": None if n == 0 else c4 / hours,
    }
