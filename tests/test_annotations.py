"""One annotation vocabulary (SPEC §2.1): ``oxi info`` counts what the analysis sees."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oximetry.analysis import analyze
from oximetry.annotations import (
    annotation_kind,
    is_oxygen_mark,
    is_spo2_artifact,
    is_walk_note,
    lights_of,
    oxygen_flows_lpm,
    scoring_text,
    segment_of,
    stage_of,
)
from oximetry.io import classify_annotation, inspect_recording, read_recording
from oximetry.windows import staging_from_annotations
from tests.io_fixtures import write_edf_pyedflib

DURATION_S = 2 * 3600

# Spellings the readers' and the analysis's word lists used to disagree on are in here
# ("SLEEP-S0", "Stage_3", "Movement time", "Light off", "exercise o2"), beside the common ones.
STAGES = [
    (0, 600, "Sleep stage W"),
    (600, 1200, "Sleep stage 2"),
    (1800, 600, "Stage_3"),
    (2400, 600, "SLEEP-S0"),
    (3000, 1200, "Sleep stage R"),
    (4200, 30, "Movement time"),
    (4230, 1170, "N2"),
]
LIGHTS = [(300, 0, "Light off"), (5400, 0, "LIGHTS ON")]
SEGMENTS = [(5400, 600, "rest"), (6000, 600, "Exercise"), (6600, 600, "exercise o2")]
EVENTS = [(700, 15, "Obstructive Apnea"), (3100, 20, "Desaturation"), (3400, 12, "Arousal")]
NOTES = [(3500, 0, "Tech note"), (3600, 0, "A1+A2 OFF"), (3650, 30, "EEG artifact")]
ARTIFACTS = [(3700, 60, "SpO2 artifact")]


def _recording(tmp_path: Path) -> Path:
    spo2 = np.full(DURATION_S, 96.0)
    return write_edf_pyedflib(
        tmp_path / "night.edf",
        [("SpO2", "%", 1, spo2), ("Pulse", "bpm", 1, np.full(DURATION_S, 60.0))],
        annotations=STAGES + LIGHTS + SEGMENTS + EVENTS + NOTES + ARTIFACTS,
    )


def test_info_counts_agree_with_what_the_analysis_sees(tmp_path: Path) -> None:
    path = _recording(tmp_path)
    counts = dict(inspect_recording(path).annotation_counts)
    assert counts == {
        "sleep_stage": len(STAGES),
        "lights": len(LIGHTS),
        "segment": len(SEGMENTS),
        "event": len(EVENTS),
        "note": len(NOTES),
        "spo2_artifact": len(ARTIFACTS),
    }

    rec = read_recording(path)
    analysis = analyze(rec)
    # Stages: every stage annotation info counted builds the hypnogram the analysis uses.
    staging = staging_from_annotations(rec.annotations)
    assert len(staging) == counts["sleep_stage"]
    assert [s for _, _, s in staging] == ["W", "N2", "N3", "W", "R", "?", "N2"]
    sleep = next(w for w in analysis.windows if w.kind == "sleep")
    # (less the SpO2 artifact span, 3700-3760 s, excluded like --exclude)
    assert sleep.spans_s == ((600.0, 2400.0), (3000.0, 3700.0), (3760.0, 4200.0), (4230.0, 5400.0))
    # Segments: each marker info counted is a segment window from the annotations.
    segs = {w.kind: w for w in analysis.windows if w.kind in ("rest", "exercise", "exercise_o2")}
    assert len(segs) == counts["segment"]
    assert {w.source for w in segs.values()} == {"annotations"}
    assert segs["exercise_o2"].spans_s == ((6600.0, 7200.0),)
    # Events: every annotation info counted as an event is a scored event of the analysis.
    scored = [e for e in analysis.events if e.type == "scored"]
    assert len(scored) == counts["event"]
    assert sorted(e.label for e in scored) == sorted(t for _, _, t in EVENTS)
    # SpO2 artifacts: every one info counted is excluded, its samples and no more
    assert analysis.artifact.counts["excluded"] == sum(d for _, d, _ in ARTIFACTS)


def test_lights_info_counted_set_presumed_sleep(tmp_path: Path) -> None:
    path = _recording(tmp_path)
    rec = read_recording(path)
    # Without staging (and exercise-test segments) the lights marks define presumed sleep (§5).
    unstaged = tuple(
        a for a in rec.annotations if stage_of(a.text) is None and segment_of(a.text) is None
    )
    analysis = analyze(dataclasses.replace(rec, annotations=unstaged))
    presumed = next(w for w in analysis.windows if w.kind == "presumed_sleep")
    assert presumed.source == "annotations"
    assert presumed.spans_s[0][0] == 300.0 and presumed.spans_s[-1][1] == 5400.0


@pytest.mark.parametrize(
    ("text", "kind", "label"),
    [
        ("Sleep stage N2", "stage", "N2"),
        ("sleep stage unscored", "stage", "?"),
        ("Lights out", "lights", "off"),
        ("light-on", "lights", "on"),
        ("Exercise_O2", "segment", "exercise_o2"),
        ("Hypopnea", "event", None),
        ("A1+A2 OFF", "note", None),
        ("Montage:Referential", "note", None),
        ("SpO2 desaturation", "event", None),
        ("Central Apnea", "event", None),
        # a span the scorer rejected, excluded like --exclude (NSRR, Profusion, Luna's name)
        ("SpO2 artifact", "artifact", "SpO2"),
        ("artifact_SpO2", "artifact", "SpO2"),
        ("Oximetry artefact", "artifact", "SpO2"),
        ("SaO2 Artifact (Respiratory event)", "artifact", "SpO2"),
        # another channel's artifact is no SpO2 artifact
        ("EEG artifact", "note", None),
        ("Respiratory artifact", "event", None),
        ("SpO2 desaturation artifact-free", "event", None),
    ],
)
def test_one_vocabulary(text: str, kind: str, label: str | None) -> None:
    assert annotation_kind(text) == (kind, label)
    info_kind = {"stage": "sleep_stage", "artifact": "spo2_artifact"}.get(kind, kind)
    assert classify_annotation(text) == info_kind
    assert (stage_of(text), lights_of(text), segment_of(text)).count(None) == (
        3 if kind in ("artifact", "event", "note") else 2
    )


# The review's table: an oximetry word and an artifact word anywhere in the text mark a span
# the scorer rejected. Only the two words side by side did: "SpO2 motion artifact",
# "Artifact (SpO2)", "SpO2-Artefakt", "SpO₂ artifact" excluded nothing and a night qualified on
# the minutes the scorer rejected (review of hunt 10). A negation ("no SpO2 artifact") is read
# as the mark too: that errs towards denial, and the warning names the spans.
SPO2_ARTIFACT_TEXTS = [
    ("SpO2 artifact", True),
    ("no SpO2 artifact", True),
    ("No SpO2 artifacts", True),
    ("SpO2 artifact removed", True),
    ("Oximeter artifact removed", True),
    ("Artifact (SpO2 channel)", True),
    ("Artifact: SpO2", True),
    ("Artifact - SpO2", True),
    ("Artifact SpO2", True),
    ("SpO2-Artefakt", True),
    ("Artefakt SpO2", True),
    ("Artefacto de SpO2", True),
    ("Artéfact SpO2", True),
    ("artefact SpO2", True),
    ("Pulse ox artifact", True),
    ("Pulse oximetry artifact", True),
    ("Pulse oximeter artifact", True),
    ("SpO2 Artifact start", True),
    ("SpO2 artifact end", True),
    ("Start SpO2 artifact", True),
    ("SaO2 artifact", True),
    ("SAO2 Artifact", True),
    ("Sa02 artifact", True),
    ("SpO2 (artifact)", True),
    ("SpO2 signal artifact", True),
    ("SpO2 motion artifact", True),
    ("Movement artifact SpO2", True),
    ("artifact_SpO2", True),
    ("Artifact|SpO2 artifact", True),
    ("SpO2 artifact|SpO2 artifact", True),
    ("Desaturation (SpO2 artifact?)", True),
    ("Possible SpO2 artifact", True),
    ("Oximetry artifact during REM", True),
    ("SpO2 artifact N2", True),
    ("Sleep stage N2 SpO2 artifact", True),
    ("Lights off SpO2 artifact", True),
    ("SpO2 artifact exercise", True),
    ("SpO2 Artifact (SpO2 artifact event)", True),
    ("Artifact (SpO2)", True),
    ("SpO2 artifacts", True),
    ("SpO2: artifact", True),
    ("SpO2/artifact", True),
    ("SpO2 - artifact", True),
    ("Artifact removed from SpO2", True),
    ("Technical artifact SpO2", True),
    ("Oxygen saturation artifact", True),
    ("SpO₂ artifact", True),
    ("ＳｐＯ２ artifact", True),
    ("SpO2\u00a0artifact", True),
    ("Artifact, SpO2", True),
    ("SpO2Artifact", True),
    ("Oxymetrie-Artefakt", True),
    # no artifact word, or no oximetry word: another channel's artifact, a lost signal
    ("Pulse artifact", False),
    ("EEG artifact", False),
    ("Respiratory artifact", False),
    ("Proximal EMG artifact", False),
    ("Pleth artifact", False),
    ("sat artifact", False),
    ("Oxi artifact", False),
    ("Signal loss SpO2", False),
    ("SpO2 signal lost", False),
    ("Oximeter off", False),
    ("Probe off", False),
    ("SpO2 off", False),
    ("SpO2 arti-fact", False),
    ("SpO2 desaturation", False),
    ("SpO2 desaturation artifact-free", False),
]


@pytest.mark.parametrize(("text", "artifact"), SPO2_ARTIFACT_TEXTS)
def test_an_oximetry_word_and_an_artifact_word_anywhere_mark_an_spo2_artifact(
    text: str, artifact: bool
) -> None:
    assert is_spo2_artifact(text) is artifact
    assert (annotation_kind(text) == ("artifact", "SpO2")) is artifact
    assert (classify_annotation(text) == "spo2_artifact") is artifact
    # --deidentify keeps the mark, in words that read back as one (and a walk it names)
    if artifact:
        walk = ", walk" if is_walk_note(text) else ""
        assert scoring_text(text) == "SpO2 artifact" + walk


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Obstructive Apnea", "obstructive apnea"),
        ("Apnea-Obstructive", "obstructive apnea"),  # RemLogic
        ("APNEA-CENTRAL", "central apnea"),
        ("APNEA-MIXED", "mixed apnea"),
        ("Apnea Obstructive", "obstructive apnea"),
        ("Apnea, central", "central apnea"),
        ("Obs Apnea", "obstructive apnea"),
        ("Obstr. Apnea", "obstructive apnea"),
        ("Apnée obstructive", "obstructive apnea"),  # Deltamed
        ("Apnée centrale", "central apnea"),
        ("Apnée mixte", "mixed apnea"),
        ("Obstruktive Apnoe", "obstructive apnea"),
        ("Zentrale Apnoe", "central apnea"),
        ("Gemischte Apnoe", "mixed apnea"),
        ("Apnea obstructiva", "obstructive apnea"),
        # review of hunt 15: Portuguese, Italian, and "sleep" between the kind and the word
        ("Apneia obstrutiva", "obstructive apnea"),
        ("Apnea ostruttiva", "obstructive apnea"),
        ("Obstructive sleep apnea", "obstructive apnea"),
        ("Central sleep apnea", "central apnea"),
        ("Obstructive Sleep Apnea (12 s)", "obstructive apnea"),
        ("obstructive sleep apnea - 15.2 sec", "obstructive apnea"),
        # review 2 of hunt 15: "sleep" in a note of the disorder (a history) is no scored event
        ("Hx obstructive sleep apnea", "apnea"),
        ("History of central sleep apnea", "apnea"),
        ("Known obstructive sleep apnea, on CPAP at home", "apnea"),
        ("Obstructive sleep apnea diagnosis", "apnea"),
        ("Hypopnée", "hypopnea"),
        ("Hypopnoe", "hypopnea"),
        ("Hipopnea", "hypopnea"),
        ("Obstructive Hypopnea", "hypopnea"),
        ("Respiratory effort-related arousal", "RERA"),
        # a bare apnea (a bedside monitor's alarm) in any language stays one
        ("Apnea", "apnea"),
        ("Apnée", "apnea"),
        ("Apnoe", "apnea"),
        ("Apnea observed", "apnea"),
        ("Apnea centered", "apnea"),
        ("Arousal", "arousal"),
    ],
)
def test_an_apneas_kind_before_or_after_it_in_any_spelling_names_it(text: str, name: str) -> None:
    """RemLogic's ``APNEA-CENTRAL``, ``Obs Apnea``, Deltamed's ``Apnée obstructive`` were a bare
    apnea and ``Hypopnée``/``Hypopnoe`` notes, none a sleep test's event: a PSG's oximetry
    exported with them qualified Medicare N1 as stand-alone oximetry (hunt 15)."""
    from oximetry.annotations import SLEEP_TEST_EVENTS, event_name

    assert annotation_kind(text) == ("event", None)
    assert event_name(text) == name
    assert (name in SLEEP_TEST_EVENTS) is (name not in ("apnea", "arousal"))
    # --deidentify keeps the kind
    rewritten = scoring_text(text)
    assert rewritten == name and event_name(rewritten) == name


@pytest.mark.parametrize(
    ("text", "pap"),
    [
        ("CPAP 10 cm H2O", True),
        ("BiPAP 14/10", True),
        ("C-PAP 10 cm H2O", True),
        ("VPAP 14/10", True),
        ("AutoCPAP 4-20", True),
        ("nCPAP", True),
        ("AVAPS", True),
        ("PAP 10 cm H2O", True),  # a pressure in cm H2O is a machine's, not an artery's
        ("PAP 12cmH2O", True),
        ("Titration 8 cmH2O", True),
        ("Titrated to 11 cm H20", True),
        # review of hunt 15: non-invasive ventilation, AutoSet, A-PAP, a pressure in cm H2O or
        # cwp whatever word is beside it (a ventilator's PEEP in cm H2O is a setting too), PAP
        # with a pressure in cm
        ("NIPPV 14/8", True),
        ("NIV 14/8", True),
        ("NPPV on", True),
        ("AutoSet 8 cm H2O", True),
        ("AutoSet", True),
        ("A-PAP", True),
        ("Pressure 10 cm H2O", True),
        ("Pressure 10 cwp", True),
        ("Pressure 8 cmH20", True),
        ("PEEP 5 cmH2O", True),
        ("PAP 10 cm", True),
        ("PAP 14/10 cm", True),
        # review 2 of hunt 15: hPa and mbar, "pressure" beside cm, non-invasive ventilation
        # in words, Auto-Set
        ("PAP 10 hPa", True),
        ("Pressure 10 hPa", True),
        ("PAP-Therapie 10 hPa", True),
        ("Pressure 10 mbar", True),
        ("Pressure 10 cm", True),
        ("Non-invasive ventilation", True),
        ("noninvasive ventilation on", True),
        ("Auto-Set 8", True),
        ("Barometric pressure 1013 hPa", False),
        # a pulmonary artery pressure (mmHg), a bare PEEP, an oxygen titration: no PAP
        ("PAP", False),
        ("PAP 25 mmHg", False),
        ("PAP 30/15", False),
        ("PEEP 5", False),
        ("Convivial", False),
        ("O2 10 cm", False),
        ("O2 titrated to 3L", False),
        ("Pap smear", False),
    ],
)
def test_notes_of_a_pap_machine_in_any_spelling(text: str, pap: bool) -> None:
    """``C-PAP 10 cm H2O``, ``VPAP 14/10``, ``AutoCPAP 4-20``, ``nCPAP``, ``AVAPS``, ``PAP 10 cm
    H2O`` and ``Titration 8 cmH2O`` were no PAP notes: a night on PAP qualified N1 as
    stand-alone oximetry (hunt 15)."""
    from oximetry.annotations import is_pap_note

    assert is_pap_note(text) is pap


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("Hypopnea 4 lpm", "hypopnea"),
        ("Obstructive apnea flow 0 lpm", "obstructive apnea"),
        ("Central apnea on 2L NC", "central apnea"),
        ("RERA, O2 2 L/min", "RERA"),
        ("Apnea episode; increased to 3 L/min", None),  # a bare apnea is no sleep test's event
        ("Flow 2 L/min (apnea monitor on)", None),
    ],
)
def test_a_flow_beside_a_sleep_tests_event_is_both(text: str, event: str | None) -> None:
    """Read as the event alone, ``Apnea episode; increased to 3 L/min`` was no mark and a night
    on oxygen qualified on room air; read as oxygen alone, ``Hypopnea 4 lpm`` was no sleep test's
    event (review 2 of hunt 15). --deidentify keeps both."""
    from oximetry.annotations import sleep_test_event

    assert annotation_kind(text) == ("oxygen", None)
    assert sleep_test_event(text) == event
    kept = scoring_text(text)
    assert kept is not None and annotation_kind(kept) == ("oxygen", None)
    assert sleep_test_event(kept) == event
    assert oxygen_flows_lpm(kept) == oxygen_flows_lpm(text)


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("SpO2 artifact - obstructive apnea", "obstructive apnea"),
        ("Obstructive apnea with SpO2 artifact", "obstructive apnea"),
        ("Hypopnea, SpO2 artefact", "hypopnea"),
        ("SpO2 artifact", None),
        ("SpO2 artifact during desaturation", None),
    ],
)
def test_an_spo2_artifact_keeps_its_sleep_tests_event_under_deidentify(
    text: str, event: str | None
) -> None:
    """Rewritten as ``SpO2 artifact`` alone, a PSG's night whose only scored apnea shared its note
    with the artifact was stand-alone oximetry under --deidentify: NOT QUALIFIED read as written,
    QUALIFIED N1 de-identified (hunt 16)."""
    from oximetry.annotations import sleep_test_event

    assert annotation_kind(text) == ("artifact", "SpO2")
    assert sleep_test_event(text) == event
    kept = scoring_text(text)
    assert kept is not None and annotation_kind(kept) == ("artifact", "SpO2")
    assert sleep_test_event(kept) == event


def test_scoring_text_reads_back_as_the_same_kind() -> None:
    """--deidentify rewrites annotations in the vocabulary; the analysis must read them alike."""
    from oximetry.annotations import _EVENT_NAMES, scoring_text

    for _, name in _EVENT_NAMES:
        assert annotation_kind(name) == ("event", None), name
        assert scoring_text(f"{name} J. Doe 1951-03-14") == name
    texts = [t for _, _, t in STAGES + LIGHTS + SEGMENTS + EVENTS + ARTIFACTS]
    for text in texts:
        rewritten = scoring_text(text)
        assert rewritten is not None and annotation_kind(rewritten) == annotation_kind(text), text
    assert [scoring_text(t) for _, _, t in NOTES] == [None, None, None]
    # kept as its event kind ("desaturation") an SpO2 artifact would count again
    assert scoring_text("SpO2 artifact J. Doe 1951-03-14") == "SpO2 artifact"
    assert annotation_kind("SpO2 artifact") == ("artifact", "SpO2")


# Supplemental oxygen given during the recording: the gas with a flow or what was done with it.
# Read as a scored desaturation ("oxygen" is an event word), "Oxygen 2 L/min" over a night's
# first hour left that hour at 98 % the presumed awake baseline (hunt 14).
OXYGEN_TEXTS = [
    ("O2 2 L/min", True),
    # hunt 16: a device that gives only oxygen, the gas unsaid; not a bare nasal cannula (a
    # PSG's airflow sensor) nor a bare high flow (a PAP note's)
    ("HFNC 40 L/min 40%", True),
    ("High-flow nasal cannula 40 L/min", True),
    ("Optiflow 30 L/min", True),
    ("Venturi mask 28%", True),
    ("Non-rebreather", True),
    ("NRB mask on", True),
    ("Trach collar 5L", True),
    ("Tracheostomy mask 35%", True),
    ("Nasal cannula", False),
    ("High flow 30 L/min", False),
    # review of hunt 16: the gas with a clock time stays a mark (naming no flow), and litres
    # beside a change word are the gas's only when no lead, side or limb word says left
    ("O2 at 10:30", True),
    ("O2 @ 2 am", True),
    ("Oxygen at 10 pm", True),
    ("Started 2L", True),
    ("2L applied", True),
    ("Placed 1 L and 1 R leg lead", False),
    ("Added 1 L leg EMG", False),
    ("Leg lead 2 L placed", False),
    ("Snoring increased, 2 L lateral", False),
    ("Tech in: increased 1 L gain", False),
    ("Pt turned 2 L", False),
    ("Sauerstoff-Sättigung reduziert", False),  # German saturation (review of hunt 16)
    # final review of hunt 16: a saturation elsewhere in the note leaves the gas given, and
    # leads, fluids and a humidifier's litres are no flows of the gas
    ("Sauerstoff per Maske, Sättigung 91 %", True),
    ("Sauerstoff per Nasenbrille, Entsättigungen weiter", True),
    ("O2-Sättigung reduziert", False),
    ("Placed 1 L EOG", False),
    ("Added 1 L tib", False),
    ("Tech added 1 L EtCO2", False),
    ("Started 1L LR", False),
    ("Added 1 L to humidifier", False),
    # review of hunt 16: such a device on air or not in use
    ("Trach collar RA", False),
    ("Trach collar humidified air", False),
    ("Trach collar 21%", False),
    ("No HFNC", False),
    ("HFNC not used", False),
    ("Room air, NRB at bedside", False),
    ("HFNC 40 L/min, no change", True),
    ("HFNC 40 L/min, SpO2 not recorded", True),
    ("HFNC off", True),
    ("Oxygen 2 L/min", True),
    ("O2 on", True),
    ("O2 off", True),
    ("O2 added 1 lpm", True),
    ("O2 bleed in 1.5L", True),
    ("2L O2", True),
    ("O2 3l/min via nasal cannula", True),
    ("Supplemental oxygen", True),
    ("Sauerstoff 2 l/min", True),
    ("Exercise on O2", True),
    # review of hunt 14: a flow beside the gas whatever else the note says, a flow through a
    # device without the gas, FiO2, a bare number of litres, 02 typed for O2 before a flow, the
    # gas next to what was done with it (these were saturations, events or notes)
    ("O2 2 L/min, SpO2 97%", True),
    ("SpO2 low, O2 on 2L", True),
    ("Desats noted, O2 started 2L", True),
    ("O2 titrated to 3L for SpO2 < 88", True),
    ("O2 sat 92% on 2 lpm", True),
    ("Patient on 2L NC", True),
    ("2L NC", True),
    ("3 lpm via cannula", True),
    ("SpO2 93% on 2L", True),
    ("FiO2 0.28", True),
    ("O2 2", True),
    ("Oxygen @ 1.5", True),
    ("02 2L", True),
    ("Oxygen therapy", True),
    ("Oxygen removed", True),
    ("O2 removed", True),
    ("O2 discontinued", True),
    ("Desats noted, O2 started", True),
    ("Off O2, room air", True),
    ("Lights on, O2 off", True),
    ("Oxygen desaturation", False),
    ("Oxygen Desaturation", False),
    ("SpO2 desaturation", False),
    ("SpO2 desaturation|SpO2 desaturation", False),
    ("O2 Desaturation 3%", False),
    ("Oxygen saturation 95", False),
    ("SpO2 artifact", False),
    ("O2 88 %", False),
    ("O2 88", False),
    ("O2 sat 92% on RA", False),
    # the oximeter, the EEG electrode O2, CO2, a CPAP's leak, a time: not the gas
    ("O2 probe off", False),
    ("O2 sensor on/off", False),
    ("O2 lead off", False),
    ("O2 finger probe", False),
    ("O2 clip off", False),
    ("O2-A1 off", False),
    ("O2 electrode off", False),
    ("EtCO2 on", False),
    ("CO2 2", False),
    ("TcCO2 2 L", False),
    ("Mask leak 30 L/min", False),
    ("Sp02 2L", False),
    ("02:00", False),
    ("Oxygen Desaturation (SpO2 event)", False),
    ("O2 sat 88 %", False),
    ("SpO2 on", False),
    ("Oxygen", False),
    ("O2", False),
    ("low O2", False),
    ("Room air", False),
    ("CPAP 8 cm on", False),
    # review of hunt 14: the gas followed by a saturation word or a reading is the saturation
    # read, and lights on/off is nothing done with the gas (a room-air night with the first at
    # lights off no longer qualified); a flow or a start word straight on the gas still marks
    ("Lights off, O2 sat 96%", False),
    ("Lights on, O2 sat 95%", False),
    ("Lights off - O2 sat 96 % RA", False),
    ("Desaturation start, O2 91%", False),
    ("Lights off O2 97%", False),
    ("Lights on - O2 94 %", False),
    ("O2 96 on RA", False),
    ("Lights off, O2 on", True),
    ("O2 sat 92%, 2 L", True),
    # a PAP titration's masks, flows and pressures, and a bare number of minutes or centimetres
    # after the gas, are no oxygen: a device flow without the gas is 15 L/min at most, and a PAP
    # note needs the gas named with a flow or a start word
    ("CPAP 8, nasal mask, 25 L/min", False),
    ("Mask flow 30 L/min", False),
    ("Bilevel 14/10 via full face mask, 40 lpm", False),
    ("High flow 30 L/min", False),
    ("O2 5 minutes", False),
    ("O2 10 cm", False),
    ("CPAP on, O2 low", False),
    ("CPAP 10, O2 added", True),
    ("CPAP 10 cm, O2 bleed in 2L", True),
    ("BiPAP 12/8 + 2L O2", True),
    # review of hunt 14 again: a word of wearing the gas (with, wearing, continued, in use, in
    # place, per, home) counts beside lights off; a PAP note keeps a device's flow of 15 L/min
    # at most and "on O2"; "HR" after the gas is the heart rate, not hours
    ("Lights off, O2 continued", True),
    ("Lights off with home oxygen", True),
    ("Lights off with O2", True),
    ("Lights off, pt with home O2", True),
    ("Lights off, patient wearing O2", True),
    ("Lights off; oxygen per home settings", True),
    ("Lights off - O2 per MD order", True),
    ("Lights off, oxygen in use", True),
    ("Lights off, O2 in place", True),
    ("Lights off O2 continues", True),
    ("CPAP 10 on 2L", True),
    ("CPAP 8 cm on 2 lpm", True),
    ("BiPAP 14/10 on 3L", True),
    ("Bilevel 14/10 on 2 lpm", True),
    ("CPAP 10 cm H2O, 2L NC", True),
    ("CPAP 9 cm, 3 L/min NC", True),
    ("APAP, 2L via NC", True),
    ("CPAP 11 cm, on O2", True),
    ("CPAP 11 cm on oxygen", True),
    ("CPAP 10 cm, SpO2 91% on 2L", True),
    ("O2 3 HR 60", True),
    ("CPAP 12, 2 lpm bleed-in", True),
    ("CPAP 10 cm w/ 2 lpm", True),
    # final review of hunt 14: a word of using or hooking up the gas, the gas after w/, +, plus,
    # and, using in a PAP note, a flow glued to NC or bare after a PAP setting, "Lights off/O2"
    # are marks; the gas then a bare saturation (16 or more, no litres) is a reading
    ("Lights off - pt using O2", True),
    ("Lights off w/ O2", True),
    ("Lights off, O2 running", True),
    ("Lights off, pt wears O2", True),
    ("Lights off, pt on 2LNC", True),
    ("Lights off, pt using O2 concentrator", True),
    ("Pt wears O2", True),
    ("Pt wearing NC", True),
    ("O2 connected", True),
    ("O2 placed", True),
    ("Connected to oxygen", True),
    ("Oxygen concentrator running", True),
    ("Lights off/O2", True),
    ("CPAP 10 w/ O2", True),
    ("CPAP 10 + O2", True),
    ("CPAP 8 cm plus O2", True),
    ("CPAP 9 and O2", True),
    ("CPAP 9 using O2", True),
    ("BPAP 12/8 + 2L", True),
    ("CPAP 10 2L", True),
    ("Lights off, O2 97 with pt supine", False),
    ("Baseline O2 95 per tech", False),
    ("Lights off O2 94, pt at home", False),
    ("O2 92 continued snoring", False),
    ("O2 95 in place", False),
    ("Pt on O2 92", True),
    ("Lights off/O2 97%", False),
    ("CPAP 8 cm 10 L/min leak", False),
    ("Supplemental O2 - Desaturation start", True),
    # review of hunt 15: a low flow in litres a minute, or after "flow", is the gas's outside a
    # PAP note; "ltr", "lt/min" are litres ("O2 4 L/min" at a walk on oxygen given as 2 L/min
    # qualified when written so); a leak, a minute ventilation and a mask's air stay no marks
    ("4 liters per minute", True),
    ("Flow 4 lpm", True),
    ("4 lpm", True),
    ("3 l per min", True),
    ("Flow rate 2 L", True),
    ("O2 4 ltr", True),
    ("Pt on 3 ltr NC", True),
    ("O2 4 lt/min", True),
    ("Leak 4 L/min", False),
    ("Minute ventilation 6 L/min", False),
    ("CPAP 8 cm, flow 25 L/min", False),
    ("Flow limitation", False),
    ("Airflow 2 min", False),
    ("SpO2 96 %, 4 minutes", False),
    # review of hunt 15: flows of other things than the gas given (a cardiac output, air,
    # suction, a nebulizer, a ventilator's, a sweep gas, litres a second), and a scored event
    # with its airflow, are no marks; a saturation beside a flow still is, and the gas with a
    # flow above 15 L/min or a range is
    ("Cardiac output 5 L/min", False),
    ("CO 4.5 L/min", False),
    ("Medical air 4 L/min", False),
    ("Air 2 lpm", False),
    ("Suction 2 lpm", False),
    ("Nebulizer 8 lpm", False),
    ("Vent flow 10 L/min", False),
    ("Ventilator flow 10 lpm", False),
    ("Bias flow 2 L/min", False),
    ("Sweep 2 L/min", False),
    ("Peak flow 4 L/s", False),
    ("Sweep gas 3 L/min", False),
    ("Neb at 6 L/min", False),
    ("Minute ventilation: 6 L/min", False),
    # review 2 of hunt 15: such a word names a flow only straight before its number; anywhere
    # else in the note the flow is the gas's, and a scored event with a flow is a mark too
    # (and the event: test_a_flow_beside_a_sleep_tests_event_is_both)
    ("Started 2 L/min, air entry clear", True),
    ("Apnea episode; increased to 3 L/min", True),
    ("Back to 2 L/min after neb", True),
    ("Flow 3 lpm, room air sat 86", True),
    ("Switched from room air to 3 L/min", True),
    ("4 liters per minute, was on room air", True),
    ("Flow 3 lpm at peak exercise", True),
    ("3 L/min co-sleeping", True),
    ("Flow 2 L/min (apnea monitor on)", True),
    ("Suction 2 lpm, then 3 lpm", True),
    ("Hypopnea 4 lpm", True),
    ("Obstructive apnea flow 0 lpm", True),
    ("SpO2 92% 2 lpm", True),
    ("desat 3 lpm", True),
    ("Respiratory therapist placed 2 lpm", True),
    ("Snore 2 lpm", True),
    ("Airflow low, 2 lpm", True),
    ("CO2 35, 2 lpm", True),
    ("O2 20 L/min", True),
    ("O2 2-4 L/min", True),
    ("O2 4 to 2 L/min", True),
    # hunt 16: litres beside a word of giving or changing them, the gas unnamed, a change of the
    # gas's bare flow and its discontinuation were no marks, and a room-air night given with
    # any at its start QUALIFIED Medicare N1
    ("Started 2L", True),
    ("Increased to 3L", True),
    ("Tech added 1L", True),
    ("2L applied", True),
    ("Hypoxemia - tech applied 2L", True),
    ("Weaned to 1L", True),
    ("O2 up to 3", True),
    ("O2 bumped to 3", True),
    ("O2 inc from 2 to 4", True),
    ("O2 down to 1", True),
    ("O2 on at 2", True),
    ("O2 d/c", True),
    ("O2 d/c'd", True),
    # ... and ordinary notes with such words stay unmarked: fluids, volumes, leaks, pressures,
    # clocks, settings of other things
    ("IV started, 1L NS", False),
    ("Started 1L bolus", False),
    ("Pt drank 0.5 L water", False),
    ("Tidal volume increased to 0.5 L", False),
    ("VT 0.5 L, RR increased", False),
    ("Leak increased to 10 L/min", False),
    ("Increased to 10 cm", False),
    ("Pressure increased to 9", False),
    ("CPAP started at 5 cm", False),
    ("Study started at 2", False),
    ("Gain increased to 2", False),
    ("Filter changed to 15 Hz", False),
    ("HR increased to 110", False),
    ("Started 2 min ago", False),
    ("Pt added 2 pillows", False),
    ("Pt turned 2 times", False),
    ("O2-A1 impedance up to 5", False),
    ("O2 sat down to 8", False),
    ("Recording started 22:01", False),
    # hunt 16: German, French and Spanish notes of the gas (its word with the giving or the
    # therapy, the cannula's words, litros, l/mn) were no marks; their EEG electrode, pressure
    # cannula, saturation and leak notes stay none
    ("Sauerstoffgabe 2 l", True),
    ("Sauerstoff angelegt", True),
    ("O2 abgesetzt", True),
    ("Nasenbrille 2l", True),
    ("Lunettes 2L", True),
    ("O2 arrêté", True),
    ("Oxygénothérapie 2 l/mn", True),
    ("Oxygénothérapie", True),
    ("Gafas nasales a 2 litros", True),
    ("Oxígeno a 2 litros por minuto", True),
    ("O2 por gafas nasales", True),
    ("O2 Elektrode abgesetzt", False),
    ("O2-A1 Elektrode neu angelegt", False),
    ("Lunettes nasales de pression", False),
    ("Canule de pression nasale 2", False),
    ("Gafas nasales", False),
    ("Nasenbrille verrutscht", False),
    ("Sauerstoffsättigung 88%", False),
    ("Sauerstoffentsättigung", False),
    ("Saturation en oxygène 88 %", False),
    ("Pression 10 cmH2O, fuite 20 l/mn", False),
    ("Débit de fuite 30 l/mn", False),
]


# What the review of hunt 14 taught the marks to read as no oxygen: a lights word, a
# saturation read, a PAP titration's pressures, masks and flows, minutes.
NOT_OXYGEN_WORDS = [
    "Lights off",
    "Lights on",
    "O2 sat 96%",
    "SpO2 97%",
    "O2 94 %",
    "O2 96 on RA",
    "Desaturation start",
    "CPAP 8",
    "Bilevel 14/10 via full face mask",
    "10 cm H2O",
    "mask flow 30 L/min",
    "High flow 30 L/min",
    "5 minutes",
    # review of hunt 15: flows of other things than the gas, a scored event's airflow
    "Cardiac output 5 L/min",
    "Medical air 4 L/min",
    "Peak flow 4 L/s",
    "Pressure 10 cwp",
]

OXYGEN_MARKS = [
    "O2 2 L/min",
    "Oxygen 1.5 lpm",
    "O2 started",
    "O2 added",
    "2L O2",
    "O2 bleed in 3L",
    "FiO2 0.28",
    "Supplemental O2",
    "O2 continued",
    "on O2",
    "on 2L NC",
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(NOT_OXYGEN_WORDS), max_size=3),
    st.sampled_from(OXYGEN_MARKS),
    st.lists(st.sampled_from(NOT_OXYGEN_WORDS), max_size=3),
    st.sampled_from([", ", " - ", "; ", " "]),
)
def test_a_mark_of_oxygen_stays_one_among_words_of_no_oxygen(
    before: list[str], mark: str, after: list[str], sep: str
) -> None:
    # A missed mark lets an hour on oxygen be the awake baseline (a wrong QUALIFIED): the gas
    # named with a flow or a start word straight on it is a mark whatever the note says besides.
    assert is_oxygen_mark(sep.join([*before, mark, *after]))


#: Flows with the gas unnamed, and words of other flows or events that do not name them (review
#: 2 of hunt 15: any of these anywhere in the note made it no mark).
UNNAMED_FLOWS = ["Started 2 L/min", "Flow 3 lpm", "4 liters per minute", "Increased to 3 L/min"]
WORDS_ELSEWHERE = [
    "air entry clear",
    "after neb",
    "room air sat 86",
    "at peak exercise",
    "co-sleeping",
    "apnea monitor on",
    "hypopnea",
    "vent alarm",
    "suction done",
    "bias",
    "sweep",
    "cardiac output 5 L/min",
    "Air 2 lpm",
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS_ELSEWHERE), max_size=3),
    st.sampled_from(UNNAMED_FLOWS),
    st.lists(st.sampled_from(WORDS_ELSEWHERE), max_size=3),
    st.sampled_from([", ", "; ", " (", " / "]),  # not " - ": 'neb - flow 3' is neb flow 3
)
def test_a_flow_stays_a_mark_whatever_other_flows_words_the_note_holds(
    before: list[str], flow: str, after: list[str], sep: str
) -> None:
    # A word of air, a nebulizer, a peak or an event takes a flow only straight before its
    # number: anywhere else, the note stays a mark and keeps its flow under --deidentify.
    text = sep.join([*before, flow, *after])
    assert is_oxygen_mark(text), text
    kept = scoring_text(text)
    assert kept is not None and set(oxygen_flows_lpm(flow)) <= set(oxygen_flows_lpm(kept))


@pytest.mark.parametrize(("text", "oxygen"), OXYGEN_TEXTS)
def test_a_mark_of_oxygen_given_is_its_own_kind(text: str, oxygen: bool) -> None:
    assert is_oxygen_mark(text) is oxygen
    assert (annotation_kind(text) == ("oxygen", None)) is oxygen
    assert (classify_annotation(text) == "oxygen") is oxygen
    if oxygen:  # --deidentify keeps the mark and its flows, in words that read back as one
        kept = scoring_text(text)
        assert kept is not None and kept.startswith("Supplemental oxygen")
        assert annotation_kind(kept) == ("oxygen", None)
        assert oxygen_flows_lpm(kept) == oxygen_flows_lpm(text)


@pytest.mark.parametrize(
    ("text", "flows"),
    [
        ("O2 4 ltr", (4.0,)),
        ("O2 4 ltrs", (4.0,)),
        ("O2 4 lt/min", (4.0,)),
        ("Pt on 1.5 ltr/min NC", (1.5,)),
        ("4 liters per minute", (4.0,)),
        ("Flow 4 lpm", (4.0,)),
        # every flow a mark names: both ends of a range, and above a flowmeter's 15 L/min
        ("O2 2-4 L/min", (2.0, 4.0)),
        ("O2 4 to 2 L/min", (4.0, 2.0)),
        ("O2 2 \u2013 4 lpm", (2.0, 4.0)),
        ("O2 1.5-2.5 l", (1.5, 2.5)),
        ("O2 2L-4L", (2.0, 4.0)),
        ("O2 titrated from 2 to 4L", (2.0, 4.0)),
        ("O2 20 L/min", (20.0,)),
        ("O2 4 L/min, 25 L/min total", (4.0, 25.0)),
        ("O2 2,5 l", (2.5,)),
        ("O2 started 22:00-2 L", (2.0,)),  # a clock's minutes are no flow
        ("O2 on, 2 L/s", ()),  # litres a second are no flow of the gas
        ("O2 on, 2 L/sec", ()),
        # review 2 of hunt 15: litres a minute then a reading or a posture are no litres a
        # second, and a range's first end is a flow only when it could be one (15 at most, no
        # reading's): "SpO2 92 - 2 L NC" read 92 L/min and a walk on the 2 given was refused
        ("O2 4 L/sat 90", (4.0,)),
        ("O2 4L/SpO2 93%", (4.0,)),
        ("O2 2 L/ sitting", (2.0,)),
        ("SpO2 92 - 2 L NC", (2.0,)),
        ("HR 110 - 3 L/min", (3.0,)),
        ("O2 88-2 L", (2.0,)),
        ("SpO2 9 - 2 L NC", (2.0,)),
        ("Pulse 12 to 2 L/min", (2.0,)),
        # hunt 16: a fraction was read by its denominator alone, "O2 4½ L/min" (NFKC "41⁄2") and
        # "O2 2 1/2 L/min" as the walk's 2 L/min given; its value is read beside it, as a slash
        # is as often a separator (review of hunt 16: "SpO2 94%/2L NC", "RA/2 L/min" read no
        # flow, and "O2/2L NC" half a litre, when the denominator was dropped)
        ("O2 4½ L/min", (4.5, 2.0)),
        ("O2 2 1/2 L/min", (2.5, 2.0)),
        ("O2 1/2 L/min", (0.5, 2.0)),
        ("O2 ½ lpm", (0.5, 2.0)),
        ("SpO2 94%/2L NC", (2.0,)),
        ("O2/2L NC", (2.0,)),
        ("O2/4L/min", (4.0,)),
        ("Sat 88/3L NC", (3.0,)),
        ("SpO2 92 1/2 L NC", (2.0,)),
        ("O2 24/7, 2 L/min", (2.0,)),
        # review of hunt 16: a clock's hour or a count after the gas is no flow
        ("O2 at 10:30", ()),
        ("O2 started 10 p.m.", ()),
        ("O2 on 4 h", ()),
        ("O2 restarted 4 times", ()),
        ("O2 @ 5 Uhr abgesetzt", ()),
        ("O2 - 4 hs", ()),
        ("O2 at 4 o clock", ()),
        # hunt 16: the gas's bare litres were no flow ('O2 @ 2' given as on 4 L/min kept
        # Medicare's > 4 L/min tier), nor an arrow's first end ('O2 2->4 LPM' read 4 alone)
        ("O2 @ 2", (2.0,)),
        ("O2 3", (3.0,)),
        ("O2: 2", (2.0,)),
        ("Oxygen @ 1.5", (1.5,)),
        ("O2 on at 2", (2.0,)),
        ("O2 bleed-in 2", (2.0,)),
        ("O2 up to 3", (3.0,)),
        ("O2 inc from 2 to 4", (2.0, 4.0)),
        ("O2 @ 2 -> 4", (2.0, 4.0)),
        ("O2 @ 2, SpO2 95%", (2.0,)),
        ("CPAP 10 with O2 @ 2", (2.0,)),
        ("O2 2->4 LPM", (2.0, 4.0)),
        ("O2 increased 2->4 LPM", (2.0, 4.0)),
        ("O2 2\u21924 L/min", (2.0, 4.0)),
        ("O2 2 > 4 L", (2.0, 4.0)),
        ("O2 @ 2L NC", (2.0,)),  # read once
        ("O2 started at 1:30", ()),  # a clock's hour is no flow
        ("O2 on at 2 am", ()),
    ],
)
def test_flows_written_in_ltr_or_lt_per_min_are_read(text: str, flows: tuple[float, ...]) -> None:
    # "O2 4 ltr" was a mark naming no flow: a walk on oxygen given as 2 L/min beside it was
    # not held against its 4 L/min (review of hunt 15); nor were "O2 2-4 L/min" (4 alone) and
    # "O2 20 L/min" (none: flows above 15 were dropped)
    assert is_oxygen_mark(text)
    assert oxygen_flows_lpm(text) == flows
    # --deidentify writes every flow, and reads them back
    kept = scoring_text(text)
    assert kept is not None and oxygen_flows_lpm(kept) == flows


@pytest.mark.parametrize(
    ("text", "walk"),
    [
        ("Exercise start", True),
        ("Walk", True),
        ("6MWT start", True),
        ("6-min walk", True),
        ("Walk on O2 2 L/min", True),
        ("Treadmill", True),
        ("Patient ambulating", True),
        ("Gehtest", True),
        ("Post-exercise", True),
        ("exercise", False),  # the segment's name: a segment, or its mark
        ("Exercise O2", False),
        ("Rest", False),
        ("Rest before walk", False),
        ("Pre-exercise baseline", False),
        ("Thorax effort", False),
        ("Desaturation", False),
        # review of hunt 16: a walk not taken
        ("Seated, no exercise", False),
        ("Patient unable to walk", False),
        ("Walk cancelled", False),
        ("6MWT start, no O2", True),
        ("Walk, not limited by pain", True),
    ],
)
def test_a_note_naming_a_walk_is_read(text: str, walk: bool) -> None:
    """A walk marked otherwise than by a segment's name (hunt 16: 'Exercise start' in a rest
    test was read as rest)."""
    assert is_walk_note(text) is walk
