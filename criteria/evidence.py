"""Evidence: the figures the rules read, from an analysis or from a written ``summary.json``.

Rules never see signals (SPEC §8.1). An :class:`Evidence` holds, per window, only the SPEC §7
figures a guideline clause refers to. ``criteria`` depends on nothing in ``oximetry``: the
analysis side builds an Evidence with :meth:`Evidence.from_metrics` from its metrics block
(``oxi.qualify``), and an earlier ``summary.json`` is read with :meth:`Evidence.from_summary`
(``oxi qualify --summary``, ``oxi verify``); both routes read the same block, so they give the
same determination.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, TypeGuard, TypeVar, cast

from .context_file import shorten
from .errors import EvidenceError

__all__ = ["Evidence", "FilePatient", "RecordedDays", "SegmentFigures", "SleepFigures"]

#: The start readers give a file without date or time of day (``oximetry.io.PLACEHOLDER_DATE``
#: at midnight, with ``date_known`` and ``clock_known`` False): its times are elapsed time only.
#: A summary written before ``input.clock_known`` existed says it by this start alone, which a
#: file of times of day starting at 00:00:00 shares (its night was refused as clockless).
_PLACEHOLDER_START = _dt.datetime(1900, 1, 1)


@dataclass(frozen=True)
class SleepFigures:
    """Figures of the ``sleep`` (staged) or ``presumed_sleep`` window (SPEC §7 names)."""

    kind: str
    valid_min: float
    t_le88_min: float
    t_lt90_min: float
    t_le90_min: float
    longest_le88_min: float
    nadir_pct: float | None = None
    awake_baseline_pct: float | None = None
    awake_baseline_source: str | None = None
    drop5_min: float | None = None
    longest_drop5_min: float | None = None
    mean_pct: float | None = None
    drop5_from_mean_min: float | None = None
    longest_drop5_from_mean_min: float | None = None
    duration_min: float | None = None  # the window's span, valid or not (SPEC §7)
    #: How the window was found (``annotations``, ``hypnogram``, ``lights_off_on``,
    #: ``first_to_last_valid``) and where it lies, in seconds from the recording's start; from
    #: ``summary.json``'s ``windows`` (None when not known).
    source: str | None = None
    start_s: float | None = None
    end_s: float | None = None
    #: Where a presumed-sleep window bounded by lights off/on (``lights_off_on``,
    #: ``annotations``) starts and ends: ``option``, ``annotations``, ``earlier_mark`` (the
    #: earlier of two lights off, the later opening no valid data), or ``first_valid`` /
    #: ``last_valid`` where neither an option nor a mark gives that end (``summary.json``'s
    #: ``windows[].ends``). None when not known, or for any other window.
    ends: tuple[str, str] | None = None

    @property
    def presumed(self) -> bool:
        """True when the window is presumed sleep (no staging)."""
        return self.kind != "sleep"


@dataclass(frozen=True)
class SegmentFigures:
    """Figures of an exercise-test segment (``rest``, ``exercise``, ``exercise_o2``; SPEC §6)."""

    kind: str
    valid_min: float
    median_pct: float | None = None
    nadir_pct: float | None = None
    sustained_nadir_pct: float | None = None
    duration_min: float | None = None  # the segment's span, valid or not (SPEC §7)
    #: How the segment was given and where it lies (seconds from the recording's start), from
    #: ``summary.json``'s ``windows`` (None when not known).
    source: str | None = None
    start_s: float | None = None
    end_s: float | None = None
    #: Minutes of the segment the recording's staging scores as sleep (None: not staged).
    asleep_min: float | None = None
    #: Minutes of it the staging scores neither as sleep nor as wake (None: not staged).
    unscored_min: float | None = None
    #: The sustained nadir with each 10 s run's valid samples only: its lower bound where
    #: artifact breaks the runs (``sustained_nadir_pct`` is the upper one). None when not known:
    #: the rules then take the nadir, a lower bound too.
    sustained_nadir_low_pct: float | None = None
    #: Seconds from the segment's first sample to the end of the first 10 s run at the sustained
    #: nadir (when the room-air walk had shown its low), and to the end of its last valid sample
    #: (how far the walk on oxygen's data reach). None when not known.
    sustained_nadir_elapsed_s: float | None = None
    valid_elapsed_s: float | None = None
    #: Seconds from the segment's first sample to the end of its valid data before the first
    #: stretch of 10 s or more without any (how far they reach unbroken: a walk on oxygen whose
    #: probe was off from 3 min to its last second reached 6 min). None when not known.
    covered_elapsed_s: float | None = None
    #: Of a ``rest`` segment: where the first walk the recording marks that it holds or follows
    #: starts, seconds from the recording's start (a mark without a duration, or a walk's
    #: annotation ``--segment`` replaced). None when none, or not known.
    walk_mark_s: float | None = None
    #: Minutes of the segment after the recording's lights off and before its lights on (the
    #: patient in bed), None when the recording marks no lights or not known.
    lights_out_min: float | None = None


@dataclass(frozen=True)
class FilePatient:
    """Who the recording's own header says the patient is (never the code).

    Parameters
    ----------
    birth_date : datetime.date or None
        As the file gives it (absent from a de-identified summary).
    age_years : float or None
        The age at the recording's start; a de-identified summary caps it (``age_capped``).
    sex : str or None
        As the file gives it (``F``, ``M``, ``X`` ...).
    age_capped : bool
        The age is a cap (90): the patient is at least that old.
    name : str or None
        As the file gives it (absent from a de-identified summary): compared with the context's
        ``patient.name`` (:func:`criteria.names.same_person`), never shown.
    """

    birth_date: _dt.date | None = None
    age_years: float | None = None
    sex: str | None = None
    age_capped: bool = False
    name: str | None = field(default=None, repr=False)

    @classmethod
    def from_block(cls, block: Any, source: str | None = None) -> FilePatient | None:
        """Read ``summary.json``'s ``patient`` block (None when absent).

        Parameters
        ----------
        block : mapping or None
            ``birth_date`` (ISO), ``age_years``, ``sex``, ``age_capped``, ``name`` (written
            only when not de-identified); the code is not read.
        source : str, optional
            The summary file, for error messages.

        Returns
        -------
        FilePatient or None

        Raises
        ------
        criteria.errors.EvidenceError
            A field of the wrong type.
        """
        if block is None:
            return None
        if not isinstance(block, Mapping):
            raise EvidenceError("summary: 'patient' must be an object", source)
        birth, age, sex = block.get("birth_date"), block.get("age_years"), block.get("sex")
        try:
            born = None if birth is None else _dt.date.fromisoformat(str(birth))
        except ValueError:
            raise EvidenceError("summary: 'patient.birth_date' is not a date", source) from None
        if age is not None and not _number(age):
            raise EvidenceError("summary: 'patient.age_years' is not a number", source)
        if sex is not None and not isinstance(sex, str):
            raise EvidenceError("summary: 'patient.sex' is not text", source)
        name = block.get("name")
        if name is not None and not isinstance(name, str):
            raise EvidenceError("summary: 'patient.name' is not text", source)
        age_f = None if age is None else float(age)
        return cls(born, age_f, sex, block.get("age_capped") is True, name)


@dataclass(frozen=True)
class RecordedDays:
    """The calendar days a recorded test holds data on (:meth:`Evidence.recorded_days`).

    Parameters
    ----------
    first, last : datetime.date
        The day of its first and of its last judged data (the earliest and the latest the
        recording may have when its date or clock is not known).
    certain : bool
        True when the recording's own date and clock place the data; False when they were
        placed by ``test.date`` or by the dates the file may be of.
    always : tuple of datetime.date
        The days the data lie on however they are placed.
    """

    first: _dt.date
    last: _dt.date
    certain: bool
    #: The days the data lie on in every placement (empty when none): ``first`` to ``last``
    #: when ``certain``.
    always: tuple[_dt.date, ...] = ()

    def text(self) -> str:
        """Return the days as text (``2026-01-06``, or ``2026-01-05 to 2026-01-06``)."""
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


@dataclass(frozen=True)
class Evidence:
    """What one oximetry test showed, as the rules need it.

    Parameters
    ----------
    recording_start : datetime.datetime or None
        Local wall-clock start of the recording; its date is the test date when the context
        gives none. None when the file holds no date.
    start_clock : datetime.time or None
        Local time of day of the recording's first sample, also for a file with times of day
        but no date; None for a file with elapsed time only (see :attr:`clock`).
    sleep : SleepFigures or None
        The ``sleep`` window when staged, else ``presumed_sleep``.
    rest, exercise, exercise_o2 : SegmentFigures or None
        Exercise-test segments, when present.
    warnings : tuple of str
        The analysis warnings (presumed windows, ...), passed on to the determination.
    exercise_o2_flow_lpm : float or None
        The oxygen flow of the ``exercise_o2`` segment as the analysis recorded it (``--o2-flow``,
        else the order's flow); None when not known.
    constant_runs : tuple of (float, float, float)
        Long runs of one held SpO2 value (exactly one value, or one within digitiser noise)
        the analysis kept as valid data with a review flag (SPEC §4), as
        ``(start_s, end_s, value_pct)``.
    without_constant_runs : Evidence or None
        The same evidence with the figures of every window those runs touch recomputed as if
        their samples were invalid; a qualified outcome must stand on it too
        (:func:`criteria.evaluate`). None when no run touches a window.
    fall_plateaus : tuple of (float, float, float, float, float, float)
        Levels SPEC §4.3's fall rule accepted after its 30 s hold ran out (SpO2 fell faster
        than a desaturation can, and did not come back within 4 points): valid data a reviewer
        must judge, as ``(fall_s, start_s, end_s, from_pct, to_pct, value_pct)``
        (``summary.json``'s ``without_fall_plateaus.plateaus``).
    dropout_edges : tuple of (float, float, float, float, float)
        Valid data that stop low before a probe-off: the recorded data stopped (missing or out
        of range) and resumed more than 4 points above the last valid value, and the samples
        before the stop down from there are in doubt (a probe coming off, or a true low?), as
        ``(start_s, end_s, value_pct, resumed_s, resumed_pct)`` (``summary.json``'s
        ``without_fall_plateaus.dropout_edges``).
    without_fall_plateaus : Evidence or None
        The same evidence with the figures of every window those plateaus and dropout edges
        touch recomputed as if their samples, and the window's held constant runs, were
        invalid; a qualified outcome must stand on it too. None when no plateau nor edge
        touches a window.
    sleep_test_channels : tuple of str
        Labels of the recording's channels that only a polysomnogram or home sleep test
        records (EEG, EOG, EMG, airflow, effort, snore, PAP): its oximetry is then not
        stand-alone overnight oximetry, staged or not.
    file_patient : FilePatient or None
        The patient as the recording's header gives them: a birth date, age or sex other than
        the context's is a conflict (another person's night).
    recording_min : float or None
        The recording's length in minutes (``summary.json``'s ``recording.duration_min``); None
        when not known. Without a clock it tells a test's recording from a night's.
    possible_dates : tuple of datetime.date
        When the file holds no date it can be read by but narrows it to a few (``03/04/2026``:
        4 March or 3 April), the dates its first sample may be on (``input.possible_dates``);
        empty otherwise. A test date far from every one of them is another test's.
    test_type : str or None
        The context's ``test.type``, set by :func:`criteria.evaluate` (:meth:`for_test_type`):
        an overnight test is dated by its sleep window, never by a rest or exercise segment its
        recording also holds (which its rules do not judge). None: not known.
    oxygen_marks_s : tuple of (float, float)
        The recording's annotations marking supplemental oxygen given, as ``(start_s, end_s)``
        (``summary.json``'s ``recording.oxygen_marks_s``): the recording was partly on oxygen,
        for how long is unknown.
    exercise_o2_marked_flows_lpm : tuple of float
        The flows in L/min the recording's marks of oxygen name at the walk on oxygen, over it
        or since the part before it ended (``summary.json``'s
        ``recording.exercise_o2_marked_flows_lpm``): a flow of the walk given other than these
        is a conflict (``criteria.conflicts``).
    oxygen_marked_flows_lpm : tuple of float
        The flows in L/min any of the recording's marks of oxygen names (``summary.json``'s
        ``recording.oxygen_marked_flows_lpm``): a test on oxygen at a flow its recording marks
        lower is not shown at the flow given (Medicare's > 4 L/min tier).
    """

    recording_start: _dt.datetime | None = None
    start_clock: _dt.time | None = None
    sleep: SleepFigures | None = None
    rest: SegmentFigures | None = None
    exercise: SegmentFigures | None = None
    exercise_o2: SegmentFigures | None = None
    warnings: tuple[str, ...] = ()
    exercise_o2_flow_lpm: float | None = None
    constant_runs: tuple[tuple[float, float, float], ...] = ()
    without_constant_runs: Evidence | None = None
    fall_plateaus: tuple[tuple[float, float, float, float, float, float], ...] = ()
    dropout_edges: tuple[tuple[float, float, float, float, float], ...] = ()
    without_fall_plateaus: Evidence | None = None
    sleep_test_channels: tuple[str, ...] = ()
    file_patient: FilePatient | None = None
    recording_min: float | None = None
    possible_dates: tuple[_dt.date, ...] = ()
    test_type: str | None = None
    oxygen_marks_s: tuple[tuple[float, float], ...] = ()
    exercise_o2_marked_flows_lpm: tuple[float, ...] = ()
    oxygen_marked_flows_lpm: tuple[float, ...] = ()

    def oxygen_marks_on_room_air(self) -> tuple[tuple[float, float], ...]:
        """Return the marks of oxygen given that a test on room air cannot hold.

        A walk on oxygen (``exercise_o2``) accounts for a mark outside the test's parts on
        room air: ``O2 2 L/min`` at the walk on oxygen's start is the three-part test's own.
        Without one, every mark; with one, those over a placed ``rest`` or ``exercise``
        segment (a part on room air given oxygen) or, without a duration, before its end (the
        gas given and not said to be taken off: ``O2 2 L/min`` at 390 s, between the rest part
        and the walk on room air from 420 s, raised no conflict and that walk's 86 % QUALIFIED
        exercise oxygen as on room air under both payers, hunt 16), and, unless the test is at rest or in
        exercise, those over the night's sleep window outside what the analysis takes out of
        it for the test (:meth:`_test_spans`): a walk on oxygen at 04:40 in an overnight file
        let ``Oxygen 2 L/min`` from 22:00 to 23:00 beside ``room_air: true`` raise no conflict
        (hunt 14 review). A sleep window of unknown span is taken as the whole recording.

        Returns
        -------
        tuple of (float, float)
            The marks, as :attr:`oxygen_marks_s` holds them.
        """
        if self.exercise_o2 is None:
            return self.oxygen_marks_s
        parts = [
            (p.start_s, p.end_s)
            for p in (self.rest, self.exercise)
            if p is not None and p.start_s is not None and p.end_s is not None
        ]
        night: list[tuple[float, float]] = []
        if self.sleep is not None and self.test_type not in ("rest", "exercise"):
            lo = -math.inf if self.sleep.start_s is None else self.sleep.start_s
            hi = math.inf if self.sleep.end_s is None else self.sleep.end_s
            night = _minus_spans([(lo, hi)], self._test_spans())
        return tuple(
            (a, b)
            for a, b in self.oxygen_marks_s
            if any(s <= a < e or (a < e and b > s) for s, e in (*parts, *night))
            or any(a == b and a < e for _, e in parts)
        )

    def _test_spans(self) -> list[tuple[float, float]]:
        """Return what an analysis takes out of the sleep window for a test its file holds.

        Its placed parts merged across pauses of up to :data:`_TEST_PAUSE_S`, and each walk
        with the minutes after it (``oximetry.windows``: the test's spans and the recovery).
        """
        spans: list[tuple[float, float]] = []
        placed = sorted(
            (p.start_s, p.end_s)
            for p in (self.rest, self.exercise, self.exercise_o2)
            if p is not None and p.start_s is not None and p.end_s is not None
        )
        for a, b in placed:
            if spans and a - spans[-1][1] <= _TEST_PAUSE_S:
                spans[-1] = (spans[-1][0], max(spans[-1][1], b))
            else:
                spans.append((a, b))
        walks = [
            (p.start_s, p.end_s + _TEST_PAUSE_S)
            for p in (self.exercise, self.exercise_o2)
            if p is not None and p.start_s is not None and p.end_s is not None
        ]
        return [*spans, *walks]

    def for_test_type(self, test_type: str | None) -> Evidence:
        """Return this evidence as the figures of a test of ``test_type`` (``test.type``).

        Parameters
        ----------
        test_type : str or None
            ``overnight``, ``rest``, ``exercise`` or None (not known).

        Returns
        -------
        Evidence
            The same figures, the evidence without held runs or plateaus alike, dated as a test
            of that type is (:attr:`test_day`).
        """
        if test_type == self.test_type:
            return self
        runs, plateaus = self.without_constant_runs, self.without_fall_plateaus
        return replace(
            self,
            test_type=test_type,
            without_constant_runs=None if runs is None else runs.for_test_type(test_type),
            without_fall_plateaus=None if plateaus is None else plateaus.for_test_type(test_type),
        )

    @property
    def test_day(self) -> _dt.date | None:
        """The day of the test the figures judge; None when the file holds no date.

        A recording of two nights judged on the second (the first excluded), or a walk recorded
        days after the file began, is dated by what is judged, never by the file's first sample
        (the order, discharge and evaluation windows count from it): the day its first segment
        begins, or the day its sleep window begins, a sleep window that begins before 06:00
        belonging to the evening before (sleep from 00:30 on the 6th is the night of the 5th,
        as a sleep lab dates it; a day sleeper's from 09:30 is the 6th's). Without a placed
        window, the recording's start date.
        """
        if self.recording_start is None:
            return None
        return self._test_day_of(self.recording_start)

    @property
    def possible_test_days(self) -> tuple[_dt.date, ...]:
        """The days the test may be of when the file's date is one of :attr:`possible_dates`.

        Each is dated as :attr:`test_day` dates a known start (its first segment's day, or its
        sleep window's evening). Empty when the date is known or nothing narrows it.
        """
        if self.recording_start is not None or not self.possible_dates:
            return ()
        clock = self.start_clock or _dt.time()
        days = {self._test_day_of(_dt.datetime.combine(d, clock)) for d in self.possible_dates}
        return tuple(sorted(days))

    def _test_day_of(self, start: _dt.datetime) -> _dt.date:
        return (start + _dt.timedelta(seconds=self._day_offset_s())).date()

    def _day_offset_s(self) -> float:
        """Seconds from the first sample to the instant whose date is the test day."""
        if self._dated_by_sleep() and self.sleep is not None and self.sleep.start_s is not None:
            return self.sleep.start_s - 6 * 3600.0
        segments = (self.rest, self.exercise, self.exercise_o2)
        starts = [w.start_s for w in segments if w is not None and w.start_s is not None]
        if starts:
            return min(starts)
        return 0.0

    def _dated_by_sleep(self) -> bool:
        """Tell whether the test is its sleep window (a night), not a rest or exercise test.

        A night whose recording places no segment, or an overnight test (:attr:`test_type`)
        whatever segments it holds: a rest test at 06:35 after a night from 22:00 dated the
        night by the morning, and a night 91 days before its order qualified on "90 days".
        """
        if self.sleep is None:
            return False
        segments = (self.rest, self.exercise, self.exercise_o2)
        placed = any(w is not None and w.start_s is not None for w in segments)
        return not placed or (self.test_type == "overnight" and self.sleep.start_s is not None)

    def _judged_span_s(self) -> tuple[float, float] | None:
        """Return the judged windows' first and last instants, in seconds from the first sample.

        Windows whose place is not known may lie anywhere in the recording: then from its start
        to its end (``recording_min``), or at least as far as the longest window lasts. None
        when there is no window to judge.
        """
        segments = (self.rest, self.exercise, self.exercise_o2)
        kinds: tuple[SleepFigures | SegmentFigures | None, ...] = (self.sleep, *segments)
        if self.test_type in ("rest", "exercise") and any(w is not None for w in segments):
            # a rest or exercise test is its parts: the night its file also holds is not judged
            # (a night before a morning rest test put the test's days outside the order window)
            kinds = segments
        windows: list[SleepFigures | SegmentFigures] = [w for w in kinds if w is not None]
        if not windows:
            return None
        placed = [(w.start_s, w.end_s) for w in windows]
        if all(a is not None and b is not None for a, b in placed):
            return min(cast(float, a) for a, _ in placed), max(cast(float, b) for _, b in placed)
        ends = [b for _, b in placed if b is not None]
        ends += [max(w.valid_min, w.duration_min or 0.0) * 60.0 for w in windows]
        if self.recording_min is not None:
            ends.append(self.recording_min * 60.0)
        return 0.0, max(ends)

    def recorded_days(self, test_date: _dt.date | None = None) -> RecordedDays | None:
        """Return the first and last calendar days the judged windows hold data on.

        The windows the rules judge (sleep, rest, exercise, exercise on oxygen), on the
        recording's own clock: a night from 00:30 to 07:00 on 6 January holds data on the 6th
        only, though :attr:`test_day` dates it the 5th. A window that must hold the test (the
        discharge, the retest days) must hold these days: dated by its evening, such a night
        qualified an inpatient discharged on the 5th.

        Parameters
        ----------
        test_date : datetime.date, optional
            The date the context gives the test, as the docs define it: the day a day-time test
            was recorded on, the evening a night began. A file whose date reads several ways
            (:attr:`possible_dates`) is placed on the readings within a day of it (on every
            reading when none is). A file without a date (nor dates it may be of) is placed by
            it: with a clock, exactly, so that its :attr:`test_day` is that date (a night from
            22:00 runs into the next day by its length, one from 00:30 begins the day after);
            without one, a rest or exercise test lies on that date, and a night began between
            06:00 on it and 06:00 the day after (so it may lie on either, and on no day in every
            placement).

        Returns
        -------
        RecordedDays or None
            The earliest first day and the latest last day over every placement, the days every
            placement holds data on, and whether the recording's own date and clock fix them
            (``certain``). None without a window to judge, or without a date when neither the
            file nor ``test_date`` gives one.
        """
        span = self._judged_span_s()
        if span is None:
            return None
        first_s, last_s = span
        last_s = max(first_s, last_s - 1.0)  # a window ending at 00:00:00 holds none of the day
        day = _dt.timedelta(days=1)
        readings = list(self.possible_dates)
        if readings and test_date is not None:
            # test.date picks the reading (criteria.conflicts accepts one within a day of it):
            # placed on both readings of 11/04/2026, an inpatient rest test of 4 November with
            # test.date 2026-11-04 also lay on 11 April and was held open for good (hunt 9)
            readings = [d for d in readings if abs((d - test_date).days) <= 1] or readings
        if not readings and self.recording_start is None and test_date is not None:
            readings = [test_date]
            if self.start_clock is not None:
                # placed exactly from its clock: test.date is the day of its first segment, or
                # the evening its night began (test_day): a night from 22:00 ran two days before
                # discharge was held open by a placement "dated by its morning" (hunt 9)
                at = _dt.datetime.combine(test_date, self.start_clock)
                readings = [test_date + (test_date - self._test_day_of(at))]
        spans: list[tuple[_dt.date, _dt.date]] = []
        if self.recording_start is not None:
            starts = [self.recording_start]
        elif self.start_clock is not None:
            starts = [_dt.datetime.combine(d, self.start_clock) for d in readings]
        elif self._dated_by_sleep():
            # no clock, a night: dated by its evening (test_day), its sleep began between 06:00
            # on that date and 06:00 the next day; placed at both extremes, a night of less
            # than 18 h lies on no day in every placement (taken to lie on both, an elapsed-only
            # 3-h night was "the same day" as a sleep PaO2 of 50 dated the next day, which then
            # qualified it; review of hunt 9)
            off = _dt.timedelta(seconds=self._day_offset_s())
            earliest = [_dt.datetime.combine(d, _dt.time()) - off for d in readings]
            starts = [*earliest, *(at + day - _dt.timedelta(seconds=1) for at in earliest)]
        else:
            # no clock, a rest or exercise test: it lies on its date (the day a day-time test
            # was recorded on; the first sample anywhere in the day left an elapsed-only rest
            # test dated the discharge day running to 23:59:59, hunt 9), longer ones by length
            starts = []
            more = int((last_s - first_s) // 86400)
            spans = [(d, d + more * day) for d in readings]
        for s in starts:
            a, b = s + _dt.timedelta(seconds=first_s), s + _dt.timedelta(seconds=last_s)
            spans.append((a.date(), b.date()))
        if not spans:
            return None
        common = max(a for a, _ in spans)
        always = []
        while common <= min(b for _, b in spans):
            always.append(common)
            common += day
        return RecordedDays(
            first=min(a for a, _ in spans),
            last=max(b for _, b in spans),
            certain=self.recording_start is not None,
            always=tuple(always),
        )

    @property
    def clock(self) -> _dt.time | None:
        """The local time of day of the first sample; None when the file holds elapsed time only.

        It places a whole-recording presumed-sleep window in the night (or not).
        """
        if self.start_clock is None and self.recording_start is not None:
            return self.recording_start.time()
        return self.start_clock

    @classmethod
    def from_metrics(
        cls,
        metrics: Mapping[str, Any],
        recording_start: _dt.datetime | None = None,
        warnings: tuple[str, ...] = (),
        windows: Sequence[Mapping[str, Any]] = (),
        o2_flow_lpm: float | None = None,
        start_clock: _dt.time | None = None,
        without_constant_runs: Mapping[str, Any] | None = None,
        sleep_test_channels: Sequence[str] = (),
        file_patient: FilePatient | None = None,
        recording_min: float | None = None,
        possible_dates: Sequence[_dt.date] = (),
        without_fall_plateaus: Mapping[str, Any] | None = None,
        oxygen_marks_s: Sequence[tuple[float, float]] = (),
        exercise_o2_marked_flows_lpm: Sequence[float] = (),
        oxygen_marked_flows_lpm: Sequence[float] = (),
    ) -> Evidence:
        """Build the evidence from a metrics block (window kind → SPEC §7 figures).

        Parameters
        ----------
        metrics : mapping
            As in ``summary.json``'s ``metrics``.
        recording_start : datetime.datetime, optional
            The recording's start, only when its date is known (a file with times of day only
            must not lend its placeholder date to the test).
        warnings : tuple of str
            The analysis warnings, passed on to the determination.
        windows : sequence of mapping
            As in ``summary.json``'s ``windows`` (``kind``, ``source``, ``start_s``,
            ``end_s``): where each window lies and how it was found.
        o2_flow_lpm : float, optional
            The oxygen flow of the ``exercise_o2`` segment (the analysis settings').
        start_clock : datetime.time, optional
            The first sample's time of day, also when the file gives no date (None for a file
            with elapsed time only).
        without_constant_runs : mapping, optional
            As in ``summary.json``'s ``without_constant_runs`` (``runs``, and ``metrics``: the
            recomputed figures of each window a long constant run touches).
        sleep_test_channels : sequence of str, optional
            As in ``summary.json``'s ``input.sleep_test_channels``.
        file_patient : FilePatient, optional
            The patient as the recording's header gives them.
        recording_min : float, optional
            The recording's length in minutes.
        possible_dates : sequence of datetime.date, optional
            The dates the first sample may be on, when the file narrows an unknown date to a
            few (only with ``recording_start`` None).
        without_fall_plateaus : mapping, optional
            As in ``summary.json``'s ``without_fall_plateaus`` (``plateaus``, ``dropout_edges``
            when there are any, and ``metrics``: the recomputed figures of each window a level
            accepted after a fall or data that stop low before a probe-off touch).
        oxygen_marks_s : sequence of (float, float), optional
            The recording's annotations marking supplemental oxygen (``recording.oxygen_marks_s``).
        exercise_o2_marked_flows_lpm : sequence of float, optional
            The flows the recording's marks of oxygen name at the walk on oxygen
            (``recording.exercise_o2_marked_flows_lpm``).
        oxygen_marked_flows_lpm : sequence of float, optional
            The flows any of the recording's marks of oxygen names
            (``recording.oxygen_marked_flows_lpm``).

        Returns
        -------
        Evidence

        Raises
        ------
        criteria.errors.EvidenceError
            A needed figure is missing or not a number.
        """
        ev = cls._from_metrics(metrics, recording_start, warnings, "analysis", windows)
        ev = replace(
            ev,
            exercise_o2_flow_lpm=o2_flow_lpm,
            start_clock=start_clock,
            sleep_test_channels=tuple(str(c) for c in sleep_test_channels),
            file_patient=file_patient,
            recording_min=recording_min,
            possible_dates=() if recording_start is not None else tuple(possible_dates),
            oxygen_marks_s=tuple((float(a), float(b)) for a, b in oxygen_marks_s),
            exercise_o2_marked_flows_lpm=tuple(float(f) for f in exercise_o2_marked_flows_lpm),
            oxygen_marked_flows_lpm=tuple(float(f) for f in oxygen_marked_flows_lpm),
        )
        ev = ev._with_constant_runs(without_constant_runs, metrics, windows, "analysis")
        return ev._with_fall_plateaus(without_fall_plateaus, metrics, windows, "analysis")

    def _with_constant_runs(
        self,
        block: Any,
        metrics: Mapping[str, Any],
        windows: Sequence[Mapping[str, Any]],
        where: str,
    ) -> Evidence:
        """Return this evidence with the ``without_constant_runs`` block read (when given)."""
        if block is None:
            return self
        lists, other = self._without(
            block, metrics, windows, where, "without_constant_runs", {"runs": _RUN_KEYS}
        )
        return replace(
            self,
            constant_runs=tuple((a, b, v) for a, b, v in lists["runs"]),
            without_constant_runs=other,
        )

    def _with_fall_plateaus(
        self,
        block: Any,
        metrics: Mapping[str, Any],
        windows: Sequence[Mapping[str, Any]],
        where: str,
    ) -> Evidence:
        """Return this evidence with the ``without_fall_plateaus`` block read (when given).

        ``dropout_edges`` is optional (the analysis writes it only when an edge was taken out);
        ``plateaus`` may then be empty.
        """
        if block is None:
            return self
        lists, other = self._without(
            block,
            metrics,
            windows,
            where,
            "without_fall_plateaus",
            {"plateaus": _PLATEAU_KEYS, "dropout_edges": _EDGE_KEYS},
        )
        plateaus = tuple((f, a, b, r, t, v) for f, a, b, r, t, v in lists["plateaus"])
        edges = tuple((a, b, v, r, p) for a, b, v, r, p in lists["dropout_edges"])
        for a, b, v, r, p in edges:
            # as every analysis writes them: the samples before the stop, the data resuming
            # after it above them
            if not (a < b <= r and p > v):
                raise EvidenceError(
                    f"{where}: 'without_fall_plateaus': a dropout edge from {a:g} s to {b:g} s "
                    f"at {v:g} %, resumed at {r:g} s at {p:g} %, is none an analysis writes"
                )
        return replace(
            self, fall_plateaus=plateaus, dropout_edges=edges, without_fall_plateaus=other
        )

    def _without(
        self,
        block: Any,
        metrics: Mapping[str, Any],
        windows: Sequence[Mapping[str, Any]],
        where: str,
        name: str,
        listed: Mapping[str, tuple[str, ...]],
    ) -> tuple[dict[str, list[tuple[float, ...]]], Evidence]:
        """Read a block of valid data in doubt: its spans, and the evidence without them.

        The block ``name`` holds the spans (``listed``: lists of objects with the given fields,
        numbers; the first list is required, the others optional, and together they hold at
        least one span) and ``metrics``: recomputed figures of windows of ``metrics``.
        """
        key = f"{where}: '{name}'"
        if not isinstance(block, Mapping):
            raise EvidenceError(f"{key} must be an object")
        first = next(iter(listed))
        figures = block.get("metrics")
        got_lists = {k: block.get(k, [] if k != first else None) for k in listed}
        lists = all(isinstance(v, list) for v in got_lists.values())
        if not lists or not any(got_lists.values()) or not isinstance(figures, Mapping):
            also = "".join(f", '{k}' (a list, optional)" for k in listed if k != first)
            raise EvidenceError(
                f"{key} needs '{first}' (a list){also} and 'metrics' (an object), "
                "with something taken out listed"
            )
        spans: dict[str, list[tuple[float, ...]]] = {}
        for listed_as, keys in listed.items():
            one = listed_as.removesuffix("s").replace("_", " ")
            spans[listed_as] = []
            for r in got_lists[listed_as]:
                got = [r.get(k) for k in keys] if isinstance(r, Mapping) else [None]
                numbers = [float(g) for g in got if _number(g)]
                if len(numbers) != len(keys):
                    raise EvidenceError(f"{key}: each {one} needs {', '.join(keys)} (numbers)")
                spans[listed_as].append(tuple(numbers))
        merged = dict(metrics)
        for kind, figs in figures.items():
            if not isinstance(figs, Mapping) or not isinstance(metrics.get(kind), Mapping):
                raise EvidenceError(f"{key}: 'metrics.{kind}' is not a window of 'metrics'")
            merged[kind] = {**metrics[kind], **figs}
        figs = type(self)._from_metrics(merged, self.recording_start, self.warnings, where, windows)
        # The same evidence with only the recomputed figures: every other fact is this one's.
        other = replace(
            self, sleep=figs.sleep, rest=figs.rest, exercise=figs.exercise,
            exercise_o2=figs.exercise_o2,
        )  # fmt: skip
        return spans, other

    @classmethod
    def from_summary(cls, summary: Mapping[str, Any], source: str | None = None) -> Evidence:
        """Build the evidence from a parsed ``summary.json``.

        Parameters
        ----------
        summary : mapping
            Needs ``metrics`` (window kind → §7 figures); reads ``input.start`` (ISO text),
            ``input.date_known``, ``input.clock_known``, ``input.possible_dates``,
            ``input.sleep_test_channels``, ``without_constant_runs``,
            ``without_fall_plateaus``, ``recording.duration_min``, ``recording.oxygen_marks_s``,
            ``recording.exercise_o2_marked_flows_lpm`` and ``warnings`` when present. Without
            ``input.clock_known`` (a summary of an earlier oxi), a file without dates starting at
            the placeholder midnight is taken to hold elapsed time only, as that oxi took it.
        source : str, optional
            The summary file, put in front of error messages.

        Returns
        -------
        Evidence

        Raises
        ------
        criteria.errors.EvidenceError
            A needed key is missing or holds a value of the wrong type, also one the printed
            summary of ``oxi qualify`` reads (:func:`_check_shown`).
        """
        if not isinstance(summary, Mapping):
            raise EvidenceError("summary: expected a JSON object", source)
        metrics = summary.get("metrics")
        if not isinstance(metrics, Mapping):
            raise EvidenceError("summary: 'metrics' is missing or not an object", source)
        _check_shown(summary, source)
        start: _dt.datetime | None = None
        clock: _dt.time | None = None
        inp = summary.get("input")
        raw = inp.get("start") if isinstance(inp, Mapping) else None
        if raw is not None:
            try:
                start = _dt.datetime.fromisoformat(str(raw))
            except ValueError as exc:
                raise EvidenceError(
                    f"summary: 'input.start' is {raw!r}; expected an ISO date-time", source
                ) from exc
            clock = start.time()
        stamped = start  # as written, for the checks of the blocks against it
        known = inp.get("clock_known") if isinstance(inp, Mapping) else None
        if known is not None and not isinstance(known, bool):
            raise EvidenceError(
                f"summary: 'input.clock_known' is {shorten(repr(known))}; expected true or false",
                source,
            )
        if isinstance(inp, Mapping) and inp.get("date_known") is False:
            # A placeholder date (file without dates) is never a test date; the time of day is
            # the file's when it holds one (oximetry's Recording.clock_known).
            if known is False or (known is None and start == _PLACEHOLDER_START):
                clock = None
            start = None
        elif known is False:
            clock = None  # (a date without a clock: refused by _check_blocks below)
        file_patient = FilePatient.from_block(summary.get("patient"), source)
        possible = _possible_dates(inp, start, source)
        channels = inp.get("sleep_test_channels") if isinstance(inp, Mapping) else None
        if channels is None:
            channels = []
        if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
            raise EvidenceError(
                "summary: 'input.sleep_test_channels' must be a list of text", source
            )
        warnings = summary.get("warnings") or []
        if not isinstance(warnings, list):
            raise EvidenceError("summary: 'warnings' must be a list of text", source)
        windows = summary.get("windows") or []
        if not isinstance(windows, list) or not all(isinstance(w, Mapping) for w in windows):
            raise EvidenceError("summary: 'windows' must be a list of objects", source)
        try:
            ev = cls._from_metrics(
                metrics, start, tuple(str(w) for w in warnings), "summary", windows
            )
            settings = summary.get("settings")
            flow = settings.get("o2_flow_lpm") if isinstance(settings, Mapping) else None
            if flow is not None and not _number(flow):
                raise EvidenceError(f"summary: 'settings.o2_flow_lpm' is {flow!r}")
            block = summary.get("recording")
            length = block.get("duration_min") if isinstance(block, Mapping) else None
            if length is not None and not (_number(length) and length >= 0):
                raise EvidenceError(f"summary: 'recording.duration_min' is {length!r}")
            marks = block.get("oxygen_marks_s") if isinstance(block, Mapping) else None
            marks = [] if marks is None else marks
            if not isinstance(marks, list) or not all(
                isinstance(m, list) and len(m) == 2 and all(_number(x) for x in m) and m[0] <= m[1]
                for m in marks
            ):
                raise EvidenceError(
                    "summary: 'recording.oxygen_marks_s' must be a list of [start_s, end_s]"
                )
            flows, all_flows = (
                _marked_flows(block, key)
                for key in ("exercise_o2_marked_flows_lpm", "oxygen_marked_flows_lpm")
            )
            ev = replace(
                ev,
                oxygen_marks_s=tuple((float(a), float(b)) for a, b in marks),
                exercise_o2_marked_flows_lpm=flows,
                oxygen_marked_flows_lpm=all_flows,
                recording_min=None if length is None else float(length),
                exercise_o2_flow_lpm=None if flow is None else float(flow),
                start_clock=clock,
                sleep_test_channels=tuple(channels),
                file_patient=file_patient,
                possible_dates=possible,
            )
            ev = ev._with_constant_runs(
                summary.get("without_constant_runs"), metrics, windows, "summary"
            )
            ev = ev._with_fall_plateaus(
                summary.get("without_fall_plateaus"), metrics, windows, "summary"
            )
            blocks = (
                ("metrics", ev),
                ("without_constant_runs.metrics", ev.without_constant_runs),
                ("without_fall_plateaus.metrics", ev.without_fall_plateaus),
            )
            for block, e in blocks:
                for figs in () if e is None else (e.sleep, e.rest, e.exercise, e.exercise_o2):
                    if figs is not None:
                        _check_consistent(figs, block)
            _check_blocks(summary, metrics, windows, stamped)
        except EvidenceError as exc:
            raise EvidenceError(exc.reason, source) from None
        return ev

    @classmethod
    def _from_metrics(
        cls,
        metrics: Mapping[str, Any],
        start: _dt.datetime | None,
        warnings: tuple[str, ...],
        where: str,
        windows: Sequence[Mapping[str, Any]] = (),
    ) -> Evidence:
        sleep = None
        for kind in ("sleep", "presumed_sleep"):
            if isinstance(metrics.get(kind), Mapping):
                figs = cast(SleepFigures, _figures(SleepFigures, kind, metrics[kind], where))
                sleep = _placed(figs, windows, where)
                break
        segs = {
            kind: _placed(
                cast(SegmentFigures, _figures(SegmentFigures, kind, metrics[kind], where)),
                windows,
                where,
            )
            for kind in ("rest", "exercise", "exercise_o2")
            if isinstance(metrics.get(kind), Mapping)
        }
        return cls(
            recording_start=start,
            sleep=sleep,
            rest=segs.get("rest"),
            exercise=segs.get("exercise"),
            exercise_o2=segs.get("exercise_o2"),
            warnings=warnings,
        )


_RUN_KEYS = ("start_s", "end_s", "value_pct")
_PLATEAU_KEYS = ("fall_s", "start_s", "end_s", "from_pct", "to_pct", "value_pct")
_EDGE_KEYS = ("start_s", "end_s", "value_pct", "resumed_s", "resumed_pct")
_REQUIRED = {"valid_min", "t_le88_min", "t_lt90_min", "t_le90_min", "longest_le88_min"}
#: Fields of :class:`SleepFigures` taken from the ``windows`` list, not the metrics block.
_PLACE = ("source", "start_s", "end_s")


_F = TypeVar("_F", SleepFigures, SegmentFigures)


def _placed(figs: _F, windows: Sequence[Mapping[str, Any]], where: str) -> _F:
    """Add a window's source and span from the ``windows`` list (when it holds it).

    A summary must place every window it gives figures for (oxi writes a ``windows`` entry for
    each, with its span unless the window is empty): the rules read a window's place (a
    presumed night in the day, a rest part after the walk, parts hours apart), and a summary
    with the entry or its span removed would skip those checks.
    """
    win = next((w for w in windows if w.get("kind") == figs.kind), None)
    if win is None and where == "summary":
        raise EvidenceError(
            f"summary: 'windows' holds no '{figs.kind}' window for its figures (oxi writes one "
            "for every window)"
        )
    if win is None:
        return figs
    if (
        where == "summary"
        and figs.valid_min > 0
        and (win.get("source") is None or win.get("start_s") is None or win.get("end_s") is None)
    ):
        raise EvidenceError(
            f"summary: 'windows.{figs.kind}' has valid data but no source, start_s or end_s"
        )
    got: dict[str, Any] = {}
    for key in _PLACE:
        v = win.get(key)
        ok = isinstance(v, str) if key == "source" else _number(v)
        if v is not None and not ok:
            raise EvidenceError(f"{where}: 'windows.{figs.kind}.{key}' is {shorten(v)}")
        got[key] = None if v is None else (v if key == "source" else float(v))
    if isinstance(figs, SleepFigures):
        got["ends"] = _ends(win, figs.kind, got["source"], where)
    return replace(figs, **got)


#: What may start and end a presumed-sleep window bounded by lights off/on (``Window.ends``).
_STARTS = ("option", "annotations", "first_valid", "earlier_mark")
_STOPS = ("option", "annotations", "last_valid", "recording_end")
#: The ends a lights option gives: its own time, or the recording's end for a lights on after it.
_BY_OPTION = ("option", "recording_end")
#: The ends the recording's own marks give (``earlier_mark``: the earlier of two lights off
#: with no lights on between, the later opening no valid data; ``oximetry.windows``).
_MARKS = ("annotations", "earlier_mark")


def _ends(
    win: Mapping[str, Any], kind: str, source: str | None, where: str
) -> tuple[str, str] | None:
    """Read a presumed-sleep window's ``ends`` strictly.

    oxi writes them for a window bounded by lights off/on, and the rules check an end that is
    the first or last valid sample against the night hours: without them a window from the
    first valid sample at 17:00 to ``--lights-on 06:00`` passed as bounded by lights-off/on,
    and a dip at 17:30 qualified. A summary that drops or rewrites them would skip the check.
    """
    v = win.get("ends")
    bounded = kind == "presumed_sleep" and source in ("lights_off_on", "annotations")
    if v is None and not (bounded and where == "summary"):
        return None
    if not bounded:
        raise EvidenceError(
            f"{where}: 'windows.{kind}.ends' is given, but only a presumed-sleep window bounded "
            "by lights off/on has ends"
        )
    if (
        not isinstance(v, list | tuple)
        or len(v) != 2
        or v[0] not in _STARTS
        or v[1] not in _STOPS
        or (source == "lights_off_on") != any(e in _BY_OPTION for e in v)
        or (source == "annotations")
        != (any(e in _MARKS for e in v) and not any(e in _BY_OPTION for e in v))
    ):
        raise EvidenceError(
            f"{where}: 'windows.{kind}.ends' is {shorten(v)}; a window of source {source} needs "
            f"[start, end] with start one of {list(_STARTS)} and end one of {list(_STOPS)}, "
            + (
                "one of them 'option' (or 'recording_end')"
                if source == "lights_off_on"
                else "one 'annotations', no 'option'"
            )
        )
    return (str(v[0]), str(v[1]))


def _possible_dates(
    inp: Any, start: _dt.datetime | None, source: str | None
) -> tuple[_dt.date, ...]:
    """Read ``input.possible_dates`` (ISO dates; only beside ``input.date_known`` false)."""
    raw = inp.get("possible_dates") if isinstance(inp, Mapping) else None
    if raw is None:
        return ()
    if (
        not isinstance(raw, list)
        or not 1 <= len(raw) <= 2
        or not all(isinstance(d, str) for d in raw)
    ):
        # oxi writes one or two dates, or leaves the key out: an empty list is an edit (it
        # turned a test.date conflict into "qualified" under oxi qualify --summary)
        raise EvidenceError(
            "summary: 'input.possible_dates' must be a list of one or two ISO dates", source
        )
    if raw and start is not None:
        # a known date beside other possible ones: one of the two was edited in
        raise EvidenceError(
            "summary: 'input.possible_dates' is given but 'input.date_known' is not false", source
        )
    try:
        return tuple(_dt.date.fromisoformat(d) for d in raw)
    except ValueError:
        raise EvidenceError(
            f"summary: 'input.possible_dates' holds {shorten(repr(raw))}; expected ISO dates",
            source,
        ) from None


#: The longest recording oxi reads, in minutes: ``oximetry.limits.MAX_DURATION_S`` (a week; a
#: joined night is at most a day). ``criteria`` imports nothing from ``oximetry``; a test keeps
#: the two equal.
_MAX_RECORDING_MIN = 7 * 24 * 60.0

#: What the figures ``oxi qualify --summary`` prints must be (:func:`_check_shown`).
_EXPECTED = {
    "object": "an object",
    "text": "text",
    "number": "a number",
    "rate": "a positive number",
    "minutes": "a number of minutes",
    "time": "an ISO date-time without a UTC offset (local wall-clock time)",
}
#: The keys of each block of ``summary.json`` the printed summary and the report of ``oxi
#: qualify --summary`` read (``oximetry.report.terminal.format_terminal_summary``, besides those
#: the rules read), with what each must be when given (None is always allowed).
_SHOWN = {
    "input": {"fs_hz": "rate", "start": "time"},
    "recording": {"duration_min": "minutes", "valid_min": "minutes", "artifact_pct": "number"},
    "vendor_summary": {
        "source": "text",
        "spo2_mean_pct": "number",
        "spo2_min_pct": "number",
        "drops_3pct": "number",
        "drops_4pct": "number",
        "time_below_90_min": "number",
        "o2_score": "number",
    },
}
#: The same for every window's block of figures (``metrics.<kind>``).
_SHOWN_WINDOW = {
    "valid_min": "minutes",
    "duration_min": "minutes",
    "t_le88_min": "minutes",
    "longest_le88_min": "minutes",
    "drop5_min": "minutes",
    "t_le88_pct": "number",
    "nadir_pct": "number",
    "mean_pct": "number",
    "sustained_nadir_pct": "number",
    "awake_baseline_pct": "number",
    "odi3_per_h": "number",
    "odi4_per_h": "number",
    "awake_baseline_source": "text",
    "longest_le88_start": "time",
    "nadir_time": "time",
}


def _check_shown(summary: Mapping[str, Any], source: str | None = None) -> None:
    """Refuse a summary whose printed figures have a type no analysis writes (SPEC §9).

    ``oxi qualify --summary`` prints the summary's figures as ``oxi analyze`` prints them, and
    its report names the recording; they read more of the summary than the rules do. Edited by
    hand, ``recording.valid_min: "x"``, ``"input": "x"``, a metrics block that is a number, a
    minute count of 1e308 (cut to tenths, it overflowed) or a window start with a UTC offset
    (the recording's start has none: aware minus naive) stopped it with an internal error
    (exit 4) after qualification.json and report.pdf were written (hunt 11). Each block is an
    object, each figure read a finite number (minutes from 0 to a week, the longest recording
    oxi reads), text or a local ISO date-time, as oxi writes them; else bad input naming the key.

    Parameters
    ----------
    summary : mapping
        The parsed ``summary.json`` (its ``metrics`` an object).
    source : str, optional
        The summary file, named in the message.

    Raises
    ------
    criteria.errors.EvidenceError
        Naming the key, the value and what it must be.
    """

    def check(key: str, v: Any, kind: str) -> None:
        if v is None:
            return
        if kind == "object":
            ok = isinstance(v, Mapping)
        elif kind == "text":
            ok = isinstance(v, str)
        elif kind == "time":
            ok = isinstance(v, str) and _local_time(v)
        else:
            ok = _number(v) and (kind != "rate" or v > 0)
        if not ok:
            raise EvidenceError(
                f"summary: '{key}' is {shorten(v)}; expected {_EXPECTED[kind]}", source
            )
        if kind == "minutes" and not 0 <= v <= _MAX_RECORDING_MIN + _SLACK:
            # (as _check_consistent says it of the figures the rules read)
            why = "is negative" if v < 0 else f"exceeds {_MAX_RECORDING_MIN:g} min (a week)"
            raise EvidenceError(
                f"summary: '{key}' {v:g} {why}; no analysis writes that, so the summary was "
                "edited or damaged: re-run oxi analyze",
                source,
            )

    for block, keys in _SHOWN.items():
        value = summary.get(block)
        check(block, value, "object")
        if isinstance(value, Mapping):
            for key, kind in keys.items():
                check(f"{block}.{key}", value.get(key), kind)
    check("main_window", summary.get("main_window"), "text")
    metrics = summary.get("metrics")
    for kind_name, figs in metrics.items() if isinstance(metrics, Mapping) else ():
        check(f"metrics.{kind_name}", figs, "object")
        if isinstance(figs, Mapping):
            for key, kind in _SHOWN_WINDOW.items():
                check(f"metrics.{kind_name}.{key}", figs.get(key), kind)
    windows = summary.get("windows")
    for i, w in enumerate(windows if isinstance(windows, list) else ()):
        if isinstance(w, Mapping):  # (else refused as "a list of objects" by the caller)
            for key in ("start", "end"):
                check(f"windows[{i}].{key}", w.get(key), "time")


def _local_time(text: str) -> bool:
    """Return whether ``text`` is an ISO date-time without a UTC offset, as oxi writes them."""
    try:
        return _dt.datetime.fromisoformat(text).tzinfo is None
    except ValueError:
        return False


def _marked_flows(block: Any, key: str) -> tuple[float, ...]:
    """Return a summary's ``recording.<key>``: flows in L/min that marks of oxygen name."""
    flows = block.get(key) if isinstance(block, Mapping) else None
    flows = [] if flows is None else flows
    # no upper bound: a mark above a flowmeter's 15 L/min ('O2 20 L/min') still differs from
    # the flow given (review of hunt 15)
    if not isinstance(flows, list) or not all(_number(f) and f >= 0 for f in flows):
        raise EvidenceError(
            f"summary: 'recording.{key}' must be a list of flows in L/min (0 or more)"
        )
    return tuple(float(f) for f in flows)


def _number(v: Any) -> TypeGuard[int | float]:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return False
    try:
        return math.isfinite(float(v))
    except OverflowError:  # an integer of 400 digits is no figure (and crashed isfinite)
        return False


def _figures(cls: type, kind: str, block: Mapping[str, Any], where: str) -> object:
    values: dict[str, Any] = {"kind": kind}
    for f in fields(cls):
        if f.name == "kind" or f.name in _PLACE:
            continue
        v = block.get(f.name)
        if v is None:
            if f.name in _REQUIRED:
                raise EvidenceError(f"{where}: 'metrics.{kind}.{f.name}' is missing")
            values[f.name] = None
            continue
        if f.name == "awake_baseline_source":
            values[f.name] = str(v)
            continue
        if not _number(v):
            raise EvidenceError(
                f"{where}: 'metrics.{kind}.{f.name}' is {shorten(v)}; expected a number"
            )
        values[f.name] = float(v)
    return cls(**values)


#: Slack when comparing figures a summary wrote rounded (minutes to 1e-6, percents to 1e-4).
_SLACK = 1e-3


def _round_pct(x: float) -> int:
    return math.floor(x + 0.5)


def _check_blocks(
    summary: Mapping[str, Any],
    metrics: Mapping[str, Any],
    windows: Sequence[Mapping[str, Any]],
    start: _dt.datetime | None,
) -> None:
    """Refuse blocks of a summary that contradict one another (edited by hand, or damaged).

    Each relation holds in every summary the analysis writes: a percentage of the valid time
    is its minutes over the valid minutes; no window is longer than the recording; a window's
    clock times are the recording's start plus its seconds; a file without dates starts on the
    placeholder date, and one without a clock at its midnight and without a date; a
    presumed-sleep window placed by lights-off/on has them in the settings.
    One minute edited from 4.75 to 5.0 (its percentage left), a start moved 41 days (its windows
    left), or a window's source rewritten to ``lights_off_on`` qualified through ``oxi qualify
    --summary`` (``oxi verify`` caught each).
    """

    def bad(why: str) -> EvidenceError:
        return EvidenceError(
            f"summary: {why}; no analysis writes that, so the summary was edited or damaged: "
            "re-run oxi analyze"
        )

    inp = summary.get("input")
    if isinstance(inp, Mapping) and inp.get("date_known") is False:
        if start is not None and start.date() != _PLACEHOLDER_START.date():
            raise bad(f"'input.date_known' is false but 'input.start' is dated {start.date()}")
    if isinstance(inp, Mapping) and inp.get("clock_known") is False:
        # Every reader without a time of day has no date either and starts at the placeholder
        # midnight (a file's date without its time is no recording's start).
        if inp.get("date_known") is not False:
            raise bad("'input.clock_known' is false but 'input.date_known' is not")
        if start is not None and start != _PLACEHOLDER_START:
            raise bad(
                f"'input.clock_known' is false but 'input.start' is {start.isoformat()}, not "
                "the placeholder midnight"
            )
    block = summary.get("recording")
    length = block.get("duration_min") if isinstance(block, Mapping) else None
    for kind, figs in metrics.items():
        if not isinstance(figs, Mapping):
            continue
        _check_percentages(f"metrics.{kind}", figs, bad)
        if _number(length):
            for key in ("duration_min", "valid_min"):
                v = figs.get(key)
                if _number(v) and v > length + _SLACK:
                    raise bad(
                        f"'metrics.{kind}.{key}' {v:g} exceeds the recording's "
                        f"duration_min {length:g}"
                    )
    for name in ("without_constant_runs", "without_fall_plateaus"):
        without = summary.get(name)
        recomputed = without.get("metrics") if isinstance(without, Mapping) else None
        for kind, figs in recomputed.items() if isinstance(recomputed, Mapping) else ():
            base = metrics.get(kind)
            if isinstance(figs, Mapping) and isinstance(base, Mapping):
                # as the rules read them: the window's figures with the recomputed ones over them
                merged = {**base, **figs}
                _check_percentages(f"{name}.metrics.{kind}", merged, bad)
    settings = summary.get("settings")
    fs = inp.get("fs_hz") if isinstance(inp, Mapping) else None
    marks = block.get("test_marks_s") if isinstance(block, Mapping) else None
    marked = [
        (float(p[0]), float(p[1]))
        for p in (marks if isinstance(marks, list) else ())
        if isinstance(p, list | tuple) and len(p) == 2 and _number(p[0]) and _number(p[1])
    ]
    for w in windows:
        spans = w.get("spans_s")
        if w.get("kind") in ("sleep", "presumed_sleep") and isinstance(spans, list):
            # the file's segment marks are taken out of the sleep window with the test, and
            # oxi qualify --summary counts them as taken out at a lights on/off option: a
            # forged [[0, 32400]] over a window that kept them let a lights off end anywhere
            tol = 1.0 / fs + _SLACK if _number(fs) and fs > 0 else _SLACK
            for p in spans:
                if not (isinstance(p, list | tuple) and len(p) == 2):
                    continue
                if not (_number(p[0]) and _number(p[1])):
                    continue
                for m0, m1 in marked:
                    if min(m1, float(p[1])) - max(m0, float(p[0])) > tol:
                        raise bad(
                            f"the {w.get('kind')} window holds part of "
                            f"'recording.test_marks_s' [{m0:g}, {m1:g}], which the analysis "
                            "takes out of it"
                        )
        a, b = w.get("start_s"), w.get("end_s")
        if not (_number(a) and _number(b)):
            continue
        figs = metrics.get(str(w.get("kind")))
        span = figs.get("duration_min") if isinstance(figs, Mapping) else None
        # (a span that is no whole number of samples holds up to one sample more than it lasts)
        sample = 1.0 / fs / 60.0 if _number(fs) and fs > 0 else 0.0  # (no rate: no slack)
        if _number(span) and span > (b - a) / 60.0 + sample + _SLACK:
            raise bad(f"window {w.get('kind')!s} lasts {span:g} min within {(b - a) / 60:g} min")
        for key in ("sustained_nadir_elapsed_s", "valid_elapsed_s", "covered_elapsed_s"):
            # a walk on oxygen's data reaching further than the walk "covered" the room-air
            # walk's low: seconds into a segment lie within its span
            v = figs.get(key) if isinstance(figs, Mapping) else None
            if _number(v) and v > b - a + sample * 60 + _SLACK:
                raise bad(f"'metrics.{w.get('kind')!s}.{key}' {v:g} s exceeds the window's span")
        for key, offset in (("start", a), ("end", b)):
            text = w.get(key)
            if start is None or not isinstance(text, str):
                continue
            try:
                at = _dt.datetime.fromisoformat(text)
            except ValueError:
                raise bad(f"window {w.get('kind')!s} {key} {shorten(text)}") from None
            if abs((at - start).total_seconds() - offset) > 1.0:
                raise bad(
                    f"window {w.get('kind')!s} {key}s at {text}, not {offset:g} s after "
                    f"'input.start' {start.isoformat()}"
                )
        if w.get("kind") == "presumed_sleep" and isinstance(settings, Mapping):
            lights = settings.get("lights_off_s") is not None or (
                settings.get("lights_on_s") is not None
            )
            if w.get("source") == "lights_off_on" and not lights:
                raise bad("the presumed-sleep window is placed by lights-off/on the settings lack")
            if w.get("source") in ("first_to_last_valid", "annotations") and lights:
                raise bad("the presumed-sleep window ignores the settings' lights-off/on")
            ends = w.get("ends")
            if w.get("source") == "lights_off_on" and isinstance(ends, list) and len(ends) == 2:
                # an end taken from an option the settings lack (or one they have, put down as
                # a mark or the first valid sample) is an edit: read back, a window from the
                # first valid sample passed for one bounded by --lights-off
                for end, key in zip(ends, ("lights_off_s", "lights_on_s"), strict=True):
                    if (end in _BY_OPTION) != (settings.get(key) is not None):
                        raise bad(
                            f"the presumed-sleep window's ends {ends} contradict the settings' {key}"
                        )
                # an option's end is where the window ends, or inside it with only what was
                # taken out between (_at_option), and a lights on after the recording is past
                # it: a lights on at 16:30 on a night to 11:30 put down as "option" vouched for
                # the morning and qualified through qualify --summary (review)
                edge = {"lights_off_s": w.get("start_s"), "lights_on_s": w.get("end_s")}
                for end, key in zip(ends, ("lights_off_s", "lights_on_s"), strict=True):
                    given, edge_s = settings.get(key), edge[key]
                    if not (_number(given) and _number(edge_s)):
                        continue
                    if (
                        end == "option" and not _at_option(key, given, edge_s, summary, sample * 60)
                    ) or (end == "recording_end" and given <= edge_s):
                        raise bad(
                            f"the presumed-sleep window's {key[:-2].replace('_', ' ')} end, "
                            f"{end!r} at {edge_s:g} s, contradicts the settings' {key} {given:g}"
                        )


#: Seconds after a walk that an analysis takes out of the sleep window with it (the recovery,
#: and the longest pause between two parts of one test): ``oximetry.windows.TEST_PAUSE_S``.
_TEST_PAUSE_S = 600.0


def _minus_spans(
    spans: Sequence[tuple[float, float]], gone: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    """Return ``spans`` without ``gone`` (each a ``(start_s, end_s)``), as spans.

    Examples
    --------
    >>> _minus_spans([(0.0, 100.0)], [(10.0, 20.0), (90.0, 120.0)])
    [(0.0, 10.0), (20.0, 90.0)]
    """
    out = list(spans)
    for g0, g1 in gone:
        out = [
            piece
            for a, b in out
            for piece in ((a, min(b, g0)), (max(a, g1), b))
            if piece[0] < piece[1]
        ]
    return out


def _at_option(
    key: str, given: float, edge_s: float, summary: Mapping[str, Any], sample_s: float
) -> bool:
    """Return whether a presumed-sleep window's end put down as ``option`` can be the option's.

    The option places the end; the analysis may then take out what lies at it: the ``--awake``
    span, ``--exclude`` spans, and a test recorded in the night's file with the minutes after
    it. So the end is the option's (within a sample: a window cut anywhere is snapped to the
    samples), or inside the window the option bounds with only what was taken out between them
    (``--lights-on 06:00 --awake 05:40-06:00`` ends the window at 05:40, and was refused as
    edited). Never beyond the option, and never a lights on after the recording, which ends the
    window there (``recording_end``): put down as ``option``, a ``--lights-on 16:30`` on a night
    to 11:30 vouched for the morning and qualified.

    Parameters
    ----------
    key : str
        ``lights_off_s`` (the window's start) or ``lights_on_s`` (its end).
    given : float
        The option, in seconds from the first sample (``settings``).
    edge_s : float
        The window's start or end, in seconds from the first sample.
    summary : Mapping
        The whole ``summary.json`` (its ``settings``, ``windows`` and ``recording``).
    sample_s : float
        One sample period in seconds (0 when the rate is not known).

    Returns
    -------
    bool
        True when an analysis can have written that end for that option.

    Examples
    --------
    >>> summary = {"settings": {"awake_span_s": [27600.0, 28800.0], "exclude_s": []}}
    >>> _at_option("lights_on_s", 28800.0, 27600.0, summary, 1.0)
    True
    >>> _at_option("lights_on_s", 28800.0, 27000.0, summary, 1.0)  # 05:30-05:40 taken by nothing
    False
    """
    tol = sample_s + _SLACK
    block = summary.get("recording")
    length = block.get("duration_min") if isinstance(block, Mapping) else None
    if key == "lights_on_s" and _number(length) and given > length * 60.0 + _SLACK:
        return False  # after the recording: its end, "recording_end"
    inward = edge_s - given if key == "lights_off_s" else given - edge_s
    if inward < -tol:
        return False  # beyond the option
    if inward <= tol:
        return True
    lo, hi = sorted((given, edge_s))
    at = lo
    for a, b in sorted(_taken_out(summary)):
        if a > at + tol:
            break  # a part between the option and the window's end that nothing took out
        at = max(at, b)
    return at + tol >= hi


def _taken_out(summary: Mapping[str, Any]) -> list[tuple[float, float]]:
    """Return what an analysis may take out of a presumed-sleep window after lights off/on.

    The ``--awake`` span and the ``--exclude`` spans (``settings``), the spans the scorer marked
    as SpO2 artifact, excluded like them (``recording.spo2_artifact_spans_s``: an untouched
    summary whose ``--lights-on 02:00`` fell inside one was refused as edited), and each part
    of a test (``windows`` of kind rest, exercise, exercise_o2) with :data:`_TEST_PAUSE_S` after
    it: a superset of what the analysis takes (it takes the minutes after a rest part only when
    another part follows within them), and so are the file's segment marks that no segment is
    (``recording.test_marks_s``: replaced by ``--segment``, or without a duration).
    """
    settings = summary.get("settings")
    settings = settings if isinstance(settings, Mapping) else {}
    exclude = settings.get("exclude_s")
    block = summary.get("recording")
    scorer = block.get("spo2_artifact_spans_s") if isinstance(block, Mapping) else None
    pairs: list[Any] = [
        settings.get("awake_span_s"),
        *(exclude if isinstance(exclude, list) else []),
        *(scorer if isinstance(scorer, list) else []),
    ]
    out = [
        (float(p[0]), float(p[1]))
        for p in pairs
        if isinstance(p, list | tuple) and len(p) == 2 and _number(p[0]) and _number(p[1])
    ]
    marks = block.get("test_marks_s") if isinstance(block, Mapping) else None
    for p in marks if isinstance(marks, list) else ():
        if isinstance(p, list | tuple) and len(p) == 2 and _number(p[0]) and _number(p[1]):
            out.append((float(p[0]), float(p[1]) + _TEST_PAUSE_S))
    windows = summary.get("windows")
    for w in windows if isinstance(windows, list) else ():
        if not (isinstance(w, Mapping) and w.get("kind") in ("rest", "exercise", "exercise_o2")):
            continue
        spans = w.get("spans_s")
        for p in spans if isinstance(spans, list) else [[w.get("start_s"), w.get("end_s")]]:
            if isinstance(p, list | tuple) and len(p) == 2 and _number(p[0]) and _number(p[1]):
                out.append((float(p[0]), float(p[1]) + _TEST_PAUSE_S))
    return out


def _check_percentages(
    where: str, figs: Mapping[str, Any], bad: Callable[[str], EvidenceError]
) -> None:
    """Refuse a percentage of the valid time that is not its minutes over the valid minutes.

    Both are written rounded to 1e-6 (minutes) and 1e-4 at worst (percents): the percentage
    of a few seconds of valid data moves by ``2e-4 / valid_min`` points with its minutes'
    rounding, which the tolerance allows.
    """
    valid = figs.get("valid_min")
    if not (_number(valid) and valid > 0):
        return
    for key in ("t_le88", "t_lt90"):
        minutes, pct = figs.get(f"{key}_min"), figs.get(f"{key}_pct")
        if _number(minutes) and _number(pct):
            if abs(100.0 * minutes / valid - pct) > _SLACK + 2e-4 / valid:
                raise bad(
                    f"'{where}.{key}_pct' {pct:g} is not {key}_min {minutes:g} of valid_min "
                    f"{valid:g}"
                )


#: Fields of the figures that are not numbers.
_WORDS = ("kind", "source", "ends", "awake_baseline_source")


def check_figures(evidence: Evidence) -> None:
    """Refuse evidence built by hand with a figure no analysis can give.

    :func:`criteria.evaluate` asks it of every evidence: each figure a finite number (or None
    where it may be), no minutes negative, percentages within 0-100. NaN compares false: a
    sleep window's NaN nadir QUALIFIED Medicare N1, and ``Evidence.from_metrics`` with a nadir
    of 150 % or -5 %, or a baseline of 150 %, QUALIFIED MassHealth. No minutes or seconds
    beyond the longest recording oxi reads (a week), ``recording_min`` included, and the
    evidence's marks, runs and flows finite numbers: a ``recording_min`` of NaN or a window's
    ``end_s`` of 1e12 s ended in a ValueError or OverflowError traceback from the dates placed
    by them. The start naive local time, as :class:`oximetry.model.Recording` holds it. A
    summary's figures are checked further as it is read (:meth:`Evidence.from_summary`).

    Parameters
    ----------
    evidence : Evidence
        Its figures and those of its ``without_*`` evidence.

    Raises
    ------
    criteria.errors.EvidenceError
        Naming the window, the figure and its value.
    """
    blocks = (
        ("", evidence),
        ("without_constant_runs.", evidence.without_constant_runs),
        ("without_fall_plateaus.", evidence.without_fall_plateaus),
    )
    for block, e in blocks:
        for figs in () if e is None else (e.sleep, e.rest, e.exercise, e.exercise_o2):
            if figs is None:
                continue
            for f in fields(figs):
                v = getattr(figs, f.name)
                if f.name in _WORDS or (v is None and f.name not in _REQUIRED):
                    continue
                if not _number(v):
                    why = "not a finite number"
                elif f.name.endswith("_min") and v < 0:
                    why = "negative"
                elif f.name.endswith("_pct") and not 0 <= v <= 100:
                    why = "outside 0-100"
                elif f.name.endswith("_min") and v > _MAX_RECORDING_MIN + _SLACK:
                    why = f"more than {_MAX_RECORDING_MIN:g} min (a week)"
                elif f.name.endswith("_s") and abs(v) > 60.0 * _MAX_RECORDING_MIN + _SLACK:
                    why = f"more than {60.0 * _MAX_RECORDING_MIN:g} s (a week) from the start"
                else:
                    continue
                raise EvidenceError(
                    f"evidence: '{block}{figs.kind}.{f.name}' is {shorten(v)}, {why}; "
                    "no analysis gives that"
                )
    _check_recording_figures(evidence)


def _check_recording_figures(evidence: Evidence) -> None:
    """Refuse the figures of the recording as a whole (:func:`check_figures`)."""

    def bad(name: str, value: object, why: str) -> EvidenceError:
        return EvidenceError(
            f"evidence: '{name}' is {shorten(value)}, {why}; no analysis gives that"
        )

    length = evidence.recording_min
    if length is not None and not (_number(length) and 0 <= length <= _MAX_RECORDING_MIN + _SLACK):
        raise bad(
            "recording_min", length, f"not a number of minutes within 0-{_MAX_RECORDING_MIN:g}"
        )
    for name in ("recording_start", "start_clock"):
        when = getattr(evidence, name)
        if when is not None and when.tzinfo is not None:
            raise bad(name, when, "not naive local wall-clock time")
    flow = evidence.exercise_o2_flow_lpm
    if flow is not None and not (_number(flow) and flow >= 0):
        raise bad("exercise_o2_flow_lpm", flow, "not a flow in L/min")
    spans = {
        "oxygen_marks_s": evidence.oxygen_marks_s,
        "constant_runs": evidence.constant_runs,
        "fall_plateaus": evidence.fall_plateaus,
        "dropout_edges": evidence.dropout_edges,
    }
    for name, items in spans.items():
        for item in items:
            if not all(_number(v) for v in item):
                raise bad(name, item, "not finite numbers")
    for name in ("exercise_o2_marked_flows_lpm", "oxygen_marked_flows_lpm"):
        for flow in getattr(evidence, name):
            if not (_number(flow) and flow >= 0):
                raise bad(name, flow, "not a flow in L/min")


def _check_consistent(figs: SleepFigures | SegmentFigures, block: str = "metrics") -> None:
    """Refuse figures no analysis can produce (a summary edited by hand, or damaged).

    The analysis computes every figure from the same samples (SPEC §7), so some relations always
    hold: minutes are not negative and nest (≤ 88 % within < 90 % within ≤ 90 % within the valid
    time; a longest run within its total); saturations lie in 0–100; the nadir is at or below
    the sustained nadir, the median and the mean; and a count above the 88 / 89 / 90 % line
    exists exactly when the rounded nadir is at or below it. A summary that breaks one is bad
    input naming the key (in ``block``: ``metrics``, or a ``without_*`` block's, whose forged
    figures were named as the untouched ``metrics``), never a determination.
    """
    where = f"{block}.{figs.kind}"

    def bad(why: str) -> EvidenceError:
        return EvidenceError(
            f"summary: '{where}' figures are inconsistent ({why}); no analysis writes them, so "
            "the summary was edited or damaged: re-run oxi analyze"
        )

    for f in fields(figs):
        v = getattr(figs, f.name)
        if not isinstance(v, float):
            continue
        if f.name.endswith("_min") and v < 0:
            raise bad(f"{f.name} {v:g} is negative")
        if f.name.endswith("_pct") and not 0 <= v <= 100:
            raise bad(f"{f.name} {v:g} is outside 0-100")
    if figs.duration_min is not None and figs.valid_min > figs.duration_min + _SLACK:
        raise bad(f"valid_min {figs.valid_min:g} exceeds duration_min {figs.duration_min:g}")
    if isinstance(figs, SegmentFigures):
        nadir = figs.nadir_pct
        for name in ("sustained_nadir_low_pct", "sustained_nadir_pct", "median_pct"):
            v = getattr(figs, name)
            if nadir is not None and v is not None and nadir > v + _SLACK:
                raise bad(f"nadir_pct {nadir:g} is above {name} {v:g}")
        low, high = figs.sustained_nadir_low_pct, figs.sustained_nadir_pct
        if low is not None and high is not None and low > high + _SLACK:
            raise bad(f"sustained_nadir_low_pct {low:g} is above sustained_nadir_pct {high:g}")
        # the run at the sustained nadir lies within the valid data, and neither is negative
        # (the segment's span bounds both: _check_blocks)
        at, reach = figs.sustained_nadir_elapsed_s, figs.valid_elapsed_s
        covered = figs.covered_elapsed_s
        elapsed = (
            ("sustained_nadir_elapsed_s", at),
            ("valid_elapsed_s", reach),
            ("covered_elapsed_s", covered),
        )
        for name, v in elapsed:
            if v is not None and v < 0:
                raise bad(f"{name} {v:g} is negative")
        if at is not None and reach is not None and at > reach + _SLACK:
            raise bad(f"sustained_nadir_elapsed_s {at:g} exceeds valid_elapsed_s {reach:g}")
        # the unbroken data end where the data do or before: a walk on oxygen's gap over the
        # room-air walk's low is hidden by raising covered_elapsed_s past the data's end
        if covered is not None and reach is None:
            raise bad(f"covered_elapsed_s {covered:g} is given without valid_elapsed_s")
        if covered is not None and reach is not None and covered > reach + _SLACK:
            raise bad(f"covered_elapsed_s {covered:g} exceeds valid_elapsed_s {reach:g}")
        dark = figs.lights_out_min
        if dark is not None and figs.duration_min is not None and dark > figs.duration_min + _SLACK:
            raise bad(f"lights_out_min {dark:g} exceeds duration_min {figs.duration_min:g}")
        # a walk's start the rest part holds or follows: before its end, and of a rest part only
        mark = figs.walk_mark_s
        if mark is not None and figs.kind != "rest":
            article = "an" if figs.kind.startswith("e") else "a"  # exercise, exercise_o2
            raise bad(f"walk_mark_s {mark:g} is given for {article} {figs.kind!r} segment")
        if mark is not None and figs.end_s is not None and mark >= figs.end_s + _SLACK:
            raise bad(f"walk_mark_s {mark:g} is not before the segment's end {figs.end_s:g} s")
        return
    nested = [
        ("t_le88_min", figs.t_le88_min),
        ("t_lt90_min", figs.t_lt90_min),
        ("t_le90_min", figs.t_le90_min),
        ("valid_min", figs.valid_min),
    ]
    for (a, x), (b, y) in itertools.pairwise(nested):
        if x > y + _SLACK:
            raise bad(f"{a} {x:g} exceeds {b} {y:g}")
    for part, total in (
        ("longest_le88_min", "t_le88_min"),
        ("longest_drop5_min", "drop5_min"),
        ("longest_drop5_from_mean_min", "drop5_from_mean_min"),
        ("drop5_min", "valid_min"),
        ("drop5_from_mean_min", "valid_min"),
    ):
        x, y = getattr(figs, part), getattr(figs, total)
        if x is not None and y is not None and x > y + _SLACK:
            raise bad(f"{part} {x:g} exceeds {total} {y:g}")
    nadir = figs.nadir_pct
    if nadir is not None:
        if figs.mean_pct is not None and nadir > figs.mean_pct + _SLACK:
            raise bad(f"nadir_pct {nadir:g} is above mean_pct {figs.mean_pct:g}")
        # A sample counts at a line when it rounds to the line or below (x < line + 0.5); the
        # nadir is the lowest sample. The summary writes figures rounded (6 decimals), so only
        # a nadir clearly on the other side of line + 0.5 contradicts the minutes.
        for key, level in (("t_le88_min", 88), ("t_lt90_min", 89), ("t_le90_min", 90)):
            edge, minutes = level + 0.5, getattr(figs, key)
            if (minutes > 0 and nadir > edge + _SLACK) or (minutes == 0 and nadir < edge - _SLACK):
                raise bad(
                    f"{key} {minutes:g} with a nadir of {nadir:g} % (rounded {_round_pct(nadir)})"
                )
        base = figs.awake_baseline_pct
        if figs.drop5_min and base is not None:
            # b − r > 5 with b the rounded baseline: some sample below b − 5.5
            if nadir > _round_pct(base + _SLACK) - 5.5 + _SLACK:
                raise bad(
                    f"drop5_min {figs.drop5_min:g} while the nadir {nadir:g} % is not more "
                    f"than 5 points below the baseline {base:g} %"
                )
    elif figs.valid_min > 0 and (figs.t_le88_min > 0 or figs.t_le90_min > 0):
        raise bad("minutes at or below a threshold without a nadir")
