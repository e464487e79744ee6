"""An awake baseline rests on at least five minutes of valid awake data (SPEC §5).

The baseline is the level every "drop of more than 5 points" is measured from, and the
"awake at or above 89 %" half of MG-OXY II.A.2.a.ii. A 20-second ``--awake`` span at 99 %
made a flat 93 % night a whole night "more than 5 points below the baseline", and it qualified.
The presumed baseline already took five minutes' worth of valid data; every baseline now needs
as much (``AnalysisSettings.presumed_awake_s``), else there is none and nothing measured from it
is evaluated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np

from oxi.cli import main
from oximetry import analyze
from oximetry.settings import AnalysisSettings
from oximetry.simulate import simulate_night, write_edf
from tests.criteria_helpers import OVERNIGHT_YAML

START = dt.datetime(2026, 11, 20, 22, 0)
CONTEXT = (
    OVERNIGHT_YAML + "symptoms: [nocturnal_restlessness]\n"
    "documentation: {signed_prescription: true, letter_of_medical_necessity: true}\n"
)


def _flat_night_with_a_peak(peak_s: int) -> Any:
    """Six hours at 93 % (with noise, so nothing is a held value) and ``peak_s`` seconds at 99 %
    from 603 s, reached and left over 3-second ramps."""
    rec, _ = simulate_night(
        fs=1, duration_s=6 * 3600, seed=3, baseline_pct=93, noise_pts=0.4, start=START
    )
    x = rec.spo2.data.copy()
    x[600:603] = (95, 97, 98)
    x[603 : 603 + peak_s] = 99
    x[603 + peak_s : 606 + peak_s] = (98, 97, 95)
    return dataclasses.replace(rec, spo2=dataclasses.replace(rec.spo2, data=x))


def _analyze(tmp: Path, rec: Any, *options: str) -> dict[str, Any]:
    edf = write_edf(rec, tmp / "night.edf")
    (tmp / "ctx.yaml").write_text(CONTEXT)
    out = tmp / "out"
    args = ["analyze", str(edf), "--context", str(tmp / "ctx.yaml"), "--out", str(out)]
    assert main([*args, "--no-report", *options]) == 0
    return dict(json.loads((out / "summary.json").read_text()))


def test_a_20_second_awake_span_gives_no_baseline_and_no_qualification(tmp_path: Path) -> None:
    """End to end: --awake over the 20 s at 99 % is no baseline; the night is indeterminate for
    want of one (it qualified on "drop > 5 points" before), and the warning says why."""
    summary = _analyze(tmp_path, _flat_night_with_a_peak(20), "--awake", "603-623")
    night = summary["metrics"]["presumed_sleep"]
    assert night["awake_baseline_pct"] is None and night["drop5_min"] is None
    q = summary["qualification"]
    assert q["determination"] == "indeterminate"
    assert "an awake baseline" in q["missing"]
    (why,) = [w for w in summary["warnings"] if "awake baseline rests on" in w]
    assert "--awake" in why and "holds 20 s of valid data" in why and "300 s" in why


def test_a_five_minute_awake_span_is_a_baseline(tmp_path: Path) -> None:
    """Five minutes at 99 % given as awake are the baseline the user asserts: the whole flat
    night at 93 % lies more than 5 points below it (the 300-s minimum is inclusive)."""
    summary = _analyze(tmp_path, _flat_night_with_a_peak(300), "--awake", "603-903")
    night = summary["metrics"]["presumed_sleep"]
    assert night["awake_baseline_pct"] == 99.0
    assert night["awake_baseline_source"] == "awake_option"
    assert night["drop5_min"] > 300  # noise rounding to 94 % breaks the longest run
    assert not [w for w in summary["warnings"] if "awake baseline rests on" in w]


def test_staged_wake_of_one_minute_gives_no_baseline() -> None:
    """A hypnogram whose only wake is one minute: no baseline (the staged wake is still the
    awake window), and the warning names the staging."""
    rec, _ = simulate_night(fs=1.0, duration_s=3 * 3600, seed=2, start=START)
    staging = ((0.0, 60.0, "W"), (60.0, 3 * 3600 - 60.0, "N2"))
    a = analyze(rec, AnalysisSettings(staging=staging))
    assert a.metrics["sleep"].awake_baseline_pct is None
    assert any("staged wake epochs (hypnogram) holds 60 s" in w for w in a.warnings)
    five = ((0.0, 300.0, "W"), (300.0, 3 * 3600 - 300.0, "N2"))
    assert analyze(rec, AnalysisSettings(staging=five)).metrics["sleep"].awake_baseline_pct


def test_a_recording_with_under_five_minutes_valid_has_no_presumed_baseline() -> None:
    """Four minutes of valid data in all: there is no presumed awake window or baseline."""
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=2, start=START)
    x = rec.spo2.data.copy()
    x[240:] = np.nan
    a = analyze(dataclasses.replace(rec, spo2=dataclasses.replace(rec.spo2, data=x)))
    assert [w.kind for w in a.windows] == ["presumed_sleep"]
    assert a.metrics["presumed_sleep"].awake_baseline_pct is None
    assert any("holds 240 s of valid data" in w for w in a.warnings)


def test_an_awake_span_inside_the_presumed_night_is_no_part_of_it() -> None:
    """``--awake 03:00-03:10`` inside the presumed sleep window counted as awake and asleep at
    once: its minutes stayed in the night's figures. The span is taken out of the window, and a
    warning says how much."""
    rec = _flat_night_with_a_peak(600)  # 10 min at 99 % from 603 s
    a = analyze(rec, AnalysisSettings(test_type="overnight", awake_span_s=(603.0, 1203.0)))
    night = next(w for w in a.windows if w.kind == "presumed_sleep")
    assert all(e <= 603.0 or s >= 1203.0 for s, e in night.spans_s)
    plain = analyze(rec, AnalysisSettings(test_type="overnight"))
    assert a.metrics["presumed_sleep"].valid_min == plain.metrics["presumed_sleep"].valid_min - 10
    assert any("--awake span was taken out of the presumed sleep window (10.0 min)" in w
               for w in a.warnings)  # fmt: skip


def _walk_then_night_on_a_marked_cannula(duration_s: float) -> Any:
    """30 min at 99 % marked ``O2 2 L/min`` (``duration_s``, 0 for no duration), a three-part
    walk test on 2 L/min from 1800 s, then a night at 93 % without a dip."""
    from oximetry.model import Annotation

    rec, _ = simulate_night(
        fs=1,
        duration_s=8 * 3600,
        seed=1,
        noise_pts=0.6,
        baseline_pct=99,
        sustained_drops=[(1800, 700, 95), (3000, 8 * 3600 - 3000, 93)],
        segments=[("rest", 1800, 2100), ("exercise", 2100, 2460), ("exercise_o2", 2520, 2880)],
        annotations=[Annotation(0.0, duration_s, "O2 2 L/min")],
        start=START,
    )
    return rec


def test_an_awake_span_the_recording_marks_on_oxygen_is_no_baseline(tmp_path: Path) -> None:
    """``--awake 0-1800`` over 30 min the recording marks ``O2 2 L/min`` (99 %), beside a walk
    on oxygen: the span was the baseline, the night at 93 % 339 min more than 5 points below
    it, and MassHealth QUALIFIED nocturnal oxygen on the drop with symptoms (II.A.2.a.ii). The
    marked time is left out of the span, as a walk is, with a warning; so is all of it after a
    mark without a duration (the gas given and not said taken off)."""
    for duration_s in (1800.0, 0.0):
        rec = _walk_then_night_on_a_marked_cannula(duration_s)
        settings = AnalysisSettings(test_type="overnight", awake_span_s=(0.0, 1800.0))
        a = analyze(rec, settings)
        assert a.metrics["presumed_sleep"].awake_baseline_pct is None
        assert any("marks as on supplemental oxygen; they were left out" in w for w in a.warnings)
    tmp = tmp_path / "night"
    tmp.mkdir()
    summary = _analyze(
        tmp, _walk_then_night_on_a_marked_cannula(1800.0), "--awake", "0-1800", "--o2-flow", "2"
    )
    assert summary["qualification"]["determination"] != "qualified"
