"""ResMed CPAP oximetry: the ``*_SA2.edf`` (AirSense 11) and ``*_SAD.edf`` (AirSense 10, S9) files.

They are plain EDF files with 60-s data records holding ``Pulse.1s`` (bpm), ``SpO2.1s`` (%) and
``Crc16``; the EDF reader reads them. This module only recognises them, by their channels (both
oximetry channels, and ``Crc16`` or the ``_SA2``/``_SAD`` file name), so that ``oxi info`` and
``summary.json`` name the device. ResMed writes −1 in every sample when no oximeter was attached;
the reader then refuses the file as ``no valid oximetry ... (no oximeter was attached)``.
"""

from __future__ import annotations

from pathlib import Path

from oximetry.io._base import RawRecording
from oximetry.io.channels import normalise_label

__all__ = ["tag_resmed"]

_MODELS = {"sa2": "AirSense 11", "sad": "AirSense 10 / S9"}


def tag_resmed(raw: RawRecording, path: Path) -> None:
    """Name the format and device of a ResMed oximetry EDF in place (no change otherwise).

    Parameters
    ----------
    raw : RawRecording
        As the EDF reader returned it.
    path : Path
        The file (its ``_SA2``/``_SAD`` suffix names the model).
    """
    labels = {normalise_label(c.label) for c in raw.channels}
    if not {"spo21s", "pulse1s"} <= labels:
        return
    kind = path.stem[-3:].casefold()
    if "crc16" not in labels and kind not in _MODELS:
        return
    kind = kind if kind in _MODELS else "sa2"
    raw.format = f"resmed-{kind}"
    raw.device = f"ResMed {_MODELS[kind]} CPAP oximetry ({kind.upper()} EDF)"
