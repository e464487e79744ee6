"""The recording header's patient name against the context's (criteria/names.py, conflicts.py).

A night whose EDF header names "Doe_John" beside a context for "Roe, Jane" (the same age, no sex
in the context) qualified her: the header's birth date, age and sex were compared, its name was
not. Names are compared leniently (one shared word of two letters or more is the same person),
placeholders name nobody, and neither name is ever shown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from criteria.evaluate import evaluate
from criteria.evidence import FilePatient
from criteria.names import name_words, same_person
from oxi.cli import main
from oximetry.model import PatientInfo
from oximetry.simulate import simulate_night, write_edf
from tests.criteria_helpers import OVERNIGHT_YAML, ctx, overnight
from tests.io_fixtures import RawEdf, RawSig, write_edf_raw

#: One person's name as a header and a clinic write it.
SAME = [
    ("Doe_John", "John Doe"),
    ("Doe_John", "DOE, John A."),
    ("John_Alan_Doe", "Doe, J."),  # initials and a middle name
    ("Núñez_José", "Jose Nunez"),  # accents, EDF+'s underscore
    ("O'Brien_Mary", "Mary OBrien"),
    ("Smith-Jones, Jane", "Jane Smith"),  # a married name beside the maiden one
    ("0000001 M 13-JUL-1949 Doe_John", "John Doe"),  # a plain EDF's whole patient field
    # EDF headers hold ASCII: the recorder's transliteration beside the context's letters
    ("Mueller_Juergen", "Jürgen Müller"),
    ("Jorgensen_Soren", "Søren Jørgensen"),
    ("Walesa_Lukasz", "Łukasz Wałęsa"),
    ("Strasse_Ole", "Ole Straße"),
]
#: Two people's names: no word in common once titles and particles are set aside.
OTHER = [
    ("Doe_John", "Roe, Jane"),
    ("Dr. John Doe", "Dr. Jane Roe"),
    ("Maria de la Cruz", "Jose de Souza"),
    ("Li_Wei", "Wu Fang"),
]
#: Names that name nobody: EDF+'s "X", empty, de-identification and devices' defaults, initials.
PLACEHOLDERS = ["X", "", "   ", "anonymous", "Anonymous Patient", "[redacted]", "J.D.", "JD",
                "user", "user2", "shhs1-200001", "Patient 1", "xxx",
                "No_Name", "Unnamed", "Not available", "Forename Surname"]  # fmt: skip
# ("No_Name" is what a Nihon Kohden export writes: /work/shared/data/edge_cases/mne_chtypes_edf.edf)


@pytest.mark.parametrize(("header", "context"), SAME)
def test_one_person_written_differently_is_the_same_person(header: str, context: str) -> None:
    assert same_person(header, context) is True
    assert same_person(context, header) is True


@pytest.mark.parametrize(("header", "context"), OTHER)
def test_names_without_a_word_in_common_are_other_people(header: str, context: str) -> None:
    assert same_person(header, context) is False


@pytest.mark.parametrize("placeholder", PLACEHOLDERS)
def test_a_placeholder_names_nobody(placeholder: str) -> None:
    assert name_words(placeholder) is None
    assert same_person(placeholder, "Jane Roe") is None


def _qualifying_night(header_name: str | None) -> tuple[dict[str, object], FilePatient]:
    """A night that qualifies the base context, its header giving ``header_name`` only."""
    return {"t_le88_min": 30.0, "nadir_pct": 84.0}, FilePatient(name=header_name)


@pytest.mark.parametrize(("header", "context"), SAME)
def test_the_same_person_written_differently_still_qualifies(header: str, context: str) -> None:
    figures, fp = _qualifying_night(header)
    ev = dataclasses.replace(overnight(**figures), file_patient=fp)
    d = evaluate(ctx(patient__name=context), ev)
    assert d.conflicts == ()
    assert d.determination == "qualified"


@pytest.mark.parametrize(("header", "context"), OTHER)
def test_another_persons_name_is_a_conflict_that_shows_neither(header: str, context: str) -> None:
    figures, fp = _qualifying_night(header)
    ev = dataclasses.replace(overnight(**figures), file_patient=fp)
    assert evaluate(ctx(), ev).determination == "qualified"  # the night qualifies without a name
    d = evaluate(ctx(patient__name=context), ev)
    assert d.determination == "indeterminate"
    (c,) = d.conflicts
    assert c.keys == ("patient.name", "recording.patient")
    shown = json.dumps(d.to_dict())
    words = {*(name_words(header) or ()), *(name_words(context) or ())}
    for word in [w for w in words if len(w) >= 4]:  # ("li" is in "applies")
        assert word not in shown.lower(), word


@pytest.mark.parametrize("placeholder", [*PLACEHOLDERS, None])
def test_a_placeholder_on_either_side_is_no_conflict(placeholder: str | None) -> None:
    figures, fp = _qualifying_night(placeholder)
    ev = dataclasses.replace(overnight(**figures), file_patient=fp)
    assert evaluate(ctx(patient__name="Jane Roe"), ev).determination == "qualified"
    named = dataclasses.replace(ev, file_patient=FilePatient(name="Doe_John"))
    if placeholder is not None and placeholder.strip():
        assert evaluate(ctx(patient__name=placeholder), named).determination == "qualified"


def test_the_recorded_finding_stands_for_the_name() -> None:
    """A summary's context holds no name, only whether it named the header's person: read back
    (``oxi verify``), false is the same conflict, true and absent are none."""
    figures, fp = _qualifying_night("Doe_John")
    ev = dataclasses.replace(overnight(**figures), file_patient=fp)
    c = ctx(patient__name="Roe, Jane")
    recorded = c.to_dict(test_date=dt.date(2026, 11, 20), recording_name="Doe_John")
    assert recorded["patient"]["name_matches_recording"] is False
    assert "Roe" not in json.dumps(recorded) and "Doe" not in json.dumps(recorded)
    assert evaluate(ctx(patient__name_matches_recording=False), ev).determination == (
        "indeterminate"
    )
    assert evaluate(ctx(patient__name_matches_recording=True), ev).determination == "qualified"
    # a name given beside a recorded finding: the names decide
    same = ctx(patient__name="John Doe", patient__name_matches_recording=False)
    assert evaluate(same, ev).determination == "qualified"


# --- end to end: oxi analyze, verify, qualify --summary -----------------------------------------

HEADER_NAME, OTHER_NAME = "Quokkaman_Zyxwv", "Roe, Jane"


def _night_of(tmp_path: Path) -> Path:
    """A qualifying night whose EDF+ header names a man of 77 (no sex in the contexts below)."""
    rec, _ = simulate_night(
        fs=1, duration_s=7 * 3600, seed=4, baseline_pct=95, noise_pts=0.4,
        sustained_drops=[(7200, 540, 86)], start=dt.datetime(2026, 11, 20, 22, 0),
        patient=PatientInfo(name=HEADER_NAME, birth_date=dt.date(1949, 7, 13)),
    )  # fmt: skip
    return write_edf(rec, tmp_path / "night.edf")


def _context(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name.split(',')[0].lower()}.yaml"
    path.write_text(OVERNIGHT_YAML.replace("{age_years: 70}", f"{{age_years: 77, name: '{name}'}}"))
    return path


@pytest.mark.parametrize("deidentify", [False, True])
def test_another_persons_night_is_held_open_and_still_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], deidentify: bool
) -> None:
    edf = _night_of(tmp_path)
    hers = _context(tmp_path, OTHER_NAME)
    his = _context(tmp_path, "Zyxwv Quokkaman")
    more = ["--deidentify"] if deidentify else []
    dets = {}
    for who, context in (("hers", hers), ("his", his)):
        out = tmp_path / who
        assert main(["analyze", str(edf), "--context", str(context), "--out", str(out),
                     "--no-report", *more]) == 0  # fmt: skip
        dets[who] = json.loads((out / "summary.json").read_text())
    printed = capsys.readouterr()
    assert dets["his"]["qualification"]["determination"] == "qualified"
    q = dets["hers"]["qualification"]
    assert q["determination"] == "indeterminate"
    assert [c["keys"] for c in q["conflicts"]] == [["patient.name", "recording.patient"]]
    assert dets["hers"]["context"]["patient"]["name_matches_recording"] is False
    if deidentify:  # the comparison was made, and neither name reached an output
        text = (json.dumps(dets) + printed.out + printed.err).lower()
        assert "quokkaman" not in text and "jane" not in text
    # a reviewer recomputes it from the summary alone, or with the lab's context file
    for out in ("hers", "his"):
        summary = str(tmp_path / out / "summary.json")
        assert main(["verify", summary, str(edf)]) == 0, capsys.readouterr().out
        context = str(hers if out == "hers" else his)
        assert main(["verify", "--context", context, summary, str(edf)]) == 0
    capsys.readouterr()
    # oxi qualify --summary: the header's name (not de-identified) or the recorded finding
    summary = str(tmp_path / "hers" / "summary.json")
    assert main(["qualify", "--summary", summary, "--context", str(hers)]) == 0
    assert "INDETERMINATE" in capsys.readouterr().out


@pytest.mark.parametrize(("field", "determination"), [
    ("Quokkaman Zyxwv born 1949", "indeterminate"),  # his night, her context
    ("Jane Roe female COPD", "qualified"),  # her own night (no false conflict)
])  # fmt: skip
def test_a_plain_bdf_free_text_patient_field_is_the_name_compared(
    tmp_path: Path, field: str, determination: str
) -> None:
    """A plain BDF (BioSemi's 24 bits, no EDF+) holds free text in its patient field, as a plain
    EDF does: split as EDF+ subfields, "Quokkaman Zyxwv born 1949" gave the name "1949", no
    conflict with the context's "Roe, Jane", and another person's night qualified; her own
    "Jane Roe female COPD" gave "COPD", a conflict."""
    rec, _ = simulate_night(
        fs=1, duration_s=7 * 3600, seed=4, baseline_pct=95, noise_pts=0.4,
        sustained_drops=[(7200, 540, 86)], start=dt.datetime(2026, 11, 20, 22, 0),
    )  # fmt: skip
    digital = np.round(np.nan_to_num(rec.spo2.data, nan=0.0) * 100).astype(np.int64)
    spo2 = RawSig("SpO2", "%", 1, digital.reshape(-1, 1), dmin=0, dmax=10000)
    spec = RawEdf([spo2], reserved="", bdf=True, patient=field, recording="overnight oximetry",
                  start=rec.start)  # fmt: skip
    bdf = write_edf_raw(tmp_path / "night.bdf", spec)
    out = tmp_path / "out"
    context = _context(tmp_path, OTHER_NAME)
    assert main(["analyze", str(bdf), "--context", str(context), "--out", str(out),
                 "--no-report"]) == 0  # fmt: skip
    summary = json.loads((out / "summary.json").read_text())
    assert summary["input"]["format"] == "bdf"
    assert summary["patient"]["name"] == field
    q = summary["qualification"]
    assert q["determination"] == determination
    assert [c["keys"] for c in q["conflicts"]] == (
        [["patient.name", "recording.patient"]] if determination == "indeterminate" else []
    )
