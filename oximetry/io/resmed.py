"""ResMed CPAP oximetry: the ``*_SA2.edf`` (AirSense 11) and ``*_SAD.edf`` (AirSense 10, S9) files.

They are plain EDF files with 60-s data records holding ``Pulse.1s`` (bpm), ``SpO2.1s`` (%) and
``Crc16``; the EDF reader reads them. This module only recognises them, by their channels (both
oximetry channels, and ``Crc16`` or the ``_SA2``/``_SAD`` file name) or by the words ResMed writes
in the recording field (``SRN=23241877024 MID=46 VID=3``: the machine's serial number, model and
version), so that ``oxi info`` and ``summary.json`` name the device and the night is known to have
been recorded on PAP. ResMed writes −1 in every sample when no oximeter was attached; the reader
then refuses the file as ``no valid oximetry ... (no oximeter was attached)``.
"""

from __future__ import annotations

import re
from pathlib import Path

from oximetry.io._base import RawRecording
from oximetry.io.channels import classify, normalise_label

__all__ = ["is_resmed_recording_field", "tag_resmed"]

_MODELS = {"sa2": "AirSense 11", "sad": "AirSense 10 / S9"}
#: ResMed's words in the recording field: the machine's serial number, and its model or version
#: id (``Startdate 18-OCT-2024 X X X SRN=23241877024 MID=46 VID=3``).
_SERIAL = re.compile(r"(?:^|\s)SRN=\S+(?:\s|$)")
_MODEL_OR_VERSION = re.compile(r"(?:^|\s)(?:MID|VID)=\S+(?:\s|$)")


def is_resmed_recording_field(recording_field: str) -> bool:
    """Return True when an EDF recording field holds ResMed's serial number and model words.

    Parameters
    ----------
    recording_field : str
        The header's recording field (bytes 88-168), as read.

    Returns
    -------
    bool
        True for ``... SRN=<serial> MID=<model> VID=<version>`` (a serial number and a model or
        version id), as ResMed's machines write it.

    Examples
    --------
    >>> is_resmed_recording_field("Startdate 18-OCT-2024 X X X SRN=23241877024 MID=46 VID=3")
    True
    >>> is_resmed_recording_field("Startdate 18-OCT-2024 X X X")
    False
    """
    return bool(_SERIAL.search(recording_field) and _MODEL_OR_VERSION.search(recording_field))


def tag_resmed(raw: RawRecording, path: Path, recording_field: str = "") -> None:
    """Name the format and device of a ResMed oximetry EDF in place (no change otherwise).

    Parameters
    ----------
    raw : RawRecording
        As the EDF reader returned it.
    path : Path
        The file (its ``_SA2``/``_SAD`` suffix names the model).
    recording_field : str, optional
        The EDF header's recording field: ResMed's ``SRN=... MID=... VID=...`` words name the
        machine whatever the file's name and channels.
    """
    labels = {normalise_label(c.label) for c in raw.channels}
    kind = path.stem[-3:].casefold()
    # The recording field's words alone are enough: an SA2 file without its Crc16 channel
    # (EDFbrowser's "reduce signals") renamed night.edf was read as a stand-alone oximeter's
    # night, and its saturations taken on the patient's CPAP qualified Medicare I-2.
    if is_resmed_recording_field(recording_field):
        # but only a file with oximetry: ResMed's flow, pressure and event files (BRP, PLD, EVE)
        # carry the same words, and a BRP file was named "CPAP oximetry (SA2 EDF)"
        if not any(classify(c.label, c.unit)[0] == "spo2" for c in raw.channels):
            return
    else:
        if not {"spo21s", "pulse1s"} <= labels:
            return
        if "crc16" not in labels and kind not in _MODELS:
            return
    kind = kind if kind in _MODELS else "sa2"
    raw.format = f"resmed-{kind}"
    raw.device = f"ResMed {_MODELS[kind]} CPAP oximetry ({kind.upper()} EDF)"
