"""Medicare: continued coverage, portable eligibility, equipment, the > 4 L/min tier, modifiers.

LCD L33797 and policy article A52514 (as the DME MACs restate it), ``medicare-oxygen.md`` §3.2,
§3.3, §6, §7 and §8; readings from its §11 (A11, A23, A25).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

from .base import Inputs, Outcome, Rule
from .shared import days_between, recorded_outside, recorded_within

__all__ = ["COVERAGE_RULES", "DOCUMENTATION_RULES", "RETEST_RULE", "therapy_start"]

_LCD = "LCD L33797"
_PA = "PA A52514"
#: Paths whose qualifying test was awake (rest or exercise): the only ones that support portable.
AWAKE_PATHS = ("group_i_1_rest", "group_i_4_exercise", "group_ii_rest", "group_ii_exercise")
MAX_CONCENTRATOR_LPM = 10.0  # stationary concentrator range (SPEC §8.2 "equipment follows need")
MAX_PORTABLE_CONCENTRATOR_LPM = 3.0
#: N1/N2/N3 go on rental periods beginning on or after this day; a rental begun before it keeps
#: KX (joint DME MAC reminder of 11/30/2023; medicare-oxygen.md §8).
GROUP_MODIFIERS_FROM = _dt.date(2023, 4, 1)


def therapy_start(inp: Inputs) -> Any:
    """Return when oxygen therapy began (None for an initial qualification).

    Parameters
    ----------
    inp : Inputs
        Reads ``order.therapy_start_date`` and ``order.initial_certification_date``.

    Returns
    -------
    datetime.date or None
        ``order.therapy_start_date``, else the legacy ``order.initial_certification_date``.
    """
    o = inp.context.order
    return o.therapy_start_date or o.initial_certification_date


def _retest(inp: Inputs) -> Outcome:
    start = therapy_start(inp)
    v: dict[str, Any] = {"therapy_start_date": start, "test_date": inp.test_date}
    if start is None:
        return Outcome(
            True,
            "Initial qualification (no therapy start date): Groups II and III need a repeat test "
            "between days 61 and 90 after therapy begins, and a new order.",
            v,
            applicable=False,
        )
    order = inp.context.order.date
    v["order_date"] = order
    missing = tuple(
        k for k, x in (("test.date", inp.test_date), ("order.date", order)) if x is None
    )
    if missing:
        return Outcome(None, "A retest needs its date and a new order.", v, missing)
    assert inp.test_date is not None and order is not None
    if _before_therapy(inp, start):
        # the initial test, which therapy followed: it was denied as a "retest on day -2"
        return Outcome(
            True,
            f"Initial qualification (tested before therapy began on {start.isoformat()}): Groups "
            "II and III need a repeat test between days 61 and 90 after therapy begins, and a "
            "new order.",
            v,
            applicable=False,
        )
    day = days_between(start, inp.test_date)
    v["retest_day"] = day
    # every day of the retest's data, when a recording dates them: a night recorded wholly on
    # day 90 is dated by its evening, day 89 (A11), and one wholly on day 61 by day 60, denied
    # though inside (hunt 9)
    d61, d89 = start + _dt.timedelta(days=61), start + _dt.timedelta(days=89)
    window = "on days 61–89 after therapy began"
    days = recorded_within(inp, d61, d89, window, v, "order.therapy_start_date")
    if isinstance(days, Outcome):
        return days
    if days is not None:
        first, last = days_between(start, days.first), days_between(start, days.last)
        on = f"day {first}" if first == last else f"days {first}–{last}"
        # the order rests on the whole retest: a night from 22:00 on day 70 ends on day 71, and
        # an order dated day 70 was written before its data existed (as an evaluation is)
        old = _old_order(order, start, days.last, v)
        if old is not None:
            return old
        return Outcome(True, f"Retest recorded on {on} (61–90) with a new order.", v)
    if not 61 <= day <= 89:
        if day in (60, 90):
            why = (
                f"Retest on day {day}: inside days 61–90 under one way of counting the start day "
                "only; the safe reading accepts days 61–89 (valid under both)."
            )
        else:
            why = f"Retest on day {day} after therapy began, outside days 61–90."
        return Outcome(False, why, v)
    out = recorded_outside(inp, d61, d89, window, v, "order.therapy_start_date")
    if out is not None:
        return out
    old = _old_order(order, start, inp.test_date, v)
    if old is not None:
        return old
    return Outcome(True, f"Retest on day {day} (61–90) with a new order.", v)


def _old_order(
    order: _dt.date, start: _dt.date, retest: _dt.date, v: dict[str, Any]
) -> Outcome | None:
    """Return why the order is not the retest's new one (None when it is).

    The new order follows the repeat test it rests on (medicare-oxygen.md §3.2, §3.3: a retest
    on days 61-90, evaluated, and a new order): an order after therapy began but before the
    retest is the initial one, dated after delivery as the standard written order may be (it
    must reach the supplier before the claim), and a Group II retest on day 70 with the order
    of day 1 qualified N2. ``retest`` is the day the retest ended (its last recorded day): a
    night's order dated its evening predates the data it rests on.
    """
    if order <= start:
        return Outcome(False, "Continued coverage needs a new order after therapy began.", v)
    if order < retest:
        return Outcome(
            False,
            f"The order ({order.isoformat()}) predates the retest (ended {retest.isoformat()}): "
            "continued coverage needs a new order after the repeat test.",
            v,
        )
    return None


def _before_therapy(inp: Inputs, start: _dt.date) -> bool:
    """Tell whether the test was wholly before therapy began: the initial one, no retest.

    Parameters
    ----------
    inp : Inputs
        Reads the test date and, when a recording dates them, the days its data lie on.
    start : datetime.date
        When therapy began.

    Returns
    -------
    bool
        True when the test date, and every day the recording holds data on, lie before
        ``start``.
    """
    if inp.test_date is None or inp.test_date >= start:
        return False
    days = None if inp.evidence is None else inp.evidence.recorded_days(inp.test_date)
    return days is None or days.last < start


def _covered(paths: list[str], coverage: Mapping[str, str]) -> set[str]:
    """Return the uses the paths cover; continuous oxygen covers sleep and exercise too."""
    uses = {coverage[p] for p in paths}
    if "continuous" in uses:
        uses |= {"nocturnal", "exercise"}
    return uses


def _group(state: Mapping[str, Any]) -> str | None:
    """Return the group whose conditions the coverage carries (modifier, retest).

    Group I when its paths alone cover every use the paths give; when a Group II path covers a
    use no Group I path does, that coverage is Group II's: N2, and the retest on days 61-90.
    (Group I sleep plus a Group II rest test gave continuous portable oxygen under N1 with no
    retest, and so did a Group I-4 walk beside a Group II rest test.)
    """
    paths, coverage = list(state["met_paths"]), state["met_coverage"]
    group_i = [p for p in paths if p.startswith("group_i_")]
    group_ii = [p for p in paths if p.startswith("group_ii_")]
    if group_i and group_ii and not _covered(group_ii, coverage) <= _covered(group_i, coverage):
        return "II"
    for prefix, group in (("group_i_", "I"), ("group_ii_", "II"), ("group_iii", "III")):
        if any(p.startswith(prefix) for p in paths):
            return group
    return None


def _authorization(inp: Inputs) -> Outcome:
    st = inp.state
    paths = list(st["met_paths"])
    v: dict[str, Any] = {"qualifying_paths": paths, "authorization_months": None}
    if st["qualified"] is not True:
        return Outcome(None, "Not applicable: not qualified.", v, tested=False, applicable=False)
    group = _group(st)
    v["group"] = group
    if group == "III":
        v["authorization_months"] = 3
        return Outcome(
            True,
            "Group III: initial coverage for the shorter of 90 days or the prescription's length.",
            v,
        )
    if group == "II":
        return Outcome(
            True, "Group II: no fixed period; a repeat test on days 61–90 and a new order.", v
        )
    return Outcome(True, "Group I: no fixed period (36-month rental); no retest required.", v)


def _portable(inp: Inputs) -> Outcome:
    st = inp.state
    paths = list(st["met_paths"])
    within = inp.context.mobility.within_home
    v: dict[str, Any] = {"qualifying_paths": paths, "within_home": within}
    if st["qualified"] is not True:
        return Outcome(None, "Not applicable: not qualified.", v, tested=False, applicable=False)
    awake = [p for p in paths if p in AWAKE_PATHS]
    if not awake:
        why = "Group III: portable is not addressed" if _group(st) == "III" else "Sleep only"
        return Outcome(False, f"{why}: stationary equipment only.", v)
    if within is not True:
        return Outcome(False, "Portable needs mobility within the home documented.", v)
    return Outcome(True, "Qualified at rest or in exercise and mobile within the home.", v)


def _stationary(inp: Inputs) -> Outcome:
    st = inp.state
    flow = inp.context.order.flow_lpm
    v: dict[str, Any] = {"flow_lpm": flow, "hcpcs": []}
    if st["qualified"] is not True:
        return Outcome(None, "Not applicable: not qualified.", v, tested=False, applicable=False)
    codes = ["E0424", "E0439"]
    if _group(st) == "III":
        codes = ["E0424"]  # cluster headache: high-flow oxygen from tanks
    elif flow is not None and flow <= MAX_CONCENTRATOR_LPM:
        # only at a flow the order gives (SPEC §8.2 "equipment follows the need"): without one,
        # a concentrator was offered that a flow above 10 L/min rules out (E1392 already waited)
        codes.insert(0, "E1390")
    v["hcpcs"] = codes
    unsaid = " (no concentrator: the order gives no flow)" if flow is None else ""
    return Outcome(True, f"Stationary equipment: {', '.join(codes)}{unsaid}.", v)


def _portable_codes(inp: Inputs) -> Outcome:
    flow = inp.context.order.flow_lpm
    v: dict[str, Any] = {"flow_lpm": flow, "hcpcs": []}
    if inp.results["lcd_portable"].met is not True:
        return Outcome(False, "No portable equipment: not portable-eligible.", v, applicable=False)
    codes = ["E0431", "E0434"]
    if flow is not None and flow <= MAX_CONCENTRATOR_LPM:
        codes.append("K0738")  # home fill of portable cylinders: used with a concentrator (E1390)
    if flow is not None and flow <= MAX_PORTABLE_CONCENTRATOR_LPM:
        codes.append("E1392")
    v["hcpcs"] = codes
    return Outcome(True, f"Portable equipment: {', '.join(codes)}.", v)


def _flow_tier(inp: Inputs) -> Outcome:
    flow = inp.context.order.flow_lpm
    t = inp.context.test
    v: dict[str, Any] = {
        "flow_lpm": flow,
        "test_room_air": t.room_air,
        "test_o2_flow_lpm": t.o2_flow_lpm,
    }
    if flow is None or flow <= 4:
        return Outcome(True, "No prescribed flow above 4 L/min.", v, applicable=False)
    if inp.state["qualified"] is not True:
        return Outcome(None, "Not applicable: not qualified.", v, tested=False, applicable=False)
    if _group(inp.state) == "III":
        return Outcome(True, "Group III: the > 4 L/min tier has no test requirement.", v)
    marked = () if inp.evidence is None else inp.evidence.oxygen_marked_flows_lpm
    lower = [f for f in marked if f < 4]
    if t.room_air is False and t.o2_flow_lpm is not None and t.o2_flow_lpm >= 4 and lower:
        # The recording's own marks say part of it was on less: 'Oxygen 2 L/min' over a night
        # given as tested on 4 L/min had the tier (QG).
        v["oxygen_marked_flows_lpm"] = list(marked)
        return Outcome(
            False,
            f"Prescribed {flow:g} L/min and the test given as on {t.o2_flow_lpm:g} L/min, but "
            f"the recording's annotations mark oxygen at {', '.join(f'{f:g}' for f in lower)} "
            "L/min: the qualifying test is not shown on ≥ 4 L/min (standard allowance only).",
            v,
            ("a qualifying test on ≥ 4 L/min throughout (the recording marks a lower flow)",),
        )
    if t.room_air is False and t.o2_flow_lpm is not None and t.o2_flow_lpm >= 4:
        return Outcome(
            True, f"Qualifying test on {t.o2_flow_lpm:g} L/min (≥ 4): higher allowance.", v
        )
    return Outcome(
        False,
        f"Prescribed {flow:g} L/min, but the qualifying test was not on ≥ 4 L/min: standard "
        "allowance only.",
        v,
        ("a qualifying test on ≥ 4 L/min (for the > 4 L/min allowance)",),
    )


def _modifiers(inp: Inputs) -> Outcome:
    st = inp.state
    v: dict[str, Any] = {"modifiers": []}
    if st["qualified"] is not True:
        return Outcome(None, "Not applicable: not qualified.", v, tested=False, applicable=False)
    group = _group(st)
    mods = [{"I": "N1", "II": "N2", "III": "N3"}[group]] if group else []
    start = therapy_start(inp)
    older = ""
    if mods and start is not None and start < GROUP_MODIFIERS_FROM:
        # a retest of a rental begun before 04/01/2023 was written N2, which the DME MACs
        # allow only on rentals begun on or after it; the older ones keep KX
        v["therapy_start_date"] = start
        older = (
            f" The rental began on {start.isoformat()}, before "
            f"{GROUP_MODIFIERS_FROM.isoformat()}: KX, not {mods[0]}."
        )
        mods = ["KX"]
    flow = inp.context.order.flow_lpm
    portable = inp.results["lcd_portable"].met is True
    if flow is not None and flow < 1:
        mods.append("QE")
    elif flow is not None and flow > 4 and inp.results["lcd_flow_over_4"].met is True:
        mods.append("QF" if portable else "QG")
    v["modifiers"] = mods
    return Outcome(True, f"Claim modifiers: {', '.join(mods)}.{older}", v)


def _written_order(inp: Inputs) -> Outcome:
    have = inp.context.documentation.signed_prescription is True
    v = {"signed_prescription": have}
    if have:
        return Outcome(True, "A standard written order is on file.", v)
    return Outcome(
        False,
        "A standard written order must reach the supplier before the claim.",
        v,
        ("documentation.signed_prescription (standard written order)",),
    )


def _retest_due(inp: Inputs) -> Outcome:
    group = _group(inp.state)
    v: dict[str, Any] = {"group": group, "therapy_start_date": therapy_start(inp)}
    start = therapy_start(inp)
    initial = start is None or _before_therapy(inp, start)
    if inp.state["qualified"] is not True or group not in ("II", "III") or not initial:
        return Outcome(True, "No retest pending.", v, applicable=False)
    what = "normoxemic " if group == "III" else ""
    return Outcome(
        False,
        f"Group {group}: a repeat {what}qualifying test between days 61 and 90 after therapy "
        "begins, evaluated by the treating practitioner, and a new order.",
        v,
        (f"a repeat {what}qualifying test on days 61–90 after therapy begins, and a new order",),
    )


RETEST_RULE = Rule(
    "lcd_retest",
    f"{_LCD}; {_PA} (continued coverage)",
    "retest between days 61 and 90 with a new order",
    ("order.therapy_start_date", "order.date", "test.date"),
    _retest,
)

COVERAGE_RULES = (
    Rule("lcd_authorization", f"NCD 240.2 D; {_LCD}", "coverage period", (), _authorization),
    Rule(
        "lcd_portable",
        f"NCD 240.2 D; {_LCD} (portable)",
        "portable eligibility",
        ("mobility.within_home",),
        _portable,
    ),
    Rule(
        "lcd_flow_over_4",
        f"{_LCD} (flow > 4 L/min)",
        "higher allowance above 4 L/min",
        ("order.flow_lpm", "test.o2_flow_lpm"),
        _flow_tier,
    ),
    Rule(
        "lcd_stationary",
        f"{_LCD} (equipment)",
        "stationary equipment",
        ("order.flow_lpm",),
        _stationary,
    ),
    Rule(
        "lcd_portable_equipment",
        f"{_LCD} (equipment)",
        "portable equipment",
        ("order.flow_lpm",),
        _portable_codes,
    ),
    Rule(
        "lcd_modifiers",
        f"{_LCD}; {_PA} (modifiers)",
        "claim modifiers",
        ("order.flow_lpm", "order.therapy_start_date"),
        _modifiers,
    ),
)

DOCUMENTATION_RULES = (
    Rule(
        "lcd_written_order",
        f"{_LCD}; {_PA} (written order)",
        "standard written order",
        ("documentation.signed_prescription",),
        _written_order,
    ),
    Rule(
        "lcd_retest_due",
        f"{_LCD}; {_PA} (continued coverage)",
        "retest due on days 61–90",
        ("order.therapy_start_date",),
        _retest_due,
    ),
)
