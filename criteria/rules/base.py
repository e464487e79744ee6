"""Rule objects, their results, and the small helpers every profile shares.

A rule is one guideline clause: an id, a citation, the inputs it reads, and a check that returns
met / not met / not evaluable with the values it used and one sentence of reason. ``met`` is
three-valued: True, False, or None ("not evaluable"). A None result either lists the ``missing``
inputs that would settle it, or says the clause was ``tested=False`` — this test did not measure
what the clause is about (an overnight study says nothing about exercise), which counts as not met
when findings are combined.

Beside ``met``, each result has a ``status`` for readers: ``met``, ``not_met``, ``not_evaluable``
or ``not_applicable``. A check says ``applicable=False`` when its own logic finds that the clause
does not concern this member or test (a nursing-facility document for a member living in the
community, an exclusion about a condition nobody documented). Only the label changes: ``met`` keeps
the value the determination combines, and nothing that decides reads ``status``.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..context import Context
from ..evidence import Evidence, SegmentFigures, SleepFigures

__all__ = [
    "EPS_MIN",
    "STATUSES",
    "Inputs",
    "Outcome",
    "Readings",
    "Rule",
    "RuleResult",
    "kleene_and",
    "kleene_or",
    "minutes_text",
    "pct",
]

#: Tolerance when comparing minutes computed as samples × dt / 60 with a whole number of
#: minutes: far below one sample period at any oximeter rate, so 4.99 min is never 5.
EPS_MIN = 1e-6

#: A rule result's ``status`` values, in the order reports tally them.
STATUSES = ("met", "not_met", "not_evaluable", "not_applicable")


def pct(x: float) -> int:
    """Round a saturation the way payers read it: floor(x + 0.5) (SPEC §7)."""
    return math.floor(x + 0.5)


def at_least(minutes: float | None, needed: float) -> bool | None:
    """Return minutes ≥ needed with :data:`EPS_MIN` tolerance (None if unknown)."""
    return None if minutes is None else minutes >= needed - EPS_MIN


@dataclass(frozen=True)
class Readings:
    """Readings of ambiguous text, as options. The defaults are the decided readings.

    Parameters
    ----------
    sleep_duration : str
        How long a sleep threshold must hold: ``cumulative`` (≥ 5 cumulative minutes; SPEC §8.3),
        ``continuous`` (≥ 5 consecutive minutes) or ``single_sample`` (one rounded sample).
    ichd3_d_e : str
        ``all`` (ICHD-3 A–E all required; SPEC §8.3) or ``d_or_e`` (the text's literal "D; or E").
    order_window : str
        ``either_side`` (|order − test| ≤ 90 days; SPEC §8.3) or ``before_order`` (the test at
        most 90 days before the order and not after it).
    a_iii_where : str
        ``rest_sleep_exercise`` (SPEC §8.3) or ``rest_only`` for the 89 % of II.A.2.a.iii.
    pao2_drop_symptoms : str
        ``required`` (II.A.2.b.ii.B.2 needs the symptoms of B.3 / a.ii) or ``not_required``.
    awake_baseline_as_rest : str
        ``no`` (II.A.2.a.i needs a rest test: a rest segment's sustained nadir or PaO2 at rest) or
        ``yes`` (an overnight study's awake baseline also counts as "at rest").
    """

    sleep_duration: str = "cumulative"
    ichd3_d_e: str = "all"
    order_window: str = "either_side"
    a_iii_where: str = "rest_sleep_exercise"
    pao2_drop_symptoms: str = "required"
    awake_baseline_as_rest: str = "no"


@dataclass(frozen=True)
class RuleResult:
    """The result of one rule.

    ``met`` is True, False or None (not evaluable). ``tested`` is False when the test did not
    measure what the clause is about; ``missing`` names the inputs that would settle a None.
    ``applicable`` is False when the clause does not concern this member or test (see
    :attr:`status`); it never changes ``met``.
    """

    id: str
    citation: str
    met: bool | None
    values: Mapping[str, Any]
    reason: str
    missing: tuple[str, ...] = ()
    tested: bool = True
    applicable: bool = True

    @property
    def status(self) -> str:
        """One of :data:`STATUSES`: ``not_applicable``, else what :attr:`met` says."""
        if not self.applicable:
            return "not_applicable"
        return {True: "met", False: "not_met", None: "not_evaluable"}[self.met]

    def to_dict(self) -> dict[str, Any]:
        """Return ``{id, citation, met, status, values, reason}`` as in ``summary.json``.

        ``met`` is consistent with ``status``: true for ``met``, false for ``not_met``, null for
        ``not_evaluable`` and ``not_applicable`` (SPEC §8.2 "Reviewer view").
        """
        return {
            "id": self.id,
            "citation": self.citation,
            "met": self.met if self.applicable else None,
            "status": self.status,
            "values": {k: _plain(v) for k, v in self.values.items()},
            "reason": self.reason,
        }

    @property
    def as_finding(self) -> bool | None:
        """Three-valued truth for combining: an untested clause counts as not met."""
        return False if (self.met is None and not self.tested) else self.met


def _plain(v: Any) -> Any:
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, tuple | list):
        return [_plain(x) for x in v]
    if isinstance(v, float):
        return value_figure(v)
    return v


#: Decimals a rule's values keep in ``summary.json``.
VALUE_DECIMALS = 4


def value_figure(v: float) -> float:
    """Return a rule's value rounded to :data:`VALUE_DECIMALS`, never onto a half or a whole.

    Rounded half up, an exercise sustained nadir of 88.4999999 % was written 88.5 beside its
    rounded value 88 (and 4.99996 min at or below 88 % would be 5.0 beside NOT MET for 5
    minutes): rules round a saturation at the half and compare minutes with whole numbers. Such
    a value is cut to :data:`VALUE_DECIMALS` instead.

    Parameters
    ----------
    v : float

    Returns
    -------
    float

    Examples
    --------
    >>> value_figure(88.4999999), value_figure(4.99996), value_figure(96.66448), value_figure(-1.0)
    (88.4999, 4.9999, 96.6645, -1.0)
    >>> value_figure(88.00004), value_figure(88.0)
    (88.0001, 88.0)
    """
    r = round(v, VALUE_DECIMALS)
    if math.isfinite(v) and v > 0 and r != v and (2 * r).is_integer():
        # off the half or whole on the side the value lies (88.00004 is not at or below 88)
        scaled = v * 10**VALUE_DECIMALS
        r = (math.floor(scaled) if v < r else math.ceil(scaled)) / 10**VALUE_DECIMALS
    return r


@dataclass(frozen=True)
class Outcome:
    """What a rule's check returns (the rule adds its id and citation)."""

    met: bool | None
    reason: str
    values: Mapping[str, Any] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    tested: bool = True
    applicable: bool = True


@dataclass(frozen=True)
class Inputs:
    """Everything a rule may read: the context, the evidence, earlier results, the readings."""

    context: Context
    evidence: Evidence | None
    test_date: _dt.date | None
    readings: Readings
    results: Mapping[str, RuleResult]
    state: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sleep(self) -> SleepFigures | None:
        """The sleep (or presumed-sleep) figures, if any."""
        return None if self.evidence is None else self.evidence.sleep

    def segment(self, kind: str) -> SegmentFigures | None:
        """Return an exercise-test segment's figures, if any."""
        return None if self.evidence is None else getattr(self.evidence, kind)

    def met(self, rule_id: str) -> bool | None:
        """Three-valued result of an earlier rule (untested counts as not met)."""
        return self.results[rule_id].as_finding


@dataclass(frozen=True)
class Rule:
    """One guideline clause.

    Parameters
    ----------
    id : str
        Stable identifier (``ii_a_2_a_i_rest``).
    citation : str
        Where it comes from (``MG-OXY II.A.2.a.i``).
    title : str
        What the clause requires, in a few words.
    inputs : tuple of str
        The context keys and evidence figures it reads.
    check : callable
        ``check(inputs) -> Outcome``.
    """

    id: str
    citation: str
    title: str
    inputs: tuple[str, ...]
    check: Callable[[Inputs], Outcome]

    def evaluate(self, inputs: Inputs) -> RuleResult:
        """Run the check and return its :class:`RuleResult`."""
        out = self.check(inputs)
        return RuleResult(
            id=self.id,
            citation=self.citation,
            met=out.met,
            values=dict(out.values),
            reason=out.reason,
            missing=tuple(out.missing),
            tested=out.tested,
            applicable=out.applicable,
        )


def kleene_and(values: Iterable[bool | None]) -> bool | None:
    """Three-valued AND: False wins, then None, then True (empty: True)."""
    vals = list(values)
    if any(v is False for v in vals):
        return False
    return None if any(v is None for v in vals) else True


def kleene_or(values: Iterable[bool | None]) -> bool | None:
    """Three-valued OR: True wins, then None, then False (empty: False)."""
    vals = list(values)
    if any(v is True for v in vals):
        return True
    return None if any(v is None for v in vals) else False


@dataclass(frozen=True)
class Part:
    """One way a finding can be shown (a blood gas, a window of the recording)."""

    name: str
    met: bool | None
    tested: bool = True
    missing: tuple[str, ...] = ()
    where: str = ""  # rest | sleep | exercise: where the measurement was taken


_MIN_LABEL = {
    "t_le88_min": "≤ 88 %",
    "t_lt90_min": "≤ 89 %",
    "t_le90_min": "≤ 90 %",
    "drop5_min": "> 5 points below the awake baseline",
}


def cut_text(v: float, decimals: int) -> str:
    """Return ``v`` cut toward zero to ``decimals`` (never rounded up), as ``%g`` prints it.

    A finding's minutes sit beside a threshold in whole minutes: 4.99983 min rounded to "5"
    would read as met beside NOT MET for 5 minutes. Rounded to 6 decimals first, so binary
    noise (0.3 * 10 = 2.9999999999999996) does not cut a step away.
    """
    return f"{_floor_to(v, decimals):g}"


def cut_fixed(v: float, decimals: int) -> str:
    """Return ``v`` cut toward zero to ``decimals``, written with that many decimals.

    As :func:`cut_text`, but ``88.0`` stays ``"88.0"``: a saturation written to a fixed
    number of decimals (88.499999 was printed "88.50", which reads 89).
    """
    return f"{_floor_to(v, decimals):.{decimals}f}"


def _floor_to(v: float, decimals: int) -> float:
    scale = 10**decimals
    return math.floor(round(float(v) * scale, 6)) / scale


def minutes_text(minutes: float) -> str:
    """Return minutes to 0.1 min cut toward zero, never rounded up across a limit.

    119.967 valid minutes printed "120.0" beside NOT MET for 120 minutes.

    Parameters
    ----------
    minutes : float
        A duration in minutes.

    Returns
    -------
    str
        One decimal, e.g. ``"119.9"``.
    """
    return f"{_floor_to(minutes, 1):.1f}"


def describe(values: Mapping[str, Any]) -> str:
    """Return the figures a finding used, in a reviewer's words (``""`` when none)."""
    out: list[str] = []
    for key, v in values.items():
        if v is None or isinstance(v, bool) or not isinstance(v, int | float):
            continue
        if key.endswith("_sustained_nadir_rounded_pct"):
            raw = values.get(key.replace("_rounded", ""))
            # the value too where it differs: Medicare compares it unrounded (A5), and "No Group
            # I-4 finding (exercise sustained nadir 88 %)" beside 88.49 read as a contradiction
            # cut: 88.499999 printed "(88.5 %)" (89 by standard rounding) beside 88 %
            shown = (
                "" if not isinstance(raw, int | float) or raw == v else f" ({cut_text(raw, 2)} %)"
            )
            out.append(f"{key.split('_sustained')[0]} sustained nadir {v} %{shown}")
        elif key.startswith("pao2_") and key.endswith("_mmhg"):
            out.append(f"PaO2 {key[5:-5].replace('_', ' ')} {v:g} mmHg")
        elif key in _MIN_LABEL:
            out.append(f"{cut_text(v, 3)} min {_MIN_LABEL[key]}")
        elif key == "drop5_from_mean_min":
            # Medicare's Group I-3 qualified a night on 9.5 min below the test's mean with no
            # figure in its reason, beside page 1's only drop, 0.0 min below the awake
            # baseline (hunt 10): the minutes, the mean they are measured from and the longest
            # run (the continuous reading's figure)
            mean = values.get("mean_baseline_pct")
            longest = values.get("longest_drop5_from_mean_min")
            text = f"{cut_text(v, 3)} min > 5 points below the test's mean"
            if isinstance(mean, int | float):
                text += f" SpO2 {cut_text(mean, 2)} %"
            if isinstance(longest, int | float):
                text += f", longest {cut_text(longest, 3)} min"
            out.append(text)
        elif key == "awake_baseline_rounded_pct":
            out.append(f"awake baseline {v} %")
        elif key == "awake_baseline_pct" and "awake_baseline_rounded_pct" not in values:
            # Medicare compares it unrounded (A5) and sets no rounded value: "No Group I-2
            # finding (... with awake ≥ 89 %)" beside an awake baseline of 88.96 gave no
            # awake figure at all (hunt 10). Cut, never rounded up to 89.
            out.append(f"awake baseline {cut_text(v, 2)} %")
        elif key == "rest_sustained_nadir_pct" and "rest_sustained_nadir_rounded_pct" not in values:
            # the awake rest value Medicare judged unrounded: its lower bound where artifact
            # leaves it in doubt (medicare_groups.awake_sats)
            low = values.get("rest_sustained_nadir_low_pct")
            shown = (
                f" (lower bound {cut_text(low, 2)} %)"
                if isinstance(low, int | float) and low != v
                else ""
            )
            out.append(f"rest sustained nadir {cut_text(v, 2)} %{shown}")
        elif key == "nadir_rounded_pct":
            out.append(f"nadir {v} %")
        elif key == "valid_min":
            out.append(f"{cut_text(v, 1)} min valid")
    return "; ".join(out)


def with_figures(text: str, values: Mapping[str, Any]) -> str:
    """Append the figures used to a one-sentence reason."""
    figs = describe(values)
    if not figs:
        return text
    return f"{text.rstrip('.')} ({figs})."


def combine(parts: Iterable[Part], values: dict[str, Any], met_text: str, not_text: str) -> Outcome:
    """Combine alternative parts of a finding (OR), untested parts left out.

    Returns met with the parts that met (``values['met_by']``, their ``where`` in
    ``values['where']``), else not evaluable with what is missing, else not met, else untested.
    """
    parts = list(parts)
    tested = [p for p in parts if p.tested]
    hit = [p for p in tested if p.met is True]
    if hit:
        values["met_by"] = [p.name for p in hit]
        values["where"] = sorted({p.where for p in hit})
        return Outcome(True, with_figures(met_text, values), values)
    unknown = [p for p in tested if p.met is None]
    if unknown:
        missing = tuple(dict.fromkeys(m for p in unknown for m in p.missing))
        return Outcome(
            None, f"{not_text}; not evaluable without {', '.join(missing)}.", values, missing
        )
    if tested:
        return Outcome(False, with_figures(f"{not_text}.", values), values)
    return Outcome(
        None, "Not tested: this test measured nothing this clause is about.", values, tested=False
    )


def true_keys(mapping: Mapping[str, Any]) -> list[str]:
    """Keys whose value is exactly True, in order."""
    return [k for k, v in mapping.items() if v is True]
