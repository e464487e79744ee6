"""What ``oxi verify`` and ``oxi info`` print never names the patient (SPEC §10: logs never
contain patient identifiers), even for a summary that is not de-identified."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from oxi.cli import main
from oximetry.model import PatientInfo
from oximetry.simulate import simulate_night, write_edf

PATIENT = PatientInfo(
    name="Quackenbush_Zebulon", code="QZ-9988776", birth_date=dt.date(1949, 7, 13)
)
SPELLINGS = ("Quackenbush", "Zebulon", "QZ-9988776", "1949-07-13", "13-JUL-1949")


def _edf(path: Path, seed: int, device: str = "Nonin Zebulon") -> Path:
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=seed, patient=PATIENT)
    source = dataclasses.replace(rec.source, device=device)
    return write_edf(dataclasses.replace(rec, source=source), path)


def test_verify_says_a_patient_field_differs_without_printing_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A summary checked against another recording: every patient field differs, and the
    reviewer is told which, never what (fifth review: name, code and birth date were printed)."""
    a = _edf(tmp_path / "a.edf", seed=1)
    other, _ = simulate_night(fs=1.0, duration_s=3600, seed=2)
    b = write_edf(other, tmp_path / "b.edf")
    assert main(["analyze", str(a), "--no-report", "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    assert main(["verify", str(tmp_path / "out" / "summary.json"), str(b)]) == 1
    printed = capsys.readouterr()
    text = printed.out + printed.err
    assert "patient.name: differs (not shown" in text
    for spelling in SPELLINGS:
        assert spelling.lower() not in text.lower(), spelling


def test_info_redacts_the_patient_in_the_device_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["info", str(_edf(tmp_path / "a.edf", seed=1))]) == 0
    text = capsys.readouterr().out
    assert "device:     Nonin [redacted]" in text
    for spelling in SPELLINGS:
        assert spelling.lower() not in text.lower(), spelling


def test_a_de_identified_summary_verifies_whatever_the_recording_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its context's free text was scrubbed when the summary was made. verify scrubbed it again
    by the name the reviewer gave the file: named night.edf, "one night" in the interpretation
    became "one [redacted]", and a genuine submission did not verify."""
    import shutil

    root = Path(__file__).resolve().parents[1]
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(
        (root / "data" / "example-context.yaml").read_text()
        + 'interpretation:\n  text: "Recording of one night; the night meets the criteria."\n'
    )
    edf = tmp_path / "Quokkaman_2026-01-05.edf"
    shutil.copy(root / "data" / "example-night.edf", edf)
    out = tmp_path / "out"
    args = ["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--deidentify"]
    assert main([*args, "--no-report"]) == 0
    renamed = tmp_path / "night.edf"
    shutil.copy(edf, renamed)
    capsys.readouterr()
    assert main(["verify", str(out / "summary.json"), str(renamed)]) == 0, capsys.readouterr()


def _free_text_context(path: Path, said: str) -> Path:
    """The example context with a clinician's free text naming the patient everywhere."""
    root = Path(__file__).resolve().parents[1]
    text = (root / "data" / "example-context.yaml").read_text()
    text = text.replace(
        '"Example Sleep Testing Facility (fictional)"', f'"Lab of Quackenbush {said}"'
    )
    text = text.replace('"oxi simulator"', f'"Nonin for QZ-9988776 {said}"')
    text = text.replace('"Dr. Fictional Orderer"', f'"Dr. Zebulon {said}"')
    text += (
        "interpretation:\n"
        f'  practitioner: "Dr. Quackenbush {said}"\n'
        f'  text: "Zebulon Quackenbush (QZ-9988776, born 1949-07-13) {said}."\n'
    )
    path.write_text(text)
    return path


def test_verify_says_context_free_text_differs_without_printing_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The lab's context file, re-checked: the interpretation, facility, device and
    practitioners corrected. Each was printed whole ("summary says \\"Jane Roe desaturates ...
    Member MH-123.\\"", hunt 9); --deidentify scrubs these very fields, and verify now says only
    that they differ, as for patient.*. The rule quoting the practitioner too."""
    root = Path(__file__).resolve().parents[1]
    made = _free_text_context(tmp_path / "made.yaml", "desaturates")
    out = tmp_path / "out"
    edf = root / "data" / "example-night.edf"
    assert (
        main(["analyze", str(edf), "--context", str(made), "--no-report", "--out", str(out)]) == 0
    )
    rechecked = _free_text_context(tmp_path / "rechecked.yaml", "does not desaturate")
    capsys.readouterr()
    assert main(["verify", str(out / "summary.json"), str(edf), "--context", str(rechecked)]) == 1
    printed = capsys.readouterr()
    text = printed.out + printed.err
    for key in (
        "context.test.facility",
        "context.test.device",
        "context.order.practitioner",
        "context.interpretation.practitioner",
        "context.interpretation.text",
    ):
        assert f"{key}: differs (not shown: it may identify the patient)" in text, key
    assert ".values.practitioner: differs (not shown: it may identify the patient)" in text
    for spelling in (*SPELLINGS, "desaturat"):
        assert spelling.lower() not in text.lower(), spelling


def test_verify_withholds_a_name_forged_into_the_context_patient_block() -> None:
    """A summary never holds the context's name (``Context.to_dict``); one that does is a
    difference, not quoted. The age the block holds is still shown."""
    from oxi.verify import compare_summaries

    recomputed = {"context": {"patient": {"age_years": 68}}}
    submitted = {"context": {"patient": {"age_years": 67, "name": "Quackenbush, Zebulon"}}}
    assert compare_summaries(submitted, recomputed) == [
        "context.patient.age_years: summary says 67, recomputed 68",
        "context.patient.name: differs (not shown: it may identify the patient)",
    ]


def test_verify_withholds_a_sleep_test_channel_label_naming_the_patient(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An airflow channel labelled with the patient's name (header Quackenbush_Zebulon), analysed
    without --deidentify under Medicare, whose rule lcd_sleep_study quotes the label in its
    reason and values; the summary edited to say "Flow" in all three places. verify printed
    ``input.sleep_test_channels[0]: summary says "Flow", recomputed "Flow Quackenbush"`` (hunt
    10); --deidentify scrubs these labels, and verify now says only that they differ."""
    import json

    from oxi.verify import compare_summaries

    edf, ctx = _psg_with_labels(tmp_path, spo2_label="SpO2")
    out = tmp_path / "out"
    args = ["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--no-report"]
    assert main(args) == 0
    path = out / "summary.json"
    text = path.read_text(encoding="utf-8")
    assert text.count("Flow Quackenbush") == 3  # the channels, the rule's values and reason
    path.write_text(text.replace("Flow Quackenbush", "Flow"), encoding="utf-8")
    capsys.readouterr()
    assert main(["verify", str(path), str(edf)]) == 1
    printed = capsys.readouterr()
    shown = printed.out + printed.err
    for key in (
        "input.sleep_test_channels[0]",
        "qualification.rules[lcd_sleep_study].reason",
        "qualification.rules[lcd_sleep_study].values.sleep_test_channels[0]",
    ):
        assert f"{key}: differs (not shown: it may identify the patient)" in shown, shown
    for spelling in SPELLINGS:
        assert spelling.lower() not in shown.lower(), spelling
    # a rule listed by place (ids forged into duplicates) may be the one quoting the labels
    genuine = json.loads(text)
    forged = json.loads(text.replace("Flow Quackenbush", "Flow"))
    for rule in forged["qualification"]["rules"]:
        rule["id"] = "x"
    lines = compare_summaries(forged, genuine)
    assert lines and not any("quackenbush" in line.lower() for line in lines), lines


def _psg_with_labels(tmp_path: Path, spo2_label: str = "SpO2 Quackenbush") -> tuple[Path, Path]:
    """A 3-h Medicare night whose channels a technician labelled with the patient's name (the
    airflow channel, and the SpO2 channel unless ``spo2_label`` says otherwise)."""
    import numpy as np

    from tests.io_fixtures import write_edf_pyedflib

    n = 3 * 3600
    sat = 95.0 + np.round(np.random.default_rng(1).normal(0, 0.5, n))
    channels = [(spo2_label, "%", 1.0, sat), ("Flow Quackenbush", "uV", 1.0, np.zeros(n))]
    edf = write_edf_pyedflib(
        tmp_path / "psg.edf",
        channels,
        start=dt.datetime(2026, 11, 20, 22, 0),
        patient_name=PATIENT.name,
        patient_code=PATIENT.code,
        birthdate=dt.date(1949, 7, 13),
    )
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(
        "payer: medicare\npatient: {age_years: 77}\n"
        "test: {type: overnight, date: 2026-11-20, room_air: true, setting: outpatient,\n"
        "       performed_by: idtf, evaluated_date: 2026-11-23}\n"
        "order: {date: 2026-11-25, flow_lpm: 2}\ndiagnoses: [J44.9]\n"
    )
    return edf, ctx


def test_verify_withholds_the_spo2_and_pulse_channels_labels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The SpO2 channel labelled "SpO2 Quackenbush" (header Quackenbush_Zebulon), the summary
    edited to "SpO2 Q": verify printed ``input.channel: summary says "SpO2 Q", recomputed "SpO2
    Quackenbush"`` and the channel selection quoting it (review of hunt 10), which
    --deidentify scrubs as it does the sleep-test channels' labels."""
    import json

    from oxi.verify import compare_summaries

    edf, ctx = _psg_with_labels(tmp_path)
    out = tmp_path / "out"
    args = ["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--no-report"]
    assert main(args) == 0
    path = out / "summary.json"
    text = path.read_text(encoding="utf-8")
    assert text.count("SpO2 Quackenbush") == 2  # the channel and its selection
    path.write_text(text.replace("Quackenbush", "Q"), encoding="utf-8")
    capsys.readouterr()
    assert main(["verify", str(path), str(edf)]) == 1
    printed = capsys.readouterr()
    shown = printed.out + printed.err
    for key in ("input.channel", "input.channel_selection"):
        assert f"{key}: differs (not shown: it may identify the patient)" in shown, shown
    for spelling in SPELLINGS:
        assert spelling.lower() not in shown.lower(), spelling
    # the pulse channel's label, scrubbed by --deidentify alike (found by fixed names, but a
    # summary may say anything)
    genuine = json.loads(text)
    forged = json.loads(text)
    forged["input"]["pulse_channel"] = "Pulse Quackenbush"
    lines = compare_summaries(forged, genuine)
    assert lines == ["input.pulse_channel: differs (not shown: it may identify the patient)"]


def test_verify_of_a_summary_whose_channel_is_not_in_the_recording_lists_no_label(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A summary made with --channel "SpO2 Quackenbush", its recorded channel edited to "Sat Q":
    verify failed with the reader's ``no channel labelled 'Sat Q'; channels: ['SpO2
    Quackenbush', 'Flow Quackenbush']``, every label of the file (review of hunt 10)."""
    import json

    edf, ctx = _psg_with_labels(tmp_path)
    out = tmp_path / "out"
    args = ["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--no-report"]
    assert main([*args, "--channel", "SpO2 Quackenbush"]) == 0
    path = out / "summary.json"
    summary = json.loads(path.read_text(encoding="utf-8"))
    assert summary["input"]["read_options"]["channel"] == "SpO2 Quackenbush"
    summary["input"]["read_options"]["channel"] = "Sat Q"
    path.write_text(json.dumps(summary), encoding="utf-8")
    capsys.readouterr()
    assert main(["verify", str(path), str(edf)]) == 2
    printed = capsys.readouterr()
    shown = printed.out + printed.err
    assert "input.read_options.channel) is not in the recording" in shown, shown
    assert "Flow" not in shown
    for spelling in SPELLINGS:
        assert spelling.lower() not in shown.lower(), spelling


def test_a_refused_join_names_the_device_as_oxi_info_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The EDF's equipment field holds the patient's name: ``oxi info`` said "Nonin
    [redacted]", but the error of a join refused for another device quoted 'Nonin Zebulon'
    (hunt 11: "... vs edf+c 'Zyxwvu Oximeter' ...")."""
    from oximetry.simulate import write_csv

    edf = _edf(tmp_path / "a.edf", seed=1)
    after, _ = simulate_night(fs=1.0, duration_s=3600, seed=2, start=dt.datetime(2026, 1, 6, 1, 0))
    csv = write_csv(after, tmp_path / "b.csv")
    code = main(["analyze", str(edf), str(csv), "--no-report", "--out", str(tmp_path / "o")])
    text = capsys.readouterr().err
    assert code == 2
    assert "not the same device and rates" in text
    assert "'Nonin [redacted]'" in text
    for spelling in SPELLINGS:
        assert spelling.lower() not in text.lower(), spelling


def test_summary_writes_the_device_as_oxi_info_does_and_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """summary.json's ``input.device`` (and the report's Device line, made from it) is the
    redacted field, and such a summary verifies; one written before the redaction, quoting the
    name, is not verified, and verify says why without the name."""
    import json

    edf = _edf(tmp_path / "a.edf", seed=1)
    out = tmp_path / "out"
    assert main(["analyze", str(edf), "--no-report", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["input"]["device"] == "Nonin [redacted]"
    capsys.readouterr()
    assert main(["verify", str(out / "summary.json"), str(edf)]) == 0, capsys.readouterr()

    summary["input"]["device"] = "Nonin Zebulon"  # as written before the redaction
    older = tmp_path / "older.json"
    older.write_text(json.dumps(summary))
    capsys.readouterr()
    assert main(["verify", str(older), str(edf)]) == 1
    printed = capsys.readouterr()
    text = printed.out + printed.err
    assert "input.device: differs (not shown: it may identify the patient)" in text
    assert "a summary written before that quotes them and is not verified" in text
    for spelling in SPELLINGS:
        assert spelling.lower() not in text.lower(), spelling


def _deidentified_example(tmp_path: Path) -> tuple[Path, Path, dict[str, Any]]:
    """Analyse the example night with its context, de-identified; return the recording, the
    context file and the summary."""
    root = Path(__file__).resolve().parents[1]
    edf = root / "data" / "example-night.edf"
    ctx = root / "data" / "example-context.yaml"
    args = ["analyze", str(edf), "--context", str(ctx), "--deidentify", "--no-report"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    return edf, ctx, json.loads((tmp_path / "out" / "summary.json").read_text())


def test_verify_never_quotes_a_malformed_context_free_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A de-identified summary whose recorded context holds free text no context takes: an
    interpretation too long, or an interpretation or facility given as a list. Each was quoted
    in the error line ("got ['Home of Quackenbush Zebulon']", hunt 12), where a valid one that
    differs is withheld; now said by its kind only (exit 2, bad input)."""
    edf, _, genuine = _deidentified_example(tmp_path)
    named = "Quackenbush Zebulon, member QZ-9988776"
    for section, key, value in (
        ("interpretation", "text", f"{named} desaturates " + "x" * 20000),
        ("interpretation", "text", [named]),
        ("test", "facility", [f"Home of {named}"]),
    ):
        forged = json.loads(json.dumps(genuine))
        forged["context"].setdefault(section, {})[key] = value
        summary = tmp_path / "forged" / "summary.json"
        summary.parent.mkdir(exist_ok=True)
        summary.write_text(json.dumps(forged))
        capsys.readouterr()
        assert main(["verify", str(summary), str(edf)]) == 2
        printed = capsys.readouterr()
        text = printed.out + printed.err
        assert f"context key '{section}.{key}': got " in text, text
        assert "(not shown: it may identify the patient)" in text, text
        for spelling in SPELLINGS:
            assert spelling.lower() not in text.lower(), (spelling, text)


def test_verify_quotes_nothing_of_a_de_identified_summarys_context_but_its_key_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Any key of a de-identified summary's context may hold a forged value: a name written into
    documentation, diagnoses, payer, test.setting, order.date or a key of its own was quoted by
    `oxi verify` and `oxi qualify --summary` (review of hunt 12). The key names stay: they
    are the schema's words."""
    edf, ctx, genuine = _deidentified_example(tmp_path)
    named = "Quackenbush Zebulon, member QZ-9988776"
    # text of several words is said by its length, de-identified or not (hunt 15); one word is
    # quoted only outside a de-identified summary, so that a choice's typo shows
    several = "got text of 38 characters (not shown: it may identify the patient)"
    cases = [
        (where, value, said)
        for value, shown in ((named, several), ("Quackenbush", "got '…'"))
        for where, said in (
            (("documentation",), f"context key 'documentation': {shown}"),
            (("diagnoses",), f"context key 'diagnoses': {shown}"),
            (("payer",), f"context key 'payer': {shown}"),
            (("test", "setting"), f"context key 'test.setting': {shown}"),
            (("order", "date"), f"context key 'order.date': {shown}"),
        )
    ]
    cases.append(
        (("test", named), 1, "unknown context key under 'test' (text of 38 characters, not shown")
    )
    for where, value, said in cases:
        forged = json.loads(json.dumps(genuine))
        block = forged["context"]
        for key in where[:-1]:
            block = block.setdefault(key, {})
        block[where[-1]] = value
        summary = tmp_path / "forged" / "summary.json"
        summary.parent.mkdir(exist_ok=True)
        summary.write_text(json.dumps(forged))
        capsys.readouterr()
        qualify = ["qualify", "--summary", str(summary), "--context", str(ctx)]
        runs = [["verify", str(summary), str(edf)], qualify]
        if where == ("payer",):  # a flag forged to 1: verify refuses it, qualify read it
            forged["deidentified"] = 1
            summary.write_text(json.dumps(forged))
            runs = [qualify]
        for run in runs:
            assert main(run) == 2, run
            printed = capsys.readouterr()
            text = printed.out + printed.err
            if run[0] == "verify":
                assert said in text, text
            for spelling in SPELLINGS:
                assert spelling.lower() not in text.lower(), (run[0], spelling, text)


def test_qualify_quotes_nothing_of_a_de_identified_summary_outside_its_context(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`oxi qualify --summary` of a de-identified summary quoted its context's values no more
    (review of hunt 12), but quoted the rest: a name forged into input.start,
    settings.test_type, settings.o2_flow_lpm, input.clock_known or (as a list) a window's
    baseline source was printed in the error line (hunt 13). Withheld as `oxi verify`
    withholds it."""
    _, ctx, genuine = _deidentified_example(tmp_path)
    named = "Quackenbush Zebulon, member QZ-9988776"
    for where in (
        ("input", "start"),
        ("input", "clock_known"),
        ("settings", "test_type"),
        ("settings", "o2_flow_lpm"),
        ("metrics", "sleep", "awake_baseline_source"),
    ):
        forged = json.loads(json.dumps(genuine))
        block = forged
        for key in where[:-1]:
            block = block[key]
        block[where[-1]] = [named] if where[0] == "metrics" else named  # (text is a source)
        summary = tmp_path / "forged" / "summary.json"
        summary.parent.mkdir(exist_ok=True)
        summary.write_text(json.dumps(forged))
        capsys.readouterr()
        assert main(["qualify", "--summary", str(summary), "--context", str(ctx)]) == 2, where
        printed = capsys.readouterr()
        text = printed.out + printed.err
        assert "summary: " in text, text
        for spelling in SPELLINGS:
            assert spelling.lower() not in text.lower(), (where, spelling, text)


def test_verify_quotes_no_text_of_a_de_identified_summary_outside_its_context(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A forged de-identified summary whose input.files holds a name: `oxi verify` printed
    'input.files[0]: summary says "Quackenbush Zebulon QZ-9988776"' (review of hunt 12). Its
    text is not quoted now; its numbers are (a forged figure is still shown)."""
    edf, _, genuine = _deidentified_example(tmp_path)
    forged = json.loads(json.dumps(genuine))
    forged["input"]["files"] = ["Quackenbush Zebulon QZ-9988776"]
    forged["recording"]["valid_min"] = 1.5
    summary = tmp_path / "forged" / "summary.json"
    summary.parent.mkdir()
    summary.write_text(json.dumps(forged))
    assert main(["verify", str(summary), str(edf)]) == 1
    text = capsys.readouterr().out
    assert "input.files[0]: summary says text (not shown" in text, text
    assert "recording.valid_min: summary says 1.5, recomputed" in text, text
    for spelling in SPELLINGS:
        assert spelling.lower() not in text.lower(), (spelling, text)


def test_a_de_identified_summary_of_a_file_named_as_a_word_of_its_text_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--deidentify redacts the file's name wherever it stands: made from Sleep.edf, the
    summary reads "findings during [redacted] only" (and its report likewise). A copy named by
    its sha256, as a de-identified submission names it, recomputed "sleep": genuine evidence was
    NOT VERIFIED (2 differences), with --context too, and so was a copy named Nocturnal.edf
    ("[redacted] use", hunt 13). A redaction standing for two texts is no name's, and stays a
    difference."""
    import shutil

    root = Path(__file__).resolve().parents[1]
    ctx = root / "data" / "example-context.yaml"
    edf = tmp_path / "Sleep.edf"
    shutil.copy(root / "data" / "example-night.edf", edf)
    out = tmp_path / "out"
    assert (
        main(["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--deidentify"]) == 0
    )
    summary = json.loads((out / "summary.json").read_text())
    assert "during [redacted] only" in summary["qualification"]["warnings"][0]
    renamed = tmp_path / f"{summary['input']['sha256']}.edf"
    shutil.copy(edf, renamed)
    capsys.readouterr()
    assert main(["verify", str(out / "summary.json"), str(renamed)]) == 0, capsys.readouterr()
    verify_with_context = ["verify", str(out / "summary.json"), str(renamed), "--context", str(ctx)]
    assert main(verify_with_context) == 0, capsys.readouterr()
    # the reviewer's name a word of the text too: "nocturnal use" was recomputed "[redacted] use"
    mixed = tmp_path / "Nocturnal.edf"
    shutil.copy(edf, mixed)
    assert main(["verify", str(out / "summary.json"), str(mixed)]) == 0, capsys.readouterr()
    warning = summary["qualification"]["warnings"][0]
    summary["qualification"]["warnings"][0] = warning.replace("nocturnal", "[redacted]")
    (out / "summary.json").write_text(json.dumps(summary))
    capsys.readouterr()
    assert main(["verify", str(out / "summary.json"), str(renamed)]) == 1


def test_a_de_identified_summary_whose_context_quotes_the_header_patient_is_not_verified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --context, verify takes the recorded context's free text as written: a facility
    and an interpretation edited back to "Lab of Quackenbush" and "Zebulon Quackenbush
    (QZ-9988776, born 1949-07-13)" in a de-identified summary of his recording verified (hunt
    14). oxi analyze --deidentify never writes the header's patient there; said, not quoted."""
    edf = _edf(tmp_path / "night.edf", seed=1)
    made = _free_text_context(tmp_path / "made.yaml", "desaturates")
    out = tmp_path / "out"
    args = ["analyze", str(edf), "--context", str(made), "--no-report", "--out", str(out)]
    assert main([*args, "--deidentify"]) == 0
    summary = out / "summary.json"
    capsys.readouterr()
    assert main(["verify", str(summary), str(edf)]) == 0, capsys.readouterr()
    forged = json.loads(summary.read_text())
    assert "Quackenbush" not in json.dumps(forged)
    forged["context"]["test"]["facility"] = "Lab of Quackenbush desaturates"
    forged["context"]["interpretation"]["text"] = "Patient QZ-9988776, born 13-JUL-1949."
    summary.write_text(json.dumps(forged))
    capsys.readouterr()
    assert main(["verify", str(summary), str(edf)]) == 1
    printed = capsys.readouterr()
    text = printed.out + printed.err
    assert "NOT VERIFIED: 2 difference(s)" in text
    for key in ("context.test.facility", "context.interpretation.text"):
        assert f"{key}: quotes the recording's patient (name, code or birth date; not shown)" in (
            text
        ), key
    for spelling in SPELLINGS:
        assert spelling.lower() not in text.lower(), spelling


def test_a_free_text_cut_to_its_limit_never_ends_in_a_word_cut_short(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A facility of 200 characters, the most a context accepts, naming Zebulon: its
    "[redacted]", 3 characters longer, carried the text past 200, and cut there it ended in
    "Zebulon" ("Zebulonxyz Lane" cut short): a de-identified summary holding the patient's name,
    which oxi verify without --context found NOT VERIFIED (hunt 14 review)."""
    edf = _edf(tmp_path / "night.edf", seed=1)
    facility = "Zebulon " + "x" * 181 + " Zebulonxyz"
    assert len(facility) == 200
    root = Path(__file__).resolve().parents[1]
    text = (root / "data" / "example-context.yaml").read_text()
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(text.replace('"Example Sleep Testing Facility (fictional)"', f'"{facility}"'))
    out = tmp_path / "out"
    args = ["analyze", str(edf), "--context", str(ctx), "--no-report", "--out", str(out)]
    assert main([*args, "--deidentify"]) == 0
    written = json.loads((out / "summary.json").read_text())["context"]["test"]["facility"]
    assert written == "[redacted] " + "x" * 181
    capsys.readouterr()
    assert main(["verify", str(out / "summary.json"), str(edf)]) == 0, capsys.readouterr()
    assert main(["verify", str(out / "summary.json"), str(edf), "--context", str(ctx)]) == 0
