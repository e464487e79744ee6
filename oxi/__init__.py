"""The ``oxi`` application: the command line and the workflows above the two libraries.

Three layers, imports pointing down only (``tests/test_layers.py`` checks it):

* ``criteria`` — the qualification rules; imports nothing of this project;
* ``oximetry`` — reading, artifact rejection, windows, metrics, plots and report files; never
  imports ``criteria`` or ``oxi``;
* ``oxi`` (this package) — :mod:`oxi.pipeline` (read, analyse, qualify, write, for one file),
  :mod:`oxi.qualify` (the bridge from an analysis to the rules), :mod:`oxi.verify`,
  :mod:`oxi.batch`, :mod:`oxi.info` (``oxi info``'s text), :mod:`oxi.options` (clock-time and
  span options) and :mod:`oxi.cli` (parse, call, print, exit status).
"""

from __future__ import annotations

from oximetry import __version__

__all__ = ["__version__"]
