"""MG-OXY II.B non-coverage, II.C authorization, Appendix A equipment (Section III: ``masshealth_documentation``).

II.B rules are phrased as "no non-coverage circumstance applies": ``met`` True means the item does
not stand in the way, False means it excludes coverage. Portable exclusion (II.B.7), authorization
(II.C) and equipment (Appendix A) are decided after the qualifying paths, from ``Inputs.state``.
"""

from __future__ import annotations

from typing import Any

from .base import Inputs, Outcome, Rule, kleene_or
from .common import conditions, pulmonary_hypertension_codes

__all__ = ["EXCLUSION_RULES", "PORTABLE", "POST_RULES", "STATIONARY"]

#: Finding rules that show *absolute* systemic hypoxemia (for II.B.2, 3, 4, 6): ≤ 88 % / PaO2
#: ≤ 55 mmHg, or 89 % / 56–59 mmHg with A–C (SPEC §8.2). A fall from baseline (a.ii drop,
#: b.ii.B.2–3) is not hypoxemia, nor is the pediatric ≤ 90 %: they never lift II.B.2–4.
HYPOXEMIA_FINDINGS = (
    "ii_a_2_a_i_rest",
    "ii_a_2_a_ii_sleep",
    "ii_a_2_a_iii_rest",
    "ii_a_2_a_iii_sleep",
    "ii_a_2_a_iii_exercise",
    "ii_a_2_b_i_exercise",
    "ii_a_2_b_ii_b_1_sleep",
)
STATIONARY = ("E0424", "E0439", "E1390", "E1391")
PORTABLE = ("E0431", "E0434", "K0738")
CONCENTRATOR = ("E1392",)
#: Concentrator codes and the highest flow they deliver (SPEC §8.2 "equipment follows the need").
CONCENTRATOR_MAX_LPM = {"E1390": 10.0, "E1391": 10.0, "E1392": 3.0}
#: Cluster headache: high-flow oxygen from tanks (compressed gas), no concentrator.
CLUSTER_STATIONARY = ("E0424",)
CLUSTER_PORTABLE = ("E0431",)


def _hypoxemia(inp: Inputs) -> bool | None:
    return kleene_or(inp.met(r) for r in HYPOXEMIA_FINDINGS)


def _no_exclusion(reason: str, v: dict[str, Any]) -> Outcome:
    """Return met with status ``not_applicable``: the item concerns nothing documented."""
    return Outcome(True, f"No exclusion: {reason}.", v, applicable=False)


def _unless_basis(
    basis: bool | None,
    v: dict[str, Any],
    lifted: str,
    excluded: str,
    missing: tuple[str, ...] = (),
) -> Outcome:
    """Met when the request rests on a II.A.1 condition (``basis``), else the item excludes.

    Not evaluable while that is not known (``missing``: what II.A.1 waits on, such as the
    clinician's attestation of an unlisted code): R09.02 beside G43.909 was a bare denial with
    nothing missing, and the attestation alone qualified the same night.
    """
    if basis is True:
        return Outcome(True, f"No exclusion: {lifted}.", v)
    if basis is None:
        return Outcome(
            None,
            f"Whether the request rests on a II.A.1 condition is not yet known: {excluded} "
            "unless it does.",
            v,
            missing,
        )
    return Outcome(
        False,
        f"Exclusion applies: {excluded}, and no other II.A.1 condition is documented.",
        v,
    )


def _without_hypoxemia(flag: str, category: str, what: str, extra_ok: str | None = None) -> Any:
    def check(inp: Inputs) -> Outcome:
        f = inp.context.findings
        codes = (
            conditions(inp.context, inp.test_date).by_category.get(category, []) if category else []
        )
        present = getattr(f, flag) is True or bool(codes)
        v: dict[str, Any] = {f"findings.{flag}": getattr(f, flag), "codes": codes}
        if not present:
            return _no_exclusion(f"no {what} documented", v)
        if extra_ok and (getattr(f, extra_ok) is True or pulmonary_hypertension_codes(inp.context)):
            return Outcome(
                True,
                f"No exclusion: {what} with documented pulmonary hypertension/cor pulmonale.",
                v,
            )
        hyp = _hypoxemia(inp)
        v["systemic_hypoxemia"] = hyp
        if hyp is True:
            return Outcome(
                True, f"No exclusion: {what} is documented, but systemic hypoxemia is shown.", v
            )
        if hyp is False:
            return Outcome(
                False,
                f"Exclusion applies: {what} without systemic hypoxemia; oxygen is not "
                "medically necessary.",
                v,
            )
        return Outcome(
            None,
            f"{what.capitalize()} is documented; whether systemic hypoxemia (which lifts the "
            "exclusion) is present is not yet known.",
            v,
        )

    return check


def _condition_missing(inp: Inputs) -> tuple[str, ...]:
    """Return what II.A.1 (the basis that lifts II.B.1, 5 and 9) still waits on."""
    return inp.results["ii_a_1_condition"].missing


def _terminal(inp: Inputs) -> Outcome:
    flag = inp.context.findings.terminal_illness_non_respiratory
    v: dict[str, Any] = {"findings.terminal_illness_non_respiratory": flag}
    if flag is not True:
        return _no_exclusion("no terminal illness outside the respiratory system documented", v)
    # Only a *listed* II.A.1 condition lifts it: an attested unlisted one may be the terminal
    # illness itself (C25.9 attested qualified a night; sixth review).
    listed = conditions(inp.context, inp.test_date).listed
    v["listed_condition"] = listed
    return _unless_basis(
        inp.met("ii_a_1_condition") if listed else False,
        v,
        "a terminal illness is documented, but the request rests on a II.A.1 condition",
        "a terminal illness that does not affect the respiratory system is not covered",
        _condition_missing(inp),
    )


def _headache_other(inp: Inputs) -> Outcome:
    cats = conditions(inp.context, inp.test_date).by_category
    codes = [*cats.get("headache_other", []), *cats.get("other_tac", [])]
    v: dict[str, Any] = {"codes": codes}
    if not codes:
        return _no_exclusion("no other headache diagnosis documented", v)
    return _unless_basis(
        kleene_or([inp.met("ii_a_1_condition"), inp.met("ii_a_1_d_cluster_headache")]),
        v,
        "a non-cluster headache is documented, but it is not the basis of the request",
        "headaches other than II.A.1.d cluster headache are not covered",
        (*_condition_missing(inp), *inp.results["ii_a_1_d_cluster_headache"].missing),
    )


def _cluster_not_ichd3(inp: Inputs) -> Outcome:
    ctx = inp.context
    codes = conditions(ctx, inp.test_date).by_category.get("cluster_headache", [])
    claimed = bool(codes) or ctx.cluster_headache is not None
    v: dict[str, Any] = {"codes": codes, "cluster_headache_given": ctx.cluster_headache is not None}
    if not claimed:
        return _no_exclusion("no cluster headache claimed", v)
    ichd3 = inp.results["ii_a_1_d_cluster_headache"]
    if ichd3.met is True:
        return Outcome(True, "No exclusion: the cluster headache meets ICHD-3.", v)
    if ichd3.met is None:  # the items are met; the cluster-headache code is still needed
        return Outcome(None, ichd3.reason, v, ichd3.missing)
    return _unless_basis(
        inp.met("ii_a_1_condition"),
        v,
        "the headache does not meet ICHD-3, but it is not the basis of the request",
        "headaches not meeting the ICHD-3 cluster-headache criteria are not covered",
        _condition_missing(inp),
    )


def _prn_snf(inp: Inputs) -> Outcome:
    ctx = inp.context
    v = {"residence": ctx.residence, "prn": ctx.prn}
    if ctx.residence == "skilled_nursing_facility" and ctx.prn is True:
        return Outcome(
            False,
            "Exclusion applies: oxygen as needed (PRN) in a skilled nursing facility is not "
            "covered.",
            v,
        )
    if ctx.prn is True and ctx.residence is None:
        # PRN oxygen decides only with where the member lives: never assumed to be the community
        return Outcome(
            None,
            "Oxygen as needed (PRN) is excluded in a skilled nursing facility, and where the "
            "member lives is not given.",
            v,
            ("residence",),
        )
    return _no_exclusion("not PRN oxygen in a skilled nursing facility", v)


def _sickle(inp: Inputs) -> Outcome:
    flag = inp.context.findings.sickle_cell_pregnancy_prophylaxis
    v: dict[str, Any] = {"findings.sickle_cell_pregnancy_prophylaxis": flag}
    if flag is not True:
        return _no_exclusion("not prophylaxis in pregnancy with sickle cell disease", v)
    hyp = _hypoxemia(inp)
    v["systemic_hypoxemia"] = hyp
    if hyp is True:
        return Outcome(
            True, "No exclusion: hypoxemia is shown, so the oxygen is not merely prophylactic.", v
        )
    not_covered = (
        "prophylactic oxygen against transfusion-related events in pregnancy with sickle cell "
        "disease is not covered"
    )
    if hyp is False:
        return Outcome(False, f"Exclusion applies: {not_covered}.", v)
    return Outcome(
        None, f"{not_covered.capitalize()} unless hypoxemia is shown, which is not yet known.", v
    )


EXCLUSION_RULES = (
    Rule(
        "ii_b_1_terminal_illness",
        "MG-OXY II.B.1",
        "terminal illness not affecting respiration",
        ("findings.terminal_illness_non_respiratory", "diagnoses"),
        _terminal,
    ),
    Rule(
        "ii_b_2_peripheral_vascular",
        "MG-OXY II.B.2",
        "PVD without systemic hypoxemia",
        ("findings.peripheral_vascular_disease", "diagnoses"),
        _without_hypoxemia(
            "peripheral_vascular_disease",
            "peripheral_vascular_disease",
            "severe peripheral vascular disease",
        ),
    ),
    Rule(
        "ii_b_3_angina",
        "MG-OXY II.B.3",
        "angina without hypoxemia",
        ("findings.angina_pectoris", "diagnoses"),
        _without_hypoxemia("angina_pectoris", "angina_pectoris", "angina pectoris"),
    ),
    Rule(
        "ii_b_4_breathlessness",
        "MG-OXY II.B.4",
        "breathlessness without cor pulmonale or hypoxemia",
        ("findings.breathlessness", "findings.pulmonary_hypertension", "diagnoses"),
        _without_hypoxemia(
            "breathlessness", "breathlessness", "breathlessness", "pulmonary_hypertension"
        ),
    ),
    Rule(
        "ii_b_5_other_headache",
        "MG-OXY II.B.5",
        "headaches other than II.A.1.d",
        ("diagnoses",),
        _headache_other,
    ),
    Rule(
        "ii_b_6_sickle_cell_prophylaxis",
        "MG-OXY II.B.6",
        "prophylaxis in pregnancy, sickle cell",
        ("findings.sickle_cell_pregnancy_prophylaxis",),
        _sickle,
    ),
    Rule(
        "ii_b_8_prn_nursing_facility",
        "MG-OXY II.B.8",
        "PRN in a skilled nursing facility",
        ("residence", "prn"),
        _prn_snf,
    ),
    Rule(
        "ii_b_9_headache_not_ichd3",
        "MG-OXY II.B.9",
        "headache not meeting ICHD-3",
        ("diagnoses", "cluster_headache"),
        _cluster_not_ichd3,
    ),
)


# --------------------------------------------------------------------------------------------
# Decided after the paths
# --------------------------------------------------------------------------------------------


def _portable_sleep_only(inp: Inputs) -> Outcome:
    st = inp.state
    v = {"qualifying_paths": st["met_paths"], "sleep_only": st["sleep_only"]}
    if st["qualified"] is not True:
        return Outcome(None, "Not applicable: not qualified.", v, tested=False, applicable=False)
    if st["sleep_only"]:
        return Outcome(
            False, "Qualified solely on findings during sleep: portable systems are not covered.", v
        )
    return Outcome(
        True, "Qualified on a finding outside sleep: portable systems are not excluded.", v
    )


def _authorization(inp: Inputs) -> Outcome:
    st = inp.state
    ctx = inp.context
    c = conditions(ctx, inp.test_date)
    v: dict[str, Any] = {
        "chronic_condition": c.chronic,
        "acute_condition": c.acute,
        "chronic_stable_state": ctx.test.chronic_stable_state,
        "setting": ctx.test.setting,
    }
    if st["qualified"] is not True:
        v["authorization_months"] = None
        return Outcome(None, "Not applicable: not qualified.", v, tested=False, applicable=False)
    non_ch = [p for p in st["met_paths"] if p != "cluster_headache"]
    with_ch = "cluster_headache" in st["met_paths"]
    if non_ch and not with_ch and c.listed_chronic and ctx.test.chronic_stable_state is True:
        v["authorization_months"] = 12
        return Outcome(
            True, "Chronic condition in a chronic stable state, long-term use: 12 months.", v
        )
    v["authorization_months"] = 3
    if not non_ch:
        why = "cluster headache (II.C refers to II.A.1.d)"
    elif with_ch:
        # one period for the request: the cluster headache's (less than six months) bounds it
        why = "cluster headache among the qualifying findings (II.C refers to II.A.1.d)"
    elif not c.chronic:
        why = "a condition acute in nature (II.A.1.c)"
    elif not c.listed_chronic:
        why = "a condition outside II.A.1's lists, attested by the clinician"
    else:
        why = "no chronic stable state documented (test.chronic_stable_state)"
    return Outcome(True, f"Short-term use for {why}: 3 months (less than six).", v)


def _cluster_only(inp: Inputs) -> bool:
    return inp.state.get("met_paths") == ["cluster_headache"]


def _portable_for_cluster_only(inp: Inputs) -> bool:
    """Tell whether the only finding outside sleep is the cluster headache (II.A.2.c).

    Portable then means its tanks, not a portable system for the sleep finding (II.B.7).
    """
    return inp.state.get("awake_paths") == ["cluster_headache"]


def _flow_ok(code: str, flow: float | None) -> bool:
    """Return whether a code may be offered at this flow (concentrators only within range)."""
    top = CONCENTRATOR_MAX_LPM.get(code)
    return top is None or flow is None or flow <= top


def _stationary(inp: Inputs) -> Outcome:
    q = inp.state["qualified"]
    flow = inp.context.order.flow_lpm
    v: dict[str, Any] = {"flow_lpm": flow, "hcpcs": []}
    if q is not True:
        return Outcome(None, "Not applicable: not qualified.", v, tested=False, applicable=False)
    if _cluster_only(inp):
        v["hcpcs"] = list(CLUSTER_STATIONARY)
        return Outcome(
            True,
            "Cluster headache: high-flow oxygen from compressed-gas tanks (E0424); a "
            "concentrator cannot deliver it.",
            v,
        )
    codes = [c for c in STATIONARY if _flow_ok(c, flow)]
    v["hcpcs"] = codes
    dropped = [c for c in STATIONARY if c not in codes]
    note = f"; no concentrator ({', '.join(dropped)}) above 10 L/min" if dropped else ""
    return Outcome(True, f"Stationary oxygen ({', '.join(codes)}) for the qualified use{note}.", v)


def _portable(inp: Inputs) -> Outcome:
    st = inp.state
    m = inp.context.mobility
    flow = inp.context.order.flow_lpm
    v: dict[str, Any] = {
        "beyond_stationary_tubing": m.beyond_stationary_tubing,
        "sleep_only": st["sleep_only"],
        "flow_lpm": flow,
        "hcpcs": [],
    }
    if st["qualified"] is not True:
        return Outcome(None, "Not applicable: not qualified.", v, tested=False, applicable=False)
    if st["sleep_only"]:
        return Outcome(
            False,
            "Portable systems are excluded when qualification rests solely on sleep (II.B.7).",
            v,
        )
    if m.beyond_stationary_tubing is not True:
        return Outcome(
            False,
            "The member is not documented to go regularly beyond a 50-foot "
            "stationary tubing (mobility.beyond_stationary_tubing).",
            v,
        )
    if _portable_for_cluster_only(inp):
        v["hcpcs"] = list(CLUSTER_PORTABLE)
        return Outcome(True, "Portable oxygen tanks (E0431) for cluster headache (II.A.2.c).", v)
    # K0738 fills cylinders from a home concentrator and must be used with E1390.
    codes = [c for c in PORTABLE if c != "K0738" or _flow_ok("E1390", flow)]
    v["hcpcs"] = codes
    return Outcome(
        True,
        f"Portable system ({', '.join(codes)}): the member regularly goes beyond a 50-foot tubing.",
        v,
    )


def _concentrator(inp: Inputs) -> Outcome:
    hours = inp.context.mobility.hours_away_from_home
    flow = inp.context.order.flow_lpm
    portable = inp.results["app_a_b_portable"].met
    v: dict[str, Any] = {
        "hours_away_from_home": hours,
        "portable_eligible": portable,
        "flow_lpm": flow,
        "hcpcs": [],
    }
    if portable is not True:
        return Outcome(
            None if portable is None else False,
            "Needs eligibility for a portable system first (Appendix A.B).",
            v,
            tested=portable is not None,
        )
    if _portable_for_cluster_only(inp):
        return Outcome(False, "Cluster headache: tanks, not a portable concentrator.", v)
    if not _flow_ok("E1392", flow):
        return Outcome(
            False, f"{flow:g} L/min is above a portable concentrator's range (3 L/min).", v
        )
    if hours is not None and hours > 4:
        v["hcpcs"] = list(CONCENTRATOR)
        return Outcome(
            True,
            f"Regularly away {hours:g} h, beyond a cylinder's 4 h at 2 L/min: "
            "portable concentrator E1392.",
            v,
        )
    return Outcome(
        False,
        "Not documented to be away from home more than 4 hours at a time "
        "(mobility.hours_away_from_home).",
        v,
    )


POST_RULES = (
    Rule(
        "ii_b_7_portable_sleep_only",
        "MG-OXY II.B.7",
        "no portable when solely sleep",
        ("qualifying paths",),
        _portable_sleep_only,
    ),
    Rule(
        "ii_c_authorization",
        "MG-OXY II.C",
        "12 months chronic stable; under 6 months acute",
        ("diagnoses", "test.chronic_stable_state"),
        _authorization,
    ),
    Rule(
        "app_a_a_stationary",
        "MG-OXY Appendix A.A",
        "stationary equipment",
        ("order.flow_lpm",),
        _stationary,
    ),
    Rule(
        "app_a_b_portable",
        "MG-OXY Appendix A.B",
        "portable tanks/cylinders",
        ("mobility.beyond_stationary_tubing",),
        _portable,
    ),
    Rule(
        "app_a_c_portable_concentrator",
        "MG-OXY Appendix A.C",
        "portable oxygen concentrator",
        ("mobility.hours_away_from_home",),
        _concentrator,
    ),
)
