"""WFDB records: a signal file that is not its header's is refused by the header's checksums.

A WFDB record is a header (``night.hea``: rate, gain, start date, a checksum per signal) and a
signal file (``night.dat``: the samples). A forged ``night.dat`` (20 min at 86 % instead of 2)
beside the genuine header was read without a word, though the header's SpO2 checksum no longer
matched. The records are written here byte by byte (format 16), so every sample and checksum is
known.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pytest

from oxi.cli import main
from oximetry.errors import RecordingFormatError
from oximetry.io import read_recording
from oximetry.simulate import simulate_night

START = dt.datetime(2026, 11, 20, 22, 30)
DROP_AT_S = 3600.0


def _digital(minutes_at_86: float) -> np.ndarray:
    """SpO2 (0.1 % units) and pulse (0.1 bpm) of a 2-h night with one drop to 86 %."""
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=2 * 3600,
        seed=8,
        baseline_pct=94.0,
        noise_pts=0.6,
        sustained_drops=[(DROP_AT_S, 60.0 * minutes_at_86, 86.0)],
        start=START,
    )
    spo2 = np.round(np.nan_to_num(rec.spo2.data, nan=-3276.8) * 10)
    return np.column_stack([spo2, np.full_like(spo2, 620.0)]).astype("<i2")


def _checksums(samples: np.ndarray) -> list[int]:
    """The WFDB checksum of each signal: the 16-bit sum of its samples, signed."""
    sums = [int(s) % 65536 for s in samples.astype(np.int64).sum(axis=0)]
    return [s - 65536 if s > 32767 else s for s in sums]


def _write(
    folder: Path,
    samples: np.ndarray,
    gain: str = "10",
    checksums: bool = True,
    name: str = "night",
    start: dt.datetime = START,
) -> Path:
    """Write ``NAME.hea`` and ``NAME.dat`` into ``folder``; return the header."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.dat").write_bytes(samples.tobytes())
    cs = _checksums(samples)
    tail = [f"{int(samples[0, k])} {cs[k]} 0" if checksums else "" for k in range(2)]
    lines = [
        f"{name} 2 1 {len(samples)} {start:%H:%M:%S} {start:%d/%m/%Y}",
        f"{name}.dat 16 {gain}(0)/% 16 0 {tail[0]} SpO2".rstrip(),
        f"{name}.dat 16 10(0)/bpm 16 0 {tail[1]} PULSE".rstrip(),
    ]
    (folder / f"{name}.hea").write_text("\n".join(lines) + "\n", encoding="ascii")
    return folder / f"{name}.hea"


@pytest.fixture()
def genuine(tmp_path: Path) -> Path:
    return _write(tmp_path / "genuine", _digital(2.0))


def test_a_signal_file_that_does_not_match_its_header_s_checksum_is_refused(
    genuine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    want = _checksums(_digital(2.0))
    forged = _write(tmp_path / "forged", _digital(20.0))
    shutil.copy(genuine, forged)
    got = _checksums(_digital(20.0))
    assert got[0] != want[0] and got[1] == want[1]  # the pulse is the genuine one
    with pytest.raises(RecordingFormatError) as exc:
        read_recording(forged.with_suffix(".dat"))
    assert exc.value.path == str(forged.with_suffix(".dat"))
    assert f"header says {want[0]}, the samples sum to {got[0]}" in str(exc.value)
    code = main(["analyze", str(forged), "--no-report", "--out", str(tmp_path / "o")])
    assert code == 2
    err = capsys.readouterr().err
    assert str(forged) in err and "checksum" in err and "SpO2" in err


def test_a_header_without_checksums_is_read(tmp_path: Path) -> None:
    samples = _digital(2.0)
    rec = read_recording(_write(tmp_path / "plain", samples, checksums=False))
    np.testing.assert_array_equal(rec.spo2.data, samples[:, 0] / 10)
