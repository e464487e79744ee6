"""Medicare Groups III (non-hypoxemic conditions: cluster headache) and IV (never covered).

NCD 240.2 C and D and LCD L33797 (rev. effective 04/01/2023), ``medicare-oxygen.md`` §3.3–§3.4;
readings A22 and A24 of its §11. Both read the Group I/II findings of :mod:`.medicare_groups`.
"""

from __future__ import annotations

from typing import Any

from ..icd10 import categorise, mapping_table
from .base import Inputs, Outcome, Rule, cut_fixed, with_figures
from .common import pulmonary_hypertension_codes
from .medicare_groups import (
    GROUP_I_II_FINDINGS,
    awake_pao2,
    awake_sats,
    hypoxemic,
    sats_at_least,
)
from .shared import a_part, codes_matching, in_doubt, pao2_meets, segment_unfit, sustained_low

__all__ = ["GROUP_III_IV_RULES"]

SAT_NORMAL, PAO2_NORMAL = 90.0, 60.0  # no hypoxemia as Groups I and II define it
CLUSTER_CODES = ("G44.00", "G44.01", "G44.02")
HYPOXEMIA_CODES: tuple[str, ...] = ("R09.02", "J96.00", "J96.01", "J96.10", "J96.11")
HYPOXEMIA_CODES += ("J96.20", "J96.21", "J96.90", "J96.91")
#: Sleep-related hypoxemia is filed under these (their inclusion terms: G47.34 "sleep related
#: hypoxia", G47.36 "sleep related hypoxemia in conditions classified elsewhere"); left out, a
#: cluster headache beside G47.36 qualified for Group III.
HYPOXEMIA_CODES += ("G47.34", "G47.36")
#: ... and the codes whose inclusion terms name hypoxemia, hypoxia or anoxia elsewhere: hypoxemia
#: and respiratory failure of the newborn (P84, P28.5), anoxia due to high altitude (T70.29),
#: acute respiratory distress syndrome (J80) and asphyxia (R09.01). Beside a cluster headache,
#: P84 or T70.29XA qualified Group III (A22: any hypoxemia diagnosis rules it out).
HYPOXEMIA_CODES += ("P84", "P28.5", "T70.29", "J80", "R09.01")


def _iii(inp: Inputs) -> Outcome:
    ctx = inp.context
    ch = codes_matching(ctx.diagnoses, CLUSTER_CODES)
    v: dict[str, Any] = {"cluster_headache_codes": ch}
    if not ch:
        if ctx.findings.attested_condition is True:
            return Outcome(
                None,
                "A non-hypoxemic condition other than cluster headache: Group III is at the DME "
                "MAC's discretion.",
                v,
                ("a DME MAC decision on the literature for this condition",),
            )
        return Outcome(
            False, "No cluster headache (G44.00x–G44.02x) documented.", v, applicable=False
        )
    # a heading that holds a hypoxemia code (R09.0 holds R09.02, G47.3 holds G47.36, T70.2
    # holds T70.29) may be one, so it rules Group III out too (A22)
    hx = codes_matching(ctx.diagnoses, HYPOXEMIA_CODES, headings=True)
    v["hypoxemia_codes"] = hx
    if hx:
        return Outcome(False, "A hypoxemia diagnosis is coded: not Group III.", v)
    against = _ichd3_against(ctx)
    if against:
        # the context's own items say the coded diagnosis's criteria are not met (0 attacks,
        # every item false): Group III qualified on the code alone
        return Outcome(
            None,
            f"The context's cluster-headache items contradict the coded diagnosis ({against}).",
            v,
            ("cluster_headache items that support the coded diagnosis, or the code corrected",),
        )
    hyp = hypoxemic(inp, GROUP_I_II_FINDINGS)
    v["group_i_or_ii_value"] = hyp
    if hyp is True:
        return Outcome(False, "A Group I or II value was found: not Group III.", v)
    # a value taken on oxygen counts when it meets Group I or II (§2): a PaO2 of 50 on oxygen,
    # or a walk on oxygen at 86 %, beside a normal rest test qualified Group III
    on_o2 = ctx.blood_gas.pao2_exercise_o2_mmhg
    # a PaO2 between two whole numbers the limit decides differently (59.5 on oxygen, at rest)
    # is neither hypoxemia nor normoxemia (pao2_meets)
    low_o2 = False if on_o2 is None else pao2_meets(on_o2, lambda x: x < PAO2_NORMAL)
    o2_walk = _walk_normoxemic(inp, "exercise_o2", v)
    if low_o2 is True or o2_walk is False:
        v["pao2_exercise_o2_mmhg"] = on_o2
        return Outcome(
            False,
            with_figures("Hypoxemia on oxygen (a Group I or II value): not Group III", v),
            v,
        )
    # The walk on room air too, whatever test.type says: a rest test leaves it unjudged for
    # Groups I and II (that errs towards denial), but here it would be a Group I/II value
    # ruling Group III out (A22): a walk sustained at 86 % beside a rest test at 95 %
    # qualified N3, the walk being "not tested" under test.type rest.
    walk_doubt = _walk_normoxemic(inp, "exercise", v)
    if walk_doubt is False:
        return Outcome(
            False,
            with_figures(
                "Hypoxemia in the walk on room air (a Group I or II value): not Group III", v
            ),
            v,
        )
    # A rest segment that is no awake test (too long or short, asleep: segment_unfit) shows no
    # normoxemia (awake_sats skips it), yet under 90 % it is a Group I or II value, awake or
    # asleep: a 45-min resting recording at 86 % beside a resting PaO2 of 65 qualified N3.
    rest_seg = inp.segment("rest")
    rest_doubt: bool | str = True
    # Only a rest or exercise test's rest part is an awake test, as for Group I-1: an overnight
    # recording's 'rest' segment is a home process's awake value (LCD L33797; A15), and an
    # IDTF's home night with one at 95 % qualified N3 where its awake baseline could not.
    awake_test = ctx.test.type in ("rest", "exercise")
    if rest_seg is not None and (not awake_test or segment_unfit(rest_seg, inp.evidence)):
        rest_doubt = _walk_normoxemic(inp, "rest", v)
        if rest_doubt is False:
            return Outcome(
                False,
                with_figures(
                    "Hypoxemia in the 'rest' segment (a Group I or II value): not Group III", v
                ),
                v,
            )
    # The LCD's current text sets no duration for Group I-2, nor for Group II's 89 %: one reading
    # <= 88 % (or at 89 %) during sleep is hypoxemia as Groups I and II define it, whatever
    # duration reading the profile takes for qualifying (a lenient reading there would be the
    # generous one here: 4.9 min at 86 %, then at 89 %, qualified N3 where 5.1 min did not).
    for key, level, group in (("t_le88_min", "≤ 88 %", "I"), ("t_lt90_min", "at 89 %", "II")):
        minutes = 0.0 if inp.sleep is None else getattr(inp.sleep, key)
        if minutes > 0:
            v[f"sleep_{key}"] = minutes
            return Outcome(
                False,
                f"{minutes:.2f} min {level} during sleep: Group {group} hypoxemia under the "
                "LCD's current text (no duration), so not Group III.",
                v,
            )
    # The night's awake baseline cannot show normoxemia (below), but below 90 % it shows
    # hypoxemia awake: an --awake span (or staged wake) outside the sleep window at 86 %, beside
    # a normal night and a resting PaO2 of 65, qualified N3.
    awake = None if inp.sleep is None else inp.sleep.awake_baseline_pct
    if awake is not None and awake < SAT_NORMAL:
        v["awake_baseline_pct"] = awake
        return Outcome(
            False,
            with_figures(
                "Hypoxemia awake in the recording (a Group I or II value): not Group III", v
            ),
            v,
        )
    if ctx.test.room_air is not True:
        return Outcome(None, "Normoxemia must be shown on room air.", v, ("test.room_air: true",))
    # A rest test or an awake PaO2, never an overnight recording's awake baseline: awake values
    # from a home recording cannot qualify (LCD L33797; A15), as for Group I-1.
    sats = awake_sats(inp, v, baseline=False) if awake_test else {}
    gas = awake_pao2(inp)
    if gas is not None:
        v["pao2_rest_mmhg"] = gas
    if not sats and gas is None:
        need = "a rest test on room air (SpO2 ≥ 90 % or PaO2 ≥ 60 mmHg)"
        if rest_seg is not None and ctx.test.type is None:
            need = "test.type (a 'rest' segment is a rest test's only under rest or exercise)"
        return Outcome(None, "Group III needs a normoxemic test.", v, (need,))
    gas_ok = True if gas is None else pao2_meets(gas, lambda x: x >= PAO2_NORMAL)
    shown = sats_at_least(sats, v, SAT_NORMAL)
    doubt = tuple(x for x in (shown, gas_ok) if isinstance(x, str))
    if doubt and shown is not False and gas_ok is not False:
        return Outcome(None, "Normoxemia at rest is not shown, nor ruled out.", v, doubt)
    normal = shown is True and gas_ok is True
    if not normal:
        return Outcome(False, with_figures("Not normoxemic (needs ≥ 90 % / PaO2 ≥ 60).", v), v)
    if isinstance(low_o2, str):
        v["pao2_exercise_o2_mmhg"] = on_o2
        return Outcome(None, "Hypoxemia on oxygen is not shown, nor ruled out.", v, (low_o2,))
    if isinstance(o2_walk, str):
        return Outcome(
            None, "Hypoxemia in the walk on oxygen is not shown, nor ruled out.", v, (o2_walk,)
        )
    if isinstance(walk_doubt, str):
        return Outcome(
            None, "Hypoxemia in the walk on room air is not shown, nor ruled out.", v, (walk_doubt,)
        )
    if isinstance(rest_doubt, str):
        return Outcome(
            None, "Hypoxemia in the 'rest' segment is not shown, nor ruled out.", v, (rest_doubt,)
        )
    if hyp is None:
        return Outcome(
            None, "Group I/II values not yet evaluable.", v, ("the Group I/II findings",)
        )
    return Outcome(True, with_figures("Group III: cluster headache, normoxemic test", v), v)


def _walk_normoxemic(inp: Inputs, kind: str, v: dict[str, Any]) -> bool | str:
    """Tell whether the recording's walk (``exercise`` or ``exercise_o2``) is normoxemic.

    Also a ``rest`` segment that is no awake test (:func:`segment_unfit`), read the same way.

    Read whatever ``test.type`` says. Returns True without such a walk, or when the lower bound
    of its sustained nadir (:func:`sustained_low`) is ≥ 90 % or unknown (no valid data); False
    when its sustained nadir is below 90 % (a Group I or II value); else the in-doubt text. A
    walk with no 10 s run wholly valid has no sustained nadir but its lower bound: with one
    dropped sample on a step from 95 to 86 %, a walk at 86 % beside a rest test at 95 %
    qualified N3, the walk's level taken as unknown and so as normoxemic.
    """
    walk = inp.segment(kind)
    if walk is None:
        return True
    high = walk.sustained_nadir_pct
    low = sustained_low(walk)
    v[f"{kind}_sustained_nadir_pct"] = high
    if high is not None and high < SAT_NORMAL:
        return False
    if low is None or low >= SAT_NORMAL:
        return True
    if high is None:
        return (
            f"{a_part(kind)} with fewer artifacts: none of its 10 s runs is wholly valid, "
            f"and its valid samples reach {cut_fixed(low, 1)} %"  # 89.96 read "90.0"
        )
    return in_doubt(kind, min(low, high), high)


def _ichd3_against(ctx: Any) -> str:
    """Say which of the context's cluster-headache items deny the diagnosis ("" when none).

    Items not given deny nothing: the LCD asks for a documented diagnosis, not the ICHD-3
    items; only an item the context itself gives as false (or fewer than 5 attacks) does.
    """
    ch = ctx.cluster_headache
    if ch is None:
        return ""
    out = [] if ch.attacks is None or ch.attacks >= 5 else [f"{ch.attacks} attacks, fewer than 5"]
    for label, value in (
        ("unilateral orbital pain of 15-180 min", ch.unilateral_orbital_pain_15_180_min),
        ("attacks every other day to 8 a day", ch.frequency_every_other_day_to_8_per_day),
        ("not better accounted for", ch.not_better_accounted_for),
    ):
        if value is False:
            out.append(f"no {label}")
    if ch.ipsilateral_autonomic_signs is False and ch.restlessness_or_agitation is False:
        out.append("no autonomic signs or restlessness")
    return "; ".join(out)


#: Group IV items: (findings key, ICD-10-CM heads, label, whether the item is about what the
#: oxygen is *for*). Angina with coronary atherosclerosis is coded I25.11x / I25.7xx (I20
#: Excludes1), peripheral vascular disease also as atherosclerosis of the extremities' arteries
#: or their grafts (I70.2–I70.7, I70.92), as the MassHealth table maps them.
#: Group IV items: the finding, whether codes of its category in the package's ICD-10 table
#: (``criteria/data/icd10_categories.csv``, the one MassHealth's II.B reads) document it, its
#: label, and whether it is about what oxygen is for. A hand-kept list of its own missed
#: postinfarction angina (I23.7) and diabetic peripheral angiopathy (E11.51), and a drop below
#: the night's mean qualified beside them.
_IV_ITEMS = (
    ("angina_pectoris", True, "angina pectoris", True),
    ("peripheral_vascular_disease", True, "peripheral vascular disease", True),
    ("terminal_illness_non_respiratory", False, "terminal illness not affecting breathing", False),
)


def _coded(codes: tuple[str, ...] | None, category: str) -> list[str]:
    """Return the codes the ICD-10 table files under ``category``."""
    return [c for c in codes or () if (row := categorise(c)) and row.category == category]


def _may_be(codes: tuple[str, ...] | None, category: str) -> list[str]:
    """Return the codes of ``category`` and the headings among ``codes`` that hold one.

    I25.1 holds the angina codes I25.11x: given as the diagnosis, it may be one. (Called where
    no code of ``category`` is coded: the headings alone.)
    """
    listed = [r.prefix for r in mapping_table() if r.category == category]
    return codes_matching(codes, listed, headings=True)


def _iv(inp: Inputs) -> Outcome:
    ctx = inp.context
    f = ctx.findings
    items: list[str] = []
    about_use: list[str] = []  # items about the patient or the use, not what oxygen is for
    # Headings that hold an item's code (R06 holds R06.02 dyspnea, I25.1 holds I25.11x angina):
    # each may be the item, so only a complete code decides. Read by their own codes alone,
    # they were no item, and a drop from the night's mean qualified beside them.
    maybe: dict[str, str] = {}
    for key, by_code, label, is_for in _IV_ITEMS:
        if getattr(f, key) is True or (by_code and _coded(ctx.diagnoses, key)):
            items.append(label)
            if not is_for:
                about_use.append(label)
        elif by_code:
            maybe.update(dict.fromkeys(_may_be(ctx.diagnoses, key), label))
    cor_pulmonale = f.pulmonary_hypertension is True or bool(pulmonary_hypertension_codes(ctx))
    if not cor_pulmonale:
        dyspnea = "dyspnea without cor pulmonale"
        if f.breathlessness is True or codes_matching(ctx.diagnoses, ("R06.0",)):
            items.append(dyspnea)
        else:
            maybe.update(
                dict.fromkeys(codes_matching(ctx.diagnoses, ("R06.0",), headings=True), dyspnea)
            )
    v: dict[str, Any] = {"items": items}
    if maybe:
        v["headings"] = list(maybe)
    if ctx.prn is True:
        # Not a Group IV item that hypoxemia lifts: the LCD denies emergency or stand-by oxygen
        # for beneficiaries not regularly using oxygen outright (medicare-oxygen.md §3.4, "Also
        # denied"). Filed under Group IV, a PaO2 of 52 lifted it, and a prn order qualified
        # with a portable system.
        v["prn"] = True
        return Outcome(
            False,
            "Stand-by oxygen (as needed) for a beneficiary not regularly using oxygen is never "
            "covered, hypoxemia or not.",
            v,
        )
    if not items and not maybe:
        return Outcome(True, "No Group IV condition documented.", v, applicable=False)
    # Only *qualifying* hypoxemia lifts an item (A24): a Group II value counts with its
    # condition (edema, pulmonary hypertension, hematocrit > 56 %), as MassHealth counts it.
    hyp = hypoxemic(inp, qualifying=True)
    group_iii = inp.results["lcd_group_iii"].met
    v.update(group_i_or_ii_value=hyp, group_iii=group_iii)
    if hyp is True:
        named = ", ".join([*items, *(f"{c}, which may code {label}" for c, label in maybe.items())])
        return Outcome(True, f"Hypoxemia documented, so Group IV ({named}) does not apply.", v)
    if group_iii is True and not about_use:
        # Angina, PVD and dyspnea are about what oxygen is for; a Group III patient (no
        # hypoxemia by definition) gets it for the cluster headache. A terminal illness is
        # about the patient, and applies to Group III too (NCD D: "not ... excluded by C");
        # stand-by use was refused above for everyone.
        return Outcome(
            True, "Group III (cluster headache): oxygen is not for the Group IV item.", v
        )
    if hyp is False and items:
        return Outcome(False, f"Group IV, never covered without hypoxemia: {', '.join(items)}.", v)
    complete = tuple(f"diagnoses: a complete code in place of {c}" for c in maybe)
    if hyp is False:
        what = "; ".join(f"{c} may code {label}" for c, label in maybe.items())
        return Outcome(None, f"Group IV applies if a heading codes its item ({what}).", v, complete)
    return Outcome(
        None,
        "Group IV applies unless hypoxemia is shown.",
        v,
        ("a Group I or II value", *(() if items else complete)),
    )


_LCD = "LCD L33797"
_NCD = "NCD 240.2"
GROUP_III_IV_RULES = (
    Rule(
        "lcd_group_iii",
        f"{_NCD} D; {_LCD} Group III",
        "non-hypoxemic cluster headache",
        ("diagnoses", "rest", "blood_gas"),
        _iii,
    ),
    Rule(
        "lcd_group_iv",
        f"{_NCD} C; {_LCD} Group IV",
        "never covered without hypoxemia",
        ("findings", "diagnoses", "prn"),
        _iv,
    ),
)
