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


def _native_files() -> dict[str, bytes]:
    """Small valid files of each native binary format, written from a simulated night."""
    import datetime as dt

    from oximetry.simulate import simulate_night
    from oximetry.simulate_native import write_contec, write_medview, write_o2ring_s, write_viatom

    start = dt.datetime(2026, 3, 1, 23, 0, 0)
    one, _ = simulate_night(fs=1.0, duration_s=40, seed=1, gaps=[(10.0, 5.0)], start=start)
    four, _ = simulate_night(fs=0.25, duration_s=80, seed=1, gaps=[(20.0, 8.0)], start=start)
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        files = {
            "contec": write_contec(one, folder / "c.SpO2"),
            "contec4": write_contec(one, folder / "c4.SpO2", record_bytes=4),
            "viatom3": write_viatom(four, folder / "v3", duplicate=True),
            "viatom5": write_viatom(four, folder / "v5", version=5),
            "o2rings": write_o2ring_s(one, folder),
            "medview": write_medview(one, folder / "m.dat"),
        }
        return {k: p.read_bytes() for k, p in files.items()}


NATIVE_FILES = _native_files()
VALID_FILES = {
    **NATIVE_FILES,
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


@FUZZ
@given(
    kind=st.sampled_from(sorted(NATIVE_FILES)),
    edits=st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 255)), min_size=1, max_size=6),
    header_only=st.booleans(),
)
def test_mutated_native_files(
    workdir: Path, kind: str, edits: list[tuple[int, int]], header_only: bool
) -> None:
    """Oracle: our exception or a result, whatever bytes of a native file change."""
    data = bytearray(NATIVE_FILES[kind])
    for pos, value in edits:
        data[pos % (min(len(data), 64) if header_only else len(data))] = value
    _exercise(_write(workdir, bytes(data), ".dat" if kind == "medview" else ""))


#: The checksums (7th field) are the samples' sums, so that an unmutated record is read.
WFDB_HEADER = (
    "rec 2 1 6\nrec.dat 16 10/% 16 0 950 4755 0 SpO2\nrec.dat 16 1/bpm 16 0 60 302 0 Pulse\n"
)


@FUZZ
@given(
    edits=st.lists(
        st.tuples(st.integers(0, 200), st.sampled_from(list("0123456789 ./%#x+-\nabc"))),
        min_size=1,
        max_size=6,
    ),
    cut=st.integers(0, 24),
)
def test_mutated_wfdb_records(workdir: Path, edits: list[tuple[int, str]], cut: int) -> None:
    """Oracle: our exception or a result, for a mutated WFDB header and a cut signal file."""
    folder = workdir / f"w{next(_counter)}"
    folder.mkdir()
    samples = np.array([[950, 60], [940, 61], [0, 0], [960, 62], [955, 60], [950, 59]], "<i2")
    (folder / "rec.dat").write_bytes(samples.tobytes()[: 24 - cut])
    text = list(WFDB_HEADER)
    for pos, ch in edits:
        text[pos % len(text)] = ch
    (folder / "rec.hea").write_text("".join(text), encoding="ascii")
    _exercise(folder / "rec.hea")
    _exercise(folder / "rec.dat")


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


VALID_XML = [
    "<PSGAnnotation><EpochLength>30</EpochLength><ScoredEvents><ScoredEvent><EventType/>"
    "<EventConcept>Recording Start Time</EventConcept><Start>0</Start><Duration>60</Duration>"
    "<ClockTime>00.00.00 22.30.00</ClockTime></ScoredEvent><ScoredEvent><EventType>Stages|Stages"
    "</EventType><EventConcept>Wake|0</EventConcept><Start>0</Start><Duration>30</Duration>"
    "</ScoredEvent><ScoredEvent><EventType>Respiratory|Respiratory</EventType><EventConcept>"
    "SpO2 desaturation|SpO2 desaturation</EventConcept><Start>12</Start><Duration>20</Duration>"
    "<SpO2Nadir>88</SpO2Nadir><SpO2Baseline>94</SpO2Baseline></ScoredEvent></ScoredEvents>"
    "</PSGAnnotation>",
    "<CMPStudyConfig><EpochLength>30</EpochLength><ScoredEvents><ScoredEvent><Name>SpO2 "
    "desaturation</Name><Start>12</Start><Duration>20</Duration><LowestSpO2>88</LowestSpO2>"
    "<Desaturation>4</Desaturation></ScoredEvent></ScoredEvents><SleepStages><SleepStage>0"
    "</SleepStage><SleepStage>5</SleepStage></SleepStages></CMPStudyConfig>",
]


@FUZZ
@given(
    kind=st.integers(0, len(VALID_XML) - 1),
    edits=st.lists(
        st.tuples(st.integers(0, 700), st.sampled_from(list("<>/!&;0159.-e x|\x00é"))),
        min_size=1,
        max_size=6,
    ),
)
def test_mutated_xml_annotations(workdir: Path, kind: int, edits: list[tuple[int, str]]) -> None:
    """Oracle: our exception or a result, whatever characters of an annotation file change."""
    import datetime as dt

    from oximetry.io.nsrr_xml import read_xml_annotations

    text = list(VALID_XML[kind])
    for pos, ch in edits:
        text[pos % len(text)] = ch
    path = _write(workdir, "".join(text).encode("utf-8"), ".xml")
    try:
        read_xml_annotations(path, start=dt.datetime(2026, 3, 2, 22, 30))
    except OximetryError as exc:
        assert str(exc).startswith(str(path)) and "\n" not in str(exc)
