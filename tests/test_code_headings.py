"""An ICD-10-CM heading that holds a listed code may be that code (Medicare, hunt 12).

Medicare read a diagnosis only when it was a listed code or began with one, so a heading above
one was read as nothing: beside R06 (which holds the dyspnea codes R06.0x) or I25.1 (which
holds the angina codes I25.11x) a drop from the night's mean qualified, where the complete code
is a Group IV item; beside G47.3 (which holds G47.36, sleep related hypoxemia) a cluster
headache qualified Group III, where any hypoxemia diagnosis rules it out (A22, A24).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from criteria import Context, evaluate
from criteria.evidence import Evidence
from criteria.rules.shared import codes_matching
from tests.criteria_helpers import CLUSTER_OK, MEDICARE_BASE, make_dict, seg, sleep

MC = {**MEDICARE_BASE, "documentation": {"signed_prescription": True}}
NIGHT = dt.datetime(2026, 11, 20, 22, 0)
#: A stand-alone night whose only finding is a drop of more than 5 points from the mean (and the
#: awake baseline): nothing at or below 88 %.
DROP_ONLY = dataclasses.replace(
    sleep(kind="presumed_sleep", t_le88_min=0.0, nadir_pct=89.0, awake_baseline_pct=95.0),
    drop5_min=30.0, longest_drop5_min=30.0, mean_pct=94.0,
    drop5_from_mean_min=30.0, longest_drop5_from_mean_min=30.0,
)  # fmt: skip


def _iv(code: str) -> Context:
    return Context.from_dict(make_dict(MC, diagnoses=["J44.9", code], symptoms=["insomnia"]))


def test_codes_matching_reads_a_heading_only_when_asked() -> None:
    codes = ["R06", "R06.02", "R06.1", "I25.1", "I25.10"]
    assert codes_matching(codes, ["R06.0"]) == ["R06.02"]
    assert codes_matching(codes, ["R06.0"], headings=True) == ["R06", "R06.02"]
    assert codes_matching(codes, ["I25.11"], headings=True) == ["I25.1"]


def test_the_truth_the_tests_rest_on() -> None:
    night = Evidence(recording_start=NIGHT, sleep=DROP_ONLY)
    assert evaluate(_iv("J43.9"), night, "medicare").determination == "qualified"
    d = evaluate(_iv("R06.02"), night, "medicare")
    assert d.determination == "not_qualified"  # Group IV: dyspnea without cor pulmonale


@pytest.mark.parametrize(
    ("heading", "holds"),
    [("R06", "R06.02"), ("I25.1", "I25.11"), ("I23", "I23.7"), ("I73", "I73.9"),
     ("I70.9", "I70.92"), ("E11.5", "E11.51")],
)  # fmt: skip
def test_a_heading_of_a_group_iv_item_is_held_open(heading: str, holds: str) -> None:
    night = Evidence(recording_start=NIGHT, sleep=DROP_ONLY)
    d = evaluate(_iv(heading), night, "medicare")
    assert d.determination == "indeterminate", heading
    assert f"diagnoses: a complete code in place of {heading}" in d.missing
    iv = d.rule("lcd_group_iv")
    assert iv.met is None and iv.values["headings"] == [heading]
    # the complete code it holds is the item: denied without hypoxemia
    assert evaluate(_iv(holds), night, "medicare").determination == "not_qualified"


def test_hypoxemia_lifts_a_group_iv_heading() -> None:
    """A Group I value (88 % for 5 minutes asleep) qualifies whatever the heading codes."""
    low = dataclasses.replace(DROP_ONLY, t_le88_min=30.0, t_lt90_min=30.0, nadir_pct=84.0)
    d = evaluate(_iv("I25.1"), Evidence(recording_start=NIGHT, sleep=low), "medicare")
    assert d.determination == "qualified", d.missing


def _cluster(*codes: str) -> Context:
    """A Medicare cluster-headache context (Group III): G44.011, high flow, tested at rest."""
    over = {"diagnoses": ["G44.011", *codes], "order__flow_lpm": 12, "test__type": "rest"}
    return Context.from_dict(make_dict(MC, cluster_headache=CLUSTER_OK, **over))


@pytest.mark.parametrize("heading", ["G47.3", "G47", "R09", "T70.2", "T70", "P28", "J96"])
def test_a_heading_of_a_hypoxemia_code_rules_group_iii_out(heading: str) -> None:
    rest = Evidence(recording_start=dt.datetime(2026, 11, 20, 10), rest=seg("rest", 95.0))
    assert evaluate(_cluster(), rest, "medicare").determination == "qualified"
    d = evaluate(_cluster(heading), rest, "medicare")
    assert d.determination != "qualified", heading
    assert d.rule("lcd_group_iii").met is False


def test_the_reason_names_the_heading_hypoxemia_lifts() -> None:
    low = dataclasses.replace(DROP_ONLY, t_le88_min=30.0, t_lt90_min=30.0, nadir_pct=84.0)
    d = evaluate(_iv("I25.1"), Evidence(recording_start=NIGHT, sleep=low), "medicare")
    assert "(I25.1, which may code angina pectoris)" in d.rule("lcd_group_iv").reason
