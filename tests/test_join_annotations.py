"""NSRR XML annotations of a night joined from several EDFs (issue 15 and NSRR).

Each EDF's annotation file (NSRR-named beside it) counts its times from that EDF's start, as its
``Recording Start Time`` says; it is read with that EDF and placed at that file's time in the
joined night. ``--annotations FILE`` names one file's annotations and is refused for several
files (which start it counts from cannot be told; a guess would misplace every stage).

A simulated night is cut into two EDFs with a pause between them; the hypnogram is written for
the whole night in seconds from its start, and each part's XML holds its own piece in seconds
from that part's start. The joined analysis must stage exactly the whole night's hypnogram.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from oxi.cli import main
from oxi.pipeline import AnalyzeRequest, analyze_file
from oximetry.model import Recording, Signal
from oximetry.simulate import Desaturation, simulate_night, write_edf
from tests.nsrr_fixtures import nsrr_xml

START = dt.datetime(2026, 3, 1, 22, 0, 0)
#: The two files: [0, 3600) s and [4500, 10800) s of the night; 15 minutes off the finger.
CUTS = ((0, 3600), (4500, 10800))
#: The night's hypnogram, seconds from the night's start (none in the pause).
STAGES = (
    (0.0, 1800.0, "W"),
    (1800.0, 1800.0, "N2"),
    (4500.0, 600.0, "W"),
    (5100.0, 2100.0, "R"),
    (7200.0, 3600.0, "N3"),
)
#: Scored desaturations: (start_s, duration_s, nadir, baseline) from the night's start.
SCORED = ((2400.0, 30.0, 90.0, 96.0), (6000.0, 40.0, 88.0, 96.0))


def _piece(night: Recording, i0: int, i1: int) -> Recording:
    def cut(sig: Signal | None) -> Signal | None:
        return None if sig is None else replace(sig, data=sig.data[i0:i1].copy())

    spo2 = cut(night.spo2)
    assert spo2 is not None
    return replace(night, spo2=spo2, pulse=cut(night.pulse), start=night.time_at(i0),
                   annotations=())  # fmt: skip


def _own_piece(a: float, b: float) -> str:
    """Return the XML of the file covering [a, b) s of the night: its times from ``a``."""
    stages = [(o - a, d, s) for o, d, s in STAGES if a <= o < b]
    scored = [(o - a, d, n, base) for o, d, n, base in SCORED if a <= o < b]
    return nsrr_xml(START + dt.timedelta(seconds=a), stages, scored)


@pytest.fixture(scope="module")
def night() -> Recording:
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=3 * 3600,
        seed=43,
        desaturations=[Desaturation(2400.0, 6.0, 30.0), Desaturation(6000.0, 8.0, 40.0)],
        start=START,
    )
    return rec


@pytest.fixture()
def files(tmp_path: Path, night: Recording) -> list[Path]:
    folder = tmp_path / "night"
    folder.mkdir()
    out = []
    for k, (a, b) in enumerate(CUTS):
        edf = write_edf(_piece(night, a, b), folder / f"shhs1-2000{k}.edf")
        edf.with_name(f"{edf.stem}-nsrr.xml").write_text(_own_piece(a, b))
        out.append(edf)
    return out


def _stages(recording: Recording) -> list[tuple[float, float, str]]:
    spans: list[tuple[float, float, str]] = []
    for a in recording.annotations:
        if not a.text.startswith("Sleep stage "):
            continue
        stage = a.text.removeprefix("Sleep stage ")
        if spans and spans[-1][2] == stage and spans[-1][0] + spans[-1][1] == a.onset_s:
            spans[-1] = (spans[-1][0], spans[-1][1] + a.duration_s, stage)
        else:
            spans.append((a.onset_s, a.duration_s, stage))
    return spans


@pytest.mark.parametrize("as_folder", [False, True])
def test_each_file_s_annotations_land_at_that_file_s_time(
    files: list[Path], as_folder: bool
) -> None:
    target: str | list[str] = str(files[0].parent) if as_folder else [str(f) for f in files]
    outcome = analyze_file(target, AnalyzeRequest(report=False))
    analysis = outcome.analysis
    assert _stages(analysis.recording) == list(STAGES)
    sleep = next(w for w in analysis.windows if w.kind == "sleep")
    assert sleep.spans_s == ((1800.0, 3600.0), (5100.0, 10800.0))
    awake = next(w for w in analysis.windows if w.kind == "awake")
    assert awake.spans_s == ((0.0, 1800.0), (4500.0, 5100.0))
    scored = [(e.start_s, e.nadir_pct, e.baseline_pct) for e in analysis.events
              if e.type == "scored"]  # fmt: skip
    assert scored == [(o, n, base) for o, _, n, base in SCORED]
    parts = outcome.summary["input"]["parts"]
    assert [Path(p["annotations"]).name for p in parts] == [
        "shhs1-20000-nsrr.xml",
        "shhs1-20001-nsrr.xml",
    ]
    assert "annotations" not in outcome.summary["input"]["read_options"]


def test_the_joined_night_verifies_and_an_edited_part_annotation_is_named(
    files: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["analyze", *map(str, files), "--no-report", "--out", str(out)]) == 0
    # The reviewer receives the night elsewhere: the EDFs with their XMLs beside them.
    moved = tmp_path / "received"
    shutil.copytree(files[0].parent, moved)
    capsys.readouterr()
    assert main(["verify", str(out / "summary.json"), str(moved)]) == 0
    assert capsys.readouterr().out.startswith("verified")
    xml = moved / "shhs1-20001-nsrr.xml"
    xml.write_text(xml.read_text().replace("<SpO2Nadir>88<", "<SpO2Nadir>87<", 1))
    assert main(["verify", str(out / "summary.json"), str(moved)]) == 1
    text = capsys.readouterr().out
    assert "input.parts[1].annotations: the annotation file read for file 2 of the night" in text
    assert "input.parts[0]" not in text and "input.sha256" not in text


def test_a_deidentified_joined_night_verifies_and_records_no_annotation_path(
    files: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["analyze", *map(str, files), "--deidentify", "--no-report", "--out", str(out)]
    assert main(args) == 0
    text = (out / "summary.json").read_text()
    assert "shhs1-2000" not in text and str(tmp_path) not in text
    parts = json.loads(text)["input"]["parts"]
    assert all(p["annotations"] == "sha256:" + p["annotations_sha256"] for p in parts)
    capsys.readouterr()
    assert main(["verify", str(out / "summary.json"), *map(str, files)]) == 0


@pytest.mark.parametrize("deidentify", [False, True])
def test_verify_names_each_file_s_annotation_file_it_used(
    files: list[Path],
    tmp_path: Path,
    deidentify: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``verified`` holds for the scoring read: the annotation file beside each file is named
    (hunt 12), and under --deidentify said by the file's place among those given and its sha256
    only (NSRR names it after the subject, docs/privacy.md)."""
    extra = ("--deidentify",) if deidentify else ()
    out = tmp_path / "out"
    assert main(["analyze", *map(str, files), "--no-report", "--out", str(out), *extra]) == 0
    capsys.readouterr()
    assert main(["verify", str(out / "summary.json"), *map(str, files)]) == 0
    (note,) = [n for n in capsys.readouterr().out.splitlines() if "annotation" in n]
    xmls = [f.with_name(f"{f.stem}-nsrr.xml") for f in files]
    shas = [hashlib.sha256(x.read_bytes()).hexdigest()[:16] for x in xmls]
    names = (
        [f"file {k + 1} of {len(files)} given" for k in range(len(files))]
        if deidentify
        else list(map(str, xmls))
    )
    listed = ", ".join(f"{n} (sha256 {s}…)" for n, s in zip(names, shas, strict=True))
    withheld = " (names withheld: the summary is de-identified)" if deidentify else ""
    assert note == (
        "note: sleep stages and scored events of the night's files were read from the "
        f"annotation file NSRR-named beside each: {listed}{withheld}; every figure and the "
        "determination are those of their scoring"
    )


def test_a_missing_part_annotation_is_one_line(
    files: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["analyze", *map(str, files), "--no-report", "--out", str(out)]) == 0
    (files[1].parent / "shhs1-20001-nsrr.xml").unlink()
    capsys.readouterr()
    assert main(["verify", str(out / "summary.json"), *map(str, files)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert "annotation file for file 2 of the night" in captured.err


def test_an_annotation_file_of_another_part_is_refused_not_misplaced(
    files: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The second file's XML beside the first: its Recording Start Time is not the first file's.
    second = files[1].with_name("shhs1-20001-nsrr.xml")
    shutil.copy(second, files[0].with_name("shhs1-20000-nsrr.xml"))
    out = tmp_path / "out"
    assert main(["analyze", *map(str, files), "--no-report", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "belong to another recording" in err
    assert "shhs1-20000-nsrr.xml" in err
    assert not out.exists()


def test_annotations_option_is_refused_for_several_files(
    files: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xml = tmp_path / "whole-night.xml"
    xml.write_text(nsrr_xml(START, STAGES, SCORED))
    out = tmp_path / "out"
    args = ["analyze", *map(str, files), "--annotations", str(xml), "--no-report"]
    assert main([*args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"oxi: {xml}: --annotations names one recording's annotations")
    assert err.count("\n") == 1 and not out.exists()
    # Nor can verify be given one for a joined night's summary.
    assert main(["analyze", *map(str, files), "--no-report", "--out", str(out)]) == 0
    capsys.readouterr()
    code = main(["verify", str(out / "summary.json"), *map(str, files), "--annotations", str(xml)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "joined from 2 files" in err


def test_a_folder_of_one_edf_and_its_xml_is_that_edf_with_its_annotations(
    files: list[Path], tmp_path: Path
) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    for f in (files[1], files[1].with_name("shhs1-20001-nsrr.xml")):
        shutil.copy(f, alone / f.name)
    outcome = analyze_file(str(alone), AnalyzeRequest(report=False))
    assert "parts" not in outcome.summary["input"]
    assert outcome.analysis.main_window == "sleep"
    assert outcome.summary["input"]["read_options"]["annotations"].endswith("-nsrr.xml")


def test_batch_join_nights_reads_each_file_s_annotations_as_analyze_does(
    files: list[Path], tmp_path: Path
) -> None:
    from oxi.batch import run_batch

    out = tmp_path / "out"
    request = AnalyzeRequest(report=False)
    result = run_batch([str(files[0].parent)], out, request=request, jobs=1, join_nights=True)
    assert result.n_failed == 0
    [summary_path] = out.glob("*/summary.json")  # one night: the XMLs are not recordings
    summary = json.loads(summary_path.read_text())
    alone = analyze_file([str(f) for f in files], request).summary
    assert summary["windows"] == alone["windows"] and summary["main_window"] == "sleep"
    assert summary["input"]["parts"] == alone["input"]["parts"]


def test_a_resumed_batch_redoes_a_night_whose_annotation_file_changed(
    files: list[Path], tmp_path: Path
) -> None:
    # The XML is not part of the recording's sha256: without looking at it, a resumed batch
    # would keep outputs made from the file as it was.
    from oxi.batch import run_batch

    out = tmp_path / "out"
    request = AnalyzeRequest(report=False)

    def run() -> tuple[int, dict]:
        result = run_batch([str(files[0].parent)], out, request=request, jobs=1, join_nights=True)
        [summary_path] = out.glob("*/summary.json")
        return result.n_skipped, json.loads(summary_path.read_text())

    assert run()[0] == 0
    assert run()[0] == 1  # nothing changed: reused
    xml = files[1].with_name("shhs1-20001-nsrr.xml")
    xml.write_text(xml.read_text().replace("<SpO2Nadir>88<", "<SpO2Nadir>87<", 1))
    skipped, summary = run()
    assert skipped == 0
    digest = hashlib.sha256(xml.read_bytes()).hexdigest()
    assert summary["input"]["parts"][1]["annotations_sha256"] == digest
    xml.unlink()
    skipped, summary = run()
    assert skipped == 0 and "annotations" not in summary["input"]["parts"][1]


def _profusion(stages: list[int]) -> str:
    sleep = "".join(f"<SleepStage>{s}</SleepStage>" for s in stages)
    return (
        "<CMPStudyConfig><EpochLength>30</EpochLength><ScoredEvents></ScoredEvents>"
        f"<SleepStages>{sleep}</SleepStages></CMPStudyConfig>"
    )


def test_a_resumed_batch_redoes_a_night_whose_parts_annotation_files_were_swapped(
    tmp_path: Path,
) -> None:
    # Profusion stages carry no time: two parts' files given each other's names are read, each
    # laid over the other part. Compared as one pool of digests, the names put right afterwards
    # kept the earlier row: 15 min at 84 % in the first part's first 2 h, awake, counted as
    # sleep.
    from oxi.batch import run_batch

    night, _ = simulate_night(
        fs=1.0, duration_s=8 * 3600, seed=7, noise_pts=0.4, start=START,
        sustained_drops=[(1800.0, 900.0, 84.0)],
    )  # fmt: skip
    folder = tmp_path / "night"
    folder.mkdir()
    for k, (a, b) in enumerate(((0, 4 * 3600), (4 * 3600 + 300, 8 * 3600))):
        write_edf(_piece(night, a, b), folder / f"part{k}.edf")
    epochs = 4 * 3600 // 30
    awake_first = _profusion([0] * (epochs // 2) + [2] * (epochs - epochs // 2))
    asleep = _profusion([2] * (epochs - 10))
    xml0, xml1 = folder / "part0-profusion.xml", folder / "part1-profusion.xml"
    out = tmp_path / "out"
    request = AnalyzeRequest(report=False)

    def run() -> tuple[int, float]:
        result = run_batch([str(folder)], out, request=request, jobs=1, join_nights=True)
        [summary_path] = out.glob("*/summary.json")
        summary = json.loads(summary_path.read_text())
        return result.n_skipped, summary["metrics"]["sleep"]["t_le88_min"]

    xml0.write_text(asleep)  # swapped
    xml1.write_text(awake_first)
    skipped, minutes = run()
    assert skipped == 0 and minutes > 14.0
    xml0.write_text(awake_first)  # put right
    xml1.write_text(asleep)
    skipped, minutes = run()
    assert skipped == 0 and minutes == 0.0
    assert run()[0] == 1  # nothing changed since: reused
