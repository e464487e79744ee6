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
from pathlib import Path
from typing import Any

import pytest

from criteria.context import Context
from criteria.evaluate import Evidence, evaluate
from criteria.evidence import RecordedDays
from oxi.qualify import evidence_from_analysis
from oximetry.analysis import analyze
from oximetry.io import read_recording
from oximetry.settings import AnalysisSettings
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


def test_a_file_with_a_clock_but_no_date_is_placed_by_test_date_exactly() -> None:
    """test.date is the evening a night began (docs/criteria.md): a night from 00:30 dated the
    20th began in the night of the 20th, on the 21st; one from 22:00 runs into the 21st by its
    length; a day-time test lies on the 20th. Placed also 'dated by its morning', a night from
    22:00 two nights before discharge was held open for good (hunt 9)."""
    ev = dataclasses.replace(
        placed_night(AFTER_MIDNIGHT, 6.5, **LOW), recording_start=None, start_clock=dt.time(0, 30)
    )
    assert ev.recorded_days() is None  # nothing dates it
    assert ev.recorded_days(TEST_DATE) == RecordedDays(DAY_AFTER, DAY_AFTER, False, (DAY_AFTER,))
    ev = dataclasses.replace(ev, start_clock=dt.time(22, 0))  # 22:00 to 04:30
    both = (TEST_DATE, DAY_AFTER)
    assert ev.recorded_days(TEST_DATE) == RecordedDays(TEST_DATE, DAY_AFTER, False, both)
    rest = dataclasses.replace(seg("rest", 95.0, 5.0), start_s=0.0, end_s=300.0)
    ev = Evidence(rest=rest, start_clock=dt.time(23, 57))  # 23:57 to 00:02
    assert ev.recorded_days(TEST_DATE) == RecordedDays(TEST_DATE, DAY_AFTER, False, both)


def test_a_file_without_clock_lies_on_test_date_a_night_on_the_day_after_too() -> None:
    """A 5-minute rest test from 0 s, elapsed time only, dated the 20th lies on the 20th (it was
    placed as late as 23:59:59, on the 21st too, and held open on the discharge day); an 8-h
    night on the 20th or the 21st (its sleep began between 06:00 on the 20th and 06:00 on the
    21st), on neither in every placement: taken to lie on both, a 3-h night was "the same
    day" as a sleep PaO2 dated the 21st, which then decided it (review of hunt 9)."""
    ev = Evidence(rest=dataclasses.replace(seg("rest", 95.0, 5.0), start_s=0.0, end_s=300.0))
    assert ev.recorded_days(TEST_DATE) == RecordedDays(TEST_DATE, TEST_DATE, False, (TEST_DATE,))
    night = dataclasses.replace(placed_night(EVENING, 8.0, **LOW), recording_start=None)
    assert night.recorded_days(TEST_DATE) == RecordedDays(TEST_DATE, DAY_AFTER, False, ())
    for hours in (3.0, 8.0):  # a normal night: only the blood gas could decide
        night = dataclasses.replace(placed_night(EVENING, hours, **NORMAL), recording_start=None)
        gas = {
            "blood_gas": {"date": DAY_AFTER.isoformat(), "pao2_sleep_mmhg": 50},
            "test__performed_by": "sleep_lab",
        }
        assert evaluate(mc(**gas), night).determination != "qualified"


def test_a_file_whose_date_reads_two_ways_lies_on_the_reading_test_date_picks() -> None:
    """03/04/2026 (4 March or 3 April): on both without a test.date near one, on the one
    within a day of test.date (criteria.conflicts accepts it) when there is (hunt 9)."""
    march, april = dt.date(2026, 3, 4), dt.date(2026, 4, 3)
    ev = dataclasses.replace(
        placed_night(EVENING, 8.0, **LOW),
        recording_start=None,
        start_clock=dt.time(22, 0),
        possible_dates=(march, april),
    )
    days = ev.recorded_days(TEST_DATE)  # far from both: the file's dates, not test.date
    assert days == RecordedDays(march, april + dt.timedelta(days=1), False, ())
    after = april + dt.timedelta(days=1)
    assert ev.recorded_days(april) == RecordedDays(april, after, False, (april, after))


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
    """From 00:30, test.date the discharge day (its evening): its data lie on the day after.
    What it needs is what the user can give (test.date or the discharge date), never
    recording.start, which no context key or option sets."""
    ev = dataclasses.replace(
        placed_night(AFTER_MIDNIGHT, 6.5, **LOW), recording_start=None, start_clock=dt.time(0, 30)
    )
    d = evaluate(mc(**INPATIENT), ev)
    assert d.determination == "indeterminate"
    assert d.rule("lcd_time_of_need").met is None
    assert not any(m.startswith("recording.start") for m in d.missing), d.missing
    assert any(m.startswith("test.date or test.discharge_date") for m in d.missing), d.missing
    day_after = {**INPATIENT, "test__discharge_date": DAY_AFTER.isoformat()}
    assert evaluate(mc(**day_after), ev).determination == "qualified"


DISCHARGE = TEST_DATE  # the 20th


def rest_test(clock: dt.time | None = None, level: float = 86.0) -> Evidence:
    """A 10-minute rest test at ``level`` (Group I-1, II.A.2.a.i), its file without a date."""
    rest = dataclasses.replace(seg("rest", level, 10.0), start_s=0.0, end_s=600.0)
    return Evidence(rest=rest, start_clock=clock, recording_min=10.0)


@pytest.mark.parametrize("payer", ["medicare", "masshealth"])
def test_inpatient_rest_test_without_clock_on_the_discharge_day(payer: str) -> None:
    """An elapsed-only rest test dated the discharge day lies on it: placed as late as 23:59:59
    it ran into the next day and was held open, naming recording.start (hunt 9)."""
    over = {"test__type": "rest", "test__date": DISCHARGE.isoformat()}
    if payer == "medicare":
        c, rule = mc(**INPATIENT, **over), "lcd_time_of_need"
    else:
        inpatient = {"test__setting": "inpatient", "test__chronic_stable_state": DROP}
        c = mh(**inpatient, test__discharge_date=DISCHARGE.isoformat(), **over)
        rule = "ii_a_2_inpatient_window"
    d = evaluate(c, rest_test())
    assert d.rule(rule).met is True, d.rule(rule).reason
    assert d.determination == "qualified", d.missing
    assert evaluate(c, rest_test(dt.time(10, 0))).determination == "qualified"


@pytest.mark.parametrize("payer", ["medicare", "masshealth"])
def test_inpatient_night_with_a_clock_two_nights_before_discharge(payer: str) -> None:
    """A night from 22:00 (no date) dated the 18th, by its evening as the docs say, holds data
    on the 18th and 19th, inside; 'dated by its morning' it was held open (hunt 9)."""
    ev = dataclasses.replace(
        placed_night(EVENING, 8.0, **LOW), recording_start=None, start_clock=dt.time(22, 0)
    )
    td = (DISCHARGE - dt.timedelta(days=2)).isoformat()
    if payer == "medicare":
        d, rule = evaluate(mc(**INPATIENT, test__date=td), ev), "lcd_time_of_need"
    else:
        inpatient = {"test__setting": "inpatient", "test__chronic_stable_state": DROP}
        c = mh(**inpatient, test__discharge_date=DISCHARGE.isoformat(), test__date=td)
        d, rule = evaluate(c, ev), "ii_a_2_inpatient_window"
    assert d.rule(rule).met is True, d.rule(rule).reason
    assert d.determination == "qualified", d.missing


def test_inpatient_rest_test_whose_file_date_reads_two_ways(tmp_path: Path) -> None:
    """Analyze → figures → rules: an EMAY rest test at 10:00 stamped 11/04/2026 (4 November or
    11 April), test.date 2026-11-04, discharged the 5th: placed on 11 April too it was held
    open for good, naming recording.start (hunt 9)."""
    start = dt.datetime(2026, 11, 4, 10, 0)
    lines = ["Date,Time,SpO2(%),PR(bpm)"]
    for i in range(600):
        t = start + dt.timedelta(seconds=i)
        lines.append(f"{t:%m/%d/%Y,%I:%M:%S %p},{86 if (i // 7) % 2 else 87},80")
    path = tmp_path / "emay.csv"
    path.write_text("\n".join(lines) + "\n")
    rest = AnalysisSettings(test_type="rest", segments_s=(("rest", 0.0, 600.0),))
    ev = evidence_from_analysis(analyze(read_recording(path), rest))
    assert ev.recording_start is None and set(ev.possible_dates) == {
        dt.date(2026, 4, 11),
        dt.date(2026, 11, 4),
    }
    nov5 = "2026-11-05"
    over = {"test__discharge_date": nov5, "test__evaluated_date": nov5, "order__date": nov5}
    c = mc(**{**INPATIENT, **over}, test__type="rest", test__date="2026-11-04")
    d = evaluate(c, ev)
    assert d.rule("lcd_time_of_need").met is True, d.rule("lcd_time_of_need").reason
    assert d.determination == "qualified", d.missing


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


def test_overnight_test_is_dated_by_its_night_not_a_morning_rest_segment() -> None:
    """A night from 22:00 on the 20th to 06:30, its file also holding a rest test at 06:35 on
    the 21st (which an overnight test's rules do not judge), was dated by the morning: ordered
    91 days after the night, it qualified on "90 days from the order" (hunt 13)."""
    ev = placed_night(EVENING, 8.5, **LOW)
    rest = dataclasses.replace(seg("rest", 95.0), start_s=8.5 * 3600 + 300, end_s=8.5 * 3600 + 660)
    with_rest = dataclasses.replace(ev, rest=rest)
    order = (TEST_DATE + dt.timedelta(days=91)).isoformat()
    c = mh(test__date=DROP, order__date=order)
    for night in (ev, with_rest):
        d = evaluate(c, night)
        assert d.test_date == TEST_DATE
        assert d.rule("ii_a_2_order_window").met is False
        assert d.determination == "not_qualified"
    assert with_rest.for_test_type("overnight").test_day == TEST_DATE
    assert with_rest.for_test_type("rest").test_day == DAY_AFTER  # a rest test is its segment's


FIRST_DAY = DISCHARGE - dt.timedelta(days=2)  # the window's first day, the 18th


@pytest.mark.parametrize("given", ["data", "evening", None])
def test_inpatient_night_wholly_on_the_windows_first_day(given: str | None) -> None:
    """00:30-07:00 on discharge − 2, dated by its evening (discharge − 3): every recorded day is
    inside, and it was denied "3 days before discharge" under both payers (hunt 9)."""
    ev = placed_night(dt.datetime.combine(FIRST_DAY, dt.time(0, 30)), 6.5, **LOW)
    assert ev.test_day == FIRST_DAY - dt.timedelta(days=1)
    day = {"data": FIRST_DAY, "evening": ev.test_day, None: None}[given]
    td = {"test__date": day.isoformat() if day else DROP}
    d = evaluate(mc(**INPATIENT, **td), ev)
    assert d.rule("lcd_time_of_need").met is True, d.rule("lcd_time_of_need").reason
    assert d.determination == "qualified", (d.missing, d.conflicts)
    inpatient = {"test__setting": "inpatient", "test__chronic_stable_state": DROP}
    d = evaluate(mh(**inpatient, test__discharge_date=DISCHARGE.isoformat(), **td), ev)
    assert d.rule("ii_a_2_inpatient_window").met is True
    assert d.determination == "qualified", (d.missing, d.conflicts)


def test_inpatient_rest_test_inside_beside_a_test_date_outside() -> None:
    """The mirror of a test.date inside beside data outside: a rest test recorded at 10:00 two
    days before discharge, test.date three days before (not the recording's date), is a
    conflict of the two, never met nor a bare denial."""
    ev = Evidence(
        recording_start=dt.datetime.combine(FIRST_DAY, dt.time(10, 0)),
        rest=dataclasses.replace(seg("rest", 86.0, 10.0), start_s=0.0, end_s=600.0),
        recording_min=10.0,
    )
    before = (FIRST_DAY - dt.timedelta(days=1)).isoformat()
    d = evaluate(mc(**INPATIENT, test__type="rest", test__date=before), ev)
    assert d.rule("lcd_time_of_need").met is None
    assert d.determination == "indeterminate"
    assert ("test.date", "recording.start") in [c.keys for c in d.conflicts]
    on = FIRST_DAY.isoformat()
    assert (
        evaluate(mc(**INPATIENT, test__type="rest", test__date=on), ev).determination == "qualified"
    )


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


@pytest.mark.parametrize("dated", [True, False])
def test_group_ii_retest_recorded_wholly_on_day_61(dated: bool) -> None:
    """00:30-07:00 on day 61, dated by its evening day 60: every recorded day is inside and it
    was denied "Retest on day 60" (hunt 9)."""
    ev = placed_night(AFTER_MIDNIGHT, 6.5, **AT_89)  # on the 21st
    c = retest(60, test__date=DAY_AFTER.isoformat()) if dated else retest(60, test__date=DROP)
    d = evaluate(c, ev)
    assert d.rule("lcd_retest").met is True, d.rule("lcd_retest").reason
    assert d.determination == "qualified", (d.missing, d.conflicts)


def test_group_ii_retest_rest_test_without_clock_on_day_89() -> None:
    """An elapsed-only rest test at 89 % dated day 89 lies on day 89 (placed as late as 23:59:59
    it reached day 90 and was held open, hunt 9)."""
    ev = Evidence(
        rest=dataclasses.replace(seg("rest", 89.0, 10.0), start_s=0.0, end_s=600.0),
        recording_min=10.0,
    )
    d = evaluate(retest(89, test__type="rest"), ev)
    assert d.rule("lcd_retest").met is True, d.rule("lcd_retest").reason
    assert d.determination == "qualified", d.missing


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


def test_sleep_blood_gas_dated_the_morning_of_a_night_from_the_evening() -> None:
    """A sleep PaO2 of 50 dated the 21st, drawn during a night from 22:00 on the 20th to 06:00
    on the 21st (test.date the 20th, its evening), is the night's own: it was "another day",
    and the missing asked for a blood_gas.date equal to test.date on a day the test holds data,
    which the 21st is (hunt 9). A day the night holds no data on stays another day."""
    gas = {"blood_gas": {"date": DAY_AFTER.isoformat(), "pao2_sleep_mmhg": 50,
                         "pao2_awake_mmhg": 70}, "test__performed_by": "sleep_lab"}  # fmt: skip
    night = placed_night(EVENING, 8.0, **NORMAL)
    d = evaluate(mc(**gas), night)
    rule = d.rule("lcd_group_i_2_sleep")
    assert rule.values.get("sleep_blood_gas_decides") is True, rule.values
    assert d.determination == "qualified", (d.missing, d.conflicts)
    two_days = {**gas, "blood_gas": {**gas["blood_gas"], "date": "2026-11-22"}}
    d = evaluate(mc(**two_days), night)
    assert d.rule("lcd_group_i_2_sleep").values.get("sleep_blood_gas_other_day") is True
    assert d.determination == "indeterminate"


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


def test_a_rest_test_holds_data_on_its_own_days_not_the_nights_before_it() -> None:
    """A rest test at 06:35 on the 2nd, its file also holding the night from 22:00 on the 1st,
    ordered 90 days after the rest test: the night was counted among the rest test's recorded
    days, and the order window failed on the 1st (review of hunt 13)."""
    start = dt.datetime(2026, 3, 1, 22)
    night = placed_night(start, 8.5, **LOW)
    rest = dataclasses.replace(seg("rest", 86.0), start_s=8.5 * 3600 + 300, end_s=8.5 * 3600 + 660)
    with_rest = dataclasses.replace(night, rest=rest)
    order = (dt.date(2026, 3, 2) + dt.timedelta(days=90)).isoformat()
    c = mh(test__date=DROP, test__type="rest", order__date=order)
    for ev in (with_rest, dataclasses.replace(with_rest, sleep=None)):
        d = evaluate(c, ev)
        assert d.test_date == dt.date(2026, 3, 2)
        assert d.rule("ii_a_2_order_window").met is True
    days = with_rest.for_test_type("rest").recorded_days()
    assert days is not None and (days.first, days.last) == (dt.date(2026, 3, 2),) * 2
