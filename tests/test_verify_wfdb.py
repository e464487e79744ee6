"""``oxi verify`` of a WFDB record: every file the result depends on is bound to the summary.

A WFDB record is a header (``night.hea``: rate, gain, start date, a checksum per signal) and a
signal file (``night.dat``: the samples). ``input.sha256`` hashed only the file named on the
command line: a forged ``night.dat`` (20 min at 86 % instead of 2) beside the genuine header gave
the genuine header's hash, and a header whose SpO2 gain was edited (10 -> 10.55) beside the
genuine signal file gave the genuine signal file's. Each other file of the record is now listed
in ``input.companions`` with its sha256, and ``oxi verify`` names the one that differs; a signal
file whose samples do not match the header's checksums is refused before that (a forger who
keeps the header can match them: they are sums). The records are written here byte by byte
(format 16), so every sample and checksum is known.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from oxi.cli import main
from oximetry.errors import RecordingFormatError
from oximetry.io import read_recording
from oximetry.io.wfdb_record import record_companions
from oximetry.simulate import simulate_night

START = dt.datetime(2026, 11, 20, 22, 30)
DROP_AT_S = 3600.0


def _digital(minutes_at_86: float) -> np.ndarray:
    """SpO2 (0.1 % units) and pulse (0.1 bpm) of a 2-h night with one drop to 86 %."""
    rec, _ = simulate_night(
        fs=1.0,
        duration_s=2 * 3600,
        seed=8,
        baseline_pct=94.0,
        noise_pts=0.6,
        sustained_drops=[(DROP_AT_S, 60.0 * minutes_at_86, 86.0)],
        start=START,
    )
    spo2 = np.round(np.nan_to_num(rec.spo2.data, nan=-3276.8) * 10)
    return np.column_stack([spo2, np.full_like(spo2, 620.0)]).astype("<i2")


def _checksums(samples: np.ndarray) -> list[int]:
    """The WFDB checksum of each signal: the 16-bit sum of its samples, signed."""
    sums = [int(s) % 65536 for s in samples.astype(np.int64).sum(axis=0)]
    return [s - 65536 if s > 32767 else s for s in sums]


def _write(
    folder: Path,
    samples: np.ndarray,
    gain: str = "10",
    checksums: bool = True,
    name: str = "night",
    start: dt.datetime = START,
) -> Path:
    """Write ``NAME.hea`` and ``NAME.dat`` into ``folder``; return the header."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.dat").write_bytes(samples.tobytes())
    cs = _checksums(samples)
    tail = [f"{int(samples[0, k])} {cs[k]} 0" if checksums else "" for k in range(2)]
    lines = [
        f"{name} 2 1 {len(samples)} {start:%H:%M:%S} {start:%d/%m/%Y}",
        f"{name}.dat 16 {gain}(0)/% 16 0 {tail[0]} SpO2".rstrip(),
        f"{name}.dat 16 10(0)/bpm 16 0 {tail[1]} PULSE".rstrip(),
    ]
    (folder / f"{name}.hea").write_text("\n".join(lines) + "\n", encoding="ascii")
    return folder / f"{name}.hea"


def _forged(want: list[int], skip: int = 0) -> np.ndarray:
    """20 min at 86 % (from sample ``skip``), each signal nudged by at most 0.2 % so its
    checksum is ``want``'s.

    A forger who keeps the genuine header can match its checksums: they are sums, not hashes.
    """
    x = _digital(20.0)[skip:].copy()
    for k in range(2):
        need = (want[k] - int(x[:, k].astype(np.int64).sum())) % 65536
        step, m = (1, need) if need <= 32768 else (-1, 65536 - need)
        base, rest = divmod(m, len(x))
        x[:, k] += step * base
        x[:rest, k] += step
    assert _checksums(x) == want
    return x


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _analyze(rec: Path, out: Path, *extra: str) -> dict:
    assert main(["analyze", str(rec), "--no-report", "--out", str(out), *extra]) == 0
    return json.loads((out / "summary.json").read_text())


def _verify(capsys: pytest.CaptureFixture[str], summary: Path, rec: Path) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["verify", str(summary), str(rec)])
    got = capsys.readouterr()
    return code, got.out + got.err


@pytest.fixture()
def genuine(tmp_path: Path) -> Path:
    return _write(tmp_path / "genuine", _digital(2.0))


def test_summary_lists_the_record_s_other_file_with_its_sha256(
    genuine: Path, tmp_path: Path
) -> None:
    dat = genuine.with_suffix(".dat")
    by_header = _analyze(genuine, tmp_path / "h")["input"]
    assert by_header["sha256"] == _sha(genuine)  # still the file named
    assert by_header["companions"] == [{"path": str(dat), "sha256": _sha(dat)}]
    by_signals = _analyze(dat, tmp_path / "d")["input"]
    assert by_signals["sha256"] == _sha(dat)
    assert by_signals["companions"] == [{"path": str(genuine), "sha256": _sha(genuine)}]
    # what oxi batch looks at on a resumed run, from the header's text alone
    assert record_companions(genuine) == [dat] and record_companions(dat) == [genuine]


def test_the_genuine_record_verifies_by_either_file(
    genuine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for k, given in enumerate((genuine, genuine.with_suffix(".dat"))):
        _analyze(given, tmp_path / f"out{k}")
        assert _verify(capsys, tmp_path / f"out{k}" / "summary.json", given)[0] == 0


def test_a_forged_signal_file_beside_the_genuine_header_is_named(
    genuine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    want = _checksums(_digital(2.0))
    forged = _write(tmp_path / "forged", _forged(want))
    shutil.copy(genuine, forged)  # the very header: same bytes, same input.sha256
    a = _analyze(genuine, tmp_path / "a")
    b = _analyze(forged, tmp_path / "b")
    assert a["input"]["sha256"] == b["input"]["sha256"]
    le88 = [s["metrics"]["presumed_sleep"]["t_le88_min"] for s in (a, b)]
    assert le88[0] < 3 and le88[1] > 19  # the forged samples were read
    assert a["input"]["companions"] != b["input"]["companions"]
    # The forger's summary handed in with the genuine record: the signal file is named.
    code, out = _verify(capsys, tmp_path / "b" / "summary.json", genuine)
    assert code == 1
    identity = out.split("identity:")[1].split("figures:")[0]
    assert f"input.companions: {forged.with_suffix('.dat')} (sha256 " in identity
    assert f"input.companions: {genuine.with_suffix('.dat')} (sha256 " in identity
    # The genuine summary against the forged signal file: named too.
    code, out = _verify(capsys, tmp_path / "a" / "summary.json", forged)
    assert code == 1 and "input.companions:" in out.split("figures:")[0]


def test_an_edited_header_beside_the_genuine_signal_file_is_named(
    genuine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dat = genuine.with_suffix(".dat")
    # a gain of 10.55 (a step of 0.0948 %) is now refused as too coarse for its tenths
    edited = _write(tmp_path / "gain", _digital(2.0), gain="9.8")
    assert (tmp_path / "gain" / "night.dat").read_bytes() == dat.read_bytes()
    a = _analyze(dat, tmp_path / "a")
    b = _analyze(edited.with_suffix(".dat"), tmp_path / "b")
    assert a["input"]["sha256"] == b["input"]["sha256"]
    # 94 % read with gain 9.8 is 95.9 %: the whole night moved
    assert b["metrics"]["presumed_sleep"]["mean_pct"] == pytest.approx(940 / 9.8, abs=0.2)
    assert b["input"]["companions"] == [{"path": str(edited), "sha256": _sha(edited)}]
    code, out = _verify(capsys, tmp_path / "b" / "summary.json", dat)
    assert code == 1
    identity = out.split("identity:")[1].split("figures:")[0]
    assert f"input.companions: {edited} (sha256 {_sha(edited)[:16]})" in identity
    assert f"input.companions: {genuine} (sha256 {_sha(genuine)[:16]})" in identity


def test_a_summary_without_its_companion_files_is_a_difference(
    genuine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = _analyze(genuine, tmp_path / "out")
    del summary["input"]["companions"]  # as an oxi before this wrote it, or a forger
    (tmp_path / "out" / "summary.json").write_text(json.dumps(summary))
    code, out = _verify(capsys, tmp_path / "out" / "summary.json", genuine)
    assert code == 1
    assert "input.companions: the summary records no file read with the recording, but " in out
    assert str(genuine.with_suffix(".dat")) in out


def test_a_de_identified_summary_lists_the_files_by_their_sha256(
    genuine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dat = genuine.with_suffix(".dat")
    summary = _analyze(genuine, tmp_path / "out", "--deidentify")
    assert summary["input"]["companions"] == [{"path": _sha(dat), "sha256": _sha(dat)}]
    assert _verify(capsys, tmp_path / "out" / "summary.json", genuine)[0] == 0
    summary["input"]["companions"][0]["path"] = "night.dat"
    (tmp_path / "out" / "summary.json").write_text(json.dumps(summary))
    code, out = _verify(capsys, tmp_path / "out" / "summary.json", genuine)
    assert code == 1
    assert "input.companions[0].path: a de-identified summary records the file by its sha256" in out


def test_a_signal_file_that_does_not_match_its_header_s_checksum_is_refused(
    genuine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    want = _checksums(_digital(2.0))
    forged = _write(tmp_path / "forged", _digital(20.0))
    shutil.copy(genuine, forged)
    got = _checksums(_digital(20.0))
    assert got[0] != want[0] and got[1] == want[1]  # the pulse is the genuine one
    with pytest.raises(RecordingFormatError) as exc:
        read_recording(forged.with_suffix(".dat"))
    assert exc.value.path == str(forged.with_suffix(".dat"))
    assert f"header says {want[0]}, the samples sum to {got[0]}" in str(exc.value)
    code = main(["analyze", str(forged), "--no-report", "--out", str(tmp_path / "o")])
    assert code == 2
    err = capsys.readouterr().err
    assert str(forged) in err and "checksum" in err and "SpO2" in err


def test_a_header_without_checksums_is_read(tmp_path: Path) -> None:
    samples = _digital(2.0)
    rec = read_recording(_write(tmp_path / "plain", samples, checksums=False))
    np.testing.assert_array_equal(rec.spo2.data, samples[:, 0] / 10)


def test_a_joined_night_lists_each_record_s_other_file_and_names_a_forged_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    half = 3600  # the night's two hours as two records; the drop lies in the second
    genuine, forged = _digital(2.0), _forged(_checksums(_digital(2.0)[half:]), half)
    later = START + dt.timedelta(seconds=half)
    a = _write(tmp_path / "night", genuine[:half], name="a")
    b = _write(tmp_path / "night", genuine[half:], name="b", start=later)
    summary = _analyze_files([a, b], tmp_path / "out")
    parts = summary["input"]["parts"]
    assert [p["companions"] for p in parts] == [
        [{"path": str(h.with_suffix(".dat")), "sha256": _sha(h.with_suffix(".dat"))}]
        for h in (a, b)
    ]
    assert "companions" not in summary["input"]  # kept with each file
    assert main(["verify", str(tmp_path / "out" / "summary.json"), str(a), str(b)]) == 0
    b.with_suffix(".dat").write_bytes(forged.tobytes())  # checksums still those of the header
    capsys.readouterr()
    code = main(["verify", str(tmp_path / "out" / "summary.json"), str(a), str(b)])
    out = capsys.readouterr().out
    assert code == 1
    identity = out.split("identity:")[1].split("figures:")[0]
    assert f"input.parts[1].companions: {b.with_suffix('.dat')} (sha256 " in identity
    assert "input.parts[0]" not in identity


def _analyze_files(recs: list[Path], out: Path) -> dict:
    assert main(["analyze", *map(str, recs), "--no-report", "--out", str(out)]) == 0
    return json.loads((out / "summary.json").read_text())


def test_a_resumed_batch_redoes_a_record_whose_other_file_changed(
    genuine: Path, tmp_path: Path
) -> None:
    # The .dat is not part of the header's sha256: without looking at it, a resumed batch kept
    # the outputs made from the signal file as it was.
    from oxi.batch import run_batch
    from oxi.pipeline import AnalyzeRequest

    out = tmp_path / "out"

    def run() -> tuple[int, dict]:
        result = run_batch([str(genuine.parent)], out, request=AnalyzeRequest(report=False), jobs=1)
        assert result.n_ok == 1
        return result.n_skipped, json.loads((out / "night" / "summary.json").read_text())

    assert run()[0] == 0
    assert run()[0] == 1  # nothing changed: reused
    dat = genuine.with_suffix(".dat")
    dat.write_bytes(_forged(_checksums(_digital(2.0))).tobytes())
    skipped, summary = run()
    assert skipped == 0
    assert summary["input"]["companions"][0]["sha256"] == _sha(dat)
    assert summary["metrics"]["presumed_sleep"]["t_le88_min"] > 19


def test_a_half_percent_at_a_fine_gain_reads_back_as_the_tenth(tmp_path: Path) -> None:
    """SpO2 at a gain of 327.67 per % (0-100 % over 16 bits): 88.5 % is stored as 28999, which
    reads back as 88.4998 and SPEC §7 would round to 88 (hunt 12: the same in a 16-bit EDF).
    A digital step is 1/gain: the tenth within half of one is the value."""
    from oximetry.io import read_recording

    values = np.array([95.0, 88.5, 88.5, 90.5, 87.5, 95.0] * 100)
    codes = np.round(values * 327.67)
    samples = np.column_stack([codes, np.full_like(codes, 620.0)]).astype("<i2")
    rec = read_recording(_write(tmp_path, samples, gain="327.67"))
    assert rec.spo2.data.tolist() == values.tolist()


def test_a_coarse_gain_reads_whole_percents_and_refuses_tenths(tmp_path: Path) -> None:
    """A gain of 10.23 per % (a step of 0.0978 %): a code may be either of two tenths (89.5
    truncated, 89.4 rounded, both 915), and read as the higher a rounding writer's 89.9 was
    90.0 (hunt 15). Whole percents, stored either way, read exactly; tenths are refused,
    naming the step, as an EDF's are."""
    from oximetry.io import read_recording

    wholes = np.arange(50, 101, dtype=np.float64)
    tenths = np.arange(500, 1001) / 10
    for name, cut in (("trunc", np.trunc), ("round", np.round)):
        for values in (wholes, tenths):
            codes = cut(values * 10.23)
            samples = np.column_stack([codes, np.full_like(codes, 620.0)]).astype("<i2")
            path = _write(tmp_path / f"{name}{values.size}", samples, gain="10.23")
            if values is wholes:
                assert read_recording(path).spo2.data.tolist() == wholes.tolist(), name
            else:
                with pytest.raises(RecordingFormatError, match=r"steps of 0\.0978 %, too coarse"):
                    read_recording(path)


def test_a_rate_written_to_12_digits_is_the_period_it_stands_for(tmp_path: Path) -> None:
    """MIMIC numerics, one value a minute, give ``0.0166666666667`` Hz (WFDB writes 12 digits):
    59.99999999988 s a sample, and 10 samples at 86 % were 9.9999999998 min, printed "9.9 min"
    (72 samples "71.9 min", summary.json 9.999999 and 71.999999)."""
    spo2 = np.full(72, 960, dtype="<i2")
    spo2[30:40] = 860
    samples = np.column_stack([spo2, np.full(72, 620, dtype="<i2")])
    hea = _write(tmp_path / "rec", samples)
    lines = hea.read_text(encoding="ascii").splitlines()
    lines[0] = lines[0].replace("night 2 1 ", "night 2 0.0166666666667 ", 1)
    hea.write_text("\n".join(lines) + "\n", encoding="ascii")
    assert read_recording(hea).fs == 1 / 60
    s = _analyze(hea, tmp_path / "out")
    assert s["recording"]["duration_min"] == 72.0
    assert s["metrics"]["presumed_sleep"]["t_le88_min"] == 10.0
