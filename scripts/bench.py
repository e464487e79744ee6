"""Benchmarks for issue 3 (a script, not a test): prints medians and ratios.

(a) The analysis itself on 24 hours at 256 Hz (22 M samples); target < 2 s. Uses
    ``oximetry.analysis.analyze`` when it exists, else the metric functions directly.
(b) ``python -m oximetry.cli analyze FILE --no-report --out DIR`` on an 8-hour EDF at 1 Hz and
    at 25 Hz, against a bare Python process that only reads the same EDF with pyedflib;
    target: ratio <= 2.

Usage::

    python scripts/bench.py [--repeat 5] [--skip-cli] [--skip-analysis]

The machine's other load shows in wall-clock times; the script also prints CPU times for (a).
"""

from __future__ import annotations

import argparse
import datetime
import functools
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

BARE_READ = (
    "import sys, pyedflib\n"
    "f = pyedflib.EdfReader(sys.argv[1])\n"
    "data = [f.readSignal(i) for i in range(f.signals_in_file)]\n"
    "f.close()\n"
)


def one_hz_night(hours: float, seed: int, events_per_h: float) -> tuple[np.ndarray, np.ndarray]:
    """SpO2 and pulse at 1 Hz: baseline ~96 %, V-shaped dips 4-10 points, some probe-off."""
    rng = np.random.default_rng(seed)
    n = int(hours * 3600)
    x = 96.0 + rng.normal(0.0, 0.35, n)
    t = 60
    while True:
        t += int(rng.exponential(3600 / events_per_h)) + 45
        if t + 60 >= n:
            break
        depth = rng.uniform(4.0, 10.0)
        fall, rise = int(rng.uniform(12, 30)), int(rng.uniform(6, 12))
        shape = np.concatenate([np.linspace(0, depth, fall), np.linspace(depth, 0, rise)])
        x[t : t + shape.size] -= shape
    for _ in range(int(hours)):  # a probe-off minute per hour
        s = int(rng.integers(0, n - 60))
        x[s : s + 60] = np.nan
    pulse = 62.0 + rng.normal(0.0, 1.5, n)
    return x, pulse


def timed(fn: Callable[[], object], repeat: int) -> tuple[list[float], list[float], object]:
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        cpus.append(time.process_time() - c0)
        walls.append(time.perf_counter() - w0)
    return walls, cpus, out


def bench_analysis(repeat: int) -> None:
    fs = 256
    x1, pulse1 = one_hz_night(24, seed=7, events_per_h=30)
    variants = {
        # PSG systems store the oximeter's 1 Hz reading held at the EEG rate.
        "held 1 Hz values": np.repeat(np.round(x1), fs),
        # Harsher: interpolated between readings, unrounded, with sample noise.
        "interpolated + noise": np.interp(np.arange(x1.size * fs) / fs, np.arange(x1.size), x1)
        + np.random.default_rng(1).normal(0, 0.15, x1.size * fs),
    }
    analyze: Callable[..., Any] | None
    try:
        from oximetry.analysis import analyze
        from oximetry.model import Recording, Signal, SourceInfo
    except ImportError:  # before the analysis helper lands
        analyze = None
    print(f"(a) analysis of 24 h at {fs} Hz ({x1.size * fs:,} samples)")
    for name, x in variants.items():
        run: Callable[[], object]
        if analyze is not None:
            rec = Recording(
                spo2=Signal("SpO2", "%", fs, x),
                start=datetime.datetime(2026, 1, 5, 22, 0),
                source=SourceInfo(path="bench", sha256="0" * 64, format="simulated"),
                pulse=Signal("Pulse", "bpm", 1.0, pulse1),
            )
            run = functools.partial(analyze, rec)
            label = "oximetry.analysis.analyze"
        else:
            run = _metrics_only(x, fs)
            label = "oximetry.metrics (analyze not available)"
        walls, cpus, out = timed(run, repeat)
        extra = ""
        if analyze is not None:
            m = out.metrics[out.main_window]  # type: ignore[attr-defined]
            extra = f"  odi3 {m.odi3_count} odi4 {m.odi4_count} t<=88 {m.t_le88_min:.1f} min"
        print(
            f"    {name:22s} {label}: median {statistics.median(walls):.2f} s wall, "
            f"{statistics.median(cpus):.2f} s CPU, best {min(cpus):.2f} s CPU "
            f"(target < 2 s){extra}"
        )
    if analyze is not None:  # where the time goes, in the harder case
        print("      parts of analyze, interpolated + noise:")
        _parts(variants["interpolated + noise"], fs, repeat, pulse1)


def _metrics_only(x: np.ndarray, fs: float) -> Callable[[], object]:
    from oximetry.metrics import awake_baseline, summarize_window
    from oximetry.metrics.odi import detect_desaturations
    from oximetry.settings import OdiSettings

    def run() -> object:
        valid = np.isfinite(x) & (x >= 50) & (x <= 100)
        w = np.ones(x.size, bool)
        base = awake_baseline(x, valid & (np.cumsum(valid) <= 300 * fs))
        e3 = detect_desaturations(x, valid, fs, 3, OdiSettings())
        e4 = detect_desaturations(x, valid, fs, 4, OdiSettings())
        return summarize_window(
            x, valid, w, fs, kind="presumed_sleep", awake_baseline_pct=base,
            awake_baseline_source="first_300s_valid", odi3_events=e3, odi4_events=e4,
            drop_pts=5, sustained_min_s=300,
        )  # fmt: skip

    return run


def _parts(x: np.ndarray, fs: float, repeat: int, pulse: np.ndarray) -> None:
    from oximetry.artifact import detect_artifacts
    from oximetry.metrics import summarize_window
    from oximetry.metrics.odi import detect_desaturations, detect_desaturations_at
    from oximetry.model import Recording, Signal, SourceInfo
    from oximetry.settings import OdiSettings

    rec = Recording(
        spo2=Signal("SpO2", "%", fs, x),
        start=datetime.datetime(2026, 1, 5, 22, 0),
        source=SourceInfo(path="bench", sha256="0" * 64, format="simulated"),
        pulse=Signal("Pulse", "bpm", 1.0, pulse),
    )
    valid = detect_artifacts(rec).valid
    w = np.ones(x.size, bool)
    parts = {
        "artifact rules": lambda: detect_artifacts(rec),
        "ODI3 detector": lambda: detect_desaturations(x, valid, fs, 3, OdiSettings()),
        "ODI4 detector": lambda: detect_desaturations(x, valid, fs, 4, OdiSettings()),
        "ODI3 + ODI4": lambda: detect_desaturations_at(x, valid, fs, (3, 4), OdiSettings()),
        "window figures": lambda: summarize_window(
            x,
            valid,
            w,
            fs,
            kind="presumed_sleep",
            awake_baseline_pct=96.0,
            awake_baseline_source="x",
            odi3_events=(),
            odi4_events=(),
            drop_pts=5,
            sustained_min_s=300,
        ),
    }
    for name, fn in parts.items():
        walls, cpus, _ = timed(fn, repeat)
        print(
            f"      part: {name:15s} median {statistics.median(walls):.3f} s wall, "
            f"{statistics.median(cpus):.3f} s CPU, best {min(cpus):.3f} s CPU"
        )


def write_edf(path: Path, fs: float, hours: float) -> None:
    import pyedflib
    from pyedflib import highlevel

    x1, pulse1 = one_hz_night(hours, seed=11, events_per_h=20)
    n = int(hours * 3600 * fs)
    t = np.arange(n) / fs
    spo2 = np.interp(t, np.arange(x1.size), np.nan_to_num(x1, nan=0.0))
    spo2 = np.clip(np.round(spo2), 0, 100)
    pulse = np.round(np.interp(t, np.arange(pulse1.size), pulse1))
    headers = [
        highlevel.make_signal_header(
            "SpO2", dimension="%", sample_frequency=fs, physical_min=0, physical_max=100,
            digital_min=0, digital_max=1000,
        ),
        highlevel.make_signal_header(
            "Pulse", dimension="bpm", sample_frequency=fs, physical_min=0, physical_max=300,
            digital_min=0, digital_max=3000,
        ),
    ]  # fmt: skip
    header = highlevel.make_header(technician="bench")
    with warnings.catch_warnings():  # pyedflib comments on the 0 % (missing) samples
        warnings.simplefilter("ignore")
        ok = highlevel.write_edf(
            str(path), [spo2, pulse], headers, header, file_type=pyedflib.FILETYPE_EDFPLUS
        )
    if not ok:
        raise SystemExit(f"could not write {path}")


def bench_cli(repeat: int) -> None:
    print("(b) `oxi analyze --no-report` vs a bare pyedflib read, 8-hour EDF")
    _compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        for fs in (1.0, 25.0):
            edf = Path(tmp) / f"night_{fs:g}hz.edf"
            write_edf(edf, fs, 8.0)
            bare = [sys.executable, "-c", BARE_READ, str(edf)]
            cli = [
                sys.executable, "-m", "oximetry.cli", "analyze", str(edf), "--no-report",
                "--out", str(Path(tmp) / f"out_{fs:g}"),
            ]  # fmt: skip
            probe = subprocess.run(cli, capture_output=True, text=True, env=_ENV)
            if probe.returncode != 0:
                print(f"    {fs:g} Hz: the CLI failed (exit {probe.returncode}): "
                      f"{(probe.stderr or probe.stdout).strip().splitlines()[-1:]}")  # fmt: skip
                continue
            t_bare, t_cli, c_bare, c_cli = _run_times_paired(bare, cli, repeat)
            med = statistics.median
            paired = med(c / b for b, c in zip(t_bare, t_cli, strict=True))
            print(
                f"    {fs:>4g} Hz ({edf.stat().st_size / 1e6:.1f} MB): bare read median "
                f"{med(t_bare):.2f} s, oxi analyze --no-report median {med(t_cli):.2f} s, "
                f"ratio {med(t_cli) / med(t_bare):.2f} (target <= 2; best-of ratio "
                f"{min(t_cli) / min(t_bare):.2f}, median of paired ratios {paired:.2f}); "
                f"CPU {med(c_bare):.2f} s vs {med(c_cli):.2f} s, ratio {med(c_cli) / med(c_bare):.2f}"
            )


# A user's `pip install` compiles the package to bytecode; PYTHONDONTWRITEBYTECODE (set on some
# development machines) would make every timed run recompile oxi from source instead.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _compile_package() -> None:
    import compileall

    root = Path(__file__).resolve().parents[1]
    for pkg in ("oximetry", "criteria"):
        compileall.compile_dir(root / pkg, quiet=1)


def _run_times_paired(
    a: list[str], b: list[str], repeat: int
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Wall and CPU times (user + system) of ``a`` and ``b``, run alternately so that the
    machine's other load (which drifts on a shared machine) weighs on both alike; one untimed
    run of each first."""
    wall: tuple[list[float], list[float]] = ([], [])
    cpu: tuple[list[float], list[float]] = ([], [])
    for r in range(repeat + 1):
        for j, cmd in enumerate((a, b)):
            u0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, env=_ENV)
            t1 = time.perf_counter()
            u1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            if r:
                wall[j].append(t1 - t0)
                cpu[j].append(u1.ru_utime - u0.ru_utime + u1.ru_stime - u0.ru_stime)
    return wall[0], wall[1], cpu[0], cpu[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-cli", action="store_true")
    ap.add_argument("--skip-analysis", action="store_true")
    args = ap.parse_args()
    if not args.skip_analysis:
        bench_analysis(args.repeat)
    if not args.skip_cli:
        bench_cli(args.repeat)


if __name__ == "__main__":
    main()
