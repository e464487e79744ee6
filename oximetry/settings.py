"""Analysis settings: every parameter that changes a figure, with the SPEC's defaults.

Settings are frozen and serialise to plain JSON (``to_dict``/``from_dict``) so that ``summary.json``
records exactly what was used and ``oxi verify`` can repeat it. Times are resolved to seconds from
the recording start before they get here (the CLI turns clock times into seconds).
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .errors import SettingsError
from .limits import MAX_DURATION_S, MAX_O2_FLOW_LPM

__all__ = [
    "STAGE_CODES",
    "AnalysisSettings",
    "ArtifactSettings",
    "OdiSettings",
    "check_o2_flow",
    "first_overlap",
    "recorded_settings",
]

#: Stage codes a hypnogram is read into (``oximetry.annotations``).
STAGE_CODES = ("W", "N1", "N2", "N3", "N4", "R", "?")

#: Names of exercise-test segments (SPEC §6).
SEGMENT_NAMES = ("rest", "exercise", "exercise_o2")
#: Test types (SPEC §8.2 ``test.type``).
TEST_TYPES = ("overnight", "exercise", "rest")


def check_o2_flow(flow: float | None, given_as: str, path: str | None = None) -> None:
    """Refuse a walk on oxygen's flow that is not above 0 and at most ``MAX_O2_FLOW_LPM``.

    Parameters
    ----------
    flow : float or None
        L/min; None (not given) passes.
    given_as : str
        Where the value came from (``--o2-flow``, the context key), named in the message.
    path : str, optional
        The file it was read from (the context), put in front of the message.

    Raises
    ------
    SettingsError
        A flow of 0 or less (a walk "on oxygen" at 0 L/min was not on oxygen), above the
        maximum, or not a number. The message used to say "outside 0-15 L/min (--o2-flow)" for a
        context's 0, naming an option not given and a range that holds 0.
    """
    if flow is not None and not 0 < flow <= MAX_O2_FLOW_LPM:
        raise SettingsError(
            f"{given_as} is {flow:g} L/min; allowed: above 0 and at most "
            f"{MAX_O2_FLOW_LPM:g} L/min (a walk on oxygen at 0 L/min was not on oxygen)",
            path,
        )


@dataclass(frozen=True)
class ArtifactSettings:
    """Artifact-rejection parameters (SPEC §4).

    Parameters
    ----------
    min_pct, max_pct : float
        Plausible SpO2 range; values outside it are artifact (Taha et al. 1997).
    max_fall_pts_per_s : float
        A sample more than this × max(Δt, 1 s) points below the last valid sample is an
        implausible fall.
    recover_within_pts : float
        After an implausible fall, samples stay invalid until within this many points of the
        last valid value ...
    max_hold_s : float
        ... or for at most this long, after which the new level is accepted.
    min_island_s : float
        Valid islands shorter than this between invalid spans are invalid too.
    pulse_min_bpm, pulse_max_bpm : float
        Plausible pulse rate; outside it the SpO2 sample is invalid (when a pulse channel exists).
    frozen_run_s : float
        Constant runs at least this long are reported as review flags (not removed).
    """

    min_pct: float = 50.0
    max_pct: float = 100.0
    max_fall_pts_per_s: float = 4.0
    recover_within_pts: float = 4.0
    max_hold_s: float = 30.0
    min_island_s: float = 10.0
    pulse_min_bpm: float = 25.0
    pulse_max_bpm: float = 250.0
    frozen_run_s: float = 600.0

    def __post_init__(self) -> None:
        # A NaN bound compares false: min_pct=nan kept 10 min of a probe's 30 % as valid data,
        # 10 min at or below 88 % in place of none (hunt 15).
        _check_numbers(self, "artifact")
        if not self.min_pct < self.max_pct <= 100 or not self.pulse_min_bpm < self.pulse_max_bpm:
            raise SettingsError(
                f"Invalid artifact ranges: SpO2 {self.min_pct:g}-{self.max_pct:g} % and pulse "
                f"{self.pulse_min_bpm:g}-{self.pulse_max_bpm:g} bpm; each low end must be "
                "below its high end, and SpO2 at most 100 %"
            )


@dataclass(frozen=True)
class OdiSettings:
    """Oxygen-desaturation event detector parameters (SPEC §7, after Luna's ``DESAT``).

    Parameters
    ----------
    baseline_window_s : float
        The pre-event baseline is the median of rounded valid values in this many seconds before.
    min_baseline_s : float
        At least this much valid, non-event data must be in that window, else no event starts.
    min_event_s : float
        An event counts when it lasts at least this long.
    """

    baseline_window_s: float = 120.0
    min_baseline_s: float = 30.0
    min_event_s: float = 10.0

    def __post_init__(self) -> None:
        _check_numbers(self, "odi")


@dataclass(frozen=True)
class AnalysisSettings:
    """Everything that decides the analysis of one recording.

    Parameters
    ----------
    lights_off_s, lights_on_s : float or None
        The presumed-sleep window's bounds in seconds from the start (``--lights-off/--lights-on``).
    awake_span_s : tuple of float or None
        A user-given awake segment for the baseline (``--awake``).
    exclude_s : tuple of (float, float)
        Spans a technologist rejected (``--exclude``), counted as invalid with reason ``excluded``.
    segments_s : tuple of (str, float, float)
        Exercise-test segments given on the command line (``--segment``): name, start, end.
    test_type : str or None
        ``overnight``, ``exercise`` or ``rest`` (from the context or the option). ``rest`` makes
        the whole valid recording the rest segment when no segment is given and no walk's
        mark without a duration lies in it.
    staging : tuple of (float, float, str)
        Sleep stages from ``--hypnogram``: onset seconds, duration seconds, stage text. When
        empty, stages come from the recording's annotations (if any).
    artifact, odi : ArtifactSettings, OdiSettings
        Detector parameters.
    drop_pts : float
        A sustained drop is ``b - r > drop_pts`` (SPEC §7: more than 5 points).
    sustained_min_s : float
        A sustained desaturation lasts at least this long (5 minutes).
    presumed_awake_s : float
        Without staging or ``--awake``, the baseline is the first this-many seconds of valid data;
        any awake baseline (staged wake, ``--awake``) needs this much valid data, else there is
        none and nothing measured from it is evaluated.
    o2_flow_lpm : float or None
        Oxygen flow during the ``exercise_o2`` segment (``--o2-flow``), recorded for the reviewer.
    """

    lights_off_s: float | None = None
    lights_on_s: float | None = None
    awake_span_s: tuple[float, float] | None = None
    exclude_s: tuple[tuple[float, float], ...] = ()
    segments_s: tuple[tuple[str, float, float], ...] = ()
    test_type: str | None = None
    staging: tuple[tuple[float, float, str], ...] = ()
    artifact: ArtifactSettings = field(default_factory=ArtifactSettings)
    odi: OdiSettings = field(default_factory=OdiSettings)
    drop_pts: float = 5.0
    sustained_min_s: float = 300.0
    presumed_awake_s: float = 300.0
    o2_flow_lpm: float | None = None

    def __post_init__(self) -> None:
        _check_numbers(self, "settings")
        _check_staging(self.staging)
        for name, span in (("awake", self.awake_span_s), *(("exclude", s) for s in self.exclude_s)):
            if span is not None:
                _check_span(name, span[0], span[1])
        names = [seg[0] for seg in self.segments_s]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise SettingsError(
                f"segment {twice[0]!r} is given more than once; give each segment once"
            )
        for seg in self.segments_s:
            if seg[0] not in SEGMENT_NAMES:
                raise SettingsError(
                    f"Invalid segment name {seg[0]!r}. Allowed values are {list(SEGMENT_NAMES)}"
                )
            _check_span(f"segment {seg[0]}", seg[1], seg[2])
        ordered = sorted(self.segments_s, key=lambda seg: seg[1])
        for a, b in itertools.pairwise(ordered):
            if b[1] < a[2]:
                raise SettingsError(
                    f"segments {a[0]} ({a[1]:g}-{a[2]:g} s) and {b[0]} ({b[1]:g}-{b[2]:g} s) "
                    "overlap; each moment belongs to one segment"
                )
        if self.test_type is not None and self.test_type not in TEST_TYPES:
            raise SettingsError(
                f"Invalid test type {self.test_type!r}. Allowed values are {list(TEST_TYPES)}"
            )
        for name, t in (("lights off", self.lights_off_s), ("lights on", self.lights_on_s)):
            if t is not None and not 0 <= t <= MAX_DURATION_S:
                raise SettingsError(
                    f"{name} at {t} s lies outside 0 to {MAX_DURATION_S:g} s from the start"
                )
        # Recorded settings hold the flow from --o2-flow or from the context, so the key is named
        # here; resolving the options names its source (oxi.pipeline.resolve_settings).
        check_o2_flow(self.o2_flow_lpm, "o2_flow_lpm (the walk on oxygen's flow)")
        if (
            self.lights_off_s is not None
            and self.lights_on_s is not None
            and self.lights_on_s <= self.lights_off_s
        ):
            raise SettingsError(
                f"lights on ({self.lights_on_s} s) must come after lights off ({self.lights_off_s} s)"
            )

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as plain JSON-able data (tuples become lists)."""
        return _jsonable(asdict(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AnalysisSettings:
        """Rebuild settings written by :meth:`to_dict`.

        Parameters
        ----------
        data : mapping
            As produced by :meth:`to_dict` (e.g. read back from ``summary.json``).

        Returns
        -------
        AnalysisSettings
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SettingsError(f"unknown analysis settings {unknown}; allowed: {sorted(known)}")
        kw: dict[str, Any] = dict(data)
        if "artifact" in kw:
            kw["artifact"] = ArtifactSettings(**kw["artifact"])
        if "odi" in kw:
            kw["odi"] = OdiSettings(**kw["odi"])
        if kw.get("awake_span_s") is not None:
            kw["awake_span_s"] = tuple(kw["awake_span_s"])
        for key in ("exclude_s", "segments_s", "staging"):
            if key in kw:
                kw[key] = tuple(tuple(x) for x in kw[key])
        return cls(**kw)


def _check_numbers(settings: Any, where: str) -> None:
    """Refuse a detector parameter or threshold that is not a finite number at least 0.

    NaN compares false with everything: a NaN threshold switched its rule off without a word.
    """
    for f in fields(settings):
        value = getattr(settings, f.name)
        if f.type not in ("float", float):
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not (math.isfinite(value) and float(value) >= 0)
        ):
            raise SettingsError(
                f"{where}.{f.name} is {_show(value)}, not a finite number at least 0"
            )


def _check_staging(staging: tuple[tuple[float, float, str], ...]) -> None:
    """Refuse epochs outside the recording's possible span, of unknown stages, or overlapping.

    Given by hand, an epoch with a NaN onset covered the whole recording, one of an unknown
    stage ('REM') was unscored, and two epochs over the same hour made it asleep and awake.
    """
    for i, (onset, dur, stage) in enumerate(staging):
        if stage not in STAGE_CODES or not (
            0 <= onset and 0 < dur and onset + dur <= MAX_DURATION_S
        ):
            raise SettingsError(
                f"staging[{i}] is {_show((onset, dur, stage))}, not an epoch within "
                f"0 to {MAX_DURATION_S:g} s with a stage among {list(STAGE_CODES)}"
            )
    ordered = sorted(staging)
    k = first_overlap(ordered)
    if k is not None:
        raise SettingsError(
            "staging epochs overlap: each moment may have one stage "
            f"(an epoch begins at {_show(ordered[k][0])} s, before the one before it ends)"
        )


def _check_span(name: str, start: float, end: float) -> None:
    if not (MAX_DURATION_S >= end > start >= 0):
        raise SettingsError(
            f"Invalid {name} span {start}-{end}: the end must come after the start, both within "
            f"0 to {MAX_DURATION_S:g} s"
        )


def _number(value: Any, where: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SettingsError(f"settings.{where} is {_show(value)}, not a finite number")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _pairs(value: Any, where: str, width: int, limit: int) -> None:
    if not isinstance(value, list) or len(value) > limit:
        raise SettingsError(f"settings.{where} is not a list of at most {limit} entries")
    for i, item in enumerate(value):
        if not isinstance(item, list) or len(item) != width:
            raise SettingsError(f"settings.{where}[{i}] is {_show(item)}, not {width} values")


#: Most hypnogram epochs a summary may record (a week of 1-s epochs is 604,800).
_MAX_STAGING = 1_000_000


def first_overlap(epochs: Any) -> int | None:
    """Return the index of the first epoch that begins before the one before it ends.

    Parameters
    ----------
    epochs : sequence of (onset_s, duration_s, stage)
        Staging epochs, in order of onset.

    Returns
    -------
    int or None
        None when they follow one another without overlap (within a microsecond).
    """
    for i in range(1, len(epochs)):
        (o1, d1, _), (o2, _, _) = epochs[i - 1], epochs[i]
        if o2 < o1 + d1 - 1e-6:
            return i
    return None


def recorded_settings(data: Any) -> AnalysisSettings:
    """Rebuild settings read back from a submitted ``summary.json``, only as oxi records them.

    Every key must be known and every value of the right type; the detector parameters, which
    no command-line option changes, must be their defaults; times, spans, stages and the oxygen
    flow must lie within what the options accept. So a summary edited to move a threshold
    (``drop_pts = -100``) or to make the recomputation exhaust memory
    (``odi.baseline_window_s = 3e9``) is refused before anything is computed.

    Parameters
    ----------
    data : object
        The summary's ``settings`` value.

    Returns
    -------
    AnalysisSettings

    Raises
    ------
    SettingsError
        The reason, naming the setting and its value.
    """
    if not isinstance(data, dict):
        raise SettingsError("settings is not an object")
    known = {f.name for f in fields(AnalysisSettings)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SettingsError(f"unknown settings {unknown[:5]}")
    default = AnalysisSettings()
    for name in ("artifact", "odi", "drop_pts", "sustained_min_s", "presumed_awake_s"):
        want = asdict(default)[name]
        if name in data and data[name] != want:
            raise SettingsError(
                f"settings.{name} is {_show(data[name])}; no option of oxi analyze changes it "
                f"from {_show(want)}"
            )
    for name in ("lights_off_s", "lights_on_s", "o2_flow_lpm"):
        _number(data.get(name), name, optional=True)
    if data.get("awake_span_s") is not None:
        _pairs([data["awake_span_s"]], "awake_span_s", 2, 1)
    _pairs(data.get("exclude_s", []), "exclude_s", 2, 1000)
    _pairs(data.get("segments_s", []), "segments_s", 3, len(SEGMENT_NAMES))
    _pairs(data.get("staging", []), "staging", 3, _MAX_STAGING)
    spans = [
        *data.get("exclude_s", []),
        *([data["awake_span_s"]] if data.get("awake_span_s") else []),
    ]
    for i, span in enumerate(spans):
        for v in span:
            _number(v, f"span {i + 1}")
    for i, (name, s0, e0) in enumerate(data.get("segments_s", [])):
        _number(s0, f"segments_s[{i}]")
        _number(e0, f"segments_s[{i}]")
        if not isinstance(name, str):
            raise SettingsError(f"settings.segments_s[{i}] names {_show(name)}, not a segment")
    for i, (onset, dur, stage) in enumerate(data.get("staging", [])):
        _number(onset, f"staging[{i}]")
        _number(dur, f"staging[{i}]")
        if stage not in STAGE_CODES or not (
            0 <= onset and 0 < dur and onset + dur <= MAX_DURATION_S
        ):
            raise SettingsError(
                f"settings.staging[{i}] is {_show([onset, dur, stage])}, not an epoch within "
                f"0 to {MAX_DURATION_S:g} s with a stage among {list(STAGE_CODES)}"
            )
    # --hypnogram refuses epochs that overlap (io.hypnogram): recorded overlapping, the whole
    # night was both asleep and awake (960 of 480 min) and verified
    k = first_overlap(data.get("staging", []))
    if k is not None:
        raise SettingsError(
            f"settings.staging[{k}] begins at {_show(data['staging'][k][0])} s, before the "
            "epoch before it ends (epochs in order, without overlap)"
        )
    if data.get("test_type") is not None and not isinstance(data["test_type"], str):
        raise SettingsError(f"settings.test_type is {_show(data['test_type'])}")
    return AnalysisSettings.from_dict(data)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
