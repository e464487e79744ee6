"""Page 1 as a reviewer reads it, and the plots around it, checked by rendered text and artists.

Recordings are simulated (known content); contexts are written here; text comes from pdftotext,
plots from the figures' artists and the renderer's bounding boxes.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from oxi.pipeline import AnalyzeRequest, analyze_file
from oximetry.analysis import analyze
from oximetry.report.pdf import _build_pages, _strip_spans, trace_title
from oximetry.report.summary import build_summary
from oximetry.report.terminal import format_terminal_summary, minutes, saturation_tenths, when
from oximetry.settings import AnalysisSettings
from oximetry.simulate import simulate_night, write_edf

PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext is not installed")

CONTEXT = """\
payer: masshealth
patient: {name: "Quillon Vexbarrow", member_id: "MH-4417-ZQ", sex: F, age_years: 71}
test:
  type: overnight
  date: 2026-01-05
  room_air: true
  setting: outpatient
  chronic_stable_state: true
  facility: "Harborview Sleep IDTF"
  device: "Nonin WristOx2 3150 s/n 88231"
order:
  date: 2025-12-20
  prescriber: physician
  flow_lpm: 2
  hours_per_day: 8
  practitioner: "Dr. Ama Okonkwo"
  npi: "1234567893"
diagnoses: [J44.9]
interpretation:
  practitioner: "Dr. Lee Marchetti"
  text: "Nocturnal desaturation consistent with COPD; recommend nocturnal oxygen at 2 L/min."
"""


def text_of(
    pdf: Path, first: int | None = None, last: int | None = None, layout: bool = False
) -> str:
    args = [PDFTOTEXT, "-layout"] if layout else [PDFTOTEXT]
    if first is not None:
        args += ["-f", str(first), "-l", str(last or first)]
    out = subprocess.run([*args, str(pdf), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8", "replace").split())


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=4 * 3600,
        seed=11,
        desaturations=20,
        sustained_drops=[(5400.0, 540.0, 85.0)],  # under 10 min: not a held value
        stages=True,
    )
    d = tmp_path_factory.mktemp("night")
    write_edf(rec, d / "Vexbarrow_Quillon_2026-01-05_overnight_oximetry_export_final.edf")
    (d / "ctx.yaml").write_text(CONTEXT)
    return d


def _run(night: Path, out: Path, **kw) -> Path:
    edf = next(night.glob("*.edf"))
    req = AnalyzeRequest(context_path=str(night / "ctx.yaml"), **kw)
    return analyze_file(edf, req, out_dir=out).paths["report"]


@needs_pdftotext
def test_page_one_identifies_patient_study_and_conditions(night: Path, tmp_path: Path) -> None:
    text = text_of(_run(night, tmp_path / "id"), 1)
    for needle in (
        "Patient: Quillon Vexbarrow",
        "Member ID: MH-4417-ZQ",
        "Harborview Sleep IDTF",
        "Nonin WristOx2 3150 s/n 88231",
        "Dr. Ama Okonkwo (NPI 1234567893)",
        "Test conditions: Breathing room air during the test.",
        "Nocturnal desaturation consistent with COPD",
        # the practitioner's words, never read as oxi's determination
        "Interpretation (the practitioner's, as given; not oxi's determination)",
        "Interpreting practitioner: Dr. Lee Marchetti",
        "Signature:",
        "Determination: QUALIFIED",
        "Decided by:",
    ):
        assert needle in text, needle
    for never in ("None", "SPEC §", "Alternatives:", "Alternative reading", "NOT MET", "True"):
        assert never not in text, never
    # the long file name is shortened to fit its column, never run over the other one
    assert "Vexbarrow_Quillon_2026-01-05_overnight_oximetry_export_final.edf" not in text
    assert "File: Vexbarrow_Q" in text


@needs_pdftotext
def test_deidentify_removes_the_context_identifiers(night: Path, tmp_path: Path) -> None:
    pdf = _run(night, tmp_path / "deid", deidentify=True)
    text = text_of(pdf)
    for name in ("Quillon", "Vexbarrow", "MH-4417-ZQ"):
        assert name not in text
    assert "Patient: DE-IDENTIFIED" in text
    png = (pdf.parent / "trace.png").read_bytes()
    assert b"Vexbarrow" not in png


@needs_pdftotext
def test_warnings_are_printed_once(night: Path, tmp_path: Path) -> None:
    pdf = _run(night, tmp_path / "w")
    text = text_of(pdf)
    assert text.count("Qualified on findings during sleep only") == 1


@pytest.mark.parametrize(
    ("room_air", "flow", "expected"),
    [
        ("true", None, "Breathing room air during the test."),
        ("false", "2", "On supplemental oxygen at 2 L/min during the test (not room air)."),
        ("false", None, "the oxygen flow was not given (test.o2_flow_lpm)"),
        (None, None, "not stated (test.room_air not given)"),
    ],
)
def test_conditions_statement(room_air, flow, expected) -> None:
    from oximetry.report.page1 import conditions_text

    test: dict[str, object] = {}
    if room_air is not None:
        test["room_air"] = room_air == "true"
    if flow is not None:
        test["o2_flow_lpm"] = float(flow)
    assert expected in conditions_text({"context": {"test": test}})


def test_measurement_note_where_it_applies() -> None:
    from oximetry.report.page1 import measurement_note

    base = {"main_window": "sleep", "qualification": {"profile": "masshealth"}}
    assert measurement_note({**base, "metrics": {"sleep": {"median_pct": 95.2}}}) is None
    note = measurement_note({**base, "metrics": {"sleep": {"median_pct": 91.6}}})
    assert note is not None and "MG-OXY" in note and "median 92 %" in note
    assert "blood gas" in note and "patients of color" in note
    seg = measurement_note({**base, "metrics": {"exercise": {"sustained_nadir_pct": 88.4}}})
    assert seg is not None and "exercise sustained nadir 88 %" in seg
    med = measurement_note({"qualification": {"profile": "medicare"}, "metrics": {}})
    assert med is not None and "pigmentation" in med and "altitude" in med and "age" in med


def test_trace_title_names_date_device_and_hash() -> None:
    rec, _ = simulate_night(fs=1.0, duration_s=1800, seed=3)
    a = analyze(rec)
    s = build_summary(a)
    title = trace_title(a, s)
    assert "study 2026-01-05" in title and rec.source.sha256[:16] in title
    assert str(rec.source.device) in title
    deid = trace_title(a, build_summary(a, deidentify=True))
    assert deid.startswith("De-identified")
    # a context's test.date other than the recording's is shown beside it, never instead
    other = trace_title(a, build_summary(a, context={"test": {"date": "2026-02-01"}}))
    assert "study 2026-01-05 (test.date 2026-02-01)" in other


def _staged_with_awake_hour():
    hyp = ((0.0, 3600.0, "N2"), (3600.0, 3600.0, "W"), (7200.0, 3600.0, "N2"))
    rec, _ = simulate_night(fs=1.0, duration_s=3 * 3600, seed=5, stages=hyp)
    return analyze(rec)


def test_every_plot_page_has_a_legend_and_the_awake_hour_is_not_called_sleep() -> None:
    a = _staged_with_awake_hour()
    pages = [page() for page in _build_pages(a, build_summary(a), None)]
    for fig in pages[1:]:
        if fig.axes:  # a page with a plot explains its marks
            assert fig.legends or any(ax.get_legend() for ax in fig.axes)
    captions = [t.get_text() for fig in pages for t in fig.texts if t.get_gid() == "strip_stats"]
    assert len(captions) == 3
    assert "(sleep)" in captions[0] and "(sleep)" in captions[2]
    assert "(no sleep in it)" in captions[1] and "(sleep)" not in captions[1]


def test_exercise_strips_shade_runs_at_or_below_88() -> None:
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=1200.0,
        seed=9,
        sustained_drops=[(500.0, 240.0, 86.0)],
        segments=[("rest", 0.0, 300.0), ("exercise", 300.0, 900.0)],
        start=dt.datetime(2026, 3, 4, 10, 0, 0),
    )
    a = analyze(rec, AnalysisSettings())
    assert a.main_window is None
    pages = [page() for page in _build_pages(a, build_summary(a), None)]
    shaded = []
    for fig in pages:
        for ax in fig.axes:
            for coll in ax.collections:
                if coll.get_gid() == "le88_run":
                    shaded += [p.vertices[:, 0].min() for p in coll.get_paths()]
    # the 4-minute plateau at 86 % (500-740 s) is shaded on its strip (and the overview)
    assert any(abs(x - 500.0) < 1.0 for x in shaded)


@pytest.mark.parametrize(
    ("segments", "title"),
    [
        ([("rest", 0.0, 300.0), ("exercise", 300.0, 900.0)], "exercise test"),
        ([("rest", 0.0, 300.0)], "rest test"),
        ([], "overnight test"),
    ],
)
def test_title_names_the_test_measured_when_no_type_is_given(segments, title) -> None:
    # An 18-min rest + exercise recording without test.type was titled "overnight test".
    from oximetry.report.page1 import first_page

    rec, _ = simulate_night(
        fs=1.0, duration_s=1200.0, seed=9, segments=segments, start=dt.datetime(2026, 3, 4, 10)
    )
    a = analyze(rec, AnalysisSettings())
    fig = first_page(a, build_summary(a), None)
    heading = fig.texts[0].get_text()
    assert heading == f"Pulse oximetry report — {title}"


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        # 22:00 + 3 h 3 min: the three minutes after 01:00 join the last hour
        (
            dt.datetime(2026, 1, 5, 22, 0, 0),
            3.05,
            [(0.0, 3600.0), (3600.0, 7200.0), (7200.0, 10980.0)],
        ),
        # 22:57 start: the three minutes before 23:00 join the first full hour
        (dt.datetime(2026, 1, 5, 22, 57, 0), 2.05, [(0.0, 3780.0), (3780.0, 7380.0)]),
    ],
)
def test_no_strip_for_a_few_minutes_of_data(start, hours, expected) -> None:
    rec, _ = simulate_night(fs=1.0, duration_s=hours * 3600, seed=1, start=start)
    got = [(round(a, 6), round(b, 6)) for a, b in _strip_spans(analyze(rec))]
    assert got == expected


@needs_pdftotext
def test_a_file_without_date_or_clock_says_elapsed(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = np.clip(np.round(95 + rng.normal(0, 0.5, 7200)), 80, 100)
    x[3000:3400] = 86
    lines = ["seconds,spo2", *[f"{i},{v:g}" for i, v in enumerate(x)]]
    (tmp_path / "n.csv").write_text("\n".join(lines) + "\n")
    pdf = analyze_file(tmp_path / "n.csv", AnalyzeRequest(), out_dir=tmp_path / "o").paths["report"]
    one = text_of(pdf, 1)
    assert "elapsed time only" in one
    assert re.search(r"% at 0:5\d:\d\d elapsed", one)  # the nadir, in the 86 % block
    assert "local clock time" not in one
    assert "clock time" not in text_of(pdf, 3)
    assert "elapsed time" in text_of(pdf, 3)


def test_an_elapsed_recording_is_recorded_for_its_minutes_cut() -> None:
    """A file without date or clock of 3599 samples at 0.5 Hz (119.97 min): page 1 said
    "Recorded: 120.0 min" beside "Recording time 119.9 min" (hunt 15)."""
    from oximetry.report.textpage import recorded_line

    summary = {
        "input": {"start": "1900-01-01T00:00:00", "date_known": False, "clock_known": False},
        "recording": {"duration_min": 3599 * 2 / 60},
    }
    assert recorded_line(summary).startswith("Recorded: 119.9 min (elapsed time only")


@needs_pdftotext
def test_page_two_prints_the_summary_tables(night: Path, tmp_path: Path) -> None:
    pdf = _run(night, tmp_path / "t")
    summary = __import__("json").loads((pdf.parent / "summary.json").read_text())
    m = summary["metrics"]["sleep"]
    text = text_of(pdf, 2, layout=True)  # tables read row by row
    for band in m["saturation_bands"]:
        assert f"{band['band']} % {minutes(band['minutes'])} " in text, band["band"]
    st = m["staging"]
    assert f"Total sleep time {minutes(st['total_sleep_min'])} min" in text
    assert f"sleep efficiency {st['sleep_efficiency_pct']:.1f} %" in text
    d3 = m["desaturations"]["odi3"]
    assert (
        f"≥ 3 % (ODI3) {d3['count']} {saturation_tenths(d3['mean_nadir_pct'])}" in text
    )  # cut, as rules round
    for row in m["odi_by_hour"]:
        assert f"{row['start'][11:16]}–{row['end'][11:16]} {minutes(row['valid_min'])}" in text
    assert sum(r["odi3_count"] for r in m["odi_by_hour"]) == m["odi3_count"]


@needs_pdftotext
@pytest.mark.parametrize(
    ("drops", "open_paths"),
    [
        ((), "Open paths: • none within reach of the figures and inputs given"),
        ([(5400.0, 600.0, 85.0)], "Open paths: • nocturnal sleep — undecided until: test.type"),
    ],
)
def test_an_undecided_night_offers_a_nocturnal_path_only_when_its_figures_reach_it(
    tmp_path: Path, drops: list[tuple[float, float, float]], open_paths: str
) -> None:
    # test.type not given: the determination waits for it. A night with 0 min at or below 88 %
    # is near no nocturnal path whatever the type, and page 1 must not read otherwise.
    rec, _ = simulate_night(fs=1.0, duration_s=4 * 3600, seed=5, sustained_drops=drops)
    write_edf(rec, tmp_path / "n.edf")
    untyped = CONTEXT.replace("  type: overnight\n", "")
    assert untyped != CONTEXT
    (tmp_path / "ctx.yaml").write_text(untyped)
    req = AnalyzeRequest(context_path=str(tmp_path / "ctx.yaml"))
    res = analyze_file(tmp_path / "n.edf", req, out_dir=tmp_path / "o")
    q = __import__("json").loads((tmp_path / "o" / "summary.json").read_text())["qualification"]
    assert q["determination"] == "indeterminate" and "test.type" in q["missing"]
    text = text_of(res.paths["report"], 1)
    assert "Held open by: • MG-OXY II.A.2.a.ii: Not evaluable without test.type." in text
    assert open_paths in text
    assert "Decided by" not in text and "Would qualify" not in text
    if not drops:
        assert q["would_qualify_if"] == {}
        assert "nocturnal sleep —" not in text


@pytest.mark.parametrize("deidentify", [True, False])
def test_the_contexts_age_is_shown_when_the_header_gives_a_sex_but_no_birth_date(
    deidentify: bool,
) -> None:
    """A header with a sex and no birth date gives a patient block whose age is None: page 1
    took that None for the age and dropped the context's (de-identified: no "Age at test"
    line at all; ninth review)."""
    import dataclasses

    from oximetry.model import PatientInfo
    from oximetry.report.page1 import first_page
    from tests import report_data as rd

    a = rd.make_analysis(patient=PatientInfo(sex="M"))
    a = dataclasses.replace(
        a, recording=dataclasses.replace(a.recording, patient=PatientInfo(sex="M"))
    )
    summary = build_summary(a, context={"patient": {"age_years": 68}}, deidentify=deidentify)
    assert summary["patient"]["age_years"] is None and summary["patient"]["sex"] == "M"
    texts = " ".join(t.get_text() for t in first_page(a, summary, None).texts)
    assert ("Age at test: 68 years" if deidentify else "Age: 68") in texts


def test_a_context_identified_patient_and_the_header_are_shown_apart() -> None:
    """The context names the patient (Roe, Rich) and the recording's header another (Doe_Jane,
    born 1950-05-06): page 1 printed the context's name beside the header's birth date, one
    person's identity made of two. The context's fields stand as the patient, the header's on a
    line of their own."""
    import dataclasses

    from oximetry.model import PatientInfo
    from oximetry.report.page1 import first_page
    from tests import report_data as rd

    header = PatientInfo(name="Doe_Jane", code="MRN12345", sex="F", birth_date=dt.date(1950, 5, 6))
    a = rd.make_analysis(patient=header)
    a = dataclasses.replace(a, recording=dataclasses.replace(a.recording, patient=header))
    summary = build_summary(a, context={"patient": {"age_years": 75, "sex": "M"}})
    ident = {"name": "Roe, Rich", "member_id": "1EG4-TE5-MK72"}
    texts = [t.get_text() for t in first_page(a, summary, ident).texts]
    assert "Patient: Roe, Rich" in texts and "Member ID: 1EG4-TE5-MK72" in texts
    assert "Sex: M    Age: 75" in texts
    joined = " ".join(texts)  # (a long line is wrapped)
    assert "Recording header: Doe_Jane, MRN12345, born 1950-05-06, F" in joined
    assert "Birth date" not in joined


def _day_and_a_half(date_known: bool) -> tuple[object, dict]:
    """A 27.5-h recording (20:00 to 23:30 the next day) whose nadir is on its second day."""
    start = dt.datetime(2026, 1, 5, 20, 0) if date_known else dt.datetime(1900, 1, 1, 20, 0)
    rec, _ = simulate_night(
        fs=0.2, duration_s=27.5 * 3600, seed=4, sustained_drops=[(25 * 3600, 600.0, 85.0)],
        start=start,
    )  # fmt: skip
    if not date_known:
        rec = replace(rec, source=replace(rec.source, date_known=False))
    a = analyze(rec, AnalysisSettings())
    return a, build_summary(a)


@pytest.mark.parametrize("date_known", [True, False])
def test_times_of_a_recording_over_a_day_say_their_day(date_known: bool) -> None:
    """A MIMIC numerics record of 32 h printed its presumed sleep window "00:45–08:45" and a
    nadir "at 08:31:25" on its second day, as if on the first: a clock time alone names one
    moment only within 24 h. Over 24 h the times carry their date (or day of the recording
    when the file holds no date), on page 1, the terminal and the window's warning."""
    from oximetry.report.page1 import first_page

    a, s = _day_and_a_half(date_known)
    rec = a.recording
    x = rec.spo2.data
    nadir = rec.time_at(float(np.flatnonzero(x == np.nanmin(x))[0]) / rec.fs)
    win = next(w for w in s["windows"] if w["kind"] == "presumed_sleep")
    w0, w1 = dt.datetime.fromisoformat(win["start"]), dt.datetime.fromisoformat(win["end"])
    assert (nadir.date() - rec.start.date()).days == 1 and (w1.date() - w0.date()).days == 1

    def day(t: dt.datetime) -> str:
        return f"{t:%Y-%m-%d}" if date_known else f"day {(t.date() - rec.start.date()).days + 1}"

    page = " ".join(t.get_text() for t in first_page(a, s, None).texts)
    assert f"at {day(nadir)} {nadir:%H:%M:%S}" in page
    assert f"presumed sleep {day(w0)} {w0:%H:%M}–{day(w1)} {w1:%H:%M}" in page
    if not date_known:  # "20:00 to 23:30" read as a 3.5-h recording
        assert "Recorded: 20:00 to day 2 23:30 (clock time; the file holds no date)" in page
    terminal = format_terminal_summary(s, {})
    assert f"at {day(nadir)} {nadir:%H:%M:%S}, mean" in terminal
    (warning,) = [w for w in s["warnings"] if w.startswith("No sleep staging")]
    assert f"({day(w0)} {w0:%H:%M:%S} to {day(w1)} {w1:%H:%M:%S})" in warning


def test_a_night_keeps_its_plain_clock_times() -> None:
    from oximetry.report.terminal import span

    rec, _ = simulate_night(
        fs=1.0, duration_s=8 * 3600, seed=4, sustained_drops=[(6 * 3600, 600.0, 85.0)],
        start=dt.datetime(2026, 1, 5, 22, 0),
    )  # fmt: skip
    s = build_summary(analyze(rec, AnalysisSettings()))
    win = next(w for w in s["windows"] if w["kind"] == "presumed_sleep")
    w0, w1 = dt.datetime.fromisoformat(win["start"]), dt.datetime.fromisoformat(win["end"])
    assert span(s, win["start"], win["end"]) == f"{w0:%H:%M}–{w1:%H:%M}"
    assert "2026" not in " ".join(s["warnings"])
    assert when(s, s["metrics"]["presumed_sleep"]["nadir_time"]).startswith("04:")


def test_what_page_one_prints_beside_the_summary() -> None:
    """The report read beside summary.json (2026-12-07): the appendix's values rounded 119.983
    valid minutes to "120" beside NOT MET for 120; the context's device replaced the file's own
    without a word; "0 sustained"
    stood beside a drop never measured; and cut lists pointed to an appendix that holds only
    the rules."""
    from oximetry.report import page1
    from oximetry.report.textpage import device_text, plain, stat_rows

    assert plain(119.98333) == "119.983" and plain(68.0) == "68" and plain(13.2167) == "13.216"
    file_only = {"input": {"device": "Nonin WristOx2 3150"}}
    assert device_text(file_only) == "Nonin WristOx2 3150"
    both = {**file_only, "context": {"test": {"device": "Masimo Rad-97"}}}
    assert device_text(both) == "Masimo Rad-97 (the file: Nonin WristOx2 3150)"
    assert device_text({"input": {}, "context": {"test": {"device": "Masimo Rad-97"}}}) == (
        "Masimo Rad-97"
    )
    night = {"valid_min": 400.0, "awake_baseline_pct": None, "drop5_min": None,
             "awake_baseline_source": None, "sustained_desaturations": []}  # fmt: skip
    rows = dict(stat_rows({"recording": {}, "metrics": {"presumed_sleep": night},
                           "main_window": "presumed_sleep"}))  # fmt: skip
    assert rows["> 5 pts below baseline"].endswith("n/a sustained (≥ 5 min)")
    from matplotlib.figure import Figure

    from oximetry.report.textpage import PORTRAIT, TextPage

    fig = Figure(figsize=PORTRAIT)
    alts = [{"label": f"reading {k}", "determination": "not_qualified"} for k in range(9)]
    page1.determination_block(
        TextPage(fig), {"determination": "indeterminate", "alternatives": alts}, 2.0
    )
    said = " ".join(t.get_text() for t in fig.texts)
    assert "more in summary.json" in said and "in the appendix" not in said


def test_the_first_deciding_rule_is_never_cut() -> None:
    """With the excluded spans and the review line above it, a QUALIFIED page 1 said "Decided
    by: … 3 more in the appendix" and named no rule (review of hunt 10): the first is written,
    at worst to its first line."""
    from matplotlib.figure import Figure

    from oximetry.report import page1
    from oximetry.report.textpage import PORTRAIT, TextPage

    fig = Figure(figsize=PORTRAIT)
    rules = [
        {"id": f"r{k}", "citation": f"MG-OXY II.A.{k}", "reason": "met " * 40} for k in range(3)
    ]
    alts = [{"label": f"reading {k}", "determination": "qualified", "changes_determination": True}
            for k in range(3)]  # fmt: skip
    q = {"determination": "qualified", "basis": ["r0", "r1", "r2"], "rules": rules,
         "alternatives": alts}  # fmt: skip
    page = TextPage(fig)
    page1.determination_block(page, q, page.y + 0.5)  # room for the heading and little more
    said = [t.get_text() for t in fig.texts]
    decided = said.index("Decided by:")
    assert said[decided + 1 : decided + 3] == ["•", said[decided + 2]]
    assert said[decided + 2].startswith("MG-OXY II.A.0: met") and said[decided + 2].endswith("…")
    assert said[decided + 3] == "… 2 more in the appendix"


def test_page_one_gives_medicares_claim_modifier() -> None:
    """Medicare's modifier (N1-N3), which decides the retest, was in the terminal line and the
    appendix only; page 1's determination listed the HCPCS codes without it."""
    from oximetry.report.page1 import _meaning

    q = {"determination": "qualified", "profile": "medicare", "coverage": ["nocturnal"],
         "authorization_months": 12, "portable_eligible": False, "hcpcs": ["E1390"],
         "modifiers": ["N1"]}  # fmt: skip
    assert _meaning(q).endswith("HCPCS E1390; modifier N1.")
    assert _meaning({**q, "modifiers": []}).endswith("HCPCS E1390.")


def test_a_reading_that_changes_the_determination_comes_before_the_lists_page_one_cuts():
    # A Medicare titration's NOT QUALIFIED that another reading makes indeterminate showed
    # "Other readings: ... 1 more in summary.json" after four "Decided by" lines, on no page
    from oximetry.report.page1 import determination_lines

    q = {
        "determination": "not_qualified",
        "missing": ["test.performed_by: idtf, sleep_lab or hospital", "order.date"],
        "decided_by": [],
        "alternatives": [
            {
                "label": "one sample at the threshold",
                "determination": "indeterminate",
                "changes_determination": True,
            }
        ],
    }
    headings = [h for h, _ in determination_lines(q)]
    assert headings == ["Still missing", "Other readings"]
    # items that hold commas themselves are told apart
    assert determination_lines(q)[0][1] == [
        "test.performed_by: idtf, sleep_lab or hospital; order.date"
    ]
    q["alternatives"][0]["changes_determination"] = False
    q["conflicts"] = [{"keys": ["a", "b"], "values": {}, "why": "x"}]
    assert [h for h, _ in determination_lines(q)][-1] == "Other readings"


def test_decided_by_leaves_out_the_clauses_the_test_did_not_measure() -> None:
    """A MassHealth exercise test NOT QUALIFIED for no improvement on oxygen (88 % on room air,
    88 % on oxygen) listed two sleep clauses "Not tested" among the five page 1 shows and cut
    the improvement clause that decided it to the appendix (hunt 10)."""
    from oximetry.report.page1 import determination_lines

    untested = "Not tested: this test measured nothing this clause is about."
    rules = [
        {"id": "rest", "citation": "MG-OXY II.A.2.a.i", "met": False,
         "reason": "No PaO2 ≤ 55 mmHg or sustained SpO2 ≤ 88 % at rest (rest sustained nadir 93 %)."},
        *({"id": f"sleep{k}", "citation": "MG-OXY II.A.2.a.ii", "met": None, "reason": untested}
          for k in range(4)),
        {"id": "improvement", "citation": "MG-OXY II.A.2.b.ii.A", "met": False,
         "reason": "No improvement on oxygen (sustained nadir 88 % on room air, 88 % on oxygen)."},
    ]  # fmt: skip
    q = {
        "determination": "not_qualified",
        "rules": rules,
        "decided_by": [r["id"] for r in rules],
    }
    ((heading, items),) = determination_lines(q)
    assert heading == "Decided by"
    assert items == [
        f"{rules[0]['citation']}: {rules[0]['reason']}",
        f"{rules[-1]['citation']}: {rules[-1]['reason']}",
    ]
    # a qualification's basis is filtered alike; every deciding clause untested still says why
    only = {**q, "rules": rules[1:5], "decided_by": ["sleep0", "sleep1"]}
    ((_, items),) = determination_lines(only)
    assert len(items) == 1 and "Not tested" in items[0] and "measured by this test" in items[0]


def test_page_one_gives_medicares_drop_below_the_tests_mean() -> None:
    """A Medicare night qualified on Group I-3, 9.5 min more than 5 points below its mean of
    95.79 %, while page 1's only drop row read "0.0 min" below the awake baseline (hunt 10).
    MassHealth, which does not read it, keeps its rows."""
    from oximetry.report.textpage import stat_rows

    night = {"valid_min": 360.0, "awake_baseline_pct": 93.0, "drop5_min": 0.0,
             "longest_drop5_min": 0.0, "awake_baseline_source": "first_300s_valid",
             "sustained_desaturations": [], "mean_pct": 95.7931, "drop5_from_mean_min": 9.5,
             "longest_drop5_from_mean_min": 9.5}  # fmt: skip
    summary = {"recording": {}, "metrics": {"presumed_sleep": night},
               "main_window": "presumed_sleep", "qualification": {"profile": "medicare"}}  # fmt: skip
    rows = dict(stat_rows(summary))
    assert rows["> 5 pts below mean"].startswith(
        "9.5 min cumulative, longest 9.5 min, below 90.79 %"
    )
    assert "the test's mean 95.79 %" in rows["> 5 pts below mean"]
    assert rows["> 5 pts below baseline"].startswith("0.0 min")
    for profile in ("masshealth", None):
        other = {**summary, "qualification": {"profile": profile} if profile else None}
        assert "> 5 pts below mean" not in dict(stat_rows(other))
    # a summary without the figure says so, never 0.0
    old = {**night, "drop5_from_mean_min": None}
    rows = dict(stat_rows({**summary, "metrics": {"presumed_sleep": old}}))
    assert rows["> 5 pts below mean"].startswith("n/a")


def test_page_one_names_the_excluded_spans() -> None:
    """--exclude 23:50-00:20 --exclude 100-200 on a night from 22:00 was named nowhere in
    report.pdf: page 1 counted "excluded 1900" samples, the strips hatched them as artifact
    (hunt 10). The scorer's SpO2 artifact spans are excluded alike and named beside them."""
    from oximetry.report.textpage import stat_rows

    rec, _ = simulate_night(
        fs=1.0, duration_s=3 * 3600, seed=3, start=dt.datetime(2026, 1, 5, 22, 0)
    )
    # 6600 s after 22:00 is 23:50:00; 100-200 s is 22:01:40-22:03:20
    a = analyze(rec, AnalysisSettings(exclude_s=((6600.0, 8400.0), (100.0, 200.0))))
    s = build_summary(a)
    rows = dict(stat_rows(s))
    assert "excluded 1900" in rows["Valid data"]
    assert rows["Excluded"] == (
        "--exclude 23:50:00–00:20:00, 22:01:40–22:03:20 (invalid samples, in no figure)"
    )
    s["recording"]["spo2_artifact_spans_s"] = [[3000.0, 3600.0]]
    assert dict(stat_rows(s))["Excluded"].endswith(
        "; scorer's SpO2 artifact 22:50:00–23:00:00 (invalid samples, in no figure)"
    )
    # over 24 h each time is dated, the end's day said once when it is the start's
    s["recording"]["duration_min"] = 26 * 60.0
    assert dict(stat_rows(s))["Excluded"] == (
        "--exclude 2026-01-05 23:50:00–2026-01-06 00:20:00, 2026-01-05 22:01:40–22:03:20; "
        "scorer's SpO2 artifact 2026-01-05 22:50:00–23:00:00 (invalid samples, in no figure)"
    )
    assert "Excluded" not in dict(stat_rows(build_summary(analyze(rec, AnalysisSettings()))))
    many = tuple((60.0 * k, 60.0 * k + 30) for k in range(1, 11))
    text = dict(stat_rows(build_summary(analyze(rec, AnalysisSettings(exclude_s=many)))))
    assert (
        text["Excluded"].count("–") == 3  # a longer row cut page 1's "Decided by" to nothing
        and "7 more in summary.json (settings.exclude_s)" in (text["Excluded"])
    )


def _page_texts(pages) -> list[str]:
    return [" ".join(" ".join(t.get_text() for t in p().texts).split()) for p in pages]


def test_page_one_counts_the_review_flags_and_names_the_page_listing_them() -> None:
    """A probe slip (an instant fall from 95 to 70 % at 01:20:00, 4 min) set page 1's nadir to
    70 % while its review flag was on the last page alone, which says "Warnings and notes about
    this study are on page 1", and said "12000 s after the start" (hunt 10)."""
    from oximetry.simulate import Artifact

    rec, _ = simulate_night(
        fs=1.0, duration_s=6 * 3600, seed=51, baseline_pct=95, noise_pts=0.5,
        sustained_drops=[(7200, 600, 85)],
        artifacts=[Artifact(12000, 240, "fall", 70.0)], start=dt.datetime(2026, 3, 2, 22, 0),
    )  # fmt: skip
    a = analyze(rec)
    s = build_summary(a)
    assert s["metrics"]["presumed_sleep"]["nadir_pct"] == 70.0
    pages = _build_pages(a, s, None)
    texts = _page_texts(pages)
    assert "Review: 1 flag on data kept as valid" in texts[0]
    assert f"listed with its time on page {len(pages)};" in texts[0]
    assert "SpO2 fell from 95 % to 70 % at 01:20:00," in texts[-1]  # 22:00 + 12000 s
    assert "after the start" not in texts[-1]
    # no flag, no line
    quiet, _ = simulate_night(fs=1.0, duration_s=3600, seed=2, noise_pts=0.5)
    qa = analyze(quiet)
    assert "Review:" not in _page_texts(_build_pages(qa, build_summary(qa), None))[0]


def test_page_one_counts_the_flags_a_summary_only_numbers() -> None:
    from oximetry.report.page1 import review_text

    flags = [f"SpO2 stayed exactly 86 % for 12.0 min from 0{k}:00:00: ..." for k in range(5)]
    flags.append("... and 3 more held runs of at least 10 min")
    text = review_text({"recording": {"review_flags": flags}}, None)
    assert text is not None and text.startswith("Review: 8 flags") and "on the last page" in text
    # the last page lists them as far as it has room, the summary only 5 with their times: page 1
    # said all 8 were "listed with their times" there (review of hunt 10)
    assert "listed with their times" not in text
    assert "as far as the page has room" in text and "all with their times in summary.json" in text
    assert review_text({"recording": {"review_flags": []}}, 4) is None


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def all_day_order(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ordinary presumed-sleep night of 7 h qualifying on 7 min at 86 %, whose order asks
    for oxygen 24 h a day: the guideline warns twice beside the analysis's two warnings and
    the review flags' line, more than page 1 holds."""
    rec, _ = simulate_night(
        fs=1.0, duration_s=7 * 3600, seed=11, desaturations=25,
        sustained_drops=[(3 * 3600, 420, 86)], start=dt.datetime(2026, 1, 5, 22, 0),
    )  # fmt: skip
    d = tmp_path_factory.mktemp("all_day")
    write_edf(rec, d / "night.edf")
    (d / "ctx.yaml").write_text(CONTEXT.replace("hours_per_day: 8", "hours_per_day: 24"))
    return d


@needs_pdftotext
def test_every_warning_of_the_summary_is_in_the_report(all_day_order: Path, tmp_path: Path):
    """The order's 24 h a day, "more than the night's use the findings during sleep support",
    was in summary.json and on no page of report.pdf: page 1 ended "… more notes in
    summary.json (warnings)" and the last page said the warnings were on page 1 (hunt 12)."""
    import json

    pdf = _run(all_day_order, tmp_path / "o")
    s = json.loads((pdf.parent / "summary.json").read_text())
    q_warnings = s["qualification"]["warnings"]
    assert any(w.startswith("The order prescribes oxygen 24 h a day") for w in q_warnings)
    text = text_of(pdf)
    for w in [*s["warnings"], *q_warnings]:
        assert text.count(_words(w)) == 1, w
    # the guideline's own warnings are on page 1, the rest carried to page 2, and said so
    page1 = text_of(pdf, 1)
    for w in q_warnings:
        if w not in s["warnings"]:
            assert _words(w) in page1, w
    carried = [w for w in s["warnings"] if _words(w) not in page1]
    more = f"… {len(carried)} more warning{'s' if len(carried) > 1 else ''} on page 2"
    assert carried and more in page1
    assert text_of(pdf, 2).startswith("Warnings and notes (continued from page 1)")
    n = int(re.findall(r"page 1 of (\d+)", page1)[-1])
    last = text_of(pdf, n)
    assert "Warnings and notes about this study are on page 1, continued on page 2." in last
    # the review flags' line names the last page, which lists them
    assert f"listed on page {n} (the first of them" in text


@needs_pdftotext
def test_warnings_over_more_than_a_page_go_on_over_pages_of_their_own(
    all_day_order: Path, tmp_path: Path
) -> None:
    """Sixty warnings of two lines: every one once, page 1's count of those it carries is theirs, and each
    page of them says what it continues."""
    import json

    from oximetry.io import read_recording
    from oximetry.report.pdf import render_report_pdf

    a = analyze(read_recording(str(all_day_order / "night.edf")))
    s = build_summary(a)
    extra = [
        f"Warning number {k} of a night with many, written to fill pages: long enough to take "
        "two lines of page 1's notes each, so that sixty of them fill more than one page."
        for k in range(60)
    ]
    s["warnings"] = [*s["warnings"], *extra]
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_report_pdf(a, json.loads(json.dumps(s))))
    text = text_of(pdf)
    for w in s["warnings"]:
        assert text.count(_words(w)) == 1, w
    page1 = text_of(pdf, 1)
    shown = sum(_words(w) in page1 for w in s["warnings"])
    said = re.search(r"… (\d+) more warnings on page 2", page1)
    assert said and int(said.group(1)) == len(s["warnings"]) - shown
    # the pages of notes follow page 1, each saying which it continues
    n = int(re.findall(r"page 1 of (\d+)", page1)[-1])
    heads = [text_of(pdf, k)[:42] for k in range(2, n + 1)]
    notes = [h for h in heads if h.startswith("Warnings and notes (continued")]
    assert len(notes) >= 2 and heads[: len(notes)] == notes
    assert notes == [
        f"Warnings and notes (continued from page {k})" for k in range(1, len(notes) + 1)
    ]
    assert (
        f"Warnings and notes about this study are on page 1, continued on pages 2–{1 + len(notes)}."
        in text_of(pdf, n)
    )


@pytest.mark.parametrize(
    ("lights", "window", "baseline"),
    [
        # --lights-off alone was "(from lights off on)", a lights on nobody gave (hunt 12)
        (
            (1800.0, None, None),
            "presumed sleep 22:30–00:00, from --lights-off to the last valid sample",
            "(first 5.0 min of valid data, presumed awake)",  # "(first 300s valid)"
        ),
        (
            (None, 3600.0, None),
            "presumed sleep 22:00–23:00, from the first valid sample to --lights-on",
            "(first 5.0 min of valid data, presumed awake)",
        ),
        (
            (1800.0, 5400.0, (0.0, 900.0)),
            "presumed sleep 22:30–23:30, from --lights-off to --lights-on",
            "(the --awake span)",  # "(awake option)"
        ),
        (
            (None, None, None),  # "(from first to last valid)"
            "presumed sleep 22:00–00:00, from the first to the last valid sample",
            "(first 5.0 min of valid data, presumed awake)",
        ),
    ],
)
def test_page_one_says_where_its_windows_come_from_in_words(lights, window, baseline) -> None:
    from oximetry.report.textpage import stat_rows

    rec, _ = simulate_night(fs=1.0, duration_s=2 * 3600, seed=4, start=dt.datetime(2026, 1, 5, 22))
    off, on, awake = lights
    a = analyze(rec, AnalysisSettings(lights_off_s=off, lights_on_s=on, awake_span_s=awake))
    rows = dict(stat_rows(build_summary(a)))
    assert rows["Analysis window"] == window
    assert rows["Awake baseline"].endswith(baseline)


def test_a_staged_windows_source_in_words() -> None:
    from oximetry.report.textpage import stat_rows

    rows = dict(stat_rows(build_summary(_staged_with_awake_hour())))
    assert rows["Analysis window"].endswith(", from the recording's sleep staging")
    assert rows["Awake baseline"].endswith("(wake epochs of the recording's sleep staging)")


@needs_pdftotext
def test_page_one_prints_the_test_date_the_rules_counted_from(tmp_path: Path) -> None:
    """A night recorded from 00:30 on 6 January, without a test.date, is the night of the 5th
    for the rules (its order window counted from the 5th), while page 1 printed the file's
    "Test date: 2026-01-06" beside the order date a reviewer counts the 90 days from (hunt 13).
    qualification.test_date holds the date judged; a context's that differs is named beside."""
    rec, _ = simulate_night(
        fs=1.0, duration_s=5 * 3600, seed=5, start=dt.datetime(2026, 1, 6, 0, 30)
    )
    write_edf(rec, tmp_path / "n.edf")
    undated = CONTEXT.replace("  date: 2026-01-05\n", "", 1)
    assert undated != CONTEXT
    (tmp_path / "ctx.yaml").write_text(undated)
    req = AnalyzeRequest(context_path=str(tmp_path / "ctx.yaml"))
    res = analyze_file(tmp_path / "n.edf", req, out_dir=tmp_path / "o")
    assert res.summary["qualification"]["test_date"] == "2026-01-05"
    text = text_of(res.paths["report"], 1)
    assert "Test date: 2026-01-05 " in text and "Test date: 2026-01-06" not in text
    from oximetry.report.page1 import test_date_text

    summary = {"qualification": {"test_date": "2026-01-05"}, "context": {"test": {"date": "x"}}}
    assert test_date_text(summary) == "2026-01-05 (test.date x)"
    older = {"input": {"start": "2026-01-06T00:30:00"}, "qualification": {}}
    assert test_date_text(older) == "2026-01-06"  # a summary without it: the file's, as before
    from oximetry.qualify_report import _context_lines

    doc = {"qualification": {"test_date": "2026-01-05"}, "context": {"test": {}}}
    assert "date not given (judged as the test of 2026-01-05);" in _context_lines(doc)[0]


def test_qualify_context_lines_say_what_was_not_given() -> None:
    """`oxi qualify`'s context lines echo the context: cluster-headache items without
    `attacks` were printed "0 attacks", a count nobody gave (ICHD-3 A needs five), and an order
    without a flow "flow not given L/min" (hunt 15)."""
    from oximetry.qualify_report import _context_lines

    ch = {"unilateral_orbital_pain_15_180_min": True}
    lines = _context_lines({"context": {"order": {}, "cluster_headache": ch}})
    assert "flow not given; hours per day not given" in lines[1], lines
    assert lines[-1].startswith("Cluster headache (ICHD-3): attacks not given; unilateral"), lines
    given = _context_lines({"context": {"order": {"flow_lpm": 2.0}, "cluster_headache": {}}})
    assert "flow 2.0 L/min;" in given[1] and given[-1].endswith("no item ticked"), given
    counted = _context_lines({"context": {"cluster_headache": {"attacks": 0}}})
    assert "0 attacks" in counted[-1], counted


def test_a_capped_context_age_is_shown_as_90_or_older(tmp_path: Path) -> None:
    """De-identified, a header without a birth date leaves page 1 the context's age, capped at
    90 with ``context.patient.age_capped``: a context born 1931 beside such a header printed
    "Age at test: 90 years" for a patient of 95, where summary.json said 90 or older."""
    rec, _ = simulate_night(fs=1.0, duration_s=3 * 3600, seed=5)
    write_edf(rec, tmp_path / "n.edf")
    (tmp_path / "ctx.yaml").write_text(
        CONTEXT.replace("sex: F, age_years: 71}", "sex: F, birth_date: 1931-07-13}")
    )
    req = AnalyzeRequest(context_path=str(tmp_path / "ctx.yaml"), deidentify=True)
    res = analyze_file(tmp_path / "n.edf", req, out_dir=tmp_path / "o")
    summary = __import__("json").loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["patient"] is None
    assert summary["context"]["patient"]["age_years"] == 90
    assert summary["context"]["patient"]["age_capped"] is True
    from oximetry.report.page1 import first_page

    texts = " ".join(t.get_text() for t in first_page(res.analysis, summary, None).texts)
    assert "Age at test: 90+ years" in texts
