"""A stand-in analysis for batch process tests: records its worker's pid, then sleeps."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any


def sleepy_analyze(path: str, request: Any, out_dir: str) -> dict[str, Any]:
    """Write this worker's pid beside the outputs, then sleep far longer than any test."""
    Path(out_dir).parent.joinpath(f"pid-{os.getpid()}").write_text(Path(path).name)
    time.sleep(120)
    return {}
