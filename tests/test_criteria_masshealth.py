"""MG-OXY clause by clause: each test is named after the clause it checks, boundaries included."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest

from criteria.context import Context
from criteria.evaluate import Determination, Evidence, Readings, evaluate
from criteria.icd10 import categorise
from tests.criteria_helpers import (
    CLUSTER_OK,
    DROP,
    TEST_DATE,
    cluster_ctx,
    ctx,
    exercise_test,
    make_dict,
    overnight,
    seg,
)

QUALIFYING_NIGHT = {"t_le88_min": 12.0, "nadir_pct": 82.0}


def met(d: Determination, rule_id: str) -> bool | None:
    return d.rule(rule_id).met


# ---------------------------------------------------------------- II.A.1 conditions


@pytest.mark.parametrize(
    ("code", "category", "clause"),
    [
        ("J44.9", "severe_lung_disease", "II.A.1.a.i"),
        ("J84.10", "severe_lung_disease", "II.A.1.a.ii"),
        ("E84.0", "severe_lung_disease", "II.A.1.a.iii"),
        ("J47.9", "severe_lung_disease", "II.A.1.a.iv"),
        ("C34.90", "severe_lung_disease", "II.A.1.a.v"),
        ("C78.00", "severe_lung_disease", "II.A.1.a.v"),
        ("P27.1", "severe_lung_disease", "II.A.1.a.vi"),
        ("I27.20", "hypoxia_related", "II.A.1.b.i"),
        ("I27.81", "hypoxia_related", "II.A.1.b.iii"),
        ("G47.33", "hypoxia_related", "II.A.1.b.ii"),
        ("D75.1", "hypoxia_related", "II.A.1.b.iv"),
        ("R41.82", "hypoxia_related", "II.A.1.b.v"),
        ("P28.0", "hypoxia_related", "II.A.1.b.vii"),
        ("Q32.0", "hypoxia_related", "II.A.1.b.viii"),
        ("J45.909", "short_term", "II.A.1.c.i"),
        ("J20.9", "short_term", "II.A.1.c.ii"),
        ("J05.0", "short_term", "II.A.1.c.iii"),
        ("J18.9", "short_term", "II.A.1.c.iv"),
        ("G44.019", "cluster_headache", "II.A.1.d"),
        ("G44.209", "headache_other", "II.B.5"),
    ],
)
def test_ii_a_1_icd10_mapping_by_longest_prefix(code: str, category: str, clause: str) -> None:
    row = categorise(code)
    assert row is not None and (row.category, row.clause) == (category, clause)
    assert row.basis  # every mapping cites what it rests on


def test_ii_a_1_a_copd_is_severe_lung_disease() -> None:
    d = evaluate(ctx(), overnight(**QUALIFYING_NIGHT))
    assert met(d, "ii_a_1_a_severe_lung_disease") is True
    assert met(d, "ii_a_1_condition") is True


def test_ii_a_1_unmapped_code_is_not_evaluable_never_met() -> None:
    d = evaluate(ctx(diagnoses=["M54.50"]), overnight(**QUALIFYING_NIGHT))
    assert met(d, "ii_a_1_condition") is None
    assert d.determination == "indeterminate"
    assert any("attest" in m for m in d.missing)
    assert any("M54.50" in w for w in d.warnings)


@pytest.mark.parametrize("code", ["P28.10", "P28.2", "P28.30", "P28.42", "P28.89", "P28.9"])
def test_ii_a_1_b_vii_is_pulmonary_immaturity_not_every_perinatal_respiratory_code(
    code: str,
) -> None:
    # The P28 prefix made atelectasis, cyanotic attacks, desaturation spells, apnea of newborn
    # and "sniffles in newborn" a listed II.A.1.b.vii condition at any age: a 40-year-old with
    # P28.89 and a rest PaO2 of 50 qualified continuous oxygen for 12 months without attestation
    assert categorise(code) is None
    d = evaluate(ctx(diagnoses=[code]), overnight(**QUALIFYING_NIGHT))
    assert met(d, "ii_a_1_condition") is None
    assert d.determination == "indeterminate"
    assert any("attest" in m for m in d.missing)


@pytest.mark.parametrize(
    ("code", "rule"),
    [("P27.1", "ii_a_1_a_severe_lung_disease"), ("P28.0", "ii_a_1_b_hypoxia_related")],
)
@pytest.mark.parametrize(
    "patient", [{"age_years": 70}, {"age_years": 21}, {"birth_date": "1981-01-01"}]
)
def test_ii_a_1_a_vi_b_vii_pediatric_items_do_not_place_a_member_of_21_or_older(
    code: str, rule: str, patient: dict[str, Any]
) -> None:
    # II.A.1.a.vi lists "pediatric" BPD and b.vii pulmonary insufficiency of prematurity;
    # II.A.2.d: pediatric is under 21. A 70-year-old with P27.1 qualified nocturnal oxygen for
    # 12 months citing II.A.1.a.vi, and a 45-year-old with P28.0 citing b.vii (hunt 9): the code
    # is unlisted for an adult, so II.A.1 needs the attestation like any other unlisted code.
    d = evaluate(ctx(patient=patient, diagnoses=[code]), overnight(**QUALIFYING_NIGHT))
    assert met(d, rule) is False
    assert met(d, "ii_a_1_condition") is None
    assert d.determination == "indeterminate"
    assert any(m.startswith("findings.attested_condition") for m in d.missing)
    assert any(code in w for w in d.warnings)  # named among the codes outside the lists
    # and listed so in qualification.diagnoses: it was severe_lung_disease, II.A.1.a.vi beside
    # that warning (hunt 9)
    entry = next(x for x in d.diagnoses if x["code"] == code)
    assert entry["category"] is None and entry["clause"] is None, entry


@pytest.mark.parametrize(
    ("code", "rule"),
    [("P27.1", "ii_a_1_a_severe_lung_disease"), ("P28.0", "ii_a_1_b_hypoxia_related")],
)
def test_ii_a_1_a_vi_b_vii_pediatric_items_place_a_member_under_21(code: str, rule: str) -> None:
    for patient in ({"age_years": 20}, {"birth_date": "2024-06-01"}):
        d = evaluate(ctx(patient=patient, diagnoses=[code]), overnight(**QUALIFYING_NIGHT))
        assert met(d, rule) is True and met(d, "ii_a_1_condition") is True
        assert d.determination == "qualified" and d.authorization_months == 12


@pytest.mark.parametrize(
    ("birth", "listed", "determination"),
    [
        ("2005-11-20", False, "indeterminate"),
        # 21 on the night's second day (the 21st): the item places the member on the test
        # date, and the outcome must not rest on it (hunt 14)
        ("2005-11-21", True, "indeterminate"),
        ("2005-11-22", True, "qualified"),
    ],
)
def test_ii_a_1_a_vi_pediatric_bpd_ends_on_the_21st_birthday(
    birth: str, listed: bool, determination: str
) -> None:
    # the test date is 2026-11-20: born 2005-11-20 the member turns 21 that day
    d = evaluate(
        ctx(patient={"birth_date": birth}, diagnoses=["P27.1"]), overnight(**QUALIFYING_NIGHT)
    )
    assert met(d, "ii_a_1_a_severe_lung_disease") is listed
    assert d.determination == determination


@pytest.mark.parametrize("code", ["P27.1", "P28.0"])
def test_ii_a_1_pediatric_items_with_the_age_unknown_are_pending_on_the_age(code: str) -> None:
    # The member-age gate already stops the paths; II.A.1 itself must not be met through a
    # pediatric item either (it was, with the age unknown), and it names the age.
    d = evaluate(ctx(patient=DROP, diagnoses=[code]), overnight(**QUALIFYING_NIGHT))
    r = d.rule("ii_a_1_condition")
    assert r.met is None
    assert "patient.birth_date or age_years" in r.missing
    assert d.determination == "indeterminate"
    # the age decides: it read "P27.1 is not on II.A.1's lists as coded" (hunt 9)
    assert "not on II.A.1's lists" not in r.reason, r.reason
    assert "age decides" in r.reason and f"lists {code} for members under 21 only" in r.reason
    # listed for a member under 21, as the age may make it
    assert next(x for x in d.diagnoses if x["code"] == code)["category"] is not None


def test_ii_a_1_pediatric_items_for_an_adult_need_the_attestation_or_a_listed_code() -> None:
    attested = evaluate(
        ctx(patient={"age_years": 45}, diagnoses=["P27.1"], findings={"attested_condition": True}),
        overnight(**QUALIFYING_NIGHT),
    )
    # an attested unlisted condition: chronic, 3 months (docs/criteria.md, ICD-10 table)
    assert attested.determination == "qualified" and attested.authorization_months == 3
    copd = evaluate(
        ctx(patient={"age_years": 45}, diagnoses=["P27.1", "J44.9"]), overnight(**QUALIFYING_NIGHT)
    )
    assert copd.determination == "qualified" and copd.authorization_months == 12


def test_ii_a_1_a_vi_adult_bpd_with_a_rest_pao2_alone_does_not_qualify() -> None:
    # no recording: a 30-year-old with P27.1 and a rest PaO2 of 50 qualified continuous oxygen
    # with a portable concentrator for 12 months (hunt 9)
    c = ctx(
        patient={"age_years": 30},
        diagnoses=["P27.1"],
        test__type="rest",
        blood_gas={"pao2_rest_mmhg": 50, "date": TEST_DATE.isoformat()},
    )
    d = evaluate(c, None)
    assert met(d, "ii_a_2_a_i_rest") is True
    assert d.determination == "indeterminate" and d.coverage == ()


def test_ii_a_1_missing_diagnoses_is_listed() -> None:
    d = evaluate(ctx(diagnoses=DROP), overnight(**QUALIFYING_NIGHT))
    assert d.determination == "indeterminate"
    assert "diagnoses" in d.missing


def test_ii_a_1_b_a_documented_symptom_never_stands_in_for_a_diagnosis() -> None:
    # SPEC §8.2 "Validity before rules": a diagnosis is required for any qualifying path.
    d = evaluate(
        ctx(diagnoses=[], symptoms=["nocturnal_restlessness"]), overnight(**QUALIFYING_NIGHT)
    )
    assert met(d, "ii_a_1_b_hypoxia_related") is None
    assert met(d, "ii_a_1_condition") is None
    assert d.determination == "indeterminate" and "diagnoses" in d.missing


def test_ii_a_1_b_iii_heart_failure_needs_chronic_cor_pulmonale() -> None:
    alone = evaluate(ctx(diagnoses=["I50.9"]), overnight(**QUALIFYING_NIGHT))
    assert met(alone, "ii_a_1_condition") is None
    both = evaluate(ctx(diagnoses=["I50.9", "I27.81"]), overnight(**QUALIFYING_NIGHT))
    assert met(both, "ii_a_1_b_hypoxia_related") is True
    assert "I50.9 with I27.81" in json.dumps(both.rule("ii_a_1_b_hypoxia_related").values)


@pytest.mark.parametrize("item", list(CLUSTER_OK))
def test_ii_a_1_d_i_ichd3_needs_every_item_a_to_e(item: str) -> None:
    ch = dict(CLUSTER_OK)
    ch[item] = 4 if item == "attacks" else False
    if item == "ipsilateral_autonomic_signs":
        ch["restlessness_or_agitation"] = False  # C fails only when both are absent
    d = evaluate(cluster_ctx(ch), None)
    if item == "restlessness_or_agitation":  # C is still met through the autonomic signs
        assert d.determination == "qualified"
        return
    assert met(d, "ii_a_1_d_cluster_headache") is False
    assert d.determination == "not_qualified"


def test_ii_a_1_d_i_ichd3_c_met_by_restlessness_alone() -> None:
    ch = dict(CLUSTER_OK, ipsilateral_autonomic_signs=False, restlessness_or_agitation=True)
    assert evaluate(cluster_ctx(ch), None).determination == "qualified"


def test_ii_a_1_d_i_five_attacks_boundary() -> None:
    five = evaluate(cluster_ctx(dict(CLUSTER_OK, attacks=5)), None)
    four = evaluate(cluster_ctx(dict(CLUSTER_OK, attacks=4)), None)
    assert (five.determination, four.determination) == ("qualified", "not_qualified")


def test_ii_a_1_d_i_literal_d_or_e_is_an_alternative_only() -> None:
    ch = dict(CLUSTER_OK, not_better_accounted_for=False)
    d = evaluate(cluster_ctx(ch), None)
    assert d.determination == "not_qualified"
    (alt,) = [a for a in d.alternatives if a["option"] == "ichd3_d_e"]
    assert alt["determination"] == "qualified" and alt["changes_determination"] is True
    assert alt["label"].startswith("Alternative reading, not used")


# ---------------------------------------------------------------- II.A.2.c cluster headache


def test_ii_a_2_c_cluster_headache_needs_no_recording() -> None:
    d = evaluate(cluster_ctx(), None)
    assert d.determination == "qualified"
    assert d.coverage == ("cluster_headache",)
    assert d.authorization_months == 3  # II.C: less than six months (refers to II.A.1.d)
    assert d.hcpcs == ("E0424",)  # high-flow tanks: no concentrator (SPEC §8.2 equipment)
    assert d.portable_eligible is False


def test_ii_a_2_c_cluster_headache_portable_when_mobile() -> None:
    d = evaluate(cluster_ctx(mobility={"beyond_stationary_tubing": True}), None)
    assert d.portable_eligible is True and d.hcpcs == ("E0424", "E0431")  # tanks only


# ---------------------------------------------------------------- II.A.2 test conditions


def test_ii_a_2_room_air_false_never_qualifies() -> None:
    d = evaluate(ctx(test__room_air=False), overnight(**QUALIFYING_NIGHT))
    assert met(d, "ii_a_2_room_air") is False
    assert d.determination == "not_qualified"


def test_ii_a_2_room_air_contraindicated_accepts_test_on_oxygen() -> None:
    d = evaluate(
        ctx(test__room_air=False, test__room_air_contraindicated=True),
        overnight(**QUALIFYING_NIGHT),
    )
    assert d.determination == "qualified"


def test_ii_a_2_room_air_missing_is_indeterminate() -> None:
    d = evaluate(ctx(test__room_air=DROP), overnight(**QUALIFYING_NIGHT))
    assert d.determination == "indeterminate" and "test.room_air" in d.missing


@pytest.mark.parametrize(("days", "ok"), [(90, True), (91, False), (-90, True), (-91, False)])
def test_ii_a_2_order_within_90_days_day_90_included(days: int, ok: bool) -> None:
    order = TEST_DATE - dt.timedelta(days=days)
    d = evaluate(ctx(order__date=order.isoformat()), overnight(**QUALIFYING_NIGHT))
    assert met(d, "ii_a_2_order_window") is ok
    assert (d.determination == "qualified") is ok


@pytest.mark.parametrize(
    ("before", "ok"),
    # 0: the night of the discharge day runs past it (test.date inside, its data not): None
    [(0, None), (1, True), (2, True), (3, False), (-1, False)],
)
def test_ii_a_2_inpatient_no_earlier_than_2_days_before_discharge(
    before: int, ok: bool | None
) -> None:
    discharge = TEST_DATE + dt.timedelta(days=before)
    c = ctx(
        test__setting="inpatient",
        test__discharge_date=discharge.isoformat(),
        test__chronic_stable_state=DROP,
    )
    d = evaluate(c, overnight(**QUALIFYING_NIGHT))
    assert met(d, "ii_a_2_inpatient_window") is ok
    assert (d.determination == "qualified") is (ok is True)


def test_ii_a_2_inpatient_without_discharge_date_is_indeterminate() -> None:
    d = evaluate(ctx(test__setting="inpatient"), overnight(**QUALIFYING_NIGHT))
    assert d.determination == "indeterminate" and "test.discharge_date" in d.missing


def test_ii_a_2_outpatient_chronic_needs_chronic_stable_state() -> None:
    night = overnight(**QUALIFYING_NIGHT)
    assert evaluate(ctx(test__chronic_stable_state=False), night).determination == "not_qualified"
    missing = evaluate(ctx(test__chronic_stable_state=DROP), night)
    assert missing.determination == "indeterminate"
    assert "test.chronic_stable_state" in missing.missing


def test_ii_a_2_outpatient_acute_condition_needs_no_stable_state() -> None:
    d = evaluate(
        ctx(diagnoses=["J18.9"], test__chronic_stable_state=DROP), overnight(**QUALIFYING_NIGHT)
    )
    assert d.determination == "qualified"
    assert d.authorization_months == 3


@pytest.mark.parametrize(("valid", "expected"), [(119.99, "indeterminate"), (120.0, "qualified")])
def test_ii_a_2_overnight_needs_120_min_valid(valid: float, expected: str) -> None:
    d = evaluate(ctx(), overnight(valid_min=valid, **QUALIFYING_NIGHT))
    assert d.determination == expected
    assert met(d, "ii_a_2_overnight_valid_time") is (valid >= 120)


def test_ii_a_2_test_date_defaults_to_recording_start_with_warning_when_different() -> None:
    no_date = evaluate(ctx(test__date=DROP), overnight(**QUALIFYING_NIGHT))
    assert no_date.test_date == TEST_DATE and no_date.determination == "qualified"
    other = evaluate(ctx(test__date="2026-11-19"), overnight(**QUALIFYING_NIGHT))
    assert other.test_date == dt.date(2026, 11, 19)
    assert any("differs" in w for w in other.warnings)


def test_ii_a_2_no_test_date_anywhere_is_indeterminate() -> None:
    d = evaluate(ctx(test__date=DROP), Evidence(sleep=overnight(**QUALIFYING_NIGHT).sleep))
    assert d.determination == "indeterminate" and "test.date" in d.missing


# ---------------------------------------------------------------- II.A.2.a continuous


@pytest.mark.parametrize(
    ("sustained", "ok"), [(88.0, True), (88.49, True), (88.5, False), (89, False)]
)
def test_ii_a_2_a_i_rest_88_qualifies_89_not(sustained: float, ok: bool) -> None:
    ev = Evidence(rest=seg("rest", sustained))
    d = evaluate(ctx(test__type="rest"), ev)
    assert met(d, "ii_a_2_a_i_rest") is ok
    assert d.determination == ("qualified" if ok else "not_qualified")
    if ok:
        assert d.coverage == ("continuous",) and d.authorization_months == 12


@pytest.mark.parametrize(("pao2", "ok"), [(55, True), (56, False)])
def test_ii_a_2_a_i_pao2_at_rest_55_qualifies_56_not(pao2: float, ok: bool) -> None:
    d = evaluate(ctx(test__type="rest", blood_gas={"pao2_rest_mmhg": pao2}), None)
    assert d.determination == ("qualified" if ok else "not_qualified")


@pytest.mark.parametrize(
    ("rest", "awake", "edema", "det"),
    [
        (72, 55, False, "indeterminate"),  # a.i: the 55 alone gave continuous oxygen
        (55, 56, False, "indeterminate"),
        (50, 55, False, "qualified"),  # both at or below 55
        (62, 57, True, "indeterminate"),  # a.iii at rest: the 57 alone qualified
        (58, 57, True, "qualified"),
    ],
)
def test_a_resting_and_an_awake_pao2_must_agree(
    rest: float, awake: float, edema: bool, det: str
) -> None:
    """II.A.2.a.i / a.iii: an awake PaO2 is taken at rest (SPEC §8.2), so a same-day resting
    and awake PaO2 on either side of a limit conflict; either alone decided (hunt 15)."""
    gas = {"pao2_rest_mmhg": rest, "pao2_awake_mmhg": awake, "date": TEST_DATE.isoformat()}
    findings = {"dependent_edema": True} if edema else {}
    d = evaluate(ctx(test__type="rest", blood_gas=gas, findings=findings), None)
    assert d.determination == det
    if det == "indeterminate":
        assert any("pao2_awake_mmhg that agree" in m for m in d.missing), d.missing


@pytest.mark.parametrize(("minutes", "ok"), [(5.0, True), (4.99, False), (4.9999999, True)])
def test_ii_a_2_a_ii_sleep_needs_5_cumulative_minutes(minutes: float, ok: bool) -> None:
    d = evaluate(ctx(), overnight(t_le88_min=minutes, nadir_pct=84.0))
    assert met(d, "ii_a_2_a_ii_sleep") is ok
    assert d.determination == ("qualified" if ok else "not_qualified")
    if ok:
        assert d.coverage == ("nocturnal",)


@pytest.mark.parametrize(("baseline", "ok"), [(88.5, True), (88.49, False)])
def test_ii_a_2_a_ii_awake_baseline_rounds_to_89(baseline: float, ok: bool) -> None:
    d = evaluate(ctx(), overnight(awake_baseline_pct=baseline, **QUALIFYING_NIGHT))
    # SPEC §8.2: an awake baseline ≤ 88 % is not a rest test: "not yet", never a bare denial.
    assert met(d, "ii_a_2_a_ii_sleep") is (True if ok else None)
    if not ok:
        assert any("rounds to 88" in w for w in d.warnings)
        assert d.determination == "indeterminate"
        assert "a rest test (or awake PaO2) is needed" in d.missing


@pytest.mark.parametrize("night", [QUALIFYING_NIGHT, {}])
def test_a_resting_pao2_is_the_rest_test_an_awake_baseline_of_86_asks_for(night: Any) -> None:
    """SPEC §8.2: an overnight awake baseline ≤ 88 % asks for "a rest test (or awake PaO2)". A
    resting PaO2 of 70 of the test's day is one: II.A.2.a.ii's "PaO2 ≥ 56 while awake" read
    only blood_gas.pao2_awake_mmhg (b.ii reads both), and a.i kept asking for it (hunt 13)."""
    ev = overnight(awake_baseline_pct=86.0, **night)
    gas = {"pao2_rest_mmhg": 70, "date": TEST_DATE.isoformat()}
    d = evaluate(ctx(blood_gas=gas), ev)
    assert met(d, "ii_a_2_a_i_rest") is False  # the same-day blood gas decides (MG-OXY I)
    assert "a rest test (or awake PaO2) is needed" not in d.missing
    assert met(d, "ii_a_2_a_ii_sleep") is bool(night)
    assert d.determination == ("qualified" if night else "not_qualified")
    undated = evaluate(ctx(blood_gas={"pao2_rest_mmhg": 70}), ev)
    assert undated.determination == "indeterminate"  # nothing ties it to the test


@pytest.mark.parametrize(("rest", "det"), [(89.0, "not_qualified"), (87.0, "indeterminate")])
def test_rest_part_of_a_night_file_at_88_or_less_asks_for_a_rest_test(
    rest: float, det: str
) -> None:
    """A normal night (awake baseline 93 %) whose file holds a rest part at 22:05, sustained at
    87 %: test.type overnight leaves it unjudged (II.A.2 test type), and the night was a bare
    not_qualified, where an awake baseline of 87 % asks for a rest test (SPEC §8.2). It asks
    for the rest test judged as one (hunt 13)."""
    part = dataclasses.replace(seg("rest", rest), source="annotations", start_s=300.0, end_s=660.0)
    ev = dataclasses.replace(overnight(), rest=part)
    d = evaluate(ctx(), ev)
    assert d.determination == det  # 87: was not_qualified
    assert any(m.startswith("a rest test judged as one") for m in d.missing) is (rest < 88.5)
    # a same-day resting PaO2 is that test, and decides
    gas = {"pao2_rest_mmhg": 70, "date": TEST_DATE.isoformat()}
    assert evaluate(ctx(blood_gas=gas), ev).determination == "not_qualified"


def test_ii_a_2_a_ii_drop_more_than_5_points_needs_symptoms() -> None:
    night = overnight(t_le88_min=0.0, t_lt90_min=0.0, drop5_min=6.0, nadir_pct=87.0)
    without = evaluate(ctx(), night)
    assert met(without, "ii_a_2_a_ii_drop") is False
    assert without.determination == "not_qualified"
    d = evaluate(ctx(symptoms=["insomnia"]), night)
    assert met(d, "ii_a_2_a_ii_drop") is True
    assert d.determination == "qualified" and d.coverage == ("nocturnal",)


@pytest.mark.parametrize("awake", ["pao2_awake_mmhg", "pao2_rest_mmhg"])
def test_a_pao2_fall_during_sleep_is_measured_from_a_resting_pao2_too(awake: str) -> None:
    """II.A.2.a.ii / b.ii.B.2: a fall of more than 10 mmHg from awake. 70 at rest and 58 asleep
    with symptoms was not_qualified with nothing missing, 70 awake qualified (hunt 13)."""
    gas = {awake: 70, "pao2_sleep_mmhg": 58, "date": TEST_DATE.isoformat()}
    d = evaluate(ctx(symptoms=["insomnia"], diagnoses=["G47.33"], blood_gas=gas), None)
    assert met(d, "ii_a_2_a_ii_drop") is True
    assert met(d, "ii_a_2_b_ii_b_2_pao2_drop") is True
    assert d.determination == "qualified" and d.coverage == ("nocturnal",)
    gas["pao2_sleep_mmhg"] = 60  # a fall of 10 mmHg is not "more than 10"
    d = evaluate(ctx(symptoms=["insomnia"], diagnoses=["G47.33"], blood_gas=gas), None)
    assert d.determination == "not_qualified"


@pytest.mark.parametrize(
    ("rest", "awake", "det"),
    [
        (60, 70, "indeterminate"),  # 12 mmHg from the awake 70 alone qualified; 2 from the 60
        (70, 60, "indeterminate"),
        (69, 70, "qualified"),  # both falls more than 10 mmHg
        (60, 62, "not_qualified"),  # neither
    ],
)
def test_a_pao2_fall_during_sleep_from_a_resting_and_an_awake_pao2_must_agree(
    rest: float, awake: float, det: str
) -> None:
    """II.A.2.a.ii / b.ii.B.2: both are taken awake at rest (SPEC §8.2), so the falls from each
    to the sleep PaO2 must agree on "more than 10 mmHg"; the awake one alone decided (hunt 15)."""
    gas = {
        "pao2_rest_mmhg": rest,
        "pao2_awake_mmhg": awake,
        "pao2_sleep_mmhg": 58,
        "date": TEST_DATE.isoformat(),
    }
    d = evaluate(ctx(symptoms=["insomnia"], diagnoses=["G47.33"], blood_gas=gas), None)
    assert d.determination == det
    if det == "indeterminate":
        assert met(d, "ii_a_2_a_ii_drop") is None
        assert met(d, "ii_a_2_b_ii_b_2_pao2_drop") is None
        assert any("pao2_awake_mmhg that agree" in m for m in d.missing), d.missing
    else:
        assert d.rule("ii_a_2_b_ii_b_2_pao2_drop").values["pao2_rest_drop_mmhg"] == rest - 58


@pytest.mark.parametrize(("hct", "ok"), [(56, False), (56.5, True), (57, True)])
def test_ii_a_2_a_iii_c_hematocrit_greater_than_56(hct: float, ok: bool) -> None:
    night = overnight(t_le88_min=1.0, t_lt90_min=6.0, nadir_pct=87.0)
    d = evaluate(ctx(findings={"hematocrit_pct": hct}), night)
    assert met(d, "ii_a_2_a_iii_sleep") is ok
    assert d.determination == ("qualified" if ok else "not_qualified")


def test_ii_a_2_a_iii_rest_89_with_edema_is_continuous() -> None:
    d = evaluate(
        ctx(test__type="rest", findings={"dependent_edema": True}), Evidence(rest=seg("rest", 89.2))
    )
    assert met(d, "ii_a_2_a_iii_rest") is True
    assert d.coverage == ("continuous",)


@pytest.mark.parametrize("test_type", ["overnight", "rest"])
def test_ii_a_2_a_iii_awake_pao2_56_59_with_edema_is_continuous(test_type: str) -> None:
    """An awake PaO2 is taken at rest (SPEC §8.2, as for a.i's ≤ 55): 57 mmHg awake with
    dependent edema was not_qualified with nothing missing, 57 at rest continuous (hunt 13)."""
    gas = {"pao2_awake_mmhg": 57, "date": TEST_DATE.isoformat()}
    ev = overnight() if test_type == "overnight" else None
    c = ctx(test__type=test_type, findings={"dependent_edema": True}, blood_gas=gas)
    d = evaluate(c, ev)
    assert met(d, "ii_a_2_a_iii_rest") is True
    assert d.determination == "qualified" and d.coverage == ("continuous",)
    assert evaluate(ctx(test__type=test_type, blood_gas=gas), ev).determination == "not_qualified"


def test_ii_a_2_a_iii_sleep_rest_only_reading_is_reported() -> None:
    night = overnight(t_le88_min=1.0, t_lt90_min=6.0, nadir_pct=87.0)
    d = evaluate(ctx(findings={"pulmonary_hypertension": True}), night)
    assert d.determination == "qualified"
    (alt,) = [a for a in d.alternatives if a["option"] == "a_iii_where"]
    assert alt["determination"] == "not_qualified" and alt["changes_determination"]


# ---------------------------------------------------------------- II.A.2.b non-continuous


def test_ii_a_2_b_i_exercise_three_part_test_qualifies_for_exercise() -> None:
    d = evaluate(
        ctx(test__type="exercise", mobility={"beyond_stationary_tubing": True}), exercise_test()
    )
    assert met(d, "ii_a_2_b_i_exercise") is True
    assert met(d, "ii_a_2_b_ii_a_improvement") is True
    assert d.determination == "qualified" and d.coverage == ("exercise",)
    assert d.portable_eligible is True


@pytest.mark.parametrize(
    ("walk", "gas", "day", "expected"),
    [
        # the walk never dropped: its 92 -> 94 % "showed the improvement" of the blood gas's 50
        ((92.0, 94.0), {"pao2_exercise_mmhg": 50}, "2026-11-20", "indeterminate"),
        # a same-day PaO2 falling on oxygen decides over the walk's improvement
        ((86.0, 94.0), {"pao2_exercise_mmhg": 50, "pao2_exercise_o2_mmhg": 48}, "2026-11-20",
         "not_qualified"),
        # ... and one of unknown day holds it open
        ((86.0, 94.0), {"pao2_exercise_mmhg": 50, "pao2_exercise_o2_mmhg": 48}, None,
         "indeterminate"),
        # both show it: qualified
        ((86.0, 94.0), {"pao2_exercise_mmhg": 50, "pao2_exercise_o2_mmhg": 62}, "2026-11-20",
         "qualified"),
    ],
)  # fmt: skip
def test_ii_a_2_b_ii_a_a_walk_and_a_blood_gas_must_both_show_the_improvement(
    walk: tuple[float, float], gas: dict[str, Any], day: str | None, expected: str
) -> None:
    """A recorded walk beside an exercise blood gas (ninth review): the improvement was read
    from the walk alone, though the exercise hypoxemia may be the blood gas's alone."""
    blood_gas = {**gas, **({"date": day} if day else {})}
    c = ctx(test__type="exercise", test__exercise_o2_flow_lpm=2, blood_gas=blood_gas)
    d = evaluate(c, exercise_test(exercise=walk[0], exercise_o2=walk[1]))
    assert d.determination == expected, [r.reason for r in d.rules if r.met is not True]


def test_ii_a_2_b_ii_a_no_improvement_on_oxygen_not_qualified() -> None:
    d = evaluate(ctx(test__type="exercise"), exercise_test(exercise_o2=86.4))
    assert met(d, "ii_a_2_b_ii_a_improvement") is False
    assert d.determination == "not_qualified"


def test_ii_a_2_b_ii_a_missing_oxygen_segment_is_indeterminate() -> None:
    d = evaluate(ctx(test__type="exercise"), exercise_test(exercise_o2=None))
    assert d.determination == "indeterminate"
    assert any("exercise_o2" in m for m in d.missing)


@pytest.mark.parametrize(
    ("over", "evidence", "said", "tested"),
    [
        # an exercise test whose recording has no exercise segment: about the test, not the patient
        (
            {"test__type": "exercise"},
            exercise_test(exercise=None, exercise_o2=None),
            "Not evaluable: the recording holds no exercise test (no 'exercise' segment on "
            "room air), so this clause could not be applied.",
            True,
        ),
        # an overnight study measures no exercise
        (
            {},
            overnight(t_le88_min=0.0),
            "Not tested: this test included no exercise test on room air, so there is nothing "
            "to compare with exercise on oxygen.",
            False,
        ),
        # the segments are there, the test type is not given
        ({"test__type": DROP}, exercise_test(), "Not evaluable without test.type.", True),
    ],
)
def test_ii_a_2_b_ii_a_without_an_exercise_test_says_so_and_is_not_evaluable(
    over: dict[str, object], evidence: Evidence, said: str, tested: bool
) -> None:
    r = evaluate(ctx(**over), evidence).rule("ii_a_2_b_ii_a_improvement")
    assert (r.reason, r.met, r.status, r.tested) == (said, None, "not_evaluable", tested)
    assert bool(r.missing) is tested  # a missing input names what would let it be applied


def test_ii_a_2_b_i_low_at_rest_too_is_continuous_not_exercise() -> None:
    d = evaluate(ctx(test__type="exercise"), exercise_test(rest=88.0, exercise=84.0))
    assert met(d, "ii_a_2_b_i_exercise") is False
    assert d.coverage == ("continuous",)


@pytest.mark.parametrize(("exercise", "ok"), [(88.4, True), (88.5, False)])
def test_ii_a_2_b_i_exercise_88_vs_89(exercise: float, ok: bool) -> None:
    d = evaluate(ctx(test__type="exercise"), exercise_test(exercise=exercise, exercise_o2=93.0))
    assert met(d, "ii_a_2_b_i_exercise") is ok


def test_ii_a_2_b_ii_b_1_sleep_five_minutes_is_nocturnal_stationary_only() -> None:
    d = evaluate(
        ctx(mobility={"beyond_stationary_tubing": True, "hours_away_from_home": 8}),
        overnight(**QUALIFYING_NIGHT),
    )
    assert met(d, "ii_a_2_b_ii_b_1_sleep") is True
    assert d.coverage == ("nocturnal",)
    assert d.portable_eligible is False
    assert d.hcpcs == ("E0424", "E0439", "E1390", "E1391")


@pytest.mark.parametrize(
    ("awake_pao2", "sleep_pao2", "ok"),
    # 66.4 - 56.4 is 10.000000000000007 in floating point: it was "more than 10" and qualified
    [(80, 69, True), (80, 70, False), (66.4, 56.4, False), (66.4, 56.3, True)],
)
def test_ii_a_2_b_ii_b_2_pao2_fall_more_than_10(
    awake_pao2: float, sleep_pao2: float, ok: bool
) -> None:
    c = ctx(
        test__type="overnight",
        symptoms=["cognitive_impairment"],
        blood_gas={"pao2_awake_mmhg": awake_pao2, "pao2_sleep_mmhg": sleep_pao2},
    )
    d = evaluate(c, None)
    assert met(d, "ii_a_2_b_ii_b_2_pao2_drop") is ok
    assert met(d, "ii_a_2_a_ii_drop") is ok
    assert (d.determination == "qualified") is ok


def test_ii_a_2_b_ii_b_3_drop_with_symptoms_of_listed_condition() -> None:
    night = overnight(t_le88_min=0.0, t_lt90_min=0.0, drop5_min=5.0, nadir_pct=88.0)
    d = evaluate(ctx(diagnoses=["G47.33"], symptoms=["insomnia"]), night)
    assert met(d, "ii_a_2_b_ii_b_3_drop") is True
    copd_only = evaluate(ctx(symptoms=["insomnia"]), night)
    assert met(copd_only, "ii_a_2_b_ii_b_3_drop") is False


# ---------------------------------------------------------------- II.A.2.d pediatric


def _child(birth: str, **over: object) -> Context:
    return ctx(patient={"birth_date": birth}, diagnoses=["P27.1"], **over)


def test_ii_a_2_d_pediatric_spo2_at_90_qualifies() -> None:
    night = overnight(t_le88_min=0.0, t_lt90_min=0.0, t_le90_min=5.0, nadir_pct=90.0)
    d = evaluate(_child("2016-05-01"), night)
    assert met(d, "ii_a_2_d_pediatric") is True
    assert d.coverage == ("pediatric",)


def test_ii_a_2_d_pediatric_spo2_at_91_does_not_qualify() -> None:
    d = evaluate(_child("2016-05-01", test__type="rest"), Evidence(rest=seg("rest", 90.5)))
    assert met(d, "ii_a_2_d_pediatric") is False
    d90 = evaluate(_child("2016-05-01", test__type="rest"), Evidence(rest=seg("rest", 90.4)))
    assert met(d90, "ii_a_2_d_pediatric") is True


@pytest.mark.parametrize(("birth", "ok"), [("2005-11-20", False), ("2005-11-22", True)])
def test_ii_a_2_d_pediatric_21st_birthday_ends_it(birth: str, ok: bool) -> None:
    night = overnight(t_le88_min=0.0, t_lt90_min=0.0, t_le90_min=6.0, nadir_pct=90.0)
    d = evaluate(_child(birth), night)
    assert met(d, "ii_a_2_d_pediatric") is ok
    assert (d.determination == "qualified") is ok


@pytest.mark.parametrize(
    ("start", "dated"),
    [("2026-11-20T22:00", True), ("2026-11-20T22:00", False), ("2026-11-21T00:30", True)],
)
def test_ii_a_2_d_pediatric_21st_birthday_during_the_night_never_qualifies(
    start: str, dated: bool
) -> None:
    """A night dated by its evening (the 20th) whose data run into the 21st birthday (the
    21st): the data after midnight, or all of it from 00:30, were recorded at 21, and it
    QUALIFIED pediatric oxygen on the age of 20 on the test date (hunt 14)."""
    night = dataclasses.replace(
        overnight(t_le88_min=0.0, t_lt90_min=0.0, t_le90_min=6.0, nadir_pct=90.0),
        recording_start=dt.datetime.fromisoformat(start),
    )
    c = _child("2005-11-21", **({} if dated else {"test__date": DROP}))
    d = evaluate(c, night)
    assert d.test_date == TEST_DATE
    assert d.determination == "indeterminate"
    (c21,) = [x for x in d.conflicts if x.keys == ("patient.birth_date", "recording.days")]
    assert c21.values["patient.birth_date"] == "(not shown)"
    # found again from a summary's copy of the context, which keeps no birth date
    last = night.recorded_days(TEST_DATE)
    assert last is not None and last.last == dt.date(2026, 11, 21)
    kept = c.to_dict(test_date=TEST_DATE, last_day=last.last)
    assert kept["patient"] == {"age_years": 20.0, "turns_21_during_test": True}
    assert evaluate(Context.from_dict(kept), night).to_dict() == d.to_dict()
    # an adult finding beside it stands on its own: the age decides nothing then
    low = dataclasses.replace(night, sleep=dataclasses.replace(night.sleep, t_le88_min=12.0))
    copd = ctx(patient={"birth_date": "2005-11-21"}, **({} if dated else {"test__date": DROP}))
    assert evaluate(copd, low).determination == "qualified"


@pytest.mark.parametrize(
    ("awake", "birth", "determination"),
    [
        (90.0, "2016-05-01", "indeterminate"),
        (89.0, "2016-05-01", "indeterminate"),
        (90.5, "2016-05-01", "not_qualified"),  # rounds to 91
        (90.0, "1951-03-14", "not_qualified"),  # an adult: 88 % is a.i's sign
    ],
)
def test_ii_a_2_d_pediatric_awake_baseline_at_90_asks_for_a_rest_test(
    awake: float, birth: str, determination: str
) -> None:
    """A child's staged night awake at 90 %, asleep above it: the awake baseline is no rest
    test, but a sign that one may meet d.ii (SpO2 ≤ 90 % at rest), as an adult's at 88 % is for
    a.i; it was a bare not_qualified with nothing missing (hunt 14)."""
    night = overnight(t_le88_min=0.0, t_lt90_min=0.0, t_le90_min=0.0, nadir_pct=92.0,
                      awake_baseline_pct=awake)  # fmt: skip
    d = evaluate(_child(birth), night)
    assert d.determination == determination
    if determination == "indeterminate":
        assert met(d, "ii_a_2_d_pediatric") is None
        assert "a rest test (or awake PaO2) is needed" in d.missing
        # a resting PaO2 of the test's day is that rest test, and decides
        gas = {"pao2_rest_mmhg": 80, "date": TEST_DATE.isoformat()}
        assert evaluate(_child(birth, blood_gas=gas), night).determination == "not_qualified"


def test_ii_a_2_d_pediatric_awake_baseline_as_rest_is_an_alternative_only() -> None:
    """Read as a rest test (awake_baseline_as_rest), a child's awake baseline at 90 % meets
    d.ii as an adult's at 88 % meets a.i; d ignored the reading, and the alternative was
    offered only at 88 % or less: a child's night awake at 89-90 % had none (hunt 14 review)."""
    night = overnight(t_le88_min=0.0, t_lt90_min=0.0, t_le90_min=0.0, nadir_pct=92.0,
                      awake_baseline_pct=90.0)  # fmt: skip
    d = evaluate(_child("2016-05-01"), night)
    assert d.determination == "indeterminate"
    (alt,) = [a for a in d.alternatives if a["option"] == "awake_baseline_as_rest"]
    assert alt["determination"] == "qualified" and alt["coverage"] == ["pediatric"]
    assert "II.A.2.d" in alt["clauses"] and alt["figures"]["awake_baseline_rounded_pct"] == 90
    read = evaluate(_child("2016-05-01"), night, readings=Readings(awake_baseline_as_rest="yes"))
    assert met(read, "ii_a_2_d_pediatric") is True
    # an adult's night awake at 90 % meets neither a.i nor d: no such reading is offered
    adult = evaluate(_child("1951-03-14"), night)
    assert all(a["option"] != "awake_baseline_as_rest" for a in adult.alternatives)


@pytest.mark.parametrize(("po2", "ok"), [(65, True), (66, False)])
def test_ii_a_2_d_pediatric_po2_65(po2: float, ok: bool) -> None:
    d = evaluate(_child("2015-01-01", test__type="rest", blood_gas={"pao2_rest_mmhg": po2}), None)
    assert met(d, "ii_a_2_d_pediatric") is ok


def test_ii_a_2_d_pediatric_without_age_is_indeterminate() -> None:
    night = overnight(t_le88_min=0.0, t_lt90_min=0.0, t_le90_min=6.0, nadir_pct=90.0)
    d = evaluate(ctx(patient=DROP, diagnoses=["P27.1"]), night)
    assert d.determination == "indeterminate"
    assert "patient.birth_date or age_years" in d.missing


# ---------------------------------------------------------------- II.B non-coverage


def test_ii_b_1_terminal_illness_without_respiratory_condition_not_qualified() -> None:
    c = ctx(diagnoses=["C25.9"], findings={"terminal_illness_non_respiratory": True})
    d = evaluate(c, overnight(**QUALIFYING_NIGHT))
    assert met(d, "ii_b_1_terminal_illness") is False
    assert d.determination == "not_qualified"
    c2 = ctx(findings={"terminal_illness_non_respiratory": True})
    assert met(evaluate(c2, overnight(**QUALIFYING_NIGHT)), "ii_b_1_terminal_illness") is True


@pytest.mark.parametrize(
    ("rule", "finding"),
    [
        ("ii_b_2_peripheral_vascular", "peripheral_vascular_disease"),
        ("ii_b_3_angina", "angina_pectoris"),
        ("ii_b_4_breathlessness", "breathlessness"),
        ("ii_b_6_sickle_cell_prophylaxis", "sickle_cell_pregnancy_prophylaxis"),
    ],
)
def test_ii_b_2_3_4_6_without_hypoxemia_not_covered(rule: str, finding: str) -> None:
    normal = evaluate(ctx(findings={finding: True}), overnight())
    assert met(normal, rule) is False and normal.determination == "not_qualified"
    low = evaluate(ctx(findings={finding: True}), overnight(**QUALIFYING_NIGHT))
    assert met(low, rule) is True and low.determination == "qualified"


def test_ii_b_4_breathlessness_with_cor_pulmonale_is_not_excluded() -> None:
    d = evaluate(
        ctx(findings={"breathlessness": True, "pulmonary_hypertension": True}), overnight()
    )
    assert met(d, "ii_b_4_breathlessness") is True


def test_ii_b_5_migraine_alone_is_not_covered() -> None:
    d = evaluate(Context.from_dict(make_dict(diagnoses=["G43.909"])), None)
    assert met(d, "ii_b_5_other_headache") is False
    assert d.determination == "not_qualified"


def test_ii_b_7_portable_excluded_when_solely_sleep() -> None:
    d = evaluate(ctx(mobility={"beyond_stationary_tubing": True}), overnight(**QUALIFYING_NIGHT))
    assert met(d, "ii_b_7_portable_sleep_only") is False
    assert "E0431" not in d.hcpcs


def test_an_order_for_the_whole_day_beside_a_nocturnal_qualification_is_said() -> None:
    # II.A.2.b: "the number of hours per day ... must meet" the criteria; 24 h/day beside a
    # qualification on findings during sleep went without a word
    night = evaluate(ctx(), overnight(**QUALIFYING_NIGHT))
    day = evaluate(ctx(order__hours_per_day=24), overnight(**QUALIFYING_NIGHT))
    assert night.determination == day.determination == "qualified"
    assert not any("24 h a day" in w for w in night.warnings)
    assert any("prescribes oxygen 24 h a day" in w for w in day.warnings)


def test_ii_b_8_prn_in_skilled_nursing_facility_not_covered() -> None:
    d = evaluate(ctx(residence="skilled_nursing_facility", prn=True), overnight(**QUALIFYING_NIGHT))
    assert met(d, "ii_b_8_prn_nursing_facility") is False
    assert d.determination == "not_qualified"
    community = evaluate(ctx(residence="community", prn=True), overnight(**QUALIFYING_NIGHT))
    assert community.determination == "qualified"


def test_ii_b_9_cluster_headache_not_meeting_ichd3_not_covered() -> None:
    c = Context.from_dict(
        {"diagnoses": ["G44.009"], "cluster_headache": dict(CLUSTER_OK, attacks=2)}
    )
    d = evaluate(c, None)
    assert met(d, "ii_b_9_headache_not_ichd3") is False
    assert d.determination == "not_qualified"


@pytest.mark.parametrize(
    ("rule", "over"),
    [
        ("ii_b_5_other_headache", {"diagnoses": ["R09.02", "G43.909"]}),
        (
            "ii_b_9_headache_not_ichd3",
            {"diagnoses": ["R09.02", "G44.019"], "cluster_headache": dict(CLUSTER_OK, attacks=3)},
        ),
        (
            "ii_b_1_terminal_illness",
            {"diagnoses": ["J44.9", "J45"], "findings": {"terminal_illness_non_respiratory": True}},
        ),
    ],
)
def test_ii_b_1_5_9_wait_on_the_ii_a_1_condition_they_rest_on(rule: str, over: Any) -> None:
    """II.B.1, 5 and 9 exclude unless the request rests on a II.A.1 condition: while that is not
    known (an unlisted code without the attestation, a heading) they are not evaluable. R09.02
    beside a migraine was a bare denial with nothing missing, and the attestation (or the
    complete code) alone qualified the same night (hunt 13)."""
    d = evaluate(ctx(**over), overnight(**QUALIFYING_NIGHT))
    assert met(d, rule) is None
    assert d.determination == "indeterminate"
    assert d.missing[0] in d.rule("ii_a_1_condition").missing
    if "J45" in over["diagnoses"]:
        done = ctx(**{**over, "diagnoses": ["J44.9", "J45.909"]})
    else:
        done = ctx(**over, findings={"attested_condition": True})
    assert evaluate(done, overnight(**QUALIFYING_NIGHT)).determination == "qualified"


def test_ii_b_5_beside_ichd3_items_without_a_cluster_code_names_the_code() -> None:
    """A vascular headache (G44.1) with every ICHD-3 item met: the cluster headache waits on its
    code (II.A.1.d), and so does II.B.5, which names it rather than "a decision on" itself."""
    c = cluster_ctx(diagnoses=["G44.1"])
    d = evaluate(c, None)
    assert d.determination == "indeterminate"
    assert d.rule("ii_b_5_other_headache").missing == d.rule("ii_a_1_d_cluster_headache").missing
    assert not any(m.startswith("a decision on") for m in d.missing)
    assert evaluate(cluster_ctx(diagnoses=["G44.1", "G44.019"]), None).determination == "qualified"


# ---------------------------------------------------------------- II.C authorization


def test_ii_c_12_months_chronic_stable_3_months_acute() -> None:
    assert evaluate(ctx(), overnight(**QUALIFYING_NIGHT)).authorization_months == 12
    acute = evaluate(ctx(diagnoses=["J45.909"]), overnight(**QUALIFYING_NIGHT))
    assert acute.authorization_months == 3
    not_q = evaluate(ctx(), overnight())
    assert not_q.authorization_months is None


# ---------------------------------------------------------------- III documentation


def test_iii_b_missing_documents_listed_never_blocking() -> None:
    d = evaluate(ctx(documentation=DROP), overnight(**QUALIFYING_NIGHT))
    assert d.determination == "qualified"
    assert "documentation.signed_prescription" in d.missing


def test_iii_c_nursing_facility_needs_usage_record() -> None:
    d = evaluate(ctx(residence="skilled_nursing_facility"), overnight(**QUALIFYING_NIGHT))
    assert met(d, "iii_c_3_usage_and_values") is False
    assert "documentation.usage_record_one_month" in d.missing
    community = evaluate(ctx(), overnight(**QUALIFYING_NIGHT))
    assert met(community, "iii_c_3_usage_and_values") is None


def test_iii_b_7_cluster_headache_history() -> None:
    d = evaluate(cluster_ctx(), None)
    assert "documentation.cluster_headache_history" in d.missing
    assert "oximetry or blood gas values" not in d.missing


# ---------------------------------------------------------------- Appendix A equipment


@pytest.mark.parametrize(("hours", "e1392"), [(4, False), (4.5, True), (None, False)])
def test_appendix_a_c_portable_concentrator_more_than_4_hours(
    hours: float | None, e1392: bool
) -> None:
    mob = {"beyond_stationary_tubing": True, "hours_away_from_home": hours}
    d = evaluate(ctx(test__type="exercise", mobility=mob), exercise_test())
    assert d.hcpcs[:4] == ("E0424", "E0439", "E1390", "E1391")
    assert set(d.hcpcs[4:7]) == {"E0431", "E0434", "K0738"}
    assert ("E1392" in d.hcpcs) is e1392


def test_appendix_a_b_portable_needs_mobility() -> None:
    d = evaluate(ctx(test__type="exercise"), exercise_test())
    assert d.portable_eligible is False and d.hcpcs == ("E0424", "E0439", "E1390", "E1391")


# ---------------------------------------------------------------- determination shape


def test_determination_to_dict_has_the_spec_keys_and_is_json() -> None:
    d = evaluate(ctx(), overnight(**QUALIFYING_NIGHT))
    out = d.to_dict()
    assert list(out) == [
        "profile",
        "determination",
        "basis",
        "test_date",
        "coverage",
        "authorization_months",
        "portable_eligible",
        "hcpcs",
        "missing",
        "conflicts",
        "decided_by",
        "would_qualify_if",
        "code_set",
        "diagnoses",
        "rules",
        "alternatives",
        "warnings",
    ]
    assert all(
        set(r) == {"id", "citation", "met", "status", "values", "reason"} for r in out["rules"]
    )
    assert all(r["met"] in (True, False, None) for r in out["rules"])
    assert json.loads(json.dumps(out)) == out
    assert json.dumps(evaluate(ctx(), overnight(**QUALIFYING_NIGHT)).to_dict()) == json.dumps(out)
    ids = [r["id"] for r in out["rules"]]
    assert len(ids) == len(set(ids))


def test_single_sample_reading_is_reported_with_both_figures_never_used() -> None:
    night = overnight(t_le88_min=0.5, nadir_pct=85.0)
    d = evaluate(ctx(), night)
    assert d.determination == "not_qualified"
    (alt,) = [a for a in d.alternatives if a["alternative_reading"] == "single_sample"]
    assert alt["determination"] == "qualified" and alt["changes_determination"] is True
    assert alt["figures"]["t_le88_min"] == 0.5 and alt["figures"]["nadir_rounded_pct"] == 85


def test_presumed_sleep_is_said_in_the_warnings() -> None:
    ev = overnight(kind="presumed_sleep", **QUALIFYING_NIGHT)
    d = evaluate(ctx(), ev)
    assert d.determination == "qualified"
    assert any("presumed-sleep" in w for w in d.warnings)


def test_no_context_no_evidence_is_indeterminate() -> None:
    d = evaluate(None, None)
    assert d.determination == "indeterminate" and d.portable_eligible is None
    assert d.hcpcs == () and d.authorization_months is None


def test_ii_a_2_a_i_awake_baseline_as_rest_is_an_alternative_only() -> None:
    d = evaluate(ctx(), overnight(t_le88_min=30.0, nadir_pct=80.0, awake_baseline_pct=87.6))
    assert d.determination == "indeterminate"  # a rest test is needed (SPEC §8.2)
    (alt,) = [a for a in d.alternatives if a["option"] == "awake_baseline_as_rest"]
    assert alt["determination"] == "qualified" and alt["coverage"] == ["continuous"]
    assert alt["figures"]["awake_baseline_rounded_pct"] == 88


def test_ii_a_1_mapping_table_rows_are_complete_and_unique() -> None:
    from criteria.icd10 import CATEGORIES, mapping_table

    rows = mapping_table()
    prefixes = [r.prefix for r in rows]
    assert len(prefixes) == len(set(prefixes))
    for r in rows:
        assert r.category in CATEGORIES and r.clause.startswith("II.") and r.basis and r.label
    assert categorise("Z99.81") is None  # dependence on supplemental oxygen: not a condition


# ---------------------------------------------------------------- basis of the determination


def test_basis_of_a_qualifying_night_is_its_sleep_findings() -> None:
    d = evaluate(ctx(), overnight(**QUALIFYING_NIGHT))
    assert d.determination == "qualified"
    # II.A.2.a.ii and II.A.2.b.ii.B.1 both rest on the 12 minutes <= 88 % during sleep.
    assert d.basis == ("ii_a_2_a_ii_sleep", "ii_a_2_b_ii_b_1_sleep")
    assert all(d.rule(r).met is True for r in d.basis)
    assert d.to_dict()["basis"] == ["ii_a_2_a_ii_sleep", "ii_a_2_b_ii_b_1_sleep"]


def test_basis_of_an_exercise_test_is_the_exercise_finding() -> None:
    d = evaluate(ctx(test__type="exercise"), exercise_test())
    assert d.determination == "qualified"
    assert d.basis == ("ii_a_2_b_i_exercise",)


def test_basis_of_cluster_headache_is_ii_a_2_c() -> None:
    d = evaluate(cluster_ctx(), None)
    assert d.basis == ("ii_a_2_c_cluster_headache",)
    assert d.rule(d.basis[0]).citation.endswith("II.A.2.c")


def test_basis_of_a_drop_with_symptoms_is_the_drop_finding_only() -> None:
    night = overnight(t_le88_min=0.0, t_lt90_min=0.0, drop5_min=6.0, nadir_pct=87.0)
    d = evaluate(ctx(symptoms=["insomnia"]), night)
    assert d.determination == "qualified"
    assert "ii_a_2_a_ii_drop" in d.basis and "ii_a_2_a_ii_sleep" not in d.basis


@pytest.mark.parametrize(
    ("context", "evidence", "verdict"),
    [
        ({}, {"t_le88_min": 4.0, "nadir_pct": 86.0}, "not_qualified"),
        ({"test__room_air": False}, QUALIFYING_NIGHT, "not_qualified"),
        ({"test__room_air": DROP}, QUALIFYING_NIGHT, "indeterminate"),
    ],
)
def test_basis_is_empty_unless_qualified(
    context: dict[str, object], evidence: dict[str, float], verdict: str
) -> None:
    d = evaluate(ctx(**context), overnight(**evidence))
    assert d.determination == verdict
    assert d.basis == () and d.to_dict()["basis"] == []
    # A met finding whose path is blocked or unsettled (room air) is not a basis.
    assert d.rule("ii_a_2_a_ii_sleep").met is ("test__room_air" in context)


def test_basis_changes_nothing_else_of_the_block() -> None:
    d = evaluate(ctx(), overnight(**QUALIFYING_NIGHT))
    out = d.to_dict()
    basis = out.pop("basis")
    again = dataclasses.replace(d, basis=()).to_dict()
    assert again.pop("basis") == [] and basis
    assert out == again


def test_valid_minutes_under_the_limit_are_never_printed_at_it() -> None:
    """119.967 valid minutes printed "Only 120.0 min" beside NOT MET for 120 minutes."""
    d = evaluate(ctx(), overnight(valid_min=119.9667, t_le88_min=6.0, nadir_pct=85.0))
    (rule,) = [r for r in d.rules if r.id == "ii_a_2_overnight_valid_time"]
    assert rule.met is not True and "119.9 min" in rule.reason and "120.0" not in rule.reason
    assert any("(has 119.9)" in m for m in d.missing)


def test_a_rest_finding_on_oxygen_is_not_said_to_be_on_room_air() -> None:
    """Room air medically contraindicated, a rest test on 2 L/min at 88 %: the deciding rule's
    reason read "At rest on room air", which page 1 prints under "Decided by" (hunt 12)."""
    c = ctx(test__type="rest", test__room_air=False, test__room_air_contraindicated=True,
            test__o2_flow_lpm=2)  # fmt: skip
    d = evaluate(
        c, Evidence(recording_start=dt.datetime(2026, 11, 20, 10, 0), rest=seg("rest", 88.0))
    )
    assert d.determination == "qualified", d.missing
    reason = d.rule("ii_a_2_a_i_rest").reason
    assert reason.startswith("At rest on oxygen (room air medically contraindicated)"), reason
    on_air = evaluate(
        ctx(test__type="rest"), Evidence(dt.datetime(2026, 11, 20, 10), rest=seg("rest", 88.0))
    )
    assert on_air.rule("ii_a_2_a_i_rest").reason.startswith("At rest on room air")


def test_an_exercise_only_qualification_beside_a_24_hour_order_is_flagged() -> None:
    """II.A.2.b.ii.A gives oxygen "for use during exercise": a 24-h order beside an exercise-only
    qualification went without a word, where a nocturnal one's had a warning (hunt 12)."""
    for hours, flagged in ((24, True), (4, False)):
        d = evaluate(ctx(test__type="exercise", order__hours_per_day=hours), exercise_test())
        assert d.determination == "qualified" and d.coverage == ("exercise",), d.missing
        said = [w for w in d.warnings if "more than use during exercise" in w]
        assert bool(said) is flagged, d.warnings


def test_a_childs_exercise_only_qualification_beside_a_24_hour_order_is_flagged() -> None:
    """A walk at 86 % meets b.i and, under 21, d alike: the coverage (exercise, pediatric) was
    no bare "exercise", and the 24-h order beside the exercise-only use went without a word, as
    it does for the adult. The pediatric finding lies where the walk is (hunt 16)."""
    for hours, flagged in ((24, True), (4, False)):
        c = ctx(test__type="exercise", order__hours_per_day=hours, patient__birth_date="2011-05-01")
        d = evaluate(c, exercise_test())
        assert d.determination == "qualified", d.missing
        assert d.coverage == ("exercise", "pediatric")
        said = [w for w in d.warnings if "more than use during exercise" in w]
        assert bool(said) is flagged, d.warnings
    rest = ctx(test__type="exercise", patient__birth_date="2011-05-01")
    d = evaluate(rest, exercise_test(rest=90.0, exercise=95.0))  # the child's rest part at 90 %
    assert d.coverage == ("pediatric",) and not any("during exercise" in w for w in d.warnings)


@pytest.mark.parametrize("given", [True, False])
def test_ii_a_2_order_window_holds_every_day_of_an_exercise_tests_parts(given: bool) -> None:
    """A rest part on day 90 from the order dated the test; its walks, on day 91, qualified
    (exercise) though the test that qualified was not performed within 90 days (hunt 13). Each
    day a rest or exercise test's parts hold data on lies in the window; a night stays dated by
    its evening (test_ii_a_2_order_within_90_days_day_90_included)."""
    ev = exercise_test()
    next_day = 23 * 3600.0  # 09:00 the next day
    walks = {
        k: dataclasses.replace(getattr(ev, k), start_s=next_day + off, end_s=next_day + off + 360)
        for k, off in (("exercise", 0.0), ("exercise_o2", 900.0))
    }
    ev = dataclasses.replace(
        ev, rest=dataclasses.replace(ev.rest, start_s=0.0, end_s=360.0), **walks
    )
    order = (TEST_DATE - dt.timedelta(days=90)).isoformat()
    over: dict[str, Any] = {"test__date": TEST_DATE.isoformat() if given else DROP}
    c = ctx(test__type="exercise", order__date=order, mobility={"beyond_stationary_tubing": True},
            **over)  # fmt: skip
    d = evaluate(c, ev)
    assert d.test_date == TEST_DATE
    assert met(d, "ii_a_2_order_window") is (None if given else False)
    assert d.determination != "qualified"
    # the same parts all on day 90 qualify
    same_day = dataclasses.replace(
        ev,
        **{
            k: dataclasses.replace(w, start_s=w.start_s - 22 * 3600, end_s=w.end_s - 22 * 3600)
            for k, w in walks.items()
        },
    )
    assert evaluate(c, same_day).determination == "qualified"
