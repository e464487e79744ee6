"""Fifth review of the rules as a payer's auditor: Medicare Groups III and IV, sleep-apnea
headings, equipment codes, and angina and vascular disease as ICD-10-CM codes them.

Each case qualified (or listed more equipment) before; the texts, read as
``medicare-oxygen.md`` reads them safely, say otherwise. docs/criteria.md records the readings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from criteria.context import Context
from criteria.evaluate import Evidence, SegmentFigures, SleepFigures, evaluate
from criteria.evidence import FilePatient
from oxi.cli import main
from oximetry import analyze
from oximetry.model import Annotation, PatientInfo
from oximetry.settings import AnalysisSettings
from oximetry.simulate import simulate_night, write_edf
from tests.criteria_helpers import (
    BASE,
    CLUSTER_OK,
    MEDICARE_BASE,
    OVERNIGHT_YAML,
    exercise_test,
    make_dict,
    overnight,
    seg,
    sleep,
)

MC = {**MEDICARE_BASE, "documentation": {"signed_prescription": True}}
REST_DAY = dt.datetime(2026, 11, 20, 10, 0)


def mc(**over: Any) -> Context:
    return Context.from_dict(make_dict(MC, **over))


def mh(**over: Any) -> Context:
    return Context.from_dict(make_dict(BASE, **over))


def rest(sustained: float) -> Evidence:
    return Evidence(recording_start=REST_DAY, rest=seg("rest", sustained))


def drop_only_night() -> Evidence:
    """A stand-alone night whose only finding is a drop of more than 5 points (30 min)."""
    s = sleep(kind="presumed_sleep", t_le88_min=0.0, nadir_pct=89.0, awake_baseline_pct=95.0)
    s = dataclasses.replace(
        s, drop5_min=30.0, longest_drop5_min=30.0, mean_pct=94.0,
        drop5_from_mean_min=30.0, longest_drop5_from_mean_min=30.0,
    )  # fmt: skip
    return Evidence(recording_start=dt.datetime(2026, 11, 20, 22, 0), sleep=s)


def cluster(**over: Any) -> Context:
    """A Medicare cluster-headache context (Group III): G44.011, high flow, tested at rest."""
    base = {"diagnoses": ["G44.011"], "order__flow_lpm": 12, "test__type": "rest"}
    return mc(cluster_headache=CLUSTER_OK, **{**base, **over})


def test_group_iii_qualifies_on_a_normoxemic_rest_test() -> None:
    """The reference case the others change one thing of."""
    d = evaluate(cluster(), rest(95.0), "medicare")
    assert d.determination == "qualified" and d.modifiers[0] == "N3"


@pytest.mark.parametrize(
    ("over", "why"),
    [
        ({"findings": {"terminal_illness_non_respiratory": True}}, "terminal illness"),
        ({"prn": True}, "Stand-by"),
    ],
)
def test_group_iii_is_excluded_by_a_terminal_illness_or_stand_by_use(
    over: dict[str, Any], why: str
) -> None:
    """NCD 240.2 D covers patients "not ... excluded by C": a terminal illness and stand-by use
    are about the patient and the use, so they apply to Group III (A24). Angina stays about what
    oxygen is for: oxygen for a cluster headache is not oxygen for angina."""
    d = evaluate(cluster(**over), rest(95.0), "medicare")
    assert d.determination == "not_qualified"
    (iv,) = [r for r in d.rules if r.id == "lcd_group_iv"]
    assert iv.met is False and why in iv.reason
    angina = cluster(findings={"angina_pectoris": True})
    assert evaluate(angina, rest(95.0), "medicare").determination == "qualified"


def test_stand_by_oxygen_is_never_covered_even_with_hypoxemia() -> None:
    """The LCD denies emergency or stand-by oxygen for beneficiaries not regularly using oxygen,
    with no exception for hypoxemia (medicare-oxygen.md §3.4, "Also denied"). Filed among the
    Group IV items, a resting PaO2 of 52 lifted it and a prn order qualified with a portable
    system (ninth review)."""
    gas = mc(blood_gas={"pao2_rest_mmhg": 52.0, "date": REST_DAY.date().isoformat()})
    assert evaluate(gas, None).determination == "qualified"
    prn = mc(blood_gas={"pao2_rest_mmhg": 52.0, "date": REST_DAY.date().isoformat()}, prn=True)
    d = evaluate(prn, None)
    assert d.determination == "not_qualified" and d.hcpcs == ()
    (iv,) = [r for r in d.rules if r.id == "lcd_group_iv"]
    assert iv.met is False and "hypoxemia or not" in iv.reason


@pytest.mark.parametrize("order", [{"flow_lpm": 0}, {"hours_per_day": 0}])
def test_a_medicare_order_for_no_oxygen_is_not_evaluable(order: dict[str, Any]) -> None:
    """0 L/min, or 0 hours a day, orders no oxygen: it qualified with N1, QE and every portable
    code (ninth review), where MassHealth's prescription rule finds nothing prescribed."""
    gas = {"pao2_rest_mmhg": 52.0, "date": REST_DAY.date().isoformat()}
    d = evaluate(mc(blood_gas=gas, **{f"order__{k}": v for k, v in order.items()}), None)
    assert d.determination == "indeterminate" and d.hcpcs == ()
    (key,) = order
    assert any(m.startswith(f"order.{key}") for m in d.missing), d.missing


def test_group_iii_needs_a_rest_test_not_a_home_nights_awake_baseline() -> None:
    """Awake values from a home recording cannot qualify (LCD L33797; A15): a stand-alone
    night's presumed awake baseline of 95 % is not Group III's normoxemic test."""
    night = overnight(kind="presumed_sleep", awake_baseline_pct=95.0, nadir_pct=91.0)
    d = evaluate(cluster(test__type="overnight"), night, "medicare")
    assert d.determination == "indeterminate"
    assert any("rest test" in m for m in d.missing), d.missing


@pytest.mark.parametrize("minutes", [0.05, 1.0, 4.9])
def test_group_iii_is_not_for_a_night_with_a_reading_at_or_below_88(minutes: float) -> None:
    """The LCD's current text sets no duration for Group I-2: any reading ≤ 88 % during sleep is
    hypoxemia, so the patient is not "without hypoxemia" (Group III), whatever duration the
    profile takes for qualifying (the legacy 5 minutes would be the generous reading here)."""
    night = sleep(kind="presumed_sleep", t_le88_min=minutes, nadir_pct=86.0)
    ev = Evidence(recording_start=REST_DAY, rest=seg("rest", 95.0), sleep=night)
    d = evaluate(cluster(), ev, "medicare")
    assert d.determination != "qualified"
    (iii,) = [r for r in d.rules if r.id == "lcd_group_iii"]
    assert iii.met is False and "during sleep" in iii.reason


@pytest.mark.parametrize("code", ["I20.9", "I25.110", "I25.119", "I25.709", "I73.9", "I70.229"])
@pytest.mark.parametrize("payer", ["masshealth", "medicare"])
def test_angina_and_vascular_disease_are_known_by_their_codes(payer: str, code: str) -> None:
    """ICD-10-CM codes angina with coronary atherosclerosis as I25.11x / I25.7xx (I20
    Excludes1), and peripheral vascular disease also as atherosclerosis of the extremities'
    arteries or grafts: a night qualifying only on the drop stood beside them."""
    ctx = (mh if payer == "masshealth" else mc)(
        diagnoses=["J44.9", code], symptoms=["nocturnal_restlessness"]
    )
    plain = (mh if payer == "masshealth" else mc)(
        diagnoses=["J44.9"], symptoms=["nocturnal_restlessness"]
    )
    assert evaluate(plain, drop_only_night(), payer).determination == "qualified"
    assert evaluate(ctx, drop_only_night(), payer).determination == "not_qualified"


def test_group_iv_is_lifted_only_by_qualifying_hypoxemia() -> None:
    """A24: a Group IV item stands unless hypoxemia *qualifies*. A PaO2 of 57 at rest is a Group
    II value only with edema, pulmonary hypertension or a hematocrit above 56 %; without one it
    lifted angina, and the drop (I-3) qualified."""
    gas = {"pao2_rest_mmhg": 57, "date": "2026-11-20"}
    base = {"diagnoses": ["J44.9", "I20.9"], "symptoms": ["insomnia"], "blood_gas": gas}
    assert evaluate(mc(**base), drop_only_night(), "medicare").determination == "not_qualified"
    with_edema = mc(**base, findings={"dependent_edema": True})
    assert evaluate(with_edema, drop_only_night(), "medicare").determination == "qualified"


@pytest.mark.parametrize("heading", ["G47.3", "G47", "G47.39"])
def test_a_sleep_apnea_heading_needs_the_titration(heading: str) -> None:
    """With OSA, sleep saturations count only from a PAP titration (LCD L33797; §4.4). A
    heading hides which sleep apnea it is, and G47.39 (other sleep apnea) may be obstructive."""
    night = overnight(kind="presumed_sleep", t_le88_min=30.0, nadir_pct=84.0)
    plain = evaluate(mc(diagnoses=["J44.9"]), night, "medicare")
    assert plain.determination == "qualified"
    d = evaluate(mc(diagnoses=["J44.9", heading]), night, "medicare")
    assert d.determination == "indeterminate"
    assert any("pap_titration" in m for m in d.missing), d.missing


def test_k0738_only_with_a_concentrator() -> None:
    """K0738 (home fill of portable cylinders) is used with a stationary concentrator (E1390):
    above 10 L/min neither is listed."""
    low = evaluate(mc(test__type="rest", mobility={"within_home": True}), rest(86.0), "medicare")
    assert {"E1390", "K0738"} <= set(low.hcpcs)
    high = mc(test__type="rest", order__flow_lpm=12, mobility={"within_home": True})
    d = evaluate(high, rest(86.0), "medicare")
    assert d.determination == "qualified"
    assert "E1390" not in d.hcpcs and "K0738" not in d.hcpcs


def test_no_concentrator_without_the_orders_flow() -> None:
    """An order without a flow offered E1390 and K0738 (E1392 already waited for a flow),
    though a flow above 10 L/min rules a concentrator out (SPEC §8.2): equipment follows the
    need, and the need is not known (hunt 9)."""
    c = mc(test__type="rest", mobility={"within_home": True})
    c = dataclasses.replace(c, order=dataclasses.replace(c.order, flow_lpm=None))
    d = evaluate(c, rest(86.0), "medicare")
    assert d.determination == "qualified"
    assert not {"E1390", "K0738", "E1392"} & set(d.hcpcs)
    assert {"E0424", "E0439", "E0431", "E0434"} <= set(d.hcpcs)
    assert "no concentrator: the order gives no flow" in d.rule("lcd_stationary").reason


def test_masshealth_exercise_on_oxygen_improves_only_at_a_higher_flow() -> None:
    """II.A.2.b.ii.A: the hypoxemia "was demonstrated during exercise when the patient was
    breathing room air". With room air contraindicated the walk was on 2 L/min already; a walk
    on oxygen at the same 2 L/min (or at a flow not given) shows no improvement by oxygen, and
    qualified exercise oxygen with a portable system. At 4 L/min it does."""
    over = {
        "test__type": "exercise",
        "test__room_air": False,
        "test__room_air_contraindicated": True,
        "test__o2_flow_lpm": 2,
        "order__flow_lpm": 4,
        "mobility": {"beyond_stationary_tubing": True},
    }
    for flow in (2.0, None):
        d = evaluate(mh(**over), exercise_test(flow_lpm=flow))
        assert d.determination == "indeterminate", flow
        assert any("higher flow" in m for m in d.missing), d.missing
    assert evaluate(mh(**over), exercise_test(flow_lpm=4.0)).determination == "qualified"


@pytest.mark.parametrize("awake", [None, 86.0])
def test_masshealth_a_iii_in_sleep_asks_awake_at_or_above_89(awake: float | None) -> None:
    """a.iii reads "89 %" as "at most 89 %" because lower values qualify elsewhere; during sleep
    they do so only with the patient at or above 89 % awake (a.ii). A night of 30 min ≤ 88 %
    with edema and an awake baseline of 86 % (or none) qualified through a.iii."""
    night = overnight(
        kind="presumed_sleep", t_le88_min=30.0, nadir_pct=84.0, awake_baseline_pct=awake,
        drop5_min=None,
    )  # fmt: skip
    d = evaluate(mh(findings={"dependent_edema": True}), night)
    assert d.determination == "indeterminate"
    well = overnight(kind="presumed_sleep", t_le88_min=30.0, nadir_pct=84.0)
    assert evaluate(mh(findings={"dependent_edema": True}), well).determination == "qualified"


def test_masshealth_prn_oxygen_needs_where_the_member_lives() -> None:
    """II.B.8 excludes PRN oxygen in a skilled nursing facility: with ``prn: true`` and no
    ``residence`` the exclusion can neither be applied nor ruled out."""
    night = overnight(kind="presumed_sleep", t_le88_min=30.0, nadir_pct=84.0)
    d = evaluate(mh(prn=True), night)
    assert d.determination == "indeterminate" and "residence" in d.missing
    assert evaluate(mh(prn=True, residence="community"), night).determination == "qualified"


def _rest_in_a_night(tmp_path: Path, at: str) -> dict[str, Any]:
    """An unstaged recording from 21:00 to 07:00 (1 Hz) with 7 min at 86 % at 03:00 and at
    22:00, analysed as a rest test over the 6 minutes from ``at``."""
    rec, _ = simulate_night(
        fs=1, duration_s=10 * 3600, seed=5, baseline_pct=94, noise_pts=0.4,
        sustained_drops=[(6 * 3600, 420, 86), (3600, 420, 86)],
        start=dt.datetime(2026, 11, 20, 21, 0),
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "night.edf")
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(
        "patient: {age_years: 70}\n"
        "test: {type: rest, date: 2026-11-20, room_air: true, setting: outpatient,\n"
        "       chronic_stable_state: true}\n"
        "order: {date: 2026-11-10, prescriber: physician, flow_lpm: 2, hours_per_day: 24}\n"
        "diagnoses: [J44.9]\n"
        "documentation: {signed_prescription: true, letter_of_medical_necessity: true}\n"
    )
    out = tmp_path / f"out-{at.replace(':', '')}"
    args = ["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--no-report"]
    assert main([*args, "--segment", f"rest={at}-{at[:3]}06:00"]) == 0
    return dict(json.loads((out / "summary.json").read_text())["qualification"])


def test_a_rest_segment_in_the_middle_of_an_unstaged_night_is_not_a_rest_test(
    tmp_path: Path,
) -> None:
    """End to end: a 6-minute 'rest' segment over a dip at 03:00 of an overnight recording
    without staging qualified continuous oxygen with a portable system (II.A.2.a.i), though
    the patient was most likely asleep. Between 23:00 and 06:00 an unstaged segment is not
    evaluable, naming the staging; at 22:00 (a ward's evening test) it stands."""
    q = _rest_in_a_night(tmp_path, "03:00:00")
    assert q["determination"] == "indeterminate"
    assert any("--hypnogram" in m for m in q["missing"]), q["missing"]
    assert _rest_in_a_night(tmp_path, "22:00:00")["determination"] == "qualified"


_CHILD = (
    "patient: {birth_date: 2011-03-02, sex: F}\n"
    "test: {type: overnight, date: 2026-11-20, room_air: true, setting: outpatient,\n"
    "       chronic_stable_state: true}\n"
    "order: {date: 2026-11-10, prescriber: physician, flow_lpm: 1, hours_per_day: 12}\n"
    "diagnoses: [J44.9]\n"
    "documentation: {signed_prescription: true, letter_of_medical_necessity: true}\n"
)


def _mans_night(tmp_path: Path) -> Path:
    """A qualifying night whose EDF header names a man born in 1949."""
    rec, _ = simulate_night(
        fs=1, duration_s=7 * 3600, seed=4, baseline_pct=95, noise_pts=0.4,
        sustained_drops=[(7200, 540, 86)], start=dt.datetime(2026, 11, 20, 22, 0),
        patient=PatientInfo(name="Doe_John", sex="M", birth_date=dt.date(1949, 7, 13)),
    )  # fmt: skip
    return write_edf(rec, tmp_path / "night.edf")


@pytest.mark.parametrize("deidentify", [False, True])
def test_a_night_of_another_person_is_a_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], deidentify: bool
) -> None:
    """One person's night, another person's context: a 76-year-old man's summary qualified a
    15-year-old girl for pediatric oxygen, by ``oxi analyze`` and by ``oxi qualify --summary``
    (fifth review). The header's birth date (or, de-identified, its age) and sex against the
    context's are a conflict; the values are not shown."""
    edf = _mans_night(tmp_path)
    ctx = tmp_path / "child.yaml"
    ctx.write_text(_CHILD)
    out = tmp_path / "with"
    more = ["--deidentify"] if deidentify else []
    assert main(["analyze", str(edf), "--context", str(ctx), "--out", str(out), *more]) == 0
    q = json.loads((out / "summary.json").read_text())["qualification"]
    assert q["determination"] == "indeterminate"
    keys = {k for c in q["conflicts"] for k in c["keys"]}
    assert "recording.patient" in keys
    assert "1949" not in json.dumps(q["conflicts"])
    alone = tmp_path / "alone"
    assert main(["analyze", str(edf), "--out", str(alone), "--no-report", *more]) == 0
    capsys.readouterr()
    summary = str(alone / "summary.json")
    assert main(["qualify", "--summary", summary, "--context", str(ctx)]) == 0
    assert "INDETERMINATE" in capsys.readouterr().out


def test_a_header_age_on_the_other_side_of_21_is_a_conflict(tmp_path: Path) -> None:
    """The header's birth date makes the member 21 on the night, the context says 20: a year
    apart was taken for one person's ages counted on other days, and pediatric oxygen (under
    21, MG-OXY II.A.2.d) qualified. Either side of 21 is a conflict; 70 beside 71 is not."""
    rec, _ = simulate_night(
        fs=1, duration_s=7 * 3600, seed=4, baseline_pct=95, noise_pts=0.4,
        sustained_drops=[(7200, 540, 86)], start=dt.datetime(2026, 11, 20, 22, 0),
        patient=PatientInfo(sex="F", birth_date=dt.date(2005, 6, 1)),
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "night.edf")
    for age, det in ((20, "indeterminate"), (21, "qualified"), (22, "qualified")):
        ctx = tmp_path / f"ctx{age}.yaml"
        ctx.write_text(_CHILD.replace("birth_date: 2011-03-02", f"age_years: {age}"))
        out = tmp_path / f"out{age}"
        assert main(["analyze", str(edf), "--context", str(ctx), "--out", str(out),
                     "--no-report"]) == 0  # fmt: skip
        q = json.loads((out / "summary.json").read_text())["qualification"]
        assert q["determination"] == det, (age, q["conflicts"])
        if det == "indeterminate":
            assert any("recording.patient" in c["keys"] for c in q["conflicts"])


def test_a_de_identified_summary_keeps_a_header_age_found_on_the_test_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A night from 22:00 on 5 January, test.date the 6th, the header born 6 January 2005 (21
    on the test date, 20 at the start) beside age_years 20: `oxi analyze` held it open (either
    side of 21), but printed "the header makes the patient 20, the context 20", and `oxi
    qualify --summary` of the de-identified summary (the header's age 20, at the start) with
    the very context QUALIFIED pediatric oxygen (hunt 14)."""
    rec, _ = simulate_night(
        fs=1, duration_s=8 * 3600, seed=3, baseline_pct=95.5, noise_pts=0.4,
        sustained_drops=[(3600, 1200, 90.0)], start=dt.datetime(2026, 1, 5, 22, 0),
        patient=PatientInfo(sex="F", birth_date=dt.date(2005, 1, 6)),
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "night.edf")
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(
        _CHILD.replace("birth_date: 2011-03-02, sex: F", "age_years: 20")
        .replace("2026-11-20", "2026-01-06")
        .replace("2026-11-10", "2025-12-20")
    )
    out = tmp_path / "out"
    args = ["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--no-report"]
    assert main([*args, "--deidentify"]) == 0
    doc = json.loads((out / "summary.json").read_text())
    assert doc["patient"]["age_years"] == 20  # at the recording's start
    (c,) = doc["qualification"]["conflicts"]
    assert c["keys"] == ["patient.age_years", "recording.patient"]
    assert "makes the patient 21, the context 20" in c["why"]
    summary = str(out / "summary.json")
    assert main(["verify", summary, str(edf)]) == 0
    capsys.readouterr()
    assert main(["qualify", "--summary", summary, "--context", str(ctx)]) == 0
    assert "INDETERMINATE" in capsys.readouterr().out


def _undated(edf: Path) -> Path:
    """Make ``edf`` a recording of no known date (``Startdate X``, an anonymiser's 01.01.85)."""
    raw = bytearray(edf.read_bytes())
    field = raw[88:168].decode("ascii").split(" ")
    field[1] = "X"
    raw[88:168] = " ".join(field).ljust(80).encode("ascii")
    raw[168:176] = b"01.01.85"
    edf.write_bytes(bytes(raw))
    return edf


@pytest.mark.parametrize("deidentify", [False, True])
def test_a_header_birth_date_of_a_recording_of_no_known_date_finds_another_age(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], deidentify: bool
) -> None:
    """A night of no known date (its test.date the context's) whose header names a man born
    1949, beside a context of age 15: the header's age was compared only when the recording's
    start gave one, and the night (18 min at 90 %) QUALIFIED pediatric oxygen for the 77-year
    -old (hunt 14). Its birth date gives one on test.date; a de-identified summary keeps the
    outcome, ``age_matches_recording``, as its patient block holds no age, and ``oxi qualify
    --summary`` with the very context (it qualified) holds the night open too."""
    rec, _ = simulate_night(
        fs=1, duration_s=7 * 3600, seed=3, baseline_pct=95.5, noise_pts=0.4,
        sustained_drops=[(7200, 1200, 90.0)], start=dt.datetime(2026, 11, 20, 22, 0),
        patient=PatientInfo(sex="M", birth_date=dt.date(1949, 7, 13)),
    )  # fmt: skip
    edf = _undated(write_edf(rec, tmp_path / "night.edf"))
    more = ["--deidentify"] if deidentify else []
    for age, det in ((15, "indeterminate"), (77, "not_qualified")):
        ctx = tmp_path / f"ctx{age}.yaml"
        ctx.write_text(_CHILD.replace("birth_date: 2011-03-02, sex: F", f"age_years: {age}"))
        out = tmp_path / f"out{age}"
        args = ["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--no-report"]
        assert main([*args, *more]) == 0
        doc = json.loads((out / "summary.json").read_text())
        assert doc["input"]["date_known"] is False
        q = doc["qualification"]
        assert q["determination"] == det, (age, q["conflicts"])
        if det == "indeterminate":
            assert any("recording.patient" in c["keys"] for c in q["conflicts"])
        summary = str(out / "summary.json")
        assert main(["verify", summary, str(edf)]) == 0
        capsys.readouterr()
        assert main(["qualify", "--summary", summary, "--context", str(ctx)]) == 0
        assert det.upper().replace("_", " ") in capsys.readouterr().out


@pytest.mark.parametrize("deidentify", [False, True])
def test_a_header_born_after_the_recording_is_a_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], deidentify: bool
) -> None:
    """A night of 5 January 2026 whose header gives a birth date of 1 June 2026: the summary
    wrote the header's age as -1, within a year of a context's infant of 0, and the night (18
    min at 90 %, P27.1) QUALIFIED pediatric oxygen (hunt 14). The header is wrong, or the night
    another person's: a conflict, found again by ``oxi verify`` and ``oxi qualify --summary``."""
    rec, _ = simulate_night(
        fs=1, duration_s=7 * 3600, seed=3, baseline_pct=95.5, noise_pts=0.4,
        sustained_drops=[(7200, 1200, 90.0)], start=dt.datetime(2026, 1, 5, 22, 0),
        patient=PatientInfo(sex="F", birth_date=dt.date(2026, 6, 1)),
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "night.edf")
    ctx = tmp_path / "infant.yaml"
    ctx.write_text(
        _CHILD.replace("birth_date: 2011-03-02", "age_years: 0")
        .replace("2026-11-20", "2026-01-05")
        .replace("2026-11-10", "2025-12-20")
        .replace("J44.9", "P27.1")
    )
    out = tmp_path / "out"
    more = ["--deidentify"] if deidentify else []
    args = ["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--no-report"]
    assert main([*args, *more]) == 0
    doc = json.loads((out / "summary.json").read_text())
    assert doc["patient"]["age_years"] is None  # no age, never -1
    q = doc["qualification"]
    assert q["determination"] == "indeterminate"
    assert [c["keys"] for c in q["conflicts"]] == [["recording.patient", "recording.start"]]
    assert "2026-06-01" not in json.dumps(q)
    summary = str(out / "summary.json")
    assert main(["verify", summary, str(edf)]) == 0
    capsys.readouterr()
    assert main(["qualify", "--summary", summary, "--context", str(ctx)]) == 0
    assert "INDETERMINATE" in capsys.readouterr().out


def test_verify_with_the_labs_context_recomputes_with_its_birth_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The lab's context gives a birth date the recording's header contradicts: `oxi analyze`
    says indeterminate. A summary made with the age that birth date gives instead qualified,
    and `oxi verify --context` with the lab's file said "verified" (it recomputed from the
    summary's copy of the context, which keeps the age only), and NOT VERIFIED for the genuine
    set. Verify now recomputes with the file given."""
    edf = _mans_night(tmp_path)  # a man born 1949-07-13
    lab = tmp_path / "lab.yaml"
    lab.write_text(OVERNIGHT_YAML.replace("{age_years: 70}", "{birth_date: 1949-01-01, sex: M}"))
    forged_ctx = tmp_path / "forged.yaml"
    forged_ctx.write_text(OVERNIGHT_YAML.replace("{age_years: 70}", "{age_years: 77, sex: M}"))
    dets = {}
    for name, ctx in (("genuine", lab), ("forged", forged_ctx)):
        out = tmp_path / name
        assert main(["analyze", str(edf), "--context", str(ctx), "--out", str(out),
                     "--no-report"]) == 0  # fmt: skip
        dets[name] = json.loads((out / "summary.json").read_text())["qualification"]
    assert dets["genuine"]["determination"] == "indeterminate"
    assert dets["forged"]["determination"] == "qualified"
    capsys.readouterr()
    verify = ["verify", "--context", str(lab)]
    assert main([*verify, str(tmp_path / "genuine" / "summary.json"), str(edf)]) == 0
    capsys.readouterr()
    assert main([*verify, str(tmp_path / "forged" / "summary.json"), str(edf)]) == 1
    assert "qualification.determination" in capsys.readouterr().out


def test_a_de_identified_summary_keeps_the_sex_that_finds_another_person(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same age, the other sex: a de-identified summary kept the age only, so `oxi qualify
    --summary` with the very context `oxi analyze` had held open (indeterminate) qualified it
    (ninth review). The sex is no identifier, and is kept."""
    edf = _mans_night(tmp_path)  # a man, 77 on the night
    ctx = tmp_path / "woman.yaml"
    ctx.write_text(OVERNIGHT_YAML.replace("{age_years: 70}", "{age_years: 77, sex: F}"))
    out = tmp_path / "out"
    args = ["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--deidentify"]
    assert main([*args, "--no-report"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["patient"] == {"age_years": 77, "age_capped": False, "sex": "M"}
    assert summary["qualification"]["determination"] == "indeterminate"
    capsys.readouterr()
    assert main(["qualify", "--summary", str(out / "summary.json"), "--context", str(ctx)]) == 0
    assert "INDETERMINATE" in capsys.readouterr().out
    same = tmp_path / "man.yaml"  # the man's own context: qualified by both routes
    same.write_text(OVERNIGHT_YAML.replace("{age_years: 70}", "{age_years: 77, sex: M}"))
    his = tmp_path / "his"
    args = ["analyze", str(edf), "--context", str(same), "--out", str(his), "--deidentify"]
    assert main([*args, "--no-report"]) == 0
    summary = json.loads((his / "summary.json").read_text())
    assert summary["qualification"]["determination"] == "qualified"
    capsys.readouterr()
    assert main(["qualify", "--summary", str(his / "summary.json"), "--context", str(same)]) == 0
    assert "QUALIFIED" in capsys.readouterr().out


@pytest.mark.parametrize("deidentify", [False, True])
def test_a_summary_keeps_the_birth_date_conflict_it_held_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], deidentify: bool
) -> None:
    """The context's birth date (1949-01-01) is not the header's (1949-07-13), the age on the
    night the same (77): `oxi analyze` holds the night open. The summary's copy of the context
    kept the age only, so `oxi verify` (without --context) recomputed "qualified" and found the
    genuine summary NOT VERIFIED, and `oxi qualify --summary` of the de-identified summary
    qualified the night with the very context it was held open for (hunt 13). The copy keeps
    the outcome, `patient.birth_date_matches_recording`, never a date."""
    edf = _mans_night(tmp_path)  # a man born 1949-07-13
    lab = tmp_path / "lab.yaml"
    lab.write_text(OVERNIGHT_YAML.replace("{age_years: 70}", "{birth_date: 1949-01-01, sex: M}"))
    out = tmp_path / "out"
    more = ["--deidentify"] if deidentify else []
    args = ["analyze", str(edf), "--context", str(lab), "--out", str(out), "--no-report"]
    assert main([*args, *more]) == 0
    summary = out / "summary.json"
    doc = json.loads(summary.read_text())
    assert doc["qualification"]["determination"] == "indeterminate"
    capsys.readouterr()
    assert main(["verify", str(summary), str(edf)]) == 0
    capsys.readouterr()
    assert main(["qualify", "--summary", str(summary), "--context", str(lab)]) == 0
    assert "INDETERMINATE" in capsys.readouterr().out
    assert doc["context"]["patient"]["birth_date_matches_recording"] is False
    assert "1949-01-01" not in summary.read_text()


def test_a_placeholder_birth_date_in_the_header_is_no_conflict() -> None:
    """Headers that hold 1900-01-01 (or 1970-01-01) for "not entered" name nobody."""
    night = overnight(kind="presumed_sleep", t_le88_min=30.0, nadir_pct=84.0)
    for born in (dt.date(1900, 1, 1), dt.date(1970, 1, 1)):
        ev = dataclasses.replace(night, file_patient=FilePatient(birth_date=born, age_years=126))
        assert evaluate(mh(), ev).determination == "qualified"


# --------------------------------------------------------------------------------------------
# Sixth review: codes that mean less than their heading, and the walk's flow by blood gas
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["I27.82", "I27.89", "I27.9", "I27"])
@pytest.mark.parametrize("payer", ["masshealth", "medicare"])
def test_a_pulmonary_heart_disease_that_is_not_hypertension_is_no_condition(
    payer: str, code: str
) -> None:
    """89 % at rest qualifies (a.iii; Group II) only with pulmonary hypertension or cor
    pulmonale: chronic pulmonary embolism (I27.82), other or unspecified pulmonary heart disease
    and the heading I27 are not it (J44.9 + I27.82 qualified continuous oxygen). I27.2x is."""
    make = mh if payer == "masshealth" else mc
    ev = rest(89.0)
    assert evaluate(
        make(test__type="rest", diagnoses=["J44.9", code]), ev, payer
    ).determination != ("qualified")
    ph = make(test__type="rest", diagnoses=["J44.9", "I27.23"], mobility={"within_home": True})
    assert evaluate(ph, ev, payer).determination == "qualified"


@pytest.mark.parametrize("heading", ["J96", "J96.0", "J96.9", "R09.0"])
def test_group_iii_is_ruled_out_by_a_hypoxemia_heading(heading: str) -> None:
    """A22: any hypoxemia diagnosis rules Group III out; a heading that holds one may be one."""
    d = evaluate(cluster(diagnoses=["G44.011", heading]), rest(95.0), "medicare")
    assert d.determination == "not_qualified"


@pytest.mark.parametrize("code", ["P28.5", "P28.81"])
def test_newborn_respiratory_failure_is_acute(code: str) -> None:
    """II.C: respiratory failure or arrest of a newborn is acute in nature, not a chronic
    stable state (it qualified 12 months as b.vii like pulmonary insufficiency of prematurity)."""
    night = overnight(kind="presumed_sleep", t_le90_min=30.0, t_le88_min=0.0, nadir_pct=89.0)
    d = evaluate(mh(patient={"age_years": 0}, diagnoses=[code]), night)
    assert d.determination == "indeterminate"  # acute, in a context saying chronic stable
    assert any("acute" in c.why for c in d.conflicts)


@pytest.mark.parametrize("code", ["G97.1", "O89.4", "O74.5", "O29.41"])
def test_headaches_of_other_codes_are_ii_b_5_headaches(code: str) -> None:
    """II.B.5 excludes headaches other than cluster headache: a post-dural-puncture or
    anesthesia-induced headache, attested as an unlisted condition, qualified."""
    night = overnight(kind="presumed_sleep", t_le88_min=30.0, nadir_pct=84.0)
    c = mh(diagnoses=[code], findings={"attested_condition": True})
    assert evaluate(c, night).determination != "qualified"


@pytest.mark.parametrize("payer", ["masshealth", "medicare"])
def test_a_blood_gas_walk_on_oxygen_needs_its_flow(payer: str) -> None:
    """The exercise improvement by blood gas (PaO2 50 on room air, 62 on oxygen) skipped the
    walk-flow check the recording's walk has: unknown, or above the order's, it qualified."""
    gas = {"pao2_rest_mmhg": 70, "pao2_exercise_mmhg": 50, "pao2_exercise_o2_mmhg": 62}
    make = mh if payer == "masshealth" else mc
    base = {"test__type": "exercise", "order__flow_lpm": 2, "blood_gas": gas}
    assert evaluate(make(**base), None, payer).determination == "indeterminate"
    over = make(**base, test__exercise_o2_flow_lpm=6)
    assert evaluate(over, None, payer).determination == "indeterminate"
    at = make(**base, test__exercise_o2_flow_lpm=2)
    assert evaluate(at, None, payer).determination == "qualified"


def test_an_attested_terminal_illness_does_not_lift_ii_b_1() -> None:
    """II.B.1 excludes terminal illnesses that do not affect the respiratory system unless the
    request rests on another II.A.1 condition; attesting the terminal illness itself (C25.9) as
    an unlisted condition lifted it. A listed condition beside it (J44.9) still does."""
    night = overnight(kind="presumed_sleep", t_le88_min=30.0, nadir_pct=84.0)
    flags = {"terminal_illness_non_respiratory": True, "attested_condition": True}
    assert evaluate(mh(diagnoses=["C25.9"], findings=flags), night).determination != "qualified"
    both = mh(diagnoses=["C25.9", "J44.9"], findings={"terminal_illness_non_respiratory": True})
    assert evaluate(both, night).determination == "qualified"


def test_group_i_sleep_with_a_group_ii_rest_test_is_group_ii_coverage() -> None:
    """Group I-2 (sleep) gives nocturnal oxygen; the continuous and portable coverage came from a
    Group II rest value (PaO2 58 with edema), yet it was billed N1 with no retest. That coverage
    is Group II's: N2, and the repeat test on days 61-90 (LCD L33797; A10, A11)."""
    night = overnight(
        kind="presumed_sleep", t_le88_min=30.0, nadir_pct=84.0, awake_baseline_pct=94.0
    )
    c = mc(
        blood_gas={"pao2_rest_mmhg": 58, "date": "2026-11-20"},
        findings={"dependent_edema": True},
        mobility={"within_home": True},
    )
    d = evaluate(c, night, "medicare")
    assert d.determination == "qualified" and "continuous" in d.coverage
    assert d.modifiers[0] == "N2"
    (due,) = [r for r in d.rules if r.id == "lcd_retest_due"]
    assert due.met is False
    alone = evaluate(mc(mobility={"within_home": True}), night, "medicare")
    assert alone.modifiers[0] == "N1" and alone.coverage == ("nocturnal",)


def test_cluster_headache_beside_a_sleep_finding_gets_tanks_and_its_short_period() -> None:
    """II.A.2.c gives a cluster headache portable tanks and II.C less than six months; II.B.7
    gives a sleep-only finding no portable system. Together they gave a COPD night's portable
    system (E0434, K0738, concentrator E1392) for 12 months. Portable is now the headache's
    tanks, and the one period the request gets is the headache's."""
    c = mh(
        diagnoses=["J44.9", "G44.019"],
        cluster_headache=dict(CLUSTER_OK),
        mobility={"beyond_stationary_tubing": True, "hours_away_from_home": 6},
    )
    d = evaluate(c, overnight(kind="presumed_sleep", t_le88_min=30.0, nadir_pct=84.0))
    assert d.determination == "qualified"
    assert not {"E0434", "K0738", "E1392"} & set(d.hcpcs) and "E0431" in d.hcpcs
    assert d.authorization_months == 3


def test_a_walk_in_the_nights_file_is_no_part_of_the_sleep_window(tmp_path: Path) -> None:
    """An evening walk (annotated rest, exercise, exercise_o2) at the start of an unstaged
    overnight recording: six minutes at 85 % on the walk, in the presumed sleep window, qualified
    a night that stayed at 94 % as nocturnal hypoxemia (MG-OXY II.A.2.a.ii: "during sleep").
    The segments are taken out of the sleep window, with a warning."""
    rec, _ = simulate_night(
        fs=1, duration_s=9 * 3600, seed=1, baseline_pct=94.0, noise_pts=0.5,
        sustained_drops=[(0, 300, 96.0), (360, 360, 85.0), (780, 360, 95.0)],
        segments=[("rest", 0, 300), ("exercise", 360, 720), ("exercise_o2", 780, 1140)],
        start=dt.datetime(2026, 11, 20, 21, 0), pulse=True,
    )  # fmt: skip
    a = analyze(rec, AnalysisSettings(test_type="overnight"))  # as test.type overnight sets
    night = a.metrics["presumed_sleep"]
    assert night.t_le88_min < 1.0  # the walk's 6 min at 85 % are not in it
    sleep = next(w for w in a.windows if w.kind == "presumed_sleep")
    assert sleep.spans_s[0][0] >= 1140.0
    assert any("taken out of the presumed sleep window" in w for w in a.warnings)
    edf = write_edf(rec, tmp_path / "night.edf")
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(OVERNIGHT_YAML)
    out = tmp_path / "out"
    assert main(["analyze", str(edf), "--context", str(ctx), "--out", str(out),
                 "--no-report"]) == 0  # fmt: skip
    q = json.loads((out / "summary.json").read_text())["qualification"]
    assert q["determination"] != "qualified"


def test_a_walk_the_file_marks_stays_out_of_the_night_beside_segment(tmp_path: Path) -> None:
    """--segment replaces the file's segment annotations for the test's figures only: given
    --segment rest=21:00:00-21:05:00 alone, the walk the file marked (exercise, 6 min at 85 %)
    stayed in the presumed sleep window and QUALIFIED the night (hunt 14), and its walk on
    oxygen was no reason to take the baseline from --awake only."""
    rec, _ = simulate_night(
        fs=1, duration_s=9 * 3600, seed=1, baseline_pct=94.0, noise_pts=0.5,
        sustained_drops=[(0, 300, 96.0), (360, 360, 85.0), (780, 360, 95.0)],
        segments=[("rest", 0, 300), ("exercise", 360, 720), ("exercise_o2", 780, 1140)],
        start=dt.datetime(2026, 11, 20, 21, 0), pulse=True,
    )  # fmt: skip
    given = AnalysisSettings(test_type="overnight", segments_s=(("rest", 0.0, 300.0),))
    a = analyze(rec, given)
    assert a.metrics["presumed_sleep"].t_le88_min < 1.0
    sleep = next(w for w in a.windows if w.kind == "presumed_sleep")
    assert sleep.spans_s[0][0] >= 1140.0
    assert [w.kind for w in a.windows if w.kind in ("rest", "exercise", "exercise_o2")] == ["rest"]
    _no_baseline_from_the_recording(a, "presumed_sleep")
    edf = write_edf(rec, tmp_path / "night.edf")
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(OVERNIGHT_YAML)
    out = tmp_path / "out"
    assert main(["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--no-report",
                 "--segment", "rest=21:00:00-21:05:00"]) == 0  # fmt: skip
    q = json.loads((out / "summary.json").read_text())["qualification"]
    assert q["determination"] != "qualified"
    # the marks are recorded, so that a lights off the walk took the window's start from is
    # no edited summary to oxi qualify --summary
    lit = tmp_path / "lit"
    assert main(["analyze", str(edf), "--context", str(ctx), "--out", str(lit), "--no-report",
                 "--segment", "rest=21:00:00-21:05:00", "--lights-off", "21:05"]) == 0  # fmt: skip
    summary = json.loads((lit / "summary.json").read_text())
    assert summary["recording"]["test_marks_s"] == [[360.0, 720.0], [780.0, 1140.0]]
    assert main(["qualify", "--summary", str(lit / "summary.json"), "--context", str(ctx)]) == 0
    assert main(["verify", str(lit / "summary.json"), str(edf)]) == 0


def test_a_walk_marked_without_a_duration_is_no_part_of_the_night() -> None:
    """A walk's start pressed on the device ('exercise' at 21:06, no duration) marks no segment,
    and the walk's 6 min at 85 % after it stayed in the presumed sleep window of an overnight
    test, which qualified on them (hunt 14). Its length unknown, the 120 min from the mark are
    no part of the night; --segment giving the walk's span is used instead."""
    from oximetry.model import Annotation

    rec, _ = simulate_night(
        fs=1, duration_s=9 * 3600, seed=1, baseline_pct=94.0, noise_pts=0.5,
        sustained_drops=[(360, 360, 85.0)], annotations=[Annotation(360.0, 0.0, "exercise")],
        start=dt.datetime(2026, 11, 20, 21, 0), pulse=True,
    )  # fmt: skip
    a = analyze(rec, AnalysisSettings(test_type="overnight"))
    assert a.metrics["presumed_sleep"].t_le88_min < 1.0
    sleep = next(w for w in a.windows if w.kind == "presumed_sleep")
    assert all(not (b > 360.0 and s < 360.0 + 7200.0) for s, b in sleep.spans_s)
    assert any("'exercise' at 21:06:00 without a duration" in w for w in a.warnings)
    given = analyze(rec, AnalysisSettings(test_type="overnight", segments_s=(("exercise", 360.0, 720.0),)))  # fmt: skip
    assert given.metrics["presumed_sleep"].t_le88_min < 1.0
    assert given.metrics["presumed_sleep"].valid_min > 8 * 60


def _no_baseline_from_the_recording(a: Any, night: str) -> None:
    """The awake baseline of a file holding a walk on oxygen: none, said, only --awake."""
    m = a.metrics[night]
    assert m.awake_baseline_pct is None and m.drop5_min is None
    assert all(w.kind not in ("presumed_awake",) for w in a.windows)
    assert any("walk on oxygen (exercise_o2)" in w for w in a.warnings)


def test_a_walk_on_oxygen_in_the_nights_file_is_no_awake_baseline() -> None:
    """The night's file opens with a walk on oxygen (exercise_o2) at 99 %: the presumed awake
    baseline (the first 300 s of valid data) was the walk, and a steady night at 93 % read as a
    drop of more than 5 points all night (II.A.2.a.ii drop qualified). How long the patient
    stayed on oxygen around the walk is unknown: only --awake gives a baseline then."""
    rec, _ = simulate_night(
        fs=1, duration_s=8 * 3600, seed=3, baseline_pct=93.0, noise_pts=0.3,
        segments=[("exercise_o2", 0, 360)], start=dt.datetime(2026, 11, 20, 21, 0), pulse=True,
    )  # fmt: skip
    x = rec.spo2.data.copy()
    x[:360] = np.minimum(x[:360] + 6.0, 100.0)
    rec = dataclasses.replace(rec, spo2=dataclasses.replace(rec.spo2, data=x))
    _no_baseline_from_the_recording(
        analyze(rec, AnalysisSettings(test_type="overnight")), "presumed_sleep"
    )
    a = analyze(rec, AnalysisSettings(test_type="overnight", awake_span_s=(1200.0, 1800.0)))
    m = a.metrics["presumed_sleep"]
    assert m.awake_baseline_pct is not None and round(m.awake_baseline_pct) == 93
    assert m.drop5_min is not None and m.drop5_min < 1.0


@pytest.mark.parametrize("context_patient", [{"birth_date": "2005-11-21"}, {"age_years": 21}])
def test_the_header_age_is_counted_on_the_context_ages_day(context_patient: dict[str, Any]) -> None:
    """One person born 2005-11-21, a night from 22:30 on the eve of the 21st birthday, test.date
    the next morning: the header's age at the recording's start (20) beside the context's on
    test.date (21) lay on either side of 21 and made one person two (a false conflict)."""
    c = Context.from_dict(
        {
            "patient": context_patient,
            "test": {"type": "overnight", "date": "2026-11-21", "room_air": True,
                     "setting": "outpatient", "chronic_stable_state": True},
            "order": {"date": "2026-11-02", "prescriber": "physician", "flow_lpm": 2,
                      "hours_per_day": 8},
            "diagnoses": ["J44.9"],
        }
    )  # fmt: skip
    night = {"valid_min": 420.0, "t_le88_min": 12.0, "t_lt90_min": 30.0, "t_le90_min": 35.0,
             "longest_le88_min": 12.0, "nadir_pct": 84.0, "awake_baseline_pct": 93.0,
             "awake_baseline_source": "first_300s_valid"}  # fmt: skip
    fp = FilePatient(birth_date=dt.date(2005, 11, 21), age_years=20.0)
    ev = Evidence.from_metrics(
        {"presumed_sleep": night}, recording_start=dt.datetime(2026, 11, 20, 22, 30),
        file_patient=fp,
    )  # fmt: skip
    d = evaluate(c, ev)
    assert not [x for x in d.conflicts if "recording.patient" in x.keys]
    assert d.determination == "qualified"


@pytest.mark.parametrize("staged", [True, False])
def test_a_walk_and_its_pauses_are_no_awake_baseline(staged: bool) -> None:
    """A night's file opening with a test: rest at 93 %, a walk at 90 %, then (staged) a walk on
    oxygen at 99 % in the wake epochs, or (unstaged) a pause on oxygen at 99 % before the walk
    on oxygen. The staged wake window, or the presumed baseline's first 300 s, took the 99 %
    as the awake baseline, and a night at 93 % was a drop of more than 5 points all night."""
    day = 8 * 3600
    if staged:
        extra = dict(
            stages=[(0, 1500, "W"), (1500, day - 2100, "N2"), (day - 600, 600, "W")],
            segments=[("rest", 0, 120), ("exercise", 120, 420), ("exercise_o2", 420, 1440)],
            sustained_drops=[(0, 120, 93), (130, 290, 90), (1560, day - 2220, 93),
                             (day - 590, 580, 93)],
        )  # fmt: skip
    else:
        extra = dict(
            segments=[("rest", 0, 120), ("exercise", 120, 420), ("exercise_o2", 900, 1260)],
            sustained_drops=[(0, 120, 93), (130, 290, 90), (1270, day - 1300, 93)],
        )  # fmt: skip
    rec, _ = simulate_night(
        fs=1, duration_s=day, seed=1, baseline_pct=99, noise_pts=0.6,
        start=dt.datetime(2026, 11, 20, 21, 0), **extra,  # type: ignore[arg-type]
    )  # fmt: skip
    a = analyze(rec, AnalysisSettings(test_type="overnight"))
    _no_baseline_from_the_recording(a, "sleep" if staged else "presumed_sleep")


@pytest.mark.parametrize("on_cannula_s", [240, 940])
def test_the_minutes_on_the_cannula_after_a_walk_on_oxygen_are_no_awake_baseline(
    on_cannula_s: int,
) -> None:
    """After the walk on oxygen, 4 (then 15.7) more minutes on the cannula at 99 %: the presumed
    awake baseline took them, and a night at 93 % was a drop of more than 5 points for 388 min.
    Leaving out the 10 min after the test mended the 4 min, not the 15.7: the time on oxygen
    is unknown, so no baseline is taken from the recording."""
    end = 1080 + on_cannula_s
    rec, _ = simulate_night(
        fs=1, duration_s=8 * 3600, seed=1, baseline_pct=99, noise_pts=0.6,
        segments=[("rest", 0, 300), ("exercise", 300, 660), ("exercise_o2", 720, 1080)],
        sustained_drops=[(0, 300, 93), (310, 340, 90), (end + 10, 8 * 3600 - end - 20, 93)],
        start=dt.datetime(2026, 11, 20, 21, 0),
    )  # fmt: skip
    _no_baseline_from_the_recording(
        analyze(rec, AnalysisSettings(test_type="overnight")), "presumed_sleep"
    )


MEDICARE_NIGHT_YAML = (
    "payer: medicare\n"
    "patient: {age_years: 72}\n"
    "test: {type: overnight, date: 2026-11-20, room_air: true, setting: outpatient,\n"
    "       performed_by: idtf, evaluated_date: 2026-11-23}\n"
    "order: {date: 2026-11-25, flow_lpm: 2}\n"
    "diagnoses: [J44.9]\n"
    "symptoms: [insomnia]\n"
    "documentation: {signed_prescription: true}\n"
)


@pytest.mark.parametrize("on_cannula_s", [0, 9000])
def test_a_walk_on_oxygen_holds_the_drop_below_the_nights_mean_open(
    tmp_path: Path, on_cannula_s: int
) -> None:
    """A night at 93 % with two 10-min dips to 89-90 % (never 5 points below 93), its file
    opening with a three-part walk test; after the walk on oxygen, 150 min more on the cannula
    at 99 %. Their minutes raised the mean of the presumed sleep window from about 93.2 to
    95.4 %, the dips became 20 min more than 5 points below it, and Medicare Group I-3 QUALIFIED
    (N1). How long the patient stayed on oxygen is unknown, as for the awake baseline: the drop
    below the mean is not evaluable, naming why."""
    day = 6 * 3600
    end = 1080 + on_cannula_s
    rec, _ = simulate_night(
        fs=1, duration_s=day, seed=1, baseline_pct=99, noise_pts=0.6,
        segments=[("rest", 0, 300), ("exercise", 300, 660), ("exercise_o2", 720, 1080)],
        sustained_drops=[(0, 300, 93), (310, 340, 90), (end + 30, day - end - 30, 93),
                         (end + 7200, 600, 89.5), (end + 10800, 600, 89.5)],
        start=dt.datetime(2026, 11, 20, 21, 0),
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "night.edf")
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(MEDICARE_NIGHT_YAML)
    out = tmp_path / "out"
    assert main(["analyze", str(edf), "--context", str(ctx), "--out", str(out),
                 "--no-report", "--o2-flow", "2"]) == 0  # fmt: skip
    summary = json.loads((out / "summary.json").read_text())
    night, q = summary["metrics"]["presumed_sleep"], summary["qualification"]
    assert night["t_le88_min"] < 1.0
    if on_cannula_s:
        assert night["mean_pct"] > 95.0 and night["drop5_from_mean_min"] > 15.0
    assert q["determination"] == "indeterminate"
    rule = next(r for r in q["rules"] if r["id"] == "lcd_group_i_3_drop")
    assert rule["met"] is None
    assert any("walk on oxygen" in m and "mean" in m for m in q["missing"]), q["missing"]


def _night_with_an_hour_on_oxygen(
    tmp_path: Path, *extra: Annotation, text: str = "Oxygen 2 L/min"
) -> Path:
    """A night at 92 % whose first hour, at 98 %, the annotations mark as on oxygen."""
    day = 7 * 3600
    rec, _ = simulate_night(
        fs=1, duration_s=day, seed=2, baseline_pct=98, noise_pts=0.5,
        sustained_drops=[(3630, day - 3660, 92.0)],
        annotations=[Annotation(0.0, 3600.0, text), *extra],
        start=dt.datetime(2026, 11, 20, 22, 0),
    )  # fmt: skip
    return write_edf(rec, tmp_path / "night.edf")


OXYGEN_NIGHT_YAML = (
    "patient: {age_years: 70}\n"
    "test: {type: overnight, date: 2026-11-20, room_air: true, setting: outpatient,\n"
    "       chronic_stable_state: true}\n"
    "order: {date: 2026-11-02, prescriber: physician, flow_lpm: 2, hours_per_day: 8}\n"
    "diagnoses: [J44.9]\n"
    "symptoms: [insomnia]\n"
    "documentation: {signed_prescription: true}\n"
)


@pytest.mark.parametrize("deidentify", [False, True])
def test_a_night_whose_annotations_mark_oxygen_is_not_on_room_air(
    tmp_path: Path, deidentify: bool
) -> None:
    """An EDF+ night whose annotation "Oxygen 2 L/min" covers its first hour at 98 %, then 92 %
    on room air, with test.room_air true: read as a scored desaturation, the mark changed
    nothing, the hour on oxygen was the presumed awake baseline (98 %), and the night a drop of
    more than 5 points for 301 min that QUALIFIED nocturnal oxygen (MG-OXY II.A.2.a.ii). The
    mark is oxygen given: no awake baseline is taken from the recording, and room air beside
    it is a conflict; oxi verify finds the summary again (de-identified too)."""
    edf = _night_with_an_hour_on_oxygen(tmp_path)
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(OXYGEN_NIGHT_YAML)
    out = tmp_path / "out"
    args = ["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--no-report"]
    assert main([*args, *(["--deidentify"] if deidentify else [])]) == 0
    summary = json.loads((out / "summary.json").read_text())
    night, q = summary["metrics"]["presumed_sleep"], summary["qualification"]
    assert night["awake_baseline_pct"] is None and night["drop5_min"] is None
    assert summary["recording"]["oxygen_marks_s"] == [[0.0, 3600.0]]
    assert any("marking supplemental oxygen" in w for w in summary["warnings"])
    assert q["determination"] == "indeterminate"
    assert [c["keys"] for c in q["conflicts"]] == [["test.room_air", "recording.oxygen_marks_s"]]
    assert main(["verify", str(out / "summary.json"), str(edf)]) == 0


@pytest.mark.parametrize(
    "text",
    [
        "O2 2 L/min, SpO2 97%",
        "Patient on 2L NC",
        "Desats noted, O2 started 2L",
        "O2 2",
        # hunt 16: a device that gives only oxygen, named with the gas unsaid
        "High flow nasal cannula 40 L/min",
        "HFNC 40 L/min 40%",
        "Venturi mask 28%",
        "Trach collar 5L",
    ],
)
def test_a_mark_of_oxygen_in_a_technologists_words_is_one_too(tmp_path: Path, text: str) -> None:
    """The same night, its first hour marked in other words: a saturation word anywhere in the
    note (``SpO2 97%``, ``Desats``) made it a reading, a flow through a cannula without the gas
    and a bare number of litres were nothing, so the hour on oxygen was the awake baseline again
    and the night QUALIFIED nocturnal oxygen (review of hunt 14); so did a high-flow nasal
    cannula above 15 L/min, a Venturi mask at 28 % and a tracheostomy collar (hunt 16)."""
    edf = _night_with_an_hour_on_oxygen(tmp_path, text=text)
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(OXYGEN_NIGHT_YAML)
    out = tmp_path / "out"
    assert main(["analyze", str(edf), "--context", str(ctx), "--out", str(out),
                 "--no-report"]) == 0  # fmt: skip
    summary = json.loads((out / "summary.json").read_text())
    assert summary["metrics"]["presumed_sleep"]["awake_baseline_pct"] is None
    assert summary["recording"]["oxygen_marks_s"] == [[0.0, 3600.0]]
    assert summary["qualification"]["determination"] == "indeterminate"


def test_a_saturation_noted_at_lights_off_is_no_mark_of_oxygen(tmp_path: Path) -> None:
    """A room-air night with "Lights off, O2 sat 96%" noted at lights off and 10 min at 86 %:
    "off" beside the gas made the note a mark of oxygen, which took the night's awake baseline
    and conflicted with test.room_air, so a night that qualified went INDETERMINATE (review of
    hunt 14). The note is the saturation read at lights off: the night qualifies as before."""
    rec, _ = simulate_night(
        fs=1, duration_s=8 * 3600, seed=3, noise_pts=0.3,
        sustained_drops=[(2 * 3600, 600.0, 86.0)],
        annotations=[Annotation(3600.0, 0.0, "Lights off"),
                     Annotation(3600.0, 0.0, "Lights off, O2 sat 96%"),
                     Annotation(7 * 3600.0, 0.0, "Lights on")],
        start=dt.datetime(2026, 11, 20, 21, 0),
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "night.edf")
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(OXYGEN_NIGHT_YAML)
    out = tmp_path / "out"
    assert main(["analyze", str(edf), "--context", str(ctx), "--out", str(out),
                 "--no-report"]) == 0  # fmt: skip
    summary = json.loads((out / "summary.json").read_text())
    assert "oxygen_marks_s" not in summary["recording"]
    assert summary["metrics"]["presumed_sleep"]["t_le88_min"] >= 5.0
    q = summary["qualification"]
    assert q["conflicts"] == []
    assert q["determination"] == "qualified"


def test_oxygen_continued_at_lights_off_is_a_mark_of_oxygen(tmp_path: Path) -> None:
    """The same night with "Lights off, O2 continued" at lights off instead: once lights off no
    longer counted as done with the gas, no word of the note did, the hour on oxygen was the
    awake baseline and room_air: true raised no conflict, so the night QUALIFIED (review of
    hunt 14). "continued" beside the gas is a mark: the night conflicts with room_air."""
    rec, _ = simulate_night(
        fs=1, duration_s=8 * 3600, seed=3, noise_pts=0.3,
        sustained_drops=[(2 * 3600, 600.0, 86.0)],
        annotations=[Annotation(3600.0, 0.0, "Lights off"),
                     Annotation(3600.0, 0.0, "Lights off, O2 continued"),
                     Annotation(7 * 3600.0, 0.0, "Lights on")],
        start=dt.datetime(2026, 11, 20, 21, 0),
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "night.edf")
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(OXYGEN_NIGHT_YAML)
    out = tmp_path / "out"
    assert main(["analyze", str(edf), "--context", str(ctx), "--out", str(out),
                 "--no-report"]) == 0  # fmt: skip
    summary = json.loads((out / "summary.json").read_text())
    assert summary["recording"]["oxygen_marks_s"] == [[3600.0, 3600.0]]
    q = summary["qualification"]
    assert [c["keys"] for c in q["conflicts"]] == [["test.room_air", "recording.oxygen_marks_s"]]
    assert q["determination"] == "indeterminate"


def test_a_mark_of_oxygen_of_no_finite_length_is_refused() -> None:
    """A mark whose duration is NaN had a NaN end and was dropped: the hour on oxygen was the
    awake baseline again (review of hunt 14). No reader makes one (EDF+ reads a duration that
    is not finite as none); built by hand it is refused (hunt 15)."""
    with pytest.raises(ValueError, match="finite seconds"):
        Annotation(0.0, float("nan"), "Oxygen 2 L/min")


def test_a_walk_on_oxygen_in_the_night_file_accounts_for_no_mark_over_the_night(
    tmp_path: Path,
) -> None:
    """The same night holding a walk on oxygen at 04:40-04:50 (--segment): only marks over a
    rest part or a walk on room air counted beside a walk on oxygen, so the hour on oxygen
    over the sleep window raised no conflict with room_air true (hunt 14 review). A mark at the
    walk on oxygen, or in the minutes after it the sleep window loses with it, is still the
    walk's own."""
    edf = _night_with_an_hour_on_oxygen(tmp_path)
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(OXYGEN_NIGHT_YAML)
    out = tmp_path / "out"
    assert main(["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--no-report",
                 "--segment", "exercise_o2=04:40:00-04:50:00"]) == 0  # fmt: skip
    summary = json.loads((out / "summary.json").read_text())
    walk = next(w for w in summary["windows"] if w["kind"] == "exercise_o2")
    assert (walk["start_s"], walk["end_s"]) == (24000.0, 24600.0)
    q = summary["qualification"]
    assert [c["keys"] for c in q["conflicts"]] == [["test.room_air", "recording.oxygen_marks_s"]]
    c = Context.from_dict(make_dict(BASE, test__type="overnight"))
    night = Evidence(
        sleep=SleepFigures("presumed_sleep", 400.0, 0.0, 0.0, 0.0, 0.0, start_s=0.0,
                           end_s=25200.0),
        exercise_o2=SegmentFigures("exercise_o2", 10.0, 96.0, 94.0, 95.0, start_s=24000.0,
                                   end_s=24600.0),
    )  # fmt: skip
    for own in ((24000.0, 24000.0), (24000.0, 24700.0), (25000.0, 25100.0)):
        marked = dataclasses.replace(night, oxygen_marks_s=(own,))
        assert evaluate(c, marked).conflicts == (), own


def test_a_night_marked_on_oxygen_holds_the_drop_below_its_mean_open(tmp_path: Path) -> None:
    """The same night, said to be on 2 L/min (Medicare: values on oxygen may qualify): the
    marked hour raises the mean the Group I-3 drop is counted below; how long the patient was
    on oxygen is unknown, so the drop is not evaluable, naming the marks."""
    edf = _night_with_an_hour_on_oxygen(tmp_path)
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(MEDICARE_NIGHT_YAML.replace("room_air: true", "room_air: false, o2_flow_lpm: 2"))
    out = tmp_path / "out"
    assert main(["analyze", str(edf), "--context", str(ctx), "--out", str(out),
                 "--no-report"]) == 0  # fmt: skip
    q = json.loads((out / "summary.json").read_text())["qualification"]
    assert q["conflicts"] == []
    rule = next(r for r in q["rules"] if r["id"] == "lcd_group_i_3_drop")
    assert rule["met"] is None
    assert any("marking supplemental oxygen" in m for m in q["missing"]), q["missing"]


def test_a_mark_of_oxygen_at_the_walk_on_oxygen_is_the_tests_own() -> None:
    """A three-part test on room air whose "O2 2 L/min" mark lies at its walk on oxygen is no
    conflict; one over the walk on room air is (that walk was given oxygen)."""
    c = Context.from_dict(make_dict(BASE, test__type="exercise", test__exercise_o2_flow_lpm=2))
    walks = {
        "rest": SegmentFigures("rest", 5.0, 96.0, 93.0, 94.0, start_s=0.0, end_s=300.0),
        "exercise": SegmentFigures("exercise", 6.0, 90.0, 85.0, 86.0, start_s=360.0,
                                   end_s=720.0, sustained_nadir_elapsed_s=180.0,
                                   valid_elapsed_s=360.0, covered_elapsed_s=360.0),
        "exercise_o2": SegmentFigures("exercise_o2", 6.0, 96.0, 92.0, 93.0, start_s=780.0,
                                      end_s=1140.0, valid_elapsed_s=360.0,
                                      covered_elapsed_s=360.0),
    }  # fmt: skip
    ev = Evidence(recording_start=dt.datetime(2026, 11, 20, 10, 0), exercise_o2_flow_lpm=2.0,
                  **walks)  # type: ignore[arg-type]  # fmt: skip
    assert evaluate(c, dataclasses.replace(ev, oxygen_marks_s=((770.0, 770.0),))).conflicts == ()
    d = evaluate(c, dataclasses.replace(ev, oxygen_marks_s=((400.0, 400.0),)))
    assert d.determination == "indeterminate" and d.conflicts


def test_a_mark_of_oxygen_before_the_walk_on_room_air_holds_over_it() -> None:
    """The same test, "O2 2 L/min" marked without a duration at 330 s, between the rest part
    and the walk on room air (or at 10 s, before the rest part): only marks over those parts
    counted, so the gas given and never said to be taken off raised no conflict, and the walk's
    86 % QUALIFIED exercise oxygen as on room air under both payers (hunt 16). A mark with a
    duration that ends before them says nothing of the cannula after it."""
    walks = {
        "rest": SegmentFigures("rest", 5.0, 96.0, 93.0, 94.0, start_s=30.0, end_s=300.0),
        "exercise": SegmentFigures("exercise", 6.0, 90.0, 85.0, 86.0, start_s=360.0,
                                   end_s=720.0, sustained_nadir_elapsed_s=180.0,
                                   valid_elapsed_s=360.0, covered_elapsed_s=360.0),
        "exercise_o2": SegmentFigures("exercise_o2", 6.0, 96.0, 92.0, 93.0, start_s=780.0,
                                      end_s=1140.0, valid_elapsed_s=360.0,
                                      covered_elapsed_s=360.0),
    }  # fmt: skip
    ev = Evidence(recording_start=dt.datetime(2026, 11, 20, 10, 0), exercise_o2_flow_lpm=2.0,
                  **walks)  # type: ignore[arg-type]  # fmt: skip
    for payer in ("masshealth", "medicare"):
        extra = {"payer": payer, "test__performed_by": "treating_practitioner",
                 "test__evaluated_date": "2026-11-21"} if payer == "medicare" else {}  # fmt: skip
        c = Context.from_dict(
            make_dict(BASE, test__type="exercise", test__exercise_o2_flow_lpm=2, **extra)
        )
        assert evaluate(c, ev).determination == "qualified", payer
        for at in (330.0, 10.0):
            d = evaluate(c, dataclasses.replace(ev, oxygen_marks_s=((at, at),)))
            assert d.determination == "indeterminate", (payer, at)
            assert [x.keys for x in d.conflicts] == [("test.room_air", "recording.oxygen_marks_s")]
        d = evaluate(c, dataclasses.replace(ev, oxygen_marks_s=((310.0, 320.0),)))
        assert d.conflicts == (), payer


def test_a_rest_part_on_room_air_stays_in_the_awake_baseline() -> None:
    """A night's file opening with 10 min at rest on room air (93 %), then 15 min awake at 96 %,
    then a night at 89-90 %. Marked as a rest segment, the rest part was left out of the
    presumed baseline with the 10 min after it: the baseline became 96 % and the night a drop
    of more than 5 points (QUALIFIED); unmarked, the baseline is the rest's 93 %. The rest part
    is awake, at rest, on room air: it stays in the baseline, and out of the sleep window."""
    day = 8 * 3600
    for segments in ([("rest", 0, 600)], []):
        rec, _ = simulate_night(
            fs=1, duration_s=day, seed=2, baseline_pct=96, noise_pts=0.4, segments=segments,
            sustained_drops=[(0, 600, 93), (1500, day - 1500, 89.5)],
            start=dt.datetime(2026, 11, 20, 21, 0),
        )  # fmt: skip
        a = analyze(rec, AnalysisSettings(test_type="overnight"))
        m = a.metrics["presumed_sleep"]
        assert m.awake_baseline_pct is not None and round(m.awake_baseline_pct) == 93
        assert m.drop5_min is not None and m.drop5_min < 1.0
        sleep = next(w for w in a.windows if w.kind == "presumed_sleep")
        assert (sleep.spans_s[0][0] >= 600.0) is bool(segments)


def test_awake_given_beside_a_walk_on_oxygen_is_the_baseline_and_said_truly() -> None:
    """A staged night with wake epochs and a walk on oxygen: with --awake, the warning said "The
    sleep staging has no valid wake data", false beside 10 min of valid wake; the terminal
    printed "n/a % ()" without it."""
    from oximetry.report import build_summary
    from oximetry.report.terminal import format_terminal_summary

    day = 8 * 3600
    rec, _ = simulate_night(
        fs=1, duration_s=day, seed=1, baseline_pct=93, noise_pts=0.6,
        stages=[(0, 1500, "W"), (1500, day - 2100, "N2"), (day - 600, 600, "W")],
        segments=[("exercise_o2", 420, 780)], start=dt.datetime(2026, 11, 20, 21, 0),
    )  # fmt: skip
    a = analyze(rec, AnalysisSettings(test_type="overnight", awake_span_s=(day - 600.0, day)))
    assert a.metrics["sleep"].awake_baseline_pct is not None
    assert any("the --awake span given is the baseline" in w for w in a.warnings)
    assert not any("no valid wake data" in w for w in a.warnings)
    plain = analyze(rec, AnalysisSettings(test_type="overnight"))
    text = format_terminal_summary(build_summary(plain), {})
    assert "Awake baseline  none (see the warnings)" in text and "n/a % ()" not in text


def test_the_minutes_after_a_walk_on_room_air_are_no_sleep() -> None:
    """A night's file: rest (0-600 s), a walk on room air at 85 % (700-1060 s), then 6 min at 87 %
    while recovering, then a night at 94 %. The presumed sleep window began at the walk's end,
    and the 6 min qualified as nocturnal hypoxemia under both payers. The 10 min after a walk
    are no sleep."""
    day = 8 * 3600
    rec, _ = simulate_night(
        fs=1, duration_s=day, seed=5, baseline_pct=94, noise_pts=0.5,
        segments=[("rest", 0, 600), ("exercise", 700, 1060)],
        sustained_drops=[(700, 360, 85), (1060, 360, 87)],
        start=dt.datetime(2026, 11, 20, 21, 0),
    )  # fmt: skip
    a = analyze(rec, AnalysisSettings(test_type="overnight"))
    night = next(w for w in a.windows if w.kind == "presumed_sleep")
    assert night.spans_s[0][0] >= 1060 + 600
    assert a.metrics["presumed_sleep"].t_le88_min < 0.5


def test_awake_given_over_the_walk_on_oxygen_leaves_the_walk_out() -> None:
    """--awake over the recording's own walk on oxygen (99 %) became the awake baseline, and a
    night at 91-93 % a drop of more than 5 points for 344 min (II.A.2.a.ii qualified)."""
    day = 8 * 3600
    rec, _ = simulate_night(
        fs=1, duration_s=day, seed=6, baseline_pct=92, noise_pts=0.5,
        segments=[("exercise_o2", 1200, 1560)], sustained_drops=[(1200, 360, 99)],
        start=dt.datetime(2026, 11, 20, 21, 0),
    )  # fmt: skip
    a = analyze(rec, AnalysisSettings(test_type="overnight", awake_span_s=(1140.0, 1620.0)))
    m = a.metrics["presumed_sleep"]
    assert m.awake_baseline_pct is None  # 60 s left of the span: no baseline
    assert any("--awake covers" in w and "walk" in w for w in a.warnings)
    a = analyze(rec, AnalysisSettings(test_type="overnight", awake_span_s=(600.0, 2700.0)))
    m = a.metrics["presumed_sleep"]
    assert m.awake_baseline_pct is not None and round(m.awake_baseline_pct) == 92


def test_a_segment_mark_past_the_recording_is_not_said_to_take_the_night() -> None:
    """A segment mark without a duration past the recording's end takes nothing out of the
    night, and the warning on such marks does not name it."""
    from oximetry.model import Annotation

    rec, _ = simulate_night(
        fs=1, duration_s=3 * 3600, seed=1, annotations=[Annotation(3 * 3600 + 60.0, 0.0, "rest")]
    )
    a = analyze(rec, AnalysisSettings(test_type="overnight"))
    assert not any("without a duration" in w for w in a.warnings)
    assert a.metrics["presumed_sleep"].valid_min == 180.0


# --------------------------------------------------------------------------------------------
# Segment marks without a duration in an overnight file: which segment gives their span, scored
# sleep ends it, every mark that takes minutes is named, and the summary records what was taken
# --------------------------------------------------------------------------------------------


def _marked_walk(marks: list[Annotation], **kw: Any) -> Any:
    """A night at 95 % from 22:00 with 6 min at 86 % from 22:10, the file marking ``marks``."""
    rec, _ = simulate_night(
        fs=1, duration_s=9 * 3600, seed=1, baseline_pct=95.0, noise_pts=0.5,
        sustained_drops=[(600, 360, 86.0)], annotations=marks,
        start=dt.datetime(2026, 11, 20, 22, 0), pulse=True, **kw,
    )  # fmt: skip
    return rec


@pytest.mark.parametrize("rest", [(300.0, 600.0), (300.0, 660.0)])
def test_a_segment_round_a_walks_mark_does_not_give_the_walks_span(
    rest: tuple[float, float],
) -> None:
    """Only a segment of the mark's kind starting at it gives the span of a part marked without
    a duration: ``--segment rest=22:05:00-22:10:00`` (or to 22:11) before an 'exercise' mark at
    22:10 turned the 120-min rule off without a word, and the walk's 6 min at 86 % QUALIFIED
    a night at 95 % (hunt 14)."""
    rec = _marked_walk([Annotation(600.0, 0.0, "exercise")])
    a = analyze(rec, AnalysisSettings(test_type="overnight", segments_s=(("rest", *rest),)))
    assert a.metrics["presumed_sleep"].t_le88_min < 1.0
    assert any("'exercise' at 22:10:00 without a duration" in w for w in a.warnings)
    given = (("exercise", 600.0, 960.0),)
    a = analyze(rec, AnalysisSettings(test_type="overnight", segments_s=given))
    assert not any("without a duration" in w for w in a.warnings)
    assert a.test_marks_s == ()
    # an EDF+ onset of 600.4 s beside --segment in whole seconds: the segment holding it gives
    # its span (matched to 1e-9, the 120 min stayed and took the night's own minutes out)
    fractional = _marked_walk([Annotation(600.4, 0.0, "exercise")])
    a = analyze(fractional, AnalysisSettings(test_type="overnight", segments_s=given))
    assert a.test_marks_s == ()


@pytest.mark.parametrize("mark_s", [600.0, 1200.0, 5800.0])
def test_scored_sleep_does_not_cut_a_walks_mark_without_a_duration(mark_s: float) -> None:
    """A mark followed by scored sleep within its 120 min contradicts the staging: it keeps its
    120 min, and the warning says the two disagree. Cut at the first epoch scored as sleep, a
    mark inside N2 took nothing out, and one 10 min or more before it kept those minutes alone,
    so a walk's 6 min at 86 % in the N2 counted and qualified a night (reviews of hunt 14)."""
    stages = [(0.0, 1800.0, "W"), (1800.0, 1800.0, "N2"), (3600.0, 1800.0, "W")]
    stages += [(5400.0 + 1800.0 * i, 1800.0, "N2") for i in range(15)]
    rec = _marked_walk([Annotation(mark_s, 0.0, "exercise")], stages=stages)
    a = analyze(rec, AnalysisSettings(test_type="overnight"))
    assert a.test_marks_s == ((mark_s, mark_s + 7200.0),)
    assert any("the mark and the staging disagree" in w for w in a.warnings)
    sleep = next(w for w in a.windows if w.kind == "sleep")
    assert not any(s < mark_s + 7200.0 + 600.0 and e > mark_s for s, e in sleep.spans_s)


@pytest.mark.parametrize("mark_s", [1770.0, 1799.0, 1800.0, 1830.0])
def test_a_walks_mark_just_before_scored_sleep_keeps_its_120_min(mark_s: float) -> None:
    """A mark just before the epochs scored as sleep: cut at the N2 from 22:30, a mark at
    22:29:30 kept 30 s, and the walk's 6 min at 86 % from 22:30, in the N2, counted (review of
    hunt 14). It keeps its 120 min, as every mark does."""
    stages = [(0.0, 1800.0, "W")] + [(1800.0 + 1800.0 * i, 1800.0, "N2") for i in range(17)]
    rec, _ = simulate_night(
        fs=1, duration_s=9 * 3600, seed=1, baseline_pct=95.0, noise_pts=0.5,
        sustained_drops=[(1800, 360, 86.0)], annotations=[Annotation(mark_s, 0.0, "exercise")],
        start=dt.datetime(2026, 11, 20, 22, 0), pulse=True, stages=stages,
    )  # fmt: skip
    a = analyze(rec, AnalysisSettings(test_type="overnight"))
    assert a.metrics["sleep"].t_le88_min < 1.0
    assert a.test_marks_s == ((mark_s, mark_s + 7200.0),)
    assert any("the mark and the staging disagree" in w for w in a.warnings)


def test_a_mark_before_the_recording_is_named_with_the_minutes_it_takes() -> None:
    """A mark before the recording's start (an EDF+D onset can be negative) took its 119 min
    out of the night without a word: the warning named only marks within the recording."""
    rec = _marked_walk([Annotation(-60.0, 0.0, "exercise")])
    a = analyze(rec, AnalysisSettings(test_type="overnight"))
    assert a.test_marks_s == ((0.0, 7140.0),)
    assert any("before the recording's start" in w for w in a.warnings)


def test_one_warning_for_a_mark_and_a_rest_marks_baseline_said_truly() -> None:
    """An overnight file's 'rest' mark without a duration: one warning (not also that it marks
    no segment), which does not say its span is no part of the awake baseline (a rest part
    gives it); an exercise test records no marks, as it takes nothing out."""
    rec = _marked_walk([Annotation(600.0, 0.0, "rest")])
    a = analyze(rec, AnalysisSettings(test_type="overnight"))
    said = [w for w in a.warnings if "'rest'" in w]
    assert len(said) == 1 and "awake baseline (" not in said[0]
    assert "a rest part may still give the awake baseline" in said[0]
    ex = _marked_walk([Annotation(600.0, 0.0, "exercise")], segments=[("rest", 0, 300)])
    a = analyze(ex, AnalysisSettings(test_type="exercise"))
    assert a.test_marks_s == ()
    assert any("has no duration, so it marks no segment" in w for w in a.warnings)


def test_qualify_summary_refuses_a_sleep_window_holding_its_own_test_marks(
    tmp_path: Path,
) -> None:
    """``recording.test_marks_s`` loosens the lights-option end check of oxi qualify --summary:
    a forged ``[[0, 32400]]`` let a lights off end anywhere (oxi verify caught it). A sleep
    window holding part of the marks is refused as the summary's other contradictions are."""
    edf = write_edf(_marked_walk([Annotation(600.0, 0.0, "exercise")]), tmp_path / "n.edf")
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(OVERNIGHT_YAML)
    out = tmp_path / "out"
    assert main(["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--no-report",
                 "--lights-off", "22:15"]) == 0  # fmt: skip
    summary = json.loads((out / "summary.json").read_text())
    assert summary["recording"]["test_marks_s"] == [[600.0, 7800.0]]
    assert main(["qualify", "--summary", str(out / "summary.json"), "--context", str(ctx)]) == 0
    summary["recording"]["test_marks_s"] = [[0.0, 32400.0]]
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(summary))
    assert main(["qualify", "--summary", str(forged), "--context", str(ctx)]) == 2
