"""The teaching profile: profile filtering, escaping, quiz answers and the teaching pages."""

from __future__ import annotations

import html
import json

import pandas as pd
import pytest

from hi_analysis import book, needs
from hi_analysis.teaching import core, pages
from hi_analysis.teaching import needs as needs_lesson
from hi_analysis.text import escape_markdown

PAYLOAD = "<script>alert(1)</script>{literalinclude} /etc/passwd"


def test_profiles_drop_each_others_cells():
    nb = {
        "cells": [
            {"metadata": {"tags": ["teaching-only"]}, "source": "t"},
            {"metadata": {"tags": ["board-only"]}, "source": "b"},
            {"metadata": {"tags": ["remove-input"]}, "source": "shared"},
            {"metadata": {}, "source": "plain"},
        ]
    }
    board = [c["source"] for c in core.filter_notebook(nb, "board")["cells"]]
    teaching = [c["source"] for c in core.filter_notebook(nb, "teaching")["cells"]]
    assert board == ["b", "shared", "plain"]
    assert teaching == ["t", "shared", "plain"]
    assert len(nb["cells"]) == 4  # the source notebook is not modified


def test_unknown_profile_is_refused():
    with pytest.raises(ValueError, match="unknown profile 'press'"):
        core.keep_cell({"metadata": {}}, "press")


def test_every_chapter_notebook_has_teaching_cells_that_only_present():
    """Teaching cells call hi_analysis.teaching; they never compute a number themselves."""
    from hi_analysis.paths import notebooks_dir

    for path in sorted(notebooks_dir().glob("*.ipynb")):
        cells = json.loads(path.read_text("utf-8"))["cells"]
        teaching = [c for c in cells if "teaching-only" in c["metadata"].get("tags", [])]
        assert teaching, f"{path.name} has no teaching cells"
        code = "".join("".join(c["source"]) for c in teaching if c["cell_type"] == "code")
        assert "teach.show(" in code and "lesson." in code
        for forbidden in ("load_extract(", "compute(", "gradients(", "evaluate_place("):
            assert forbidden not in code, f"{path.name}: a teaching cell recomputes"


def test_primer_and_quiz_escape_names():
    qof = pd.DataFrame(
        {
            "condition": ["Hypertension", "Hypertension"],
            "area": [PAYLOAD, "England"],
            "value": [12.3, 14.1],
            "lowercl": [12.2, 14.0],
            "uppercl": [12.4, 14.2],
        }
    )
    out = core.primers_html(needs_lesson.primers(place=PAYLOAD, core19=0.4, core25=0.5, qof=qof))
    out += core.quiz_html(needs_lesson.quiz(place=PAYLOAD, core25=0.5, qof=qof), PAYLOAD)
    out += core.discussion_html(needs_lesson.discussion(place=PAYLOAD, core25=0.5, qof=qof), "x")
    assert "<script>" not in out and html.escape("<script>") in out


def test_needs_quiz_answers_are_the_sidecar_numbers(llr):
    """Each answer equals the number at its source in the chapter's own sidecar."""
    pl = llr.place("leicester")
    profile = needs.deprivation_profile(pl)
    core19 = needs.core20_share(profile, "IMD 2019")
    core25 = needs.core20_share(profile, "IoD2025")
    qof = needs.qof_prevalence(pl)
    gps = needs.practices(pl)
    sidecar = json.loads(
        json.dumps(
            needs.key_results(
                place=pl,
                total=needs.total_population(pl),
                core19=core19,
                core25=core25,
                ethnicity=needs.ethnicity_profile(pl),
                status=needs.health_status(pl),
                qof=qof,
                fit=needs.inverse_care(gps),
            ),
            default=float,
        )
    )
    quiz = needs_lesson.quiz(place=pl.name, core25=core25, qof=qof)
    assert len(quiz) == 2
    for q in quiz:
        assert core.resolve(sidecar, q.source) == pytest.approx(q.value, rel=1e-12)
    rendered = core.quiz_html(quiz, pl.name)
    assert f"{core25 * 100:.1f}%" in rendered  # the share, written as the page writes it


def test_ci_primer_says_what_the_intervals_show():
    qof = pd.DataFrame(
        {
            "condition": ["Hypertension"] * 2,
            "area": ["Town", "England"],
            "value": [10.0, 14.0],
            "lowercl": [9.5, 13.9],
            "uppercl": [10.5, 14.1],
        }
    )
    ci = needs_lesson.primers(place="Town", core19=0.1, core25=0.2, qof=qof)[0]
    text = " ".join(ci.paragraphs + ci.example)
    assert "**lower**" in text and "9.5% to 10.5%" in text
    qof.loc[0, ["lowercl", "uppercl"]] = [13.0, 15.0]
    ci = needs_lesson.primers(place="Town", core19=0.1, core25=0.2, qof=qof)[0]
    assert "cannot tell the two rates apart" in " ".join(ci.example)


def test_resolve_picks_key_results_by_id():
    sidecar = {"key_results": [{"id": "a", "value": 1.0}, {"id": "p.arrow2", "value": 7.5}]}
    assert core.resolve(sidecar, ("key_results", "id=p.arrow2", "value")) == 7.5
    with pytest.raises(StopIteration):
        core.resolve(sidecar, ("key_results", "id=missing", "value"))


def test_quiz_answer_is_hidden_until_asked_for():
    q = core.Question("q", "How many?", 2820.4, ("x",), fmt="whole", unit="deaths")
    out = core.quiz_html([q], "Place")
    assert "<details" in out and "<summary>Show the answer</summary>" in out
    assert "2,820 deaths" in out and 'data-value="2820.4"' in out


def test_facilitator_page_reads_figures_from_sidecars_and_escapes(llr):
    sidecars = {
        (p.id, "sii"): {"le_female": {"sii": 7.25 + i, "lowercl": 6.0, "uppercl": 8.5}}
        for i, p in enumerate(llr.places)
    }
    text = pages.facilitator_page(llr, sidecars, book.md_table)
    for i, _ in enumerate(llr.places):
        assert escape_markdown(f"{7.25 + i:.1f} (95% interval 6.0 to 8.5)") in text
    assert "60-minute session plan" in text and "120-minute session plan" in text
    assert "Glossary" in text and escape_markdown("Slope index of inequality (SII)") in text


def test_analysts_page_links_every_notebook(llr):
    from pathlib import Path

    downloads = [
        (p.id, c, Path("downloads") / p.id / f"{c}.ipynb") for p in llr.places for c in llr.chapters
    ]
    text = pages.analysts_page(llr, downloads, book.md_table)
    assert text.count("{download}`notebook <downloads/") == len(llr.places) * len(llr.chapters)
    assert "hi-analysis validate --system llr" in text


def _list_table_shapes(markdown: str) -> list[set[int]]:
    """For each list-table in ``markdown``, the set of row lengths (one value = uniform)."""
    shapes = []
    for block in markdown.split("~~~{list-table}")[1:]:
        body = block.split("\n~~~")[0]
        rows = body.split("\n* - ")[1:]
        shapes.append({1 + row.count("\n  - ") for row in rows})
    return shapes


def test_teaching_pages_tables_are_rectangular(llr):
    from pathlib import Path

    sidecars = {
        (p.id, c): {
            "core20_share_iod2025": 0.5,
            "le_female": {"sii": 7.0, "lowercl": 6.0, "uppercl": 8.0, "synthetic": True},
            "key_results": [
                {
                    "id": "excess_deaths_2020_2021",
                    "value": 1000.0,
                    "lower": 900.0,
                    "upper": 1100.0,
                    "synthetic": False,
                }
            ],
        }
        for p in llr.places
        for c in llr.chapters
    }
    fac = pages.facilitator_page(llr, sidecars, book.md_table)
    downloads = [(p.id, "sii", Path("downloads") / p.id / "sii.ipynb") for p in llr.places]
    ana = pages.analysts_page(llr, downloads, book.md_table)
    shapes = _list_table_shapes(fac) + _list_table_shapes(ana)
    assert len(shapes) == 5
    assert all(len(s) == 1 for s in shapes), shapes
    assert "  - synthetic\n" in fac and "  - real\n" in fac
