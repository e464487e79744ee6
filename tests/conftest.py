"""Shared test fixtures: a headless matplotlib, closed figures, simulated nights, shared data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

try:  # matplotlib is a runtime dependency, but keep the fixtures usable without it
    import matplotlib

    matplotlib.use("Agg")
except ImportError:  # pragma: no cover - matplotlib missing
    matplotlib = None

from oximetry.simulate import simulate_night

# The property tests and fuzzers draw the same examples on every run, so a run (CI's included) is
# reproducible and a failure is the code's, never the draw's. `OXI_EXPLORE=1` draws new examples
# each run (with `OXI_FUZZ_N=2000` for the fuzzers) to hunt for what the fixed draw misses;
# README "Development" says how. Loaded here, before any test module builds its settings.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("explore" if os.environ.get("OXI_EXPLORE") else "repeatable")

#: ``../shared/data`` beside the repository (CI clones the repo with ``shared/`` next to it).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    """Close every matplotlib figure a test opened."""
    yield
    if matplotlib is not None:
        import sys

        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Return ``../shared/data``, skipping the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real recordings not available ({SHARED_DATA} missing)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def example_night():  # type: ignore[no-untyped-def]
    """Return a simulated 2-hour staged night at 1 Hz with desaturations and one sustained drop."""
    return simulate_night(
        fs=1.0,
        duration_s=2 * 3600,
        seed=7,
        desaturations=30,
        sustained_drops=[(3600.0, 720.0, 86.0)],
        artifacts=[(1500.0, 60.0, "nan")],
        stages=True,
    )


#: The run date the context validation treats as "today" in tests (dates after the run are
#: implausible, SPEC §8.2): fixed, so that tests written with 2026–2027 dates stay valid.
TEST_RUN_DATE = (2030, 12, 31)


@pytest.fixture(scope="session", autouse=True)
def _pinned_run_date() -> Iterator[None]:
    """Pin ``criteria.context``'s run date for the whole session (restored at the end)."""
    import datetime as dt

    import criteria.context as cc

    real = cc._TODAY
    cc._TODAY = lambda: dt.date(*TEST_RUN_DATE)
    yield
    cc._TODAY = real
