"""Result types: frozen dataclasses whose field names carry their units.

``analyze(recording, settings) -> Analysis`` fills these; ``criteria`` reads them (or the same
figures read back from ``summary.json``); ``report`` writes them. Times are seconds from the
recording start; the report turns them into wall-clock times.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from .model import Recording
from .settings import AnalysisSettings

__all__ = [
    "Analysis",
    "ArtifactResult",
    "DropoutEdge",
    "Event",
    "FallPlateau",
    "SegmentMetrics",
    "Window",
    "WindowMetrics",
]

#: Window kinds, as written in ``summary.json`` (SPEC §9).
WINDOW_KINDS = (
    "sleep",
    "presumed_sleep",
    "awake",
    "presumed_awake",
    "rest",
    "exercise",
    "exercise_o2",
)


@dataclass(frozen=True)
class Window:
    """An analysis window: where in the recording a set of figures applies.

    Parameters
    ----------
    kind : str
        One of :data:`WINDOW_KINDS`.
    source : str
        Where it came from, in a reviewer's words: ``annotations``, ``hypnogram``,
        ``lights_off_on``, ``first_to_last_valid``, ``awake_option``, ``first_300s_valid``,
        ``segment_option``, ``test_type``.
    spans_s : tuple of (float, float)
        Half-open spans [start, end) in seconds from the recording start.
    warning : str or None
        Set for presumed windows: what was assumed, in plain words.
    ends : (str, str) or None
        Where a ``presumed_sleep`` window bounded by lights off/on (source ``lights_off_on`` or
        ``annotations``) starts and ends: ``option`` (``--lights-off``/``--lights-on``),
        ``annotations`` (the recording's own mark), ``earlier_mark`` (the earlier of two lights
        off the recording marks with no lights on between, the later opening no valid data: the
        rules hold a qualification open that needs it), ``first_valid``/``last_valid`` when neither
        gives that end, or ``recording_end`` when ``--lights-on`` falls after the recording. The
        rules check an end of the last two kinds against the night hours as they check a
        whole-recording window. None for every other window.
    """

    kind: str
    source: str
    spans_s: tuple[tuple[float, float], ...]
    warning: str | None = None
    ends: tuple[str, str] | None = None

    @property
    def start_s(self) -> float | None:
        """Start of the first span (None when the window is empty)."""
        return self.spans_s[0][0] if self.spans_s else None

    @property
    def end_s(self) -> float | None:
        """End of the last span (None when the window is empty)."""
        return self.spans_s[-1][1] if self.spans_s else None


@dataclass(frozen=True)
class Event:
    """One detected or annotated event.

    Parameters
    ----------
    type : str
        ``odi3``, ``odi4``, ``sustained_drop``, ``le88_run``, or ``scored`` for events read from
        the file's annotations (``label`` then holds the text).
    start_s, end_s : float
        Seconds from the recording start; ``end_s`` is exclusive.
    nadir_pct : float or None
        Lowest SpO2 within the event.
    nadir_s : float or None
        When the nadir occurred.
    baseline_pct : float or None
        The reference the event was measured from (pre-event baseline, awake baseline).
    drop_pct : float or None
        ``baseline_pct - nadir_pct`` in percentage points.
    window : str or None
        Kind of the window the event was assigned to (by its start).
    label : str
        Free text (the annotation's text for scored events).
    """

    type: str
    start_s: float
    end_s: float
    nadir_pct: float | None = None
    nadir_s: float | None = None
    baseline_pct: float | None = None
    drop_pct: float | None = None
    window: str | None = None
    label: str = ""

    @property
    def duration_s(self) -> float:
        """``end_s - start_s``."""
        return self.end_s - self.start_s

    def duration_at(self, fs: float) -> float:
        """Return the duration in whole samples at ``fs`` Hz, in seconds.

        A detected event (every type but ``scored``) starts and ends on sample times ``i / fs``
        and ``j / fs``, and lasts ``(j - i) / fs``: their difference in floats is a hair off it,
        and summary.json, never rounding a figure onto a whole it is not, wrote a counted ODI
        event of exactly 250 samples at 25 Hz (10 s, the least that counts) as 9.999999 s, and
        a sustained desaturation of 1,500 samples at 5 Hz as 299.999999 s. A scored event's
        times are the file's: returned as they are.

        Parameters
        ----------
        fs : float
            The sampling rate of the SpO2 channel the event was detected on.

        Returns
        -------
        float
            Seconds.

        Examples
        --------
        >>> Event("odi4", 12551 / 25.0, 12801 / 25.0).duration_at(25.0)
        10.0
        """
        if self.type == "scored":
            return self.duration_s
        return round(self.duration_s * fs) / fs


@dataclass(frozen=True)
class WindowMetrics:
    """SPEC §7 figures for a sleep, presumed-sleep or awake window.

    Durations are minutes of valid samples (sample counts × 1/fs / 60); percentages of time are
    of ``valid_min``; rates are per hour of ``valid_min``. ``None`` means the figure cannot be
    computed (no valid data, no pulse channel, no baseline).

    The tables of :mod:`oximetry.metrics.tables` follow: ``saturation_bands`` (time in each
    SpO2 band), ``desaturations`` (``odi3`` / ``odi4`` event summaries), ``pulse_events``
    (None without a pulse channel), ``odi_by_hour``, and ``staging`` (total sleep time, sleep
    efficiency, NREM / REM figures; only for a staged ``sleep`` window).
    """

    duration_min: float
    valid_min: float
    t_le88_min: float
    t_le88_pct: float | None
    t_lt90_min: float
    t_lt90_pct: float | None
    t_le90_min: float
    longest_le88_min: float
    longest_le88_start_s: float | None
    nadir_pct: float | None
    nadir_s: float | None
    mean_pct: float | None
    median_pct: float | None
    odi3_count: int
    odi3_per_h: float | None
    odi4_count: int
    odi4_per_h: float | None
    awake_baseline_pct: float | None
    awake_baseline_source: str | None
    drop5_min: float | None
    longest_drop5_min: float | None
    sustained_desaturations: tuple[Event, ...]
    pulse_min_bpm: float | None = None
    pulse_mean_bpm: float | None = None
    pulse_max_bpm: float | None = None
    drop5_from_mean_min: float | None = None
    longest_drop5_from_mean_min: float | None = None
    saturation_bands: tuple[Mapping[str, Any], ...] = ()
    desaturations: Mapping[str, Mapping[str, Any]] | None = None
    pulse_events: Mapping[str, Any] | None = None
    odi_by_hour: tuple[Mapping[str, Any], ...] = ()
    staging: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the figures as JSON-able data (events as dicts)."""
        return asdict(self)


@dataclass(frozen=True)
class SegmentMetrics:
    """SPEC §6 figures for an exercise-test segment (``rest``, ``exercise``, ``exercise_o2``).

    ``sustained_nadir_pct`` is the lowest level SpO2 stayed at or below for at least 10 s;
    ``sustained_nadir_low_pct`` the same with each 10 s run's valid samples only (its lower
    bound where artifact breaks the runs; :func:`oximetry.metrics.summarize_segment`).
    ``sustained_nadir_elapsed_s`` is how far into the segment (seconds from its first sample)
    the first 10 s run at the sustained nadir ends, and ``valid_elapsed_s`` how far its valid
    data reach (the end of its last valid sample): a walk on oxygen shows an improvement only
    over the exertion it covers. ``covered_elapsed_s`` is how far they reach unbroken: to the
    end of the last valid sample before the first stretch of 10 s or more without valid data
    (a whole 10 s run whose level nothing shows).
    ``asleep_min`` is the segment's time scored as sleep (N1–N4, R) by the recording's staging,
    None when the recording is not staged: a rest or exercise test is taken awake.
    ``unscored_min`` is its time the staging scores neither as sleep nor as wake (``?`` epochs,
    or beyond the hypnogram's end), None when not staged: that time is not shown awake.
    ``lights_out_min`` is its time after the recording's lights off and before its lights on
    (:func:`oximetry.windows.lights_out_spans`), None when the recording marks no lights: the
    patient was in bed there, and only staging shows that time awake.
    ``walk_mark_s`` (a ``rest`` segment only) is where the first walk the recording marks that
    the segment holds or follows starts, in seconds from the recording's start (a mark without
    a duration, or a segment annotation ``--segment`` replaced;
    ``oximetry.windows.WindowPlan.rest_walk_s``), None when none: such a part is walking or the
    recovery, no resting value.
    """

    duration_min: float
    valid_min: float
    median_pct: float | None
    nadir_pct: float | None
    nadir_s: float | None
    sustained_nadir_pct: float | None
    sustained_nadir_low_pct: float | None = None
    pulse_min_bpm: float | None = None
    pulse_mean_bpm: float | None = None
    pulse_max_bpm: float | None = None
    sustained_nadir_elapsed_s: float | None = None
    valid_elapsed_s: float | None = None
    asleep_min: float | None = None
    unscored_min: float | None = None
    covered_elapsed_s: float | None = None
    walk_mark_s: float | None = None
    lights_out_min: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the figures as JSON-able data."""
        return asdict(self)


class FallPlateau(NamedTuple):
    """A level SPEC §4.3's fall rule accepted after a hold that ran out (valid data in doubt).

    SpO2 fell faster than a desaturation can (``to_pct`` at ``fall_s``, more than 4 points a
    second below ``from_pct``, the last valid value) and did not come back within 4 points of
    ``from_pct`` in the 30 s the rule holds invalid; the level is valid from ``start_s`` (the
    hold's end) to ``end_s`` (the first sample back within 4 points, or the recording's end).
    ``value_pct`` is its lowest valid value. Times in seconds from the start. A level accepted
    at once (``start_s`` at or near ``fall_s``) is one the rule did not hold: the samples next to
    the fall were rejected by another rule, or above 1 Hz the fall was spread over samples less
    than a second apart (:func:`oximetry.artifact.recorded_falls`).
    """

    fall_s: float
    start_s: float
    end_s: float
    from_pct: float
    to_pct: float
    value_pct: float


class DropoutEdge(NamedTuple):
    """Valid data that stop low: the samples before a probe-off the data rise across.

    The valid data stopped (invalid samples, whatever rejected them: the probe off) after
    ``end_s`` and resumed at ``resumed_s`` at a level of ``resumed_pct`` (the highest valid value
    of their first 5 s), more than 4 points above the last valid value before the stop; the
    valid samples from ``start_s`` (the first of them below ``resumed_pct`` - 4, back from the
    stop) to ``end_s`` lie between, ``value_pct`` the lowest.
    A probe coming off reads low on its way, and nothing tells it from a true low
    (:func:`oximetry.artifact.dropout_edges`). Times in seconds from the start.
    """

    start_s: float
    end_s: float
    value_pct: float
    resumed_s: float
    resumed_pct: float


@dataclass(frozen=True)
class ArtifactResult:
    """The combined artifact mask and its accounting (SPEC §4).

    Parameters
    ----------
    valid : numpy.ndarray of bool
        One flag per SpO2 sample, read-only; True = usable.
    reason : numpy.ndarray of int8
        Per sample, the index into ``reasons`` of the first rule that rejected it, -1 if valid.
    reasons : tuple of str
        Rule names, in order: ``missing``, ``out_of_range``, ``implausible_fall``,
        ``oximeter_status``, ``pulse_out_of_range``, ``excluded``, ``short_island``.
    counts : mapping of str to int
        Samples rejected per reason (each sample counted once, under its first reason).
    review_flags : tuple of str
        Things a reviewer should look at (long constant runs), not removed.
    constant_runs : tuple of (float, float, float)
        The long constant runs the review flags describe, as ``(start_s, end_s, value_pct)``:
        SpO2 held at one value (exactly, or within a band a fifth of a point wide: digitiser noise,
        :func:`~oximetry.artifact.frozen_runs`) for at least ``ArtifactSettings.frozen_run_s``
        (a frozen sensor, or a gap an export filled with the last value?); ``value_pct`` is the
        run's lowest value.
    fall_plateaus : tuple of FallPlateau
        The levels the fall rule accepted after a hold that ran out (a probe slip that lasted
        longer than the hold?), also review flags, kept as valid data.
    dropout_edges : tuple of DropoutEdge
        The valid data that stop low before a probe-off the data rise across (a probe coming
        off, or a true low?), kept as valid data.
    """

    valid: NDArray[np.bool_]
    reason: NDArray[np.int8]
    reasons: tuple[str, ...]
    counts: Mapping[str, int]
    review_flags: tuple[str, ...] = ()
    constant_runs: tuple[tuple[float, float, float], ...] = ()
    fall_plateaus: tuple[FallPlateau, ...] = ()
    dropout_edges: tuple[DropoutEdge, ...] = ()

    @property
    def artifact_pct(self) -> float:
        """Percentage of samples that are invalid."""
        n = self.valid.shape[0]
        return 0.0 if n == 0 else 100.0 * float(n - int(self.valid.sum())) / n


@dataclass(frozen=True)
class Analysis:
    """Everything ``analyze`` found in one recording.

    Parameters
    ----------
    recording : Recording
        The input (kept for plotting; its patient fields are never written unless asked for).
    settings : AnalysisSettings
        What was used.
    artifact : ArtifactResult
        Validity mask and counts.
    windows : tuple of Window
        Every window that exists in this recording.
    metrics : mapping of str to WindowMetrics or SegmentMetrics
        Keyed by window kind.
    events : tuple of Event
        Every event (ODI3, ODI4, sustained drops, ≤ 88 % runs, scored annotations), by start.
    warnings : tuple of str
        Presumed windows, daylight-saving changes, ... in a reviewer's words.
    without_constant_runs : mapping of str to WindowMetrics or SegmentMetrics
        For each window a long constant run (``artifact.constant_runs``) touches, its SpO2
        figures with the run's samples taken as invalid (tables, events and pulse are not
        recomputed): the criteria check that a qualified outcome does not rest on the runs.
        Empty when no run touches a window.
    held_runs : tuple of (float, float, float)
        The runs taken out there, as ``(start_s, end_s, value_pct)``: in an overnight window
        those at a level a sleep figure counts, in a test segment every one.
    without_fall_plateaus : mapping of str to WindowMetrics or SegmentMetrics
        For each window a level accepted after an implausible fall (``artifact.fall_plateaus``)
        or data that stop low before a probe-off (``artifact.dropout_edges``) touch at a level
        it counts, its SpO2 figures with those plateaus' and edges' samples, and the window's
        ``held_runs``, taken as invalid: every stretch of valid data a reviewer must judge at
        once, so that a qualification resting on them together is held open too. Empty when
        no such plateau or edge touches a window.
    held_plateaus : tuple of FallPlateau
        The plateaus taken out there (as ``held_runs``: those at a level a sleep figure counts,
        in a test segment every one).
    held_dropout_edges : tuple of DropoutEdge
        The dropout edges taken out there (as ``held_plateaus``).
    spo2_artifact_spans_s : tuple of (float, float)
        Spans the scorer marked as SpO2 artifact in the recording's annotations, excluded like
        ``--exclude`` spans (``oximetry.windows.spo2_artifact_spans``).
    oxygen_marks_s : tuple of (float, float)
        Annotations marking supplemental oxygen given during the recording
        (``oximetry.windows.oxygen_marks``; ``end`` equals ``start`` for a mark without a
        duration).
    test_marks_s : tuple of (float, float)
        The spans of the recording's segment annotations that no segment of the test is
        (``--segment`` replaced them, or they have no duration: taken as lasting
        ``oximetry.windows.OPEN_MARK_S``, up to the first epoch scored as sleep on a staged
        night), as an overnight recording's sleep window left them out with the test
        (``oximetry.windows.WindowPlan.test_marks_s``); empty for a rest or exercise test,
        which takes nothing out.
    walk_o2_flows_lpm : tuple of float
        The distinct flows the recording's marks of oxygen name at the walk on oxygen, over it
        or since the part before it ended, ascending
        (``oximetry.windows.WindowPlan.walk_o2_flows_lpm``): a walk on oxygen given at another
        flow is not the marked walk's.
    oxygen_mark_flows_lpm : tuple of float
        The distinct flows every mark of ``oxygen_marks_s`` names, ascending
        (``oximetry.windows.oxygen_mark_flows``).
    """

    recording: Recording
    settings: AnalysisSettings
    artifact: ArtifactResult
    windows: tuple[Window, ...]
    metrics: Mapping[str, WindowMetrics | SegmentMetrics]
    events: tuple[Event, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)
    without_constant_runs: Mapping[str, WindowMetrics | SegmentMetrics] = field(
        default_factory=dict
    )
    held_runs: tuple[tuple[float, float, float], ...] = ()
    without_fall_plateaus: Mapping[str, WindowMetrics | SegmentMetrics] = field(
        default_factory=dict
    )
    held_plateaus: tuple[FallPlateau, ...] = ()
    held_dropout_edges: tuple[DropoutEdge, ...] = ()
    spo2_artifact_spans_s: tuple[tuple[float, float], ...] = ()
    oxygen_marks_s: tuple[tuple[float, float], ...] = ()
    test_marks_s: tuple[tuple[float, float], ...] = ()
    walk_o2_flows_lpm: tuple[float, ...] = ()
    oxygen_mark_flows_lpm: tuple[float, ...] = ()

    @property
    def main_window(self) -> str | None:
        """``sleep`` when staged, else ``presumed_sleep``; None for a recording with neither."""
        for kind in ("sleep", "presumed_sleep"):
            if kind in self.metrics:
                return kind
        return None

    def metrics_dict(self) -> dict[str, dict[str, Any]]:
        """Return ``metrics`` as plain data, as ``summary.json`` holds it."""
        return {kind: m.to_dict() for kind, m in self.metrics.items()}

    def without_constant_runs_dict(self) -> dict[str, Any] | None:
        """Return ``summary.json``'s ``without_constant_runs`` block (None when it is empty).

        ``runs``: the long constant runs taken out (``held_runs``: ``start_s``, ``end_s``,
        ``value_pct``); ``metrics``: the recomputed SpO2 figures of each window they touch
        (:data:`RECOMPUTED_FIGURES`).
        """
        if not self.without_constant_runs:
            return None
        return {
            "runs": [{"start_s": a, "end_s": b, "value_pct": v} for a, b, v in self.held_runs],
            "metrics": {
                kind: {k: v for k, v in m.to_dict().items() if k in RECOMPUTED_FIGURES}
                for kind, m in self.without_constant_runs.items()
            },
        }

    def without_fall_plateaus_dict(self) -> dict[str, Any] | None:
        """Return ``summary.json``'s ``without_fall_plateaus`` block (None when it is empty).

        ``plateaus``: the levels accepted after an implausible fall taken out (``held_plateaus``,
        by their :class:`FallPlateau` fields; empty when only dropout edges were);
        ``dropout_edges``: the data that stop low before a probe-off taken out
        (``held_dropout_edges``, by their :class:`DropoutEdge` fields; only when there are
        any); ``metrics``: the recomputed SpO2 figures of each window they touch, without them
        and the window's held runs (:data:`RECOMPUTED_FIGURES`).
        """
        if not self.without_fall_plateaus:
            return None
        edges = [e._asdict() for e in self.held_dropout_edges]
        return {
            "plateaus": [p._asdict() for p in self.held_plateaus],
            **({"dropout_edges": edges} if edges else {}),
            "metrics": {
                kind: {k: v for k, v in m.to_dict().items() if k in RECOMPUTED_FIGURES}
                for kind, m in self.without_fall_plateaus.items()
            },
        }


#: The SpO2 figures ``Analysis.without_constant_runs`` holds recomputed (the others of a window
#: are not: tables, events, ODI, pulse).
RECOMPUTED_FIGURES = frozenset(
    {
        "duration_min",
        "valid_min",
        "t_le88_min",
        "t_le88_pct",
        "t_lt90_min",
        "t_lt90_pct",
        "t_le90_min",
        "longest_le88_min",
        "longest_le88_start_s",
        "nadir_pct",
        "nadir_s",
        "mean_pct",
        "median_pct",
        "awake_baseline_pct",
        "awake_baseline_source",
        "drop5_min",
        "longest_drop5_min",
        "drop5_from_mean_min",
        "longest_drop5_from_mean_min",
        "sustained_nadir_pct",
        "sustained_nadir_elapsed_s",
        "valid_elapsed_s",
        "covered_elapsed_s",
        "asleep_min",
        "unscored_min",
    }
)
