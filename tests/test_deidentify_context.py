"""``--deidentify`` and the clinical context's free text (SPEC §10).

The context's ``patient.name``, ``member_id`` and ``birth_date`` never reach a de-identified
output as fields; but a clinician's interpretation or a facility may quote them, and the
context's free text went into summary.json and page 1 of report.pdf as typed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from oxi.cli import main
from oximetry.simulate import simulate_night, write_edf

PDFTOTEXT = shutil.which("pdftotext")

_CONTEXT = """\
payer: masshealth
patient: {name: "Quimby, Harriet", member_id: "MH-77120", birth_date: 1950-02-03}
test: {type: overnight, room_air: true, setting: outpatient, chronic_stable_state: true,
       facility: "Harriet Quimby residence", device: "oximeter lent to H. Quimby"}
order: {practitioner: "Dr. Ada Lovelace for harriet quimby"}
diagnoses: [J44.9]
interpretation:
  practitioner: "Dr. Ada Lovelace"
  text: "Quimby, Harriet (MH-77120, DOB 1950-02-03, 02/03/1950) desaturates during sleep.
    Also written 2/3/1950, 2/3/50, February 3, 1950 and 3 Feb 1950; member MH77120."
"""
_IDENTIFIERS = ("Quimby", "Harriet", "MH-77120", "1950-02-03", "02/03/1950")
#: The same birth date and member ID as people also type them (fifth review: the unpadded US
#: spelling, the month's name and the ID without its hyphen were left in).
_SPELLINGS = ("2/3/1950", "2/3/50", "February 3, 1950", "3 Feb 1950", "MH77120")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, Path]:
    tmp = tmp_path_factory.mktemp("deid-context")
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=3)
    edf = write_edf(rec, tmp / "night.edf")
    ctx = tmp / "context.yaml"
    ctx.write_text(_CONTEXT)
    deid, ident = tmp / "deid", tmp / "ident"
    base = ["analyze", str(edf), "--context", str(ctx), "--out"]
    assert main([*base, str(deid), "--deidentify"]) == 0
    assert main([*base, str(ident)]) == 0
    return edf, ctx, deid, ident


def _texts(folder: Path) -> dict[str, str]:
    out = {n: (folder / n).read_text(encoding="utf-8") for n in ("summary.json", "events.csv")}
    if PDFTOTEXT is not None:
        pdf = subprocess.run(
            [PDFTOTEXT, str(folder / "report.pdf"), "-"], capture_output=True, text=True, check=True
        )
        out["report.pdf"] = pdf.stdout
    return out


def test_context_free_text_quoting_the_patient_is_scrubbed_when_deidentifying(
    made: tuple[Path, Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Name (either order, any case), member ID and birth date typed into the interpretation,
    the facility, the device or the practitioner were written to the de-identified summary (the
    context block and the rules' values) and report."""
    _, _, deid, _ = made
    capsys.readouterr()
    for name, text in _texts(deid).items():
        for ident in (*_IDENTIFIERS, *_SPELLINGS):
            assert ident.lower() not in text.lower(), (name, ident)
    summary = (deid / "summary.json").read_text(encoding="utf-8")
    assert "[redacted] residence" in summary and "desaturates during sleep" in summary
    assert "Dr. Ada Lovelace" in summary  # the practitioner is not the patient


def test_identified_outputs_keep_the_text_as_typed(made: tuple[Path, Path, Path, Path]) -> None:
    _, _, _, ident = made
    summary = (ident / "summary.json").read_text(encoding="utf-8")
    assert "Harriet Quimby residence" in summary and "MH-77120, DOB 1950-02-03" in summary


def test_scrubbed_context_verifies_with_and_without_its_file(
    made: tuple[Path, Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The reviewer's recomputation scrubs the same way (with --context, the file's identifiers)."""
    edf, ctx, deid, _ = made
    assert main(["verify", str(deid / "summary.json"), str(edf)]) == 0
    assert main(["verify", str(deid / "summary.json"), str(edf), "--context", str(ctx)]) == 0
    out = capsys.readouterr().out
    assert "Quimby" not in out


def test_the_rules_warnings_are_scrubbed_like_the_summarys(tmp_path: Path) -> None:
    """The determination repeats the recording's warnings (its evidence): summary.warnings was
    scrubbed, qualification.warnings kept a warning quoting the file name and the patient."""
    import json

    from oximetry.report import write_outputs
    from tests import report_data as rd
    from tests.test_deidentify import _hand_built

    analysis = _hand_built()
    warnings = [*analysis.recording.warnings, *analysis.warnings]  # as analyze() gives them
    qualification = {**rd.QUALIFICATION, "warnings": warnings}
    paths = write_outputs(
        analysis, tmp_path, qualification=qualification, deidentify=True, report=False
    )
    summary = json.loads(paths["summary"].read_text())
    scrubbed = "[redacted]: a daylight-saving change at 02:00 ([redacted])"
    assert summary["qualification"]["warnings"][0] == scrubbed
    assert summary["qualification"]["warnings"] == summary["warnings"]


_SPELLED_CONTEXT = """\
payer: masshealth
patient: {name: "Doe, Jane", member_id: "QZ-9988776", sex: F, birth_date: 1949-07-13}
test: {type: overnight, room_air: true, setting: outpatient, chronic_stable_state: true,
       facility: "JANEDOE home", device: "lent to member QZ.9988776"}
order: {practitioner: "Dr. A. Jones"}
diagnoses: [J44.9]
interpretation:
  practitioner: "Dr. A. Jones"
  text: "Member QZ 9988776 (Mrs JaneDoe, DOB Jul. 13, 1949 / 13JUL1949 / July 13th, 1949)
    desaturates in sleep."
"""


def test_identifiers_spelled_otherwise_are_scrubbed_from_summary_and_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Hunt 12: the ID with a space or a dot for its hyphen, the birth date as "Jul. 13, 1949",
    "13JUL1949" or "July 13th, 1949" and the name run together were written to the PDF's
    interpretation box and summary.json as typed; the summary so scrubbed still verifies."""
    import json

    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=3)
    edf = write_edf(rec, tmp_path / "night.edf")
    ctx = tmp_path / "context.yaml"
    ctx.write_text(_SPELLED_CONTEXT)
    out = tmp_path / "deid"
    assert (
        main(["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--deidentify"]) == 0
    )
    context = json.loads((out / "summary.json").read_text(encoding="utf-8"))["context"]
    r = "[redacted]"
    assert context["interpretation"]["text"] == (
        f"Member {r} (Mrs {r}, DOB {r} / {r} / {r}) desaturates in sleep."
    )
    assert context["test"]["facility"] == f"{r} home"
    assert context["test"]["device"] == f"lent to member {r}"
    leaks = ("9988776", "JaneDoe", "1949", "13JUL", "July 13")
    for name, text in _texts(out).items():
        for leak in leaks:
            assert leak.lower() not in text.lower(), (name, leak)
    if PDFTOTEXT is not None:
        assert f"Member {r} (Mrs {r}, DOB {r}" in " ".join(_texts(out)["report.pdf"].split())
    capsys.readouterr()
    assert main(["verify", str(out / "summary.json"), str(edf)]) == 0
    assert main(["verify", str(out / "summary.json"), str(edf), "--context", str(ctx)]) == 0
