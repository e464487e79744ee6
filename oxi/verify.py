"""``oxi verify SUMMARY REC``: recompute a submitted summary from its recording (SPEC §11).

The recording is read with the reading options recorded in the summary, analysed with its
settings, and qualified with its (de-identified) context and rule profile; the summary is then
built again, exactly as ``oxi analyze`` builds it, and compared field by field with the submitted
one. ``input.path`` (the file may have been renamed or moved; in a de-identified summary it is
the file's sha256 and is compared) and the run's own metadata are ignored; everything else — the recording's hash, every figure, every rule and the determination —
must match. The recording's hash is that of every file it was read from: the file given
(``input.sha256``), and each file read with it (``input.companions``: a WFDB header's signal
files, or a signal file's header), named when it is not the one recorded.

Before anything is computed the summary must be one oxi can have written: a known schema, no
unknown top-level key, reading options and settings that ``oxi analyze`` accepts (detector
parameters no option changes must be their defaults, the test type is the context's when the
context gives one, and no ``--exclude`` or ``--awake`` span lies outside the recording the
summary was made from, checked once it is read), so a forged threshold is "not an oxi
summary" and no recorded value can make the recomputation exhaust memory (the readers' caps
bound the rest). The files beside the summary are checked against the sha256 it records
(``files``): a missing or replaced ``events.csv``, ``report.pdf`` or ``trace.png`` is a
difference, and the events table, the trace and the report are rendered again and must be the
very bytes recorded. A report that is not de-identified shows the patient's name and member ID,
which the summary does not hold: it is rendered again only when the context file it was made with
is given (``--context``; that file must be the context the summary records), and otherwise not
checked at all (its sha256 is recorded in the summary, which a forger edits too), which
:func:`hash_only_outputs` says and the verdict line repeats.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from criteria.context import CONTEXT_FREE_TEXT, Context
from criteria.context_file import key_shown
from oximetry import __version__
from oximetry.errors import (
    ChannelNotFoundError,
    OximetryError,
    RecordingFormatError,
    SettingsError,
)
from oximetry.io import sha256_of
from oximetry.io.nsrr_xml import find_xml_beside, xml_files_beside
from oximetry.limits import MAX_FS_HZ, MIN_FS_HZ
from oximetry.model import redaction_pattern
from oximetry.report.summary import REDACTED, SCHEMA, dumps_summary
from oximetry.report.terminal import elapsed_only
from oximetry.settings import recorded_settings
from oximetry.windows import MARKS_SET_ASIDE, STAGING_SET_ASIDE

from .pipeline import (
    XML_BY_HASH,
    AnalyzeRequest,
    Outcome,
    analyze_file,
    check_recorded_spans,
    night_files,
    same_file,
)
from .qualify import context_from_dict, load_context, quoting_nothing_of

__all__ = [
    "GROUPS",
    "IGNORED",
    "annotation_notes",
    "compare_summaries",
    "group_differences",
    "hash_only_outputs",
    "read_json_strictly",
    "recompute_summary",
    "unchecked_notes",
    "verify",
]

#: Dotted keys that are not compared: where the file was (compared when de-identified: there it
#: is the file's sha256), and the run's own metadata; the ``files`` block is checked against the
#: files themselves (:func:`verify`).
IGNORED = ("input.path", "run", "files")
#: How differences are grouped for the reader, by the key they start with.
GROUPS = {
    "identity": ("input", "patient", "deidentified", "software", "schema"),
    "determination": ("qualification", "context"),
    "files": ("files", "events.csv", "report.pdf", "trace.png"),
}
#: Payers a summary may name (``--payer``).
_PAYERS = ("masshealth", "medicare")
#: The file ``oxi batch`` writes beside each recording's outputs (``oxi.batch.worker.MARKER``;
#: a test holds them equal): oxi's own, not a foreign file to name.
BATCH_MARKER = ".oxi-batch.json"
_FILES = ("events.csv", "report.pdf", "trace.png")
#: A recording as ``oxi analyze`` takes it: one file, a folder, or the files of a split night.
_Recording = str | Path | Sequence[str | Path]
#: A sha256 as summaries write it.
_HEX = re.compile(r"[0-9a-f]{64}")
#: At most this many differences are listed one by one.
MAX_LISTED = 60


#: The largest summary.json read: twice what a summary needs with the most sleep stages a
#: hypnogram may give (``settings.staging``, a million epochs take about 65 MB).
MAX_SUMMARY_BYTES = 128 * 1024 * 1024
#: The deepest nesting of objects and lists read; oxi's summaries nest 6 deep.
MAX_DEPTH = 32


def _read_bounded(p: Path) -> bytes:
    """Read a regular file of at most :data:`MAX_SUMMARY_BYTES`, never blocking on a FIFO."""
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise OximetryError(f"cannot read the summary ({exc.strerror})", p) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        # a folder too (os.fdopen of its descriptor failed as "oxi: 3: Is a directory" in
        # oxi qualify --summary DIR)
        if stat.S_ISDIR(st.st_mode):
            raise OximetryError("is a directory, expected a summary.json", p)
        raise OximetryError("not a summary.json: not a regular file", p)
    with os.fdopen(fd, "rb") as f:
        if st.st_size > MAX_SUMMARY_BYTES:
            raise OximetryError(f"not a summary.json: larger than {MAX_SUMMARY_BYTES >> 20} MiB", p)
        data = f.read(MAX_SUMMARY_BYTES + 1)
    if len(data) > MAX_SUMMARY_BYTES:  # grew while read
        raise OximetryError(f"not a summary.json: larger than {MAX_SUMMARY_BYTES >> 20} MiB", p)
    return data


class _NotOxiJson(ValueError):
    """JSON that no oxi writes: a key twice in one object, NaN or Infinity."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _NotOxiJson(f"the key {key[:40]!r} appears twice in one object")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise _NotOxiJson(f"it holds {name}, which JSON does not allow")


def _exact_float(text: str) -> float:
    """Parse a JSON number with a fraction or exponent, refusing one no oxi writes.

    oxi writes a double as the shortest decimal that reads back as it (``repr``). A longer one
    is read by Python as a double it does not equal: ``"nadir_pct": 83.99999999999999999999``
    verified as the 84.0 recomputed, while a reader that keeps decimals (or a person) sees
    83.99..., and ``1e400`` read as Infinity. The same value written otherwise (``88``,
    ``88.0``, ``8.8e1``) is the same decimal and is kept.
    """
    value = float(text)
    shown = text if len(text) <= 40 else text[:37] + "..."
    if not math.isfinite(value):
        raise _NotOxiJson(f"the number {shown} is beyond the range of a double")
    if Decimal(text) != Decimal(repr(value)):
        raise _NotOxiJson(
            f"the number {shown} is not the shortest decimal of the double it reads as "
            f"({value!r}): longer than any number oxi writes"
        )
    return value


def _depth(value: Any) -> int:
    """Return how deeply ``value`` nests objects and lists (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
        else:
            continue
        deepest = max(deepest, d + 1)
    return deepest


def read_json_strictly(path: str | Path) -> Any:
    """Read a JSON file as oxi writes it, or raise naming the file and the reason.

    Beyond valid JSON: a regular file (a FIFO is not waited on) of at most
    :data:`MAX_SUMMARY_BYTES`, no key twice in one object (readers disagree on which one
    counts, so what another reader sees need not be what oxi checked), no NaN or Infinity,
    integers of at most 4300 digits, no number with a fraction or exponent whose value is not
    that of the shortest decimal of the double it reads as (``83.99999999999999999999`` reads as
    84.0, ``1e400`` as Infinity; ``88.0`` and ``8.8e1`` are kept), nesting at most
    :data:`MAX_DEPTH`, and no
    lone surrogate escape in a text.

    Parameters
    ----------
    path : str or Path
        A summary.json.

    Returns
    -------
    Any
        The parsed JSON.

    Raises
    ------
    OximetryError
        Any of the above (CLI exit status 2).
    """
    p = Path(path)
    try:
        text = _read_bounded(p).decode("utf-8")
    except UnicodeDecodeError:
        raise OximetryError("not a summary.json: the file is not UTF-8 text", p) from None
    try:
        data = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constant,
            parse_float=_exact_float,
        )
    except json.JSONDecodeError as exc:
        raise OximetryError(
            f"not a summary.json: invalid JSON ({exc.msg} at line {exc.lineno})", p
        ) from None
    except _NotOxiJson as exc:
        raise OximetryError(f"not an oxi summary: {exc}", p) from None
    except RecursionError:  # json's parser recurses once per level
        raise OximetryError("not an oxi summary: objects and lists nested too deeply", p) from None
    except ValueError:  # the one other refusal: an integer too long to convert
        limit = sys.get_int_max_str_digits()
        raise OximetryError(
            f"not an oxi summary: a number of more than {limit} digits", p
        ) from None
    if _depth(data) > MAX_DEPTH:
        raise OximetryError("not an oxi summary: objects and lists nested too deeply", p)
    try:
        # A "\ud800" escape is valid JSON but no character: no text oxi writes holds one, and
        # printing it (a value quoted in a difference, or after the verdict) crashed verify.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise OximetryError(
            "not an oxi summary: a text holds a lone surrogate escape (\\ud800-\\udfff)", p
        ) from None
    return data


def _load_summary(path: str | Path) -> dict[str, Any]:
    """Read a submitted summary.json (:func:`read_json_strictly`) of this schema."""
    p = Path(path)
    data = read_json_strictly(p)
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        got = data.get("schema") if isinstance(data, dict) else type(data).__name__
        shown = repr(got) if len(repr(got)) <= 40 else repr(got)[:37] + "..."
        raise OximetryError(f"not an oxi summary: schema is {shown}, expected {SCHEMA!r}", p)
    for key in ("input", "settings"):
        if not isinstance(data.get(key), dict):
            raise OximetryError(f"not an oxi summary: '{key}' is missing or not an object", p)
    return data


def _files_listed(listed: Any, key: str, path: Path, *, part: bool = False) -> None:
    """Refuse a list of files (``input.parts``, a ``companions`` list) of a shape oxi never writes.

    Each entry is an object whose ``path`` is a text and whose ``sha256`` is one; a part's
    annotation file is a path and a sha256 too, and its companions are such a list. Verify looks
    files up by their sha256: ``input.parts = 5``, or a part whose sha256 was a list or an
    object, stopped it as an internal error (exit 4) instead of saying the summary is not oxi's.
    """
    if not isinstance(listed, list):
        raise OximetryError(f"not an oxi summary: {key} is not a list of files", path)
    for k, entry in enumerate(listed):
        where = f"{key}[{k}]"
        if not isinstance(entry, dict):
            raise OximetryError(f"not an oxi summary: {where} is not a file's entry", path)
        if not isinstance(entry.get("path"), str):
            raise OximetryError(f"not an oxi summary: {where}.path is not a path", path)
        if not (isinstance(entry.get("sha256"), str) and _HEX.fullmatch(entry["sha256"])):
            raise OximetryError(f"not an oxi summary: {where}.sha256 is not a sha256", path)
        if not part:
            continue
        _check_annotation_file(entry, where, path)
        if entry.get("companions") is not None:
            _files_listed(entry["companions"], f"{where}.companions", path)


def _check_annotation_file(entry: Mapping[str, Any], where: str, path: Path) -> None:
    """Refuse an annotation file's ``annotations`` and ``annotations_sha256`` oxi never writes.

    The path is a text and the sha256 one; a sha256 without a path is refused too. oxi records
    both or neither, and verify compares the sha256 only beside a file: an
    ``annotations_sha256`` (a supplier's scoring) added to a night analysed without one verified,
    the summary then vouching for a scoring no figure was computed from.
    """
    annotations, digest = entry.get("annotations"), entry.get("annotations_sha256")
    if annotations is not None and not (isinstance(annotations, str) and len(annotations) <= 4096):
        raise OximetryError(f"not an oxi summary: {where}.annotations is not a path", path)
    if digest is not None and not (isinstance(digest, str) and _HEX.fullmatch(digest)):
        raise OximetryError(f"not an oxi summary: {where}.annotations_sha256 is not a sha256", path)
    if digest is not None and annotations is None:
        raise OximetryError(
            f"not an oxi summary: {where}.annotations_sha256 without an annotation file "
            f"({where}.annotations); oxi records both or neither",
            path,
        )


def _check_input_files(summary: Mapping[str, Any], path: Path) -> None:
    """Refuse ``input.parts`` and ``input.companions`` that are not lists of files (None: absent).

    The night's files and the files read with one are looked up by their sha256 (a key) and
    their entries' fields read; of another type they are no summary oxi writes.
    """
    inp = summary["input"]
    for name in ("parts", "companions"):
        if inp.get(name) is not None:
            _files_listed(inp[name], f"input.{name}", path, part=name == "parts")


def _request(summary: Mapping[str, Any], path: Path) -> AnalyzeRequest:
    """Return the recorded reading options and rule profile, refusing what no option gives."""
    _check_input_files(summary, path)
    opts = summary["input"].get("read_options") or {}
    known = {"channel", "fs", "fs_ignored", "scale", "annotations", "annotations_sha256"}
    if not isinstance(opts, dict) or set(opts) - known:
        raise OximetryError("not an oxi summary: input.read_options holds unknown keys", path)
    channel, fs, scale = opts.get("channel"), opts.get("fs"), opts.get("scale")
    ignored = opts.get("fs_ignored")
    if fs is not None and ignored is not None:
        raise OximetryError(
            "not an oxi summary: input.read_options gives both fs and fs_ignored", path
        )
    _check_annotation_file(opts, "input.read_options", path)
    annotations = opts.get("annotations")
    if channel is not None and not (isinstance(channel, str) and len(channel) <= 200):
        raise OximetryError("not an oxi summary: input.read_options.channel is not a label", path)
    for name, value, lo, hi in (
        ("fs", fs, MIN_FS_HZ, MAX_FS_HZ),
        ("fs_ignored", ignored, MIN_FS_HZ, MAX_FS_HZ),
        ("scale", scale, 1e-6, 1e6),
    ):
        ok = isinstance(value, int | float) and not isinstance(value, bool) and lo <= value <= hi
        if value is not None and not ok:
            option = name.removesuffix("_ignored")
            raise OximetryError(
                f"not an oxi summary: input.read_options.{name} is outside what --{option} accepts",
                path,
            )
    q = summary.get("qualification")
    payer = q.get("profile") if isinstance(q, Mapping) else None
    if payer is not None and payer not in _PAYERS:
        raise OximetryError("not an oxi summary: qualification.profile is not a payer", path)
    deidentified = summary.get("deidentified", False)
    if not isinstance(deidentified, bool):
        raise OximetryError("not an oxi summary: 'deidentified' is not true or false", path)
    return AnalyzeRequest(
        channel=channel,
        # an --fs the file's own rate overrode is given again: the run repeats its warning
        fs=fs if ignored is None else ignored,
        scale=scale,
        annotations=annotations,
        payer=payer,
        deidentify=deidentified,
        report=False,
    )


def _recompute(
    summary: Mapping[str, Any],
    recording_path: _Recording,
    summary_path: Path,
    annotations: str | Path | None = None,
    given: Context | None = None,
    earlier_names: Sequence[str] | None = None,
) -> tuple[dict[str, Any], Outcome]:
    request = _request(summary, summary_path)
    request = replace(
        request,
        annotations=_annotations_to_use(
            summary, request.annotations, recording_path, summary_path, annotations
        ),
    )
    try:
        settings = recorded_settings(summary["settings"])
    except SettingsError as exc:
        raise OximetryError(f"not an oxi summary: {exc.reason}", summary_path) from None
    ctx = summary.get("context")
    with quoting_nothing_of(summary):
        context = None if ctx is None else context_from_dict(ctx, source="summary.json context")
    # The type the summary's own context gives: a context file given to verify may be another
    # (verify says so, as a difference of the file given); a summary made with a context
    # without test.type, verified with --context naming one, was called forged here.
    said = None if context is None else context.test.type
    if given is not None:
        # The lab's file, not the summary's copy of it: the copy keeps an age where the file
        # has a birth date, and a birth date the recording's header contradicts made
        # `oxi analyze` indeterminate while a summary made with the age alone verified as
        # qualified against that very file.
        context = given
    if said is not None and settings.test_type != said:
        # oxi analyze refuses --test-type against the context's (pipeline.resolve_settings):
        # a walk recorded as "rest" under an exercise context verified as continuous oxygen.
        # Nor does it leave the type out beside a context giving one (it takes the context's):
        # a null type beside an exercise context verified too.
        recorded, why = (
            ("null", "records the context's")
            if settings.test_type is None
            else (settings.test_type, "refuses that")
        )
        raise OximetryError(
            f"not an oxi summary: settings.test_type {recorded} but its context's "
            f"test.type is {said} (oxi analyze {why})",
            summary_path,
        )
    try:
        outcome = analyze_file(
            recording_path,
            request,
            settings=settings,
            context=context,
            context_deidentified=request.deidentify and given is None,
            earlier_names=earlier_names,
        )
    except ChannelNotFoundError as exc:
        # The reader's message lists the file's labels ("no channel labelled 'Sat Q'; channels:
        # ['SpO2 Quackenbush', ...]"), which verify withholds (_identifying): a summary whose
        # recorded channel was edited printed every label of the recording.
        what = (
            "the channel the summary was read with (input.read_options.channel) is not in the "
            "recording"
            if request.channel is not None
            else "the recording has no SpO2 channel oxi picks without --channel, as the summary "
            "was read"
        )
        raise OximetryError(
            f"{what} (the recording's labels are not shown: they may identify the patient)",
            exc.path,
        ) from None
    rebuilt: dict[str, Any] = json.loads(dumps_summary(outcome.summary))
    if rebuilt["input"].get("sha256") == summary["input"].get("sha256"):
        # Checked against the recording the summary was made from (another file's shorter
        # night is said to be another file, not a forgery): an --exclude past the end, which
        # oxi analyze refuses, verified as recorded (it excludes nothing).
        try:
            check_recorded_spans(settings, outcome.analysis.recording)
        except SettingsError as exc:
            raise OximetryError(f"not an oxi summary: {exc.reason}", summary_path) from None
    unknown = sorted(set(summary) - set(rebuilt) - {"run"})
    if unknown:
        # said as a context file's unknown keys are: a key is where an edited summary's value
        # lands when a colon or quotes are missed, and was quoted
        shown = ", ".join(key_shown(k, [*rebuilt, "run"]) for k in unknown[:3])
        raise OximetryError(f"not an oxi summary: unknown key(s) {shown}", summary_path)
    _check_part_annotations_found(summary, rebuilt, summary_path)
    return rebuilt, outcome


#: The names NSRR gives an EDF's annotation file, as said in messages.
_NSRR_NAMES = "<name>-nsrr.xml, <name>-profusion.xml or <name>.edf.XML"


def _recorded_sha(recorded: Any, digest: Any) -> str | None:
    """Return the sha256 a summary records for an annotation file (None: by path only)."""
    if isinstance(digest, str):
        return digest
    if isinstance(recorded, str) and recorded.startswith(XML_BY_HASH):
        return recorded[len(XML_BY_HASH) :]
    return None


def _one_file(recording_path: _Recording) -> Path | None:
    """Return the recording's one file, or None for a night joined from several."""
    if isinstance(recording_path, str | Path) and not Path(recording_path).is_dir():
        return Path(recording_path)
    listed = [recording_path] if isinstance(recording_path, str | Path) else list(recording_path)
    files = night_files(listed)
    return files[0] if len(files) == 1 else None


def _annotations_to_use(
    summary: Mapping[str, Any],
    recorded: str | None,
    recording_path: _Recording,
    summary_path: Path,
    given: str | Path | None,
) -> str | None:
    """Return the annotation file to analyse the recording with, as the summary says.

    ``given`` (``oxi verify --annotations``) is used as the reviewer says it was; whether it is
    the file the summary records is said by :func:`compare_summaries`. Otherwise the recorded
    path, or, when that is not there or the summary records the file by its sha256 only, the
    file NSRR-named beside the recording (the one with the recorded sha256 first). An annotation
    file the summary names that cannot be found is one line saying so. A joined night's files
    are each read with the annotation file beside them (the pipeline finds them).
    """
    parts = summary["input"].get("parts")
    if given is not None:
        if parts:
            raise OximetryError(
                f"--annotations names one recording's annotations, but the summary is of a "
                f"night joined from {len(parts)} files, each read with the annotation file "
                f"beside it ({_NSRR_NAMES})",
                given,
            )
        return str(given)
    if recorded is None:
        return None
    by_hash = recorded.startswith(XML_BY_HASH)
    if not by_hash and Path(recorded).is_file():
        return recorded
    one = _one_file(recording_path)
    beside = [] if one is None else xml_files_beside(one)
    recorded_sha = (summary["input"].get("read_options") or {}).get("annotations_sha256")
    want = _recorded_sha(recorded, recorded_sha)
    for found in beside:
        if want is not None and sha256_of(found) == want:
            return str(found)
    for found in beside:
        if by_hash or found.name == Path(recorded).name:
            return str(found)  # another content: compare_summaries names the difference
    if by_hash:
        missing = (
            f"an annotation file (recorded by its sha256 {recorded[len(XML_BY_HASH) :][:16]}…)"
        )
    else:
        missing = f"the annotation file {recorded}"
    raise OximetryError(
        f"the summary was made with {missing}, which is neither there nor beside the recording "
        f"({_NSRR_NAMES}): give it with --annotations FILE",
        summary_path,
    )


def _check_part_annotations_found(
    submitted: Mapping[str, Any], recomputed: Mapping[str, Any], summary_path: Path
) -> None:
    """Refuse, in one line, a joined night whose recorded annotation file is not beside its file."""
    sub_parts = (submitted.get("input") or {}).get("parts") or []
    re_parts = {
        p.get("sha256"): p
        for p in (recomputed.get("input") or {}).get("parts") or []
        if isinstance(p, Mapping)
    }
    for k, part in enumerate(sub_parts):
        if not isinstance(part, Mapping) or part.get("annotations") is None:
            continue
        other = re_parts.get(part.get("sha256"))
        if other is not None and other.get("annotations") is None:
            raise OximetryError(
                f"the summary was made with an annotation file for file {k + 1} of the night "
                f"({part.get('path')}), which is not beside that file ({_NSRR_NAMES})",
                summary_path,
            )


def recompute_summary(summary: Mapping[str, Any], recording_path: _Recording) -> dict[str, Any]:
    """Analyse ``recording_path`` as ``summary`` says it was analysed; return the new summary.

    Parameters
    ----------
    summary : mapping
        A submitted ``summary.json``.
    recording_path : str or Path, or a sequence of them
        The recording it claims to describe: one file, or the files (or folder) of a night
        joined from several, as ``oxi analyze`` takes them.

    Returns
    -------
    dict
        The summary rebuilt from the recording, as it would be written (JSON round trip).

    Raises
    ------
    OximetryError
        The recording cannot be read, or the summary records options, settings or a context
        ``oxi analyze`` cannot have recorded.
    """
    return _recompute(summary, recording_path, Path("summary.json"))[0]


#: One step into a summary: an object's key, a list item by its ``id``, or a list item by place.
_Step = tuple[str, Any]
_Key = tuple[_Step, ...]


def _flatten(value: Any, prefix: _Key = ()) -> Iterator[tuple[_Key, Any]]:
    """Yield (path, value) for every leaf; a path is a tuple of steps, so no two differ in text.

    Dotted text would make ``{"a": {"b": 1}}`` and ``{"a.b": 1}`` one key, and a forged value
    could hide behind a literal ``"b.c"`` key holding the true one.
    """
    if isinstance(value, Mapping):
        if not value:
            yield prefix, {}
        for k, v in value.items():
            yield from _flatten(v, (*prefix, ("key", k)))
    elif isinstance(value, list):
        if not value:
            yield prefix, []
        ids = [v.get("id") for v in value if isinstance(v, Mapping)]
        keyed = len(ids) == len(value) and all(ids) and len(set(map(str, ids))) == len(ids)
        for i, v in enumerate(value):
            yield from _flatten(v, (*prefix, ("id", str(v["id"])) if keyed else ("at", i)))
    else:
        yield prefix, value


def _dotted(key: _Key) -> str:
    """Return a path as the reader sees it: ``qualification.rules[some_rule].met``."""
    out = ""
    for kind, name in key:
        shown = name if len(str(name)) <= 60 else str(name)[:57] + "..."
        if kind != "key":
            out += f"[{shown}]"
        elif (  # a control or bidi character (ESC c, CR, U+202E) in a key: quoted, escaped
            not isinstance(name, str)
            or not name
            or set(name) & set('.[]"')
            or not name.isprintable()
        ):
            out += f"[{json.dumps(name)[:40]}]"  # a key no oxi writes, told apart from a path
        else:
            out += f".{shown}" if out else shown
    return out


def _is(key: _Key, *names: str) -> bool:
    """Tell whether ``key`` is the object path ``names`` or lies under it."""
    return key[: len(names)] == tuple(("key", n) for n in names)


#: What a context's ``patient`` block holds in a summary: none of it names the patient.
_CONTEXT_PATIENT_SHOWN = (
    "age_years",
    "age_from_birth_date",
    "sex",
    "name_matches_recording",
    "birth_date_matches_recording",
    "dated_before_birth",
    "born_after_test",
    "born_after_recording_start",
    "turns_21_during_test",
    "birth_date_without_test_date",
    "age_capped",
    "age_matches_birth_date",
    "age_matches_recording",
)


#: The rules whose reason quotes the sleep-test channels' labels (``lcd_sleep_study``: "The
#: recording holds sleep-test channels (EEG C3-M2, Airflow)"); the rest of a reason is oxi's
#: words and the figures, and is quoted.
_RULES_QUOTING_LABELS = frozenset({"lcd_sleep_study"})


def _identifying(key: _Key) -> bool:
    """Tell whether ``key`` may hold a patient identifier, to be said to differ, never quoted.

    ``patient.*``, the header's device field, the context's free text (a facility, a device,
    the practitioners, the interpretation: what ``--deidentify`` scrubs, ``CONTEXT_FREE_TEXT``)
    and a rule's value quoting it (``qualification.rules[...].values.practitioner``), and in the
    context's ``patient`` block anything but the age, sex and name outcome a summary holds (a
    forged ``context.patient.name``). An interpretation reading "Jane Roe desaturates ... Member
    MH-123" was printed whole as a difference. So are the labels of the sleep-test channels
    (``input.sleep_test_channels``, a rule's ``values.sleep_test_channels`` and the reason of a
    rule quoting them, :data:`_RULES_QUOTING_LABELS`): labels typed at the recorder, beside
    the fixed names the SpO2 and pulse channels are found by, and ``--deidentify`` scrubs them;
    an airflow channel labelled "Flow Roe Jane" was printed as a difference. The SpO2 and pulse
    channels' labels too (``input.channel``, ``input.channel_selection`` quoting it,
    ``input.pulse_channel``), which ``--deidentify`` scrubs alike: "SpO2 Quackenbush" (header
    Quackenbush_Zebulon) was printed as ``summary says "SpO2 Q", recomputed "SpO2
    Quackenbush"``.
    """
    if _is(key, "patient") or _is(key, "input", "device"):
        return True
    if any(
        _is(key, "input", name)
        for name in ("sleep_test_channels", "channel", "channel_selection", "pulse_channel")
    ):
        return True
    if any(_is(key, "context", section, name) for section, name, _ in CONTEXT_FREE_TEXT):
        return True
    if _is(key, "context", "patient"):
        return not (len(key) == 3 and key[2] in {("key", k) for k in _CONTEXT_PATIENT_SHOWN})
    if not _is(key, "qualification"):
        return False
    if ("key", "sleep_test_channels") in key or key[-1] == ("key", "practitioner"):
        return True
    # a rule's reason, the rule named by its id; one not named so (ids forged into duplicates,
    # listed by place) may be any rule, and is withheld
    return (
        len(key) == 4
        and _is(key, "qualification", "rules")
        and key[3] == ("key", "reason")
        and (key[2][0] == "at" or key[2] in {("id", r) for r in _RULES_QUOTING_LABELS})
    )


#: Said beside an ``input.device`` difference that is the header's identifiers, redacted.
_DEVICE_REDACTED = (
    "input.device: the recording's device field holds the patient's identifiers, which oxi "
    f"now writes as {REDACTED} (as oxi info shows it); a summary written before that quotes "
    "them and is not verified: make it again with oxi analyze"
)


def _redacted_since(submitted: Any, recomputed: Any) -> bool:
    """Tell whether a device differs only as a summary written before its redaction would.

    The device field "Zyxwvu_Oximeter" of a header naming "Zyxwvu_Qwertyname" is written as
    "[redacted] Oximeter" since hunt 11; a summary written before quotes it whole, and verify
    said only "differs" of a genuine night. It stays a difference (the recording says no more
    of the field): the reviewer is told why.
    """
    return (
        isinstance(submitted, str)
        and isinstance(recomputed, str)
        and REDACTED in recomputed
        and REDACTED not in submitted
    )


def _of_a_file(key: _Key) -> bool:
    """Tell whether ``key`` is ``input.read_options.X`` or ``input.parts[N].X``, X to be named."""
    if len(key) == 3:
        return _is(key, "input", "read_options")
    return len(key) == 4 and _is(key, "input", "parts") and key[2][0] != "key"


def _file_path_of(key: _Key) -> _Key | None:
    """Return the key naming where a file was when ``key`` is it or lies under it.

    ``input.path``, ``input.parts[N].path``, a companion file's ``path`` (in
    ``input.companions[M]`` or ``input.parts[N].companions[M]``) and an annotation file's
    ``annotations`` (in ``input.read_options`` or ``input.parts[N]``).
    """
    if _is(key, "input", "path"):
        return key[:2]
    if len(key) >= 4 and _is(key, "input", "parts") and key[3] == ("key", "path"):
        return key[:4]
    if len(key) >= 4 and _is(key, "input", "companions") and key[3] == ("key", "path"):
        return key[:4]
    if _in_companions(key) and len(key) >= 6 and key[5] == ("key", "path"):
        return key[:6]  # input.parts[N].companions[M].path
    for n in (3, 4):
        if len(key) >= n and _of_a_file(key[:n]) and key[n - 1] == ("key", "annotations"):
            return key[:n]
    return None


def _ignored(key: _Key, deidentified: bool) -> bool:
    """Tell whether a key is not compared (:data:`IGNORED`, and where each file was).

    An annotation file's sha256 is compared by :func:`_annotation_differences`, and a companion
    file's by :func:`_companion_differences`, which name a different file as such. Where a file was is compared in a de-identified summary: there it is
    the file's sha256 (SPEC §10), and anything else (a file name naming the patient) is no
    summary oxi writes.
    """
    if _of_a_file(key) and key[-1] == ("key", "annotations_sha256"):
        return True
    if _in_companions(key) and key[-1] == ("key", "sha256"):
        return True  # compared by _companion_differences, which names the file
    if _file_path_of(key) is not None:
        return not deidentified
        return True
    return any(_is(key, *k.split(".")) for k in IGNORED if k != "input.path")


def _in_companions(key: _Key) -> bool:
    """Tell whether ``key`` lies under ``input.companions`` or ``input.parts[N].companions``."""
    if _is(key, "input", "companions"):
        return True
    return len(key) >= 4 and _is(key, "input", "parts") and key[3] == ("key", "companions")


def _companions_in(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return (path, sha256) of each companion file an ``input`` or part entry lists."""
    listed = entry.get("companions")
    if not isinstance(listed, list):
        return []
    return [(str(c.get("path")), str(c.get("sha256"))) for c in listed if isinstance(c, Mapping)]


def _companion_differences(
    submitted: Mapping[str, Any], recomputed: Mapping[str, Any]
) -> list[str]:
    """Name each file read with the one given (a WFDB record's other half) that is not recorded.

    ``input.sha256`` is the named file's only: a forged signal file beside the genuine WFDB
    header, or an edited gain in the header beside the genuine signal file, kept it and verified.
    """
    sub_in, re_in = submitted.get("input") or {}, recomputed.get("input") or {}
    out = _companion_lines("input.companions", "the recording", sub_in, re_in)
    return out + _each_part(sub_in, re_in, "companions", _companion_lines)


def _each_part(
    sub_in: Mapping[str, Any],
    re_in: Mapping[str, Any],
    name: str,
    line: Callable[[str, str, Mapping[str, Any], Mapping[str, Any]], list[str]],
) -> list[str]:
    """Apply ``line`` to each file of a joined night and its recomputed self (by sha256)."""
    out: list[str] = []
    re_parts = {p.get("sha256"): p for p in re_in.get("parts") or [] if isinstance(p, Mapping)}
    parts = sub_in.get("parts")
    for k, part in enumerate(parts if isinstance(parts, list) else []):
        # a sha256 that is no text is no key (a list in a hand-edited summary was a TypeError)
        sha = part.get("sha256") if isinstance(part, Mapping) else None
        other = re_parts.get(sha) if isinstance(sha, str) else None
        if other is not None:  # else the file itself differs: _parts_differences says so
            out += line(f"input.parts[{k}].{name}", f"file {k + 1} of the night", part, other)
    return out


def _companion_lines(
    key: str, what: str, submitted: Mapping[str, Any], recomputed: Mapping[str, Any]
) -> list[str]:
    recorded, read = _companions_in(submitted), _companions_in(recomputed)
    if not recorded and not read:
        return []
    if not recorded:
        return [
            f"{key}: the summary records no file read with {what}, but "
            f"{', '.join(path for path, _ in read)} were read with it (the summary binds the "
            "file given only: made by an oxi that did not record input.companions, or removed)"
        ]
    return _file_set_lines(
        key,
        recorded,
        read,
        f"recorded in the summary is not among the files read with {what} (missing, changed, "
        "or another file)",
        f"read with {what} is not one of the summary's files",
        f"the summary records {len(recorded)} file(s) read with {what}, {len(read)} were read",
    )


def _file_set_lines(
    key: str,
    recorded: Sequence[tuple[str, str]],
    found: Sequence[tuple[str, str]],
    not_found: str,
    not_recorded: str,
    counts: str,
) -> list[str]:
    """Name each (path, sha256) recorded but not found, and found but not recorded; [] if same."""
    have = {sha for _, sha in found}
    want = {sha for _, sha in recorded}
    if sorted(have) == sorted(want) and len(recorded) == len(found):
        return []
    out = [
        f"{key}: {path} (sha256 {sha[:16]}) {not_found}"
        for path, sha in recorded
        if sha not in have
    ]
    out += [
        f"{key}: {path} (sha256 {sha[:16]}) {not_recorded}"
        for path, sha in found
        if sha not in want
    ]
    return out or [f"{key}: {counts}"]


def _files_of(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return (path, sha256) of each file a summary was made from: its parts, or its one file."""
    inp = summary.get("input") or {}
    parts = inp.get("parts")
    if isinstance(parts, list) and parts:
        return [(str(p.get("path")), str(p.get("sha256"))) for p in parts if isinstance(p, Mapping)]
    return [(str(inp.get("path")), str(inp.get("sha256")))]


def _parts_differences(submitted: Mapping[str, Any], recomputed: Mapping[str, Any]) -> list[str]:
    """Name each file of a (joined) night that is missing, changed or extra; [] when the same."""
    if not any((s.get("input") or {}).get("parts") for s in (submitted, recomputed)):
        return []  # one file on both sides: input.sha256 says it all
    sub_in, re_in = submitted.get("input") or {}, recomputed.get("input") or {}
    if not sub_in.get("parts") and sub_in.get("sha256") == re_in.get("sha256"):
        return [  # the same files, from before summaries listed them
            "input.parts: the summary does not list the night's files (made by an oxi that did "
            "not record input.parts)"
        ]
    recorded, given = _files_of(submitted), _files_of(recomputed)
    out = _file_set_lines(
        "input.parts",
        recorded,
        given,
        "recorded in the summary is not among the files given (missing, or changed)",
        "given is not one of the summary's files",
        f"the summary was made from {len(recorded)} file(s), {len(given)} given",
    )
    return out


def _annotation_differences(
    submitted: Mapping[str, Any], recomputed: Mapping[str, Any]
) -> list[str]:
    """Name an annotation file read that is not the one the summary records (by sha256)."""
    sub_in, re_in = submitted.get("input") or {}, recomputed.get("input") or {}
    out = _annotation_line(
        "input.read_options.annotations",
        "the recording",
        sub_in.get("read_options") or {},
        re_in.get("read_options") or {},
    )
    return out + _each_part(sub_in, re_in, "annotations", _annotation_line)


def _annotation_line(
    key: str, what: str, submitted: Mapping[str, Any], recomputed: Mapping[str, Any]
) -> list[str]:
    a, b = submitted.get("annotations"), recomputed.get("annotations")
    if a is None and b is None:
        return []
    if a is None:
        return [
            f"{key}: the summary records no annotation file for {what}, but one was read "
            "(given with --annotations, or beside it as NSRR names it)"
        ]
    if b is None:
        return [f"{key}: the summary records an annotation file for {what}; none was read"]
    want = _recorded_sha(a, submitted.get("annotations_sha256"))
    got = _recorded_sha(b, recomputed.get("annotations_sha256"))
    if want is None or want == got:
        return []  # the same file (or a summary that records it by its path only)
    return [
        f"{key}: the annotation file read for {what} is not the one the summary was made with "
        f"(another file, or edited: summary says sha256 {want[:16]}…, this file is "
        f"{(got or '?')[:16]}…)"
    ]


#: The longest value quoted whole in a difference; a longer one is cut to a window of it.
_SHOWN = 80
#: Characters kept before the first difference when a long value is cut there.
_BEFORE = 24


def _as_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if value is not _MISSING else "(absent)"


#: How a de-identified summary's own text is said in a difference (its numbers are shown).
_NOT_QUOTED = "text (not shown: a de-identified summary's text is not quoted)"


def _show(value: Any) -> str:
    text = _as_text(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _cut(text: str, start: int) -> str:
    """Return at most :data:`_SHOWN` characters of ``text`` from ``start``, '...' where cut."""
    head = "..." if start > 0 else ""
    room = _SHOWN - len(head)
    if len(text) - start <= room:
        return head + text[start:]
    return head + text[start : start + room - 3] + "..."


def _show_both(a: Any, b: Any) -> tuple[str, str]:
    """Quote two differing values, a long pair cut to the same window around where they differ.

    Each was cut to its first 77 characters: two conflict reasons differing in their last
    figure read ``summary says "SpO2 was down to 83 % ...", recomputed "SpO2 was down to 83 %
    ..."``, the same text twice. The window starts :data:`_BEFORE` characters before the first
    character that differs, at the same place in both, so the reader sees what differs.
    """
    ta, tb = _as_text(a), _as_text(b)
    if len(ta) <= _SHOWN and len(tb) <= _SHOWN:
        return ta, tb
    at = next((i for i, (x, y) in enumerate(zip(ta, tb, strict=False)) if x != y), None)
    if at is None:
        at = min(len(ta), len(tb))  # one is the other and more: where the shorter one ends
    start = 0 if at < _SHOWN // 2 else at - _BEFORE
    return _cut(ta, start), _cut(tb, start)


_MISSING = object()


def _as_implied(submitted: Mapping[str, Any], recomputed: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return ``submitted`` with ``input.clock_known`` as an oxi that did not write it implied it.

    That oxi told a file without a time of day by its start alone (the placeholder midnight
    without a date); its summaries verify where the recording's reader says the same. Where it
    does not (a file of times of day starting at 00:00:00, which that oxi took for one without
    a clock), the key stays absent and is a difference, beside the figures that changed with it.
    """
    inp, again = submitted.get("input"), recomputed.get("input")
    if not isinstance(inp, Mapping) or not isinstance(again, Mapping) or "clock_known" in inp:
        return submitted
    implied = not elapsed_only(submitted)
    if again.get("clock_known") is not implied:
        return submitted
    return {**submitted, "input": {**inp, "clock_known": implied}}


def compare_summaries(submitted: Mapping[str, Any], recomputed: Mapping[str, Any]) -> list[str]:
    """Return the differences between a submitted and a recomputed summary, in words.

    Parameters
    ----------
    submitted, recomputed : mapping
        Two summaries (as read from JSON).

    Returns
    -------
    list of str
        One line per differing field (``key: summary says X, recomputed Y``), the hash first;
        empty when they agree. Keys in :data:`IGNORED` are skipped; ``software`` is reported
        only to explain other differences. A submitted summary without ``input.clock_known``
        (written before it was) is compared as its oxi implied it (:func:`_as_implied`).
    """
    out: list[str] = []
    sha_a = (submitted.get("input") or {}).get("sha256")
    sha_b = (recomputed.get("input") or {}).get("sha256")
    if sha_a != sha_b:
        out.append(
            f"input.sha256: the summary was made from another file (summary says {sha_a}, "
            f"this recording is {sha_b})"
        )
    parts = _parts_differences(submitted, recomputed)
    out.extend(parts)
    out.extend(_annotation_differences(submitted, recomputed))
    companions = _companion_differences(submitted, recomputed)
    out.extend(companions)
    a = dict(_flatten(_as_implied(submitted, recomputed)))
    b = dict(_flatten(recomputed))
    deidentified = submitted.get("deidentified") is True
    keys = list(a) + [k for k in b if k not in a]
    for key in keys:
        if parts and (key == (("key", "input"), ("key", "path")) or _is(key, "input", "parts")):
            continue  # the files differ: said once per file above
        if companions and _in_companions(key):
            continue  # said once per file above
        if (
            key == (("key", "input"), ("key", "sha256"))
            or _ignored(key, deidentified)
            or _is(key, "software")
        ):
            continue
        va, vb = a.get(key, _MISSING), b.get(key, _MISSING)
        if va is _MISSING or vb is _MISSING or va != vb or type(va) is not type(vb):
            if isinstance(va, int | float) and isinstance(vb, int | float):
                if va == vb and not isinstance(va, bool) and not isinstance(vb, bool):
                    continue
            where = _file_path_of(key)
            if deidentified and where is not None:
                # Not quoted: a de-identified summary naming the file may name the patient.
                line = (
                    f"{_dotted(where)}: a de-identified summary records the file by its sha256, "
                    "this one by something else"
                )
                if line not in out:
                    out.append(line)
                continue
            if _identifying(key):
                # A reviewer's terminal is a log: the patient's name, code or birth date (or a
                # device field or a clinician's free text that may hold them) is never printed,
                # only that it differs.
                out.append(f"{_dotted(key)}: differs (not shown: it may identify the patient)")
                if _is(key, "input", "device") and _redacted_since(va, vb):
                    out.append(_DEVICE_REDACTED)
                continue
            if deidentified and isinstance(va, str):
                # A de-identified summary's own text is quoted in no line: a forged input.files
                # ["Quackenbush Zebulon QZ-9988776"] was printed (review of hunt 12). oxi's
                # recomputed side is redacted as the run is.
                out.append(f"{_dotted(key)}: summary says {_NOT_QUOTED}, recomputed {_show(vb)}")
                continue
            shown_a, shown_b = _show_both(va, vb)
            out.append(f"{_dotted(key)}: summary says {shown_a}, recomputed {shown_b}")
    if out and submitted.get("software") != recomputed.get("software"):
        out.append(
            f"software: the summary was made with {_show(submitted.get('software'))}, "
            f"this is {_show(recomputed.get('software'))} (figures match only within one version)"
        )
    return out


def group_differences(
    differences: list[str], limit: int | None = MAX_LISTED
) -> dict[str, list[str]]:
    """Sort difference lines into ``identity``, ``determination``, ``files`` and ``figures``.

    Parameters
    ----------
    differences : list of str
        As returned by :func:`verify`.
    limit : int or None
        List at most this many lines, the groups in order (None: all). The list was cut before
        it was sorted: of 70 differences, the ones kept were filed under the wrong group with a
        "... and 10 more" line counted as one of them, and the line naming the other version
        that made the summary, written last, was cut.

    Returns
    -------
    dict of str to list of str
        Only the groups that have differences, in that order.
    """
    out: dict[str, list[str]] = {}
    for line in differences:
        group = next(
            (g for g, keys in GROUPS.items() if any(_starts(line, k) for k in keys)), "figures"
        )
        out.setdefault(group, []).append(line)
    # the figures last: 60 of them left no room to say that the determination differs
    order = ("identity", "determination", "files", "figures")
    grouped = {g: out[g] for g in order if g in out}
    if limit is None:
        return grouped
    kept: dict[str, list[str]] = {}
    room = limit
    for group, lines in grouped.items():
        if room <= 0:
            break
        kept[group] = lines[:room]
        room -= len(kept[group])
    return kept


def _starts(line: str, key: str) -> bool:
    return line.startswith(key) and line[len(key) : len(key) + 1] in (".", ":", " ", "[", "")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha_of_file(path: Path) -> str:
    """Return a file's sha256, read in blocks (a file beside the summary may be any size)."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _check_files(
    submitted: Mapping[str, Any],
    recomputed: Mapping[str, Any],
    outcome: Outcome,
    folder: Path,
    identification: Mapping[str, Any] | None,
    context_matched: bool,
) -> list[str]:
    """Compare the files beside the summary, the hashes it records and the re-rendered bytes.

    A report that may show identification the summary does not hold is rendered again only
    with the context it was made with (``context_matched``), whose identification may be none
    (a context without ``patient``): rendered, as ``oxi analyze`` rendered it, never skipped.
    """
    recorded = submitted.get("files")
    if not isinstance(recorded, dict) or set(recorded) - set(_FILES):
        return ["files: the summary records no valid 'files' block (sha256 of its outputs)"]
    out = []
    for name in _FILES:
        path = folder / name
        want = recorded.get(name)
        if want is None:
            if name == "events.csv" or path.exists():
                out.append(f"{name}: beside the summary but its sha256 is not recorded in it")
            continue
        if not path.is_file():
            out.append(f"{name}: recorded in the summary but missing beside it")
        elif _sha_of_file(path) != want:
            out.append(f"{name} beside the summary is not the file it records (replaced or edited)")
    want_events = (recomputed.get("files") or {}).get("events.csv")
    if recorded.get("events.csv") != want_events:
        out.append("files.events.csv: the recorded events table is not the one recomputed")
    for name, render in (("trace.png", _render_trace), ("report.pdf", _render_report)):
        if recorded.get(name) is None:
            continue
        if name == "report.pdf" and _may_carry_identification(submitted):
            if not context_matched:
                continue  # page 1 shows identification the summary does not hold: hash only
            rendered = _render_report(outcome, submitted, identification)
        else:
            rendered = render(outcome, submitted, None)
        if _sha(rendered) == recorded[name]:
            continue
        out.append(f"files.{name}: the recorded {name} is not the one rendered again")
    return out


def _render_trace(
    outcome: Outcome, submitted: Mapping[str, Any], identification: Mapping[str, Any] | None
) -> bytes:
    from oximetry.report.pdf import render_trace_png  # matplotlib: only when a trace is recorded

    return render_trace_png(outcome.analysis, _as_rendered(outcome, submitted))


def _render_report(
    outcome: Outcome, submitted: Mapping[str, Any], identification: Mapping[str, Any] | None
) -> bytes:
    from oximetry.report.pdf import render_report_pdf

    return render_report_pdf(outcome.analysis, _as_rendered(outcome, submitted), identification)


def _may_carry_identification(summary: Mapping[str, Any]) -> bool:
    """Tell whether report.pdf's page 1 may show identification the summary does not hold."""
    return not summary.get("deidentified") and summary.get("context") is not None


def _as_rendered(outcome: Outcome, submitted: Mapping[str, Any]) -> dict[str, Any]:
    """Return the summary the outputs were rendered from (recomputed, the recorded path).

    The recomputed summary in the order it was built (a report lists values in that order),
    before report.pdf and trace.png were added to its ``files``.
    """
    summary: dict[str, Any] = json.loads(json.dumps(outcome.summary))
    summary["input"]["path"] = (submitted.get("input") or {}).get("path")
    summary["files"] = {"events.csv": summary["files"]["events.csv"]}
    return summary


def verify(
    summary_path: str | Path,
    recording_path: _Recording,
    context_path: str | Path | None = None,
    annotations_path: str | Path | None = None,
) -> list[str]:
    """Recompute a summary from its recording and list every difference.

    Parameters
    ----------
    summary_path : str or Path
        The submitted ``summary.json``; the outputs it records (``files``) are looked for
        beside it.
    recording_path : str or Path, or a sequence of them
        The recording it claims to describe; for a night joined from several files, those files
        (or their folder): they are read and joined again, and each must be one the summary
        lists in ``input.parts`` (a missing, changed or extra file is named). The files read
        with each (a WFDB record's header or signal files, found beside the file given) must be
        those ``input.companions`` records, by sha256.
    context_path : str or Path, optional
        The context file the outputs were made with. It must be the context the summary
        records (a difference otherwise); its identification lets a report that is not
        de-identified be rendered again and compared byte for byte.
    annotations_path : str or Path, optional
        The annotation file the summary was made with (``oxi analyze --annotations``), when it
        is not at the path the summary records nor NSRR-named beside the recording. The
        recording is analysed with it; a file other than the one the summary records (by its
        sha256) is a difference. Refused for a joined night (each file's annotations are
        beside it).

    Returns
    -------
    list of str
        Human-readable differences (:func:`group_differences` sorts them for the reader); empty
        means verified: same hash, same figures, same rules and determination, and every output
        beside the summary is the one it records.

    Raises
    ------
    OximetryError
        The summary is not one oxi can have written (unknown key, a setting or option out of
        range), the recording cannot be read, or an annotation file the summary was made with
        cannot be found (CLI exit status 2).

    Notes
    -----
    SPEC §11: ``input.path`` and the run's own metadata are ignored; figures must match exactly
    for the same software version. The comparison is of the JSON text values, so rounding is the
    same on both sides.
    """
    summary_path = Path(summary_path)
    submitted = _load_summary(summary_path)
    given = None if context_path is None else load_context(context_path)
    recording = (summary_path, recording_path, annotations_path)
    out = _differences(submitted, recording, given)[0]
    if out and submitted.get("deidentified") is True:
        # A de-identified run redacts the file's name wherever it stands, as a word of oxi's
        # own text too: made from "Sleep.edf", the summary reads "findings during [redacted]
        # only", which a copy under another name (a reviewer's, its sha256) recomputed as
        # "sleep", and a copy named sleep.edf of a summary made from a.edf recomputed as
        # "[redacted]" (2 differences of genuine evidence either way). Redacted as the one
        # name its redactions stand for (or none) instead, every text and output must then
        # match: only what oxi writes for some name of the file is accepted. The name is read
        # off a recomputation redacting none, where every [redacted] of the file's stands for it.
        again, unnamed = _differences(submitted, recording, given, ())
        if not again:
            return []
        earlier = _earlier_name(submitted, unnamed)
        if earlier and not _differences(submitted, recording, given, (earlier,))[0]:
            return []
    return out


def _differences(
    submitted: Mapping[str, Any],
    recording: tuple[Path, _Recording, str | Path | None],
    given: Context | None,
    earlier_names: Sequence[str] | None = None,
) -> tuple[list[str], dict[str, Any]]:
    """Return :func:`verify`'s differences and the recomputed summary, for the file's names."""
    summary_path, recording_path, annotations_path = recording
    judged_with = given
    analysed_as = (submitted.get("settings") or {}).get("test_type")
    if given is not None and given.test.type not in (None, analysed_as):
        # A context of another test type cannot be the one the summary was made with (oxi
        # analyze refuses the pair, and records the context's type): a difference of the file
        # given, not a forged summary. So is a context giving a type beside a summary analysed
        # with none (made with a context without test.type), which was "not an oxi summary".
        judged_with = None
    recomputed, outcome = _recompute(
        submitted, recording_path, summary_path, annotations_path, judged_with, earlier_names
    )
    out = compare_summaries(submitted, recomputed)
    if given is None:
        out.extend(_identifiers_in_recorded_context(submitted, outcome))
    identification = None
    context_matched = False
    if given is not None:
        if judged_with is None or recomputed.get("context") != submitted.get("context"):
            out.append("context: the context file given is not the context the summary records")
        else:
            context_matched = True
            identification = given.to_dict(identifiers=True).get("patient")
    out.extend(
        _check_files(
            submitted, recomputed, outcome, summary_path.parent, identification, context_matched
        )
    )
    return out, recomputed


def _identifiers_in_recorded_context(submitted: Mapping[str, Any], outcome: Outcome) -> list[str]:
    """Name each free text of a de-identified summary's context quoting the header's patient.

    Without ``--context`` the recomputation takes that text as recorded (scrubbed when the
    summary was made, by names verify cannot know again), so a facility edited to "Home of
    Zebulon Quackenbush" in a de-identified summary of his recording verified. ``oxi analyze
    --deidentify`` removes every spelling of the header's name, code and birth date from it
    (:func:`oxi.pipeline.deidentified_context`): one left is no summary it writes. Not quoted.
    """
    context = submitted.get("context")
    if submitted.get("deidentified") is not True or not isinstance(context, Mapping):
        return []
    spellings = outcome.analysis.recording.patient.spellings()
    pattern = redaction_pattern(spellings, flexible=spellings)
    if pattern is None:
        return []
    out = []
    for section, key, _ in CONTEXT_FREE_TEXT:
        block = context.get(section)
        text = block.get(key) if isinstance(block, Mapping) else None
        if isinstance(text, str) and pattern.search(text):
            out.append(
                f"context.{section}.{key}: quotes the recording's patient (name, code or birth "
                "date; not shown), which a de-identified summary never holds"
            )
    return out


def _earlier_name(submitted: Mapping[str, Any], recomputed: Mapping[str, Any]) -> str | None:
    """Return the one text a de-identified summary redacts where the recomputation quotes it.

    Each submitted text holding ``[redacted]`` that differs from the recomputed one is matched
    against it, each ``[redacted]`` standing for some text: the name the file had when the
    summary was made, when all of them stand for one text (letter case aside); else None.
    """
    b = dict(_flatten(recomputed))
    found: set[str] = set()
    for key, va in _flatten(submitted):
        vb = b.get(key)
        if not (isinstance(va, str) and isinstance(vb, str)) or va == vb or REDACTED not in va:
            continue
        pattern = "(.+?)".join(re.escape(part) for part in va.split(REDACTED))
        match = re.fullmatch(pattern, vb, flags=re.DOTALL)
        if match is None:
            return None
        found |= {g.casefold() for g in match.groups() if g != REDACTED}
    return found.pop() if len(found) == 1 else None


def hash_only_outputs(summary_path: str | Path, context_given: bool) -> list[str]:
    """Name the outputs :func:`verify` could check only by their sha256, and why.

    Parameters
    ----------
    summary_path : str or Path
        The submitted ``summary.json`` (already verified).
    context_given : bool
        Whether the context file was given to :func:`verify`.

    Returns
    -------
    list of str
        One sentence per such output; empty when every output was rendered again.
    """
    summary = _load_summary(summary_path)
    report = (summary.get("files") or {}).get("report.pdf")
    if report is None or context_given or not _may_carry_identification(summary):
        return []
    return [
        "report.pdf was NOT checked: its page 1 shows the patient's name and member ID, which "
        "the summary does not hold, so it cannot be rendered again, and the sha256 the summary "
        "records for it is only as good as the summary (anyone can edit both); give --context "
        "FILE (the context it was made with) to render it again and compare"
    ]


def unchecked_notes(
    summary_path: str | Path,
    recording_path: _Recording | None = None,
    *,
    context_given: bool = False,
) -> list[str]:
    """Name what beside a verified summary :func:`verify` did not check, for the reviewer.

    ``verified`` vouches for summary.json and the outputs it records; a folder may hold more
    (a second report, a ``run`` block this oxi never writes, a ``software`` block naming another
    version: alone it is no difference), which a reader could take as part of the evidence.

    Parameters
    ----------
    summary_path : str or Path
        The submitted ``summary.json`` (already verified).
    recording_path : str or Path, or a sequence of them, optional
        The recording it was verified against: its files, when beside the summary, were checked.
    context_given : bool
        Whether the context file was given to :func:`verify`; without it the determination was
        recomputed from the context the summary records, which is only as good as the summary.

    Returns
    -------
    list of str
        One sentence per kind of unchecked content; empty when there is none. File names are
        not given for a de-identified summary (they may name the patient).
    """
    path = Path(summary_path)
    summary = _load_summary(path)
    out = []
    if "run" in summary:
        out.append(
            "summary.json holds a 'run' block, which oxi analyze does not write: it was not "
            "checked and is not part of what was verified"
        )
    ours = {"name": "oxi", "version": __version__}
    if summary.get("software") != ours:
        out.append(
            f"summary.json says it was made with {_show(summary.get('software'))}; every figure "
            f"is the one this oxi ({__version__}) computes, but that is not what it says"
        )
    folder = path.parent
    known = {path.name, *_FILES, BATCH_MARKER}
    recording: list[Path] = []
    if recording_path is not None:
        given = [recording_path] if isinstance(recording_path, str | Path) else recording_path
        recording = night_files(list(given)) if len(given) == 1 else [Path(g) for g in given]
    try:
        others = sorted(
            p.name
            for p in folder.iterdir()
            if p.name not in known and not any(same_file(p, r) for r in recording)
        )
    except OSError:
        others = []
    if others:
        # a name that is not UTF-8 (kept by Python as surrogate escapes) is shown with its
        # bytes escaped: printed as it is, it crashed verify after its verdict
        shown = [os.fsencode(n).decode("utf-8", "backslashreplace") for n in others[:5]]
        named = "" if summary.get("deidentified") else ": " + ", ".join(shown)
        more = f" and {len(others) - 5} more" if len(others) > 5 and named else ""
        out.append(
            f"{len(others)} other file(s) beside the summary, not outputs of oxi analyze, were "
            f"not checked{named}{more}"
        )
    out.extend(_option_notes(summary))
    if summary.get("context") is not None and not context_given:
        out.append(
            "the clinical context (age, diagnoses, dates, blood gases, documentation) is the one "
            "the summary records, and the determination was recomputed from it: anyone can edit "
            "both; give --context FILE (the lab's context file) to check it"
        )
    linked = [n for n in _FILES if (folder / n).is_symlink()]
    if linked:
        out.append(
            f"{', '.join(linked)}: symbolic link(s) to a file elsewhere; what they point to was "
            "checked, but a copy of this folder may not hold it"
        )
    return out


def _option_notes(summary: Mapping[str, Any]) -> list[str]:
    """Say which sleep stages, lights off/on, test segments and wake came from options.

    ``--hypnogram`` (``settings.staging``), ``--lights-off``/``--lights-on``, ``--segment`` and
    ``--awake`` (the awake baseline's span) are recorded in the summary itself and applied again as recorded: nothing checks them, and
    anyone can edit them with the figures. A PSG whose own staging scores 12 min at 86 % awake
    (not qualified) was analysed with a hypnogram scoring them N2 (qualified), and a night
    whose recording marks lights off at 22:00 with ``--lights-off 21:00`` over a 12-min dip at
    21:20 (qualified, not qualified by its marks): ``oxi verify`` said only "verified" of each,
    as it names an annotation file read beside the recording's own (:func:`annotation_notes`).
    """
    settings = summary.get("settings")
    settings = settings if isinstance(settings, Mapping) else {}
    warnings = summary.get("warnings")
    warnings = [w for w in warnings if isinstance(w, str)] if isinstance(warnings, list) else []
    out = []
    staging = settings.get("staging")
    if isinstance(staging, list) and staging:
        beside = (
            ", in place of the recording's own staging, which was set aside"
            if STAGING_SET_ASIDE in warnings
            else ", not read from the recording"
        )
        out.append(
            f"sleep stages were given with --hypnogram ({len(staging)} epochs, recorded in "
            f"settings.staging){beside}: they were not checked, every figure and the "
            "determination are those of that staging, and anyone can edit it with them; analyse "
            "the recording without --hypnogram (or with the lab's staging file) to compare"
        )
    given = [
        option
        for key, option in (
            ("lights_off_s", "--lights-off"),
            ("lights_on_s", "--lights-on"),
            ("segments_s", "--segment"),
            ("awake_span_s", "--awake"),
        )
        if settings.get(key) not in (None, [])
    ]
    if given:
        set_aside = [w for w in warnings if w.startswith(MARKS_SET_ASIDE)]
        said = (
            f"; the recording's own marks were set aside for them: {' '.join(set_aside)}"
            if set_aside
            else ""
        )
        out.append(
            f"the windows were placed by options given to the analysis ({', '.join(given)}; "
            "recorded in settings), applied again as recorded and not checked: every figure and "
            f"the determination are those of these options, and anyone can edit them{said}"
        )
    return out


def _name_of(path: str | Path) -> str:
    """Return a path as printed: a name that is not UTF-8 with its bytes escaped."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _sha_or_none(path: Path) -> str | None:
    """Return a file's sha256, or None when it cannot be read (said so, not an error)."""
    try:
        return sha256_of(path)
    except RecordingFormatError:
        return None


def annotation_notes(
    summary_path: str | Path,
    recording_path: _Recording,
    annotations_path: str | Path | None = None,
) -> list[str]:
    """Name the annotation file(s) whose sleep stages and scored events :func:`verify` used.

    ``verified`` says the summary is what oxi computes from the recording *with that scoring*:
    a summary made with ``--annotations sub/scoring.xml`` (a supplier's scoring calling a
    15-minute stretch at 85 % sleep: qualified) verified silently beside the lab's
    ``night-nsrr.xml``, which scores it awake (not qualified). The file used is named, and so is
    an NSRR-named file beside the recording that ``oxi analyze`` would read without
    ``--annotations`` when it is another file (by sha256), with how to compare.

    Parameters
    ----------
    summary_path : str or Path
        The submitted ``summary.json`` (already verified).
    recording_path : str or Path, or a sequence of them
        The recording it was verified against.
    annotations_path : str or Path, optional
        The file given to :func:`verify` with ``--annotations``.

    Returns
    -------
    list of str
        One sentence per note; empty when no annotation file was read. A file oxi found beside
        the recording is not named for a de-identified summary (NSRR names it after the
        subject, docs/privacy.md), only by its sha256; a file the reviewer typed is.
    """
    path = Path(summary_path)
    summary = _load_summary(path)
    inp = summary["input"]
    deidentified = summary.get("deidentified") is True
    # only an EDF or BDF is read with the file NSRR names beside it (pipeline)
    edf = str(inp.get("format") or "").startswith(("edf", "bdf"))
    if inp.get("parts"):
        return _joined_annotation_notes(recording_path, deidentified) if edf else []
    opts = inp.get("read_options") or {}
    recorded = opts.get("annotations") if isinstance(opts, dict) else None
    used = _annotations_to_use(summary, recorded, recording_path, path, annotations_path)
    if used is None:
        return []
    one = _one_file(recording_path)
    beside = find_xml_beside(one) if edf and one is not None else None
    sha = _sha_or_none(Path(used))
    if annotations_path is not None:
        how, named = "given with --annotations", True
    elif beside is not None and same_file(beside, Path(used)):
        how, named = "NSRR-named beside the recording", not deidentified
    elif used == recorded:
        how, named = "at the path the summary records", True
    else:
        how, named = "NSRR-named beside the recording", not deidentified
    which = (
        f"{_name_of(used)} ({how}"
        if named  # found by oxi, named after the subject: not named (docs/privacy.md)
        else f"the annotation file ({how}, name withheld: the summary is de-identified"
    )
    digest = f"sha256 {sha[:16]}…" if sha else "now unreadable"
    out = [
        f"sleep stages and scored events were read from {which}; {digest}): every figure and "
        "the determination are those of its scoring"
    ]
    if one is None or beside is None or same_file(beside, Path(used)):
        return out
    other = _sha_or_none(beside)
    if other is not None and other == sha:
        return out  # the same scoring, another copy
    told = f"sha256 {other[:16]}…" if other else "it could not be read"
    if deidentified:
        out.append(
            "an annotation file NSRR-named beside the recording (name withheld: the summary is "
            f"de-identified; {told}), the one oxi analyze reads without --annotations, is "
            "another file and was not used; to compare, run oxi analyze on the recording with "
            "--annotations set to it and the same context, and compare the determination"
        )
        return out
    out.append(
        f"{_name_of(beside)} beside the recording ({told}), the file NSRR-named there that oxi "
        "analyze reads without --annotations, is another file and was not used; to compare, run "
        f"oxi analyze {_name_of(one)} --annotations {_name_of(beside)} with the same context and "
        "compare the determination"
    )
    return out


def _joined_annotation_notes(recording_path: _Recording, deidentified: bool) -> list[str]:
    """Name the annotation file beside each file of a joined night (the ones read with them)."""
    listed = [recording_path] if isinstance(recording_path, str | Path) else list(recording_path)
    files = night_files(listed)
    found = [(k, xml) for k, f in enumerate(files) if (xml := find_xml_beside(f)) is not None]
    if not found:
        return []
    shown = []
    for k, xml in found:
        sha = _sha_or_none(xml)
        digest = f"sha256 {sha[:16]}…" if sha else "now unreadable"
        what = f"file {k + 1} of {len(files)} given" if deidentified else _name_of(xml)
        shown.append(f"{what} ({digest})")
    withheld = " (names withheld: the summary is de-identified)" if deidentified else ""
    return [
        "sleep stages and scored events of the night's files were read from the annotation "
        f"file NSRR-named beside each: {', '.join(shown)}{withheld}; every figure and the "
        "determination are those of their scoring"
    ]
