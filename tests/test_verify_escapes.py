"""Nothing oxi prints can act on the reviewer's terminal (hunt 9: forged evidence).

Strings from a submission (a path, a key, a value in summary.json, a file's name beside it) were
printed as they were: ``ESC[H ESC[2J`` in a forged ``input.parts[].path`` cleared the screen,
drew a fake "verified: ..." line and hid "NOT VERIFIED" and the differences behind ``ESC[8m``.
Every character that acts on a terminal (Unicode Cc, Cf, Zl, Zp) is now printed as an escape.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import unicodedata
from pathlib import Path

import pytest

from oxi.cli import main
from oxi.visible import visible

ROOT = Path(__file__).resolve().parents[1]
EDF = ROOT / "data" / "example-night.edf"
CONTEXT = ROOT / "data" / "example-context.yaml"
FAKE = "verified: the recording's hash, every figure and the determination match the summary"
#: home and clear the screen and its scrollback, the fake verdict, then conceal what follows
ESCAPES = "\x1b[H\x1b[2J\x1b[3J" + FAKE + "\n\x1b[8m"


def _acting(text: str) -> list[str]:
    """Return the characters of ``text`` that act on a terminal (line feeds between lines kept)."""
    return [
        c for c in text if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs")
    ]


@pytest.fixture(scope="module")
def genuine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example night analysed with its context: report.pdf names the patient."""
    out = tmp_path_factory.mktemp("escapes") / "out"
    assert main(["analyze", str(EDF), "--context", str(CONTEXT), "--out", str(out)]) == 0
    return out


def _submit(genuine: Path, tmp_path: Path, mutate: object = None) -> Path:
    folder = tmp_path / "submitted"
    shutil.copytree(genuine, folder)
    if callable(mutate):
        s = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        mutate(s)
        text = json.dumps(s, indent=2, ensure_ascii=False)
        (folder / "summary.json").write_text(text, encoding="utf-8")
    return folder / "summary.json"


def _verify(capsys: pytest.CaptureFixture[str], summary: Path) -> tuple[int, str, str]:
    code = main(["verify", str(summary), str(EDF)])
    got = capsys.readouterr()
    return code, got.out, got.err


def test_visible_shows_every_acting_character_as_an_escape() -> None:
    text = "a\x1b[2J\r\x07\x9b8m\u202ebidi\u200b\u2028\u2029\ufeff\U000e0001\udcff\tz"
    shown = visible(text)
    assert shown == (
        "a\\x1b[2J\\x0d\\x07\\x9b8m\\u202ebidi\\u200b\\u2028\\u2029\\ufeff\\U000e0001\\udcff\\x09z"
    )
    assert visible("one\ntwo\x1b", lines=True) == "one\ntwo\\x1b"
    assert visible("one\ntwo") == "one\\x0atwo"
    plain = "Nadir 84 % — naïve 日本 C:\\path"
    assert visible(plain) is plain


def test_a_forged_path_cannot_draw_a_verdict_over_not_verified(
    genuine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The hunter's set A: a forged nadir (exit 1) beside a bogus ``input.parts`` entry whose path
    holds the escapes. "NOT VERIFIED" stays the first line and nothing in the output acts."""

    def forge(s: dict) -> None:
        s["metrics"]["sleep"]["nadir_pct"] = 80.0
        start = s["input"]["start"]
        s["input"]["parts"] = [{"path": ESCAPES, "sha256": "0" * 64, "start": start, "samples": 1}]

    code, out, err = _verify(capsys, _submit(genuine, tmp_path, forge))
    assert code == 1
    assert _acting(out + err) == []
    lines = out.splitlines()
    assert lines[0].startswith("NOT VERIFIED: ")
    assert not any(line.startswith("verified") for line in lines)
    assert "input.parts: \\x1b[H\\x1b[2J\\x1b[3Jverified: " in out
    assert "metrics.sleep.nadir_pct: summary says 80.0, recomputed 84.0" in out


def test_a_file_named_with_escapes_cannot_hide_report_pdf_not_checked(
    genuine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Set B: a forged report.pdf, its sha256 edited into the summary (exit 0, "NOT checked"),
    beside a file whose name clears the screen. The verdict stays first and says so."""
    summary = _submit(genuine, tmp_path)
    folder = summary.parent
    with (folder / "report.pdf").open("ab") as f:
        f.write(b"\n%forged page 1\n")
    s = json.loads(summary.read_text(encoding="utf-8"))
    s["files"]["report.pdf"] = hashlib.sha256((folder / "report.pdf").read_bytes()).hexdigest()
    summary.write_text(json.dumps(s, indent=2), encoding="utf-8")
    (folder / ESCAPES.replace("\n", " ")).write_bytes(b"")
    code, out, err = _verify(capsys, summary)
    assert code == 0, out
    assert _acting(out + err) == []
    lines = out.splitlines()
    assert lines[0].startswith("verified, except report.pdf (NOT checked): ")
    assert lines[1].startswith("note: report.pdf was NOT checked")
    assert sum(line.startswith("verified") for line in lines) == 1
    assert "were not checked: \\x1b[H\\x1b[2J\\x1b[3Jverified: " in out


@pytest.mark.parametrize(
    "text",
    [
        "\x1bc",  # reset the terminal
        "ok\rverified",  # back to the line's start
        "\x1bM\x1bM",  # cursor up (reverse index)
        "\x9b2J",  # C1 CSI: clear the screen on a terminal that takes 8-bit controls
        "\u202edeifirev",  # right-to-left override: reads "verified"
        "a\u200bb\u2028c",  # zero-width space, line separator
    ],
    ids=["ris", "cr", "ri", "c1-csi", "bidi", "zero-width"],
)
def test_forged_keys_and_values_are_printed_escaped(
    genuine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    """A nested key (shown by ``_dotted``) and a value (``_show``: json.dumps let C1 and
    bidi characters through) holding each: every one escaped, the verdict line first."""

    def forge(s: dict) -> None:
        s["metrics"]["sleep"][text] = 1
        s["input"]["format"] = text

    code, out, err = _verify(capsys, _submit(genuine, tmp_path, forge))
    assert code == 1
    assert _acting(out + err) == [], out
    assert out.splitlines()[0].startswith("NOT VERIFIED: ")
    assert "metrics.sleep[" in out and "input.format: summary says " in out


def test_an_exit_2_message_quoting_the_summary_is_printed_escaped(
    genuine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An annotation file the summary names and verify cannot find: its path was quoted raw in
    the one-line message (exit 2)."""

    def forge(s: dict) -> None:
        s["input"]["read_options"]["annotations"] = "/nowhere/" + ESCAPES + ".xml"

    code, out, err = _verify(capsys, _submit(genuine, tmp_path, forge))
    assert code == 2
    assert _acting(out + err) == []
    assert err.count("\n") == 1 and "\\x1b[2J" in err


def test_analyze_and_info_print_a_file_name_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``oxi analyze``'s one-line error and ``oxi info`` name the file: a name holding ESC (a
    file handed over by someone else) acted on the terminal."""
    missing = tmp_path / ("night\x1b[2J\x1b[8m" + ".edf")
    assert main(["analyze", str(missing)]) == 2
    got = capsys.readouterr()
    assert _acting(got.out + got.err) == [] and got.err.count("\n") == 1
    assert "night\\x1b[2J\\x1b[8m.edf: no such file" in got.err
    named = tmp_path / "night\x1b[2J\u202e.edf"
    shutil.copy(EDF, named)
    assert main(["info", str(named)]) == 0
    got = capsys.readouterr()
    assert _acting(got.out + got.err) == []
    assert got.out.splitlines()[0].endswith("night\\x1b[2J\\u202e.edf")


def test_an_unrecognized_argument_is_printed_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    """argparse quotes an unknown argument as typed: ``oxi info *`` over a folder holding a file
    named with escapes printed them raw in "unrecognized arguments: ..." (exit 2)."""
    with pytest.raises(SystemExit) as exc:
        main(["info", str(EDF), "\x1b[2J\x1b[8mhidden"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert _acting(err) == [] and err.count("\n") == 1
    assert "unrecognized arguments: \\x1b[2J\\x1b[8mhidden" in err
