"""SPEC §5/§6 windows, the awake baseline window, annotation words and option time parsing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from oxi.options import parse_span, parse_time_spec
from oximetry.errors import RecordingFormatError, SettingsError
from oximetry.io.hypnogram import read_hypnogram
from oximetry.model import Annotation
from oximetry.results import Window
from oximetry.settings import AnalysisSettings
from oximetry.simulate import simulate_night
from oximetry.windows import (
    annotation_kind,
    build_windows,
    segment_outside,
    stage_of,
    staging_from_annotations,
    valid_spans,
    window_mask,
)

START = dt.datetime(2026, 1, 5, 22, 0, 0)


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("Sleep stage W", "W"),
        ("Sleep stage N1", "N1"),
        ("Sleep stage 2", "N2"),
        ("Sleep stage N3", "N3"),
        ("Sleep stage 4", "N4"),
        ("Sleep stage R", "R"),
        ("Sleep stage ?", "?"),
        ("Wake", "W"),
        ("REM", "R"),
        ("Stage 1", "N1"),
        ("stage_3", "N3"),
        ("W", "W"),
        ("R", "R"),
        ("N2", "N2"),
        ("SLEEP-S0", "W"),
        ("SLEEP-REM", "R"),
        ("Movement time", "?"),
        ("Obstructive apnea", None),
        ("Lights off", None),
        ("1", None),
        ("rest", None),
    ],
)
def test_stage_words(text: str, stage: str | None) -> None:
    assert stage_of(text) == stage


def test_annotation_kinds() -> None:
    assert annotation_kind("Sleep stage N2") == ("stage", "N2")
    assert annotation_kind("Lights off") == ("lights", "off")
    assert annotation_kind("LIGHTS OUT") == ("lights", "off")
    assert annotation_kind("lights_on") == ("lights", "on")
    assert annotation_kind("rest") == ("segment", "rest")
    assert annotation_kind("Exercise") == ("segment", "exercise")
    assert annotation_kind("exercise o2") == ("segment", "exercise_o2")
    assert annotation_kind("Hypopnea") == ("event", None)


def test_staging_from_annotations_gives_epochs_to_markers() -> None:
    notes = [
        Annotation(30.0, 0.0, "Sleep stage N2"),
        Annotation(0.0, 30.0, "W"),
        Annotation(5, 1, "x"),
    ]
    assert staging_from_annotations(notes) == ((0.0, 30.0, "W"), (30.0, 30.0, "N2"))


def test_window_mask_at_any_rate() -> None:
    w = Window("sleep", "annotations", ((10.0, 20.0), (30.0, 31.0)))
    for fs in (0.25, 1.0, 4.0, 25.0):
        m = window_mask(w, int(60 * fs), fs)
        # samples whose time lies in a span; at 0.25 Hz: 12 s and 16 s only
        assert m.sum() / fs == pytest.approx(11.0 if fs >= 1 else 8.0)
    m1 = window_mask(w, 60, 1.0)
    assert np.flatnonzero(m1).tolist() == [*range(10, 20), 30]
    assert valid_spans(m1, 1.0) == ((10.0, 20.0), (30.0, 31.0))


def test_staged_windows_and_awake_baseline() -> None:
    rec, truth = simulate_night(fs=1.0, duration_s=4 * 3600, seed=1, stages=True)
    valid = np.ones(rec.spo2.n_samples, dtype=bool)
    plan = build_windows(rec, AnalysisSettings(), valid)
    kinds = [w.kind for w in plan.windows]
    assert kinds == ["sleep", "awake"]
    assert plan.staged and plan.baseline is plan.windows[1]
    assert plan.warnings == ()
    sleep = window_mask(plan.windows[0], rec.spo2.n_samples, 1.0)
    expected = sum(e - s for s, e in truth.sleep_spans_s())
    assert sleep.sum() == expected
    assert plan.windows[0].source == "annotations"


def test_hypnogram_setting_wins_over_annotations() -> None:
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=1, stages=True)
    settings = AnalysisSettings(staging=((0.0, 600.0, "W"), (600.0, 1800.0, "N2")))
    plan = build_windows(rec, settings, np.ones(3600, dtype=bool))
    assert plan.windows[0] == Window("sleep", "hypnogram", ((600.0, 2400.0),))
    assert plan.windows[1] == Window("awake", "hypnogram", ((0.0, 600.0),))
    # said, not silent: the recording's own staging set aside, and 40 min of 60 staged
    assert any("own sleep staging" in w and "set aside" in w for w in plan.warnings)
    assert any("covers 0.7 h of the 1.0 h recording" in w for w in plan.warnings)
    whole = AnalysisSettings(staging=((0.0, 600.0, "W"), (600.0, 3000.0, "N2")))
    unstaged, _ = simulate_night(fs=1.0, duration_s=3600, seed=1)
    assert build_windows(unstaged, whole, np.ones(3600, dtype=bool)).warnings == ()


def test_the_recordings_own_staging_over_part_of_it_is_said() -> None:
    # a split night whose second file had no staging lost that file's minutes from the sleep
    # window without a word (the coverage was said for --hypnogram only)
    from dataclasses import replace

    rec, _ = simulate_night(fs=1.0, duration_s=2 * 3600, seed=1, stages=True)
    half = tuple(a for a in rec.annotations if a.onset_s < 3600)
    plan = build_windows(replace(rec, annotations=half), AnalysisSettings(), np.ones(7200, bool))
    assert plan.staged
    assert any("sleep staging covers 1.1 h of the 2.0 h recording" in w for w in plan.warnings)


def test_unscored_or_twice_given_staging_covers_nothing_more() -> None:
    # '?' epochs counted as covered and a stage given twice (EDF and its NSRR XML) counted
    # twice: either hid the warning while the sleep window lost those hours
    rec, _ = simulate_night(fs=1.0, duration_s=2 * 3600, seed=1)
    half = ((0.0, 600.0, "W"), (600.0, 3000.0, "N2"))
    unscored = AnalysisSettings(staging=(*half, (3600.0, 3600.0, "?")))
    plan = build_windows(rec, unscored, np.ones(7200, bool))
    assert any("covers 1.0 h of the 2.0 h recording" in w for w in plan.warnings)
    from dataclasses import replace

    from oximetry.model import Annotation

    twice = tuple(Annotation(o, d, f"Sleep stage {s}") for o, d, s in half) * 2
    plan = build_windows(replace(rec, annotations=twice), AnalysisSettings(), np.ones(7200, bool))
    assert any("sleep staging covers 1.0 h of the 2.0 h" in w for w in plan.warnings)


@pytest.mark.parametrize("label", ["-1", "-2", ".5", "2_", "Sleep stage -1"])
def test_signed_or_punctuated_numbers_are_no_stage(label: str) -> None:
    # YASA writes -1 (artefact) and -2 (unscored): read as N1 and N2, a night whose wake was
    # coded -1 counted its wake's dips as sleep and qualified
    from oximetry.annotations import hypnogram_stage, stage_of

    assert stage_of(label) is None and hypnogram_stage(label) is None
    assert hypnogram_stage("2") == "N2" and stage_of("Sleep stage 2") == "N2"


def test_a_hypnogram_is_the_way_round_overlapping_stage_annotations() -> None:
    """Overlapping stage annotations are refused, naming --hypnogram; with it the recording's
    own staging is set aside, overlaps and all (reading it for the warning refused it again)."""
    overlap = [Annotation(0.0, 3600.0, "Sleep stage W"), Annotation(1800.0, 30.0, "Sleep stage N2")]
    rec, _ = simulate_night(fs=1, duration_s=4 * 3600, seed=1, annotations=overlap)
    valid = np.ones(4 * 3600, dtype=bool)
    with pytest.raises(RecordingFormatError, match="--hypnogram"):
        build_windows(rec, AnalysisSettings(), valid)
    hyp = tuple((i * 30.0, 30.0, "N2" if i > 60 else "W") for i in range(4 * 120))
    plan = build_windows(rec, AnalysisSettings(staging=hyp), valid)
    assert [w.kind for w in plan.windows] == ["sleep", "awake"]
    assert any("set aside" in w for w in plan.warnings)


def test_staging_of_unscored_epochs_only_is_a_staging_without_sleep() -> None:
    """A sleep study whose epochs are all unscored ('?'): taken as no staging, its night became
    a presumed-sleep window and passed for stand-alone overnight oximetry (Medicare A16)."""
    import dataclasses

    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=1)
    notes = tuple(Annotation(30.0 * i, 30.0, "Sleep stage ?") for i in range(120))
    rec = dataclasses.replace(rec, annotations=notes)
    plan = build_windows(rec, AnalysisSettings(), np.ones(3600, dtype=bool))
    assert plan.staged and plan.windows[0].kind == "sleep"
    assert plan.windows[0].spans_s == ()
    assert any("has no sleep epochs" in w for w in plan.warnings)
    # a stray note read as unscored ("Movement") is no staging: the night stays presumed
    stray = dataclasses.replace(rec, annotations=(Annotation(1200.0, 30.0, "Movement"),))
    plan = build_windows(stray, AnalysisSettings(), np.ones(3600, dtype=bool))
    assert not plan.staged and plan.windows[0].kind == "presumed_sleep"


def test_a_hypnogram_of_the_wrong_epoch_length_or_nothing_scored_is_refused(
    tmp_path: Path,
) -> None:
    """960 numbered epochs of 20 s read as 30 s span 8 h beside a 5.3 h recording: the stages
    were laid out ever later, and the morning's wake was dropped past the end without a word
    (a dip in it counted as sleep). A hypnogram of '?' only stages nothing."""
    p = tmp_path / "hyp.csv"
    p.write_text("epoch,stage\n" + "".join(f"{i + 1},N2\n" for i in range(960)))
    with pytest.raises(RecordingFormatError, match="past the recording's end"):
        read_hypnogram(p, end_s=960 * 20.0)
    assert len(read_hypnogram(p, end_s=960 * 30.0 - 60.0)) == 958  # a minute over: clipped
    q = tmp_path / "unscored.csv"
    q.write_text("epoch,stage\n" + "".join(f"{i + 1},?\n" for i in range(20)))
    with pytest.raises(RecordingFormatError, match="scores no epoch"):
        read_hypnogram(q, end_s=600.0)


def test_an_empty_row_among_one_stage_per_epoch_is_refused(tmp_path: Path) -> None:
    """Each row is the next 30-s epoch: 60 unscored epochs left blank were skipped, laying every
    later stage 30 min earlier, and a wake epoch's 15 min at 85 % fell in the N2 after it and
    QUALIFIED the night. Blank lines after the last epoch, and ``?`` rows, are read as before."""
    p = tmp_path / "hyp.csv"
    p.write_text("Stage\nW\nW\n" + "\n" * 60 + "N2\nW\n")
    with pytest.raises(RecordingFormatError, match="line 64: 60 empty row"):
        read_hypnogram(p, end_s=600.0)
    p.write_text("W\n \nN2\n")
    with pytest.raises(RecordingFormatError, match="line 3: 1 empty row"):
        read_hypnogram(p, end_s=600.0)
    p.write_text("Stage\nW\n?\nN2\n\n\n")
    assert read_hypnogram(p, end_s=600.0) == (
        (0.0, 30.0, "W"),
        (30.0, 30.0, "?"),
        (60.0, 30.0, "N2"),
    )
    # rows that carry their time stay placed by it
    p.write_text("onset,duration,stage\n0,30,W\n\n30,30,N2\n")
    assert read_hypnogram(p, end_s=600.0) == ((0.0, 30.0, "W"), (30.0, 30.0, "N2"))
    # a line end written twice over ("\r\r\n", csv.writer in text mode on Windows) is one
    # line end, not an empty row after each (review of hunt 16)
    p.write_bytes(b"Stage\r\r\nW\r\r\nN2\r\r\nN2\r\r\n")
    assert read_hypnogram(p, end_s=600.0) == (
        (0.0, 30.0, "W"),
        (30.0, 30.0, "N2"),
        (60.0, 30.0, "N2"),
    )


def test_presumed_sleep_first_to_last_valid_and_presumed_awake() -> None:
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=1)
    valid = np.ones(3600, dtype=bool)
    valid[:100] = False
    valid[200:260] = False
    valid[3500:] = False
    plan = build_windows(rec, AnalysisSettings(), valid)
    ps, pa = plan.windows
    assert ps.kind == "presumed_sleep" and ps.source == "first_to_last_valid"
    assert ps.spans_s == ((100.0, 3500.0),)
    assert ps.warning is not None and "presumed" in ps.warning and "22:01:40" in ps.warning
    # the first 300 s of valid data, wherever they fall
    assert pa.kind == "presumed_awake" and pa.source == "first_300s_valid"
    assert pa.spans_s == ((100.0, 200.0), (260.0, 460.0))
    assert plan.baseline is pa
    assert len(plan.warnings) == 2 and not plan.staged


def test_presumed_sleep_from_lights_settings_and_annotations() -> None:
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=1, lights_s=(120.0, 3000.0))
    valid = np.ones(3600, dtype=bool)
    plan = build_windows(rec, AnalysisSettings(), valid)
    assert plan.windows[0].spans_s == ((120.0, 3000.0),)
    assert plan.windows[0].source == "annotations"
    plan = build_windows(rec, AnalysisSettings(lights_off_s=300.0, lights_on_s=3300.0), valid)
    assert plan.windows[0].spans_s == ((300.0, 3300.0),)
    assert plan.windows[0].source == "lights_off_on"
    assert plan.windows[0].ends == ("option", "option")
    # --lights-off alone corrects the file's lights off; its lights on at 3000 s stays
    plan = build_windows(rec, AnalysisSettings(lights_off_s=300.0), valid)
    assert plan.windows[0].spans_s == ((300.0, 3000.0),)
    assert plan.windows[0].ends == ("option", "annotations")
    with pytest.raises(SettingsError, match="outside the recording"):
        build_windows(rec, AnalysisSettings(lights_off_s=5000.0), valid)
    # lights on after the recording stopped: the window ends with the recording
    plan = build_windows(rec, AnalysisSettings(lights_off_s=300.0, lights_on_s=5000.0), valid)
    assert plan.windows[0].spans_s == ((300.0, 3600.0),)
    staged, _ = simulate_night(fs=1.0, duration_s=3600, seed=1, stages=True)
    plan = build_windows(staged, AnalysisSettings(lights_off_s=300.0), valid)
    assert plan.windows[0].kind == "sleep" and "Lights off/on" in plan.warnings[0]


def test_awake_option_is_used_without_staging() -> None:
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=1)
    plan = build_windows(
        rec, AnalysisSettings(awake_span_s=(60.0, 360.0)), np.ones(3600, dtype=bool)
    )
    assert plan.windows[1] == Window("awake", "awake_option", ((60.0, 360.0),))
    assert plan.baseline == plan.windows[1]
    # staged wake wins over --awake, with a warning
    rec2, _ = simulate_night(fs=1.0, duration_s=3600, seed=1, stages=True)
    plan2 = build_windows(
        rec2, AnalysisSettings(awake_span_s=(60.0, 360.0)), np.ones(3600, dtype=bool)
    )
    assert plan2.baseline is not None and plan2.baseline.source == "annotations"
    assert any("--awake" in w for w in plan2.warnings)


def test_staged_without_valid_wake_falls_back_to_presumed_awake() -> None:
    # the presumed baseline takes unscored time only, never the N2 epochs (test_windows_audit)
    rec, _ = simulate_night(
        fs=1.0, duration_s=3600, seed=1, stages=[(0.0, 300.0, "W"), (300.0, 2700.0, "N2")]
    )
    valid = np.ones(3600, dtype=bool)
    valid[:300] = False
    plan = build_windows(rec, AnalysisSettings(), valid)
    assert [w.kind for w in plan.windows] == ["sleep", "awake", "presumed_awake"]
    assert plan.baseline is not None and plan.baseline.kind == "presumed_awake"
    assert plan.baseline.spans_s == ((3000.0, 3300.0),)


def test_segments_from_options_annotations_and_rest_test_type() -> None:
    rec, _ = simulate_night(
        fs=1.0, duration_s=1200, seed=1, segments=[("rest", 0.0, 300.0), ("exercise", 400.0, 760.0)]
    )
    valid = np.ones(1200, dtype=bool)
    plan = build_windows(rec, AnalysisSettings(), valid)
    assert [w.kind for w in plan.windows] == ["rest", "exercise"]
    assert plan.windows[1] == Window("exercise", "annotations", ((400.0, 760.0),))
    opt = AnalysisSettings(segments_s=(("exercise_o2", 800.0, 1100.0),), test_type="exercise")
    plan = build_windows(rec, opt, valid)
    assert plan.windows == (Window("exercise_o2", "segment_option", ((800.0, 1100.0),)),)
    plain, _ = simulate_night(fs=1.0, duration_s=600, seed=1)
    valid = np.ones(600, dtype=bool)
    valid[:10] = False
    plan = build_windows(plain, AnalysisSettings(test_type="rest"), valid)
    assert plan.windows == (Window("rest", "test_type", ((10.0, 600.0),)),)
    plan = build_windows(plain, AnalysisSettings(test_type="exercise"), valid)
    assert plan.windows == () and "no rest/exercise" in plan.warnings[0]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("300", 300.0),
        ("12.5", 12.5),
        ("22:30", 1800.0),
        ("22:00:00", 0.0),
        ("23:59:59", 7199.0),
        ("00:10", 7800.0),  # after midnight: the next day
        ("21:59:59", 86399.0),
        ("22:00:01.5", 1.5),
    ],
)
def test_parse_time_spec(text: str, seconds: float) -> None:
    assert parse_time_spec(text, START) == seconds


def test_a_clock_time_in_the_starts_own_second_names_the_start() -> None:
    # oxi shows a start of 22:00:00.6 as "22:00:00"; --lights-off 22:00 was read as the next
    # day (86399.4 s) and refused as outside the recording
    start = START.replace(microsecond=600_000)
    assert parse_time_spec("22:00", start, span_s=3600) == 0.0
    assert parse_time_spec("22:00:00.5", start, span_s=3600) == 0.0
    assert parse_span("22:00:00-22:06:00", start) == (0.0, 359.4)
    assert parse_time_spec("21:59:59", start) == pytest.approx(86398.4)


def test_a_clock_span_starting_before_the_recording_says_so() -> None:
    # 09:59 on a recording from 10:00 is read as the next day: the refusal spoke of the end
    # coming before a start 86340 s in
    start = START.replace(hour=10)
    with pytest.raises(SettingsError, match=r"its start 09:59:00 lies before the recording's"):
        parse_span("09:59:00-10:05:00", start, span_s=3600)


def test_parse_span_and_errors() -> None:
    assert parse_span("0-300", START) == (0.0, 300.0)
    assert parse_span("22:05:00-22:11:00", START) == (300.0, 660.0)
    assert parse_span("23:50-00:10", START) == (6600.0, 7800.0)
    for bad in ("300-0", "abc", "1-2-3", "-5", "22:70", "25:00", "10-"):
        with pytest.raises(SettingsError):
            parse_span(bad, START)
    with pytest.raises(SettingsError, match="clock time"):
        parse_time_spec("22:30")
    with pytest.raises(SettingsError, match="HH:MM"):
        parse_time_spec("noon", START)


def test_segment_outside_the_recording_names_the_recording() -> None:
    rec, _ = simulate_night(fs=1.0, duration_s=600, seed=1)
    valid = np.ones(600, dtype=bool)
    # the last sample lasts one interval: a segment may end one interval after the end
    assert not segment_outside(0.0, 601.0, rec)
    assert segment_outside(0.0, 601.5, rec)
    assert segment_outside(600.0, 601.0, rec)
    with pytest.raises(SettingsError, match=r"segment rest .* outside the recording") as exc:
        build_windows(rec, AnalysisSettings(segments_s=(("rest", 500.0, 700.0),)), valid)
    assert exc.value.path == rec.source.path


@pytest.mark.parametrize("clock_known", [True, False])
def test_clock_times_on_a_recording_from_the_placeholder_midnight(clock_known: bool) -> None:
    """A file of times of day starting at 00:00:00 and one of elapsed time only both start at the
    placeholder 1900-01-01 00:00:00; --lights-off 00:30 was refused on both ("its file gives
    elapsed time only"). The reader's ``clock_known`` tells them apart: on the first it is
    1800 s from the start, on the second still refused (seconds accepted)."""
    import dataclasses

    from oxi.pipeline import AnalyzeRequest, resolve_settings

    rec, _ = simulate_night(fs=1.0, duration_s=3 * 3600, seed=1)
    source = dataclasses.replace(rec.source, date_known=False, clock_known=clock_known)
    rec = dataclasses.replace(rec, start=dt.datetime(1900, 1, 1), source=source)
    request = AnalyzeRequest(lights_off="00:30", lights_on="02:30", exclude=("01:00-01:10",))
    if clock_known:
        got = resolve_settings(request, rec)
        assert (got.lights_off_s, got.lights_on_s) == (1800.0, 9000.0)
        assert got.exclude_s == ((3600.0, 4200.0),)
    else:
        with pytest.raises(SettingsError, match="a clock time cannot be placed"):
            resolve_settings(request, rec)
    got = resolve_settings(AnalyzeRequest(lights_off="1800", lights_on="9000"), rec)
    assert (got.lights_off_s, got.lights_on_s) == (1800.0, 9000.0)


def test_staged_windows_never_hold_more_than_was_staged_at_4_s_samples() -> None:
    """30-s epochs hold 7.5 samples of 4 s. By start time each epoch starting on a sample got 8
    (32 s) and the next 7: N2 every other epoch (225 epochs, 112.5 min) held 120.0 min, and a
    night short of MassHealth's 2 hours qualified. A sample across a boundary is in neither."""
    from oximetry import analyze
    from oximetry.settings import AnalysisSettings
    from oximetry.simulate import simulate_night

    stages = [(0.0, 600.0, "W")]
    stages += [(600.0 + 30.0 * k, 30.0, "N2" if k % 2 == 0 else "W") for k in range(450)]
    stages.append((600.0 + 30.0 * 450, 600.0, "W"))
    end = 600.0 + 30.0 * 450 + 600.0
    rec, _ = simulate_night(fs=0.25, duration_s=end, seed=4, noise_pts=0.5, stages=stages)
    a = analyze(rec, AnalysisSettings(test_type="overnight"))
    staged_sleep = 225 * 30.0 / 60.0
    assert a.metrics["sleep"].duration_min <= staged_sleep
    assert a.metrics["awake"].duration_min <= (end / 60.0 - staged_sleep)
    assert a.metrics["sleep"].staging["total_sleep_min"] == a.metrics["sleep"].duration_min
    # at 1 Hz (30 samples an epoch) the staged time exactly
    rec1, _ = simulate_night(fs=1.0, duration_s=end, seed=4, noise_pts=0.5, stages=stages)
    assert (
        analyze(rec1, AnalysisSettings(test_type="overnight")).metrics["sleep"].duration_min
        == staged_sleep
    )


def test_a_segment_over_staged_wake_at_4_s_samples_is_all_awake() -> None:
    """A rest segment given exactly over 30 wake epochs at 4-s samples: its last sample crosses
    the end of the wake epochs, and with the stages counted by whole samples it was in neither
    stage, so the segment was "not shown awake" and a rest test held open. A segment's stages
    are taken as it takes its samples, by their start time."""
    from oximetry import analyze
    from oximetry.settings import AnalysisSettings
    from oximetry.simulate import simulate_night

    w0 = 17895.0
    stages = [(0.0, w0, "N2"), (w0, 900.0, "W"), (w0 + 900.0, 3600.0, "N2")]
    rec, _ = simulate_night(fs=0.25, duration_s=w0 + 4500.0, seed=4, noise_pts=0.5, stages=stages)
    a = analyze(rec, AnalysisSettings(test_type="rest", segments_s=(("rest", w0, w0 + 900.0),)))
    seg = a.metrics["rest"]
    assert seg.asleep_min == 0.0 and seg.unscored_min == 0.0


@pytest.mark.parametrize(
    "staging",
    [
        ((float("nan"), 1800.0, "W"), (1800.0, 1800.0, "N2")),
        ((0.0, float("nan"), "N2"),),
        ((0.0, -3600.0, "N2"),),
        ((0.0, 3600.0, "REM"),),
        ((0.0, 3600.0, "W"), (0.0, 3600.0, "N2")),
    ],
)
def test_staging_given_by_hand_is_checked_as_a_hypnogram_is(
    staging: tuple[tuple[float, float, str], ...],
) -> None:
    """AnalysisSettings(staging=...) took any epochs: a wake epoch with a NaN onset made the
    whole hour awake (60 min) beside 30 min asleep, a stage 'REM' was unscored (0 min asleep),
    and two epochs over one hour made it 60 min asleep and 60 min awake (hunt 15)."""
    with pytest.raises(SettingsError, match="staging"):
        AnalysisSettings(staging=staging)


@pytest.mark.parametrize(
    "kw",
    [
        {"artifact": {"min_pct": float("nan")}},
        {"artifact": {"max_fall_pts_per_s": float("nan")}},
        {"artifact": {"max_pct": 150.0}},
        {"artifact": {"pulse_min_bpm": 300.0}},
        {"odi": {"baseline_window_s": float("nan")}},
        {"odi": {"min_event_s": -1.0}},
        {"drop_pts": float("nan")},
        {"drop_pts": -5.0},
        {"presumed_awake_s": -300.0},
    ],
)
def test_a_threshold_that_is_no_finite_number_at_least_0_is_refused(kw: dict[str, object]) -> None:
    """A NaN threshold compares false: min_pct=nan kept 10 min of a probe's 30 % as valid
    data, counted at or below 88 % (nadir 30 %); a drop_pts of NaN ended in numpy's 'cannot
    convert float NaN to integer' (hunt 15)."""
    with pytest.raises(SettingsError):
        AnalysisSettings.from_dict(kw)
