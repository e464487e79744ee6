"""Split nights: files of one device and one night joined in time order (issue 15).

A simulated night is cut into pieces with a pause between them and written in a device's own
layout; joined, it must equal the night with the pause missing, sample for sample.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from oxi.cli import main
from oxi.pipeline import AnalyzeRequest, analyze_file
from oximetry.errors import RecordingFormatError
from oximetry.io import read_recording
from oximetry.io.join import join_recordings
from oximetry.model import Recording, Signal
from oximetry.simulate import simulate_night, write_edf
from oximetry.simulate_native import write_contec

START = dt.datetime(2026, 3, 1, 22, 0, 0)


def _piece(night: Recording, i0: int, i1: int) -> Recording:
    from dataclasses import replace

    def cut(sig: Signal | None) -> Signal | None:
        return None if sig is None else replace(sig, data=sig.data[i0:i1].copy())

    spo2 = cut(night.spo2)
    assert spo2 is not None
    return replace(
        night, spo2=spo2, pulse=cut(night.pulse), start=night.time_at(i0), annotations=()
    )


@pytest.fixture()
def night() -> Recording:
    rec, _ = simulate_night(fs=1.0, duration_s=3 * 3600, seed=31, desaturations=10, start=START)
    return rec


def test_contec_pieces_join_with_the_pause_missing(tmp_path: Path, night: Recording) -> None:
    cuts = [(0, 3600), (4200, 7000), (7000, 10800)]  # a 10-min pause, then back to back
    files = [
        write_contec(_piece(night, a, b), tmp_path / f"p{k}.SpO2") for k, (a, b) in enumerate(cuts)
    ]
    joined = join_recordings([read_recording(f) for f in reversed(files)])
    expected = night.spo2.data.copy()
    expected[3600:4200] = np.nan
    assert joined.start == START
    np.testing.assert_array_equal(joined.spo2.data, expected)
    assert any("10.0 min between them" in w for w in joined.warnings)
    from_folder = analyze_file(tmp_path, AnalyzeRequest(report=False))
    from_list = analyze_file([str(f) for f in files], AnalyzeRequest(report=False))
    assert from_folder.summary["metrics"] == from_list.summary["metrics"]
    assert from_list.summary["recording"]["samples"] == 10800


def test_overlapping_files_are_refused(tmp_path: Path, night: Recording) -> None:
    a = write_contec(_piece(night, 0, 4000), tmp_path / "a.SpO2")
    b = write_contec(_piece(night, 3900, 8000), tmp_path / "b.SpO2")
    with pytest.raises(RecordingFormatError, match="overlaps"):
        join_recordings([read_recording(a), read_recording(b)])


def test_different_devices_are_refused(
    tmp_path: Path, night: Recording, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write_contec(_piece(night, 0, 3600), tmp_path / "a.SpO2")
    b = write_edf(_piece(night, 4000, 8000), tmp_path / "b.edf")
    code = main(["analyze", str(a), str(b), "--no-report", "--out", str(tmp_path / "o")])
    assert code == 2
    err = capsys.readouterr().err
    assert "not the same device" in err and err.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_more_than_a_night_is_refused(tmp_path: Path, night: Recording) -> None:
    from dataclasses import replace

    a = _piece(night, 0, 3600)
    b = replace(_piece(night, 3600, 7200), start=START + dt.timedelta(days=2))
    with pytest.raises(RecordingFormatError, match="more than one night"):
        join_recordings([a, b])


def test_batch_folder_picks_device_files_and_wfdb_headers_once(
    tmp_path: Path, night: Recording
) -> None:
    from oxi.batch.inputs import expand_inputs

    write_contec(_piece(night, 0, 600), tmp_path / "n.SpO2")
    (tmp_path / "rec.hea").write_text("rec 1 1 6\nrec.dat 16 10/% 16 0 0 0 0 SpO2\n")
    (tmp_path / "rec.dat").write_bytes(bytes(12))
    (tmp_path / "n-nsrr.xml").write_text("<PSGAnnotation/>")
    paths, _ = expand_inputs([str(tmp_path)])
    assert sorted(Path(p).name for p in paths) == ["n.SpO2", "rec.hea"]
