"""Figure builders: each draws one view of an analysis on a matplotlib ``Axes``.

Every function takes an ``ax`` (one is made on a bare :class:`matplotlib.figure.Figure`, without
pyplot, when none is given) and returns it. Artists carry a ``gid`` naming what they show, so
tests (and anyone) can find the 88 % line, the shaded spans and the plotted signal by their data:

``spo2`` (valid SpO2; NaN where invalid), ``spo2_invalid`` (the values the artifact rules
rejected, greyed), ``artifact`` (hatched invalid spans), ``threshold88``, ``baseline``,
``baseline_minus5``, ``le88_run``, ``le88_run_outside`` (a run of another window than the
main one, an awake run on a night) and ``sustained_drop`` (shaded spans), ``window_<kind>``
(the sleep/wake band), ``segment_label``, ``odi3``/``odi4``/``scored`` (event marks), ``pulse``,
``time_at_saturation`` (histogram bars), ``outside`` (time outside the recording, greyed) and
``minute_grid`` (one line per clock minute on strips).

Times on the x axis are seconds from the recording's first sample, labelled as wall-clock time.
Long signals are reduced for drawing only (a min/max envelope per bin, :func:`envelope`), never
for figures.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, MultipleLocator
from numpy.typing import NDArray

from .metrics.window import SLEEP_KINDS
from .results import Analysis, Event
from .spans import find_runs, span_indices, spans_mask

__all__ = [
    "COLORS",
    "clock_grid",
    "clock_ticks",
    "drops_outside_main",
    "envelope",
    "le88_spans",
    "le88_spans_outside",
    "legend_handles",
    "odi_outside_main",
    "overview_step",
    "plot_histogram",
    "plot_overview",
    "plot_pulse",
    "plot_strip",
    "runs_outside_main",
    "spo2_ylim",
    "window_mask",
]

COLORS = {
    "spo2": "#1f4e9c",
    "invalid": "#b0b0b0",
    "threshold88": "#d62728",
    "le88": "#f4a3a3",
    # a run at or below 88 % outside the main window (awake): never the sleep runs' pink
    "le88_outside": "#e3d9a6",
    "sustained": "#f0a020",
    # a sustained drop outside the main window (awake): never the sleep drops' orange
    "sustained_outside": "#c9c1a3",
    "baseline": "#2a8a3a",
    "pulse": "#7a3d8a",
    # Medicare's drop line (the test's mean − 5): never the awake baseline's green
    "mean_minus5": "#6a3d9a",
    "sleep": "#3b5ba5",
    "presumed_sleep": "#9fb4dd",
    "awake": "#f2c94c",
    "presumed_awake": "#f7e3a1",
    "rest": "#6fbf73",
    "exercise": "#e07b39",
    "exercise_o2": "#8c6bb1",
    "odi3": "#555555",
    "odi4": "#000000",
    # ODI events outside the main window (awake, before lights off), which no figure counts
    "odi3_outside": "#d0d0d0",
    "odi4_outside": "#b0b0b0",
    "scored": "#8c564b",
}

#: Rows above 100 % for the marks drawn over the trace: (bottom, height) as fractions of the
#: space between 100.5 % and the top of the axes, so no mark ever hides a reading.
_ROWS = {
    "window": (0.62, 0.38),
    "odi4": (0.32, 0.26),
    "odi3": (0.32, 0.26),
    "scored": (0.02, 0.26),
}
#: Window kinds of sleep, and of wake, whose bands share one row (a wake window overlapping a
#: sleep window is drawn in the row's upper half, so that both show).
_AWAKE_KINDS = ("awake", "presumed_awake")
#: Axes-fraction band at the bottom for sustained drops.
_SUSTAINED_BAND = (0.0, 0.05)


def _band(kind: str, ylim: tuple[float, float]) -> tuple[float, float]:
    lo, hi = ylim
    base = (100.5 - lo) / (hi - lo)
    b, h = _ROWS[kind]
    return base + b * (1 - base), h * (1 - base)


def _new_ax(ax: Axes | None, size: tuple[float, float] = (10.0, 3.0)) -> Axes:
    if ax is not None:
        return ax
    return Figure(figsize=size).add_subplot()


def window_mask(analysis: Analysis, kind: str | None) -> NDArray[np.bool_]:
    """Return a per-sample mask of the window ``kind`` (all True when ``kind`` is None or absent).

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    kind : str or None
        A window kind (``sleep``, ``presumed_sleep``, ...).

    Returns
    -------
    numpy.ndarray of bool
        True for samples whose time lies in one of the window's half-open spans.
    """
    n = analysis.recording.spo2.n_samples
    win = next((w for w in analysis.windows if w.kind == kind), None)
    if win is None:
        return np.ones(n, dtype=bool)
    return spans_mask(win.spans_s, analysis.recording.fs, n)


def envelope(
    y: NDArray[np.float64],
    max_points: int | None,
    *,
    fs: float = 1.0,
    first: int = 0,
    where: NDArray[np.bool_] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Reduce a signal for drawing: the minimum and maximum of each bin, in time order.

    Parameters
    ----------
    y : numpy.ndarray
        Values (NaN = gap, kept as a gap when a whole bin is NaN).
    max_points : int or None
        Return at most about this many points; None or a signal already this short returns
        every sample.
    fs : float
        Samples per second: sample ``i`` of ``y`` is drawn at ``(first + i) / fs`` seconds.
    first : int
        Index of ``y[0]`` in the recording.
    where : numpy.ndarray of bool, optional
        The samples to draw (the others count as NaN); all when None.

    Returns
    -------
    t_out, y_out : numpy.ndarray
        Two points per bin: the bin's minimum, then its maximum (NaN for a bin without a value to
        draw), placed at the bin's first and middle sample times. Every extreme of the signal
        survives.

    Examples
    --------
    Six samples at 2 Hz drawn as about four points: two bins of three samples.

    >>> t, v = envelope(np.array([95.0, 80.0, 97.0, 96.0, np.nan, 94.0]), 4, fs=2.0)
    >>> t.tolist(), v.tolist()
    ([0.0, 0.5, 1.5, 2.0], [80.0, 97.0, 94.0, 96.0])
    """
    n = y.shape[0]
    if max_points is None or n <= max_points:
        t = np.arange(first, first + n, dtype=np.float64) / fs
        return t, (y if where is None else np.where(where, y, np.nan))
    k = math.ceil(n / max(1, max_points // 2))
    lo, hi = _bin_extremes(y, where, k)
    starts = np.arange(lo.size) * k
    t0 = (first + starts) / fs
    tm = (first + np.minimum(starts + k // 2, n - 1)) / fs
    return np.column_stack((t0, tm)).ravel(), np.column_stack((lo, hi)).ravel()


def _bin_extremes(
    y: NDArray[np.float64], where: NDArray[np.bool_] | None, k: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the minimum and maximum of the samples ``where`` marks in each bin of ``k``.

    The last bin holds what is left (fewer than ``k`` when ``k`` does not divide the length).
    The whole bins are a view and the samples not drawn are left out by the reductions'
    ``where``: no copy of the signal. Over a 7-day 25 Hz recording (15 million samples) the
    masked, padded copies and a time for every sample made before were 600 MB of fresh memory
    for each overview, and the report draws two (page 2 and trace.png).
    """
    cut = y.shape[0] // k * k
    pieces = [(y[:cut].reshape(-1, k), None if where is None else where[:cut].reshape(-1, k))]
    if cut < y.shape[0]:
        rest = None if where is None else where[cut:].reshape(1, -1)
        pieces.append((y[cut:].reshape(1, -1), rest))
    # fmin and fmax skip NaN, the NaN they start from included: NaN only for a bin with
    # nothing to draw
    lo = [
        np.fmin.reduce(v, axis=1, where=True if w is None else w, initial=np.nan) for v, w in pieces
    ]
    hi = [
        np.fmax.reduce(v, axis=1, where=True if w is None else w, initial=np.nan) for v, w in pieces
    ]
    return np.concatenate(lo), np.concatenate(hi)


def spo2_ylim(analysis: Analysis) -> tuple[float, float]:
    """Return a y range that shows the 88 % line and the lowest valid reading.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.

    Returns
    -------
    (low, high) : tuple of float
        ``low`` is at most 80 and 2 points under the nadir, at least 50; ``high`` leaves room
        above 100 % (a sixth of the range) for the sleep/wake band and event marks.
    """
    nadir = float(
        np.min(analysis.recording.spo2.data, where=analysis.artifact.valid, initial=np.inf)
    )
    low = 80.0
    if math.isfinite(nadir):
        low = min(low, math.floor(nadir) - 2.0)
    low = max(50.0, low)
    return low, 100.5 + (100.0 - low) / 5.0


def _clock_formatter(
    start: _dt.datetime, fmt: str = "%H:%M", *, count: str | None = None
) -> FuncFormatter:
    """Label seconds from ``start`` as clock times (``fmt``).

    ``count="hours"`` (elapsed time: the file holds no clock) counts the hours on past 24
    (``25:00``), and ``count="days"`` (a clock without a date) puts the day of the recording in
    front (``day 2 02:00``): a 30-h file without a clock labelled its 25th hour ``01:00``, the
    label of its first, and one without a date its two 02:00s alike.
    """
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)

    def f(x: float, _pos: Any = None) -> str:
        try:
            t = start + _dt.timedelta(seconds=float(x))
        except (OverflowError, ValueError):
            return ""
        if count == "hours":
            return f"{(t - midnight) // _dt.timedelta(hours=1):02d}:{t:%M}"
        if count == "days":
            return f"day {(t.date() - start.date()).days + 1} {t.strftime(fmt)}"
        return t.strftime(fmt)

    return FuncFormatter(f)


def _spans_collection(
    ax: Axes,
    spans: Iterable[tuple[float, float]],
    band: tuple[float, float],
    gid: str,
    **kw: Any,
) -> None:
    xr = [(float(a), float(b) - float(a)) for a, b in spans if b > a]
    coll = ax.broken_barh(xr, band, transform=ax.get_xaxis_transform(), **kw)
    coll.set_gid(gid)


def _events(analysis: Analysis, kind: str, lo: float, hi: float) -> list[Event]:
    return [e for e in analysis.events if e.type == kind and e.end_s > lo and e.start_s < hi]


def _in_main(analysis: Analysis, event: Event) -> bool:
    """Return True when ``event`` counts in the main window's figures (or there is none)."""
    return analysis.main_window is None or event.window == analysis.main_window


def _drop_in_main(analysis: Analysis, event: Event) -> bool:
    """Return True when a sustained drop is the main window's (or of no window, or no main)."""
    return analysis.main_window is None or event.window in (None, analysis.main_window)


def odi_outside_main(analysis: Analysis) -> str | None:
    """Return the main window's kind when an ODI event lies outside it, else None.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.

    Returns
    -------
    str or None
        For :func:`legend_handles`' ``odi_outside``: the shade of the ODI marks of no figure
        (``odi3_outside``, ``odi4_outside``) is explained only when one is drawn.
    """
    if any(e.type in ("odi3", "odi4") and not _in_main(analysis, e) for e in analysis.events):
        return analysis.main_window
    return None


def _baseline(analysis: Analysis) -> float | None:
    main = analysis.main_window
    if main is None:
        return None
    b = getattr(analysis.metrics[main], "awake_baseline_pct", None)
    return None if b is None else float(math.floor(b + 0.5))


def _draw_trace(
    ax: Axes,
    analysis: Analysis,
    lo_s: float,
    hi_s: float,
    *,
    max_points: int | None,
    marks: bool,
    ylim: tuple[float, float] | None,
    mean_minus5: float | None = None,
) -> None:
    rec = analysis.recording
    fs = rec.fs
    n = rec.spo2.n_samples
    i0, i1 = span_indices(lo_s, hi_s, fs, n)
    x = rec.spo2.data[i0:i1]
    valid = analysis.artifact.valid[i0:i1]
    ylo, yhi = spo2_ylim(analysis) if ylim is None else ylim

    # Shaded spans first (behind the trace).
    _spans_collection(
        ax,
        le88_spans(analysis, lo_s, hi_s),
        (0.0, 1.0),
        "le88_run",
        facecolors=COLORS["le88"],
        alpha=0.6,
        zorder=0.5,
        linewidth=0,
    )
    _spans_collection(
        ax,
        [(a, b) for a, b, _ in le88_spans_outside(analysis, lo_s, hi_s)],
        (0.0, 1.0),
        "le88_run_outside",
        facecolors=COLORS["le88_outside"],
        alpha=0.6,
        zorder=0.5,
        linewidth=0,
    )
    # the main window's sustained drops, which page 1 counts, apart from the others': an awake
    # epoch's 6.7 min at 89 % was shaded as the sleep's beside "0 sustained (≥ 5 min)"
    sustained = _events(analysis, "sustained_drop", lo_s, hi_s)
    for gid, drops in (
        ("sustained_drop", [e for e in sustained if _drop_in_main(analysis, e)]),
        ("sustained_drop_outside", [e for e in sustained if not _drop_in_main(analysis, e)]),
    ):
        _spans_collection(
            ax,
            [(e.start_s, e.end_s) for e in drops],
            _SUSTAINED_BAND,
            gid,
            facecolors=COLORS[gid.replace("_drop", "")],
            zorder=0.6,
            linewidth=0,
        )
    outside = [(lo_s, min(0.0, hi_s)), (max(rec.duration_s, lo_s), hi_s)]
    _spans_collection(
        ax, outside, (0.0, 1.0), "outside", facecolors="#ececec", linewidth=0, zorder=0.4
    )
    bad = zip(*find_runs(~valid), strict=True)
    _spans_collection(
        ax,
        [((i0 + a) / fs, (i0 + b) / fs) for a, b in bad],
        (0.0, 1.0),
        "artifact",
        facecolors="none",
        edgecolors=COLORS["invalid"],
        hatch="////",
        linewidth=0,
        zorder=0.7,
    )
    sleeping = [s for w in analysis.windows if w.kind in SLEEP_KINDS for s in w.spans_s]
    for kind in COLORS:
        wins = [w for w in analysis.windows if w.kind == kind]
        if not wins:
            continue
        band = _band("window", (ylo, yhi))
        if kind in _AWAKE_KINDS and any(
            a < d and c < b for w in wins for a, b in w.spans_s for c, d in sleeping
        ):
            # the first 5 min presumed awake are presumed sleep too, and counted there: drawn
            # over the whole band, they hid its presumed sleep, which seemed to start 5 min late
            band = (band[0] + band[1] / 2, band[1] / 2)
        _spans_collection(
            ax,
            [s for w in wins for s in w.spans_s if s[1] > lo_s and s[0] < hi_s],
            band,
            f"window_{kind}",
            facecolors=COLORS[kind],
            hatch="..." if kind.startswith("presumed") else None,
            edgecolors="white",
            linewidth=0,
            zorder=3,
        )

    band_lo, band_h = _band("window", (ylo, yhi))
    for w in analysis.windows:
        if w.kind in ("rest", "exercise", "exercise_o2") and w.spans_s:
            s0, s1 = max(w.spans_s[0][0], lo_s), min(w.spans_s[-1][1], hi_s)
            if s1 > s0:
                ax.text(
                    (s0 + s1) / 2,
                    band_lo + band_h / 2,
                    w.kind.replace("_o2", " on O2"),
                    transform=ax.get_xaxis_transform(),
                    ha="center",
                    va="center",
                    size=6.5,
                    color="white",
                    weight="bold",
                    zorder=3.5,
                    clip_on=True,
                ).set_gid("segment_label")
    tv, yv = envelope(x, max_points, fs=fs, first=i0, where=valid)
    ti, yi = envelope(x, max_points, fs=fs, first=i0, where=~valid)
    (inv,) = ax.plot(ti, yi, color=COLORS["invalid"], lw=0.6, zorder=1.5)
    inv.set_gid("spo2_invalid")
    (line,) = ax.plot(tv, yv, color=COLORS["spo2"], lw=0.8, zorder=2)
    line.set_gid("spo2")

    ax.axhline(88, color=COLORS["threshold88"], lw=1.4, zorder=2.5).set_gid("threshold88")
    base = _baseline(analysis)
    if base is not None:
        ax.axhline(base, color=COLORS["baseline"], lw=0.9, ls="--", zorder=2.4).set_gid("baseline")
        ax.axhline(base - 5, color=COLORS["baseline"], lw=0.9, ls=":", zorder=2.4).set_gid(
            "baseline_minus5"
        )
    if mean_minus5 is not None:
        ax.axhline(mean_minus5, color=COLORS["mean_minus5"], lw=0.9, ls="-.", zorder=2.4).set_gid(
            "mean_minus5"
        )
    if marks:
        for kind in ("odi4", "odi3", "scored"):
            evs = _events(analysis, kind, lo_s, hi_s)
            # the main window's ODI events, which the strip's margin counts, apart from the
            # others': a wake epoch's desaturation was marked beside "ODI3 events: 0"
            elsewhere = [e for e in evs if kind != "scored" and not _in_main(analysis, e)]
            for gid, marked in (
                (kind, [e for e in evs if e not in elsewhere]),
                (f"{kind}_outside", elsewhere),
            ):
                if marked:
                    _spans_collection(
                        ax,
                        [(e.start_s, max(e.end_s, e.start_s + 5.0)) for e in marked],
                        _band(kind, (ylo, yhi)),
                        gid,
                        facecolors=COLORS[gid],
                        linewidth=0,
                        zorder=3,
                    )
    ax.set_xlim(lo_s, hi_s)
    ax.set_ylim(ylo, yhi)
    ax.set_ylabel("SpO2 %")
    step = 5 if 100 - ylo <= 30 else 10
    ax.yaxis.set_major_locator(FixedLocator(list(range(math.ceil(ylo / step) * step, 101, step))))


def le88_spans(analysis: Analysis, lo_s: float, hi_s: float) -> list[tuple[float, float]]:
    """Return the spans at or below 88 % to shade between ``lo_s`` and ``hi_s``.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    lo_s, hi_s : float
        The visible stretch.

    Returns
    -------
    list of (float, float)
        The ``le88_run`` events of the main window (:func:`le88_spans_outside` gives the
        others'); for a recording without one (rest and exercise tests), every run of valid
        samples with ``floor(x + 0.5) <= 88``, so an exercise test is shaded like a night.
    """
    if analysis.main_window is not None:
        main = analysis.main_window
        return [
            (e.start_s, e.end_s)
            for e in _events(analysis, "le88_run", lo_s, hi_s)
            if e.window in (None, main)
        ]
    rec = analysis.recording
    fs = rec.fs
    i0, i1 = span_indices(lo_s, hi_s, fs, rec.spo2.n_samples)
    x = rec.spo2.data[i0:i1]
    with np.errstate(invalid="ignore"):
        low = analysis.artifact.valid[i0:i1] & (x < 88.5)
    starts, ends = find_runs(low)
    return [((i0 + a) / fs, (i0 + b) / fs) for a, b in zip(starts, ends, strict=True)]


def le88_spans_outside(
    analysis: Analysis, lo_s: float, hi_s: float
) -> list[tuple[float, float, str]]:
    """Return the runs at or below 88 % of the windows other than the main one.

    A staged night's 4 min at 86 % during a wake epoch was shaded and listed in the strip's
    margin as its sleep runs were, beside "This hour (sleep) ≤ 88 %: 0.0 min"; only
    events.csv said ``window=awake`` (hunt 12). They are drawn and listed apart, with their
    window, so that no reviewer adds them to the sleep minutes.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    lo_s, hi_s : float
        The visible stretch.

    Returns
    -------
    list of (float, float, str)
        Each ``le88_run`` event of another window (``awake``, ``presumed_awake``) touching the
        stretch: start, end and the window's kind. Empty without a main window.
    """
    main = analysis.main_window
    if main is None:
        return []
    return [
        (e.start_s, e.end_s, e.window)
        for e in _events(analysis, "le88_run", lo_s, hi_s)
        if e.window is not None and e.window != main
    ]


def drops_outside_main(analysis: Analysis) -> str | None:
    """Return the main window's kind when a sustained drop lies outside it, else None.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.

    Returns
    -------
    str or None
        For :func:`legend_handles`' ``drops_outside``: the shade of the sustained drops of
        another window (``sustained_drop_outside``) is explained only when one is drawn.
    """
    if any(e.type == "sustained_drop" and not _drop_in_main(analysis, e) for e in analysis.events):
        return analysis.main_window
    return None


def runs_outside_main(analysis: Analysis) -> str | None:
    """Return the main window's kind when a run at or below 88 % lies outside it, else None.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.

    Returns
    -------
    str or None
        For :func:`legend_handles`' ``outside``: the legend explains their shade only when a
        page can show one.
    """
    if le88_spans_outside(analysis, 0.0, analysis.recording.duration_s):
        return analysis.main_window
    return None


def clock_ticks(start: _dt.datetime, lo_s: float, hi_s: float, step_s: float) -> list[float]:
    """Return the times in ``[lo_s, hi_s]`` (seconds from ``start``) that fall on a clock multiple.

    Parameters
    ----------
    start : datetime.datetime
        Wall-clock time of second 0.
    lo_s, hi_s : float
        The span.
    step_s : float
        Clock step (60 for every minute, 600 for every ten minutes, 3600 for every hour).

    Returns
    -------
    list of float
        E.g. with ``start`` at 22:03:30 and a 600 s step: 390.0 (22:10), 990.0 (22:20), ...
    """
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    offset = (start - midnight).total_seconds()
    first = math.ceil((lo_s + offset) / step_s - 1e-9) * step_s - offset
    n = math.floor((hi_s - first) / step_s + 1e-9) + 1
    return [first + k * step_s for k in range(max(0, n))]


def clock_grid(
    ax: Axes,
    start: _dt.datetime,
    lo_s: float,
    hi_s: float,
    *,
    minor_s: float | None,
    major_s: float,
    labels: bool = True,
    elapsed: bool = False,
) -> None:
    """Put clock-aligned labelled ticks every ``major_s`` and a light grid line every ``minor_s``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes (x in seconds from ``start``).
    start : datetime.datetime
        Wall-clock time of second 0.
    lo_s, hi_s : float
        The visible span.
    minor_s : float or None
        Grid step (one ``Line2D`` with gid ``minute_grid``, its vertical lines separated by
        NaN); None for none.
    major_s : float
        Labelled tick step (with a darker grid line).
    labels : bool
        Label the major ticks with the clock time.
    elapsed : bool
        The times are elapsed time (the file holds no clock; ``start`` is a placeholder
        midnight): hours count on past 24 (``25:00``), as a clock's would not.
    """
    major = clock_ticks(start, lo_s, hi_s, major_s)
    ax.xaxis.set_major_locator(FixedLocator(major))
    ax.xaxis.set_major_formatter(
        _clock_formatter(start, count="hours" if elapsed else None)
        if labels
        else FuncFormatter(lambda *_: "")
    )
    ax.grid(True, which="major", axis="x", color="#bbbbbb", lw=0.7)
    if minor_s:
        taken = {round(x, 6) for x in major}
        xs = [x for x in clock_ticks(start, lo_s, hi_s, minor_s) if round(x, 6) not in taken]
        # One line broken by NaN (x, x, NaN per grid line), not a collection of one segment per
        # minute: PDF backends draw a collection path by path, and the 174 lines of a 3-hour
        # strip made a strip page 15 % slower to build and write (293 against 255 ms; part of
        # scripts/bench.py (c), 2026-12-07). As plain as the collection, so it stays.
        gx = np.repeat(np.asarray(xs, dtype=np.float64), 3)
        gx[2::3] = np.nan
        gy = np.tile([0.0, 1.0, np.nan], len(xs))
        (grid,) = ax.plot(
            gx, gy, transform=ax.get_xaxis_transform(), color="#e6e6e6", lw=0.4, zorder=0.45
        )
        grid.set_gid("minute_grid")


def plot_overview(
    analysis: Analysis,
    ax: Axes | None = None,
    *,
    max_points: int | None = 3000,
    mean_minus5: float | None = None,
) -> Axes:
    """Draw the whole recording: SpO2 with the 88 % line, baselines, shaded spans and artifact.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure's axes when None.
    max_points : int or None
        Reduce the drawn line to about this many points (min/max envelope); None draws every
        sample.
    mean_minus5 : float, optional
        Draw this line too (gid ``mean_minus5``): Medicare's drop line, the test's mean − 5.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _new_ax(ax)
    rec = analysis.recording
    dur = rec.duration_s
    _draw_trace(
        ax,
        analysis,
        0.0,
        dur,
        max_points=max_points,
        marks=False,
        ylim=None,
        mean_minus5=mean_minus5,
    )
    elapsed = not rec.clock_known
    clock_grid(ax, rec.start, 0.0, dur, minor_s=None, major_s=overview_step(dur), elapsed=elapsed)
    if dur > 86400.0 and not elapsed:  # several days: "06 Dec 00:00", or "day 2 00:00"
        dated = rec.source.date_known
        ax.xaxis.set_major_formatter(
            _clock_formatter(
                rec.start, "%d %b %H:%M" if dated else "%H:%M", count=None if dated else "days"
            )
        )
    ax.grid(True, axis="y", color="#dddddd", lw=0.5)
    return ax


def overview_step(span_s: float) -> float:
    """Return the labelled tick step, in seconds, of the whole-recording figure.

    Parameters
    ----------
    span_s : float
        The recording's length.

    Returns
    -------
    float
        5 minutes up to an hour, 30 minutes up to 3 hours, an hour up to 12 hours; longer
        recordings get the shortest of 2, 3, 6, 12 or 24 hours (or whole days) that leaves at
        most 12 labels (8 over a day, whose labels carry the date), so labels never overlap.
    """
    hours = span_s / 3600.0
    if hours <= 12:
        return 3600.0 if hours > 3 else (1800.0 if hours > 1 else 300.0)
    most = 12 if hours <= 24 else 8
    for step_h in (2, 3, 6, 12, 24):
        if hours / step_h <= most:
            return step_h * 3600.0
    return 86400.0 * math.ceil(hours / 24 / most)


def strip_grid_steps(span_s: float) -> tuple[float, float]:
    """Return ``(minor, major)`` grid steps in seconds for a strip of ``span_s`` seconds.

    Parameters
    ----------
    span_s : float
        The strip's length.

    Returns
    -------
    tuple of float
        A line every 10 s and a label every minute for strips up to a quarter of an hour; a
        line every minute and a label every 10 minutes up to two hours; a line every minute
        and a label every 30 minutes for longer strips.
    """
    if span_s > 7200:
        return (60.0, 1800.0)
    return (60.0, 600.0) if span_s > 900 else (10.0, 60.0)


def plot_strip(
    analysis: Analysis,
    start_s: float,
    end_s: float,
    ax: Axes | None = None,
    *,
    max_points: int | None = 4000,
    ylim: tuple[float, float] | None = None,
    mean_minus5: float | None = None,
) -> Axes:
    """Draw one stretch of the recording at minute resolution, with every mark.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    start_s, end_s : float
        The stretch, in seconds from the recording start (may extend beyond it; the axis keeps
        the requested span so that strips line up).
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    max_points : int or None
        Reduce the drawn line to about this many points; None draws every sample.
    ylim : (float, float), optional
        The y range, :func:`spo2_ylim` of the analysis when None. A report drawing many strips
        passes it once: over a 7-day 25 Hz recording, recomputing it for each of 168 strips
        took 10 of the PDF's 76 s under cProfile (2026-12-05; see report.pdf._strip_page).
    mean_minus5 : float, optional
        Draw this line too, as :func:`plot_overview` does.

    Returns
    -------
    matplotlib.axes.Axes
        With a grid line every minute and a clock label every 10 minutes.
    """
    if not end_s > start_s:
        raise ValueError(f"plot_strip: end_s ({end_s}) must be after start_s ({start_s})")
    ax = _new_ax(ax)
    _draw_trace(
        ax,
        analysis,
        start_s,
        end_s,
        max_points=max_points,
        marks=True,
        ylim=ylim,
        mean_minus5=mean_minus5,
    )
    span = end_s - start_s
    minor, major = strip_grid_steps(span)
    rec = analysis.recording
    clock_grid(
        ax, rec.start, start_s, end_s, minor_s=minor, major_s=major, elapsed=not rec.clock_known
    )
    ax.grid(True, which="major", axis="y", color="#e6e6e6", lw=0.4)
    return ax


def plot_pulse(
    analysis: Analysis,
    start_s: float | None = None,
    end_s: float | None = None,
    ax: Axes | None = None,
    *,
    max_points: int | None = 4000,
) -> Axes:
    """Draw the pulse rate (bpm) over a stretch; a note when the recording has no pulse channel.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    start_s, end_s : float, optional
        The stretch (default: the whole recording).
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    max_points : int or None
        Reduce the drawn line to about this many points.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _new_ax(ax, (10.0, 1.2))
    rec = analysis.recording
    lo = 0.0 if start_s is None else float(start_s)
    hi = rec.duration_s if end_s is None else float(end_s)
    ax.set_xlim(lo, hi)
    ax.set_ylabel("PR bpm")
    pulse = rec.pulse
    if pulse is None:
        ax.text(0.5, 0.5, "no pulse channel", transform=ax.transAxes, ha="center", va="center")
        ax.set_yticks([])
        return ax
    fs = pulse.fs
    i0, i1 = span_indices(lo, hi, fs, pulse.n_samples)
    y = pulse.data[i0:i1]
    amin, amax = analysis.settings.artifact.pulse_min_bpm, analysis.settings.artifact.pulse_max_bpm
    drawn = (y >= amin) & (y <= amax)
    tt, yy = envelope(y, max_points, fs=fs, first=i0, where=drawn)
    (line,) = ax.plot(tt, yy, color=COLORS["pulse"], lw=0.7)
    line.set_gid("pulse")
    # the range of what is drawn: a pulse of 0 ("no pulse found") scaled the panel from 0
    finite = y[drawn]
    if finite.size:
        ax.set_ylim(max(0.0, float(finite.min()) - 10), float(finite.max()) + 10)
    ax.grid(True, axis="y", color="#e6e6e6", lw=0.4)
    return ax


def time_at_saturation(
    analysis: Analysis, kind: str | None = None
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Return minutes of valid data at each whole-percent SpO2 value in a window.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    kind : str, optional
        The window (default: the main window, or the whole recording when there is none).

    Returns
    -------
    levels : numpy.ndarray of int
        Whole percents from the lowest rounded valid value to 100.
    minutes : numpy.ndarray of float
        Valid samples at each level (``floor(x + 0.5)``, SPEC §7) × 1/fs / 60.
    """
    kind = analysis.main_window if kind is None else kind
    rec = analysis.recording
    sel = analysis.artifact.valid & window_mask(analysis, kind)
    r = np.floor(rec.spo2.data[sel] + 0.5).astype(np.int64)
    if r.size == 0:
        return np.arange(0, dtype=np.int64), np.zeros(0)
    lo = int(r.min())
    counts = np.bincount(r - lo, minlength=101 - lo)[: 101 - lo]
    return np.arange(lo, 101, dtype=np.int64), counts / rec.fs / 60.0


def plot_histogram(analysis: Analysis, ax: Axes | None = None, *, kind: str | None = None) -> Axes:
    """Draw time at each SpO2 level (minutes of valid data), levels at or below 88 % in red.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    kind : str, optional
        The window (default: the main window).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _new_ax(ax, (7.0, 3.0))
    levels, minutes = time_at_saturation(analysis, kind)
    colors = [COLORS["threshold88"] if v <= 88 else COLORS["spo2"] for v in levels]
    bars = ax.bar(levels, minutes, width=0.8, color=colors)
    for patch in bars.patches:
        patch.set_gid("time_at_saturation")
    ax.axvline(88.5, color=COLORS["threshold88"], lw=1.0, ls="--").set_gid("threshold88")
    ax.legend(
        handles=[
            Patch(facecolor=COLORS["threshold88"], label="≤ 88 %"),
            Patch(facecolor=COLORS["spo2"], label="> 88 %"),
        ],
        loc="upper left",
        fontsize=7,
        frameon=False,
    )
    ax.set_xlabel("SpO2 % (rounded to whole percent)")
    ax.set_ylabel("minutes of valid data")
    if levels.size:
        ax.set_xlim(min(float(levels[0]), 80.0) - 1, 101)
    ax.xaxis.set_major_locator(MultipleLocator(2))
    ax.grid(True, axis="y", color="#e6e6e6", lw=0.4)
    return ax


def legend_handles(
    kinds: Sequence[str] = (),
    *,
    events: bool = True,
    baseline: bool = True,
    outside: str | None = None,
    mean_minus5: bool = False,
    drops_outside: str | None = None,
    odi_outside: str | None = None,
) -> list[Any]:
    """Return proxy artists that explain the marks of :func:`plot_strip` (for a figure legend).

    Parameters
    ----------
    kinds : sequence of str
        Window kinds present (their band colour is explained too).
    events : bool
        Explain the ODI and scored-event marks (strips draw them; the overview does not).
    baseline : bool
        Explain the awake-baseline lines (drawn only when there is an overnight window).
    outside : str, optional
        The main window's kind, when runs at or below 88 % outside it are drawn
        (:func:`le88_spans_outside`): their shade is explained as not of that window.
    mean_minus5 : bool
        Explain Medicare's drop line (the test's mean − 5), when it is drawn.
    drops_outside : str, optional
        The main window's kind, when sustained drops outside it are drawn
        (:func:`drops_outside_main`): their shade is explained as not of that window.
    odi_outside : str, optional
        The main window's kind, when ODI events outside it are marked (:func:`odi_outside_main`;
        with ``events``).

    Returns
    -------
    list of matplotlib artists
    """
    handles: list[Any] = [
        Line2D([], [], color=COLORS["spo2"], lw=1, label="SpO2 (valid)"),
        Line2D([], [], color=COLORS["invalid"], lw=1, label="rejected values"),
        Patch(facecolor="none", edgecolor=COLORS["invalid"], hatch="////", label="artifact"),
        Line2D([], [], color=COLORS["threshold88"], lw=1.4, label="88 %"),
        Patch(facecolor=COLORS["le88"], label="≤ 88 % run"),
    ]
    if outside is not None:
        handles.append(
            Patch(
                facecolor=COLORS["le88_outside"],
                alpha=0.6,
                label=f"≤ 88 % run, not {outside.replace('_', ' ')}",
            )
        )
    if baseline:
        handles[4:4] = [
            Line2D([], [], color=COLORS["baseline"], lw=1, ls="--", label="awake baseline"),
            Line2D([], [], color=COLORS["baseline"], lw=1, ls=":", label="baseline − 5"),
        ]
        handles.append(Patch(facecolor=COLORS["sustained"], label="> 5 pts below baseline ≥ 5 min"))
        if drops_outside is not None:
            handles.append(
                Patch(
                    facecolor=COLORS["sustained_outside"],
                    label=f"> 5 pts below ≥ 5 min, not {drops_outside.replace('_', ' ')}",
                )
            )
    if mean_minus5:
        handles.append(
            Line2D(
                [],
                [],
                color=COLORS["mean_minus5"],
                lw=1,
                ls="-.",
                label="test's mean − 5 (Medicare)",
            )
        )
    if events:
        handles += [
            Patch(facecolor=COLORS["odi3"], label="ODI3 / ODI4 event"),
            Patch(facecolor=COLORS["scored"], label="scored event (file)"),
        ]
        if odi_outside is not None:
            handles.insert(
                -1,
                Patch(
                    facecolor=COLORS["odi3_outside"],
                    label=f"ODI event, not {odi_outside.replace('_', ' ')}",
                ),
            )
    for kind in kinds:
        if kind in COLORS:
            handles.append(
                Patch(
                    facecolor=COLORS[kind],
                    hatch="..." if kind.startswith("presumed") else None,
                    label=kind.replace("_", " "),
                )
            )
    return handles
