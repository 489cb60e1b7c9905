"""End to end: the accountability pages and the board report PDF of the LLR book.

Reuses the session-built book (tests/conftest.py); no extra build.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from hi_analysis.accountability import FOLDER, PDF_NAME
from hi_analysis.accountability.dashboard import value_text
from hi_analysis.accountability.pdf import MAX_SIDES
from hi_analysis.accountability.plan import KLOES, PRIORITIES
from hi_analysis.config import load_system
from hi_analysis.results import from_sidecar

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
PLACES = ("leicester", "leicestershire", "rutland")
ILLUSTRATIVE = "Illustrative plan."


def _site(built_book) -> Path:
    return built_book.index.parent


def _results(built_book, place):
    out = {}
    for chapter in load_system("llr").chapters:
        for r in from_sidecar(built_book.results(place, chapter)):
            out[f"{r.chapter}.{r.id}"] = r
    return out


@pytest.mark.parametrize("place", PLACES)
def test_dashboard_values_equal_the_chapters_key_results(built_book, place):
    site = _site(built_book)
    html = (site / "places" / place / "dashboard.html").read_text("utf-8")
    assert "Health equity dashboard:" in html and "agreed measures" in html
    assert ILLUSTRATIVE in html and "SYNTHETIC DATA" in html
    results = _results(built_book, place)
    page = site / "places" / place / "dashboard.html"
    href = re.search(rf'href="([^"]*dashboard-{place}\.csv)"', html)[1]  # Sphinx's _downloads
    rows = list(csv.DictReader(io.StringIO((page.parent / href).read_text("utf-8"))))
    assert rows
    for row in rows:
        key = next(
            k
            for k, r in results.items()
            if r.label == row["measure"].lstrip("'") and (r.area or "") == row["area"]
        )
        r = results[key]
        assert float(row["value"]) == r.value  # the chapter's number, not a recomputation
        if r.has_interval:
            assert (float(row["lower_95"]), float(row["upper_95"])) == (r.lower, r.upper)
        assert value_text(r).split(" (")[0] in html


def test_dashboard_headline_first(built_book):
    html = (_site(built_book) / "places" / "leicester" / "dashboard.html").read_text("utf-8")
    m = re.search(r"Of (\d+) agreed measures, Leicester is worse than England on (\d+)", html)
    assert m and int(m[1]) >= 10
    assert html.index(m[0]) < html.index(ILLUSTRATIVE)


def test_system_pages_exist_with_their_headlines(built_book):
    folder = _site(built_book) / FOLDER
    score = (folder / "scorecard.html").read_text("utf-8")
    assert "show an assurance gap" in score and ILLUSTRATIVE in score
    for kloe, words in KLOES.items():
        assert f"{kloe}. {words.split(' ')[0]}" in score
    for header in PRIORITIES.values():
        assert header.split(" ")[0] in score
    assert score.index("Assurance gaps first") < score.index("The grid")
    report = (folder / "board-report.html").read_text("utf-8")
    assert "The purpose of this report is to brief the Board" in report
    assert PDF_NAME in report
    audits = (folder / "audits.html").read_text("utf-8")
    assert "health equity audits are recorded in the plan" in audits
    for audit in ("htn-case-finding", "vaccination-outreach"):
        page = (folder / f"audit-{audit}.html").read_text("utf-8")
        assert "times their share of need (95% CI" in page and ILLUSTRATIVE in page
    standards = (folder / "standards.html").read_text("utf-8")
    assert "Midlands plan standards as met" in standards and "B7" in standards


def test_board_report_pdf_is_printed_short_and_holds_the_headlines(built_book):
    lines = built_book.stdout.strip().splitlines()
    pdfs = [ln for ln in lines[:-1] if ln.endswith(".pdf")]  # printed before the index paths
    assert len(pdfs) == 1, lines
    pdf = Path(pdfs[0])
    assert lines[-1] == str(built_book.index)  # the index path stays the last line
    assert pdf.name == PDF_NAME and pdf.is_file()
    reader = PdfReader(str(pdf))
    assert 1 <= len(reader.pages) <= MAX_SIDES
    for page in reader.pages:  # A4 portrait, in points
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # a tagged PDF
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    for place, name in (("leicester", "Leicester"), ("rutland", "Rutland")):
        res = _results(built_book, place)
        sii = res["sii.sii_le_female"]
        assert f"{sii.value:.1f}" in text or f"{sii.value:.2f}" in text
        assert "Of " in text and f"{name} is " in text
    assert "Recommendations for the Board" in text
    assert "Illustrative plan" in text
