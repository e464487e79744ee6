"""Audit of the analysis windows (SPEC §5): the awake baseline of a staged recording."""

from __future__ import annotations

import numpy as np

from oximetry import analyze
from oximetry.settings import AnalysisSettings
from oximetry.simulate import simulate_night
from oximetry.windows import build_windows


def test_presumed_awake_baseline_never_takes_staged_sleep() -> None:
    """The staging scores the first valid data N2: they are not a presumed awake baseline.

    Staged wake 0-600 s with the probe off, then N2 held at 86 % for ten minutes. Before, the
    baseline was the median of those N2 samples (86 %, "presumed to be awake"), and MassHealth
    read it as awake hypoxaemia: qualified for continuous oxygen on sleep data.
    """
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=14400,
        seed=1,
        gaps=[(0.0, 600.0)],
        sustained_drops=[(600.0, 600.0, 86.0)],
        stages=[(0.0, 600.0, "W"), (600.0, 13800.0, "N2")],
    )
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
    valid = np.ones(3600, dtype=bool)
    plan = build_windows(rec, AnalysisSettings(), valid)
    assert plan.baseline is not None and plan.baseline.kind == "presumed_awake"
    assert plan.baseline.spans_s == ((3120.0, 3420.0),)


def test_presumed_awake_baseline_unchanged_without_staging() -> None:
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=1)
    valid = np.ones(3600, dtype=bool)
    valid[:100] = False
    plan = build_windows(rec, AnalysisSettings(), valid)
    assert plan.baseline is not None and plan.baseline.spans_s == ((100.0, 400.0),)
