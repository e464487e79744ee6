"""ICD-10-CM: which codes exist, what they are called, which guideline category they fall in.

Categories are in ``data/icd10_categories.csv``, acute/exacerbation codes in
``data/icd10_acute.csv``.

Existence and descriptions come from the ``simple-icd-10-cm`` package, which ships one CMS release
of the code set (:func:`code_set` names it); nothing here is a hand list of valid codes. The
package parses its whole tabular file when imported (seconds, ~150 MB), so it is imported only when
a context names diagnoses.

The category map is matched by prefix on the code without its dot; the longest matching prefix
wins (``I27.81`` chronic cor pulmonale before ``I27``; ``G44.01`` cluster headache before ``G44``).
A row may name a ``requires`` key (``findings.widespread_pulmonary_neoplasm`` for C34,
``findings.attested_condition`` for codes that are symptoms or unlisted chronic disease): the code
counts for its category only when that finding is true. A code that matches no row is *unmapped*:
MG-OXY's lists are "not limited to", so it qualifies II.A.1 only with the clinician's attestation.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = [
    "CATEGORIES",
    "AcuteCode",
    "Mapping10",
    "acute",
    "categorise",
    "code_set",
    "describe",
    "exists",
    "mapping_table",
]

#: Categories a row may name.
CATEGORIES = (
    "severe_lung_disease",  # II.A.1.a
    "hypoxia_related",  # II.A.1.b
    "short_term",  # II.A.1.c
    "cluster_headache",  # II.A.1.d (G44.00x-G44.02x only)
    "chronic_unlisted",  # chronic lung disease outside the lists (J41/J42): attestation
    "heart_failure",  # II.A.1.b.iii only together with I27.81
    "headache_other",  # II.B.5
    "other_tac",  # II.B.5: trigeminal autonomic cephalgias other than cluster headache
    "peripheral_vascular_disease",  # II.B.2
    "angina_pectoris",  # II.B.3
    "breathlessness",  # II.B.4
)


@dataclass(frozen=True)
class Mapping10:
    """One row of the category table."""

    prefix: str
    category: str
    clause: str
    label: str
    basis: str
    requires: str = ""


@dataclass(frozen=True)
class AcuteCode:
    """One row of the acute/exacerbation table (a conflict with ``chronic_stable_state: true``)."""

    prefix: str
    why: str


def _library() -> Any:
    import warnings

    with warnings.catch_warnings():
        # The package reads its data with importlib.resources' legacy API (deprecated, works).
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm  # heavy: parsed at import, so only when diagnoses are given

    return simple_icd_10_cm


@lru_cache(maxsize=1)
def code_set() -> str:
    """Return the code set release the checks use, e.g. ``ICD-10-CM April 1, 2026 (CMS)``."""
    from importlib import metadata

    lib = _library()
    name = str(getattr(lib.simple_icd_10_cm, "_classification_data_package_file_name", ""))
    m = re.search(r"([A-Za-z]+)-(\d{1,2})-(\d{4})", name)
    release = f"{m.group(1)} {m.group(2)}, {m.group(3)}" if m else "release not stated"
    version = metadata.version("simple-icd-10-cm")
    return f"ICD-10-CM {release} (CMS), via simple-icd-10-cm {version}"


def exists(code: str) -> bool:
    """Return True when ``code`` (``J44.9`` or ``J449``) is a code of the ICD-10-CM code set.

    Categories (``J44``) exist too; chapters and blocks are not codes.
    """
    lib = _library()
    compact = code.replace(".", "")
    if not re.fullmatch(r"[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}", compact):
        return False
    return bool(lib.is_valid_item(compact)) and not lib.is_chapter_or_block(compact)


def describe(code: str) -> str:
    """Return the code set's description of an existing code."""
    return str(_library().get_description(code.replace(".", "")))


def is_leaf(code: str) -> bool:
    """Return True when the code has no subdivisions (a billable code)."""
    return bool(_library().is_leaf(code.replace(".", "")))


def _read(name: str) -> list[dict[str, str]]:
    from importlib import resources

    text = resources.files("criteria").joinpath(f"data/{name}").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@lru_cache(maxsize=1)
def mapping_table() -> tuple[Mapping10, ...]:
    """Return the category rows, read once from the package data."""
    rows = tuple(Mapping10(**row) for row in _read("icd10_categories.csv"))
    for row in rows:
        if row.category not in CATEGORIES:  # a packaging defect, not a user error
            raise RuntimeError(f"icd10_categories.csv: unknown category {row.category!r}")
    return rows


@lru_cache(maxsize=1)
def acute_table() -> tuple[AcuteCode, ...]:
    """Return the acute/exacerbation rows, read once from the package data."""
    return tuple(AcuteCode(**row) for row in _read("icd10_acute.csv"))


def _longest(code: str, rows: tuple[Any, ...]) -> Any:
    compact = code.replace(".", "")
    best, best_len = None, -1
    for row in rows:
        p = row.prefix.replace(".", "")
        if compact.startswith(p) and len(p) > best_len:
            best, best_len = row, len(p)
    return best


def categorise(code: str) -> Mapping10 | None:
    """Return the category row for a normalised code (``J44.9``), or None when unmapped."""
    return _longest(code, mapping_table())


def acute(code: str) -> AcuteCode | None:
    """Return the acute/exacerbation row for a code (``J44.1``), or None."""
    return _longest(code, acute_table())
