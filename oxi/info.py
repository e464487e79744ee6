"""``oxi info``: what a recording holds and what would be analysed, as text."""

from __future__ import annotations

from oximetry.io import RecordingInfo
from oximetry.report.terminal import minutes

from .visible import visible

__all__ = ["format_info"]


def _hms(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def format_info(info: RecordingInfo) -> str:
    """Return the text ``oxi info`` prints (no patient identifiers).

    Parameters
    ----------
    info : RecordingInfo
        From :func:`inspect_recording`.

    Returns
    -------
    str
        Several lines, ending without a newline; a character of the file's name or header that
        would act on a terminal (an escape, a line feed) is shown escaped (:func:`visible`).
    """
    lines = [f"file:       {info.path}", f"format:     {info.format}"]
    if info.device:
        lines.append(f"device:     {info.device}")
    start = info.start.isoformat(sep=" ")
    if info.date_known:
        lines.append(f"start:      {start} (local wall-clock time, no time zone)")
    elif not info.clock_known:
        lines.append(f"start:      {start} (date and time of day unknown: elapsed time only)")
    else:
        # No date in the file, or one whose day and month order it does not say (warnings).
        lines.append(f"start:      {start} (date unknown; local wall-clock time)")
    if info.duration_s is not None:
        lines.append(f"duration:   {_hms(info.duration_s)} ({minutes(info.duration_s / 60)} min)")
    else:
        lines.append("duration:   unknown (sampling rate unknown)")
    lines.append("channels:")
    for ch in info.channels:
        rate = f"{ch.fs:g} Hz" if ch.fs else "rate unknown"
        mark = "*" if ch.selected else " "
        unit = ch.unit or "-"
        note = f"  {ch.note}" if ch.note else ""
        lines.append(f"  {mark} {ch.label!r:<22} {unit:<6} {rate:<12} {ch.role:<10}{note}")
    if info.spo2_channel and not info.problem:
        lines.append(f"analysed:   SpO2 from {info.spo2_channel!r} ({info.selection})")
    else:
        lines.append(f"analysed:   nothing: {info.problem}")
    if info.valid_fraction is not None:
        lines.append(
            f"valid:      {100 * info.valid_fraction:.1f} % of SpO2 samples present and within "
            "50-100 %"
        )
    if info.problem.startswith("no valid oximetry"):
        lines.append(info.problem)
    if info.annotation_counts:
        parts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in info.annotation_counts.items())
        lines.append(f"annotations: {parts}")
    else:
        lines.append("annotations: none")
    lines.extend(f"warning:    {w}" for w in info.warnings)
    # The file's name, the header's device and units, a reader's warning quoting a label: each
    # line shown escaped on its own, so a line feed in a value cannot start a line of its own
    return "\n".join(visible(line) for line in lines)
