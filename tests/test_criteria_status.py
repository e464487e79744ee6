"""Rule status (docs/criteria.md): met / not_met / not_evaluable / not_applicable beside ``met``."""

from __future__ import annotations

import dataclasses
from typing import Any
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from criteria.context import Context
from criteria.evaluate import Evidence, evaluate
from criteria.rules.base import STATUSES, Inputs, Rule, RuleResult
from tests.criteria_helpers import ctx, overnight
from tests.test_criteria_properties import contexts, evidences

QUALIFYING_NIGHT = {"t_le88_min": 12.0, "nadir_pct": 82.0}
_FROM_MET = {True: "met", False: "not_met", None: "not_evaluable"}


def _rule(d: Any, rule_id: str) -> RuleResult:
    return next(r for r in d.rules if r.id == rule_id)


def test_iii_c_1_facility_documents_not_applicable_for_a_community_member() -> None:
    d = evaluate(ctx(residence="community"), overnight(**QUALIFYING_NIGHT))
    for rule_id in ("iii_c_1_primary_diagnosis", "iii_c_3_usage_and_values"):
        r = _rule(d, rule_id)
        assert (r.status, r.met, r.tested) == ("not_applicable", None, False)
        assert r.to_dict()["status"] == "not_applicable" and r.to_dict()["met"] is None
        assert r.reason == "Not applicable: not a nursing-facility member."
    snf = evaluate(ctx(residence="skilled_nursing_facility"), overnight(**QUALIFYING_NIGHT))
    assert _rule(snf, "iii_c_1_primary_diagnosis").status == "met"
    assert _rule(snf, "iii_c_3_usage_and_values").status == "not_met"


def test_ii_b_4_breathlessness_nothing_documented_is_no_exclusion() -> None:
    d = evaluate(ctx(), overnight(**QUALIFYING_NIGHT))
    r = _rule(d, "ii_b_4_breathlessness")
    assert (r.status, r.met) == ("not_applicable", True)  # met kept as before for the JSON
    assert r.reason == "No exclusion: no breathlessness documented."


def test_ii_b_4_breathlessness_with_and_without_hypoxemia() -> None:
    shown = evaluate(ctx(findings__breathlessness=True), overnight(**QUALIFYING_NIGHT))
    r = _rule(shown, "ii_b_4_breathlessness")
    assert r.status == "met" and r.reason.startswith("No exclusion: breathlessness is documented")
    none = evaluate(ctx(findings__breathlessness=True), overnight(t_le88_min=0.0, nadir_pct=93.0))
    r = _rule(none, "ii_b_4_breathlessness")
    assert r.status == "not_met" and r.met is False
    assert r.reason.startswith("Exclusion applies: breathlessness without systemic hypoxemia")
    assert none.determination == "not_qualified"


def test_ii_a_2_inpatient_window_not_applicable_to_an_outpatient_test() -> None:
    d = evaluate(ctx(), overnight(**QUALIFYING_NIGHT))
    r = _rule(d, "ii_a_2_inpatient_window")
    assert (r.status, r.met) == ("not_applicable", True)
    assert d.determination == "qualified"


def test_post_rules_not_applicable_when_not_qualified() -> None:
    d = evaluate(ctx(), overnight(t_le88_min=0.0, nadir_pct=93.0))
    assert d.determination == "not_qualified"
    for rule_id in ("ii_c_authorization", "app_a_a_stationary", "app_a_b_portable"):
        r = _rule(d, rule_id)
        assert (r.status, r.met, r.tested) == ("not_applicable", None, False)


def _without_status(obj: Any) -> Any:
    if isinstance(obj, dict):
        # ``met`` in the document follows ``status`` (not_applicable → null), so both go
        return {k: _without_status(v) for k, v in obj.items() if k not in ("status", "met")}
    if isinstance(obj, list):
        return [_without_status(v) for v in obj]
    return obj


@settings(max_examples=60, deadline=None)
@given(contexts, evidences, st.sampled_from(["masshealth", "medicare"]))
def test_not_applicable_never_changes_the_determination(
    raw: dict[str, Any], ev: Evidence | None, profile: str
) -> None:
    c = Context.from_dict(raw)
    d = evaluate(c, ev, profile)
    out = d.to_dict()
    for r in d.rules:
        assert r.status in STATUSES
        if r.status != "not_applicable":
            assert r.status == _FROM_MET[r.met]
    assert [r["status"] for r in out["rules"]] == [r.status for r in d.rules]
    # The same evaluation with every rule marked applicable gives the same determination,
    # coverage, rules' met values and reasons: status is a label only.
    original = Rule.evaluate

    def applicable(self: Rule, inputs: Inputs) -> RuleResult:
        return dataclasses.replace(original(self, inputs), applicable=True)

    with patch.object(Rule, "evaluate", applicable):
        forced_d = evaluate(c, ev, profile)
        forced = forced_d.to_dict()
    assert _without_status(forced) == _without_status(out)
    assert [r.met for r in forced_d.rules] == [r.met for r in d.rules]
    # SPEC §8.2 "Reviewer view": met is true/false/null consistently with status.
    for r in out["rules"]:
        want = {"met": True, "not_met": False, "not_evaluable": None, "not_applicable": None}
        assert r["met"] is want[r["status"]], r["id"]


def test_figures_in_a_reason_are_cut_never_rounded_up_to_a_threshold() -> None:
    # 29,999 samples at 100 Hz ≤ 88 % (4.99983 min) read "5 min ≤ 88 %" beside NOT MET for
    # 5 minutes; 119.97 valid minutes read "120 min valid" beside a 120-min rule.
    from criteria.rules.base import describe

    text = describe({"t_le88_min": 29_999 / 100 / 60, "valid_min": 119.97})
    assert text == "4.999 min ≤ 88 %; 119.9 min valid"
    assert describe({"t_le88_min": 5.0, "valid_min": 0.3 * 1000}) == "5 min ≤ 88 %; 300 min valid"
