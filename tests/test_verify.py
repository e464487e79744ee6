"""oxi verify: recompute a summary from its recording; catch edits, other recordings, other settings."""

from __future__ import annotations

import copy
import json
import shutil

import pytest

from oxi.verify import compare_summaries, verify
from oximetry.errors import OximetryError
from oximetry.report import build_summary, dumps_summary
from tests import report_data as rd


def _summary():
    s = build_summary(rd.make_analysis(), qualification=rd.QUALIFICATION)
    return json.loads(dumps_summary(s))


# --- comparison (no recording needed) ---------------------------------------------------------


def test_identical_summaries_have_no_differences():
    assert compare_summaries(_summary(), _summary()) == []


def test_an_edited_figure_is_named_with_both_values():
    a, b = _summary(), _summary()
    a["metrics"]["presumed_sleep"]["t_le88_min"] = 15.0
    (diff,) = compare_summaries(a, b)
    assert diff == "metrics.presumed_sleep.t_le88_min: summary says 15.0, recomputed 12.0"


def test_many_differences_are_counted_whole_and_listed_by_group(capsys, monkeypatch):
    # The list was cut to 60 before it was sorted: the "... and 10 more" line was counted as a
    # difference and filed under figures, and the line naming the other version that made the
    # summary, written last, was cut
    from oxi import cli
    from oxi import verify as verify_module
    from oxi.verify import group_differences

    a, b = _summary(), _summary()
    rule = a["qualification"]["rules"][0]
    a["qualification"]["rules"] += [dict(rule, id=f"forged_{i}") for i in range(70)]
    a["software"] = {"name": "oxi", "version": "0.0.1"}
    diffs = compare_summaries(a, b)
    assert len(diffs) > 60 and diffs[-1].startswith("software: the summary was made with")
    listed = group_differences(diffs)
    assert sum(len(v) for v in listed.values()) == 60
    assert "software" in listed["identity"][0]  # sorted first, then cut
    assert all(d in diffs for lines in listed.values() for d in lines)
    monkeypatch.setattr(cli, "verify", lambda *args: diffs)
    monkeypatch.setattr(cli, "_check_input_path", lambda *args: None)
    monkeypatch.setattr(cli, "_recording_target", lambda *args: "x.edf")
    assert cli.main(["verify", "s.json", "x.edf"]) == 1
    out = capsys.readouterr().out
    assert f"NOT VERIFIED: {len(diffs)} difference(s)" in out
    assert out.rstrip().endswith(f"... and {len(diffs) - 60} more difference(s) not listed")
    assert verify_module.MAX_LISTED == 60


def test_input_path_is_ignored_but_everything_else_is_not():
    a, b = _summary(), _summary()
    a["input"]["path"] = "/elsewhere/renamed.edf"
    assert compare_summaries(a, b) == []
    a["input"]["format"] = "csv"
    assert compare_summaries(a, b) == ['input.format: summary says "csv", recomputed "edf"']
    # a channel's label is said to differ, not quoted: it may hold the patient's name
    a, b = _summary(), _summary()
    a["input"]["channel"] = "SaO2"
    assert compare_summaries(a, b) == [
        "input.channel: differs (not shown: it may identify the patient)"
    ]


def test_long_texts_that_differ_are_shown_where_they_differ():
    # Each side was cut to its first 77 characters: two conflict reasons differing only in the
    # minutes at their end read 'summary says "SpO2 was down to 83 % ...", recomputed "SpO2 was
    # down to 83 % ..."', the same text twice
    why = (
        "SpO2 was down to 83 % for 12.0 min during the night, but the context documents a "
        "resting SpO2 of 96 % on the same day, and the two cannot both hold for {} min"
    )
    a, b = _summary(), _summary()
    a["qualification"]["conflicts"] = [{"id": "c", "why": why.format("25.0")}]
    b["qualification"]["conflicts"] = [{"id": "c", "why": why.format("12.5")}]
    (diff,) = compare_summaries(a, b)
    key, rest = diff.split(": summary says ")
    said, recomputed = rest.split(", recomputed ")
    assert key == "qualification.conflicts[c].why"
    assert said != recomputed
    assert said.startswith("...") and "hold for 25.0 min" in said and said.endswith('min"')
    assert recomputed.startswith("...") and "hold for 12.5 min" in recomputed
    assert len(said) <= 80 and len(recomputed) <= 80
    # a text that differs early is shown from its start, cut at the end as before
    a["qualification"]["conflicts"][0]["why"] = "T" + why.format("12.5")[1:]
    b["qualification"]["conflicts"][0]["why"] = why.format("12.5")
    (diff,) = compare_summaries(a, b)
    assert diff == (
        f'qualification.conflicts[c].why: summary says "T{why[1:76]}..., recomputed "{why[:76]}...'
    )
    # a long text one side holds more of: shown where the shorter one ends
    a["qualification"]["conflicts"][0]["why"] = why.format("12.5") + " (see page 2)"
    (diff,) = compare_summaries(a, b)
    assert diff.endswith('min (see page 2)", recomputed ...' + why.format("12.5")[-24:] + '"')
    # withheld text stays withheld, however long
    a, b = _summary(), _summary()
    a["patient"]["name"] = "Roe, Jane " + "x" * 200
    assert compare_summaries(a, b) == [
        "patient.name: differs (not shown: it may identify the patient)"
    ]


def test_another_recording_is_reported_first():
    a, b = _summary(), _summary()
    b["input"]["sha256"] = "cd" * 32
    b["recording"]["valid_min"] = 100.0
    diffs = compare_summaries(a, b)
    assert diffs[0].startswith("input.sha256: the summary was made from another file")
    assert any(d.startswith("recording.valid_min") for d in diffs)


def test_rules_are_matched_by_id_and_the_determination_is_compared():
    a, b = _summary(), _summary()
    a["qualification"]["determination"] = "qualified"
    a["qualification"]["rules"].reverse()  # order alone is no difference ...
    a["qualification"]["rules"][0]["met"] = True  # ... but a changed verdict is
    diffs = compare_summaries(a, b)
    assert (
        'qualification.determination: summary says "qualified", recomputed "indeterminate"' in diffs
    )
    assert (
        "qualification.rules[ii_a_2_order_90_days].met: summary says true, recomputed null" in diffs
    )


def test_added_and_removed_keys_and_type_changes():
    a, b = _summary(), _summary()
    a["metrics"]["presumed_sleep"]["extra"] = 1
    del a["metrics"]["presumed_sleep"]["odi4_per_h"]
    a["metrics"]["presumed_sleep"]["odi3_count"] = True
    diffs = compare_summaries(a, b)
    assert "metrics.presumed_sleep.extra: summary says 1, recomputed (absent)" in diffs
    assert "metrics.presumed_sleep.odi4_per_h: summary says (absent), recomputed 0.0" in diffs
    assert "metrics.presumed_sleep.odi3_count: summary says true, recomputed 3" in diffs
    # 12 and 12.0 are the same figure.
    a, b = _summary(), _summary()
    a["metrics"]["presumed_sleep"]["t_le88_min"] = 12
    assert compare_summaries(a, b) == []


def test_software_version_explains_differences_only():
    a, b = _summary(), _summary()
    a["software"]["version"] = "0.0.1"
    assert compare_summaries(a, b) == []
    a["recording"]["duration_min"] = 1.0
    diffs = compare_summaries(a, b)
    assert diffs[-1].startswith("software: the summary was made with")


def test_a_summary_without_clock_known_compares_as_its_oxi_implied_it():
    """Summaries written before ``input.clock_known`` (an oxi that read "no clock" from a start
    at the placeholder midnight without a date) verify where the reader says the same; where it
    does not (times of day from 00:00:00, which that oxi judged clockless), the key is named."""
    a, b = _summary(), _summary()
    assert b["input"]["clock_known"] is True
    del a["input"]["clock_known"]
    assert compare_summaries(a, b) == []  # a dated night: a clock, as implied
    for s in (a, b):
        s["input"].update(start="1900-01-01T00:00:00", date_known=False)
    b["input"]["clock_known"] = False
    assert compare_summaries(a, b) == []  # elapsed time only, as implied
    b["input"]["clock_known"] = True
    assert compare_summaries(a, b) == ["input.clock_known: summary says (absent), recomputed true"]
    a["input"]["clock_known"] = False  # written, it is compared as written
    assert compare_summaries(a, b) == ["input.clock_known: summary says false, recomputed true"]


def test_a_summary_written_before_clock_known_verifies(tmp_path):
    """End to end, one file with a clock and one of seconds from the start: their summaries
    without ``input.clock_known`` (as the oxi before it wrote them) still verify."""
    AnalyzeRequest, analyze_file = _pipeline()
    rows = [f"{i},{95 - (i // 600) % 3},70" for i in range(3600)]
    clocks = [
        f"22:{i // 60 % 60:02d}:{i % 60:02d},{r.split(',', 1)[1]}" for i, r in enumerate(rows)
    ]
    for name, header, lines in (("s", "seconds", rows), ("t", "time", clocks)):
        csv = tmp_path / f"{name}.csv"
        csv.write_text(f"{header},spo2,pulse\n" + "\n".join(lines) + "\n")
        out = tmp_path / name
        analyze_file(csv, AnalyzeRequest(report=False), out_dir=out)
        s = json.loads((out / "summary.json").read_text())
        assert s["input"]["clock_known"] is (name == "t")
        del s["input"]["clock_known"]
        (out / "summary.json").write_text(json.dumps(s))
        assert verify(out / "summary.json", csv) == []


def test_unreadable_summaries_are_project_errors(tmp_path):
    rec = tmp_path / "x.edf"
    rec.write_bytes(b"")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(OximetryError, match="invalid JSON"):
        verify(bad, rec)
    other = tmp_path / "other.json"
    other.write_text('{"schema": "something/2"}')
    with pytest.raises(OximetryError, match="schema is 'something/2'"):
        verify(other, rec)
    with pytest.raises(OximetryError, match="cannot read the summary"):
        verify(tmp_path / "missing.json", rec)


# --- end to end (needs the analysis and the criteria engine) ------------------------------------


def _pipeline():
    try:
        from criteria.evaluate import evaluate  # noqa: F401
        from oxi.pipeline import AnalyzeRequest, analyze_file
        from oximetry.analysis import analyze  # noqa: F401
    except ImportError as exc:  # the modules land in parallel; skip until they do
        pytest.skip(f"pipeline not available yet: {exc}")
    return AnalyzeRequest, analyze_file


def _night(tmp_path, seed=5, name="night.edf"):
    from oximetry.simulate import simulate_night, write_edf

    rec, _ = simulate_night(
        fs=1.0,
        duration_s=3 * 3600,
        seed=seed,
        desaturations=15,
        sustained_drops=[(4000.0, 420.0, 86.0)],
        artifacts=[(2000.0, 60.0, "nan")],
    )
    return write_edf(rec, tmp_path / name)


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    AnalyzeRequest, analyze_file = _pipeline()
    tmp = tmp_path_factory.mktemp("verify")
    edf = _night(tmp)
    out = tmp / "out"
    analyze_file(edf, AnalyzeRequest(report=False), out_dir=out)
    return edf, out / "summary.json"


def _edited(summary, tmp_path, data):
    """Copy the output folder and write an edited summary into the copy."""
    folder = tmp_path / "copy"
    shutil.copytree(summary.parent, folder)
    (folder / "summary.json").write_text(json.dumps(data))
    return folder / "summary.json"


def test_untouched_summary_verifies(analysed):
    edf, summary = analysed
    assert verify(summary, edf) == []


def test_renamed_recording_still_verifies(analysed, tmp_path):
    edf, summary = analysed
    moved = tmp_path / "renamed.edf"
    shutil.copy(edf, moved)
    assert verify(summary, moved) == []


def test_edited_number_fails(analysed, tmp_path):
    edf, summary = analysed
    s = json.loads(summary.read_text())
    main = s["main_window"]
    s["metrics"][main]["t_le88_min"] = s["metrics"][main]["t_le88_min"] + 1.0
    edited = _edited(summary, tmp_path, s)
    diffs = verify(edited, edf)
    assert len(diffs) == 1 and diffs[0].startswith(f"metrics.{main}.t_le88_min:")


def test_edited_determination_fails(analysed, tmp_path):
    edf, summary = analysed
    s = json.loads(summary.read_text())
    s["qualification"]["determination"] = (
        "qualified" if s["qualification"]["determination"] != "qualified" else "not_qualified"
    )
    edited = _edited(summary, tmp_path, s)
    assert any(d.startswith("qualification.determination") for d in verify(edited, edf))


def test_another_recording_fails(analysed, tmp_path):
    _, summary = analysed
    other = _night(tmp_path, seed=99, name="other.edf")
    diffs = verify(summary, other)
    assert diffs[0].startswith("input.sha256")
    assert len(diffs) > 1  # and the figures differ too


def test_other_settings_fail(analysed, tmp_path):
    edf, summary = analysed
    s = json.loads(summary.read_text())
    s["settings"]["lights_off_s"] = 600.0  # a setting --lights-off could have given
    edited = _edited(summary, tmp_path, s)
    assert verify(edited, edf) != []


def test_deidentified_summary_verifies(tmp_path):
    AnalyzeRequest, analyze_file = _pipeline()
    edf = _night(tmp_path)
    analyze_file(edf, AnalyzeRequest(report=False, deidentify=True), out_dir=tmp_path / "o")
    summary = tmp_path / "o" / "summary.json"
    assert json.loads(summary.read_text())["input"]["path"] != str(edf)
    assert verify(summary, edf) == []


def test_unreadable_recording_is_a_project_error(analysed, tmp_path):
    _, summary = analysed
    junk = tmp_path / "junk.edf"
    junk.write_bytes(b"0       not an edf at all")
    with pytest.raises(OximetryError):
        verify(summary, junk)


def test_comparison_is_not_fooled_by_a_copy():
    a = _summary()
    b = copy.deepcopy(a)
    b["events"]["table_sha256"] = "0" * 64
    assert compare_summaries(a, b)[0].startswith("events.table_sha256")


def test_summary_with_a_clinical_context_verifies(tmp_path):
    AnalyzeRequest, analyze_file = _pipeline()
    edf = _night(tmp_path)
    ctx = tmp_path / "context.yaml"
    ctx.write_text(
        "payer: masshealth\n"
        "patient:\n  birth_date: 1951-03-14\n"
        "test:\n  type: overnight\n  date: 2026-01-05\n  room_air: true\n"
        "  setting: outpatient\n  chronic_stable_state: true\n"
        "order:\n  date: 2026-01-02\n  prescriber: physician\n  flow_lpm: 2\n"
        "  hours_per_day: 8\n"
        "diagnoses: [J44.9]\n"
    )
    analyze_file(edf, AnalyzeRequest(report=False, context_path=str(ctx)), out_dir=tmp_path / "o")
    summary = tmp_path / "o" / "summary.json"
    s = json.loads(summary.read_text())
    assert s["context"] is not None and "1951-03-14" not in summary.read_text()
    assert verify(summary, edf) == []
    # Editing the recorded context changes what the rules see: the recorded verdicts no longer
    # follow from it.
    s["context"]["diagnoses"] = []
    summary.write_text(json.dumps(s))
    diffs = verify(summary, edf)
    assert diffs and all(d.startswith(("qualification.", "... and ")) for d in diffs), diffs


def test_an_edited_events_table_beside_the_summary_is_caught(tmp_path):
    AnalyzeRequest, analyze_file = _pipeline()
    edf = _night(tmp_path)
    analyze_file(edf, AnalyzeRequest(report=False), out_dir=tmp_path / "o")
    summary = tmp_path / "o" / "summary.json"
    assert verify(summary, edf) == []
    events = tmp_path / "o" / "events.csv"
    lines = events.read_text().splitlines(keepends=True)
    events.write_text("".join(lines[:-1]))  # one event quietly removed
    (diff,) = verify(summary, edf)
    assert diff.startswith("events.csv beside the summary is not the file it records")


def test_a_summary_with_an_ignored_fs_verifies(tmp_path):
    """read_options.fs records the rate option used (None when the file's own rate was) and
    fs_ignored the --fs given: verify gives it again and the run repeats its warning."""
    from oximetry.simulate import simulate_night
    from oximetry.simulate_native import write_contec

    AnalyzeRequest, analyze_file = _pipeline()
    rec, _ = simulate_night(fs=1.0, duration_s=3 * 3600, seed=5, desaturations=10)
    spo2 = write_contec(rec, tmp_path / "night.SpO2")
    analyze_file(spo2, AnalyzeRequest(report=False, fs=4.0), out_dir=tmp_path / "o")
    summary = tmp_path / "o" / "summary.json"
    s = json.loads(summary.read_text())
    assert s["input"]["read_options"]["fs"] is None
    assert s["input"]["read_options"]["fs_ignored"] == 4.0
    assert s["input"]["fs_hz"] == 1.0
    assert any(w.startswith("--fs 4 ignored") for w in s["warnings"])
    assert verify(summary, spo2) == []
    s["input"]["read_options"]["fs"] = 4.0  # both: no run of oxi writes that
    with pytest.raises(OximetryError, match="both fs and fs_ignored"):
        verify(_edited(summary, tmp_path, s), spo2)
