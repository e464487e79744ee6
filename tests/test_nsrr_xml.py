"""NSRR and Profusion XML annotations beside an EDF: stages, scored events with nadir/baseline.

The XML is written here from the simulator's known hypnogram and desaturations, in each dialect's
layout (``../shared/formats.md``), so the stages and events read back are exact.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from oxi.cli import main
from oxi.pipeline import AnalyzeRequest, analyze_file
from oxi.verify import verify
from oximetry.errors import OximetryError, RecordingFormatError
from oximetry.io.nsrr_xml import find_xml_beside, read_xml_annotations
from oximetry.simulate import Desaturation, simulate_night, write_edf

START = dt.datetime(2026, 3, 2, 22, 30, 0)
HYP = ((0.0, 1800.0, "W"), (1800.0, 3600.0, "N2"), (5400.0, 1800.0, "R"), (7200.0, 3600.0, "N3"))
DESATS = (Desaturation(2400.0, 6.0, 30.0), Desaturation(6000.0, 8.0, 40.0))
_NSRR_STAGE = {"W": "Wake|0", "N1": "Stage 1 sleep|1", "N2": "Stage 2 sleep|2",
               "N3": "Stage 3 sleep|3", "R": "REM sleep|5"}  # fmt: skip
_PROF_STAGE = {"W": 0, "N1": 1, "N2": 2, "N3": 3, "R": 5}


def _nsrr_xml(clock: str = "00.00.00 22.30.00") -> str:
    events = [
        "<ScoredEvent><EventType/><EventConcept>Recording Start Time</EventConcept><Start>0</Start>"
        f"<Duration>10800</Duration><ClockTime>{clock}</ClockTime></ScoredEvent>"
    ]
    for onset, dur, stage in HYP:
        for k in range(int(dur // 30)):
            events.append(
                "<ScoredEvent><EventType>Stages|Stages</EventType>"
                f"<EventConcept>{_NSRR_STAGE[stage]}</EventConcept><Start>{onset + 30 * k}</Start>"
                "<Duration>30.0</Duration></ScoredEvent>"
            )
    for d in DESATS:
        events.append(
            "<ScoredEvent><EventType>Respiratory|Respiratory</EventType>"
            "<EventConcept>SpO2 desaturation|SpO2 desaturation</EventConcept>"
            f"<Start>{d.start_s}</Start><Duration>{d.end_s - d.start_s}</Duration>"
            f"<SignalLocation>SaO2</SignalLocation><SpO2Nadir>{96 - d.depth_pts:g}</SpO2Nadir>"
            "<SpO2Baseline>96</SpO2Baseline></ScoredEvent>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<PSGAnnotation>'
        "<SoftwareVersion>Compumedics</SoftwareVersion><EpochLength>30</EpochLength>"
        f"<ScoredEvents>{''.join(events)}</ScoredEvents></PSGAnnotation>"
    )


def _profusion_xml() -> str:
    events = "".join(
        f"<ScoredEvent><Name>SpO2 desaturation</Name><Start>{d.start_s}</Start>"
        f"<Duration>{d.end_s - d.start_s}</Duration><Input>SaO2</Input>"
        f"<LowestSpO2>{96 - d.depth_pts:g}</LowestSpO2><Desaturation>{d.depth_pts:g}</Desaturation>"
        "</ScoredEvent>"
        for d in DESATS
    )
    stages = "".join(
        f"<SleepStage>{_PROF_STAGE[s]}</SleepStage>"
        for _, dur, s in HYP
        for _ in range(int(dur // 30))
    )
    return (
        "<CMPStudyConfig><EpochLength>30</EpochLength>"
        f"<ScoredEvents>{events}</ScoredEvents><SleepStages>{stages}</SleepStages></CMPStudyConfig>"
    )


@pytest.fixture()
def edf(tmp_path: Path) -> Path:
    night, _ = simulate_night(
        fs=1.0, duration_s=3 * 3600, seed=21, desaturations=DESATS, start=START
    )
    return write_edf(night, tmp_path / "shhs1-200001.edf")


@pytest.mark.parametrize("dialect", ["nsrr", "profusion"])
def test_stages_and_events_read_exactly(tmp_path: Path, dialect: str) -> None:
    path = tmp_path / f"x-{dialect}.xml"
    path.write_text(_nsrr_xml() if dialect == "nsrr" else _profusion_xml())
    xml = read_xml_annotations(path, start=START)
    assert xml.dialect == dialect
    assert xml.staging == HYP
    got = [(e.onset_s, e.duration_s, e.nadir_pct, e.baseline_pct) for e in xml.events]
    assert got == [(d.start_s, d.end_s - d.start_s, 96 - d.depth_pts, 96.0) for d in DESATS]


@pytest.mark.parametrize("suffix", ["-nsrr.xml", "-profusion.xml", ".edf.XML"])
def test_found_beside_the_edf_and_used_by_the_analysis(edf: Path, suffix: str) -> None:
    xml = edf.with_name(edf.stem + suffix if suffix != ".edf.XML" else edf.name + ".XML")
    xml.write_text(_nsrr_xml() if "nsrr" in suffix else _profusion_xml())
    assert find_xml_beside(edf) == xml
    outcome = analyze_file(edf, AnalyzeRequest(report=False))
    assert outcome.analysis.main_window == "sleep"  # staged by the XML, not presumed
    scored = [e for e in outcome.analysis.events if e.type == "scored"]
    assert [(e.start_s, e.nadir_pct, e.baseline_pct, e.drop_pct) for e in scored] == [
        (d.start_s, 96 - d.depth_pts, 96.0, d.depth_pts) for d in DESATS
    ]
    assert outcome.summary["input"]["read_options"]["annotations"] == str(xml)


def test_explicit_annotations_verify(edf: Path, tmp_path: Path) -> None:
    xml = tmp_path / "elsewhere.xml"
    xml.write_text(_nsrr_xml())
    out = tmp_path / "out"
    assert (
        main(["analyze", str(edf), "--annotations", str(xml), "--no-report", "--out", str(out)])
        == 0
    )
    assert verify(out / "summary.json", edf) == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('<!DOCTYPE x [<!ENTITY a "b">]><PSGAnnotation/>', "entity declaration is refused"),
        ("<PSGAnnotation><ScoredEvents>", "not well-formed XML"),
        ("<Other/>", "neither NSRR"),
        (_nsrr_xml("00.00.00 21.10.00"), "belong to another recording"),
        # without a start time, or one that cannot be read, nothing ties the stages to this
        # night (sixth review: another night's stages were laid over it and it qualified)
        (_nsrr_xml("2026-03-02T22:30:00"), "is not a clock time"),
        (
            re.sub(
                r"<ScoredEvent><EventType/><EventConcept>Recording Start Time.*?</ScoredEvent>",
                "",
                _nsrr_xml(),
            ),
            "hold no Recording Start Time",
        ),
        (_profusion_xml().replace("<SleepStage>5<", "<SleepStage>R2<", 1), "not a stage code"),
        (_nsrr_xml().replace("<SpO2Nadir>90", "<SpO2Nadir>x", 1), "not a number"),
    ],
)
def test_bad_annotation_files_are_refused(
    edf: Path, tmp_path: Path, text: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    xml = tmp_path / "bad.xml"
    xml.write_text(text)
    with pytest.raises(RecordingFormatError, match=reason):
        read_xml_annotations(xml, start=START)
    code = main(
        [
            "analyze",
            str(edf),
            "--annotations",
            str(xml),
            "--no-report",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(xml) in err
    assert not (tmp_path / "o").exists()


def test_deidentified_summary_holds_no_annotation_path_and_still_verifies(
    edf: Path, tmp_path: Path
) -> None:
    # The XML's path names the subject (NSRR names it after the record); input.path is the
    # file's hash when de-identifying, and the annotation file must not bring the path back.
    xml = edf.with_name(edf.stem + "-nsrr.xml")
    xml.write_text(_nsrr_xml())
    out = tmp_path / "out"
    assert main(["analyze", str(edf), "--deidentify", "--no-report", "--out", str(out)]) == 0
    text = (out / "summary.json").read_text()
    assert edf.stem not in text and str(tmp_path) not in text
    assert verify(out / "summary.json", edf) == []
    xml.write_text(_nsrr_xml().replace("<SpO2Nadir>90", "<SpO2Nadir>89", 1))
    differences = verify(out / "summary.json", edf)
    assert differences[0].startswith("input.read_options.annotations: the annotation file read")
    assert "files.events.csv: the recorded events table is not the one recomputed" in differences
    xml.unlink()
    with pytest.raises(OximetryError, match="annotation file"):
        verify(out / "summary.json", edf)


def test_deidentified_scored_events_keep_the_scorer_nadir_and_baseline(edf: Path) -> None:
    # --deidentify keeps only the scoring vocabulary of annotation texts; the numbers the scorer
    # gave (nadir, baseline) are not text and are the same figures as without it.
    edf.with_name(edf.stem + "-nsrr.xml").write_text(_nsrr_xml())
    plain, deid = (
        analyze_file(edf, AnalyzeRequest(report=False, deidentify=d)) for d in (False, True)
    )
    for outcome in (plain, deid):
        scored = [e for e in outcome.analysis.events if e.type == "scored"]
        assert [(e.start_s, e.nadir_pct, e.baseline_pct) for e in scored] == [
            (d.start_s, 96 - d.depth_pts, 96.0) for d in DESATS
        ]


def test_profusion_stages_of_another_night_running_past_the_end_are_refused(edf: Path) -> None:
    # a Profusion stage list carries no times: another night's 4 h laid on this 3-h recording
    # put its sleep over the morning's wake, as a one-stage-per-row hypnogram that is refused
    xml = edf.with_name(edf.name + ".XML")
    longer = _profusion_xml().replace(
        "</SleepStages>", "<SleepStage>2</SleepStage>" * 120 + "</SleepStages>"
    )
    xml.write_text(longer)
    with pytest.raises(RecordingFormatError, match="past the recording's end") as info:
        analyze_file(edf, AnalyzeRequest(report=False))
    assert str(xml) in str(info.value)
    # five minutes past the end are a recorder that stopped before the scoring did
    xml.write_text(
        _profusion_xml().replace(
            "</SleepStages>", "<SleepStage>2</SleepStage>" * 10 + "</SleepStages>"
        )
    )
    assert analyze_file(edf, AnalyzeRequest(report=False)).analysis.main_window == "sleep"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_declaration_in_utf16_is_refused(tmp_path: Path, codec: str) -> None:
    """The refusal of a document type or entity declaration looked for its bytes in ASCII only:
    written in UTF-16 (which expat reads), ``<!DOCTYPE`` with entities was parsed and its
    entities expanded into the file's text (hunt 16). A UTF-16 file without one is read."""
    head = '<?xml version="1.0" encoding="UTF-16"?>\n'
    bad = head + '<!DOCTYPE x [<!ENTITY a "b">]><PSGAnnotation>&a;</PSGAnnotation>'
    xml = tmp_path / "bad.xml"
    xml.write_bytes(bad.encode(codec))
    with pytest.raises(RecordingFormatError, match="entity declaration is refused"):
        read_xml_annotations(xml, start=START)
    good = tmp_path / "good.xml"
    good.write_bytes((head + _nsrr_xml().split("?>", 1)[-1].lstrip()).encode("utf-16"))
    assert read_xml_annotations(good, start=START).dialect == "nsrr"


def test_nsrr_stages_all_after_the_recording_are_refused(edf: Path) -> None:
    # every stage past the EDF's end was dropped and the night fell back to a presumed-sleep
    # window: a PSG's oximetry passed for stand-alone overnight oximetry (Medicare Group I-2)
    xml = edf.with_name(edf.stem + "-nsrr.xml")
    text = _nsrr_xml()
    for onset, dur, _ in HYP:
        for k in range(int(dur // 30)):
            t = onset + 30 * k
            text = text.replace(
                f"<Start>{t}</Start><Duration>30.0", f"<Start>{t + 3 * 3600}</Start><Duration>30.0"
            )
    xml.write_text(text)
    with pytest.raises(RecordingFormatError, match="none within the recording") as info:
        analyze_file(edf, AnalyzeRequest(report=False))
    assert str(xml) in str(info.value)
