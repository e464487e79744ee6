"""Contradictions in the inputs (SPEC §8.2 "Validity before rules").

A conflict is two facts that cannot both be true: the determination is then ``indeterminate``
whatever the rules say, and ``qualification.conflicts`` lists each one with the keys, their values
and why they conflict. The list is SPEC §8.2's, plus those found reading MG-OXY (docs/criteria.md
§ "Conflicts"). Each check is one small function; :func:`find_conflicts` runs them all.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from . import context as _context
from .context import Context
from .evidence import FilePatient
from .icd10 import acute, categorise
from .rules.common import pulmonary_hypertension_codes

__all__ = ["Conflict", "find_conflicts"]


@dataclass(frozen=True)
class Conflict:
    """Two or more inputs that contradict each other.

    Parameters
    ----------
    keys : tuple of str
        The dotted context keys (or ``recording.start``) involved.
    values : mapping
        Their values as given.
    why : str
        One sentence: why they cannot both hold, and what a reviewer should resolve.
    """

    keys: tuple[str, ...]
    values: Mapping[str, Any] = field(default_factory=dict)
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return ``{keys, values, why}`` as in ``summary.json``."""
        return {
            "keys": list(self.keys),
            "values": {k: _plain(v) for k, v in self.values.items()},
            "why": self.why,
        }


def _plain(v: Any) -> Any:
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, tuple | list):
        return [_plain(x) for x in v]
    return v


@dataclass(frozen=True)
class _Facts:
    ctx: Context
    recording_date: _dt.date | None
    test_date: _dt.date | None
    file_patient: FilePatient | None = None
    recorded_on: _dt.date | None = None
    possible_days: tuple[_dt.date, ...] = ()
    oxygen_marks: tuple[tuple[float, float], ...] = ()
    walk_flow: float | None = None
    walk_marked_flows: tuple[float, ...] = ()


def _acute_with_stable(f: _Facts) -> list[Conflict]:
    if f.ctx.test.chronic_stable_state is not True:
        return []
    out = []
    for code in f.ctx.diagnoses or ():
        row = acute(code)
        if row is not None:
            out.append(
                Conflict(
                    ("diagnoses", "test.chronic_stable_state"),
                    {"diagnoses": code, "test.chronic_stable_state": True},
                    f"{code} ({row.why}) is an acute illness or exacerbation; the test cannot "
                    "also have been taken in a chronic stable state (MG-OXY II.A.2).",
                )
            )
    return out


def _outpatient_discharged_later(f: _Facts) -> list[Conflict]:
    t = f.ctx.test
    if t.setting != "outpatient" or t.discharge_date is None or f.test_date is None:
        return []
    if t.discharge_date < f.test_date:
        return []
    return [
        Conflict(
            ("test.setting", "test.discharge_date", "test.date"),
            {
                "test.setting": "outpatient",
                "test.discharge_date": t.discharge_date,
                "test.date": f.test_date,
            },
            "An outpatient test cannot be taken on or before a hospital discharge: the member "
            "was an inpatient on the test date (then the inpatient window of II.A.2 applies).",
        )
    ]


def _recording_date(f: _Facts) -> list[Conflict]:
    given, rec = f.ctx.test.date, f.recording_date
    if given is not None and rec is None and f.possible_days:
        # A date the file gives that reads two ways (03/04/2026: 4 March or 3 April) is no
        # date, but it is one of those: a test.date of 5 January, far from both, was used
        # without a word, where 03/14/2026 made the same night indeterminate.
        near = min(abs((given - d).days) for d in f.possible_days)
        if near <= 1:
            return []
        days = " or ".join(d.isoformat() for d in f.possible_days)
        return [
            Conflict(
                ("test.date", "recording.start"),
                {"test.date": given, "recording.start": f.possible_days},
                f"The recorded test is of {days} (the file's date reads either way), at least "
                f"{near} days from test.date {given.isoformat()}: either the context or the "
                "file belongs to another test.",
            )
        ]
    if given is None or rec is None or abs((given - rec).days) <= 1:
        return []
    return [
        Conflict(
            ("test.date", "recording.start"),
            {"test.date": given, "recording.start": rec},
            f"The recorded test (its night, or its first segment) is of {rec.isoformat()}, "
            f"{abs((given - rec).days)} days from test.date {given.isoformat()}: either the "
            "context or the file belongs to another test. The recording's date is used for the "
            "windows, never overridden.",
        )
    ]


def _recording_after_the_run(f: _Facts) -> list[Conflict]:
    # A date a context gives after the day of the analysis is refused (criteria.context); the
    # recorder's own date was taken as it came: an EDF dated 15.01.27 qualified a night on
    # 2026-12-07, its order window counted to a test 39 days ahead.
    # the file's own first day too: a night from 01:00 is dated by the evening before (its
    # test day), and a recorder's clock a day ahead put the test day on the run day
    days = [d for d in (f.recording_date, f.recorded_on) if d is not None]
    rec = max(days, default=None)
    if rec is None or rec <= _context._TODAY():
        return []
    return [
        Conflict(
            ("recording.start",),
            {"recording.start": rec},
            f"The recording is dated {rec.isoformat()}, after the day of this analysis: the "
            "recorder's clock was wrong, so the test's date, and every window counted from it, "
            "is unknown. A reviewer must date the test.",
        )
    ]


def _ages(f: _Facts) -> list[Conflict]:
    p = f.ctx.patient
    out: list[Conflict] = []
    day = f.test_date or f.recording_date
    if p.born_after(day):
        out.append(
            Conflict(
                ("patient.birth_date", "test.date"),
                {"patient.birth_date": "(not shown)", "test.date": day},
                "The birth date is after the test date.",
            )
        )
        return out
    if p.born_after_start(f.recorded_on):
        # a night begun the evening before a birth on test.date qualified (review of hunt 12)
        out.append(
            Conflict(
                ("patient.birth_date", "recording.start"),
                {"patient.birth_date": "(not shown)", "recording.start": f.recorded_on},
                "The recording began before the birth date: it is another person's, or a date "
                "is wrong.",
            )
        )
    if p.age_years is None:
        return out
    from_birth = p.age_from_birth(day)
    # a de-identified summary's ages of 90 or more are both 90: it keeps whether they differed
    differ = p.age_matches_birth_date is False
    if from_birth is not None and (int(p.age_years) != int(from_birth) or differ):
        top = max(from_birth, p.age_years)

        def shown(age: float) -> str:  # a capped age is the higher one: 90 or older
            return f"{age:g}{' or older' if p.age_capped and age >= top else ''}"

        out.append(
            Conflict(
                ("patient.birth_date", "patient.age_years"),
                {"age_from_birth_date": from_birth, "patient.age_years": p.age_years},
                f"The birth date gives age {shown(from_birth)} on the test date, but age_years "
                f"is {shown(p.age_years)}: the age decides the pediatric criteria (under 21).",
            )
        )
    return out


def _dated_before_birth(f: _Facts) -> list[Conflict]:
    """Find a date of the context before the patient's birth.

    The order, certification, therapy start, blood gas, discharge and evaluation dates
    (:data:`~criteria.context.DATES_CHECKED_AGAINST_BIRTH`). An order written three weeks before
    an infant was born qualified pediatric oxygen, and one of 1950 beside a birth date of 1951
    Medicare oxygen (hunt 11): the Medicare rules have no order window, and MassHealth's counts
    back from the test date alone. Such an order is another person's or mis-dated. Without a
    birth date, the dates a summary recorded as before it, and those before any birth date
    ``age_years`` on the test date allows (an order of 1950 beside age 70 in 2026 qualified:
    review of hunt 11). The test date is :func:`_ages`'s.
    """
    dates = f.ctx.dates()
    return [
        Conflict(
            ("patient.birth_date", key),
            {"patient.birth_date": "(not shown)", key: dates[key]},
            f"The {key} is before the birth date: it belongs to another person or is mis-dated.",
        )
        for key in f.ctx.patient.dates_before(dates, f.test_date or f.recording_date)
    ]


#: Birth dates that headers hold for "not entered": never another person's.
PLACEHOLDER_BIRTH_DATES = _context.PLACEHOLDER_BIRTH_DATES
#: A de-identified output's age cap (:data:`oximetry.report.summary.AGE_CAP_YEARS`, which
#: criteria does not import; a test keeps them one).
AGE_CAP_YEARS = 90
#: Ages a rule decides on (MG-OXY II.A.2.d: under 21). A header and a context a year apart are
#: one person's ages counted on other days, unless they lie on either side of one of these: a
#: header that made the member 21 beside a context's 20 qualified pediatric oxygen.
AGE_LIMITS = (21.0,)


def _sex(value: str | None) -> str | None:
    first = (value or "").strip()[:1].upper()
    return first if first in ("F", "M") else None


def _kept_match_possible(age: float, header_age: float) -> bool:
    """Say whether a de-identified summary can keep ``age_matches_recording: true`` here.

    The analysis writes it only where the header's age at the recording's start (the patient
    block's, ``header_age``) is not within a year of the context's ``age`` but its age on the
    test date, a birthday later (or earlier, for a test dated the evening before), is, on the
    same side of every age limit: a patient block of 22 beside a context of 20 is no such case
    (review of hunt 14).
    """
    return any(
        abs(age - (header_age + d)) <= 1
        and all((header_age + d < limit) == (age < limit) for limit in AGE_LIMITS)
        for d in (-1.0, 1.0)
    )


def _other_age_at_start(
    fp: FilePatient | None, birth_date: _dt.date | None, recorded_on: _dt.date | None
) -> bool:
    """Say whether a de-identified header's age shows a birth date other than the context's.

    A de-identified summary's patient block keeps the header's whole-year age at the
    recording's start, not its birth date; the context's birth date gives the age on that very
    day, so two ages that differ are two birth dates. Compared within a year (the test date's
    age beside the start's), a header born 1956-03-01 beside a context born 1957-03-01, which
    ``oxi analyze`` holds open as another person's, was QUALIFIED by ``oxi qualify --summary``
    of the night analysed de-identified without a context (hunt 15).
    """
    if fp is None or fp.birth_date is not None or fp.age_years is None or fp.age_capped:
        return False
    if birth_date is None or recorded_on is None or birth_date > recorded_on:
        return False  # (a birth after the start is a conflict of its own)
    return _context.Patient(birth_date=birth_date).age_from_birth(recorded_on) != fp.age_years


def _other_age_when_analysed() -> Conflict:
    """Return the conflict of a recorded ``patient.age_matches_recording: false``.

    A de-identified summary holds no age of the header's that differs from the context's (a
    recording of no known date holds none, and the one at the recording's start may be the
    context's), so none is quoted.
    """
    return Conflict(
        ("patient.age_years", "recording.patient"),
        {"patient.age_years": "(not shown)", "recording.patient.age_years": "(not shown)"},
        "The recording's header gave another age than the context when it was "
        "analysed: the night or the context belongs to another person.",
    )


def _file_patient(f: _Facts) -> list[Conflict]:
    """Find a recording header that names another patient than the context (birth date, age, sex).

    A night recorded for one person and a context for another qualified (a summary of a
    76-year-old man's night gave a 15-year-old girl pediatric oxygen). Values are not shown:
    they identify the patient. Without the context's birth date (a summary's copy of it holds
    none) the comparison the analysis made is read back from
    ``patient.birth_date_matches_recording``.
    """
    fp, p = f.file_patient, f.ctx.patient
    out: list[Conflict] = []
    born = None if fp is None or fp.birth_date in PLACEHOLDER_BIRTH_DATES else fp.birth_date
    same_birth_date = p.born_as_recorded(born)
    day = f.test_date or f.recording_date
    if (
        born is not None
        and same_birth_date is not True  # (the context's own: criteria.conflicts._ages)
        and any(d is not None and born > d for d in (day, f.recorded_on))
    ):
        # no age at all: a header born 5 months after the night was written as aged -1, within
        # a year of a context's infant of 0, and the night qualified pediatric oxygen (hunt 14)
        out.append(
            Conflict(
                ("recording.patient", "recording.start"),
                {"recording.patient": "(not shown)", "recording.start": f.recorded_on or day},
                "The recording's header gives a birth date after the recording began: the "
                "header or the recording's date is wrong, or the night is another person's.",
            )
        )
    elif same_birth_date is False or (
        same_birth_date is None and _other_age_at_start(fp, p.birth_date, f.recorded_on)
    ):
        out.append(
            Conflict(
                ("patient.birth_date", "recording.patient"),
                {"patient.birth_date": "(not shown)", "recording.patient": "(not shown)"},
                "The recording's header gives another birth date than the context: the night "
                "or the context belongs to another person.",
            )
        )
    elif (
        fp is not None
        and (fp.age_years is not None or born is not None)
        and fp.birth_date not in PLACEHOLDER_BIRTH_DATES
        and same_birth_date is not True
    ):
        age = p.age_at(day)
        capped_either = bool(p.age_capped or fp.age_capped)
        # the header's age on the same day as the context's (it gives it at the recording's
        # start, which may be the day before a birthday the test date is on); a recording of
        # no known date has none at its start, and its birth date still gives one on
        # test.date: a header born 1950 beside age_years 15 qualified pediatric oxygen (hunt 14)
        header_age = fp.age_years
        if born is not None and day is not None:
            from_birth = replace(p, birth_date=born).age_from_birth(day)
            header_age = from_birth if from_birth is not None else header_age
        if age is not None and header_age is not None:
            far = age < header_age - 1 if fp.age_capped else abs(age - header_age) > 1
            if p.age_capped:
                # a de-identified summary's context of 90 or older (its exact age withheld)
                # keeps how it compared with the header (criteria.context: _capped_ages)
                far = (
                    not p.age_matches_recording
                    if p.age_matches_recording is not None
                    else header_age < age - 1
                )
            elif p.age_matches_recording is not None and fp.age_capped:
                # beside a header capped at 90 (98 in truth) a context of 89 is within a year:
                # the summary kept how the exact ages compared (hunt 13)
                far = not p.age_matches_recording
            elif p.age_matches_recording is False:
                far = True  # (the header's exact age: what the summary kept stands too)
            across = any((age < limit) != (header_age < limit) for limit in AGE_LIMITS)
            # the ages quoted make the conflict themselves (not only the recorded comparison)
            quoted = abs(age - header_age) > 1 or across
            if (
                born is None
                and p.age_matches_recording is not None
                and not capped_either
                and (not p.age_matches_recording or _kept_match_possible(age, header_age))
            ):
                # a de-identified summary's patient block holds the header's age at the
                # recording's start, and the comparison on the test date is the one kept: a
                # header 20 at the start and 21 on test.date beside a context of 21 was held
                # open by oxi qualify --summary alone (review of hunt 14). A kept match stands
                # only where an analysis writes one: "true" beside a header of 45 and a context
                # of 15, a summary edited by hand, qualified a night for pediatric oxygen
                far, across = not p.age_matches_recording, False
            if (far or across) and not quoted and born is None and not capped_either:
                # no age of the header's is left that differs: "makes the patient 20, the
                # context 20" was printed (review of hunt 14)
                out.append(_other_age_when_analysed())
            elif far or across:
                # beside a capped context, or an outcome only de-identifying records, the output
                # is de-identified: the header's age is capped alike (its patient block says 90
                # or older; "makes the patient 95" beside a context of 89 was printed, hunt 13)
                deidentified = p.age_capped or p.age_matches_recording is not None
                # the age compared (on the test date), not the header's at the start: "makes
                # the patient 20, the context 20" was printed for a header 21 on it (hunt 14)
                stated = header_age
                shown = min(stated, AGE_CAP_YEARS) if deidentified else stated
                capped = fp.age_capped or shown < stated
                out.append(
                    Conflict(
                        ("patient.age_years", "recording.patient"),
                        {"patient.age_years": age, "recording.patient.age_years": shown},
                        f"The recording's header makes the patient {shown:g}"
                        f"{' or older' if capped else ''}, the context {age:g}"
                        f"{' or older' if p.age_capped else ''}: the night or the context "
                        "belongs to another person.",
                    )
                )
    elif p.age_matches_recording is False and p.age_at(f.test_date or f.recording_date) is not None:
        # a de-identified summary of a recording of no known date holds no header age: the
        # comparison the analysis made stands (criteria.context: _capped_ages; hunt 14)
        out.append(_other_age_when_analysed())
    a, b = _sex(None if fp is None else fp.sex), _sex(p.sex)
    if fp is not None and a is not None and b is not None and a != b:
        out.append(
            Conflict(
                ("patient.sex", "recording.patient"),
                {"patient.sex": p.sex, "recording.patient.sex": fp.sex},
                "The recording's header gives another sex than the context: the night or the "
                "context belongs to another person.",
            )
        )
    return out


def _file_patient_name(f: _Facts) -> list[Conflict]:
    """Find a recording header whose name names another person than the context's name.

    Compared leniently (:func:`criteria.names.same_person`): a conflict only when the two share
    no name word, and a placeholder ("X", "anonymous", initials) names nobody. Without the
    context's name (a summary's copy of it holds none) the comparison the analysis made is read
    back from ``patient.name_matches_recording``. A night whose header named "Doe_John" beside
    a context for "Jane Roe" (the same age and no sex in the header) qualified her. The names
    are not shown: they identify the patient.
    """
    header = None if f.file_patient is None else f.file_patient.name
    if f.ctx.patient.names_recording_patient(header) is not False:
        return []
    return [
        Conflict(
            ("patient.name", "recording.patient"),
            {"patient.name": "(not shown)", "recording.patient.name": "(not shown)"},
            "The recording's header gives another patient name than the context (no name in "
            "common): the night or the context belongs to another person.",
        )
    ]


def _other_tac_with_ichd3(f: _Facts) -> list[Conflict]:
    ch = f.ctx.cluster_headache
    if ch is None:
        return []
    ticked = [k for k, v in vars(ch).items() if v is True] + (
        ["attacks"] if (ch.attacks or 0) > 0 else []
    )
    if not ticked:
        return []
    out = []
    for code in f.ctx.diagnoses or ():
        row = categorise(code)
        if row is not None and row.category == "other_tac":
            out.append(
                Conflict(
                    ("diagnoses", "cluster_headache"),
                    {"diagnoses": code, "cluster_headache": ticked},
                    f"{code} codes {row.label}, a trigeminal autonomic cephalalgia other than "
                    "cluster headache, while the cluster-headache (ICHD-3) items are ticked: the "
                    "code or the items are wrong (MG-OXY II.A.1.d, II.B.5).",
                )
            )
    return out


#: Findings the rules also read from the diagnoses (either one makes the finding): the findings
#: key, the category of ``icd10_categories.csv`` whose codes document it (None: the pulmonary
#: hypertension / cor pulmonale codes of :data:`criteria.rules.common.PULMONARY_HYPERTENSION_CODES`)
#: and what it is. Dependent edema and hematocrit have no code the rules read (a.iii.A and C,
#: Group II a and c are the findings alone), so a code cannot contradict them.
CODED_FINDINGS = (
    ("pulmonary_hypertension", None, "pulmonary hypertension / cor pulmonale"),
    ("angina_pectoris", "angina_pectoris", "angina pectoris"),
    ("peripheral_vascular_disease", "peripheral_vascular_disease", "peripheral vascular disease"),
    ("breathlessness", "breathlessness", "dyspnea"),
)


def _finding_denies_its_code(f: _Facts) -> list[Conflict]:
    """Find a finding given as false beside a diagnosis code that documents it.

    The rules read a finding or its code, so the code silently won: ``pulmonary_hypertension:
    false`` beside I27.20 met II.A.2.a.iii.B and Group II's condition, and a night at 89 %
    qualified under both payers.
    """
    out: list[Conflict] = []
    for key, category, what in CODED_FINDINGS:
        if getattr(f.ctx.findings, key) is not False:
            continue
        if category is None:
            codes = pulmonary_hypertension_codes(f.ctx)
        else:
            codes = [
                c
                for c in f.ctx.diagnoses or ()
                if (row := categorise(c)) is not None and row.category == category
            ]
        if codes:
            out.append(
                Conflict(
                    (f"findings.{key}", "diagnoses"),
                    {f"findings.{key}": False, "diagnoses": codes},
                    f"findings.{key} is false, but {', '.join(codes)} codes {what}: the finding "
                    "or the code is wrong, and the rules read either one as the finding.",
                )
            )
    return out


def _room_air_with_flow(f: _Facts) -> list[Conflict]:
    t = f.ctx.test
    if t.room_air is not True or t.o2_flow_lpm is None or t.o2_flow_lpm <= 0:
        return []
    return [
        Conflict(
            ("test.room_air", "test.o2_flow_lpm"),
            {"test.room_air": True, "test.o2_flow_lpm": t.o2_flow_lpm},
            "The test is said to be on room air and on oxygen at the same time.",
        )
    ]


def _room_air_with_oxygen_marks(f: _Facts) -> list[Conflict]:
    """Find a test said to be on room air whose recording's annotations mark oxygen given.

    ``Oxygen 2 L/min`` over a night's first hour, beside ``test.room_air: true``: the hour at
    98 % was the presumed awake baseline and a night at 92 % on room air a drop of more than 5
    points that qualified (hunt 14). The analysis no longer takes a baseline from such a
    recording, but every figure may hold time on oxygen read as room air. A mark a walk on
    oxygen accounts for is no conflict (``Evidence.oxygen_marks_on_room_air``).
    """
    if f.ctx.test.room_air is not True or not f.oxygen_marks:
        return []
    first = f.oxygen_marks[0][0]
    return [
        Conflict(
            ("test.room_air", "recording.oxygen_marks_s"),
            {"test.room_air": True, "recording.oxygen_marks_s": [list(m) for m in f.oxygen_marks]},
            f"The recording's annotations mark supplemental oxygen given ({len(f.oxygen_marks)} "
            f"mark(s), the first {first:g} s from its start), but the test is said to be on "
            "room air.",
        )
    ]


def _walk_flow_not_marked(f: _Facts) -> list[Conflict]:
    """Find a walk on oxygen given at a flow other than the flows its recording marks at it.

    Analysed without a flow, the recording's ``O2 4 L/min`` at the walk on oxygen was not held
    against ``test.exercise_o2_flow_lpm: 2`` given to ``oxi qualify --summary``: the
    improvement shown at 4 L/min QUALIFIED exercise oxygen ordered at 2 under both payers
    (review of hunt 15). ``oxi analyze`` with a flow refuses the recording.
    """
    out = []
    for key, flow in (
        ("test.exercise_o2_flow_lpm", f.ctx.test.exercise_o2_flow_lpm),
        ("settings.o2_flow_lpm", f.walk_flow),
    ):
        other = [m for m in f.walk_marked_flows if flow is None or abs(m - flow) > 1e-9]
        if flow is None or not other:
            continue
        marked = ", ".join(f"{m:g}" for m in f.walk_marked_flows)
        out.append(
            Conflict(
                (key, "recording.exercise_o2_marked_flows_lpm"),
                {key: flow, "recording.exercise_o2_marked_flows_lpm": list(f.walk_marked_flows)},
                f"The recording's annotations mark oxygen at {marked} L/min at the walk on "
                f"oxygen, but its flow is given as {flow:g} L/min: the improvement may have been "
                "shown at another flow than the one held against the order.",
            )
        )
    return out


def _sleep_blood_gas_in_an_awake_test(f: _Facts) -> list[Conflict]:
    """Find a blood gas taken during sleep beside a test said to be at rest or in exercise.

    A PaO2 during sleep is an overnight test's; ``test.type`` (and with it who performed the
    test, where and on which day) describes an awake one. Medicare's performer check read the
    type: a sleep PaO2 of 50 "performed" by the treating practitioner outpatient was not
    evaluable beside ``overnight`` (a practitioner's office runs no overnight study) and
    qualified N1 beside ``rest`` or ``exercise``.
    """
    t, gas = f.ctx.test, f.ctx.blood_gas.pao2_sleep_mmhg
    if gas is None or t.type not in ("rest", "exercise"):
        return []
    return [
        Conflict(
            ("test.type", "blood_gas.pao2_sleep_mmhg"),
            {"test.type": t.type, "blood_gas.pao2_sleep_mmhg": gas},
            f"A blood gas during sleep is an overnight test, but test.type says the test was "
            f"{'at rest' if t.type == 'rest' else 'in exercise'}, awake: the type or the value "
            "is wrong, and who performed the test and where depend on which.",
        )
    ]


#: The blood gases of an exercise test: the walk on room air and the walk on oxygen.
EXERCISE_GAS_KEYS = ("pao2_exercise_mmhg", "pao2_exercise_o2_mmhg")


def _exercise_blood_gas_outside_an_exercise_test(f: _Facts) -> list[Conflict]:
    """Find a blood gas taken in exercise beside a test said to be overnight or at rest.

    The counterpart of :func:`_sleep_blood_gas_in_an_awake_test`: a PaO2 during exercise (on
    room air or on oxygen) is an exercise test's, while ``test.type`` (and with it who
    performed the test and where) describes a night or a test at rest. A same-day rest or
    awake PaO2 beside a night is no conflict: an overnight study has its awake baseline. With
    ``type: overnight`` and an exercise PaO2 of 50 mmHg (65 on oxygen) a context without a
    recording qualified exercise coverage with portable equipment, while the mirror case (a
    sleep PaO2 beside ``type: rest``) was this conflict.
    """
    t, bg = f.ctx.test, f.ctx.blood_gas
    gas = {f"blood_gas.{k}": v for k in EXERCISE_GAS_KEYS if (v := getattr(bg, k)) is not None}
    if not gas or t.type not in ("overnight", "rest"):
        return []
    said = "overnight, during sleep" if t.type == "overnight" else "at rest"
    return [
        Conflict(
            ("test.type", *gas),
            {"test.type": t.type, **gas},
            f"A blood gas during exercise is an exercise test, but test.type says the test was "
            f"{said}: the type or the value is wrong, and who performed the test and where "
            "depend on which.",
        )
    ]


def _therapy_start_twice(f: _Facts) -> list[Conflict]:
    o = f.ctx.order
    new, legacy = o.therapy_start_date, o.initial_certification_date
    if new is None or legacy is None or new == legacy:
        return []
    return [
        Conflict(
            ("order.therapy_start_date", "order.initial_certification_date"),
            {"order.therapy_start_date": new, "order.initial_certification_date": legacy},
            "Two dates for when oxygen therapy began (the legacy key names the same date): the "
            "retest day (days 61–90) depends on which is right.",
        )
    ]


_CHECKS: tuple[Callable[[_Facts], list[Conflict]], ...] = (
    _acute_with_stable,
    _outpatient_discharged_later,
    _recording_date,
    _recording_after_the_run,
    _ages,
    _dated_before_birth,
    _file_patient,
    _file_patient_name,
    _other_tac_with_ichd3,
    _finding_denies_its_code,
    _room_air_with_flow,
    _room_air_with_oxygen_marks,
    _walk_flow_not_marked,
    _sleep_blood_gas_in_an_awake_test,
    _exercise_blood_gas_outside_an_exercise_test,
    _therapy_start_twice,
)


def find_conflicts(
    ctx: Context,
    recording_date: _dt.date | None,
    test_date: _dt.date | None,
    file_patient: FilePatient | None = None,
    recorded_on: _dt.date | None = None,
    possible_days: tuple[_dt.date, ...] = (),
    oxygen_marks: tuple[tuple[float, float], ...] = (),
    walk_flow: float | None = None,
    walk_marked_flows: tuple[float, ...] = (),
) -> list[Conflict]:
    """Return every contradiction among the context and the recording.

    Parameters
    ----------
    ctx : Context
        The validated context.
    recording_date : datetime.date or None
        The recording's own start date, when the file knows it.
    test_date : datetime.date or None
        The test date the rules use.
    file_patient : FilePatient, optional
        The patient as the recording's header gives them.
    recorded_on : datetime.date, optional
        The date of the recording's first sample (``recording_date`` is the test's day).
    possible_days : tuple of datetime.date, optional
        The days the test may be of when the recording's date is unknown but one of a few
        (``Evidence.possible_test_days``).
    oxygen_marks : tuple of (float, float), optional
        The recording's annotations marking supplemental oxygen that a test on room air
        cannot hold (``Evidence.oxygen_marks_on_room_air``).
    walk_flow : float, optional
        The walk on oxygen's flow the analysis recorded (``--o2-flow``;
        ``Evidence.exercise_o2_flow_lpm``).
    walk_marked_flows : tuple of float, optional
        The flows the recording's marks of oxygen name at the walk on oxygen
        (``Evidence.exercise_o2_marked_flows_lpm``); empty without a walk on oxygen.

    Returns
    -------
    list of Conflict
        Empty when the inputs agree.
    """
    facts = _Facts(
        ctx,
        recording_date,
        test_date,
        file_patient,
        recorded_on,
        possible_days,
        oxygen_marks,
        walk_flow,
        walk_marked_flows,
    )
    return [c for check in _CHECKS for c in check(facts)]
