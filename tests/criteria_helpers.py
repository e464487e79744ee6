"""Builders for criteria tests: contexts from a baseline with dotted overrides, evidence by hand."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from criteria.context import Context
from criteria.evaluate import Evidence, SegmentFigures, SleepFigures

if TYPE_CHECKING:
    from oximetry.model import Recording

TEST_DATE = dt.date(2026, 11, 20)

#: A complete adult COPD outpatient overnight context; every test changes what it is about.
BASE: dict[str, Any] = {
    "payer": "masshealth",
    "patient": {"birth_date": "1951-03-14"},
    "test": {
        "type": "overnight",
        "date": "2026-11-20",
        "room_air": True,
        "room_air_contraindicated": False,
        "setting": "outpatient",
        "chronic_stable_state": True,
    },
    "order": {"date": "2026-11-02", "prescriber": "physician", "flow_lpm": 2, "hours_per_day": 8},
    "diagnoses": ["J44.9"],
    "documentation": {"signed_prescription": True, "letter_of_medical_necessity": True},
}

#: A complete Medicare outpatient context (an IDTF test, evaluated three days after it, ordered
#: two days later), without documentation.
MEDICARE_BASE: dict[str, Any] = {
    "payer": "medicare",
    "patient": {"age_years": 72},
    "test": {
        "type": "overnight",
        "date": TEST_DATE.isoformat(),
        "room_air": True,
        "setting": "outpatient",
        "performed_by": "idtf",
        "evaluated_date": (TEST_DATE + dt.timedelta(days=3)).isoformat(),
    },
    "order": {"date": (TEST_DATE + dt.timedelta(days=5)).isoformat(), "flow_lpm": 2},
    "diagnoses": ["J44.9"],
    "mobility": {"within_home": True},
}


#: The same adult COPD overnight context as a context file (YAML), for end-to-end tests.
OVERNIGHT_YAML = (
    "patient: {age_years: 70}\n"
    "test: {type: overnight, date: 2026-11-20, room_air: true, setting: outpatient,\n"
    "       chronic_stable_state: true}\n"
    "order: {date: 2026-11-02, prescriber: physician, flow_lpm: 2, hours_per_day: 8}\n"
    "diagnoses: [J44.9]\n"
)

DROP = object()


def make_dict(base: dict[str, Any] | None = None, **over: Any) -> dict[str, Any]:
    """Copy ``base`` and apply overrides given as ``section__key=value`` (``DROP`` removes)."""
    d = copy.deepcopy(BASE if base is None else base)
    for key, value in over.items():
        parts = key.split("__")
        node = d
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        if value is DROP:
            node.pop(parts[-1], None)
        else:
            node[parts[-1]] = value
    return d


def ctx(**over: Any) -> Context:
    """A validated context from :data:`BASE` with overrides."""
    return Context.from_dict(make_dict(**over))


def sleep(
    *,
    valid_min: float = 420.0,
    t_le88_min: float = 0.0,
    t_lt90_min: float | None = None,
    t_le90_min: float | None = None,
    longest_le88_min: float | None = None,
    nadir_pct: float | None = 91.0,
    awake_baseline_pct: float | None = 94.0,
    drop5_min: float | None = 0.0,
    longest_drop5_min: float | None = None,
    kind: str = "sleep",
) -> SleepFigures:
    """Sleep figures; the nested thresholds default to consistent values (≤88 ⊆ <90 ⊆ ≤90)."""
    lt90 = t_le88_min if t_lt90_min is None else t_lt90_min
    le90 = lt90 if t_le90_min is None else t_le90_min
    return SleepFigures(
        kind=kind,
        valid_min=valid_min,
        t_le88_min=t_le88_min,
        t_lt90_min=lt90,
        t_le90_min=le90,
        longest_le88_min=t_le88_min if longest_le88_min is None else longest_le88_min,
        nadir_pct=nadir_pct,
        awake_baseline_pct=awake_baseline_pct,
        awake_baseline_source="annotations",
        drop5_min=drop5_min,
        longest_drop5_min=drop5_min if longest_drop5_min is None else longest_drop5_min,
    )


def overnight(**kw: Any) -> Evidence:
    """Overnight evidence recorded on the test date."""
    return Evidence(recording_start=dt.datetime(2026, 11, 20, 22, 0), sleep=sleep(**kw))


def seg(kind: str, sustained: float | None, valid_min: float = 6.0) -> SegmentFigures:
    """A rest/exercise segment with the given sustained nadir, its 10 s runs unbroken by artifact
    (the lower bound of the sustained nadir is the sustained nadir), all valid: its data reach
    its end unbroken, and it reached its sustained nadir half way through."""
    return SegmentFigures(
        kind,
        valid_min,
        None if sustained is None else sustained + 2,
        None if sustained is None else sustained - 1,
        sustained,
        sustained_nadir_low_pct=sustained,
        sustained_nadir_elapsed_s=None if sustained is None else valid_min * 30,
        valid_elapsed_s=valid_min * 60 if valid_min > 0 else None,
        covered_elapsed_s=valid_min * 60 if valid_min > 0 else None,
    )


def exercise_test(
    rest: float | None = 94.0,
    exercise: float | None = 86.0,
    exercise_o2: float | None = 92.0,
    flow_lpm: float | None = 2.0,
) -> Evidence:
    """An exercise test: rest, exercise on room air, exercise on oxygen (sustained nadirs) at
    ``flow_lpm`` (the contexts' order flow)."""
    return Evidence(
        recording_start=dt.datetime(2026, 11, 20, 10, 0),
        rest=None if rest is None else seg("rest", rest),
        exercise=None if exercise is None else seg("exercise", exercise),
        exercise_o2=None if exercise_o2 is None else seg("exercise_o2", exercise_o2),
        exercise_o2_flow_lpm=flow_lpm,
    )


CLUSTER_OK = {
    "attacks": 6,
    "unilateral_orbital_pain_15_180_min": True,
    "ipsilateral_autonomic_signs": True,
    "restlessness_or_agitation": False,
    "frequency_every_other_day_to_8_per_day": True,
    "not_better_accounted_for": True,
}

#: A cluster-headache prescription: a G44.0x code and a prescription with flow and hours
#: (MG-OXY II.A.2: "the prescription must specify the diagnosis, the oxygen flow rate, and
#: frequency/duration of therapy"); high-flow oxygen, as cluster headache is treated.
CLUSTER_RX = {"prescriber": "physician", "flow_lpm": 12, "hours_per_day": 2}


def cluster_ctx(ch: dict[str, Any] | None = None, **extra: Any) -> Context:
    """A cluster-headache-only context (no recording needed) with a complete prescription."""
    d: dict[str, Any] = {
        "cluster_headache": CLUSTER_OK if ch is None else ch,
        "diagnoses": ["G44.019"],
        "order": dict(CLUSTER_RX),
    }
    d.update(extra)
    return Context.from_dict(d)


def analyze_overnight(tmp: Path, rec: Recording, *options: str) -> dict[str, Any]:
    """Run ``oxi analyze --no-report`` on ``rec`` with :data:`OVERNIGHT_YAML`; return the summary.

    The recording is written to ``tmp/night.edf``, the context to ``tmp/ctx.yaml`` and the
    outputs to ``tmp/out``.
    """
    from oxi.cli import main
    from oximetry.simulate import write_edf

    edf = write_edf(rec, tmp / "night.edf")
    ctx_file = tmp / "ctx.yaml"
    ctx_file.write_text(OVERNIGHT_YAML)
    out = tmp / "out"
    args = ["analyze", str(edf), "--context", str(ctx_file), "--out", str(out), "--no-report"]
    assert main([*args, *options]) == 0
    return dict(json.loads((out / "summary.json").read_text()))
