"""Medicare Groups III (non-hypoxemic conditions: cluster headache) and IV (never covered).

NCD 240.2 C and D and LCD L33797 (rev. effective 04/01/2023), ``medicare-oxygen.md`` §3.3–§3.4;
readings A22 and A24 of its §11. Both read the Group I/II findings of :mod:`.medicare_groups`.
"""

from __future__ import annotations

from typing import Any

from .base import Inputs, Outcome, Rule, with_figures
from .medicare_groups import GROUP_I_II_FINDINGS, awake_pao2, awake_sats, hypoxemic
from .shared import codes_matching

__all__ = ["GROUP_III_IV_RULES"]

SAT_NORMAL, PAO2_NORMAL = 90.0, 60.0  # no hypoxemia as Groups I and II define it
CLUSTER_CODES = ("G44.00", "G44.01", "G44.02")
HYPOXEMIA_CODES: tuple[str, ...] = ("R09.02", "J96.00", "J96.01", "J96.10", "J96.11")
HYPOXEMIA_CODES += ("J96.20", "J96.21", "J96.90", "J96.91")


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
    hx = codes_matching(ctx.diagnoses, HYPOXEMIA_CODES)
    v["hypoxemia_codes"] = hx
    if hx:
        return Outcome(False, "A hypoxemia diagnosis is coded: not Group III.", v)
    hyp = hypoxemic(inp, GROUP_I_II_FINDINGS)
    v["group_i_or_ii_value"] = hyp
    if hyp is True:
        return Outcome(False, "A Group I or II value was found: not Group III.", v)
    if ctx.test.room_air is not True:
        return Outcome(None, "Normoxemia must be shown on room air.", v, ("test.room_air: true",))
    sats = awake_sats(inp, v, baseline=True)
    gas = awake_pao2(inp)
    if gas is not None:
        v["pao2_rest_mmhg"] = gas
    if not sats and gas is None:
        return Outcome(
            None,
            "Group III needs a normoxemic test.",
            v,
            ("a rest test on room air (SpO2 ≥ 90 % or PaO2 ≥ 60 mmHg)",),
        )
    normal = all(s >= SAT_NORMAL for s in sats) and (gas is None or gas >= PAO2_NORMAL)
    if not normal:
        return Outcome(False, with_figures("Not normoxemic (needs ≥ 90 % / PaO2 ≥ 60).", v), v)
    if hyp is None:
        return Outcome(
            None, "Group I/II values not yet evaluable.", v, ("the Group I/II findings",)
        )
    return Outcome(True, with_figures("Group III: cluster headache, normoxemic test", v), v)


_IV_ITEMS = (
    ("angina_pectoris", ("I20",), "angina pectoris"),
    ("peripheral_vascular_disease", ("I73.9",), "peripheral vascular disease"),
    ("terminal_illness_non_respiratory", (), "terminal illness not affecting breathing"),
)


def _iv(inp: Inputs) -> Outcome:
    ctx = inp.context
    f = ctx.findings
    items: list[str] = []
    for key, codes, label in _IV_ITEMS:
        if getattr(f, key) is True or codes_matching(ctx.diagnoses, codes):
            items.append(label)
    cor_pulmonale = f.pulmonary_hypertension is True or bool(
        codes_matching(ctx.diagnoses, ("I27",))
    )
    if (
        f.breathlessness is True or codes_matching(ctx.diagnoses, ("R06.0",))
    ) and not cor_pulmonale:
        items.append("dyspnea without cor pulmonale")
    if ctx.prn is True:
        items.append("stand-by oxygen (as needed)")
    v: dict[str, Any] = {"items": items}
    if not items:
        return Outcome(True, "No Group IV condition documented.", v, applicable=False)
    hyp = hypoxemic(inp)
    group_iii = inp.results["lcd_group_iii"].met
    v.update(group_i_or_ii_value=hyp, group_iii=group_iii)
    if hyp is True:
        return Outcome(
            True, f"Hypoxemia documented, so Group IV ({', '.join(items)}) does not apply.", v
        )
    if group_iii is True:
        return Outcome(
            True, "Group III (cluster headache): oxygen is not for the Group IV item.", v
        )
    if hyp is False:
        return Outcome(False, f"Group IV, never covered without hypoxemia: {', '.join(items)}.", v)
    return Outcome(
        None, "Group IV applies unless hypoxemia is shown.", v, ("a Group I or II value",)
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
