"""``summary.json`` and ``events.csv``: the machine-readable outputs (SPEC §9, §10).

Both are deterministic: the same recording and settings give the same bytes (keys sorted, floats
rounded to :data:`FLOAT_DECIMALS` decimals, no time stamps of the run). Both are written
atomically: a temporary file in the output folder, then :func:`os.replace`.

No heavy imports here: this module is on the path of ``oxi analyze --no-report``.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import json
import math
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..errors import redact_quoted
from ..metrics.runs import sample_minutes
from ..model import CompanionFile, PatientInfo, Recording, SourceInfo, redaction_pattern
from ..results import Analysis, Event
from .atomic import write_atomic
from .cells import inert

__all__ = [
    "EVENT_COLUMNS",
    "FLOAT_DECIMALS",
    "SCHEMA",
    "build_summary",
    "dumps_summary",
    "events_csv_text",
    "iso_time",
    "round_figure",
    "write_json_atomic",
]

#: The summary's schema tag.
SCHEMA = "oxi.summary/1"
#: Computed floats are rounded to this many decimals: fine enough that no duration rule can flip
#: (one sample short of 5 minutes stays below 5.0 at any rate up to tens of kHz), coarse enough
#: to hide floating-point noise.
FLOAT_DECIMALS = 6


def round_figure(value: float) -> float:
    """Return a finite figure rounded to :data:`FLOAT_DECIMALS`, never onto a half or whole.

    Parameters
    ----------
    value : float
        A computed figure.

    Returns
    -------
    float
        ``round(value, 6)``, or a positive ``value`` cut (or raised) to 6 decimals where
        rounding would carry it onto a multiple of 0.5 it is not: the rules round a saturation at the half (``floor(x + 0.5)``) and
        read some unrounded against a whole percent, so an awake baseline of 88.4999996 %
        (88 %, awake below 89 %) written 88.5 (89 %) qualified under ``oxi qualify --summary``
        what ``oxi analyze`` held indeterminate.

    Examples
    --------
    >>> round_figure(88.4999996), round_figure(88.9999996), round_figure(88.4999994)
    (88.499999, 88.999999, 88.499999)
    >>> round_figure(88.0000004), round_figure(4.0000004), round_figure(88.5)
    (88.000001, 4.000001, 88.5)
    """
    r = round(value, FLOAT_DECIMALS)
    if value > 0 and r != value and (2 * r).is_integer():
        # off the half or whole on the side the value lies: 88.0000004 written 88.0 was at or
        # below 88 for Medicare's unrounded comparison, which the value is not (review of hunt 13)
        scaled = value * 10**FLOAT_DECIMALS
        r = (math.floor(scaled) if value < r else math.ceil(scaled)) / 10**FLOAT_DECIMALS
    return 0.0 if r == 0 else r


#: Columns of ``events.csv`` (SPEC §9), plus ``label`` for scored events' text.
EVENT_COLUMNS = (
    "type",
    "start",
    "end",
    "duration_s",
    "nadir_pct",
    "baseline_pct",
    "drop_pct",
    "window",
    "label",
)
#: Replaces identifiers found in free text when de-identifying.
REDACTED = "[redacted]"
#: Ages at or above this are written as this value when de-identifying (HIPAA safe harbour).
AGE_CAP_YEARS = 90
#: Birth dates recording headers hold for "not entered", which give no age (the rules read them
#: as no birth date: ``criteria.context.PLACEHOLDER_BIRTH_DATES``, kept equal by a test).
PLACEHOLDER_BIRTH_DATES = (_dt.date(1900, 1, 1), _dt.date(1970, 1, 1))

_TIME_FIELDS = {"start_s": "start", "end_s": "end", "nadir_s": "nadir_time"}


def iso_time(start: _dt.datetime, seconds: float | None) -> str | None:
    """Return the wall-clock time ``seconds`` after ``start`` as ISO 8601 text.

    Parameters
    ----------
    start : datetime.datetime
        The recording's first sample (naive local time).
    seconds : float or None
        Offset in seconds.

    Returns
    -------
    str or None
        ``YYYY-MM-DDTHH:MM:SS`` (with milliseconds when the time is not a whole second), or None
        when ``seconds`` is None or not finite.
    """
    if seconds is None or not math.isfinite(seconds):
        return None
    t = start + _dt.timedelta(seconds=round(float(seconds), 3))
    return t.isoformat(timespec="milliseconds" if t.microsecond else "seconds")


def _start_note(rec: Recording) -> str:
    """Say what ``input.start`` is, and so what every time of the summary and events.csv is.

    A file without a clock (ExampleData.txt, a Sats,Rate export) had its placeholder
    1900-01-01T00:00:00 called "local wall-clock time of the first sample", and its events'
    times (1900-01-01T00:44:28) read as clock times.
    """
    if not rec.clock_known:
        return (
            "placeholder: the file holds no date or clock time; the start and every time in "
            "this summary and in events.csv are elapsed time from the first sample, counted "
            "from 1900-01-01T00:00:00"
        )
    if not rec.source.date_known:
        return (
            "local wall-clock time of the first sample on a placeholder date (the file holds no "
            "date), time zone not recorded"
        )
    return "local wall-clock time of the first sample, time zone not recorded"


def _round(value: Any) -> Any:
    """Make ``value`` JSON-able, rounding floats and turning NaN/inf into None."""
    if isinstance(value, Mapping):
        return {str(k): _round(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_round(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        if not math.isfinite(f):
            return None
        return round_figure(f)
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value


def _plain(value: Any) -> Any:
    """Make ``value`` JSON-able without rounding (settings, context: user-given values)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _event_dict(
    event: Mapping[str, Any], start: _dt.datetime, fs: float | None = None
) -> dict[str, Any]:
    """Return an event's (or an hour row's) dict with ISO times and ``duration_s``.

    ``fs``: the rate of the samples a detected event's times are those of (its duration is
    then whole samples, :meth:`~oximetry.results.Event.duration_at`).
    """
    out = dict(event)
    for key, iso_key in _TIME_FIELDS.items():
        if key in out:
            out[iso_key] = iso_time(start, out[key])
    if "start_s" in out and "end_s" in out:
        out["duration_s"] = out["end_s"] - out["start_s"]
        if fs is not None and out.get("type") not in (None, "scored"):
            out["duration_s"] = round(out["duration_s"] * fs) / fs
    return out


def _metrics_block(analysis: Analysis) -> dict[str, Any]:
    start, fs = analysis.recording.start, analysis.recording.fs
    out: dict[str, Any] = {}
    for kind, block in analysis.metrics_dict().items():
        b = dict(block)
        if isinstance(b.get("sustained_desaturations"), list | tuple):
            b["sustained_desaturations"] = [
                _event_dict(e, start, fs) for e in b["sustained_desaturations"]
            ]
        if "longest_le88_start_s" in b:
            b["longest_le88_start"] = iso_time(start, b["longest_le88_start_s"])
        if "nadir_s" in b:
            b["nadir_time"] = iso_time(start, b["nadir_s"])
        if isinstance(b.get("odi_by_hour"), list | tuple):
            b["odi_by_hour"] = [_event_dict(h, start) for h in b["odi_by_hour"]]
        out[kind] = b
    return out


def _windows_block(analysis: Analysis) -> list[dict[str, Any]]:
    start = analysis.recording.start
    return [
        {
            "kind": w.kind,
            "source": w.source,
            "start": iso_time(start, w.start_s),
            "end": iso_time(start, w.end_s),
            "start_s": w.start_s,
            "end_s": w.end_s,
            "spans_s": [list(s) for s in w.spans_s],
            "warning": w.warning,
            # which end of a lights-bounded presumed-sleep window is a lights mark or option and
            # which the first/last valid sample: the rules' night-hours check reads it
            **({"ends": list(w.ends)} if w.ends is not None else {}),
        }
        for w in analysis.windows
    ]


def _age_years(birth: _dt.date, on: _dt.date) -> int:
    """Return the whole-year age at ``on``; a 29 February birthday is 28 February in a common year.

    The earlier of the two conventions, as the rules count the context's birth date
    (``criteria.context.Patient.age_from_birth``): read on 1 March, a header born 2004-02-29
    gave 20 on 2025-02-28 beside the rules' 21, page 1 printed "Age at test: 20" beside II.A.2.d
    "21 or older", and ``oxi qualify --summary`` of the de-identified summary held the night
    open as another person's.
    """
    try:
        birthday = birth.replace(year=on.year)
    except ValueError:
        birthday = _dt.date(on.year, 2, 28)
    return on.year - birth.year - (on < birthday)


def patient_block(analysis: Analysis, deidentify: bool) -> dict[str, Any] | None:
    """Return ``summary.json``'s ``patient`` block: who the recording's header says it is.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    deidentify : bool
        Keep only the age (capped at :data:`AGE_CAP_YEARS`) and the sex.

    Returns
    -------
    dict or None
        ``name``, ``code``, ``sex``, ``birth_date`` (ISO) and ``age_years`` at the recording's
        start (none for a placeholder birth date, :data:`PLACEHOLDER_BIRTH_DATES`); de-identified, ``age_years``, ``age_capped`` and ``sex`` (no identifier, and
        what ``oxi qualify --summary`` needs to find a night of another person: without it a
        man's night qualified a woman's context that ``oxi analyze`` had held open); None when
        the header gives nothing.
    """
    p = analysis.recording.patient
    age = None
    start = analysis.recording.start.date()
    born = None if p.birth_date in PLACEHOLDER_BIRTH_DATES else p.birth_date
    if born is not None and analysis.recording.source.date_known and born <= start:
        # (born after the start: no age, where -1 was written; the rules hold it a conflict. A
        # placeholder gives none either: "age_years 56" for a header's 1970-01-01, de-identified,
        # was another birth date to oxi qualify --summary, and page 1 said "Age at test: 56")
        age = _age_years(born, start)
    if deidentify:
        if age is None and not p.sex:
            return None
        return {
            "age_years": None if age is None else min(age, AGE_CAP_YEARS),
            "age_capped": age is not None and age >= AGE_CAP_YEARS,
            "sex": p.sex,
        }
    if not (p.name or p.code or p.sex or p.birth_date):
        return None
    return {
        "name": p.name,
        "code": p.code,
        "sex": p.sex,
        "birth_date": None if p.birth_date is None else p.birth_date.isoformat(),
        "age_years": age,
    }


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(str(item), None)
    return list(seen)


def phi_strings(analysis: Analysis, others: Iterable[PatientInfo] = ()) -> tuple[str, ...]:
    """Return the strings that must not appear in a de-identified output.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    others : iterable of PatientInfo
        The patient as other sources give them (the clinical context's name, member ID and
        birth date): a clinician's free text may quote those rather than the file's header.

    Returns
    -------
    tuple of str
        The patient's name, code and birth date in every spelling
        (:meth:`~oximetry.model.PatientInfo.spellings`), the input file's path, name and stem
        (and those of each file read with it: a WFDB record's other files), or instead the
        names it had before (``SourceInfo.earlier_names``). Single characters (EDF's ``X`` for
        "unknown") are left out.
    """
    path = analysis.recording.source.path
    items: list[str] = []
    for p in (analysis.recording.patient, *others):
        items += p.spellings()
    src = analysis.recording.source
    companions = [*src.companions, *(c for part in src.parts for c in part.companions)]
    files = [path, *(part.path for part in src.parts), *(c.path for c in companions)]
    for file in files if src.earlier_names is None else ():
        if file:
            pp = Path(file)
            items += [file, pp.name, pp.stem]
    items += src.earlier_names or ()
    return tuple(sorted({s for s in items if len(s.strip()) > 1}, key=len, reverse=True))


def make_scrubber(analysis: Analysis, others: Iterable[PatientInfo] = ()) -> Callable[[Any], Any]:
    """Return a function that replaces the recording's identifiers in any string by ``[redacted]``.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording whose patient fields and file name are to be removed.
    others : iterable of PatientInfo
        The same patient as other sources name them (:func:`phi_strings`).

    Returns
    -------
    callable
        Applied to nested data (dicts, lists, strings), returns a copy with every identifier
        (matched whole, case-insensitively; the patient's whatever separators stand between
        their parts, :meth:`~oximetry.model.PatientInfo.spellings`) replaced.
    """
    # the patient's spellings are matched whatever separators stand between their parts (an
    # interpretation quoting member ID QZ-9988776 as "QZ 9988776" was written whole), the file
    # names as written
    patients = (analysis.recording.patient, *others)
    spellings = [s for p in patients for s in p.spellings()]
    pattern = redaction_pattern(phi_strings(analysis, patients[1:]), flexible=spellings)
    if pattern is None:
        return lambda value: value

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(REDACTED, value)
        if isinstance(value, Mapping):
            return {k: scrub(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [scrub(v) for v in value]
        return value

    return scrub


def build_summary(
    analysis: Analysis,
    *,
    qualification: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    deidentify: bool = False,
    events_text: str | None = None,
    others: Iterable[PatientInfo] = (),
) -> dict[str, Any]:
    """Return ``summary.json`` as a dict (schema ``oxi.summary/1``, SPEC §9).

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    qualification : mapping, optional
        The criteria engine's block (``Determination.to_dict()``), written as given.
    context : mapping, optional
        The clinical context used, already de-identified (birth date replaced by age).
    deidentify : bool
        When True, the input path is replaced by the file's sha256, the ``patient`` block holds only
        the age, and the file name and patient identifiers are removed from every text field.
    events_text : str, optional
        ``events_csv_text(analysis, deidentify=deidentify)`` when the caller already has it (its
        sha256 goes into the summary); computed here otherwise.
    others : iterable of PatientInfo
        The patient as the clinical context names them (:func:`phi_strings`), removed too from
        the recorder's labels a de-identified summary keeps (device, channels).

    Returns
    -------
    dict
        Keys: ``schema``, ``deidentified``, ``input`` (``date_known`` and ``clock_known`` say
        whether the file gave a date and a time of day, ``possible_dates`` the dates an unknown
        one may be when the file narrows it to a few; for a night joined from several files,
        ``input.parts`` lists each file in time order: path, sha256, start, samples, and the
        annotation file read with it, ``annotations`` and ``annotations_sha256``; for a record
        held in several files, a WFDB header and its signal files, ``input.companions`` (and
        ``input.parts[N].companions``) lists each file read besides the one given: path and
        sha256, ``input.sha256`` being the given file's), ``patient`` (identifiers, or the age only
        when de-identified; null when the file has none), ``recording``, ``windows``, ``metrics``
        (by window kind; events inside carry ISO times), ``events`` (counts by type, the name of
        the events table and the sha256 of its text, so that ``oxi verify`` covers every event),
        ``vendor_summary`` (the device's own summary of the night from its file, e.g. a
        Viatom/Wellue header, beside oxi's figures and never used for them; null when the file
        has none), ``qualification``, ``context``, ``warnings``, ``software``, ``settings``.

    Notes
    -----
    Floats computed by the analysis are rounded to :data:`FLOAT_DECIMALS` (6) decimals; settings and context are written as
    given. Keys are sorted when serialised with :func:`dumps_summary`, so the bytes depend only on
    the recording, the settings, the context and the software version.
    """
    rec = analysis.recording
    src = rec.source
    art = analysis.artifact
    if events_text is None:
        events_text = events_csv_text(analysis, deidentify=deidentify)
    counts: dict[str, int] = {}
    for e in analysis.events:
        counts[e.type] = counts.get(e.type, 0) + 1
    summary: dict[str, Any] = {
        "schema": SCHEMA,
        "deidentified": bool(deidentify),
        "input": {
            "path": src.sha256 if deidentify else src.path,
            "sha256": src.sha256,
            "format": src.format,
            "device": src.device,
            "channel": src.spo2_channel,
            "channel_selection": src.selection,
            "fs_hz": rec.fs,
            "pulse_channel": None if rec.pulse is None else rec.pulse.label,
            "pulse_fs_hz": None if rec.pulse is None else rec.pulse.fs,
            "start": iso_time(rec.start, 0.0),
            "start_note": _start_note(rec),
            "date_known": bool(src.date_known),
            "clock_known": bool(src.clock_known),
            # the dates an unknown one may be (an EMAY 03/04/2026): the rules date the test by
            **(
                {"possible_dates": [d.isoformat() for d in src.possible_dates]}
                if src.possible_dates
                else {}
            ),
            "sleep_test_channels": list(rec.sleep_test_channels),
            "read_options": _plain(dict(src.read_options)),
            **({"parts": _parts_block(src, deidentify)} if src.parts else {}),
            **_companions_block(src.companions, deidentify),
        },
        "patient": patient_block(analysis, deidentify),
        "recording": {
            "samples": rec.spo2.n_samples,
            # samples / fs / 60 as every window's minutes (sample_minutes): 1,260 samples at
            # 0.7 Hz were 30.000001 min beside the presumed-sleep window's 30.0
            "duration_min": sample_minutes(rec.spo2.n_samples, rec.fs),
            "valid_min": sample_minutes(int(np.count_nonzero(art.valid)), rec.fs),
            "artifact_pct": art.artifact_pct,
            "artifact_samples": {str(k): int(v) for k, v in art.counts.items()},
            "review_flags": list(art.review_flags),
            # what the scorer rejected, excluded like --exclude: oxi qualify --summary reads
            # it as taken out of a presumed-sleep window at a lights on/off option (without
            # it, an untouched summary was refused as edited); absent when there is none
            **(
                {"spo2_artifact_spans_s": [list(sp) for sp in analysis.spo2_artifact_spans_s]}
                if analysis.spo2_artifact_spans_s
                else {}
            ),
            # supplemental oxygen the annotations mark: the rules read the night as partly on
            # oxygen (oxi qualify --summary too); absent when there is none
            **(
                {"oxygen_marks_s": [list(sp) for sp in analysis.oxygen_marks_s]}
                if analysis.oxygen_marks_s
                else {}
            ),
            # the flows every oxygen mark names: Medicare's > 4 L/min tier needs the test on
            # at least 4 L/min ('Oxygen 2 L/min' beside test.o2_flow_lpm 4 had it); absent
            # when there is none
            **(
                {"oxygen_marked_flows_lpm": list(analysis.oxygen_mark_flows_lpm)}
                if analysis.oxygen_mark_flows_lpm
                else {}
            ),
            # the flows the oxygen marks name at the walk on oxygen: oxi qualify --summary
            # holds the context's flow of the walk against them (analysed without a flow, 'O2
            # 4 L/min' at a walk given as 2 L/min qualified); absent when there is none
            **(
                {"exercise_o2_marked_flows_lpm": list(analysis.walk_o2_flows_lpm)}
                if analysis.walk_o2_flows_lpm
                else {}
            ),
            # the file's segment marks no segment of the test is, as an overnight sleep
            # window left them out with the test: oxi qualify --summary reads them as taken
            # out at a lights on/off option, as the test's segments, and refuses a sleep
            # window holding them; absent when there is none (a rest or exercise test)
            **(
                {"test_marks_s": [list(sp) for sp in analysis.test_marks_s]}
                if analysis.test_marks_s
                else {}
            ),
        },
        "windows": _windows_block(analysis),
        "main_window": analysis.main_window,
        "metrics": _metrics_block(analysis),
        **_without_constant_runs_block(analysis),
        **_without_fall_plateaus_block(analysis),
        "events": {
            "counts": dict(sorted(counts.items())),
            "table": "events.csv",
            "table_sha256": hashlib.sha256(events_text.encode("utf-8")).hexdigest(),
        },
        "vendor_summary": _plain(dict(src.vendor_summary)) if src.vendor_summary else None,
        "warnings": _unique([*rec.warnings, *analysis.warnings]),
        "software": {"name": "oxi", "version": __version__},
    }
    summary = _round(summary)
    # The options as typed, unrounded: oxi verify reads the recording again with them, and an
    # --fs 0.3333333 recorded as 0.333333 re-read the night at another rate (68 differences).
    summary["input"]["read_options"] = _plain(dict(src.read_options))
    summary["qualification"] = None if qualification is None else _round(qualification)
    summary["context"] = None if context is None else _plain(context)
    summary["settings"] = _plain(analysis.settings.to_dict())
    # The sha256 of every output beside the summary; write_outputs adds report.pdf and trace.png
    # once rendered (from this summary), and the summary is written last.
    summary["files"] = {"events.csv": summary["events"]["table_sha256"]}
    if deidentify:
        # Free text may quote the file or the header (a reader's warning, a device string, a
        # channel label typed at the recorder). read_options keep the --channel asked for, as
        # typed: oxi verify reads the recording again with it.
        scrub = make_scrubber(analysis)
        # The recorder's labels lose the context's spellings too: a device field "Quackenbush
        # Oxi" beside a header without a name was written whole. Only they: oxi's own words
        # ("may include time awake") are not redacted for a name the recording does not hold
        labels = make_scrubber(analysis, others)
        for key in (
            "device",
            "channel",
            "channel_selection",
            "pulse_channel",
            "sleep_test_channels",
        ):
            summary["input"][key] = labels(summary["input"][key])
        summary["recording"]["review_flags"] = scrub(summary["recording"]["review_flags"])

        def unnamed(warnings: list[Any]) -> Any:
            # the labels a reader's warning quotes lose the context's spellings as the labels
            # do ("column 'SpO2 Quackenbush': 11 cell(s) ..." beside a channel "SpO2
            # [redacted]"), oxi's own words only the recording's (review of hunt 15)
            return scrub([redact_quoted(w, labels) if isinstance(w, str) else w for w in warnings])

        summary["warnings"] = unnamed(summary["warnings"])
        q = summary["qualification"]
        if isinstance(q, dict) and isinstance(q.get("warnings"), list):
            # The rules' warnings repeat the recording's, as read (oxi.qualify evidence).
            summary["qualification"] = {**q, "warnings": unnamed(q["warnings"])}
        for w in summary["windows"]:
            w["warning"] = scrub(w["warning"])
    return summary


def _without_constant_runs_block(analysis: Analysis) -> dict[str, Any]:
    """Return ``{"without_constant_runs": ...}`` when a long constant run touches a window.

    The block is absent otherwise, so that the summaries of most recordings are unchanged.
    """
    block = analysis.without_constant_runs_dict()
    return {} if block is None else {"without_constant_runs": block}


def _without_fall_plateaus_block(analysis: Analysis) -> dict[str, Any]:
    """Return ``{"without_fall_plateaus": ...}`` when a level accepted after a fall counts.

    Absent otherwise, as ``without_constant_runs`` is.
    """
    block = analysis.without_fall_plateaus_dict()
    return {} if block is None else {"without_fall_plateaus": block}


def _parts_block(src: SourceInfo, deidentify: bool) -> list[dict[str, Any]]:
    """Return the files of a joined night, in time order (``input.parts``; absent for one file)."""
    return [
        {
            "path": part.sha256 if deidentify else part.path,
            "sha256": part.sha256,
            "start": iso_time(part.start, 0.0),
            "samples": part.samples,
            **(
                {"annotations": part.annotations, "annotations_sha256": part.annotations_sha256}
                if part.annotations is not None
                else {}
            ),
            **_companions_block(part.companions, deidentify),
        }
        for part in src.parts
    ]


def _companions_block(
    companions: tuple[CompanionFile, ...], deidentify: bool
) -> dict[str, list[dict[str, str]]]:
    """Return ``{"companions": [...]}`` for the files read with the one given; {} for none.

    Each entry has the keys of an ``input.parts`` entry's file: ``path`` (its sha256 when
    de-identified) and ``sha256``. Absent for a file read alone, so the summaries of one-file
    formats are unchanged.
    """
    if not companions:
        return {}
    return {
        "companions": [
            {"path": c.sha256 if deidentify else c.path, "sha256": c.sha256} for c in companions
        ]
    }


def dumps_summary(summary: Mapping[str, Any]) -> str:
    """Serialise a summary deterministically (sorted keys, two-space indent, final newline).

    Parameters
    ----------
    summary : mapping
        As returned by :func:`build_summary`.

    Returns
    -------
    str
    """
    return json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def _fmt(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return ""
    return repr(round_figure(float(value)))


def event_row(event: Event, start: _dt.datetime, fs: float) -> dict[str, str]:
    """Return one ``events.csv`` row for ``event``.

    Parameters
    ----------
    event : Event
        The event.
    start : datetime.datetime
        The recording's start (turns seconds into ISO times).
    fs : float
        The SpO2 channel's rate: a detected event lasts whole samples
        (:meth:`~oximetry.results.Event.duration_at`).

    Returns
    -------
    dict of str to str
        Keyed by :data:`EVENT_COLUMNS`.
    """
    return {
        "type": event.type,
        "start": iso_time(start, event.start_s) or "",
        "end": iso_time(start, event.end_s) or "",
        "duration_s": _fmt(event.duration_at(fs)),
        "nadir_pct": _fmt(event.nadir_pct),
        "baseline_pct": _fmt(event.baseline_pct),
        "drop_pct": _fmt(event.drop_pct),
        "window": event.window or "",
        "label": event.label,
    }


def events_csv_text(analysis: Analysis, *, deidentify: bool = False) -> str:
    r"""Return ``events.csv`` as text: one row per event, in the analysis's order (by start).

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    deidentify : bool
        Remove the recording's identifiers from the ``label`` column (scored annotations' text).

    Returns
    -------
    str
        CSV with a header row of :data:`EVENT_COLUMNS` and ``\\n`` line ends.
    """
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=EVENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    scrub = make_scrubber(analysis) if deidentify else None
    for e in analysis.events:
        row = event_row(e, analysis.recording.start, analysis.recording.fs)
        if scrub is not None:
            row["label"] = scrub(row["label"])
        # a scored annotation's text, as the file gives it: never a formula once opened
        row["label"] = inert(row["label"])
        writer.writerow(row)
    return buf.getvalue()


def write_json_atomic(path: str | os.PathLike[str], obj: Mapping[str, Any]) -> Path:
    """Write ``obj`` as deterministic JSON, atomically, creating the folder if needed.

    Parameters
    ----------
    path : str or PathLike
        The destination file.
    obj : mapping
        JSON-able data (dates become ISO text).

    Returns
    -------
    Path
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(dest, dumps_summary(_plain(obj)))
