"""Which native format a file is, told from its content (SPEC §2; issue 15).

Each format module says whether a file's first bytes look like its own (``sniff_*``); the first
that claims the file reads it, and from then on a problem in the file is that format's
RecordingFormatError. The file name is used only where the format itself needs it (a WFDB
signal file is found through its header; the O2Ring-S start time is in the name).
"""

from __future__ import annotations

from pathlib import Path

from oximetry.io._base import RawRecording

__all__ = ["read_native"]


def read_native(path: Path, head: bytes, size: int) -> RawRecording | None:
    """Read ``path`` when its content is one of the native formats, else return None.

    Parameters
    ----------
    path : Path
        The file.
    head : bytes
        Its first bytes (up to 64 KiB).
    size : int
        Its size in bytes.

    Returns
    -------
    RawRecording or None
        None when no native format claims the file (it may be EDF or a text export).

    Raises
    ------
    RecordingFormatError
        When a format claims the file but the file is malformed or truncated.
    """
    from oximetry.io import contec, medview, viatom, wfdb_record

    if contec.sniff_contec(head):
        return contec.read_contec(path)
    if viatom.sniff_o2ring_s(head):
        return viatom.read_o2ring_s(path)
    if viatom.sniff_viatom(head):
        return viatom.read_viatom(path)
    if wfdb_record.sniff_wfdb_header(head):
        return wfdb_record.read_wfdb(path)
    if medview.sniff_medview(head, size):
        return medview.read_medview(path)
    header = wfdb_record.header_for_signal_file(path)
    if header is not None:
        return wfdb_record.read_wfdb(header, given=path)
    return None
