"""Small recording files for the io tests, written from scratch (no simulator needed).

``write_edf_raw`` writes EDF/EDF+ bytes directly (so a test controls every header field,
digital sentinel and the EDF+D record time stamps); ``write_edf_pyedflib`` goes through
pyedflib like a real acquisition system would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"


@dataclass
class RawSig:
    label: str
    unit: str
    spr: int  # samples per record
    digital: np.ndarray  # shape (n_records, spr), int16 values
    pmin: float = 0.0
    pmax: float = 100.0
    dmin: int = 0
    dmax: int = 100


@dataclass
class RawEdf:
    signals: list[RawSig]
    record_s: float = 1.0
    reserved: str = "EDF+C"
    patient: str = "MCH-0234567 F 02-MAY-1951 Haagse_Harry"
    recording: str = "Startdate 02-MAR-2026 X X Nonin_WristOx"
    start: dt.datetime = dt.datetime(2026, 3, 2, 22, 30, 0)
    date_text: str | None = None  # the header's start date field as written; default from start
    onsets: Sequence[float] | None = None  # record onsets (EDF+ TAL); default: contiguous
    notes: dict[int, list[tuple[float, float, str]]] = field(default_factory=dict)
    annot_bytes: int = 120
    bdf: bool = False  # BioSemi's 24-bit variant (reserved "" or "BDF+C"; "BDF Annotations")


def _f(text: str, width: int) -> bytes:
    b = text.encode("latin-1")[:width]
    return b + b" " * (width - len(b))


def edf_bytes(spec: RawEdf) -> bytes:
    n_rec = spec.signals[0].digital.shape[0]
    plus = spec.reserved.startswith(("EDF+", "BDF+"))
    sample_bytes = 3 if spec.bdf else 2
    sigs = list(spec.signals)
    ns = len(sigs) + (1 if plus else 0)
    head = b"".join(
        [
            b"\xffBIOSEMI" if spec.bdf else _f("0", 8),
            _f(spec.patient, 80),
            _f(spec.recording, 80),
            _f(spec.date_text or spec.start.strftime("%d.%m.%y"), 8),
            _f(spec.start.strftime("%H.%M.%S"), 8),
            _f(str(256 * (ns + 1)), 8),
            _f(spec.reserved, 44),
            _f(str(n_rec), 8),
            _f(f"{spec.record_s:g}", 8),
            _f(str(ns), 4),
        ]
    )
    annot = "BDF Annotations" if spec.bdf else "EDF Annotations"
    labels = [s.label for s in sigs] + ([annot] if plus else [])
    units = [s.unit for s in sigs] + ([""] if plus else [])
    pmins = [f"{s.pmin:g}" for s in sigs] + (["-1"] if plus else [])
    pmaxs = [f"{s.pmax:g}" for s in sigs] + (["1"] if plus else [])
    lo, hi = (-(1 << 23), (1 << 23) - 1) if spec.bdf else (-32768, 32767)
    dmins = [str(s.dmin) for s in sigs] + ([str(lo)] if plus else [])
    dmaxs = [str(s.dmax) for s in sigs] + ([str(hi)] if plus else [])
    sprs = [str(s.spr) for s in sigs] + ([str(spec.annot_bytes // sample_bytes)] if plus else [])
    for values, width in [
        (labels, 16),
        ([""] * ns, 80),
        (units, 8),
        (pmins, 8),
        (pmaxs, 8),
        (dmins, 8),
        (dmaxs, 8),
        ([""] * ns, 80),
        (sprs, 8),
        ([""] * ns, 32),
    ]:
        head += b"".join(_f(v, width) for v in values)
    onsets = spec.onsets if spec.onsets is not None else [r * spec.record_s for r in range(n_rec)]
    body = b""
    for r in range(n_rec):
        for s in sigs:
            if spec.bdf:  # 24-bit little-endian: the low three bytes of each int32
                body += (
                    np.asarray(s.digital[r], dtype="<i4")
                    .view(np.uint8)
                    .reshape(-1, 4)[:, :3]
                    .tobytes()
                )
            else:
                body += np.asarray(s.digital[r], dtype="<i2").tobytes()
        if plus:
            tal = f"+{onsets[r]:g}\x14\x14\x00".encode()
            for onset, dur, text in spec.notes.get(r, []):
                d = f"\x15{dur:g}" if dur else ""
                tal += f"+{onset:g}{d}\x14{text}\x14\x00".encode()
            if len(tal) > spec.annot_bytes:
                raise ValueError("annotation slot too small")
            body += tal + b"\x00" * (spec.annot_bytes - len(tal))
    return head + body


def write_edf_raw(path: Path, spec: RawEdf) -> Path:
    path.write_bytes(edf_bytes(spec))
    return path


def const_sig(label: str, unit: str, value: int, n_rec: int, spr: int = 1, **kw: float) -> RawSig:
    return RawSig(label, unit, spr, np.full((n_rec, spr), value, dtype=np.int64), **kw)  # type: ignore[arg-type]


def write_edf_pyedflib(
    path: Path,
    channels: Sequence[tuple[str, str, float, np.ndarray]],
    *,
    annotations: Sequence[tuple[float, float, str]] = (),
    start: dt.datetime = dt.datetime(2026, 3, 2, 22, 30, 0),
    patient_name: str = "Harry_Haagse",
    patient_code: str = "MCH-0234567",
    birthdate: dt.date = dt.date(1951, 5, 2),
    sex: int = 1,
    equipment: str = "Nonin_WristOx",
) -> Path:
    """Write an EDF+C with pyedflib; each channel is (label, unit, fs, physical values)."""
    import pyedflib

    w = pyedflib.EdfWriter(str(path), len(channels), file_type=pyedflib.FILETYPE_EDFPLUS)
    try:
        headers: list[dict[str, str | int | float | None]] = []
        for label, unit, fs, values in channels:
            lo = float(np.floor(min(np.min(values), 0.0)))
            hi = float(np.ceil(max(np.max(values), 1.0)))
            headers.append(
                {
                    "label": label,
                    "dimension": unit,
                    "sample_frequency": fs,
                    "physical_min": lo,
                    "physical_max": hi,
                    "digital_min": -32768,
                    "digital_max": 32767,
                }
            )
        w.setSignalHeaders(headers)
        w.setStartdatetime(start)
        w.setPatientName(patient_name)
        w.setPatientCode(patient_code)
        w.setBirthdate(birthdate)
        w.setSex(sex)
        w.setEquipment(equipment)
        for onset, dur, text in annotations:
            w.writeAnnotation(onset, dur if dur > 0 else -1, text)
        w.writeSamples([np.asarray(c[3], dtype=np.float64) for c in channels])
    finally:
        w.close()
    return path


def write_text(path: Path, text: str, *, bom: bool = False, encoding: str = "utf-8") -> Path:
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path
