"""Where the analysis meets the rules: build the rules' inputs, map their errors.

``criteria`` depends on nothing in ``oximetry`` and ``oximetry`` on nothing in ``criteria``; the
app layer (this package) sits above both. This module turns an
:class:`oximetry.results.Analysis` into the rules' :class:`criteria.evidence.Evidence`, loads a
context, runs the rules, and turns every :class:`criteria.errors.CriteriaError` into the project's
:class:`oximetry.errors.ContextError` (bad input: one line, exit 2), so the CLI, ``oxi batch`` and
``oxi verify`` treat a bad context like any other bad input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from os import PathLike
from typing import Any, TypeVar

from criteria.context import Context
from criteria.context import load_context as _load
from criteria.errors import CriteriaError
from criteria.evaluate import Determination, evaluate
from criteria.evidence import Evidence
from oximetry.errors import ContextError, OximetryError
from oximetry.results import Analysis

__all__ = [
    "context_from_dict",
    "evidence_from_analysis",
    "evidence_from_summary",
    "load_context",
    "qualify",
]

T = TypeVar("T")


@contextmanager
def _as_bad_input(cls: type[OximetryError] = ContextError) -> Iterator[None]:
    try:
        yield
    except CriteriaError as exc:
        raise cls(exc.reason, exc.path) from None


def _call(fn: Callable[..., T], *args: Any, cls: type[OximetryError] = ContextError) -> T:
    with _as_bad_input(cls):
        return fn(*args)


def load_context(path: str | PathLike[str]) -> Context:
    """Read and validate a context file (:func:`criteria.context.load_context`).

    Raises
    ------
    oximetry.errors.ContextError
        The file is unreadable, unsafe, or holds an unknown key or a bad value.
    """
    return _call(_load, path)


def context_from_dict(data: Mapping[str, Any] | None, source: str | None = None) -> Context:
    """Validate a parsed context (e.g. the one recorded in a summary).

    Raises
    ------
    oximetry.errors.ContextError
        An unknown key or a bad value.
    """
    return _call(Context.from_dict, data, source)


def evidence_from_analysis(analysis: Analysis) -> Evidence:
    """Build the rules' evidence from an analysis (its metrics block, start, windows, warnings).

    A file without a date (times of day only) starts on a placeholder date; that date is never
    handed on, so the test date must then come from the context.
    """
    rec = analysis.recording
    start = rec.start if rec.source.date_known else None
    windows = [
        {"kind": w.kind, "source": w.source, "start_s": w.start_s, "end_s": w.end_s}
        for w in analysis.windows
    ]
    return _call(
        Evidence.from_metrics,
        analysis.metrics_dict(),
        start,
        tuple(analysis.warnings),
        windows,
        cls=OximetryError,
    )


def evidence_from_summary(summary: Mapping[str, Any], source: str | None = None) -> Evidence:
    """Build the rules' evidence from a parsed ``summary.json``.

    Raises
    ------
    oximetry.errors.OximetryError
        A needed figure is missing or malformed.
    """
    return _call(Evidence.from_summary, summary, source, cls=OximetryError)


def qualify(
    context: Context | None, evidence: Evidence | None, payer: str | None = None
) -> Determination:
    """Run the rules (:func:`criteria.evaluate.evaluate`); a bad payer name is bad input."""
    return _call(evaluate, context, evidence, payer)
