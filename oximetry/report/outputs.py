"""Write every output of one analysed recording into a folder, each file atomically."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..results import Analysis
from .atomic import write_set
from .summary import build_summary, dumps_summary, events_csv_text

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
    summary: dict[str, Any] | None = None,
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
    summary : dict, optional
        The summary already built by :func:`build_summary` with these same arguments (the
        pipeline builds it once and writes it here); built here when not given. Its ``files``
        block gains the sha256 of report.pdf and trace.png (rendered from it before that).
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
    Every output is rendered in memory first; the set is then written as a unit
    (:func:`~oximetry.report.atomic.write_set`: a temporary folder beside ``out_dir`` swapped in,
    or, in a folder holding other files, summary.json removed first and written last). A failure
    leaves the old set as it was, and a summary.json on disk always belongs to the files beside
    it, whose sha256 it records.
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
    files = summary.setdefault("files", {})
    for key in ("report", "trace"):
        if key in payloads:
            data = payloads[key]
            raw = data.encode("utf-8") if isinstance(data, str) else data
            files[OUTPUT_NAMES[key]] = hashlib.sha256(raw).hexdigest()
    payloads["summary"] = dumps_summary(summary)
    written = write_set(
        out,
        {OUTPUT_NAMES[key]: data for key, data in payloads.items()},
        owned=OUTPUT_NAMES.values(),
    )
    if not report:
        # A report left from an earlier run (in a folder holding other files too) would not
        # match the new summary.
        for key in ("report", "trace"):
            (out / OUTPUT_NAMES[key]).unlink(missing_ok=True)
    return {k: written[OUTPUT_NAMES[k]] for k in OUTPUT_NAMES if k in payloads}
