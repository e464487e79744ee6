"""Reader paths an audit found to qualify a night wrongly (docs/formats.md).

A derived column (a running minimum) analysed as the saturation; dates whose day and month
order the file does not say; time stamps in UTC taken for the local clock.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from oxi.cli import main
from oxi.info import format_info
from oximetry.errors import RecordingFormatError
from oximetry.io import inspect_recording, read_recording
from oximetry.io.channels import classify, pick_channels
from oximetry.simulate import simulate_night
from tests.io_fixtures import write_text

CONTEXT = (
    "patient: {age_years: 70}\n"
    "test: {type: overnight, date: 2026-11-20, room_air: true, setting: outpatient,\n"
    "       chronic_stable_state: true}\n"
    "order: {date: 2026-11-10, prescriber: physician, flow_lpm: 2, hours_per_day: 8}\n"
    "diagnoses: [J44.9]\n"
    "symptoms: [nocturnal_restlessness]\n"
    "documentation: {signed_prescription: true, letter_of_medical_necessity: true}\n"
)


def _summary(out: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((out / "summary.json").read_text())  # type: ignore[no-any-return]


# --- derived SpO2 columns -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "unit"),
    [
        ("SpO2 Min(%)", "%"),
        ("SpO2 Min", ""),
        ("SpO2 Max", "%"),
        ("SpO2 Avg", "%"),
        ("SpO2 Average", ""),
        ("SpO2 Mean", "%"),
        ("SpO2 Nadir", "%"),
        ("SpO2 Baseline", "%"),
        ("SpO2 Median", "%"),
        ("SpO2 Trend", "%"),
        ("SaO2 mean", "%"),
        ("Oxygen Level Min", ""),
        ("SpO2_min_1", "%"),
    ],
)
def test_a_derived_spo2_figure_is_never_an_spo2_candidate(label: str, unit: str) -> None:
    role, note = classify(label, unit)
    assert role == "other"
    assert "derived SpO2 figure" in note


@pytest.mark.parametrize(
    ("label", "unit"),
    [
        ("SpO2", "%"),
        ("SpO2", ""),
        ("SPO2", ""),
        ("SpO2 3", ""),
        ("SpO2.1s", "%"),
        ("Oxygen Level", ""),
        ("Oxygen Saturation", "%"),
        ("SaO2", "%"),
        ("Sats", ""),
        ("SpO2 finger", "%"),
    ],
)
def test_real_spo2_labels_are_still_spo2(label: str, unit: str) -> None:
    assert classify(label, unit)[0] == "spo2"


@given(
    head=st.sampled_from(["SpO2", "SPO2", "SaO2", "Oxygen Level", "Oxygen Saturation", "spo2"]),
    sep=st.sampled_from([" ", "_", "-", ".", ""]),
    word=st.sampled_from(
        ["min", "Min", "MAX", "avg", "Average", "mean", "Nadir", "baseline", "median", "Trend"]
    ),
    tail=st.sampled_from(["", "(%)", " 1", " (1 min)", "_pct"]),
    unit=st.sampled_from(["%", "", "percent"]),
)
def test_no_derived_figure_label_is_spo2(
    head: str, sep: str, word: str, tail: str, unit: str
) -> None:
    """However a derived figure is spelt after an SpO2 label, it is never a candidate."""
    assert classify(f"{head}{sep}{word}{tail}", unit)[0] != "spo2"


def test_an_exact_alias_outranks_a_prefix_match_whatever_the_unit() -> None:
    labels, units = ["Time", "SpO2 finger", "SpO2"], ["", "%", ""]
    roles = [classify(lab, u)[0] for lab, u in zip(labels, units, strict=True)]
    assert roles[1:] == ["spo2", "spo2"]
    choice = pick_channels(labels, units, roles, None)
    assert choice.spo2 == 2
    assert "exact alias" in choice.why


def test_the_oximeters_pulse_is_chosen_beside_an_ecg_heart_rate(tmp_path: Path) -> None:
    """A monitor's numerics with HR (from the ECG) and PULSE (from the oximeter): neither was
    used, and rule 4b (pulse outside 25-250 bpm) was skipped without a word."""
    labels, units = ["HR", "PULSE", "SpO2"], ["bpm", "bpm", "%"]
    roles = [classify(lab, u)[0] for lab, u in zip(labels, units, strict=True)]
    assert roles == ["pulse", "pulse", "spo2"]
    assert pick_channels(labels, units, roles, None).pulse == 1
    # two of the monitor's own kind: neither is chosen, and the recording says so
    text = "seconds,SpO2,Pulse Rate,PR\n" + "".join(f"{i},95,60,61\n" for i in range(600))
    rec = read_recording(write_text(tmp_path / "two.csv", text), fs=1.0)
    assert rec.pulse is None
    assert any("2 pulse-rate channels ('Pulse Rate', 'PR')" in w for w in rec.warnings)


@pytest.mark.parametrize(
    "label", ["HR (bpm)", "Heart Rate (bpm)", "HR [bpm]", "PR (/min)", "Pulse (1/min)"]
)
def test_a_pulse_label_that_carries_its_unit_is_the_pulse(tmp_path: Path, label: str) -> None:
    """'HR (bpm)' was no pulse-rate channel ('hrbpm' is no alias): its 0 (a displaced probe)
    beside 10 min of SpO2 at 85-86 % invalidated nothing (SPEC §4 rule 4b), and the night
    qualified where the same file headed 'Pulse (bpm)' did not."""
    start = dt.datetime(2026, 1, 5, 22, 0)
    rows = "".join(
        f"{start + dt.timedelta(seconds=i):%Y-%m-%dT%H:%M:%S},"
        + ("86,0" if 1800 <= i < 2400 else "95,62")
        + "\n"
        for i in range(3600)
    )
    rec = read_recording(write_text(tmp_path / "n.csv", f"Time,SpO2 (%),{label}\n{rows}"))
    assert rec.pulse is not None and rec.pulse.label == label
    assert classify(label, "")[0] == "pulse"
    # a bracketed word that is no unit stays part of the label
    assert classify("SpO2 (mean)", "%")[0] == "other"
    assert classify("Resp Rate (/min)", "")[0] == "other"


def test_another_devices_pulse_or_status_is_not_the_spo2_channels(tmp_path: Path) -> None:
    """'Pulse 1' and 'OxStat 1', alone beside 'SpO2 1' and 'SpO2 2', were taken as the pulse and
    status of 'SpO2 2' (hunt 15): the pulse figures were device 1's, and device 1's probe off
    (pulse 0, status 1) made device 2's readings invalid."""
    rows = "".join(
        f"2026-03-01T22:00:{s:02d},95,90,{0 if s > 5 else 70},{int(s > 5)}\n" for s in range(30)
    )
    path = write_text(tmp_path / "two.csv", "Time,SpO2 1,SpO2 2,Pulse 1,OxStat 1\n" + rows)
    rec = read_recording(path, channel="SpO2 2")
    assert rec.pulse is None and rec.status is None
    assert any(
        "'Pulse 1' is another device's than SpO2 channel 'SpO2 2'" in w for w in rec.warnings
    )
    own = read_recording(path, channel="SpO2 1")
    assert own.pulse is not None and own.pulse.label == "Pulse 1"
    assert own.status is not None and own.status.label == "OxStat 1"
    # a companion without a device number may be either's: still taken
    plain = write_text(tmp_path / "plain.csv", "Time,SpO2 1,SpO2 2,Pulse,OxStat\n" + rows)
    rec = read_recording(plain, channel="SpO2 2")
    assert rec.pulse is not None and rec.status is not None


def _min_column_csv(path: Path) -> Path:
    """The audit's night: SpO2 (no unit) beside its 60-s running minimum 'SpO2 Min(%)'."""
    start = dt.datetime(2026, 11, 20, 22, 0)
    rec, _ = simulate_night(
        fs=1,
        duration_s=6 * 3600,
        seed=7,
        baseline_pct=93,
        noise_pts=0.4,
        desaturations=14,
        start=start,
    )
    x, p = rec.spo2.data, rec.pulse.data
    mn = np.array([np.nanmin(x[max(0, i - 59) : i + 1]) for i in range(x.size)])
    lines = ["Time,SpO2,SpO2 Min(%),Pulse"]
    for i in range(x.size):
        t = start + dt.timedelta(seconds=i)
        lines.append(f"{t:%Y-%m-%dT%H:%M:%S},{x[i]:.0f},{mn[i]:.0f},{p[i]:.0f}")
    return write_text(path, "\n".join(lines) + "\n")


def test_a_running_minimum_column_is_not_analysed_as_spo2(tmp_path: Path) -> None:
    """End to end: the running minimum holds every dip for a minute, so read as the
    saturation it made 16.5 min at or below 88 % out of 3.5 and the night qualified."""
    csv = _min_column_csv(tmp_path / "min.csv")
    ctx = write_text(tmp_path / "ctx.yaml", CONTEXT)
    out = tmp_path / "out"
    assert main(["analyze", str(csv), "--context", str(ctx), "--out", str(out), "--no-report"]) == 0
    s = _summary(out)
    assert s["input"]["channel"] == "SpO2"
    assert s["qualification"]["determination"] != "qualified"
    roles = {c.label: (c.role, c.note) for c in read_recording(csv).source.channels}
    assert roles["SpO2 Min(%)"][0] == "other" and "derived" in roles["SpO2 Min(%)"][1]


# --- dates whose day and month order the file does not say --------------------------------


def _emay(path: Path, start: dt.datetime, n: int, *, day_first: bool, step_s: int = 1) -> Path:
    date = "%d/%m/%Y" if day_first else "%m/%d/%Y"
    lines = ["Date,Time,SpO2(%),PR(bpm)"]
    for i in range(n):
        t = start + dt.timedelta(seconds=i * step_s)
        lines.append(f"{t:{date}},{t:%H:%M:%S},{95 - i % 3},{60 + i % 5}")
    return write_text(path, "\n".join(lines) + "\n")


def test_a_date_that_reads_both_day_and_month_first_is_unknown(tmp_path: Path) -> None:
    """06/01/2026 is 6 January day-first and 1 June month-first; the old reader took 1 June
    silently. The date is now unknown (the test date must come from the context), the time of
    day kept."""
    rec = read_recording(
        _emay(tmp_path / "e.csv", dt.datetime(2026, 1, 6, 0, 30), 600, day_first=True)
    )
    assert rec.source.format == "csv-emay"
    assert rec.source.date_known is False
    assert rec.start == dt.datetime(1900, 1, 1, 0, 30)
    assert rec.clock_known and rec.spo2.n_samples == 600
    (warning,) = [w for w in rec.warnings if "06/01/2026" in w]
    assert "06 January 2026" in warning and "01 June 2026" in warning
    assert "test date" in warning


@pytest.mark.parametrize(
    ("start", "day_first"),
    [
        (dt.datetime(2026, 1, 13, 0, 30), True),  # 13/01: only day first reads
        (dt.datetime(2026, 1, 13, 0, 30), False),  # 01/13: only month first reads
        (dt.datetime(2026, 5, 5, 0, 30), True),  # 05/05: both orders, the same date
    ],
)
def test_a_date_only_one_order_reads_or_both_read_alike_is_kept(
    tmp_path: Path, start: dt.datetime, day_first: bool
) -> None:
    rec = read_recording(_emay(tmp_path / "e.csv", start, 60, day_first=day_first))
    assert rec.source.date_known is True
    assert rec.start == start
    assert not any("reads as" in w for w in rec.warnings)


def test_across_midnight_only_one_order_is_a_recording(tmp_path: Path) -> None:
    """06/01 -> 07/01 across midnight: month first, one minute would span 30 days, so the
    dates are day first (the old reader refused the file as spanning 30 days)."""
    start = dt.datetime(2026, 1, 6, 23, 59, 30)
    rec = read_recording(_emay(tmp_path / "e.csv", start, 60, day_first=True))
    assert rec.source.date_known is True
    assert rec.start == start
    assert any("dates read day first" in w for w in rec.warnings)


def _emay_sessions(
    path: Path, sessions: list[tuple[dt.datetime, int]], *, day_first: bool = False
) -> Path:
    """EMAY's own layout (``2/26/2024,9:10:35 PM`` month first, 1 s rows) holding several
    sessions, each ``(start, seconds)``; day first as ``26/02/2024,21:10:35``."""
    lines = ["Date,Time,SpO2(%),PR(bpm)"]
    for start, n in sessions:
        for i in range(n):
            t = start + dt.timedelta(seconds=i)
            if day_first:
                lines.append(f"{t:%d/%m/%Y},{t:%H:%M:%S},{95 - i % 3},{60 + i % 5}")
            else:
                clock = f"{t:%I:%M:%S %p}".lstrip("0")
                lines.append(f"{t.month}/{t.day}/{t.year},{clock},{95 - i % 3},{60 + i % 5}")
    return write_text(path, "\n".join(lines) + "\n")


def test_dates_no_order_makes_one_recording_are_refused(tmp_path: Path, capsys) -> None:
    """Two nights 1/2 22:00 and 1/10 01:30 span 7.2 days month first and 8 months day first:
    the old reader kept the date unknown and placed the rows by time of day, as one night
    (their dips added up and qualified). No order is one recording: refused."""
    csv = _emay_sessions(
        tmp_path / "e.csv",
        [(dt.datetime(2026, 1, 2, 22, 0), 600), (dt.datetime(2026, 1, 10, 1, 30), 600)],
    )
    with pytest.raises(RecordingFormatError, match="either way") as err:
        read_recording(csv)
    assert "7.2 days read month first" in str(err.value)  # 7 d 3 h 40 min
    out = tmp_path / "out"
    assert main(["analyze", str(csv), "--out", str(out), "--no-report"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert str(csv) in line and "not one recording" in line


def test_an_order_that_is_one_recording_only_with_a_gap_is_refused(tmp_path: Path) -> None:
    """2 Jan 23:00-23:30 and 2 Feb 00:30-01:00, day first: read month first they are 1 Feb
    and 2 Feb, one night with an hour's gap, which the old reader took as the file's order
    (day first spans 31 days) and qualified. Which order holds one recording with a gap the
    file does not say: refused, naming the line after the gap."""
    csv = _emay_sessions(
        tmp_path / "e.csv",
        [(dt.datetime(2026, 1, 2, 23, 0), 1800), (dt.datetime(2026, 2, 2, 0, 30), 1800)],
        day_first=True,
    )
    with pytest.raises(RecordingFormatError, match="line 1802: ") as err:
        read_recording(csv)
    assert "1.0 h where the date changes" in str(err.value)
    assert "day first they span 30.1 days" in str(err.value)
    # the same rows without the gap run on across midnight: month first is then no guess
    rec = read_recording(
        _emay_sessions(tmp_path / "c.csv", [(dt.datetime(2026, 1, 2, 23, 0), 7200)])
    )
    assert rec.source.date_known and rec.start == dt.datetime(2026, 1, 2, 23, 0)


@given(
    day=st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2035, 12, 31)),
    clock_s=st.integers(0, 86399),
    day_first=st.booleans(),
)
def test_an_emay_date_is_read_right_or_not_at_all(
    day: dt.date, clock_s: int, day_first: bool
) -> None:
    """Whatever the date, order and time: a date the reader keeps is the true one, and it
    drops one exactly where the other order reads as a different recording of its own."""
    import tempfile

    start = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=clock_s)
    with tempfile.TemporaryDirectory() as tmp:
        rec = read_recording(_emay(Path(tmp) / "e.csv", start, 30, day_first=day_first, step_s=4))
    end = start + dt.timedelta(seconds=29 * 4)
    both_orders_differ = day.day <= 12 and day.day != day.month and end.date() == day
    assert rec.source.date_known is not both_orders_differ
    if rec.source.date_known:
        assert rec.start == start
    else:
        assert rec.start == dt.datetime.combine(dt.date(1900, 1, 1), start.time())


def test_an_ambiguous_emay_night_without_a_test_date_is_not_qualified(tmp_path: Path) -> None:
    """End to end, the audit's night: recorded 6 January, read as 1 June it fell within 90
    days of an order of 10 June and qualified. Now the test date is asked for."""
    csv = _emay_night(
        tmp_path / "emay.csv", dt.datetime(2026, 1, 6, 0, 30), 6.5, 3, 7200, "%d/%m/%Y,%H:%M:%S"
    )
    ctx = write_text(
        tmp_path / "ctx.yaml",
        CONTEXT.replace("date: 2026-11-20, ", "").replace("2026-11-10", "2026-06-10"),
    )
    out = tmp_path / "out"
    assert main(["analyze", str(csv), "--context", str(ctx), "--out", str(out), "--no-report"]) == 0
    s = _summary(out)
    assert s["input"]["date_known"] is False
    assert s["qualification"]["determination"] != "qualified"
    assert "test.date" in s["qualification"]["missing"]


def _emay_night(
    path: Path, start: dt.datetime, hours: float, seed: int, drop_at_s: float, stamp: str
) -> Path:
    """A 1 Hz night at 94 % with 15 min at 86 % from ``drop_at_s``, in EMAY's own layout, its
    date and time written with ``stamp`` (a strftime format: "date,time")."""
    rec, _ = simulate_night(
        fs=1, duration_s=hours * 3600, seed=seed, baseline_pct=94, noise_pts=0.4,
        sustained_drops=[(drop_at_s, 900, 86)], start=start,
    )  # fmt: skip
    x, p = rec.spo2.data, rec.pulse.data
    lines = ["Date,Time,SpO2(%),PR(bpm)"]
    for i in range(x.size):
        t = start + dt.timedelta(seconds=i)
        v = "" if np.isnan(x[i]) else f"{x[i]:.0f}"
        lines.append(f"{t:{stamp}},{v},{p[i]:.0f}")
    return write_text(path, "\n".join(lines) + "\n")


def _ambiguous_night(path: Path) -> Path:
    """A night from 03/04/2026 00:30 (4 March month first, 3 April day first) in EMAY's own
    layout, with 15 min at 86 %: it qualifies on its figures."""
    return _emay_night(path, dt.datetime(2026, 3, 4, 0, 30), 5, 5, 3600, "%m/%d/%Y,%I:%M:%S %p")


@pytest.mark.parametrize(
    ("test_date", "conflict"),
    [("2026-01-05", True), ("2026-03-03", False), ("2026-04-02", False), ("2026-04-05", True)],
)
def test_a_test_date_far_from_both_readings_of_the_file_date_is_a_conflict(
    tmp_path: Path, capsys, test_date: str, conflict: bool
) -> None:
    """03/04/2026 is 4 March or 3 April; the night from 00:30 is the test of 3 March or
    2 April (the evening before). The old reader kept neither, so a test.date of 5 January
    met no recording date and the night qualified, where 03/14/2026 made it indeterminate.
    Now a test.date more than a day from both is a conflict; the summary records both dates,
    and qualify --summary and verify read them."""
    csv = _ambiguous_night(tmp_path / "e.csv")
    order = (dt.date.fromisoformat(test_date) - dt.timedelta(days=10)).isoformat()
    ctx = write_text(
        tmp_path / "ctx.yaml",
        CONTEXT.replace("2026-11-20", test_date).replace("2026-11-10", order),
    )
    out = tmp_path / "out"
    assert main(["analyze", str(csv), "--context", str(ctx), "--out", str(out), "--no-report"]) == 0
    s = _summary(out)
    assert s["input"]["date_known"] is False
    assert s["input"]["possible_dates"] == ["2026-03-04", "2026-04-03"]
    q = s["qualification"]
    keys = [c["keys"] for c in q["conflicts"]]
    assert (["test.date", "recording.start"] in keys) is conflict
    assert q["determination"] == ("indeterminate" if conflict else "qualified")
    assert main(["verify", str(out / "summary.json"), str(csv), "--context", str(ctx)]) == 0
    capsys.readouterr()
    args = ["qualify", "--context", str(ctx), "--summary", str(out / "summary.json"), "--json"]
    assert main(args) == 0
    again = json.loads(capsys.readouterr().out)["qualification"]
    assert again["determination"] == q["determination"]
    assert again["conflicts"] == q["conflicts"]
    # oxi writes one or two dates or none: an emptied list is an edit, refused (it turned the
    # conflict into "qualified" under qualify --summary)
    s["input"]["possible_dates"] = []
    (out / "summary.json").write_text(json.dumps(s))
    assert main(args) == 2


# --- time stamps in UTC -----------------------------------------------------------------------


def _iso(
    path: Path, local: dt.datetime, n: int, offset_h: float | None, *, z: bool = False
) -> Path:
    """``n`` rows 4 s apart from ``local``, stamped with ``offset_h`` (``Z`` when ``z``)."""
    lines = ["time,spo2,pulse"]
    for i in range(n):
        t = local + dt.timedelta(seconds=4 * i)
        if z:
            stamp = f"{t - dt.timedelta(hours=offset_h or 0):%Y-%m-%dT%H:%M:%S}Z"
        elif offset_h is None:
            stamp = f"{t:%Y-%m-%dT%H:%M:%S}"
        else:
            stamp = t.replace(tzinfo=dt.timezone(dt.timedelta(hours=offset_h))).isoformat()
        lines.append(f"{stamp},{95 - i % 3},{60 + i % 5}")
    return write_text(path, "\n".join(lines) + "\n")


@pytest.mark.parametrize("stamp", ["2026-11-20T16:00:00Z", "2026-11-20T16:00:00+00:00"])
def test_utc_stamps_keep_no_clock(tmp_path: Path, stamp: str) -> None:
    """16:00 UTC is 08:00 in California: the old reader took 16:00 for the local clock, and a
    day recording passed for a night. UTC now gives elapsed time only."""
    end = stamp.replace("16:00:00", "16:00:04")
    rows = f"time,spo2,pulse\n{stamp},95,60\n{end},94,61\n"
    rec = read_recording(write_text(tmp_path / "z.csv", rows))
    assert rec.source.date_known is False
    assert rec.clock_known is False
    assert rec.start == dt.datetime(1900, 1, 1)
    (warning,) = [w for w in rec.warnings if "UTC" in w]
    assert "local date and time of day are unknown" in warning


def test_info_says_a_utc_file_has_no_clock(tmp_path: Path) -> None:
    """``oxi info`` must not call the placeholder midnight a local wall-clock time."""
    rows = "time,spo2,pulse\n2026-11-20T16:00:00Z,95,60\n2026-11-20T16:00:04Z,94,61\n"
    text = format_info(inspect_recording(write_text(tmp_path / "z.csv", rows)))
    (line,) = [ln for ln in text.splitlines() if ln.startswith("start:")]
    assert "date and time of day unknown: elapsed time only" in line
    assert "wall-clock" not in line


def test_stamps_with_a_local_offset_keep_their_own_clock(tmp_path: Path) -> None:
    rec = read_recording(_iso(tmp_path / "o.csv", dt.datetime(2026, 11, 20, 8), 30, -8))
    assert rec.source.date_known is True
    assert rec.start == dt.datetime(2026, 11, 20, 8)


def test_stamps_with_and_without_an_offset_are_refused(tmp_path: Path) -> None:
    rows = "time,spo2\n2026-11-20T08:00:00-08:00,95\n2026-11-20T08:00:04,94\n"
    with pytest.raises(RecordingFormatError, match=r"line 3: .* has no UTC offset"):
        read_recording(write_text(tmp_path / "m.csv", rows))


@given(
    offset_q=st.integers(-12 * 4, 14 * 4),
    local=st.datetimes(min_value=dt.datetime(2001, 1, 1), max_value=dt.datetime(2035, 12, 31)),
)
def test_a_recording_start_is_its_local_clock_or_unknown(offset_q: int, local: dt.datetime) -> None:
    """Any offset (in quarter hours) gives the stamps' own local clock, a zero offset the same
    as ``Z`` (no clock); never the UTC clock taken for the local one."""
    import tempfile

    local = local.replace(microsecond=0)
    with tempfile.TemporaryDirectory() as tmp:
        rec = read_recording(_iso(Path(tmp) / "o.csv", local, 5, offset_q / 4))
        zulu = read_recording(_iso(Path(tmp) / "z.csv", local, 5, offset_q / 4, z=True))
    if offset_q == 0:
        assert not rec.clock_known and rec.start == dt.datetime(1900, 1, 1)
    else:
        assert rec.source.date_known and rec.start == local
    assert not zulu.clock_known and not zulu.source.date_known


def _day_in_utc(path: Path) -> Path:
    """The audit's day: 08:00-18:00 in California (UTC-8), stamped in UTC (16:00-02:00 Z)."""
    local = dt.datetime(2026, 11, 20, 8, 0)
    rec, _ = simulate_night(
        fs=1, duration_s=10 * 3600, seed=4, baseline_pct=94, noise_pts=0.4,
        sustained_drops=[(6 * 3600, 900, 86)], start=local,
    )  # fmt: skip
    x, p = rec.spo2.data, rec.pulse.data
    lines = ["time,spo2,pulse"]
    for i in range(0, x.size, 4):
        t = local + dt.timedelta(seconds=i + 8 * 3600)
        v = "" if np.isnan(x[i]) else f"{x[i]:.0f}"
        lines.append(f"{t:%Y-%m-%dT%H:%M:%S}Z,{v},{p[i]:.0f}")
    return write_text(path, "\n".join(lines) + "\n")


def test_a_day_in_utc_is_not_a_night(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """End to end: read with the UTC clock the day lay 16:00-02:00, passed the night check and
    qualified. Now nothing places it in the night, and a clock time given for it (which the
    reader cannot place) is refused rather than counted from the placeholder midnight."""
    csv = _day_in_utc(tmp_path / "utc.csv")
    ctx = write_text(tmp_path / "ctx.yaml", CONTEXT)
    args = ["analyze", str(csv), "--context", str(ctx), "--no-report"]
    assert main([*args, "--out", str(tmp_path / "o1")]) == 0
    q = _summary(tmp_path / "o1")["qualification"]
    assert q["determination"] != "qualified"
    assert any("no clock time" in m for m in q["missing"])
    capsys.readouterr()
    for option in (
        ["--lights-off", "22:30", "--lights-on", "06:00"],
        ["--exclude", "01:10-01:25"],
        ["--test-type", "exercise", "--segment", "rest=16:00:00-16:05:00"],
    ):
        assert main([*args, *option, "--out", str(tmp_path / "o2")]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "a clock time cannot be placed" in err[0], err
        assert not (tmp_path / "o2").exists()
    # seconds from the start still place lights off and on
    lights = ["--lights-off", "600", "--lights-on", "30000"]
    assert main([*args, *lights, "--out", str(tmp_path / "o3")]) == 0


# --- a clock that starts at midnight ----------------------------------------------------------


def _night_rows(start: dt.datetime, n: int) -> list[tuple[dt.datetime, int]]:
    """95 % with, in a file of over 2 h, one dip to 86 % for 7 min (1 %/s ramps) 2 h in."""
    x = np.full(n, 95)
    if n > 7629:
        x[7200 - 9 : 7200] = np.arange(94, 85, -1)
        x[7200 : 7200 + 420] = 86
        x[7620 : 7620 + 9] = np.arange(87, 96)
    return [(start + dt.timedelta(seconds=k), int(v)) for k, v in enumerate(x)]


def _twelve_hour(path: Path, start: dt.datetime, n: int) -> Path:
    rows = "".join(f"{t:%I:%M:%S %p},{v},70\n" for t, v in _night_rows(start, n))
    return write_text(path, "Time,SpO2,Pulse\n" + rows)


def _wfdb(folder: Path, n: int, when: str) -> Path:
    """A WFDB record of SpO2 and pulse at 1 Hz; ``when``: the header's base time and date."""
    folder.mkdir()
    x = np.array([v for _, v in _night_rows(dt.datetime(2026, 1, 1), n)])
    frames = np.column_stack([x * 10, np.full(n, 70)]).astype("<i2")
    (folder / "rec.dat").write_bytes(frames.tobytes())
    header = f"rec 2 1 {n} {when}".rstrip()
    # each signal line's checksum: the 16-bit sum of its samples (a mismatch is refused)
    s1, s2 = (int(frames[:, k].astype(np.int64).sum()) % 65536 for k in range(2))
    header += f"\nrec.dat 16 10/% 16 0 0 {s1} 0 SpO2\nrec.dat 16 1/bpm 16 0 0 {s2} 0 Pulse\n"
    return write_text(folder / "rec.hea", header)


@pytest.mark.parametrize("kind", ["12-hour", "emay", "wfdb"])
def test_a_clock_that_starts_at_midnight_is_a_clock(tmp_path: Path, kind: str) -> None:
    """A file of times of day whose first row is 12:00:00 AM (an EMAY file of a date it does not
    say the order of, a WFDB header with a time and no date) starts at the placeholder midnight,
    the start of a file with elapsed time only: "no clock" was read from that start, and its
    night could not be placed nor a --lights-off 00:30 given. The reader now says it."""
    midnight = dt.datetime(2026, 1, 6, 0, 0)
    if kind == "12-hour":
        path = _twelve_hour(tmp_path / "m.csv", midnight, 600)
    elif kind == "emay":
        path = _emay(tmp_path / "e.csv", midnight, 600, day_first=True)
    else:
        path = _wfdb(tmp_path / "w", 600, "00:00:00")
    rec = read_recording(path)
    assert (rec.start, rec.source.date_known) == (dt.datetime(1900, 1, 1), False)
    assert rec.clock_known and rec.source.clock_known
    info = inspect_recording(path)
    assert info.clock_known
    (line,) = [ln for ln in format_info(info).splitlines() if ln.startswith("start:")]
    assert "date unknown; local wall-clock time" in line
    if kind == "wfdb":
        # the same header without its time has no clock
        bare = read_recording(_wfdb(tmp_path / "bare", 600, ""))
        assert bare.start == dt.datetime(1900, 1, 1) and not bare.clock_known
        assert any("no date or time" in w for w in bare.warnings)


def test_a_night_that_starts_at_midnight_is_judged_as_one_a_second_later(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """End to end, by each route that reads the clock: the 12-hour file starting at 12:00:00 AM
    was indeterminate ("the recording holds no clock time") and its --lights-off 00:30 refused,
    while the same file one second later qualified. Both are judged alike now, through
    oxi analyze, oxi qualify --summary and oxi verify."""
    ctx = write_text(tmp_path / "ctx.yaml", CONTEXT)
    n = 6 * 3600
    got, runs = {}, []
    for name, second in (("midnight", 0), ("later", 1)):
        path = _twelve_hour(tmp_path / f"{name}.csv", dt.datetime(2026, 11, 20, 0, 0, second), n)
        out = tmp_path / name
        args = ["analyze", str(path), "--context", str(ctx), "--no-report", "--out", str(out)]
        assert main(args) == 0
        got[name] = _summary(out)["qualification"]["determination"]
        runs.append((second, path, out, args))
    assert got == {"midnight": "qualified", "later": "qualified"}
    for second, path, out, args in runs:
        assert _summary(out)["input"]["clock_known"] is True
        capsys.readouterr()
        assert main(["qualify", "--summary", str(out / "summary.json"), "--context", str(ctx)]) == 0
        assert re.search(r"Determination\s+QUALIFIED", capsys.readouterr().out)
        assert main(["verify", str(out / "summary.json"), str(path)]) == 0
        lit = tmp_path / f"lights{second}"
        lights = ["--lights-off", "00:30", "--lights-on", "05:30", "--out", str(lit)]
        assert main([*args[:-2], *lights]) == 0
        (window,) = [w for w in _summary(lit)["windows"] if w["kind"] == "presumed_sleep"]
        assert (window["start_s"], window["end_s"]) == (1800 - second, 19800 - second)
    capsys.readouterr()


def test_a_wfdb_frequency_written_exactly_is_kept() -> None:
    """781.25 Hz (a period of 0.00128 s) was read as 781.2499999999999 Hz.

    The period's rate only rounds back to the header's, which was exact: whole seconds of
    samples came out a hair off whole (review of hunt 14). A 12-digit rounded frequency still
    gives its period's exact rate.
    """
    from oximetry.io.wfdb_record import header_rate

    assert header_rate(781.25) == 781.25
    assert header_rate(0.0166666666667) == 1 / 60
    assert header_rate(0.333333333333) == 1 / 3
