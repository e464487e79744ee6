"""MG-OXY II.A.1 (qualifying conditions, ICHD-3) and the II.A.2 test conditions."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from .base import Inputs, Outcome, Rule, minutes_text
from .common import AGE, ATTESTATION, Conditions, conditions
from .shared import days_before, days_between, recorded_outside, recorded_within

__all__ = ["CONDITION_RULES", "TEST_CONDITION_RULES"]

_CAT_TEXT = {
    "severe_lung_disease": "severe lung disease (II.A.1.a)",
    "hypoxia_related": "a hypoxia-related symptom or finding (II.A.1.b)",
    "short_term": "a short-term hypoxia-related condition (II.A.1.c)",
}


def _category(cat: str) -> Any:
    def check(inp: Inputs) -> Outcome:
        c = conditions(inp.context, inp.test_date)
        found = c.by_category.get(cat, [])
        values: dict[str, Any] = {"documented": found}
        if cat == "hypoxia_related" and c.supporting:
            values["supporting_findings"] = c.supporting
        if found:
            return Outcome(True, f"Documents {_CAT_TEXT[cat]}: {'; '.join(found)}.", values)
        if not c.given:
            return Outcome(
                None,
                "No diagnoses given (symptoms or findings do not stand in for a diagnosis).",
                values,
                ("diagnoses",),
            )
        return Outcome(False, f"No diagnosis maps to {_CAT_TEXT[cat]}.", values)

    return check


def _ichd3(inp: Inputs) -> Outcome:
    ch = inp.context.cluster_headache
    if ch is None:
        return Outcome(False, "No cluster-headache criteria are documented (cluster_headache).", {})
    items = {
        "A_at_least_5_attacks": (ch.attacks or 0) >= 5,
        "B_unilateral_orbital_pain_15_180_min": ch.unilateral_orbital_pain_15_180_min is True,
        "C_autonomic_signs_or_restlessness": ch.ipsilateral_autonomic_signs is True
        or ch.restlessness_or_agitation is True,
        "D_frequency_every_other_day_to_8_per_day": ch.frequency_every_other_day_to_8_per_day
        is True,
        "E_not_better_accounted_for": ch.not_better_accounted_for is True,
    }
    values: dict[str, Any] = {"attacks": ch.attacks, **items}
    keys = list(items)
    if inp.readings.ichd3_d_e == "d_or_e":
        met = all(items[k] for k in keys[:3]) and (items[keys[3]] or items[keys[4]])
        how = "A, B, C and (D or E) (the literal 'D; or E')"
    else:
        met = all(items.values())
        how = "all of ICHD-3 A–E"
    failing = [k.split("_")[0] for k in keys if not items[k]]
    values["reading"] = how
    if not met:
        return Outcome(
            False, f"ICHD-3 criteria not met ({how} needed; failing: {', '.join(failing)}).", values
        )
    codes = conditions(inp.context, inp.test_date).by_category.get("cluster_headache", [])
    values["codes"] = codes
    if codes:
        return Outcome(True, f"Cluster headache ({'; '.join(codes)}) meets {how}.", values)
    return Outcome(
        None,
        f"The items meet {how}, but no cluster-headache diagnosis (G44.00x–G44.02x) is coded: "
        "the prescription must specify the diagnosis.",
        values,
        ("diagnoses: a cluster-headache code G44.00x-G44.02x",),
    )


_PEDIATRIC_ITEMS = (
    "(a.vi 'pediatric' BPD, b.vii pulmonary insufficiency of prematurity; II.A.2.d: pediatric "
    "is under 21)"
)


def _pediatric_note(c: Conditions) -> str:
    """Say why a pediatric list item's code (P27.1, P28.0) did not place a member 21 or older."""
    if not c.adult:
        return ""
    return (
        f" II.A.1 lists {', '.join(c.adult)} for members under 21 only {_PEDIATRIC_ITEMS}, and "
        "the member is 21 or older."
    )


def _condition(inp: Inputs) -> Outcome:
    c = conditions(inp.context, inp.test_date)
    values: dict[str, Any] = {k: v for k, v in c.by_category.items() if k in _CAT_TEXT}
    values["unlisted"] = c.unlisted
    if c.adult:
        values["pediatric_codes_member_21_or_older"] = list(c.adult)
    if c.incomplete:
        values["incomplete"] = list(c.incomplete)
    values["pending"] = dict(c.pending)
    values["attested_condition"] = c.attested
    if c.supporting:
        values["supporting_findings"] = c.supporting
    if c.incomplete:  # checked first: a heading may hide an exacerbation of a listed code
        return Outcome(
            None,
            f"{', '.join(c.incomplete)} is a heading of the code set, not a complete code: the "
            "diagnosis must be coded to its full specificity.",
            values,
            tuple(f"diagnoses: a complete code in place of {x}" for x in c.incomplete),
        )
    met = [_CAT_TEXT[k] for k in _CAT_TEXT if c.has(k)]
    if met:
        return Outcome(True, f"The member has {' and '.join(met)}.", values)
    if not c.given:
        return Outcome(
            None,
            "No diagnoses given: the prescription must specify the diagnosis, and symptoms or "
            "findings do not stand in for it.",
            values,
            ("diagnoses",),
        )
    if c.attested_unlisted:
        return Outcome(
            True,
            f"The treating clinician attests that {', '.join(c.unlisted)} (outside II.A.1's "
            "lists, which are 'not limited to') is expected to improve with oxygen.",
            values,
        )
    if c.unlisted:
        needs = [k for k in dict.fromkeys(c.pending.values()) if k != ATTESTATION]
        # a code waiting on the age only is on the lists for some ages: "P27.1 is not on
        # II.A.1's lists as coded" read as if it were not on them at all (hunt 9)
        young = [k for k, v in c.pending.items() if v in (AGE, "test.date")]
        other = [k for k in c.unlisted if k not in young]
        says = [f"{', '.join(other)} is not on II.A.1's lists as coded"] if other else []
        if young:
            says.append(
                f"II.A.1 lists {', '.join(young)} for members under 21 only {_PEDIATRIC_ITEMS}, "
                "and the member's age is not known: the age decides"
            )
        return Outcome(
            None,
            "; ".join(says)
            + "; it qualifies only with "
            + " or ".join([*needs, "the clinician's attestation"])
            + "."
            + _pediatric_note(c),
            values,
            (*needs, f"{ATTESTATION} (the clinician attests the condition, II.A.1)"),
        )
    return Outcome(
        False,
        "The diagnoses are not II.A.1 conditions (headaches have their own clause, II.A.1.d; "
        "II.B lists the others as non-coverage).",
        values,
    )


CONDITION_RULES = (
    Rule(
        "ii_a_1_a_severe_lung_disease",
        "MG-OXY II.A.1.a",
        "severe lung disease",
        ("diagnoses",),
        _category("severe_lung_disease"),
    ),
    Rule(
        "ii_a_1_b_hypoxia_related",
        "MG-OXY II.A.1.b",
        "hypoxia-related symptom or finding",
        ("diagnoses", "findings.pulmonary_hypertension", "findings.hematocrit_pct", "symptoms"),
        _category("hypoxia_related"),
    ),
    Rule(
        "ii_a_1_c_short_term",
        "MG-OXY II.A.1.c",
        "short-term hypoxia-related condition",
        ("diagnoses",),
        _category("short_term"),
    ),
    Rule(
        "ii_a_1_d_cluster_headache",
        "MG-OXY II.A.1.d.i (ICHD-3)",
        "ICHD-3 cluster headache A–E",
        ("cluster_headache",),
        _ichd3,
    ),
    Rule(
        "ii_a_1_condition",
        "MG-OXY II.A.1",
        "a qualifying condition (a, b or c)",
        ("diagnoses", "findings", "symptoms"),
        _condition,
    ),
)


# --------------------------------------------------------------------------------------------
# II.A.2 test conditions
# --------------------------------------------------------------------------------------------


def _room_air(inp: Inputs) -> Outcome:
    t = inp.context.test
    values = {"room_air": t.room_air, "room_air_contraindicated": t.room_air_contraindicated}
    if t.room_air is True:
        return Outcome(True, "The test was taken on room air.", values)
    if t.room_air is False and t.room_air_contraindicated is True:
        return Outcome(
            True, "Not on room air, which is documented as medically contraindicated.", values
        )
    if t.room_air is False:
        return Outcome(
            False,
            "The test was not on room air and room air is not documented as contraindicated.",
            values,
        )
    return Outcome(
        None, "Whether the test was on room air is not given.", values, ("test.room_air",)
    )


def _member_age(inp: Inputs) -> Outcome:
    """Return whether the member's age on the test date is known: every measured path needs it."""
    p = inp.context.patient
    age = p.age_at(inp.test_date)
    values, shown = p.age_shown(inp.test_date)
    if p.born_after(inp.test_date):
        # read alike from a summary (born_after_test), so `oxi verify` recomputes this reason
        return Outcome(None, "The birth date is after the test date: no age.", values)
    if age is None and p.has_birth_date():
        # the birth date needs the test date, which its own gate lists as missing
        return Outcome(None, "The member's age needs the test date.", values)
    if age is None:
        return Outcome(
            None,
            "The member's age is not given (the pediatric criteria, II.A.2.d, decide on it).",
            values,
            ("patient.birth_date or age_years",),
        )
    return Outcome(True, f"The member is {shown} on the test date.", values)


def _prescription(inp: Inputs) -> Outcome:
    o = inp.context.order
    values = {
        "prescriber": o.prescriber,
        "practitioner": o.practitioner,
        "flow_lpm": o.flow_lpm,
        "hours_per_day": o.hours_per_day,
        "diagnoses": list(inp.context.diagnoses or ()),
    }
    missing = [
        k
        for k, v in (
            ("order.prescriber", o.prescriber),
            ("diagnoses", inp.context.diagnoses),
            ("order.flow_lpm (more than 0 L/min)", o.flow_lpm),
            ("order.hours_per_day (more than 0)", o.hours_per_day),
        )
        if not v  # None, an empty list, or 0 L/min / 0 hours: nothing prescribed
    ]
    if missing:
        return Outcome(
            None,
            f"The prescription does not specify {', '.join(missing)}: MG-OXY II.A.2 requires "
            "the diagnosis, the flow rate and the frequency/duration, so no path can qualify yet.",
            values,
            tuple(missing),
        )
    return Outcome(
        True,
        f"Prescribed by a {o.prescriber.replace('_', ' ')} with diagnosis, "  # type: ignore[union-attr]
        f"{o.flow_lpm:g} L/min and {o.hours_per_day:g} h/day.",
        values,
    )


def _test_date_missing(inp: Inputs) -> tuple[str, ...]:
    return () if inp.test_date is not None else ("test.date",)


def _order_window(inp: Inputs) -> Outcome:
    o = inp.context.order.date
    missing = (() if o is not None else ("order.date",)) + _test_date_missing(inp)
    values: dict[str, Any] = {"order_date": o, "test_date": inp.test_date}
    if o is None or inp.test_date is None:
        return Outcome(None, "The order and test dates are both needed.", values, missing)
    d = days_between(o, inp.test_date)
    values["days_test_after_order"] = d
    if inp.readings.order_window == "before_order":
        values["reading"] = "test 0–90 days before the order"
        ok = -90 <= d <= 0
        last = o
    else:
        values["reading"] = "|order − test| ≤ 90 days"
        ok = abs(d) <= 90
        last = o + _dt.timedelta(days=90)
    if ok and inp.context.test.type in ("rest", "exercise"):
        # every day a rest or exercise test's parts were recorded on lies in the window: a rest
        # part on day 90 dated a test whose walks, on day 91, qualified (hunt 13). A night stays
        # dated by its evening (a night begun on day 90 is a test of day 90).
        first = o - _dt.timedelta(days=90)
        out = recorded_outside(
            inp, first, last, "within 90 days of the order", values, "order.date"
        )
        if out is not None:
            return out
    if ok:
        return Outcome(True, f"The test is {abs(d)} days from the order (within 90).", values)
    return Outcome(
        False,
        f"The test is {abs(d)} days {'after' if d > 0 else 'before'} the order, "
        f"outside the window ({values['reading']}).",
        values,
    )


def _inpatient(inp: Inputs) -> Outcome:
    t = inp.context.test
    values: dict[str, Any] = {
        "setting": t.setting,
        "discharge_date": t.discharge_date,
        "test_date": inp.test_date,
    }
    if t.setting is None:
        return Outcome(
            None, "The test setting (inpatient/outpatient) is not given.", values, ("test.setting",)
        )
    if t.setting == "outpatient":
        return Outcome(True, "Not applicable: an outpatient test.", values, applicable=False)
    missing: tuple[str, ...] = () if t.discharge_date is not None else ("test.discharge_date",)
    missing += _test_date_missing(inp)
    if t.discharge_date is None or inp.test_date is None:
        return Outcome(
            None, "An inpatient test needs the discharge and test dates.", values, missing
        )
    before = days_between(inp.test_date, t.discharge_date)
    values["days_before_discharge"] = before
    # judged by the days the data were recorded on when a recording dates them: a night from
    # 00:30 on the day after discharge is dated by its evening, the discharge day ("not
    # after" it, SPEC §8.3), and one from 00:30 two days before by the evening three days
    # before, denied though wholly inside (hunt 9)
    lo = t.discharge_date - _dt.timedelta(days=2)
    window = "within the 2 days before discharge"
    days = recorded_within(inp, lo, t.discharge_date, window, values, "test.discharge_date")
    if isinstance(days, Outcome):
        return days
    if days is not None:
        return Outcome(
            True,
            f"Recorded on {days.text()}, {days_before(days, t.discharge_date)} day(s) before "
            "discharge (no earlier than 2).",
            values,
        )
    if 0 <= before <= 2:
        out = recorded_outside(inp, lo, t.discharge_date, window, values, "test.discharge_date")
        if out is not None:
            return out
        return Outcome(True, f"Taken {before} day(s) before discharge (no earlier than 2).", values)
    return Outcome(
        False,
        f"Taken {before} days before discharge; the test must be no earlier than "
        "2 days before discharge and not after it.",
        values,
    )


def _chronic_stable(inp: Inputs) -> Outcome:
    t = inp.context.test
    c = conditions(inp.context, inp.test_date)
    values: dict[str, Any] = {
        "setting": t.setting,
        "chronic_stable_state": t.chronic_stable_state,
        "chronic_condition": c.chronic,
        "acute_condition": c.acute,
    }
    if t.setting is None:
        return Outcome(None, "The test setting is not given.", values, ("test.setting",))
    if t.setting == "inpatient":
        return Outcome(True, "Not applicable: an inpatient test.", values, applicable=False)
    if t.chronic_stable_state is True:
        return Outcome(True, "The outpatient test was taken in a chronic stable state.", values)
    if not c.chronic:
        if not c.given:
            return Outcome(
                None,
                "Whether the condition is chronic cannot be told without diagnoses.",
                values,
                ("diagnoses",),
            )
        return Outcome(
            True,
            "Not applicable: no chronic condition (II.A.1.a/b) is documented.",
            values,
            applicable=False,
        )
    if t.chronic_stable_state is False:
        if c.acute:
            return Outcome(
                True,
                "Tested during an acute illness (II.A.1.c): short-term authorization only.",
                values,
            )
        return Outcome(
            False,
            "An outpatient test for a chronic condition was not taken in a chronic stable state.",
            values,
        )
    return Outcome(
        None,
        "An outpatient test for a chronic condition needs the chronic stable state documented.",
        values,
        ("test.chronic_stable_state",),
    )


def _valid_time(inp: Inputs) -> Outcome:
    s = inp.sleep
    if inp.context.test.type not in (None, "overnight") or (
        s is None and inp.evidence is not None and inp.context.test.type is None
    ):
        return Outcome(None, "Not an overnight study.", {}, tested=False)
    if s is None:
        if inp.evidence is None:
            return Outcome(None, "No overnight recording.", {}, tested=False)
        return Outcome(
            None,
            "The recording has no sleep or presumed-sleep window.",
            {},
            ("a sleep window in the recording",),
        )
    values = {"window": s.kind, "valid_min": s.valid_min, "needed_min": 120}
    if s.valid_min >= 120 - 1e-6:
        return Outcome(
            True,
            f"{minutes_text(s.valid_min)} min of valid data in the {s.kind} window (at least 120).",
            values,
        )
    return Outcome(
        False,
        f"Only {minutes_text(s.valid_min)} min of valid data in the {s.kind} window; "
        "overnight findings need at least 120.",
        values,
    )


TEST_CONDITION_RULES = (
    Rule(
        "ii_a_2_room_air",
        "MG-OXY II.A.2",
        "room air unless contraindicated",
        ("test.room_air", "test.room_air_contraindicated"),
        _room_air,
    ),
    Rule(
        "ii_a_2_member_age",
        "MG-OXY II.A.2 (SPEC §8.2)",
        "the member's age on the test date",
        ("patient.birth_date", "patient.age_years", "test.date"),
        _member_age,
    ),
    Rule(
        "ii_a_2_prescription",
        "MG-OXY II.A.2",
        "prescriber, diagnosis, flow and frequency",
        ("order.prescriber", "diagnoses", "order.flow_lpm", "order.hours_per_day"),
        _prescription,
    ),
    Rule(
        "ii_a_2_order_window",
        "MG-OXY II.A.2",
        "test within 90 days of the order",
        ("order.date", "test.date"),
        _order_window,
    ),
    Rule(
        "ii_a_2_inpatient_window",
        "MG-OXY II.A.2",
        "inpatient: no earlier than 2 days before discharge",
        ("test.setting", "test.discharge_date", "test.date"),
        _inpatient,
    ),
    Rule(
        "ii_a_2_chronic_stable_state",
        "MG-OXY II.A.2",
        "outpatient chronic: chronic stable state",
        ("test.setting", "test.chronic_stable_state", "diagnoses"),
        _chronic_stable,
    ),
    Rule(
        "ii_a_2_overnight_valid_time",
        "MG-OXY II.A.2 (SPEC §8.3)",
        "overnight: ≥ 120 min valid",
        ("sleep.valid_min",),
        _valid_time,
    ),
)

#: Rules every measurement-based path needs (test conditions).
GATES = (
    "ii_a_2_room_air",
    "ii_a_2_order_window",
    "ii_a_2_inpatient_window",
    "ii_a_2_chronic_stable_state",
)
