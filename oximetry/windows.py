"""Analysis windows (SPEC §5, §6): sleep, awake, presumed sleep, the awake baseline, segments.

Windows are :class:`~oximetry.results.Window` objects holding spans in seconds, so they apply to
any channel at any rate (:func:`window_mask`). It reads sleep stages, lights off/on and
exercise-test segments from the annotations in the words of :mod:`oximetry.annotations` (whose
``stage_of`` and ``annotation_kind`` it re-exports), and turns option text (``300``, ``0-300``,
``22:30``, ``10:05:00-10:11:00``) into seconds from the recording start.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from .annotations import annotation_kind, is_walk_note, oxygen_flows_lpm, stage_of
from .errors import RecordingFormatError, SettingsError
from .model import Annotation, Recording
from .results import Window
from .settings import SEGMENT_NAMES, AnalysisSettings
from .spans import find_runs, run_spans, spans_mask

__all__ = [
    "MARKS_SET_ASIDE",
    "SLEEP_STAGES",
    "STAGING_SET_ASIDE",
    "WindowPlan",
    "annotation_kind",
    "baseline_window_for",
    "build_windows",
    "clock_text",
    "lights_out_spans",
    "oxygen_mark_flows",
    "oxygen_marks",
    "segment_outside",
    "spo2_artifact_spans",
    "stage_of",
    "staged_spans",
    "staging_from_annotations",
    "valid_spans",
    "window_mask",
]

#: Stages that count as sleep (SPEC §5).
SLEEP_STAGES = ("N1", "N2", "N3", "N4", "R")
#: The warning of a hypnogram given beside the recording's own staging (``oxi verify`` names it).
STAGING_SET_ASIDE = (
    "The recording's own sleep staging (its annotations) was set aside for the hypnogram given "
    "(--hypnogram)."
)
#: How the warnings of ``--lights-off``/``--lights-on`` and ``--segment`` given in place of the
#: recording's own lights or segment marks begin (``oxi verify`` notes them).
MARKS_SET_ASIDE = (
    "The recording marks lights",
    "The recording's lights on",
    "The recording's segment annotations",
)
#: Length given to a stage annotation that has no duration (one scoring epoch).
EPOCH_S = 30.0

_EPS = 1e-9


def staging_from_annotations(
    annotations: Iterable[Annotation], path: str | None = None
) -> tuple[tuple[float, float, str], ...]:
    """Return the hypnogram held in annotations as (onset_s, duration_s, stage).

    A stage annotation without a duration stands for one 30-s epoch. Annotations of the same
    stage may overlap (they are merged later); different stages at the same time are refused.

    Parameters
    ----------
    annotations : iterable of Annotation
    path : str, optional
        The recording, for the message.

    Returns
    -------
    tuple of (float, float, str)
        Sorted by onset.

    Raises
    ------
    RecordingFormatError
        Two stage annotations of different stages overlap.
    """
    out = []
    for a in annotations:
        stage = stage_of(a.text)
        if stage is not None:
            out.append(
                (float(a.onset_s), float(a.duration_s) if a.duration_s > 0 else EPOCH_S, stage)
            )
    out.sort()
    reach: tuple[float, float, str] | None = None  # the stage that reaches furthest so far
    for epoch in out:
        if reach is not None and epoch[0] < reach[0] + reach[1] - _EPS and epoch[2] != reach[2]:
            raise RecordingFormatError(
                f"sleep-stage annotations overlap: {reach[2]} from {reach[0]:g} s lasting "
                f"{reach[1]:g} s and {epoch[2]} from {epoch[0]:g} s; the same time cannot be two "
                "stages (give the staging with --hypnogram)",
                path,
            )
        if reach is None or epoch[0] + epoch[1] > reach[0] + reach[1]:
            reach = epoch
    return tuple(out)


def window_mask(window: Window, n: int, fs: float) -> NDArray[np.bool_]:
    """Return one flag per sample, True for samples whose time lies in the window.

    Parameters
    ----------
    window : Window
        Spans in seconds from the start.
    n : int
        Number of samples of the channel.
    fs : float
        Its sampling rate (any channel: SpO2, pulse ...).

    Returns
    -------
    numpy.ndarray of bool
    """
    return spans_mask(window.spans_s, fs, n)


def segment_outside(start_s: float, end_s: float, recording: Recording) -> bool:
    """Return True when a segment does not lie within the recording.

    A segment must start before the recording's end and end at most one sample interval after
    it (the last sample lasts one interval).

    Parameters
    ----------
    start_s, end_s : float
        The segment, in seconds from the recording's start.
    recording : Recording
        The recording (its SpO2 samples and rate).

    Returns
    -------
    bool
    """
    rec_end_s = recording.spo2.n_samples / recording.fs
    return start_s >= rec_end_s or end_s > rec_end_s + 1.0 / recording.fs + _EPS


def _merge(spans: Iterable[tuple[float, float]], end_s: float) -> tuple[tuple[float, float], ...]:
    """Sort, clip to [0, end_s] and merge touching or overlapping spans."""
    clipped = sorted((max(0.0, s), min(end_s, e)) for s, e in spans)
    out: list[tuple[float, float]] = []
    for s, e in clipped:
        if e <= s:
            continue
        if out and s <= out[-1][1] + _EPS:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return tuple(out)


def staged_spans(
    epochs: Iterable[tuple[float, float]], fs: float, end_s: float
) -> tuple[tuple[float, float], ...]:
    """Return scored epochs as the spans of the samples that lie wholly inside them.

    Parameters
    ----------
    epochs : iterable of (float, float)
        The epochs of one stage or group of stages, (start, end) in seconds.
    fs : float
        Sampling rate.
    end_s : float
        The recording's end.

    Returns
    -------
    tuple of (float, float)
        Merged spans, each ending at the end of the last sample wholly inside it
        (:func:`_whole_samples`).

    Examples
    --------
    >>> staged_spans([(0.0, 30.0), (30.0, 60.0), (90.0, 150.0)], 0.25, 600.0)  # 4-s samples
    ((0.0, 60.0), (92.0, 148.0))
    """
    return _whole_samples(_merge(epochs, end_s), fs)


def _whole_samples(
    spans: Sequence[tuple[float, float]], fs: float
) -> tuple[tuple[float, float], ...]:
    """Return staged spans from their first to the end of their last whole sample.

    A sample belongs to a window by its start time; an epoch boundary between two samples (30-s
    epochs at 4-s samples hold 7.5 of them) gave each epoch starting on a sample 8 samples (32
    s) and the next one 7. Sleep epochs every other epoch then held 120.0 min of samples for
    112.5 min staged, and a night short of MassHealth's 2 hours qualified. The sample across a
    boundary now belongs to neither stage, so no window holds more time than was staged.
    """
    out = []
    for a, b in spans:
        # from the first sample starting in it to the end of the last one ending in it: the
        # samples themselves, so a pulse at its own rate is counted over the same time
        start, end = math.ceil(a * fs - _EPS) / fs, math.floor(b * fs + _EPS) / fs
        if end > start:
            out.append((start, end))
    return tuple(out)


def _first_true(mask: NDArray[np.bool_], count: int) -> NDArray[np.intp]:
    """Return the indices of the first ``count`` True flags, reading only as far as needed."""
    n = mask.shape[0]
    found: list[NDArray[np.intp]] = []
    got, s, step = 0, 0, max(2 * count, 1 << 16)
    while s < n and got < count:
        e = min(n, s + step)
        idx = np.flatnonzero(mask[s:e])[: count - got] + s
        found.append(idx)
        got += idx.size
        s, step = e, 2 * step
    return np.concatenate(found) if found else np.empty(0, dtype=np.intp)


@dataclass(frozen=True)
class WindowPlan:
    """The windows of one recording and how the awake baseline is taken.

    Parameters
    ----------
    windows : tuple of Window
        Main window first (``sleep`` or ``presumed_sleep``), then ``awake`` or
        ``presumed_awake``, then exercise-test segments.
    baseline : Window or None
        The window whose valid samples give the awake baseline.
    staged : bool
        True when sleep staging (annotations or hypnogram) was used.
    warnings : tuple of str
        What was presumed, in a reviewer's words.
    staging : tuple of (float, float, str)
        The hypnogram used (onset s, duration s, stage); empty when not staged. Kept for rest
        and exercise tests too, which have no sleep window: a segment's minutes scored as
        sleep are counted (``SegmentMetrics.asleep_min``).
    test_marks_s : tuple of (float, float)
        The spans of the recording's segment annotations that no segment of the test is
        (``--segment`` replaced them, or they have no duration: :func:`_open_spans`), which
        an overnight recording's sleep window left out with the test, in time order; empty
        for a rest or exercise test, which takes nothing out.
    walk_o2_flows_lpm : tuple of float
        The distinct flows the recording's oxygen marks name at the walk on oxygen, over it or
        since the part before it ended (:func:`_walk_flow_marks`), ascending; empty without a
        walk on oxygen or such a mark.
    rest_walk_s : float or None
        Seconds from the start of the first walk's start the recording marks that the ``rest``
        segment holds or follows (:func:`_rest_walks`; ``SegmentMetrics.walk_mark_s``), None
        when none does or there is no rest segment. A rest or exercise test with one is refused
        (:func:`_check_rest_before_walks`); any other keeps it, as its rules do not judge the
        rest part as a rest test, but ``oxi qualify --summary`` may under a context of a rest
        test.
    """

    windows: tuple[Window, ...]
    baseline: Window | None
    staged: bool
    warnings: tuple[str, ...]
    staging: tuple[tuple[float, float, str], ...] = ()
    test_marks_s: tuple[tuple[float, float], ...] = ()
    walk_o2_flows_lpm: tuple[float, ...] = ()
    rest_walk_s: float | None = None


#: How a warning names the test a recording is analysed as (None: segments without staging).
_TEST_NAMES = {"exercise": "an exercise", "rest": "a rest"}

#: A recording longer than this has clock times that occur twice: its times carry the day.
DAY_S = 86400.0


def clock_text(
    start: _dt.datetime,
    seconds: float,
    *,
    span_s: float,
    date_known: bool = True,
    clock_known: bool = True,
    with_seconds: bool = True,
) -> str:
    """Return a time of a recording as its reader sees it: a clock time, dated when needed.

    A clock time alone names one moment only within 24 h of the start. A MIMIC numerics record
    of 32 h printed its presumed sleep window "00:45–08:45" and a nadir "at 08:31:25" that was on
    the second day. So a recording of more than 24 h (or a time 24 h or more from its start)
    shows the date (``2896-10-11 08:31:25``), or the day of the recording when the file holds
    no date (``day 2 08:31:25``); a night (22:00 to 06:00) keeps its plain clock times.

    Parameters
    ----------
    start : datetime.datetime
        The recording's first sample.
    seconds : float
        The time, in seconds from the first sample.
    span_s : float
        The recording's length in seconds.
    date_known : bool
        False when the file holds no date (the start's date is a placeholder).
    clock_known : bool
        False when the file holds neither date nor clock time: the time is then elapsed time.
    with_seconds : bool
        Show seconds.

    Returns
    -------
    str
        ``08:31:25``, ``2896-10-11 08:31:25``, ``day 2 08:31:25`` or ``0:44:28 elapsed``.

    Examples
    --------
    >>> t0 = _dt.datetime(2026, 1, 5, 22, 0)
    >>> clock_text(t0, 8 * 3600, span_s=9 * 3600)
    '06:00:00'
    >>> clock_text(t0, 30 * 3600, span_s=32 * 3600, with_seconds=False)
    '2026-01-07 04:00'
    >>> clock_text(t0, 30 * 3600, span_s=32 * 3600, date_known=False)
    'day 3 04:00:00'
    >>> clock_text(t0, 2668, span_s=3600, clock_known=False)
    '0:44:28 elapsed'
    """
    if not clock_known:
        h, rem = divmod(int(seconds), 3600)
        return f"{h}:{rem // 60:02d}" + (f":{rem % 60:02d}" if with_seconds else "") + " elapsed"
    t = start + _dt.timedelta(seconds=float(seconds))
    clock = t.strftime("%H:%M:%S" if with_seconds else "%H:%M")
    if span_s <= DAY_S and 0 <= seconds < DAY_S:
        return clock
    if date_known:
        return f"{t:%Y-%m-%d} {clock}"
    return f"day {(t.date() - start.date()).days + 1} {clock}"


def _clock(recording: Recording, seconds: float) -> str:
    return clock_text(
        recording.start,
        seconds,
        span_s=recording.duration_s,
        date_known=recording.source.date_known,
        clock_known=recording.clock_known,
    )


def build_windows(
    recording: Recording, settings: AnalysisSettings, valid: NDArray[np.bool_]
) -> WindowPlan:
    """Build every window SPEC §5 and §6 define for this recording.

    Parameters
    ----------
    recording : Recording
        Its annotations supply stages, lights off/on and segments.
    settings : AnalysisSettings
        ``staging`` (hypnogram), ``lights_off_s``/``lights_on_s``, ``awake_span_s``,
        ``segments_s``, ``test_type``, ``presumed_awake_s``.
    valid : numpy.ndarray of bool
        The SpO2 validity mask (after artifact rejection).

    Returns
    -------
    WindowPlan

    Raises
    ------
    SettingsError
        Lights off/on outside the recording.
    RecordingFormatError
        The recording's own stage annotations overlap, or none of its scored ones lies within
        it (without ``settings.staging``).
    """
    fs = recording.fs
    n = recording.spo2.n_samples
    end_s = n / fs
    warnings: list[str] = []
    # first and last valid sample (no index list of the whole night)
    first_s = last_s = 0.0
    if valid.any():
        first_s = float(np.argmax(valid)) / fs
        last_s = float(valid.shape[0] - int(np.argmax(valid[::-1]))) / fs

    if settings.staging:
        staging, stage_source = settings.staging, "hypnogram"
        try:
            own = staging_from_annotations(recording.annotations, recording.source.path)
            set_aside = any(stage != "?" for _, _, stage in own)
        except RecordingFormatError:  # overlapping stages: the hypnogram is the way round them
            set_aside = True
        if set_aside:
            # set aside without a word, a hypnogram scoring the recording's own wake as sleep
            # qualified its dip
            warnings.append(STAGING_SET_ASIDE)
    else:
        staging = staging_from_annotations(recording.annotations, recording.source.path)
        stage_source = "annotations"
        _check_staging_inside(staging, end_s, recording.source.path)
    # scored time, each moment once: unscored epochs ('?') covered nothing, and a stage given
    # twice (in the EDF and its NSRR XML) counted twice, and either hid the warning
    covered = sum(b - a for a, b in _merge(((o, o + d) for o, d, s in staging if s != "?"), end_s))
    if staging and covered < 0.9 * end_s:
        # Said for the recording's own staging too: a split night whose second file had no
        # staging lost that file's minutes from the sleep window without a word.
        what = "The hypnogram" if stage_source == "hypnogram" else "The recording's sleep staging"
        warnings.append(
            f"{what} covers {covered / 3600:.1f} h of the {end_s / 3600:.1f} h "
            "recording; the rest is unscored (neither sleep nor wake)."
        )
    sleep_spans = _merge(((o, o + d) for o, d, s in staging if s in SLEEP_STAGES), end_s)
    wake_spans = _merge(((o, o + d) for o, d, s in staging if s == "W"), end_s)
    # Staging of unscored epochs only ('?') over most of the recording is still a sleep study's,
    # never no staging: taken as none, its night became a presumed-sleep window and passed for
    # stand-alone oximetry. A stray note ("Movement") is no staging.
    unscored = sum(b - a for a, b in _merge(((o, o + d) for o, d, _ in staging), end_s))
    staged = bool(sleep_spans or wake_spans) or unscored >= 0.5 * end_s

    segments = _segments(recording, settings, end_s, first_s, last_s, warnings)
    exercise_test = settings.test_type in ("exercise", "rest") or (
        settings.test_type is None and bool(segments) and not staged
    )
    walk_flows = _walk_flow_marks(recording, segments)
    _check_walk_flow(recording, settings, segments, walk_flows)
    if exercise_test:
        _check_rest_before_walks(recording, settings, segments)
    if exercise_test and not settings.segments_s:
        # A mark without a duration (a walk's start pressed on the device) bounds no segment;
        # said, as the test then lacks that part (an overnight test says it with the minutes
        # the mark takes out of the night, in one warning: _open_mark_warnings)
        warnings.extend(
            f"The recording's {name!r} annotation at {t:g} s has no duration, so it marks no "
            "segment: give the segments with --segment."
            for name, t in _open_marks(recording, settings)
        )
    if settings.test_type in ("exercise", "rest") and not segments:
        warnings.append(
            f"The test type is {settings.test_type} but no rest/exercise/exercise_o2 segment was "
            "given (--segment or annotations), so there are no segment figures."
        )

    windows: list[Window] = []
    baseline: Window | None = None
    test_marks_s: tuple[tuple[float, float], ...] = ()
    unused = [
        name
        for name, value in (
            ("--lights-off", settings.lights_off_s),
            ("--lights-on", settings.lights_on_s),
            ("--awake", settings.awake_span_s),
        )
        if value is not None
    ]
    if exercise_test and unused:
        # dropped without a word, as a staged night says of lights off/on it does not use: a
        # reviewer took the test for one judged with the awake span given
        test = _TEST_NAMES.get(settings.test_type or "", "a rest/exercise")
        one = len(unused) == 1
        # lights off/on still place the time in bed that a part may not lie in (lights_out_spans)
        lights = any(name.startswith("--lights") for name in unused)
        warnings.append(
            f"{' and '.join(unused)} {'was' if one else 'were'} given, but the recording is "
            f"analysed as {test} test (its segments only: no sleep window, no awake baseline), "
            f"so {'it was' if one else 'they were'} not used"
            + (
                " but to place the time in bed (lights off to lights on), where a rest or "
                "exercise part is not shown awake without staging."
                if lights
                else "."
            )
        )
    if not exercise_test:
        if staged:
            if settings.lights_off_s is not None or settings.lights_on_s is not None:
                warnings.append(
                    "Lights off/on were given but the sleep staging defines the sleep window; "
                    "they were not used."
                )
            if not sleep_spans:
                warnings.append(f"The sleep staging ({stage_source}) has no sleep epochs.")
            windows.append(Window("sleep", stage_source, staged_spans(sleep_spans, fs, end_s)))
            if wake_spans:
                windows.append(Window("awake", stage_source, staged_spans(wake_spans, fs, end_s)))
        else:
            presumed, more = _presumed_sleep(recording, settings, first_s, last_s, end_s, valid)
            windows.append(presumed)
            warnings.extend(more)
        asleep = sleep_spans if staged else ()
        # The awake baseline (awake, at rest, on room air) loses the walks, the pauses between
        # them and the minutes after them, not a rest part: a night marked with its 10 min at
        # rest on room air (93 %) took its baseline from later, at 96 %, and a night at 89-90 %
        # was a drop of more than 5 points.
        testing, recovery = _testing(recording, settings, segments, end_s)
        warnings.extend(_open_mark_warnings(recording, settings, end_s, asleep))
        tests = _test_spans(testing)
        test_marks_s = tuple(sorted(span for w in testing[len(segments) :] for span in w.spans_s))
        if tests:
            windows = _without_segments(recording, windows, testing, tests, recovery, warnings)
        scored = _merge(((o, o + d) for o, d, _ in staging), end_s) if staged else ()
        on_oxygen = ""
        if any(seg.kind == "exercise_o2" for seg in testing):
            on_oxygen = "holds a walk on oxygen (exercise_o2)"
        elif marks := oxygen_marks(recording):
            # a mark of oxygen given: the presumed baseline took an hour at 98 % on 2 L/min,
            # and a night at 92 % on room air after it a drop of more than 5 points (hunt 14)
            first = _clock(recording, marks[0][0])
            on_oxygen = (
                f"has {len(marks)} annotation(s) marking supplemental oxygen (the first at {first})"
            )
        baseline, more = _baseline_window(
            recording, settings, valid, windows, scored, recovery, on_oxygen=on_oxygen
        )
        warnings.extend(more)
        if baseline is not None and baseline.source == "awake_option" and not staged:
            # the user says the patient was awake then: no part of the presumed sleep (an
            # --awake span at 03:00 inside it counted as both, and its 96 % raised the baseline
            # the same night's minutes fell from)
            windows = _awake_out_of_sleep(recording, windows, baseline, warnings)
        if baseline is not None and all(w.kind != baseline.kind for w in windows):
            windows.append(baseline)
        elif baseline is not None:
            windows = [baseline if w.kind == baseline.kind else w for w in windows]
    # The scorer's SpO2 artifact spans are rejected spans too (SPEC §5), left out like --exclude
    rejected = (*settings.exclude_s, *spo2_artifact_spans(recording))
    if rejected:
        windows = [_outside(w, rejected, fs, n) for w in windows]
    warnings.extend(_spo2_artifact_warnings(recording))
    windows.extend(segments)
    warnings.extend(w.warning for w in windows if w.warning)
    return WindowPlan(
        tuple(windows),
        baseline,
        staged,
        tuple(dict.fromkeys(warnings)),
        tuple(staging) if staged else (),
        test_marks_s,
        tuple(sorted({f for _, f in walk_flows})),
        _rest_walk_s(recording, settings, segments),
    )


def _check_staging_inside(
    staging: Sequence[tuple[float, float, str]], end_s: float, path: str | None
) -> None:
    """Refuse a recording's own staging whose scored epochs all lie outside the recording.

    Such stages belong to another recording or another stretch of this one (an export cut
    short). Left out, the night fell back to a presumed-sleep window: a PSG's EDF whose stages
    all lay after its data's end passed for stand-alone overnight oximetry and QUALIFIED Medicare
    Group I-2, as a hypnogram file of none of the recording is refused.
    """
    scored = [(o, o + d) for o, d, s in staging if s != "?"]
    if scored and not any(a < end_s and b > 0 for a, b in scored):
        first, last = min(a for a, _ in scored), max(b for _, b in scored)
        raise RecordingFormatError(
            f"its sleep-stage annotations lie from {first:g} s to {last:g} s from the start, "
            f"none within the recording (0 to {end_s:g} s): the staging of another recording "
            "or night (give the staging with --hypnogram)",
            path,
        )


def baseline_window_for(
    recording: Recording, settings: AnalysisSettings, plan: WindowPlan, valid: NDArray[np.bool_]
) -> Window | None:
    """Return the awake baseline's window the plan would take were only ``valid`` valid.

    Parameters
    ----------
    recording : Recording
        The recording the plan was built for.
    settings : AnalysisSettings
        The settings it was built with.
    plan : WindowPlan
        Its windows (:func:`build_windows`).
    valid : numpy.ndarray of bool
        A validity mask holding fewer valid samples than the plan's (held values taken out).

    Returns
    -------
    Window or None
        A presumed baseline is taken again, from the first 300 s of ``valid`` data outside
        the scored epochs and the test, as :func:`build_windows` takes it; staged wake and
        ``--awake`` keep their window (its median is then over ``valid`` alone).
    """
    if plan.baseline is None or plan.baseline.kind != "presumed_awake":
        return plan.baseline
    end_s = recording.spo2.n_samples / recording.fs
    scored = _merge(((o, o + d) for o, d, _ in plan.staging), end_s) if plan.staged else ()
    segments = [w for w in plan.windows if w.kind in SEGMENT_NAMES]
    _, recovery = _testing(recording, settings, segments, end_s)
    baseline, _ = _baseline_window(recording, settings, valid, (), scored, recovery)
    return baseline


#: Longest pause between two parts of one rest/exercise test (seconds): taken out of an
#: overnight recording's sleep window with the parts.
TEST_PAUSE_S = 600.0


def _test_spans(segments: Sequence[Window]) -> tuple[tuple[float, float], ...]:
    """Return the rest/exercise test's spans: its parts and the pauses between them.

    Pauses of up to :data:`TEST_PAUSE_S` between two parts are the test too (resting, perhaps
    on oxygen, between walks).
    """
    spans: list[tuple[float, float]] = []
    for a, b in sorted(span for seg in segments for span in seg.spans_s):
        if spans and a - spans[-1][1] <= TEST_PAUSE_S:
            spans[-1] = (spans[-1][0], max(spans[-1][1], b))
        else:
            spans.append((a, b))
    return tuple(spans)


def _without_segments(
    recording: Recording,
    windows: list[Window],
    segments: list[Window],
    tests: tuple[tuple[float, float], ...],
    recovery: tuple[tuple[float, float], ...],
    warnings: list[str],
) -> list[Window]:
    """Take a rest/exercise test out of an overnight recording's sleep and awake windows.

    ``tests`` are the test's spans (:func:`_test_spans`), taken out of the sleep windows;
    ``recovery`` its walks with the minutes after each, taken out of the sleep windows and the
    staged wake window.
    A walk recorded in the night's file is the patient awake and walking, part of it on
    oxygen: counted in the presumed sleep window, six minutes at 85 % on the walk qualified a
    night that stayed at 94 % as nocturnal hypoxemia (MG-OXY II.A.2.a.ii: "during sleep"); in
    the staged wake epochs, the walk on oxygen at 99 % was the awake baseline, and a night at
    93 % a drop of more than 5 points. The awake baseline is the patient awake at rest on room
    air.
    """
    fs, n = recording.fs, recording.spo2.n_samples
    out = []
    for w in windows:
        if w.kind in ("sleep", "presumed_sleep", "awake"):
            # the sleep windows lose the minutes after a walk too: 6 min at 87 % right after a
            # walk on room air, recovering awake, qualified as nocturnal hypoxemia
            gone = recovery if w.kind == "awake" else (*tests, *recovery)
            kept, taken = _minus(w.spans_s, gone, fs, n)
            if taken:
                w = replace(w, spans_s=kept)
                warnings.append(
                    f"The {', '.join(dict.fromkeys(seg.kind for seg in segments))} segment(s) "
                    "were taken out of "
                    f"the {w.kind.replace('_', ' ')} window ({taken / fs / 60:.1f} min): the "
                    "patient was testing then."
                )
        out.append(w)
    return out


def _awake_out_of_sleep(
    recording: Recording, windows: list[Window], awake: Window, warnings: list[str]
) -> list[Window]:
    """Take the ``--awake`` span out of the presumed sleep window, saying how much it took."""
    fs, n = recording.fs, recording.spo2.n_samples
    out = []
    for w in windows:
        if w.kind == "presumed_sleep":
            kept, taken = _minus(w.spans_s, awake.spans_s, fs, n)
            if taken:
                w = replace(w, spans_s=kept)
                warnings.append(
                    f"The --awake span was taken out of the presumed sleep window "
                    f"({taken / fs / 60:.1f} min): the patient was awake then."
                )
        out.append(w)
    return out


def spo2_artifact_spans(recording: Recording) -> tuple[tuple[float, float], ...]:
    """Return the spans the scorer marked as SpO2 artifact, within the recording, in time order.

    Annotations :func:`~oximetry.annotations.annotation_kind` calls ``artifact`` (NSRR's
    ``SpO2 artifact`` concept, Profusion's event name, the same words in EDF+ annotation text)
    with a duration. The analysis excludes them as it does ``--exclude`` spans (invalid, reason
    ``excluded``, and no part of the sleep window): SPEC §5's exclusions are spans a
    technologist rejected. Read as a scored event, displayed only, NSRR's ``SpO2 artifact``
    over a 10-min plateau at 80 % counted those minutes and qualified the night (hunt 10).

    Parameters
    ----------
    recording : Recording
        Its annotations (the file's and an NSRR/Profusion XML's beside it).

    Returns
    -------
    tuple of (float, float)
        ``(start_s, end_s)`` clipped to the recording; marks without a duration are left out
        (they mark no span).
    """
    end_s = recording.duration_s
    spans = {
        (max(float(a.onset_s), 0.0), min(float(a.onset_s + a.duration_s), end_s))
        for a in recording.annotations
        if a.duration_s > 0 and annotation_kind(a.text)[0] == "artifact"
    }
    return tuple(sorted((s, e) for s, e in spans if e > s))


def oxygen_marks(recording: Recording) -> tuple[tuple[float, float], ...]:
    """Return the annotations that mark supplemental oxygen, within the recording, in time order.

    Annotations :func:`~oximetry.annotations.annotation_kind` calls ``oxygen`` (``O2 2 L/min``,
    ``Oxygen on``, ``O2 added 1 lpm``). A mark says oxygen was given, not for how long: one
    without a duration (``O2 on`` at 01:30) may hold for the rest of the night, and one with a
    duration says nothing of the cannula before or after it.

    Parameters
    ----------
    recording : Recording
        Its annotations (the file's and an NSRR/Profusion XML's beside it).

    Returns
    -------
    tuple of (float, float)
        ``(start_s, end_s)`` clipped to the recording (``end_s`` equals ``start_s`` for a mark
        without a duration); marks wholly outside the recording are left out.
    """
    return tuple(sorted({(s, e) for s, e, _ in _oxygen_annotations(recording)}))


def _oxygen_annotations(recording: Recording) -> list[tuple[float, float, str]]:
    """Return each annotation marking oxygen as ``(start_s, end_s, text)``, clipped.

    For :func:`oxygen_marks` and :func:`oxygen_mark_flows`; those wholly outside the recording
    are left out.
    """
    end_s = recording.duration_s
    out = []
    for a in recording.annotations:
        if annotation_kind(a.text)[0] != "oxygen":
            continue
        start = max(float(a.onset_s), 0.0)
        end = min(float(a.onset_s) + _mark_length(a.duration_s), end_s)
        if end >= start:
            out.append((start, end, a.text))
    return out


def oxygen_mark_flows(recording: Recording) -> tuple[float, ...]:
    """Return the distinct flows the marks of :func:`oxygen_marks` name, ascending.

    Parameters
    ----------
    recording : Recording
        Its annotations.

    Returns
    -------
    tuple of float
        Each flow in L/min a mark of oxygen within the recording names (``O2 2 L/min``,
        ``O2 2-4 L/min``: 2 and 4); empty when none names one. Medicare's > 4 L/min tier
        needs the test on at least 4 L/min (LCD L33797), and a night marked ``Oxygen 2 L/min``
        had it beside ``test.o2_flow_lpm: 4``.
    """
    flows = {f for _, _, text in _oxygen_annotations(recording) for f in oxygen_flows_lpm(text)}
    return tuple(sorted(flows))


def _mark_length(duration_s: float) -> float:
    """Return a mark's duration, 0 when negative or not finite.

    A NaN duration made the mark's end NaN, and the mark was dropped: the night's first hour
    on oxygen was the awake baseline again (review of hunt 14). A mark without a length still
    says oxygen was given.
    """
    d = float(duration_s)
    return d if math.isfinite(d) and d > 0 else 0.0


def _spo2_artifact_warnings(recording: Recording) -> list[str]:
    """Say what the scorer's SpO2 artifact annotations took out, and which took out nothing."""
    fs, n = recording.fs, recording.spo2.n_samples
    spans = spo2_artifact_spans(recording)
    out = []
    if spans:
        taken = int(np.count_nonzero(spans_mask(spans, fs, n)))
        out.append(
            f"{len(spans)} span(s) the scorer marked as SpO2 artifact ({taken / fs / 60:.1f} min) "
            "were excluded from the analysis, as with --exclude: their samples are invalid "
            "(excluded) and no part of the sleep window."
        )
    marks = sum(
        1
        for a in recording.annotations
        if not a.duration_s > 0 and annotation_kind(a.text)[0] == "artifact"
    )
    if marks:
        out.append(
            f"{marks} SpO2 artifact annotation(s) have no duration, so they exclude nothing: "
            "give the spans with --exclude."
        )
    return out


def _outside(window: Window, exclude_s: Sequence[tuple[float, float]], fs: float, n: int) -> Window:
    """Return a sleep window without the spans a technologist rejected (``--exclude``).

    The excluded samples stay in the recording, invalid (``excluded``); taken out of the night
    too, they bound it, so one night of a recording of several can be judged (a sleep window
    over more than one night is not evaluable). Other windows are returned as they are: a
    segment keeps its span, so a walk mostly excluded still shows as mostly invalid.
    """
    if window.kind not in ("sleep", "presumed_sleep"):
        return window
    kept, taken = _minus(window.spans_s, exclude_s, fs, n)
    return replace(window, spans_s=kept) if taken else window


def _minus(
    spans: Sequence[tuple[float, float]],
    other: Sequence[tuple[float, float]],
    fs: float,
    n: int,
) -> tuple[tuple[tuple[float, float], ...], int]:
    """Return ``spans`` without the samples of ``other``, and how many samples that took out.

    Unchanged (as given, not snapped to the samples) when ``other`` holds none of them.
    """
    inside = spans_mask(spans, fs, n)
    taken = inside & spans_mask(other, fs, n)
    if not taken.any():
        return tuple(spans), 0
    return run_spans(*find_runs(inside & ~taken), fs), int(np.count_nonzero(taken))


def _presumed_sleep(
    recording: Recording,
    settings: AnalysisSettings,
    first_s: float,
    last_s: float,
    end_s: float,
    valid: NDArray[np.bool_],
) -> tuple[Window, list[str]]:
    """Return the presumed-sleep window: lights off to lights on, each end from where it comes.

    An option gives its own end only: the recording's mark of the other end is kept (a
    ``--lights-off 23:15`` correcting a file's 23:00 dropped its lights on at 06:00 without a
    word, and a dip at 08:00, awake, qualified). An end that neither an option nor a mark gives is
    the first or last valid sample, recorded as such (``Window.ends``) for the rules' night-hours
    check: a ``--lights-on 06:00`` alone on a recording from 17:00 made the evening's dip at 17:30
    "sleep" bounded by lights-off/on, and it qualified.
    """
    off, on = settings.lights_off_s, settings.lights_on_s
    notes: list[str] = []
    if off is not None and not (0 <= off < end_s):
        raise SettingsError(f"lights off at {off:g} s is outside the recording (0 to {end_s:g} s)")
    if on is not None and on <= 0:
        raise SettingsError(f"lights on at {on:g} s is outside the recording (0 to {end_s:g} s)")
    after_end = on is not None and on > end_s
    if on is not None and on > end_s:
        # The recording stopped before lights on: the window ends with it. Said, because a
        # mistyped lights on (16:30 for 06:30, or one before lights off, read as the next day)
        # lands here too, and the window then holds the morning awake: that end is the
        # recording's ("recording_end"), checked against the night hours as an open end (put
        # down as --lights-on's, a dip at 10:30 of a night to 11:30 qualified nocturnal).
        notes.append(
            f"Lights on ({_clock(recording, on)}) is after the recording ends "
            f"({_clock(recording, end_s)}): the presumed sleep window ends with the recording."
        )
        on = end_s
    marked, marked_ends, repeated, marked_off = _lights_spans(
        recording, end_s, first_s, last_s, valid
    )
    if off is None:
        notes.extend(_repeated_text(recording, repeated))
    if off is None and marked_off and not marked:
        # Every lights off the recording marks opens no valid data (after the last valid
        # sample): the recording's data are before lights off, lit. Never the whole recording
        # (a lights off at 05:30 on data to 05:00 made 20:30-05:00 sleep), nor from the first
        # valid sample to --lights-on.
        notes.append(
            "The recording marks lights off only after its last valid sample "
            f"({_clock(recording, last_s)}): its data are before lights off, so no presumed "
            "sleep window holds data (give --lights-off for another)."
        )
        late = "recording_end" if after_end else "option"
        stop = "last_valid" if on is None else late
        source = "annotations" if on is None else "lights_off_on"
        warning = (
            "No sleep staging, and no presumed sleep window: the recording marks lights off only "
            "after its last valid sample."
        )
        return Window("presumed_sleep", source, (), warning, ("annotations", stop)), notes
    if off is None and on is None and not marked:
        warning = (
            "No sleep staging: the sleep figures cover a presumed sleep window from the first to "
            f"the last valid sample ({_clock(recording, first_s)} to {_clock(recording, last_s)}), "
            "which may include time awake."
        )
        whole = ((first_s, last_s),) if last_s > first_s else ()
        return Window("presumed_sleep", "first_to_last_valid", whole, warning), notes
    spans = list(marked) if marked else [(first_s, last_s)]
    ends = list(marked_ends) if marked else ["first_valid", "last_valid"]
    if off is not None:
        if ends[0] == "annotations" and abs(spans[0][0] - off) > _EPS:
            notes.append(
                f"The recording marks lights off at {_clock(recording, spans[0][0])}; "
                f"--lights-off ({_clock(recording, off)}) was used instead."
            )
        kept = [(a, b) for a, b in spans if b > off]
        if not kept:
            if ends[1] == "annotations":
                notes.append(
                    f"The recording's lights on ({_clock(recording, spans[-1][1])}) is not "
                    f"after --lights-off ({_clock(recording, off)}), so it was not used."
                )
            kept, ends[1] = [(off, last_s)], "last_valid"
        spans, ends[0] = [(off, kept[0][1]), *kept[1:]], "option"
    if on is not None:
        if ends[1] == "annotations" and abs(spans[-1][1] - on) > _EPS:
            notes.append(
                f"The recording marks lights on at {_clock(recording, spans[-1][1])}; "
                f"--lights-on ({_clock(recording, on)}) was used instead."
            )
        kept = [(a, b) for a, b in spans if a < on]
        if not kept and ends[0] == "option":
            kept = [(spans[0][0], on)]  # lights on before lights off: refused below
        elif not kept:
            if ends[0] == "annotations":
                notes.append(
                    f"The recording's lights off ({_clock(recording, spans[0][0])}) is not "
                    f"before --lights-on ({_clock(recording, on)}), so it was not used."
                )
            kept, ends[0] = [(first_s, on)], "first_valid"
        spans, ends[1] = [*kept[:-1], (kept[-1][0], on)], "recording_end" if after_end else "option"
    if any(b <= a for a, b in spans):
        raise SettingsError(
            f"the presumed sleep window is empty: {spans[0][0]:g} s to {spans[-1][1]:g} s "
            "(check lights off/on)"
        )
    source = "annotations" if off is None and on is None else "lights_off_on"
    # which end came from where, in the words (a file marking only lights on was "from lights
    # off to lights on as the recording marks them", its start the first valid sample)
    words = (
        f"from {_end_text(recording, 'off', ends[0], spans[0][0])} to "
        f"{_end_text(recording, 'on', ends[1], spans[-1][1])}"
    )
    if len(spans) > 1:
        periods = ", ".join(f"{_clock(recording, a)} to {_clock(recording, b)}" for a, b in spans)
        words += f", over the periods with lights off ({periods})"
    warning = (
        f"No sleep staging: the sleep figures cover a presumed sleep window {words}, which may "
        "include time awake."
    )
    return Window("presumed_sleep", source, tuple(spans), warning, (ends[0], ends[1])), notes


def _end_text(recording: Recording, lights: str, origin: str, at_s: float) -> str:
    """Return one end of a presumed-sleep window and where it came from, in words."""
    clock = _clock(recording, at_s)
    if origin == "recording_end":
        return f"the end of the recording ({clock}; --lights-on is after it)"
    if origin in ("first_valid", "last_valid"):
        which = "first" if origin == "first_valid" else "last"
        return f"the {which} valid sample ({clock}; no lights {lights} given or marked)"
    if origin == "earlier_mark":
        return f"lights off ({clock}, the earlier of the lights off the recording marks)"
    how = f"--lights-{lights}" if origin == "option" else "as the recording marks it"
    return f"lights {lights} ({clock}, {how})"


def _repeated_text(
    recording: Recording, repeated: Sequence[tuple[tuple[float, ...], float, bool]]
) -> list[str]:
    """Say, for each run of lights off with no lights on between, which mark was used and why.

    ``repeated`` as :func:`_lights_spans` returns it: the marks, the one used, and whether its
    period was kept.
    """
    out: list[str] = []
    for marks, used, kept in repeated:
        said = ", ".join(_clock(recording, t) for t in marks)
        later = [t for t in marks if t > used]
        none = ", ".join(_clock(recording, t) for t in later)
        head = f"The recording marks lights off at {said} with no lights on between"
        if not later:
            out.append(
                f"{head}: the later ({_clock(recording, used)}) was used, so the time from "
                f"{_clock(recording, marks[0])} to it is not presumed sleep (give --lights-off "
                "for another)."
            )
        elif not kept:
            out.append(
                f"{head}, and the later ({none}) opens no valid data: which is right the marks "
                "do not say, so that period is not presumed sleep (give --lights-off for "
                "another)."
            )
        elif used == marks[0]:
            out.append(
                f"{head}, and the later ({none}) opens no valid data: the presumed sleep window "
                f"starts at the earlier ({_clock(recording, used)}); if the later is right the "
                "recording holds no presumed sleep, and a qualification on it is held open "
                "(give --lights-off for the right one)."
            )
        else:
            out.append(
                f"{head}, and the latest ({none}) opens no valid data: the presumed sleep window "
                f"starts at {_clock(recording, used)}, so the time from "
                f"{_clock(recording, marks[0])} to it is not presumed sleep; if the latest is "
                "right the recording holds no presumed sleep, and a qualification on it is held "
                "open (give --lights-off for the right one)."
            )
    return out


def lights_out_spans(
    recording: Recording, settings: AnalysisSettings | None = None
) -> tuple[tuple[float, float], ...]:
    """Return the periods the recording's lights marks (or the options) put the patient in bed.

    Read for rest and exercise parts, which are taken awake: a part after the recording's
    lights off and before its lights on lies where the patient was in bed, presumed asleep
    (SPEC §5), and only sleep staging shows it awake. Read widely, as nothing here is a window
    of figures: each period opens at the first lights off of a run of them (the earliest the
    patient may have gone to bed) and closes at the next lights on, else at the recording's
    end; a lights on with no lights off before it closes a period from the recording's start
    (a recording started in bed). ``--lights-off`` and ``--lights-on`` (``settings``) take the
    place of the file's marks of their kind, as they do for the sleep window: a morning test
    after a lights on the file words otherwise (``Lights on - end of study``) is placed by
    ``--lights-on``, and a part after ``--lights-off`` given where the file marks none lies in
    bed too.

    Parameters
    ----------
    recording : Recording
        Its annotations.
    settings : AnalysisSettings, optional
        ``lights_off_s`` and ``lights_on_s``, seconds from the recording's start.

    Returns
    -------
    tuple of (float, float)
        ``(start_s, end_s)`` within the recording; empty when it marks no lights off or on.
    """
    end_s = recording.duration_s
    given = {}
    if settings is not None:
        given = {
            word: t
            for word, t in (("off", settings.lights_off_s), ("on", settings.lights_on_s))
            if t is not None
        }
    marks = sorted(
        [
            (max(float(a.onset_s), 0.0), kind[1])
            for a in recording.annotations
            if (kind := annotation_kind(a.text))[0] == "lights"
            and kind[1] not in given
            and float(a.onset_s) <= end_s
        ]
        + [(max(t, 0.0), word) for word, t in given.items() if t <= end_s]
    )
    spans: list[tuple[float, float]] = []
    opened: float | None = 0.0 if marks and marks[0][1] == "on" else None
    for t, word in marks:
        if word == "off" and opened is None:
            opened = t
        elif word == "on" and opened is not None:
            spans.append((opened, t))
            opened = None
    if opened is not None:
        spans.append((opened, end_s))
    return tuple((a, b) for a, b in spans if b > a)


def _lights_spans(
    recording: Recording, end_s: float, first_s: float, last_s: float, valid: NDArray[np.bool_]
) -> tuple[
    tuple[tuple[float, float], ...],
    tuple[str, str],
    tuple[tuple[tuple[float, ...], float, bool], ...],
    bool,
]:
    """Return every lights-off to lights-on period the annotations mark, in time order.

    A night may have several: lights on at 02:00 for an hour and off again (only the first
    pair was read, and the rest of the night went uncounted). A lights off without a lights on
    after it runs to the last valid sample. In a recording that marks no lights off at all (one
    started in bed), the first lights on closes a period from the first valid sample; where a
    lights off is marked, a lights on before it (a device's mark at switch-on) is not a night.

    A lights off repeated before any lights on (off, off) conflicts, and which mark is right
    the marks do not say. Time before the earlier is lit either way. The period opens at the
    latest mark that opens one with valid data, as a repeated lights on closes it at the
    earlier: the earlier made the evening sleep (lights off at 17:00 and again at 22:00 bounded
    a window from 17:00, and a dip at 17:30, awake, qualified nocturnal). A later mark that
    opens no valid data (after the last valid sample: lights off at 21:30 and again at 05:30,
    data to 05:00) leaves the period at the earlier mark, never the whole recording (the later
    opened nothing, the window fell back to the first to last valid sample, and a dip at 20:40,
    before any lights off, qualified): the first period's start is then ``earlier_mark``, and
    the rules hold a qualification open that needs it (``criteria.evaluate``). A later period
    so disputed is left out (the window's start cannot say it).

    Returns
    -------
    periods : tuple of (float, float)
        The periods.
    ends : (str, str)
        Where the first starts and the last ends: ``annotations``, ``earlier_mark`` (above), or
        ``first_valid``/``last_valid`` where no mark gives that end (see ``Window.ends``).
    repeated : tuple of (tuple of float, float, bool)
        Each run of lights off with no lights on between: the marks (seconds), the one used,
        and whether its period was kept.
    marked_off : bool
        Whether the recording marks any lights off (then the window is never the whole
        recording, even when no period holds data).
    """
    fs, n = recording.fs, valid.shape[0]
    marks = sorted(
        (float(a.onset_s), kind[1])
        for a in recording.annotations
        if (kind := annotation_kind(a.text))[0] == "lights" and 0 <= a.onset_s <= end_s
    )
    if marks and all(word == "on" for _, word in marks):
        on = next((t for t, _ in marks if t > first_s), None)
        spans0 = ((first_s, on),) if on is not None else ()
        return spans0, ("first_valid", "annotations"), (), False
    # each run of lights off, and the lights on that closes it (None: runs to the last sample)
    runs: list[tuple[list[float], float | None]] = []
    offs: list[float] = []
    for t, word in marks:
        if word == "off" and t < end_s:
            if not offs or t > offs[-1]:  # (marks are in time order; one time is one mark)
                offs.append(t)
        elif word == "on" and offs and t > offs[-1]:
            runs.append((offs, t))
            offs = []
    if offs:
        runs.append((offs, None))
    spans: list[tuple[float, float]] = []
    repeated: list[tuple[tuple[float, ...], float, bool]] = []
    first, last = "annotations", "annotations"
    for offs, on in runs:
        stop = last_s if on is None else on
        used = next(
            (
                t
                for t in reversed(offs)
                if stop > t and (spans_mask(((t, stop),), fs, n) & valid).any()
            ),
            offs[0],
        )
        disputed = used != offs[-1]
        kept = stop > used and not (disputed and spans)
        if len(offs) > 1:
            repeated.append((tuple(offs), used, kept))
        if not kept:
            continue
        if disputed:
            first = "earlier_mark"
        spans.append((used, stop))
        last = "last_valid" if on is None else "annotations"
    return tuple(spans), (first, last), tuple(repeated), bool(runs)


def _baseline_window(
    recording: Recording,
    settings: AnalysisSettings,
    valid: NDArray[np.bool_],
    windows: Sequence[Window],
    scored: tuple[tuple[float, float], ...],
    tests: tuple[tuple[float, float], ...] = (),
    *,
    on_oxygen: str = "",
) -> tuple[Window | None, list[str]]:
    """Choose the awake baseline's window; ``scored`` holds the staged epochs (any stage).

    ``on_oxygen``: what shows the recording was partly on oxygen (a walk on oxygen, an
    ``exercise_o2`` segment, or annotations marking oxygen given), "" when nothing does. How
    long the patient was on the cannula before and after is unknown, so only ``--awake`` gives a
    baseline: after 15 min more on the cannula at 99 %, past the 10 min after the test left
    out, the presumed baseline was 99 % and a night at 93-94 % a drop of more than 5 points.

    Without valid staged wake, the presumed baseline never takes a sample the staging scored
    (N1-R as sleep, ``?`` as unknown): those are not awake, and a median of sleep passed off
    as the awake baseline read as awake hypoxaemia. Only unscored time may be presumed awake,
    and never a rest/exercise test (``tests``: its parts, the pauses between them and the
    minutes after it): a night's file opening with a walk on oxygen at 99 % made that its awake
    baseline, and a steady night at 93 % a drop of more than 5 points all night.
    """
    fs = recording.fs
    n = valid.shape[0]
    staged = bool(scored)
    warnings: list[str] = []
    awake = next((w for w in windows if w.kind == "awake"), None)
    if on_oxygen:
        said = (
            f"The recording {on_oxygen}: how long the patient was on oxygen before and after "
            "it is unknown, so no awake baseline is taken from the recording's staged wake or "
            "first minutes"
        )
        if settings.awake_span_s is None:
            warnings.append(f"{said} (give --awake for a span awake, at rest, on room air).")
            return None, warnings
        warnings.append(f"{said}; the --awake span given is the baseline.")
    if awake is not None and not on_oxygen and np.any(valid & window_mask(awake, n, fs)):
        if settings.awake_span_s is not None:
            warnings.append(
                "--awake was given but the staged wake epochs were used for the awake baseline."
            )
        return awake, warnings
    if staged and not on_oxygen:
        warnings.append("The sleep staging has no valid wake data for the awake baseline.")
    if settings.awake_span_s is not None:
        s, e = settings.awake_span_s
        given = _merge([(s, e)], n / fs)
        asleep = next((w.spans_s for w in windows if w.kind == "sleep"), ())
        # Left out of the span, each with a warning giving its minutes: what the staging scores
        # as sleep (the two disagree, and 86 % in N2 given as --awake read as awake hypoxaemia;
        # what it scores wake or leaves unscored stays, as the user said), and the walks with
        # the minutes after them (not awake at rest on room air: --awake over the recording's
        # own walk on oxygen became a 99 % baseline, a night at 91-93 % a drop of 5 points),
        # and what the recording marks as on oxygen: a mark without a duration from the mark to
        # the end, the gas given and not said taken off (--awake over 'O2 2 L/min' at 99 %,
        # beside a walk on oxygen, made a night at 93 % a drop and qualified it, hunt 16).
        end_s = n / fs
        oxygen = tuple((a, b if b > a else end_s) for a, b in oxygen_marks(recording))
        for out, what in (
            (asleep if staged else (), "the sleep staging scored as sleep"),
            (tests, "of a walk or the 10 min after it"),
            (oxygen, "the recording marks as on supplemental oxygen"),
        ):
            if not (out and given):
                continue
            given, taken = _minus(given, out, fs, n)
            if taken:
                warnings.append(
                    f"--awake covers {taken / fs / 60:.1f} min {what}; they were left out of the "
                    "awake baseline" + ("." if given else ", and nothing of it is left.")
                )
        # The analysis gives no baseline when the span holds too little valid data.
        return Window("awake", "awake_option", given), warnings
    need = max(1, math.ceil(settings.presumed_awake_s * fs - _EPS))
    pool = valid & ~spans_mask(scored, fs, n) if staged else valid
    if tests:
        pool = pool & ~spans_mask(tests, fs, n)
    idx = _first_true(pool, need)
    where = " outside the scored sleep-stage epochs" if staged else ""
    if idx.size < need:
        got_s = idx.size / fs
        warnings.append(
            f"No valid wake period was staged or given (--awake), and the recording holds {got_s:.0f} s "
            f"of valid data{where}, fewer than the {settings.presumed_awake_s:.0f} s a presumed "
            "awake baseline takes: there is no awake baseline."
        )
        return None, warnings
    first = np.zeros(n, dtype=bool)
    first[idx] = True
    spans = run_spans(*find_runs(first), fs)
    got_min = idx.size / fs / 60.0
    warning = (
        "No valid wake period was staged or given (--awake): the awake baseline is the median of the "
        f"first {got_min:.1f} min of valid data{where}, from {_clock(recording, spans[0][0])}, "
        "presumed to be awake."
    )
    return Window("presumed_awake", "first_300s_valid", spans, warning), warnings


def _replaced_marks(
    recording: Recording, settings: AnalysisSettings
) -> list[tuple[str, float, float]]:
    """Return the recording's segment annotations that ``--segment`` replaced and does not repeat.

    As (name, start s, end s), in time order; none when no ``--segment`` was given (the
    annotations are then the segments themselves).
    """
    if not settings.segments_s:
        return []
    annotated = sorted(
        (float(a.onset_s), float(a.onset_s + a.duration_s), label)
        for a in recording.annotations
        for kind, label in [annotation_kind(a.text)]
        if kind == "segment" and label is not None and a.duration_s > 0
    )
    return [
        (n, s, e)
        for s, e, n in annotated
        if not any(
            g == n and abs(gs - s) < 1e-6 and abs(ge - e) < 1e-6
            for g, gs, ge in settings.segments_s
        )
    ]


#: How long a test a segment mark without a duration may hold, its end unmarked: the longest
#: one testing session's parts may span (the rules' MAX_SESSION_MIN, 120 min).
OPEN_MARK_S = 7200.0


def _open_marks(recording: Recording, settings: AnalysisSettings) -> list[tuple[str, float]]:
    """Return the segment annotations without a duration (name, onset s), in time order.

    Those a segment given with ``--segment`` gives the span of are left out: one of the mark's
    kind holding it or starting within a second after it (``--segment`` is written in whole
    seconds, an EDF+ onset often is not). No other segment says how long that part lasted: given
    ``--segment rest=22:05:00-22:10:00`` before an 'exercise' mark at 22:10, the walk's 6 min
    at 86 % after it stayed in the presumed sleep window and QUALIFIED the night (hunt 14).
    """
    marks = sorted(
        (float(a.onset_s), label)
        for a in recording.annotations
        for kind, label in [annotation_kind(a.text)]
        if kind == "segment" and label is not None and not a.duration_s > 0
    )
    return [
        (name, t)
        for t, name in marks
        if not any(
            g == name and gs - _EPS <= t + 1.0 and t < ge for g, gs, ge in settings.segments_s
        )
    ]


def _open_spans(
    recording: Recording, settings: AnalysisSettings, end_s: float
) -> list[tuple[str, float, tuple[tuple[float, float], ...]]]:
    """Return each segment mark without a duration with the span taken as its test's.

    As (name, onset s, spans), in time order: the :data:`OPEN_MARK_S` from the mark
    (:func:`_open_marks`), clipped to the recording (``spans`` is empty when nothing of it is
    left). On a staged night the span is not cut where the staging scores sleep: a mark
    followed by scored sleep within its span contradicts the staging, and one of the two is
    wrong (:func:`_open_mark_warnings` says so). Cut at the first epoch scored as sleep, a mark
    inside N2 took nothing out, a mark 30 s or 10 min before it kept those minutes alone, and
    each time the walk's 6 min at 84-86 % in the N2 qualified a night (reviews of hunt 14).
    """
    return [
        (name, t, _merge([(max(t, 0.0), t + OPEN_MARK_S)], end_s))
        for name, t in _open_marks(recording, settings)
    ]


def _open_mark_warnings(
    recording: Recording,
    settings: AnalysisSettings,
    end_s: float,
    asleep: tuple[tuple[float, float], ...],
) -> list[str]:
    """Say what the segment marks without a duration took out of an overnight recording.

    Every mark whose span (:func:`_open_spans`) holds part of the recording is named, one
    before its start too (an EDF+D onset can be negative: it took its minutes without a word),
    and a mark within epochs the staging scored as sleep is said to disagree with it. A rest
    mark's span stays in the awake baseline, as a rest part does.
    """
    opened = _open_spans(recording, settings, end_s)
    out = []
    taken = [(name, t) for name, t, spans in opened if spans]
    if taken:
        named = ", ".join(
            f"{name!r} at {_clock(recording, t)}"
            + (" (before the recording's start)" if t < 0 else "")
            for name, t in taken
        )
        walk = any(name != "rest" for name, _ in taken)
        rest = any(name == "rest" for name, _ in taken)
        if walk and rest:
            baseline = (
                f", and a walk's (not 'rest') with the {TEST_PAUSE_S / 60:.0f} min after it no "
                "part of the awake baseline either"
            )
        elif walk:
            baseline = f" or, with the {TEST_PAUSE_S / 60:.0f} min after them, the awake baseline"
        else:
            baseline = " (a rest part may still give the awake baseline)"
        out.append(
            f"The recording marks {named} without a duration: it marks no segment, and how "
            f"long the test lasted is unknown, so the {OPEN_MARK_S / 60:.0f} min from each "
            f"mark are no part of the sleep window{baseline} (give the segments with "
            "--segment)."
        )
    inside = [
        f"{name!r} at {_clock(recording, t)}"
        for name, t, spans in opened
        if any(a < e and b > s for s, e in spans for a, b in asleep)
    ]
    if inside:
        out.append(
            f"The recording marks {', '.join(inside)} without a duration, and the sleep "
            f"staging scores sleep within the {OPEN_MARK_S / 60:.0f} min after it: the mark "
            "and the staging disagree, so its "
            f"{OPEN_MARK_S / 60:.0f} min are taken out all the same (check the staging and the "
            "trace; give the test's segments with --segment)."
        )
    return out


def _testing(
    recording: Recording,
    settings: AnalysisSettings,
    segments: Sequence[Window],
    end_s: float,
) -> tuple[list[Window], tuple[tuple[float, float], ...]]:
    """Return the test's segments and the recording's other marks of testing, and the recovery.

    ``--segment`` replaces the file's segment annotations for the test's figures, not for when
    the patient was testing: given ``--segment rest=...`` alone, the walk the file marked at
    86 % stayed in the presumed sleep window of an overnight test and qualified it (hunt 14).
    A segment mark without a duration (a walk's start pressed on the device) holds a test of
    unknown length: the :data:`OPEN_MARK_S` from it are taken as its (:func:`_open_spans`),
    as it marked 6 min at 86 % at 22:10 in the presumed sleep window of an overnight test,
    which qualified on them.

    The recovery is each walk (no rest part) with the :data:`TEST_PAUSE_S` after it.
    """
    marks = [
        Window(name, "annotations", _merge([(s, e)], end_s))
        for name, s, e in _replaced_marks(recording, settings)
    ]
    opened = _open_spans(recording, settings, end_s)
    marks += [Window(name, "annotations", spans) for name, _, spans in opened]
    testing = [*segments, *(m for m in marks if m.spans_s)]
    walks = _test_spans([seg for seg in testing if seg.kind != "rest"])
    recovery = tuple((a, b + TEST_PAUSE_S) for a, b in walks)
    return testing, recovery


def _segments(
    recording: Recording,
    settings: AnalysisSettings,
    end_s: float,
    first_s: float,
    last_s: float,
    warnings: list[str],
) -> list[Window]:
    """Return the exercise-test segments: ``--segment`` when given, else the annotations.

    ``--segment`` replaces every segment annotation of the recording; those it does not repeat
    exactly are named in ``warnings`` (names and seconds only), so a reviewer sees that the
    file marked other segments than the ones analysed (SPEC §6).
    """
    found: dict[str, tuple[str, list[tuple[float, float]]]] = {}
    if settings.segments_s:
        unused = _replaced_marks(recording, settings)
        if unused:
            named = ", ".join(f"{n!r} ({s:g}-{e:g} s)" for n, s, e in unused)
            warnings.append(
                f"The recording's segment annotations {named} were not used: --segment was "
                "given and replaces them all for the test's figures (an overnight recording's "
                "sleep window and awake baseline still leave them out). Check that the "
                "segments given are the test's."
            )
        for name, s, e in settings.segments_s:
            if segment_outside(s, e, recording):
                raise SettingsError(
                    f"segment {name} ({s:g} s to {e:g} s from the start) lies outside the "
                    f"recording (0 to {end_s:g} s)",
                    recording.source.path,
                )
            found.setdefault(name, ("segment_option", []))[1].append((s, e))
    else:
        for a in recording.annotations:
            kind, label = annotation_kind(a.text)
            if kind == "segment" and label is not None and a.duration_s > 0:
                s, e = float(a.onset_s), float(a.onset_s + a.duration_s)
                if s < 0 or segment_outside(s, e, recording):
                    # Never clipped: a walk on oxygen cut to its first minute by the end of
                    # the recording showed the "improvement" (as --segment, it is refused).
                    raise RecordingFormatError(
                        f"the {label!r} segment annotation ({s:g} s to {e:g} s from the start) "
                        f"does not lie within the recording (0 to {end_s:g} s): part of that "
                        "segment was not recorded; choose the segments with --segment",
                        recording.source.path,
                    )
                found.setdefault(label, ("annotations", []))[1].append((s, e))
        _check_segment_annotations(found, recording.source.path)
        walks = [
            (f"{name!r} annotation", t)
            for name, t in _open_marks(recording, settings)
            if name != "rest"
        ]
        # a note naming the walk otherwise ('Exercise start', 'Walk', '6MWT') is its mark too:
        # 6 min at 86 % after it QUALIFIED continuous oxygen "at rest" under both payers (hunt 16)
        walks += [("annotation naming a walk or exercise", t) for t in _walk_notes(recording)]
        walks = sorted(
            ((what, t) for what, t in walks if t < last_s and t + OPEN_MARK_S > first_s),
            key=lambda walk: walk[1],
        )
        if not found and settings.test_type == "rest" and last_s > first_s and walks:
            # A walk's mark without a duration: the walk lies somewhere after it, and the
            # whole recording is no rest test (an 'exercise' mark at 3 min and 5 min at 86 %
            # after it QUALIFIED continuous oxygen as "at rest", MG-OXY II.A.2.a.i; hunt 15).
            what, t = walks[0]
            warnings.append(
                f"The test type is rest, but the recording's {what} at {t:g} s "
                "marks a walk in it, so the whole recording is not taken as the rest test: "
                "give the rest segment with --segment."
            )
        elif not found and settings.test_type == "rest" and last_s > first_s:
            found["rest"] = ("test_type", [(first_s, last_s)])
    out = []
    for name in SEGMENT_NAMES:
        if name in found:
            source, spans = found[name]
            out.append(Window(name, source, _merge(spans, end_s)))
    return out


#: How long before the walk on oxygen a mark of the gas is its start at least (``O2 4 L/min``
#: typed as the patient sets off), even over the end of the part before it.
WALK_FLOW_MARK_S = 60.0


def _walk_flow_marks(recording: Recording, segments: Sequence[Window]) -> list[tuple[float, float]]:
    """Return ``(onset_s, flow_lpm)`` of each flow a mark of oxygen names at the walk on oxygen.

    The flow set for the walk is typed when the cannula goes on, which may be any time after
    the part before it ended: a fixed 60 s look-back missed ``O2 4 L/min`` at 830 s, after the
    walk on room air ended at 780 s and 70 s before the walk on oxygen, which QUALIFIED as shown
    at the 2 L/min given (review of hunt 15).
    """
    walk = next((w for w in segments if w.kind == "exercise_o2"), None)
    if walk is None or not walk.spans_s:
        return []
    s, e = walk.spans_s[0][0], walk.spans_s[-1][1]
    ends = [w.spans_s[-1][1] for w in segments if w.spans_s and w.spans_s[-1][1] <= s]
    lo = min(max(ends) if ends else s - TEST_PAUSE_S, s - WALK_FLOW_MARK_S)
    out: list[tuple[float, float]] = []
    for a in recording.annotations:
        if annotation_kind(a.text)[0] != "oxygen":
            continue
        t = float(a.onset_s)
        if t < e and t + _mark_length(a.duration_s) >= lo:
            out.extend((t, f) for f in oxygen_flows_lpm(a.text))
    return sorted(out)


def _check_walk_flow(
    recording: Recording,
    settings: AnalysisSettings,
    segments: Sequence[Window],
    marks: Sequence[tuple[float, float]],
) -> None:
    """Refuse a walk on oxygen whose flow the recording marks other than the flow given.

    The flow given (``--o2-flow``, the context's ``test.exercise_o2_flow_lpm``) is the one the
    rules hold against the order's; a mark of the gas at the walk (``marks``,
    :func:`_walk_flow_marks`) naming another flow (``O2 4 L/min`` at its start beside 2 L/min
    given, and ordered) says the improvement was shown at that flow: the two disagree. Read as
    the flow given, the walk's improvement at 4 L/min QUALIFIED exercise oxygen ordered at 2
    (hunt 15). Without a flow given, the rules hold the marked flows against the context's
    (``recording.exercise_o2_marked_flows_lpm``: ``oxi qualify --summary``).
    """
    flow = settings.o2_flow_lpm
    walk = next((w for w in segments if w.kind == "exercise_o2"), None)
    if flow is None or walk is None or not walk.spans_s:
        return
    s, e = walk.spans_s[0][0], walk.spans_s[-1][1]
    for t, other in marks:
        if abs(other - flow) > 1e-9:
            raise SettingsError(
                f"the recording marks oxygen at {other:g} L/min at {t:g} s, by the walk on "
                f"oxygen ({s:g}-{e:g} s), but its flow is given as {flow:g} L/min (--o2-flow or "
                "the context's test.exercise_o2_flow_lpm): give the flow the walk was on",
                recording.source.path,
            )


def _rest_walks(
    recording: Recording, settings: AnalysisSettings, rest: Window
) -> list[tuple[float, str]]:
    """Return the walks the recording marks that the ``rest`` segment holds or follows.

    As (start s, how it is marked), in time order: a walk (``exercise``, ``exercise_o2``) began
    there by the file's mark without a duration, which no segment of its kind gives the span of
    (:func:`_open_marks`), or by its segment annotation that ``--segment`` replaced
    (:func:`_replaced_marks`), before the rest segment's end, or by a note naming a walk in
    words (:func:`_walk_notes`) inside the rest segment. A mark whose
    :data:`OPEN_MARK_S` end before the rest segment starts is left out, as :func:`_segments`
    leaves it out when it takes the whole recording as the rest test: an 'exercise' mark at
    0 s before data from 7300 s made the recording the rest test, which was then refused for
    following it.
    """
    start, end = rest.spans_s[0][0], rest.spans_s[-1][1]
    walks = [
        (t, f"{name!r} annotation at {t:g} s, a walk's start without a duration")
        for name, t in _open_marks(recording, settings)
        if name != "rest" and t + OPEN_MARK_S > start
    ]
    walks += [
        (s, f"{name!r} segment annotation ({s:g}-{e:g} s), a walk --segment does not repeat")
        for name, s, e in _replaced_marks(recording, settings)
        if name != "rest"
    ]
    # A note naming a walk in words ('Walk', '6MWT') only inside the part: before it, it is as
    # often a header ('6MWT' at 0 s of an annotated three-part test), an instruction ('Walk
    # test explained') or a night's ('Patient walked to bathroom' at 05:10 before a morning
    # rest test), and these refused genuine tests with no way round (review of hunt 16).
    walks += [
        (t, f"annotation at {t:g} s naming a walk or exercise")
        for t in _walk_notes(recording)
        if t + _EPS >= start
    ]
    return sorted((t, walk) for t, walk in walks if t + _EPS < end)


def _walk_notes(recording: Recording) -> list[float]:
    """Return the onsets (s) of the notes naming a walk or exercise (:func:`is_walk_note`).

    Not a segment's name (a segment, or :func:`_open_marks`), nor a stage or lights mark. The
    text is not said (a free-text note may name the patient).
    """
    return sorted(
        float(a.onset_s)
        for a in recording.annotations
        if annotation_kind(a.text)[0] not in ("segment", "stage", "lights") and is_walk_note(a.text)
    )


def _rest_walk_s(
    recording: Recording, settings: AnalysisSettings, segments: Sequence[Window]
) -> float | None:
    """Return where the first walk the ``rest`` segment holds or follows starts (None: none).

    :attr:`WindowPlan.rest_walk_s`, from :func:`_first_rest_walk`.
    """
    found = _first_rest_walk(recording, settings, segments)
    return None if found is None else found[1]


def _first_rest_walk(
    recording: Recording, settings: AnalysisSettings, segments: Sequence[Window]
) -> tuple[Window, float, str] | None:
    """Return the ``rest`` segment and the first walk it holds or follows (:func:`_rest_walks`)."""
    rest = next((w for w in segments if w.kind == "rest" and w.spans_s), None)
    walks = [] if rest is None else _rest_walks(recording, settings, rest)
    return (rest, *walks[0]) if rest is not None and walks else None


def _check_rest_before_walks(
    recording: Recording, settings: AnalysisSettings, segments: Sequence[Window]
) -> None:
    """Refuse a rest test's rest segment that does not end before a walk the recording marks.

    A walk (:func:`_rest_walks`) began there: the rest part then holds walking, or after it
    the recovery (as a rest part after one of the test's own walks is, for the rules). A 'rest'
    annotation over 0-900 s (or ``--segment rest=0-900``) holding an 'exercise' mark at 420 s
    read the walk's 6 min at 86 % as the resting value, and continuous oxygen QUALIFIED; so did
    ``--segment rest=0-600`` over the file's walk annotated 300-660 s, with a warning only
    (hunt 15). An overnight test's rules do not judge its rest part as a rest test, and its
    sleep window leaves out the walk's span (:func:`_testing`); its summary records the walk
    (``SegmentMetrics.walk_mark_s``), so the rules never take such a rest part as a resting
    value under a rest test's context either (``oxi qualify --summary``).
    """
    found = _first_rest_walk(recording, settings, segments)
    if found is None:
        return
    rest, t, walk = found
    start, end = rest.spans_s[0][0], rest.spans_s[-1][1]
    given = rest.source == "segment_option"
    # named as its source gives it: the whole recording taken for test type rest was said to
    # be "the 'rest' segment annotation (7300-7900 s)", which the file did not hold
    what = {
        "segment_option": f"--segment rest ({start:g}-{end:g} s)",
        "test_type": f"the whole recording taken as the rest test (test type rest; its valid "
        f"data, {start:g}-{end:g} s)",
    }.get(rest.source, f"the 'rest' segment annotation ({start:g}-{end:g} s)")
    where = "holds the start of" if start - _EPS <= t else "starts after the start of"
    why = (
        f"{what} {where} the recording's {walk}: a rest part holds "
        "no walk, and after one it is the recovery; give the rest segment with --segment, "
        "ending before the walk"
    )
    if given:
        raise SettingsError(why, recording.source.path)
    raise RecordingFormatError(why, recording.source.path)


def _check_segment_annotations(
    found: dict[str, tuple[str, list[tuple[float, float]]]], path: str
) -> None:
    """Refuse two annotations of one segment, or segments that overlap (never merged)."""
    for name, (_, spans) in found.items():
        if len(spans) > 1:
            at = " and ".join(f"{s:g} s" for s, _ in sorted(spans)[:2])
            raise RecordingFormatError(
                f"{len(spans)} {name!r} segment annotations (at {at}); a test has one segment of "
                "each kind: choose it with --segment",
                path,
            )
    named = sorted((spans[0][0], spans[0][1], name) for name, (_, spans) in found.items())
    for (s1, e1, n1), (s2, _, n2) in itertools.pairwise(named):
        if s2 < e1 - _EPS:
            raise RecordingFormatError(
                f"segment annotations overlap: {n1!r} ({s1:g}-{e1:g} s) and {n2!r} (from {s2:g} s); "
                "choose the segments with --segment",
                path,
            )


def valid_spans(valid: NDArray[np.bool_], fs: float) -> tuple[tuple[float, float], ...]:
    """Return the runs of valid samples as spans in seconds.

    Parameters
    ----------
    valid : numpy.ndarray of bool
    fs : float

    Returns
    -------
    tuple of (float, float)
    """
    return run_spans(*find_runs(valid), fs)
