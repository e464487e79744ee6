"""One night from several files of one device (split nights, issue 15).

Oximeters and their apps split a night when the finger came out, the battery was changed or the
memory filled. :func:`join_recordings` puts such files back on one time axis: in time order, the
time between files kept as missing data (never closed up, never filled), overlapping files
refused (two readings for one moment cannot both be right). The files must come from one device
(same format, device and sampling rates) and one patient (the same identifiers, as the files
hold them, the rule ``oxi batch --join-nights`` groups by), carry real dates, and span at most
one day.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from oximetry.errors import RecordingFormatError
from oximetry.model import ChannelInfo, Recording, Signal, SourceInfo, SourcePart

__all__ = ["GRID_TOLERANCE", "MAX_NIGHT_S", "join_recordings", "night_sha256"]

#: Reading options that belong to one file, not to the night (its annotation file, whose times
#: count from that file's start): kept in that file's ``SourcePart``.
_PER_FILE_OPTIONS = ("annotations", "annotations_sha256")
#: Longest span a joined night may cover.
MAX_NIGHT_S = 24 * 3600.0
#: A file may start this fraction of a sample off the first file's grid without a warning
#: (rounding of times written as decimal text, never a real offset).
GRID_TOLERANCE = 1e-3


def _key(rec: Recording) -> tuple[str, str, float, float | None, float | None]:
    return (
        rec.source.format,
        rec.source.device,
        rec.fs,
        None if rec.pulse is None else rec.pulse.fs,
        None if rec.status is None else rec.status.fs,
    )


def _rates(rec: Recording) -> str:
    parts = [f"SpO2 {rec.fs:g} Hz"]
    if rec.pulse is not None:
        parts.append(f"pulse {rec.pulse.fs:g} Hz")
    if rec.status is not None:
        parts.append(f"status {rec.status.fs:g} Hz")
    return f"{rec.source.format} {rec.source.device!r}, " + ", ".join(parts)


def _sex(rec: Recording) -> str | None:
    """Return the header's sex as F or M (None for none, X or a placeholder).

    Two files of one night naming a woman and a man were joined, and only the first was
    compared with the context.
    """
    first = (rec.patient.sex or "").strip()[:1].upper()
    return first if first in ("F", "M") else None


def _channels(recs: Sequence[Recording]) -> tuple[ChannelInfo, ...]:
    """Return the first file's channels and each later file's sleep-test channels it lacks.

    A night is a sleep test when any of its files is (``Recording.sleep_test_channels``): an
    oximeter's file joined before a file holding an EEG channel kept the first file's channels
    only, and the night qualified Medicare as stand-alone oximetry.
    """
    out = list(recs[0].source.channels)
    for r in recs[1:]:
        labels = {c.label for c in out}
        out += [c for c in r.source.channels if c.role == "sleep_test" and c.label not in labels]
    return tuple(out)


def _slot(at_s: float, fs: float) -> int:
    """Sample index of a time on a grid at ``fs``, half up (never Python's half-to-even).

    Rounding half up keeps ``slot(a) + n == slot(a + n / fs)``: back-to-back files never write
    into the same sample.
    """
    return int(np.floor(at_s * fs + 0.5))


def _joined(
    parts: Sequence[Signal | None], at_s: Sequence[float]
) -> tuple[Signal | None, list[float]]:
    """Join one channel of every file on the first file's grid, at that channel's own rate.

    Returns the joined signal and, per file, how far its samples were moved in time (seconds) to
    land on that grid.
    """
    if any(p is None for p in parts):
        return None, [0.0] * len(parts)
    sigs = [p for p in parts if p is not None]
    fs = sigs[0].fs
    offsets = [_slot(at, fs) for at in at_s]
    n = max(off + sig.n_samples for off, sig in zip(offsets, sigs, strict=True))
    out = np.full(n, np.nan)
    for sig, off in zip(sigs, offsets, strict=True):
        out[off : off + sig.n_samples] = sig.data
    out.flags.writeable = False
    moved = [off / fs - at for off, at in zip(offsets, at_s, strict=True)]
    return Signal(sigs[0].label, sigs[0].unit, fs, out), moved


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
        annotations of each file (its own, and those of an annotation file read with it) are
        moved to that file's place; a warning names the gaps.
        ``source.parts`` lists the files in time order. Each channel (SpO2, pulse, status) is
        joined at its own rate. A file whose start is not on the first file's sample grid is
        placed on the nearest sample (moved by at most half a sample); when that moves it by more
        than :data:`GRID_TOLERANCE` of a sample, a warning says by how much.

    Raises
    ------
    RecordingFormatError
        Files of different formats, devices or rates, files naming different patients (name,
        code, birth date or sex), the same bytes given twice, a file without a date, files that
        overlap, or a span longer than a day.
    """
    recs = sorted(recordings, key=lambda r: r.start)
    names = ", ".join(r.source.path for r in recs)
    # The other file is quoted: a file found in a folder may be named after the patient, and a
    # de-identified run withholds what is quoted ("overlaps /in/Doe_John_1.edf" was printed).
    first = recs[0]
    seen: dict[str, str] = {}
    for r in recs:
        twin = seen.setdefault(r.source.sha256, r.source.path)
        if twin != r.source.path:
            # An O2Ring-S file holds no time (its start is its name): a copy renamed an hour
            # later overlapped nothing, its minutes counted twice, and a night of 4.0 min at or
            # below 88 % qualified with 6.0. The same bytes are never two stretches of a night.
            raise RecordingFormatError(
                f"holds the same bytes as {twin!r} (the same sha256): one stretch of the night "
                "given twice",
                r.source.path,
            )
        if not r.source.date_known:
            raise RecordingFormatError(
                "cannot join it with other files: it holds no date, so its place in the night "
                "is unknown",
                r.source.path,
            )
        if _key(r) != _key(first):
            # (an EDF+C beside an EDF+D of one recorder was "not the same device and rates",
            # naming the same device and rates twice)
            what = (
                "not the same file format"
                if _key(r)[1:] == _key(first)[1:]
                else "not the same device and rates"
            )
            raise RecordingFormatError(
                f"cannot join it with {first.source.path!r}: {what} "
                f"({_rates(r)} vs {_rates(first)})",
                r.source.path,
            )
        if r.patient.identifiers() != first.patient.identifiers() or _sex(r) != _sex(first):
            # Neither patient is named: the message may reach a de-identified log.
            raise RecordingFormatError(
                f"cannot join it with {first.source.path!r}: its patient fields name another "
                "patient (or none where the other names one)",
                r.source.path,
            )
    at_s: list[float] = []
    warnings: list[str] = []
    end_s = 0.0
    gaps = 0.0
    for k, r in enumerate(recs):
        at = (r.start - first.start).total_seconds()
        if k and at < end_s - 1e-6:
            raise RecordingFormatError(
                f"overlaps {recs[k - 1].source.path!r} by {end_s - at:.0f} s: two readings for "
                "the same moment; join only consecutive files",
                r.source.path,
            )
        if k:
            gaps += at - end_s
        at_s.append(at)
        end_s = at + r.duration_s
    if end_s > MAX_NIGHT_S:
        raise RecordingFormatError(
            f"the files span {end_s / 3600:.1f} h; more than one night cannot be joined", names
        )
    spo2, moved = _joined([r.spo2 for r in recs], at_s)
    assert spo2 is not None
    pulse, moved_pulse = _joined([r.pulse for r in recs], at_s)
    status, moved_status = _joined([r.status for r in recs], at_s)
    for k, r in enumerate(recs):
        # Named by its place, not its path: a summary must verify after the files are moved.
        for sig, shift in (
            (r.spo2, moved[k]),
            (r.pulse, moved_pulse[k]),
            (r.status, moved_status[k]),
        ):
            if sig is not None and abs(shift) * sig.fs > GRID_TOLERANCE:
                warnings.append(
                    f"file {k + 1} of {len(recs)} (from {r.start.time().isoformat()}) does not "
                    f"start on the first file's {sig.fs:g} Hz sample grid: its {sig.label} "
                    f"samples were moved {shift:+.3f} s to the nearest sample"
                )
                break
    notes = tuple(
        replace(a, onset_s=a.onset_s + at + m)
        for r, at, m in zip(recs, at_s, moved, strict=True)
        for a in r.annotations
    )
    warnings.append(
        f"{len(recs)} files of one night joined in time order; {gaps / 60:.1f} min between them "
        "kept as missing data"
    )
    for r in recs:
        warnings.extend(r.warnings)
    source = SourceInfo(
        path=" + ".join(r.source.path for r in recs),
        sha256=night_sha256([r.source.sha256 for r in recs]),
        format=first.source.format,
        device=first.source.device,
        channels=_channels(recs),
        spo2_channel=first.source.spo2_channel,
        selection=first.source.selection,
        # Each file's annotation file stays with that file (``parts``): never the night's.
        read_options={
            k: v for k, v in first.source.read_options.items() if k not in _PER_FILE_OPTIONS
        },
        date_known=True,
        clock_known=True,
        vendor_summary={},
        parts=tuple(
            SourcePart(
                r.source.path,
                r.source.sha256,
                r.start,
                r.spo2.n_samples,
                annotations=r.source.read_options.get("annotations"),
                annotations_sha256=r.source.read_options.get("annotations_sha256"),
                companions=r.source.companions,
            )
            for r in recs
        ),
        clock_changes_s=tuple(
            at + c for r, at in zip(recs, at_s, strict=True) for c in r.source.clock_changes_s
        ),
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


def night_sha256(digests: Sequence[str]) -> str:
    """Return the sha256 of a joined night: of its files' hex digests, in time order.

    Parameters
    ----------
    digests : sequence of str
        Each file's sha256 (hex), in time order.

    Returns
    -------
    str
    """
    return hashlib.sha256("".join(digests).encode()).hexdigest()
