"""Evidence from an analysis and from a written summary give the same determination."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import numpy as np
import pytest

from criteria.errors import EvidenceError
from criteria.evaluate import Evidence, evaluate
from oxi.qualify import evidence_from_analysis
from oximetry.model import Recording, Signal, SourceInfo
from oximetry.results import Analysis, ArtifactResult, SegmentMetrics, Window, WindowMetrics
from oximetry.settings import AnalysisSettings
from tests.criteria_helpers import ctx

START = dt.datetime(2026, 11, 20, 22, 15, 3)


def _analysis() -> Analysis:
    wm = WindowMetrics(
        duration_min=480.0,
        valid_min=450.0,
        t_le88_min=7.25,
        t_le88_pct=100 * 7.25 / 450.0,
        t_lt90_min=20.0,
        t_lt90_pct=100 * 20.0 / 450.0,
        t_le90_min=30.0,
        longest_le88_min=2.0,
        longest_le88_start_s=3600.0,
        nadir_pct=81.0,
        nadir_s=4000.0,
        mean_pct=93.1,
        median_pct=93.0,
        odi3_count=40,
        odi3_per_h=5.3,
        odi4_count=20,
        odi4_per_h=2.7,
        awake_baseline_pct=94.0,
        awake_baseline_source="first_300s_valid",
        drop5_min=9.0,
        longest_drop5_min=3.0,
        sustained_desaturations=(),
    )
    rest = SegmentMetrics(
        duration_min=5.0,
        valid_min=5.0,
        median_pct=95.0,
        nadir_pct=93.0,
        nadir_s=10.0,
        sustained_nadir_pct=94.0,
    )
    n = 480 * 60  # the window's 480 min at 1 Hz
    rec = Recording(
        spo2=Signal("SpO2", "%", 1.0, np.full(n, 95.0)),
        start=START,
        source=SourceInfo(path="x.edf", sha256="0" * 64, format="edf"),
    )
    art = ArtifactResult(
        valid=np.ones(n, bool), reason=np.full(n, -1, np.int8), reasons=(), counts={}
    )
    return Analysis(
        recording=rec,
        settings=AnalysisSettings(),
        artifact=art,
        windows=(
            Window("presumed_sleep", "first_to_last_valid", ((0.0, 28800.0),)),
            Window("rest", "option", ((0.0, 300.0),)),
        ),
        metrics={"presumed_sleep": wm, "rest": rest},
        warnings=("Sleep was presumed.",),
    )


def _placed(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """A ``windows`` entry for every block of ``metrics``, as oxi writes them."""
    return [
        {"kind": k, "source": "x", "start_s": 0.0, "end_s": 60.0 * metrics[k]["duration_min"]}
        for k in sorted(metrics)
    ]


def test_evidence_from_analysis_reads_the_figures() -> None:
    ev = evidence_from_analysis(_analysis())
    assert ev.recording_start == START
    assert ev.sleep is not None and ev.sleep.kind == "presumed_sleep" and ev.sleep.presumed
    assert ev.sleep.t_le88_min == 7.25 and ev.sleep.awake_baseline_pct == 94.0
    assert ev.rest is not None and ev.rest.sustained_nadir_pct == 94.0
    assert ev.exercise is None and ev.warnings == ("Sleep was presumed.",)


def test_evidence_from_summary_equals_from_analysis() -> None:
    a = _analysis()
    summary = json.loads(
        json.dumps(
            {
                "input": {"start": START.isoformat()},
                "windows": [
                    {
                        "kind": "presumed_sleep",
                        "source": "first_to_last_valid",
                        "start": START.isoformat(),
                        "end": (START + dt.timedelta(seconds=28800)).isoformat(),
                        "start_s": 0.0,
                        "end_s": 28800.0,
                    },
                    {"kind": "rest", "source": "option", "start_s": 0.0, "end_s": 300.0},
                ],
                "metrics": a.metrics_dict(),
                "warnings": list(a.warnings),
                "recording": {"duration_min": a.recording.duration_s / 60.0},
            }
        )
    )
    assert Evidence.from_summary(summary) == evidence_from_analysis(a)
    d1 = evaluate(ctx(), evidence_from_analysis(a)).to_dict()
    d2 = evaluate(ctx(), Evidence.from_summary(summary)).to_dict()
    assert d1 == d2 and d1["determination"] == "qualified"


def test_evidence_staged_sleep_preferred_over_presumed() -> None:
    m = _analysis().metrics_dict()
    # A consistent staged block that differs from the presumed one (1 min ≤ 88 %, all in one run).
    m["sleep"] = dict(
        m["presumed_sleep"], t_le88_min=1.0, longest_le88_min=1.0, t_le88_pct=100 * 1.0 / 450
    )
    ev = Evidence.from_summary({"metrics": m, "windows": _placed(m)})
    assert ev.sleep is not None and ev.sleep.kind == "sleep" and ev.sleep.t_le88_min == 1.0


def test_evidence_from_summary_needs_every_window_placed() -> None:
    """The rules read where a window lies (a presumed night in the day, a rest part after the
    walk, parts hours apart); a summary with a window's entry or span removed skipped those
    checks, so it is refused, naming the window."""
    m = _analysis().metrics_dict()
    Evidence.from_summary({"metrics": m, "windows": _placed(m)})
    with pytest.raises(EvidenceError, match="no 'rest' window"):
        Evidence.from_summary({"metrics": m, "windows": _placed(m)[:1]})
    with pytest.raises(EvidenceError, match="no 'presumed_sleep' window"):
        Evidence.from_summary({"metrics": m})
    unplaced = [dict(w, start_s=None) if w["kind"] == "presumed_sleep" else w for w in _placed(m)]
    with pytest.raises(EvidenceError, match=r"windows\.presumed_sleep"):
        Evidence.from_summary({"metrics": m, "windows": unplaced})


@pytest.mark.parametrize(
    ("summary", "match"),
    [
        ({}, "metrics"),
        ({"metrics": {"sleep": {"valid_min": 400}}}, "metrics.sleep.t_le88_min"),
        ({"metrics": {"rest": {"valid_min": "five"}}}, "metrics.rest.valid_min"),
        # a 400-digit integer crashed the finite check (OverflowError, exit 4)
        (
            {"metrics": {"rest": {"valid_min": 10**400}}},
            r"metrics\.rest\.valid_min' is 1000.*\(401",
        ),
        ({"metrics": {}, "input": {"start": "yesterday"}}, "input.start"),
    ],
)
def test_evidence_from_bad_summary_names_the_key(summary: dict[str, object], match: str) -> None:
    with pytest.raises(EvidenceError, match=match):
        Evidence.from_summary(summary)


def _night(n_le88: int) -> Recording:
    """3 h at 1 Hz, 95 %, with one gradual desaturation holding exactly ``n_le88`` samples ≤ 88 %."""
    down = np.arange(94.0, 84.0, -1.0)  # 94 … 85: 88, 87, 86, 85 are ≤ 88
    x = np.concatenate(
        [np.full(3600, 95.0), down, np.full(n_le88 - 8, 85.0), down[::-1], np.full(7200, 95.0)]
    )
    return Recording(
        spo2=Signal("SpO2", "%", 1.0, x),
        start=START,
        source=SourceInfo(path="synthetic", sha256="0" * 64, format="synthetic"),
    )


@pytest.mark.parametrize(("n", "expected"), [(300, "qualified"), (299, "not_qualified")])
def test_ii_a_2_b_ii_b_1_end_to_end_300_samples_at_1_hz_is_5_minutes(n: int, expected: str) -> None:
    from oximetry.analysis import analyze

    ev = evidence_from_analysis(analyze(_night(n), AnalysisSettings(test_type="overnight")))
    assert ev.sleep is not None and ev.sleep.t_le88_min == pytest.approx(n / 60)
    d = evaluate(ctx(test__date="2026-11-20"), ev)
    assert d.determination == expected
    if expected == "qualified":
        assert d.coverage == ("nocturnal",) and d.portable_eligible is False


def test_ii_a_2_undated_recording_never_supplies_the_test_date() -> None:
    """A file with time of day only starts on a placeholder date; it is not the test date."""
    import dataclasses

    a = _analysis()
    undated = dataclasses.replace(
        a.recording,
        start=dt.datetime(1900, 1, 1, 22, 15, 3),
        source=dataclasses.replace(a.recording.source, date_known=False),
    )
    a = dataclasses.replace(a, recording=undated)
    ev = evidence_from_analysis(a)
    assert ev.recording_start is None
    assert ev.clock == dt.time(22, 15, 3)  # the time of day still places the night
    summary = {
        "metrics": a.metrics_dict(),
        "windows": _placed(a.metrics_dict()),
        "input": {"start": "1900-01-01T22:15:03", "date_known": False},
    }
    read = Evidence.from_summary(summary)
    assert (read.recording_start, read.clock) == (None, dt.time(22, 15, 3))
    # Without test.date in the context the date window cannot be checked: never qualified, and
    # never "not qualified" because of a placeholder date 126 years before the order.
    context = ctx()
    no_date = dataclasses.replace(context, test=dataclasses.replace(context.test, date=None))
    det = evaluate(no_date, ev)
    assert det.determination == "indeterminate"
    assert det.test_date is None
    # With the date in the context the same evidence is judged on it.
    assert evaluate(context, ev).test_date == context.test.date


def test_evidence_of_a_file_with_elapsed_time_only_has_no_clock() -> None:
    """Neither date nor time of day (``clock_known`` false, at the placeholder 1900-01-01
    00:00:00): no start, no clock, by either route; a dated recording's clock is its start's
    time of day."""
    import dataclasses

    a = _analysis()
    elapsed = dataclasses.replace(
        a.recording,
        start=dt.datetime(1900, 1, 1),
        source=dataclasses.replace(a.recording.source, date_known=False, clock_known=False),
    )
    ev = evidence_from_analysis(dataclasses.replace(a, recording=elapsed))
    assert ev.recording_start is None and ev.clock is None
    summary = {
        "metrics": a.metrics_dict(),
        "windows": _placed(a.metrics_dict()),
        "input": {"start": "1900-01-01T00:00:00", "date_known": False, "clock_known": False},
    }
    read = Evidence.from_summary(summary)
    assert read.recording_start is None and read.clock is None
    assert evidence_from_analysis(a).clock == a.recording.start.time()


def test_a_clock_at_the_placeholder_midnight_is_a_clock() -> None:
    """A file of times of day whose first row is 00:00:00 starts at the placeholder midnight,
    as one of elapsed time only does; "no clock" was inferred from that start, and its night
    was indeterminate ("the recording holds no clock time") while the same file a second later
    qualified. The reader's ``clock_known`` says it, by either route; a summary of an earlier
    oxi, without ``input.clock_known``, is read as that oxi read it."""
    import dataclasses

    a = _analysis()
    midnight = dataclasses.replace(
        a.recording,
        start=dt.datetime(1900, 1, 1),
        source=dataclasses.replace(a.recording.source, date_known=False, clock_known=True),
    )
    a = dataclasses.replace(a, recording=midnight)
    ev = evidence_from_analysis(a)
    assert (ev.recording_start, ev.clock) == (None, dt.time(0, 0))
    written = _written(a)
    assert written["input"]["clock_known"] is True
    assert Evidence.from_summary(written).clock == dt.time(0, 0)
    context = ctx()  # test.date given: the night from 00:00 is judged as the analysis judges it
    assert evaluate(context, Evidence.from_summary(written)) == evaluate(context, ev)
    del written["input"]["clock_known"]
    assert Evidence.from_summary(written).clock is None
    written["input"]["start"] = "1900-01-01T00:00:01"
    assert Evidence.from_summary(written).clock == dt.time(0, 0, 1)


@pytest.mark.parametrize(
    ("block", "said"),
    [
        # a dated night declared clockless, or a clock declared at a time of day no reader
        # without one gives (the placeholder midnight only)
        ({"start": START.isoformat(), "date_known": True, "clock_known": False}, "date_known"),
        (
            {"start": "1900-01-01T22:15:03", "date_known": False, "clock_known": False},
            "not the placeholder midnight",
        ),
        ({"start": START.isoformat(), "date_known": True, "clock_known": "yes"}, "true or false"),
    ],
)
def test_a_summary_whose_clock_contradicts_its_start_is_refused(
    block: dict[str, Any], said: str
) -> None:
    s = _consistent_summary()
    s["input"] = block
    if block["date_known"] is False:
        for w in s["windows"]:  # the windows' clock times moved with the start
            w.pop("start", None)
            w.pop("end", None)
    with pytest.raises(EvidenceError, match=said):
        Evidence.from_summary(s)


def _consistent_summary() -> dict[str, Any]:
    """The synthetic analysis as a summary whose blocks agree with one another."""
    a = _analysis()
    end = (START + dt.timedelta(seconds=28800)).isoformat()
    return {
        "input": {"start": START.isoformat(), "date_known": True},
        "settings": {"lights_off_s": None, "lights_on_s": None},
        "windows": [
            {"kind": "presumed_sleep", "source": "first_to_last_valid",
             "start": START.isoformat(), "end": end, "start_s": 0.0, "end_s": 28800.0},
            {"kind": "rest", "source": "option", "start_s": 0.0, "end_s": 300.0},
        ],
        "metrics": json.loads(json.dumps(a.metrics_dict())),
        "recording": {"duration_min": 480.0},
    }  # fmt: skip


def _edited(path: str, value: Any) -> dict[str, Any]:
    s = _consistent_summary()
    node: Any = s
    *parents, last = path.split(".")
    for p in parents:
        node = node[int(p)] if isinstance(node, list) else node[p]
    node[last] = value
    return s


@pytest.mark.parametrize(
    ("path", "value", "said"),
    [
        # a minute edited from 7.25 to 7.5, its percentage left (4.75 -> 5.0 qualified)
        ("metrics.presumed_sleep.t_le88_min", 7.5, "t_le88_pct"),
        # the start moved 41 days back (into the order's window), the windows' times left
        ("input.start", (START - dt.timedelta(days=41)).isoformat(), "not 0 s after"),
        # a real date declared unknown (so never checked against test.date)
        ("input.date_known", False, "date_known"),
        # a window longer than the recording (120 valid minutes claimed of 100)
        ("recording.duration_min", 100.0, "exceeds the recording's duration_min"),
        # a presumed night "placed by lights-off/on" with none in the settings (so the night
        # hours were never checked): it has no ends either
        ("windows.0.source", "lights_off_on", "'windows.presumed_sleep.ends' is None"),
    ],
)
def test_a_summary_whose_blocks_contradict_each_other_is_refused(
    path: str, value: Any, said: str
) -> None:
    """Each edit qualified through ``oxi qualify --summary`` (``oxi verify`` caught it)."""
    assert Evidence.from_summary(_consistent_summary()).sleep is not None
    with pytest.raises(EvidenceError, match=said):
        Evidence.from_summary(_edited(path, value))


def _written(a: Analysis) -> dict[str, Any]:
    from oximetry.report.summary import build_summary, dumps_summary

    return dict(json.loads(dumps_summary(build_summary(a))))


def test_genuine_summaries_at_the_edges_of_the_block_checks_are_read() -> None:
    """Summaries oxi analyze writes were refused as edited: a window ending off the sample grid
    (--lights-on between two samples of a 2-s device) holds up to one sample more than it
    lasts, and the written percentage of three samples' worth of valid time (4 Hz, --awake of
    0.75 s) moves with its minutes' rounding by more than 0.001 points."""
    import dataclasses

    from oximetry.analysis import analyze
    from oximetry.simulate import simulate_night

    rec, _ = simulate_night(fs=0.5, duration_s=4 * 3600, seed=2, baseline_pct=95.0)
    a = analyze(rec, AnalysisSettings(lights_on_s=3 * 3600 + 1.0))
    assert Evidence.from_summary(_written(a)).sleep is not None
    rec, _ = simulate_night(fs=4, duration_s=3600, seed=2, baseline_pct=95.0)
    x = rec.spo2.data.copy()
    x[200:401], x[401:600] = 88.0, 89.0
    rec = dataclasses.replace(rec, spo2=dataclasses.replace(rec.spo2, data=x))
    written = _written(analyze(rec, AnalysisSettings(awake_span_s=(100.0, 100.75))))
    assert written["metrics"]["awake"]["valid_min"] == 0.0125
    assert Evidence.from_summary(written).sleep is not None


_NIGHT = {
    "valid_min": 420.0,
    "t_le88_min": 12.0,
    "t_lt90_min": 30.0,
    "t_le90_min": 35.0,
    "longest_le88_min": 3.0,
    "nadir_pct": 84.0,
    "awake_baseline_pct": 93.0,
    "awake_baseline_source": "first_300s_valid",
}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("t_le88_min", -5.0),
        ("nadir_pct", 150.0),
        ("nadir_pct", -5.0),
        ("awake_baseline_pct", 150.0),
        ("nadir_pct", float("nan")),
        ("t_le90_min", float("inf")),
    ],
)
@pytest.mark.parametrize("payer", ["masshealth", "medicare"])
def test_evidence_built_by_hand_with_figures_no_analysis_gives_is_refused(
    key: str, value: float, payer: str
) -> None:
    """evaluate() took hand-built figures as they came: a nadir of 150 % or -5 %, or a baseline
    of 150 %, QUALIFIED (from_metrics), and a sleep window's NaN nadir QUALIFIED Medicare N1
    (NaN compares false) (hunt 15)."""
    good = Evidence.from_metrics({"presumed_sleep": _NIGHT}, recording_start=START)
    assert good.sleep is not None
    bad = dataclasses.replace(good, sleep=dataclasses.replace(good.sleep, **{key: value}))
    with pytest.raises(EvidenceError, match=f"presumed_sleep.{key}"):
        evaluate(ctx(payer=payer), bad)


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        ({"recording_min": float("nan")}, "'recording_min' is nan"),
        ({"recording_min": float("inf")}, "'recording_min' is inf"),
        ({"recording_min": -5.0}, "'recording_min' is -5.0"),
        ({"sleep": {"end_s": 1e12}}, "'presumed_sleep.end_s' is 1000000000000.0"),
        ({"sleep": {"start_s": 1e300}}, "'presumed_sleep.start_s' is 1e\\+300"),
        ({"sleep": {"valid_min": 1e300}}, "'presumed_sleep.valid_min' is 1e\\+300"),
        ({"oxygen_marks_s": ((float("nan"), 60.0),)}, "'oxygen_marks_s'"),
        ({"exercise_o2_flow_lpm": float("nan")}, "'exercise_o2_flow_lpm' is nan"),
        ({"oxygen_marked_flows_lpm": (-3.0,)}, "'oxygen_marked_flows_lpm' is -3.0"),
        (
            {"recording_start": dt.datetime(2026, 11, 20, 22, 0, tzinfo=dt.UTC)},
            "'recording_start'.*naive",
        ),
    ],
)
@pytest.mark.parametrize("payer", ["masshealth", "medicare"])
def test_evidence_built_by_hand_beyond_any_recording_is_refused(
    edit: dict[str, Any], said: str, payer: str
) -> None:
    """A hand-built recording_min of NaN or inf, or a window ending 1e12 s after the start,
    ended in a ValueError or OverflowError traceback from the dates the rules place by them
    (Medicare's order against the test's end), and a NaN recording_min QUALIFIED MassHealth;
    each is refused naming the figure, as a summary holding it is (hunt 16)."""
    good = Evidence.from_metrics({"presumed_sleep": _NIGHT}, recording_start=START)
    assert good.sleep is not None
    placed = {"start_s": 0.0, "end_s": 7.0 * 3600, **edit.get("sleep", {})}
    sleep = dataclasses.replace(good.sleep, **placed)
    bad = dataclasses.replace(good, sleep=sleep, **{k: v for k, v in edit.items() if k != "sleep"})
    with pytest.raises(EvidenceError, match=said):
        evaluate(ctx(payer=payer), bad)
