"""The Medicare LCD L33797 (Oxygen and Oxygen Equipment) profile — simplified (SPEC §8.4).

Implemented: Group I (rest; sleep ≥ 5 cumulative minutes ≤ 88 %; the exercise three-part test),
Group II (PaO2 56–59 mmHg / SpO2 89 % at rest, in sleep for 5 minutes or in exercise, with
dependent edema, pulmonary hypertension/cor pulmonale or hematocrit > 56 %), Group III (presumed
non-coverage), the Group II retest window (days 61–90 after initial certification), room air,
chronic stable state, the inpatient 2-day window and a 30-day pre-order test window.
Simplified (reported as a warning with every Medicare determination): no pediatric or cluster-
headache rule, the qualifying condition is read from the same ICD-10-CM table as MG-OXY, the
testing-provider (IDTF) and face-to-face requirements are not checked, and no non-coverage items
beyond Group III.
"""

from __future__ import annotations

from typing import Any

from .base import Inputs, Outcome, Rule, kleene_or
from .common import days_between
from .masshealth import ALTERNATIVES
from .masshealth_conditions import CONDITION_RULES, TEST_CONDITION_RULES
from .masshealth_coverage import POST_RULES
from .masshealth_documentation import DOCUMENTATION_RULES
from .masshealth_findings import FINDING_RULES
from .profile import Path, Profile

__all__ = ["MEDICARE"]

_DOCS = {r.id: r for r in DOCUMENTATION_RULES}
_BY_ID = {r.id: r for r in (*CONDITION_RULES, *TEST_CONDITION_RULES, *FINDING_RULES, *POST_RULES)}


def _as(src: str, new_id: str, citation: str, title: str | None = None) -> Rule:
    r = _BY_ID[src]
    return Rule(new_id, citation, title or r.title, r.inputs, r.check)


def _window_30(inp: Inputs) -> Outcome:
    o = inp.context.order.date
    v: dict[str, Any] = {"order_date": o, "test_date": inp.test_date}
    missing = (() if o is not None else ("order.date",)) + (() if inp.test_date else ("test.date",))
    if o is None or inp.test_date is None:
        return Outcome(None, "The order and test dates are both needed.", v, missing)
    before = days_between(inp.test_date, o)
    v["days_test_before_order"] = before
    if 0 <= before <= 30:
        return Outcome(True, f"The test is {before} days before the order (within 30).", v)
    return Outcome(
        False,
        "The qualifying test must be within 30 days before the initial "
        f"certification (order); it is {before} days before.",
        v,
    )


def _retest(inp: Inputs) -> Outcome:
    init = inp.context.order.initial_certification_date
    v: dict[str, Any] = {"initial_certification_date": init, "test_date": inp.test_date}
    if init is None:
        return Outcome(
            True,
            "Not applicable: an initial certification (no order.initial_certification_date); "
            "Group II needs a retest between days 61 and 90 after it.",
            v,
            applicable=False,
        )
    if inp.test_date is None:
        return Outcome(None, "The test date is needed.", v, ("test.date",))
    d = days_between(init, inp.test_date)
    v["days_after_initial_certification"] = d
    if 61 <= d <= 90:
        return Outcome(True, f"Retest on day {d} after initial certification (days 61–90).", v)
    return Outcome(False, f"Retest on day {d} after initial certification, outside days 61–90.", v)


_GROUP_I_II = (
    "lcd_group_i_rest",
    "lcd_group_i_sleep",
    "lcd_group_i_exercise",
    "lcd_group_ii_rest",
    "lcd_group_ii_sleep",
    "lcd_group_ii_exercise",
)


def _group_iii(inp: Inputs) -> Outcome:
    q = kleene_or(inp.met(r) for r in _GROUP_I_II)
    v = {"group_i_or_ii_finding": q}
    if q is False:
        return Outcome(False, "No Group I or II finding: Group III, presumed non-coverage.", v)
    if q is True:
        return Outcome(True, "Not Group III: a Group I or II finding is present.", v)
    return Outcome(None, "Group I/II findings not yet evaluable.", v)


def _authorization(inp: Inputs) -> Outcome:
    st = inp.state
    v: dict[str, Any] = {"qualifying_paths": st["met_paths"]}
    if st["qualified"] is not True:
        v["authorization_months"] = None
        return Outcome(None, "Not applicable: not qualified.", v, tested=False, applicable=False)
    if any(p.startswith("group_i_") for p in st["met_paths"]):
        v["authorization_months"] = 12
        return Outcome(True, "Group I: initial certification for 12 months.", v)
    v["authorization_months"] = 3
    return Outcome(True, "Group II: initial certification for 3 months (retest in days 61–90).", v)


def _group_ii(inp: Inputs, src: str) -> Outcome:
    # MG-OXY's a.iii check reads the A–C rule by its MG-OXY id; give it the Medicare result.
    results = dict(inp.results)
    results["ii_a_2_a_iii_conditions"] = inp.results["lcd_group_ii_conditions"]
    shim = Inputs(inp.context, inp.evidence, inp.test_date, inp.readings, results, inp.state)
    return _BY_ID[src].check(shim)


def _as_group_ii(where: str, citation: str, title: str) -> Rule:
    """Return MG-OXY's Group II check ``ii_a_2_a_iii_<where>`` as ``lcd_group_ii_<where>``."""
    src = f"ii_a_2_a_iii_{where}"
    return Rule(
        f"lcd_group_ii_{where}",
        f"LCD L33797 Group II ({citation})",
        title,
        _BY_ID[src].inputs,
        lambda i: _group_ii(i, src),
    )


RULES = (
    _as("ii_a_1_condition", "lcd_condition", "LCD L33797 (qualifying condition)"),
    _as("ii_a_2_room_air", "lcd_room_air", "LCD L33797 (testing on room air)"),
    Rule(
        "lcd_test_window",
        "LCD L33797 (within 30 days before initial certification)",
        "test within 30 days before the order",
        ("order.date", "test.date"),
        _window_30,
    ),
    _as(
        "ii_a_2_inpatient_window",
        "lcd_inpatient_window",
        "LCD L33797 (inpatient: within 2 days before discharge)",
    ),
    _as(
        "ii_a_2_chronic_stable_state",
        "lcd_chronic_stable_state",
        "LCD L33797 (chronic stable state)",
    ),
    _as("ii_a_2_overnight_valid_time", "lcd_overnight_valid_time", "LCD L33797 (overnight ≥ 2 h)"),
    _as("ii_a_2_a_i_rest", "lcd_group_i_rest", "LCD L33797 Group I.a (awake at rest)"),
    _as("ii_a_2_b_ii_b_1_sleep", "lcd_group_i_sleep", "LCD L33797 Group I.b (sleep ≥ 5 min)"),
    _as("ii_a_2_b_i_exercise", "lcd_group_i_exercise", "LCD L33797 Group I.c (exercise, room air)"),
    _as(
        "ii_a_2_b_ii_a_improvement",
        "lcd_exercise_improvement",
        "LCD L33797 Group I.c (three-part test: improvement on oxygen)",
    ),
    _as("ii_a_2_a_iii_conditions", "lcd_group_ii_conditions", "LCD L33797 Group II (a–c)"),
    _as_group_ii("rest", "at rest", "89 % / 56–59 mmHg at rest"),
    _as_group_ii("sleep", "sleep ≥ 5 min", "89 % for 5 min in sleep"),
    _as_group_ii("exercise", "exercise", "89 % / 56–59 mmHg in exercise"),
    Rule(
        "lcd_group_ii_retest",
        "LCD L33797 Group II (retest days 61–90)",
        "Group II retest window",
        ("order.initial_certification_date", "test.date"),
        _retest,
    ),
    Rule(
        "lcd_group_iii",
        "LCD L33797 Group III",
        "not Group III (presumed non-coverage)",
        _GROUP_I_II,
        _group_iii,
    ),
)


_GATES = (
    "lcd_condition",
    "lcd_room_air",
    "lcd_test_window",
    "lcd_inpatient_window",
    "lcd_chronic_stable_state",
)
PATHS = (
    Path("group_i_rest", "continuous", (*_GATES, "lcd_group_i_rest"), "lcd_group_i_rest", "rest"),
    Path(
        "group_i_sleep", "nocturnal", (*_GATES, "lcd_group_i_sleep"), "lcd_group_i_sleep", "sleep"
    ),
    Path(
        "group_i_exercise",
        "exercise",
        (*_GATES, "lcd_group_i_exercise", "lcd_exercise_improvement"),
        "lcd_group_i_exercise",
        "exercise",
    ),
    Path(
        "group_ii_rest",
        "continuous",
        (*_GATES, "lcd_group_ii_retest", "lcd_group_ii_rest"),
        "lcd_group_ii_rest",
        "rest",
    ),
    Path(
        "group_ii_sleep",
        "nocturnal",
        (*_GATES, "lcd_group_ii_retest", "lcd_group_ii_sleep"),
        "lcd_group_ii_sleep",
        "sleep",
    ),
    Path(
        "group_ii_exercise",
        "exercise",
        (*_GATES, "lcd_group_ii_retest", "lcd_group_ii_exercise", "lcd_exercise_improvement"),
        "lcd_group_ii_exercise",
        "exercise",
    ),
)

POST = (
    _as(
        "ii_b_7_portable_sleep_only",
        "lcd_portable_sleep_only",
        "LCD L33797 (portable not covered when qualified during sleep only)",
    ),
    Rule(
        "lcd_authorization",
        "LCD L33797 (initial certification length)",
        "certification length",
        (),
        _authorization,
    ),
    _as("app_a_a_stationary", "lcd_stationary", "LCD L33797 (stationary equipment)"),
    _as("app_a_b_portable", "app_a_b_portable", "LCD L33797 (portable equipment, mobile patient)"),
    _as(
        "app_a_c_portable_concentrator",
        "lcd_portable_concentrator",
        "LCD L33797 (portable concentrator E1392)",
    ),
)

MEDICARE = Profile(
    name="medicare",
    rules=RULES,
    paths=PATHS,
    exclusions=("lcd_group_iii",),
    post_rules=POST,
    documentation=(
        Rule(
            "lcd_written_order",
            "LCD L33797 (standard written order)",
            "signed written order",
            _DOCS["iii_a_signed_prescription"].inputs,
            _DOCS["iii_a_signed_prescription"].check,
        ),
        Rule(
            "lcd_flow_hours",
            "LCD L33797 (order: flow rate and frequency)",
            "liter flow and hours per day",
            _DOCS["iii_b_4_flow_hours"].inputs,
            _DOCS["iii_b_4_flow_hours"].check,
        ),
    ),
    authorization_rule="lcd_authorization",
    portable_rule="app_a_b_portable",
    hcpcs_rules=("lcd_stationary", "app_a_b_portable", "lcd_portable_concentrator"),
    alternatives=tuple(a for a in ALTERNATIVES if a.option == "sleep_duration"),
    notes=(
        "Medicare LCD L33797 profile is simplified: Groups I–III, the exercise three-part test, "
        "the Group II retest window and the test windows only; no pediatric or cluster-headache "
        "rule; testing-provider and face-to-face requirements are not checked.",
    ),
)
