"""SPEC §8.2 "Validity before rules" and "Reviewer view": the cases issue 10 found.

The adversarial review returned ``qualified`` in 19 cases where it must not, and denied 4 cases
where it should have said what was missing. Each is a named test here, with one test per conflict
and per narrowed code of the ICD-10-CM map (tested against the code library itself).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from criteria import icd10
from criteria.context import Context
from criteria.errors import ContextError
from criteria.evaluate import Determination, Evidence, evaluate
from oxi.cli import main
from tests.criteria_helpers import (
    CLUSTER_OK,
    CLUSTER_RX,
    DROP,
    cluster_ctx,
    ctx,
    overnight,
    seg,
    sleep,
)

QUALIFYING_NIGHT = {"t_le88_min": 12.0, "nadir_pct": 82.0}
#: A night that qualifies only through a fall of > 5 points (no absolute hypoxemia): 93 % nadir.
DROP_NIGHT = {
    "t_le88_min": 0.0,
    "t_lt90_min": 0.0,
    "t_le90_min": 0.0,
    "drop5_min": 40.0,
    "nadir_pct": 93.0,
    "awake_baseline_pct": 99.0,
}


def met(d: Determination, rule_id: str) -> bool | None:
    return d.rule(rule_id).met


def not_qualified_safely(d: Determination) -> None:
    assert d.determination != "qualified"
    assert d.hcpcs == () and d.authorization_months is None


def conflict_keys(d: Determination) -> list[tuple[str, ...]]:
    return [c.keys for c in d.conflicts]


def test_the_baseline_cases_qualify() -> None:
    """Every unsafe case below is one change away from one of these qualified cases."""
    assert evaluate(ctx(), overnight(**QUALIFYING_NIGHT)).determination == "qualified"
    assert evaluate(cluster_ctx(), None).determination == "qualified"
    drop = evaluate(ctx(symptoms=["insomnia"], diagnoses=["G47.33"]), overnight(**DROP_NIGHT))
    assert drop.determination == "qualified"


# ---------------------------------------------------------------- the 19 unsafe "qualified"


def test_unsafe_01_made_up_code_j44_7_is_bad_input() -> None:
    with pytest.raises(ContextError, match=r"'J44\.7' is not an ICD-10-CM code"):
        ctx(diagnoses=["J44.7"])


def test_unsafe_02_symptom_standing_in_for_a_diagnosis() -> None:
    d = evaluate(
        ctx(diagnoses=DROP, symptoms=["nocturnal_restlessness"]), overnight(**QUALIFYING_NIGHT)
    )
    not_qualified_safely(d)
    assert "diagnoses" in d.missing


def test_unsafe_03_r09_02_alone_needs_the_clinicians_attestation() -> None:
    d = evaluate(ctx(diagnoses=["R09.02"]), overnight(**QUALIFYING_NIGHT))
    assert d.determination == "indeterminate"
    assert any(m.startswith("findings.attested_condition") for m in d.missing)
    attested = evaluate(
        ctx(diagnoses=["R09.02"], findings={"attested_condition": True}),
        overnight(**QUALIFYING_NIGHT),
    )
    assert attested.determination == "qualified" and attested.authorization_months == 3


def test_unsafe_04_sunct_coded_is_not_cluster_headache() -> None:
    d = evaluate(cluster_ctx(diagnoses=["G44.059"]), None)
    not_qualified_safely(d)
    assert ("diagnoses", "cluster_headache") in conflict_keys(d)


def test_unsafe_05_j44_1_exacerbation_with_chronic_stable_state() -> None:
    d = evaluate(ctx(diagnoses=["J44.1"]), overnight(**QUALIFYING_NIGHT))
    assert d.determination == "indeterminate" and d.authorization_months is None
    assert ("diagnoses", "test.chronic_stable_state") in conflict_keys(d)


def test_unsafe_06_recording_seven_months_before_is_not_overridden_by_the_context() -> None:
    ev = Evidence(
        recording_start=dt.datetime(2026, 4, 18, 22, 0),
        sleep=overnight(**QUALIFYING_NIGHT).sleep,
    )
    d = evaluate(ctx(), ev)
    not_qualified_safely(d)
    assert ("test.date", "recording.start") in conflict_keys(d)
    assert d.test_date == dt.date(2026, 4, 18)  # the recording's own date, not the context's


def test_unsafe_07_outpatient_test_with_a_discharge_date_after_it() -> None:
    d = evaluate(ctx(test__discharge_date="2026-11-25"), overnight(**QUALIFYING_NIGHT))
    not_qualified_safely(d)
    assert ("test.setting", "test.discharge_date", "test.date") in conflict_keys(d)


def test_unsafe_08_pao2_0_mmhg_is_bad_input() -> None:
    with pytest.raises(ContextError, match=r"blood_gas\.pao2_rest_mmhg"):
        ctx(blood_gas={"pao2_rest_mmhg": 0})


def test_unsafe_09_birth_date_16_years_against_age_years_40() -> None:
    d = evaluate(
        ctx(patient={"birth_date": "2010-05-01", "age_years": 40}), overnight(**QUALIFYING_NIGHT)
    )
    not_qualified_safely(d)
    assert ("patient.birth_date", "patient.age_years") in conflict_keys(d)


@pytest.mark.parametrize(
    "angina",
    [{"findings": {"angina_pectoris": True}}, {"diagnoses": ["G47.33", "I20.9"]}],
    ids=["finding", "code"],
)
def test_unsafe_10_angina_with_a_5_point_drop_to_93_is_not_hypoxemia(
    angina: dict[str, Any],
) -> None:
    over: dict[str, Any] = {"symptoms": ["insomnia"], "diagnoses": ["G47.33"], **angina}
    d = evaluate(ctx(**over), overnight(**DROP_NIGHT))
    assert met(d, "ii_b_3_angina") is False
    assert d.determination == "not_qualified"


@pytest.mark.parametrize(
    "dyspnea",
    [{"findings": {"breathlessness": True}}, {"diagnoses": ["G47.33", "R06.00"]}],
    ids=["finding", "code"],
)
def test_unsafe_11_dyspnea_with_a_5_point_drop_is_not_hypoxemia(dyspnea: dict[str, Any]) -> None:
    over: dict[str, Any] = {"symptoms": ["insomnia"], "diagnoses": ["G47.33"], **dyspnea}
    d = evaluate(ctx(**over), overnight(**DROP_NIGHT))
    assert met(d, "ii_b_4_breathlessness") is False
    assert d.determination == "not_qualified"


@pytest.mark.parametrize(
    ("key", "value"),
    [("prescriber", DROP), ("flow_lpm", DROP), ("hours_per_day", DROP), ("flow_lpm", 0)],
)
def test_unsafe_12_to_14_prescription_without_prescriber_flow_or_hours(
    key: str, value: Any
) -> None:
    d = evaluate(ctx(**{f"order__{key}": value}), overnight(**QUALIFYING_NIGHT))
    assert d.determination == "indeterminate"
    assert met(d, "ii_a_2_prescription") is None
    assert any(m.startswith(f"order.{key}") for m in d.missing)
    # Named once, though several rules need it ("order.flow_lpm (more than 0 L/min)" and a bare
    # "order.flow_lpm" were both listed).
    assert sum(m.split(" (")[0] == f"order.{key}" for m in d.missing) == 1


def test_unsafe_15_p07_prematurity_is_not_pip() -> None:
    assert icd10.categorise("P07.30") is None
    d = evaluate(ctx(diagnoses=["P07.30"]), overnight(**QUALIFYING_NIGHT))
    assert d.determination == "indeterminate"  # only the clinician's attestation settles it


def test_unsafe_16_c34_without_widespread_neoplasm() -> None:
    d = evaluate(ctx(diagnoses=["C34.90"]), overnight(**QUALIFYING_NIGHT))
    assert d.determination == "indeterminate"
    assert "findings.widespread_pulmonary_neoplasm" in d.missing
    no = evaluate(
        ctx(diagnoses=["C34.90"], findings={"widespread_pulmonary_neoplasm": False}),
        overnight(**QUALIFYING_NIGHT),
    )
    assert no.determination == "indeterminate"
    yes = evaluate(
        ctx(diagnoses=["C34.90"], findings={"widespread_pulmonary_neoplasm": True}),
        overnight(**QUALIFYING_NIGHT),
    )
    assert yes.determination == "qualified"


def test_unsafe_17_chronic_bronchitis_is_not_a_short_term_condition() -> None:
    d = evaluate(ctx(diagnoses=["J42"]), overnight(**QUALIFYING_NIGHT))
    assert met(d, "ii_a_1_c_short_term") is False
    assert d.determination == "indeterminate"
    attested = evaluate(
        ctx(diagnoses=["J42"], findings={"attested_condition": True}),
        overnight(**QUALIFYING_NIGHT),
    )
    # Attested: chronic, so the chronic stable state is required (it is given in BASE).
    assert attested.determination == "qualified"
    unstable = evaluate(
        ctx(
            diagnoses=["J42"],
            findings={"attested_condition": True},
            test__chronic_stable_state=DROP,
        ),
        overnight(**QUALIFYING_NIGHT),
    )
    assert unstable.determination == "indeterminate"


@pytest.mark.parametrize("code", ["J45.901", "J45.52", "J18.9", "J44.0"])
def test_unsafe_18_acute_codes_with_chronic_stable_state(code: str) -> None:
    d = evaluate(ctx(diagnoses=[code]), overnight(**QUALIFYING_NIGHT))
    not_qualified_safely(d)
    assert ("diagnoses", "test.chronic_stable_state") in conflict_keys(d)


@pytest.mark.parametrize("code", ["J96.11", "E66.2", "R41.82", "R45.1", "I50.9"])
def test_unsafe_19_unlisted_or_symptom_codes_need_attestation(code: str) -> None:
    d = evaluate(ctx(diagnoses=[code]), overnight(**QUALIFYING_NIGHT))
    assert d.determination == "indeterminate"
    assert any("attested_condition" in m for m in d.missing)


# ---------------------------------------------------------------- the 4 wrong denials


def test_wrong_denial_1_awake_hypoxaemic_night_needs_a_rest_test() -> None:
    d = evaluate(ctx(), overnight(awake_baseline_pct=86.0, **QUALIFYING_NIGHT))
    assert d.determination == "indeterminate"
    assert "a rest test (or awake PaO2) is needed" in d.missing
    assert any(
        "a rest test (or awake PaO2) is needed" in n for n in d.would_qualify_if.values() for n in n
    )


def test_wrong_denial_2_blood_gas_exercise_without_on_oxygen_value() -> None:
    c = ctx(test__type="exercise", blood_gas={"pao2_exercise_mmhg": 52, "pao2_rest_mmhg": 70})
    d = evaluate(c, None)
    assert d.determination == "indeterminate"
    assert "blood_gas.pao2_exercise_o2_mmhg" in d.missing
    on_o2 = ctx(
        test__type="exercise",
        test__exercise_o2_flow_lpm=2,  # the walk on oxygen's flow (the order's: 2 L/min)
        blood_gas={"pao2_exercise_mmhg": 52, "pao2_rest_mmhg": 70, "pao2_exercise_o2_mmhg": 68},
    )
    d2 = evaluate(on_o2, None)
    assert d2.determination == "qualified" and d2.coverage == ("exercise",)


def test_wrong_denial_3_coded_pulmonary_hypertension_is_a_iii_b_evidence() -> None:
    night = overnight(t_le88_min=0.0, t_lt90_min=30.0, nadir_pct=89.0)
    without = evaluate(ctx(), night)
    assert without.determination == "not_qualified"
    d = evaluate(ctx(diagnoses=["J44.9", "I27.23"]), night)
    assert met(d, "ii_a_2_a_iii_conditions") is True
    assert d.determination == "qualified"


def test_wrong_denial_4_cluster_headache_with_stable_angina() -> None:
    d = evaluate(cluster_ctx(diagnoses=["G44.019", "I20.89"]), None)
    assert met(d, "ii_b_3_angina") is not True  # the exclusion stands for oxygen *for* angina,
    assert d.determination == "qualified"  # ... and does not deny the cluster headache
    assert d.coverage == ("cluster_headache",)


def test_awake_pao2_le_55_is_a_continuous_finding() -> None:
    d = evaluate(ctx(test__type="rest", blood_gas={"pao2_awake_mmhg": 55}), None)
    assert met(d, "ii_a_2_a_i_rest") is True and d.coverage == ("continuous",)


# ---------------------------------------------------------------- one test per conflict


def test_conflict_other_tac_code_with_ichd3_items_ticked() -> None:
    for code in ("G44.039", "G44.049", "G44.059", "G44.099"):
        d = evaluate(cluster_ctx(diagnoses=[code]), None)
        assert ("diagnoses", "cluster_headache") in conflict_keys(d), code


def test_conflict_room_air_with_a_test_flow() -> None:
    d = evaluate(ctx(test__o2_flow_lpm=2), overnight(**QUALIFYING_NIGHT))
    assert ("test.room_air", "test.o2_flow_lpm") in conflict_keys(d)
    assert d.determination == "indeterminate"


def test_conflict_birth_date_after_the_test() -> None:
    d = evaluate(ctx(patient={"birth_date": "2026-11-21"}), overnight(**QUALIFYING_NIGHT))
    assert ("patient.birth_date", "test.date") in conflict_keys(d)


def test_conflict_recording_one_day_off_is_a_warning_only() -> None:
    d = evaluate(ctx(test__date="2026-11-21"), overnight(**QUALIFYING_NIGHT))
    assert d.conflicts == () and d.determination == "qualified"
    assert any("differs by a day" in w for w in d.warnings)
    two = evaluate(ctx(test__date="2026-11-22"), overnight(**QUALIFYING_NIGHT))
    assert ("test.date", "recording.start") in conflict_keys(two)


def test_conflict_discharge_before_an_outpatient_test_is_no_conflict() -> None:
    d = evaluate(ctx(test__discharge_date="2026-11-19"), overnight(**QUALIFYING_NIGHT))
    assert d.conflicts == () and d.determination == "qualified"


def test_conflicts_are_listed_with_keys_values_and_why() -> None:
    d = evaluate(ctx(diagnoses=["J44.1"]), overnight(**QUALIFYING_NIGHT))
    (c,) = d.to_dict()["conflicts"]
    assert c["keys"] == ["diagnoses", "test.chronic_stable_state"]
    assert c["values"] == {"diagnoses": "J44.1", "test.chronic_stable_state": True}
    assert "exacerbation" in c["why"]
    assert d.decided_by[0] == "conflicts"
    assert all(any(n.startswith("resolve ") for n in v) for v in d.would_qualify_if.values())


def test_a_conflict_survives_the_summary_round_trip() -> None:
    c = ctx(patient={"birth_date": "2010-05-01", "age_years": 40})
    d = evaluate(c, overnight(**QUALIFYING_NIGHT))
    back = Context.from_dict(c.to_dict(test_date=d.test_date))
    assert "2010-05-01" not in json.dumps(c.to_dict(test_date=d.test_date))
    assert evaluate(back, overnight(**QUALIFYING_NIGHT)).to_dict() == d.to_dict()


# ---------------------------------------------------------------- the narrowed map


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("criteria").joinpath(f"data/{name}").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("name", ["icd10_categories.csv", "icd10_acute.csv"])
def test_every_mapped_code_exists_in_the_code_set(name: str) -> None:
    rows = _rows(name)
    assert rows
    missing = [r["prefix"] for r in rows if not icd10.exists(r["prefix"])]
    assert missing == []


def test_the_code_set_is_named() -> None:
    assert icd10.code_set().startswith("ICD-10-CM April 1, 2026 (CMS)")
    d = evaluate(ctx(), overnight(**QUALIFYING_NIGHT))
    assert d.code_set == icd10.code_set()
    assert d.to_dict()["diagnoses"] == [
        {
            "code": "J44.9",
            "description": "Chronic obstructive pulmonary disease, unspecified",
            "category": "severe_lung_disease",
            "clause": "II.A.1.a.i",
        }
    ]


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("G44.009", "cluster_headache"),
        ("G44.019", "cluster_headache"),
        ("G44.029", "cluster_headache"),
        ("G44.039", "other_tac"),
        ("G44.049", "other_tac"),
        ("G44.059", "other_tac"),
        ("G44.099", "other_tac"),
        ("P07.30", None),
        ("J41.0", "chronic_unlisted"),
        ("J42", "chronic_unlisted"),
        ("R09.02", None),
        ("J96.11", None),
        ("E66.2", None),
    ],
)
def test_narrowed_code(code: str, category: str | None) -> None:
    row = icd10.categorise(code)
    assert (None if row is None else row.category) == category


@pytest.mark.parametrize(("code", "key"), [("C34.90", "widespread"), ("C78.00", "widespread")])
def test_narrowed_neoplasm_codes_need_widespread(code: str, key: str) -> None:
    row = icd10.categorise(code)
    assert row is not None and key in row.requires


def test_other_tac_is_a_headache_other_than_cluster() -> None:
    d = evaluate(Context.from_dict({"diagnoses": ["G44.059"]}), None)
    assert met(d, "ii_b_5_other_headache") is False


def test_a_cluster_headache_needs_a_cluster_code() -> None:
    d = evaluate(cluster_ctx(diagnoses=["J44.9"]), None)
    assert met(d, "ii_a_1_d_cluster_headache") is None
    assert d.determination != "qualified"


# ---------------------------------------------------------------- equipment follows flow


def test_equipment_follows_flow() -> None:
    high = evaluate(ctx(order__flow_lpm=12), overnight(**QUALIFYING_NIGHT))
    assert high.hcpcs == ("E0424", "E0439")
    rest = Evidence(recording_start=dt.datetime(2026, 11, 20, 10), rest=seg("rest", 85.0))
    mobile = {"beyond_stationary_tubing": True, "hours_away_from_home": 6}
    at4 = evaluate(ctx(test__type="rest", order__flow_lpm=4, mobility=mobile), rest)
    assert "E1390" in at4.hcpcs and "E1392" not in at4.hcpcs
    at3 = evaluate(ctx(test__type="rest", order__flow_lpm=3, mobility=mobile), rest)
    assert "E1392" in at3.hcpcs
    ch = evaluate(cluster_ctx(mobility={"beyond_stationary_tubing": True}), None)
    assert ch.hcpcs == ("E0424", "E0431")


# ---------------------------------------------------------------- reviewer view


def test_not_qualified_names_the_rules_that_closed_each_path() -> None:
    d = evaluate(ctx(test__room_air=False), overnight(**QUALIFYING_NIGHT))
    assert d.determination == "not_qualified"
    assert "ii_a_2_room_air" in d.decided_by
    assert d.would_qualify_if == {} and d.missing == ()


def test_missing_lists_only_what_open_paths_need() -> None:
    # Room air refused closes every measured path: the missing order date is not asked for.
    d = evaluate(ctx(test__room_air=False, order__date=DROP), overnight(**QUALIFYING_NIGHT))
    assert d.determination == "not_qualified" and "order.date" not in d.missing


def test_met_is_null_for_not_applicable_rules() -> None:
    out = evaluate(ctx(), overnight(**QUALIFYING_NIGHT)).to_dict()
    na = [r for r in out["rules"] if r["status"] == "not_applicable"]
    assert na and all(r["met"] is None for r in na)


#: A night with nothing nocturnal near qualifying: no minute at or below 88 %, no fall > 5 points.
CLEAN_NIGHT = {"t_le88_min": 0.0, "nadir_pct": 93.0, "drop5_min": 0.0, "awake_baseline_pct": 96.0}


@pytest.mark.parametrize(
    ("over", "night"),
    [
        ({"test__type": DROP}, CLEAN_NIGHT),  # only test.type holds the sleep window back
        ({"test__room_air": DROP}, QUALIFYING_NIGHT),  # a gate of every path is unknown
        ({"diagnoses": ["J44.1"]}, QUALIFYING_NIGHT),  # a conflict holds a met path
    ],
)
def test_indeterminate_decided_by_names_only_what_holds_it_open(
    over: dict[str, Any], night: dict[str, float]
) -> None:
    # Nothing decided an indeterminate: the rules that closed other paths are no reason for it.
    d = evaluate(ctx(**over), overnight(**night))
    assert d.determination == "indeterminate"
    rules = [r for r in d.decided_by if r != "conflicts"]
    assert rules or d.conflicts
    for rid in rules:
        r = d.rule(rid)
        assert r.met is None and r.tested and r.missing, (rid, r.reason)
    assert ("conflicts" in d.decided_by) is bool(d.conflicts)
    # every input an open path needs is named by a rule listed
    needed = {m for r in rules for m in d.rule(r).missing}
    assert all(m in needed for v in d.would_qualify_if.values() for m in v if "resolve " not in m)


def test_would_qualify_if_names_no_path_the_recorded_figures_rule_out() -> None:
    # 0 minutes at or below 88 % and no fall: whatever test.type is, no nocturnal path is met,
    # so none is offered as "would qualify if"; the determination still waits for test.type.
    d = evaluate(ctx(test__type=DROP), overnight(**CLEAN_NIGHT))
    assert d.determination == "indeterminate" and "test.type" in d.missing
    assert d.would_qualify_if == {}
    # the same gap on a night whose figures meet the finding: the path is offered
    near = evaluate(ctx(test__type=DROP), overnight(**QUALIFYING_NIGHT))
    assert near.determination == "indeterminate"
    assert near.would_qualify_if.get("nocturnal_sleep") == ("test.type",)


def _day_long(**figures: float) -> Evidence:
    """A 16-h presumed-sleep window: the night in it is not bounded (lights-off is missing)."""
    s = sleep(valid_min=16 * 60.0, kind="presumed_sleep", **figures)
    return Evidence(
        recording_start=dt.datetime(2026, 11, 20, 18, 0),
        sleep=dataclasses.replace(s, duration_min=16 * 60.0),
    )


def test_would_qualify_if_on_an_unbounded_night_offers_only_what_its_figures_reach() -> None:
    # No part of 16 h with 0 min at or below 88 % holds 5 such minutes: nothing to offer.
    d = evaluate(ctx(), _day_long(**CLEAN_NIGHT))
    assert d.determination == "indeterminate"
    assert any("lights-off" in m for m in d.missing)
    assert d.would_qualify_if == {}
    near = evaluate(ctx(), _day_long(**QUALIFYING_NIGHT))
    assert "nocturnal_sleep" in near.would_qualify_if
    # a fall below the awake baseline depends on which part is the night: kept in reach
    drop = evaluate(ctx(symptoms=["insomnia"]), _day_long(**CLEAN_NIGHT))
    assert "nocturnal_drop" in drop.would_qualify_if


def test_would_qualify_if_keeps_a_path_whose_measurement_is_what_is_missing() -> None:
    # 90 min valid: too short to read; more recording is the missing piece, not a finding.
    d = evaluate(ctx(), overnight(valid_min=90.0, **CLEAN_NIGHT))
    assert d.determination == "indeterminate"
    assert any("120 min of valid data" in m for m in d.would_qualify_if.get("nocturnal_sleep", ()))


# ---------------------------------------------------------------- oxi qualify


CH_YAML = """\
test: {date: 2026-11-20}
order: {date: 2026-11-18, prescriber: physician, flow_lpm: 12, hours_per_day: 2}
diagnoses: [G44.019]
cluster_headache: {attacks: 6, unilateral_orbital_pain_15_180_min: true,
  ipsilateral_autonomic_signs: true, frequency_every_other_day_to_8_per_day: true,
  not_better_accounted_for: true}
"""


def test_oxi_qualify_prints_the_human_summary_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "ch.yaml"
    p.write_text(CH_YAML, encoding="utf-8")
    assert main(["qualify", "--context", str(p)]) == 0
    text = capsys.readouterr().out
    assert "Determination  QUALIFIED (cluster_headache; 3 months; masshealth)" in text
    assert "G44.019: Episodic cluster headache, not intractable" in text
    assert main(["qualify", "--context", str(p), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["qualification"]["determination"] == "qualified"
    assert doc["qualification"]["hcpcs"] == ["E0424"]


def test_oxi_qualify_says_what_holds_an_indeterminate_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "ch.yaml"
    p.write_text(CH_YAML.replace("prescriber: physician, ", ""), encoding="utf-8")
    assert main(["qualify", "--context", str(p)]) == 0
    text = capsys.readouterr().out
    assert "INDETERMINATE" in text
    assert "Held open by: ii_a_2_prescription" in text
    assert "Open path (cluster_headache) undecided until: order.prescriber" in text
    assert "Decided by" not in text and "Would qualify" not in text


def test_oxi_qualify_out_writes_a_context_only_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "ch.yaml"
    p.write_text(CH_YAML, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["qualify", "--context", str(p), "--out", str(out)]) == 0
    pdf = (out / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
    doc = json.loads((out / "qualification.json").read_text(encoding="utf-8"))
    assert doc["qualification"]["basis"] == ["ii_a_2_c_cluster_headache"]
    import shutil
    import subprocess

    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(out / "report.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "clinical context (no recording)" in text and "MG-OXY II.A.2.c" in text
        # a Medicare determination's report names the policy revisions it encodes (SPEC §8.4)
        mc = tmp_path / "mc.yaml"
        mc.write_text("payer: medicare\n", encoding="utf-8")
        assert main(["qualify", "--context", str(mc), "--out", str(tmp_path / "mc")]) == 0
        text = subprocess.run(
            ["pdftotext", str(tmp_path / "mc" / "report.pdf"), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        assert "LCD L33797 Oxygen and Oxygen Equipment, revision effective" in " ".join(
            text.split()
        )


def test_oxi_qualify_blood_gas_case_and_a_bad_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "bg.yaml"
    case = (
        "test: {type: rest, date: 2026-11-20, room_air: true, setting: outpatient,"
        " chronic_stable_state: true}\n"
        "order: {date: 2026-11-18, prescriber: physician, flow_lpm: 2, hours_per_day: 24}\n"
        "diagnoses: [J84.10]\nblood_gas: {pao2_rest_mmhg: 52}\n"
    )
    p.write_text("patient: {age_years: 64}\n" + case, encoding="utf-8")
    assert main(["qualify", "--context", str(p), "--out", str(tmp_path / "o")]) == 0
    assert "QUALIFIED (continuous; 12 months" in capsys.readouterr().out
    assert (tmp_path / "o" / "report.pdf").exists()
    # the member's age is a fact every measured path requires (SPEC §8.2): without it, open
    p.write_text(case, encoding="utf-8")
    assert main(["qualify", "--context", str(p)]) == 0
    out = capsys.readouterr().out
    assert "INDETERMINATE" in out and "patient.birth_date or age_years" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("diagnoses: [J44.7]\n", encoding="utf-8")
    assert main(["qualify", "--context", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "J44.7" in err and err.count("\n") == 1


def test_cluster_rx_helper_is_a_complete_prescription() -> None:
    assert set(CLUSTER_RX) == {"prescriber", "flow_lpm", "hours_per_day"}
    assert CLUSTER_OK["attacks"] >= 5


@pytest.mark.parametrize("codes", [["J44"], ["J45"], ["J44.9", "J45"], ["G44.01"]])
def test_a_heading_of_the_code_set_never_qualifies(codes: list[str]) -> None:
    """A heading (J45) hides what decides (an exacerbation): a complete code is needed."""
    c = ctx(diagnoses=codes) if codes[0] != "G44.01" else cluster_ctx(diagnoses=codes)
    d = evaluate(c, overnight(**QUALIFYING_NIGHT) if codes[0] != "G44.01" else None)
    assert d.determination == "indeterminate"
    if codes[0] != "G44.01":
        assert any(m.startswith("diagnoses: a complete code in place of") for m in d.missing)


def test_a_heading_still_counts_for_an_exclusion() -> None:
    d = evaluate(ctx(symptoms=["insomnia"], diagnoses=["G47.33", "I20.8"]), overnight(**DROP_NIGHT))
    assert met(d, "ii_b_3_angina") is False


def test_code_lookups_match_the_code_library_everywhere() -> None:
    """criteria reads the package's CMS files directly (milliseconds); the package agrees."""
    lib = icd10._library()
    every = lib.get_all_codes(with_dots=False)
    # The release also holds a few non-standard items (QA00...: letter, letter) that no
    # diagnosis key accepts (a code is a letter, a digit, then up to five characters).
    # A few blocks carry the name of their only category (B20 "HIV disease"): the name is a code.
    twice = {c for c, n in Counter(every).items() if n > 1}
    codes = [c for c in every if (c in twice or not lib.is_chapter_or_block(c)) and c[1].isdigit()]
    assert len(codes) > 90_000 and {"B20", "J449", "G44019"} <= set(codes)
    assert all(icd10.exists(c) for c in codes)
    blocks = [c for c in every if lib.is_chapter_or_block(c) and c not in twice]
    assert len(blocks) > 200 and not any(icd10.exists(c) for c in blocks)
    # (For the block-named codes the package answers about the block; B20 itself is billable.)
    assert [c for c in codes if c not in twice and icd10.is_leaf(c) != lib.is_leaf(c)] == []
    assert icd10.is_leaf("B20") and not icd10.is_leaf("J44")
    sample = codes[::337] + [r.prefix for r in icd10.mapping_table()] + ["S72.001A", "J44"]
    wrong = [c for c in sample if icd10.describe(c) != lib.get_description(c.replace(".", ""))]
    assert wrong == []
    for bad in ("J44.7", "J449X", "A00-A09", "1", "J45.999", "R09.03", "j44.9"):
        assert not icd10.exists(bad)


def test_oxi_qualify_out_never_replaces_an_input_or_an_analysis_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`oxi qualify --out DIR` refuses (one line, exit 2, nothing written) to write its
    context-only report.pdf over the report of an analysis whose summary.json sits there (the
    summary records that report's sha256: `oxi verify` would then fail), and to write over a
    context named like one of its outputs (SPEC §10: the input is never modified)."""
    p = tmp_path / "ch.yaml"
    p.write_text(CH_YAML, encoding="utf-8")
    analysis = tmp_path / "analysis"
    analysis.mkdir()
    (analysis / "summary.json").write_text("{}", encoding="utf-8")
    (analysis / "report.pdf").write_bytes(b"%PDF the analysis's report")
    assert main(["qualify", "--context", str(p), "--out", str(analysis)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "report of an analysis" in err
    assert (analysis / "report.pdf").read_bytes() == b"%PDF the analysis's report"
    assert not (analysis / "qualification.json").exists()
    # without the report there is nothing to replace
    assert main(["qualify", "--context", str(p), "--out", str(analysis), "--no-report"]) == 0
    assert (analysis / "qualification.json").is_file()
    capsys.readouterr()
    # a context file named qualification.json in the output folder
    own = tmp_path / "own"
    own.mkdir()
    ctx = own / "qualification.json"
    text = json.dumps(yaml.safe_load(CH_YAML), default=str)
    ctx.write_text(text, encoding="utf-8")
    assert main(["qualify", "--context", str(ctx), "--out", str(own)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "would write qualification.json over it" in err
    assert ctx.read_text(encoding="utf-8") == text and not (own / "report.pdf").exists()


# --- the test is dated by what is judged, not by the file's first sample ------------------------


def _two_nights_csv(path: Path) -> Path:
    """Two nights at 0.25 Hz from 2026-01-05 22:00; only the second, on 01-06, has 8 min at 86 %."""
    start = dt.datetime(2026, 1, 5, 22, 0)
    rows = ["time,spo2,pulse"]
    for k in range(0, 31 * 3600, 4):
        spo2 = 86 if 24 * 3600 + 7200 <= k < 24 * 3600 + 7200 + 480 else 94 + (k // 4) % 2
        rows.append(f"{(start + dt.timedelta(seconds=k)).isoformat()},{spo2},{70 + (k // 4) % 3}")
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize(
    ("test_date", "expected"),
    [
        # No test.date: the night judged began on 01-06, day 91 after the order: out of window.
        (None, "not_qualified"),
        # test.date 01-05 (the file's first day, day 90): a day from the night judged, and the
        # outcome differs between the two days: a reviewer states which.
        ("2026-01-05", "indeterminate"),
        ("2026-01-06", "not_qualified"),
    ],
)
def test_a_later_night_of_the_recording_is_dated_by_itself(tmp_path, test_date, expected):
    # The second night of a two-night recording, judged with the first excluded (--exclude), was
    # dated by the file's first sample: day 90 of the order window, qualified.
    ctx: dict[str, Any] = {
        "patient": {"age_years": 68},
        "diagnoses": ["J44.9"],
        "order": {"date": "2025-10-07", "flow_lpm": 2, "hours_per_day": 8,
                  "prescriber": "physician"},
        "test": {"type": "overnight", "room_air": True, "setting": "outpatient",
                 "chronic_stable_state": True},
    }  # fmt: skip
    if test_date is not None:
        ctx["test"]["date"] = test_date
    (tmp_path / "ctx.yaml").write_text(yaml.safe_dump(ctx))
    rec = _two_nights_csv(tmp_path / "nights.csv")
    out = tmp_path / "out"
    args = ["analyze", str(rec), "--context", str(tmp_path / "ctx.yaml"), "--no-report",
            "--exclude", "0-86400", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    summary = json.loads((out / "summary.json").read_text())
    (night,) = [w for w in summary["windows"] if w["kind"] == "presumed_sleep"]
    assert night["start_s"] == 86400.0
    assert summary["metrics"]["presumed_sleep"]["t_le88_min"] == 8.0
    assert summary["qualification"]["determination"] == expected


def test_a_night_whose_sleep_begins_after_midnight_is_dated_by_its_evening() -> None:
    """Sleep from 00:30 on 21 November in a recording started at 23:50 on the 20th is the night
    of the 20th, as a sleep lab dates it; a day sleeper's from 09:30, and a walk at 10:00, are
    dated by their own day."""
    night = dataclasses.replace(
        sleep(t_le88_min=12.0, nadir_pct=82.0), start_s=2400.0, end_s=30000.0
    )
    ev = Evidence(recording_start=dt.datetime(2026, 11, 20, 23, 50), sleep=night)
    assert ev.test_day == dt.date(2026, 11, 20)
    d = evaluate(ctx(test__date=DROP), ev)
    assert d.test_date == dt.date(2026, 11, 20)
    walk = Evidence(
        recording_start=dt.datetime(2026, 11, 21, 9, 50),
        rest=dataclasses.replace(seg("rest", 93.0), start_s=600.0, end_s=900.0),
    )
    assert walk.test_day == dt.date(2026, 11, 21)
    day_sleep = dataclasses.replace(night, start_s=9 * 3600.0)  # 09:30 on the 21st
    day = Evidence(recording_start=dt.datetime(2026, 11, 21, 0, 30), sleep=day_sleep)
    assert day.test_day == dt.date(2026, 11, 21)


def test_the_context_only_report_names_the_patient(tmp_path: Path) -> None:
    """The report of `oxi qualify --out` named nobody beside a continuous-oxygen determination."""
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    p = tmp_path / "bg.yaml"
    p.write_text(
        'patient: {name: "Poe, Ann", member_id: "MH-1", age_years: 64, sex: F}\n'
        "test: {type: rest, date: 2026-11-20, room_air: true, setting: outpatient,"
        " chronic_stable_state: true}\n"
        "order: {date: 2026-11-18, prescriber: physician, flow_lpm: 2, hours_per_day: 24}\n"
        "diagnoses: [J84.10]\nblood_gas: {pao2_rest_mmhg: 52}\n",
        encoding="utf-8",
    )
    assert main(["qualify", "--context", str(p), "--out", str(tmp_path / "o")]) == 0
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "o" / "report.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "Patient: Poe, Ann; member ID MH-1; age 64; sex F" in " ".join(text.split())


@pytest.mark.parametrize(("day", "expected"), [(21, "qualified"), (40, "indeterminate")])
def test_a_recording_dated_after_the_run_is_a_conflict(tmp_path: Path, day: int, expected: str):
    """An EDF dated after the day of the analysis (its recorder's clock ahead) dated the test: a
    night 39 days ahead qualified, its order window counted to it. The run date is pinned to
    2030-12-31 (tests/conftest.py); the same night dated 21 December qualifies."""
    from oximetry.simulate import simulate_night, write_edf

    start = dt.datetime(2030, 12, 1, 22, 0) + dt.timedelta(days=day - 1)
    night, _truth = simulate_night(
        fs=1.0,
        duration_s=6 * 3600,
        seed=3,
        start=start,
        noise_pts=0.8,
        sustained_drops=[(7200.0, 900.0, 85.0)],
    )
    rec = write_edf(night, tmp_path / "night.edf")
    context = {
        "patient": {"age_years": 70},
        "diagnoses": ["J44.9"],
        "order": {"date": "2030-12-20", "flow_lpm": 2, "hours_per_day": 8,
                  "prescriber": "physician"},
        "test": {"type": "overnight", "room_air": True, "setting": "outpatient",
                 "chronic_stable_state": True},
    }  # fmt: skip
    (tmp_path / "ctx.yaml").write_text(yaml.safe_dump(context))
    out = tmp_path / "out"
    args = ["analyze", str(rec), "--context", str(tmp_path / "ctx.yaml"), "--no-report",
            "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    q = json.loads((out / "summary.json").read_text())["qualification"]
    assert q["determination"] == expected
    if expected == "indeterminate":
        (conflict,) = q["conflicts"]
        assert conflict["keys"] == ["recording.start"]
        assert "after the day of this analysis" in conflict["why"]


def test_rules_of_another_payer_than_the_contexts_are_said() -> None:
    """A night judged under Medicare (``--payer medicare``) for a member the context names
    MassHealth's verified with a bare "verified": the determination now says whose rules it
    applied and that they are not the context's payer's."""
    d = evaluate(ctx(payer="masshealth"), overnight(**QUALIFYING_NIGHT), "medicare")
    assert d.profile == "medicare"
    assert any("context names the payer masshealth" in w for w in d.warnings)
    same = evaluate(ctx(payer="masshealth"), overnight(**QUALIFYING_NIGHT), "masshealth")
    assert not any("names the payer" in w for w in same.warnings)


def test_a_rest_segment_a_hair_short_of_a_minute_says_so() -> None:
    """A rest segment of 59.99 s (1798 samples at 29.97 Hz) was rightly held open, its text
    saying "has 60 s" beside the 1-min limit: seconds are cut, never rounded up."""
    rest = Evidence(
        recording_start=dt.datetime(2026, 11, 20, 10), rest=seg("rest", 85.0, 1798 / 29.97 / 60)
    )
    d = evaluate(ctx(test__type="rest"), rest)
    assert d.determination != "qualified"
    assert any("(has 59 s:" in m for m in d.missing), d.missing


def test_a_sustained_nadir_shown_rounded_carries_its_value_where_they_differ() -> None:
    """Medicare compares the exercise nadir unrounded (A5): 88.49 % is no Group I-4 finding,
    and its text said "(exercise sustained nadir 88 %)", which read as a contradiction."""
    from tests.criteria_helpers import exercise_test

    d = evaluate(ctx(test__type="exercise"), exercise_test(exercise=88.49), "medicare")
    rule = next(r for r in d.rules if "I-4" in r.reason)
    assert "exercise sustained nadir 88 % (88.49 %)" in rule.reason, rule.reason


def test_a_night_from_1_am_tomorrow_is_dated_after_the_run() -> None:
    """A night recorded from 01:00 the day after the run: its test day is the evening before
    (the run day, pinned to 2030-12-31), and the conflict for a recording dated after the run
    looked at that day only. The file's own first day counts too."""
    night = overnight(**QUALIFYING_NIGHT).sleep
    assert night is not None
    ev = Evidence(
        recording_start=dt.datetime(2031, 1, 1, 1, 0), sleep=dataclasses.replace(night, start_s=0.0)
    )
    assert ev.test_day == dt.date(2030, 12, 31)
    d = evaluate(ctx(test__date=DROP, order__date="2030-12-20"), ev)
    assert d.determination == "indeterminate"
    assert ("recording.start",) in conflict_keys(d)


def test_an_unevaluable_rest_finding_does_not_read_as_one_below_89() -> None:
    """II.A.2.b.ii not evaluable read "Not ≥ 89 % / ≥ 56 mmHg at rest; not evaluable without
    ...", which a reviewer took for a finding below 89 % beside an awake baseline of 96 %."""
    night = overnight(**QUALIFYING_NIGHT)
    assert night.sleep is not None
    ev = dataclasses.replace(night, sleep=dataclasses.replace(night.sleep, awake_baseline_pct=None))
    d = evaluate(ctx(), ev)
    texts = [r.reason for r in d.rules if r.reason.startswith(("Not ≥ 89", "No SpO2 ≥ 89"))]
    assert texts and all(t.startswith("No SpO2 ≥ 89 % or PaO2 ≥ 56 mmHg at rest") for t in texts)


def test_a_sustained_nadir_between_the_groups_is_never_printed_rounded_up() -> None:
    """An exercise sustained nadir of 88.499999 % (a CSV's 88.4999999) held Group I and II open
    naming "a sustained nadir of 88.50 % (88 % by standard rounding ...)" and the I-4 rule read
    "exercise sustained nadir 88 % (88.5 %)": 88.5 is 89 by that same rounding, on page 1 and
    in the appendix (hunt 13). Each is cut to 2 decimals."""
    from tests.criteria_helpers import exercise_test

    c = ctx(test__type="exercise", findings={"dependent_edema": True})
    d = evaluate(c, exercise_test(exercise=88.499999), "medicare")
    assert d.determination == "indeterminate"
    texts = [*d.missing, *(r.reason for r in d.rules)]
    assert any("a sustained nadir of 88.49 % (88 % by standard rounding" in m for m in d.missing)
    rule = next(r for r in d.rules if "I-4" in r.reason)
    assert "exercise sustained nadir 88 % (88.49 %)" in rule.reason, rule.reason
    assert not any("88.5" in t for t in texts), texts
    # a level in doubt between two bounds is cut alike: 88.96 read "89.0"
    from criteria.rules.shared import in_doubt

    assert "lies between 88.4 % and 88.9 %" in in_doubt("exercise", 88.46, 88.96)


def test_a_rules_values_are_never_rounded_onto_a_half_or_a_whole() -> None:
    """qualification.rules[].values kept 4 decimals rounded half up: an exercise sustained nadir
    of 88.4999999 % was written 88.5 (89 %) beside its rounded value 88, in summary.json and in
    the report's appendix, and 4.99996 min at or below 88 % would be 5.0 beside NOT MET for 5
    minutes (hunt 13). Such a value is cut to 4 decimals; the alternatives' alike."""
    from tests.criteria_helpers import exercise_test

    c = ctx(test__type="exercise", findings={"dependent_edema": True})
    q = evaluate(c, exercise_test(exercise=88.4999999), "medicare").to_dict()
    shown = [
        v
        for r in q["rules"]
        for k, v in r["values"].items()
        if k in ("exercise_sustained_nadir_pct", "exercise_sustained_nadir_low_pct")
    ]
    assert shown and set(shown) == {88.4999}, shown
    night = overnight(t_le88_min=4.99996, valid_min=420.0)
    q = evaluate(ctx(), night).to_dict()
    le88 = [r["values"]["t_le88_min"] for r in q["rules"] if "t_le88_min" in r["values"]]
    assert le88 and set(le88) == {4.9999}, le88
