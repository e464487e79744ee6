"""Shared test fixtures: a headless matplotlib, closed figures, simulated nights, shared data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

try:  # matplotlib is a runtime dependency, but keep the fixtures usable without it
    import matplotlib

    matplotlib.use("Agg")
except ImportError:  # pragma: no cover - matplotlib missing
    matplotlib = None

from oximetry.simulate import simulate_night

#: ``../shared/data`` beside the repository (CI clones the repo with ``shared/`` next to it).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    """Close every matplotlib figure a test opened."""
    yield
    if matplotlib is not None:
        import sys

        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Return ``../shared/data``, skipping the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real recordings not available ({SHARED_DATA} missing)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def example_night():  # type: ignore[no-untyped-def]
    """Return a simulated 2-hour staged night at 1 Hz with desaturations and one sustained drop."""
    return simulate_night(
        fs=1.0,
        duration_s=2 * 3600,
        seed=7,
        desaturations=30,
        sustained_drops=[(3600.0, 720.0, 86.0)],
        artifacts=[(1500.0, 60.0, "nan")],
        stages=True,
    )


# --- TEMPORARY: until oximetry.metrics provides the agreed window API, tests use this ---------
# private fallback (SPEC §7 read literally). Removed as soon as the real functions land.
def _install_metrics_fallback() -> None:  # pragma: no cover - temporary
    import numpy as np

    import oximetry.metrics as metrics
    from oximetry.results import Event, SegmentMetrics, WindowMetrics

    if hasattr(metrics, "summarize_window"):
        return

    def awake_baseline(x, mask):  # type: ignore[no-untyped-def]
        v = x[mask & np.isfinite(x)]
        return float(np.median(v)) if v.size else None

    def _runs(m):  # type: ignore[no-untyped-def]
        p = np.concatenate(([False], m, [False]))
        e = np.flatnonzero(p[1:] != p[:-1])
        return e[0::2], e[1::2]

    def summarize_window(
        x,
        valid,
        in_window,
        fs,
        *,
        kind,
        awake_baseline_pct,
        awake_baseline_source,
        odi3_events,
        odi4_events,
        drop_pts,
        sustained_min_s,
        pulse_values=None,
    ):  # type: ignore[no-untyped-def]
        sel = valid & in_window
        r = np.floor(x + 0.5)
        dt = 1.0 / fs
        vmin = sel.sum() * dt / 60
        le88 = sel & (r <= 88)
        s, e = _runs(le88)
        longest = int((e - s).max()) if s.size else 0
        lstart = float(s[np.argmax(e - s)] / fs) if s.size else None
        xs = x[sel]
        nad = int(np.flatnonzero(sel)[np.argmin(xs)]) if xs.size else None

        def count(evs):  # type: ignore[no-untyped-def]
            n = in_window.shape[0]
            idx = [int(np.ceil(ev.start_s * fs - 1e-9)) for ev in evs]
            return sum(1 for i in idx if 0 <= i < n and in_window[i])

        c3, c4 = count(odi3_events), count(odi4_events)

        def per_h(c):
            return c / (vmin / 60) if vmin > 0 else None

        events = [
            Event("le88_run", a / fs, b / fs, window=kind) for a, b in zip(s, e, strict=False)
        ]
        drop_min = longest_drop = None
        sustained: list[Event] = []
        if awake_baseline_pct is not None:
            b = np.floor(awake_baseline_pct + 0.5)
            d = sel & (b - r > drop_pts)
            ds, de = _runs(d)
            drop_min = d.sum() * dt / 60
            longest_drop = float((de - ds).max() * dt / 60) if ds.size else 0.0
            need = int(np.ceil(sustained_min_s * fs - 1e-9))
            sustained = [
                Event(
                    "sustained_drop",
                    a / fs,
                    bb / fs,
                    float(np.min(x[a:bb])),
                    None,
                    float(b),
                    None,
                    kind,
                )
                for a, bb in zip(ds, de, strict=False)
                if bb - a >= need
            ]
        pv = pulse_values
        wm = WindowMetrics(
            duration_min=in_window.sum() * dt / 60,
            valid_min=vmin,
            t_le88_min=le88.sum() * dt / 60,
            t_le88_pct=100 * le88.sum() / sel.sum() if sel.any() else None,
            t_lt90_min=(sel & (r < 90)).sum() * dt / 60,
            t_lt90_pct=None,
            t_le90_min=(sel & (r <= 90)).sum() * dt / 60,
            longest_le88_min=longest * dt / 60,
            longest_le88_start_s=lstart,
            nadir_pct=float(xs.min()) if xs.size else None,
            nadir_s=None if nad is None else nad / fs,
            mean_pct=float(xs.mean()) if xs.size else None,
            median_pct=float(np.median(xs)) if xs.size else None,
            odi3_count=c3,
            odi3_per_h=per_h(c3),
            odi4_count=c4,
            odi4_per_h=per_h(c4),
            awake_baseline_pct=awake_baseline_pct,
            awake_baseline_source=awake_baseline_source,
            drop5_min=drop_min,
            longest_drop5_min=longest_drop,
            sustained_desaturations=tuple(sustained),
            pulse_min_bpm=float(pv.min()) if pv is not None and pv.size else None,
            pulse_mean_bpm=float(pv.mean()) if pv is not None and pv.size else None,
            pulse_max_bpm=float(pv.max()) if pv is not None and pv.size else None,
        )
        return wm, tuple(events) + tuple(sustained)

    def summarize_segment(x, valid, in_window, fs, *, pulse_values=None):  # type: ignore[no-untyped-def]
        sel = valid & in_window
        xs = x[sel]
        return SegmentMetrics(
            in_window.sum() / fs / 60,
            sel.sum() / fs / 60,
            float(np.median(xs)) if xs.size else None,
            float(xs.min()) if xs.size else None,
            None,
            None,
        )

    metrics.awake_baseline = awake_baseline  # type: ignore[attr-defined]
    metrics.summarize_window = summarize_window  # type: ignore[attr-defined]
    metrics.summarize_segment = summarize_segment  # type: ignore[attr-defined]


_install_metrics_fallback()
