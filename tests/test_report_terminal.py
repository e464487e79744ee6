"""The terminal summary: aligned lines with the figures that matter, never an identifier."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oximetry.report import build_summary, format_terminal_summary
from oximetry.report.terminal import all_warnings, minutes, rule_status, rule_tally
from tests import report_data as rd


def _text(**kw):
    s = build_summary(rd.make_analysis(), qualification=rd.QUALIFICATION, **kw)
    paths = {
        k: Path("/out/night") / n
        for k, n in (("summary", "summary.json"), ("report", "report.pdf"))
    }
    return format_terminal_summary(s, paths)


def test_lines_are_aligned_and_carry_the_main_figures():
    text = _text()
    lines = text.splitlines()
    col = lines[0].index("120.0 min")
    assert all(line[col - 2 : col] == "  " for line in lines)
    assert "118.0 min (1.7 % artifact)" in text
    assert (
        "12.0 min cumulative (10.2 % of the 118.0 valid min), longest 12.0 min from 23:30:00"
        in text
    )
    assert "86 % at 23:30:00" in text
    assert "3 %: 1.5/h" in text
    assert "95.0 % (presumed awake)" in text
    assert lines[-2].startswith("Determination") and "INDETERMINATE" in lines[-2]
    assert lines[-3].startswith("Rules") and lines[-3].endswith(
        "2 rules: 1 met, 0 not met, 1 not evaluable, 0 not applicable"
    )
    assert lines[-4].startswith("Warnings  ")
    assert "missing: diagnoses, order.date" in text
    assert lines[-1].startswith("Files") and "summary.json, report.pdf in /out/night" in lines[-1]


def test_percent_and_rates_name_the_window_denominator_not_the_recordings():
    # A staged night: the sleep window holds less valid time than the recording. "% of valid"
    # under "Valid data 478.2 min" read as 20.8 / 478.2; the figure is of the window's minutes.
    s = build_summary(rd.make_analysis(), qualification=rd.QUALIFICATION)
    s["recording"]["valid_min"] = 478.2
    m = s["metrics"][s["main_window"]]
    m.update(valid_min=443.166667, t_le88_min=20.75, t_le88_pct=4.682211)
    text = format_terminal_summary(s, {})
    assert "20.7 min cumulative (4.7 % of the 443.1 valid min)" in text
    assert "(per hour of the 443.1 valid min)" in text
    assert "% of valid)" not in text


def test_no_identifiers_even_when_the_summary_has_them():
    text = _text(deidentify=False)
    for needle in (rd.NAME, rd.CODE, "1951", "night.edf"):
        assert needle not in text


def test_without_qualification_or_files():
    s = build_summary(rd.make_analysis())
    text = format_terminal_summary(s, {})
    assert "not evaluated" in text
    assert "Files" not in text


def test_exercise_segments_are_listed():
    s = build_summary(rd.make_analysis())
    s["metrics"]["exercise"] = {"sustained_nadir_pct": 87.0, "nadir_pct": 85.0, "valid_min": 6.0}
    assert "sustained nadir 87 %, nadir 85 %, 6.0 min valid" in format_terminal_summary(s, {})


def test_a_sustained_nadir_beside_its_lower_bound_shows_both():
    """A real walk (hypoxia_ubicomp/100001.csv, Masimo) held 67-68 % for a minute before a fast
    recovery on oxygen: its runs there rest on the rise's edge, and the terminal and the report
    printed "sustained nadir 86 %" with nothing beside it (hunt 15)."""
    from oximetry.report.textpage import stat_rows

    s = build_summary(rd.make_analysis())
    s["metrics"]["exercise"] = {
        "sustained_nadir_pct": 86.0, "sustained_nadir_low_pct": 68.0, "nadir_pct": 67.0,
        "valid_min": 7.0,
    }  # fmt: skip
    both = "86 % (68 % counting runs broken by artifact or on an artifact's edge), nadir 67 %"
    assert both in format_terminal_summary(s, {})
    assert both in dict(stat_rows(s))["Exercise"]
    s["metrics"]["exercise"]["sustained_nadir_low_pct"] = 86.0
    assert "sustained nadir 86 %, nadir 67 %" in format_terminal_summary(s, {})


def test_the_exercise_on_oxygen_segment_is_labelled_o2_in_capitals():
    """str.capitalize lowered the rest of the label: "Exercise on o2" (hunt 10)."""
    from oximetry.report.textpage import stat_rows

    s = build_summary(rd.make_analysis())
    s["metrics"]["exercise_o2"] = {"sustained_nadir_pct": 92.0, "nadir_pct": 91.0, "valid_min": 6.0}
    assert "\nExercise on O2 " in format_terminal_summary(s, {})
    assert "Exercise on O2" in dict(stat_rows(s))


def test_saturations_are_shown_as_the_rules_round_them():
    """SPEC §7 rounds x.5 up (floor(x + 0.5)); Python's .0f rounds half to even, so a sustained
    nadir of exactly 88.5 % was shown as 88 % beside the rule that read it as 89 (not met)."""
    s = build_summary(rd.make_analysis())
    s["metrics"]["exercise"] = {"sustained_nadir_pct": 88.5, "nadir_pct": 86.5, "valid_min": 6.0}
    s["metrics"][s["main_window"]]["nadir_pct"] = 90.5
    text = format_terminal_summary(s, {})
    assert "sustained nadir 89 % (88.5 %), nadir 87 %" in text
    assert "Nadir           91 %" in text


def test_rule_status_read_from_status_or_from_met_in_older_summaries():
    assert rule_status({"met": True, "status": "not_applicable"}) == "not_applicable"
    assert rule_status({"met": None, "status": "not_evaluable"}) == "not_evaluable"
    assert [rule_status({"met": m}) for m in (True, False, None)] == [
        "met",
        "not_met",
        "not_evaluable",
    ]
    assert rule_status({"met": "yes"}) is None
    rules = [{"met": True, "status": "not_applicable"}, {"met": False}, {"met": True}]
    assert rule_tally(rules) == "3 rules: 1 met, 1 not met, 0 not evaluable, 1 not applicable"


def test_basis_line_cites_the_findings_when_qualified():
    q = {**rd.QUALIFICATION, "determination": "qualified", "basis": ["ii_a_2_b_ii_b_sleep"]}
    s = build_summary(rd.make_analysis(), qualification=q)
    lines = format_terminal_summary(s, {}).splitlines()
    assert lines[-2].startswith("Determination") and "QUALIFIED" in lines[-2]
    assert lines[-1].split() == ["Basis", "MG-OXY", "II.A.2.b.ii.B"]
    for det in ("indeterminate", "not_qualified"):
        s = build_summary(rd.make_analysis(), qualification={**q, "determination": det})
        assert "Basis" not in format_terminal_summary(s, {})


def test_warning_count_includes_the_qualifications_warnings_once():
    s = build_summary(rd.make_analysis(), qualification=rd.QUALIFICATION)
    n_analysis = len(s["warnings"])
    q = dict(s["qualification"])
    q["warnings"] = ["Qualified on findings during sleep only.", s["warnings"][0]]
    s["qualification"] = q
    text = format_terminal_summary(s, {})
    line = next(x for x in text.splitlines() if x.startswith("Warnings"))
    assert f"  {n_analysis + 1} (" in line  # the repeated one is counted once


def _from_midnight(clock_known: bool | None) -> dict:  # type: ignore[type-arg]
    """A summary of a file without a date starting at the placeholder midnight."""
    s = build_summary(rd.make_analysis(), qualification=rd.QUALIFICATION)
    s["input"] = {**s["input"], "start": "1900-01-01T00:00:00", "date_known": False}
    if clock_known is None:
        del s["input"]["clock_known"]  # written before the key was
    else:
        s["input"]["clock_known"] = clock_known
    m = s["metrics"]["presumed_sleep"]
    m["nadir_time"] = "1900-01-01T00:41:56"
    m["longest_le88_start"] = "1900-01-01T01:00:00"
    return s


@pytest.mark.parametrize("clock_known", [False, None])
def test_a_file_without_date_or_clock_prints_elapsed_times(clock_known: bool | None):
    text = format_terminal_summary(_from_midnight(clock_known), {})
    assert "at 0:41:56 elapsed" in text and "from 1:00:00 elapsed" in text
    assert "00:41:56" not in text


def test_a_clock_from_midnight_prints_clock_times():
    """A file of times of day whose first row is 00:00:00 starts at the placeholder midnight too:
    its times were printed as elapsed ("0:41:56 elapsed") beside a clock the file holds."""
    text = format_terminal_summary(_from_midnight(True), {})
    assert "at 00:41:56" in text and "from 01:00:00" in text
    assert "elapsed" not in text


def test_durations_are_cut_never_rounded_up_across_a_rule_minute():
    # 299 samples at 1 Hz ≤ 88 % (4.983 min) is NOT MET for "5 minutes"; "5.0 min" beside it
    # read as met. Every duration on the terminal and page 1 is cut to 0.1 min.
    from oximetry.report.textpage import stat_rows

    s = build_summary(rd.make_analysis(), qualification=rd.QUALIFICATION)
    s["recording"]["valid_min"] = 119.983333
    s["recording"]["duration_min"] = 373.366667  # the Recording row: 373.3, as page 1 prints it
    m = s["metrics"][s["main_window"]]
    m.update(
        valid_min=119.983333,
        t_le88_min=4.983333,
        longest_le88_min=4.983333,
        drop5_min=4.983333,
        longest_drop5_min=4.983333,
    )
    text = format_terminal_summary(s, {})
    page = "\n".join(v for _, v in stat_rows(s))
    for out in (text, page):
        assert "4.9 min cumulative" in out
        assert "5.0 min" not in out and "119.9 min" in out
    assert "longest run 4.9 min" in page and "longest 4.9 min" in page
    assert "373.3 min (6.22 h)" in text and "373.4" not in text
    assert "1.99 h valid" in page


_SATURATIONS = st.floats(min_value=0.5, max_value=100.0, allow_nan=False)


@settings(max_examples=2000, deadline=None)
@given(
    x=_SATURATIONS
    | _SATURATIONS.map(lambda v: round(v, 6))
    | st.sampled_from(
        [88.46, 88.5, 88.49999999999999, 88.4999999, 88.4999996, 88.45, 88.55, 89.0, 0.5, 100.0]
    )
)
def test_a_saturation_shown_to_a_tenth_rounds_as_the_rules_round_it(x):
    """A payer rounds the printed figure half up; the rules round the unprinted one, b =
    floor(x + 0.5) (SPEC §7). Shown to one decimal, an awake baseline of 88.46 read "88.5"
    (89) beside "rounds to 88 %". Cut there, the two agree; x below 0.5 is left out because there
    floating point rounds x + 0.5 itself (0.49999999999999994 + 0.5 == 1.0)."""
    from decimal import ROUND_HALF_UP, Decimal

    from criteria.rules.base import pct
    from oximetry.report.terminal import saturation_tenths

    shown = saturation_tenths(x)
    assert int(Decimal(shown).quantize(Decimal(1), rounding=ROUND_HALF_UP)) == pct(x), shown
    # and it is the figure rounded to a tenth, or cut (less than 0.1 below) just under a half
    # or a whole number; a tenth lower where the cut's 6 decimals lift x onto one (1.99999999)
    if float(shown) != round(x, 1):
        cut = minutes(x)
        assert x - 0.1 < float(shown) <= x + 1e-6
        assert shown in (cut, f"{float(cut) - 0.1:.1f}")


@settings(max_examples=2000, deadline=None)
@given(
    x=_SATURATIONS
    | _SATURATIONS.map(lambda v: round(v, 6))
    | st.sampled_from([88.96, 88.99999999, 88.9999999, 88.95, 88.46, 89.0, 99.96, 100.0])
)
def test_a_saturation_shown_to_a_tenth_never_crosses_a_whole_number(x):
    """Medicare compares an awake baseline unrounded (medicare-oxygen.md A5): 88.96 was printed
    "89.0 %" on page 1 beside an I-2 "NOT MET ... with awake ≥ 89 %" (hunt 10). The shown figure
    is below a whole number n exactly when x is, and below n + 0.5 exactly when x is."""
    from oximetry.report.terminal import saturation_tenths

    shown = float(saturation_tenths(x))
    assert math.floor(shown) == math.floor(x) and math.floor(shown + 0.5) == math.floor(x + 0.5)
    assert x - 0.1 < shown <= x + 0.05 + 1e-9  # the figure rounded to a tenth, or cut


def test_a_saturation_near_a_threshold_is_cut_elsewhere_rounded():
    from oximetry.report.terminal import saturation_tenths

    shown = [saturation_tenths(x) for x in (88.96, 88.46, 88.44, 88.26, 89.04, 88.99999999)]
    assert shown == ["88.9", "88.4", "88.4", "88.3", "89.0", "88.9"]


def test_a_baseline_or_median_is_never_printed_on_the_other_side_of_the_rules_rounding():
    """A night flat at 88.46 % (15 min at 84.47 %): summary.json's awake baseline 88.46 was
    printed "88.5 %" on page 1 and the terminal, and its median too, beside "The awake
    baseline rounds to 88 %"; a reviewer rounding 88.5 reads 89, MassHealth's awake ≥ 89 %
    (hunt 9). Shown cut, 88.4."""
    import datetime as dt

    from criteria import Context, Evidence, evaluate
    from oximetry.analysis import analyze
    from oximetry.report.tables_page import tables_page
    from oximetry.report.textpage import stat_rows
    from oximetry.settings import AnalysisSettings
    from oximetry.simulate import SustainedDrop, simulate_night

    rec, _ = simulate_night(
        fs=1.0,
        duration_s=3 * 3600,
        seed=9,
        baseline_pct=88.46,
        quantize=False,
        noise_pts=0.0,
        sustained_drops=[SustainedDrop(3600, 900, 84.47)],
        start=dt.datetime(2026, 1, 5, 22, 0),
    )
    a = analyze(rec, AnalysisSettings())
    s = build_summary(a)
    s["qualification"] = evaluate(
        Context.from_dict({"payer": "masshealth"}), Evidence.from_summary(s)
    ).to_dict()
    m = s["metrics"][s["main_window"]]
    assert m["awake_baseline_pct"] == 88.46 and m["median_pct"] == 88.46
    text = format_terminal_summary(s, {})
    page = "\n".join(v for _, v in stat_rows(s))
    assert "Awake baseline  88.4 % (first 5.0 min of valid data, presumed awake)" in text
    assert (
        "88.4 % (first 5.0 min of valid data, presumed awake)" in page and "/ 88.4 %" in page
    )  # the median
    assert "88.5" not in text + page
    assert any("rounds to 88 %" in w for w in all_warnings(s))  # the rules' own reading
    # a walk's median and the tables page's mean nadir alike
    s["metrics"]["exercise"] = {
        "sustained_nadir_pct": 88.0, "nadir_pct": 87.0, "median_pct": 89.49, "valid_min": 6.0
    }  # fmt: skip
    m["desaturations"]["odi3"]["mean_nadir_pct"] = 88.49
    assert "median 89.4 %" in "\n".join(v for _, v in stat_rows(s))
    cells = [t.get_text() for t in tables_page(a, s).texts]
    assert "89.4" in cells and "88.4" in cells
    assert "89.5" not in cells and "88.5" not in cells


def test_medicare_prints_the_drop_below_the_tests_mean_it_decides_on():
    # A Medicare night QUALIFIED on Group I-3 (15.15 min more than 5 points below its mean of
    # 96.66 %) printed only "> 5 points below for 0.0 min" (below the awake baseline, which
    # Medicare does not read), as page 1 did before hunt 10 (hunt 13). MassHealth keeps its rows.
    s = build_summary(rd.make_analysis(), qualification={**rd.QUALIFICATION, "profile": "medicare"})
    m = s["metrics"][s["main_window"]]
    m.update(
        drop5_min=0.0, mean_pct=96.664484, drop5_from_mean_min=15.15,
        longest_drop5_from_mean_min=0.283333,
    )  # fmt: skip
    text = format_terminal_summary(s, {})
    (row,) = [line for line in text.splitlines() if line.startswith("Below mean - 5")]
    assert row.split("  ", 1)[1].strip() == (
        "15.1 min cumulative, longest 0.2 min, below 91.66 % (the test's mean 96.66 % - 5; "
        "Medicare Group I-3)"
    )
    s["qualification"]["profile"] = "masshealth"
    assert "Below mean" not in format_terminal_summary(s, {})


def test_the_recordings_hours_are_cut_never_rounded_up_to_two():
    # A recording of 119.99 min (17 997.5 samples at 2.5 Hz) printed "119.9 min (2.00 h)", its
    # hours rounded up onto the 2 h an overnight study needs (hunt 13); page 1 cuts its hours.
    s = build_summary(rd.make_analysis(), qualification=rd.QUALIFICATION)
    s["recording"]["duration_min"] = 119.993333
    (row,) = [x for x in format_terminal_summary(s, {}).splitlines() if x.startswith("Recording")]
    assert "119.9 min (1.99 h)" in row


def test_the_minutes_below_90_the_pediatric_and_89_findings_read_are_printed():
    # A child's night QUALIFIED (pediatric, MG-OXY II.A.2.d) on 15.15 min at or below 90 %
    # printed only "SpO2 <= 88 %  0.0 min cumulative" (hunt 13); page 1 gives both figures.
    s = build_summary(rd.make_analysis(), qualification=rd.QUALIFICATION)
    s["metrics"][s["main_window"]].update(t_le88_min=0.0, t_lt90_min=4.816667, t_le90_min=15.15)
    rows = dict(
        (line[:14].strip(), line[14:].strip())
        for line in format_terminal_summary(s, {}).splitlines()
    )
    assert rows["SpO2 < 90 %"] == "4.8 min cumulative; <= 90 %: 15.1 min"


def test_a_sustained_nadir_that_is_not_whole_carries_its_value():
    # A walk's sustained nadir of 88.4 % printed "sustained nadir 88 %" on the terminal, page 1
    # and the segment table beside a Medicare NOT QUALIFIED (no Group I-4: 88.4 is not at or
    # below 88 unrounded), reading as the 88 % that qualifies (hunt 13).
    from oximetry.report.textpage import stat_rows

    s = build_summary(rd.make_analysis(), qualification=rd.QUALIFICATION)
    s["metrics"]["exercise"] = {"sustained_nadir_pct": 88.4, "nadir_pct": 88.4, "valid_min": 6.0}
    s["metrics"]["rest"] = {"sustained_nadir_pct": 95.0, "nadir_pct": 95.0, "valid_min": 5.0}
    text = format_terminal_summary(s, {})
    page = dict(stat_rows(s))
    assert "Exercise        sustained nadir 88 % (88.4 %), nadir 88 %" in text
    assert page["Exercise"].startswith("sustained nadir (≥ 10 s) 88 % (88.4 %), ")
    assert "sustained nadir 95 %, nadir 95 %" in text  # a whole value as before
