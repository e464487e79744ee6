"""report.pdf and trace.png (SPEC §9): the plotted evidence a reviewer reads.

Page 1 (:mod:`.page1`): identification, test conditions, the figures with their denominators,
the determination in plain words, notes, the measurement note, an interpretation box and a
signature line; the notes page 1 has no room for go on over pages of their own right after
it (:func:`.page1.notes_pages`). Then (:mod:`.tables_page`) the whole recording and the tables;
then the recording in hour-long strips (ten-minute strips for tests of an hour or less, three-hour strips
for recordings of more than a day, each with its date), three to a page,
with the minutes at or below 88 % listed in the right margin, never over the trace; an appendix
with every qualification rule, its clause and id; a last page with the time-at-saturation
histogram, the method notes and the input's sha256. Matplotlib only, without pyplot; no run time
stamps in the PDF's metadata. A report of several pages is drawn in two halves on two cores and
joined (:data:`SPLIT_PAGES`), the same bytes wherever each half was drawn.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from numpy.typing import NDArray

from .. import __version__
from ..plot import (
    COLORS,
    clock_grid,
    drops_outside_main,
    le88_spans,
    le88_spans_outside,
    legend_handles,
    odi_outside_main,
    plot_histogram,
    plot_overview,
    plot_pulse,
    plot_strip,
    runs_outside_main,
    spo2_ylim,
    strip_grid_steps,
    window_mask,
)
from ..results import Analysis
from ..spans import span_indices
from ..windows import clock_text
from .atomic import write_atomic
from .forked import in_a_fork
from .page1 import first_page_and_notes, notes_pages
from .tables_page import tables_page
from .terminal import medicare_drop_line, minutes
from .textpage import (
    LANDSCAPE,
    MARGIN_IN,
    PORTRAIT,
    TextPage,
    ctx_get,
    device_text,
    drawable,
    footer,
    matplotlib_defaults,
    revisions_lines,
    rules_block,
    text_width_in,
)

__all__ = ["render_report_pdf", "render_trace_png", "write_report_pdf", "write_trace_png"]

STRIPS_PER_PAGE = 3
STRIP_S = 3600.0
#: Recordings up to an hour (rest and exercise tests) get strips of this length instead, so a
#: six-minute walk fills most of a strip rather than a tenth of an hour.
SHORT_STRIP_S = 600.0
#: Recordings of more than a day get strips of this length, still with a grid line a minute
#: (1 mm apart) and a clock label every half hour: a week is 19 pages of strips instead of
#: 57, which a reviewer can leaf through, and at 25 Hz its whole `oxi analyze` took 13.0 s
#: instead of 22.0 s (scripts/bench.py (c), medians of 3, 2026-12-06). A night keeps its
#: hourly strips. Their clock times occur more than once, so each strip says its date
#: (:func:`_strip_when`) and so do its run labels.
LONG_STRIP_S = 3 * 3600.0
#: Recordings longer than this get LONG_STRIP_S strips.
LONG_RECORDING_S = 24 * 3600.0


def _strip_span(analysis: Analysis) -> float:
    """Seconds per strip: an hour; ten minutes up to an hour; three hours past a day."""
    duration = analysis.recording.duration_s
    if duration <= STRIP_S:
        return SHORT_STRIP_S
    return LONG_STRIP_S if duration > LONG_RECORDING_S else STRIP_S


def elapsed_axis(analysis: Analysis) -> bool:
    """Return True when the file holds no date and no clock time (times are elapsed time)."""
    return not analysis.recording.clock_known


def _strip_starts(analysis: Analysis) -> list[float]:
    """Return strip starts aligned to the clock (ten minutes, whole hours, 00:00, 03:00, ...)."""
    span = _strip_span(analysis)
    s = analysis.recording.start
    into = s.hour * 3600 + s.minute * 60 + s.second + s.microsecond / 1e6  # into the day
    first = -(into % span)
    n = max(1, math.ceil((analysis.recording.duration_s - first) / span))
    return [first + k * span for k in range(n)]


def _strip_spans(analysis: Analysis) -> list[tuple[float, float]]:
    """Return the strips as (start, end), clock-aligned.

    A first or last strip holding less than a twelfth of its span of recording (5 minutes of an
    hour) is joined to its neighbour: no strip, and no page, for a few minutes of data.
    """
    span = _strip_span(analysis)
    dur = analysis.recording.duration_s
    out = [(t0, t0 + span) for t0 in _strip_starts(analysis)]

    def held(lo: float, hi: float) -> float:
        return max(0.0, min(hi, dur) - max(lo, 0.0))

    if len(out) > 1 and held(*out[0]) < span / 12:
        out[:2] = [(max(0.0, out[0][0]), out[1][1])]
    if len(out) > 1 and held(*out[-1]) < span / 12:
        out[-2:] = [(out[-2][0], min(out[-1][1], dur))]
    return out


Masks = tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]


def _strip_page(
    analysis: Analysis,
    strips: Sequence[tuple[float, float]],
    kinds: Sequence[str],
    title: str,
    masks: Masks,
    ylim: tuple[float, float],
    mean_minus5: float | None = None,
) -> Figure:
    """Return one page of strips.

    ``masks`` (:func:`_strip_masks`) and ``ylim`` (``spo2_ylim``) are of the whole recording,
    computed once per report: recomputed per page and strip over a 7-day 25 Hz recording they
    took 16 of the PDF's 76 s under cProfile (which slows matplotlib's Python, not numpy), and
    computing them once took the whole command from 54.9 to 34.3 s of CPU (2026-12-05/06).
    """
    fig = Figure(figsize=LANDSCAPE)
    w, h = LANDSCAPE
    fig.text(MARGIN_IN / w, 1 - 0.35 / h, title, size=11, weight="bold", va="top")
    fig.legend(
        handles=legend_handles(
            kinds,
            baseline=analysis.main_window is not None,
            outside=runs_outside_main(analysis),
            drops_outside=drops_outside_main(analysis),
            odi_outside=odi_outside_main(analysis),
            mean_minus5=mean_minus5 is not None,
        ),
        loc="upper center",
        bbox_to_anchor=(0.5, 1 - 0.55 / h),
        ncol=7,
        fontsize=7,
        frameon=False,
    )
    top = 1.05
    slot = (8.5 - 1.05 - 0.5) / STRIPS_PER_PAGE
    span = _strip_span(analysis)
    # a dated run label ("2026-01-07 00:59  ≤ 88 %: 10.0 min (cont.)", 2.5 in at 8 pt) needs a
    # wider margin than a clock time's; the 3-hour strips give up 0.7 in of their 8 in
    left, stats_w = 0.75, (2.3 if span == LONG_STRIP_S else 1.6)
    width = w - left - MARGIN_IN - stats_w
    minor, major = strip_grid_steps(span)  # the pulse axis gets the strip's grid
    elapsed = elapsed_axis(analysis)
    for i, (t0, t1) in enumerate(strips):
        y_top = top + i * slot
        ax = fig.add_axes((left / w, 1 - (y_top + 1.5) / h, width / w, 1.5 / h))
        plot_strip(analysis, t0, t1, ax, ylim=ylim, mean_minus5=mean_minus5)
        ax.tick_params(labelbottom=False, labelsize=7)
        ax.yaxis.label.set_fontsize(7.5)
        axp = fig.add_axes(
            (left / w, 1 - (y_top + 1.5 + 0.5) / h, width / w, 0.45 / h),
            sharex=ax,
        )
        plot_pulse(analysis, t0, t1, axp)
        clock_grid(
            axp, analysis.recording.start, t0, t1, minor_s=minor, major_s=major, elapsed=elapsed
        )
        axp.tick_params(labelsize=7)
        axp.yaxis.label.set_fontsize(7.5)
        if elapsed:
            axp.set_xlabel("elapsed time from the first sample", size=7)
        le88_min, valid_min, n_odi3 = _strip_stats(analysis, masks, t0, t1)
        x_text = (left + width + 0.15) / w
        fig.text(
            x_text,
            1 - (y_top + 0.02) / h,
            _strip_caption(analysis, masks, t0, t1, span) + f"\n≤ 88 %: {minutes(le88_min)} min\n"
            f"valid: {minutes(valid_min)} min\nODI3 events: {n_odi3}",
            size=8,
            va="top",
            linespacing=1.3,
            gid="strip_stats",
        )
        _label_runs(fig, analysis, t0, t1, x_text, 1 - (y_top + 0.95) / h, 1 - (y_top + 2.0) / h)
    return fig


def _strip_caption(
    analysis: Analysis,
    masks: Masks,
    lo: float,
    hi: float,
    span: float,
) -> str:
    """Return the strip caption: "This hour (sleep)", or "(no sleep in it)" outside sleep.

    A strip of a recording over 24 h says when it is on a line of its own (:func:`_strip_when`).
    """
    this = {STRIP_S: "This hour", LONG_STRIP_S: "These 3 hours"}.get(
        span, f"These {span / 60:g} min"
    )
    if hi - lo > span:
        this = f"These {minutes((hi - lo) / 60)} min"
    when = _strip_when(analysis, lo, hi)
    if when:
        this += f"\n{when}"
    main = analysis.main_window
    if main is None:
        return f"{this}\n(whole recording)"
    fs = analysis.recording.fs
    n = analysis.recording.spo2.n_samples
    i0, i1 = span_indices(lo, hi, fs, n)
    words = main.replace("_", " ")
    if not masks[2][i0:i1].any():
        return f"{this}\n(no {words} in it)"
    return f"{this}\n({words})"


def _strip_masks(analysis: Analysis) -> Masks:
    """Return per-sample masks: valid in the main window, that and ≤ 88 % (rounded), in it."""
    win = window_mask(analysis, analysis.main_window)
    sel = analysis.artifact.valid & win
    r = np.floor(analysis.recording.spo2.data + 0.5)
    return sel, sel & (r <= 88), win


def _strip_stats(
    analysis: Analysis,
    masks: Masks,
    lo: float,
    hi: float,
) -> tuple[float, float, int]:
    """Minutes at or below 88 %, valid minutes (main window) and ODI3 events starting in [lo, hi)."""
    fs = analysis.recording.fs
    n = analysis.recording.spo2.n_samples
    i0, i1 = span_indices(lo, hi, fs, n)
    sel, le88, _ = masks
    main = analysis.main_window
    n_odi3 = sum(
        1
        for e in analysis.events
        if e.type == "odi3" and lo <= e.start_s < hi and (main is None or e.window == main)
    )
    return (
        float(np.count_nonzero(le88[i0:i1])) / fs / 60.0,
        float(np.count_nonzero(sel[i0:i1])) / fs / 60.0,
        n_odi3,
    )


#: Shortest ≤ 88 % run listed in a strip's margin.
LABEL_MIN_S = 60.0


def _label_runs(
    fig: Figure,
    analysis: Analysis,
    lo: float,
    hi: float,
    x_fig: float,
    y_top_fig: float,
    y_bottom_fig: float,
) -> None:
    """List the strip's runs at or below 88 % of at least a minute in the right margin.

    One line per run (its start and length), stacked downwards from ``y_top_fig`` and never
    below ``y_bottom_fig`` (figure fractions): outside the plot, so a label can never cover the
    trace or the nadir, and one line apart, so labels never cover each other. A run of another
    window than the main one says which (``22:10  ≤ 88 % (awake): 4.0 min``), on two lines when
    one is too narrow, in grey: listed as the sleep runs were, a staged night's 4 min at 86 %
    awake stood under "runs ≤ 88 %" beside "This hour (sleep) ≤ 88 %: 0.0 min" (hunt 12).
    """
    fmt = _time_formatter(analysis)
    # each run with its own start and length; one begun in the strip before says so (its
    # start clipped to the strip's, a 20-min run across 01:00 read as a second run from 01:00).
    # Without an overnight window the runs are found in the samples, so over the whole
    # recording (a test of minutes), not the strip, whose edges would cut them.
    whole = (lo, hi) if analysis.main_window is not None else (0.0, analysis.recording.duration_s)
    spans = sorted(
        (a, b, kind)
        for a, b, kind in [
            *((a, b, "") for a, b in le88_spans(analysis, *whole)),
            *le88_spans_outside(analysis, *whole),
        ]
        if b - a >= LABEL_MIN_S and a < hi and b > lo
    )
    if not spans:
        return
    line = 8.0 * 1.3 / 72 / LANDSCAPE[1]
    room = max(1, int((y_top_fig - y_bottom_fig) / line))
    # the margin's width, to the page's edge less a little
    room_in = (1 - x_fig) * LANDSCAPE[0] - 0.15
    fig.text(
        x_fig,
        y_top_fig,
        "runs ≤ 88 % (≥ 1 min):",
        size=8,
        va="top",
        weight="bold",
        color=COLORS["threshold88"],
    )
    labels: list[tuple[list[str], str]] = []
    for a, b, kind in spans:
        length = f"{minutes((b - a) / 60)} min" + (" (cont.)" if a < lo else "")
        if not kind:
            labels.append(([f"{fmt(a)}  ≤ 88 %: {length}"], COLORS["threshold88"]))
            continue
        words = kind.replace("_", " ")
        one = f"{fmt(a)}  ≤ 88 % ({words}): {length}"
        two = [f"{fmt(a)}  ({words})", f"    ≤ 88 %: {length}"]
        labels.append(([one] if text_width_in(one, 8) <= room_in else two, "#666666"))
    k = 1  # lines used, the heading's included
    for n_shown, (lines, color) in enumerate(labels):
        left = sum(len(x) for x, _ in labels[n_shown:])
        # the last line is kept for "+ n more" unless every label left fits
        if k + left > room and k + len(lines) >= room:
            fig.text(
                x_fig,
                y_top_fig - k * line,
                f"+ {len(labels) - n_shown} more (events.csv)",
                size=8,
                va="top",
                color=COLORS["threshold88"],
                gid="le88_label",
            )
            return
        for text in lines:
            fig.text(
                x_fig, y_top_fig - k * line, text, size=8, va="top", color=color, gid="le88_label"
            )
            k += 1


def _time_formatter(analysis: Analysis) -> Callable[[float], str]:
    """Seconds from the start as ``22:41`` (clock) or ``0:41`` (elapsed).

    In a recording over 24 h a clock time carries its date (``2026-01-07 00:59``), or its day
    (``day 2 02:00``) when the file holds no date (:func:`~oximetry.windows.clock_text`): a
    60-h recording's plateau at 2026-01-07 01:00, so dated on page 1, was listed "00:59" in the
    margin of a strip whose 00:00-03:00 came three times.
    """
    rec = analysis.recording
    if elapsed_axis(analysis):
        return lambda t: f"{int(t // 3600)}:{int(t % 3600 // 60):02d}"
    return lambda t: clock_text(
        rec.start,
        t,
        span_s=rec.duration_s,
        date_known=rec.source.date_known,
        with_seconds=False,
    )


def _strip_when(analysis: Analysis, lo: float, hi: float) -> str:
    """Return a strip's span with its date for a recording over 24 h, else ``""``.

    ``2026-01-07 00:00–03:00``, ``day 2 00:00–03:00`` without a date, ``24:00–27:00 elapsed``
    without a clock; a strip ending at midnight ends at ``24:00`` of its day, and one joined
    across midnight (:func:`_strip_spans`) gives both dates.
    """
    rec = analysis.recording
    if rec.duration_s <= LONG_RECORDING_S:
        return ""
    if elapsed_axis(analysis):
        fmt = _time_formatter(analysis)
        return f"{fmt(lo)}–{fmt(hi)} elapsed"
    fmt = _time_formatter(analysis)
    a = rec.start + _dt.timedelta(seconds=float(lo))
    b = rec.start + _dt.timedelta(seconds=float(hi))
    if b.date() == a.date():
        return f"{fmt(lo)}–{b:%H:%M}"
    if b.time() == _dt.time(0) and (b.date() - a.date()).days == 1:
        return f"{fmt(lo)}–24:00"
    return f"{fmt(lo)}–{fmt(hi)}"


def _ready(fig: Figure) -> Callable[[], Figure]:
    return lambda: fig


def _build_pages(
    analysis: Analysis, summary: Mapping[str, Any], identification: Mapping[str, Any] | None
) -> list[Callable[[], Figure]]:
    """Return the report's pages in order, each as a function that returns its figure.

    The strip pages are drawn when called, so that :func:`render_report_pdf` holds one at a
    time: holding all 57 strip pages of a 7-day 25 Hz recording before writing any took 11-14 %
    more CPU time (22.9 against 20.3 s and 29.6 against 25.4 s, 2026-12-06; the garbage
    collector walks every live artist) and more memory. The other pages are drawn here.
    """
    q = summary.get("qualification")
    rules: list[Mapping[str, Any]] = list((q or {}).get("rules") or [])
    pages = [_ready(tables_page(analysis, summary))]  # page 1 last: it names the last page

    # Strips of an hour (ten minutes for a recording of an hour or less).
    strips = _strip_spans(analysis)
    kinds = [w.kind for w in analysis.windows]
    n_strip_pages = math.ceil(len(strips) / STRIPS_PER_PAGE)
    clock = "elapsed time" if elapsed_axis(analysis) else "clock time"
    what = {
        SHORT_STRIP_S: "10-minute strips ({}): one grid line per 10 s, ",
        STRIP_S: "Hourly strips ({}): one grid line per minute, ",
        LONG_STRIP_S: "3-hour strips ({}): one grid line per minute, ",
    }[_strip_span(analysis)] + clock
    masks, ylim = _strip_masks(analysis), spo2_ylim(analysis)
    for p in range(n_strip_pages):
        chunk = strips[p * STRIPS_PER_PAGE : (p + 1) * STRIPS_PER_PAGE]
        title = what.format(f"{p + 1} of {n_strip_pages}")
        if analysis.recording.duration_s > LONG_RECORDING_S and not elapsed_axis(analysis):
            # the page's first and last times, dated: its clock times occur on other days too
            fmt = _time_formatter(analysis)
            title += f", {fmt(chunk[0][0])} – {fmt(chunk[-1][1])}"
        pages.append(
            partial(
                _strip_page,
                analysis,
                chunk,
                kinds,
                title,
                masks,
                ylim,
                medicare_drop_line(summary),
            )
        )

    # Appendix: every rule with its clause and id.
    rest = rules
    first = True
    while rest:
        fig = Figure(figsize=PORTRAIT)
        page = TextPage(fig)
        page.line(
            "Appendix: qualification rules, clause by clause" + ("" if first else " (continued)"),
            11,
            weight="bold",
        )
        if first:
            page.line(
                "Each rule of the profile with its citation, its id (for reviewers and "
                "oxi verify), what it found and the values it used.",
                8,
                color="#444444",
            )
            # which only summary.json said: a reader could not tell which rules applied
            revisions_lines(page, q or {})
        page.y += 0.05
        done = max(1, rules_block(page, rest, PORTRAIT[1] - 0.6))  # never loop forever
        rest = rest[done:]
        first = False
        pages.append(_ready(fig))

    # Page 1 counts the review flags the last page lists, by its number, and carries the notes
    # it has no room for to pages of their own right after it, by theirs: cut at page 1's
    # bottom, a 24-h order's warning was in no page at all while the last page said the
    # warnings were on page 1 (hunt 12). How many such pages there are moves the last page's
    # number, which page 1 names, so page 1 is set until the two agree (twice when the notes
    # fit or fill one page).
    n_notes = 0
    for _ in range(4):
        last = len(pages) + 2 + n_notes
        page1, carried = first_page_and_notes(
            analysis, summary, identification, last, 2 if n_notes else None
        )
        notes = notes_pages(carried, 2) if n_notes or carried else []
        if len(notes) == n_notes:
            break
        n_notes = len(notes)
    pages.append(_ready(_last_page(analysis, summary, n_notes)))
    return [_ready(page1), *map(_ready, notes), *pages]


def _last_page(analysis: Analysis, summary: Mapping[str, Any], n_notes: int = 0) -> Figure:
    """Return the last page: histogram, method notes, review flags, sha256.

    ``n_notes`` pages right after page 1 carry the notes page 1 had no room for
    (:func:`~oximetry.report.page1.notes_pages`); the page says where the notes are.
    """
    fig = Figure(figsize=PORTRAIT)
    page = TextPage(fig)
    main = summary.get("main_window")
    page.line(
        f"Time at each saturation ({str(main or 'whole recording').replace('_', ' ')}, valid data)",
        11,
        weight="bold",
    )
    w, h = PORTRAIT
    ax = fig.add_axes((0.9 / w, 1 - 3.9 / h, (w - 1.4) / w, 3.0 / h))
    plot_histogram(analysis, ax)
    ax.tick_params(labelsize=7)
    ax.xaxis.label.set_fontsize(8)
    ax.yaxis.label.set_fontsize(8)
    page.y = 4.35
    page.line("How the figures are computed", 10, weight="bold")
    rounding = "Thresholds compare SpO2 rounded to whole percent (floor(x + 0.5)); means use the raw values."
    if (summary.get("qualification") or {}).get("profile") == "medicare":
        # medicare-oxygen.md A5: a Medicare report said every threshold compared the rounded
        # figure beside a walk's sustained nadir of 88.4 % judged not at or below 88
        rounding = (
            "Thresholds compare each SpO2 sample rounded to whole percent (floor(x + 0.5)); "
            "Medicare compares a computed value (a mean, an awake baseline, a sustained nadir) "
            "unrounded, 88.4 % not at or below 88 % (the safest reading of the LCD)."
        )
    notes = [
        rounding,
        "Durations are minutes of valid samples; every percentage and rate is of the valid time "
        "in its window, stated beside it.",
        "Artifact (hatched) is masked, never deleted: the time axis never shifts.",
        "Warnings and notes about this study are on page 1"
        + {0: ".", 1: ", continued on page 2."}.get(
            n_notes, f", continued on pages 2–{1 + n_notes}."
        ),
        *[f"Review: {x}" for x in (summary.get("recording") or {}).get("review_flags") or []],
    ]
    if summary.get("deidentified"):
        notes.append(
            "De-identified: patient name, code, birth date and input file name were removed; "
            "study dates are kept because the rules need them."
        )
    inp = summary.get("input") or {}
    sw = summary.get("software") or {}
    every = [p for p in inp.get("parts") or [] if isinstance(p, Mapping)]
    files = every[:6]
    below = 0.17 * (len(files) + (len(every) > len(files)))  # each joined file's sha256
    for note in notes:
        parts = page.wrap(note, w - 2 * MARGIN_IN - 0.15, 8)
        for i, part in enumerate(parts):
            page.line(("• " if i == 0 else "   ") + part, 8)
        if page.y > h - 3.2 - below:
            page.line("… (more in summary.json)", 8, style="italic")
            break
    page.y = h - 2.6 - below
    page.rule()
    if files:
        # a joined night's sha256 is a digest of its files' digests, no file's: each file's
        # own, which sha256sum gives a reviewer, was only in summary.json
        page.line("Input recording sha256 (of the files' sha256s, in order):", 8, weight="bold")
    else:
        page.line("Input recording sha256:", 8, weight="bold")
    page.line(str(inp.get("sha256", "")), 8, family="monospace")
    for k, one in enumerate(files, start=1):
        page.line(f"file {k}: {one.get('sha256', '')}", 8, family="monospace")
    if len(every) > len(files):
        page.line(f"… {len(every) - len(files)} more in summary.json (input.parts)", 8)
    page.line(
        f"Analysed with {sw.get('name', 'oxi')} {sw.get('version', __version__)}; "
        "re-check with: oxi verify summary.json "
        + ("RECORDING FILES (all of them)" if files else "RECORDING"),
        8,
    )
    return fig


@matplotlib_defaults
def render_report_pdf(
    analysis: Analysis,
    summary: Mapping[str, Any],
    identification: Mapping[str, Any] | None = None,
) -> bytes:
    """Return report.pdf's bytes.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording (its signals are plotted).
    summary : mapping
        Its ``summary.json`` (the figures and identifiers written on the pages).
    identification : mapping, optional
        ``name`` and ``member_id`` of the patient from the clinical context, printed on page 1
        unless the summary is de-identified.

    Returns
    -------
    bytes
    """
    pages = _build_pages(analysis, summary, identification)
    n = len(pages)
    if n < SPLIT_PAGES:
        return _render_pages(pages, 0, n, summary)
    # The second half is drawn on a second core while this one draws the first. The halves are
    # always drawn and joined alike, so the file's bytes do not depend on where they were drawn.
    with in_a_fork(partial(_render_pages, pages, n // 2, n, summary)) as second:
        return _join_pdfs([_render_pages(pages, 0, n // 2, summary), second()])


#: A report of at least this many pages is drawn in two halves, the second by a forked process
#: on a second core, and joined (pypdf). `oxi analyze` of a 7-day 25 Hz recording with its
#: report took 8.0 s instead of 11.3 s (scripts/bench.py (c), medians of 3, 2026-12-07), and the
#: example night's six pages 0.5-0.8 s instead of 0.9 s; the file is 10-20 % larger (each half
#: embeds its fonts). Fewer pages are not worth a process.
SPLIT_PAGES = 4

_METADATA = {
    "Title": "Pulse oximetry report",
    "Creator": f"oxi {__version__}",
    "CreationDate": None,
    "ModDate": None,
}


def _render_pages(
    pages: Sequence[Callable[[], Figure]], lo: int, hi: int, summary: Mapping[str, Any]
) -> bytes:
    """Return pages ``lo`` to ``hi - 1`` (0-based) as one PDF, each with its footer."""
    buf = io.BytesIO()
    with PdfPages(buf, metadata=_METADATA) as pdf:
        for i in range(lo, hi):
            fig = pages[i]()
            footer(fig, summary, i + 1, len(pages))
            FigureCanvasAgg(fig)
            pdf.savefig(fig)
    return buf.getvalue()


def _join_pdfs(parts: Sequence[bytes]) -> bytes:
    """Return the PDFs' pages as one PDF, in order, with the report's metadata."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    writer.add_metadata({"/Title": _METADATA["Title"], "/Creator": _METADATA["Creator"]})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write_report_pdf(
    analysis: Analysis,
    summary: Mapping[str, Any],
    path: str | Path,
    identification: Mapping[str, Any] | None = None,
) -> Path:
    """Write report.pdf atomically.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    summary : mapping
        Its ``summary.json``.
    path : str or Path
        Destination.
    identification : mapping, optional
        As for :func:`render_report_pdf`.

    Returns
    -------
    Path
    """
    return write_atomic(path, render_report_pdf(analysis, summary, identification))


def trace_title(analysis: Analysis, summary: Mapping[str, Any] | None) -> str:
    """Return trace.png's title: study date, device and the input's sha256 prefix.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    summary : mapping, optional
        Its ``summary.json`` (the context's test date and device, de-identification).

    Returns
    -------
    str
        ``SpO2 · study 2026-01-05 · device … · input sha256 61bd50ab6a5b4b22``, with
        ``De-identified`` in front when the summary is, the context's ``test.date`` beside a
        recording's date it differs from, and ``study no date`` for a file without a date and
        a context without one (its axis then says elapsed time).
    """
    src = analysis.recording.source
    summary = summary or {}
    # the recording's own date, and the context's beside it when it differs: a trace of
    # 2026-02-01 was titled with a test.date of 2026-01-05 the determination had found in conflict
    said = ctx_get(summary, "test", "date")
    date = analysis.recording.start.date().isoformat() if src.date_known else None
    if date is None:
        date = "no date" if said is None else str(said)
    elif said is not None and str(said) != date:
        date = f"{date} (test.date {said})"
    device = device_text(summary) or src.device or "device not stated"
    parts = [f"SpO2 · study {date}", str(device), f"input sha256 {src.sha256[:16]}"]
    if summary.get("deidentified"):
        parts.insert(0, "De-identified")
    return " · ".join(parts)


@matplotlib_defaults
def render_trace_png(analysis: Analysis, summary: Mapping[str, Any] | None = None) -> bytes:
    """Return trace.png's bytes: the overview figure with its legend and a title.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    summary : mapping, optional
        Its ``summary.json``, for the title (:func:`trace_title`).

    Returns
    -------
    bytes
        A PNG whose only text chunk is ``Software: oxi <version>``.
    """
    fig = Figure(figsize=(11.0, 3.6), dpi=120)
    ax = fig.add_axes((0.07, 0.17, 0.9, 0.6))
    line = medicare_drop_line(summary)
    plot_overview(analysis, ax, mean_minus5=line)
    # a context's device "王 oximeter" was drawn with an empty box, as page 1's patient (hunt 11)
    title = drawable(trace_title(analysis, summary), weight="bold")
    fig.text(0.07, 0.97, title, size=9, weight="bold", va="top")
    kinds = [w.kind for w in analysis.windows]
    fig.legend(
        handles=legend_handles(
            kinds,
            events=False,
            baseline=analysis.main_window is not None,
            outside=runs_outside_main(analysis),
            drops_outside=drops_outside_main(analysis),
            mean_minus5=line is not None,
        ),
        loc="upper center",
        bbox_to_anchor=(0.5, 0.92),
        ncol=6,
        fontsize=7,
        frameon=False,
    )
    ax.set_xlabel(
        "elapsed time from the first sample" if elapsed_axis(analysis) else "local clock time",
        size=8,
    )
    buf = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buf, metadata={"Software": f"oxi {__version__}"})
    return buf.getvalue()


def write_trace_png(
    analysis: Analysis, path: str | Path, summary: Mapping[str, Any] | None = None
) -> Path:
    """Write trace.png (the overview figure) atomically.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    path : str or Path
        Destination.
    summary : mapping, optional
        Its ``summary.json``, for the title.

    Returns
    -------
    Path
    """
    return write_atomic(path, render_trace_png(analysis, summary))
