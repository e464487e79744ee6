"""``oxi qualify``: the human summary and a context-only ``report.pdf`` (no recording needed).

A cluster-headache qualification, or one on blood gases, rests on the clinical context alone.
``oxi qualify --out DIR`` therefore writes a report whose first page holds the context (test,
order, diagnoses with their ICD-10-CM descriptions), the determination, conflicts and what would
decide, followed by every rule with its clause. It reuses the report's text layout
(:mod:`oximetry.report.textpage`); matplotlib is imported only when a PDF is written.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from . import __version__

__all__ = ["format_qualify_summary", "render_qualify_pdf"]


def _yes(v: Any) -> str:
    return {True: "yes", False: "no", None: "not given"}.get(v, str(v))


def _given(value: Any, unit: str, absent: str) -> str:
    """Return ``value`` with its unit (``3 attacks``), or ``absent`` when it was not given."""
    return absent if value is None else f"{value} {unit}"


def _patient_line(doc: Mapping[str, Any], identification: Mapping[str, Any] | None) -> str:
    ident = identification or {}
    patient = (doc.get("context") or {}).get("patient") or {}
    age = patient.get("age_years")
    return (
        f"Patient: {ident.get('name') or 'not given'}; member ID "
        f"{ident.get('member_id') or 'not given'}; age "
        f"{'not given' if age is None else f'{age:g}'}; sex {patient.get('sex') or 'not given'}"
    )


def _context_lines(doc: Mapping[str, Any]) -> list[str]:
    ctx = doc.get("context") or {}
    q = doc.get("qualification") or {}
    t, o = ctx.get("test") or {}, ctx.get("order") or {}
    date = str(t.get("date") or "not given")
    used = q.get("test_date")
    if used and str(used) != str(t.get("date")):
        # the date the rules counted from: a summary's night from 00:30 is the evening's
        date += f" (judged as the test of {used})"
    lines = [
        f"Test: {t.get('type') or 'type not given'}; date {date}; "
        f"room air {_yes(t.get('room_air'))}; setting {t.get('setting') or 'not given'}",
        f"Order: {o.get('date') or 'no date'}; prescriber {o.get('prescriber') or 'not given'}"
        f"{' (' + o['practitioner'] + ')' if o.get('practitioner') else ''}; "
        f"flow {_given(o.get('flow_lpm'), 'L/min', 'not given')}; "
        f"{_given(o.get('hours_per_day'), 'h/day', 'hours per day not given')}",
    ]
    mg_oxy = q.get("profile", "masshealth") == "masshealth"  # Medicare has no condition lists
    for d in q.get("diagnoses") or []:
        where = ""
        if mg_oxy:
            where = f" — {d['clause']}" if d.get("clause") else " — not on MG-OXY II.A.1's lists"
        lines.append(f"Diagnosis {d.get('code')}: {d.get('description')}{where}")
    if q.get("code_set"):
        lines.append(f"Codes checked against {q['code_set']}")
    raw_bg = ctx.get("blood_gas") or {}
    bg = {k: v for k, v in raw_bg.items() if v is not None and k.endswith("_mmhg")}
    if bg:
        taken = f" (taken {raw_bg['date']})" if raw_bg.get("date") else ""
        lines.append(
            "Blood gas"
            + taken
            + ": "
            + "; ".join(f"{k.replace('_mmhg', '')} {v:g} mmHg" for k, v in bg.items())
        )
    if ctx.get("cluster_headache") is not None:
        ch = ctx["cluster_headache"]
        ticked = [k for k, v in ch.items() if v is True]
        # attacks not given are not "0 attacks": the context said nothing of them
        lines.append(
            f"Cluster headache (ICHD-3): {_given(ch.get('attacks'), 'attacks', 'attacks not given')}; "
            f"{', '.join(ticked) or 'no item ticked'}"
        )
    return lines


def _decision_lines(q: Mapping[str, Any]) -> list[str]:
    out = [f"Conflict: {c.get('why')}" for c in q.get("conflicts") or []]
    for path, needs in (q.get("would_qualify_if") or {}).items():
        out.append(f"Open path ({path}) undecided until: {'; '.join(str(n) for n in needs)}")
    if q.get("determination") != "qualified" and q.get("decided_by"):
        # an indeterminate was decided by nothing: its decided_by is what holds it open
        verb = "Held open by" if q.get("determination") == "indeterminate" else "Decided by"
        out.append(f"{verb}: {', '.join(q['decided_by'])}")
    return out


def format_qualify_summary(
    doc: Mapping[str, Any], paths: Mapping[str, Path], summary: Mapping[str, Any] | None = None
) -> str:
    """Return the lines ``oxi qualify`` prints, as ``oxi analyze`` prints its summary.

    Parameters
    ----------
    doc : mapping
        The qualification document (``qualification`` and ``context`` blocks).
    paths : mapping of str to Path
        The files written (may be empty).
    summary : mapping, optional
        The earlier ``summary.json`` the figures came from (``--summary``): its figures are
        printed first, exactly as ``oxi analyze`` prints them.

    Returns
    -------
    str
        No trailing newline; no patient identifiers.
    """
    from .report.terminal import format_terminal_summary

    q = doc.get("qualification") or {}
    if summary is not None:
        text = format_terminal_summary({**summary, "qualification": q}, paths)
        rows = [(line[:15].rstrip(), line[15:].strip()) for line in text.splitlines()]
    else:
        rows = [("Recording", "none (a qualification on the clinical context alone)")]
        rows += [("Context", line) for line in _context_lines(doc)]
        rows += [
            (k, v)
            for k, v in (
                (line[:15].rstrip(), line[15:].strip())
                for line in format_terminal_summary({"qualification": q}, paths).splitlines()
            )
            if k not in ("Recording", "Valid data")
        ]
    rows += [("Review", line) for line in _decision_lines(q)]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def render_qualify_pdf(
    doc: Mapping[str, Any], identification: Mapping[str, Any] | None = None
) -> bytes:
    """Return a context-only report.pdf: page 1 the context and determination, then the rules.

    Parameters
    ----------
    doc : mapping
        The qualification document (``qualification`` and ``context`` blocks).
    identification : mapping, optional
        ``name`` and ``member_id`` of the patient from the clinical context, printed with the
        age and sex (a determination that named nobody went to the payer's reviewer).

    Returns
    -------
    bytes
        A PDF (deterministic: no creation date).
    """
    from .report.textpage import matplotlib_defaults

    return matplotlib_defaults(_qualify_pdf)(doc, identification)


def _qualify_pdf(doc: Mapping[str, Any], identification: Mapping[str, Any] | None) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    from .report.page1 import MISSING_GLYPH_NOTE, determination_block
    from .report.terminal import start_text
    from .report.textpage import MARGIN_IN, PORTRAIT, TextPage, revisions_lines, rules_block

    q = doc.get("qualification") or {}
    rules: Sequence[Mapping[str, Any]] = q.get("rules") or []
    figs: list[Figure] = []
    fig = Figure(figsize=PORTRAIT)
    page = TextPage(fig)
    width = page.w - 2 * MARGIN_IN
    inp = doc.get("input")
    if isinstance(inp, Mapping):
        # rules run on an earlier analysis (oxi qualify --summary): say which recording, and
        # that its figures were not recomputed (the title said "no recording" beside sleep
        # figures, and the pointer to oxi verify was only in the JSON)
        page.line("Oxygen qualification — an earlier analysis (summary.json)", 15, weight="bold")
        # as the terminal says it: a file without a date or clock printed the placeholder
        # "from 1900-01-01T22:00:00" as its start
        lead = (
            f"Recording sha256 {inp.get('sha256', '')}, from {start_text(inp)}; no oximetry "
            "trace is attached."
        )
    else:
        page.line("Oxygen qualification — clinical context (no recording)", 15, weight="bold")
        lead = (
            "Cluster headache and blood-gas qualifications rest on the context below; no "
            "oximetry trace is attached."
        )
    for part in page.wrap(lead, width, 8):
        page.line(part, 8)
    page.rule()
    for line in (_patient_line(doc, identification), *_context_lines(doc)):
        for part in page.wrap(line, width, 8):
            page.line(part, 8)
    for warning in q.get("warnings") or []:
        for i, part in enumerate(page.wrap(str(warning), width - 0.15, 8)):
            page.line(("• " if i == 0 else "   ") + part, 8, weight="bold" if i == 0 else "normal")
    if page.marked:
        # the patient "王小明" was three empty boxes (hunt 11): now three markers, said here
        for part in page.wrap(MISSING_GLYPH_NOTE, width, 7.5):
            page.line(part, 7.5, color="#555555", style="italic")
    page.rule()
    determination_block(page, q, page.h - 1.2)  # decided by, would qualify if, conflicts
    page.rule()
    revisions_lines(page, q)
    bottom = page.h - 0.7
    done = rules_block(page, rules, bottom)
    figs.append(fig)
    while done < len(rules):
        fig = Figure(figsize=PORTRAIT)
        page = TextPage(fig)
        page.line("Rules (continued)", 10, weight="bold")
        n = rules_block(page, rules[done:], bottom)
        if n == 0:  # a rule taller than a page: never loop
            break
        done += n
        figs.append(fig)
    buf = io.BytesIO()
    meta = {
        "Title": "Oxygen qualification",
        "Creator": f"oxi {__version__}",
        "CreationDate": None,
        "ModDate": None,
    }
    with PdfPages(buf, metadata=meta) as pdf:
        for i, f in enumerate(figs, start=1):
            f.text(
                0.5,
                0.25 / f.get_size_inches()[1],
                f"oxi {__version__}  ·  qualification on the clinical context  ·  page {i} of "
                f"{len(figs)}",
                ha="center",
                va="bottom",
                size=6.5,
                color="#555555",
            )
            FigureCanvasAgg(f)
            pdf.savefig(f)
    return buf.getvalue()
