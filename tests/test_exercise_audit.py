"""Audit of rest and exercise tests (walk tests, rest/exercise segments) as a payer's auditor
and as a sleep-lab technician entering segments by hand.

Each case gave a wrong ``qualified`` (or a silently wrong figure) before its fix.
"""

from __future__ import annotations

from typing import Any

import pytest

from criteria.context import Context
from criteria.evaluate import evaluate
from tests.criteria_helpers import MEDICARE_BASE, exercise_test, make_dict

MC = {**MEDICARE_BASE, "documentation": {"signed_prescription": True}}


def mc(**over: Any) -> Context:
    return Context.from_dict(make_dict(MC, **over))


# --------------------------------------------------------------------------------------------
# Medicare test #3: the improvement on oxygen read on rounded values too
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exercise", "exercise_o2", "findings"),
    [
        # Group I-4: 88.2 on oxygen reads 88 % (Noridian's rounding): still <= 88 %
        (86.0, 88.2, {}),
        (88.0, 88.4, {}),
        # Group II: 88.6 on room air and 88.8 on oxygen both read 89 %: no improvement
        (88.6, 88.8, {"dependent_edema": True}),
        (89.0, 89.4, {"dependent_edema": True}),
    ],
)
def test_lcd_exercise_improvement_not_shown_by_a_fraction_of_a_point(
    exercise: float, exercise_o2: float, findings: dict[str, Any]
) -> None:
    c = mc(test__type="exercise", test__exercise_o2_flow_lpm=2, findings=findings)
    d = evaluate(c, exercise_test(rest=94.0, exercise=exercise, exercise_o2=exercise_o2))
    assert d.determination == "indeterminate"
    assert any("test #3" in m for m in d.missing)


def test_lcd_exercise_improvement_by_a_rounded_point_still_qualifies() -> None:
    c = mc(test__type="exercise", test__exercise_o2_flow_lpm=2)
    d = evaluate(c, exercise_test(rest=94.0, exercise=86.0, exercise_o2=88.5))
    assert d.determination == "qualified"
    assert "exercise" in d.coverage
