"""The Examples sections of the public API run as doctests (numpydoc ``Examples``)."""

from __future__ import annotations

import doctest
import importlib

import pytest

PUBLIC = (
    "oximetry",
    "oximetry.analysis",
    "oximetry.model",  # PatientInfo.redact
    "oximetry.io.reader",
    "oximetry.io._base",  # path_text: a name that is not UTF-8
    "oximetry.report.terminal",  # minutes, cut, sustained_nadir_text: never rounded across
    "oximetry.io.channels",  # classify: which channel is what
    "oximetry.spans",
    "oximetry.artifact",  # dropout_edges: the samples before a probe-off, by hand
    "oximetry.metrics.odi_reference",
    "oximetry.metrics.drops",  # awake_baseline and its minimum
    "oximetry.plot",  # envelope: what a long trace is drawn as
    "oximetry.windows",  # clock_text: a time dated over 24 h
    "criteria.evaluate",
    "criteria.rules.shared",  # night_share: the 20:00-08:00 reading, worked
    "criteria.rules.base",  # value_figure: a rule's value never rounded onto a half
    "criteria.names",  # same_person: one person written two ways, placeholders
    "criteria.context_file",  # shorten: a text cut short keeps its closing quote
    "oximetry.errors",  # deidentified_reason
    "oxi.privacy",  # deidentified_error: a found file's name never printed
    "oxi.visible",  # visible: what a terminal would act on, shown escaped
    "oximetry.io.resmed",  # is_resmed_recording_field: ResMed's words in the header
)


@pytest.mark.parametrize("name", PUBLIC)
def test_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no Examples"
    assert result.failed == 0
