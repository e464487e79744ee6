"""Seeded synthetic oximetry nights with known ground truth, and writers for EDF+ and CSV.

The simulator is the ground truth for the tests: it inserts desaturations, sustained drops,
artifacts, gaps and sleep stages at known times and says what the analysis must find.

The signal is built in continuous time (a flat baseline with piecewise-linear events), read
like an oximeter's display: the value is updated every ``update_s`` seconds and held in between,
and (by default) rounded to whole percent. With ``update_s`` a multiple of every sampling
interval, the same night sampled at different rates has exactly the same values at shared
times, so minutes below a threshold agree to the sample.

Examples
--------
>>> rec, truth = simulate_night(fs=1.0, duration_s=3600, seed=1, desaturations=20)
>>> rec.spo2.n_samples
3600
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .errors import SettingsError
from .model import Annotation, ChannelInfo, PatientInfo, Recording, Signal, SourceInfo, readonly

__all__ = [
    "Artifact",
    "Desaturation",
    "GroundTruth",
    "SustainedDrop",
    "default_hypnogram",
    "simulate_night",
    "write_csv",
    "write_edf",
]

ARTIFACT_KINDS = ("nan", "sentinel", "fall", "status", "pulse")
SLEEP_STAGES = ("N1", "N2", "N3", "N4", "R")
DEFAULT_START = _dt.datetime(2026, 1, 5, 22, 0, 0)
#: Sleep-stage cycle used by :func:`default_hypnogram`: (stage, minutes).
_CYCLE = (("N1", 5), ("N2", 20), ("N3", 20), ("N2", 10), ("R", 25), ("W", 2), ("N2", 8))


@dataclass(frozen=True)
class Desaturation:
    """A transient desaturation: linear fall, a hold at the nadir, linear rise.

    Parameters
    ----------
    start_s : float
        When the fall begins, seconds from the start.
    depth_pts : float
        Nadir below the baseline, in percentage points.
    fall_s, hold_s, rise_s : float
        Durations of the fall, the nadir plateau and the recovery.
    """

    start_s: float
    depth_pts: float
    fall_s: float = 20.0
    hold_s: float = 8.0
    rise_s: float = 10.0

    @property
    def end_s(self) -> float:
        """When the signal is back at the baseline."""
        return self.start_s + self.fall_s + self.hold_s + self.rise_s

    def knots(self, baseline: float) -> tuple[list[float], list[float]]:
        """Return the (time, value) corners of the shape."""
        nadir = baseline - self.depth_pts
        eps = 1e-6
        t0 = self.start_s
        t1 = t0 + max(self.fall_s, eps)
        t2 = t1 + max(self.hold_s, eps)
        t3 = t2 + max(self.rise_s, eps)
        return [t0, t1, t2, t3], [baseline, nadir, nadir, baseline]

    def detected(self, baseline: float, drop_pts: float, min_event_s: float = 10.0) -> bool:
        """Whether a SPEC §7 ODI detector with an integer ``baseline`` should count this event.

        The event starts when the rounded value reaches ``baseline - drop_pts`` (the value falls
        below ``baseline - drop_pts + 0.5``) and ends when the value is back at
        ``baseline - drop_pts / 2``; it counts when that lasts at least ``min_event_s``.
        Continuous-time reasoning: events within a second of the limit are ambiguous when sampled.
        """
        enter = self.depth_pts - (drop_pts - 0.5)
        if enter <= 0:
            return False
        leave = self.depth_pts - drop_pts / 2.0
        t_in = self.fall_s * (1.0 - enter / self.depth_pts)
        t_out = self.fall_s + self.hold_s + self.rise_s * (leave / self.depth_pts)
        return t_out - t_in >= min_event_s


@dataclass(frozen=True)
class SustainedDrop:
    """A plateau at ``level_pct`` for exactly [start_s, start_s + duration_s).

    The signal ramps from the baseline down to ``level_pct + 3`` over ``ramp_s`` before the
    plateau and back after it, so each edge of the plateau is a 3-point step: small enough never
    to be an implausible fall (SPEC §4), sharp enough that the plateau's length is exact.

    Parameters
    ----------
    start_s, duration_s : float
        The plateau.
    level_pct : float
        SpO2 on the plateau.
    ramp_s : float
        Length of each ramp outside the plateau.
    """

    start_s: float
    duration_s: float
    level_pct: float
    ramp_s: float = 20.0

    @property
    def end_s(self) -> float:
        """End of the plateau."""
        return self.start_s + self.duration_s

    def knots(self, baseline: float) -> tuple[list[float], list[float]]:
        """Return the (time, value) corners of the shape."""
        edge = min(baseline, self.level_pct + 3.0)
        eps = 1e-6
        s, e, r = self.start_s, self.end_s, max(self.ramp_s, 2 * eps)
        return (
            [s - r - eps, s - eps, s, e - eps, e, e + r],
            [baseline, edge, self.level_pct, self.level_pct, edge, baseline],
        )


@dataclass(frozen=True)
class Artifact:
    """A span of bad data.

    Parameters
    ----------
    start_s, duration_s : float
        The span.
    kind : str
        ``nan`` (probe off, missing), ``sentinel`` (a "no finger" value left in the data,
        ``value`` default 0, out of range), ``fall`` (probe displaced: an instant fall to
        ``value``, default baseline − 20, then back), ``status`` (the oximeter's status
        channel flags the span), ``pulse`` (pulse rate out of range, ``value`` default 280).
    value : float or None
        See ``kind``.
    """

    start_s: float
    duration_s: float
    kind: str = "nan"
    value: float | None = None

    @property
    def end_s(self) -> float:
        """End of the span."""
        return self.start_s + self.duration_s


@dataclass(frozen=True)
class GroundTruth:
    """What was put into a simulated night and what an analysis must find.

    Expected figures are over the whole recording (no window) and assume the conventions of
    SPEC §4 and §7: invalid samples are those of the artifact and gap spans (a ``fall``
    artifact for at most ``max_hold_s``); artifacts separated from each other by at least 10 s
    of valid data.

    Parameters
    ----------
    fs : float
        SpO2 sampling rate.
    baseline_pct : float
        The flat baseline.
    clean : numpy.ndarray
        The SpO2 signal before artifacts and gaps were applied (read-only).
    observed : numpy.ndarray
        The SpO2 signal as recorded (read-only; equals ``recording.spo2.data``).
    invalid : numpy.ndarray of bool
        Samples the artifact rules must reject (read-only).
    desaturations, sustained_drops, artifacts : tuple
        What was inserted.
    gaps : tuple of (float, float)
        (start, duration) spans with no data.
    stages : tuple of (float, float, str)
        The hypnogram (onset, duration, stage), empty without staging.
    """

    fs: float
    baseline_pct: float
    clean: NDArray[np.float64]
    observed: NDArray[np.float64]
    invalid: NDArray[np.bool_]
    desaturations: tuple[Desaturation, ...]
    sustained_drops: tuple[SustainedDrop, ...]
    artifacts: tuple[Artifact, ...]
    gaps: tuple[tuple[float, float], ...]
    stages: tuple[tuple[float, float, str], ...]

    @property
    def valid_s(self) -> float:
        """Seconds of valid data."""
        return float(np.count_nonzero(~self.invalid)) / self.fs

    @property
    def invalid_s(self) -> float:
        """Seconds of invalid data."""
        return float(np.count_nonzero(self.invalid)) / self.fs

    def time_at_or_below_s(
        self, threshold_pct: float, mask: NDArray[np.bool_] | None = None
    ) -> float:
        """Seconds of valid samples whose rounded value is at most ``threshold_pct``.

        Parameters
        ----------
        threshold_pct : float
            Whole-percent threshold (88 for ``t_le88``; 89 for ``t_lt90``).
        mask : numpy.ndarray of bool, optional
            Restrict to these samples (a window).
        """
        r = np.floor(self.observed + 0.5)
        sel = ~self.invalid & (r <= threshold_pct)
        if mask is not None:
            sel &= mask
        return float(np.count_nonzero(sel)) / self.fs

    def odi_count(self, drop_pts: float, min_event_s: float = 10.0) -> int:
        """Return how many events an ODI detector with this drop must count.

        Each detectable desaturation and each sustained-drop plateau deep enough is one event
        (assuming the flat baseline precedes each by two minutes).
        """
        b = math.floor(self.baseline_pct + 0.5)
        dips = sum(d.detected(b, drop_pts, min_event_s) for d in self.desaturations)
        plateaus = sum(
            math.floor(d.level_pct + 0.5) <= b - drop_pts and d.duration_s >= min_event_s
            for d in self.sustained_drops
        )
        return dips + plateaus

    def sleep_spans_s(self) -> tuple[tuple[float, float], ...]:
        """Spans staged N1–N4 or R."""
        return tuple((o, o + d) for o, d, s in self.stages if s in SLEEP_STAGES)


def default_hypnogram(duration_s: float) -> tuple[tuple[float, float, str], ...]:
    """Return a plausible hypnogram in whole 30-s epochs: wake, sleep cycles, wake.

    Parameters
    ----------
    duration_s : float
        Recording length.

    Returns
    -------
    tuple of (onset_s, duration_s, stage)
        Runs of equal stages, covering whole epochs from 0 to the last full epoch.
    """
    n_epochs = int(duration_s // 30)
    if n_epochs <= 0:
        return ()
    onset = min(30, max(1, n_epochs // 10))
    final = min(20, max(1, n_epochs // 20))
    stages = ["W"] * onset
    cycle = [s for s, minutes in _CYCLE for _ in range(2 * minutes)]
    while len(stages) < n_epochs - final:
        stages.extend(cycle)
    stages = stages[: max(onset, n_epochs - final)] + ["W"] * final
    stages = stages[:n_epochs]
    out: list[tuple[float, float, str]] = []
    run_start = 0
    for i in range(1, n_epochs + 1):
        if i == n_epochs or stages[i] != stages[run_start]:
            out.append((30.0 * run_start, 30.0 * (i - run_start), stages[run_start]))
            run_start = i
    return tuple(out)


def _span_index(t_s: float, fs: float) -> int:
    """Index of the first sample at or after ``t_s``."""
    return max(0, math.ceil(t_s * fs - 1e-9))


def _apply_knots(
    values: NDArray[np.float64],
    t: NDArray[np.float64],
    knots: tuple[list[float], list[float]],
    baseline: float,
    op: str,
) -> None:
    kt, kv = knots
    lo = int(np.searchsorted(t, kt[0], "left"))
    hi = int(np.searchsorted(t, kt[-1], "right"))
    if hi <= lo:
        return
    seg = np.interp(t[lo:hi], kt, kv)
    if op == "sub":
        values[lo:hi] -= baseline - seg
    else:
        np.minimum(values[lo:hi], seg, out=values[lo:hi])


def _random_desaturations(
    rng: np.random.Generator,
    count: int,
    duration_s: float,
    busy: Sequence[tuple[float, float]],
    spacing_s: float,
) -> tuple[Desaturation, ...]:
    first = 600.0
    slots = np.arange(first, duration_s - 300.0 - spacing_s, spacing_s)
    ok = np.ones(slots.shape, dtype=bool)
    for s, e in busy:
        ok &= (slots + spacing_s <= s) | (slots >= e + 150.0)
    slots = slots[ok]
    if count > slots.size:
        raise SettingsError(
            f"cannot place {count} desaturations {spacing_s:g} s apart in {duration_s:g} s "
            f"(room for {slots.size})"
        )
    chosen = np.sort(rng.choice(slots, size=count, replace=False))
    jitter = rng.uniform(0.0, spacing_s - 60.0, size=count)
    depth = rng.integers(4, 11, size=count)
    return tuple(
        Desaturation(float(np.round(s + j)), float(d))
        for s, j, d in zip(chosen, jitter, depth, strict=True)
    )


def simulate_night(
    *,
    fs: float,
    duration_s: float,
    seed: int,
    baseline_pct: float = 96.0,
    desaturations: int | Sequence[Desaturation] = (),
    sustained_drops: Sequence[SustainedDrop | tuple[float, float, float]] = (),
    artifacts: Sequence[Artifact | tuple[float, float, str]] = (),
    gaps: Sequence[tuple[float, float]] = (),
    stages: bool | Sequence[tuple[float, float, str]] = False,
    pulse: bool = True,
    pulse_fs: float | None = None,
    status: bool = False,
    noise_pts: float = 0.0,
    update_s: float = 1.0,
    quantize: bool = True,
    desaturation_spacing_s: float = 120.0,
    lights_s: tuple[float, float] | None = None,
    segments: Sequence[tuple[str, float, float]] = (),
    annotations: Sequence[Annotation] = (),
    start: _dt.datetime = DEFAULT_START,
    patient: PatientInfo | None = None,
) -> tuple[Recording, GroundTruth]:
    """Simulate one oximetry recording with known content.

    Parameters
    ----------
    fs : float
        SpO2 sampling rate in Hz.
    duration_s : float
        Length; the recording has ``round(duration_s * fs)`` samples.
    seed : int
        Seed of the numpy Generator; the same arguments give the same night.
    baseline_pct : float
        The flat baseline.
    desaturations : int or sequence of Desaturation
        Explicit events, or a number of events placed at random (depth 4–10 points, at least
        ``desaturation_spacing_s`` apart, clear of sustained drops, artifacts and gaps).
    sustained_drops : sequence of SustainedDrop or (start_s, duration_s, level_pct)
        Plateaus below the baseline.
    artifacts : sequence of Artifact or (start_s, duration_s, kind)
        Bad-data spans; see :class:`Artifact`.
    gaps : sequence of (start_s, duration_s)
        Spans with no data at all (NaN in every channel; omitted rows in CSV).
    stages : bool or sequence of (onset_s, duration_s, stage)
        True for :func:`default_hypnogram`, or an explicit hypnogram; written as
        ``Sleep stage X`` annotations. The signal does not depend on it.
    pulse : bool
        Add a pulse-rate channel (60–64 bpm with noise, faster during desaturations).
    pulse_fs : float, optional
        Its rate (default ``fs``).
    status : bool
        Add an oximeter status channel (added anyway when a ``status`` artifact needs it).
    noise_pts : float
        Standard deviation of Gaussian noise added before rounding (0: exact values).
    update_s : float
        The display updates every this-many seconds and holds the value in between.
    quantize : bool
        Round to whole percent, as oximeters report.
    desaturation_spacing_s : float
        Minimum spacing of random desaturations.
    lights_s : (float, float), optional
        Write ``Lights off``/``Lights on`` annotations at these times.
    segments : sequence of (name, start_s, end_s)
        Exercise-test segment annotations (``rest``, ``exercise``, ``exercise_o2``).
    annotations : sequence of Annotation
        More annotations (e.g. scored events), kept as given.
    start : datetime.datetime
        Wall-clock time of the first sample (naive).
    patient : PatientInfo, optional
        Patient fields for the writers (for de-identification tests).

    Returns
    -------
    recording : Recording
        With ``source.format == "simulated"``.
    truth : GroundTruth
        What was inserted and what the analysis must find.

    Raises
    ------
    SettingsError
        A bad rate, length or artifact kind, or random events that do not fit.
    """
    if not (math.isfinite(fs) and fs > 0):
        raise SettingsError(f"simulate_night: fs must be a positive number of Hz, got {fs!r}")
    n = round(duration_s * fs)
    if n <= 0:
        raise SettingsError(
            f"simulate_night: duration_s={duration_s!r} gives no samples at {fs} Hz"
        )
    if update_s <= 0:
        raise SettingsError(f"simulate_night: update_s must be > 0, got {update_s!r}")
    rng = np.random.default_rng(seed)
    drops = tuple(d if isinstance(d, SustainedDrop) else SustainedDrop(*d) for d in sustained_drops)
    arts = tuple(a if isinstance(a, Artifact) else Artifact(*a) for a in artifacts)
    for a in arts:
        if a.kind not in ARTIFACT_KINDS:
            raise SettingsError(
                f"Invalid artifact kind {a.kind!r}. Allowed values are {list(ARTIFACT_KINDS)}"
            )
    gap_spans = tuple((float(s), float(d)) for s, d in gaps)
    if isinstance(desaturations, int):
        busy = [(d.start_s - d.ramp_s, d.end_s + d.ramp_s) for d in drops]
        busy += [(a.start_s, a.end_s) for a in arts] + [(s, s + d) for s, d in gap_spans]
        desats = _random_desaturations(rng, desaturations, duration_s, busy, desaturation_spacing_s)
    else:
        desats = tuple(desaturations)

    # The displayed value is held between updates: evaluate the curve on the update grid.
    t = np.arange(n, dtype=np.float64) / fs
    t_shown = np.floor(t / update_s + 1e-9) * update_s
    x = np.full(n, float(baseline_pct))
    for d in desats:
        _apply_knots(x, t_shown, d.knots(baseline_pct), baseline_pct, "sub")
    for sd in drops:
        _apply_knots(x, t_shown, sd.knots(baseline_pct), baseline_pct, "min")
    if noise_pts > 0:
        n_updates = int(t_shown[-1] / update_s) + 1
        noise = rng.normal(0.0, noise_pts, size=n_updates)
        x += noise[np.rint(t_shown / update_s).astype(np.int64)]
    if quantize:
        x = np.floor(x + 0.5)
    x = np.clip(x, 0.0, 100.0)
    clean = x.copy()

    p_fs = float(pulse_fs if pulse_fs is not None else fs)
    n_p = round(n / fs * p_fs)
    pulse_values: NDArray[np.float64] | None = None
    if pulse or any(a.kind == "pulse" for a in arts):
        tp = np.arange(n_p, dtype=np.float64) / p_fs
        tp_shown = np.floor(tp / update_s + 1e-9) * update_s
        pulse_values = 62.0 + rng.normal(0.0, 1.5, size=n_p)
        drop_curve = np.interp(tp_shown, t, baseline_pct - clean)
        pulse_values += 1.5 * np.clip(drop_curve, 0.0, 20.0)
        pulse_values = np.floor(pulse_values + 0.5)
    status_values = np.zeros(n) if status or any(a.kind == "status" for a in arts) else None

    invalid = np.zeros(n, dtype=bool)
    for a in arts:
        i0, i1 = _span_index(a.start_s, fs), min(n, _span_index(a.end_s, fs))
        if a.kind == "nan":
            x[i0:i1] = np.nan
            invalid[i0:i1] = True
        elif a.kind == "sentinel":
            x[i0:i1] = 0.0 if a.value is None else a.value
            invalid[i0:i1] = True
        elif a.kind == "fall":
            x[i0:i1] = (baseline_pct - 20.0) if a.value is None else a.value
            invalid[i0 : min(i1, _span_index(a.start_s + 30.0, fs))] = True
        elif a.kind == "status" and status_values is not None:
            status_values[i0:i1] = 1.0
            invalid[i0:i1] = True
        elif a.kind == "pulse" and pulse_values is not None:
            j0, j1 = _span_index(a.start_s, p_fs), min(n_p, _span_index(a.end_s, p_fs))
            pulse_values[j0:j1] = 280.0 if a.value is None else a.value
            invalid[i0:i1] = True
    for g0, glen in gap_spans:
        i0, i1 = _span_index(g0, fs), min(n, _span_index(g0 + glen, fs))
        x[i0:i1] = np.nan
        invalid[i0:i1] = True
        if pulse_values is not None:
            j0, j1 = _span_index(g0, p_fs), min(n_p, _span_index(g0 + glen, p_fs))
            pulse_values[j0:j1] = np.nan
        if status_values is not None:
            status_values[i0:i1] = np.nan

    if stages is True:
        hyp = default_hypnogram(n / fs)
    elif stages is False:
        hyp = ()
    else:
        hyp = tuple((float(o), float(d), str(s)) for o, d, s in stages)
    notes = [Annotation(o, d, f"Sleep stage {s}") for o, d, s in hyp]
    if lights_s is not None:
        notes += [
            Annotation(lights_s[0], 0.0, "Lights off"),
            Annotation(lights_s[1], 0.0, "Lights on"),
        ]
    notes += [Annotation(s, e - s, name) for name, s, e in segments]
    notes += list(annotations)
    notes.sort(key=lambda a: (a.onset_s, a.text))

    spo2 = Signal("SpO2", "%", fs, readonly(x))
    pulse_sig = (
        None if pulse_values is None else Signal("Pulse", "bpm", p_fs, readonly(pulse_values))
    )
    status_sig = (
        None if status_values is None else Signal("OX STAT", "", fs, readonly(status_values))
    )
    channels = [ChannelInfo("SpO2", "%", fs, n, "spo2", True, "simulated")]
    if pulse_sig is not None:
        channels.append(ChannelInfo("Pulse", "bpm", p_fs, n_p, "pulse", True, "simulated"))
    if status_sig is not None:
        channels.append(ChannelInfo("OX STAT", "", fs, n, "status", True, "simulated"))
    digest = hashlib.sha256(np.ascontiguousarray(x).tobytes()).hexdigest()
    source = SourceInfo(
        path=f"simulated-seed{seed}",
        sha256=digest,
        format="simulated",
        device="oxi simulator",
        channels=tuple(channels),
        spo2_channel="SpO2",
        selection="simulated",
    )
    recording = Recording(
        spo2=spo2,
        start=start,
        source=source,
        pulse=pulse_sig,
        status=status_sig,
        annotations=tuple(notes),
        patient=patient if patient is not None else PatientInfo(),
    )
    truth = GroundTruth(
        fs=float(fs),
        baseline_pct=float(baseline_pct),
        clean=readonly(clean),
        observed=spo2.data,
        invalid=readonly(invalid, dtype=bool),
        desaturations=desats,
        sustained_drops=drops,
        artifacts=arts,
        gaps=gap_spans,
        stages=hyp,
    )
    return recording, truth


def _edf_samples(
    sig: Signal, missing: float, n_records: int, record_s: float
) -> NDArray[np.float64]:
    per_record = round(sig.fs * record_s)
    out = np.full(n_records * per_record, missing)
    data = np.where(np.isfinite(sig.data), sig.data, missing)
    out[: min(out.size, data.size)] = data[: out.size]
    return out


def _record_duration(signals: Sequence[Signal]) -> float:
    """Longest data record (≤ 60 s) holding a whole number of samples of every channel.

    Long records keep EDF+ files small (the annotation channel takes room in every record);
    a record length that divides the recording avoids padding.
    """
    fitting = [
        d
        for d in (60.0, 30.0, 20.0, 10.0, 5.0, 4.0, 2.0, 1.0)
        if all(abs(s.fs * d - round(s.fs * d)) < 1e-9 and round(s.fs * d) >= 1 for s in signals)
    ]
    if not fitting:
        raise SettingsError(
            f"cannot write EDF: no record length up to 60 s holds whole samples at rates "
            f"{[s.fs for s in signals]} Hz"
        )
    exact = [d for d in fitting if all(s.n_samples % round(s.fs * d) == 0 for s in signals)]
    return exact[0] if exact else fitting[-1]


def write_edf(recording: Recording, path: str | Path) -> Path:
    """Write a recording as EDF+C: SpO2 in ``%``, pulse in ``bpm``, status, annotations.

    Missing values are written as 0 (SpO2, pulse, status), as polysomnography systems do; the
    last data record is padded with 0 when the length is not a whole number of records.
    Patient fields come from ``recording.patient``. A start with a fraction of a second is
    written as EDF+ writes it: the header's whole second and a first time-keeping onset of the
    fraction (``+0.5``).

    Parameters
    ----------
    recording : Recording
        Usually from :func:`simulate_night`.
    path : str or Path
        Where to write.

    Returns
    -------
    Path
        ``path``.
    """
    import pyedflib

    path = Path(path)
    sigs: list[tuple[Signal, dict[str, str | int | float | None]]] = [
        (
            recording.spo2,
            {"physical_min": 0.0, "physical_max": 100.0, "digital_min": 0, "digital_max": 10000},
        ),
    ]
    if recording.pulse is not None:
        sigs.append(
            (
                recording.pulse,
                {"physical_min": 0.0, "physical_max": 300.0, "digital_min": 0, "digital_max": 3000},
            )
        )
    if recording.status is not None:
        sigs.append(
            (
                recording.status,
                {"physical_min": 0.0, "physical_max": 255.0, "digital_min": 0, "digital_max": 255},
            )
        )
    headers = [
        {
            "label": s.label,
            "dimension": s.unit,
            "sample_frequency": s.fs,
            "prefilter": "",
            "transducer": "",
            **rng,
        }
        for s, rng in sigs
    ]
    writer = pyedflib.EdfWriter(str(path), len(sigs), pyedflib.FILETYPE_EDFPLUS)
    try:
        writer.setSignalHeaders(headers)
        # The whole second here; a sub-second start is EDF+'s first time-keeping onset, set
        # below. pyedflib 0.1.42 passes microseconds x 100 to edflib, whose unit is 100 ns:
        # 0.5 s came out out of range and was dropped (22:13:07.500 written as 22:13:07), 0.05 s
        # would have come out as 0.5 s.
        writer.setStartdatetime(recording.start.replace(microsecond=0))
        writer.setEquipment(recording.source.device.replace(" ", "_")[:30])
        p = recording.patient
        if p.name:
            writer.setPatientName(p.name)
        if p.code:
            writer.setPatientCode(p.code)
        if p.sex and p.sex[:1].upper() in "MF":
            writer.setSex(1 if p.sex[:1].upper() == "M" else 0)
        if p.birth_date is not None:
            writer.setBirthdate(p.birth_date)
        record_s = _record_duration([s for s, _ in sigs])
        with warnings.catch_warnings():
            # pyedflib warns that a forced record length may alter rates; ours keep them whole
            warnings.simplefilter("ignore", UserWarning)
            writer.setDatarecordDuration(record_s)
        n_records = max(math.ceil(s.duration_s / record_s - 1e-9) for s, _ in sigs)
        # edflib keeps one annotation per data record in each annotation signal and drops the
        # rest on closing: 1,080 stage epochs written on 360 one-minute records came back as 360,
        # and the staging ended two hours in
        per_record = math.ceil(len(recording.annotations) / n_records)
        if per_record > 64:
            raise ValueError(
                f"write_edf: {len(recording.annotations)} annotations on {n_records} data records "
                "need more than EDF+'s 64 annotation signals"
            )
        writer.set_number_of_annotation_signals(max(1, per_record))
        # after the last header setter: each one sets the start again, without its fraction
        sub = recording.start.microsecond
        if sub and pyedflib.set_starttime_subsecond(writer.handle, sub * 10) != 0:
            raise SettingsError(
                f"write_edf: the start's fraction of a second ({sub} µs) could not be written"
            )
        writer.writeSamples([_edf_samples(s, 0.0, n_records, record_s) for s, _ in sigs])
        for a in recording.annotations:
            writer.writeAnnotation(a.onset_s, max(a.duration_s, 0.0), a.text)
    finally:
        writer.close()
    return path


def _fmt_iso(start: _dt.datetime, seconds: NDArray[np.float64]) -> NDArray[np.str_]:
    ms = np.round(seconds * 1000.0).astype(np.int64)
    stamps = np.datetime64(start, "us") + (ms * 1000).astype("timedelta64[us]")
    # the stamps' fractions, not the offsets': a start at 22:13:07.500 with whole-second steps
    # was written 22:13:07, every stamp half a second early
    frac_us = stamps.astype(np.int64) % 1_000_000
    if not frac_us.any():
        return np.datetime_as_string(stamps, unit="s")
    if not (frac_us % 1000).any():
        return np.datetime_as_string(stamps, unit="ms")
    return np.datetime_as_string(stamps, unit="us")


def _fmt_num(values: NDArray[np.float64], missing: str) -> NDArray[np.str_]:
    ok = np.isfinite(values)
    text = np.char.mod("%g", np.where(ok, values, 0.0))
    return np.where(ok, text, missing)


def write_csv(
    recording: Recording, path: str | Path, flavor: str = "generic", *, omit_missing: bool = False
) -> Path:
    """Write a recording as a CSV export.

    Parameters
    ----------
    recording : Recording
        Usually from :func:`simulate_night`.
    path : str or Path
        Where to write.
    flavor : str
        ``generic``: ``time,spo2[,pulse]`` with ISO 8601 times, missing values blank.
        ``o2ring``: the Wellue O2Ring desktop export (``Time,SpO2(%),Pulse Rate(bpm),...``,
        times like ``"11:20:29PM Jun 19, 2026"``, 255 / 65535 for missing); needs a whole
        number of seconds per sample and a start on a whole second.
    omit_missing : bool
        Leave out rows whose SpO2 is missing (time stamps then jump over the gap).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    SettingsError
        Unknown flavor, or a rate or start the flavor cannot express.
    """
    path = Path(path)
    x = recording.spo2.data
    n = x.size
    secs = np.arange(n, dtype=np.float64) / recording.fs
    pr: NDArray[np.float64] | None = None
    if recording.pulse is not None:
        p = recording.pulse
        idx = np.minimum(np.floor(secs * p.fs + 1e-9).astype(np.int64), p.n_samples - 1)
        pr = p.data[idx]
    keep = np.isfinite(x) if omit_missing else np.ones(n, dtype=bool)

    lines: list[str]
    if flavor == "generic":
        rows = np.char.add(_fmt_iso(recording.start, secs), ",")
        rows = np.char.add(rows, _fmt_num(x, ""))
        if pr is not None:
            rows = np.char.add(np.char.add(rows, ","), _fmt_num(pr, ""))
        header = "time,spo2" + (",pulse" if pr is not None else "")
        lines = [header, *rows[keep].tolist()]
    elif flavor == "o2ring":
        step = 1.0 / recording.fs
        if abs(step - round(step)) > 1e-9 or round(step) < 1:
            raise SettingsError(
                f"o2ring CSV needs a whole number of seconds per sample, got {step:g} s ({recording.fs:g} Hz)"
            )
        if recording.start.microsecond:
            raise SettingsError(
                "o2ring CSV stamps hold whole seconds; the recording starts at "
                f"{recording.start:%H:%M:%S.%f} (writing it would move every sample)"
            )
        lines = ["Time,SpO2(%),Pulse Rate(bpm),Motion,SpO2 Reminder,PR Reminder,"]
        for i in np.flatnonzero(keep):
            stamp = recording.time_at(float(secs[i])).strftime("%I:%M:%S%p %b %d, %Y")
            spo2 = "255" if not math.isfinite(x[i]) else f"{x[i]:.0f}"
            pulse = "65535" if pr is None or not math.isfinite(pr[i]) else f"{pr[i]:.0f}"
            lines.append(f'"{stamp}",{spo2},{pulse},0,0,0,')
    else:
        raise SettingsError(
            f"Invalid CSV flavor {flavor!r}. Allowed values are ['generic', 'o2ring']"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
