"""The teaching profile: the same book, with its methods opened up for leadership training.

The board and teaching profiles are built from the same executed notebooks, so no
number is computed twice. Notebook cells tagged ``teaching-only`` (primers, worked
examples, discussion questions, quizzes) are dropped from the board profile; cells
tagged ``board-only`` are dropped from the teaching profile
(:func:`hi_analysis.teaching.core.filter_notebook`).

Modules
-------
core
    The profile switch, and the primitives teaching cells display: a method primer,
    discussion questions, a quiz whose answers are computed from the data.
needs, sii, covid, logic_model
    Each chapter's primers, discussion questions and quiz, written from the numbers
    the chapter has already computed for the place.
pages
    The system-level teaching pages: the facilitator's page (session plans, figures
    to print, glossary) and the analysts' page (rerunning the book, notebooks).
"""

from hi_analysis.teaching.core import (
    BOARD_ONLY,
    PROFILES,
    TEACHING_ONLY,
    Discussion,
    Primer,
    Question,
    filter_notebook,
    keep_cell,
)

__all__ = [
    "BOARD_ONLY",
    "PROFILES",
    "TEACHING_ONLY",
    "Discussion",
    "Primer",
    "Question",
    "filter_notebook",
    "keep_cell",
]
