"""One rule for runs, spans and span masks (oximetry.spans), at whole and odd rates."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from oximetry.spans import find_runs, run_spans, span_indices, spans_mask

ODD_RATES = (1.0, 3.0, 7.0, 12.5, 25.0, 1 / 3, 0.3, 128.0, 29.97)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.booleans(), max_size=300))
def test_find_runs_rebuilds_the_mask(flags):
    mask = np.array(flags, dtype=bool)
    starts, ends = find_runs(mask)
    rebuilt = np.zeros(mask.shape, bool)
    assert np.all(ends > starts)
    assert np.all(starts[1:] > ends[:-1])  # maximal: runs never touch
    for s, e in zip(starts, ends, strict=True):
        rebuilt[s:e] = True
    np.testing.assert_array_equal(rebuilt, mask)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.booleans(), max_size=300), st.sampled_from(ODD_RATES))
def test_runs_to_spans_and_back_at_odd_rates(flags, fs):
    mask = np.array(flags, dtype=bool)
    spans = run_spans(*find_runs(mask), fs)
    np.testing.assert_array_equal(spans_mask(spans, fs, mask.size), mask)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(ODD_RATES),
    st.integers(0, 400),
    st.integers(0, 400),
    st.integers(1, 300),
)
def test_span_mask_holds_exactly_the_samples_whose_time_lies_in_the_span(fs, a, b, n):
    # spans given as tenths of a second, where i / fs and a * fs disagree in the last bit
    start_s, end_s = min(a, b) / 10, max(a, b) / 10
    got = spans_mask([(start_s, end_s)], fs, n)
    t = np.array([i / fs for i in range(n)])
    want = (t >= start_s - 1e-9 / fs) & (t < end_s - 1e-9 / fs)
    np.testing.assert_array_equal(got, want)
    if got.any():
        first = int(np.argmax(got))
        assert span_indices(start_s, end_s, fs, n) == (first, first + int(got.sum()))


def test_one_third_second_at_three_hz_is_one_sample():
    # 1/3 s at 3 Hz: a * fs is 1.0000000000000002, yet sample 1 lies at 1/3 s
    assert span_indices(1 / 3, 2 / 3, 3.0, 10) == (1, 2)
    assert spans_mask([(1 / 3, 2 / 3)], 3.0, 4).tolist() == [False, True, False, False]


def test_a_sample_far_into_a_long_recording_is_placed_where_it_lies():
    """Sample 26 214 890 at 100 Hz (72.8 h in, a recording of up to 50 million samples) lies at
    262 148.9 s, which times 100 is a hair above the sample's index in floats: the span of a run
    starting there began one sample late, and one ending there took a sample more (hunt 13)."""
    for fs, i in (
        (100.0, 26_214_890),
        (50.0, 26_214_528),
        (75.0, 19_662_471),
        (1000.0, 32_768_243),
    ):
        assert span_indices(i / fs, (i + 3) / fs, fs, i + 10) == (i, i + 3)
        mask = np.zeros(i + 10, dtype=bool)
        mask[i : i + 3] = True
        spans = run_spans(*find_runs(mask), fs)
        assert np.flatnonzero(spans_mask(spans, fs, mask.size)).tolist() == [i, i + 1, i + 2]
