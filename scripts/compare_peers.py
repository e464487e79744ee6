"""Run pobm 1.2.0 and Luna's DESAT (lunapi) beside oxi on the same nights; print side by side.

The peers are not dependencies of oxi or of its tests. Install them apart, e.g.::

    python -m venv --system-site-packages /tmp/peers
    /tmp/peers/bin/pip install pobm==1.2.0 lunapi
    /tmp/peers/bin/python scripts/compare_peers.py [--no-real]

(lunapi pins pandas < 3; a separate environment keeps that out of oxi's.) pobm needs two small
shims on numpy 2, applied here and nowhere else: ``np.RankWarning`` moved to
``np.exceptions.RankWarning``, and its meta-event grouping stores event numbers in an ``int8``
array, which overflows (``OverflowError``) past 127 events; the shim swaps in the same
function with a wide integer.

Every night is analysed with the same validity rule for all three (missing or outside 50-100 %
is invalid; Luna adds its own spike rule), over the whole recording. The oxi figures come from
``oximetry.metrics`` directly. Output: one markdown table per night (docs/validation.md
quotes them).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import sys
import tempfile
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from oximetry.metrics import awake_baseline, summarize_window
from oximetry.metrics.odi import detect_desaturations
from oximetry.settings import OdiSettings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@dataclass
class Night:
    name: str
    x: np.ndarray  # SpO2 %, NaN = missing
    fs: float
    truth: dict[str, float] = field(default_factory=dict)
    note: str = ""


# ---------------------------------------------------------------- synthetic nights


def _dip_night(
    hours: float, n_dips: int, *, depth: float, period_s: float, seed: int
) -> np.ndarray:
    """1 Hz, baseline 96 with small noise, ``n_dips`` V-shaped dips (fall 20 s, rise 10 s)."""
    rng = np.random.default_rng(seed)
    n = int(hours * 3600)
    x = 96.0 + rng.choice([-0.4, 0.0, 0.0, 0.4], n)
    shape = np.concatenate([np.linspace(0, depth, 21)[1:], np.linspace(depth, 0, 11)[1:]])
    for e in range(n_dips):
        s = 300 + int(e * period_s)
        x[s : s + shape.size] -= shape
    return np.round(x)


def synthetic_nights() -> list[Night]:
    nights = []
    # 8 h: 160 dips of 6 points every 150 s, then a 12-minute plateau at 86 %, and 30 min of
    # probe-off. Whole percents, as oximeters report.
    x = _dip_night(8, 160, depth=6, period_s=150, seed=1)
    x[25_000:25_720] = 86.0
    x[27_000:28_800] = np.nan
    truth = {
        "valid_min": 450.0,
        "t_le88_min": 12.0,
        "odi3_events": 161,
        "odi4_events": 161,
    }
    nights.append(Night("sim 8 h, 1 Hz, 161 desaturations", x, 1.0, truth))
    nights.append(
        Night(
            "same night at 25 Hz",
            np.repeat(x, 25),
            25.0,
            truth,
            "each 1 Hz value held for 25 samples, as PSG systems store oximeter output",
        )
    )
    # Values between whole percents (some exports carry decimals): where <= vs < and rounding
    # decide. 2 h at 95.2 with 20 min at 88.4, 20 min at 88.5, 10 min at 89.6.
    y = np.full(7200, 95.2)
    y[1200:2400] = 88.4
    y[3000:4200] = 88.5
    y[5000:5600] = 89.6
    nights.append(
        Night(
            "sim 2 h, fractional values",
            y,
            1.0,
            {"valid_min": 120.0, "t_le88_min": 20.0, "t_lt90_min": 40.0, "t_le90_min": 50.0},
            "oxi rounds to whole percent first: 88.4 -> 88 (<= 88), 88.5 -> 89, 89.6 -> 90",
        )
    )
    # Falls of exactly 3 and exactly 4 points held 20 s: "a fall of 3" vs "more than 3".
    z = np.full(3 * 3600, 96.0)
    for e in range(60):
        s = 300 + e * 170
        z[s : s + 20] = 93.0 if e % 2 == 0 else 92.0
    nights.append(
        Night(
            "sim 3 h, plateaus exactly 3 and 4 below",
            z,
            1.0,
            {"odi3_events": 60, "odi4_events": 30},
            "30 plateaus at 93 (3 below 96) and 30 at 92 (4 below), 20 s each",
        )
    )
    return nights


def real_nights() -> list[Night]:
    folder = DATA / "checkme_o2max_airwaylab"
    if not folder.is_dir():
        return []
    from oximetry.io import read_recording

    out = []
    for path in sorted(folder.glob("checkme-o2-max-*.csv")):
        rec = read_recording(path)
        label = path.stem.replace("checkme-o2-max-", "Checkme O2 Max ")
        out.append(Night(f"{label} (real)", np.array(rec.spo2.data), rec.fs))
    return out


# ---------------------------------------------------------------- oxi


def run_oxi(night: Night) -> dict[str, float | None]:
    x, fs = night.x, night.fs
    valid = np.isfinite(x) & (x >= 50) & (x <= 100)
    odi = OdiSettings()
    e3 = detect_desaturations(x, valid, fs, 3, odi)
    e4 = detect_desaturations(x, valid, fs, 4, odi)
    need = math.ceil(300 * fs)
    base = awake_baseline(x, valid & (np.cumsum(valid) <= need))
    m, _ = summarize_window(
        x, valid, np.ones(x.size, bool), fs, kind="presumed_sleep", awake_baseline_pct=base,
        awake_baseline_source="first_300s_valid", odi3_events=e3, odi4_events=e4, drop_pts=5,
        sustained_min_s=300,
    )  # fmt: skip
    return {
        "valid_min": m.valid_min,
        "t_le88_min": m.t_le88_min,
        "t_le88_pct": m.t_le88_pct,
        "t_lt90_min": m.t_lt90_min,
        "t_lt90_pct": m.t_lt90_pct,
        "t_le90_min": m.t_le90_min,
        "odi3_events": m.odi3_count,
        "odi3_per_h": m.odi3_per_h,
        "odi4_events": m.odi4_count,
        "odi4_per_h": m.odi4_per_h,
        "nadir_pct": m.nadir_pct,
        "mean_pct": m.mean_pct,
    }


# ---------------------------------------------------------------- pobm


def _shim_pobm() -> None:
    if not hasattr(np, "RankWarning"):
        setattr(np, "RankWarning", np.exceptions.RankWarning)  # noqa: B010 (gone in numpy 2)
    from pobm.obm import desat

    def group_meta_desat(self: Any, signal: np.ndarray) -> None:
        # pobm 1.2.0's __group_meta_desat with int64 event numbers instead of int8.
        s = self  # the private attributes as pobm names them
        end_before = -s.min_dist_meta_event - 5
        new_idx = np.zeros(len(s.begin), dtype=np.int64)
        count_meta = -1
        for i, (b, e) in enumerate(zip(s.begin, s.end, strict=True)):
            if b - end_before > s.min_dist_meta_event:
                count_meta += 1
            new_idx[i] = count_meta
            end_before = e
        n = len(s.begin)
        new_begin, new_end, new_min = np.zeros(n), np.zeros(n), np.zeros(n)
        current, inserted = 0, False
        for i, meta in enumerate(new_idx):
            if meta != current:
                current += 1
                inserted = False
            if not inserted:
                new_begin[meta] = s.begin[i]
                inserted = True
            new_end[meta] = max(s.end[i], int(new_end[meta]))
            lo, hi = int(new_begin[meta]), int(new_end[meta])
            new_min[meta] = new_begin[meta] + np.argmin(signal[lo:hi])
        s.begin = new_begin[new_begin != 0].astype(int)
        s.end = new_end[new_end != 0].astype(int)
        s.min_desat = new_min[new_min != 0].astype(int)
        s.counter_desat = list(Counter(new_idx).values())

    desat.DesaturationsMeasures._DesaturationsMeasures__group_meta_desat = group_meta_desat


def run_pobm(night: Night) -> dict[str, float | None]:
    from pobm.obm.burden import HypoxicBurdenMeasures
    from pobm.obm.desat import DesaturationsMeasures
    from pobm.prep import set_range

    sig = set_range(night.x)  # outside 50-100 -> NaN (the samples stay: no deletion here)
    out: dict[str, float | None] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in (3, 4):
            res = DesaturationsMeasures(ODI_Threshold=k).compute(sig)
            out[f"odi{k}_events"] = len(res.begin)
            out[f"odi{k}_per_h"] = res.ODI  # events / len(signal) * 3600: assumes 1 Hz
            if k == 3:
                begin, end = res.begin, res.end
        for thr in (88, 90):
            burden = HypoxicBurdenMeasures(begin, end, CT_Threshold=thr).compute(sig)
            out[f"CT{thr}_pct"] = burden.CT  # 100 * count(x <= thr) / len(signal)
    out["t_le88_pct"] = out.pop("CT88_pct")
    out["ct90_pct (x <= 90)"] = out.pop("CT90_pct")
    out["nadir_pct"] = float(np.nanmin(sig))
    out["mean_pct"] = float(np.nanmean(sig))
    return out


# ---------------------------------------------------------------- Luna


def _write_edf(path: Path, x: np.ndarray, fs: float) -> None:
    import pyedflib
    from pyedflib import highlevel

    data = np.nan_to_num(x, nan=0.0)  # missing -> 0, below Luna's 50 % artifact floor
    header = highlevel.make_signal_header(
        "SpO2", dimension="%", sample_frequency=fs, physical_min=0, physical_max=100,
        digital_min=0, digital_max=1000,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ok = highlevel.write_edf(
            str(path),
            [data],
            [header],
            highlevel.make_header(),
            file_type=pyedflib.FILETYPE_EDFPLUS,
        )
    if not ok:
        raise RuntimeError(f"pyedflib could not write {path}")


def run_luna(night: Night, tmp: Path, *, shift: int = 0) -> dict[str, float | None]:
    """Luna's DESAT with ``drop=k - shift`` for ODI3 and ODI4 (shift 1: "a fall of >= k")."""
    import lunapi as lp

    x, fs = night.x, night.fs
    note = ""
    if fs < 1:  # EDF records here are 1 s long: hold each value 1/fs samples at 1 Hz
        hold = round(1 / fs)
        x, fs = np.repeat(x, hold), 1.0
        note = f"(held at 1 Hz for the EDF, x{hold})"
    edf = tmp / "luna.edf"
    _write_edf(edf, x, fs)
    out: dict[str, float | None] = {}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        proj = lp.proj()
        proj.silence(True)
        for k in (3, 4):
            inst = proj.inst(f"night{k}")
            inst.attach_edf(str(edf))
            res = inst.proc(f"DESAT sig=SpO2 drop={k - shift} pct-th=88,90")
            bl = res["DESAT: BL"].iloc[0]
            t_valid = float(bl["T_VALID"])
            n_ev = int(bl["N"])
            out[f"odi{k}_events"] = n_ev
            out[f"odi{k}_per_h"] = n_ev / (t_valid / 3600) if t_valid else None
            if k == 3:
                out["valid_min"] = t_valid / 60
                out["t_lt88_pct (x < 88)"] = float(bl["PCT_LT88"])
                out["t_lt90_pct"] = float(bl["PCT_LT90"])
                out["mean_pct"] = float(bl["MEAN_SPO2"])
    if note:
        out["note"] = note  # type: ignore[assignment]
    return out


# ---------------------------------------------------------------- report

ROWS = [
    "valid_min",
    "t_le88_min",
    "t_le88_pct",
    "t_lt88_pct (x < 88)",
    "t_lt90_min",
    "t_lt90_pct",
    "ct90_pct (x <= 90)",
    "t_le90_min",
    "odi3_events",
    "odi3_per_h",
    "odi4_events",
    "odi4_per_h",
    "nadir_pct",
    "mean_pct",
]


def _fmt(v: object) -> str:
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if isinstance(v, int | np.integer):
        return str(int(v))
    f = float(v)  # type: ignore[arg-type]
    return f"{f:.2f}" if math.isfinite(f) else str(f)


def table(night: Night, cols: dict[str, dict[str, object]]) -> str:
    lines = [f"### {night.name} ({night.x.size:,} samples at {night.fs:g} Hz)", ""]
    if night.note:
        lines += [night.note, ""]
    names = list(cols)
    lines.append("| figure | " + " | ".join(names) + " |")
    lines.append("|---" * (len(names) + 1) + "|")
    for row in ROWS:
        vals = [cols[c].get(row) for c in names]
        if all(v is None for v in vals):
            continue
        lines.append(f"| {row} | " + " | ".join(_fmt(v) for v in vals) + " |")
    notes = [f"{c}: {cols[c]['note']}" for c in names if "note" in cols[c]]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-real", action="store_true", help="skip the Checkme nights")
    args = ap.parse_args()
    nights = synthetic_nights() + ([] if args.no_real else real_nights())
    peers: dict[str, object] = {}
    try:
        _shim_pobm()
        peers["pobm 1.2.0"] = run_pobm
    except ImportError as exc:
        print(f"pobm unavailable: {exc}", file=sys.stderr)
    try:
        import lunapi  # noqa: F401

        peers["Luna DESAT (lunapi)"] = run_luna
        peers["Luna, drop=k-1"] = run_luna
    except ImportError as exc:
        print(f"lunapi unavailable: {exc}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        for night in nights:
            cols: dict[str, dict[str, object]] = {}
            if night.truth:
                cols["truth"] = dict(night.truth)
            cols["oxi"] = dict(run_oxi(night))
            for name, fn in peers.items():
                try:
                    if fn is run_luna:
                        shift = 1 if "k-1" in name else 0
                        cols[name] = dict(run_luna(night, Path(tmp), shift=shift))
                    else:
                        cols[name] = dict(fn(night))  # type: ignore[operator]
                except Exception as exc:  # a peer failing is a finding, not the end
                    cols[name] = {"note": f"failed: {type(exc).__name__}: {exc}"}
            print(table(night, cols))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
