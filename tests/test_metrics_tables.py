"""The clinician's tables (saturation bands, desaturations, pulse events, ODI by hour, stages).

Hand-built arrays whose answers are counted by hand, and simulated nights whose content is known.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from oximetry.analysis import analyze
from oximetry.metrics.tables import (
    desaturation_summary,
    odi_by_hour,
    pulse_events,
    saturation_bands,
    stage_figures,
)
from oximetry.report.summary import build_summary
from oximetry.results import Event
from oximetry.simulate import Desaturation, simulate_night

RATES = (0.25, 1.0, 4.0, 25.0)


def blocks(fs: float, parts: list[tuple[float, float]]) -> np.ndarray:
    """Concatenate constant blocks of (seconds, value)."""
    return np.concatenate([np.full(round(s * fs), v) for s, v in parts])


@pytest.mark.parametrize("fs", RATES)
def test_bands_by_hand_with_rounding_edges(fs):
    x = blocks(
        fs,
        [
            (600, 96.0),  # 95-100: 10 min
            (120, 94.5),  # r = 95: 95-100, 2 min
            (300, 92.0),  # 90-94: 5 min
            (120, 89.49),  # r = 89: 85-89, 2 min
            (60, 84.5),  # r = 85: 85-89, 1 min
            (60, 84.49),  # r = 84: 80-84, 1 min
            (60, 79.5),  # r = 80: 80-84, 1 min
            (120, 75.0),  # 70-79: 2 min
            (60, 69.4),  # r = 69: < 70, 1 min
            (240, np.nan),  # missing: nowhere
        ],
    )
    sel = np.ones(x.shape, bool)
    sel[: round(60 * fs)] = False  # one invalid minute of the first block
    bands = {b["band"]: b for b in saturation_bands(x, sel, fs)}
    expect = {
        "95-100": 11.0,
        "90-94": 5.0,
        "85-89": 3.0,
        "80-84": 2.0,
        "70-79": 2.0,
        "<70": 1.0,
    }
    assert list(bands) == list(expect)
    for label, minutes in expect.items():
        assert bands[label]["minutes"] == pytest.approx(minutes), label
        assert bands[label]["pct"] == pytest.approx(100 * minutes / 24.0), label


def test_bands_without_valid_data_have_no_percent():
    bands = saturation_bands(np.full(10, 95.0), np.zeros(10, bool), 1.0)
    assert all(b["minutes"] == 0 and b["pct"] is None for b in bands)


def test_desaturation_summary_by_hand():
    evs = [
        Event("odi3", 100, 130, nadir_pct=90, baseline_pct=96, drop_pct=6),
        Event("odi3", 400, 460, nadir_pct=84, baseline_pct=95, drop_pct=11),
        Event("odi3", 900, 915, nadir_pct=92, baseline_pct=96, drop_pct=4),
    ]
    d = desaturation_summary(evs, 1.0)
    assert d["count"] == 3
    assert d["mean_nadir_pct"] == pytest.approx((90 + 84 + 92) / 3)
    assert d["lowest_nadir_pct"] == 84
    assert d["mean_drop_pct"] == pytest.approx(7.0)
    assert d["mean_duration_s"] == pytest.approx(35.0)
    assert d["longest_duration_s"] == 60
    empty = desaturation_summary([], 1.0)
    assert empty["count"] == 0 and empty["lowest_nadir_pct"] is None


def test_desaturation_durations_are_whole_samples():
    # 250 samples at 25 Hz from sample 12551: 10 s, the least an event counts with, where
    # 12801 / 25 - 12551 / 25 is 9.999999999999943 in floats (written 9.999999 before)
    fs = 25.0
    evs = [Event("odi4", 12551 / fs, 12801 / fs, nadir_pct=92, baseline_pct=96, drop_pct=4)]
    d = desaturation_summary(evs, fs)
    assert d["mean_duration_s"] == 10.0 and d["longest_duration_s"] == 10.0


@pytest.mark.parametrize("fs", (0.5, 1.0, 4.0))
def test_pulse_events_by_hand(fs):
    p = blocks(
        fs,
        [
            (60, 70.0),
            (16, 110.0),  # high run, 16 s: counts
            (60, 70.0),
            (4, 130.0),  # high but 4 s: too short
            (60, 70.0),
            (20, 45.0),  # low run, 20 s: counts
            (60, 70.0),
            (12, 40.0),  # low run broken in the middle by an invalid sample: neither half counts
            (60, 70.0),
            (30, 100.0),  # exactly 100: not above
        ],
    )
    ok = np.ones(p.shape, bool)
    broken = round((60 + 16 + 60 + 4 + 60 + 20 + 60 + 6) * fs)
    ok[broken] = False
    ev = pulse_events(p, ok, fs)
    assert (ev["high_count"], ev["low_count"]) == (1, 1)
    assert ev["high_min"] == pytest.approx(16 / 60)
    assert ev["low_min"] == pytest.approx(20 / 60)


def test_odi_by_hour_by_hand_and_totals():
    fs = 1.0
    n = 9000  # 2.5 h
    sel = np.ones(n, bool)
    sel[4000:4600] = False  # 10 invalid minutes in the second row
    # rows start at -1800 s (clock-aligned): [-1800, 1800), [1800, 5400), [5400, 9000)
    s3 = [100.0, 1799.0, 1800.0, 5000.0, 8999.0]
    s4 = [1800.0]
    rows = odi_by_hour(sel, s3, s4, fs, -1800.0)
    assert [r["start_s"] for r in rows] == [-1800.0, 1800.0, 5400.0]
    assert [r["valid_min"] for r in rows] == pytest.approx([30.0, 50.0, 60.0])
    assert [r["odi3_count"] for r in rows] == [2, 2, 1]
    assert [r["odi4_count"] for r in rows] == [0, 1, 0]
    assert rows[0]["odi3_per_h"] == pytest.approx(2 / 0.5)
    assert rows[1]["odi3_per_h"] == pytest.approx(2 / (50 / 60))
    assert sum(r["odi3_count"] for r in rows) == len(s3)


@pytest.mark.parametrize(("fs", "first"), [(25 / 3, 30_000), (1.1, 3_960), (7 / 3, 8_400)])
def test_odi_by_hour_puts_an_event_in_the_hour_of_its_start_sample(fs, first):
    # Sample `first` lies at exactly 3600 s, the second hour's first sample, but first / fs is
    # 3599.9999999999995 in floats: the event starting there was counted in the first hour
    # while its sample's valid time was in the second (rows must agree on which hour it is).
    n = 2 * first
    sel = np.ones(n, bool)
    rows = odi_by_hour(sel, [first / fs], [(first - 1) / fs], fs, 0.0)
    assert [r["valid_min"] for r in rows] == pytest.approx([60.0, 60.0])
    assert [r["odi3_count"] for r in rows] == [0, 1]
    assert [r["odi4_count"] for r in rows] == [1, 0]


def test_stage_figures_by_hand():
    fs = 1.0
    x = blocks(fs, [(600, 96.0), (300, 87.0), (300, 96.0)])
    stage = np.zeros(x.size, bool)
    stage[500:1000] = True  # 100 s at 96, 300 s at 87, 100 s at 96
    sel = np.ones(x.size, bool)
    sel[950:1000] = False
    f = stage_figures(x, sel, stage, fs, [510.0, 1100.0], [700.0])
    assert f["duration_min"] == pytest.approx(500 / 60)
    assert f["valid_min"] == pytest.approx(450 / 60)
    assert f["t_le88_min"] == pytest.approx(5.0)
    assert f["t_le88_pct"] == pytest.approx(100 * 300 / 450)
    assert f["nadir_pct"] == 87.0
    assert f["mean_pct"] == pytest.approx((150 * 96 + 300 * 87) / 450)
    assert (f["odi3_count"], f["odi4_count"]) == (1, 1)
    assert f["odi3_per_h"] == pytest.approx(1 / (450 / 3600))


def test_simulated_staged_night_tables_match_truth():
    hyp = (
        (0.0, 1800.0, "W"),
        (1800.0, 5400.0, "N2"),
        (7200.0, 1800.0, "R"),
        (9000.0, 1200.0, "W"),
    )
    # ODI3 events: two in N2, one in REM, one in the final wake
    desats = [
        Desaturation(3000.0, 8.0),
        Desaturation(5000.0, 6.0),
        Desaturation(8000.0, 10.0),
        Desaturation(9500.0, 7.0),
    ]
    rec, truth = simulate_night(
        fs=1.0, duration_s=10200.0, seed=5, desaturations=desats, stages=hyp, baseline_pct=96.0
    )
    a = analyze(rec)
    m = a.metrics["sleep"]
    st = m.staging
    assert st["total_sleep_min"] == pytest.approx(120.0)
    assert st["scored_min"] == pytest.approx(170.0)
    assert st["sleep_efficiency_pct"] == pytest.approx(100 * 120 / 170)
    assert st["nrem"]["duration_min"] == pytest.approx(90.0)
    assert st["rem"]["duration_min"] == pytest.approx(30.0)
    assert (st["nrem"]["odi3_count"], st["rem"]["odi3_count"]) == (2, 1)
    assert st["rem"]["nadir_pct"] == pytest.approx(86.0)
    assert st["nrem"]["nadir_pct"] == pytest.approx(88.0)
    d3 = m.desaturations["odi3"]
    assert d3["count"] == 3 == m.odi3_count
    assert d3["lowest_nadir_pct"] == pytest.approx(86.0)
    assert d3["mean_nadir_pct"] == pytest.approx((88 + 90 + 86) / 3)
    # bands partition the valid sleep time; time at r <= 89 equals the truth's count
    assert sum(b["minutes"] for b in m.saturation_bands) == pytest.approx(m.valid_min)
    sleep = np.zeros(rec.spo2.n_samples, bool)
    sleep[1800:5400] = sleep[7200:9000] = True
    low = sum(b["minutes"] for b in m.saturation_bands if b["hi_pct"] <= 89)
    assert low * 60 == pytest.approx(truth.time_at_or_below_s(89, sleep))
    # no staging block for the awake window; hour rows add up to the window's count
    assert a.metrics["awake"].staging is None
    assert sum(r["odi3_count"] for r in m.odi_by_hour) == m.odi3_count
    # the simulated start is 22:00:00, so hour rows start on the hour
    assert m.odi_by_hour[0]["start_s"] == 0.0 or m.odi_by_hour[0]["start_s"] % 3600 == 0


def test_hour_rows_align_to_the_clock():
    import datetime as dt

    rec, _ = simulate_night(
        fs=1.0, duration_s=7200, seed=2, start=dt.datetime(2026, 1, 5, 22, 40, 0)
    )
    rows = analyze(rec).metrics["presumed_sleep"].odi_by_hour
    assert rows[0]["start_s"] == -2400.0  # 22:00
    assert rows[1]["start_s"] == 1200.0  # 23:00


def test_summary_json_carries_the_tables():
    rec, _ = simulate_night(fs=1.0, duration_s=4 * 3600, seed=4, desaturations=10)
    s = build_summary(analyze(rec))
    m = s["metrics"]["presumed_sleep"]
    assert next(b["band"] for b in m["saturation_bands"]) == "95-100"
    assert set(m["desaturations"]) == {"odi3", "odi4"}
    assert m["pulse_events"]["high_bpm"] == 100.0
    assert m["odi_by_hour"][0]["start"].endswith("T22:00:00")
    assert m["staging"] is None
    assert not math.isnan(m["desaturations"]["odi3"]["count"])


def test_whole_seconds_at_a_rate_not_binary_are_whole_minutes_in_the_tables_and_recording():
    """1,260 samples at 0.7 Hz are 1,800 s: 30.0 min, not 30.000001.

    ``count / fs / 60`` gave 30.000000000000004, and summary.json, never rounding a figure onto
    a whole it is not, wrote the recording's duration_min 30.000001 and the 95-100 % band's
    15.000001 min beside the presumed-sleep window's 30.0 and 15.0 (hunt 15).
    """
    fs = 0.7
    x = np.concatenate([np.full(630, 96.0), np.full(210, 92.0), np.full(420, 88.0)])
    rec, _ = simulate_night(fs=fs, duration_s=1800, seed=1, desaturations=0)
    rec = dataclasses.replace(rec, spo2=dataclasses.replace(rec.spo2, data=x))
    s = build_summary(analyze(rec))
    assert s["recording"]["duration_min"] == 30.0
    assert s["recording"]["valid_min"] == 30.0
    m = s["metrics"]["presumed_sleep"]
    assert m["duration_min"] == 30.0
    bands = {b["band"]: b["minutes"] for b in m["saturation_bands"]}
    assert (bands["95-100"], bands["90-94"], bands["85-89"]) == (15.0, 5.0, 10.0)
    assert [h["valid_min"] for h in m["odi_by_hour"]] == [30.0]
    assert (
        stage_figures(x, np.ones(x.size, bool), np.ones(x.size, bool), fs, [], [])["duration_min"]
        == 30.0
    )
