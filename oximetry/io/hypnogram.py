"""Sleep staging from a separate file (``--hypnogram``, SPEC §2.3).

Two CSV layouts are accepted:

* one stage per 30-s epoch, one per row (optionally under a header such as ``stage``), the first
  epoch starting at the recording start;
* ``onset_s,duration_s,stage`` rows (with or without that header).

Stage texts are kept as written; :mod:`oximetry.windows` interprets them.
"""

from __future__ import annotations

import csv
import itertools
import math
import os

from oximetry.errors import OximetryError, RecordingFormatError
from oximetry.io._base import check_file

__all__ = ["EPOCH_S", "read_hypnogram"]

#: Length of one scoring epoch in seconds (AASM).
EPOCH_S = 30.0


def _float(text: str) -> float | None:
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def _drop_epoch_numbers(
    rows: list[tuple[int, list[str]]], path: str | os.PathLike[str]
) -> list[tuple[int, list[str]]]:
    """Turn ``epoch,stage`` rows into one-stage rows, checking the epochs are consecutive."""
    body = rows[1:] if _float(rows[0][1][0]) is None else rows
    numbers = [_float(r[0]) if len(r) == 2 else None for _, r in body]
    for (n, r), num in zip(body, numbers, strict=True):
        if num is None:
            raise RecordingFormatError(
                f"hypnogram line {n}: expected epoch,stage, got {','.join(r)!r}", path
            )
    for (n, _), a, b in zip(body[1:], numbers, numbers[1:], strict=False):
        if a is not None and b is not None and b != a + 1:
            raise RecordingFormatError(
                f"hypnogram line {n}: epoch {b:g} does not follow epoch {a:g}", path
            )
    return [(n, [r[1]]) for n, r in body]


def read_hypnogram(path: str | os.PathLike[str]) -> tuple[tuple[float, float, str], ...]:
    """Read a hypnogram file.

    Parameters
    ----------
    path : str or PathLike
        CSV with one stage per 30-s epoch, or ``onset_s,duration_s,stage`` rows.

    Returns
    -------
    tuple of (onset_s, duration_s, stage)
        Seconds from the recording start, length in seconds, stage text as written.

    Raises
    ------
    RecordingFormatError
        When the file is missing, empty, not text, or a row is malformed (the line is named).
    """
    try:
        return _read(path)
    except OximetryError:
        raise
    except (ValueError, IndexError, KeyError, TypeError, OverflowError, UnicodeError) as exc:
        reason = " ".join(str(exc).split())[:120]
        raise RecordingFormatError(
            f"cannot read the hypnogram ({type(exc).__name__}: {reason})", path
        ) from None


def _read(path: str | os.PathLike[str]) -> tuple[tuple[float, float, str], ...]:
    p = check_file(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise RecordingFormatError(f"cannot read the hypnogram ({exc.strerror})", path) from None
    if b"\x00" in raw:
        raise RecordingFormatError("not a hypnogram: binary content, expected CSV text", path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    try:
        rows = [
            (n, [c.strip() for c in r])
            for n, r in enumerate(csv.reader(text.splitlines()), start=1)
            if any(c.strip() for c in r)
        ]
    except csv.Error as exc:
        raise RecordingFormatError(f"cannot parse the hypnogram as CSV ({exc})", path) from None
    if not rows:
        raise RecordingFormatError("hypnogram holds no rows", path)
    for _, r in rows:
        while len(r) > 1 and r[-1] == "":
            r.pop()
    first = rows[0][1]
    if len(first) == 2 or (len(rows) > 1 and len(rows[1][1]) == 2):
        rows = _drop_epoch_numbers(rows, path)
        if not rows:
            raise RecordingFormatError("hypnogram has a header but no epochs", path)
        first = rows[0][1]
    timed = len(first) >= 3
    if timed:
        if _float(first[0]) is None:  # header row
            rows = rows[1:]
        out = []
        for n, r in rows:
            onset = _float(r[0]) if len(r) >= 3 else None
            dur = _float(r[1]) if len(r) >= 3 else None
            if onset is None or dur is None or onset < 0 or dur <= 0 or not r[2]:
                raise RecordingFormatError(
                    f"hypnogram line {n}: expected onset_s,duration_s,stage with onset >= 0 and "
                    f"duration > 0, got {','.join(r)!r}",
                    path,
                )
            out.append((onset, dur, r[2]))
        if not out:
            raise RecordingFormatError("hypnogram has a header but no epochs", path)
        out.sort(key=lambda e: e[0])
        for (o1, d1, _), (o2, _, _) in itertools.pairwise(out):
            if o2 < o1 + d1 - 1e-6:
                raise RecordingFormatError(
                    f"hypnogram epochs overlap: one at {o1:g} s lasting {d1:g} s, the next at {o2:g} s",
                    path,
                )
        return tuple(out)
    # One stage per 30-s epoch; a single-column file may carry a header like "stage".
    if len(first) == 1 and first[0].casefold() in ("stage", "stages", "sleep stage", "hypnogram"):
        rows = rows[1:]
    epochs = []
    for n, r in rows:
        if len(r) != 1 or not r[0]:
            raise RecordingFormatError(
                f"hypnogram line {n}: expected one stage per 30-s epoch, got {','.join(r)!r}", path
            )
        epochs.append(r[0])
    if not epochs:
        raise RecordingFormatError("hypnogram has a header but no epochs", path)
    return tuple((i * EPOCH_S, EPOCH_S, s) for i, s in enumerate(epochs))
