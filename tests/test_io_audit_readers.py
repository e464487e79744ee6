"""Reader paths an audit found to qualify a night wrongly (docs/formats.md).

A derived column (a running minimum) analysed as the saturation; dates whose day and month
order the file does not say; time stamps in UTC taken for the local clock.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from oxi.cli import main
from oximetry.io import read_recording
from oximetry.io.channels import classify, pick_channels
from oximetry.simulate import simulate_night
from tests.io_fixtures import write_text

CONTEXT = (
    "patient: {age_years: 70}\n"
    "test: {type: overnight, date: 2026-11-20, room_air: true, setting: outpatient,\n"
    "       chronic_stable_state: true}\n"
    "order: {date: 2026-11-10, prescriber: physician, flow_lpm: 2, hours_per_day: 8}\n"
    "diagnoses: [J44.9]\n"
    "symptoms: [nocturnal_restlessness]\n"
    "documentation: {signed_prescription: true, letter_of_medical_necessity: true}\n"
)


def _summary(out: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((out / "summary.json").read_text())  # type: ignore[no-any-return]


# --- derived SpO2 columns -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "unit"),
    [
        ("SpO2 Min(%)", "%"),
        ("SpO2 Min", ""),
        ("SpO2 Max", "%"),
        ("SpO2 Avg", "%"),
        ("SpO2 Average", ""),
        ("SpO2 Mean", "%"),
        ("SpO2 Nadir", "%"),
        ("SpO2 Baseline", "%"),
        ("SpO2 Median", "%"),
        ("SpO2 Trend", "%"),
        ("SaO2 mean", "%"),
        ("Oxygen Level Min", ""),
        ("SpO2_min_1", "%"),
    ],
)
def test_a_derived_spo2_figure_is_never_an_spo2_candidate(label: str, unit: str) -> None:
    role, note = classify(label, unit)
    assert role == "other"
    assert "derived SpO2 figure" in note


@pytest.mark.parametrize(
    ("label", "unit"),
    [
        ("SpO2", "%"),
        ("SpO2", ""),
        ("SPO2", ""),
        ("SpO2 3", ""),
        ("SpO2.1s", "%"),
        ("Oxygen Level", ""),
        ("Oxygen Saturation", "%"),
        ("SaO2", "%"),
        ("Sats", ""),
        ("SpO2 finger", "%"),
    ],
)
def test_real_spo2_labels_are_still_spo2(label: str, unit: str) -> None:
    assert classify(label, unit)[0] == "spo2"


@given(
    head=st.sampled_from(["SpO2", "SPO2", "SaO2", "Oxygen Level", "Oxygen Saturation", "spo2"]),
    sep=st.sampled_from([" ", "_", "-", ".", ""]),
    word=st.sampled_from(
        ["min", "Min", "MAX", "avg", "Average", "mean", "Nadir", "baseline", "median", "Trend"]
    ),
    tail=st.sampled_from(["", "(%)", " 1", " (1 min)", "_pct"]),
    unit=st.sampled_from(["%", "", "percent"]),
)
def test_no_derived_figure_label_is_spo2(
    head: str, sep: str, word: str, tail: str, unit: str
) -> None:
    """However a derived figure is spelt after an SpO2 label, it is never a candidate."""
    assert classify(f"{head}{sep}{word}{tail}", unit)[0] != "spo2"


def test_an_exact_alias_outranks_a_prefix_match_whatever_the_unit() -> None:
    labels, units = ["Time", "SpO2 finger", "SpO2"], ["", "%", ""]
    roles = [classify(lab, u)[0] for lab, u in zip(labels, units, strict=True)]
    assert roles[1:] == ["spo2", "spo2"]
    choice = pick_channels(labels, units, roles, None)
    assert choice.spo2 == 2
    assert "exact alias" in choice.why


def _min_column_csv(path: Path) -> Path:
    """The audit's night: SpO2 (no unit) beside its 60-s running minimum 'SpO2 Min(%)'."""
    start = dt.datetime(2026, 11, 20, 22, 0)
    rec, _ = simulate_night(
        fs=1,
        duration_s=6 * 3600,
        seed=7,
        baseline_pct=93,
        noise_pts=0.4,
        desaturations=14,
        start=start,
    )
    x, p = rec.spo2.data, rec.pulse.data
    mn = np.array([np.nanmin(x[max(0, i - 59) : i + 1]) for i in range(x.size)])
    lines = ["Time,SpO2,SpO2 Min(%),Pulse"]
    for i in range(x.size):
        t = start + dt.timedelta(seconds=i)
        lines.append(f"{t:%Y-%m-%dT%H:%M:%S},{x[i]:.0f},{mn[i]:.0f},{p[i]:.0f}")
    return write_text(path, "\n".join(lines) + "\n")


def test_a_running_minimum_column_is_not_analysed_as_spo2(tmp_path: Path) -> None:
    """End to end: the running minimum holds every dip for a minute, so read as the
    saturation it made 16.5 min at or below 88 % out of 3.5 and the night qualified."""
    csv = _min_column_csv(tmp_path / "min.csv")
    ctx = write_text(tmp_path / "ctx.yaml", CONTEXT)
    out = tmp_path / "out"
    assert main(["analyze", str(csv), "--context", str(ctx), "--out", str(out), "--no-report"]) == 0
    s = _summary(out)
    assert s["input"]["channel"] == "SpO2"
    assert s["qualification"]["determination"] != "qualified"
    roles = {c.label: (c.role, c.note) for c in read_recording(csv).source.channels}
    assert roles["SpO2 Min(%)"][0] == "other" and "derived" in roles["SpO2 Min(%)"][1]
