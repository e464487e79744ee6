"""The simulator: deterministic, exact where it claims to be, and its files read back."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pyedflib
import pytest

from oximetry.artifact import mask_implausible_fall
from oximetry.errors import SettingsError
from oximetry.model import Annotation, PatientInfo
from oximetry.simulate import (
    Artifact,
    Desaturation,
    SustainedDrop,
    default_hypnogram,
    simulate_night,
    write_csv,
    write_edf,
)


def test_same_seed_same_night_other_seed_other_night() -> None:
    kw = {"fs": 1.0, "duration_s": 3600, "desaturations": 12, "noise_pts": 0.7, "pulse": True}
    a, ta = simulate_night(seed=5, **kw)
    b, tb = simulate_night(seed=5, **kw)
    c, tc = simulate_night(seed=6, **kw)
    assert np.array_equal(a.spo2.data, b.spo2.data, equal_nan=True)
    assert a.pulse is not None and b.pulse is not None
    assert np.array_equal(a.pulse.data, b.pulse.data)
    assert ta.desaturations == tb.desaturations
    assert tc.desaturations != ta.desaturations
    assert a.source.sha256 == b.source.sha256 != c.source.sha256


def test_recording_shape_and_metadata() -> None:
    rec, truth = simulate_night(fs=4.0, duration_s=600, seed=1, pulse_fs=1.0, status=True)
    assert rec.spo2.n_samples == 2400 and rec.fs == 4.0
    assert rec.pulse is not None and rec.pulse.fs == 1.0 and rec.pulse.n_samples == 600
    assert rec.status is not None and not rec.status.data.any()
    assert rec.source.format == "simulated"
    assert not rec.spo2.data.flags.writeable
    assert np.all(rec.spo2.data == 96.0)
    assert truth.valid_s == 600.0 and truth.invalid_s == 0.0


def test_sustained_block_is_exact_at_every_rate() -> None:
    for fs in (0.25, 1.0, 4.0, 25.0):
        rec, truth = simulate_night(
            fs=fs, duration_s=3600, seed=1, sustained_drops=[SustainedDrop(1200.0, 720.0, 86.0)]
        )
        x = rec.spo2.data
        assert np.count_nonzero(x == 86.0) / fs == 720.0
        assert truth.time_at_or_below_s(88) == 720.0
        # the edges are never implausible falls
        assert not mask_implausible_fall(x, fs).any()
        if fs >= 1:
            assert np.max(np.abs(np.diff(x))) <= 3.0


def test_desaturation_shape_and_detectability() -> None:
    d = Desaturation(100.0, 6.0, fall_s=20.0, hold_s=8.0, rise_s=10.0)
    rec, truth = simulate_night(fs=1.0, duration_s=400, seed=1, desaturations=[d])
    x = rec.spo2.data
    assert x.min() == 90.0 and x[100] == 96.0 and x[138] == 96.0
    assert np.flatnonzero(x == 90.0).tolist() == list(range(119, 129))  # 90.3 rounds to 90
    assert d.detected(96, 3) and d.detected(96, 4)
    assert not Desaturation(0.0, 3.0).detected(96, 4)  # never reaches 92
    assert not Desaturation(0.0, 4.0, fall_s=2.0, hold_s=1.0, rise_s=2.0).detected(96, 4)
    assert truth.odi_count(3) == 1


def test_random_desaturations_are_placed_apart() -> None:
    _, truth = simulate_night(fs=1.0, duration_s=8 * 3600, seed=2, desaturations=160)
    starts = np.array([d.start_s for d in truth.desaturations])
    assert len(starts) == 160
    assert np.all(np.diff(starts) >= 60.0)
    assert truth.odi_count(3) == truth.odi_count(4) == 160
    with pytest.raises(SettingsError, match="cannot place"):
        simulate_night(fs=1.0, duration_s=3600, seed=2, desaturations=500)


def test_artifacts_and_gaps_leave_known_invalid_time() -> None:
    rec, truth = simulate_night(
        fs=1.0,
        duration_s=3600,
        seed=1,
        artifacts=[Artifact(100.0, 60.0, "nan"), Artifact(400.0, 10.0, "sentinel", 0.0)],
        gaps=[(1000.0, 300.0)],
    )
    x = rec.spo2.data
    assert np.isnan(x[100:160]).all() and (x[400:410] == 0.0).all() and np.isnan(x[1000:1300]).all()
    assert truth.invalid_s == 370.0
    assert rec.pulse is not None and np.isnan(rec.pulse.data[1000:1300]).all()
    with pytest.raises(SettingsError, match="artifact kind"):
        simulate_night(fs=1.0, duration_s=60, seed=1, artifacts=[(1.0, 2.0, "bogus")])


def test_bad_arguments_raise() -> None:
    with pytest.raises(SettingsError, match="fs"):
        simulate_night(fs=0.0, duration_s=60, seed=1)
    with pytest.raises(SettingsError, match="no samples"):
        simulate_night(fs=1.0, duration_s=0.1, seed=1)


def test_stages_do_not_change_the_signal() -> None:
    a, ta = simulate_night(fs=1.0, duration_s=7200, seed=3, desaturations=20, noise_pts=0.5)
    b, tb = simulate_night(
        fs=1.0, duration_s=7200, seed=3, desaturations=20, noise_pts=0.5, stages=True
    )
    assert np.array_equal(a.spo2.data, b.spo2.data)
    assert not a.annotations and b.annotations
    assert all(x.text.startswith("Sleep stage ") for x in b.annotations)
    assert tb.sleep_spans_s() and not ta.sleep_spans_s()


def test_default_hypnogram_covers_whole_epochs() -> None:
    hyp = default_hypnogram(8 * 3600 + 17)
    assert hyp[0][0] == 0.0 and hyp[0][2] == "W" and hyp[-1][2] == "W"
    assert sum(d for _, d, _ in hyp) == 960 * 30
    assert all(a[0] + a[1] == b[0] for a, b in itertools.pairwise(hyp))
    assert {s for *_, s in hyp} <= {"W", "N1", "N2", "N3", "R"}
    assert default_hypnogram(10) == ()


def test_edf_round_trip(tmp_path: Path) -> None:
    patient = PatientInfo(name="Doe^Jane", code="MRN0001", sex="F", birth_date=dt.date(1950, 3, 1))
    rec, _ = simulate_night(
        fs=0.25,
        duration_s=3602,  # not a whole number of 4-s records: padded
        seed=4,
        desaturations=5,
        artifacts=[Artifact(400.0, 40.0, "nan")],
        stages=True,
        lights_s=(60.0, 3500.0),
        annotations=[Annotation(700.0, 15.0, "Obstructive apnea")],
        patient=patient,
    )
    path = write_edf(rec, tmp_path / "night.edf")
    with pyedflib.EdfReader(str(path)) as r:
        assert r.getSignalLabels() == ["SpO2", "Pulse"]
        assert r.getPhysicalDimension(0) == "%" and r.getPhysicalDimension(1) == "bpm"
        assert r.getSampleFrequency(0) == 0.25
        assert r.getPatientName() == "Doe^Jane" and r.getPatientCode() == "MRN0001"
        assert r.getStartdatetime() == rec.start
        x = r.readSignal(0)
        texts = r.readAnnotations()[2]
    n = rec.spo2.n_samples
    assert x.size >= n
    ref = np.nan_to_num(rec.spo2.data, nan=0.0)
    assert np.allclose(x[:n], ref, atol=0.006)
    assert "Lights off" in list(texts) and "Obstructive apnea" in list(texts)
    assert "Sleep stage W" in list(texts)


def test_csv_generic_and_o2ring(tmp_path: Path) -> None:
    rec, _ = simulate_night(fs=1.0, duration_s=120, seed=4, artifacts=[Artifact(10.0, 5.0, "nan")])
    text = write_csv(rec, tmp_path / "g.csv").read_text()
    lines = text.splitlines()
    assert lines[0] == "time,spo2,pulse"
    assert lines[1].startswith("2026-01-05T22:00:00,96,")
    assert lines[11].startswith("2026-01-05T22:00:10,,")
    assert len(lines) == 121
    omitted = write_csv(rec, tmp_path / "g2.csv", omit_missing=True).read_text().splitlines()
    assert len(omitted) == 116
    ring = write_csv(rec, tmp_path / "r.csv", "o2ring").read_text().splitlines()
    assert ring[0] == "Time,SpO2(%),Pulse Rate(bpm),Motion,SpO2 Reminder,PR Reminder,"
    assert ring[1].startswith('"10:00:00PM Jan 05, 2026",96,')
    assert ring[11].startswith('"10:00:10PM Jan 05, 2026",255,') and ring[11].endswith(",")
    fast, _ = simulate_night(fs=4.0, duration_s=10, seed=1)
    with pytest.raises(SettingsError, match="whole number of seconds"):
        write_csv(fast, tmp_path / "x.csv", "o2ring")
    with pytest.raises(SettingsError, match="flavor"):
        write_csv(rec, tmp_path / "x.csv", "nope")
    sub, _ = simulate_night(fs=4.0, duration_s=2, seed=1, pulse=False)
    assert write_csv(sub, tmp_path / "s.csv").read_text().splitlines()[:3] == [
        "time,spo2",
        "2026-01-05T22:00:00.000,96",
        "2026-01-05T22:00:00.250,96",
    ]


def test_write_edf_keeps_every_annotation(tmp_path) -> None:
    # edflib keeps one annotation per data record in each annotation signal: 1,080 20-s stage
    # epochs on a 6-h night came back as 360, and the staging ended two hours in
    from dataclasses import replace

    from oximetry.io import read_recording
    from oximetry.model import Annotation
    from oximetry.simulate import write_edf

    rec, _ = simulate_night(fs=1.0, duration_s=6 * 3600, seed=3)
    epochs = tuple(Annotation(20.0 * k, 20.0, "Sleep stage N2") for k in range(1080))
    path = write_edf(replace(rec, annotations=epochs), tmp_path / "n.edf")
    back = [a for a in read_recording(path).annotations if a.text == "Sleep stage N2"]
    assert len(back) == 1080 and back[-1].onset_s == 20.0 * 1079


@pytest.mark.parametrize("micro", [500_000, 50_000, 250])
def test_a_start_within_a_second_reads_back_at_the_simulated_start(
    tmp_path: Path, micro: int
) -> None:
    """A night simulated to start at 22:13:07.500 was written 22:13:07 by write_csv (the offsets'
    fractions were tested, not the start's) and by write_edf (pyedflib 0.1.42 passes edflib
    microseconds x 100 where its unit is 100 ns: 0.5 s was out of range and dropped, 0.05 s
    would have been written as 0.5 s)."""
    from dataclasses import replace

    from oximetry.io import read_recording

    start = dt.datetime(2026, 1, 5, 22, 13, 7, micro)
    rec, _ = simulate_night(fs=1.0, duration_s=600, seed=1, start=start)
    rec = replace(rec, annotations=(Annotation(100.0, 15.0, "Obstructive apnea"),))
    csv = read_recording(write_csv(rec, tmp_path / "n.csv"))
    assert csv.start == start
    np.testing.assert_array_equal(csv.spo2.data, rec.spo2.data)
    edf = read_recording(write_edf(rec, tmp_path / "n.edf"))
    assert edf.start == start
    # edflib writes annotation onsets to 100 us: 250 us into the second comes back 50 us early
    assert [a.text for a in edf.annotations] == ["Obstructive apnea"]
    assert edf.annotations[0].onset_s == pytest.approx(100.0, abs=1e-4)
    assert np.allclose(edf.spo2.data, np.nan_to_num(rec.spo2.data), atol=0.006)


def test_writers_that_keep_whole_seconds_refuse_a_start_within_a_second(tmp_path: Path) -> None:
    """The Contec, Viatom, O2Ring-S and MedView writers and the o2ring CSV wrote a start at
    22:13:07.500 as 22:13:07: every sample half a second early, without a word."""
    from oximetry import simulate_native as sn

    start = dt.datetime(2026, 1, 5, 22, 13, 7, 500_000)
    one, _ = simulate_night(fs=1.0, duration_s=60, seed=1, start=start)
    four, _ = simulate_night(fs=0.25, duration_s=60, seed=1, start=start)
    writes = [
        lambda: sn.write_contec(one, tmp_path / "c.SpO2"),
        lambda: sn.write_viatom(four, tmp_path / "v.bin"),
        lambda: sn.write_o2ring_s(one, tmp_path),
        lambda: sn.write_medview(one, tmp_path / "m.dat"),
        lambda: write_csv(one, tmp_path / "r.csv", "o2ring"),
    ]
    for write in writes:
        with pytest.raises(SettingsError, match=r"22:13:07\.500000"):
            write()
    assert not list(tmp_path.iterdir())
