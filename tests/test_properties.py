"""Invariants of the analysis on random simulated nights (hypothesis).

- minutes below a threshold never exceed the valid time, which never exceeds the window;
- adding missing data never increases a time count (minutes at or below a threshold, valid
  minutes, longest runs). Event counts are not monotone: a gap can split one long
  desaturation into two, so they are not claimed here. Nor is it claimed next to a
  displaced-probe fall: SPEC §4 measures a fall from the last valid sample over the time
  between them, so a gap just before such a fall makes it plausible (tested explicitly);
- shifting the start time changes nothing but wall-clock times;
- a span the scorer marked as SpO2 artifact is an ``--exclude`` span, whatever else it holds;
- the artifact mask only grows when data go missing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oximetry.analysis import analyze
from oximetry.artifact import detect_artifacts, mask_excluded
from oximetry.errors import InsufficientDataError
from oximetry.model import Annotation, Recording, Signal
from oximetry.results import WindowMetrics
from oximetry.settings import AnalysisSettings
from oximetry.simulate import Artifact, SustainedDrop, simulate_night

TIME_KEYS = ("valid_min", "t_le88_min", "t_lt90_min", "t_le90_min", "longest_le88_min")


@st.composite
def nights(
    draw: st.DrawFn, kinds: tuple[str, ...] = ("nan", "sentinel", "fall", "pulse")
) -> Recording:
    fs = draw(st.sampled_from([0.25, 1.0, 4.0]))
    hours = draw(st.sampled_from([1.0, 1.5, 2.0]))
    duration = hours * 3600
    drops = []
    if draw(st.booleans()):
        drops.append(
            SustainedDrop(
                float(draw(st.integers(1200, int(duration) - 1200))),
                draw(st.sampled_from([60.0, 300.0, 400.0])),
                draw(st.sampled_from([80.0, 86.0, 88.0, 89.0])),
            )
        )
    arts = [
        Artifact(
            float(draw(st.integers(0, int(duration) - 100))),
            float(draw(st.integers(1, 90))),
            draw(st.sampled_from(kinds)),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    rec, _ = simulate_night(
        fs=fs,
        duration_s=duration,
        seed=draw(st.integers(0, 2**16)),
        baseline_pct=draw(st.sampled_from([91.0, 94.0, 96.0])),
        desaturations=draw(st.integers(0, int(hours * 5))),
        sustained_drops=drops,
        artifacts=arts,
        stages=draw(st.booleans()),
        noise_pts=draw(st.sampled_from([0.0, 0.6])),
    )
    return rec


def _overnight(analysis) -> dict[str, WindowMetrics]:  # type: ignore[no-untyped-def]
    return {k: m for k, m in analysis.metrics.items() if isinstance(m, WindowMetrics)}


def _with_missing(rec: Recording, spans: list[tuple[float, float]]) -> Recording:
    x = rec.spo2.data.copy()
    n = x.size
    for s, d in spans:
        i0 = int(np.ceil(s * rec.fs))
        x[i0 : min(n, i0 + int(np.ceil(d * rec.fs)))] = np.nan
    return dataclasses.replace(rec, spo2=Signal(rec.spo2.label, rec.spo2.unit, rec.fs, x))


PROPS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(nights())
def test_minutes_never_exceed_valid_time(rec: Recording) -> None:
    a = analyze(rec)
    eps = 1e-9
    for m in _overnight(a).values():
        assert m.valid_min <= m.duration_min + eps
        assert m.t_le88_min <= m.t_lt90_min + eps <= m.t_le90_min + 2 * eps
        assert m.t_le90_min <= m.valid_min + eps
        assert m.longest_le88_min <= m.t_le88_min + eps
        if m.drop5_min is not None and m.longest_drop5_min is not None:
            assert m.longest_drop5_min <= m.drop5_min + eps <= m.valid_min + 2 * eps
        if m.t_le88_pct is not None:
            assert 0 <= m.t_le88_pct <= 100 + eps
        for ev in m.sustained_desaturations:
            assert ev.end_s - ev.start_s >= 300.0 - eps
    n_invalid = int((~a.artifact.valid).sum())
    assert sum(a.artifact.counts.values()) == n_invalid


SPANS = st.lists(st.tuples(st.floats(0, 3000), st.floats(1, 600)), min_size=1, max_size=3)


def _assert_no_time_count_grew(before, after) -> None:  # type: ignore[no-untyped-def]
    assert np.all(before.artifact.valid | ~after.artifact.valid)
    mb, ma = _overnight(before), _overnight(after)
    for kind in ("sleep", "presumed_sleep"):
        if kind in mb and kind in ma:
            for key in TIME_KEYS:
                assert getattr(ma[kind], key) <= getattr(mb[kind], key) + 1e-9, key


@PROPS
@given(nights(kinds=("nan", "sentinel", "pulse")), SPANS)
def test_adding_missing_data_never_increases_a_time_count(
    rec: Recording, spans: list[tuple[float, float]]
) -> None:
    holey = _with_missing(rec, spans)
    if not np.isfinite(holey.spo2.data).any():
        return
    _assert_no_time_count_grew(analyze(rec), analyze(holey))


@PROPS
@given(nights(), SPANS)
def test_excluding_data_never_increases_a_time_count(
    rec: Recording, spans: list[tuple[float, float]]
) -> None:
    excl = tuple((s, s + d) for s, d in spans)
    before = analyze(rec)
    if not np.any(before.artifact.valid & ~mask_excluded(excl, rec.fs, rec.spo2.n_samples)):
        return
    _assert_no_time_count_grew(before, analyze(rec, AnalysisSettings(exclude_s=excl)))


@PROPS
@given(
    nights(),
    SPANS,
    st.sampled_from(
        [
            "SpO2 artifact",
            "artifact_SpO2",
            "Oximetry artefact",
            "SpO2 motion artifact",
            "Artifact (SpO2)",
        ]
    ),
)
def test_a_scorer_spo2_artifact_span_is_an_exclude_span(
    rec: Recording, spans: list[tuple[float, float]], text: str
) -> None:
    # Read as a display-only scored event, NSRR's "SpO2 artifact" over 10 min at 80 % qualified
    # a night (hunt 10): the figures must be those of the same spans given with --exclude.
    excl = tuple((s, s + d) for s, d in spans)
    if not np.any(~mask_excluded(excl, rec.fs, rec.spo2.n_samples) & np.isfinite(rec.spo2.data)):
        return
    marked = dataclasses.replace(
        rec, annotations=(*rec.annotations, *(Annotation(s, d, text) for s, d in spans))
    )
    try:
        by_option = analyze(rec, AnalysisSettings(exclude_s=excl))
    except InsufficientDataError:
        return
    by_scorer = analyze(marked)
    assert np.array_equal(by_scorer.artifact.reason, by_option.artifact.reason)
    assert by_scorer.windows == by_option.windows
    assert by_scorer.metrics_dict() == by_option.metrics_dict()
    assert by_scorer.spo2_artifact_spans_s == tuple(sorted(set(excl)))


def test_a_gap_before_a_displaced_probe_makes_its_fall_plausible() -> None:
    """SPEC §4 read literally: the allowed fall grows with the time since the last valid sample."""
    rec, _ = simulate_night(
        fs=1.0, duration_s=3600, seed=1, artifacts=[Artifact(2000.0, 20.0, "fall")]
    )
    assert analyze(rec).artifact.counts["implausible_fall"] == 20
    holey = _with_missing(rec, [(1990.0, 10.0)])  # 10 s gap: up to 44 points may be lost
    assert analyze(holey).artifact.counts["implausible_fall"] == 0


@PROPS
@given(nights(), st.integers(-36 * 3600, 36 * 3600))
def test_shifting_the_start_changes_only_times(rec: Recording, shift_s: int) -> None:
    moved = dataclasses.replace(rec, start=rec.start + dt.timedelta(seconds=shift_s))
    a, b = analyze(rec), analyze(moved)

    def hourless(an: Any) -> tuple[dict[str, Any], dict[str, int]]:
        # hour rows follow the clock (22:00-23:00, ...); only their totals stay the same
        out, totals = {}, {}
        for kind, m in an.metrics_dict().items():
            rows = m.pop("odi_by_hour", ())
            totals[kind] = sum(r["odi3_count"] + r["odi4_count"] for r in rows)
            out[kind] = m
        return out, totals

    assert hourless(a) == hourless(b)
    assert a.events == b.events
    assert [(w.kind, w.source, w.spans_s) for w in a.windows] == [
        (w.kind, w.source, w.spans_s) for w in b.windows
    ]
    assert np.array_equal(a.artifact.valid, b.artifact.valid)
    # warnings differ only in the wall-clock times they quote
    clock = re.compile(r"\d\d:\d\d:\d\d")
    assert [clock.sub("T", w) for w in a.warnings] == [clock.sub("T", w) for w in b.warnings]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(40, 100, allow_nan=False), min_size=2, max_size=300),
    st.sampled_from([0.25, 1.0, 25.0]),
)
def test_artifact_rules_never_flag_rises_and_count_every_sample_once(
    values: list[float], fs: float
) -> None:
    x = np.array(values)
    rec = Recording(
        spo2=Signal("SpO2", "%", fs, x),
        start=dt.datetime(2026, 1, 1),
        source=simulate_night(fs=1.0, duration_s=1, seed=0)[0].source,
    )
    res = detect_artifacts(rec)
    assert sum(res.counts.values()) == int((~res.valid).sum())
    # the first sample is never an implausible fall; a monotone rise never is
    assert res.reason[0] != 2
    rising = np.sort(x)
    res2 = detect_artifacts(dataclasses.replace(rec, spo2=Signal("SpO2", "%", fs, rising)))
    assert res2.counts["implausible_fall"] == 0
