"""Analysis settings: every parameter that changes a figure, with the SPEC's defaults.

Settings are frozen and serialise to plain JSON (``to_dict``/``from_dict``) so that ``summary.json``
records exactly what was used and ``oxi verify`` can repeat it. Times are resolved to seconds from
the recording start before they get here (the CLI turns clock times into seconds).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .errors import SettingsError

__all__ = ["AnalysisSettings", "ArtifactSettings", "OdiSettings"]

#: Names of exercise-test segments (SPEC §6).
SEGMENT_NAMES = ("rest", "exercise", "exercise_o2")
#: Test types (SPEC §8.2 ``test.type``).
TEST_TYPES = ("overnight", "exercise", "rest")


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
        the whole valid recording the rest segment when no segment is given.
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
        Without staging or ``--awake``, the baseline is the first this-many seconds of valid data.
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


def _check_span(name: str, start: float, end: float) -> None:
    if not (end > start >= 0):
        raise SettingsError(
            f"Invalid {name} span {start}-{end}: the end must come after the start, both >= 0 s"
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
