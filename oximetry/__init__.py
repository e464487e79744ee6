"""oxi: overnight and exercise pulse-oximetry analysis for home-oxygen qualification evidence."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
