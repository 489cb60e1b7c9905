"""The system-level pages of the teaching profile: the facilitator's page and the analysts' page.

Both are written from the chapters' JSON sidecars (the one computation of each
number) and the system's parameters; every name is escaped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hi_analysis.chapters import CHAPTERS
from hi_analysis.config import System
from hi_analysis.teaching.core import resolve
from hi_analysis.text import escape_markdown as md
from hi_analysis.text import num

#: The glossary: term and plain-English meaning (the primers' concepts among them).
GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "95% confidence interval",
        "The range of true values compatible with the data; 95 "
        "intervals in 100 worked out this way contain the true value. It measures chance, not "
        "recording error.",
    ),
    (
        "95% prediction interval",
        "The range within which a new observation (such as a month's "
        "deaths) is expected to fall; wider than a confidence interval because it adds "
        "chance variation.",
    ),
    (
        "Age standardisation",
        "Adjusting rates for differences in age mix, so that places or "
        "groups with older or younger populations are compared like with like.",
    ),
    (
        "Core20PLUS5",
        "NHS England's approach to reducing healthcare inequalities: the most "
        "deprived 20% of the population (Core20), locally chosen PLUS groups, and five clinical "
        "areas.",
    ),
    (
        "Counterfactual",
        "What would have happened without the programme, projected from the "
        "trend before it started.",
    ),
    ("Decile, quintile", "Tenths and fifths of a ranked population or list of areas."),
    (
        "Difference-in-differences",
        "The change in the programme's places minus the change in "
        "comparable places without it, to remove changes that happened everywhere.",
    ),
    ("Excess deaths", "Registered deaths minus the deaths expected from the years before."),
    (
        "Index of Multiple Deprivation (IMD)",
        "The official ranking of every small area in "
        "England from most to least deprived, combining income, employment, education, health, "
        "crime, housing and environment.",
    ),
    (
        "Interrupted time series",
        "A comparison of a series after an intervention with the path "
        "its earlier trend and seasons predict.",
    ),
    (
        "LSOA, MSOA",
        "Lower- and middle-layer super output areas: small census areas of about "
        "1,500 and 7,500 people.",
    ),
    (
        "Minimum detectable effect",
        "The smallest true change an analysis would reliably detect with the data available.",
    ),
    (
        "Relative index of inequality (RII)",
        "The gap across the social gradient as a ratio of the two ends of the fitted line.",
    ),
    (
        "Slope index of inequality (SII)",
        "The gap across the whole social gradient, from the "
        "most to the least deprived person, from a line fitted through every band.",
    ),
    ("Small-number suppression", "Hiding or rounding counts small enough to identify a person."),
    (
        "Statistical process control",
        "Reading a series against its own natural variation to "
        "tell special causes from common-cause noise.",
    ),
    (
        "Synthetic data",
        "Record-level data generated to look like real extracts, used to show "
        "the methods; never used for decisions.",
    ),
)


@dataclass(frozen=True)
class Figure:
    """A figure for the facilitator to print: a chapter's key number for a place."""

    chapter: str
    label: str
    source: tuple[str, ...]
    fmt: Callable[[float], str]
    interval: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    #: Where the sidecar says whether the figure is synthetic (None: always real).
    synthetic: tuple[str, ...] | None = None


#: The figures to print, one per chapter, read from the chapters' sidecars.
FIGURES: tuple[Figure, ...] = (
    Figure(
        "needs_analysis",
        "Residents in England's most deprived 20% of neighbourhoods",
        ("core20_share_iod2025",),
        lambda v: f"{v * 100:.1f}%",
    ),
    Figure(
        "sii",
        "Slope index of inequality in women's life expectancy (years)",
        ("le_female", "sii"),
        lambda v: num(v),
        (("le_female", "lowercl"), ("le_female", "uppercl")),
        synthetic=("le_female", "synthetic"),
    ),
    Figure(
        "covid",
        "Excess deaths, March 2020 to December 2021",
        ("key_results", "id=excess_deaths_2020_2021", "value"),
        lambda v: num(v, 0),
        (
            ("key_results", "id=excess_deaths_2020_2021", "lower"),
            ("key_results", "id=excess_deaths_2020_2021", "upper"),
        ),
        synthetic=("key_results", "id=excess_deaths_2020_2021", "synthetic"),
    ),
)


def _figure_text(fig: Figure, sidecar: Mapping) -> str:
    try:
        value = resolve(sidecar, fig.source)
    except (KeyError, StopIteration, TypeError, ValueError):
        return "not available"
    text = fig.fmt(value)
    if fig.interval:
        lo, hi = (resolve(sidecar, s) for s in fig.interval)
        text += f" (95% interval {fig.fmt(lo)} to {fig.fmt(hi)})"
    return text


def _figure_data(fig: Figure, sidecar: Mapping) -> str:
    """``"real"`` or ``"synthetic"``, as the chapter recorded it."""
    if fig.synthetic is None:
        return "real"
    try:
        return "synthetic" if resolve(sidecar, fig.synthetic) else "real"
    except (KeyError, StopIteration, TypeError, ValueError):
        return "synthetic"  # never pass an unknown figure off as real


def facilitator_page(
    system: System, sidecars: Mapping[tuple[str, str], Mapping], table: Callable[..., str]
) -> str:
    """The facilitator's page: session plans, the figures to print, and a glossary.

    Parameters
    ----------
    system : System
    sidecars : mapping
        ``(place id, chapter id) -> sidecar JSON`` for every chapter run.
    table : callable
        The book's captioned-table writer (:func:`hi_analysis.book.md_table`).
    """
    chapters = [c for c in system.chapters if c in CHAPTERS]
    has = set(chapters)
    first = system.places[0]

    def link(chapter: str, place: str = first.id) -> str:
        return f"[{md(CHAPTERS[chapter].title)}](places/{place}/{chapter}.ipynb)"

    home = "[Home](intro.md)"
    plan60 = [["0 to 10", "Why this matters: the system's own headline figures", home]]
    if "sii" in has:
        plan60.append(
            [
                "10 to 25",
                "The social gradient: read the SII primer together, then the discussion questions",
                link("sii"),
            ]
        )
    if "covid" in has:
        plan60.append(
            ["25 to 40", "What COVID-19 did: excess deaths and age standardisation", link("covid")]
        )
    if "logic_model" in has:
        plan60.append(
            [
                "40 to 55",
                "Is the plan working? Interrupted time series and evidence for ratings",
                link("logic_model"),
            ]
        )
    plan60.append(["55 to 60", "Quiz and one action each", "Any chapter's quiz"])
    plan120 = [
        [
            "0 to 15",
            "Why this matters; the board's duties and the seeds' competences",
            "[Home](intro.md)",
        ],
        [
            "15 to 35",
            "Who lives here: confidence intervals and Core20, each group on one place",
            link("needs_analysis") if "needs_analysis" in has else "Needs analysis",
        ],
        [
            "35 to 60",
            "The social gradient in every place: compare the SIIs and their intervals",
            link("sii") if "sii" in has else "SII",
        ],
        ["60 to 70", "Break", ""],
        [
            "70 to 90",
            "COVID-19: who was hit hardest and who is still waiting",
            link("covid") if "covid" in has else "COVID-19",
        ],
        [
            "90 to 110",
            "The logic model: test one arrow, rate it, and say what evidence the rating needs",
            link("logic_model") if "logic_model" in has else "Logic model",
        ],
        ["110 to 120", "Quizzes, and what each person will ask at their next board", ""],
    ]
    head = ["Minutes", "Activity", "Use"]
    rows_fig = []
    for place in system.places:
        for fig in FIGURES:
            sc = sidecars.get((place.id, fig.chapter))
            if fig.chapter not in has or sc is None:
                continue
            rows_fig.append(
                [
                    md(place.name),
                    md(fig.label),
                    md(_figure_text(fig, sc)),
                    _figure_data(fig, sc),
                    link(fig.chapter, place.id),
                ]
            )
    glossary = table("Glossary", ["Term", "Meaning"], [[md(t), md(m)] for t, m in GLOSSARY])
    name = md(system.name)
    return f"""# Facilitator's guide

This page is for people teaching with the book: health-inequalities training for executive
decision makers, which the {name} system framework makes mandatory, and the leadership
capabilities the Midlands framework names (systems leadership, quality improvement,
inclusive and compassionate leadership, talent management). Every chapter page of this
teaching version opens its methods with the place's own figures, asks two or three
discussion questions tied to those capabilities and to the board assurance tool's key lines
of enquiry, and ends with a short quiz whose answers are computed from the data.

The figures are the same as in the board version: both are built from the same run of the
chapters. Figures marked synthetic are computed from synthetic record-level extracts and
are for teaching the methods only.

## A 60-minute session

{table("A 60-minute session plan", head, plan60)}

## A 120-minute session

{table("A 120-minute session plan", head, plan120)}

## Figures to print

One headline figure from each chapter for each place, with its 95% interval, to hand out
before the session. Print the chapter pages themselves from the browser: the print layout
keeps every table whole.

{
        table(
            "Figures to print, by place and chapter",
            ["Place", "Figure", "Value", "Data", "Chapter"],
            rows_fig,
        )
    }

## Glossary

{glossary}
"""


def analysts_page(
    system: System, downloads: Sequence[tuple[str, str, Path]], table: Callable[..., str]
) -> str:
    """The analysts' page: how to rerun the book for a place, and each executed notebook.

    Parameters
    ----------
    downloads : sequence of (place id, chapter id, path relative to the page)
    """
    by_place: dict[str, dict[str, Path]] = {}
    for place, chapter, path in downloads:
        by_place.setdefault(place, {})[chapter] = path
    chapters = [c for c in system.chapters if c in CHAPTERS]
    rows = []
    for place in system.places:
        cells = [md(place.name)]
        for c in chapters:
            p = by_place.get(place.id, {}).get(c)
            cells.append(f"{{download}}`notebook <{p.as_posix()}>`" if p else "not run")
        rows.append(cells)
    nb_table = table(
        "Executed notebooks, by place and chapter",
        ["Place", *[md(CHAPTERS[c].title) for c in chapters]],
        rows,
    )
    sid = system.id
    return f"""# For analysts: rerun this book

The board version hides the code. Here it is open: each chapter's executed notebook, with
its code, outputs and the parameters it ran with, is below. The notebooks are thin: they
load the data, call the `hi_analysis` package and present the results, so the methods are
in the package, documented and tested.

## Download the executed notebooks

{nb_table}

Open a notebook in JupyterLab to read the code beside its output. To run it yourself, use a
clone of the repository (below): the notebooks read the shipped data and the extracts
through the package.

## Rerun the book for your own place

1. Clone the repository on a machine with Python 3.11 and `make`, then run `make book`.
   The first run creates the environment, generates synthetic extracts where no real
   extract exists, runs every chapter for every place and publishes the book; the last
   line it prints is the path of the published site.
2. Your system's parameters are in `parameters/{md(sid)}/system.yml`: its places (upper-tier
   local authorities), their districts, the reporting period, the comparator and the
   small-number rule. Check them with `hi-analysis validate --system {md(sid)}`.
3. Put real record-level extracts in `data/extracts/{md(sid)}/` under the names the
   extract guide gives (docs/extracts.md). They are validated before any notebook runs;
   bad data stops the build with one line naming the file, column and rows.
4. Rebuild one place while you work: `hi-analysis build --system {md(sid)} --place <place>`.
   Only chapters whose inputs or code changed are rerun. A partial run publishes nothing.
5. `make book` publishes the board version and this teaching version side by side.
"""


def read_sidecars(jobs: Sequence) -> dict[tuple[str, str], dict]:
    """``(place, chapter) -> sidecar`` for jobs whose sidecar exists."""
    out = {}
    for j in jobs:
        if j.results.is_file():
            out[(j.place, j.chapter)] = json.loads(j.results.read_text(encoding="utf-8"))
    return out
