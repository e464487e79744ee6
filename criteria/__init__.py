"""Qualification rules for home oxygen therapy, clause by clause (MassHealth MG-OXY, Medicare).

``criteria`` depends on nothing else of this project: a :class:`Context` (the clinical context
file) and an :class:`Evidence` (the test's figures) go in, a :class:`Determination` comes out
of :func:`evaluate`.
"""

from __future__ import annotations

from .context import Context, load_context
from .errors import ContextError, CriteriaError, EvidenceError
from .evaluate import Determination, evaluate
from .evidence import Evidence

__all__ = [
    "Context",
    "ContextError",
    "CriteriaError",
    "Determination",
    "Evidence",
    "EvidenceError",
    "evaluate",
    "load_context",
]
