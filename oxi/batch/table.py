"""The cohort table: one row per recording, in a fixed column order (SPEC §11)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from oximetry.io import path_text
from oximetry.report.cells import inert
from oximetry.report.summary import round_figure

if TYPE_CHECKING:
    from .nights import FileScan

__all__ = ["COHORT_COLUMNS", "BatchRow", "cell", "row_values", "table_text"]

#: Columns of ``cohort.csv``, in order.
COHORT_COLUMNS = (
    "file",
    "status",
    "error",
    "sha256",
    "context",
    "start_date",
    "recording_min",
    "coverage_pct",
    "missing_min",
    "window",
    "duration_min",
    "valid_min",
    "t_le88_min",
    "t_le88_pct",
    "longest_le88_min",
    "t_lt90_min",
    "nadir_pct",
    "mean_pct",
    "odi3_per_h",
    "odi4_per_h",
    "awake_baseline_pct",
    "drop5_min",
    "n_sustained_desaturations",
    "pulse_mean_bpm",
    "determination",
    "coverage",
    "missing",
    "conflicts",
)
#: Figures copied from the main window's metrics block.
_FIGURES = tuple(
    c
    for c in COHORT_COLUMNS[
        COHORT_COLUMNS.index("duration_min") : COHORT_COLUMNS.index("determination")
    ]
    if c != "n_sustained_desaturations"
)


@dataclass(frozen=True)
class BatchRow:
    """One recording's line in ``cohort.csv``.

    Parameters
    ----------
    values : mapping of str to str
        Cell text keyed by :data:`COHORT_COLUMNS`.
    skipped : bool
        True when the outputs were already complete and the row was read back from them.
    scan : FileScan or None
        For ``--join-nights``' reading of a file (not a table row): what grouping needs.
    """

    values: Mapping[str, str]
    skipped: bool = False
    scan: FileScan | None = None

    @property
    def ok(self) -> bool:
        """True when the recording was analysed (now or earlier)."""
        return self.values.get("status") == "ok"


def row_values(
    label: str, sha: str, summary: Mapping[str, Any], context: str = ""
) -> dict[str, str]:
    """Return the cohort row of one analysed recording, from its summary.json content.

    Parameters
    ----------
    label : str
        The ``file`` cell.
    sha : str
        The input's sha256.
    summary : mapping
        Its ``summary.json``.
    context : str
        The ``context`` cell: the context file used, or why there is none.

    Returns
    -------
    dict of str to str
        Cells keyed by :data:`COHORT_COLUMNS`.
    """
    values = dict.fromkeys(COHORT_COLUMNS, "")
    values.update(file=label, status="ok", sha256=sha, context=context)
    inp = summary.get("input") or {}
    rec = summary.get("recording") or {}
    if inp.get("date_known") is not False and inp.get("start"):
        values["start_date"] = str(inp["start"])[:10]
    duration = rec.get("duration_min")
    values["recording_min"] = cell(duration)
    valid = rec.get("valid_min")
    if isinstance(duration, int | float) and isinstance(valid, int | float) and duration > 0:
        values["coverage_pct"] = cell(100.0 * valid / duration)
        values["missing_min"] = cell(duration - valid)
    metrics = summary.get("metrics") or {}
    window = summary.get("main_window")
    if window not in ("sleep", "presumed_sleep") or window not in metrics:
        window = next((k for k in ("sleep", "presumed_sleep") if k in metrics), None)
    if window is not None:
        block = metrics[window] or {}
        values["window"] = window
        for key in _FIGURES:
            values[key] = cell(block.get(key))
        sustained = block.get("sustained_desaturations")
        if isinstance(sustained, list | tuple):
            values["n_sustained_desaturations"] = str(len(sustained))
        elif isinstance(sustained, int):
            values["n_sustained_desaturations"] = str(sustained)
    qualification = summary.get("qualification") or {}
    values["determination"] = cell(qualification.get("determination"))
    values["coverage"] = ";".join(str(c) for c in qualification.get("coverage") or [])
    values["missing"] = ";".join(str(m) for m in qualification.get("missing") or [])
    values["conflicts"] = ";".join(_conflict_text(c) for c in qualification.get("conflicts") or [])
    return values


def _conflict_text(conflict: Any) -> str:
    """One conflict as the keys it names (``test.date/recording.start``), else its text."""
    if isinstance(conflict, Mapping):
        keys = conflict.get("keys")
        if isinstance(keys, list | tuple) and keys:
            return "/".join(str(k) for k in keys)
        return str(conflict.get("why") or conflict.get("reason") or "conflict")
    return str(conflict)


def cell(value: Any) -> str:
    """Return the text of one table cell (4 decimals at most; blank for None or NaN)."""
    if hasattr(value, "item"):  # a numpy scalar: as the JSON file would hold it
        value = value.item()
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        # As summary.json rounds its figures: cut to 4, a night 2 ms short of 5 minutes at or
        # below 88 % (4.999967) read 5.0 beside not_qualified, and a filter on t_le88_min >= 5
        # counted it
        return repr(round_figure(value) + 0.0)  # + 0.0: no "-0.0"
    return str(value)


def table_text(rows: Iterable[BatchRow]) -> str:
    """Return ``cohort.csv``'s text: the header, then one line per row."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COHORT_COLUMNS)
    for r in rows:
        # a file name that is not UTF-8 (its bytes escaped) ended the whole batch untabled
        w.writerow([inert(path_text(str(r.values.get(c, "")))) for c in COHORT_COLUMNS])
    return buf.getvalue()
