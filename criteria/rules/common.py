"""MassHealth building blocks: MG-OXY conditions from codes, measurement parts under its readings.

Payer-neutral helpers (window figures, blood gas parts, dates) live in :mod:`.shared`.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, cast

from ..context import Context
from ..evidence import SegmentFigures, SleepFigures
from ..icd10 import categorise
from .base import Inputs, Part, at_least, pct
from .shared import codes_matching, in_doubt, sustained_low, window_figures

__all__ = [
    "Conditions",
    "conditions",
    "pulmonary_hypertension_codes",
    "segment_part",
    "sleep_part",
]


#: II.A.1's own categories (a, b, c): a code in one of them is a listed qualifying condition.
LISTED = ("severe_lung_disease", "hypoxia_related", "short_term")
#: Categories that are never a II.A.1 condition, even attested (II.A.1.d has its own path).
HEADACHE = ("cluster_headache", "headache_other", "other_tac")
ATTESTATION = "findings.attested_condition"
#: The ``requires`` of the table's rows for childhood conditions: II.A.1.a.vi names "pediatric"
#: bronchopulmonary dysplasia and b.vii pulmonary insufficiency of prematurity, and II.A.2.d
#: defines pediatric as under 21. Without it a 70-year-old with P27.1 qualified nocturnal
#: oxygen for 12 months citing II.A.1.a.vi while II.A.2.d said the member was 21 or older.
PEDIATRIC = "patient.under_21"
#: What a pending pediatric code needs (the member-age gate names the same key).
AGE = "patient.birth_date or age_years"


@dataclass(frozen=True)
class Conditions:
    """The guideline categories a context's diagnoses document, with their sources.

    Only diagnosis codes make a category (SPEC §8.2: symptoms or findings never stand in for a
    diagnosis); documented findings and symptoms are listed under ``supporting``. A code whose row
    ``requires`` a finding counts only when that finding is true; while the finding is not given the
    code is ``pending`` on it, and when it is false the code is treated as unlisted. A row that
    requires :data:`PEDIATRIC` counts under 21 on the test date; 21 or older the code is unlisted
    (and in ``adult``), and with the age unknown it is pending on the age.
    """

    by_category: dict[str, list[str]]
    unmapped: list[str]  # codes outside every list, and codes whose required finding is false
    pending: dict[str, str]  # code -> the finding it still needs
    supporting: list[str]
    attested: bool | None
    given: bool  # diagnoses key present and non-empty
    incomplete: tuple[str, ...] = ()  # category codes (J44) where a complete code is needed
    adult: tuple[str, ...] = ()  # codes of a pediatric list item, the member 21 or older

    def has(self, *cats: str) -> bool:
        """Return True when any of the categories is documented."""
        return any(self.by_category.get(c) for c in cats)

    @property
    def listed(self) -> bool:
        """A condition on II.A.1.a, b or c's lists is coded."""
        return self.has(*LISTED)

    @property
    def attested_unlisted(self) -> bool:
        """The clinician attests a coded condition outside the lists (SPEC §8.2)."""
        return self.attested is True and bool(self.unlisted)

    @property
    def unlisted(self) -> list[str]:
        """Codes that could qualify II.A.1 only with the clinician's attestation."""
        other = [
            entry.split(" ", 1)[0]
            for cat, entries in self.by_category.items()
            if cat not in (*LISTED, *HEADACHE)
            for entry in entries
        ]
        return list(dict.fromkeys([*self.unmapped, *self.pending, *other]))

    @property
    def chronic(self) -> bool:
        """A chronic condition is documented: II.A.1.a or b, or an attested unlisted one."""
        return self.has("severe_lung_disease", "hypoxia_related") or self.attested_unlisted

    @property
    def listed_chronic(self) -> bool:
        """A chronic condition on II.A.1.a or b's lists (the 12-month authorization)."""
        return self.has("severe_lung_disease", "hypoxia_related")

    @property
    def acute(self) -> bool:
        """A short-term condition (II.A.1.c) is documented."""
        return self.has("short_term")


def conditions(ctx: Context, day: _dt.date | None) -> Conditions:
    """Map the context's diagnoses to guideline categories (findings only support).

    Parameters
    ----------
    ctx : Context
        Reads ``diagnoses``, ``findings`` and ``symptoms``, and the patient's age for the rows
        that require :data:`PEDIATRIC`.
    day : datetime.date or None
        The test date: the age on it decides whether a pediatric list item (II.A.1.a.vi BPD,
        b.vii PIP) can place the member (under 21, II.A.2.d); unknown, those codes are pending
        on the age.

    Returns
    -------
    Conditions
        The categories with their codes, the unlisted and pending codes, the supporting findings.
    """
    cats: dict[str, list[str]] = {}
    unmapped: list[str] = []
    pending: dict[str, str] = {}
    adult: list[str] = []
    codes = ctx.diagnoses or ()
    f = ctx.findings
    incomplete = [c for c in codes if not _billable(c)]
    for code in codes:
        row = categorise(code)
        if code in incomplete and (row is None or row.category in (*LISTED, *HEADACHE)):
            # A heading (J45) hides what decides (with or without exacerbation): it never
            # qualifies; it still counts for the exclusions (I20 angina) below.
            continue
        if row is None:
            unmapped.append(code)
            continue
        if row.requires == PEDIATRIC:
            young = ctx.patient.under(21, day)
            if young is None:
                # a birth date without the test date: the date (its own gate names it) decides
                # (a birth after the test date is a conflict, read alike from a summary)
                dated = ctx.patient.has_birth_date() and not ctx.patient.born_after(day)
                pending[code] = "test.date" if dated else AGE
                continue
            if not young:
                adult.append(code)
                unmapped.append(code)
                continue
        elif row.requires:
            flag = getattr(f, row.requires.split(".", 1)[1])
            if flag is None and row.category != "chronic_unlisted":
                pending[code] = row.requires
                continue
            if flag is not True and row.category != "chronic_unlisted":
                unmapped.append(code)
                continue
        cats.setdefault(row.category, []).append(f"{code} ({row.label}, {row.clause})")
    if cats.get("heart_failure") and any(c.replace(".", "").startswith("I2781") for c in codes):
        cats.setdefault("hypoxia_related", []).extend(
            f"{c} with I27.81 (congestive heart failure due to chronic cor pulmonale, II.A.1.b.iii)"
            for c in codes
            if c.startswith("I50")
        )
    supporting: list[str] = []
    if f.pulmonary_hypertension is True:
        supporting.append("findings.pulmonary_hypertension (II.A.1.b.i)")
    hct = f.hematocrit_pct
    if hct is not None and hct > 56:
        supporting.append(f"findings.hematocrit_pct {hct:g} % > 56 (erythrocytosis, II.A.1.b.iv)")
    for sym, clause in (("cognitive_impairment", "v"), ("nocturnal_restlessness", "vi")):
        if sym in (ctx.symptoms or ()):
            supporting.append(f"symptoms: {sym} (II.A.1.b.{clause})")
    return Conditions(
        cats,
        unmapped,
        pending,
        supporting,
        f.attested_condition,
        bool(codes),
        tuple(incomplete),
        tuple(adult),
    )


def _billable(code: str) -> bool:
    from ..icd10 import is_leaf

    return is_leaf(code)


#: Pulmonary hypertension and cor pulmonale among the I27 pulmonary heart diseases: primary
#: (I27.0), kyphoscoliotic heart disease (I27.1), secondary (I27.2x), chronic cor pulmonale
#: (I27.81), Eisenmenger's syndrome (I27.83). Not chronic pulmonary embolism (I27.82), other or
#: unspecified pulmonary heart disease (I27.89, I27.9), nor the heading I27, which hides which.
PULMONARY_HYPERTENSION_CODES = ("I27.0", "I27.1", "I27.2", "I27.81", "I27.83")


def pulmonary_hypertension_codes(ctx: Context) -> list[str]:
    """Return the coded pulmonary hypertension / cor pulmonale (:data:`PULMONARY_HYPERTENSION_CODES`).

    Parameters
    ----------
    ctx : Context
        Reads ``diagnoses``.

    Returns
    -------
    list of str
        The matching codes, as given.
    """
    return codes_matching(ctx.diagnoses, PULMONARY_HYPERTENSION_CODES)


# --------------------------------------------------------------------------------------------
# Measurement parts
# --------------------------------------------------------------------------------------------


def segment_part(
    inp: Inputs,
    kind: str,
    types: tuple[str, ...],
    name: str,
    cmp: str,
    level: int,
    values: dict[str, Any],
) -> Part:
    """Return a rest/exercise part on the rounded sustained nadir (SPEC §6, §8.3): ``le`` or ``ge``.

    Not evaluable when the line lies between the nadir's lower bound and itself (artifact
    breaks its 10 s runs: :func:`~criteria.rules.shared.sustained_low`).
    """
    state, figs, missing = window_figures(inp, kind, types)
    if state != "ok":
        return Part(name, None, tested=state == "missing", missing=missing, where=kind)
    figs = cast(SegmentFigures, figs)
    sn = figs.sustained_nadir_pct
    values[f"{kind}_sustained_nadir_pct"] = sn
    if sn is None:
        return Part(name, None, missing=(f"valid data in the '{kind}' segment",), where=kind)
    values[f"{kind}_sustained_nadir_rounded_pct"] = pct(sn)
    where = "exercise" if kind == "exercise" else "rest"
    # Where artifact breaks the 10 s runs the level lies between the lower bound and the
    # sustained nadir (all-valid runs, the upper bound; sustained_low): "at most" is shown on
    # the upper bound, "at least" on the lower one, and a line between the two is in doubt.
    low = sustained_low(figs)
    if low is not None:
        values[f"{kind}_sustained_nadir_low_pct"] = low
    lo, hi = pct(sn if low is None else low), pct(sn)
    sure, possible = (hi <= level, lo <= level) if cmp == "le" else (lo >= level, hi >= level)
    if sure or not possible:
        return Part(name, sure, where=where)
    assert low is not None  # without a lower bound lo == hi: sure or not possible
    return Part(name, None, missing=(in_doubt(kind, low, sn),), where=where)


def sleep_part(inp: Inputs, name: str, measure: str, values: dict[str, Any]) -> Part:
    """Return a sleep part under the chosen duration reading (SPEC §8.3: 5 cumulative minutes).

    ``measure`` is ``le88``, ``lt90`` (r ≤ 89), ``le90`` or ``drop5`` (b − r > 5).
    """
    state, figs, missing = window_figures(inp, "sleep", ("overnight",))
    if state != "ok":
        return Part(name, None, tested=state == "missing", missing=missing, where="sleep")
    figs = cast(SleepFigures, figs)
    cum = {"le88": figs.t_le88_min, "lt90": figs.t_lt90_min, "le90": figs.t_le90_min}
    cum["drop5"] = figs.drop5_min  # type: ignore[assignment]
    longest = {"le88": figs.longest_le88_min, "drop5": figs.longest_drop5_min}
    level = {"le88": 88, "lt90": 89, "le90": 90}
    values["window"] = figs.kind
    values["valid_min"] = figs.valid_min
    values[f"t_{measure}_min" if measure != "drop5" else "drop5_min"] = cum[measure]
    if measure in longest:
        values[f"longest_{measure}_min"] = longest[measure]
    reading = inp.readings.sleep_duration
    if measure == "drop5" and figs.awake_baseline_pct is None:
        return Part(name, None, missing=("an awake baseline",), where="sleep")
    if reading == "cumulative":
        met = at_least(cum[measure], 5.0)
    elif reading == "continuous":
        met = at_least(longest.get(measure), 5.0)
        if met is None:
            return Part(
                name, None, missing=(f"the longest continuous run for {measure}",), where="sleep"
            )
    else:  # single_sample
        if figs.nadir_pct is None:
            return Part(name, None, missing=("a sleep nadir",), where="sleep")
        values["nadir_rounded_pct"] = pct(figs.nadir_pct)
        if measure == "drop5":
            met = pct(cast(float, figs.awake_baseline_pct)) - pct(figs.nadir_pct) > 5
        else:
            met = pct(figs.nadir_pct) <= level[measure]
    if met is None:
        return Part(name, None, missing=(f"{measure} minutes",), where="sleep")
    return Part(name, met, where="sleep")
