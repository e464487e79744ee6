"""Speed benchmarks (a script, not a test): prints medians and ratios against the targets.

(a) In-process analysis of an 8-hour night, warm (one untimed call first), reading excluded:
    ``oximetry.analyze`` on the recording read from an 8-hour EDF; target <= 15 ms at 1 Hz and
    <= 60 ms at 25 Hz. The parts of ``analyze`` are timed too, and the same night scored as a
    PSG (a stage every epoch, 40 events an hour).
(b) ``oxi batch`` of N 8-hour 1 Hz nights without reports on the given cores (default: 1,000
    nights, 2 cores); target >= 30 nights/s. ``--batch-n`` makes quick runs smaller.
(c) A 7-day 25 Hz recording through ``oxi analyze`` with the report (PDF, PNG): wall time and
    peak resident memory of the process; target < 10 s and < 1.5 GB.
(d) A gate, not a goal: whole-process ``oxi analyze --no-report`` against a bare process that
    only reads the same EDF with pyedflib, 8 hours at 1 and 25 Hz; ratio <= 2.

Usage::

    python scripts/bench.py [--repeat 15] [--batch-n 1000] [--skip a,b,c,d]

Wall-clock times on a shared machine move with its other load; CPU times are printed beside
them.
"""

from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

BARE_READ = (
    "import sys, pyedflib\n"
    "f = pyedflib.EdfReader(sys.argv[1])\n"
    "data = [f.readSignal(i) for i in range(f.signals_in_file)]\n"
    "f.close()\n"
)

# A user's `pip install` compiles the package to bytecode; PYTHONDONTWRITEBYTECODE (set on some
# development machines) would make every timed run recompile oxi from source instead.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
_ENV["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), _ENV.get("PYTHONPATH")]))


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


def write_edf(path: Path, fs: float, hours: float, seed: int = 11) -> None:
    """An EDF+ of ``hours`` with SpO2 and pulse at ``fs`` (whole percents, 0 = probe off)."""
    import pyedflib
    from pyedflib import highlevel

    x1, pulse1 = one_hz_night(hours, seed=seed, events_per_h=20)
    n = int(hours * 3600 * fs)
    t = np.arange(n) / fs
    # Interpolated between the values an oximeter gave, 0 % (its probe off) through each missing
    # second: interpolated into the 0 itself, each probe-off minute began with a ramp from 96 to
    # 50 % in half a second, valid data no oximeter writes (levels in doubt since hunt 10)
    seen = np.isfinite(x1)
    spo2 = np.interp(t, np.flatnonzero(seen), x1[seen])
    spo2[~seen[np.minimum(t.astype(np.int64), x1.size - 1)]] = 0.0
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


def timed(fn: Callable[[], object], repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``repeat`` calls, after one untimed call."""
    fn()
    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - c0)
        walls.append(time.perf_counter() - w0)
    return walls, cpus


def _ms(walls: list[float], cpus: list[float]) -> str:
    med = statistics.median
    return (
        f"median {1e3 * med(walls):6.1f} ms wall, {1e3 * med(cpus):6.1f} ms CPU, "
        f"best {1e3 * min(walls):6.1f} ms wall"
    )


def bench_analysis(tmp: Path, repeat: int) -> None:
    """(a) analyze() on 8-hour nights read from EDF, warm, reading excluded."""
    from oximetry import analyze, read_recording

    print("(a) analysis of an 8-hour night in one warm process, reading excluded")
    for fs, target_ms in ((1.0, 15.0), (25.0, 60.0)):
        edf = tmp / f"night8h_{fs:g}hz.edf"
        write_edf(edf, fs, 8.0)
        rec = read_recording(edf)
        walls, cpus = timed(lambda rec=rec: analyze(rec), repeat)
        med = 1e3 * statistics.median(walls)
        out = analyze(rec)
        m = out.metrics[out.main_window]
        print(
            f"    {fs:>4g} Hz ({rec.spo2.n_samples:,} samples): analyze {_ms(walls, cpus)}; "
            f"target <= {target_ms:g} ms: {'met' if med <= target_ms else 'MISSED'} "
            f"(ratio {med / target_ms:.2f}); odi3 {m.odi3_count} odi4 {m.odi4_count}"
        )
        parts = _parts(rec)
        for name, fn in parts.items():
            pw, pc = timed(fn, repeat)
            print(f"          part: {name:15s} {_ms(pw, pc)}")
        scored = _scored(rec)
        walls, cpus = timed(lambda rec=scored: analyze(rec), repeat)
        print(
            f"          the same night scored as a PSG ({len(scored.annotations):,} annotations: "
            f"stages, events, lights): analyze {_ms(walls, cpus)}"
        )


def _scored(rec: Any) -> Any:
    """``rec`` with a PSG's annotations: a stage every 30-s epoch, 40 events an hour, lights."""
    import dataclasses

    from oximetry.model import Annotation

    hours = rec.spo2.n_samples / rec.fs / 3600
    stages = ("W", "N1", "N2", "N2", "N3", "N2", "R", "N2")
    events = ("Obstructive Apnea", "Hypopnea", "SpO2 desaturation", "Arousal", "Limb Movement")
    anns = [
        Annotation(30.0 * i, 30.0, f"Sleep stage {stages[(i // 20) % len(stages)]}")
        for i in range(int(hours * 120))
    ]
    anns += [
        Annotation(90.0 * i + 15.0, 12.0, events[i % len(events)]) for i in range(int(hours * 40))
    ]
    anns += [Annotation(0.0, 0.0, "Lights off"), Annotation(hours * 3600 - 60.0, 0.0, "Lights on")]
    return dataclasses.replace(rec, annotations=tuple(sorted(anns, key=lambda a: a.onset_s)))


def _parts(rec: Any) -> dict[str, Callable[[], object]]:
    """The steps of ``analyze``, each callable alone on the recording."""
    from oximetry.artifact import detect_artifacts
    from oximetry.metrics import summarize_window
    from oximetry.metrics.odi import detect_desaturations_at
    from oximetry.settings import AnalysisSettings
    from oximetry.windows import build_windows, window_mask

    st = AnalysisSettings()
    valid = detect_artifacts(rec, st.artifact).valid
    x, fs = rec.spo2.data, rec.fs
    w = window_mask(build_windows(rec, st, valid).windows[0], x.size, fs)
    return {
        "artifact rules": lambda: detect_artifacts(rec, st.artifact),
        "windows": lambda: build_windows(rec, st, valid),
        "ODI3 + ODI4": lambda: detect_desaturations_at(x, valid, fs, (3, 4), st.odi),
        "window figures": lambda: summarize_window(
            x, valid, w, fs, kind="presumed_sleep", awake_baseline_pct=96.0,
            awake_baseline_source="x", odi3_events=(), odi4_events=(), drop_pts=5,
            sustained_min_s=300,
        ),
    }  # fmt: skip


def _oxi() -> list[str]:
    return [sys.executable, "-m", "oxi"]


def bench_batch(tmp: Path, n: int, jobs: int, runs: int) -> None:
    """(b) oxi batch of n 8-hour 1 Hz nights without reports."""
    from bench_batch import make_nights

    print(f"(b) `oxi batch --no-report --jobs {jobs}` of {n:,} 8-hour 1 Hz nights")
    t0 = time.perf_counter()
    folder = tmp / "batch_in"
    make_nights(folder, n, 1.0, 8.0)
    print(f"    ({n:,} EDF files made in {time.perf_counter() - t0:.0f} s)", flush=True)
    cmd = [
        *_oxi(), "batch", str(folder), "--no-report", "--quiet", "--force", "--jobs", str(jobs),
        "--out", str(tmp / "batch_out"),
    ]  # fmt: skip
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=_ENV, check=False)
        times.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            raise SystemExit(f"oxi batch failed ({proc.returncode}): {proc.stderr[-2000:]}")
    med = statistics.median(times)
    print(
        f"    median {med:.1f} s over {runs} runs ({', '.join(f'{t:.1f}' for t in times)}) -> "
        f"{n / med:.1f} nights/s; target >= 30: {'met' if n / med >= 30 else 'MISSED'}"
    )


_PEAK = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "t = time.perf_counter() - t\n"
    "sys.stderr.write(p.stderr[-2000:])\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(p.returncode, t, u.ru_utime + u.ru_stime, u.ru_maxrss)\n"
)


def bench_week(tmp: Path, runs: int) -> None:
    """(c) a 7-day 25 Hz recording with the report: wall time and peak RSS."""
    print("(c) `oxi analyze` with the report on a 7-day 25 Hz recording")
    edf = tmp / "week_25hz.edf"
    write_edf(edf, 25.0, 7 * 24.0, seed=5)
    print(f"    ({edf.stat().st_size / 1e6:.0f} MB EDF)", flush=True)
    walls, cpus, peaks = [], [], []
    for r in range(runs):
        cmd = [*_oxi(), "analyze", str(edf), "--out", str(tmp / f"week_out{r}")]
        proc = subprocess.run(
            [sys.executable, "-c", _PEAK, *cmd], capture_output=True, text=True, env=_ENV
        )
        code, wall, cpu, peak_kb = proc.stdout.split()
        if code != "0":
            raise SystemExit(f"oxi analyze failed ({code}): {proc.stderr}")
        walls.append(float(wall))
        cpus.append(float(cpu))
        peaks.append(int(peak_kb) / 1e6)
    w, p = statistics.median(walls), max(peaks)
    print(
        f"    median {w:.1f} s ({', '.join(f'{t:.1f}' for t in walls)}), CPU (user + system) "
        f"median {statistics.median(cpus):.1f} s, peak RSS {p:.2f} GB; "
        f"targets < 10 s: {'met' if w < 10 else 'MISSED'}, < 1.5 GB: "
        f"{'met' if p < 1.5 else 'MISSED'}"
    )
    _strip_page_times(edf)


def _strip_page_times(edf: Path) -> None:
    """Part of (c): one page of three 3-hour strips of the week, built and written to a PDF."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.backends.backend_pdf import PdfPages

    from oximetry import analyze, read_recording
    from oximetry.plot import spo2_ylim
    from oximetry.report import pdf

    a = analyze(read_recording(edf))
    strips = pdf._strip_spans(a)[6:9]
    kinds = [w.kind for w in a.windows]
    masks, ylim = pdf._strip_masks(a), spo2_ylim(a)

    def page() -> None:
        fig = pdf._strip_page(a, strips, kinds, "bench", masks, ylim)
        FigureCanvasAgg(fig)
        with PdfPages(io.BytesIO()) as out:
            out.savefig(fig)

    walls, cpus = timed(page, 5)
    print(f"    part: one strip page built and written {_ms(walls, cpus)}")


def bench_gate(tmp: Path, repeat: int) -> None:
    """(d) whole-process oxi analyze --no-report against a bare pyedflib read."""
    print("(d) gate: `oxi analyze --no-report` vs a bare pyedflib read, 8-hour EDF")
    _compile_package()
    for fs in (1.0, 25.0):
        edf = tmp / f"gate_{fs:g}hz.edf"
        write_edf(edf, fs, 8.0)
        bare = [sys.executable, "-c", BARE_READ, str(edf)]
        cli = [*_oxi(), "analyze", str(edf), "--no-report", "--out", str(tmp / f"gate_{fs:g}")]
        t_bare, t_cli, c_bare, c_cli = _run_times_paired(bare, cli, repeat)
        med = statistics.median
        paired = med(c / b for b, c in zip(t_bare, t_cli, strict=True))
        print(
            f"    {fs:>4g} Hz: bare read median {med(t_bare):.2f} s, oxi median "
            f"{med(t_cli):.2f} s, ratio {med(t_cli) / med(t_bare):.2f} (gate <= 2: "
            f"{'passed' if med(t_cli) / med(t_bare) <= 2 else 'FAILED'}; median of paired "
            f"ratios {paired:.2f}); CPU {med(c_bare):.2f} s vs {med(c_cli):.2f} s"
        )


def _compile_package() -> None:
    import compileall

    for pkg in ("oximetry", "criteria"):
        compileall.compile_dir(ROOT / pkg, quiet=1)


def _run_times_paired(
    a: list[str], b: list[str], repeat: int
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Wall and CPU times (user + system) of ``a`` and ``b``, run alternately so that the
    machine's drifting load weighs on both alike; one untimed run of each first."""
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
    ap.add_argument("--repeat", type=int, default=15, help="timed runs for (a) and (d)")
    ap.add_argument("--batch-n", type=int, default=1000, help="nights for (b)")
    ap.add_argument("--batch-jobs", type=int, default=2, help="cores for (b)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs for (b) and (c)")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip (a,b,c,d)")
    args = ap.parse_args()
    skip = set(args.skip.split(","))
    load = os.getloadavg()[0]
    print(f"oxi benchmarks ({len(os.sched_getaffinity(0))} cores, load average {load:.2f})")
    with tempfile.TemporaryDirectory(prefix="oxi-bench-") as name:
        tmp = Path(name)
        if "a" not in skip:
            bench_analysis(tmp, args.repeat)
        if "b" not in skip:
            bench_batch(tmp, args.batch_n, args.batch_jobs, args.runs)
        if "c" not in skip:
            bench_week(tmp, args.runs)
        if "d" not in skip:
            bench_gate(tmp, args.repeat)


if __name__ == "__main__":
    main()
