"""What an error may name under ``--deidentify``: the files the user named, never those oxi found.

A de-identified run's terminal is a log, and file names often hold the patient's name. The rule
(docs/privacy.md § "What an error may name"):

* a path the user typed (the recording, a folder, ``--context``, ``--hypnogram``,
  ``--annotations``, ``--out``) is theirs, and is printed as typed;
* a file oxi found by listing a folder is said by its place (``file 2 of 3 in night/ (by
  name)``), and a file found beside one (an annotation or signal file) by its folder only;
* what a message quotes from a file is withheld (``'…'``), except what an error marks as no
  patient data (:attr:`oximetry.errors.OximetryError.deidentified`: a recorder's channel
  labels, which ``--channel`` needs, with the header's identifiers redacted);
* an output oxi writes under the output folder keeps its own name (``summary.json``).
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from criteria import Context
from oximetry.errors import OximetryError, withhold_quoted
from oximetry.io.nsrr_xml import find_xml_beside
from oximetry.model import PatientInfo
from oximetry.report.outputs import OUTPUT_NAMES

from .pipeline import context_patient, night_files, same_file

__all__ = [
    "deidentified_error",
    "describe_path",
    "found_files",
    "labels_unnamed",
    "practitioner_unnamed",
]

#: What stands for a file name oxi found and does not print.
WITHHELD = "name withheld under --deidentify"
#: The default output folder's root (its folders are named by the file's hash when
#: de-identifying, :func:`oxi.pipeline.default_out_dir`).
DEFAULT_OUT = "oxi-out"


def found_files(typed: Sequence[str]) -> dict[str, str]:
    """Map each file found by listing a typed folder to its place in that folder.

    Parameters
    ----------
    typed : sequence of str
        The paths the user typed.

    Returns
    -------
    dict
        The file's path (as oxi reads it: the folder as typed, joined with the name) → ``file k
        of n in FOLDER (by name)``; each one's NSRR annotation file → ``the annotation file of
        ...``.
    """
    out: dict[str, str] = {}
    for folder in typed:
        if not Path(folder).is_dir():
            continue
        try:
            files = night_files([folder])
        except OximetryError:
            continue  # a folder holding no recording: its error names the folder only
        for k, f in enumerate(files, 1):
            place = f"file {k} of {len(files)} in {folder} (by name)"
            out[str(f)] = place
            xml = find_xml_beside(f)
            if xml is not None:
                out[str(xml)] = f"the annotation file of {place}"
    return out


def describe_path(
    path: str | None, typed: Sequence[str], found: Mapping[str, str], out_dir: str | None = None
) -> str:
    """Return how a de-identified error names ``path`` (module docstring's rule).

    Parameters
    ----------
    path : str or None
        The path an error is about (several joined by ``", "`` for a night's files).
    typed : sequence of str
        The paths the user typed.
    found : mapping
        :func:`found_files` of ``typed``.
    out_dir : str, optional
        The output folder (typed, else the default one): what lies in it is oxi's own.

    Returns
    -------
    str
        Empty for no path.
    """
    if not path:
        return ""
    if path in found:
        return found[path]
    if any(path == t or same_file(path, t) for t in typed):
        return path
    parts = path.split(", ")
    if len(parts) > 1 and all(p in found for p in parts):
        return ", ".join(found[p] for p in parts)
    name = os.path.basename(path)
    if _inside(path, DEFAULT_OUT) or (
        out_dir is not None
        and _inside(path, out_dir)
        and (name in OUTPUT_NAMES.values() or name.startswith("."))
    ):
        return path  # an output, or a temporary beside one, named by oxi (hash-named folders)
    folder = os.path.dirname(path)
    beside = [t for t in typed if Path(t).is_dir()] + [os.path.dirname(t) for t in typed]
    if folder and any(folder == b or same_file(folder, b) for b in beside if b):
        return f"a file in {folder} ({WITHHELD})"
    return f"a file ({WITHHELD})"


def deidentified_error(exc: OximetryError, typed: Sequence[str], out_dir: str | None = None) -> str:
    """Return the one line a ``--deidentify`` run prints for ``exc`` (without ``oxi:``).

    Parameters
    ----------
    exc : OximetryError
        The error.
    typed : sequence of str
        The paths the user typed.
    out_dir : str, optional
        The output folder.

    Returns
    -------
    str
        ``WHERE: REASON``: the path as :func:`describe_path` says it; in the reason each file
        found in a typed folder said by its place, and what is quoted withheld unless the error
        marks it as no patient data.

    Examples
    --------
    >>> deidentified_error(OximetryError("bad line 'Doe, John'", "/in/Doe_John.csv"), [])
    "a file (name withheld under --deidentify): bad line '…'"
    """
    found = found_files(typed)
    reason = exc.reason if exc.deidentified is None else exc.deidentified
    for path in sorted(found, key=len, reverse=True):  # a path before a shorter one inside it
        # quoted or not: said by its place, never withheld into "'…'" (which file is the point)
        reason = re.sub(rf"(['\"]?){re.escape(path)}\1", _literal(found[path]), reason)
    if exc.deidentified is None:
        reason = withhold_quoted(reason)
    where = describe_path(exc.path, typed, found, out_dir)
    return f"{where}: {reason}" if where else reason


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    """Return a replacement that puts ``text`` as is (a folder's backslashes are no escapes)."""
    return lambda _match: text


def _inside(path: str, root: str) -> bool:
    try:
        return Path(os.path.abspath(path)).is_relative_to(os.path.abspath(root))
    except ValueError:
        return False


#: The recorder's words in ``summary.json``'s ``input`` that the terminal may print.
_LABEL_KEYS = ("device", "channel", "channel_selection", "pulse_channel")


def labels_unnamed(
    summary: Mapping[str, object], context: Context | None, header: PatientInfo | None = None
) -> Mapping[str, object]:
    """Return ``summary`` with the patient taken out of the recorder's labels, to print.

    The device field is read with the header's identifiers redacted, the channel labels as
    read (``--channel`` names them so); the context's identifiers are known only beside them.
    ``oxi analyze`` printed "channel SpO2 Quackenbush" for a label typed with the name the
    context gives, not the header (hunt 15), and with the header's (hunt 16): a terminal is a
    log (SPEC §10). summary.json is written as it is.

    Parameters
    ----------
    summary : mapping
        ``summary.json``.
    context : Context or None
        The clinical context (its ``patient``).
    header : PatientInfo, optional
        The recording header's patient as read, beside the summary's ``patient`` block (which
        does not record :attr:`~oximetry.model.PatientInfo.more_name`).

    Returns
    -------
    mapping
        ``summary``, or a copy whose ``input`` labels name the patient as ``[redacted]``.
    """
    inp = summary.get("input")
    if not isinstance(inp, Mapping):
        return summary
    # the header's identifiers too: a summary that is not de-identified keeps the labels as
    # read, and "channel SpO2 Quackenbush" (header Quackenbush_Zebulon) was printed (hunt 16)
    patients = [header_patient(summary.get("patient"))]
    if header is not None:
        # the header as read, with the words after its name the summary does not record
        patients.append(header)
    if context is not None:
        patients.append(context_patient(context))

    def redact(text: str) -> str:
        for patient in patients:
            text = patient.redact(text)
        return text

    shown = {k: redact(v) if k in _LABEL_KEYS and isinstance(v, str) else v for k, v in inp.items()}
    return {**summary, "input": shown}


def header_patient(block: object) -> PatientInfo:
    """Return the recording header's patient as a summary's ``patient`` block names them.

    Parameters
    ----------
    block : object
        ``summary.json``'s ``patient`` (None, or a de-identified one, name no one).

    Returns
    -------
    PatientInfo
    """
    if not isinstance(block, Mapping):
        return PatientInfo()
    name, code, born = block.get("name"), block.get("code"), block.get("birth_date")
    try:
        birth = _dt.date.fromisoformat(born) if isinstance(born, str) else None
    except ValueError:
        birth = None
    return PatientInfo(
        name=name if isinstance(name, str) else None,
        code=code if isinstance(code, str) else None,
        birth_date=birth,
    )


def practitioner_unnamed(doc: Mapping[str, Any], context: Context) -> Mapping[str, Any]:
    """Return a qualification document whose order's practitioner names no patient, to print.

    ``oxi qualify`` on a context alone prints the order's line with its practitioner, free text
    that may quote the patient (``CONTEXT_FREE_TEXT``): "Dr Smith for Zebulon Quackenbush" was
    printed whole beside a context naming "Quackenbush, Zebulon" (hunt 16). The document
    written (qualification.json) is unchanged.

    Parameters
    ----------
    doc : mapping
        The qualification document.
    context : Context
        The clinical context (its ``patient``).

    Returns
    -------
    mapping
        ``doc``, or a copy whose ``context.order.practitioner`` has the patient as ``[redacted]``.
    """
    ctx = doc.get("context")
    order = ctx.get("order") if isinstance(ctx, Mapping) else None
    said = order.get("practitioner") if isinstance(order, Mapping) else None
    if not isinstance(said, str) or not isinstance(ctx, Mapping) or not isinstance(order, Mapping):
        return doc
    shown = context_patient(context).redact(said)
    return {**doc, "context": {**ctx, "order": {**order, "practitioner": shown}}}
