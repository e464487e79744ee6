"""ICD-10-CM: which codes exist, what they are called, which guideline category they fall in.

Categories are in ``data/icd10_categories.csv``, acute/exacerbation codes in
``data/icd10_acute.csv``.

Existence and descriptions come from the ``simple-icd-10-cm`` package, which ships one CMS release
of the code set (:func:`code_set` names it); nothing here is a hand list of valid codes. The
package parses its whole tabular file when imported (seconds, ~180 MB), so its two CMS data files
(the code list and the tabular XML) are read directly, located through the installed package; the
lookups are tested against the package's own API for every code of the release.

The category map is matched by prefix on the code without its dot; the longest matching prefix
wins (``I27.81`` chronic cor pulmonale before ``I27``; ``G44.01`` cluster headache before ``G44``).
A row may name a ``requires`` key (``findings.widespread_pulmonary_neoplasm`` for C34,
``findings.attested_condition`` for codes that are symptoms or unlisted chronic disease): the code
counts for its category only when that finding is true. ``patient.under_21`` (P27.1 pediatric
BPD, P28.0 PIP) is no finding: the code counts only for a member under 21 on the test date
(:func:`criteria.rules.common.conditions`). A code that matches no row is *unmapped*:
MG-OXY's lists are "not limited to", so it qualifies II.A.1 only with the clinician's attestation.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import mmap
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
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
    """Import the package itself (seconds, ~150 MB): only for what the data files do not say."""
    import warnings

    with warnings.catch_warnings():
        # The package reads its data with importlib.resources' legacy API (deprecated, works).
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm

    return simple_icd_10_cm


@lru_cache(maxsize=1)
def _data_files() -> tuple[Path, Path]:
    """Return the package's code list and tabular file, found without importing the package.

    The package parses its whole tabular XML when imported; reading its two CMS files directly
    costs milliseconds. ``tests/test_criteria_validity.py`` checks these lookups against the
    package's own API for every code of the code set.
    """
    from importlib.util import find_spec

    spec = find_spec("simple_icd_10_cm")
    if spec is None or not spec.submodule_search_locations:  # a packaging defect, not bad input
        raise RuntimeError("the simple-icd-10-cm package is not installed")
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    (codes,) = sorted(data.glob("code-list-*.txt"))
    (tabular,) = sorted(data.glob("icd10c-tabular-*.xml"))
    return codes, tabular


@lru_cache(maxsize=1)
def _code_index() -> tuple[frozenset[str], frozenset[str]]:
    """Return (every code without dots, the codes with subdivisions), from the code list.

    The list is in tabular order (each code followed by its subdivisions), so a code has
    subdivisions exactly when the next entry extends it (a block named after its one category,
    ``B20``, is listed twice: not a subdivision). Chapters (``1``) and blocks
    (``A00-A09``) are not codes.
    """
    lines = _data_files()[0].read_text(encoding="utf-8").split()
    codes = [x for x in lines if _COMPACT.fullmatch(x)]
    parents = {a for a, b in itertools.pairwise(codes) if b != a and b.startswith(a)}
    return frozenset(codes), frozenset(parents)


@lru_cache(maxsize=1)
def _tabular() -> mmap.mmap:
    """Return the tabular XML, mapped (searched in place: no 10 MB copy in memory)."""
    with _data_files()[1].open("rb") as fh:
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)


_COMPACT = re.compile(r"[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}")


@lru_cache(maxsize=1)
def code_set() -> str:
    """Return the code set release the checks use, e.g. ``ICD-10-CM April 1, 2026 (CMS)``."""
    from importlib import metadata

    m = re.search(r"([A-Za-z]+)-(\d{1,2})-(\d{4})", _data_files()[1].name)
    release = f"{m.group(1)} {m.group(2)}, {m.group(3)}" if m else "release not stated"
    version = metadata.version("simple-icd-10-cm")
    return f"ICD-10-CM {release} (CMS), via simple-icd-10-cm {version}"


def exists(code: str) -> bool:
    """Return True when ``code`` (``J44.9`` or ``J449``) is a code of the ICD-10-CM code set.

    Categories (``J44``) exist too; chapters and blocks are not codes.
    """
    compact = code.replace(".", "")
    return bool(_COMPACT.fullmatch(compact)) and compact in _code_index()[0]


def describe(code: str) -> str:
    """Return the code set's description of an existing code."""
    compact = code.replace(".", "")
    dotted = compact if len(compact) <= 3 else f"{compact[:3]}.{compact[3:]}"
    text = _tabular()
    at = text.find(f"<name>{dotted}</name>".encode())
    if at >= 0:
        lo = text.find(b"<desc>", at)
        hi = text.find(b"</desc>", lo)
        if lo >= 0 and hi > lo and b"<name>" not in text[at + 6 : lo]:
            return html.unescape(text[lo + 6 : hi].decode("utf-8"))
    # A code built from a 7th-character extension has no entry of its own: ask the package.
    return str(_library().get_description(compact))


def is_leaf(code: str) -> bool:
    """Return True when the code has no subdivisions (a billable code)."""
    return code.replace(".", "") not in _code_index()[1]


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
