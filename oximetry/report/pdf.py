"""report.pdf and trace.png (SPEC §9): the plotted evidence a reviewer reads.

Page 1: identifiers (or a de-identification note), device, test and dates, the summary figures
with their denominators, the qualification block rule by rule, the overview trace. Then the
qualification rules that did not fit, the whole recording in hour-long strips (three to a page,
a grid line every minute), and a last page with the time-at-saturation histogram, warnings, the
input's sha256 and a signature line. Matplotlib only, without pyplot; no run time stamps in the
PDF's metadata.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import textwrap
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
    window_mask,
)
from ..results import Analysis
from .summary import write_atomic

__all__ = ["render_report_pdf", "render_trace_png", "write_report_pdf", "write_trace_png"]

PORTRAIT = (8.5, 11.0)
LANDSCAPE = (11.0, 8.5)
MARGIN_IN = 0.5
STRIPS_PER_PAGE = 3
STRIP_S = 3600.0
_STATUS = {
    True: ("MET", "#1a7f37"),
    "met": ("MET", "#1a7f37"),
    False: ("NOT MET", "#b42318"),
    "not_met": ("NOT MET", "#b42318"),
    None: ("NOT EVALUABLE", "#6b6b6b"),
    "not_evaluable": ("NOT EVALUABLE", "#6b6b6b"),
}
_KNOWN_Q = {
    "profile",
    "determination",
    "coverage",
    "authorization_months",
    "portable_eligible",
    "hcpcs",
    "missing",
    "rules",
}


def _n(value: Any, fmt: str = ".1f", unit: str = "") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int | float):
        return f"{value:{fmt}}{unit}"
    return f"{value}{unit}"


def _clock(iso: Any, seconds: bool = True) -> str:
    if not iso:
        return "n/a"
    s = str(iso)
    return s[11:19] if seconds else s[11:16]


def _compact(value: Any, limit: int = 60) -> str:
    if isinstance(value, float):
        text = f"{value:.4g}"
    elif isinstance(value, Mapping):
        text = "{" + ", ".join(f"{k}: {_compact(v, 80)}" for k, v in value.items()) + "}"
    elif isinstance(value, list | tuple):
        text = "[" + ", ".join(_compact(v, 80) for v in value) + "]"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Page:
    """Text laid out from the top of a figure, in inches."""

    def __init__(self, fig: Figure, top_in: float = MARGIN_IN) -> None:
        self.fig = fig
        self.w, self.h = (float(v) for v in fig.get_size_inches())
        self.y = top_in

    def _fy(self, y_in: float) -> float:
        return 1.0 - y_in / self.h

    def text(self, x_in: float, s: str, size: float = 8.0, **kw: Any) -> None:
        self.fig.text(x_in / self.w, self._fy(self.y), s, size=size, va="top", **kw)

    def line(self, s: str, size: float = 8.0, x_in: float = MARGIN_IN, **kw: Any) -> None:
        self.text(x_in, s, size, **kw)
        self.y += size * 1.45 / 72.0

    def rule(self, gap_in: float = 0.06) -> None:
        self.y += gap_in
        yf = self._fy(self.y)
        self.fig.add_artist(
            _hline(MARGIN_IN / self.w, 1 - MARGIN_IN / self.w, yf, self.fig.transFigure)
        )
        self.y += gap_in

    def wrap(self, s: str, width_in: float, size: float) -> list[str]:
        chars = max(10, int(width_in * 72.0 / (size * 0.56)))
        return textwrap.wrap(s, chars) or [""]


def _hline(x0: float, x1: float, y: float, transform: Any) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([x0, x1], [y, y], transform=transform, color="#999999", lw=0.6)


def _footer(fig: Figure, summary: Mapping[str, Any], page: int, n_pages: int) -> None:
    sha = (summary.get("input") or {}).get("sha256", "")
    fig.text(
        0.5,
        0.25 / fig.get_size_inches()[1],
        f"oxi {__version__}  ·  input sha256 {sha}  ·  page {page} of {n_pages}",
        ha="center",
        va="bottom",
        size=6.5,
        color="#555555",
    )


def _test_type(analysis: Analysis, summary: Mapping[str, Any]) -> str:
    ctx = summary.get("context") or {}
    t = (ctx.get("test") or {}).get("type") if isinstance(ctx, Mapping) else None
    return str(t or analysis.settings.test_type or "overnight")


def _header(page: _Page, analysis: Analysis, summary: Mapping[str, Any]) -> None:
    inp = summary.get("input") or {}
    rec = summary.get("recording") or {}
    ttype = _test_type(analysis, summary)
    page.line(f"Pulse oximetry report — {ttype} test", size=15, weight="bold")
    page.y += 0.05
    left = MARGIN_IN
    right = page.w / 2 + 0.1
    y0 = page.y
    patient = summary.get("patient") or {}
    if summary.get("deidentified"):
        lines = [
            "Patient: DE-IDENTIFIED",
            "Name, patient code, birth date and file name removed;",
            "study dates are kept (the rules need them).",
        ]
        if patient.get("age_years") is not None:
            age = patient["age_years"]
            lines.append(f"Age at test: {age}{'+' if patient.get('age_capped') else ''} years")
        lines.append(f"File: identified by sha256 {str(inp.get('sha256', ''))[:16]}…")
    else:
        lines = [
            f"Patient: {patient.get('name') or 'not given in the file'}",
            f"Patient code: {patient.get('code') or 'n/a'}    Sex: {patient.get('sex') or 'n/a'}",
            f"Birth date: {patient.get('birth_date') or 'n/a'}"
            + (f"  (age {patient['age_years']})" if patient.get("age_years") is not None else ""),
            f"File: {Path(str(inp.get('path', ''))).name}",
        ]
    for s in lines:
        page.line(s, 8, left)
    y_left = page.y
    page.y = y0
    start = str(inp.get("start") or "")
    ctx = summary.get("context") or {}
    test_date = (ctx.get("test") or {}).get("date") if isinstance(ctx, Mapping) else None
    order_date = (ctx.get("order") or {}).get("date") if isinstance(ctx, Mapping) else None
    end = ""
    if start and rec.get("duration_min") is not None:
        t0 = _dt.datetime.fromisoformat(start)
        end = (t0 + _dt.timedelta(minutes=float(rec["duration_min"]))).isoformat(
            sep=" ", timespec="minutes"
        )
    if inp.get("date_known") is False:
        recorded = f"Recorded: {start[11:16]} to {end[11:16]} (clock time; the file holds no date)"
    else:
        recorded = f"Recorded: {start.replace('T', ' ')[:16]} to {end or 'n/a'} (local clock time)"
    rlines = [
        recorded,
        f"Test date: {test_date or (start[:10] if inp.get('date_known', True) else '') or 'n/a'}"
        f"    Order date: {order_date or 'n/a'}",
        f"Device: {inp.get('device') or 'not stated in the file'}   Format: {inp.get('format')}",
        f"SpO2 channel: {inp.get('channel')} at {_n(inp.get('fs_hz'), 'g')} Hz"
        + (
            f";  pulse: {inp['pulse_channel']} at {_n(inp.get('pulse_fs_hz'), 'g')} Hz"
            if inp.get("pulse_channel")
            else ";  no pulse channel"
        ),
    ]
    for s in rlines:
        page.line(s, 8, right)
    page.y = max(page.y, y_left)
    page.rule()


def _stat_rows(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    rec = summary.get("recording") or {}
    metrics = summary.get("metrics") or {}
    rows: list[tuple[str, str]] = []
    counts = rec.get("artifact_samples") or {}
    reasons = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items() if v)
    rows.append(("Recording time", f"{_n(rec.get('duration_min'))} min"))
    rows.append(
        (
            "Valid data",
            f"{_n(rec.get('valid_min'))} min; artifact {_n(rec.get('artifact_pct'))} % of samples"
            + (f" (samples: {reasons})" if reasons else ""),
        )
    )
    main = summary.get("main_window")
    win = next((w for w in summary.get("windows") or [] if w.get("kind") == main), None)
    m = metrics.get(main) if main else None
    if m is not None:
        wtxt = f"{str(main).replace('_', ' ')} {_clock((win or {}).get('start'), False)}"
        wtxt += f"–{_clock((win or {}).get('end'), False)}"
        if win and win.get("source"):
            wtxt += f" (from {str(win['source']).replace('_', ' ')})"
        rows.append(("Analysis window", wtxt))
        v = _n(m.get("valid_min"))
        rows.append(("Valid in window", f"{v} min (denominator of every % and rate below)"))
        rows.append(
            (
                "Time ≤ 88 %",
                f"{_n(m.get('t_le88_min'))} min cumulative = {_n(m.get('t_le88_pct'))} % of "
                f"{v} min;  longest run {_n(m.get('longest_le88_min'))} min"
                + (
                    f" from {_clock(m.get('longest_le88_start'))}"
                    if m.get("longest_le88_start")
                    else ""
                ),
            )
        )
        rows.append(
            (
                "Time < 90 % / ≤ 90 %",
                f"{_n(m.get('t_lt90_min'))} min ({_n(m.get('t_lt90_pct'))} % of {v} min) / "
                f"{_n(m.get('t_le90_min'))} min",
            )
        )
        rows.append(
            (
                "Nadir / mean / median",
                f"{_n(m.get('nadir_pct'), '.0f')} % at {_clock(m.get('nadir_time'))} / "
                f"{_n(m.get('mean_pct'))} % / {_n(m.get('median_pct'))} %",
            )
        )
        hours = None if m.get("valid_min") is None else m["valid_min"] / 60.0
        rows.append(
            (
                "ODI3 / ODI4",
                f"{_n(m.get('odi3_per_h'))} / {_n(m.get('odi4_per_h'))} per hour "
                f"({m.get('odi3_count', 'n/a')} / {m.get('odi4_count', 'n/a')} events in "
                f"{_n(hours, '.2f')} h valid)",
            )
        )
        src = str(m.get("awake_baseline_source") or "n/a").replace("_", " ")
        rows.append(("Awake baseline", f"{_n(m.get('awake_baseline_pct'))} % ({src})"))
        sd = m.get("sustained_desaturations") or []
        rows.append(
            (
                "> 5 pts below baseline",
                f"{_n(m.get('drop5_min'))} min cumulative, longest {_n(m.get('longest_drop5_min'))}"
                f" min; {len(sd)} sustained (≥ 5 min)",
            )
        )
        if m.get("pulse_mean_bpm") is not None:
            rows.append(
                (
                    "Pulse rate",
                    f"min {_n(m.get('pulse_min_bpm'), '.0f')} / mean "
                    f"{_n(m.get('pulse_mean_bpm'), '.0f')} / max "
                    f"{_n(m.get('pulse_max_bpm'), '.0f')} bpm",
                )
            )
    for kind in ("rest", "exercise", "exercise_o2"):
        seg = metrics.get(kind)
        if seg is not None:
            rows.append(
                (
                    kind.replace("_o2", " on O2").capitalize(),
                    f"sustained nadir (≥ 10 s) {_n(seg.get('sustained_nadir_pct'), '.0f')} %, "
                    f"nadir {_n(seg.get('nadir_pct'), '.0f')} %, median "
                    f"{_n(seg.get('median_pct'))} %, {_n(seg.get('valid_min'))} min valid",
                )
            )
    return rows


def _statistics(page: _Page, summary: Mapping[str, Any]) -> None:
    page.line("Summary statistics", 10, weight="bold")
    for label, value in _stat_rows(summary):
        page.text(MARGIN_IN, label, 7.5, color="#333333")
        first = True
        for part in page.wrap(value, page.w - 2 * MARGIN_IN - 1.6, 7.5):
            page.text(MARGIN_IN + 1.6, part, 7.5)
            page.y += 7.5 * 1.4 / 72
            first = False
        if first:
            page.y += 7.5 * 1.4 / 72
    windows = summary.get("windows") or []
    notes = [w["warning"] for w in windows if w.get("warning")]
    for note in notes:
        for part in page.wrap(f"Note: {note}", page.w - 2 * MARGIN_IN, 7.0):
            page.line(part, 7.0, color="#8a4b00")
    page.rule()


def _qualification_head(page: _Page, q: Mapping[str, Any] | None) -> None:
    page.line("Qualification", 10, weight="bold")
    if not q:
        page.line("Not evaluated (no clinical context or rule profile was applied).", 8)
        return
    det = str(q.get("determination", "?")).replace("_", " ").upper()
    color = {"QUALIFIED": "#1a7f37", "NOT QUALIFIED": "#b42318"}.get(det, "#8a4b00")
    page.text(MARGIN_IN, f"Determination: {det}", 11, weight="bold", color=color)
    page.text(
        MARGIN_IN + 3.6,
        f"Profile: {q.get('profile', 'n/a')}",
        8,
    )
    page.y += 11 * 1.5 / 72
    cov = ", ".join(q.get("coverage") or []) or "none"
    hcpcs = ", ".join(q.get("hcpcs") or []) or "none"
    portable = {True: "yes", False: "no", None: "n/a"}.get(q.get("portable_eligible"), "n/a")
    page.line(
        f"Coverage: {cov};  authorization: {_n(q.get('authorization_months'), 'g', ' months')};  "
        f"portable eligible: {portable};  HCPCS: {hcpcs}",
        8,
    )
    rules = q.get("rules") or []
    if rules:
        tally = {"MET": 0, "NOT MET": 0, "NOT EVALUABLE": 0}
        for r in rules:
            met = r.get("met")
            label = _STATUS.get(met if met is None or isinstance(met, bool | str) else None)
            if label is not None:
                tally[label[0]] += 1
        page.line(
            f"{len(rules)} rules: {tally['MET']} met, {tally['NOT MET']} not met, "
            f"{tally['NOT EVALUABLE']} not evaluable — each listed below with its clause",
            8,
        )
    missing = q.get("missing") or []
    if missing:
        for part in page.wrap(
            "Missing: " + ", ".join(str(x) for x in missing), page.w - 2 * MARGIN_IN, 8
        ):
            page.line(part, 8, color="#8a4b00")
    for key in sorted(set(q) - _KNOWN_Q):
        for item in _extra_lines(key, q[key]):
            for part in page.wrap(item, page.w - 2 * MARGIN_IN - 0.2, 7.5):
                page.line(part, 7.5, color="#333333")


def _extra_lines(key: str, value: Any) -> list[str]:
    """Readable lines for a qualification entry the report has no layout for (alternatives ...)."""
    name = key.replace("_", " ").capitalize()
    if isinstance(value, list | tuple):
        out = []
        for item in value:
            if isinstance(item, Mapping):
                text = str(item.get("label") or item.get("reason") or _compact(item, 300))
                if "determination" in item:
                    text += (
                        f" → determination would be {str(item['determination']).replace('_', ' ')}"
                    )
                out.append(f"{name}: {text}")
            else:
                out.append(f"{name}: {item}")
        return out
    if isinstance(value, Mapping):
        return [f"{name}: {_compact(value, 400)}"]
    return [f"{name}: {value}"]


def _rule_lines(rule: Mapping[str, Any], page: _Page) -> list[tuple[str, float, str]]:
    """Lines of text for the rule's right-hand column: (text, size, colour)."""
    width = page.w - 2 * MARGIN_IN - 2.45
    out = [(s, 7.0, "#000000") for s in page.wrap(str(rule.get("reason") or ""), width, 7.0)]
    values = rule.get("values") or {}
    if values:
        vtext = "values: " + "; ".join(f"{k} = {_compact(v, 200)}" for k, v in values.items())
        out += [(s, 6.5, "#555555") for s in page.wrap(vtext, width, 6.5)]
    return out


def _rules(page: _Page, rules: Sequence[Mapping[str, Any]], bottom_in: float) -> int:
    """Write rules until ``bottom_in``; return how many were written."""
    done = 0
    for rule in rules:
        lines = _rule_lines(rule, page)
        height = max(sum(size * 1.35 / 72 for _, size, _ in lines), 2 * 7.0 * 1.35 / 72) + 0.04
        if page.y + height > bottom_in:
            break
        met = rule.get("met")
        label, color = _STATUS.get(met if met is None or isinstance(met, bool | str) else None) or (
            str(met),
            "#000000",
        )
        page.text(MARGIN_IN, label, 7.0, weight="bold", color=color)
        y0 = page.y
        citation = str(rule.get("citation") or "")
        page.text(MARGIN_IN + 0.95, citation, 7.0 if len(citation) <= 26 else 5.8)
        page.y += 7.0 * 1.35 / 72
        page.text(MARGIN_IN + 0.95, _compact(rule.get("id") or "", 38), 5.5, color="#777777")
        page.y = y0
        for text, size, c in lines:
            page.text(MARGIN_IN + 2.45, text, size, color=c)
            page.y += size * 1.35 / 72
        page.y = max(page.y, y0 + 2 * 7.0 * 1.35 / 72) + 0.04
        done += 1
    return done


def _strip_starts(analysis: Analysis) -> list[float]:
    """Hour-long strips aligned to the clock hour, covering the recording."""
    s = analysis.recording.start
    first = -(s.minute * 60 + s.second + s.microsecond / 1e6)
    n = max(1, math.ceil((analysis.recording.duration_s - first) / STRIP_S))
    return [first + k * STRIP_S for k in range(n)]


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
    for i, t0 in enumerate(starts):
        y_top = top + i * slot
        ax = fig.add_axes((left / w, 1 - (y_top + 1.5) / h, width / w, 1.5 / h))
        plot_strip(analysis, t0, t0 + STRIP_S, ax)
        ax.tick_params(labelbottom=False, labelsize=6.5)
        ax.yaxis.label.set_fontsize(7)
        axp = fig.add_axes(
            (left / w, 1 - (y_top + 1.5 + 0.5) / h, width / w, 0.45 / h),
            sharex=ax,
        )
        plot_pulse(analysis, t0, t0 + STRIP_S, axp)
        clock_grid(axp, analysis.recording.start, t0, t0 + STRIP_S, minor_s=60.0, major_s=600.0)
        axp.tick_params(labelsize=6.5)
        axp.yaxis.label.set_fontsize(7)
        le88_min, valid_min, n_odi3 = _strip_stats(analysis, masks, t0, t0 + STRIP_S)
        where = "whole recording" if main is None else main.replace("_", " ")
        fig.text(
            (left + width + 0.12) / w,
            1 - (y_top + 0.05) / h,
            f"This hour\n({where})\n\n≤ 88 %: {le88_min:.1f} min\nvalid: {valid_min:.1f} min\n"
            f"ODI3 events: {n_odi3}",
            size=6.8,
            va="top",
            linespacing=1.35,
            gid="strip_stats",
        )
        _label_runs(ax, analysis, t0, t0 + STRIP_S)
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
    page = _Page(fig)
    _header(page, analysis, summary)
    _statistics(page, summary)
    _qualification_head(page, q)
    overview_h = 2.3
    bottom_text = PORTRAIT[1] - 0.55 - overview_h - 0.45
    if rules:
        page.y += 0.05
        done = _rules(page, rules, bottom_text - 0.15)
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
        page = _Page(fig)
        page.line("Qualification rules (continued)", 11, weight="bold")
        page.y += 0.05
        done = _rules(page, rest, PORTRAIT[1] - 0.6)
        if done == 0:  # a single rule taller than a page: never loop forever
            done = 1
        rest = rest[done:]
        pages.append(fig)

    # Hour-long strips.
    starts = _strip_starts(analysis)
    kinds = [w.kind for w in analysis.windows]
    n_strip_pages = math.ceil(len(starts) / STRIPS_PER_PAGE)
    for p in range(n_strip_pages):
        chunk = starts[p * STRIPS_PER_PAGE : (p + 1) * STRIPS_PER_PAGE]
        pages.append(
            _strip_page(
                analysis,
                chunk,
                kinds,
                f"Hourly strips ({p + 1} of {n_strip_pages}): one grid line per minute",
            )
        )

    pages.append(_last_page(analysis, summary))
    return pages


def _last_page(analysis: Analysis, summary: Mapping[str, Any]) -> Figure:
    fig = Figure(figsize=PORTRAIT)
    page = _Page(fig)
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
            _footer(fig, summary, i, len(pages))
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
