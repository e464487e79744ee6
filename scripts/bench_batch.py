"""Benchmark ``oxi batch`` against one ``oxi analyze`` process per file.

Makes N simulated 8-hour nights per sampling rate (EDF+, 1 Hz and 25 Hz by default) in a
temporary folder, then times, as the user would run them (wall clock, whole commands):

- ``oxi batch DIR --no-report --jobs 1`` (serial, one process),
- ``oxi batch DIR --no-report`` with every core,
- the loop ``for f in DIR/*.edf: oxi analyze f --no-report`` (one Python start-up per file).

Each is run ``--runs`` times (``--force`` so nothing is skipped); the median is reported with
recordings per second and the speed-up of the batch over the loop.

    python scripts/bench_batch.py --n 8 --runs 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _oxi() -> list[str]:
    exe = shutil.which("oxi")
    return [exe] if exe else [sys.executable, "-m", "oxi"]


def make_nights(folder: Path, n: int, fs: float, hours: float) -> list[Path]:
    from oximetry.simulate import simulate_night, write_edf

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        rec, _ = simulate_night(
            fs=fs,
            duration_s=hours * 3600.0,
            seed=1000 + i,
            desaturations=40 + 10 * (i % 16),  # at most 190: room for 224 in 8 h
            sustained_drops=[(3600.0 * (1 + i % 3), 600.0, 86.0)],
            stages=bool(i % 2),
            noise_pts=0.4,
        )
        paths.append(write_edf(rec, folder / f"night{i:03d}.edf"))
    return paths


# Users' Pythons cache compiled modules; do the same here even if this shell turned it off.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time(cmds: list[list[str]]) -> float:
    t0 = time.perf_counter()
    for cmd in cmds:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=_ENV)
        if proc.returncode != 0:
            raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return time.perf_counter() - t0


def bench(folder: Path, out: Path, files: list[Path], runs: int, cores: int) -> dict[str, float]:
    oxi = _oxi()
    batch = [*oxi, "batch", str(folder), "--no-report", "--quiet", "--force", "--out"]
    plans = {
        "batch --jobs 1": [[*batch, str(out / "b1"), "--jobs", "1"]],
        f"batch --jobs {cores}": [[*batch, str(out / "bn"), "--jobs", str(cores)]],
        "loop of oxi analyze": [
            [*oxi, "analyze", str(f), "--no-report", "--out", str(out / "loop" / f.stem)]
            for f in files
        ],
    }
    _time([plans["batch --jobs 1"][0], plans["loop of oxi analyze"][0]])  # warm caches
    medians = {}
    for name, cmds in plans.items():
        times = [_time(cmds) for _ in range(runs)]
        medians[name] = statistics.median(times)
        print(
            f"  {name:<22} median {medians[name]:7.2f} s over {runs} runs "
            f"({', '.join(f'{t:.2f}' for t in times)}) -> {len(files) / medians[name]:6.2f} rec/s",
            flush=True,
        )
    return medians


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=8, help="nights per rate (default 8)")
    ap.add_argument("--runs", type=int, default=3, help="runs per command (default 3)")
    ap.add_argument("--rates", type=float, nargs="+", default=[1.0, 25.0], help="Hz")
    ap.add_argument("--hours", type=float, default=8.0)
    ap.add_argument("--jobs", type=int, default=None, help="cores for the parallel batch")
    args = ap.parse_args()
    cores = args.jobs or len(os.sched_getaffinity(0))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"oxi batch benchmark: {args.n} nights of {args.hours:g} h per rate, {cores} cores "
        f"(load average before: {load:.2f})"
    )
    with tempfile.TemporaryDirectory(prefix="oxi-bench-") as tmp:
        for fs in args.rates:
            folder = Path(tmp) / f"in_{fs:g}hz"
            files = make_nights(folder, args.n, fs, args.hours)
            size_mb = sum(f.stat().st_size for f in files) / 1e6
            print(f"{fs:g} Hz: {len(files)} EDF files, {size_mb:.1f} MB")
            m = bench(folder, Path(tmp) / f"out_{fs:g}hz", files, args.runs, cores)
            loop = m["loop of oxi analyze"]
            print(
                f"  speed-up over the loop: batch --jobs {cores} "
                f"{loop / m[f'batch --jobs {cores}']:.2f}x, batch --jobs 1 "
                f"{loop / m['batch --jobs 1']:.2f}x"
            )


if __name__ == "__main__":
    main()
