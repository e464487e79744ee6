"""The days a recorded test holds data on, against the windows that must hold the test (hunt 9).

A night is dated by its evening (``Evidence.test_day``): sleep from 00:30 on 21 November is the
night of the 20th. The windows that must hold the *test* (Medicare A12 and MassHealth's
inpatient window: discharge − 2 days ≤ test ≤ discharge; Medicare A11's retest days 61–89) read
that date only, so a night recorded wholly on the day after the discharge day qualified an
inpatient, and a retest recorded wholly on day 90 passed as day 89. A sleep PaO2 dated the 20th
was taken as "the same day" (A19) as such a night. And Group III (A22) passed beside a walk on
room air at 86 % because the test was typed rest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from criteria.context import Context
from criteria.evaluate import Evidence, evaluate
from criteria.evidence import RecordedDays
from oxi.qualify import evidence_from_analysis
from oximetry.analysis import analyze
from oximetry.simulate import SustainedDrop, simulate_night
from tests.criteria_helpers import DROP, MEDICARE_BASE, TEST_DATE, make_dict, seg, sleep

DAY_AFTER = TEST_DATE + dt.timedelta(days=1)
MC: dict[str, Any] = {**MEDICARE_BASE, "documentation": {"signed_prescription": True}}


def mc(**over: Any) -> Context:
    return Context.from_dict(make_dict(MC, **over))


def mh(**over: Any) -> Context:
    return Context.from_dict(make_dict(**over))


def placed_night(start: dt.datetime, hours: float, **figures: Any) -> Evidence:
    """A presumed-sleep night from ``start`` lasting ``hours``, its window placed over it all."""
    kind = figures.pop("kind", "presumed_sleep")
    figs = dataclasses.replace(
        sleep(kind=kind, **figures),
        mean_pct=94.0,
        drop5_from_mean_min=0.0,
        longest_drop5_from_mean_min=0.0,
        start_s=0.0,
        end_s=hours * 3600.0,
    )
    return Evidence(recording_start=start, sleep=figs, recording_min=hours * 60.0)


#: 20 min at or below 88 % (Group I-2 / II.A.2.a.ii).
LOW = {"valid_min": 380.0, "t_le88_min": 20.0, "nadir_pct": 84.0}
#: 20 min at 89 %, none at or below 88 % (Group II with a condition).
AT_89 = {"valid_min": 380.0, "t_lt90_min": 20.0, "nadir_pct": 89.0}
#: Nothing below 90 %.
NORMAL = {"valid_min": 380.0, "nadir_pct": 92.0, "awake_baseline_pct": 95.0}
AFTER_MIDNIGHT = dt.datetime.combine(DAY_AFTER, dt.time(0, 30))  # 00:30-07:00 on the 21st
EVENING = dt.datetime.combine(TEST_DATE, dt.time(22, 0))  # 22:00 on the 20th to 06:30


# --------------------------------------------------------------------------------------------
# Evidence.recorded_days: hand-computed
# --------------------------------------------------------------------------------------------


def test_a_night_after_midnight_holds_data_on_the_next_day_only() -> None:
    ev = placed_night(AFTER_MIDNIGHT, 6.5, **LOW)
    assert ev.test_day == TEST_DATE  # dated by its evening ...
    assert ev.recorded_days() == RecordedDays(DAY_AFTER, DAY_AFTER, True, (DAY_AFTER,))  # ...


def test_a_night_from_the_evening_holds_data_on_both_days() -> None:
    days = placed_night(EVENING, 8.0, **LOW).recorded_days()
    assert days == RecordedDays(TEST_DATE, DAY_AFTER, True, (TEST_DATE, DAY_AFTER))
    # a window that ends at 00:00:00 holds none of the new day
    assert placed_night(EVENING, 2.0, **LOW).recorded_days() == RecordedDays(
        TEST_DATE, TEST_DATE, True, (TEST_DATE,)
    )


def test_a_file_with_a_clock_but_no_date_may_lie_on_either_day() -> None:
    """Placed by test.date: on the 20th at 00:30 (its first day), or on the 21st (dated by its
    evening, the 20th): data on the 20th or the 21st, neither day in both."""
    ev = dataclasses.replace(
        placed_night(AFTER_MIDNIGHT, 6.5, **LOW), recording_start=None, start_clock=dt.time(0, 30)
    )
    assert ev.recorded_days() is None  # nothing dates it
    assert ev.recorded_days(TEST_DATE) == RecordedDays(TEST_DATE, DAY_AFTER, False, ())


def test_a_file_without_clock_may_lie_anywhere_in_its_day() -> None:
    """A 5-minute rest test from 0 s, elapsed time only, dated the 20th: it may begin at 23:59."""
    ev = Evidence(rest=dataclasses.replace(seg("rest", 95.0, 5.0), start_s=0.0, end_s=300.0))
    assert ev.recorded_days(TEST_DATE) == RecordedDays(TEST_DATE, DAY_AFTER, False, (TEST_DATE,))


def test_a_file_whose_date_reads_two_ways_may_lie_on_either() -> None:
    march, april = dt.date(2026, 3, 4), dt.date(2026, 4, 3)
    ev = dataclasses.replace(
        placed_night(EVENING, 8.0, **LOW),
        recording_start=None,
        start_clock=dt.time(22, 0),
        possible_dates=(march, april),
    )
    days = ev.recorded_days(TEST_DATE)  # the file's dates, not test.date
    assert days == RecordedDays(march, april + dt.timedelta(days=1), False, ())


# --------------------------------------------------------------------------------------------
# The inpatient window: discharge − 2 days ≤ every day of the data ≤ discharge
# --------------------------------------------------------------------------------------------


def simulated_night(start: dt.datetime, level: float = 85.0, hours: float = 6.5) -> Evidence:
    """Analyze → figures: a night from ``start``, 10 min at ``level`` three hours in."""
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=hours * 3600,
        seed=1,
        noise_pts=0.7,
        baseline_pct=95.0,
        sustained_drops=[SustainedDrop(3 * 3600.0, 600.0, level)],
        start=start,
    )
    return evidence_from_analysis(analyze(rec))


INPATIENT = {
    "test__setting": "inpatient",
    "test__performed_by": "hospital",
    "test__discharge_date": TEST_DATE.isoformat(),
    "test__evaluated_date": DAY_AFTER.isoformat(),
    "order__date": DAY_AFTER.isoformat(),
}


def test_medicare_inpatient_night_recorded_after_the_discharge_day() -> None:
    """Discharged on the 20th, the night recorded 00:30-07:00 on the 21st (its dip at 03:30)
    qualified N1 as "0 day(s) before discharge" (A12: not after discharge)."""
    ev = simulated_night(AFTER_MIDNIGHT)
    assert ev.sleep is not None and ev.sleep.t_le88_min >= 5.0 and ev.test_day == TEST_DATE
    # no test.date: the recording dates the test, and its data lie after discharge
    d = evaluate(mc(**INPATIENT, test__date=DROP), ev)
    assert d.determination == "not_qualified"
    rule = d.rule("lcd_time_of_need")
    assert rule.met is False and DAY_AFTER.isoformat() in rule.reason
    # test.date 20th (inside) beside data on the 21st: one of the dates is wrong
    d = evaluate(mc(**INPATIENT), ev)
    assert d.determination == "indeterminate"
    assert d.rule("lcd_time_of_need").met is None
    assert [c.keys for c in d.conflicts] == [("test.date", "recording.start")]
    # discharged the day the night ended: inside
    day_after = {**INPATIENT, "test__discharge_date": DAY_AFTER.isoformat()}
    assert evaluate(mc(**day_after), ev).determination == "qualified"


def test_medicare_inpatient_night_from_the_discharge_evening_runs_past_it() -> None:
    """22:00 on the discharge day to 06:30, the dip at 01:00 on the next day."""
    ev = simulated_night(EVENING, hours=8.5)
    assert ev.recorded_days() == RecordedDays(TEST_DATE, DAY_AFTER, True, (TEST_DATE, DAY_AFTER))
    assert evaluate(mc(**INPATIENT), ev).determination != "qualified"
    assert evaluate(mc(**INPATIENT, test__date=DROP), ev).determination == "not_qualified"


def test_medicare_inpatient_night_with_a_clock_but_no_date() -> None:
    """Placed by test.date (the discharge day), its data may lie on the day after."""
    ev = dataclasses.replace(
        placed_night(AFTER_MIDNIGHT, 6.5, **LOW), recording_start=None, start_clock=dt.time(0, 30)
    )
    d = evaluate(mc(**INPATIENT), ev)
    assert d.determination == "indeterminate"
    assert d.rule("lcd_time_of_need").met is None
    assert any(m.startswith("recording.start") for m in d.missing), d.missing
    day_after = {**INPATIENT, "test__discharge_date": DAY_AFTER.isoformat()}
    assert evaluate(mc(**day_after), ev).determination == "qualified"


@pytest.mark.parametrize("dated", [True, False])
def test_masshealth_inpatient_night_recorded_after_the_discharge_day(dated: bool) -> None:
    """SPEC §8.3: no earlier than 2 days before discharge "and not after discharge"."""
    over = {
        "test__setting": "inpatient",
        "test__chronic_stable_state": DROP,
        "test__discharge_date": TEST_DATE.isoformat(),
    }
    if not dated:
        over["test__date"] = DROP
    ev = placed_night(AFTER_MIDNIGHT, 6.5, **LOW)
    d = evaluate(mh(**over), ev)
    assert d.determination == ("indeterminate" if dated else "not_qualified")
    assert d.rule("ii_a_2_inpatient_window").met is (None if dated else False)
    over["test__discharge_date"] = DAY_AFTER.isoformat()
    assert evaluate(mh(**over), ev).determination == "qualified"


# --------------------------------------------------------------------------------------------
# The Group II retest: therapy start + 61 ≤ every day of the data ≤ therapy start + 89
# --------------------------------------------------------------------------------------------


def retest(days_before_test_date: int, **over: Any) -> Context:
    start = TEST_DATE - dt.timedelta(days=days_before_test_date)
    return mc(
        findings={"dependent_edema": True},
        order__therapy_start_date=start.isoformat(),
        **over,
    )


@pytest.mark.parametrize("dated", [True, False])
def test_group_ii_retest_recorded_wholly_on_day_90(dated: bool) -> None:
    """test.date (or the night's evening) is day 89; every sample is on day 90 (A11)."""
    ev = placed_night(AFTER_MIDNIGHT, 6.5, **AT_89)
    c = retest(89) if dated else retest(89, test__date=DROP)
    d = evaluate(c, ev)
    assert d.determination == ("indeterminate" if dated else "not_qualified")
    assert d.rule("lcd_retest").met is (None if dated else False)
    assert d.rule("lcd_retest").values["retest_day"] == 89
    # started a day later, the data are on day 89
    assert evaluate(retest(88), ev).determination == "qualified"


def test_group_ii_retest_from_the_evening_of_day_89() -> None:
    ev = placed_night(EVENING, 8.0, **AT_89)
    assert evaluate(retest(89, test__date=DROP), ev).determination == "not_qualified"
    assert evaluate(retest(88), ev).determination == "qualified"


# --------------------------------------------------------------------------------------------
# A19: a blood gas "the same day" as a night is on a day the night holds data
# --------------------------------------------------------------------------------------------


def test_sleep_blood_gas_dated_the_evening_before_a_night_recorded_the_next_day() -> None:
    """A sleep PaO2 of 50 dated the 20th beside a normal night recorded wholly on the 21st
    decided N1 as same-day; from 22:00 on the 20th it is the night's own."""
    gas = {"blood_gas": {"date": TEST_DATE.isoformat(), "pao2_sleep_mmhg": 50,
                         "pao2_awake_mmhg": 70}, "test__performed_by": "sleep_lab"}  # fmt: skip
    d = evaluate(mc(**gas), placed_night(AFTER_MIDNIGHT, 6.5, **NORMAL))
    assert d.determination == "indeterminate"
    assert d.rule("lcd_group_i_2_sleep").values.get("sleep_blood_gas_other_day") is True
    assert evaluate(mc(**gas), placed_night(EVENING, 8.0, **NORMAL)).determination == "qualified"


# --------------------------------------------------------------------------------------------
# A22: no Group I/II value anywhere in the recording, whatever test.type says
# --------------------------------------------------------------------------------------------


CLUSTER = {"test__type": "rest", "diagnoses": ["G44.011"], "order__flow_lpm": 12}


def test_group_iii_not_beside_a_room_air_walk_at_86_in_a_rest_test() -> None:
    """Analyze → figures → rules: rest at 95 %, a walk on room air sustained at 86 %, a walk on
    oxygen at 93 %, typed rest: the walk is not judged for Group I-4, but it is hypoxemia."""
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=1320,
        seed=1,
        noise_pts=0.7,
        baseline_pct=95.0,
        sustained_drops=[SustainedDrop(480.0, 270.0, 86.0), SustainedDrop(900.0, 270.0, 93.0)],
        segments=[("rest", 0, 360), ("exercise", 420, 780), ("exercise_o2", 840, 1200)],
        start=dt.datetime.combine(TEST_DATE, dt.time(10, 0)),
    )
    ev = evidence_from_analysis(analyze(rec))
    assert ev.exercise is not None and ev.exercise.sustained_nadir_pct is not None
    assert ev.exercise.sustained_nadir_pct < 88.0
    d = evaluate(mc(**CLUSTER), ev)
    assert d.determination == "not_qualified"
    assert d.rule("lcd_group_iii").met is False
    assert d.rule("lcd_group_i_4_exercise").tested is False  # a rest test leaves it unjudged
    # the rest test alone is Group III
    alone = dataclasses.replace(ev, exercise=None, exercise_o2=None)
    assert evaluate(mc(**CLUSTER), alone).determination == "qualified"


def test_group_iii_room_air_walk_left_in_doubt_by_artifact() -> None:
    """A walk whose whole 10 s runs reach 91 % but whose valid samples fall to 88 %: not shown
    normoxemic, not shown hypoxemic."""
    walk = dataclasses.replace(seg("exercise", 91.0), sustained_nadir_low_pct=88.0)
    ev = Evidence(
        recording_start=dt.datetime.combine(TEST_DATE, dt.time(10, 0)),
        rest=seg("rest", 95.0),
        exercise=walk,
    )
    d = evaluate(mc(**CLUSTER), ev)
    assert d.determination == "indeterminate"
    assert d.rule("lcd_group_iii").met is None
    high = dataclasses.replace(walk, sustained_nadir_low_pct=90.0)
    ev = dataclasses.replace(ev, exercise=high)
    assert evaluate(mc(**CLUSTER), ev).determination == "qualified"


@pytest.mark.parametrize("kind", ["exercise", "exercise_o2"])
def test_group_iii_walk_known_only_from_below_is_not_normoxemic(kind: str) -> None:
    """No 10 s run of the walk wholly valid (one dropped sample on a step from 95 to 86 %): its
    sustained nadir is unknown, its valid samples reach 86 %. Taken as normoxemic, the walk
    beside a rest test at 95 % qualified N3, on room air or on oxygen."""
    walk = dataclasses.replace(
        seg(kind, 95.0), nadir_pct=86.0, sustained_nadir_pct=None, sustained_nadir_low_pct=86.0
    )
    ev = Evidence(
        recording_start=dt.datetime.combine(TEST_DATE, dt.time(10, 0)),
        rest=seg("rest", 95.0),
        **{kind: walk},
    )
    d = evaluate(mc(**CLUSTER), ev)
    assert d.determination == "indeterminate"
    r = d.rule("lcd_group_iii")
    assert r.met is None and any("reach 86.0 %" in m for m in r.missing)
    high = dataclasses.replace(walk, nadir_pct=91.0, sustained_nadir_low_pct=91.0)
    ev = dataclasses.replace(ev, **{kind: high})
    assert evaluate(mc(**CLUSTER), ev).determination == "qualified"
