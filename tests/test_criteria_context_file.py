"""The context's turn-2 keys, implausible values, and a context FILE that cannot hurt (SPEC §8.2).

Every bad file gives one ``ContextError`` line naming the file and the reason (the CLI: exit 2, no
traceback), and no file can exhaust memory or the stack.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from criteria.context import CONTEXT_FREE_TEXT, Context, load_context
from criteria.context_file import MAX_BYTES, MAX_DEPTH, shorten
from criteria.errors import ContextError
from oxi.cli import main
from oximetry.errors import withhold_quoted

TURN_2 = """\
patient: {name: Jane Example, member_id: "0012345", sex: F}
test:
  performed_by: idtf
  facility: Example Sleep Lab
  device: Nonin WristOx2 3150 SN 501234
  o2_flow_lpm: 2
  pap_titration: {ahi: 4, hours: 3.5}
  evaluated_date: 2026-11-25
order: {practitioner: Dr Example, npi: "1234567893"}
mobility: {within_home: true}
findings: {attested_condition: true, widespread_pulmonary_neoplasm: false}
blood_gas: {pao2_exercise_o2_mmhg: 72}
interpretation: {practitioner: Dr Reader, text: "Sustained nocturnal hypoxemia."}
"""


def _write(tmp_path: Path, text: str, name: str = "ctx.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _one_line_error(p: Path) -> str:
    with pytest.raises(ContextError) as info:
        load_context(p)
    msg = str(info.value)
    assert msg.startswith(f"{p}: ") and "\n" not in msg and len(msg) < 400
    return msg


def test_turn_2_keys_load_into_the_context_types(tmp_path: Path) -> None:
    c = load_context(_write(tmp_path, TURN_2))
    assert (c.patient.name, c.patient.member_id, c.patient.sex) == ("Jane Example", "0012345", "F")
    t = c.test
    assert (t.performed_by, t.facility, t.o2_flow_lpm) == ("idtf", "Example Sleep Lab", 2.0)
    assert t.device == "Nonin WristOx2 3150 SN 501234"
    assert t.pap_titration is not None and (t.pap_titration.ahi, t.pap_titration.hours) == (4, 3.5)
    assert t.evaluated_date == dt.date(2026, 11, 25)
    assert (c.order.practitioner, c.order.npi) == ("Dr Example", "1234567893")
    assert c.mobility.within_home is True
    assert c.findings.attested_condition is True
    assert c.findings.widespread_pulmonary_neoplasm is False
    assert c.blood_gas.pao2_exercise_o2_mmhg == 72.0
    assert c.interpretation.practitioner == "Dr Reader"
    assert c.interpretation.text == "Sustained nocturnal hypoxemia."


def test_to_dict_round_trips_and_leaves_identifiers_out_unless_asked(tmp_path: Path) -> None:
    c = load_context(_write(tmp_path, TURN_2))
    plain = c.to_dict()
    assert "name" not in plain.get("patient", {}) and "member_id" not in plain.get("patient", {})
    assert "Jane" not in json.dumps(plain)
    full = c.to_dict(identifiers=True)
    assert full["patient"]["name"] == "Jane Example"
    assert Context.from_dict(full) == c
    assert full["test"]["pap_titration"] == {"ahi": 4.0, "hours": 3.5}


def test_yaml_leading_zero_identifier_keeps_its_digits(tmp_path: Path) -> None:
    c = load_context(_write(tmp_path, "patient: {member_id: 0012}\n"))
    assert c.patient.member_id == "0012"  # YAML 1.1 would have read octal 10


@pytest.mark.parametrize(
    ("written", "read_by_yaml_1_1"),
    [("1:10", 70), ("2:06", 126), ("1_8", 18), ("0:45.", 45.0), ("1_0.5", 10.5)],
)
def test_yaml_base_60_and_digit_separators_are_refused_as_written(
    tmp_path: Path, written: str, read_by_yaml_1_1: float
) -> None:
    # a 22-month-old written years:months (1:10) was read as 70 without a word; refused as
    # the text written (the patient's values are not quoted, their kind is said)
    said = f"patient\\.age_years': got text of {len(written)} characters"
    with pytest.raises(ContextError, match=said):
        load_context(_write(tmp_path, f"patient: {{age_years: {written}}}\n"))
    with pytest.raises(ContextError, match=rf"hours_per_day': got '{re.escape(written)}'"):
        load_context(_write(tmp_path, f"order: {{hours_per_day: {written}}}\n"))


def test_yaml_base_60_identifier_keeps_its_text(tmp_path: Path) -> None:
    c = load_context(_write(tmp_path, "patient: {member_id: 1:23:45}\n"))
    assert c.patient.member_id == "1:23:45"  # YAML 1.1 would have read 5025


@pytest.mark.parametrize(
    ("data", "key", "value"),
    [
        ({"blood_gas": {"pao2_rest_mmhg": 0}}, "blood_gas.pao2_rest_mmhg", "0"),
        ({"blood_gas": {"pao2_sleep_mmhg": 19.9}}, "blood_gas.pao2_sleep_mmhg", "19.9"),
        ({"blood_gas": {"pao2_awake_mmhg": 151}}, "blood_gas.pao2_awake_mmhg", "151"),
        ({"blood_gas": {"pao2_exercise_o2_mmhg": 600}}, "blood_gas.pao2_exercise_o2_mmhg", "600"),
        ({"findings": {"hematocrit_pct": 14}}, "findings.hematocrit_pct", "14"),
        ({"findings": {"hematocrit_pct": 76}}, "findings.hematocrit_pct", "76"),
        ({"order": {"flow_lpm": 16}}, "order.flow_lpm", "16"),
        ({"order": {"flow_lpm": -0.5}}, "order.flow_lpm", "-0.5"),
        ({"test": {"o2_flow_lpm": 20}}, "test.o2_flow_lpm", "20"),
        # a walk "on oxygen" at 0 L/min was not on oxygen (0 passed, and analyze refused it)
        ({"test": {"exercise_o2_flow_lpm": 0}}, "test.exercise_o2_flow_lpm", "0"),
        ({"test": {"exercise_o2_flow_lpm": 15.5}}, "test.exercise_o2_flow_lpm", "15.5"),
        ({"order": {"hours_per_day": 25}}, "order.hours_per_day", "25"),
        ({"mobility": {"hours_away_from_home": 30}}, "mobility.hours_away_from_home", "30"),
        ({"test": {"pap_titration": {"hours": 48}}}, "test.pap_titration.hours", "48"),
        ({"test": {"date": "1899-12-31"}}, "test.date", "1899-12-31"),
        ({"order": {"date": "2031-01-01"}}, "order.date", "2031-01-01"),
        ({"test": {"evaluated_date": "2024-02-30"}}, "test.evaluated_date", "2024-02-30"),
        ({"order": {"npi": "12345"}}, "order.npi", "12345"),
        ({"patient": {"sex": "female"}}, "patient.sex", "female"),
        ({"test": {"performed_by": "cousin"}}, "test.performed_by", "cousin"),
        ({"interpretation": {"text": ""}}, "interpretation.text", "''"),
    ],
)
def test_implausible_values_are_bad_input_naming_key_and_value(
    data: dict[str, object], key: str, value: str
) -> None:
    with pytest.raises(ContextError) as info:
        Context.from_dict(data, source="ctx.yaml")
    msg = str(info.value)
    assert f"'{key}'" in msg and value in msg and "allowed" in msg


def test_plausible_range_edges_are_accepted() -> None:
    c = Context.from_dict(
        {
            "blood_gas": {"pao2_rest_mmhg": 20, "pao2_sleep_mmhg": 150},
            "findings": {"hematocrit_pct": 15},
            "order": {"flow_lpm": 15, "hours_per_day": 24, "date": "1900-01-01"},
            "test": {"exercise_o2_flow_lpm": 15},
        }
    )
    assert c.blood_gas.pao2_rest_mmhg == 20 and c.order.flow_lpm == 15
    assert c.test.exercise_o2_flow_lpm == 15
    assert Context.from_dict({"test": {"exercise_o2_flow_lpm": 0.1}}).test.exercise_o2_flow_lpm


def test_a_date_after_the_run_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import criteria.context as cc

    monkeypatch.setattr(cc, "_TODAY", cc._latest_today)
    # the latest today anywhere (UTC+14): a context a lab wrote on its today is no bad input
    # for a reviewer whose date is still the day before
    latest = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=14)).date()
    Context.from_dict({"test": {"date": latest.isoformat()}})
    with pytest.raises(ContextError, match=r"test\.date"):
        Context.from_dict({"test": {"date": (latest + dt.timedelta(days=1)).isoformat()}})


def test_patient_identifiers_are_never_echoed_in_errors() -> None:
    with pytest.raises(ContextError) as info:
        Context.from_dict({"patient": {"name": ["Jane", "Example"]}})
    assert "Jane" not in str(info.value) and "patient.name" in str(info.value)


#: Values no context key takes, each holding the patient's name: too long for any text key, a
#: list, a mapping, text with a control character (hunt 12: a 20030-character interpretation
#: and a facility given as a list were quoted in the error line, the name with them).
_NAMING = (
    "Quokkaman Zyxwv desaturates " + "x" * 20000,
    ["Home of Quokkaman Zyxwv"],
    {"of": "Quokkaman Zyxwv"},
    "Quokkaman Zyxwv\x07",
)


@pytest.mark.parametrize("value", _NAMING, ids=["long", "list", "mapping", "control"])
@pytest.mark.parametrize(
    "key",
    [
        *(f"{section}.{name}" for section, name, _ in CONTEXT_FREE_TEXT),
        "patient.name",
        "patient.member_id",
        "patient.birth_date",
    ],
)
def test_free_text_and_identifiers_are_never_echoed_in_errors(key: str, value: object) -> None:
    section, _, name = key.partition(".")
    with pytest.raises(ContextError) as info:
        Context.from_dict({section: {name: value}})
    said = str(info.value)
    assert f"context key '{key}': got " in said and "(not shown: it " in said, said
    assert "quokkaman" not in said.lower() and "zyxwv" not in said.lower(), said


@pytest.mark.parametrize("section", ["patient", "test", "order", "interpretation"])
def test_a_section_written_as_one_text_is_never_echoed(section: str) -> None:
    """``interpretation: "Quokkaman Zyxwv desaturates"`` (no ``text:``) is the free text itself,
    and ``patient: "Quokkaman, Zyxwv"`` the name: the section, not a mapping, was quoted."""
    for value in ("Quokkaman Zyxwv desaturates", ["Quokkaman", "Zyxwv"]):
        with pytest.raises(ContextError) as info:
            Context.from_dict({section: value})
        said = str(info.value)
        assert f"context key '{section}': got " in said and "(not shown: it " in said, said
        assert "quokkaman" not in said.lower() and "zyxwv" not in said.lower(), said


@pytest.mark.parametrize(
    "text",
    [
        "patient: {name: Zyxwv, Quokkaman, age_years: 70}\n",  # "Last, First" unquoted
        "patient: {birth_date 1951-03-14, sex: F}\n",  # a colon missed
        "interpretation: {text: Zyxwv, Quokkaman desaturates to 84 %}\n",
        "Quokkaman Zyxwv:\n  age_years: 70\n",
        "test: {facility: a, Quokkaman Zyxwv: 1, Quokkaman Zyxwv: 2}\n",
        '{"patient": {"Zyxwv, Quokkaman": null}}',
    ],
)
def test_a_value_read_as_a_key_is_never_echoed(tmp_path: Path, text: str) -> None:
    """A key is where a value lands when a colon or quotes are missed: an unknown key (or one
    given twice) was quoted, ``unknown context key 'patient.Quokkaman'``, with or without
    --deidentify (hunt 15). A key written as the schema writes keys is still quoted."""
    name = "ctx.json" if text.startswith("{") else "ctx.yaml"
    with pytest.raises(ContextError) as info:
        load_context(_write(tmp_path, text, name))
    said = str(info.value)
    assert "(text of " in said and "not shown: it may identify the patient)" in said, said
    for word in ("quokkaman", "zyxwv", "1951", "desaturates"):
        assert word not in said.lower(), said


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("patient: {name: roe, jane}\n", "jane"),
        ("patient: {name: o_brien, mary}\n", "mary"),
        ("patient: {member_id: ab1234, cd5678}\n", "cd5678"),
        ("test: {type: overnight, facility: home, smith_residence}\n", "smith"),
        ("patient:\n  jane: 1\n  jane: 2\n", "jane"),  # given twice
        ('{"patient": {"cd5678": 1, "cd5678": 2}}', "cd5678"),
    ],
)
def test_a_lower_case_value_read_as_a_key_is_never_echoed(
    tmp_path: Path, text: str, hidden: str
) -> None:
    """A key written as the schema writes keys (lower-case words joined by _) was quoted, and
    a value is written so as often: ``unknown context key 'patient.jane'``, ``'patient.cd5678'``
    (a member ID), ``'test.smith_residence'`` (a facility), without --deidentify too (hunt 15).
    Only a schema key but for case and separators is quoted."""
    name = "ctx.json" if text.startswith("{") else "ctx.yaml"
    said = _one_line_error(_write(tmp_path, text, name))
    assert "(text of " in said and "not shown: it may identify the patient" in said, said
    assert hidden not in said.lower(), said


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("test: {Room_Air: true}\n", "'test.Room_Air'"),
        ("Test: {room_air: true}\n", "'Test'"),
        ("patient: {birthDate: 1951-03-14}\n", "'patient.birthDate'"),
        ("test: {pap_titration: {AHI: 3}}\n", "'test.pap_titration.AHI'"),
        ("test:\n  room_air: false\n  room_air: true\n", "key 'room_air' is given twice"),
        # a key of the schema in other case, given twice, was said by its length (hunt 15)
        ("test:\n  Room_Air: false\n  Room_Air: true\n", "key 'Room_Air' is given twice"),
        ('{"test": {"Room_Air": false, "Room_Air": true}}', "key 'Room_Air' is given twice"),
    ],
)
def test_a_mistyped_key_is_still_quoted(tmp_path: Path, text: str, shown: str) -> None:
    name = "ctx.json" if text.startswith("{") else "ctx.yaml"
    assert shown in _one_line_error(_write(tmp_path, text, name))


@pytest.mark.parametrize(
    ("text", "meant", "hidden"),
    [
        ("patient: {Age: 70}\n", "patient.age_years", "'age'"),
        ("patient: {birth_dte: 1951-03-14}\n", "patient.birth_date", "dte"),
        ("patient: {membr_id: x1}\n", "patient.member_id", "membr"),
        ("test:\n  room_ari: false\n  room_ari: true\n", "room_air", "ari"),
    ],
)
def test_a_key_close_to_the_schemas_names_the_schema_key_only(
    tmp_path: Path, text: str, meant: str, hidden: str
) -> None:
    """A typo that is not the schema's word in other case (``Age``, ``birth_dte``) was said
    only as "text of N characters" (hunt 15): the schema key it is close to is named, the key
    as written is not (it may be a value that is merely alike)."""
    said = _one_line_error(_write(tmp_path, text))
    assert f"did you mean '{meant}'?" in said and hidden not in said.lower(), said


def test_a_context_files_keys_offered_are_not_a_summarys() -> None:
    """The keys only a summary's copy of the context holds were offered as allowed under
    'patient', and a context file giving one is refused (load_context)."""
    with pytest.raises(ContextError) as info:
        Context.from_dict({"patient": {"nmae": "x"}})
    said = str(info.value)
    assert said.endswith(
        "allowed keys under 'patient': birth_date, age_years, name, member_id, sex"
    )


def test_other_keys_still_quote_the_value() -> None:
    """Vocabulary keys are no patient data: the value is quoted, so the user sees the typo."""
    with pytest.raises(ContextError, match=r"context key 'test\.type': got 'nightly';"):
        Context.from_dict({"test": {"type": "nightly"}})


@pytest.mark.parametrize(
    "value", ["12 Elm Street, Springfield", ["Home of Jane Roe"], {"street": "Elm"}]
)
def test_a_choice_keys_text_of_several_words_is_not_quoted(value: object) -> None:
    """A choice key's value of several words is text, not a typo of a choice: an address given
    as ``residence`` was quoted whole in the error line, which logs keep (SPEC §10; hunt 15)."""
    with pytest.raises(ContextError) as err:
        Context.from_dict({"residence": value})
    message = str(err.value)
    assert "Elm" not in message and "Roe" not in message, message
    assert "(not shown: it may identify the patient); allowed: community" in message


@given(st.text(max_size=120), st.booleans())
def test_a_shortened_value_is_withheld_whole(text: str, in_a_list: bool) -> None:
    """``--deidentify`` withholds text between two quotes (:func:`withhold_quoted`); a value cut
    short lost its closing quote (``'Example Fictional desaturates xxx…(20032 characters)``),
    and nothing of it was withheld. Cut or not, nothing of the value is left."""
    value: object = [text] if in_a_list else text
    said = withhold_quoted(f"got {shorten(value)}; allowed: text")
    assert re.fullmatch(r"got \[?'…'\]?(\(\d+ characters\))?; allowed: text", said), said


# --------------------------------------------------------------------------------------------
# The file
# --------------------------------------------------------------------------------------------


def test_nested_anchor_bomb_is_refused_without_expanding(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefgh"[i]
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    text = "\n".join(lines) + "\n"
    assert len(text.encode()) < 450  # the 414-byte class of file: 9**9 strings if expanded
    p = _write(tmp_path, text)
    tracemalloc.start()
    try:
        msg = _one_line_error(p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "anchors" in msg and peak < 5_000_000


def test_a_single_alias_is_refused_too(tmp_path: Path) -> None:
    assert "anchors" in _one_line_error(_write(tmp_path, "test: &t {room_air: true}\norder: *t\n"))


@pytest.mark.parametrize(
    ("text", "name", "said"),
    [
        ("test:\n  date: 2024-02-30\n", "ctx.yaml", "'test.date'"),
        ("order:\n  flow_lpm: " + "9" * 400 + "\n", "ctx.yaml", "'order.flow_lpm'"),
        ('{"order": {"flow_lpm": ' + "9" * 400 + "}}", "ctx.json", "'order.flow_lpm'"),
        ('{"order": {"flow_lpm": 1' + "0" * 400 + ".5}}", "ctx.json", "'order.flow_lpm'"),
        ("test: {date: !!timestamp 2024-02-30}\n", "ctx.yaml", "explicit YAML tags"),
        # tagged values crashed the loader (exit 4), echoed a name, or merged past the checks
        ("test: {room_air: !!bool maybe}\n", "ctx.yaml", "explicit YAML tags"),
        ('test: {date: !!timestamp "Jan 5 2026"}\n', "ctx.yaml", "explicit YAML tags"),
        ('order: {flow_lpm: !!int ""}\n', "ctx.yaml", "explicit YAML tags"),
        ("patient: {name: !!float Jane Smith}\n", "ctx.yaml", "explicit YAML tags"),
        (
            "test:\n  !!merge a: {room_air: true}\n  !!merge b: {room_air: false}\n",
            "ctx.yaml",
            "explicit YAML tags",
        ),
        ("[" * 5000 + "]" * 5000 + "\n", "ctx.yaml", "nested"),
        ("[" * 50_000 + "]" * 50_000, "ctx.json", "nested"),
        ("".join(" " * i + "k:\n" for i in range(300)), "ctx.yaml", "nested"),
        ("test:\n  room_air: false\n  room_air: true\n", "ctx.yaml", "given twice"),
        ('{"test": {"room_air": false, "room_air": true}}', "ctx.json", "given twice"),
        # a merge key is a duplicate in disguise: the mapping's own key won without a word
        (
            "test:\n  <<: {performed_by: dme_supplier}\n  performed_by: hospital\n",
            "ctx.yaml",
            "merge keys",
        ),
        ("<<: {payer: masshealth}\npayer: medicare\n", "ctx.yaml", "merge keys"),
        ("test:\n  <<: [{room_air: false}, {room_air: true}]\n", "ctx.yaml", "merge keys"),
        ("test:\n  " + "k" * 900 + ": 1\n", "ctx.yaml", "unknown context key"),
        ("diagnoses: [" + "J44.9, " * 3 + "'" + "x" * 5000 + "']\n", "ctx.yaml", "diagnoses"),
    ],
)
def test_hostile_files_give_one_short_line(tmp_path: Path, text: str, name: str, said: str) -> None:
    assert said in _one_line_error(_write(tmp_path, text, name))


def test_a_tagged_name_is_never_echoed(tmp_path: Path) -> None:
    said = _one_line_error(_write(tmp_path, "patient: {name: !!float Jane Smith}\n"))
    assert "jane" not in said.casefold()  # (the loader's message quoted it lower-cased)


@pytest.mark.parametrize(
    "text",
    [
        "patient:\n  name: !Quokkaman!x Zyxwv\n",
        "%TAG !Quokkaman! tag:x,2026:\n%TAG !Quokkaman! tag:y,2026:\n---\npayer: medicare\n",
    ],
    ids=["undefined", "duplicate"],
)
def test_a_tag_handle_is_never_echoed(tmp_path: Path, text: str) -> None:
    """PyYAML quoted the handle ("found undefined tag handle '!Quokkaman!'"), a word typed in
    the file; the error now says that tags are not allowed, where it is."""
    said = _one_line_error(_write(tmp_path, text))
    assert "quokkaman" not in said.casefold(), said
    assert "not valid YAML (line " in said and "explicit YAML tags" in said, said


def test_a_byte_order_mark_is_no_content(tmp_path: Path) -> None:
    for name, text in (("ctx.json", '{"payer": "medicare"}'), ("ctx.yaml", "payer: medicare\n")):
        p = tmp_path / name
        p.write_bytes(b"\xef\xbb\xbf" + text.encode())
        assert load_context(p).payer == "medicare"


def test_depth_cap_allows_the_schema(tmp_path: Path) -> None:
    assert MAX_DEPTH >= 3
    load_context(_write(tmp_path, "test: {pap_titration: {ahi: 2}}\n"))


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    p = _write(tmp_path, "# " + "x" * MAX_BYTES + "\n")
    assert "larger than" in _one_line_error(p)


def test_not_utf8_is_one_line(tmp_path: Path) -> None:
    p = tmp_path / "ctx.yaml"
    p.write_bytes(b"test: {facility: \xff\xfe}\n")
    assert "UTF-8" in _one_line_error(p)


def test_cli_bad_context_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = _write(tmp_path, "blood_gas: {pao2_rest_mmhg: 0}\n")
    assert main(["qualify", "--context", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "blood_gas.pao2_rest_mmhg" in err and "Traceback" not in err
