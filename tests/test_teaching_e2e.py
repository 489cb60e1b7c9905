"""End to end: `hi-analysis build --profile all` publishes the board and teaching editions.

Uses the session's one build (tests/conftest.py ``built_book``), which builds both profiles
from the same run of the chapter notebooks.
"""

from __future__ import annotations

import html
import json
import re

import pytest

from hi_analysis.teaching.core import format_value, resolve

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

PLACES = ("leicester", "leicestershire", "rutland")
CHAPTERS = ("needs_analysis", "sii", "covid", "logic_model")
_QUIZ = re.compile(
    r'<details class="hi-quiz-answer" data-quiz-id="(?P<id>[^"]*)" data-source="(?P<source>[^"]*)"'
    r' data-value="(?P<value>[^"]*)" data-format="(?P<fmt>[^"]*)"><summary>Show the answer'
    r'</summary><p><strong class="hi-quiz-value">(?P<answer>[^<]*)</strong>'
)


@pytest.fixture(scope="module")
def teaching(built_book):
    assert built_book.teaching_index is not None
    return built_book.teaching_index.parent


def _page(site, place, chapter):
    return (site / "places" / place / f"{chapter}.html").read_text("utf-8")


def test_both_editions_published_side_by_side_board_last(built_book, teaching):
    board = built_book.index.parent
    assert built_book.index.is_file() and built_book.teaching_index.is_file()
    assert board != teaching
    assert "teaching" in teaching.parts[-2] or "teaching" in str(teaching)
    assert "(teaching version)" in built_book.teaching_index.read_text("utf-8")
    assert "(teaching version)" not in built_book.index.read_text("utf-8")


def test_board_edition_has_no_teaching_content(built_book):
    board = built_book.index.parent
    for page in board.rglob("*.html"):
        text = page.read_text("utf-8")
        for marker in ("hi-teaching", "hi-quiz", "Learning from this chapter", "Method explained"):
            assert marker not in text, f"{page.relative_to(board)} shows {marker!r}"
    assert not (board / "facilitator.html").exists() and not (board / "analysts.html").exists()
    assert not list(board.rglob("*.ipynb")), "the board edition offers no notebooks"


@pytest.mark.parametrize("place", PLACES)
def test_teaching_pages_open_the_methods_and_quiz(teaching, place):
    for chapter in CHAPTERS:
        page = _page(teaching, place, chapter)
        assert "Learning from this chapter" in page, (place, chapter)
        assert 'class="hi-teaching hi-discussion"' in page, (place, chapter)
        if chapter != "logic_model" or place != "rutland":
            assert 'class="hi-teaching hi-primer"' in page, (place, chapter)
    assert 'data-concept="sii"' in _page(teaching, place, "sii")
    assert 'data-concept="excess_deaths"' in _page(teaching, place, "covid")
    assert 'data-concept="age_standardisation"' in _page(teaching, place, "covid")
    assert 'data-concept="confidence_interval"' in _page(teaching, place, "needs_analysis")


def test_every_quiz_answer_is_the_number_in_the_chapter_results(built_book, teaching):
    checked = 0
    for place in PLACES:
        for chapter in CHAPTERS:
            page = _page(teaching, place, chapter)
            sidecar = built_book.results(place, chapter)
            for m in _QUIZ.finditer(page):
                source = json.loads(html.unescape(m["source"]))
                truth = resolve(sidecar, source)
                assert float(m["value"]) == pytest.approx(truth, rel=1e-9), (place, m["id"])
                written = format_value(truth, m["fmt"])
                assert html.unescape(m["answer"]).startswith(written), (place, m["id"])
                checked += 1
    assert checked >= 3 * 7  # needs 2, SII 3, COVID-19 2 per place, plus logic-model arrows


@pytest.mark.parametrize("place", PLACES)
def test_editions_show_the_same_key_messages(built_book, teaching, place):
    """One run of the chapters: the key messages are identical in both editions."""
    box = re.compile(r'<div class="hi-key-messages".*?</div>', re.S)
    for chapter in CHAPTERS:
        a = box.search(built_book.page(place, chapter))
        b = box.search(_page(teaching, place, chapter))
        assert a and b and a.group(0) == b.group(0), (place, chapter)


def test_facilitator_and_analysts_pages(built_book, teaching):
    fac = (teaching / "facilitator.html").read_text("utf-8")
    for text in (
        "60-minute session plan",
        "120-minute session plan",
        "Figures to print",
        "Glossary",
    ):
        assert text in fac
    sii = built_book.results("leicester", "sii")["le_female"]
    assert f"{sii['sii']:.1f} (95% interval {sii['lowercl']:.1f} to {sii['uppercl']:.1f})" in fac
    ana = (teaching / "analysts.html").read_text("utf-8")
    links = re.findall(r'href="(_downloads/[^"]+\.ipynb)"', ana)
    assert len(links) == len(PLACES) * len(CHAPTERS)
    for link in links:
        nb = json.loads((teaching / link).read_text("utf-8"))
        code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        assert "hi_analysis" in code  # the code is visible in the download
        assert str(built_book.build_dir) not in json.dumps(nb)  # no build-machine paths
