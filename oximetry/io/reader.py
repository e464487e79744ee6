"""Open any supported recording: sniff the format, choose channels, build a :class:`Recording`."""

from __future__ import annotations

import datetime as _dt
import math
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from oximetry.errors import (
    ChannelNotFoundError,
    InsufficientDataError,
    RecordingFormatError,
    redact_quoted,
)
from oximetry.io._base import (
    MAX_FS_HZ,
    MIN_FS_HZ,
    RawRecording,
    check_file,
    check_rate,
    classify_annotation,
    is_coarse_step,
    path_text,
    sha256_of,
    snap_to_tenths,
    whole_percents,
)
from oximetry.io.channels import ChannelChoice, classify_all, other_device, pick_channels
from oximetry.model import ChannelInfo, CompanionFile, Recording, Signal, SourceInfo

__all__ = ["RecordingInfo", "inspect_recording", "read_recording"]

#: Values that mean "no reading" in SpO2 and pulse channels (SPEC §2.2).
SENTINELS = (-1.0, 0.0, 255.0, 65535.0)
#: And in SpO2 channels: 127, the no-finger code of Contec oximeters (formats.md), which their
#: CSV exports keep (pulseoxdl's ``DATE,TIME,SPO2,PULSE`` beside pulse 255). Read as a number,
#: the CSV's 77 such samples were counted "out of range" where the same night's ``.SpO2`` file
#: gave 77 missing.
SPO2_SENTINELS = (*SENTINELS, 127.0)
_HEAD_BYTES = 1 << 16


@dataclass(frozen=True)
class RecordingInfo:
    """What ``oxi info`` reports about a recording (no patient identifiers).

    Parameters
    ----------
    path : str
        The file as given.
    format : str
        Format name (``edf+c``, ``csv-viatom`` ...).
    device : str
        Device or equipment, when the file says.
    channels : tuple of ChannelInfo
        Every channel with its role, whether it would be analysed and why.
    spo2_channel : str or None
        The channel that would be analysed, or None when none can be.
    selection : str
        Why that channel (or why none).
    start : datetime.datetime
        Local wall-clock time of the first sample (naive).
    date_known : bool
        False when the file gives no date (the start date is then a placeholder).
    clock_known : bool
        False when it gives no time of day either (elapsed time only; the start is then the
        placeholder midnight).
    fs : float or None
        SpO2 sampling rate in Hz (None when the file gives none and none was supplied).
    duration_s : float or None
        SpO2 samples × 1/fs.
    valid_fraction : float or None
        Fraction of SpO2 samples that are not missing and lie within 50–100 %.
    problem : str
        Why the recording cannot be analysed ("" when it can), e.g. ``no valid oximetry: ...``.
    annotation_counts : mapping
        Number of annotations per kind (``sleep_stage``, ``lights``, ``segment``, ``event``), in
        the words of :mod:`oximetry.annotations`, which the analysis uses too.
    warnings : tuple of str
        What the reader had to decide.
    """

    path: str
    format: str
    device: str
    channels: tuple[ChannelInfo, ...]
    spo2_channel: str | None
    selection: str
    start: _dt.datetime
    date_known: bool
    clock_known: bool
    fs: float | None
    duration_s: float | None
    valid_fraction: float | None
    problem: str
    annotation_counts: Mapping[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def _check_option(value: float | None, name: str, path: str | os.PathLike[str]) -> float | None:
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise RecordingFormatError(f"{name} must be a number, got {value!r}", path) from None
    if not math.isfinite(v) or v <= 0:
        raise RecordingFormatError(f"{name} must be a positive number, got {value!r}", path)
    return v


def _open(path: str | os.PathLike[str], fs: float | None) -> tuple[RawRecording, str]:
    """Sniff and parse the file; return the raw recording and the file's sha256."""
    p = check_file(path)
    try:
        size = p.stat().st_size
        with p.open("rb") as fh:
            head = fh.read(_HEAD_BYTES)
    except OSError as exc:
        raise RecordingFormatError(f"cannot read the file ({exc.strerror})", path) from None
    digest = sha256_of(p)
    from oximetry.io.edf import read_edf, sniff_edf

    if sniff_edf(head):
        raw = read_edf(p, head, size)
        from oximetry.io.resmed import tag_resmed

        # the header's recording field (bytes 88-168; read_edf has checked the header is whole)
        tag_resmed(raw, p, head[88:168].decode("latin-1").strip())
    elif (native := _read_native(p, head, size)) is not None:
        raw = native
    else:
        what = _binary_kind(head)
        if what:
            raise RecordingFormatError(f"not a recording: the file is {what}", path)
        if p.suffix.casefold() in (".edf", ".bdf", ".rec"):
            raise RecordingFormatError(
                "not an EDF file: the header does not start with version '0' "
                "(wrong file, or corrupted)",
                path,
            )
        from oximetry.io.csvtext import read_text

        try:
            data = p.read_bytes()
        except OSError as exc:
            raise RecordingFormatError(f"cannot read the file ({exc.strerror})", path) from None
        raw = read_text(p, data, fs)
    raw.path = str(path)
    return raw, digest


def _read_native(p: Any, head: bytes, size: int) -> RawRecording | None:
    from oximetry.io.native import read_native

    return read_native(p, head, size)


_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or Office document)",
    b"\x1f\x8b": "a gzip archive",
    b"BM": "",
}


def _binary_kind(head: bytes) -> str:
    from oximetry.io.csvtext import UTF16_BOMS, looks_utf16

    for magic, name in _MAGIC.items():
        if name and head.startswith(magic):
            return name
    if head.startswith(UTF16_BOMS):
        return ""  # UTF-16 text that says so: read by the text reader
    if looks_utf16(head):
        return (
            "UTF-16 text without a byte-order mark, whose byte order it does not say: save it as "
            "UTF-8"
        )
    if b"\x00" in head:
        return "binary data, neither EDF nor a text export"
    return ""


def _clean(
    values: NDArray[np.float64], role: str, raw: RawRecording, k: int
) -> NDArray[np.float64]:
    """Turn sentinels and out-of-range digital codes into NaN (never forward-filled).

    ``values`` (a loader's array, which the reader owns) is cleaned in place when it can be and
    returned read-only, ready for a :class:`Signal` without a copy. A pulse or status code
    outside the channel's range is kept (see below): only SpO2's become NaN.
    """
    out = np.asarray(values, dtype=np.float64)
    if not out.flags.writeable:
        out = out.copy()
    out[~np.isfinite(out)] = np.nan
    rng = raw.channels[k].valid_range
    outside = np.zeros(out.shape, dtype=bool)
    if rng is not None:
        with np.errstate(invalid="ignore"):
            outside = (out < rng[0]) | (out > rng[1])
    # A missing SpO2 sample is invalid, but a missing pulse or status invalidates nothing: a
    # pulse of 0 under a header of 30-250 bpm, or a status of 2 under one of 0-1, made NaN as
    # codes the channel cannot hold, left 6 min at 84 % beside them valid and qualified a
    # night that the same values within range held invalid (SPEC §4 rule 4). Kept, they are
    # judged as the values they are.
    if role == "spo2":
        out[outside] = np.nan
        out[np.isin(out, SPO2_SENTINELS)] = np.nan
    elif role == "pulse":
        # A pulse of 0 is "no pulse found" (a probe off), not a missing value: kept, it is
        # outside 25-250 bpm and invalidates the SpO2 beside it (SPEC §4 rule 4). Read as
        # missing, it invalidated nothing and a probe-off dip to 86 % qualified a night. A
        # channel that holds nothing but 0 (or codes outside its range) recorded no pulse at
        # all (a PSG input left unplugged): it is missing throughout, not a whole night
        # without a pulse.
        out[np.isin(out, tuple(v for v in SENTINELS if v != 0.0))] = np.nan
        if not np.any(np.isfinite(out) & (out != 0.0) & ~outside):
            out[:] = np.nan
    out.flags.writeable = False
    return out


def _no_valid_reason(label: str, values: NDArray[np.float64]) -> str:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return f"{label} holds no values (all blank or non-numeric)"
    uniq = np.unique(finite)
    if uniq.size == 1:
        v = float(uniq[0])
        hint = {
            -1.0: " (no oximeter was attached)",
            0.0: " (no finger / sensor off)",
            127.0: " (no finger / artefact)",
        }.get(v, "")
        return f"{label} is {v:g}{hint} throughout"
    shown = ", ".join(f"{float(x):g}" for x in uniq[:6])
    return f"{label} holds only missing-data markers ({shown})"


def _fraction_problem(label: str, spo2: NDArray[np.float64]) -> str:
    # fmin / fmax skip NaN (the values are finite or NaN after cleaning): no copy of the night
    lo, hi = float(np.fmin.reduce(spo2)), float(np.fmax.reduce(spo2))
    if not np.isnan(lo) and lo >= 0.0 and hi <= 1.0:
        return (
            f"SpO2 channel {label!r} holds values between {lo:g} and {hi:g}: a fraction, not "
            "percent (unit problem); pass --scale 100 if it is a fraction"
        )
    return ""


def _unit_scale(scale: float | None, path: str | os.PathLike[str]) -> float | None:
    """Return the power of ten ``--scale`` stands for, or refuse a factor that is not one."""
    scale = _check_option(scale, "--scale", path)
    if scale is None:
        return None
    power = round(math.log10(scale))
    if abs(math.log10(scale) - power) > 1e-9:
        # A unit conversion is a power of ten; any other factor moves every saturation (0.93
        # turns a night at 94 % into one at 87 %, under the 88 % line the rules read).
        raise RecordingFormatError(
            f"--scale {scale:g} is not a unit conversion: it must be a power of ten (100 for "
            "SpO2 stored as a fraction 0-1, 0.1 for tenths of a percent)",
            path,
        )
    # The power itself, as it is recorded: --scale 0.999999998 passed as 1 but was applied as
    # typed, and a saturation sitting on a threshold moved (an ODI4 event of 759 s read 768 s).
    return float(f"1e{power}")


def _scaled(
    spo2: NDArray[np.float64],
    scale: float,
    path: str | os.PathLike[str],
    step: float | None,
) -> NDArray[np.float64]:
    """Return ``spo2`` times ``scale``, or refuse a power of ten it overflows with.

    Rounded to 1e-9 as the EDF reader's conversion is: 0.565 * 100 is 56.49999999999999, which
    SPEC §7 rounds to 56 where the oximeter's 56.5 rounds to 57. A file's digital ``step`` is
    scaled too, and the values put on their tenths of a percent with it, as a file in percent
    is read (:func:`oximetry.io._base.snap_to_tenths`; a scaled step of 0.05 to 0.1 % is then
    judged by :func:`_coarse_spo2`, as a file's in percent): the file snaps tenths of its own unit,
    and 0.885 in a 16-bit EDF of 0-1 (0.88499275) was 88.499275 % after ``--scale 100``, at
    or below 88 % where the same night stored in percent reads 88.5 %. ``--scale 1e308`` made 96 %
    infinite (and 1e300 overflowed in the rounding): numpy printed its RuntimeWarning with a
    line of oxi's source before the one-line error, and the night was refused for "missing"
    samples, which the file does not lack (hunt 11).
    """
    with np.errstate(over="ignore"):  # said below, as bad input naming the option
        out = np.round(spo2 * scale, 9)
    lost = np.isfinite(spo2) & ~np.isfinite(out)
    if lost.any():
        value = float(spo2[np.argmax(lost)])
        raise RecordingFormatError(
            f"--scale {scale:g} is not a unit conversion: SpO2 {value:g} times {scale:g} "
            "overflows (100 converts SpO2 stored as a fraction 0-1, 0.1 tenths of a percent)",
            path,
        )
    if step is not None:
        snap_to_tenths(out, step * scale)
    return out


@dataclass
class _Prepared:
    raw: RawRecording
    digest: str
    roles: list[str]
    notes: list[str]
    choice: ChannelChoice | None
    problem: str
    spo2: NDArray[np.float64] | None
    arrays: dict[int, NDArray[np.float64]]


def _prepare(
    path: str | os.PathLike[str],
    channel: str | None,
    fs: float | None,
    scale: float | None,
    *,
    strict: bool,
) -> _Prepared:
    fs = _check_option(fs, "--fs", path)
    if fs is not None and not MIN_FS_HZ <= fs <= MAX_FS_HZ:
        raise RecordingFormatError(f"--fs {fs:g} is outside {MIN_FS_HZ:g}-{MAX_FS_HZ:g} Hz", path)
    scale = _unit_scale(scale, path)
    raw, digest = _open(path, fs)
    labels = [c.label for c in raw.channels]
    units = [c.unit for c in raw.channels]
    classified = classify_all(labels, units)
    roles = [role for role, _ in classified]
    notes = [note for _, note in classified]
    try:
        choice: ChannelChoice | None = pick_channels(labels, units, roles, channel)
    except LookupError as exc:
        if strict:
            # The candidates' labels are the recorder's words, and the way to choose one with
            # --channel: withheld with everything quoted, a de-identified run's "several SpO2
            # channels ('…', '…')" could not be acted on. A label a technician typed the
            # patient's name into is still redacted, with or without --deidentify (a terminal
            # is a log, SPEC §10: "('SpO2 Quackenbush', ...)" was printed whole without it).
            shown = raw.patient.redact(str(exc))
            raise ChannelNotFoundError(shown, path, deidentified=shown) from None
        return _Prepared(raw, digest, roles, notes, None, str(exc), None, {})
    assert choice is not None
    if raw.channels[choice.spo2].fs is None:
        problem = (
            "the file has no time stamps, so the sampling rate is unknown; pass --fs with the "
            "rate in Hz (e.g. --fs 0.5 for one sample every 2 s)"
        )
        if strict:
            raise RecordingFormatError(problem, path)
        return _Prepared(raw, digest, roles, notes, choice, problem, None, {})
    wanted = [i for i in (choice.spo2, choice.pulse, choice.status) if i is not None]
    for i in wanted:  # before anything is allocated
        ch = raw.channels[i]
        if ch.fs is not None:
            check_rate(ch.fs, ch.n_samples, f"signal {ch.label!r}", path)
    arrays = raw.load(wanted)
    # cleaned in place (no copy of the night); the raw values are read again only to say why
    # a channel holds no valid oximetry
    spo2 = _clean(arrays[choice.spo2], "spo2", raw, choice.spo2)
    step = raw.channels[choice.spo2].step
    # the label as a message names it: the recorder's words, shown as --channel needs them, but
    # redacted of the header's identifiers with or without --deidentify (an EDF label "SpO2
    # Zyxwvu" beside the patient Zyxwvu Qwerty was printed whole)
    label = raw.patient.redact(raw.channels[choice.spo2].label)
    problem = ""
    if not np.isfinite(spo2).any():
        raw_spo2 = raw.load([choice.spo2])[choice.spo2]
        problem = "no valid oximetry: " + _no_valid_reason(label, raw_spo2)
        if strict:
            raise InsufficientDataError(problem, path, deidentified=problem)
    elif scale is not None:
        spo2 = _scaled(spo2, scale, path, step)
    else:
        problem = _fraction_problem(label, spo2)
        if problem and strict:
            raise RecordingFormatError(problem, path, deidentified=problem)
    if not problem and step is not None:
        spo2, problem = _coarse_spo2(label, spo2, step * (1.0 if scale is None else scale))
        if problem and strict:
            raise RecordingFormatError(problem, path, deidentified=problem)
    return _Prepared(raw, digest, roles, notes, choice, problem, spo2, arrays)


def _coarse_spo2(
    label: str, spo2: NDArray[np.float64], step: float
) -> tuple[NDArray[np.float64], str]:
    """Return SpO2 stored at a coarse digital ``step`` as whole percents, or why it cannot be.

    From 0.05 to under 0.1 % a step (:func:`oximetry.io._base.is_coarse_step`), a code may be
    either of two tenths, as the writer truncated (EDFlib, pyedflib) or rounded: 89.5 or 89.4
    over 0..1023 of 0-100 %. Read as either, one writer's files gave a wrong QUALIFIED (89.5
    read 89.4 at or below 89 %; 89.9 read 90.0 met Medicare Group III's 90 % or more; hunt 15).
    Whole percents are exact under both (:func:`oximetry.io._base.whole_percents`); anything
    finer is refused. ``spo2`` is returned unchanged at any other step.

    Parameters
    ----------
    label : str
        The SpO2 channel's label, for the message.
    spo2 : numpy.ndarray of float
        The cleaned SpO2 values in percent (after ``--scale``).
    step : float
        One digital step in percent (the file's step times ``--scale``).

    Returns
    -------
    numpy.ndarray
        The values, as whole percents where the step is coarse.
    str
        Empty, or the reason the channel cannot be read.
    """
    if not is_coarse_step(step):
        return spo2, ""
    whole = whole_percents(spo2, step)
    if whole is None:
        return spo2, (
            f"SpO2 channel {label!r} is stored in steps of {step:.3g} %, too coarse to tell its "
            "tenths apart (89.4 from 89.5): export it with whole percents or a finer digital "
            "range"
        )
    return whole, ""


def _channel_infos(prep: _Prepared) -> tuple[ChannelInfo, ...]:
    choice = prep.choice
    chosen = {}
    if choice is not None:
        chosen[choice.spo2] = f"analysed as SpO2 ({choice.why})"
        if choice.pulse is not None:
            chosen[choice.pulse] = "analysed as pulse rate"
        if choice.status is not None:
            chosen[choice.status] = "oximeter status: non-zero marks samples invalid"
        for i in _untied_statuses(prep) if len(_untied_statuses(prep)) > 1 else ():
            chosen[i] = (
                "oximeter status, none tied to the SpO2: a non-zero value of any marks samples invalid"
            )
    out = []
    for i, ch in enumerate(prep.raw.channels):
        note = chosen.get(i, prep.notes[i])
        if i not in chosen and prep.roles[i] in ("spo2", "pulse", "status"):
            note = f"{prep.notes[i]}; not used"
        out.append(
            ChannelInfo(
                label=ch.label,
                unit=ch.unit,
                fs=ch.fs,
                n_samples=ch.n_samples,
                role=prep.roles[i],
                selected=i in chosen,
                note=note,
            )
        )
    return tuple(out)


def read_recording(
    path: str | os.PathLike[str],
    *,
    channel: str | None = None,
    fs: float | None = None,
    scale: float | None = None,
) -> Recording:
    """Read an oximetry recording (EDF/EDF+, or a CSV/text export) into a :class:`Recording`.

    The format is recognised from the file's content, not its name. The input file is only
    read, never modified.

    Parameters
    ----------
    path : str or PathLike
        The recording.
    channel : str, optional
        Label of the SpO2 channel to use (``--channel``); needed when a file holds several.
    fs : float, optional
        Sampling rate in Hz (``--fs``) for files without time stamps (e.g. ``Sats,Rate``).
    scale : float, optional
        Multiply SpO2 by this (``--scale 100`` for SpO2 stored as a fraction 0–1): a power of
        ten, applied and recorded as the exact power (``0.999999998`` is 1); any other factor
        is refused, and so is one that takes a saturation beyond any float (``1e308``).

    Returns
    -------
    Recording
        SpO2 in percent (NaN = missing), pulse and status when present, annotations, patient
        fields and a :class:`SourceInfo` saying how the file was read.

    Raises
    ------
    RecordingFormatError
        The file is missing, empty, a directory, of an unknown format, malformed or truncated,
        its time goes backwards, it needs ``--fs``, or its SpO2 looks like a fraction; or
        ``scale`` is no power of ten, or overflows the SpO2 values.
    ChannelNotFoundError
        No SpO2 channel, or several and no ``--channel``.
    UnsupportedEDFError
        An EDF variant that cannot be read faithfully.
    InsufficientDataError
        The SpO2 channel holds no valid value at all (``no valid oximetry: ...``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from oximetry import read_recording
    >>> from oximetry.simulate import simulate_night, write_edf
    >>> night, _ = simulate_night(fs=1.0, duration_s=3600, seed=2)
    >>> path = write_edf(night, pathlib.Path(tempfile.mkdtemp()) / "night.edf")
    >>> recording = read_recording(path)
    >>> recording.spo2.label, recording.fs, recording.spo2.n_samples
    ('SpO2', 1.0, 3600)
    """
    prep = _prepare(path, channel, fs, scale, strict=True)
    # the scale recorded as applied: the power of ten it stands for
    options: dict[str, Any] = {"channel": channel, "fs": fs, "scale": _unit_scale(scale, path)}
    if _ignored_fs(prep.raw, fs, None) is not None:
        # The file's own rate was used: read_options.fs says so (None), and the --fs given is
        # kept apart for oxi verify to pass again (it repeats this warning). A Contec .SpO2
        # read with --fs 4 recorded fs 4.0 beside fs_hz 1.0, without a word.
        options.update(fs=None, fs_ignored=fs)
    return _build(prep, options)


def _ignored_fs(raw: RawRecording, fs: float | None, spo2_fs: float | None) -> str | None:
    """Return the warning that ``--fs`` was ignored, or None when it was used or not given.

    Only a text export without time stamps takes its rate from ``--fs``; every other file gives
    its own (EDF and binary headers, time stamps), and ``--fs`` is then ignored, with a word:
    Contec ``.SpO2`` and WFDB files ignored it silently while a time-stamped CSV warned.

    Parameters
    ----------
    raw : RawRecording
        The file as read.
    fs : float or None
        The ``--fs`` given.
    spo2_fs : float or None
        The rate of the SpO2 channel analysed (None when there is none).

    Returns
    -------
    str or None
        E.g. ``--fs 4 ignored: the file's header gives its rate (SpO2 at 1 Hz)``.
    """
    if fs is None or raw.extra.get("needs_fs") is True:
        return None
    rate = "" if not spo2_fs else f" (SpO2 at {spo2_fs:g} Hz)"
    if raw.extra.get("needs_fs") is False:  # a text export with time stamps
        return f"--fs {fs:g} ignored: the file's time stamps give its rate{rate}"
    if raw.format.startswith(("edf", "bdf", "resmed")):
        return f"--fs {fs:g} ignored: EDF headers give each channel's rate{rate}"
    return f"--fs {fs:g} ignored: the file's header gives its rate{rate}"


def _device(raw: RawRecording) -> str:
    """Return the file's device field with the header's identifiers replaced by ``[redacted]``.

    An EDF's equipment field is free text a technician types at the recorder, and sometimes
    holds the patient's name: the same redaction for ``oxi info`` and for the recording every
    output names its device from (join errors, summary.json, the report).
    """
    return raw.patient.redact(raw.device)


def _untied_statuses(prep: _Prepared) -> list[int]:
    """Return the status channels when none is tied to the SpO2 channel (else none)."""
    if prep.choice is None or prep.choice.status is not None:
        return []
    spo2 = prep.raw.channels[prep.choice.spo2].label
    return [
        i
        for i, role in enumerate(prep.roles)
        if role == "status" and not other_device(spo2, prep.raw.channels[i].label)
    ]


def _any_status(prep: _Prepared, which: Sequence[int]) -> Signal:
    """Return one status that flags a sample where any of the ``which`` channels flags it.

    Two status channels with none tied to the SpO2 channel (``OxStat`` and ``SpO2 Status``)
    were both left out, without a word, and 6 min at 84 % that both flagged qualified a night
    (hunt 13): which of them is the SpO2's own cannot be told, so a flag of either counts.

    Raises
    ------
    RecordingFormatError
        When the channels differ in rate or length (no one time axis for the flags).
    """
    raw = prep.raw
    chans = [raw.channels[i] for i in which]
    labels = ", ".join(repr(c.label) for c in chans)
    fs = chans[0].fs
    if len({(c.fs, c.n_samples) for c in chans}) > 1 or not fs:
        raise RecordingFormatError(
            f"{len(chans)} oximeter status channels ({labels}) of different rates or lengths "
            "and none tied to the SpO2 channel: which flags the SpO2 cannot be told",
            raw.path,
        )
    for c in chans:
        check_rate(fs, c.n_samples, f"signal {c.label!r}", raw.path)
    loaded = raw.load(which)
    flags = np.column_stack([_clean(loaded[i], "status", raw, i) for i in which])
    data = np.where(np.isnan(flags).all(axis=1), np.nan, 0.0)
    data[np.any(np.isfinite(flags) & (flags != 0), axis=1)] = 1.0
    data.flags.writeable = False
    return Signal(label=" | ".join(c.label for c in chans), unit="", fs=float(fs), data=data)


def _build(prep: _Prepared, options: Mapping[str, Any]) -> Recording:
    raw, choice = prep.raw, prep.choice
    if choice is None or prep.spo2 is None:  # strict mode raised already
        raise RecordingFormatError(prep.problem or "no SpO2 channel", raw.path)
    sch = raw.channels[choice.spo2]
    prep.spo2.flags.writeable = False  # ours (cleaned or scaled copy): no second copy in Signal
    spo2 = Signal(label=sch.label, unit=sch.unit or "%", fs=float(sch.fs or 0), data=prep.spo2)
    pulse = status = None
    if choice.pulse is not None and raw.channels[choice.pulse].fs:
        pch = raw.channels[choice.pulse]
        pdata = _clean(prep.arrays[choice.pulse], "pulse", raw, choice.pulse)
        pulse = Signal(label=pch.label, unit=pch.unit, fs=float(pch.fs or 0), data=pdata)
    if choice.status is not None and raw.channels[choice.status].fs:
        stc = raw.channels[choice.status]
        sdata = _clean(prep.arrays[choice.status], "status", raw, choice.status)
        status = Signal(label=stc.label, unit=stc.unit, fs=float(stc.fs or 0), data=sdata)
    elif len(_untied_statuses(prep)) > 1:
        status = _any_status(prep, _untied_statuses(prep))
    warnings = list(raw.warnings)
    pulses = [c.label for c, r in zip(raw.channels, prep.roles, strict=True) if r == "pulse"]
    if pulse is None and len(pulses) > 1:
        warnings.append(
            f"{len(pulses)} pulse-rate channels ({', '.join(map(repr, pulses))}) and none tied "
            "to the SpO2 channel: no pulse figures, and no rule 4b (pulse outside 25-250 bpm)"
        )
    elif pulse is None and pulses:
        warnings.append(
            f"pulse-rate channel {pulses[0]!r} is another device's than SpO2 channel "
            f"{sch.label!r}: no pulse figures, and no rule 4b (pulse outside 25-250 bpm)"
        )
    if options.get("scale") is not None:
        warnings.append(f"SpO2 multiplied by {options['scale']:g} (--scale)")
    fs_warning = _ignored_fs(raw, options.get("fs_ignored"), spo2.fs)
    if fs_warning is not None:
        warnings.append(fs_warning)
    source = SourceInfo(
        path=path_text(raw.path),
        sha256=prep.digest,
        format=raw.format,
        # redacted as oxi info shows it, for every output: the join error of a night whose EDF
        # equipment field read "Zyxwvu_Oximeter" (header name "Zyxwvu_Qwertyname") quoted
        # 'Zyxwvu Oximeter' where oxi info said "[redacted] Oximeter" (hunt 11)
        device=_device(raw),
        channels=_channel_infos(prep),
        spo2_channel=sch.label,
        selection=choice.why,
        read_options=dict(options),
        date_known=raw.date_known,
        clock_known=raw.clock_known,
        vendor_summary=dict(raw.extra.get("vendor_summary") or {}),
        companions=tuple(
            CompanionFile(path_text(p), d) for p, d in raw.extra.get("companions") or ()
        ),
        clock_changes_s=tuple(float(t) for t in raw.extra.get("clock_changes_s") or ()),
        possible_dates=tuple(raw.extra.get("possible_dates") or ()),
    )
    return Recording(
        spo2=spo2,
        start=raw.start,
        source=source,
        pulse=pulse,
        status=status,
        annotations=raw.annotations,
        patient=raw.patient,
        warnings=tuple(warnings),
    )


def inspect_recording(
    path: str | os.PathLike[str],
    *,
    channel: str | None = None,
    fs: float | None = None,
    scale: float | None = None,
) -> RecordingInfo:
    """Describe a recording for ``oxi info`` without requiring it to be analysable.

    Parameters
    ----------
    path : str or PathLike
        The recording.
    channel, fs, scale : optional
        As for :func:`read_recording`.

    Returns
    -------
    RecordingInfo
        Format, channels, which would be analysed and why, start, duration, valid-looking
        fraction, annotation counts; ``problem`` says why it cannot be analysed (no valid
        oximetry, no SpO2 channel, rate unknown ...).

    Raises
    ------
    RecordingFormatError
        When the file cannot be read at all (missing, empty, unknown format, truncated), or
        ``fs`` or ``scale`` is refused as by :func:`read_recording`.
    """
    prep = _prepare(path, channel, fs, scale, strict=False)
    raw, choice = prep.raw, prep.choice
    spo2_label = None
    fs_spo2 = duration = frac = None
    if choice is not None:
        sch = raw.channels[choice.spo2]
        spo2_label = sch.label
        fs_spo2 = sch.fs
        if sch.fs:
            duration = sch.n_samples / sch.fs
    if prep.spo2 is not None:
        x = prep.spo2
        ok = np.isfinite(x) & (x >= 50) & (x <= 100)
        frac = float(ok.mean()) if x.size else 0.0
        if fs_spo2:
            duration = x.size / fs_spo2
    if choice is None:
        rated = [c for c in raw.channels if c.fs]
        if rated:
            duration = max(c.n_samples / float(c.fs or 1) for c in rated)
    counts = Counter(classify_annotation(a.text) for a in raw.annotations)
    # oxi info's terminal is a log (SPEC §10): a label typed with the patient's name ("SpO2
    # Quackenbush", header Quackenbush_Zebulon) was printed whole, where the device field and
    # an error quoting the label say "[redacted]"
    redact = raw.patient.redact
    selection = redact_quoted(choice.why, redact) if choice is not None else redact(prep.problem)
    channels = tuple(
        replace(c, label=redact(c.label), note=redact_quoted(c.note, redact))
        for c in _channel_infos(prep)
    )
    return RecordingInfo(
        path=path_text(path),
        format=raw.format,
        device=_device(raw),
        channels=channels,
        spo2_channel=None if spo2_label is None else redact(spo2_label),
        selection=selection,
        start=raw.start,
        date_known=raw.date_known,
        clock_known=raw.clock_known,
        fs=fs_spo2,
        duration_s=duration,
        valid_fraction=frac,
        problem=redact(prep.problem),
        annotation_counts=dict(sorted(counts.items())),
        warnings=tuple(
            redact_quoted(w, redact)
            for w in (*raw.warnings, *filter(None, [_ignored_fs(raw, fs, fs_spo2)]))
        ),
    )
