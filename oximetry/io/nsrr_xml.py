"""Scored annotations in XML beside an EDF: NSRR (``PSGAnnotation``) and Profusion (``CMPStudyConfig``).

Research cohorts (NSRR: SHHS, MESA, CFS, ...) publish each night as an EDF plus XML annotations.

* **NSRR XML**: ``PSGAnnotation`` with ``EpochLength`` and ``ScoredEvents/ScoredEvent`` elements
  (``EventType``, ``EventConcept`` as ``Name|code``, ``Start`` and ``Duration`` in seconds from
  the recording start, optional ``SpO2Nadir``/``SpO2Baseline``). Events of type ``Stages`` are
  the hypnogram; the first event, ``Recording Start Time``, carries the ``ClockTime`` of the
  recording start (``dd.mm.yy hh.mm.ss``), which must agree with the EDF's start.
* **Profusion XML**: ``CMPStudyConfig`` with ``EpochLength``, ``ScoredEvents/ScoredEvent``
  (``Name``, ``Start``, ``Duration``, ``Input``; desaturations give ``LowestSpO2``, the nadir, and
  ``Desaturation``, the drop, so the baseline is nadir + drop) and ``SleepStages/SleepStage``, one
  code per epoch (0 wake, 1–4 N1–N4, 5 REM; other codes unscored).

Stage labels and codes go through the one vocabulary of :mod:`oximetry.annotations`. Scored
events become annotations (with their nadir and baseline) that the analysis keeps as ``scored``
events; an ``SpO2 artifact`` event (NSRR concept, Profusion name) becomes an annotation of that
text, which the analysis excludes like ``--exclude``. The XML is parsed with the standard library only after refusing any document type
declaration or entity (no entity expansion, no external resources), and only up to
:data:`MAX_XML_BYTES`.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import math
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path

from oximetry.annotations import annotation_kind, hypnogram_stage
from oximetry.errors import RecordingFormatError
from oximetry.io._base import check_file
from oximetry.model import Annotation, Recording

__all__ = [
    "MAX_XML_BYTES",
    "XmlAnnotations",
    "attach_annotations",
    "find_xml_beside",
    "read_xml_annotations",
    "xml_files_beside",
]

#: Largest annotation file read (a night's NSRR XML is a few MB).
MAX_XML_BYTES = 64 << 20
_UNSAFE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_CLOCK = re.compile(r"(\d\d)\.(\d\d)\.(\d\d)\s+(\d\d)\.(\d\d)\.(\d\d)")


@dataclass(frozen=True)
class XmlAnnotations:
    """What an annotation file holds.

    Parameters
    ----------
    dialect : str
        ``nsrr`` or ``profusion``.
    staging : tuple of (onset_s, duration_s, stage)
        The hypnogram (stages ``W``, ``N1``–``N4``, ``R``, ``?``), consecutive equal epochs joined.
    events : tuple of Annotation
        Scored events with their nadir and baseline when the file gives them.
    """

    dialect: str
    staging: tuple[tuple[float, float, str], ...]
    events: tuple[Annotation, ...]


def xml_files_beside(recording: str | os.PathLike[str]) -> list[Path]:
    """Return every annotation file NSRR lays out beside an EDF, in order of preference.

    NSRR names them ``<name>-nsrr.xml`` (NSRR dialect) and ``<name>-profusion.xml`` or
    ``<name>.edf.XML`` (Profusion).

    Parameters
    ----------
    recording : str or PathLike
        The EDF.

    Returns
    -------
    list of Path
        Those that exist (often none).
    """
    p = Path(recording)
    names = (f"{p.stem}-nsrr.xml", f"{p.stem}-profusion.xml", f"{p.name}.XML")
    return [p.with_name(name) for name in names if p.with_name(name).is_file()]


def find_xml_beside(recording: str | os.PathLike[str]) -> Path | None:
    """Return the annotation file NSRR lays out beside an EDF, if there is one.

    The first of :func:`xml_files_beside` (the NSRR dialect is preferred when both are
    present); any other XML is taken only when given with ``--annotations``.

    Parameters
    ----------
    recording : str or PathLike
        The EDF.

    Returns
    -------
    Path or None
    """
    found = xml_files_beside(recording)
    return found[0] if found else None


def _float(el: ET.Element, tag: str, path: Path, what: str) -> float | None:
    child = el.find(tag)
    if child is None or child.text is None or not child.text.strip():
        return None
    try:
        value = float(child.text)
    except ValueError:
        raise RecordingFormatError(
            f"{what}: <{tag}> is {child.text.strip()[:30]!r}, not a number", path
        ) from None
    if not math.isfinite(value):
        raise RecordingFormatError(f"{what}: <{tag}> is {child.text.strip()[:30]!r}", path)
    return value


def _span(el: ET.Element, path: Path, what: str) -> tuple[float, float]:
    start = _float(el, "Start", path, what)
    dur = _float(el, "Duration", path, what)
    if start is None or start < 0:
        raise RecordingFormatError(
            f"{what}: no valid <Start> (seconds from the recording start)", path
        )
    if dur is None:
        dur = 0.0
    if dur < 0:
        raise RecordingFormatError(f"{what}: negative <Duration>", path)
    return start, dur


def _stage(label: str) -> str | None:
    name, _, code = label.partition("|")
    found = hypnogram_stage(code.strip()) if code.strip() else None
    if found is None:
        name = re.sub(r"\s+sleep$", "", name.strip(), flags=re.IGNORECASE)
        found = hypnogram_stage(name)
    if found is None and code.strip() in ("6", "7", "8", "9"):
        found = "?"  # movement time / unscored
    return found


def _join(epochs: list[tuple[float, float, str]]) -> tuple[tuple[float, float, str], ...]:
    out: list[tuple[float, float, str]] = []
    for onset, dur, stage in sorted(epochs):
        if out and out[-1][2] == stage and abs(out[-1][0] + out[-1][1] - onset) < 1e-6:
            out[-1] = (out[-1][0], out[-1][1] + dur, stage)
        else:
            out.append((onset, dur, stage))
    return tuple(out)


def _event(
    text: str, el: ET.Element, path: Path, what: str, nadir: float | None, base: float | None
) -> Annotation:
    start, dur = _span(el, path, what)
    for v, name in ((nadir, "nadir"), (base, "baseline")):
        if v is not None and not 0 < v <= 100:
            raise RecordingFormatError(f"{what}: SpO2 {name} {v:g} is not a percentage", path)
    return Annotation(start, dur, text, nadir_pct=nadir, baseline_pct=base)


def _nsrr(root: ET.Element, path: Path, start: _dt.datetime | None) -> XmlAnnotations:
    epochs: list[tuple[float, float, str]] = []
    events: list[Annotation] = []
    placed = False  # the file's Recording Start Time matched the recording's
    for k, el in enumerate(root.iter("ScoredEvent")):
        what = f"NSRR XML event {k + 1}"
        etype = (el.findtext("EventType") or "").strip()
        concept = (el.findtext("EventConcept") or "").strip()
        name = concept.partition("|")[0].strip()
        if name.casefold() == "recording start time":
            _check_clock(el.findtext("ClockTime") or "", start, path)
            placed = True
            continue
        if etype.casefold().startswith("stages"):
            stage = _stage(concept)
            if stage is None:
                raise RecordingFormatError(f"{what}: unknown stage {concept[:40]!r}", path)
            onset, dur = _span(el, path, what)
            epochs.append((onset, dur, stage))
            continue
        if not name:
            continue
        nadir = _float(el, "SpO2Nadir", path, what)
        base = _float(el, "SpO2Baseline", path, what)
        events.append(_event(_as_event_text(name, etype), el, path, what, nadir, base))
    if start is not None and not placed:
        raise RecordingFormatError(
            "the NSRR annotations hold no Recording Start Time, so whether they belong to this "
            "recording cannot be told (stages of another night would be laid over this one)",
            path,
        )
    return XmlAnnotations("nsrr", _join(epochs), tuple(events))


def _profusion(root: ET.Element, path: Path) -> XmlAnnotations:
    epoch = _float(root, "EpochLength", path, "Profusion XML") or 30.0
    if epoch <= 0:
        raise RecordingFormatError("Profusion XML: <EpochLength> must be positive", path)
    events: list[Annotation] = []
    for k, el in enumerate(root.iter("ScoredEvent")):
        what = f"Profusion XML event {k + 1}"
        name = (el.findtext("Name") or "").strip()
        if not name:
            continue
        nadir = _float(el, "LowestSpO2", path, what)
        drop = _float(el, "Desaturation", path, what)
        base = None if nadir is None or drop is None else nadir + drop
        events.append(_event(_as_event_text(name, ""), el, path, what, nadir, base))
    epochs = []
    for k, el in enumerate(root.iter("SleepStage")):
        stage = _stage("|" + (el.text or "").strip())
        if stage is None:
            raise RecordingFormatError(
                f"Profusion XML: sleep stage {k + 1} is {(el.text or '').strip()[:20]!r}, not a "
                "stage code (0 wake, 1-4, 5 REM)",
                path,
            )
        epochs.append((k * epoch, epoch, stage))
    return XmlAnnotations("profusion", _join(epochs), tuple(events))


def _as_event_text(name: str, etype: str) -> str:
    """Return the annotation text: the event's name, recognisable as an event when it is one."""
    if annotation_kind(name)[0] in ("event", "artifact", "oxygen") or not etype:
        return name
    return f"{name} ({etype.partition('|')[0].strip()} event)"


def _check_clock(text: str, start: _dt.datetime | None, path: Path) -> None:
    if start is None:
        return
    m = _CLOCK.search(text)
    if m is None:
        # Unread, it would check nothing: stages of another night laid over this one.
        raise RecordingFormatError(
            f"the annotations' Recording Start Time {text.strip()[:40]!r} is not a clock time "
            "(dd.mm.yy hh.mm.ss), so whether they belong to this recording cannot be told",
            path,
        )
    hh, mi, ss = (int(x) for x in m.groups()[3:])
    xml_s = hh * 3600 + mi * 60 + ss
    edf_s = start.hour * 3600 + start.minute * 60 + start.second
    if min(abs(xml_s - edf_s), 86400 - abs(xml_s - edf_s)) > 1:
        raise RecordingFormatError(
            f"the annotations start at {hh:02d}:{mi:02d}:{ss:02d} but the recording at "
            f"{start:%H:%M:%S}: they belong to another recording",
            path,
        )


def _declares(data: bytes) -> bool:
    """Tell whether an XML file holds a document type or entity declaration.

    Looked for in the bytes, and in UTF-16 (the one encoding expat reads that is not ASCII's
    superset) when the file starts with its byte order mark or a NUL: written in UTF-16, a
    ``<!DOCTYPE`` with entities was parsed and its entities expanded.
    """
    if _UNSAFE.search(data):
        return True
    bom = data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    if not (bom or b"\x00" in data[:2]):
        return False
    codec = "utf-16" if bom else "utf-16-be" if data[:1] == b"\x00" else "utf-16-le"
    text = data.decode(codec, errors="replace")
    return _UNSAFE.search(text.encode("utf-8")) is not None


def read_xml_annotations(
    path: str | os.PathLike[str], *, start: _dt.datetime | None = None
) -> XmlAnnotations:
    """Read NSRR or Profusion XML annotations.

    Parameters
    ----------
    path : str or PathLike
        The XML file.
    start : datetime.datetime, optional
        The recording's start; an NSRR file whose ``Recording Start Time`` disagrees is refused.

    Returns
    -------
    XmlAnnotations

    Raises
    ------
    RecordingFormatError
        Not XML, a document type or entity declaration, neither dialect, a malformed number,
        an unknown stage, or a start time that is not the recording's.
    """
    p = check_file(path, "an annotation file")
    if p.stat().st_size > MAX_XML_BYTES:
        raise RecordingFormatError(f"annotation file larger than {MAX_XML_BYTES >> 20} MB", path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise RecordingFormatError(f"cannot read the file ({exc.strerror})", path) from None
    if _declares(data):
        raise RecordingFormatError(
            "XML with a document type or entity declaration is refused (annotation files need "
            "none, and entities are unsafe)",
            path,
        )
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise RecordingFormatError(f"not well-formed XML ({exc})", path) from None
    if root.tag == "PSGAnnotation":
        return _nsrr(root, p, start)
    if root.tag == "CMPStudyConfig":
        return _profusion(root, p)
    raise RecordingFormatError(
        f"XML root <{root.tag[:40]}> is neither NSRR <PSGAnnotation> nor Profusion "
        "<CMPStudyConfig>",
        path,
    )


def attach_annotations(
    recording: Recording, xml: XmlAnnotations, source: str | os.PathLike[str] | None = None
) -> Recording:
    """Return ``recording`` with the XML's stages and scored events added to its annotations.

    Stages become ``Sleep stage X`` annotations (the words EDF+ files use), so the analysis
    stages with them exactly as with EDF+ staging; events beyond the recording's end are dropped
    with a warning.

    Parameters
    ----------
    recording : Recording
        As read from the EDF.
    xml : XmlAnnotations
        From :func:`read_xml_annotations`.
    source : path, optional
        The XML file, named in an error.

    Returns
    -------
    Recording

    Raises
    ------
    RecordingFormatError
        Profusion stages (a list without times, laid out from the recording's start) that run
        more than five minutes and a tenth of the recording past its end: another night's, or
        epochs of another length, as a hypnogram of one stage per row (``oxi analyze
        --hypnogram``) is refused.
    """
    end = recording.duration_s
    if xml.dialect == "profusion" and xml.staging:
        last = max(o + d for o, d, _ in xml.staging)
        if last - end > max(300.0, 0.1 * end):
            # another night's 8 h laid on a 6-h recording put its sleep over this night's
            # morning wake, and the wake's dips qualified the night
            raise RecordingFormatError(
                f"its sleep stages span {last / 3600:.1f} h, {(last - end) / 60:.0f} min past "
                f"the recording's end ({end / 3600:.1f} h): the stages of another night or of "
                "another epoch length (Profusion stages carry no times, so they cannot be placed)",
                source if source is not None else recording.source.path,
            )
    scored = [(o, o + d) for o, d, s in xml.staging if s != "?"]
    if scored and not any(o < end and e > 0 for o, e in scored):
        # dropped as lying past the end, the night fell back to a presumed-sleep window and a
        # PSG's oximetry passed for stand-alone overnight oximetry (Medicare Group I-2)
        raise RecordingFormatError(
            f"its sleep stages lie from {min(o for o, _ in scored):g} s to "
            f"{max(e for _, e in scored):g} s from the start, none within the recording "
            f"(0 to {end:g} s): the stages of another recording or night",
            source if source is not None else recording.source.path,
        )
    notes = [Annotation(o, d, f"Sleep stage {s}") for o, d, s in xml.staging if o < end]
    inside = [e for e in xml.events if e.onset_s < end]
    notes += inside
    warnings = [
        f"annotations read from the {xml.dialect} XML file: "
        f"{len(xml.staging)} stage span(s), {len(inside)} scored event(s)"
    ]
    late = len(xml.events) - len(inside) + sum(1 for o, _, _ in xml.staging if o >= end)
    if late:
        warnings.append(f"{late} XML annotation(s) start after the recording ends; dropped")
    merged = tuple(sorted((*recording.annotations, *notes), key=lambda a: (a.onset_s, a.text)))
    return replace(recording, annotations=merged, warnings=(*recording.warnings, *warnings))
