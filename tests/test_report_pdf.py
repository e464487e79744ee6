"""report.pdf and trace.png: pages, text a reviewer needs, no run time stamps, fast enough."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import struct
import subprocess
import zlib

import numpy as np
import pytest

from criteria import Context, evaluate
from oximetry.analysis import analyze
from oximetry.report import write_outputs
from oximetry.report.pdf import _strip_starts, render_report_pdf
from oximetry.report.summary import build_summary
from oximetry.report.textpage import ID_MIN_PT, id_lines, text_width_in
from oximetry.settings import AnalysisSettings
from oximetry.simulate import simulate_night
from tests import report_data as rd

PDFTOTEXT = shutil.which("pdftotext")


def pdf_text(path) -> str:
    out = subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8", "replace")


def png_text_chunks(data: bytes) -> dict[str, str]:
    """The tEXt/zTXt/iTXt chunks of a PNG (its metadata)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, out = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"tEXt":
            k, _, v = body.partition(b"\0")
            out[k.decode("latin-1")] = v.decode("latin-1")
        elif kind == b"zTXt":
            k, _, v = body.partition(b"\0")
            out[k.decode("latin-1")] = zlib.decompress(v[1:]).decode("latin-1")
        elif kind == b"iTXt":
            k, _, rest = body.partition(b"\0")
            out[k.decode("latin-1")] = rest.decode("utf-8", "replace")
        pos += 12 + length
    return out


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    return write_outputs(rd.make_analysis(), out, qualification=rd.QUALIFICATION)


def test_four_outputs_written(outputs):
    assert set(outputs) == {"summary", "events", "report", "trace"}
    assert outputs["report"].read_bytes()[:5] == b"%PDF-"
    assert outputs["trace"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in outputs["report"].parent.iterdir()) == [
        "events.csv",
        "report.pdf",
        "summary.json",
        "trace.png",
    ]


@pytest.mark.slow
def test_pdf_has_no_run_timestamps_and_is_reproducible(outputs):
    data = outputs["report"].read_bytes()
    assert b"/CreationDate" not in data and b"/ModDate" not in data
    a = rd.make_analysis()
    s = build_summary(a, qualification=rd.QUALIFICATION)
    assert render_report_pdf(a, s) == render_report_pdf(a, s)


def test_a_matplotlibrc_changes_no_rendered_byte(outputs):
    """A ``font.size: 14`` in the reviewer's (or the lab's) matplotlibrc changed every byte of
    report.pdf and trace.png, and ``oxi verify`` called a genuine submission "not the one
    rendered again". The renderers draw with matplotlib's defaults; the user's are kept."""
    import matplotlib

    from oximetry.qualify_report import render_qualify_pdf
    from oximetry.report.pdf import render_trace_png

    a = rd.make_analysis()
    s = build_summary(a, qualification=rd.QUALIFICATION)
    doc = {"qualification": rd.QUALIFICATION}
    with matplotlib.rc_context({"font.size": 14.0, "lines.linewidth": 3.0}):
        pdf, png, qpdf = render_report_pdf(a, s), render_trace_png(a, s), render_qualify_pdf(doc)
        assert matplotlib.rcParams["font.size"] == 14.0  # the user's settings are restored
    assert pdf == outputs["report"].read_bytes()
    assert png == outputs["trace"].read_bytes()
    assert qpdf == render_qualify_pdf(doc)


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_pdf_text_carries_what_a_reviewer_checks(outputs):
    text = pdf_text(outputs["report"])
    for needle in (
        "Figures",
        "12.0 min cumulative",  # minutes at or below 88 %
        "of 118.0 min",  # with its denominator
        "longest run 12.0 min from 23:30:00",
        "INDETERMINATE",
        "2 rules: 1 met, 0 not met, 1 not evaluable",
        "MG-OXY II.A.2.b.ii.B",
        "NOT EVALUABLE",
        "Not evaluable: the order date is missing.",
        "Hourly strips",
        "Time at each saturation",
        "ab" * 32,  # the input's sha256
        "Signature",
        "Interpreting practitioner",
        rd.NAME,  # identified report names the patient
        "TestOx 1",
        "page 1 of",
    ):
        assert needle in text, needle


@pytest.mark.slow
@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_every_rule_is_printed_even_when_page_one_is_full(tmp_path):
    rules = [
        {
            "id": f"rule_{i:02d}",
            "citation": f"MG-OXY X.{i}",
            "met": [True, False, None][i % 3],
            "values": {"x": i, "long": "v" * 40},
            "reason": f"Reason number {i}. " + "Words to wrap the line. " * 8,
        }
        for i in range(45)
    ]
    q = {**rd.QUALIFICATION, "rules": rules}
    p = write_outputs(rd.make_analysis(), tmp_path, qualification=q)
    text = pdf_text(p["report"])
    for i in range(45):
        assert f"MG-OXY X.{i}" in text
    assert "Appendix: qualification rules, clause by clause (continued)" in text


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_rule_status_words_and_tally(tmp_path):
    rules = [
        {**rd.QUALIFICATION["rules"][0], "status": "met"},
        {
            "id": "iii_c_1_primary_diagnosis",
            "citation": "MG-OXY III.C.1",
            "met": None,
            "status": "not_applicable",
            "values": {},
            "reason": "Not applicable: not a nursing-facility member.",
        },
    ]
    q = {**rd.QUALIFICATION, "rules": rules}
    text = pdf_text(write_outputs(rd.make_analysis(), tmp_path, qualification=q)["report"])
    assert "2 rules: 1 met, 0 not met, 0 not evaluable, 1 not applicable" in text
    assert "NOT APPLICABLE" in text and "NOT EVALUABLE" not in text


QUALIFIED = {
    **rd.QUALIFICATION,
    "determination": "qualified",
    "basis": ["ii_a_2_b_ii_b_sleep"],
    "coverage": ["nocturnal"],
    "missing": [],
}


def page_one_text(path) -> str:
    out = subprocess.run(
        [PDFTOTEXT, "-f", "1", "-l", "1", str(path), "-"], capture_output=True, check=True
    )
    return " ".join(out.stdout.decode("utf-8", "replace").split())


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_page_one_says_what_decided_a_qualification(tmp_path):
    text = page_one_text(
        write_outputs(rd.make_analysis(), tmp_path, qualification=QUALIFIED)["report"]
    )
    head = text.index("Determination: QUALIFIED")
    decided = text.index("Decided by:")
    cited = text.index(
        "MG-OXY II.A.2.b.ii.B: 12.0 cumulative minutes at or below 88 % during presumed sleep"
    )
    assert head < decided < cited < text.index("2 rules:")
    assert "nocturnal use" in text
    # rule ids and rule-by-rule status words belong to the appendix, not page 1
    assert "ii_a_2_b_ii_b_sleep" not in text and "NOT MET" not in text


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
@pytest.mark.parametrize(
    ("q", "decided"),
    [
        ({**rd.QUALIFICATION, "basis": []}, False),  # indeterminate: Still missing says what
        ({**rd.QUALIFICATION, "determination": "not_qualified", "basis": []}, False),
        ({k: v for k, v in QUALIFIED.items() if k != "basis"}, False),  # older summary
        ({**rd.QUALIFICATION, "determination": "not_qualified", "decided_by": ["x"]}, True),
        # indeterminate: nothing decided it, whatever decided_by holds
        ({**rd.QUALIFICATION, "decided_by": ["ii_a_2_b_ii_b_sleep"]}, False),
    ],
)
def test_decided_by_only_when_the_summary_says_so(tmp_path, q, decided):
    text = page_one_text(write_outputs(rd.make_analysis(), tmp_path, qualification=q)["report"])
    assert ("Decided by:" in text) is decided
    assert "Basis:" not in text and "None" not in text
    if q["determination"] == "indeterminate":
        assert "Still missing:" in text and "diagnoses; order.date" in text
        assert "This is not a denial" in text


HELD_OPEN = {
    **rd.QUALIFICATION,
    "rules": [
        *rd.QUALIFICATION["rules"],
        {
            "id": "ii_a_2_a_ii_drop",
            "citation": "MG-OXY II.A.2.a.ii",
            "met": False,
            "values": {},
            "reason": "No symptoms (cognitive impairment) are documented.",
        },
        {
            "id": "ii_a_2_b_i_exercise",
            "citation": "MG-OXY II.A.2.b.i",
            "met": None,
            "values": {},
            "reason": "Not tested: this test measured nothing this clause is about.",
        },
    ],
    # as summaries before the fix wrote it: the rules that closed paths, and the one holding
    "decided_by": ["ii_a_2_a_ii_drop", "ii_a_2_b_i_exercise", "ii_a_2_order_90_days"],
    "would_qualify_if": {"nocturnal_sleep": ["order.date"]},
}


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_an_indeterminate_page_one_says_what_holds_it_open_and_nothing_decided_it(tmp_path):
    text = page_one_text(
        write_outputs(rd.make_analysis(), tmp_path, qualification=HELD_OPEN)["report"]
    )
    assert "Decided by" not in text and "Would qualify" not in text
    held = text.index("Held open by:")
    assert text.index("MG-OXY II.A.2: Not evaluable: the order date is missing.") > held
    # the rules that closed other paths are no reason for an undecided result
    assert "No symptoms" not in text and "Not tested" not in text
    assert "Open paths: • nocturnal sleep — undecided until: order.date" in text
    none_open = {**HELD_OPEN, "would_qualify_if": {}}
    text = page_one_text(
        write_outputs(rd.make_analysis(), tmp_path / "none", qualification=none_open)["report"]
    )
    assert "Open paths: • none within reach of the figures and inputs given" in text


def test_strips_are_clock_aligned_hours_covering_the_night():
    a = rd.make_analysis()  # 22:30 to 00:30
    assert _strip_starts(a) == [-1800.0, 1800.0, 5400.0]


def test_trace_png_metadata_has_no_identifiers(outputs):
    chunks = png_text_chunks(outputs["trace"].read_bytes())
    assert chunks.get("Software", "").startswith("oxi ")
    joined = " ".join(f"{k} {v}" for k, v in chunks.items())
    assert rd.NAME not in joined and "night.edf" not in joined


@pytest.mark.slow
def test_eight_hour_night_at_25_hz_is_drawn_decimated(tmp_path):
    # 8 h at 25 Hz (720 000 samples): drawing is decimated (the file's size says so; drawing every
    # sample writes several MB a strip), figures are not. Speed is scripts/bench.py's (c), not a test's.
    a = rd.make_analysis()
    n = 8 * 3600 * 25
    x = np.tile(rd.make_signal(), n // rd.N + 1)[:n]
    from oximetry.model import Signal
    from oximetry.results import Analysis, ArtifactResult

    rec = type(a.recording)(
        spo2=Signal("SpO2", "%", 25.0, x),
        start=a.recording.start,
        source=a.recording.source,
        pulse=Signal("Pulse", "bpm", 25.0, np.full(n, 60.0)),
        patient=a.recording.patient,
    )
    valid = np.isfinite(x)
    art = ArtifactResult(
        valid,
        np.where(valid, -1, 0).astype(np.int8),
        ("missing",),
        {"missing": int((~valid).sum())},
    )
    big = Analysis(rec, a.settings, art, a.windows, a.metrics, a.events, a.warnings)
    p = write_outputs(big, tmp_path, qualification=rd.QUALIFICATION)
    assert p["report"].stat().st_size < 3_000_000


def _bboxes(fig, gid):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    return [t.get_window_extent(renderer) for t in fig.texts if t.get_gid() == gid], renderer


def test_run_labels_sit_in_the_margin_never_on_the_trace_or_each_other():
    from oximetry.plot import spo2_ylim
    from oximetry.report.pdf import _strip_masks, _strip_page
    from oximetry.results import Event

    a = rd.make_analysis()
    # 20 runs of 1.5 min, ten per strip: more than the margin holds
    runs = tuple(Event("le88_run", 180.0 * k, 180.0 * k + 90) for k in range(20))
    a2 = type(a)(a.recording, a.settings, a.artifact, a.windows, a.metrics, runs)
    strips = [(-1800.0, 1800.0), (1800.0, 5400.0)]
    fig = _strip_page(a2, strips, ["presumed_sleep"], "t", _strip_masks(a2), spo2_ylim(a2))
    boxes, renderer = _bboxes(fig, "le88_label")
    texts = [t.get_text() for t in fig.texts if t.get_gid() == "le88_label"]
    assert texts[0] == "22:30  ≤ 88 %: 1.5 min" and texts[-1].startswith("+ ")
    plot_boxes = [ax.get_window_extent(renderer) for ax in fig.axes]
    page = fig.bbox
    for box in boxes:
        assert not any(box.overlaps(p) for p in plot_boxes)  # never over a trace
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0
    for i, b1 in enumerate(boxes):
        for b2 in boxes[i + 1 :]:
            assert not b1.overlaps(b2)
    # the strip's stats and its run list do not overlap either
    stats, _ = _bboxes(fig, "strip_stats")
    assert not any(s.overlaps(b) for s in stats for b in boxes)


def test_a_run_across_two_strips_is_labelled_with_its_own_start_in_both():
    """A 20-min run from 22:50 to 23:10 (the recording starts at 22:30): the second strip
    listed it from 23:00, its start cut to the strip's, as if a second 20-min run began there
    (ninth review)."""
    from oximetry.plot import spo2_ylim
    from oximetry.report.pdf import _strip_masks, _strip_page
    from oximetry.results import Event

    a = rd.make_analysis()
    run = (Event("le88_run", 1200.0, 2400.0),)
    a2 = type(a)(a.recording, a.settings, a.artifact, a.windows, a.metrics, run)
    strips = [(-1800.0, 1800.0), (1800.0, 5400.0)]
    fig = _strip_page(a2, strips, ["presumed_sleep"], "t", _strip_masks(a2), spo2_ylim(a2))
    texts = [t.get_text() for t in fig.texts if t.get_gid() == "le88_label"]
    assert texts == ["22:50  ≤ 88 %: 20.0 min", "22:50  ≤ 88 %: 20.0 min (cont.)"]


def test_an_exercise_run_across_two_strips_is_labelled_whole_in_both():
    """An exercise test has no overnight window, so its runs are found in the samples: found
    in the strip alone, a 6-min run across 10:20 was labelled from 10:20 with its last part
    only (and a 90-s run split 45/45 not at all)."""
    from oximetry.plot import spo2_ylim
    from oximetry.report.pdf import _strip_masks, _strip_page

    a = _exercise_analysis()
    assert a.main_window is None
    strips = [(150.0, 750.0), (750.0, 1350.0)]  # 10:10-10:20, 10:20-10:30
    fig = _strip_page(a, strips, [w.kind for w in a.windows], "t", _strip_masks(a), spo2_ylim(a))
    texts = [t.get_text() for t in fig.texts if t.get_gid() == "le88_label"]
    assert len(texts) == 2 and texts[1] == texts[0] + " (cont.)", texts
    assert texts[0].startswith("10:15  ≤ 88 %: 6.")


def test_hourly_strip_figures_add_up_to_the_night():
    from oximetry.report.pdf import _strip_masks, _strip_stats

    a = rd.make_analysis()
    masks = _strip_masks(a)
    stats = [_strip_stats(a, masks, t0, t0 + 3600) for t0 in _strip_starts(a)]
    assert sum(s[0] for s in stats) == pytest.approx(12.0)  # t_le88_min
    assert sum(s[1] for s in stats) == pytest.approx(118.0)  # valid_min
    assert [s[2] for s in stats] == [1, 2, 0]  # ODI3 events by the hour they start in


def test_hourly_figures_match_the_analysis_of_a_staged_night():
    from oximetry.report.pdf import _strip_masks, _strip_stats

    rec, _ = simulate_night(
        fs=1.0,
        duration_s=4 * 3600,
        seed=4,
        desaturations=25,
        sustained_drops=[(5000.0, 500.0, 85.0)],
        stages=True,
    )
    a = analyze(rec, AnalysisSettings())
    m = a.metrics[a.main_window]
    masks = _strip_masks(a)
    stats = [_strip_stats(a, masks, t0, t0 + 3600) for t0 in _strip_starts(a)]
    assert sum(s[0] for s in stats) == pytest.approx(m.t_le88_min)
    assert sum(s[1] for s in stats) == pytest.approx(m.valid_min)
    assert sum(s[2] for s in stats) == m.odi3_count


@pytest.mark.slow
def test_a_failure_while_rendering_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    import oximetry.report.pdf as pdf

    first = write_outputs(rd.make_analysis(), tmp_path, qualification=rd.QUALIFICATION)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def boom(*args, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(pdf, "render_trace_png", boom)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        write_outputs(rd.make_analysis(pulse=False), tmp_path, qualification=None)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert set(first) == {"summary", "events", "report", "trace"}


def test_no_report_removes_a_stale_report(tmp_path):
    write_outputs(rd.make_analysis(), tmp_path)
    paths = write_outputs(rd.make_analysis(), tmp_path, report=False)
    assert set(paths) == {"summary", "events"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv", "summary.json"]


def _exercise_analysis():
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=1200.0,
        seed=9,
        sustained_drops=[(500.0, 360.0, 86.0)],
        segments=[("rest", 0.0, 300.0), ("exercise", 300.0, 900.0), ("exercise_o2", 900.0, 1200.0)],
        start=dt.datetime(2026, 3, 4, 10, 7, 30),
    )
    return analyze(rec, AnalysisSettings())


def test_short_recordings_get_ten_minute_strips_aligned_to_the_clock():
    from oximetry.report.pdf import _strip_masks, _strip_span, _strip_stats

    a = _exercise_analysis()  # 10:07:30 to 10:27:30
    assert _strip_span(a) == 600.0
    assert _strip_starts(a) == [-450.0, 150.0, 750.0]  # 10:00, 10:10, 10:20
    masks = _strip_masks(a)
    stats = [_strip_stats(a, masks, t0, t0 + 600.0) for t0 in _strip_starts(a)]
    assert sum(s[1] for s in stats) == pytest.approx(a.recording.duration_s / 60.0)
    assert _strip_span(rd.make_analysis()) == 3600.0  # a two-hour night keeps hourly strips


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
@pytest.mark.parametrize(
    ("analysis", "title", "caption", "n_strips", "shown", "not_shown"),
    [
        # an exercise test: 10-minute strips, captioned without a sleep window
        (
            "exercise", "10-minute strips (1 of 1): one grid line per 10 s", "These 10 min", 3,
            "(whole recording)", "(sleep)",
        ),
        # a day and a half: 3-hour strips, a clock label every half hour
        (
            "day_and_a_half", "3-hour strips (1 of 5): one grid line per minute, clock time",
            "These 3 hours", 13, "21:30", "21:10",
        ),
    ],
)  # fmt: skip
def test_report_says_how_long_its_strips_are(
    tmp_path, analysis, title, caption, n_strips, shown, not_shown
):
    make = {"exercise": _exercise_analysis, "day_and_a_half": _day_and_a_half_analysis}
    write_outputs(make[analysis](), tmp_path, qualification=rd.QUALIFICATION)
    text = pdf_text(tmp_path / "report.pdf")
    assert title in text
    assert text.count(caption) == n_strips
    assert "Hourly strips" not in text
    assert shown in text and not_shown not in text


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
@pytest.mark.parametrize("payer", ["masshealth", "medicare"])
def test_every_rule_id_is_printed_whole_in_the_appendix(tmp_path, payer):
    q = evaluate(Context.from_dict({"payer": payer}), None).to_dict()
    ids = [r["id"] for r in q["rules"]]
    assert len(ids) > 20 and max(map(len, ids)) >= 23  # the long ones, e.g. ii_a_1_a_severe_...
    out = subprocess.run(
        [
            PDFTOTEXT,
            str(write_outputs(rd.make_analysis(), tmp_path, qualification=q)["report"]),
            "-",
        ],
        capture_output=True,
        check=True,
    )
    text = out.stdout.decode("utf-8", "replace")
    words = set(re.split(r"\s+", text))
    assert [i for i in ids if i not in words] == []
    # the policy revisions a Medicare determination encodes are printed, not only in the JSON
    flat = " ".join(text.split())
    assert ("LCD L33797 Oxygen and Oxygen Equipment, revision effective 04/01/2023" in flat) is (
        payer == "medicare"
    )


def test_an_id_too_long_for_its_column_is_cut_only_at_its_separators():
    rid = "masshealth.II.A.2.b.ii.A.exercise_desaturation_improvement_with_oxygen"
    lines, size = id_lines(rid, 1.0)
    assert len(lines) > 1 and size == ID_MIN_PT and "".join(lines) == rid
    assert all(line[-1] in "._" for line in lines[:-1])
    assert all(text_width_in(line, size) <= 1.0 for line in lines)
    assert id_lines("ii_a_2_b_ii_a_improvement", 1.73) == (["ii_a_2_b_ii_a_improvement"], 7.0)


def _day_and_a_half_analysis():
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=36 * 3600.0,
        seed=4,
        sustained_drops=[(30000.0, 400.0, 86.0)],
        start=dt.datetime(2026, 3, 4, 22, 40),
    )
    return analyze(rec, AnalysisSettings())


def test_recordings_of_more_than_a_day_get_three_hour_strips_on_the_clock():
    from oximetry.plot import strip_grid_steps
    from oximetry.report.pdf import _strip_span, _strip_spans

    a = _day_and_a_half_analysis()  # 22:40 on day 1 to 10:40 on day 3
    assert _strip_span(a) == 3 * 3600.0
    spans = _strip_spans(a)
    # 21:00, 00:00, 03:00, ... on the clock; the first strip starts 1 h 40 min before the data
    assert spans[0] == (-6000.0, 4800.0)
    assert all(b - a == 3 * 3600.0 for a, b in spans)
    assert len(spans) == 13 and spans[-1][1] >= a.recording.duration_s > spans[-1][0]
    # a minute grid and a label every half hour; a night keeps its label every 10 minutes,
    # also on an hour strip joined with a few minutes of its neighbour
    assert strip_grid_steps(3 * 3600.0) == (60.0, 1800.0)
    assert strip_grid_steps(3900.0) == (60.0, 600.0)
    # a recording of exactly a day keeps hourly strips; a second more, and they are 3 hours
    for seconds, span in ((86400.0, 3600.0), (86401.0, 3 * 3600.0)):
        rec, _ = simulate_night(fs=1.0, duration_s=seconds, seed=4)
        assert _strip_span(analyze(rec, AnalysisSettings())) == span, seconds


def _day_and_a_half_as(a, *, date_known=True, clock_known=True):
    """The day and a half of :func:`_day_and_a_half_analysis` as a file without a date (its
    times of day kept) or without a clock (starting at the readers' placeholder midnight)."""
    from dataclasses import replace

    rec = a.recording
    source = replace(rec.source, date_known=date_known, clock_known=clock_known)
    start = rec.start if clock_known else dt.datetime(1900, 1, 1)
    return replace(a, recording=replace(rec, source=source, start=start))


def _strip_texts(a, gid):
    from oximetry.plot import spo2_ylim
    from oximetry.report.pdf import _strip_masks, _strip_page, _strip_spans

    spans = _strip_spans(a)
    masks, ylim = _strip_masks(a), spo2_ylim(a)
    figs = [
        _strip_page(a, spans[k : k + 3], ["presumed_sleep"], "t", masks, ylim)
        for k in range(0, len(spans), 3)
    ]
    return figs, [t.get_text() for f in figs for t in f.texts if t.get_gid() == gid]


@pytest.mark.parametrize(
    ("date_known", "days", "run"),
    [
        # 22:40 on 2026-03-04 to 10:40 on the 6th; the 6.7-min drop to 86 % at 07:00 on the 5th
        (True, ["2026-03-04", "2026-03-05", "2026-03-06"], "2026-03-05 07:0"),
        (False, ["day 1", "day 2", "day 3"], "day 2 07:0"),
    ],
)
def test_strips_of_a_recording_over_a_day_say_their_date(date_known, days, run):
    """A 60-h recording's 10-min plateau at 85 % at 01:00 on 2026-01-07, so dated on page 1,
    was drawn on a 3-hour strip "00:00 ... 03:00" (three such strips, none dated) and listed
    "00:59 ≤ 88 %: 10.0 min" in its margin; a 30-h file without a date listed "02:00" (hunt 9).
    README: in a recording of more than 24 h every time shown carries its date."""
    a = _day_and_a_half_as(_day_and_a_half_analysis(), date_known=date_known)
    figs, captions = _strip_texts(a, "strip_stats")
    # the strips are 21:00-24:00 on the first day, then 00:00-03:00, ... to 09:00-12:00
    hours = [(21, 24)] + [(h, h + 3) for h in range(0, 24, 3)] + [(0, 3), (3, 6), (6, 9), (9, 12)]
    day = [0] + [1] * 8 + [2] * 4
    assert [c.split("\n")[1] for c in captions] == [
        f"{days[d]} {h0:02d}:00–{h1:02d}:00" for d, (h0, h1) in zip(day, hours, strict=True)
    ]
    _, labels = _strip_texts(a, "le88_label")
    assert len(labels) == 1 and labels[0].startswith(run), labels
    # and the longer label still fits on the page, beside the plots
    fig = next(f for f in figs if any(t.get_gid() == "le88_label" for t in f.texts))
    boxes, renderer = _bboxes(fig, "le88_label")
    plots = [ax.get_window_extent(renderer) for ax in fig.axes]
    assert all(b.x1 <= fig.bbox.x1 for b in boxes)
    assert not any(b.overlaps(p) for b in boxes for p in plots)


def test_strips_of_a_recording_over_a_day_without_a_clock_count_the_hours_on():
    """A 30-h file without a clock (elapsed time) labelled its hours 24-27 "00:00 ... 03:00",
    as its first three."""
    a = _day_and_a_half_as(_day_and_a_half_analysis(), date_known=False, clock_known=False)
    figs, captions = _strip_texts(a, "strip_stats")
    assert [c.split("\n")[1] for c in captions] == [
        f"{h}:00–{h + 3}:00 elapsed" for h in range(0, 36, 3)
    ]
    fig = figs[-1]  # 27:00-30:00, 30:00-33:00, 33:00-36:00
    fmt = fig.axes[1].xaxis.get_major_formatter()
    ticks = list(fig.axes[1].xaxis.get_major_locator()())
    assert [fmt(t) for t in ticks[:3]] == ["27:00", "27:30", "28:00"]


def test_strip_pages_of_a_recording_over_a_day_are_titled_with_their_dates(tmp_path):
    write_outputs(_day_and_a_half_analysis(), tmp_path, qualification=rd.QUALIFICATION)
    flat = " ".join(pdf_text(tmp_path / "report.pdf").split())
    assert "clock time, 2026-03-04 21:00 – 2026-03-05 06:00" in flat
    assert "clock time, 2026-03-06 09:00 – 2026-03-06 12:00" in flat


def test_a_run_awake_is_listed_and_shaded_apart_from_the_sleep_runs():
    """A staged night with 4 min at 86 % during its first half hour scored W: the strip listed
    "22:10  ≤ 88 %: 4.0 min" under "runs ≤ 88 %" beside "This hour (sleep) ≤ 88 %: 0.0 min",
    shaded as a sleep run; only events.csv said window=awake (hunt 12)."""
    from oximetry.plot import spo2_ylim
    from oximetry.report.pdf import _strip_masks, _strip_page

    stages = [(0.0, 1800.0, "W")] + [(1800.0 + 30 * k, 30.0, "N2") for k in range(300)]
    rec, _ = simulate_night(
        fs=1.0, duration_s=4 * 3600, seed=3, stages=stages,
        sustained_drops=[(600.0, 240.0, 86.0), (5400.0, 300.0, 86.0)],  # W 22:10, N2 23:30
        start=dt.datetime(2026, 4, 2, 22, 0),
    )  # fmt: skip
    a = analyze(rec, AnalysisSettings())
    assert a.main_window == "sleep"
    strips = [(0.0, 3600.0), (3600.0, 7200.0)]
    fig = _strip_page(a, strips, [w.kind for w in a.windows], "t", _strip_masks(a), spo2_ylim(a))
    labels = [t.get_text() for t in fig.texts if t.get_gid() == "le88_label"]
    assert labels == ["22:10  ≤ 88 % (awake): 4.0 min", "23:30  ≤ 88 %: 5.0 min"]
    stats = [t.get_text() for t in fig.texts if t.get_gid() == "strip_stats"]
    assert "(sleep)\n≤ 88 %: 0.0 min" in stats[0] and "≤ 88 %: 5.0 min" in stats[1]
    shaded: dict[str, list[tuple[float, float]]] = {"le88_run": [], "le88_run_outside": []}
    for ax in fig.axes:
        for coll in ax.collections:
            if coll.get_gid() in shaded:
                shaded[coll.get_gid()] += [
                    (p.vertices[:, 0].min(), p.vertices[:, 0].max()) for p in coll.get_paths()
                ]
    assert shaded == {"le88_run": [(5400.0, 5700.0)], "le88_run_outside": [(600.0, 840.0)]}
    legend = [t.get_text() for lg in fig.legends for t in lg.get_texts()]
    assert "≤ 88 % run, not sleep" in legend


def test_a_sustained_drop_awake_is_shaded_apart_from_the_sleep_drops():
    """A staged night with 6.7 min at 89 % during a wake epoch (a drop of 7 points below the
    awake baseline of 96 %): the strip and the overview shaded it as "> 5 pts below baseline ≥ 5
    min" beside page 1's "0 sustained (≥ 5 min)"; only events.csv said window=awake (hunt 15)."""
    from oximetry.plot import plot_overview, spo2_ylim
    from oximetry.report.pdf import _strip_masks, _strip_page

    stages = [
        (0.0, 600.0, "W"),
        (600.0, 3000.0, "N2"),
        (3600.0, 900.0, "W"),
        (4500.0, 9900.0, "N2"),
    ]
    rec, _ = simulate_night(
        fs=1.0, duration_s=4 * 3600, seed=3, stages=stages,
        sustained_drops=[(3700.0, 400.0, 89.0), (7300.0, 400.0, 89.0)],  # W 23:01, N2 00:01
        start=dt.datetime(2026, 4, 2, 22, 0),
    )  # fmt: skip
    a = analyze(rec, AnalysisSettings())
    assert a.main_window == "sleep"
    assert len(a.metrics["sleep"].sustained_desaturations) == 1

    def shaded(axes) -> dict[str, list[tuple[float, float]]]:
        out: dict[str, list[tuple[float, float]]] = {
            "sustained_drop": [], "sustained_drop_outside": []
        }  # fmt: skip
        for ax in axes:
            for coll in ax.collections:
                if coll.get_gid() in out:
                    out[coll.get_gid()] += [
                        (p.vertices[:, 0].min(), p.vertices[:, 0].max()) for p in coll.get_paths()
                    ]
        return out

    want = {"sustained_drop": [(7300.0, 7700.0)], "sustained_drop_outside": [(3700.0, 4100.0)]}
    strips = [(3600.0, 7200.0), (7200.0, 10800.0)]
    fig = _strip_page(a, strips, [w.kind for w in a.windows], "t", _strip_masks(a), spo2_ylim(a))
    assert shaded(fig.axes) == want
    legend = [t.get_text() for lg in fig.legends for t in lg.get_texts()]
    assert "> 5 pts below ≥ 5 min, not sleep" in legend
    assert shaded([plot_overview(a)]) == want


def test_an_odi_event_awake_is_marked_apart_from_those_the_margin_counts():
    """A staged night's desaturation in a wake epoch was marked as an ODI3 / ODI4 event beside
    the strip's "This hour (sleep) ... ODI3 events: 0", which counts the sleep's (hunt 15)."""
    from oximetry.plot import spo2_ylim
    from oximetry.report.pdf import _strip_masks, _strip_page
    from oximetry.simulate import Desaturation

    stages = [
        (0.0, 600.0, "W"),
        (600.0, 3000.0, "N2"),
        (3600.0, 900.0, "W"),
        (4500.0, 9900.0, "N2"),
    ]
    rec, _ = simulate_night(
        fs=1.0, duration_s=4 * 3600, seed=3, stages=stages,
        desaturations=[Desaturation(3900.0, 6.0), Desaturation(7500.0, 6.0)],  # W, N2
        start=dt.datetime(2026, 4, 2, 22, 0),
    )  # fmt: skip
    a = analyze(rec, AnalysisSettings())
    assert [e.window for e in a.events if e.type == "odi3"] == ["awake", "sleep"]
    strips = [(3600.0, 7200.0), (7200.0, 10800.0)]
    fig = _strip_page(a, strips, [w.kind for w in a.windows], "t", _strip_masks(a), spo2_ylim(a))
    marks: dict[str, list[float]] = {}
    for ax in fig.axes:
        for coll in ax.collections:
            if str(coll.get_gid()).startswith("odi3"):
                marks.setdefault(coll.get_gid(), []).extend(
                    p.vertices[:, 0].min() for p in coll.get_paths()
                )
    assert marks == {
        "odi3_outside": [pytest.approx(3900.0, abs=30)],
        "odi3": [pytest.approx(7500.0, abs=30)],
    }
    stats = [t.get_text() for t in fig.texts if t.get_gid() == "strip_stats"]
    assert "ODI3 events: 0" in stats[0] and "ODI3 events: 1" in stats[1]
    legend = [t.get_text() for lg in fig.legends for t in lg.get_texts()]
    assert "ODI event, not sleep" in legend


def test_a_run_outside_the_main_window_wraps_in_a_narrow_margin():
    """The window's name on a line of its own when the label is wider than the margin."""
    from oximetry.plot import spo2_ylim
    from oximetry.report.pdf import _strip_masks, _strip_page
    from oximetry.results import Event

    a = rd.make_analysis()
    runs = (Event("le88_run", 1200.0, 3600.0, window="presumed_awake"),)
    a2 = type(a)(a.recording, a.settings, a.artifact, a.windows, a.metrics, runs)
    strips = [(-1800.0, 1800.0), (1800.0, 5400.0)]
    fig = _strip_page(a2, strips, ["presumed_sleep"], "t", _strip_masks(a2), spo2_ylim(a2))
    texts = [t.get_text() for t in fig.texts if t.get_gid() == "le88_label"]
    assert texts == [
        "22:50  (presumed awake)",
        "    ≤ 88 %: 40.0 min",
        "22:50  (presumed awake)",
        "    ≤ 88 %: 40.0 min (cont.)",
    ]
    boxes, _ = _bboxes(fig, "le88_label")
    assert all(b.x1 <= fig.bbox.x1 for b in boxes)


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
@pytest.mark.parametrize(
    ("inp", "said"),
    [
        ({"start": "1900-01-01T00:00:00", "date_known": False, "clock_known": False},
         "from the first sample (the file holds no date or clock time"),
        ({"start": "1900-01-01T22:00:00", "date_known": False, "clock_known": True},
         "from 22:00:00 (the file holds no date)"),
        ({"start": "2026-03-01T22:00:00", "date_known": True, "clock_known": True},
         "from 2026-03-01 22:00:00;"),
    ],
)  # fmt: skip
def test_qualify_report_on_a_summary_never_gives_a_placeholder_date_as_the_start(
    tmp_path, inp, said
):
    # `oxi qualify --summary` of a file without a clock wrote "Recording sha256 …, from
    # 1900-01-01T00:00:00" (one without a date "from 1900-01-01T22:00:00") on its report's page
    # 1, the placeholder read as the day of the test (hunt 13)
    from oximetry.qualify_report import render_qualify_pdf

    doc = {"qualification": rd.QUALIFICATION, "input": {"sha256": "ab" * 32, **inp}}
    path = tmp_path / "q.pdf"
    path.write_bytes(render_qualify_pdf(doc))
    flat = " ".join(pdf_text(path).split())
    assert said in flat
    assert "1900" not in flat


@pytest.mark.parametrize("profile", ["masshealth", "medicare"])
def test_the_last_page_says_how_each_profile_rounds(profile):
    """A Medicare report's method note said every threshold compares SpO2 rounded to whole
    percent, beside a walk's sustained nadir of 88.4 % judged not at or below 88 (medicare-
    oxygen.md A5: computed values are compared unrounded; hunt 15)."""
    from oximetry.report.pdf import _last_page

    a = rd.make_analysis()
    summary = build_summary(a, qualification={**rd.QUALIFICATION, "profile": profile})
    text = " ".join(" ".join(t.get_text() for t in _last_page(a, summary).texts).split())
    unrounded = "Medicare compares a computed value (a mean, an awake baseline, a sustained nadir)"
    assert (unrounded in text) is (profile == "medicare")
    assert "rounded to whole percent (floor(x + 0.5))" in text
