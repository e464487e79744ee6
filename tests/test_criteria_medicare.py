"""Medicare (NCD 240.2 v2, LCD L33797 rev. 04/01/2023): each group at its boundaries (SPEC §8.4).

Every case starts from a complete outpatient context tested by an IDTF (stand-alone overnight
oximetry, evaluated by the treating practitioner three days later) and changes what it is about.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import pathlib
from typing import Any

import pytest

from criteria.context import Context
from criteria.evaluate import Evidence, evaluate
from oxi.qualify import evidence_from_analysis
from oximetry.analysis import analyze
from oximetry.model import Annotation
from oximetry.settings import AnalysisSettings
from oximetry.simulate import simulate_night
from tests.criteria_helpers import MEDICARE_BASE, TEST_DATE, exercise_test, make_dict, seg, sleep

MC: dict[str, Any] = {**MEDICARE_BASE, "documentation": {"signed_prescription": True}}


def mc(**over: Any) -> Context:
    """A Medicare context from :data:`MC` with ``section__key`` overrides."""
    return Context.from_dict(make_dict(MC, **over))


def night(**kw: Any) -> Evidence:
    """Stand-alone overnight oximetry (presumed-sleep window), figures by hand."""
    extra = {k: kw.pop(k) for k in ("mean_pct", "drop5_from_mean_min") if k in kw}
    s = sleep(kind=kw.pop("kind", "presumed_sleep"), **kw)
    s = dataclasses.replace(
        s,
        mean_pct=extra.get("mean_pct", 94.0),
        drop5_from_mean_min=extra.get("drop5_from_mean_min", 0.0),
        longest_drop5_from_mean_min=extra.get("drop5_from_mean_min", 0.0),
    )
    return Evidence(recording_start=dt.datetime(2026, 11, 20, 22, 0), sleep=s)


def rest_test(sustained: float) -> Evidence:
    return Evidence(recording_start=dt.datetime(2026, 11, 20, 10, 0), rest=seg("rest", sustained))


def status(c: Context, ev: Evidence | None) -> str:
    return evaluate(c, ev).determination


# --------------------------------------------------------------------------------------------
# Group I
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("pao2", "det"), [(55, "qualified"), (56, "not_qualified")])
def test_group_i_1_rest_pao2_55_qualifies_56_does_not(pao2: float, det: str) -> None:
    d = evaluate(mc(test__type="rest", blood_gas={"pao2_rest_mmhg": pao2}), None)
    assert d.determination == det
    if det == "qualified":
        assert d.coverage == ("continuous",) and d.modifiers == ("N1",)
        assert d.portable_eligible is True and "E0431" in d.hcpcs
        assert d.basis == ("lcd_group_i_1_rest",)


def test_two_awake_pao2_values_must_both_meet_the_threshold() -> None:
    both = {"pao2_rest_mmhg": 50, "pao2_awake_mmhg": 70}
    assert status(mc(test__type="rest", blood_gas=both), None) == "not_qualified"
    ii = {"pao2_rest_mmhg": 57, "pao2_awake_mmhg": 61}
    c = mc(test__type="rest", blood_gas=ii, findings={"dependent_edema": True})
    assert status(c, None) == "not_qualified"


@pytest.mark.parametrize(("rest", "awake"), [(60, 70), (70, 60)])
def test_group_i_3_pao2_fall_is_measured_from_the_lower_awake_pao2(
    rest: float, awake: float
) -> None:
    """A fall during sleep from a resting and an awake PaO2 is the smaller one, the stricter
    (as ``awake_pao2`` reads both for every awake limit), where 70 awake alone meets Group I-3:
    MassHealth's II.A.2.a.ii took the 70 beside a resting 60 and qualified (hunt 15)."""
    gas = {"pao2_sleep_mmhg": 58, "date": TEST_DATE.isoformat()}
    alone = evaluate(mc(symptoms=["insomnia"], blood_gas={**gas, "pao2_awake_mmhg": 70}), None)
    assert alone.rule("lcd_group_i_3_drop").met is True
    gas |= {"pao2_rest_mmhg": rest, "pao2_awake_mmhg": awake}
    d = evaluate(mc(symptoms=["insomnia"], blood_gas=gas), None)
    assert d.rule("lcd_group_i_3_drop").met is False
    assert d.determination != "qualified"


@pytest.mark.parametrize(
    ("sat", "det"), [(88.0, "qualified"), (88.4, "not_qualified"), (89.0, "not_qualified")]
)
def test_group_i_1_rest_oximetry_88_qualifies_89_does_not(sat: float, det: str) -> None:
    # 88.4 rounds to 88, but a computed value is compared unrounded (medicare-oxygen.md A5)
    d = evaluate(mc(test__type="rest"), rest_test(sat))
    assert d.determination == det
    assert d.rule("lcd_group_i_1_rest").met is (det == "qualified")


def test_group_i_1_portable_needs_mobility_within_home() -> None:
    d = evaluate(mc(test__type="rest", mobility={"within_home": False}), rest_test(86.0))
    assert d.determination == "qualified" and d.portable_eligible is False
    assert "E0431" not in d.hcpcs


@pytest.mark.parametrize(("minutes", "det"), [(5.0, "qualified"), (4.99, "not_qualified")])
def test_group_i_2_sleep_5_cumulative_minutes_at_88(minutes: float, det: str) -> None:
    d = evaluate(mc(), night(t_le88_min=minutes, nadir_pct=85.0))
    assert d.determination == det
    alt = d.alternatives[0]
    assert alt["alternative_reading"] == "single_sample" and alt["determination"] == "qualified"
    if det == "qualified":
        assert d.coverage == ("nocturnal",) and d.portable_eligible is False
        assert d.modifiers == ("N1",) and not {"E0431", "E1392"} & set(d.hcpcs)
        assert d.authorization_months is None  # no fixed period for Group I


@pytest.mark.parametrize(
    ("awake", "det"),
    [
        (89.0, "qualified"),
        (88.0, "indeterminate"),
        (88.5, "indeterminate"),
        (88.9, "indeterminate"),
    ],
)
def test_group_i_2_needs_awake_89(awake: float, det: str) -> None:
    """An awake baseline below 89 % unrounded (A5) fails I-2's awake half and asks for a rest
    test (A7, SPEC §8.2): at 88.3-88.9 I-1 asked for none (only at ≤ 88), and a night with
    30 min ≤ 88 % was a bare not_qualified with nothing missing (hunt 10)."""
    d = evaluate(mc(), night(t_le88_min=30.0, nadir_pct=84.0, awake_baseline_pct=awake))
    assert d.determination == det
    if det == "indeterminate":
        assert d.rule("lcd_group_i_2_sleep").met is False
        assert d.rule("lcd_group_i_1_rest").met is None
        assert "a rest test on room air (or an awake PaO2)" in d.missing


def test_group_i_2_says_the_awake_value_it_judged() -> None:
    """I-2 compares the awake value unrounded (A5), and Medicare sets no rounded one: its reason
    "No Group I-2 finding (... with awake ≥ 89 %)" beside an awake baseline of 88.96 named no
    awake figure (hunt 10). It is cut, never shown 89."""
    d = evaluate(mc(), night(t_le88_min=30.0, nadir_pct=84.0, awake_baseline_pct=88.96))
    rule = d.rule("lcd_group_i_2_sleep")
    assert rule.met is False and "awake baseline 88.96 %" in rule.reason
    d = evaluate(mc(), night(t_le88_min=30.0, nadir_pct=84.0, awake_baseline_pct=88.999))
    assert "awake baseline 88.99 %" in d.rule("lcd_group_i_2_sleep").reason
    # a rest test beside the night: its sustained nadir is an awake value judged too
    ev = dataclasses.replace(
        night(t_le88_min=30.0, nadir_pct=84.0, awake_baseline_pct=93.0), rest=seg("rest", 88.96)
    )
    reason = evaluate(mc(), ev).rule("lcd_group_i_2_sleep").reason
    assert "rest sustained nadir 88.96 %" in reason and "awake baseline 93 %" in reason


@pytest.mark.parametrize(
    ("minutes", "symptoms", "valid", "det"),
    [
        (5.0, ["insomnia"], 120.0, "qualified"),
        (4.99, ["insomnia"], 420.0, "not_qualified"),
        (30.0, [], 420.0, "not_qualified"),
        (30.0, ["nocturnal_restlessness"], 119.99, "indeterminate"),
    ],
)
def test_group_i_3_drop_below_the_tests_mean_with_symptoms(
    minutes: float, symptoms: list[str], valid: float, det: str
) -> None:
    ev = night(valid_min=valid, t_le88_min=0.0, nadir_pct=87.0, drop5_from_mean_min=minutes)
    d = evaluate(mc(symptoms=symptoms), ev)
    assert d.determination == det
    if det == "qualified":
        assert d.basis == ("lcd_group_i_3_drop",) and d.coverage == ("nocturnal",)
        assert d.rule("lcd_group_i_3_drop").values["mean_baseline_pct"] == 94.0
    if det == "indeterminate":
        assert any("120 min" in m for m in d.missing)


@pytest.mark.parametrize(("awake", "asleep", "ok"), [(66.4, 56.4, False), (66.4, 56.3, True)])
def test_group_i_3_pao2_fall_of_exactly_10_is_not_more_than_10(
    awake: float, asleep: float, ok: bool
) -> None:
    # 66.4 - 56.4 is 10.000000000000007 in floating point: it qualified Group I-3 (N1)
    c = mc(
        symptoms=["insomnia"],
        blood_gas={"pao2_awake_mmhg": awake, "pao2_sleep_mmhg": asleep},
    )
    d = evaluate(c, None)
    assert (d.determination == "qualified") is ok


def test_group_i_3_gives_its_minutes_and_the_mean_they_are_below() -> None:
    """Group I-3 qualified a night on 9.5 min more than 5 points below the test's mean, and its
    reason gave neither the minutes nor the mean (hunt 10)."""
    ev = night(t_le88_min=0.0, nadir_pct=87.0, mean_pct=95.7931, drop5_from_mean_min=9.5)
    rule = evaluate(mc(symptoms=["insomnia"]), ev).rule("lcd_group_i_3_drop")
    assert rule.met is True
    assert "9.5 min > 5 points below the test's mean SpO2 95.79 %, longest 9.5 min" in rule.reason
    ev = night(t_le88_min=0.0, nadir_pct=87.0, drop5_from_mean_min=4.99)
    rule = evaluate(mc(symptoms=["insomnia"]), ev).rule("lcd_group_i_3_drop")
    assert (
        rule.met is False and "4.99 min > 5 points below the test's mean SpO2 94 %" in rule.reason
    )


def test_group_i_3_without_symptoms_says_so() -> None:
    """ "No Group I-3 finding" beside a 30-min drop sent a reviewer after a missing drop."""
    ev = night(t_le88_min=0.0, nadir_pct=87.0, drop5_from_mean_min=30.0)
    rule = evaluate(mc(symptoms=[]), ev).rule("lcd_group_i_3_drop")
    assert rule.met is False and "no symptoms of hypoxemia" in rule.reason


def test_group_i_3_without_the_mean_figure_is_not_evaluable() -> None:
    ev = night(t_le88_min=0.0)
    ev = dataclasses.replace(ev, sleep=dataclasses.replace(ev.sleep, drop5_from_mean_min=None))
    d = evaluate(mc(symptoms=["insomnia"]), ev)
    assert d.rule("lcd_group_i_3_drop").met is None and d.determination == "indeterminate"


@pytest.mark.parametrize(
    ("rest", "exercise", "on_o2", "det", "basis"),
    [
        (94.0, 88.0, 92.0, "qualified", ("lcd_group_i_4_exercise",)),
        (94.0, 89.0, 92.0, "not_qualified", ()),  # 89 is a Group II value
        (88.0, 86.0, 92.0, "qualified", ("lcd_group_i_1_rest",)),  # rest ≤ 88: Group I-1 instead
        (94.0, 86.0, 86.0, "indeterminate", ()),  # oxygen did not improve it (A8)
    ],
)
def test_group_i_4_exercise_three_part_session(
    rest: float, exercise: float, on_o2: float, det: str, basis: tuple[str, ...]
) -> None:
    d = evaluate(mc(test__type="exercise"), exercise_test(rest, exercise, on_o2))
    assert d.determination == det and d.basis == basis
    if basis == ("lcd_group_i_4_exercise",):
        assert d.coverage == ("exercise",) and d.portable_eligible is True


def test_group_i_4_test_two_on_oxygen_never_qualifies() -> None:
    c = mc(test__type="exercise", test__room_air=False, test__o2_flow_lpm=2)
    d = evaluate(c, exercise_test(94.0, 85.0, 92.0))
    assert d.rule("lcd_group_i_4_exercise").met is False and d.determination == "not_qualified"


def test_group_i_4_missing_the_on_oxygen_part_is_indeterminate() -> None:
    d = evaluate(mc(test__type="exercise"), exercise_test(94.0, 85.0, None))
    assert d.determination == "indeterminate"
    assert any("exercise_o2" in m for m in d.missing)


# --------------------------------------------------------------------------------------------
# Group II
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pao2", "det", "mods"),
    [
        (55, "qualified", ("N1",)),
        (56, "qualified", ("N2",)),
        (59, "qualified", ("N2",)),
        (60, "not_qualified", ()),
    ],
)
def test_group_ii_pao2_56_to_59_with_edema(pao2: float, det: str, mods: tuple[str, ...]) -> None:
    c = mc(
        test__type="rest", blood_gas={"pao2_rest_mmhg": pao2}, findings={"dependent_edema": True}
    )
    d = evaluate(c, None)
    assert d.determination == det and d.modifiers == mods


@pytest.mark.parametrize(("hct", "det"), [(56, "not_qualified"), (56.1, "qualified")])
def test_group_ii_89_in_sleep_with_hematocrit_over_56(hct: float, det: str) -> None:
    ev = night(t_le88_min=0.0, t_lt90_min=6.0, nadir_pct=89.0)
    d = evaluate(mc(findings={"hematocrit_pct": hct}), ev)
    assert d.determination == det
    if det == "qualified":
        assert d.basis == ("lcd_group_ii_sleep",) and d.portable_eligible is False
        assert any("days 61" in m for m in d.missing)  # the retest is due


def test_group_i_4_walk_beside_group_ii_rest_is_billed_under_group_ii() -> None:
    """A three-part test with the rest part at 89 % (Group II with edema) and the walk at 85 %
    (Group I-4): the continuous coverage is Group II's alone, so N2 and the retest on days
    61-90, not N1 with no retest."""
    ev = exercise_test(rest=89.0, exercise=85.0, exercise_o2=92.0)
    d = evaluate(mc(test__type="exercise", findings={"dependent_edema": True}), ev)
    assert d.determination == "qualified"
    assert "continuous" in d.coverage and d.modifiers == ("N2",)
    assert any("days 61" in m for m in d.missing)


def test_group_ii_in_sleep_is_sleep_only_and_needs_awake_89() -> None:
    ev = night(t_le88_min=20.0, t_lt90_min=25.0, nadir_pct=84.0, awake_baseline_pct=88.0)
    d = evaluate(mc(findings={"dependent_edema": True}), ev)
    assert d.rule("lcd_group_ii_sleep").met is False
    assert d.determination == "indeterminate"  # awake ≤ 88 %: a rest test is needed


@pytest.mark.parametrize(
    ("day", "det"),
    [
        (60, "not_qualified"),
        (61, "qualified"),
        (89, "qualified"),
        (90, "not_qualified"),
        (91, "not_qualified"),
    ],
)
def test_group_ii_retest_day_60_61_90_91(day: int, det: str) -> None:
    start = (TEST_DATE - dt.timedelta(days=day)).isoformat()
    c = mc(
        test__type="rest",
        blood_gas={"pao2_rest_mmhg": 58},
        findings={"pulmonary_hypertension": True},
        order__therapy_start_date=start,
    )
    d = evaluate(c, None)
    assert d.rule("lcd_retest").met is (det == "qualified")
    assert d.determination == det


def test_group_ii_retest_needs_a_new_order() -> None:
    start = TEST_DATE - dt.timedelta(days=70)
    c = mc(
        test__type="rest",
        blood_gas={"pao2_rest_mmhg": 58},
        findings={"dependent_edema": True},
        order__therapy_start_date=start.isoformat(),
        order__date=start.isoformat(),
    )
    assert status(c, None) == "not_qualified"


@pytest.mark.parametrize(("order_day", "det"), [(1, "not_qualified"), (69, "not_qualified"),
                                                (70, "qualified"), (75, "qualified")])  # fmt: skip
def test_group_ii_retest_order_follows_the_retest(order_day: int, det: str) -> None:
    """The new order follows the repeat test (§3.2): a retest on day 70 beside the order of
    day 1 (the initial one, dated after delivery) qualified N2 (hunt 14)."""
    start = TEST_DATE - dt.timedelta(days=70)
    c = mc(
        test__type="rest",
        blood_gas={"pao2_rest_mmhg": 58},
        findings={"dependent_edema": True},
        order__therapy_start_date=start.isoformat(),
        order__date=(start + dt.timedelta(days=order_day)).isoformat(),
    )
    d = evaluate(c, None)
    assert d.determination == det
    assert d.rule("lcd_retest").met is (det == "qualified")


@pytest.mark.parametrize(("order_day", "det"), [(70, "not_qualified"), (71, "qualified")])
def test_a_night_retests_new_order_follows_the_nights_end(order_day: int, det: str) -> None:
    """A retest night from 22:00 on day 70 ends on day 71: an order dated day 70, its evening,
    was written before the data it rests on, and qualified N2 (hunt 16)."""
    start = TEST_DATE - dt.timedelta(days=70)
    c = mc(
        findings={"dependent_edema": True},
        order__therapy_start_date=start.isoformat(),
        order__date=(start + dt.timedelta(days=order_day)).isoformat(),
        test__evaluated_date=(start + dt.timedelta(days=71)).isoformat(),
    )
    d = evaluate(c, night(t_le88_min=0.0, t_lt90_min=20.0, nadir_pct=89.0))
    assert d.rule("lcd_retest").values["recorded_days"][-1] == start + dt.timedelta(days=71)
    assert d.determination == det, d.rule("lcd_retest").reason
    assert d.rule("lcd_retest").met is (det == "qualified")


@pytest.mark.parametrize(("start_day", "det"), [(2, "qualified"), (1, "qualified"),
                                                (0, "not_qualified"), (-30, "not_qualified")])  # fmt: skip
def test_a_group_ii_test_before_therapy_began_is_the_initial_one(start_day: int, det: str) -> None:
    """A test before therapy began is the initial qualification, the retest still due: one two
    days before was denied as a "retest on day -2" (hunt 14). On the day therapy began or after
    it (day 30) it is no initial test, nor on days 61-89."""
    c = mc(
        test__type="rest",
        blood_gas={"pao2_rest_mmhg": 58},
        findings={"dependent_edema": True},
        order__therapy_start_date=(TEST_DATE + dt.timedelta(days=start_day)).isoformat(),
    )
    d = evaluate(c, None)
    assert d.determination == det, d.rule("lcd_retest").reason
    if det == "qualified":
        assert d.modifiers == ("N2",) and d.rule("lcd_retest").applicable is False
        assert any("days 61–90" in m for m in d.missing), d.missing


def test_a_night_into_the_day_therapy_began_is_no_initial_test() -> None:
    """A night from 22:00 the evening before therapy began ends on its first day: not wholly
    before it, so neither the initial test nor a retest."""
    c = mc(
        findings={"dependent_edema": True},
        order__therapy_start_date=(TEST_DATE + dt.timedelta(days=1)).isoformat(),
    )
    ev = night(t_le88_min=0.0, t_lt90_min=20.0, nadir_pct=89.0)
    assert evaluate(c, ev).determination == "not_qualified"
    earlier = mc(
        findings={"dependent_edema": True},
        order__therapy_start_date=(TEST_DATE + dt.timedelta(days=2)).isoformat(),
    )
    assert evaluate(earlier, ev).determination == "qualified"


# --------------------------------------------------------------------------------------------
# Group III and Group IV
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("pao2", "det"), [(60, "qualified"), (59, "not_qualified")])
def test_group_iii_cluster_headache_needs_normoxemia_59_60(pao2: float, det: str) -> None:
    c = mc(test__type="rest", diagnoses=["G44.011"], blood_gas={"pao2_rest_mmhg": pao2})
    d = evaluate(c, None)
    assert d.determination == det
    if det == "qualified":
        assert d.coverage == ("cluster_headache",) and d.modifiers == ("N3",)
        assert d.authorization_months == 3 and d.hcpcs == ("E0424",)
        assert d.portable_eligible is False


@pytest.mark.parametrize(
    ("day", "det"), [(60, "not_qualified"), (61, "qualified"), (91, "not_qualified")]
)
def test_group_iii_normoxemic_retest_day_61_to_90(day: int, det: str) -> None:
    start = (TEST_DATE - dt.timedelta(days=day)).isoformat()
    c = mc(
        test__type="rest",
        diagnoses=["G44.011"],
        blood_gas={"pao2_rest_mmhg": 80},
        order__therapy_start_date=start,
    )
    assert status(c, None) == det


def test_group_iii_other_conditions_are_the_macs_discretion() -> None:
    c = mc(test__type="rest", diagnoses=["G43.909"], blood_gas={"pao2_rest_mmhg": 80})
    assert status(c, None) == "not_qualified"
    attested = mc(
        test__type="rest",
        diagnoses=["G43.909"],
        blood_gas={"pao2_rest_mmhg": 80},
        findings={"attested_condition": True},
    )
    assert status(attested, None) == "indeterminate"


@pytest.mark.parametrize("code", ["R09.02", "G47.34", "G47.36"])
def test_group_iii_not_with_a_hypoxemia_code(code: str) -> None:
    # G47.34 and G47.36 hold "sleep related hypoxia / hypoxemia": they qualified N3
    c = mc(test__type="rest", diagnoses=["G44.011", code], blood_gas={"pao2_rest_mmhg": 80})
    assert status(c, None) == "not_qualified"


@pytest.mark.parametrize(("at_89", "det"), [(0.0, "qualified"), (0.1, "not_qualified")])
def test_group_iii_not_with_89_percent_during_sleep(at_89: float, det: str) -> None:
    """Group II's 89 % has no duration in the current text: 4.9 min at 89 % during sleep
    qualified N3 where 5.1 min (a Group II value for the profile) did not."""
    c = mc(diagnoses=["G44.011"], blood_gas={"pao2_rest_mmhg": 70, "date": TEST_DATE.isoformat()})
    ev = night(t_le88_min=0.0, t_lt90_min=at_89, nadir_pct=89.0 if at_89 else 91.0)
    d = evaluate(c, ev)
    assert d.determination == det
    if det == "not_qualified":
        assert d.rule("lcd_group_iii").met is False


@pytest.mark.parametrize(("rest", "iii"), [(95.0, None), (86.0, False)])
def test_group_iii_normoxemia_is_no_overnight_recordings_rest_segment(
    rest: float, iii: bool | None
) -> None:
    """An overnight test's 'rest' segment is a home process's awake value (LCD L33797; A15),
    no rest test, as for Group I-1: an IDTF's home night with one at 95 % qualified N3 where
    its awake baseline could not (hunt 16). Below 90 % it still rules Group III out."""
    ev = night(t_le88_min=0.0, t_lt90_min=0.0, nadir_pct=92.0)
    ev = dataclasses.replace(ev, rest=dataclasses.replace(seg("rest", rest), start_s=0, end_s=360))
    d = evaluate(mc(diagnoses=["G44.011"], order__flow_lpm=12), ev)
    assert d.determination == "indeterminate" and d.rule("lcd_group_iii").met is iii
    if iii is None:
        assert "a rest test on room air (SpO2 ≥ 90 % or PaO2 ≥ 60 mmHg)" in d.missing
    # the same value as a rest test's is one (at 86 %, Group I-1's)
    as_rest_test = evaluate(mc(test__type="rest", diagnoses=["G44.011"]), rest_test(rest))
    assert as_rest_test.modifiers[0] == ("N3" if iii is None else "N1")


@pytest.mark.parametrize("code", ["I20.9", "I23.7", "I25.118", "E11.51", "E10.52", "I73.89"])
def test_group_iv_codes_are_the_categories_of_the_icd10_table(code: str) -> None:
    # postinfarction angina (I23.7), diabetic peripheral angiopathy (E11.51) and other
    # specified PVD (I73.89) were missing from a hand-kept list: a drop below the mean qualified
    drop = night(t_le88_min=0.0, nadir_pct=90.0, drop5_from_mean_min=10.0)
    d = evaluate(mc(diagnoses=["J44.9", code], symptoms=["insomnia"]), drop)
    assert d.determination == "not_qualified" and d.rule("lcd_group_iv").met is False


def test_group_iv_angina_without_hypoxemia_is_never_covered() -> None:
    ev = night(t_le88_min=0.0, nadir_pct=91.0)
    d = evaluate(mc(findings={"angina_pectoris": True}), ev)
    assert d.determination == "not_qualified" and d.rule("lcd_group_iv").met is False
    hyp = evaluate(mc(findings={"angina_pectoris": True}), night(t_le88_min=20.0, nadir_pct=84.0))
    assert hyp.determination == "qualified" and hyp.rule("lcd_group_iv").met is True
    # a drop from the mean alone is not hypoxemia: Group IV still stands
    drop = night(t_le88_min=0.0, nadir_pct=87.0, drop5_from_mean_min=30.0)
    c = mc(findings={"angina_pectoris": True}, symptoms=["insomnia"])
    assert evaluate(c, drop).determination == "not_qualified"
    ch = mc(
        test__type="rest",
        diagnoses=["G44.011"],
        blood_gas={"pao2_rest_mmhg": 80},
        findings={"angina_pectoris": True},
    )
    assert status(ch, None) == "qualified"


# --------------------------------------------------------------------------------------------
# Who tested, which study, when
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("performer", "det"),
    [
        ("idtf", "qualified"),
        ("sleep_lab", "qualified"),
        ("dme_supplier", "not_qualified"),
        (None, "indeterminate"),
    ],
)
def test_performer_never_a_dme_supplier(performer: str | None, det: str) -> None:
    c = mc(test__performed_by=performer)
    assert status(c, night(t_le88_min=20.0, nadir_pct=84.0)) == det


@pytest.mark.parametrize(
    ("setting", "det"), [("outpatient", "indeterminate"), ("inpatient", "qualified")]
)
def test_an_outpatient_overnight_by_the_treating_practitioner_was_at_home(
    setting: str, det: str
) -> None:
    """A practitioner's office runs no overnight study: its outpatient overnight oximetry was
    done at home, which counts only under an IDTF's direction (A15); it qualified N1."""
    # discharged the morning after the night (its data run into the 21st: A12, not after it)
    day_after = (TEST_DATE + dt.timedelta(days=1)).isoformat()
    extra = {"test__discharge_date": day_after} if setting == "inpatient" else {}
    c = mc(test__performed_by="treating_practitioner", test__setting=setting, **extra)
    d = evaluate(c, night(t_le88_min=20.0, nadir_pct=84.0))
    assert d.determination == det
    if det == "indeterminate":
        assert d.rule("lcd_performer").met is None
        assert any("idtf" in m for m in d.missing)


SLEEP_GAS = {"pao2_sleep_mmhg": 50, "pao2_awake_mmhg": 62, "date": TEST_DATE.isoformat()}


@pytest.mark.parametrize("ttype", ["overnight", "rest", "exercise", None])
def test_a_sleep_blood_gas_by_the_treating_practitioner_is_an_overnight_test(
    ttype: str | None,
) -> None:
    """A PaO2 of 50 during sleep (I-2 with 62 awake), outpatient, "performed" by the treating
    practitioner: not evaluable beside test.type overnight, but N1 beside rest, exercise or no
    type, since the performer check read the type alone (A15). Rest and exercise are a conflict
    as well (a blood gas during sleep is no awake test)."""
    c = mc(test__type=ttype, test__performed_by="treating_practitioner", blood_gas=SLEEP_GAS)
    d = evaluate(c, None)
    assert d.determination == "indeterminate"
    assert d.rule("lcd_performer").met is None and any("idtf" in m for m in d.missing)
    keys = [k.keys for k in d.conflicts]
    assert keys == (
        [("test.type", "blood_gas.pao2_sleep_mmhg")] if ttype in ("rest", "exercise") else []
    )


@pytest.mark.parametrize(
    ("ttype", "det"), [("overnight", "qualified"), (None, "qualified"), ("rest", "indeterminate")]
)
def test_a_sleep_blood_gas_in_hospital_qualifies_unless_the_type_says_awake(
    ttype: str | None, det: str
) -> None:
    c = mc(test__type=ttype, test__performed_by="hospital", blood_gas=SLEEP_GAS)
    d = evaluate(c, None)
    assert d.determination == det
    if det == "qualified":
        assert d.basis == ("lcd_group_i_2_sleep",) and d.modifiers == ("N1",)
    else:
        assert d.rule("lcd_performer").met is True and len(d.conflicts) == 1


def test_psg_or_home_sleep_test_oximetry_counts_only_on_titration() -> None:
    staged = night(t_le88_min=20.0, nadir_pct=84.0, kind="sleep")
    d = evaluate(mc(test__performed_by="sleep_lab"), staged)
    assert d.rule("lcd_sleep_study").met is False and d.determination == "not_qualified"


@pytest.mark.parametrize(
    ("ahi", "hours", "optimal", "det"),
    [
        (10, 2.0, True, "qualified"),
        (11, 2.0, True, "not_qualified"),
        (10, 119 / 60, True, "not_qualified"),  # 1 h 59 min
        (4, 6.0, False, "not_qualified"),
        (4, None, True, "indeterminate"),
    ],
)
def test_osa_titration_ahi_10_11_and_2_hours(
    ahi: float, hours: float | None, optimal: bool, det: str
) -> None:
    pap = {"ahi": ahi, "hours": hours, "at_optimal_pap": optimal, "initial_ahi": 30.0}
    c = mc(diagnoses=["G47.33", "J44.9"], test__performed_by="sleep_lab", test__pap_titration=pap)
    # the sleep window is the titration's (2 h of sleep at optimal PAP)
    staged = night(t_le88_min=20.0, nadir_pct=84.0, kind="sleep", valid_min=120.0)
    d = evaluate(c, staged)
    assert d.determination == det
    if det == "qualified":
        assert d.coverage == ("nocturnal",) and d.portable_eligible is False


@pytest.mark.parametrize(
    ("initial", "ahi", "det"),
    [
        (8, 8, "not_qualified"),
        (8, 3, "qualified"),
        (10, 10, "not_qualified"),
        (10.5, 10, "qualified"),
    ],
)
def test_osa_titration_must_reduce_an_initial_ahi_under_10(
    initial: float, ahi: float, det: str
) -> None:
    """AHI/RDI "reduced to ≤ 10": an initial AHI of exactly 10 with 10 on PAP is no reduction,
    and qualified N1 (hunt 15); under 10 the titration must reduce it further."""
    pap = {"ahi": ahi, "hours": 4.0, "at_optimal_pap": True, "initial_ahi": initial}
    c = mc(diagnoses=["G47.33"], test__performed_by="sleep_lab", test__pap_titration=pap)
    titration = night(t_le88_min=20.0, nadir_pct=84.0, kind="sleep", valid_min=240.0)
    assert status(c, titration) == det


@pytest.mark.parametrize("diagnoses", [["J44.9"], ["G47.31", "J44.9"]])
def test_a_titration_without_obstructive_sleep_apnea_does_not_qualify(diagnoses: list[str]) -> None:
    """A PAP titration with no obstructive sleep apnea coded (none, or central apnea only):
    the titration's figures alone made a PSG's oximetry count, and it qualified (A16: the LCD's
    sleep testing is the OSA titration path only). The same night with G47.33 qualifies."""
    pap = {"ahi": 4.0, "hours": 4.0, "at_optimal_pap": True, "initial_ahi": 30.0}
    titration = night(t_le88_min=20.0, nadir_pct=84.0, kind="sleep", valid_min=240.0)
    c = mc(diagnoses=diagnoses, test__performed_by="sleep_lab", test__pap_titration=pap)
    d = evaluate(c, titration)
    assert d.determination != "qualified" and d.rule("lcd_sleep_study").met is None
    assert any("obstructive sleep apnea" in m for m in d.missing), d.missing
    osa = mc(
        diagnoses=["G47.33", *diagnoses], test__performed_by="sleep_lab", test__pap_titration=pap
    )
    assert status(osa, titration) == "qualified"


@pytest.mark.parametrize(
    ("kind", "span_h", "det"),
    [
        ("sleep", 4.0, "qualified"),
        ("presumed_sleep", 4.0, "indeterminate"),  # a home sleep test, or the staging left out
        ("sleep", 8.0, "indeterminate"),  # a split night: its diagnostic half is off PAP
    ],
)
def test_a_titration_is_a_staged_psg_no_longer_than_the_titration(
    kind: str, span_h: float, det: str
) -> None:
    """An unstaged night with titration figures (a home sleep test's airflow and effort) and a
    split night whose sleep (90 min diagnostic + 150 at PAP = 240 valid min) spans 8 h beside
    a 4 h titration each qualified N1 on saturations not taken at optimal PAP."""
    pap = {"ahi": 4.0, "hours": 4.0, "at_optimal_pap": True, "initial_ahi": 30.0}
    ev = night(t_le88_min=20.0, nadir_pct=84.0, kind=kind, valid_min=240.0)
    assert ev.sleep is not None
    ev = dataclasses.replace(
        ev, sleep=dataclasses.replace(ev.sleep, start_s=0.0, end_s=span_h * 3600.0)
    )
    c = mc(diagnoses=["G47.33"], test__performed_by="sleep_lab", test__pap_titration=pap)
    d = evaluate(c, ev)
    assert d.determination == det
    if det == "indeterminate":
        assert d.rule("lcd_sleep_study").met is None


def test_a_titration_without_its_initial_ahi_is_indeterminate() -> None:
    """AHI 9.5 on PAP: enough from an initial AHI of 10 or more, not from one of 9.8 (which must
    be reduced further). Without the initial AHI the rule cannot be checked."""
    pap = {"ahi": 9.5, "hours": 4.0, "at_optimal_pap": True}
    titration = night(t_le88_min=20.0, nadir_pct=84.0, kind="sleep", valid_min=240.0)
    c = mc(diagnoses=["G47.33"], test__performed_by="sleep_lab", test__pap_titration=pap)
    d = evaluate(c, titration)
    assert d.determination == "indeterminate"
    assert "test.pap_titration.initial_ahi" in d.missing


TITRATION = {"ahi": 4.0, "hours": 4.0, "at_optimal_pap": True, "initial_ahi": 31.0}


@pytest.mark.parametrize(
    ("figures", "extra", "det"),
    [
        # 20 min more than 5 points below a mean of 97 %, never <= 88 %: I-3's drop (N1 before)
        ({"t_le88_min": 0.0, "nadir_pct": 90.0, "mean_pct": 97.0, "drop5_from_mean_min": 20.0},
         {"symptoms": ["insomnia"]}, "not_qualified"),
        # 16 min at 89 %, 1.65 min at 88 %: Group II's 89 % with edema (N2 before)
        ({"t_le88_min": 1.65, "t_lt90_min": 16.0, "nadir_pct": 88.0},
         {"findings": {"dependent_edema": True}}, "not_qualified"),
        # the titration's one criterion: <= 88 % for the legacy 5 cumulative minutes
        ({"t_le88_min": 5.0, "nadir_pct": 86.0}, {}, "qualified"),
        ({"t_le88_min": 4.9, "nadir_pct": 86.0, "t_lt90_min": 30.0, "mean_pct": 96.0,
          "drop5_from_mean_min": 30.0},
         {"symptoms": ["insomnia"], "findings": {"dependent_edema": True}}, "not_qualified"),
    ],
)  # fmt: skip
def test_a_titration_qualifies_on_88_percent_alone(
    figures: dict[str, float], extra: dict[str, Any], det: str
) -> None:
    """With OSA a sleep saturation counts only from the titration PSG, at SpO2 <= 88 %
    (medicare-oxygen.md §4.4, A17; A1's 5 cumulative minutes): a titration night qualified N1
    on I-3's drop from the mean, and N2 on Group II's 89 %, with no minute at or below 88 %."""
    c = mc(
        diagnoses=["G47.33", "J44.9"],
        test__performed_by="sleep_lab",
        test__pap_titration=TITRATION,
        **extra,
    )
    d = evaluate(c, night(kind="sleep", valid_min=240.0, **figures))
    assert d.rule("lcd_sleep_study").met is True
    assert d.determination == det, d.decided_by
    if det == "qualified":
        assert d.basis == ("lcd_group_i_2_sleep",) and d.modifiers == ("N1",)
    else:
        assert d.rule("lcd_titration_saturation").met is False
        assert d.rule("lcd_titration_only_le88").met is False
        assert "LCD L33797" in d.rule("lcd_titration_only_le88").reason


def test_without_sleep_apnea_the_titration_rules_do_not_apply() -> None:
    d = evaluate(mc(symptoms=["insomnia"]), night(mean_pct=97.0, drop5_from_mean_min=20.0))
    assert d.determination == "qualified" and d.basis == ("lcd_group_i_3_drop",)
    for rule in ("lcd_titration_saturation", "lcd_titration_only_le88"):
        assert d.rule(rule).met is True and d.rule(rule).applicable is False


def test_a_titration_with_a_sleep_pao2_alone_is_not_its_oximetry() -> None:
    """A PaO2 of 50 during sleep beside a passing titration is no PSG oximetry at SpO2 <= 88 %:
    not evaluable, naming the oximetry (it qualified N1)."""
    c = mc(
        diagnoses=["G47.33", "J44.9"],
        test__performed_by="sleep_lab",
        test__pap_titration=TITRATION,
        blood_gas={"pao2_sleep_mmhg": 50, "pao2_awake_mmhg": 70, "date": TEST_DATE.isoformat()},
    )
    d = evaluate(c, None)
    assert d.determination == "indeterminate"
    assert any("titration PSG's oximetry" in m for m in d.missing), d.missing


@pytest.mark.parametrize(("level", "det"), [(90.0, "not_qualified"), (86.0, "qualified")])
def test_a_simulated_titration_night_qualifies_only_at_88_percent(level: float, det: str) -> None:
    """Analyze → figures → rules: a staged 4 h titration at 97 % with 20 min at 90 % (more than 5
    points below the mean, never <= 88 %) qualified N1 on the drop; at 86 % it is I-2."""
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=4 * 3600,
        seed=3,
        baseline_pct=97.0,
        stages=True,
        noise_pts=0.4,
        sustained_drops=[(2 * 3600.0, 1200.0, level)],
        start=dt.datetime(2026, 11, 20, 22, 0),
    )
    ev = evidence_from_analysis(analyze(rec))
    assert ev.sleep is not None and ev.sleep.kind == "sleep"
    assert (ev.sleep.t_le88_min or 0.0) >= 5.0 if level < 88 else ev.sleep.t_le88_min == 0.0
    assert (ev.sleep.drop5_from_mean_min or 0.0) >= 5.0
    c = mc(
        diagnoses=["G47.33", "J44.9"],
        symptoms=["insomnia"],
        test__performed_by="sleep_lab",
        test__pap_titration=TITRATION,
    )
    d = evaluate(c, ev)
    assert d.determination == det, d.decided_by
    if det == "qualified":
        assert "lcd_group_i_2_sleep" in d.basis and d.portable_eligible is False


def test_group_i_4_blood_gas_on_oxygen_never_qualifies() -> None:
    gas = {"pao2_rest_mmhg": 70, "pao2_exercise_mmhg": 50, "pao2_exercise_o2_mmhg": 70}
    ok = mc(test__type="exercise", test__exercise_o2_flow_lpm=2, blood_gas=gas)
    assert evaluate(ok, None).basis == ("lcd_group_i_4_exercise",)
    on_o2 = mc(test__type="exercise", test__room_air=False, test__o2_flow_lpm=2, blood_gas=gas)
    assert status(on_o2, None) == "not_qualified"


def test_osa_without_a_titration_study_is_indeterminate() -> None:
    c = mc(diagnoses=["G47.33"])
    d = evaluate(c, night(t_le88_min=20.0, nadir_pct=84.0))
    assert d.determination == "indeterminate"
    assert any("pap_titration" in m for m in d.missing)


@pytest.mark.parametrize(
    ("days_before_discharge", "det"),
    [
        # the night of the discharge day runs past it: test.date inside, its data not (A12)
        (0, "indeterminate"),
        (1, "qualified"),
        (2, "qualified"),
        (3, "not_qualified"),
        (-1, "not_qualified"),
    ],
)
def test_inpatient_time_of_need_discharge_minus_2_and_3_days(
    days_before_discharge: int, det: str
) -> None:
    discharge = (TEST_DATE + dt.timedelta(days=days_before_discharge)).isoformat()
    c = mc(test__setting="inpatient", test__discharge_date=discharge)
    assert status(c, night(t_le88_min=20.0, nadir_pct=84.0)) == det


def test_outpatient_time_of_need_is_the_dated_evaluation() -> None:
    c = mc(test__evaluated_date=None)
    d = evaluate(c, night(t_le88_min=20.0, nadir_pct=84.0))
    assert d.determination == "indeterminate" and "test.evaluated_date" in d.missing
    early = mc(test__evaluated_date=(TEST_DATE - dt.timedelta(days=1)).isoformat())
    assert status(early, night(t_le88_min=20.0, nadir_pct=84.0)) == "indeterminate"


@pytest.mark.parametrize(
    ("end_h", "evaluated", "det"),
    [
        (8.0, 0, "indeterminate"),  # 22:00 to 06:00 the next day, evaluated on the evening's day
        (8.0, 1, "qualified"),  # evaluated the morning the night ended
        (2.0, 0, "qualified"),  # ends at 00:00:00: no data of the new day
        (2.5, 0, "indeterminate"),
    ],
)
def test_the_evaluation_is_not_dated_before_the_night_ended(
    end_h: float, evaluated: int, det: str
) -> None:
    """test.date is the night's evening; a night from 22:00 on the 20th to 06:00 on the 21st,
    evaluated (and ordered) on the 20th, qualified N1: evaluated before its data existed."""
    ev = night(t_le88_min=20.0, nadir_pct=84.0)
    assert ev.sleep is not None
    ev = dataclasses.replace(
        ev, sleep=dataclasses.replace(ev.sleep, start_s=0.0, end_s=end_h * 3600.0)
    )
    day = (TEST_DATE + dt.timedelta(days=evaluated)).isoformat()
    d = evaluate(mc(test__evaluated_date=day, order__date=day), ev)
    assert d.determination == det
    if det == "indeterminate":
        assert d.rule("lcd_ordered_evaluated").met is None
        assert any("the day the test ended (2026-11-21)" in m for m in d.missing), d.missing


def test_without_window_ends_the_recording_length_dates_the_end() -> None:
    ev = dataclasses.replace(night(t_le88_min=20.0, nadir_pct=84.0), recording_min=480.0)
    today = mc(test__evaluated_date=TEST_DATE.isoformat())
    assert status(today, ev) == "indeterminate"
    # neither known (a context-only test, or a summary without either): test.date, as before
    assert status(today, night(t_le88_min=20.0, nadir_pct=84.0)) == "qualified"
    gas = {"pao2_rest_mmhg": 50, "date": TEST_DATE.isoformat()}
    assert status(mc(test__type="rest", test__evaluated_date=TEST_DATE.isoformat(),
                     test__performed_by="hospital", blood_gas=gas), None) == "qualified"  # fmt: skip


@pytest.mark.parametrize(("evaluated", "det"), [(0, "indeterminate"), (1, "qualified")])
def test_a_simulated_night_evaluated_on_its_evening(evaluated: int, det: str) -> None:
    """Analyze → figures → rules: 22:00 to 06:00, 10 min at 86 % at 03:00 on the next day."""
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=8 * 3600,
        seed=1,
        noise_pts=0.5,
        sustained_drops=[(5 * 3600.0, 600.0, 86.0)],
        start=dt.datetime(2026, 11, 20, 22, 0),
    )
    ev = evidence_from_analysis(analyze(rec))
    assert ev.sleep is not None and (ev.sleep.t_le88_min or 0.0) >= 5.0
    day = (TEST_DATE + dt.timedelta(days=evaluated)).isoformat()
    d = evaluate(mc(test__evaluated_date=day, order__date=day), ev)
    assert d.determination == det, d.missing


@pytest.mark.parametrize(
    ("start_clock", "evaluated", "det"),
    [
        (dt.time(22, 0), 0, "indeterminate"),  # times of day only: 22:00 to 06:00 the next day
        (dt.time(22, 0), 1, "qualified"),
        (dt.time(20, 0), 0, "qualified"),  # 20:00 to 23:30: no data of the next day
        (None, 0, "indeterminate"),  # elapsed time only: its night may run into the next day
        (None, 1, "qualified"),
    ],
)
def test_an_undated_night_is_placed_by_test_date_for_its_evaluation(
    start_clock: dt.time | None, evaluated: int, det: str
) -> None:
    """The same night in a file without a date (a CSV of times of day, an EMAY date that reads
    two ways) is placed by test.date, the evening it began: from 22:00 to 06:00, evaluated and
    ordered on that evening, it qualified N1 (hunt 14), where its dated rows did not."""
    ev = night(t_le88_min=20.0, nadir_pct=84.0)
    assert ev.sleep is not None
    end = 3.5 if start_clock == dt.time(20, 0) else 8.0
    ev = dataclasses.replace(
        ev,
        recording_start=None,
        start_clock=start_clock,
        sleep=dataclasses.replace(ev.sleep, start_s=0.0, end_s=end * 3600.0),
    )
    day = (TEST_DATE + dt.timedelta(days=evaluated)).isoformat()
    d = evaluate(mc(test__evaluated_date=day, order__date=day), ev)
    assert d.determination == det, d.missing
    if det == "indeterminate":
        assert d.rule("lcd_ordered_evaluated").met is None
        assert any("the day the test ended (2026-11-21)" in m for m in d.missing), d.missing


def test_no_chronic_stable_state_or_30_day_window_any_more() -> None:
    late = (TEST_DATE + dt.timedelta(days=200)).isoformat()
    c = mc(test__chronic_stable_state=False, order__date=late, test__evaluated_date=late)
    assert status(c, night(t_le88_min=20.0, nadir_pct=84.0)) == "qualified"


@pytest.mark.parametrize(
    ("day", "det"), [("2022-12-31", "indeterminate"), ("2023-01-01", "qualified")]
)
def test_a_test_before_2023_is_not_judged_by_the_time_of_need(day: str, det: str) -> None:
    """The time of need replaced the 30-day window and the chronic stable state on 01/01/2023
    (medicare-oxygen.md §9): a night of 2022 ordered 200 days later, and a cluster headache
    of 2022 (Group III then "not covered"), qualified by the rules of 2023 (hunt 16)."""
    test = dt.date.fromisoformat(day)
    late = (test + dt.timedelta(days=200)).isoformat()
    c = mc(test__date=day, order__date=late, test__evaluated_date=late)
    ev = dataclasses.replace(
        night(t_le88_min=20.0, nadir_pct=84.0),
        recording_start=dt.datetime.combine(test, dt.time(22, 0)),
    )
    d = evaluate(c, ev)
    assert d.determination == det
    ch = mc(
        test__type="rest",
        test__date=day,
        diagnoses=["G44.011"],
        blood_gas={"pao2_rest_mmhg": 80},
        order__flow_lpm=12,
    )
    assert status(ch, None) == det
    if det == "indeterminate":
        assert d.rule("lcd_time_of_need").met is None
        assert "a test on or after 2023-01-01 (LCD L33797 as encoded)" in d.missing


# --------------------------------------------------------------------------------------------
# Blood gas against oximetry
# --------------------------------------------------------------------------------------------


def test_same_day_blood_gas_decides_over_oximetry_of_the_same_condition() -> None:
    day = TEST_DATE.isoformat()
    ev = rest_test(85.0)
    same = mc(test__type="rest", blood_gas={"pao2_rest_mmhg": 70, "date": day})
    d = evaluate(same, ev)
    assert d.determination == "not_qualified"
    assert d.rule("lcd_group_i_1_rest").values["rest_blood_gas_decides"] is True
    unknown = mc(test__type="rest", blood_gas={"pao2_rest_mmhg": 70})
    u = evaluate(unknown, ev)
    assert u.determination == "indeterminate" and any("blood_gas.date" in m for m in u.missing)


def test_failed_rest_blood_gas_leaves_a_qualifying_sleep_oximetry_standing() -> None:
    c = mc(blood_gas={"pao2_rest_mmhg": 70, "date": TEST_DATE.isoformat()})
    assert status(c, night(t_le88_min=20.0, nadir_pct=84.0)) == "qualified"


# --------------------------------------------------------------------------------------------
# Flow tier, modifiers, revisions
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flow", "room_air", "test_flow", "mods"),
    [
        (4, True, None, ("N1",)),
        (4.1, True, None, ("N1",)),  # tested on room air: standard allowance, no Q modifier
        (4.1, False, 4, ("N1", "QF")),
        (4.1, False, 3.9, ("N1",)),
        (0.5, True, None, ("N1", "QE")),
    ],
)
def test_flow_over_4_needs_a_test_on_4_l_min(
    flow: float, room_air: bool, test_flow: float | None, mods: tuple[str, ...]
) -> None:
    c = mc(
        test__type="rest",
        test__room_air=room_air,
        test__o2_flow_lpm=test_flow,
        order__flow_lpm=flow,
    )
    d = evaluate(c, rest_test(86.0))
    assert d.determination == "qualified" and d.modifiers == mods


@pytest.mark.parametrize(
    ("marked", "mods"), [("4", ("N1", "QG")), ("2", ("N1",)), ("", ("N1", "QG"))]
)
def test_flow_over_4_not_when_the_recording_marks_a_lower_flow(
    marked: str, mods: tuple[str, ...]
) -> None:
    """Analyze → figures → rules: a night on oxygen marked 'Oxygen 2 L/min' and given as tested
    on 4 L/min had the > 4 L/min tier (QG); a mark at 4, or one naming no flow, keeps it (hunt
    16)."""
    text = f"Oxygen {marked} L/min" if marked else "Oxygen on"
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=6 * 3600,
        seed=3,
        baseline_pct=94.0,
        noise_pts=0.6,
        sustained_drops=[(2 * 3600.0, 900.0, 85.0)],
        annotations=[Annotation(0.0, 0.0, text)],
        start=dt.datetime(2026, 11, 20, 22, 0),
    )
    ev = evidence_from_analysis(analyze(rec))
    assert ev.oxygen_marked_flows_lpm == ((float(marked),) if marked else ())
    c = mc(
        test__room_air=False,
        test__o2_flow_lpm=4,
        order__flow_lpm=5,
        blood_gas={"pao2_awake_mmhg": 70, "date": TEST_DATE.isoformat()},
    )
    d = evaluate(c, ev)
    assert d.determination == "qualified" and d.modifiers == mods, d.missing
    assert d.rule("lcd_flow_over_4").met is (len(mods) > 1)


@pytest.mark.parametrize(
    ("text", "flows", "mods"),
    [
        ("O2 @ 2", (2.0,), ("N1",)),
        ("O2 up to 3", (3.0,), ("N1",)),
        ("O2 2->4 LPM", (2.0, 4.0), ("N1",)),
        ("O2 @ 4", (4.0,), ("N1", "QG")),
    ],
)
def test_flow_over_4_not_when_a_bare_or_arrowed_flow_is_lower(
    text: str, flows: tuple[float, ...], mods: tuple[str, ...]
) -> None:
    """A night marked 'O2 @ 2' (the gas's bare litres, read as no flow) or 'O2 2->4 LPM' (read 4
    alone) and given as tested on 4 L/min had the > 4 L/min tier (QG) (hunt 16)."""
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=6 * 3600,
        seed=3,
        baseline_pct=94.0,
        noise_pts=0.6,
        sustained_drops=[(2 * 3600.0, 900.0, 85.0)],
        annotations=[Annotation(0.0, 0.0, text)],
        start=dt.datetime(2026, 11, 20, 22, 0),
    )
    ev = evidence_from_analysis(analyze(rec))
    assert ev.oxygen_marked_flows_lpm == flows
    c = mc(
        test__room_air=False,
        test__o2_flow_lpm=4,
        order__flow_lpm=5,
        blood_gas={"pao2_awake_mmhg": 70, "date": TEST_DATE.isoformat()},
    )
    d = evaluate(c, ev)
    assert d.determination == "qualified" and d.modifiers == mods, d.missing


@pytest.mark.parametrize(
    ("start", "mods"),
    [
        (dt.date(2023, 1, 10), ("KX",)),
        (dt.date(2023, 3, 31), ("KX", "QF")),
        (dt.date(2023, 4, 1), ("N2", "QF")),
    ],
)
def test_a_rental_begun_before_april_2023_keeps_kx_not_n2(
    start: dt.date, mods: tuple[str, ...]
) -> None:
    """N1/N2/N3 go on rentals begun on or after 04/01/2023 only (joint DME MAC reminder,
    medicare-oxygen.md §8): a Group II retest on day 74 of a rental begun 2023-01-10 was
    written N2."""
    test = start + dt.timedelta(days=74)
    flow = {"order__flow_lpm": 5, "test__room_air": False, "test__o2_flow_lpm": 4}
    c = mc(
        test__type="rest",
        test__date=test.isoformat(),
        test__evaluated_date=(test + dt.timedelta(days=1)).isoformat(),
        order__date=(test + dt.timedelta(days=2)).isoformat(),
        order__therapy_start_date=start.isoformat(),
        blood_gas={"pao2_rest_mmhg": 58, "date": test.isoformat()},
        findings={"dependent_edema": True},
        **(flow if len(mods) > 1 else {}),
    )
    d = evaluate(c, None)
    assert d.determination == "qualified" and d.modifiers == mods, d.missing
    assert d.rule("lcd_retest").met is True


@pytest.mark.parametrize(
    ("flow", "hours", "flagged"),
    [(0.5, 8, True), (4.1, 12, True), (4.1, 24, False), (4.1, None, False), (3, 8, False)],
)
def test_a_flow_modifier_for_part_of_the_day_is_flagged_for_review(
    flow: float, hours: float | None, flagged: bool
) -> None:
    # medicare-oxygen.md A25: a flow covering part of the day is not averaged with 0; flag it.
    c = mc(
        test__type="rest",
        test__room_air=False,
        test__o2_flow_lpm=4,
        order__flow_lpm=flow,
        order__hours_per_day=hours,
    )
    d = evaluate(c, rest_test(86.0))
    assert d.determination == "qualified"
    said = [w for w in d.warnings if "flow-rate modifier" in w]
    assert bool(said) is flagged, d.warnings
    if flagged:
        assert any(m.startswith("Q") for m in d.modifiers) and f"{hours:g} h a day" in said[0]


def test_every_medicare_determination_is_stamped_with_its_revisions() -> None:
    for ev in (None, night(t_le88_min=20.0, nadir_pct=84.0)):
        out = evaluate(mc(), ev).to_dict()
        assert any("L33797" in r and "04/01/2023" in r for r in out["revisions"])
        assert any("NCD 240.2" in r and "version 2" in r for r in out["revisions"])
    mh = evaluate(mc(payer="masshealth"), None).to_dict()
    assert "revisions" not in mh


def test_payer_argument_overrides_context() -> None:
    d = evaluate(mc(payer="masshealth"), night(t_le88_min=20.0, nadir_pct=84.0), profile="medicare")
    assert d.profile == "medicare" and d.determination == "qualified"


def test_every_rule_cites_the_ncd_or_the_lcd_and_never_mg_oxy() -> None:
    d = evaluate(mc(), night(t_le88_min=20.0, nadir_pct=84.0))
    for r in d.rules:
        assert "NCD 240.2" in r.citation or "L33797" in r.citation, r.id
        assert "MG-OXY" not in r.citation and "MG-OXY" not in r.reason, r.id


def test_medicare_and_masshealth_modules_never_import_each_other() -> None:
    rules = pathlib.Path(__file__).resolve().parents[1] / "criteria" / "rules"
    for path in rules.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
            a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
        }
        other = "masshealth" if path.stem.startswith("medicare") else "medicare"
        if path.stem.startswith(("medicare", "masshealth")):
            assert not any(other in m for m in names), (path.name, names)


@pytest.mark.parametrize(("symptoms", "det"), [(["insomnia"], "qualified"), ([], "not_qualified")])
def test_group_i_3_end_to_end_on_a_simulated_stand_alone_night(
    symptoms: list[str], det: str
) -> None:
    """Analyze → figures → rules: a 9-minute plateau at 89 % (never ≤ 88) in an unstaged night
    is a drop of more than 5 points below the night's mean: Group I-3 with symptoms only (10
    minutes at one exact value would be a held value, test_criteria_held_values)."""
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=4 * 3600,
        seed=12,
        baseline_pct=95.0,
        sustained_drops=[(7200.0, 540.0, 89.0)],
        start=dt.datetime(2026, 11, 20, 22, 0),
    )
    ev = evidence_from_analysis(analyze(rec))
    assert ev.sleep is not None and ev.sleep.kind == "presumed_sleep"
    assert ev.sleep.t_le88_min == 0.0
    assert ev.sleep.drop5_from_mean_min == pytest.approx(9.0)
    d = evaluate(mc(symptoms=symptoms), ev)
    assert d.determination == det
    assert d.rule("lcd_group_i_3_drop").met is (det == "qualified")
    if det == "qualified":
        assert d.basis == ("lcd_group_i_3_drop",) and d.portable_eligible is False


def _group_iii_context(**over: Any) -> dict[str, Any]:
    """A cluster headache with a normoxemic rest PaO2 (60) that qualifies Group III."""
    raw: dict[str, Any] = {
        "payer": "medicare",
        "patient": {"age_years": 40},
        "test": {"type": "rest", "date": "2026-11-20", "room_air": True,
                 "setting": "outpatient", "performed_by": "treating_practitioner",
                 "evaluated_date": "2026-11-21"},
        "order": {"date": "2026-11-22", "prescriber": "physician", "flow_lpm": 12,
                  "hours_per_day": 2},
        "diagnoses": ["G44.009"],
        "blood_gas": {"pao2_rest_mmhg": 60, "date": "2026-11-20"},
        "documentation": {"signed_prescription": True},
    }  # fmt: skip
    for key, value in over.items():
        section, _, name = key.partition("__")
        if name:
            raw.setdefault(section, {})[name] = value
        else:
            raw[section] = value
    return raw


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        ({}, "qualified"),
        # a PaO2 of 50 on oxygen is hypoxemia as Group I defines it (§2): it qualified N3 (an
        # exercise test's: beside test.type rest an exercise blood gas is a conflict)
        ({"test__type": "exercise", "blood_gas__pao2_exercise_o2_mmhg": 50}, "not_qualified"),
        # codes whose inclusion terms name hypoxemia or anoxia (A22)
        ({"diagnoses": ["G44.009", "P84"]}, "not_qualified"),
        ({"diagnoses": ["G44.009", "T70.29XA"]}, "not_qualified"),
        # the context's own ICHD-3 items deny the coded diagnosis
        ({"cluster_headache": {"attacks": 0}}, "indeterminate"),
    ],
)
def test_group_iii_is_not_granted_past_hypoxemia_or_a_denied_diagnosis(
    over: dict[str, Any], expected: str
) -> None:
    d = evaluate(Context.from_dict(_group_iii_context(**over)), None)
    assert d.determination == expected, [r.reason for r in d.rules if r.met is not True]


@pytest.mark.parametrize(
    ("start", "one_day"), [((10, 0), True), ((23, 40), False), ((23, 24), True)]
)
def test_the_three_parts_of_an_exercise_test_lie_on_one_day(
    start: tuple[int, int], one_day: bool
) -> None:
    """A9's safest reading: one session dated the same day. Rest from 23:41, the walks at 23:58
    and 00:10, staged awake, qualified Group I-4 with no word (hunt 12); the same parts from
    23:25 (the walk on oxygen ends at 00:00, exclusive) are of one day."""
    placed = {"rest": (60, 360), "exercise": (1080, 1440), "exercise_o2": (1800, 2160)}
    ev = exercise_test(94.0, 85.0, 92.0)
    parts = {
        k: dataclasses.replace(getattr(ev, k), start_s=float(a), end_s=float(b), asleep_min=0.0)
        for k, (a, b) in placed.items()
    }
    at = dt.datetime(2026, 11, 19 if start[0] == 23 else 20, *start)
    dated = dataclasses.replace(ev, recording_start=at, **parts)
    # a file of times of day alone: its clock crosses midnight as well (review of hunt 12)
    clock = dataclasses.replace(ev, recording_start=None, start_clock=at.time(), **parts)
    for each in (dated, clock):
        d = evaluate(mc(test__type="exercise", test__date=at.date().isoformat()), each)
        if one_day:
            assert d.determination == "qualified", d.missing
        else:
            assert d.determination == "indeterminate"
            assert any("the three parts on one day" in m for m in d.missing), d.missing


@pytest.mark.parametrize(("awake", "det"), [(95.0, "qualified"), (86.0, "not_qualified")])
def test_group_iii_not_with_an_awake_baseline_below_90(awake: float, det: str) -> None:
    """A22: no Group I or II value. An --awake span before lights off at 86 %, beside a normal
    night and a resting PaO2 of 65, qualified N3 (hunt 13): the night's awake baseline cannot
    show normoxemia, and it was not read for hypoxemia either."""
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=9 * 3600,
        seed=1,
        baseline_pct=95.0,
        sustained_drops=[(0.0, 1800.0, awake)] if awake != 95.0 else [],
        start=dt.datetime(2026, 11, 20, 22, 0),
    )
    settings = AnalysisSettings(awake_span_s=(300.0, 1500.0), lights_off_s=2700.0,
                                lights_on_s=31500.0)  # fmt: skip
    ev = evidence_from_analysis(analyze(rec, settings))
    assert ev.sleep is not None and ev.sleep.t_lt90_min == 0.0
    assert ev.sleep.awake_baseline_pct == pytest.approx(awake)
    raw = _group_iii_context(test__type="overnight", test__performed_by="idtf")
    d = evaluate(Context.from_dict(raw), ev)
    assert d.determination == det, [r.reason for r in d.rules if r.met is not True]


@pytest.mark.parametrize(
    ("rest", "det"),
    [(88.0, "qualified"), (88.3, "indeterminate"), (88.6, "indeterminate"), (89.0, "qualified")],
)
def test_test_one_at_rest_between_88_and_89_is_not_evaluable(rest: float, det: str) -> None:
    """Rest at 88 % is Group I-1 and at 89 % test #1 of Group I-4, beside the same walk at 85 %
    improved on oxygen; 88 < rest < 89 is neither unrounded (A5) and either by standard
    rounding: a rest part at 88.6 % was denied with nothing missing (hunt 13)."""
    d = evaluate(mc(test__type="exercise"), exercise_test(rest, 85.0, 92.0))
    assert d.determination == det
    if det == "indeterminate":
        assert any(f"rest sustained nadir of {rest:.2f} %" in m for m in d.missing), d.missing


@pytest.mark.parametrize(("rest", "det"), [(88.0, "indeterminate"), (90.0, "qualified")])
def test_a_rest_segment_below_89_in_an_overnight_test_asks_for_a_rest_test(
    rest: float, det: str
) -> None:
    """A night with 12 min at 85-86 % and an awake baseline of 94 % (the --awake span), beside a
    'rest' segment at 88 % before it: I-2 reads the segment as its awake value and fails, and
    I-1 read it not at all (test.type overnight), a bare not_qualified with nothing missing
    (hunt 13; SPEC §8.2, A7)."""
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=8 * 3600,
        seed=5,
        baseline_pct=94.0,
        # the dip in two levels: one value held 10 min or more is a frozen sensor's too
        sustained_drops=[(60.0, 420.0, rest), (3 * 3600.0, 360.0, 85.0), (11160.0, 360.0, 86.0)],
        segments=[("rest", 120.0, 420.0)],
        start=dt.datetime(2026, 11, 20, 21, 30),
    )
    settings = AnalysisSettings(awake_span_s=(480.0, 840.0), lights_off_s=900.0,
                                lights_on_s=28500.0, test_type="overnight")  # fmt: skip
    ev = evidence_from_analysis(analyze(rec, settings))
    assert ev.sleep is not None and ev.sleep.awake_baseline_pct == 94.0
    assert ev.rest is not None and ev.rest.sustained_nadir_pct == rest
    d = evaluate(mc(test__performed_by="sleep_lab"), ev)
    assert d.determination == det, [r.reason for r in d.rules if r.met is not True]
    if det == "indeterminate":
        assert any(m.startswith("a rest test on room air (") for m in d.missing), d.missing


@pytest.mark.parametrize(("level", "det"), [(95.0, "qualified"), (86.0, "not_qualified")])
def test_group_iii_not_with_a_rest_segment_below_90_that_is_no_awake_test(
    level: float, det: str
) -> None:
    """A22: no Group I or II value. A 45-min resting recording (longer than an awake test, so
    not read as one) at 86 %, beside a resting PaO2 of 65, qualified N3 (hunt 13): it shows
    no normoxemia, and was not read for hypoxemia either."""
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=45 * 60,
        seed=7,
        baseline_pct=level,
        noise_pts=0.6,
        start=dt.datetime(2026, 11, 20, 10, 0),
    )
    ev = evidence_from_analysis(analyze(rec, AnalysisSettings(test_type="rest")))
    assert ev.rest is not None and ev.rest.valid_min == 45.0
    d = evaluate(Context.from_dict(_group_iii_context()), ev)
    assert d.determination == det, [r.reason for r in d.rules if r.met is not True]
