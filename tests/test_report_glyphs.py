"""Text the report's font cannot draw (hunt 11): a context naming the patient "王小明" printed
the name on stderr, one matplotlib warning per character (``Glyph 29579 (\\N{CJK UNIFIED
IDEOGRAPH-738B}) missing from font(s) DejaVu Sans``), from ``oxi analyze``, ``batch``,
``verify --context`` and ``qualify --out``, and page 1's Patient line showed three empty boxes.

What the font has is asked of the font (its charmap), never assumed: these tests check every
text drawn against the charmap of the font matplotlib finds for it.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings
from collections.abc import Callable
from pathlib import Path

import matplotlib.style
import pytest
from matplotlib.figure import Figure
from matplotlib.font_manager import findfont, get_font

from oxi.cli import main
from oximetry.report.page1 import MISSING_GLYPH_NOTE, first_page
from oximetry.report.pdf import render_report_pdf, render_trace_png
from oximetry.report.summary import build_summary
from oximetry.report.textpage import MISSING_GLYPH, drawable
from oximetry.simulate import simulate_night, write_csv
from tests import report_data as rd

NAME = "王小明"
CONTEXT = {"patient": {"age_years": 68, "sex": "F"}, "test": {"device": "王 oximeter"}}


def _undrawable(fig: Figure) -> list[str]:
    """Return the texts of ``fig`` holding a character their own font has no glyph for."""
    out = []
    for t in fig.texts:
        have = get_font(findfont(t.get_fontproperties())).get_charmap()
        if any(c != "\n" and ord(c) not in have for c in t.get_text()):
            out.append(t.get_text())
    return out


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.texts]


def test_drawable_marks_only_the_characters_the_font_lacks() -> None:
    """DejaVu Sans (matplotlib's, the report's font) has Latin, Greek and Cyrillic, not CJK
    and not the control characters; a newline is matplotlib's line break."""
    kept = "Łukasz Müller, Ωμέγα Иван — 95 % ≤ 88 %"
    assert drawable(kept) == kept
    assert drawable(f"Patient: {NAME}") == "Patient: " + 3 * MISSING_GLYPH
    assert drawable("night\x1b[2J.edf\nnext", family="monospace") == (
        f"night{MISSING_GLYPH}[2J.edf\nnext"
    )
    assert drawable("\t", weight="bold", style="italic") == MISSING_GLYPH


def test_page_one_shows_a_name_the_font_cannot_draw_as_markers_and_says_so() -> None:
    a = rd.make_analysis()
    summary = build_summary(a, context=CONTEXT)
    fig = first_page(a, summary, {"name": NAME, "member_id": "EX-000-0001"})
    texts = _texts(fig)
    assert _undrawable(fig) == []
    assert "Patient: " + 3 * MISSING_GLYPH in texts
    assert "Device: " + MISSING_GLYPH + " oximeter (the file: TestOx 1)" in texts
    joined = " ".join(texts)
    assert " ".join(MISSING_GLYPH_NOTE.split()) in joined
    assert NAME[0] not in joined


def test_page_one_without_such_text_has_no_note() -> None:
    a = rd.make_analysis()
    summary = build_summary(a, context={"patient": {"age_years": 68}})
    fig = first_page(a, summary, {"name": "Łukasz Müller", "member_id": "EX-1"})
    assert "Patient: Łukasz Müller" in _texts(fig)
    assert "marks a character" not in " ".join(_texts(fig))


def test_a_file_name_with_an_escape_is_drawn_with_a_marker() -> None:
    """``Glyph 27 (^[)``: a file name holding an escape was a box on the File line."""
    a = rd.make_analysis(path="/data/night\x1b[2J.edf")
    fig = first_page(a, build_summary(a), None)
    assert _undrawable(fig) == []
    assert f"File: night{MISSING_GLYPH}[2J.edf" in _texts(fig)


def test_rendering_warns_of_no_missing_glyph_and_leaves_the_filters_as_they_were() -> None:
    a = rd.make_analysis()
    summary = build_summary(a, context=CONTEXT)
    before = list(warnings.filters)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_report_pdf(a, summary, {"name": NAME, "member_id": "EX-1"})
        render_trace_png(a, summary)
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []
    assert warnings.filters == before


def _missing_glyph_warnings(render: Callable[[], object]) -> list[str]:
    """Return matplotlib's missing-glyph warnings of ``render()``, run without oxi's filter.

    Without the filter every character drawn that the font lacks is a warning: none means
    nothing was drawn as a box.
    """
    with matplotlib.style.context("default"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render()
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_trace_png_marks_a_device_the_font_cannot_draw() -> None:
    """trace.png's title names the context's device: "王 oximeter" was drawn with a box."""
    a = rd.make_analysis()
    summary = build_summary(a, context=CONTEXT)
    unfiltered = render_trace_png.__wrapped__  # type: ignore[attr-defined]
    assert _missing_glyph_warnings(lambda: unfiltered(a, summary)) == []


@pytest.fixture
def cjk_context(tmp_path: Path) -> Path:
    root = Path(__file__).resolve().parents[1]
    text = (root / "data" / "example-context.yaml").read_text()
    assert '"Example, Fictional"' in text
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(text.replace('"Example, Fictional"', f'"{NAME}"'))
    return ctx


def test_analyze_and_qualify_print_nothing_of_the_name(
    tmp_path: Path, cjk_context: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """The commands of the hunt's repro: nothing on stdout or stderr names a character of the
    name (a warning is printed by the process drawing it, the forked half of report.pdf's
    too: hence capfd)."""
    rec, _ = simulate_night(fs=1.0, duration_s=3 * 3600, seed=1, desaturations=8)
    csv = write_csv(rec, tmp_path / "night.csv")
    args = ["analyze", str(csv), "--context", str(cjk_context), "--out", str(tmp_path / "a")]
    assert main(args) == 0
    assert main(["qualify", "--context", str(cjk_context), "--out", str(tmp_path / "q")]) == 0
    printed = capfd.readouterr()
    text = printed.out + printed.err
    assert "Glyph" not in text and "CJK" not in text
    assert not any(c in text for c in NAME)
    assert (tmp_path / "q" / "report.pdf").is_file()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_qualify_page_marks_the_name_and_says_what_the_marker_means(tmp_path: Path) -> None:
    """The context-only report (``oxi qualify --out``) sets the same Patient line."""
    from oximetry.qualify_report import _qualify_pdf  # the renderer, without oxi's filter

    doc = {"context": {"patient": {"age_years": 68, "sex": "F"}}, "qualification": {}}
    out: list[bytes] = []
    drawn = _missing_glyph_warnings(lambda: out.append(_qualify_pdf(doc, {"name": NAME})))
    assert drawn == []
    pdf = tmp_path / "q.pdf"
    pdf.write_bytes(out[0])
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    text = " ".join(text.split())
    assert "Patient: " + 3 * MISSING_GLYPH + "; member ID not given" in text
    assert " ".join(MISSING_GLYPH_NOTE.split()) in text
    assert not any(c in text for c in NAME)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_text_between_dollar_signs_is_drawn_as_written(tmp_path: Path) -> None:
    """matplotlib reads what lies between two "$" as math: a patient named "O\\Brien $\\frac$"
    stopped every report with an internal error (exit 4; in a batch the error cell quoted the
    name), and "Dr. \\Smith $ and $ co" was printed in italics without its spaces (review of
    hunt 11). Text is drawn as written."""
    root = Path(__file__).resolve().parents[1]
    text = (root / "data" / "example-context.yaml").read_text()
    name = "O\\\\Brien $\\\\frac$"  # YAML's escapes: O\\Brien $\\frac$
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(text.replace('"Example, Fictional"', f'"{name}"'))
    rec, _ = simulate_night(fs=1.0, duration_s=3 * 3600, seed=1, desaturations=8)
    csv = write_csv(rec, tmp_path / "night.csv")
    assert main(["analyze", str(csv), "--context", str(ctx), "--out", str(tmp_path / "a")]) == 0
    assert main(["qualify", "--context", str(ctx), "--out", str(tmp_path / "q")]) == 0
    for pdf in (tmp_path / "a" / "report.pdf", tmp_path / "q" / "report.pdf"):
        page = subprocess.run(
            ["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, check=True
        ).stdout.decode("utf-8")
        assert "O\\Brien $\\frac$" in page, pdf
    assert matplotlib.rcParams["text.parse_math"]  # the user's setting is left as it was
