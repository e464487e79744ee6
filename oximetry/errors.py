"""The project's exception hierarchy.

Every error that reaches a user carries one line that names the file (when there is one) and the
reason. The CLI prints ``str(exc)`` and exits with status 2; nothing else is shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from os import PathLike

__all__ = [
    "ChannelNotFoundError",
    "ContextError",
    "InsufficientDataError",
    "OximetryError",
    "RecordingFormatError",
    "SettingsError",
    "UnsupportedEDFError",
    "deidentified_reason",
    "redact_quoted",
    "withhold_quoted",
]


class OximetryError(ValueError):
    """Base class of every error oxi raises on purpose.

    Parameters
    ----------
    message : str
        The reason, one sentence, naming the value received and what was allowed.
    path : str or PathLike, optional
        The file the error is about; it is put in front of the message.
    deidentified : str, optional
        The reason as a de-identified run may print it, when what it quotes is no patient data
        (a recorder's channel labels, the identifiers redacted); without it such a run withholds
        everything quoted (:func:`deidentified_reason`).
    """

    def __init__(
        self,
        message: str,
        path: str | PathLike[str] | None = None,
        *,
        deidentified: str | None = None,
    ) -> None:
        self.reason = message
        self.path = None if path is None else str(path)
        self.deidentified = deidentified
        super().__init__(f"{self.path}: {message}" if self.path else message)


class RecordingFormatError(OximetryError):
    """A recording cannot be read: wrong format, truncated, bad header, wrong units."""


class ChannelNotFoundError(RecordingFormatError):
    """No SpO2 channel was found, or several and none was chosen with ``--channel``."""


class UnsupportedEDFError(RecordingFormatError):
    """An EDF variant that cannot be read faithfully (e.g. an unreadable EDF+D)."""


class InsufficientDataError(OximetryError):
    """The recording holds too little valid data for the requested analysis."""


class SettingsError(OximetryError):
    """An analysis option is malformed (a bad time span, an unknown segment name, ...)."""


class ContextError(OximetryError):
    """The clinical context file is malformed: unknown key, bad value, unreadable file."""


_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def withhold_quoted(message: str, keep: Collection[str] = ()) -> str:
    """Return ``message`` with every quoted value replaced by ``'…'`` (for ``--deidentify``).

    Messages quote what they found in a file (a label, a cell, a header field), which may be a
    patient's name; de-identified runs keep the reason and drop the quoted content.

    Parameters
    ----------
    message : str
        An error message.
    keep : collection of str
        Quoted texts left as they are (words of a schema, such as a context's key names).

    Returns
    -------
    str
    """
    return _QUOTED.sub(lambda m: m[0] if m[0][1:-1] in keep else "'…'", message)


#: A value a message quotes as ``repr`` writes it, opened and closed beside no letter or digit:
#: the apostrophes of the words around it are not quotes ("pulse-rate channel 'PR' is another
#: device's than SpO2 channel 'SpO2 Quackenbush'", "pandas' index); name it 'seconds'").
_QUOTED_VALUE = re.compile(r"(?<!\w)(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")(?!\w)")


def redact_quoted(message: str, redact: Callable[[str], str]) -> str:
    """Return ``message`` with ``redact`` applied to each value it quotes, its own words kept.

    A reader's message quotes what it found in a file (a channel label, a cell) among oxi's own
    words. The patient as a clinical context names them is taken out of the quoted values only:
    a context name part that is a word ("May, Lee") turned "its numbers may be seconds" into
    "its numbers [redacted] be seconds" (review of hunt 15).

    Parameters
    ----------
    message : str
        An error's reason or a reader's warning.
    redact : callable
        Returns a text with the patient's spellings replaced
        (:meth:`oximetry.model.PatientInfo.redact`).

    Returns
    -------
    str

    Examples
    --------
    >>> redact_quoted("column 'SpO2 May': may be", lambda t: t.replace("May", "[redacted]"))
    "column 'SpO2 [redacted]': may be"
    """
    return _QUOTED_VALUE.sub(lambda m: m[0][0] + redact(m[0][1:-1]) + m[0][-1], message)


def deidentified_reason(exc: OximetryError) -> str:
    """Return the reason of ``exc`` as a ``--deidentify`` run may print it (without its path).

    Parameters
    ----------
    exc : OximetryError
        The error.

    Returns
    -------
    str
        ``exc.deidentified`` when the error gives one (it quotes only what is no patient data),
        else the reason with every quoted value withheld (:func:`withhold_quoted`).

    Examples
    --------
    >>> deidentified_reason(OximetryError("unknown stage 'Doe called'", "night.edf"))
    "unknown stage '…'"
    """
    if exc.deidentified is not None:
        return exc.deidentified
    return withhold_quoted(exc.reason)
