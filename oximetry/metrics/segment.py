"""SPEC §6 figures for an exercise-test segment: median, nadir, sustained nadir."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..artifact import _back_to, _gap_falls, fall_lag, lag_limit, lag_windows
from ..results import SegmentMetrics
from .pulse import pulse_stats
from .runs import check_arrays, check_fs, sample_minutes, samples_at_least, sliding_max

__all__ = ["SUSTAINED_NADIR_S", "edge_runs", "summarize_segment"]

#: SpO2 must stay at or below the sustained nadir for at least this long (SPEC §6).
SUSTAINED_NADIR_S = 10.0


def summarize_segment(
    x: ArrayLike,
    valid: ArrayLike,
    in_window: ArrayLike,
    fs: float,
    *,
    pulse_values: ArrayLike | None = None,
    max_step_pts_per_s: float = 4.0,
    within_pts: float = 4.0,
    instant_fall: NDArray[np.bool_] | None = None,
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
    max_step_pts_per_s, within_pts : float
        What an instant step and a return to a level are (SPEC §4.3's implausible fall; the
        analysis passes ``ArtifactSettings.max_fall_pts_per_s`` and ``recover_within_pts``):
        they find the low runs that rest on an artifact's edge (:func:`edge_runs`).
    instant_fall : numpy.ndarray of bool, optional
        The samples the artifact rules flagged as an implausible fall (SPEC §4.3), passed to
        :func:`edge_runs`.

    Returns
    -------
    SegmentMetrics
        ``median_pct``, ``nadir_pct`` (+ ``nadir_s``) over the valid samples of the segment,
        and ``sustained_nadir_pct``: the lowest level SpO2 stayed at or below for at least
        10 s, i.e. the minimum over every run of ``ceil(10 × fs)`` consecutive samples, all
        valid, in the segment and on no low run resting on an artifact's edge
        (:func:`edge_runs`), of the run's maximum. None when no such run exists.
        ``sustained_nadir_low_pct``: the same minimum over every run of that length between
        the segment's first and last valid sample, each run's maximum taken over its valid
        samples only. Where artifact breaks the runs the true level is unknown; this is its
        lower bound (the nadir ≤ it ≤ ``sustained_nadir_pct``, the upper bound), for rules
        that need SpO2 shown high (an improvement on oxygen, a rest value ≥ 89 %). None when
        the valid samples span less than 10 s. Its runs do take the edge runs' samples: where
        a low run rests on an artifact's edge the level is unknown too, and lies between the
        two bounds.
        ``sustained_nadir_elapsed_s``: seconds from the segment's first sample to the end of
        the first such run whose maximum rounds to the sustained nadir's rounded value (when
        the segment had shown the low the rules read);
        ``valid_elapsed_s``: to the end of its last valid sample (how far into the segment
        its data reach); ``covered_elapsed_s``: to the end of the last valid sample before the
        segment's first stretch of ``ceil(10 × fs)`` samples or more without a valid one,
        counted from the segment's first sample (how far its data reach unbroken: every 10 s
        run up to there holds a valid sample, so the lower bound sees its level; 0 when the
        segment begins with such a stretch; ``valid_elapsed_s`` when it holds none). None
        without a sustained nadir, or without valid samples.

    Notes
    -----
    SPEC §6. Values are unrounded; rules round them like any reading. The sliding maximum is
    ``scipy.ndimage.maximum_filter1d`` (:func:`oximetry.metrics.runs.sliding_max`).
    """
    fs = check_fs(fs)
    xs, ok, w = check_arrays(x, valid, in_window)
    sel = ok & w & np.isfinite(xs)
    n_valid = int(np.count_nonzero(sel))
    median = nadir = nadir_s = sustained = low = sustained_at = valid_at = covered_at = None
    if n_valid:
        where = np.flatnonzero(sel)
        values = xs[where]
        i_min = int(np.argmin(values))
        nadir = float(values[i_min])
        nadir_s = int(where[i_min]) / fs
        median = float(np.median(values))
        width = max(samples_at_least(SUSTAINED_NADIR_S, fs), 1)
        lo, hi = int(where[0]), int(where[-1]) + 1
        first = int(np.argmax(w))  # the segment's first sample: elapsed times count from it
        valid_at = (hi - first) / fs
        # How far the data reach without a stretch long enough to hold a whole 10 s run: a walk
        # on oxygen at 95 % for 3 min, its probe off from then to one sample in its last second,
        # reached 360 s and "showed the improvement" over a room-air walk that fell to 86 % at
        # 304 s (hunt 12). The lower bound skips a run with no valid sample, so such a stretch
        # may hold any level. The segment's start counts as a valid sample's end.
        edges = np.concatenate(([first - 1], where))
        holes = np.flatnonzero(np.diff(edges) - 1 >= width)
        covered_at = (int(edges[holes[0]]) + 1 - first) / fs if holes.size else valid_at
        edge = edge_runs(
            xs, ok & np.isfinite(xs), fs, lo, hi, max_step_pts_per_s, within_pts, instant_fall
        )
        # A probe that slipped (an instant fall to 84 %, flagged 30 s, then the level accepted
        # by SPEC §4.3) and came back 15 s later set a walk's sustained nadir of 84 % that
        # qualified exercise oxygen; so did the oximeter's first 12 s at 82 % while it picked
        # up: runs on such a low are not evidence of it (the lower bound below keeps them).
        span = np.where(sel[lo:hi] & ~edge, xs[lo:hi], np.inf)
        maxima = sliding_max(span, width)
        if maxima.size and np.isfinite(maxima.min()):
            sustained = float(maxima.min())
            # the first run at it as the rules read it (rounded): with noise the lowest run of
            # a walk at 86 % for 2 min lay 44 s after the walk first held 86 %
            at = int(np.argmax(maxima < math.floor(sustained + 0.5) + 0.5))
            sustained_at = (lo + at + width - first) / fs
        # the same runs over the valid samples only; a run holding none has no level (-inf)
        lows = sliding_max(np.where(sel[lo:hi], xs[lo:hi], -np.inf), width)
        lows = lows[np.isfinite(lows)]
        if lows.size:
            low = float(lows.min())
    p_min, p_mean, p_max = pulse_stats(pulse_values)
    return SegmentMetrics(
        duration_min=sample_minutes(int(np.count_nonzero(w)), fs),
        valid_min=sample_minutes(n_valid, fs),
        median_pct=median,
        nadir_pct=nadir,
        nadir_s=nadir_s,
        sustained_nadir_pct=sustained,
        sustained_nadir_low_pct=low,
        sustained_nadir_elapsed_s=sustained_at,
        valid_elapsed_s=valid_at,
        covered_elapsed_s=covered_at,
        pulse_min_bpm=p_min,
        pulse_mean_bpm=p_mean,
        pulse_max_bpm=p_max,
    )


def edge_runs(
    x: NDArray[np.float64],
    ok: NDArray[np.bool_],
    fs: float,
    lo: int,
    hi: int,
    max_step_pts_per_s: float = 4.0,
    within_pts: float = 4.0,
    instant_fall: NDArray[np.bool_] | None = None,
) -> NDArray[np.bool_]:
    """Return which samples of ``x[lo:hi]`` lie on a low run resting on an artifact's edge.

    Parameters
    ----------
    x : numpy.ndarray of float
        SpO2 in percent, the whole recording.
    ok : numpy.ndarray of bool
        Its valid (and finite) samples.
    fs : float
        Sampling rate in Hz.
    lo, hi : int
        The samples asked about, ``lo`` and ``hi - 1`` valid.
    max_step_pts_per_s, within_pts : float
        An instant step is more than ``max_step_pts_per_s × max(Δt, 1 s)`` points between
        consecutive valid samples (Δt the time between them), or above 1 Hz between a valid
        sample and the valid one :func:`~oximetry.artifact.fall_lag` samples (about 1 s) before
        it, with :data:`~oximetry.artifact.LAG_STEP_ALLOWANCE_PTS` (one display step) more; a
        level is back when within ``within_pts`` of it (SPEC §4.3's implausible fall).
    instant_fall : numpy.ndarray of bool, optional
        The samples flagged as an implausible fall (the fall rule's own finding that the fall
        was instant); None: none known.

    Returns
    -------
    numpy.ndarray of bool
        One flag per sample of ``x[lo:hi]``. A low run rests on an artifact's edge when

        * it begins where valid data resume more than ``within_pts`` below the last valid
          sample before them, and the fall was instant: the samples between were flagged as
          an implausible fall (a slipped probe's, flagged until the rule accepts the new
          level), or the step is instant across the gap itself (more than
          ``max_step_pts_per_s`` per second of it): the samples from there while they stay
          that low. A walk that fell 5 points during a 30-s motion dropout (rows missing) was
          held open as a slip;
        * above 1 Hz, it begins with a sample an instant step below the valid sample about 1 s
          before it (a fall spread over samples, which the fall rule does not flag): the samples
          from there while they stay more than ``within_pts`` below that sample;
        * it ends in an instant rise: the samples before the rise, back to the first valid one
          within ``within_pts`` of the level it rose to (a probe put back, a reading that
          settles after pick-up; the recording's first samples have nothing before them, so
          only their end shows them).

        A run stops at invalid samples (SPEC §7). A gradual fall, a walk that ends low and a
        gradual recovery are no edge.

    Notes
    -----
    SPEC §4.3 flags an instant fall for at most 30 s and flags no rise (a resaturation after an
    apnea can be that fast): that keeps a night's figures, but in a rest or exercise test of
    minutes a 10 s run at such a level decides the finding alone. Only the valid islands that
    hold ``lo`` and ``hi - 1``, those between, and the valid sample either side are read;
    candidates are visited in order (they are rare: each is an instant step), each resolving its
    run with a vectorised search.
    """
    n = x.shape[0]
    out = np.zeros(hi - lo, dtype=bool)
    # the valid islands holding lo .. hi - 1, and the last / first valid sample beyond them
    gaps = np.flatnonzero(~ok[:lo])
    a = int(gaps[-1]) + 1 if gaps.size else 0
    gaps = np.flatnonzero(~ok[hi:])
    b = hi + int(gaps[0]) if gaps.size else n
    before = np.flatnonzero(ok[:a])
    after = np.flatnonzero(ok[b:])
    # and those of the two seconds before the first island, from which its steps are measured
    # above 1 Hz: read from its last one only, a fall spread across a dropout of 0.12 s at 25 Hz
    # just before a segment was missed
    lag = fall_lag(fs)
    span = max(lag_windows(fs))
    first = min(int(np.searchsorted(before, a - span)), max(before.size - 1, 0))
    parts = [before[first:], np.flatnonzero(ok[a:b]) + a, after[:1] + b]
    idx = np.concatenate(parts)
    if idx.size < 2:
        return out
    v = x[idx]
    step = np.diff(idx)
    # island[k]: which valid island idx[k] is in (a new one after every invalid stretch)
    island = np.concatenate(([0], np.cumsum(step > 1)))
    marked = np.zeros(idx.size, dtype=bool)
    rise = np.flatnonzero(np.diff(v) > max_step_pts_per_s * np.maximum(step / fs, 1.0)) + 1
    # Above 1 Hz a step is also measured over about a second (fall_lag), from the valid sample
    # that far back: consecutive samples at 25 Hz allow 4 points per 0.04 s, and a probe slip
    # from 94 to 84 % over 1 s, 40 s there and back over 1 s, qualified a rest test (hunt 10).
    lag_at = lag_ref = np.empty(0, dtype=np.intp)
    falls_gap: list[tuple[int, float]] = []
    if lag > 1:
        ats, refs = [], []
        for d in lag_windows(fs):  # 1-2 s, as the review of falls
            back = np.searchsorted(idx, idx - d)
            at_d = np.flatnonzero(idx[np.minimum(back, idx.size - 1)] == idx - d)
            ref_d = back[at_d]
            change = v[at_d] - v[ref_d]
            # one display step more than the SPEC's limit (LAG_STEP_ALLOWANCE_PTS): a 1-s window
            # of a genuine fall shown in whole percents often holds two updates (2 + 3 points)
            limit = lag_limit(d / fs, max_step_pts_per_s)
            rise = np.union1d(rise, at_d[change > limit])
            down = (-change > limit) & (-change > within_pts)
            ats.append(at_d[down])
            refs.append(ref_d[down])
        lag_at, lag_ref = np.concatenate(ats), np.concatenate(refs)
        back = np.searchsorted(idx, idx - lag)
        # where the valid sample a second back is missing (a dropout of a second or more), from
        # the valid samples of the second before the dropout: a fall of 3.99 points, 1 s
        # missing, 4.13 and 3.99 (12 points in 1.12 s) was no edge (review 5 of hunt 10)
        gap = np.flatnonzero(idx[np.minimum(back, idx.size - 1)] != idx - lag)
        gap = gap[idx[gap] >= lag]
        if gap.size:
            known = np.concatenate((before[:first], idx))  # every valid sample up to idx's
            pos = np.searchsorted(known, idx[gap] - lag) - 1
            gap, pos = gap[pos >= 0], pos[pos >= 0]
            # compared as the steps above, without the fall rule's 1e-9 (which keeps a fall of
            # the limit itself out of a flag's 30 s): 94 -> 85.6 over 1.1 s across a dropout,
            # 8.400000000000006 points, was no edge where a fall as close to the limit over 1 s
            # is one; a tie must not take a test's low run out of doubt (hunt 14)
            fell, src = _gap_falls(
                x, ok, fs, lag, max_step_pts_per_s, idx[gap], known[pos], tie_pts=0.0
            )
            falls_gap = list(zip(gap[fell].tolist(), x[src].tolist(), strict=True))
    for k in rise[::-1].tolist():
        if marked[k - 1]:
            continue  # inside a later rise's run: its own run is part of that one
        start = int(np.searchsorted(island, island[k - 1]))
        marked[_back_to(v, start, k, v[k] - within_pts) : k] = True
    resume = np.flatnonzero(step > 1) + 1
    drop = v[resume - 1] - v[resume]
    instant = drop > max_step_pts_per_s * np.maximum(step[resume - 1] / fs, 1.0)
    if instant_fall is not None:
        flagged = np.concatenate(([0], np.cumsum(instant_fall, dtype=np.int64)))
        # a fall-flagged sample in the gap before the resume: the fall rule found it instant
        instant |= flagged[idx[resume]] > flagged[idx[resume - 1] + 1]
    starts = resume[(drop > within_pts) & instant]
    falls = [(k, v[k - 1]) for k in starts.tolist()]
    falls += list(zip(lag_at.tolist(), v[lag_ref].tolist(), strict=True))
    falls += falls_gap
    for k, ref in falls:
        level = ref - within_pts
        end = int(np.searchsorted(island, island[k], side="right"))
        high = np.flatnonzero(v[k:end] >= level)
        m = k + int(high[0]) if high.size else end
        marked[k:m] = True
    keep = marked & (idx >= lo) & (idx < hi)
    out[idx[keep] - lo] = True
    return out
