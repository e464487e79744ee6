"""report.pdf and trace.png (SPEC §9): the plotted evidence a reviewer reads.

Page 1: identifiers (or a de-identification note), device, test and dates, the summary figures
with their denominators, the qualification block rule by rule, the overview trace. Then the
qualification rules that did not fit, the whole recording in hour-long strips (three to a page,
a grid line every minute), and a last page with the time-at-saturation histogram, warnings, the
input's sha256 and a signature line. Matplotlib only, without pyplot; no run time stamps in the
PDF's metadata.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
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
    legend_handles,
    plot_histogram,
    plot_overview,
    plot_pulse,
    plot_strip,
    strip_grid_steps,
    window_mask,
)
from ..results import Analysis
from .summary import write_atomic
from .textpage import (
    LANDSCAPE,
    MARGIN_IN,
    PORTRAIT,
    TextPage,
    footer,
    header,
    qualification_head,
    rules_block,
    statistics,
)

__all__ = ["render_report_pdf", "render_trace_png", "write_report_pdf", "write_trace_png"]

STRIPS_PER_PAGE = 3
STRIP_S = 3600.0
#: Recordings up to an hour (rest and exercise tests) get strips of this length instead, so a
#: six-minute walk fills most of a strip rather than a tenth of an hour.
SHORT_STRIP_S = 600.0


def _strip_span(analysis: Analysis) -> float:
    """Seconds per strip: an hour, or ten minutes for recordings of an hour or less."""
    return SHORT_STRIP_S if analysis.recording.duration_s <= STRIP_S else STRIP_S


def _strip_starts(analysis: Analysis) -> list[float]:
    """Return strip starts aligned to the clock (whole hours or ten minutes) over the recording."""
    span = _strip_span(analysis)
    s = analysis.recording.start
    into = s.minute * 60 + s.second + s.microsecond / 1e6  # seconds into the clock hour
    first = -(into % span)
    n = max(1, math.ceil((analysis.recording.duration_s - first) / span))
    return [first + k * span for k in range(n)]


def _strip_page(
    analysis: Analysis, starts: Sequence[float], kinds: Sequence[str], title: str
) -> Figure:
    fig = Figure(figsize=LANDSCAPE)
    w, h = LANDSCAPE
    fig.text(MARGIN_IN / w, 1 - 0.35 / h, title, size=11, weight="bold", va="top")
    fig.legend(
        handles=legend_handles(kinds),
        loc="upper center",
        bbox_to_anchor=(0.5, 1 - 0.55 / h),
        ncol=7,
        fontsize=6.5,
        frameon=False,
    )
    top = 1.05
    slot = (8.5 - 1.05 - 0.5) / STRIPS_PER_PAGE
    left, stats_w = 0.75, 1.05
    width = w - left - MARGIN_IN - stats_w
    main = analysis.main_window
    masks = _strip_masks(analysis)
    span = _strip_span(analysis)
    minor, major = strip_grid_steps(span)  # the pulse axis gets the strip's grid
    this = "This hour" if span == STRIP_S else f"These {span / 60:g} min"
    for i, t0 in enumerate(starts):
        y_top = top + i * slot
        ax = fig.add_axes((left / w, 1 - (y_top + 1.5) / h, width / w, 1.5 / h))
        plot_strip(analysis, t0, t0 + span, ax)
        ax.tick_params(labelbottom=False, labelsize=6.5)
        ax.yaxis.label.set_fontsize(7)
        axp = fig.add_axes(
            (left / w, 1 - (y_top + 1.5 + 0.5) / h, width / w, 0.45 / h),
            sharex=ax,
        )
        plot_pulse(analysis, t0, t0 + span, axp)
        clock_grid(axp, analysis.recording.start, t0, t0 + span, minor_s=minor, major_s=major)
        axp.tick_params(labelsize=6.5)
        axp.yaxis.label.set_fontsize(7)
        le88_min, valid_min, n_odi3 = _strip_stats(analysis, masks, t0, t0 + span)
        where = "whole recording" if main is None else main.replace("_", " ")
        fig.text(
            (left + width + 0.12) / w,
            1 - (y_top + 0.05) / h,
            f"{this}\n({where})\n\n≤ 88 %: {le88_min:.1f} min\nvalid: {valid_min:.1f} min\n"
            f"ODI3 events: {n_odi3}",
            size=6.8,
            va="top",
            linespacing=1.35,
            gid="strip_stats",
        )
        _label_runs(ax, analysis, t0, t0 + span)
    return fig


def _strip_masks(analysis: Analysis) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Per sample: valid in the main window, and that and at or below 88 % (rounded, SPEC §7)."""
    sel = analysis.artifact.valid & window_mask(analysis, analysis.main_window)
    r = np.floor(analysis.recording.spo2.data + 0.5)
    return sel, sel & (r <= 88)


def _strip_stats(
    analysis: Analysis,
    masks: tuple[NDArray[np.bool_], NDArray[np.bool_]],
    lo: float,
    hi: float,
) -> tuple[float, float, int]:
    """Minutes at or below 88 %, valid minutes (main window) and ODI3 events starting in [lo, hi)."""
    fs = analysis.recording.fs
    n = analysis.recording.spo2.n_samples
    i0 = min(n, max(0, math.ceil(lo * fs - 1e-9)))
    i1 = min(n, max(i0, math.ceil(hi * fs - 1e-9)))
    sel, le88 = masks
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


def _label_runs(ax: Any, analysis: Analysis, lo: float, hi: float) -> None:
    """Write each run of at least a minute at or below 88 % over its shading, without overlaps."""
    last_x = [-math.inf, -math.inf, -math.inf]  # three label heights, used in turn
    heights = (0.1, 0.22, 0.34)
    min_gap_s = 0.095 * (hi - lo)  # about the width of a label
    for ev in analysis.events:
        if ev.type != "le88_run" or ev.end_s <= lo or ev.start_s >= hi or ev.duration_s < 60:
            continue
        mid = (max(ev.start_s, lo) + min(ev.end_s, hi)) / 2
        level = next((i for i, x in enumerate(last_x) if mid - x >= min_gap_s), None)
        if level is None:
            continue
        last_x[level] = mid
        ax.text(
            mid,
            heights[level],
            f"≤ 88 %: {ev.duration_s / 60:.1f} min",
            transform=ax.get_xaxis_transform(),
            ha="center",
            size=6.5,
            color=COLORS["threshold88"],
            weight="bold",
            zorder=4,
            clip_on=True,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
        ).set_gid("le88_label")


def _build_pages(analysis: Analysis, summary: Mapping[str, Any]) -> list[Figure]:
    q = summary.get("qualification")
    rules: list[Mapping[str, Any]] = list((q or {}).get("rules") or [])
    pages: list[Figure] = []

    # Page 1.
    fig = Figure(figsize=PORTRAIT)
    page = TextPage(fig)
    header(page, analysis, summary)
    statistics(page, summary)
    qualification_head(page, q)
    overview_h = 2.3
    bottom_text = PORTRAIT[1] - 0.55 - overview_h - 0.45
    if rules:
        page.y += 0.05
        done = rules_block(page, rules, bottom_text - 0.15)
        rest = rules[done:]
        if rest:
            page.line(
                f"… {len(rest)} more rule(s) on the next page.",
                7.5,
                color="#8a4b00",
                style="italic",
            )
    else:
        rest = []
    ax = fig.add_axes(
        (
            0.75 / PORTRAIT[0],
            0.6 / PORTRAIT[1],
            (PORTRAIT[0] - 1.25) / PORTRAIT[0],
            overview_h / PORTRAIT[1],
        )
    )
    plot_overview(analysis, ax)
    ax.set_title("Whole recording (red line: 88 %; shaded: runs ≤ 88 %; hatched: artifact)", size=8)
    ax.tick_params(labelsize=7)
    pages.append(fig)

    # Rules that did not fit.
    while rest:
        fig = Figure(figsize=PORTRAIT)
        page = TextPage(fig)
        page.line("Qualification rules (continued)", 11, weight="bold")
        page.y += 0.05
        done = rules_block(page, rest, PORTRAIT[1] - 0.6)
        if done == 0:  # a single rule taller than a page: never loop forever
            done = 1
        rest = rest[done:]
        pages.append(fig)

    # Strips of an hour (ten minutes for a recording of an hour or less).
    starts = _strip_starts(analysis)
    kinds = [w.kind for w in analysis.windows]
    n_strip_pages = math.ceil(len(starts) / STRIPS_PER_PAGE)
    what = (
        "Hourly strips ({}): one grid line per minute"
        if _strip_span(analysis) == STRIP_S
        else "10-minute strips ({}): one grid line per 10 s"
    )
    for p in range(n_strip_pages):
        chunk = starts[p * STRIPS_PER_PAGE : (p + 1) * STRIPS_PER_PAGE]
        pages.append(
            _strip_page(analysis, chunk, kinds, what.format(f"{p + 1} of {n_strip_pages}"))
        )

    pages.append(_last_page(analysis, summary))
    return pages


def _last_page(analysis: Analysis, summary: Mapping[str, Any]) -> Figure:
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
    page.line("Notes and warnings", 10, weight="bold")
    notes = [
        "Thresholds compare SpO2 rounded to whole percent (floor(x + 0.5)); means use the raw values.",
        "Durations are minutes of valid samples; every percentage and rate is of the valid time "
        "in its window, stated beside it.",
        "Artifact (hatched) is masked, never deleted: the time axis never shifts.",
        *[str(x) for x in summary.get("warnings") or []],
        *[f"Review: {x}" for x in (summary.get("recording") or {}).get("review_flags") or []],
    ]
    if summary.get("deidentified"):
        notes.append(
            "De-identified: patient name, code, birth date and input file name were removed; "
            "study dates are kept because the rules need them."
        )
    for note in notes:
        parts = page.wrap(note, w - 2 * MARGIN_IN - 0.15, 7.5)
        for i, part in enumerate(parts):
            page.line(("• " if i == 0 else "   ") + part, 7.5)
        if page.y > h - 3.2:
            page.line("… (more in summary.json)", 7.5, style="italic")
            break
    inp = summary.get("input") or {}
    sw = summary.get("software") or {}
    page.y = h - 2.6
    page.rule()
    page.line("Input recording sha256:", 8, weight="bold")
    page.line(str(inp.get("sha256", "")), 8, family="monospace")
    page.line(
        f"Analysed with {sw.get('name', 'oxi')} {sw.get('version', __version__)}; "
        "re-check with: oxi verify summary.json RECORDING",
        7.5,
    )
    page.y += 0.45
    page.line("Interpreting practitioner: ____________________________________", 9)
    page.y += 0.3
    page.line("Signature: ____________________________        Date: ______________", 9)
    return fig


def render_report_pdf(analysis: Analysis, summary: Mapping[str, Any]) -> bytes:
    """Return report.pdf's bytes.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording (its signals are plotted).
    summary : mapping
        Its ``summary.json`` (the figures and identifiers written on the pages).

    Returns
    -------
    bytes
    """
    pages = _build_pages(analysis, summary)
    buf = io.BytesIO()
    meta = {
        "Title": "Pulse oximetry report",
        "Creator": f"oxi {__version__}",
        "CreationDate": None,
        "ModDate": None,
    }
    with PdfPages(buf, metadata=meta) as pdf:
        for i, fig in enumerate(pages, start=1):
            footer(fig, summary, i, len(pages))
            FigureCanvasAgg(fig)
            pdf.savefig(fig)
    return buf.getvalue()


def write_report_pdf(analysis: Analysis, summary: Mapping[str, Any], path: str | Path) -> Path:
    """Write report.pdf atomically.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    summary : mapping
        Its ``summary.json``.
    path : str or Path
        Destination.

    Returns
    -------
    Path
    """
    return write_atomic(path, render_report_pdf(analysis, summary))


def render_trace_png(analysis: Analysis) -> bytes:
    """Return trace.png's bytes: the overview figure with its legend.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.

    Returns
    -------
    bytes
        A PNG whose only text chunk is ``Software: oxi <version>``.
    """
    fig = Figure(figsize=(11.0, 3.4), dpi=120)
    ax = fig.add_axes((0.07, 0.2, 0.9, 0.62))
    plot_overview(analysis, ax)
    kinds = [w.kind for w in analysis.windows]
    fig.legend(handles=legend_handles(kinds), loc="upper center", ncol=6, fontsize=7, frameon=False)
    ax.set_xlabel("local clock time", size=8)
    buf = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buf, metadata={"Software": f"oxi {__version__}"})
    return buf.getvalue()


def write_trace_png(analysis: Analysis, path: str | Path) -> Path:
    """Write trace.png (the overview figure) atomically.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    path : str or Path
        Destination.

    Returns
    -------
    Path
    """
    return write_atomic(path, render_trace_png(analysis))
