"""``oxi verify SUMMARY REC --annotations FILE``: a run given its annotations from elsewhere.

``oxi analyze REC --annotations FILE`` records the file (its path, or ``sha256:<hex>`` with
``--deidentify``) and its sha256. The reviewer who has the file elsewhere gives it to
``oxi verify``; the file must be the one the summary records (a different or edited file is a
difference, exit 1), and without it verify says in one line which file is missing (exit 2).
Everything goes through the command line, as a reviewer runs it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from oxi.cli import main
from oximetry.simulate import Desaturation, simulate_night, write_edf
from tests.nsrr_fixtures import nsrr_xml

START = dt.datetime(2026, 3, 2, 22, 30, 0)
STAGES = ((0.0, 1800.0, "W"), (1800.0, 5400.0, "N2"), (7200.0, 3600.0, "R"))
DESATS = (Desaturation(2400.0, 6.0, 30.0), Desaturation(8000.0, 8.0, 40.0))
SCORED = ((2400.0, 30.0, 90.0, 96.0), (8000.0, 40.0, 88.0, 96.0))


@pytest.fixture()
def edf(tmp_path: Path) -> Path:
    night, _ = simulate_night(
        fs=1.0, duration_s=3 * 3600, seed=23, desaturations=DESATS, start=START
    )
    (tmp_path / "rec").mkdir()
    return write_edf(night, tmp_path / "rec" / "shhs1-200002.edf")


@pytest.fixture()
def scoring(tmp_path: Path) -> Path:
    """The annotation file as the analysing lab had it: in a folder of its own, another name."""
    (tmp_path / "lab").mkdir()
    path = tmp_path / "lab" / "scoring-200002.xml"
    path.write_text(nsrr_xml(START, STAGES, SCORED))
    return path


def _analyze(edf: Path, xml: Path, out: Path, *extra: str) -> dict:
    args = ["analyze", str(edf), "--annotations", str(xml), "--out", str(out), *extra]
    assert main(args) == 0
    return json.loads((out / "summary.json").read_text())


def _reviewer_copy(xml: Path, tmp_path: Path) -> Path:
    """Move the file out of the place the summary records, as a reviewer receives it."""
    (tmp_path / "review").mkdir(exist_ok=True)
    copy = tmp_path / "review" / "received.xml"
    shutil.move(xml, copy)
    return copy


@pytest.mark.parametrize("deidentify", [False, True])
def test_a_run_with_annotations_from_elsewhere_verifies_with_them(
    edf: Path,
    scoring: Path,
    tmp_path: Path,
    deidentify: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    extra = ("--deidentify",) if deidentify else ()
    summary = _analyze(edf, scoring, tmp_path / "out", "--no-report", *extra)
    digest = hashlib.sha256(scoring.read_bytes()).hexdigest()
    options = summary["input"]["read_options"]
    assert options["annotations_sha256"] == digest
    assert options["annotations"] == (f"sha256:{digest}" if deidentify else str(scoring))
    assert summary["main_window"] == "sleep"  # staged by the file: it matters to the figures
    copy = _reviewer_copy(scoring, tmp_path)
    capsys.readouterr()
    code = main(["verify", str(tmp_path / "out" / "summary.json"), str(edf), "--annotations",
                 str(copy)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.startswith("verified")


@pytest.mark.parametrize("deidentify", [False, True])
def test_without_the_file_verify_says_in_one_line_which_file_is_missing(
    edf: Path,
    scoring: Path,
    tmp_path: Path,
    deidentify: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    extra = ("--deidentify",) if deidentify else ()
    summary_path = tmp_path / "out" / "summary.json"
    _analyze(edf, scoring, tmp_path / "out", "--no-report", *extra)
    _reviewer_copy(scoring, tmp_path)
    capsys.readouterr()
    assert main(["verify", str(summary_path), str(edf)]) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert err.count("\n") == 1 and "Traceback" not in err and captured.out == ""
    assert str(summary_path) in err and "--annotations FILE" in err
    if deidentify:  # named by its hash: its path may name the subject
        digest = hashlib.sha256((tmp_path / "review" / "received.xml").read_bytes()).hexdigest()
        assert digest[:16] in err and "scoring-200002" not in err
    else:
        assert str(scoring) in err


@pytest.mark.parametrize("deidentify", [False, True])
@pytest.mark.parametrize("change", ["edited", "another"])
def test_a_wrong_or_edited_annotation_file_is_a_difference_named_as_such(
    edf: Path,
    scoring: Path,
    tmp_path: Path,
    deidentify: bool,
    change: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    extra = ("--deidentify",) if deidentify else ()
    summary_path = tmp_path / "out" / "summary.json"
    _analyze(edf, scoring, tmp_path / "out", "--no-report", *extra)
    copy = _reviewer_copy(scoring, tmp_path)
    if change == "edited":  # one scored nadir changed by a point
        copy.write_text(copy.read_text().replace("<SpO2Nadir>90<", "<SpO2Nadir>89<", 1))
    else:  # another night's scoring: REM an hour earlier
        copy.write_text(nsrr_xml(START, ((0.0, 1800.0, "W"), (1800.0, 9000.0, "R")), SCORED))
    capsys.readouterr()
    code = main(["verify", str(summary_path), str(edf), "--annotations", str(copy)])
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("NOT VERIFIED")
    named = "input.read_options.annotations: the annotation file read for the recording is not "
    assert named in out
    assert "input.sha256" not in out  # the recording is the same: only the annotations differ


def test_the_edited_file_at_the_recorded_path_is_a_difference_too(
    edf: Path, scoring: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary_path = tmp_path / "out" / "summary.json"
    _analyze(edf, scoring, tmp_path / "out", "--no-report")
    scoring.write_text(scoring.read_text().replace("<SpO2Nadir>90<", "<SpO2Nadir>89<", 1))
    capsys.readouterr()
    assert main(["verify", str(summary_path), str(edf)]) == 1
    assert "the annotation file read for the recording is not" in capsys.readouterr().out


def test_annotations_given_for_a_summary_made_without_them_is_a_difference(
    edf: Path, scoring: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["analyze", str(edf), "--no-report", "--out", str(out)]) == 0
    capsys.readouterr()
    code = main(["verify", str(out / "summary.json"), str(edf), "--annotations", str(scoring)])
    assert code == 1
    assert "the summary records no annotation file for the recording" in capsys.readouterr().out


def test_a_missing_annotations_argument_is_bad_input(
    edf: Path, scoring: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    _analyze(edf, scoring, out, "--no-report")
    capsys.readouterr()
    gone = tmp_path / "nowhere.xml"
    assert main(["verify", str(out / "summary.json"), str(edf), "--annotations", str(gone)]) == 2
    err = capsys.readouterr().err
    assert err == f"oxi: {gone}: no such file\n"


@pytest.mark.parametrize("deidentify", [False, True])
def test_the_report_is_rendered_again_from_the_given_annotations(
    edf: Path,
    scoring: Path,
    tmp_path: Path,
    deidentify: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # With a report: the trace and the report (no context: nothing identifying on page 1) are
    # rendered again from the re-analysis, so the stages read from the given file must be the
    # ones used, and the file's other path must not show in them.
    _analyze(edf, scoring, tmp_path / "out", *(("--deidentify",) if deidentify else ()))
    copy = _reviewer_copy(scoring, tmp_path)
    capsys.readouterr()
    summary_path = tmp_path / "out" / "summary.json"
    assert main(["verify", str(summary_path), str(edf), "--annotations", str(copy)]) == 0


def _sha16(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _notes(out: str) -> list[str]:
    return [line.removeprefix("note: ") for line in out.splitlines() if line.startswith("note: ")]


@pytest.fixture()
def lab_beside(edf: Path) -> Path:
    """The lab's own scoring, NSRR-named beside the EDF: awake until 2 h, where the supplier's
    file (``scoring``) has sleep from 30 min, so the two give other figures."""
    path = edf.with_name(f"{edf.stem}-nsrr.xml")
    path.write_text(nsrr_xml(START, ((0.0, 7200.0, "W"), (7200.0, 3600.0, "N2")), SCORED))
    return path


@pytest.mark.parametrize("deidentify", [False, True])
def test_verify_names_the_scoring_it_used_and_an_nsrr_file_beside_that_is_another(
    edf: Path,
    scoring: Path,
    lab_beside: Path,
    tmp_path: Path,
    deidentify: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A supplier's summary made with ``--annotations`` of its own scoring verified in silence
    beside the lab's ``<name>-nsrr.xml``, which oxi analyze reads by default and which gives
    other figures (hunt 12: not qualified against qualified). Verify keeps its verdict, names
    the file whose stages it used, and says the NSRR file beside is another and how to compare.
    A de-identified summary's file found beside the recording is not named (docs/privacy.md)."""
    extra = ("--deidentify",) if deidentify else ()
    summary = _analyze(edf, scoring, tmp_path / "out", "--no-report", *extra)
    plain = tmp_path / "plain"
    assert main(["analyze", str(edf), "--no-report", "--out", str(plain), *extra]) == 0
    by_lab = json.loads((plain / "summary.json").read_text())
    assert by_lab["metrics"] != summary["metrics"]  # the scoring matters to the figures
    given: tuple[str, ...] = ()
    used = scoring
    if deidentify:  # recorded by its sha256 only: the reviewer gives the file received
        used = _reviewer_copy(scoring, tmp_path)
        given = ("--annotations", str(used))
    capsys.readouterr()
    assert main(["verify", str(tmp_path / "out" / "summary.json"), str(edf), *given]) == 0
    out = capsys.readouterr().out
    assert out.startswith("verified")
    how = "given with --annotations" if deidentify else "at the path the summary records"
    first, second = _notes(out)[-2:]
    assert first == (
        f"sleep stages and scored events were read from {used} ({how}; sha256 "
        f"{_sha16(used)}…): every figure and the determination are those of its scoring"
    )
    assert f"sha256 {_sha16(lab_beside)}…" in second
    assert "is another file and was not used" in second
    if deidentify:
        assert "shhs1-200002" not in second and "name withheld" in second
    else:
        assert second.startswith(f"{lab_beside} beside the recording")
        assert f"run oxi analyze {edf} --annotations {lab_beside} with the same context" in second


@pytest.mark.parametrize("deidentify", [False, True])
def test_verify_names_the_nsrr_file_beside_when_it_is_the_one_used(
    edf: Path,
    lab_beside: Path,
    tmp_path: Path,
    deidentify: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    extra = ("--deidentify",) if deidentify else ()
    out_dir = tmp_path / "out"
    assert main(["analyze", str(edf), "--no-report", "--out", str(out_dir), *extra]) == 0
    capsys.readouterr()
    assert main(["verify", str(out_dir / "summary.json"), str(edf)]) == 0
    notes = [n for n in _notes(capsys.readouterr().out) if "annotation" in n or "scoring" in n]
    withheld = ", name withheld: the summary is de-identified" if deidentify else ""
    name = "the annotation file" if deidentify else str(lab_beside)
    assert notes == [
        f"sleep stages and scored events were read from {name} (NSRR-named beside the "
        f"recording{withheld}; sha256 {_sha16(lab_beside)}…): every figure and the "
        "determination are those of its scoring"
    ]


def test_verify_of_a_night_without_annotations_says_nothing_of_them(
    edf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    assert main(["analyze", str(edf), "--no-report", "--out", str(out_dir)]) == 0
    capsys.readouterr()
    assert main(["verify", str(out_dir / "summary.json"), str(edf)]) == 0
    assert "annotation" not in capsys.readouterr().out
