"""``--fs`` and ``--scale`` are recorded exactly as applied, so a genuine set verifies (hunt 9).

``build_summary`` rounded the whole summary to 6 decimals, the reading options with it:
``--fs 0.3333333`` was recorded 0.333333 and ``oxi verify`` re-read the night at another rate
(exit 1, 68 differences). ``--scale 0.999999998`` passed as a power of ten (within 1e-9 in
log10) and was recorded as 1.0, but applied as typed: an ODI4 event of 759 s read 768 s.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from oxi.cli import main
from oximetry.io import read_recording
from oximetry.simulate import simulate_night

EDF = Path(__file__).resolve().parents[1] / "data" / "example-night.edf"


def _sats_rate(path: Path) -> Path:
    """A Masimo-style ``Sats,Rate`` export (no time stamps): one row per sample."""
    rec, _ = simulate_night(
        fs=1.0, duration_s=3600, seed=3, sustained_drops=[(1200.0, 600.0, 85.0)]
    )
    rows = [f"{s:.0f},{p:.0f}" for s, p in zip(rec.spo2.data, rec.pulse.data, strict=True)]
    path.write_text("Sats,Rate\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("fs", ["0.3333333", "0.12345678901"])
def test_an_fs_of_more_than_six_decimals_is_recorded_as_typed_and_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fs: str
) -> None:
    rec = _sats_rate(tmp_path / "night.txt")
    out = tmp_path / "out"
    assert main(["analyze", str(rec), "--fs", fs, "--no-report", "--out", str(out)]) == 0
    s = json.loads((out / "summary.json").read_text())
    assert s["input"]["read_options"]["fs"] == float(fs)
    # 3600 rows, one every 1/fs s
    assert s["recording"]["duration_min"] == round(3600 / float(fs) / 60, 6)
    capsys.readouterr()
    assert main(["verify", str(out / "summary.json"), str(rec)]) == 0, capsys.readouterr().out


def test_an_ignored_fs_is_recorded_as_typed_and_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The EDF gives its own rate: ``fs_ignored`` was rounded too, and the repeated warning
    (``--fs 0.333333 ignored``) is the same either way, but the value passed again was not."""
    out = tmp_path / "out"
    assert main(["analyze", str(EDF), "--fs", "0.3333333", "--no-report", "--out", str(out)]) == 0
    s = json.loads((out / "summary.json").read_text())
    assert s["input"]["read_options"] == {"channel": None, "fs": None, "fs_ignored": 0.3333333,
                                          "scale": None}  # fmt: skip
    capsys.readouterr()
    assert main(["verify", str(out / "summary.json"), str(EDF)]) == 0, capsys.readouterr().out


@pytest.mark.parametrize(("typed", "power"), [(0.999999998, 1.0), (100.00000001, 100.0)])
def test_a_scale_is_applied_as_the_power_of_ten_it_stands_for(typed: float, power: float) -> None:
    """Multiplying by the power itself is the ground truth: the same samples, and the scale
    recorded is the power."""
    got = read_recording(EDF, scale=typed)
    want = read_recording(EDF, scale=power)
    assert got.source.read_options["scale"] == power
    np.testing.assert_array_equal(got.spo2.data, want.spo2.data)
    unscaled = read_recording(EDF)
    np.testing.assert_array_equal(want.spo2.data, unscaled.spo2.data * power)


def test_a_scale_near_one_gives_the_figures_of_scale_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The hunter's case through the command: events.csv and every figure are those of
    ``--scale 1``, and the set verifies."""
    outs = {}
    for k in ("1", "0.999999998"):
        outs[k] = tmp_path / k
        assert main(["analyze", str(EDF), "--scale", k, "--no-report", "--out", str(outs[k])]) == 0
    a, b = (json.loads((outs[k] / "summary.json").read_text()) for k in ("1", "0.999999998"))
    assert b["input"]["read_options"]["scale"] == 1.0
    assert a == b
    assert (outs["1"] / "events.csv").read_bytes() == (
        outs["0.999999998"] / "events.csv"
    ).read_bytes()
    capsys.readouterr()
    assert main(["verify", str(outs["0.999999998"] / "summary.json"), str(EDF)]) == 0
