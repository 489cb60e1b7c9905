"""Teaching material of the needs-analysis chapter, told with the place's own figures.

Examples
--------
>>> import pandas as pd
>>> qof = pd.DataFrame({"condition": ["Hypertension"] * 2, "area": ["Place", "England"],
...                     "value": [12.3, 14.1], "lowercl": [12.2, 14.0], "uppercl": [12.4, 14.2]})
>>> [q.id for q in quiz(place="Place", core25=0.53, qof=qof)]
['core20_share', 'hypertension_prevalence']
"""

from __future__ import annotations

import pandas as pd

from hi_analysis.teaching.core import Discussion, Primer, Question
from hi_analysis.text import num, pct


def _row(qof: pd.DataFrame, condition: str, area: str) -> pd.Series:
    return qof[(qof["condition"] == condition) & (qof["area"] == area)].iloc[0]


def _side(a: pd.Series, b: pd.Series) -> str:
    """Where interval ``a`` sits against interval ``b``."""
    if a["uppercl"] < b["lowercl"]:
        return "lower"
    if a["lowercl"] > b["uppercl"]:
        return "higher"
    return "overlapping"


def primers(*, place: str, core19: float, core25: float, qof: pd.DataFrame) -> list[Primer]:
    """The needs chapter's primers: confidence intervals, and Core20 deprivation."""
    p = _row(qof, "Hypertension", place)
    e = _row(qof, "Hypertension", "England")
    side = _side(p, e)
    if side == "overlapping":
        verdict = (
            "The two intervals overlap, so the data cannot tell the two rates apart with "
            "confidence."
        )
    else:
        verdict = (
            f"The two intervals do not overlap: {place}'s recorded rate is **{side}** than "
            "England's, and chance alone is very unlikely to explain the difference."
        )
    ci = Primer(
        concept="confidence_interval",
        title="What a 95% confidence interval is",
        paragraphs=(
            f"Recorded hypertension prevalence in {place} is **{num(p['value'])}%**, with a 95% "
            f"confidence interval of {num(p['lowercl'])}% to "
            f"{num(p['uppercl'])}%. The interval is the range of true values that are "
            "compatible with the data: if the same year could be observed many times, 95 "
            "intervals in 100 worked out this way would contain the true rate.",
            "It is narrow here because the registers hold many thousands of patients; the same "
            "rate in a small district, or a rare condition, gives a much wider interval. An "
            "interval measures chance only: it says nothing about people who have the "
            "condition but are not diagnosed or recorded.",
        ),
        example=(
            f"{place}: {num(p['value'])}% (95% CI {num(p['lowercl'])}% to {num(p['uppercl'])}%).",
            f"England: {num(e['value'])}% (95% CI {num(e['lowercl'])}% to {num(e['uppercl'])}%).",
            verdict,
            "Overlapping intervals do not prove the rates are equal: comparing intervals by "
            "eye is a cautious test, which is why Fingertips compares each area with England "
            "formally.",
        ),
    )
    change = core25 - core19
    core20 = Primer(
        concept="core20",
        title="What \u201cCore20\u201d means, and why it can move without anything changing",
        paragraphs=(
            "The English Indices of Deprivation rank every small neighbourhood (LSOA, about "
            "1,500 people) from most to least deprived. Core20 is the most deprived 20% of "
            "neighbourhoods in England, the population NHS England's Core20PLUS5 approach "
            "targets first.",
            f"In {place}, **{pct(core25)}** of residents live in Core20 neighbourhoods on the "
            f"2025 indices, against {pct(core19)} on the 2019 indices: a change of "
            f"{num(abs(change) * 100)} percentage points "
            f"{'up' if change > 0 else 'down' if change < 0 else ''}. Deprivation is a "
            "**rank**: a neighbourhood can move into or out of Core20 because others changed, "
            "or because the indicators were revised, without its own circumstances changing.",
        ),
    )
    return [ci, core20]


def discussion(*, place: str, core25: float, qof: pd.DataFrame) -> list[Discussion]:
    """Questions for the room, tied to the seeds."""
    side = _side(_row(qof, "Hypertension", place), _row(qof, "Hypertension", "England"))
    word = {"lower": "lower than", "higher": "higher than"}.get(side, "similar to")
    return [
        Discussion(
            f"{pct(core25)} of {place}'s residents live in Core20 neighbourhoods. Which of your "
            "services would you expect them to need most, and what data would show whether "
            "they are using them in proportion to need?",
            "Board assurance tool, "
            "key line of enquiry 6: appropriate and accurate information to measure "
            "progress",
        ),
        Discussion(
            f"Recorded hypertension is {word} England's. Is that less disease, or less "
            "diagnosis? Who in the system could find out, and how?",
            "Midlands accountability framework, Annex A: established quality improvement methods",
        ),
        Discussion(
            "Whose voices are missing from these figures (people not registered with a GP, "
            "people whose ethnicity is not recorded)? How would you involve them?",
            "Board assurance tool, "
            "key line of enquiry 7: people who use our services and our communities "
            "are involved and empowered",
        ),
    ]


def quiz(*, place: str, core25: float, qof: pd.DataFrame) -> list[Question]:
    """The chapter's quiz; each answer is a number in the chapter's sidecar."""
    p = _row(qof, "Hypertension", place)
    return [
        Question(
            "core20_share",
            f"What share of {place}'s residents live in England's most deprived 20% of "
            "neighbourhoods (IoD2025)?",
            float(core25),
            ("core20_share_iod2025",),
            fmt="pct",
            explanation="This is an official count of everyone, so it has no interval.",
        ),
        Question(
            "hypertension_prevalence",
            f"What is recorded hypertension prevalence among patients registered in {place} "
            "(QOF 2019/20)?",
            float(p["value"]),
            ("qof_hypertension", "value"),
            fmt="pct_points",
            explanation=f"95% confidence interval {num(p['lowercl'])}% to {num(p['uppercl'])}%.",
        ),
    ]
