"""A review of the context against the rules: findings that deny their own codes, a PaO2 between
the whole-mmHg limits, and acute illnesses the acute table did not hold.

Each case qualified (or was denied with nothing missing) before; docs/criteria.md records the
readings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from criteria.context import Context
from criteria.evaluate import Evidence, evaluate
from tests.criteria_helpers import BASE, MEDICARE_BASE, make_dict, seg

MC = {**MEDICARE_BASE, "documentation": {"signed_prescription": True}}
REST_DAY = dt.datetime(2026, 11, 20, 10, 0)


def _context(payer: str, **over: Any) -> Context:
    return Context.from_dict(make_dict(BASE if payer == "masshealth" else MC, **over))


def _rest_89() -> Evidence:
    """A rest test at 89 %: MassHealth II.A.2.a.iii and Medicare Group II with a condition."""
    return Evidence(recording_start=REST_DAY, rest=seg("rest", 89.0))


# --------------------------------------------------------------------------------------------
# A finding given as false beside the code that documents it
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payer", ["masshealth", "medicare"])
@pytest.mark.parametrize(
    ("flag", "code"),
    [
        ("pulmonary_hypertension", "I27.20"),
        ("pulmonary_hypertension", "I27.81"),
        ("pulmonary_hypertension", "I27.0"),
        ("angina_pectoris", "I20.9"),
        ("peripheral_vascular_disease", "I73.9"),
        ("breathlessness", "R06.00"),
    ],
)
def test_a_finding_false_beside_its_code_is_a_conflict(payer: str, flag: str, code: str) -> None:
    """``findings.pulmonary_hypertension: false`` beside I27.20 qualified a rest test at 89 %
    (MassHealth II.A.2.a.iii, Medicare Group II N2) with no conflict: the rules read the finding
    or its code, and the code silently won. SPEC §8.2: contradictions make the determination
    indeterminate, listed under ``qualification.conflicts``. Angina, peripheral vascular disease
    and dyspnea are read from their codes too (II.B.2-4, Group IV), so a false beside one is the
    same contradiction."""
    # pulmonary hypertension coded beside the others: their Group IV / II.B item is lifted by
    # qualifying hypoxemia, so the case qualifies when the contradiction is not seen
    dx = ["J44.9", code] if flag == "pulmonary_hypertension" else ["J44.9", "I27.20", code]
    over: dict[str, Any] = {"test__type": "rest", "diagnoses": dx}
    # ground truth: without the finding the code documents the condition, and the case qualifies
    assert evaluate(_context(payer, **over), _rest_89()).determination == "qualified"
    d = evaluate(_context(payer, **over, findings={flag: False}), _rest_89())
    assert d.determination == "indeterminate"
    (c,) = [c for c in d.conflicts if c.keys == (f"findings.{flag}", "diagnoses")]
    assert c.values["diagnoses"] == [code] and code in c.why
    # the finding true, or false with no code for it, contradicts nothing
    assert evaluate(_context(payer, **over, findings={flag: True}), _rest_89()).conflicts == ()
    bare = {**over, "diagnoses": ["J44.9"], "findings": {flag: False}}
    assert evaluate(_context(payer, **bare), _rest_89()).conflicts == ()
