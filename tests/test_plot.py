"""Figures tested by their data: the plotted line is the signal, the marks are where the metrics say."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from matplotlib.figure import Figure

from oximetry import plot
from tests import report_data as rd


def _by_gid(ax, gid):
    arts = [a for a in [*ax.lines, *ax.collections, *ax.patches, *ax.texts] if a.get_gid() == gid]
    return arts


def _one(ax, gid):
    arts = _by_gid(ax, gid)
    assert len(arts) == 1, f"expected one artist {gid!r}, found {len(arts)}"
    return arts[0]


def _spans(coll):
    """x extents of the rectangles of a broken_barh collection."""
    out = []
    for path in coll.get_paths():
        xs = path.vertices[:, 0]
        out.append((float(xs.min()), float(xs.max())))
    return sorted(out)


@pytest.fixture
def analysis():
    return rd.make_analysis()


def test_overview_line_is_the_valid_signal_nan_where_invalid(analysis):
    ax = plot.plot_overview(analysis, max_points=None)
    line = _one(ax, "spo2")
    x = rd.make_signal()
    expected = np.where(analysis.artifact.valid, x, np.nan)
    np.testing.assert_array_equal(line.get_ydata(), expected)
    np.testing.assert_array_equal(line.get_xdata(), np.arange(rd.N) / rd.FS)
    assert np.isnan(line.get_ydata()[rd.GAP_START : rd.GAP_END]).all()


def test_invalid_values_are_drawn_apart_from_the_valid_line():
    a = rd.make_analysis()
    # Mark the dips invalid by hand: their values must move to the grey line.
    valid = a.artifact.valid.copy()
    valid[1000:1030] = False
    art = type(a.artifact)(valid, a.artifact.reason, a.artifact.reasons, a.artifact.counts)
    a2 = type(a)(a.recording, a.settings, art, a.windows, a.metrics, a.events, a.warnings)
    ax = plot.plot_overview(a2, max_points=None)
    grey = _one(ax, "spo2_invalid").get_ydata()
    np.testing.assert_array_equal(grey[1000:1030], 91.0)
    assert np.isnan(grey[:1000]).all()
    assert np.isnan(_one(ax, "spo2").get_ydata()[1000:1030]).all()


def test_88_line_and_baselines_are_where_the_metrics_say(analysis):
    ax = plot.plot_overview(analysis)
    assert list(_one(ax, "threshold88").get_ydata()) == [88, 88]
    assert list(_one(ax, "baseline").get_ydata()) == [95, 95]
    assert list(_one(ax, "baseline_minus5").get_ydata()) == [90, 90]
    lo, hi = ax.get_ylim()
    assert lo < 86 < 88 < hi


def test_shaded_spans_equal_le88_runs_and_sustained_drops(analysis):
    ax = plot.plot_overview(analysis)
    assert _spans(_one(ax, "le88_run")) == [(rd.LOW_START, rd.LOW_END)]
    assert _spans(_one(ax, "sustained_drop")) == [(rd.LOW_START, rd.LOW_END)]


def test_artifact_is_hatched_exactly_over_invalid_samples(analysis):
    ax = plot.plot_overview(analysis)
    coll = _one(ax, "artifact")
    assert _spans(coll) == [(rd.GAP_START, rd.GAP_END)]
    assert coll.get_hatch() == "////"


def test_window_band_covers_each_window(analysis):
    ax = plot.plot_overview(analysis)
    assert _spans(_one(ax, "window_presumed_sleep")) == [(0.0, rd.N)]
    assert _spans(_one(ax, "window_presumed_awake")) == [(0.0, 300.0)]


def test_a_window_presumed_awake_leaves_its_presumed_sleep_in_sight(analysis):
    """The first 5 min presumed awake are presumed sleep too (counted in its figures): drawn over
    the whole band they hid it, and the presumed sleep seemed to start 5 min late (hunt 15). A
    staged night's wake, which no sleep overlaps, keeps the whole band."""

    def heights(coll):
        return {
            (float(p.vertices[:, 1].min()), float(p.vertices[:, 1].max())) for p in coll.get_paths()
        }

    from oximetry.analysis import analyze
    from oximetry.settings import AnalysisSettings
    from oximetry.simulate import simulate_night

    ax = plot.plot_overview(analysis)
    ((lo, hi),) = heights(_one(ax, "window_presumed_sleep"))
    ((a_lo, a_hi),) = heights(_one(ax, "window_presumed_awake"))
    assert (a_lo, a_hi) == (pytest.approx((lo + hi) / 2), pytest.approx(hi))
    stages = [(0.0, 1800.0, "W"), (1800.0, 5400.0, "N2")]
    rec, _ = simulate_night(fs=1.0, duration_s=7200, seed=1, stages=stages)
    staged = analyze(rec, AnalysisSettings())
    ax = plot.plot_overview(staged)
    assert heights(_one(ax, "window_awake")) == heights(_one(ax, "window_sleep"))


def test_overview_ticks_read_as_clock_time(analysis):
    ax = plot.plot_overview(analysis)
    fmt = ax.xaxis.get_major_formatter()
    assert fmt(3600.0) == "23:30"
    assert fmt(2 * 3600.0) == "00:30"


def test_strip_shows_only_its_hour_with_minute_grid_and_events(analysis):
    ax = plot.plot_strip(analysis, 3000.0, 6600.0, max_points=None)
    assert ax.get_xlim() == (3000.0, 6600.0)
    line = _one(ax, "spo2")
    np.testing.assert_array_equal(line.get_xdata(), np.arange(3000, 6600, dtype=float))
    np.testing.assert_array_equal(line.get_ydata(), rd.make_signal()[3000:6600])
    grid = _one(ax, "minute_grid")
    gx = np.asarray(grid.get_xdata(), dtype=float)
    assert np.isnan(gx[2::3]).all() and (gx[0::3] == gx[1::3]).all()  # vertical, NaN between
    np.testing.assert_array_equal(np.asarray(grid.get_ydata(), dtype=float)[:2], [0.0, 1.0])
    xs = sorted(gx[0::3].tolist())
    labelled = list(ax.xaxis.get_major_locator()())
    assert labelled == [3000.0 + 600 * k for k in range(7)]  # every 10 minutes, on the clock
    assert sorted(xs + labelled) == [3000.0 + 60 * k for k in range(61)]  # a line every minute
    # Only the ODI3 dip at 5000 s is in this hour.
    assert _spans(_one(ax, "odi3")) == [(5000.0, 5020.0)]
    assert _spans(_one(ax, "le88_run")) == [(rd.LOW_START, rd.LOW_END)]


def test_strip_beyond_the_recording_is_empty_but_keeps_its_span(analysis):
    ax = plot.plot_strip(analysis, -1800.0, 900.0)
    assert ax.get_xlim() == (-1800.0, 900.0)
    assert _one(ax, "spo2").get_xdata()[0] == 0.0
    assert _by_gid(ax, "odi3") == []


def test_strip_rejects_an_empty_span(analysis):
    with pytest.raises(ValueError, match="end_s"):
        plot.plot_strip(analysis, 100.0, 100.0)


def test_pulse_line_equals_the_pulse_channel(analysis):
    ax = plot.plot_pulse(analysis, 0, 600, max_points=None)
    np.testing.assert_array_equal(_one(ax, "pulse").get_ydata(), np.full(600, 62.0))


def test_pulse_out_of_range_neither_drawn_nor_scaling_the_panel():
    # readers keep a pulse of 0 ("no pulse found"): after the envelope left the masked copy
    # out, it set the panel's range from 0 (the lines were right, the scale was not)
    import dataclasses

    from oximetry.model import Signal

    a = rd.make_analysis()
    data = np.full(rd.N, 62.0)
    data[10:20] = 0.0
    data[30:40] = 300.0
    rec = dataclasses.replace(a.recording, pulse=Signal("Pulse", "bpm", 1.0, data))
    ax = plot.plot_pulse(dataclasses.replace(a, recording=rec), 0, 600, max_points=None)
    assert ax.get_ylim() == (52.0, 72.0)
    assert np.isnan(_one(ax, "pulse").get_ydata()[10:20]).all()


def test_pulse_without_channel_says_so():
    ax = plot.plot_pulse(rd.make_analysis(pulse=False))
    assert any("no pulse channel" in t.get_text() for t in ax.texts)


def test_histogram_bars_are_minutes_at_each_level(analysis):
    ax = plot.plot_histogram(analysis)
    bars = {
        round(p.get_x() + p.get_width() / 2): p.get_height()
        for p in _by_gid(ax, "time_at_saturation")
    }
    assert bars[86] == pytest.approx(12.0)
    assert bars[91] == pytest.approx((30 + 40 + 20) / 60)
    assert bars[88] == 0
    # Everything valid in the window is counted once.
    assert sum(bars.values()) == pytest.approx((rd.N - (rd.GAP_END - rd.GAP_START)) / 60)
    reds = {
        round(p.get_x() + 0.4)
        for p in _by_gid(ax, "time_at_saturation")
        if p.get_facecolor()[0] > 0.8
    }
    assert 86 in reds and 95 not in reds


def test_time_at_saturation_rounds_half_up():
    a = rd.make_analysis()
    levels, _minutes = plot.time_at_saturation(a)
    assert levels[0] == 86 and levels[-1] == 100


def test_window_mask_follows_half_open_spans(analysis):
    m = plot.window_mask(analysis, "presumed_awake")
    assert m[:300].all() and not m[300:].any()
    assert plot.window_mask(analysis, "sleep").all()  # absent window: everything


def test_plot_draws_on_the_given_axes(analysis):
    fig = Figure()
    ax = fig.add_subplot()
    assert plot.plot_overview(analysis, ax) is ax
    assert plot.plot_histogram(analysis, fig.add_subplot(212)).figure is fig


#: SpO2 traces of 1-3,000 samples, some missing, for the envelope properties.
SPO2_TRACES = arrays(
    np.float64, st.integers(1, 3000), elements=st.one_of(st.floats(50, 100), st.just(np.nan))
)


def test_envelope_keeps_short_signals_unchanged():
    y = np.arange(10.0)
    tt, yy = plot.envelope(y, 100, fs=4.0, first=8)
    assert yy is y
    assert tt.tolist() == [(8 + i) / 4.0 for i in range(10)]
    tt, yy = plot.envelope(y, 100, where=y > 6)
    assert np.array_equal(yy, [np.nan] * 7 + [7.0, 8.0, 9.0], equal_nan=True)


@settings(max_examples=60, deadline=None)
@given(
    y=SPO2_TRACES,
    max_points=st.integers(4, 400),
    seed=st.integers(0, 2**16),
    first=st.integers(0, 10**6),
    fs=st.sampled_from([0.25, 1.0, 3.0, 25.0]),
)
def test_envelope_of_the_drawn_samples_is_that_of_the_masked_signal(y, max_points, seed, first, fs):
    # `where` leaves samples out as NaN would (no masked copy of a week's signal), and the times
    # are those of the samples' own indices in the recording
    where = np.random.default_rng(seed).random(y.size) < 0.7
    t, v = plot.envelope(y, max_points, fs=fs, first=first, where=where)
    t_ref, v_ref = plot.envelope(np.where(where, y, np.nan), max_points)
    assert np.array_equal(v, v_ref, equal_nan=True)
    assert np.array_equal(t, (first + t_ref) / fs)


@settings(max_examples=60, deadline=None)
@given(y=SPO2_TRACES, max_points=st.integers(4, 400))
def test_envelope_keeps_every_extreme_and_bounds_the_size(y, max_points):
    tt, yy = plot.envelope(y, max_points)
    assert tt.shape == yy.shape
    assert yy.size <= max(y.size, max_points + 4)
    assert np.all(np.diff(tt) >= 0)
    finite = y[np.isfinite(y)]
    if finite.size:
        assert np.nanmin(yy) == finite.min()
        assert np.nanmax(yy) == finite.max()
    else:
        assert np.isnan(yy).all()


def test_clock_ticks_fall_on_the_clock_whatever_the_start():
    import datetime as dt

    start = dt.datetime(2026, 1, 1, 22, 3, 30)
    assert plot.clock_ticks(start, 0, 1800, 600) == [390.0, 990.0, 1590.0]
    assert plot.clock_ticks(start, 0, 100, 60) == [30.0, 90.0]
    assert plot.clock_ticks(start, 10, 20, 60) == []


def test_marks_sit_above_100_percent_never_over_a_reading(analysis):
    ax = plot.plot_strip(analysis, 3000.0, 6600.0)
    lo, hi = ax.get_ylim()
    for gid in ("odi3", "window_presumed_sleep"):
        coll = _one(ax, gid)
        ys = np.concatenate([p.vertices[:, 1] for p in coll.get_paths()])
        assert (lo + ys.min() * (hi - lo)) > 100.0  # axes fraction back to SpO2 %
    assert max(ax.get_yticks()) == 100


def test_outside_the_recording_is_greyed(analysis):
    ax = plot.plot_strip(analysis, 5400.0, 9000.0)
    assert _spans(_one(ax, "outside")) == [(7200.0, 9000.0)]


def test_a_recording_without_valid_data_still_draws():
    a = rd.make_analysis()
    valid = np.zeros(rd.N, dtype=bool)
    art = type(a.artifact)(valid, a.artifact.reason, a.artifact.reasons, {"missing": rd.N})
    a2 = type(a)(a.recording, a.settings, art, a.windows, a.metrics, (), a.warnings)
    ax = plot.plot_overview(a2)
    assert np.isnan(_one(ax, "spo2").get_ydata()).all()
    assert _spans(_one(ax, "artifact")) == [(0.0, rd.N)]
    assert _by_gid(plot.plot_histogram(a2), "time_at_saturation") == []


def _with_signal(a, x, fs):
    """The hand-built analysis with SpO2 ``x`` at ``fs`` (valid where finite, pulse 60)."""
    from dataclasses import replace

    from oximetry.model import Signal

    rec = replace(
        a.recording,
        spo2=Signal("SpO2", "%", fs, x),
        pulse=Signal("Pulse", "bpm", fs, np.full(x.size, 60.0)),
    )
    valid = np.isfinite(x)
    art = type(a.artifact)(
        valid,
        np.where(valid, -1, 0).astype(np.int8),
        ("missing",),
        {"missing": int((~valid).sum())},
    )
    return type(a)(rec, a.settings, art, a.windows, a.metrics, a.events, a.warnings)


@settings(max_examples=60, deadline=None)
@given(y=SPO2_TRACES, max_points=st.integers(4, 400))
def test_envelope_keeps_the_min_and_max_of_every_bin(y, max_points):
    # A reduced trace must not hide a dip anywhere: each drawn pair is the extreme pair of the
    # consecutive samples from its time to the next pair's, and the bins cover every sample.
    tt, yy = plot.envelope(y, max_points)
    if yy is y:
        return
    starts = tt[0::2].astype(int)
    assert starts[0] == 0 and np.all(np.diff(starts) > 0)
    ends = np.append(starts[1:], y.size)
    for (a, b), lo, hi in zip(zip(starts, ends, strict=True), yy[0::2], yy[1::2], strict=True):
        seg = y[a:b][np.isfinite(y[a:b])]
        if seg.size:
            assert (lo, hi) == (seg.min(), seg.max())
        else:
            assert np.isnan(lo) and np.isnan(hi)


def test_a_one_sample_nadir_is_drawn_on_a_25_hz_strip():
    fs = 25.0
    rng = np.random.default_rng(3)
    x = np.round(95 + rng.normal(0, 0.6, int(2 * 3600 * fs)))
    nadir_i = int(4321.36 * fs)
    x[nadir_i] = 71.0  # one sample, far below its neighbours
    a = _with_signal(rd.make_analysis(), x, fs)
    ax = plot.plot_strip(a, 3600.0, 7200.0)
    line = _one(ax, "spo2")
    ys, ts = line.get_ydata(), line.get_xdata()
    assert ys.size <= 4004  # reduced for drawing ...
    at = np.flatnonzero(ys == 71.0)
    assert at.size == 1  # ... yet the nadir is drawn, within its bin of its time
    bin_s = (3600 * fs / 2000) / fs
    assert abs(ts[at[0]] - nadir_i / fs) <= bin_s
    assert ax.get_ylim()[0] <= 71.0 - 2


@pytest.mark.parametrize("hours", [0.5, 2, 8, 12, 13, 24, 30, 100, 168, 24 * 40])
def test_overview_labels_never_crowd(hours):
    step = plot.overview_step(hours * 3600.0)
    assert hours * 3600.0 / step <= (12 if hours <= 24 else 8)
    if hours <= 12:  # nights keep their hourly labels
        assert step == {0.5: 300.0, 2: 1800.0, 8: 3600.0, 12: 3600.0}[hours]


def test_a_week_long_overview_labels_days_with_their_date():
    fs = 1 / 60
    x = np.full(7 * 24 * 60, 95.0)
    a = _with_signal(rd.make_analysis(), x, fs)
    ax = plot.plot_overview(a)
    ticks = list(ax.xaxis.get_major_locator()())
    assert len(ticks) == 7
    fmt = ax.xaxis.get_major_formatter()
    assert [fmt(t) for t in ticks[:2]] == ["21 Nov 00:00", "22 Nov 00:00"]


@pytest.mark.parametrize(
    ("date_known", "clock_known", "first_two"),
    [
        # a time-of-day file without a date, from 22:30 on day 1
        (False, True, ["day 2 00:00", "day 3 00:00"]),
        (False, False, ["00:00", "24:00"]),  # elapsed time: the hours count on
    ],
)
def test_an_overview_over_a_day_without_a_date_labels_the_day_or_counts_the_hours(
    date_known, clock_known, first_two
):
    """A 30-h time-of-day file labelled its two 02:00s alike, and one without a clock its 25th
    hour "01:00", as its first (hunt 9)."""
    import datetime as dt
    from dataclasses import replace

    fs = 1 / 60
    a = _with_signal(rd.make_analysis(), np.full(7 * 24 * 60, 95.0), fs)
    source = replace(a.recording.source, date_known=date_known, clock_known=clock_known)
    start = a.recording.start if clock_known else dt.datetime(1900, 1, 1)
    a = replace(a, recording=replace(a.recording, source=source, start=start))
    ax = plot.plot_overview(a)
    fmt = ax.xaxis.get_major_formatter()
    ticks = [t for t in ax.xaxis.get_major_locator()() if t >= 0]
    assert [fmt(t) for t in ticks[:2]] == first_two


def test_medicares_drop_line_is_drawn_where_the_summary_puts_it(analysis):
    # A Medicare night QUALIFIED (Group I-3) on 15.15 min more than 5 points below its mean of
    # 96.66 % showed the awake baseline's lines only (93 and 88 %), neither crossed by the
    # qualifying level; the report, page 2 and trace.png now draw the test's mean − 5 (hunt 13).
    from oximetry.report.pdf import _strip_masks, _strip_page, render_trace_png
    from oximetry.report.summary import build_summary
    from oximetry.report.terminal import medicare_drop_line

    summary = build_summary(analysis, qualification={**rd.QUALIFICATION, "profile": "medicare"})
    summary["metrics"][summary["main_window"]]["mean_pct"] = 96.664484
    line = medicare_drop_line(summary)
    assert line == pytest.approx(91.664484)
    assert medicare_drop_line({**summary, "qualification": rd.QUALIFICATION}) is None
    ax = plot.plot_overview(analysis, mean_minus5=line)
    assert list(_one(ax, "mean_minus5").get_ydata()) == [line, line]
    assert _by_gid(plot.plot_overview(analysis), "mean_minus5") == []
    page = _strip_page(
        analysis, [(0.0, 3600.0)], ["presumed_sleep"], "t", _strip_masks(analysis),
        plot.spo2_ylim(analysis), line,
    )  # fmt: skip
    drawn = [a for ax in page.axes for a in ax.lines if a.get_gid() == "mean_minus5"]
    assert len(drawn) == 1 and list(drawn[0].get_ydata()) == [line, line]
    labels = [t.get_text() for leg in page.legends for t in leg.get_texts()]
    assert "test's mean − 5 (Medicare)" in labels
    assert render_trace_png(analysis, summary) != render_trace_png(
        analysis, {**summary, "qualification": rd.QUALIFICATION}
    )
