"""A review of the context against the rules: findings that deny their own codes, a PaO2 between
the whole-mmHg limits, and acute illnesses the acute table did not hold.

Each case qualified (or was denied with nothing missing) before; docs/criteria.md records the
readings.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from criteria import icd10
from criteria.context import Context
from criteria.evaluate import Evidence, evaluate
from oxi.cli import main
from oximetry.simulate import simulate_night, write_edf
from tests.criteria_helpers import BASE, MEDICARE_BASE, make_dict, overnight, seg

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


# --------------------------------------------------------------------------------------------
# A PaO2 between two whole numbers the criteria decide differently
# --------------------------------------------------------------------------------------------

MC_GAS = {
    "payer": "medicare",
    "patient": {"age_years": 70},
    "test": {
        "type": "rest",
        "date": "2026-11-20",
        "room_air": True,
        "setting": "outpatient",
        "performed_by": "hospital",
        "evaluated_date": "2026-11-21",
    },
    "order": {"date": "2026-11-22", "prescriber": "physician", "flow_lpm": 2, "hours_per_day": 24},
    "diagnoses": ["J44.9"],
    "documentation": {"signed_prescription": True},
}
MH_GAS = {
    "payer": "masshealth",
    "patient": {"age_years": 70},
    "test": {
        "type": "rest",
        "date": "2026-11-20",
        "room_air": True,
        "setting": "outpatient",
        "chronic_stable_state": True,
    },
    "order": {"date": "2026-11-02", "prescriber": "physician", "flow_lpm": 2, "hours_per_day": 24},
    "diagnoses": ["J44.9"],
    "documentation": {
        "letter_of_medical_necessity": True,
        "treatment_notes": True,
        "signed_prescription": True,
    },
}


def _gas(payer: str, gas: dict[str, float], **over: Any) -> str:
    """The determination from blood gases alone (taken on the test date)."""
    base = MH_GAS if payer == "masshealth" else MC_GAS
    c = Context.from_dict(make_dict(base, blood_gas={**gas, "date": "2026-11-20"}, **over))
    return evaluate(c, None).determination


EDEMA = {"findings": {"dependent_edema": True}}
# (what, the blood gases with the value as x, the test type, context changes, whole numbers that
# qualify on either side of the gap, or None where the upper one does not)
GAPS = [
    ("rest, Group I / Group II", {"pao2_rest_mmhg": "x"}, "rest", EDEMA, 55),
    ("rest, Group II / none", {"pao2_rest_mmhg": "x"}, "rest", EDEMA, 59),
    ("awake with sleep 50", {"pao2_awake_mmhg": "x", "pao2_sleep_mmhg": 50}, "overnight", {}, 55),
]


@pytest.mark.parametrize("payer", ["masshealth", "medicare"])
@pytest.mark.parametrize(("what", "gas", "kind", "over", "low"), GAPS)
@pytest.mark.parametrize("frac", [0.1, 0.5, 0.9])
def test_a_pao2_between_the_whole_number_limits_is_not_evaluable(
    payer: str,
    what: str,
    gas: dict[str, Any],
    kind: str,
    over: dict[str, Any],
    low: int,
    frac: float,
) -> None:
    """A PaO2 of 55.5 fell between the clauses: 55 qualified (≤ 55: Group I, II.A.2.a.i) and 56
    qualified (Group II's 56–59 with edema, or awake ≥ 56 beside a sleep PaO2 of 50: Group I-2,
    II.A.2.a.ii), and 55.5 was a bare NOT QUALIFIED with nothing missing; 59.5 beside 59 (Group
    II, a.iii) the same. The limits are whole mmHg, blood gases written to a tenth: the value is
    not evaluable, naming it and the limits (never rounded toward a qualification)."""
    x = low + frac

    def at(v: float) -> dict[str, float]:
        return {k: (v if val == "x" else val) for k, val in gas.items()}

    over = {**over, "test__type": kind}
    assert _gas(payer, at(low), **over) == "qualified"  # ground truth on the whole numbers
    if low == 55:
        assert _gas(payer, at(low + 1), **over) == "qualified"
    base = MH_GAS if payer == "masshealth" else MC_GAS
    c = Context.from_dict(make_dict(base, blood_gas={**at(x), "date": "2026-11-20"}, **over))
    d = evaluate(c, None)
    if payer == "masshealth" and what == "rest, Group I / Group II":
        # a.iii reads "at most 59" with edema: 55.x is covered there, no gap
        assert d.determination == "qualified"
        return
    assert d.determination == "indeterminate", what
    assert any(f"{x:g} mmHg lies between the limits {low} and {low + 1}" in m for m in d.missing)


@pytest.mark.parametrize("payer", ["masshealth", "medicare"])
@pytest.mark.parametrize("x", [55.1, 55.4, 55.5])
def test_a_pao2_just_above_55_is_never_rounded_into_group_i(payer: str, x: float) -> None:
    """55.4 read as 55 would be Group I (II.A.2.a.i) without Group II's conditions: a
    qualification the strict reading denies. Without edema, pulmonary hypertension or a high
    hematocrit the case is not evaluable, never qualified."""
    assert _gas(payer, {"pao2_rest_mmhg": 55}) == "qualified"
    assert _gas(payer, {"pao2_rest_mmhg": 56}) == "not_qualified"
    assert _gas(payer, {"pao2_rest_mmhg": x}) == "indeterminate"


def test_an_exercise_pao2_between_the_limits_is_not_evaluable() -> None:
    """Medicare's three-part exercise test from blood gases: 55.5 on room air is neither Group
    I-4's ≤ 55 nor Group II's 56–59 (with edema 55 and 56 both qualified, 55.5 was denied); 55.5
    at rest is not shown ≥ 56 (test #1), 55.5 on oxygen not shown above 55 (test #3)."""
    walk = {"pao2_rest_mmhg": 70, "pao2_exercise_mmhg": 50, "pao2_exercise_o2_mmhg": 70}
    over: dict[str, Any] = {**EDEMA, "test__type": "exercise", "test__exercise_o2_flow_lpm": 2}
    assert _gas("medicare", walk, **over) == "qualified"
    for key, whole in (("pao2_exercise_mmhg", (55, 56)), ("pao2_rest_mmhg", (56,))):
        for v in whole:
            assert _gas("medicare", {**walk, key: v}, **over) == "qualified", (key, v)
        c = Context.from_dict(
            make_dict(MC_GAS, blood_gas={**walk, key: 55.5, "date": "2026-11-20"}, **over)
        )
        d = evaluate(c, None)
        assert d.determination == "indeterminate", key
        assert any("55.5 mmHg lies between the limits 55 and 56" in m for m in d.missing), key
    assert _gas("medicare", {**walk, "pao2_exercise_o2_mmhg": 56}, **over) == "qualified"
    d = evaluate(
        Context.from_dict(
            make_dict(
                MC_GAS,
                blood_gas={**walk, "pao2_exercise_o2_mmhg": 55.5, "date": "2026-11-20"},
                **over,
            )
        ),
        None,
    )
    assert d.determination == "indeterminate"
    assert any("55.5 mmHg lies between the limits 55 and 56" in m for m in d.missing)


def test_a_pediatric_pao2_between_65_and_66_is_not_evaluable() -> None:
    """MassHealth II.A.2.d: PO2 ≤ 65 under 21; 65.5 was a bare denial beside 65's
    qualification."""
    young = {"patient": {"age_years": 10}}
    assert _gas("masshealth", {"pao2_rest_mmhg": 65}, **young) == "qualified"
    assert _gas("masshealth", {"pao2_rest_mmhg": 65.5}, **young) == "indeterminate"
    assert _gas("masshealth", {"pao2_rest_mmhg": 66}, **young) == "not_qualified"


def test_a_fall_during_sleep_is_compared_as_it_is() -> None:
    """ "More than 10 mmHg" and its complement leave no gap: a fall of 10.5 is more than 10."""
    from criteria.rules.shared import pao2_meets, pao2_part

    assert pao2_part("drop", 10.5, lambda x: x > 10, "sleep", whole=False).met is True
    assert pao2_meets(57.5, lambda x: 56 <= x <= 59) is True
    assert pao2_meets(54.5, lambda x: x <= 55) is True
    assert isinstance(pao2_meets(59.5, lambda x: 56 <= x <= 59), str)


@pytest.mark.parametrize("key", ["pao2_rest_mmhg", "pao2_exercise_o2_mmhg"])
def test_group_iii_normoxemia_between_59_and_60_is_not_evaluable(key: str) -> None:
    """Medicare Group III (cluster headache) needs a normoxemic test, PaO2 ≥ 60 (at rest), and no
    Group I or II value on oxygen (< 60): 59.5 lies between Group II's 56–59 and 60, and is
    neither shown nor ruled out."""
    from tests.criteria_helpers import CLUSTER_OK

    def iii(v: float) -> Any:
        c = Context.from_dict(
            make_dict(
                MC,
                cluster_headache=CLUSTER_OK,
                diagnoses=["G44.011"],
                order__flow_lpm=12,
                test__type="rest",
                blood_gas={key: v, "date": "2026-11-20"},
            )
        )
        d = evaluate(c, Evidence(recording_start=REST_DAY, rest=seg("rest", 95.0)), "medicare")
        (r,) = [r for r in d.rules if r.id == "lcd_group_iii"]
        return r

    assert iii(60).met is True
    assert iii(59).met is False
    doubt = iii(59.5)
    assert doubt.met is None
    assert any("59.5 mmHg lies between the limits 59 and 60" in m for m in doubt.missing)


# --------------------------------------------------------------------------------------------
# Acute illnesses the acute table did not hold
# --------------------------------------------------------------------------------------------


def _dotted(raw: str) -> str:
    return raw if len(raw) <= 3 else f"{raw[:3]}.{raw[3:]}"


def test_every_respiratory_or_circulatory_code_titled_acute_is_in_the_acute_table() -> None:
    """Every code of the release in chapters J (respiratory) and I (circulatory) whose title
    says acute is an acute code (J40, bronchitis "not specified as acute or chronic", is not):
    J00-J06 acute upper respiratory infections, I24 acute ischemic heart disease, I30 acute
    pericarditis, I40 acute myocarditis and I82.4 acute deep vein thrombosis, 163 codes in all,
    raised no conflict beside ``chronic_stable_state: true``."""
    codes, _ = icd10._code_index()
    missed = []
    for raw in sorted(codes):
        if raw[0] not in "JI" or icd10.acute(_dotted(raw)) is not None:
            continue
        title = icd10.describe(_dotted(raw)).replace("not specified as acute or chronic", "")
        if re.search(r"\bacute\b", title, re.I):
            missed.append(_dotted(raw))
    assert missed == []


#: A sample of the added codes: titled acute (or under a category titled so), and acute by
#: their nature or their inclusion terms (docs/criteria.md, "Conflicts").
ACUTE_SAMPLE = [
    "J00", "J01.90", "J02.0", "J04.0", "J06.9", "J68.0", "J69.0", "J85.1", "J86.9", "J93.11",
    "J93.83", "J95.851", "R05.1", "D57.01", "I01.9", "I23.8", "I24.9", "I30.9", "I33.0",
    "I40.9", "I46.9", "I63.9", "I74.3", "I82.401", "I82.4Z1", "I82.C11",
]  # fmt: skip


@pytest.mark.parametrize("code", ACUTE_SAMPLE)
def test_an_acute_illness_beside_a_chronic_stable_state_is_a_conflict(code: str) -> None:
    """MG-OXY II.A.2: the chronic stable state is "not during a period of acute illness or an
    exacerbation"; SPEC §8.2 makes an acute code beside ``chronic_stable_state: true`` a
    conflict. J06.9, J85.1, J69.0 or J01.90 beside J44.9 qualified a night for 12 months."""
    night = overnight(t_le88_min=20.0, nadir_pct=84.0)
    assert evaluate(Context.from_dict(make_dict(BASE)), night).determination == "qualified"
    d = evaluate(Context.from_dict(make_dict(BASE, diagnoses=["J44.9", code])), night)
    assert d.determination == "indeterminate"
    (c,) = [c for c in d.conflicts if c.keys == ("diagnoses", "test.chronic_stable_state")]
    assert c.values["diagnoses"] == code


def test_an_acute_illness_on_a_recorded_night_is_indeterminate_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """End to end (``oxi analyze``): a simulated night with 30 min at 86 % qualifies beside
    J44.9 alone, and is indeterminate beside J44.9 and an acute upper respiratory infection,
    aspiration pneumonitis or an acute deep vein thrombosis, the conflict in summary.json."""
    rec, _ = simulate_night(
        fs=1, duration_s=8 * 3600, seed=3, baseline_pct=93, noise_pts=0.4,
        sustained_drops=[(3 * 3600, 1800, 86)], start=dt.datetime(2026, 11, 20, 22, 0),
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "night.edf")

    def analyze(dx: str) -> dict[str, Any]:
        ctx = tmp_path / "ctx.yaml"
        ctx.write_text(
            "patient: {age_years: 70}\n"
            "test: {type: overnight, date: 2026-11-20, room_air: true, setting: outpatient,\n"
            "       chronic_stable_state: true}\n"
            "order: {date: 2026-11-02, prescriber: physician, flow_lpm: 2, hours_per_day: 8}\n"
            f"diagnoses: [{dx}]\n"
            "documentation: {letter_of_medical_necessity: true, treatment_notes: true,\n"
            "                overnight_oximetry_study: true, signed_prescription: true}\n"
        )
        out = tmp_path / f"out-{dx.replace(', ', '-')}"
        assert (
            main(["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--no-report"])
            == 0
        )
        capsys.readouterr()
        return dict(json.loads((out / "summary.json").read_text())["qualification"])

    assert analyze("J44.9")["determination"] == "qualified"
    for code in ("J06.9", "J69.0", "I82.401"):
        q = analyze(f"J44.9, {code}")
        assert q["determination"] == "indeterminate", code
        assert [c["values"]["diagnoses"] for c in q["conflicts"]] == [code]


# --------------------------------------------------------------------------------------------
# A blood gas during sleep beside a test said to be awake
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payer", ["masshealth", "medicare"])
@pytest.mark.parametrize("ttype", ["rest", "exercise"])
def test_a_sleep_blood_gas_beside_an_awake_test_type_is_a_conflict(payer: str, ttype: str) -> None:
    """A PaO2 of 50 during sleep is an overnight test's: beside test.type rest or exercise the
    type (and who performed the test, and where) describes another test. Medicare's performer
    check read the type, and an outpatient sleep PaO2 by the treating practitioner qualified N1
    beside rest; MassHealth qualified it beside any type. Both payers: a conflict."""
    gas = {"pao2_sleep_mmhg": 50, "pao2_awake_mmhg": 62, "date": "2026-11-20"}
    d = evaluate(_context(payer, test__type=ttype, blood_gas=gas), None)
    assert d.determination == "indeterminate"
    (c,) = d.conflicts
    assert c.keys == ("test.type", "blood_gas.pao2_sleep_mmhg")
    assert c.values == {"test.type": ttype, "blood_gas.pao2_sleep_mmhg": 50}
    overnight_ = evaluate(_context(payer, test__type="overnight", blood_gas=gas), None)
    assert overnight_.conflicts == ()


# --------------------------------------------------------------------------------------------
# A blood gas during exercise beside a test said to be overnight or at rest
# --------------------------------------------------------------------------------------------

#: An exercise test's blood gases: rest 60, exercise 50 on room air, 65 on oxygen (the hunt's).
EXERCISE_GAS = {
    "pao2_rest_mmhg": 60,
    "pao2_exercise_mmhg": 50,
    "pao2_exercise_o2_mmhg": 65,
    "date": "2026-11-20",
}
EXERCISE_GAS_KEYS = ("pao2_exercise_mmhg", "pao2_exercise_o2_mmhg")


@pytest.mark.parametrize("payer", ["masshealth", "medicare"])
@pytest.mark.parametrize("ttype", ["overnight", "rest"])
@pytest.mark.parametrize(
    "keys",
    [
        ("pao2_exercise_mmhg", "pao2_exercise_o2_mmhg"),
        ("pao2_exercise_mmhg",),
        ("pao2_exercise_o2_mmhg",),
    ],
)
def test_an_exercise_blood_gas_beside_an_overnight_or_rest_test_type_is_a_conflict(
    payer: str, ttype: str, keys: tuple[str, ...]
) -> None:
    """The counterpart of the sleep blood gas beside an awake test: an exercise PaO2 of 50 (65
    on oxygen) beside ``test.type: overnight`` qualified MassHealth exercise coverage with
    portable equipment and no conflict, while a sleep PaO2 beside ``rest`` was one. The type
    (and who performed the test, where) describes another test: a conflict naming both keys."""
    gas = {k: v for k, v in EXERCISE_GAS.items() if k not in EXERCISE_GAS_KEYS or k in keys}
    d = evaluate(
        _context(payer, test__type=ttype, test__exercise_o2_flow_lpm=2, blood_gas=gas), None
    )
    assert d.determination == "indeterminate"
    (c,) = d.conflicts
    assert c.keys == ("test.type", *(f"blood_gas.{k}" for k in keys))
    assert c.values == {"test.type": ttype, **{f"blood_gas.{k}": gas[k] for k in keys}}


@pytest.mark.parametrize("payer", ["masshealth", "medicare"])
def test_an_exercise_test_with_its_blood_gases_has_no_type_conflict(payer: str) -> None:
    """The same gases beside ``test.type: exercise`` are the exercise test's own."""
    d = evaluate(
        _context(
            payer, test__type="exercise", test__exercise_o2_flow_lpm=2, blood_gas=EXERCISE_GAS
        ),
        None,
    )
    assert d.conflicts == ()
    if payer == "masshealth":
        assert d.determination == "qualified" and "exercise" in d.coverage


@pytest.mark.parametrize("payer", ["masshealth", "medicare"])
def test_an_overnight_test_with_a_same_day_rest_blood_gas_has_no_type_conflict(
    payer: str,
) -> None:
    """An overnight study's awake (rest) blood gas of the same day is no exercise gas: a night
    with 12 min at or below 88 % still qualifies beside a normal rest PaO2 of 62."""
    gas = {"pao2_rest_mmhg": 62, "pao2_awake_mmhg": 62, "date": "2026-11-20"}
    night = overnight(t_le88_min=12.0, nadir_pct=82.0)
    d = evaluate(_context(payer, test__type="overnight", blood_gas=gas), night)
    assert d.conflicts == ()
    if payer == "masshealth":
        assert d.determination == "qualified" and d.coverage == ("nocturnal",)
