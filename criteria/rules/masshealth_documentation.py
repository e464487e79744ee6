"""MG-OXY Section III: the documentation checklist. Never blocking: what is absent goes to ``missing``."""

from __future__ import annotations

from typing import Any

from .base import Inputs, Outcome, Rule
from .common import conditions
from .shared import PAO2_KEYS

__all__ = ["DOCUMENTATION_RULES"]


def _doc(check_fn: Any, snf_only: bool = False, when: str | None = None) -> Any:
    def check(inp: Inputs) -> Outcome:
        if snf_only and inp.context.residence != "skilled_nursing_facility":
            return Outcome(
                None,
                "Not applicable: not a nursing-facility member.",
                {},
                tested=False,
                applicable=False,
            )
        if (
            when == "cluster"
            and inp.context.cluster_headache is None
            and not conditions(inp.context, inp.test_date).has("cluster_headache")
        ):
            return Outcome(
                None, "Not applicable: no cluster headache.", {}, tested=False, applicable=False
            )
        have, missing, text = check_fn(inp)
        v = {"present": have, "missing": list(missing)}
        if missing:
            return Outcome(False, f"Still needed: {', '.join(missing)}.", v, tuple(missing))
        return Outcome(True, text, v)

    return check


def _doc_keys(*keys: str) -> Any:
    def fn(inp: Inputs) -> tuple[list[str], list[str], str]:
        d = inp.context.documentation
        have = [k for k in keys if getattr(d, k.split(".")[1]) is True]
        return have, [k for k in keys if k not in have], "On file."

    return fn


def _primary_dx(inp: Inputs) -> tuple[list[str], list[str], str]:
    dx = list(inp.context.diagnoses or ())
    return (
        dx[:1],
        [] if dx else ["diagnoses"],
        f"Primary diagnosis {dx[0]}." if dx else "",
    )


def _secondary_dx(inp: Inputs) -> tuple[list[str], list[str], str]:
    dx = list(inp.context.diagnoses or ())
    return (
        dx[1:],
        [],
        ("Secondary diagnoses: " + ", ".join(dx[1:]) + ".")
        if dx[1:]
        else "No secondary diagnoses listed (only if applicable).",
    )


def _values_doc(inp: Inputs) -> tuple[list[str], list[str], str]:
    have = []
    if inp.evidence is not None:
        have.append("oximetry recording")
    bg = inp.context.blood_gas
    have += [k for k in PAO2_KEYS if getattr(bg, k) is not None]
    if not have and inp.state.get("met_paths") == ["cluster_headache"]:
        return have, [], "No test needed: qualified on cluster headache (II.A.2.c)."
    return (
        have,
        [] if have else ["oximetry or blood gas values"],
        "Lab values or saturation on file.",
    )


def _flow_hours(inp: Inputs) -> tuple[list[str], list[str], str]:
    o = inp.context.order
    keys = (("order.flow_lpm", o.flow_lpm), ("order.hours_per_day", o.hours_per_day))
    return (
        [k for k, v in keys if v is not None],
        [k for k, v in keys if v is None],
        "Liter flow and hours per day given.",
    )


def _portable_doc(inp: Inputs) -> tuple[list[str], list[str], str]:
    if inp.context.mobility.beyond_stationary_tubing is True:
        return (
            ["mobility.beyond_stationary_tubing"],
            [],
            "Activities beyond the stationary system documented.",
        )
    return [], [], "No portable oxygen requested (only needed if requesting portable oxygen)."


def _additional(inp: Inputs) -> tuple[list[str], list[str], str]:
    d = inp.context.documentation
    keys = (
        "letter_of_medical_necessity",
        "treatment_notes",
        "overnight_oximetry_study",
        "sleep_study",
    )
    have = [f"documentation.{k}" for k in keys if getattr(d, k) is True]
    if inp.evidence is not None and inp.evidence.sleep is not None:
        have.append("overnight oximetry study (this recording)")
    return (
        have,
        []
        if have
        else [
            "documentation.letter_of_medical_necessity (or treatment notes, an "
            "oximetry or sleep study)"
        ],
        "Additional documentation on file.",
    )


def _ch_doc(inp: Inputs) -> tuple[list[str], list[str], str]:
    have: list[str] = []
    missing: list[str] = []
    (have if inp.met("ii_a_1_d_cluster_headache") else missing).append(
        "ICHD-3 criteria (cluster_headache)"
    )
    (have if inp.context.documentation.cluster_headache_history else missing).append(
        "documentation.cluster_headache_history"
    )
    return have, missing, "ICHD-3 criteria and attack history documented."


def _usage(inp: Inputs) -> tuple[list[str], list[str], str]:
    have, missing = _doc_keys("documentation.usage_record_one_month")(inp)[:2]
    v, m, _ = _values_doc(inp)
    return have + v, missing + m, "Usage record and recent values on file."


def _facility_notes(inp: Inputs) -> tuple[list[str], list[str], str]:
    d = inp.context.documentation
    have = [
        f"documentation.{k}"
        for k in ("letter_of_medical_necessity", "facility_progress_notes")
        if getattr(d, k) is True
    ]
    return (
        have,
        [] if have else ["documentation.letter_of_medical_necessity or facility_progress_notes"],
        "Additional documentation on file.",
    )


DOCUMENTATION_RULES = (
    Rule(
        "iii_a_signed_prescription",
        "MG-OXY III.A",
        "signed written prescription",
        ("documentation.signed_prescription",),
        _doc(_doc_keys("documentation.signed_prescription")),
    ),
    Rule(
        "iii_b_1_primary_diagnosis",
        "MG-OXY III.B.1",
        "primary diagnosis and ICD code",
        ("diagnoses",),
        _doc(_primary_dx),
    ),
    Rule(
        "iii_b_2_secondary_diagnoses",
        "MG-OXY III.B.2",
        "secondary diagnoses if applicable",
        ("diagnoses",),
        _doc(_secondary_dx),
    ),
    Rule(
        "iii_b_3_lab_values",
        "MG-OXY III.B.3",
        "lab values or saturation",
        ("blood_gas", "recording"),
        _doc(_values_doc),
    ),
    Rule(
        "iii_b_4_flow_hours",
        "MG-OXY III.B.4",
        "liter flow and hours per day",
        ("order.flow_lpm", "order.hours_per_day"),
        _doc(_flow_hours),
    ),
    Rule(
        "iii_b_5_portable_need",
        "MG-OXY III.B.5",
        "portable: beyond the stationary system",
        ("mobility.beyond_stationary_tubing",),
        _doc(_portable_doc),
    ),
    Rule(
        "iii_b_6_additional",
        "MG-OXY III.B.6",
        "additional clinical documentation",
        ("documentation",),
        _doc(_additional),
    ),
    Rule(
        "iii_b_7_cluster_headache",
        "MG-OXY III.B.7",
        "cluster headache: ICHD-3 and history",
        ("cluster_headache", "documentation.cluster_headache_history"),
        _doc(_ch_doc, when="cluster"),
    ),
    Rule(
        "iii_c_1_primary_diagnosis",
        "MG-OXY III.C.1",
        "nursing facility: primary diagnosis",
        ("diagnoses",),
        _doc(_primary_dx, snf_only=True),
    ),
    Rule(
        "iii_c_2_order_in_record",
        "MG-OXY III.C.2",
        "nursing facility: order in the record",
        ("documentation.signed_prescription",),
        _doc(_doc_keys("documentation.signed_prescription"), snf_only=True),
    ),
    Rule(
        "iii_c_3_usage_and_values",
        "MG-OXY III.C.3",
        "nursing facility: one month usage, values",
        ("documentation.usage_record_one_month", "blood_gas", "recording"),
        _doc(_usage, snf_only=True),
    ),
    Rule(
        "iii_c_4_flow_hours",
        "MG-OXY III.C.4",
        "nursing facility: liter flow and hours",
        ("order.flow_lpm", "order.hours_per_day"),
        _doc(_flow_hours, snf_only=True),
    ),
    Rule(
        "iii_c_5_additional",
        "MG-OXY III.C.5",
        "nursing facility: additional documentation",
        ("documentation.letter_of_medical_necessity", "documentation.facility_progress_notes"),
        _doc(_facility_notes, snf_only=True),
    ),
)
