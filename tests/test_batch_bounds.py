"""``oxi batch`` stays bounded: jobs capped by tasks and cores, workers die with the batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from oxi.batch import local, run_batch
from oxi.pipeline import AnalyzeRequest

ROOT = Path(__file__).resolve().parents[1]


def _inputs(folder: Path, n: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"r{i}.csv"
        p.write_text("seconds,spo2\n0,95\n1,96\n")
        paths.append(str(p))
    return paths


def test_jobs_capped_at_tasks_and_cores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[int] = []

    def fake_pool(tasks, jobs, tally):  # type: ignore[no-untyped-def]
        used.append(jobs)
        return local.run_serial(tasks, tally)

    monkeypatch.setattr("oxi.batch.run.run_pool", fake_pool)
    monkeypatch.setattr("oxi.batch.run.default_jobs", lambda: 2)
    paths = _inputs(tmp_path / "in", 3)
    request = AnalyzeRequest(report=False)
    result = run_batch(paths, tmp_path / "out", request=request, jobs=1000, progress=False)
    assert used == [2]  # 1,000 asked, 3 recordings, 2 cores
    assert "note: --jobs 1000 capped at 2 (3 recording(s), 2 core(s))" in result.describe()
    monkeypatch.setattr("oxi.batch.run.default_jobs", lambda: 64)
    result = run_batch(paths, tmp_path / "out2", request=request, jobs=1000, progress=False)
    assert used == [2, 3]
    assert "capped at 3 (3 recording(s), 64 core(s))" in result.describe()
    result = run_batch(paths, tmp_path / "out3", request=request, progress=False)
    assert used == [2, 3, 3] and "note:" not in result.describe()  # no --jobs: no note


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[-1].split()[0].decode()
    except OSError:
        return "gone"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_workers_exit_when_the_batch_is_killed(tmp_path: Path) -> None:
    paths = _inputs(tmp_path / "in", 2)
    out = tmp_path / "out"
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from oxi.batch import run_batch
        from oxi.pipeline import AnalyzeRequest
        from tests.batch_sleeper import sleepy_analyze
        run_batch({paths!r}, Path({str(out)!r}), request=AnalyzeRequest(report=False),
                  jobs=2, progress=False, analyze=sleepy_analyze)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while len(list(out.glob("pid-*"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        workers = [int(p.name[4:]) for p in out.glob("pid-*")]
        assert len(workers) == 2, "the workers did not start"
        assert all(_state(w) not in ("gone", "Z") for w in workers)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_state(w) not in ("gone", "Z") for w in workers):
            time.sleep(0.1)
        assert [_state(w) in ("gone", "Z") for w in workers] == [True, True]
    finally:
        if parent.poll() is None:
            parent.kill()
        for p in out.glob("pid-*"):
            try:
                os.kill(int(p.name[4:]), signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.mark.slow
def test_a_stopped_pool_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while a worker wrote a recording's set left ``out/.b.<hex>.tmp/`` holding a lone
    report.pdf: the terminated worker died inside write_set, before its cleanup, and no later
    run removed it. The batch now removes it before it stops."""
    from tests.batch_sleeper import stalled_writer_analyze

    for name in ("a.csv", "b.csv"):
        rec = tmp_path / "in" / name
        rec.parent.mkdir(exist_ok=True)
        rec.write_text("seconds,spo2\n0,95\n1,96\n")
    out = tmp_path / "out"

    def interrupt(self: object, rows: object) -> None:
        raise KeyboardInterrupt  # Ctrl-C once a.csv is done and b.csv's set is half-written

    monkeypatch.setattr(local.Tally, "add", interrupt)
    monkeypatch.setattr("oxi.batch.run.default_jobs", lambda: 2)
    with pytest.raises(KeyboardInterrupt):
        run_batch([str(tmp_path / "in")], out, request=AnalyzeRequest(report=False), jobs=2,
                  progress=False, analyze=stalled_writer_analyze)  # fmt: skip
    assert sorted(os.listdir(out)) == []  # no .b.<hex>.tmp, and b's folder never landed
