"""The clinical context file (SPEC §8.2): loading, validation errors naming the key, round trip."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from criteria.context import Context, load_context, normalise_icd10
from criteria.errors import ContextError
from tests.criteria_helpers import BASE, make_dict

SPEC_EXAMPLE = """\
payer: masshealth
patient:
  birth_date: 1951-03-14
test:
  type: overnight
  date: 2026-11-20
  room_air: true
  room_air_contraindicated: false
  setting: outpatient
  discharge_date: null
  chronic_stable_state: true
order:
  date: 2026-11-02
  prescriber: physician
  flow_lpm: 2
  hours_per_day: 8
diagnoses: [J44.9]
findings:
  dependent_edema: false
  pulmonary_hypertension: false
  hematocrit_pct: null
symptoms: [nocturnal_restlessness]
blood_gas:
  pao2_rest_mmhg: null
  pao2_sleep_mmhg: null
  pao2_awake_mmhg: null
  pao2_exercise_mmhg: null
cluster_headache:
  attacks: 0
  unilateral_orbital_pain_15_180_min: false
  ipsilateral_autonomic_signs: false
  restlessness_or_agitation: false
  frequency_every_other_day_to_8_per_day: false
  not_better_accounted_for: false
residence: community
prn: false
mobility:
  beyond_stationary_tubing: false
  hours_away_from_home: 0
"""


def test_context_loads_the_spec_example_yaml(tmp_path: Path) -> None:
    p = tmp_path / "context.yaml"
    p.write_text(SPEC_EXAMPLE, encoding="utf-8")
    c = load_context(p)
    assert c.patient.birth_date == dt.date(1951, 3, 14)
    assert c.test.date == dt.date(2026, 11, 20) and c.test.discharge_date is None
    assert c.diagnoses == ("J44.9",) and c.symptoms == ("nocturnal_restlessness",)
    assert c.order.flow_lpm == 2.0 and c.cluster_headache is not None
    assert c.source == str(p)


def test_context_json_dates_are_iso_text(tmp_path: Path) -> None:
    p = tmp_path / "context.json"
    p.write_text(json.dumps(BASE), encoding="utf-8")
    c = load_context(p)
    assert c.order.date == dt.date(2026, 11, 2)
    assert c == Context.from_dict(BASE)


def test_context_every_key_optional() -> None:
    assert Context.from_dict({}) == Context()
    assert Context.from_dict(None) == Context()


@pytest.mark.parametrize(
    ("data", "key", "shown"),
    [
        ({"Test": {}}, "Test", "allowed keys"),
        ({"test": {"romair": True}}, "test.room_air", "allowed keys under 'test'"),
        ({"test": {"room_air": "yes"}}, "test.room_air", "true or false"),
        ({"test": {"type": "nightly"}}, "test.type", "overnight | exercise | rest"),
        ({"test": {"date": "20/11/2026"}}, "test.date", "YYYY-MM-DD"),
        ({"payer": "aetna"}, "payer", "masshealth | medicare"),
        ({"diagnoses": "J44.9"}, "diagnoses", "a list of ICD-10-CM codes"),
        ({"diagnoses": ["COPD"]}, "diagnoses", "ICD-10-CM codes"),
        ({"symptoms": ["snoring"]}, "symptoms", "cognitive_impairment"),
        ({"findings": {"hematocrit_pct": 156}}, "findings.hematocrit_pct", "from 15 to 75"),
        ({"order": {"hours_per_day": -1}}, "order.hours_per_day", "from 0 to 24"),
        ({"cluster_headache": {"attacks": 2.5}}, "cluster_headache.attacks", "whole number"),
        ({"patient": {"age_years": True}}, "patient.age_years", "a number"),
        ({"mobility": []}, "mobility", "a mapping"),
        (
            {"documentation": {"Signed-Prescription": True}},
            "documentation.Signed-Prescription",
            "allowed keys",
        ),
    ],
)
def test_context_errors_name_the_key_the_value_and_what_is_allowed(
    data: dict[str, object], key: str, shown: str
) -> None:
    with pytest.raises(ContextError) as info:
        Context.from_dict(data, source="ctx.yaml")
    msg = str(info.value)
    assert msg.startswith("ctx.yaml: ")
    assert f"'{key}'" in msg and shown in msg
    assert "\n" not in msg


def test_context_bad_yaml_is_one_line_naming_the_file(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("test: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContextError) as info:
        load_context(p)
    assert str(info.value).startswith(str(p)) and "\n" not in str(info.value)


def test_context_missing_file_is_a_context_error(tmp_path: Path) -> None:
    with pytest.raises(ContextError, match="no such file"):
        load_context(tmp_path / "nope.yaml")


def test_context_top_level_must_be_a_mapping() -> None:
    with pytest.raises(ContextError, match="mapping"):
        Context.from_dict(["J44.9"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("j449", "J44.9"),
        ("J44.9", "J44.9"),
        ("I50", "I50"),
        ("G44.019", "G44.019"),
        ("U07.1", "U07.1"),
        ("1J44", None),
        ("44.9", None),
        # a dot elsewhere is a typo, not J44.9 (both were read as J44.9 and qualified)
        ("J4.49", None),
        ("J.44.9", None),
        ("J44.9.", None),
        (" j44.9 ", "J44.9"),
    ],
)
def test_context_icd10_codes_are_normalised(raw: str, norm: str | None) -> None:
    assert normalise_icd10(raw) == norm


def test_context_to_dict_deidentifies_birth_date_and_round_trips() -> None:
    c = Context.from_dict(make_dict(symptoms=["insomnia"], cluster_headache={"attacks": 0}))
    out = c.to_dict(test_date=dt.date(2026, 11, 20))
    assert out["patient"] == {"age_years": 75.0}
    assert "1951" not in json.dumps(out)
    back = Context.from_dict(json.loads(json.dumps(out)))
    assert back.patient.age_years == 75.0 and back.patient.birth_date is None
    assert back.to_dict(test_date=dt.date(2026, 11, 20)) == out
    assert back.test == c.test and back.order == c.order and back.symptoms == c.symptoms


def test_context_age_changes_on_the_birthday() -> None:
    c = Context.from_dict({"patient": {"birth_date": "2005-11-20"}})
    assert c.patient.age_at(dt.date(2026, 11, 19)) == 20
    assert c.patient.age_at(dt.date(2026, 11, 20)) == 21
    assert c.patient.under(21, dt.date(2026, 11, 19)) is True
    assert c.patient.under(21, dt.date(2026, 11, 20)) is False


def test_context_leap_day_birthday() -> None:
    """A 29 February birthday is 28 February in a common year: the earlier of the two readings,
    so the pediatric criteria (under 21) end on the earlier day (safe side)."""
    c = Context.from_dict({"patient": {"birth_date": "2008-02-29"}})
    assert c.patient.under(21, dt.date(2029, 2, 27)) is True
    assert c.patient.under(21, dt.date(2029, 2, 28)) is False
    assert c.patient.under(21, dt.date(2029, 3, 1)) is False
    assert c.patient.age_at(dt.date(2029, 2, 27)) == 20
    assert c.patient.age_at(dt.date(2029, 2, 28)) == 21
    assert c.patient.under(21, dt.date(2028, 2, 29)) is True  # a leap year: the day itself


def test_context_birth_date_not_entered_is_refused(tmp_path: Path) -> None:
    """1900-01-01 is what records hold for a birth date not entered: read as one, it gave
    "age 126", which met the member-age gate, and a resting PaO2 of 50 with no age known
    QUALIFIED (hunt 15). Refused, naming the key; the day after is a birth date."""
    p = tmp_path / "ctx.yaml"
    p.write_text("patient: {birth_date: 1900-01-01}\n", encoding="utf-8")
    with pytest.raises(ContextError, match=r"'patient\.birth_date'.*not entered") as info:
        load_context(p)
    assert "1900-01-01 (" not in str(info.value).split("allowed")[0]  # the value is not shown
    born = Context.from_dict({"patient": {"birth_date": "1900-01-02"}}).patient.birth_date
    assert born == dt.date(1900, 1, 2)
