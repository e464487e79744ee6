"""``oxi verify`` against summaries crafted to be read one way and verified another (audit).

Each test here was a way to get "verified" (exit 0) for a summary that is not what oxi writes
for the recording, or a crash (exit 4), hang or unbounded read on a crafted summary: the fix is
named in each docstring. Bad input is one line naming the file, exit 2.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from oxi.cli import main
from oxi.verify import MAX_SUMMARY_BYTES, compare_summaries
from oximetry.simulate import simulate_night, write_edf


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A de-identified analysis of a night whose file name names the patient."""
    tmp = tmp_path_factory.mktemp("hardening")
    rec, _ = simulate_night(
        fs=1.0, duration_s=2 * 3600, seed=5, sustained_drops=[(3000.0, 420.0, 86.0)]
    )
    edf = write_edf(rec, tmp / "Smith_Jane_MRN4471.edf")
    out = tmp / "out"
    assert main(["analyze", str(edf), "--out", str(out), "--deidentify"]) == 0
    return edf, out


def _submit(out: Path, tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "submitted"
    shutil.copytree(out, folder)
    (folder / "summary.json").write_text(text, encoding="utf-8")
    return folder / "summary.json"


def _verify(capsys: pytest.CaptureFixture[str], summary: Path, rec: Path) -> tuple[int, str, str]:
    code = main(["verify", str(summary), str(rec)])
    got = capsys.readouterr()
    return code, got.out, got.err


def _text(out: Path) -> str:
    return (out / "summary.json").read_text(encoding="utf-8")


def test_a_key_twice_in_one_object_is_not_an_oxi_summary(
    night: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A determination written twice: Python keeps the last (the true one, so it verified), a
    reader that keeps the first (many do) reads the forged one. Refused before anything else."""
    edf, out = night
    text = _text(out)
    true = json.loads(text)["qualification"]["determination"]
    forged = text.replace(
        f'"determination": "{true}"',
        f'"determination": "qualified", "determination": "{true}"',
        1,
    )
    assert forged != text
    code, _, err = _verify(capsys, _submit(out, tmp_path, forged), edf)
    assert code == 2 and err.count("\n") == 1
    assert "not an oxi summary: the key 'determination' appears twice in one object" in err


def test_a_literal_dotted_key_cannot_hide_a_forged_figure(
    night: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``metrics.presumed_sleep.t_le88_min`` forged to 0 beside a literal key
    ``"presumed_sleep.t_le88_min"`` holding the true 7.0: both flattened to one dotted key, the
    true value won and the summary verified. Keys are now compared as paths."""
    edf, out = night
    s = json.loads(_text(out))
    block = s["metrics"]["presumed_sleep"]
    true = block["t_le88_min"]
    block["t_le88_min"] = 0.0
    s["metrics"]["presumed_sleep.t_le88_min"] = true
    code, stdout, _ = _verify(capsys, _submit(out, tmp_path, json.dumps(s)), edf)
    assert code == 1
    assert f"metrics.presumed_sleep.t_le88_min: summary says 0.0, recomputed {true}" in stdout
    assert f'metrics["presumed_sleep.t_le88_min"]: summary says {true}, recomputed (absent)' in (
        stdout
    )


def test_keys_are_compared_as_paths_not_as_dotted_text() -> None:
    """Same dotted text, other structure: a difference, in :func:`compare_summaries` too; and a
    key a megabyte long is shown cut, not printed whole."""
    a = {"metrics": {"presumed_sleep.odi4": 3, "k" * 1_000_000: 1}}
    b = {"metrics": {"presumed_sleep": {"odi4": 3}}}
    assert compare_summaries(a, b) == [
        'metrics["presumed_sleep.odi4"]: summary says 3, recomputed (absent)',
        f"metrics.{'k' * 57}...: summary says 1, recomputed (absent)",
        "metrics.presumed_sleep.odi4: summary says (absent), recomputed 3",
    ]


@pytest.mark.parametrize(
    ("insert", "reason"),
    [
        ("1" * 5000, "a number of more than 4300 digits"),
        ("[" * 100_000 + "]" * 100_000, "objects and lists nested too deeply"),
        ("[" * 40 + "]" * 40, "objects and lists nested too deeply"),
        ("NaN", "it holds NaN, which JSON does not allow"),
        ("-Infinity", "it holds -Infinity"),
        # valid JSON, no character: printed in a difference, it crashed verify (exit 4)
        ('"\\ud800"', "a text holds a lone surrogate escape"),
        # Read as 84.0 (and 28800.0), these verified: a reader keeping decimals saw another
        # figure than the one checked (hunt 9); 1e400 read as Infinity, a mere difference
        (
            "83.99999999999999999999",
            "the number 83.99999999999999999999 is not the shortest decimal",
        ),
        (
            "28800.0000000000000000001",
            "the number 28800.0000000000000000001 is not the shortest decimal",
        ),
        ("0.1000000000000000055511151231257827", "the number 0.10000000000000000555111512312"),
        ("1e-400", "the number 1e-400 is not the shortest decimal of the double it reads as (0.0)"),
        ("1e400", "the number 1e400 is beyond the range of a double"),
        ("-1E400", "the number -1E400 is beyond the range of a double"),
    ],
    ids=[
        "huge-number",
        "deep-100000",
        "deep-40",
        "nan",
        "infinity",
        "lone-surrogate",
        "over-precise",
        "over-precise-whole",
        "binary-expansion",
        "underflow",
        "overflow",
        "overflow-negative",
    ],
)
def test_json_no_oxi_writes_is_bad_input_not_a_crash(
    night: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    insert: str,
    reason: str,
) -> None:
    """A 5000-digit number (ValueError) and deep nesting (RecursionError) were internal errors
    (exit 4); they, NaN and Infinity are now one line naming the file, exit 2."""
    edf, out = night
    text = _text(out).replace('"metrics": {', f'"metrics": {{"zz": {insert}, ', 1)
    summary = _submit(out, tmp_path, text)
    code, _, err = _verify(capsys, summary, edf)
    assert code == 2, err
    assert err.startswith(f"oxi: {summary}: not an oxi summary: {reason}")
    assert err.count("\n") == 1


def test_a_number_written_otherwise_but_the_same_double_verifies(
    night: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The over-precise refusal compares decimals: ``84``, ``84.000`` and ``8.4e1`` are the
    decimal of the double oxi wrote, and verify as it."""
    edf, out = night
    text = _text(out)
    nadir = json.loads(text)["metrics"]["presumed_sleep"]["nadir_pct"]
    assert nadir == int(nadir)  # a whole percent: all three spellings below are exact
    written = f'"nadir_pct": {nadir!r}'
    assert written in text
    for other in (f"{int(nadir)}", f"{nadir:.3f}", f"{nadir / 10!r}e1"):
        forged = text.replace(written, f'"nadir_pct": {other}')
        code, stdout, err = _verify(capsys, _submit(out, tmp_path / other, forged), edf)
        assert code == 0, (other, stdout, err)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_summary_that_is_a_pipe_is_refused_not_waited_on(
    night: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A FIFO named summary.json made verify wait for a writer forever (and a link to
    /dev/zero read without end): only a regular file is read."""
    edf, _ = night
    os.mkfifo(tmp_path / "summary.json")
    code, _, err = _verify(capsys, tmp_path / "summary.json", edf)
    assert code == 2
    assert err == f"oxi: {tmp_path / 'summary.json'}: not a summary.json: not a regular file\n"


def test_an_oversized_summary_is_refused_unread(
    night: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A summary larger than any oxi writes is refused by its size, not read into memory."""
    edf, _ = night
    big = tmp_path / "summary.json"
    with big.open("wb") as f:
        f.truncate(MAX_SUMMARY_BYTES + 1)  # sparse: no disk used
    code, _, err = _verify(capsys, big, edf)
    assert code == 2
    assert err == f"oxi: {big}: not a summary.json: larger than 128 MiB\n"


@pytest.mark.parametrize(
    "path", ["Smith_Jane_MRN4471.edf", {"name": "Smith_Jane_MRN4471.edf"}], ids=["text", "object"]
)
def test_a_deidentified_summary_naming_the_file_is_a_difference(
    night: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    path: object,
) -> None:
    """``input.path`` was ignored (the file may be renamed), so a "de-identified" summary giving
    the file's name (here the patient's) in place of its sha256 verified. In a de-identified
    summary it is compared, and the difference does not quote it."""
    edf, out = night
    s = json.loads(_text(out))
    s["input"]["path"] = path
    code, stdout, _ = _verify(capsys, _submit(out, tmp_path, json.dumps(s)), edf)
    assert code == 1
    assert (
        "input.path: a de-identified summary records the file by its sha256, this one by "
        "something else" in stdout
    )
    assert "Smith" not in stdout


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("parts", 5, "input.parts is not a list of files"),
        ("parts", [{"sha256": [1], "path": "x"}], "input.parts[0].sha256 is not a sha256"),
        ("companions", {"x": 1}, "input.companions is not a list of files"),
        (
            "companions",
            [{"path": "x.dat", "sha256": {}}],
            "input.companions[0].sha256 is not a sha256",
        ),
    ],
)
def test_files_listed_in_a_type_oxi_never_writes_are_not_an_oxi_summary(
    night: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    key: str,
    value: object,
    said: str,
) -> None:
    """``input.parts = 5`` on a one-file summary stopped verify as an internal error (exit 4,
    TypeError); a companions list of another type was read past. Both are one line naming the
    summary and the key, exit 2 (hunt 12)."""
    edf, out = night
    s = json.loads(_text(out))
    s["input"][key] = value
    summary = _submit(out, tmp_path, json.dumps(s))
    code, stdout, err = _verify(capsys, summary, edf)
    assert (code, stdout) == (2, "")
    assert err == f"oxi: {summary}: not an oxi summary: {said}\n"


def test_comparing_a_part_whose_sha256_is_no_text_names_the_file() -> None:
    """compare_summaries looked each part up by its sha256: a list there (unhashable) was a
    TypeError; it is a file the summary records that is not among those given."""
    part = {"path": "p0.SpO2", "sha256": "ab" * 32, "start": "2026-01-05T22:00:00", "samples": 9}
    recomputed = {"input": {"path": "p0.SpO2", "parts": [part]}}
    edited = json.loads(json.dumps(recomputed))
    edited["input"]["parts"][0]["sha256"] = ["ab" * 32]
    differences = compare_summaries(edited, recomputed)
    assert differences[0].startswith("input.parts: p0.SpO2 (sha256 ['ababababababab) recorded")


def test_a_deidentified_joined_night_naming_a_part_is_a_difference() -> None:
    """The same for each file of a joined night (``input.parts[N].path``)."""
    part = {"path": "ab" * 32, "sha256": "ab" * 32, "start": "2026-01-05T22:00:00", "samples": 9}
    recomputed = {"deidentified": True, "input": {"path": "cd" * 32, "parts": [part]}}
    named = json.loads(json.dumps(recomputed))
    named["input"]["parts"][0]["path"] = "Smith_Jane_part1.edf"
    assert compare_summaries(named, recomputed) == [
        "input.parts[0].path: a de-identified summary records the file by its sha256, this one "
        "by something else"
    ]
    # Not de-identified: where the file was is not compared (it may have been renamed).
    named["deidentified"] = recomputed["deidentified"] = False
    assert compare_summaries(named, recomputed) == []


def test_a_deidentified_summary_naming_its_annotation_file_is_a_difference() -> None:
    """The NSRR XML's path was ignored like the recording's (its sha256 is compared), so a
    "de-identified" summary could name it (``Smith_Jane-nsrr.xml``) and verify; there it must be
    ``sha256:<hex>``, as ``oxi analyze --deidentify`` writes it."""
    digest = "ef" * 32
    opts = {"annotations": "sha256:" + digest, "annotations_sha256": digest}
    part = {"path": "ab" * 32, "sha256": "ab" * 32, **opts}
    recomputed = {"deidentified": True, "input": {"read_options": dict(opts), "parts": [part]}}
    named = json.loads(json.dumps(recomputed))
    named["input"]["read_options"]["annotations"] = "/data/Smith_Jane-nsrr.xml"
    named["input"]["parts"][0]["annotations"] = "Smith_Jane-nsrr.xml"
    assert compare_summaries(named, recomputed) == [
        "input.read_options.annotations: a de-identified summary records the file by its "
        "sha256, this one by something else",
        "input.parts[0].annotations: a de-identified summary records the file by its sha256, "
        "this one by something else",
    ]
    named["deidentified"] = recomputed["deidentified"] = False
    assert compare_summaries(named, recomputed) == []


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (
            lambda t: t.replace('"metrics": {', '"metrics": {"zz": ' + "9" * 5000 + ", ", 1),
            "digits",
        ),
        (lambda t: t.replace('"metrics": {', '"metrics": {"zz": ' + "[" * 5000, 1), "nested"),
        (
            lambda t: t.replace('"main_window":', '"main_window": "sleep", "main_window":', 1),
            "twice",
        ),
    ],
    ids=["huge-number", "deep", "key-twice"],
)
def test_qualify_reads_a_summary_as_verify_does(
    night: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit,  # type: ignore[no-untyped-def]
    reason: str,
) -> None:
    """``oxi qualify --summary`` crashed (exit 4) on the first two and took one of two values
    for a key written twice; one line, exit 2, as ``oxi verify``."""
    _, out = night
    summary = tmp_path / "summary.json"
    summary.write_text(edit(_text(out)))
    context = tmp_path / "context.yaml"
    context.write_text("payer: masshealth\ndiagnoses: [J44.9]\n")
    code = main(["qualify", "--context", str(context), "--summary", str(summary)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"oxi: {summary}: not an oxi summary") and reason in err
    assert err.count("\n") == 1


def test_what_verify_did_not_check_is_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A forged report2.pdf beside the verified outputs, and a 'run' block (which oxi never
    writes) claiming a determination, passed in silence under "verified": each is now a note."""
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=4)
    edf = write_edf(rec, tmp_path / "night.edf")
    out = tmp_path / "out"
    assert main(["analyze", str(edf), "--out", str(out), "--no-report"]) == 0
    capsys.readouterr()
    s = json.loads((out / "summary.json").read_text())
    s["run"] = {"determination": "qualified", "reviewed_by": "payer"}
    (out / "summary.json").write_text(json.dumps(s))
    (out / "report2.pdf").write_bytes(b"%PDF-1.4 forged")
    (out / ".oxi-batch.json").write_text("{}")  # oxi batch's own marker: not named as foreign
    assert main(["verify", str(out / "summary.json"), str(edf)]) == 0
    stdout = capsys.readouterr().out
    assert "note: summary.json holds a 'run' block, which oxi analyze does not write" in stdout
    assert (
        "note: 1 other file(s) beside the summary, not outputs of oxi analyze, were not "
        "checked: report2.pdf" in stdout
    )


def test_verify_knows_the_batch_marker_by_name() -> None:
    from oxi.batch.worker import MARKER
    from oxi.verify import BATCH_MARKER

    assert BATCH_MARKER == MARKER


def test_a_summary_claiming_another_version_is_noted(
    night: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``software`` only explains other differences, so a summary claiming another version
    (one a payer may trust more) verified in silence; it is now a note."""
    edf, out = night
    s = json.loads(_text(out))
    s["software"]["version"] = "9.9.9-certified"
    code, stdout, _ = _verify(capsys, _submit(out, tmp_path, json.dumps(s)), edf)
    assert code == 0
    assert 'note: summary.json says it was made with {"name": "oxi", "version": "9.9.9-cert' in (
        stdout
    )


@pytest.mark.skipif(os.name != "posix", reason="file names as bytes")
def test_a_file_name_that_is_not_utf8_is_shown_escaped(tmp_path: Path) -> None:
    """A file beside the summary whose name is not UTF-8: named in a note, it crashed verify
    after its verdict under a strict UTF-8 terminal (exit 4 after "verified")."""
    import subprocess
    import sys

    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=4)
    edf = write_edf(rec, tmp_path / "night.edf")
    out = tmp_path / "out"
    assert main(["analyze", str(edf), "--out", str(out), "--no-report"]) == 0
    (Path(os.fsdecode(bytes(out) + b"/notes\xff.txt"))).write_bytes(b"")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    proc = subprocess.run(
        [sys.executable, "-m", "oxi", "verify", str(out / "summary.json"), str(edf)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "were not checked: notes\\xff.txt" in proc.stdout


def _with_context(tmp_path: Path) -> tuple[Path, Path, Path]:
    """An hour's night analysed with a small context: (recording, context, output folder)."""
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=4)
    edf = write_edf(rec, tmp_path / "night.edf")
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text("patient: {age_years: 70}\ntest: {type: overnight, room_air: true}\n")
    out = tmp_path / "out"
    assert main(["analyze", str(edf), "--out", str(out), "--no-report", "--context", str(ctx)]) == 0
    return edf, ctx, out


def test_a_context_taken_from_the_summary_is_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --context, verify recomputes the determination from the context the summary
    records: a forged age of 12 in it verified as a pediatric qualification without a word."""
    edf, ctx, out = _with_context(tmp_path)
    capsys.readouterr()
    assert main(["verify", str(out / "summary.json"), str(edf)]) == 0
    assert "note: the clinical context (age, diagnoses" in capsys.readouterr().out
    assert main(["verify", str(out / "summary.json"), str(edf), "--context", str(ctx)]) == 0
    assert "clinical context" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        # a walk recorded as a rest test under an exercise context: continuous oxygen
        (lambda s: s["settings"].update(test_type="rest"), "settings.test_type rest but"),
        # overlapping epochs: the whole night asleep and awake at once
        (
            lambda s: s["settings"].update(staging=[[0, 3600, "W"], [0, 3600, "N2"]]),
            "settings.staging[1] begins at 0 s",
        ),
        # no test type beside the context's overnight: oxi analyze always takes the context's
        # (a walk's summary so edited verified under an exercise context, hunt 10)
        (lambda s: s["settings"].update(test_type=None), "settings.test_type null but"),
        # a technologist's rejection placed past the end of the hour's night: --exclude refuses
        # it as excluding nothing, and a summary recording it verified
        (
            lambda s: s["settings"].update(exclude_s=[[4000, 4100]]),
            "settings.exclude_s[0] (4000 s to 4100 s from the start) lies outside the recording",
        ),
        (
            lambda s: s["settings"].update(exclude_s=[[0, 60], [3600, 3700]]),
            "settings.exclude_s[1] (3600 s to 3700 s from the start) lies outside",
        ),
        # --awake refuses a span past the end; recorded, it was a difference in the warnings
        (
            lambda s: s["settings"].update(awake_span_s=[3700, 3800]),
            "settings.awake_span_s (3700 s to 3800 s from the start) lies outside",
        ),
    ],
    ids=[
        "test-type",
        "overlapping-staging",
        "no-test-type",
        "exclude-outside",
        "second-exclude-outside",
        "awake-outside",
    ],
)
def test_settings_oxi_analyze_refuses_are_not_an_oxi_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Any, reason: str
) -> None:
    edf, _, out = _with_context(tmp_path)
    s = json.loads((out / "summary.json").read_text())
    edit(s)
    (out / "summary.json").write_text(json.dumps(s))
    capsys.readouterr()
    code, _, err = _verify(capsys, out / "summary.json", edf)
    assert code == 2 and reason in err and err.count("\n") == 1, err


def test_a_span_outside_another_recording_is_another_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Spans are checked against the recording the summary was made from: a genuine
    ``--exclude`` in the last half hour of an hour's night, verified against another night of
    half an hour, is another file (exit 1), not a forged summary (exit 2)."""
    edf, _, out = _with_context(tmp_path)
    ctx = tmp_path / "ctx.yaml"
    assert main(["analyze", str(edf), "--out", str(out), "--no-report", "--context", str(ctx),
                 "--exclude", "3000-3500"]) == 0  # fmt: skip
    short, _ = simulate_night(fs=1.0, duration_s=1800, seed=6)
    other = write_edf(short, tmp_path / "other.edf")
    capsys.readouterr()
    code, stdout, err = _verify(capsys, out / "summary.json", other)
    assert code == 1, err
    assert "input.sha256: the summary was made from another file" in stdout
    code, _, err = _verify(capsys, out / "summary.json", edf)
    assert code == 0, err


def test_a_context_giving_a_type_beside_a_summary_made_without_one_is_another_context(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A genuine summary made with a context without test.type (settings.test_type null),
    verified with --context naming one (overnight), was "not an oxi summary: settings.test_type
    null but its context's test.type is overnight" (exit 2, review of hunt 10): the null check
    read the file given, not the context the summary records. It is a difference of the file
    given (exit 1), as a context of another type is; the forged null beside the summary's own
    context's type stays refused."""
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=4)
    edf = write_edf(rec, tmp_path / "night.edf")
    untyped = tmp_path / "untyped.yaml"
    untyped.write_text("patient: {age_years: 70}\ntest: {room_air: true}\n")
    typed = tmp_path / "typed.yaml"
    typed.write_text("patient: {age_years: 70}\ntest: {type: overnight, room_air: true}\n")
    out = tmp_path / "out"
    args = ["analyze", str(edf), "--out", str(out), "--no-report", "--context", str(untyped)]
    assert main(args) == 0
    summary = out / "summary.json"
    assert json.loads(summary.read_text())["settings"]["test_type"] is None
    capsys.readouterr()
    assert main(["verify", str(summary), str(edf), "--context", str(untyped)]) == 0
    capsys.readouterr()
    code = main(["verify", str(summary), str(edf), "--context", str(typed)])
    got = capsys.readouterr()
    assert code == 1, got.err
    assert "context: the context file given is not the context the summary records" in got.out
    assert "not an oxi summary" not in got.err
    # the summary's own context given the type, its settings' null kept: forged, with or
    # without the file given
    s = json.loads(summary.read_text())
    s["context"]["test"]["type"] = "overnight"
    summary.write_text(json.dumps(s))
    for extra in ([], ["--context", str(typed)], ["--context", str(untyped)]):
        capsys.readouterr()
        assert main(["verify", str(summary), str(edf), *extra]) == 2
        assert "settings.test_type null but" in capsys.readouterr().err


@pytest.mark.parametrize("own_staging", [True, False])
def test_staging_given_with_hypnogram_is_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], own_staging: bool
) -> None:
    """A PSG whose own staging scores 12 min at 86 % awake (not qualified), analysed with a
    hypnogram scoring them N2 (qualified): the epochs are recorded in settings.staging and
    analysed again as recorded, and `oxi verify` said only "verified" (hunt 16), where it names
    an annotation file read in place of the one beside the recording. Now a note says the
    stages were given, not checked, and what they set aside."""
    stages = [(0.0, 1800.0, "W"), (1800.0, 5400.0, "N2"), (7200.0, 900.0, "W")]
    stages.append((8100.0, 4 * 3600 - 8100.0, "N2"))
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=4 * 3600,
        seed=3,
        noise_pts=0.8,
        sustained_drops=[(7200.0, 720.0, 86.0)],
        stages=stages if own_staging else False,
    )
    edf = write_edf(rec, tmp_path / "night.edf")
    hypnogram = tmp_path / "stages.csv"
    epochs = "".join(f"{i},{'W' if i < 10 else 'N2'}\n" for i in range(4 * 120))
    hypnogram.write_text("epoch,stage\n" + epochs)
    out = tmp_path / "out"
    argv = ["analyze", str(edf), "--hypnogram", str(hypnogram), "--out", str(out)]
    assert main([*argv, "--no-report"]) == 0
    capsys.readouterr()
    assert main(["verify", str(out / "summary.json"), str(edf)]) == 0
    stdout = capsys.readouterr().out
    assert "note: sleep stages were given with --hypnogram (480 epochs" in stdout
    set_aside = "in place of the recording's own staging, which was set aside" in stdout
    assert set_aside is own_staging
    # without --hypnogram nothing is said of the staging
    plain = tmp_path / "plain"
    assert main(["analyze", str(edf), "--out", str(plain), "--no-report"]) == 0
    capsys.readouterr()
    assert main(["verify", str(plain / "summary.json"), str(edf)]) == 0
    assert "--hypnogram" not in capsys.readouterr().out


def test_lights_given_in_place_of_the_recordings_marks_are_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A night whose recording marks lights off at 22:00, analysed with --lights-off 21:00 over a
    12-min dip at 21:20 (qualifying on the option, not on its own marks): `oxi verify` said only
    "verified" (hunt 16). Now a note names the option and the mark it set aside."""
    import datetime as dt

    rec, _ = simulate_night(
        fs=1.0,
        duration_s=7 * 3600,
        seed=3,
        noise_pts=0.8,
        sustained_drops=[(1200.0, 720.0, 86.0)],
        lights_s=(3600.0, 6.5 * 3600),
        start=dt.datetime(2026, 1, 4, 21, 0, 0),
    )
    edf = write_edf(rec, tmp_path / "night.edf")
    out = tmp_path / "out"
    argv = ["analyze", str(edf), "--lights-off", "21:00", "--out", str(out), "--no-report"]
    assert main(argv) == 0
    capsys.readouterr()
    assert main(["verify", str(out / "summary.json"), str(edf)]) == 0
    stdout = capsys.readouterr().out
    assert "note: the windows were placed by options given to the analysis (--lights-off;" in stdout
    assert "The recording marks lights off at 22:00:00; --lights-off (21:00:00)" in stdout
    awake = tmp_path / "awake"
    assert main([*argv[:-3], "--awake", "21:00-21:10", "--out", str(awake), "--no-report"]) == 0
    capsys.readouterr()
    assert main(["verify", str(awake / "summary.json"), str(edf)]) == 0
    assert "(--lights-off, --awake; recorded in settings)" in capsys.readouterr().out
