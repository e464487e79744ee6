"""``analyze(recording, settings) -> Analysis``: artifacts, windows, baseline, metrics, events.

Pure: arrays in, frozen dataclasses out; nothing is read, written or printed. The steps follow
the SPEC: artifact rejection (§4), windows and the awake baseline (§5, §6), the §7 figures for
every window, then every event in time order.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from .artifact import REASONS, detect_artifacts
from .errors import InsufficientDataError, RecordingFormatError
from .limits import MAX_DURATION_S, MAX_FS_HZ, MIN_FS_HZ
from .metrics import awake_baseline, summarize_segment, summarize_window, tables
from .metrics.odi import detect_desaturations_at
from .metrics.runs import sample_minutes, samples_at_least
from .model import Recording
from .results import Analysis, Event, SegmentMetrics, Window, WindowMetrics
from .settings import SEGMENT_NAMES, AnalysisSettings
from .spans import span_indices, spans_mask
from .windows import (
    SLEEP_STAGES,
    WindowPlan,
    annotation_kind,
    baseline_window_for,
    build_windows,
    lights_out_spans,
    oxygen_mark_flows,
    oxygen_marks,
    spo2_artifact_spans,
    staged_spans,
    window_mask,
)

__all__ = ["analyze"]

#: Window kinds that get the overnight (§7) figures.
OVERNIGHT_KINDS = ("sleep", "presumed_sleep", "awake", "presumed_awake")
#: When windows overlap, an event belongs to the first of these that holds its start.
_ASSIGN_ORDER = ("sleep", "presumed_sleep", "awake", "presumed_awake", *SEGMENT_NAMES)


def _pulse_valid(
    recording: Recording, valid: NDArray[np.bool_], settings: AnalysisSettings
) -> NDArray[np.bool_] | None:
    """Return, at the pulse channel's own rate, which pulse samples are valid.

    A pulse sample is valid when it is present, within the plausible range, and the SpO2
    sample at its time is valid. None without a pulse channel. A window's valid pulse samples
    are these ∧ the window's mask at the pulse rate.
    """
    pulse = recording.pulse
    if pulse is None:
        return None
    p = pulse.data
    n_p = p.shape[0]
    n = valid.shape[0]
    st = settings.artifact
    if n_p == n and pulse.fs == recording.fs:  # same grid: sample i is sample i
        spo2_ok = valid
    elif n:
        ratio = recording.fs / pulse.fs
        spo2_idx = np.minimum(np.floor(np.arange(n_p) * ratio + 1e-9), n - 1)
        spo2_ok = valid[spo2_idx.astype(np.int64)]
    else:
        spo2_ok = np.zeros(n_p, dtype=bool)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(p) & (p >= st.pulse_min_bpm) & (p <= st.pulse_max_bpm)
    ok &= spo2_ok
    return ok


def _in_mask(events: Sequence[Event], mask: NDArray[np.bool_], fs: float) -> list[Event]:
    """Return the events whose start sample lies in ``mask`` (as the window ODI counts them)."""
    if not events:
        return []
    idx = np.rint(np.array([e.start_s for e in events]) * fs).astype(np.int64)
    n = mask.shape[0]
    inside = (idx >= 0) & (idx < n)
    keep = np.zeros(len(events), dtype=bool)
    keep[inside] = mask[idx[inside]]
    return [e for e, k in zip(events, keep.tolist(), strict=True) if k]


def _hour_origin(recording: Recording) -> float:
    """Start of the first hour row: the clock hour holding the first sample (0 without a clock)."""
    s = recording.start
    if not recording.clock_known:
        return 0.0  # seconds from the start only: elapsed hours
    return -float(s.minute * 60 + s.second + s.microsecond / 1e6)


def _tables(
    recording: Recording,
    wm: WindowMetrics,
    sel: NDArray[np.bool_],
    pulse_ok: NDArray[np.bool_] | None,
    odi: tuple[list[Event], list[Event]],
    staging: tuple[tuple[float, float, str], ...],
) -> WindowMetrics:
    """Add the tables of :mod:`oximetry.metrics.tables` to a window's figures."""
    x, fs = recording.spo2.data, recording.fs
    odi3, odi4 = odi
    s3 = [e.start_s for e in odi3]
    s4 = [e.start_s for e in odi4]
    pev = None
    if recording.pulse is not None and pulse_ok is not None:
        pev = tables.pulse_events(recording.pulse.data, pulse_ok, recording.pulse.fs)
    stage_block = None
    if staging:
        stage_block = _stage_block(recording, sel, staging, s3, s4)
    return replace(
        wm,
        saturation_bands=tables.saturation_bands(x, sel, fs),
        desaturations={
            "odi3": tables.desaturation_summary(odi3, fs),
            "odi4": tables.desaturation_summary(odi4, fs),
        },
        pulse_events=pev,
        odi_by_hour=tables.odi_by_hour(sel, s3, s4, fs, _hour_origin(recording)),
        staging=stage_block,
    )


def _stage_mask(
    staging: tuple[tuple[float, float, str], ...],
    stages: Sequence[str],
    n: int,
    fs: float,
    *,
    whole: bool = True,
) -> NDArray[np.bool_]:
    """Return the samples scored in one of ``stages``.

    Wholly inside their epochs, as the sleep and wake windows hold them; with ``whole=False``,
    by their start time, as a segment takes its samples.
    """
    epochs = [(o, o + d) for o, d, st in staging if st in stages]
    spans = staged_spans(epochs, fs, n / fs) if whole else tuple(epochs)
    return window_mask(Window("stage", "staging", spans), n, fs)


def _stage_block(
    recording: Recording,
    valid: NDArray[np.bool_],
    staging: tuple[tuple[float, float, str], ...],
    s3: list[float],
    s4: list[float],
) -> dict[str, object]:
    """Total sleep time, sleep efficiency and the NREM / REM figures of a staged night."""
    x, fs = recording.spo2.data, recording.fs
    n = x.shape[0]
    end_s = n / fs

    def mask(stages: tuple[str, ...]) -> NDArray[np.bool_]:
        return _stage_mask(staging, stages, n, fs)

    nrem, rem = mask(("N1", "N2", "N3", "N4")), mask(("R",))
    scored = mask(tuple({st for _, _, st in staging}))
    lo = max(0.0, min(o for o, _, _ in staging))
    hi = min(end_s, max(o + d for o, d, _ in staging))
    scored_min = max(0.0, hi - lo) / 60.0
    # the sleep window's samples: one across an N2/R boundary is asleep, in neither group
    tst = sample_minutes(int(np.count_nonzero(mask(SLEEP_STAGES))), fs)
    return {
        "total_sleep_min": tst,
        "scored_min": scored_min,
        "scored_epochs_min": sample_minutes(int(np.count_nonzero(scored)), fs),
        "sleep_efficiency_pct": None if scored_min == 0 else 100.0 * tst / scored_min,
        "nrem": tables.stage_figures(x, valid, nrem, fs, s3, s4),
        "rem": tables.stage_figures(x, valid, rem, fs, s3, s4),
    }


def _counted_runs(
    runs: Sequence[tuple[float, float, float]],
    figures: WindowMetrics | SegmentMetrics,
    drop_pts: float,
) -> list[tuple[float, float, float]]:
    """Return the constant runs (or plateaus) whose value a finding of this window could count.

    ``runs`` are ``(start_s, end_s, value_pct)``, the value the lowest. A test segment
    (minutes long) counts every run: ten minutes at one held value while
    resting or walking is itself suspect, and a held high value on oxygen would fake an
    improvement. An overnight window counts the runs at a level a sleep figure counts (rounding
    to 90 % or less, or more than ``drop_pts`` below the awake baseline or the window's mean):
    hours of steady normal saturation are physiology.
    """
    if isinstance(figures, SegmentMetrics):
        return list(runs)
    refs = [
        r
        for r in (figures.awake_baseline_pct, figures.mean_pct)
        if r is not None and math.isfinite(r)
    ]
    return [
        run
        for run in runs
        if math.floor(run[2] + 0.5) <= 90
        or any(math.floor(run[2] + 0.5) < math.floor(r + 0.5) - drop_pts for r in refs)
    ]


def _raise_mean_drop(
    spans: Sequence[tuple[float, float, float]],
    figures: WindowMetrics | SegmentMetrics,
    x: NDArray[np.float64],
    sel: NDArray[np.bool_],
    fs: float,
    drop_pts: float,
    mean: float | None = None,
) -> list[tuple[float, float, float]]:
    """Return the spans whose samples raise the window's mean enough to add drop minutes.

    ``spans`` are ``(start_s, end_s, value_pct)``; ``sel`` the valid samples of the window
    (``mean`` their mean, the window's figure when not given).
    Medicare's Group I-3 drop is measured below the window's mean (``drop5_from_mean_min``), so
    spans well above it may decide that figure: 90 min held at exactly 100 % in a night at 93 %
    raised its mean from 92.9 to 94.65 %, 8 min at 89 % became a drop of more than 5 points,
    and the night qualified (hunt 13), though :func:`_counted_runs` takes out only the spans at
    a level a figure counts. The spans are judged together: a span is a candidate when its level
    (its lowest value) rounds more than ``drop_pts`` above the mean of the rest of the window
    without every candidate (all spans above the mean at first, those no longer above the rest
    let back in until none is: judged one by one, ten runs of 14 min at 100 % each left the
    others in the mean and the night qualified, hunt 13; hours of steady normal saturation
    raise the mean of a night whose dips they frame, and are physiology: a candidate at first
    rounds more than ``drop_pts`` above the window's median or the rest of it without the span
    alone, so that the rest is never a dip the hours of a night held at its own level frame).
    The candidates are returned when some valid sample of the window outside them is below the
    limit (value and rounded value, as the figure counts) with them in the mean and not without
    them.
    """
    if not spans or not isinstance(figures, WindowMetrics) or figures.drop5_from_mean_min is None:
        return []
    if mean is None:
        mean = figures.mean_pct
    if mean is None or not sel.any():
        return []
    # a candidate is above the rest without it alone, or above the window's own level (its
    # median): taken out together, the hours of a night held at exactly 95 % left its rest a
    # 9-min dip to 86 % the spans stood far above
    level = math.floor(float(np.median(x[sel])) + 0.5)
    total = float(np.sum(x[sel]))
    count = int(np.count_nonzero(sel))
    chosen = []
    for span in spans:
        if span[2] <= mean:
            continue
        i0, i1 = span_indices(span[0], span[1], fs, sel.shape[0])
        own = x[i0:i1][sel[i0:i1]]  # the span's own valid samples (no whole-night prefix sums)
        k = own.shape[0]
        if k == 0 or k == count:
            continue
        alone = (total - float(np.sum(own))) / (count - k)
        v = math.floor(span[2] + 0.5)
        if v > level + drop_pts or v > math.floor(alone + 0.5) + drop_pts:
            chosen.append(span)
    # then those at most ``drop_pts`` above the rest of the window without all the candidates
    # are let back in, until none is: the rest's mean only rises as spans come back, so what is
    # left is above the mean of the window without all of it
    out = np.zeros(sel.shape[0], dtype=bool)
    rest = mean
    while chosen:
        out[:] = False
        for span in chosen:
            i0, i1 = span_indices(span[0], span[1], fs, sel.shape[0])
            out[i0:i1] = True
        kept = sel & ~out
        if not kept.any():
            return []
        rest = float(np.mean(x[kept]))
        still = [s for s in chosen if math.floor(s[2] + 0.5) > math.floor(rest + 0.5) + drop_pts]
        if len(still) == len(chosen):
            break
        chosen = still
    if not chosen:
        return []
    lo, hi = rest - drop_pts, mean - drop_pts
    if lo >= hi:
        return []
    # a sample counts below a limit when its value and its rounded value do: when its key is
    # below it
    vals = x[sel]
    key = np.maximum(vals, np.floor(vals + 0.5))
    between = int(np.count_nonzero((key >= lo) & (key < hi)))
    own = x[sel & out]
    own = np.maximum(own, np.floor(own + 0.5))
    if between > int(np.count_nonzero((own >= lo) & (own < hi))):
        return chosen
    return []


def _counted_in(
    spans: Sequence[tuple[float, float, float]],
    figures: WindowMetrics | SegmentMetrics,
    x: NDArray[np.float64],
    sel: NDArray[np.bool_],
    fs: float,
    drop_pts: float,
) -> set[tuple[float, float, float]]:
    """Return the spans a window takes out: :func:`_counted_runs` and :func:`_raise_mean_drop`.

    The high spans are weighed against the window without the low ones, as the figures without
    them are: judged with a low run in it, the rest of a night held at exactly 95 % but for
    15 min held at 86 % was that run, and the hours at 95 % were taken out with it.
    """
    low = set(_counted_runs(spans, figures, drop_pts))
    rest = [span for span in spans if span not in low]
    if low and rest:
        sel = sel.copy()
        for span in low:
            i0, i1 = span_indices(span[0], span[1], fs, sel.shape[0])
            sel[i0:i1] = False
        mean = float(np.mean(x[sel])) if sel.any() else None
        return low | set(_raise_mean_drop(rest, figures, x, sel, fs, drop_pts, mean))
    return low | set(_raise_mean_drop(rest, figures, x, sel, fs, drop_pts))


def _decides_baseline(
    run: tuple[float, float, float],
    x: NDArray[np.float64],
    sel: NDArray[np.bool_],
    fs: float,
) -> bool:
    """Say whether a run (or plateau) under the awake baseline may decide a figure.

    ``run`` is ``(start_s, end_s, value_pct)``; ``sel`` the valid samples of the sleep window.
    A baseline at any level but the rounded median of the rest of the window may: 12 min
    frozen at 97 % at the start of a night at 91 % made it a drop of more than 5 points, and
    frozen at 97 % over a night at 92 %, exactly 5 points above, every dip to 91 % (hunt 13;
    a gate of more than ``drop_pts`` above missed it); one at 89 % or more over a night at 88 %
    or less is the awake level the sleep findings need. Whether it did is the criteria's to
    say, on the figures without it. A baseline at the night's own level decides nothing: a
    night held at exactly 95 % for hours has its awake level there. The rest of the window, not
    all of it: 90 min at 97 % in a night of 2 h 10 min at 91 % made its median 97 %.
    """
    rest = sel.copy()
    i0, i1 = span_indices(run[0], run[1], fs, rest.shape[0])
    rest[i0:i1] = False
    if not rest.any():
        return False
    m = math.floor(float(np.median(x[rest])) + 0.5)
    return math.floor(run[2] + 0.5) != m


def _hold(
    held: NDArray[np.bool_],
    span: tuple[float, float, float],
    in_window: NDArray[np.bool_],
    valid: NDArray[np.bool_],
    fs: float,
) -> bool:
    """Mark ``span`` in ``held`` when it holds valid samples of the window; say whether."""
    i0, i1 = span_indices(span[0], span[1], fs, held.shape[0])
    if np.any(in_window[i0:i1] & valid[i0:i1]):
        held[i0:i1] = True
        return True
    return False


def _under_baseline(
    plan: WindowPlan,
    valid: NDArray[np.bool_],
    spans: Sequence[tuple[float, float, float]],
    also: Sequence[tuple[float, float, float]],
    x: NDArray[np.float64],
    night: NDArray[np.bool_],
    fs: float,
) -> tuple[NDArray[np.bool_], set[int]]:
    """Return the samples of the spans under the awake baseline that may decide it, and which.

    The awake baseline is a figure of every overnight window: every span under it off the
    night's own level (:func:`_decides_baseline`; ``night`` the sleep window's valid samples) is
    taken out of it (12 min frozen at 97 % made the baseline 97 %, and a night at 91 % a drop of
    more than 5 points that qualified; frozen at 97 % over a night at 92 %, exactly 5 points
    above, it still made every dip to 91 % such a drop, hunt 13). The indices are those of
    ``spans``; ``also`` are taken out with them when any is. The spans are listed only when the
    baseline moves without them, and the outcome held open only when the criteria find another
    determination on the figures without them.
    """
    n = x.shape[0]
    under = np.zeros(n, dtype=bool)
    taken: set[int] = set()
    if plan.baseline is None:
        return under, taken
    in_base = valid & window_mask(plan.baseline, n, fs)
    for k, span in enumerate(spans):
        i0, i1 = span_indices(span[0], span[1], fs, n)
        if in_base[i0:i1].any() and _decides_baseline(span, x, night, fs):
            under[i0:i1] = True
            taken.add(k)
    if taken:
        for span in also:
            i0, i1 = span_indices(span[0], span[1], fs, n)
            if in_base[i0:i1].any() and _decides_baseline(span, x, night, fs):
                under[i0:i1] = True
    return under, taken


def _held_in_windows(
    plan: WindowPlan,
    valid: NDArray[np.bool_],
    spans: Sequence[tuple[float, float, float]],
    also: Sequence[tuple[float, float, float]],
    metrics: Mapping[str, WindowMetrics | SegmentMetrics],
    masks: Mapping[str, NDArray[np.bool_]],
    x: NDArray[np.float64],
    fs: float,
    drop_pts: float,
) -> tuple[dict[str, NDArray[np.bool_]], set[int]]:
    """Return each window's samples of the spans it takes out (:func:`_counted_in`), and which.

    The indices are those of ``spans``; ``also`` are taken out with them, in the windows
    ``spans`` touch.
    """
    n = x.shape[0]
    held_in: dict[str, NDArray[np.bool_]] = {}
    taken: set[int] = set()
    for w in plan.windows:
        figs = metrics[w.kind]
        in_window = masks[w.kind]
        held = np.zeros(n, dtype=bool)
        sel = valid & in_window
        # a set: a night with thousands of dropouts has thousands of spans
        counted = _counted_in(spans, figs, x, sel, fs, drop_pts)
        for k, span in enumerate(spans):
            if span in counted and _hold(held, span, in_window, valid, fs):
                taken.add(k)
        if held.any():
            for span in _counted_in(also, figs, x, sel, fs, drop_pts):
                _hold(held, span, in_window, valid, fs)
        held_in[w.kind] = held
    return held_in, taken


def _baseline_without(
    recording: Recording,
    st: AnalysisSettings,
    plan: WindowPlan,
    base_valid: NDArray[np.bool_],
    valid: NDArray[np.bool_],
    doubt: Sequence[tuple[float, float, float]],
    main: WindowMetrics,
    night: NDArray[np.bool_],
) -> tuple[float | None, str | None]:
    """Return the awake baseline (and its source) taken from ``base_valid`` alone.

    ``base_valid`` is ``valid`` without the spans taken out. One baseline for every window; a
    presumed one that lost samples is taken again from the first 300 s of the data left
    (:func:`~oximetry.windows.baseline_window_for`), never starting on data in doubt
    (``doubt``, every span in doubt) at a level that may decide it.
    """
    assert plan.baseline is not None
    x, fs = recording.spo2.data, recording.fs
    n = x.shape[0]
    base_window: Window | None = plan.baseline
    if np.any(valid & ~base_valid & window_mask(plan.baseline, n, fs)):
        # the window taken again holds no data in doubt at a level that may decide the
        # baseline: leaving out only the spans a figure counts, 12 min frozen at 97 % a minute
        # after the first 12 were the baseline taken again, which then never moved, and a
        # night at 91 % qualified (hunt 13). Taken again until it holds none (only the spans
        # in the window are weighed: a night may hold thousands of dropout edges)
        pool = base_valid.copy()
        for span in _counted_runs(doubt, main, st.drop_pts):
            i0, i1 = span_indices(span[0], span[1], fs, n)
            pool[i0:i1] = False
        while True:
            base_window = baseline_window_for(recording, st, plan, pool)
            if base_window is None:
                break
            in_window = pool & window_mask(base_window, n, fs)
            found = False
            for span in doubt:
                i0, i1 = span_indices(span[0], span[1], fs, n)
                if in_window[i0:i1].any() and _decides_baseline(span, x, night, fs):
                    pool[i0:i1] = False
                    found = True
            if not found:
                break
    if base_window is None:
        return None, None
    need = samples_at_least(st.presumed_awake_s, fs)
    baseline = awake_baseline(x, base_valid & window_mask(base_window, n, fs), need)
    return baseline, base_window.source if baseline is not None else None


def _without_spans(
    recording: Recording,
    st: AnalysisSettings,
    plan: WindowPlan,
    valid: NDArray[np.bool_],
    spans: Sequence[tuple[float, float, float]],
    metrics: Mapping[str, WindowMetrics | SegmentMetrics],
    masks: Mapping[str, NDArray[np.bool_]],
    instant_fall: NDArray[np.bool_] | None = None,
    also: Sequence[tuple[float, float, float]] = (),
    doubt: Sequence[tuple[float, float, float]] = (),
) -> tuple[dict[str, WindowMetrics | SegmentMetrics], set[int]]:
    """Return the figures of each window valid data in doubt touches without it, and which.

    ``spans`` are ``(start_s, end_s, value_pct)``; the indices returned are those of the spans
    taken out of some window. ``also`` are taken out with them, in the windows ``spans`` touch.
    ``doubt`` are every span in doubt (held runs, fall plateaus, dropout edges): a presumed
    baseline taken again holds none of them at a level that may decide it.

    SPEC §4 keeps valid data a reviewer must judge: long constant runs (sensor frozen? a gap an
    export filled with the last value?), levels the fall rule accepted after its 30 s hold
    (a probe slip?) and data that stop low before a probe-off (a probe coming off?). The
    criteria re-evaluate a qualified outcome on these figures, with the spans' samples taken as
    invalid, and hold it open when the outcome rests on them (``criteria.evaluate``,
    docs/criteria.md). A window takes out the spans at a level one of its figures counts
    (:func:`_counted_runs`) or that raise its mean enough to add drop minutes
    (:func:`_raise_mean_drop`): :func:`_held_in_windows`. Its awake baseline is taken without
    every span under the baseline's window off the night's own level
    (:func:`_under_baseline`) and those the windows take out (:func:`_baseline_without`);
    the spans under it are returned when the baseline moves without them. Only the figures the
    criteria read are recomputed: no tables, no pulse. Windows the spans do not change are left
    out.
    """
    if not spans:
        return {}, set()
    x, fs = recording.spo2.data, recording.fs
    out: dict[str, WindowMetrics | SegmentMetrics] = {}
    main = next(iter(metrics.values()), None)
    # the sleep window's valid samples: the level a span under the baseline is weighed against
    night = valid & masks[plan.windows[0].kind] if plan.windows else valid
    under_base, base_taken = (
        _under_baseline(plan, valid, spans, also, x, night, fs)
        if isinstance(main, WindowMetrics)
        else (np.zeros(x.shape[0], dtype=bool), set())
    )
    held_in, taken = _held_in_windows(plan, valid, spans, also, metrics, masks, x, fs, st.drop_pts)
    baseline = source = None
    moved = False
    if plan.baseline is not None and isinstance(main, WindowMetrics) and (base_taken or taken):
        base_valid = valid & ~under_base
        for held in held_in.values():
            base_valid &= ~held
        baseline, source = _baseline_without(
            recording, st, plan, base_valid, valid, doubt, main, night
        )
        moved = baseline != main.awake_baseline_pct
    elif isinstance(main, WindowMetrics):
        baseline, source = main.awake_baseline_pct, main.awake_baseline_source
    if moved:
        taken |= base_taken
    for w in plan.windows:
        figs = metrics[w.kind]
        in_window = masks[w.kind]
        held = held_in[w.kind]
        if not held.any() and not (moved and isinstance(figs, WindowMetrics)):
            continue
        kept = valid & ~held
        if isinstance(figs, SegmentMetrics):
            seg = summarize_segment(
                x,
                kept,
                in_window,
                fs,
                max_step_pts_per_s=st.artifact.max_fall_pts_per_s,
                within_pts=st.artifact.recover_within_pts,
                instant_fall=instant_fall,
            )
            out[w.kind] = replace(
                seg,
                asleep_min=figs.asleep_min,
                unscored_min=figs.unscored_min,
                lights_out_min=figs.lights_out_min,
                walk_mark_s=figs.walk_mark_s,
            )
            continue
        out[w.kind], _ = summarize_window(
            x,
            kept,
            in_window,
            fs,
            kind=w.kind,
            awake_baseline_pct=baseline,
            awake_baseline_source=source,
            odi3_events=[],
            odi4_events=[],
            drop_pts=st.drop_pts,
            sustained_min_s=st.sustained_min_s,
        )
    return out, taken


def _thin_baseline_warning(
    baseline: Window, selected: NDArray[np.bool_], st: AnalysisSettings, fs: float
) -> str:
    """Say why an awake baseline window gave no baseline (too little valid data in it)."""
    got_s = int(np.count_nonzero(selected)) / fs
    # (a presumed baseline window holds enough valid data by construction: windows.py)
    where = (
        "The awake segment given (--awake)"
        if baseline.source == "awake_option"
        else f"The staged wake epochs ({baseline.source})"
    )
    return (
        f"{where} holds {got_s:.0f} s of valid data, fewer than the {st.presumed_awake_s:.0f} s "
        "an awake baseline rests on: there is no awake baseline, and nothing measured from it "
        "(the drop below it, awake at or above 89 %) can be evaluated."
    )


def _assigned_windows(
    events: list[Event], starts: dict[str, NDArray[np.bool_]], fs: float
) -> list[str | None]:
    """Return, per event, the first window (in assignment order) holding its start sample."""
    if not events:
        return []
    n = next(iter(starts.values())).shape[0] if starts else 0
    t = np.fromiter((e.start_s for e in events), dtype=np.float64, count=len(events))
    i = np.ceil(t * fs - 1e-9)
    inside = (i >= 0) & (i < n)
    idx = np.where(inside, i, 0).astype(np.int64)
    code = np.full(len(events), len(_ASSIGN_ORDER), dtype=np.int64)
    for c in range(len(_ASSIGN_ORDER) - 1, -1, -1):  # later kinds first, so earlier ones win
        mask = starts.get(_ASSIGN_ORDER[c])
        if mask is not None:
            code[inside & mask[idx]] = c
    names: list[str | None] = [*_ASSIGN_ORDER, None]
    return [names[c] for c in code.tolist()]


def _scored_events(recording: Recording) -> list[Event]:
    out = []
    for a in recording.annotations:
        if annotation_kind(a.text)[0] == "event":
            out.append(
                Event(
                    type="scored",
                    start_s=float(a.onset_s),
                    end_s=float(a.onset_s + max(a.duration_s, 0.0)),
                    nadir_pct=a.nadir_pct,
                    baseline_pct=a.baseline_pct,
                    drop_pct=None
                    if a.nadir_pct is None or a.baseline_pct is None
                    else a.baseline_pct - a.nadir_pct,
                    label=a.text,
                )
            )
    return out


def _scorer_said(spans: Sequence[tuple[float, float]], recording: Recording) -> str:
    """Say what the scorer's SpO2 artifact spans took of a night left with no valid sample.

    A span over the whole night failed as "no valid SpO2 sample in 14400 samples (excluded
    14400)", which names no --exclude the user gave and not the annotations that did it.
    """
    if not spans:
        return ""
    taken = int(np.count_nonzero(spans_mask(spans, recording.fs, recording.spo2.n_samples)))
    return (
        f": {len(spans)} span(s) the scorer marked as SpO2 artifact in the recording's "
        f"annotations exclude {taken} of them ({taken / recording.fs / 60:.1f} min), as "
        "--exclude would"
    )


def _check_bounds(recording: Recording) -> None:
    """Refuse a recording built by hand beyond what any reader gives (:mod:`oximetry.limits`).

    A pulse channel of 300 bpm at 1e-300 Hz (each sample spanning the night) invalidated no
    SpO2 sample, its times cast past int64, an SpO2 rate of 1e-300 Hz ended in an
    OverflowError traceback, and so did a start in 9999 from the windows' clock times.
    """
    channels = (("SpO2", recording.spo2), ("pulse", recording.pulse), ("status", recording.status))
    for role, signal in channels:
        if signal is None:
            continue
        if not MIN_FS_HZ <= signal.fs <= MAX_FS_HZ:
            why = f"sampling rate {signal.fs:.3g} Hz is outside {MIN_FS_HZ:g}-{MAX_FS_HZ:g} Hz"
        elif signal.duration_s > MAX_DURATION_S + 1.0 / signal.fs:
            why = f"length {signal.duration_s:.6g} s exceeds {MAX_DURATION_S:g} s (a week)"
        else:
            continue
        raise RecordingFormatError(
            f"the {role} channel's {why}, as no reader gives", recording.source.path or None
        )
    # Only the calendar's last year, whose clock times overflow: dates shifted into the future
    # by de-identification are read (MIMIC's 2896 and 2704; refused after 2099, they were no
    # longer analysed, review of hunt 16).
    if recording.start.year >= _dt.MAXYEAR:
        raise RecordingFormatError(
            f"the recording starts in {recording.start.year}, the calendar's last year",
            recording.source.path or None,
        )


def analyze(recording: Recording, settings: AnalysisSettings | None = None) -> Analysis:
    """Analyse one recording: every SPEC §7 figure for every window, with its events.

    Parameters
    ----------
    recording : Recording
        SpO2 (NaN where missing) at its rate, with optional pulse, status and annotations;
        spans the scorer marked as SpO2 artifact (:func:`~oximetry.windows.spo2_artifact_spans`)
        are excluded like ``--exclude`` spans.
    settings : AnalysisSettings, optional
        Windows, exclusions and detector parameters (the SPEC's defaults when None).

    Returns
    -------
    Analysis
        The artifact mask and counts, the windows, ``metrics`` keyed by window kind
        (``sleep`` or ``presumed_sleep``, ``awake`` or ``presumed_awake``, and exercise-test
        segments), every event in time order (ODI3/ODI4 detected once over the whole
        recording and assigned to a window by their start; ≤ 88 % runs and sustained drops of
        the overnight windows; scored annotations), warnings, and the SpO2 figures of each
        window a long constant run touches recomputed without it (``without_constant_runs``),
        and of each window a level accepted after an implausible fall or data that stop low
        before a probe-off touch recomputed without them (``without_fall_plateaus``).

    Raises
    ------
    InsufficientDataError
        When no SpO2 sample is valid.
    RecordingFormatError
        A channel's rate or length beyond what any reader gives (:mod:`oximetry.limits`), or
        a start in the calendar's last year: a recording built by hand.

    Notes
    -----
    Events are assigned to the first window holding their start in the order sleep,
    presumed_sleep, awake, presumed_awake, rest, exercise, exercise_o2 (the presumed-awake
    baseline window lies inside the presumed-sleep window); events outside every window have
    ``window=None``.

    Examples
    --------
    A simulated 2-hour night at 1 Hz with ten known desaturations of 4-10 points:

    >>> from oximetry import analyze
    >>> from oximetry.simulate import simulate_night
    >>> recording, truth = simulate_night(fs=1.0, duration_s=7200, seed=1, desaturations=10)
    >>> analysis = analyze(recording)
    >>> night = analysis.metrics[analysis.main_window]
    >>> night.odi4_count, truth.odi_count(4)
    (10, 10)
    >>> round(night.valid_min)
    120
    """
    st = settings or AnalysisSettings()
    _check_bounds(recording)
    # the scorer's SpO2 artifact spans are rejected like --exclude (build_windows takes them out
    # of the sleep window): as scored events only, their 10 min at 80 % qualified a night
    scorer_rejected = spo2_artifact_spans(recording)
    artifact = detect_artifacts(recording, st.artifact, exclude_s=(*st.exclude_s, *scorer_rejected))
    valid = artifact.valid
    if not valid.any():
        counts = ", ".join(f"{k} {v}" for k, v in artifact.counts.items() if v)
        raise InsufficientDataError(
            f"no valid SpO2 sample in {recording.spo2.n_samples} samples ({counts or 'empty'})"
            + _scorer_said(scorer_rejected, recording),
            path=recording.source.path or None,
        )
    x = recording.spo2.data
    fs = recording.fs
    n = x.shape[0]
    plan = build_windows(recording, st, valid)

    baseline_pct: float | None = None
    baseline_source: str | None = None
    baseline_need = samples_at_least(st.presumed_awake_s, fs)
    if plan.baseline is not None:
        baseline_valid = valid & window_mask(plan.baseline, n, fs)
        baseline_pct = awake_baseline(x, baseline_valid, baseline_need)
        baseline_source = plan.baseline.source if baseline_pct is not None else None

    odi3, odi4 = detect_desaturations_at(x, valid, fs, (3, 4), st.odi)

    metrics: dict[str, WindowMetrics | SegmentMetrics] = {}
    masks: dict[str, NDArray[np.bool_]] = {}
    window_events: list[Event] = []
    pulse_valid = _pulse_valid(recording, valid, st)
    # The fall rule's flags, for test segments' edge runs (summarize_segment): made once, and
    # only when the recording has a segment, not for every night
    instant_fall = (
        artifact.reason == REASONS.index("implausible_fall")
        if any(w.kind not in OVERNIGHT_KINDS for w in plan.windows)
        else None
    )
    # where the recording's lights marks put the patient in bed (for a rest or exercise part)
    lights_out = lights_out_spans(recording, st) if instant_fall is not None else ()
    for w in plan.windows:
        in_window = window_mask(w, n, fs)
        masks[w.kind] = in_window
        pulse_ok = pulse_values = None
        if pulse_valid is not None and recording.pulse is not None:
            pulse_ok = pulse_valid & window_mask(w, pulse_valid.shape[0], recording.pulse.fs)
            pulse_values = np.asarray(recording.pulse.data[pulse_ok], dtype=np.float64)
        if w.kind in OVERNIGHT_KINDS:
            wm, found = summarize_window(
                x,
                valid,
                in_window,
                fs,
                kind=w.kind,
                awake_baseline_pct=baseline_pct,
                awake_baseline_source=baseline_source,
                odi3_events=odi3,
                odi4_events=odi4,
                drop_pts=st.drop_pts,
                sustained_min_s=st.sustained_min_s,
                pulse_values=pulse_values,
            )
            sel = valid & in_window
            window_odi = (_in_mask(odi3, in_window, fs), _in_mask(odi4, in_window, fs))
            staging = plan.staging if w.kind == "sleep" else ()
            metrics[w.kind] = _tables(recording, wm, sel, pulse_ok, window_odi, staging)
            # le88 runs come back as events; sustained drops live in the metrics
            window_events.extend((*found, *wm.sustained_desaturations))
        else:
            seg = summarize_segment(
                x,
                valid,
                in_window,
                fs,
                pulse_values=pulse_values,
                max_step_pts_per_s=st.artifact.max_fall_pts_per_s,
                within_pts=st.artifact.recover_within_pts,
                instant_fall=instant_fall,
            )
            if plan.staging:
                # By start time, as the segment takes its samples: its last sample across the
                # end of its wake epochs (4-s samples, 30-s epochs) was in neither stage, the
                # segment "not shown awake", and a rest test held open.
                asleep = in_window & _stage_mask(plan.staging, SLEEP_STAGES, n, fs, whole=False)
                # Neither sleep nor wake ('?', or past the hypnogram): not shown awake either.
                awake = _stage_mask(plan.staging, ("W",), n, fs, whole=False)
                unscored = in_window & ~asleep & ~awake
                seg = replace(
                    seg,
                    asleep_min=sample_minutes(int(np.count_nonzero(asleep)), fs),
                    unscored_min=sample_minutes(int(np.count_nonzero(unscored)), fs),
                )
            if lights_out:
                # After the recording's lights off and before its lights on the patient was in
                # bed: a part there is not shown awake without staging (segment_unfit).
                dark = in_window & spans_mask(lights_out, fs, n)
                seg = replace(seg, lights_out_min=sample_minutes(int(np.count_nonzero(dark)), fs))
            if w.kind == "rest":
                # a walk's mark in it or before it: recorded for the rules (segment_unfit), an
                # overnight analysis keeping the part that a rest test's context reads later
                seg = replace(seg, walk_mark_s=plan.rest_walk_s)
            metrics[w.kind] = seg

    # Window events (le88 runs, sustained drops) of overlapping windows repeat: keep each once,
    # under the window an event's start is assigned to.
    candidates = [*odi3, *odi4, *window_events, *_scored_events(recording)]
    seen: set[tuple[str, float, float]] = set()
    events: list[Event] = []
    for ev, kind in zip(candidates, _assigned_windows(candidates, masks, fs), strict=True):
        if ev.type in ("le88_run", "sustained_drop"):
            key = (ev.type, ev.start_s, ev.end_s)
            if key in seen or (kind is not None and kind != ev.window):
                continue
            seen.add(key)
        events.append(ev if ev.window == kind else replace(ev, window=kind))
    events.sort(key=lambda e: (e.start_s, e.type, e.end_s, e.label))

    runs = artifact.constant_runs
    plateaus = artifact.fall_plateaus
    edges = artifact.dropout_edges
    doubt = [
        *runs,
        *((p.start_s, p.end_s, p.value_pct) for p in plateaus),
        *((e.start_s, e.end_s, e.value_pct) for e in edges),
    ]
    without, taken = _without_spans(
        recording, st, plan, valid, runs, metrics, masks, instant_fall, doubt=doubt
    )
    # taken out together with the held runs: a qualification resting on a plateau and a held
    # run together, each alone too short to change the outcome, is held open as well. And with
    # the data that stop low before a probe-off: 110 slides of 3 points a second into a probe-off
    # on a steady 95 % night counted 5.4 min at or below 88 % and qualified (hunt 11), and a
    # qualification on slides and a plateau together is held open too
    without_p, taken_p = _without_spans(
        recording,
        st,
        plan,
        valid,
        doubt[len(runs) :],
        metrics,
        masks,
        instant_fall,
        also=runs,
        doubt=doubt,
    )
    warnings = [*recording.warnings, *plan.warnings]
    if baseline_pct is None and plan.baseline is not None:
        warnings.append(_thin_baseline_warning(plan.baseline, baseline_valid, st, fs))
    return Analysis(
        recording=recording,
        settings=st,
        artifact=artifact,
        windows=plan.windows,
        metrics=metrics,
        events=tuple(events),
        warnings=tuple(dict.fromkeys(warnings)),
        without_constant_runs=without,
        held_runs=tuple(sorted(runs[k] for k in taken)),
        without_fall_plateaus=without_p,
        held_plateaus=tuple(plateaus[k] for k in sorted(taken_p) if k < len(plateaus)),
        held_dropout_edges=tuple(
            edges[k - len(plateaus)] for k in sorted(taken_p) if k >= len(plateaus)
        ),
        spo2_artifact_spans_s=scorer_rejected,
        oxygen_marks_s=oxygen_marks(recording),
        test_marks_s=plan.test_marks_s,
        walk_o2_flows_lpm=plan.walk_o2_flows_lpm,
        oxygen_mark_flows_lpm=oxygen_mark_flows(recording),
    )
