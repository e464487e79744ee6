"""Lights off/on at one end only, clock times that occur twice, and options a test does not use.

Hunt 9 (windows): a presumed-sleep window bounded by lights off or on at one end only passed as
bounded at both, so the night-hours check of a whole-recording window was skipped and a dip of
the evening or the late morning, awake, qualified; an option correcting one end dropped the
file's mark of the other; a clock time of a recording of more than 24 h went silently to its
first occurrence; an ``--awake`` span outside the recording was accepted; and an exercise test
dropped ``--lights-off``/``--lights-on``/``--awake`` without a word.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from criteria import Evidence
from criteria.errors import EvidenceError
from oxi.options import parse_span, parse_time_spec
from oxi.pipeline import AnalyzeRequest, analyze_file
from oximetry import analyze
from oximetry.errors import RecordingFormatError, SettingsError
from oximetry.io.hypnogram import read_hypnogram
from oximetry.model import Annotation, Recording
from oximetry.results import Window
from oximetry.settings import AnalysisSettings
from oximetry.simulate import simulate_night, write_csv, write_edf
from oximetry.windows import WindowPlan, build_windows, lights_out_spans
from tests.criteria_helpers import OVERNIGHT_YAML

H = 3600.0
#: OVERNIGHT_YAML's test date.
DAY = dt.date(2026, 11, 20)


def _at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute))


def _night(
    start: dt.datetime,
    hours: float,
    dip_s: float,
    marks: tuple[tuple[float, str], ...] = (),
    *,
    seed: int = 1,
) -> Recording:
    """A flat night at 96 % with 10 min at 86 % from ``dip_s``, and lights marks if given."""
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=hours * H,
        seed=seed,
        sustained_drops=[(dip_s, 600.0, 86.0)],
        annotations=[Annotation(t, 0.0, f"Lights {word}") for t, word in marks],
        start=start,
        noise_pts=0.6,  # no held value (a constant run is a conflict of its own)
    )
    return rec


def _plan(rec: Recording, settings: AnalysisSettings | None = None) -> WindowPlan:
    return build_windows(
        rec, settings or AnalysisSettings(), np.ones(rec.spo2.n_samples, dtype=bool)
    )


def _presumed(plan: WindowPlan) -> Window:
    return next(w for w in plan.windows if w.kind == "presumed_sleep")


def _analyze(tmp_path: Path, rec: Recording, **options: Any) -> Any:
    edf = write_edf(rec, tmp_path / "night.edf")
    (tmp_path / "ctx.yaml").write_text(OVERNIGHT_YAML)
    return analyze_file(edf, AnalyzeRequest(context_path=str(tmp_path / "ctx.yaml"), **options))


# ---------------------------------------------------------------------------------------------
# 1. One end of lights off/on: the other end is checked against the night hours
# ---------------------------------------------------------------------------------------------

#: (start, hours, dip from the start (s), lights marks of the file, options, window's ends).
#: Each dip lies outside 20:00-08:00 on the end that no lights off/on bounds.
ONE_SIDED = {
    # 17:00 to 06:00, the dip at 17:30 (awake in the evening): lights on given only
    "lights_on_option": (17, 13, 1800.0, (), {"lights_on": "06:00"}, ["first_valid", "option"]),
    # 22:00 to 11:00, the dip at 10:00 (awake in the late morning): lights off given only
    "lights_off_option": (
        22, 13, 12 * H, (), {"lights_off": "22:30"}, ["option", "last_valid"],
    ),
    # the same nights with the file marking only lights on (05:59) or only lights off (22:30)
    "lights_on_mark": (
        17, 13, 1800.0, ((13 * H - 60, "on"),), {}, ["first_valid", "annotations"],
    ),
    "lights_off_mark": (
        22, 13, 12 * H, ((1800.0, "off"),), {}, ["annotations", "last_valid"],
    ),
    # 22:00 to 11:30, the dip at 10:30: a lights on after the recording (16:30 for 06:30) ends
    # the window with the recording, no lights on; put down as the option's, it qualified
    "lights_on_after_the_end": (
        22, 13.5, 12.5 * H, (), {"lights_on": "16:30"}, ["first_valid", "recording_end"],
    ),
    "both_lights_on_after_the_end": (
        22, 13.5, 12.5 * H, (), {"lights_off": "22:00", "lights_on": "16:30"},
        ["option", "recording_end"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(ONE_SIDED))
def test_one_end_of_lights_leaves_the_other_to_the_night_hours_check(
    tmp_path: Path, case: str
) -> None:
    """The dip lies outside 20:00-08:00 where no lights off/on bounds the window: it may be
    the patient awake, so the outcome may not rest on it (it qualified: "lights_off_on")."""
    hour, hours, dip_s, marks, options, ends = ONE_SIDED[case]
    out = _analyze(tmp_path, _night(_at(hour), hours, dip_s, marks), **options)
    assert out.summary["metrics"]["presumed_sleep"]["t_le88_min"] == pytest.approx(10.0, abs=0.5)
    d = out.determination
    assert d is not None and d.determination == "indeterminate", d.determination
    conflict = next(c for c in d.conflicts if c.keys == ("recording.presumed_sleep",))
    assert "bounded by lights" in conflict.why or "after the recording ends" in conflict.why
    window = next(w for w in out.summary["windows"] if w["kind"] == "presumed_sleep")
    assert window["ends"] == ends
    # the summary route reads the ends and gives the same determination
    again = Evidence.from_summary(json.loads(json.dumps(out.summary)))
    assert again.sleep is not None and again.sleep.ends == tuple(ends)


def test_lights_given_at_both_ends_are_the_users_word(tmp_path: Path) -> None:
    """The control: the same evening with lights off at 17:00 and on at 06:00 both given is
    judged on the window as given (the user puts the patient in bed at 17:00)."""
    out = _analyze(tmp_path, _night(_at(17), 13, 1800.0), lights_off="17:00", lights_on="06:00")
    window = next(w for w in out.summary["windows"] if w["kind"] == "presumed_sleep")
    assert window["ends"] == ["option", "option"]
    assert out.determination is not None and out.determination.determination == "qualified"


@pytest.mark.parametrize(
    ("hour", "mark", "said"),
    [
        (
            17,
            (13 * H - 60, "on"),
            "from the first valid sample (17:00:00; no lights off given or marked) to lights on "
            "(05:59:00, as the recording marks it)",
        ),
        (
            22,
            (1800.0, "off"),
            "from lights off (22:30:00, as the recording marks it) to the last valid sample "
            "(11:00:00; no lights on given or marked)",
        ),
    ],
    ids=["only_lights_on", "only_lights_off"],
)
def test_the_warning_says_which_end_came_from_where(
    hour: int, mark: tuple[float, str], said: str
) -> None:
    """A file marking only lights on was "from lights off to lights on as the recording marks
    them (17:00:00 to 05:59:00)": no lights off was marked."""
    warning = _presumed(_plan(_night(_at(hour), 13, 1800.0, (mark,)))).warning or ""
    assert said in warning
    assert "as the recording marks them" not in warning


@pytest.mark.parametrize(
    ("hour", "dip_s", "options", "spans", "ends", "said"),
    [
        # marks 23:00 / 06:00 on 21:00-09:00, the dip at 08:00; lights off corrected to 23:15
        (
            21,
            11 * H,
            {"lights_off_s": 8100.0},
            ((8100.0, 32400.0),),
            ("option", "annotations"),
            "The recording marks lights off at 23:00:00; --lights-off (23:15:00) was used instead.",
        ),
        # marks 23:00 / 06:00 on 20:00-07:00, the dip at 21:00; lights on corrected to 06:15
        (
            20,
            1 * H,
            {"lights_on_s": 36900.0},
            ((10800.0, 36900.0),),
            ("annotations", "option"),
            "The recording marks lights on at 06:00:00; --lights-on (06:15:00) was used instead.",
        ),
    ],
    ids=["lights_off_corrected", "lights_on_corrected"],
)
def test_an_option_corrects_its_own_end_and_keeps_the_files_other_mark(
    hour: int,
    dip_s: float,
    options: dict[str, float],
    spans: tuple[tuple[float, float], ...],
    ends: tuple[str, str],
    said: str,
) -> None:
    """Correcting one end dropped the file's other mark without a word: the window ran to the
    last valid sample at 09:00 (or from the first at 20:00), and the dip awake qualified."""
    marks = ((23 * H - hour * H, "off"), (30 * H - hour * H, "on"))
    rec = _night(_at(hour), 11 if hour == 20 else 12, dip_s, marks)
    plan = _plan(rec, AnalysisSettings(**options))
    sleep = _presumed(plan)
    assert (sleep.source, sleep.spans_s, sleep.ends) == ("lights_off_on", spans, ends)
    assert said in plan.warnings
    a = analyze(rec, AnalysisSettings(**options))
    assert a.metrics["presumed_sleep"].t_le88_min == 0.0  # the dip lies outside the window


def _seconds_csv(tmp_path: Path) -> Path:
    """An 8-h night in a CSV of seconds from the start (no date, no clock): 10 min at 86 %."""
    rec, _ = simulate_night(
        fs=1.0, duration_s=8 * H, seed=1, sustained_drops=[(3 * H, 600.0, 86.0)], noise_pts=0.6
    )
    iso = write_csv(rec, tmp_path / "iso.csv").read_text().splitlines()
    rows = [f"{i},{line.split(',', 1)[1]}" for i, line in enumerate(iso[1:])]
    path = tmp_path / "seconds.csv"
    path.write_text("seconds,spo2,pulse\n" + "\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize(
    "options",
    [{"lights_on": "28000"}, {"lights_off": "10"}],
    ids=["lights_on_only", "lights_off_only"],
)
def test_a_recording_without_clock_and_one_end_cannot_be_placed_in_the_night(
    tmp_path: Path, options: dict[str, str]
) -> None:
    """Without a clock, "cannot be placed in the night" became qualified with one end given."""
    (tmp_path / "ctx.yaml").write_text(OVERNIGHT_YAML)
    out = analyze_file(
        _seconds_csv(tmp_path),
        AnalyzeRequest(context_path=str(tmp_path / "ctx.yaml"), **options),
    )
    assert out.summary["input"]["clock_known"] is False
    d = out.determination
    assert d is not None and d.determination == "indeterminate"
    assert any("cannot be placed in the night" in m for m in d.missing), d.missing
    both = analyze_file(
        _seconds_csv(tmp_path),
        AnalyzeRequest(
            context_path=str(tmp_path / "ctx.yaml"), lights_off="1800", lights_on="27000"
        ),
    )
    assert both.determination is not None and both.determination.determination == "qualified"


def _summary_of(rec: Recording, settings: AnalysisSettings) -> dict[str, Any]:
    from oximetry.report.summary import build_summary, dumps_summary

    return dict(json.loads(dumps_summary(build_summary(analyze(rec, settings)))))


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        # dropped: the window passed for one bounded at both ends, the night check skipped
        (lambda w: w.pop("ends"), "ends' is None"),
        # rewritten to both options while the settings hold lights on only
        (lambda w: w.update(ends=["option", "option"]), "contradict the settings' lights_off_s"),
        # a mark named on a window whose source says lights-off/on options
        (lambda w: w.update(ends=["first_valid", "annotations"]), "one of them 'option'"),
        (lambda w: w.update(ends="first_valid"), r"needs \[start, end\]"),
    ],
    ids=["dropped", "both_options", "no_option", "not_a_pair"],
)
def test_a_summary_whose_window_ends_were_edited_is_refused(edit: Any, said: str) -> None:
    """``Evidence.from_summary`` reads ``windows[].ends`` strictly (``oxi qualify --summary``)."""
    summary = _summary_of(_night(_at(17), 13, 1800.0), AnalysisSettings(lights_on_s=13 * H))
    window = next(w for w in summary["windows"] if w["kind"] == "presumed_sleep")
    assert window["ends"] == ["first_valid", "option"]
    assert Evidence.from_summary(summary).sleep is not None
    edit(window)
    with pytest.raises(EvidenceError, match=said):
        Evidence.from_summary(summary)


def test_a_lights_on_after_the_recording_put_down_as_the_option_is_refused() -> None:
    """--lights-on 16:30 on a night to 11:30 ends the window with the recording
    ('recording_end'); rewritten to 'option' (what the code wrote before), the summary vouched
    for the morning and qualified through ``oxi qualify --summary`` (review of hunt 9)."""
    settings = AnalysisSettings(lights_on_s=18.5 * H)
    summary = _summary_of(_night(_at(22), 13.5, 12.5 * H), settings)
    window = next(w for w in summary["windows"] if w["kind"] == "presumed_sleep")
    assert window["ends"] == ["first_valid", "recording_end"]
    assert Evidence.from_summary(summary).sleep is not None
    window["ends"] = ["first_valid", "option"]
    with pytest.raises(EvidenceError, match="lights on end, 'option' at 48600 s, contradicts"):
        Evidence.from_summary(summary)
    # and the other way round: an option's end put down as past the recording
    summary = _summary_of(_night(_at(17), 13, 1800.0), AnalysisSettings(lights_on_s=13 * H))
    window = next(w for w in summary["windows"] if w["kind"] == "presumed_sleep")
    window["ends"] = ["first_valid", "recording_end"]
    with pytest.raises(EvidenceError, match="'recording_end' at 46800 s, contradicts"):
        Evidence.from_summary(summary)


#: 05:40 and 22:40 on a night from 22:00.
_0540, _2240 = 7 * H + 2400.0, 0.5 * H + 600.0


def _walk_earlier(summary: dict[str, Any], by_s: float) -> None:
    """Move the walk's spans ``by_s`` earlier: the 10 min after it no longer reach lights on."""
    walk = next(w for w in summary["windows"] if w["kind"] == "exercise")
    walk["spans_s"] = [[a - by_s, b - by_s] for a, b in walk["spans_s"]]


@pytest.mark.parametrize(
    ("settings", "key", "cut_at", "undo"),
    [
        (
            AnalysisSettings(lights_on_s=8 * H, awake_span_s=(_0540, 8 * H)),
            "end_s",
            _0540,
            lambda s: s["settings"].update(awake_span_s=None),
        ),
        (
            AnalysisSettings(lights_off_s=0.5 * H, exclude_s=((0.5 * H, _2240),)),
            "start_s",
            _2240,
            lambda s: s["settings"].update(exclude_s=[]),
        ),
        (
            AnalysisSettings(lights_on_s=8 * H, exclude_s=((8 * H - 600.0, 8 * H),)),
            "end_s",
            8 * H - 600.0,
            lambda s: s["settings"].update(exclude_s=[]),
        ),
        (
            # a 6-min walk at 05:45 in the night's file, out of the window with 10 min after it
            AnalysisSettings(
                lights_on_s=8 * H,
                test_type="overnight",
                segments_s=(("exercise", 8 * H - 900.0, 8 * H - 540.0),),
            ),
            "end_s",
            8 * H - 900.0,
            lambda s: _walk_earlier(s, 1200.0),
        ),
    ],
    ids=["awake_before_lights_on", "exclude_after_lights_off", "exclude_before_lights_on", "walk"],
)
def test_a_window_cut_inside_its_lights_option_passes_read_back(
    settings: AnalysisSettings, key: str, cut_at: float, undo: Any
) -> None:
    """``--lights-on 06:00 --awake 05:40-06:00`` ends the window at 05:40, its end still the
    option's: ``oxi qualify --summary`` refused the untouched summary as edited (the end had to
    be the option's to 1 ms), as it did ``--exclude`` at an option's end and a test recorded in
    the night's file (hunt 10). Only what the summary says was taken out may lie between."""
    summary = _summary_of(_night(_at(22), 8.5, 4 * H), settings)
    window = next(w for w in summary["windows"] if w["kind"] == "presumed_sleep")
    assert window[key] == pytest.approx(cut_at)
    assert "option" in window["ends"]
    assert Evidence.from_summary(summary).sleep is not None
    undo(summary)  # nothing taken out there any more: the window's end moved by hand
    which = "lights off" if key == "start_s" else "lights on"
    with pytest.raises(EvidenceError, match=f"{which} end, 'option' at {cut_at:g} s, contradicts"):
        Evidence.from_summary(summary)


def test_the_minutes_after_a_walk_are_the_analysis_own() -> None:
    """``oxi qualify --summary`` allows what the analysis takes out after a walk, not more."""
    from criteria import evidence
    from oximetry.windows import TEST_PAUSE_S

    assert evidence._TEST_PAUSE_S == TEST_PAUSE_S


def test_a_window_cut_and_snapped_to_4_s_samples_passes_read_back() -> None:
    """Cut anywhere (here a 10-min ``--exclude`` at 03:00), the window is snapped to the
    samples: 4-s samples from 22:00:02 end it at 28800 s, --lights-on 06:00 being 28798 s, and
    the summary was refused as edited (hunt 10)."""
    rec, _ = simulate_night(
        fs=0.25,
        duration_s=8.5 * H,
        seed=3,
        sustained_drops=[(4 * H, 900.0, 86.0)],
        start=_at(22) + dt.timedelta(seconds=2),
        noise_pts=0.6,
    )
    settings = AnalysisSettings(lights_on_s=8 * H - 2.0, exclude_s=((5 * H, 5 * H + 600.0),))
    summary = _summary_of(rec, settings)
    window = next(w for w in summary["windows"] if w["kind"] == "presumed_sleep")
    assert (window["ends"], window["end_s"]) == (["first_valid", "option"], 8 * H)
    assert Evidence.from_summary(summary).sleep is not None


def test_a_lights_on_after_the_recording_is_no_option_whatever_was_excluded() -> None:
    """The forgery of hunt 9 (a --lights-on 16:30 on a night to 11:30 put down as the option's)
    with an ``--exclude`` from 11:00 to 16:30: nothing but excluded time lies between the window's
    end and lights on, yet an analysis ends that window with the recording (``recording_end``)."""
    settings = AnalysisSettings(lights_on_s=18.5 * H, exclude_s=((13 * H, 18.5 * H),))
    summary = _summary_of(_night(_at(22), 13.5, 12.5 * H), settings)
    window = next(w for w in summary["windows"] if w["kind"] == "presumed_sleep")
    assert (window["ends"], window["end_s"]) == (["first_valid", "recording_end"], 13 * H)
    assert Evidence.from_summary(summary).sleep is not None
    window["ends"] = ["first_valid", "option"]
    with pytest.raises(EvidenceError, match="lights on end, 'option' at 46800 s, contradicts"):
        Evidence.from_summary(summary)


def test_a_whole_recording_window_has_no_ends() -> None:
    summary = _summary_of(_night(_at(22), 8, 1800.0), AnalysisSettings())
    window = next(w for w in summary["windows"] if w["kind"] == "presumed_sleep")
    assert window["source"] == "first_to_last_valid" and "ends" not in window
    window["ends"] = ["option", "option"]
    with pytest.raises(EvidenceError, match="only a presumed-sleep window bounded"):
        Evidence.from_summary(summary)


# ---------------------------------------------------------------------------------------------
# 2. A clock time that occurs more than once in the recording
# ---------------------------------------------------------------------------------------------


def test_a_clock_time_a_recording_holds_twice_is_refused() -> None:
    """34 h from 21:00: 22:00 and 06:00 occur on both nights (night 1 was taken silently)."""
    start, span = _at(21), 34 * H
    for text in ("22:00", "06:00", "01:00"):
        with pytest.raises(SettingsError, match="occurs more than once"):
            parse_time_spec(text, start, span_s=span)
    with pytest.raises(SettingsError, match="occurs more than once"):
        parse_span("01:00-01:30", start, span_s=span)
    # 12:00 occurs once (day 2), 07:00 too (the recording ends at 07:00 on day 3)
    assert parse_time_spec("12:00", start, span_s=span) == 15 * H
    assert parse_time_spec("07:00", start, span_s=span) == 10 * H
    # within 24 h, unchanged
    assert parse_time_spec("06:00", start, span_s=12 * H) == 9 * H


@pytest.mark.parametrize(
    "options",
    [
        {"lights_off": "22:00", "lights_on": "06:00"},
        {"exclude": ("01:00-01:30",)},
        {"awake": "21:30-21:40"},
        {"segments": ("rest=23:00:00-23:05:00",)},
    ],
    ids=["lights", "exclude", "awake", "segment"],
)
def test_clock_options_on_a_recording_of_two_nights_are_refused(
    tmp_path: Path, options: dict[str, Any]
) -> None:
    rec = _night(_at(21), 34, 4 * H)
    with pytest.raises(SettingsError, match="occurs more than once"):
        _analyze(tmp_path, rec, **options)
    # the same moments in seconds from the start are taken
    out = _analyze(tmp_path, rec, lights_off="3600", lights_on="32400")
    window = next(w for w in out.summary["windows"] if w["kind"] == "presumed_sleep")
    assert (window["start_s"], window["end_s"]) == (3600.0, 32400.0)


def test_a_clock_time_hypnogram_of_a_recording_of_two_nights_is_refused(tmp_path: Path) -> None:
    """Its first row (22:00) occurs on both nights: it was placed on the first."""
    rows = [f"{22 + i // 120:02d}:{(i // 2) % 60:02d}:{30 * (i % 2):02d},N2" for i in range(240)]
    path = tmp_path / "hyp.csv"
    path.write_text("time,stage\n" + "\n".join(rows) + "\n")
    with pytest.raises(RecordingFormatError, match="occurs more than once"):
        read_hypnogram(path, start=_at(21), end_s=34 * H)
    first = read_hypnogram(path, start=_at(21), end_s=10 * H)  # one night: as before
    assert first[0][:2] == (H, 30.0) and len(first) == 240
    dated = tmp_path / "dated.csv"
    dated.write_text(
        "time,stage\n"
        + "\n".join(f"2026-11-21 {r}" if r < "12" else f"2026-11-20 {r}" for r in rows)
        + "\n"
    )
    assert read_hypnogram(dated, start=_at(21), end_s=34 * H)[0][0] == H


# ---------------------------------------------------------------------------------------------
# 3. --awake outside the recording
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("awake", ["21:00-21:10", "50000-50600"])
def test_an_awake_span_outside_the_recording_is_refused(tmp_path: Path, awake: str) -> None:
    """As --exclude there is: 21:00 on a night from 22:00 was placed at 21:00 the next day."""
    with pytest.raises(SettingsError, match=r"--awake .* lies outside the recording"):
        _analyze(tmp_path, _night(_at(22), 8, 3 * H), awake=awake)


# ---------------------------------------------------------------------------------------------
# 4. Options an exercise or rest test does not use
# ---------------------------------------------------------------------------------------------


def test_an_exercise_test_says_it_does_not_use_lights_or_awake() -> None:
    rec, _ = simulate_night(fs=1.0, duration_s=H, seed=1, start=_at(10))
    settings = AnalysisSettings(
        test_type="exercise",
        segments_s=(("rest", 0.0, 300.0), ("exercise", 840.0, 1260.0)),
        lights_off_s=600.0,
        lights_on_s=1200.0,
        awake_span_s=(0.0, 300.0),
    )
    plan = _plan(rec, settings)
    assert not any(w.kind in ("presumed_sleep", "awake") for w in plan.windows)
    assert (
        "--lights-off and --lights-on and --awake were given, but the recording is analysed as "
        "an exercise test (its segments only: no sleep window, no awake baseline), so they were "
        "not used but to place the time in bed (lights off to lights on), where a rest or "
        "exercise part is not shown awake without staging." in plan.warnings
    )
    plan = _plan(rec, AnalysisSettings(test_type="rest", awake_span_s=(0.0, 300.0)))
    assert any(w.startswith("--awake was given, but") and "a rest test" in w for w in plan.warnings)


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        ([], ()),
        ([(3600.0, "Lights off"), (30600.0, "Lights on")], ((3600.0, 30600.0),)),
        # a run of lights off opens at its first mark; one never closed runs to the end
        ([(3600.0, "Lights off"), (5400.0, "Lights off")], ((3600.0, 36000.0),)),
        # a lights on with none before it closes a period from the start (started in bed)
        ([(1800.0, "Lights on"), (7200.0, "Lights off"), (9000.0, "Lights on")],
         ((0.0, 1800.0), (7200.0, 9000.0))),
    ],
)  # fmt: skip
def test_lights_out_spans_read_the_recordings_marks_widely(
    marks: list[tuple[float, str]], expected: tuple[tuple[float, float], ...]
) -> None:
    """Where a rest or exercise part lies with the patient in bed (hunt 16)."""
    rec, _ = simulate_night(
        fs=1.0, duration_s=36000, seed=1,
        annotations=[Annotation(t, 0.0, text) for t, text in marks],
    )  # fmt: skip
    assert lights_out_spans(rec) == expected
