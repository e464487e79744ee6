"""``--deidentify`` writes an age of 90 or more as 90, the context's as the header's (SPEC §10).

A context born 1931 gave ``context.patient.age_years: 94.0``, and the member-age rule "The
member is 94 on the test date.", in a de-identified summary.json and report.pdf, beside a
header block capped at 90 (HIPAA safe harbour).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pytest

from criteria.conflicts import AGE_CAP_YEARS as CONFLICTS_AGE_CAP
from criteria.context import PLACEHOLDER_BIRTH_DATES as CONFLICTS_PLACEHOLDERS
from criteria.context import SUMMARY_ONLY_PATIENT_KEYS, Context, load_context
from criteria.errors import ContextError
from criteria.evaluate import Evidence, evaluate
from criteria.evidence import FilePatient
from oxi.cli import main
from oxi.pipeline import AnalyzeRequest, analyze_file
from oximetry.report.pdf import _build_pages
from oximetry.report.summary import AGE_CAP_YEARS, PLACEHOLDER_BIRTH_DATES
from oximetry.simulate import simulate_night, write_edf

PDFTOTEXT = shutil.which("pdftotext")

_CONTEXT = """\
payer: {payer}
patient: {{birth_date: 1931-05-04, sex: F}}
test: {{type: overnight, date: 2026-01-05, room_air: true, setting: outpatient,
       chronic_stable_state: true, performed_by: idtf, evaluated_date: 2026-01-07}}
order: {{date: 2025-12-20, prescriber: physician, flow_lpm: 2, hours_per_day: 8}}
diagnoses: [J44.9]
"""


@pytest.fixture(scope="module", params=["masshealth", "medicare"])
def made(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("agecap")
    # 15 min at 84 % in a 3 h night from 2026-01-05 22:00: a sleep finding
    rec, _ = simulate_night(
        fs=1.0, duration_s=3 * 3600, seed=3, sustained_drops=[(3600, 900, 84)], noise_pts=1.0
    )
    edf = write_edf(rec, tmp / "night.edf")
    ctx = tmp / "context.yaml"
    ctx.write_text(_CONTEXT.format(payer=request.param))
    deid, ident = tmp / "deid", tmp / "ident"
    base = ["analyze", str(edf), "--context", str(ctx), "--out"]
    assert main([*base, str(deid), "--deidentify"]) == 0
    assert main([*base, str(ident)]) == 0
    return edf, ctx, deid, ident


def _strings(node: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, str(k))
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v, key)
    else:
        yield key, node


def _report_text(folder: Path, edf: Path, ctx: Path) -> str:
    if PDFTOTEXT is not None:
        pdf = subprocess.run(
            [PDFTOTEXT, str(folder / "report.pdf"), "-"], capture_output=True, text=True, check=True
        )
        return pdf.stdout
    # the report's own text, as drawn (no pdftotext here)
    out = analyze_file(edf, AnalyzeRequest(context_path=str(ctx), deidentify=True))
    texts = []
    for page in _build_pages(out.analysis, out.summary, None):
        fig = page()
        texts += [t.get_text() for t in fig.findobj(match=lambda a: hasattr(a, "get_text"))]
        plt.close(fig)
    return "\n".join(texts)


#: An age of 91 or more, as a rule's text or page 1 would say it.
_OLD_AGE = re.compile(r"(age|member is|patient|context)\D{0,20}\b9[1-9]\b", re.IGNORECASE)


def test_a_context_of_94_is_90_or_older_in_every_deidentified_output(made: Any) -> None:
    edf, ctx, deid, ident = made
    summary = json.loads((deid / "summary.json").read_text(encoding="utf-8"))
    patient = summary["context"]["patient"]
    assert patient["age_years"] == 90 and patient["age_capped"] is True
    for key, value in _strings(summary):
        if "age" in key and isinstance(value, int | float) and not isinstance(value, bool):
            assert value <= 90, (key, value)
        if isinstance(value, str):
            assert not _OLD_AGE.search(value), (key, value)
    events = (deid / "events.csv").read_text(encoding="utf-8")
    assert not _OLD_AGE.search(events)
    report = _report_text(deid, edf, ctx)
    if summary["qualification"]["profile"] == "masshealth":  # its member-age rule says it
        assert "The member is 90 or older on the test date." in report.replace("\n", " ")
    assert not _OLD_AGE.search(report), _OLD_AGE.search(report)
    # without --deidentify the exact age is kept
    exact = json.loads((ident / "summary.json").read_text(encoding="utf-8"))
    assert exact["context"]["patient"]["age_years"] == 94
    assert "age_capped" not in exact["context"]["patient"]


def test_the_capped_age_gives_the_same_determination_and_verifies(
    made: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    edf, ctx, deid, ident = made
    q = [
        json.loads((d / "summary.json").read_text(encoding="utf-8"))["qualification"]
        for d in (deid, ident)
    ]
    keys = ("determination", "coverage", "hcpcs", "missing", "authorization_months")
    assert {k: q[0].get(k) for k in keys} == {k: q[1].get(k) for k in keys}
    assert q[0]["determination"] == "qualified"
    capsys.readouterr()
    assert main(["verify", str(deid / "summary.json"), str(edf)]) == 0
    assert main(["verify", "--context", str(ctx), str(deid / "summary.json"), str(edf)]) == 0
    capsys.readouterr()
    assert main(["qualify", "--context", str(ctx), "--summary", str(deid / "summary.json"),
                 "--json"]) == 0  # fmt: skip
    again = json.loads(capsys.readouterr().out)["qualification"]
    assert {k: again.get(k) for k in keys} == {k: q[1].get(k) for k in keys}


def _capped(patient: dict[str, Any], **test: Any) -> Context:
    """A context as a de-identified summary records it, read back."""
    ctx = Context.from_dict({"patient": patient, "test": {"date": "2026-01-05", **test}})
    return Context.from_dict(ctx.to_dict(test_date=ctx.test.date, age_cap=90))


def test_what_the_exact_age_decided_survives_the_cap() -> None:
    """Ages 95 and 94 (a conflict) are both written 90; the summary keeps that they differed."""
    both = _capped({"birth_date": "1931-05-04", "age_years": 95})
    assert both.patient.age_years == 90 and both.patient.age_matches_birth_date is False
    conflicts = evaluate(both, None).conflicts
    assert any(c.keys == ("patient.birth_date", "patient.age_years") for c in conflicts)
    assert not any("95" in c.why or "94" in c.why for c in conflicts), conflicts
    # an order 93 years before the test beside age 95 is not before the birth; capped at 90,
    # "born at the earliest 91 years before" made it so
    dated = Context.from_dict(
        {
            "patient": {"age_years": 95},
            "test": {"date": "2026-01-05"},
            "order": {"date": "1933-01-05"},
        }
    )
    back = Context.from_dict(dated.to_dict(test_date=dated.test.date, age_cap=90))
    assert back.patient.dated_before_birth == ()
    assert not evaluate(back, None).conflicts


def test_a_capped_age_keeps_how_it_compared_with_the_headers() -> None:
    """A context of 94 beside a header of 98 is another person's, though both are 90 or older."""
    header = FilePatient(birth_date=dt.date(1927, 3, 1), age_years=98.0)
    ev = Evidence(recording_start=dt.datetime(2026, 1, 5, 22), file_patient=header)
    for age, conflict in ((94, True), (98, False)):
        c = Context.from_dict({"patient": {"age_years": age}, "test": {"date": "2026-01-05"}})
        written = {"test_date": c.test.date, "recording_birth_date": header.birth_date}
        capped = Context.from_dict(c.to_dict(**written, age_cap=90))
        assert (
            capped.patient.age_years == 90 and capped.patient.age_matches_recording is not conflict
        )
        found = [x for x in evaluate(capped, ev).conflicts if "recording.patient" in x.keys]
        assert bool(found) is conflict
        for x in found:  # the header's 98 is said as the summary's patient block says it
            assert "98" not in x.why and x.values["recording.patient.age_years"] == 90


def test_a_context_of_89_keeps_how_it_compared_with_a_header_of_90_or_more() -> None:
    """A context of 89 beside a header of 95, capped at 90, is within a year of it once capped:
    the summary keeps that the exact ages were not, and no conflict says the header's 95."""
    header = FilePatient(birth_date=dt.date(1931, 1, 1), age_years=95.0)
    ev = Evidence(recording_start=dt.datetime(2026, 1, 5, 22), file_patient=header)
    # as a de-identified summary's patient block holds the header: no birth date, 90 or older
    block = FilePatient(age_years=90.0, age_capped=True)
    read_back = Evidence(recording_start=ev.recording_start, file_patient=block)
    for age, conflict in ((89, True), (95, False)):
        c = Context.from_dict({"patient": {"age_years": age}, "test": {"date": "2026-01-05"}})
        written = {"test_date": c.test.date, "recording_birth_date": header.birth_date}
        back = Context.from_dict(c.to_dict(**written, age_cap=90))
        assert back.patient.age_matches_recording is not conflict
        assert back.patient.age_years == min(age, 90)
        assert back.patient.age_capped is (True if age >= 90 else None)
        for evidence in (ev, read_back):
            found = [x for x in evaluate(back, evidence).conflicts if "recording.patient" in x.keys]
            assert bool(found) is conflict
            for x in found:  # the header's 95 is said as the summary's patient block says it
                assert "95" not in x.why and "90 or older" in x.why, x.why
                assert x.values["recording.patient.age_years"] == 90


def test_qualify_summary_carries_a_recorded_age_of_another_person() -> None:
    """``oxi qualify --summary`` of a de-identified summary has no header birth date: a recorded
    ``age_matches_recording: false`` is carried, as the name's and birth date's are."""
    from oxi.qualify import with_recorded_patient_findings

    block = FilePatient(age_years=90.0, age_capped=True)
    ev = Evidence(recording_start=dt.datetime(2026, 1, 5, 22), file_patient=block)
    summary = {"context": {"patient": {"age_years": 89, "age_matches_recording": False}}}
    c = Context.from_dict({"patient": {"age_years": 89}, "test": {"date": "2026-01-05"}})
    carried = with_recorded_patient_findings(summary, c, ev)
    assert carried.patient.age_matches_recording is False
    assert any("recording.patient" in x.keys for x in evaluate(carried, ev).conflicts)


def test_a_recorded_match_does_not_outweigh_ages_years_apart() -> None:
    """A de-identified summary's ``age_matches_recording: true`` stands for the day or so between
    the recording's start and the test date: beside a patient block of 45 and a context of 15
    (a summary edited by hand) it qualified a night for pediatric oxygen; beside 20 and 21 (a
    birthday between the two dates) it still clears the conflict; beside 22 and 20, across the
    age limit of 21 whatever the birthday, it does not (review of hunt 14)."""
    cases = ((45.0, 15, True), (20.0, 21, False), (20.0, 20, False), (22.0, 20, True))
    for header_age, age, conflict in cases:
        block = FilePatient(age_years=header_age)  # as a de-identified patient block holds it
        ev = Evidence(recording_start=dt.datetime(2026, 1, 5, 22), file_patient=block)
        c = Context.from_dict(
            {
                "patient": {"age_years": age, "age_matches_recording": True},
                "test": {"date": "2026-01-06"},
            }
        )
        found = [x for x in evaluate(c, ev).conflicts if "recording.patient" in x.keys]
        assert bool(found) is conflict, (header_age, age, found)


@pytest.mark.parametrize("payer", ["masshealth", "medicare"])
def test_a_header_of_90_or_more_beside_a_context_of_89_stays_open_from_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], payer: str
) -> None:
    """A night ``oxi analyze --deidentify`` held open (header born 1927, 98; context 89) was
    qualified by ``oxi qualify --summary`` with the same context, and its conflict said "makes
    the patient 98" in the de-identified summary (review of hunt 13)."""
    rec, _ = simulate_night(
        fs=1.0, duration_s=3 * 3600, seed=3, sustained_drops=[(3600, 900, 84)], noise_pts=1.0
    )
    rec = dataclasses.replace(
        rec, patient=dataclasses.replace(rec.patient, birth_date=dt.date(1927, 3, 1))
    )
    edf = write_edf(rec, tmp_path / "night.edf")
    ctx = tmp_path / "context.yaml"
    ctx.write_text(_CONTEXT.format(payer=payer).replace("birth_date: 1931-05-04", "age_years: 89"))
    out = tmp_path / "deid"
    args = ["analyze", str(edf), "--context", str(ctx), "--no-report", "--deidentify"]
    assert main([*args, "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    q = summary["qualification"]
    assert q["determination"] == "indeterminate"
    assert summary["context"]["patient"]["age_matches_recording"] is False
    whys = [c["why"] for c in q["conflicts"] if "recording.patient" in c["keys"]]
    assert whys and all("98" not in w and "90 or older" in w for w in whys), whys
    capsys.readouterr()
    assert main(["qualify", "--context", str(ctx), "--summary", str(out / "summary.json"),
                 "--json"]) == 0  # fmt: skip
    again = json.loads(capsys.readouterr().out)["qualification"]
    assert again["determination"] == "indeterminate", again
    assert main(["verify", str(out / "summary.json"), str(edf)]) == 0


_OUTCOMES = {
    "age_from_birth_date": "15",
    "name_matches_recording": "true",
    "dated_before_birth": "[order.date]",
    "born_after_test": "false",
    "born_after_recording_start": "false",
    "turns_21_during_test": "false",
    "birth_date_without_test_date": "false",
    "birth_date_matches_recording": "true",
    "age_capped": "true",
    "age_matches_birth_date": "true",
    "age_matches_recording": "true",
}


def test_every_outcome_a_summary_records_is_listed() -> None:
    assert set(_OUTCOMES) == set(SUMMARY_ONLY_PATIENT_KEYS)
    assert AGE_CAP_YEARS == CONFLICTS_AGE_CAP


@pytest.mark.parametrize("key", sorted(_OUTCOMES))
def test_a_context_file_never_gives_an_outcome_a_summary_records(tmp_path: Path, key: str) -> None:
    """``birth_date_matches_recording: true`` beside age 15 in a context file silenced a header
    born 1950 (76) and qualified a night for pediatric oxygen (review of hunt 13): the outcomes
    are a summary's, read back by ``oxi verify`` and ``oxi qualify --summary``, never a file's."""
    ctx = tmp_path / "context.yaml"
    ctx.write_text(f"patient: {{age_years: 15, {key}: {_OUTCOMES[key]}}}\n")
    with pytest.raises(ContextError, match=f"'patient.{key}'"):
        load_context(ctx)
    ctx.write_text("patient: {age_years: 15}\n")
    assert load_context(ctx).patient.age_years == 15


def test_analyze_refuses_a_context_file_claiming_the_header_birth_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec, _ = simulate_night(
        fs=1.0, duration_s=3 * 3600, seed=3, sustained_drops=[(3600, 900, 84)], noise_pts=1.0
    )
    rec = dataclasses.replace(
        rec, patient=dataclasses.replace(rec.patient, birth_date=dt.date(1950, 3, 1), sex="M")
    )
    edf = write_edf(rec, tmp_path / "night.edf")
    ctx = tmp_path / "context.yaml"
    ctx.write_text(
        _CONTEXT.format(payer="masshealth").replace(
            "birth_date: 1931-05-04", "age_years: 15, birth_date_matches_recording: true"
        )
    )
    args = ["analyze", str(edf), "--context", str(ctx), "--no-report", "--out", str(tmp_path / "o")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "patient.birth_date_matches_recording" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("born", PLACEHOLDER_BIRTH_DATES)
def test_a_placeholder_birth_date_gives_the_header_no_age(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], born: dt.date
) -> None:
    """A header's 1970-01-01 ("not entered") gave the de-identified summary ``age_years: 56``
    (1900-01-01: 90, capped), and ``oxi qualify --summary`` with the context oxi analyze had
    QUALIFIED the night under found "another birth date"; page 1 said "Age at test: 56"
    (review of hunt 15). The rules read a placeholder as no birth date; so does the summary."""
    from oximetry.model import PatientInfo
    from tests.criteria_helpers import BASE

    assert PLACEHOLDER_BIRTH_DATES == CONFLICTS_PLACEHOLDERS
    rec, _ = simulate_night(
        fs=1.0, duration_s=3 * 3600, seed=6, noise_pts=0.6, start=dt.datetime(2026, 11, 20, 22),
        sustained_drops=[(4000, 1200, 85.0)],
    )  # fmt: skip
    edf = write_edf(
        dataclasses.replace(rec, patient=PatientInfo(birth_date=born)), tmp_path / "n.edf"
    )
    ctx = tmp_path / "ctx.json"
    ctx.write_text(json.dumps(BASE))
    with_ctx = analyze_file(edf, AnalyzeRequest(context_path=str(ctx), report=False))
    assert with_ctx.determination.determination == "qualified"
    assert with_ctx.summary["patient"]["age_years"] is None
    deid = analyze_file(edf, AnalyzeRequest(deidentify=True, report=False), out_dir=tmp_path / "d")
    assert deid.summary["patient"] is None
    capsys.readouterr()
    args = ["qualify", "--context", str(ctx), "--summary", str(tmp_path / "d" / "summary.json")]
    assert main([*args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["qualification"]["determination"] == "qualified"
