"""EDF and EDF+ recordings (SPEC §2.1).

The header is parsed and checked here first (so a truncated or malformed file gets a clear
message instead of a library error), including its size against the number of data records.
The data records are then read directly from the memory-mapped file: an EDF or EDF+C signal is
its slice of every record in order; EDF+ annotations are parsed from the records' TALs. EDF+D
(discontinuous) records are placed at the onsets given by their time-keeping annotations, and the
time between records becomes missing data; an EDF+D file is never read as if continuous. BDF
(24-bit) files are read with ``pyedflib``. Tests check the signals and annotations read here
equal pyedflib's on every EDF/EDF+C fixture and real file pyedflib can open.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from oximetry.errors import RecordingFormatError, UnsupportedEDFError
from oximetry.io._base import MAX_DURATION_S, MAX_FS_HZ, RawChannel, RawRecording
from oximetry.model import Annotation, PatientInfo

__all__ = ["EdfHeader", "parse_header", "read_edf", "sniff_edf"]

_ANNOT_LABEL = "EDF Annotations"
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    )
}


@dataclass(frozen=True)
class EdfSignalHeader:
    """One signal's header fields."""

    label: str
    transducer: str
    unit: str
    phys_min: float
    phys_max: float
    dig_min: int
    dig_max: int
    prefilter: str
    samples_per_record: int


@dataclass(frozen=True)
class EdfHeader:
    """The parts of an EDF(+) header oxi uses."""

    bdf: bool
    variant: str  # "edf", "edf+c", "edf+d"
    patient_field: str
    recording_field: str
    start: _dt.datetime
    header_bytes: int
    n_records: int
    record_duration_s: float
    signals: tuple[EdfSignalHeader, ...]

    @property
    def bytes_per_sample(self) -> int:
        """2 for EDF, 3 for BDF."""
        return 3 if self.bdf else 2

    @property
    def record_bytes(self) -> int:
        """Bytes in one data record."""
        return sum(s.samples_per_record for s in self.signals) * self.bytes_per_sample


def sniff_edf(head: bytes) -> bool:
    """Return True when ``head`` starts like an EDF or BDF header."""
    return head[:8] == b"0       " or head[:8] == b"\xffBIOSEMI"


def _field(raw: bytes, start: int, length: int) -> str:
    return raw[start : start + length].decode("latin-1").strip()


def _number(text: str, what: str, path: Path, *, integer: bool = False) -> float:
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        raise RecordingFormatError(
            f"not a valid EDF header: {what} is {text!r}, expected a number", path
        ) from None
    if not math.isfinite(value):
        raise RecordingFormatError(f"not a valid EDF header: {what} is {text!r}", path)
    return value


def _start_time(date: str, time: str, recording_field: str, path: Path) -> _dt.datetime:
    m_d = re.fullmatch(r"(\d\d)\.(\d\d)\.(\d\d)", date)
    m_t = re.fullmatch(r"(\d\d)\.(\d\d)\.(\d\d)", time)
    if not m_d or not m_t:
        raise RecordingFormatError(
            f"not a valid EDF header: start date/time {date!r} {time!r}, expected dd.mm.yy hh.mm.ss",
            path,
        )
    day, month, yy = (int(x) for x in m_d.groups())
    year = 1900 + yy if yy >= 85 else 2000 + yy
    # EDF+ puts a four-digit year in the recording field ("Startdate 02-MAR-2002 ...").
    m_plus = re.match(r"Startdate\s+(\d\d)-([A-Z]{3})-(\d{4})", recording_field.upper())
    if m_plus and m_plus.group(2) in _MONTHS:
        year = int(m_plus.group(3))
    try:
        hh, mi, ss = (int(x) for x in m_t.groups())
        return _dt.datetime(year, month, day, hh, mi, ss)
    except ValueError:
        raise RecordingFormatError(
            f"not a valid EDF header: start {date!r} {time!r} is not a real date and time", path
        ) from None


def parse_header(raw: bytes, path: Path, file_size: int) -> EdfHeader:
    """Parse and check an EDF(+)/BDF header.

    Parameters
    ----------
    raw : bytes
        At least the full header (256 bytes plus 256 per signal).
    path : Path
        The file, for messages.
    file_size : int
        Size of the file in bytes, to detect truncation.

    Returns
    -------
    EdfHeader
        The checked header.

    Raises
    ------
    RecordingFormatError
        When a field is malformed or the file is shorter or longer than the header says.
    """
    if len(raw) < 256:
        raise RecordingFormatError(
            f"truncated EDF: the file has {file_size} bytes, less than the 256-byte header", path
        )
    bdf = raw[:8] == b"\xffBIOSEMI"
    reserved = _field(raw, 192, 44).upper()
    variant = (
        "edf+d"
        if reserved.startswith("EDF+D")
        else "edf+c"
        if reserved.startswith("EDF+C")
        else "edf"
    )
    if bdf:
        variant = variant.replace("edf", "bdf")
    ns = int(_number(_field(raw, 252, 4), "the number of signals", path, integer=True))
    if not 1 <= ns <= 4096:
        raise RecordingFormatError(f"not a valid EDF header: {ns} signals", path)
    header_bytes = int(_number(_field(raw, 184, 8), "the header size", path, integer=True))
    if header_bytes != 256 * (ns + 1):
        raise RecordingFormatError(
            f"not a valid EDF header: header size {header_bytes} bytes, expected {256 * (ns + 1)}"
            f" for {ns} signals",
            path,
        )
    if len(raw) < header_bytes:
        raise RecordingFormatError(
            f"truncated EDF: the file has {file_size} bytes, less than its {header_bytes}-byte header",
            path,
        )
    n_records = int(_number(_field(raw, 236, 8), "the number of data records", path, integer=True))
    duration = _number(_field(raw, 244, 8), "the data record duration", path)
    if duration < 0:
        raise RecordingFormatError(f"not a valid EDF header: record duration {duration} s", path)
    if 0 < duration < 1 / MAX_FS_HZ:
        raise RecordingFormatError(
            f"not a valid EDF header: record duration {duration:.3g} s is shorter than one sample "
            f"at {MAX_FS_HZ:g} Hz",
            path,
        )
    if n_records * duration > MAX_DURATION_S:
        raise RecordingFormatError(
            f"not a valid EDF header: {n_records} data records of {duration:.6g} s last "
            f"{n_records * duration / 86400:.3g} days; more than {MAX_DURATION_S / 86400:g} days is "
            "not a recording",
            path,
        )
    digital_lo, digital_hi = (-(1 << 23), (1 << 23) - 1) if bdf else (-(1 << 15), (1 << 15) - 1)

    def col(offset: int, width: int) -> list[str]:
        base = 256 + offset * ns
        return [_field(raw, base + i * width, width) for i in range(ns)]

    labels = col(0, 16)
    transducers = col(16, 80)
    units = col(96, 8)
    pmins, pmaxs = col(104, 8), col(112, 8)
    dmins, dmaxs = col(120, 8), col(128, 8)
    prefilters = col(136, 80)
    sprs = col(216, 8)
    signals = []
    for i in range(ns):
        what = f"signal {labels[i]!r}"
        sig = EdfSignalHeader(
            label=labels[i],
            transducer=transducers[i],
            unit=units[i],
            phys_min=_number(pmins[i], f"{what} physical minimum", path),
            phys_max=_number(pmaxs[i], f"{what} physical maximum", path),
            dig_min=int(_number(dmins[i], f"{what} digital minimum", path, integer=True)),
            dig_max=int(_number(dmaxs[i], f"{what} digital maximum", path, integer=True)),
            prefilter=prefilters[i],
            samples_per_record=int(
                _number(sprs[i], f"{what} samples per record", path, integer=True)
            ),
        )
        if sig.samples_per_record < 1:
            raise RecordingFormatError(
                f"not a valid EDF header: {what} has {sig.samples_per_record} samples per record",
                path,
            )
        if not (digital_lo <= sig.dig_min and sig.dig_max <= digital_hi):
            raise RecordingFormatError(
                f"not a valid EDF header: {what} digital range {sig.dig_min} to {sig.dig_max} is "
                f"outside the {'24' if bdf else '16'}-bit range {digital_lo} to {digital_hi}",
                path,
            )
        if sig.dig_min >= sig.dig_max:
            raise RecordingFormatError(
                f"not a valid EDF header: {what} digital minimum {sig.dig_min} is not below its "
                f"maximum {sig.dig_max}",
                path,
            )
        if sig.phys_min == sig.phys_max:
            raise RecordingFormatError(
                f"not a valid EDF header: {what} physical minimum equals its maximum ({sig.phys_min})",
                path,
            )
        signals.append(sig)
    hdr = EdfHeader(
        bdf=bdf,
        variant=variant,
        patient_field=_field(raw, 8, 80),
        recording_field=_field(raw, 88, 80),
        start=_start_time(_field(raw, 168, 8), _field(raw, 176, 8), _field(raw, 88, 80), path),
        header_bytes=header_bytes,
        n_records=n_records,
        record_duration_s=duration,
        signals=tuple(signals),
    )
    if n_records < 1:
        raise RecordingFormatError(
            f"EDF header gives {n_records} data records (a header without data, or a recording "
            "that was not closed properly)",
            path,
        )
    expected = header_bytes + n_records * hdr.record_bytes
    if file_size < expected:
        raise RecordingFormatError(
            f"truncated EDF: the header declares {n_records} data records ({expected} bytes) but the"
            f" file has {file_size} bytes",
            path,
        )
    if file_size > expected:
        raise RecordingFormatError(
            f"malformed EDF: the header declares {n_records} data records ({expected} bytes) but the"
            f" file has {file_size} bytes",
            path,
        )
    return hdr


def _patient(hdr: EdfHeader) -> PatientInfo:
    """Read the patient field (EDF+: code sex birthdate name; plain EDF: free text)."""
    text = hdr.patient_field
    parts = text.split()
    plus = hdr.variant != "edf" or hdr.recording_field.startswith("Startdate")
    if not plus or len(parts) < 4:
        return PatientInfo(name=text or None)

    def known(value: str) -> str | None:
        return None if value in ("X", "x", "") else value.replace("_", " ")

    birth: _dt.date | None = None
    m = re.fullmatch(r"(\d\d)-([A-Za-z]{3})-(\d{4})", parts[2])
    if m and m.group(2).upper() in _MONTHS:
        with contextlib.suppress(ValueError):
            birth = _dt.date(int(m.group(3)), _MONTHS[m.group(2).upper()], int(m.group(1)))
    sex = {"F": "F", "M": "M"}.get(parts[1].upper())
    return PatientInfo(name=known(parts[3]), code=known(parts[0]), sex=sex, birth_date=birth)


def _device(hdr: EdfHeader) -> str:
    parts = hdr.recording_field.split()
    if len(parts) >= 5 and parts[0] == "Startdate" and parts[4] not in ("X", "x"):
        return parts[4].replace("_", " ")
    return ""


def _valid_range(sig: EdfSignalHeader) -> tuple[float, float]:
    lo, hi = sorted((sig.phys_min, sig.phys_max))
    half = abs(sig.phys_max - sig.phys_min) / (sig.dig_max - sig.dig_min) / 2
    return lo - half, hi + half


def _physical(digital: NDArray[np.integer], sig: EdfSignalHeader) -> NDArray[np.float64]:
    return _to_physical(digital.astype(np.float64), sig)


def _to_physical(values: NDArray[np.float64], sig: EdfSignalHeader) -> NDArray[np.float64]:
    """Turn digital values (as floats) into physical ones in place and return the array."""
    gain = (sig.phys_max - sig.phys_min) / (sig.dig_max - sig.dig_min)
    # (digital - dig_min) * gain + phys_min, each step in place: one array, not three
    values -= sig.dig_min
    values *= gain
    values += sig.phys_min
    return values


def read_edf(path: Path, head: bytes, file_size: int) -> RawRecording:
    """Read an EDF/EDF+/BDF file's header, channels and annotations.

    Parameters
    ----------
    path : Path
        The file.
    head : bytes
        The file's first bytes (at least 256, more when available).
    file_size : int
        Size in bytes.

    Returns
    -------
    RawRecording
        Channels (with a loader that reads their samples on demand), start time, annotations,
        patient fields and device.

    Raises
    ------
    RecordingFormatError, UnsupportedEDFError
        When the file is malformed or an unsupported variant.
    """
    if len(head) >= 256:
        try:
            ns = int(head[252:256].decode("latin-1").strip())
        except ValueError:
            ns = 0
        need = 256 * (max(ns, 0) + 1)
        if 0 < ns <= 4096 and len(head) < need:
            with path.open("rb") as fh:
                head = fh.read(need)
    hdr = parse_header(head, path, file_size)
    data_idx = [i for i, s in enumerate(hdr.signals) if s.label != _ANNOT_LABEL]
    if not data_idx:
        raise RecordingFormatError("EDF file holds annotations only, no signals", path)
    if hdr.record_duration_s <= 0:
        raise RecordingFormatError(
            f"EDF record duration is {hdr.record_duration_s} s, so no sampling rate can be derived",
            path,
        )
    channels = [
        RawChannel(
            label=hdr.signals[i].label,
            unit=hdr.signals[i].unit,
            fs=hdr.signals[i].samples_per_record / hdr.record_duration_s,
            n_samples=hdr.signals[i].samples_per_record * hdr.n_records,
            valid_range=_valid_range(hdr.signals[i]),
        )
        for i in data_idx
    ]
    warnings: list[str] = []
    if hdr.variant.endswith("+d"):
        if hdr.bdf:
            raise UnsupportedEDFError(
                "BDF+D (discontinuous) files are not supported; convert to BDF+C or EDF+C first",
                path,
            )
        onsets, annotations = _read_tals(path, hdr)
        # Re-express the channel lengths on the true time axis (records placed at their onsets).
        t0 = float(onsets[0])
        starts = _record_starts(onsets, hdr, path)
        gap_s = float(np.sum(np.diff(onsets) - hdr.record_duration_s))
        if gap_s > 0:
            n_gaps = int(np.sum(np.diff(onsets) - hdr.record_duration_s > 1e-6))
            warnings.append(
                f"EDF+D: {n_gaps} gap(s) between data records ({gap_s:.0f} s in all) kept as "
                "missing data"
            )
        for ch, i in zip(channels, data_idx, strict=True):
            spr = hdr.signals[i].samples_per_record
            ch.n_samples = round(float(starts[-1]) * spr / hdr.record_duration_s) + spr
        start = hdr.start + _dt.timedelta(seconds=t0)
        annotations = tuple(Annotation(a.onset_s - t0, a.duration_s, a.text) for a in annotations)

        def load_d(which: Sequence[int]) -> dict[int, NDArray[np.float64]]:
            return _load_discontinuous(path, hdr, [data_idx[k] for k in which], starts, which)

        loader = load_d
    else:
        t0, annotations = _contiguous_annotations(path, hdr)
        start = hdr.start + _dt.timedelta(seconds=t0)
        if hdr.bdf:

            def load_bdf(which: Sequence[int]) -> dict[int, NDArray[np.float64]]:
                return _load_pyedflib(path, hdr, data_idx, which)

            loader = load_bdf
        else:

            def load_c(which: Sequence[int]) -> dict[int, NDArray[np.float64]]:
                return _load_contiguous(path, hdr, [data_idx[k] for k in which], which)

            loader = load_c
    return RawRecording(
        path=str(path),
        format=hdr.variant,
        device=_device(hdr),
        start=start,
        date_known=True,
        channels=channels,
        load=loader,
        annotations=annotations,
        patient=_patient(hdr),
        warnings=warnings,
    )


@contextlib.contextmanager
def _pyedflib_reader(path: Path):  # type: ignore[no-untyped-def]
    import pyedflib

    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink):
            reader = pyedflib.EdfReader(str(path))
    except (OSError, ValueError, RuntimeError, UnicodeDecodeError) as exc:
        reason = " ".join(str(exc).replace(str(path), "").split()).strip(" :")
        raise RecordingFormatError(f"pyedflib cannot read this EDF ({reason})", path) from None
    try:
        yield reader
    finally:
        reader.close()


def _load_pyedflib(
    path: Path, hdr: EdfHeader, data_idx: list[int], which: Sequence[int]
) -> dict[int, NDArray[np.float64]]:
    out: dict[int, NDArray[np.float64]] = {}
    with _pyedflib_reader(path) as reader:
        n = reader.signals_in_file
        if n != len(data_idx):
            raise RecordingFormatError(
                f"pyedflib sees {n} signals where the header lists {len(data_idx)}", path
            )
        for k in which:
            sig = hdr.signals[data_idx[k]]
            try:
                digital = np.asarray(reader.readSignal(k, digital=True), dtype=np.int64)
            except (OSError, ValueError, RuntimeError) as exc:
                raise RecordingFormatError(
                    f"cannot read signal {sig.label!r} ({exc})", path
                ) from None
            out[k] = _physical(digital, sig)
    return out


def _contiguous_annotations(path: Path, hdr: EdfHeader) -> tuple[float, tuple[Annotation, ...]]:
    """Return the first record's onset and the annotations of a continuous EDF/EDF+C/BDF file.

    Onsets are seconds from the first sample (EDF+ counts them from the header's start time;
    the first record's time-keeping TAL says where the data begin, usually at 0). EDF+C
    annotations are read from the data records (:func:`_continuous_tals`), with the TAL grammar
    used for EDF+D. A BDF is opened with pyedflib here (it is also read with it), so a refusal
    shows before any data is loaded. A plain EDF has no annotations.
    """
    if hdr.bdf:
        return 0.0, _pyedflib_annotations(path, plus="+" in hdr.variant)
    if hdr.variant == "edf":
        return 0.0, ()
    return _continuous_tals(path, hdr)


def _load_contiguous(
    path: Path, hdr: EdfHeader, sig_idx: list[int], which: Sequence[int]
) -> dict[int, NDArray[np.float64]]:
    """Read signals of a continuous 16-bit EDF straight from its data records.

    The header has been checked against the file size, so the records map exactly; each
    signal's digital values are its slice of every record, in order (the time axis of an EDF
    or EDF+C). This is the layout pyedflib reads, without its per-record calls.
    """
    recs = _records(path, hdr)
    offsets = np.cumsum([0] + [s.samples_per_record for s in hdr.signals])
    out: dict[int, NDArray[np.float64]] = {}
    for k, i in zip(which, sig_idx, strict=True):
        out[k] = _record_values(recs, offsets, i, hdr.signals[i])
    del recs
    return out


def _record_values(
    recs: NDArray[np.int16], offsets: NDArray[np.intp], i: int, sig: EdfSignalHeader
) -> NDArray[np.float64]:
    """Return signal ``i``'s physical values from every data record, in record order."""
    n_records = recs.shape[0]
    values = np.empty(n_records * sig.samples_per_record, dtype=np.float64)
    # digital values straight into the float array (records x samples per record)
    np.copyto(values.reshape(n_records, -1), recs[:, offsets[i] : offsets[i + 1]])
    return _to_physical(values, sig)


def _pyedflib_annotations(path: Path, *, plus: bool) -> tuple[Annotation, ...]:
    """Open the file with pyedflib (so a refusal shows early) and read EDF+ annotations."""
    with _pyedflib_reader(path) as reader:
        if not plus:
            return ()
        try:
            onsets, durations, texts = reader.readAnnotations()
        except (OSError, ValueError, RuntimeError, UnicodeDecodeError) as exc:
            raise RecordingFormatError(f"cannot read EDF+ annotations ({exc})", path) from None
    return tuple(
        Annotation(float(o), max(float(d), 0.0) if math.isfinite(float(d)) else 0.0, str(t))
        for o, d, t in zip(onsets, durations, texts, strict=True)
    )


def _records(path: Path, hdr: EdfHeader) -> NDArray[np.int16]:
    """Map the data records read-only (shape: records × samples per record)."""
    per = hdr.record_bytes // 2
    return np.memmap(
        path, dtype="<i2", mode="r", offset=hdr.header_bytes, shape=(hdr.n_records, per)
    )


def _read_tals(path: Path, hdr: EdfHeader) -> tuple[NDArray[np.float64], tuple[Annotation, ...]]:
    """Return each record's onset (from its time-keeping TAL) and the other annotations."""
    annot = [i for i, s in enumerate(hdr.signals) if s.label == _ANNOT_LABEL]
    if not annot:
        raise UnsupportedEDFError(
            "EDF+D file without an 'EDF Annotations' signal: the data records have no time stamps",
            path,
        )
    recs = _records(path, hdr)
    offsets = np.cumsum([0] + [s.samples_per_record for s in hdr.signals])
    onsets = np.empty(hdr.n_records)
    notes: list[Annotation] = []
    for r in range(hdr.n_records):
        onset = None
        for a in annot:
            block = recs[r, offsets[a] : offsets[a + 1]].tobytes()
            first = _parse_tals(block, r, path, notes)
            if onset is None:
                onset = first
        if onset is None:
            raise RecordingFormatError(
                f"EDF+D data record {r + 1} has no time-keeping annotation", path
            )
        onsets[r] = onset
    return onsets, tuple(notes)


def _parse_tals(block: bytes, r: int, path: Path, notes: list[Annotation]) -> float | None:
    """Append the annotations of one record's annotation bytes; return its first TAL's onset."""
    first = None
    for tal in block.split(b"\x00"):
        if not tal:
            continue
        parts = tal.split(b"\x14")
        head = parts[0].split(b"\x15")
        try:
            onset = float(head[0].decode("latin-1"))
            dur = float(head[1].decode("latin-1")) if len(head) > 1 and head[1] else 0.0
        except ValueError:
            raise RecordingFormatError(
                f"EDF+ data record {r + 1}: malformed annotation {tal[:40]!r}", path
            ) from None
        if not (math.isfinite(onset) and math.isfinite(dur)):
            raise RecordingFormatError(
                f"EDF+ data record {r + 1}: annotation onset {onset} is not finite", path
            )
        if first is None:
            first = onset
        for text in parts[1:]:
            if text:
                notes.append(Annotation(onset, max(dur, 0.0), text.decode("utf-8", "replace")))
    return first


#: Bytes that hold any bare time-keeping TAL ("+onset" then two 0x14 and a zero); records whose
#: TAL is longer are simply parsed.
_TAL_HEAD = 32
#: Records looked at together when telling bare time-keeping TALs from annotations.
_TAL_CHUNK = 8192


def _tal_busy(raw: NDArray[np.uint8], *, first_signal: bool) -> NDArray[np.bool_]:
    """Per record (rows of annotation bytes): True unless it holds nothing to parse.

    In the first annotation signal a record holds nothing when its bytes are a bare
    time-keeping TAL (``+onset``, two 0x14 bytes, a zero) followed by zeros; in later
    annotation signals, when its bytes are all zeros.
    """
    head, tail = raw[:, :_TAL_HEAD], raw[:, _TAL_HEAD:]
    busy: NDArray[np.bool_] = np.zeros(raw.shape[0], dtype=bool)
    if tail.shape[1]:
        busy |= tail.any(axis=1)
    if not first_signal:
        return busy | head.any(axis=1)
    zero = head == 0
    end = np.argmax(zero, axis=1)  # the first zero byte: the end of the first TAL
    rows = np.arange(raw.shape[0])
    plain = (
        zero[rows, end]
        & (np.count_nonzero(head, axis=1) == end)  # nothing after the first TAL
        & (np.count_nonzero(head == 0x14, axis=1) == 2)
        & (end >= 3)
        & (head[rows, np.maximum(end - 1, 0)] == 0x14)
        & (head[rows, np.maximum(end - 2, 0)] == 0x14)
    )
    return busy | ~plain


def _continuous_tals(path: Path, hdr: EdfHeader) -> tuple[float, tuple[Annotation, ...]]:
    """Return the first record's onset and the annotations of an EDF+C file (onsets from it).

    In most records the annotation bytes are the time-keeping TAL alone (``+onset``, two 0x14
    bytes, then zeros), which carries no annotation; one vectorised pass finds those, and only
    the first record and the others are parsed, in order, with the TAL grammar of EDF+D.
    (pyedflib reads every record through edflib and refuses files with harmless departures from
    the standard, such as a Latin-1 "µV" unit; this reads them like any other.)
    """
    annot = [i for i, s in enumerate(hdr.signals) if s.label == _ANNOT_LABEL]
    if not annot:
        return 0.0, ()
    recs = _records(path, hdr)
    offsets = np.cumsum([0] + [s.samples_per_record for s in hdr.signals])
    busy = np.zeros(hdr.n_records, dtype=bool)
    busy[0] = True  # its time-keeping TAL gives the onset of the data
    for order, a in enumerate(annot):
        raw = recs[:, offsets[a] : offsets[a + 1]].view(np.uint8)  # records x annotation bytes
        for r0 in range(0, hdr.n_records, _TAL_CHUNK):  # small temporaries, reused
            r1 = min(hdr.n_records, r0 + _TAL_CHUNK)
            busy[r0:r1] |= _tal_busy(raw[r0:r1], first_signal=order == 0)
    notes: list[Annotation] = []
    t0 = None
    for r in np.flatnonzero(busy).tolist():
        for order, a in enumerate(annot):
            first = _parse_tals(recs[r, offsets[a] : offsets[a + 1]].tobytes(), r, path, notes)
            if r == 0 and order == 0:  # the time-keeping TAL of the first record
                t0 = first
    del recs
    if t0 is None:
        raise RecordingFormatError("EDF+ data record 1 has no time-keeping annotation", path)
    return t0, tuple(Annotation(a.onset_s - t0, a.duration_s, a.text) for a in notes)


def _record_starts(onsets: NDArray[np.float64], hdr: EdfHeader, path: Path) -> NDArray[np.float64]:
    """Return each record's start in seconds from the first record; refuse overlaps."""
    rel = onsets - onsets[0]
    step = np.diff(rel)
    tol = 1e-6 + 1e-9 * abs(float(rel[-1]))
    bad = np.flatnonzero(step < hdr.record_duration_s - tol)
    if bad.size:
        r = int(bad[0]) + 1
        raise UnsupportedEDFError(
            f"EDF+D data record {r + 1} starts at {onsets[r]:g} s, before the previous record ends "
            f"({onsets[r - 1] + hdr.record_duration_s:g} s); records out of order or overlapping",
            path,
        )
    if rel[-1] > MAX_DURATION_S:
        raise UnsupportedEDFError(
            f"EDF+D data records span {rel[-1] / 86400:.3g} days; more than "
            f"{MAX_DURATION_S / 86400:g} days is not a recording",
            path,
        )
    return rel


#: How far (in samples) an EDF+D record may start from its channel's sample grid: rounding of
#: the onset's decimal text, never a real offset.
_GRID_TOL = 1e-3


def _load_discontinuous(
    path: Path,
    hdr: EdfHeader,
    sig_idx: list[int],
    starts: NDArray[np.float64],
    which: Sequence[int],
) -> dict[int, NDArray[np.float64]]:
    recs = _records(path, hdr)
    offsets = np.cumsum([0] + [s.samples_per_record for s in hdr.signals])
    out: dict[int, NDArray[np.float64]] = {}
    for k, i in zip(which, sig_idx, strict=True):
        sig = hdr.signals[i]
        spr = sig.samples_per_record
        fs = spr / hdr.record_duration_s
        exact = starts * fs
        first = np.rint(exact).astype(np.int64)
        off = np.abs(exact - first)
        bad = np.flatnonzero(off > _GRID_TOL)
        if bad.size:
            r = int(bad[0])
            raise UnsupportedEDFError(
                f"EDF+D data record {r + 1} starts {float(starts[r]):.9g} s after the first, "
                f"{float(off[r]):.3g} sample(s) off the {fs:g} Hz grid of signal {sig.label!r}; "
                "its samples cannot be placed without moving them in time",
                path,
            )
        n = int(first[-1]) + spr
        grid = np.full(n, np.nan)
        pos = (first[:, None] + np.arange(spr)[None, :]).ravel()
        grid[pos] = _record_values(recs, offsets, i, sig)
        out[k] = grid
    del recs
    return out
