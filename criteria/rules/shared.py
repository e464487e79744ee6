"""Payer-neutral building blocks: dates, thresholds, blood gas against oximetry, exercise parts.

Nothing here cites a payer: the profiles (``masshealth*``, ``medicare*``) wrap these helpers in
rules with their own ids and citations. A payer profile never imports another payer's rule
modules; what both need lives here.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from ..evidence import Evidence, RecordedDays, SegmentFigures, SleepFigures
from .base import (
    EPS_MIN,
    Inputs,
    Outcome,
    Part,
    at_least,
    cut_fixed,
    cut_text,
    minutes_text,
    pct,
)

__all__ = [
    "DATE_CONFLICT",
    "MAX_LIGHTS_OUT_MIN",
    "MAX_PRESUMED_SLEEP_MIN",
    "MAX_SEGMENT_MIN",
    "MAX_SESSION_MIN",
    "MAX_SLEEP_SPAN_MIN",
    "MAX_UNPLACED_RECORDING_MIN",
    "MIN_SEGMENT_MIN",
    "MIN_SEGMENT_VALID_SHARE",
    "MIN_SLEEP_VALID_MIN",
    "NIGHT_FROM",
    "NIGHT_TO",
    "NO_EVIDENCE",
    "PAO2_KEYS",
    "a_part",
    "blood_gas_day",
    "blood_gas_given",
    "codes_matching",
    "days_before",
    "days_between",
    "decide_by_blood_gas",
    "exercise_session",
    "flow_below_test",
    "in_doubt",
    "le",
    "night_share",
    "o2_walk_short",
    "open_ends",
    "pao2_fall",
    "pao2_improved",
    "pao2_meets",
    "pao2_part",
    "recorded_outside",
    "recorded_within",
    "segment_unfit",
    "sleep_minutes",
    "sustained_low",
    "test_day_of",
    "tested_walk_flow",
    "unbounded_text",
    "window_figures",
]

#: A rest or exercise part may lie this long (min) after the recording's lights off and before
#: its lights on, unstaged: a technologist's mark a minute off the part's edge, not sleep
#: (falling asleep takes longer). Product reading.
MAX_LIGHTS_OUT_MIN = 1.0
#: Overnight studies need at least two hours of valid data in the sleep window.
MIN_SLEEP_VALID_MIN = 120.0
#: A rest or exercise segment longer than this is not taken as an awake test: over a longer span
#: (a whole night declared ``test.type: rest``) the patient may have slept, and a 10 s sustained
#: nadir of a night is a sleep finding, not a resting one (docs/criteria.md, product reading).
MAX_SEGMENT_MIN = 30.0
#: A rest or exercise segment with less valid data than this is not a test either: a slice of a
#: few seconds picks a transient dip (or the best seconds on oxygen); spot and walk tests last
#: minutes (docs/criteria.md, product reading).
MIN_SEGMENT_MIN = 1.0
#: A rest or exercise segment with valid data for less than this share of its span is not a test
#: either: the minutes lost to artifact or dropout may hold what decides it (a walk on oxygen's
#: desaturation, a resting value below 89 %), and when most of a segment fails the artifact
#: rules the samples left are suspect too (medicare-oxygen.md A9: discard artifact; docs/
#: criteria.md, product reading).
MIN_SEGMENT_VALID_SHARE = 0.5
#: The three parts of an exercise test come from one testing session (LCD L33797): parts whose
#: places are known may span at most this long, first start to last end (product reading).
MAX_SESSION_MIN = 120.0
#: A presumed-sleep window (no staging) longer than this spans daytime: its minutes at or below a
#: line are not "during sleep" until lights-off and lights-on (or staging) bound the night.
MAX_PRESUMED_SLEEP_MIN = 14 * 60.0
#: A sleep window (staged or presumed) whose first and last sleep lie further apart than this
#: holds more than one night (or a night and a daytime sleep): MG-OXY's and the LCD's sleep
#: findings are minutes of one night, and two nights of 3 minutes at 86 % each are not a night
#: of 6 (product reading: the longest night a sleep lab records, as for the presumed window).
MAX_SLEEP_SPAN_MIN = 14 * 60.0
#: Local clock hours taken as night for a presumed-sleep window that is the whole recording (no
#: staging, no lights-off/on): at least half of its span must lie between these hours, else its
#: minutes are not "during sleep" (docs/criteria.md, product reading).
NIGHT_FROM, NIGHT_TO = _dt.time(20, 0), _dt.time(8, 0)
#: Local clock hours in which a rest or exercise segment of a recording without staging may be
#: asleep: more than half of it between these hours and it is not an awake test until staging
#: shows it awake (docs/criteria.md, product reading: narrower than NIGHT_FROM-NIGHT_TO, as
#: clinics and wards test in the evening and early morning).
CORE_NIGHT_FROM, CORE_NIGHT_TO = _dt.time(23, 0), _dt.time(6, 0)
#: A recording without clock time (elapsed time only) and without staging that lasts longer
#: than this is of overnight length: its rest or exercise segments may lie in the night, and
#: nothing shows the patient awake in them. Longer than one testing session may span
#: (:data:`MAX_SESSION_MIN`) and long enough to hold the 2 h of valid sleep an overnight test
#: needs (:data:`MIN_SLEEP_VALID_MIN`); a walk or spot test recorded on its own is shorter
#: (docs/criteria.md, product reading).
MAX_UNPLACED_RECORDING_MIN = MAX_SESSION_MIN
NO_EVIDENCE = "an oximetry recording or summary (or blood_gas values)"
PAO2_KEYS = (
    "pao2_rest_mmhg",
    "pao2_sleep_mmhg",
    "pao2_awake_mmhg",
    "pao2_exercise_mmhg",
    "pao2_exercise_o2_mmhg",
)


# --------------------------------------------------------------------------------------------
# Dates and codes
# --------------------------------------------------------------------------------------------


def days_between(a: _dt.date, b: _dt.date) -> int:
    """Return ``(b - a).days``: calendar days from ``a`` to ``b`` (negative when b is earlier).

    Parameters
    ----------
    a, b : datetime.date
        The two dates.

    Returns
    -------
    int
    """
    return (b - a).days


#: The value key under which :func:`recorded_outside` says why test.date and the recorded days
#: disagree on a window (``criteria.evaluate`` makes it a conflict).
DATE_CONFLICT = "test_date_conflict"


def days_before(days: RecordedDays, last: _dt.date) -> str:
    """Return how many days before ``last`` the recorded days lie, as text (``2`` or ``1–2``)."""
    hi, lo = days_between(days.first, last), days_between(days.last, last)
    return str(hi) if hi == lo else f"{lo}–{hi}"


def recorded_within(
    inp: Inputs, first: _dt.date, last: _dt.date, window: str, values: dict[str, Any], key: str
) -> RecordedDays | Outcome | None:
    """Return the days the recorded test holds data on when every one lies in a date window.

    A window that must hold the test (the inpatient discharge window, Medicare's retest days)
    is judged by the days its data were recorded on (:meth:`Evidence.recorded_days`) whenever
    a recording dates them, for acceptance as for refusal (:func:`recorded_outside`): a night
    from 00:30 to 07:00 two days before discharge, dated by its evening three days before, was
    denied though all its data lay inside the window (hunt 9).

    Parameters
    ----------
    inp : Inputs
        Reads the evidence (its windows, date and clock) and the test date.
    first, last : datetime.date
        The window's first and last day (both in it).
    window : str
        What the window is, for the reason ("within 2 days of discharge").
    values : dict
        The rule's values; receives ``recorded_days`` when a recording dates the test.
    key : str
        The context key the window counts from (``test.discharge_date``).

    Returns
    -------
    RecordedDays, Outcome or None
        The days, when a recording dates them and all lie in the window, and test.date is not
        given, lies in the window too, or is the date the recording gives the test (a night's
        evening); not evaluable, naming test.date and ``key``, when test.date lies outside and
        is another date than the recording's (the mirror of :func:`recorded_outside`). None
        when no recording dates the days, or some lie outside.
    """
    ev = inp.evidence
    days = None if ev is None else ev.recorded_days(inp.test_date)
    if ev is None or days is None:
        return None
    values["recorded_days"] = [days.first, days.last]
    if not (first <= days.first and days.last <= last):
        return None
    given = inp.context.test.date
    own = {ev.test_day, *ev.possible_test_days}
    placed = ev.recording_start is None and not ev.possible_dates  # placed by test.date itself
    if given is None or first <= given <= last or given in own or placed:
        return days
    edges = f"{first.isoformat()} to {last.isoformat()}"
    values[DATE_CONFLICT] = (
        f"test.date {given.isoformat()} is not {window} ({edges}), but the recorded test holds "
        f"data on {days.text()} only: either date is wrong. Correct test.date or {key}."
    )
    return Outcome(
        None,
        f"test.date {given.isoformat()} is not {window} ({edges}), but the test's data were "
        f"recorded on {days.text()}: one of the dates is wrong.",
        values,
        (f"test.date or {key} (data recorded on {days.text()}, inside {edges})",),
    )


def recorded_outside(
    inp: Inputs,
    first: _dt.date,
    last: _dt.date,
    window: str,
    values: dict[str, Any],
    key: str,
) -> Outcome | None:
    """Check that the recorded test holds data on the days of a date window only.

    A window that the test date meets must hold the test's data too: a night recorded from
    00:30 to 07:00 on 6 January is dated the 5th (:attr:`Evidence.test_day`, a night by its
    evening), and qualified an inpatient discharged on the 5th and a Group II retest whose
    day 89 was the 5th. The first and the last day of the judged data
    (:meth:`Evidence.recorded_days`) are checked against both edges.

    Parameters
    ----------
    inp : Inputs
        Reads the evidence (its windows, date and clock) and the test date.
    first, last : datetime.date
        The window's first and last day (both in it).
    window : str
        What the window is, for the reason ("within 2 days of discharge").
    values : dict
        The rule's values; receives ``recorded_days`` when a recording dates the test.
    key : str
        The context key the window counts from (``test.discharge_date``), named with
        ``test.date`` as what may be corrected.

    Returns
    -------
    Outcome or None
        None when the data lie within the window, or no recording dates them (a test given by
        the context only). Else not met when the recording's own date and clock put data
        outside it and the context gives no test.date; not evaluable, naming test.date and
        ``key``, when test.date (which the rule found inside) and the recorded days disagree,
        the recording placed by its own date or by test.date (a file without a date, or one
        whose date reads several ways).
    """
    days = None if inp.evidence is None else inp.evidence.recorded_days(inp.test_date)
    if days is None:
        return None
    values["recorded_days"] = [days.first, days.last]
    if first <= days.first and days.last <= last:
        return None
    edges = f"{first.isoformat()} to {last.isoformat()}"
    given = inp.context.test.date
    if given is None:
        # only the recording's own date dates it without test.date (a file without one is
        # placed by test.date, and the rules need a test date before the window)
        return Outcome(
            False,
            f"The test's data were recorded on {days.text()}, not all {window} ({edges}).",
            values,
        )
    ev = inp.evidence
    assert ev is not None  # it dated the days
    if days.certain:
        held = f"the recorded test holds data on {days.text()}"
    elif ev.possible_dates:
        # the reading within a day of test.date, or every reading when none is
        held = f"the recorded test (its file's date read as test.date picks it) holds data on {days.text()}"
    else:
        # nothing the user can add places it better than test.date (no context key or option
        # sets the recording's start): what may be corrected is test.date or the window's date
        held = (
            "the recording (no date in the file), placed by test.date (the day a day-time test "
            f"was recorded on, the evening a night began), holds data on {days.text()}"
        )
    # test.date inside, the recorded days not: one of the dates is wrong (as an evaluation
    # dated before the data ended), or the test ran past the window's edge. evaluate() lists
    # it as a conflict of test.date and recording.start (DATE_CONFLICT).
    values[DATE_CONFLICT] = (
        f"test.date {given.isoformat()} is {window} ({edges}), but {held}: either date is "
        f"wrong, or the test ran past the window. Correct test.date or {key}, or the test is "
        "outside the window."
    )
    return Outcome(
        None,
        f"test.date {given.isoformat()} is {window} ({edges}), but {held}: one of the dates is "
        "wrong, or the test ran past the window.",
        values,
        (f"test.date or {key} (data recorded on {days.text()}, outside {edges})",),
    )


def codes_matching(
    codes: Iterable[str] | None, prefixes: Iterable[str], *, headings: bool = False
) -> list[str]:
    """Return the codes that start with any of ``prefixes``, in order.

    Parameters
    ----------
    codes : iterable of str or None
        ICD-10-CM codes as the context holds them (``G44.011``).
    prefixes : iterable of str
        Code heads (``G44.01``, ``I27``); dots are ignored.
    headings : bool
        Also a code that holds a matching one: a heading (``G47.3`` holds ``G47.33``, ``R06``
        holds ``R06.02``), given as the diagnosis, may be one. (Read without headings, or
        with hand-kept lists of them, R06, I25.1, G47.3 and T70.2 were missed, and Medicare
        qualified beside them.)

    Returns
    -------
    list of str
        The matching codes, as given.
    """
    heads = tuple(p.replace(".", "") for p in prefixes)

    def matches(code: str) -> bool:
        key = code.replace(".", "")
        return key.startswith(heads) or (headings and any(h.startswith(key) for h in heads))

    return [c for c in codes or () if matches(c)]


# --------------------------------------------------------------------------------------------
# Thresholds
# --------------------------------------------------------------------------------------------


def le(value: float, level: float) -> bool:
    """Return ``value <= level`` on the unrounded value (rounding never moves a value over a line).

    Parameters
    ----------
    value : float
        A computed saturation (sustained nadir, baseline, mean) or a PaO2.
    level : float
        The threshold.

    Returns
    -------
    bool
    """
    return value <= level


# --------------------------------------------------------------------------------------------
# Where the figures come from
# --------------------------------------------------------------------------------------------


def blood_gas_given(inp: Inputs) -> bool:
    """Return True when the context holds any arterial PO2 value (``PAO2_KEYS``; not its date)."""
    bg = inp.context.blood_gas
    return any(getattr(bg, k) is not None for k in PAO2_KEYS)


def pao2_fall(awake_mmhg: float, asleep_mmhg: float) -> float:
    """Return how far PaO2 falls from awake to asleep, in mmHg, without binary rounding error.

    Blood gases are written to a tenth of a mmHg, and their difference in floating point is
    not exact: 66.4 - 56.4 is 10.000000000000007, which was "a fall of more than 10 mmHg" and
    qualified a night (MassHealth II.A.2.a.ii, Medicare Group I-3) that 66 - 56 did not.

    Parameters
    ----------
    awake_mmhg, asleep_mmhg : float
        The awake and the sleep PaO2.

    Returns
    -------
    float
        The fall, rounded to 1e-6 mmHg (far below any blood gas's resolution).
    """
    return round(awake_mmhg - asleep_mmhg, 6)


def pao2_meets(value: float, meets: Callable[[float], bool]) -> bool | str:
    """Tell whether a PaO2 meets a clause whose limits are whole mmHg, or why that is not known.

    The criteria write PaO2 limits in whole mmHg (≤ 55, ≥ 56, 56–59, ≤ 65) and blood gases are
    written to a tenth: between two whole numbers the limits of neighbouring clauses leave a gap.
    A PaO2 of 55.5 is neither ≤ 55 (Group I, a.i) nor ≥ 56 (Group II, the awake ≥ 56): 55 and 56
    both qualified and 55.5 was a bare denial with nothing missing. Rounding it is no answer (55.4
    read as 55 is Group I without Group II's conditions, a qualification the strict reading
    denies), so where the whole numbers on either side of the value decide the clause
    differently, it is not evaluable, naming the value and the limits.

    Parameters
    ----------
    value : float
        The PaO2 in mmHg.
    meets : callable
        The clause's test on a PaO2 (``lambda x: x <= 55``).

    Returns
    -------
    bool or str
        Whether the value meets the clause, where the whole numbers on either side of it agree
        (then the value itself agrees with them); else the ``missing`` text.
    """
    lo, hi = math.floor(value), math.ceil(value)
    if lo == hi or meets(lo) == meets(hi):
        return meets(value)
    return (
        f"a PaO2 in whole mmHg ({value:g} mmHg lies between the limits {lo} and {hi} mmHg, "
        "which the criteria decide differently: report the blood gas in whole mmHg)"
    )


def pao2_improved(room_air: float, on_oxygen: float) -> bool:
    """Tell whether an exercise PaO2 on oxygen is higher than on room air in whole mmHg.

    The criteria read PaO2 in whole mmHg (:func:`pao2_meets`) and a walk's saturations in
    whole percent: the improvement is between the whole numbers, each rounded half up, not
    between the unrounded values. 88.6 → 88.8 % is 89 → 89 %, and 57.0 → 57.4 mmHg is 57 → 57:
    neither improved; compared unrounded, 57.0 → 57.4 mmHg "improved" the exercise hypoxemia
    and qualified exercise oxygen under MG-OXY II.A.2.b.ii.A and Medicare's test #3 (Group
    II, N2; hunt 14). So the difference that counts depends on where the values fall, not on
    its size: 57.4 → 57.5 mmHg is 57 → 58, an improvement, as 88.4 → 88.5 % is 88 → 89 %.

    Parameters
    ----------
    room_air, on_oxygen : float
        The exercise PaO2 on room air and on oxygen, in mmHg.

    Returns
    -------
    bool
        True when ``on_oxygen`` rounded (floor(x + 0.5), as a saturation is) is higher than
        ``room_air`` rounded; rounded higher implies unrounded higher.

    Examples
    --------
    >>> pao2_improved(57.0, 57.4), pao2_improved(57.4, 57.5), pao2_improved(57.0, 58.0)
    (False, True, True)
    """
    return pct(on_oxygen) > pct(room_air)


def pao2_part(
    name: str,
    value: float | None,
    meets: Callable[[float], bool],
    where: str,
    whole: bool = True,
) -> Part:
    """Return a blood-gas part: untested when the value was not taken, else whether it meets.

    Parameters
    ----------
    name : str
        The part's name.
    value : float or None
        The PaO2 in mmHg (None: not taken).
    meets : callable
        The clause's test on a PaO2 (``lambda x: x <= 55``); a value between two whole numbers
        that it decides differently is not evaluable (:func:`pao2_meets`).
    where : str
        ``rest``, ``sleep`` or ``exercise``.
    whole : bool
        False for a fall from awake to asleep (:func:`pao2_fall`): "more than 10 mmHg" and its
        complement leave no gap, so the fall is compared as it is.

    Returns
    -------
    Part
    """
    if value is None:
        return Part(name, None, tested=False, where=where)
    found = pao2_meets(value, meets) if whole else meets(value)
    if isinstance(found, str):
        return Part(name, None, missing=(found,), where=where)
    return Part(name, found, where=where)


def window_figures(
    inp: Inputs, window: str, types: tuple[str, ...]
) -> tuple[str, Any, tuple[str, ...]]:
    """Decide whether a window of the recording can speak to a clause.

    Parameters
    ----------
    inp : Inputs
        The rule's inputs.
    window : str
        ``sleep``, ``rest``, ``exercise`` or ``exercise_o2``.
    types : tuple of str
        The ``test.type`` values whose tests measure this window.

    Returns
    -------
    tuple
        ``("ok", figures, ())``, ``("missing", None, what)`` or ``("untested", None, ())``. A
        sleep window with less than :data:`MIN_SLEEP_VALID_MIN` of valid data is "missing";
        without a recording, blood-gas values make every window "untested".
    """
    ev = inp.evidence
    if ev is None:
        return ("untested", None, ()) if blood_gas_given(inp) else ("missing", None, (NO_EVIDENCE,))
    figs = getattr(ev, window)
    ttype = inp.context.test.type
    if ttype is None:
        return ("missing", None, ("test.type",)) if figs is not None else ("untested", None, ())
    if ttype not in types:
        return ("untested", None, ())
    if figs is None:
        return ("missing", None, (f"{a_part(window, 'window')} in the recording",))
    if isinstance(figs, SegmentFigures) and segment_unfit(figs, ev):
        return ("missing", None, (segment_unfit(figs, ev),))
    if (
        isinstance(figs, SleepFigures)
        and figs.presumed
        and max(figs.duration_min or 0.0, figs.valid_min) > MAX_PRESUMED_SLEEP_MIN + EPS_MIN
    ):
        span = max(figs.duration_min or 0.0, figs.valid_min) / 60
        return (
            "missing",
            None,
            (
                f"lights-off and lights-on (--lights-off/--lights-on) or sleep staging: the "
                f"presumed-sleep window spans {span:.1f} h, more than "
                f"{MAX_PRESUMED_SLEEP_MIN / 60:g} h, so it includes time awake in the day",
            ),
        )
    if (
        isinstance(figs, SleepFigures)
        and figs.start_s is not None
        and figs.end_s is not None
        and figs.end_s - figs.start_s > MAX_SLEEP_SPAN_MIN * 60 + EPS_MIN * 60
    ):
        span = (figs.end_s - figs.start_s) / 3600
        return (
            "missing",
            None,
            (
                f"one night's sleep window: the {figs.kind} window runs {span:.1f} h from its "
                f"first to its last sleep, more than {MAX_SLEEP_SPAN_MIN / 60:g} h, so its "
                "minutes add up over more than one night (judge one night: --exclude the "
                "others, or one recording a night)",
            ),
        )
    if isinstance(figs, SleepFigures) and _whole_recording(figs) and ev.clock is None:
        return (
            "missing",
            None,
            (
                "lights-off and lights-on (--lights-off/--lights-on, in seconds from the start) "
                "or sleep staging: the recording holds no clock time, so its presumed-sleep "
                f"window, {unbounded_text(figs)}, cannot be placed in the night",
            ),
        )
    share = night_share(ev.clock, figs) if isinstance(figs, SleepFigures) else None
    if share is not None and share < 0.5:
        return (
            "missing",
            None,
            (
                "lights-off and lights-on (--lights-off/--lights-on) or sleep staging: the "
                f"presumed-sleep window is {unbounded_text(figs)}, and only "
                # cut: 49.6 % said "only 50 %" beside "not taken as sleep" (at least half is)
                f"{cut_text(100 * share, 0)} % of it lies between {NIGHT_FROM:%H:%M} and "
                f"{NIGHT_TO:%H:%M}"
                + ("" if open_ends(figs) == (True, True) else " or next to that lights off/on")
                + ", so it is not taken as sleep",
            ),
        )
    if isinstance(figs, SleepFigures) and figs.valid_min < MIN_SLEEP_VALID_MIN - EPS_MIN:
        return (
            "missing",
            None,
            (
                f"at least 120 min of valid data in the {figs.kind} window (has {minutes_text(figs.valid_min)})",
            ),
        )
    return ("ok", figs, ())


def _whole_recording(figs: SleepFigures) -> bool:
    """Return True for a presumed-sleep window with an end that no lights off/on bounds.

    The whole recording (``first_to_last_valid``), or a window of which one end only is lights
    off or on (an option or the recording's mark) and the other the first or last valid sample
    (``ends``): a ``--lights-on 06:00`` alone on a recording from 17:00 skipped the night check
    and a dip at 17:30, awake, qualified.
    """
    return open_ends(figs) is not None


def open_ends(figs: SleepFigures) -> tuple[bool, bool] | None:
    """Return which ends of a presumed-sleep window no lights off/on bounds (start, end).

    Parameters
    ----------
    figs : SleepFigures
        The window.

    Returns
    -------
    (bool, bool) or None
        True for an end that is the first (start) or last (end) valid sample; None when the
        window is staged, bounded at both ends, or its span or ends are not known.

    Examples
    --------
    >>> figs = SleepFigures("presumed_sleep", 600.0, 0.0, 0.0, 0.0, 0.0, source="lights_off_on",
    ...                     start_s=0.0, end_s=36000.0, ends=("first_valid", "option"))
    >>> open_ends(figs)
    (True, False)
    """
    if not figs.presumed or figs.start_s is None or figs.end_s is None:
        return None
    if figs.end_s <= figs.start_s:
        return None
    if figs.source == "first_to_last_valid":
        return (True, True)
    if figs.source in ("lights_off_on", "annotations") and figs.ends is not None:
        # a lights on after the recording's end gives none: the recording ends there
        found = (figs.ends[0] == "first_valid", figs.ends[1] in ("last_valid", "recording_end"))
        return found if any(found) else None
    return None


def unbounded_text(figs: SleepFigures) -> str:
    """Return which end of a presumed-sleep window no lights off/on bounds, in words.

    Parameters
    ----------
    figs : SleepFigures
        A window :func:`open_ends` measures.

    Returns
    -------
    str
        ``the whole recording (no staging, no lights-off/on)``, or which end lights off/on
        bounds and which is the first or last valid sample.
    """
    start, end = open_ends(figs) or (True, True)
    late = figs.ends is not None and figs.ends[1] == "recording_end"
    if start and end and late:
        return (
            "the whole recording (no staging, no lights off given or marked; the lights on given "
            "is after the recording ends, so it bounds nothing)"
        )
    if start and end:
        return "the whole recording (no staging, no lights-off/on)"
    if start:
        return (
            "bounded by lights on only, from the first valid sample (no staging, no lights off "
            "given or marked)"
        )
    if late:
        return (
            "bounded by lights off only, to the end of the recording (no staging; the lights on "
            "given is after the recording ends)"
        )
    return (
        "bounded by lights off only, to the last valid sample (no staging, no lights on given "
        "or marked)"
    )


def night_share(start_clock: _dt.time | None, figs: SleepFigures) -> float | None:
    """Return the share of a presumed-sleep window that is not outside the night unbounded.

    Minutes outside the night hours count against it where no lights off/on vouches for them:
    all of them in a window that is the whole recording; in one bounded by lights off/on at
    one end only (:func:`open_ends`), all but those running from the bounded end to the night
    (lights on given at 09:00 vouches for 08:00-09:00; the first valid sample at 17:00 for
    nothing, and a dip at 17:30 of a window to ``--lights-on 06:00`` qualified). A window
    that never reaches the night counts wholly against it.

    Parameters
    ----------
    start_clock : datetime.time or None
        The local time of day of the recording's first sample (None when the file holds
        elapsed time only). The date does not matter: local wall-clock time, no time zone.
    figs : SleepFigures
        The window; only a ``presumed_sleep`` window with an unbounded end (:func:`open_ends`)
        and a known span is measured.

    Returns
    -------
    float or None
        The fraction (0–1) of the window's span not counted against it (for the whole
        recording, its share between :data:`NIGHT_FROM` and :data:`NIGHT_TO` local time); None
        when not measured (a staged window, one bounded at both ends by lights-off/on, or one
        whose clock times are unknown).

    Examples
    --------
    >>> figs = SleepFigures("presumed_sleep", 600.0, 0.0, 0.0, 0.0, 0.0,
    ...                     source="first_to_last_valid", start_s=0.0, end_s=36000.0)
    >>> night_share(_dt.time(22, 0), figs)  # 22:00-08:00
    1.0
    >>> night_share(_dt.time(8, 0), figs)  # 08:00-18:00
    0.0
    >>> evening = SleepFigures("presumed_sleep", 600.0, 0.0, 0.0, 0.0, 0.0,
    ...                        source="lights_off_on", start_s=0.0, end_s=46800.0,
    ...                        ends=("first_valid", "option"))
    >>> round(night_share(_dt.time(17, 0), evening), 3)  # 17:00 to lights on at 06:00
    0.769
    """
    s0, s1 = figs.start_s, figs.end_s
    sides = open_ends(figs)
    if start_clock is None or s0 is None or s1 is None or sides is None:
        return None
    outside = _outside_runs(start_clock, s0, s1, NIGHT_FROM, NIGHT_TO)
    night = (s1 - s0) - sum(b - a for a, b in outside)
    if night > 0 and not sides[0] and outside and outside[0][0] <= s0:
        outside = outside[1:]  # from lights off to the night: lights off vouches for it
    if night > 0 and not sides[1] and outside and outside[-1][1] >= s1:
        outside = outside[:-1]  # from the night to lights on
    return 1.0 - sum(b - a for a, b in outside) / (s1 - s0)


def _outside_runs(
    start_clock: _dt.time, s0: float, s1: float, frm: _dt.time, to: _dt.time
) -> list[tuple[float, float]]:
    """Return the parts of ``[s0, s1)`` outside ``frm``-``to`` local time, in seconds."""
    inside: list[tuple[float, float]] = []
    start = _dt.datetime.combine(_dt.date(2000, 1, 1), start_clock)
    day = start.date() - _dt.timedelta(days=1)
    end = start + _dt.timedelta(seconds=s1)
    while _dt.datetime.combine(day, frm) < end:
        lo = (_dt.datetime.combine(day, frm) - start).total_seconds()
        hi = (_dt.datetime.combine(day + _dt.timedelta(days=1), to) - start).total_seconds()
        if min(hi, s1) > max(lo, s0):
            inside.append((max(lo, s0), min(hi, s1)))
        day += _dt.timedelta(days=1)
    out, at = [], s0
    for a, b in inside:
        if a > at:
            out.append((at, a))
        at = max(at, b)
    if at < s1:
        out.append((at, s1))
    return out


def _share_between(
    start_clock: _dt.time, s0: float, s1: float, frm: _dt.time, to: _dt.time
) -> float:
    """Return the share of a span that lies between two local clock times.

    ``[s0, s1)`` is in seconds from a first sample at ``start_clock``; ``frm`` after ``to`` means
    across midnight.
    """
    start = _dt.datetime.combine(_dt.date(2000, 1, 1), start_clock)
    a = start + _dt.timedelta(seconds=s0)
    # a span shorter than datetime's microsecond (`--segment exercise=300-300.0000001`) is its
    # instant's: it divided by zero (exit 4)
    b = max(start + _dt.timedelta(seconds=s1), a + _dt.timedelta(microseconds=1))
    night = 0.0
    day = a.date() - _dt.timedelta(days=1)
    while _dt.datetime.combine(day, frm) < b:
        lo = max(a, _dt.datetime.combine(day, frm))
        hi = min(b, _dt.datetime.combine(day + _dt.timedelta(days=1), to))
        night += max(0.0, (hi - lo).total_seconds())
        day += _dt.timedelta(days=1)
    return night / (b - a).total_seconds()


def segment_unfit(seg: SegmentFigures, ev: Evidence | None = None) -> str:
    """Return why a rest/exercise segment cannot be an awake test ("" when it can).

    Parameters
    ----------
    seg : SegmentFigures
        The segment (its valid minutes and, when known, its span and place).
    ev : Evidence, optional
        The test it belongs to: a ``rest`` segment that starts after an exercise part began is
        the recovery, not a resting value (LCD L33797: recovery oximetry cannot establish
        eligibility; test #1 is at rest before exercise).

    Returns
    -------
    str
        What is needed instead, for ``missing``; empty when the segment holds at least
        :data:`MIN_SEGMENT_MIN` of valid data and valid data for at least
        :data:`MIN_SEGMENT_VALID_SHARE` of its span, is at most :data:`MAX_SEGMENT_MIN` long, has no
        time the recording's staging scores as sleep (a rest or exercise test is taken awake:
        MG-OXY II.A.2.a.ii and the LCD's Group I-2 make sleep a condition of its own), does not
        lie mostly between 23:00 and 06:00 nor more than :data:`MAX_LIGHTS_OUT_MIN` after the
        recording's lights off and before its lights on (``lights_out_min``) unless staging scores all of it (time unstaged or left
        unscored is not shown awake), is not part of an unstaged recording without clock
        time longer than :data:`MAX_UNPLACED_RECORDING_MIN` (nothing places it in the day)
        and, for a rest segment, starts before every exercise part whose place is known and
        holds or follows no walk the recording marks (``walk_mark_s``), and for the walk on
        oxygen, starts after the walk on room air when both are placed.

    Notes
    -----
    The valid share applies to every kind, not only to the parts whose lost minutes favour
    qualifying (the walk on oxygen, the rest value as the awake comparison): a segment of which
    most failed the artifact rules (SPEC §4) is a test that was not measured, and what it kept
    is suspect in either direction (medicare-oxygen.md A9: the nadir discards artifact; a
    desaturation read from the one clean minute of a walk is not the walk's). The span is the
    larger of ``duration_min`` and ``end_s - start_s``; a segment with neither (figures built
    by hand, not by oxi, which writes both) is not checked for its share.
    """
    if seg.kind == "rest" and ev is not None and seg.start_s is not None:
        walks = [w.start_s for w in (ev.exercise, ev.exercise_o2) if w is not None]
        if any(w is not None and seg.start_s >= w for w in walks):
            return (
                "a 'rest' segment before the exercise (the one given starts after an exercise "
                "part: that is the recovery, not a resting value)"
            )
    if seg.kind == "exercise_o2" and ev is not None and seg.start_s is not None:
        ex = ev.exercise
        if ex is not None and ex.start_s is not None and seg.start_s < ex.start_s:
            # Test #3 shows that oxygen improves the hypoxemia test #2 demonstrated (LCD
            # L33797; MG-OXY II.A.2.b.ii.A: "was demonstrated"): a walk on oxygen at 95 %
            # first, fresh, then a walk on room air at 86 % "showed the improvement" and
            # QUALIFIED exercise oxygen under both payers (hunt 16).
            return (
                "an 'exercise_o2' segment after the walk on room air (the one given starts "
                "before the 'exercise' segment: oxygen's improvement of the hypoxemia that "
                "walk demonstrated is not shown)"
            )
    if seg.kind == "rest" and seg.walk_mark_s is not None:
        # A walk the file marks (without a duration) inside the rest part or before it: an
        # overnight analysis keeps such a part, and `oxi qualify --summary` under a rest test's
        # context read the walk's 6 min at 86 % as the resting value (QUALIFIED, hunt 15).
        return (
            "a 'rest' segment before the exercise (the one given holds or follows the start of "
            f"a walk the recording marks at {seg.walk_mark_s:g} s: that is walking or the "
            "recovery, not a resting value; give the rest segment with --segment, ending "
            "before the walk)"
        )
    if seg.asleep_min is not None and seg.asleep_min > EPS_MIN:
        return (
            f"{a_part(seg.kind)} taken awake (the recording's staging scores "
            f"{seg.asleep_min:.1f} min of the one given as sleep)"
        )
    clock = ev.clock if ev is not None else None
    s0, s1 = seg.start_s, seg.end_s
    # Time the staging leaves unscored ('?', past the hypnogram's end) is not shown awake: a
    # segment at 03:00 beyond a two-hour hypnogram qualified continuous O2 as "0 min asleep".
    unscored = seg.unscored_min is not None and seg.unscored_min > EPS_MIN
    unshown = seg.asleep_min is None or unscored
    if unshown and clock is not None and s0 is not None and s1 is not None:
        if s1 > s0 and _share_between(clock, s0, s1, CORE_NIGHT_FROM, CORE_NIGHT_TO) > 0.5:
            # Unstaged: nothing shows the patient awake in the middle of the night (a dip at
            # 03:00 of an overnight recording given as the rest test qualified continuous O2).
            at = _dt.datetime.combine(_dt.date(2000, 1, 1), clock) + _dt.timedelta(seconds=s0)
            staging = (
                f"whose sleep staging leaves {seg.unscored_min:.1f} min of it unscored"
                if unscored
                else "without sleep staging"
            )
            return (
                f"{a_part(seg.kind)} shown awake: the one given, from {at:%H:%M}, lies "
                f"mostly between {CORE_NIGHT_FROM:%H:%M} and {CORE_NIGHT_TO:%H:%M} in a "
                f"recording {staging} (give the staging with --hypnogram, or a test taken in "
                "the day)"
            )
    dark = seg.lights_out_min
    if unshown and dark is not None and dark > MAX_LIGHTS_OUT_MIN + EPS_MIN:
        # After the recording's own lights off the patient was in bed, presumed asleep (SPEC
        # §5): a rest test at 22:15-22:35 after lights off at 22:00, unstaged, read its sleep-
        # onset dip to 86 % as a resting value and QUALIFIED continuous oxygen under both
        # payers, the 23:00-06:00 check above passing an evening part (hunt 16). Not a minute
        # at its edge: a spot check whose device marks lights on 2 s after switch-on was held
        # open for its first 2 s (review of hunt 16).
        staging = (
            f"whose sleep staging leaves {seg.unscored_min:.1f} min of it unscored"
            if unscored
            else "without sleep staging"
        )
        return (
            f"{a_part(seg.kind)} shown awake: {minutes_text(dark)} min of the one given lie "
            "between the recording's lights off and lights on, the patient in bed, in a "
            f"recording {staging} (give the staging with --hypnogram, or a test taken with the "
            "lights on)"
        )
    length = _recording_length_min(ev) if ev is not None else None
    if unshown and clock is None and length is not None:
        if length > MAX_UNPLACED_RECORDING_MIN + EPS_MIN:
            # Elapsed time only: a rest segment from the middle of an unstaged night exported
            # without clock passed as awake, the 23:00-06:00 check above having no clock.
            return (
                f"{a_part(seg.kind)} shown awake: the recording holds no clock time and lasts "
                f"{length / 60:.1f} h, longer than one testing session "
                f"({MAX_UNPLACED_RECORDING_MIN:g} min), so the segment may lie in a night "
                "(give the staging with --hypnogram, or a recording of the test alone)"
            )
    if seg.valid_min < MIN_SEGMENT_MIN - EPS_MIN:
        return (
            f"{a_part(seg.kind)} with at least {MIN_SEGMENT_MIN:g} min of valid data (has "
            f"{cut_text(seg.valid_min * 60, 0)} s: a few seconds are not a rest or "
            "exercise test)"  # cut: 59.99 s said "has 60 s" beside the 1-min limit
        )
    span = max(seg.valid_min, seg.duration_min or 0.0)
    if s0 is not None and s1 is not None:
        # the segment's place too: a duration_min lowered in a summary does not raise the share
        span = max(span, (s1 - s0) / 60)
    if seg.valid_min < MIN_SEGMENT_VALID_SHARE * span - EPS_MIN:
        # A walk on oxygen of 6 min with 5 of artifact "showed the improvement" (Medicare test
        # #3, MG-OXY II.A.2.b.ii.A) from its one valid minute: missing data can only hide a
        # desaturation. The same holds for every kind (the walk's desaturation, the rest value
        # <= 88 % or the awake comparison >= 89 %, A7): the samples a mostly failed segment
        # keeps are suspect (motion gives false lows), and the lost ones may decide it.
        return (
            f"{a_part(seg.kind)} with valid data for at least half of it (has "
            f"{minutes_text(seg.valid_min)} of {span:.1f} min: the rest is artifact or missing)"
        )
    if span <= MAX_SEGMENT_MIN + EPS_MIN:
        return ""
    return (
        f"{a_part(seg.kind)} of at most {MAX_SEGMENT_MIN:g} min (has {span:.1f}: too long "
        "to be an awake test; an overnight recording is test.type overnight)"
    )


def _recording_length_min(ev: Evidence) -> float | None:
    """Return how long the recording is known to last, in minutes (None: not known).

    The recorded length, or the latest end of a window placed in it if that is later (a
    summary without its length still places its windows).
    """
    ends = [
        w.end_s / 60
        for w in (ev.sleep, ev.rest, ev.exercise, ev.exercise_o2)
        if w is not None and w.end_s is not None
    ]
    if ev.recording_min is not None:
        ends.append(ev.recording_min)
    return max(ends) if ends else None


def sustained_low(seg: SegmentFigures) -> float | None:
    """Return the lower bound of a segment's sustained nadir, for rules that need SpO2 shown high.

    Parameters
    ----------
    seg : SegmentFigures
        The segment.

    Returns
    -------
    float or None
        ``sustained_nadir_low_pct`` (each 10 s run's valid samples only), else the nadir (a
        lower bound too: figures built by hand, or a summary without the key); None without
        either. ``sustained_nadir_pct`` takes only runs with every sample valid, so where
        artifact breaks the runs it is the *upper* bound: right for "≤ 88 %", but a walk on
        oxygen whose dip the artifact broke up "showed the improvement" on it. An improvement
        on oxygen and a rest value ≥ 89 % (or ≥ 90 %) are read on this bound.
    """
    if seg.sustained_nadir_low_pct is not None:
        return seg.sustained_nadir_low_pct
    return seg.nadir_pct


def a_part(kind: str, noun: str = "segment") -> str:
    """Return ``kind`` quoted with its article and ``noun``: "an 'exercise' segment".

    Parameters
    ----------
    kind : str
        A window or segment kind (``rest``, ``exercise``, ``exercise_o2``, ``sleep`` ...).
    noun : str, optional
        What it is called after its name.

    Returns
    -------
    str
    """
    return f"{'an' if kind[:1] in tuple('aeiou') else 'a'} '{kind}' {noun}"


def in_doubt(kind: str, low: float, high: float) -> str:
    """Return the ``missing`` text for a segment whose level artifact leaves across a line.

    Parameters
    ----------
    kind : str
        ``rest``, ``exercise`` or ``exercise_o2``.
    low, high : float
        The sustained nadir's lower bound (:func:`sustained_low`) and the sustained nadir.

    Returns
    -------
    str
    """
    return (
        f"{a_part(kind)} with fewer artifacts: its sustained nadir lies between "
        f"{cut_fixed(low, 1)} % and {cut_fixed(high, 1)} % as artifact breaks its 10 s runs or its "
        "low runs rest on "
        "an artifact's edge (data that start or resume low, or an instant rise back)"
    )


def o2_walk_short(ex: SegmentFigures, o2: SegmentFigures) -> str:
    """Return what is missing when the walk on oxygen stops short of the room-air walk's low.

    Parameters
    ----------
    ex, o2 : SegmentFigures
        The walk on room air and the walk on oxygen.

    Returns
    -------
    str
        Empty when the walk on oxygen has valid data at least as far into it (seconds from its
        start) as the room-air walk had gone when it reached its deciding low (the end of its
        sustained nadir's 10 s run, ``sustained_nadir_elapsed_s``), with no stretch of 10 s or
        more without valid data before there (``covered_elapsed_s``; its data's end is
        ``valid_elapsed_s``); else what would show the improvement. Not known (figures of an
        earlier oxi, or built by hand) is not shown.

    Notes
    -----
    MG-OXY II.A.2.b.ii.A: oxygen improves "the hypoxemia that was demonstrated during exercise";
    LCD test #3 and medicare-oxygen.md A8 (safest reading): a walk on oxygen that stopped, or
    whose data stopped, before the exertion at which the room-air walk desaturated shows no
    improvement of that desaturation. 70 s on oxygen at 95 % "improved" a room-air walk at 95 %
    for 4 min and 86 % for the last 2 (product reading; docs/criteria.md). Nor does a walk on
    oxygen whose data break off over that exertion: a stretch of 10 s or more without valid
    data may hold a whole 10 s run at any level (the lower bound, :func:`sustained_low`, skips
    it). Its probe off from 3 min to one sample in its last second, a walk on oxygen reached
    360 s and "improved" a room-air walk that fell to 86 % at 304 s (hunt 12).
    """
    at, reach, covered = ex.sustained_nadir_elapsed_s, o2.valid_elapsed_s, o2.covered_elapsed_s
    if at is None or reach is None:
        return (
            "the walks' elapsed figures (metrics.exercise.sustained_nadir_elapsed_s, "
            "metrics.exercise_o2.valid_elapsed_s: re-run oxi analyze) showing the walk on "
            "oxygen covers the exertion at which the walk on room air desaturated"
        )
    if reach < at - 1e-6:
        return (
            f"a walk on oxygen with valid data at least {at:.0f} s into it, where the walk on "
            f"room air reached its low (its data end {reach:.0f} s in: the improvement is not "
            "shown over the exertion that desaturated)"
        )
    if covered is None:
        return (
            "the walk on oxygen's unbroken reach (metrics.exercise_o2.covered_elapsed_s: re-run "
            "oxi analyze) showing its valid data cover the exertion at which the walk on room "
            "air desaturated without a stretch of 10 s or more missing"
        )
    if covered >= at - 1e-6:
        return ""
    return (
        f"a walk on oxygen with valid data over its first {at:.0f} s, where the walk on room air "
        f"reached its low, with no stretch of 10 s or more missing (its data break off "
        f"{covered:.0f} s in: the improvement is not shown over the exertion that desaturated)"
    )


def tested_walk_flow(inp: Inputs) -> float | None:
    """Return the oxygen flow of the walk on oxygen, when one is known and not contradicted.

    Parameters
    ----------
    inp : Inputs
        Reads the evidence's ``exercise_o2_flow_lpm`` (``--o2-flow``) and
        ``test.exercise_o2_flow_lpm``.

    Returns
    -------
    float or None
        The flow; None when neither gives it or the two differ.
    """
    ran = inp.evidence.exercise_o2_flow_lpm if inp.evidence is not None else None
    said = inp.context.test.exercise_o2_flow_lpm
    if ran is not None and said is not None and abs(ran - said) > 1e-9:
        return None
    return ran if ran is not None else said


def flow_below_test(inp: Inputs, blood_gas: bool = False) -> str:
    """Return what is missing when the walk on oxygen's flow is unknown or above the order's.

    Parameters
    ----------
    inp : Inputs
        Reads ``order.flow_lpm``, ``test.exercise_o2_flow_lpm`` and the evidence's
        ``exercise_o2_flow_lpm`` (``--o2-flow``).
    blood_gas : bool
        The improvement is shown by ``blood_gas.pao2_exercise_o2_mmhg`` (no recording needed):
        its flow is ``test.exercise_o2_flow_lpm``, with the same checks.

    Returns
    -------
    str
        Empty when the recording has no ``exercise_o2`` segment, or the order prescribes at
        least the flow it was tested on (or prescribes none); else what would show the
        improvement at the prescribed flow: the tested flow when neither the analysis nor the
        context gives it, or gives two, and a test at the prescribed flow when it was higher.
    """
    ev, rx = inp.evidence, inp.context.order.flow_lpm
    if not blood_gas and (ev is None or ev.exercise_o2 is None):
        return ""
    ran = ev.exercise_o2_flow_lpm if ev is not None and ev.exercise_o2 is not None else None
    said = inp.context.test.exercise_o2_flow_lpm
    if ran is None and said is None:
        # The order's flow is what was prescribed, not what the walk was tested on.
        return "the oxygen flow of the walk on oxygen (test.exercise_o2_flow_lpm or --o2-flow)"
    if ran is not None and said is not None and abs(ran - said) > 1e-9:
        return (
            f"one oxygen flow for the walk on oxygen (--o2-flow {ran:g} L/min, "
            f"test.exercise_o2_flow_lpm {said:g} L/min)"
        )
    tested = ran if ran is not None else said
    if tested is not None and tested <= 0:
        return "a walk on oxygen at a flow above 0 L/min (exercise_o2)"
    if tested is None or rx is None or rx >= tested - 1e-9:
        return ""
    return (
        f"an exercise test on oxygen at the prescribed flow (order.flow_lpm {rx:g} L/min): the "
        f"improvement was shown at {tested:g} L/min"
    )


def sleep_minutes(
    cumulative: float | None,
    longest: float | None,
    single: Callable[[], bool | None],
    reading: str,
    minutes: float = 5.0,
) -> bool | None:
    """Apply a duration reading to a sleep threshold.

    Parameters
    ----------
    cumulative, longest : float or None
        Cumulative minutes and the longest run at the threshold.
    single : callable
        ``single() -> bool | None``: whether one reading reached the threshold.
    reading : str
        ``cumulative`` (≥ ``minutes`` in all), ``continuous`` (one run of ≥ ``minutes``) or
        ``single_sample``.
    minutes : float
        The duration (5).

    Returns
    -------
    bool or None
        None when the figure the reading needs is unknown.
    """
    if reading == "cumulative":
        return at_least(cumulative, minutes)
    if reading == "continuous":
        return at_least(longest, minutes)
    return single()


# --------------------------------------------------------------------------------------------
# Blood gas against oximetry
# --------------------------------------------------------------------------------------------


def blood_gas_day(inp: Inputs) -> str:
    """Return ``same``, ``unknown`` or ``other``: ``blood_gas.date`` against the test date.

    Parameters
    ----------
    inp : Inputs
        Reads ``blood_gas.date`` and the test date the rules use.

    Returns
    -------
    str
        See :func:`test_day_of`.
    """
    return test_day_of(inp.context.blood_gas.date, inp.test_date, inp.evidence)


def test_day_of(day: _dt.date | None, test_date: _dt.date | None, ev: Evidence | None) -> str:
    """Return ``same``, ``unknown`` or ``other``: whether a day is the test's.

    Parameters
    ----------
    day : datetime.date or None
        The day of a measurement beside the test (``blood_gas.date``).
    test_date : datetime.date or None
        The test date the rules use.
    ev : Evidence or None
        The recording, whose data may lie on other days than the test date.

    Returns
    -------
    str
        Beside a recording that holds data on known days (:meth:`Evidence.recorded_days`),
        ``same`` when the day is one it holds data on in every place it may have, ``other``
        when it holds none in any, ``unknown`` otherwise; without one, ``same`` when the day is
        the test date. ``unknown`` without either date.
    """
    if day is None or test_date is None:
        return "unknown"
    # A night's test date is its evening's (Evidence.test_day): a sleep PaO2 of 50 dated
    # 5 January decided a normal night recorded wholly on the 6th as taken "the same day",
    # and one dated the 21st, drawn during a night from 22:00 on the 20th, was "another day"
    # (hunt 9). The recorded days decide, not test.date.
    days = None if ev is None else ev.recorded_days(test_date)
    if days is None:
        return "same" if day == test_date else "other"
    if day in days.always:
        return "same"
    return "other" if not days.first <= day <= days.last else "unknown"


def decide_by_blood_gas(name: str, gas: Part, oxi: Part, day: str, values: dict[str, Any]) -> Part:
    """Combine a blood gas and an oximetry result for the same condition (rest, sleep, exercise).

    Parameters
    ----------
    name : str
        The condition, used in the value keys (``rest_blood_gas_decides``).
    gas, oxi : Part
        The blood-gas and the oximetry result (untested when not taken).
    day : str
        :func:`blood_gas_day`: ``same``, ``unknown`` or ``other``.
    values : dict
        The rule's values; the decision is recorded in it.

    Returns
    -------
    Part
        A single result, or agreeing ones, stand. When they disagree the blood gas decides if
        taken the same day; with its day unknown the pair is a conflict (not evaluable, naming
        ``blood_gas.date``). A blood gas from another day is not the evaluated test: it can
        only agree with the test's oximetry, else the result is not evaluable.
    """
    if not gas.tested:
        return oxi
    if day == "other":
        values[f"{name}_blood_gas_other_day"] = True
        if oxi.tested and oxi.met is not None and oxi.met == gas.met:
            return oxi  # the test's own result stands; the other day's agrees with it
        # beside a recording, a day it holds data on (a night's test.date is its evening's,
        # its data run into the next day), else test.date itself
        why = "blood_gas.date the test's day (test.date, or a day the recorded test holds data on)"
        return Part(name, None, missing=(why,), where=gas.where)
    if not oxi.tested or oxi.met is None or gas.met == oxi.met:
        return gas
    values[f"{name}_blood_gas_decides"] = day == "same"
    if day == "same":
        return gas
    why = "blood_gas.date (blood gas and oximetry disagree; the blood gas decides if same-day)"
    return Part(name, None, missing=(why,), where=gas.where)


# --------------------------------------------------------------------------------------------
# Exercise test: rest, exercise on room air, exercise on oxygen, in one session
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    """The three parts of an exercise test, from one recording: sustained nadirs (unrounded).

    ``rest_low``, ``exercise_low`` and ``exercise_o2_low`` are their lower bounds
    (:func:`sustained_low`): what must show SpO2 high (test #1 at rest ≥ 89 %, test #3's
    improvement) is read on them, and test #2 on room air is in doubt where they straddle its
    line.
    """

    rest: float | None
    exercise: float | None
    exercise_o2: float | None
    missing: tuple[str, ...]
    rest_low: float | None = None
    exercise_o2_low: float | None = None
    exercise_low: float | None = None


def _across_midnight(inp: Inputs, placed: list[tuple[float, float]]) -> str:
    """Say how the placed parts (seconds from the start) run past midnight; "" when they do not.

    From the recording's clock (its date, when known, only names the days): a file of times of
    day alone crosses midnight as a dated one does (review of hunt 12: it qualified).
    """
    clock = None if inp.evidence is None else inp.evidence.clock
    if clock is None:
        return ""
    at = clock.hour * 3600 + clock.minute * 60 + clock.second + clock.microsecond / 1e6
    first = min(s for s, _ in placed)
    last = max(e for _, e in placed) - 1e-6  # an end is exclusive: a walk to 00:00 is of the day
    days = int((at + last) // 86400) - int((at + first) // 86400)
    if days == 0:
        return ""
    start = inp.evidence.recording_start if inp.evidence is not None else None
    if start is None:
        return f"they run past midnight, over {days + 1} days"
    d0 = (start + _dt.timedelta(seconds=first)).date()
    d1 = (start + _dt.timedelta(seconds=last)).date()
    return f"they run from {d0.isoformat()} to {d1.isoformat()}"


def exercise_session(inp: Inputs, values: dict[str, Any]) -> tuple[str, Session | None]:
    """Return the exercise test's three sustained nadirs (rest, exercise, exercise on oxygen).

    Parameters
    ----------
    inp : Inputs
        The rule's inputs; the three segments come from the one recording (one session).
    values : dict
        Receives each part's sustained nadir, unrounded and rounded.

    Returns
    -------
    tuple
        ``("ok", session)``, ``("missing", session)`` with ``session.missing`` naming the
        absent parts, or ``("untested", None)`` when the test is not an exercise test.
    """
    state, _, missing = window_figures(inp, "exercise", ("exercise",))
    if state == "untested":
        return "untested", None
    if state == "missing":
        return "missing", Session(None, None, None, missing)
    got: dict[str, float | None] = {}
    need: list[str] = []
    for kind in ("rest", "exercise", "exercise_o2"):
        seg = cast(SegmentFigures | None, inp.segment(kind))
        sn = None if seg is None else seg.sustained_nadir_pct
        unfit = "" if seg is None else segment_unfit(seg, inp.evidence)
        if unfit:
            sn = None
        got[kind] = sn
        values[f"{kind}_sustained_nadir_pct"] = sn
        if unfit:
            need.append(unfit)
        elif sn is None:
            need.append(f"the '{kind}' segment of the same session (valid data)")
        else:
            values[f"{kind}_sustained_nadir_rounded_pct"] = pct(sn)
    placed = [
        (seg.start_s, seg.end_s)
        for seg in (inp.segment(k) for k in ("rest", "exercise", "exercise_o2"))
        if seg is not None and seg.start_s is not None and seg.end_s is not None
    ]
    if len(placed) > 1:
        span = (max(e for _, e in placed) - min(s for s, _ in placed)) / 60
        values["session_span_min"] = span
        if span > MAX_SESSION_MIN + EPS_MIN:
            need.append(
                f"the three parts of one session, within {MAX_SESSION_MIN:g} min (they span "
                f"{span:.0f} min)"
            )
        across = _across_midnight(inp, placed)
        if across:
            # A9's safest reading: one session dated the same day. Rest at 23:41, the walks at
            # 23:58 and 00:10 (staged awake) qualified Group I-4 with no word (hunt 12).
            need.append(f"the three parts on one day ({across})")
    lows = {
        k: None if got[k] is None else sustained_low(cast(SegmentFigures, inp.segment(k)))
        for k in ("rest", "exercise", "exercise_o2")
    }
    for k, low in lows.items():
        if low is not None:
            values[f"{k}_sustained_nadir_low_pct"] = low
    s = Session(
        got["rest"], got["exercise"], got["exercise_o2"], tuple(need), lows["rest"],
        lows["exercise_o2"], lows["exercise"],
    )  # fmt: skip
    return ("missing" if need else "ok"), s
