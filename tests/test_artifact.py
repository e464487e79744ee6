"""SPEC §4 artifact rules: each rule on signals with known answers, and their combination."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pytest

from oximetry.artifact import (
    REASONS,
    detect_artifacts,
    frozen_runs,
    mask_excluded,
    mask_implausible_fall,
    mask_missing,
    mask_out_of_range,
    mask_pulse_out_of_range,
    mask_short_islands,
    mask_status,
)
from oximetry.model import Recording, Signal, SourceInfo
from oximetry.settings import ArtifactSettings
from oximetry.simulate import Artifact, simulate_night
from oximetry.spans import find_runs, span_indices


def _rec(
    x: np.ndarray, fs: float, pulse: Signal | None = None, status: Signal | None = None
) -> Recording:
    return Recording(
        spo2=Signal("SpO2", "%", fs, x),
        start=dt.datetime(2026, 1, 1, 22, 0),
        source=SourceInfo(path="t", sha256="", format="simulated"),
        pulse=pulse,
        status=status,
    )


def test_missing_and_out_of_range() -> None:
    x = np.array([95.0, np.nan, 49.0, 50.0, 100.0, 100.5, 0.0])
    assert mask_missing(x).tolist() == [False, True, False, False, False, False, False]
    assert mask_out_of_range(x).tolist() == [False, False, True, False, False, True, True]


@pytest.mark.parametrize("fs", [25.0, 4.0, 1.0])
def test_one_point_steps_are_never_implausible(fs: float) -> None:
    # a fast but steady fall, one point per sample, from 97 to 70
    x = np.concatenate([np.full(50, 97.0), np.arange(96.0, 69.0, -1.0), np.full(50, 70.0)])
    assert not mask_implausible_fall(x, fs).any()


def test_fast_rise_is_never_flagged() -> None:
    x = np.concatenate([np.full(30, 75.0), np.full(30, 97.0)])  # +22 points in one sample
    assert not mask_implausible_fall(x, 1.0).any()
    assert not mask_implausible_fall(x, 25.0).any()


@pytest.mark.parametrize("fs", [1.0, 25.0])
def test_instant_ten_point_fall_is_flagged_until_recovery(fs: float) -> None:
    n_fall = int(12 * fs)  # 12 s at 86 %
    x = np.concatenate([np.full(100, 96.0), np.full(n_fall, 86.0), np.full(100, 95.0)])
    m = mask_implausible_fall(x, fs)
    assert m[100 : 100 + n_fall].all()
    assert m.sum() == n_fall  # 95 is within 4 points of 96: valid again at once


def test_recovery_needs_to_be_within_four_points() -> None:
    # back to 91 only (5 below 96): still held, then 92 (4 below) ends the hold
    x = np.concatenate([np.full(20, 96.0), np.full(5, 80.0), np.full(5, 91.0), np.full(20, 92.0)])
    m = mask_implausible_fall(x, 1.0)
    assert np.flatnonzero(m).tolist() == list(range(20, 30))


@pytest.mark.parametrize("fs", [1.0, 4.0, 25.0])
def test_hold_lasts_at_most_30_s_then_the_new_level_is_accepted(fs: float) -> None:
    x = np.concatenate([np.full(100, 96.0), np.full(int(120 * fs), 80.0)])
    m = mask_implausible_fall(x, fs)
    assert m.sum() == int(30 * fs)
    assert m[100 : 100 + int(30 * fs)].all()


def test_fall_threshold_scales_with_time_between_samples() -> None:
    # 0.25 Hz: samples 4 s apart may fall up to 16 points
    x = np.array([96.0, 96.0, 81.0, 81.0, 81.0] + [96.0] * 3)
    assert not mask_implausible_fall(x, 0.25).any()
    y = np.array([96.0, 96.0, 79.0, 79.0, 79.0] + [96.0] * 3)
    assert mask_implausible_fall(y, 0.25).tolist()[:5] == [False, False, True, True, True]
    # and across a gap, the last valid sample is long ago
    z = np.array([96.0] * 5 + [np.nan] * 10 + [70.0] * 5)
    assert not mask_implausible_fall(z, 1.0).any()


@pytest.mark.parametrize("high", [96.0, 90.1, 71.9, 67.9, 64.4])
@pytest.mark.parametrize("fs", [1.0, 0.5])
def test_a_fall_of_exactly_the_limit_between_decimal_readings_is_not_flagged(
    high: float, fs: float
) -> None:
    # SPEC §4.3 flags *more than* 4 points a second: 64.4 - 60.4 is 4.000000000000007 in
    # floating point, and that 4.0-point step was flagged (with 30 s held after it)
    limit = 4.0 * max(1.0 / fs, 1.0)
    exact = np.array([high] * 5 + [round(high - limit, 1)] * 40)
    assert not mask_implausible_fall(exact, fs).any()
    beyond = np.array([high] * 5 + [round(high - limit - 0.1, 1)] * 40)
    assert mask_implausible_fall(beyond, fs)[5]


def test_fall_reference_skips_unusable_samples() -> None:
    x = np.array([96.0, 96.0, 0.0, 85.0, 85.0, 96.0])
    usable = ~mask_out_of_range(x)
    m = mask_implausible_fall(x, 1.0, usable)
    # 85 is compared with 96 (2 s earlier: limit 8 points), not with the 0 sentinel
    assert m.tolist() == [False, False, False, True, True, False]


def test_status_and_pulse_map_by_time_at_their_own_rates() -> None:
    fs, n = 4.0, 40  # 10 s of SpO2
    status = Signal("OX STAT", "", 1.0, np.array([0, 0, 3, 0, 0, 0, 0, 0, 0, np.nan]))
    m = mask_status(status, fs, n)
    assert np.flatnonzero(m).tolist() == [8, 9, 10, 11]
    pulse = Signal("PR", "bpm", 0.5, np.array([60.0, 260.0, np.nan, 24.0, 25.0]))
    mp = mask_pulse_out_of_range(pulse, fs, n)
    assert np.flatnonzero(mp).tolist() == list(range(8, 16)) + list(range(24, 32))
    # a faster status channel marks the SpO2 sample its flagged sample overlaps
    fast = Signal("OX STAT", "", 25.0, np.zeros(250))
    data = np.zeros(250)
    data[26] = 1  # 1.04 s
    fast = Signal("OX STAT", "", 25.0, data)
    assert np.flatnonzero(mask_status(fast, 1.0, 10)).tolist() == [1]


def test_excluded_and_span_indices() -> None:
    assert span_indices(1.0, 2.0, 4.0, 100) == (4, 8)
    assert span_indices(0.1, 0.3, 4.0, 100) == (1, 2)
    assert span_indices(-5, 1000, 1.0, 10) == (0, 10)
    assert np.flatnonzero(mask_excluded([(2, 4), (8, 20)], 1.0, 10)).tolist() == [2, 3, 8, 9]


def test_short_islands_only_between_invalid_spans() -> None:
    invalid = np.zeros(60, dtype=bool)
    invalid[10:20] = True
    invalid[29:40] = True  # island 20..28 (9 s) between them: rejected
    invalid[50:] = True  # island 40..49 (10 s): kept
    m = mask_short_islands(invalid, 1.0, 10.0)
    assert np.flatnonzero(m).tolist() == list(range(20, 29))
    edge = np.zeros(20, dtype=bool)
    edge[3:] = True  # island at the very start is kept
    assert not mask_short_islands(edge, 1.0).any()


def test_runs_and_frozen_runs() -> None:
    s, e = find_runs(np.array([True, True, False, True]))
    assert s.tolist() == [0, 3] and e.tolist() == [2, 4]
    x = np.concatenate([np.full(700, 95.0), np.array([94.0]), np.full(100, 95.0)])
    assert frozen_runs(x, 1.0, 600.0) == [(0, 700, 95.0)]
    assert frozen_runs(x, 1.0, 701.0) == []


def test_detect_artifacts_counts_each_sample_once_first_reason_wins() -> None:
    x = np.full(200, 96.0)
    x[10:20] = np.nan
    x[28:33] = 30.0
    x[60:70] = 80.0  # implausible fall, recovers at 70
    pulse = Signal("PR", "bpm", 1.0, np.where(np.arange(200) < 15, 300.0, 60.0))
    status = np.zeros(200)
    status[100:110] = 1
    rec = _rec(x, 1.0, pulse=pulse, status=Signal("S", "", 1.0, status))
    res = detect_artifacts(rec, ArtifactSettings(), exclude_s=[(150.0, 160.0), (105.0, 112.0)])
    assert res.reasons == REASONS
    # the exact per-reason figures
    assert res.counts["missing"] == 10
    assert res.counts["out_of_range"] == 5
    assert res.counts["implausible_fall"] == 10
    assert res.counts["oximeter_status"] == 10
    assert res.counts["pulse_out_of_range"] == 10
    assert res.counts["excluded"] == 12
    assert res.counts["short_island"] == 8  # 20..27 lies between invalid spans
    assert sum(res.counts.values()) == int((~res.valid).sum())
    assert res.valid.shape == x.shape and not res.valid.flags.writeable
    assert (res.reason[res.valid] == -1).all()
    assert res.reason[12] == REASONS.index("missing")


def test_a_fall_is_measured_from_the_last_valid_sample_not_from_a_flagged_one() -> None:
    # SPEC §4 rule 3 measures a fall from "the last valid sample": samples the oximeter's status
    # flags are invalid (rule 4), so they are never the reference, nor the hold's level.
    status = np.zeros(200)
    status[100:105] = 1
    # flagged samples drift down to 81, then the probe slips: 70, and 78 held for 40 s
    x = np.full(200, 96.0)
    x[100:105] = [93.0, 90.0, 87.0, 84.0, 81.0]
    x[105:107] = 70.0
    x[107:147] = 78.0
    res = detect_artifacts(_rec(x, 1.0, status=Signal("S", "", 1.0, status)))
    # 70 is 26 points below 96 six seconds earlier (> 24): a fall, held until back within 4
    # points of 96 or for 30 s; measured from the flagged 81, the 78s ended the hold at once
    assert np.flatnonzero(~res.valid).tolist() == list(range(100, 135))
    # and flagged high readings do not turn a plausible fall into an artifact
    y = np.full(200, 96.0)
    y[100:102] = [99.0, 100.0]
    y[102:160] = 86.0
    assert np.flatnonzero(
        ~detect_artifacts(_rec(y, 1.0, status=Signal("S", "", 1.0, status))).valid
    ).tolist() == list(range(100, 105))


def test_short_island_count_is_exact() -> None:
    x = np.full(100, 96.0)
    x[10:20] = np.nan
    x[25:40] = np.nan  # island 20..24 (5 s)
    res = detect_artifacts(_rec(x, 1.0))
    assert res.counts["short_island"] == 5
    assert res.counts["missing"] == 25
    assert res.artifact_pct == pytest.approx(30.0)


def test_simulated_artifacts_match_ground_truth() -> None:
    arts = [
        Artifact(1000.0, 60.0, "nan"),
        Artifact(1200.0, 40.0, "sentinel"),
        Artifact(1400.0, 20.0, "fall"),
        Artifact(1600.0, 50.0, "fall"),  # longer than the 30 s hold: the rest is accepted
        Artifact(1800.0, 30.0, "status"),
        Artifact(2000.0, 30.0, "pulse"),
    ]
    for fs in (0.25, 1.0, 4.0):
        rec, truth = simulate_night(
            fs=fs, duration_s=3600, seed=3, artifacts=arts, gaps=[(2500.0, 100.0)]
        )
        res = detect_artifacts(rec)
        assert np.array_equal(~res.valid, truth.invalid), fs
        # 20 s, then 30 s of the 50 s one (samples within 30 s of its start)
        assert res.counts["implausible_fall"] == math.ceil(20 * fs) + math.ceil(30 * fs)


def test_frozen_run_is_a_review_flag_at_its_clock_time() -> None:
    """A review flag said "12000 s after the start" where every other time of the report is a
    clock time (hunt 10); without a clock, elapsed time."""
    rec, _ = simulate_night(fs=1.0, duration_s=1200, seed=1)  # from 22:00:00
    res = detect_artifacts(rec)
    assert res.valid.all()
    assert len(res.review_flags) == 1
    assert "20.0 min from 22:00:00:" in res.review_flags[0]
    assert "after the start" not in res.review_flags[0]
    later = dataclasses.replace(rec, start=rec.start + dt.timedelta(hours=3, seconds=5))
    assert "20.0 min from 01:00:05:" in detect_artifacts(later).review_flags[0]
    clockless = dataclasses.replace(
        rec, source=dataclasses.replace(rec.source, date_known=False, clock_known=False)
    )
    assert "20.0 min from 0:00:00 elapsed:" in detect_artifacts(clockless).review_flags[0]


def _fall_oracle(x, fs, usable, fall=4.0, recover=4.0, hold_s=30.0):
    """Rule 3 written plainly over the compacted usable samples (the rule's first version)."""
    out = np.zeros(x.size, bool)
    idx = np.flatnonzero(usable)
    v = x[idx]
    hold_n = max(1, math.ceil(hold_s * fs - 1e-9))
    gap_s = np.diff(idx) / fs
    candidates = np.flatnonzero(v[:-1] - v[1:] > fall * np.maximum(gap_s, 1.0)) + 1
    hold_end = -1
    for k in candidates.tolist():
        if k <= hold_end:
            continue
        limit = int(np.searchsorted(idx, idx[k] + hold_n, "left"))
        back = np.flatnonzero(v[k + 1 : limit] >= v[k - 1] - recover)
        end = k + 1 + int(back[0]) if back.size else limit
        out[idx[k:end]] = True
        hold_end = end
    return out


@pytest.mark.parametrize("fs", [1.0, 25.0, 256.0])
def test_implausible_fall_equals_the_plain_rule_across_chunk_boundaries(fs: float) -> None:
    # 300,000 samples span the rule's 131,072-sample chunks; falls, holds and gaps sit on and
    # around the chunk edges, and holds run out (30 s) or recover
    rng = np.random.default_rng(int(fs))
    n = 300_000
    x = 96.0 + rng.normal(0.0, 0.3, n)
    for edge in (131_072, 262_144):
        for at in (edge - 3, edge - 1, edge, edge + 1, edge + 500):
            x[at : at + int(rng.integers(1, 3 * int(fs) + 2))] -= rng.uniform(6.0, 30.0)
    hits = rng.integers(0, n, 300)
    x[hits] -= rng.uniform(5.0, 40.0, hits.size)
    long = int(rng.integers(0, n - 20_000))
    x[long : long + int(40 * fs)] = 70.0  # held 30 s, then the new level is accepted
    # ... even when the sample that ends the hold falls again (it is the new level)
    x[long + int(30 * fs) : long + int(40 * fs)] = 60.0
    x[131_000:131_100] = np.nan  # a gap ending just before a chunk edge
    x[262_100:262_150] = 0.0  # unusable (out of range) samples across an edge
    usable = np.isfinite(x) & ~mask_out_of_range(x)
    m = mask_implausible_fall(x, fs, usable)
    assert m.any()
    assert np.array_equal(m, _fall_oracle(x, fs, usable))
    assert not m[long + int(30 * fs) : long + int(40 * fs)].any()
