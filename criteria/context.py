"""The clinical context file (SPEC §8.2): schema, validation, clear errors.

A context is what the rules need to know that a recording cannot tell: diagnoses, dates, the
test's conditions, findings, symptoms, blood gases, residence, mobility and which documents are
on file. Every key is optional; a value that is not given is ``None`` and each rule decides what
that means (absent, or "not evaluable"). Unknown keys, bad values and implausible values (SPEC
§8.2 "Validity before rules": PaO2 outside 20–150 mmHg, hematocrit outside 15–75 %, flow outside
0–15 L/min or a walk on oxygen at 0 L/min, hours outside 0–24, dates before 1900 or after the
run) raise :class:`criteria.errors.ContextError` naming the dotted key, the value (shortened) and
what is allowed. Reading the file itself is hardened in :mod:`criteria.context_file`.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from os import PathLike
from typing import Any

from .context_file import key_shown, read_context_file, shorten
from .errors import ContextError
from .names import same_person

__all__ = [
    "CONTEXT_FREE_TEXT",
    "KEY_NAMES",
    "SUMMARY_ONLY_PATIENT_KEYS",
    "BloodGas",
    "ClusterHeadache",
    "Context",
    "Documentation",
    "Findings",
    "Interpretation",
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
SEXES = ("F", "M", "X", "U")
PERFORMED_BY = ("treating_practitioner", "hospital", "sleep_lab", "idtf", "dme_supplier")

#: Plausible ranges (SPEC §8.2 "Validity before rules"); outside them the value is bad input.
PAO2_RANGE = (20.0, 150.0)
HEMATOCRIT_RANGE = (15.0, 75.0)
FLOW_RANGE = (0.0, 15.0)
HOURS_RANGE = (0.0, 24.0)
EARLIEST_DATE = _dt.date(1900, 1, 1)
RESIDENCES = ("community", "skilled_nursing_facility")
#: Birth dates that recording headers hold for "not entered": never another person's.
PLACEHOLDER_BIRTH_DATES = (_dt.date(1900, 1, 1), _dt.date(1970, 1, 1))
#: The keys of ``patient`` only :meth:`Context.to_dict` writes, for a summary's copy of the
#: context: what the analysis found beside the recording's header and the birth date (read
#: back by ``oxi verify`` and ``oxi qualify --summary``). A context file holding them is refused
#: (:func:`load_context`): ``birth_date_matches_recording: true`` beside age 15 silenced a
#: header born 1950 and qualified a 76-year-old's night for pediatric oxygen (hunt 13).
SUMMARY_ONLY_PATIENT_KEYS = (
    "age_from_birth_date",
    "name_matches_recording",
    "dated_before_birth",
    "born_after_test",
    "born_after_recording_start",
    "turns_21_during_test",
    "birth_date_without_test_date",
    "birth_date_matches_recording",
    "age_capped",
    "age_matches_birth_date",
    "age_matches_recording",
)

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
    text = code.strip().upper()
    if "." in text and (text.count(".") > 1 or text.index(".") != 3):
        return None  # a dot elsewhere is a typo ("J4.49", "J.44.9"), never silently J44.9
    compact = text.replace(".", "")
    if not _ICD10.match(compact):
        return None
    return compact if len(compact) == 3 else f"{compact[:3]}.{compact[3:]}"


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Patient:
    """``patient:`` — age (from a birth date or given directly) and identification.

    ``name`` and ``member_id`` identify the patient on the report only; the rules never read them
    and :meth:`Context.to_dict` leaves them out unless asked.
    """

    birth_date: _dt.date | None = None
    age_years: float | None = None
    name: str | None = None
    member_id: str | None = None
    sex: str | None = None
    age_from_birth_date: float | None = None  # written by to_dict in place of the birth date
    #: Written by :meth:`Context.to_dict` in place of the name: whether the name can name the
    #: person the recording's header names (:func:`criteria.names.same_person`); None when
    #: either name is unknown. A summary holds no name, so without it `oxi verify` recomputed
    #: "qualified" for a night the analysis had held open as another person's.
    name_matches_recording: bool | None = None
    #: Written by :meth:`Context.to_dict` in place of the birth date: the context's dates before
    #: it (:data:`DATES_CHECKED_AGAINST_BIRTH`), so that the conflict they make is found again
    #: from a summary, which holds no birth date (``oxi verify``).
    dated_before_birth: tuple[str, ...] = ()
    #: Written by :meth:`Context.to_dict` in place of the birth date when it is after the test
    #: date, so the conflict is found again from a summary. The age it gave, -1, was written as
    #: ``age_years`` and ``oxi verify`` refused the genuine summary as out of range.
    born_after_test: bool | None = None
    #: Written by :meth:`Context.to_dict` when the birth date is after the recording's first day
    #: (not the test date): a night begun the evening before a birth on test.date qualified.
    born_after_recording_start: bool | None = None
    #: Written by :meth:`Context.to_dict` in place of the birth date when the member, under 21
    #: on the test date, is 21 on the last day the test's data were recorded on
    #: (:meth:`turns_21_by`): a night from 00:30 on the 21st birthday, dated by the evening
    #: before, qualified pediatric oxygen (II.A.2.d) on data all recorded at 21.
    turns_21_during_test: bool | None = None
    #: Written by :meth:`Context.to_dict` in place of a birth date that gives no age, the test
    #: date unknown: the age then waits on the test date, as it did in the analysis (read as
    #: no birth date, `oxi verify` found a genuine summary NOT VERIFIED).
    birth_date_without_test_date: bool | None = None
    #: Written by :meth:`Context.to_dict` in place of the birth date: whether it is the birth
    #: date the recording's header gives (:meth:`born_as_recorded`); None when either is unknown
    #: or a placeholder. A summary holds the context's age only, and two birth dates of one
    #: year give one age: ``oxi verify`` recomputed "qualified" for a night held open as
    #: another person's, and ``oxi qualify --summary`` of a de-identified summary qualified it.
    birth_date_matches_recording: bool | None = None
    #: Written by :meth:`Context.to_dict` for a de-identified summary when the age is
    #: cap (:data:`oximetry.report.summary.AGE_CAP_YEARS`, 90) or more: ``age_years`` (and
    #: ``age_from_birth_date``) then say "90 or older" (HIPAA safe harbour), as the recording
    #: header's ``age_capped`` does.
    age_capped: bool | None = None
    #: Written with ``age_capped`` when the cap hides that ``age_years`` and the birth date
    #: gave other ages (95 and 94 both written 90): the conflict they make is found again.
    age_matches_birth_date: bool | None = None
    #: Written de-identifying when the context gives no birth date to compare with the
    #: recording header's and either age is capped: whether the context's age is within a
    #: year of the header's (a context of 94 beside a header of 98 is another person's, both
    #: written 90 or older; so is one of 89 beside a header of 95, written 90 or older).
    age_matches_recording: bool | None = None

    def dates_before(
        self, dates: Mapping[str, _dt.date | None], day: _dt.date | None
    ) -> tuple[str, ...]:
        """Return the keys of ``dates`` before the birth date, or before any birth ``age_years`` allows.

        The birth date's (:meth:`dates_before_birth`) and, without one, those on or before
        the day a patient ``age_years`` old on ``day`` was born at the earliest (an order of 1950
        beside age 70 in 2026 qualified: review of hunt 11). Not from a capped age ("90 or
        older" allows any birth before): a summary records those dates (``dated_before_birth``).

        Parameters
        ----------
        dates : mapping of str to datetime.date or None
            The context's dates by key (:meth:`Context.dates`).
        day : datetime.date or None
            The test date.

        Returns
        -------
        tuple of str
        """
        before = list(self.dates_before_birth(dates))
        # (not when the context had a birth date, which a summary records as age_from_birth_date:
        # read from a given age_years of 10 beside a birth in 1956, oxi verify found an order of
        # 2015 before the birth the analysis had read from the birth date, review of hunt 11)
        unborn = self.birth_date is None and self.age_from_birth_date is None
        if unborn and not self.age_capped and self.age_years is not None and day is not None:
            # born after this day: on it, the patient would have been a year older than age_years
            earliest = _birthday(day, day.year - math.floor(self.age_years) - 1)
            before += [k for k, d in dates.items() if d is not None and d <= earliest]
        return tuple(dict.fromkeys(before))

    def dates_before_birth(self, dates: Mapping[str, _dt.date | None]) -> tuple[str, ...]:
        """Return the keys of ``dates`` dated before the birth date.

        Without a birth date, those a summary recorded (``dated_before_birth``).

        Parameters
        ----------
        dates : mapping of str to datetime.date or None
            The context's dates by key (:meth:`Context.dates`).

        Returns
        -------
        tuple of str
        """
        if self.birth_date is None:
            return self.dated_before_birth
        return tuple(k for k, d in dates.items() if d is not None and d < self.birth_date)

    def born_after(self, day: _dt.date | None) -> bool:
        """Tell whether the birth date is after ``day`` (a summary: ``born_after_test``).

        Parameters
        ----------
        day : datetime.date or None
            The test date.

        Returns
        -------
        bool
            Without a birth date or ``day``, what a summary recorded (``born_after_test``).
        """
        if self.birth_date is not None and day is not None:
            return self.birth_date > day
        return bool(self.born_after_test)

    def born_after_start(self, first_day: _dt.date | None) -> bool:
        """Tell whether the birth date is after the recording's first day.

        Parameters
        ----------
        first_day : datetime.date or None
            The date of the recording's first sample.

        Returns
        -------
        bool
            Without a birth date or ``first_day``, what a summary recorded
            (``born_after_recording_start``).
        """
        if self.birth_date is not None and first_day is not None:
            return self.birth_date > first_day
        return bool(self.born_after_recording_start)

    def has_birth_date(self) -> bool:
        """Tell whether a birth date was given (a summary: ``birth_date_without_test_date``).

        A summary's copy keeps the age it gave on the test date instead, or, the test date
        unknown, that one was given.
        """
        return self.birth_date is not None or bool(self.birth_date_without_test_date)

    def turns_21_by(
        self,
        day: _dt.date | None,
        last_day: _dt.date | None,
        recording_birth_date: _dt.date | None = None,
    ) -> bool:
        """Tell whether the patient, under 21 on ``day``, is 21 or older on ``last_day``.

        Parameters
        ----------
        day : datetime.date or None
            The test date.
        last_day : datetime.date or None
            The last day the test's data were recorded on (a night dated by its evening ends
            the next morning).
        recording_birth_date : datetime.date, optional
            The recording header's birth date (a placeholder is none), read when the context
            gives only an age: one that agrees with it still places the birthday, and a header
            born the day a night from 00:30 was recorded qualified beside ``age_years: 20``.
            Not read beside ``birth_date_matches_recording``: a summary's copy of a context
            whose birth date was compared with the header's holds no birth date, and the
            birthday was the context's, which ``turns_21_during_test`` keeps.

        Returns
        -------
        bool
            What the birth date places, or what a summary recorded
            (``turns_21_during_test``): either is a birthday during the test.
        """
        born = self.birth_date
        if (
            born is None
            and self.birth_date_matches_recording is None
            and recording_birth_date not in PLACEHOLDER_BIRTH_DATES
        ):
            # (read back by oxi verify, a context born 6 January 2005 beside a header born 1980
            # placed the header's birthday, and the genuine summary's turns_21_during_test was
            # not found again, review of hunt 14)
            born = recording_birth_date
        if born is not None and day is not None and last_day is not None:
            p = replace(self, birth_date=born)
            if p.under(21, day) is True and p.under(21, last_day) is False:
                return True
        # what a summary recorded stands beside a birth date it never compared (oxi qualify
        # --summary of a de-identified summary, the header's birth date not kept): a context
        # born the day after the header's birthday QUALIFIED the night oxi analyze held open
        # (review of hunt 14); a context file never holds it (SUMMARY_ONLY_PATIENT_KEYS)
        return bool(self.turns_21_during_test)

    def age_from_birth(self, day: _dt.date | None) -> float | None:
        """Return the whole-year age the birth date gives at ``day`` (None without one).

        None also for a birth after ``day``, which is a conflict, not an age.

        A 29 February birthday falls on 28 February in other years: of the two conventions
        (28 February, 1 March) the earlier one, so an age-limited criterion (pediatric, under
        21) never lasts a day longer than either reading allows.
        """
        if self.birth_date is not None and day is not None:
            b = self.birth_date
            if b > day:  # no age (a conflict): -1 made a pediatric member of the unborn
                return None
            return float(day.year - b.year - (day < _birthday(b, day.year)))
        return self.age_from_birth_date

    def born_as_recorded(self, recording_birth_date: _dt.date | None) -> bool | None:
        """Return whether the birth date is the one the recording's header gives.

        Parameters
        ----------
        recording_birth_date : datetime.date or None
            The header's birth date; a placeholder (:data:`PLACEHOLDER_BIRTH_DATES`) is none.

        Returns
        -------
        bool or None
            Whether the two are the same day when both are known; else
            ``birth_date_matches_recording`` as a summary recorded it (None: not compared).
        """
        header = None if recording_birth_date in PLACEHOLDER_BIRTH_DATES else recording_birth_date
        if self.birth_date is not None and header is not None:
            return self.birth_date == header
        return self.birth_date_matches_recording

    def names_recording_patient(self, recording_name: str | None) -> bool | None:
        """Return whether this patient can be the one the recording's header names.

        Parameters
        ----------
        recording_name : str or None
            The name the header gives.

        Returns
        -------
        bool or None
            :func:`criteria.names.same_person` of the two names when both are known; else
            ``name_matches_recording`` as a summary recorded it (None: not compared).
        """
        found = same_person(self.name, recording_name)
        return self.name_matches_recording if found is None else found

    def age_at(self, day: _dt.date | None) -> float | None:
        """Return the age in whole years at ``day`` (birth date), else ``age_years``.

        None for a birth after ``day`` (:meth:`born_after`), ``age_years`` given or not: read
        alike from a summary, which keeps the given age beside ``born_after_test``.
        """
        if self.born_after(day):
            return None
        from_birth = self.age_from_birth(day)
        return from_birth if from_birth is not None else self.age_years

    def age_shown(self, day: _dt.date | None) -> tuple[dict[str, Any], str]:
        """Return a rule's values for the age at ``day`` and the age as its text says it.

        A de-identified summary's age of 90 or more is written 90 (``age_capped``): the values
        carry ``age_capped`` as its ``patient`` blocks do, and the text says "90 or older".

        Parameters
        ----------
        day : datetime.date or None
            The test date.

        Returns
        -------
        tuple of (dict, str)
            ``{"age_years": age}`` (and ``"age_capped": True``), and ``"74"`` or
            ``"90 or older"`` (``""`` without an age).
        """
        age = self.age_at(day)
        if age is None:
            return {"age_years": None}, ""
        if self.age_capped:
            return {"age_years": age, "age_capped": True}, f"{age:g} or older"
        return {"age_years": age}, f"{age:g}"

    def under(self, years: int, day: _dt.date | None) -> bool | None:
        """Return whether the patient is younger than ``years`` on ``day`` (None if unknown).

        With a birth date this compares dates, so the birthday itself is no longer "under".
        """
        if self.born_after(day):  # no age (a conflict, criteria.conflicts)
            return None
        if self.birth_date is not None and day is not None:
            b = self.birth_date
            return day < _birthday(b, b.year + years)
        age = self.age_at(day)
        return None if age is None else age < years


def _birthday(born: _dt.date, year: int) -> _dt.date:
    """Return the birthday in ``year``; 29 February becomes 28 February in a common year."""
    try:
        return born.replace(year=year)
    except ValueError:  # 29 February in a non-leap year: the earlier reading (safe side)
        return _dt.date(year, 2, 28)


@dataclass(frozen=True)
class Test:
    """``test:`` — what was measured, when and how."""

    type: str | None = None
    date: _dt.date | None = None
    room_air: bool | None = None
    room_air_contraindicated: bool | None = None
    setting: str | None = None
    discharge_date: _dt.date | None = None
    chronic_stable_state: bool | None = None
    performed_by: str | None = None
    facility: str | None = None
    device: str | None = None
    o2_flow_lpm: float | None = None
    #: The oxygen flow of an exercise test's walk on oxygen (``exercise_o2``), as --o2-flow.
    exercise_o2_flow_lpm: float | None = None
    pap_titration: PapTitration | None = None
    evaluated_date: _dt.date | None = None


@dataclass(frozen=True)
class PapTitration:
    """``test.pap_titration:`` — an OSA patient tested during PAP titration (Medicare).

    ``ahi`` is the average AHI/RDI during titration and ``hours`` its length; ``initial_ahi`` the
    diagnostic AHI/RDI (below 10, the titration must reduce it further) and ``at_optimal_pap``
    whether the oximetry was taken at the optimal PAP settings.
    """

    ahi: float | None = None
    hours: float | None = None
    initial_ahi: float | None = None
    at_optimal_pap: bool | None = None


@dataclass(frozen=True)
class Order:
    """``order:`` — the prescription (``initial_certification_date`` is Medicare's)."""

    date: _dt.date | None = None
    prescriber: str | None = None
    flow_lpm: float | None = None
    hours_per_day: float | None = None
    initial_certification_date: _dt.date | None = None
    therapy_start_date: _dt.date | None = None  # Medicare: when oxygen therapy began (retests)
    practitioner: str | None = None
    npi: str | None = None


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
    widespread_pulmonary_neoplasm: bool | None = None


@dataclass(frozen=True)
class BloodGas:
    """``blood_gas:`` — arterial PO2 in mmHg, when taken."""

    pao2_rest_mmhg: float | None = None
    pao2_sleep_mmhg: float | None = None
    pao2_awake_mmhg: float | None = None
    pao2_exercise_mmhg: float | None = None
    pao2_exercise_o2_mmhg: float | None = None
    date: _dt.date | None = None  # when the blood gas was taken (Medicare: same-day precedence)


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
class Interpretation:
    """``interpretation:`` — the interpreting practitioner's text, printed in the report."""

    practitioner: str | None = None
    text: str | None = None


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


#: Keys whose values identify the patient: never echoed in an error message.
_IDENTIFYING = ("patient.name", "patient.member_id", "patient.birth_date")

#: The context's free text (section, field, longest text the context accepts): a clinician may
#: name the patient there; the rest of a context is vocabulary, numbers and dates. What
#: ``--deidentify`` scrubs (:func:`oxi.pipeline.deidentified_context`), what ``oxi verify`` says
#: differs without quoting, and what an error never quotes.
CONTEXT_FREE_TEXT = (
    ("test", "facility", 200),
    ("test", "device", 200),
    ("order", "practitioner", 200),
    ("interpretation", "practitioner", 200),
    ("interpretation", "text", 20000),
)

#: Keys whose values may identify the patient: the free text, and the sections holding it or
#: the identifiers (``interpretation: "Roe, Jane desaturates ..."`` written as one text). An
#: error says what they hold, not the value: an interpretation of 20032 characters starting
#: with the patient's name, or a facility given as a list ``["Home of Jane Roe"]``, was quoted
#: in the error line (``oxi verify`` of an edited summary; ``oxi analyze --deidentify``).
_MAY_IDENTIFY = (
    *(f"{section}.{key}" for section, key, _ in CONTEXT_FREE_TEXT),
    *dict.fromkeys(section for section, _, _ in CONTEXT_FREE_TEXT),
    "patient",
)


def _latest_today() -> _dt.date:
    """Return the latest date that is today somewhere on Earth (UTC+14).

    The machine's own date refused a context its lab wrote on its today (a summary made in
    UTC+14 and verified where the date was still the day before was bad input).
    """
    return (_dt.datetime.now(_dt.UTC) + _dt.timedelta(hours=14)).date()


#: The run's date, the latest plausible date; tests may pin it.
_TODAY: Callable[[], _dt.date] = _latest_today


def _err(key: str, value: Any, allowed: str, source: str | None) -> ContextError:
    if isinstance(value, str) and not value.strip():
        shown = shorten(value)  # blank: nothing to withhold, and '' says why it was refused
    elif key in _IDENTIFYING:
        shown = f"{_kind(value)} (not shown: it identifies the patient)"
    elif key in _MAY_IDENTIFY or (key.startswith("patient.") and key != "patient.sex"):
        # the patient's ages and the outcomes a summary keeps: a birth date typed as age_years
        # (13.07.1949) was quoted in the error line, which logs keep (SPEC §10); a sex is said
        # as written ('female': allowed F | M | X | U)
        shown = f"{_kind(value)} (not shown: it may identify the patient)"
    elif not _one_word(value):
        # a choice key's value of several words is no typo of a choice but text, which may be
        # an address or a name: "residence: 12 Elm Street, Springfield" was quoted whole
        shown = f"{_kind(value)} (not shown: it may identify the patient)"
    else:
        shown = shorten(value)
    return ContextError(f"context key '{key}': got {shown}; allowed: {allowed}", path=source)


#: A value said as written in an error: one short word, a number or true/false (a typo of a
#: choice such as 'nightly' for 'overnight'), never text of several words.
_ONE_WORD = re.compile(r"[A-Za-z0-9_.:/+\-]{1,24}")


def _one_word(value: Any) -> bool:
    if isinstance(value, bool | int | float) or value is None:
        return True
    if isinstance(value, str):
        return _ONE_WORD.fullmatch(value) is not None
    if isinstance(value, list | tuple):
        return all(_one_word(v) for v in value)
    return False


def _kind(value: Any) -> str:
    """Say what a withheld value is, never what it says (``text of 20030 characters``)."""
    if isinstance(value, str):
        return f"text of {len(value)} characters"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return "a value"


def _bool(key: str, v: Any, src: str | None) -> bool:
    if not isinstance(v, bool):
        raise _err(key, v, "true or false", src)
    return v


def _number(lo: float, hi: float, integer: bool = False) -> _Check:
    what = f"{'a whole number' if integer else 'a number'} from {lo:g} to {hi:g}"

    def check(key: str, v: Any, src: str | None) -> float | int:
        ok = isinstance(v, int) if integer else isinstance(v, int | float)
        if isinstance(v, bool) or not ok:
            raise _err(key, v, what, src)
        if isinstance(v, int) and not -(10**15) <= v <= 10**15:  # no float overflow below
            raise _err(key, v, what, src)
        if not math.isfinite(v) or not lo <= v <= hi:
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
    day: _dt.date | None = None
    if isinstance(v, _dt.datetime):
        day = v.date()
    elif isinstance(v, _dt.date):
        day = v
    elif isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v.strip()):
        try:
            day = _dt.date.fromisoformat(v.strip())
        except ValueError:
            day = None
    latest = _TODAY()
    allowed = f"a real date as YYYY-MM-DD from {EARLIEST_DATE.isoformat()} to {latest.isoformat()}"
    if day is None or not EARLIEST_DATE <= day <= latest:
        raise _err(key, v, allowed, src)
    return day


def _birth_date(key: str, v: Any, src: str | None) -> _dt.date:
    """Check a birth date: a real date, and not 1900-01-01.

    1900-01-01 is what records hold for a birth date not entered (a recording header's is
    none, :data:`PLACEHOLDER_BIRTH_DATES`), and gives an age no one has lived to: read as a
    birth date, it met the member-age gate a context without an age holds open, and a resting
    PaO2 of 50 qualified at "age 126" (hunt 15). 1970-01-01 is somebody's birthday.
    """
    day = _date(key, v, src)
    if day == EARLIEST_DATE:
        raise _err(
            key,
            v,
            f"a real birth date after {EARLIEST_DATE.isoformat()} (what records hold for a "
            "birth date not entered; leave the key out when it is not known)",
            src,
        )
    return day


def _text(limit: int, digits: int | None = None) -> _Check:
    """Free text up to ``limit`` characters; ``digits``: exactly that many digits (NPI)."""
    what = f"exactly {digits} digits" if digits else f"text up to {limit} characters"

    def check(key: str, v: Any, src: str | None) -> str:
        if isinstance(v, int) and not isinstance(v, bool):
            v = str(v)  # an identifier (member id, NPI) that YAML read as a number
        if not isinstance(v, str) or not v.strip() or len(v) > limit:
            raise _err(key, v, what, src)
        if any(ord(c) < 32 and c not in "\n\t" for c in v):
            raise _err(key, v, what + " without control characters", src)
        if digits is not None and not re.fullmatch(rf"\d{{{digits}}}", v.strip()):
            raise _err(key, v, what, src)
        return v.strip()

    return check


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
    if out:
        from . import icd10  # the code set is loaded only when there are codes to check

        for code in out:
            if not icd10.exists(code):
                raise ContextError(
                    f"context key '{key}': {code!r} is not an ICD-10-CM code "
                    f"({icd10.code_set()}); a diagnosis must be a real code",
                    path=src,
                )
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


def _keys(choices: tuple[str, ...]) -> _Check:
    def check(key: str, v: Any, src: str | None) -> tuple[str, ...]:
        if not isinstance(v, list | tuple) or not all(isinstance(k, str) for k in v):
            raise _err(key, v, "a list of " + " | ".join(choices), src)
        for item in v:
            if item not in choices:
                raise _err(key, item, " | ".join(choices), src)
        return tuple(dict.fromkeys(v))

    return check


#: The context's dates a birth date must precede (``Patient.dated_before_birth``); the test
#: date is :mod:`criteria.conflicts`' own check.
DATES_CHECKED_AGAINST_BIRTH = (
    "order.date",
    "order.initial_certification_date",
    "order.therapy_start_date",
    "blood_gas.date",
    "test.discharge_date",
    "test.evaluated_date",
)


_PAO2 = _number(*PAO2_RANGE)
_FLOW = _number(*FLOW_RANGE)


def _walk_flow(key: str, v: Any, src: str | None) -> float:
    """Check the walk on oxygen's flow: above 0, at most the flow range's top.

    A walk "on oxygen" at 0 L/min was not on oxygen: the key passed the 0-15 check, and
    ``oxi analyze`` then refused it as "--o2-flow" 0.0 "outside 0-15 L/min", an option not given
    and a range that holds 0.
    """
    what = (
        f"a number above 0 and at most {FLOW_RANGE[1]:g} (L/min; a walk on oxygen at 0 L/min "
        "was not on oxygen: leave the key out when no walk was on oxygen)"
    )
    try:
        flow = float(_FLOW(key, v, src))
    except ContextError:
        raise _err(key, v, what, src) from None
    if flow <= 0:
        raise _err(key, v, what, src)
    return flow


_HOURS = _number(*HOURS_RANGE)
_NAME = _text(200)


def _sub(cls: type, checks: dict[str, _Check]) -> _Check:
    """Check a nested section (``test.pap_titration``) like a top-level one."""

    def check(key: str, v: Any, src: str | None) -> Any:
        return _build(key, cls, checks, v, src)

    return check


_PAP_CHECKS: dict[str, _Check] = {
    "ahi": _number(0, 200),
    "hours": _HOURS,
    "initial_ahi": _number(0, 200),
    "at_optimal_pap": _bool,
}
_PAP = _sub(PapTitration, _PAP_CHECKS)

#: section name -> (dataclass, {key: check})
_SECTIONS: dict[str, tuple[type, dict[str, _Check]]] = {
    "patient": (
        Patient,
        {
            "birth_date": _birth_date,
            "age_years": _number(0, 130),
            "name": _NAME,
            "member_id": _text(64),
            "sex": _enum(SEXES),
            "age_from_birth_date": _number(0, 130),
            "name_matches_recording": _bool,
            "dated_before_birth": _keys(DATES_CHECKED_AGAINST_BIRTH),
            "born_after_test": _bool,
            "born_after_recording_start": _bool,
            "turns_21_during_test": _bool,
            "birth_date_without_test_date": _bool,
            "birth_date_matches_recording": _bool,
            "age_capped": _bool,
            "age_matches_birth_date": _bool,
            "age_matches_recording": _bool,
        },
    ),
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
            "performed_by": _enum(PERFORMED_BY),
            "facility": _NAME,
            "device": _NAME,
            "o2_flow_lpm": _FLOW,
            "exercise_o2_flow_lpm": _walk_flow,
            "pap_titration": _PAP,
            "evaluated_date": _date,
        },
    ),
    "order": (
        Order,
        {
            "date": _date,
            "prescriber": _enum(PRESCRIBERS),
            "flow_lpm": _FLOW,
            "hours_per_day": _HOURS,
            "initial_certification_date": _date,
            "therapy_start_date": _date,
            "practitioner": _NAME,
            "npi": _text(10, digits=10),
        },
    ),
    "findings": (
        Findings,
        {
            f.name: (_number(*HEMATOCRIT_RANGE) if f.name == "hematocrit_pct" else _bool)
            for f in fields(Findings)
        },
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
        {"beyond_stationary_tubing": _bool, "hours_away_from_home": _HOURS, "within_home": _bool},
    ),
    "interpretation": (Interpretation, {"practitioner": _NAME, "text": _text(20000)}),
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
_ALL_TOP += ("interpretation",)
#: Every key a context may hold, dotted (``test.date``), and its sections: words of the
#: schema, never a patient's, so an error may name them whatever it withholds.
KEY_NAMES = frozenset(
    [
        *_ALL_TOP,
        *(f"{name}.{key}" for name, (_, checks) in _SECTIONS.items() for key in checks),
        *(f"test.pap_titration.{key}" for key in _PAP_CHECKS),
    ]
)
#: Every key name without its section, in the schema's order: what a key given twice in a
#: context file is quoted by (:func:`criteria.context_file.key_shown`), before any section is
#: known.
_KEY_WORDS = tuple(
    dict.fromkeys(
        [*_ALL_TOP, *(key for _, checks in _SECTIONS.values() for key in checks), *_PAP_CHECKS]
    )
)


def _section(name: str, raw: Any, src: str | None) -> Any:
    cls, checks = _SECTIONS[name]
    if raw is None:
        return cls()
    return _build(name, cls, checks, raw, src)


def _build(name: str, cls: type, checks: Mapping[str, _Check], raw: Any, src: str | None) -> Any:
    if not isinstance(raw, Mapping):
        raise _err(name, raw, f"a mapping with keys {', '.join(checks)}", src)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or key not in checks:
            # the keys a context file gives: a summary's outcomes (SUMMARY_ONLY_PATIENT_KEYS)
            # were offered, and a file holding one is refused (load_context)
            offered = [k for k in checks if name != "patient" or k not in SUMMARY_ONLY_PATIENT_KEYS]
            raise ContextError(
                f"unknown context key {key_shown(key, checks, name)}; allowed keys under "
                f"'{name}': {', '.join(offered)}",
                path=src,
            )
        if value is not None:
            values[key] = checks[key](f"{name}.{key}", value, src)
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
    interpretation: Interpretation = field(default_factory=Interpretation)
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
        criteria.errors.ContextError
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
            if not isinstance(key, str) or key not in _ALL_TOP:
                raise ContextError(
                    f"unknown context key {key_shown(key, _ALL_TOP)}; allowed keys: "
                    f"{', '.join(_ALL_TOP)}",
                    path=source,
                )
            if key in _SECTIONS:
                if key == "cluster_headache" and value is None:
                    continue
                values[key] = _section(key, value, source)
            elif value is not None:
                values[key] = _TOP[key](key, value, source)
        return cls(source=source, **values)

    def dates(self) -> dict[str, _dt.date | None]:
        """Return the dates of :data:`DATES_CHECKED_AGAINST_BIRTH` by dotted key.

        Returns
        -------
        dict of str to datetime.date or None
        """
        out: dict[str, _dt.date | None] = {}
        for key in DATES_CHECKED_AGAINST_BIRTH:
            section, _, name = key.partition(".")
            out[key] = getattr(getattr(self, section), name)
        return out

    def to_dict(
        self,
        *,
        test_date: _dt.date | None = None,
        identifiers: bool = False,
        recording_name: str | None = None,
        first_day: _dt.date | None = None,
        last_day: _dt.date | None = None,
        recording_birth_date: _dt.date | None = None,
        age_cap: float | None = None,
    ) -> dict[str, Any]:
        """Return the context as JSON-able data, de-identified, for ``summary.json``.

        ``patient.birth_date`` is replaced by ``age_years`` at ``test_date`` (SPEC §10, §11); keys
        that were not given are left out, so :meth:`from_dict` reads the result back to an
        equivalent context (the rules never read what is left out).

        Parameters
        ----------
        test_date : datetime.date, optional
            The date the age is computed at. Without it (and without ``age_years``) no age is kept.
        identifiers : bool
            Also keep ``patient.name`` and ``patient.member_id`` (for a report that is not
            de-identified); by default they are left out.
        recording_name : str, optional
            The name the recording's header gives: whether ``patient.name`` can name that
            person is kept as ``patient.name_matches_recording`` (never the names), so the
            name conflict it decides is found again from the summary (``oxi verify``).
        first_day : datetime.date, optional
            The date of the recording's first sample: a birth after it is kept as
            ``patient.born_after_recording_start`` (the conflict it makes, found again).
        last_day : datetime.date, optional
            The last day the test's data were recorded on: a 21st birthday from the day after
            ``test_date`` to it is kept as ``patient.turns_21_during_test``
            (:meth:`Patient.turns_21_by`), as the outcome may rest on it.
        recording_birth_date : datetime.date, optional
            The birth date the recording's header gives: whether ``patient.birth_date`` is that
            day is kept as ``patient.birth_date_matches_recording`` (never either date), so the
            conflict it decides is found again from the summary.
        age_cap : float, optional
            De-identifying: an age of ``age_cap`` or more is written as ``age_cap``, with
            ``patient.age_capped`` true, and what the exact age decided beside the birth
            date, the header's age and the context's dates is kept as outcomes
            (``age_matches_birth_date``, ``age_matches_recording``, ``dated_before_birth``).
        """
        out: dict[str, Any] = {}
        for name in _ALL_TOP:
            value = getattr(self, name)
            if name == "patient":
                pat: dict[str, Any] = {}
                from_birth = self.patient.age_from_birth(test_date)
                if self.patient.born_after(test_date):  # no age: a conflict (criteria.conflicts)
                    pat["born_after_test"] = True
                    from_birth = None
                elif self.patient.born_after_start(first_day):
                    pat["born_after_recording_start"] = True
                if self.patient.turns_21_by(test_date, last_day, recording_birth_date):
                    pat["turns_21_during_test"] = True
                if self.patient.has_birth_date() and test_date is None:
                    pat["birth_date_without_test_date"] = True
                if self.patient.age_years is not None:
                    pat["age_years"] = self.patient.age_years
                    if from_birth is not None:  # kept, so a conflict between them survives
                        pat["age_from_birth_date"] = from_birth
                elif from_birth is not None:
                    pat["age_years"] = from_birth
                if self.patient.sex is not None:
                    pat["sex"] = self.patient.sex
                before = self.patient.dates_before_birth(self.dates())
                if age_cap is not None:
                    before = self._capped_ages(
                        pat, age_cap, test_date, first_day, recording_birth_date
                    )
                if before:
                    pat["dated_before_birth"] = list(before)
                matches = self.patient.names_recording_patient(recording_name)
                if matches is not None:
                    pat["name_matches_recording"] = matches
                born_as = self.patient.born_as_recorded(recording_birth_date)
                if born_as is not None:
                    pat["birth_date_matches_recording"] = born_as
                if identifiers:
                    for k in ("name", "member_id"):
                        if getattr(self.patient, k) is not None:
                            pat[k] = getattr(self.patient, k)
                if pat:
                    out["patient"] = pat
            elif name in _SECTIONS:
                if value is None:
                    continue
                sec = _plain(value)
                if sec or name == "cluster_headache":
                    out[name] = sec
            elif value is not None:
                out[name] = _plain(value)
        return out

    def _capped_ages(
        self,
        pat: dict[str, Any],
        cap: float,
        test_date: _dt.date | None,
        first_day: _dt.date | None,
        recording_birth_date: _dt.date | None,
    ) -> tuple[str, ...]:
        """Cap the ages of ``pat`` at ``cap`` in place; return the dates before the birth.

        No age rule changes at 90 or older: MassHealth's and Medicare's only age limit is
        MG-OXY's "under 21" (pediatric II.A.1 list items, II.A.2.d; the member-age gate only
        needs an age), so the determination stands on the capped age. Only the comparisons of
        the exact age with the context's birth date, the header's age and the context's dates
        (:mod:`criteria.conflicts`) would change, and their outcomes are kept instead. When the
        recording header's age alone is ``cap`` or more (the summary's patient block caps it),
        only its comparison with the context's age is kept (``age_matches_recording``).
        """
        p = self.patient
        ages = [pat.get(k) for k in ("age_years", "age_from_birth_date")]
        given, from_birth = ages
        header = None if recording_birth_date in PLACEHOLDER_BIRTH_DATES else recording_birth_date
        day = test_date or first_day
        # the header's age on the test date, as criteria.conflicts compares it; the summary's
        # patient block caps its age at the recording's start
        header_age = header_at_start = None
        if header is not None:
            header_age = replace(p, birth_date=header).age_from_birth(day)
            header_at_start = replace(p, birth_date=header).age_from_birth(first_day)
        capped = p.age_capped or any(a is not None and a >= cap for a in ages)
        header_capped = any(a is not None and a >= cap for a in (header_age, header_at_start))
        # a summary's copy of a context whose birth date was compared with the header's
        # (birth_date_matches_recording) holds no birth date, and the analysis compared no ages:
        # read back by oxi verify, a context born 1990 beside a header born 1980 wrote
        # age_matches_recording false, absent from the genuine summary (review of hunt 14)
        ages_only = p.birth_date is None and p.birth_date_matches_recording is None
        if (
            header is not None
            and day is not None
            and ages_only
            and given is not None
            and not p.age_capped
        ):
            # as criteria.conflicts compares them on the test date: a year apart at most, on
            # one side of 21
            same, at_start = (
                h is not None and abs(given - h) <= 1 and (given < 21) == (h < 21)
                for h in (header_age, header_at_start)
            )
            if header_at_start is None or not (same and at_start):
                # the de-identified patient block holds no age to compare (a recording of no
                # known date, a header born after it began), or its age at the recording's
                # start does not find what the test date's did: `oxi qualify --summary`
                # qualified a header born 1950 beside age_years 15, and a night from the
                # evening before a 21st birthday on test.date beside age_years 20 (hunt 14);
                # and held open the same night beside age_years 21, which oxi analyze did not
                # (review of hunt 14)
                pat["age_matches_recording"] = same
        if not capped and not header_capped:
            return p.dates_before_birth(self.dates())
        # a context read back from a de-identified summary (oxi verify) carries the outcomes
        # its exact age gave; they are not made again from the capped one
        same_as_header = p.age_matches_recording
        if not p.age_capped and ages_only and header_age is not None and given is not None:
            # as criteria.conflicts compares them (a year apart at most); no capped age is
            # compared so (a header of 98 is "90 or older")
            same_as_header = abs(given - header_age) <= 1
        if same_as_header is not None:
            pat["age_matches_recording"] = same_as_header
        if not capped:
            # the header's age alone is capped: 89 beside a header of 95 (written 90 or older)
            # no longer differed by more than a year, and `oxi qualify --summary` qualified the
            # night oxi analyze held open (hunt 13); the context's ages stay exact
            return p.dates_before_birth(self.dates())
        before = p.dates_before(self.dates(), test_date)  # those the exact age_years gave
        same_as_birth = p.age_matches_birth_date
        if given is not None and from_birth is not None and int(given) != int(from_birth):
            same_as_birth = False  # 95 and 94, both written 90
        if same_as_birth is not None:
            pat["age_matches_birth_date"] = same_as_birth
        for k, a in zip(("age_years", "age_from_birth_date"), ages, strict=True):
            if a is not None:
                pat[k] = min(a, cap)
        pat["age_capped"] = True
        return before


def _plain(v: Any) -> Any:
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, tuple):
        return list(v)
    if hasattr(v, "__dataclass_fields__"):
        return {
            f.name: _plain(getattr(v, f.name)) for f in fields(v) if getattr(v, f.name) is not None
        }
    return v


def load_context(path: str | PathLike[str]) -> Context:
    """Read and validate a clinical context file (YAML or JSON).

    Parameters
    ----------
    path : str or path-like
        A ``.json`` file is parsed as JSON; anything else as YAML (safely: see
        :mod:`criteria.context_file` for the caps and what is refused).

    Returns
    -------
    Context

    Raises
    ------
    criteria.errors.ContextError
        The file cannot be read or parsed, or holds an unknown key or a bad value, or a key
        of :data:`SUMMARY_ONLY_PATIENT_KEYS`.
    """
    data = read_context_file(path, _KEY_WORDS)
    context = Context.from_dict(data, source=str(path))  # bad values first, as ever
    patient = data.get("patient") if isinstance(data, Mapping) else None
    for key in SUMMARY_ONLY_PATIENT_KEYS:
        if isinstance(patient, Mapping) and key in patient:
            # an outcome the analysis records in a summary, never a fact a lab gives: read from
            # a file, it stood for the comparison it names and silenced the conflict
            raise ContextError(
                f"context key 'patient.{key}' is what oxi analyze records in a summary's copy "
                "of the context, never given in a context file (give patient.birth_date or "
                "patient.age_years: the comparisons are made from them)",
                path=str(path),
            )
    return context
