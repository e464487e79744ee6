"""ICD-10-CM codes mapped to the guideline's condition categories (data in ``data/icd10_categories.csv``).

Matching is by prefix on the code without its dot; the longest matching prefix wins (``I27.81``
chronic cor pulmonale before ``I27`` pulmonary hypertension, ``G44.0`` cluster headache before
``G44`` other headache syndromes). A code that matches no prefix is *unmapped*: MG-OXY's lists are
"not limited to", so an unmapped code never qualifies and never disqualifies on its own.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["CATEGORIES", "Mapping10", "categorise", "mapping_table"]

#: Categories a row may name.
CATEGORIES = (
    "severe_lung_disease",  # II.A.1.a
    "hypoxia_related",  # II.A.1.b
    "short_term",  # II.A.1.c
    "cluster_headache",  # II.A.1.d
    "heart_failure",  # II.A.1.b.iii only together with I27.81
    "headache_other",  # II.B.5
    "peripheral_vascular_disease",  # II.B.2
    "angina_pectoris",  # II.B.3
    "breathlessness",  # II.B.4
)


@dataclass(frozen=True)
class Mapping10:
    """One row of the mapping table."""

    prefix: str
    category: str
    clause: str
    label: str
    basis: str


@lru_cache(maxsize=1)
def mapping_table() -> tuple[Mapping10, ...]:
    """Return the mapping rows, read once from the package data."""
    from importlib import resources  # only when a context names diagnoses

    text = resources.files("criteria").joinpath("data/icd10_categories.csv").read_text("utf-8")
    rows = tuple(Mapping10(**row) for row in csv.DictReader(io.StringIO(text)))
    for row in rows:
        if row.category not in CATEGORIES:  # a packaging defect, not a user error
            raise RuntimeError(f"icd10_categories.csv: unknown category {row.category!r}")
    return rows


def categorise(code: str) -> Mapping10 | None:
    """Return the mapping row for a normalised code (``J44.9``), or None when unmapped."""
    compact = code.replace(".", "")
    best: Mapping10 | None = None
    for row in mapping_table():
        p = row.prefix.replace(".", "")
        if compact.startswith(p) and (best is None or len(p) > len(best.prefix.replace(".", ""))):
            best = row
    return best
