"""One recording from file to outputs: read → analyze → qualify → write.

The CLI, ``oxi batch`` and ``oxi verify`` all go through here, so that a recording is analysed the
same way whichever command asked. Options arrive as the user typed them (clock times as text);
they are resolved against the recording's start once it has been read, and what was resolved is
what ``summary.json`` records.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import criteria
import oximetry
from criteria.context import CONTEXT_FREE_TEXT, Context
from criteria.evaluate import Determination
from criteria.evidence import Evidence
from oximetry.analysis import analyze
from oximetry.annotations import is_pap_note, scoring_text
from oximetry.errors import OximetryError, SettingsError, redact_quoted
from oximetry.io import path_text, read_hypnogram, read_recording, sha256_of
from oximetry.io.join import night_sha256
from oximetry.io.nsrr_xml import attach_annotations, find_xml_beside, read_xml_annotations
from oximetry.io.wfdb_record import record_companions
from oximetry.model import PatientInfo, Recording
from oximetry.report import build_summary, events_csv_text, write_outputs
from oximetry.report.outputs import OUTPUT_NAMES
from oximetry.report.summary import AGE_CAP_YEARS, make_scrubber
from oximetry.results import Analysis
from oximetry.settings import AnalysisSettings, check_o2_flow

from .options import check_segments_inside, parse_segments, parse_span, parse_time_spec
from .qualify import (
    evidence_from_analysis,
    first_day_of,
    last_day_of,
    load_context,
    qualify,
    with_analysed_test_type,
)

__all__ = [
    "AnalyzeRequest",
    "Outcome",
    "analyze_file",
    "check_recorded_spans",
    "default_out_dir",
    "deidentified_context",
    "folder_name",
    "night_files",
    "refuse_writing_over",
    "refused_by_system",
    "resolve_settings",
    "same_file",
    "scoring_annotations_only",
]


#: What the system answers when it refuses a user's file or runs out of room: the input, the
#: output folder or the disk, never a bug in oxi.
_REFUSALS = frozenset(
    {
        errno.ENOENT, errno.EACCES, errno.EPERM, errno.ENOTDIR, errno.EISDIR, errno.EEXIST,
        errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO, errno.ELOOP,
        errno.ENAMETOOLONG, errno.EMFILE, errno.ENFILE, errno.EBUSY, errno.ETXTBSY, errno.EXDEV,
        errno.ESTALE,
    }
)  # fmt: skip
#: oxi's own folders: a file of its own the system cannot find is a broken install or a bug.
_OWN = tuple(
    os.path.dirname(os.path.abspath(m)) + os.sep
    for m in (__file__, oximetry.__file__ or "", criteria.__file__ or "")
)


def refused_by_system(exc: OSError) -> bool:
    """Tell whether an ``OSError`` is the system refusing a user's file or out of room.

    Such an error is said in one line as bad input (a missing or unreadable recording, an
    output folder in the way, a full disk). Any other, and one about a file of oxi's own (a
    missing package file), is a bug: reported as bad input, a bug read as the input's fault.

    Parameters
    ----------
    exc : OSError
        The error.

    Returns
    -------
    bool
    """
    if exc.errno not in _REFUSALS:
        return False
    name = exc.filename if isinstance(exc.filename, str) else None
    return name is None or not os.path.abspath(name).startswith(_OWN)


@dataclass(frozen=True)
class AnalyzeRequest:
    """What the user asked for, before the recording is read.

    Parameters
    ----------
    channel, fs, scale
        Reading options (``--channel``, ``--fs``, ``--scale``).
    hypnogram : str or None
        A staging file (``--hypnogram``).
    annotations : str or None
        NSRR or Profusion XML annotations (``--annotations``; one recording file only); without
        it, an EDF's NSRR-named XML beside it (``<name>-nsrr.xml``, ``<name>-profusion.xml``,
        ``<name>.edf.XML``) is read, for each file of a joined night its own.
    lights_off, lights_on, awake : str or None
        Clock times or seconds as typed (``--lights-off 22:30``, ``--awake 0-600``).
    exclude, segments : tuple of str
        ``--exclude START-END`` and ``--segment NAME=START-END`` as typed.
    o2_flow_lpm : float or None
        ``--o2-flow``.
    test_type : str or None
        ``overnight``, ``exercise`` or ``rest``; the context's ``test.type`` when not given.
    context_path : str or None
        The clinical context file (``--context``).
    payer : str or None
        Rule profile; overrides the context's ``payer``.
    deidentify : bool
        Remove patient identifiers from every output.
    report : bool
        Write report.pdf and trace.png (False for ``--no-report``).
    """

    channel: str | None = None
    fs: float | None = None
    scale: float | None = None
    hypnogram: str | None = None
    annotations: str | None = None
    lights_off: str | None = None
    lights_on: str | None = None
    awake: str | None = None
    exclude: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    o2_flow_lpm: float | None = None
    test_type: str | None = None
    context_path: str | None = None
    payer: str | None = None
    deidentify: bool = False
    report: bool = True


@dataclass(frozen=True)
class Outcome:
    """The result of :func:`analyze_file`.

    Parameters
    ----------
    analysis : Analysis
        Figures, windows and events.
    determination : Determination or None
        The rules' verdict (always evaluated; with no context every path is not evaluable).
    context : Context or None
        The clinical context used.
    summary : dict
        ``summary.json`` as written.
    paths : mapping of str to Path
        The files written (empty when nothing was written).
    """

    analysis: Analysis
    determination: Determination | None
    context: Context | None
    summary: dict[str, Any]
    paths: Mapping[str, Path] = field(default_factory=dict)


def default_out_dir(path: str | Path | Sequence[str | Path], *, deidentify: bool) -> Path:
    """Return ``./oxi-out/<recording name>/`` (the recording's hash prefix when de-identifying).

    Parameters
    ----------
    path : str or Path, or a sequence of them
        The recording: a file, a folder holding a night's files, or the files of a split night
        (named by the first).
    deidentify : bool
        When True the folder is named after the recording's sha256, not its name: a file's own,
        or, for a night of several files, a digest of their digests (in any order given).

    Returns
    -------
    Path
    """
    given = [Path(path)] if isinstance(path, str | Path) else [Path(p) for p in path]
    if deidentify:
        # A folder has no sha256 of its own ("cannot read the file (Is a directory)"), and
        # named by its first file's, `oxi analyze night/` replaced that file's own outputs.
        files = night_files(given)
        if len(files) == 1:
            return Path("oxi-out") / sha256_of(files[0])[:16]
        return Path("oxi-out") / night_sha256(sorted(sha256_of(f) for f in files))[:16]
    p = given[0]
    return Path("oxi-out") / folder_name(p.stem or p.name)


def folder_name(text: str) -> str:
    """Return ``text`` made safe as one folder name inside an output folder.

    Path separators, control characters and leading dots become ``_`` (so ``..``, ``.`` and a
    recording named ``...edf`` never point outside the output folder or hide it); an empty
    result becomes ``recording``.

    Parameters
    ----------
    text : str
        A file name or stem.

    Returns
    -------
    str
    """
    name = re.sub(r"[\x00-\x1f\x7f/\\:]", "_", text).strip()
    if not name.strip("."):
        return "recording"
    return "_" + name.lstrip(".") if name.startswith(".") else name


#: What ``--deidentify`` keeps of a note naming a PAP machine: a word that reads as one
#: (:func:`oximetry.annotations.is_pap_note`) and is a note, nothing else.
PAP_NOTE_TEXT = "CPAP"


def scoring_annotations_only(recording: Recording) -> Recording:
    """Return ``recording`` with its annotations in the scoring vocabulary alone (``--deidentify``).

    Stages, lights marks, segment names and event kinds are kept, rewritten in the vocabulary's
    words (:func:`oximetry.annotations.scoring_text`), and a note naming a PAP machine as
    ``CPAP`` (it marks a night on PAP, Medicare); notes and every other word typed into an
    annotation (names, dates, record numbers in any spelling) are dropped before the analysis,
    so no output can carry them. The figures are those of the original annotations.

    Parameters
    ----------
    recording : Recording

    Returns
    -------
    Recording
    """
    kept = []
    for a in recording.annotations:
        text = scoring_text(a.text)
        if text is not None:
            kept.append(replace(a, text=text))  # the scorer's nadir and baseline kept
        if is_pap_note(a.text) and (text is None or not is_pap_note(text)):
            # a note naming a PAP machine is kept as the machine's name alone: dropped as free
            # text (or rewritten as oxygen or an arousal), a night on PAP was stand-alone
            # oximetry under --deidentify and qualified N1 (Recording.sleep_test_channels)
            kept.append(replace(a, text=PAP_NOTE_TEXT))
    return replace(recording, annotations=tuple(kept))


def resolve_settings(
    request: AnalyzeRequest, recording: Recording, context: Context | None = None
) -> AnalysisSettings:
    """Turn the options as typed into :class:`AnalysisSettings` for this recording.

    Parameters
    ----------
    request : AnalyzeRequest
        The options.
    recording : Recording
        The recording they apply to (its start resolves clock times).
    context : Context or None
        The clinical context; supplies the test type, and the walk on oxygen's flow
        (``test.exercise_o2_flow_lpm``), when the options do not.

    Returns
    -------
    AnalysisSettings

    Raises
    ------
    SettingsError
        A malformed time, span or segment, or a ``--test-type`` other than the context's
        ``test.type``.
    """
    # Without a clock (elapsed time only, or UTC stamps whose local time is unknown) the
    # placeholder start's midnight is no time of day: a clock time there would be placed in a
    # made-up day, so clock times are refused and seconds from the start accepted.
    # Nor across a daylight-saving change: after it a clock time is an hour off from
    # ``clock - start`` (or names two moments), so only seconds from the start are accepted.
    changed = bool(recording.source.clock_changes_s)
    start = recording.start if recording.clock_known and not changed else None
    # The option named when the option is wrong, the recording when it does not hold it.
    # In a recording of more than 24 h a clock time may occur twice: refused there (span_s).
    span_s = recording.duration_s
    segments = parse_segments(request.segments, start, span_s)
    check_segments_inside(request.segments, segments, recording)
    exclude = tuple(parse_span(x, start, span_s=span_s) for x in request.exclude)
    for text, (s, e) in zip(request.exclude, exclude, strict=True):
        if _outside(s, e, recording.duration_s):
            # dropped without a word, a technologist's rejection of a low stretch given in the
            # file's own seconds (79200 on, a column since midnight counted from its first row)
            # excluded nothing, and the night qualified on the stretch
            raise SettingsError(
                f"--exclude {text!r} ({s:g} s to {e:g} s from the start) lies outside the "
                f"recording (0 to {recording.duration_s:g} s): it would exclude nothing",
                recording.source.path,
            )
    test_type = request.test_type
    o2_flow = request.o2_flow_lpm
    check_o2_flow(o2_flow, "--o2-flow")
    said = None if context is None else context.test.type
    if test_type is not None and said is not None and test_type != said:
        # The recording would be analysed as one test and judged as the other: a 30-min walk
        # given --test-type rest became one "rest" segment, its walking desaturation continuous
        # oxygen "at rest" under the context's exercise test.
        raise SettingsError(
            f"--test-type {test_type} but the context's test.type is {said}: give one test "
            "type (correct the context, or leave --test-type out)",
            context.source if context is not None else None,
        )
    if context is not None:
        test_type = test_type or context.test.type
        if o2_flow is None and context.test.exercise_o2_flow_lpm is not None:
            # the walk's flow (never the order's: that is what was prescribed, not tested)
            o2_flow = float(context.test.exercise_o2_flow_lpm)
            # named as the context's (a context file refuses 0 itself; one built in code does
            # not, and a 0 from it was refused as "--o2-flow", an option not given)
            check_o2_flow(o2_flow, "the context's test.exercise_o2_flow_lpm", context.source)
    awake = None if request.awake is None else parse_span(request.awake, start, span_s=span_s)
    if awake is not None and _outside(awake[0], awake[1], span_s):
        # accepted as an --exclude there is not: an --awake at 21:00-21:10 on a night from
        # 22:00 was placed at 21:00 the next day, past the end, and gave no baseline unsaid
        raise SettingsError(
            f"--awake {request.awake!r} ({awake[0]:g} s to {awake[1]:g} s from the start) lies "
            f"outside the recording (0 to {span_s:g} s)",
            recording.source.path,
        )
    return AnalysisSettings(
        lights_off_s=None
        if request.lights_off is None
        else parse_time_spec(request.lights_off, start, span_s=span_s),
        lights_on_s=None
        if request.lights_on is None
        else parse_time_spec(request.lights_on, start, span_s=span_s),
        awake_span_s=awake,
        exclude_s=exclude,
        segments_s=segments,
        test_type=test_type,
        staging=()
        if request.hypnogram is None
        else read_hypnogram(request.hypnogram, start=start, end_s=recording.duration_s),
        o2_flow_lpm=o2_flow,
    )


def _outside(start_s: float, end_s: float, duration_s: float) -> bool:
    """Tell whether a span (``--exclude``, ``--awake``) holds no moment of the recording."""
    return end_s <= 0 or start_s >= duration_s


def check_recorded_spans(settings: AnalysisSettings, recording: Recording) -> None:
    """Refuse recorded spans that :func:`resolve_settings` would have refused on ``recording``.

    ``oxi verify`` takes the settings a summary records as they are; an ``--exclude`` or
    ``--awake`` span lying wholly outside the recording is one no option could give, so a
    summary recording it is not one ``oxi analyze`` wrote for this recording.

    Parameters
    ----------
    settings : AnalysisSettings
        Settings read back from a summary (:func:`oximetry.settings.recorded_settings`).
    recording : Recording
        The recording they were recorded for.

    Raises
    ------
    SettingsError
        ``settings.exclude_s[N]`` or ``settings.awake_span_s`` lies outside the recording,
        naming the option that refuses it.
    """
    duration = recording.duration_s
    spans = [(f"settings.exclude_s[{i}]", "--exclude", s) for i, s in enumerate(settings.exclude_s)]
    if settings.awake_span_s is not None:
        spans.append(("settings.awake_span_s", "--awake", settings.awake_span_s))
    for key, option, (s, e) in spans:
        if _outside(s, e, duration):
            raise SettingsError(
                f"{key} ({s:g} s to {e:g} s from the start) lies outside the recording "
                f"(0 to {duration:g} s), which oxi analyze {option} refuses"
            )


#: How a de-identified summary records its annotation file: by hash, never by path.
XML_BY_HASH = "sha256:"


def _with_xml_annotations(
    recording: Recording, path: str | Path, annotations: str | None, *, deidentify: bool = False
) -> Recording:
    """Add NSRR/Profusion XML stages and scored events (given, or NSRR-named beside an EDF).

    The file is recorded in ``read_options["annotations"]`` by its path, or, when
    ``deidentify``, as ``sha256:<hex>`` (its path may name the patient, as the recording's may),
    and always by its sha256 in ``read_options["annotations_sha256"]``, so that ``oxi verify``
    can tell whether the file it is given is the one used.
    """
    xml_path: str | Path | None = annotations
    if xml_path is None and recording.source.format.startswith(("edf", "bdf")):
        xml_path = find_xml_beside(path)
    if xml_path is None:
        return recording
    xml = read_xml_annotations(xml_path, start=recording.start)
    rec = attach_annotations(recording, xml, xml_path)
    digest = sha256_of(xml_path)
    options = {
        **rec.source.read_options,
        # a name that is not UTF-8 escaped (written as it came, it failed the analysis as an
        # internal error); oxi verify then needs --annotations for such a file
        "annotations": XML_BY_HASH + digest if deidentify else path_text(xml_path),
        "annotations_sha256": digest,
    }
    return replace(rec, source=replace(rec.source, read_options=options))


def deidentified_context(context: Context, analysis: Analysis) -> Context:
    """Return ``context`` with the patient's identifiers removed from its free text.

    A context's name, member ID and birth date never reach a de-identified output as fields
    (:meth:`Context.to_dict`), but an interpretation, a facility or a practitioner typed by a
    clinician may quote them, and would reach summary.json (the context block and the rules'
    values) and page 1 of report.pdf. Each is replaced by ``[redacted]`` wherever it appears —
    as the context or the recording's header gives it, or the file's name
    (:func:`oximetry.report.summary.phi_strings`) — before the rules are evaluated, and the text
    is cut to the length the context accepts (so the summary's context reads back the same), at a
    space: never inside a word, which cut short may spell the patient the whole word did not.

    Parameters
    ----------
    context : Context
        The clinical context as given.
    analysis : Analysis
        The analysed recording.

    Returns
    -------
    Context
    """
    scrub = make_scrubber(analysis, [context_patient(context)])
    out = context
    for section, key, limit in CONTEXT_FREE_TEXT:
        block = getattr(out, section)
        text = None if block is None else getattr(block, key)
        if isinstance(text, str):
            cleaned = _cut(scrub(text), limit, scrub).strip()
            out = replace(out, **{section: replace(block, **{key: cleaned})})
    return out


def context_patient(context: Context) -> PatientInfo:
    """Return the patient's identifiers as the clinical context gives them (name, ID, birth date).

    Parameters
    ----------
    context : Context
        The clinical context.

    Returns
    -------
    PatientInfo
        For :func:`~oximetry.report.summary.make_scrubber`'s ``others``.
    """
    p = context.patient
    return PatientInfo(name=p.name, code=p.member_id, birth_date=p.birth_date)


def _unnamed(exc: OximetryError, patient: PatientInfo) -> None:
    """Replace the patient's spellings in what ``exc`` quotes from a file, its path kept.

    A reader's error quotes the recorder's channel labels (``--channel`` needs them) with the
    header's identifiers redacted; "no channel labelled 'Foo'; channels: ['SpO2 Quackenbush',
    ...]" named the patient the context gives, not the header, under --deidentify too (hunt
    15). The path is the one the user typed, printed as typed (docs/privacy.md). Only what the
    error quotes is redacted, not its own words: a context naming "May, Lee" printed "its
    numbers [redacted] be seconds from the start" (review of hunt 15).
    """
    exc.reason = redact_quoted(exc.reason, patient.redact)
    if exc.deidentified is not None:
        exc.deidentified = redact_quoted(exc.deidentified, patient.redact)
    exc.args = (f"{exc.path}: {exc.reason}" if exc.path else exc.reason,)


def _cut(text: str, limit: int, scrub: Callable[[Any], Any]) -> str:
    """Return ``text`` cut to ``limit`` characters, never ending in a word cut short.

    A ``[redacted]`` longer than the spelling it replaced may carry a text past ``limit``: cut
    there, "Lee " + 185 x + " Leeds Lane" beside a header naming Lee Quinn ended in "Lee", a
    spelling of the patient the scrubbed text did not hold (hunt 14 review). The cut goes back to
    the last space; a text without one, back until it spells nothing ``scrub`` replaces.
    """
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if text[limit].isspace() or cut[-1].isspace():
        return cut
    head = cut.rsplit(None, 1)
    if len(head) == 2:
        return head[0]
    while cut and scrub(cut) != cut:
        cut = cut[:-1]
    return cut


def _context_dict(
    context: Context | None,
    determination: Determination,
    analysis: Analysis,
    judged_on: Evidence | None,
    deidentify: bool,
    judged_type: str | None,
) -> dict[str, Any] | None:
    """Return the context as ``summary.json`` records it (ages capped when de-identifying)."""
    if context is None:
        return None
    return context.to_dict(
        test_date=determination.test_date,
        recording_name=analysis.recording.patient.name,
        recording_birth_date=analysis.recording.patient.birth_date,
        first_day=first_day_of(judged_on),
        last_day=last_day_of(judged_on, judged_type, determination.test_date),
        age_cap=AGE_CAP_YEARS if deidentify else None,
    )


def _newly_capped(context: Context, recorded: Mapping[str, Any]) -> bool:
    """Tell whether ``recorded`` caps an age ``context`` gives exactly (not a summary's copy).

    Or the header's age alone: ``recorded`` then keeps its comparison with the context's
    (``age_matches_recording``), and the rules run again on it so that the conflict's text caps
    the header's age as the summary's patient block does ("makes the patient 95" beside a
    context of 89 was written in a de-identified summary, hunt 13).
    """
    patient = recorded.get("patient") or {}
    if bool(patient.get("age_capped")) and not context.patient.age_capped:
        return True
    return "age_matches_recording" in patient and context.patient.age_matches_recording is None


def night_files(paths: Sequence[str | Path]) -> list[Path]:
    """Return the files of a split night: the paths given, or the files inside one folder.

    Parameters
    ----------
    paths : sequence of str or Path
        Files, or a single folder (its non-hidden files, sorted by name, without the annotation
        files NSRR lays out beside its EDFs and the signal files of a WFDB header: those are
        read with their EDF or header, and without oxi's
        own outputs when the folder holds a ``summary.json``: the night analysed into its own
        folder, or handed to a reviewer with its outputs).

    Returns
    -------
    list of Path
    """
    if len(paths) == 1 and Path(paths[0]).is_dir():
        folder = Path(paths[0])
        found = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
        beside = {find_xml_beside(p) for p in found}
        # a WFDB record is read through its header, which reads its signal files: given too,
        # they were a second recording of the same night, refused as overlapping
        signals = {c for p in found if p.suffix == ".hea" for c in record_companions(p)}
        found = [p for p in found if p not in beside and p not in signals]
        if (folder / OUTPUT_NAMES["summary"]).is_file():
            found = [p for p in found if p.name not in OUTPUT_NAMES.values()]
        if not found:
            raise SettingsError(f"{folder}: is a directory holding no recording files")
        return found
    return [Path(p) for p in paths]


def _read_night(path: str | Path | Sequence[str | Path], request: AnalyzeRequest) -> Recording:
    """Read one file, or join the files of one split night (:func:`night_files`).

    Each EDF's NSRR-named annotation file beside it is read with it, before the files are
    joined, so that its times (seconds from that file's start) land at that file's place in the
    night. ``--annotations`` names one file's annotations and is refused for several files:
    whether its times count from the first file's start or belong to one of the files cannot be
    told, and a wrong guess would misplace every stage.
    """
    from oximetry.io.join import join_recordings

    def read(f: str | Path, annotations: str | None) -> Recording:
        rec = read_recording(f, channel=request.channel, fs=request.fs, scale=request.scale)
        return _with_xml_annotations(rec, f, annotations, deidentify=request.deidentify)

    if isinstance(path, str | Path) and not Path(path).is_dir():
        return read(path, request.annotations)
    files = night_files([path] if isinstance(path, str | Path) else list(path))
    if len(files) == 1:
        return read(files[0], request.annotations)
    if request.annotations is not None:
        raise OximetryError(
            f"--annotations names one recording's annotations, but {len(files)} files are "
            "joined into one night: put each file's annotations beside it as NSRR names them "
            "(<name>-nsrr.xml, <name>-profusion.xml, <name>.edf.XML) and each is placed at its "
            "file's time",
            request.annotations,
        )
    return join_recordings([read(f, None) for f in files])


def _refuse_writing_over_inputs(
    out_dir: Path, path: str | Path | Sequence[str | Path], request: AnalyzeRequest
) -> None:
    """Refuse an output folder where an output would replace an input (SPEC §10).

    A CSV export named ``events.csv`` analysed into its own folder was overwritten, and a folder
    holding only output names is swapped whole (:func:`oximetry.report.atomic.write_set`), so
    every output name is checked, as the same file however it is spelled.
    """
    if isinstance(path, str | Path) and Path(path).is_dir():
        given = night_files([path])
    else:
        given = [Path(p) for p in ([path] if isinstance(path, str | Path) else path)]
    others = (request.context_path, request.hypnogram, request.annotations)
    refuse_writing_over(out_dir, OUTPUT_NAMES.values(), [*given, *others], "this analysis")


def same_file(a: str | Path, b: str | Path) -> bool:
    """Return True when two paths name one existing file, however spelled or linked.

    Parameters
    ----------
    a, b : str or Path
        The paths.

    Returns
    -------
    bool
        False when either is not there.
    """
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def refuse_writing_over(
    out_dir: Path, names: Iterable[str], inputs: Iterable[str | Path | None], what: str
) -> None:
    """Refuse an output folder where one of ``names`` would replace an input (SPEC §10).

    An input is replaced when it is ``out_dir/NAME`` itself, however spelled, or lies inside
    a folder of that name: ``oxi analyze out/report.pdf/night.csv --out out`` swapped the
    folder holding only output names whole, and the recording and its context inside
    ``out/report.pdf`` were removed with the old set (exit 0).

    Parameters
    ----------
    out_dir : Path
        The output folder.
    names : iterable of str
        The file names the command writes there.
    inputs : iterable of str, Path or None
        The command's input files (None for an input not given).
    what : str
        The command, for the message ("this analysis", "oxi qualify").

    Raises
    ------
    oximetry.errors.OximetryError
        Naming the input and the output that would replace it.
    """
    given = [x for x in inputs if x is not None]
    for name in names:
        for item in given:
            if same_file(out_dir / name, item):
                raise OximetryError(
                    f"an input of {what}; --out {out_dir} would write {name} over it "
                    "(give another --out)",
                    item,
                )
            if _inside(item, out_dir / name):
                raise OximetryError(
                    f"an input of {what}, inside {out_dir / name}, where --out {out_dir} "
                    f"writes {name} (give another --out)",
                    item,
                )


def _inside(item: str | Path, folder: Path) -> bool:
    """Tell whether ``item`` lies inside the existing folder ``folder``, however spelled."""
    if not folder.is_dir():
        return False
    inner, outer = os.path.realpath(item), os.path.realpath(folder)
    return inner.startswith(outer.rstrip(os.sep) + os.sep)


def analyze_file(
    path: str | Path | Sequence[str | Path],
    request: AnalyzeRequest | None = None,
    *,
    out_dir: str | Path | None = None,
    settings: AnalysisSettings | None = None,
    context: Context | None = None,
    context_deidentified: bool = False,
    earlier_names: Sequence[str] | None = None,
) -> Outcome:
    """Read, analyse and qualify one recording, and write its outputs when ``out_dir`` is given.

    Parameters
    ----------
    path : str or Path, or a sequence of them
        The recording; several files (or a folder) of one device and one night are joined in
        time order, the time between them kept as missing data, overlaps refused.
    request : AnalyzeRequest, optional
        Options as typed. Defaults to no options.
    out_dir : str or Path, optional
        Where to write summary.json, events.csv (and report.pdf, trace.png unless
        ``request.report`` is False). Nothing is written when None.
    settings : AnalysisSettings, optional
        Already-resolved settings (``oxi verify`` passes those recorded in a summary); when given,
        the time options of ``request`` are ignored.
    context : Context, optional
        An already-loaded context; otherwise ``request.context_path`` is loaded.
    context_deidentified : bool
        ``context`` is the one a de-identified summary records (``oxi verify``): its free text
        was scrubbed when the summary was made, by the recording's file name as it then was,
        and is used as recorded. Scrubbed again by the name the reviewer gives the file, a
        common word ("night") in an interpretation became ``[redacted]`` and a genuine summary
        did not verify.
    earlier_names : sequence of str, optional
        The names the recording's files had when a de-identified summary of them was made
        (``oxi verify``): de-identified outputs redact these as the files' names, not the paths
        given.

    Returns
    -------
    Outcome

    Raises
    ------
    OximetryError
        Unreadable recording or context, bad options, no valid data.
    """
    request = request or AnalyzeRequest()
    if out_dir is not None:
        _refuse_writing_over_inputs(Path(out_dir), path, request)
    if context is None and request.context_path is not None:
        context = load_context(request.context_path)
    try:
        recording = _read_night(path, request)
    except OximetryError as exc:
        if context is not None:
            _unnamed(exc, context_patient(context))
        raise
    if earlier_names is not None:
        source = replace(recording.source, earlier_names=tuple(earlier_names))
        recording = replace(recording, source=source)
    if request.deidentify:
        recording = scoring_annotations_only(recording)
    if settings is None:
        settings = resolve_settings(request, recording, context)
    elif request.o2_flow_lpm is not None:
        settings = replace(settings, o2_flow_lpm=request.o2_flow_lpm)
    analysis = analyze(recording, settings)
    if request.o2_flow_lpm is not None and not any(
        w.kind == "exercise_o2" for w in analysis.windows
    ):
        # The flow of a walk the recording does not hold was dropped without a word: a rest
        # test at 86 % given --o2-flow 2 (the test on 2 L/min) beside test.room_air: true
        # QUALIFIED continuous oxygen on room air, where test.o2_flow_lpm 2 is a conflict.
        raise SettingsError(
            f"--o2-flow {request.o2_flow_lpm:g} L/min is the walk on oxygen's flow, and the "
            "recording holds no walk on oxygen (an exercise_o2 segment): a test taken on oxygen "
            "is test.room_air: false with test.o2_flow_lpm in the context",
            recording.source.path,
        )
    # the patient as the context names them, whom a de-identified output names nowhere either
    # (the recording's device field or a channel label may quote them, not only the header's)
    named = [] if context is None else [context_patient(context)]
    if request.deidentify and context is not None and not context_deidentified:
        context = deidentified_context(context, analysis)
    evidence = evidence_from_analysis(analysis)
    if request.deidentify and evidence.sleep_test_channels:
        # the rules quote these labels (lcd_sleep_study), and a label typed at the recorder
        # may name the patient; the summary records them scrubbed, and so reads them back
        scrub = make_scrubber(analysis, named)
        evidence = replace(
            evidence, sleep_test_channels=tuple(scrub(list(evidence.sleep_test_channels)))
        )
    # a context without test.type is judged as the test analysed (--test-type), not untyped
    judged, judged_on = with_analysed_test_type(context, evidence, settings.test_type)
    determination = qualify(judged, judged_on, request.payer)
    judged_type = None if judged is None else judged.test.type
    context_dict = _context_dict(
        context, determination, analysis, judged_on, request.deidentify, judged_type
    )
    if context is not None and context_dict is not None and _newly_capped(context, context_dict):
        # An age of 90 or more is written 90 when de-identifying (HIPAA safe harbour), and
        # the rules run again on the context so written: their values and texts, the summary's
        # context and the report then say "90 or older" alike (a context born 1931 gave
        # age_years 94 beside a header capped at 90), and `oxi verify` recomputes from the
        # same. No age rule changes at 90 or more; what the exact age decided beside the
        # birth date, the header and the dates is kept (criteria.context: Context.to_dict).
        exact = determination
        context = Context.from_dict(context_dict)
        judged, judged_on = with_analysed_test_type(context, evidence, settings.test_type)
        determination = qualify(judged, judged_on, request.payer)
        # a bug, never a different answer: the capped copy must decide as the exact context
        if (determination.determination, determination.coverage) != (
            exact.determination,
            exact.coverage,
        ):
            raise AssertionError(
                "the context with its ages capped decided otherwise than the context given: "
                f"{determination.determination} against {exact.determination}"
            )
        context_dict = _context_dict(
            context, determination, analysis, judged_on, request.deidentify, judged_type
        )
    qualification = determination.to_dict()
    events_text = events_csv_text(analysis, deidentify=request.deidentify)
    summary = build_summary(
        analysis,
        qualification=qualification,
        context=context_dict,
        deidentify=request.deidentify,
        events_text=events_text,
        others=named,
    )
    paths: Mapping[str, Path] = {}
    if out_dir is not None:
        paths = write_outputs(
            analysis,
            Path(out_dir),
            qualification=qualification,
            context=context_dict,
            deidentify=request.deidentify,
            report=request.report,
            summary=summary,
            events_text=events_text,
            identification=None
            if request.deidentify or context is None
            else context.to_dict(identifiers=True).get("patient"),
        )
    return Outcome(analysis, determination, context, summary, paths)
