"""A date of the context before the patient's birth is a conflict (SPEC §8.2), never qualified.

Hunt 11: an order written three weeks before an infant was born qualified pediatric oxygen
(MassHealth's order window counts back from the test date only), one of 1950 beside a birth
date of 1951 qualified Medicare oxygen (no order window), and one of 1975 beside a birth in 1980
qualified cluster-headache oxygen (no order date read at all).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from criteria import Context, evaluate
from criteria.errors import ContextError
from oxi.cli import main
from oximetry.model import PatientInfo
from oximetry.simulate import simulate_night, write_edf
from tests.criteria_helpers import OVERNIGHT_YAML, analyze_overnight

CLUSTER: dict[str, Any] = {
    "payer": "masshealth",
    "patient": {"birth_date": "1980-01-01"},
    "test": {"date": "2026-11-20", "setting": "outpatient"},
    "order": {"date": "2026-11-01", "prescriber": "physician", "flow_lpm": 12, "hours_per_day": 1},
    "diagnoses": ["G44.009"],
    "cluster_headache": {
        "attacks": 10,
        "unilateral_orbital_pain_15_180_min": True,
        "ipsilateral_autonomic_signs": True,
        "restlessness_or_agitation": True,
        "frequency_every_other_day_to_8_per_day": True,
        "not_better_accounted_for": True,
    },
}


def _with(section: str, key: str, day: str) -> dict[str, Any]:
    raw = {k: dict(v) if isinstance(v, dict) else v for k, v in CLUSTER.items()}
    raw[section] = {**raw.get(section, {}), key: day}
    return raw


def test_the_truth_the_tests_rest_on() -> None:
    d = evaluate(Context.from_dict(CLUSTER), None, "masshealth")
    assert d.determination == "qualified" and not d.conflicts


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("order", "date"),
        ("order", "initial_certification_date"),
        ("order", "therapy_start_date"),
        ("blood_gas", "date"),
        ("test", "discharge_date"),
        ("test", "evaluated_date"),
    ],
)
def test_a_date_before_the_birth_is_a_conflict(section: str, key: str) -> None:
    d = evaluate(Context.from_dict(_with(section, key, "1975-01-01")), None, "masshealth")
    assert d.determination == "indeterminate"
    (c,) = [c for c in d.conflicts if f"{section}.{key}" in c.keys]
    assert c.keys == ("patient.birth_date", f"{section}.{key}")
    assert c.values == {
        "patient.birth_date": "(not shown)",
        f"{section}.{key}": dt.date(1975, 1, 1),
    }


def test_the_birth_day_itself_and_later_dates_are_no_conflict() -> None:
    for day in ("1980-01-01", "1980-01-02"):
        d = evaluate(Context.from_dict(_with("blood_gas", "date", day)), None, "masshealth")
        assert not [c for c in d.conflicts if "blood_gas.date" in c.keys], day


def test_the_conflict_is_found_again_from_a_summarys_context() -> None:
    """A summary holds no birth date: the keys dated before it are kept
    (``patient.dated_before_birth``), so `oxi verify` recomputes the same determination (it
    recomputed "qualified" and refused a genuine summary)."""
    ctx = Context.from_dict(_with("order", "date", "1975-01-01"))
    kept = ctx.to_dict(test_date=dt.date(2026, 11, 20))
    assert kept["patient"] == {"age_years": 46.0, "dated_before_birth": ["order.date"]}
    again = evaluate(Context.from_dict(kept), None, "masshealth")
    first = evaluate(ctx, None, "masshealth")
    assert again.determination == first.determination == "indeterminate"
    assert [c.to_dict() for c in again.conflicts] == [c.to_dict() for c in first.conflicts]
    assert "dated_before_birth" not in Context.from_dict(CLUSTER).to_dict(
        test_date=dt.date(2026, 11, 20)
    ).get("patient", {})
    with pytest.raises(ContextError):
        Context.from_dict({**kept, "patient": {"dated_before_birth": ["test.date"]}})


def test_an_age_alone_bounds_the_birth_date() -> None:
    """Age 70 on 2026-11-20: born after 1955-11-20. An order of 1950 beside it qualified
    Medicare oxygen when only a birth date was compared (review of hunt 11)."""
    raw = _with("order", "date", "1950-06-01")
    raw["patient"] = {"age_years": 70}
    for day, conflict in (("1950-06-01", True), ("1955-11-20", True), ("1955-11-21", False)):
        raw["order"]["date"] = day
        d = evaluate(Context.from_dict(raw), None, "masshealth")
        assert any("order.date" in c.keys for c in d.conflicts) is conflict, day


def test_a_given_age_beside_a_birth_date_bounds_nothing_in_the_summary() -> None:
    """age_years 10 beside a birth date of 1956 and an order of 2015: the analysis reads the birth
    date (no order before it; the ages conflict), and so must the summary's context, which holds
    age_years and age_from_birth_date: read from the age alone, oxi verify found an order before
    the birth and refused a genuine summary (review of hunt 11)."""
    raw = _with("order", "date", "2015-06-01")
    raw["patient"] = {"age_years": 10, "birth_date": "1956-01-01"}
    ctx = Context.from_dict(raw)
    first = evaluate(ctx, None, "masshealth")
    again = evaluate(
        Context.from_dict(ctx.to_dict(test_date=dt.date(2026, 11, 20))), None, "masshealth"
    )
    assert [c.keys for c in first.conflicts] == [c.keys for c in again.conflicts]
    assert ("patient.birth_date", "patient.age_years") in [c.keys for c in first.conflicts]
    assert not [c for c in again.conflicts if "order.date" in c.keys]


def test_a_birth_after_the_test_gives_no_age_and_the_summary_keeps_the_conflict() -> None:
    """A birth date after the test date is a conflict (``_ages``), and no age: it gave -1, which
    made the member pediatric (II.A.2.d "under 21" met) and was written to the summary as
    ``age_years: -1.0``, out of range, so `oxi verify` refused the genuine summary."""
    raw = dict(CLUSTER, patient={"birth_date": "2026-12-01"})
    ctx = Context.from_dict(raw)
    day = dt.date(2026, 11, 20)
    assert ctx.patient.age_at(day) is None and ctx.patient.under(21, day) is None
    kept = ctx.to_dict(test_date=day)
    assert kept["patient"] == {"born_after_test": True, "dated_before_birth": ["order.date"]}
    first = evaluate(ctx, None, "masshealth")
    again = evaluate(Context.from_dict(kept), None, "masshealth")
    assert first.determination == "indeterminate"
    assert ("patient.birth_date", "test.date") in [c.keys for c in first.conflicts]
    assert again.to_dict() == first.to_dict()
    # a given age beside it is kept, and the birth date gives none
    raw["patient"] = {"birth_date": "2026-12-01", "age_years": 3}
    assert Context.from_dict(raw).to_dict(test_date=day)["patient"] == {
        "age_years": 3,
        "born_after_test": True,
        "dated_before_birth": ["order.date"],
    }


def test_a_night_of_a_patient_born_after_it_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """End to end: analyze holds the night open, and the summary verifies with the lab's
    context file or without it (exit 2 before: age_years -1.0 out of range)."""
    rec, _ = simulate_night(
        fs=1, duration_s=7 * 3600, seed=4, sustained_drops=[(7200, 540, 86)],
        start=dt.datetime(2026, 11, 20, 22, 0),
    )  # fmt: skip
    summary = analyze_overnight(tmp_path, rec)
    assert summary["qualification"]["determination"] == "qualified"  # the truth
    ctx_file = tmp_path / "ctx.yaml"
    ctx_file.write_text(OVERNIGHT_YAML.replace("{age_years: 70}", "{birth_date: 2026-11-29}"))
    out = tmp_path / "born"
    args = ["analyze", str(tmp_path / "night.edf"), "--context", str(ctx_file)]
    assert main([*args, "--out", str(out), "--no-report"]) == 0
    doc = json.loads((out / "summary.json").read_text())
    assert doc["qualification"]["determination"] == "indeterminate"
    assert doc["context"]["patient"] == {
        "born_after_test": True,
        "dated_before_birth": ["order.date"],
    }
    for more in ([], ["--context", str(ctx_file)]):
        assert main(["verify", *more, str(out / "summary.json"), args[1]]) == 0
    capsys.readouterr()


def test_a_given_age_beside_a_birth_after_the_test_is_no_age_either() -> None:
    """A birth after the test date beside age_years 5: the analysis had no age from the birth
    date, but the summary (age_years 5, born_after_test) gave age 5, and `oxi verify` found
    "under 21 ... met" where the analysis had "not evaluable" (review of hunt 12)."""
    raw = dict(CLUSTER, patient={"birth_date": "2026-12-01", "age_years": 5})
    ctx = Context.from_dict(raw)
    day = dt.date(2026, 11, 20)
    assert ctx.patient.age_at(day) is None and ctx.patient.under(21, day) is None
    again = Context.from_dict(ctx.to_dict(test_date=day))
    assert again.patient.age_at(day) is None and again.patient.under(21, day) is None
    for payer in ("masshealth", "medicare"):
        first = evaluate(ctx, None, payer)
        assert evaluate(again, None, payer).to_dict() == first.to_dict()
        assert "patient.birth_date or age_years" not in first.missing


def test_a_recording_begun_before_the_birth_is_a_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A night from 22:00 on 19 November beside a birth date and a test date of 20 November
    qualified (the birth was compared with the test date alone; review of hunt 12). It is a
    conflict now, found again from the summary (``born_after_recording_start``)."""
    rec, _ = simulate_night(
        fs=1, duration_s=7 * 3600, seed=4, sustained_drops=[(7200, 540, 86)],
        start=dt.datetime(2026, 11, 19, 22, 0),
    )  # fmt: skip
    summary = analyze_overnight(tmp_path, rec)
    assert summary["qualification"]["determination"] == "qualified"  # the truth (age 70)
    ctx_file = tmp_path / "born.yaml"
    ctx_file.write_text(OVERNIGHT_YAML.replace("{age_years: 70}", "{birth_date: 2026-11-20}"))
    out = tmp_path / "born"
    args = ["analyze", str(tmp_path / "night.edf"), "--context", str(ctx_file)]
    assert main([*args, "--out", str(out), "--no-report"]) == 0
    doc = json.loads((out / "summary.json").read_text())
    q = doc["qualification"]
    assert q["determination"] == "indeterminate"
    assert ["patient.birth_date", "recording.start"] in [c["keys"] for c in q["conflicts"]]
    assert doc["context"]["patient"]["born_after_recording_start"] is True
    for more in ([], ["--context", str(ctx_file)]):
        assert main(["verify", *more, str(out / "summary.json"), args[1]]) == 0
    # born on the night's first day: no conflict
    ctx_file.write_text(OVERNIGHT_YAML.replace("{age_years: 70}", "{birth_date: 2026-11-19}"))
    assert main([*args, "--out", str(tmp_path / "same"), "--no-report"]) == 0
    same = json.loads((tmp_path / "same" / "summary.json").read_text())["qualification"]
    assert not [c for c in same["conflicts"] if "recording.start" in c["keys"]]
    capsys.readouterr()


@pytest.mark.parametrize("deidentify", [[], ["--deidentify"]])
def test_a_night_into_the_21st_birthday_is_held_open_and_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], deidentify: list[str]
) -> None:
    """A night from 00:30 on 6 January, the member born 6 January 2005: dated by the evening
    before (no test.date), the member was 20 on the test date and the night QUALIFIED
    pediatric oxygen (MG-OXY II.A.2.d, 18 min at or below 90 %) on data all recorded at 21
    (hunt 14). The summary keeps ``turns_21_during_test`` in place of the birth date, so the
    conflict is found again from it."""
    rec, _ = simulate_night(
        fs=1, duration_s=6 * 3600, seed=3, baseline_pct=95.5, noise_pts=0.4,
        sustained_drops=[(7200, 1200, 90.0)], start=dt.datetime(2026, 1, 6, 0, 30),
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "night.edf")
    ctx_file = tmp_path / "ctx.yaml"
    context = (
        "patient: {birth_date: BORN}\n"
        "test: {type: overnight, room_air: true, setting: outpatient,\n"
        "       chronic_stable_state: true}\n"
        "order: {date: 2025-12-20, prescriber: physician, flow_lpm: 1, hours_per_day: 10}\n"
        "diagnoses: [J44.9]\n"
    )
    args = ["analyze", str(edf), "--context", str(ctx_file), "--no-report", *deidentify]
    ctx_file.write_text(context.replace("BORN", "2005-01-07"))  # 20 all night: the truth
    assert main([*args, "--out", str(tmp_path / "truth")]) == 0
    truth = json.loads((tmp_path / "truth" / "summary.json").read_text())["qualification"]
    assert (truth["determination"], truth["coverage"]) == ("qualified", ["pediatric"])
    assert truth["test_date"] == "2026-01-05"
    ctx_file.write_text(context.replace("BORN", "2005-01-06"))
    out = tmp_path / "born"
    assert main([*args, "--out", str(out)]) == 0
    doc = json.loads((out / "summary.json").read_text())
    q = doc["qualification"]
    assert q["determination"] == "indeterminate"
    assert ["patient.birth_date", "recording.days"] in [c["keys"] for c in q["conflicts"]]
    assert doc["context"]["patient"] == {"age_years": 20.0, "turns_21_during_test": True}
    for more in ([], ["--context", str(ctx_file)]):
        assert main(["verify", *more, str(out / "summary.json"), str(edf)]) == 0
    capsys.readouterr()


def test_a_header_birth_date_places_the_21st_birthday_beside_an_age(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same night, the header born 6 January 2005 and the context giving age_years 20 (the
    age on the test date, the evening before): the header's birthday QUALIFIED pediatric oxygen
    on data all recorded at 21 (hunt 14)."""
    rec, _ = simulate_night(
        fs=1, duration_s=6 * 3600, seed=3, baseline_pct=95.5, noise_pts=0.4,
        sustained_drops=[(7200, 1200, 90.0)], start=dt.datetime(2026, 1, 6, 0, 30),
        patient=PatientInfo(birth_date=dt.date(2005, 1, 6)),
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "night.edf")
    ctx_file = tmp_path / "ctx.yaml"
    ctx_file.write_text(
        "patient: {age_years: 20}\n"
        "test: {type: overnight, room_air: true, setting: outpatient,\n"
        "       chronic_stable_state: true}\n"
        "order: {date: 2025-12-20, prescriber: physician, flow_lpm: 1, hours_per_day: 10}\n"
        "diagnoses: [J44.9]\n"
    )
    for deidentify in ([], ["--deidentify"]):
        out = tmp_path / f"out{len(deidentify)}"
        args = ["analyze", str(edf), "--context", str(ctx_file), "--out", str(out)]
        assert main([*args, "--no-report", *deidentify]) == 0
        doc = json.loads((out / "summary.json").read_text())
        q = doc["qualification"]
        assert q["determination"] == "indeterminate"
        assert ["patient.birth_date", "recording.days"] in [c["keys"] for c in q["conflicts"]]
        # de-identified, the header's age compared on the test date (20), not the patient
        # block's at the start (21), which oxi qualify --summary would (review of hunt 14)
        same = {"age_matches_recording": True} if deidentify else {}
        assert doc["context"]["patient"] == {"age_years": 20, "turns_21_during_test": True, **same}
        assert main(["verify", str(out / "summary.json"), str(edf)]) == 0
    capsys.readouterr()


def test_a_birth_date_without_a_test_date_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A night of no known date (Startdate X) beside a birth date and no test.date: no age on
    an unknown day, so the analysis held the age on the test date ("The member's age needs the
    test date"); the summary kept nothing of the birth date, and `oxi verify` recomputed "The
    member's age is not given", NOT VERIFIED for the genuine summary (hunt 14)."""
    rec, _ = simulate_night(
        fs=1, duration_s=7 * 3600, seed=3, baseline_pct=95.5, noise_pts=0.4,
        sustained_drops=[(7200, 1200, 90.0)], start=dt.datetime(2026, 1, 5, 22, 0),
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "night.edf")
    raw = bytearray(edf.read_bytes())
    field = raw[88:168].decode("ascii").split(" ")
    field[1] = "X"  # Startdate X: the date unknown (an anonymiser's 01.01.85)
    raw[88:168] = " ".join(field).ljust(80).encode("ascii")
    raw[168:176] = b"01.01.85"
    edf.write_bytes(bytes(raw))
    ctx_file = tmp_path / "ctx.yaml"
    ctx_file.write_text(
        "patient: {birth_date: 2010-01-01}\n"
        "test: {type: overnight, room_air: true, setting: outpatient,\n"
        "       chronic_stable_state: true}\n"
        "order: {date: 2025-12-20, prescriber: physician, flow_lpm: 1, hours_per_day: 10}\n"
        "diagnoses: [J44.9]\n"
    )
    out = tmp_path / "out"
    args = ["analyze", str(edf), "--context", str(ctx_file), "--out", str(out), "--no-report"]
    assert main(args) == 0
    doc = json.loads((out / "summary.json").read_text())
    assert doc["context"]["patient"] == {"birth_date_without_test_date": True}
    q = doc["qualification"]
    assert q["determination"] == "indeterminate" and "test.date" in q["missing"]
    (age,) = [r for r in q["rules"] if r["id"] == "ii_a_2_member_age"]
    assert age["reason"] == "The member's age needs the test date."
    assert main(["verify", str(out / "summary.json"), str(edf)]) == 0
    capsys.readouterr()


def test_qualify_summary_carries_the_headers_21st_birthday(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A night from 22:00 on 5 January, the header born 6 January 2005, beside age_years 20:
    `oxi analyze --deidentify` held it open (the member turns 21 on the night's second day),
    but the summary holds no birth date, and `oxi qualify --summary` with the very context
    QUALIFIED pediatric oxygen (hunt 14)."""
    rec, _ = simulate_night(
        fs=1, duration_s=8 * 3600, seed=3, baseline_pct=95.5, noise_pts=0.4,
        sustained_drops=[(4 * 3600, 1200, 90.0)], start=dt.datetime(2026, 1, 5, 22, 0),
        patient=PatientInfo(birth_date=dt.date(2005, 1, 6)),
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "night.edf")
    ctx_file = tmp_path / "ctx.yaml"
    ctx_file.write_text(
        "patient: {age_years: 20}\n"
        "test: {type: overnight, room_air: true, setting: outpatient,\n"
        "       chronic_stable_state: true}\n"
        "order: {date: 2025-12-20, prescriber: physician, flow_lpm: 1, hours_per_day: 10}\n"
        "diagnoses: [J44.9]\n"
    )
    out = tmp_path / "out"
    args = ["analyze", str(edf), "--context", str(ctx_file), "--out", str(out), "--no-report"]
    assert main([*args, "--deidentify"]) == 0
    doc = json.loads((out / "summary.json").read_text())
    assert doc["qualification"]["determination"] == "indeterminate"
    assert doc["context"]["patient"]["turns_21_during_test"] is True
    capsys.readouterr()
    summary = str(out / "summary.json")
    assert main(["qualify", "--summary", summary, "--context", str(ctx_file)]) == 0
    assert "INDETERMINATE" in capsys.readouterr().out


def _night_from_22_00_on_5_january(
    tmp_path: Path, header: dt.date, patient: str, test: str = ""
) -> tuple[Path, Path]:
    """A night from 22:00 on 5 January 2026, 18 min at 90 % (pediatric II.A.2.d), its header
    born ``header``, and a context of ``patient`` (``test`` more of its test)."""
    rec, _ = simulate_night(
        fs=1, duration_s=8 * 3600, seed=3, baseline_pct=95.5, noise_pts=0.4,
        sustained_drops=[(4 * 3600, 1080, 90.0)], start=dt.datetime(2026, 1, 5, 22, 0),
        patient=PatientInfo(birth_date=header),
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "night.edf")
    ctx_file = tmp_path / "ctx.yaml"
    ctx_file.write_text(
        f"patient: {patient}\n"
        "test: {type: overnight, room_air: true, setting: outpatient,\n"
        f"       chronic_stable_state: true{test}}}\n"
        "order: {date: 2025-12-20, prescriber: physician, flow_lpm: 1, hours_per_day: 10}\n"
        "diagnoses: [J44.9]\n"
    )
    return edf, ctx_file


@pytest.mark.parametrize(
    ("born", "header", "turns"),
    [
        ("2005-01-06", dt.date(1980, 3, 3), True),
        ("2005-01-06", dt.date(2005, 1, 7), True),
        ("2005-01-07", dt.date(2005, 1, 6), False),
        ("1990-01-01", dt.date(1980, 3, 3), False),
        ("1990-01-01", dt.date(1930, 3, 3), False),  # the header's age capped at 90
    ],
)
@pytest.mark.parametrize("deidentify", [[], ["--deidentify"]])
def test_a_summary_of_a_birth_date_not_the_headers_verifies(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    born: str,
    header: dt.date,
    turns: bool,
    deidentify: list[str],
) -> None:
    """A night from 22:00 on 5 January, no test.date, the context's birth date not the
    header's: the summary keeps whether the context's (not the header's) 21st birthday falls on
    the night's second day, and `oxi verify` without --context placed the header's, found
    turns_21_during_test another, and said NOT VERIFIED of the genuine summary; de-identified,
    it compared the header's age with the context's (age_matches_recording, which the analysis
    never wrote beside a birth date) (review of hunt 14)."""
    edf, ctx_file = _night_from_22_00_on_5_january(tmp_path, header, f"{{birth_date: {born}}}")
    out = tmp_path / "out"
    args = ["analyze", str(edf), "--context", str(ctx_file), "--out", str(out), "--no-report"]
    assert main([*args, *deidentify]) == 0
    doc = json.loads((out / "summary.json").read_text())
    assert doc["qualification"]["determination"] == "indeterminate"
    patient = doc["context"]["patient"]
    assert patient["birth_date_matches_recording"] is False
    assert patient.get("turns_21_during_test", False) is turns
    assert "age_matches_recording" not in patient
    capsys.readouterr()
    summary = str(out / "summary.json")
    assert main(["verify", summary, str(edf)]) == 0, capsys.readouterr().out
    assert main(["verify", "--context", str(ctx_file), summary, str(edf)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("analysed", ["{age_years: 20}", "{birth_date: 2005-01-06}"])
@pytest.mark.parametrize("deidentify", [[], ["--deidentify"]])
def test_qualify_summary_keeps_the_21st_birthday_beside_another_birth_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], analysed: str, deidentify: list[str]
) -> None:
    """A night from 22:00 on 5 January, 18 min at 90 %, the header born 6 January 2005, analysed
    beside age_years 20 (or the header's birth date): held open (the member turns 21 on the
    night's second day). `oxi qualify --summary` of the de-identified summary with a context
    born 7 January 2005 (20 on the test date, no birthday in the night) QUALIFIED pediatric
    oxygen, where `oxi analyze` with that context holds it open (another birth date than the
    header's): the summary holds no birth date to compare it with (review of hunt 14)."""
    edf, ctx_file = _night_from_22_00_on_5_january(tmp_path, dt.date(2005, 1, 6), analysed)
    out = tmp_path / "out"
    args = ["analyze", str(edf), "--context", str(ctx_file), "--out", str(out), "--no-report"]
    assert main([*args, *deidentify]) == 0
    doc = json.loads((out / "summary.json").read_text())
    assert doc["qualification"]["determination"] == "indeterminate"
    assert doc["context"]["patient"]["turns_21_during_test"] is True
    later = tmp_path / "later.yaml"
    later.write_text(ctx_file.read_text().replace(analysed, "{birth_date: 2005-01-07}"))
    again = tmp_path / "again"
    args = ["analyze", str(edf), "--context", str(later), "--out", str(again), "--no-report"]
    assert main([*args, *deidentify]) == 0
    doc = json.loads((again / "summary.json").read_text())
    assert doc["qualification"]["determination"] == "indeterminate"
    capsys.readouterr()
    summary = str(out / "summary.json")
    assert main(["qualify", "--summary", summary, "--context", str(later)]) == 0
    assert "INDETERMINATE" in capsys.readouterr().out


@pytest.mark.parametrize("deidentify", [[], ["--deidentify"]])
def test_qualify_summary_compares_the_headers_age_on_the_test_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], deidentify: list[str]
) -> None:
    """A night from 22:00 on 5 January, test.date the 6th, the header born 6 January 2005 (20
    at the start, 21 on the test date) beside age_years 21: `oxi analyze` compares the ages on
    the test date (NOT QUALIFIED, an adult's night), but `oxi qualify --summary` of the
    de-identified summary compared the context's with the header's age at the start and held
    it open ("the header makes the patient 20, the context 21") (review of hunt 14)."""
    edf, ctx_file = _night_from_22_00_on_5_january(
        tmp_path, dt.date(2005, 1, 6), "{age_years: 21}", ", date: 2026-01-06"
    )
    out = tmp_path / "out"
    args = ["analyze", str(edf), "--context", str(ctx_file), "--out", str(out), "--no-report"]
    assert main([*args, *deidentify]) == 0
    doc = json.loads((out / "summary.json").read_text())
    assert doc["qualification"]["determination"] == "not_qualified"
    assert doc["qualification"]["conflicts"] == []
    capsys.readouterr()
    summary = str(out / "summary.json")
    assert main(["verify", summary, str(edf)]) == 0
    capsys.readouterr()
    assert main(["qualify", "--summary", summary, "--context", str(ctx_file)]) == 0
    assert "NOT QUALIFIED" in capsys.readouterr().out


def test_qualify_summary_quotes_no_impossible_header_age(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same night beside age_years 20 (the header 21 on test.date): `oxi qualify --summary`
    of the de-identified summary holds it open, as `oxi analyze` does, but said "the header
    makes the patient 20, the context 20", the only age of the header's it holds being the one
    at the start (review of hunt 14)."""
    edf, ctx_file = _night_from_22_00_on_5_january(
        tmp_path, dt.date(2005, 1, 6), "{age_years: 20}", ", date: 2026-01-06"
    )
    out = tmp_path / "out"
    args = ["analyze", str(edf), "--context", str(ctx_file), "--out", str(out), "--no-report"]
    assert main([*args, "--deidentify"]) == 0
    capsys.readouterr()
    assert (
        main(["qualify", "--summary", str(out / "summary.json"), "--context", str(ctx_file)]) == 0
    )
    said = capsys.readouterr().out
    assert "INDETERMINATE" in said
    assert "makes the patient 20, the context 20" not in said
    assert "gave another age than the context when it was analysed" in said
