"""The ODI detector (SPEC §7): hand-built cases at several rates and a per-sample oracle."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from oximetry.errors import OximetryError
from oximetry.metrics.odi import detect_desaturations
from oximetry.metrics.odi_reference import detect_desaturations_reference
from oximetry.settings import OdiSettings

ODI = OdiSettings()


def oracle(x, valid, fs, k, odi=ODI):
    """SPEC §7 read literally, one sample at a time (the package's reference; small signals)."""
    return as_tuples(detect_desaturations_reference(x, valid, fs, k, odi), fs)


def as_tuples(events, fs):
    return [
        (round(e.start_s * fs), round(e.end_s * fs), e.baseline_pct, e.nadir_pct) for e in events
    ]


def dips(fs, n_events, *, base=96.0, depth=6.0, length_s=30.0, period_s=90.0, lead_s=150.0):
    """A night with ``n_events`` V-shaped dips of ``depth`` points lasting ``length_s``."""
    total = lead_s + n_events * period_s
    t = np.arange(round(total * fs)) / fs
    x = np.full(t.shape, base)
    for e in range(n_events):
        u = (t - lead_s - e * period_s) / length_s  # 0..1 within the dip
        inside = (u >= 0) & (u < 1)
        x[inside] = base - depth * (1 - np.abs(2 * u[inside] - 1))
    return x


@pytest.mark.parametrize("fs", [1.0, 25.0])
def test_more_than_150_desaturations_all_counted(fs):
    x = dips(fs, 160)
    valid = np.ones(x.shape, bool)
    for k, kind in ((3, "odi3"), (4, "odi4")):
        events = detect_desaturations(x, valid, fs, k, ODI)
        assert len(events) == 160  # pobm stops at 127
        assert {e.type for e in events} == {kind}
        assert all(e.window is None for e in events)
        assert all(
            e.baseline_pct == 96.0 and e.nadir_pct == pytest.approx(90.0, abs=0.3) for e in events
        )
        assert all(e.drop_pct == pytest.approx(e.baseline_pct - e.nadir_pct) for e in events)
        assert all(e.start_s <= e.nadir_s < e.end_s for e in events)


@pytest.mark.parametrize("fs", [0.25, 1.0, 4.0, 25.0])
def test_event_of_10_s_counts_and_9_s_does_not(fs):
    # Plateaus at 92 (4 below 96) of ceil(10 fs) and ceil(10 fs) - 1 samples.
    need = math.ceil(10 * fs)
    x = np.full(round(600 * fs), 96.0)
    a = round(200 * fs)
    b = round(400 * fs)
    x[a : a + need] = 92.0
    x[b : b + need - 1] = 92.0
    events = detect_desaturations(x, np.ones(x.shape, bool), fs, 4, ODI)
    assert [(e.start_s, e.end_s) for e in events] == [(a / fs, (a + need) / fs)]


@pytest.mark.parametrize("fs", [0.25, 1.0, 4.0, 25.0])
def test_baseline_needs_30_s_of_valid_data(fs):
    need = math.ceil(30 * fs)
    # 96 then 80: no event can start before 30 s of baseline data exist; once they do, the
    # median is 96 while the 96s are the majority.
    for lead, start in ((need - 1, need), (need, need), (need // 2 - 1, None)):
        x = np.full(lead + round(60 * fs), 80.0)
        x[:lead] = 96.0
        events = detect_desaturations(x, np.ones(x.shape, bool), fs, 3, ODI)
        assert [e.start_s for e in events] == ([] if start is None else [start / fs])
    # Invalid samples inside the 120 s do not count towards the 30 s: with one valid sample
    # short, the dip's first sample cannot start an event (its second can: the first joined).
    x = np.full(round(200 * fs), 96.0)
    x[round(120 * fs) :] = 88.0
    valid = np.ones(x.shape, bool)
    valid[: round(120 * fs) - need + 1] = False
    (event,) = detect_desaturations(x, valid, fs, 3, ODI)
    assert event.start_s == pytest.approx(120 + 1 / fs)
    valid[round(120 * fs) - need] = True
    (event,) = detect_desaturations(x, valid, fs, 3, ODI)
    assert event.start_s == pytest.approx(120)


@pytest.mark.parametrize("fs", [1.0, 4.0])
def test_counted_events_are_excluded_from_later_baselines(fs):
    # A: 60 s at 89 (counted). 20 s at 95, then B: 15 s at 92. B's window holds 60 s of 95 and
    # A; without A the median is 95 (B counts); with A it would be 92 (B would not).
    spans = [(0, 200, 95.0), (200, 260, 89.0), (260, 280, 95.0), (280, 295, 92.0), (295, 400, 95.0)]
    x = np.concatenate([np.full(round((e - s) * fs), v) for s, e, v in spans])
    events = detect_desaturations(x, np.ones(x.shape, bool), fs, 3, ODI)
    assert [(e.start_s, e.end_s, e.baseline_pct) for e in events] == [
        (200.0, 260.0, 95.0),
        (280.0, 295.0, 95.0),
    ]


def test_odi3_and_odi4_exclude_only_their_own_events():
    # A: 60 s at 92 is an ODI3 event only. B: 15 s at 91 after it. ODI3 excludes A, so B is 4
    # below a baseline of 95; ODI4 keeps A in its baseline (median 93.5) and B is not 4 below.
    spans = [(0, 200, 95.0), (200, 260, 92.0), (260, 280, 95.0), (280, 295, 91.0), (295, 400, 95.0)]
    x = np.concatenate([np.full(e - s, v) for s, e, v in spans])
    valid = np.ones(x.shape, bool)
    odi3 = detect_desaturations(x, valid, 1.0, 3, ODI)
    odi4 = detect_desaturations(x, valid, 1.0, 4, ODI)
    assert [e.start_s for e in odi3] == [200.0, 280.0]
    assert odi4 == ()


def test_event_ends_at_invalid_data_and_at_recovery_to_half_depth():
    x = np.full(400, 96.0)
    x[200:230] = 92.0
    x[230:240] = 94.4  # still below 96 - 1.5
    x[240:] = 94.5  # back to baseline - k/2: the event ends here
    ev = detect_desaturations(x, np.ones(400, bool), 1.0, 3, ODI)
    assert [(e.start_s, e.end_s) for e in ev] == [(200.0, 240.0)]
    valid = np.ones(400, bool)
    valid[215] = False
    ev = detect_desaturations(x, valid, 1.0, 3, ODI)
    assert [(e.start_s, e.end_s) for e in ev] == [(200.0, 215.0), (216.0, 240.0)]


def test_rounding_decides_the_start():
    # Baseline 96; 93.4 rounds to 93 (3 below: an event), 93.5 rounds to 94 (not).
    for value, expected in ((93.4, 1), (93.5, 0)):
        x = np.full(300, 96.0)
        x[150:170] = value
        assert len(detect_desaturations(x, np.ones(300, bool), 1.0, 3, ODI)) == expected


def test_event_running_to_the_end_of_the_recording_counts():
    x = np.full(200, 96.0)
    x[180:] = 90.0
    (ev,) = detect_desaturations(x, np.ones(200, bool), 1.0, 3, ODI)
    assert (ev.start_s, ev.end_s) == (180.0, 200.0)


def test_empty_and_all_invalid_give_no_events_and_bad_input_is_refused():
    assert detect_desaturations(np.array([]), np.array([], bool), 1.0, 3, ODI) == ()
    assert detect_desaturations(np.full(500, np.nan), np.zeros(500, bool), 1.0, 3, ODI) == ()
    with pytest.raises(OximetryError, match="equal length"):
        detect_desaturations(np.ones(5), np.ones(6, bool), 1.0, 3, ODI)
    with pytest.raises(OximetryError, match="sampling rate"):
        detect_desaturations(np.ones(5), np.ones(5, bool), -1.0, 3, ODI)
    with pytest.raises(OximetryError, match="depth"):
        detect_desaturations(np.ones(5), np.ones(5, bool), 1.0, 0, ODI)


SHORT = OdiSettings(baseline_window_s=40.0, min_baseline_s=10.0, min_event_s=3.0)


@pytest.mark.parametrize(
    ("seed", "fs", "seconds", "odi"),
    [
        (0, 0.25, 7200, ODI),
        (1, 1.0, 3600, ODI),
        (2, 4.0, 1800, ODI),
        (3, 10.0, 900, ODI),
        (6, 64.0, 300, SHORT),  # 2560-sample windows
        (7, 100.0, 200, SHORT),
    ],
)
def test_matches_the_per_sample_oracle_on_random_walks(seed, fs, seconds, odi):
    rng = np.random.default_rng(seed)
    n = round(seconds * fs)
    x = np.clip(95 + np.cumsum(rng.normal(0, 1.5 / math.sqrt(fs), n)), 60, 100)
    x = np.round(x * 4) / 4  # hit the rounding boundaries
    valid = np.ones(n, bool)
    for start in rng.integers(0, n, 4):
        valid[start : start + rng.integers(1, max(2, round(5 * fs)))] = False
    x[~valid] = np.nan
    total = 0
    for k in (3, 4):
        got = as_tuples(detect_desaturations(x, valid, fs, k, odi), fs)
        assert got == oracle(x, valid, fs, k, odi)
        total += len(got)
    assert total > 0  # the comparison saw events


@settings(max_examples=40, deadline=None)
@given(
    steps=st.lists(st.integers(-3, 3), min_size=50, max_size=600),
    holes=st.lists(st.integers(0, 599), max_size=10),
    fs=st.sampled_from([0.25, 0.5, 1.0]),
    k=st.sampled_from([3, 4]),
)
def test_property_matches_oracle(steps, holes, fs, k):
    x = np.clip(95 + 0.5 * np.cumsum(steps), 50, 100).astype(float)
    valid = np.ones(x.shape, bool)
    valid[[h for h in holes if h < x.size]] = False
    odi = OdiSettings(baseline_window_s=60.0, min_baseline_s=10.0, min_event_s=4.0)
    got = as_tuples(detect_desaturations(x, valid, fs, k, odi), fs)
    assert got == oracle(x, valid, fs, k, odi)


def test_several_depths_at_once_equal_one_call_each():
    from oximetry.metrics.odi import detect_desaturations_at

    rng = np.random.default_rng(8)
    fs = 25.0
    x = np.repeat(95.0 + rng.normal(0.0, 0.8, 3600), 25)
    for t in range(200, 3400, 97):  # dips of 3-7 points lasting 15 s
        x[t * 25 : (t + 15) * 25] -= rng.uniform(3.0, 7.0)
    valid = rng.random(x.size) > 0.001
    both = detect_desaturations_at(x, valid, fs, (3, 4), ODI)
    assert both[0] == detect_desaturations(x, valid, fs, 3, ODI)
    assert both[1] == detect_desaturations(x, valid, fs, 4, ODI)
    assert len(both[0]) > 10 and len(both[1]) > 5


# --- Candidate runs (held values, long nights, block edges) ---


def held_night(rng, fs, seconds, *, update_s=1.0, dip_every_s=144.0, noise=0.4):
    """Oximeter readings every ``update_s`` held at ``fs``: a wandering baseline, dips, gaps."""
    n1 = int(seconds / update_s) + 1
    base = 95.0 + np.cumsum(rng.normal(0, 0.05, n1)) + rng.normal(0, noise, n1)
    t = 30
    while True:
        t += int(rng.exponential(dip_every_s / update_s)) + 20
        if t + 60 >= n1:
            break
        depth = rng.uniform(2.0, 9.0)
        shape = np.concatenate(
            [np.linspace(0, depth, int(rng.integers(3, 30))), np.linspace(depth, 0, 8)]
        )
        base[t : t + shape.size] -= shape
    idx = np.minimum((np.arange(round(seconds * fs)) / fs / update_s).astype(int), n1 - 1)
    x = np.round(base[idx] * 2) / 2
    valid = np.ones(x.shape, bool)
    for start in rng.integers(0, x.size, 3):
        valid[start : start + int(rng.integers(1, round(min(40, seconds / 40) * fs)))] = False
    x[~valid] = np.nan
    return x, valid


@pytest.mark.slow
@pytest.mark.parametrize(
    ("seed", "fs", "seconds", "update_s", "odi"),
    [
        (11, 25.0, 1200, 1.0, SHORT),
        (12, 25.0, 900, 1.0, ODI),
        # 3072-sample windows
        (13, 256.0, 120, 0.25, OdiSettings(baseline_window_s=12, min_baseline_s=3, min_event_s=1)),
    ],
)
def test_held_values_match_the_oracle(seed, fs, seconds, update_s, odi):
    rng = np.random.default_rng(seed)
    x, valid = held_night(rng, fs, seconds, update_s=update_s, dip_every_s=30 * update_s)
    total = 0
    for k in (3, 4):
        got = as_tuples(detect_desaturations(x, valid, fs, k, odi), fs)
        assert got == oracle(x, valid, fs, k, odi)
        total += len(got)
    assert total > 4


def _without_candidate_filter(monkeypatch):
    """Make the whole recording one candidate run: the scan then visits every sample."""
    from oximetry.metrics import odi as odi_module

    def everything(codes, n, win, k, size_bound):
        return np.array([0], dtype=np.int64), np.array([n], dtype=np.int64)

    monkeypatch.setattr(odi_module, "_candidate_runs", everything)


@pytest.mark.slow
@pytest.mark.parametrize(("fs", "hours"), [(10.0, 8.0), (25.0, 8.0), (256.0, 1.0)])
def test_long_held_nights_equal_the_scan_without_the_candidate_filter(monkeypatch, fs, hours):
    # The candidate runs only leave out samples that cannot start an event; without them the
    # detector scans every sample, as on the oracle tests' whole-recording runs. Both must give
    # identical events.
    from oximetry.metrics.odi import detect_desaturations_at

    rng = np.random.default_rng(int(fs))
    x, valid = held_night(rng, fs, hours * 3600)
    fast = detect_desaturations_at(x, valid, fs, (3, 4), ODI)
    with monkeypatch.context() as m:
        _without_candidate_filter(m)
        slow = detect_desaturations_at(x, valid, fs, (3, 4), ODI)
    assert fast == slow
    assert len(fast[0]) > 10 * hours and len(fast[1]) > 5 * hours


@pytest.mark.parametrize("fs", [4.0, 25.0])
@pytest.mark.parametrize("shift", [-1, 0, 1])
def test_events_at_block_edges_match_the_oracle(fs, shift):
    # Candidate blocks hold win // 8 samples. Dips start one sample before, at and after block
    # edges, and end so that the windows holding them end near block edges too.
    odi = OdiSettings(baseline_window_s=40.0, min_baseline_s=10.0, min_event_s=3.0)
    win = math.floor(40.0 * fs + 1e-9)
    size = win // 8
    x = np.full(round(600 * fs), 95.0)
    starts = [size * m + shift for m in (10, 18, 27, 31, 44, 52, 60)]
    lengths = [round(4 * fs), 3 * size, round(3 * fs), size - 1, 2 * size + 1, size, 4 * size]
    for s, length, depth in zip(starts, lengths, (3, 4, 5, 3, 6, 4, 3), strict=True):
        x[s : s + length] = 95.0 - depth
    x[starts[3] + round(4 * fs) : starts[3] + round(6 * fs)] = 93.4  # a dip with no event
    valid = np.ones(x.shape, bool)
    for k in (3, 4):
        got = as_tuples(detect_desaturations(x, valid, fs, k, odi), fs)
        assert got == oracle(x, valid, fs, k, odi)
        assert len(got) >= 3


@settings(max_examples=30, deadline=None)
@given(
    runs=st.lists(
        st.tuples(st.integers(80, 99), st.integers(1, 40), st.booleans()),
        min_size=20,
        max_size=120,
    ),
    fs=st.sampled_from([1.0, 4.0, 25.0]),
    k=st.sampled_from([3, 4]),
)
def test_property_held_runs_match_oracle(runs, fs, k):
    # Runs of held whole-percent values (each 1-40 quarter-seconds long), some invalid.
    odi = OdiSettings(baseline_window_s=20.0, min_baseline_s=5.0, min_event_s=2.0)
    lengths = [max(1, round(q * fs / 4)) for _, q, _ in runs]
    x = np.repeat([float(v) for v, _, _ in runs], lengths)
    valid = np.repeat([ok or i % 7 for i, (_, _, ok) in enumerate(runs)], lengths).astype(bool)
    got = as_tuples(detect_desaturations(x, valid, fs, k, odi), fs)
    assert got == oracle(x, valid, fs, k, odi)


# --- The candidate bound: no sample outside the candidate runs can start an event ---


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.one_of(st.integers(40, 100), st.just(-1)), min_size=1, max_size=300),
    win=st.integers(1, 60),
    min_base=st.integers(1, 60),
)
def test_window_bound_is_at_least_every_windows_ranked_value(values, win, min_base):
    # bound[g] must be >= the ceil(min_base/2)-th largest valid code of the window of every
    # sample in block g, or -1 only when no such window holds that many valid codes.
    from oximetry.metrics import odi as odi_module

    assume(any(v >= 0 for v in values))  # the detector returns early when nothing is valid
    x = np.array([np.nan if v < 0 else float(v) for v in values])
    valid = np.isfinite(x)
    n = x.size
    codes = odi_module._codes(x, valid, win)
    size, bound = odi_module._window_bound(codes, n, win, min_base)
    m = -(-min_base // 2)
    for t in range(n):
        window = [v for v in values[max(0, t - win) : t] if v >= 0]
        if len(window) >= m:
            assert bound[t // size] >= sorted(window)[-m]


@pytest.mark.parametrize(
    ("seed", "fs", "seconds", "k"),
    [(21, 0.5, 7200, 2), (22, 1.0, 3600, 3), (23, 4.0, 900, 4), (24, 25.0, 240, 3)],
)
def test_noisy_nights_with_spikes_match_the_oracle(seed, fs, seconds, k):
    # Noise of 2 points and spikes to 100 make the candidate bound loose and the runs many and
    # short: the scan must still see every start the per-sample reading finds.
    rng = np.random.default_rng(seed)
    n1 = seconds
    base = 95 + np.cumsum(rng.normal(0, 0.05, n1)) + rng.normal(0, 2.0, n1)
    base[rng.integers(0, n1, 20)] = 100.0
    for t in range(30, n1 - 60, 70):
        base[t : t + 25] -= np.linspace(0, rng.uniform(2, 10), 25)
    x = np.clip(
        np.round(base[np.minimum((np.arange(round(seconds * fs)) / fs).astype(int), n1 - 1)]),
        50,
        100,
    )
    valid = np.ones(x.size, bool)
    for s in rng.integers(0, x.size, 3):
        valid[s : s + round(20 * fs)] = False
    odi = OdiSettings(baseline_window_s=60.0, min_baseline_s=10.0, min_event_s=5.0)
    got = as_tuples(detect_desaturations(x, valid, fs, k, odi), fs)
    assert got == oracle(x, valid, fs, k, odi)
    assert len(got) >= 2


def test_fast_scan_returns_the_reference_events_field_for_field():
    rng = np.random.default_rng(31)
    x, valid = held_night(rng, 4.0, 1800, dip_every_s=60.0)
    for k in (3, 4):
        fast = detect_desaturations(x, valid, 4.0, k, ODI)
        assert fast == detect_desaturations_reference(x, valid, 4.0, k, ODI)
        assert len(fast) > 3
