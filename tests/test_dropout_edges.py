"""A qualification never rests on valid data that stop low before a probe-off alone.

A probe coming off reads low on its way: a steady 95 % night whose probe came off 110 times,
each time the reading sliding 3 points a second for 6 s (92, 89, 86, 83, 80, 77 %: within SPEC
§4.3's 4 points a second, so valid), the oximeter writing 0 for 20 s, then 95 % again, counted
5.4 min at or below 88 % and qualified MassHealth and Medicare with no flag (hunt 11). SPEC §4
keeps those samples, and every figure stays the SPEC's; the samples before a stop the data rise
across by more than 4 points are valid data in doubt (``artifact.dropout_edges``), taken out in
the re-evaluation with the fall plateaus (``without_fall_plateaus``), as the instant rise back
ends a test segment's low run (``metrics.segment.edge_runs``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from criteria.errors import EvidenceError
from criteria.evaluate import Evidence, evaluate
from oxi.cli import main
from oxi.qualify import evidence_from_analysis
from oximetry import analyze, artifact
from oximetry.artifact import detect_artifacts
from oximetry.model import Recording, Signal, SourceInfo
from oximetry.simulate import simulate_night
from tests.criteria_helpers import analyze_overnight as _run
from tests.criteria_helpers import ctx

START = dt.datetime(2026, 11, 20, 22, 0)
#: The slide into each probe-off: 3 points a second from 95 % (SPEC §4.3 allows 4).
SLIDE = 95.0 - 3.0 * np.arange(1, 7)  # 92, 89, 86, 83, 80, 77
OFF_S = 20


def _recording(x: np.ndarray, fs: float = 1.0) -> Recording:
    src = SourceInfo(path="t", sha256="", format="simulated")
    return Recording(spo2=Signal("SpO2", "%", fs, x), start=START, source=src)


def _slides(x: np.ndarray, starts: list[int], off: float = 0.0) -> np.ndarray:
    """Put a slide into a probe-off (``off``: 0 as a PSG writes it, or NaN) at each start."""
    x = x.copy()
    for a in starts:
        x[a : a + 6] = SLIDE
        x[a + 6 : a + 6 + OFF_S] = off
    return x


#: The hunter's night, smaller: 3 h at 95 % (noise of a point down only, so that no slide
#: starts a point high and is flagged by the fall rule), 90 slides 100 s apart from 22:10.
STARTS = [600 + k * 100 for k in range(90)]


def _hunter_night(fs: int = 1, starts: list[int] = STARTS, off: float = 0.0) -> Recording:
    rng = np.random.default_rng(11)
    x = _slides(95.0 + rng.choice([-1.0, 0.0, 0.0], 3 * 3600), starts, off)
    return _recording(np.repeat(x, fs), float(fs))


def test_the_edge_is_the_valid_samples_below_the_resumed_value_less_4() -> None:
    """By hand: 95 95 92 89 86 | off | 95: the samples below 91 % before the stop (89, 86).
    A stop another rule made (an oximeter's flag, a pulse of 0, the fall rule's hold) is a
    stop too; the recording's end and data resuming within 4 points are no edge."""
    dropout_edges = artifact.dropout_edges
    x = np.array([95, 95, 92, 89, 86, np.nan, 0, 95, 95, 86, 85], dtype=float)
    assert dropout_edges(x, np.isfinite(x) & (x >= 50), 1.0) == [(3, 5, 7, 95.0)]
    # the same stop made by another rule while SpO2 read on at 85 and 84 %: the 20 s flagged,
    # or read with a pulse of 0, after 110 slides qualified a night (review of hunt 11)
    y = np.array([95, 92, 89, 86, 85, 84, 95, 95], dtype=float)
    ok = np.ones(y.size, dtype=bool)
    ok[4:6] = False
    assert dropout_edges(y, ok, 1.0) == [(2, 4, 6, 95.0)]
    # back at 90 % after the stop: within 4 points of 86 %, nothing in doubt
    z = np.array([95, 92, 89, 86, np.nan, 90, 90], dtype=float)
    assert dropout_edges(z, np.isfinite(z), 1.0) == []
    # the whole island low: back to its first sample (after the earlier stop)
    w = np.array([95, np.nan, 80, 81, np.nan, 95], dtype=float)
    assert dropout_edges(w, np.isfinite(w), 1.0) == [(2, 4, 5, 95.0)]
    # a probe that reads low for a sample when put back: the level is the highest of the
    # first 5 s (read from the first sample, 80, the slides qualified again: review of hunt 11)
    v = np.array([95, 92, 89, 86, np.nan, np.nan, 80, 95, 95], dtype=float)
    assert dropout_edges(v, np.isfinite(v), 1.0) == [(2, 4, 6, 95.0)]
    # ... and no further: data back low for 5 s, then up, resumed low
    u = np.array([95, 86, np.nan, 86, 86, 86, 86, 86, 95], dtype=float)
    assert dropout_edges(u, np.isfinite(u), 1.0) == []
    assert dropout_edges(u, np.isfinite(u), 1.2) == [(1, 2, 3, 95.0)]  # 6 samples: 5 s


def test_the_hunters_slides_are_dropout_edges_and_every_figure_is_the_specs() -> None:
    """Each slide's 89-77 % (the samples below 95 - 4) is an edge; the figures count 86-77 %,
    4 s a slide, 6.0 min in all, as SPEC §4 keeps them; without the edges none is left."""
    a = analyze(_hunter_night())
    edges = a.artifact.dropout_edges
    assert [(e.start_s, e.end_s, e.resumed_s) for e in edges] == [
        (s + 1.0, s + 6.0, s + 6.0 + OFF_S) for s in STARTS
    ]
    assert all(e.value_pct == 77.0 and e.resumed_pct >= 94.0 for e in edges)
    night = a.metrics["presumed_sleep"]
    assert night.t_le88_min == pytest.approx(90 * 4 / 60)
    without = a.without_fall_plateaus["presumed_sleep"]
    assert without.t_le88_min == 0.0
    assert without.valid_min == pytest.approx(night.valid_min - 90 * 5 / 60)
    assert a.held_dropout_edges == edges and a.held_plateaus == ()


def test_the_hunters_night_is_indeterminate_naming_the_edges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It qualified on 6.0 min of slides into probe-offs: indeterminate now, the conflict naming
    the stops; `oxi verify` recomputes the list and `oxi qualify --summary` reaches the same."""
    summary = _run(tmp_path, _hunter_night())
    assert summary["metrics"]["presumed_sleep"]["t_le88_min"] == pytest.approx(6.0, abs=0.01)
    q = summary["qualification"]
    assert q["determination"] == "indeterminate"
    (conflict,) = q["conflicts"]
    assert conflict["keys"] == ["recording.dropout_edges"]
    why = conflict["why"]
    assert "when the data stopped at 22:10:06 (and 89 more times)" in why
    assert "resumed at" in why and "probe coming off" in why and "--exclude" in why
    stops = conflict["values"]["recording.dropout_edges"]
    assert (
        "from 22:10:01, 5 s before the data stopped, down to" in stops[0]
        and stops[-1] == "and 85 more"
    )
    block = summary["without_fall_plateaus"]
    assert block["plateaus"] == []
    assert [e["start_s"] for e in block["dropout_edges"]] == [s + 1 for s in STARTS]
    assert block["metrics"]["presumed_sleep"]["t_le88_min"] == 0.0
    out, edf = tmp_path / "out", tmp_path / "night.edf"
    assert main(["verify", str(out / "summary.json"), str(edf)]) == 0
    capsys.readouterr()
    ctx_file = str(tmp_path / "ctx.yaml")
    assert main(["qualify", "--summary", str(out / "summary.json"), "--context", ctx_file]) == 0
    assert "recording.dropout_edges" in capsys.readouterr().out
    # a summary without the list (as an earlier oxi wrote it, or a forger) is no recomputation
    forged = dict(summary)
    forged["without_fall_plateaus"] = {k: v for k, v in block.items() if k != "dropout_edges"}
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    assert main(["verify", str(tmp_path / "forged.json"), str(edf)]) != 0


def test_the_slides_excluded_as_artifact_do_not_qualify(tmp_path: Path) -> None:
    options = [o for s in STARTS for o in ("--exclude", f"{s}-{s + 6}")]
    summary = _run(tmp_path, _hunter_night(), *options)
    assert summary["metrics"]["presumed_sleep"]["t_le88_min"] == 0.0
    assert "without_fall_plateaus" not in summary
    assert summary["qualification"]["determination"] == "not_qualified"


def test_genuine_minutes_and_slides_together_are_indeterminate() -> None:
    """3.5 genuine min at 86 % (1-point-a-second ramps) and 40 slides: 3.5 + 40 x 4 s counted
    qualified; the genuine minutes alone do not, so the slides decide: indeterminate."""
    rng = np.random.default_rng(3)
    x = 95.0 + rng.choice([-1.0, 0.0, 0.0], 3 * 3600)
    a = 600 + 40 * 100 + 100
    x[a : a + 9] = 95.0 - np.arange(1, 10)  # 94 .. 86
    x[a + 9 : a + 9 + 204] = 86.0 + rng.choice([-1.0, 0.0, 0.0], 204)
    x[a + 213 : a + 222] = 86.0 + np.arange(1, 10)  # 87 .. 95
    rec = _recording(_slides(x, STARTS[:40]))
    an = analyze(rec)
    genuine = (3 + 204 + 2) / 60  # 88, 87, 86 down; 204 s at 85-86; 87, 88 up
    assert an.metrics["presumed_sleep"].t_le88_min == pytest.approx(genuine + 40 * 4 / 60)
    assert an.without_fall_plateaus["presumed_sleep"].t_le88_min == pytest.approx(genuine)
    ev = evidence_from_analysis(an)
    d = evaluate(ctx(), ev)
    assert d.determination == "indeterminate", d.missing
    assert [c.keys for c in d.conflicts] == [("recording.dropout_edges",)]
    plain = dataclasses.replace(ev, dropout_edges=(), without_fall_plateaus=None)
    assert evaluate(ctx(), plain).determination == "qualified"
    assert evaluate(ctx(), ev.without_fall_plateaus).determination == "not_qualified"


def test_a_genuine_night_with_desaturations_ending_in_a_probe_off_keeps_its_determination(
    tmp_path: Path,
) -> None:
    """Two sustained drops to 86 % of 300 s and ten transient desaturations (the simulator's),
    and five slides into a probe-off: the edges are listed and taken out, but the night
    qualifies on its own minutes at or below 88 % without them, as before, with no conflict."""
    rec, truth = simulate_night(
        fs=1, duration_s=6 * 3600, seed=11, baseline_pct=95, desaturations=10,
        sustained_drops=[(3600, 300, 86), (9000, 300, 86)], noise_pts=0.3, start=START,
    )  # fmt: skip
    starts = [12000 + k * 600 for k in range(5)]
    rec = dataclasses.replace(
        rec, spo2=dataclasses.replace(rec.spo2, data=_slides(rec.spo2.data, starts, np.nan))
    )
    a = analyze(rec)
    assert [e.end_s for e in a.held_dropout_edges] == [s + 6.0 for s in starts]
    genuine = truth.time_at_or_below_s(88) / 60
    slides = (
        a.metrics["presumed_sleep"].t_le88_min
        - a.without_fall_plateaus["presumed_sleep"].t_le88_min
    )
    assert slides == pytest.approx(5 * 4 / 60)
    assert a.without_fall_plateaus["presumed_sleep"].t_le88_min == pytest.approx(genuine, abs=0.01)
    summary = _run(tmp_path, rec)
    assert len(summary["without_fall_plateaus"]["dropout_edges"]) == 5
    q = summary["qualification"]
    assert q["determination"] == "qualified" and q["conflicts"] == []


def test_the_hunters_night_at_25_hz_is_indeterminate() -> None:
    """The same slides written at 25 Hz (each second 25 samples, the probe-off NaN): one edge a
    slide, 25 samples a second, and the night held open."""
    a = analyze(_hunter_night(25, STARTS, np.nan))
    edges = a.artifact.dropout_edges
    assert [(e.start_s, e.end_s) for e in edges] == [(s + 1.0, s + 6.0) for s in STARTS]
    assert a.metrics["presumed_sleep"].t_le88_min == pytest.approx(90 * 4 / 60)
    assert a.without_fall_plateaus["presumed_sleep"].t_le88_min == 0.0
    d = evaluate(ctx(), evidence_from_analysis(a))
    assert d.determination == "indeterminate"
    assert [c.keys for c in d.conflicts] == [("recording.dropout_edges",)]


def test_a_slide_the_fall_rule_holds_is_no_edge() -> None:
    """From 96 % the slide's first step is 4.0005 points in an EDF (more than 4: held), and the
    rule holds the rest to the stop: nothing valid is left before it, nothing is in doubt."""
    x = _slides(np.full(3600, 95.0), [600])
    x[599] = 96.5
    a = detect_artifacts(_recording(x))
    assert a.counts["implausible_fall"] == 6 and a.dropout_edges == ()


_EDGE = {"start_s": 601, "end_s": 606, "value_pct": 77, "resumed_s": 626}


@pytest.mark.parametrize(
    ("edges", "match"),
    [
        ("x", "needs 'plateaus'"),
        ([_EDGE], "each dropout edge needs"),
        ([{**_EDGE, "resumed_pct": 95, "end_s": 600}], "is none an analysis writes"),
        ([{**_EDGE, "resumed_pct": 70}], "is none an analysis writes"),
    ],
)
def test_a_malformed_edge_list_is_bad_input(edges: Any, match: str, tmp_path: Path) -> None:
    summary = _run(tmp_path, _hunter_night(1, STARTS[:10]))
    summary["without_fall_plateaus"]["dropout_edges"] = edges
    with pytest.raises(EvidenceError, match=match):
        Evidence.from_summary(summary)
    # and a block listing nothing at all
    summary["without_fall_plateaus"]["dropout_edges"] = []
    with pytest.raises(EvidenceError, match="needs 'plateaus'"):
        Evidence.from_summary(summary)


@pytest.mark.parametrize("how", ["pulse", "status"])
def test_a_probe_off_another_rule_rejects_while_spo2_reads_on_is_a_stop(how: str) -> None:
    """The slides into 20 s read with a pulse of 0, or flagged by the oximeter's status, while
    SpO2 stayed at 77 %: no sample missing, and the night qualified on the slides (review of
    hunt 11). The stop is the rejected stretch, whatever rejected it."""
    rec = _hunter_night()
    x = rec.spo2.data.copy()
    off = np.zeros(x.size, dtype=bool)
    for a in STARTS:
        x[a + 6 : a + 6 + OFF_S] = 77.0
        off[a + 6 : a + 6 + OFF_S] = True
    if how == "pulse":
        extra = {"pulse": Signal("Pulse", "bpm", 1.0, np.where(off, 0.0, 70.0))}
    else:
        extra = {"status": Signal("Status", "", 1.0, off.astype(float))}
    a = analyze(dataclasses.replace(rec, spo2=Signal("SpO2", "%", 1.0, x), **extra))
    assert a.artifact.counts["pulse_out_of_range" if how == "pulse" else "oximeter_status"] == (
        len(STARTS) * OFF_S
    )
    assert [e.end_s for e in a.artifact.dropout_edges] == [s + 6.0 for s in STARTS]
    assert a.without_fall_plateaus["presumed_sleep"].t_le88_min == 0.0


@pytest.mark.parametrize("after", ["island", "plateau"])
def test_the_level_is_read_past_data_that_are_themselves_in_doubt(after: str) -> None:
    """Each slide into 6 s of 0, 10 s at 78 % (an island long enough to be valid), 10 s of 0,
    then 95 %; or into 40 s at 55 % with the pulse on (the fall rule holds 30 s, then accepts a
    plateau), then 95 %: the data were read as resumed at 78 or 55, the slide counted, and the
    night qualified (review of hunt 11). The slide is in doubt as well."""
    x = _hunter_night().spo2.data.copy()
    for a in STARTS:
        if after == "island":
            x[a + 6 : a + 12] = 0.0
            x[a + 12 : a + 22] = 78.0
            x[a + 22 : a + 32] = 0.0
        else:
            x[a + 6 : a + 46] = 55.0
        x[a + 46 : a + 48] = 95.0
    edges = {(e.start_s, e.end_s) for e in detect_artifacts(_recording(x)).dropout_edges}
    assert all((a + 1.0, a + 6.0) in edges for a in STARTS)  # 89 % down to 77 %
    assert analyze(_recording(x)).without_fall_plateaus["presumed_sleep"].t_le88_min == 0.0


def test_the_level_is_read_past_an_island_in_doubt_however_long() -> None:
    """Each slide into 6 s of 0, 31 s at 78 %, 10 s of 0, then 95 %: read past islands of 30 s
    at most, the slides qualified again (so did islands of 2-4 min in an 8-hour night; review 5
    of hunt 11). A genuine desaturation at 86 % broken by two probe-offs, the patient back at
    95 % after the last, is in doubt whole: nothing in the samples tells the two apart."""
    dropout_edges = artifact.dropout_edges
    gap = [np.nan] * 20
    x = np.array([95.0] * 300 + [86.0] * 600 + gap + [86.0] * 600 + gap + [95.0] * 300)
    assert dropout_edges(x, np.isfinite(x), 1.0) == [(300, 900, 920, 95.0), (920, 1520, 1540, 95.0)]
    y = np.array([95.0, 92, 89, 86, 83, 80, 77] + gap + [78.0] * 31 + gap + [95.0] * 10)
    assert dropout_edges(y, np.isfinite(y), 1.0) == [(2, 7, 27, 95.0), (27, 58, 78, 95.0)]


@pytest.mark.parametrize("fs", [2, 25])
def test_a_level_accepted_at_once_is_a_stop(fs: int) -> None:
    """Each slide, then a fall to 55 % spread over 3 s (each step within the SPEC's limit), 40 s
    there with the pulse on, then 95 %: the level is in doubt (accepted at once), but the data
    never stopped, and 110 such slides qualified at 2 and 25 Hz (review of hunt 11)."""
    x = np.repeat(_hunter_night().spo2.data, fs)
    for a in STARTS:
        i = (a + 6) * fs
        x[i : i + 3 * fs] = np.linspace(77.0, 55.0, 3 * fs + 1)[1:]
        x[i + 3 * fs : i + 43 * fs] = 55.0
        x[i + 43 * fs : i + 50 * fs] = 95.0
    rec = _recording(x, float(fs))
    edges = detect_artifacts(rec).dropout_edges
    assert all(any(e.start_s <= a + 1 and e.end_s >= a + 6 for e in edges) for a in STARTS)
    assert analyze(rec).without_fall_plateaus["presumed_sleep"].t_le88_min == 0.0
