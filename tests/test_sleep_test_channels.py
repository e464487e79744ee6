"""A polysomnogram or home sleep test is known by its channels, staged or not (Medicare).

LCD L33797 counts a PSG's or home sleep test's oximetry only during a PAP titration; a staged
recording was refused as stand-alone overnight oximetry, but the same PSG analysed without its
staging file was taken for one (a presumed-sleep window) and qualified. The reader now marks
EEG, EOG, EMG, airflow, effort, snore and PAP channels (role ``sleep_test``), the summary lists
them (``input.sleep_test_channels``) and the Medicare rule ``lcd_sleep_study`` reads them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from oxi.cli import main
from oximetry.io.channels import classify, classify_all
from oximetry.io.reader import inspect_recording
from tests.io_fixtures import RawEdf, RawSig, write_edf_pyedflib, write_edf_raw

START = dt.datetime(2026, 11, 20, 22, 0)
MEDICARE = (
    "payer: medicare\n"
    "patient: {age_years: 75}\n"  # the fixtures header: born 1951-05-02
    "test: {type: overnight, date: 2026-11-20, room_air: true, setting: outpatient,\n"
    "       performed_by: idtf, evaluated_date: 2026-11-23}\n"
    "order: {date: 2026-11-25, flow_lpm: 2}\n"
    "diagnoses: [J44.9]\n"
    "mobility: {within_home: true}\n"
    "documentation: {signed_prescription: true}\n"
)


@pytest.mark.parametrize(
    ("label", "unit"),
    [
        ("EEG C3-M2", "uV"),
        ("C4-M1", "uV"),
        ("O1-A2", "uV"),
        ("EOG E1-M2", "uV"),
        ("LOC", "uV"),
        ("Chin EMG", "uV"),
        ("EMG Chin", "uV"),
        ("Airflow", ""),
        ("Flow", "cmH2O"),
        ("Nasal Pressure", "cmH2O"),
        ("THOR RES", "uV"),
        ("Abdo", "uV"),
        ("Snore", "dB"),
        ("CPAP Pressure", "cmH2O"),
        # montages' own labels (Philips Alice, the ARES home test, others): a home sleep test
        # with these was taken for stand-alone oximetry and qualified N1
        ("Flow Patient", ""),
        ("Effort THO", "uV"),
        ("Effort ABD", "uV"),
        ("A-Flow", ""),
        ("A-Snore", ""),
        ("FVP/A-Effort", ""),
        ("Cannula Flow", "cmH2O"),
        ("PTAF", ""),
        ("Chest", "uV"),
        ("RIP Thor", "mV"),
        ("LOC-A2", "uV"),
        ("ROC-A1", "uV"),
        ("Leg 1", "uV"),
        ("Leg/L", "uV"),
        ("L Leg", "uV"),
        # nasal pressure, thermistors, belts and legs by any of their usual names, and flows in
        # any unit (a PAP's flow is in L/min): dropped by a first cut at these words
        ("Nasal Pres", "cmH2O"),
        ("Cannula", "cmH2O"),
        ("Nasal Cannula", "cmH2O"),
        ("ORO-NASAL", ""),
        ("Oral-Nasal Temp", ""),
        ("Temp Flow", ""),
        ("Flow", "L/s"),
        ("PAP Flow", "L/min"),
        ("Mask Flow", "L/min"),
        ("Chest Belt", "uV"),
        ("Chest Movement", ""),
        ("Resp Chest", ""),
        ("Leg Movements", ""),
        ("Leg (L)", "uV"),
    ],
)
def test_sleep_test_channels_are_known(label: str, unit: str) -> None:
    assert classify(label, unit)[0] == "sleep_test"


@pytest.mark.parametrize(
    ("label", "unit"),
    [
        ("SpO2", "%"),
        ("Pleth", ""),
        ("Motion", ""),
        ("PI 1", "%"),
        ("ECG 3", "mV"),  # ICU monitors and Holters record ECG too
        ("RESP", "bpm"),  # a monitor's respiration rate
        ("PAP", "mmHg"),  # pulmonary artery pressure
        ("O2", "%"),  # oxygen, not the occipital electrode
        ("O2 Flow", "L/min"),  # oxygen given, not the patient's airflow
        ("Flow Rate", "L/min"),
        ("HFNC Flow", ""),
        ("Supplemental Flow", ""),
        ("Flow Setting", ""),
        # the oximeter's own figures at a site, a scale, a symptom
        ("Pulse Leg", "bpm"),
        ("PI Leg", "%"),
        ("Leg SpO2", "%"),
        ("Chest Temp", "C"),
        ("Accel Chest", "g"),
        ("Borg Effort", ""),
        ("Chest Pain", ""),
        ("Pulse Rate", "bpm"),
        ("SpO2 Reminder", ""),
    ],
)
def test_oximeter_and_monitor_channels_are_not_sleep_test_channels(label: str, unit: str) -> None:
    assert classify(label, unit)[0] != "sleep_test"


def _night(tmp: Path, *, psg: bool) -> Path:
    """Seven hours at 1 Hz with 30 min at 86 % (qualifying), as an oximeter's EDF or a PSG's
    (plus EEG and airflow), without staging."""
    n = 7 * 3600
    noise = np.round(np.random.default_rng(1).normal(0, 0.5, n))  # no value held for 10 min
    spo2 = 95.0 + noise
    spo2[7200 - 2 : 7200 + 1802] = [92, 89, *(86 + noise[:1800]), 89, 92]
    channels: list[tuple[str, str, float, Any]] = [
        ("SpO2", "%", 1, spo2),
        ("Pulse", "bpm", 1, np.full(n, 62.0)),
    ]
    if psg:
        channels += [("EEG C3-M2", "uV", 1, np.zeros(n)), ("Airflow", "", 1, np.zeros(n))]
    return write_edf_pyedflib(tmp / f"{'psg' if psg else 'oxi'}.edf", channels, start=START)


def _analyze(tmp: Path, edf: Path) -> dict[str, Any]:
    ctx = tmp / "ctx.yaml"
    ctx.write_text(MEDICARE)
    out = tmp / f"out-{edf.stem}"
    assert main(["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--no-report"]) == 0
    return dict(json.loads((out / "summary.json").read_text()))


def test_an_unstaged_psg_is_not_stand_alone_oximetry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """End to end (Medicare): the oximeter's night qualifies; the same night in a PSG file
    without staging does not, the rule naming its channels, and ``oxi qualify --summary``
    reads the same from the summary."""
    oximeter = _analyze(tmp_path, _night(tmp_path, psg=False))
    assert oximeter["input"]["sleep_test_channels"] == []
    assert oximeter["qualification"]["determination"] == "qualified"
    summary = _analyze(tmp_path, _night(tmp_path, psg=True))
    assert summary["input"]["sleep_test_channels"] == ["EEG C3-M2", "Airflow"]
    q = summary["qualification"]
    assert q["determination"] == "not_qualified"
    (rule,) = [r for r in q["rules"] if r["id"] == "lcd_sleep_study"]
    assert rule["met"] is False and "EEG C3-M2, Airflow" in rule["reason"]
    capsys.readouterr()
    written = tmp_path / "out-psg" / "summary.json"
    args = ["qualify", "--summary", str(written), "--context", str(tmp_path / "ctx.yaml")]
    assert main(args) == 0
    assert "NOT QUALIFIED" in capsys.readouterr().out


def test_a_night_joined_from_an_oximeter_file_and_a_psg_file_is_no_stand_alone_oximetry(
    tmp_path: Path,
) -> None:
    """End to end (Medicare): the qualifying night's first 3 h as an oximeter's EDF, the rest
    (with the 30 min at 86 %) as a PSG's with EEG and airflow. Joined, the night kept the
    first file's channels only and qualified as stand-alone oximetry, which neither file is
    alone (the second is a PSG, the first holds no low minutes)."""
    n = 7 * 3600
    noise = np.round(np.random.default_rng(1).normal(0, 0.5, n))
    spo2 = 95.0 + noise
    spo2[14400 - 2 : 14400 + 1802] = [92, 89, *(86 + noise[:1800]), 89, 92]
    cut = 3 * 3600
    first = write_edf_pyedflib(
        tmp_path / "a.edf",
        [("SpO2", "%", 1, spo2[:cut]), ("Pulse", "bpm", 1, np.full(cut, 62.0))],
        start=START,
    )
    second = write_edf_pyedflib(
        tmp_path / "b.edf",
        [
            ("SpO2", "%", 1, spo2[cut:]),
            ("Pulse", "bpm", 1, np.full(n - cut, 62.0)),
            ("EEG C3-M2", "uV", 1, np.zeros(n - cut)),
        ],
        start=START + dt.timedelta(seconds=cut),
    )
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(MEDICARE)
    out = tmp_path / "out"
    args = ["analyze", str(first), str(second), "--context", str(ctx), "--out", str(out)]
    assert main([*args, "--no-report"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["input"]["sleep_test_channels"] == ["EEG C3-M2"]
    assert summary["qualification"]["determination"] == "not_qualified"
    assert main(["verify", str(out / "summary.json"), str(first), str(second)]) == 0


def test_a_sleep_test_channel_label_naming_the_patient_is_scrubbed_in_the_rules(
    tmp_path: Path,
) -> None:
    """--deidentify: the rule quotes the sleep-test channels, and a label typed at the recorder
    ("EEG Haagse") carried the patient's name into the de-identified rule reason and values."""
    n = 3 * 3600
    spo2 = 95.0 + np.round(np.random.default_rng(1).normal(0, 0.5, n))
    channels: list[tuple[str, str, float, Any]] = [
        ("SpO2", "%", 1, spo2),
        ("EEG Haagse", "uV", 1, np.zeros(n)),
    ]
    edf = write_edf_pyedflib(tmp_path / "psg.edf", channels, start=START)
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(MEDICARE)
    out = tmp_path / "out"
    args = ["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--no-report"]
    assert main([*args, "--deidentify"]) == 0
    text = (out / "summary.json").read_text()
    assert "haagse" not in text.lower()
    summary = json.loads(text)
    (rule,) = [r for r in summary["qualification"]["rules"] if r["id"] == "lcd_sleep_study"]
    assert "EEG [redacted]" in rule["reason"]
    assert main(["verify", str(out / "summary.json"), str(edf)]) == 0


def test_oximetry_a_pap_machine_recorded_is_no_stand_alone_oximetry(tmp_path: Path) -> None:
    """A ResMed AirSense night with its oximeter (SpO2.1s, Pulse.1s, Crc16): saturations taken
    on the patient's PAP are neither stand-alone overnight oximetry nor a titration PSG, and it
    qualified Medicare N1 as the former."""
    n = 7 * 3600
    noise = np.round(np.random.default_rng(1).normal(0, 0.5, n))
    spo2 = 95.0 + noise
    spo2[7200 - 2 : 7200 + 1802] = [92, 89, *(86 + noise[:1800]), 89, 92]
    channels: list[tuple[str, str, float, Any]] = [
        ("Pulse.1s", "bpm", 1, np.full(n, 62.0)),
        ("SpO2.1s", "%", 1, spo2),
        ("Crc16", "", 1, np.zeros(n)),
    ]
    edf = write_edf_pyedflib(tmp_path / "20261120_220000_SA2.edf", channels, start=START)
    summary = _analyze(tmp_path, edf)
    assert summary["input"]["format"] == "resmed-sa2"
    assert summary["input"]["sleep_test_channels"][-1].endswith("(recorded on PAP)")
    assert summary["qualification"]["determination"] == "not_qualified"


#: ResMed's header fields, as an AirSense 11 writes them (/work/shared/data/resmed_sa2_no_oximeter).
RESMED_PATIENT = "X X X X 3E7B 6EAD"
RESMED_RECORDING = "Startdate 20-NOV-2026 X X X SRN=23241877024 MID=46 VID=3"


@pytest.mark.parametrize(
    ("name", "crc16", "spo2_label", "recording", "resmed"),
    [
        ("20261120_220000_SA2.edf", True, "SpO2.1s", RESMED_RECORDING, True),  # as written
        # Crc16 dropped (EDFbrowser's "reduce signals") and renamed: a stand-alone night before
        ("night.edf", False, "SpO2.1s", RESMED_RECORDING, True),
        ("night.edf", False, "SpO2", RESMED_RECORDING, True),  # its label renamed too
        # the same night without ResMed's words: nothing says PAP, the oximeter's night qualifies
        ("night.edf", False, "SpO2.1s", "Startdate 20-NOV-2026 X X X", False),
    ],
)  # fmt: skip
def test_a_resmed_file_is_known_by_its_recording_field(
    tmp_path: Path, name: str, crc16: bool, spo2_label: str, recording: str, resmed: bool
) -> None:
    """ResMed's ``SRN=... MID=... VID=...`` recording field names the PAP machine whatever the
    file's channels and name: an SA2 file without its Crc16 channel, renamed night.edf, was
    read as a stand-alone oximeter's night and qualified Medicare I-2."""
    n = 7 * 3600
    noise = np.round(np.random.default_rng(1).normal(0, 0.5, n))
    spo2 = 95 + noise
    spo2[7200 - 2 : 7200 + 1802] = [92, 89, *(86 + noise[:1800]), 89, 92]  # 30 min at 85-87 %
    sigs = [
        RawSig("Pulse.1s", "bpm", 60, np.full((n // 60, 60), 62), pmax=300, dmax=300),
        RawSig(spo2_label, "%", 60, spo2.astype(np.int64).reshape(-1, 60)),
    ]
    if crc16:
        sigs.append(RawSig("Crc16", "", 1, np.zeros((n // 60, 1), dtype=np.int64), pmin=-32768,
                           pmax=32767, dmin=-32768, dmax=32767))  # fmt: skip
    spec = RawEdf(sigs, record_s=60, reserved="", patient=RESMED_PATIENT, recording=recording,
                  start=START)  # fmt: skip
    summary = _analyze(tmp_path, write_edf_raw(tmp_path / name, spec))
    assert summary["input"]["channel"] == spo2_label
    q = summary["qualification"]
    if resmed:
        assert summary["input"]["format"] == "resmed-sa2"
        assert summary["input"]["sleep_test_channels"] == [
            "ResMed AirSense 11 CPAP oximetry (SA2 EDF) (recorded on PAP)"
        ]
        assert q["determination"] == "not_qualified"
    else:
        assert summary["input"]["format"] == "edf"
        assert summary["input"]["sleep_test_channels"] == []
        assert q["determination"] == "qualified"
        assert q["decided_by"] == ["lcd_group_i_2_sleep"]


def test_resmeds_flow_and_pressure_files_are_no_cpap_oximetry(tmp_path: Path) -> None:
    """ResMed's BRP (flow, pressure) files carry the same recording-field words as its SA2
    oximetry files; without a SpO2 channel the words name no "CPAP oximetry"."""
    n = 10
    sigs = [
        RawSig("Flow.40ms", "L/s", 1500, np.zeros((n, 1500), dtype=np.int64), pmin=-2, pmax=2,
               dmin=-1000, dmax=1000),
        RawSig("Press.40ms", "cmH2O", 1500, np.full((n, 1500), 500), pmin=0, pmax=30, dmin=0,
               dmax=1500),
    ]  # fmt: skip
    spec = RawEdf(sigs, record_s=60, reserved="", patient=RESMED_PATIENT,
                  recording=RESMED_RECORDING, start=START)  # fmt: skip
    path = write_edf_raw(tmp_path / "20261120_220000_BRP.edf", spec)
    info = inspect_recording(path)
    assert (info.format, info.device) == ("edf", "")


@pytest.mark.parametrize(
    "label",
    # a PAT home sleep test (WatchPAT) records no airflow or effort channel
    ["PAT Amplitude", "Actigraph", "Body Position", "NPress", "Thermocouple", "Tracheal Sound",
     "Cz-Oz", "E1", "Mask Pressure", "RIPSum"],
)  # fmt: skip
def test_home_sleep_test_channels_without_airflow_or_effort_words(label: str) -> None:
    assert classify(label, "")[0] == "sleep_test"


#: Columns of an oximeter's own export, or of a monitor's, that name no sleep test: each made
#: Medicare deny a qualifying stand-alone night as "a PSG or home sleep test" (2026-12-07).
OXIMETER_EXTRAS = [
    "Pat ID", "Pat Name", "Position", "Alarm Sound", "Probe Position", "Sensor Position",
    "Finger Position", "Sensor Site Leg", "Site: Chest", "Effort Score", "RPE Effort",
    "Ambient Sound", "Mic Level", "Audio Volume",
]  # fmt: skip
#: ... and labels of a home sleep test that must stay sleep-test channels whatever word sits
#: beside the sleep-test one: "sensor", "finger" and "min" among the words that outvote it made
#: an HST's flow and effort no sleep-test channels, and Medicare qualified its oximetry.
HST_LABELS = ["Flow Sensor", "Effort Sensor", "Chest Sensor", "PAT Sensor", "Finger PAT",
              "Nasal Flow (L/min)", "Flow L/min", "Leg Sensor"]  # fmt: skip


@pytest.mark.parametrize("label", HST_LABELS)
def test_sleep_test_words_beside_sensor_words_stay_sleep_test_channels(label: str) -> None:
    roles = [role for role, _ in classify_all(["SpO2", label, "Position"], ["%", "", ""])]
    assert roles[1:] == ["sleep_test", "sleep_test"]


@pytest.mark.parametrize("label", OXIMETER_EXTRAS)
def test_an_oximeters_own_columns_name_no_sleep_test(label: str) -> None:
    roles = [role for role, _ in classify_all(["SpO2", "Pulse", label], ["%", "bpm", ""])]
    assert roles[2] != "sleep_test"


def test_position_actigraphy_and_sound_count_beside_a_sleep_test_channel_only() -> None:
    labels = ["SpO2", "Body Position", "Actigraph", "Tracheal Sound"]
    alone = classify_all(labels, ["%", "", "", ""])
    assert [role for role, _ in alone] == ["spo2", "other", "other", "other"]
    assert alone[1][1].startswith("body position, beside no airflow")
    beside = classify_all([*labels, "PAT Amplitude"], ["%", "", "", "", ""])
    assert [role for role, _ in beside][1:] == ["sleep_test"] * 4


def test_a_position_column_leaves_a_stand_alone_night_stand_alone(tmp_path: Path) -> None:
    """End to end (Medicare): the qualifying oximeter's night with a body-position channel is
    still stand-alone oximetry (N1); with an airflow channel beside it, it is a sleep test."""
    edf = _night(tmp_path, psg=False)
    n = 7 * 3600
    channels: list[tuple[str, str, float, Any]] = [
        ("SpO2", "%", 1, _read_spo2(edf)),
        ("Pulse", "bpm", 1, np.full(n, 62.0)),
        ("Position", "", 1, np.full(n, 2.0)),
    ]
    pos = write_edf_pyedflib(tmp_path / "pos.edf", channels, start=START)
    summary = _analyze(tmp_path, pos)
    assert summary["input"]["sleep_test_channels"] == []
    assert summary["qualification"]["determination"] == "qualified"
    channels.append(("Airflow", "", 1, np.zeros(n)))
    hst = write_edf_pyedflib(tmp_path / "hst.edf", channels, start=START)
    assert _analyze(tmp_path, hst)["input"]["sleep_test_channels"] == ["Position", "Airflow"]


def _read_spo2(edf: Path) -> Any:
    from oximetry.io import read_recording

    return read_recording(edf).spo2.data


@pytest.mark.parametrize(
    ("text", "det"),
    [
        ("Obstructive Apnea", "not_qualified"),
        ("Hypopnea", "not_qualified"),
        ("Central apnea", "not_qualified"),
        ("RERA", "not_qualified"),
        # the kind after the word, shortened or translated, and accented (hunt 15)
        ("Apnea-Obstructive", "not_qualified"),
        ("APNEA-CENTRAL", "not_qualified"),
        ("APNEA-MIXED", "not_qualified"),
        ("Apnea Obstructive", "not_qualified"),
        ("Obs Apnea", "not_qualified"),
        ("Apnée obstructive", "not_qualified"),
        ("Hypopnée", "not_qualified"),
        ("Hypopnoe", "not_qualified"),
        ("Respiratory effort-related arousal", "not_qualified"),
        # review of hunt 15: Portuguese, Italian, "sleep" between, and an event with its airflow
        # (read as a mark of oxygen, it was no sleep test's event)
        ("Apneia obstrutiva", "not_qualified"),
        ("Apnea ostruttiva", "not_qualified"),
        ("Obstructive sleep apnea", "not_qualified"),
        # review 2 of hunt 15: with a flow, a mark of oxygen too (held open beside room_air:
        # true) and still the event (lcd_sleep_study not met); a history of the disorder is no
        # scored event
        ("Hypopnea 4 lpm", "indeterminate"),
        ("Central apnea on 2L NC", "indeterminate"),
        ("Hx obstructive sleep apnea", "qualified"),
        ("Arousal", "qualified"),  # some oximetry software scores them from the pulse rate
        ("Apnea", "qualified"),  # a bedside monitor's alarm: no sleep test's scoring
        ("Apnée", "qualified"),
        ("Apnea observed", "qualified"),
        ("Desaturation", "qualified"),  # an oximeter's own software scores these
    ],
)
def test_scored_apneas_and_hypopneas_mark_a_sleep_test(tmp_path: Path, text: str, det: str) -> None:
    """Apneas told obstructive from central, hypopneas and RERAs are scored on a sleep test's
    airflow and effort: an oximeter alone scores none. A PSG's oximetry exported
    with its scored events but without its other channels or staging was taken for stand-alone
    overnight oximetry and qualified N1 (hunt 15)."""
    from oximetry.model import Annotation
    from oximetry.simulate import simulate_night, write_edf

    events = [Annotation(3600.0 + 900.0 * i, 20.0, text) for i in range(4)]
    rec, _ = simulate_night(
        fs=1, duration_s=7 * 3600, seed=1, baseline_pct=94,
        sustained_drops=[(3 * 3600 + 300, 480, 86)], start=START, annotations=events,
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "night.edf")
    summary = _analyze(tmp_path, edf)
    q = summary["qualification"]
    assert q["determination"] == det
    if det != "qualified":
        (rule,) = [r for r in q["rules"] if r["id"] == "lcd_sleep_study"]
        assert rule["met"] is False and "(scored events)" in rule["reason"]
        assert summary["input"]["sleep_test_channels"] == [f"{_event(text)} (scored events)"]
    assert main(["verify", str(tmp_path / "out-night" / "summary.json"), str(edf)]) == 0


def _event(text: str) -> str:
    from oximetry.annotations import event_name

    return event_name(text)


@pytest.mark.parametrize(
    ("text", "det"),
    [
        ("CPAP 10 cm H2O", "indeterminate"),
        ("BiPAP 14/10", "indeterminate"),
        ("Bi-PAP increased", "indeterminate"),
        ("APAP on", "indeterminate"),
        # other spellings of a machine, and a pressure in cm H2O beside PAP (hunt 15)
        ("C-PAP 10 cm H2O", "indeterminate"),
        ("PAP 10 cm H2O", "indeterminate"),
        ("VPAP 14/10", "indeterminate"),
        ("AutoCPAP 4-20", "indeterminate"),
        ("nCPAP", "indeterminate"),
        ("AVAPS", "indeterminate"),
        ("Titration 8 cmH2O", "indeterminate"),
        # review of hunt 15: non-invasive ventilation, AutoSet, A-PAP, a pressure in cm H2O
        # beside any word (a PEEP in cm H2O is a ventilator's setting too), PAP in cm
        ("NIPPV 14/8", "indeterminate"),
        ("AutoSet 8 cm H2O", "indeterminate"),
        ("Pressure 10 cm H2O", "indeterminate"),
        ("PAP 10 cm", "indeterminate"),
        ("A-PAP", "indeterminate"),
        ("PEEP 5 cmH2O", "indeterminate"),
        # review 2 of hunt 15: hPa and mbar, "pressure" beside cm, non-invasive ventilation in
        # words, Auto-Set
        ("PAP 10 hPa", "indeterminate"),
        ("Pressure 10 hPa", "indeterminate"),
        ("PAP-Therapie 10 hPa", "indeterminate"),
        ("Pressure 10 mbar", "indeterminate"),
        ("Pressure 10 cm", "indeterminate"),
        ("Non-invasive ventilation", "indeterminate"),
        ("noninvasive ventilation on", "indeterminate"),
        ("Auto-Set 8", "indeterminate"),
        # a note that PAP did not run is held open too, never a bare denial (hunt 15)
        ("No CPAP tonight", "indeterminate"),
        ("Pt refused CPAP", "indeterminate"),
        ("CPAP off", "indeterminate"),
        ("Home CPAP not used", "indeterminate"),
        ("PAP 25 mmHg", "qualified"),  # an ICU monitor's pulmonary artery pressure
        ("PAP 30/15", "qualified"),
        ("Mask adjusted", "qualified"),
    ],
)
def test_notes_of_pap_settings_mark_a_night_on_pap(tmp_path: Path, text: str, det: str) -> None:
    """A night whose notes set a PAP machine's pressure may have been slept on PAP (a
    titration, or a night of therapy): saturations on PAP are no stand-alone overnight oximetry
    (as a ResMed file's), and 'CPAP 5/8/10 cm H2O' notes beside 8 min at 86 % qualified N1. A
    note names PAP without saying it ran ('No CPAP tonight' was a bare denial), so such notes
    alone leave lcd_sleep_study not evaluable, never met (hunt 15)."""
    from oximetry.model import Annotation
    from oximetry.simulate import simulate_night, write_edf

    notes = [Annotation(1800.0 * (i + 1), 0.0, text) for i in range(3)]
    rec, _ = simulate_night(
        fs=1, duration_s=7 * 3600, seed=1, baseline_pct=94,
        sustained_drops=[(3 * 3600 + 300, 480, 86)], start=START, annotations=notes,
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "night.edf")
    summary = _analyze(tmp_path, edf)
    q = summary["qualification"]
    assert q["determination"] == det
    pap = ["PAP settings (annotations)"] if det == "indeterminate" else []
    assert summary["input"]["sleep_test_channels"] == pap
    if det == "indeterminate":
        (rule,) = [r for r in q["rules"] if r["id"] == "lcd_sleep_study"]
        assert rule["met"] is None and "name a PAP machine" in rule["reason"]
        assert any("whether the night was on PAP" in m for m in q["missing"]), q["missing"]
    assert main(["verify", str(tmp_path / "out-night" / "summary.json"), str(edf)]) == 0


@pytest.mark.parametrize(
    "text",
    [
        "Started 2 L/min, air entry clear",
        "Apnea episode; increased to 3 L/min",
        "Back to 2 L/min after neb",
        "Flow 3 lpm, room air sat 86",
        "Switched from room air to 3 L/min",
        "4 liters per minute, was on room air",
        "Flow 3 lpm at peak exercise",
        "3 L/min co-sleeping",
        "Flow 2 L/min (apnea monitor on)",
    ],
)
def test_notes_of_oxygen_naming_air_or_an_apnea_elsewhere_hold_a_room_air_night(
    tmp_path: Path, text: str
) -> None:
    """A word of air, a nebulizer, a peak or an apnea anywhere in a note of a flow made it no
    mark of oxygen: a night on oxygen, 8 min at 86 %, qualified Medicare as on room air (review
    2 of hunt 15). Such a word takes a flow only straight before its number."""
    from oximetry.model import Annotation
    from oximetry.simulate import simulate_night, write_edf

    notes = [Annotation(1800.0 * (i + 1), 0.0, text) for i in range(3)]
    rec, _ = simulate_night(
        fs=1, duration_s=7 * 3600, seed=1, baseline_pct=94,
        sustained_drops=[(3 * 3600 + 300, 480, 86)], start=START, annotations=notes,
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "night.edf")
    summary = _analyze(tmp_path, edf)
    assert summary["qualification"]["determination"] == "indeterminate"
    assert summary["input"]["sleep_test_channels"] == []
    assert main(["verify", str(tmp_path / "out-night" / "summary.json"), str(edf)]) == 0


def test_a_scored_hypopnea_with_a_flow_is_both_under_deidentify(tmp_path: Path) -> None:
    """``Hypopnea 4 lpm`` marks oxygen and a sleep test's event; --deidentify keeps both, as
    ``Supplemental oxygen 4 L/min, hypopnea`` (review 2 of hunt 15)."""
    from oximetry.model import Annotation
    from oximetry.simulate import simulate_night, write_edf

    events = [Annotation(3600.0 + 900.0 * i, 20.0, "Hypopnea 4 lpm") for i in range(4)]
    rec, _ = simulate_night(
        fs=1, duration_s=7 * 3600, seed=1, baseline_pct=94,
        sustained_drops=[(3 * 3600 + 300, 480, 86)], start=START, annotations=events,
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "night.edf")
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(MEDICARE)
    out = tmp_path / "out"
    args = ["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--no-report"]
    assert main([*args, "--deidentify"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["input"]["sleep_test_channels"] == ["hypopnea (scored events)"]
    q = summary["qualification"]
    (rule,) = [r for r in q["rules"] if r["id"] == "lcd_sleep_study"]
    assert rule["met"] is False
    assert any("room_air" in m and "oxygen_marks" in m for m in q["missing"]), q["missing"]


def test_a_scored_apnea_in_an_spo2_artifacts_note_stays_under_deidentify(tmp_path: Path) -> None:
    """``SpO2 artifact - obstructive apnea`` is an SpO2 artifact and a sleep test's event;
    rewritten as ``SpO2 artifact`` alone, the night was stand-alone oximetry under --deidentify
    and QUALIFIED N1 where read as written it was NOT QUALIFIED (hunt 16)."""
    from oximetry.model import Annotation
    from oximetry.simulate import simulate_night, write_edf

    note = Annotation(600.0, 20.0, "SpO2 artifact - obstructive apnea")
    rec, _ = simulate_night(
        fs=1, duration_s=7 * 3600, seed=1, baseline_pct=94, noise_pts=0.6,
        sustained_drops=[(3 * 3600 + 300, 480, 86)], start=START, annotations=[note],
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "night.edf")
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(MEDICARE)
    dets = []
    for extra in ([], ["--deidentify"]):
        out = tmp_path / f"out{len(dets)}"
        args = ["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--no-report"]
        assert main([*args, *extra]) == 0
        summary = json.loads((out / "summary.json").read_text())
        assert summary["input"]["sleep_test_channels"] == ["obstructive apnea (scored events)"]
        dets.append(summary["qualification"]["determination"])
    assert dets == ["not_qualified", "not_qualified"]


def test_notes_of_pap_beside_scored_hypopneas_deny(tmp_path: Path) -> None:
    """Scored hypopneas say a sleep test scored the night whatever its notes say of PAP: the
    night is denied as a sleep test, the PAP notes listed beside them (hunt 15)."""
    from oximetry.model import Annotation
    from oximetry.simulate import simulate_night, write_edf

    notes = [Annotation(1800.0, 0.0, "No CPAP tonight")]
    notes += [Annotation(3600.0 + 900.0 * i, 20.0, "Hypopnea") for i in range(4)]
    rec, _ = simulate_night(
        fs=1, duration_s=7 * 3600, seed=1, baseline_pct=94,
        sustained_drops=[(3 * 3600 + 300, 480, 86)], start=START, annotations=notes,
    )  # fmt: skip
    summary = _analyze(tmp_path, write_edf(rec, tmp_path / "night.edf"))
    assert summary["qualification"]["determination"] == "not_qualified"
    assert summary["input"]["sleep_test_channels"] == [
        "hypopnea (scored events)",
        "PAP settings (annotations)",
    ]


@pytest.mark.parametrize(
    "text", ["CPAP 10 cm H2O", "Arousal on CPAP 10", "CPAP 10 on 2L", "Pressure 10 cm H2O"]
)
def test_deidentify_keeps_notes_of_a_pap_machine(tmp_path: Path, text: str) -> None:
    """--deidentify dropped a PAP note as free text (or kept it as an arousal or as oxygen),
    and the night on PAP it marks was stand-alone oximetry and qualified N1 (hunt 15)."""
    from oximetry.model import Annotation
    from oximetry.simulate import simulate_night, write_edf

    notes = [Annotation(1800.0 * (i + 1), 0.0, text) for i in range(3)]
    rec, _ = simulate_night(
        fs=1, duration_s=7 * 3600, seed=1, baseline_pct=94,
        sustained_drops=[(3 * 3600 + 300, 480, 86)], start=START, annotations=notes,
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "night.edf")
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(MEDICARE)
    out = tmp_path / "out"
    args = ["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--no-report"]
    assert main([*args, "--deidentify"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["input"]["sleep_test_channels"] == ["PAP settings (annotations)"]
    assert summary["qualification"]["determination"] == "indeterminate"
    assert main(["verify", str(out / "summary.json"), str(edf)]) == 0
