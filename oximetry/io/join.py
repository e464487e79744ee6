"""One night from several files of one device (split nights, issue 15).

Oximeters and their apps split a night when the finger came out, the battery was changed or the
memory filled. :func:`join_recordings` puts such files back on one time axis: in time order, the
time between files kept as missing data (never closed up, never filled), overlapping files
refused (two readings for one moment cannot both be right). The files must come from one device
(same format, device and sampling rates), carry real dates, and span at most one day.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from oximetry.errors import RecordingFormatError
from oximetry.model import Recording, Signal, SourceInfo

__all__ = ["MAX_NIGHT_S", "join_recordings"]

#: Longest span a joined night may cover.
MAX_NIGHT_S = 24 * 3600.0


def _key(rec: Recording) -> tuple[str, str, float, float | None]:
    return (
        rec.source.format,
        rec.source.device,
        rec.fs,
        None if rec.pulse is None else rec.pulse.fs,
    )


def _joined(
    parts: Sequence[Signal | None], offsets: Sequence[int], fs: float, n: int
) -> Signal | None:
    if any(p is None for p in parts):
        return None
    first = parts[0]
    assert first is not None
    out = np.full(n, np.nan)
    for sig, off in zip(parts, offsets, strict=True):
        assert sig is not None
        out[off : off + sig.n_samples] = sig.data
    out.flags.writeable = False
    return Signal(first.label, first.unit, fs, out)


def join_recordings(recordings: Sequence[Recording]) -> Recording:
    """Join recordings of one device and one night into one, in time order.

    Parameters
    ----------
    recordings : sequence of Recording
        Two or more, in any order.

    Returns
    -------
    Recording
        Starting at the earliest file's start; the time between files is missing data; the
        annotations of each file are moved to their place; a warning names the gaps.

    Raises
    ------
    RecordingFormatError
        Files of different devices or rates, a file without a date, files that overlap, or a
        span longer than a day.
    """
    recs = sorted(recordings, key=lambda r: r.start)
    names = ", ".join(r.source.path for r in recs)
    first = recs[0]
    for r in recs:
        if not r.source.date_known:
            raise RecordingFormatError(
                "cannot join it with other files: it holds no date, so its place in the night "
                "is unknown",
                r.source.path,
            )
        if _key(r) != _key(first):
            raise RecordingFormatError(
                f"cannot join it with {first.source.path}: not the same device and rates "
                f"({r.source.format} {r.fs:g} Hz vs {first.source.format} {first.fs:g} Hz)",
                r.source.path,
            )
    fs = first.fs
    offsets: list[int] = []
    warnings: list[str] = []
    end_s = 0.0
    gaps = 0.0
    for k, r in enumerate(recs):
        at = (r.start - first.start).total_seconds()
        if k and at < end_s - 1e-6:
            raise RecordingFormatError(
                f"overlaps {recs[k - 1].source.path} by {end_s - at:.0f} s: two readings for "
                "the same moment; join only consecutive files",
                r.source.path,
            )
        if k:
            gaps += at - end_s
        offsets.append(round(at * fs))
        end_s = at + r.duration_s
    if end_s > MAX_NIGHT_S:
        raise RecordingFormatError(
            f"the files span {end_s / 3600:.1f} h; more than one night cannot be joined", names
        )
    n = max(off + r.spo2.n_samples for off, r in zip(offsets, recs, strict=True))
    spo2 = _joined([r.spo2 for r in recs], offsets, fs, n)
    assert spo2 is not None
    pulse = _joined([r.pulse for r in recs], offsets, first.pulse.fs, n) if first.pulse else None
    status = _joined([r.status for r in recs], offsets, fs, n)
    notes = tuple(
        replace(a, onset_s=a.onset_s + off / fs)
        for r, off in zip(recs, offsets, strict=True)
        for a in r.annotations
    )
    warnings.append(
        f"{len(recs)} files of one night joined in time order; {gaps / 60:.1f} min between them "
        "kept as missing data"
    )
    for r in recs:
        warnings.extend(r.warnings)
    digest = hashlib.sha256("".join(r.source.sha256 for r in recs).encode()).hexdigest()
    source = SourceInfo(
        path=" + ".join(r.source.path for r in recs),
        sha256=digest,
        format=first.source.format,
        device=first.source.device,
        channels=first.source.channels,
        spo2_channel=first.source.spo2_channel,
        selection=first.source.selection,
        read_options=dict(first.source.read_options),
        date_known=True,
        vendor_summary={},
    )
    return Recording(
        spo2=spo2,
        start=first.start,
        source=source,
        pulse=pulse,
        status=status,
        annotations=tuple(sorted(notes, key=lambda a: (a.onset_s, a.text))),
        patient=first.patient,
        warnings=tuple(dict.fromkeys(warnings)),
    )
