"""A qualification never rests on a level the fall rule accepted after its 30 s hold alone.

SPEC §4.3 holds the samples after an implausibly fast fall invalid until the signal comes back
within 4 points, or for at most 30 s, "after which the new level is accepted": true
desaturations fall more slowly, so the level was entered by an artifact, and it is kept only
because the true saturation might be there. Six noisy 80-s probe slips on a steady 95 % night
(an instant fall to ~85 %, an instant return) counted 50 s each at or below 88 %, 5 min in all,
and qualified MassHealth nocturnal oxygen (hunt 9). Such levels are now valid data a reviewer
must judge, as long constant runs are (tests/test_criteria_held_values.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from criteria.errors import EvidenceError
from criteria.evaluate import Evidence, evaluate
from oxi.cli import main
from oxi.qualify import evidence_from_analysis
from oximetry import analyze
from oximetry.artifact import detect_artifacts
from oximetry.model import Recording, Signal, SourceInfo
from oximetry.settings import AnalysisSettings
from oximetry.simulate import simulate_night
from tests.criteria_helpers import analyze_overnight as _run
from tests.criteria_helpers import ctx

START = dt.datetime(2026, 11, 20, 22, 0)
SLIPS = [1800 + k * 1200 for k in range(6)]  # 22:30, 22:50, ... 00:10


def _recording(x: np.ndarray, fs: float = 1.0) -> Recording:
    src = SourceInfo(path="t", sha256="", format="simulated")
    return Recording(spo2=Signal("SpO2", "%", fs, x), start=START, source=src)


def _slipped_night(seconds: int = 80) -> Recording:
    """The hunter's night: 3 h at 95 %, six probe slips to 84-86 % (noisy) of ``seconds``."""
    rng = np.random.default_rng(5)
    x = np.full(3 * 3600, 95.0)
    for s in SLIPS:
        x[s : s + seconds] = 85 + rng.integers(-1, 2, seconds)
    return _recording(x)


def test_the_plateaus_are_the_levels_accepted_after_the_hold() -> None:
    """Each slip: the fall at its first sample, the hold's 30 s invalid, then 50 s accepted
    (the level) until the instant return to 95 %; the figures without them lose the 5 min."""
    a = analyze(_slipped_night())
    plateaus = a.artifact.fall_plateaus
    assert [(p.fall_s, p.start_s, p.end_s) for p in plateaus] == [
        (s, s + 30.0, s + 80.0) for s in SLIPS
    ]
    assert all(p.from_pct == 95.0 and p.value_pct == 84.0 for p in plateaus)
    night = a.metrics["presumed_sleep"]
    assert night.t_le88_min == pytest.approx(5.0)  # as SPEC §4.3 counts them
    without = a.without_fall_plateaus["presumed_sleep"]
    assert without.t_le88_min == 0.0
    assert without.valid_min == pytest.approx(night.valid_min - 5.0)
    assert a.held_plateaus == plateaus
    assert sum("faster than a desaturation" in f for f in a.artifact.review_flags) == 6


def test_six_probe_slips_are_indeterminate_naming_the_plateaus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The hunter's night qualified on 5.0 min at or below 88 % made of accepted slip levels:
    indeterminate now, the conflict naming the falls; `oxi verify` and `oxi qualify --summary`
    reach the same; with the slips excluded as artifact the night does not qualify."""
    summary = _run(tmp_path, _slipped_night())
    assert summary["metrics"]["presumed_sleep"]["t_le88_min"] == pytest.approx(5.0)
    q = summary["qualification"]
    assert q["determination"] == "indeterminate"
    (conflict,) = q["conflicts"]
    assert conflict["keys"] == ["recording.fall_plateaus"]
    why = conflict["why"]
    assert "fell faster than a desaturation can at 22:30:00 (and 5 more times)" in why
    assert "accepted after 30 s" in why and "--exclude" in why and "trace" in why
    levels = conflict["values"]["recording.fall_plateaus"]
    assert levels[0].startswith("from 95 % to ") and "at 22:30:00" in levels[0]
    assert levels[-1] == "and 1 more"
    block = summary["without_fall_plateaus"]
    assert [p["fall_s"] for p in block["plateaus"]] == SLIPS
    assert block["metrics"]["presumed_sleep"]["t_le88_min"] == 0.0
    out, edf = tmp_path / "out", tmp_path / "night.edf"
    assert main(["verify", str(out / "summary.json"), str(edf)]) == 0
    capsys.readouterr()
    ctx_file = str(tmp_path / "ctx.yaml")
    assert main(["qualify", "--summary", str(out / "summary.json"), "--context", ctx_file]) == 0
    assert "recording.fall_plateaus" in capsys.readouterr().out


def test_the_slips_excluded_as_artifact_do_not_qualify(tmp_path: Path) -> None:
    spans = [f"{s}-{s + 80}" for s in SLIPS]
    options = [o for span in spans for o in ("--exclude", span)]
    summary = _run(tmp_path, _slipped_night(), *options)
    assert summary["metrics"]["presumed_sleep"]["t_le88_min"] == 0.0
    assert "without_fall_plateaus" not in summary
    assert summary["qualification"]["determination"] == "not_qualified"


def test_a_night_of_real_desaturations_is_unchanged(tmp_path: Path) -> None:
    """Two sustained drops to 86 % of 200 s (falling 6 points over 20 s, then a 3-point step)
    and ten transient desaturations, with noise: no fall is implausible, nothing is in doubt,
    and the night qualifies on its minutes at or below 88 % (the simulator's count) as before."""
    rec, truth = simulate_night(
        fs=1, duration_s=6 * 3600, seed=11, baseline_pct=95, desaturations=10,
        sustained_drops=[(3600, 200, 86), (9000, 200, 86)], noise_pts=0.3, start=START,
    )  # fmt: skip
    a = analyze(rec)
    assert a.artifact.fall_plateaus == () and a.without_fall_plateaus == {}
    assert a.artifact.counts["implausible_fall"] == 0
    summary = _run(tmp_path, rec)
    assert "without_fall_plateaus" not in summary
    assert not any("desaturation can" in f for f in summary["recording"]["review_flags"])
    expected = truth.time_at_or_below_s(88) / 60  # the whole recording is presumed sleep
    assert expected > 400 / 60  # the drops' 200 s each, and the deepest transient dips
    assert summary["metrics"]["presumed_sleep"]["t_le88_min"] == pytest.approx(expected, abs=0.01)
    q = summary["qualification"]
    assert q["determination"] == "qualified" and q["conflicts"] == []


def test_a_slip_that_comes_back_within_the_hold_is_no_plateau() -> None:
    """20 s at 85 %: the hold ends on the return (SPEC §4.3); nothing was accepted."""
    a = detect_artifacts(_slipped_night(20))
    assert a.fall_plateaus == ()
    assert a.counts["implausible_fall"] == 6 * 20


def test_a_plateau_ends_back_within_4_points_or_at_the_end() -> None:
    """A slow return ends the level at the first sample within 4 points of the reference (91 %
    from 95 %); a level that never comes back lasts to the end of the recording; a second
    instant fall inside a level belongs to it."""
    x = np.full(3600, 95.0)
    x[600:700] = 85.0
    x[700:712] = np.linspace(86.0, 97.0, 12)  # 86, 87, ..., 97: 91 at 705
    x[1200:1300] = 85.0
    x[1300:1400] = 75.0  # another instant fall inside the level: the level lasts to 95 again
    x[3000:] = 80.0  # never back
    p1, p2, p3 = detect_artifacts(_recording(x)).fall_plateaus
    assert (p1.fall_s, p1.start_s, p1.end_s, p1.value_pct) == (600.0, 630.0, 705.0, 85.0)
    assert (p2.fall_s, p2.start_s, p2.end_s, p2.value_pct) == (1200.0, 1230.0, 1400.0, 75.0)
    assert (p3.fall_s, p3.start_s, p3.end_s, p3.to_pct) == (3000.0, 3030.0, 3600.0, 80.0)


def test_evidence_reads_the_block_the_same_from_an_analysis_and_a_summary(
    tmp_path: Path,
) -> None:
    ev = evidence_from_analysis(analyze(_slipped_night()))
    read = Evidence.from_summary(_run(tmp_path, _slipped_night()))
    assert read.fall_plateaus == ev.fall_plateaus and len(ev.fall_plateaus) == 6
    assert ev.without_fall_plateaus is not None and read.without_fall_plateaus is not None
    assert read.without_fall_plateaus.sleep is not None and ev.without_fall_plateaus.sleep
    assert read.without_fall_plateaus.sleep.t_le88_min == 0.0
    assert evaluate(ctx(), read).to_dict() == evaluate(ctx(), ev).to_dict()
    assert evaluate(ctx(), ev.without_fall_plateaus).determination == "not_qualified"
    # the plateaus alone decide: the same figures without them would qualify nothing
    plain = dataclasses.replace(ev, fall_plateaus=(), without_fall_plateaus=None)
    assert evaluate(ctx(), plain).determination == "qualified"


_PLATEAU = {"fall_s": 0, "start_s": 30, "end_s": 80, "from_pct": 95, "to_pct": 85}


@pytest.mark.parametrize(
    ("block", "match"),
    [
        ([], "must be an object"),
        ({"plateaus": [], "metrics": {}}, "needs 'plateaus'"),
        ({"plateaus": [_PLATEAU], "metrics": {}}, "each plateau needs"),
        ({"plateaus": [{**_PLATEAU, "value_pct": True}], "metrics": {}}, "each plateau needs"),
        ({"plateaus": [{**_PLATEAU, "value_pct": 84}], "metrics": {"rest": {}}}, "not a window"),
    ],
)
def test_a_malformed_block_is_bad_input(block: Any, match: str, tmp_path: Path) -> None:
    summary = _run(tmp_path, _slipped_night())
    summary["without_fall_plateaus"] = block
    with pytest.raises(EvidenceError, match=match):
        Evidence.from_summary(summary)


def test_recomputed_figures_edited_out_of_range_are_refused(tmp_path: Path) -> None:
    """The figures without the plateaus are checked as the window's are (percentages)."""
    summary = _run(tmp_path, _slipped_night())
    summary["without_fall_plateaus"]["metrics"]["presumed_sleep"]["t_le88_pct"] = 250.0
    with pytest.raises(EvidenceError, match="without_fall_plateaus"):
        Evidence.from_summary(summary)


def test_inconsistent_figures_in_the_block_are_named_there(tmp_path: Path) -> None:
    """Forged figures in the block (t_le88 above t_lt90) were reported as the untouched
    'metrics.presumed_sleep' figures."""
    summary = _run(tmp_path, _slipped_night())
    figs = summary["without_fall_plateaus"]["metrics"]["presumed_sleep"]
    figs["t_le88_min"] = figs["t_lt90_min"] + 100.0
    with pytest.raises(
        EvidenceError, match=r"'without_fall_plateaus\.metrics\.presumed_sleep' figures"
    ):
        Evidence.from_summary(summary)


STEP = 3 * 3600  # 01:00


def _step_night() -> Recording:
    """The hunter's night (hunt 9): 6 h at 95 % (noise 0.6), at 01:00 an instant step to 82 %
    (noisy, lowest 80 %), 10 min there, then back; with pulse and the oximeter's status."""
    rec, _ = simulate_night(
        fs=1.0, duration_s=6 * 3600, seed=7, baseline_pct=95, noise_pts=0.6, start=START,
        status=True,
    )  # fmt: skip
    x = rec.spo2.data.copy()
    x[STEP : STEP + 600] = np.round(82 + np.random.default_rng(1).normal(0, 0.6, 600))
    return dataclasses.replace(rec, spo2=dataclasses.replace(rec.spo2, data=x))


def _flagged(rec: Recording, channel: str, at: slice, value: float) -> Recording:
    sig = getattr(rec, channel)
    data = sig.data.copy()
    data[at] = value
    return dataclasses.replace(rec, **{channel: dataclasses.replace(sig, data=data)})


def _judged(rec: Recording, exclude: tuple[tuple[float, float], ...] = ()) -> Any:
    a = analyze(rec, AnalysisSettings(exclude_s=exclude))
    return a, evaluate(ctx(), evidence_from_analysis(a))


@pytest.mark.parametrize(
    "how", ["excluded", "status", "pulse", "excluded over the step", "excluded 100 s"]
)
def test_invalid_samples_just_before_a_slip_do_not_hide_its_level(how: str) -> None:
    """Unchanged, the step's level is a plateau and the night indeterminate. 3 s excluded (or
    flagged by the oximeter, or under an implausible pulse) before it: the fall is measured
    from the last valid sample, 13 points over 4 s is plausible, nothing was held, and the
    10 min at 82 % qualified with no review (hunt 9). The level is now in doubt from the
    first valid sample after the fall to the return to 95 %, and the night indeterminate."""
    rec = _step_night()
    a, d = _judged(rec)
    assert d.determination == "indeterminate"
    assert [(p.fall_s, p.start_s, p.end_s) for p in a.artifact.fall_plateaus] == [
        (STEP, STEP + 30.0, STEP + 600.0)
    ]
    exclude: tuple[tuple[float, float], ...] = ()
    first = STEP  # the level's first valid sample
    if how == "excluded":
        exclude = ((STEP - 3.0, float(STEP)),)
    elif how == "excluded over the step":
        exclude, first = ((STEP - 3.0, STEP + 5.0),), STEP + 5
    elif how == "excluded 100 s":
        exclude = ((STEP - 100.0, float(STEP)),)
    elif how == "status":
        rec = _flagged(rec, "status", slice(STEP - 3, STEP), 1.0)
    else:
        rec = _flagged(rec, "pulse", slice(STEP - 3, STEP), 300.0)
    a, d = _judged(rec, exclude)
    assert a.artifact.counts["implausible_fall"] == 0  # the SPEC's mask is unchanged
    assert d.determination == "indeterminate"
    assert [c.keys for c in d.conflicts] == [("recording.fall_plateaus",)]
    (p,) = a.artifact.fall_plateaus
    assert (p.fall_s, p.start_s, p.end_s, p.to_pct, p.value_pct) == (
        STEP,
        first,
        STEP + 600,
        82,
        80,
    )
    # the level the fall is measured from: the recorded value before it, or the median of the
    # last 5 usable samples of the 10 s before it when lower (an upward artifact is no level),
    # raised to that of the last 5 recorded ones (a rejected sample never lowers it); the
    # recorded value when none of them is usable (100 s)
    before = rec.spo2.data[STEP - 10 : STEP - (100 if how == "excluded 100 s" else 3)][-5:]
    last, seen = rec.spo2.data[STEP - 1], float(np.median(rec.spo2.data[STEP - 5 : STEP]))
    assert p.from_pct == (min(last, max(float(np.median(before)), seen)) if before.size else last)
    assert "accepted at once" in d.conflicts[0].why or how == "excluded over the step"
    without = a.without_fall_plateaus["presumed_sleep"]
    assert without.t_le88_min == 0.0  # the whole level taken out, not only after 30 s
    flags = [f for f in a.artifact.review_flags if "desaturation can" in f]
    assert len(flags) == 1 and "without a hold" in flags[0]


def test_a_dropout_before_a_slip_is_the_specs_fall() -> None:
    """3 s missing before the step: not a recorded value, and 13 points over 4 s is within the
    SPEC's 4 points a second, so the level is valid data with no review (SPEC §4.3 as written:
    a desaturation across a dropout may be that fast); 8 s missing before a 30-point step too."""
    rec = _step_night()
    a, d = _judged(_flagged(rec, "spo2", slice(STEP - 3, STEP), np.nan))
    assert a.artifact.fall_plateaus == () and d.determination == "qualified"


def test_a_slip_shorter_than_the_hold_after_invalid_samples_is_in_doubt_whole() -> None:
    """A 20-s slip after 3 s excluded: the SPEC would have held it all invalid had the samples
    before it been valid; accepted at once, its 20 s are the level in doubt (counting only what
    follows the 30 s a hold would have lasted, a slip under 30 s would count fully)."""
    x = np.full(3600, 95.0)
    x[600:620] = 82.0
    a = detect_artifacts(_recording(x), exclude_s=[(597.0, 600.0)])
    assert a.counts["implausible_fall"] == 0
    (p,) = a.fall_plateaus
    assert (p.fall_s, p.start_s, p.end_s, p.from_pct, p.to_pct) == (600, 600, 620, 95, 82)
    # without the exclusion the rule holds the 20 s (no plateau), as before
    plain = detect_artifacts(_recording(x))
    assert plain.fall_plateaus == () and plain.counts["implausible_fall"] == 20
    # a slip the rule holds itself (1 s excluded: 13 points over 2 s) is its plateau only
    x[620:800] = 82.0
    (p,) = detect_artifacts(_recording(x), exclude_s=[(599.0, 600.0)]).fall_plateaus
    assert (p.fall_s, p.start_s, p.end_s) == (600, 630, 800)


def test_invalid_samples_beside_real_desaturations_change_nothing() -> None:
    """The night of real desaturations with 5 s excluded and 5 s flagged by the oximeter just
    before each sustained drop (and a flagged stretch on the steady baseline): no plateau, and
    the same determination and figures as without them, less the flagged samples."""
    rec, _ = simulate_night(
        fs=1, duration_s=6 * 3600, seed=11, baseline_pct=95, desaturations=10,
        sustained_drops=[(3600, 200, 86), (9000, 200, 86)], noise_pts=0.3, start=START,
        status=True,
    )  # fmt: skip
    base, d0 = _judged(rec)
    flagged = _flagged(rec, "status", slice(8995, 9000), 1.0)
    flagged = _flagged(flagged, "status", slice(15000, 15600), 1.0)
    a, d = _judged(flagged, ((3595.0, 3600.0),))
    assert a.artifact.fall_plateaus == () and base.artifact.fall_plateaus == ()
    assert d.determination == d0.determination == "qualified" and d.conflicts == ()
    x = rec.spo2.data
    lost = sum(int(np.count_nonzero(x[i:j] <= 88)) for i, j in ((3595, 3600), (8995, 9000)))
    lost += int(np.count_nonzero(x[15000:15600] <= 88))  # a transient dip there
    night, before = a.metrics["presumed_sleep"], base.metrics["presumed_sleep"]
    assert night.t_le88_min == pytest.approx(before.t_le88_min - lost / 60)


def test_a_steady_night_with_invalid_samples_has_no_level_in_doubt() -> None:
    """6 h at 95 % (noise 0.6) with stretches excluded and flagged by the oximeter: the noise
    never falls more than 4 points a second from a flagged sample, so no plateau."""
    rec, _ = simulate_night(
        fs=1.0, duration_s=6 * 3600, seed=7, baseline_pct=95, noise_pts=0.6, start=START,
        status=True,
    )  # fmt: skip
    for k in range(20):
        rec = _flagged(rec, "status", slice(600 + k * 900, 603 + k * 900), 1.0)
    spans = tuple((300.0 + k * 900, 303.0 + k * 900) for k in range(20))
    a, d = _judged(rec, spans)
    assert a.artifact.fall_plateaus == () and d.determination == "not_qualified"


def test_an_exclusion_before_a_slip_is_indeterminate_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """oxi analyze --exclude 00:59:57-01:00:00 on the hunter's night qualified, no conflict: now
    indeterminate, the level listed as accepted at once; verify and qualify --summary agree."""
    rec = _step_night()
    summary = _run(tmp_path, rec, "--exclude", "00:59:57-01:00:00")
    q = summary["qualification"]
    assert q["determination"] == "indeterminate"
    (conflict,) = q["conflicts"]
    # the level before the step: the median of the last 5 usable (not excluded) samples of the
    # 10 s before it (95 %), or of the last 5 recorded ones when higher (95 % too), the last
    # recorded (excluded) value being 96 % in this noise
    x = rec.spo2.data
    ref = min(
        x[STEP - 1], max(float(np.median(x[STEP - 8 : STEP - 3])), np.median(x[STEP - 5 : STEP]))
    )
    assert conflict["values"]["recording.fall_plateaus"] == [
        f"from {ref:g} % to 82 % at 01:00:00, accepted at once for 10.0 min, lowest 80 %"
    ]
    (p,) = summary["without_fall_plateaus"]["plateaus"]
    assert (p["fall_s"], p["start_s"], p["end_s"]) == (STEP, STEP, STEP + 600)
    out, edf = tmp_path / "out", tmp_path / "night.edf"
    assert main(["verify", str(out / "summary.json"), str(edf)]) == 0
    capsys.readouterr()
    ctx_file = str(tmp_path / "ctx.yaml")
    assert main(["qualify", "--summary", str(out / "summary.json"), "--context", ctx_file]) == 0
    assert "recording.fall_plateaus" in capsys.readouterr().out


def test_an_upward_artifact_is_not_the_level_a_plateau_is_measured_from() -> None:
    """Rises are never flagged (SPEC §4.3): one sample at 99 in a night at 89 % became the
    reference of the fall after it, the night never came back within 4 points of 99, and the
    whole night was one plateau, a genuine COPD night held open (review of hunt 9). Measured
    from the median of the 10 s before the fall (89), the level after it is no fall at all."""
    x = np.full(3600, 89.0)
    x[1800] = 99.0
    assert detect_artifacts(_recording(x)).fall_plateaus == ()
    # a probe slip from a steady 95 % is still one
    y = np.full(3600, 95.0)
    y[1800:1900] = 85.0
    (p,) = detect_artifacts(_recording(y)).fall_plateaus
    assert (p.fall_s, p.end_s, p.from_pct) == (1800.0, 1900.0, 95.0)


def test_a_flagged_upward_artifact_is_not_the_level_either() -> None:
    """The same upward artifact excluded (or flagged by the oximeter): the review measures
    falls from recorded samples too, and the night at 89 % would have been one plateau."""
    x = np.full(3600, 89.0)
    x[1800] = 99.0
    a = analyze(_recording(x), AnalysisSettings(exclude_s=((1800.0, 1801.0),)))
    assert a.artifact.fall_plateaus == ()


def test_a_slip_just_before_another_is_not_the_level_the_second_is_measured_from() -> None:
    """A 10-s slip to 85 % (held by the fall rule), one sample back at 95 %, then an instant
    fall to 82-83 % for 11 min: read from the 10 s before the second fall, the level was the
    first slip's 85 %, the 11 min were no plateau, and the night qualified (review of hunt 9).
    Samples the fall rule holds, and those of an earlier plateau, are no level."""
    x = np.full(3 * 3600, 95.0)
    x[1800:1810] = 85.0
    x[1811 : 1811 + 660] = np.where(np.arange(660) % 2, 82.0, 83.0)
    (p,) = detect_artifacts(_recording(x)).fall_plateaus
    assert (p.fall_s, p.end_s, p.from_pct) == (1811.0, 2471.0, 95.0)
    # a first slip long enough to be a plateau itself (40 s) leaves the second one its own
    y = np.full(3 * 3600, 95.0)
    y[1800:1840] = 85.0
    y[1841 : 1841 + 660] = np.where(np.arange(660) % 2, 82.0, 83.0)
    first, second = detect_artifacts(_recording(y)).fall_plateaus
    assert (first.fall_s, first.end_s) == (1800.0, 1840.0)
    assert (second.fall_s, second.end_s, second.from_pct) == (1841.0, 2501.0, 95.0)


def _slip(x: np.ndarray, at: int) -> None:
    """An instant fall to 82-83 % for 11 min (the reviewer's second slip, hunt 10)."""
    x[at : at + 660] = np.where(np.arange(660) % 2, 82.0, 83.0)


def _with_status(rec: Recording, at: slice) -> Recording:
    """``rec`` with an oximeter status channel flagging the samples ``at``."""
    flags = np.zeros(rec.spo2.n_samples)
    flags[at] = 1.0
    return dataclasses.replace(rec, status=Signal("OX STAT", "", rec.fs, flags))


@pytest.mark.parametrize("how", ["status", "excluded"])
def test_a_flagged_stretch_reading_low_is_not_the_level_a_step_is_measured_from(
    how: str,
) -> None:
    """The oximeter flags 12 s (91, 87, then 85 % for 8 s, its last 2 s back at 95), then the
    signal steps from 95 to 82-83 % for 11 min, unflagged: the level before the step was read
    from the flagged samples (85 %), the step was within 4 points of it, nothing was in doubt
    and the night qualified on the 11 min (review of hunt 10). Rejected samples are no level:
    none of the 10 s before the step is usable, so the step is measured from the recorded 95."""
    x = np.full(3 * 3600, 95.0)
    x[1000:1012] = [91, 87, 85, 85, 85, 85, 85, 85, 85, 85, 95, 95]
    _slip(x, 1012)
    rec, exclude = _recording(x), ((1000.0, 1012.0),)
    if how == "status":
        rec, exclude = _with_status(rec, slice(1000, 1012)), ()
    a, d = _judged(rec, exclude)
    assert a.artifact.counts["implausible_fall"] == 0  # the SPEC's mask is unchanged
    (p,) = a.artifact.fall_plateaus
    assert (p.fall_s, p.start_s, p.end_s, p.from_pct, p.value_pct) == (1012, 1012, 1672, 95, 82)
    assert d.determination == "indeterminate"
    assert [c.keys for c in d.conflicts] == [("recording.fall_plateaus",)]
    assert a.without_fall_plateaus["presumed_sleep"].t_le88_min == 0.0


@pytest.mark.parametrize("how", ["status", "excluded"])
def test_a_level_accepted_at_once_is_not_the_level_a_later_slip_is_measured_from(
    how: str,
) -> None:
    """A 10-s slip to 85 % after 3 s of status flag (or excluded), accepted at once and in
    doubt, one sample back at 95 %, then an instant fall to 82-83 % for 11 min: the fall rule
    left only its own plateaus out of the level before a fall, read the first slip's 85 %, the
    11 min were no plateau and the night qualified (review of hunt 10). Every earlier level is
    left out: the second fall is measured from 95 % and both levels are in doubt."""
    x = np.full(3 * 3600, 95.0)
    x[1000:1010] = 85.0
    _slip(x, 1011)
    rec, exclude = _recording(x), ((997.0, 1000.0),)
    if how == "status":
        rec, exclude = _with_status(rec, slice(997, 1000)), ()
    a, d = _judged(rec, exclude)
    assert [(p.fall_s, p.start_s, p.end_s, p.from_pct) for p in a.artifact.fall_plateaus] == [
        (1000.0, 1000.0, 1010.0, 95.0),  # accepted at once
        (1011.0, 1041.0, 1671.0, 95.0),  # after the 30 s hold
    ]
    assert d.determination == "indeterminate"
    assert a.without_fall_plateaus["presumed_sleep"].t_le88_min == 0.0
    # the other way round (a plateau of the rule's own, then a level accepted at once) too
    y = np.full(3 * 3600, 95.0)
    y[1000:1040] = 85.0
    y[1041:1044] = 85.0  # recorded 85 % while flagged, after one sample back at 95 %
    _slip(y, 1044)
    first, second = detect_artifacts(_with_status(_recording(y), slice(1041, 1044))).fall_plateaus
    assert (first.fall_s, first.end_s) == (1000.0, 1040.0)
    assert (second.fall_s, second.start_s, second.end_s, second.from_pct) == (
        1041.0,
        1044.0,
        1704.0,
        95.0,
    )


@pytest.mark.parametrize("entry", ["staircase", "dropout"])
@pytest.mark.parametrize("back_s", [3, 4])
def test_a_return_of_seconds_between_two_slips_is_a_level(entry: str, back_s: int) -> None:
    """A first slip to 85 % for 10 s entered plausibly (a staircase of 4 points a second, or
    across a 3-s dropout: SPEC §4.3 holds nothing), 3 or 4 s back at 95 %, then an instant
    fall to 82-83 % for 11 min: the median of the 10 s before the fall took the return for an
    upward artifact, the fall was measured from 85 %, nothing was in doubt and the night
    qualified (review of hunt 10). The median of the last 5 s before it (95 %) is the level."""
    x = np.full(3 * 3600, 95.0)
    x[997:1000] = [91.0, 87.0, 85.0] if entry == "staircase" else np.nan
    x[1000:1010] = 85.0
    _slip(x, 1010 + back_s)
    a, d = _judged(_recording(x))
    fall = 1010.0 + back_s
    assert [(p.fall_s, p.start_s, p.end_s, p.from_pct) for p in a.artifact.fall_plateaus] == [
        (fall, fall + 30, fall + 660, 95.0)
    ]
    assert d.determination == "indeterminate"
    # without it, only the first slip's samples at or below 88 % (valid by the SPEC) are left
    first = int(np.count_nonzero(x[997:1010] <= 88))
    assert a.without_fall_plateaus["presumed_sleep"].t_le88_min == pytest.approx(first / 60)


@pytest.mark.parametrize("how", ["status", "excluded"])
@pytest.mark.parametrize("rejected_s", [4, 6])
def test_a_return_between_two_slips_is_a_level_when_rejected_too(how: str, rejected_s: int) -> None:
    """The first slip of the test above (staircase, 10 s at 85 %), 6 s back at 95 %, then an
    instant fall to 82-83 % for 11 min; the oximeter flags the last 4 (or all 6) of those 6 s,
    still reading 95 (or they are excluded). The level before the fall was read from the usable
    samples only: with at most 2 s usable at 95 the median of the last 5 s was the first
    slip's 85, nothing was in doubt and the night qualified (review of hunt 10). Rejected
    samples may raise the level (the median of the last 5 s of recorded samples is 95), never
    lower it: the fall is measured from 95 % and the 11 min are in doubt."""
    x = np.full(3 * 3600, 95.0)
    x[997:1000] = [91.0, 87.0, 85.0]
    x[1000:1010] = 85.0
    _slip(x, 1016)
    rec, exclude = _recording(x), ((1016.0 - rejected_s, 1016.0),)
    if how == "status":
        rec, exclude = _with_status(rec, slice(1016 - rejected_s, 1016)), ()
    a, d = _judged(rec, exclude)
    assert a.artifact.counts["implausible_fall"] == 0  # the SPEC's mask is unchanged
    assert [(p.fall_s, p.start_s, p.end_s, p.from_pct) for p in a.artifact.fall_plateaus] == [
        (1016.0, 1016.0, 1676.0, 95.0)  # accepted at once (measured from the recorded 95)
    ]
    assert d.determination == "indeterminate"
    if rejected_s == 4:
        assert [c.keys for c in d.conflicts] == [("recording.fall_plateaus",)]
        first = int(np.count_nonzero(x[997:1010] <= 88))  # the first slip's, valid by the SPEC
        assert a.without_fall_plateaus["presumed_sleep"].t_le88_min == pytest.approx(first / 60)
    else:
        # all 6 s back at 95 rejected: the first slip's data stop low, and resume at 95 after
        # the level in doubt (a dropout edge, review of hunt 11)
        keys = ("recording.fall_plateaus", "recording.dropout_edges")
        assert [c.keys for c in d.conflicts] == [keys]
        assert [(e.end_s, e.resumed_s) for e in a.artifact.dropout_edges] == [(1010.0, 1676.0)]
        assert a.without_fall_plateaus["presumed_sleep"].t_le88_min == 0.0


def test_an_even_count_is_read_at_its_higher_middle_value() -> None:
    """At 0.25 Hz the 10 s before a fall hold 2 samples: a first level at 68 % entered across
    an 8-s dropout (the SPEC's fall), 3 samples there, one sample (4 s) back at 95 %, then an
    instant fall of 17 points to 77-78 % for 11 min: the median of 68 and 95 (81.5, never
    recorded) was the level, the 11 min lay within 4 points of it and the night qualified
    (review of hunt 10). Of an even count the higher middle value is the level (95): the
    11 min are a plateau, as with 2 samples back, and the night is indeterminate."""
    fs = 0.25
    x = np.full(int(3 * 3600 * fs), 95.0)
    x[248:250] = np.nan  # 8 s missing before 1000 s
    x[250:253] = 68.0
    x[253] = 95.0  # one sample, 4 s, back
    x[254 : 254 + 165] = np.where(np.arange(165) % 2, 77.0, 78.0)  # 1016 s to 1676 s
    a, d = _judged(_recording(x, fs))
    assert [(p.fall_s, p.start_s, p.end_s, p.from_pct) for p in a.artifact.fall_plateaus] == [
        (1016.0, 1048.0, 1676.0, 95.0)  # the hold: 8 samples (30 s rounded up to 4-s samples)
    ]
    assert d.determination == "indeterminate"
    assert [c.keys for c in d.conflicts] == [("recording.fall_plateaus",)]


def test_one_or_two_samples_above_a_level_are_still_an_upward_artifact() -> None:
    """The upward artifact of the night at 89 % (one sample at 99, review of hunt 9), and two:
    the median of the last 5 s before the fall back to 89 is 89, no fall at all, whether the
    spike is usable or excluded."""
    for spike in (slice(1800, 1801), slice(1800, 1802)):
        x = np.full(3600, 89.0)
        x[spike] = 99.0
        assert detect_artifacts(_recording(x)).fall_plateaus == ()
        a = analyze(_recording(x), AnalysisSettings(exclude_s=((1800.0, 1802.0),)))
        assert a.artifact.fall_plateaus == ()


@pytest.mark.parametrize(
    ("seconds", "how"), [(3, "usable"), (3, "excluded"), (60, "status"), (60, "excluded")]
)
def test_seconds_above_a_level_are_a_level_usable_or_rejected(seconds: int, how: str) -> None:
    """The other side of the two tests above, known limits that err towards indeterminate
    (docs/criteria.md): 3 s at 99 in the night at 89 % are a level, nothing in the samples
    tells them from 3 s back at 95 % between two slips, and the rest of the night is one level
    in doubt. Excluded, they are still: rejected samples may raise the level, or --exclude over
    the 4 s back at 95 % qualified the night of the test above; so are 60 s of motion at 99
    flagged by the oximeter or excluded (no usable sample in the 10 s before the fall back: the
    level is the recorded 99)."""
    x = np.full(3600, 89.0)
    x[1800 : 1800 + seconds] = 99.0
    rec, exclude = _recording(x), ((1800.0, 1800.0 + seconds),)
    if how != "excluded":
        exclude = ()
    if how == "status":
        rec = _with_status(rec, slice(1800, 1800 + seconds))
    a = analyze(rec, AnalysisSettings(exclude_s=exclude))
    (p,) = a.artifact.fall_plateaus
    assert (p.fall_s, p.end_s, p.from_pct) == (1800.0 + seconds, 3600.0, 99.0)


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(["held", "excluded", "status", "staircase", "dropout", "spread"]),
    st.integers(5, 60),
    st.integers(80, 87),
    st.integers(1, 80),
    st.integers(78, 84),
    st.integers(0, 8),
    st.sampled_from(["status", "excluded"]),
    st.sampled_from([1.0, 2.0, 4.0, 10.0, 25.0]),
    st.floats(0.0, 1.0),
)
def test_a_slip_after_another_is_always_in_doubt(
    entry: str,
    first_s: int,
    level: int,
    back_tenths: int,
    second: int,
    rejected: int,
    by: str,
    fs: float,
    spread: float,
) -> None:
    """Safety: whatever came before it (a first slip held by the fall rule, accepted at once
    after rejected samples or after a fall spread over samples, or entered plausibly), a fall
    from 95 % to 78-85 % within a second (instant, or spread over up to ``fs`` samples), 11 min
    there, after seconds back at 95 % is in doubt to its last sample at every sampling rate, so
    it never qualifies a night alone (review of hunt 10; at 4-25 Hz a fall spread over a few
    samples escaped the fall rule, hunt 10), also when the oximeter flags the last of those
    seconds (still reading 95) or they are excluded: rejected samples may raise the level,
    never lower it. After a plausibly entered first slip (nothing in doubt), 1 or 2 s back at
    95 % are an upward artifact by design (``STEADY_LAST_S``); 3 s are not. The time back is
    drawn in tenths of a second (at least a sample): a second slip less than a second after a
    first was measured over a second from the first slip's level, and qualified (review 5 of
    hunt 10)."""
    assume(back_tenths >= 30 or entry in ("held", "excluded", "status", "spread"))
    sec = round(fs)  # samples a second
    back = max(1, round(back_tenths * fs / 10))  # samples back at 95 %
    ramp = min(sec - 1, int(spread * sec))  # samples strictly between 95 % and the level
    x = np.full(1800 * sec, 95.0)
    x[1000 * sec : (1000 + first_s) * sec] = level
    exclude: list[tuple[float, float]] = []
    flags = np.zeros(x.size)
    if entry == "staircase":  # 4 points a second down to the level: plausible
        steps = np.repeat(np.arange(91.0, level, -4.0), sec)
        x[1000 * sec - steps.size : 1000 * sec] = steps
    elif entry == "dropout":
        x[997 * sec : 1000 * sec] = np.nan
    elif entry == "excluded":
        exclude.append((997.0, 1000.0))
    elif entry == "status":
        flags[997 * sec : 1000 * sec] = 1.0
    elif entry == "spread":  # down from 95 % over the second before the level
        x[999 * sec : 1000 * sec] = np.linspace(95.0, level, sec + 1)[1:]
    at = (1000 + first_s) * sec + back + ramp  # the second slip's first sample at its level
    x[at - ramp : at] = np.linspace(95.0, second, ramp + 2)[1:-1]
    x[at : at + 660 * sec] = np.where(np.arange(660 * sec) % 2, second, second + 1)
    back_end = (1000 + first_s) * sec + back  # the samples back at 95 % end here
    rejected = min(rejected * sec, back)  # the last of them, still reading 95
    if rejected and by == "excluded":
        exclude.append(((back_end - rejected) / fs, back_end / fs))
    elif rejected:
        flags[back_end - rejected : back_end] = 1.0
    rec = _recording(x, fs)
    if flags.any():
        rec = dataclasses.replace(rec, status=Signal("OX STAT", "", fs, flags))
    a = analyze(rec, AnalysisSettings(exclude_s=tuple(exclude)))
    covered = ~a.artifact.valid
    for p in a.artifact.fall_plateaus:
        covered[round(p.start_s * fs) : round(p.end_s * fs)] = True
    assert covered[at : at + 660 * sec].all(), a.artifact.fall_plateaus


@pytest.mark.parametrize("entry", ["held", "status"])
@pytest.mark.parametrize(("fs", "back_s"), [(25.0, 0.4), (25.0, 0.8), (10.0, 0.6), (8.0, 0.4)])
def test_a_slip_less_than_a_second_after_another_is_in_doubt(
    entry: str, fs: float, back_s: float
) -> None:
    """A first slip to 85 % (40 s, the fall rule's plateau after its hold; or 10 s accepted at
    once after 3 s of status flag), ``back_s`` back at 95 %, then 95 -> 91.1 -> 87.2 -> 83.3
    -> 80.8 one sample each and 11 min at 80.8 / 81.8 a second each: qualified a night (review
    5 of hunt 10). The fall over a second is measured from the sample a second back: the
    first lies in the first slip (85), its level ended at 81.8, and the later falls, from 95,
    were dropped inside it. Now they extend it: the 11 min are in doubt to their last sample."""
    sec = round(fs)
    x = np.full(3 * 3600 * sec, 95.0)
    a = 3600 * sec
    p = a - round(back_s * fs)  # the first slip ends here
    first = 40 if entry == "held" else 10
    x[p - first * sec : p] = 85.0
    x[a : a + 4] = [91.1, 87.2, 83.3, 80.8]
    x[a + 4 : a + 4 + 660 * sec] = 80.8 + np.arange(660 * sec) // sec % 2
    rec = _recording(x, fs)
    if entry == "status":
        rec = _with_status(rec, slice(p - (first + 3) * sec, p - first * sec))
    result, decision = _judged(rec)
    covered = ~result.artifact.valid
    for lv in result.artifact.fall_plateaus:
        covered[round(lv.start_s * fs) : round(lv.end_s * fs)] = True
    assert covered[a + sec : a + 4 + 660 * sec].all(), result.artifact.fall_plateaus
    assert decision.determination == "indeterminate"
