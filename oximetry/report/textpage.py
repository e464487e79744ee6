"""The text of report.pdf: layout helpers, the figures with their denominators, the rule table.

Text is laid out in inches from the top of a matplotlib figure (:class:`TextPage`); the PDF
module places the plots around it.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import re
import textwrap
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import matplotlib.style
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.textpath import TextToPath

from .. import __version__
from .terminal import (
    baseline_source_text,
    below_mean_text,
    cut,
    elapsed_only,
    minutes,
    no_date_text,
    rule_status,
    saturation,
    saturation_tenths,
    sentence_case,
    span,
    sustained_low_text,
    sustained_nadir_text,
    when,
    window_source_text,
)

_P = ParamSpec("_P")
_R = TypeVar("_R")


#: matplotlib's warning for a character its font has no glyph for (``_text_helpers``).
_MISSING_GLYPH_WARNING = r"Glyph \d+ \(.*\) missing from font\(s\) "


def matplotlib_defaults(render: Callable[_P, _R]) -> Callable[_P, _R]:
    r"""Run ``render`` with matplotlib's own default settings, whatever a matplotlibrc says.

    A ``font.size: 14`` in the reviewer's (or the lab's) matplotlibrc changed every rendered
    byte of report.pdf and trace.png, and ``oxi verify`` called a genuine submission "not the
    one rendered again". The user's settings are restored afterwards.

    Text is drawn as written, never as math (``text.parse_math`` off). matplotlib's warning
    for a missing glyph is not shown while it draws: it names the
    character, and a context naming the patient "王小明" printed three warnings on stderr,
    ``Glyph 29579 (\N{CJK UNIFIED IDEOGRAPH-738B}) missing from font(s) DejaVu Sans`` and the
    next two characters, spelling the name (hunt 11). The text pages show such a character as
    :data:`MISSING_GLYPH` (:func:`drawable`); the filter covers the rest (a plot's labels).

    Parameters
    ----------
    render : callable
        A function that draws and returns its file's bytes.

    Returns
    -------
    callable
        The same function, run inside ``matplotlib.style.context("default")`` with that one
        warning ignored (the filter is restored afterwards; a forked half of the report
        inherits it).
    """

    @functools.wraps(render)
    def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        # Text as written: matplotlib reads what lies between two "$" as math, so a patient
        # named "O\\Brien $\\frac$" stopped every report with an internal error (the batch's
        # error cell quoting the name), and "Dr. \\Smith $ and $ co" was printed in italics
        # without its spaces (review of hunt 11).
        with (
            matplotlib.style.context("default"),
            matplotlib.rc_context({"text.parse_math": False}),
            warnings.catch_warnings(),
        ):
            warnings.filterwarnings("ignore", message=_MISSING_GLYPH_WARNING, category=UserWarning)
            return render(*args, **kwargs)

    return wrapped


#: Shown in report.pdf in place of a character the report's font has no glyph for.
MISSING_GLYPH = "\N{REPLACEMENT CHARACTER}"


@functools.lru_cache(maxsize=8)
def _glyphs(font_path: str) -> frozenset[int]:
    """Return the code points the font at ``font_path`` has a glyph for (its charmap)."""
    from matplotlib.font_manager import get_font

    return frozenset(get_font(font_path).get_charmap())


def drawable(text: str, **font: Any) -> str:
    r"""Return ``text`` with each character the report's font cannot draw shown as a marker.

    The font is asked (its charmap), not a list of scripts: DejaVu Sans, which matplotlib ships
    and the report is set in, has Latin, Greek and Cyrillic but no CJK, and no control
    characters. A patient "王小明" was drawn on page 1 as three empty boxes, and a file name
    holding an escape (``Glyph 27``) as one (hunt 11). Only the report's own font counts, never
    a fallback the machine may have: ``oxi verify`` renders the report again and compares its
    bytes.

    Parameters
    ----------
    text : str
        A line to draw (``\n`` is matplotlib's line break and is kept).
    **font
        ``family``, ``weight`` and ``style`` as given to ``Figure.text`` (default: the
        report's body font).

    Returns
    -------
    str
        ``text``, each character without a glyph replaced by :data:`MISSING_GLYPH`.
    """
    from matplotlib.font_manager import findfont

    props = FontProperties(
        family=font.get("family"), weight=font.get("weight"), style=font.get("style")
    )
    have = _glyphs(findfont(props))
    if all(c == "\n" or ord(c) in have for c in text):
        return text
    return "".join(c if c == "\n" or ord(c) in have else MISSING_GLYPH for c in text)


__all__ = [
    "LANDSCAPE",
    "MARGIN_IN",
    "MISSING_GLYPH",
    "PORTRAIT",
    "TextPage",
    "ctx_get",
    "device_text",
    "drawable",
    "elapsed_only",
    "excluded_text",
    "file_label",
    "footer",
    "id_lines",
    "plain",
    "recorded_line",
    "revisions_lines",
    "rounded",
    "rules_block",
    "stat_rows",
    "statistics",
    "text_width_in",
    "when",
]

_TEXT_TO_PATH = TextToPath()
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


def _n(value: Any, fmt: str = ".1f", unit: str = "") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int | float) and fmt == "pct":
        return f"{saturation(value)}{unit}"
    if isinstance(value, int | float):
        return f"{value:{fmt}}{unit}"
    return f"{value}{unit}"


class TextPage:
    """Text laid out from the top of a figure, in inches."""

    def __init__(self, fig: Figure, top_in: float = MARGIN_IN) -> None:
        self.fig = fig
        self.w, self.h = (float(v) for v in fig.get_size_inches())
        self.y = top_in
        #: Whether a character was drawn as MISSING_GLYPH (the page then says what it means).
        self.marked = False

    def _fy(self, y_in: float) -> float:
        return 1.0 - y_in / self.h

    def text(self, x_in: float, s: str, size: float = 8.0, **kw: Any) -> None:
        """Write ``s`` at ``x_in`` inches from the left, on the current line (no advance).

        A character the font cannot draw is written as :data:`MISSING_GLYPH` (:func:`drawable`).
        """
        shown = drawable(s, **kw)
        self.marked = self.marked or shown != s
        self.fig.text(x_in / self.w, self._fy(self.y), shown, size=size, va="top", **kw)

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

    def chars(self, width_in: float, size: float) -> int:
        """Return how many characters fit ``width_in`` inches at ``size`` points (a safe bound)."""
        return max(10, int(width_in * 72.0 / (size * 0.57)))

    def wrap(self, s: str, width_in: float, size: float) -> list[str]:
        """Split ``s`` into lines that fit ``width_in`` inches at ``size`` points."""
        return textwrap.wrap(s, self.chars(width_in, size), break_on_hyphens=False) or [""]


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


def ctx_get(summary: Mapping[str, Any], section: str, key: str) -> Any:
    """Return ``context.<section>.<key>`` of a summary, None when absent.

    Parameters
    ----------
    summary : mapping
        ``summary.json``.
    section, key : str
        E.g. ``"test", "room_air"``.

    Returns
    -------
    object or None
    """
    ctx = summary.get("context")
    sec = ctx.get(section) if isinstance(ctx, Mapping) else None
    return sec.get(key) if isinstance(sec, Mapping) else None


def device_text(summary: Mapping[str, Any]) -> str | None:
    """Return the device as the report names it: the context's, and the file's beside it.

    The context's "Nonin 3150" replaced the file's own device on page 1 and in trace.png
    without a word; a file that names another device is now shown beside the context's.

    Parameters
    ----------
    summary : mapping
        ``summary.json``.

    Returns
    -------
    str or None
        None when neither says.
    """
    own = str((summary.get("input") or {}).get("device") or "") or None
    said = ctx_get(summary, "test", "device")
    said = None if said is None else str(said)
    if own is None or said is None or said == own:
        return said or own
    # the context's first (a reader's device may only name the format: "WFDB record
    # (PhysioNet)"), the file's beside it
    return f"{said} (the file: {own})"


def plain(value: Any) -> str:
    """Return a value in a reviewer's words: no ``None``, ``True`` or brackets.

    Parameters
    ----------
    value : object
        A JSON value.

    Returns
    -------
    str
        ``not given`` for None, ``yes``/``no`` for booleans, ``none`` for an empty list, lists
        joined by commas, underscores in words turned into spaces for enum-like strings.
    """
    if value is None:
        return "not given"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        # cut to 3 decimals, never rounded: 119.983 valid minutes printed "120" beside NOT MET
        # for 120 minutes (68.0 -> 68)
        return f"{cut(value, 3):.3f}".rstrip("0").rstrip(".")
    if isinstance(value, Mapping):
        return "; ".join(f"{k} = {plain(v)}" for k, v in value.items()) or "none"
    if isinstance(value, list | tuple):
        return ", ".join(plain(v) for v in value) or "none"
    text = str(value)
    if text.isidentifier() and "_" in text and text.islower() and "." not in text:
        return text.replace("_", " ")
    return text


def rounded(value: Any) -> int | None:
    """Return ``floor(value + 0.5)`` for a number, None otherwise (SPEC §7 rounding)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return math.floor(value + 0.5)
    return None


def recorded_line(summary: Mapping[str, Any]) -> str:
    """Return "Recorded: start to end" naming clock or elapsed time correctly.

    Parameters
    ----------
    summary : mapping
        ``summary.json``.

    Returns
    -------
    str
    """
    inp = summary.get("input") or {}
    rec = summary.get("recording") or {}
    start = str(inp.get("start") or "")
    dur = rec.get("duration_min")
    if not start or not isinstance(dur, int | float):
        return "Recorded: n/a"
    t0 = _dt.datetime.fromisoformat(start)
    t1 = t0 + _dt.timedelta(minutes=float(dur))
    if elapsed_only(summary):
        # cut as every duration: 119.97 min was "Recorded: 120.0 min" beside "Recording time
        # 119.9 min" and a rule's 120 minutes
        return f"Recorded: {minutes(dur)} min (elapsed time only: the file holds no date or clock)"
    if inp.get("date_known") is False:
        # over 24 h a clock time occurs twice: the end says on which day of the recording
        end = when(summary, t1.isoformat(), False)
        return f"Recorded: {t0:%H:%M} to {end} (clock time; {no_date_text(inp)})"
    return f"Recorded: {t0:%Y-%m-%d %H:%M} to {t1:%Y-%m-%d %H:%M} (local clock time)"


def file_label(path: str, page: TextPage, width_in: float, size: float) -> str:
    """Return a file's name shortened in the middle to fit ``width_in`` inches.

    Parameters
    ----------
    path : str
        The input path (only its name is shown).
    page : TextPage
        For the character width estimate.
    width_in : float
        Room on the line.
    size : float
        Font size in points.

    Returns
    -------
    str
        The name, or its start and end joined by ``…``.
    """
    name = Path(path).name
    room = page.chars(width_in, size)
    if len(name) <= room:
        return name
    keep = max(4, room - 1)
    head = keep // 2
    return name[:head] + "…" + name[len(name) - (keep - head) :]


#: At most this many spans of one kind are named on page 1 (the rest: summary.json).
MAX_SPANS = 3


def _spans_named(summary: Mapping[str, Any], spans: Any, where: str) -> str:
    """Return spans given in seconds from the start as clock (or elapsed) times, to the second.

    The end's day is said once (:func:`~oximetry.report.terminal.span`): over 24 h each end
    carried the date, "2026-01-05 23:50:00–2026-01-06 00:20:00" beside the minutes of the other
    rows.
    """
    pairs = [p for p in spans or [] if isinstance(p, list | tuple) and len(p) == 2]
    try:
        start = _dt.datetime.fromisoformat(str((summary.get("input") or {}).get("start")))
    except ValueError:
        start = None

    def one(a: Any, b: Any) -> str:
        if start is None or not isinstance(a, int | float) or not isinstance(b, int | float):
            return f"{plain(a)} s–{plain(b)} s"
        iso_a, iso_b = ((start + _dt.timedelta(seconds=float(t))).isoformat() for t in (a, b))
        return span(summary, iso_a, iso_b, seconds=True)

    text = ", ".join(one(a, b) for a, b in pairs[:MAX_SPANS])
    if len(pairs) > MAX_SPANS:
        text += f" and {len(pairs) - MAX_SPANS} more in summary.json ({where})"
    return text


def excluded_text(summary: Mapping[str, Any]) -> str | None:
    """Return the spans excluded from the analysis, by whom, or None when nothing was.

    ``--exclude`` spans were never named in report.pdf: page 1 counted "excluded 1900" samples
    and the strips hatched them as artifact (hunt 10). The scorer's SpO2 artifact spans are
    excluded alike (``recording.spo2_artifact_spans_s``).

    Parameters
    ----------
    summary : mapping
        ``summary.json`` (``settings.exclude_s``, ``recording.spo2_artifact_spans_s``).

    Returns
    -------
    str or None
        E.g. ``--exclude 23:50:00–00:20:00; scorer's SpO2 artifact 01:50:00–02:10:00 (invalid
        samples, in no figure)``.
    """
    parts = []
    given = (summary.get("settings") or {}).get("exclude_s")
    if given:
        parts.append("--exclude " + _spans_named(summary, given, "settings.exclude_s"))
    scored = (summary.get("recording") or {}).get("spo2_artifact_spans_s")
    if scored:
        parts.append(
            "scorer's SpO2 artifact "
            + _spans_named(summary, scored, "recording.spo2_artifact_spans_s")
        )
    return "; ".join(parts) + " (invalid samples, in no figure)" if parts else None


def stat_rows(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return the summary figures as (label, text) rows, each with its denominator."""
    rec = summary.get("recording") or {}
    metrics = summary.get("metrics") or {}
    rows: list[tuple[str, str]] = []
    counts = rec.get("artifact_samples") or {}
    reasons = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items() if v)
    rows.append(("Recording time", f"{minutes(rec.get('duration_min'))} min"))
    rows.append(
        (
            "Valid data",
            f"{minutes(rec.get('valid_min'))} min; artifact {_n(rec.get('artifact_pct'))} % of samples"
            + (f" (samples: {reasons})" if reasons else ""),
        )
    )
    excluded = excluded_text(summary)
    if excluded:
        rows.append(("Excluded", excluded))
    main = summary.get("main_window")
    win = next((w for w in summary.get("windows") or [] if w.get("kind") == main), None)
    m = metrics.get(main) if main else None
    if m is not None:
        wtxt = f"{str(main).replace('_', ' ')} "
        wtxt += span(summary, (win or {}).get("start"), (win or {}).get("end"))
        if win and win.get("source"):
            # after a comma: the words hold parentheses of their own
            wtxt += f", {window_source_text(win)}"
        rows.append(("Analysis window", wtxt))
        v = minutes(m.get("valid_min"))
        rows.append(("Valid in window", f"{v} min (denominator of every % and rate below)"))
        rows.append(
            (
                "Time ≤ 88 %",
                f"{minutes(m.get('t_le88_min'))} min cumulative = {_n(m.get('t_le88_pct'))} % of "
                f"{v} min;  longest run {minutes(m.get('longest_le88_min'))} min"
                + (
                    f" from {when(summary, m.get('longest_le88_start'))}"
                    if m.get("longest_le88_start")
                    else ""
                ),
            )
        )
        rows.append(
            (
                "Time < 90 % / ≤ 90 %",
                f"{minutes(m.get('t_lt90_min'))} min ({_n(m.get('t_lt90_pct'))} % of {v} min) / "
                f"{minutes(m.get('t_le90_min'))} min",
            )
        )
        rows.append(
            (
                "Nadir / mean / median",
                f"{_n(m.get('nadir_pct'), 'pct')} % at {when(summary, m.get('nadir_time'))} / "
                f"{saturation_tenths(m.get('mean_pct'))} % / {saturation_tenths(m.get('median_pct'))} %",
            )
        )
        # cut, not rounded, like every duration here: 119.97 min must not read "2.00 h"
        hours = None if m.get("valid_min") is None else cut(m["valid_min"] / 60.0, 2)
        rows.append(
            (
                "ODI3 / ODI4",
                f"{_n(m.get('odi3_per_h'))} / {_n(m.get('odi4_per_h'))} per hour "
                f"({m.get('odi3_count', 'n/a')} / {m.get('odi4_count', 'n/a')} events in "
                f"{_n(hours, '.2f')} h valid)",
            )
        )
        src = baseline_source_text(m.get("awake_baseline_source"), summary)
        if m.get("awake_baseline_pct") is None:
            rows.append(("Awake baseline", "none (see the notes): no drop is measured"))
        else:
            rows.append(
                ("Awake baseline", f"{saturation_tenths(m.get('awake_baseline_pct'))} % ({src})")
            )
        sd = m.get("sustained_desaturations") or []
        # no count beside no baseline: "0 sustained" read as a measured zero
        counted = "n/a" if m.get("drop5_min") is None else str(len(sd))
        rows.append(
            (
                "> 5 pts below baseline",
                f"{minutes(m.get('drop5_min'))} min cumulative, longest {minutes(m.get('longest_drop5_min'))}"
                f" min; {counted} sustained (≥ 5 min)",
            )
        )
        if (summary.get("qualification") or {}).get("profile") == "medicare":
            rows.append(("> 5 pts below mean", below_mean_text(m)))
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
                    sentence_case(kind.replace("_o2", " on O2")),
                    f"sustained nadir (≥ 10 s) {sustained_nadir_text(seg.get('sustained_nadir_pct'))}"
                    f"{sustained_low_text(seg)}, nadir {_n(seg.get('nadir_pct'), 'pct')} %, median "
                    f"{saturation_tenths(seg.get('median_pct'))} %, {minutes(seg.get('valid_min'))} min valid",
                )
            )
    return rows


def statistics(page: TextPage, summary: Mapping[str, Any]) -> None:
    """Write the summary figures, each with its denominator (warnings are written once, apart)."""
    page.line("Figures", 10.5, weight="bold")
    size = 8.0
    for label, value in stat_rows(summary):
        page.text(MARGIN_IN, label, size, color="#333333")
        for part in page.wrap(value, page.w - 2 * MARGIN_IN - 1.6, size):
            page.text(MARGIN_IN + 1.6, part, size)
            page.y += size * 1.4 / 72
    page.rule()


#: Columns of the rule table (inches from the left margin): status, citation, reason.
_COL_CITE, _COL_REASON = 1.2, 3.05
RULE_PT = 8.0


def _rule_lines(rule: Mapping[str, Any], page: TextPage) -> list[tuple[str, float, str]]:
    """Lines of text for the rule's right-hand column: (text, size, colour)."""
    width = page.w - 2 * MARGIN_IN - _COL_REASON
    reason = str(rule.get("reason") or "")
    out = [(s, RULE_PT, "#000000") for s in page.wrap(reason, width, RULE_PT)]
    values = rule.get("values") or {}
    if values:
        vtext = "values: " + "; ".join(f"{k} = {plain(v)}" for k, v in values.items())
        out += [(s, RULE_PT, "#555555") for s in page.wrap(vtext, width, RULE_PT)]
    return out


#: Size of a rule id under its citation, and the smallest it is shrunk to before it is wrapped.
ID_PT, ID_MIN_PT = 7.0, 6.0


def text_width_in(s: str, size: float) -> float:
    """Return the width of ``s`` set in the report's font at ``size`` points, in inches.

    Parameters
    ----------
    s : str
        One line of text.
    size : float
        Font size in points.

    Returns
    -------
    float
    """
    width, _, _ = _TEXT_TO_PATH.get_text_width_height_descent(
        s, FontProperties(size=size), ismath=False
    )
    return float(width) / 72.0


def id_lines(rule_id: str, width_in: float) -> tuple[list[str], float]:
    """Return a rule id's lines and font size so that it is never cut inside a word.

    Parameters
    ----------
    rule_id : str
        E.g. ``ii_a_2_b_ii_a_improvement`` or a dotted ``masshealth.II.A.2.b.ii.A``.
    width_in : float
        Room in the column, in inches.

    Returns
    -------
    (list of str, float)
        The id whole on one line at :data:`ID_PT` (or down to :data:`ID_MIN_PT` points) when it
        fits; else cut after its ``_`` or ``.`` separators only, each line ending at one, at
        :data:`ID_MIN_PT`. Joined, the lines give the id back.
    """
    for size in (ID_PT, ID_MIN_PT):
        if text_width_in(rule_id, size) <= width_in:
            return [rule_id], size
    tokens = re.findall(r"[^_.]+[_.]?|[_.]", rule_id)
    lines: list[str] = []
    for tok in tokens:
        if lines and text_width_in(lines[-1] + tok, ID_MIN_PT) <= width_in:
            lines[-1] += tok
        else:
            lines.append(tok)
    return lines, ID_MIN_PT


def _cite_lines(rule: Mapping[str, Any], page: TextPage) -> list[tuple[str, float, str]]:
    """Return the citation (wrapped inside its column, never into the reason) and the id."""
    width = _COL_REASON - _COL_CITE - 0.12
    out = [
        (s, RULE_PT, "#000000") for s in page.wrap(str(rule.get("citation") or ""), width, RULE_PT)
    ]
    rid = str(rule.get("id") or "")
    if rid:  # an id is one word: whole on its own line, else cut only at its separators
        parts, size = id_lines(rid, width)
        out += [(s, size, "#777777") for s in parts]
    return out


def revisions_lines(page: TextPage, qualification: Mapping[str, Any]) -> None:
    """Write the policy revisions a determination encodes (Medicare, SPEC §8.4), when it has any.

    Parameters
    ----------
    page : TextPage
        The page written on, from its current line.
    qualification : mapping
        The ``qualification`` block (its ``revisions``).
    """
    revisions = [str(r) for r in qualification.get("revisions") or []]
    if revisions:
        text = "Policy revisions encoded: " + "; ".join(revisions) + "."
        for part in page.wrap(text, page.w - 2 * MARGIN_IN, 8):
            page.line(part, 8)


def rules_block(page: TextPage, rules: Sequence[Mapping[str, Any]], bottom_in: float) -> int:
    """Write rules as a table (status, citation and id, reason and values) until ``bottom_in``.

    Parameters
    ----------
    page : TextPage
        Where to write, from ``page.y`` down.
    rules : sequence of mapping
        ``qualification.rules``.
    bottom_in : float
        Stop before a rule would pass this many inches from the top.

    Returns
    -------
    int
        How many rules were written.
    """
    done = 0
    step = 1.38 / 72
    for rule in rules:
        lines = _rule_lines(rule, page)
        cites = _cite_lines(rule, page)
        height = max(sum(z * step for _, z, _ in lines), sum(z * step for _, z, _ in cites)) + 0.05
        if page.y + height > bottom_in:
            break
        status = rule_status(rule)
        label, color = _STATUS[status] if status else (plain(rule.get("met")), "#000000")
        page.text(MARGIN_IN, label, RULE_PT, weight="bold", color=color)
        y0 = page.y
        for text, size, c in cites:
            page.text(MARGIN_IN + _COL_CITE, text, size, color=c)
            page.y += size * step
        y_cite, page.y = page.y, y0
        for text, size, c in lines:
            page.text(MARGIN_IN + _COL_REASON, text, size, color=c)
            page.y += size * step
        page.y = max(page.y, y_cite) + 0.05
        done += 1
    return done
