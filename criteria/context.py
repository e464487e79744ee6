"""The clinical context file (SPEC §8.2): schema, validation, clear errors.

A context is what the rules need to know that a recording cannot tell: diagnoses, dates, the
test's conditions, findings, symptoms, blood gases, residence, mobility and which documents are
on file. Every key is optional; a value that is not given is ``None`` and each rule decides what
that means (absent, or "not evaluable"). Unknown keys and bad values raise
:class:`oximetry.errors.ContextError` naming the dotted key, the value and what is allowed.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from os import PathLike
from pathlib import Path
from typing import Any

from oximetry.errors import ContextError

__all__ = [
    "BloodGas",
    "ClusterHeadache",
    "Context",
    "Documentation",
    "Findings",
    "Mobility",
    "Order",
    "PapTitration",
    "Patient",
    "Test",
    "load_context",
    "normalise_icd10",
]

PAYERS = ("masshealth", "medicare")
TEST_TYPES = ("overnight", "exercise", "rest")
SETTINGS = ("outpatient", "inpatient")
PRESCRIBERS = (
    "physician",
    "nurse_practitioner",
    "physician_assistant",
    "clinical_nurse_specialist",
)
SYMPTOMS = ("cognitive_impairment", "nocturnal_restlessness", "insomnia")
RESIDENCES = ("community", "skilled_nursing_facility")
PERFORMERS = ("treating_practitioner", "hospital", "sleep_lab", "idtf", "dme_supplier")

_ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")


def normalise_icd10(code: str) -> str | None:
    """Return an ICD-10-CM code in its usual form (``J44.9``), or None if it is not one.

    Parameters
    ----------
    code : str
        A code as written by a clinician: case and the dot are free (``j449``, ``J44.9``).

    Returns
    -------
    str or None
        Upper case with a dot after the third character when longer than three characters.
    """
    compact = code.strip().upper().replace(".", "")
    if not _ICD10.match(compact):
        return None
    return compact if len(compact) == 3 else f"{compact[:3]}.{compact[3:]}"


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Patient:
    """``patient:`` — age, from a birth date or given directly."""

    birth_date: _dt.date | None = None
    age_years: float | None = None

    def age_at(self, day: _dt.date | None) -> float | None:
        """Return the age in whole years at ``day`` (birth date), else ``age_years``."""
        if self.birth_date is not None and day is not None:
            b = self.birth_date
            return float(day.year - b.year - ((day.month, day.day) < (b.month, b.day)))
        return self.age_years

    def under(self, years: int, day: _dt.date | None) -> bool | None:
        """Return whether the patient is younger than ``years`` on ``day`` (None if unknown).

        With a birth date this compares dates, so the birthday itself is no longer "under".
        """
        if self.birth_date is not None and day is not None:
            b = self.birth_date
            try:
                birthday = b.replace(year=b.year + years)
            except ValueError:  # 29 February in a non-leap year: the birthday is 1 March
                birthday = _dt.date(b.year + years, 3, 1)
            return day < birthday
        if self.age_years is not None:
            return self.age_years < years
        return None


@dataclass(frozen=True)
class PapTitration:
    """``test.pap_titration:`` — a PAP titration study (Medicare's OSA path).

    ``ahi`` is the average AHI/RDI during titration, ``hours`` its length, ``initial_ahi`` the
    diagnostic AHI/RDI (when below 10 the titration must reduce it further) and
    ``at_optimal_pap`` whether the oximetry was taken at the optimal PAP settings.
    """

    ahi: float | None = None
    hours: float | None = None
    initial_ahi: float | None = None
    at_optimal_pap: bool | None = None


@dataclass(frozen=True)
class Test:
    """``test:`` — what was measured, when, how and by whom."""

    type: str | None = None
    date: _dt.date | None = None
    room_air: bool | None = None
    room_air_contraindicated: bool | None = None
    setting: str | None = None
    discharge_date: _dt.date | None = None
    chronic_stable_state: bool | None = None
    performed_by: str | None = None
    evaluated_date: _dt.date | None = None
    o2_flow_lpm: float | None = None
    pap_titration: PapTitration | None = None


@dataclass(frozen=True)
class Order:
    """``order:`` — the prescription (``initial_certification_date`` is Medicare's)."""

    date: _dt.date | None = None
    prescriber: str | None = None
    flow_lpm: float | None = None
    hours_per_day: float | None = None
    initial_certification_date: _dt.date | None = None
    therapy_start_date: _dt.date | None = None


@dataclass(frozen=True)
class Findings:
    """``findings:`` — documented findings; not given means absent.

    The keys after ``hematocrit_pct`` drive the MG-OXY II.B non-coverage items (docs/criteria.md).
    """

    dependent_edema: bool | None = None
    pulmonary_hypertension: bool | None = None
    hematocrit_pct: float | None = None
    terminal_illness_non_respiratory: bool | None = None
    peripheral_vascular_disease: bool | None = None
    angina_pectoris: bool | None = None
    breathlessness: bool | None = None
    sickle_cell_pregnancy_prophylaxis: bool | None = None
    attested_condition: bool | None = None


@dataclass(frozen=True)
class BloodGas:
    """``blood_gas:`` — arterial PO2 in mmHg, when taken."""

    pao2_rest_mmhg: float | None = None
    pao2_sleep_mmhg: float | None = None
    pao2_awake_mmhg: float | None = None
    pao2_exercise_mmhg: float | None = None
    pao2_exercise_o2_mmhg: float | None = None
    date: _dt.date | None = None


@dataclass(frozen=True)
class ClusterHeadache:
    """``cluster_headache:`` — the ICHD-3 items of MG-OXY II.A.1.d.i."""

    attacks: int | None = None
    unilateral_orbital_pain_15_180_min: bool | None = None
    ipsilateral_autonomic_signs: bool | None = None
    restlessness_or_agitation: bool | None = None
    frequency_every_other_day_to_8_per_day: bool | None = None
    not_better_accounted_for: bool | None = None


@dataclass(frozen=True)
class Mobility:
    """``mobility:`` — whether portable equipment is needed."""

    beyond_stationary_tubing: bool | None = None
    hours_away_from_home: float | None = None
    within_home: bool | None = None


@dataclass(frozen=True)
class Documentation:
    """``documentation:`` — Section III documents on file; not given means absent."""

    letter_of_medical_necessity: bool | None = None
    treatment_notes: bool | None = None
    overnight_oximetry_study: bool | None = None
    sleep_study: bool | None = None
    signed_prescription: bool | None = None
    usage_record_one_month: bool | None = None
    cluster_headache_history: bool | None = None
    facility_progress_notes: bool | None = None


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------

_Check = Callable[[str, Any, str | None], Any]


def _err(key: str, value: Any, allowed: str, source: str | None) -> ContextError:
    return ContextError(f"context key '{key}': got {value!r}; allowed: {allowed}", path=source)


def _bool(key: str, v: Any, src: str | None) -> bool:
    if not isinstance(v, bool):
        raise _err(key, v, "true or false", src)
    return v


def _number(lo: float, hi: float, integer: bool = False) -> _Check:
    what = f"{'a whole number' if integer else 'a number'} from {lo:g} to {hi:g}"

    def check(key: str, v: Any, src: str | None) -> float | int:
        ok = isinstance(v, int) if integer else isinstance(v, int | float)
        if isinstance(v, bool) or not ok or not math.isfinite(v) or not lo <= v <= hi:
            raise _err(key, v, what, src)
        return int(v) if integer else float(v)

    return check


def _enum(choices: tuple[str, ...]) -> _Check:
    def check(key: str, v: Any, src: str | None) -> str:
        if not isinstance(v, str) or v not in choices:
            raise _err(key, v, " | ".join(choices), src)
        return v

    return check


def _date(key: str, v: Any, src: str | None) -> _dt.date:
    if isinstance(v, _dt.datetime):
        return v.date()
    if isinstance(v, _dt.date):
        return v
    if isinstance(v, str):
        try:
            return _dt.date.fromisoformat(v.strip())
        except ValueError:
            pass
    raise _err(key, v, "a date as YYYY-MM-DD", src)


def _codes(key: str, v: Any, src: str | None) -> tuple[str, ...]:
    if not isinstance(v, list | tuple):
        raise _err(key, v, "a list of ICD-10-CM codes such as [J44.9]", src)
    out: list[str] = []
    for item in v:
        code = normalise_icd10(item) if isinstance(item, str) else None
        if code is None:
            raise _err(
                key, item, "ICD-10-CM codes such as J44.9 (letter, 2 digits, up to 4 more)", src
            )
        if code not in out:
            out.append(code)
    return tuple(out)


def _symptoms(key: str, v: Any, src: str | None) -> tuple[str, ...]:
    if not isinstance(v, list | tuple):
        raise _err(key, v, "a list of " + " | ".join(SYMPTOMS), src)
    out: list[str] = []
    for item in v:
        if not isinstance(item, str) or item not in SYMPTOMS:
            raise _err(key, item, " | ".join(SYMPTOMS), src)
        if item not in out:
            out.append(item)
    return tuple(out)


_PCT = _number(0, 100)
_PAO2 = _number(0, 800)


def _pap_titration(key: str, v: Any, src: str | None) -> PapTitration:
    checks: dict[str, _Check] = {
        "ahi": _number(0, 200),
        "hours": _number(0, 24),
        "initial_ahi": _number(0, 200),
        "at_optimal_pap": _bool,
    }
    if not isinstance(v, Mapping):
        raise _err(key, v, f"a mapping with keys {', '.join(checks)}", src)
    values: dict[str, Any] = {}
    for k, x in v.items():
        if k not in checks:
            raise ContextError(
                f"unknown context key '{key}.{k}'; allowed keys under '{key}': {', '.join(checks)}",
                path=src,
            )
        if x is not None:
            values[str(k)] = checks[k](f"{key}.{k}", x, src)
    return PapTitration(**values)


#: section name -> (dataclass, {key: check})
_SECTIONS: dict[str, tuple[type, dict[str, _Check]]] = {
    "patient": (Patient, {"birth_date": _date, "age_years": _number(0, 130)}),
    "test": (
        Test,
        {
            "type": _enum(TEST_TYPES),
            "date": _date,
            "room_air": _bool,
            "room_air_contraindicated": _bool,
            "setting": _enum(SETTINGS),
            "discharge_date": _date,
            "chronic_stable_state": _bool,
            "performed_by": _enum(PERFORMERS),
            "evaluated_date": _date,
            "o2_flow_lpm": _number(0, 30),
            "pap_titration": _pap_titration,
        },
    ),
    "order": (
        Order,
        {
            "date": _date,
            "prescriber": _enum(PRESCRIBERS),
            "flow_lpm": _number(0, 30),
            "hours_per_day": _number(0, 24),
            "initial_certification_date": _date,
            "therapy_start_date": _date,
        },
    ),
    "findings": (
        Findings,
        {f.name: (_PCT if f.name == "hematocrit_pct" else _bool) for f in fields(Findings)},
    ),
    "blood_gas": (
        BloodGas,
        {f.name: (_date if f.name == "date" else _PAO2) for f in fields(BloodGas)},
    ),
    "cluster_headache": (
        ClusterHeadache,
        {
            f.name: (_number(0, 100000, integer=True) if f.name == "attacks" else _bool)
            for f in fields(ClusterHeadache)
        },
    ),
    "mobility": (
        Mobility,
        {
            "beyond_stationary_tubing": _bool,
            "hours_away_from_home": _number(0, 24),
            "within_home": _bool,
        },
    ),
    "documentation": (Documentation, {f.name: _bool for f in fields(Documentation)}),
}

_TOP: dict[str, _Check] = {
    "payer": _enum(PAYERS),
    "diagnoses": _codes,
    "symptoms": _symptoms,
    "residence": _enum(RESIDENCES),
    "prn": _bool,
}

_ALL_TOP = tuple(["payer", "patient", "test", "order", "diagnoses", "findings", "symptoms"])
_ALL_TOP += ("blood_gas", "cluster_headache", "residence", "prn", "mobility", "documentation")


def _section(name: str, raw: Any, src: str | None) -> Any:
    cls, checks = _SECTIONS[name]
    if raw is None:
        return cls()
    if not isinstance(raw, Mapping):
        raise _err(name, raw, f"a mapping with keys {', '.join(checks)}", src)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        dotted = f"{name}.{key}"
        if key not in checks:
            raise ContextError(
                f"unknown context key '{dotted}'; allowed keys under '{name}': {', '.join(checks)}",
                path=src,
            )
        if value is not None:
            values[str(key)] = checks[key](dotted, value, src)
    return cls(**values)


# --------------------------------------------------------------------------------------------
# The context
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """A validated clinical context (SPEC §8.2). Build with :meth:`from_dict` or :func:`load_context`.

    Lists are tuples; sections that were not given are empty sections (all fields None), except
    ``cluster_headache``, which is None when not given.
    """

    payer: str | None = None
    patient: Patient = field(default_factory=Patient)
    test: Test = field(default_factory=Test)
    order: Order = field(default_factory=Order)
    diagnoses: tuple[str, ...] | None = None
    findings: Findings = field(default_factory=Findings)
    symptoms: tuple[str, ...] | None = None
    blood_gas: BloodGas = field(default_factory=BloodGas)
    cluster_headache: ClusterHeadache | None = None
    residence: str | None = None
    prn: bool | None = None
    mobility: Mobility = field(default_factory=Mobility)
    documentation: Documentation = field(default_factory=Documentation)
    source: str | None = field(default=None, compare=False)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None, source: str | None = None) -> Context:
        """Validate a parsed context file.

        Parameters
        ----------
        d : mapping or None
            The parsed YAML/JSON (None or empty: an empty context).
        source : str, optional
            The file it came from; put in front of every error message.

        Returns
        -------
        Context

        Raises
        ------
        oximetry.errors.ContextError
            An unknown key or a bad value, naming the dotted key, the value and what is allowed.
        """
        if d is None:
            return cls(source=source)
        if not isinstance(d, Mapping):
            raise ContextError(
                f"the context must be a mapping of keys ({', '.join(_ALL_TOP)}), got {type(d).__name__}",
                path=source,
            )
        values: dict[str, Any] = {}
        for key, value in d.items():
            if key not in _ALL_TOP:
                raise ContextError(
                    f"unknown context key '{key}'; allowed keys: {', '.join(_ALL_TOP)}", path=source
                )
            if key in _SECTIONS:
                if key == "cluster_headache" and value is None:
                    continue
                values[key] = _section(key, value, source)
            elif value is not None:
                values[key] = _TOP[key](key, value, source)
        return cls(source=source, **values)

    def to_dict(self, *, test_date: _dt.date | None = None) -> dict[str, Any]:
        """Return the context as JSON-able data, de-identified, for ``summary.json``.

        ``patient.birth_date`` is replaced by ``age_years`` at ``test_date`` (SPEC §10, §11); keys
        that were not given are left out, so :meth:`from_dict` reads the result back to an
        equivalent context.

        Parameters
        ----------
        test_date : datetime.date, optional
            The date the age is computed at. Without it (and without ``age_years``) no age is kept.
        """
        out: dict[str, Any] = {}
        for name in _ALL_TOP:
            value = getattr(self, name)
            if name == "patient":
                age = self.patient.age_at(test_date)
                if age is not None:
                    out["patient"] = {"age_years": age}
            elif name in _SECTIONS:
                if value is None:
                    continue
                sec = {
                    f.name: _plain(getattr(value, f.name))
                    for f in fields(value)
                    if getattr(value, f.name) is not None
                }
                if sec or name == "cluster_headache":
                    out[name] = sec
            elif value is not None:
                out[name] = _plain(value)
        return out


def _plain(v: Any) -> Any:
    if isinstance(v, PapTitration):
        return {
            f.name: _plain(getattr(v, f.name)) for f in fields(v) if getattr(v, f.name) is not None
        }
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, tuple):
        return list(v)
    return v


def load_context(path: str | PathLike[str]) -> Context:
    """Read and validate a clinical context file (YAML or JSON).

    Parameters
    ----------
    path : str or path-like
        A ``.json`` file is parsed as JSON; anything else with ``yaml.safe_load``.

    Returns
    -------
    Context

    Raises
    ------
    oximetry.errors.ContextError
        The file cannot be read or parsed, or holds an unknown key or a bad value.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContextError("no such file", path=p) from None
    except IsADirectoryError:
        raise ContextError("is a directory, expected a context file", path=p) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContextError(
            f"cannot read the context file: {exc.__class__.__name__}", path=p
        ) from exc
    if p.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ContextError(
                f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", path=p
            ) from exc
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
            problem = getattr(exc, "problem", None) or "syntax error"
            raise ContextError(f"not valid YAML{where}: {problem}", path=p) from exc
    return Context.from_dict(data, source=str(p))
