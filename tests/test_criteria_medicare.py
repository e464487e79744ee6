"""Medicare LCD L33797 (simplified second profile): Groups I–III, three-part test, retest window."""

from __future__ import annotations

import datetime as dt

import pytest

from criteria.evaluate import evaluate
from tests.criteria_helpers import TEST_DATE, ctx, exercise_test, overnight

# Medicare wants the qualifying test within 30 days before the order (initial certification).
ORDER = (TEST_DATE + dt.timedelta(days=10)).isoformat()


def mc(**over: object) -> object:
    return ctx(payer="medicare", order__date=ORDER, **over)


@pytest.mark.parametrize(("minutes", "ok"), [(5.0, True), (4.99, False)])
def test_lcd_group_i_sleep_5_cumulative_minutes_at_88(minutes: float, ok: bool) -> None:
    d = evaluate(mc(), overnight(t_le88_min=minutes, nadir_pct=85.0))
    assert d.profile == "medicare"
    assert d.determination == ("qualified" if ok else "not_qualified")
    if ok:
        assert d.coverage == ("nocturnal",) and d.authorization_months == 12
        assert d.portable_eligible is False


def test_lcd_payer_argument_overrides_context() -> None:
    d = evaluate(ctx(), overnight(t_le88_min=6.0), profile="medicare")
    assert d.profile == "medicare"
    assert any("simplified" in w for w in d.warnings)


def test_lcd_group_i_exercise_three_part_test() -> None:
    d = evaluate(mc(test__type="exercise"), exercise_test())
    assert d.determination == "qualified" and d.coverage == ("exercise",)
    no_gain = evaluate(mc(test__type="exercise"), exercise_test(exercise_o2=86.0))
    assert no_gain.determination == "not_qualified"


@pytest.mark.parametrize(("hct", "ok"), [(56, False), (57, True)])
def test_lcd_group_ii_89_percent_with_hematocrit(hct: float, ok: bool) -> None:
    night = overnight(t_le88_min=0.0, t_lt90_min=6.0, nadir_pct=89.0)
    d = evaluate(mc(findings={"hematocrit_pct": hct}), night)
    assert d.determination == ("qualified" if ok else "not_qualified")
    if ok:
        assert d.authorization_months == 3
        assert d.rule("lcd_group_ii_sleep").met is True


@pytest.mark.parametrize(("day", "ok"), [(60, False), (61, True), (90, True), (91, False)])
def test_lcd_group_ii_retest_between_day_61_and_90(day: int, ok: bool) -> None:
    init = (TEST_DATE - dt.timedelta(days=day)).isoformat()
    night = overnight(t_le88_min=0.0, t_lt90_min=6.0, nadir_pct=89.0)
    c = mc(findings={"dependent_edema": True}, order__initial_certification_date=init)
    d = evaluate(c, night)
    assert d.rule("lcd_group_ii_retest").met is ok
    assert (d.determination == "qualified") is ok


def test_lcd_group_iii_normal_saturation_not_covered() -> None:
    d = evaluate(mc(), overnight(t_le88_min=0.0, t_lt90_min=0.0, nadir_pct=91.0))
    assert d.rule("lcd_group_iii").met is False
    assert d.determination == "not_qualified"


@pytest.mark.parametrize(("days_before", "ok"), [(0, True), (30, True), (31, False), (-1, False)])
def test_lcd_test_within_30_days_before_order(days_before: int, ok: bool) -> None:
    order = (TEST_DATE + dt.timedelta(days=days_before)).isoformat()
    d = evaluate(ctx(payer="medicare", order__date=order), overnight(t_le88_min=6.0))
    assert d.rule("lcd_test_window").met is ok


def test_lcd_has_no_pediatric_rule() -> None:
    night = overnight(t_le88_min=0.0, t_lt90_min=0.0, t_le90_min=8.0, nadir_pct=90.0)
    d = evaluate(mc(patient={"birth_date": "2016-01-01"}, diagnoses=["P27.1"]), night)
    assert d.determination == "not_qualified"
    assert not any(r.id.endswith("pediatric") for r in d.rules)


def test_lcd_room_air_false_never_qualifies() -> None:
    d = evaluate(mc(test__room_air=False), overnight(t_le88_min=30.0))
    assert d.determination == "not_qualified"


def test_lcd_basis_is_the_group_finding_that_qualified() -> None:
    sleep = evaluate(mc(), overnight(t_le88_min=6.0, nadir_pct=85.0))
    assert sleep.determination == "qualified" and sleep.basis == ("lcd_group_i_sleep",)
    assert sleep.to_dict()["basis"] == ["lcd_group_i_sleep"]
    night = overnight(t_le88_min=0.0, t_lt90_min=6.0, nadir_pct=89.0)
    group_ii = evaluate(mc(findings={"hematocrit_pct": 57}), night)
    assert group_ii.basis == ("lcd_group_ii_sleep",)
    exercise = evaluate(mc(test__type="exercise"), exercise_test())
    assert exercise.basis == ("lcd_group_i_exercise",)
    short = evaluate(mc(), overnight(t_le88_min=4.99, nadir_pct=85.0))
    assert short.determination == "not_qualified" and short.basis == ()
