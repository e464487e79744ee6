"""EDF / EDF+ reading (SPEC §2.1): channels, rates, sentinels, annotations, EDF+D."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import math
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from criteria.names import same_person
from oxi.cli import main
from oxi.info import format_info
from oximetry.analysis import analyze
from oximetry.errors import (
    ChannelNotFoundError,
    InsufficientDataError,
    RecordingFormatError,
    UnsupportedEDFError,
)
from oximetry.io import inspect_recording, read_recording
from oximetry.report.summary import build_summary
from tests.io_fixtures import (
    RawEdf,
    RawSig,
    const_sig,
    edf_bytes,
    write_edf_pyedflib,
    write_edf_raw,
)

N = 120  # seconds in the small fixtures


def _psg(tmp_path: Path) -> Path:
    t = np.arange(N)
    spo2 = np.where((t >= 40) & (t < 60), 85.0, 96.0)
    spo2_4hz = np.repeat(spo2, 4)
    pulse = np.full(N, 62.0)
    status = np.zeros(N)
    status[100:105] = 1
    pleth = np.sin(np.arange(N * 25) / 5.0) * 100
    eeg = np.zeros(N * 25)
    return write_edf_pyedflib(
        tmp_path / "psg.edf",
        [
            ("EEG C3-M2", "uV", 25, eeg),
            ("Pleth", "", 25, pleth),
            ("SpO2", "%", 4, spo2_4hz),
            ("Pulse", "bpm", 1, pulse),
            ("OX STAT", "", 1, status),
        ],
        annotations=[
            (0, 30, "Sleep stage W"),
            (30, 30, "Sleep stage N2"),
            (60, 30, "Sleep stage R"),
            (5, 0, "Lights off"),
            (41, 15, "Obstructive Apnea"),
            (0, 60, "rest"),
        ],
    )


def test_psg_channels_rates_values_and_annotations(tmp_path: Path) -> None:
    path = _psg(tmp_path)
    rec = read_recording(path)
    assert rec.fs == 4.0
    assert rec.spo2.label == "SpO2"
    assert rec.spo2.n_samples == N * 4
    assert rec.duration_s == N
    x = rec.spo2.data
    np.testing.assert_allclose(x[:160], 96.0, atol=0.01)
    np.testing.assert_allclose(x[160:240], 85.0, atol=0.01)
    assert not x.flags.writeable
    assert rec.pulse is not None and rec.pulse.fs == 1.0 and rec.pulse.n_samples == N
    np.testing.assert_allclose(rec.pulse.data, 62.0, atol=0.01)
    assert rec.status is not None and rec.status.label == "OX STAT"
    assert np.flatnonzero(rec.status.data > 0.5).tolist() == [100, 101, 102, 103, 104]
    assert rec.start == dt.datetime(2026, 3, 2, 22, 30, 0)
    assert rec.start.tzinfo is None
    texts = {(a.onset_s, a.duration_s, a.text) for a in rec.annotations}
    assert (30.0, 30.0, "Sleep stage N2") in texts
    assert (41.0, 15.0, "Obstructive Apnea") in texts
    assert (5.0, 0.0, "Lights off") in texts
    src = rec.source
    assert src.format == "edf+c"
    assert src.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert src.path == str(path)
    assert src.device == "Nonin WristOx"
    assert src.spo2_channel == "SpO2"
    assert src.read_options == {"channel": None, "fs": None, "scale": None}
    assert src.date_known is True
    roles = {c.label: (c.role, c.selected, c.fs) for c in src.channels}
    assert roles == {
        "EEG C3-M2": ("sleep_test", False, 25.0),
        "Pleth": ("pleth", False, 25.0),
        "SpO2": ("spo2", True, 4.0),
        "Pulse": ("pulse", True, 1.0),
        "OX STAT": ("status", True, 1.0),
    }
    # the scored obstructive apnea is a sleep test's too (hunt 15)
    assert rec.sleep_test_channels == ("EEG C3-M2", "obstructive apnea (scored events)")


def test_patient_fields_kept_apart_and_never_in_warnings_or_info(tmp_path: Path) -> None:
    path = _psg(tmp_path)
    rec = read_recording(path)
    assert rec.patient.name == "Harry Haagse"
    assert rec.patient.code == "MCH-0234567"
    assert rec.patient.birth_date == dt.date(1951, 5, 2)
    assert rec.patient.sex == "M"
    text = format_info(inspect_recording(path)) + "\n".join(rec.warnings)
    for ident in ("Harry", "Haagse", "MCH-0234567", "1951"):
        assert ident not in text


#: (file kind, patient field, recording field) -> (name, code, sex, birth date) as read. Free text
#: where EDF+ puts no subfields (a plain BDF is no EDF+ variant) or the words are not EDF+'s:
#: split as subfields, a plain BDF's "Richard Roe born 1950" gave the name "1950", which shares
#: no word with the context's "Jane Doe", and another person's night qualified.
_FIELDS = [
    ("bdf", "Richard Roe born 1950", "overnight oximetry", ("Richard Roe born 1950", None, None, None)),
    ("edf+c", "Richard Roe born 1950", "Startdate 02-MAR-2026 X X X", ("Richard Roe born 1950", None, None, None)),
    ("edf", "Richard Roe born 1950", "Startdate 02-MAR-2026 X X X", ("Richard Roe born 1950", None, None, None)),
    ("bdf", "Jane Doe female COPD", "overnight oximetry", ("Jane Doe female COPD", None, None, None)),
    ("edf+c", "subject01 session2 05-JAN-2026 overnight", "Startdate 02-MAR-2026 X X X",
     ("subject01 session2 05-JAN-2026 overnight", None, None, None)),
    # EDF+'s subfields are still read as such: BDF+, lower-case sex, X for unknown, ResMed's
    ("bdf+c", "P-01 M 13-JUL-1949 Doe_John", "Startdate 02-MAR-2026 X X X", ("Doe John", "P-01", "M", dt.date(1949, 7, 13))),
    ("edf+c", "P-01 m 13-jul-1949 Doe_John", "Startdate 02-MAR-2026 X X X", ("Doe John", "P-01", "M", dt.date(1949, 7, 13))),
    ("edf+c", "X F X Roe_Jane extra", "Startdate 02-MAR-2026 X X X", ("Roe Jane", None, "F", None)),
    # a name typed with spaces, not EDF+'s '_': its first word is the name compared, the rest
    # is redacted with it (more_name; hunt 16 and its review)
    ("edf+c", "P-01 M 17-APR-1950 Zebulon Quackenbush", "Startdate 02-MAR-2026 X X X",
     ("Zebulon", "P-01", "M", dt.date(1950, 4, 17))),
    ("edf+c", "X F X Jane", "Startdate 02-MAR-2026 X X X", ("Jane", None, "F", None)),
    ("edf", "X X X X 3E7B 6EAD", "Startdate 02-MAR-2026 X X X", (None, None, None, None)),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "patient", "recording", "expected"), _FIELDS)
def test_patient_field_is_split_only_where_it_holds_edf_plus_subfields(
    tmp_path: Path, kind: str, patient: str, recording: str, expected: tuple[object, ...]
) -> None:
    n = 60
    spec = RawEdf(
        [const_sig("SpO2", "%", 95, n)],
        reserved=kind.upper() if "+" in kind else "",
        bdf=kind.startswith("bdf"),
        patient=patient,
        recording=recording,
    )
    rec = read_recording(write_edf_raw(tmp_path / f"night.{kind[:3]}", spec))
    assert rec.source.format == kind
    assert rec.spo2.n_samples == n
    p = rec.patient
    assert (p.name, p.code, p.sex, p.birth_date) == expected


def test_info_describes_channels_and_annotations(tmp_path: Path) -> None:
    info = inspect_recording(_psg(tmp_path))
    assert info.spo2_channel == "SpO2"
    assert info.problem == ""
    assert info.duration_s == N
    assert info.valid_fraction == 1.0
    assert dict(info.annotation_counts) == {"event": 1, "lights": 1, "segment": 1, "sleep_stage": 3}
    text = format_info(info)
    assert "analysed:   SpO2 from 'SpO2'" in text
    assert "sleep stage 3" in text
    assert "'Pleth'" in text and "never SpO2" in text


def test_file_is_not_modified(tmp_path: Path) -> None:
    path = _psg(tmp_path)
    before = path.read_bytes()
    os.utime(path, (1_000_000_000, 1_000_000_000))
    read_recording(path)
    inspect_recording(path)
    assert path.read_bytes() == before
    assert path.stat().st_mtime == 1_000_000_000


@pytest.mark.parametrize(
    "label",
    ["SpO2", "SAO2", "%SaO2", "SpO2 (%)", "SpO2.1s", "OSAT", "Sat", "Oxygen saturation", "spo2_%"],
)
def test_spo2_aliases(tmp_path: Path, label: str) -> None:
    spec = RawEdf([const_sig("EEG", "uV", 0, 10, spr=2), const_sig(label, "%", 95, 10)])
    rec = read_recording(write_edf_raw(tmp_path / "a.edf", spec))
    assert rec.spo2.label == label[:16]  # EDF labels hold 16 characters
    assert rec.fs == 1.0
    np.testing.assert_array_equal(rec.spo2.data, np.full(10, 95.0))


def test_microvolt_saO2_is_never_spo2(tmp_path: Path) -> None:
    spec = RawEdf([const_sig("SaO2 X9", "uV", 95, 10)])
    path = write_edf_raw(tmp_path / "uv.edf", spec)
    with pytest.raises(ChannelNotFoundError, match=r"SaO2 X9.*uV.*not a percentage"):
        read_recording(path)
    # ... even when named by --channel
    with pytest.raises(ChannelNotFoundError, match="not a percentage"):
        read_recording(path, channel="SaO2 X9")


def test_percent_channel_preferred(tmp_path: Path) -> None:
    spec = RawEdf(
        [
            const_sig("SaO2", "uV", 95, 10),
            const_sig("SpO2", "", 94, 10),
            const_sig("OSAT", "%", 93, 10),
        ]
    )
    rec = read_recording(write_edf_raw(tmp_path / "p.edf", spec))
    assert rec.spo2.label == "OSAT"
    assert "unit %" in rec.source.selection


def test_several_spo2_channels_need_channel(tmp_path: Path) -> None:
    spec = RawEdf([const_sig("SpO2", "%", 95, 10), const_sig("SaO2", "%", 91, 10)])
    path = write_edf_raw(tmp_path / "two.edf", spec)
    with pytest.raises(ChannelNotFoundError, match=r"'SpO2', 'SaO2'.*--channel"):
        read_recording(path)
    rec = read_recording(path, channel="sao2")
    assert rec.spo2.label == "SaO2" and rec.spo2.data[0] == 91.0
    assert rec.source.read_options["channel"] == "sao2"
    with pytest.raises(ChannelNotFoundError, match="no channel labelled 'Nope'"):
        read_recording(path, channel="Nope")


def test_pulse_and_pleth_never_spo2(tmp_path: Path) -> None:
    spec = RawEdf([const_sig("Pleth", "%", 95, 10), const_sig("PR", "bpm", 60, 10)])
    path = write_edf_raw(tmp_path / "np.edf", spec)
    with pytest.raises(ChannelNotFoundError, match="no SpO2 channel"):
        read_recording(path)
    with pytest.raises(ChannelNotFoundError, match="pleth channel, not SpO2"):
        read_recording(path, channel="Pleth")


def test_sentinels_and_out_of_range_digital_become_nan(tmp_path: Path) -> None:
    spo2 = np.array([[95], [-1], [0], [96], [100], [-1], [97], [98], [99], [94]])
    pr = np.array([[60], [0], [-1], [61], [62], [63], [64], [65], [66], [67]])
    spec = RawEdf(
        [
            RawSig("SpO2", "%", 1, spo2),
            RawSig("Pulse", "bpm", 1, pr, pmin=0, pmax=300, dmin=0, dmax=300),
        ]
    )
    rec = read_recording(write_edf_raw(tmp_path / "s.edf", spec))
    x = rec.spo2.data
    assert np.isnan(x[[1, 2, 5]]).all()
    assert x[4] == 100.0  # the digital maximum is a real 100 %, not a sentinel
    assert x[6] == 97.0  # nothing forward-filled, nothing shifted
    assert rec.pulse is not None
    # -1 is missing; a pulse of 0 is "no pulse found", kept: out of 25-250 bpm, it invalidates
    # the SpO2 beside it (SPEC §4 rule 4)
    assert np.isnan(rec.pulse.data[2]) and rec.pulse.data[1] == 0.0 and rec.pulse.data[3] == 61.0


def test_pulse_and_status_codes_outside_their_range_still_invalidate_spo2(tmp_path: Path) -> None:
    """A pulse of 0 under a header of 30-250 bpm, or a status of 2 under one of 0-1, is a code
    the channel cannot hold. Made NaN (missing), it invalidated nothing, and 6 min at 84 %
    beside it qualified a night that the same values within range held invalid (hunt 13)."""
    from oximetry.artifact import detect_artifacts

    n = 20
    spo2 = np.full((n, 1), 950)
    spo2[5:15] = 840
    pr = np.full((n, 1), 70)
    pr[5:10] = 0  # below the header's 30 bpm
    st = np.zeros((n, 1), dtype=np.int64)
    st[10:15] = 2  # above the header's 1
    spec = RawEdf(
        [
            RawSig("SpO2", "%", 1, spo2, pmin=0, pmax=100, dmin=0, dmax=1000),
            RawSig("Pulse", "bpm", 1, pr, pmin=30, pmax=250, dmin=30, dmax=250),
            RawSig("OxStat", "", 1, st, pmin=0, pmax=1, dmin=0, dmax=1),
        ]
    )
    rec = read_recording(write_edf_raw(tmp_path / "codes.edf", spec))
    assert rec.pulse is not None and rec.status is not None
    assert (rec.pulse.data[5:10] == 0.0).all() and (rec.status.data[10:15] == 2.0).all()
    valid = detect_artifacts(rec).valid
    assert not valid[5:15].any() and valid[:5].all() and valid[15:].all()
    # a pulse channel holding no reading within its range recorded no pulse at all
    spec.signals[1] = RawSig(
        "Pulse", "bpm", 1, np.zeros((n, 1)), pmin=30, pmax=250, dmin=30, dmax=250
    )
    rec = read_recording(write_edf_raw(tmp_path / "unplugged.edf", spec))
    assert rec.pulse is not None and np.isnan(rec.pulse.data).all()


def test_status_channels_none_tied_to_the_spo2_all_flag_it(tmp_path: Path) -> None:
    """'OxStat' and 'SpO2 Status' beside one SpO2 channel: neither was tied to it, both were
    left out without a word, and 6 min at 84 % both flagged qualified a night (hunt 13). A
    flag of either now marks the sample; of different rates, the file is refused."""
    from oximetry.artifact import detect_artifacts

    n = 20
    spo2 = np.full((n, 1), 950)
    spo2[5:15] = 840
    a = np.zeros((n, 1), dtype=np.int64)
    b = np.zeros((n, 1), dtype=np.int64)
    a[5:10] = 1
    b[10:15] = 1
    sigs = [
        RawSig("SpO2", "%", 1, spo2, pmin=0, pmax=100, dmin=0, dmax=1000),
        RawSig("OxStat", "", 1, a, pmin=0, pmax=1, dmin=0, dmax=1),
        RawSig("SpO2 Status", "", 1, b, pmin=0, pmax=1, dmin=0, dmax=1),
    ]
    path = write_edf_raw(tmp_path / "two.edf", RawEdf(sigs))
    rec = read_recording(path)
    assert rec.status is not None
    valid = detect_artifacts(rec).valid
    assert not valid[5:15].any() and valid[:5].all() and valid[15:].all()
    used = [c.label for c in inspect_recording(path).channels if c.selected]
    assert used == ["SpO2", "OxStat", "SpO2 Status"]
    sigs[2] = RawSig("SpO2 Status", "", 2, np.zeros((n, 2)), pmin=0, pmax=1, dmin=0, dmax=1)
    with pytest.raises(RecordingFormatError, match="2 oximeter status channels"):
        read_recording(write_edf_raw(tmp_path / "rates.edf", RawEdf(sigs)))


def test_all_minus_one_is_no_valid_oximetry(tmp_path: Path) -> None:
    spec = RawEdf([const_sig("SpO2.1s", "%", -1, 30), const_sig("Pulse.1s", "bpm", -1, 30)])
    path = write_edf_raw(tmp_path / "resmed.edf", spec)
    with pytest.raises(InsufficientDataError, match=r"no valid oximetry: SpO2.1s is -1"):
        read_recording(path)
    info = inspect_recording(path)
    assert info.problem.startswith("no valid oximetry")
    assert info.valid_fraction == 0.0
    assert "no valid oximetry: SpO2.1s is -1 (no oximeter was attached) throughout" in format_info(
        info
    )


def test_fraction_refused_unless_scaled(tmp_path: Path) -> None:
    dig = np.full((10, 1), 950)
    spec = RawEdf([RawSig("SpO2", "%", 1, dig, pmin=0, pmax=1, dmin=0, dmax=1000)])
    path = write_edf_raw(tmp_path / "f.edf", spec)
    with pytest.raises(RecordingFormatError, match=r"fraction.*--scale 100"):
        read_recording(path)
    rec = read_recording(path, scale=100)
    np.testing.assert_allclose(rec.spo2.data, 95.0)
    assert rec.source.read_options["scale"] == 100
    assert "fraction" in inspect_recording(path).problem


def _edfd(onsets: list[float], n_rec: int = 5) -> RawEdf:
    spo2 = np.arange(n_rec * 2).reshape(n_rec, 2) + 80
    return RawEdf(
        [
            RawSig("SpO2", "%", 2, spo2),
            RawSig("Pulse", "bpm", 1, np.full((n_rec, 1), 70), dmax=300, pmax=300),
        ],
        reserved="EDF+D",
        onsets=onsets,
        notes={3: [(10.5, 0, "Lights on")]},
    )


def test_edf_plus_d_records_placed_at_their_true_time(tmp_path: Path) -> None:
    # Records of 1 s at 0, 1, 2, then 10, 11: an 7-s gap after the third record.
    path = write_edf_raw(tmp_path / "d.edf", _edfd([0, 1, 2, 10, 11]))
    rec = read_recording(path)
    assert rec.source.format == "edf+d"
    assert rec.fs == 2.0
    x = rec.spo2.data
    assert x.size == 24  # (11 + 1) s at 2 Hz, not 10 samples read as continuous
    np.testing.assert_array_equal(x[:6], [80, 81, 82, 83, 84, 85])
    assert np.isnan(x[6:20]).all()
    np.testing.assert_array_equal(x[20:], [86, 87, 88, 89])
    assert rec.pulse is not None and rec.pulse.n_samples == 12
    assert np.isnan(rec.pulse.data[3:10]).all()
    assert any("EDF+D" in w and "gap" in w for w in rec.warnings)
    assert [(a.onset_s, a.text) for a in rec.annotations] == [(10.5, "Lights on")]


@pytest.mark.parametrize("reserved", ["EDF+C", "EDF+D"])
def test_an_annotation_that_is_not_utf8_is_read_as_latin1_without_a_library_warning(
    tmp_path: Path, reserved: str
) -> None:
    """A Latin-1 annotation ('Lichter aus \xe9'): pyedflib reads it with a UserWarning of its own,
    which reached stderr beside oxi's output and raised for a caller who turns warnings into
    errors (as these tests do), and the EDF+D reader gave '\ufffd' for the same byte (hunt 15)."""
    spec = RawEdf(
        [const_sig("SpO2", "%", 95, 10)], reserved=reserved, notes={3: [(3, 0, "Lichter aus é")]}
    )
    data = edf_bytes(spec)
    latin = data.replace("é\x14\x00".encode(), b"\xe9\x14\x00\x00")
    assert len(latin) == len(data) and latin != data
    path = tmp_path / "latin.edf"
    path.write_bytes(latin)
    rec = read_recording(path)
    assert [(a.onset_s, a.text) for a in rec.annotations] == [(3.0, "Lichter aus \xe9")]


def test_an_edf_plus_c_whose_records_jump_is_said_to_break_edf_plus_c(tmp_path: Path) -> None:
    """pyedflib refuses an EDF+C whose time-keeping annotations jump; read record by record at
    their times, the file was reported as "EDF+D: 1 gap(s)", which its header does not say."""
    spec = dataclasses.replace(_edfd([0, 1, 2, 10, 11]), reserved="EDF+C")
    rec = read_recording(write_edf_raw(tmp_path / "c.edf", spec))
    assert rec.source.format == "edf+c"
    x = rec.spo2.data
    assert x.size == 24 and np.isnan(x[6:20]).all()  # the 7 s between records are missing
    (gap,) = [w for w in rec.warnings if "gap" in w]
    assert "EDF+D" not in gap
    assert "says EDF+C (continuous)" in gap and "does not allow" in gap
    assert "1 gap(s) between data records (7 s in all) kept as missing data" in gap


@pytest.mark.parametrize(
    ("onsets", "said"),
    [
        ([0, 1, 2, 1, 2], "EDF+C data record 4 starts at 1 s, before the previous record ends"),
        ([0, 1, 2, 3.3, 4.3], "EDF+C data record 4 starts 3.3 s after the first"),
    ],
)
def test_an_edf_plus_c_refused_record_by_record_names_its_own_variant(
    tmp_path: Path, onsets: list[float], said: str
) -> None:
    """The record-by-record refusals of an EDF+C said "EDF+D ...", which its header does not."""
    spec = dataclasses.replace(_edfd(onsets), reserved="EDF+C")
    with pytest.raises(RecordingFormatError, match=re.escape(said)):
        read_recording(write_edf_raw(tmp_path / "c.edf", spec))


def test_a_plain_edf_holding_an_annotation_signal_is_refused_as_such(tmp_path: Path) -> None:
    """An 'EDF Annotations' signal in a file whose reserved field says no EDF+: the refusal said
    "pyedflib sees 2 signals where the header lists 1", which names no fault of the file."""
    data = bytearray(edf_bytes(_edfd([0, 1, 2, 3, 4])))
    data[192:236] = b" " * 44
    path = tmp_path / "plain.edf"
    path.write_bytes(bytes(data))
    with pytest.raises(RecordingFormatError) as err:
        read_recording(path)
    assert "'EDF Annotations' signal, which only EDF+ has" in str(err.value)
    assert "does not say EDF+C or EDF+D" in str(err.value)
    assert "pyedflib" not in str(err.value)


def test_edf_plus_d_first_record_offset_moves_start(tmp_path: Path) -> None:
    path = write_edf_raw(tmp_path / "d2.edf", _edfd([5, 6, 7, 8, 9]))
    rec = read_recording(path)
    assert rec.start == dt.datetime(2026, 3, 2, 22, 30, 5)
    assert rec.spo2.n_samples == 10 and not np.isnan(rec.spo2.data).any()
    assert rec.annotations[0].onset_s == 5.5


def test_edf_plus_d_overlapping_records_refused(tmp_path: Path) -> None:
    path = write_edf_raw(tmp_path / "d3.edf", _edfd([0, 1, 0.5, 3, 4]))
    with pytest.raises(UnsupportedEDFError, match="overlapping"):
        read_recording(path)


def test_edf_plus_d_from_patched_pyedflib_file(tmp_path: Path) -> None:
    """An EDF+C written by pyedflib, header patched to EDF+D and one record TAL moved later."""
    path = write_edf_pyedflib(tmp_path / "c.edf", [("SpO2", "%", 1, np.full(10, 95.0))])
    data = bytearray(path.read_bytes())
    assert data[192:197] == b"EDF+C"
    data[192:197] = b"EDF+D"
    ns = int(data[252:256])
    hdr = 256 * (ns + 1)
    spr = [int(data[256 + ns * 216 + 8 * i : 256 + ns * 216 + 8 * i + 8]) for i in range(ns)]
    rec_bytes = 2 * sum(spr)
    annot_off = 2 * spr[0]
    n_annot = 2 * spr[1]
    for r in range(5, 10):  # records 5..9 start 100 s later
        base = hdr + r * rec_bytes + annot_off
        tal = f"+{r + 100}\x14\x14\x00".encode()
        data[base : base + n_annot] = tal + b"\x00" * (n_annot - len(tal))
    patched = tmp_path / "d.edf"
    patched.write_bytes(bytes(data))
    rec = read_recording(patched)
    assert rec.spo2.n_samples == 110
    assert np.isnan(rec.spo2.data[5:105]).all()
    assert np.all(rec.spo2.data[105:] > 94)


def test_file_pyedflib_refuses_is_read(tmp_path: Path) -> None:
    """A Latin-1 "µV" unit breaks pyedflib's ASCII check; the header is otherwise sound, so the
    file is read record by record at its annotations' times, like an EDF+D."""
    spo2 = np.array([[95], [96], [-1], [97], [98], [99], [94], [93], [92], [91]])
    spec = RawEdf(
        [const_sig("EEG", "\u00b5V", 0, 10, spr=4), RawSig("SpO2", "%", 1, spo2)],
        notes={2: [(2.5, 0, "Lights off")]},
    )
    rec = read_recording(write_edf_raw(tmp_path / "mu.edf", spec))
    assert rec.spo2.data[0] == 95 and np.isnan(rec.spo2.data[2]) and rec.spo2.data[-1] == 91
    assert rec.spo2.n_samples == 10
    assert [(a.onset_s, a.text) for a in rec.annotations] == [(2.5, "Lights off")]
    assert not any("pyedflib" in w for w in rec.warnings)
    units = {c.label: c.unit for c in rec.source.channels}
    assert units["EEG"] == "\u00b5V"


@pytest.mark.parametrize(("pmin", "pmax"), [(0.0, 1e308), (-1e308, 1e308), (1e30, -1e308)])
def test_a_physical_range_too_wide_to_scale_is_refused_in_one_line(
    tmp_path: Path, pmin: float, pmax: float
) -> None:
    """A header's physical range of -1e308 to 1e308 (it fits the 8-character fields) overflowed
    when the samples were scaled: numpy's RuntimeWarning and a line of oxi's source were printed
    (raised where warnings are errors) and the channel read as inf (hunt 15)."""
    sig = const_sig("SpO2", "%", 95, 10, pmin=pmin, pmax=pmax)
    path = write_edf_raw(tmp_path / "wide.edf", RawEdf([sig], reserved=""))
    with pytest.raises(RecordingFormatError, match="too wide for its samples to be scaled"):
        read_recording(path)


def test_truncated_and_header_only_edf(tmp_path: Path) -> None:
    full = _psg(tmp_path).read_bytes()
    cut = tmp_path / "cut.edf"
    cut.write_bytes(full[:-100])
    with pytest.raises(RecordingFormatError, match="truncated EDF"):
        read_recording(cut)
    ns = int(full[252:256])
    head_only = tmp_path / "head.edf"
    head_only.write_bytes(full[: 256 * (ns + 1)])
    with pytest.raises(RecordingFormatError, match="truncated EDF"):
        read_recording(head_only)
    zero = bytearray(full[: 256 * (ns + 1)])
    zero[236:244] = b"0       "
    zero_rec = tmp_path / "zero.edf"
    zero_rec.write_bytes(bytes(zero))
    with pytest.raises(RecordingFormatError, match="0 data records"):
        read_recording(zero_rec)


def test_reading_edf_does_not_import_pandas(tmp_path: Path) -> None:
    path = _psg(tmp_path)
    code = (
        "import sys; from oximetry.io import read_recording; "
        f"read_recording({str(path)!r}); "
        "print(sorted(m for m in ('pandas', 'matplotlib', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _edf_files_for_equivalence(tmp_path: Path) -> list[Path]:
    files = [_psg(tmp_path), Path(__file__).resolve().parents[1] / "data" / "example-night.edf"]
    rng = np.random.default_rng(3)
    plain = RawEdf(  # a plain EDF (no annotation signal), mixed rates, negative digital values
        [
            RawSig("Pleth", "", 25, rng.integers(-32768, 32767, (N, 25)), -1, 1, -32768, 32767),
            RawSig("SpO2", "%", 1, rng.integers(0, 1000, (N, 1)), 0, 100, 0, 1000),
        ],
        reserved="",
    )
    files.append(write_edf_raw(tmp_path / "plain.edf", plain))
    shared = Path(__file__).resolve().parents[2] / "shared" / "data"
    files += sorted(shared.rglob("*.edf")) + sorted(shared.rglob("*.EDF"))
    return files


@pytest.mark.parametrize("route", ["pyedflib", "records"])
def test_direct_record_read_equals_pyedflib(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, route: str
) -> None:
    """Continuous EDFs are read with pyedflib; files pyedflib refuses are read record by record
    at their annotations' times (the EDF+D route). Either way every signal must hold exactly
    the digital values pyedflib reads, converted the same way."""
    import pyedflib

    from oximetry.io import edf as edf_mod

    if route == "records":  # as if pyedflib refused every file

        @contextlib.contextmanager
        def refuse(path: Path, *, annotations: bool) -> Iterator[None]:
            raise RecordingFormatError("pyedflib cannot read this EDF (test)", path)
            yield

        monkeypatch.setattr(edf_mod, "_open_pyedflib", refuse)

    checked = 0
    for path in _edf_files_for_equivalence(tmp_path):
        size = path.stat().st_size
        raw = edf_mod.read_edf(path, path.read_bytes()[:4096], size)
        hdr = edf_mod.parse_header(path.read_bytes()[: 256 * 300], path, size)
        data_idx = [i for i, s in enumerate(hdr.signals) if s.label not in edf_mod._ANNOT_LABELS]
        got = raw.load(list(range(len(raw.channels))))
        with pyedflib.EdfReader(str(path)) as reader:
            for k, i in enumerate(data_idx):
                digital = reader.readSignal(k, digital=True).astype(np.int64)
                want = edf_mod._physical(digital, hdr.signals[i])
                np.testing.assert_array_equal(got[k], want, err_msg=f"{path.name} {k}")
                # pyedflib's physical values, a value within a code of a tenth put on it
                sig = hdr.signals[i]
                step = abs((sig.phys_max - sig.phys_min) / (sig.dig_max - sig.dig_min))
                slack = 1e-9 + (step if step < 0.1 else 0.0)
                np.testing.assert_allclose(got[k], reader.readSignal(k), rtol=0, atol=slack)
                checked += 1
    assert checked >= 8


@pytest.mark.parametrize("first_onset", [0.0, 0.5])
def test_edf_plus_c_annotations_equal_pyedflib(tmp_path: Path, first_onset: float) -> None:
    """EDF+C annotations: the same onsets (from the first sample), durations and texts as
    pyedflib reads, on synthetic, example and real files; the start is the first record's
    time-keeping onset (pyedflib's own start time reads 0.5 s as 0.05 s)."""
    import pyedflib

    from oximetry.io import edf as edf_mod

    on = first_onset
    notes = {
        0: [(on + 0.2, 2, "Obstructive Apnea"), (on + 0.5, 0, "Lights off")],
        3: [(on + 3.25, 0, "Désaturation é")],
        4: [(on + 4.0, 0, "a"), (on + 4.5, 12.5, "b"), (on + 4.9, 0, "c")],
        9: [(on + 9.9, 1.5, "end")],
    }
    spec = RawEdf(
        [RawSig("SpO2", "%", 1, np.full((10, 1), 95))],
        onsets=[on + r for r in range(10)],
        notes=notes,
    )
    files = [write_edf_raw(tmp_path / "notes.edf", spec)]
    if on == 0.0:
        files += [
            _psg(tmp_path),
            Path(__file__).resolve().parents[1] / "data" / "example-night.edf",
        ]
        shared = Path(__file__).resolve().parents[2] / "shared" / "data"
        files += sorted(p for p in shared.rglob("*.edf") if p.read_bytes()[192:197] == b"EDF+C")
    for path in files:
        raw = edf_mod.read_edf(path, path.read_bytes()[:65536], path.stat().st_size)
        with pyedflib.EdfReader(str(path)) as reader:
            onsets, durations, texts = reader.readAnnotations()
        assert [a.text for a in raw.annotations] == [str(t) for t in texts], path.name
        np.testing.assert_allclose([a.onset_s for a in raw.annotations], onsets, atol=1e-9)
        want_d = [max(float(d), 0.0) if np.isfinite(d) else 0.0 for d in durations]
        np.testing.assert_allclose([a.duration_s for a in raw.annotations], want_d, atol=1e-9)
    assert len(files) >= (3 if on == 0.0 else 1)
    first = edf_mod.read_edf(files[0], files[0].read_bytes(), files[0].stat().st_size)
    # the data begin at the first record's onset; annotation onsets count from there
    assert first.start == dt.datetime(2026, 3, 2, 22, 30) + dt.timedelta(seconds=on)
    assert first.annotations[0].onset_s == pytest.approx(0.2)


def test_edf_plus_c_without_time_keeping_annotation_is_refused(tmp_path: Path) -> None:
    spec = RawEdf([RawSig("SpO2", "%", 1, np.full((10, 1), 95))])
    data = bytearray(edf_bytes(spec))
    header = 256 * 3
    data[header + 2 : header + 2 + spec.annot_bytes] = bytes(spec.annot_bytes)  # record 1's TALs
    path = tmp_path / "no_tal.edf"
    path.write_bytes(bytes(data))
    with pytest.raises(RecordingFormatError, match="no time-keeping annotation"):
        read_recording(path)


@pytest.mark.parametrize("first_onset", [0.0, 0.5, 0.75, 1.5])
def test_edf_plus_annotations_cover_the_samples_of_their_time(
    tmp_path: Path, first_onset: float
) -> None:
    """EDF+ annotation onsets count from the header's start time, sample 0 from the first
    record's time-keeping onset: with that onset at +0.5 s, an annotation at 30.5 s covers
    sample (30.5 - 0.5) x fs. Checked through the whole analysis: the sleep window's samples,
    and the samples of a scored event, hold the only SpO2 values of their kind. (1.5 s is read
    by oxi's own record reader: pyedflib refuses a first onset of a second or more.)"""
    from oxi.pipeline import AnalyzeRequest, analyze_file
    from oximetry.windows import window_mask

    on, fs, n_rec = first_onset, 4, 150
    spo2 = np.full(n_rec * fs, 96)
    spo2[30 * fs : 90 * fs] = 95  # asleep (N2) from 30 s to 90 s after the first sample
    spo2[45 * fs + 1 : 55 * fs + 1] = 94  # the scored apnea, from 45.25 s for 10 s
    notes = {
        0: [(on, 30, "Sleep stage W")],
        30: [(on + 30, 60, "Sleep stage N2")],
        45: [(on + 45.25, 10, "Obstructive Apnea")],
        90: [(on + 90, 60, "Sleep stage W")],
    }
    spec = RawEdf(
        [RawSig("SpO2", "%", fs, spo2.reshape(n_rec, fs))],
        onsets=[on + r for r in range(n_rec)],
        notes=notes,
    )
    path = write_edf_raw(tmp_path / "late.edf", spec)
    rec = read_recording(path)
    assert rec.start == spec.start + dt.timedelta(seconds=on)
    assert [(a.onset_s, a.duration_s) for a in rec.annotations] == [
        (0.0, 30.0),
        (30.0, 60.0),
        (45.25, 10.0),
        (90.0, 60.0),
    ]
    analysis = analyze_file(path, AnalyzeRequest(report=False)).analysis
    n = rec.spo2.n_samples
    windows = {w.kind: w for w in analysis.windows}
    sleep = np.flatnonzero(window_mask(windows["sleep"], n, fs))
    assert sleep.tolist() == list(range(30 * fs, 90 * fs))
    assert set(rec.spo2.data[sleep]) <= {94.0, 95.0}
    awake = window_mask(windows["awake"], n, fs)
    assert set(rec.spo2.data[awake]) == {96.0}
    (apnea,) = [e for e in analysis.events if e.type == "scored"]
    first, last = round(apnea.start_s * fs), round(apnea.end_s * fs)
    assert (first, last) == (45 * fs + 1, 55 * fs + 1)
    assert set(rec.spo2.data[first:last]) == {94.0}
    # and so the figures: every sleep sample is valid, the awake ones never dip below 96 %
    sleep_m, awake_m = analysis.metrics["sleep"], analysis.metrics["awake"]
    assert sleep_m.valid_min == 1.0 and sleep_m.nadir_pct == 94.0  # type: ignore[union-attr]
    assert awake_m.nadir_pct == 96.0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("pmax", "dmax"), [(102.3, 1023), (204.7, 2047), (3276.7, 32767), (100.0, 1000)]
)
def test_tenths_headers_keep_half_percents_exact(tmp_path: Path, pmax: float, dmax: int) -> None:
    """An SpO2 channel stored in tenths (physical 0..102.3 over digital 0..1023, and the like):
    digital 885 is 88.5 %, which SPEC §7 rounds to 89. Taking the gain first gave
    88.49999999999999 (rounded to 88, counted at or below 88 %: seven minutes held at 88.5 %
    qualified a night). Every half percent from 80 to 100 reads exactly."""
    tenths = np.arange(800, 1001, 5, dtype=np.int64)  # 80.0, 80.5, ... 100.0
    digital = np.repeat(tenths, 2).reshape(-1, 1)
    spec = RawEdf([RawSig("SpO2", "%", 1, digital, pmin=0.0, pmax=pmax, dmin=0, dmax=dmax)])
    rec = read_recording(write_edf_raw(tmp_path / "tenths.edf", spec))
    assert rec.spo2.data.tolist() == np.repeat(tenths / 10, 2).tolist()


@settings(max_examples=200, deadline=None)
@given(
    tenths_max=st.integers(1000, 32767),
    dmin=st.sampled_from([0, -32768, -2048, -1]),
    scale=st.sampled_from([1, 10, 100]),
)
def test_physical_values_round_as_the_header_means(tenths_max: int, dmin: int, scale: int) -> None:
    """For headers whose physical range is written in decimals (a digital step of 1/scale
    percent), every sample's SpO2 rounds (floor(x + 0.5)) as the exact value the header means."""
    from fractions import Fraction

    from oximetry.io.edf import EdfSignalHeader, _to_physical

    pmax = Fraction(tenths_max, scale)
    dmax = dmin + tenths_max
    sig = EdfSignalHeader("SpO2", "", "%", 0.0, float(str(float(pmax))), dmin, dmax, "", 1)
    digital = np.arange(dmin, dmax + 1, max(1, (dmax - dmin) // 4000), dtype=np.float64)
    got = np.floor(_to_physical(digital.copy(), sig) + 0.5)
    header_max = Fraction(str(sig.phys_max))
    want = [
        math.floor((Fraction(int(d) - dmin) * header_max / (dmax - dmin)) + Fraction(1, 2))
        for d in digital
    ]
    assert got.tolist() == want


@pytest.mark.parametrize(
    ("dmin", "dmax", "pmin", "pmax"),
    [(-32768, 32767, 0.0, 100.0), (0, 65535, 0.0, 100.0), (-2048, 2047, 0.0, 100.0),
     (-8388608, 8388607, 0.0, 100.0), (-32768, 32767, -100.0, 150.0), (0, 4095, 0.0, 102.4)],
)  # fmt: skip
def test_every_tenth_reads_back_whatever_the_headers_resolution(
    dmin: int, dmax: int, pmin: float, pmax: float
) -> None:
    """A value stored as the nearest code of a header finer than tenths is the tenth within half
    a code of it: 88.5 % in 16 bits of 0-100 % read back as 88.499275, rounded to 88 by SPEC §7,
    and 8 minutes at 88.5 % qualified a night a file of 0-100 over 0..1000 did not (hunt 12)."""
    from oximetry.io.edf import EdfSignalHeader, _to_physical

    sig = EdfSignalHeader("SpO2", "", "%", pmin, pmax, dmin, dmax, "", 1)
    step = (pmax - pmin) / (dmax - dmin)
    tenths = np.arange(500, 1001) / 10  # 50.0 ... 100.0
    codes = np.round((tenths - pmin) / step) + dmin  # what a writer stores for each
    got = _to_physical(codes.astype(np.float64), sig)
    assert got.tolist() == tenths.tolist()
    # stored as EDFlib (and so pyedflib) stores them: truncated toward zero, the code below a
    # positive code and above a negative one
    truncated = np.trunc((tenths - pmin) / step + dmin)
    assert _to_physical(truncated, sig).tolist() == tenths.tolist()
    # values between tenths move by less than a code, if at all
    between = np.arange(dmin, dmax + 1, max(1, (dmax - dmin) // 5000), dtype=np.float64)
    exact = (between - dmin) * step + pmin
    assert np.abs(_to_physical(between.copy(), sig) - exact).max() <= step + 1e-9


#: Digital maxima of 0-100 % whose step (0.05 to under 0.1 %) lets a code be either of two tenths.
COARSE_DMAX = [1023, 1024, 1250, 1500, 2000]


def _pyedflib_spo2(path: Path, x: np.ndarray, dmax: int, pmax: float = 100.0) -> Path:
    """Write ``x`` (in percent) at 1 Hz as SpO2 of 0..``pmax`` (100 %, or 1 for a fraction)
    over 0..``dmax`` with pyedflib, which stores the code below a value (EDFlib truncates)."""
    import pyedflib

    w = pyedflib.EdfWriter(str(path), 1, file_type=pyedflib.FILETYPE_EDFPLUS)
    w.setSignalHeaders(
        [
            {
                "label": "SpO2",
                "dimension": "%" if pmax == 100.0 else "",
                "sample_frequency": 1,
                "physical_min": 0.0,
                "physical_max": pmax,
                "digital_min": 0,
                "digital_max": dmax,
            }
        ]
    )
    w.setStartdatetime(dt.datetime(2026, 11, 20, 22, 0))  # not the clock's: figures compared
    w.writeSamples([x if pmax == 100.0 else x / 100.0 * pmax])
    w.close()
    return path


def _rounded_spo2(path: Path, x: np.ndarray, dmax: int, pmax: float = 100.0) -> Path:
    """Write ``x`` as :func:`_pyedflib_spo2` does, each value stored as its nearest code."""
    codes = np.round(x / 100.0 * pmax / (pmax / dmax)).astype(np.int64).reshape(-1, 1)
    unit = "%" if pmax == 100.0 else ""
    sig = RawSig("SpO2", unit, 1, codes, pmin=0.0, pmax=pmax, dmin=0, dmax=dmax)
    return write_edf_raw(path, RawEdf([sig]))


@pytest.mark.parametrize("dmax", COARSE_DMAX)
def test_whole_percents_at_a_coarse_step_read_back_exactly_whoever_wrote_them(
    tmp_path: Path, dmax: int
) -> None:
    """From half a tenth a step to a tenth (0-100 % over 0..1023: 0.0978) a code may be either
    of two tenths, as the writer truncated (pyedflib: 89.5 to code 915, 89.4428) or rounded
    (89.4 to 915). Read as the higher tenth, a rounding writer's 90 % (code 921, 90.03) was
    90.1, and its 89.9 was 90.0, which met Medicare Group III's 90 % or more (hunt 15). Whole
    percents lie where either writer's codes say which: every whole percent from 50 to 100,
    written either way, reads back exactly, without a warning."""
    x = np.tile(np.arange(50, 101, dtype=np.float64), 2)
    for path in (
        _pyedflib_spo2(tmp_path / "truncated.edf", x, dmax),
        _rounded_spo2(tmp_path / "rounded.edf", x, dmax),
    ):
        rec = read_recording(path)
        assert rec.spo2.data.tolist() == x.tolist(), path.name
        assert not any("steps of" in w for w in rec.warnings), path.name


@pytest.mark.parametrize("dmax", COARSE_DMAX)
def test_tenths_at_a_coarse_step_are_refused_whoever_wrote_them(tmp_path: Path, dmax: int) -> None:
    """Tenths at such a step cannot be read either way: as the lower of two, pyedflib's 89.5
    was 89.4 (rounded to 89: 40 min at 89.5/89.7 % QUALIFIED a night with edema); as the
    higher, a rounding writer's 86.4 on oxygen was 86.5 (an improvement on 86.0) and its 89.9
    was 90.0 (hunt 15). Every tenth from 50 to 100, written either way, is refused with one
    line naming the channel and the step; oxi info says why the file cannot be analysed."""
    x = np.tile(np.arange(500, 1001) / 10, 2)
    step = f"{100.0 / dmax:.3g}"
    for path in (
        _pyedflib_spo2(tmp_path / "truncated.edf", x, dmax),
        _rounded_spo2(tmp_path / "rounded.edf", x, dmax),
    ):
        with pytest.raises(RecordingFormatError) as err:
            read_recording(path)
        assert err.value.reason == (
            f"SpO2 channel 'SpO2' is stored in steps of {step} %, too coarse to tell its tenths "
            "apart (89.4 from 89.5): export it with whole percents or a finer digital range"
        )
        assert inspect_recording(path).problem == err.value.reason


@pytest.mark.parametrize(("dmin", "dmax", "pmax"), [(-1024, 1023, 200.0), (-2048, 2047, 300.0)])
def test_whole_percents_on_negative_codes_written_by_pyedflib_read_back_exactly(
    tmp_path: Path, dmin: int, dmax: int, pmax: float
) -> None:
    """EDFlib, and so pyedflib, truncates toward zero: a negative code is the code above the
    value. Whole percents 50-100 of 0-200 % over -1024..1023 (a step of 0.0977) were stored up
    to a step above (52 % as 52.076), outside the band that ended half a step above, and the
    genuine file was refused (hunt 15). They read back exactly; the tenths are still refused."""
    import pyedflib

    step = f"{pmax / (dmax - dmin):.3g}"
    for x, name in (
        (np.tile(np.arange(50, 101, dtype=np.float64), 2), "whole"),
        (np.tile(np.arange(500, 1001) / 10, 2), "tenths"),
    ):
        path = tmp_path / f"{name}.edf"
        w = pyedflib.EdfWriter(str(path), 1, file_type=pyedflib.FILETYPE_EDFPLUS)
        header = {"label": "SpO2", "dimension": "%", "sample_frequency": 1}
        header |= {"physical_min": 0.0, "physical_max": pmax}
        w.setSignalHeaders([{**header, "digital_min": dmin, "digital_max": dmax}])
        w.setStartdatetime(dt.datetime(2026, 11, 20, 22, 0))
        w.writeSamples([x])
        w.close()
        if name == "whole":
            assert read_recording(path).spo2.data.tolist() == x.tolist()
        else:
            with pytest.raises(RecordingFormatError, match=rf"in steps of {step} %, too coarse"):
                read_recording(path)


@settings(max_examples=300, deadline=None)
@given(
    dmax=st.integers(1001, 2000),
    below=st.floats(0.0, 1.0),
    tenths=st.lists(st.integers(500, 1000), min_size=1, max_size=40),
    truncated=st.booleans(),
)
def test_a_coarse_step_never_reads_a_value_that_rounds_otherwise(
    dmax: int, below: float, tenths: list[int], truncated: bool
) -> None:
    """Safety (hunt 15): at any step from 0.05 to under 0.1 % a file is read only as whole
    percents, each the whole percent SPEC §7 rounds the written value to (never a tenth that
    rounds otherwise, whoever wrote it); a file of whole percents always reads, exactly. The
    digital range may start below zero (``below`` of it), where a truncating writer's negative
    codes lie above the values they store."""
    from oximetry.io._base import is_coarse_step, whole_percents
    from oximetry.io.edf import EdfSignalHeader, _to_physical

    dmin = -round(below * dmax)
    sig = EdfSignalHeader("SpO2", "", "%", 0.0, 100.0, dmin, dmin + dmax, "", 1)
    step = 100.0 / dmax
    assert is_coarse_step(step)
    x = np.array(tenths) / 10
    # EDFlib truncates toward zero (np.trunc), a rounding writer to the nearest code
    codes = np.trunc(x / step + dmin) if truncated else np.round(x / step) + dmin
    got = whole_percents(_to_physical(codes, sig), step)
    if all(t % 10 == 0 for t in tenths):
        assert got is not None and got.tolist() == x.tolist()
    if got is not None:
        assert got.tolist() == np.floor(x + 0.5).tolist()


def test_the_reviews_nights_of_tenths_in_ten_bits_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """End to end, the reviews' nights over 0..1023 (hunt 15): 40 minutes alternating 89.5 and
    89.7 % written by pyedflib read 89.4/89.6 within half a step, and 20 of them at or below
    89 % QUALIFIED a night beside edema; a rounding writer's night at 94.4 % read as the higher
    tenth 94.5, a baseline of 95, and 20 minutes around 89 % were a drop of more than 5 points
    that QUALIFIED (MassHealth a.ii). Both are refused (exit 2, no summary written); the same
    nights in whole percents read as over 0..1000."""
    from oxi.cli import main
    from oximetry import analyze
    from tests.criteria_helpers import OVERNIGHT_YAML

    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(
        OVERNIGHT_YAML + "symptoms: [nocturnal_restlessness]\nfindings: {dependent_edema: true}\n"
    )
    edema = np.full(3 * 3600, 95.0)
    edema[3600:3720] = np.round(np.linspace(95.0, 89.6, 120), 1)
    edema[3720:6120] = np.where(np.arange(2400) % 2 == 0, 89.5, 89.7)
    drop = np.tile([94.4, 94.4, 94.2, 94.4, 94.3], 3 * 3600 // 5)
    drop[3600:4800] = np.tile([89.0, 88.9, 89.0, 89.2, 89.0, 88.8], 200)
    for name, x, write in (("edema", edema, _pyedflib_spo2), ("drop", drop, _rounded_spo2)):
        out = tmp_path / f"out_{name}"
        path = write(tmp_path / f"{name}.edf", x, 1023)
        assert main(["analyze", str(path), "--context", str(ctx), "--out", str(out)]) == 2
        assert "too coarse to tell its tenths apart" in capsys.readouterr().err
        assert not (out / "summary.json").exists()
        whole = np.floor(x + 0.5)
        figures = [
            analyze(read_recording(write(tmp_path / f"{name}{dmax}.edf", whole, dmax))).metrics
            for dmax in (1000, 1023)
        ]
        assert figures[0] == figures[1], name


def test_a_scaled_fraction_in_ten_bits_reads_whole_percents_and_refuses_tenths(
    tmp_path: Path,
) -> None:
    """--scale 100 on an EDF of 0-1 over 0..1023: a step of 0.0978 % once scaled, read as a file
    in percent is. Whole percents, truncated or rounded, read exactly (read as the higher
    tenth, a rounding writer's 90 % was 90.1); tenths are refused, naming the scaled step."""
    wholes = np.tile(np.arange(50, 101, dtype=np.float64), 2)
    tenths = np.tile(np.arange(500, 1001) / 10, 2)
    for write in (_pyedflib_spo2, _rounded_spo2):
        path = write(tmp_path / "whole.edf", wholes, 1023, pmax=1.0)
        assert read_recording(path, scale=100).spo2.data.tolist() == wholes.tolist()
        path = write(tmp_path / "tenths.edf", tenths, 1023, pmax=1.0)
        with pytest.raises(RecordingFormatError, match=r"in steps of 0\.0978 %, too coarse"):
            read_recording(path, scale=100)


def test_a_half_percent_in_a_16_bit_header_is_not_at_or_below_88(tmp_path: Path) -> None:
    """End to end: 8 minutes at 88.5 % (89 every fifth sample) in a full-range 16-bit EDF."""
    from oximetry import analyze

    x = np.full(6 * 3600, 95.0)
    x[7200:7680] = 88.5
    x[7200:7680:5] = 89.0
    figures = []
    for dmin, dmax in ((-32768, 32767), (0, 1000)):
        codes = np.round((x - 0.0) / (100.0 / (dmax - dmin))) + dmin
        digital = codes.astype(np.int64).reshape(-1, 60)
        spec = RawEdf(
            [RawSig("SpO2", "%", 60, digital, pmin=0.0, pmax=100.0, dmin=dmin, dmax=dmax)]
        )
        a = analyze(read_recording(write_edf_raw(tmp_path / f"r{dmax}.edf", spec)))
        figures.append(a.metrics["presumed_sleep"])
    assert figures[0] == figures[1]
    assert figures[0].t_le88_min == 0.0  # type: ignore[union-attr]


def test_a_half_percent_written_by_pyedflib_is_not_at_or_below_88(tmp_path: Path) -> None:
    """EDFlib, and so pyedflib, truncates a physical value to the code below it: 88.5 % over
    0..32767 was stored 0.8 of a code low, read back as 88.497574 (not within half a code of
    88.5), rounded to 88 by SPEC §7, and 8 minutes held at 88.5 % QUALIFIED a night with the
    example context that the same night over -32768..32767 (0.475 of a code low) did not
    (hunt 15)."""
    import pyedflib

    from oximetry import analyze

    x = np.full(3 * 3600, 95.0)
    x[3600:3720] = np.round(np.linspace(95.0, 88.6, 120), 1)
    x[3720:4200] = 88.5
    figures = []
    for dmin, dmax in ((0, 32767), (-32768, 32767)):
        path = tmp_path / f"r{dmin}.edf"
        w = pyedflib.EdfWriter(str(path), 1, file_type=pyedflib.FILETYPE_EDFPLUS)
        w.setSignalHeaders(
            [
                {
                    "label": "SpO2",
                    "dimension": "%",
                    "sample_frequency": 1,
                    "physical_min": 0.0,
                    "physical_max": 100.0,
                    "digital_min": dmin,
                    "digital_max": dmax,
                }
            ]
        )
        w.setStartdatetime(dt.datetime(2026, 11, 20, 22, 0))  # not the clock's: figures compared
        w.writeSamples([x])
        w.close()
        rec = read_recording(path)
        assert rec.spo2.data[3720] == 88.5
        figures.append(analyze(rec).metrics["presumed_sleep"])
    assert figures[0] == figures[1]
    assert figures[0].t_le88_min == 0.0  # type: ignore[union-attr]


def test_a_half_percent_stored_as_a_16_bit_fraction_reads_as_in_percent(tmp_path: Path) -> None:
    """--scale 100 on an EDF of 0-1 in 16 bits: 0.885 is stored as 0.88499275, whose tenths the
    file snaps are tenths of a fraction; scaled, it was 88.499275 %, and 8 minutes at 88.5 %
    counted at or below 88 % and qualified a night the same file in percent does not (hunt 14).
    The scaled values are put on their tenths of a percent, as a file in percent is read."""
    from oximetry import analyze

    x = np.full(6 * 3600, 95.0)
    x[7200:7680] = 88.5
    figures = []
    for name, pmax, unit, scale in (("pct", 100.0, "%", None), ("frac", 1.0, "", 100.0)):
        codes = np.round(x / 100.0 * pmax / (pmax / 65535)) - 32768
        spec = RawEdf(
            [
                RawSig(
                    "SpO2", unit, 60, codes.astype(np.int64).reshape(-1, 60),
                    pmin=0.0, pmax=pmax, dmin=-32768, dmax=32767,
                )
            ]
        )  # fmt: skip
        rec = read_recording(write_edf_raw(tmp_path / f"{name}.edf", spec), scale=scale)
        assert rec.spo2.data[7200] == 88.5
        figures.append(analyze(rec).metrics["presumed_sleep"])
    assert figures[0] == figures[1]
    assert figures[1].t_le88_min == 0.0  # type: ignore[union-attr]


def test_a_pulse_of_zero_invalidates_the_spo2_beside_it(tmp_path: Path) -> None:
    """A pulse of 0 is "no pulse found" (a probe off): SPEC §4 rule 4 invalidates the SpO2 beside
    a pulse outside 25-250 bpm. Read as a missing value it invalidated nothing, and 12 minutes at
    86 % with no pulse qualified a night (sixth review); a pulse of 20 was caught."""
    from oximetry import analyze

    n = 3600
    spo2 = np.full(n, 95)
    spo2[1000:1720] = 86
    pr = np.full(n, 62)
    pr[990:1730] = 0
    spec = RawEdf(
        [
            RawSig("SpO2", "%", 60, spo2.reshape(-1, 60)),
            RawSig("Pulse", "bpm", 60, pr.reshape(-1, 60), pmin=0, pmax=300, dmin=0, dmax=300),
        ],
        record_s=60.0,
    )
    a = analyze(read_recording(write_edf_raw(tmp_path / "p0.edf", spec)))
    assert a.artifact.counts["pulse_out_of_range"] > 600  # (the fall itself is another rule)
    assert a.metrics[a.main_window].t_le88_min == 0.0


def test_a_pulse_channel_of_nothing_but_zeros_recorded_no_pulse(tmp_path: Path) -> None:
    """A pulse input left unplugged holds 0 throughout: that is no pulse recorded (missing), not
    a whole night of "no pulse found" that would invalidate every SpO2 sample."""
    spo2 = np.full((60, 1), 95)
    spec = RawEdf(
        [
            RawSig("SpO2", "%", 1, spo2),
            RawSig("Pulse", "bpm", 1, np.zeros((60, 1), dtype=np.int64), pmin=0, pmax=300,
                   dmin=0, dmax=300),
        ]
    )  # fmt: skip
    rec = read_recording(write_edf_raw(tmp_path / "unplugged.edf", spec))
    assert rec.pulse is not None and np.isnan(rec.pulse.data).all()
    assert not np.isnan(rec.spo2.data).any()


def test_bdf_plus_is_read_with_its_annotations(tmp_path: Path) -> None:
    """BDF+ (24-bit) says "BDF+C" in its reserved field and labels its annotation signal
    "BDF Annotations": read as a plain BDF with a second data channel, every BDF+ file was
    refused ("pyedflib sees 1 signals where the header lists 2"; ninth review)."""
    import pyedflib

    path = tmp_path / "night.bdf"
    w = pyedflib.EdfWriter(str(path), 1, pyedflib.FILETYPE_BDFPLUS)
    try:
        w.setSignalHeaders([{
            "label": "SpO2", "dimension": "%", "sample_frequency": 1, "physical_min": 0,
            "physical_max": 100, "digital_min": -8388608, "digital_max": 8388607,
            "prefilter": "", "transducer": "",
        }])  # fmt: skip
        w.setStartdatetime(dt.datetime(2026, 1, 5, 23, 0))
        x = np.full(3600, 95.0)
        x[1200:1800] = 86.0
        w.writeSamples([x])
        w.writeAnnotation(100, 30, "Sleep stage N2")
    finally:
        w.close()
    head = path.read_bytes()[:768]
    assert head[192:197] == b"BDF+C" and b"BDF Annotations" in head
    rec = read_recording(path)
    assert rec.source.format == "bdf+c"
    assert rec.spo2.n_samples == 3600
    np.testing.assert_allclose(rec.spo2.data[1200:1800], 86.0, atol=1e-5)
    assert [(a.onset_s, a.duration_s, a.text) for a in rec.annotations] == [
        (100.0, 30.0, "Sleep stage N2")
    ]
    # the same file marked discontinuous is refused as such, not as a signal count
    data = bytearray(path.read_bytes())
    data[192:197] = b"BDF+D"
    (tmp_path / "d.bdf").write_bytes(bytes(data))
    with pytest.raises(UnsupportedEDFError, match="BDF\\+D"):
        read_recording(tmp_path / "d.bdf")


def _dated(
    tmp_path: Path,
    *,
    recording: str,
    date_text: str,
    reserved: str = "EDF+C",
    clock: dt.time = dt.time(22),
) -> Path:
    """A minute at 95 % from 22:00:00 (or ``clock``), with the header date and recording field
    as given."""
    spec = RawEdf(
        [const_sig("SpO2", "%", 95, 60)],
        reserved=reserved,
        recording=recording,
        start=dt.datetime.combine(dt.date(2026, 3, 4), clock),
        date_text=date_text,
    )
    return write_edf_raw(tmp_path / "dated.edf", spec)


def test_edf_plus_startdate_gives_the_year_after_2084(tmp_path: Path) -> None:
    """After 2084 the header's year is 'yy' and only the recording field's Startdate gives the
    year (EDF+ spec 2.1.3.2): "04.03.yy" was refused as not dd.mm.yy."""
    path = _dated(tmp_path, recording="Startdate 04-MAR-2085 X X X", date_text="04.03.yy")
    rec = read_recording(path)
    assert rec.start == dt.datetime(2085, 3, 4, 22, 0, 0)
    assert rec.source.date_known is True
    assert rec.spo2.n_samples == 60 and (rec.spo2.data == 95).all()


@pytest.mark.parametrize("reserved", ["EDF+C", ""])
@pytest.mark.parametrize("startdate", ["03-APR-2026", "04-MAR-1926", "04-MAR-2027", "05-MAR-2026"])
def test_startdate_disagreeing_with_the_header_date_is_refused(
    tmp_path: Path, startdate: str, reserved: str
) -> None:
    """The header says 04.03.26 (2026 by the 1985 clipping year), the Startdate another day,
    month or century: read silently as 2026-03-04, whichever was the recording's date. A plain
    EDF written to EDF+'s conventions (ResMed's) is held to its Startdate too."""
    path = _dated(
        tmp_path, recording=f"Startdate {startdate} X X X", date_text="04.03.26", reserved=reserved
    )
    with pytest.raises(RecordingFormatError, match=rf"'04\.03\.26'.*'{startdate}'.*disagree"):
        read_recording(path)


@pytest.mark.parametrize(
    "startdate", ["not", "04-MRZ-2026", "31-FEB-2026", "2026-03-04", "4-MAR-2026"]
)
@pytest.mark.parametrize("date_text", ["01.01.85", "04.03.26"])
def test_startdate_that_is_no_date_leaves_the_date_unknown(
    tmp_path: Path, startdate: str, date_text: str
) -> None:
    """PhysioNet's mit2edf writes "Startdate not recorded" for a record without a date: refused
    as not a date, a converted MIMIC record could not be read. A Startdate that is no date
    leaves the date unknown; beside the anonymisers' 01.01.85 the header's time is kept, beside
    another date it may be the conversion's time, and the times are elapsed time."""
    rec = read_recording(
        _dated(tmp_path, recording=f"Startdate {startdate} X", date_text=date_text)
    )
    assert rec.source.date_known is False
    if date_text == "01.01.85":
        assert rec.clock_known and rec.start == dt.datetime(1900, 1, 1, 22, 0, 0)
    else:
        assert not rec.clock_known and rec.start == dt.datetime(1900, 1, 1)
    assert any(
        f"a Startdate that is no date ('Startdate {startdate} …')" in w for w in rec.warnings
    )


@pytest.mark.parametrize("word", ["STARTDATE", "startdate", "StartDate"])
def test_a_startdate_in_other_capitals_is_checked_too(tmp_path: Path, word: str) -> None:
    """ "STARTDATE 03-APR-2027" beside 04.03.26 was read as 2026-03-04 unchecked."""
    path = _dated(tmp_path, recording=f"{word} 03-APR-2027 X X X", date_text="04.03.26")
    with pytest.raises(RecordingFormatError, match="disagree"):
        read_recording(path)


@pytest.mark.parametrize("reserved", ["EDF+C", "EDF+D", ""])
@pytest.mark.parametrize("date_text", ["01.01.85", "04.03.26", "04.03.yy"])
def test_anonymised_edf_plus_has_no_date_and_keeps_its_clock(
    tmp_path: Path, date_text: str, reserved: str
) -> None:
    """ "Startdate X": the date is unknown or made anonymous (EDF+ spec), and anonymisers write
    01.01.85 in the header. Read as 1985-01-01 with the date known, a night's order window
    came out at 15,309 days and a test.date in the context was a conflict, so the file could
    never qualify. The header's time of day stays: only the date is unknown."""
    path = _dated(tmp_path, recording="Startdate X X X X", date_text=date_text, reserved=reserved)
    rec = read_recording(path)
    assert rec.start == dt.datetime(1900, 1, 1, 22, 0, 0)
    assert rec.source.date_known is False
    assert rec.clock_known
    assert any("Startdate X" in w and "date is unknown" in w for w in rec.warnings)
    assert rec.spo2.n_samples == 60 and (rec.spo2.data == 95).all()


@pytest.mark.parametrize(
    ("recording", "date_text", "reserved"),
    [
        ("Startdate X X X X", "01.01.85", "EDF+C"),
        ("Startdate X X X X", "04.03.26", "EDF+D"),
        ("Startdate not recorded", "01.01.85", "EDF+C"),
        ("NSRR de-identified", "01.01.85", ""),
    ],
)
def test_a_time_of_00_00_00_beside_an_unknown_date_is_no_clock(
    tmp_path: Path, recording: str, date_text: str, reserved: str
) -> None:
    """Anonymisers that blank the date may blank the time to 00.00.00 with it: read as a clock
    from midnight, an afternoon's recording so de-identified lay wholly in the night and
    qualified as nocturnal (hunt 13). Its times are elapsed time, as a CSV's from 00:00:00 are;
    beside a known date 00.00.00 stays a clock."""
    path = _dated(
        tmp_path, recording=recording, date_text=date_text, reserved=reserved, clock=dt.time()
    )
    rec = read_recording(path)
    assert rec.start == dt.datetime(1900, 1, 1) and rec.source.date_known is False
    assert not rec.clock_known
    assert any("00.00.00 may be blanked" in w for w in rec.warnings)
    dated = _dated(tmp_path, recording="Startdate 04-MAR-2026 X X X", date_text="04.03.26",
                   clock=dt.time())  # fmt: skip
    rec = read_recording(dated)
    assert rec.start == dt.datetime(2026, 3, 4) and rec.clock_known


def test_an_anonymised_afternoon_from_00_00_00_does_not_qualify(tmp_path: Path) -> None:
    """The end to end case: 5 h with 40 min at 86 %, 'Startdate X' at 00.00.00, the example
    context: QUALIFIED (nocturnal) when the header's 00.00.00 was read as the clock."""
    from oxi.cli import main
    from oximetry.simulate import simulate_night

    rec, _ = simulate_night(fs=1.0, duration_s=5 * 3600, seed=3, noise_pts=0.6,
                            sustained_drops=[(3600, 2400, 86)])  # fmt: skip
    values = np.round(np.nan_to_num(rec.spo2.data, nan=0)).astype(int)
    spec = RawEdf(
        [RawSig("SpO2", "%", 1, values.reshape(-1, 1))],
        reserved="EDF+C",
        patient="X X X X",
        recording="Startdate X X X X",
        start=dt.datetime(1985, 1, 1),
        date_text="01.01.85",
    )
    path = write_edf_raw(tmp_path / "anon.edf", spec)
    ctx = Path(__file__).parents[1] / "data" / "example-context.yaml"
    out = tmp_path / "out"
    argv = ["analyze", str(path), "--context", str(ctx), "--no-report", "--out", str(out)]
    assert main(argv) == 0
    qualification = json.loads((out / "summary.json").read_text())["qualification"]
    assert qualification["determination"] == "indeterminate"
    assert any("holds no clock time" in m for m in qualification["missing"])


@pytest.mark.parametrize("date_text", ["01.01.85", "17.06.89"])
def test_plain_edf_dated_before_1990_has_no_date(tmp_path: Path, date_text: str) -> None:
    """NSRR de-identifies its plain EDFs (SHHS, ...) by writing the clipping date 01.01.85 and
    keeping the time of day its XML's Recording Start Time must match: read as 1985, the order
    window counted 15,309 days. No oximeter recorded an EDF before 1990 (limits.MIN_YEAR)."""
    path = _dated(tmp_path, recording="NSRR de-identified", date_text=date_text, reserved="")
    rec = read_recording(path)
    assert rec.start == dt.datetime(1900, 1, 1, 22, 0, 0)
    assert rec.source.date_known is False and rec.clock_known
    year = f"19{date_text[-2:]}"
    assert any(year in w and "date is unknown" in w for w in rec.warnings)
    # 1990 is a recording's year
    rec = read_recording(_dated(tmp_path, recording="x", date_text="01.01.90", reserved=""))
    assert rec.start == dt.datetime(1990, 1, 1, 22, 0, 0) and rec.source.date_known is True


def test_header_year_yy_needs_a_startdate_year_up_to_2099(tmp_path: Path) -> None:
    """'yy' says "after 2084, see the Startdate": without one the year is unknown, and a
    Startdate past limits.MAX_YEAR is no recording's."""
    path = _dated(tmp_path, recording="x", date_text="04.03.yy", reserved="")
    with pytest.raises(RecordingFormatError, match=r"'04\.03\.yy' gives no year"):
        read_recording(path)
    path = _dated(tmp_path, recording="Startdate 04-MAR-2100 X X X", date_text="04.03.yy")
    with pytest.raises(RecordingFormatError, match=r"year 2100 is not plausible.*1990-2099"):
        read_recording(path)


def test_a_name_typed_with_spaces_is_redacted_from_the_labels_and_the_device(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """EDF+ writes a name's spaces as '_'; "X M 17-APR-1950 Zebulon Quackenbush" was read as
    the name "Zebulon" alone, so a channel label "SpO2 Quackenbush" and a device field
    "Quackenbush_Oxi" were written whole in a de-identified summary, page 1 and trace.png's
    title, and printed by oxi info (hunt 16)."""
    spec = RawEdf(
        [const_sig("SpO2 Quackenbush", "%", 95, 60)],
        patient="X M 17-APR-1950 Zebulon Quackenbush",
        recording="Startdate 02-MAR-2026 X X Quackenbush_Oxi",
    )
    path = write_edf_raw(tmp_path / "night.edf", spec)
    assert "device:     [redacted] Oxi" in format_info(inspect_recording(path))
    analysis = analyze(read_recording(path))
    summary = build_summary(analysis, deidentify=True)
    assert summary["input"]["device"] == "[redacted] Oxi"
    assert summary["input"]["channel"] == "SpO2 [redacted]"
    # nor printed by oxi analyze without --deidentify: the summary records the name alone
    # (the words after it are redacted, not compared; review of hunt 16)
    capsys.readouterr()
    assert main(["analyze", str(path), "--no-report", "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr()
    assert "Quackenbush" not in printed.out + printed.err


@pytest.mark.parametrize("reserved", ["", "EDF+C", "EDF+D"])
def test_a_code_beyond_the_digital_range_is_missing_not_snapped_into_it(
    tmp_path: Path, reserved: str
) -> None:
    """-32768 below a digital minimum of -32767 (a writer's "no data") on 50-100 % is 49.9992,
    half a step beyond the channel's range: put on its tenth first, it read 50.0 %, a valid
    reading at or below 88 %, where it is a code the channel cannot hold (missing)."""
    digital = np.full((10, 1), 26214)  # 95 %
    digital[3:6] = -32768
    spec = RawEdf(
        [RawSig("SpO2", "%", 1, digital, pmin=50, pmax=100, dmin=-32767, dmax=32767)],
        reserved=reserved,
    )
    rec = read_recording(write_edf_raw(tmp_path / "n.edf", spec))
    assert np.isnan(rec.spo2.data[3:6]).all()
    assert (rec.spo2.data[[0, 1, 2, 6, 7, 8, 9]] == 95.0).all()


def test_words_after_an_edf_plus_name_are_redacted_but_not_compared(tmp_path: Path) -> None:
    """pyedflib writes a name and its additional subfield as 'Roe Ward_Jones': read as the name
    "Roe Ward Jones", it shared "Jones" with a context's "Mary Jones", and another person's
    night raised no conflict (review of hunt 16). The words after the name are redacted with it
    (a surname typed with spaces, "Zebulon Quackenbush"), and only the name is compared."""
    spec = RawEdf(
        [const_sig("SpO2", "%", 95, 60)],
        reserved="EDF+C",
        patient="P1 M 01-JAN-1950 Roe Ward_Jones",
        recording="Startdate 02-MAR-2026 X X X",
    )
    rec = read_recording(write_edf_raw(tmp_path / "night.edf", spec))
    assert (rec.patient.name, rec.patient.more_name) == ("Roe", "Ward Jones")
    assert same_person(rec.patient.name, "Mary Jones") is False
    spec = RawEdf(
        [const_sig("SpO2", "%", 95, 60)],
        reserved="EDF+C",
        patient="P1 M 01-JAN-1950 Zebulon Quackenbush",
        recording="Startdate 02-MAR-2026 X X X",
    )
    rec = read_recording(write_edf_raw(tmp_path / "typed.edf", spec))
    assert (rec.patient.name, rec.patient.more_name) == ("Zebulon", "Quackenbush")
    assert rec.patient.redact("SpO2 Quackenbush") == "SpO2 [redacted]"
