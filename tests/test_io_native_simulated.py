"""Every native reader on files written from simulated nights at the device's rate.

The simulator gives the truth; :mod:`oximetry.simulate_native` lays it out in the device's bytes;
the reader must give back the same samples (missing where the device wrote its missing code),
the same start and rate, and the device's own summary where the layout has one.
"""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path

import numpy as np
import pytest

from oxi.info import format_info
from oximetry.errors import RecordingFormatError
from oximetry.io import contec, inspect_recording, read_recording
from oximetry.io.viatom import FLOOR_PCT
from oximetry.simulate import simulate_night
from oximetry.simulate_native import write_contec, write_medview, write_o2ring_s, write_viatom

START = dt.datetime(2026, 3, 1, 23, 15, 30)


def _night(fs: float, seed: int, **kw: object) -> tuple[object, object]:
    return simulate_night(
        fs=fs,
        duration_s=4 * 3600,
        seed=seed,
        desaturations=12,
        gaps=[(3600.0, 600.0)],
        start=START,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("width", [2, 4])
def test_contec_round_trip(tmp_path: Path, width: int) -> None:
    night, _ = _night(1.0, 3)
    path = write_contec(night, tmp_path / "n.SpO2", record_bytes=width)  # type: ignore[arg-type]
    rec = read_recording(path)
    assert rec.source.format == "contec-spo2"
    assert rec.start == START and rec.fs == 1.0
    np.testing.assert_array_equal(rec.spo2.data, night.spo2.data)  # type: ignore[attr-defined]
    assert rec.pulse is not None
    expected = np.where(np.isnan(night.spo2.data), np.nan, night.pulse.data)  # type: ignore[attr-defined]
    np.testing.assert_array_equal(rec.pulse.data, expected)


def test_contec_warnings_count_each_missing_code_apart(tmp_path: Path) -> None:
    # 3 no-finger pairs, 5 lone pulse-255 records with an SpO2 reading, 2 lone SpO2-127 records.
    night, _ = simulate_night(fs=1.0, duration_s=600, seed=3, start=START)
    path = write_contec(night, tmp_path / "n.SpO2", record_bytes=4)
    data = bytearray(path.read_bytes())
    at = 1084 + 2  # SpO2 of record 0 (a u16 comes first); pulse at +1

    def put(i: int, spo2: int | None, pulse: int | None) -> None:
        if spo2 is not None:
            data[at + 4 * i] = spo2
        if pulse is not None:
            data[at + 4 * i + 1] = pulse

    for i in (10, 11, 12):
        put(i, 127, 255)
    for i in (100, 200, 300, 301, 302):
        put(i, 97, 255)
    for i in (400, 500):
        put(i, 127, 70)
    path.write_bytes(bytes(data))
    rec = read_recording(path)
    assert rec.pulse is not None
    assert np.isnan(rec.spo2.data).sum() == 5 and np.isnan(rec.pulse.data).sum() == 8
    assert (rec.spo2.data[[100, 200, 300, 301, 302]] == 97).all()
    assert (rec.pulse.data[[400, 500]] == 70).all()
    said = [w for w in rec.warnings if "127" in w or "255" in w]
    assert said == [
        "3 record(s) hold the no-finger / artefact pair 127/255: SpO2 and pulse missing",
        "5 record(s) hold pulse 255 (no pulse) beside an SpO2 reading: pulse missing there, "
        "SpO2 kept",
        "2 record(s) hold SpO2 127 (no SpO2) beside a pulse reading: SpO2 missing there, "
        "pulse kept",
    ]


@pytest.mark.parametrize(("version", "fs"), [(3, 0.25), (5, 0.25), (5, 0.5)])
def test_viatom_round_trip(tmp_path: Path, version: int, fs: float) -> None:
    night, _ = _night(fs, 5)
    path = write_viatom(night, tmp_path / "20260301231530", version=version)  # type: ignore[arg-type]
    rec = read_recording(path)
    assert rec.source.format == f"viatom-v{version}"
    assert rec.start == START and rec.fs == fs
    np.testing.assert_array_equal(rec.spo2.data, night.spo2.data)  # type: ignore[attr-defined]
    summary = rec.source.vendor_summary
    ok = night.spo2.data[np.isfinite(night.spo2.data)]  # type: ignore[attr-defined]
    assert summary["spo2_min_pct"] == np.rint(ok.min())
    assert summary["spo2_mean_pct"] == np.rint(ok.mean())
    assert summary["duration_min"] == pytest.approx(4 * 60)
    assert "format:     viatom-v" in format_info(inspect_recording(path))


def test_viatom_v3_duplicated_two_second_file_is_deduplicated(tmp_path: Path) -> None:
    night, _ = _night(0.25, 7)
    path = write_viatom(night, tmp_path / "a.bin", version=3, duplicate=True)  # type: ignore[arg-type]
    assert (path.stat().st_size - 40) // 5 == 2 * night.spo2.n_samples  # type: ignore[attr-defined]
    rec = read_recording(path)
    assert rec.fs == 0.25
    np.testing.assert_array_equal(rec.spo2.data, night.spo2.data)  # type: ignore[attr-defined]
    assert any("de-duplicated" in w for w in rec.warnings)


@pytest.mark.parametrize(
    "high", [b"\x01\x00", b"\x00\x80", b"\xff\xff"], ids=["byte15", "byte16", "both"]
)
def test_viatom_duration_is_the_u16_at_13_whatever_bytes_15_16_hold(
    tmp_path: Path, high: bytes
) -> None:
    # formats.md: "13: duration in seconds, u16"; 15-16 are not described ("the rest is 0").
    # Read as a u32, any non-zero byte there made the duration 65536 s or more too long.
    night, _ = _night(0.25, 5)
    path = write_viatom(night, tmp_path / "20260301231530")  # type: ignore[arg-type]
    data = bytearray(path.read_bytes())
    assert struct.unpack_from("<H", data, 13)[0] == 4 * 3600 and data[15:17] == b"\0\0"
    data[15:17] = high
    path.write_bytes(bytes(data))
    rec = read_recording(path)
    assert rec.start == START and rec.fs == 0.25
    np.testing.assert_array_equal(rec.spo2.data, night.spo2.data)  # type: ignore[attr-defined]
    assert rec.source.vendor_summary["duration_min"] == pytest.approx(4 * 60)
    said = [w for w in rec.warnings if "bytes 15-16" in w]
    assert len(said) == 1 and high.hex(" ") in said[0] and "14400 s" in said[0]


def test_viatom_duration_not_fitting_the_records_names_bytes_15_16(tmp_path: Path) -> None:
    night, _ = _night(0.25, 5)
    path = write_viatom(night, tmp_path / "20260301231530")  # type: ignore[arg-type]
    data = bytearray(path.read_bytes())
    struct.pack_into("<H", data, 13, 4 * 3600 - 3600)  # 3 h over 4 h of records
    data[15] = 0x02
    path.write_bytes(bytes(data))
    with pytest.raises(RecordingFormatError, match=r"bytes 15-16 are 02 00, not 0"):
        read_recording(path)


def test_viatom_below_floor_is_low_not_a_gap(tmp_path: Path) -> None:
    # A plateau at 55 % for 10 min: below the device's floor, written as 0xFF with a valid pulse.
    night, _ = simulate_night(
        fs=0.25, duration_s=3600, seed=1, sustained_drops=[(1200.0, 600.0, 55.0)], start=START
    )
    path = write_viatom(night, tmp_path / "low.bin")
    rec = read_recording(path)
    truth = night.spo2.data
    low = truth < FLOOR_PCT
    assert low.sum() > 100
    assert not np.isnan(rec.spo2.data[low]).any()  # not a gap
    assert (rec.spo2.data[low] == FLOOR_PCT).all()  # at most the floor
    np.testing.assert_array_equal(rec.spo2.data[~low], truth[~low])
    assert any("below the device's floor" in w for w in rec.warnings)
    info = inspect_recording(path)
    assert any(c.label == "SpO2 below floor" for c in info.channels)


def test_viatom_motion_is_a_channel(tmp_path: Path) -> None:
    night, _ = simulate_night(fs=0.25, duration_s=600, seed=2, start=START)
    motion = np.arange(night.spo2.n_samples) % 7
    path = write_viatom(night, tmp_path / "m.bin", motion=motion)
    info = inspect_recording(path)
    roles = {c.label: c.role for c in info.channels}
    assert roles["Motion"] == "other" and roles["SpO2"] == "spo2"


def test_o2ring_s_round_trip_start_from_name(tmp_path: Path) -> None:
    night, _ = _night(1.0, 11)
    path = write_o2ring_s(night, tmp_path)  # type: ignore[arg-type]
    assert path.name == "20260301231530"
    rec = read_recording(path)
    assert rec.source.format == "o2ring-s"
    assert rec.start == START and rec.fs == 1.0 and rec.source.date_known
    # the name is no part of the sha256: said (renamed, a June night moved into an order window)
    assert any("read from the file name" in w and "sha256" in w for w in rec.warnings)
    np.testing.assert_array_equal(rec.spo2.data, night.spo2.data)  # type: ignore[attr-defined]
    renamed = path.rename(tmp_path / "ring.bin")
    undated = read_recording(renamed)
    assert not undated.source.date_known
    assert any("no start time" in w for w in undated.warnings)


def test_o2ring_s_name_with_two_different_times_is_refused(tmp_path: Path) -> None:
    """The file holds no time and the device names it after its start alone: a copy named
    start-end (20260301231530-20260302064500) was read as starting at the end, 06:45 the next
    day (the last stamp was taken). Two different times are refused, naming both; the same time
    twice is the start (hunt 10)."""
    night, _ = simulate_night(fs=1.0, duration_s=600, seed=11, start=START)
    data = write_o2ring_s(night, tmp_path).read_bytes()  # type: ignore[arg-type]
    two = tmp_path / "20260301231530-20260302064500"
    two.write_bytes(data)
    with pytest.raises(
        RecordingFormatError, match=r"'20260301231530' and '20260302064500'.*rename the file"
    ):
        read_recording(two)
    same = tmp_path / "20260301231530 (copy of 2026-03-01_231530)"
    same.write_bytes(data)
    assert read_recording(same).start == START
    serial = tmp_path / "ring 20261331000000 20260301231530"  # month 13: digits, no time
    serial.write_bytes(data)
    assert read_recording(serial).start == START


@pytest.mark.parametrize(
    "name",
    [
        "20260301_20260301231530",  # a date prefix before the device's stamp
        "O2Ring 2026-03-01 20260301231530",
        "20260301231530_20260301",
        "2026-03-01_20260301231530.bin",
    ],
)
def test_o2ring_s_name_digits_next_to_the_stamp_do_not_make_another_time(
    tmp_path: Path, name: str
) -> None:
    """The optional separators let ``20260301_202603`` match at the start of
    ``20260301_20260301231530`` and swallow the device's stamp: the night was read as starting
    at 20:26:03 and a clock-time --exclude missed what it was given for (review of hunt 10). A
    time is read only between digit boundaries, every start tried."""
    night, _ = simulate_night(fs=1.0, duration_s=600, seed=11, start=START)
    path = tmp_path / name
    path.write_bytes(write_o2ring_s(night, tmp_path).read_bytes())  # type: ignore[arg-type]
    assert read_recording(path).start == START


def test_o2ring_s_name_of_15_digits_holds_no_time(tmp_path: Path) -> None:
    # 202603012315301 was read as 2026-03-01 23:15:30, its last digit ignored
    night, _ = simulate_night(fs=1.0, duration_s=600, seed=11, start=START)
    path = tmp_path / "202603012315301"
    path.write_bytes(write_o2ring_s(night, tmp_path).read_bytes())  # type: ignore[arg-type]
    rec = read_recording(path)
    assert not rec.source.date_known
    assert any("no start time" in w for w in rec.warnings)


def test_medview_round_trip_keeps_gaps(tmp_path: Path) -> None:
    night, _ = _night(1.0, 13)
    path = write_medview(night, tmp_path / "n.dat")  # type: ignore[arg-type]
    rec = read_recording(path)
    assert rec.source.format == "medview-dat"
    assert rec.start == START and rec.fs == 1.0
    np.testing.assert_array_equal(rec.spo2.data, night.spo2.data)  # type: ignore[attr-defined]
    assert np.isnan(rec.spo2.data[3600:4200]).all()
    assert any("gap" in w for w in rec.warnings)


@pytest.mark.parametrize("cut", [1, 7, 200])
def test_truncated_native_files_are_refused(tmp_path: Path, cut: int) -> None:
    night, _ = simulate_night(fs=0.25, duration_s=3600, seed=4, start=START)
    one, _ = simulate_night(fs=1.0, duration_s=600, seed=4, start=START)
    files = [
        write_viatom(night, tmp_path / "v.bin"),
        write_contec(one, tmp_path / "c.SpO2"),
        write_o2ring_s(one, tmp_path),
    ]
    for f in files:
        data = f.read_bytes()
        f.write_bytes(data[: len(data) - cut])
        with pytest.raises(RecordingFormatError, match=str(f)):
            read_recording(f)


def test_contec_header_day_beyond_an_int_is_refused(tmp_path: Path) -> None:
    # Found by the fuzzer: a 4-byte day of 2**31 + 1 made datetime() raise OverflowError.
    one, _ = simulate_night(fs=1.0, duration_s=600, seed=4, start=START)
    path = write_contec(one, tmp_path / "c.SpO2")  # type: ignore[arg-type]
    data = bytearray(path.read_bytes())
    # The header's start is seven little-endian uint32 at _POS + 200: year, month, day, ...
    struct.pack_into("<I", data, contec._POS + 200 + 8, 2**31 + 1)
    path.write_bytes(bytes(data))
    with pytest.raises(RecordingFormatError, match="not a real date"):
        read_recording(path)


def test_contec_header_without_a_date_is_read_without_date_or_clock(tmp_path: Path) -> None:
    """A CMS50D+ keeps no date and writes 0 for it (OSCAR, formats.md): its night was refused as
    'the header's year 0 is not plausible' (hunt 15). Read, with neither date nor time of day;
    a year of 0 beside a month is still no date."""
    one, _ = simulate_night(fs=1.0, duration_s=600, seed=4, start=START)
    path = write_contec(one, tmp_path / "c.SpO2")  # type: ignore[arg-type]
    data = bytearray(path.read_bytes())
    struct.pack_into("<6I", data, contec._POS + 200, 0, 0, 0, 23, 15, 30)
    path.write_bytes(bytes(data))
    rec = read_recording(path)
    assert rec.start == dt.datetime(1900, 1, 1)
    assert not rec.source.date_known and not rec.source.clock_known
    assert any("holds no date" in w for w in rec.warnings)
    np.testing.assert_array_equal(
        rec.spo2.data, read_recording(write_contec(one, tmp_path / "d.SpO2")).spo2.data
    )  # type: ignore[arg-type]
    struct.pack_into("<I", data, contec._POS + 204, 3)
    path.write_bytes(bytes(data))
    with pytest.raises(RecordingFormatError, match="year 0 is not plausible"):
        read_recording(path)


def test_vendor_summary_beside_oxis_figures(tmp_path: Path) -> None:
    from oxi.pipeline import AnalyzeRequest, analyze_file
    from oximetry.report import format_terminal_summary

    night, _ = simulate_night(fs=0.25, duration_s=2 * 3600, seed=9, desaturations=6, start=START)
    path = write_viatom(night, tmp_path / "v.bin")
    outcome = analyze_file(path, AnalyzeRequest(report=False))
    vendor = outcome.summary["vendor_summary"]
    ok = night.spo2.data[np.isfinite(night.spo2.data)]
    assert vendor["source"] == "device header"
    assert vendor["spo2_min_pct"] == np.rint(ok.min())
    assert vendor["drops_3pct"] == 7 and vendor["drops_4pct"] == 3  # as the writer stored them
    text = format_terminal_summary(outcome.summary, {})
    line = next(ln for ln in text.splitlines() if ln.startswith("Device summary"))
    assert f"min {ok.min():.0f} %" in line and "not oxi's" in line
    csv_night, _ = simulate_night(fs=1.0, duration_s=600, seed=9, start=START)
    plain = analyze_file(write_contec(csv_night, tmp_path / "c.SpO2"), AnalyzeRequest(report=False))
    assert plain.summary["vendor_summary"] is None


@pytest.mark.skipif(
    __import__("shutil").which("pdftotext") is None, reason="pdftotext is not installed"
)
def test_vendor_summary_on_report_page_one(tmp_path: Path) -> None:
    from oxi.pipeline import AnalyzeRequest, analyze_file
    from tests.test_report_pdf import page_one_text

    night, _ = simulate_night(fs=0.25, duration_s=2 * 3600, seed=9, desaturations=6, start=START)
    outcome = analyze_file(
        write_viatom(night, tmp_path / "v.bin"), AnalyzeRequest(), out_dir=tmp_path / "out"
    )
    text = page_one_text(outcome.paths["report"])
    ok = night.spo2.data[np.isfinite(night.spo2.data)]
    assert f"Device summary: mean {ok.mean():.0f} %, min {ok.min():.0f} %" in text


@pytest.mark.parametrize(
    ("kind", "rate", "says"),
    [
        ("contec", 1.0, "the file's header gives its rate (SpO2 at 1 Hz)"),
        ("viatom", 0.25, "the file's header gives its rate (SpO2 at 0.25 Hz)"),
        ("edf", 1.0, "EDF headers give each channel's rate (SpO2 at 1 Hz)"),
        ("csv", 1.0, "the file's time stamps give its rate (SpO2 at 1 Hz)"),
    ],
)
def test_an_ignored_fs_is_said_and_not_recorded_as_used(
    tmp_path: Path, kind: str, rate: float, says: str
) -> None:
    """A Contec .SpO2 (or WFDB) file read with --fs 4 ignored it without a word, and
    read_options.fs said 4.0 beside the 1 Hz used; a time-stamped CSV warned. Every file that
    gives its own rate now warns, records fs None and keeps the --fs given apart."""
    from oximetry.simulate import write_csv, write_edf

    rec, _ = simulate_night(fs=rate, duration_s=1800, seed=3)
    path = {
        "contec": lambda: write_contec(rec, tmp_path / "n.SpO2"),
        "viatom": lambda: write_viatom(rec, tmp_path / "n.dat"),
        "edf": lambda: write_edf(rec, tmp_path / "n.edf"),
        "csv": lambda: write_csv(rec, tmp_path / "n.csv"),
    }[kind]()
    got = read_recording(path, fs=4.0)
    assert got.fs == rate
    assert [w for w in got.warnings if "--fs" in w] == [f"--fs 4 ignored: {says}"]
    assert got.source.read_options["fs"] is None
    assert got.source.read_options["fs_ignored"] == 4.0
    assert f"--fs 4 ignored: {says}" in format_info(inspect_recording(path, fs=4.0))
    plain = read_recording(path)
    assert not any("--fs" in w for w in plain.warnings)
    assert "fs_ignored" not in plain.source.read_options


def test_an_fs_used_is_recorded_without_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("Sats,Rate\n" + "95,70\n" * 60)
    got = read_recording(path, fs=0.5)
    assert got.fs == 0.5 and got.source.read_options["fs"] == 0.5
    assert "fs_ignored" not in got.source.read_options
    assert not any("--fs" in w for w in got.warnings)


def test_viatom_writer_writes_a_probe_off_as_an_invalid_record(tmp_path: Path) -> None:
    """The simulator's probe-off sentinel (0) was written as 0xFF in a valid record, which the
    reader rightly takes for a reading below the device's floor (61 %): a simulated probe-off
    became hypoxaemia in Viatom test files. It is written as an invalid record now."""
    night, _ = _night(0.25, 17, artifacts=[(7200.0, 120.0, "sentinel")])
    rec = read_recording(write_viatom(night, tmp_path / "v.bin"))  # type: ignore[arg-type]
    i = int(7200 * 0.25)
    assert np.isnan(rec.spo2.data[i : i + 30]).all()
    assert not (rec.spo2.data == FLOOR_PCT).any()


def _long_night(seed: int) -> object:
    """A 1-Hz night of 70,000 records (19.4 h): its u16 record count wraps to 4,464."""
    night, _ = simulate_night(
        fs=1.0,
        duration_s=70_000,
        seed=seed,
        desaturations=20,
        sustained_drops=[(60_000.0, 400.0, 86.0)],
        start=START,
    )
    return night


def test_o2ring_s_count_that_wrapped_reads_every_record(tmp_path: Path) -> None:
    """A 70,000-record night whose u16 count said 4,464 read as 74.4 min, the 18 h after (and
    the sustained drop at 60,000 s) dropped without a word."""
    night = _long_night(21)
    n = night.spo2.n_samples  # type: ignore[attr-defined]
    rec = read_recording(write_o2ring_s(night, tmp_path, count=n % 65536))  # type: ignore[arg-type]
    assert rec.spo2.n_samples == n == 70_000
    np.testing.assert_array_equal(rec.spo2.data, night.spo2.data)  # type: ignore[attr-defined]
    assert any("4464" in w and "modulo 65536" in w and "wrapped" in w for w in rec.warnings)


@pytest.mark.parametrize("count", [3 * 3600, 8 * 3600 - 1, 8 * 3600 + 1])
def test_o2ring_s_count_that_disagrees_is_refused(tmp_path: Path, count: int) -> None:
    """An 8-h file whose trailer count said 10,800 read as 3 h, without a word."""
    night, _ = simulate_night(fs=1.0, duration_s=8 * 3600, seed=12, start=START)
    path = write_o2ring_s(night, tmp_path, count=count)
    with pytest.raises(
        RecordingFormatError, match=f"record count {count} .*disagrees with the 28800"
    ):
        read_recording(path)


def test_o2ring_s_bytes_that_are_not_whole_records_are_refused(tmp_path: Path) -> None:
    """Two stray bytes before the trailer were read past: the count fitted the room left."""
    night, _ = simulate_night(fs=1.0, duration_s=600, seed=12, start=START)
    path = write_o2ring_s(night, tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[:-48] + b"\0\0" + data[-48:])
    with pytest.raises(RecordingFormatError, match="not whole 3-byte records"):
        read_recording(path)


def test_medview_count_that_wrapped_reads_every_record(tmp_path: Path) -> None:
    """The same 70,000-record night as MedView read as 74.4 min: the 65,536 dated records after
    the u16 count (4,464) were taken for a report block."""
    night = _long_night(22)
    n = night.spo2.n_samples  # type: ignore[attr-defined]
    rec = read_recording(write_medview(night, tmp_path / "n.dat", count=n % 65536))  # type: ignore[arg-type]
    assert rec.spo2.n_samples == n
    np.testing.assert_array_equal(rec.spo2.data, night.spo2.data)  # type: ignore[attr-defined]
    assert any("4464" in w and "modulo 65536" in w and "wrapped" in w for w in rec.warnings)


@pytest.mark.parametrize("short", [1, 3600])
def test_medview_count_short_of_the_records_is_refused(tmp_path: Path, short: int) -> None:
    night, _ = simulate_night(fs=1.0, duration_s=2 * 3600, seed=14, start=START)
    path = write_medview(night, tmp_path / "n.dat", count=2 * 3600 - short)
    with pytest.raises(RecordingFormatError, match=f"{short} more dated 11-byte records follow"):
        read_recording(path)


def test_medview_pulse_of_zero_invalidates_the_spo2_beside_it_as_in_contec(tmp_path: Path) -> None:
    """A MedView pulse byte of 0 is "no pulse found", as in every other reader (SPEC §4 rule 4).

    Read as missing, 12 min at 86 % beside a pulse of 0 qualified this night (MassHealth, the
    example context), while the same samples as a Contec .SpO2 were invalid and did not (hunt 10).
    """
    from dataclasses import replace

    from oxi.pipeline import AnalyzeRequest, analyze_file
    from oximetry.model import Signal
    from oximetry.simulate import Artifact

    ctx = str(Path(__file__).resolve().parents[1] / "data" / "example-context.yaml")
    start = dt.datetime(2026, 1, 5, 23, 0, 0)  # the context's test date
    drop = [(7200.0, 720.0, 86.0)]  # the plateau, entered and left by 20-s ramps
    no_pulse = [Artifact(7160.0, 800.0, "pulse", 0.0)]  # over the ramps and the plateau

    def determination(path: Path) -> tuple[str, int]:
        out = analyze_file(path, AnalyzeRequest(context_path=ctx, report=False))
        counts = out.summary["recording"]["artifact_samples"]
        return out.summary["qualification"]["determination"], counts["pulse_out_of_range"]

    kw = {"fs": 1.0, "duration_s": 4 * 3600, "seed": 1, "baseline_pct": 95.0, "start": start}
    kw["noise_pts"] = 0.6  # no SpO2 held at one value (a conflict of its own)
    with_pulse, _ = simulate_night(sustained_drops=drop, **kw)  # type: ignore[arg-type]
    night, _ = simulate_night(sustained_drops=drop, artifacts=no_pulse, **kw)  # type: ignore[arg-type]
    # the 12 min qualify where a pulse was found: it is the pulse of 0 that takes them out
    assert determination(write_medview(with_pulse, tmp_path / "p.dat")) == ("qualified", 0)
    contec_says = determination(write_contec(night, tmp_path / "n.SpO2"))
    assert contec_says == ("not_qualified", 800)
    assert determination(write_medview(night, tmp_path / "n.dat")) == contec_says
    # A missing pulse beside an SpO2 reading is written 255 and read as missing, not as 0: a
    # pulse gap invalidates nothing and the night still qualifies.
    assert with_pulse.pulse is not None
    gap = with_pulse.pulse.data.copy()
    gap[7160:7960] = np.nan
    gapped = replace(with_pulse, pulse=Signal("Pulse", "bpm", 1.0, gap))
    path = write_medview(gapped, tmp_path / "g.dat")
    assert path.read_bytes()[3 + 11 * 7160 + 10] == 255
    assert determination(path) == ("qualified", 0)
    np.testing.assert_array_equal(read_recording(path).pulse.data, gap)  # type: ignore[union-attr]
