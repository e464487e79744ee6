"""A span the scorer marked as SpO2 artifact is excluded like ``--exclude`` (SPEC §5).

NSRR XML (concept ``SpO2 artifact|SpO2 artifact``), Profusion XML (event ``Name`` ``SpO2
artifact``) and EDF+ annotation text (``SpO2 artifact``) all mark it. Read as a scored event
(display only), the 10 min at 80 % the scorer rejected counted as valid data and qualified the
night (hunt 10). Other scored events over the same span (a desaturation, an arousal) and another
channel's artifact (EEG) change nothing.

The night is the simulator's, so the expected figures come from its ground truth: the valid
minutes and the minutes at or below 88 % of the sleep window with and without the span.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from oxi.cli import main
from oxi.verify import verify
from oximetry.analysis import analyze
from oximetry.model import Annotation, Recording
from oximetry.settings import AnalysisSettings
from oximetry.simulate import GroundTruth, simulate_night, write_edf
from oximetry.spans import spans_mask

ROOT = Path(__file__).resolve().parents[1]
CONTEXT = ROOT / "data" / "example-context.yaml"  # MassHealth, test.date 2026-01-05
START = dt.datetime(2026, 1, 5, 23, 0, 0)
DURATION_S = 4 * 3600
HYP = ((0.0, 1800.0, "W"), (1800.0, 10800.0, "N2"), (12600.0, 1800.0, "W"))
PLATEAU = (7200.0, 600.0, 80.0)  # 10 min at 80 % from 01:00, asleep
#: The scorer's span: a minute before the plateau to two after (its ramps inside).
SPAN = (7140.0, 7920.0)
_NSRR_STAGE = {"W": "Wake|0", "N2": "Stage 2 sleep|2"}
_PROF_STAGE = {"W": 0, "N2": 2}


def _night(annotations: tuple[Annotation, ...] = ()) -> tuple[Recording, GroundTruth]:
    return simulate_night(
        fs=1.0,
        duration_s=DURATION_S,
        seed=5,
        baseline_pct=95.0,
        sustained_drops=[PLATEAU],
        stages=HYP,
        annotations=annotations,
        start=START,
    )


def _nsrr(concept: str, etype: str = "Respiratory|Respiratory") -> str:
    events = [
        "<ScoredEvent><EventType/><EventConcept>Recording Start Time</EventConcept><Start>0"
        f"</Start><Duration>{DURATION_S}</Duration><ClockTime>00.00.00 23.00.00</ClockTime>"
        "</ScoredEvent>"
    ]
    events += [
        f"<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>{_NSRR_STAGE[s]}"
        f"</EventConcept><Start>{o:g}</Start><Duration>{d:g}</Duration></ScoredEvent>"
        for o, d, s in HYP
    ]
    events.append(
        f"<ScoredEvent><EventType>{etype}</EventType><EventConcept>{concept}</EventConcept>"
        f"<Start>{SPAN[0]:g}</Start><Duration>{SPAN[1] - SPAN[0]:g}</Duration>"
        "<SignalLocation>SaO2</SignalLocation></ScoredEvent>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><PSGAnnotation><SoftwareVersion>Compumedics'
        "</SoftwareVersion><EpochLength>30</EpochLength><ScoredEvents>"
        + "".join(events)
        + "</ScoredEvents></PSGAnnotation>"
    )


def _profusion(name: str) -> str:
    stages = "".join(
        f"<SleepStage>{_PROF_STAGE[s]}</SleepStage>" for _, d, s in HYP for _ in range(int(d // 30))
    )
    return (
        "<CMPStudyConfig><EpochLength>30</EpochLength><ScoredEvents><ScoredEvent>"
        f"<Name>{name}</Name><Start>{SPAN[0]:g}</Start><Duration>{SPAN[1] - SPAN[0]:g}</Duration>"
        "<Input>SaO2</Input></ScoredEvent></ScoredEvents>"
        f"<SleepStages>{stages}</SleepStages></CMPStudyConfig>"
    )


def _write(tmp_path: Path, dialect: str, text: str) -> Path:
    """Write the night with the scorer's annotation ``text`` over SPAN, in ``dialect``."""
    if dialect == "edf+":
        rec, _ = _night((Annotation(SPAN[0], SPAN[1] - SPAN[0], text),))
        return write_edf(rec, tmp_path / "night.edf")
    # The XML stages the night; the EDF holds no annotations of its own
    rec, _ = _night()
    edf = write_edf(dataclasses.replace(rec, annotations=()), tmp_path / "night.edf")
    if dialect == "nsrr":
        edf.with_name("night-nsrr.xml").write_text(_nsrr(f"{text}|{text}"))
    else:
        edf.with_name("night-profusion.xml").write_text(_profusion(text))
    return edf


def _expected(excluded: bool) -> tuple[float, float]:
    """Return the sleep window's valid minutes and minutes <= 88 % from the simulator's truth."""
    _, truth = _night()
    n = DURATION_S
    sleep = spans_mask(truth.sleep_spans_s(), 1.0, n)
    if excluded:
        sleep &= ~spans_mask([SPAN], 1.0, n)
    valid = float(np.count_nonzero(sleep & ~truth.invalid)) / 60.0
    return valid, truth.time_at_or_below_s(88, sleep) / 60.0


def _analyze(edf: Path, out: Path, *extra: str) -> dict[str, Any]:
    args = ["analyze", str(edf), "--context", str(CONTEXT), "--no-report", "--out", str(out)]
    assert main([*args, *extra]) == 0
    return json.loads((out / "summary.json").read_text())


def test_the_truth_the_tests_rest_on() -> None:
    # Without the span the plateau's 10 min (and seconds of its ramps) are <= 88 % (MG-OXY
    # II.A.2.a.ii asks for 5); with the span taken out, none are.
    valid, le88 = _expected(excluded=False)
    assert le88 == pytest.approx(10.0, abs=0.5) and valid == pytest.approx(180.0)
    valid, le88 = _expected(excluded=True)
    assert le88 == 0.0 and valid == pytest.approx(180.0 - 13.0)


@pytest.mark.parametrize("dialect", ["nsrr", "profusion", "edf+"])
def test_a_scorer_spo2_artifact_span_is_excluded_like_exclude(tmp_path: Path, dialect: str) -> None:
    edf = _write(tmp_path, dialect, "SpO2 artifact")
    summary = _analyze(edf, tmp_path / "out")
    sleep = summary["metrics"]["sleep"]
    valid, le88 = _expected(excluded=True)
    assert sleep["valid_min"] == pytest.approx(valid)
    assert sleep["t_le88_min"] == pytest.approx(le88) == 0.0
    # the reason SPEC §5 gives rejected spans; the keys of artifact_samples are unchanged
    assert summary["recording"]["artifact_samples"]["excluded"] == SPAN[1] - SPAN[0]
    assert summary["qualification"]["determination"] != "qualified"
    said = [w for w in summary["warnings"] if "marked as SpO2 artifact" in w]
    assert said and said[0].startswith("1 span(s)") and "(13.0 min)" in said[0]
    # no longer listed as a scored event: it is an exclusion
    assert summary["events"]["counts"].get("scored", 0) == 0
    # the same figures as the span given with --exclude (00:59:00-01:12:00), the file's aside
    (tmp_path / "plain").mkdir()
    plain = write_edf(_night()[0], tmp_path / "plain" / "night.edf")
    by_option = _analyze(plain, tmp_path / "out_ex", "--exclude", "00:59:00-01:12:00")
    assert by_option["metrics"]["sleep"] == sleep
    assert by_option["recording"]["artifact_samples"] == summary["recording"]["artifact_samples"]
    # oxi verify recomputes the same from the recording and its annotations
    assert verify(tmp_path / "out" / "summary.json", edf) == []


@pytest.mark.parametrize("dialect", ["nsrr", "profusion", "edf+"])
@pytest.mark.parametrize(
    "text",
    ["EEG artifact", "SpO2 desaturation", "Arousal", "Respiratory artifact", "Pulse artifact"],
)
def test_other_events_and_other_channels_artifacts_change_nothing(
    tmp_path: Path, dialect: str, text: str
) -> None:
    edf = _write(tmp_path, dialect, text)
    summary = _analyze(edf, tmp_path / "out")
    valid, le88 = _expected(excluded=False)
    assert summary["metrics"]["sleep"]["valid_min"] == pytest.approx(valid)
    assert summary["metrics"]["sleep"]["t_le88_min"] == pytest.approx(le88)
    assert summary["recording"]["artifact_samples"]["excluded"] == 0
    assert not [w for w in summary["warnings"] if "SpO2 artifact" in w]
    # the figures and the determination of the night without the annotation
    (tmp_path / "plain").mkdir()
    plain = _analyze(write_edf(_night()[0], tmp_path / "plain" / "night.edf"), tmp_path / "o2")
    assert summary["metrics"]["sleep"] == plain["metrics"]["sleep"]
    assert summary["recording"] == plain["recording"]
    assert summary["qualification"]["determination"] == plain["qualification"]["determination"]


@pytest.mark.parametrize(
    "text",
    [
        "SpO2 motion artifact",
        "Artifact (SpO2)",
        "SpO2: artifact",
        "SpO2-Artefakt",
        "Artifact, SpO2",
        "Artifact removed from SpO2",
        "SpO₂ artifact",
        "Artéfact SpO2",
    ],
)
def test_the_scorer_spells_its_mark_otherwise_and_the_span_is_still_excluded(text: str) -> None:
    # Only an oximetry word right beside "artifact" was read as the mark: these excluded
    # nothing, the plateau's 10 min at 80 % counted and the night qualified (review of hunt 10)
    rec, _ = _night((Annotation(SPAN[0], SPAN[1] - SPAN[0], text),))
    marked = analyze(rec)
    by_option = analyze(_night()[0], AnalysisSettings(exclude_s=(SPAN,)))
    valid, le88 = _expected(excluded=True)
    sleep = marked.metrics_dict()["sleep"]
    assert sleep["valid_min"] == pytest.approx(valid)
    assert sleep["t_le88_min"] == pytest.approx(le88) == 0.0
    assert marked.metrics_dict() == by_option.metrics_dict()
    assert marked.artifact.counts["excluded"] == SPAN[1] - SPAN[0]
    assert marked.spo2_artifact_spans_s == (SPAN,)
    assert any("marked as SpO2 artifact" in w for w in marked.warnings)


def test_deidentified_the_span_is_still_excluded(tmp_path: Path) -> None:
    # --deidentify rewrites annotations in the scoring vocabulary: "SpO2 artifact" must stay
    # one, not become its event kind "desaturation" and count again
    edf = _write(tmp_path, "edf+", "SpO2 artifact (tech: J. Doe)")
    plain = _analyze(edf, tmp_path / "plain")
    deid = _analyze(edf, tmp_path / "deid", "--deidentify")
    assert deid["metrics"]["sleep"] == plain["metrics"]["sleep"]
    assert deid["metrics"]["sleep"]["t_le88_min"] == 0.0
    assert verify(tmp_path / "deid" / "summary.json", edf) == []


def test_a_mark_without_a_duration_excludes_nothing_and_says_so() -> None:
    rec, _ = _night((Annotation(SPAN[0], 0.0, "SpO2 artifact"),))
    analysis = analyze(rec)
    assert analysis.artifact.counts["excluded"] == 0
    assert any("have no duration, so they exclude nothing" in w for w in analysis.warnings)


def test_the_span_and_exclude_together_count_each_sample_once() -> None:
    rec, _ = _night((Annotation(SPAN[0], SPAN[1] - SPAN[0], "SpO2 artifact"),))
    both = analyze(rec, AnalysisSettings(exclude_s=((SPAN[0] + 60, SPAN[1] + 60),)))
    assert both.artifact.counts["excluded"] == SPAN[1] - SPAN[0] + 60


def test_a_presumed_window_cut_by_the_span_at_a_lights_on_option_is_no_edited_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Unstaged, --lights-on 02:00 inside the scorer's span 01:50-02:10: the presumed-sleep
    # window ends at 01:50, its end still the option's. oxi qualify --summary reads the span
    # from the summary as taken out, as it does an --exclude span; without it the untouched
    # summary was refused as edited.
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=DURATION_S,
        seed=5,
        baseline_pct=95.0,
        annotations=(Annotation(10200.0, 1200.0, "SpO2 artifact"),),
        start=START,
    )
    edf = write_edf(rec, tmp_path / "night.edf")
    summary = _analyze(edf, tmp_path / "out", "--lights-on", "02:00")
    window = next(w for w in summary["windows"] if w["kind"] == "presumed_sleep")
    assert window["spans_s"][-1][1] == 10200.0 and window["ends"][1] == "option"
    assert summary["recording"]["spo2_artifact_spans_s"] == [[10200.0, 11400.0]]
    path = tmp_path / "out" / "summary.json"
    assert main(["qualify", "--context", str(CONTEXT), "--summary", str(path)]) == 0
    # the spans are what vouches for that end: taken away, the summary is refused
    del summary["recording"]["spo2_artifact_spans_s"]
    path.write_text(json.dumps(summary))
    capsys.readouterr()
    assert main(["qualify", "--context", str(CONTEXT), "--summary", str(path)]) == 2
    assert "contradicts the settings' lights_on_s" in capsys.readouterr().err


def test_a_span_over_the_whole_night_says_the_scorer_took_every_sample() -> None:
    # It failed as "no valid SpO2 sample in 14400 samples (excluded 14400)", naming neither
    # the annotations nor any --exclude the user gave (review of hunt 10)
    from oximetry.errors import InsufficientDataError

    rec, _ = _night((Annotation(0.0, DURATION_S, "SpO2 artifact"),))
    with pytest.raises(InsufficientDataError) as err:
        analyze(rec)
    assert str(err.value).endswith(
        f"no valid SpO2 sample in {DURATION_S} samples (excluded {DURATION_S}): 1 span(s) the "
        f"scorer marked as SpO2 artifact in the recording's annotations exclude {DURATION_S} "
        f"of them ({DURATION_S / 60:.1f} min), as --exclude would"
    )
    # --exclude alone over the night says nothing of a scorer
    with pytest.raises(InsufficientDataError) as err:
        analyze(_night()[0], AnalysisSettings(exclude_s=((0.0, float(DURATION_S)),)))
    assert str(err.value).endswith(f"(excluded {DURATION_S})")
