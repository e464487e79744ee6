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


def test_pulse_at_its_own_rate_is_joined_at_its_own_rate(tmp_path: Path) -> None:
    # EDF files often carry pulse at another rate than SpO2: here SpO2 2 Hz, pulse 1 Hz.
    from dataclasses import replace

    rec, _ = simulate_night(fs=2.0, pulse_fs=1.0, duration_s=1800, seed=5, start=START)
    assert rec.pulse is not None

    def piece(t0: int, t1: int) -> Recording:
        assert rec.pulse is not None
        return replace(
            rec,
            spo2=replace(rec.spo2, data=rec.spo2.data[2 * t0 : 2 * t1].copy()),
            pulse=replace(rec.pulse, data=rec.pulse.data[t0:t1].copy()),
            start=rec.time_at(t0),
            annotations=(),
        )

    a = write_edf(piece(0, 600), tmp_path / "a.edf")
    b = write_edf(piece(900, 1800), tmp_path / "b.edf")  # 5 min off the finger
    joined = join_recordings([read_recording(b), read_recording(a)])
    assert joined.pulse is not None and joined.pulse.fs == 1.0
    expected = rec.pulse.data.copy()
    expected[600:900] = np.nan
    np.testing.assert_array_equal(joined.pulse.data, expected)
    spo2 = rec.spo2.data.copy()
    spo2[1200:1800] = np.nan
    np.testing.assert_array_equal(joined.spo2.data, spo2)
    assert joined.pulse.duration_s == joined.spo2.duration_s == 1800


def test_a_start_off_the_sample_grid_is_placed_on_it_with_a_warning(night: Recording) -> None:
    from dataclasses import replace

    a = _piece(night, 0, 600)
    on_grid = _piece(night, 900, 1200)
    off_grid = replace(on_grid, start=on_grid.start + dt.timedelta(seconds=0.3))
    quiet = join_recordings([a, on_grid])
    assert not any("sample grid" in w for w in quiet.warnings)
    moved = join_recordings([a, off_grid])
    np.testing.assert_array_equal(moved.spo2.data, quiet.spo2.data)  # nearest sample: 900
    assert any(
        "file 2 of 2 (from 22:15:00.300000) does not start on the first file's 1 Hz sample "
        "grid: its SpO2 samples were moved -0.300 s" in w
        for w in moved.warnings
    ), moved.warnings
    late = replace(on_grid, start=on_grid.start + dt.timedelta(seconds=0.5))
    np.testing.assert_array_equal(  # half a sample goes up, never to the even neighbour
        np.flatnonzero(np.isfinite(join_recordings([a, late]).spo2.data))[600], 901
    )


def test_back_to_back_files_half_a_sample_off_never_share_a_sample(night: Recording) -> None:
    # Half-to-even rounding would put a (601 samples from 201.5 s) at 202..802 and b (from
    # 802.5 s) at 802: one sample written twice.
    from dataclasses import replace

    c = _piece(night, 0, 100)  # first in time: its grid rules
    a = replace(_piece(night, 300, 901), start=START + dt.timedelta(seconds=201.5))
    b = replace(_piece(night, 901, 1200), start=START + dt.timedelta(seconds=802.5))
    joined = join_recordings([a, b, c])
    assert np.count_nonzero(np.isfinite(joined.spo2.data)) == 100 + 601 + 299
    np.testing.assert_array_equal(joined.spo2.data[202:803], night.spo2.data[300:901])


def test_files_naming_different_patients_are_refused(night: Recording) -> None:
    # `oxi batch --join-nights` never groups them; `oxi analyze a b` must not join them either,
    # and the refusal must not name either patient.
    from dataclasses import replace

    from oximetry.model import PatientInfo

    a = replace(_piece(night, 0, 3600), patient=PatientInfo(name="Alice Example"))
    b = replace(_piece(night, 4000, 8000), patient=PatientInfo(name="Bob Example"))
    with pytest.raises(RecordingFormatError, match="another patient") as info:
        join_recordings([a, b])
    assert "Example" not in str(info.value)
    same = replace(b, patient=PatientInfo(name="Alice Example"))
    assert join_recordings([a, same]).patient == a.patient


def test_analyze_folder_reads_a_wfdb_record_once(tmp_path: Path) -> None:
    """``oxi analyze FOLDER`` of one WFDB record took its header and its signal file for two
    recordings of the night and refused them as overlapping; the header reads its signal file."""
    from oxi.pipeline import night_files

    (tmp_path / "rec.hea").write_text("rec 1 1 6\nrec.dat 16 10/% 16 0 0 0 0 SpO2\n")
    (tmp_path / "rec.dat").write_bytes(bytes(12))
    (tmp_path / "other.dat").write_bytes(bytes(12))
    assert [p.name for p in night_files([tmp_path])] == ["other.dat", "rec.hea"]


def test_a_joined_nights_report_gives_each_files_sha256(tmp_path: Path, night: Recording) -> None:
    """report.pdf gave a joined night's sha256, a digest of its files' digests that matches no
    file, and each file's own (which sha256sum gives a reviewer) only in summary.json."""
    import json
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    a = write_edf(_piece(night, 0, 3600), tmp_path / "a.edf")
    b = write_edf(_piece(night, 3600, 7200), tmp_path / "b.edf")
    out = tmp_path / "out"
    assert main(["analyze", str(a), str(b), "--out", str(out)]) == 0
    parts = json.loads((out / "summary.json").read_text())["input"]["parts"]
    text = subprocess.run(
        ["pdftotext", "-layout", str(out / "report.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "of the files' sha256s, in order" in text
    for k, part in enumerate(parts, start=1):
        assert f"file {k}: {part['sha256']}" in text


def test_the_same_bytes_under_another_name_are_refused(night: Recording) -> None:
    # An O2Ring-S file holds no time (its start is its name): a renamed copy placed an hour later
    # overlapped nothing and its minutes counted twice (a night of 4.0 min at or below 88 %
    # qualified with 6.0)
    from dataclasses import replace

    a = _piece(night, 0, 3600)
    copy = replace(
        a,
        start=START + dt.timedelta(hours=2),
        source=replace(a.source, path="/night/20260301000000"),
    )
    with pytest.raises(RecordingFormatError, match="same bytes"):
        join_recordings([a, copy])
    other = replace(copy, source=replace(copy.source, sha256="f" * 64))
    assert join_recordings([a, other]).duration_s == 3 * 3600


def test_files_naming_patients_of_another_sex_are_refused(night: Recording) -> None:
    from dataclasses import replace

    from oximetry.model import PatientInfo

    a = replace(_piece(night, 0, 3600), patient=PatientInfo(sex="F"))
    b = replace(_piece(night, 4000, 8000), patient=PatientInfo(sex="Male"))
    with pytest.raises(RecordingFormatError, match="another patient"):
        join_recordings([a, b])
    same = replace(b, patient=PatientInfo(sex="f"))
    assert join_recordings([a, same]).patient == a.patient


def test_a_file_of_another_format_says_so(night: Recording) -> None:
    # an EDF+C beside an EDF+D of one recorder was "not the same device and rates", naming the
    # same device and rates on both sides
    from dataclasses import replace

    a = _piece(night, 0, 3600)
    b = _piece(night, 4000, 8000)
    b = replace(b, source=replace(b.source, format="edf+d"))
    with pytest.raises(RecordingFormatError, match="not the same file format"):
        join_recordings([replace(a, source=replace(a.source, format="edf+c")), b])
