"""The input is never modified (SPEC §10), even when it sits where an output is written.

A CSV export named ``events.csv`` (or a context named ``summary.json``) analysed with ``--out``
its own folder was replaced by the outputs: the folder held only output names, so it was swapped
whole and the recording deleted with it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from oxi.cli import main
from oximetry.simulate import simulate_night, write_csv


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def csv_named_events(tmp_path: Path) -> Path:
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=2)
    folder = tmp_path / "night"
    folder.mkdir()
    return write_csv(rec, folder / "events.csv")


def test_a_recording_named_like_an_output_is_not_overwritten(
    csv_named_events: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``oxi analyze night/events.csv --out night`` wrote the events table over the recording."""
    before = _sha(csv_named_events)
    folder = csv_named_events.parent
    assert main(["analyze", str(csv_named_events), "--out", str(folder), "--no-report"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"oxi: {csv_named_events}: an input of this analysis; --out {folder} would write "
        "events.csv over it (give another --out)\n"
    )
    assert _sha(csv_named_events) == before
    assert sorted(p.name for p in folder.iterdir()) == ["events.csv"]  # nothing written


def test_a_context_named_like_an_output_is_not_overwritten(
    csv_named_events: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A JSON context named summary.json in the output folder, reached by another spelling."""
    out = tmp_path / "out"
    out.mkdir()
    context = out / "summary.json"
    context.write_text(json.dumps({"payer": "masshealth", "diagnoses": ["J44.9"]}))
    before = _sha(context)
    spelled = tmp_path / "out" / ".." / "out" / "summary.json"
    argv = ["analyze", str(csv_named_events), "--out", str(out), "--context", str(spelled)]
    assert main([*argv, "--no-report"]) == 2
    assert "would write summary.json over it" in capsys.readouterr().err
    assert _sha(context) == before


def test_an_output_folder_beside_its_input_is_fine(
    csv_named_events: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The check is on the files, not the folder: another recording name writes there as ever."""
    other = csv_named_events.with_name("night1.csv")
    csv_named_events.rename(other)
    assert main(["analyze", str(other), "--out", str(other.parent), "--no-report"]) == 0
    assert {p.name for p in other.parent.iterdir()} == {"night1.csv", "summary.json", "events.csv"}


def test_a_batch_input_named_cohort_csv_is_not_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``oxi batch data/cohort.csv --out data`` analysed the recording, then wrote the table over
    it; refused before anything is analysed."""
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=2)
    data = tmp_path / "data"
    data.mkdir()
    given = write_csv(rec, data / "cohort.csv")
    before = _sha(given)
    assert main(["batch", str(given), "--out", str(data), "--no-report", "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"oxi: {given}: an input of this batch; --out {data} would write cohort.csv over it "
        "(give another --out)\n"
    )
    assert _sha(given) == before
    assert [p.name for p in data.iterdir()] == ["cohort.csv"]


@pytest.mark.parametrize("absolute", [False, True], ids=["dot", "absolute"])
def test_out_may_name_the_working_folder(
    csv_named_events: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    absolute: bool,
) -> None:
    """``--out .`` in an empty folder (or one holding only outputs, a re-run) was an internal
    error ('.' has no name to put a temporary beside); given by its absolute path the working
    folder was swapped whole, leaving the user's shell in a deleted folder. Written in place."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    argv = [
        "analyze",
        str(csv_named_events),
        "--out",
        str(work) if absolute else ".",
        "--no-report",
    ]
    for _ in range(2):  # the second run finds only outputs there
        assert main(argv) == 0, capsys.readouterr().err
        assert os.path.samefile(os.getcwd(), work) and (work / "summary.json").is_file()
        assert os.stat(".").st_nlink > 0 and Path.cwd().exists()
    assert {p.name for p in work.iterdir()} == {"summary.json", "events.csv"}


def test_a_night_folder_holding_its_own_outputs_is_read_without_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A split night analysed into its own folder (or handed over with its outputs): verifying
    or re-analysing the folder read summary.json and events.csv as parts of the night (exit 2).
    The night's files are not named as unchecked beside the summary; a stray file is."""
    from oximetry.simulate_native import write_contec
    from tests.test_join_verify import CUTS, PLATEAU, START, _piece

    rec, _ = simulate_night(
        fs=1.0, duration_s=3 * 3600, seed=41, sustained_drops=[PLATEAU], start=START
    )
    folder = tmp_path / "night"
    folder.mkdir()
    for k, (a, b) in enumerate(CUTS):
        write_contec(_piece(rec, a, b), folder / f"part{k}.SpO2")
    argv = ["analyze", str(folder), "--out", str(folder), "--no-report"]
    assert main(argv) == 0
    assert main(argv) == 0, capsys.readouterr().err  # again, beside its outputs
    capsys.readouterr()
    assert main(["verify", str(folder / "summary.json"), str(folder)]) == 0
    assert "note:" not in capsys.readouterr().out
    (folder / ".notes").write_text("x")
    assert main(["verify", str(folder / "summary.json"), str(folder)]) == 0
    assert "1 other file(s) beside the summary" in capsys.readouterr().out


def test_a_batch_recording_where_another_ones_output_goes_is_not_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``oxi batch data --out data`` with ``data/a.csv`` beside an oximetry export saved as
    ``data/a/events.csv``: a.csv's outputs go to ``data/a/`` and its events table replaced the
    other recording (whose next run then took it for an output and left it out). Refused before
    anything is analysed or written."""
    data = tmp_path / "data"
    (data / "a").mkdir(parents=True)
    first, _ = simulate_night(fs=1.0, duration_s=3600, seed=2)
    second, _ = simulate_night(fs=1.0, duration_s=3600, seed=3, baseline_pct=90.0)
    write_csv(first, data / "a.csv")
    other = write_csv(second, data / "a" / "events.csv")
    before = _sha(other)
    argv = ["batch", str(data), "--out", str(data), "--no-report", "--jobs", "1", "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == (
        f"oxi: {other}: an input of this batch; --out {data} would write {other} (an output "
        f"of {data / 'a.csv'}) over it (give another --out)\n"
    )
    assert _sha(other) == before
    assert sorted(p.relative_to(data).as_posix() for p in data.rglob("*")) == [
        "a",
        "a.csv",
        "a/events.csv",
    ]


def test_a_device_file_where_its_own_output_folder_goes_is_refused_up_front(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An O2Ring-S night has no ending: its output folder's name is the file's, so with
    ``--out`` its own folder the batch wrote an error row ("Not a directory", exit 3) on every
    run instead of refusing the layout."""
    import datetime as dt

    from oximetry.simulate_native import write_o2ring_s

    data = tmp_path / "data"
    data.mkdir()
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=1, start=dt.datetime(2026, 1, 5, 22))
    night = write_o2ring_s(rec, data)
    before = _sha(night)
    argv = ["batch", str(data / "*"), "--out", str(data), "--no-report", "--jobs", "1", "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == (
        f"oxi: {night}: an input of this batch; --out {data} would put the output folder of "
        f"{night} in its place (give another --out)\n"
    )
    assert _sha(night) == before and sorted(p.name for p in data.iterdir()) == [night.name]


def test_a_batch_context_where_an_output_goes_is_not_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--context out/n/summary.json`` (a JSON context so named) with ``n.csv --out out``."""
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=2)
    given = write_csv(rec, tmp_path / "n.csv")
    out = tmp_path / "out"
    (out / "n").mkdir(parents=True)
    context = out / "n" / "summary.json"
    context.write_text(json.dumps({"payer": "masshealth", "diagnoses": ["J44.9"]}))
    before = _sha(context)
    argv = ["batch", str(given), "--out", str(out), "--context", str(context), "--no-report"]
    assert main([*argv, "--jobs", "1", "--quiet"]) == 2
    assert "would write" in capsys.readouterr().err
    assert _sha(context) == before


def test_inputs_inside_a_folder_named_like_an_output_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``oxi analyze out/report.pdf/night.csv --context out/report.pdf/ctx.yaml --out out``
    exited 0 and deleted the recording and the context: ``out`` held only output names, so it
    was swapped whole and the old folder, ``report.pdf/`` with the inputs in it, removed."""
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=2)
    out = tmp_path / "out"
    inside = out / "report.pdf"
    inside.mkdir(parents=True)
    night = write_csv(rec, inside / "night.csv")
    context = inside / "ctx.yaml"
    context.write_text((Path(__file__).parents[1] / "data" / "example-context.yaml").read_text())
    before = {p.name: _sha(p) for p in (night, context)}
    argv = ["analyze", str(night), "--context", str(context), "--out", str(out)]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"oxi: {night}: an input of this analysis, inside {inside}, where --out {out} writes "
        "report.pdf (give another --out)\n"
    )
    # the context alone inside it (the recording elsewhere), with --no-report: refused too
    elsewhere = write_csv(rec, tmp_path / "n.csv")
    argv = ["analyze", str(elsewhere), "--context", str(context), "--out", str(out)]
    assert main([*argv, "--no-report"]) == 2
    assert capsys.readouterr().err.startswith(f"oxi: {context}: an input of this analysis, inside")
    assert {p.name: _sha(p) for p in (night, context)} == before
    assert sorted(p.name for p in out.iterdir()) == ["report.pdf"]  # nothing written


def test_a_folder_named_like_an_output_is_never_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A user's folder ``trace.png`` holding notes.txt, beside nothing but output names, went
    with the old set when the folder was swapped whole (exit 0): it is refused, one line."""
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=2)
    night = write_csv(rec, tmp_path / "n.csv")
    out = tmp_path / "out"
    (out / "trace.png").mkdir(parents=True)
    (out / "trace.png" / "notes.txt").write_text("mine")
    (out / "summary.json").write_text("{}")
    assert main(["analyze", str(night), "--out", str(out), "--no-report"]) == 2
    assert capsys.readouterr().err == (
        f"oxi: {out / 'trace.png'}: a folder where oxi writes its trace.png, so not an output "
        "of oxi: it is never replaced (move it, or write the outputs elsewhere)\n"
    )
    assert (out / "trace.png" / "notes.txt").read_text() == "mine"
    assert sorted(os.listdir(out)) == ["summary.json", "trace.png"]
    assert sorted(os.listdir(tmp_path)) == ["n.csv", "out"]  # no temporary left


@pytest.mark.parametrize("name", ["report.pdf", "qualification.json"])
def test_qualify_out_holding_a_folder_where_an_output_goes_writes_nothing(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`oxi qualify --out a` with a folder a/report.pdf wrote a/qualification.json, then failed
    naming a hidden temporary, '.report.pdf.<hex>.tmp: Is a directory' (review of hunt 11)."""
    context = tmp_path / "ctx.yaml"
    context.write_text(json.dumps({"payer": "masshealth", "diagnoses": ["J44.9"]}))
    out = tmp_path / "a"
    (out / name).mkdir(parents=True)
    assert main(["qualify", "--context", str(context), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"holds a folder named {name}" in err and ".tmp" not in err
    assert [p.name for p in out.iterdir()] == [name] and not any((out / name).iterdir())
