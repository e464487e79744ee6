"""A qualification never rests on SpO2 held at one exact value for a long stretch alone.

SPEC §4 keeps long constant runs (a frozen sensor? a gap an export filled with the last value?)
as valid data with a review flag. A probe that slips off at 86 % and an export that repeats the
last value for 15 minutes looked like 15 minutes at or below 88 % and qualified. The analysis
now recomputes the figures of each window such a run touches without it, and a qualified
outcome that does not stand on them is held open as a conflict (``recording.constant_runs``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from criteria.context import Context
from criteria.errors import EvidenceError
from criteria.evaluate import Evidence, evaluate
from oxi.cli import main
from oxi.qualify import evidence_from_analysis
from oximetry import analyze
from oximetry.artifact import frozen_runs
from oximetry.results import WindowMetrics
from oximetry.simulate import simulate_night, write_edf
from tests.criteria_helpers import OVERNIGHT_YAML, ctx

START = dt.datetime(2026, 11, 20, 22, 0)
CONTEXT = OVERNIGHT_YAML


def _night(*plateaus: tuple[float, float, float]) -> Any:
    """A 6-hour night at exactly 95 % (no noise) with plateaus (start_s, duration_s, level)."""
    rec, _ = simulate_night(
        fs=1, duration_s=6 * 3600, seed=3, baseline_pct=95, sustained_drops=list(plateaus),
        start=START,
    )  # fmt: skip
    return rec


def test_analysis_recomputes_the_window_without_the_low_runs_only() -> None:
    """15 min held at 86 %: the presumed-sleep figures without it lose those 15 min at or below
    88 %; the hours held at exactly 95 % (steady normal saturation) are not taken out."""
    a = analyze(_night((3600, 900, 86)))
    values = [v for _, _, v in a.artifact.constant_runs]
    assert 86.0 in values and 95.0 in values
    base, without = a.metrics["presumed_sleep"], a.without_constant_runs["presumed_sleep"]
    assert base.t_le88_min == pytest.approx(15.0)
    assert without.t_le88_min == 0.0
    assert without.valid_min == pytest.approx(base.valid_min - 15.0)
    assert set(a.without_constant_runs) == {"presumed_sleep"}  # the awake window: at 95 %
    assert a.held_runs == ((3600.0, 4500.0, 86.0),)
    assert analyze(_night((3600, 540, 86))).without_constant_runs == {}  # 9 min: no run


def test_a_constant_run_of_invalid_samples_is_not_taken_out() -> None:
    """20 min at exactly 0 % (a probe-off code read as a value: out of range, invalid) is a
    constant run and a review flag, but holds no valid sample: only the 86 % run is taken out."""
    rec = _night((3600, 900, 86))
    x = rec.spo2.data.copy()
    x[7200:8400] = 0.0
    probe_off = dataclasses.replace(rec, spo2=dataclasses.replace(rec.spo2, data=x))
    a = analyze(probe_off)
    assert (7200.0, 8400.0, 0.0) in a.artifact.constant_runs
    assert a.held_runs == ((3600.0, 4500.0, 86.0),)


def _run(tmp: Path, rec: Any, *options: str) -> dict[str, Any]:
    edf = write_edf(rec, tmp / "night.edf")
    ctx_file = tmp / "ctx.yaml"
    ctx_file.write_text(CONTEXT)
    out = tmp / "out"
    args = ["analyze", str(edf), "--context", str(ctx_file), "--out", str(out), "--no-report"]
    assert main([*args, *options]) == 0
    return dict(json.loads((out / "summary.json").read_text()))


def test_a_night_qualified_only_by_a_held_value_is_indeterminate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """End to end: held at 86 % for 15 min and nothing else below 88 %: indeterminate, the
    conflict naming the run; the summary carries the figures without it, so `oxi qualify
    --summary` and `oxi verify` reach the same; excluded as artifact, it no longer qualifies."""
    summary = _run(tmp_path, _night((3600, 900, 86)))
    q = summary["qualification"]
    assert q["determination"] == "indeterminate"
    (conflict,) = q["conflicts"]
    assert conflict["keys"] == ["recording.constant_runs"]
    assert "86 % for 15.0 min from 23:00:00" in conflict["why"] and "--exclude" in conflict["why"]
    assert "95 %" not in conflict["why"]  # the hours at 95 % are not taken out
    block = summary["without_constant_runs"]
    assert block["metrics"]["presumed_sleep"]["t_le88_min"] == 0.0
    assert block["runs"] == [{"start_s": 3600.0, "end_s": 4500.0, "value_pct": 86.0}]
    out, edf = tmp_path / "out", tmp_path / "night.edf"
    assert main(["verify", str(out / "summary.json"), str(edf)]) == 0
    capsys.readouterr()
    args = [
        "qualify",
        "--summary",
        str(out / "summary.json"),
        "--context",
        str(tmp_path / "ctx.yaml"),
    ]
    assert main(args) == 0
    assert "INDETERMINATE" in capsys.readouterr().out
    excluded = _run(tmp_path, _night((3600, 900, 86)), "--exclude", "23:00-23:15")
    assert excluded["qualification"]["determination"] == "not_qualified"


def test_a_night_that_qualifies_without_the_held_value_stands(tmp_path: Path) -> None:
    """Held at 86 % for 15 min, and 9 more minutes at 86 % elsewhere (under 10 min, not held):
    the night qualifies on those alone, so the held run changes nothing."""
    summary = _run(tmp_path, _night((3600, 900, 86), (10800, 540, 86)))
    assert summary["without_constant_runs"]["metrics"]["presumed_sleep"]["t_le88_min"] == 9.0
    q = summary["qualification"]
    assert q["determination"] == "qualified" and q["conflicts"] == []


def _frozen_start(level: float, held_s: int = 720, night_s: int = 6 * 3600) -> Any:
    """A night at 91 % (± 0.4, never one value for long) whose first ``held_s`` are held at
    ``level``, sliding to 91 % over 30 s after it (no implausible fall)."""
    rng = np.random.default_rng(1)
    x = 91.0 + np.round(rng.uniform(-0.45, 0.45, night_s), 1)
    x[:held_s] = level
    x[held_s : held_s + 30] = level - (level - 91.0) * np.arange(30) / 30
    rec, _ = simulate_night(fs=1, duration_s=60, seed=3, start=START)
    return dataclasses.replace(rec, spo2=dataclasses.replace(rec.spo2, data=x))


def test_an_awake_baseline_held_at_one_value_is_not_the_drop_it_qualifies() -> None:
    """12 min frozen at 97 % at the start were the presumed awake baseline, and a night at 91 %
    all through a drop of more than 5 points below it: qualified (II.A.2.a.ii's drop with
    symptoms), as a run at 97 % is at no level a sleep figure counts and was never taken out
    (hunt 13). The baseline is taken without it, from the first 5 min of the data left."""
    a = analyze(_frozen_start(97.0))
    night = a.metrics["presumed_sleep"]
    assert night.awake_baseline_pct == 97.0 and night.drop5_min > 300
    assert a.held_runs == ((0.0, 721.0, 97.0),)
    without = a.without_constant_runs["presumed_sleep"]
    assert without.awake_baseline_pct == pytest.approx(91.0, abs=0.1)
    assert without.drop5_min == 0.0 and without.valid_min == night.valid_min
    context = ctx(symptoms=["nocturnal_restlessness"], test__date=START.date().isoformat())
    d = evaluate(context, evidence_from_analysis(a))
    assert d.determination == "indeterminate"
    assert [c.keys for c in d.conflicts] == [("recording.constant_runs",)]
    assert "97 % for 12.0 min from 22:00:00" in d.conflicts[0].why
    # 30 and 90 min of a night of 2 h 10 min: its mean is 92.4 % with the 30, its median 97 %
    # with the 90; the rest of it is at 91 %
    for held_s in (1800, 5400):
        short = analyze(_frozen_start(97.0, held_s, 7800))
        assert short.held_runs == ((0.0, held_s + 1.0, 97.0),)
        assert evaluate(context, evidence_from_analysis(short)).determination == "indeterminate"
    # held at 95 %, off the night's 91 %: the baseline is taken without it and moves, so the run
    # is listed, but the night has no dip and its outcome stands
    steady = analyze(_frozen_start(95.0))
    assert steady.held_runs == ((0.0, 721.0, 95.0),)
    d = evaluate(context, evidence_from_analysis(steady))
    assert d.determination == "not_qualified" and d.conflicts == ()


def _frozen_night(level: float, night: float, spans: list[tuple[int, int]]) -> Any:
    """A night at ``night`` % (± 0.4) with ``spans`` (start_s, end_s) frozen at ``level``, each
    sliding back to ``night`` over 30 s after it."""
    rng = np.random.default_rng(1)
    x = night + np.round(rng.uniform(-0.45, 0.45, 6 * 3600), 1)
    for a, b in spans:
        x[a:b] = level
        x[b : b + 30] = level - (level - night) * np.arange(30) / 30
    rec, _ = simulate_night(fs=1, duration_s=60, seed=3, start=START)
    return dataclasses.replace(rec, spo2=dataclasses.replace(rec.spo2, data=x))


def test_a_baseline_taken_again_is_no_second_frozen_run() -> None:
    """12 min frozen at 97 % at the start of a night at 91 %, a minute at 91 %, then 12 min more
    at 97 %: the baseline taken again without the first run was taken from the data left
    leaving out only runs a figure counts, so it lay on the second run, stayed 97 % and never
    moved, and the night qualified on a drop of more than 5 points all through (hunt 13)."""
    a = analyze(_frozen_night(97.0, 91.0, [(0, 720), (780, 1500)]))
    assert a.metrics["presumed_sleep"].awake_baseline_pct == 97.0
    without = a.without_constant_runs["presumed_sleep"]
    assert without.awake_baseline_pct == pytest.approx(91.0, abs=0.2)
    context = ctx(symptoms=["nocturnal_restlessness"], test__date=START.date().isoformat())
    d = evaluate(context, evidence_from_analysis(a))
    assert d.determination == "indeterminate"
    assert [c.keys for c in d.conflicts] == [("recording.constant_runs",)]


def test_a_baseline_frozen_five_points_above_the_night_is_taken_out() -> None:
    """12 min frozen at 97 % over a night at 92 % (exactly 5 points above, or 96 over 91) with
    12 min at 91 %: the baseline was taken out only more than 5 points above the night, so it
    stayed 97 % and the 12 min at 91 %, more than 5 points below it, qualified (hunt 13)."""
    context = ctx(symptoms=["nocturnal_restlessness"], test__date=START.date().isoformat())
    for level, night in ((97.0, 92.0), (96.0, 91.0)):
        rec = _frozen_night(level, night, [(0, 720)])
        x = rec.spo2.data.copy()
        rng = np.random.default_rng(2)
        for k in range(12):
            s = 3600 + k * 1200
            x[s : s + 60] = night - 1 + np.round(rng.uniform(-0.3, 0.3, 60), 1)
        a = analyze(dataclasses.replace(rec, spo2=dataclasses.replace(rec.spo2, data=x)))
        assert a.metrics["presumed_sleep"].drop5_min == pytest.approx(12.0)
        assert a.held_runs == ((0.0, 721.0, level),)
        d = evaluate(context, evidence_from_analysis(a))
        assert d.determination == "indeterminate", (level, night)
        assert [c.keys for c in d.conflicts] == [("recording.constant_runs",)]


def test_a_walk_on_oxygen_held_at_one_value_is_indeterminate(tmp_path: Path) -> None:
    """An exercise test whose walk on oxygen lies in 15 minutes at exactly 95 %: the improvement
    rests on a held value (segments count a run at any level; test_criteria_audit's exercise
    tests keep every stretch under 10 min)."""
    rec, _ = simulate_night(
        fs=1, duration_s=30 * 60, seed=9, baseline_pct=95, sustained_drops=[(600, 300, 85)],
        start=dt.datetime(2026, 11, 20, 10, 0),
    )  # fmt: skip
    ctx_text = CONTEXT.replace("type: overnight", "type: exercise")
    (tmp_path / "ctx.yaml").write_text(ctx_text)
    edf = write_edf(rec, tmp_path / "walk.edf")
    out = tmp_path / "out"
    parts = ["--segment", "rest=0-300", "--segment", "exercise=600-900"]
    parts += ["--segment", "exercise_o2=1200-1500", "--o2-flow", "2"]
    args = ["analyze", str(edf), "--context", str(tmp_path / "ctx.yaml"), "--out", str(out)]
    assert main([*args, "--no-report", *parts]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["without_constant_runs"]["metrics"]) >= {"exercise_o2"}
    q = summary["qualification"]
    assert q["determination"] == "indeterminate"
    assert q["conflicts"][0]["keys"] == ["recording.constant_runs"]


def test_evidence_reads_the_block_the_same_from_an_analysis_and_a_summary(
    tmp_path: Path,
) -> None:
    a = analyze(_night((3600, 900, 86)))
    ev = evidence_from_analysis(a)
    assert ev.without_constant_runs is not None
    assert ev.without_constant_runs.sleep is not None
    assert ev.without_constant_runs.sleep.t_le88_min == 0.0
    summary = _run(tmp_path, _night((3600, 900, 86)))
    read = Evidence.from_summary(summary)
    assert read.constant_runs == ev.constant_runs
    assert read.without_constant_runs is not None and read.without_constant_runs.sleep is not None
    for f in ("valid_min", "t_le88_min", "t_lt90_min", "drop5_min", "nadir_pct", "start_s"):
        assert getattr(read.without_constant_runs.sleep, f) == pytest.approx(
            getattr(ev.without_constant_runs.sleep, f), abs=1e-6
        ), f
    # the same determination by both routes; the figures without the run are a normal night
    assert evaluate(ctx(), read).to_dict() == evaluate(ctx(), ev).to_dict()
    assert evaluate(ctx(), ev.without_constant_runs).determination == "not_qualified"


@pytest.mark.parametrize(
    ("block", "match"),
    [
        ([], "must be an object"),
        ({"runs": [], "metrics": {}}, "needs 'runs'"),
        ({"runs": [{"start_s": 0, "end_s": 1}], "metrics": {}}, "each run needs"),
        ({"runs": [{"start_s": 0, "end_s": 1, "value_pct": 86}], "metrics": {"rest": {}}}, "not a window"),
    ],
)  # fmt: skip
def test_a_malformed_block_is_bad_input(block: Any, match: str, tmp_path: Path) -> None:
    summary = _run(tmp_path, _night((3600, 900, 86)))
    summary["without_constant_runs"] = block
    with pytest.raises(EvidenceError, match=match):
        Evidence.from_summary(summary)


def _noisy_hold(rec: Any, start: int, seconds: int, level: float, noise: float) -> Any:
    """``rec`` with SpO2 held at ``level`` from ``start`` for ``seconds`` (1 Hz), plus uniform
    digitiser noise of ``noise`` points either side (an analog output recorded at its hold)."""
    rng = np.random.default_rng(7)
    x = rec.spo2.data.copy()
    x[start : start + seconds] = level + rng.uniform(-noise, noise, seconds)
    return dataclasses.replace(rec, spo2=dataclasses.replace(rec.spo2, data=x))


def test_a_held_value_with_digitiser_noise_is_a_held_run(tmp_path: Path) -> None:
    """A reading held at 86 % for 15 min through an analog output comes back with a few
    digitiser steps of noise: it was no constant run, and it qualified the night."""
    rec = _noisy_hold(_night(), 3600, 900, 86.0, 0.06)
    a = analyze(rec)
    (held,) = a.held_runs
    assert held[:2] == (3600.0, 4500.0) and 85.94 <= held[2] < 86.0
    assert any("within 85.9" in f and "for 15.0 min" in f for f in a.artifact.review_flags)
    assert a.without_constant_runs["presumed_sleep"].t_le88_min == 0.0
    summary = _run(tmp_path, rec)
    q = summary["qualification"]
    assert q["determination"] == "indeterminate"
    # (held at once after a 9-point step: a level the fall rule accepted after 30 s, too)
    assert [c["keys"] for c in q["conflicts"]] == [
        ["recording.constant_runs"],
        ["recording.fall_plateaus"],
    ]


def test_real_dips_slow_drifts_and_whole_percent_steps_are_not_held_runs() -> None:
    """A saturation that moves (a drift of 2 points an hour with noise, one of a point in half an
    hour, or a device's whole-percent readings alternating between 86 and 87 %) is physiology,
    not a held value; a half-point band took the first for one held run of 5 hours."""
    fs, n = 1.0, 1800
    noise = np.random.default_rng(3).uniform(-0.05, 0.05, 9000)
    slow = np.concatenate([np.linspace(91.0, 86.0, 9000), np.linspace(86.0, 91.0, 9000)])
    assert frozen_runs(slow + np.concatenate([noise, noise]), fs, 600.0) == []
    assert frozen_runs(np.linspace(86.0, 87.0, n), fs, 600.0) == []
    assert frozen_runs(np.linspace(84.0, 90.0, 10800), fs, 600.0) == []
    steps = np.where(np.arange(n) % 7 < 3, 86.0, 87.0)
    assert frozen_runs(steps, fs, 600.0) == []
    # held with noise under a tenth of a point from peak to peak, wherever the level lies
    # against the bands: always found, with its lowest value
    drift = np.linspace(86.0, 90.0, n)
    awake = np.full(300, 95.0)
    for level in (86.0, 86.04, 86.05, 86.09, 86.1, 86.15, 86.19):
        held = level + np.linspace(-0.04, 0.04, 700)[::-1]
        runs = frozen_runs(np.concatenate([drift, awake, held, awake]), fs, 600.0)
        assert runs == [(2100, 2800, pytest.approx(level - 0.04))], (level, runs)


def test_a_night_drifting_slowly_with_noise_stays_qualified(tmp_path: Path) -> None:
    """Falling from 91 to 86 % over 2.5 h and back (± 0.05 noise) is no held value: the night
    that qualifies on it stays qualified."""
    rec = _night()
    x = rec.spo2.data.copy()
    noise = np.random.default_rng(5).uniform(-0.05, 0.05, 18000)
    x[3600:21600] = np.concatenate([np.linspace(91, 86, 9000), np.linspace(86, 91, 9000)]) + noise
    rec = dataclasses.replace(rec, spo2=dataclasses.replace(rec.spo2, data=x))
    a = analyze(rec)
    assert [r[:2] for r in a.artifact.constant_runs] == [(0.0, 3600.0)]  # the hour at 95 % only
    # more than 5 points above the night's median, it is taken out of the awake baseline only,
    # which is then the drift's first 5 min at 91 %: the night still qualifies
    assert a.held_runs == ((0.0, 3600.0, 95.0),)
    without = a.without_constant_runs["presumed_sleep"]
    assert without.awake_baseline_pct == pytest.approx(91, abs=0.1)
    assert without.t_le88_min == a.metrics["presumed_sleep"].t_le88_min
    assert _run(tmp_path, rec)["qualification"]["determination"] == "qualified"


def test_a_held_value_broken_by_blank_rows_is_one_held_run(tmp_path: Path) -> None:
    """20 min held at exactly 86 % with one missing sample every 4 min (an export's blank rows):
    every piece was under 10 min, none was flagged, and the night qualified on them."""
    rec = _night((3600, 1200, 86))
    x = rec.spo2.data.copy()
    x[3600 + 240 : 3600 + 1200 : 240] = np.nan
    broken = dataclasses.replace(rec, spo2=dataclasses.replace(rec.spo2, data=x))
    a = analyze(broken)
    assert a.held_runs == ((3600.0, 4800.0, 86.0),)
    assert any("exactly 86 % for 20.0 min" in f for f in a.artifact.review_flags)
    summary = _run(tmp_path, broken)
    assert summary["qualification"]["determination"] == "indeterminate"


@pytest.mark.parametrize(("held_s", "gap_s"), [(19 * 60, 61), (19 * 60, 120), (25 * 60, 600)])
def test_a_held_value_either_side_of_a_long_dropout_is_one_held_run(
    tmp_path: Path, held_s: int, gap_s: int
) -> None:
    """19 min held at exactly 86 % with a dropout of over a minute in it (hunt 9): a 60-s gap
    was one run and indeterminate, a 61-s gap two runs of 9 min, neither flagged, and the night
    qualified. The pieces are one run whatever the gap's length (25 min with 10 min missing
    too), reported where the data are; the gap counts a minute (HELD_GAP_S) of its length."""
    rec = _night((3600, held_s, 86))
    x = rec.spo2.data.copy()
    x[3600 + 540 : 3600 + 540 + gap_s] = np.nan
    apart = dataclasses.replace(rec, spo2=dataclasses.replace(rec.spo2, data=x))
    a = analyze(apart)
    back = 3600.0 + 540 + gap_s
    end = 3600.0 + held_s
    assert a.held_runs == ((3600.0, 4140.0, 86.0), (back, end, 86.0))
    data_min = (held_s - gap_s) / 60
    (flag,) = [f for f in a.artifact.review_flags if "86 %" in f]
    # at clock times, as the rest of the report says them (they were seconds from the start)
    till = START + dt.timedelta(seconds=end)
    assert (
        f"exactly 86 % for {data_min:.1f} min in 2 parts from 23:00:00 to {till:%H:%M:%S}" in flag
    )
    assert f"no data for {gap_s / 60:.1f} min between them" in flag
    summary = _run(tmp_path, apart)
    q = summary["qualification"]
    assert q["determination"] == "indeterminate"
    assert [c["keys"] for c in q["conflicts"]] == [["recording.constant_runs"]]
    assert "86 % for 9.0 min from 23:00:00" in q["conflicts"][0]["why"]
    runs = summary["without_constant_runs"]["runs"]
    assert [(r["start_s"], r["end_s"]) for r in runs] == [(3600.0, 4140.0), (back, end)]


def test_a_value_either_side_of_a_long_dropout_is_held_only_as_long_as_it_has_data() -> None:
    """A held run's length counts a missing stretch up to a minute (HELD_GAP_S): 4.5 min at
    86 %, an hour's dropout, 4.5 min at 86 % is a run of 10 min, one sample either side of it
    is none (no review flag for every probe-off that ends at the value it began)."""
    x = np.full(2 * 3600, 95.0) + np.tile([0.0, 1.0], 3600)  # no run of 95 or 96
    x[0:270] = 86.0
    x[270:3870] = np.nan
    x[3870:4140] = 86.0
    assert frozen_runs(x, 1.0, 600.0) == [(0, 270, 86.0), (3870, 4140, 86.0)]
    x[1:269] = 95.0
    x[3871:4139] = 95.0
    assert frozen_runs(x, 1.0, 600.0) == []
    x[0:270] = 86.0
    x[3870:4139] = 86.0  # 269 s: 4.5 min and 4.48 min, with the dropout's minute under 10 min
    x[4139] = 95.0
    assert frozen_runs(x, 1.0, 600.0) == []


def test_recomputed_figures_edited_without_their_percentages_are_refused() -> None:
    """The figures without a held run decide its conflict: the held night's minutes copied into
    them (their percentages left) qualified through oxi qualify --summary; the same edit of the
    window's own figures was refused."""
    from oximetry.report.summary import build_summary, dumps_summary

    summary = json.loads(dumps_summary(build_summary(analyze(_night((3600, 1200, 86))))))
    Evidence.from_summary(summary)  # genuine: read
    without = summary["without_constant_runs"]["metrics"]["presumed_sleep"]
    held = summary["metrics"]["presumed_sleep"]
    for key in ("t_le88_min", "t_lt90_min", "t_le90_min", "longest_le88_min", "nadir_pct"):
        without[key] = held[key]
    with pytest.raises(EvidenceError, match=r"without_constant_runs\.metrics\.presumed_sleep"):
        Evidence.from_summary(summary)


#: Medicare's Group I-3 context: a COPD outpatient night by an IDTF, with insomnia.
MEDICARE_I3 = (
    "payer: medicare\n"
    "patient: {age_years: 72}\n"
    "test: {type: overnight, date: 2026-11-20, room_air: true, setting: outpatient,\n"
    "       performed_by: idtf, evaluated_date: 2026-11-23}\n"
    "order: {date: 2026-11-25, flow_lpm: 2}\n"
    "diagnoses: [J44.9]\nmobility: {within_home: true}\nsymptoms: [insomnia]\n"
)


def _high_run_night(held_min: int, level: float = 100.0) -> Any:
    """6 h at 93 % (± 1), ``held_min`` minutes held at ``level`` from 00:00 (entered and left
    at a point a second), and 8 min at 89 % from 02:00 (half a point a second)."""
    rng = np.random.default_rng(3)
    x = 93.0 + rng.choice([-1.0, 0.0, 0.0, 1.0], 6 * 3600)
    up = np.arange(93.0, level, 1.0)
    a = 7200
    x[a : a + up.size] = up
    x[a + up.size : a + up.size + held_min * 60] = level
    e = a + up.size + held_min * 60
    x[e : e + up.size] = up[::-1]
    ramp = np.arange(93.0, 89.0, -0.5)
    b = 4 * 3600
    x[b : b + ramp.size] = ramp
    x[b + ramp.size : b + ramp.size + 480] = 89.0
    x[b + ramp.size + 480 : b + 2 * ramp.size + 480] = ramp[::-1]
    rec, _ = simulate_night(fs=1, duration_s=60, seed=3, start=START, pulse=False)
    return dataclasses.replace(rec, spo2=dataclasses.replace(rec.spo2, data=x))


def test_a_held_run_that_raises_the_mean_is_no_drop_below_it(tmp_path: Path) -> None:
    """90 min held at exactly 100 % in a night at 93 % raised its mean from 92.9 to 94.65 %, and
    8 min at 89 % became a drop of more than 5 points below the mean: Medicare's Group I-3
    qualified (insomnia), as only runs at a level a figure counts were taken out (hunt 13)."""
    a = analyze(_high_run_night(90))
    night = a.metrics["presumed_sleep"]
    assert night.mean_pct == pytest.approx(94.65, abs=0.01) and night.drop5_from_mean_min == 8.0
    ((start, end, value),) = a.held_runs
    assert value == 100.0 and end - start == 5400.0
    without = a.without_constant_runs["presumed_sleep"]
    assert isinstance(without, WindowMetrics) and without.drop5_from_mean_min == 0.0
    edf = write_edf(_high_run_night(90), tmp_path / "night.edf")
    (tmp_path / "ctx.yaml").write_text(MEDICARE_I3)
    args = ["analyze", str(edf), "--context", str(tmp_path / "ctx.yaml"), "--no-report"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    q = json.loads((tmp_path / "out" / "summary.json").read_text())["qualification"]
    assert q["determination"] == "indeterminate"
    assert [c["keys"] for c in q["conflicts"]] == [["recording.constant_runs"]]
    # without the run the night is at 92.9 % and 89 % is no drop of more than 5 points
    edf = write_edf(_high_run_night(0), tmp_path / "plain.edf")
    assert main(["analyze", str(edf), "--context", str(tmp_path / "ctx.yaml"), "--no-report",
                 "--out", str(tmp_path / "plain")]) == 0  # fmt: skip
    q = json.loads((tmp_path / "plain" / "summary.json").read_text())["qualification"]
    assert q["determination"] == "not_qualified"
    # a run 5 points or less above the rest of the night, as steady sleep is, stays
    assert analyze(_high_run_night(60, 98.0)).held_runs == ()


def _high_runs_night(pieces: int, piece_min: int) -> Any:
    """6 h at 93 % (± 1) with ``pieces`` runs of ``piece_min`` minutes held at 100 % from
    22:10 (entered and left at a point a second, 30 s apart), and 8 min at 89 % from 03:00."""
    rng = np.random.default_rng(3)
    x = 93.0 + rng.choice([-1.0, 0.0, 0.0, 1.0], 6 * 3600)
    up = np.arange(93.0, 100.0, 1.0)
    a = 600
    for _ in range(pieces):
        x[a : a + up.size] = up
        a += up.size
        x[a : a + piece_min * 60] = 100.0
        a += piece_min * 60
        x[a : a + up.size] = up[::-1]
        a += up.size + 30
    ramp = np.arange(93.0, 89.0, -0.5)
    b = 5 * 3600
    x[b : b + ramp.size] = ramp
    x[b + ramp.size : b + ramp.size + 480] = 89.0
    x[b + ramp.size + 480 : b + 2 * ramp.size + 480] = ramp[::-1]
    rec, _ = simulate_night(fs=1, duration_s=60, seed=3, start=START, pulse=False)
    return dataclasses.replace(rec, spo2=dataclasses.replace(rec.spo2, data=x))


@pytest.mark.parametrize(("pieces", "piece_min"), [(10, 14), (14, 10)])
def test_held_runs_that_raise_the_mean_together_are_no_drop_below_it(
    pieces: int, piece_min: int
) -> None:
    """Ten runs of 14 min (or 14 of 10) held at 100 % in a night at 93 % raised its mean to
    95.6 %, and 8 min at 89 % became a drop of more than 5 points below it: each run, judged
    alone against a mean the others still raised, was within 5 points of it, none was taken out,
    and Medicare's Group I-3 qualified (hunt 13). They are judged together."""
    a = analyze(_high_runs_night(pieces, piece_min))
    assert a.metrics["presumed_sleep"].drop5_from_mean_min == pytest.approx(8.07, abs=0.01)
    assert len(a.held_runs) == pieces
    without = a.without_constant_runs["presumed_sleep"]
    assert isinstance(without, WindowMetrics) and without.drop5_from_mean_min == 0.0
    d = evaluate(Context.from_dict(yaml.safe_load(MEDICARE_I3)), evidence_from_analysis(a))
    assert d.determination == "indeterminate"
    assert [c.keys for c in d.conflicts] == [("recording.constant_runs",)]
