"""``evaluate(context, evidence, profile) -> Determination``: the qualification, rule by rule.

Validity comes first (SPEC §8.2): the context was checked when it was built (real ICD-10-CM codes,
plausible values); here the inputs are checked against each other (:mod:`criteria.conflicts`), and
any conflict makes the determination ``indeterminate`` whatever the rules say. Then every rule runs
and reports; the determination combines them with three-valued logic: a path (condition + test
conditions + finding + the exclusions that concern it) qualifies only when every one of its rules
is met, so a missing input (None) can never produce ``qualified``. The determination is
``qualified`` when some path is met, ``not_qualified`` when every path is closed, and
``indeterminate`` otherwise, with ``missing`` and ``would_qualify_if`` saying what would settle it
and ``decided_by`` naming the rules that decided.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .conflicts import Conflict, find_conflicts
from .context import TEST_TYPES, BloodGas, Context
from .evidence import Evidence, SegmentFigures, SleepFigures, check_figures
from .rules.base import (
    EPS_MIN,
    Inputs,
    Readings,
    RuleResult,
    kleene_and,
    kleene_or,
    pct,
    value_figure,
)
from .rules.common import conditions
from .rules.profile import Profile
from .rules.shared import (
    DATE_CONFLICT,
    MAX_PRESUMED_SLEEP_MIN,
    NIGHT_FROM,
    NIGHT_TO,
    PAO2_KEYS,
    night_share,
    test_day_of,
    unbounded_text,
)

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
        The test date used (``test.date``, else :attr:`Evidence.test_day`).
    basis : tuple of str
        The basis of a ``qualified`` determination: the id of the finding rule of every
        qualifying path that is met, in profile order, each once (e.g. ``ii_a_2_a_ii_sleep``).
        Empty when not qualified or indeterminate.
    conflicts : tuple of Conflict
        Contradictions among the inputs; any one makes the determination indeterminate.
    decided_by : tuple of str
        The rules that decided: the qualifying findings when qualified; when not qualified, the
        failing rules of every path; when indeterminate, only what stops a decision: the
        unevaluable rules of every open path (and ``conflicts`` when there are conflicts).
    would_qualify_if : mapping
        Per open path the recorded figures do not already rule out, the inputs or findings that
        would change the outcome.
    diagnoses : tuple of dict
        Each diagnosis code with its description in the code set and its guideline category.
    code_set : str or None
        The ICD-10-CM release the codes were checked against (None without diagnoses).
    modifiers : tuple of str
        Claim modifiers the determination supports (Medicare: N1/N2/N3, Q flow modifiers).
    revisions : tuple of str
        The policy revisions the profile encodes (Medicare); written with ``modifiers`` when set.
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
    conflicts: tuple[Conflict, ...] = ()
    decided_by: tuple[str, ...] = ()
    would_qualify_if: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    diagnoses: tuple[Mapping[str, Any], ...] = ()
    code_set: str | None = None
    modifiers: tuple[str, ...] = ()
    revisions: tuple[str, ...] = ()

    def rule(self, rule_id: str) -> RuleResult:
        """Return one rule's result by id (KeyError if absent)."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def to_dict(self) -> dict[str, Any]:
        """Return the ``qualification`` block of ``summary.json`` (JSON-able, deterministic)."""
        out: dict[str, Any] = {
            "profile": self.profile,
            "determination": self.determination,
            "basis": list(self.basis),
            # the date the rules judged (page 1 prints it): a night from 00:30 on the 2nd is
            # the 1st's, the file's own date is the 2nd
            "test_date": None if self.test_date is None else self.test_date.isoformat(),
            "coverage": list(self.coverage),
            "authorization_months": self.authorization_months,
            "portable_eligible": self.portable_eligible,
            "hcpcs": list(self.hcpcs),
            "missing": list(self.missing),
            "conflicts": [c.to_dict() for c in self.conflicts],
            "decided_by": list(self.decided_by),
            "would_qualify_if": {k: list(v) for k, v in self.would_qualify_if.items()},
            "code_set": self.code_set,
            "diagnoses": [dict(d) for d in self.diagnoses],
            "rules": [r.to_dict() for r in self.rules],
            "alternatives": [_jsonable(a) for a in self.alternatives],
            "warnings": list(self.warnings),
        }
        if self.revisions:
            out["modifiers"] = list(self.modifiers)
            out["revisions"] = list(self.revisions)
        return out


def _jsonable(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, float):
        return value_figure(v)
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
    exercise_only: bool = False


def _run(
    profile: Profile,
    ctx: Context,
    ev: Evidence | None,
    test_date: _dt.date | None,
    readings: Readings,
    conflicted: bool = False,
) -> _Run:
    results: dict[str, RuleResult] = {}

    def inputs(state: Mapping[str, Any] | None = None) -> Inputs:
        return Inputs(ctx, ev, test_date, readings, results, state or {})

    for rule in profile.rules:
        results[rule.id] = rule.evaluate(inputs())
    path_values = {
        p.name: kleene_and(
            [
                *(results[r].as_finding for r in p.rules),
                *(results[r].met for r in profile.exclusions if r not in p.exempt),
            ]
        )
        for p in profile.paths
    }
    overall = kleene_or(path_values.values())
    if conflicted and overall is not None:
        overall = None  # SPEC §8.2: a contradiction in the inputs decides nothing
    met = [p for p in profile.paths if path_values[p.name] is True] if overall is True else []
    wheres: list[set[str]] = []
    for p in met:
        w = {p.where} if p.where else set(results[p.finding].values.get("where", ["rest"]))
        wheres.append(w)
    sleep_only = bool(met) and all(w <= {"sleep"} for w in wheres)
    # by where the findings lie, as sleep_only: a child's walk at 86 % met b.i and d alike, and
    # the coverage (exercise, pediatric) hid the exercise-only use from the order's hours
    exercise_only = bool(met) and all(w <= {"exercise"} for w in wheres)
    coverage = tuple(k for k in COVERAGE_KINDS if any(p.coverage == k for p in met))
    state = {
        "qualified": overall,
        "met_paths": [p.name for p in met],
        # what each met path's finding covers (the Medicare group that carries the coverage)
        "met_coverage": {p.name: p.coverage for p in met},
        # the met paths whose finding was not taken during sleep (what portable rests on)
        "awake_paths": [p.name for p, w in zip(met, wheres, strict=True) if not w <= {"sleep"}],
        "sleep_only": sleep_only,
        "coverage": list(coverage),
    }
    for rule in (*profile.post_rules, *profile.documentation):
        results[rule.id] = rule.evaluate(inputs(state))
    basis = tuple(dict.fromkeys(p.finding for p in met))
    return _Run(
        results,
        path_values,
        overall,
        tuple(p.name for p in met),
        coverage,
        sleep_only,
        basis,
        exercise_only,
    )


def _test_date(ctx: Context, rec: _dt.date | None, warnings: list[str]) -> _dt.date | None:
    """``test.date``, else the recording's date; never the context's over a recording > 1 day off."""
    if ctx.test.date is not None:
        if rec is not None and abs((ctx.test.date - rec).days) > 1:
            return rec  # a conflict (criteria.conflicts): the recording's own date is kept
        if rec is not None and rec != ctx.test.date:
            warnings.append(
                f"The context's test date {ctx.test.date.isoformat()} differs by a day from the "
                f"date of the recorded test, {rec.isoformat()} (an overnight study spans "
                "midnight); the context's date is used."
            )
        return ctx.test.date
    if rec is not None:
        warnings.append(
            f"No test.date in the context: the date of the recorded test ({rec.isoformat()}: "
            "the day its sleep window begins, before 06:00 the evening before, or the day of "
            "its first segment) is used as the test date."
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

    Raises
    ------
    criteria.errors.EvidenceError
        Figures of ``evidence`` no analysis can produce (:func:`~criteria.evidence.check_figures`:
        a NaN, a negative minute, more minutes at or below 88 % than valid ones).

    Notes
    -----
    MassHealth *Guidelines for Medical Necessity Determination for Oxygen Therapy* (MG-OXY,
    06/24), Sections II, III and Appendix A; Medicare LCD L33797 (simplified, see docs).

    Examples
    --------
    An outpatient with COPD in a chronic stable state, 12 minutes at or below 88 % during an
    overnight test on room air, ordered 18 days before:

    >>> from criteria import Context, Evidence, evaluate
    >>> context = Context.from_dict({
    ...     "patient": {"age_years": 70},
    ...     "test": {"type": "overnight", "date": "2026-11-20", "room_air": True,
    ...              "setting": "outpatient", "chronic_stable_state": True},
    ...     "order": {"date": "2026-11-02", "prescriber": "physician", "flow_lpm": 2,
    ...               "hours_per_day": 8},
    ...     "diagnoses": ["J44.9"],
    ... })
    >>> night = {"valid_min": 420.0, "t_le88_min": 12.0, "t_lt90_min": 30.0,
    ...          "t_le90_min": 35.0, "longest_le88_min": 3.0, "nadir_pct": 84.0,
    ...          "awake_baseline_pct": 93.0, "awake_baseline_source": "first_300s_valid"}
    >>> d = evaluate(context, Evidence.from_metrics({"presumed_sleep": night}))
    >>> d.determination, d.coverage
    ('qualified', ('nocturnal',))
    >>> d.missing  # documents never block a determination; what is absent is listed
    ('documentation.signed_prescription',)
    >>> evaluate(None, None).determination  # nothing known: never qualified
    'indeterminate'
    """
    ctx = context if context is not None else Context()
    prof = get_profile(profile or ctx.payer or "masshealth")
    if evidence is not None:
        check_figures(evidence)
        # dated as a test of its type: an overnight test by its night, not by a segment
        evidence = evidence.for_test_type(ctx.test.type)
    base = readings or Readings()
    warnings: list[str] = list(evidence.warnings) if evidence is not None else []
    if ctx.payer is not None and prof.name != ctx.payer:
        # a night judged under Medicare (--payer) for a member the context names MassHealth's
        # verified with a bare "verified": the rules applied are not the payer's
        warnings.append(
            f"Judged under the {prof.name} rules as asked, but the context names the payer "
            f"{ctx.payer}: this determination is not {ctx.payer}'s."
        )
    rec = evidence.test_day if evidence is not None else None  # the judged night's or test's
    test_date = _test_date(ctx, rec, warnings)
    file_patient = evidence.file_patient if evidence is not None else None
    first = evidence.recording_start if evidence is not None else None
    possible = evidence.possible_test_days if evidence is not None else ()
    recorded_on = None if first is None else first.date()
    marks = evidence.oxygen_marks_on_room_air() if evidence is not None else ()
    walked = evidence is not None and evidence.exercise_o2 is not None
    conflicts = tuple(
        find_conflicts(
            ctx,
            rec,
            test_date,
            file_patient,
            recorded_on,
            possible,
            marks,
            evidence.exercise_o2_flow_lpm if evidence is not None and walked else None,
            evidence.exercise_o2_marked_flows_lpm if evidence is not None and walked else (),
        )
    )
    run = _run(prof, ctx, evidence, test_date, base, bool(conflicts))
    conflicts = (*conflicts, *_window_conflicts(prof, ctx, run))
    if run.overall is True:
        # A qualification must not rest on a fact whose other possible value would change it
        # (the test date when the recording's start is a day away; a blood gas whose date does
        # not tie it to the test): that is a conflict, decided by a reviewer (docs/criteria.md).
        unsure = _unsure_facts(prof, ctx, evidence, rec, test_date, base, run)
        if unsure:
            conflicts = (*conflicts, *unsure)
            run = _run(prof, ctx, evidence, test_date, base, True)
    res = run.results
    verdict = {True: "qualified", False: "not_qualified", None: "indeterminate"}[run.overall]

    open_paths = _open_paths(prof, run, conflicts)
    reach = _Reach(prof, ctx, evidence, test_date, base)
    would = {p.name: _needs(prof, p, res, conflicts) for p in open_paths if reach.within(p, run)}
    missing: list[str] = []
    for p in open_paths:
        missing.extend(m for m in _needs(prof, p, res, ()) if not m.startswith("resolve "))
    missing.extend(
        f"resolve the conflict between {' and '.join(c.keys)}"
        if len(c.keys) > 1
        else f"review {c.keys[0]}"
        for c in conflicts
    )
    for r in (*prof.non_blocking, *(d.id for d in prof.documentation)):
        if res[r].met is not True and res[r].applicable:
            missing.extend(res[r].missing)

    qualified = run.overall is True
    months = res[prof.authorization_rule].values.get("authorization_months") if qualified else None
    portable: bool | None = None if run.overall is None else (res[prof.portable_rule].met is True)
    hcpcs: list[str] = []
    if qualified:
        for r in prof.hcpcs_rules:
            hcpcs.extend(c for c in res[r].values.get("hcpcs", []) if c not in hcpcs)

    modifiers: list[str] = []
    if qualified and prof.modifiers_rule is not None:
        modifiers = list(res[prof.modifiers_rule].values.get("modifiers", []))
    warnings.extend(_warnings(prof, ctx, evidence, test_date, run))
    alternatives = _alternatives(
        prof, ctx, evidence, test_date, base, verdict, run, bool(conflicts)
    )
    order = [r.id for r in (*prof.rules, *prof.post_rules, *prof.documentation)]
    return Determination(
        profile=prof.name,
        determination=verdict,
        coverage=run.coverage,
        authorization_months=months,
        portable_eligible=portable,
        hcpcs=tuple(hcpcs),
        missing=_one_per_key(missing),
        rules=tuple(res[i] for i in order),
        alternatives=tuple(alternatives),
        warnings=tuple(dict.fromkeys(warnings)),
        test_date=test_date,
        basis=run.basis,
        conflicts=conflicts,
        decided_by=_decided_by(prof, run, conflicts, open_paths),
        would_qualify_if=would,
        diagnoses=_diagnoses(ctx, test_date, with_categories=prof.name == "masshealth"),
        code_set=_code_set(ctx),
        modifiers=tuple(modifiers),
        revisions=prof.revisions,
    )


def _outcome(prof: Profile, run: _Run) -> tuple[Any, ...]:
    """Return what a payer acts on: determination, coverage, months, portable, codes, modifiers."""
    res = run.results

    def values(rule: str | None, key: str) -> Any:
        return None if rule is None else res[rule].values.get(key)

    return (
        run.overall,
        run.coverage,
        values(prof.authorization_rule, "authorization_months"),
        res[prof.portable_rule].met,
        tuple(tuple(values(r, "hcpcs") or ()) for r in prof.hcpcs_rules),
        tuple(values(prof.modifiers_rule, "modifiers") or ()),
    )


def _unsure_facts(
    prof: Profile,
    ctx: Context,
    ev: Evidence | None,
    rec: _dt.date | None,
    test_date: _dt.date | None,
    readings: Readings,
    run: _Run,
) -> list[Conflict]:
    """Return the facts a qualified outcome depends on although their value is uncertain.

    * ``test.date`` a day from the recorded test's (an overnight study spans midnight;
      SPEC §8.2 keeps the context's date): every window (order, discharge, retest, evaluation)
      must give the same outcome on the recording's own date. The age is the one on test.date
      in both runs (a de-identified summary keeps only that age).
    * A blood gas that is not tied to the test: ``blood_gas.date`` given and not the test date
      (the windows are checked on the test date, not on the blood gas's), or not given while a
      recording is the test. The outcome must stand without it.
    * A presumed-sleep window that is the whole recording (no staging, no lights-off/on), or
      is bounded by lights off or on at one end only (the other the first or last valid
      sample: ``shared.open_ends``), and reaches outside the night hours there (``NIGHT_FROM``-``NIGHT_TO``): the figures do not say
      whether the minutes that decide lie in the night. The outcome must stand without the
      sleep window.
    * A presumed-sleep window from the earlier of two lights off the recording marks with no
      lights on between, the later opening no valid data (``ends`` ``earlier_mark``): if the
      later is right the recording holds no presumed sleep. The outcome must stand without the
      sleep window.
    * Long runs of one held SpO2 value (``evidence.constant_runs``; SPEC §4 keeps them as
      valid data with a review flag): a frozen sensor, or a gap an export filled with the last
      value, looks the same as a steady saturation. The outcome must stand on the figures
      without them (``evidence.without_constant_runs``).
    * Levels the fall rule accepted after its 30 s hold (``evidence.fall_plateaus``; SPEC §4.3
      keeps them as valid data): SpO2 fell faster than a desaturation can, so an artifact
      (a slipped probe) entered the level, and it may be artifact still. And data that stop low
      before a probe-off (``evidence.dropout_edges``): a probe coming off reads low on its way.
      The outcome must stand on the figures without both and the held runs
      (``evidence.without_fall_plateaus``).

    Each is re-evaluated with the other value; when the outcome (:func:`_outcome`) changes, the
    fact is returned as a conflict, which makes the determination indeterminate.
    """
    out: list[Conflict] = []
    base = _outcome(prof, run)
    given = ctx.test.date
    if given is not None and rec is not None and rec != test_date:
        # The age stays the one on test.date: a de-identified summary keeps only that age, and
        # `oxi verify` must reproduce the determination from it (SPEC §10, §11).
        age = ctx.patient.age_at(test_date)
        pinned = dataclasses.replace(
            ctx,
            patient=dataclasses.replace(
                ctx.patient, birth_date=None, age_from_birth_date=None, age_years=age
            ),
        )
        other = _run(prof, pinned, ev, rec, readings)
        if _outcome(prof, other) != base:
            out.append(
                Conflict(
                    ("test.date", "recording.start"),
                    {"test.date": given, "recording.start": rec},
                    f"test.date {given.isoformat()} and the date of the recorded test, "
                    f"{rec.isoformat()}, are a day apart, and the outcome differs between them "
                    "(an order, discharge or evaluation window, or a retest day, falls between "
                    "the two dates): state which date the test belongs to.",
                )
            )
    days = None if ev is None else ev.recorded_days(test_date)
    header = None if ev is None or ev.file_patient is None else ev.file_patient.birth_date
    if days is not None and ctx.patient.turns_21_by(test_date, days.last, header):
        # Under 21 on the test date, 21 on a later day of its data (a night dated by its
        # evening): the pediatric criteria (II.A.2.d, the a.vi and b.vii items) must not
        # decide, as data recorded at 21 may be what meets them.
        pinned = dataclasses.replace(
            ctx,
            patient=dataclasses.replace(
                ctx.patient,
                birth_date=None,
                age_from_birth_date=None,
                turns_21_during_test=None,
                age_years=21.0,
            ),
        )
        other = _run(prof, pinned, ev, test_date, readings)

        def adult(outcome: tuple[Any, ...]) -> tuple[Any, ...]:
            # the coverage named "pediatric" beside an adult finding that stands alike is
            # the same oxygen: a COPD night at 88 % is no reason to hold
            return (outcome[0], tuple(c for c in outcome[1] if c != "pediatric"), *outcome[2:])

        if adult(_outcome(prof, other)) != adult(base):
            out.append(
                Conflict(
                    ("patient.birth_date", "recording.days"),
                    {"patient.birth_date": "(not shown)", "recording.days": days.text()},
                    "The member turns 21 on a day the test's data were recorded on "
                    f"({days.text()}), after the test date, and the outcome rests on the "
                    "pediatric criteria (under 21, MG-OXY II.A.2.d): data recorded at 21 "
                    "do not meet them. A reviewer must judge which data were recorded "
                    "before the 21st birthday.",
                )
            )
    bg = ctx.blood_gas
    gas = {k: getattr(bg, k) for k in PAO2_KEYS if getattr(bg, k) is not None}
    if gas:
        recorded = ev is not None and any(
            getattr(ev, w) is not None for w in ("sleep", "rest", "exercise", "exercise_o2")
        )
        # the test's day as the rules read it (test_day_of): a sleep PaO2 dated the 21st,
        # drawn during a night from 22:00 on the 20th, is the night's (hunt 9)
        if bg.date is not None and test_day_of(bg.date, test_date, ev) != "same":
            days = None if ev is None else ev.recorded_days(test_date)
            on = "" if days is None else f", its data recorded on {days.text()}"
            why = (
                f"The blood gas is dated {bg.date.isoformat()}, not the test's day (test date "
                f"{'unknown' if test_date is None else test_date.isoformat()}{on}): the order, "
                "discharge and time-of-need windows are checked on the test date, and the "
                "outcome depends on the blood gas."
            )
        elif bg.date is None and recorded:
            why = (
                "The blood gas has no date (blood_gas.date) while a recording is the test: "
                "nothing ties it to the test's date and windows, and the outcome depends on it."
            )
        else:
            why = ""
        if why:
            plain = dataclasses.replace(ctx, blood_gas=BloodGas(date=bg.date))
            other = _run(prof, plain, ev, test_date, readings)
            if _outcome(prof, other) != base:
                out.append(
                    Conflict(
                        ("blood_gas.date", "test.date"),
                        {
                            "blood_gas.date": bg.date,
                            "test.date": test_date,
                            **{f"blood_gas.{k}": v for k, v in gas.items()},
                        },
                        why,
                    )
                )
    sleep = ev.sleep if ev is not None else None
    share = None if ev is None or sleep is None else night_share(ev.clock, sleep)
    if ev is not None and sleep is not None and share is not None and share < 1.0:
        # A presumed-sleep window that is the whole recording counts every minute as sleep;
        # those before NIGHT_FROM or after NIGHT_TO may be an afternoon or a late morning
        # awake, and the figures do not say where their minutes lie: a dip at 17:30 in a
        # recording from 16:00 to 04:00 qualified as nocturnal hypoxemia.
        other = _run(prof, ctx, dataclasses.replace(ev, sleep=None), test_date, readings)
        if _outcome(prof, other) != base:
            assert sleep.start_s is not None and sleep.end_s is not None  # night_share measured
            span = f"{_when(ev, sleep.start_s)} to {_when(ev, sleep.end_s)}"
            # rounded up: a window starting at 19:59 has a minute outside, not "0 %"
            outside = math.ceil((1 - share) * (sleep.end_s - sleep.start_s) / 60 - 1e-9)
            out.append(
                Conflict(
                    ("recording.presumed_sleep",),
                    {"recording.presumed_sleep": span},
                    f"The outcome rests on a presumed-sleep window from {span}, "
                    f"{unbounded_text(sleep)}, {outside} min of it outside "
                    f"{NIGHT_FROM:%H:%M}-{NIGHT_TO:%H:%M}: minutes there may have been awake. "
                    "Give lights-off and lights-on (--lights-off/--lights-on) or sleep staging.",
                )
            )
    if ev is not None and sleep is not None and sleep.ends and sleep.ends[0] == "earlier_mark":
        # The recording marks lights off twice with no lights on between, the later opening no
        # valid data: if the later is right, the recording holds no presumed sleep, and the
        # window from the earlier is lit (lights off at 21:30 and again at 05:30, data to
        # 05:00: a dip at 20:40 qualified on the first to last valid sample).
        other = _run(prof, ctx, dataclasses.replace(ev, sleep=None), test_date, readings)
        if _outcome(prof, other) != base:
            assert sleep.start_s is not None  # a window with an end has a span
            at = _when(ev, sleep.start_s)
            out.append(
                Conflict(
                    ("recording.lights_off",),
                    {"recording.lights_off": at},
                    f"The outcome rests on a presumed-sleep window from lights off at {at}, the "
                    "earlier of the lights off the recording marks with no lights on between; "
                    "the later opens no valid data, and if it is right the recording holds no "
                    "presumed sleep. Give --lights-off or sleep staging.",
                )
            )
    alt = ev.without_constant_runs if ev is not None else None
    if ev is not None and alt is not None:
        other = _run(prof, ctx, alt, test_date, readings)
        if _outcome(prof, other) != base:
            held = [
                f"{v:g} % for {(b - a) / 60:.1f} min from {_when(ev, a)}"
                for a, b, v in ev.constant_runs
            ]
            out.append(
                Conflict(
                    ("recording.constant_runs",),
                    {"recording.constant_runs": held},
                    "The outcome rests on SpO2 held at one value for a long stretch "
                    f"({'; '.join(held)}): a frozen sensor, or a gap the export filled with "
                    "the last value, looks the same as a steady saturation. A reviewer must "
                    "judge it on the trace; mark it with --exclude if it is artifact.",
                )
            )
    alt = ev.without_fall_plateaus if ev is not None else None
    if ev is not None and alt is not None:
        other = _run(prof, ctx, alt, test_date, readings)
        if _outcome(prof, other) != base:
            out.append(_plateau_conflict(ev))
    return out


def _window_conflicts(prof: Profile, ctx: Context, run: _Run) -> list[Conflict]:
    """Return the date windows test.date meets and the recorded test's own days do not.

    A rule that finds it (:func:`criteria.rules.shared.recorded_outside`) is not evaluable; the
    disagreement is listed with the other conflicts of test.date and the recording, as a
    recording a day from test.date across a window's edge is (:func:`_unsure_facts`), when it
    holds a path open: a Group I night beside a retest window it disagrees with qualifies on
    its own, and a path closed by another rule is closed either way.
    """
    if run.overall is not None:
        return []
    held = {r for p in prof.paths if run.path_values[p.name] is None for r in _path_rules(prof, p)}
    out: dict[str, Conflict] = {}
    for r in run.results.values():
        why = r.values.get(DATE_CONFLICT) if r.id in held else None
        if isinstance(why, str) and why not in out:
            days = r.values.get("recorded_days") or ()
            out[why] = Conflict(
                ("test.date", "recording.start"),
                {"test.date": ctx.test.date, "recording.start": tuple(days)},
                why,
            )
    return list(out.values())


def _plateau_conflict(ev: Evidence) -> Conflict:
    """Say that the outcome rests on levels in doubt: accepted after an implausibly fast fall.

    Or on data that stop low before a probe-off; either or both, named as they were listed (the
    figures it was checked on are without all of them).
    """
    plateaus, edges = ev.fall_plateaus, ev.dropout_edges
    keys: list[str] = []
    values: dict[str, object] = {}
    said: list[str] = []
    # The figures it was checked on are without the held runs as well (a qualification on the
    # two together is held open too): say so when there are any.
    runs = ", with the long runs of one held value taken out too" if ev.constant_runs else ""
    if plateaus:
        levels = [
            f"from {a:g} % to {to:g} % at {_when(ev, f)}, accepted {_after(s - f)} "
            f"for {(b - s) / 60:.1f} min, lowest {v:g} %"
            for f, s, b, a, to, v in plateaus[:5]
        ]
        f, s = plateaus[0][:2]
        keys.append("recording.fall_plateaus")
        values["recording.fall_plateaus"] = _five_of(levels, len(plateaus))
        said.append(
            f"SpO2 fell faster than a desaturation can at {_when(ev, f)}{_times(plateaus)}, and "
            f"the new level was accepted {_after(s - f)} (SPEC §4.3 holds a fall from the last "
            "valid sample invalid for 30 s at most)."
        )
    if edges:
        # 110 slides of 3 points a second into a probe-off (92, 89, ... 77 %, then 0 for 20 s,
        # then 95) qualified a steady 95 % night on 5.4 min at or below 88 % (hunt 11)
        # (the lowest value is not read at the first sample in doubt: "76.9992 % at 22:12:01"
        # named a time when SpO2 was 89 %, review of hunt 11)
        stops = [
            f"from {_when(ev, a)}, {b - a:.0f} s before the data stopped, down to "
            f"{round(v, 1):g} %; resumed at {round(p, 1):g} % at {_when(ev, r)}"
            for a, b, v, r, p in edges[:5]
        ]
        _, b, v, r, p = edges[0]
        keys.append("recording.dropout_edges")
        values["recording.dropout_edges"] = _five_of(stops, len(edges))
        said.append(
            f"SpO2 was down to {round(v, 1):g} % when the data stopped at {_when(ev, b)}"
            f"{_times(edges)} and resumed at {round(p, 1):g} % at {_when(ev, r)}: a probe "
            "coming off reads low on its way."
        )
    what = " and ".join(
        w
        for w, there in (("those levels", plateaus), ("the data before the stops", edges))
        if there
    )
    probe = {(True, False): "slipped or moved", (False, True): "came off"}.get(
        (bool(plateaus), bool(edges)), "slipped, moved or came off"
    )
    return Conflict(
        tuple(keys),
        values,
        " ".join(said) + f" The outcome rests on {what}{runs}: a probe that {probe} looks the "
        "same as a real saturation there. A reviewer must judge them on the trace; mark them "
        "with --exclude if they are artifact.",
    )


def _five_of(texts: list[str], total: int) -> list[str]:
    """Return the texts of the first five of ``total`` items, and how many more there are."""
    return texts + ([f"and {total - 5} more"] if total > 5 else [])


def _times(items: Sequence[object]) -> str:
    """Say how many more times something happened than the first."""
    return f" (and {len(items) - 1} more times)" if len(items) > 1 else ""


def _after(seconds: float) -> str:
    """Say when a level was accepted after its fall.

    At once when the samples just before the fall were invalid (excluded, flagged by the
    oximeter or the pulse): the fall rule measured from an earlier valid sample, found the fall
    plausible and held nothing; "after 0 s" read as a hold that ended (hunt 9).
    """
    return "at once" if seconds <= 0 else f"after {seconds:.0f} s"


def _when(ev: Evidence, seconds: float) -> str:
    """Return a time of the recording as a clock time, or as seconds from its start."""
    clock = ev.clock
    if clock is None:
        return f"{seconds:.0f} s after the start"
    at = _dt.datetime.combine(_dt.date(2000, 1, 1), clock) + _dt.timedelta(seconds=seconds)
    return at.strftime("%H:%M:%S")


def _one_per_key(items: list[str]) -> tuple[str, ...]:
    """Keep the first mention of each missing key.

    "order.flow_lpm (more than 0 L/min)" and a later bare "order.flow_lpm" from another rule
    name one missing input.
    """
    first: dict[str, str] = {}
    for item in items:
        first.setdefault(item.split(" (", 1)[0], item)
    return tuple(first.values())


def _open_paths(prof: Profile, run: _Run, conflicts: tuple[Conflict, ...]) -> list[Any]:
    """Paths that could still qualify: not evaluable, or met but held up by a conflict."""
    if run.overall is not None:
        return []
    return [
        p
        for p in prof.paths
        if run.path_values[p.name] is None or (conflicts and run.path_values[p.name] is True)
    ]


def _path_rules(prof: Profile, p: Any) -> list[str]:
    return [*p.rules, *(r for r in prof.exclusions if r not in p.exempt)]


def _needs(
    prof: Profile, p: Any, res: Mapping[str, RuleResult], conflicts: tuple[Conflict, ...]
) -> tuple[str, ...]:
    """Return what would settle an open path: its unevaluable rules' missing inputs, conflicts."""
    out: list[str] = []
    for r in _path_rules(prof, p):
        if res[r].as_finding is None:
            out.extend(res[r].missing or (f"a decision on {r} ({res[r].citation})",))
    out.extend(f"resolve the conflict: {c.why}" for c in conflicts)
    return tuple(dict.fromkeys(out))


class _Reach:
    """Whether an open path is within reach of what was recorded (for ``would_qualify_if``).

    A path is open while an input it needs is unknown. Two such inputs only say which part of a
    recording the clauses may read, while the recording already has the figures: ``test.type``
    (which windows a test measured) and, for a presumed-sleep window over 14 h, lights-off and
    lights-on (which part of it is the night). The figures then already answer: the path is
    evaluated under every test type, and on the long window as it is (a part of it holds no more
    minutes at or below a line, and no lower nadir; the falls below the awake baseline, which a
    shorter window could change, are left unknown). A path no such reading leaves open or met is
    ruled out by the recording (a night with no minute at or below 88 % is near no nocturnal
    path), and offering it as "would qualify if" would read as near-qualification. It stays open
    for the determination (``missing`` still asks for the input); it is only not offered. A path
    whose measurement is itself what is missing (no recording, under 120 min valid) stays.
    """

    def __init__(
        self,
        prof: Profile,
        ctx: Context,
        ev: Evidence | None,
        test_date: _dt.date | None,
        readings: Readings,
    ) -> None:
        self._args = (prof, ctx, ev, test_date, readings)
        self._runs: list[_Run] | None = None

    def _counterfactual_runs(self) -> list[_Run]:
        prof, ctx, ev, test_date, readings = self._args
        assert ev is not None
        contexts = [ctx]
        if ctx.test.type is None:
            contexts = [
                dataclasses.replace(ctx, test=dataclasses.replace(ctx.test, type=t))
                for t in TEST_TYPES
            ]
        s = ev.sleep
        if (
            s is not None
            and s.presumed
            and max(s.duration_min or 0.0, s.valid_min) > MAX_PRESUMED_SLEEP_MIN + EPS_MIN
        ):
            ev = dataclasses.replace(
                ev,
                sleep=dataclasses.replace(
                    s,
                    valid_min=min(s.valid_min, MAX_PRESUMED_SLEEP_MIN),
                    duration_min=None,
                    drop5_min=None,
                    longest_drop5_min=None,
                    drop5_from_mean_min=None,
                    longest_drop5_from_mean_min=None,
                ),
            )
        elif len(contexts) == 1:
            return []  # nothing recorded is held back: every open path stays in reach
        return [_run(prof, c, ev.for_test_type(c.test.type), test_date, readings) for c in contexts]

    def within(self, p: Any, run: _Run) -> bool:
        """Return False when the recorded figures close ``p`` under every such reading."""
        if run.path_values[p.name] is not None or self._args[2] is None:
            return True
        if self._runs is None:
            self._runs = self._counterfactual_runs()
        return not self._runs or any(r.path_values[p.name] is not False for r in self._runs)


def _decided_by(
    prof: Profile, run: _Run, conflicts: tuple[Conflict, ...], open_paths: list[Any]
) -> tuple[str, ...]:
    """Return the rules that decided the determination (docs/criteria.md, "Reviewer view").

    Qualified: the basis. Not qualified: for every path, the rules that closed it. Indeterminate:
    nothing was decided, so only what stops a decision: ``conflicts`` and, for every open path,
    the rules that hold it open (not evaluable for a missing input); the rules that closed other
    paths are no reason for an indeterminate and are not listed.
    """
    if run.overall is True:
        return run.basis
    out: list[str] = ["conflicts"] if conflicts else []
    if run.overall is None:
        for p in open_paths:
            for r in _path_rules(prof, p):
                if (run.results[r].as_finding if r in p.rules else run.results[r].met) is None:
                    out.append(r)
        return tuple(dict.fromkeys(out))
    for p in prof.paths:
        val = run.path_values[p.name]
        if val is True:
            continue
        for r in _path_rules(prof, p):
            v = run.results[r].as_finding if r in p.rules else run.results[r].met
            if v is val:  # the rules that closed (False) or hold open (None) this path
                out.append(r)
    return tuple(dict.fromkeys(out))


def _diagnoses(
    ctx: Context, test_date: _dt.date | None, with_categories: bool
) -> tuple[dict[str, Any], ...]:
    """Return each code with its description, and MG-OXY's category and clause for MassHealth.

    Medicare has no condition lists, and its determinations never cite MG-OXY. A pediatric
    list item's code (P27.1, P28.0) of a member 21 or older on the test date is unlisted, as
    II.A.1 reads it (:func:`criteria.rules.common.conditions`).
    """
    if not ctx.diagnoses:
        return ()
    from .icd10 import categorise, describe

    # a 70-year-old's P27.1 was listed as severe_lung_disease, II.A.1.a.vi, beside the warning
    # that it lies outside the guideline's lists (hunt 9)
    adult = set(conditions(ctx, test_date).adult) if with_categories else set()
    out = []
    for code in ctx.diagnoses:
        entry: dict[str, Any] = {"code": code, "description": describe(code)}
        if with_categories:
            row = None if code in adult else categorise(code)
            entry["category"] = None if row is None else row.category
            entry["clause"] = None if row is None else row.clause
        out.append(entry)
    return tuple(out)


def _code_set(ctx: Context) -> str | None:
    if not ctx.diagnoses:
        return None
    from .icd10 import code_set

    return code_set()


def _warnings(
    prof: Profile, ctx: Context, ev: Evidence | None, test_date: _dt.date | None, run: _Run
) -> list[str]:
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
    c = conditions(ctx, test_date)
    if c.unmapped and prof.name == "masshealth":
        out.append(
            "Diagnosis codes outside the guideline's lists (a clinician must attest they "
            f"qualify): {', '.join(c.unmapped)}."
        )
    mods = run.results.get(prof.modifiers_rule) if prof.modifiers_rule else None
    flow_mods = [m for m in (mods.values.get("modifiers", []) if mods else []) if m[0] == "Q"]
    hours, flow = ctx.order.hours_per_day, ctx.order.flow_lpm
    if run.overall is True and flow_mods and hours is not None and hours < 24:
        # medicare-oxygen.md A25: a flow covering part of the day is not averaged with 0; the
        # averaging rules come partly from a retired article, so a reviewer confirms.
        out.append(
            f"The flow-rate modifier {', '.join(flow_mods)} takes the order's {flow:g} L/min as "
            f"prescribed for {hours:g} h a day, not averaged with 0 L/min over the rest of the "
            "day (a reading from a retired article): a reviewer should confirm it."
        )
    if run.overall is True and run.sleep_only:
        out.append(
            "Qualified on findings during sleep only: nocturnal use, stationary equipment, "
            "no portable system."
        )
        if hours is not None and hours > NIGHT_HOURS:
            # II.A.2.b: "the number of hours per day ... must meet" the criteria; an order for
            # 24 h/day beside a qualification for the night's use went without a word
            out.append(
                f"The order prescribes oxygen {hours:g} h a day, more than the night's use the "
                f"findings during sleep support ({NIGHT_HOURS:g} h at most): the order or the "
                "testing should be reviewed."
            )
    elif run.overall is True and run.exercise_only and hours is not None:
        # II.A.2.b.ii.A: oxygen "for use during exercise"; a 24-h order beside an exercise-only
        # qualification went without a word, where the night's had one (hunt 12)
        if hours > NIGHT_HOURS:
            out.append(
                f"The order prescribes oxygen {hours:g} h a day, more than use during exercise, "
                "which is all the findings support: the order or the testing should be reviewed."
            )
    return out


#: The most hours a day nocturnal oxygen covers (a night's sleep, 20:00-08:00).
NIGHT_HOURS = 12.0


def _alternatives(
    prof: Profile,
    ctx: Context,
    ev: Evidence | None,
    test_date: _dt.date | None,
    base: Readings,
    verdict: str,
    run: _Run,
    conflicted: bool = False,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    inp = Inputs(ctx, ev, test_date, base, run.results)
    for alt in prof.alternatives:
        if getattr(base, alt.option) == alt.reading or not alt.relevant(inp):
            continue
        alt_run = _run(
            prof,
            ctx,
            ev,
            test_date,
            dataclasses.replace(base, **{alt.option: alt.reading}),
            conflicted,
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
