"""A stand-in analysis for batch process tests: records its worker's pid, then sleeps."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any


def sleepy_analyze(path: str, request: Any, out_dir: str) -> dict[str, Any]:
    """Write this worker's pid beside the outputs, then sleep far longer than any test."""
    Path(out_dir).parent.joinpath(f"pid-{os.getpid()}").write_text(Path(path).name)
    time.sleep(120)
    return {}


class _Stalled(str):
    """Text whose encoding, as write_set writes it, takes far longer than any test."""

    def encode(self, *args: Any, **kwargs: Any) -> bytes:
        time.sleep(120)
        return super().encode(*args, **kwargs)


def stalled_writer_analyze(path: str, request: Any, out_dir: str) -> dict[str, Any]:
    """``b*``: write the set as oxi does and stall after report.pdf; others: return once the
    stalled set's temporary is there (``.b.<hex>.tmp`` beside the folders)."""
    from oximetry.report.atomic import write_set
    from oximetry.report.outputs import OUTPUT_NAMES

    out = Path(out_dir)
    if Path(path).name.startswith("b"):
        write_set(out, {"report.pdf": "pdf", "summary.json": _Stalled("{}")}, OUTPUT_NAMES.values())
    deadline = time.monotonic() + 60
    while not list(out.parent.glob(".b.*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.05)
    return {}
