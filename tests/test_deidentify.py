"""--deidentify: no patient name, code, birth date or input file name in any output (SPEC §10).

Every output is searched: summary.json, events.csv, the PDF's extracted text (pdftotext, not the
compressed bytes) and trace.png's metadata. A positive control runs the same search on the
identified outputs, so the search itself is shown to find what it looks for.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess

import pytest

from oximetry.model import Annotation, PatientInfo
from oximetry.report import write_outputs
from tests import report_data as rd
from tests.test_report_pdf import png_text_chunks

PDFTOTEXT = shutil.which("pdftotext")
FILE_STEM = "Quokkaman_MRN7731_night"
NAME, CODE, BIRTH = "Zyxwv_Quokkaman", "MRN-7731-QX", dt.date(1951, 3, 14)
NEEDLES = (NAME, "Quokkaman", CODE, "1951-03-14", "14-MAR-1951", "14.03.51", FILE_STEM)


def _all_output_text(paths) -> str:
    parts = [paths["summary"].read_text(), paths["events"].read_text()]
    if "trace" in paths:
        parts.append(json.dumps(png_text_chunks(paths["trace"].read_bytes())))
    if "report" in paths and PDFTOTEXT is not None:
        out = subprocess.run(
            [PDFTOTEXT, "-layout", str(paths["report"]), "-"], capture_output=True, check=True
        )
        parts.append(out.stdout.decode("utf-8", "replace"))
        info = subprocess.run(["pdfinfo", str(paths["report"])], capture_output=True, check=False)
        parts.append(info.stdout.decode("utf-8", "replace"))
    return "\n".join(parts)


def _found(text: str) -> list[str]:
    low = text.lower()
    return [n for n in NEEDLES if n.lower() in low]


def _hand_built():
    return rd.make_analysis(
        path=f"/clinic/uploads/{FILE_STEM}.edf",
        patient=PatientInfo(name=NAME, code=CODE, sex="F", birth_date=BIRTH),
        warnings=(f"{FILE_STEM}.edf: a daylight-saving change at 02:00 ({NAME})",),
    )


def test_identified_outputs_do_name_the_patient(tmp_path):
    # Positive control: the search finds the identifiers when they are meant to be there.
    paths = write_outputs(_hand_built(), tmp_path, qualification=rd.QUALIFICATION)
    found = _found(_all_output_text(paths))
    assert NAME in found and CODE in found and "1951-03-14" in found


def test_deidentified_outputs_hold_no_identifier(tmp_path):
    paths = write_outputs(_hand_built(), tmp_path, qualification=rd.QUALIFICATION, deidentify=True)
    text = _all_output_text(paths)
    assert _found(text) == []
    summary = json.loads(paths["summary"].read_text())
    assert summary["input"]["path"] == summary["input"]["sha256"]
    assert summary["patient"] == {"age_years": 75, "age_capped": False, "sex": "F"}
    if PDFTOTEXT is not None:
        assert "DE-IDENTIFIED" in text and "Age at test: 75 years" in text
        assert "2026-11-20" in text  # study dates are kept


def test_scored_event_labels_are_scrubbed(tmp_path):
    from oximetry.results import Event

    a = _hand_built()
    ev = Event("scored", 100.0, 110.0, label=f"Desaturation (tech note: {NAME})")
    a2 = type(a)(a.recording, a.settings, a.artifact, a.windows, a.metrics, (*a.events, ev))
    paths = write_outputs(a2, tmp_path, deidentify=True, report=False)
    assert _found(paths["events"].read_text()) == []
    assert "Desaturation (tech note: [redacted])" in paths["events"].read_text()


@pytest.mark.slow
def test_end_to_end_from_an_edf_header(tmp_path, monkeypatch, capsys):
    try:
        from criteria.evaluate import evaluate  # noqa: F401
        from oxi.pipeline import AnalyzeRequest, analyze_file
        from oximetry.analysis import analyze  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"pipeline not available yet: {exc}")
    from oximetry.simulate import simulate_night, write_edf

    rec, _ = simulate_night(
        fs=1.0,
        duration_s=2.5 * 3600,
        seed=11,
        desaturations=10,
        sustained_drops=[(3600.0, 400.0, 86.0)],
        patient=PatientInfo(name=NAME, code=CODE, sex="F", birth_date=BIRTH),
        annotations=(Annotation(500.0, 20.0, "Desaturation"),),
    )
    edf = write_edf(rec, tmp_path / f"{FILE_STEM}.edf")
    # The header does hold the identifiers (otherwise this test could not fail).
    assert NAME.encode() in edf.read_bytes()[:256] and CODE.encode() in edf.read_bytes()[:256]
    outcome = analyze_file(edf, AnalyzeRequest(deidentify=True), out_dir=tmp_path / "out")
    assert set(outcome.paths) == {"summary", "events", "report", "trace"}
    assert _found(_all_output_text(outcome.paths)) == []
    assert _found(json.dumps(outcome.summary)) == []
    # The command line too: what it prints, and the default output folder's name.
    from oxi.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["analyze", str(edf), "--deidentify"]) == 0
    printed = capsys.readouterr()
    assert _found(printed.out + printed.err) == []
    (folder,) = (tmp_path / "oxi-out").iterdir()
    assert _found(folder.name) == []
    paths = {p.stem: p for p in folder.iterdir()}
    assert set(paths) == {"summary", "events", "report", "trace"}
    assert _found(_all_output_text(paths)) == []


def test_a_folder_without_out_is_named_by_its_first_file_hash(tmp_path, monkeypatch, capsys):
    # `oxi analyze night/ --deidentify` without --out failed: the default folder was named by
    # the sha256 of the folder itself ("cannot read the file (Is a directory)")
    import hashlib

    from oxi.cli import main
    from oximetry.simulate import simulate_night, write_edf

    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=4)
    night = tmp_path / f"{FILE_STEM}_folder"
    night.mkdir()
    edf = write_edf(rec, night / f"{FILE_STEM}.edf")
    monkeypatch.chdir(tmp_path)
    assert main(["analyze", str(night), "--deidentify", "--no-report"]) == 0
    assert _found(capsys.readouterr().out) == []
    (folder,) = (tmp_path / "oxi-out").iterdir()
    assert folder.name == hashlib.sha256(edf.read_bytes()).hexdigest()[:16]
    # a night of two files is not named by its first file: `oxi analyze night/` replaced the
    # outputs of `oxi analyze night/first.edf`
    later, _ = simulate_night(
        fs=1.0, duration_s=3600, seed=5, start=rec.start + dt.timedelta(hours=2)
    )
    write_edf(later, night / f"{FILE_STEM}_2.edf")
    assert main(["analyze", str(night), "--deidentify", "--no-report"]) == 0
    assert len(list((tmp_path / "oxi-out").iterdir())) == 2


# --- free text in EDF+ annotations, in the spellings people type (issue 11) -------------------

VARIANTS = [
    "Obstructive apnea QuokkamanZyxwv",  # name without separators
    "Hypopnea - Zyxwv Quokkaman called nurse",
    "Desaturation 1951-03-14",  # dates in three formats
    "Arousal 03/14/1951",
    "central apnea 14.03.1951",
    "Limb movement MRN7731QX",  # record number without dashes ...
    "Snore MRN-7731-QX",  # ... and with
    "Tech note: patient Quokkaman fidgety",  # a note: dropped whole
    "Lights off by Zyxwv",
]
VARIANT_NEEDLES = (
    "quokkaman", "zyxwv", "1951", "03/14", "14.03", "7731", "nurse", "fidgety", "tech note",
)  # fmt: skip


def _variant_edf(tmp_path):
    import numpy as np

    from tests.io_fixtures import write_edf_pyedflib

    n = 3 * 3600
    spo2 = np.full(n, 95.0)
    spo2[4000:4500] = 86.0
    notes = [(600.0 + 700.0 * i, 20.0, text) for i, text in enumerate(VARIANTS)]
    notes += [(0.0, 1800.0, "Sleep stage W"), (1800.0, 9000.0, "Sleep stage N2")]
    return write_edf_pyedflib(
        tmp_path / "night.edf",
        [("SpO2", "%", 1, spo2), ("Pulse", "bpm", 1, np.full(n, 60.0))],
        annotations=notes,
        patient_name="Zyxwv_Quokkaman",
        patient_code="MRN-7731-QX",
        birthdate=dt.date(1951, 3, 14),
    )


def test_annotation_free_text_never_reaches_a_deidentified_output(tmp_path):
    from oxi.cli import main

    edf = _variant_edf(tmp_path)
    assert main(["analyze", str(edf), "--out", str(tmp_path / "plain")]) == 0
    assert main(["analyze", str(edf), "--out", str(tmp_path / "deid"), "--deidentify"]) == 0
    names = {"summary": "summary.json", "events": "events.csv", "report": "report.pdf",
             "trace": "trace.png"}  # fmt: skip
    plain = _all_output_text({k: tmp_path / "plain" / v for k, v in names.items()}).lower()
    assert "quokkamanzyxwv" in plain and "mrn7731qx" in plain  # positive control
    text = _all_output_text({k: tmp_path / "deid" / v for k, v in names.items()}).lower()
    assert [n for n in VARIANT_NEEDLES if n in text] == []
    events = (tmp_path / "deid" / "events.csv").read_text()
    labels = [line.split(",") for line in events.splitlines() if line.startswith("scored,")]
    kinds = {row[-1] for row in labels} | {row[-2] for row in labels}
    for kind in ("obstructive apnea", "hypopnea", "desaturation", "arousal", "central apnea",
                 "limb movement", "snore"):  # fmt: skip
        assert kind in kinds, (kind, events)
    # the scoring vocabulary still stages the night and marks lights off
    s = json.loads((tmp_path / "deid" / "summary.json").read_text())
    assert s["main_window"] == "sleep"
    assert s["metrics"] == json.loads((tmp_path / "plain" / "summary.json").read_text())["metrics"]


def test_deidentified_batch_error_rows_quote_nothing(tmp_path):
    from oxi.batch import run_batch
    from oxi.pipeline import AnalyzeRequest

    bad = tmp_path / "in" / "x.csv"
    bad.parent.mkdir()
    bad.write_text("Time,SpO2\nZyxwv Quokkaman,95\n12:00:01,96\n")
    request = AnalyzeRequest(report=False, deidentify=True)
    result = run_batch([str(bad)], tmp_path / "out", request=request, progress=False)
    (row,) = result.rows
    assert row.values["status"] == "error" and "line 2" in row.values["error"]
    assert "quokkaman" not in json.dumps(row.values).lower()
    plain = run_batch([str(bad)], tmp_path / "out2", request=AnalyzeRequest(report=False))
    assert "Quokkaman" in plain.rows[0].values["error"]  # positive control


def test_channel_labels_are_scrubbed(tmp_path):
    # A recorder lets the technician type the channel labels; one that holds the patient's name
    # must not carry it into a de-identified summary.
    import dataclasses

    from oximetry.model import Signal

    a = _hand_built()
    rec = a.recording
    spo2 = Signal(f"SpO2 {NAME}", "%", rec.spo2.fs, rec.spo2.data)
    assert rec.pulse is not None
    pulse = Signal(f"Pulse {CODE}", "bpm", rec.pulse.fs, rec.pulse.data)
    source = dataclasses.replace(rec.source, spo2_channel=spo2.label)
    rec2 = dataclasses.replace(rec, spo2=spo2, pulse=pulse, source=source)
    a2 = type(a)(rec2, a.settings, a.artifact, a.windows, a.metrics, a.events)
    plain = write_outputs(a2, tmp_path / "plain", report=False)
    assert NAME in plain["summary"].read_text() and CODE in plain["summary"].read_text()
    paths = write_outputs(a2, tmp_path / "deid", deidentify=True, report=False)
    assert _found(paths["summary"].read_text()) == []
    summary = json.loads(paths["summary"].read_text())
    assert summary["input"]["channel"] == "SpO2 [redacted]"
    assert summary["input"]["pulse_channel"] == "Pulse [redacted]"


def test_the_contexts_patient_is_scrubbed_from_the_device_and_channel_labels(
    tmp_path, monkeypatch, capsys
):
    """A header without a name, a device field and an SpO2 channel label typed with the
    patient's name and member ID, and the patient named by the context alone: the summary,
    page 1, trace.png's title and the terminal quoted "Quokkaman MRN-7731-QX Oxi" and "SpO2
    Quokkaman", since only the header's identifiers were scrubbed from them (hunt 15).
    ``oxi verify --context`` (the lab's file) verifies the summary."""
    import dataclasses

    from oxi.cli import main
    from oxi.pipeline import AnalyzeRequest, analyze_file
    from oxi.verify import verify
    from oximetry.simulate import simulate_night, write_edf

    rec, _ = simulate_night(fs=1.0, duration_s=2.5 * 3600, seed=11, desaturations=10)
    assert not rec.patient.identifiers()
    rec = dataclasses.replace(
        rec,
        source=dataclasses.replace(rec.source, device=f"Quokkaman {CODE} Oxi"),
        spo2=dataclasses.replace(rec.spo2, label="SpO2 Quokkaman"),
    )
    edf = write_edf(rec, tmp_path / "n.edf")
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(
        f'patient: {{name: "{NAME}", member_id: "{CODE}", birth_date: {BIRTH.isoformat()}}}\n'
        "test: {type: overnight}\n"
    )
    req = AnalyzeRequest(context_path=str(ctx), deidentify=True)
    outcome = analyze_file(edf, req, out_dir=tmp_path / "out")
    assert _found(_all_output_text(outcome.paths)) == []
    summary = json.loads(outcome.paths["summary"].read_text())
    assert summary["input"]["device"] == "[redacted] [redacted] Oxi"
    assert summary["input"]["channel"] == "SpO2 [redacted]"
    assert verify(outcome.paths["summary"], edf, context_path=ctx) == []
    monkeypatch.chdir(tmp_path)
    assert main(["analyze", str(edf), "--context", str(ctx), "--deidentify", "--no-report"]) == 0
    printed = capsys.readouterr()
    assert "SpO2 [redacted]" in printed.out
    assert _found(printed.out + printed.err) == []


def test_the_terminal_never_prints_the_contexts_patient_from_a_channel_label(
    tmp_path, monkeypatch, capsys
):
    """Without --deidentify as well: the terminal is a log (SPEC §10), and an SpO2 channel
    labelled with the name the context gives (the header names no one) was printed as "channel
    SpO2 Quokkaman" by oxi analyze and oxi qualify --summary (hunt 15)."""
    import dataclasses

    from oxi.cli import main
    from oximetry.simulate import simulate_night, write_edf

    rec, _ = simulate_night(fs=1.0, duration_s=2.5 * 3600, seed=11, desaturations=10)
    rec = dataclasses.replace(rec, spo2=dataclasses.replace(rec.spo2, label="SpO2 Quokkaman"))
    edf = write_edf(rec, tmp_path / "n.edf")
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(f'patient: {{name: "{NAME}", member_id: "{CODE}"}}\ntest: {{type: overnight}}\n')
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    assert main(["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--no-report"]) == 0
    summary = str(out / "summary.json")
    assert main(["qualify", "--context", str(ctx), "--summary", summary]) == 0
    printed = capsys.readouterr()
    assert printed.out.count("channel SpO2 [redacted] at 1 Hz") == 2
    assert _found(printed.out + printed.err) == []


def test_the_contexts_patient_is_scrubbed_from_the_labels_a_warning_quotes(tmp_path):
    """Beside a context naming "Zyxwv_Quokkaman May", a de-identified summary's channel read
    "SpO2 [redacted] 1" but its warnings (and qualification.warnings, and report.pdf's list)
    quoted "column 'SpO2 Quokkaman 1': 11 cell(s) that are not numbers ..." and "pulse-rate
    channel 'Pulse 2' is another device's than SpO2 channel 'SpO2 Quokkaman 1'" whole: only the
    header's identifiers were scrubbed from them (review of hunt 15). oxi's own words keep the
    context's name part that is a word ("may include time awake")."""
    from oxi.pipeline import AnalyzeRequest, analyze_file
    from oxi.verify import verify

    t0 = dt.datetime(2026, 3, 5, 22)
    rows = [
        f"{t0 + dt.timedelta(seconds=k):%Y-%m-%d %H:%M:%S},{'err' if k % 1000 == 0 else 95},70"
        for k in range(3 * 3600)
    ]
    csv = tmp_path / "n.csv"
    csv.write_text("time,SpO2 Quokkaman 1,Pulse 2\n" + "\n".join(rows) + "\n")
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(
        f'patient: {{name: "{NAME} May", member_id: "{CODE}", birth_date: {BIRTH.isoformat()}}}\n'
        "test: {type: overnight}\n"
    )
    req = AnalyzeRequest(context_path=str(ctx), deidentify=True)
    outcome = analyze_file(csv, req, out_dir=tmp_path / "out")
    assert _found(_all_output_text(outcome.paths)) == []
    summary = json.loads(outcome.paths["summary"].read_text())
    warnings = summary["warnings"]
    assert "column 'SpO2 [redacted] 1': 11 cell(s) that are not numbers were read as missing" in (
        warnings
    )
    assert any("device's than SpO2 channel 'SpO2 [redacted] 1'" in w for w in warnings)
    assert set(warnings) <= set(summary["qualification"]["warnings"])
    assert any("which may include time awake" in w for w in warnings)
    assert verify(outcome.paths["summary"], csv, context_path=ctx) == []


def test_the_terminal_never_prints_the_headers_patient_from_a_channel_label(
    tmp_path, monkeypatch, capsys
):
    """Without --deidentify: the terminal is a log (SPEC §10), and an SpO2 channel labelled
    with the name the recording's header gives was printed whole by oxi analyze ("channel SpO2
    Quokkaman"), oxi info (its channel list and selection) and the error asking for --channel
    ("several SpO2 channels ('SpO2 Quokkaman', 'SaO2 MRN-7731-QX')"), where the device field
    was "[redacted]" (hunt 16). summary.json keeps the label as read, beside the name."""
    from oxi.cli import main
    from tests.io_fixtures import RawEdf, const_sig, write_edf_raw

    patient = f"{CODE} F 14-MAR-1951 {NAME}"
    one = write_edf_raw(
        tmp_path / "one.edf",
        RawEdf([const_sig("SpO2 Quokkaman", "%", 95, 3600)], patient=patient),
    )
    two = write_edf_raw(
        tmp_path / "two.edf",
        RawEdf(
            [const_sig("SpO2 Quokkaman", "%", 95, 60), const_sig(f"SaO2 {CODE}", "%", 95, 60)],
            patient=patient,
        ),
    )
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    assert main(["analyze", str(one), "--out", str(out), "--no-report"]) == 0
    assert main(["info", str(one)]) == 0
    assert main(["info", str(two)]) == 0
    assert main(["analyze", str(two), "--out", str(tmp_path / "out2"), "--no-report"]) == 2
    printed = capsys.readouterr()
    assert "channel SpO2 [redacted] at 1 Hz" in printed.out
    assert "several SpO2 channels ('SpO2 [redacted]', 'SaO2 [redacted]')" in printed.err
    assert _found(printed.out + printed.err) == []
    assert json.loads((out / "summary.json").read_text())["input"]["channel"] == "SpO2 Quokkaman"


def test_oxi_qualify_never_prints_the_patient_from_the_orders_practitioner(
    tmp_path, monkeypatch, capsys
):
    """oxi qualify on a context alone prints the order's line with its practitioner, free text
    that may quote the patient: "Dr Roe for Zyxwv Quokkaman" was printed whole beside a context
    naming the patient so (hunt 16). qualification.json keeps the context as given."""
    from oxi.cli import main

    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(
        f'patient: {{name: "{NAME}", member_id: "{CODE}"}}\n'
        "test: {type: overnight, date: 2026-01-05}\n"
        'order: {date: 2026-01-10, practitioner: "Dr Roe for Zyxwv Quokkaman"}\n'
    )
    monkeypatch.chdir(tmp_path)
    assert main(["qualify", "--context", str(ctx), "--out", "q", "--no-report"]) == 0
    printed = capsys.readouterr()
    assert "(Dr Roe for [redacted])" in printed.out
    assert _found(printed.out + printed.err) == []
    assert "Quokkaman" in (tmp_path / "q" / "qualification.json").read_text()
