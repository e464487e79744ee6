"""SPEC §7 metrics: pure functions of arrays and a sampling rate.

- :func:`summarize_window` — every figure of a sleep / presumed-sleep / awake window;
- :func:`summarize_segment` — median, nadir and sustained nadir of an exercise-test segment;
- :func:`awake_baseline` — the median awake SpO2;
- :func:`oximetry.metrics.odi.detect_desaturations` — ODI3 / ODI4 events over a recording.

Thresholds compare values rounded to whole percent (``floor(x + 0.5)``), averages use the raw
values, durations are sample counts × 1/fs, and rates state their denominator (valid time).
"""

from .drops import awake_baseline
from .odi import detect_desaturations
from .segment import summarize_segment
from .window import summarize_window

__all__ = ["awake_baseline", "detect_desaturations", "summarize_segment", "summarize_window"]
