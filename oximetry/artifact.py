"""Artifact rejection (SPEC §4): one mask per rule, combined with reasons, never deletions.

Every function returns a boolean array with one flag per SpO2 sample, True where the rule
rejects the sample. :func:`detect_artifacts` combines them; a sample rejected by several rules
is counted once, under the first rule in :data:`REASONS` order. The time axis never changes.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from .model import Recording, Signal
from .results import ArtifactResult, DropoutEdge, FallPlateau
from .settings import ArtifactSettings
from .spans import find_runs, spans_mask
from .windows import clock_text

__all__ = [
    "REASONS",
    "detect_artifacts",
    "dropout_edges",
    "fall_lag",
    "fall_plateaus",
    "frozen_runs",
    "lag_limit",
    "lag_windows",
    "mask_excluded",
    "mask_implausible_fall",
    "mask_missing",
    "mask_out_of_range",
    "mask_pulse_out_of_range",
    "mask_short_islands",
    "mask_status",
    "recorded_falls",
]

#: Rule names in precedence order (the index is ``ArtifactResult.reason``'s code).
REASONS = (
    "missing",
    "out_of_range",
    "implausible_fall",
    "oximeter_status",
    "pulse_out_of_range",
    "excluded",
    "short_island",
)

_EPS = 1e-9


def mask_missing(x: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Rule 1: missing values (NaN; readers have already turned sentinels into NaN).

    Parameters
    ----------
    x : numpy.ndarray
        SpO2 in percent.

    Returns
    -------
    numpy.ndarray of bool
    """
    out = np.isfinite(x)
    return np.logical_not(out, out=out)


def mask_out_of_range(
    x: NDArray[np.float64], min_pct: float = 50.0, max_pct: float = 100.0
) -> NDArray[np.bool_]:
    """Rule 2: values outside [min_pct, max_pct] (Taha et al. 1997).

    Parameters
    ----------
    x : numpy.ndarray
        SpO2 in percent.
    min_pct, max_pct : float
        The plausible range.

    Returns
    -------
    numpy.ndarray of bool
        False for missing values (rule 1 owns those).
    """
    with np.errstate(invalid="ignore"):
        bad = np.asarray(x < min_pct)
        bad |= x > max_pct
    bad &= np.isfinite(x)
    return bad


def mask_implausible_fall(
    x: NDArray[np.float64],
    fs: float,
    usable: NDArray[np.bool_] | None = None,
    *,
    max_fall_pts_per_s: float = 4.0,
    recover_within_pts: float = 4.0,
    max_hold_s: float = 30.0,
) -> NDArray[np.bool_]:
    """Rule 3: implausibly fast falls and the samples held invalid after them.

    A sample more than ``max_fall_pts_per_s × max(Δt, 1 s)`` points below the last valid
    sample (Δt the time between them) is rejected. The samples that follow stay rejected until
    one comes back to within ``recover_within_pts`` of that last valid value, or for at most
    ``max_hold_s``, after which the new level is accepted. Rises are never rejected.

    Parameters
    ----------
    x : numpy.ndarray
        SpO2 in percent.
    fs : float
        Sampling rate in Hz.
    usable : numpy.ndarray of bool, optional
        Samples the rule may look at: those no other rule rejects (missing, out of range,
        status, pulse, excluded), so that the reference is the last *valid* sample; others
        are skipped and never serve as the reference. Default: the finite samples.
    max_fall_pts_per_s, recover_within_pts, max_hold_s : float
        See :class:`~oximetry.settings.ArtifactSettings`.

    Returns
    -------
    numpy.ndarray of bool

    Notes
    -----
    Outside a hold, the last valid sample is simply the previous usable one, so candidate falls
    are found for all samples at once; only the candidates (not the samples) are visited in
    order, each resolving its hold with a bounded vectorised search.
    """
    if usable is None:
        usable = np.isfinite(x)
    out, _ = _implausible_falls(x, fs, usable, max_fall_pts_per_s, recover_within_pts, max_hold_s)
    return out


def _implausible_falls(
    x: NDArray[np.float64],
    fs: float,
    usable: NDArray[np.bool_],
    max_fall_pts_per_s: float,
    recover_within_pts: float,
    max_hold_s: float,
) -> tuple[NDArray[np.bool_], list[tuple[int, int, float]]]:
    """Return the fall rule's mask and its holds that ran out, as ``(fall, end, reference)``.

    ``fall`` is the first sample flagged, ``end`` the first after the hold (where the rule
    accepts the new level), ``reference`` the last valid value before the fall.
    """
    n = x.shape[0]
    out = np.zeros(n, dtype=bool)
    ran_out: list[tuple[int, int, float]] = []
    at, ref = _fall_candidates(x, usable, fs, max_fall_pts_per_s)
    if at.size == 0:
        return out, ran_out
    hold_n = max(1, int(np.ceil(max_hold_s * fs - _EPS)))
    hold_end = -1  # candidates at or before this sample lie inside the current hold
    expired = -1  # after a hold that ran out: the first usable sample from here ends it too
    with np.errstate(invalid="ignore"):
        for i, r in zip(at.tolist(), ref.tolist(), strict=True):
            if i <= hold_end:
                continue
            if expired >= 0:
                first_after = not usable[expired:i].any()
                expired = -1
                if first_after:
                    continue
            stop = min(n, i + hold_n)
            back = np.flatnonzero(
                usable[i + 1 : stop] & (x[i + 1 : stop] >= r - recover_within_pts - _EPS)
            )
            if back.size:
                end = i + 1 + int(back[0])
                hold_end = end
            else:
                end = stop
                hold_end, expired = stop - 1, stop
                if stop < n:
                    ran_out.append((i, stop, r))
            out[i:end] = usable[i:end]
    return out, ran_out


#: Seconds before a fall in which the level a plateau is measured from is read, when it lies
#: below the last valid sample's (see :func:`fall_plateaus`).
STEADY_BEFORE_S = 10.0
#: The level is the median of the last this many seconds' worth of steady samples (at least 3,
#: as far as :data:`STEADY_BEFORE_S` holds them: at 0.25 Hz it holds 2), the higher middle
#: value of an even count: a sample or two above it are an upward artifact, but 3 s back at
#: 95 % between two slips are a level.
STEADY_LAST_S = 5.0

#: A level in doubt: ``(fall, start, end, reference, lowest)``, see :func:`fall_plateaus`.
Level = tuple[int, int, int, float, float]


def fall_plateaus(
    x: NDArray[np.float64],
    usable: NDArray[np.bool_],
    valid: NDArray[np.bool_],
    ran_out: Sequence[tuple[int, int, float]],
    recover_within_pts: float = 4.0,
    fs: float = 1.0,
    held: NDArray[np.bool_] | None = None,
    falls_from_recorded: Sequence[tuple[int, float]] = (),
    recorded: NDArray[np.bool_] | None = None,
    falls_from: Sequence[int] = (),
) -> tuple[list[Level], list[Level]]:
    """Return the levels accepted after a fall faster than a desaturation (SPEC §4.3).

    Those the fall rule accepted after a hold that ran out (``plateaus``), and those entered by
    a fall implausible against the last recorded sample (``at_once``, :func:`recorded_falls`).
    SPEC §4.3 holds the samples after an implausibly fast fall invalid for at most 30 s, then
    accepts the new level: true desaturations fall more slowly, so the level was entered by an
    artifact, and it is kept only because the true saturation might be there. A noisy probe
    slip on a steady 95 % night (an instant fall to ~85 %, 80 s there, an instant return)
    counted 50 s at or below 88 %, and six of them qualified a night. Such a level is valid
    data a reviewer must judge, as a long constant run is. So is a level the rule accepted at
    once because the samples next to the fall were invalid (see :func:`recorded_falls`).

    Both kinds are found in one pass in time order, so that no level is read as the one a
    later fall is measured from: a 10-s slip to 85 % entered after 3 s of status flag (accepted
    at once), a sample back at 95 %, then an instant fall to 82-83 % for 11 min: the rule left
    only its own plateaus out, read the first slip's 85 %, the second was no plateau, and the
    night qualified (review of hunt 10).

    Parameters
    ----------
    x : numpy.ndarray
        SpO2 in percent.
    usable : numpy.ndarray of bool
        The samples the fall rule looked at (none of the other rules rejects them).
    valid : numpy.ndarray of bool
        The samples valid after every rule.
    ran_out : sequence of (int, int, float)
        The fall rule's holds that ran out, as ``(fall, end, reference)``, in time order.
    recover_within_pts : float
        A level is left when a usable sample comes back within this of the reference.
    fs : float
        Sampling rate in Hz (for :data:`STEADY_BEFORE_S`).
    held : numpy.ndarray of bool, optional
        The samples the fall rule holds invalid: no level a plateau is measured from.
    falls_from_recorded : sequence of (int, float)
        The falls :func:`recorded_falls` found, as ``(fall, recorded value before it)``, in
        time order.
    recorded : numpy.ndarray of bool, optional
        The finite, in-range samples (default ``usable``): those another rule rejected may
        raise the level before a fall, never lower it (see :func:`_steady_reference`).
    falls_from : sequence of int
        The sample each of ``falls_from_recorded`` was measured from (default: the one before
        it); the level before the fall is read up to it. A fall over a second is found a second
        after it began: read up to the fall, a slip 0.4 s after a first one (95 -> 80.8 over
        0.16 s at 25 Hz, found 0.6 s later) took its own samples for the level, 83.3, and was
        no level (review 5 of hunt 10).

    Returns
    -------
    plateaus, at_once : list of (fall, start, end, reference, lowest)
        Sample indices: the fall, the first sample of the level (a plateau's is the hold's
        end; a level accepted at once starts at its first valid sample no plateau holds,
        often the fall itself) and the end (exclusive: the first usable sample back within
        ``recover_within_pts`` of the reference, a flagged sample never ends it, or the end of
        the recording); the reference, and the lowest valid value from the start. Levels
        without a valid sample (or, accepted at once, with all of them in a plateau) are left
        out; a fall inside a level of its own kind belongs to it (its level is in doubt
        already); measured from a higher level (read before the level's own fall), it extends that level to
        the first usable sample back within ``recover_within_pts`` of it, which becomes the
        level's reference: a fall over a second is measured from the sample a second back,
        which may lie in an earlier slip, so a level's first fall is not always measured from
        the highest reference of its falls.
    """
    read = list(falls_from) or [i - 1 for i, _ in falls_from_recorded]
    events = sorted(
        [(f, 0, s, r, f) for f, s, r in ran_out]
        + [(i, 1, i, r, j + 1) for (i, r), j in zip(falls_from_recorded, read, strict=True)]
    )  # the rule's own first when both kinds start at one fall
    # The level before a fall of either kind is read from the usable samples the rule does not
    # hold: read from the recorded ones, a status-flagged stretch at 85 % (its last 2 s back at
    # 95) was the level, the unflagged step from 95 to 82-83 % after it lay within 4 points of
    # it, and its 11 min qualified a night (review of hunt 10).
    steady = usable if held is None else usable & ~held
    seen = steady if recorded is None else recorded if held is None else recorded & ~held
    # per kind, in time order: (fall, start, end, reference, read up to)
    found: tuple[list[tuple[int, int, int, float, int]], ...] = ([], [])
    ends: list[int] = []  # the ends of the levels found so far, of either kind, sorted
    for fall, kind, start, ref, upto in events:
        if found[kind] and fall < found[kind][-1][2]:
            # inside a level of its own kind: it belongs to it, and extends it when measured
            # from a higher level. A fall over a second is measured from the sample a second
            # back, which may lie in an earlier slip: a first slip to 85 %, 0.8 s back at 95,
            # then 95 -> 80.8 over 0.16 s at 25 Hz: the first lagged fall was measured from 85,
            # its level ended at 81.8, the later ones (from 95) were dropped inside it, and the
            # 11 min at 80.8-81.8 qualified a night (review 5 of hunt 10)
            # (the level before it read as for the level's own fall: read before this fall, a
            # first slip 0.4 s back took the level's own samples for the level, 83.3)
            f0, s0, e0, r0, u0 = found[kind][-1]
            k = bisect.bisect_right(ends, f0)
            ref = _steady_reference(x, steady, seen, u0, ref, fs, ends[k - 1] if k else -1)
            if ref > r0:
                end = _back_within(x, usable, e0, ref - recover_within_pts - _EPS)
                ends.remove(e0)
                bisect.insort(ends, end)
                found[kind][-1] = (f0, s0, end, float(ref), u0)
            continue
        # the level before the fall is read after the latest earlier level that ended by it,
        # of either kind; a fall inside a level of the other kind reads that level (it is in
        # doubt already)
        k = bisect.bisect_right(ends, fall)
        since = ends[k - 1] if k else -1
        ref = _steady_reference(x, steady, seen, upto, ref, fs, since)
        end = _back_within(x, usable, start, ref - recover_within_pts - _EPS)
        if end <= start:
            # back within 4 points at once: no level, and no earlier level for the next fall.
            # Taken for one, each sample of a fall spread over a second at 10 Hz (after a first
            # slip whose seconds back at 95 % the oximeter flagged) was measured from the one
            # before it, each "level" ended where it began, and the 11 min at 78 % after the
            # fall were never in doubt (review of hunt 10)
            continue
        bisect.insort(ends, end)
        found[kind].append((fall, start, end, float(ref), upto))
    plateaus = [
        (f, s, e, r, float(np.min(x[s:e], where=valid[s:e], initial=np.inf)))
        for f, s, e, r, _ in found[0]
        if valid[s:e].any()
    ]
    # a level accepted at once is listed from its first valid sample no plateau holds: the
    # levels the fall rule held or made a plateau itself are not listed again
    doubt = valid.copy()
    for _, s, e, _, _ in plateaus:
        doubt[s:e] = False
    at_once: list[Level] = []
    for f, _, e, r, _ in found[1]:
        new = np.flatnonzero(doubt[f:e])
        if new.size:
            s = f + int(new[0])
            at_once.append((f, s, e, r, float(np.min(x[s:e], where=valid[s:e], initial=np.inf))))
    return plateaus, at_once


#: How long after data resume their level is read for :func:`dropout_edges` (seconds): the
#: highest valid sample of it. Read from the first sample alone, a probe that read low for one
#: sample when put back (77 % before the probe-off, 80 when back, then 95) made no edge, and the
#: hunt's night of 110 slides into a probe-off qualified again (review of hunt 11).
RESUMED_LEVEL_S = 5.0


def dropout_edges(
    x: NDArray[np.float64],
    valid: NDArray[np.bool_],
    fs: float,
    recover_within_pts: float = 4.0,
) -> list[tuple[int, int, int, float]]:
    """Return the valid data that stop low: the samples before a probe-off the data rise across.

    Where the valid data stop (invalid samples between two valid ones, whatever rejected them:
    a probe-off written as 0 or a blank, the oximeter's status flag, an implausible pulse, the
    fall rule's hold, an ``--exclude``; not the recording's end) and resume more than
    ``recover_within_pts`` above the last valid sample before the stop, the valid samples
    before the stop back to the first one within ``recover_within_pts`` of the level the data
    resume at (in the same valid island) are in doubt: a probe coming off reads low on its
    way, and nothing tells it from a true low. A steady 95 % night whose probe came off 110
    times, each time sliding 3 points a second for 6 s (92, 89, ... 77: within SPEC §4.3's
    limit, so valid), then 0 for 20 s, then 95 again, counted 5.4 min at or below 88 % and
    qualified both payers with no flag (hunt 11); so did the same slides into 20 s the
    oximeter flagged, or read with a pulse of 0, while SpO2 stayed at 77 (review of hunt 11).
    The level the data resume at is the highest valid sample of the first
    :data:`RESUMED_LEVEL_S` after the stop (in their island). The mirror of a test segment's
    run that ends in an instant rise (:func:`oximetry.metrics.segment.edge_runs`); here the
    rise is across the stop, at any rate. SPEC §4 keeps the samples; the criteria hold an
    outcome resting on them open (``Analysis.without_fall_plateaus``).

    Parameters
    ----------
    x : numpy.ndarray
        SpO2 in percent.
    valid : numpy.ndarray of bool
        The samples valid after every rule.
    fs : float
        Sampling rate in Hz (for :data:`RESUMED_LEVEL_S`).
    recover_within_pts : float
        Data resume low when more than this below the level they resume at.

    Returns
    -------
    list of (int, int, int, float)
        Sample indices: the first sample in doubt, the end (exclusive: the last valid sample
        before the stop, plus one) and the first valid sample after the stop; and the level the
        data resume at. In time order.

    Examples
    --------
    >>> x = np.array([95, 95, 92, 89, 86, np.nan, np.nan, 90, 95, 95], dtype=float)
    >>> dropout_edges(x, np.isfinite(x), 1.0)
    [(3, 5, 7, 95.0)]
    """
    n = x.shape[0]
    if not valid.any():
        return []
    # the stretches of invalid samples between two valid ones, from valid's transitions alone
    # (a night at 25 Hz has 720,000 samples and few transitions)
    turn = np.diff(valid.view(np.int8))
    stop = np.flatnonzero(turn < 0) + 1  # the first invalid sample after a valid one
    back = np.flatnonzero(turn > 0) + 1  # the first valid sample after an invalid one
    # heads: where the island before each stop begins (0, or where data came back before it)
    heads = back if not valid[0] else np.concatenate(([0], back))
    back = back[1:] if not valid[0] else back
    # each resumed island ends at the next stop (or the recording's end)
    island_end = np.concatenate((stop[1:], [n]))
    m = min(stop.size, back.size)  # a stop at the recording's end has no resumed value
    span = max(1, math.ceil(RESUMED_LEVEL_S * fs - _EPS))
    out = []
    # Last stop first: where the island the data resume in is itself wholly in doubt (its own
    # stop made an edge from its first sample), the data had not come back, and the level is
    # read after it too: a slide into 6 s of 0, 10 s at 78 %, 10 s of 0, then 95 % left the
    # island an edge and the slide before it counted, and 110 of them qualified (review of
    # hunt 11). However long the island: read past 30 s at most, islands of 31 s (or 2-4 min
    # in an 8-hour night) qualified the same slides again (review 5 of hunt 11). A genuine
    # desaturation broken by several probe-offs, the patient back at 95 % after the last, is
    # held open whole when the outcome rests on it: nothing in the samples tells it apart.
    after: tuple[int, float] | None = None  # the next stop's edge: its first sample, its level
    stops = zip(
        stop[:m].tolist(),
        back[:m].tolist(),
        heads[:m].tolist(),
        island_end[:m].tolist(),
        strict=True,
    )
    for s, e, h, z in reversed(list(stops)):
        resumed = float(np.max(x[e : min(e + span, z)]))
        if after is not None and after[0] == e:
            resumed = max(resumed, after[1])
        after = None
        if resumed - x[s - 1] > recover_within_pts + _EPS:
            first = _back_to(x, h, s, resumed - recover_within_pts - _EPS)
            out.append((first, s, e, resumed))
            after = (first, resumed)
    return out[::-1]


def _outside(valid: NDArray[np.bool_], levels: Sequence[Level]) -> NDArray[np.bool_]:
    """Return ``valid`` without the levels in doubt a fall entered (:func:`fall_plateaus`).

    For :func:`dropout_edges` such a level is no return of the data but part of the stop: a
    slide into 40 s at 55 % with the pulse on (the fall rule held 30 s, then accepted the
    level), then 95 %, read the data as resumed at 55 and the slide before it counted; so did
    the same fall to 55 % spread over 1.5-3 s at 2 and 25 Hz (a level accepted at once, the
    data never stopping): 110 of either qualified (review of hunt 11).
    """
    if not levels:
        return valid
    firm = valid.copy()
    for _, s, e, _, _ in levels:
        firm[s:e] = False
    return firm


def _back_to(v: NDArray[np.float64], start: int, k: int, level: float) -> int:
    """Return the first of the samples ``v[j:k]`` below ``level`` back from ``k`` (``j >= start``).

    Searched in chunks that double, so that a run of a few samples in a long island costs a few
    samples, not the island.
    """
    size, end = 256, k
    while end > start:
        s0 = max(start, end - size)
        high = np.flatnonzero(v[s0:end] >= level)
        if high.size:
            return s0 + int(high[-1]) + 1
        end, size = s0, size * 2
    return start


def _upper_median(v: NDArray[np.float64]) -> float:
    """Return the median of ``v``, of an even count its higher middle value.

    np.median averages the two (never a recorded value): at 0.25 Hz the 10 s before a fall
    hold 2 samples, and a first level at 68 %, one sample (4 s) back at 95 %, then an instant
    fall to 77-78 % for 11 min was measured from 81.5 % and qualified a night (review of
    hunt 10). The higher errs towards a level in doubt.
    """
    return float(np.sort(v)[v.size // 2])


def _steady_reference(
    x: NDArray[np.float64],
    ok: NDArray[np.bool_],
    seen: NDArray[np.bool_],
    fall: int,
    ref: float,
    fs: float,
    since: int,
) -> float:
    """Return the level a plateau is measured from: the sample before the fall, or lower.

    Rises are never flagged (SPEC §4.3), so an upward artifact (one sample at 99 in a COPD
    night at 89 %) became the reference, the night never came back within 4 points of it, and
    the whole night was one plateau, held open (review of hunt 9). The median (of an even
    count the higher middle value, :func:`_upper_median`) of the last :data:`STEADY_LAST_S` of
    ``ok`` samples within the :data:`STEADY_BEFORE_S` before the fall, when lower, is the
    level. ``ok`` leaves out what the fall rule holds and what another rule rejects, and
    ``since`` (the end of the latest level in doubt that ended by the fall) what lies in an
    earlier level: read from a 10-s slip just before a second one, the level was the first
    slip's, the second slip's 11 min were no plateau, and the night qualified.

    The median of all 10 s discounted up to 4 samples above the rest: a first slip to 85 %
    entered by a plausible staircase (or across a 3-s dropout), 3 s back at 95 %, then an
    instant fall to 82-83 % for 11 min was measured from 85 %, and the night qualified (review
    of hunt 10). The last 5 s discount a sample or two only. With no ``ok`` sample there (all
    excluded or flagged) the level is ``ref``, the value before the fall.

    Rejected samples may raise the level, never lower it: the level is the larger of that
    median and the one of the last :data:`STEADY_LAST_S` of ``seen`` samples (recorded, not
    held) in the same window. Read from the ``ok`` samples alone, the same first slip, 6 s back
    at 95 % of which the oximeter flagged the last 4 (still reading 95, or they were excluded),
    then the instant fall: 2 usable seconds at 95 were an upward artifact, the level was 85 %,
    and the night qualified (review of hunt 10). Read from the ``seen`` samples alone, a
    flagged stretch at 85 % whose last 2 s were back at 95 was the level (see
    :func:`fall_plateaus`): there no ``ok`` sample is left, and the level is ``ref``, 95.
    """
    lo = max(0, since, fall - max(1, round(STEADY_BEFORE_S * fs)))
    last = max(3, round(STEADY_LAST_S * fs))
    steady = x[lo:fall][ok[lo:fall]][-last:]
    if not steady.size:
        return ref
    recorded = x[lo:fall][seen[lo:fall]][-last:]  # never empty: ok samples are seen
    return min(ref, max(_upper_median(steady), _upper_median(recorded)))


def recorded_falls(
    x: NDArray[np.float64],
    fs: float,
    recorded: NDArray[np.bool_],
    usable: NDArray[np.bool_],
    max_fall_pts_per_s: float = 4.0,
    held: NDArray[np.bool_] | None = None,
) -> list[tuple[int, float]]:
    """Return the falls faster than a desaturation that the fall rule does not hold.

    SPEC §4.3 measures a fall from the last valid sample, so an excluded, status- or
    pulse-flagged sample just before a probe slip lengthens Δt: 3 s excluded (or flagged by the
    oximeter) before an instant fall from 95 to 82 % made it 13 points over 4 s, plausible, and
    the 10 min at 82 % that followed were accepted at once, no plateau, and qualified the night
    (hunt 9). The mask stays the SPEC's; for the review, the recorded values of such samples
    count: a fall more than ``max_fall_pts_per_s × max(Δt, 1 s)`` below the previous finite,
    in-range sample, where either of the two is not usable, enters a level in doubt
    (:func:`fall_plateaus`). Missing and out-of-range samples are not recorded values (a fall
    across a dropout is the SPEC's).

    SPEC §4.3 compares consecutive samples, so above 1 Hz a fall spread over a few samples is
    never flagged: at 25 Hz it allows 4 points per 0.04 s, and a probe slip from 94 to 84 %
    over 0.2-1 s, 40 s there, qualified a rest test (and seven 60-s slips a night) that at 1 Hz
    was held open (hunt 10). So a fall is also measured over about a second: a sample more
    than ``max_fall_pts_per_s × max(Δt, 1 s)`` + :data:`LAG_STEP_ALLOWANCE_PTS` (one display
    step) below the recorded sample ``round(fs)`` samples earlier (Δt between them; at 1 Hz the
    previous one, the rule above). Such a fall between two
    usable samples is listed when ``held`` says the fall rule holds neither (it did not see the
    fall); one the rule holds is its own. Measured from the sample a second earlier (not the
    highest of that second), an upward spike and its return are a fall only at the sample a
    second after the spike, and a level is measured from the steady samples before its fall
    anyway (:func:`fall_plateaus`), so a spike is no level.

    Parameters
    ----------
    x : numpy.ndarray
        SpO2 in percent.
    fs : float
        Sampling rate in Hz.
    recorded : numpy.ndarray of bool
        The finite, in-range samples.
    usable : numpy.ndarray of bool
        The samples the fall rule looked at (no rule but the fall rule's own rejects them).
    max_fall_pts_per_s : float
        See :class:`~oximetry.settings.ArtifactSettings`.
    held : numpy.ndarray of bool, optional
        The fall rule's mask (:func:`mask_implausible_fall`); None: falls between two usable
        samples are all the rule's own.

    Returns
    -------
    list of (int, float)
        Each fall's sample index and the recorded value it fell from (the highest, when both
        measures find it), in time order.
    """
    at, ref, _, _ = _review_falls(x, fs, recorded, usable, max_fall_pts_per_s, held, True)
    return list(zip(at.tolist(), ref.tolist(), strict=True))


def _review_falls(
    x: NDArray[np.float64],
    fs: float,
    recorded: NDArray[np.bool_],
    usable: NDArray[np.bool_],
    max_fall_pts_per_s: float,
    held: NDArray[np.bool_] | None,
    rejected: bool,
) -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.bool_], NDArray[np.intp]]:
    """Return :func:`recorded_falls`' falls, the values and samples they fell from, and spread.

    Spread: between two usable samples (over samples less than a second apart), not next to
    samples another rule rejects.

    ``rejected``: whether another rule rejects any recorded sample; without one, the falls
    between consecutive recorded samples are all the rule's own and are not searched.
    """
    ats: list[NDArray[np.intp]] = []
    refs: list[NDArray[np.float64]] = []
    kinds: list[NDArray[np.bool_]] = []
    froms: list[NDArray[np.intp]] = []
    if rejected:
        at, ref = _fall_candidates(x, recorded, fs, max_fall_pts_per_s)
        if at.size:
            idx = np.flatnonzero(recorded)
            prev = idx[np.searchsorted(idx, at) - 1]  # each fall's reference sample
            other = ~(usable[prev] & usable[at])  # between two usable samples: the rule's own
            ats.append(at[other])
            refs.append(ref[other])
            kinds.append(np.zeros(int(np.count_nonzero(other)), dtype=bool))
            froms.append(prev[other])
    at, prev = _lagged_falls(x, recorded, fs, max_fall_pts_per_s)
    if at.size:
        both = usable[prev] & usable[at]
        keep = ~both  # next to a sample another rule rejects
        if held is not None:
            # a fall the rule holds is kept too: its plateau is measured from the sample before
            # its last step, and 96 -> 92.1 -> 88.2 -> 84 % at 4 Hz (12 points in 0.75 s, the
            # last step the rule's) left a plateau that ended back within 4 points of 88.2
            # while the 11 min at 84 % qualified a night (review 7 of hunt 10)
            keep |= both & ~held[prev]
        ats.append(at[keep])
        refs.append(x[prev[keep]])
        kinds.append(both[keep])
        froms.append(prev[keep])
    if not ats:
        none = np.empty(0, dtype=np.intp)
        return none, np.empty(0), np.empty(0, dtype=bool), none
    at, ref = np.concatenate(ats), np.concatenate(refs)
    spread, prev = np.concatenate(kinds), np.concatenate(froms)
    # in time order, one entry per sample: the highest value it fell from
    order = np.lexsort((-ref, at))
    at, ref, spread, prev = at[order], ref[order], spread[order], prev[order]
    first = np.ones(at.size, dtype=bool)
    first[1:] = at[1:] != at[:-1]
    return at[first], ref[first], spread[first], prev[first]


#: Points a fall over a second (:func:`fall_lag`) may exceed the SPEC's 4 × max(Δt, 1 s): one
#: display step. An oximeter shows whole percents updated about once a second (beat by beat, or
#: a second apart with 10-30 ms of timing jitter against a PSG's sample grid), so a 1-s window
#: of a 25-Hz export often holds two updates of a genuine fall: 2 + 3 = 5 points at 2.5-3.9
#: points a second, and 7-14 of 14 genuine desaturations were held open as levels in doubt
#: (review 5 of hunt 10). A probe slip of 10 points over up to 1 s is still more than 8.
LAG_STEP_ALLOWANCE_PTS = 4.0
#: The windows a fall is measured over for the review, in seconds (in whole samples rounded up
#: and down, :func:`lag_windows`): with :data:`LAG_STEP_ALLOWANCE_PTS` a fall over 1 s may
#: reach 8 points, over 1.5 s 10, over 2 s 12. A genuine fall of at most 4 points a second,
#: shown in whole percents updated at least once a second, spans at most a second more of it
#: than the window: 11.7 points over 2 s at 3.9 a second, at most 12 shown. Over 1 s alone, a
#: staircase of 3.9 points a sample at 2 Hz, 96 -> 81.4 in 2 s (or 90 -> 78.7 in 1.5 s),
#: qualified a night on its 11 min (review 5 of hunt 10).
LAG_WINDOWS = (1.0, 1.5, 2.0)


def lag_limit(
    seconds: float | NDArray[np.float64], max_pts_per_s: float
) -> float | NDArray[np.float64]:
    """Return the most SpO2 may change over ``seconds`` for the review of falls above 1 Hz.

    SPEC §4.3's ``max_pts_per_s × max(Δt, 1 s)`` and one display step more
    (:data:`LAG_STEP_ALLOWANCE_PTS`): the one rule of :func:`_lagged_falls`,
    :func:`_gap_falls` and a test segment's edges (:func:`oximetry.metrics.segment.edge_runs`).

    Parameters
    ----------
    seconds : float or numpy.ndarray
        The time between the two samples compared.
    max_pts_per_s : float
        SPEC §4.3's rate (4 points a second).

    Returns
    -------
    float or numpy.ndarray
        Points, as ``seconds``.

    Examples
    --------
    >>> float(lag_limit(1.5, 4.0))
    10.0
    """
    return max_pts_per_s * np.maximum(seconds, 1.0) + LAG_STEP_ALLOWANCE_PTS


def _lagged_falls(
    x: NDArray[np.float64], recorded: NDArray[np.bool_], fs: float, max_fall_pts_per_s: float
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Return the samples more than the allowed fall below the one a second earlier, and it.

    Both ``recorded``, :func:`fall_lag` samples apart (where the sample that far back is not
    recorded, the recorded samples of the second before it, :func:`_gap_falls`); none when the
    lag is 1 sample (the consecutive samples SPEC §4.3 compares). Worked in cache-sized chunks, as
    :func:`_fall_candidates` is: one subtraction per sample.
    """
    lag = fall_lag(fs)
    n = x.shape[0]
    if lag == 1 or n <= lag:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    chunk = 1 << 17
    ats: list[NDArray[np.intp]] = []
    prevs: list[NDArray[np.intp]] = []
    # over 1, 1.5 and 2 s (LAG_WINDOWS), in whole samples rounded up and down: the display step
    # allowed makes one second alone let a staircase of 3.9 points a sample at 2 Hz (7.8 a
    # second) through
    for d in lag_windows(fs):
        limit = lag_limit(d / fs, max_fall_pts_per_s) + _EPS
        with np.errstate(invalid="ignore"):  # a missing sample is NaN: never a fall
            for s in range(d, n, chunk):
                e = min(n, s + chunk)
                c = np.flatnonzero(x[s - d : e - d] - x[s:e] > limit) + s
                c = c[recorded[c] & recorded[c - d]]  # out of range (0 for a probe off)
                ats.append(c)
                prevs.append(c - d)
    at, prev = np.concatenate(ats), np.concatenate(prevs)
    # Where the sample a second back is not recorded (a dropout of a second or more, whose
    # recorded samples lie more than a second back), measured from the second before the
    # dropout: 95 -> 91.01 -> 1 s missing -> 86.88 -> 82.89, 12 points in 1.12 s, escaped
    # both measures at 4-25 Hz (review 5 of hunt 10). Only the samples a second after a
    # missing one are read.
    gap = np.flatnonzero(~recorded[: n - lag]) + lag
    gap = gap[recorded[gap]]
    if gap.size:
        idx = np.flatnonzero(recorded)
        pos = np.searchsorted(idx, gap - lag) - 1  # the last recorded sample before it
        gap, pos = gap[pos >= 0], pos[pos >= 0]
        fell, ref = _gap_falls(x, recorded, fs, lag, max_fall_pts_per_s, gap, idx[pos])
        if fell.size:
            at = np.concatenate((at, gap[fell]))
            prev = np.concatenate((prev, ref))
    order = np.argsort(at, kind="stable")
    return at[order], prev[order]


def _gap_falls(
    x: NDArray[np.float64],
    ok: NDArray[np.bool_],
    fs: float,
    lag: int,
    max_fall_pts_per_s: float,
    at: NDArray[np.intp],
    last: NDArray[np.intp],
    tie_pts: float = _EPS,
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Return which of ``at`` fell over a second across a dropout, and the samples they fell from.

    ``last``: each one's last ``ok`` sample before the one :func:`fall_lag` samples back (which
    is not ``ok``). Each is measured from every ``ok`` sample of the second up to ``last``,
    with the SPEC's Δt-scaled limit and :data:`LAG_STEP_ALLOWANCE_PTS`: from ``last`` alone, a
    fall of 3.99 points in one sample before a 1-s dropout and 3.99 after it was 8.12 points
    over 1.08 s, within the allowance (review 5 of hunt 10). The sample fallen from is the
    highest of those it fell too fast from. Worked in blocks of ``at`` (``lag`` samples each).
    ``tie_pts``: how far over the limit a fall must be; the fall rule's ``_EPS`` keeps a flag off
    a fall of the limit itself between one-decimal readings (:func:`_fall_candidates`), a test
    segment's edges pass 0 (:func:`oximetry.metrics.segment.edge_runs`).
    """
    fell: list[NDArray[np.intp]] = []
    refs: list[NDArray[np.intp]] = []
    back = np.arange(lag)
    block = max(1, (1 << 18) // lag)
    with np.errstate(invalid="ignore"):
        for s in range(0, at.size, block):
            i, j = at[s : s + block], last[s : s + block]
            k = j[:, None] - back[None, :]  # the second up to j
            k_ok = (k >= 0) & ok[np.maximum(k, 0)]
            k = np.maximum(k, 0)
            dt_s = (i[:, None] - k) / fs
            limit = lag_limit(dt_s, max_fall_pts_per_s) + tie_pts
            too_fast = k_ok & (x[k] - x[i][:, None] > limit)
            hit = np.flatnonzero(too_fast.any(axis=1))
            if hit.size:
                high = np.where(too_fast[hit], x[k[hit]], -np.inf).argmax(axis=1)
                fell.append(hit + s)
                refs.append(k[hit, high])
    if not fell:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    return np.concatenate(fell), np.concatenate(refs)


def lag_windows(fs: float) -> list[int]:
    """Return the windows, in samples, over which a review fall is measured above 1 Hz.

    Each of :data:`LAG_WINDOWS` in whole samples, rounded up and, where that differs and spans
    more than one sample, rounded down too. Rounded up, so that none is shorter than its
    seconds: ``round(lag × w)`` made them 0.8, 1.2 and 1.6 s at 2.5 Hz, nothing measured over
    2 s, and 14.4 points in 2.0 s qualified a night (review 7 of hunt 10). Rounded down too,
    since the limit is scaled by the time each spans and a window longer than a fall lets it
    through: at 3 Hz, over 3, 5 and 6 samples (1, 1.67 and 2 s), 97 -> 86.6 % in 4 samples
    (1.33 s, 7.8 points a second) was within 8, 10.67 and 12 points, and 15 s at 86.6 % set
    a walk's sustained nadir with no edge (hunt 14); over 4 samples it is more than 9.33. A
    genuine fall of at most 4 points a second shown in whole percents spans at most
    4 × T + 4 points over any window T, so a shorter window flags none. One sample is the fall
    rule's own comparison (4 × max(Δt, 1 s), no allowance).

    Parameters
    ----------
    fs : float
        Sampling rate in Hz.

    Returns
    -------
    list of int
        Samples apart, ascending (2, 3, 4 and 5 at 2.5 Hz; 3, 4, 5 and 6 at 3 Hz; 25, 37, 38
        and 50 at 25 Hz).

    Examples
    --------
    >>> lag_windows(2.5)
    [2, 3, 4, 5]
    >>> lag_windows(3.0)
    [3, 4, 5, 6]
    """
    up = {max(1, math.ceil(w * fs - 1e-9)) for w in LAG_WINDOWS}
    down = {math.floor(w * fs + 1e-9) for w in LAG_WINDOWS}
    return sorted(up | {d for d in down if d > 1})


def fall_lag(fs: float) -> int:
    """Return how many samples apart a fall is measured for the review: about 1 s.

    ``round(fs)``, at least 1 (at 1 Hz and below, consecutive samples as SPEC §4.3). SPEC §4.3's
    premise is that true desaturations fall more slowly than 4 points a second; between
    consecutive samples at 25 Hz its limit is 4 points per 0.04 s (hunt 10). The window is
    ``round(fs) / fs`` s, not exactly a second: Python rounds halves to even, so it is 1.33 s at
    1.5 Hz and 0.8 s at 2.5 Hz (the limit is scaled by it, at least 1 s).

    Parameters
    ----------
    fs : float
        Sampling rate in Hz.

    Returns
    -------
    int
    """
    return max(1, round(fs))


def _back_within(
    x: NDArray[np.float64], usable: NDArray[np.bool_], start: int, level: float
) -> int:
    """Return the first usable sample from ``start`` at or above ``level`` (else ``len(x)``).

    Searched in chunks that double, so that a slip of a minute costs a minute of samples, not
    the rest of the night.
    """
    n = x.shape[0]
    size, s0 = 256, start
    with np.errstate(invalid="ignore"):
        while s0 < n:
            s1 = min(n, s0 + size)
            back = np.flatnonzero(usable[s0:s1] & (x[s0:s1] >= level))
            if back.size:
                return s0 + int(back[0])
            s0, size = s1, size * 2
    return n


def _fall_candidates(
    x: NDArray[np.float64], usable: NDArray[np.bool_], fs: float, max_fall_pts_per_s: float
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Return the samples more than the allowed fall below the previous usable one, with it.

    Worked in cache-sized chunks, so that no index or value array of the whole night is built;
    a chunk whose samples are all usable needs no compression at all.
    """
    n = x.shape[0]
    # consecutive usable samples are at least 1/fs apart: the smallest limit finds every
    # candidate; the exact limit (by the time between them) then confirms it. Both with _EPS:
    # SPEC §4.3 flags a fall of *more than* the limit, and 64.4 - 60.4 is 4.000000000000007 in
    # binary floating point (a 4.0-point step between one-decimal readings was flagged below
    # 68 %, and the 30 s after it held invalid).
    rough = max_fall_pts_per_s * max(1.0 / fs, 1.0) + _EPS
    chunk = 1 << 17
    ats: list[NDArray[np.intp]] = []
    refs: list[NDArray[np.float64]] = []
    prev = -1  # the last usable sample before the chunk
    for s in range(0, n, chunk):
        e = min(n, s + chunk)
        u = usable[s:e]
        if prev == s - 1 and u.all():  # usable and contiguous with the previous chunk
            lo = max(prev, 0)
            v = x[lo:e]
            c = np.flatnonzero(v[:-1] - v[1:] > rough)
            if c.size:
                ats.append(c + lo + 1)
                refs.append(v[c])
            prev = e - 1
            continue
        idx = np.flatnonzero(u) + s
        if prev >= 0:
            idx = np.concatenate(([prev], idx))
        if idx.size == 0:
            continue
        v = x[idx]
        drop = v[:-1] - v[1:]
        c = np.flatnonzero(drop > rough)
        if c.size:
            gap_s = (idx[c + 1] - idx[c]) / fs
            c = c[drop[c] > max_fall_pts_per_s * np.maximum(gap_s, 1.0) + _EPS]
            ats.append(idx[c + 1])
            refs.append(v[c])
        prev = int(idx[-1])
    if not ats:
        return np.empty(0, dtype=np.intp), np.empty(0)
    return np.concatenate(ats), np.concatenate(refs)


def _map_to_spo2(bad: NDArray[np.bool_], fs_src: float, fs: float, n: int) -> NDArray[np.bool_]:
    """Mark SpO2 samples whose interval overlaps the interval of any ``bad`` source sample."""
    out = np.zeros(n, dtype=bool)
    j = np.flatnonzero(bad)
    if j.size == 0 or n == 0:
        return out
    i0 = np.clip(np.floor(j * fs / fs_src + _EPS).astype(np.int64), 0, n)
    i1 = np.clip(np.ceil((j + 1) * fs / fs_src - _EPS).astype(np.int64), 0, n)
    diff = np.zeros(n + 1, dtype=np.int64)
    np.add.at(diff, i0, 1)
    np.add.at(diff, i1, -1)
    return np.cumsum(diff[:-1]) > 0


def mask_status(status: Signal | None, fs: float, n: int) -> NDArray[np.bool_]:
    """Rule 4a: SpO2 samples the oximeter flagged (status non-zero), mapped by time.

    Parameters
    ----------
    status : Signal or None
        The status channel at its own rate; NaN status values are not flags.
    fs : float
        SpO2 sampling rate.
    n : int
        Number of SpO2 samples.

    Returns
    -------
    numpy.ndarray of bool
    """
    if status is None:
        return np.zeros(n, dtype=bool)
    s = status.data
    bad = np.isfinite(s) & (s != 0)
    return _map_to_spo2(bad, status.fs, fs, n)


def mask_pulse_out_of_range(
    pulse: Signal | None, fs: float, n: int, min_bpm: float = 25.0, max_bpm: float = 250.0
) -> NDArray[np.bool_]:
    """Rule 4b: SpO2 samples at times when the pulse rate is outside [min_bpm, max_bpm].

    Parameters
    ----------
    pulse : Signal or None
        Pulse rate at its own rate; missing pulse values are not flags.
    fs : float
        SpO2 sampling rate.
    n : int
        Number of SpO2 samples.
    min_bpm, max_bpm : float
        The plausible range.

    Returns
    -------
    numpy.ndarray of bool
    """
    if pulse is None:
        return np.zeros(n, dtype=bool)
    p = pulse.data
    with np.errstate(invalid="ignore"):
        bad = np.isfinite(p) & ((p < min_bpm) | (p > max_bpm))
    return _map_to_spo2(bad, pulse.fs, fs, n)


def mask_excluded(spans_s: Sequence[tuple[float, float]], fs: float, n: int) -> NDArray[np.bool_]:
    """Spans a technologist rejected (``--exclude``), as a sample mask.

    Parameters
    ----------
    spans_s : sequence of (float, float)
        Half-open spans in seconds from the start.
    fs : float
        Sampling rate.
    n : int
        Number of samples.

    Returns
    -------
    numpy.ndarray of bool
    """
    return spans_mask(spans_s, fs, n)


def mask_short_islands(
    invalid: NDArray[np.bool_], fs: float, min_island_s: float = 10.0
) -> NDArray[np.bool_]:
    """Rule 5: valid islands shorter than ``min_island_s`` between two invalid spans.

    Parameters
    ----------
    invalid : numpy.ndarray of bool
        Samples already rejected by the other rules.
    fs : float
        Sampling rate.
    min_island_s : float
        Islands with fewer than ``min_island_s × fs`` samples are rejected. Islands touching
        the start or the end of the recording are kept.

    Returns
    -------
    numpy.ndarray of bool
        The island samples newly rejected.
    """
    n = invalid.shape[0]
    out = np.zeros(n, dtype=bool)
    starts, ends = find_runs(~invalid)
    inner = (starts > 0) & (ends < n) & ((ends - starts) < min_island_s * fs - _EPS)
    if np.any(inner):
        # islands are disjoint runs, so the running sum of their edges is 0 or 1
        diff = np.zeros(n + 1, dtype=np.int8)
        diff[starts[inner]] = 1
        diff[ends[inner]] = -1
        out = np.cumsum(diff[:-1], dtype=np.int8).view(bool)
    return out


#: Width of the band a held reading may wander in (percentage points): an oximeter that holds
#: its last value and is recorded through an analog output comes back with a few digitiser
#: steps of noise (12 bits over 0-100 %: 0.024 points a step), and such a reading held at 86 %
#: for ten minutes counted as ten minutes at or below 88 % with no review flag. A fifth of a
#: point: a saturation that moves by more than 1.2 points an hour leaves any such band within
#: ten minutes (a half-point band took a night drifting from 91 to 86 % over 2.5 h for one
#: held run and made it indeterminate), and readings a whole percent apart never share one.
HELD_BAND_PCT = 0.2
#: Longest stretch of missing samples counted in a held run's length (seconds). A run continues
#: through missing samples however long they last (no sample of another value between them):
#: an export that writes a blank row now and then into a held reading (one every 4 min in 20
#: min held at 86 %) cut it into runs of under ten minutes, each unflagged, and the night
#: qualified on them; with gaps of up to a minute joined, a 61-s dropout in 19 min held at
#: 86 % still made two unflagged runs of 9 min, and the night qualified (hunt 9). A longer
#: stretch counts this long only, so that a sample either side of an hour's probe-off is no
#: held run of an hour, and the run is reported as the pieces where the data are.
HELD_GAP_S = 60.0


def frozen_runs(
    x: NDArray[np.float64], fs: float, min_run_s: float = 600.0
) -> list[tuple[int, int, float]]:
    """Find runs of one held finite value lasting at least ``min_run_s`` (sensor frozen?).

    Held: every sample of the run lies in one band :data:`HELD_BAND_PCT` wide, on one of two
    grids of such bands offset by half a band, so a value whose noise stays under half a band
    from peak to peak always lies in one band. Missing samples (NaN, or no band) do not break a
    run, however long they last; a run begins and ends on a sample that has a value. Its length
    counts each stretch of missing samples inside it up to :data:`HELD_GAP_S`, and a run with
    longer stretches is returned as its pieces between them (where the data are). A run inside
    another run is left out; runs of the two grids that only overlap are both kept (SpO2
    moving less than a band in ten minutes).

    Parameters
    ----------
    x : numpy.ndarray
        SpO2 in percent.
    fs : float
        Sampling rate.
    min_run_s : float
        Minimum length.

    Returns
    -------
    list of (start_index, end_index, value)
        In order of start, the pieces of one run one after another; ``value`` is the piece's
        lowest value (a run at exactly one value: that value).
    """
    return [p for run in _held_runs(x, fs, min_run_s) for p in run]


def _held_runs(
    x: NDArray[np.float64], fs: float, min_run_s: float
) -> list[list[tuple[int, int, float]]]:
    """Return :func:`frozen_runs`'s runs, each as its pieces between long missing stretches."""
    n = x.shape[0]
    if n < 2:
        return []
    found: set[tuple[int, int]] = set()  # the same run found on both grids counts once
    band = np.empty_like(x)  # each grid's band numbers, written in place
    with np.errstate(over="ignore"):
        np.multiply(x, 1.0 / HELD_BAND_PCT, out=band)
    has_band = np.isfinite(band)  # not NaN, inf or too large for a band
    # Runs are found among the samples with a band alone, so that missing samples between two
    # of one band join them whatever their number. (Filling each missing stretch with the band
    # before it, as when only stretches of up to a minute joined, cost frozen_runs 28 ms instead
    # of 15 on an 8-hour 25 Hz night missing 20 stretches of up to an hour.)
    g0, g1 = find_runs(~has_band)
    idx: NDArray[np.intp] | None = None
    if g0.size:
        idx = np.flatnonzero(has_band)
        band = band[idx]
    if band.shape[0] < 2:
        return []
    # what each missing stretch adds to a run's length beyond HELD_GAP_S (not counted), summed
    gap_n = math.floor(HELD_GAP_S * fs + _EPS)
    beyond = np.concatenate(([0], np.cumsum(np.maximum(g1 - g0 - gap_n, 0))))
    same = np.empty(band.shape[0] - 1, dtype=bool)
    grid = np.empty_like(band)
    for offset in (0.0, 0.5):
        np.add(band, offset, out=grid)  # 5 bands a point
        np.floor(grid, out=grid)
        np.equal(grid[1:], grid[:-1], out=same)
        # k "same" flags from sample s: the samples s to s + k (of those with a band)
        first, last = find_runs(same)
        if idx is None:
            starts, ends = first, last + 1
        else:
            starts, ends = idx[first], idx[last] + 1
        # the missing stretches inside a run start after its first sample and before its end
        counted = ends - starts
        counted -= beyond[np.searchsorted(g0, ends)] - beyond[np.searchsorted(g0, starts)]
        keep = counted >= min_run_s * fs - _EPS
        found.update(zip(starts[keep].tolist(), ends[keep].tolist(), strict=True))
    runs: list[list[tuple[int, int, float]]] = []
    reach = -1  # the furthest end of the runs kept so far (each starts no later)
    for s, e in sorted(found, key=lambda r: (r[0], -r[1])):
        if e > reach:  # not inside a run already kept
            runs.append(_pieces(x, has_band, s, e, g0, g1, gap_n))
            reach = e
    return runs


def _pieces(
    x: NDArray[np.float64],
    has_band: NDArray[np.bool_],
    s: int,
    e: int,
    g0: NDArray[np.intp],
    g1: NDArray[np.intp],
    gap_n: int,
) -> list[tuple[int, int, float]]:
    """Split the run ``[s, e)`` at its missing stretches longer than ``gap_n`` samples."""
    a, b = np.searchsorted(g0, s), np.searchsorted(g0, e)
    long = (g1[a:b] - g0[a:b]) > gap_n
    cuts = [s, *np.column_stack((g0[a:b][long], g1[a:b][long])).ravel().tolist(), e]
    return [
        (p, q, float(np.min(x[p:q], where=has_band[p:q], initial=np.inf)))
        for p, q in zip(cuts[::2], cuts[1::2], strict=True)
    ]


def _held_level(x: NDArray[np.float64], start: int, end: int, lo: float) -> str:
    """Say where a held run stayed; ``lo`` is its value, the lowest (:func:`frozen_runs`)."""
    hi = float(np.nanmax(x[start:end]))  # missing samples inside a run are NaN
    return f"exactly {lo:g} %" if lo == hi else f"within {lo:g}–{hi:g} %"


def _clock_of(recording: Recording) -> Callable[[float], str]:
    """Return a function saying a time of the recording as the report does (a clock time).

    The review flags said "12000 s after the start" while every other time of report.pdf and of
    the conflicts is a clock time, so a reviewer had to count the seconds on from the start to
    find the level on the strips (hunt 10). Elapsed time ("3:20:00 elapsed") without a clock.
    """
    return lambda seconds: clock_text(
        recording.start,
        seconds,
        span_s=recording.duration_s,
        date_known=recording.source.date_known,
        clock_known=recording.clock_known,
    )


def _review_flags(
    x: NDArray[np.float64],
    runs: list[list[tuple[int, int, float]]],
    fs: float,
    min_run_s: float,
    at: Callable[[float], str],
) -> tuple[str, ...]:
    flags = []
    for pieces in runs[:5]:
        (s, _, _), e, v = pieces[0], pieces[-1][1], min(p[2] for p in pieces)
        if len(pieces) == 1:
            flags.append(
                f"SpO2 stayed {_held_level(x, s, e, v)} for {(e - s) / fs / 60:.1f} min from "
                f"{at(s / fs)}: check that the sensor was not frozen"
            )
            continue
        data = sum(q - p for p, q, _ in pieces)
        flags.append(
            f"SpO2 stayed {_held_level(x, s, e, v)} for {data / fs / 60:.1f} min in "
            f"{len(pieces)} parts from {at(s / fs)} to {at(e / fs)}, with "
            f"no data for {(e - s - data) / fs / 60:.1f} min between them: check that the "
            "sensor was not frozen"
        )
    if len(runs) > 5:
        flags.append(f"... and {len(runs) - 5} more held runs of at least {min_run_s / 60:g} min")
    return tuple(flags)


def _plateau_flags(
    x: NDArray[np.float64],
    plateaus: list[tuple[int, int, int, float, float]],
    fs: float,
    max_hold_s: float,
    at_once: set[tuple[int, int, int, float, float]],
    spread: set[int],
    at: Callable[[float], str],
) -> tuple[str, ...]:
    def how(level: tuple[int, int, int, float, float]) -> str:
        if level not in at_once:
            return f"after {max_hold_s:g} s"
        if level[0] in spread:
            return (
                "without a hold (it fell over samples less than 1 s apart, each step within "
                "the fall rule's limit, which compares consecutive samples)"
            )
        return (
            "without a hold (the samples next to the fall are invalid, and the fall rule "
            "measures from the last valid one)"
        )

    flags = [
        f"SpO2 fell from {r:g} % to {x[f]:g} % at {at(f / fs)}, faster than "
        f"a desaturation can, and the new level (lowest {low:g} %) was accepted "
        + how((f, s, e, r, low))
        + f" for {(e - s) / fs / 60:.1f} min: check that the probe had not slipped"
        for f, s, e, r, low in plateaus[:5]
    ]
    if len(plateaus) > 5:
        flags.append(
            f"... and {len(plateaus) - 5} more levels accepted after a fall faster than a "
            "desaturation"
        )
    return tuple(flags)


def detect_artifacts(
    recording: Recording,
    settings: ArtifactSettings | None = None,
    exclude_s: Sequence[tuple[float, float]] = (),
) -> ArtifactResult:
    """Apply every SPEC §4 rule and combine the masks with their reasons.

    Parameters
    ----------
    recording : Recording
        SpO2 (and pulse and status when present).
    settings : ArtifactSettings, optional
        Rule parameters (the SPEC's defaults when None).
    exclude_s : sequence of (float, float)
        Spans a technologist rejected, counted under ``excluded``.

    Returns
    -------
    ArtifactResult
        Validity, per-sample reason codes (index into :data:`REASONS`, -1 when valid), counts
        per reason (every reason present, zero when unused) and review flags.
    """
    st = settings or ArtifactSettings()
    x = recording.spo2.data
    fs = recording.fs
    n = x.shape[0]
    missing = mask_missing(x)
    out_of_range = mask_out_of_range(x, st.min_pct, st.max_pct)
    status = mask_status(recording.status, fs, n)
    pulse = mask_pulse_out_of_range(recording.pulse, fs, n, st.pulse_min_bpm, st.pulse_max_bpm)
    excluded = mask_excluded(exclude_s, fs, n)
    invalid = missing | out_of_range
    for m in (status, pulse, excluded):
        if m.any():
            invalid |= m
    # Rule 3 measures a fall from the last *valid* sample: one the oximeter flagged, taken
    # while the pulse was implausible or excluded is never the reference (nor the hold's level).
    usable = ~invalid
    fall, ran_out = _implausible_falls(
        x, fs, usable, st.max_fall_pts_per_s, st.recover_within_pts, st.max_hold_s
    )
    if fall.any():
        invalid |= fall
    masks = [missing, out_of_range, fall, status, pulse, excluded]
    island = mask_short_islands(invalid, fs, st.min_island_s)
    masks.append(island)

    reason = np.full(n, -1, dtype=np.int8)
    for code in range(len(masks) - 1, -1, -1):  # later rules first, so earlier ones win
        m = masks[code]
        if m.any():
            reason[m] = code
    counts_arr = np.bincount(reason[reason >= 0], minlength=len(REASONS))
    counts = {name: int(c) for name, c in zip(REASONS, counts_arr, strict=True)}
    invalid |= island
    valid = np.logical_not(invalid, out=invalid)
    valid.flags.writeable = False
    reason.flags.writeable = False
    runs = _held_runs(x, fs, st.frozen_run_s)
    # Levels entered by a fall from a recorded sample another rule rejected (excluded, status,
    # pulse): 3 s excluded before a probe slip made its fall plausible and hid its level (hunt 9).
    # Above 1 Hz also falls spread over less than a second between usable samples, which the
    # SPEC's rule (consecutive samples) never sees: at 25 Hz a slip from 94 to 84 % over 1 s,
    # 40 s there, qualified a rest test that was held open at 1 Hz (hunt 10).
    falls: list[tuple[int, float]] = []
    falls_from: list[int] = []
    spread: set[int] = set()
    rejected = any(m.any() for m in (status, pulse, excluded))
    if rejected or fall_lag(fs) > 1:
        recorded = ~(missing | out_of_range) if rejected else usable  # the same without others
        at, ref, kind, prev = _review_falls(
            x, fs, recorded, usable, st.max_fall_pts_per_s, fall, rejected
        )
        falls = list(zip(at.tolist(), ref.tolist(), strict=True))
        falls_from = prev.tolist()
        spread = set(at[kind].tolist())
    plateaus: list[Level] = []
    at_once: list[Level] = []
    if ran_out or falls:
        recorded = ~(missing | out_of_range)  # rejected samples may raise a level before a fall
        plateaus, at_once = fall_plateaus(
            x, usable, valid, ran_out, st.recover_within_pts, fs, fall, falls, recorded, falls_from
        )
    all_plateaus = sorted(plateaus + at_once)
    return ArtifactResult(
        valid=valid,
        reason=reason,
        reasons=REASONS,
        counts=counts,
        review_flags=(
            *_review_flags(x, runs, fs, st.frozen_run_s, _clock_of(recording)),
            *_plateau_flags(
                x, all_plateaus, fs, st.max_hold_s, set(at_once), spread, _clock_of(recording)
            ),
        ),
        constant_runs=tuple((s / fs, e / fs, v) for run in runs for s, e, v in run),
        fall_plateaus=tuple(
            FallPlateau(f / fs, s / fs, e / fs, r, float(x[f]), low)
            for f, s, e, r, low in all_plateaus
        ),
        dropout_edges=tuple(
            DropoutEdge(s / fs, e / fs, float(np.min(x[s:e])), r / fs, level)
            for s, e, r, level in dropout_edges(
                x, _outside(valid, all_plateaus), fs, st.recover_within_pts
            )
        ),
    )
