"""SPEC §7 window figures: hand-computed cases at several rates, and invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oximetry.errors import OximetryError
from oximetry.metrics import awake_baseline, summarize_window
from oximetry.metrics.runs import rounded_below
from oximetry.results import Event

RATES = (0.25, 1.0, 4.0, 25.0)


def night(fs: float, spans: list[tuple[float, float, float]], total_s: float, base: float = 95.0):
    """Sample a piecewise-constant night: ``spans`` of (start_s, end_s, value) over ``base``."""
    n = round(total_s * fs)
    t = np.arange(n) / fs
    x = np.full(n, base)
    for start, end, value in spans:
        x[(t >= start) & (t < end)] = value
    return x


def summarize(x, fs, valid=None, window=None, baseline=95.0, odi3=(), odi4=(), **kw):
    valid = np.ones(x.shape, bool) if valid is None else valid
    window = np.ones(x.shape, bool) if window is None else window
    return summarize_window(
        x,
        valid,
        window,
        fs,
        kind=kw.pop("kind", "presumed_sleep"),
        awake_baseline_pct=baseline,
        awake_baseline_source="first_300s_valid" if baseline is not None else None,
        odi3_events=odi3,
        odi4_events=odi4,
        drop_pts=5.0,
        sustained_min_s=300.0,
        **kw,
    )


@pytest.mark.parametrize("fs", RATES)
def test_rounding_boundary_88_4_counts_88_5_does_not(fs):
    x = night(
        fs, [(600, 720, 88.4), (1200, 1320, 88.5), (2000, 2060, 89.4), (2400, 2460, 89.5)], 3600
    )
    m, le88 = summarize(x, fs)
    assert m.t_le88_min == pytest.approx(2.0)  # only the 88.4 block
    assert m.t_lt90_min == pytest.approx(2.0 + 2.0 + 1.0)  # 88.4, 88.5 (89) and 89.4 (89)
    assert m.t_le90_min == pytest.approx(2.0 + 2.0 + 1.0 + 1.0)  # 89.5 rounds to 90
    assert m.t_le88_pct == pytest.approx(100 * 2.0 / 60.0)
    assert m.longest_le88_min == pytest.approx(2.0)
    assert m.longest_le88_start_s == pytest.approx(600.0)
    assert [(e.start_s, e.end_s, e.nadir_pct) for e in le88] == [(600.0, 720.0, 88.4)]
    assert all(e.type == "le88_run" and e.window == "presumed_sleep" for e in le88)


@pytest.mark.parametrize("fs", RATES)
def test_same_night_same_minutes_at_every_rate(fs):
    # Boundaries on a 4 s grid, so every rate samples them exactly.
    spans = [(400, 1120, 86.0), (2000, 2040, 87.6), (3000, 3600, 90.2)]
    x = night(fs, spans, 4 * 3600)
    m, _ = summarize(x, fs)
    assert m.duration_min == pytest.approx(240.0)
    assert m.valid_min == pytest.approx(240.0)
    assert m.t_le88_min == pytest.approx(12.0 + 40 / 60)
    assert m.longest_le88_min == pytest.approx(12.0)
    assert m.t_lt90_min == pytest.approx(12.0 + 40 / 60)
    assert m.t_le90_min == pytest.approx(22.0 + 40 / 60)
    assert m.nadir_pct == 86.0 and m.nadir_s == pytest.approx(400.0)
    assert m.median_pct == 95.0


@pytest.mark.parametrize("fs", RATES)
def test_twelve_minutes_at_86_is_twelve_minutes_and_one_sustained_drop(fs):
    x = night(fs, [(1000, 1720, 86.0)], 3600)
    m, _ = summarize(x, fs)
    assert m.t_le88_min == pytest.approx(12.0)
    assert m.drop5_min == pytest.approx(12.0)  # 95 - 86 = 9 > 5
    assert m.longest_drop5_min == pytest.approx(12.0)
    (ev,) = m.sustained_desaturations
    assert (ev.type, ev.start_s, ev.end_s, ev.nadir_pct) == ("sustained_drop", 1000.0, 1720.0, 86.0)
    assert (ev.baseline_pct, ev.drop_pct, ev.window) == (95.0, 9.0, "presumed_sleep")


@pytest.mark.parametrize("fs", RATES)
def test_invalid_sample_breaks_a_run(fs):
    x = night(fs, [(1000, 1600, 86.0)], 3600)
    valid = np.ones(x.shape, bool)
    cut = round(1200 * fs)
    valid[cut] = False
    x[cut] = np.nan
    m, le88 = summarize(x, fs, valid=valid)
    dt_min = 1 / fs / 60
    assert m.t_le88_min == pytest.approx(10.0 - dt_min)
    assert m.valid_min == pytest.approx(60.0 - dt_min)
    assert m.longest_le88_min == pytest.approx(400 / 60 - dt_min)  # 1200 + dt .. 1600
    assert m.longest_le88_start_s == pytest.approx(1200 + 1 / fs)
    assert len(le88) == 2


@pytest.mark.parametrize("fs", RATES)
def test_sustained_drop_needs_exactly_300_s_of_samples(fs):
    need = math.ceil(300 * fs)
    x = np.full(round(3600 * fs), 95.0)
    x[100 : 100 + need] = 89.0  # 95 - 89 = 6 > 5
    x[need + 500 : 2 * need + 499] = 89.0  # one sample short
    m, _ = summarize(x, fs)
    assert len(m.sustained_desaturations) == 1
    assert m.sustained_desaturations[0].end_s - m.sustained_desaturations[
        0
    ].start_s == pytest.approx(need / fs)
    assert m.drop5_min == pytest.approx((2 * need - 1) / fs / 60)


@pytest.mark.parametrize("fs", RATES)
def test_drop_is_more_than_five_points_below_rounded_baseline(fs):
    # Baseline 94.6 rounds to 95: 90 is exactly 5 below (no drop), 89.4 -> 89 is 6 below.
    x = night(fs, [(600, 720, 90.0), (1200, 1320, 89.4), (1800, 1920, 89.5)], 3600)
    m, _ = summarize(x, fs, baseline=94.6)
    assert m.drop5_min == pytest.approx(2.0)
    assert m.awake_baseline_pct == 94.6


def test_no_baseline_gives_no_drop_figures():
    x = night(1.0, [(600, 1200, 80.0)], 3600)
    m, _ = summarize(x, 1.0, baseline=None)
    assert m.drop5_min is None and m.longest_drop5_min is None
    assert m.sustained_desaturations == ()
    assert m.awake_baseline_source is None


def test_window_restricts_everything_and_events_count_by_start():
    fs = 1.0
    x = night(fs, [(100, 200, 85.0), (2000, 2100, 85.0)], 3600)
    window = np.zeros(x.shape, bool)
    window[1800:3600] = True
    inside = Event("odi3", 1990.0, 2030.0)
    before = Event("odi3", 1790.0, 1830.0)  # starts outside W, ends inside: not counted
    m, le88 = summarize(x, fs, window=window, odi3=(inside, before), odi4=(inside,))
    assert m.duration_min == pytest.approx(30.0)
    assert m.valid_min == pytest.approx(30.0)
    assert m.t_le88_min == pytest.approx(100 / 60)
    assert m.odi3_count == 1 and m.odi4_count == 1
    assert m.odi3_per_h == pytest.approx(2.0)  # 1 event / 0.5 h of valid time
    assert [e.start_s for e in le88] == [2000.0]


def test_odi_rate_denominator_is_valid_time():
    fs = 1.0
    x = np.full(7200, 95.0)
    valid = np.ones(7200, bool)
    valid[:3600] = False
    events = tuple(Event("odi4", float(s), float(s + 20)) for s in range(3700, 7000, 600))
    m, _ = summarize(x, fs, valid=valid, odi3=events, odi4=events)
    assert m.odi4_count == len(events) == 6
    assert m.odi4_per_h == pytest.approx(6.0)  # per hour of valid time, not of recording
    assert m.duration_min == pytest.approx(120.0) and m.valid_min == pytest.approx(60.0)


def test_all_invalid_window_gives_none_not_zero_division():
    x = np.full(600, np.nan)
    m, le88 = summarize(x, 1.0, valid=np.zeros(600, bool))
    assert m.valid_min == 0.0
    assert m.t_le88_pct is None and m.t_lt90_pct is None
    assert m.odi3_per_h is None and m.odi4_per_h is None
    assert m.nadir_pct is None and m.mean_pct is None and m.median_pct is None
    assert m.longest_le88_start_s is None
    assert le88 == ()


def test_nadir_mean_use_unrounded_values_and_first_nadir_time():
    x = np.array([95.2, 93.7, 90.3, 90.3, 96.0] * 10)
    m, _ = summarize(x, 2.0)
    assert m.nadir_pct == 90.3 and m.nadir_s == pytest.approx(1.0)
    assert m.mean_pct == pytest.approx(x.mean())
    assert m.median_pct == pytest.approx(93.7)


def test_pulse_statistics_over_the_values_given():
    x = np.full(100, 95.0)
    m, _ = summarize(x, 1.0, pulse_values=np.array([70.0, np.nan, 72.0, 81.0]))
    assert (m.pulse_min_bpm, m.pulse_max_bpm) == (70.0, 81.0)
    assert m.pulse_mean_bpm == pytest.approx(223 / 3)
    m2, _ = summarize(x, 1.0, pulse_values=np.array([np.nan]))
    assert (m2.pulse_min_bpm, m2.pulse_mean_bpm, m2.pulse_max_bpm) == (None, None, None)
    m3, _ = summarize(x, 1.0)
    assert m3.pulse_min_bpm is None


def test_awake_baseline_is_unrounded_median_or_none():
    x = np.array([96.0, 95.0, np.nan, 94.0, 97.0])
    mask = np.array([True, True, True, True, False])
    assert awake_baseline(x, mask) == 95.0
    assert awake_baseline(np.array([94.0, 95.0]), np.ones(2, bool)) == 94.5
    assert awake_baseline(x, np.zeros(5, bool)) is None


def test_mismatched_shapes_and_bad_rate_are_refused():
    with pytest.raises(OximetryError, match="equal length"):
        summarize_window(
            np.ones(5), np.ones(4, bool), np.ones(5, bool), 1.0, kind="sleep",
            awake_baseline_pct=None, awake_baseline_source=None, odi3_events=(),
            odi4_events=(), drop_pts=5, sustained_min_s=300,
        )  # fmt: skip
    with pytest.raises(OximetryError, match="sampling rate"):
        summarize(np.ones(5), 0.0)


signals = st.lists(
    st.one_of(st.floats(80, 100), st.just(float("nan"))), min_size=1, max_size=400
).map(np.array)


@settings(max_examples=60, deadline=None)
@given(x=signals, fs=st.sampled_from(RATES), data=st.data())
def test_properties_minutes_bounded_and_missing_data_never_adds(x, fs, data):
    valid = np.isfinite(x)
    window = np.array(data.draw(st.lists(st.booleans(), min_size=x.size, max_size=x.size)))
    m, _ = summarize(x, fs, valid=valid, window=window)
    assert m.t_le88_min <= m.t_lt90_min <= m.valid_min + 1e-12
    assert m.t_lt90_min <= m.t_le90_min <= m.valid_min + 1e-12
    assert m.valid_min <= m.duration_min + 1e-12
    assert m.longest_le88_min <= m.t_le88_min + 1e-12
    assert m.longest_drop5_min <= m.drop5_min + 1e-12
    # Invalidate some more samples: no count or run may grow.
    drop = np.array(data.draw(st.lists(st.booleans(), min_size=x.size, max_size=x.size)))
    x2 = x.copy()
    x2[drop] = np.nan
    m2, _ = summarize(x2, fs, valid=valid & ~drop, window=window)
    for key in ("valid_min", "t_le88_min", "t_lt90_min", "t_le90_min", "longest_le88_min",
                "drop5_min", "longest_drop5_min"):  # fmt: skip
        assert getattr(m2, key) <= getattr(m, key) + 1e-12, key
    # (Event counts may grow: one invalid sample can split a 10-minute run into two.)
    sustained_min = sum(e.duration_s for e in m.sustained_desaturations) / 60
    assert sustained_min <= m.drop5_min + 1e-9


@settings(max_examples=200, deadline=None)
@given(
    x=st.one_of(
        st.floats(1, 200, allow_nan=False),
        st.sampled_from([88.5, 89.5, 90.5, 88.49999999999999, 63.5, 64.0, 127.5]),
        st.integers(1, 150).map(lambda v: v + 0.5),
    ),
    limit=st.one_of(st.integers(1, 150), st.floats(1, 150)),
)
def test_rounded_below_is_floor_x_plus_half_below(x, limit):
    assert bool(rounded_below(np.array([x]), limit)[0]) == (math.floor(x + 0.5) < limit)


def test_sustained_drop_times_in_a_window_that_starts_late():
    fs = 4.0
    x = night(fs, [(4000, 4400, 85.0)], 7200)
    window = np.zeros(x.shape, bool)
    window[round(3600 * fs) :] = True
    m, le88 = summarize(x, fs, window=window, kind="sleep")
    (ev,) = m.sustained_desaturations
    assert (ev.start_s, ev.end_s, ev.nadir_s, ev.window) == (4000.0, 4400.0, 4000.0, "sleep")
    assert [(e.start_s, e.end_s) for e in le88] == [(4000.0, 4400.0)]
    assert m.longest_le88_start_s == 4000.0
    assert m.nadir_s == 4000.0


@pytest.mark.parametrize("layout", ["noisy", "held", "two_levels", "sample_misleads"])
def test_long_window_figures_equal_those_of_the_compacted_array(layout):
    # > 4 × 65,536 valid samples: the chunked path (pairwise-sum tree, median band) runs
    rng = np.random.default_rng(5)
    n = 700_003
    if layout == "noisy":
        x = 93.0 + rng.normal(0.0, 2.0, n)
    elif layout == "held":
        x = np.repeat(np.round(94.0 + rng.normal(0.0, 2.0, n // 256 + 1)), 256)[:n]
    elif layout == "two_levels":  # the median is the upper of two tied levels
        x = np.where(rng.random(n) < 0.499, 94.0, 95.0)
    else:  # the strided sample sees only 60 %, most values are 97 %: the band misses
        x = np.full(n, 97.0) + rng.uniform(0.0, 0.4, n)
        x[1000 :: (n - 1000) // 8192] = 60.0
    valid = rng.random(n) > 0.02
    window = np.ones(n, bool)
    window[:1000] = False
    m, _ = summarize(x, 256.0, valid=valid, window=window)
    values = x[valid & window]
    assert m.mean_pct == float(values.mean())  # bit-identical, not just close
    assert m.median_pct == float(np.median(values))
    assert m.nadir_pct == float(values.min())
    assert m.t_lt90_min == np.count_nonzero(np.floor(values + 0.5) < 90) / 256.0 / 60.0
    assert m.t_le90_min == np.count_nonzero(np.floor(values + 0.5) <= 90) / 256.0 / 60.0


@pytest.mark.parametrize("fs", (0.25, 4.0))
def test_drop_below_the_windows_mean_hand_computed(fs):
    # Medicare Group I-3: baseline = mean of the window's valid samples, unrounded; a sample
    # counts when its value and its rounded value are both more than 5 points below it.
    spans = [
        (1000, 1600, 88.0),  # 600 s, counts
        (4000, 4240, 89.4),  # rounds to 89 (below the limit) but 89.4 is not: never counts
        (6000, 6120, 89.55),  # rounds to 90: does not count
        (8000, 8060, 89.7),  # does not count
        (9000, 9600, 80.0),  # invalid: out of the mean and of the minutes
        (10000, 10300, 88.0),  # 300 s, counts
        (12000, 12120, 89.3),  # 120 s, just below the limit 89.326..., counts
    ]
    x = night(fs, spans, 4 * 3600)
    valid = np.ones(x.shape, bool)
    valid[round(9000 * fs) : round(9600 * fs)] = False
    m, _ = summarize(x, fs, valid=valid, kind="sleep")
    # by hand: 13800 s valid; points below 95: 7*600 + 5.6*240 + 5.45*120 + 5.3*60 + 7*300 +
    # 5.7*120 = 9300, so the mean is 95 - 9300/13800 and the limit that mean - 5 = 89.326...
    assert m.mean_pct == pytest.approx(95 - 9300 / 13800)
    assert m.drop5_from_mean_min == pytest.approx((600 + 300 + 120) / 60)
    assert m.longest_drop5_from_mean_min == pytest.approx(10.0)
    # the awake-baseline drop (b = 95, r < 90) is a different figure: it also counts 89.4
    assert m.drop5_min == pytest.approx((600 + 240 + 300 + 120) / 60)
    awake, _ = summarize(x, fs, valid=valid, kind="awake")
    assert awake.drop5_from_mean_min is None and awake.longest_drop5_from_mean_min is None


@pytest.mark.parametrize("fs", (5.0, 7.0, 10.0, 20.0))
def test_whole_minutes_are_written_whole(fs):
    # 15 min at 86 % in a 2-hour night: 15.0 min exactly, as the tables count it. Multiplied by
    # 1 / (fs * 60) it was 15.000000000000002 at 5 Hz, which summary.json wrote 15.000001
    # beside the saturation bands' 15.0 (never rounding a figure onto a whole it is not)
    x = night(fs, [(1800, 2700, 86.0)], 7200, base=96.0)
    m, _ = summarize(x, fs, baseline=96.0)
    assert m.duration_min == m.valid_min == 120.0
    assert m.t_le88_min == m.t_lt90_min == m.t_le90_min == m.longest_le88_min == 15.0
    assert m.drop5_min == m.longest_drop5_min == 15.0
    assert m.drop5_from_mean_min == m.longest_drop5_from_mean_min == 15.0


def test_whole_seconds_at_a_rate_not_binary_are_whole_minutes() -> None:
    """630 samples at 0.7 Hz are 900 s: 15.0 min, not 15.000000000000002.

    ``count / fs`` gave 900.0000000000001 s, and summary.json, never rounding a figure onto a
    whole it is not, wrote 15.000001 beside 15.0 min in the tables (review of hunt 14).
    """
    from oximetry.metrics.runs import sample_minutes
    from oximetry.report.summary import round_figure

    assert sample_minutes(630, 0.7) == 15.0
    assert round_figure(sample_minutes(630, 0.7)) == 15.0
    assert sample_minutes(631, 0.7) == 631 / 0.7 / 60  # not whole seconds: unchanged
    w, _ = summarize(np.full(630, 86.0), 0.7)
    assert w.valid_min == 15.0 and w.t_le88_min == 15.0
