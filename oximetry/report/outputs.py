"""Write every output of one analysed recording into a folder, each file atomically."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..results import Analysis
from .summary import build_summary, dumps_summary, events_csv_text, write_atomic

__all__ = ["OUTPUT_NAMES", "write_outputs"]

#: File name of each output, by the key :func:`write_outputs` returns it under.
OUTPUT_NAMES = {
    "summary": "summary.json",
    "events": "events.csv",
    "report": "report.pdf",
    "trace": "trace.png",
}


def write_outputs(
    analysis: Analysis,
    out_dir: str | Path,
    *,
    qualification: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    deidentify: bool = False,
    report: bool = True,
    summary: Mapping[str, Any] | None = None,
    events_text: str | None = None,
    identification: Mapping[str, Any] | None = None,
) -> dict[str, Path]:
    """Write summary.json, events.csv and (unless ``report`` is False) report.pdf and trace.png.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    out_dir : str or Path
        The folder (created when missing).
    qualification : mapping, optional
        The criteria engine's block (``Determination.to_dict()``).
    context : mapping, optional
        The de-identified clinical context that was used.
    deidentify : bool
        Leave patient identifiers and the input file name out of every output (SPEC §10).
    report : bool
        Also write report.pdf and trace.png (matplotlib is imported only then). When False, a
        report.pdf or trace.png left in ``out_dir`` by an earlier run is removed, since it would
        not match the new summary.
    summary : mapping, optional
        The summary already built by :func:`build_summary` with these same arguments (the
        pipeline builds it once and writes it here); built here when not given.
    events_text : str, optional
        The events table's text, when the caller built it for the summary already.
    identification : mapping, optional
        The patient's ``name`` and ``member_id`` from the clinical context, printed on the
        report's first page (never written to summary.json; ignored when ``deidentify``).

    Returns
    -------
    dict of str to Path
        Keys ``summary``, ``events`` and, with ``report``, ``report`` and ``trace``.

    Notes
    -----
    Every output is rendered in memory first; only then is each written to a temporary name in
    ``out_dir`` and renamed into place, summary.json last. A failure while rendering leaves the
    folder as it was, and a summary.json on disk always belongs to a complete set of outputs.
    """
    out = Path(out_dir)
    if events_text is None:
        events_text = events_csv_text(analysis, deidentify=deidentify)
    if summary is None:
        summary = build_summary(
            analysis,
            qualification=qualification,
            context=context,
            deidentify=deidentify,
            events_text=events_text,
        )
    payloads: dict[str, bytes | str] = {}
    if report:
        # Lazy: the PDF module imports matplotlib, 0.4-0.55 s (-X importtime), more than the
        # whole of `oxi analyze --no-report` on an 8-hour night.
        from .pdf import render_report_pdf, render_trace_png

        payloads["report"] = render_report_pdf(
            analysis, summary, None if deidentify else identification
        )
        payloads["trace"] = render_trace_png(analysis, summary)
    payloads["events"] = events_text
    payloads["summary"] = dumps_summary(summary)
    out.mkdir(parents=True, exist_ok=True)
    paths = {key: write_atomic(out / OUTPUT_NAMES[key], data) for key, data in payloads.items()}
    if not report:
        # A report left from an earlier run would not match the new summary.
        for key in ("report", "trace"):
            (out / OUTPUT_NAMES[key]).unlink(missing_ok=True)
    return {k: paths[k] for k in OUTPUT_NAMES if k in paths}
