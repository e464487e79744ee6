"""Writing outputs so that no reader ever sees half of them (SPEC §10).

:func:`write_atomic` writes one file: a temporary beside it, then a rename. :func:`write_set`
writes a folder's set of outputs as a unit: the files go into a temporary folder beside the
target, which is then swapped in, so a reader sees the old set or the new one, never one run's
summary beside another run's report; an interrupted write leaves the old set intact (or, at the
moment of the swap, the old set whole under a hidden ``.NAME.<hex>.old``, which
:func:`remove_temporaries` puts back).
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["remove_temporaries", "write_atomic", "write_set"]

#: The name of a temporary made beside ``NAME`` (:func:`_create_temporary`): ``.NAME.<12 hex>.tmp``.
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.[0-9a-f]{12}\.tmp")
#: The name of an old set :func:`write_set` renamed aside for the swap: ``.NAME.<12 hex>.old``.
#: Named apart from a fresh temporary: named alike, a batch re-run removed the earlier run's
#: finished outputs left aside by a write killed between the swap's two renames.
_SET_ASIDE = re.compile(r"\.(?P<name>.+)\.[0-9a-f]{12}\.old")


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, then rename).

    Parameters
    ----------
    path : str or PathLike
        The destination; its folder must exist.
    data : bytes or str
        Text is written as UTF-8.

    Returns
    -------
    Path
        ``path``.
    """
    dest = Path(path)
    try:
        fd, tmp = _create_temporary(dest)
    except OSError as exc:
        # named after the file asked for: "bro/.cohort.csv.5f2c….tmp: Permission denied" named
        # a hidden temporary the user never heard of
        raise _refused_beside(exc, dest, "writing it") from None
    try:
        _write_fd(fd, data)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest


def write_set(
    folder: str | os.PathLike[str], files: Mapping[str, bytes | str], owned: Iterable[str]
) -> dict[str, Path]:
    """Write ``files`` (name → content) into ``folder`` as one unit.

    Parameters
    ----------
    folder : str or PathLike
        The target folder (created, with its parents, when missing).
    files : mapping of str to bytes or str
        File names (no separators) and their contents; ``summary.json`` should be among them.
    owned : iterable of str
        Every name this set may hold. When ``folder`` holds only such files, it is replaced
        whole: the new set is written into a temporary folder beside it, the old folder is
        renamed aside, the new one renamed into place and the old one removed. A folder holding
        anything else (the user's own files) is never moved: there ``summary.json`` is removed
        first, every other file renamed into place, and ``summary.json`` last, so a summary on
        disk always belongs to the files beside it.

    Returns
    -------
    dict of str to Path
        Where each file now is.

    Raises
    ------
    OSError
        Named after ``folder`` (or the entry in the way), never a temporary: ``folder`` is a
        file, lies under a file or cannot be created; it is read-only; it holds a folder under
        one of the ``owned`` names (not an output: it is never replaced); the disk is full.
    """
    given = Path(folder)
    # Named as an absolute path: '.' and 'out/..' have no name to put a temporary beside. A
    # link is followed: swapped itself, the link became a folder beside the one it named, the
    # old results stayed there as if current, and the user's share received nothing.
    target = Path(os.path.realpath(given))
    if target.exists() and not target.is_dir():
        raise OSError(errno.ENOTDIR, "exists and is not a folder", str(given))
    if target.is_dir() and not os.access(target, os.W_OK):
        # swapped whole, a folder made read-only to keep a set was replaced (exit 0): renaming
        # it needs only its parent's permission
        raise OSError(errno.EACCES, "the output folder is read-only", str(given))
    owned = set(owned) | set(files)
    for name in files:
        if name in ("", ".", "..") or os.sep in name or (os.altsep and os.altsep in name):
            raise ValueError(f"not a plain file name: {name!r}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # named after the folder asked for, not the parent in the way
        raise _not_creatable(exc, given) from None
    entries = list(target.iterdir()) if target.is_dir() else []
    for p in entries:
        if p.name in owned and p.is_dir():
            # An output name is no proof of an output: a folder 'report.pdf' holding the
            # recording and its context was swapped out with the old set and removed (exit 0,
            # the input deleted). oxi writes files there, never folders: it is the user's.
            raise IsADirectoryError(
                errno.EISDIR,
                f"a folder where oxi writes its {p.name}, so not an output of oxi: it is never "
                "replaced (move it, or write the outputs elsewhere)",
                str(given / p.name),
            )
    if target.is_dir() and (
        _holds_working_folder(target) or any(p.name not in owned for p in entries)
    ):
        return {name: given / name for name in _write_in_place(target, files)}
    try:
        tmp = _create_temporary(target, folder=True)[1]
    except OSError as exc:  # "ro/.sub.d079….tmp: Permission denied" named no folder given
        doing = "writing the new set beside it" if target.is_dir() else "creating it"
        raise _refused_beside(exc, given, doing) from None
    old: Path | None = None
    try:
        for name, data in files.items():
            fd = os.open(tmp / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            _write_fd(fd, data)
        _fsync_dir(tmp)
        if target.is_dir():
            aside = _create_temporary(target, folder=True, suffix=".old")[1]
            aside.rmdir()
            os.replace(target, aside)
            old = aside  # the old set stays whole, under a hidden name, until ...
            os.replace(tmp, target)  # ... the new one is in place
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and old.is_dir() and not target.exists():
            try:  # the new set did not land: put the old one back
                os.replace(old, target)
            except OSError:
                pass  # it stays whole as .NAME.<hex>.old: remove_temporaries puts it back
        raise
    return {name: given / name for name in files}


def remove_temporaries(
    folder: str | os.PathLike[str],
    *,
    files: Iterable[str] = (),
    folders: Iterable[str] = (),
    holding: Iterable[str] = (),
) -> list[Path]:
    """Remove the temporaries an interrupted write left in ``folder``; return what was removed.

    Only what this module names is touched: an entry ``.NAME.<12 hex digits>.tmp`` for a
    ``NAME`` of ``files`` that is a file (:func:`write_atomic`, and the set written in place),
    or for a ``NAME`` of ``folders`` that is a folder holding nothing but files named in
    ``holding`` (:func:`write_set`'s new set). An old set :func:`write_set` renamed aside,
    ``.NAME.<12 hex digits>.old`` holding nothing but such files, is put back as ``NAME`` when
    ``NAME`` is missing (the write stopped between the swap's two renames), and removed when
    ``NAME`` is there (the new set landed; it stopped before removing the old one). Anything
    else, and an entry that cannot be removed or put back, is left as it is.

    Parameters
    ----------
    folder : str or PathLike
        Where to look (nothing is done when it cannot be listed).
    files : iterable of str
        Names whose temporary files are removed.
    folders : iterable of str
        Names whose temporary folders are removed.
    holding : iterable of str
        The file names such a folder may hold.

    Returns
    -------
    list of Path
        The entries removed (not those put back).
    """
    file_names, folder_names, allowed = set(files), set(folders), set(holding)
    removed: list[Path] = []
    try:
        listing = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in listing:
        m = _TEMPORARY.fullmatch(entry.name)
        if m is None:
            aside = _SET_ASIDE.fullmatch(entry.name)
            if aside is not None and aside["name"] in folder_names:
                if _put_back(entry, Path(folder) / aside["name"], allowed):
                    removed.append(Path(entry.path))
            continue
        try:
            if m["name"] in file_names and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
            elif m["name"] in folder_names and entry.is_dir(follow_symlinks=False):
                inside = list(os.scandir(entry.path))
                if not all(e.name in allowed and e.is_file(follow_symlinks=False) for e in inside):
                    continue  # not a set of oxi's: left alone
                for e in inside:
                    os.unlink(e.path)
                os.rmdir(entry.path)
            else:
                continue
        except OSError:
            continue  # another process's, or not ours to remove: left as it is
        removed.append(Path(entry.path))
    return removed


def _put_back(entry: os.DirEntry[str], target: Path, allowed: set[str]) -> bool:
    """Put the old set ``entry`` back as ``target`` when missing, else remove it.

    Return whether it was removed. A folder holding anything but ``allowed`` files is not a set
    of oxi's and is left alone, as is one that cannot be moved or removed.
    """
    try:
        if not entry.is_dir(follow_symlinks=False):
            return False
        inside = list(os.scandir(entry.path))
        if not all(e.name in allowed and e.is_file(follow_symlinks=False) for e in inside):
            return False
        if not os.path.lexists(target):
            os.rename(entry.path, target)  # the earlier run's finished outputs, whole
            return False
        for e in inside:
            os.unlink(e.path)
        os.rmdir(entry.path)
    except OSError:
        return False
    return True


def _not_creatable(exc: OSError, given: Path) -> OSError:
    """Return ``exc`` named after the output folder ``given``, saying which entry is in the way.

    ``--out night.csv/sub`` said "night.csv/sub: File exists" (mkdir's answer for its parent).
    """
    if isinstance(exc, FileExistsError | NotADirectoryError):
        for parent in given.absolute().parents:
            if parent.exists() and not parent.is_dir():
                shown = next((p for p in given.parents if p.absolute() == parent), parent)
                return NotADirectoryError(
                    errno.ENOTDIR, f"cannot be created: {shown} is a file, not a folder", str(given)
                )
    return OSError(exc.errno, exc.strerror, str(given))


def _refused_beside(exc: OSError, given: Path, doing: str) -> OSError:
    """Return ``exc`` (creating a temporary beside ``given``) named after ``given``.

    The temporary's hidden name means nothing to the user; what was written, and where, does.
    """
    # '.' and 'out/..' name no parent of their own
    parent = (
        given.parent if given.name not in ("", ".", "..") else Path(os.path.realpath(given)).parent
    )
    return OSError(exc.errno, f"{exc.strerror} ({doing} in {parent})", str(given))


def _holds_working_folder(folder: Path) -> bool:
    """Tell whether ``folder`` is the working folder or holds it.

    Such a folder is never swapped: the shell that ran oxi would be left in a deleted folder,
    and '.' itself cannot be renamed.
    """
    try:
        here, there = Path(os.path.realpath(os.getcwd())), Path(os.path.realpath(folder))
    except OSError:
        return True  # no working folder to compare with: write in place, the safe way
    return here == there or there in here.parents


def _write_in_place(target: Path, files: Mapping[str, bytes | str]) -> dict[str, Path]:
    """Replace the set file by file in a folder holding other files: summary.json out first.

    Every file is written under a temporary name before any is renamed into place: written and
    renamed one by one, a full disk at trace.png left the new report.pdf beside the old
    events.csv and trace.png. A failure while writing now leaves the old files (without their
    summary); one while renaming (a rare refusal) leaves some new files, never a temporary.
    """
    (target / "summary.json").unlink(missing_ok=True)
    order = [n for n in files if n != "summary.json"] + [n for n in files if n == "summary.json"]
    written: dict[str, Path] = {}
    try:
        for name in order:
            fd, written[name] = _create_temporary(target / name)
            _write_fd(fd, files[name])
        for name in order:
            os.replace(written[name], target / name)
            del written[name]  # only once in place: a failed rename leaves no temporary
    except BaseException:
        for tmp in written.values():
            tmp.unlink(missing_ok=True)
        raise
    return {name: target / name for name in order}


def _write_fd(fd: int, data: bytes | str) -> None:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with os.fdopen(fd, "wb") as fh:
        fh.write(payload)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the system allows opening folders)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _create_temporary(
    dest: Path, *, folder: bool = False, suffix: str = ".tmp"
) -> tuple[int, Path]:
    """Create a new, empty temporary file (or folder) beside ``dest``; return its fd and path.

    Like ``tempfile.mkstemp``/``mkdtemp`` (a random name, created exclusively, so nothing else is
    ever overwritten), but readable as the user's umask allows. For a folder the fd is -1. The
    name is ``.NAME.<12 hex>`` and ``suffix`` (``.old`` for a set renamed aside).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = dest.with_name(f".{dest.name}.{os.urandom(6).hex()}{suffix}")
        try:
            if folder:
                tmp.mkdir()
                return -1, tmp
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {dest}")
