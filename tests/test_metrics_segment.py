"""SPEC §6 segment figures: median, nadir, sustained nadir (lowest level held for 10 s)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oximetry.metrics import summarize_segment
from oximetry.metrics.runs import longest_run, samples_at_least, sliding_max
from oximetry.spans import find_runs as runs

RATES = (0.25, 1.0, 4.0, 25.0)


def segment(x, fs, valid=None, window=None, **kw):
    valid = np.ones(x.shape, bool) if valid is None else valid
    window = np.ones(x.shape, bool) if window is None else window
    return summarize_segment(x, valid, window, fs, **kw)


@pytest.mark.parametrize("fs", RATES)
def test_sustained_nadir_is_the_level_held_for_10_s(fs):
    width = math.ceil(10 * fs)  # 3 samples (12 s) at 0.25 Hz
    x = np.full(round(360 * fs), 95.0)
    x[round(60 * fs)] = 80.0  # one low sample: the nadir, not the sustained nadir
    a = round(120 * fs)
    x[a : a + width] = 87.0  # held exactly 10 s (whole samples)
    # fallen to and risen from gradually (4 points a second: a second at 91 % either side): an
    # instant fall or rise would be an artifact edge, measured over a second above 1 Hz
    second = max(1, round(fs))
    x[a - second : a] = x[a + width : a + width + second] = 91.0
    b = round(240 * fs)
    x[b : b + width - 1] = 85.0  # one sample short of 10 s
    m = segment(x, fs)
    assert m.nadir_pct == 80.0 and m.nadir_s == pytest.approx(60.0)
    assert m.sustained_nadir_pct == 87.0
    assert m.median_pct == 95.0
    assert m.duration_min == pytest.approx(6.0) and m.valid_min == pytest.approx(6.0)


@pytest.mark.parametrize("fs", RATES)
def test_sustained_nadir_windows_must_be_all_valid_and_inside_the_segment(fs):
    width = math.ceil(10 * fs)
    x = np.full(round(300 * fs), 95.0)
    a = round(100 * fs)
    x[a : a + width] = 86.0
    valid = np.ones(x.shape, bool)
    valid[a + width // 2] = False  # breaks the only 10 s at 86
    m = segment(x, fs, valid=valid)
    assert m.sustained_nadir_pct == 95.0
    assert m.nadir_pct == 86.0
    window = np.zeros(x.shape, bool)
    window[a + 1 : round(200 * fs)] = True  # the segment starts inside the low span
    m = segment(x, fs, window=window)
    assert m.sustained_nadir_pct == 95.0


def test_sustained_nadir_is_the_max_of_the_best_window_not_a_rounded_value():
    x = np.array([96, 95, 90.4, 89.6, 90.2, 89.9, 90.0, 90.1, 89.7, 90.3, 90.2, 90.1, 93, 96.0])
    m = segment(x, 1.0)
    assert m.sustained_nadir_pct == 90.4  # the only 10 s below 95: samples 2..11, max 90.4
    assert m.nadir_pct == 89.6 and m.nadir_s == 3.0


def test_sustained_nadir_none_when_less_than_10_s_of_valid_data():
    x = np.full(9, 85.0)
    m = segment(x, 1.0)
    assert m.sustained_nadir_pct is None
    assert m.nadir_pct == 85.0
    m = segment(np.full(30, np.nan), 1.0, valid=np.zeros(30, bool))
    assert (m.median_pct, m.nadir_pct, m.nadir_s, m.sustained_nadir_pct) == (None,) * 4
    assert m.valid_min == 0.0 and m.duration_min == pytest.approx(0.5)


def test_segment_pulse_statistics():
    m = segment(np.full(20, 95.0), 1.0, pulse_values=np.linspace(100, 119, 20))
    assert (m.pulse_min_bpm, m.pulse_max_bpm) == (100.0, 119.0)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(50, 100), min_size=1, max_size=300),
    width=st.integers(1, 40),
)
def test_sliding_max_matches_brute_force(values, width):
    x = np.array(values)
    got = sliding_max(x, width)
    want = np.array([x[s : s + width].max() for s in range(x.size - width + 1)])
    np.testing.assert_array_equal(got, want)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.booleans(), max_size=200))
def test_runs_and_longest_run_match_brute_force(flags):
    mask = np.array(flags, dtype=bool)
    starts, ends = runs(mask)
    rebuilt = np.zeros(mask.shape, bool)
    for s, e in zip(starts, ends, strict=True):
        assert e > s
        rebuilt[s:e] = True
    np.testing.assert_array_equal(rebuilt, mask)
    assert np.all(starts[1:] > ends[:-1])  # maximal: separated by at least one False
    length, start = longest_run(mask)
    best = max((e - s for s, e in zip(starts, ends, strict=True)), default=0)
    assert length == best
    assert (start is None) == (best == 0)


@pytest.mark.parametrize(
    ("seconds", "fs", "samples"),
    [(300, 0.25, 75), (300, 1, 300), (300, 25, 7500), (10, 0.25, 3), (10, 3, 30), (30, 0.3, 9)],
)
def test_samples_at_least(seconds, fs, samples):
    assert samples_at_least(seconds, fs) == samples


def test_artifact_breaking_a_dip_leaves_its_level_to_the_lower_bound():
    """A 2-min dip at 85 % with one invalid sample every 8 s: no 10 s run of it is all valid.

    The sustained nadir (all-valid runs) is 95 %, as if there were no dip; its lower bound, each
    run's maximum over its valid samples, is 85 %. Without artifact the two agree.
    """
    x = np.full(360, 95.0)
    x[120:240] = 85.0
    x[240:242] = (88.0, 91.0)  # a recovery, not an instant rise (an artifact's edge)
    valid = np.ones(360, bool)
    valid[120:240:8] = False
    m = segment(x, 1.0, valid)
    assert m.sustained_nadir_pct == 95.0
    assert m.sustained_nadir_low_pct == 85.0
    clean = segment(x, 1.0)
    assert clean.sustained_nadir_pct == clean.sustained_nadir_low_pct == 85.0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(80, 100), min_size=5, max_size=80),
    st.lists(st.booleans(), min_size=80, max_size=80),
    st.sampled_from(RATES),
)
def test_nadir_le_lower_bound_le_sustained_nadir(values, ok, fs):
    x = np.asarray(values, dtype=float)
    m = segment(x, fs, np.asarray(ok[: x.size]))
    if m.sustained_nadir_pct is not None:
        assert m.nadir_pct <= m.sustained_nadir_low_pct <= m.sustained_nadir_pct
    if m.sustained_nadir_low_pct is not None:
        assert m.nadir_pct <= m.sustained_nadir_low_pct
