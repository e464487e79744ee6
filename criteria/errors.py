"""The criteria package's own errors (it imports nothing from ``oximetry``).

Every error carries one line that names the file (when there is one) and the reason. Callers that
present errors to a user (``oximetry``'s CLI) map :class:`CriteriaError` to "bad input" (exit 2).
"""

from __future__ import annotations

from os import PathLike

__all__ = ["ContextError", "CriteriaError", "EvidenceError"]


class CriteriaError(ValueError):
    """Base class of every error ``criteria`` raises on purpose (bad input, never a bug).

    Parameters
    ----------
    message : str
        The reason, one sentence, naming the key or value received and what was allowed.
    path : str or PathLike, optional
        The file the error is about; it is put in front of the message.
    """

    def __init__(self, message: str, path: str | PathLike[str] | None = None) -> None:
        self.reason = message
        self.path = None if path is None else str(path)
        super().__init__(f"{self.path}: {message}" if self.path else message)


class ContextError(CriteriaError):
    """The clinical context is malformed: unknown key, bad or implausible value, unreadable file."""


class EvidenceError(CriteriaError):
    """The figures handed to the rules are malformed (e.g. a summary.json missing a figure)."""
