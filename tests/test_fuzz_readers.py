"""Fuzz every reader: whatever the bytes, our exception or a result comes out.

Random bytes, truncations of valid files and mutated header bytes go through
``read_recording``, ``inspect_recording`` and ``read_hypnogram``. The readers raise the
project's errors where they detect a problem and nothing turns a bare library or programming
error into "bad input", so an IndexError, UnicodeDecodeError or pyedflib OSError escaping here is
a detection gap (or a bug) and fails the test.
"""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oxi.info import format_info
from oximetry.errors import OximetryError
from oximetry.io import inspect_recording, read_hypnogram, read_recording
from tests.io_fixtures import RawEdf, RawSig, const_sig, edf_bytes

FUZZ = settings(
    max_examples=int(__import__("os").environ.get("OXI_FUZZ_N", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _valid_edf() -> bytes:
    spo2 = np.tile(np.array([95, 94, -1, 0, 100, 96]), 4).reshape(12, 2)
    return edf_bytes(
        RawEdf(
            [
                RawSig("SpO2", "%", 2, spo2),
                const_sig("Pulse", "bpm", 60, 12, dmax=300, pmax=300),
                const_sig("OX STAT", "", 0, 12, dmax=10, pmax=10),
            ],
            notes={1: [(1.5, 30, "Sleep stage N2")]},
        )
    )


def _valid_edf_d() -> bytes:
    spec = RawEdf(
        [RawSig("SpO2", "%", 2, np.full((4, 2), 95))],
        reserved="EDF+D",
        onsets=[0, 1, 5, 6],
    )
    return edf_bytes(spec)


VALID_CSV = (
    b"Time,SpO2(%),Pulse Rate(bpm),Motion,SpO2 Reminder,PR Reminder,\n"
    b'"11:20:29PM Jun 19, 2026",95,61,0,0,0,\n'
    b'"11:20:33PM Jun 19, 2026",255,65535,3,0,0,\n'
    b'"11:20:37PM Jun 19, 2026",--,--,3,0,0,\n'
    b'"11:20:41PM Jun 19, 2026",93,63,0,0,0,\n'
)
VALID_HYPOXIA = (
    "\ufeff,SpO2 1,SpO2 2,Pulse 1,Pulse 2\n 23:59:58,97.4,97,57,58\n 23:59:59,97.6,0,57,0\n"
    " 00:00:00,97,96,57,58\nCollection Halted,,,,\n"
).encode()
VALID_MASIMO = b"09/21/08 09:56:12 SpO2=097 PR=069 PI=04.69 EXC=800:SET\n" * 3
VALID_SATS = b"Sats,Rate\n100,99\n98,101\n0,0\n97,99\n"
VALID_FILES = {
    "edf": _valid_edf(),
    "edfd": _valid_edf_d(),
    "csv": VALID_CSV,
    "hypoxia": VALID_HYPOXIA,
    "masimo": VALID_MASIMO,
    "sats": VALID_SATS,
}

_counter = itertools.count()


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="oxi-fuzz-") as d:
        yield Path(d)


def _exercise(path: Path) -> None:
    """Run every reader on ``path``; anything but an OximetryError fails the test."""
    for kwargs in ({}, {"fs": 1.0, "channel": "SpO2 1"}):
        try:
            rec = read_recording(path, **kwargs)  # type: ignore[arg-type]
        except OximetryError as exc:
            assert str(exc).startswith(str(path))
            assert "\n" not in str(exc)
        else:
            assert rec.spo2.n_samples >= 1
            assert not rec.spo2.data.flags.writeable
    try:
        format_info(inspect_recording(path, fs=0.5))
    except OximetryError:
        pass
    for kwargs in ({}, {"start": dt.datetime(2026, 3, 2, 22, 30), "end_s": 3600.0}):
        try:
            stages = read_hypnogram(path, **kwargs)  # type: ignore[arg-type]
        except OximetryError as exc:
            assert "\n" not in str(exc)
        else:
            assert stages and all(s in ("W", "N1", "N2", "N3", "N4", "R", "?") for *_, s in stages)


def _write(workdir: Path, data: bytes, suffix: str) -> Path:
    p = workdir / f"f{next(_counter)}{suffix}"
    p.write_bytes(data)
    return p


@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".edf", ".csv", ".txt", ""]))
def test_random_bytes(workdir: Path, data: bytes, suffix: str) -> None:
    _exercise(_write(workdir, data, suffix))


@FUZZ
@given(data=st.binary(min_size=1, max_size=800))
def test_random_bytes_behind_an_edf_signature(workdir: Path, data: bytes) -> None:
    _exercise(_write(workdir, b"0       " + data, ".edf"))


@FUZZ
@given(kind=st.sampled_from(sorted(VALID_FILES)), frac=st.floats(0.0, 1.0))
def test_truncations(workdir: Path, kind: str, frac: float) -> None:
    full = VALID_FILES[kind]
    _exercise(_write(workdir, full[: int(len(full) * frac)], ".edf" if "edf" in kind else ".csv"))


@FUZZ
@given(
    kind=st.sampled_from(["edf", "edfd"]),
    edits=st.lists(st.tuples(st.integers(0, 1279), st.integers(0, 255)), min_size=1, max_size=6),
)
def test_mutated_edf_headers(workdir: Path, kind: str, edits: list[tuple[int, int]]) -> None:
    data = bytearray(VALID_FILES[kind])
    for pos, value in edits:
        data[pos % len(data)] = value
    _exercise(_write(workdir, bytes(data), ".edf"))


@FUZZ
@given(
    field=st.sampled_from([(184, 8), (236, 8), (244, 8), (252, 4), (168, 8), (176, 8), (192, 44)]),
    text=st.text(alphabet="0123456789.-+eE X", max_size=8),
)
def test_mutated_edf_numeric_fields(workdir: Path, field: tuple[int, int], text: str) -> None:
    data = bytearray(VALID_FILES["edf"])
    start, width = field
    data[start : start + width] = text.encode().ljust(width)[:width]
    _exercise(_write(workdir, bytes(data), ".edf"))


@FUZZ
@given(
    kind=st.sampled_from(["csv", "hypoxia", "masimo", "sats"]),
    edits=st.lists(
        st.tuples(st.integers(0, 400), st.sampled_from(list(',"\n-0:9 .\ufeffAPM\x00é%'))),
        min_size=1,
        max_size=8,
    ),
)
def test_mutated_text_exports(workdir: Path, kind: str, edits: list[tuple[int, str]]) -> None:
    text = list(VALID_FILES[kind].decode("utf-8"))
    for pos, ch in edits:
        text[pos % len(text)] = ch
    _exercise(_write(workdir, "".join(text).encode("utf-8"), ".csv"))


VALID_HYPNOGRAMS = [
    "stage\nW\nN1\nN2\nREM\n",
    "epoch,stage\n1,0\n2,1\n3,5\n",
    "onset_s,duration_s,stage\n0,60,Wake\n60,90,Stage 2\n",
    "time,stage\n22:30:00,W\n22:30:30,N1\n23:59:30,N2\n00:00:00,R\n",
    "time,duration_s,stage\n2026-03-02 22:30:00,60,w\n2026-03-02T22:31:00,30,sleep stage 3\n",
]


@FUZZ
@given(
    kind=st.integers(0, len(VALID_HYPNOGRAMS) - 1),
    edits=st.lists(
        st.tuples(st.integers(0, 120), st.sampled_from(list(",\n-0:9 .TeE+WRN?xé"))),
        min_size=1,
        max_size=6,
    ),
)
def test_mutated_hypnograms(workdir: Path, kind: int, edits: list[tuple[int, str]]) -> None:
    text = list(VALID_HYPNOGRAMS[kind])
    for pos, ch in edits:
        text[pos % len(text)] = ch
    _exercise(_write(workdir, "".join(text).encode("utf-8"), ".csv"))
