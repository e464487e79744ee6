"""The Medicare profile: NCD 240.2 (v2) and LCD L33797 (revision effective 04/01/2023).

Groups I-1…I-4, II and III qualify; Group IV is never covered without hypoxemia. Every path
shares the testing conditions of :mod:`.medicare_testing` (diagnosis, ordered and evaluated by the
treating practitioner, a qualified performer, the time of need, room air or a recorded flow);
sleep paths add the overnight-study rule (stand-alone oximetry, or a PAP titration with OSA,
which qualifies on SpO2 ≤ 88 % alone: ``lcd_titration_saturation``, ``lcd_titration_only_le88``);
Groups II and III add the continued-coverage retest when therapy has begun. The facts and the
readings of ambiguous text are in ``medicare-oxygen.md`` (§11) and docs/criteria.md. This
profile imports no MassHealth module: shared checks live in :mod:`.shared`.
"""

from __future__ import annotations

from typing import Any

from .base import Inputs
from .medicare_coverage import COVERAGE_RULES, DOCUMENTATION_RULES, RETEST_RULE
from .medicare_groups import GROUP_RULES
from .medicare_groups_iii_iv import GROUP_III_IV_RULES
from .medicare_testing import TESTING_RULES
from .profile import Alternative, Path, Profile

__all__ = ["MEDICARE", "REVISIONS"]

#: What this profile encodes, stamped on every Medicare determination.
REVISIONS = (
    "NCD 240.2 Home Use of Oxygen, version 2 (effective 09/27/2021; section D amended 07/2022; "
    "implemented 01/03/2023)",
    "LCD L33797 Oxygen and Oxygen Equipment, revision effective 04/01/2023",
    "Policy article A52514, as restated by the DME MACs (not read directly)",
)

_GATES = (
    "lcd_diagnosis",
    "lcd_ordered_evaluated",
    "lcd_performer",
    "lcd_time_of_need",
    "lcd_testing_conditions",
)
_II = ("lcd_group_ii_conditions", "lcd_retest")

PATHS = (
    Path(
        "group_i_1_rest",
        "continuous",
        (*_GATES, "lcd_group_i_1_rest"),
        "lcd_group_i_1_rest",
        "rest",
    ),
    Path(
        "group_i_2_sleep",
        "nocturnal",
        (*_GATES, "lcd_sleep_study", "lcd_titration_saturation", "lcd_group_i_2_sleep"),
        "lcd_group_i_2_sleep",
        "sleep",
    ),
    Path(
        "group_i_3_drop",
        "nocturnal",
        (*_GATES, "lcd_sleep_study", "lcd_titration_only_le88", "lcd_group_i_3_drop"),
        "lcd_group_i_3_drop",
        "sleep",
    ),
    Path(
        "group_i_4_exercise",
        "exercise",
        (*_GATES, "lcd_group_i_4_exercise"),
        "lcd_group_i_4_exercise",
        "exercise",
    ),
    Path(
        "group_ii_rest",
        "continuous",
        (*_GATES, *_II, "lcd_group_ii_rest"),
        "lcd_group_ii_rest",
        "rest",
    ),
    Path(
        "group_ii_sleep",
        "nocturnal",
        (*_GATES, "lcd_sleep_study", "lcd_titration_only_le88", *_II, "lcd_group_ii_sleep"),
        "lcd_group_ii_sleep",
        "sleep",
    ),
    Path(
        "group_ii_exercise",
        "exercise",
        (*_GATES, *_II, "lcd_group_ii_exercise"),
        "lcd_group_ii_exercise",
        "exercise",
    ),
    Path(
        "group_iii_cluster_headache",
        "cluster_headache",
        (*_GATES, "lcd_retest", "lcd_group_iii"),
        "lcd_group_iii",
        "cluster_headache",
    ),
)


def _sleep_figures(inp: Inputs) -> dict[str, Any]:
    s = inp.sleep
    if s is None:
        return {}
    return {
        "t_le88_min": s.t_le88_min,
        "t_lt90_min": s.t_lt90_min,
        "drop5_from_mean_min": s.drop5_from_mean_min,
        "nadir_pct": s.nadir_pct,
    }


ALTERNATIVES = (
    Alternative(
        "sleep_duration",
        "single_sample",
        "the current LCD text states no duration for sleep findings (one sample at the threshold); "
        "the determination keeps the legacy ≥ 5 cumulative minutes",
        (
            "LCD L33797 Group I.2",
            "LCD L33797 Group I.3",
            "LCD L33797 Group II",
            "LCD L33797 OSA titration",
        ),
        lambda i: i.sleep is not None,
        _sleep_figures,
    ),
)

MEDICARE = Profile(
    name="medicare",
    rules=(*TESTING_RULES, *GROUP_RULES, *GROUP_III_IV_RULES, RETEST_RULE),
    paths=PATHS,
    exclusions=("lcd_group_iv",),
    post_rules=COVERAGE_RULES,
    documentation=DOCUMENTATION_RULES,
    authorization_rule="lcd_authorization",
    portable_rule="lcd_portable",
    hcpcs_rules=("lcd_stationary", "lcd_portable_equipment"),
    non_blocking=("lcd_flow_over_4",),
    alternatives=ALTERNATIVES,
    notes=(),
    revisions=REVISIONS,
    modifiers_rule="lcd_modifiers",
)
