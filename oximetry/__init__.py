"""oxi: overnight and exercise pulse-oximetry analysis for home-oxygen qualification evidence.

The library in three calls: :func:`read_recording` reads a file into a :class:`Recording`,
:func:`analyze` computes every SPEC §7 figure into an :class:`Analysis`, and the ``criteria``
package turns an analysis and a clinical context into a determination.

Examples
--------
>>> import oximetry
>>> from oximetry.simulate import simulate_night
>>> recording, truth = simulate_night(fs=1.0, duration_s=3 * 3600, seed=3, desaturations=12)
>>> analysis = oximetry.analyze(recording)
>>> analysis.main_window
'presumed_sleep'
>>> analysis.metrics["presumed_sleep"].odi4_count == truth.odi_count(4)
True
"""

from __future__ import annotations

__version__ = "0.4.0"  # before the imports: modules below read it

from .analysis import analyze
from .errors import (
    ChannelNotFoundError,
    InsufficientDataError,
    OximetryError,
    RecordingFormatError,
    UnsupportedEDFError,
)
from .io import read_recording
from .model import Annotation, Recording, Signal, SourceInfo
from .results import Analysis, ArtifactResult, Event, SegmentMetrics, Window, WindowMetrics
from .settings import AnalysisSettings, ArtifactSettings, OdiSettings

__all__ = [
    "Analysis",
    "AnalysisSettings",
    "Annotation",
    "ArtifactResult",
    "ArtifactSettings",
    "ChannelNotFoundError",
    "Event",
    "InsufficientDataError",
    "OdiSettings",
    "OximetryError",
    "Recording",
    "RecordingFormatError",
    "SegmentMetrics",
    "Signal",
    "SourceInfo",
    "UnsupportedEDFError",
    "Window",
    "WindowMetrics",
    "__version__",
    "analyze",
    "read_recording",
]
