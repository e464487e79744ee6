"""Process-level memory tuning for the command line (not used by the library functions)."""

from __future__ import annotations

import ctypes
import sys

__all__ = ["reuse_freed_memory"]

# mallopt parameters from glibc's <malloc.h>
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: Blocks below this come from the heap and are reused once freed (glibc's largest allowed value).
MMAP_THRESHOLD = 32 << 20
#: Free memory at the top of the heap kept for reuse instead of being returned to the system.
TRIM_THRESHOLD = 256 << 20


def reuse_freed_memory() -> bool:
    """Ask glibc to keep freed blocks of up to 32 MB for reuse instead of unmapping them.

    A whole-night float array is about 6 MB at 25 Hz over 8 hours. By default glibc maps each
    such block afresh and unmaps it when freed (until it has seen one freed), so the next array
    touches new memory pages; on virtual machines where a page fault is slow this costs more
    than the arithmetic. Measured on the 8-hour 25 Hz bench night: about 3,700 fewer page faults
    and 5 % less time for ``oxi analyze --no-report``. Arrays of 32 MB and more are mapped as
    before. The same as setting ``MALLOC_MMAP_THRESHOLD_`` and ``MALLOC_TRIM_THRESHOLD_``.

    Returns
    -------
    bool
        True when the setting was applied (Linux with glibc); False elsewhere, where nothing
        is changed.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (musl, ...)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
