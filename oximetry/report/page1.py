"""Page 1 of report.pdf: the sheet a reviewer reads at 100 % zoom and a practitioner signs.

Who (identification, or the de-identification note), what and when (test, recording times,
device, facility, ordering practitioner), on what air (room air or the oxygen flow), the figures
with their denominators, the determination in plain words (what decided it, what would change
it, conflicts, what is missing, other readings), notes and warnings once, the measurement note
the guidelines ask for, an interpretation box and a signature line. Rule ids and the rule-by-rule
table are in the appendix pages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .terminal import all_warnings, no_date_text, rule_tally, vendor_summary_text
from .textpage import (
    MARGIN_IN,
    MISSING_GLYPH,
    PORTRAIT,
    TextPage,
    ctx_get,
    device_text,
    file_label,
    plain,
    recorded_line,
    rounded,
    statistics,
)

__all__ = [
    "MISSING_GLYPH_NOTE",
    "conditions_text",
    "determination_block",
    "determination_lines",
    "first_page",
    "first_page_and_notes",
    "measurement_note",
    "notes_pages",
    "review_text",
    "test_date_text",
]

BODY = 8.5
#: Height kept at the bottom of page 1 for the interpretation box and the signature line.
_BOTTOM_IN = 2.05
_PROFILES = {
    "masshealth": "MassHealth MG-OXY (06/24)",
    "medicare": "Medicare NCD 240.2 / LCD L33797",
}
#: At most this many items under one heading of the determination (the rest: the appendix).
_MAX_ITEMS = 5
_ALT_PREFIX = "Alternative reading, not used for the determination: "


def _test_type(analysis: Any, summary: Mapping[str, Any]) -> str:
    """Return the test type for the title: as given, else what the analysis measured."""
    given = ctx_get(summary, "test", "type") or analysis.settings.test_type
    if given:
        return str(given)
    # no type given: an 18-min recording with rest and exercise segments is not "overnight"
    kinds = set(summary.get("metrics") or {})
    if kinds & {"exercise", "exercise_o2"}:
        return "exercise"
    if "rest" in kinds:
        return "rest"
    return "overnight"


def _files_line(inp: Mapping[str, Any], page: TextPage, col_w: float) -> str:
    """Return the input file's name, or for a joined night its first and last files and count."""
    parts = [p for p in inp.get("parts") or [] if isinstance(p, Mapping)]
    if len(parts) < 2:
        return "File: " + file_label(str(inp.get("path") or ""), page, col_w - 0.35, BODY)
    room = (col_w - 1.1) / 2
    first = file_label(str(parts[0].get("path") or ""), page, room, BODY)
    last = file_label(str(parts[-1].get("path") or ""), page, room, BODY)
    return f"Files: {len(parts)} joined, {first} … {last}"


def _identification(
    page: TextPage, summary: Mapping[str, Any], ident: Mapping[str, Any] | None
) -> None:
    inp = summary.get("input") or {}
    file_patient = summary.get("patient") or {}
    ident = ident or {}
    col_w = page.w / 2 - MARGIN_IN - 0.15
    left: list[str]
    if summary.get("deidentified"):
        left = [
            "Patient: DE-IDENTIFIED",
            "Name, member ID, birth date and file name removed;",
            "study dates are kept (the rules need them).",
        ]
        # the header's age, else the context's (a header may give a sex and no birth date)
        age, capped_age = file_patient.get("age_years"), file_patient.get("age_capped")
        if age is None:
            # its own cap: a context born 1931 beside a header without a birth date printed
            # "Age at test: 90 years" for a patient of 95
            age = ctx_get(summary, "patient", "age_years")
            capped_age = ctx_get(summary, "patient", "age_capped")
        if age is not None:
            capped = "+" if capped_age else ""
            left.append(f"Age at test: {plain(age)}{capped} years")
        left.append(f"File: sha256 {str(inp.get('sha256', ''))[:16]}…")
    elif ident.get("name") or ident.get("member_id"):
        # The context identifies the patient: its fields, and the recording header's apart, so
        # that two people are seen as two (the context's name beside the header's birth date
        # read as one person's).
        age = ctx_get(summary, "patient", "age_years")
        header = [
            str(v)
            for v in (
                file_patient.get("name"),
                file_patient.get("code"),
                file_patient.get("birth_date") and f"born {file_patient['birth_date']}",
                file_patient.get("sex"),
            )
            if v
        ]
        left = [
            f"Patient: {ident.get('name') or 'not given'}",
            f"Member ID: {ident.get('member_id') or 'not given'}",
            f"Sex: {plain(ctx_get(summary, 'patient', 'sex'))}    Age: {plain(age)}",
            *([f"Recording header: {', '.join(header)}"] if header else []),
            _files_line(inp, page, col_w),
        ]
    else:
        sex = ctx_get(summary, "patient", "sex") or file_patient.get("sex")
        age = file_patient.get("age_years")
        if age is None:
            age = ctx_get(summary, "patient", "age_years")
        birth = file_patient.get("birth_date")
        left = [
            f"Patient: {file_patient.get('name') or 'not given (file or context)'}",
            f"Member ID: {file_patient.get('code') or 'not given'}",
            f"Sex: {plain(sex)}    Age: {plain(age)}"
            + (f"    Birth date: {birth}" if birth else ""),
            _files_line(inp, page, col_w),
        ]
    order_by = ctx_get(summary, "order", "practitioner")
    npi = ctx_get(summary, "order", "npi")
    ordered = (order_by or "not given") + (f" (NPI {npi})" if npi else "")
    right = [
        recorded_line(summary),
        f"Test date: {test_date_text(summary)}"
        f"    Order date: {plain(ctx_get(summary, 'order', 'date'))}",
        f"Device: {device_text(summary) or 'not stated'}",
        *(
            [f"Device summary: {vendor_summary_text(summary['vendor_summary'])}"]
            if summary.get("vendor_summary")
            else []
        ),
        f"Testing facility: {ctx_get(summary, 'test', 'facility') or 'not given'}"
        + (
            f" ({str(ctx_get(summary, 'test', 'performed_by')).replace('_', ' ')})"
            if ctx_get(summary, "test", "performed_by")
            else ""
        ),
        f"Ordering practitioner: {ordered}",
    ]
    y0 = page.y
    for s in left:
        for part in page.wrap(s, col_w, BODY):
            page.line(part, BODY)
    y_left, page.y = page.y, y0
    for s in right:
        for part in page.wrap(s, col_w, BODY):
            page.line(part, BODY, x_in=page.w / 2 + 0.1)
    page.y = max(page.y, y_left)


def test_date_text(summary: Mapping[str, Any]) -> str:
    """Return the test date page 1 prints: the one the rules judged the test by.

    A night from 00:30 on 2 March without a ``test.date`` was judged as the night of 1 March
    (its order window counted from the 1st), while page 1 printed the file's "Test date:
    2026-03-02" beside the order date a reviewer counts the 90 days from (hunt 13).

    Parameters
    ----------
    summary : mapping
        ``summary.json`` (``qualification.test_date``; ``context.test.date`` and the file's
        date for a summary without it).

    Returns
    -------
    str
        ``2026-03-01``; ``2026-03-01 (test.date 2026-03-04)`` when the context's differs;
        the context's or the file's date when the rules dated nothing.
    """
    used = (summary.get("qualification") or {}).get("test_date")
    given = ctx_get(summary, "test", "date")
    if not used:
        return str(given or _file_date(summary))
    if given is not None and str(given) != str(used):
        return f"{used} (test.date {given})"
    return str(used)


def _file_date(summary: Mapping[str, Any]) -> str:
    inp = summary.get("input") or {}
    if inp.get("date_known") is False or not inp.get("start"):
        return f"not given ({no_date_text(inp)})"
    return str(inp["start"])[:10]


def conditions_text(summary: Mapping[str, Any]) -> str:
    """Return the test-conditions sentence: room air, or oxygen at which flow, or not stated.

    Parameters
    ----------
    summary : mapping
        ``summary.json`` (its ``context`` and ``settings``).

    Returns
    -------
    str
    """
    room_air = ctx_get(summary, "test", "room_air")
    flow = ctx_get(summary, "test", "o2_flow_lpm")
    if room_air is True:
        text = "Breathing room air during the test."
    elif room_air is False and flow is not None:
        text = f"On supplemental oxygen at {flow:g} L/min during the test (not room air)."
    elif room_air is False:
        text = "Not on room air during the test; the oxygen flow was not given (test.o2_flow_lpm)."
    else:
        text = "Room air or oxygen during the test: not stated (test.room_air not given)."
    if ctx_get(summary, "test", "room_air_contraindicated") is True:
        text += " Room-air testing is contraindicated."
    o2 = (summary.get("settings") or {}).get("o2_flow_lpm")
    if "exercise_o2" in (summary.get("metrics") or {}):
        text += (
            f" The exercise-on-oxygen segment was at {o2:g} L/min."
            if isinstance(o2, int | float)
            else " The exercise-on-oxygen segment's flow was not given (--o2-flow or "
            "test.exercise_o2_flow_lpm)."
        )
    setting = ctx_get(summary, "test", "setting")
    if setting:
        text += f" Setting: {setting}."
    return text


def measurement_note(summary: Mapping[str, Any]) -> str | None:
    """Return the guideline's measurement note when it applies to this study, else None.

    Parameters
    ----------
    summary : mapping
        ``summary.json``.

    Returns
    -------
    str or None
        Medicare: always (LCD L33797 asks the record to document concerns about skin
        pigmentation, altitude, age or reduced oxygen-carrying capacity). Otherwise (MG-OXY §I)
        when a reading the rules use rounds to 88–92 %: the main window's median or awake
        baseline, or a rest / exercise sustained nadir.
    """
    q = summary.get("qualification") or {}
    if q.get("profile") == "medicare":
        return (
            "Measurement note (LCD L33797): pulse oximetry can vary with skin pigmentation, "
            "altitude, age and reduced oxygen-carrying capacity; document any such concern in "
            "the medical record."
        )
    metrics = summary.get("metrics") or {}
    found = []
    main = summary.get("main_window")
    m = metrics.get(main) if main else None
    if m:
        for key, words in (("median_pct", "median"), ("awake_baseline_pct", "awake baseline")):
            r = rounded(m.get(key))
            if r is not None and 88 <= r <= 92:
                found.append(f"{words} {r} %")
    for kind in ("rest", "exercise", "exercise_o2"):
        r = rounded((metrics.get(kind) or {}).get("sustained_nadir_pct"))
        if r is not None and 88 <= r <= 92:
            found.append(f"{kind.replace('_o2', ' on O2')} sustained nadir {r} %")
    if not found:
        return None
    return (
        f"Measurement note (MG-OXY §I): readings of 88–92 % here ({', '.join(found)}). Pulse "
        "oximetry may read falsely high in patients of color; when the clinical picture meets "
        "the guideline but the oximetry does not, consider an arterial blood gas."
    )


def _rule_text(q: Mapping[str, Any], rule_id: Any) -> str:
    by_id = {r.get("id"): r for r in q.get("rules") or [] if isinstance(r, Mapping)}
    rule = by_id.get(rule_id)
    if rule is None:
        return plain(rule_id)
    citation, reason = str(rule.get("citation") or ""), str(rule.get("reason") or "")
    return f"{citation}: {reason}" if reason else citation


def _item_text(item: Any) -> str:
    """Return a would-qualify-if or conflict entry in words (a mapping by its readable fields)."""
    if not isinstance(item, Mapping):
        return plain(item)
    head = item.get("path") or item.get("label") or item.get("citation") or ""
    parts = []
    for key in ("needs", "inputs", "findings", "would_need", "change", "keys"):
        value = item.get(key)
        if value:
            parts.append(plain(value))
    why = item.get("why") or item.get("reason") or item.get("text")
    if "values" in item and isinstance(item["values"], Mapping):
        parts.append(", ".join(f"{k} = {plain(v)}" for k, v in item["values"].items()))
    if why:
        parts.append(str(why))
    text = "; ".join(p for p in parts if p)
    return f"{plain(head)}: {text}" if head and text else (text or plain(head) or plain(item))


def _conflict_text(item: Any) -> str:
    """Return a conflict as its reason followed by the values that conflict."""
    if not isinstance(item, Mapping) or not item.get("why"):
        return _item_text(item)
    values = item.get("values")
    shown = (
        "; ".join(f"{k} = {plain(v)}" for k, v in values.items())
        if isinstance(values, Mapping) and values
        else plain(item.get("keys"))
    )
    return f"{item['why']} ({shown})"


def _alternative_text(item: Any) -> str:
    if not isinstance(item, Mapping):
        return plain(item)
    label = str(item.get("label") or item.get("reason") or "another reading")
    if label.startswith(_ALT_PREFIX):
        label = label[len(_ALT_PREFIX) :]
    det = item.get("determination")
    if det is None:
        return f"Under another reading ({label}) — not used."
    verb = "would still be" if item.get("changes_determination") is False else "would be"
    return f"If {label.rstrip('.')}: the determination {verb} {plain(det)} (reading not used)."


def _not_tested(rule: Mapping[str, Any]) -> bool:
    """Return True for a rule the test did not measure ("Not tested: this test measured ...")."""
    return rule.get("met") is None and str(rule.get("reason") or "").startswith("Not tested")


def _deciding_rules(q: Mapping[str, Any], decided: Sequence[Any]) -> list[Any]:
    """Return the deciding rules page 1 names: ``decided`` without the rules not tested.

    A MassHealth exercise test NOT QUALIFIED for no improvement on oxygen listed the sleep
    clauses it never measured, "Not tested" twice over, and cut the improvement clause that
    decided it to the appendix (hunt 10). An untested clause closes its path, but what was
    measured decides: the appendix keeps every rule.
    """
    by_id = {r.get("id"): r for r in q.get("rules") or [] if isinstance(r, Mapping)}
    return [rid for rid in decided if not (rid in by_id and _not_tested(by_id[rid]))]


def _holding_rules(q: Mapping[str, Any]) -> list[Any]:
    """Return the rules an indeterminate's ``decided_by`` names as holding an open path open.

    Summaries written before ``decided_by`` named only those also list the rules that closed
    other paths (not met, or not tested); those decided nothing and are left out.
    """
    by_id = {r.get("id"): r for r in q.get("rules") or [] if isinstance(r, Mapping)}
    out = []
    for rid in q.get("decided_by") or []:
        rule = by_id.get(rid)
        if rid == "conflicts" or rule is None:
            continue  # the conflicts are listed under their own heading
        if rule.get("met") is None and not _not_tested(rule):
            out.append(rid)
    return out


def _open_path_text(path: Any, needs: Any) -> str:
    """Return an open path and what it waits for, in words that claim no finding."""
    items = needs if isinstance(needs, list | tuple) else [needs]
    return f"{str(path).replace('_', ' ')} — undecided until: {'; '.join(plain(n) for n in items)}"


def determination_lines(q: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """Return the determination's explanation as (heading, items) in plain words.

    Parameters
    ----------
    q : mapping
        The ``qualification`` block of ``summary.json``.

    Returns
    -------
    list of (str, list of str)
        In this order: ``Still missing``, ``Conflicts``, ``Other readings`` when one of them
        would change the determination, then for an indeterminate determination
        ``Held open by`` (citation and reason of each rule that cannot be evaluated yet) and
        ``Open paths`` (``would_qualify_if``: each path still open and what it waits for, or
        that none is within reach of the recorded figures), otherwise ``Decided by`` (citation
        and reason of each deciding rule: ``decided_by``, else ``basis`` when qualified,
        without the rules whose reason is "Not tested", which the appendix lists); then
        the ``Other readings`` that change nothing. Headings without items are left out; an indeterminate is never
        "decided by" anything. No rule ids.
    """
    out: list[tuple[str, list[str]]] = []
    if q.get("missing"):
        # "; ": the items hold commas themselves ("sleep_lab or hospital (or test.setting:
        # inpatient), a PaO2 in whole mmHg" read as one item)
        out.append(("Still missing", ["; ".join(plain(x) for x in q["missing"])]))
    if q.get("conflicts"):
        out.append(("Conflicts", [_conflict_text(x) for x in q["conflicts"]]))
    alts = q.get("alternatives")
    alts = list(alts) if isinstance(alts, list | tuple) else []
    if any(isinstance(x, Mapping) and x.get("changes_determination") for x in alts):
        # beside the determination (SPEC §8), before the lists the page cuts: a Medicare
        # titration's NOT QUALIFIED that one reading makes indeterminate showed "… 1 more in
        # summary.json" under the rules that decided it, and no page said so
        out.append(("Other readings", [_alternative_text(x) for x in alts]))
        alts = []
    if q.get("determination") == "indeterminate":
        held = _holding_rules(q)
        if held:
            out.append(("Held open by", [_rule_text(q, r) for r in held]))
        wq = q.get("would_qualify_if")
        if isinstance(wq, Mapping) and wq:
            out.append(("Open paths", [_open_path_text(k, v) for k, v in wq.items()]))
        elif isinstance(wq, list | tuple) and wq:
            out.append(("Open paths", [_item_text(x) for x in wq]))
        elif isinstance(wq, Mapping):
            out.append(
                (
                    "Open paths",
                    [
                        "none within reach of the figures and inputs given: only what is "
                        "missing or in conflict above stops a determination"
                    ],
                )
            )
    else:
        decided = q.get("decided_by")
        if not isinstance(decided, list | tuple):
            decided = q.get("basis") if q.get("determination") == "qualified" else None
        if isinstance(decided, list | tuple) and decided:
            shown = _deciding_rules(q, decided)
            out.append(
                (
                    "Decided by",
                    [_rule_text(q, r) for r in shown]
                    # every deciding clause untested (a test that measured none of them): the
                    # heading still says why, not an empty list
                    or [
                        "no clause a qualifying path needs was measured by this test (each is "
                        '"Not tested" in the appendix)'
                    ],
                )
            )
    if alts:
        out.append(("Other readings", [_alternative_text(x) for x in alts]))
    return out


def _meaning(q: Mapping[str, Any]) -> str:
    det = q.get("determination")
    profile = _PROFILES.get(str(q.get("profile")), plain(q.get("profile")))
    if det == "qualified":
        cov = ", ".join(str(c).replace("_", " ") for c in q.get("coverage") or []) or "home"
        months = q.get("authorization_months")
        pe = q.get("portable_eligible")
        portable = "eligible" if pe is True else ("not eligible" if pe is False else "n/a")
        return (
            f"Home oxygen is supported under {profile}: {cov} use"
            + (f", authorization {months:g} months" if isinstance(months, int | float) else "")
            + f"; portable system {portable}; HCPCS {', '.join(q.get('hcpcs') or []) or 'none'}"
            # Medicare's claim modifier (N1-N3) decides the retest: it was only in the appendix
            + "".join(f"; modifier {m}" for m in q.get("modifiers") or [])
            + "."
        )
    if det == "not_qualified":
        return f"No qualifying path of {profile} is met by this study and its clinical context."
    return (
        f"No determination can be made under {profile} yet: inputs are missing or in conflict "
        "(below). This is not a denial."
    )


#: The headings of :func:`determination_lines` whose items the appendix prints (rules).
_IN_APPENDIX = frozenset({"Held open by", "Decided by"})


def determination_block(page: TextPage, q: Mapping[str, Any] | None, bottom_in: float) -> None:
    """Write the determination in plain words (:func:`determination_lines`) and the rule tally.

    Parameters
    ----------
    page : TextPage
        Where to write, from ``page.y`` down.
    q : mapping or None
        The ``qualification`` block (None: not evaluated).
    bottom_in : float
        Lists are cut (with a pointer to the appendix) rather than pass this line.
    """
    if not q:
        page.line("Not evaluated (no clinical context or rule profile was applied).", BODY)
        return
    det = str(q.get("determination", "?")).replace("_", " ").upper()
    color = {"QUALIFIED": "#1a7f37", "NOT QUALIFIED": "#b42318"}.get(det, "#8a4b00")
    page.text(MARGIN_IN, f"Determination: {det}", 12, weight="bold", color=color)
    page.y += 12 * 1.5 / 72
    width = page.w - 2 * MARGIN_IN
    for part in page.wrap(_meaning(q), width, BODY):
        page.line(part, BODY)
    indent = 1.3
    sections = determination_lines(q)
    for n_section, (heading, items) in enumerate(sections):
        page.text(MARGIN_IN, heading + ":", BODY, weight="bold")
        later = len(sections) - n_section - 1  # keep a line for each heading still to come
        for k, item in enumerate(items):
            parts = page.wrap(item, width - indent - 0.12, BODY)
            if (
                heading in _IN_APPENDIX
                and k == 0
                and page.y + 0.17 * (len(parts) + later) > bottom_in
            ):
                # the first reason is never cut, at worst to its first line: with the excluded
                # spans and the review line above, a QUALIFIED page 1 said "Decided by: … 3
                # more in the appendix" and named no rule (review of hunt 10)
                parts = parts[:1] if len(parts) == 1 else [parts[0].rstrip() + " …"]
            elif k >= _MAX_ITEMS or page.y + 0.17 * (len(parts) + later) > bottom_in:
                # the appendix holds the rules only: open paths and other readings cut here
                # pointed at a section no page has
                where = "the appendix" if heading in _IN_APPENDIX else "summary.json"
                page.text(MARGIN_IN + indent, f"… {len(items) - k} more in {where}", BODY)
                page.y += BODY * 1.45 / 72
                break
            page.text(MARGIN_IN + indent, "•", BODY)
            for part in parts:
                page.text(MARGIN_IN + indent + 0.12, part, BODY)
                page.y += BODY * 1.45 / 72
    rules = q.get("rules") or []
    if rules:
        page.line(
            f"{rule_tally(rules)} — each with its clause in the appendix.", 8, color="#444444"
        )


def review_text(summary: Mapping[str, Any], review_page: int | None) -> str | None:
    """Return page 1's line counting the review flags and saying where they are listed.

    A probe slip's level at 70 % (a review flag) was page 1's nadir while the flag was only on
    the last page, which says "Warnings and notes about this study are on page 1" (hunt 10).

    Parameters
    ----------
    summary : mapping
        ``summary.json`` (``recording.review_flags``).
    review_page : int or None
        The page that lists them (None: "the last page").

    Returns
    -------
    str or None
        None without review flags.
    """
    flags = [str(f) for f in (summary.get("recording") or {}).get("review_flags") or []]
    if not flags:
        return None
    n = 0
    for flag in flags:
        # "... and 3 more held runs of at least 10 min" stands for 3 flags
        more = re.match(r"\.\.\. and (\d+) more", flag)
        n += int(more.group(1)) if more else 1
    where = "the last page" if review_page is None else f"page {review_page}"
    one = n == 1
    them = "it" if one else "them"
    # The last page lists the flags with their times as far as it has room, and a summary lists
    # only the first few of a kind ("... and 11 more held runs"): "listed with their times on
    # page 10" said so of 23 flags, 10 of which had a time there (review of hunt 10).
    listed = (
        f"listed with its time on {where}"
        if n == 1
        else f"listed on {where} (the first of them with their times, as far as the page has "
        "room), all with their times in summary.json (recording.constant_runs, "
        "recording.fall_plateaus)"
    )
    return (
        # "on page 1", not "above": the line is carried to the next page when page 1 is full
        f"Review: {n} flag{'' if one else 's'} on data kept as valid, which the figures on page 1 "
        "may count (a level after a fall faster than a desaturation, or SpO2 held unchanged for "
        f"minutes): {listed}; judge {them} on the strips and --exclude {them} if artifact."
    )


#: One note of page 1: its lines (text, colour) and whether it is a warning of the summary.
NoteItem = tuple[list[tuple[str, str]], bool]
#: Line step of the notes, in inches.
_NOTE_STEP = BODY * 1.45 / 72


def _note_items(
    page: TextPage, summary: Mapping[str, Any], review_page: int | None = None
) -> list[NoteItem]:
    """Return the notes block's items in the order page 1 shows them, each with its lines.

    The qualification's own warnings come first: they bear on the determination above them. A
    7-h night ordered at 24 h a day lost "The order prescribes oxygen 24 h a day, more than the
    night's use the findings during sleep support ..." and "Qualified on findings during sleep
    only ..." to "… more notes in summary.json", behind the review flags and the analysis's
    warnings (hunt 12). Then the review flags' line (the figures rest on those data), the
    measurement note and the analysis's warnings, which ``qualification.warnings`` repeats
    (each once).
    """
    width = page.w - 2 * MARGIN_IN - 0.15
    out: list[NoteItem] = []

    def bulleted(text: str) -> list[tuple[str, str]]:
        parts = page.wrap(text, width, BODY)
        return [(("• " if i == 0 else "   ") + p, "#8a4b00") for i, p in enumerate(parts)]

    q = summary.get("qualification") or {}
    analysis_warnings = {str(x) for x in summary.get("warnings") or []}
    ours = [x for x in all_warnings({"qualification": q}) if x not in analysis_warnings]
    out += [(bulleted(text), True) for text in ours]
    review = review_text(summary, review_page)
    if review is not None:
        out.append((bulleted(review), False))
    note = measurement_note(summary)
    if note is not None:
        out.append(([(part, "#1f3f7a") for part in page.wrap(note, width, BODY)], False))
    out += [(bulleted(text), True) for text in all_warnings(summary) if text not in ours]
    return out


def _carried_text(carried: Sequence[NoteItem], continued_on: int | None) -> str:
    """Return page 1's line saying how many notes did not fit and on which page they are."""
    n = len(carried)
    what = (
        ("warning" if n == 1 else "warnings")
        if all(warning for _, warning in carried)
        else ("note" if n == 1 else "warnings and notes")
    )
    if continued_on is None:
        return f"… {n} more {what} in summary.json (warnings, qualification.warnings)"
    return f"… {n} more {what} on page {continued_on}"


def _notes(
    page: TextPage, items: Sequence[NoteItem], bottom_in: float, continued_on: int | None
) -> list[NoteItem]:
    """Write the notes that fit above ``bottom_in``, whole; return those carried over.

    Parameters
    ----------
    page : TextPage
        Page 1, written from ``page.y`` down.
    items : sequence of NoteItem
        :func:`_note_items`.
    bottom_in : float
        No line passes it.
    continued_on : int or None
        The page the notes that do not fit are carried to, named on page 1; at least the last
        note is carried there (the pages are numbered before page 1 is set). None: no such
        page, and page 1 points to summary.json.

    Returns
    -------
    list of NoteItem
        The notes not written, in order.
    """
    if not items:
        return []
    page.rule()
    total = sum(len(lines) for lines, _ in items)
    shown = len(items)
    if page.y + total * _NOTE_STEP > bottom_in or continued_on is not None:
        # whole notes only, and a line kept for the pointer to the rest
        room = int((bottom_in - page.y) / _NOTE_STEP + 1e-9) - 1
        shown, used = 0, 0
        for lines, _ in items[: len(items) - 1 if continued_on is not None else len(items)]:
            if used + len(lines) > room:
                break
            shown, used = shown + 1, used + len(lines)
    for lines, _ in items[:shown]:
        for text, color in lines:
            page.line(text, BODY, color=color)
    carried = list(items[shown:])
    if carried:
        page.line(_carried_text(carried, continued_on), BODY, style="italic")
    return carried


def notes_pages(items: Sequence[NoteItem], first: int) -> list[Figure]:
    """Return the pages carrying the notes page 1 had no room for.

    Parameters
    ----------
    items : sequence of NoteItem
        The notes :func:`first_page_and_notes` carried over, set as on page 1.
    first : int
        The number of the first of these pages (page 1 names it).

    Returns
    -------
    list of matplotlib.figure.Figure
        None when ``items`` is empty; else as many portrait pages as the notes fill.
    """
    out: list[Figure] = []
    page: TextPage | None = None
    bottom = PORTRAIT[1] - 0.75
    for lines, _ in items:
        if page is not None and page.y + len(lines) * _NOTE_STEP > bottom:
            page = None
        if page is None:
            page = TextPage(Figure(figsize=PORTRAIT))
            out.append(page.fig)
            page.line(
                "Warnings and notes (continued from page "
                + ("1)" if len(out) == 1 else f"{first + len(out) - 2})"),
                11,
                weight="bold",
            )
            page.rule()
        for text, color in lines:
            page.line(text, BODY, color=color)
    return out


def _interpretation(page: TextPage, summary: Mapping[str, Any]) -> None:
    w, h = page.w, page.h
    top = h - _BOTTOM_IN
    box_h = 1.25
    page.fig.add_artist(
        Rectangle(
            (MARGIN_IN / w, 1 - (top + box_h) / h),
            (w - 2 * MARGIN_IN) / w,
            box_h / h,
            transform=page.fig.transFigure,
            fill=False,
            edgecolor="#555555",
            lw=0.8,
            gid="interpretation_box",
        )
    )
    page.y = top + 0.08
    text = ctx_get(summary, "interpretation", "text")
    who = ctx_get(summary, "interpretation", "practitioner")
    # the practitioner's words, as the context gives them: "qualifies" under an INDETERMINATE
    # determination read as two findings of oxi's that disagree
    page.line(
        "Interpretation"
        + (" (the practitioner's, as given; not oxi's determination)" if text else ""),
        9.5,
        x_in=MARGIN_IN + 0.1,
        weight="bold",
    )
    if text:
        lines = page.wrap(str(text), w - 2 * MARGIN_IN - 0.2, BODY)
        room = int((box_h - 0.35) / (BODY * 1.45 / 72))
        if len(lines) > room:
            lines = [*lines[: room - 1], "… (continued in summary.json: context.interpretation)"]
        for part in lines:
            page.line(part, BODY, x_in=MARGIN_IN + 0.1)
    else:
        page.line(
            "(to be written by the interpreting practitioner)",
            BODY,
            x_in=MARGIN_IN + 0.1,
            color="#777777",
            style="italic",
        )
    page.y = top + box_h + 0.28
    page.line(
        f"Interpreting practitioner: {who or '______________________________'}"
        "      Signature: ______________________      Date: ____________",
        9,
    )


def first_page(
    analysis: Any,
    summary: Mapping[str, Any],
    identification: Mapping[str, Any] | None,
    review_page: int | None = None,
) -> Figure:
    """Build page 1 (notes that do not fit are counted and pointed to summary.json).

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    summary : mapping
        Its ``summary.json``.
    identification : mapping or None
        The patient's ``name`` and ``member_id`` from the clinical context (None when
        de-identified or not given).
    review_page : int, optional
        The page listing the review flags, which page 1 counts (None: "the last page").

    Returns
    -------
    matplotlib.figure.Figure

    See Also
    --------
    first_page_and_notes : page 1 with its notes carried to a page of their own.
    """
    return first_page_and_notes(analysis, summary, identification, review_page)[0]


def first_page_and_notes(
    analysis: Any,
    summary: Mapping[str, Any],
    identification: Mapping[str, Any] | None,
    review_page: int | None = None,
    continued_on: int | None = None,
) -> tuple[Figure, list[NoteItem]]:
    """Build page 1 and return it with the notes it had no room for.

    Parameters
    ----------
    analysis : Analysis
        The analysed recording.
    summary : mapping
        Its ``summary.json``.
    identification : mapping or None
        The patient's ``name`` and ``member_id`` from the clinical context (None when
        de-identified or not given).
    review_page : int, optional
        The page listing the review flags, which page 1 counts (None: "the last page").
    continued_on : int, optional
        The page the notes that do not fit are carried to (:func:`notes_pages`), which page 1
        names ("… 2 more warnings on page 2"); at least one note is carried there. None: page
        1 points to summary.json for them.

    Returns
    -------
    (matplotlib.figure.Figure, list of NoteItem)
        Page 1, and the notes not on it, in order, set for :func:`notes_pages`.

    Notes
    -----
    A character the report's font cannot draw is shown as ``�`` (:func:`.textpage.drawable`),
    and the page then says so under the identification (:data:`MISSING_GLYPH_NOTE`): a patient
    "王小明" was three empty boxes on the Patient line, which a reviewer could not tell from
    a name not given or a broken file (hunt 11). Whether a line needs the marker is known once
    it is set, so such a page is set twice, the second time with the note.
    """
    page, carried = _first_page(
        analysis, summary, identification, review_page, continued_on, note=False
    )
    if page.marked:
        page, carried = _first_page(
            analysis, summary, identification, review_page, continued_on, note=True
        )
    return page.fig, carried


#: Said on page 1 under the identification when a character there or below is shown as ``�``.
MISSING_GLYPH_NOTE = (
    f"{MISSING_GLYPH} marks a character the report's font cannot draw; the text as written is in "
    "the context file (the patient's name and member ID) or summary.json (the recording's "
    "header, the file's name, the device)."
)


def _first_page(
    analysis: Any,
    summary: Mapping[str, Any],
    identification: Mapping[str, Any] | None,
    review_page: int | None,
    continued_on: int | None,
    *,
    note: bool,
) -> tuple[TextPage, list[NoteItem]]:
    """Set page 1 (:func:`first_page`), with :data:`MISSING_GLYPH_NOTE` when ``note``."""
    fig = Figure(figsize=PORTRAIT)
    page = TextPage(fig)
    page.line(f"Pulse oximetry report — {_test_type(analysis, summary)} test", 15, weight="bold")
    page.y += 0.04
    _identification(page, summary, None if summary.get("deidentified") else identification)
    if note:
        for part in page.wrap(MISSING_GLYPH_NOTE, page.w - 2 * MARGIN_IN, 7.5):
            page.line(part, 7.5, color="#555555", style="italic")
    page.rule()
    for part in page.wrap(
        "Test conditions: " + conditions_text(summary), page.w - 2 * MARGIN_IN, BODY
    ):
        page.line(part, BODY)
    page.rule()
    statistics(page, summary)
    bottom = page.h - _BOTTOM_IN - 0.15
    notes = _note_items(page, summary, review_page)
    n_lines = sum(len(lines) for lines, _ in notes)
    notes_h = min(n_lines, 9) * _NOTE_STEP + (0.15 if notes else 0.0)
    determination_block(page, summary.get("qualification"), bottom - notes_h - 0.2)
    carried = _notes(page, notes, bottom, continued_on)
    _interpretation(page, summary)
    return page, carried
