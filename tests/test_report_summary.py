"""summary.json and events.csv: SPEC §9 structure, determinism, atomic writes."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oximetry.report import build_summary, dumps_summary, events_csv_text, write_outputs
from oximetry.report.atomic import write_atomic
from oximetry.report.summary import FLOAT_DECIMALS, iso_time, write_json_atomic
from tests import report_data as rd

SHARED = Path(__file__).resolve().parents[2] / "shared"
CHECKER = SHARED / "tools" / "check_summary.py"


def _checker():
    if not CHECKER.exists():
        pytest.skip(f"{CHECKER} is absent")
    spec = importlib.util.spec_from_file_location("check_summary", CHECKER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def summary():
    return build_summary(
        rd.make_analysis(), qualification=rd.QUALIFICATION, context=None, deidentify=False
    )


def test_summary_passes_the_shared_contract_check(summary):
    assert _checker().check(json.loads(dumps_summary(summary))) == []


def test_summary_without_qualification_passes_too():
    s = build_summary(rd.make_analysis(), qualification=None, context=None, deidentify=True)
    assert s["qualification"] is None
    assert _checker().check(json.loads(dumps_summary(s))) == []


def test_input_block(summary):
    inp = summary["input"]
    assert inp["path"] == "/data/night.edf"
    assert inp["sha256"] == "ab" * 32
    assert (inp["format"], inp["channel"], inp["fs_hz"]) == ("edf", "SpO2", 1.0)
    assert inp["start"] == "2026-11-20T22:30:00"
    assert inp["read_options"] == {"channel": None, "fs": None, "scale": None}
    assert summary["schema"] == "oxi.summary/1"


def test_recording_block_counts_artifact(summary):
    rec = summary["recording"]
    assert rec["duration_min"] == 120.0
    assert rec["valid_min"] == 118.0
    assert rec["artifact_pct"] == round(100 * 120 / 7200, FLOAT_DECIMALS)
    assert rec["artifact_samples"] == {"missing": 120}


def test_windows_have_iso_and_seconds(summary):
    w = {x["kind"]: x for x in summary["windows"]}
    sleep = w["presumed_sleep"]
    assert (sleep["start"], sleep["end"]) == ("2026-11-20T22:30:00", "2026-11-21T00:30:00")
    assert (sleep["start_s"], sleep["end_s"]) == (0.0, 7200.0)
    assert sleep["spans_s"] == [[0.0, 7200.0]]
    assert sleep["warning"] == "No staging."
    assert summary["main_window"] == "presumed_sleep"


def test_metrics_block_with_event_times(summary):
    m = summary["metrics"]["presumed_sleep"]
    assert m["t_le88_min"] == 12.0
    assert m["t_le88_pct"] == round(100 * 12 / 118, FLOAT_DECIMALS)
    assert m["longest_le88_start"] == "2026-11-20T23:30:00"
    assert m["nadir_time"] == "2026-11-20T23:30:00"
    (sd,) = m["sustained_desaturations"]
    assert (sd["start"], sd["end"], sd["duration_s"]) == (
        "2026-11-20T23:30:00",
        "2026-11-20T23:42:00",
        720.0,
    )


def test_floats_are_rounded(summary):
    def walk(v):
        if isinstance(v, dict):
            for x in v.values():
                yield from walk(x)
        elif isinstance(v, list):
            for x in v:
                yield from walk(x)
        elif isinstance(v, float):
            yield v

    for section in ("recording", "metrics", "windows"):
        for f in walk(summary[section]):
            assert round(f, FLOAT_DECIMALS) == f


def test_nan_and_numpy_values_become_json():
    a = rd.make_analysis()
    m = a.metrics["presumed_sleep"]
    m2 = type(m)(**{**m.__dict__, "mean_pct": float("nan"), "odi3_count": np.int64(3)})
    a2 = type(a)(
        a.recording, a.settings, a.artifact, a.windows, {"presumed_sleep": m2}, a.events, a.warnings
    )
    s = json.loads(dumps_summary(build_summary(a2)))
    assert s["metrics"]["presumed_sleep"]["mean_pct"] is None
    assert s["metrics"]["presumed_sleep"]["odi3_count"] == 3


def test_events_block_counts_and_ties_the_table(summary):
    ev = summary["events"]
    assert ev["counts"] == {"le88_run": 1, "odi3": 3, "sustained_drop": 1}
    text = events_csv_text(rd.make_analysis())
    assert ev["table_sha256"] == hashlib.sha256(text.encode()).hexdigest()


def test_software_settings_and_qualification(summary):
    import oximetry

    assert summary["software"] == {"name": "oxi", "version": oximetry.__version__}
    assert summary["settings"]["odi"]["baseline_window_s"] == 120.0
    assert summary["qualification"] == rd.QUALIFICATION
    assert summary["warnings"] == ["No sleep staging: the whole recording is presumed sleep."]


def test_patient_block_only_when_identified(summary):
    assert summary["patient"]["name"] == rd.NAME
    assert summary["patient"]["birth_date"] == "1951-03-14"
    assert summary["patient"]["age_years"] == 75
    s = build_summary(rd.make_analysis(), deidentify=True)
    assert s["patient"] == {"age_years": 75, "age_capped": False, "sex": "F"}
    assert s["input"]["path"] == "ab" * 32
    assert s["deidentified"] is True


def test_age_is_capped_at_90_when_deidentified():
    import datetime as dt

    from oximetry.model import PatientInfo

    a = rd.make_analysis(patient=PatientInfo(birth_date=dt.date(1920, 1, 1)))
    assert build_summary(a, deidentify=True)["patient"] == {
        "age_years": 90,
        "age_capped": True,
        "sex": None,
    }


def test_deidentify_scrubs_free_text():
    a = rd.make_analysis(
        path="/data/Quokkaman_night.edf",
        warnings=(f"Quokkaman_night.edf: patient {rd.NAME} ({rd.CODE}) clock changed",),
    )
    s = build_summary(a, deidentify=True)
    text = dumps_summary(s)
    for needle in (rd.NAME, rd.CODE, "Quokkaman_night", "1951-03-14"):
        assert needle.lower() not in text.lower()
    assert "[redacted]" in text
    # The identified summary keeps the warning as written.
    assert rd.NAME in dumps_summary(build_summary(a))


def test_summary_is_deterministic_byte_for_byte(tmp_path):
    p1 = write_outputs(
        rd.make_analysis(), tmp_path / "a", qualification=rd.QUALIFICATION, report=False
    )
    p2 = write_outputs(
        rd.make_analysis(), tmp_path / "b", qualification=rd.QUALIFICATION, report=False
    )
    assert p1["summary"].read_bytes() == p2["summary"].read_bytes()
    assert p1["events"].read_bytes() == p2["events"].read_bytes()
    assert set(p1) == {"summary", "events"}
    assert sorted(os.listdir(tmp_path / "a")) == ["events.csv", "summary.json"]


def test_summary_file_is_sorted_json_equal_to_the_dict(tmp_path, summary):
    p = write_outputs(rd.make_analysis(), tmp_path, qualification=rd.QUALIFICATION, report=False)
    text = p["summary"].read_text()
    assert json.loads(text) == json.loads(dumps_summary(summary))
    assert text.endswith("}\n")
    keys = list(json.loads(text))
    assert keys == sorted(keys)


def test_events_csv_columns_and_rows(tmp_path):
    p = write_outputs(rd.make_analysis(), tmp_path, report=False)
    rows = list(csv.DictReader(io.StringIO(p["events"].read_text())))
    assert list(rows[0]) == [
        "type",
        "start",
        "end",
        "duration_s",
        "nadir_pct",
        "baseline_pct",
        "drop_pct",
        "window",
        "label",
    ]
    assert [r["type"] for r in rows] == ["odi3", "odi3", "le88_run", "sustained_drop", "odi3"]
    sd = rows[3]
    assert sd == {
        "type": "sustained_drop",
        "start": "2026-11-20T23:30:00",
        "end": "2026-11-20T23:42:00",
        "duration_s": "720.0",
        "nadir_pct": "86.0",
        "baseline_pct": "95.0",
        "drop_pct": "9.0",
        "window": "presumed_sleep",
        "label": "",
    }
    assert rows[2]["baseline_pct"] == ""  # None stays blank, never a number


def test_iso_time_keeps_fractions_of_a_second():
    import datetime as dt

    t0 = dt.datetime(2026, 1, 1, 23, 59, 59)
    assert iso_time(t0, 1.0) == "2026-01-02T00:00:00"
    assert iso_time(t0, 0.04) == "2026-01-01T23:59:59.040"
    assert iso_time(t0, None) is None
    assert iso_time(t0, float("nan")) is None


def test_atomic_write_leaves_the_old_file_when_the_rename_fails(tmp_path, monkeypatch):
    target = tmp_path / "summary.json"
    target.write_text("old")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["summary.json"]  # no temporary file left behind


def test_write_json_atomic_creates_the_folder(tmp_path):
    import datetime as dt

    p = write_json_atomic(tmp_path / "x" / "q.json", {"b": 1, "a": dt.date(2026, 1, 2)})
    assert p.read_text() == '{\n  "a": "2026-01-02",\n  "b": 1\n}\n'


def test_no_report_never_imports_matplotlib(tmp_path):
    root = Path(__file__).resolve().parents[1]
    code = (
        f"import sys; sys.path.insert(0, {str(root)!r})\n"
        "from tests import report_data as rd\n"
        "from oximetry.report import write_outputs\n"
        f"write_outputs(rd.make_analysis(), {str(tmp_path)!r}, report=False)\n"
        "heavy = ('matplotlib', 'pandas', 'scipy')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_file_without_a_date_says_so_and_gives_no_age():
    import dataclasses

    from oximetry.report import format_terminal_summary

    a = rd.make_analysis()
    src = dataclasses.replace(a.recording.source, date_known=False)
    rec = dataclasses.replace(a.recording, source=src)
    s = build_summary(dataclasses.replace(a, recording=rec), deidentify=True)
    assert s["input"]["date_known"] is False
    # an age against a placeholder date would be wrong; the sex is kept
    assert s["patient"] == {"age_years": None, "age_capped": False, "sex": "F"}
    assert "from 22:30:00 (the file holds no date)" in format_terminal_summary(s, {})


def test_one_sample_short_of_five_minutes_never_rounds_up_to_five():
    from oximetry.report.summary import _round

    for fs in (0.25, 1.0, 25.0, 256.0, 512.0, 1000.0, 10000.0):
        n = round(300 * fs) - 1
        assert _round(n / fs / 60.0) < 5.0


def test_a_baseline_just_under_a_half_is_never_written_as_the_half() -> None:
    """An awake baseline of 88.4999996 % (88 %: awake below 89 %, a rest test needed) was written
    88.5 (89 %), and `oxi qualify --summary` qualified the night `oxi analyze` held
    indeterminate (hunt 13): the summary's figures must decide as the analysis's do."""
    import datetime as dt

    from criteria.evaluate import evaluate
    from oxi.qualify import evidence_from_analysis, evidence_from_summary
    from oximetry import analyze
    from oximetry.model import Recording, Signal, SourceInfo
    from tests.criteria_helpers import ctx

    x = np.full(4 * 3600, 93.0)
    x[:600] = 88.4999996
    x[600:630] = np.linspace(88.5, 93.0, 30)
    x[7170:7200] = np.linspace(93.0, 86.0, 30)
    x[7200:7920] = 86.0 + np.tile([0.0, 0.3], 360)  # 12 min at or below 88 %, no held value
    x[7920:7950] = np.linspace(86.0, 93.0, 30)
    rec = Recording(
        spo2=Signal("SpO2", "%", 1.0, x),
        start=dt.datetime(2026, 11, 19, 22, 0),
        source=SourceInfo(path="night.csv", sha256="0" * 64, format="csv-generic"),
    )
    a = analyze(rec)
    s = json.loads(dumps_summary(build_summary(a)))
    written = s["metrics"]["presumed_sleep"]["awake_baseline_pct"]
    assert written == 88.499999 and np.floor(written + 0.5) == 88
    context = ctx(test__date="2026-11-19")
    by_analysis = evaluate(context, evidence_from_analysis(a)).determination
    assert by_analysis == "indeterminate"
    assert evaluate(context, evidence_from_summary(s)).determination == by_analysis
    # a whole percent alike (Medicare reads the awake baseline unrounded against 89 %), and
    # figures away from a half are rounded as before
    from oximetry.report.summary import round_figure

    assert (round_figure(88.9999996), round_figure(88.4999994)) == (88.999999, 88.499999)
    assert (round_figure(91.2345678), round_figure(4.0000004)) == (91.234568, 4.000001)


def test_a_nadir_just_over_a_whole_is_never_written_as_the_whole() -> None:
    """A rest test's sustained nadir of 88.0000004 % is not at or below 88 for Medicare's
    unrounded comparison, and oxi analyze did not qualify it; written 88.0, oxi qualify
    --summary qualified it (Group I-1; review of hunt 13)."""
    import datetime as dt

    from criteria.evaluate import evaluate
    from oxi.qualify import evidence_from_analysis, evidence_from_summary
    from oximetry import analyze
    from oximetry.model import Recording, Signal, SourceInfo
    from oximetry.settings import AnalysisSettings
    from tests.test_criteria_medicare import mc

    rec = Recording(
        spo2=Signal("SpO2", "%", 1.0, np.full(8 * 60, 88.0000004)),
        start=dt.datetime(2026, 11, 20, 10, 0),
        source=SourceInfo(path="rest.csv", sha256="0" * 64, format="csv-generic"),
    )
    a = analyze(rec, AnalysisSettings(test_type="rest"))
    s = json.loads(dumps_summary(build_summary(a)))
    assert s["metrics"]["rest"]["sustained_nadir_pct"] == 88.000001
    context = mc(test__type="rest")
    by_analysis = evaluate(context, evidence_from_analysis(a)).determination
    assert by_analysis != "qualified"
    assert evaluate(context, evidence_from_summary(s)).determination == by_analysis


@settings(max_examples=25, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 10**6)
        ),
        min_size=4,
        max_size=4,
    )
)
def test_any_figures_give_valid_deterministic_json(values):
    a = rd.make_analysis()
    m = a.metrics["presumed_sleep"]
    fields = ("t_le88_pct", "nadir_pct", "mean_pct", "odi3_per_h")
    m2 = type(m)(**{**m.__dict__, **dict(zip(fields, values, strict=True))})
    a2 = type(a)(a.recording, a.settings, a.artifact, a.windows, {"presumed_sleep": m2}, a.events)
    text = dumps_summary(build_summary(a2))  # allow_nan=False: raises on NaN or inf
    assert text == dumps_summary(build_summary(a2))
    block = json.loads(text)["metrics"]["presumed_sleep"]
    for f, v in zip(fields, values, strict=True):
        if v is None or (isinstance(v, float) and not np.isfinite(v)):
            assert block[f] is None
        else:
            assert block[f] == pytest.approx(v, abs=1e-6)


def test_name_variants_are_scrubbed_too():
    from oximetry.model import PatientInfo

    a = rd.make_analysis(
        patient=PatientInfo(name="Zyxwv_Quokkaman"),
        warnings=("Zyxwv Quokkaman; quokkaman again; ZYXWV alone; a 90 day window",),
    )
    w = build_summary(a, deidentify=True)["warnings"][0]
    assert w == "[redacted]; [redacted] again; [redacted] alone; a 90 day window"


@pytest.mark.parametrize(
    ("stamps", "says", "never"),
    [
        # no time column: neither date nor clock (ExampleData.txt, a Sats,Rate export)
        (None, ("placeholder", "elapsed time from the first sample"), "wall-clock"),
        # times of day only: a clock, on a placeholder date
        ("22:00:00", ("wall-clock", "placeholder date"), "elapsed"),
        ("2026-01-05T22:00:00", ("wall-clock",), "placeholder"),
    ],
)
def test_start_note_says_what_the_start_is(
    tmp_path: Path, stamps: str | None, says: tuple[str, ...], never: str
) -> None:
    """ExampleData.txt (no time stamps) had its placeholder start 1900-01-01T00:00:00 called
    "local wall-clock time of the first sample", and events.csv's 1900-01-01T00:44:28 read as
    a clock time. The note now says what the start (and so every time) is."""
    import datetime as dt

    from oximetry.analysis import analyze
    from oximetry.io import read_recording
    from tests.io_fixtures import write_text

    n = 900  # 30 min at 0.5 Hz
    x = [95] * n
    if stamps is None:
        text = "Sats,Rate\n" + "".join(f"{v},70\n" for v in x)
    else:
        t0 = dt.datetime.fromisoformat(stamps if "T" in stamps else f"2026-01-05T{stamps}")
        fmt = "%Y-%m-%dT%H:%M:%S" if "T" in stamps else "%H:%M:%S"
        rows = [f"{t0 + dt.timedelta(seconds=2 * i):{fmt}},{v},70\n" for i, v in enumerate(x)]
        text = "Time,SpO2,Pulse\n" + "".join(rows)
    rec = read_recording(write_text(tmp_path / "rec.csv", text), fs=0.5)
    s = build_summary(analyze(rec))
    note = s["input"]["start_note"]
    assert all(word in note for word in says), note
    assert never not in note
    if stamps is None:
        # and the windows' warnings give elapsed times, not the placeholder midnight's clock
        (warning,) = [w for w in s["warnings"] if w.startswith("No sleep staging")]
        assert "(0:00:00 elapsed to 0:30:00 elapsed)" in warning


def test_an_events_label_never_runs_as_a_formula():
    """A scored annotation's text is the file's: '@SUM(1+1)*cmd|"/c calc"!A0' reached events.csv
    unchanged, a formula once the table is opened in a spreadsheet (review of hunt 12; cohort.csv
    was made safe the same day). Such a cell gets a leading apostrophe."""
    import dataclasses

    from oximetry.results import Event

    a = rd.make_analysis()
    labels = ['@SUM(1+1)*cmd|"/c calc"!A0', "=HYPERLINK(1)", "-2+3", "arousal"]
    scored = tuple(
        Event("scored", 60.0 * k, 60.0 * k + 10, label=label) for k, label in enumerate(labels)
    )
    a = dataclasses.replace(a, events=a.events + scored)
    rows = list(csv.DictReader(io.StringIO(events_csv_text(a))))
    got = [r["label"] for r in rows if r["type"] == "scored"]
    assert got == ["'" + t for t in labels[:3]] + ["arousal"]


@pytest.mark.parametrize(
    ("fs", "start", "length", "drop_to"),
    [
        (25.0, 12551, 250, 92.0),  # an ODI event of 10 s: the least that counts
        (5.0, 9001, 1500, 90.0),  # a sustained desaturation of 300 s: the least that is one
    ],
)
def test_detected_events_last_their_whole_samples(fs, start, length, drop_to):
    """A counted ODI event of 250 samples at 25 Hz (10 s) was written 9.999999 s in events.csv
    and the desaturation table, and a sustained desaturation of 1,500 samples at 5 Hz (300 s)
    299.999999 s, each under the length it needs to count: end_s - start_s in floats is a hair
    under it, and the summary never rounds a figure onto a whole it is not."""
    import datetime as dt

    from oximetry import analyze
    from oximetry.model import Recording, Signal, SourceInfo

    x = np.full(round(3600 * fs), 96.0)
    x[start : start + length] = drop_to
    if drop_to < 92.0:  # at most 4 points a sample: no implausible fall
        x[start - 1] = x[start + length] = 93.0
    rec = Recording(
        spo2=Signal("SpO2", "%", fs, x),
        start=dt.datetime(2026, 11, 19, 22, 0),
        source=SourceInfo(path="night.csv", sha256="0" * 64, format="csv-generic"),
    )
    a = analyze(rec)
    want = length / fs
    rows = list(csv.DictReader(io.StringIO(events_csv_text(a))))
    kinds = {"odi3", "odi4"} if want == 10.0 else {"sustained_drop"}
    assert {r["type"] for r in rows} >= kinds
    assert all(float(r["duration_s"]) == want for r in rows if r["type"] in kinds)
    block = json.loads(dumps_summary(build_summary(a)))["metrics"]["presumed_sleep"]
    if want == 10.0:
        assert block["desaturations"]["odi4"]["longest_duration_s"] == want
    else:
        assert [e["duration_s"] for e in block["sustained_desaturations"]] == [want]
