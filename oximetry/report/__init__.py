"""Outputs of one analysed recording (SPEC §9): summary.json, events.csv, report.pdf, trace.png.

``summary`` and ``terminal`` are light (no matplotlib); ``pdf`` imports matplotlib when called,
so ``oxi analyze --no-report`` never loads it.
"""

from __future__ import annotations

from .atomic import write_atomic, write_set
from .outputs import write_outputs
from .summary import (
    SCHEMA,
    build_summary,
    dumps_summary,
    events_csv_text,
    write_json_atomic,
)
from .terminal import format_terminal_summary

__all__ = [
    "SCHEMA",
    "build_summary",
    "dumps_summary",
    "events_csv_text",
    "format_terminal_summary",
    "write_atomic",
    "write_json_atomic",
    "write_outputs",
    "write_set",
]
