"""Teaching primitives: profiles, method primers, discussion questions and quizzes.

Everything here is presentation: the numbers come from the chapter's own
computations (passed in), never recomputed. Text from parameters or data is
escaped; only ``**bold**`` written by the package becomes markup.

Examples
--------
>>> keep_cell({"metadata": {"tags": ["teaching-only"]}}, "board")
False
>>> keep_cell({"metadata": {"tags": ["teaching-only"]}}, "teaching")
True
>>> q = Question("q1", "How many?", 12.345, ("a", "b"), fmt="num1")
>>> q.answer_text
'12.3'
>>> resolve({"a": {"b": 12.345}}, q.source)
12.345
"""

from __future__ import annotations

import copy
import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hi_analysis.text import num, pct

#: The profiles a book is built in; ``board`` is the default.
PROFILES = ("board", "teaching")
#: Tag of cells shown only in the teaching profile.
TEACHING_ONLY = "teaching-only"
#: Tag of cells shown only in the board profile.
BOARD_ONLY = "board-only"

_DROP = {"board": TEACHING_ONLY, "teaching": BOARD_ONLY}


def keep_cell(cell: Mapping, profile: str) -> bool:
    """Whether a notebook cell belongs in ``profile``.

    Parameters
    ----------
    cell : mapping
        A notebook cell (``nbformat`` JSON).
    profile : {"board", "teaching"}

    Returns
    -------
    bool
        False for a ``teaching-only`` cell in the board profile and a
        ``board-only`` cell in the teaching profile; True otherwise.
    """
    if profile not in _DROP:
        raise ValueError(f"unknown profile {profile!r}: choose one of {', '.join(PROFILES)}")
    return _DROP[profile] not in cell.get("metadata", {}).get("tags", [])


def filter_notebook(notebook: Mapping, profile: str) -> dict:
    """A copy of an executed notebook with only the cells of ``profile``.

    Examples
    --------
    >>> nb = {"cells": [{"metadata": {"tags": ["board-only"]}}, {"metadata": {}}]}
    >>> len(filter_notebook(nb, "teaching")["cells"])
    1
    """
    out = copy.deepcopy(dict(notebook))
    out["cells"] = [c for c in out.get("cells", []) if keep_cell(c, profile)]
    return out


def inline(text: str) -> str:
    """HTML for a sentence: everything escaped except ``**bold**`` written by the package.

    Examples
    --------
    >>> inline("**8.1 years** for <Leicester>")
    '<strong>8.1 years</strong> for &lt;Leicester&gt;'
    """
    parts = re.split(r"\*\*(.+?)\*\*", text)
    return "".join(
        f"<strong>{html.escape(p)}</strong>" if i % 2 else html.escape(p)
        for i, p in enumerate(parts)
    )


#: How a quiz answer is written: the same formatter the test uses to check it.
FORMATS = {
    "pct": lambda v: pct(v),
    "pct_points": lambda v: f"{num(v)}%",
    "num1": lambda v: num(v, 1),
    "num2": lambda v: num(v, 2),
    "whole": lambda v: f"{round(v):,}",
}


def format_value(value: float, fmt: str) -> str:
    """Write ``value`` as a quiz answer does (see :data:`FORMATS`).

    Examples
    --------
    >>> format_value(0.5331, "pct"), format_value(2820.4, "whole")
    ('53.3%', '2,820')
    """
    return FORMATS[fmt](value)


def resolve(sidecar: Mapping, source: Sequence[str]) -> float:
    """The number at ``source`` in a chapter's JSON sidecar.

    A segment ``id=<x>`` picks the record with that ``id`` from a list (the
    ``key_results`` list); any other segment is a key.

    Examples
    --------
    >>> resolve({"key_results": [{"id": "a.b", "value": 2.0}]}, ("key_results", "id=a.b", "value"))
    2.0
    """
    node: object = sidecar
    for seg in source:
        if seg.startswith("id=") and isinstance(node, list):
            node = next(r for r in node if r.get("id") == seg[3:])
        else:
            node = node[seg]  # type: ignore[index]
    return float(node)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Primer:
    """A short explanation of one method, told with the place's own figures.

    Attributes
    ----------
    concept : str
        Stable identifier (e.g. ``"confidence_interval"``); the glossary links by it.
    title : str
        Heading, e.g. "What a confidence interval is".
    paragraphs : tuple of str
        Sentences (``**bold**`` allowed, everything else is escaped).
    example : tuple of str
        Steps of a worked example with the place's numbers (may be empty).
    """

    concept: str
    title: str
    paragraphs: tuple[str, ...]
    example: tuple[str, ...] = ()

    def html(self) -> str:
        """The primer as an accessible HTML block (a labelled note)."""
        body = "".join(f"<p>{inline(p)}</p>" for p in self.paragraphs)
        if self.example:
            steps = "".join(f"<li>{inline(s)}</li>" for s in self.example)
            body += f"<p><strong>Worked example.</strong></p><ol>{steps}</ol>"
        title = html.escape(self.title)
        return (
            f'<div role="note" class="hi-teaching hi-primer" aria-label="Method: {title}" '
            f'data-concept="{html.escape(self.concept)}">'
            f'<p class="hi-teaching-kicker">Method explained</p>'
            f'<p class="hi-teaching-title"><strong>{title}</strong></p>{body}</div>'
        )


@dataclass(frozen=True)
class Discussion:
    """A question for the room, tied to a competence or line of enquiry of the seeds."""

    question: str
    anchor: str


@dataclass(frozen=True)
class Question:
    """A quiz question whose answer is a number the chapter computed.

    Attributes
    ----------
    id : str
        Stable identifier within the chapter.
    prompt : str
        The question.
    value : float
        The answer, read from the chapter's results (never typed in).
    source : tuple of str
        Where the value sits in the chapter's JSON sidecar (see :func:`resolve`),
        so a test can check the published answer against the results.
    fmt : str
        How the value is written (a key of :data:`FORMATS`).
    unit : str
        Words after the number (e.g. ``"years"``).
    explanation : str
        One or two sentences saying why (may hold an interval).
    """

    id: str
    prompt: str
    value: float
    source: tuple[str, ...]
    fmt: str = "num1"
    unit: str = ""
    explanation: str = ""
    choices: tuple[str, ...] = field(default=())

    @property
    def answer_text(self) -> str:
        """The value as the page writes it, with its unit."""
        text = format_value(self.value, self.fmt)
        return f"{text} {self.unit}".strip()


def primers_html(primers: Sequence[Primer]) -> str:
    """HTML of several primers."""
    return "".join(p.html() for p in primers)


def discussion_html(items: Sequence[Discussion], place: str) -> str:
    """HTML of the discussion questions of a chapter."""
    lis = "".join(
        f"<li>{inline(d.question)} <em>({html.escape(d.anchor)})</em></li>" for d in items
    )
    return (
        f'<div role="note" class="hi-teaching hi-discussion" aria-label="Discussion questions, '
        f'{html.escape(place)}"><p class="hi-teaching-title"><strong>For discussion'
        f"</strong></p><ol>{lis}</ol></div>"
    )


def quiz_html(questions: Sequence[Question], place: str) -> str:
    """HTML of a quiz: each answer hidden in a native disclosure widget until asked for.

    ``<details>``/``<summary>`` is keyboard- and screen-reader-accessible without
    script. Each answer carries its source in the sidecar (``data-source``) and the
    unrounded value (``data-value``), which the end-to-end tests check.
    """
    items = []
    for q in questions:
        if not math.isfinite(q.value):
            continue
        explanation = f" {inline(q.explanation)}" if q.explanation else ""
        source = html.escape(json.dumps(list(q.source)))
        items.append(
            f'<li><p>{inline(q.prompt)}</p><details class="hi-quiz-answer" '
            f'data-quiz-id="{html.escape(q.id)}" data-source="{source}" '
            f'data-value="{q.value!r}" data-format="{q.fmt}"><summary>Show the answer</summary>'
            f'<p><strong class="hi-quiz-value">{html.escape(q.answer_text)}</strong>'
            f"{explanation}</p></details></li>"
        )
    return (
        f'<div role="note" class="hi-teaching hi-quiz" aria-label="Quiz, {html.escape(place)}">'
        f'<p class="hi-teaching-title"><strong>Quiz: test yourself on {html.escape(place)}'
        f"</strong></p><ol>{''.join(items)}</ol></div>"
    )


def show(markup: str) -> None:
    """Display teaching HTML in a notebook cell (tag the cell ``teaching-only``)."""
    from IPython.display import HTML, display

    display(HTML(markup))
