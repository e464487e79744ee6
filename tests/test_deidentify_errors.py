"""What a ``--deidentify`` error may name (oxi/privacy.py, docs/privacy.md).

A folder of one night's files named after the patient: ``oxi analyze night/ --deidentify``
printed "night/Quokkaman_Zyxwv_2.edf: overlaps night/Quokkaman_Zyxwv_1.edf", and the "several
SpO2 channels ('…', '…')" error withheld the labels that ``--channel`` needs. A file found by
listing a folder is now said by its place, a typed path as typed, channel labels are shown with
the header's identifiers redacted, and what else a message quotes from a file stays withheld.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from oxi.cli import main
from oxi.privacy import describe_path, found_files
from oximetry.errors import ChannelNotFoundError, deidentified_reason
from oximetry.io import read_recording
from oximetry.simulate import simulate_night, write_edf
from tests.io_fixtures import write_edf_pyedflib

STEM = "Quokkaman_Zyxwv"


def _night_folder(tmp_path: Path, overlap: bool) -> Path:
    """Two 3-h EDFs of one night, named after the patient; the second starts inside the first
    when ``overlap``."""
    night = tmp_path / "night"
    night.mkdir()
    second = dt.datetime(2026, 11, 21, 0, 30 if overlap else 1)
    for k, start in enumerate((dt.datetime(2026, 11, 20, 22, 0), second), 1):
        rec, _ = simulate_night(fs=1, duration_s=3 * 3600, seed=k, start=start)
        write_edf(rec, night / f"{STEM}_{k}.edf")
    return night


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    return capsys.readouterr().err


def test_files_found_in_a_folder_are_said_by_their_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    night = _night_folder(tmp_path, overlap=True)
    args = ["analyze", str(night), "--no-report", "--out", str(tmp_path / "out")]
    plain = _run(args, capsys)
    assert f"{STEM}_2.edf" in plain and f"{STEM}_1.edf" in plain  # positive control
    err = _run([*args, "--deidentify"], capsys)
    assert "quokkaman" not in err.lower(), err
    assert err.startswith(f"oxi: file 2 of 2 in {night} (by name): overlaps file 1 of 2 in {night}")


def test_a_broken_file_found_in_a_folder_is_said_by_its_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    night = _night_folder(tmp_path, overlap=False)
    (night / f"{STEM}_3.edf").write_text(f"Patient {STEM}\n")
    args = ["analyze", str(night), "--no-report", "--deidentify", "--out", str(tmp_path / "o")]
    err = _run(args, capsys)
    assert "quokkaman" not in err.lower(), err
    assert err.startswith(f"oxi: file 3 of 3 in {night} (by name): not an EDF file")


def test_a_typed_file_name_is_the_users_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The name typed on the command line is printed as typed (docs/batch.md)."""
    bad = tmp_path / f"{STEM}.edf"
    bad.write_text(f"Patient {STEM}\n")
    err = _run(["analyze", str(bad), "--no-report", "--deidentify"], capsys)
    assert err.startswith(f"oxi: {bad}: not an EDF file")


def _two_oximeters(path: Path) -> Path:
    """An EDF+ whose two SpO2 channels a technician labelled with the patient's name."""
    n = 3600
    return write_edf_pyedflib(
        path,
        [("SpO2 Quokkaman", "%", 1, np.full(n, 95.0)), ("SpO2 Zyxwv", "%", 1, np.full(n, 96.0))],
        patient_name="Zyxwv_Quokkaman",
    )


def test_several_spo2_channels_are_named_so_that_one_can_be_chosen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    edf = _two_oximeters(folder / "a.edf")
    with pytest.raises(ChannelNotFoundError) as caught:
        read_recording(edf)
    # plain too: a terminal is a log (SPEC §10), the labels printed whole named the header's
    # patient (hunt 16)
    assert "'SpO2 [redacted]', 'SpO2 [redacted]'" in str(caught.value)
    assert "'SpO2 [redacted]', 'SpO2 [redacted]'" in deidentified_reason(caught.value)
    for given in (str(edf), str(folder)):
        out = str(tmp_path / "out")
        err = _run(["analyze", given, "--no-report", "--deidentify", "--out", out], capsys)
        assert "several SpO2 channels ('SpO2 [redacted]', 'SpO2 [redacted]')" in err, err
        assert "quokkaman" not in err.lower() and "zyxwv" not in err.lower()


def test_a_channel_without_valid_oximetry_is_named_without_the_patient(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'no valid oximetry: SpO2 Zyxwv is -1 ...' was printed whole under --deidentify: the
    label is not quoted, so nothing was withheld, and the header's name not redacted."""
    edf = write_edf_pyedflib(
        tmp_path / "a.edf", [("SpO2 Zyxwv", "%", 1, np.full(600, -1.0))], patient_name="Zyxwv_Q"
    )
    err = _run(["analyze", str(edf), "--no-report", "--deidentify", "--out", str(tmp_path)], capsys)
    assert "no valid oximetry: SpO2 [redacted] is -1" in err, err
    assert "zyxwv" not in err.lower()


def test_a_batch_error_row_names_the_channels(tmp_path: Path) -> None:
    from oxi.batch import run_batch
    from oxi.pipeline import AnalyzeRequest

    (tmp_path / "in").mkdir()
    edf = write_edf_pyedflib(
        tmp_path / "in" / f"{STEM}.edf",
        [("SpO2", "%", 1, np.full(3600, 95.0)), ("SaO2", "%", 1, np.full(3600, 96.0))],
    )
    request = AnalyzeRequest(report=False, deidentify=True)
    result = run_batch([str(edf)], tmp_path / "out", request=request, progress=False)
    (row,) = result.rows
    assert "several SpO2 channels ('SpO2', 'SaO2')" in row.values["error"]
    assert "quokkaman" not in str(row.values).lower()


def test_a_path_oxi_found_is_never_printed_by_name(tmp_path: Path) -> None:
    """The rule for every path an error names (an OSError's too): typed as typed, listed by its
    place, beside a typed one by its folder, an output by oxi's own name."""
    night = _night_folder(tmp_path, overlap=False)
    typed = [str(night), str(tmp_path / "out")]
    found = found_files(typed)
    assert describe_path(str(night / f"{STEM}_2.edf"), typed, found) == (
        f"file 2 of 2 in {night} (by name)"
    )
    assert describe_path(str(night), typed, found) == str(night)
    beside = describe_path(str(night / f"{STEM}.dat"), typed, found)
    assert beside == f"a file in {night} (name withheld under --deidentify)"
    elsewhere = describe_path(f"/elsewhere/{STEM}.edf", typed, found)
    assert "quokkaman" not in elsewhere.lower()
    out = str(tmp_path / "out" / "summary.json")
    assert describe_path(out, typed, found, str(tmp_path / "out")) == out


@pytest.mark.parametrize("deidentify", [False, True])
def test_a_context_text_too_long_is_never_quoted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], deidentify: bool
) -> None:
    """An interpretation of 20028 characters starting with the patient's name (hunt 12): the
    error cut its quoted value short without the closing quote, and ``--deidentify``, which
    withholds text between two quotes, printed ``got 'Quokkaman Zyxwv desaturates xxx…``. The
    free text is now said by its kind and length, with or without ``--deidentify``."""
    root = Path(__file__).resolve().parents[1]
    text = f"{STEM.replace('_', ' ')} desaturates {'x' * 20000}"
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(
        (root / "data" / "example-context.yaml").read_text()
        + f'interpretation:\n  text: "{text}"\n'
    )
    args = ["analyze", str(root / "data" / "example-night.edf"), "--context", str(ctx)]
    args += ["--no-report", "--out", str(tmp_path / "out")]
    err = _run([*args, "--deidentify"] if deidentify else args, capsys)
    assert "quokkaman" not in err.lower() and "zyxwv" not in err.lower(), err
    assert f"got text of {len(text)} characters (not shown: it may identify" in err, err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "patient",
    [
        "{age_years: 13.07.1949}",  # the birth date typed as the age
        '{age_years: "1949-07-13"}',
        "{name_matches_recording: Quokkaman Zyxwv}",
        "{age_from_birth_date: QZ-9988776}",
    ],
)
@pytest.mark.parametrize("deidentify", [False, True])
def test_a_bad_value_of_the_patient_is_never_quoted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], patient: str, deidentify: bool
) -> None:
    """A value refused under ``patient:`` is the patient's, whichever key holds it: a birth date
    typed as ``age_years`` was quoted in the error line (hunt 13), which logs keep, where
    ``name``, ``member_id`` and ``birth_date`` are never quoted. The error says the key and
    what the value is. (A sex is quoted as written: ``female``, allowed F | M | X | U.)"""
    root = Path(__file__).resolve().parents[1]
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(f"patient: {patient}\n")
    args = ["analyze", str(root / "data" / "example-night.edf"), "--context", str(ctx)]
    args += ["--no-report", "--out", str(tmp_path / "out")]
    err = _run([*args, "--deidentify"] if deidentify else args, capsys)
    for secret in ("1949", "13.07", "quokkaman", "zyxwv", "9988776"):
        assert secret not in err.lower(), err
    assert "(not shown: it may identify the patient)" in err, err
    if not deidentify:
        assert "context key 'patient." in err, err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("deidentify", [True, False])
def test_a_channel_label_naming_the_contexts_patient_is_redacted_in_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], deidentify: bool
) -> None:
    """The header names someone else (or no one): "no channel labelled 'Foo'; channels: ['SpO2
    Quackenbush', 'SaO2']" named the patient the context gives, under --deidentify too (hunt
    15). The typed path is printed as typed."""
    x = np.full(3600, 95.0)
    edf = write_edf_pyedflib(
        tmp_path / "n.edf", [("SpO2 Quackenbush", "%", 1.0, x), ("SaO2", "%", 1.0, x)]
    )
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text('patient: {name: "Quackenbush, Zebulon", member_id: QZ-9988776}\n')
    args = ["analyze", str(edf), "--context", str(ctx), "--channel", "Foo", "--no-report"]
    err = _run(
        [*args, "--out", str(tmp_path / "o"), *(["--deidentify"] if deidentify else [])], capsys
    )
    assert "channels: ['SpO2 [redacted]', 'SaO2']" in err and str(edf) in err
    assert "quackenbush" not in err.lower()


@pytest.mark.parametrize("deidentify", [True, False])
def test_an_errors_own_words_keep_a_context_name_that_is_a_word(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], deidentify: bool
) -> None:
    """A context naming "May, Lee": the error of a CSV whose first column has no name said "its
    numbers [redacted] be seconds from the start", the context's spellings taken out of the
    error's own words, not only of what it quotes (review of hunt 15)."""
    rows = "".join(f"{k},95,70\n" for k in range(600))
    csv = tmp_path / "idx.csv"
    csv.write_text(",SpO2,Pulse\n" + rows)
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text('patient: {name: "May, Lee"}\ntest: {type: overnight}\n')
    args = ["analyze", str(csv), "--context", str(ctx), "--no-report"]
    err = _run(
        [*args, "--out", str(tmp_path / "o"), *(["--deidentify"] if deidentify else [])], capsys
    )
    assert "its numbers may be seconds from the start" in err, err
    assert "[redacted]" not in err
