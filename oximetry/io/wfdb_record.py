"""WFDB records (PhysioNet: MIMIC numerics and waveform records), read with the ``wfdb`` package.

The record is named by its header (``NAME.hea``); its signal files are found beside it, as the
header names them. Giving a signal file (``.dat``) finds the header in the same folder that names
it. The header is checked here first (record line, signal files present and long enough) so that
a broken record gets one clear message; ``wfdb`` then reads the samples in physical units. Each
channel keeps its label and unit, so the SpO2 channel is chosen by label and unit like an EDF
channel (a ``%`` unit is preferred; MIMIC numerics write 0 for a missing value, which becomes
missing like every other sentinel). ``wfdb`` (and with it pandas) is imported only here.

Every file of the record is hashed where it is read (``extra["companions"]``: the files other
than the one given, with their sha256), so the evidence binds the samples and the header both;
a signal whose samples do not add up to the checksum its header line records is refused.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from oximetry.errors import RecordingFormatError, UnsupportedEDFError
from oximetry.io._base import (
    PLACEHOLDER_DATE,
    RawChannel,
    RawRecording,
    sha256_of,
    snap_to_tenths,
)

__all__ = ["header_for_signal_file", "read_wfdb", "record_companions", "sniff_wfdb_header"]

_NUM = r"[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?"
#: The record line: name[/segments] n_signals [fs[/counter_fs][(base)] [n_samples [time [date]]]]
_RECORD_LINE = re.compile(
    rf"^[A-Za-z0-9_\-.]+(/[0-9]+)? +[0-9]+(?: +{_NUM}(?:/{_NUM})?(?:\(-?{_NUM}\))?"
    rf"(?: +[0-9]+(?: +[0-9:.]+(?: +[0-9/]+)?)?)?)? *$"
)
#: Bytes per sample of the common storage formats (to check a signal file is long enough).
_BYTES = {
    "8": 1.0,
    "16": 2.0,
    "61": 2.0,
    "80": 1.0,
    "160": 2.0,
    "212": 1.5,
    "24": 3.0,
    "32": 4.0,
    "310": 4 / 3,
    "311": 4 / 3,
}
_MAX_HEADERS = 500


def _record_line(text: str) -> str | None:
    for line in text.splitlines():
        s = line.strip()
        if s and not s.startswith("#"):
            return s
    return None


def sniff_wfdb_header(head: bytes) -> bool:
    """Return True when ``head`` is the text of a WFDB header (record line, then signal lines)."""
    if b"\0" in head or b"," in head.split(b"\n", 1)[0]:
        return False
    try:
        text = head.decode("ascii")
    except UnicodeDecodeError:
        return False
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    if len(lines) < 2 or not _RECORD_LINE.match(lines[0]):
        return False
    fields = lines[1].split()
    return (
        len(fields) >= 2
        and re.fullmatch(r"[0-9]+(x[0-9]+)?(:[0-9]+)?(\+[0-9]+)?", fields[1]) is not None
    )


def header_for_signal_file(path: Path) -> Path | None:
    """Return the WFDB header beside ``path`` that names it as a signal file, if any.

    Only files ending in ``.dat`` are looked up (a MedView ``.dat`` is told apart by content
    before this is asked).
    """
    if path.suffix.casefold() != ".dat":
        return None
    try:
        candidates = sorted(path.parent.glob("*.hea"))[:_MAX_HEADERS]
    except OSError:
        return None
    for hea in candidates:
        try:
            text = hea.read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        for line in text.splitlines()[1:]:
            fields = line.split()
            if fields and not line.startswith("#") and fields[0] == path.name:
                return hea
    return None


def record_companions(path: Path) -> list[Path]:
    """Return the files of the WFDB record ``path`` belongs to, other than ``path`` itself.

    For a header (``NAME.hea``), the signal files its signal lines name; for a signal file, the
    header naming it and that header's other signal files: the files :func:`read_wfdb` hashes
    as ``companions``, found from the header's text alone (``oxi batch`` asks it of every input
    on a resumed run, without importing ``wfdb``). Files that are not there are left out, and
    a file that is not part of a WFDB record has none.

    Parameters
    ----------
    path : Path
        The file given.

    Returns
    -------
    list of Path
        The header first, then the signal files in the order the header names them.
    """
    p = Path(path)
    header = p if p.suffix == ".hea" else header_for_signal_file(p)
    if header is None:
        return []
    try:
        text = header.read_text(encoding="ascii", errors="replace")
    except OSError:
        return []
    lines = [
        ln.split() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    ]
    names = dict.fromkeys(fields[0] for fields in lines[1:] if fields[0] != "~")
    files = [header, *(header.parent / n for n in names)]
    try:
        return [f for f in files if f.is_file() and f.resolve() != p.resolve()]
    except OSError:
        return []


def _wfdb() -> Any:
    with warnings.catch_warnings():
        # wfdb's import uses a pandas keyword pandas now deprecates; not ours to show
        warnings.simplefilter("ignore")
        import wfdb
    return wfdb


def _check_header(path: Path, hdr: Any, where: Path) -> None:
    """Refuse what wfdb would misread or fail on, naming the reason."""
    if getattr(hdr, "n_seg", None):
        raise UnsupportedEDFError(
            "WFDB multi-segment records are not supported; give one segment's header", where
        )
    if not hdr.n_sig:
        raise RecordingFormatError("WFDB header lists no signals", where)
    if not hdr.fs or not np.isfinite(hdr.fs) or hdr.fs <= 0:
        raise RecordingFormatError(f"WFDB header gives sampling frequency {hdr.fs!r}", where)
    lines = [ln for ln in path.read_text("ascii", errors="replace").splitlines() if ln.strip()]
    signal_lines = [ln for ln in lines if not ln.lstrip().startswith("#")][1:]
    if len(signal_lines) != hdr.n_sig:
        raise RecordingFormatError(
            f"WFDB header announces {hdr.n_sig} signal(s) but has {len(signal_lines)} signal "
            "line(s)",
            where,
        )
    unknown = sorted({f for f in hdr.fmt if f not in _BYTES})
    if unknown:
        raise RecordingFormatError(
            f"WFDB storage format {unknown[0]!r} is not supported (supported: {', '.join(_BYTES)})",
            where,
        )
    if not hdr.sig_len:
        raise RecordingFormatError("WFDB header gives no number of samples", where)
    need: dict[str, float] = {}
    spf = hdr.samps_per_frame or [1] * hdr.n_sig
    for name, fmt, k in zip(hdr.file_name, hdr.fmt, spf, strict=False):
        if name == "~":
            continue
        need[name] = need.get(name, 0.0) + _BYTES[fmt] * hdr.sig_len * (k or 1)
    for name in set(hdr.file_name):
        f = path.parent / name
        if name != "~" and not f.is_file():
            raise RecordingFormatError(
                f"WFDB signal file {name!r} not found beside the header", where
            )
        if name in need and f.stat().st_size < int(need[name]):
            raise RecordingFormatError(
                f"WFDB signal file {name!r} holds {f.stat().st_size} bytes, fewer than the "
                f"{int(need[name])} the header's {hdr.sig_len} samples need (truncated)",
                where,
            )


def _record_files(path: Path, hdr: Any) -> list[Path]:
    """Return the files the record is read from: the header, then its signal files in order."""
    names = dict.fromkeys(str(n) for n in hdr.file_name if n != "~")
    return [path, *(path.parent / n for n in names)]


def _check_checksums(hdr: Any, rec: Any, where: Path) -> None:
    """Refuse a signal whose samples do not match the checksum its header line records.

    The checksum (WFDB header spec: the signal line's 7th field, a 16-bit sum of all the
    signal's samples) is how WFDB itself tells a signal file that is not the header's: a
    signal file with a 20-min drop put beside the header of a night with a 2-min one was read
    without a word and qualified. A header without the field is not checked (it is optional).
    wfdb-python writes the sum unsigned (0-65535), PhysioNet's tools signed: compared mod 2^16.
    """
    for k, want in enumerate(hdr.checksum or ()):
        if want is None:
            continue
        got = int(np.sum(np.asarray(rec.e_d_signal[k], dtype=np.int64))) % 65536
        if got != int(want) % 65536:
            shown = got - 65536 if got > 32767 else got
            raise RecordingFormatError(
                f"WFDB signal {k + 1} ({rec.sig_name[k]!r}) in {hdr.file_name[k]!r} does not "
                f"match its header's checksum (header says {int(want)}, the samples sum to "
                f"{shown}): the signal file was changed, or is not this header's",
                where,
            )


def _start(hdr: Any) -> tuple[_dt.datetime, bool, bool]:
    """Return the start, whether the header gives its date and whether it gives its time."""
    if hdr.base_date is not None and hdr.base_time is not None:
        return _dt.datetime.combine(hdr.base_date, hdr.base_time), True, True
    t = hdr.base_time if hdr.base_time is not None else _dt.time()
    return _dt.datetime.combine(PLACEHOLDER_DATE, t), False, hdr.base_time is not None


def header_rate(fs: float) -> float:
    """Return a header's sampling frequency, or the rate of the period it was rounded from.

    WFDB writes the frequency to 12 significant digits: one value a minute (MIMIC numerics) is
    ``0.0166666666667``, 59.99999999988 s a sample, and 10 samples at 86 % were 9.9999999998
    min, printed "9.9 min" (72 samples "71.9 min"). A period of at most 6 decimals within a
    billionth of the header's gives its exact rate; any other frequency is kept as written, and
    so is one that the period's rate only rounds back to (781.25 Hz, a period of 0.00128 s,
    became 781.2499999999999 Hz, and whole seconds of samples came out a hair off whole).

    Parameters
    ----------
    fs : float
        The header's frequency in Hz (positive, finite).

    Returns
    -------
    float

    Examples
    --------
    >>> header_rate(0.0166666666667) == 1 / 60, header_rate(360.0), header_rate(125.0)
    (True, 360.0, 125.0)
    >>> header_rate(781.25)
    781.25
    """
    period = round(1.0 / fs, 6)
    if period > 0 and abs(1.0 / fs - period) <= 1e-9 * period:
        rate = 1.0 / period
        # within float rounding of the header's, the header's was exact: a 12-digit header
        # rounded from the period's rate is off it by far more (2e-12 of 1/60 Hz)
        return fs if math.isclose(rate, fs, rel_tol=1e-14) else rate
    return fs


def _gain_step(gains: Any, i: int) -> float | None:
    """Return the physical size of one digital step of signal ``i`` (None: no gain given)."""
    gain = (gains or ())[i] if i < len(gains or ()) else None
    return 1.0 / abs(float(gain)) if gain else None


def read_wfdb(path: Path, given: Path | None = None) -> RawRecording:
    """Read a WFDB record from its header file.

    Parameters
    ----------
    path : Path
        The header (``NAME.hea``).
    given : Path, optional
        The file the user named when it was a signal file; messages name it.

    Returns
    -------
    RawRecording
        One channel per signal, at the record's rate times its samples per frame; format
        ``wfdb``.

    Raises
    ------
    RecordingFormatError
        A malformed header, a missing or truncated signal file, a signal whose samples do not
        match the header's checksum, or a header not named ``NAME.hea``.
    UnsupportedEDFError
        A multi-segment record.

    Notes
    -----
    ``extra["companions"]`` lists the record's files other than the one given (the header
    when a signal file was given, and the signal files), each as ``(path, sha256)``, hashed
    before the samples are read.
    """
    where = given if given is not None else path
    if path.suffix != ".hea":
        raise RecordingFormatError(
            "this is a WFDB header; WFDB needs it named <record>.hea beside its signal files", path
        )
    wfdb = _wfdb()
    record = str(path.with_suffix(""))
    try:
        hdr = wfdb.rdheader(record)
        _check_header(path, hdr, where)
        # Hashed before the samples are read, as _open hashes the file given.
        companions = [
            (str(f), sha256_of(f))
            for f in _record_files(path, hdr)
            if f.resolve() != where.resolve()
        ]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Digital first, for the checksums; then to physical units as rdrecord does.
            rec = wfdb.rdrecord(record, smooth_frames=False, physical=False, return_res=64)
            _check_checksums(hdr, rec, where)
            rec.dac(expanded=True, return_res=64, inplace=True)
    except (ValueError, OSError, EOFError) as exc:  # wfdb's own errors for malformed records
        if isinstance(exc, RecordingFormatError):
            raise
        reason = " ".join(str(exc).split())[:120]
        raise RecordingFormatError(
            f"cannot read the WFDB record {path.name!r} ({reason})", where
        ) from None
    start, date_known, clock_known = _start(hdr)
    spf = rec.samps_per_frame or [1] * rec.n_sig
    signals = rec.e_p_signal
    channels = [
        RawChannel(
            label=str(rec.sig_name[i]),
            unit=str(rec.units[i] or ""),
            fs=header_rate(float(rec.fs)) * int(spf[i] or 1),
            n_samples=len(signals[i]),
            # one digital step is 1/gain (a gain of 327.67 over 16 bits: the tenths)
            step=_gain_step(rec.adc_gain, i),
        )
        for i in range(rec.n_sig)
    ]
    arrays = [np.asarray(s, dtype=np.float64) for s in signals]
    for k, ch in enumerate(channels):
        if ch.step is not None:
            snap_to_tenths(arrays[k], ch.step)

    def load(which: Any) -> dict[int, Any]:
        return {k: np.array(arrays[k], dtype=np.float64) for k in which}

    warn = [] if date_known else ["the WFDB header gives no date: start date unknown"]
    if not clock_known:
        warn = [
            "the WFDB header gives no date or time: start date and time unknown (shown as "
            "1900-01-01 00:00:00)"
        ]
    return RawRecording(
        path=str(path),
        format="wfdb",
        device="WFDB record (PhysioNet)",
        start=start,
        date_known=date_known,
        clock_known=clock_known,
        channels=channels,
        load=load,
        warnings=warn,
        extra={"companions": companions},
    )
