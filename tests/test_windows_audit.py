"""Audit of the analysis windows (SPEC §5): the awake baseline of a staged recording."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from oxi.pipeline import AnalyzeRequest, Outcome, analyze_file
from oximetry import analyze
from oximetry.errors import RecordingFormatError
from oximetry.model import Annotation, Recording
from oximetry.results import Window
from oximetry.settings import AnalysisSettings
from oximetry.simulate import simulate_night, write_edf
from oximetry.windows import WindowPlan, build_windows
from tests.criteria_helpers import OVERNIGHT_YAML


def _lights(*marks: tuple[float, str]) -> list[Annotation]:
    return [Annotation(t, 0.0, f"Lights {word}") for t, word in marks]


def _plan(rec: Recording, settings: AnalysisSettings | None = None) -> WindowPlan:
    """The windows of ``rec`` with every sample valid."""
    valid = np.ones(rec.spo2.n_samples, dtype=bool)
    return build_windows(rec, settings or AnalysisSettings(), valid)


def _presumed(plan: WindowPlan) -> Window:
    return next(w for w in plan.windows if w.kind == "presumed_sleep")


def _n2_at_86_after_wake_probe_off() -> Recording:
    """Staged wake 0-600 s with the probe off, then N2, held at 86 % for ten minutes."""
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=14400,
        seed=1,
        gaps=[(0.0, 600.0)],
        sustained_drops=[(600.0, 600.0, 86.0)],
        stages=[(0.0, 600.0, "W"), (600.0, 13800.0, "N2")],
    )
    return rec


def test_presumed_awake_baseline_never_takes_staged_sleep() -> None:
    """The staging scores the first valid data N2: they are not a presumed awake baseline.

    Staged wake 0-600 s with the probe off, then N2 held at 86 % for ten minutes. Before, the
    baseline was the median of those N2 samples (86 %, "presumed to be awake"), and MassHealth
    read it as awake hypoxaemia: qualified for continuous oxygen on sleep data.
    """
    rec = _n2_at_86_after_wake_probe_off()
    a = analyze(rec)
    sleep = a.metrics["sleep"]
    assert sleep.awake_baseline_pct is None
    assert "presumed_awake" not in [w.kind for w in a.windows]
    assert any("outside the scored sleep-stage epochs" in w for w in a.warnings)


def test_presumed_awake_baseline_takes_unscored_time_only() -> None:
    """Time the hypnogram does not cover may still be presumed awake; scored epochs never."""
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=3600,
        seed=1,
        stages=[(0.0, 60.0, "N1"), (60.0, 60.0, "?"), (120.0, 3000.0, "N2")],
    )
    plan = _plan(rec)
    assert plan.baseline is not None and plan.baseline.kind == "presumed_awake"
    assert plan.baseline.spans_s == ((3120.0, 3420.0),)


def test_presumed_awake_baseline_unchanged_without_staging() -> None:
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=1)
    valid = np.ones(3600, dtype=bool)
    valid[:100] = False
    plan = build_windows(rec, AnalysisSettings(), valid)
    assert plan.baseline is not None and plan.baseline.spans_s == ((100.0, 400.0),)


def test_awake_option_never_takes_epochs_scored_as_sleep() -> None:
    """``--awake`` over N2 epochs: the staging says asleep, so they are not the awake baseline.

    The staging has no valid wake (W with the probe off), the night sits at 86 % in N2 from
    600 s, and ``--awake 600-1200`` was given. Before, the baseline was the median of those N2
    samples, 86 %, read by MassHealth as awake hypoxaemia. Only the span's unscored or wake
    time may be the awake baseline; here none is left.
    """
    rec = _n2_at_86_after_wake_probe_off()
    a = analyze(rec, AnalysisSettings(awake_span_s=(600.0, 1200.0)))
    assert a.metrics["sleep"].awake_baseline_pct is None
    assert any("--awake" in w and "scored as sleep" in w for w in a.warnings)


def test_awake_option_keeps_its_unscored_and_wake_time() -> None:
    """The part of ``--awake`` the staging does not score as sleep stays the baseline window."""
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=3600,
        seed=1,
        stages=[(0.0, 300.0, "N1"), (300.0, 300.0, "?"), (600.0, 3000.0, "N2")],
    )
    plan = _plan(rec, AnalysisSettings(awake_span_s=(0.0, 900.0)))
    assert plan.baseline is not None and plan.baseline.source == "awake_option"
    assert plan.baseline.spans_s == ((300.0, 600.0),)
    assert any("10.0 min" in w and "scored as sleep" in w for w in plan.warnings)


def test_every_lights_off_on_pair_bounds_the_presumed_sleep() -> None:
    """Lights on at 02:00 for an hour, off again: the second part of the night was dropped.

    Only the first off/on pair was read, so the presumed sleep window ended at the first
    lights on and the minutes after the second lights off went uncounted.
    """
    marks = _lights((1800.0, "off"), (7200.0, "on"), (10800.0, "off"), (25200.0, "on"))
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=28800,
        seed=1,
        sustained_drops=[(12000.0, 600.0, 86.0)],
        annotations=marks,
    )
    sleep = _presumed(_plan(rec))
    assert sleep.source == "annotations"
    assert sleep.spans_s == ((1800.0, 7200.0), (10800.0, 25200.0))
    assert analyze(rec).metrics["presumed_sleep"].t_le88_min == 10.0


def test_lights_on_without_lights_off_ends_the_presumed_sleep() -> None:
    """A recording started in bed marks only lights on: the window ends there, not at the end."""
    rec, _ = simulate_night(fs=1.0, duration_s=28800, seed=1, annotations=_lights((25200.0, "on")))
    sleep = _presumed(_plan(rec))
    assert sleep.spans_s == ((0.0, 25200.0),)


def test_lights_on_after_the_recording_says_so() -> None:
    """A lights-on past the recording's end is cut to the end, with a warning (was silent)."""
    rec, _ = simulate_night(fs=1.0, duration_s=28800, seed=1)
    plan = _plan(rec, AnalysisSettings(lights_off_s=1800.0, lights_on_s=60000.0))
    sleep = _presumed(plan)
    assert sleep.spans_s == ((1800.0, 28800.0),)
    assert any("Lights on" in w and "after the recording ends" in w for w in plan.warnings)


@pytest.mark.parametrize("marked_by", ["staging", "lights"])
def test_two_nights_of_three_minutes_are_not_one_night_of_six(
    tmp_path: Path, marked_by: str
) -> None:
    """A recording of two nights, 3 min at 86 % in each: no night has the 5 minutes.

    The staged sleep window (and now the lights-off/on window) held both nights, so their
    minutes added up to 6 and MassHealth's II.A.2.a.ii qualified on them.
    """
    h = 3600.0
    stages: list[tuple[float, float, str]] = []
    marks: list[Annotation] = []
    if marked_by == "staging":
        stages = [
            (0.0, 8 * h, "N2"),
            (8 * h, 16 * h, "W"),
            (24 * h, 8 * h, "N2"),
            (32 * h, 2 * h, "W"),
        ]
    else:
        marks = _lights((0.0, "off"), (7 * h, "on"), (24 * h, "off"), (31 * h, "on"))
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=34 * h,
        seed=3,
        stages=stages or False,
        sustained_drops=[(2 * h, 180.0, 86.0), (26 * h, 180.0, 86.0)],
        annotations=marks,
        start=dt.datetime(2026, 11, 20, 22, 0),
    )
    edf = write_edf(rec, tmp_path / "two-nights.edf")
    (tmp_path / "ctx.yaml").write_text(OVERNIGHT_YAML)
    out = analyze_file(edf, AnalyzeRequest(context_path=str(tmp_path / "ctx.yaml")))
    kind = "sleep" if marked_by == "staging" else "presumed_sleep"
    assert out.summary["metrics"][kind]["t_le88_min"] == pytest.approx(6.0)
    d = out.determination
    assert d is not None and d.determination == "indeterminate"
    assert any("more than one night" in m for m in d.missing)


def test_one_night_of_six_minutes_still_qualifies(tmp_path: Path) -> None:
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=9 * 3600.0,
        seed=3,
        stages=[(0.0, 8 * 3600.0, "N2"), (8 * 3600.0, 3600.0, "W")],
        sustained_drops=[(2 * 3600.0, 360.0, 86.0)],
        start=dt.datetime(2026, 11, 20, 22, 0),
    )
    edf = write_edf(rec, tmp_path / "night.edf")
    (tmp_path / "ctx.yaml").write_text(OVERNIGHT_YAML)
    out = analyze_file(edf, AnalyzeRequest(context_path=str(tmp_path / "ctx.yaml")))
    assert out.determination is not None and out.determination.determination == "qualified"


def test_lights_on_before_the_first_lights_off_is_no_night() -> None:
    """A device's "lights on" a minute after switch-on, then the night's off and on marks."""
    marks = _lights((60.0, "on"), (1800.0, "off"), (25200.0, "on"))
    rec, _ = simulate_night(fs=1.0, duration_s=28800, seed=1, annotations=marks)
    sleep = _presumed(_plan(rec))
    assert sleep.spans_s == ((1800.0, 25200.0),)


def test_a_lights_off_repeated_before_lights_on_opens_the_night_at_the_later(
    tmp_path: Path,
) -> None:
    """Lights off at 17:00 and again at 22:00, lights on at 06:00, a dip at 17:30 awake.

    The first lights off was kept without a word: the window ran from 17:00, both ends marked,
    so no night-hours check applied, and 10 min at 86 % at 17:30 qualified nocturnal oxygen.
    The later lights off opens the night (as a repeated lights on closes it at the earlier),
    and a warning names the mark set aside.
    """
    h = 3600.0
    marks = _lights((0.5 * h, "off"), (5.5 * h, "off"), (13.5 * h, "on"))
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=14 * h,
        seed=1,
        sustained_drops=[(1 * h, 600.0, 86.0)],
        annotations=marks,
        start=dt.datetime(2026, 11, 20, 16, 30),
        noise_pts=0.6,
    )
    plan = _plan(rec)
    assert _presumed(plan).spans_s == ((5.5 * h, 13.5 * h),)
    assert _presumed(plan).ends == ("annotations", "annotations")
    said = "lights off at 17:00:00, 22:00:00 with no lights on between: the later (22:00:00)"
    assert any(
        said in w and "from 17:00:00 to it is not presumed sleep" in w for w in plan.warnings
    )
    # the option still replaces the start the marks give
    plan = _plan(rec, AnalysisSettings(lights_off_s=1.0 * h))
    assert _presumed(plan).spans_s == ((1.0 * h, 13.5 * h),)
    assert not any("no lights on between" in w for w in plan.warnings)
    edf = write_edf(rec, tmp_path / "night.edf")
    (tmp_path / "ctx.yaml").write_text(OVERNIGHT_YAML)
    out = analyze_file(edf, AnalyzeRequest(context_path=str(tmp_path / "ctx.yaml")))
    assert out.summary["metrics"]["presumed_sleep"]["t_le88_min"] == 0.0
    assert out.determination is not None and out.determination.determination != "qualified"


def _from_2030(*marks: tuple[float, str], dip_s: float = 600.0) -> Recording:
    """A night from 20:30, 10 min at 86 % from ``dip_s``, no data after 05:00, ``marks`` (h)."""
    h = 3600.0
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=10 * h,
        seed=3,
        noise_pts=0.3,
        sustained_drops=[(dip_s, 600.0, 86.0)],
        gaps=[(8.5 * h, 10 * h)],
        annotations=_lights(*((t * h, word) for t, word in marks)),
        start=dt.datetime(2026, 11, 20, 20, 30),
    )
    return rec


def _judged(rec: Recording, tmp_path: Path, lights_off: str | None = None) -> Outcome:
    """``oxi analyze`` of ``rec`` beside :data:`OVERNIGHT_YAML` (MassHealth)."""
    edf = write_edf(rec, tmp_path / "night.edf")
    (tmp_path / "ctx.yaml").write_text(OVERNIGHT_YAML)
    request = AnalyzeRequest(context_path=str(tmp_path / "ctx.yaml"), lights_off=lights_off)
    return analyze_file(edf, request)


def test_a_lights_off_repeated_after_the_data_keeps_the_earlier(tmp_path: Path) -> None:
    """Lights off at 21:30 and again at 05:30, data to 05:00, 10 min at 86 % at 20:40 (awake).

    Opening the night at the later mark, which opens no data, left no lights period, and the
    window fell back to the first to last valid sample: the dip at 20:40, before any lights off,
    qualified nocturnal oxygen, and the warning said the time between the marks was not sleep.
    The window runs from the earlier mark, its start put down as ``earlier_mark``.
    """
    rec = _from_2030((1.0, "off"), (9.0, "off"))
    out = _judged(rec, tmp_path)
    window = next(w for w in out.summary["windows"] if w["kind"] == "presumed_sleep")
    assert window["spans_s"] == [[3600.0, 30600.0]]
    assert window["ends"] == ["earlier_mark", "last_valid"]
    assert out.summary["metrics"]["presumed_sleep"]["t_le88_min"] == 0.0
    assert out.determination is not None and out.determination.determination != "qualified"
    said = [w for w in out.summary["warnings"] if "no lights on between" in w]
    assert said and "starts at the earlier (21:30:00)" in said[0], said
    assert not any("is not presumed sleep" in w for w in said)


def test_a_night_qualifying_from_the_earlier_of_two_lights_off_is_held_open(
    tmp_path: Path,
) -> None:
    """The same marks, the dip at 23:00: it qualifies only if the earlier mark is right.

    If the later (05:30, after the data) is, the recording holds no presumed sleep: the
    determination is indeterminate, naming the lights off; ``--lights-off`` settles it.
    """
    rec = _from_2030((1.0, "off"), (9.0, "off"), dip_s=2.5 * 3600)
    d = _judged(rec, tmp_path).determination
    assert d is not None and d.determination == "indeterminate"
    assert [c.keys for c in d.conflicts] == [("recording.lights_off",)]
    assert "21:30:00" in d.conflicts[0].why
    settled = _judged(rec, tmp_path, "21:30").determination
    assert settled is not None and settled.determination == "qualified"


def test_a_lights_off_repeated_after_the_data_before_lights_on() -> None:
    """Lights off at 21:30 and 05:30, lights on at 06:00, data to 05:00.

    The later mark's period (05:30-06:00) holds no data; it was the whole window. The window
    runs from the earlier mark to lights on.
    """
    rec = _from_2030((1.0, "off"), (9.0, "off"), (9.5, "on"))
    window = next(w for w in analyze(rec).windows if w.kind == "presumed_sleep")
    assert window.spans_s == ((3600.0, 34200.0),)
    assert window.ends == ("earlier_mark", "annotations")


def test_a_lights_off_only_after_the_data_is_no_whole_recording(tmp_path: Path) -> None:
    """Lights off only at 05:30, after the data (to 05:00), 10 min at 86 % at 20:40.

    No lights period holds data, and the window fell back to the whole recording, so the dip
    before lights off was sleep and qualified. The recording's data are before lights off: no
    presumed sleep window holds data.
    """
    rec = _from_2030((9.0, "off"))
    out = _judged(rec, tmp_path)
    window = next(w for w in out.summary["windows"] if w["kind"] == "presumed_sleep")
    assert window["source"] == "annotations" and window["spans_s"] == []
    assert out.summary["metrics"]["presumed_sleep"]["valid_min"] == 0.0
    assert out.determination is not None and out.determination.determination != "qualified"
    assert any("lights off only after its last valid sample" in w for w in out.summary["warnings"])


def test_excluding_the_other_night_leaves_one_night_to_judge(tmp_path: Path) -> None:
    """``--exclude`` of the second night bounds the sleep window to the first night.

    The night judged is the first (6 min at 86 %); the second's 3 minutes are rejected by the
    technologist. Excluded time stays in the recording as invalid (``excluded``), and is no
    longer part of the sleep window, so the window is one night again.
    """
    h = 3600.0
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=34 * h,
        seed=3,
        stages=[
            (0.0, 8 * h, "N2"),
            (8 * h, 16 * h, "W"),
            (24 * h, 8 * h, "N2"),
            (32 * h, 2 * h, "W"),
        ],
        sustained_drops=[(2 * h, 360.0, 86.0), (26 * h, 180.0, 86.0)],
        start=dt.datetime(2026, 11, 20, 22, 0),
    )
    edf = write_edf(rec, tmp_path / "two-nights.edf")
    (tmp_path / "ctx.yaml").write_text(OVERNIGHT_YAML)
    both = analyze_file(edf, AnalyzeRequest(context_path=str(tmp_path / "ctx.yaml")))
    assert both.determination is not None
    assert both.determination.determination == "indeterminate"
    request = AnalyzeRequest(exclude=("50400-122400",), context_path=str(tmp_path / "ctx.yaml"))
    one = analyze_file(edf, request)
    sleep = one.summary["metrics"]["sleep"]
    assert sleep["t_le88_min"] == pytest.approx(6.0)
    assert sleep["duration_min"] == pytest.approx(8 * 60.0)
    assert one.summary["recording"]["artifact_samples"]["excluded"] == 72000
    assert one.determination is not None and one.determination.determination == "qualified"


def test_stage_annotations_all_outside_the_recording_are_refused(tmp_path: Path) -> None:
    """A PSG's stages lying wholly after its data's end are another stretch's, never no staging.

    Dropped, the 4-h night fell back to a presumed-sleep window, and its 10 min at 85 %
    QUALIFIED Medicare Group I-2 as stand-alone overnight oximetry; a hypnogram file of none of
    the recording is refused alike. With --hypnogram the recording's own staging is set aside.
    """
    end = 4 * 3600.0
    stages = [Annotation(end + 30.0 * k, 30.0, "Sleep stage 2") for k in range(120)]
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=end,
        seed=1,
        noise_pts=0.5,
        sustained_drops=[(3600.0, 600.0, 85.0)],
        annotations=stages,
    )
    edf = write_edf(rec, tmp_path / "psg.edf")
    with pytest.raises(RecordingFormatError, match="none within the recording") as info:
        analyze_file(edf, AnalyzeRequest(report=False))
    assert str(edf) in str(info.value)
    hypnogram = tmp_path / "hypnogram.csv"
    hypnogram.write_text(f"onset,duration,stage\n0,{end:g},N2\n")
    out = analyze_file(edf, AnalyzeRequest(report=False, hypnogram=str(hypnogram)))
    assert out.analysis.main_window == "sleep"
    # an unscored mark past the end is no staging of another stretch
    rec2 = replace(rec, annotations=(Annotation(end + 60.0, 0.0, "Movement"),))
    assert analyze(rec2).main_window == "presumed_sleep"
