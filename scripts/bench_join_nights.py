"""What ``oxi batch --join-nights`` costs: the grouping reads every file once more.

Makes N simulated 8-hour nights (EDF+ at ``--fs``), each cut into two files with a 20-minute
pause and the subject's code in both, each night in its own folder, then times (wall clock,
whole commands, medians of ``--runs``, ``--force`` so nothing is skipped):

- ``oxi batch DIR --no-report`` (every file a row),
- ``oxi batch DIR --no-report --join-nights`` (one row per night).

    python scripts/bench_join_nights.py --n 8 --runs 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path


def make_split_nights(folder: Path, n: int, fs: float) -> int:
    from oximetry.model import PatientInfo
    from oximetry.simulate import simulate_night, write_edf

    half = round(4 * 3600 * fs)
    pause = round(20 * 60 * fs)
    for i in range(n):
        rec, _ = simulate_night(
            fs=fs, duration_s=8 * 3600.0, seed=2000 + i, desaturations=60, noise_pts=0.4
        )
        sub = folder / f"subject{i:03d}"
        sub.mkdir(parents=True)
        for k, (a, b) in enumerate(((0, half), (half + pause, rec.spo2.n_samples))):
            piece = replace(
                rec,
                spo2=replace(rec.spo2, data=rec.spo2.data[a:b].copy()),
                pulse=None,
                start=rec.start + dt.timedelta(seconds=a / fs),
                annotations=(),
                # one subject's code in both files: without an identifier, files 20 min apart
                # are not joined (two patients' exports may be; docs/batch.md)
                patient=PatientInfo(code=f"S{i:03d}"),
            )
            write_edf(piece, sub / f"part{k}.edf")
    return 2 * n


def _median_s(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=8, help="nights (two files each)")
    ap.add_argument("--fs", type=float, default=1.0, help="SpO2 rate (Hz)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data, out = Path(tmp) / "data", Path(tmp) / "out"
        n_files = make_split_nights(data, args.n, args.fs)
        base = [sys.executable, "-m", "oxi", "batch", str(data), "--no-report", "--force"]
        plain = _median_s([*base, "--out", str(out / "plain")], args.runs)
        joined = _median_s([*base, "--out", str(out / "joined"), "--join-nights"], args.runs)
    print(f"{args.n} nights in {n_files} files at {args.fs:g} Hz, medians of {args.runs} runs:")
    print(f"  oxi batch --no-report               {plain:6.2f} s ({n_files} rows)")
    print(f"  oxi batch --no-report --join-nights {joined:6.2f} s ({args.n} rows)")


if __name__ == "__main__":
    main()
