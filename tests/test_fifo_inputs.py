"""A FIFO given where a file is read is never waited on (hunt 10).

``oxi analyze/qualify/verify --context FIFO`` waited for a writer until killed, and so did
``oxi batch --hypnogram FIFO`` (hashing it for the settings' fingerprint); a FIFO named
``night.yaml`` in ``--contexts`` was skipped as "no context", and a FIFO recording, hypnogram or
annotation file was said to be "empty (0 bytes)". The summary reader already refused a FIFO.

A recording, hypnogram or annotation file that is a FIFO is refused in one line naming it. A
context file may be a pipe (``--context /dev/stdin``, ``--context <(cat ctx.yaml)``): it is read
to its end when a program writes it, and a FIFO no program writes is refused at once as a pipe
nothing was written to (review of hunt 10: refusing every pipe broke the first two).

Each FIFO here is fed by a writer that waits for a reader (for a context, one that starts only
after a few seconds): a reader that blocks reads the text and the test fails, instead of
hanging the suite.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oxi.cli import main
from oximetry.simulate import simulate_night, write_edf

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")

CONTEXT = "patient: {age_years: 70}\ntest: {type: overnight, room_air: true}\n"
NOT_REGULAR = "not a regular file (a FIFO or a device)"
NO_WRITER = "is a pipe nothing was written to (a FIFO no program writes), expected a context file"
#: A context FIFO's writer starts this late: a reader that waited for one would read its text.
LATE_S = 5.0


@contextlib.contextmanager
def _fifo(path: Path, text: str = CONTEXT, after_s: float = 0.0) -> Iterator[Path]:
    """Make ``path`` a FIFO, and write ``text`` into it whenever a reader opens it, from
    ``after_s`` seconds on (a FIFO no writer holds open until then)."""
    os.mkfifo(path)
    stop = threading.Event()

    def feed() -> None:
        if stop.wait(after_s):
            return
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
    with _fifo(tmp_path / "ctx.yaml", after_s=LATE_S) as fifo:
        args = {
            "analyze": ["analyze", str(edf), "--out", str(tmp_path / "o"), "--no-report"],
            "qualify": ["qualify"],
            "verify": ["verify", str(out / "summary.json"), str(edf)],
        }[command]
        capsys.readouterr()
        code = main([*args, "--context", str(fifo)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"oxi: {fifo}: {NO_WRITER}\n"


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
    with _fifo(contexts / "night.yaml", after_s=LATE_S):
        code = main(["batch", str(edf), "--contexts", str(contexts), "--out", str(out),
                     "--jobs", "1", "--quiet", "--no-report"])  # fmt: skip
    (row,) = _rows(out)
    assert code == 3 and row["status"] == "error"
    assert row["error"] == f"{contexts / 'night.yaml'}: {NO_WRITER}"


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
    """It was "--context: no such file". A pipe, read once, cannot be each recording's context
    (the batch's check took its text and every recording was an error row)."""
    edf, _ = night
    with _fifo(tmp_path / "ctx.yaml", after_s=LATE_S) as fifo:
        capsys.readouterr()
        code = main(["batch", str(edf), "--context", str(fifo), "--out", str(tmp_path / "b"),
                     "--jobs", "1", "--quiet", "--no-report"])  # fmt: skip
    assert code == 2
    assert capsys.readouterr().err == (
        f"oxi: {fifo}: --context: a pipe gives its text once, and a batch reads the context for "
        "every recording; give a file\n"
    )


def _context_of(out: Path) -> Any:
    return json.loads((out / "summary.json").read_text())["context"]


def test_a_context_from_a_pipe_is_read(
    night: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``cat ctx.yaml | oxi analyze night.edf --context /dev/stdin`` and ``--context <(cat
    ctx.yaml)``: refused as no regular file (hunt 10's FIFO fix), they stopped working (review
    of hunt 10). Both are an anonymous pipe's /dev/fd/N; a FIFO a writer holds open is read
    too, to its end, and the context is the file's."""
    edf, _ = night
    plain = tmp_path / "ctx.yaml"
    plain.write_text(CONTEXT)
    base = ["analyze", str(edf), "--no-report", "--out"]
    assert main([*base, str(tmp_path / "o_file"), "--context", str(plain)]) == 0
    expected = _context_of(tmp_path / "o_file")
    assert expected["patient"]["age_years"] == 70
    read, write = os.pipe()
    try:
        os.write(write, CONTEXT.encode())
        os.close(write)
        capsys.readouterr()
        code = main([*base, str(tmp_path / "o_pipe"), "--context", f"/dev/fd/{read}"])
        assert code == 0, capsys.readouterr().err
    finally:
        os.close(read)
    assert _context_of(tmp_path / "o_pipe") == expected
    # a named pipe its writer holds open, half the text written, the rest a moment later: read
    # to the writer's end, not to what the pipe held when opened
    fifo = tmp_path / "piped.yaml"
    os.mkfifo(fifo)
    holder = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # lets the writer open without waiting
    pen = os.open(fifo, os.O_WRONLY)
    half = len(CONTEXT) // 2
    os.write(pen, CONTEXT[:half].encode())

    def finish() -> None:
        time.sleep(0.5)
        os.write(pen, CONTEXT[half:].encode())
        os.close(pen)

    writer = threading.Thread(target=finish, daemon=True)
    writer.start()
    try:
        capsys.readouterr()
        code = main([*base, str(tmp_path / "o_fifo"), "--context", str(fifo)])
        assert code == 0, capsys.readouterr().err
    finally:
        writer.join(5)
        os.close(holder)
    assert _context_of(tmp_path / "o_fifo") == expected


def test_a_device_or_a_folder_is_still_no_context(tmp_path: Path) -> None:
    from criteria.context_file import read_context_file
    from criteria.errors import ContextError

    with pytest.raises(ContextError, match=r"not a regular file or a pipe \(a device\)"):
        read_context_file(os.devnull)
    with pytest.raises(ContextError, match="is a directory"):
        read_context_file(tmp_path)
