"""CSV and text exports (SPEC §2.2): formats, sentinels, time grid, daylight saving, hypnograms."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from oxi.cli import main
from oxi.info import format_info
from oximetry.errors import ChannelNotFoundError, RecordingFormatError
from oximetry.io import inspect_recording, read_hypnogram, read_recording
from oximetry.io.timegrid import TimeAxisError, place_on_grid
from tests.io_fixtures import write_text

O2RING = (
    "Time,SpO2(%),Pulse Rate(bpm),Motion,SpO2 Reminder,PR Reminder,\n"
    '"11:20:29PM Jun 19, 2026",95,61,0,0,0,\n'
    '"11:20:33PM Jun 19, 2026",255,65535,3,0,0,\n'
    '"11:20:37PM Jun 19, 2026",--,--,3,0,0,\n'
    '"11:20:41PM Jun 19, 2026",93,63,0,0,0,\n'
    '"11:20:49PM Jun 19, 2026",92,64,0,0,0,\n'
)


def test_stamps_coarser_than_the_rows_are_refused(tmp_path: Path) -> None:
    """A 1 Hz night stamped to the minute (a spreadsheet's h:mm column written back): one row a
    minute was kept, each standing for its whole minute, and five 40-s dips at 86 % (3.3 min)
    became 5.0 min at or below 88 % and qualified. Rows repeating a slot are refused past a
    tenth of the file; a few are dropped with a warning, the first row kept."""
    t0 = dt.datetime(2026, 12, 6, 22, 0, 0)
    x = np.full(3600, 95)
    for k in range(5):
        x[600 + 600 * k : 640 + 600 * k] = 86
    rows = "".join(
        f"{(t0 + dt.timedelta(seconds=i)):%Y-%m-%d %H:%M},{v}\n" for i, v in enumerate(x)
    )
    path = write_text(tmp_path / "minutes.csv", "time,spo2\n" + rows)
    with pytest.raises(RecordingFormatError, match=r"3540 of 3600 rows repeat .* coarser"):
        read_recording(path)
    # a stamp repeated now and then (under a tenth of the rows): the first row is kept
    rows = "".join(
        f"{(t0 + dt.timedelta(seconds=i - (i % 20 == 19))):%Y-%m-%d %H:%M:%S},{v}\n"
        for i, v in enumerate(x)
    )
    rec = read_recording(write_text(tmp_path / "some.csv", "time,spo2\n" + rows))
    assert any(w.startswith("180 row(s) share a time slot") for w in rec.warnings)
    assert np.count_nonzero(np.isfinite(rec.spo2.data)) == 3600 - 180


def test_o2ring_quoted_times_trailing_commas_sentinels_and_gap(tmp_path: Path) -> None:
    rec = read_recording(write_text(tmp_path / "o2ring.csv", O2RING))
    assert rec.source.format == "csv-o2ring"
    assert rec.fs == 0.25
    assert rec.start == dt.datetime(2026, 6, 19, 23, 20, 29)
    # rows at 0, 4, 8, 12, 20 s on a 4-s grid: slot 4 (16 s) is a gap
    x = rec.spo2.data
    assert x.size == 6
    assert x[0] == 95 and x[3] == 93 and x[5] == 92
    assert np.isnan(x[[1, 2, 4]]).all()  # 255, --, gap: missing, never forward-filled
    assert rec.pulse is not None and rec.pulse.label == "Pulse Rate(bpm)"
    assert np.isnan(rec.pulse.data[[1, 2, 4]]).all() and rec.pulse.data[3] == 63
    assert rec.spo2.unit == "%"
    assert any("gap" in w for w in rec.warnings)


def test_stamps_half_a_step_off_the_grid_keep_every_row(tmp_path: Path) -> None:
    """An O2Ring that restarts after a 10-minute gap 2 s out of phase with its 4-s steps: its
    stamps fell at k + 0.5 steps, rounded half to even onto slots 0, 2, 2, 4, 4, ..., and every
    second row of the hour after the gap was dropped as a duplicate (the hour's 10 min at 87 %
    vanished). Half a step rounds up now: every row keeps a slot of its own."""
    t0 = dt.datetime(2026, 6, 19, 23, 0, 0)
    times = [t0 + dt.timedelta(seconds=4 * i) for i in range(900)]
    t1 = times[-1] + dt.timedelta(seconds=602)
    times += [t1 + dt.timedelta(seconds=4 * i) for i in range(900)]
    rows = "".join(f'"{t.strftime("%I:%M:%S%p %b %d, %Y")}",{87 if i % 900 < 150 else 95},70,0,0,0,\n'
                   for i, t in enumerate(times))  # fmt: skip
    rec = read_recording(write_text(tmp_path / "o2ring.csv", O2RING.splitlines()[0] + "\n" + rows))
    x = rec.spo2.data
    assert np.count_nonzero(np.isfinite(x)) == 1800  # every row, none dropped
    assert np.count_nonzero(x == 87) == 300
    assert not any("share a time slot" in w for w in rec.warnings)
    assert any(w.startswith("1 gap(s) in the time stamps (10.0 min") for w in rec.warnings)
    # seconds from the start, 2 s apart from 1 s: 0.5, 1.5, 2.5 steps
    text = "seconds,spo2\n" + "".join(f"{1 + 2 * i},{95 - (i % 7)}\n" for i in range(600))
    rec = read_recording(write_text(tmp_path / "generic.csv", text))
    assert np.count_nonzero(np.isfinite(rec.spo2.data)) == 600


@pytest.mark.parametrize(("step_s", "jitter_s"), [(1, 0.3), (1, 0.45), (4, 1.5)])
@pytest.mark.parametrize("first", [0.0, 1.0, -1.0])
def test_stamps_jittered_around_whole_seconds_keep_their_rate(
    tmp_path: Path, step_s: int, jitter_s: float, first: float
) -> None:
    """A 1 Hz night stamped on arrival to the millisecond, jittered by up to 0.3 s: the median
    step came out 0.999 s, the slots drifted, rows fell on one another or left holes, and the
    short-island rule took out 40 % of the night. The rate is the whole step. And whatever the
    first row's own jitter (``first`` x ``jitter_s``): with the first row alone 0.3 s late, the
    grid through it put the other rows 0.3 s early, and 38 % of the night was lost (hunt 12)."""
    rng = np.random.default_rng(5)
    n = 8 * 3600 // step_s
    t0 = dt.datetime(2026, 12, 6, 22, 0, 0)
    offsets = np.arange(n) * step_s + rng.uniform(-jitter_s, jitter_s, n)
    offsets[0] = first * jitter_s
    rows = "".join(
        f"{(t0 + dt.timedelta(seconds=float(o))).isoformat(timespec='milliseconds')},"
        f"{95 - (i % 3)}\n"
        for i, o in enumerate(offsets)
    )
    rec = read_recording(write_text(tmp_path / "jitter.csv", "time,spo2\n" + rows))
    assert rec.start == t0 + dt.timedelta(seconds=round(first * jitter_s, 3))  # its own stamp
    assert rec.fs == 1.0 / step_s
    assert rec.spo2.n_samples == n and np.isfinite(rec.spo2.data).all()
    assert not any("gap" in w or "share a time slot" in w for w in rec.warnings)


def test_decimal_commas_are_refused_and_other_text_is_counted(tmp_path: Path) -> None:
    """Whole values written 95 and fractions "88,4" (quoted): the fractions were read as missing
    without a word, and a night's ten minutes at 88.4 % vanished."""
    rows = "".join(f'{i},"88,4"\n' if 600 <= i < 1200 else f"{i},95\n" for i in range(1800))
    with pytest.raises(RecordingFormatError, match="decimal comma \\('88,4'\\)"):
        read_recording(write_text(tmp_path / "comma.csv", "seconds,spo2\n" + rows))
    # "88,4%" got past the refusal (its sign kept), and its minutes vanished the same way
    for cell in ("88,4%", "88,4 %"):
        pct = "".join(f'{i},"{cell}"\n' if 600 <= i < 1200 else f"{i},95%\n" for i in range(1800))
        with pytest.raises(RecordingFormatError, match="decimal comma"):
            read_recording(write_text(tmp_path / "pct.csv", "seconds,spo2\n" + pct))
    every = "".join(f'{i},"{95 - i % 3},5"\n' for i in range(600))  # every value a fraction
    with pytest.raises(RecordingFormatError, match="decimal comma"):
        read_recording(write_text(tmp_path / "all.csv", "seconds,spo2\n" + every))
    # a column the analysis never reads may hold what it likes (a perfusion index "4,5",
    # steps "1,000")
    other = "".join(f'{i},95,"4,5","1,000"\n' for i in range(600))
    rec = read_recording(write_text(tmp_path / "pi.csv", "seconds,spo2,PI,Steps\n" + other))
    assert np.isfinite(rec.spo2.data).all()
    odd = "".join(f"{i},{'ERR' if i % 100 == 7 else 95}\n" for i in range(600))
    rec = read_recording(write_text(tmp_path / "odd.csv", "seconds,spo2\n" + odd))
    assert np.count_nonzero(np.isnan(rec.spo2.data)) == 6
    assert "column 'spo2': 6 cell(s) that are not numbers were read as missing" in rec.warnings


def test_a_status_column_of_text_is_refused(tmp_path: Path) -> None:
    """An oximeter status column whose rows say "OK" and "Probe off" was read as missing
    throughout and flagged nothing: 6 min at 84 % beside "Probe off" qualified a night that
    the same rows flagged 1 did not (hunt 13). Codes and missing-data tokens are read."""

    def rows(ok: str, off: str) -> str:
        return "".join(
            f"{i},{84 if 300 <= i < 660 else 95},{off if 300 <= i < 660 else ok}\n"
            for i in range(1200)
        )

    for ok, off in (("OK", "Probe off"), ("0", "ERR")):
        path = write_text(tmp_path / "text.csv", "seconds,spo2,SpO2 Status\n" + rows(ok, off))
        with pytest.raises(RecordingFormatError, match="'SpO2 Status' is the oximeter's status"):
            read_recording(path)
    rec = read_recording(
        write_text(tmp_path / "codes.csv", "seconds,spo2,SpO2 Status\n" + rows("--", "4"))
    )
    assert rec.status is not None
    assert np.isnan(rec.status.data[:300]).all() and (rec.status.data[300:660] == 4).all()


def test_rows_wider_than_the_header_are_refused(tmp_path: Path) -> None:
    """``Time,PI,SpO2,PR`` with PI written unquoted as 0,87: each row has five fields, and cut
    to the header's four, SpO2 was read from PI's decimals (87) and the pulse from SpO2. A
    night at 94 % made 119 min at or below 88 % and qualified."""
    t0 = dt.datetime(2026, 1, 5, 22, 0)
    rows = [f"{t0 + dt.timedelta(seconds=i):%Y-%m-%d %H:%M:%S},0,87,94,62" for i in range(600)]
    text = "Time,PI,SpO2,PR\n" + "\n".join(rows) + "\n"
    with pytest.raises(RecordingFormatError, match="line 2: 5 fields where the header \\(line 1"):
        read_recording(write_text(tmp_path / "pi.csv", text))
    # trailing empty fields are no extra data (an O2Ring row ends in a comma; so may others)
    rec = read_recording(write_text(tmp_path / "t.csv", text.replace(",0,87,", ",0.87,")))
    assert rec.spo2.data[0] == 94.0
    trailing = "Time,SpO2,PR\n" + "".join(f"{r.split(',', 2)[0]},94,62,,\n" for r in rows)
    assert read_recording(write_text(tmp_path / "e.csv", trailing)).spo2.data[0] == 94.0


def test_older_o2_insight(tmp_path: Path) -> None:
    text = (
        "Time,Oxygen Level(%),Pulse Rate(bpm),Motion,Oxygen Level Reminder,PR Reminder,\n"
        '"03:17:29AM Sep 16, 2026",97,70,0,0,0,\n'
        '"03:17:33AM Sep 16, 2026",96,71,0,0,0,\n'
        '"03:17:37AM Sep 16, 2026",255,65535,0,0,0,\n'
    )
    rec = read_recording(write_text(tmp_path / "old.csv", text))
    assert rec.source.format == "csv-o2insight"
    assert rec.start == dt.datetime(2026, 9, 16, 3, 17, 29)
    assert rec.fs == 0.25
    np.testing.assert_array_equal(rec.spo2.data[:2], [97, 96])
    assert np.isnan(rec.spo2.data[2])


def test_viatom_checkme(tmp_path: Path) -> None:
    text = (
        "Time,Oxygen Level,Pulse Rate,Motion,O2 Reminder,PR Reminder\n"
        "23:59:58 Mar 06 2025,94,60,0,0,0\n"
        "00:00:00 Mar 07 2025,93,61,0,0,0\n"
        "00:00:02 Mar 07 2025,--,--,0,0,0\n"
    )
    rec = read_recording(write_text(tmp_path / "v.csv", text))
    assert rec.source.format == "csv-viatom"
    assert rec.fs == 0.5
    assert rec.spo2.n_samples == 3
    assert rec.source.date_known is True


def test_emay_date_and_time_columns(tmp_path: Path) -> None:
    text = (
        "Date,Time,SpO2(%),PR(bpm)\n"
        "2/26/2024,9:10:35 PM,97,72\n"
        "2/26/2024,9:10:36 PM,,\n"
        "2/26/2024,9:10:37 PM,96,73\n"
    )
    rec = read_recording(write_text(tmp_path / "emay.csv", text))
    assert rec.source.format == "csv-emay"
    assert rec.source.device == "EMAY oximeter export"
    assert rec.start == dt.datetime(2024, 2, 26, 21, 10, 35)
    assert rec.fs == 1.0
    assert np.isnan(rec.spo2.data[1]) and rec.spo2.data[2] == 96


@pytest.mark.parametrize(
    ("header", "extra"),
    [
        ("DATE,TIME,SPO2,PULSE", ""),
        ("Date,Time,SpO2,PR", ""),
        ("Date,Time,SpO2(%),PR(bpm),Motion", ", 0"),
    ],
)
def test_a_date_time_table_of_another_device_is_not_named_emay(
    tmp_path: Path, header: str, extra: str
) -> None:
    """pulseoxdl's CSV of a Contec CMS50E (DATE,TIME,SPO2,PULSE, its real first rows) was
    named "EMAY oximeter export" on page 1: any Date,Time,SpO2 header was taken for EMAY's.
    It is read alike (date and time columns) but names no device."""
    rows = [f"2021-04-30, 11:28:39, 95, 81{extra}", f"2021-04-30, 11:28:40, 94, 80{extra}"]
    rec = read_recording(write_text(tmp_path / "export.csv", "\n".join([header, *rows]) + "\n"))
    assert rec.source.format == "csv-date-time"
    assert rec.source.device == ""
    assert rec.start == dt.datetime(2021, 4, 30, 11, 28, 39)
    assert rec.fs == 1.0
    assert list(rec.spo2.data) == [95.0, 94.0]


def test_emay_header_with_a_trailing_comma_is_still_emay(tmp_path: Path) -> None:
    text = "date,time,spo2(%),pr(bpm),\n2/26/2024,9:10:35 PM,97,72,\n2/26/2024,9:10:36 PM,96,72,\n"
    rec = read_recording(write_text(tmp_path / "emay.csv", text))
    assert rec.source.format == "csv-emay"
    assert rec.source.device == "EMAY oximeter export"


def test_masimo_trendcom(tmp_path: Path) -> None:
    text = (
        "09/21/08 09:56:12 SpO2=097 PR=069 PI=04.69 EXC=800:SET\n"
        "09/21/08 09:56:14 SpO2=000 PR=000 PI=00.00 EXC=020:SET\n"
        "09/21/08 09:56:16 SpO2=--- PR=--- PI=--.-- EXC=000:SET\n"
        "09/21/08 09:56:18 SpO2=095 PR=070 PI=04.10 EXC=010:SET\n"
        "09/21/08 09:56:20 SpO2=096 PR=071 PI=04.10 EXC=000:SET\n"
    )
    rec = read_recording(write_text(tmp_path / "masimo.txt", text))
    assert rec.source.format == "masimo-trendcom"
    assert rec.start == dt.datetime(2008, 9, 21, 9, 56, 12)
    assert rec.fs == 0.5
    x = rec.spo2.data
    assert x[0] == 97 and np.isnan(x[1]) and np.isnan(x[2]) and x[3] == 95
    assert rec.status is not None
    # sensor off (020) and interference (010) are faults; 800 comes with a displayed reading
    np.testing.assert_array_equal(rec.status.data, [0, 1, 0, 1, 0])


def test_masimo_exception_code_longer_than_an_int64_is_read(tmp_path: Path) -> None:
    """EXC=FFFFFFFFFFFFFFFFFFFFFFFF raised OverflowError (a traceback) (hunt 15): its low bits
    are faults like any code's."""
    text = "".join(
        f"09/21/08 09:56:{s:02d} SpO2=097 PR=069 PI=04.69 EXC={'F' * 24 if s == 4 else '000'}:SET\n"
        for s in range(0, 20, 2)
    )
    rec = read_recording(write_text(tmp_path / "masimo.txt", text))
    assert rec.status is not None
    np.testing.assert_array_equal(rec.status.data, [0, 0, 1, 0, 0, 0, 0, 0, 0, 0])


def test_masimo_trendcom_lines_that_end_at_the_pulse(tmp_path: Path) -> None:
    """A TrendCom line whose pulse ends it was 'not in TrendCom format': its sample dropped (a
    4-s grid where the rows were 2 s apart) or, every line so, the file refused (hunt 15)."""
    text = "".join(
        f"09/21/08 09:56:{s:02d} SpO2=09{s % 7} PR=069"
        + (" PI=04.69 EXC=000:SET\n" if s % 4 else "\n")
        for s in range(0, 40, 2)
    )
    rec = read_recording(write_text(tmp_path / "masimo.txt", text))
    assert rec.fs == 0.5 and rec.spo2.n_samples == 20
    np.testing.assert_array_equal(rec.spo2.data, [90 + s % 7 for s in range(0, 40, 2)])
    assert not any("not in TrendCom format" in w for w in rec.warnings)
    bare = "".join(f"09/21/08 09:56:{s:02d} SpO2=095 PR=069\n" for s in range(0, 40, 2))
    assert read_recording(write_text(tmp_path / "bare.txt", bare)).spo2.n_samples == 20


def test_masimo_values_that_are_not_numbers_are_said(tmp_path: Path) -> None:
    """TrendCom readings that are not numbers ("SpO2=086*") were read as missing without a word:
    a night's 10 min at 86 % read as 0.0 min at or below 88 % (hunt 16). As in any export, a
    warning counts them, also when most readings are such; '---' is missing data, not said."""
    lines = [
        f"09/21/08 09:{m:02d}:{s:02d} SpO2={'096' if m % 3 == 0 else '086*'} PR=069 PI=04.69 EXC=000"
        for m in range(10, 20)
        for s in range(0, 60, 2)
    ]
    rec = read_recording(write_text(tmp_path / "masimo.txt", "\n".join(lines) + "\n"))
    assert "SpO2: 210 value(s) that are not numbers read as missing" in rec.warnings
    assert not any(w.startswith("PR:") for w in rec.warnings)
    plain = "09/21/08 09:56:12 SpO2=--- PR=069\n09/21/08 09:56:14 SpO2=096 PR=069\n"
    assert not any(
        "not numbers" in w for w in read_recording(write_text(tmp_path / "p.txt", plain)).warnings
    )


def test_contecs_no_finger_code_is_missing_in_a_csv(tmp_path: Path) -> None:
    """DATE,TIME,SPO2,PULSE rows of a Contec keep its no-finger pair 127/255: the SpO2 of 127 was
    a number, counted out of range rather than missing (hunt 15)."""
    text = "DATE,TIME,SPO2,PULSE\n" + "".join(
        f"2025-07-05, 16:59:{s:02d}, {127 if s < 3 else 96}, {255 if s < 3 else 80}\n"
        for s in range(20)
    )
    rec = read_recording(write_text(tmp_path / "c.csv", text))
    assert np.isnan(rec.spo2.data[:3]).all() and (rec.spo2.data[3:] == 96).all()


def test_generic_iso_and_seconds(tmp_path: Path) -> None:
    iso = "timestamp,spo2,hr\n2026-01-05T22:00:00,95,60\n2026-01-05T22:00:01,94,61\n"
    rec = read_recording(write_text(tmp_path / "iso.csv", iso))
    assert rec.source.format == "csv-generic"
    assert rec.start == dt.datetime(2026, 1, 5, 22, 0, 0)
    assert rec.pulse is not None and rec.pulse.label == "hr"
    secs = "seconds,SaO2\n0,95\n0.5,94\n1.0,\n1.5,93\n"
    rec = read_recording(write_text(tmp_path / "s.csv", secs))
    assert rec.fs == 2.0
    assert rec.source.date_known is False
    assert rec.start == dt.datetime(1900, 1, 1)
    assert np.isnan(rec.spo2.data[2])


@pytest.mark.parametrize("stamp", ["%H%M%S", "%Y%m%d%H%M%S"])
def test_clock_times_written_as_digits_are_refused(tmp_path: Path, stamp: str) -> None:
    """hhmmss stamps are numbers: read as seconds, a 2-h night of 4-s rows from 220000 became
    266 min, a 40-s gap after every minute's 15 rows (146 min of gaps not in the file)."""
    t0 = dt.datetime(2026, 3, 1, 22, 0, 0)
    rows = "".join(f"{t0 + dt.timedelta(seconds=s):{stamp}},95,60\n" for s in range(0, 7200, 4))
    path = write_text(tmp_path / "d.csv", "Time,SpO2,PR\n" + rows)
    with pytest.raises(RecordingFormatError, match="clock times written as digits"):
        read_recording(path)


@pytest.mark.parametrize("step", [1, 4, 50, 100])
def test_seconds_are_not_taken_for_clock_digits(tmp_path: Path, step: int) -> None:
    rows = "".join(f"{s},95\n" for s in range(0, 200 * step, step))
    rec = read_recording(write_text(tmp_path / "s.csv", "seconds,SpO2\n" + rows))
    assert rec.spo2.n_samples == 200


def test_times_from_00_00_00_without_a_date_are_elapsed_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An afternoon's 5 h exported as elapsed h:mm:ss (00:00:00 ...) was read as a clock from
    midnight, lay wholly in the night and qualified as nocturnal, where the same rows in seconds
    were indeterminate: nothing in the file says which it is, so neither a clock nor a date."""
    from oximetry.simulate import simulate_night

    rec, _ = simulate_night(fs=1.0, duration_s=5 * 3600, seed=3, noise_pts=0.6,
                            sustained_drops=[(3600, 2400, 86)])  # fmt: skip
    rows = "".join(
        f"{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d},{v:.0f},70\n"
        for i, v in enumerate(rec.spo2.data)
    )
    path = write_text(tmp_path / "e.csv", "Time,SpO2,PR\n" + rows)
    got = read_recording(path)
    assert (got.source.date_known, got.clock_known) == (False, False)
    assert any("read as elapsed time" in w for w in got.warnings)
    ctx = Path(__file__).parents[1] / "data" / "example-context.yaml"
    out = tmp_path / "out"
    assert (
        main(["analyze", str(path), "--context", str(ctx), "--no-report", "--out", str(out)]) == 0
    )
    summary = json.loads((out / "summary.json").read_text())
    assert summary["qualification"]["determination"] == "indeterminate"
    # counted from 00:00:01 or from a first sample at 4 s, it is elapsed time too (review of
    # hunt 13: both qualified); from 00:01:00, or passing midnight, it is a clock
    for first in (1, 4, 59):
        rows = "".join(f"00:{s // 60:02d}:{s % 60:02d},95\n" for s in range(first, first + 12, 4))
        ones = write_text(tmp_path / "o.csv", "Time,SpO2\n" + rows)
        got = read_recording(ones)
        assert (got.source.date_known, got.clock_known) == (False, False), first
    later = write_text(tmp_path / "l.csv", "Time,SpO2\n00:01:00,95\n00:01:01,95\n00:01:02,95\n")
    assert read_recording(later).clock_known
    night = write_text(tmp_path / "n.csv", "Time,SpO2\n23:59:59,95\n00:00:00,95\n00:00:01,95\n")
    assert read_recording(night).clock_known


def _paused_night(header: str) -> str:
    """1 Hz rows of 0-600 s and 2400-3600 s (a 30-min pause), at 86 % from 2500 to 3100 s."""
    seconds = [*range(600), *range(2400, 3600)]
    return header + "\n" + "".join(f"{s},{86 if 2500 <= s < 3100 else 95}\n" for s in seconds)


@pytest.mark.parametrize("header", ["Time [s],SpO2", "Time(s),SpO2", "TIME (S),SpO2"])
def test_a_seconds_column_spelt_otherwise_keeps_its_gaps(tmp_path: Path, header: str) -> None:
    """Taken for no time column, 'Time [s]' was read as rows without time stamps at --fs: the
    30-min pause closed up and the dip at 2500 s was placed at 700 s."""
    rec = read_recording(write_text(tmp_path / "p.csv", _paused_night(header)))
    assert rec.spo2.n_samples == 3600
    assert int(np.flatnonzero(rec.spo2.data == 86)[0]) == 2500


@pytest.mark.parametrize("column", ["Elapsed Time", "Time (hh:mm:ss)", "Timestamp (UTC)", "Date"])
def test_a_time_column_of_another_name_is_refused(tmp_path: Path, column: str) -> None:
    path = write_text(tmp_path / "p.csv", _paused_night(f"{column},SpO2"))
    with pytest.raises(RecordingFormatError, match=r"looks like a time column.*gaps would close"):
        read_recording(path, fs=1.0)


@pytest.mark.parametrize("column", ["sec", "ms", "Minutes", "hours", "t (ms)", "Zeit (s)"])
def test_a_column_named_by_its_unit_of_time_is_refused(tmp_path: Path, column: str) -> None:
    """A column 'sec' of elapsed seconds was no time column: read at --fs 1, the 30-min pause
    closed up, and --exclude 2500-3100 (the file's seconds of the dip) left the dip, at 700 s,
    in the night, which qualified on it (hunt 14)."""
    path = write_text(tmp_path / "p.csv", _paused_night(f"{column},SpO2"))
    with pytest.raises(RecordingFormatError, match=r"looks like a time column.*gaps would close"):
        read_recording(path, fs=1.0)


@pytest.mark.parametrize("column", ["Unnamed: 0", "index"])
def test_pandas_row_numbers_are_refused(tmp_path: Path, column: str) -> None:
    """pandas' index read back (``Unnamed: 0``) or reset (``index``) numbers the rows a
    ``dropna()`` kept: read at --fs as rows without time stamps, the 30-min pause closed up and
    the dip at 2500 s was placed at 700 s (hunt 14)."""
    path = write_text(tmp_path / "p.csv", _paused_night(f"{column},SpO2"))
    with pytest.raises(RecordingFormatError, match=r"looks like row numbers.*close up"):
        read_recording(path, fs=1.0)


@pytest.mark.parametrize(("column", "start"), [("Unnamed: 2", 0), ("index", 1)])
def test_pandas_row_numbers_are_refused_wherever_they_sit(
    tmp_path: Path, column: str, start: int
) -> None:
    """The index, counting from 0 or 1 with a dropna()'s gaps, is refused as a last column too."""
    body = "".join(
        f"{95 if k % 7 else 86},60,{k + start}\n" for k in [*range(600), *range(2400, 3600)]
    )
    path = write_text(tmp_path / "p.csv", f"SpO2,Pulse,{column}\n" + body)
    with pytest.raises(RecordingFormatError, match=r"looks like row numbers.*close up"):
        read_recording(path, fs=1.0)


@pytest.mark.parametrize("column", ["Unnamed: 0", "index"])
def test_row_numbers_that_start_again_are_refused_too(tmp_path: Path, column: str) -> None:
    """Tables joined by pd.concat without ignore_index number their rows again from 0: read as
    a data column since the index had to count up, a night with 100 rows, then 7,100 with a
    dropna()'s gap, read at --fs as 120 min with the gap closed up (review of hunt 14)."""
    ks = [*range(100), *range(3000), *range(4000, 8100)]
    body = "".join(f"{column_cell},{95 if k % 7 else 86},60\n" for k, column_cell in
                   zip(range(len(ks)), [*range(100), *ks[100:]], strict=True))  # fmt: skip
    path = write_text(tmp_path / "p.csv", f"{column},SpO2,Pulse\n" + body)
    with pytest.raises(RecordingFormatError, match=r"looks like row numbers"):
        read_recording(path, fs=1.0)


@pytest.mark.parametrize(
    ("column", "cell"),
    [
        ("index", lambda k: int(k % 97 == 0)),  # an event flag
        ("Unnamed: 2", lambda k: int(51 <= k < 60)),  # a status left without a name
        ("index", lambda k: k // 60),  # a counter of minutes
        ("Index", lambda k: 2 + k % 4),  # a perfusion index in whole numbers
    ],
)
def test_whole_numbers_that_are_no_row_numbers_are_read(
    tmp_path: Path, column: str, cell: Callable[[int], int]
) -> None:
    """Whole numbers under an index's name are data unless they count rows: an event flag, a
    status, a counter and a perfusion index were refused as pandas' row numbers once any whole
    numbers of 0 or more were (review of hunt 14)."""
    body = "".join(f"{86 if 250 <= k < 350 else 95},60,{cell(k)}\n" for k in range(600))
    rec = read_recording(write_text(tmp_path / "p.csv", f"SpO2,Pulse,{column}\n" + body), fs=1.0)
    assert rec.spo2.n_samples == 600
    assert int((rec.spo2.data == 86).sum()) == 100


@pytest.mark.parametrize("column", ["Unnamed: 2", "index"])
@pytest.mark.parametrize("cell", ["", "0", "1.5"])
def test_a_column_named_like_the_index_that_holds_no_row_numbers_is_read(
    tmp_path: Path, column: str, cell: str
) -> None:
    """A device's trailing comma read by pandas and written without its index ('SpO2,Pulse,
    Unnamed: 2' over an empty column) was refused as row numbers since hunt 14's refusal of the
    index; it is read as before: one sample a row at --fs, the dip where it was (hunt 14)."""
    body = "".join(f"{86 if 2500 <= k < 2600 else 95},60,{cell}\n" for k in range(4000))
    rec = read_recording(write_text(tmp_path / "p.csv", f"SpO2,Pulse,{column}\n" + body), fs=1.0)
    assert rec.spo2.n_samples == 4000
    assert int(np.flatnonzero(rec.spo2.data == 86)[0]) == 2500
    assert int((rec.spo2.data == 86).sum()) == 100


def test_a_data_column_with_a_rate_per_minute_is_no_time_column(tmp_path: Path) -> None:
    """A pulse per minute ('Pulse (beats/min)') is no unit of time: rows without time stamps."""
    path = write_text(tmp_path / "p.csv", "SpO2,Pulse (beats/min)\n95,60\n95,61\n,\n94,60\n")
    rec = read_recording(path, fs=1.0)
    assert rec.spo2.n_samples == 4


def test_a_column_of_time_stamps_under_another_word_is_refused(tmp_path: Path) -> None:
    """A German export's 'Zeit' column of O2Ring stamps was no time column: the file was said to
    hold no time stamps and, read at --fs 0.25, a 30-min pause closed up (dip 2500 s -> 700 s)."""
    t0 = dt.datetime(2026, 3, 1, 22, 0, 0)
    rows = "".join(
        f'"{t0 + dt.timedelta(seconds=s):%I:%M:%S%p %b %d, %Y}",95,60\n'
        for s in [*range(0, 600, 4), *range(2400, 3600, 4)]
    )
    path = write_text(tmp_path / "z.csv", "Zeit,SpO2(%),Pulsfrequenz(bpm)\n" + rows)
    with pytest.raises(RecordingFormatError, match=r"column 'Zeit' looks like a time column"):
        read_recording(path, fs=0.25)


def test_a_column_of_seconds_counts_from_its_first_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 4-hour night whose time column is seconds since midnight (79200, 79201, ...) was read
    from the column's zero: 22 h of missing data in front of it, duration 1560 min with "1 gap
    ... 1320 min". Its first row is the start; the figures are the 4 hours'."""
    n = 4 * 3600
    x = np.full(n, 95)
    x[9000 - 6 : 9000] = np.arange(94, 88, -1)  # 1 %/s down, no implausible fall
    x[9000 : 9000 + 420] = 88  # 7.0 min at or below 88 %
    x[9420 : 9420 + 6] = np.arange(89, 95)
    text = "seconds,spo2,pulse\n" + "".join(f"{79200 + k},{v},70\n" for k, v in enumerate(x))
    path = write_text(tmp_path / "since_midnight.csv", text)
    rec = read_recording(path)
    assert (rec.spo2.n_samples, rec.fs, rec.start) == (n, 1.0, dt.datetime(1900, 1, 1))
    np.testing.assert_array_equal(rec.spo2.data, x)
    assert not rec.clock_known  # a bare number says nothing of its zero: no clock guessed
    assert not any("gap" in w for w in rec.warnings)
    assert any("its first row, at 79200 s, is taken as the start" in w for w in rec.warnings)
    out = tmp_path / "out"
    assert main(["analyze", str(path), "--no-report", "--out", str(out)]) == 0
    capsys.readouterr()
    summary = json.loads((out / "summary.json").read_text())
    r = summary["recording"]
    assert (r["samples"], r["duration_min"], r["valid_min"]) == (n, 240.0, 240.0)
    assert r["artifact_pct"] == 0.0
    figs = summary["metrics"]["presumed_sleep"]
    assert (figs["duration_min"], figs["valid_min"], figs["t_le88_min"]) == (240.0, 240.0, 7.0)
    # seconds given in options count from the first row: the file's 79200 is past the end
    refused = ["--lights-off", "79200", "--out", str(tmp_path / "o2"), "--no-report"]
    assert main(["analyze", str(path), *refused]) == 2


def test_nanosecond_stamps_keep_their_spacing(tmp_path: Path) -> None:
    # Found by the fuzzer: a start with nanoseconds made the start's conversion warn (exit 4).
    text = (
        "time,spo2\n2026-01-05T22:00:00.123456789,95\n"
        "2026-01-05T22:00:01.123456789,94\n2026-01-05T22:00:02.123456789,93\n"
    )
    rec = read_recording(write_text(tmp_path / "ns.csv", text))
    assert rec.start == dt.datetime(2026, 1, 5, 22, 0, 0, 123456)
    assert rec.fs == 1.0
    np.testing.assert_array_equal(rec.spo2.data, [95, 94, 93])


@pytest.mark.parametrize("year", ["0026", "1899", "2100"])
def test_implausible_years_are_refused(tmp_path: Path, year: str) -> None:
    # Found by the fuzzer: year 0026 wrapped around when cast to nanoseconds.
    text = f"time,spo2\n{year}-01-05T22:00:00,95\n2026-01-05T22:00:01,94\n"
    with pytest.raises(RecordingFormatError, match=f"line 2: .*year {int(year)} is not plausible"):
        read_recording(write_text(tmp_path / "y.csv", text))
    same = f"time,spo2\n{year}-01-05T22:00:00,95\n{year}-01-05T22:00:01,94\n"
    with pytest.raises(RecordingFormatError, match="not plausible"):
        read_recording(write_text(tmp_path / "z.csv", same))


def test_generic_iso_with_utc_offsets_across_dst(tmp_path: Path) -> None:
    text = (
        "time,spo2\n"
        "2026-10-25T02:59:58+02:00,95\n"
        "2026-10-25T02:00:00+01:00,94\n"
        "2026-10-25T02:00:02+01:00,93\n"
    )
    rec = read_recording(write_text(tmp_path / "tz.csv", text))
    assert rec.start == dt.datetime(2026, 10, 25, 2, 59, 58)
    np.testing.assert_array_equal(rec.spo2.data, [95, 94, 93])
    # The local clock went back where the offset changed: recorded, so that a clock time after
    # it is refused rather than placed an hour off (the outputs keep the first stamp's clock).
    assert rec.source.clock_changes_s == (2.0,)
    (warning,) = [w for w in rec.warnings if "UTC offset changes" in w]
    assert "from +02:00 to +01:00" in warning and "03:00:00 there" in warning


@pytest.mark.parametrize("form", ["{h}:00", "{h}00", "{h}"])
def test_iso_offsets_of_hours_only_are_read_like_hours_and_minutes(
    tmp_path: Path, form: str
) -> None:
    """``+01``, ``-05`` and ``+00`` (ISO 8601's hour-only offsets) were not seen as offsets: one
    offset throughout gave an internal error (an aware start), two across a daylight-saving
    change another ("Mixed timezones"). They read as ``+01:00`` does."""

    def offset(h: int) -> str:
        return ("+" if h >= 0 else "-") + form.format(h=f"{abs(h):02d}")

    text = (
        "time,spo2\n"
        f"2026-10-25T02:59:58{offset(2)},95\n"
        f"2026-10-25T02:00:00{offset(1)},94\n"
        f"2026-10-25T02:00:02{offset(1)},93\n"
    )
    rec = read_recording(write_text(tmp_path / "tz.csv", text))
    assert rec.start == dt.datetime(2026, 10, 25, 2, 59, 58) and rec.source.date_known
    np.testing.assert_array_equal(rec.spo2.data, [95, 94, 93])
    assert rec.source.clock_changes_s == (2.0,)
    (warning,) = [w for w in rec.warnings if "UTC offset changes" in w]
    assert "from +02:00 to +01:00" in warning
    west = f"time,spo2\n2026-01-05T22:00:00{offset(-5)},95\n2026-01-05T22:00:04{offset(-5)},94\n"
    rec = read_recording(write_text(tmp_path / "w.csv", west))
    assert rec.start == dt.datetime(2026, 1, 5, 22, 0) and rec.clock_known
    utc = f"time,spo2\n2026-01-05T22:00:00{offset(0)},95\n2026-01-05T22:00:04{offset(0)},94\n"
    rec = read_recording(write_text(tmp_path / "u.csv", utc))  # UTC: elapsed time only
    assert rec.start == dt.datetime(1900, 1, 1) and not rec.clock_known


def test_clock_times_are_refused_where_the_stamps_offset_changes(tmp_path: Path, capsys) -> None:
    # 23:00 EDT to 07:00 EST; a technologist's --lights-on 04:30 (EST, as the stamps read then)
    # was placed at 04:30 EDT, an hour early, and cut the dip at 04:10-04:20 EST out of the night.
    start = dt.datetime(2026, 11, 1, 3, 0, tzinfo=dt.timezone.utc)
    change = dt.datetime(2026, 11, 1, 6, 0, tzinfo=dt.timezone.utc)
    edt, est = (dt.timezone(dt.timedelta(hours=h)) for h in (-4, -5))
    lines = ["time,spo2"]
    for i in range(0, 8 * 3600, 60):
        u = start + dt.timedelta(seconds=i)
        lines.append(f"{u.astimezone(edt if u < change else est).isoformat()},95")
    path = write_text(tmp_path / "tz.csv", "\n".join(lines) + "\n")
    code = main(["analyze", str(path), "--lights-on", "04:30", "--no-report",
                 "--out", str(tmp_path / "out")])  # fmt: skip
    assert code == 2 and "clock time cannot be placed" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    code = main(["analyze", str(path), "--lights-on", str(6.5 * 3600), "--no-report",
                 "--out", str(tmp_path / "out")])  # fmt: skip
    assert code == 0


def test_sats_rate_needs_fs(tmp_path: Path) -> None:
    path = write_text(tmp_path / "ped.txt", "Sats,Rate\n100,99\n0,0\n97,112\n")
    with pytest.raises(RecordingFormatError, match="--fs"):
        read_recording(path)
    info = inspect_recording(path)
    assert info.fs is None and "--fs" in info.problem
    rec = read_recording(path, fs=0.5)
    assert rec.source.format == "csv-sats-rate"
    assert rec.fs == 0.5 and rec.duration_s == 6.0
    assert np.isnan(rec.spo2.data[1]) and rec.spo2.data[2] == 97
    assert rec.source.read_options["fs"] == 0.5


@pytest.mark.parametrize("header", ["Sats,Rate", "SpO2,Pulse"])
def test_blank_rows_without_time_stamps_are_missing_samples(tmp_path: Path, header: str) -> None:
    # Without time stamps each row is the next sample: a blank row (",", or an empty line) is a
    # missing sample. Dropping it moved every later sample earlier (SPEC §4).
    text = f"{header}\n95,60\n,\n\n86,70\n86,70\n\n\n"
    rec = read_recording(write_text(tmp_path / "rows.csv", text), fs=1.0)
    np.testing.assert_array_equal(rec.spo2.data, [95, np.nan, np.nan, 86, 86])
    assert rec.duration_s == 5.0  # the blank lines after the last sample are no samples


def test_a_pandas_index_under_a_blank_name_is_no_time_column(tmp_path: Path) -> None:
    """pandas writes its index (0, 1, 2 ...) under a blank name: read as seconds from the start, a
    night at 2 Hz became 1 Hz (--fs 2 ignored), and 200 s at 86 % counted 6.7 min, which
    qualified (hunt 14). Row numbers and seconds cannot be told apart: refused, saying how."""
    text = ",SpO2\n" + "".join(f"{k},{86.0 if 100 <= k < 500 else 95.0}\n" for k in range(2000))
    path = write_text(tmp_path / "df.csv", text)
    for fs in (None, 2.0):
        with pytest.raises(RecordingFormatError, match=r"first column has no name.*'seconds'"):
            read_recording(path, fs=fs)


def test_bom_blank_time_header_and_collection_halted(tmp_path: Path) -> None:
    text = (
        ",SpO2 1,SpO2 2,Pulse 1,Pulse 2,PI 1\n"
        " 23:59:58,97.4,97,57,58,1.5\n"
        " 23:59:59,97.6,0,57,0,1.5\n"
        " 00:00:00,97.5,96,57,58,1.5\n"
        "Collection Halted,,,,,\n"
    )
    path = write_text(tmp_path / "h.csv", text, bom=True)
    with pytest.raises(ChannelNotFoundError, match=r"'SpO2 1', 'SpO2 2'.*--channel"):
        read_recording(path)
    rec = read_recording(path, channel="SpO2 2")
    assert rec.fs == 1.0
    assert rec.spo2.n_samples == 3  # across midnight, trailer row ignored
    assert np.isnan(rec.spo2.data[1])
    assert rec.pulse is not None and rec.pulse.label == "Pulse 2"
    assert rec.start == dt.datetime(1900, 1, 1, 23, 59, 58)
    assert rec.source.date_known is False
    assert any("no date in file" in w for w in rec.warnings)
    info = inspect_recording(path)
    assert info.spo2_channel is None and "--channel" in info.problem
    assert "date unknown" in format_info(info)


def _viatom(times: list[str], day: str = "Oct 25 2026") -> str:
    rows = [f"{t} {day},{95 - i % 3},60,0,0,0" for i, t in enumerate(times)]
    return "Time,Oxygen Level,Pulse Rate,Motion,O2 Reminder,PR Reminder\n" + "\n".join(rows) + "\n"


def test_autumn_daylight_saving_change(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "autumn.csv", _viatom(["02:59:56", "02:59:58", "02:00:00", "02:00:02"])
    )
    rec = read_recording(path)
    assert rec.spo2.n_samples == 4  # the hour repeated by the clock is real time: no overlap
    assert not np.isnan(rec.spo2.data).any()
    assert any("autumn daylight-saving" in w for w in rec.warnings)


@pytest.mark.parametrize(
    ("day", "times", "why"),
    [
        # EU's change lands at 02:00 on a Sunday, but not in June
        ("Jun 21 2026", ["02:59:56", "02:59:58", "02:00:00"], "2026-06-21; clocks go back in"),
        # the right Sunday, in the afternoon
        ("Oct 25 2026", ["14:59:56", "14:59:58", "14:00:00"], "lands at 14:00:00"),
        # at 02:00 on a Wednesday in October
        ("Oct 21 2026", ["02:59:56", "02:59:58", "02:00:00"], "Wednesday 2026-10-21"),
    ],
)
def test_a_step_back_where_no_clock_goes_back_is_refused(
    tmp_path: Path, day: str, times: list[str], why: str
) -> None:
    """An hour read twice counts twice: a backward hour is a daylight-saving change only in the
    night of a Sunday in the months clocks go back somewhere."""
    path = write_text(tmp_path / "back.csv", _viatom(times, day))
    with pytest.raises(RecordingFormatError, match="not a daylight-saving change") as err:
        read_recording(path)
    assert why in str(err.value) and "count twice" in str(err.value)


def test_a_change_at_midnight_is_accepted_on_any_day(tmp_path: Path) -> None:
    """Some countries (Egypt, Chile) change at midnight on a Thursday or Saturday: 24:00 ->
    23:00 is accepted on any day of those months; a file of times of day without a date, with a
    step back at night, is accepted too."""
    midnight = ["23:59:56", "23:59:58", "23:00:00", "23:00:02"]
    rec = read_recording(write_text(tmp_path / "eg.csv", _viatom(midnight, "Oct 29 2026")))
    assert rec.spo2.n_samples == 4 and any("autumn daylight-saving" in w for w in rec.warnings)
    rows = "Time,SpO2\n" + "".join(f"{t},{v}\n" for t, v in (("02:59:58", 95), ("02:59:59", 96)))
    rows += "02:00:00,95\n02:00:01,94\n"
    rec = read_recording(write_text(tmp_path / "tod.csv", rows))
    assert rec.spo2.n_samples == 4 and rec.source.date_known is False
    # the same step at 14:00 without a date is refused
    afternoon = rows.replace("02:", "14:")
    with pytest.raises(RecordingFormatError, match="lands at 14:00:00"):
        read_recording(write_text(tmp_path / "pm.csv", afternoon))


def test_seconds_from_the_start_and_offset_instants_never_go_back_an_hour(tmp_path: Path) -> None:
    path = write_text(tmp_path / "el.csv", "time,SpO2\n3600,95\n3601,96\n1,95\n2,94\n")
    with pytest.raises(RecordingFormatError, match="seconds from the start, or instants"):
        read_recording(path)
    # nor do instants with a UTC offset: a clock change moves the offset, not the instant
    offsets = "time,SpO2\n2026-11-01T01:59:58-04:00,95\n2026-11-01T01:59:59-04:00,96\n"
    offsets += "2026-11-01T01:00:00-04:00,95\n2026-11-01T01:00:01-04:00,94\n"
    with pytest.raises(RecordingFormatError, match="instants with a UTC offset"):
        read_recording(write_text(tmp_path / "off.csv", offsets))
    # the same night across the real change (-04:00, then -05:00) is one monotonic hour
    real = "time,SpO2\n2026-11-01T01:59:58-04:00,95\n2026-11-01T01:59:59-04:00,96\n"
    real += "2026-11-01T01:00:00-05:00,95\n2026-11-01T01:00:01-05:00,94\n"
    rec = read_recording(write_text(tmp_path / "real.csv", real))
    assert rec.spo2.n_samples == 4 and not np.isnan(rec.spo2.data).any()


def _night_csv(path: Path, *, repeat_hour: bool) -> Path:
    """A 1-Hz CSV export from Saturday 22:00 to Sunday 06:00 on the night US clocks go back
    (2026-11-01), with 3 minutes at 86 % from 01:20 in the first pass of 01:00-02:00. With
    ``repeat_hour`` the rows from 01:00 to 02:00 are then written a second time (a duplicated
    export); else the clock's second 01:00-02:00 has values of its own (real time)."""
    rng = np.random.default_rng(5)
    start = dt.datetime(2026, 10, 31, 22, 0)

    def level(n: int) -> NDArray[np.float64]:
        return np.round(95 + rng.normal(0, 0.6, n))

    first = [(start + dt.timedelta(seconds=i), v) for i, v in enumerate(level(4 * 3600))]
    dip = 3 * 3600 + 20 * 60  # 01:20
    for i, v in zip(range(dip - 2, dip + 182), [92, 89, *[86] * 180, 89, 92], strict=True):
        first[i] = (first[i][0], float(v))  # 3-point steps: no implausible fall
    repeated = first[3 * 3600 :] if repeat_hour else []
    one = start + dt.timedelta(hours=3)  # 01:00 again
    later = [(one + dt.timedelta(seconds=i), v) for i, v in enumerate(level(5 * 3600))]
    if repeat_hour:
        later = later[3600:]  # from 02:00 on
    body = "".join(f"{t:%Y-%m-%d %H:%M:%S},{v:g}\n" for t, v in (*first, *repeated, *later))
    path.write_text("Time,SpO2\n" + body)
    return path


def test_a_duplicated_hour_is_refused_not_counted_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """End to end: a night whose 01:00-02:00 rows (3 min at 86 %) are written twice, on the
    night the US clocks go back. Read as the autumn change, the 3 minutes counted 6 and the night
    qualified; the repeated values give it away, and the file is refused with one line. The
    same night with a real repeated hour (other values) is read, the dip counted once."""
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(
        "patient: {age_years: 70}\n"
        "test: {type: overnight, date: 2026-10-31, room_air: true, setting: outpatient,\n"
        "       chronic_stable_state: true}\n"
        "order: {date: 2026-10-20, prescriber: physician, flow_lpm: 2, hours_per_day: 8}\n"
        "diagnoses: [J44.9]\n"
        "documentation: {signed_prescription: true, letter_of_medical_necessity: true}\n"
    )
    dup = _night_csv(tmp_path / "dup.csv", repeat_hour=True)
    args = ["analyze", str(dup), "--context", str(ctx), "--no-report"]
    assert main([*args, "--out", str(tmp_path / "o1")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "dup.csv" in err[0] and "a duplicated export" in err[0]
    assert not (tmp_path / "o1").exists()
    real = _night_csv(tmp_path / "real.csv", repeat_hour=False)
    args = ["analyze", str(real), "--context", str(ctx), "--no-report"]
    assert main([*args, "--out", str(tmp_path / "o2")]) == 0
    summary = json.loads((tmp_path / "o2" / "summary.json").read_text())
    assert summary["metrics"]["presumed_sleep"]["t_le88_min"] == 3.0


def test_spring_daylight_saving_change_is_a_gap(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "spring.csv", _viatom(["01:59:56", "01:59:58", "03:00:00", "03:00:02"])
    )
    rec = read_recording(path)
    assert rec.spo2.n_samples == (3600 + 6) // 2 + 1
    assert np.isnan(rec.spo2.data[2:-2]).all()
    assert any("spring daylight-saving" in w for w in rec.warnings)


def test_other_backward_step_refused(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "back.csv", _viatom(["01:00:00", "01:00:02", "00:59:00", "01:00:04"])
    )
    with pytest.raises(RecordingFormatError, match="time goes backwards at data row 3"):
        read_recording(path)
    two = write_text(
        tmp_path / "back2.csv", _viatom(["02:59:58", "02:00:00", "02:59:58", "02:00:00"])
    )
    with pytest.raises(RecordingFormatError, match="time goes backwards"):
        read_recording(two)


def test_rows_newest_first_are_said_to_run_backwards(tmp_path: Path) -> None:
    """A ViHealth export sorted newest first was refused as "every row has the same time"."""
    times = [f"23:{59 - i // 30:02d}:{58 - 2 * (i % 30):02d}" for i in range(60)]
    path = write_text(tmp_path / "desc.csv", _viatom(times))
    with pytest.raises(RecordingFormatError, match="time runs backwards: 59 of the 59 steps") as e:
        read_recording(path)
    assert "data row 2 (23:59:58 -> 23:59:56)" in str(e.value)
    assert "reverse order" in str(e.value) and "same time" not in str(e.value)
    # (across midnight too, where one step of a file of times of day goes forward)
    with pytest.raises(TimeAxisError, match="time runs backwards"):
        place_on_grid(np.array([0.0, -2, -4, -6, 86390, 86388]), time_of_day_only=True)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_is_read_with_its_byte_order_mark(tmp_path: Path, encoding: str) -> None:
    """A spreadsheet's "Unicode text" (UTF-16) export was refused as "binary data, neither EDF
    nor a text export". With a byte-order mark it says its encoding and is read as UTF-8 text
    is; without one it is refused, naming UTF-16 and what to save it as."""
    want = read_recording(write_text(tmp_path / "u8.csv", O2RING))
    bom = {"utf-16-le": "\ufeff", "utf-16-be": "\ufeff"}.get(encoding, "")
    path = tmp_path / "u16.csv"
    path.write_bytes((bom + O2RING).encode(encoding))
    if encoding == "utf-16":  # Python writes the mark itself
        assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    rec = read_recording(path)
    assert rec.start == want.start and rec.source.format == "csv-o2ring"
    np.testing.assert_array_equal(rec.spo2.data, want.spo2.data)
    path.write_bytes(O2RING.encode("utf-16-be" if encoding.endswith("be") else "utf-16-le"))
    with pytest.raises(RecordingFormatError, match=r"UTF-16 text without a byte-order mark.*UTF-8"):
        read_recording(path)


def test_fraction_csv_refused_then_scaled(tmp_path: Path) -> None:
    path = write_text(tmp_path / "frac.csv", "time,SpO2\n0,0.95\n1,0.93\n2,0.97\n")
    with pytest.raises(RecordingFormatError, match=r"fraction, not percent.*--scale 100"):
        read_recording(path)
    rec = read_recording(path, scale=100)
    np.testing.assert_allclose(rec.spo2.data, [95, 93, 97])


def test_scaled_fractions_keep_their_halves(tmp_path: Path) -> None:
    # 0.565 * 100 is 56.49999999999999 in floating point; SPEC §7 rounds the oximeter's 56.5
    # to 57, so the scaled value must be 56.5 exactly, as the EDF reader's conversion gives
    path = write_text(tmp_path / "frac.csv", "time,SpO2\n0,0.565\n1,0.575\n2,0.885\n")
    rec = read_recording(path, scale=100)
    assert rec.spo2.data.tolist() == [56.5, 57.5, 88.5]


def test_hypnogram_epochs(tmp_path: Path) -> None:
    path = write_text(tmp_path / "hyp.csv", "stage\nW\nN1\nN2\nR\n")
    assert read_hypnogram(path) == (
        (0.0, 30.0, "W"),
        (30.0, 30.0, "N1"),
        (60.0, 30.0, "N2"),
        (90.0, 30.0, "R"),
    )


def test_hypnogram_epoch_numbers(tmp_path: Path) -> None:
    path = write_text(tmp_path / "hyp5.csv", "epoch,stage\n1,W\n2,N1\n3,N2\n")
    assert read_hypnogram(path) == ((0.0, 30.0, "W"), (30.0, 30.0, "N1"), (60.0, 30.0, "N2"))
    skipped = write_text(tmp_path / "hyp6.csv", "1,W\n2,N1\n4,N2\n")
    with pytest.raises(RecordingFormatError, match="epoch 4 does not follow epoch 2"):
        read_hypnogram(skipped)
    zero = write_text(tmp_path / "hyp7.csv", "epoch,stage\n0,W\n1,N1\n")
    assert read_hypnogram(zero) == ((0.0, 30.0, "W"), (30.0, 30.0, "N1"))
    # scored from lights off, an hour in: laid from the start it moved every stage an hour
    # earlier (a dip while awake counted as sleep); where epoch 1 lies is not in the file
    later = write_text(tmp_path / "hyp8.csv", "epoch,stage\n121,W\n122,N1\n")
    with pytest.raises(RecordingFormatError, match="the epochs start at 121, not at 0 or 1"):
        read_hypnogram(later)


def test_hypnogram_onset_duration_stage(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "hyp2.csv",
        "onset_s,duration_s,stage\n0,60,Sleep stage W\n60,90,Sleep stage N2\n",
    )
    assert read_hypnogram(path) == ((0.0, 60.0, "W"), (60.0, 90.0, "N2"))
    bad = write_text(tmp_path / "hyp3.csv", "0,60,W\n30,30,N1\n")
    with pytest.raises(RecordingFormatError, match="overlap"):
        read_hypnogram(bad)
    worse = write_text(tmp_path / "hyp4.csv", "0,60,W\nx,30,N1\n")
    with pytest.raises(RecordingFormatError, match="line 2"):
        read_hypnogram(worse)


def test_hypnogram_codes_0_to_4_without_5_are_refused(tmp_path: Path) -> None:
    """YASA and other AASM numberings write REM as 4 (0 W ... 3 N3, 4 R): read as R&K's stage 4,
    a night's REM was NREM and its REM figures held none. Whether 4 is REM is not in the file."""
    aasm = write_text(tmp_path / "aasm.csv", "0\n1\n2\n3\n4\n4\n2\n0\n")
    with pytest.raises(RecordingFormatError, match="codes hold 4 and no 5"):
        read_hypnogram(aasm)
    timed = write_text(tmp_path / "timed.csv", "onset,duration,stage,note\n0,30,2,x\n30,30,4,y\n")
    with pytest.raises(RecordingFormatError, match="codes hold 4 and no 5"):
        read_hypnogram(timed)
    # R&K's codes with their REM, and stage 4 beside REM named by a label, are read as before
    rk = write_text(tmp_path / "rk.csv", "epoch,stage\n1,0\n2,4\n3,5\n")
    assert [s for _, _, s in read_hypnogram(rk)] == ["W", "N4", "R"]
    named = write_text(tmp_path / "named.csv", "0\n4\nREM\n")
    assert [s for _, _, s in read_hypnogram(named)] == ["W", "N4", "R"]
    assert [s for _, _, s in read_hypnogram(write_text(tmp_path / "n.csv", "0\n2\n3\n"))] == [
        "W",
        "N2",
        "N3",
    ]


@settings(max_examples=60, deadline=None)
@given(
    day=st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
    clock_s=st.integers(0, 86399),
    step_s=st.sampled_from([1.0, 2.0, 4.0]),
    own_values=st.booleans(),
)
@example(day=dt.date(2026, 11, 1), clock_s=3600, step_s=1.0, own_values=True)  # US, accepted
@example(day=dt.date(2026, 11, 1), clock_s=3600, step_s=1.0, own_values=False)  # duplicated
@example(day=dt.date(2026, 10, 29), clock_s=23 * 3600, step_s=2.0, own_values=True)  # Egypt
def test_an_hour_read_twice_is_accepted_only_where_clocks_go_back(
    day: dt.date, clock_s: int, step_s: float, own_values: bool
) -> None:
    """Two hours of rows, then the clock goes back an hour at a drawn date and time of day.
    Repeated rows (a duplicated export) are always refused; rows of their own are accepted only
    in the night, in the months clocks go back, on a Sunday or at midnight."""
    rng = np.random.default_rng(clock_s)
    n, hour = int(7200 / step_s), int(3600 / step_s)
    t = np.concatenate([np.arange(n) * step_s, 3600.0 + np.arange(2 * hour) * step_s])
    values = np.round(95 + rng.normal(0, 1, (t.size, 2)))
    if not own_values:
        values[n : n + hour] = values[hour:n]
    clock0 = float((clock_s - 3600) % 86400)  # the first row: the step lands at clock_s
    date0 = day - dt.timedelta(days=1) if clock0 + 3600 >= 86400 else day
    try:
        grid = place_on_grid(t, time_of_day_only=False, clock0_s=clock0, date0=date0, rows=values)
    except TimeAxisError:
        return
    assert own_values
    assert clock_s >= 23 * 3600 or clock_s <= 3 * 3600 + 60
    assert day.month in (2, 3, 4, 9, 10, 11)
    assert clock_s >= 23 * 3600 or day.weekday() == 6
    assert grid.n == 4 * hour  # the repeated hour is real time: four hours of slots


def test_clock_times_are_refused_on_a_night_the_clocks_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After the autumn change a clock time is an hour off from ``clock - start`` (and one
    hour of clock times names two moments): --lights-on 06:30 landed at 05:30 in real time and
    cut the last hour's dip from the window. The reader records where the clock changed; clock
    times are refused there, seconds from the start accepted."""
    real = _night_csv(tmp_path / "real.csv", repeat_hour=False)
    assert read_recording(real).source.clock_changes_s == (4 * 3600.0,)
    out = str(tmp_path / "o")
    assert main(["analyze", str(real), "--no-report", "--out", out, "--lights-on", "06:30"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "daylight saving" in err
    secs = ["--lights-off", "0", "--lights-on", str(9.5 * 3600)]
    assert main(["analyze", str(real), "--no-report", "--out", out, *secs]) == 0


@settings(max_examples=40, deadline=None)
@given(per_s=st.integers(2, 50), minutes=st.integers(5, 30))
@example(per_s=3, minutes=30)
def test_millisecond_stamps_of_a_whole_rate_give_that_rate(per_s: int, minutes: int) -> None:
    """Rows at ``per_s`` Hz with times written to the millisecond (3 Hz: 0.000, 0.333, 0.667
    ...): the grid is exactly ``per_s`` Hz with no empty slot. The median step (0.333 s) gave
    3.003 Hz and a phantom gap every 333 s, which cut a 10-minute run at 86 % in two."""
    t = np.round(np.arange(per_s * 60 * minutes) / per_s, 3)
    grid = place_on_grid(t, time_of_day_only=False, wall_clock=False)
    assert grid.fs == pytest.approx(per_s, rel=1e-12) and grid.n == t.size
    assert (np.sort(grid.index) == np.arange(t.size)).all()


@pytest.mark.parametrize("fs", [0.3, 4.7, 29.97, 0.5, 25.0, 1 / 1.004])
def test_exact_stamps_of_a_rate_with_few_decimals_give_that_rate(tmp_path: Path, fs: float) -> None:
    """Seconds from the start written exactly (``repr(i / fs)``) at 0.3 Hz: the step rounded to
    6 decimals (3.333333 s) read 0.30000003 Hz, and a run of 90 samples at 86 % (300 s) was
    4.9999995 min, printed "4.9 min" beside a 5-minute rule met; 4.7 Hz read 4.699999 Hz. A
    step of few decimals (1.004 s) keeps its step."""
    n = 2400
    x = np.full(n, 95.0)
    x[600:690] = 86.0
    x[599] = x[690] = 90.0  # falls of 5 points a sample: no implausible fall at 0.3 Hz
    rows = "".join(f"{i / fs!r},{v!r}\n" for i, v in enumerate(x.tolist()))
    path = write_text(tmp_path / "night.csv", "seconds,spo2\n" + rows)
    rec = read_recording(path)
    assert rec.fs == pytest.approx(fs, rel=1e-12) and rec.spo2.n_samples == n
    if fs == 0.3:
        out = tmp_path / "o"
        assert main(["analyze", str(path), "--no-report", "--out", str(out)]) == 0
        block = json.loads((out / "summary.json").read_text())["metrics"]["presumed_sleep"]
        assert block["t_le88_min"] == block["longest_le88_min"] == 5.0


def _iso_rows(t0: dt.datetime, offsets_s: NDArray[np.float64], spo2: NDArray[np.int64]) -> str:
    return "time,spo2\n" + "".join(
        f"{(t0 + dt.timedelta(seconds=float(o))).isoformat(timespec='milliseconds')},{v}\n"
        for o, v in zip(offsets_s, spo2, strict=True)
    )


@pytest.mark.parametrize(
    ("first_s", "then_s", "said"),
    [
        (1, 4, "1 s steps, then 4 s steps from 23:00:00 (899 steps of 4 s)"),
        (4, 1, "4 s steps until 23:00:00, then 1 s steps (900 steps of 4 s)"),
    ],
)
def test_an_interval_that_changes_within_the_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], first_s: int, then_s: int, said: str
) -> None:
    """1-s rows for 2 h, then 4-s rows: on the median step's 1-s grid each 4-s row stood alone
    between empty slots, SPEC §4 rule 5 (islands under 10 s) threw them all out (480 -> 120
    valid min, a 15-min dip lost) and only "5399 gap(s)" was said. 4-s rows at 92 % first, then
    1-s rows: the 4-s hour was lost, the awake baseline came from the 1-s part at 97 %, and an
    hour at 90-91 % qualified on the drop from it. The file is refused, saying so."""
    t0 = dt.datetime(2026, 3, 2, 22, 0, 0)
    offsets = np.concatenate(
        [np.arange(0, 3600, first_s), 3600 + np.arange(0, 3600, then_s)]
    ).astype(np.float64)
    path = write_text(tmp_path / "change.csv", _iso_rows(t0, offsets, np.full(offsets.size, 95)))
    with pytest.raises(RecordingFormatError, match="sampling interval changes") as exc:
        read_recording(path)
    assert said in str(exc.value)
    assert main(["analyze", str(path), "--no-report", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and said in err


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("dropped", [0.05, 0.1, 0.15, 0.2, 0.3, 0.6])
def test_an_interval_change_is_refused_with_rows_dropped_from_the_other_part(
    tmp_path: Path, seed: int, dropped: float
) -> None:
    """1-s rows for 2 h, then 4-s rows for 2 h with a share of them dropped (a Bluetooth link)
    and a 15-min dip at 86 %: each drop made an 8-s (or 12-s) step that broke the run of 4-s
    steps, no run reached 60 steps, the rows filled 60 % of the 1-s slots, and every 4-s row
    was an island SPEC §4 rule 5 threw out (240 -> 120 valid min, the dip gone) with only a
    gap warning; whether it was refused hung on where the drops fell (review of hunt 10). The
    steps of the 4-s part are all whole multiples of 4 s: the run is that interval's."""
    t0 = dt.datetime(2026, 3, 2, 22)
    rng = np.random.default_rng(seed)
    coarse = 7200 + np.arange(0, 7200, 4)
    coarse = coarse[rng.random(coarse.size) >= dropped]
    offsets = np.concatenate([np.arange(0, 7200), coarse]).astype(np.float64)
    spo2 = np.where((offsets >= 9000) & (offsets < 9900), 86, 95)
    path = write_text(tmp_path / "drops.csv", _iso_rows(t0, offsets, spo2))
    steps = np.diff(coarse)
    assert (steps > 4).any()  # rows were dropped: no one step length in the 4-s part
    # the run is every step between the 4-s part's rows (the step into it, 1 s or 4j + 1 s
    # after dropped rows, is no multiple of 4 s)
    start = t0 + dt.timedelta(seconds=int(coarse[0]))
    said = (
        f"1 s steps, then 4 s steps from {start:%H:%M:%S} "
        f"({steps.size} steps of 4 s or a whole multiple of it, where rows are missing)"
    )
    with pytest.raises(RecordingFormatError, match="sampling interval changes") as exc:
        read_recording(path)
    assert said in str(exc.value)


@pytest.mark.parametrize("seed", [4, 5, 6, 7, 8])
def test_a_stretch_of_sparse_irregular_rows_is_gaps_not_another_interval(
    tmp_path: Path, seed: int
) -> None:
    """A 1 Hz night whose link delivered one row every 2 to 7 s for 15 min between two hours
    of 1-s rows: refused as "1 s steps, and 4 s steps" once every step of 1.5 median steps or
    more counted as one interval, though SPEC §4 rule 5 handles such a stretch (the rows stay
    islands, the rest of the night is read; review of hunt 9). Its steps share no interval of
    2 s or more (60 even ones in a row have a chance of 2**-60), so the run of whole multiples
    of one interval that a file with rows dropped from its 4-s part makes is not found here."""
    rng = np.random.default_rng(seed)
    sparse = 7200 + np.cumsum(rng.integers(2, 8, 250))
    sparse = sparse[sparse < 8100]
    offsets = np.concatenate([np.arange(0, 7200), sparse, 8100 + np.arange(0, 7200)]).astype(
        np.float64
    )
    path = write_text(
        tmp_path / "sparse.csv",
        _iso_rows(dt.datetime(2026, 3, 2, 22), offsets, np.full(offsets.size, 95)),
    )
    rec = read_recording(path)
    assert rec.fs == 1.0 and rec.spo2.n_samples == 8100 + 7200


def test_genuine_gaps_keep_one_interval(tmp_path: Path) -> None:
    """What the check for a change of interval must let through: a 1-h probe-off (one long
    step), a tenth of the samples dropped at random (a BLE export), stamps jittered by up to
    0.3 s. Every row keeps a slot of its own on the 1-s grid, the rest are gaps. (Jitter and
    drops together made the median step 1.03 s: the rows drifted off it, 0.97 Hz.)"""
    rng = np.random.default_rng(7)
    slots = np.arange(4 * 3600)
    kept = slots[(rng.random(slots.size) >= 0.1) & ((slots < 3600) | (slots >= 7200))]
    kept = np.concatenate([[0], kept[kept > 0]])
    offsets = kept + rng.uniform(-0.3, 0.3, kept.size)
    offsets[0] = 0.0
    spo2 = np.full(kept.size, 95)
    rec = read_recording(write_text(tmp_path / "gaps.csv", _iso_rows(dt.datetime(2026, 3, 2, 22), offsets, spo2)))  # fmt: skip
    assert rec.fs == 1.0 and rec.spo2.n_samples == int(kept[-1]) + 1
    assert (np.flatnonzero(np.isfinite(rec.spo2.data)) == kept).all()


def test_rows_stamped_in_packets_are_refused(tmp_path: Path) -> None:
    """A 1 Hz night whose rows were stamped on arrival, 4 at a time 10 ms apart every 4 s: the
    median step, 0.01 s, made it 100 Hz, the rows filled 1 % of the slots, and 4 h of data read
    as 0.0013 valid min with only "3599 gap(s)" said."""
    i = np.arange(3600)
    offsets = (i // 4) * 4 + (i % 4) * 0.01
    path = write_text(tmp_path / "packets.csv", _iso_rows(dt.datetime(2026, 3, 2, 22), offsets, np.full(i.size, 95)))  # fmt: skip
    with pytest.raises(RecordingFormatError, match="do not follow one sampling interval") as exc:
        read_recording(path)
    assert "0.01 s (75%), 3.97 s (25%)" in str(exc.value)


@pytest.mark.parametrize("step_s", [1.002, 1.004, 0.996, 2.006])
def test_steady_steps_off_a_whole_second_keep_every_row(tmp_path: Path, step_s: float) -> None:
    """Rows steadily 1.004 s apart (within 0.5 % of 1 s) were put on a 1-s grid: they slipped a
    slot every 250 rows, 58 one-sample holes that are not in the file cut a 15-min run at 86 %
    into pieces (longest 4.2 min). The grid is the rows' own step: each row one slot, no hole."""
    n = 4 * 3600
    spo2 = np.full(n, 95)
    spo2[3600:4500] = 86
    offsets = np.round(np.arange(n) * step_s, 3)
    rec = read_recording(write_text(tmp_path / "steady.csv", _iso_rows(dt.datetime(2026, 3, 2, 22), offsets, spo2)))  # fmt: skip
    assert rec.fs == pytest.approx(1 / step_s, rel=1e-9)
    assert rec.spo2.n_samples == n and (rec.spo2.data == spo2).all()
    assert not any("gap" in w or "share a time slot" in w for w in rec.warnings)


def test_stamps_without_seconds_that_read_as_elapsed_minutes_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 6-min test at 1 Hz exported with elapsed mm:ss stamps (00:00 ... 05:59) was read as
    HH:MM, six hours at a row a minute: its 2-min dip made 97 min at or below 88 % and the
    "night" qualified. Both readings fit a file starting in the first minute that never goes
    back; it is refused. A clock of hours and minutes that only one reading fits (from 22:00,
    or across midnight) is read as before, a row a minute."""
    spo2 = np.full(360, 95)
    spo2[120:240] = 86
    text = "Time,SpO2,Pulse\n" + "".join(
        f"{i // 60:02d}:{i % 60:02d},{v},70\n" for i, v in enumerate(spo2)
    )
    path = write_text(tmp_path / "mmss.csv", text)
    with pytest.raises(RecordingFormatError, match=r"without seconds \(00:00 \.\.\. 05:59"):
        read_recording(path)
    assert main(["analyze", str(path), "--no-report", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "minutes and seconds from the start (6.0 min)" in err
    t0 = dt.datetime(2026, 3, 2, 22, 0)
    for first_min in (0, 180):  # 22:00 -> 05:59 across midnight, 01:00 -> 08:59
        clock = [t0 + dt.timedelta(minutes=first_min + i) for i in range(480)]
        text = "Time,SpO2\n" + "".join(f"{c:%H:%M},95\n" for c in clock)
        rec = read_recording(write_text(tmp_path / f"clock{first_min}.csv", text))
        assert rec.fs == pytest.approx(1 / 60) and rec.spo2.n_samples == 480
        assert rec.start.time() == clock[0].time()


def test_a_day_above_12_on_stamped_blank_rows_settles_the_date_order(tmp_path: Path) -> None:
    """An EMAY file written day first, 12/01/2026 22:00 to 13/01/2026 01:00, whose rows after
    midnight are stamped with SpO2 and PR blank: the order was settled on rows with data only,
    so 13/01 did not settle it, the date was "unknown" and the hour of stamped rows was dropped
    as "without a time stamp or data". They are kept as missing data, on 12 January."""
    t0 = dt.datetime(2026, 1, 12, 22, 0, 0)
    lines = []
    for i in range(3 * 3600):
        t = t0 + dt.timedelta(seconds=i)
        data = "95,70" if t.day == 12 else ","
        lines.append(f"{t:%d/%m/%Y},{t:%H:%M:%S},{data}\n")
    rec = read_recording(write_text(tmp_path / "emay.csv", "Date,Time,SpO2(%),PR(bpm)\n" + "".join(lines)))  # fmt: skip
    assert rec.start == t0 and rec.source.date_known
    assert rec.spo2.n_samples == 3 * 3600
    assert (np.flatnonzero(np.isfinite(rec.spo2.data)) == np.arange(2 * 3600)).all()
    assert not any("without a time stamp" in w or "reads as" in w for w in rec.warnings)
