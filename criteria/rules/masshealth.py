"""The MassHealth MG-OXY (06/24) profile: the default.

Paths: each qualifying finding of II.A.2 combined with the condition (II.A.1) and the test
conditions (II.A.2 room air, dates, chronic stable state). docs/criteria.md maps every clause to
its rule id.
"""

from __future__ import annotations

from typing import Any

from .base import Inputs, pct
from .masshealth_conditions import CONDITION_RULES, GATES, TEST_CONDITION_RULES
from .masshealth_coverage import EXCLUSION_RULES, POST_RULES
from .masshealth_documentation import DOCUMENTATION_RULES
from .masshealth_findings import FINDING_RULES
from .profile import Alternative, Path, Profile

__all__ = ["MASSHEALTH"]

A1 = "ii_a_1_condition"
IMPROVES = "ii_a_2_b_ii_a_improvement"
REST89 = "ii_a_2_b_ii_rest_ge89"


RX = "ii_a_2_prescription"
AGE = "ii_a_2_member_age"
#: II.B.2–4 are about oxygen *for* PVD, angina or breathlessness: not for cluster headache.
NOT_FOR_CLUSTER = ("ii_b_2_peripheral_vascular", "ii_b_3_angina", "ii_b_4_breathlessness")


def _p(name: str, cov: str, finding: str, *extra: str, where: str = "") -> Path:
    return Path(name, cov, (A1, *GATES, RX, AGE, *extra, finding), finding, where)


PATHS = (
    _p("continuous_rest", "continuous", "ii_a_2_a_i_rest", where="rest"),
    _p("nocturnal_sleep", "nocturnal", "ii_a_2_a_ii_sleep", where="sleep"),
    _p("nocturnal_drop", "nocturnal", "ii_a_2_a_ii_drop", where="sleep"),
    _p("continuous_89_rest", "continuous", "ii_a_2_a_iii_rest", where="rest"),
    _p("nocturnal_89_sleep", "nocturnal", "ii_a_2_a_iii_sleep", where="sleep"),
    _p("exercise_89", "exercise", "ii_a_2_a_iii_exercise", IMPROVES, where="exercise"),
    _p("exercise", "exercise", "ii_a_2_b_i_exercise", IMPROVES, where="exercise"),
    _p("nocturnal_b_sleep", "nocturnal", "ii_a_2_b_ii_b_1_sleep", REST89, where="sleep"),
    _p("nocturnal_b_pao2_drop", "nocturnal", "ii_a_2_b_ii_b_2_pao2_drop", REST89, where="sleep"),
    _p("nocturnal_b_drop", "nocturnal", "ii_a_2_b_ii_b_3_drop", REST89, where="sleep"),
    Path(
        "cluster_headache",
        "cluster_headache",
        (RX, "ii_a_2_c_cluster_headache"),
        "ii_a_2_c_cluster_headache",
        "cluster_headache",
        exempt=NOT_FOR_CLUSTER,
    ),
    _p("pediatric", "pediatric", "ii_a_2_d_pediatric"),
)


def _sleep_figures(inp: Inputs) -> dict[str, Any]:
    s = inp.sleep
    if s is None:
        return {}
    return {
        "window": s.kind,
        "t_le88_min": s.t_le88_min,
        "longest_le88_min": s.longest_le88_min,
        "t_lt90_min": s.t_lt90_min,
        "t_le90_min": s.t_le90_min,
        "drop5_min": s.drop5_min,
        "longest_drop5_min": s.longest_drop5_min,
        "nadir_rounded_pct": None if s.nadir_pct is None else pct(s.nadir_pct),
    }


def _ch_figures(inp: Inputs) -> dict[str, Any]:
    return dict(inp.results["ii_a_1_d_cluster_headache"].values)


def _order_figures(inp: Inputs) -> dict[str, Any]:
    return {k: v for k, v in inp.results["ii_a_2_order_window"].values.items() if k != "reading"}


def _a_iii_figures(inp: Inputs) -> dict[str, Any]:
    return {r: inp.results[r].met for r in ("ii_a_2_a_iii_sleep", "ii_a_2_a_iii_exercise")}


def _pao2_figures(inp: Inputs) -> dict[str, Any]:
    return dict(inp.results["ii_a_2_b_ii_b_2_pao2_drop"].values)


_SLEEP_CLAUSES = ("II.A.2.a.ii", "II.A.2.a.iii", "II.A.2.b.ii.B", "II.A.2.d")

ALTERNATIVES: tuple[Alternative, ...] = (
    Alternative(
        "sleep_duration",
        "single_sample",
        "a single sample at the threshold during sleep is enough",
        _SLEEP_CLAUSES,
        lambda i: i.sleep is not None,
        _sleep_figures,
    ),
    Alternative(
        "sleep_duration",
        "continuous",
        "the 5 minutes during sleep must be one continuous run",
        _SLEEP_CLAUSES,
        lambda i: i.sleep is not None,
        _sleep_figures,
    ),
    Alternative(
        "ichd3_d_e",
        "d_or_e",
        "ICHD-3 read literally as A, B, C and (D or E)",
        ("II.A.1.d.i",),
        lambda i: i.context.cluster_headache is not None,
        _ch_figures,
    ),
    Alternative(
        "order_window",
        "before_order",
        "the test must precede the order by at most 90 days",
        ("II.A.2",),
        lambda i: "days_test_after_order" in i.results["ii_a_2_order_window"].values,
        _order_figures,
    ),
    Alternative(
        "a_iii_where",
        "rest_only",
        "the 89 % of II.A.2.a.iii counts at rest only",
        ("II.A.2.a.iii",),
        lambda i: i.results["ii_a_2_a_iii_conditions"].met is True,
        _a_iii_figures,
    ),
    Alternative(
        "pao2_drop_symptoms",
        "not_required",
        "a PaO2 fall > 10 mmHg during sleep qualifies without symptoms",
        ("II.A.2.b.ii.B.2",),
        lambda i: "pao2_drop_mmhg" in i.results["ii_a_2_b_ii_b_2_pao2_drop"].values,
        _pao2_figures,
    ),
)


def _awake_low(inp: Inputs) -> bool:
    """Return whether the awake baseline read as a rest test could meet a.i (≤ 88 %) or d.

    D's 90 % for a member under 21: a child's night awake at 90 % asks for a rest test as
    an adult's at 88 % does, and the reading is offered for both.
    """
    s = inp.sleep
    if s is None or s.awake_baseline_pct is None:
        return False
    base = pct(s.awake_baseline_pct)
    return base <= 88 or (base <= 90 and inp.context.patient.under(21, inp.test_date) is True)


def _awake_figures(inp: Inputs) -> dict[str, Any]:
    s = inp.sleep
    base = None if s is None else s.awake_baseline_pct
    return {
        "awake_baseline_pct": base,
        "awake_baseline_rounded_pct": None if base is None else pct(base),
        "awake_baseline_source": None if s is None else s.awake_baseline_source,
    }


ALTERNATIVES += (
    Alternative(
        "awake_baseline_as_rest",
        "yes",
        "an overnight study's awake baseline counts as a resting finding (≤ 88 %, II.A.2.a.i; "
        "≤ 90 % under 21, II.A.2.d)",
        ("II.A.2.a.i", "II.A.2.d"),
        _awake_low,
        _awake_figures,
    ),
)

MASSHEALTH = Profile(
    name="masshealth",
    rules=(*CONDITION_RULES, *TEST_CONDITION_RULES, *FINDING_RULES, *EXCLUSION_RULES),
    paths=PATHS,
    exclusions=tuple(r.id for r in EXCLUSION_RULES),
    post_rules=POST_RULES,
    documentation=DOCUMENTATION_RULES,
    authorization_rule="ii_c_authorization",
    portable_rule="app_a_b_portable",
    hcpcs_rules=("app_a_a_stationary", "app_a_b_portable", "app_a_c_portable_concentrator"),
    alternatives=ALTERNATIVES,
)
