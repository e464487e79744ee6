"""Page 2 of report.pdf: the whole recording, and the tables clinicians expect.

Time in saturation bands, the desaturation summary, pulse-rate statistics and events, ODI hour by
hour and, when staged, total sleep time, sleep efficiency and NREM / REM figures; for exercise
tests, the segment table. Every figure is read from ``summary.json`` (docs/validation.md §1.1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure

from ..plot import drops_outside_main, legend_handles, plot_overview, runs_outside_main
from .terminal import (
    medicare_drop_line,
    minutes,
    saturation,
    saturation_tenths,
    span,
    sustained_nadir_text,
)
from .textpage import MARGIN_IN, PORTRAIT, TextPage, elapsed_only

__all__ = ["tables_page"]

PT = 8.0
_STEP = PT * 1.45 / 72


def _n(value: Any, fmt: str = ".1f") -> str:
    if value is None:
        return "–"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if fmt == "pct":
        return saturation(value)
    return f"{value:{fmt}}"


def _table(
    page: TextPage,
    x_in: float,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
) -> None:
    """Write a small table at ``x_in``: a bold title, a grey header, then the rows."""
    if title:
        page.text(x_in, title, 9.5, weight="bold")
        page.y += 9.5 * 1.5 / 72
    for line, color, weight in [(header, "#555555", "bold")] + [
        (r, "#000000", "normal") for r in rows
    ]:
        x = x_in
        for k, (cell, w) in enumerate(zip(line, widths, strict=False)):
            page.text(
                x + (w - 0.08 if k else 0.0),
                cell,
                PT,
                color=color,
                weight=weight,
                ha="right" if k else "left",
            )
            x += w
        page.y += _STEP
    page.y += 0.12


def _bands(page: TextPage, m: Mapping[str, Any], x: float) -> None:
    rows = [
        [f"{b['band']} %", minutes(b.get("minutes")), _n(b.get("pct"))]
        for b in m.get("saturation_bands") or []
    ]
    _table(
        page,
        x,
        "Time in saturation bands",
        ["SpO2 (rounded)", "minutes", "% of valid"],
        rows,
        [1.3, 0.9, 0.9],
    )


def _desaturations(page: TextPage, m: Mapping[str, Any], x: float) -> None:
    d = m.get("desaturations") or {}
    rows = []
    for key, label in (("odi3", "≥ 3 % (ODI3)"), ("odi4", "≥ 4 % (ODI4)")):
        e = d.get(key) or {}
        rows.append(
            [
                label,
                _n(e.get("count")),
                saturation_tenths(e.get("mean_nadir_pct")),
                _n(e.get("lowest_nadir_pct"), "pct"),
                _n(e.get("mean_duration_s"), ".0f"),
                _n(e.get("longest_duration_s"), ".0f"),
            ]
        )
    _table(
        page,
        x,
        "Desaturations",
        ["events", "count", "mean nadir %", "lowest %", "mean s", "longest s"],
        rows,
        [1.0, 0.5, 0.95, 0.7, 0.6, 0.7],
    )


def _pulse(page: TextPage, m: Mapping[str, Any], x: float) -> None:
    if m.get("pulse_mean_bpm") is None:
        page.text(x, "Pulse rate", 9.5, weight="bold")
        page.y += 9.5 * 1.5 / 72
        page.text(x, "no pulse channel in the file", PT, color="#555555")
        page.y += _STEP + 0.12
        return
    ev = m.get("pulse_events") or {}
    rows = [
        [
            "min / mean / max",
            f"{_n(m.get('pulse_min_bpm'), '.0f')} / {_n(m.get('pulse_mean_bpm'), '.0f')} / "
            f"{_n(m.get('pulse_max_bpm'), '.0f')} bpm",
            "",
        ],
        [
            f"> {_n(ev.get('high_bpm'), '.0f')} bpm for ≥ {_n(ev.get('min_s'), '.0f')} s",
            f"{_n(ev.get('high_count'))} events",
            f"{minutes(ev.get('high_min'))} min",
        ],
        [
            f"< {_n(ev.get('low_bpm'), '.0f')} bpm for ≥ {_n(ev.get('min_s'), '.0f')} s",
            f"{_n(ev.get('low_count'))} events",
            f"{minutes(ev.get('low_min'))} min",
        ],
    ]
    _table(page, x, "Pulse rate", ["", "", ""], rows, [1.5, 1.6, 0.8])


def _by_hour(page: TextPage, summary: Mapping[str, Any], m: Mapping[str, Any], x: float) -> None:
    rows = []
    hours = m.get("odi_by_hour") or []
    for h in hours[:14]:
        rows.append(
            [
                span(summary, h.get("start"), h.get("end")),
                minutes(h.get("valid_min")),
                f"{h.get('odi3_count')} ({_n(h.get('odi3_per_h'))}/h)",
                f"{h.get('odi4_count')} ({_n(h.get('odi4_per_h'))}/h)",
            ]
        )
    if len(hours) > 14:
        rows.append([f"… {len(hours) - 14} more hours in summary.json", "", "", ""])
    kind = "elapsed hour" if elapsed_only(summary) else "clock hour"
    _table(
        page,
        x,
        "ODI by hour (per hour of that hour's valid time)",
        [kind, "valid min", "ODI3", "ODI4"],
        rows,
        [1.45, 0.75, 0.95, 0.95],
    )


def _staging(page: TextPage, m: Mapping[str, Any], x: float) -> None:
    st = m.get("staging")
    if not isinstance(st, Mapping):
        return
    page.text(x, "Sleep staging", 9.5, weight="bold")
    page.y += 9.5 * 1.5 / 72
    page.text(
        x,
        f"Total sleep time {minutes(st.get('total_sleep_min'))} min of {minutes(st.get('scored_min'))} min "
        f"scored; sleep efficiency {_n(st.get('sleep_efficiency_pct'))} %",
        PT,
    )
    page.y += _STEP + 0.04
    rows = []
    for key, label in (("nrem", "NREM"), ("rem", "REM")):
        b = st.get(key) or {}
        rows.append(
            [
                label,
                minutes(b.get("duration_min")),
                minutes(b.get("valid_min")),
                f"{minutes(b.get('t_le88_min'))} ({_n(b.get('t_le88_pct'))} %)",
                _n(b.get("nadir_pct"), "pct"),
                _n(b.get("odi3_per_h")),
            ]
        )
    _table(
        page,
        x,
        "",
        ["stage", "min", "valid min", "≤ 88 % min", "nadir %", "ODI3/h"],
        rows,
        [0.6, 0.55, 0.75, 1.1, 0.65, 0.6],
    )


def _segments(page: TextPage, summary: Mapping[str, Any], x: float) -> None:
    metrics = summary.get("metrics") or {}
    rows = []
    for kind in ("rest", "exercise", "exercise_o2"):
        seg = metrics.get(kind)
        if seg is None:
            continue
        rows.append(
            [
                kind.replace("_o2", " on O2"),
                minutes(seg.get("valid_min")),
                saturation_tenths(seg.get("median_pct")),
                _n(seg.get("nadir_pct"), "pct"),
                sustained_nadir_text(seg.get("sustained_nadir_pct")).replace(" %", ""),
                _n(seg.get("pulse_max_bpm"), ".0f"),
            ]
        )
    if rows:
        _table(
            page,
            x,
            "Exercise-test segments",
            ["segment", "valid min", "median %", "nadir %", "sustained (10 s) %", "max pulse"],
            rows,
            [1.1, 0.8, 0.8, 0.7, 1.3, 0.8],
        )


def tables_page(analysis: Any, summary: Mapping[str, Any]) -> Figure:
    """Build the page with the whole recording and the tables.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording (for the overview plot).
    summary : mapping
        Its ``summary.json`` (every figure in the tables).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = Figure(figsize=PORTRAIT)
    w, h = PORTRAIT
    page = TextPage(fig)
    page.line("Whole recording", 11, weight="bold")
    ax = fig.add_axes((0.75 / w, 1 - 3.35 / h, (w - 1.25) / w, 2.3 / h))
    line = medicare_drop_line(summary)
    plot_overview(analysis, ax, mean_minus5=line)
    ax.tick_params(labelsize=7.5)
    fig.legend(
        handles=legend_handles(
            [x.kind for x in analysis.windows],
            events=False,
            baseline=analysis.main_window is not None,
            outside=runs_outside_main(analysis),
            drops_outside=drops_outside_main(analysis),
            mean_minus5=line is not None,
        ),
        loc="upper center",
        bbox_to_anchor=(0.5, 1 - 0.7 / h),
        ncol=6,
        fontsize=7,
        frameon=False,
    )
    ax.set_xlabel(
        "elapsed time (h:mm) from the first sample"
        if elapsed_only(summary)
        else "local clock time",
        size=8,
    )
    page.y = 3.95
    main = summary.get("main_window")
    m = (summary.get("metrics") or {}).get(main) if main else None
    where = str(main or "").replace("_", " ")
    if m:
        page.line(
            f"Tables of the {where} window: minutes are of valid data; percentages are of its "
            f"{minutes(m.get('valid_min'))} valid minutes (docs/validation.md §1.1).",
            PT,
            color="#444444",
        )
        page.y += 0.1
        top = page.y
        left, right = MARGIN_IN, MARGIN_IN + 3.85
        _bands(page, m, left)
        _pulse(page, m, left)
        y_left = page.y
        page.y = top
        _by_hour(page, summary, m, right)
        page.y = max(page.y, y_left)
        _desaturations(page, m, left)
        _staging(page, m, left)
    _segments(page, summary, MARGIN_IN)
    return fig
