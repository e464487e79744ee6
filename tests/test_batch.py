"""``oxi batch`` orchestration, with an injected per-file worker (no real analysis needed).

The fake analyser reads a tiny JSON "recording": ``{"spo2": [...]}`` gives figures, ``""`` is an
empty file (a RecordingFormatError), ``{"raise": "..."}`` an unexpected exception and
``{"die": true}`` kills the worker process outright.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oxi import batch
from oxi.batch import COHORT_COLUMNS, expand_inputs, inputs, local, run_batch, table, worker
from oxi.pipeline import AnalyzeRequest
from oximetry.errors import OximetryError, RecordingFormatError, SettingsError


def fake_analyze(path: str, request: AnalyzeRequest, out_dir: str) -> dict[str, Any]:
    text = Path(path).read_text()
    if not text.strip():
        raise RecordingFormatError("empty file", path)
    data = json.loads(text)
    if "raise" in data:
        raise RuntimeError(data["raise"])
    if "disk_full" in data:
        raise OSError(28, "No space left on device", os.path.join(out_dir, "report.pdf"))
    if data.get("die"):
        os._exit(7)
    time.sleep(data.get("sleep", 0))
    spo2 = data["spo2"]
    block = {
        "duration_min": len(spo2) / 60,
        "valid_min": len(spo2) / 60,
        "t_le88_min": sum(x <= 88 for x in spo2) / 60,
        "t_le88_pct": 100.0 * sum(x <= 88 for x in spo2) / len(spo2),
        "nadir_pct": float(min(spo2)),
        "mean_pct": sum(spo2) / len(spo2),
        "odi3_per_h": None,
        "pulse_mean_bpm": 61.25,
        "sustained_desaturations": [{"start_s": 0}] * data.get("n_sus", 0),
    }
    kind = "sleep" if data.get("staged") else "presumed_sleep"
    summary = {
        "schema": "oxi.summary/1",
        "metrics": {kind: block, "awake": {"nadir_pct": 1.0}},
        "qualification": {"determination": "indeterminate", "payer": request.payer},
        "context": None if request.context_path is None else Path(request.context_path).name,
    }
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # as oxi analyze writes them: the outputs first, then the summary recording their sha256
    outputs = {"events.csv": "type\n"}
    if request.report:
        outputs.update({"report.pdf": "pdf", "trace.png": "png"})
    for name, text in outputs.items():
        (out / name).write_text(text)
    summary["files"] = {n: hashlib.sha256(t.encode()).hexdigest() for n, t in outputs.items()}
    (out / "summary.json").write_text(json.dumps(summary))
    with open(out.parent / "calls.log", "a") as fh:  # how many analyses really ran
        fh.write(Path(path).name + "\n")
    return summary


def _rec(path: Path, spo2: Any = None, **extra: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if spo2 is None and not extra:
        path.write_text("")
    else:
        path.write_text(json.dumps({"spo2": spo2, **extra}))
    return path


def _cohort(out: Path) -> list[dict[str, str]]:
    with open(out / "cohort.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_error_row_gives_the_sha256_of_a_readable_file(tmp_path: Path) -> None:
    """The row of a recording whose worker process died (written by the parent, error_row)
    had a blank sha256, which docs/batch.md keeps for a file that could not be read."""
    rec = _rec(tmp_path / "n.csv", [95, 94])
    task = worker.Task(0, str(rec), str(rec), str(tmp_path / "o"), AnalyzeRequest(), "", False)
    died = worker.error_row(task, "the worker process died while analysing this file", None)
    assert died.values["sha256"] == _sha(rec)
    gone = replace(task, path=str(tmp_path / "gone.csv"))
    assert worker.error_row(gone, "no such file", None).values["sha256"] == ""
    folder = replace(task, path=str(tmp_path))
    assert worker.error_row(folder, "is a directory", None).values["sha256"] == ""


def _calls(out: Path) -> list[str]:
    log = out / "calls.log"
    return log.read_text().split() if log.exists() else []


@pytest.fixture
def cohort_dir(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    _rec(d / "a.csv", [95, 94, 87, 86, 96, 97])
    _rec(d / "b.edf", [90, 88, 88], staged=True, n_sus=2)
    _rec(d / "empty.csv")
    _rec(d / "sub" / "c.txt", [99] * 120)
    (d / "sub" / "boom.edf").write_text(json.dumps({"raise": "bad\nthing"}))
    (d / "notes.md").write_text("not a recording")
    (d / ".hidden.csv").write_text("")
    return d


def _run(inputs: list[str], out: Path, **kw: Any) -> batch.BatchResult:
    kw.setdefault("request", AnalyzeRequest(report=False))
    kw.setdefault("jobs", 1)
    kw.setdefault("progress", False)
    return run_batch(
        inputs, out, contexts_dir=kw.pop("contexts_dir", None), analyze=fake_analyze, **kw
    )


# --------------------------------------------------------------------------- inputs


def test_expand_folder_recursive_sorted_filtered(cohort_dir: Path) -> None:
    paths, notes = expand_inputs([str(cohort_dir)])
    rel = [Path(p).relative_to(cohort_dir).as_posix() for p in paths]
    assert rel == ["a.csv", "b.edf", "empty.csv", "sub/boom.edf", "sub/c.txt"]
    assert notes == []


def test_expand_keeps_argument_order_dedups_and_globs(cohort_dir: Path) -> None:
    b = str(cohort_dir / "b.edf")
    upper = cohort_dir / "D.EDF"
    upper.write_text("")
    paths, notes = expand_inputs(
        [b, str(cohort_dir / "*.csv"), str(cohort_dir), str(cohort_dir / "nothing*.edf")]
    )
    names = [Path(p).name for p in paths]
    assert names == ["b.edf", "a.csv", "empty.csv", "D.EDF", "boom.edf", "c.txt"]
    assert len(notes) == 1 and "nothing*.edf" in notes[0]


def test_expand_excludes_output_folder_and_keeps_missing_file(cohort_dir: Path) -> None:
    out = cohort_dir / "out"
    _rec(out / "a" / "events.csv", [90])
    paths, _ = expand_inputs([str(cohort_dir), "missing.edf"], exclude=[out])
    assert not any("out" in Path(p).parts for p in paths)
    assert paths[-1] == "missing.edf"


def test_a_linked_folder_is_searched_once_and_a_link_back_up_is_no_loop(tmp_path: Path) -> None:
    """``oxi batch cohort`` with ``cohort/siteB -> ../nas_siteB`` left siteB's recordings out
    without a word ("1 recording: 1 ok", exit 0; docs/batch.md: searched recursively)."""
    cohort = tmp_path / "cohort"
    _rec(cohort / "siteA" / "a.csv", [95, 94])
    _rec(tmp_path / "nas_siteB" / "b.csv", [90, 91])
    (cohort / "siteB").symlink_to(tmp_path / "nas_siteB", target_is_directory=True)
    (cohort / "siteB2").symlink_to(tmp_path / "nas_siteB", target_is_directory=True)  # twice
    (tmp_path / "nas_siteB" / "up").symlink_to(cohort, target_is_directory=True)  # a loop
    paths, notes = expand_inputs([str(cohort)])
    rel = [Path(p).relative_to(cohort).as_posix() for p in paths]
    # b.csv reached three ways (siteB, siteB2, siteB/up/siteB...) is taken once, by its first
    assert rel == ["siteA/a.csv", "siteB/b.csv"] and notes == []
    result = _run([str(cohort)], tmp_path / "out")
    assert [Path(r.values["file"]).relative_to(cohort).as_posix() for r in result.rows] == rel
    assert result.n_ok == 2


def test_a_folder_that_cannot_be_read_is_an_error_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A subfolder the user may not read (chmod 000) was left out without a word: no row, exit
    0. It is now a row of its own saying so (exit 3). Refused by a stand-in scandir: as root
    (the test machine) chmod does not refuse anything."""
    cohort = tmp_path / "cohort"
    _rec(cohort / "siteA" / "a.csv", [95, 94])
    _rec(cohort / "siteC" / "c.csv", [90, 91])
    locked = str(cohort / "siteC")
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = _run([str(cohort)], tmp_path / "out")
    by_file = {r.values["file"]: r.values for r in result.rows}
    assert sorted(by_file) == [str(cohort / "siteA" / "a.csv"), locked]
    assert by_file[locked]["status"] == "error" and by_file[locked]["sha256"] == ""
    assert by_file[locked]["error"] == (
        f"{locked}: cannot read this folder (Permission denied): the recordings in it are not "
        "in this table"
    )
    assert result.n_failed == 1 and result.n_ok == 1


def test_output_folder_may_be_the_input_folder(cohort_dir: Path) -> None:
    first = _run([str(cohort_dir)], cohort_dir)
    assert first.n_ok == 3 and (cohort_dir / "cohort.csv").exists()
    second = _run([str(cohort_dir)], cohort_dir)  # events.csv, cohort.csv are not recordings
    assert len(second.rows) == 5 and second.n_skipped == 3
    assert (cohort_dir / "cohort.csv").read_text().count("\n") == 6
    # but a file named explicitly is always taken
    paths, _ = expand_inputs([str(cohort_dir / "a" / "events.csv")], exclude=[cohort_dir])
    assert paths == [str(cohort_dir / "a" / "events.csv")]


def test_a_pattern_may_search_the_output_folder(
    cohort_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``oxi batch 'data/*.csv' --out data`` found nothing ("no recordings found", exit 2): every
    match of the pattern lay in the output folder. The folder a pattern searches may be the
    output folder, as a folder given may; an output folder inside it is still skipped."""
    monkeypatch.chdir(cohort_dir.parent)
    for pattern in ("in/*.csv", str(cohort_dir / "*.csv")):
        paths, notes = expand_inputs([pattern], exclude=[cohort_dir])
        assert [Path(p).name for p in paths] == ["a.csv", "empty.csv"] and notes == []
    first = _run(["in/*.csv"], Path("in"))
    assert [x.values["status"] for x in first.rows] == ["ok", "error"]
    (cohort_dir / "sub" / "d.csv").write_text((cohort_dir / "a.csv").read_text())
    second = _run(["in/**/*.csv"], Path("in"))  # events.csv, cohort.csv are not recordings
    assert [Path(x.values["file"]).as_posix() for x in second.rows] == [
        "in/a.csv",
        "in/empty.csv",
        "in/sub/d.csv",
    ]
    assert second.n_skipped == 1
    out = cohort_dir / "out"
    _rec(out / "x.csv", [90])
    paths, _ = expand_inputs(["in/**/*.csv"], exclude=[out])
    assert "out" not in {Path(p).parts[1] for p in paths}


def test_folder_names_disambiguate_deterministically() -> None:
    paths = ["x/site1/night.edf", "x/site2/night.edf", "y/a.edf", "y/a.csv", "z/other.edf"]
    names = inputs.folder_names(paths)
    assert names == ["site1_night", "site2_night", "a_edf", "a_csv", "other"]
    assert inputs.folder_names(paths) == names
    assert inputs.folder_names(["p/n.edf", "q/p_n.edf", "r/p/n.edf"]) == ["p_n", "p_n-2", "r_p_n"]


_part = st.sampled_from(["a", "b", "n", "a_n", "site1", "x.y"])
_paths = st.lists(
    st.tuples(st.lists(_part, max_size=3), _part, st.sampled_from([".edf", ".csv", ".EDF"])).map(
        lambda t: "/".join([*t[0], t[1] + t[2]])
    ),
    max_size=12,
    unique=True,
)


@settings(max_examples=200, deadline=None)
@given(_paths)
def test_folder_names_are_unique_safe_and_keep_unshared_stems(paths: list[str]) -> None:
    names = inputs.folder_names(paths)
    assert len(names) == len(paths) == len(set(names))
    assert all(n and os.sep not in n and n not in (".", "..") for n in names)
    assert inputs.folder_names(paths) == names
    stems = [Path(p).stem for p in paths]
    for stem, n in zip(stems, names, strict=True):
        if stems.count(stem) == 1:  # a name no other file has is kept (or numbered on a clash)
            assert n == stem or (n.startswith(stem + "-") and n[len(stem) + 1 :].isdigit())
        else:  # shared: told apart by folders and/or ending, the stem kept at its core
            assert stem in n


# --------------------------------------------------------------------------- table


def test_table_rows_errors_and_columns(cohort_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    missing = str(tmp_path / "missing.edf")
    result = _run([str(cohort_dir), missing], out)
    rows = _cohort(out)
    with open(out / "cohort.csv", newline="") as fh:
        assert tuple(next(csv.reader(fh))) == COHORT_COLUMNS
    assert [Path(r["file"]).name for r in rows] == [
        "a.csv",
        "b.edf",
        "empty.csv",
        "boom.edf",
        "c.txt",
        "missing.edf",
    ]
    assert rows[0]["file"] == str(cohort_dir / "a.csv")  # as given, not resolved
    by = {Path(r["file"]).name: r for r in rows}
    assert [r["status"] for r in rows] == ["ok", "ok", "error", "error", "ok", "error"]
    a = by["a.csv"]
    assert a["window"] == "presumed_sleep" and a["error"] == ""
    assert a["t_le88_min"] == "0.033333" and a["t_le88_pct"] == "33.333333"
    assert (
        a["nadir_pct"] == "86.0" and a["odi3_per_h"] == "" and a["determination"] == "indeterminate"
    )
    assert len(a["sha256"]) == 64
    assert by["b.edf"]["window"] == "sleep" and by["b.edf"]["n_sustained_desaturations"] == "2"
    assert by["empty.csv"]["error"] == f"{cohort_dir / 'empty.csv'}: empty file"
    # one line, the class named, said to be a bug (not bad input)
    assert by["boom.edf"]["error"] == "internal error (a bug in oxi): RuntimeError: bad thing"
    assert by["missing.edf"]["error"] == f"{missing}: no such file"
    assert by["missing.edf"]["sha256"] == "" and by["missing.edf"]["window"] == ""
    assert by["empty.csv"]["sha256"] == hashlib.sha256(b"").hexdigest()
    assert a["pulse_mean_bpm"] == "61.25"
    assert (result.n_ok, result.n_failed, result.n_skipped) == (3, 3, 0)
    assert "3 ok, 3 failed" in result.describe() and "cohort.csv" in result.describe()
    assert (out / "a" / "summary.json").exists() and (out / "c" / ".oxi-batch.json").exists()
    assert not (out / "empty").exists()
    assert not list(out.glob(".*tmp"))


@pytest.mark.slow
def test_pool_gives_the_same_table_and_survives_a_dying_worker(
    cohort_dir: Path, tmp_path: Path
) -> None:
    _rec(cohort_dir / "sub" / "dies.csv", die=True)
    serial, pool = tmp_path / "serial", tmp_path / "pool"
    inputs = [str(cohort_dir)]
    # the serial run would be killed by "die": give it a copy without that file
    (cohort_dir / "sub" / "dies.csv").rename(tmp_path / "dies.csv")
    _run(inputs, serial)
    (tmp_path / "dies.csv").rename(cohort_dir / "sub" / "dies.csv")
    result = _run(inputs, pool, jobs=2)
    pool_rows = _cohort(pool)
    died = [r for r in pool_rows if r["file"].endswith("dies.csv")]
    assert died and died[0]["status"] == "error" and "worker process died" in died[0]["error"]
    # the file was readable: its sha256 is given (it was blank)
    assert died[0]["sha256"] == _sha(cohort_dir / "sub" / "dies.csv")
    assert [r for r in pool_rows if r is not died[0]] == _cohort(serial)
    assert result.n_failed == 3
    # a recording in flight when the pool broke may have run twice; none is lost
    assert set(_calls(pool)) == set(_calls(serial))


# --------------------------------------------------------------------------- resume


def test_table_and_markers_are_ordinary_files(cohort_dir: Path, tmp_path: Path) -> None:
    # Written like every output (report.summary.write_atomic): mkstemp's 0600 would hide the
    # table from the lab's other users; the mode is what the umask allows.
    old = os.umask(0o022)
    try:
        out = tmp_path / "out"
        _run([str(cohort_dir)], out)
    finally:
        os.umask(old)
    assert (out / "cohort.csv").stat().st_mode & 0o777 == 0o644
    assert (out / "a" / ".oxi-batch.json").stat().st_mode & 0o777 == 0o644


def test_resume_skips_complete_and_force_redoes(cohort_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = _run([str(cohort_dir)], out)
    table = (out / "cohort.csv").read_text()
    assert sorted(_calls(out)) == ["a.csv", "b.edf", "c.txt"]
    second = _run([str(cohort_dir)], out)
    assert second.n_skipped == 3 and second.n_ok == first.n_ok and second.n_failed == 2
    assert "3 already complete" in second.describe()
    assert (out / "cohort.csv").read_text() == table
    assert len(_calls(out)) == 3  # nothing re-analysed (errors are retried, they never ran)
    third = _run([str(cohort_dir)], out, force=True)
    assert third.n_skipped == 0 and len(_calls(out)) == 6
    assert (out / "cohort.csv").read_text() == table


def test_a_run_stopped_before_its_end_leaves_no_old_table(
    cohort_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-run stopped by Ctrl-C after redoing a folder left the earlier cohort.csv beside it,
    its row the old figures of a night analysed again."""
    from oxi.batch import run as run_module

    out = tmp_path / "out"
    _run([str(cohort_dir)], out)
    assert (out / "cohort.csv").is_file()

    def stopped(*_args: Any, **_kw: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(run_module, "_run", stopped)
    with pytest.raises(KeyboardInterrupt):
        _run([str(cohort_dir)], out, force=True)
    assert not (out / "cohort.csv").exists()


def test_a_rerun_removes_what_a_killed_run_left_and_nothing_else(
    cohort_dir: Path, tmp_path: Path
) -> None:
    """A batch killed mid-write (kill -9 of it and its workers) left hidden temporaries that no
    later run removed: ``out/.a.<hex>.tmp/`` holding a lone report.pdf, the table's, and one of a
    set written in place. A re-run removes oxi's own, named after its outputs, and only them."""
    out = tmp_path / "out"
    _run([str(cohort_dir)], out)
    hexa = "0123456789ab"
    left = [
        out / f".a.{hexa}.tmp",
        out / f".cohort.csv.{hexa}.tmp",
        out / "a" / f".summary.json.{hexa}.tmp",
    ]
    left[0].mkdir()
    (left[0] / "report.pdf").write_text("half")
    left[1].write_text("file,status\n")
    left[2].write_text("{")
    mine = [
        out / f".b.{hexa}.tmp",  # a folder of that name holding the user's file
        out / f".zzz.{hexa}.tmp",  # named after no output of the batch
        out / ".a.notes.tmp",  # not oxi's pattern
        out / "a" / f".notes.txt.{hexa}.tmp",
        out / f".c.{hexa}.tmp",  # a file where oxi makes a folder
    ]
    mine[0].mkdir()
    (mine[0] / "notes.txt").write_text("mine")
    mine[1].mkdir()
    for p in mine[2:]:
        p.write_text("mine")
    result = _run([str(cohort_dir)], out)
    assert result.n_skipped == 3
    assert [p for p in left if os.path.lexists(p)] == []
    assert [p for p in mine if not os.path.lexists(p)] == []
    assert (mine[0] / "notes.txt").read_text() == "mine"


def test_resume_redoes_changed_input_settings_or_missing_outputs(
    cohort_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    _run([str(cohort_dir)], out)
    _rec(cohort_dir / "a.csv", [80, 81, 82])  # new content
    (out / "c" / "events.csv").unlink()  # incomplete outputs
    r = _run([str(cohort_dir)], out)
    assert r.n_skipped == 1 and _calls(out)[3:] == ["a.csv", "c.txt"]
    r = _run([str(cohort_dir)], out, request=AnalyzeRequest(report=False, payer="medicare"))
    assert r.n_skipped == 0
    # report wanted now: the earlier --no-report outputs are incomplete
    r = _run([str(cohort_dir)], out, request=AnalyzeRequest(report=True, payer="medicare"))
    assert r.n_skipped == 0 and (out / "a" / "report.pdf").exists()
    # and a --no-report run may reuse outputs that have the report too
    r = _run([str(cohort_dir)], out, request=AnalyzeRequest(report=False, payer="medicare"))
    assert r.n_skipped == 3


def test_resume_redoes_a_summary_rewritten_or_edited_since(
    cohort_dir: Path, tmp_path: Path
) -> None:
    """The marker binds the outputs it was written with: a summary.json rewritten since (an
    ``oxi analyze --out`` into the batch's folder with other options) or edited by hand (a
    night made to qualify) was copied into cohort.csv as "already complete" (fifth review)."""
    out = tmp_path / "out"
    _run([str(cohort_dir)], out)
    table = (out / "cohort.csv").read_text()
    path = out / "a" / "summary.json"
    edited = json.loads(path.read_text())
    edited["qualification"]["determination"] = "qualified"
    path.write_text(json.dumps(edited))
    (out / "c" / "events.csv").write_text("type\nodi3\n")  # an output replaced beside it
    r = _run([str(cohort_dir)], out)
    assert r.n_skipped == 1 and _calls(out)[3:] == ["a.csv", "c.txt"]
    assert (out / "cohort.csv").read_text() == table


def test_an_error_row_sets_its_earlier_outputs_aside(cohort_dir: Path, tmp_path: Path) -> None:
    """A recording analysed once, then replaced by a broken file, had an error row while its
    folder still held the earlier file's summary.json and events.csv (hunt 12): results of
    another file beside an error (SPEC §10). They move to earlier-outputs/ (one run's set);
    the marker goes; the user's files stay."""
    out = tmp_path / "out"
    request = AnalyzeRequest(report=True)
    _run([str(cohort_dir)], out, request=request)
    names = ["events.csv", "report.pdf", "summary.json", "trace.png"]
    assert all((out / "a" / n).is_file() for n in [*names, worker.MARKER])
    earlier = (out / "a" / "summary.json").read_bytes()
    (out / "b" / "notes.txt").write_text("mine")
    (out / "b" / "trace.png").unlink()
    (out / "b" / "trace.png").mkdir()  # a folder under an output's name is not oxi's
    _rec(cohort_dir / "a.csv")  # now empty: an error
    _rec(cohort_dir / "b.edf")
    r = _run([str(cohort_dir)], out, request=request)
    rows = {Path(x.values["file"]).name: x.values for x in r.rows}
    assert rows["a.csv"]["status"] == rows["b.edf"]["status"] == "error"
    assert os.listdir(out / "a") == [worker.EARLIER]
    assert sorted(os.listdir(out / "a" / worker.EARLIER)) == names
    assert (out / "a" / worker.EARLIER / "summary.json").read_bytes() == earlier
    assert sorted(os.listdir(out / "b")) == [worker.EARLIER, "notes.txt", "trace.png"]
    assert (out / "b" / "trace.png").is_dir()
    assert sorted(os.listdir(out / "b" / worker.EARLIER)) == [
        "events.csv",
        "report.pdf",
        "summary.json",
    ]
    assert (out / "c" / "summary.json").is_file()  # the others keep theirs
    # analysed again, failing again: the set aside is the last one, not mixed with an older
    _rec(cohort_dir / "a.csv", [95, 94, 93])
    _run([str(cohort_dir)], out, request=AnalyzeRequest(report=False))
    # analysed: the set aside goes (another file's summary.json a recursive glob found beside
    # this one's; review of hunt 12), the user's files in the folder stay
    assert not (out / "a" / worker.EARLIER).exists()
    assert (out / "b" / worker.EARLIER).is_dir()  # b still fails
    _rec(cohort_dir / "a.csv")
    _run([str(cohort_dir)], out, request=AnalyzeRequest(report=False))
    assert sorted(os.listdir(out / "a" / worker.EARLIER)) == ["events.csv", "summary.json"]
    assert (out / "a" / worker.EARLIER / "summary.json").read_bytes() != earlier


def test_interrupted_redo_is_not_taken_as_complete(cohort_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run([str(cohort_dir)], out)
    (cohort_dir / "a.csv").write_text("")  # now broken: its redo fails
    r = _run([str(cohort_dir)], out)
    assert not (out / "a" / ".oxi-batch.json").exists()
    assert r.rows[0].values["status"] == "error"


# --------------------------------------------------------------------------- contexts


def test_contexts_dir_per_recording(cohort_dir: Path, tmp_path: Path) -> None:
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "a.yaml").write_text("payer: masshealth\n")
    (ctx / "c.json").write_text("{}")
    (ctx / "c.yml").write_text("{}")
    out = tmp_path / "out"
    r = _run([str(cohort_dir)], out, contexts_dir=str(ctx))
    by = {Path(x.values["file"]).name: x.values for x in r.rows}
    assert json.loads((out / "a" / "summary.json").read_text())["context"] == "a.yaml"
    # the table says which context each row used, or why it has none
    assert by["a.csv"]["context"] == "a.yaml"
    assert by["b.edf"]["context"] == "no context: no b.yaml, .yml or .json in --contexts"
    assert json.loads((out / "b" / "summary.json").read_text())["context"] is None
    assert by["c.txt"]["status"] == "error" and "several context files" in by["c.txt"]["error"]
    # the cells agree with the error (the context cell said "no c.yaml ..."), and the file,
    # readable, has its sha256 (it was blank)
    assert by["c.txt"]["context"] == "no context: several context files for it (see error)"
    assert by["c.txt"]["sha256"] == _sha(cohort_dir / "sub" / "c.txt")
    assert by["empty.csv"]["sha256"] == _sha(cohort_dir / "empty.csv")
    # a changed context redoes only its recording
    (ctx / "c.yml").unlink()
    _run([str(cohort_dir)], out, contexts_dir=str(ctx))
    (ctx / "a.yaml").write_text("payer: medicare\n")
    r = _run([str(cohort_dir)], out, contexts_dir=str(ctx))
    assert [x.skipped for x in r.rows if x.ok] == [False, True, True]


def test_a_context_linked_to_nothing_is_no_silent_choice(tmp_path: Path) -> None:
    """ctx/a.yaml linked to an unmounted share beside a stale ctx/a.json: a.json decided the
    night without a word; alone, the row said there was no a.yaml."""
    d = tmp_path / "in"
    _rec(d / "a.csv", [95, 94, 87, 86, 96, 97])
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "a.yaml").symlink_to(tmp_path / "share" / "a.yaml")
    (ctx / "a.json").write_text('{"payer": "masshealth"}')
    [row] = _run([str(d)], tmp_path / "out", contexts_dir=str(ctx)).rows
    assert row.values["status"] == "error" and "several context files" in row.values["error"]
    (ctx / "a.json").unlink()
    [row] = _run([str(d)], tmp_path / "out", contexts_dir=str(ctx)).rows
    assert row.values["context"] == "a.yaml"  # its analysis says it cannot be read


@pytest.mark.parametrize("deidentify", [False, True])
def test_a_file_name_shared_by_recordings_names_no_context(
    tmp_path: Path, deidentify: bool
) -> None:
    """site1/night.edf and site2/night.edf beside contexts/night.yaml (patient B's): the file
    name picked that context for both, and patient A's report carried patient B's name. A
    shared name now picks none: an error row saying to name the context after the folder."""
    d = tmp_path / "in"
    _rec(d / "site1" / "night.csv", [95, 94, 87, 86, 96, 97])
    _rec(d / "site2" / "night.csv", [95, 94, 93, 92, 96, 97])
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "night.yaml").write_text("payer: masshealth\n")
    request = AnalyzeRequest(report=False, deidentify=deidentify)
    r = _run([str(d)], tmp_path / "out", contexts_dir=str(ctx), request=request)
    assert [x.values["status"] for x in r.rows] == ["error", "error"]
    for row in r.rows:
        assert "share the file name" in row.values["error"]
        assert ("'night'" in row.values["error"]) is not deidentify
    # named after its output folder, a context is that recording's alone, --deidentify or not
    # (its folder is then named by the hash: the context named as docs/batch.md says was
    # ignored, and the night was indeterminate with exit 0)
    (ctx / "site1_night.yaml").write_text("payer: medicare\n")
    (ctx / "night.yaml").unlink()
    r = _run([str(d)], tmp_path / "out2", contexts_dir=str(ctx), request=request)
    assert [x.values["status"] for x in r.rows] == ["ok", "ok"]
    found = sorted((tmp_path / "out2").glob("*/summary.json"))
    used = [json.loads(p.read_text())["context"] for p in found]
    assert len(found) == 2 and sum(c is not None for c in used) == 1  # site1's, site2 none
    if not deidentify:
        assert r.rows[0].values["context"] == "site1_night.yaml"


@pytest.mark.parametrize(
    ("one", "other"),
    [("Jos\u00e9", "Jose\u0301"), ("Jose\u0301", "Jos\u00e9"), ("night", "Night")],
)
def test_names_differing_by_case_or_normalisation_are_one_name(
    tmp_path: Path, one: str, other: str
) -> None:
    """site1/José.csv copied from a Mac (NFD: "e" and a combining accent) beside site2/José.csv
    (NFC) and ctx/José.yaml (NFC): the NFC recording took the context, the other, which looks
    the same, had none; one name in bytes made both error rows. Letter case likewise (a
    filesystem may hold both names as one)."""
    d = tmp_path / "in"
    _rec(d / "site1" / f"{other}.csv", [95, 94, 87, 86, 96, 97])
    _rec(d / "site2" / f"{one}.csv", [95, 94, 93, 92, 96, 97])
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / f"{one}.yaml").write_text("payer: masshealth\n")
    r = _run([str(d)], tmp_path / "out", contexts_dir=str(ctx))
    by = {Path(x.values["file"]).parent.name: x.values for x in r.rows}
    assert by["site2"]["status"] == "error" and "decides none" in by["site2"]["error"]
    assert by["site1"]["context"].startswith("no context:")
    used = [json.loads(p.read_text())["context"] for p in (tmp_path / "out").glob("*/summary.json")]
    assert used == [None]


@pytest.mark.parametrize("reverse", [False, True])
def test_a_name_that_is_one_recordings_folder_and_anothers_file_names_no_context(
    tmp_path: Path, reverse: bool
) -> None:
    """siteA/night00.csv (folder siteA_night00) beside siteA_night00.csv (its stem; folder
    siteA_night00-2) and ctx/siteA_night00.yaml: the first took it by folder name, the second by
    its stem, and both nights were qualified with one patient's context; listed the other way
    round, the other file took it by folder name. The name decides neither, in either order."""
    d = tmp_path / "in"
    a = _rec(d / "siteA" / "night00.csv", [95, 94, 87, 86, 96, 97])
    b = _rec(d / "siteB" / "night00.csv", [95, 94, 93, 92, 96, 97])
    c = _rec(d / "siteA_night00.csv", [90, 88, 88])
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "siteA_night00.yaml").write_text("payer: masshealth\n")
    given = [str(c), str(a), str(b)] if reverse else [str(d)]
    out = tmp_path / "out"
    r = _run(given, out, contexts_dir=str(ctx))
    by = {Path(x.values["file"]).relative_to(d).as_posix(): x.values for x in r.rows}
    for name in ("siteA/night00.csv", "siteA_night00.csv"):
        assert by[name]["status"] == "error", by[name]
        assert "'siteA_night00'" in by[name]["error"] and "decides none" in by[name]["error"]
        assert by[name]["context"].startswith("no context:")
        assert "siteA_night00.yaml" not in by[name]["context"]
    assert by["siteB/night00.csv"]["status"] == "ok"
    used = [json.loads(p.read_text())["context"] for p in out.glob("*/summary.json")]
    assert used == [None]
    # the -2 folder's own name is that recording's alone; the other one still has none
    (ctx / "siteA_night00.yaml").rename(ctx / "siteA_night00-2.yaml")
    r = _run(given, tmp_path / "out2", contexts_dir=str(ctx))
    assert [x.values["status"] for x in r.rows] == ["ok"] * 3
    assert sorted(x.values["context"] for x in r.rows).count("siteA_night00-2.yaml") == 1


def test_a_folder_name_keeps_its_context_beside_files_sharing_it_as_their_stem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """night.csv given as such has the folder night; site1/night.csv and site2/night.csv are
    only named so: the folder name is specific, theirs are error rows (as without night.csv)."""
    d = tmp_path / "in"
    _rec(d / "night.csv", [95, 94, 87, 86, 96, 97])
    _rec(d / "site1" / "night.csv", [95, 94, 93, 92, 96, 97])
    _rec(d / "site2" / "night.csv", [90, 88, 88])
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "night.yaml").write_text("payer: masshealth\n")
    monkeypatch.chdir(d)
    r = _run(["night.csv", "site1", "site2"], tmp_path / "out", contexts_dir=str(ctx))
    assert [x.values["status"] for x in r.rows] == ["ok", "error", "error"]
    assert r.rows[0].values["context"] == "night.yaml"
    assert "name it after the output folder, 'site1_night'" in r.rows[1].values["error"]


def test_bad_options_raise(cohort_dir: Path, tmp_path: Path) -> None:
    ctx = tmp_path / "c.yaml"
    ctx.write_text("{}")
    with pytest.raises(SettingsError, match="not both"):
        _run(
            [str(cohort_dir)],
            tmp_path / "o",
            contexts_dir=str(tmp_path),
            request=AnalyzeRequest(context_path=str(ctx)),
        )
    with pytest.raises(SettingsError, match="--jobs 0"):
        _run([str(cohort_dir)], tmp_path / "o", jobs=0)
    with pytest.raises(OximetryError, match="no recordings found"):
        _run([str(tmp_path / "nothing" / "*.edf")], tmp_path / "o")
    with pytest.raises(OximetryError, match="--contexts"):
        _run([str(cohort_dir)], tmp_path / "o", contexts_dir=str(tmp_path / "nope"))


def test_one_hypnogram_is_refused_for_a_batch_of_several_nights(tmp_path: Path) -> None:
    """A hypnogram stages one night: laid over every recording of a batch, it set aside another
    night's own staging, and that night's 15 min at 85 % awake QUALIFIED as sleep (hunt 15). A
    batch of one recording may take it."""
    d = tmp_path / "in"
    _rec(d / "a.csv", [95, 94, 96])
    _rec(d / "b.csv", [95, 85, 96])
    hyp = tmp_path / "hyp.csv"
    hyp.write_text("W\nN2\n")
    request = AnalyzeRequest(report=False, hypnogram=str(hyp))
    with pytest.raises(SettingsError, match=r"--hypnogram stages one night.*2 recordings"):
        _run([str(d)], tmp_path / "o", request=request)
    assert not (tmp_path / "o").exists()
    result = _run([str(d / "a.csv")], tmp_path / "one", request=request)
    assert result.n_failed == 0 and len(result.rows) == 1


# --------------------------------------------------------------------------- privacy


def test_deidentified_table_has_no_file_names(cohort_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = _run([str(cohort_dir)], out, request=AnalyzeRequest(report=False, deidentify=True))
    text = (out / "cohort.csv").read_text()
    for name in ("a.csv", "b.edf", "empty.csv", "boom", "c.txt", str(cohort_dir)):
        assert name not in text
    a = r.rows[0].values
    assert a["file"] == a["sha256"][:16] and (out / a["file"] / "summary.json").exists()
    assert r.rows[2].values["error"] == "empty file"


# --------------------------------------------------------------------------- dask


def test_dask_local_cluster_gives_identical_table(cohort_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    _run([str(cohort_dir)], tmp_path / "pool", jobs=2)
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0"
    ) as cluster:
        r = _run([str(cohort_dir)], tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert r.n_failed == 2
    assert (tmp_path / "dask" / "cohort.csv").read_bytes() == (
        tmp_path / "pool" / "cohort.csv"
    ).read_bytes()


def test_dask_missing_is_a_clear_error(
    cohort_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(SettingsError, match=r"oxi\[dask\]"):
        _run([str(cohort_dir)], tmp_path / "o", scheduler="tcp://127.0.0.1:1")


def test_dask_scheduler_local_starts_a_cluster(cohort_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    _run([str(cohort_dir)], tmp_path / "serial")
    r = _run([str(cohort_dir)], tmp_path / "dask", scheduler="local", jobs=1)
    assert r.n_ok == 3
    assert (tmp_path / "dask" / "cohort.csv").read_bytes() == (
        tmp_path / "serial" / "cohort.csv"
    ).read_bytes()


# --------------------------------------------------------------------------- CLI


def test_cli_exit_status_3_when_some_failed(
    cohort_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from oxi.cli import main

    monkeypatch.setattr(worker, "default_analyze", fake_analyze)
    out = tmp_path / "out"
    args = ["batch", str(cohort_dir), "--out", str(out), "--jobs", "1", "--quiet", "--no-report"]
    assert main(args) == 3
    assert "3 ok, 2 failed" in capsys.readouterr().out
    assert len(_cohort(out)) == 5
    (cohort_dir / "empty.csv").unlink()
    (cohort_dir / "sub" / "boom.edf").unlink()
    assert main(args) == 0
    assert "3 already complete" in capsys.readouterr().out
    assert main([*args, "--contexts", str(tmp_path), "--context", str(cohort_dir / "a.csv")]) == 2


def test_an_empty_out_is_refused(
    cohort_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # --out '' (an unset variable) wrote cohort.csv and the folders into the current directory
    from oxi.cli import main

    monkeypatch.setattr(worker, "default_analyze", fake_analyze)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["batch", str(cohort_dir), "--out", "", "--jobs", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err == "oxi: --out '' names no folder: give the folder for the outputs\n"
    assert os.listdir(work) == []


@pytest.mark.slow
def test_interrupt_stops_the_pool_promptly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp_path / "in"
    _rec(d / "a.csv", [95])
    for name in "bcd":
        _rec(d / f"{name}.csv", [95], sleep=4.0)

    def interrupt(self: object, rows: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(local.Tally, "add", interrupt)
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        _run([str(d)], tmp_path / "out", jobs=2)
    # Waiting for the workers would take their 4 s; the margin is for a loaded machine.
    assert time.monotonic() - t0 < 3.0
    time.sleep(4.5)  # killed workers never finish the recordings they had
    assert _calls(tmp_path / "out") == ["a.csv"]
    assert not (tmp_path / "out" / "cohort.csv").exists()


def test_no_cell_is_a_spreadsheet_formula(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A recording named =HYPERLINK("http:,,example.org","open").edf was its file cell unchanged:
    a link once cohort.csv is opened in a spreadsheet (hunt 12). Text cells starting with
    = + - @ (or a tab or CR) get a leading apostrophe; numbers stay numbers."""
    d = tmp_path / "in"
    link = _rec(d / '=HYPERLINK("http:,,example.org","open").csv', [95, 94, 93])
    plus = _rec(d / "+SUM(1).csv", [95, 94, 93])
    monkeypatch.chdir(d)  # the file cells are the names as given
    r = _run([link.name, plus.name, "@x.csv", "-y.csv"], tmp_path / "out")
    assert [x.values["file"] for x in r.rows][2:] == ["@x.csv", "-y.csv"]  # no such files
    assert r.rows[0].values["status"] == "ok"
    rows = _cohort(tmp_path / "out")
    assert [x["file"] for x in rows] == [f"'{link.name}", f"'{plus.name}", "'@x.csv", "'-y.csv"]
    # the cells as written: every other cell as it was
    values = dict.fromkeys(COHORT_COLUMNS, "")
    values.update(
        file="\tx.edf",
        error="@boom",
        nadir_pct="-1.5",
        mean_pct="-1e-07",
        t_le88_min="+2",
        context="=1+2",
        conflicts="-1.5-x",
    )
    import io

    text = table.table_text([batch.BatchRow(values)])
    [cells] = list(csv.reader(io.StringIO(text, newline="")))[1:]
    written = dict(zip(COHORT_COLUMNS, cells, strict=True))
    assert written["file"] == "'\tx.edf" and written["error"] == "'@boom"
    from oximetry.report.cells import inert

    assert inert("\rx") == "'\rx"  # (the csv module leaves a CR unquoted: no table)
    assert (written["nadir_pct"], written["mean_pct"], written["t_le88_min"]) == (
        "-1.5",
        "-1e-07",
        "+2",
    )
    assert written["context"] == "'=1+2" and written["conflicts"] == "'-1.5-x"


def test_cells_are_the_same_for_memory_and_json_values() -> None:
    np = pytest.importorskip("numpy")
    assert table.cell(np.float64(86.1234564)) == table.cell(86.1234564) == "86.123456"
    # as summary.json: a night 2 ms short of 5 min was "5.0" at 4 decimals beside not_qualified
    assert table.cell(4.999967) == "4.999967"
    assert table.cell(np.int64(3)) == "3" and table.cell(-0.0) == "0.0"
    assert table.cell(float("nan")) == "" and table.cell(None) == "" and table.cell(True) == "true"
    row = table.row_values("f", "x", {"metrics": {"sleep": {"sustained_desaturations": ()}}})
    assert row["n_sustained_desaturations"] == "0"


def failing_init(started: object = None) -> None:
    raise RuntimeError("this worker cannot start")


def test_pool_that_cannot_start_falls_back_to_this_process(
    cohort_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run([str(cohort_dir)], tmp_path / "serial")
    monkeypatch.setattr(local, "_init_worker", failing_init)
    r = _run([str(cohort_dir)], tmp_path / "pool", jobs=2)
    assert r.n_ok == 3
    assert (tmp_path / "pool" / "cohort.csv").read_bytes() == (
        tmp_path / "serial" / "cohort.csv"
    ).read_bytes()


@pytest.mark.slow
def test_a_dying_worker_does_not_make_the_rest_serial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = tmp_path / "in"
    for i in range(24):
        _rec(d / f"n{i:02d}.csv", [95, 90 + i % 5])
    _rec(d / "n03x.csv", die=True)
    rounds = []
    real_round = local._pool_round

    def counting_round(chunks, *args):  # type: ignore[no-untyped-def]
        rounds.append(len(chunks))
        return real_round(chunks, *args)

    monkeypatch.setattr(local, "_pool_round", counting_round)
    r = _run([str(d)], tmp_path / "out", jobs=2)
    assert (r.n_ok, r.n_failed) == (24, 1)
    # the first pool, a retry pool, then only the few that were running beside the crash alone
    assert len(rounds) <= 2 + 2 * 2, rounds


def test_a_full_disk_is_an_error_row_not_a_bug(tmp_path: Path) -> None:
    """A full disk while a recording's outputs were written made its row "internal error (a bug
    in oxi): OSError: [Errno 28] No space left on device": the machine's, not oxi's."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.csv").write_text(json.dumps({"spo2": [95] * 120, "disk_full": True}))
    (src / "b.csv").write_text(json.dumps({"raise": "boom"}))
    res = _run([str(src)], tmp_path / "out")
    rows = {Path(r.values["file"]).name: r.values["error"] for r in res.rows}
    assert rows["a.csv"].endswith("report.pdf: No space left on device"), rows
    assert "internal error" not in rows["a.csv"]
    assert rows["b.csv"].startswith("internal error (a bug in oxi): RuntimeError")


def test_a_rerun_puts_back_the_set_a_killed_run_had_set_aside(tmp_path: Path) -> None:
    """A re-run deleted the earlier run's finished outputs: a batch killed between write_set's
    two renames left them whole under a hidden name, which the next run removed as a
    temporary; the recording then unreadable, nothing of it was left (review of hunt 11)."""
    import subprocess

    from oxi.cli import main
    from oximetry.simulate import simulate_night, write_csv

    rec, _truth = simulate_night(fs=1.0, duration_s=2 * 3600, seed=1)
    (tmp_path / "in").mkdir()
    write_csv(rec, tmp_path / "in" / "n1.csv")
    args = ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "o"), "--no-report", "--quiet"]
    assert main(args) == 0
    first = {p.name: p.read_bytes() for p in (tmp_path / "o" / "n1").iterdir()}
    killed = f"""
import os
from oximetry.report import atomic
from oxi.cli import main
real = os.replace
def replace(src, dst):
    real(src, dst)
    if os.path.basename(src) == "n1":
        os._exit(9)  # kill -9: the old set aside, the new one not yet in place
atomic.os.replace = replace
main({[*args, "--force"]!r})
"""
    proc = subprocess.run([sys.executable, "-c", killed], check=False)
    assert proc.returncode == 9 and not (tmp_path / "o" / "n1").exists()
    (tmp_path / "in" / "n1.csv").write_text("garbage\n")  # damaged since
    assert main(args) == 3
    assert sorted(os.listdir(tmp_path / "o")) == ["cohort.csv", "n1"]
    # kept, set aside: its recording's row is now an error (hunt 12: never beside it as results)
    assert os.listdir(tmp_path / "o" / "n1") == [worker.EARLIER]
    kept = {p.name: p.read_bytes() for p in (tmp_path / "o" / "n1" / worker.EARLIER).iterdir()}
    first.pop(worker.MARKER)  # the killed run took it out first: n1 is redone next time
    assert kept == first
