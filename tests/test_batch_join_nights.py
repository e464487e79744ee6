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
from oxi.batch.nights import NIGHT_GAP_S, UNIDENTIFIED_GAP_S, FileScan, group_nights
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
    # Contec files hold no patient identifier: the 10-min pause joins, the 3-h one does not.
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
    # One device, two rates (a 5-min pause: without identifiers, only a short one joins).
    fast, _ = simulate_night(fs=2.0, duration_s=600, seed=3, start=START + dt.timedelta(minutes=35))
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
        f"{home}/n1-c.SpO2 + {home}/n1-a.SpO2",  # time order
        f"{home}/n1-b.SpO2",  # 3 h later, and no identifier in either: kept apart
        f"{home}/n2.SpO2",
        f"{home}/nodate.csv",
        "in/lab/x.SpO2 + in/lab/y.SpO2",
    ]
    edf_row, broken, joined, n1b, n2, nodate, lab = rows
    assert (
        broken["status"] == "error"
        and broken["error"] == f"{home}/broken.SpO2: file is empty (0 bytes)"
    )
    assert edf_row["status"] == "error"
    assert "not the same device and rates" in edf_row["error"]
    assert "in/edf/e2.edf" in edf_row["error"] and "in/edf/e1.edf" in edf_row["error"]
    assert lab["status"] == "error" and lab["error"].startswith("in/lab/y.SpO2: overlaps 'in/lab/x")
    assert joined["status"] == n1b["status"] == n2["status"] == nodate["status"] == "ok"
    # The joined night's figures are those of oxi analyze a b.
    parts = [str(cohort / "home" / f) for f in ("n1-c.SpO2", "n1-a.SpO2")]
    alone = analyze_file(parts, AnalyzeRequest(report=False)).summary
    block = alone["metrics"]["presumed_sleep"]
    assert float(joined["t_le88_min"]) == pytest.approx(block["t_le88_min"], abs=1e-4)
    assert float(joined["recording_min"]) == pytest.approx(6000 / 60)
    assert float(joined["missing_min"]) == pytest.approx(10, abs=1e-4)
    assert float(n1b["recording_min"]) == pytest.approx(2000 / 60)
    assert joined["sha256"] == alone["input"]["sha256"]
    assert any("6 files grouped into 3 nights of several files" in n for n in r.notes)
    assert any("1 file holds no date and was analysed alone" in n for n in r.notes)
    assert any(
        n.startswith(f"--join-nights: {home}/n1-b.SpO2 was not joined with {home}/n1-a.SpO2, ")
        for n in r.notes
    )
    # The joined night's folder is named after its first file, and verifies against its files.
    summary = out / "n1-c+1" / "summary.json"
    assert json.loads(summary.read_text())["input"]["parts"][1]["path"] == parts[1]
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
    assert one.count(b"\n") == 8
    again = run_batch([str(cohort)], tmp_path / "two", request=req, jobs=2, join_nights=True)
    assert again.n_skipped == 4  # resumed: the nights' hashes are those of their files


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


def _scan(
    start_h: float, dur_h: float, folder: str = "/a", device: str = "d", patient: str = "p"
) -> FileScan:
    return FileScan(
        sha256="0" * 64,
        folder=folder,
        device=("contec", device),
        patient=patient,
        start=START + dt.timedelta(hours=start_h),
        duration_s=dur_h * 3600,
        date_known=True,
    )


def test_grouping_rule() -> None:
    # files naming one patient (their identifiers' digest "p"): the 4-h rule
    scan = _scan
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
        scan(2, 1, patient="q"),  # 8: another patient
        scan(2.1, 1, patient=""),  # 9: no identifier: never with a file that has one
    ]
    nights, _, apart = group_nights(scans)
    assert nights == [[1, 7, 0, 2], [3], [4], [5], [6], [8], [9]]
    assert apart == []


def test_files_without_identifiers_join_only_across_a_short_pause() -> None:
    # Nothing in them tells two patients apart (O2Ring CSV exports never name one): only a
    # pause as short as one recording's parts joins them, 15 min at most.
    short_h = UNIDENTIFIED_GAP_S / 3600
    scans = [
        _scan(0, 2, patient=""),  # 0: night 1
        _scan(2 + short_h, 1, patient=""),  # 1: exactly 15 min later: joined
        _scan(3 + short_h + 2, 1, patient=""),  # 2: 2 h later: apart
        _scan(6 + short_h + 0.05, 1, patient=""),  # 3: 3 min after 2: joined to it
        _scan(7 + short_h + 0.05 + 0.26, 1, patient=""),  # 4: 15.6 min after: apart
        _scan(20, 1, patient=""),  # 5: another night (over 4 h): apart, nothing to say
        _scan(20.5, 1, patient=""),  # 6: overlaps 5: kept in its night, to be refused
    ]
    nights, _, apart = group_nights(scans)
    assert nights == [[0, 1], [2, 3], [4], [5, 6]]
    assert [(a.before, a.after) for a in apart] == [((0, 1), (2, 3)), ((2, 3), (4,))]
    assert apart[0].pause_s == pytest.approx(2 * 3600)
    assert apart[1].pause_s == pytest.approx(0.26 * 3600)


#: Patient A's context, dated for the night of 2026-11-20 (data/example-context.yaml).
def _context_a(folder: Path) -> Path:
    root = Path(__file__).resolve().parents[1]
    text = (root / "data" / "example-context.yaml").read_text()
    text = text.replace("2026-01-05", "2026-11-20").replace("2025-12-20", "2026-11-10")
    folder.mkdir()
    path = folder / "O2Ring_A_20261120210000.yaml"
    path.write_text(text)
    return path


def _o2ring_pair(folder: Path, pause_s: float) -> tuple[Path, Path]:
    """Patient A 21:00-23:00 (normal), then B ``pause_s`` later for 4 h, 30 min at 85 %."""
    from oximetry.simulate import write_csv

    folder.mkdir(parents=True)
    day = dt.datetime(2026, 11, 20, 21, 0)
    a, _ = simulate_night(
        fs=1, duration_s=2 * 3600, seed=1, baseline_pct=95, desaturations=5, start=day
    )
    b_start = day + dt.timedelta(seconds=2 * 3600 + pause_s)
    b, _ = simulate_night(
        fs=1,
        duration_s=4 * 3600,
        seed=2,
        baseline_pct=91,
        sustained_drops=[(1800, 1800, 85)],
        desaturations=10,
        start=b_start,
    )
    pa = write_csv(a, folder / "O2Ring_A_20261120210000.csv", flavor="o2ring")
    pb = write_csv(b, folder / f"O2Ring_B_{b_start:%Y%m%d%H%M%S}.csv", flavor="o2ring")
    return Path(pa), Path(pb)


def test_two_patients_files_without_identifiers_are_not_one_night(tmp_path: Path) -> None:
    # Two O2Ring CSV exports in one download folder (no patient identifiers: such exports hold
    # none), A's normal 2 h, B's 4 h with 30 min at 85 % starting 2 h later, and only A's
    # context: joined, A's row was B's desaturation under A's context, 480 min, qualified.
    a, b = _o2ring_pair(tmp_path / "in", 2 * 3600)
    ctx = _context_a(tmp_path / "ctx")
    joined = analyze_file(
        [str(a), str(b)], AnalyzeRequest(report=False, context_path=str(ctx))
    ).summary
    assert joined["qualification"]["determination"] == "qualified"  # what the old row said
    alone = analyze_file(str(a), AnalyzeRequest(report=False, context_path=str(ctx))).summary
    r = run_batch(
        [str(tmp_path / "in")],
        tmp_path / "out",
        request=AnalyzeRequest(report=False),
        contexts_dir=str(tmp_path / "ctx"),
        jobs=1,
        join_nights=True,
    )
    rows = [row.values for row in r.rows]
    assert [row["file"] for row in rows] == [str(a), str(b)]
    assert rows[0]["determination"] == alone["qualification"]["determination"]
    assert rows[0]["determination"] == "not_qualified"
    assert float(rows[0]["recording_min"]) == pytest.approx(120.0)
    assert rows[1]["determination"] == "indeterminate"  # no context of its own
    # said, with the way to join them deliberately
    [note] = [n for n in r.notes if "not joined" in n]
    assert note.startswith(f"--join-nights: {b} was not joined with {a}, which ended 120.0 min ")
    assert "neither file holds a patient identifier" in note
    assert note.endswith(f"oxi analyze {a} {b}")


def test_a_night_split_for_minutes_without_identifiers_is_one_night(tmp_path: Path) -> None:
    # One recording's parts: a 5-min pause (a probe re-seated) is still joined.
    a, b = _o2ring_pair(tmp_path / "in", 5 * 60)
    r = run_batch(
        [str(tmp_path / "in")],
        tmp_path / "out",
        request=AnalyzeRequest(report=False),
        jobs=1,
        join_nights=True,
    )
    [row] = [row.values for row in r.rows]
    assert row["file"] == f"{a} + {b}"
    assert float(row["recording_min"]) == pytest.approx(2 * 60 + 5 + 4 * 60)
    assert float(row["missing_min"]) == pytest.approx(5, abs=1e-4)
    assert not any("not joined" in n for n in r.notes)


def test_a_later_file_with_a_context_of_its_own_is_not_judged_under_the_first(
    tmp_path: Path,
) -> None:
    # A's normal 2 h, then B's 4 h with 30 min at 85 % 10 min later (one night by the grouping
    # rule), each with its patient's context: the night was judged under A's context and
    # qualified, B's context passed over without a word.
    a, b = _o2ring_pair(tmp_path / "in", 10 * 60)
    ctx_a = _context_a(tmp_path / "ctx")
    text_b = ctx_a.read_text().replace("EX-000-0001", "EX-000-0002")
    (tmp_path / "ctx" / f"{b.stem}.yaml").write_text(text_b)

    def rows(**options: bool) -> list[dict[str, str]]:
        r = run_batch(
            [str(tmp_path / "in")],
            tmp_path / "out",
            request=AnalyzeRequest(report=False, **options),
            contexts_dir=str(tmp_path / "ctx"),
            jobs=1,
            join_nights=True,
        )
        return [row.values for row in r.rows]

    [row] = rows()
    assert row["file"] == f"{a} + {b}"
    assert row["status"] == "error" and row["determination"] == ""
    assert f"has a context of its own in --contexts ({b.stem!r})" in row["error"]
    assert row["context"] == "no context: its files have different contexts (see error)"
    [row] = rows(deidentify=True)
    assert row["status"] == "error" and "O2Ring" not in row["error"]
    # the same context in each file's name is the night's
    (tmp_path / "ctx" / f"{b.stem}.yaml").write_text(ctx_a.read_text())
    [row] = rows()
    assert row["status"] == "ok" and row["context"] == ctx_a.name
    # a later file's context is never the night's alone
    ctx_a.unlink()
    [row] = rows()
    assert row["status"] == "error"


def test_de_identified_note_names_the_files_by_hash(tmp_path: Path) -> None:
    a, b = _o2ring_pair(tmp_path / "in", 2 * 3600)
    r = run_batch(
        [str(tmp_path / "in")],
        tmp_path / "out",
        request=AnalyzeRequest(report=False, deidentify=True),
        jobs=1,
        join_nights=True,
    )
    ha, hb = (hashlib.sha256(f.read_bytes()).hexdigest()[:16] for f in (a, b))
    [note] = [n for n in r.notes if "not joined" in n]
    assert note.startswith(f"--join-nights: {hb} was not joined with {ha}, ")
    assert note.endswith(f"give oxi analyze its files together ({ha}, {hb})")
    assert "O2Ring" not in note and str(tmp_path) not in note


def test_files_naming_one_patient_keep_the_4_hour_rule(tmp_path: Path, night: Recording) -> None:
    from oximetry.model import PatientInfo

    folder = tmp_path / "in"
    folder.mkdir()
    who = PatientInfo(code="EX-1")
    write_edf(replace(_piece(night, 0, 3600), patient=who), folder / "p1.edf")
    later = START + dt.timedelta(seconds=3600 + 2 * 3600)
    write_edf(replace(_piece(night, 3600, 7200, later), patient=who), folder / "p2.edf")
    r = run_batch(
        [str(folder)],
        tmp_path / "out",
        request=AnalyzeRequest(report=False),
        jobs=1,
        join_nights=True,
    )
    [row] = [row.values for row in r.rows]
    assert row["file"] == f"{folder / 'p1.edf'} + {folder / 'p2.edf'}"
    assert float(row["missing_min"]) == pytest.approx(120, abs=1e-4)


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


@pytest.mark.parametrize("field", ["Anonymous", "X", "anon", "Patient", "---", "X X X X"])
def test_a_placeholder_patient_field_identifies_nobody(tmp_path: Path, field: str) -> None:
    """A plain EDF's patient field is its name whatever it says: two patients' de-identified
    files that both said "Anonymous", 2 h apart, were one night (29.5 min at or below 88 % from
    the second patient beside the first's; review of hunt 12). A placeholder is no identifier,
    so the 15-min rule keeps them apart; a real name in both keeps the 4-h rule."""
    import numpy as np

    from oxi.batch.nights import scan_file
    from oximetry.io import read_recording
    from tests.io_fixtures import RawEdf, RawSig, write_edf_raw

    def edf(name: str, start: dt.datetime, hours: int, patient: str) -> str:
        x = np.full((hours * 60, 60), 95, dtype=np.int64)
        spec = RawEdf(
            [RawSig("SpO2", "%", 60, x)], record_s=60.0, reserved="", patient=patient,
            recording="Nonin", start=start,
        )  # fmt: skip
        return str(write_edf_raw(tmp_path / name, spec))

    for patient, joined in ((field, False), ("Jane Quokkaman", True)):
        a = edf(f"a_{joined}.edf", dt.datetime(2026, 3, 2, 21, 0), 2, patient)
        b = edf(f"b_{joined}.edf", dt.datetime(2026, 3, 3, 1, 0), 4, patient)
        assert read_recording(a).patient.name == patient  # the whole field is the name
        scans = [scan_file(p, AnalyzeRequest(report=False)) for p in (a, b)]
        nights, _, _ = group_nights(scans)
        assert (nights == [[0, 1]]) is joined, (patient, nights)
