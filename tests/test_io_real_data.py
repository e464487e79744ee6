"""The real recordings in ../shared/data load with the right rate, length and start, or are refused.

Expected numbers were computed by hand from the files' first and last time stamps:
a Checkme night from 00:21:19 to 06:34:39 at one row every 2 s is 22400 s / 2 + 1 = 11201
samples; its trailing ``--`` rows are counted with ``grep``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from oxi.info import format_info
from oximetry.errors import ChannelNotFoundError, InsufficientDataError, RecordingFormatError
from oximetry.io import inspect_recording, read_recording
from tests.io_fixtures import DATA_DIR

pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not DATA_DIR.is_dir(), reason=f"real recordings not found at {DATA_DIR}"),
]

CHECKME = DATA_DIR / "checkme_o2max_airwaylab"
HYPOXIA = DATA_DIR / "hypoxia_ubicomp"
EDGE = DATA_DIR / "edge_cases"


@pytest.mark.parametrize(
    ("name", "start", "n", "missing", "first"),
    [
        (
            "checkme-o2-max-20260220-short.csv",
            dt.datetime(2026, 2, 20, 6, 53, 12),
            2548,
            list(range(2543, 2548)),
            96,
        ),
        (
            "checkme-o2-max-20260309.csv",
            dt.datetime(2026, 3, 9, 0, 21, 19),
            11201,
            list(range(11196, 11201)),
            94,
        ),
        (
            "checkme-o2-max-20260310.csv",
            dt.datetime(2026, 3, 10, 0, 2, 16),
            13570,
            [60, *range(13565, 13570)],  # file lines 62 and 13567-13571 hold "--"
            96,
        ),
    ],
)
def test_checkme_nights(
    name: str, start: dt.datetime, n: int, missing: list[int], first: int
) -> None:
    rec = read_recording(CHECKME / name)
    assert rec.source.format == "csv-viatom"
    assert rec.fs == 0.5
    assert rec.start == start
    assert rec.spo2.n_samples == n
    assert np.flatnonzero(np.isnan(rec.spo2.data)).tolist() == missing  # the "--" rows
    assert rec.spo2.data[0] == first
    assert rec.pulse is not None and rec.pulse.n_samples == n
    assert rec.warnings == ()


def test_checkme_20260310_value_range() -> None:
    x = read_recording(CHECKME / "checkme-o2-max-20260310.csv").spo2.data
    assert np.nanmin(x) == 87  # PROVENANCE: min 87, mean 95.9
    assert round(float(np.nanmean(x)), 1) == 95.9


@pytest.mark.parametrize(
    ("name", "start", "n"),
    [
        ("100001.csv", dt.time(9, 25, 2), 1090),
        ("100002.csv", dt.time(10, 28, 37), 1122),
        ("100003.csv", dt.time(11, 23, 45), 1066),
        ("100004.csv", dt.time(13, 11, 55), 1015),
        ("100005.csv", dt.time(14, 7, 56), 927),
        ("100006.csv", dt.time(15, 13, 23), 834),
    ],
)
def test_hypoxia_needs_channel_then_loads_at_1hz(name: str, start: dt.time, n: int) -> None:
    path = HYPOXIA / name
    with pytest.raises(ChannelNotFoundError) as err:
        read_recording(path)
    msg = str(err.value)
    assert name in msg and "--channel" in msg
    for k in range(1, 6):
        assert f"'SpO2 {k}'" in msg
    rec = read_recording(path, channel="SpO2 5")
    assert rec.fs == 1.0
    assert rec.spo2.n_samples == n
    assert rec.start.time() == start
    assert rec.source.date_known is False
    assert rec.pulse is not None and rec.pulse.label == "Pulse 5"
    assert not np.isnan(rec.spo2.data).any()


def test_hypoxia_first_values_and_unused_device() -> None:
    rec = read_recording(HYPOXIA / "100001.csv", channel="SpO2 1")
    assert rec.spo2.data[0] == 97.4 and rec.spo2.data[-1] == 99.6
    assert rec.pulse is not None and rec.pulse.data[0] == 57
    with pytest.raises(InsufficientDataError, match="no valid oximetry: SpO2 3 is 0"):
        read_recording(HYPOXIA / "100001.csv", channel="SpO2 3")


def test_pediatric_sats_rate() -> None:
    path = DATA_DIR / "pediatric_masimo_ajcollaro" / "ExampleData.txt"
    with pytest.raises(RecordingFormatError, match="--fs"):
        read_recording(path)
    rec = read_recording(path, fs=0.5)
    assert rec.source.format == "csv-sats-rate"
    assert rec.spo2.n_samples == 20773
    assert rec.duration_s == 41546.0  # 11.5 h
    assert rec.spo2.data[0] == 100 and rec.spo2.data[-1] == 99
    assert np.nanmin(rec.spo2.data) == 82
    assert rec.pulse is not None and rec.pulse.data[0] == 99


@pytest.mark.parametrize(
    ("path", "n"),
    [
        (EDGE / "resmed_as10_20230826_033409_SAD_no_oximeter.edf", 6240),
        (CHECKME / "sd-card" / "20260310_000159_SAD.edf", 27060),
    ],
)
def test_resmed_without_oximeter(path: object, n: int) -> None:
    with pytest.raises(InsufficientDataError, match=r"no valid oximetry: SpO2.1s is -1"):
        read_recording(path)  # type: ignore[arg-type]
    info = inspect_recording(path)  # type: ignore[arg-type]
    assert info.spo2_channel == "SpO2.1s"
    assert info.duration_s == n
    assert info.valid_fraction == 0.0
    text = format_info(info)
    assert "no valid oximetry: SpO2.1s is -1 (no oximeter was attached) throughout" in text


def test_mne_microvolt_saO2_is_not_spo2() -> None:
    path = EDGE / "mne_chtypes_edf.edf"
    with pytest.raises(ChannelNotFoundError, match=r"SaO2 X9.*uV.*not a percentage"):
        read_recording(path)
    info = inspect_recording(path)
    assert info.spo2_channel is None
    roles = {c.label: c.role for c in info.channels}
    assert roles["SaO2 X9"] == "other" and roles["SaO2 X10"] == "other"
    assert "not a percentage" in format_info(info)
    assert info.start == dt.datetime(2015, 11, 19, 19, 33, 9)
    assert dict(info.annotation_counts)  # its EDF+ annotations are read
