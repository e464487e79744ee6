"""report.pdf's second half drawn on a second core: the same bytes wherever it was drawn."""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import subprocess
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from oximetry.report import forked, pdf
from oximetry.report.summary import build_summary
from tests import report_data as rd

PDFTOTEXT = shutil.which("pdftotext")


def test_the_childs_bytes_are_given():
    with forked.in_a_fork(lambda: bytes(range(256)) * 40_000) as result:  # > a pipe's buffer
        assert result() == bytes(range(256)) * 40_000


def test_a_child_that_fails_is_done_again_here():
    parent = os.getpid()

    def compute() -> bytes:
        if os.getpid() != parent:
            raise RuntimeError("only the child fails")
        return b"computed here"

    with forked.in_a_fork(compute) as result:
        assert result() == b"computed here"


def test_an_error_is_raised_here_with_its_traceback():
    def compute() -> bytes:
        raise ZeroDivisionError("a bug")

    with pytest.raises(ZeroDivisionError, match="a bug"), forked.in_a_fork(compute) as result:
        result()


def test_a_child_whose_bytes_are_not_taken_is_stopped():
    # an error in this process while the child works: a batch worker would otherwise keep the
    # child blocked on a full pipe for as long as it lives
    with pytest.raises(ValueError), forked.in_a_fork(lambda: b"x" * 10_000_000):
        raise ValueError("the first half failed")
    assert multiprocessing.active_children() == []


def test_a_hung_child_is_stopped_and_the_bytes_computed_here(monkeypatch):
    # a fork can catch another thread holding a lock, which then stays held in the child
    parent = os.getpid()

    def compute() -> bytes:
        if os.getpid() != parent:
            time.sleep(3600)
        return b"computed here"

    monkeypatch.setattr(forked, "MIN_WAIT_S", 0.5)
    monkeypatch.setattr(forked, "WAIT_FACTOR", 0.0)
    t0 = time.monotonic()
    with forked.in_a_fork(compute) as result:
        assert result() == b"computed here"
    assert time.monotonic() - t0 < 30
    assert multiprocessing.active_children() == []


def _forks_here() -> bool:
    return forked._fork_context() is not None


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_a_pool_worker_draws_both_halves_itself(method):
    # `oxi batch` runs one worker per core: a child of each would only compete with the others
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} here")
    assert _forks_here() == (os.name == "posix" and os.uname().sysname == "Linux")
    ctx = multiprocessing.get_context(method)
    with ProcessPoolExecutor(1, mp_context=ctx) as pool:
        assert pool.submit(_forks_here).result() is False


def test_without_a_fork_the_bytes_are_computed_here(monkeypatch):
    monkeypatch.setattr(forked, "_fork_context", lambda: None)
    with forked.in_a_fork(lambda: b"here") as result:
        assert result() == b"here"


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) not installed")
def test_a_report_is_the_same_drawn_on_one_core_or_two(monkeypatch, tmp_path):
    a = rd.make_analysis()
    s = build_summary(a, qualification=rd.QUALIFICATION)
    pages = len(pdf._build_pages(a, s, None))
    assert pages >= pdf.SPLIT_PAGES  # drawn in halves
    two = pdf.render_report_pdf(a, s)
    monkeypatch.setattr(forked, "_fork_context", lambda: None)
    one = pdf.render_report_pdf(a, s)
    assert one == two
    # every page once, in order, as the footers number them
    path = tmp_path / "report.pdf"
    path.write_bytes(two)
    text = subprocess.run(
        [PDFTOTEXT, str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    numbers = [int(m) for m in re.findall(rf"page (\d+) of {pages}\b", text)]
    assert numbers == list(range(1, pages + 1))
    assert text.count("\f") == pages
