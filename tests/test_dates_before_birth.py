"""A date of the context before the patient's birth is a conflict (SPEC §8.2), never qualified.

Hunt 11: an order written three weeks before an infant was born qualified pediatric oxygen
(MassHealth's order window counts back from the test date only), one of 1950 beside a birth
date of 1951 qualified Medicare oxygen (no order window), and one of 1975 beside a birth in 1980
qualified cluster-headache oxygen (no order date read at all).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from criteria import Context, evaluate

CLUSTER: dict[str, Any] = {
    "payer": "masshealth",
    "patient": {"birth_date": "1980-01-01"},
    "test": {"date": "2026-11-20", "setting": "outpatient"},
    "order": {"date": "2026-11-01", "prescriber": "physician", "flow_lpm": 12, "hours_per_day": 1},
    "diagnoses": ["G44.009"],
    "cluster_headache": {
        "attacks": 10,
        "unilateral_orbital_pain_15_180_min": True,
        "ipsilateral_autonomic_signs": True,
        "restlessness_or_agitation": True,
        "frequency_every_other_day_to_8_per_day": True,
        "not_better_accounted_for": True,
    },
}


def _with(section: str, key: str, day: str) -> dict[str, Any]:
    raw = {k: dict(v) if isinstance(v, dict) else v for k, v in CLUSTER.items()}
    raw[section] = {**raw.get(section, {}), key: day}
    return raw


def test_the_truth_the_tests_rest_on() -> None:
    d = evaluate(Context.from_dict(CLUSTER), None, "masshealth")
    assert d.determination == "qualified" and not d.conflicts


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("order", "date"),
        ("order", "initial_certification_date"),
        ("order", "therapy_start_date"),
        ("blood_gas", "date"),
        ("test", "evaluated_date"),
    ],
)
def test_a_date_before_the_birth_is_a_conflict(section: str, key: str) -> None:
    d = evaluate(Context.from_dict(_with(section, key, "1975-01-01")), None, "masshealth")
    assert d.determination == "indeterminate"
    (c,) = [c for c in d.conflicts if f"{section}.{key}" in c.keys]
    assert c.keys == ("patient.birth_date", f"{section}.{key}")
    assert c.values == {
        "patient.birth_date": "(not shown)",
        f"{section}.{key}": dt.date(1975, 1, 1),
    }


def test_the_birth_day_itself_and_later_dates_are_no_conflict() -> None:
    for day in ("1980-01-01", "1980-01-02"):
        d = evaluate(Context.from_dict(_with("blood_gas", "date", day)), None, "masshealth")
        assert not [c for c in d.conflicts if "blood_gas.date" in c.keys], day
