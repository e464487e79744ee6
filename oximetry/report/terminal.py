"""The few lines ``oxi analyze`` prints: what a technologist reads at a glance.

Built from ``summary.json`` (never from the recording), so it holds no patient identifiers.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from oximetry.windows import clock_text

__all__ = [
    "RULE_STATUSES",
    "all_warnings",
    "baseline_source_text",
    "below_mean_text",
    "cut",
    "elapsed_only",
    "format_terminal_summary",
    "medicare_drop_line",
    "minutes",
    "rule_status",
    "rule_tally",
    "saturation",
    "saturation_tenths",
    "sentence_case",
    "span",
    "start_text",
    "sustained_nadir_text",
    "tenths",
    "when",
    "window_source_text",
]

#: A qualification rule's ``status`` in ``summary.json`` (docs/criteria.md), in tally order.
RULE_STATUSES = ("met", "not_met", "not_evaluable", "not_applicable")

_WINDOW_NAMES = {
    "sleep": "sleep",
    "presumed_sleep": "presumed sleep",
    "rest": "rest",
    "exercise": "exercise",
    "exercise_o2": "exercise on O2",
}


_STATUS_OF_MET = {True: "met", False: "not_met", None: "not_evaluable"}

#: Where each end of a lights-bounded presumed-sleep window came from (``windows[].ends``).
_ENDS = {
    ("off", "option"): "--lights-off",
    ("off", "annotations"): "lights off as the recording marks it",
    ("off", "first_valid"): "the first valid sample",
    ("off", "earlier_mark"): "the earlier of the lights off the recording marks",
    ("on", "option"): "--lights-on",
    ("on", "annotations"): "lights on as the recording marks it",
    ("on", "last_valid"): "the last valid sample",
    ("on", "recording_end"): "the end of the recording (--lights-on is after it)",
}


def window_source_text(window: Mapping[str, Any]) -> str:
    """Return where an analysis window came from, in plain words.

    A ``--lights-off 23:30`` alone gave "(from lights off on)" on page 1, which claimed a
    lights on nobody gave, and other windows printed their internal names ("first to last
    valid", hunt 12).

    Parameters
    ----------
    window : mapping
        An entry of ``summary.json``'s ``windows`` (its ``source``, and ``ends`` for a
        lights-bounded presumed-sleep window).

    Returns
    -------
    str
        E.g. ``from --lights-off to the last valid sample`` (no lights on was given or marked),
        ``from the hypnogram``; an unknown source as written, its ``_`` as spaces.
    """
    source = str(window.get("source") or "")
    ends = window.get("ends")
    if isinstance(ends, list | tuple) and len(ends) == 2:
        off = _ENDS.get(("off", str(ends[0])), str(ends[0]).replace("_", " "))
        on = _ENDS.get(("on", str(ends[1])), str(ends[1]).replace("_", " "))
        return f"from {off} to {on}"
    words = {
        "hypnogram": "from the hypnogram",
        "annotations": (
            "from the recording's lights off and on"
            if window.get("kind") == "presumed_sleep"
            else "from the recording's sleep staging"
        ),
        "lights_off_on": "from the lights off and on given",
        "first_to_last_valid": "from the first to the last valid sample",
        "awake_option": "the --awake span",
        "segment_option": "from --segment",
        "test_type": "the whole recording, a rest test",
    }
    return words.get(source, source.replace("_", " "))


def baseline_source_text(source: Any, summary: Mapping[str, Any]) -> str:
    """Return where the awake baseline was taken, in plain words.

    Parameters
    ----------
    source : str
        ``awake_baseline_source`` of a window's figures: the source of the window the baseline
        was taken in.
    summary : mapping
        ``summary.json`` (``settings.presumed_awake_s``).

    Returns
    -------
    str
        E.g. ``first 5.0 min of valid data, presumed awake`` ("first 300s valid" said the
        internal name), ``the --awake span``, ``wake epochs of the hypnogram``.
    """
    if source == "first_300s_valid":
        need = (summary.get("settings") or {}).get("presumed_awake_s")
        first = f"{minutes(need / 60)} min " if isinstance(need, int | float) else ""
        return f"first {first}of valid data, presumed awake"
    words = {
        "awake_option": "the --awake span",
        "hypnogram": "wake epochs of the hypnogram",
        "annotations": "wake epochs of the recording's sleep staging",
    }
    return words.get(str(source), str(source or "n/a").replace("_", " "))


def rule_status(rule: Mapping[str, Any]) -> str | None:
    """Return a rule's status (``met``, ``not_met``, ``not_evaluable``, ``not_applicable``).

    Parameters
    ----------
    rule : mapping
        One entry of ``qualification.rules`` in ``summary.json``.

    Returns
    -------
    str or None
        Its ``status``; for a summary written before ``status`` existed, the one ``met`` gives;
        None when neither is readable.
    """
    status = rule.get("status")
    if isinstance(status, str) and status in RULE_STATUSES:
        return status
    met = rule.get("met")
    if met is None or isinstance(met, bool):
        return _STATUS_OF_MET[met]
    return None


def rule_tally(rules: Sequence[Mapping[str, Any]]) -> str:
    """Return ``N rules: a met, b not met, c not evaluable, d not applicable``.

    Parameters
    ----------
    rules : sequence of mapping
        ``qualification.rules`` of ``summary.json``.

    Returns
    -------
    str
        The counts by :func:`rule_status`, every status named (also when 0).
    """
    counts = dict.fromkeys(RULE_STATUSES, 0)
    for r in rules:
        status = rule_status(r)
        if status is not None:
            counts[status] += 1
    parts = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts.items())
    return f"{len(rules)} rules: {parts}"


def all_warnings(summary: Mapping[str, Any]) -> list[str]:
    """Return every warning of a summary once: the analysis's, then the qualification's.

    Parameters
    ----------
    summary : mapping
        ``summary.json``.

    Returns
    -------
    list of str
        ``warnings`` followed by ``qualification.warnings``, repeats removed, in order.
    """
    q = summary.get("qualification") or {}
    items = [*(summary.get("warnings") or []), *(q.get("warnings") or [])]
    return list(dict.fromkeys(str(x) for x in items if x))


def elapsed_only(summary: Mapping[str, Any]) -> bool:
    """Return True when the recording's file holds no date and no time of day.

    Parameters
    ----------
    summary : mapping
        ``summary.json``.

    Returns
    -------
    bool
        Its times are then elapsed time from the first sample, never clock times.
        ``input.clock_known`` says so; a summary of an earlier oxi, without it, by a start at
        the placeholder midnight without a date (as that oxi read it: a file of times of day
        starting at 00:00:00 has a clock, and ``input.clock_known`` true).
    """
    inp = summary.get("input") or {}
    known = inp.get("clock_known")
    if isinstance(known, bool):
        return not known
    return inp.get("date_known") is False and str(inp.get("start") or "").startswith(
        "1900-01-01T00:00:00"
    )


def when(summary: Mapping[str, Any], iso: Any, seconds: bool = True) -> str:
    """Return an ISO time of the summary as a clock time, or as elapsed time when it has none.

    Parameters
    ----------
    summary : mapping
        ``summary.json``.
    iso : str or None
        A time written in it.
    seconds : bool
        Show seconds.

    Returns
    -------
    str
        ``00:41:56`` (clock), dated when the recording lasts more than 24 h
        (``2896-10-11 08:31:25``, or ``day 2 08:31:25`` without a date; see
        :func:`oximetry.windows.clock_text`), or ``0:41:56 elapsed``; ``n/a`` without a time.
    """
    if not iso:
        return "n/a"
    text = str(iso)
    inp = summary.get("input") or {}
    duration = (summary.get("recording") or {}).get("duration_min")
    try:
        t = _dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    try:
        start = _dt.datetime.fromisoformat(str(inp.get("start")))
    except ValueError:
        start, duration = t, None  # no recording to place it in: its clock time
    span_s = float(duration) * 60.0 if isinstance(duration, int | float) else 0.0
    return clock_text(
        start,
        (t - start).total_seconds(),
        span_s=span_s,
        date_known=inp.get("date_known") is not False,
        clock_known=not elapsed_only(summary),
        with_seconds=seconds,
    )


def span(summary: Mapping[str, Any], start: Any, end: Any, seconds: bool = False) -> str:
    """Return a span of the summary's times to the minute, its end's day said once.

    Parameters
    ----------
    summary : mapping
        ``summary.json``.
    start, end : str or None
        Times written in it.
    seconds : bool
        To the second (page 1's excluded spans).

    Returns
    -------
    str
        ``22:00–06:00``; ``2896-10-10 00:45–2896-10-11 08:45`` over 24 h, and an hour of such a
        recording ``2896-10-10 00:00–01:00``.
    """
    a, b = when(summary, start, seconds), when(summary, end, seconds)
    day_a, _, _ = a.rpartition(" ")
    day_b, _, clock_b = b.rpartition(" ")
    if day_a and day_a == day_b and not b.endswith(" elapsed"):
        return f"{a}–{clock_b}"
    return f"{a}–{b}"


def sentence_case(text: str) -> str:
    """Return ``text`` with its first letter upper case and the rest as written.

    ``str.capitalize`` lowers the rest: the exercise-on-oxygen segment read "Exercise on o2".

    Parameters
    ----------
    text : str

    Returns
    -------
    str

    Examples
    --------
    >>> sentence_case("exercise on O2")
    'Exercise on O2'
    """
    return text[:1].upper() + text[1:]


def saturation(value: float) -> str:
    """Return a saturation shown as the rules round it: ``floor(x + 0.5)`` (SPEC §7).

    Parameters
    ----------
    value : float
        SpO2 in percent.

    Returns
    -------
    str
        The whole percent; ``format(88.5, ".0f")`` rounds half to even and shows 88 beside a
        rule that read 89.
    """
    return str(math.floor(value + 0.5))


def cut(value: float, decimals: int) -> float:
    """Return ``value`` cut toward zero to ``decimals``, never rounded up across a limit.

    Rounded to 6 decimals first: 0.3 * 10 is 2.9999999999999996 in binary, and summary values
    carry 6 decimals. That step may lift a value by less than a millionth of its last decimal, but
    never onto a half (88.5): a payer rounds the shown figure half up, and 88.4999999 shown
    as 88.5 would read 89 where the rules' floor(x + 0.5) read 88.

    Parameters
    ----------
    value : float
        A figure (non-negative: minutes, hours, percentages).
    decimals : int
        Decimals kept.

    Returns
    -------
    float

    Examples
    --------
    >>> cut(119.9833, 0), cut(0.3, 1), cut(13.2167, 3)
    (119.0, 0.3, 13.216)
    """
    scale = 10.0**decimals
    k = math.floor(round(float(value) * scale, 6))
    if decimals > 0 and k / scale - math.floor(k / scale) == 0.5 and k / scale > value:
        k -= 1  # lifted onto a half (k / scale is exact there: n + 0.5 is a binary fraction)
    return k / scale


def tenths(value: Any) -> str:
    """Return a figure to 0.1, cut toward zero (a duration: :func:`minutes`).

    ``cut`` never lifts a value onto a half: 88.4999999 is "88.4", not "88.5".

    Parameters
    ----------
    value : float or None
        Minutes or percent (``summary.json`` keeps 6 decimals).

    Returns
    -------
    str
        E.g. ``"88.4"`` for 88.46, ``"4.9"`` for 4.983333, ``"n/a"`` for None.

    Examples
    --------
    >>> tenths(88.46), tenths(88.5), tenths(84.99), tenths(None)
    ('88.4', '88.5', '84.9', 'n/a')
    """
    if value is None:
        return "n/a"
    return f"{cut(value, 1):.1f}"


def saturation_tenths(value: Any) -> str:
    """Return a saturation the rules compare (a mean, median or awake baseline) to 0.1.

    Shown on no other side of a threshold either payer compares it with. MassHealth rounds it
    half up, b = floor(x + 0.5) (SPEC §7), and so does a reviewer reading the printed figure:
    an awake baseline of 88.46 rounded to one decimal was printed "88.5 %", which reads 89
    (MassHealth's "awake ≥ 89 %"), beside "The awake baseline rounds to 88 %". Medicare compares
    it unrounded (medicare-oxygen.md A5): 88.96 was printed "89.0 %" beside an I-2 "NOT MET ...
    with awake ≥ 89 %" (hunt 10). So the figure rounded to 0.1 is shown unless rounding carries
    it across a whole number or a half (x.95 to x.99, x.45 to x.49); then it is cut
    (:func:`tenths`): a multiple of 0.1 not above x and more than x - 0.1 has x's whole number
    and x's half, since both are multiples of 0.1 (tests/test_report_terminal.py checks it over
    floats).

    Parameters
    ----------
    value : float or None
        Percent (``summary.json`` keeps 6 decimals).

    Returns
    -------
    str
        E.g. ``"88.4"`` for 88.46, ``"88.9"`` for 88.96, ``"94.4"`` for 94.385972, ``"n/a"``
        for None.

    Examples
    --------
    >>> saturation_tenths(88.46), saturation_tenths(88.96), saturation_tenths(88.26)
    ('88.4', '88.9', '88.3')
    >>> saturation_tenths(94.385972), saturation_tenths(88.5), saturation_tenths(None)
    ('94.4', '88.5', 'n/a')
    """
    if value is None:
        return "n/a"
    x = float(value)

    def same_side(shown: str) -> bool:
        y = float(shown)
        return math.floor(y) == math.floor(x) and math.floor(y + 0.5) == math.floor(x + 0.5)

    for shown in (f"{x:.1f}", tenths(x)):
        if same_side(shown):
            return shown
    # cut() reads x to 6 decimals first, and 88.99999999 is 89.0 there
    return f"{float(tenths(x)) - 0.1:.1f}"


def sustained_nadir_text(value: Any) -> str:
    """Return a rest or exercise sustained nadir as the rules read it, with its value if not whole.

    MassHealth rounds it (SPEC §7), Medicare compares it unrounded (medicare-oxygen.md A5): a
    walk's sustained nadir of 88.4 % was printed "88 %" beside a Medicare NOT QUALIFIED (no
    Group I-4: 88.4 is not at or below 88), which read as the 88 % that qualifies (hunt 13).
    The rule table says "exercise sustained nadir 88 % (88.4 %)"; so does this.

    Parameters
    ----------
    value : float or None
        Percent (``summary.json`` keeps 6 decimals).

    Returns
    -------
    str
        ``88 %``; ``88 % (88.4 %)``; ``n/a %`` for None.

    Examples
    --------
    >>> sustained_nadir_text(88.0), sustained_nadir_text(88.4), sustained_nadir_text(88.499999)
    ('88 %', '88 % (88.4 %)', '88 % (88.4 %)')
    """
    if value is None:
        return "n/a %"
    whole = saturation(value)
    if float(value) == float(whole):
        return f"{whole} %"
    return f"{whole} % ({saturation_tenths(value)} %)"


def sustained_low_text(seg: Mapping[str, Any]) -> str:
    """Return the sustained nadir's lower bound when it reads otherwise than the nadir itself.

    The sustained nadir leaves out the 10 s runs that artifact breaks or that rest on an
    artifact's edge (SPEC §6, docs/criteria.md); its lower bound keeps them. A walk that held
    67-68 % for a minute before a fast recovery on oxygen was printed "sustained nadir 86 %"
    with nothing beside it (hunt 15): the reviewer sees the other reading too.

    Parameters
    ----------
    seg : mapping
        A segment's figures (``sustained_nadir_pct``, ``sustained_nadir_low_pct``).

    Returns
    -------
    str
        ``" (68 % counting runs broken by artifact or on an artifact's edge)"``, or ``""``
        when the two read the same.

    Examples
    --------
    >>> sustained_low_text({"sustained_nadir_pct": 86.0, "sustained_nadir_low_pct": 68.0})
    " (68 % counting runs broken by artifact or on an artifact's edge)"
    >>> sustained_low_text({"sustained_nadir_pct": 86.0, "sustained_nadir_low_pct": 86.0})
    ''
    """
    low, high = seg.get("sustained_nadir_low_pct"), seg.get("sustained_nadir_pct")
    if low is None or sustained_nadir_text(low) == sustained_nadir_text(high):
        return ""
    return (
        f" ({sustained_nadir_text(low)} counting runs broken by artifact or on an artifact's edge)"
    )


def minutes(value: Any) -> str:
    """Return a duration in minutes to 0.1 min, cut toward zero, never rounded up.

    The rules compare sample counts with whole minutes ("at least 5 minutes ≤ 88 %", "at least
    120 min of valid data"): 4.983 min rounded to "5.0" would sit beside a NOT MET for 5
    minutes and read as met. Cut, a shown duration is never more than the measured one.

    Parameters
    ----------
    value : float or None
        Minutes (``summary.json`` keeps 6 decimals).

    Returns
    -------
    str
        E.g. ``"4.9"`` for 4.983333, ``"n/a"`` for None.

    Examples
    --------
    >>> minutes(4.983333), minutes(20.75), minutes(0.3), minutes(None)
    ('4.9', '20.7', '0.3', 'n/a')
    """
    return tenths(value)


def below_mean_text(m: Mapping[str, Any], minus: str = "−") -> str:
    """Return Medicare's Group I-3 drop: the minutes below the test's mean − 5, and that line.

    A night qualified on 9.5 min below its mean (Group I-3) while page 1's only drop row read
    "0.0 min" below the awake baseline (hunt 10), and so did the terminal's (hunt 13). Only
    under Medicare, whose rules read it: MassHealth's outputs keep the awake-baseline drop they
    use.

    Parameters
    ----------
    m : mapping
        The main window's figures in ``summary.json`` (``drop5_from_mean_min``, its longest
        run and ``mean_pct``).
    minus : str
        The minus sign (the terminal prints ``-``).

    Returns
    -------
    str
        E.g. ``15.1 min cumulative, longest 0.2 min, below 91.66 % (the test's mean 96.66 % − 5;
        Medicare Group I-3)``.
    """
    drop, mean = m.get("drop5_from_mean_min"), m.get("mean_pct")
    if drop is None or not isinstance(mean, int | float):
        return "n/a (not measured in this summary)"
    # a sample counts below mean − 5 unrounded (and rounded): the line to 2 decimals, cut
    return (
        f"{minutes(drop)} min cumulative, longest "
        f"{minutes(m.get('longest_drop5_from_mean_min'))} min, below {cut(mean - 5, 2):.2f} % "
        f"(the test's mean {cut(mean, 2):.2f} % {minus} 5; Medicare Group I-3)"
    )


def medicare_drop_line(summary: Mapping[str, Any] | None) -> float | None:
    """Return the line Medicare's Group I-3 drop is counted below (the test's mean − 5), if any.

    The strips drew the awake baseline and baseline − 5 only: a Medicare night QUALIFIED on
    15.15 min below its mean − 5 (91.66 %, the mean 96.66 %) showed lines at 93 and 88 %,
    neither of which the qualifying level crossed (hunt 13).

    Parameters
    ----------
    summary : mapping or None
        ``summary.json``.

    Returns
    -------
    float or None
        ``mean_pct - 5`` of the main window under Medicare; None under MassHealth or without it.
    """
    summary = summary or {}
    if (summary.get("qualification") or {}).get("profile") != "medicare":
        return None
    main = summary.get("main_window")
    mean = ((summary.get("metrics") or {}).get(main) or {}).get("mean_pct") if main else None
    return float(mean) - 5.0 if isinstance(mean, int | float) else None


def _num(value: Any, fmt: str = ".1f", unit: str = "") -> str:
    if value is None:
        return "n/a"
    if fmt == "pct":
        return f"{saturation(value)}{unit}"
    return f"{value:{fmt}}{unit}"


def start_text(inp: Mapping[str, Any]) -> str:
    """Return when a recording starts, as its file knows it: never a placeholder date.

    Parameters
    ----------
    inp : mapping
        ``summary.json``'s ``input`` block.

    Returns
    -------
    str
        ``2026-03-01 22:00:00``; ``22:00:00 (the file holds no date)``; or, without a clock,
        ``the first sample (...)``.
    """
    text = str(inp.get("start", "?")).replace("T", " ")
    if elapsed_only({"input": inp}):
        return "the first sample (the file holds no date or clock time; times are elapsed)"
    if inp.get("date_known") is False:
        return f"{text[11:]} ({no_date_text(inp)})"
    return text


def no_date_text(inp: Mapping[str, Any]) -> str:
    """Say why a recording's date is unknown: none in the file, or one that reads two ways.

    Parameters
    ----------
    inp : mapping
        ``summary.json``'s ``input`` block (``possible_dates`` when the file's date reads two
        ways).

    Returns
    -------
    str
        ``the file holds no date``, or ``the file's date reads as 2026-03-04 or 2026-04-03``.

    Examples
    --------
    >>> no_date_text({"possible_dates": ["2026-03-04", "2026-04-03"]})
    "the file's date reads as 2026-03-04 or 2026-04-03"
    >>> no_date_text({})
    'the file holds no date'
    """
    dates = inp.get("possible_dates")
    if isinstance(dates, list) and dates:
        # "holds no date" beside a file dated 03/04/2026 (4 March or 3 April) was not so
        return "the file's date reads as " + " or ".join(str(d) for d in dates)
    return "the file holds no date"


def vendor_summary_text(vendor: Mapping[str, Any]) -> str:
    """Return what the device's own summary claims, for beside oxi's figures (never used).

    Parameters
    ----------
    vendor : mapping
        ``summary.json``'s ``vendor_summary``.

    Returns
    -------
    str
    """
    parts = []
    if vendor.get("spo2_mean_pct") is not None:
        parts.append(f"mean {_num(vendor['spo2_mean_pct'], '.0f')} %")
    if vendor.get("spo2_min_pct") is not None:
        parts.append(f"min {_num(vendor['spo2_min_pct'], '.0f')} %")
    if vendor.get("drops_3pct") is not None:
        parts.append(f"drops >=3 % {vendor['drops_3pct']}, >=4 % {vendor.get('drops_4pct')}")
    if vendor.get("time_below_90_min") is not None:
        parts.append(f"< 90 % {_num(vendor['time_below_90_min'])} min")
    if vendor.get("o2_score") is not None:
        parts.append(f"O2 score {_num(vendor['o2_score'])}")
    where = str(vendor.get("source") or "device")
    return (", ".join(parts) or "no figures") + f" (the {where}'s own figures, not oxi's)"


def format_terminal_summary(summary: Mapping[str, Any], paths: Mapping[str, Path]) -> str:
    """Return a short, aligned, identifier-free description of one analysis.

    Parameters
    ----------
    summary : mapping
        ``summary.json`` as built by :func:`~oximetry.report.build_summary`.
    paths : mapping of str to Path
        The files written (:func:`~oximetry.report.write_outputs`); may be empty.

    Returns
    -------
    str
        Lines for the recording, valid time, the main window's minutes at or below 88 % with the
        longest run, nadir, ODI, baseline, the determination (with the citations of the findings
        it rests on when qualified), and where the files are. No trailing newline.
    """
    inp = summary.get("input") or {}
    rec = summary.get("recording") or {}
    metrics = summary.get("metrics") or {}
    rows: list[tuple[str, str]] = []
    dur = rec.get("duration_min")
    rows.append(
        (
            "Recording",
            # hours cut like the minutes: 119.99 min read "2.00 h" beside an overnight rule's
            # "at least 120 min"
            f"{minutes(dur)} min ({_num(None if dur is None else cut(dur / 60, 2), '.2f')} h), "
            f"{inp.get('format', '?')}, channel {inp.get('channel') or '?'} at "
            f"{_num(inp.get('fs_hz'), 'g')} Hz, from {start_text(inp)}",
        )
    )
    rows.append(
        (
            "Valid data",
            f"{minutes(rec.get('valid_min'))} min ({_num(rec.get('artifact_pct'))} % artifact)",
        )
    )
    main = summary.get("main_window")
    if main is None:
        main = next((k for k in ("sleep", "presumed_sleep") if k in metrics), None)
    m = metrics.get(main) if main else None
    if m is not None:
        name = str(_WINDOW_NAMES.get(str(main), main))
        rows.append(
            (
                sentence_case(name),
                f"{minutes(m.get('valid_min'))} min valid of {minutes(m.get('duration_min'))} min",
            )
        )
        # the denominator is the window's valid time, not the recording's "Valid data" above
        valid_txt = f"the {minutes(m.get('valid_min'))} valid min"
        longest = m.get("longest_le88_min")
        longest_txt = f"longest {minutes(longest)} min"
        if longest and m.get("longest_le88_start"):
            longest_txt += f" from {when(summary, m.get('longest_le88_start'))}"
        rows.append(
            (
                "SpO2 <= 88 %",
                f"{minutes(m.get('t_le88_min'))} min cumulative "
                f"({_num(m.get('t_le88_pct'))} % of {valid_txt}), {longest_txt}",
            )
        )
        # the figures II.A.2.a.iii (<= 89 %) and the pediatric d (<= 90 %) decide on: a child's
        # night QUALIFIED (pediatric) on 15.1 min at or below 90 % printed only "0.0 min" at or
        # below 88 % (hunt 13), as page 1's "Time < 90 % / ≤ 90 %" row says
        rows.append(
            (
                "SpO2 < 90 %",
                f"{minutes(m.get('t_lt90_min'))} min cumulative; <= 90 %: "
                f"{minutes(m.get('t_le90_min'))} min",
            )
        )
        rows.append(
            (
                "Nadir",
                f"{_num(m.get('nadir_pct'), 'pct')} % at {when(summary, m.get('nadir_time'))}, "
                f"mean {saturation_tenths(m.get('mean_pct'))} %",
            )
        )
        rows.append(
            (
                "ODI",
                f"3 %: {_num(m.get('odi3_per_h'))}/h, 4 %: {_num(m.get('odi4_per_h'))}/h "
                f"(per hour of {valid_txt})",
            )
        )
        base = m.get("awake_baseline_pct")
        if base is not None:
            src = baseline_source_text(m.get("awake_baseline_source"), summary)
            rows.append(
                (
                    "Awake baseline",
                    f"{saturation_tenths(base)} % ({src}); > 5 points below for "
                    f"{minutes(m.get('drop5_min'))} min",
                )
            )
        elif "awake_baseline_source" in m:  # "n/a % ()" said nothing
            rows.append(("Awake baseline", "none (see the warnings): no drop is measured"))
        if (summary.get("qualification") or {}).get("profile") == "medicare":
            # the drop Medicare's Group I-3 reads, not the awake baseline's above
            rows.append(("Below mean - 5", below_mean_text(m, minus="-")))
    vendor = summary.get("vendor_summary")
    if vendor:
        rows.append(("Device summary", vendor_summary_text(vendor)))
    for kind in ("rest", "exercise", "exercise_o2"):
        seg = metrics.get(kind)
        if seg is not None:
            rows.append(
                (
                    sentence_case(_WINDOW_NAMES[kind]),
                    f"sustained nadir {sustained_nadir_text(seg.get('sustained_nadir_pct'))}"
                    f"{sustained_low_text(seg)}, nadir {_num(seg.get('nadir_pct'), 'pct')} %, "
                    f"{minutes(seg.get('valid_min'))} min valid",
                )
            )
    n_warn = len(all_warnings(summary))
    if n_warn:
        rows.append(("Warnings", f"{n_warn} (see summary.json / report.pdf)"))
    q = summary.get("qualification")
    if q:
        det = str(q.get("determination", "?")).replace("_", " ").upper()
        extra = []
        if q.get("coverage"):
            extra.append(", ".join(q["coverage"]))
        if q.get("authorization_months"):
            extra.append(f"{q['authorization_months']} months")
        if q.get("modifiers"):
            extra.append("modifiers " + " ".join(str(m) for m in q["modifiers"]))
        if q.get("profile"):
            extra.append(str(q["profile"]))
        text = det + (f" ({'; '.join(extra)})" if extra else "")
        if q.get("missing"):
            shown = [str(x) for x in q["missing"][:4]]
            more = len(q["missing"]) - len(shown)
            text += "; missing: " + ", ".join(shown) + (f" and {more} more" if more > 0 else "")
        if q.get("rules"):
            rows.append(("Rules", rule_tally(q["rules"])))
        rows.append(("Determination", text))
        if q.get("determination") == "qualified" and q.get("basis"):
            cites = {r.get("id"): r.get("citation") for r in q.get("rules") or []}
            rows.append(("Basis", ", ".join(str(cites.get(b) or b) for b in q["basis"])))
    else:
        rows.append(("Determination", "not evaluated (no qualification block)"))
    if paths:
        folders = {Path(p).parent for p in paths.values()}
        names = ", ".join(Path(p).name for p in paths.values())
        where = str(next(iter(folders))) if len(folders) == 1 else ""
        rows.append(("Files", f"{names} in {where}" if where else names))
        if not where:
            rows.extend(("", str(p)) for p in paths.values())
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)
