"""The command line's allocator setting (glibc): applied where glibc is, harmless elsewhere."""

from __future__ import annotations

import ctypes
import sys

import pytest

from oximetry._memory import reuse_freed_memory


def _has_glibc() -> bool:
    try:
        ctypes.CDLL("libc.so.6").gnu_get_libc_version  # noqa: B018
    except (OSError, AttributeError):
        return False
    return sys.platform.startswith("linux")


@pytest.mark.skipif(not _has_glibc(), reason="glibc only")
def test_glibc_accepts_the_thresholds() -> None:
    # mallopt returns 0 for a parameter or value it refuses (e.g. a threshold above its maximum)
    assert reuse_freed_memory() is True


def test_elsewhere_nothing_is_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert reuse_freed_memory() is False
