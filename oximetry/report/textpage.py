"""The text of report.pdf: header, summary figures with their denominators, qualification rules.

Text is laid out in inches from the top of a matplotlib figure (:class:`TextPage`); the PDF
module places the plots around it.
"""

from __future__ import annotations

import datetime as _dt
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .. import __version__
from ..results import Analysis
from .terminal import rule_status, rule_tally

__all__ = [
    "LANDSCAPE",
    "MARGIN_IN",
    "PORTRAIT",
    "TextPage",
    "basis_findings",
    "footer",
    "header",
    "qualification_head",
    "rules_block",
    "statistics",
]

PORTRAIT = (8.5, 11.0)
LANDSCAPE = (11.0, 8.5)
MARGIN_IN = 0.5
#: A rule's status word and colour, by :func:`~oximetry.report.terminal.rule_status`.
_STATUS = {
    "met": ("MET", "#1a7f37"),
    "not_met": ("NOT MET", "#b42318"),
    "not_evaluable": ("NOT EVALUABLE", "#6b6b6b"),
    "not_applicable": ("NOT APPLICABLE", "#4a6fa5"),
}

_KNOWN_Q = {
    "profile",
    "determination",
    "basis",
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


class TextPage:
    """Text laid out from the top of a figure, in inches."""

    def __init__(self, fig: Figure, top_in: float = MARGIN_IN) -> None:
        self.fig = fig
        self.w, self.h = (float(v) for v in fig.get_size_inches())
        self.y = top_in

    def _fy(self, y_in: float) -> float:
        return 1.0 - y_in / self.h

    def text(self, x_in: float, s: str, size: float = 8.0, **kw: Any) -> None:
        """Write ``s`` at ``x_in`` inches from the left, on the current line (no advance)."""
        self.fig.text(x_in / self.w, self._fy(self.y), s, size=size, va="top", **kw)

    def line(self, s: str, size: float = 8.0, x_in: float = MARGIN_IN, **kw: Any) -> None:
        """Write ``s`` and move down one line of its size."""
        self.text(x_in, s, size, **kw)
        self.y += size * 1.45 / 72.0

    def rule(self, gap_in: float = 0.06) -> None:
        """Draw a thin horizontal rule across the page, with a gap above and below."""
        self.y += gap_in
        yf = self._fy(self.y)
        self.fig.add_artist(
            _hline(MARGIN_IN / self.w, 1 - MARGIN_IN / self.w, yf, self.fig.transFigure)
        )
        self.y += gap_in

    def wrap(self, s: str, width_in: float, size: float) -> list[str]:
        """Split ``s`` into lines that fit ``width_in`` inches at ``size`` points."""
        chars = max(10, int(width_in * 72.0 / (size * 0.56)))
        return textwrap.wrap(s, chars) or [""]


def _hline(x0: float, x1: float, y: float, transform: Any) -> Any:
    return Line2D([x0, x1], [y, y], transform=transform, color="#999999", lw=0.6)


def footer(fig: Figure, summary: Mapping[str, Any], page: int, n_pages: int) -> None:
    """Write the software version, the input's sha256 and the page number at the bottom."""
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


def header(page: TextPage, analysis: Analysis, summary: Mapping[str, Any]) -> None:
    """Write the title, the patient (or the de-identification note), the study and the device."""
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


def statistics(page: TextPage, summary: Mapping[str, Any]) -> None:
    """Write the summary figures, each with its denominator, and the window warnings."""
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


def qualification_head(page: TextPage, q: Mapping[str, Any] | None) -> None:
    """Write the determination, coverage, codes, the rule tally and what is missing."""
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
    _basis_lines(page, q)
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
        page.line(f"{rule_tally(rules)} — each listed below with its clause", 8)
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


def basis_findings(q: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return ``(citation, reason)`` of each rule the determination rests on (``basis``).

    Parameters
    ----------
    q : mapping
        The ``qualification`` block of ``summary.json``.

    Returns
    -------
    list of (str, str)
        One pair per id in ``q['basis']`` found among ``q['rules']`` (an id without its rule
        keeps the id as citation and an empty reason); empty when there is no basis (not
        qualified, indeterminate, or a summary written before ``basis`` existed).
    """
    basis = q.get("basis")
    if not isinstance(basis, list | tuple):
        return []
    by_id = {r.get("id"): r for r in q.get("rules") or [] if isinstance(r, Mapping)}
    out = []
    for rule_id in basis:
        rule = by_id.get(rule_id) or {}
        out.append((str(rule.get("citation") or rule_id), str(rule.get("reason") or "")))
    return out


def _basis_lines(page: TextPage, q: Mapping[str, Any]) -> None:
    """Write, under the determination, the finding(s) it rests on with their reasons."""
    findings = basis_findings(q)
    if q.get("determination") == "qualified" and findings:
        label = "Qualifying finding(s):"
        indent, hang = 1.5, 0.12
        page.text(MARGIN_IN, label, 8, weight="bold", color="#1a7f37")
        width = page.w - 2 * MARGIN_IN - indent - hang
        for citation, reason in findings:
            text = f"{citation}: {reason}" if reason else citation
            page.text(MARGIN_IN + indent, "•", 8)
            for part in page.wrap(text, width, 8):
                page.text(MARGIN_IN + indent + hang, part, 8)
                page.y += 8 * 1.45 / 72
    elif q.get("determination") == "not_qualified" and "basis" in q:
        text = (
            "Qualifying finding(s): none — no qualifying path has every rule met, or an "
            "exclusion applies (rules below)."
        )
        for part in page.wrap(text, page.w - 2 * MARGIN_IN, 8):
            page.line(part, 8, color="#b42318")


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


def _rule_lines(rule: Mapping[str, Any], page: TextPage) -> list[tuple[str, float, str]]:
    """Lines of text for the rule's right-hand column: (text, size, colour)."""
    width = page.w - 2 * MARGIN_IN - 2.45
    out = [(s, 7.0, "#000000") for s in page.wrap(str(rule.get("reason") or ""), width, 7.0)]
    values = rule.get("values") or {}
    if values:
        vtext = "values: " + "; ".join(f"{k} = {_compact(v, 200)}" for k, v in values.items())
        out += [(s, 6.5, "#555555") for s in page.wrap(vtext, width, 6.5)]
    return out


def rules_block(page: TextPage, rules: Sequence[Mapping[str, Any]], bottom_in: float) -> int:
    """Write rules until ``bottom_in``; return how many were written."""
    done = 0
    for rule in rules:
        lines = _rule_lines(rule, page)
        height = max(sum(size * 1.35 / 72 for _, size, _ in lines), 2 * 7.0 * 1.35 / 72) + 0.04
        if page.y + height > bottom_in:
            break
        status = rule_status(rule)
        label, color = _STATUS[status] if status else (str(rule.get("met")), "#000000")
        page.text(MARGIN_IN, label, 7.0 if len(label) <= 13 else 6.2, weight="bold", color=color)
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
