"""CSV cells a spreadsheet shows as text, never runs as formulas (``cohort.csv``, ``events.csv``)."""

from __future__ import annotations

import re

__all__ = ["inert"]

#: What a spreadsheet takes for the start of a formula (OWASP's list: = + - @, tab, CR).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A number as the table writes one (``-1.5``, ``1e-07``): a spreadsheet reads it as a number.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def inert(text: str) -> str:
    """Return a cell's text as a spreadsheet shows it, never as a formula it runs.

    A recording named ``=HYPERLINK("http://example.org","open").edf`` was written as its ``file``
    cell unchanged, a link (or a command) once cohort.csv is opened in a spreadsheet. A text
    starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``,
    which spreadsheets show as text; a number (``-1.5``) is left as it is.

    Parameters
    ----------
    text : str
        The cell.

    Returns
    -------
    str
    """
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text
