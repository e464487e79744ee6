"""Compute a file's bytes in a forked process while this one goes on (report.pdf's second half).

The child is only a way to use a second core: whatever happens to it (no ``fork`` on this
platform, a worker of a process pool, the child failing, stopped or hung), the bytes are computed
again here by the same function, so the result never depends on it.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["in_a_fork"]

#: How long the child's bytes are waited for once this process wants them: ``WAIT_FACTOR`` times
#: the time since the child started, and at least ``MIN_WAIT_S`` seconds. The child's share of
#: the work is about this process's (report.pdf's halves differ by one page at most), so on a
#: machine with two free cores it is done about when this process asks; the factor leaves room
#: for a loaded machine. A child that has not answered by then is taken as hung (a lock held by
#: another thread at the fork stays held in the child) and stopped, and its bytes computed here.
WAIT_FACTOR = 3.0
MIN_WAIT_S = 30.0


@contextlib.contextmanager
def in_a_fork(compute: Callable[[], bytes]) -> Iterator[Callable[[], bytes]]:
    """Start ``compute()`` in a forked child; give a function that returns its bytes.

    Parameters
    ----------
    compute : callable
        Returns bytes. It must give the same bytes wherever it runs, and change nothing this
        process keeps (a change made in the child is lost).

    Yields
    ------
    callable
        Returns the child's bytes, waiting for them (see :data:`WAIT_FACTOR`); ``compute()``
        run here when the child gave none in time (so an error in ``compute`` is raised here,
        with its traceback). Where a child cannot be started it is ``compute`` itself.

    Notes
    -----
    Leaving the block stops a child whose bytes were not taken (an error in this process while
    the child worked): a batch worker would otherwise keep it blocked on a full pipe.
    """
    ctx = _fork_context()
    if ctx is None:
        yield compute
        return
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(compute, send), daemon=True)
    started = time.monotonic()
    child.start()
    send.close()
    taken = False

    def result() -> bytes:
        nonlocal taken
        wait = max(MIN_WAIT_S, WAIT_FACTOR * (time.monotonic() - started))
        if not receive.poll(wait):  # hung (see WAIT_FACTOR)
            child.terminate()
            return compute()
        try:
            data = receive.recv_bytes()
        except EOFError:  # the child failed or was stopped: compute here
            return compute()
        taken = True
        return data

    try:
        yield result
    finally:
        receive.close()
        if not taken:
            child.terminate()
        child.join()


def _fork_context() -> Any:
    """Return multiprocessing's fork context; None where a fork is unsafe or not worth it."""
    import multiprocessing

    # Windows cannot fork and macOS forks unsafely under some system frameworks. A process
    # started by multiprocessing is a pool's worker (`oxi batch`: one per core already) or
    # daemonic (which may not start children): a child would only compete with its siblings,
    # and `oxi batch`'s workers run a thread (watching their parent), which a fork may catch
    # holding a lock.
    if sys.platform != "linux" or multiprocessing.parent_process() is not None:
        return None
    return multiprocessing.get_context("fork")


def _child(compute: Callable[[], bytes], send: Any) -> None:
    # Stopped by the parent (or Ctrl-C) without a word: the handlers inherited from `oxi` turn
    # SIGTERM and SIGINT into KeyboardInterrupt, whose traceback multiprocessing would print.
    # A signal the parent ignores (SIGHUP under nohup) stays ignored.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        if signal.getsignal(sig) is not signal.SIG_IGN:
            signal.signal(sig, signal.SIG_DFL)
    try:
        send.send_bytes(compute())
    except Exception:  # the parent computes it again and raises it there
        pass
    finally:
        send.close()
