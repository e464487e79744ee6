"""A FIFO given where a file is read is refused in one line naming it, never waited on (hunt 10).

``oxi analyze/qualify/verify --context FIFO`` waited for a writer until killed, and so did
``oxi batch --hypnogram FIFO`` (hashing it for the settings' fingerprint); a FIFO named
``night.yaml`` in ``--contexts`` was skipped as "no context", and a FIFO recording, hypnogram or
annotation file was said to be "empty (0 bytes)". The summary reader already refused a FIFO.

Each FIFO here is fed by a writer that waits for a reader: a reader that blocks (the code
before the fix) reads the text and the test fails, instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import csv
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from oxi.cli import main
from oximetry.simulate import simulate_night, write_edf

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")

CONTEXT = "patient: {age_years: 70}\ntest: {type: overnight, room_air: true}\n"
NOT_REGULAR = "not a regular file (a FIFO or a device)"


@contextlib.contextmanager
def _fifo(path: Path, text: str = CONTEXT) -> Iterator[Path]:
    """Make ``path`` a FIFO, and write ``text`` into it whenever a reader opens it."""
    os.mkfifo(path)
    stop = threading.Event()

    def feed() -> None:
        while not stop.is_set():
            try:
                fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # no reader (ENXIO): the code under test did not wait
                time.sleep(0.01)
                continue
            # a reader that opened without blocking and went away: the pipe is broken
            with contextlib.suppress(OSError), os.fdopen(fd, "w") as f:
                f.write(text)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        yield path
    finally:
        stop.set()
        writer.join(5)


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An hour's night and its summary made with a context: (recording, output folder)."""
    tmp = tmp_path_factory.mktemp("fifo")
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=4)
    edf = write_edf(rec, tmp / "night.edf")
    ctx = tmp / "ctx.yaml"
    ctx.write_text(CONTEXT)
    out = tmp / "out"
    assert main(["analyze", str(edf), "--out", str(out), "--no-report", "--context", str(ctx)]) == 0
    return edf, out


@pytest.mark.parametrize("command", ["analyze", "qualify", "verify"])
def test_a_fifo_context_is_refused_not_waited_on(
    night: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    edf, out = night
    with _fifo(tmp_path / "ctx.yaml") as fifo:
        args = {
            "analyze": ["analyze", str(edf), "--out", str(tmp_path / "o"), "--no-report"],
            "qualify": ["qualify"],
            "verify": ["verify", str(out / "summary.json"), str(edf)],
        }[command]
        capsys.readouterr()
        code = main([*args, "--context", str(fifo)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"oxi: {fifo}: {NOT_REGULAR}, expected a context file\n"


@pytest.mark.parametrize("option", ["--hypnogram", "--annotations"])
def test_a_fifo_hypnogram_or_annotation_file_is_not_said_to_be_empty(
    night: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    edf, _ = night
    with _fifo(tmp_path / "stages.csv", "0,30,W\n") as fifo:
        capsys.readouterr()
        code = main(["analyze", str(edf), "--out", str(tmp_path / "o"), "--no-report",
                     option, str(fifo)])  # fmt: skip
    assert code == 2
    assert capsys.readouterr().err == f"oxi: {fifo}: {NOT_REGULAR}\n"


def _rows(out: Path) -> list[dict[str, str]]:
    with (out / "cohort.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def test_batch_a_fifo_in_contexts_is_the_nights_error_row(
    night: tuple[Path, Path], tmp_path: Path
) -> None:
    """A FIFO named after the night in --contexts: the night's context, refused in its row
    (it was skipped, the night analysed without a context, "no night.yaml in --contexts")."""
    edf, _ = night
    contexts = tmp_path / "contexts"
    contexts.mkdir()
    out = tmp_path / "b"
    with _fifo(contexts / "night.yaml"):
        code = main(["batch", str(edf), "--contexts", str(contexts), "--out", str(out),
                     "--jobs", "1", "--quiet", "--no-report"])  # fmt: skip
    (row,) = _rows(out)
    assert code == 3 and row["status"] == "error"
    assert row["error"] == f"{contexts / 'night.yaml'}: {NOT_REGULAR}, expected a context file"


def test_batch_a_fifo_hypnogram_is_an_error_row_not_a_hang(
    night: tuple[Path, Path], tmp_path: Path
) -> None:
    edf, _ = night
    out = tmp_path / "b"
    with _fifo(tmp_path / "stages.csv", "0,30,W\n") as fifo:
        code = main(["batch", str(edf), "--hypnogram", str(fifo), "--out", str(out),
                     "--jobs", "1", "--quiet", "--no-report"])  # fmt: skip
    (row,) = _rows(out)
    assert code == 3 and row["error"] == f"{fifo}: {NOT_REGULAR}"


def test_batch_a_fifo_context_for_all_is_refused_as_what_it_is(
    night: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was "--context: no such file"."""
    edf, _ = night
    with _fifo(tmp_path / "ctx.yaml") as fifo:
        capsys.readouterr()
        code = main(["batch", str(edf), "--context", str(fifo), "--out", str(tmp_path / "b"),
                     "--jobs", "1", "--quiet", "--no-report"])  # fmt: skip
    assert code == 2
    assert capsys.readouterr().err == f"oxi: {fifo}: {NOT_REGULAR}, expected a context file\n"
