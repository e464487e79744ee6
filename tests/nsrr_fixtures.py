"""NSRR XML annotation files written in the layout of ``../shared/formats.md``, for tests.

No real NSRR file may be shipped here (its owners state no licence), so tests write their own
from known stages and desaturations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

_NSRR_STAGE = {"W": "Wake|0", "N1": "Stage 1 sleep|1", "N2": "Stage 2 sleep|2",
               "N3": "Stage 3 sleep|3", "R": "REM sleep|5"}  # fmt: skip


def nsrr_xml(
    start: dt.datetime,
    stages: Sequence[tuple[float, float, str]],
    desaturations: Sequence[tuple[float, float, float, float]] = (),
) -> str:
    """Return an NSRR ``PSGAnnotation`` document.

    Parameters
    ----------
    start : datetime.datetime
        The recording's start (written as ``Recording Start Time``'s ``ClockTime``).
    stages : sequence of (onset_s, duration_s, stage)
        Stage spans (``W``, ``N1``–``N3``, ``R``) in seconds from ``start``, whole 30-s epochs.
    desaturations : sequence of (start_s, duration_s, nadir_pct, baseline_pct)
        Scored SpO2 desaturations.

    Returns
    -------
    str
    """
    events = [
        "<ScoredEvent><EventType/><EventConcept>Recording Start Time</EventConcept><Start>0</Start>"
        f"<Duration>0</Duration><ClockTime>{start:%d.%m.%y %H.%M.%S}</ClockTime></ScoredEvent>"
    ]
    for onset, dur, stage in stages:
        for k in range(int(dur // 30)):
            events.append(
                "<ScoredEvent><EventType>Stages|Stages</EventType>"
                f"<EventConcept>{_NSRR_STAGE[stage]}</EventConcept><Start>{onset + 30 * k}</Start>"
                "<Duration>30.0</Duration></ScoredEvent>"
            )
    for s, d, nadir, base in desaturations:
        events.append(
            "<ScoredEvent><EventType>Respiratory|Respiratory</EventType>"
            "<EventConcept>SpO2 desaturation|SpO2 desaturation</EventConcept>"
            f"<Start>{s}</Start><Duration>{d}</Duration><SignalLocation>SaO2</SignalLocation>"
            f"<SpO2Nadir>{nadir:g}</SpO2Nadir><SpO2Baseline>{base:g}</SpO2Baseline></ScoredEvent>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<PSGAnnotation>'
        "<SoftwareVersion>Compumedics</SoftwareVersion><EpochLength>30</EpochLength>"
        f"<ScoredEvents>{''.join(events)}</ScoredEvents></PSGAnnotation>"
    )
