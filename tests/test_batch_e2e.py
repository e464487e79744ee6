"""``oxi batch`` end to end: simulated EDF/CSV nights and broken files through the real pipeline."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import numpy as np
import pytest

from oxi.batch import COHORT_COLUMNS, run_batch
from oxi.cli import main
from oxi.pipeline import AnalyzeRequest, analyze_file
from oximetry.simulate import simulate_night, write_csv, write_edf

OK_FILES = ("night_a.edf", "night_b.edf", "night_c.csv", "site2/night_a.edf")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("mixed")
    rec, _ = simulate_night(
        fs=1.0, duration_s=3 * 3600, seed=1, desaturations=25, sustained_drops=[(3600, 600, 86)]
    )
    write_edf(rec, d / "night_a.edf")
    rec, _ = simulate_night(fs=25.0, duration_s=2.5 * 3600, seed=2, desaturations=10, stages=True)
    write_edf(rec, d / "night_b.edf")
    rec, _ = simulate_night(fs=1.0, duration_s=2.5 * 3600, seed=3, desaturations=5, pulse=False)
    write_csv(rec, d / "night_c.csv")
    rec, _ = simulate_night(fs=1.0, duration_s=2.5 * 3600, seed=4, baseline_pct=93.0)
    (d / "site2").mkdir()
    write_edf(rec, d / "site2" / "night_a.edf")
    # broken ones
    (d / "empty.edf").write_bytes(b"")
    (d / "random.edf").write_bytes(np.random.default_rng(0).bytes(4000))
    (d / "no_spo2.csv").write_text("time,pulse\n0,60\n1,61\n2,62\n")
    return d


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_mixed_folder_table_errors_resume_force(
    mixed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["batch", str(mixed), "--out", str(out), "--no-report", "--quiet"]
    assert main([*args, "--jobs", "2"]) == 3
    assert "4 ok, 3 failed" in capsys.readouterr().out
    table = out / "cohort.csv"
    rows = _rows(table)
    assert list(rows[0]) == list(COHORT_COLUMNS)
    by = {Path(r["file"]).relative_to(mixed).as_posix(): r for r in rows}
    assert list(by) == [
        "empty.edf",
        "night_a.edf",
        "night_b.edf",
        "night_c.csv",
        "no_spo2.csv",
        "random.edf",
        "site2/night_a.edf",
    ]
    for name in ("empty.edf", "random.edf", "no_spo2.csv"):
        r = by[name]
        assert r["status"] == "error" and r["error"].startswith(str(mixed / name) + ": ")
        assert "Traceback" not in r["error"] and r["window"] == "" and r["determination"] == ""
    assert by["no_spo2.csv"]["error"] != by["random.edf"]["error"]
    # each ok row holds the figures oxi analyze gives for that file
    for name in OK_FILES:
        r = by[name]
        assert r["status"] == "ok" and r["error"] == ""
        summary = analyze_file(mixed / name, AnalyzeRequest(report=False)).summary
        w = "sleep" if name == "night_b.edf" else "presumed_sleep"
        block = summary["metrics"][w]
        assert r["window"] == w
        assert r["sha256"] == hashlib.sha256((mixed / name).read_bytes()).hexdigest()
        for key in ("valid_min", "t_le88_min", "nadir_pct", "odi3_per_h", "drop5_min"):
            assert float(r[key]) == pytest.approx(block[key], abs=1e-4), (name, key)
        assert r["determination"] == summary["qualification"]["determination"]
        rec = summary["recording"]
        assert r["start_date"] == summary["input"]["start"][:10] == "2026-01-05"
        assert float(r["recording_min"]) == pytest.approx(rec["duration_min"], abs=1e-4)
        assert float(r["coverage_pct"]) == pytest.approx(
            100 * rec["valid_min"] / rec["duration_min"], abs=1e-4
        )
        assert float(r["missing_min"]) == pytest.approx(
            rec["duration_min"] - rec["valid_min"], abs=1e-4
        )
        assert r["context"] == "no context: none given (--context / --contexts)"
        assert r["missing"] == ";".join(summary["qualification"]["missing"])
    assert float(by["night_a.edf"]["recording_min"]) == pytest.approx(180.0)
    assert float(by["night_c.csv"]["recording_min"]) == pytest.approx(150.0)
    assert float(by["night_a.edf"]["t_le88_min"]) >= 10.0  # the 10-minute plateau at 86 %
    assert by["night_a.edf"]["n_sustained_desaturations"] == "1"
    assert by["night_c.csv"]["pulse_mean_bpm"] == "" and by["night_a.edf"]["pulse_mean_bpm"]
    assert (out / "site2_night_a" / "summary.json").exists()
    assert (out / f"{mixed.name}_night_a" / "summary.json").exists()
    text = table.read_bytes()

    # an interrupted or repeated batch resumes: nothing complete is redone
    assert main([*args, "--jobs", "2"]) == 3
    assert "4 already complete" in capsys.readouterr().out
    assert table.read_bytes() == text
    # the serial path and --force give the same table
    assert main([*args, "--jobs", "1", "--force"]) == 3
    assert "already complete" not in capsys.readouterr().out
    assert table.read_bytes() == text


def test_dask_local_cluster_table_is_identical(mixed: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    request = AnalyzeRequest(report=False)
    ok_files = [str(mixed / n) for n in OK_FILES[:2]] + [str(mixed / "random.edf")]
    pool = run_batch(ok_files, tmp_path / "pool", request=request, jobs=2, progress=False)
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0"
    ) as cluster:
        dask = run_batch(
            ok_files,
            tmp_path / "dask",
            request=request,
            scheduler=cluster.scheduler_address,
            progress=False,
        )
    assert (pool.n_ok, pool.n_failed) == (dask.n_ok, dask.n_failed) == (2, 1)
    assert (tmp_path / "dask" / "cohort.csv").read_bytes() == pool.table.read_bytes()


@pytest.mark.shared_data
def test_real_recordings_and_edge_cases(shared_data: Path, tmp_path: Path) -> None:
    folders = [shared_data / "checkme_o2max_airwaylab", shared_data / "edge_cases"]
    out = tmp_path / "out"
    args = ["batch", *map(str, folders), "--out", str(out), "--no-report", "--quiet", "--jobs", "1"]
    assert main(args) == 3
    rows = {Path(r["file"]).name: r for r in _rows(out / "cohort.csv")}
    csvs = [n for n in rows if n.endswith(".csv")]
    assert len(csvs) == 3
    for n in csvs:
        assert rows[n]["status"] == "ok" and rows[n]["window"] == "presumed_sleep"
        assert float(rows[n]["valid_min"]) > 60 and 80 <= float(rows[n]["nadir_pct"]) <= 100
        assert rows[n]["pulse_mean_bpm"] != ""
    # no oximeter attached (all -1), and microvolt channels labelled SaO2: error rows
    for n in ("mne_chtypes_edf.edf", "resmed_as10_20230826_033409_SAD_no_oximeter.edf"):
        assert rows[n]["status"] == "error" and n in rows[n]["error"]
        assert "\n" not in rows[n]["error"] and len(rows[n]["sha256"]) == 64


def test_bad_context_stops_before_any_work_and_deidentify_hides_names(
    mixed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("payer: masshealth\nmobilty: 1\n")
    out = tmp_path / "out"
    files = [str(mixed / "night_a.edf"), str(mixed / "empty.edf")]
    assert main(["batch", *files, "--out", str(out), "--context", str(bad), "--quiet"]) == 2
    assert "did you mean 'mobility'?" in capsys.readouterr().err
    assert not out.exists()
    args = ["batch", *files, "--out", str(out), "--no-report", "--quiet", "--deidentify"]
    assert main(args) == 3
    text = (out / "cohort.csv").read_text()
    for name in ("night_a", "empty.edf", str(mixed)):
        assert name not in text
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == sorted(
        r["file"] for r in _rows(out / "cohort.csv") if r["status"] == "ok"
    )


def test_a_renamed_file_whose_name_is_its_start_is_redone(tmp_path: Path) -> None:
    # An O2Ring-S file's start is its name, which its sha256 does not cover. Named for
    # 2026-11-20 (inside the order window), its de-identified row said qualified; renamed to its
    # true start (2026-03-01), the re-run found the folder (named by the sha256) and the marker
    # matching, "1 already complete, skipped", and kept 2026-11-20, qualified, where oxi analyze
    # of the renamed file says indeterminate.
    import datetime as dt

    from oximetry.simulate_native import write_o2ring_s

    root = Path(__file__).resolve().parents[1]
    ctx = tmp_path / "ctx.yaml"
    text = (root / "data" / "example-context.yaml").read_text()
    ctx.write_text(text.replace("2026-01-05", "2026-11-20").replace("2025-12-20", "2026-11-10"))
    folder = tmp_path / "in"
    folder.mkdir()
    rec, _ = simulate_night(
        fs=1,
        duration_s=4 * 3600,
        seed=11,
        baseline_pct=92,
        sustained_drops=[(3600, 1200, 86)],
        desaturations=10,
        noise_pts=0.7,
        start=dt.datetime(2026, 3, 1, 22, 30),
    )
    true_name = write_o2ring_s(rec, folder)
    wrong_name = true_name.rename(folder / "20261120223000")
    request = AnalyzeRequest(report=False, deidentify=True, context_path=str(ctx))
    out = tmp_path / "out"
    first = run_batch([str(wrong_name)], out, request=request, jobs=1)
    assert first.rows[0].values["start_date"] == "2026-11-20"
    assert first.rows[0].values["determination"] == "qualified"
    wrong_name.rename(true_name)
    again = run_batch([str(true_name)], out, request=request, jobs=1)
    alone = analyze_file(str(true_name), request).summary
    assert again.n_skipped == 0
    row = again.rows[0].values
    assert row["file"] == first.rows[0].values["file"]  # the same folder: the same bytes
    assert row["start_date"] == "2026-03-01"
    assert row["determination"] == alone["qualification"]["determination"] == "indeterminate"
    # the marker holds no name, only a digest of it
    marker = (out / row["file"] / ".oxi-batch.json").read_text()
    assert "2026" not in marker.replace(row["sha256"], "")
