"""Reading recordings: one module per format, behind :func:`read_recording`.

* :mod:`oximetry.io.edf` — EDF, EDF+C, BDF and BDF+C read with pyedflib; EDF+D records placed at
  their true time by our own code;
* :mod:`oximetry.io.csvtext` — CSV and text exports (O2Ring, O2 Insight, ViHealth/Checkme, EMAY,
  Masimo TrendCom, ``Sats,Rate``, generic);
* :mod:`oximetry.io.native` — device files told apart by content: :mod:`~oximetry.io.contec`
  (Contec ``.SpO2``), :mod:`~oximetry.io.viatom` (Viatom/Wellue v3/v5, O2Ring-S),
  :mod:`~oximetry.io.medview` (MedView ``.dat``), :mod:`~oximetry.io.wfdb_record` (WFDB);
  :mod:`oximetry.io.resmed` names ResMed SA2/SAD EDF files;
* :mod:`oximetry.io.channels` — which channel is SpO2, pulse rate or oximeter status;
* :mod:`oximetry.io.hypnogram` — ``--hypnogram`` files.

Files that hold no date (times of day only, or no time stamps) start on the placeholder date
1900-01-01, carry a warning saying the date is unknown, and record
``source.date_known = False``; those without a time of day either (seconds from the start, UTC
stamps, no time stamps) start at its midnight and record ``source.clock_known = False``.
"""

from __future__ import annotations

from oximetry.io._base import PLACEHOLDER_DATE, classify_annotation, path_text, sha256_of
from oximetry.io.hypnogram import read_hypnogram
from oximetry.io.reader import RecordingInfo, inspect_recording, read_recording

__all__ = [
    "PLACEHOLDER_DATE",
    "RecordingInfo",
    "classify_annotation",
    "inspect_recording",
    "path_text",
    "read_hypnogram",
    "read_recording",
    "sha256_of",
]
