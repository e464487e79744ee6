"""Medicare: who tested, when, how — the conditions every Group I/II/III qualification shares.

NCD 240.2 (v2) and LCD L33797 (rev. effective 04/01/2023), facts as compiled in
``medicare-oxygen.md`` §2, §4.3, §4.4 and §5; the readings where the text is silent are that
file's §11 "safest" ones unless SPEC §8.4 decides otherwise (docs/criteria.md, Medicare).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, cast

from ..evidence import SleepFigures
from .base import EPS_MIN, Inputs, Outcome, Rule, cut_text
from .shared import (
    codes_matching,
    days_before,
    days_between,
    le,
    recorded_outside,
    recorded_within,
    sleep_minutes,
    window_figures,
)

__all__ = [
    "OSA_CODES",
    "TESTING_RULES",
    "osa_documented",
    "overnight_test",
    "recorded_test_end",
    "titration_applies",
]

#: Obstructive (and unspecified or other) sleep apnea: sleep saturations count only on PAP
#: titration. A heading (``G47``, ``G47.3``) hides which sleep apnea it is, so it counts too.
OSA_CODES = ("G47.33", "G47.30", "G47.39")
#: How far a staged sleep window may span past a titration's stated hours (minutes): the hours'
#: rounding and the minutes between sleep and PAP's start or end, not a split night's
#: diagnostic hours.
TITRATION_SPAN_SLACK_MIN = 15.0
#: Who may perform a qualifying test (never a DME supplier: NCD 240.2 B, LCD L33797).
QUALIFIED_PERFORMERS = ("treating_practitioner", "hospital", "sleep_lab", "idtf")
#: When the time of need replaced the 30-day window and the chronic stable state (LCD L33797
#: revision effective 01/01/2023; medicare-oxygen.md §9): a test before it was done under rules
#: this profile does not encode (then also Group III's "≥ 90 %, not covered").
TIME_OF_NEED_FROM = _dt.date(2023, 1, 1)
#: The only sleep saturation a PAP titration qualifies on (LCD L33797, OSA: "≤ 88 %").
TITRATION_SAT = 88.0
#: Where the titration's one criterion comes from, quoted in its rules' reasons.
_TITRATION_SOURCE = (
    "LCD L33797 (rev. 04/01/2023), obstructive sleep apnea: the titration PSG's oximetry "
    "showing SpO2 ≤ 88 %; medicare-oxygen.md §4.4, A1, A17"
)


def osa_documented(inp: Inputs) -> list[str]:
    """Return the codes among the diagnoses that are, or may be, obstructive sleep apnea.

    Parameters
    ----------
    inp : Inputs
        Reads ``diagnoses``.

    Returns
    -------
    list of str
        :data:`OSA_CODES` (G47.33, G47.30, G47.39 and their children) and the headings that
        hold one (G47, G47.3) given as codes.
    """
    return codes_matching(inp.context.diagnoses, OSA_CODES, headings=True)


def _diagnosis(inp: Inputs) -> Outcome:
    codes = inp.context.diagnoses
    v: dict[str, Any] = {"diagnoses": list(codes or ())}
    if not codes:
        return Outcome(None, "The order must name the condition (ICD-10-CM).", v, ("diagnoses",))
    return Outcome(True, "A diagnosis is documented (acute or chronic conditions qualify).", v)


def _ordered_evaluated(inp: Inputs) -> Outcome:
    order = inp.context.order.date
    seen = inp.context.test.evaluated_date
    v: dict[str, Any] = {"order_date": order, "evaluated_date": seen, "test_date": inp.test_date}
    missing = tuple(
        k
        for k, x in (
            ("order.date", order),
            ("test.evaluated_date", seen),
            ("test.date", inp.test_date),
        )
        if x is None
    )
    if missing:
        return Outcome(
            None,
            "The treating practitioner must order and evaluate the test: a dated evaluation and "
            "the order are needed.",
            v,
            missing,
        )
    o = inp.context.order
    nothing = tuple(
        k
        for k, x in (
            ("order.flow_lpm (more than 0 L/min)", o.flow_lpm),
            ("order.hours_per_day (more than 0)", o.hours_per_day),
        )
        if x is not None and x <= 0
    )
    if nothing:
        # An order for 0 L/min (or 0 hours a day) orders no oxygen: it qualified with N1, QE
        # and every portable code, where MassHealth's prescription rule finds nothing prescribed.
        v.update(flow_lpm=o.flow_lpm, hours_per_day=o.hours_per_day)
        return Outcome(
            None, "The order prescribes no oxygen (0 L/min or 0 hours a day).", v, nothing
        )
    assert seen is not None and inp.test_date is not None
    if seen < inp.test_date:
        return Outcome(
            None,
            f"The evaluation ({seen.isoformat()}) is dated before the test "
            f"({inp.test_date.isoformat()}): one of the dates is wrong.",
            v,
            ("test.evaluated_date on or after the test date",),
        )
    end = recorded_test_end(inp)
    if end is not None:
        v["test_end"] = end.isoformat(timespec="minutes")
    # the day of the last data: a window ending at 00:00:00 holds none of the new day
    last_day = None if end is None else (end - _dt.timedelta(seconds=1)).date()
    placed = None
    if end is None and inp.evidence is not None and inp.evidence.recording_start is None:
        # A file without a date (times of day only, a date that reads two ways, elapsed time)
        # is placed by test.date, the evening a night began: its night from 22:00 to 06:00,
        # evaluated on that evening, qualified N1 where the same rows dated did not.
        placed = inp.evidence.recorded_days(inp.test_date)
        last_day = None if placed is None else placed.last
    if placed is not None and last_day is not None and seen < last_day:
        v["test_days"] = placed.text()
        return Outcome(
            None,
            f"The evaluation ({seen.isoformat()}) is dated before the test ended: its file "
            f"holds no date, and placed by test.date its data may lie on {placed.text()}.",
            v,
            (f"test.evaluated_date on or after the day the test ended ({last_day.isoformat()})",),
        )
    if end is not None and last_day is not None and seen < last_day:
        # An overnight test dated by its evening (test.date) ends the next morning: a night
        # from 22:00 on 5 January to 06:00 on the 6th, its dip at 03:00 on the 6th, qualified
        # N1 with the evaluation dated the 5th, before the data it evaluated existed.
        return Outcome(
            None,
            f"The evaluation ({seen.isoformat()}) is dated before the test ended "
            f"({end.isoformat(sep=' ', timespec='minutes')}): one of the dates is wrong.",
            v,
            (f"test.evaluated_date on or after the day the test ended ({last_day.isoformat()})",),
        )
    return Outcome(True, f"Evaluated by the treating practitioner on {seen.isoformat()}.", v)


def recorded_test_end(inp: Inputs) -> _dt.datetime | None:
    """Return when the recorded test's data end, on the recording's clock; None when unknown.

    Parameters
    ----------
    inp : Inputs
        Reads the evidence: its start and the ends of its windows (or its length).

    Returns
    -------
    datetime.datetime or None
        The latest end of the windows the rules judge (the sleep window, the rest and exercise
        parts), else the recording's end (``recording_min``). None without a recording, its
        date, or either figure: a context-only test is dated by ``test.date``.
    """
    ev = inp.evidence
    if ev is None or ev.recording_start is None:
        return None
    windows = (ev.sleep, ev.rest, ev.exercise, ev.exercise_o2)
    ends = [w.end_s for w in windows if w is not None and w.end_s is not None]
    if ends:
        last = max(ends)
    elif ev.recording_min is not None:
        last = ev.recording_min * 60.0
    else:
        return None
    return ev.recording_start + _dt.timedelta(seconds=last)


def _performer(inp: Inputs) -> Outcome:
    who = inp.context.test.performed_by
    v: dict[str, Any] = {"performed_by": who}
    if who is None:
        return Outcome(
            None, "Who performed the test decides whether it can count.", v, ("test.performed_by",)
        )
    if who not in QUALIFIED_PERFORMERS:
        return Outcome(
            False, "A DME supplier is not a qualified provider: its tests never qualify.", v
        )
    if overnight_test(inp) and who == "treating_practitioner":
        # A practitioner's office runs no overnight study: an outpatient overnight oximetry it
        # "performed" was done at home, which counts only as stand-alone oximetry under an
        # IDTF's direction (medicare-oxygen.md §4.3, A15). Qualified as it was, a home test
        # without the IDTF passed.
        if inp.context.blood_gas.pao2_sleep_mmhg is not None:
            v["pao2_sleep_mmhg"] = inp.context.blood_gas.pao2_sleep_mmhg
        return Outcome(
            None,
            "An outpatient overnight test (oximetry or a blood gas during sleep) by the treating "
            "practitioner was done at home, where only stand-alone oximetry directed by a "
            "Medicare-enrolled IDTF counts.",
            v,
            (
                "test.performed_by: idtf (home overnight oximetry), sleep_lab or hospital (or "
                "test.setting: inpatient)",
            ),
        )
    return Outcome(True, f"Performed by a qualified provider ({who.replace('_', ' ')}).", v)


def overnight_test(inp: Inputs) -> bool:
    """Tell whether the test was an outpatient overnight study (who may perform it: A15).

    Parameters
    ----------
    inp : Inputs
        Reads the sleep window, ``test.type``, ``test.setting`` and
        ``blood_gas.pao2_sleep_mmhg``.

    Returns
    -------
    bool
        True for an outpatient (or unstated setting) test with a sleep window, ``test.type:
        overnight``, or a blood gas taken during sleep: the patient slept through it, whatever
        ``test.type`` says (a sleep PaO2 of 50 "performed" by the treating practitioner
        qualified N1 beside ``test.type: rest``, and was not evaluable beside ``overnight``).
    """
    overnight = (
        inp.sleep is not None
        or inp.context.test.type == "overnight"
        or inp.context.blood_gas.pao2_sleep_mmhg is not None
    )
    return overnight and inp.context.test.setting != "inpatient"


def _time_of_need(inp: Inputs) -> Outcome:
    t = inp.context.test
    v: dict[str, Any] = {"setting": t.setting, "test_date": inp.test_date}
    if inp.test_date is not None and inp.test_date < TIME_OF_NEED_FROM:
        # A test of 2022 was judged by the rules of 2023: an outpatient tested months before
        # the order, or a cluster headache (Group III, then "not covered"), qualified.
        return Outcome(
            None,
            f"Tested on {inp.test_date.isoformat()}, before the time of need replaced the 30-day "
            f"window and the chronic stable state ({TIME_OF_NEED_FROM.isoformat()}): the LCD "
            "revision then in force decides, and this profile does not encode it.",
            v,
            (f"a test on or after {TIME_OF_NEED_FROM.isoformat()} (LCD L33797 as encoded)",),
        )
    if t.setting is None:
        return Outcome(
            None, "Inpatient or outpatient decides the time of need.", v, ("test.setting",)
        )
    if t.setting == "inpatient":
        v["discharge_date"] = t.discharge_date
        missing = tuple(
            k
            for k, x in (("test.discharge_date", t.discharge_date), ("test.date", inp.test_date))
            if x is None
        )
        if missing:
            return Outcome(
                None, "Inpatient: the test must be within 2 days of discharge.", v, missing
            )
        assert t.discharge_date is not None and inp.test_date is not None
        before = days_between(inp.test_date, t.discharge_date)
        v["days_before_discharge"] = before
        # judged by the days the data were recorded on when a recording dates them (A12): a
        # night from 00:30 on the day after discharge is dated by its evening, the discharge
        # day, and one from 00:30 two days before by the evening three days before, denied
        # though wholly inside (hunt 9)
        lo = t.discharge_date - _dt.timedelta(days=2)
        window = "within 2 days of discharge"
        days = recorded_within(inp, lo, t.discharge_date, window, v, "test.discharge_date")
        if isinstance(days, Outcome):
            return days
        if days is not None:
            n = days_before(days, t.discharge_date)
            why = f"Inpatient test recorded on {days.text()}, {n} day(s) before discharge (0–2)."
            return Outcome(True, why, v)
        if 0 <= before <= 2:
            out = recorded_outside(inp, lo, t.discharge_date, window, v, "test.discharge_date")
            if out is not None:
                return out
            return Outcome(True, f"Inpatient test {before} day(s) before discharge (0–2).", v)
        where = "after discharge" if before < 0 else f"{before} days before discharge"
        return Outcome(False, f"Inpatient test {where}: not within 2 days of discharge.", v)
    if t.discharge_date is not None and inp.test_date is not None:
        if t.discharge_date >= inp.test_date:
            v["discharge_date"] = t.discharge_date
            return Outcome(
                None,
                "Outpatient test with a discharge date on or after it: setting and dates conflict.",
                v,
                ("test.setting or test.discharge_date (they conflict)",),
            )
    seen = t.evaluated_date
    v["evaluated_date"] = seen
    if seen is None:
        return Outcome(
            None,
            "Outpatient: the time of need is shown by the practitioner's dated evaluation.",
            v,
            ("test.evaluated_date",),
        )
    reason = f"Outpatient: evaluated by the treating practitioner on {seen.isoformat()}."
    if inp.test_date is not None and days_between(inp.test_date, seen) > 30:
        reason += " (More than 30 days after the test: a product warning, not a rule.)"
    return Outcome(True, reason, v)


def _testing_conditions(inp: Inputs) -> Outcome:
    t = inp.context.test
    v: dict[str, Any] = {"room_air": t.room_air, "o2_flow_lpm": t.o2_flow_lpm}
    if t.room_air is None:
        return Outcome(
            None, "Room air or oxygen during the test must be stated.", v, ("test.room_air",)
        )
    if t.room_air:
        return Outcome(True, "Tested on room air.", v)
    if t.o2_flow_lpm is None:
        return Outcome(
            None,
            "A test on oxygen counts only with its flow recorded (the values must still qualify).",
            v,
            ("test.o2_flow_lpm",),
        )
    return Outcome(True, f"Tested on {t.o2_flow_lpm:g} L/min oxygen; values must still qualify.", v)


#: The label :attr:`oximetry.model.Recording.sleep_test_channels` gives notes naming a PAP machine
#: (``criteria`` imports nothing from ``oximetry``; ``tests/test_sleep_test_channels.py`` reads
#: it end to end).
PAP_NOTES_LABEL = "PAP settings (annotations)"


def _sleep_study(inp: Inputs) -> Outcome:
    """Which overnight study may count: stand-alone oximetry, or a PAP titration with OSA."""
    t = inp.context.test
    osa = osa_documented(inp)
    pap = t.pap_titration
    v: dict[str, Any] = {"osa_codes": osa, "performed_by": t.performed_by}
    ev = inp.evidence
    if ev is None or ev.sleep is None or t.type not in (None, "overnight"):
        if inp.context.blood_gas.pao2_sleep_mmhg is None:
            return Outcome(None, "Not tested: no overnight study.", v, tested=False)
        if osa or pap is not None:
            return _titration(pap, v, osa)
        return Outcome(True, "An arterial blood gas during sleep.", v)
    v["window"] = ev.sleep.kind
    if osa or pap is not None:
        out = _titration(pap, v, osa)
        if out.met is True and ev.sleep.kind != "sleep":
            # A titration is a PSG, which is staged: an unstaged night with titration figures
            # is a home sleep test (whose oximetry never counts, A16) or a PSG whose staging
            # was left out; a home test's airflow and effort channels qualified N1 here.
            return Outcome(
                None,
                "A PAP titration is a sleep-staged PSG, and this sleep window is not staged: "
                "a home sleep test's oximetry never counts.",
                v,
                ("the titration PSG's sleep staging (a staged EDF+ or --hypnogram)",),
            )
        if out.met is True and pap is not None and pap.hours is not None:
            # The saturations must be those taken at optimal PAP: a sleep window longer than
            # the titration holds time off PAP (a split night's diagnostic half, where
            # untreated apneas desaturate). Its span, not its valid minutes: 90 min of
            # diagnostic sleep beside 210 at PAP fit in a 5 h titration's 300 min and qualified.
            # (the span with TITRATION_SPAN_SLACK_MIN for the hours' rounding and the minutes
            # between the first or last sleep and PAP's start or end)
            span = valid = ev.sleep.valid_min
            if ev.sleep.start_s is not None and ev.sleep.end_s is not None:
                span = (ev.sleep.end_s - ev.sleep.start_s) / 60.0
            v["sleep_valid_min"], v["sleep_span_min"] = valid, span
            if valid > pap.hours * 60 + 1.0 or span > pap.hours * 60 + TITRATION_SPAN_SLACK_MIN:
                return Outcome(
                    None,
                    f"The sleep window spans {span:.0f} min ({valid:.0f} valid), more than the "
                    f"{pap.hours:g} h titration: its saturations are not all at optimal PAP.",
                    v,
                    (
                        "a sleep window limited to the titration at optimal PAP (--exclude the "
                        "part before it)",
                    ),
                )
        return out
    if ev.sleep.kind == "sleep":
        return Outcome(
            False,
            "The recording is sleep-staged (a PSG or home sleep test): its oximetry is not "
            "stand-alone overnight oximetry and counts only during a PAP titration.",
            v,
        )
    if ev.sleep_test_channels == (PAP_NOTES_LABEL,):
        # Notes naming a PAP machine say a night may have been on PAP, not that it was: "No
        # CPAP tonight", "Pt refused CPAP", "CPAP off" on a stand-alone oximeter's night were a
        # bare denial. Not read for negations (a missed one would qualify a night on PAP): the
        # rule is left open for a reader of the notes, never met (hunt 15).
        v["sleep_test_channels"] = [PAP_NOTES_LABEL]
        return Outcome(
            None,
            "The recording's notes name a PAP machine: saturations taken on PAP are not "
            "stand-alone overnight oximetry, and whether this night was on PAP is not known.",
            v,
            ("whether the night was on PAP (the recording's notes name a PAP machine)",),
        )
    if ev.sleep_test_channels:
        # Unstaged, but its channels say what it is: the same night with its staging file is
        # denied above, so leaving the staging out must not make it stand-alone oximetry (A16).
        labels = ev.sleep_test_channels
        shown = ", ".join(labels[:3]) + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")
        v["sleep_test_channels"] = list(labels)
        return Outcome(
            False,
            f"The recording holds sleep-test channels or scored events ({shown}): it is a PSG "
            "or home sleep test, whose oximetry is not stand-alone overnight oximetry and counts "
            "only during a PAP titration.",
            v,
        )
    return Outcome(True, "Stand-alone overnight oximetry (presumed-sleep window).", v)


def _titration(pap: Any, v: dict[str, Any], osa: list[str]) -> Outcome:
    if pap is not None and not osa:
        # The LCD's sleep testing is the OSA titration path only (medicare-oxygen.md §4.4,
        # A16): a titration with no obstructive sleep apnea coded (none, or central apnea only)
        # met it on the titration's figures alone and qualified a PSG's oximetry.
        return Outcome(
            None,
            "A PAP titration counts only for obstructive sleep apnea, and none is coded: a "
            "sleep study's oximetry is not stand-alone overnight oximetry.",
            v,
            ("diagnoses (obstructive sleep apnea, G47.33, for a PAP titration)",),
        )
    if pap is None:
        return Outcome(
            None,
            "With sleep apnea, sleep saturations count only from a PAP titration study.",
            v,
            ("test.pap_titration (ahi, hours, at_optimal_pap, initial_ahi)",),
        )
    v.update(
        titration_ahi=pap.ahi,
        titration_hours=pap.hours,
        initial_ahi=pap.initial_ahi,
        at_optimal_pap=pap.at_optimal_pap,
    )
    # The initial (diagnostic) AHI too: under 10, the titration must show a further reduction,
    # so an AHI of 9.5 on PAP from an unknown start met the rule unchecked.
    missing = tuple(
        f"test.pap_titration.{k}"
        for k in ("ahi", "hours", "at_optimal_pap", "initial_ahi")
        if getattr(pap, k) is None
    )
    fails: list[str] = []
    if pap.hours is not None and pap.hours < 2.0 - EPS_MIN / 60:
        fails.append(f"titration {pap.hours:g} h (needs ≥ 2 h)")
    if pap.ahi is not None and pap.ahi > 10:
        fails.append(f"AHI/RDI {pap.ahi:g} during titration (needs ≤ 10)")
    # "reduced to ≤ 10" from any start: an initial AHI of exactly 10 is not reduced by an AHI
    # of 10 on PAP, and qualified (above 10 the ≤ 10 already reduces it, under 10 the LCD asks
    # for a further reduction)
    if pap.ahi is not None and pap.initial_ahi is not None and not pap.ahi < pap.initial_ahi:
        fails.append(f"AHI {pap.ahi:g} not reduced from the initial {pap.initial_ahi:g}")
    if pap.at_optimal_pap is False:
        fails.append("oximetry not at optimal PAP settings")
    if fails:
        return Outcome(False, "The PAP titration does not qualify: " + "; ".join(fails) + ".", v)
    if missing:
        return Outcome(None, "The PAP titration's figures are needed.", v, missing)
    return Outcome(True, "PAP titration ≥ 2 h, AHI/RDI ≤ 10, oximetry at optimal PAP.", v)


def titration_applies(inp: Inputs) -> bool:
    """Tell whether the sleep findings go through the OSA titration path.

    Parameters
    ----------
    inp : Inputs
        Reads ``diagnoses`` and ``test.pap_titration``.

    Returns
    -------
    bool
        True with sleep apnea coded (:func:`osa_documented`) or a PAP titration given, as
        ``lcd_sleep_study`` reads them: then a sleep saturation counts only from the
        titration PSG, and only at SpO2 ≤ 88 % (medicare-oxygen.md §4.4).
    """
    return bool(osa_documented(inp)) or inp.context.test.pap_titration is not None


def _titration_saturation(inp: Inputs) -> Outcome:
    """With OSA, the titration PSG's oximetry must show SpO2 ≤ 88 % (the I-2 path's own check).

    A sleep PaO2 alone is not the titration's oximetry, and a sleep-only finding of another
    level never stands in for it (see :func:`_titration_only_le88`).
    """
    if not titration_applies(inp):
        return Outcome(
            True,
            "No sleep apnea or PAP titration: the sleep findings are stand-alone oximetry's.",
            {},
            applicable=False,
        )
    reading = inp.readings.sleep_duration
    v: dict[str, Any] = {"duration_reading": reading, "source": _TITRATION_SOURCE}
    state, figs, missing = window_figures(inp, "sleep", ("overnight",))
    if state == "missing":
        return Outcome(
            None,
            f"With sleep apnea, a sleep saturation counts only from the titration PSG's oximetry "
            f"at SpO2 ≤ 88 % ({_TITRATION_SOURCE}).",
            v,
            missing,
        )
    if state != "ok":
        if inp.context.blood_gas.pao2_sleep_mmhg is None:
            return Outcome(None, "Not tested: no overnight study.", v, tested=False)
        # A PaO2 during sleep is no oximetry: the OSA path's one criterion is the PSG's SpO2
        # at optimal PAP, so a sleep PaO2 of 50 beside a passing titration is not it.
        v["pao2_sleep_mmhg"] = inp.context.blood_gas.pao2_sleep_mmhg
        return Outcome(
            None,
            f"With sleep apnea, a sleep saturation counts only from the titration PSG's oximetry "
            f"at SpO2 ≤ 88 % ({_TITRATION_SOURCE}); a blood gas during sleep is not it.",
            v,
            ("the titration PSG's oximetry at optimal PAP (SpO2 ≤ 88 %)",),
        )
    s = cast(SleepFigures, figs)
    v.update(t_le88_min=s.t_le88_min, longest_le88_min=s.longest_le88_min, nadir_pct=s.nadir_pct)

    def single() -> bool | None:
        return None if s.nadir_pct is None else le(s.nadir_pct, TITRATION_SAT)

    # the legacy 5 cumulative minutes, as for every sleep finding (A1: "the same duration ... the
    # OSA titration criterion"); the literal one sample is the reported alternative
    met = sleep_minutes(s.t_le88_min, s.longest_le88_min, single, reading)
    how = "for 5 cumulative minutes" if reading == "cumulative" else f"({reading})"
    if met is None:
        return Outcome(
            None,
            f"The titration's minutes at or below 88 % are needed ({_TITRATION_SOURCE}).",
            v,
            (f"the {reading} sleep figure at or below 88 %",),
        )
    # cut as every rule's minutes are (0.0166667 beside the Group I-2 line's 0.016)
    minutes = "unknown" if s.t_le88_min is None else cut_text(s.t_le88_min, 3)
    if met:
        return Outcome(
            True,
            f"The titration PSG's oximetry shows SpO2 ≤ 88 % {how} ({minutes} min; "
            f"{_TITRATION_SOURCE}).",
            v,
        )
    return Outcome(
        False,
        f"The titration PSG's oximetry does not show SpO2 ≤ 88 % {how} ({minutes} min ≤ 88 %): "
        f"with sleep apnea no other sleep finding qualifies ({_TITRATION_SOURCE}).",
        v,
    )


def _titration_only_le88(inp: Inputs) -> Outcome:
    """With OSA, the I-3 drop from the mean and Group II's 89 % during sleep do not apply."""
    if not titration_applies(inp):
        return Outcome(
            True,
            "No sleep apnea or PAP titration: every sleep finding may count.",
            {},
            applicable=False,
        )
    # A titration night at 97 % with 20 min at 90 % qualified N1 on the drop from the mean, and
    # one at 89 % with edema N2, where the titration criterion is "≤ 88 %" alone.
    return Outcome(
        False,
        "With sleep apnea, a sleep saturation qualifies only from the titration PSG's oximetry "
        f"at SpO2 ≤ 88 % ({_TITRATION_SOURCE}): Group I-3's drop from the mean and Group II's "
        "89 % do not apply to it.",
        {"source": _TITRATION_SOURCE},
    )


_LCD = "LCD L33797"
TESTING_RULES = (
    Rule(
        "lcd_diagnosis",
        "NCD 240.2 B; LCD L33797",
        "the condition is documented",
        ("diagnoses",),
        _diagnosis,
    ),
    Rule(
        "lcd_ordered_evaluated",
        f"{_LCD} (order and evaluation)",
        "ordered and evaluated by the treating practitioner",
        ("order.date", "test.evaluated_date", "test.date"),
        _ordered_evaluated,
    ),
    Rule(
        "lcd_performer",
        f"NCD 240.2 B.1; {_LCD} (performer)",
        "who performed the test",
        ("test.performed_by",),
        _performer,
    ),
    Rule(
        "lcd_time_of_need",
        f"NCD 240.2 B; {_LCD} (time of need)",
        "tested at the time of need",
        ("test.setting", "test.discharge_date", "test.evaluated_date", "test.date"),
        _time_of_need,
    ),
    Rule(
        "lcd_testing_conditions",
        f"{_LCD} (testing on oxygen)",
        "room air, or oxygen with its flow recorded",
        ("test.room_air", "test.o2_flow_lpm"),
        _testing_conditions,
    ),
    Rule(
        "lcd_sleep_study",
        f"{_LCD} (overnight oximetry; OSA)",
        "an overnight study that may count",
        ("diagnoses", "test.pap_titration", "test.performed_by", "sleep window"),
        _sleep_study,
    ),
    Rule(
        "lcd_titration_saturation",
        f"{_LCD} (OSA: titration PSG, SpO2 ≤ 88 %)",
        "with sleep apnea, the titration PSG's oximetry shows SpO2 ≤ 88 %",
        ("diagnoses", "test.pap_titration", "sleep.t_le88_min"),
        _titration_saturation,
    ),
    Rule(
        "lcd_titration_only_le88",
        f"{_LCD} (OSA: titration PSG, SpO2 ≤ 88 %)",
        "with sleep apnea, no sleep finding but ≤ 88 % qualifies",
        ("diagnoses", "test.pap_titration"),
        _titration_only_le88,
    ),
)
