"""``oxi verify`` against forged summaries and swapped outputs (issue 11), through the command.

Exit status 0 verified, 1 mismatch (grouped: identity, figures, determination, files), 2 not an
oxi summary / bad input, 4 an internal error. Every forgery here was once accepted.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from oxi import cli
from oxi.cli import main
from oxi.verify import group_differences
from oximetry.simulate import simulate_night, write_edf


def _night(path: Path, seed: int) -> Path:
    drop_at = 1000.0 * seed - 2000.0  # the two nights' events differ
    rec, _ = simulate_night(
        fs=1.0, duration_s=2 * 3600, seed=seed, sustained_drops=[(drop_at, 420.0, 86.0)]
    )
    return write_edf(rec, path)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    tmp = tmp_path_factory.mktemp("forgery")
    edf, other = _night(tmp / "a.edf", 5), _night(tmp / "b.edf", 6)
    for rec, out in ((edf, tmp / "out-a"), (other, tmp / "out-b")):
        assert main(["analyze", str(rec), "--out", str(out), "--deidentify"]) == 0
    return edf, tmp / "out-a", tmp / "out-b"


def _copy(folder: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "submitted"
    shutil.copytree(folder, dest)
    return dest


def _verify(capsys: pytest.CaptureFixture[str], summary: Path, rec: Path) -> tuple[int, str, str]:
    code = main(["verify", str(summary), str(rec)])
    got = capsys.readouterr()
    return code, got.out, got.err


def test_summary_records_the_hash_of_every_output(outputs: tuple[Path, Path, Path]) -> None:
    import hashlib

    _, out, _ = outputs
    s = json.loads((out / "summary.json").read_text())
    assert set(s["files"]) == {"events.csv", "report.pdf", "trace.png"}
    for name, digest in s["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


def test_untouched_outputs_verify(
    outputs: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    edf, out, _ = outputs
    code, stdout, _ = _verify(capsys, out / "summary.json", edf)
    assert code == 0 and stdout.startswith("verified")


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda s: s["settings"].__setitem__("drop_pts", -100), "settings.drop_pts is -100"),
        (lambda s: s["settings"]["odi"].__setitem__("baseline_window_s", 3e9), "settings.odi"),
        (lambda s: s["settings"].__setitem__("lights_off_s", 1e300), "lights off"),
        (lambda s: s["settings"].__setitem__("o2_flow_lpm", "2"), "o2_flow_lpm"),
        (lambda s: s["settings"].__setitem__("staging", [[0, 30, "Deep"]]), "staging[0]"),
        (lambda s: s["settings"].__setitem__("extra", 1), "unknown settings"),
        (lambda s: s.__setitem__("Software", 1), "unknown key(s) 'Software'"),
        (  # said by its length: a key may be a value whose colon was missed (hunt 15)
            lambda s: s.__setitem__("approved_by", "me"),
            "unknown key(s) (text of 11 characters, not shown",
        ),
        (lambda s: s.__setitem__("softwar", 1), "did you mean 'software'?"),
        (lambda s: s["input"]["read_options"].__setitem__("fs", 1e9), "read_options.fs"),
        (lambda s: s["qualification"].__setitem__("profile", "acme"), "qualification.profile"),
        (  # a scoring's sha256 where none was read verified, vouching for it (hunt 13)
            lambda s: s["input"]["read_options"].__setitem__("annotations_sha256", "c" * 64),
            "read_options.annotations_sha256 without an annotation file",
        ),
    ],
)
def test_forged_settings_and_keys_are_not_an_oxi_summary(
    outputs: tuple[Path, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit,  # type: ignore[no-untyped-def]
    needle: str,
) -> None:
    edf, out, _ = outputs
    folder = _copy(out, tmp_path)
    s = json.loads((folder / "summary.json").read_text())
    edit(s)
    (folder / "summary.json").write_text(json.dumps(s))
    code, _, err = _verify(capsys, folder / "summary.json", edf)
    assert code == 2, err
    assert "not an oxi summary" in err and needle in err and err.count("\n") == 1


def test_a_qualifying_forgery_through_the_context_is_caught(
    outputs: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's forgery: edited determination and recorded evidence, files left alone."""
    edf, out, _ = outputs
    folder = _copy(out, tmp_path)
    s = json.loads((folder / "summary.json").read_text())
    s["qualification"]["determination"] = "qualified"
    (folder / "summary.json").write_text(json.dumps(s))
    code, stdout, _ = _verify(capsys, folder / "summary.json", edf)
    assert code == 1
    assert "\ndetermination:\n  - qualification.determination" in stdout


@pytest.mark.parametrize("name", ["report.pdf", "trace.png", "events.csv"])
def test_swapped_or_missing_outputs_are_mismatches(
    outputs: tuple[Path, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    edf, out, other = outputs
    swapped = _copy(out, tmp_path / "s")
    shutil.copy(other / name, swapped / name)  # another night's output
    code, stdout, _ = _verify(capsys, swapped / "summary.json", edf)
    assert code == 1 and f"files:\n  - {name} beside the summary is not the file" in stdout
    missing = _copy(out, tmp_path / "m")
    (missing / name).unlink()
    code, stdout, _ = _verify(capsys, missing / "summary.json", edf)
    assert code == 1 and f"{name}: recorded in the summary but missing beside it" in stdout


@pytest.mark.parametrize("name", ["report.pdf", "trace.png"])
def test_swapped_output_with_its_hash_edited_is_still_caught(
    outputs: tuple[Path, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    """De-identified (no identification on page 1): the report and trace are rendered again."""
    import hashlib

    edf, out, other = outputs
    folder = _copy(out, tmp_path)
    shutil.copy(other / name, folder / name)
    s = json.loads((folder / "summary.json").read_text())
    s["files"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    (folder / "summary.json").write_text(json.dumps(s))
    code, stdout, _ = _verify(capsys, folder / "summary.json", edf)
    assert (
        code == 1 and f"files.{name}: the recorded {name} is not the one rendered again" in stdout
    )


def test_differences_are_grouped() -> None:
    lines = [
        "input.sha256: the summary was made from another file",
        "metrics.sleep.t_le88_min: summary says 1, recomputed 2",
        "qualification.determination: summary says x, recomputed y",
        "report.pdf: recorded in the summary but missing beside it",
        "events.table_sha256: summary says a, recomputed b",
    ]
    assert group_differences(lines) == {
        "identity": [lines[0]],
        "figures": [lines[1], lines[4]],
        "determination": [lines[2]],
        "files": [lines[3]],
    }


def test_an_internal_error_exits_4_never_1_or_2(
    outputs: tuple[Path, Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    edf, out, _ = outputs

    def broken(*args: object, **kwargs: object) -> list[str]:
        return [][1]  # an IndexError: a bug, not the input's fault

    for command, name in (("verify", "verify"), ("info", "inspect_recording")):
        monkeypatch.setattr(cli, name, broken)
        argv = (
            ["verify", str(out / "summary.json"), str(edf)]
            if command == "verify"
            else [
                "info",
                str(edf),
            ]
        )
        assert main(argv) == 4
        err = capsys.readouterr().err
        assert err.startswith("oxi: internal error: IndexError at test_verify_forgery.py:")
        assert err.count("\n") == 1 and "Traceback" not in err


_CONTEXT = """\
payer: masshealth
patient: {name: "Example, Fictional", member_id: "EX-1", age_years: 70}
test: {type: overnight, room_air: true, setting: outpatient, chronic_stable_state: true}
diagnoses: [J44.9]
"""


@pytest.fixture(scope="module")
def identified(
    outputs: tuple[Path, Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, Path]:
    """Reports that show the patient's name (not de-identified): this night's and another's."""
    edf, _, _ = outputs
    tmp = tmp_path_factory.mktemp("identified")
    ctx = tmp / "context.yaml"
    ctx.write_text(_CONTEXT)
    other_ctx = tmp / "other.yaml"
    other_ctx.write_text(_CONTEXT.replace("Example, Fictional", "Someone, Else"))
    for c, out in ((ctx, tmp / "out"), (other_ctx, tmp / "out-other")):
        assert main(["analyze", str(edf), "--out", str(out), "--context", str(c)]) == 0
    return ctx, tmp / "out", tmp / "out-other"


def test_identified_report_is_rendered_again_with_its_context(
    outputs: tuple[Path, Path, Path],
    identified: tuple[Path, Path, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    edf, _, _ = outputs
    ctx, out, _ = identified
    assert main(["verify", str(out / "summary.json"), str(edf), "--context", str(ctx)]) == 0
    assert "note:" not in capsys.readouterr().out
    # Without the context the report cannot be checked (its recorded hash is only as good as
    # the summary that records it), and the verdict line says so.
    assert main(["verify", str(out / "summary.json"), str(edf)]) == 0
    stdout = capsys.readouterr().out
    assert stdout.startswith("verified, except report.pdf (NOT checked)")
    assert "note: report.pdf was NOT checked" in stdout


def test_identified_report_swapped_with_its_hash_edited_is_caught_with_the_context(
    outputs: tuple[Path, Path, Path],
    identified: tuple[Path, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Same night and figures, another patient's name on page 1, the hash edited to match."""
    import hashlib

    edf, _, _ = outputs
    ctx, out, other = identified
    folder = _copy(out, tmp_path)
    shutil.copy(other / "report.pdf", folder / "report.pdf")
    s = json.loads((folder / "summary.json").read_text())
    s["files"]["report.pdf"] = hashlib.sha256((folder / "report.pdf").read_bytes()).hexdigest()
    (folder / "summary.json").write_text(json.dumps(s))
    code = main(["verify", str(folder / "summary.json"), str(edf), "--context", str(ctx)])
    stdout = capsys.readouterr().out
    assert code == 1
    assert "files.report.pdf: the recorded report.pdf is not the one rendered again" in stdout


@pytest.mark.parametrize(
    ("old", "new"),
    # another age; another test type (verify recomputed with the file given and called the
    # genuine summary "not an oxi summary", exit 2)
    [("age_years: 70", "age_years: 71"), ("type: overnight", "type: rest")],
)
def test_a_context_file_other_than_the_recorded_one_is_a_difference(
    outputs: tuple[Path, Path, Path],
    identified: tuple[Path, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
) -> None:
    edf, _, _ = outputs
    _, out, _ = identified
    changed = tmp_path / "changed.yaml"
    changed.write_text(_CONTEXT.replace(old, new))
    code = main(["verify", str(out / "summary.json"), str(edf), "--context", str(changed)])
    stdout = capsys.readouterr().out
    assert code == 1
    assert "context: the context file given is not the context the summary records" in stdout


def test_a_report_swapped_under_a_context_without_a_patient_block_is_caught(
    outputs: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A context without ``patient`` gives page 1 no identification: verify --context skipped
    the report as if no context were given, and said "verified" with another night's report
    (its hash edited to match) beside the summary."""
    import hashlib

    edf, _, _ = outputs
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text("\n".join(line for line in _CONTEXT.splitlines()
                             if not line.startswith(("patient:", "  name:", "  member_id:"))))  # fmt: skip
    assert "patient:" not in ctx.read_text()
    other = _night(tmp_path / "other.edf", 6)
    for rec, out in ((edf, tmp_path / "out"), (other, tmp_path / "out-other")):
        assert main(["analyze", str(rec), "--out", str(out), "--context", str(ctx)]) == 0
    capsys.readouterr()
    assert main(["verify", str(tmp_path / "out" / "summary.json"), str(edf), "--context",
                 str(ctx)]) == 0  # fmt: skip
    assert "NOT checked" not in capsys.readouterr().out  # rendered again, and the same
    folder = _copy(tmp_path / "out", tmp_path)
    shutil.copy(tmp_path / "out-other" / "report.pdf", folder / "report.pdf")
    s = json.loads((folder / "summary.json").read_text())
    s["files"]["report.pdf"] = hashlib.sha256((folder / "report.pdf").read_bytes()).hexdigest()
    (folder / "summary.json").write_text(json.dumps(s))
    code = main(["verify", str(folder / "summary.json"), str(edf), "--context", str(ctx)])
    assert code == 1
    assert "files.report.pdf: the recorded report.pdf is not the one rendered again" in (
        capsys.readouterr().out
    )
