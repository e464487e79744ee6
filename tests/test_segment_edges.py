"""Rest and exercise tests decided by a low run on an artifact's edge, and a walk on oxygen that
stops short of the room-air walk's low (hunt 8), or whose data break off before it (hunt 12).

SPEC §4.3 flags an instant fall for 30 s and then accepts the new level, and flags no rise: in
a test of minutes the 10 s left at a slipped probe's level, or the oximeter's first seconds
while it picks up, set the sustained nadir alone. Each end-to-end case qualified before its fix.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from oxi.cli import main
from oxi.pipeline import AnalyzeRequest, analyze_file
from oximetry.metrics import summarize_segment
from oximetry.simulate import Artifact, SustainedDrop, simulate_night, write_edf

START = dt.datetime(2026, 11, 20, 10, 0)
WALK = [("rest", 0, 360), ("exercise", 420, 780), ("exercise_o2", 900, 1260)]

CONTEXTS = {
    "masshealth": (
        "payer: masshealth\n"
        "patient: {age_years: 70}\n"
        "test: {type: %(type)s, date: 2026-11-20, room_air: true, setting: outpatient,\n"
        "       chronic_stable_state: true%(flow)s}\n"
        "order: {date: 2026-11-02, prescriber: physician, flow_lpm: 2, hours_per_day: 8}\n"
        "diagnoses: [J44.9]\n"
        "documentation: {signed_prescription: true}\n"
    ),
    "medicare": (
        "payer: medicare\n"
        "patient: {age_years: 70}\n"
        "test: {type: %(type)s, date: 2026-11-20, room_air: true, setting: outpatient,\n"
        "       performed_by: treating_practitioner, evaluated_date: 2026-11-20%(flow)s}\n"
        "order: {date: 2026-11-20, prescriber: physician, flow_lpm: 2, hours_per_day: 8}\n"
        "diagnoses: [J44.9]\n"
        "mobility: {within_home: true}\n"
        "documentation: {signed_prescription: true}\n"
    ),
}
PAYERS = tuple(CONTEXTS)


def _determine(tmp_path: Path, recording: Path, payer: str, test_type: str) -> tuple[str, str]:
    """Analyse ``recording`` under the payer's context: the determination and its missing."""
    flow = ", exercise_o2_flow_lpm: 2" if test_type == "exercise" else ""
    ctx = tmp_path / f"{payer}.yaml"
    ctx.write_text(CONTEXTS[payer] % {"type": test_type, "flow": flow})
    out = analyze_file(recording, AnalyzeRequest(context_path=str(ctx), report=False))
    assert out.determination is not None
    return out.determination.determination, " | ".join(out.determination.missing)


def _csv(path: Path, values: dict[int, float], seconds: int) -> Path:
    """A 1-Hz CSV export from 10:00 holding the seconds ``values`` gives (others: no row)."""
    rows = [
        f"{(START + dt.timedelta(seconds=i)).isoformat()},{values[i]:g}"
        for i in range(seconds)
        if i in values
    ]
    path.write_text("time,spo2\n" + "\n".join(rows) + "\n")
    return path


def _steady(seconds: int, seed: int) -> dict[int, float]:
    """95-96 % with whole-percent noise, as an oximeter exports it."""
    rng = np.random.default_rng(seed)
    x = np.clip(np.round(95.5 + rng.normal(0, 0.6, seconds)), 90, 100)
    return {i: float(v) for i, v in enumerate(x)}


# --------------------------------------------------------------------------------------------
# The figures: a low run on an artifact's edge is out of the sustained nadir's runs
# --------------------------------------------------------------------------------------------


def _segment(x: np.ndarray, valid: np.ndarray | None = None, window: np.ndarray | None = None):
    """The segment's figures at 1 Hz; invalid samples holding a value stand for the fall rule's
    flags (an instant fall), NaN for rows missing."""
    valid = np.isfinite(x) if valid is None else valid
    window = np.ones(x.shape, bool) if window is None else window
    return summarize_segment(x, valid, window, 1.0, instant_fall=~valid & np.isfinite(x))


def test_a_gradual_fall_through_a_motion_dropout_decides_the_walk() -> None:
    """95 -> 86 % over about a minute, 30 s of rows missing in the middle of the fall (motion),
    then 3.5 min at 86 %: a 5-point fall over 30 s is no slip. The flat 4-point rule held the
    genuine walk open (sustained nadir 91 %, its lower bound 86 %)."""
    x = np.concatenate([np.linspace(95, 91, 24), np.full(30, np.nan), np.full(210, 86.0)])
    m = _segment(x)
    assert m.sustained_nadir_pct == 86.0


def test_level_a_flagged_fall_left_is_not_the_sustained_nadir() -> None:
    """95 %, an instant fall to 84 % the fall rule flags for 30 s, 15 s more at 84 % (valid: the
    level accepted), then back to 95 % at once: the 15 s set the sustained nadir to 84 %."""
    x = np.full(360, 95.0)
    x[120:165] = 84.0
    valid = np.ones(360, bool)
    valid[120:150] = False
    m = _segment(x, valid)
    assert m.sustained_nadir_pct == 95.0  # no other 10 s run is low
    assert m.sustained_nadir_low_pct == 84.0 and m.nadir_pct == 84.0  # kept as the lower bound


def test_level_a_flagged_fall_left_to_the_segment_end_is_not_evidence() -> None:
    """The same slip, the probe never put back before the walk ended: still the fall's level."""
    x = np.full(360, 95.0)
    x[300:] = 84.0
    valid = np.ones(360, bool)
    valid[300:330] = False
    assert _segment(x, valid).sustained_nadir_pct == 95.0


def test_first_samples_low_before_an_instant_rise_are_not_the_sustained_nadir() -> None:
    """The oximeter's first 12 s read 82 % while it picks up, then 95 %: nothing precedes them,
    so no fall is flagged; the instant rise shows them an artifact's."""
    x = np.full(312, 95.0)
    x[:12] = 82.0
    m = _segment(x)
    assert (m.sustained_nadir_pct, m.sustained_nadir_low_pct) == (95.0, 82.0)


def test_low_run_where_data_resume_is_not_the_sustained_nadir() -> None:
    """95 %, 20 s without data, 12 s at 82 %, 95 %: the fall across the gap (13 points in 21 s)
    is no implausible fall, but the run starts where data resume more than 4 points lower."""
    x = np.full(330, 95.0)
    x[120:140] = np.nan
    x[140:152] = 82.0
    assert _segment(x).sustained_nadir_pct == 95.0


def test_level_kept_across_a_dropout_stays_evidence() -> None:
    """A walk at 86 % with 5 s of dropout in it: data resume at the level they left (within 4
    points), so the runs after it count (only the invalid samples break them)."""
    x = np.concatenate([np.linspace(95, 86, 31), np.full(200, 86.0), np.linspace(86, 95, 31)])
    x[100:105] = np.nan
    assert _segment(x).sustained_nadir_pct == 86.0


@pytest.mark.parametrize("fall_s", [20, 60])
def test_gradual_desaturation_sets_the_sustained_nadir(fall_s: int) -> None:
    """A fall over tens of seconds to 86 % and a recovery as gradual: the sustained nadir."""
    x = np.concatenate(
        [
            np.full(60, 95.0),
            np.linspace(95, 86, fall_s),
            np.full(120, 86.0),
            np.linspace(86, 95, 40),
        ]
    )
    m = _segment(x)
    assert m.sustained_nadir_pct == m.sustained_nadir_low_pct == 86.0


def test_walk_that_ends_still_low_sets_the_sustained_nadir() -> None:
    """The walk ends at 86 % (the segment ends; the recording too, or it recovers later)."""
    x = np.concatenate([np.full(60, 95.0), np.linspace(95, 86, 30), np.full(60, 86.0)])
    assert _segment(x).sustained_nadir_pct == 86.0
    longer = np.concatenate([x, np.full(30, 95.0)])  # recovered at once after the walk ended
    window = np.zeros(longer.shape, bool)
    window[: x.size] = True
    m = _segment(longer, window=window)  # 86 % on the edge of a rise of 9 points in 1 s
    assert m.sustained_nadir_pct > 91 and m.sustained_nadir_low_pct == 86.0
    gradual = np.concatenate([x, np.linspace(86, 95, 30)])
    window = np.zeros(gradual.shape, bool)
    window[: x.size] = True
    assert _segment(gradual, window=window).sustained_nadir_pct == 86.0


def test_elapsed_figures_of_a_segment() -> None:
    """Seconds from the segment's first sample: to the end of the first 10 s run at the
    sustained nadir (rounded, as the rules read it), and to the end of the last valid sample."""
    x = np.full(400, 95.0)
    x[100:110] = np.linspace(95, 87.5, 10)
    x[110:200] = 87.4  # rounds to 87: the first 10 s run at it is 110-119
    x[150:160] = 86.9  # the lowest run (rounds to 87 too): not the first
    x[200:210] = np.linspace(88, 95, 10)
    x[330:] = np.nan  # data stop 300 s into the segment
    window = np.zeros(400, bool)
    window[30:] = True
    m = _segment(x, window=window)
    assert m.sustained_nadir_pct == 86.9
    assert m.sustained_nadir_elapsed_s == 120 - 30
    assert m.valid_elapsed_s == 330 - 30
    assert m.covered_elapsed_s == 330 - 30  # no stretch of 10 s missing before the data stop


@pytest.mark.parametrize(
    ("fs", "missing", "covered"),
    [
        # 1 Hz: runs of 10 samples. 9 s missing (120-128) leave every run a valid sample; 10 s
        # (200-209) hold a whole run, so the data reach unbroken to 200 s, 170 s into the
        # segment (from its first sample, 30)
        (1.0, [(120, 129), (200, 210)], 200 - 30),
        (1.0, [(120, 129)], 390 - 30),  # the data stop at 390: the end of the last valid one
        (1.0, [(30, 40), (200, 210)], 0.0),  # the segment's first 10 s missing
        (1.0, [(30, 39), (200, 209)], 390 - 30),  # 9 s at its start and 9 s later: none
        # 0.25 Hz: runs of ceil(2.5) = 3 samples (12 s); 2 samples (8 s) missing is none
        (0.25, [(60, 62), (70, 73)], (70 - 30) * 4.0),
    ],
)
def test_unbroken_reach_of_a_segment(
    fs: float, missing: list[tuple[int, int]], covered: float
) -> None:
    """covered_elapsed_s: seconds from the segment's first sample to the end of the last valid
    sample before its first stretch of ceil(10 x fs) samples or more without a valid one (hand
    counted): a walk on oxygen whose probe was off from 3 min to its last second "reached" its
    end (valid_elapsed_s) and showed an improvement over the room-air walk's low at 5 min."""
    n = 100 if fs < 1 else 400
    x = np.full(n, 95.0)
    for a, b in missing:
        x[a:b] = np.nan
    if fs == 1.0:
        x[390:] = np.nan
    window = np.zeros(n, bool)
    window[30:] = True
    m = summarize_segment(x, np.isfinite(x), window, fs)
    assert m.covered_elapsed_s == pytest.approx(covered)
    assert m.covered_elapsed_s <= m.valid_elapsed_s


# --------------------------------------------------------------------------------------------
# End to end: the tests the hunt qualified
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payer", PAYERS)
def test_walk_with_a_slipped_probe_is_not_evidence_of_desaturation(
    tmp_path: Path, payer: str
) -> None:
    """A room-air walk never below ~92 % with a 45 s probe slip to 84 %: exercise oxygen under
    both payers (MassHealth b.i, Medicare Group I-4 with a portable system)."""
    rec, _ = simulate_night(
        fs=1.0, duration_s=1300, seed=1, baseline_pct=95, noise_pts=0.6, start=START,
        sustained_drops=[(430, 340, 93.0)], segments=WALK,
        artifacts=[Artifact(600, 45, "fall", 84.0)],
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "walk.edf")
    det, missing = _determine(tmp_path, edf, payer, "exercise")
    assert det == "indeterminate"
    assert "'exercise' segment with fewer artifacts" in missing
    assert "artifact's edge" in missing


@pytest.mark.parametrize("payer", PAYERS)
def test_rest_test_with_a_slipped_probe_is_not_evidence_of_hypoxemia(
    tmp_path: Path, payer: str
) -> None:
    """A 6-min rest test at 95 % with a 45 s slip to 84 %: continuous oxygen."""
    rec, _ = simulate_night(
        fs=1.0, duration_s=360, seed=1, baseline_pct=95, noise_pts=0.6, start=START,
        artifacts=[Artifact(120, 45, "fall", 84.0)],
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "rest.edf")
    det, missing = _determine(tmp_path, edf, payer, "rest")
    assert det == "indeterminate"
    assert "'rest' segment with fewer artifacts" in missing


@pytest.mark.parametrize("payer", PAYERS)
def test_rest_test_starting_low_while_the_oximeter_picks_up(tmp_path: Path, payer: str) -> None:
    values = _steady(312, 3)
    values.update(dict.fromkeys(range(12), 82.0))
    det, missing = _determine(tmp_path, _csv(tmp_path / "r.csv", values, 312), payer, "rest")
    assert det == "indeterminate" and "'rest' segment with fewer artifacts" in missing


@pytest.mark.parametrize("payer", PAYERS)
def test_rest_test_low_where_the_probe_is_put_back(tmp_path: Path, payer: str) -> None:
    values = {i: v for i, v in _steady(330, 4).items() if not 120 <= i < 140}  # probe off
    values.update(dict.fromkeys(range(140, 152), 82.0))
    det, missing = _determine(tmp_path, _csv(tmp_path / "r.csv", values, 330), payer, "rest")
    assert det == "indeterminate" and "'rest' segment with fewer artifacts" in missing


@pytest.mark.parametrize("payer", PAYERS)
@pytest.mark.parametrize(
    ("drop", "exercise"),
    [
        (SustainedDrop(480, 300, 86.0, ramp_s=40.0), ("exercise", 420, 780)),  # gradual fall
        (SustainedDrop(600, 180, 86.0), ("exercise", 420, 780)),  # the walk ends still low
    ],
)
def test_genuine_walk_desaturation_still_qualifies(
    tmp_path: Path, payer: str, drop: SustainedDrop, exercise: tuple[str, float, float]
) -> None:
    rec, _ = simulate_night(
        fs=1.0, duration_s=1300, seed=1, baseline_pct=95, noise_pts=0.6, start=START,
        sustained_drops=[drop], segments=[WALK[0], exercise, WALK[2]],
    )  # fmt: skip
    edf = write_edf(rec, tmp_path / "walk.edf")
    det, missing = _determine(tmp_path, edf, payer, "exercise")
    assert det == "qualified", missing


# --------------------------------------------------------------------------------------------
# The walk on oxygen must reach as far into it as the room-air walk had gone at its low
# --------------------------------------------------------------------------------------------


def _walk_fall_at_4_min(tmp_path: Path, o2_end: float, gaps: list[tuple[float, float]]) -> Path:
    """Room-air walk 420-780 s at 95 %, 86 % for its last 2 min; walk on oxygen from 900 s."""
    rec, _ = simulate_night(
        fs=1.0, duration_s=1300, seed=1, baseline_pct=95, noise_pts=0.6, start=START,
        sustained_drops=[(660, 120, 86.0)], gaps=gaps,
        segments=[WALK[0], WALK[1], ("exercise_o2", 900, o2_end)],
    )  # fmt: skip
    return write_edf(rec, tmp_path / "walk.edf")


@pytest.mark.parametrize("payer", PAYERS)
def test_short_walk_on_oxygen_does_not_show_the_improvement(tmp_path: Path, payer: str) -> None:
    """The walk on oxygen lasted 70 s: the patient stopped long before the exertion at which the
    room-air walk desaturated (4 min in)."""
    det, missing = _determine(tmp_path, _walk_fall_at_4_min(tmp_path, 970, []), payer, "exercise")
    assert det == "indeterminate"
    assert "a walk on oxygen with valid data at least" in missing
    assert "its data end 70 s in" in missing


@pytest.mark.parametrize("payer", PAYERS)
def test_walk_on_oxygen_whose_data_stop_early_does_not_show_it(tmp_path: Path, payer: str) -> None:
    """A 6-min walk on oxygen whose data stop after 190 s (3.2 of 6 min valid, above the half
    the valid-share rule needs), all before the room-air walk's low."""
    edf = _walk_fall_at_4_min(tmp_path, 1260, [(1090, 170)])
    det, missing = _determine(tmp_path, edf, payer, "exercise")
    assert det == "indeterminate"
    assert "its data end 190 s in" in missing


@pytest.mark.parametrize("payer", PAYERS)
@pytest.mark.parametrize("back", [1259, 1245])
def test_walk_on_oxygen_whose_data_break_off_does_not_show_it(
    tmp_path: Path, payer: str, back: int
) -> None:
    """The same walk on oxygen, its probe off from 190 s in and back for its last second (or
    15 s): its data reach its end (valid_elapsed_s 360 s), but nothing shows its level over the
    exertion at which the room-air walk desaturated (from 240 s in). Both qualified (hunt 12)."""
    edf = _walk_fall_at_4_min(tmp_path, 1260, [(1090, back - 1090)])
    det, missing = _determine(tmp_path, edf, payer, "exercise")
    assert det == "indeterminate"
    assert "a walk on oxygen with valid data over its first" in missing
    assert "its data break off 190 s in" in missing


@pytest.mark.parametrize("payer", PAYERS)
def test_walk_on_oxygen_with_a_short_dropout_shows_it(tmp_path: Path, payer: str) -> None:
    """9 s of probe-off in the walk on oxygen over the room-air walk's low: every 10 s run holds
    a valid sample, whose level the lower bound reads. Still qualified."""
    edf = _walk_fall_at_4_min(tmp_path, 1260, [(1200, 9)])
    det, missing = _determine(tmp_path, edf, payer, "exercise")
    assert det == "qualified", missing


def _analysed_walk(tmp_path: Path, edf: Path) -> tuple[Path, Path]:
    """Analyse ``edf`` as a MassHealth exercise test walked on oxygen at 2 L/min; return the
    context file and summary.json."""
    ctx = tmp_path / "mh.yaml"
    ctx.write_text(
        CONTEXTS["masshealth"] % {"type": "exercise", "flow": ", exercise_o2_flow_lpm: 2"}
    )
    out = tmp_path / "out"
    argv = ["analyze", str(edf), "--context", str(ctx), "--out", str(out), "--no-report"]
    assert main(argv) == 0
    return ctx, out / "summary.json"


@pytest.mark.parametrize("payer", PAYERS)
def test_walk_on_oxygen_as_long_as_the_room_air_walk_shows_it(tmp_path: Path, payer: str) -> None:
    det, missing = _determine(tmp_path, _walk_fall_at_4_min(tmp_path, 1260, []), payer, "exercise")
    assert det == "qualified", missing


def test_summary_carries_the_elapsed_figures_and_refuses_them_edited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``oxi qualify --summary`` and ``oxi verify`` read the elapsed figures the summary writes;
    a walk on oxygen's reach edited past its span (to "cover" the room-air walk's low), or a
    low placed after the data end, is refused as an edited summary."""
    edf = _walk_fall_at_4_min(tmp_path, 970, [])
    ctx, summary = _analysed_walk(tmp_path, edf)
    data = json.loads(summary.read_text())
    walk, o2 = data["metrics"]["exercise"], data["metrics"]["exercise_o2"]
    assert o2["valid_elapsed_s"] == pytest.approx(70.0)
    assert walk["valid_elapsed_s"] == pytest.approx(360.0)
    assert 250.0 <= walk["sustained_nadir_elapsed_s"] <= 360.0  # the fall began 240 s in
    assert main(["verify", str(summary), str(edf)]) == 0
    capsys.readouterr()
    assert main(["qualify", "--context", str(ctx), "--summary", str(summary), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["qualification"]["determination"] == "indeterminate"
    for block, key, value in (
        ("exercise_o2", "valid_elapsed_s", 400.0),
        ("exercise", "sustained_nadir_elapsed_s", 361.0),
    ):
        edited = json.loads(summary.read_text())
        edited["metrics"][block][key] = value
        (tmp_path / "edited.json").write_text(json.dumps(edited))
        code = main(["qualify", "--context", str(ctx), "--summary", str(tmp_path / "edited.json")])
        assert code == 2, (block, key)
        assert "edited or damaged" in capsys.readouterr().err


def test_summary_carries_the_unbroken_reach_and_refuses_it_edited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The walk on oxygen whose probe was off from 190 s in to its last second: the summary
    writes covered_elapsed_s 190 (``oxi verify`` vouches for it) and ``oxi qualify --summary``
    reads it. Edited past the data's end it is refused as edited; a summary without it (an
    earlier oxi's, which had only valid_elapsed_s, 360 s) is not evaluable, naming it."""
    edf = _walk_fall_at_4_min(tmp_path, 1260, [(1090, 169)])
    ctx, summary = _analysed_walk(tmp_path, edf)
    data = json.loads(summary.read_text())
    o2 = data["metrics"]["exercise_o2"]
    assert o2["valid_elapsed_s"] == pytest.approx(360.0)
    assert o2["covered_elapsed_s"] == pytest.approx(190.0)
    assert data["qualification"]["determination"] == "indeterminate"
    assert main(["verify", str(summary), str(edf)]) == 0
    capsys.readouterr()

    def qualify(edited: dict[str, object]) -> tuple[int, str, str]:
        path = tmp_path / "edited.json"
        path.write_text(json.dumps(edited))
        code = main(["qualify", "--context", str(ctx), "--summary", str(path), "--json"])
        got = capsys.readouterr()
        return code, got.out, got.err

    for value in (361.0, -1.0):
        edited = json.loads(summary.read_text())
        edited["metrics"]["exercise_o2"]["covered_elapsed_s"] = value
        code, _, err = qualify(edited)
        assert code == 2 and "edited or damaged" in err, value
    earlier = json.loads(summary.read_text())
    del earlier["metrics"]["exercise_o2"]["covered_elapsed_s"]
    code, text, _ = qualify(earlier)
    assert code == 0
    q = json.loads(text)["qualification"]
    assert q["determination"] == "indeterminate"
    assert any("covered_elapsed_s" in m for m in q["missing"]), q["missing"]
