"""`oxi qualify --summary` on a summary.json edited by hand: bad input, never an internal error.

A type-swapping fuzzer over every key of a genuine summary found 66 edits (hunt 11) that the
rules took but the printed summary did not: ``recording.valid_min: "x"``, ``"input": "x"``, a
minute count of 1e308, a window start with a UTC offset. Each stopped ``oxi qualify`` with
"internal error" (exit 4) after qualification.json and report.pdf were written to --out. The
mutations below are a representative set of them, applied to a genuine summary (an analysed
Viatom night, so that it has the device's own summary too).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

import oxi.cli
from oxi.cli import main
from oximetry.limits import MAX_DURATION_S
from oximetry.simulate import simulate_night
from oximetry.simulate_native import write_viatom

ROOT = Path(__file__).resolve().parents[1]
CONTEXT = ROOT / "data" / "example-context.yaml"  # test.date 2026-01-05, as the night below
TZ = "2026-01-05T22:00:00+00:00"


@pytest.fixture(scope="module")
def genuine(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The summary.json of a simulated 4-h Viatom night with 12 desaturations."""
    tmp = tmp_path_factory.mktemp("genuine")
    rec, _ = simulate_night(
        fs=0.25, duration_s=4 * 3600, seed=3, desaturations=12, start=dt.datetime(2026, 1, 5, 22)
    )
    night = write_viatom(rec, tmp / "night.dat")
    assert main(["analyze", str(night), "--out", str(tmp / "a"), "--no-report"]) == 0
    summary = dict(json.loads((tmp / "a" / "summary.json").read_text()))
    # what the mutations below edit is there, and not null
    assert summary["vendor_summary"]["spo2_mean_pct"] is not None
    assert summary["metrics"]["presumed_sleep"]["nadir_time"] is not None
    assert summary["metrics"]["presumed_sleep"]["longest_le88_start"] is not None
    return summary


def _edit(summary: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    forged = json.loads(json.dumps(summary))
    at = forged
    for key in path[:-1]:
        at = at[key]
    at[path[-1]] = value
    return dict(forged)


#: (where, the value put there): found by /tmp/hunt11/cli/sumfuzz.py and sumfuzz2.py (exit 4 at
#: terminal.py or evidence.py), and the device summary's figures, which that night lacked.
MUTATIONS: list[tuple[tuple[str | int, ...], Any]] = [
    (("recording", "valid_min"), "x"),
    (("recording", "valid_min"), 1e308),
    (("recording", "duration_min"), 1e308),
    (("recording", "artifact_pct"), [None]),
    (("recording",), "x"),
    (("input",), "x"),
    (("input",), [None]),
    (("input", "fs_hz"), "2026-01-05"),
    (("input", "start"), TZ),
    (("windows", 0, "start"), TZ),
    (("windows", 1, "end"), TZ),
    (("main_window",), {"a": 1}),
    (("metrics", "presumed_sleep"), "x"),
    (("metrics", "presumed_sleep"), 0),
    (("metrics", "presumed_sleep", "odi3_per_h"), {}),
    (("metrics", "presumed_sleep", "t_le88_pct"), "nan"),
    (("metrics", "presumed_sleep", "nadir_time"), TZ),
    (("metrics", "presumed_sleep", "longest_le88_start"), TZ),
    (("vendor_summary",), "x"),
    (("vendor_summary",), 1e308),
    (("vendor_summary", "spo2_mean_pct"), "x"),
    (("vendor_summary", "o2_score"), []),
]


@pytest.mark.parametrize(
    ("path", "value"), MUTATIONS, ids=[f"{'.'.join(map(str, p))}={v!r}" for p, v in MUTATIONS]
)
def test_qualify_refuses_a_summary_with_a_value_of_the_wrong_type(
    genuine: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    path: tuple[str | int, ...],
    value: Any,
) -> None:
    summary = tmp_path / "summary.json"
    summary.write_text(json.dumps(_edit(genuine, path, value)))
    out = tmp_path / "out"
    code = main(
        ["qualify", "--context", str(CONTEXT), "--summary", str(summary), "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 2, err
    # one line naming the file and the key edited, and no results in --out
    key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)[1:]
    assert err.count("\n") == 1 and err.startswith(f"oxi: {summary}: "), err
    assert f"'{key}'" in err, err
    assert not out.exists()


def test_the_genuine_summary_qualifies_and_writes_its_outputs(
    genuine: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The mutations alone are refused: the summary they edit is read, printed and written."""
    summary = tmp_path / "summary.json"
    summary.write_text(json.dumps(genuine))
    out = tmp_path / "out"
    args = ["qualify", "--context", str(CONTEXT), "--summary", str(summary), "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "Device summary" in printed and re.search(r"\nNadir +86 % at 22:", printed)
    assert sorted(p.name for p in out.iterdir()) == ["qualification.json", "report.pdf"]


def test_a_refused_summary_leaves_earlier_outputs_as_they_were(
    genuine: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = tmp_path / "summary.json"
    summary.write_text(json.dumps(genuine))
    out = tmp_path / "out"
    args = ["qualify", "--context", str(CONTEXT), "--summary", str(summary), "--out", str(out)]
    assert main(args) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    summary.write_text(json.dumps(_edit(genuine, ("recording", "valid_min"), "x")))
    assert main(args) == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    capsys.readouterr()


def test_qualify_writes_nothing_when_the_printed_summary_fails(
    genuine: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Everything oxi qualify writes or prints is ready before --out is touched: a failure
    there (here a stand-in for a bug) left qualification.json and report.pdf behind it."""

    def broken(*_args: Any, **_kwargs: Any) -> str:
        raise RuntimeError("a bug in the printed summary")

    monkeypatch.setattr(oxi.cli, "format_qualify_summary", broken)
    summary = tmp_path / "summary.json"
    summary.write_text(json.dumps(genuine))
    out = tmp_path / "out"
    code = main(
        ["qualify", "--context", str(CONTEXT), "--summary", str(summary), "--out", str(out)]
    )
    assert code == 4
    assert "internal error: RuntimeError" in capsys.readouterr().err
    assert not out.exists()


def test_the_summary_minutes_bound_is_the_longest_recording_oxi_reads() -> None:
    """criteria imports nothing from oximetry: its bound is a copy of oximetry.limits'."""
    from criteria.evidence import _MAX_RECORDING_MIN

    assert _MAX_RECORDING_MIN == MAX_DURATION_S / 60.0


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("interpretation", "text", "Quokkaman Zyxwv desaturates " + "x" * 20000),
        ("interpretation", "text", ["Quokkaman Zyxwv"]),
        ("test", "facility", ["Home of Quokkaman Zyxwv"]),
        ("order", "practitioner", {"name": "Dr. Quokkaman Zyxwv"}),
        ("patient", "name", ["Quokkaman", "Zyxwv"]),
    ],
    ids=["long-text", "text-list", "facility-list", "practitioner-mapping", "name-list"],
)
def test_qualify_never_quotes_a_malformed_free_text_of_the_recorded_context(
    genuine: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    section: str,
    key: str,
    value: Any,
) -> None:
    """The summary's recorded context, edited: bad input naming the key, never the value (hunt
    12: "got ['Home of ...']" printed a facility naming the patient whole)."""
    forged = json.loads(json.dumps(genuine))
    forged["context"] = {section: {key: value}}
    summary = tmp_path / "summary.json"
    summary.write_text(json.dumps(forged))
    args = ["qualify", "--context", str(CONTEXT), "--summary", str(summary)]
    assert main([*args, "--out", str(tmp_path / "out")]) == 2
    printed = capsys.readouterr()
    text = printed.out + printed.err
    assert f"context key '{section}.{key}': got " in text and "(not shown: it " in text, text
    assert "quokkaman" not in text.lower() and "zyxwv" not in text.lower(), text


@pytest.mark.parametrize("schema", ["oxi.summary/2", "oxi.qualification/1", None, 1])
def test_qualify_refuses_a_summary_of_another_schema(
    genuine: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str], schema: Any
) -> None:
    """As oxi verify does: a summary whose schema was "oxi.summary/2" (or left out) was read as
    this oxi's, its figures taken for SPEC §7's, and QUALIFIED (hunt 14)."""
    forged = json.loads(json.dumps(genuine))
    if schema is None:
        del forged["schema"]
    else:
        forged["schema"] = schema
    summary = tmp_path / "summary.json"
    summary.write_text(json.dumps(forged))
    out = tmp_path / "out"
    args = ["qualify", "--context", str(CONTEXT), "--summary", str(summary), "--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"oxi: {summary}: not an oxi summary: schema is "), err
    assert "expected 'oxi.summary/1'" in err and not out.exists()
