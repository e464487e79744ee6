"""``evaluate(context, evidence, profile) -> Determination``: the qualification, rule by rule.

Every rule runs and reports; the determination combines them with three-valued logic: a path
(condition + test conditions + finding) qualifies only when every one of its rules is met, so a
missing input (None) can never produce ``qualified``. The determination is ``qualified`` when some
path is met and no non-coverage item applies, ``not_qualified`` when every path fails (or an
exclusion applies), and ``indeterminate`` otherwise, with ``missing`` saying what would settle it.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .context import Context
from .evidence import Evidence, SegmentFigures, SleepFigures
from .rules.base import Inputs, Readings, RuleResult, kleene_and, kleene_or, pct
from .rules.common import conditions
from .rules.profile import Profile

__all__ = [
    "COVERAGE_KINDS",
    "Determination",
    "Evidence",
    "Readings",
    "SegmentFigures",
    "SleepFigures",
    "evaluate",
    "get_profile",
]

COVERAGE_KINDS = ("continuous", "nocturnal", "exercise", "pediatric", "cluster_headache")


def get_profile(name: str) -> Profile:
    """Return the rule profile called ``name`` (``masshealth`` or ``medicare``).

    Raises
    ------
    criteria.errors.ContextError
        For an unknown name.
    """
    from .errors import ContextError
    from .rules.masshealth import MASSHEALTH
    from .rules.medicare import MEDICARE

    profiles = {"masshealth": MASSHEALTH, "medicare": MEDICARE}
    if name not in profiles:
        raise ContextError(f"unknown payer profile {name!r}; allowed: masshealth | medicare")
    return profiles[name]


@dataclass(frozen=True)
class Determination:
    """The outcome of :func:`evaluate` (SPEC §8.2 ``qualification`` block).

    Parameters
    ----------
    profile : str
        ``masshealth`` or ``medicare``.
    determination : str
        ``qualified``, ``not_qualified`` or ``indeterminate``.
    coverage : tuple of str
        Kinds of oxygen use the qualifying paths cover (:data:`COVERAGE_KINDS` order).
    authorization_months : int or None
        Length of the authorization when qualified.
    portable_eligible : bool or None
        Portable equipment eligibility (None when indeterminate).
    hcpcs : tuple of str
        Every code the determination makes eligible.
    missing : tuple of str
        Inputs that would settle an indeterminate result, then documents still needed.
    rules : tuple of RuleResult
        Every rule's result, in profile order.
    alternatives : tuple of dict
        Alternative readings of ambiguous text: what they would give, labelled; never used.
    warnings : tuple of str
        What a reviewer should know (presumed sleep, date differences, unmapped codes).
    test_date : datetime.date or None
        The test date used (``test.date``, else the recording's start date).
    basis : tuple of str
        The basis of a ``qualified`` determination: the id of the finding rule of every
        qualifying path that is met, in profile order, each once (e.g. ``ii_a_2_a_ii_sleep``).
        Empty when not qualified or indeterminate.
    """

    profile: str
    determination: str
    coverage: tuple[str, ...]
    authorization_months: int | None
    portable_eligible: bool | None
    hcpcs: tuple[str, ...]
    missing: tuple[str, ...]
    rules: tuple[RuleResult, ...]
    alternatives: tuple[Mapping[str, Any], ...] = ()
    warnings: tuple[str, ...] = ()
    test_date: _dt.date | None = field(default=None, compare=False)
    basis: tuple[str, ...] = ()

    def rule(self, rule_id: str) -> RuleResult:
        """Return one rule's result by id (KeyError if absent)."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def to_dict(self) -> dict[str, Any]:
        """Return the ``qualification`` block of ``summary.json`` (JSON-able, deterministic)."""
        return {
            "profile": self.profile,
            "determination": self.determination,
            "basis": list(self.basis),
            "coverage": list(self.coverage),
            "authorization_months": self.authorization_months,
            "portable_eligible": self.portable_eligible,
            "hcpcs": list(self.hcpcs),
            "missing": list(self.missing),
            "rules": [r.to_dict() for r in self.rules],
            "alternatives": [_jsonable(a) for a in self.alternatives],
            "warnings": list(self.warnings),
        }


def _jsonable(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, float):
        return round(v, 4)
    return v


@dataclass(frozen=True)
class _Run:
    results: dict[str, RuleResult]
    path_values: dict[str, bool | None]
    overall: bool | None
    met_paths: tuple[str, ...]
    coverage: tuple[str, ...]
    sleep_only: bool
    basis: tuple[str, ...]


def _run(
    profile: Profile,
    ctx: Context,
    ev: Evidence | None,
    test_date: _dt.date | None,
    readings: Readings,
) -> _Run:
    results: dict[str, RuleResult] = {}

    def inputs(state: Mapping[str, Any] | None = None) -> Inputs:
        return Inputs(ctx, ev, test_date, readings, results, state or {})

    for rule in profile.rules:
        results[rule.id] = rule.evaluate(inputs())
    path_values = {
        p.name: kleene_and(results[r].as_finding for r in p.rules) for p in profile.paths
    }
    any_path = kleene_or(path_values.values())
    excluded = kleene_and(results[r].met for r in profile.exclusions)
    overall = kleene_and([any_path, excluded])
    met = [p for p in profile.paths if path_values[p.name] is True] if overall is True else []
    wheres: list[set[str]] = []
    for p in met:
        w = {p.where} if p.where else set(results[p.finding].values.get("where", ["rest"]))
        wheres.append(w)
    sleep_only = bool(met) and all(w <= {"sleep"} for w in wheres)
    coverage = tuple(k for k in COVERAGE_KINDS if any(p.coverage == k for p in met))
    state = {
        "qualified": overall,
        "met_paths": [p.name for p in met],
        "sleep_only": sleep_only,
        "coverage": list(coverage),
    }
    for rule in (*profile.post_rules, *profile.documentation):
        results[rule.id] = rule.evaluate(inputs(state))
    basis = tuple(dict.fromkeys(p.finding for p in met))
    return _Run(
        results, path_values, overall, tuple(p.name for p in met), coverage, sleep_only, basis
    )


def _test_date(ctx: Context, ev: Evidence | None, warnings: list[str]) -> _dt.date | None:
    rec = ev.recording_start.date() if ev is not None and ev.recording_start is not None else None
    if ctx.test.date is not None:
        if rec is not None and rec != ctx.test.date:
            warnings.append(
                f"The context's test date {ctx.test.date.isoformat()} differs from the recording's "
                f"start date {rec.isoformat()}; the context's date is used."
            )
        return ctx.test.date
    if rec is not None:
        warnings.append(
            f"No test.date in the context: the recording's start date "
            f"{rec.isoformat()} is used as the test date."
        )
    return rec


def evaluate(
    context: Context | None,
    evidence: Evidence | None,
    profile: str | None = None,
    readings: Readings | None = None,
) -> Determination:
    """Apply a payer's rules to a clinical context and the evidence of a test.

    Parameters
    ----------
    context : Context or None
        The clinical context (None: an empty one — nothing can qualify).
    evidence : Evidence or None
        The test's figures (None: no recording, e.g. cluster headache or blood gases only).
    profile : str, optional
        ``masshealth`` or ``medicare``; else ``context.payer``; else ``masshealth``.
    readings : Readings, optional
        Readings of ambiguous text (default: the decided readings of SPEC §8.3). Each
        alternative of the profile is also evaluated and reported, never used.

    Returns
    -------
    Determination

    Notes
    -----
    MassHealth *Guidelines for Medical Necessity Determination for Oxygen Therapy* (MG-OXY,
    06/24), Sections II, III and Appendix A; Medicare LCD L33797 (simplified, see docs).
    """
    ctx = context if context is not None else Context()
    prof = get_profile(profile or ctx.payer or "masshealth")
    base = readings or Readings()
    warnings: list[str] = list(evidence.warnings) if evidence is not None else []
    test_date = _test_date(ctx, evidence, warnings)
    run = _run(prof, ctx, evidence, test_date, base)
    res = run.results
    verdict = {True: "qualified", False: "not_qualified", None: "indeterminate"}[run.overall]

    missing: list[str] = []
    if run.overall is None:
        for p in prof.paths:
            if run.path_values[p.name] is None:
                for r in p.rules:
                    if res[r].as_finding is None:
                        missing.extend(res[r].missing)
        for r in prof.exclusions:
            if res[r].met is None:
                missing.extend(res[r].missing)
    for r in (*prof.non_blocking, *(d.id for d in prof.documentation)):
        if res[r].met is False:
            missing.extend(res[r].missing)

    qualified = run.overall is True
    months = res[prof.authorization_rule].values.get("authorization_months") if qualified else None
    portable: bool | None = None if run.overall is None else (res[prof.portable_rule].met is True)
    hcpcs: list[str] = []
    if qualified:
        for r in prof.hcpcs_rules:
            hcpcs.extend(c for c in res[r].values.get("hcpcs", []) if c not in hcpcs)

    warnings.extend(_warnings(prof, ctx, evidence, run))
    alternatives = _alternatives(prof, ctx, evidence, test_date, base, verdict, run)
    order = [r.id for r in (*prof.rules, *prof.post_rules, *prof.documentation)]
    return Determination(
        profile=prof.name,
        determination=verdict,
        coverage=run.coverage,
        authorization_months=months,
        portable_eligible=portable,
        hcpcs=tuple(hcpcs),
        missing=tuple(dict.fromkeys(missing)),
        rules=tuple(res[i] for i in order),
        alternatives=tuple(alternatives),
        warnings=tuple(dict.fromkeys(warnings)),
        test_date=test_date,
        basis=run.basis,
    )


def _warnings(prof: Profile, ctx: Context, ev: Evidence | None, run: _Run) -> list[str]:
    out = list(prof.notes)
    s = ev.sleep if ev is not None else None
    said = " ".join(ev.warnings).lower() if ev is not None else ""
    if (
        s is not None
        and s.presumed
        and ctx.test.type in (None, "overnight")
        and "staging" not in said
    ):
        out.append(
            "No sleep staging: 'during sleep' is read over the presumed-sleep window "
            "(lights off to on, or first to last valid sample)."
        )
    first = bool(s and s.awake_baseline_source and s.awake_baseline_source.startswith("first"))
    if s is not None and first and "baseline" not in said:
        out.append("The awake baseline is presumed from the first 5 minutes of valid data.")
    if s is not None and s.awake_baseline_pct is not None and pct(s.awake_baseline_pct) <= 88:
        out.append(
            f"The awake baseline rounds to {pct(s.awake_baseline_pct)} % (≤ 88 %): a resting "
            "test on room air may qualify under the rest finding."
        )
    c = conditions(ctx)
    if c.unmapped:
        out.append(
            "Diagnosis codes outside the guideline's lists (a clinician must attest they "
            f"qualify): {', '.join(c.unmapped)}."
        )
    if run.overall is True and run.sleep_only:
        out.append(
            "Qualified on findings during sleep only: nocturnal use, stationary equipment, "
            "no portable system."
        )
    return out


def _alternatives(
    prof: Profile,
    ctx: Context,
    ev: Evidence | None,
    test_date: _dt.date | None,
    base: Readings,
    verdict: str,
    run: _Run,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    inp = Inputs(ctx, ev, test_date, base, run.results)
    for alt in prof.alternatives:
        if getattr(base, alt.option) == alt.reading or not alt.relevant(inp):
            continue
        alt_run = _run(
            prof, ctx, ev, test_date, dataclasses.replace(base, **{alt.option: alt.reading})
        )
        alt_verdict = {True: "qualified", False: "not_qualified", None: "indeterminate"}[
            alt_run.overall
        ]
        out.append(
            {
                "option": alt.option,
                "reading_used": getattr(base, alt.option),
                "alternative_reading": alt.reading,
                "label": f"Alternative reading, not used for the determination: {alt.label}",
                "clauses": list(alt.clauses),
                "figures": alt.figures(inp),
                "determination": alt_verdict,
                "coverage": list(alt_run.coverage),
                "changes_determination": alt_verdict != verdict or alt_run.coverage != run.coverage,
            }
        )
    return out
