"""``oxi batch --join-nights``: the files of one night become one row (issue 15).

A folder holds a night split into three Contec files, the next night's single file and a file
without a date; another folder holds two files that overlap; a third two EDF files of one
device at different rates. Each night is one row; a night that cannot be joined is one error
row naming its files and the reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from oxi.batch import run_batch
from oxi.batch.nights import NIGHT_GAP_S, FileScan, group_nights
from oxi.cli import main
from oxi.pipeline import AnalyzeRequest, analyze_file
from oxi.verify import verify
from oximetry.model import Recording, Signal
from oximetry.simulate import simulate_night, write_edf
from oximetry.simulate_native import write_contec

START = dt.datetime(2026, 3, 1, 22, 0, 0)
DAY = dt.timedelta(days=1)


def _piece(night: Recording, i0: int, i1: int, start: dt.datetime | None = None) -> Recording:
    def cut(sig: Signal | None) -> Signal | None:
        return None if sig is None else replace(sig, data=sig.data[i0:i1].copy())

    spo2 = cut(night.spo2)
    assert spo2 is not None
    return replace(
        night,
        spo2=spo2,
        pulse=cut(night.pulse),
        start=start or night.time_at(i0),
        annotations=(),
    )


@pytest.fixture(scope="module")
def night() -> Recording:
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=3 * 3600,
        seed=52,
        desaturations=10,
        sustained_drops=[(3000.0, 900.0, 85.0)],
        start=START,
    )
    return rec


@pytest.fixture()
def cohort(tmp_path: Path, night: Recording) -> Path:
    root = tmp_path / "in"
    home, lab, edf = root / "home", root / "lab", root / "edf"
    for d in (home, lab, edf):
        d.mkdir(parents=True)
    # One night in three files (a 10-min and a 3-h pause), in a name order unlike time order.
    write_contec(_piece(night, 0, 3600), home / "n1-c.SpO2")
    write_contec(_piece(night, 4200, 6000), home / "n1-a.SpO2")
    later = START + dt.timedelta(seconds=6000 + 3 * 3600)
    write_contec(_piece(night, 6000, 8000, later), home / "n1-b.SpO2")
    # The next night: one file, 18 h after the first night ends.
    write_contec(_piece(night, 0, 1800, START + DAY), home / "n2.SpO2")
    # No date: times of day only.
    times = [(START + dt.timedelta(seconds=s)).strftime("%H:%M:%S") for s in range(600)]
    (home / "nodate.csv").write_text(
        "time,spo2\n" + "".join(f"{t},{96 - (k // 60) % 3}\n" for k, t in enumerate(times))
    )
    # Not a recording: its own error row, as without --join-nights.
    (home / "broken.SpO2").write_bytes(b"")
    # Two files that overlap by 100 s.
    write_contec(_piece(night, 0, 4000), lab / "x.SpO2")
    write_contec(_piece(night, 3900, 6000), lab / "y.SpO2")
    # One device, two rates.
    fast, _ = simulate_night(fs=2.0, duration_s=600, seed=3, start=START + dt.timedelta(hours=1))
    write_edf(_piece(night, 0, 1800), edf / "e1.edf")
    write_edf(fast, edf / "e2.edf")
    return root


def _rows(out: Path) -> list[dict[str, str]]:
    import csv

    with open(out / "cohort.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_one_row_per_night_and_one_error_row_per_night_that_cannot_be_joined(
    tmp_path: Path, cohort: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)
    r = run_batch(["in"], out, request=AnalyzeRequest(report=False), jobs=1, join_nights=True)
    rows = _rows(out)
    home = os.path.join("in", "home")
    files = [row["file"] for row in rows]
    assert files == [
        "in/edf/e1.edf + in/edf/e2.edf",
        f"{home}/broken.SpO2",
        f"{home}/n1-c.SpO2 + {home}/n1-a.SpO2 + {home}/n1-b.SpO2",  # time order
        f"{home}/n2.SpO2",
        f"{home}/nodate.csv",
        "in/lab/x.SpO2 + in/lab/y.SpO2",
    ]
    edf_row, broken, joined, n2, nodate, lab = rows
    assert (
        broken["status"] == "error"
        and broken["error"] == f"{home}/broken.SpO2: file is empty (0 bytes)"
    )
    assert edf_row["status"] == "error"
    assert "not the same device and rates" in edf_row["error"]
    assert "in/edf/e2.edf" in edf_row["error"] and "in/edf/e1.edf" in edf_row["error"]
    assert lab["status"] == "error" and lab["error"].startswith("in/lab/y.SpO2: overlaps 'in/lab/x")
    assert joined["status"] == n2["status"] == nodate["status"] == "ok"
    # The joined night's figures are those of oxi analyze a b c.
    parts = [str(cohort / "home" / f) for f in ("n1-c.SpO2", "n1-a.SpO2", "n1-b.SpO2")]
    alone = analyze_file(parts, AnalyzeRequest(report=False)).summary
    block = alone["metrics"]["presumed_sleep"]
    assert float(joined["t_le88_min"]) == pytest.approx(block["t_le88_min"], abs=1e-4)
    assert float(joined["recording_min"]) == pytest.approx((6000 + 3 * 3600 + 2000) / 60)
    assert float(joined["missing_min"]) == pytest.approx(10 + 180, abs=1e-4)
    assert joined["sha256"] == alone["input"]["sha256"]
    assert any("7 files grouped into 3 nights of several files" in n for n in r.notes)
    assert any("1 file holds no date and was analysed alone" in n for n in r.notes)
    # The joined night's folder is named after its first file, and verifies against its files.
    summary = out / "n1-c+2" / "summary.json"
    assert json.loads(summary.read_text())["input"]["parts"][2]["path"] == parts[2]
    assert verify(summary, parts) == []
    data = bytearray(Path(parts[1]).read_bytes())
    data[1084 + 2 * 50] = 70
    Path(parts[1]).write_bytes(bytes(data))
    assert any("not among the files given" in d for d in verify(summary, parts))


def test_without_join_nights_every_file_is_its_own_row(tmp_path: Path, cohort: Path) -> None:
    out = tmp_path / "out"
    r = run_batch([str(cohort)], out, request=AnalyzeRequest(report=False), jobs=1)
    assert len(r.rows) == 10
    assert all(" + " not in row.values["file"] for row in r.rows)
    assert r.n_failed == 1


def test_pool_and_serial_give_the_same_table(tmp_path: Path, cohort: Path) -> None:
    req = AnalyzeRequest(report=False)
    run_batch([str(cohort)], tmp_path / "one", request=req, jobs=1, join_nights=True)
    run_batch([str(cohort)], tmp_path / "two", request=req, jobs=2, join_nights=True)
    one = (tmp_path / "one" / "cohort.csv").read_bytes()
    assert one == (tmp_path / "two" / "cohort.csv").read_bytes()
    assert one.count(b"\n") == 7
    again = run_batch([str(cohort)], tmp_path / "two", request=req, jobs=2, join_nights=True)
    assert again.n_skipped == 3  # resumed: the nights' hashes are those of their files


def test_dask_gives_the_same_table(tmp_path: Path, cohort: Path) -> None:
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    req = AnalyzeRequest(report=False)
    run_batch([str(cohort)], tmp_path / "one", request=req, jobs=1, join_nights=True)
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0"
    ) as cluster:
        run_batch(
            [str(cohort)],
            tmp_path / "dask",
            request=req,
            scheduler=cluster.scheduler_address,
            join_nights=True,
        )
    one = (tmp_path / "one" / "cohort.csv").read_bytes()
    assert one == (tmp_path / "dask" / "cohort.csv").read_bytes()


def test_deidentified_rows_and_folders_name_no_file(
    tmp_path: Path, cohort: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(
        ["batch", str(cohort), "--out", str(out), "--join-nights", "--no-report", "--deidentify"]
    )
    assert code == 3
    text = (out / "cohort.csv").read_text()
    for name in ("n1-", "n2.", "nodate", "x.SpO2", "y.SpO2", "e1.", "e2.", str(tmp_path)):
        assert name not in text
    for d in out.iterdir():
        assert len(d.name) in (16, len("cohort.csv"))
        if d.is_dir():
            assert "n1-" not in (d / "summary.json").read_text()
    lab = next(row for row in _rows(out) if "overlaps" in row["error"])
    assert lab["file"] == lab["sha256"][:16]
    assert "in/lab" not in lab["error"] and "SpO2" not in lab["error"]
    # each file named by its own sha256 prefix, as docs/batch.md says (it was "overlaps '…'")
    x, y = (
        hashlib.sha256((cohort / "lab" / f).read_bytes()).hexdigest()[:16]
        for f in ("x.SpO2", "y.SpO2")
    )
    assert lab["error"].startswith(f"{y}: overlaps {x} by 100 s: two readings"), lab["error"]
    edf = next(row for row in _rows(out) if "not the same device" in row["error"])
    e1, e2 = (
        hashlib.sha256((cohort / "edf" / f).read_bytes()).hexdigest()[:16]
        for f in ("e1.edf", "e2.edf")
    )
    assert edf["error"].startswith(f"{e2}: cannot join it with {e1}: "), edf["error"]
    capsys.readouterr()


def test_grouping_rule() -> None:
    def scan(start_h: float, dur_h: float, folder: str = "/a", device: str = "d") -> FileScan:
        return FileScan(
            sha256="0" * 64,
            folder=folder,
            device=("contec", device),
            patient="",
            start=START + dt.timedelta(hours=start_h),
            duration_s=dur_h * 3600,
            date_known=True,
        )

    gap_h = NIGHT_GAP_S / 3600
    scans = [
        scan(3, 2),  # 0: night 1, second part
        scan(0, 2),  # 1: night 1, first part
        scan(5 + gap_h - 0.01, 1),  # 2: just under the gap limit: still night 1
        scan(6 + 2 * gap_h, 1),  # 3: over it: night 2
        scan(0, 2, folder="/b"),  # 4: another folder: never joined to /a
        scan(1, 2, device="other"),  # 5: another device
        None,  # 6: unreadable: alone
        scan(1.5, 1),  # 7: overlaps night 1: kept in it (refused when joined, not split off)
    ]
    nights, _ = group_nights(scans)
    assert nights == [[1, 7, 0, 2], [3], [4], [5], [6]]


def test_a_bug_while_reading_for_the_grouping_is_said_so(
    tmp_path: Path, cohort: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import oxi.batch.worker as worker

    def broken(path: str, request: AnalyzeRequest) -> FileScan:
        raise RuntimeError("boom")

    monkeypatch.setattr(worker, "scan_file", broken)
    r = run_batch(
        [str(cohort / "lab")],
        tmp_path / "o",
        request=AnalyzeRequest(report=False),
        jobs=1,
        join_nights=True,
    )
    assert [row.values["error"] for row in r.rows] == [
        "internal error (a bug in oxi): RuntimeError: boom"
    ] * 2
