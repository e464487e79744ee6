"""Crafted files the readers must refuse, each with one clear line (issue 11, SPEC §2, §10).

Every file is made here. What the readers cannot place honestly on a time axis — a record half
a sample off its grid, a rate no oximeter has, a week-long record, a grid of billions of slots,
negative times, digital limits the format cannot hold, two stages at once, two exercise
segments — is refused before anything large is allocated, instead of being read wrongly.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import numpy as np
import pytest

from oxi.cli import main
from oximetry.analysis import analyze
from oximetry.errors import RecordingFormatError, SettingsError, UnsupportedEDFError
from oximetry.io import read_hypnogram, read_recording
from oximetry.io._base import MAX_SAMPLES
from oximetry.io.edf import parse_header
from oximetry.model import Annotation
from oximetry.settings import AnalysisSettings
from oximetry.simulate import simulate_night
from tests.io_fixtures import RawEdf, RawSig, edf_bytes, write_edf_raw, write_text


def _edfd(onsets: list[float]) -> RawEdf:
    n = len(onsets)
    return RawEdf(
        [RawSig("SpO2", "%", 2, np.arange(n * 2).reshape(n, 2) + 80)],
        reserved="EDF+D",
        onsets=onsets,
    )


def _one_line_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], needle: str) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err, err
    assert "Traceback" not in err
    return err


# --- EDF+D records off the grid -------------------------------------------------------------


def test_edf_plus_d_record_half_a_sample_off_is_refused(tmp_path: Path) -> None:
    # 2 Hz: record 3 at 2.25 s is half a sample off the grid of the records before.
    path = write_edf_raw(tmp_path / "off.edf", _edfd([0, 1, 2.25, 4, 5]))
    with pytest.raises(UnsupportedEDFError, match=r"record 3 .*0\.5 sample\(s\) off the 2 Hz grid"):
        read_recording(path)
    on_grid = write_edf_raw(tmp_path / "on.edf", _edfd([0, 1, 2.5, 4, 5]))
    rec = read_recording(on_grid)  # 2.5 s is sample 5 at 2 Hz: placed exactly
    np.testing.assert_array_equal(rec.spo2.data[:4], [80, 81, 82, 83])
    np.testing.assert_array_equal(rec.spo2.data[5:7], [84, 85])
    assert np.isnan(rec.spo2.data[4])


def test_off_grid_record_never_overwrites_earlier_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("earlier analysis")
    path = write_edf_raw(tmp_path / "off.edf", _edfd([0, 1, 2.25, 4, 5]))
    _one_line_exit_2(capsys, ["analyze", str(path), "--out", str(out)], "off the 2 Hz grid")
    assert sorted(p.name for p in out.iterdir()) == ["summary.json"]
    assert (out / "summary.json").read_text() == "earlier analysis"


# --- rates, record durations, caps ------------------------------------------------------------


def test_million_second_record_is_refused(tmp_path: Path) -> None:
    # One sample per 1,000,000-s record: fs 1e-6 Hz, and 5 records last 58 days.
    spec = RawEdf([RawSig("SpO2", "%", 1, np.full((5, 1), 85))], record_s=1e6)
    with pytest.raises(RecordingFormatError, match="days"):
        read_recording(write_edf_raw(tmp_path / "slow.edf", spec))
    one = RawEdf([RawSig("SpO2", "%", 1, np.full((1, 1), 85))], record_s=200)
    with pytest.raises(RecordingFormatError, match=r"0\.005 Hz is outside 0\.01-1000 Hz"):
        read_recording(write_edf_raw(tmp_path / "slow1.edf", one))


@pytest.mark.parametrize(
    ("record_s", "needle"),
    [
        (1e-300, "shorter than one sample"),
        (1e-8, "shorter than one sample"),
        (1e300, "days"),
        (1e9, "days"),
    ],
)
def test_absurd_record_durations_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_s: float, needle: str
) -> None:
    for reserved, onsets in (("EDF+C", None), ("EDF+D", [0.0, 5 * record_s, 9 * record_s])):
        spec = RawEdf(
            [RawSig("SpO2", "%", 4, np.full((3, 4), 95))],
            record_s=record_s,
            reserved=reserved,
            onsets=onsets,
        )
        path = write_edf_raw(tmp_path / f"d{reserved[-1]}.edf", spec)
        with pytest.raises(RecordingFormatError, match=needle):
            read_recording(path)
        _one_line_exit_2(capsys, ["info", str(path)], needle)


def test_rate_over_1000_hz_refused_for_the_analysed_channel_only(tmp_path: Path) -> None:
    fast = RawSig("EEG", "uV", 2000, np.zeros((3, 2000)), dmin=-100, dmax=100, pmin=-1, pmax=1)
    spo2 = RawSig("SpO2", "%", 1, np.full((3, 1), 95))
    rec = read_recording(write_edf_raw(tmp_path / "psg.edf", RawEdf([fast, spo2])))
    assert rec.fs == 1.0  # a fast EEG beside it is not analysed, so it does not matter
    fast_spo2 = RawSig("SpO2", "%", 2000, np.full((3, 2000), 95))
    with pytest.raises(RecordingFormatError, match="2e\\+03 Hz is outside"):
        read_recording(write_edf_raw(tmp_path / "fast.edf", RawEdf([fast_spo2])))


def test_csv_microsecond_steps_refused_before_allocating(tmp_path: Path) -> None:
    rows = "".join(f"{i * 1e-6:.6f},95\n" for i in range(300))
    path = write_text(tmp_path / "us.csv", "seconds,spo2\n" + rows + "7200,95\n")
    with pytest.raises(RecordingFormatError, match=r"1e-06 s apart.*outside 0\.01-1000 Hz"):
        read_recording(path)
    # 1 ms steps are a legal rate, but a 6-day gap would need more slots than a channel holds
    rows = "".join(f"{i / 1000:.3f},95\n" for i in range(300))
    big = write_text(tmp_path / "ms.csv", "seconds,spo2\n" + rows + "518400,95\n")
    with pytest.raises(RecordingFormatError, match=f"more than the {MAX_SAMPLES}"):
        read_recording(big)


def test_csv_negative_times_refused_not_dropped(tmp_path: Path) -> None:
    rows = "".join(f"{t},86\n" for t in range(-3600, 60, 4))
    path = write_text(tmp_path / "neg.csv", "seconds,spo2\n" + rows)
    with pytest.raises(RecordingFormatError, match=r"line 2: time -3600 s is negative"):
        read_recording(path)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("seconds,SpO2\ninf,95\ninf,95\n2,95\n", "line 2: time 'inf' is not a finite number"),
        ("seconds,SpO2\n0,95\n1,95\n1e400,95\n", "line 4: time '1e400' is not a finite"),
        ("Time,SpO2\n-1,95\n2026-03-01T22:00:00,95\n", "line 2: the first time stamp's year -1"),
        ("seconds,SpO2\n0,95\n1e-320,95\n", "1e-320 s apart (median step), a rate of inf Hz"),
        (
            "Date,Time,SpO2(%),PR(bpm)\n9999-12-31,23:59:60,95,60\n9999-12-31,23:59:59,95,60\n",
            "line 2: the first time stamp's year 10000",
        ),
    ],
)
def test_csv_times_beyond_any_clock_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, words: str
) -> None:
    """A first stamp of the year -1 ('-1' read as ISO 8601) or 10000 ('9999-12-31 23:59:60')
    ended in a traceback from the conversion to a datetime; an infinite number of seconds was
    refused after numpy printed its RuntimeWarning with a line of oxi's source; rows 1e-320 s
    apart made an infinite rate, an OverflowError traceback."""
    path = write_text(tmp_path / "t.csv", text)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert main(["info", str(path)]) == 2
    assert words in capsys.readouterr().err


def test_fs_option_range(tmp_path: Path) -> None:
    path = write_text(tmp_path / "sats.csv", "Sats,Rate\n95,60\n96,61\n")
    with pytest.raises(RecordingFormatError, match=r"--fs 5000 is outside 0\.01-1000 Hz"):
        read_recording(path, fs=5000)
    assert read_recording(path, fs=0.5).fs == 0.5


# --- digital limits -------------------------------------------------------------------------


def test_digital_limits_outside_16_bits_refused(tmp_path: Path) -> None:
    spec = RawEdf([RawSig("SpO2", "%", 1, np.full((3, 1), 95), dmin=-40000, dmax=100)])
    with pytest.raises(RecordingFormatError, match="outside the 16-bit range -32768 to 32767"):
        read_recording(write_edf_raw(tmp_path / "wide.edf", spec))


def test_bdf_digital_limits_checked_against_24_bits(tmp_path: Path) -> None:
    def header(dmin: int) -> bytes:
        raw = bytearray(
            edf_bytes(RawEdf([RawSig("SpO2", "%", 1, np.full((3, 1), 95))], reserved=""))
        )
        raw[:8] = b"\xffBIOSEMI"
        raw[256 + 120 : 256 + 128] = str(dmin).encode().ljust(8)
        return bytes(raw[:512])

    ok = parse_header(header(-40000), tmp_path / "x.bdf", 512 + 3 * 3)  # 3 records of 3 bytes
    assert ok.bdf and ok.signals[0].dig_min == -40000
    with pytest.raises(RecordingFormatError, match="24-bit range"):
        parse_header(header(-9000000), tmp_path / "x.bdf", 512 + 3 * 3)


# --- overlapping annotations ------------------------------------------------------------------


def _annotated(annotations: list[tuple[float, float, str]]):  # type: ignore[no-untyped-def]
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=3)
    notes = tuple(Annotation(o, d, t) for o, d, t in annotations)
    return rec.__class__(**{**rec.__dict__, "annotations": notes})


def test_overlapping_stage_annotations_refused() -> None:
    rec = _annotated([(0, 1800, "Sleep stage W"), (900, 1800, "Sleep stage N2")])
    with pytest.raises(RecordingFormatError, match=r"sleep-stage annotations overlap: W .* N2"):
        analyze(rec, AnalysisSettings())
    same = _annotated([(0, 1800, "Sleep stage N2"), (900, 1800, "Sleep stage 2")])
    plan = analyze(same, AnalysisSettings()).windows
    assert plan[0].kind == "sleep" and plan[0].spans_s == ((0.0, 2700.0),)


def test_two_exercise_annotations_never_merged() -> None:
    rec = _annotated([(0, 600, "rest"), (700, 300, "exercise"), (1500, 300, "Exercise")])
    with pytest.raises(RecordingFormatError, match="2 'exercise' segment annotations"):
        analyze(rec, AnalysisSettings())
    overlapping = _annotated([(0, 600, "rest"), (500, 300, "exercise")])
    with pytest.raises(RecordingFormatError, match="segment annotations overlap"):
        analyze(overlapping, AnalysisSettings())
    # --segment chooses instead of the annotations
    chosen = AnalysisSettings(segments_s=(("exercise", 700.0, 1000.0),))
    kinds = [w.kind for w in analyze(rec, chosen).windows]
    assert kinds == ["exercise"]


def test_overlapping_segment_options_refused() -> None:
    with pytest.raises(SettingsError, match="overlap"):
        AnalysisSettings(segments_s=(("rest", 0.0, 300.0), ("exercise", 200.0, 500.0)))


# --- hypnograms ---------------------------------------------------------------------------------

START = dt.datetime(2026, 3, 2, 22, 30, 0)


@pytest.mark.parametrize(
    ("text", "stages"),
    [
        (
            "Wake\nREM\nStage W\nn2\nStage 3\nsleep stage 4\n?\n",
            ["W", "R", "W", "N2", "N3", "N4", "?"],
        ),
        ("stage\n0\n1\n2\n3\n4\n5\n", ["W", "N1", "N2", "N3", "N4", "R"]),
        ("epoch,stage\n1,w\n2,r\n3,N1\n", ["W", "R", "N1"]),
        ("onset,duration,stage\n0,60,Wake\n60,30,rem\n", ["W", "R"]),
    ],
)
def test_hypnogram_labels_through_the_one_vocabulary(
    tmp_path: Path, text: str, stages: list[str]
) -> None:
    path = write_text(tmp_path / "h.csv", text)
    assert [s for *_, s in read_hypnogram(path)] == stages


def test_unknown_hypnogram_label_names_it_and_its_line(tmp_path: Path) -> None:
    path = write_text(tmp_path / "h.csv", "stage\nW\nN1\nDeep\nN2\n")
    with pytest.raises(RecordingFormatError, match=r"line 4: unknown sleep stage 'Deep'"):
        read_hypnogram(path)


def test_clock_time_hypnogram(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "clock.csv", "time,stage\n22:29:30,W\n22:30:00,W\n23:59:30,N2\n00:00:00,REM\n"
    )
    got = read_hypnogram(path, start=START, end_s=4 * 3600)
    # 22:29:30 is before the start: clipped away; 00:00:00 is the next day
    assert got == ((0.0, 30.0, "W"), (5370.0, 30.0, "N2"), (5400.0, 30.0, "R"))
    dated = write_text(tmp_path / "dated.csv", "time,duration_s,stage\n2026-03-02 23:00:00,60,N1\n")
    assert read_hypnogram(dated, start=START) == ((1800.0, 60.0, "N1"),)
    back = write_text(tmp_path / "back.csv", "time,stage\n23:00:00,W\n22:59:00,N1\n")
    with pytest.raises(RecordingFormatError, match="line 3: time '22:59:00' does not come after"):
        read_hypnogram(back, start=START)


def test_hypnogram_clipped_to_the_recording(tmp_path: Path) -> None:
    path = write_text(tmp_path / "h.csv", "onset,duration,stage\n0,60,W\n3590,1e300,N2\n")
    assert read_hypnogram(path, end_s=3600) == ((0.0, 60.0, "W"), (3590.0, 10.0, "N2"))
    other = write_text(tmp_path / "late.csv", "onset,duration,stage\n90000,30,W\n")
    with pytest.raises(RecordingFormatError, match="none of the recording"):
        read_hypnogram(other, end_s=3600)


def test_wake_and_rem_labels_stage_the_night(tmp_path: Path) -> None:
    """``Wake``/``REM`` used to be dropped, leaving no sleep window at all."""
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=5)
    epochs = ["Wake"] * 20 + ["REM"] * 60 + ["2"] * 40
    path = write_text(tmp_path / "h.csv", "\n".join(epochs) + "\n")
    staging = read_hypnogram(path, start=rec.start, end_s=rec.duration_s)
    windows = analyze(rec, AnalysisSettings(staging=staging)).windows
    assert windows[0].kind == "sleep" and windows[0].spans_s == ((600.0, 3600.0),)
    assert windows[1].kind == "awake" and windows[1].spans_s == ((0.0, 600.0),)
