"""The bounds every input is held to: what no real oximetry recording or option exceeds.

One home, so the readers, the settings (what the command line accepts) and ``oxi verify``
(what a submitted summary may record) refuse the same things. It imports nothing.
"""

from __future__ import annotations

__all__ = [
    "MAX_DURATION_S",
    "MAX_FS_HZ",
    "MAX_O2_FLOW_LPM",
    "MAX_SAMPLES",
    "MAX_YEAR",
    "MIN_FS_HZ",
    "MIN_YEAR",
]

#: Sampling rates a reader accepts for a channel it places on a time axis (Hz). Oximeters
#: sample between once a minute and a few hundred times a second; a rate outside this range
#: comes from a broken header or time column (a 1,000,000-s EDF record is 1e-6 Hz).
MIN_FS_HZ = 0.01
MAX_FS_HZ = 1000.0
#: Longest recording accepted (seconds): a week. Longer means a wrong header or time column.
MAX_DURATION_S = 7 * 86400.0
#: Most samples one channel may hold once placed on its time axis (400 MB as float64); a file
#: that asks for more (a 6-KB CSV with microsecond steps) is refused before anything is allocated.
MAX_SAMPLES = 50_000_000
#: Years a dated recording (a CSV's time stamps, a native file's header) may start in: pulse
#: oximeters with memory came after 1990; a year outside is a corrupt or mistyped date.
MIN_YEAR = 1990
MAX_YEAR = 2099
#: Highest oxygen flow an order or ``--o2-flow`` may give (L/min), as the context file allows.
MAX_O2_FLOW_LPM = 15.0
