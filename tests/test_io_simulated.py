"""Round trips through the simulator's writers: what it writes, the readers give back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from oximetry.io import read_recording
from oximetry.model import Recording

simulate = pytest.importorskip("oximetry.simulate")


def _night() -> Recording:
    rec: Recording
    rec, _ = simulate.simulate_night(
        fs=1.0,
        duration_s=3600,
        seed=7,
        desaturations=4,
        gaps=[(300.0, 360.0)],
        stages=True,
        status=True,
    )
    return rec


def test_edf_round_trip(tmp_path: Path) -> None:
    orig = _night()
    path = simulate.write_edf(orig, tmp_path / "sim.edf")
    rec = read_recording(path)
    assert rec.fs == orig.fs and rec.start == orig.start
    x, y = orig.spo2.data, rec.spo2.data
    assert y.size == x.size
    np.testing.assert_array_equal(np.isnan(y), np.isnan(x))
    np.testing.assert_allclose(y[~np.isnan(y)], x[~np.isnan(x)], atol=0.01)
    assert [(a.onset_s, a.text) for a in rec.annotations] == [
        (a.onset_s, a.text) for a in orig.annotations
    ]
    assert rec.status is not None and rec.pulse is not None


@pytest.mark.parametrize(("flavor", "omit"), [("generic", False), ("o2ring", True)])
def test_csv_round_trip(tmp_path: Path, flavor: str, omit: bool) -> None:
    orig = _night()
    path = simulate.write_csv(orig, tmp_path / f"sim-{flavor}.csv", flavor, omit_missing=omit)
    rec = read_recording(path)
    assert rec.fs == orig.fs and rec.start == orig.start
    x, y = orig.spo2.data, rec.spo2.data
    # a gap at the very end cannot be seen in a file that leaves missing rows out
    assert y.size == x.size
    np.testing.assert_array_equal(np.isnan(y), np.isnan(x))
    np.testing.assert_allclose(y[~np.isnan(y)], x[~np.isnan(x)])
