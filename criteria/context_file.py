"""Reading a context file safely: size and depth caps, no YAML anchors, no surprises.

A context file comes from outside (a clinic's system, a hand-edited YAML). Before anything is
built from it, the text is checked so that no file can exhaust memory or the stack, and so that
every problem becomes one :class:`criteria.errors.ContextError` line naming the file:

- at most :data:`MAX_BYTES` bytes (a context is a few hundred bytes; the cap leaves room for a
  long interpretation text);
- at most :data:`MAX_DEPTH` levels of nesting (the schema has three); checked on the YAML event
  stream and by a bracket scan of JSON *before* either is built, so a deeply nested file gives a
  clear error instead of a ``RecursionError``;
- YAML anchors and aliases are refused (a 400-byte "billion laughs" file would otherwise expand to
  gigabytes), and so are duplicate keys (a second ``room_air:`` silently winning is a safety bug),
  merge keys and explicit tags (``!!bool``, ``!!merge``: a tagged value the loader cannot build
  crashed it, and a tagged merge key got past the duplicate-key check);
- YAML timestamps are not converted by the loader: ``2024-02-30`` stays text and the schema says
  which key holds an impossible date; integers longer than :data:`MAX_INT_DIGITS` digits stay text
  too, so a 400-digit number is reported as a bad value, never a traceback.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import stat
from collections.abc import Iterable
from os import PathLike
from pathlib import Path
from typing import Any

from .errors import ContextError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_INT_DIGITS", "key_shown", "read_context_file", "shorten"]

MAX_BYTES = 256 * 1024
MAX_DEPTH = 8
MAX_INT_DIGITS = 18
_SHOW = 60
_TAGS = (
    "explicit YAML tags (!!bool, !!merge, ...) are not allowed in a context file: write plain "
    "values"
)


def shorten(value: Any) -> str:
    """Return ``repr(value)`` cut to a readable length for an error message.

    A quoted text cut short keeps its closing quote (``'Example Fic…'(20030 characters)``): a
    ``--deidentify`` run withholds what an error quotes (:func:`oximetry.errors.withhold_quoted`,
    text between two quotes), and a 20030-character interpretation cut without its closing quote
    was printed as ``'Example Fictional desaturates xxx…(20032 characters)``, the patient's name
    and all.

    Parameters
    ----------
    value : object
        The value an error names.

    Returns
    -------
    str
        ``repr(value)``, or its start (any quoted text in it closed) and the length: of the text
        for a string, else of the ``repr``.

    Examples
    --------
    >>> shorten("Example Fictional desaturates " + "x" * 20000)
    "'Example Fictional desaturates xxxxxxxxxxxxxx…'(20030 characters)"
    >>> shorten(["Home of Example Fictional, member EX-000-0001 (fictional)"])
    "['Home of Example Fictional, member EX-000-00…'(61 characters)"
    """
    text = repr(value)
    if len(text) <= _SHOW:
        return text
    size = len(value) if isinstance(value, str) else len(text)
    return f"{_closed(text[: _SHOW - 15])}({size} characters)"


#: What a key may differ from the schema's spelling by and still be the schema's word: case,
#: and the separators between its words (``birthDate``, ``Room_Air``, ``room-air``).
_SEPARATORS = re.compile(r"[\s_.-]+")
#: How alike (:func:`difflib.get_close_matches`) an unknown key and a schema key must be for the
#: error to suggest the schema key: ``birth_dte``, ``romair`` (0.94, 0.92), never a patient's
#: ``jane`` for ``name`` (0.5).
_CLOSE = 0.8


def key_shown(key: Any, known: Iterable[str] = (), section: str | None = None) -> str:
    """Return how an error names a key the schema does not know, or one given twice.

    A key is quoted only when it is one of ``known`` but for case and the separators between
    its words (``Room_Air``, ``birthDate``): then it is the schema's word, and the typo is
    seen. Any other key is said by its length only, with the schema key it is close to, if
    any (``did you mean 'patient.birth_date'?``, never the key as written): a key is where a
    value lands when a colon or quotes are missed, and ``patient: {name: Roe, Jane}`` (flow
    style) printed ``unknown context key 'patient.Jane'``, ``{birth_date 1951-03-14}`` the
    birth date, and, lower-case, ``{name: roe, jane}`` ``'patient.jane'`` and ``{facility:
    home, smith_residence}`` ``'test.smith_residence'``, with or without ``--deidentify``
    (which withholds quoted text).

    Parameters
    ----------
    key : object
        The key as parsed.
    known : iterable of str
        The keys of the schema where it stands, the likeliest first (the first of two a key is
        as close to is suggested).
    section : str, optional
        The section it stands in (``patient``), put in front of it and of a suggestion.

    Returns
    -------
    str
        ``'patient.birthDate'``, or ``under 'patient' (text of 3 characters, not shown: it may
        identify the patient; did you mean 'patient.age_years'?)``.

    Examples
    --------
    >>> key_shown("Room_Air", ["room_air"], "test")
    "'test.Room_Air'"
    >>> key_shown("jane", ["name", "age_years"], "patient")
    "under 'patient' (text of 4 characters, not shown: it may identify the patient)"
    >>> key_shown("birth_dte", ["birth_date", "age_years"], "patient")
    "under 'patient' (text of 9 characters, not shown: it may identify the patient; did you mean 'patient.birth_date'?)"
    """
    prefix = "" if section is None else f"{section}."
    where = "" if section is None else f"under '{section}' "
    if not isinstance(key, str):
        return f"{where}(a value, not shown: it may identify the patient)"
    plain = _plain(key)
    names = list(known)
    if any(_plain(name) == plain for name in names):
        return shorten(prefix + key)
    meant = _close_to(plain, names)
    hint = "" if meant is None else f"; did you mean '{prefix}{meant}'?"
    return f"{where}(text of {len(key)} characters, not shown: it may identify the patient{hint})"


def _plain(key: str) -> str:
    """Return ``key`` without case and separators (``birthDate`` and ``birth_date``: ``birthdate``)."""
    return _SEPARATORS.sub("", key).casefold()


def _close_to(plain: str, names: list[str]) -> str | None:
    """Return the schema key an unknown key (without case and separators) is close to, if any.

    Close is alike by :data:`_CLOSE` to the key or its first words: ``birth_dte`` to
    ``birth_date``, ``Age`` and ``agee`` to ``age_years``.
    """
    starts: dict[str, str] = {}
    for name in reversed(names):  # the first of two alike wins
        words = _SEPARATORS.split(name.casefold())
        for n in range(1, len(words) + 1):
            starts["".join(words[:n])] = name
    close = difflib.get_close_matches(plain, list(starts), n=1, cutoff=_CLOSE)
    return starts[close[0]] if close else None


def _closed(head: str) -> str:
    """Return the start of a ``repr`` with ``…`` and, inside a quoted text, its closing quote."""
    quote = None
    escaped = False
    for ch in head:
        if escaped:
            escaped = False
        elif quote is not None and ch == "\\":
            escaped = True
        elif quote is None and ch in "'\"":
            quote = ch
        elif ch == quote:
            quote = None
    if quote is None:
        return head + "…"
    if escaped:  # cut after a backslash: it would escape the closing quote
        head = head[:-1]
    return f"{head}…{quote}"


def read_context_file(path: str | PathLike[str], keys: Iterable[str] = ()) -> Any:
    """Read a context file and return the parsed data (not yet validated against the schema).

    Parameters
    ----------
    path : str or path-like
        A ``.json`` file is parsed as JSON; anything else as YAML. A pipe (``/dev/stdin``,
        ``<(cat ctx.yaml)``) is read to its end.
    keys : iterable of str
        The schema's key names (any section's, the likeliest first): a key given twice is
        quoted only as :func:`key_shown` quotes a key of theirs.

    Returns
    -------
    object
        The parsed document (the schema check is :meth:`criteria.context.Context.from_dict`).

    Raises
    ------
    criteria.errors.ContextError
        Neither a regular file nor a pipe (a directory, a device), an empty pipe (a FIFO no
        writer holds open), unreadable, too large, too deeply nested, anchors/aliases,
        duplicate keys, bad syntax.
    """
    p = Path(path)
    try:
        # Opened without blocking: opening a FIFO no writer has opened waited for one, and
        # oxi analyze, qualify and verify --context FIFO hung until killed.
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ContextError("no such file", path=p) from None
    except IsADirectoryError:
        raise ContextError("is a directory, expected a context file", path=p) from None
    except OSError as exc:
        raise ContextError(f"cannot read the context file ({exc.strerror})", path=p) from None
    mode = os.fstat(fd).st_mode
    piped = stat.S_ISFIFO(mode)
    if not (stat.S_ISREG(mode) or piped):
        os.close(fd)
        what = "is a directory" if stat.S_ISDIR(mode) else "not a regular file or a pipe (a device)"
        raise ContextError(f"{what}, expected a context file", path=p)
    if piped:
        # A pipe is read to its end (`cat ctx.yaml | oxi analyze ... --context /dev/stdin`,
        # `--context <(cat ctx.yaml)`: refused as no regular file, they stopped working), in
        # blocking mode so that a writer still writing is waited for. A FIFO no writer holds
        # open reads as empty at once, and is refused below, never waited on.
        import fcntl  # POSIX only, as pipes are: not imported where there are none

        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        try:
            raw = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise ContextError(f"cannot read the context file ({exc.strerror})", path=p) from None
    if piped and not raw:
        # an empty file is an empty context; an empty pipe is one nothing was written to
        raise ContextError(
            "is a pipe nothing was written to (a FIFO no program writes), expected a context file",
            path=p,
        )
    if len(raw) > MAX_BYTES:
        raise ContextError(
            f"the context file is larger than {MAX_BYTES // 1024} KiB; a context is a few "
            "hundred bytes",
            path=p,
        )
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark (Windows Notepad) is no content
    except UnicodeDecodeError:
        raise ContextError("the context file is not UTF-8 text", path=p) from None
    if p.suffix.lower() == ".json":
        return _json(text, p, tuple(keys))
    return _yaml(text, p, tuple(keys))


def _too_deep(p: Path) -> ContextError:
    return ContextError(
        f"the context is nested more than {MAX_DEPTH} levels deep; the schema has three",
        path=p,
    )


def _json_depth_ok(text: str) -> bool:
    depth = 0
    in_str = escaped = False
    for ch in text:
        if in_str:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def _no_duplicates(p: Path, keys: tuple[str, ...]) -> Any:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in pairs:
            if k in out:
                raise ContextError(f"key {key_shown(k, keys)} is given twice", path=p)
            out[k] = v
        return out

    return hook


def _big_int(text: str) -> int:
    if len(text.lstrip("+-")) > MAX_INT_DIGITS:
        raise ValueError("too many digits")
    return int(text)


def _json(text: str, p: Path, keys: tuple[str, ...]) -> Any:
    if not _json_depth_ok(text):
        raise _too_deep(p)
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates(p, keys), parse_int=_keep_int)
    except json.JSONDecodeError as exc:
        raise ContextError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", path=p
        ) from None


def _keep_int(text: str) -> int | str:
    """JSON integers: long digit strings stay text so the schema names them as bad values."""
    try:
        return _big_int(text)
    except ValueError:
        return text


def _yaml(text: str, p: Path, keys: tuple[str, ...]) -> Any:
    import yaml

    loader_cls = _loader_class()
    try:
        _check_events(yaml.parse(text, Loader=loader_cls), p, keys)
        return yaml.load(text, Loader=loader_cls)
    except ContextError:
        raise
    except ValueError as exc:  # an explicitly tagged value the constructor cannot build
        raise ContextError(f"not valid YAML: a value cannot be read ({exc})", path=p) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        if "tag handle" in problem:
            # PyYAML quotes a tag handle whole, a word typed in the file: `name: !Quokkaman!x Z`
            # was refused as "found undefined tag handle '!Quokkaman!'" (its other messages
            # quote one character). A tag is refused anyway (_check_events); said so.
            raise ContextError(f"not valid YAML{where}: {_TAGS}", path=p) from None
        raise ContextError(f"not valid YAML{where}: {problem}", path=p) from None


def _check_events(events: Any, p: Path, keys: tuple[str, ...]) -> None:
    """Walk the YAML event stream (iterative, no recursion): depth, anchors, duplicate keys."""
    import yaml

    # Each open collection: [is_mapping, keys seen, expecting a key next]
    stack: list[list[Any]] = []
    for ev in events:
        if isinstance(ev, yaml.AliasEvent) or getattr(ev, "anchor", None) is not None:
            raise ContextError(
                "YAML anchors and aliases (&name, *name) are not allowed in a context file",
                path=p,
            )
        if getattr(ev, "tag", None) is not None:
            # `!!bool maybe` crashed PyYAML's constructor (exit 4), `!!float Jane Smith` echoed
            # the name in its message, and `!!merge` keys got past the duplicate-key check
            raise ContextError(_TAGS, path=p)
        if isinstance(ev, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            _consume_value(stack, p, None, keys)
            stack.append([isinstance(ev, yaml.MappingStartEvent), set(), True])
            if len(stack) > MAX_DEPTH:
                raise _too_deep(p)
        elif isinstance(ev, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            stack.pop()
        elif isinstance(ev, yaml.ScalarEvent):
            _consume_value(stack, p, ev.value, keys)


def _consume_value(
    stack: list[list[Any]], p: Path, scalar: str | None, keys: tuple[str, ...]
) -> None:
    if not stack or not stack[-1][0]:
        return
    top = stack[-1]
    if top[2]:  # this node is a key
        if scalar == "<<":
            # A merge key copies another mapping's keys in, and the mapping's own keys win
            # without a word: `<<: {performed_by: dme_supplier}` beside `performed_by: hospital`
            # was a duplicate key the check above never saw.
            raise ContextError(
                "YAML merge keys (<<) are not allowed in a context file: write each key once",
                path=p,
            )
        if scalar is not None:
            if scalar in top[1]:
                raise ContextError(f"key {key_shown(scalar, keys)} is given twice", path=p)
            top[1].add(scalar)
        top[2] = False
    else:
        top[2] = True


_LOADER: Any = None


#: YAML 1.1's base-60 (``1:30``) and digit-separator (``1_000``) spellings of numbers.
_SPELLED = re.compile(r"[:_]")


def _loader_class() -> Any:
    """Return a SafeLoader that keeps timestamps and some numbers as the text written.

    Kept as text: long or 0-led integers, and numbers spelled in base 60 or with ``_``.
    """
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.yaml_implicit_resolvers = {
        ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_int(loader: Any, node: Any) -> int | str:
        text = str(node.value)
        digits = text.lstrip("+-")
        if (
            len(digits) > MAX_INT_DIGITS
            or (len(digits) > 1 and digits.startswith("0"))
            or _SPELLED.search(text)
        ):
            # Too long for a plausible value, a leading zero (YAML 1.1 would read 0012 as
            # octal 10), or YAML 1.1's base 60 and digit separators (`age_years: 1:10`, a
            # 22-month-old written years:months, was read as 70; `1_8` as 18; a member id
            # 1:23:45 as 5025): kept as the text written, so an identifier keeps its digits and
            # a number key reports the value as written.
            return text
        return yaml.SafeLoader.construct_yaml_int(loader, node)

    def construct_float(loader: Any, node: Any) -> float | str:
        text = str(node.value)
        if _SPELLED.search(text):  # `0:45.` (base 60) and `1_0.5`, as for integers
            return text
        return float(yaml.SafeLoader.construct_yaml_float(loader, node))

    _Loader.add_constructor("tag:yaml.org,2002:int", construct_int)
    _Loader.add_constructor("tag:yaml.org,2002:float", construct_float)
    _LOADER = _Loader
    return _Loader
