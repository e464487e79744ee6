"""Where the analysis meets the rules: build the rules' inputs, map their errors.

``criteria`` depends on nothing in ``oximetry`` and ``oximetry`` on nothing in ``criteria``; the
app layer (this package) sits above both. This module turns an
:class:`oximetry.results.Analysis` into the rules' :class:`criteria.evidence.Evidence`, loads a
context, runs the rules, and turns every :class:`criteria.errors.CriteriaError` into the project's
:class:`oximetry.errors.ContextError` (bad input: one line, exit 2), so the CLI, ``oxi batch`` and
``oxi verify`` treat a bad context like any other bad input.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from os import PathLike
from typing import Any, TypeVar

from criteria.context import KEY_NAMES, Context
from criteria.context import load_context as _load
from criteria.errors import CriteriaError
from criteria.evaluate import Determination, evaluate
from criteria.evidence import Evidence, FilePatient
from oximetry.errors import ContextError, OximetryError, SettingsError, withhold_quoted
from oximetry.report.summary import SCHEMA, patient_block
from oximetry.results import Analysis
from oximetry.settings import recorded_settings

__all__ = [
    "analysed_test_type",
    "check_summary_is_for",
    "context_from_dict",
    "evidence_from_analysis",
    "evidence_from_summary",
    "first_day_of",
    "last_day_of",
    "load_context",
    "qualify",
    "quoting_nothing_of",
    "recording_birth_date",
    "recording_name",
    "with_analysed_test_type",
    "with_recorded_patient_findings",
    "with_recorded_test_facts",
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


@contextmanager
def quoting_nothing_of(summary: Mapping[str, Any]) -> Iterator[None]:
    """Withhold what an error quotes from a de-identified summary's context.

    Its free text and identifiers are never quoted (:mod:`criteria.context`), but any key may
    hold a forged value: ``documentation: "Example Fictional, member EX-000-0001"`` in a
    de-identified summary was quoted by ``oxi verify`` (review of hunt 12), as
    ``--deidentify`` quotes nothing from the files.

    Parameters
    ----------
    summary : mapping
        The parsed ``summary.json``.
    """
    try:
        yield
    except OximetryError as exc:
        # (anything but false: a summary's "deidentified": 1 or "true" quoted it all; review
        # of hunt 12)
        if summary.get("deidentified") is False:
            raise
        cls = ContextError if isinstance(exc, ContextError) else OximetryError
        raise cls(withhold_quoted(exc.reason, keep=KEY_NAMES), exc.path) from None


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
    handed on, so the test date must then come from the context. Its time of day is (it places
    the night); a file with elapsed time only hands on neither.
    """
    rec = analysis.recording
    start = rec.start if rec.source.date_known else None
    clock = rec.start.time() if rec.clock_known else None
    windows = [
        {
            "kind": w.kind,
            "source": w.source,
            "start_s": w.start_s,
            "end_s": w.end_s,
            **({"ends": list(w.ends)} if w.ends is not None else {}),
        }
        for w in analysis.windows
    ]
    return _call(
        Evidence.from_metrics,
        analysis.metrics_dict(),
        start,
        tuple(analysis.warnings),
        windows,
        analysis.settings.o2_flow_lpm,
        clock,
        analysis.without_constant_runs_dict(),
        rec.sleep_test_channels,
        FilePatient.from_block(patient_block(analysis, deidentify=False)),
        rec.duration_s / 60.0,
        rec.source.possible_dates,
        analysis.without_fall_plateaus_dict(),
        analysis.oxygen_marks_s,
        analysis.walk_o2_flows_lpm,
        analysis.oxygen_mark_flows_lpm,
        cls=OximetryError,
    )


def evidence_from_summary(summary: Mapping[str, Any], source: str | None = None) -> Evidence:
    """Build the rules' evidence from a parsed ``summary.json``.

    The summary must be of this oxi's schema (``"schema": "oxi.summary/1"``), and its
    ``settings`` must be there, and be ones ``oxi analyze`` can have used
    (:func:`oximetry.settings.recorded_settings`: detector thresholds such as ``drop_pts`` at
    their defaults), else its figures are not the SPEC §7 figures the rules read.

    Raises
    ------
    oximetry.errors.OximetryError
        A needed figure is missing or malformed, the summary is of another schema than
        :data:`oximetry.report.summary.SCHEMA`, or the settings are not oxi analyze's.
    """
    _check_schema(summary, source)
    if not isinstance(summary, Mapping) or summary.get("settings") is None:
        # every summary oxi writes records them; deleted, a summary with drop_pts 3 (refused
        # when written) passed
        raise OximetryError("summary: 'settings' is missing (oxi analyze always writes it)", source)
    try:
        recorded_settings(summary["settings"])
    except SettingsError as exc:
        raise OximetryError(f"summary: {exc.reason}", source) from None
    return _call(Evidence.from_summary, summary, source, cls=OximetryError)


def _check_schema(summary: Mapping[str, Any], source: str | None) -> None:
    # as oxi verify refuses it: a summary of another version (or none) was read as this one's,
    # its figures taken for the SPEC §7 figures they may not be, and qualified (hunt 14)
    schema = summary.get("schema") if isinstance(summary, Mapping) else None
    if schema != SCHEMA:
        shown = repr(schema) if len(repr(schema)) <= 40 else repr(schema)[:37] + "..."
        raise OximetryError(f"not an oxi summary: schema is {shown}, expected {SCHEMA!r}", source)


def analysed_test_type(summary: Mapping[str, Any], source: str | None = None) -> str | None:
    """Return the test type a summary was analysed as (``settings.test_type``), None if none.

    Parameters
    ----------
    summary : mapping
        The parsed ``summary.json``.
    source : str, optional
        The summary file, named in the message.

    Returns
    -------
    str or None
        ``overnight``, ``exercise`` or ``rest``.

    Raises
    ------
    oximetry.errors.OximetryError
        Any other value (a summary edited or damaged): bad input.
    """
    settings = summary.get("settings")
    analysed = settings.get("test_type") if isinstance(settings, Mapping) else None
    if analysed is not None and analysed not in ("overnight", "exercise", "rest"):
        raise OximetryError(f"summary: 'settings.test_type' is {analysed!r}", source)
    return analysed


def check_summary_is_for(
    summary: Mapping[str, Any], context: Context, source: str | None = None
) -> None:
    """Refuse a summary analysed for another patient than ``context`` describes.

    ``oxi qualify --summary`` runs the rules on an earlier analysis of *this* member's test
    (SPEC §11). The summary records the context it was analysed with, de-identified: the age on
    the test date and the sex (``U``, unknown, matches any). When both sides give one and they differ, the summary is another
    patient's (a qualifying night would otherwise qualify anyone, a child on the pediatric
    thresholds too). Nor may it rewrite the facts of the recorded test (date, room air, flow,
    setting, discharge, performer: :data:`_TEST_FACTS`). What the context may complete (order,
    diagnoses, documents) is not compared.
    Nor may the summary be analysed as another test type than the context's ``test.type``
    (``settings.test_type``): its windows are that test's (a walk analysed as a rest test is
    one "rest" segment holding the walk's desaturation).

    Parameters
    ----------
    summary : mapping
        The parsed ``summary.json``.
    context : Context
        The context given with ``--context``.
    source : str, optional
        The summary file, named in the message.

    Raises
    ------
    oximetry.errors.OximetryError
        The recorded patient or test type differs from the context's (bad input), the
        recorded context is malformed, or the summary is of another schema.
    """
    _check_schema(summary, source)
    analysed = analysed_test_type(summary, source)
    if analysed is not None and context.test.type is not None and analysed != context.test.type:
        raise OximetryError(
            f"the summary was analysed as {'an' if analysed[0] in 'aeiou' else 'a'} {analysed} "
            "test (settings.test_type), but the "
            f"context's test.type is {context.test.type} (re-run oxi analyze with this context)",
            source,
        )
    if analysed is None and context.test.type == "overnight" and _segments_only(summary):
        # Without a test type, an unstaged recording holding rest/exercise segments is analysed
        # as that test (oximetry.windows): no sleep window at all. Judged as an overnight test,
        # Medicare read the missing night as "not tested", and a night with a walk in it that
        # oxi analyze qualified under the context was NOT QUALIFIED (hunt 15). A rest segment
        # alone is a rest test: "an exercise test" was said of it too (review of hunt 15).
        raise OximetryError(
            "the summary was analysed as a rest or exercise test (its rest/exercise segments "
            "only, no sleep window: settings.test_type null), but the context's test.type is "
            "overnight (re-run oxi analyze with this context)",
            source,
        )
    recorded = summary.get("context")
    if not isinstance(recorded, Mapping):
        return
    with quoting_nothing_of(summary):
        old = _call(Context.from_dict, recorded, source, cls=OximetryError)
    day = _judged_date(summary) or old.test.date or context.test.date
    ages = (old.patient.age_at(day), context.patient.age_at(day))
    capped, given = ages
    if old.patient.age_capped and capped is not None and given is not None and given >= capped:
        # a de-identified summary writes an age of 90 or more as 90 (age_capped): 94 is that
        # patient, and is not quoted beside it
        ages = (capped, capped)
    sexes = tuple(None if x == "U" else x for x in (old.patient.sex, context.patient.sex))
    # The patient's age and sex, and the facts of the recorded test itself, which a later
    # context may not rewrite: a night on 2 L/min (not qualified) qualified under a context
    # saying room air, and an inpatient's night under an outpatient one.
    pairs = [
        ("another patient", "patient.age_years", *ages),
        ("another patient", "patient.sex", *sexes),
        *(("another test", f"test.{k}", getattr(old.test, k), getattr(context.test, k))
          for k in _TEST_FACTS),
    ]  # fmt: skip
    was_pap, now_pap = old.test.pap_titration, context.test.pap_titration
    if was_pap is not None and now_pap is not None:  # field by field: a later one may complete it
        pairs += [
            ("another test", f"test.pap_titration.{f.name}", getattr(was_pap, f.name),
             getattr(now_pap, f.name))
            for f in dataclasses.fields(was_pap)
        ]  # fmt: skip
    for what, key, was, now in pairs:
        if was is not None and now is not None and was != now:
            raise OximetryError(
                f"the summary was analysed for {what}: {key} {_shown(was)} in its recorded "
                f"context, {_shown(now)} in --context (re-run oxi analyze with this context)",
                source,
            )


def _judged_date(summary: Mapping[str, Any]) -> _dt.date | None:
    """Return the test date a summary's determination used (``qualification.test_date``).

    The recorded context's age is the one on that day: the recording's own date when
    ``test.date`` lies more than a day from it (a conflict), not ``test.date``. Compared on
    ``test.date``, a birth date 2005-01-05 under the very context of a night of 2026-01-03 and a
    ``test.date`` of 2026-01-07 was 21 against the recorded 20, and the genuine summary was
    refused as another patient's. None when not recorded as an ISO date.
    """
    q = summary.get("qualification")
    text = q.get("test_date") if isinstance(q, Mapping) else None
    if not isinstance(text, str):
        return None
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        return None


def _segments_only(summary: Mapping[str, Any]) -> bool:
    """Tell whether a summary's windows are test segments only, without a sleep window."""
    windows = summary.get("windows")
    listed = windows if isinstance(windows, list) else []
    kinds = {
        w.get("kind") for w in listed if isinstance(w, Mapping) and isinstance(w.get("kind"), str)
    }
    return bool(kinds) and not kinds & {"sleep", "presumed_sleep"}


def with_recorded_test_facts(
    summary: Mapping[str, Any], context: Context, source: str | None = None
) -> Context:
    """Give ``context`` the facts of the recorded test it leaves out.

    :func:`check_summary_is_for` refuses a context whose facts of the test (:data:`_TEST_FACTS`,
    ``test.pap_titration``) differ from those of the summary's recorded context, key by key. One
    the context leaves out is still the recorded one, and the rules judge it beside the
    context's others: a night recorded on 2 L/min (``test.o2_flow_lpm``, no ``room_air``),
    indeterminate under ``oxi analyze``, was QUALIFIED by ``oxi qualify --summary`` under a
    context saying ``room_air: true`` without the flow, a conflict the rules hold open when
    they see both (hunt 14).

    Parameters
    ----------
    summary : mapping
        The parsed ``summary.json``.
    context : Context
        The context given with ``--context`` (checked by :func:`check_summary_is_for`).
    source : str, optional
        The summary file, named in the message.

    Returns
    -------
    Context
        ``context``, its ``test`` completed with the recorded facts it does not give.
    """
    recorded = summary.get("context")
    if not isinstance(recorded, Mapping):
        return context
    with quoting_nothing_of(summary):
        old = _call(Context.from_dict, recorded, source, cls=OximetryError).test
    now = context.test
    filled = {
        k: getattr(old, k)
        for k in (*_TEST_FACTS, "pap_titration")
        if getattr(now, k) is None and getattr(old, k) is not None
    }
    return replace(context, test=replace(now, **filled)) if filled else context


#: The keys of ``test`` that describe the test a summary records (compared by
#: :func:`check_summary_is_for`); the rest of a context (order, diagnoses, documents) may
#: complete it.
_TEST_FACTS = (
    "date",
    "room_air",
    "room_air_contraindicated",
    "o2_flow_lpm",
    "exercise_o2_flow_lpm",
    "setting",
    "discharge_date",
    "chronic_stable_state",
    "performed_by",
)
# (and each field of test.pap_titration given on both sides: a titration held open for its span,
# 3 h beside 410 min of sleep, qualified under a context claiming 8 h)


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return f"{value:g}" if isinstance(value, float) else str(value)


def recording_name(evidence: Evidence | None) -> str | None:
    """Return the name the recording's header gives, as the evidence holds it (None: not known)."""
    return None if evidence is None or evidence.file_patient is None else evidence.file_patient.name


def recording_birth_date(evidence: Evidence | None) -> _dt.date | None:
    """Return the birth date the recording's header gives, as the evidence holds it (or None)."""
    fp = None if evidence is None else evidence.file_patient
    return None if fp is None else fp.birth_date


def first_day_of(evidence: Evidence | None) -> _dt.date | None:
    """Return the date of the recording's first sample (None: not known or undated)."""
    start = None if evidence is None else evidence.recording_start
    return None if start is None else start.date()


def last_day_of(
    evidence: Evidence | None, test_type: str | None, test_date: _dt.date | None
) -> _dt.date | None:
    """Return the last day the judged test's data were recorded on (None: not known).

    Parameters
    ----------
    evidence : Evidence or None
        The figures the rules judged.
    test_type : str or None
        The type they were judged as (the judged context's ``test.type``).
    test_date : datetime.date or None
        The test date the determination used.

    Returns
    -------
    datetime.date or None
    """
    if evidence is None:
        return None
    days = evidence.for_test_type(test_type).recorded_days(test_date)
    return None if days is None else days.last


def with_recorded_patient_findings(
    summary: Mapping[str, Any], context: Context, evidence: Evidence
) -> Context:
    """Give ``context`` the comparisons with the header a de-identified summary recorded.

    A de-identified summary holds neither the header's name nor its birth date, so ``oxi
    qualify --summary`` cannot compare the context's with them; its recorded context keeps what
    ``oxi analyze`` found (``patient.name_matches_recording``,
    ``patient.birth_date_matches_recording``, and beside an age capped at 90
    ``patient.age_matches_recording``). A finding of another person (false) is carried,
    so a night held open as another person's is not qualified by the very context it was held
    open for; to judge it with a corrected context, ``oxi analyze`` is run again. The ages'
    comparison is carried when true too: it was made on the test date, the patient block's age
    is the header's at the recording's start. What the
    summary holds of the header (its name, its birth date) is compared afresh (nothing carried).

    Parameters
    ----------
    summary : mapping
        The parsed ``summary.json``.
    context : Context
        The context given with ``--context``.
    evidence : Evidence
        The summary's evidence.

    Returns
    -------
    Context
        ``context``, with ``patient.name_matches_recording``,
        ``patient.birth_date_matches_recording`` false and ``patient.age_matches_recording``
        when carried, and ``patient.turns_21_during_test`` (the birthday the analysis
        placed, the context's or the header's), which a birth date in ``context`` does not undo
        (:meth:`criteria.context.Patient.turns_21_by`).
    """
    recorded = summary.get("context")
    patient = recorded.get("patient") if isinstance(recorded, Mapping) else None
    found = patient if isinstance(patient, Mapping) else {}
    p = context.patient
    if found.get("name_matches_recording") is False and recording_name(evidence) is None:
        p = replace(p, name_matches_recording=False)
    if (
        found.get("birth_date_matches_recording") is False
        and recording_birth_date(evidence) is None
    ):
        p = replace(p, birth_date_matches_recording=False)
    same_age = found.get("age_matches_recording")
    if isinstance(same_age, bool) and recording_birth_date(evidence) is None:
        # a context of 89 beside a header of 95, capped at 90: within a year once capped, the
        # night oxi analyze held open was qualified (hunt 13); and true, the header's age on
        # the test date the context's where the patient block's, at the recording's start, is
        # not: a header 20 at the start, 21 on test.date, beside 21 was held open (review of
        # hunt 14)
        p = replace(p, age_matches_recording=same_age)
    if found.get("turns_21_during_test") is True and recording_birth_date(evidence) is None:
        # the header's birthday (the summary holds no birth date): a night into the 21st
        # birthday beside age_years 20, held open by oxi analyze, was qualified (hunt 14);
        # carried beside a birth date too, which nothing here compares with the header's:
        # born the day after it, the same night QUALIFIED (review of hunt 14)
        p = replace(p, turns_21_during_test=True)
    return context if p == context.patient else replace(context, patient=p)


def qualify(
    context: Context | None, evidence: Evidence | None, payer: str | None = None
) -> Determination:
    """Run the rules (:func:`criteria.evaluate.evaluate`); a bad payer name is bad input."""
    return _call(evaluate, context, evidence, payer)


def with_analysed_test_type(
    context: Context | None, evidence: Evidence | None, analysed: str | None
) -> tuple[Context | None, Evidence | None]:
    """Give a context without ``test.type`` the test type the recording was analysed as.

    ``--test-type`` is refused when it differs from the context's ``test.type``
    (:func:`oxi.pipeline.resolve_settings`), but a context that gives none took it for the
    analysis only: the rules read the context's, so a walk analysed as an exercise test was
    judged with "test.type" missing. The analysed type (``settings.test_type``, recorded in
    ``summary.json``) now reaches the rules, and the determination says where it came from;
    the context itself is recorded as given. ``oxi verify`` and ``oxi qualify --summary``
    call this with the summary's settings, so they reproduce it.

    Parameters
    ----------
    context : Context or None
        The clinical context as given.
    evidence : Evidence or None
        The test's figures; receives the warning.
    analysed : str or None
        ``overnight``, ``exercise`` or ``rest``: the settings' ``test_type``.

    Returns
    -------
    tuple of (Context or None, Evidence or None)
        Unchanged when there is no context, it gives ``test.type`` or the analysis had none.
    """
    if context is None or context.test.type is not None or analysed is None:
        return context, evidence
    filled = replace(context, test=replace(context.test, type=analysed))
    note = (
        f"test.type {analysed} is the test type the recording was analysed as (--test-type): "
        "the context gives none"
    )
    if evidence is not None:
        evidence = replace(evidence, warnings=(*evidence.warnings, note))
    return filled, evidence
