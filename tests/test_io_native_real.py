"""Native formats on the real files in ../shared/data (skipped when the folder is absent).

Contec ``.SpO2``: the pulseoxdl CSVs were written from the same samples, so the reader must give
them back sample for sample (127/255 rows of the CSV are artefacts and must be missing). ResMed
SA2 without an oximeter must be refused (exit 2). WFDB: the values must be wfdb's own physical
values, with MIMIC's 0 (missing) turned into NaN, and the SpO2 channel chosen by label and unit.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

from oxi.cli import main
from oxi.info import format_info
from oximetry.errors import InsufficientDataError
from oximetry.io import inspect_recording, read_recording, sha256_of
from oximetry.model import CompanionFile
from tests.io_fixtures import DATA_DIR

pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not DATA_DIR.is_dir(), reason=f"real recordings not found at {DATA_DIR}"),
]

CONTEC = DATA_DIR / "contec_spo2"
SA2 = DATA_DIR / "resmed_sa2_no_oximeter" / "20241018_021408_SA2.edf"
MIMIC = DATA_DIR / "mimic_numerics_wfdb"


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as fh:
        rows = [[c.strip() for c in r] for r in csv.reader(fh)]
    assert rows[0] == ["DATE", "TIME", "SPO2", "PULSE"]
    return rows[1:]


@pytest.mark.parametrize("name", ["pulseoxdl_auto", "pulseoxdl_live", "pulseoxdl_manual"])
def test_contec_equals_its_csv_sample_for_sample(name: str) -> None:
    rows = _csv_rows(CONTEC / f"{name}.csv")
    rec = read_recording(CONTEC / f"{name}.SpO2")
    assert rec.source.format == "contec-spo2"
    assert rec.fs == 1.0
    assert rec.spo2.n_samples == len(rows)
    first = dt.datetime.fromisoformat(f"{rows[0][0]} {rows[0][1]}")
    last = dt.datetime.fromisoformat(f"{rows[-1][0]} {rows[-1][1]}")
    assert rec.start == first
    assert rec.time_at(rec.spo2.n_samples - 1) == last
    spo2 = np.array([float(r[2]) for r in rows])
    pulse = np.array([float(r[3]) for r in rows])
    artefact = (spo2 == 127) & (pulse == 255)
    expected = np.where(artefact, np.nan, spo2)
    np.testing.assert_array_equal(rec.spo2.data, expected)
    assert rec.pulse is not None
    np.testing.assert_array_equal(rec.pulse.data, np.where(pulse == 255, np.nan, pulse))
    if name == "pulseoxdl_manual":
        assert int(artefact.sum()) == 77  # PROVENANCE: 77 artefact samples
        assert [w for w in rec.warnings if "255" in w] == [
            "77 record(s) hold the no-finger / artefact pair 127/255: SpO2 and pulse missing"
        ]


def test_contecs_no_finger_code_in_its_csv_is_missing_as_in_the_spo2_file() -> None:
    """pulseoxdl's CSV keeps the Contec no-finger pair 127/255: read as a number, its SpO2 of 127
    was 77 samples "out of range" where the same night's .SpO2 gave 77 missing (hunt 15)."""
    from oximetry.analysis import analyze

    csv_rec = read_recording(CONTEC / "pulseoxdl_manual.csv")
    spo2_rec = read_recording(CONTEC / "pulseoxdl_manual.SpO2")
    np.testing.assert_array_equal(csv_rec.spo2.data, spo2_rec.spo2.data)
    reasons = analyze(csv_rec).artifact.counts
    assert reasons["missing"] == 77 and reasons["out_of_range"] == 0


def test_pulseoxdl_csv_is_not_named_an_emay_export() -> None:
    """The CSV pulseoxdl wrote from a Contec CMS50E was labelled "EMAY oximeter export" on page 1
    (any Date,Time,SpO2 header was taken for EMAY's): it names no device now."""
    csv_rec = read_recording(CONTEC / "pulseoxdl_live.csv")
    assert (csv_rec.source.format, csv_rec.source.device) == ("csv-date-time", "")
    assert "EMAY" not in " ".join(csv_rec.warnings)


def test_contec_four_byte_records_and_header_facts() -> None:
    rec = read_recording(CONTEC / "infantlab_demo.SpO2")
    assert rec.spo2.n_samples == 406
    assert rec.start == dt.datetime(2010, 5, 26, 11, 43, 58)
    assert "CMS50H" in rec.source.device and "4-byte" in rec.source.device
    assert rec.pulse is not None and np.isnan(rec.pulse.data[0])  # pulse 0xFF alone
    assert rec.spo2.data[0] == 99
    # that one record keeps its SpO2: it is not counted as a no-finger pair "kept as missing"
    assert not np.isnan(rec.spo2.data).any() and int(np.isnan(rec.pulse.data).sum()) == 1
    said = [w for w in rec.warnings if "255" in w]
    assert said == [
        "1 record(s) hold pulse 255 (no pulse) beside an SpO2 reading: pulse missing there, "
        "SpO2 kept"
    ]
    assert rec.patient.name == "user2"
    short = read_recording(CONTEC / "infantlab__20111017200058.SpO2")
    assert short.spo2.n_samples == 42
    assert set(np.unique(short.spo2.data)) == {99.0}
    psg = read_recording(CONTEC / "openpsg_session.SpO2")
    assert psg.spo2.n_samples == 12015
    assert psg.time_at(12014) == dt.datetime(2024, 10, 14, 2, 43, 6)
    assert int(np.isnan(psg.spo2.data).sum()) == 54


def test_contec_detected_by_content_not_name(tmp_path: Path) -> None:
    copy = tmp_path / "night.txt"
    shutil.copyfile(CONTEC / "pulseoxdl_live.SpO2", copy)
    a = read_recording(copy)
    b = read_recording(CONTEC / "pulseoxdl_live.SpO2")
    np.testing.assert_array_equal(a.spo2.data, b.spo2.data)
    assert "format:     contec-spo2" in format_info(inspect_recording(copy))


def test_resmed_sa2_without_oximeter_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InsufficientDataError, match="no oximeter was attached"):
        read_recording(SA2)
    info = inspect_recording(SA2)
    assert info.format == "resmed-sa2"
    assert "AirSense 11" in info.device
    assert main(["analyze", str(SA2), "--no-report", "--out", "/nonexistent/never"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(SA2) in err and "no oximeter was attached" in err


@pytest.mark.parametrize(
    ("header", "n", "start"),
    [
        ("s00001-2896-10-10-00-31n.hea", 1936, dt.datetime(2896, 10, 10, 0, 31, 25, 894000)),
        ("s25047-2704-05-04-10-44n.hea", 72, dt.datetime(2704, 5, 4, 10, 44, 18, 529000)),
    ],
)
def test_wfdb_mimic_numerics(header: str, n: int, start: dt.datetime) -> None:
    with warnings.catch_warnings():  # wfdb's import uses a keyword pandas deprecates
        warnings.simplefilter("ignore")
        import wfdb

    rec = read_recording(MIMIC / header)
    assert rec.source.format == "wfdb"
    assert rec.spo2.label == "SpO2" and rec.spo2.unit == "%"
    assert rec.spo2.n_samples == n
    assert rec.fs == pytest.approx(1 / 60, rel=1e-9)
    assert rec.start == start
    ref = wfdb.rdrecord(str(MIMIC / header.removesuffix(".hea")))
    x = ref.p_signal[:, ref.sig_name.index("SpO2")]
    np.testing.assert_array_equal(rec.spo2.data, np.where(x == 0, np.nan, x))
    assert "analysed as SpO2" in format_info(inspect_recording(MIMIC / header))
    # Every signal line records its checksum, and the samples match it (read, not refused).
    assert None not in wfdb.rdheader(str(MIMIC / header.removesuffix(".hea"))).checksum


def test_wfdb_mimic_numerics_are_analysed_at_their_shifted_dates(tmp_path: Path) -> None:
    """MIMIC's dates are shifted into the future (2896, 2704): refused as "after 2099" by the
    analysis's bounds, both real records were no longer analysed (review of hunt 16)."""
    for header in ("s00001-2896-10-10-00-31n.hea", "s25047-2704-05-04-10-44n.hea"):
        out = tmp_path / header
        assert main(["analyze", str(MIMIC / header), "--no-report", "--out", str(out)]) == 0


def test_wfdb_signal_file_finds_its_header() -> None:
    a = read_recording(MIMIC / "3234460n.dat")
    b = read_recording(MIMIC / "s25047-2704-05-04-10-44n.hea")
    np.testing.assert_array_equal(a.spo2.data, b.spo2.data)
    # Each reading binds the record's other file by its sha256 (input.companions).
    hea, dat = MIMIC / "s25047-2704-05-04-10-44n.hea", MIMIC / "3234460n.dat"
    assert a.source.sha256 == sha256_of(dat) and b.source.sha256 == sha256_of(hea)
    assert a.source.companions == (CompanionFile(str(hea), sha256_of(hea)),)
    assert b.source.companions == (CompanionFile(str(dat), sha256_of(dat)),)


@pytest.mark.parametrize(
    "path",
    [CONTEC / "pulseoxdl_live.SpO2", MIMIC / "s25047-2704-05-04-10-44n.hea"],
    ids=["contec", "wfdb"],
)
def test_an_ignored_fs_is_said(path: Path) -> None:
    """--fs on a Contec .SpO2 or WFDB record was ignored silently, and read_options.fs kept the
    value beside the rate used (the review's repro6): now a warning says so, and the value is
    kept apart as fs_ignored."""
    rec = read_recording(path, fs=0.5)
    assert rec.fs == read_recording(path).fs
    (said,) = [w for w in rec.warnings if "--fs" in w]
    assert said.startswith("--fs 0.5 ignored: the file's header gives its rate")
    assert rec.source.read_options["fs"] is None
    assert rec.source.read_options["fs_ignored"] == 0.5
