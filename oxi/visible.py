"""Text for a terminal: characters that act on it instead of showing are shown as escapes.

Everything ``oxi`` prints passes through :func:`visible`. Strings it prints come from outside:
a submitted summary (``oxi verify`` quotes its paths, key names and values), a file's name, a
recording's header (a device, a channel label). A forged ``input.parts[].path`` holding
``ESC[H ESC[2J`` cleared a reviewer's screen, drew a fake "verified" line there and hid the
"NOT VERIFIED" verdict and every difference behind ``ESC[8m`` (exit status 1 all the same).
"""

from __future__ import annotations

import unicodedata

__all__ = ["visible"]

#: Unicode categories that act on a terminal or on the order of text rather than show: controls
#: (C0, DEL, C1: ESC, CR, CSI U+009B), formats (bidi overrides such as U+202E, zero-width
#: characters), line and paragraph separators, and lone surrogates (a file name that is not
#: UTF-8: printed as it is, it crashed the print).
_ACTING = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def _shown(c: str) -> str:
    if unicodedata.category(c) not in _ACTING:
        return c
    code = ord(c)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def visible(text: str, *, lines: bool = False) -> str:
    r"""Return ``text`` with every character that acts on a terminal shown as an escape.

    Parameters
    ----------
    text : str
        What is to be printed.
    lines : bool
        Keep line feeds (a block of lines oxi laid out); otherwise a line feed is shown as
        ``\x0a`` too, so the text stays one line.

    Returns
    -------
    str
        ``text`` where each control, format, line or paragraph separator character, and lone
        surrogate, is written as ``\x1b``, ``\u202e`` or ``\U000e0001``; everything else,
        backslashes included, unchanged.

    Examples
    --------
    >>> print(visible("a\x1b[2Jb\u202ec"))
    a\x1b[2Jb\u202ec
    >>> print(visible("two\nlines\x07", lines=True))
    two
    lines\x07
    """
    if text.isprintable():  # the usual case: nothing to look at character by character
        return text
    if lines:
        return "\n".join(visible(line) for line in text.split("\n"))
    return "".join(_shown(c) for c in text)
