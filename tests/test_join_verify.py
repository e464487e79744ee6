"""A joined night end to end: its figures, its summary, and ``oxi verify`` of it (issue 15).

A simulated night with one known plateau at 85 % is cut into three Contec files with a pause
that removes part of the plateau; the joined night's time at or below 88 % is the unsplit
night's minus what lay in the pause, and ``oxi verify`` re-reads and re-joins the files.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from oxi.cli import main
from oxi.pipeline import AnalyzeRequest, analyze_file
from oxi.verify import group_differences, verify
from oximetry.model import Recording, Signal
from oximetry.simulate import simulate_night
from oximetry.simulate_native import write_contec

START = dt.datetime(2026, 3, 1, 22, 0, 0)
ROOT = Path(__file__).resolve().parents[1]
#: The contract checker beside the repository (``../shared``; CI clones it there).
CHECK = ROOT.parent / "shared" / "tools" / "check_summary.py"
#: Plateau at 85 % for [3000, 4200) s; the pause [3600, 4500) s removes its last 600 s.
PLATEAU = (3000.0, 1200.0, 85.0)
CUTS = ((0, 3600), (4500, 7000), (7000, 10800))


def _piece(night: Recording, i0: int, i1: int) -> Recording:
    def cut(sig: Signal | None) -> Signal | None:
        return None if sig is None else replace(sig, data=sig.data[i0:i1].copy())

    spo2 = cut(night.spo2)
    assert spo2 is not None
    return replace(
        night, spo2=spo2, pulse=cut(night.pulse), start=night.time_at(i0), annotations=()
    )


@pytest.fixture(scope="module")
def night() -> Recording:
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=3 * 3600,
        seed=41,
        desaturations=12,
        sustained_drops=[PLATEAU],
        start=START,
    )
    return rec


@pytest.fixture()
def files(tmp_path: Path, night: Recording) -> list[Path]:
    folder = tmp_path / "night"
    folder.mkdir()
    return [
        write_contec(_piece(night, a, b), folder / f"part{k}.SpO2") for k, (a, b) in enumerate(CUTS)
    ]


def test_minutes_at_or_below_88_lose_exactly_what_lay_in_the_pause(
    tmp_path: Path, night: Recording, files: list[Path]
) -> None:
    whole = write_contec(night, tmp_path / "whole.SpO2")
    request = AnalyzeRequest(report=False)
    unsplit = analyze_file(whole, request).summary
    joined = analyze_file([str(f) for f in files], request).summary
    in_pause = int(np.count_nonzero(night.spo2.data[3600:4500] <= 88.0))
    assert in_pause >= 600  # the plateau's last 600 s, and its ramp back up
    a = unsplit["metrics"]["presumed_sleep"]["t_le88_min"]
    b = joined["metrics"]["presumed_sleep"]["t_le88_min"]
    assert b == pytest.approx(a - in_pause / 60, abs=1e-6)
    assert joined["recording"]["samples"] == unsplit["recording"]["samples"] == 10800
    assert joined["recording"]["valid_min"] == pytest.approx(
        unsplit["recording"]["valid_min"] - 15.0, abs=1e-6
    )


def test_the_summary_lists_each_file_and_passes_the_contract(
    tmp_path: Path, files: list[Path]
) -> None:
    out = tmp_path / "out"
    analyze_file([str(f) for f in reversed(files)], AnalyzeRequest(report=False), out_dir=out)
    summary = json.loads((out / "summary.json").read_text())
    parts = summary["input"]["parts"]
    assert [p["path"] for p in parts] == [str(f) for f in files]  # time order
    assert [p["start"] for p in parts] == [
        "2026-03-01T22:00:00",
        "2026-03-01T23:15:00",
        "2026-03-01T23:56:40",
    ]
    assert [p["samples"] for p in parts] == [3600, 2500, 3800]
    import hashlib

    digests = [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    assert [p["sha256"] for p in parts] == digests
    assert summary["input"]["sha256"] == hashlib.sha256("".join(digests).encode()).hexdigest()
    single = tmp_path / "single"
    analyze_file(files[0], AnalyzeRequest(report=False), out_dir=single)
    assert "parts" not in json.loads((single / "summary.json").read_text())["input"]
    if CHECK.is_file():
        done = subprocess.run(
            [sys.executable, str(CHECK), str(out / "summary.json"), str(single / "summary.json")],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout


def test_deidentified_summary_names_the_files_by_hash_only(
    tmp_path: Path, files: list[Path]
) -> None:
    out = tmp_path / "out"
    analyze_file(
        [str(f) for f in files], AnalyzeRequest(report=False, deidentify=True), out_dir=out
    )
    text = (out / "summary.json").read_text()
    assert "part1" not in text and str(files[0].parent) not in text
    parts = json.loads(text)["input"]["parts"]
    assert all(p["path"] == p["sha256"] for p in parts)
    assert verify(out / "summary.json", [str(f) for f in files]) == []


def test_verify_re_joins_the_files_and_names_a_changed_or_missing_one(
    tmp_path: Path, files: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(["analyze", *map(str, files), "--no-report", "--out", str(out)])
    assert code == 0
    summary = str(out / "summary.json")
    moved = tmp_path / "moved"
    shutil.copytree(files[0].parent, moved)  # moved and renamed: still the same night
    (moved / "part1.SpO2").rename(moved / "renamed.SpO2")
    capsys.readouterr()
    assert main(["verify", summary, str(moved)]) == 0
    assert "verified" in capsys.readouterr().out
    assert main(["verify", summary, *map(str, sorted(moved.iterdir()))]) == 0
    capsys.readouterr()

    # One file left out: named, and the figures differ.
    differences = verify(summary, [str(files[0]), str(files[2])])
    grouped = group_differences(differences)
    assert any(str(files[1]) in d and "not among the files given" in d for d in grouped["identity"])
    assert "figures" in grouped
    assert main(["verify", summary, str(files[0]), str(files[2])]) == 1
    out_text = capsys.readouterr().out
    assert out_text.startswith("NOT VERIFIED") and "identity:" in out_text

    # One file edited (one SpO2 value changed): named, as recorded and as given.
    data = bytearray((moved / "renamed.SpO2").read_bytes())
    data[1084 + 2 * 100] = 80
    (moved / "renamed.SpO2").write_bytes(bytes(data))
    differences = verify(summary, moved)
    assert any(str(files[1]) in d and "not among the files given" in d for d in differences)
    assert any("renamed.SpO2" in d and "not one of the summary's files" in d for d in differences)
    assert main(["verify", summary, str(moved)]) == 1


def test_verify_of_a_single_file_summary_given_the_night_says_so(
    tmp_path: Path, files: list[Path]
) -> None:
    out = tmp_path / "one"
    analyze_file(files[0], AnalyzeRequest(report=False), out_dir=out)
    differences = verify(out / "summary.json", [str(f) for f in files])
    assert any(str(files[1]) in d and "not one of the summary's files" in d for d in differences)
    assert not any(str(files[0]) in d for d in differences)
    assert verify(out / "summary.json", files[0]) == []


def test_a_joined_summary_without_parts_is_told_apart(tmp_path: Path, files: list[Path]) -> None:
    out = tmp_path / "out"
    analyze_file([str(f) for f in files], AnalyzeRequest(report=False), out_dir=out)
    summary = json.loads((out / "summary.json").read_text())
    del summary["input"]["parts"]
    (out / "summary.json").write_text(json.dumps(summary))
    differences = verify(out / "summary.json", [str(f) for f in files])
    assert differences == [
        "input.parts: the summary does not list the night's files (made by an oxi that did not "
        "record input.parts)"
    ]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_report_page_one_names_the_joined_files_not_the_last_alone(
    tmp_path: Path, files: list[Path]
) -> None:
    # It showed "File: part2.SpO2": the last file's name, as if the night were that file.
    out = tmp_path / "out"
    analyze_file([str(f) for f in files], AnalyzeRequest(), out_dir=out)
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(out / "report.pdf"), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "Files: 3 joined, part0.SpO2 … part2.SpO2" in " ".join(text.split())


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda parts: 5, "input.parts is not a list of files"),
        (lambda parts: {"0": parts[0]}, "input.parts is not a list of files"),
        (lambda parts: [*parts[:2], "part2.SpO2"], "input.parts[2] is not a file's entry"),
        (
            lambda parts: [parts[0], {**parts[1], "sha256": [parts[1]["sha256"]]}, parts[2]],
            "input.parts[1].sha256 is not a sha256",
        ),
        (
            lambda parts: [{**parts[0], "sha256": {}, "annotations": "a.xml"}, *parts[1:]],
            "input.parts[0].sha256 is not a sha256",
        ),
        (
            lambda parts: [{**parts[0], "path": [1]}, *parts[1:]],
            "input.parts[0].path is not a path",
        ),
        (
            lambda parts: [{**parts[0], "annotations": ["a.xml"]}, *parts[1:]],
            "input.parts[0].annotations is not a path",
        ),
        (
            lambda parts: [*parts[:2], {**parts[2], "annotations_sha256": 5}],
            "input.parts[2].annotations_sha256 is not a sha256",
        ),
        (  # a scoring's sha256 where no annotation file was read verified (hunt 13)
            lambda parts: [*parts[:2], {**parts[2], "annotations_sha256": "c" * 64}],
            "input.parts[2].annotations_sha256 without an annotation file "
            "(input.parts[2].annotations); oxi records both or neither",
        ),
        (
            lambda parts: [*parts[:2], {**parts[2], "companions": [{"path": "x", "sha256": [1]}]}],
            "input.parts[2].companions[0].sha256 is not a sha256",
        ),
    ],
)
def test_parts_of_a_type_oxi_never_writes_are_not_an_oxi_summary(
    tmp_path: Path,
    files: list[Path],
    capsys: pytest.CaptureFixture[str],
    edit: Any,
    key: str,
) -> None:
    """A hand-edited ``input.parts`` of another type (5, a part's sha256 made a list) stopped
    verify as an internal error (exit 4, TypeError: verify looks the files up by their sha256);
    it is now one line naming the summary and the key, exit 2 (hunt 12)."""
    out = tmp_path / "out"
    analyze_file([str(f) for f in files], AnalyzeRequest(report=False), out_dir=out)
    summary = json.loads((out / "summary.json").read_text())
    summary["input"]["parts"] = edit(summary["input"]["parts"])
    (out / "summary.json").write_text(json.dumps(summary))
    capsys.readouterr()
    assert main(["verify", str(out / "summary.json"), str(files[0].parent)]) == 2
    got = capsys.readouterr()
    assert got.out == ""
    assert got.err == f"oxi: {out / 'summary.json'}: not an oxi summary: {key}\n"
