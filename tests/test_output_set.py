"""The outputs of one recording are written as a unit, into a folder named safely (issue 11)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from oxi.batch.inputs import folder_names
from oxi.cli import main
from oxi.pipeline import default_out_dir, folder_name
from oximetry.report import atomic
from oximetry.report.atomic import write_set
from oximetry.simulate import simulate_night, write_edf

OWNED = ("summary.json", "events.csv", "report.pdf", "trace.png")


def _set(tag: str) -> dict[str, bytes | str]:
    return {name: f"{tag}:{name}" for name in OWNED}


def _contents(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in folder.iterdir()}


def test_a_set_replaces_the_old_one_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_set(out, _set("A"), OWNED)
    assert _contents(out) == {n: f"A:{n}" for n in OWNED}
    write_set(out, {n: f"B:{n}" for n in ("summary.json", "events.csv")}, OWNED)
    # B's set has no report: A's report is not left beside B's summary
    assert _contents(out) == {"summary.json": "B:summary.json", "events.csv": "B:events.csv"}
    assert sorted(os.listdir(tmp_path)) == ["out"]  # no temporary left beside it


def test_a_linked_output_folder_receives_the_set(tmp_path: Path) -> None:
    """``--out link`` to a folder: the link itself was swapped for a new folder, the old set
    stayed where it pointed (a share), shown as current, and a hidden temporary was left."""
    share = tmp_path / "share"
    write_set(share, _set("A"), OWNED)
    (tmp_path / "link").symlink_to(share)
    write_set(tmp_path / "link", _set("B"), OWNED)
    assert (tmp_path / "link").is_symlink()
    assert _contents(share) == {n: f"B:{n}" for n in OWNED}
    assert sorted(os.listdir(tmp_path)) == ["link", "share"]


def test_an_output_path_that_is_a_file_or_a_read_only_folder_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file named as --out said "<temporary>: Not a directory"; a folder made read-only to
    keep a set was replaced (its rename needs only the parent's permission), exit 0."""
    (tmp_path / "afile").write_text("x")
    with pytest.raises(NotADirectoryError, match="afile"):
        write_set(tmp_path / "afile", _set("A"), OWNED)
    kept = tmp_path / "kept"
    write_set(kept, _set("A"), OWNED)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: mode != os.W_OK and real_access(p, mode))
    with pytest.raises(PermissionError, match="read-only"):
        write_set(kept, _set("B"), OWNED)
    assert _contents(kept) == {n: f"A:{n}" for n in OWNED}


def test_an_interrupted_write_leaves_the_old_set_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_set(out, _set("A"), OWNED)
    calls = []
    real_write = atomic._write_fd

    def interrupted(fd: int, data: bytes | str) -> None:
        calls.append(data)
        if len(calls) == 3:  # B's third file: the process is stopped here
            os.close(fd)
            raise KeyboardInterrupt
        real_write(fd, data)

    monkeypatch.setattr(atomic, "_write_fd", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_set(out, _set("B"), OWNED)
    assert _contents(out) == {n: f"A:{n}" for n in OWNED}
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_a_failed_swap_keeps_the_old_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    write_set(out, _set("A"), OWNED)
    real_replace = os.replace

    def failing(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == out:  # the new set cannot be moved into place
            raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", failing)
    with pytest.raises(OSError):
        write_set(out, _set("B"), OWNED)
    # the old set is whole (under a hidden name beside it) and no new file is mixed into it
    kept = [p for p in tmp_path.iterdir() if p.name != "out"]
    assert not out.exists() and len(kept) == 1
    assert _contents(kept[0]) == {n: f"A:{n}" for n in OWNED}


def test_a_folder_with_other_files_keeps_them_and_gets_summary_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "desk"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    write_set(out, _set("A"), OWNED)
    order: list[str] = []
    real = os.replace

    def spy(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        # whenever a file of B lands, A's summary is already gone
        assert not (out / "summary.json").exists() or Path(dst).name == "summary.json"
        order.append(Path(dst).name)
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", spy)
    write_set(out, _set("B"), OWNED)
    assert order[-1] == "summary.json"
    assert _contents(out) == {"notes.txt": "mine", **{n: f"B:{n}" for n in OWNED}}


def test_a_failed_write_in_a_shared_folder_leaves_no_mixed_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a folder holding the user's files, a full disk at trace.png left B's new report.pdf
    beside A's events.csv and trace.png: every file is now written before any is renamed."""
    out = tmp_path / "desk"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    write_set(out, _set("A"), OWNED)
    real = atomic._write_fd

    def full(fd: int, data: bytes | str) -> None:
        if str(data).startswith("B:trace"):
            os.close(fd)
            raise OSError(28, "No space left on device")
        real(fd, data)

    monkeypatch.setattr(atomic, "_write_fd", full)
    with pytest.raises(OSError, match="No space"):
        write_set(out, _set("B"), OWNED)
    left = _contents(out)
    assert left == {"notes.txt": "mine", **{n: f"A:{n}" for n in OWNED if n != "summary.json"}}


@pytest.mark.parametrize(
    ("given", "expected"),
    [("night", "night"), ("..", "recording"), (".", "recording"), ("...", "recording"),
     (".hidden", "_hidden"), ("a/b", "a_b"), ("a\\b", "a_b"), ("x\ny", "x_y")],
)  # fmt: skip
def test_folder_names_are_sanitised(given: str, expected: str) -> None:
    assert folder_name(given) == expected


def test_a_recording_named_dots_edf_stays_inside_the_output_folder(tmp_path: Path) -> None:
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=2)
    dots = write_edf(rec, tmp_path / "...edf")
    assert default_out_dir(dots, deidentify=False) == Path("oxi-out") / "recording"
    assert folder_names([str(dots), str(tmp_path / "..." / "x.edf")]) == ["recording", "x"]
    out = tmp_path / "batch-out"
    code = main(["batch", str(dots), "--out", str(out), "--jobs", "1", "--quiet", "--no-report"])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["cohort.csv", "recording"]
    assert json.loads((out / "recording" / "summary.json").read_text())["files"]


def test_a_file_name_that_is_not_utf8_is_analysed_and_tabled(tmp_path: Path) -> None:
    """A night copied from an old share under a Latin-1 name (M\\xfcller.edf): its byte reached
    summary.json, the PDF and cohort.csv as a lone surrogate, oxi analyze failed as an internal
    error (exit 4), and a whole oxi batch ended without its table. The byte is written escaped."""
    rec, _ = simulate_night(fs=1.0, duration_s=1800, seed=2, noise_pts=0.5)
    name = b"M\xfcller.edf".decode("utf-8", "surrogateescape")
    folder = tmp_path / "in"
    folder.mkdir()
    write_edf(rec, folder / "good.edf")
    os.link(folder / "good.edf", folder / name)  # (pyedflib writes no such name)
    assert main(["analyze", str(folder / name), "--out", str(tmp_path / "one")]) == 0
    summary = json.loads((tmp_path / "one" / "summary.json").read_text(encoding="utf-8"))
    assert summary["input"]["path"].endswith("M\\xfcller.edf")
    assert main(["batch", str(folder), "--out", str(tmp_path / "all"), "--no-report"]) == 0
    table = (tmp_path / "all" / "cohort.csv").read_text(encoding="utf-8")
    assert "M\\xfcller.edf,ok" in table and "good.edf,ok" in table


def test_an_annotation_file_named_in_latin1_is_recorded_escaped(tmp_path: Path) -> None:
    """The NSRR XML found beside a night named M\\xfcller.edf (M\\xfcller-nsrr.xml): its path
    was written in read_options.annotations as it came, and oxi analyze failed as an internal
    error (exit 4), a batch row too."""
    import datetime as dt

    from tests.nsrr_fixtures import nsrr_xml

    start = dt.datetime(2026, 11, 20, 22, 0)
    rec, _ = simulate_night(fs=1.0, duration_s=3600, seed=2, noise_pts=0.5, start=start)
    stem = b"M\xfcller".decode("utf-8", "surrogateescape")
    write_edf(rec, tmp_path / "good.edf")
    os.link(tmp_path / "good.edf", tmp_path / f"{stem}.edf")
    (tmp_path / f"{stem}-nsrr.xml").write_text(nsrr_xml(start, [(0.0, 3600.0, "N2")]))
    out = tmp_path / "out"
    assert main(["analyze", str(tmp_path / f"{stem}.edf"), "--no-report", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["input"]["read_options"]["annotations"].endswith("M\\xfcller-nsrr.xml")


def test_a_failed_rename_in_a_shared_folder_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder named trace.png in the user's folder: the rename into it failed, and the new
    trace.png stayed behind under a hidden temporary name."""
    out = tmp_path / "desk"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "trace.png").mkdir()
    with pytest.raises(OSError):
        write_set(out, _set("B"), OWNED)
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def test_an_out_under_a_file_names_the_file_in_the_way(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--out night.csv/sub`` said "night.csv/sub: File exists" (mkdir's answer for the file)."""
    rec, _ = simulate_night(fs=1.0, duration_s=600, seed=3)
    night = write_edf(rec, tmp_path / "night.edf")
    out = tmp_path / "night.edf" / "sub"
    assert main(["analyze", str(night), "--out", str(out), "--no-report"]) == 2
    assert capsys.readouterr().err == (
        f"oxi: {out}: cannot be created: {night} is a file, not a folder\n"
    )
    with pytest.raises(NotADirectoryError, match="deeper"):  # a file further up the path
        write_set(out / "deeper", _set("A"), OWNED)


def test_an_out_in_a_read_only_folder_names_it_not_a_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--out ro/sub`` under a read-only ``ro`` said "ro/.sub.d079….tmp: Permission denied",
    and a batch's table "bro/.cohort.csv.<hex>.tmp: Permission denied": a hidden temporary
    the user never named. The refusal is a stand-in (as root the test machine ignores chmod)."""
    ro = tmp_path / "ro"
    ro.mkdir()
    real = atomic._create_temporary

    def refused(dest: Path, *, folder: bool = False) -> tuple[int, Path]:
        if os.path.realpath(dest.parent) == os.path.realpath(ro):
            raise PermissionError(
                13, "Permission denied", str(dest.with_name(f".{dest.name}.x.tmp"))
            )
        return real(dest, folder=folder)

    monkeypatch.setattr(atomic, "_create_temporary", refused)
    rec, _ = simulate_night(fs=1.0, duration_s=600, seed=3)
    night = write_edf(rec, tmp_path / "night.edf")
    assert main(["analyze", str(night), "--out", str(ro / "sub"), "--no-report"]) == 2
    assert (
        capsys.readouterr().err == f"oxi: {ro / 'sub'}: Permission denied (creating it in {ro})\n"
    )
    with pytest.raises(PermissionError) as caught:
        atomic.write_atomic(ro / "cohort.csv", "file,status\n")
    assert caught.value.filename == str(ro / "cohort.csv")
    assert caught.value.strerror == f"Permission denied (writing it in {ro})"
    (ro / "kept").mkdir()  # an existing folder: its new set goes beside it, in ro
    with pytest.raises(PermissionError, match="writing the new set beside it in"):
        write_set(ro / "kept", _set("A"), OWNED)
    assert os.listdir(ro) == ["kept"]


_KILLED_AT_THE_SWAP = """
import os, sys
from oximetry.report import atomic
real = os.replace
def replace(src, dst):
    real(src, dst)
    if os.path.basename(src) == os.path.basename(sys.argv[1]) and sys.argv[2] == "first":
        os._exit(9)  # the old set renamed aside, the new one not yet in place
    if os.path.basename(dst) == os.path.basename(sys.argv[1]) and sys.argv[2] == "second":
        os._exit(9)  # the new set in place, the old one not yet removed
atomic.os.replace = replace
atomic.write_set(sys.argv[1], {n: "B:" + n for n in sys.argv[3:]}, sys.argv[3:])
"""


@pytest.mark.parametrize(("killed_after", "kept"), [("first", "A"), ("second", "B")])
def test_a_set_aside_at_the_swap_is_put_back_not_removed(
    tmp_path: Path, killed_after: str, kept: str
) -> None:
    """write_set killed between the swap's two renames (kill -9) left the old, finished set
    under ``.out.<hex>.tmp`` beside no ``out``, and a batch re-run removed it as a temporary:
    the earlier run's outputs were gone. Set aside, it is ``.out.<hex>.old``: put back when
    ``out`` is missing, removed once the new set is in place; the fresh temporary is removed."""
    import subprocess
    import sys

    out = tmp_path / "out"
    write_set(out, _set("A"), OWNED)
    proc = subprocess.run(
        [sys.executable, "-c", _KILLED_AT_THE_SWAP, str(out), killed_after, *OWNED], check=False
    )
    assert proc.returncode == 9
    assert out.exists() is (killed_after == "second")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".old")] != []
    atomic.remove_temporaries(tmp_path, folders=["out"], holding=OWNED)
    assert sorted(os.listdir(tmp_path)) == ["out"]
    assert _contents(out) == {name: f"{kept}:{name}" for name in OWNED}


def test_a_folder_named_like_a_set_aside_is_left_when_not_a_set(tmp_path: Path) -> None:
    """Only a folder holding nothing but output files is put back or removed."""
    mine = tmp_path / ".out.0123456789ab.old"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    atomic.remove_temporaries(tmp_path, folders=["out"], holding=OWNED)
    assert sorted(os.listdir(tmp_path)) == [mine.name]
    assert (mine / "notes.txt").read_text() == "mine"
