"""Hand-built analyses for the report, plot and verify tests (known answers, no analysis code).

A 2-hour night at 1 Hz: SpO2 95 %, a 12-minute block at 86 % from 3600 s (one ≤ 88 % run and one
sustained drop), a 120 s probe-off gap from 1800 s (NaN, invalid), three ODI3 dips.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from oximetry.model import PatientInfo, Recording, Signal, SourceInfo
from oximetry.results import Analysis, ArtifactResult, Event, Window, WindowMetrics
from oximetry.settings import AnalysisSettings

START = dt.datetime(2026, 11, 20, 22, 30, 0)
FS = 1.0
N = 7200
LOW_START, LOW_END = 3600, 4320
GAP_START, GAP_END = 1800, 1920
DIPS = ((1000, 1030), (2500, 2540), (5000, 5020))
NAME, CODE, BIRTH = "Zyxwv Quokkaman", "MRN-7731-QX", dt.date(1951, 3, 14)


def make_signal() -> np.ndarray:
    x = np.full(N, 95.0)
    x[LOW_START:LOW_END] = 86.0
    for a, b in DIPS:
        x[a:b] = 91.0
    x[GAP_START:GAP_END] = np.nan
    return x


def make_analysis(
    *,
    path: str = "/data/night.edf",
    patient: PatientInfo | None = None,
    pulse: bool = True,
    warnings: tuple[str, ...] = (),
) -> Analysis:
    x = make_signal()
    valid = np.isfinite(x)
    reason = np.where(valid, -1, 0).astype(np.int8)
    rec = Recording(
        spo2=Signal("SpO2", "%", FS, x),
        start=START,
        source=SourceInfo(
            path=path,
            sha256="ab" * 32,
            format="edf",
            device="TestOx 1",
            spo2_channel="SpO2",
            selection="label alias and unit %",
            read_options={"channel": None, "fs": None, "scale": None},
        ),
        pulse=Signal("Pulse", "bpm", FS, np.full(N, 62.0)) if pulse else None,
        patient=patient or PatientInfo(name=NAME, code=CODE, sex="F", birth_date=BIRTH),
        warnings=warnings,
    )
    art = ArtifactResult(
        valid=valid,
        reason=reason,
        reasons=("missing",),
        counts={"missing": GAP_END - GAP_START},
    )
    low = Event("le88_run", LOW_START, LOW_END, 86.0, LOW_START, None, None, "presumed_sleep")
    drop = Event("sustained_drop", LOW_START, LOW_END, 86.0, LOW_START, 95.0, 9.0, "presumed_sleep")
    odi = [Event("odi3", a, b, 91.0, a, 95.0, 4.0, "presumed_sleep") for a, b in DIPS]
    valid_min = (N - (GAP_END - GAP_START)) / 60.0
    main = WindowMetrics(
        duration_min=N / 60.0,
        valid_min=valid_min,
        t_le88_min=12.0,
        t_le88_pct=100 * 12.0 / valid_min,
        t_lt90_min=12.0,
        t_lt90_pct=100 * 12.0 / valid_min,
        t_le90_min=12.0,
        longest_le88_min=12.0,
        longest_le88_start_s=float(LOW_START),
        nadir_pct=86.0,
        nadir_s=float(LOW_START),
        mean_pct=float(np.nanmean(x)),
        median_pct=95.0,
        odi3_count=3,
        odi3_per_h=3 / (valid_min / 60),
        odi4_count=0,
        odi4_per_h=0.0,
        awake_baseline_pct=95.0,
        awake_baseline_source="presumed_awake",
        drop5_min=12.0,
        longest_drop5_min=12.0,
        sustained_desaturations=(drop,),
        pulse_min_bpm=62.0,
        pulse_mean_bpm=62.0,
        pulse_max_bpm=62.0,
    )
    events = tuple(sorted([low, drop, *odi], key=lambda e: (e.start_s, e.type)))
    return Analysis(
        recording=rec,
        settings=AnalysisSettings(),
        artifact=art,
        windows=(
            Window("presumed_sleep", "first_to_last_valid", ((0.0, float(N)),), "No staging."),
            Window("presumed_awake", "first_300s_valid", ((0.0, 300.0),), "Presumed awake."),
        ),
        metrics={"presumed_sleep": main},
        events=events,
        warnings=("No sleep staging: the whole recording is presumed sleep.",),
    )


QUALIFICATION = {
    "profile": "masshealth",
    "determination": "indeterminate",
    "coverage": [],
    "authorization_months": None,
    "portable_eligible": None,
    "hcpcs": [],
    "missing": ["diagnoses", "order.date"],
    "rules": [
        {
            "id": "ii_a_2_b_ii_b_sleep",
            "citation": "MG-OXY II.A.2.b.ii.B",
            "met": True,
            "values": {"t_le88_min": 12.0, "window": "presumed_sleep"},
            "reason": "12.0 cumulative minutes at or below 88 % during presumed sleep (>= 5).",
        },
        {
            "id": "ii_a_2_order_90_days",
            "citation": "MG-OXY II.A.2",
            "met": None,
            "values": {},
            "reason": "Not evaluable: the order date is missing.",
        },
    ],
}
