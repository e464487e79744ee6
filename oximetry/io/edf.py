"""EDF and EDF+ recordings (SPEC §2.1).

The header is parsed and checked here first (so a truncated or malformed file gets a clear
message instead of a library error), including its size against the number of data records.
EDF, EDF+C, BDF and BDF+C signals and annotations are then read with ``pyedflib``; the data
begin at the first record's time-keeping annotation. Only what pyedflib does not do is our
own: EDF+D (discontinuous) records are placed at the onsets given by their time-keeping
annotations, and the time between records becomes missing data; an EDF+D file is never read
as if continuous. A sound 16-bit file that pyedflib refuses (a Latin-1 "µV" unit fails its
ASCII check) is read the same way, record by record at its annotations' times.

The start date is the header's, checked against EDF+'s ``Startdate`` in the recording field
(which gives the year after 2084); ``Startdate X`` (anonymised) or a year before 1990 leaves the
date unknown and keeps the time of day (docs/formats.md, *EDF and EDF+ start dates*).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
import math
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from oximetry.errors import RecordingFormatError, UnsupportedEDFError
from oximetry.io._base import (
    MAX_DURATION_S,
    MAX_FS_HZ,
    PLACEHOLDER_DATE,
    RawChannel,
    RawRecording,
    snap_to_tenths,
)
from oximetry.limits import MAX_YEAR, MIN_YEAR
from oximetry.model import Annotation, PatientInfo

__all__ = ["EdfHeader", "parse_header", "read_edf", "sniff_edf"]

#: The annotation signal's label: EDF+'s, and BDF+'s (BioSemi's 24-bit variant, whose reserved
#: field says "BDF+C"/"BDF+D"): read as a data channel, pyedflib and the header disagreed on
#: the number of signals and every BDF+ file was refused.
_ANNOT_LABELS = ("EDF Annotations", "BDF Annotations")
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    )
}
#: EDF+'s birth date subfield (``02-MAY-1951``), English month in any capitals.
_BIRTH_DATE = re.compile(r"(\d\d)-(" + "|".join(_MONTHS) + r")-(\d{4})", re.IGNORECASE)


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
    #: Why the header gives no date (a warning for the reader to pass on); None when it does.
    #: ``start`` is then the header's time of day on ``PLACEHOLDER_DATE``.
    no_date: str | None
    #: False when the header's time of day is not the recording's (``start`` at midnight).
    clock_known: bool
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


def _startdate(word: str) -> _dt.date | None:
    """Return the date an EDF+ ``Startdate`` word gives (``02-MAR-2002``), None for no date."""
    m = re.fullmatch(r"(\d\d)-([A-Za-z]{3})-(\d{4})", word)
    if not m or m.group(2).upper() not in _MONTHS:
        return None
    try:
        return _dt.date(int(m.group(3)), _MONTHS[m.group(2).upper()], int(m.group(1)))
    except ValueError:
        return None


def _start_time(
    date: str, time: str, recording_field: str, path: Path
) -> tuple[_dt.datetime, str | None, bool]:
    """Return the start, why the header gives no date (or None), and if it gives a time of day.

    Without a date the start is the header's time of day on :data:`PLACEHOLDER_DATE`, as for a
    CSV of times of day; without a time of day either, the placeholder's midnight.
    """
    m_d = re.fullmatch(r"(\d\d)\.(\d\d)\.(\d\d|yy)", date, re.IGNORECASE)
    m_t = re.fullmatch(r"(\d\d)\.(\d\d)\.(\d\d)", time)
    if not m_d or not m_t:
        raise RecordingFormatError(
            f"not a valid EDF header: start date/time {date!r} {time!r}, expected dd.mm.yy hh.mm.ss",
            path,
        )
    try:
        hh, mi, ss = (int(x) for x in m_t.groups())
        clock = _dt.time(hh, mi, ss)
    except ValueError:
        raise RecordingFormatError(
            f"not a valid EDF header: start time {time!r} is not a real time of day", path
        ) from None
    day, month = int(m_d.group(1)), int(m_d.group(2))
    # Years 1985-2084 as yy 85-84 (the 1985 clipping date); after 2084 "yy" (EDF+ spec 2.1.3.2).
    yy = m_d.group(3)
    header_year = None if yy.lower() == "yy" else (1900 if int(yy) >= 85 else 2000) + int(yy)
    # the field as written ("STARTDATE" too: a disagreeing date in capitals passed unchecked)
    m_plus = re.match(r"startdate\s+(\S+)", recording_field, re.IGNORECASE)
    startdate = m_plus.group(1) if m_plus else None
    start_date = _startdate(startdate) if startdate is not None else None
    if startdate is not None and start_date is None:
        # "X" (EDF+: unknown or made anonymous; anonymisers then write 01.01.85 in the header),
        # or a word no date (PhysioNet's mit2edf writes "Startdate not recorded"): refused, a
        # converted MIMIC record could not be read; read as 1985-01-01 with the date known, a
        # night's order window came out at 15,309 days. The header's time of day is kept beside
        # the anonymisers' 01.01.85 only: beside another date it may be the conversion's time.
        keep = startdate in ("X", "x") or (day, month, header_year) == (1, 1, 1985)
        said = "'Startdate X' (date unknown or made anonymous)"
        if startdate not in ("X", "x"):  # its first word: "Startdate not recorded"
            said = f"a Startdate that is no date ('Startdate {startdate} …')"
        if keep and clock == _dt.time():
            return _midnight_without_date(f"the EDF recording field says {said}")
        return (
            _dt.datetime.combine(PLACEHOLDER_DATE, clock if keep else _dt.time()),
            (
                f"the EDF recording field says {said}: the start date is unknown and shown as "
                "1900-01-01, "
                + (
                    "the time of day is the header's"
                    if keep
                    else "and the header's date and time may be the file's conversion, not the "
                    "recording's: times are elapsed time"
                )
                + "; give the test date in the clinical context"
            ),
            keep,
        )
    if start_date is not None:
        # EDF+ (and plain EDF written to its conventions, as ResMed's) holds the date with its
        # four-digit year here. A Startdate of 03-APR-2027 or 04-MAR-1926 beside 04.03.26 was
        # read as 2026-03-04 without a look: which of the two is the night's is not known.
        if (start_date.day, start_date.month) != (day, month) or header_year not in (
            None,
            start_date.year,
        ):
            raise RecordingFormatError(
                f"not a valid EDF+ header: the start date {date!r} and the recording field's "
                f"Startdate {startdate!r} disagree, so the recording's date is not known",
                path,
            )
        year = start_date.year
    elif header_year is None:
        raise RecordingFormatError(
            f"not a valid EDF header: start date {date!r} gives no year and the recording field "
            "no 'Startdate dd-MMM-yyyy' to give it",
            path,
        )
    else:
        year = header_year
    try:
        start = _dt.datetime.combine(_dt.date(year, month, day), clock)
    except ValueError:
        raise RecordingFormatError(
            f"not a valid EDF header: start date {date!r} is not a real date", path
        ) from None
    if year > MAX_YEAR:
        raise RecordingFormatError(
            f"not a valid EDF+ header: the start's year {year} is not plausible for a recording "
            f"({MIN_YEAR}-{MAX_YEAR})",
            path,
        )
    if year < MIN_YEAR:
        # Not refused as the other readers refuse a year before MIN_YEAR: in EDF the years
        # 1985-1989 are where de-identified files are put (NSRR writes the clipping date
        # 01.01.85 in its SHHS, MESA, ... EDFs and keeps the time of day, which its XML's
        # Recording Start Time must match), so the date is unknown and the clock kept.
        if clock == _dt.time():
            return _midnight_without_date(
                f"the EDF header's start date {start.date().isoformat()} is before {MIN_YEAR}, "
                "earlier than any oximetry recording (de-identified EDFs are dated 1985-01-01)"
            )
        return (
            _dt.datetime.combine(PLACEHOLDER_DATE, clock),
            (
                f"the EDF header's start date {start.date().isoformat()} is before {MIN_YEAR}, "
                "earlier than any oximetry recording (de-identified EDFs are dated 1985-01-01): the "
                "start date is unknown and shown as 1900-01-01, the time of day is the header's; "
                "give the test date in the clinical context"
            ),
            True,
        )
    return start, None, True


def _midnight_without_date(why: str) -> tuple[_dt.datetime, str, bool]:
    """Return the start of a header without a date whose time of day reads 00.00.00: no clock.

    Anonymisers that blank the date may blank the time to 00.00.00 too, and a start at midnight
    to the second is rare. Read as a clock, an afternoon's recording so de-identified lay wholly
    in the night and qualified as nocturnal; read as elapsed time, the night is placed only by
    lights-off/on in seconds or by sleep staging (as a CSV of times from 00:00:00 is read).
    """
    return (
        _dt.datetime.combine(PLACEHOLDER_DATE, _dt.time()),
        f"{why}: the start date is unknown and shown as 1900-01-01, and the header's time "
        "00.00.00 may be blanked with it as well as a start at midnight: times are elapsed "
        "time; give the test date in the clinical context",
        False,
    )


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
        if reserved.startswith(("EDF+D", "BDF+D"))
        else "edf+c"
        if reserved.startswith(("EDF+C", "BDF+C"))
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
        if not math.isfinite((sig.phys_max - sig.phys_min) * (1 << 24)):
            # (-1e308 to 1e308 fits the 8-character fields) scaled, a sample overflowed: numpy's
            # RuntimeWarning and a line of oxi's source were printed, the channel read as inf
            raise RecordingFormatError(
                f"not a valid EDF header: {what} physical range {sig.phys_min:g} to "
                f"{sig.phys_max:g} is too wide for its samples to be scaled",
                path,
            )
        signals.append(sig)
    start, no_date, clock_known = _start_time(
        _field(raw, 168, 8), _field(raw, 176, 8), _field(raw, 88, 80), path
    )
    hdr = EdfHeader(
        bdf=bdf,
        variant=variant,
        patient_field=_field(raw, 8, 80),
        recording_field=_field(raw, 88, 80),
        start=start,
        no_date=no_date,
        clock_known=clock_known,
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
    """Read the patient field (EDF+: code sex birthdate name; otherwise free text, the name)."""
    text = hdr.patient_field
    parts = text.split()
    # Subfields only where EDF+ (or a plain EDF written to its conventions, as ResMed's
    # "X X X X 3E7B 6EAD" beside "Startdate ...") puts them, and only when the sex and birth date
    # words are EDF+'s. A plain BDF's ("bdf" is no EDF+ variant) or a non-conforming EDF+'s free
    # text "Richard Roe born 1950" was read as code "Richard", name "1950": no word in common with
    # the context's "Jane Doe", no conflict, and another person's night qualified; "Jane Doe female
    # COPD" gave the name "COPD" (a false conflict) and "subject01 session2 05-JAN-2026 overnight"
    # the session's date as a birth date (a false age conflict).
    plus = "+" in hdr.variant or hdr.recording_field.startswith("Startdate")
    if not plus or len(parts) < 4 or not _edf_plus_subfields(parts[1], parts[2]):
        return PatientInfo(name=text or None)

    def known(value: str) -> str | None:
        return None if value in ("X", "x", "") else value.replace("_", " ")

    birth: _dt.date | None = None
    m = _BIRTH_DATE.fullmatch(parts[2])
    if m:
        with contextlib.suppress(ValueError):
            birth = _dt.date(int(m.group(3)), _MONTHS[m.group(2).upper()], int(m.group(1)))
    sex = {"F": "F", "M": "M"}.get(parts[1].upper())
    # EDF+ writes the name's spaces as '_' and may add subfields after it ("Roe_Jane extra").
    # A name without one followed by more words may have been typed with spaces ("Zebulon
    # Quackenbush"): read as "Zebulon" alone, the surname typed into a channel label or the
    # device field was never redacted, and was written whole under --deidentify and printed by
    # oxi info. The words after it are redacted with the name but not compared as it: a
    # subfield ("Roe Ward_Jones") then shared a word with another person's "Mary Jones", and
    # hid the conflict (review of hunt 16).
    more = " ".join(parts[4:]) if "_" not in parts[3] and parts[3] not in ("X", "x") else ""
    return PatientInfo(
        name=known(parts[3]),
        code=known(parts[0]),
        sex=sex,
        birth_date=birth,
        more_name=known(more),
    )


def _edf_plus_subfields(sex: str, birth: str) -> bool:
    """Return True when a patient field's second and third words are EDF+'s sex and birth date."""
    return sex.upper() in ("F", "M", "X") and (
        birth in ("X", "x") or _BIRTH_DATE.fullmatch(birth) is not None
    )


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
    # (digital - dig_min) * (phys_max - phys_min) / (dig_max - dig_min) + phys_min, then
    # rounded to 1e-9: a header of tenths (0..102.3 over 0..1023) means 885 is 88.5, but the
    # scaling in binary floating point gave 88.49999999999999, which SPEC §7 rounds to 88
    # (r = floor(x + 0.5)): seven minutes held at 88.5 % counted as at or below 88 % and
    # qualified a night. 1e-9 is far below any header's resolution (its physical range is
    # written in 8 characters) and far above the scaling's error (about 1e-14 at 100).
    # Each step in place: one array, not three.
    values -= sig.dig_min
    values *= sig.phys_max - sig.phys_min
    values /= sig.dig_max - sig.dig_min
    values += sig.phys_min
    np.round(values, 9, out=values)
    # a finer header than tenths: the tenth each code stands for (88.5 % stored in 16 bits);
    # only the codes the header's digital range holds. Snapped, a code beyond it came back
    # inside the physical range, where the reader no longer tells it apart: -32768 below a
    # digital minimum of -32767 (a writer's "no data") on 50-100 % read 50.0 %, a valid reading
    # at or below 88 %, where it is a code the channel cannot hold (missing).
    lo, hi = _valid_range(sig)
    inside = (values >= lo) & (values <= hi)
    if inside.all():
        return snap_to_tenths(values, _step(sig))
    values[inside] = snap_to_tenths(values[inside], _step(sig))
    return values


def _step(sig: EdfSignalHeader) -> float:
    """Return the physical size of one digital code of a signal."""
    return abs((sig.phys_max - sig.phys_min) / (sig.dig_max - sig.dig_min))


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
    data_idx = [i for i, s in enumerate(hdr.signals) if s.label not in _ANNOT_LABELS]
    if not data_idx:
        raise RecordingFormatError("EDF file holds annotations only, no signals", path)
    if "+" not in hdr.variant and len(data_idx) < len(hdr.signals):
        # Only EDF+/BDF+ has an annotation signal; in a plain file pyedflib reads it as data,
        # and the refusal said "pyedflib sees 2 signals where the header lists 1".
        kind = "BDF" if hdr.bdf else "EDF"
        label = next(s.label for s in hdr.signals if s.label in _ANNOT_LABELS)
        raise RecordingFormatError(
            f"not a valid {kind}+ file: it holds a {label!r} signal, which only {kind}+ has, "
            f"but the header's reserved field does not say {kind}+C or {kind}+D (a plain {kind} "
            "has no annotations; its times and annotations cannot be read)",
            path,
        )
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
            step=_step(hdr.signals[i]),
        )
        for i in data_idx
    ]
    warnings: list[str] = [] if hdr.no_date is None else [hdr.no_date]
    if hdr.variant.endswith("+d") and hdr.bdf:
        raise UnsupportedEDFError(
            "BDF+D (discontinuous) files are not supported; convert to BDF+C or EDF+C first", path
        )
    loader: Callable[[Sequence[int]], dict[int, NDArray[np.float64]]]
    placed: tuple[float, tuple[Annotation, ...], NDArray[np.float64]] | None = None
    if hdr.variant.endswith("+d"):
        placed = _placed_records(path, hdr, warnings)
    else:
        try:
            plus = "+" in hdr.variant
            with _open_pyedflib(path, annotations=plus) as reader:  # a refusal shows early
                # edflib counts the onsets from the first record's time-keeping onset (it takes
                # the sub-second start off), as sample 0 is: not re-based here (see
                # test_edf_plus_annotations_cover_the_samples_of_their_time)
                annotations = _pyedflib_annotations(reader, path, plus=plus)
        except RecordingFormatError:
            if hdr.bdf:
                raise
            # pyedflib refuses some sound 16-bit files (a Latin-1 "µV" unit fails its ASCII
            # check): read them as the EDF+D path reads any file, record by record at the
            # times their time-keeping annotations give.
            placed = _placed_records(path, hdr, warnings)
        else:
            t0 = _first_onset(path, hdr) if "+" in hdr.variant else 0.0

            def load_pyedflib(which: Sequence[int]) -> dict[int, NDArray[np.float64]]:
                with _open_pyedflib(path, annotations=False) as reader:
                    return _load_pyedflib(reader, path, hdr, data_idx, which)

            loader = load_pyedflib
    if placed is not None:
        t0, annotations, starts = placed
        # Re-express the channel lengths on the true time axis (records placed at their onsets).
        for ch, i in zip(channels, data_idx, strict=True):
            spr = hdr.signals[i].samples_per_record
            ch.n_samples = round(float(starts[-1]) * spr / hdr.record_duration_s) + spr

        def load_placed(which: Sequence[int]) -> dict[int, NDArray[np.float64]]:
            return _load_discontinuous(path, hdr, [data_idx[k] for k in which], starts, which)

        loader = load_placed
    start = hdr.start + _dt.timedelta(seconds=t0)
    return RawRecording(
        path=str(path),
        format=hdr.variant,
        device=_device(hdr),
        start=start,
        date_known=hdr.no_date is None,
        clock_known=hdr.clock_known,
        channels=channels,
        load=loader,
        annotations=annotations,
        patient=_patient(hdr),
        warnings=warnings,
    )


def _placed_records(
    path: Path, hdr: EdfHeader, warnings: list[str]
) -> tuple[float, tuple[Annotation, ...], NDArray[np.float64]]:
    """Return the first record's onset, the annotations and each record's start (EDF+D path).

    Records are placed at the onsets of their time-keeping annotations (a plain EDF, which has
    none, at ``r × record duration``); the time between records becomes missing data, with a
    warning saying how much.
    """
    if "+" not in hdr.variant:
        starts: NDArray[np.float64] = np.arange(hdr.n_records, dtype=np.float64)
        starts *= hdr.record_duration_s
        return 0.0, (), starts
    onsets, notes = _read_tals(path, hdr)
    t0 = float(onsets[0])
    rel = _record_starts(onsets, hdr, path)
    gaps = np.diff(onsets) - hdr.record_duration_s
    gap_s = float(np.sum(gaps))
    if gap_s > 0:
        n_gaps = int(np.sum(gaps > 1e-6))
        said = f"{n_gaps} gap(s) between data records ({gap_s:.0f} s in all) kept as missing data"
        if hdr.variant.endswith("+c"):
            # An EDF+C whose time-keeping annotations jump (pyedflib refuses it, and it is read
            # here) was reported as "EDF+D: 1 gap(s)", as if the header had said so.
            said = (
                f"the file says {hdr.variant.upper()} (continuous) but its data records' "
                f"time-keeping annotations jump, which {hdr.variant.upper()} does not allow: "
                f"read at their annotated times, {said}"
            )
        else:
            said = f"EDF+D: {said}"
        warnings.append(said)
    return t0, tuple(Annotation(a.onset_s - t0, a.duration_s, a.text) for a in notes), rel


def _first_onset(path: Path, hdr: EdfHeader) -> float:
    """Return the onset of the first record's time-keeping annotation (0 without annotations).

    The data begin there (usually 0, sometimes a fraction of a second). pyedflib's start time
    is not used for it: pyedflib 0.1.42 reports a first onset of 0.5 s as 0.05 s, and refuses a
    first onset of a second or more.
    """
    annot = [i for i, s in enumerate(hdr.signals) if s.label in _ANNOT_LABELS]
    if not annot:
        return 0.0
    before = sum(s.samples_per_record for s in hdr.signals[: annot[0]])
    size = hdr.signals[annot[0]].samples_per_record * hdr.bytes_per_sample
    with path.open("rb") as fh:
        fh.seek(hdr.header_bytes + before * hdr.bytes_per_sample)
        block = fh.read(size)
    first = _parse_tals(block, 0, path, [])
    if first is None:
        raise RecordingFormatError("EDF+ data record 1 has no time-keeping annotation", path)
    return first


@contextlib.contextmanager
def _open_pyedflib(path: Path, *, annotations: bool) -> Iterator[Any]:
    """Open the file with pyedflib (closed on leaving), turning a refusal into our error.

    The reader is not kept open between reading the annotations and the signals: edflib
    refuses to open a file a second time while a handle to it is open. The open for the
    signals skips the annotations (edflib otherwise parses every record's at opening: about
    6 ms of CPU for an 8-hour EDF+C with 1-s records).
    """
    import pyedflib

    mode = pyedflib.READ_ALL_ANNOTATIONS if annotations else pyedflib.DO_NOT_READ_ANNOTATIONS
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink):
            reader = pyedflib.EdfReader(str(path), annotations_mode=mode)
    except (OSError, ValueError, RuntimeError, UnicodeDecodeError) as exc:
        reason = " ".join(str(exc).replace(str(path), "").split()).strip(" :")
        raise RecordingFormatError(f"pyedflib cannot read this EDF ({reason})", path) from None
    try:
        yield reader
    finally:
        reader.close()


def _load_pyedflib(
    reader: Any, path: Path, hdr: EdfHeader, data_idx: list[int], which: Sequence[int]
) -> dict[int, NDArray[np.float64]]:
    out: dict[int, NDArray[np.float64]] = {}
    n = reader.signals_in_file
    if n != len(data_idx):
        raise RecordingFormatError(
            f"pyedflib sees {n} signals where the header lists {len(data_idx)}", path
        )
    for k in which:
        sig = hdr.signals[data_idx[k]]
        try:
            digital = reader.readSignal(k, digital=True)
        except (OSError, ValueError, RuntimeError) as exc:
            raise RecordingFormatError(f"cannot read signal {sig.label!r} ({exc})", path) from None
        out[k] = _physical(digital, sig)
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


def _pyedflib_annotations(reader: Any, path: Path, *, plus: bool) -> tuple[Annotation, ...]:
    """Return the EDF+ annotations pyedflib reads (none for a plain EDF or BDF)."""
    if not plus:
        return ()
    try:
        with warnings.catch_warnings():
            # A text that is not UTF-8 (EDF+ requires it; Latin-1 'é' is seen) pyedflib decodes
            # as Latin-1, as _parse_tals does, with a UserWarning of its own that reached stderr
            # beside oxi's output (and raised for a caller who turns warnings into errors).
            warnings.filterwarnings("ignore", "Could not decode string", UserWarning)
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
    annot = [i for i, s in enumerate(hdr.signals) if s.label in _ANNOT_LABELS]
    if not annot:
        raise UnsupportedEDFError(
            f"{hdr.variant.upper()} file without an 'EDF Annotations' signal: the data records "
            "have no time stamps",
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
                f"{hdr.variant.upper()} data record {r + 1} has no time-keeping annotation", path
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
                notes.append(Annotation(onset, max(dur, 0.0), _tal_text(text)))
    return first


def _tal_text(raw: bytes) -> str:
    """Return an annotation's text: UTF-8 (as EDF+ requires), else Latin-1 as pyedflib reads it.

    The same bytes read 'Lichter aus é' from an EDF+C (pyedflib) and 'Lichter aus \ufffd' from
    an EDF+D (this reader) when decoded with replacement.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _record_starts(onsets: NDArray[np.float64], hdr: EdfHeader, path: Path) -> NDArray[np.float64]:
    """Return each record's start in seconds from the first record; refuse overlaps."""
    rel = onsets - onsets[0]
    step = np.diff(rel)
    tol = 1e-6 + 1e-9 * abs(float(rel[-1]))
    bad = np.flatnonzero(step < hdr.record_duration_s - tol)
    if bad.size:
        r = int(bad[0]) + 1
        raise UnsupportedEDFError(
            f"{hdr.variant.upper()} data record {r + 1} starts at {onsets[r]:g} s, before the "
            "previous record ends "
            f"({onsets[r - 1] + hdr.record_duration_s:g} s); records out of order or overlapping",
            path,
        )
    if rel[-1] > MAX_DURATION_S:
        raise UnsupportedEDFError(
            f"{hdr.variant.upper()} data records span {rel[-1] / 86400:.3g} days; more than "
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
                f"{hdr.variant.upper()} data record {r + 1} starts {float(starts[r]):.9g} s "
                "after the first, "
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
