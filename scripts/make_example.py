"""Write ``data/example-night.edf``: a synthetic 8-hour night for the README's Quick start.

The night is simulated (``oximetry.simulate``), so it holds no patient data and its content is
known: a staged night at 1 Hz with a 95 % baseline, 60 transient desaturations, one 12-minute
plateau at 86 % during N3 sleep (a qualifying pattern: at least 5 minutes at or below 88 % and a
sustained fall of more than 5 points below the awake baseline), a probe-off span, a displaced
probe and pulse rate. Re-running the script writes the same file.

Usage: ``python scripts/make_example.py [OUTPUT]``
"""

from __future__ import annotations

import sys
from pathlib import Path

from oximetry.model import Annotation
from oximetry.simulate import Artifact, SustainedDrop, simulate_night, write_edf

SEED = 20260105
OUT = Path(__file__).resolve().parents[1] / "data" / "example-night.edf"


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUT
    rec, truth = simulate_night(
        fs=1.0,
        duration_s=8 * 3600,
        seed=SEED,
        baseline_pct=95.0,
        desaturations=60,
        sustained_drops=[SustainedDrop(7800.0, 720.0, 86.0, ramp_s=40.0)],
        artifacts=[Artifact(16000.0, 90.0, "nan"), Artifact(21000.0, 20.0, "fall")],
        stages=True,
        noise_pts=0.4,
        lights_s=(0.0, 8 * 3600 - 60.0),
        annotations=[Annotation(9000.0, 18.0, "Obstructive apnea")],
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    write_edf(rec, out)
    print(
        f"wrote {out} ({out.stat().st_size // 1024} KiB): {rec.duration_s / 3600:.1f} h at "
        f"{rec.fs:g} Hz, {len(truth.desaturations)} desaturations, "
        f"{truth.time_at_or_below_s(88) / 60:.1f} min at or below 88 % (whole night)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
