"""Teaching material of the slope-index-of-inequality chapter, told with the place's figures.

Every number comes from the chapter's :class:`hi_analysis.inequality.Gradient`
objects (the one computation); nothing is refitted here.
"""

from __future__ import annotations

from hi_analysis.inequality import Gradient
from hi_analysis.teaching.core import Discussion, Primer, Question
from hi_analysis.text import num


def _ends(g: Gradient) -> tuple[float, float]:
    """Value in the most deprived (first) and least deprived (last) band."""
    e = g.estimates.sort_values("quantile")
    return float(e["value"].iloc[0]), float(e["value"].iloc[-1])


def primers(g: Gradient, *, place: str) -> list[Primer]:
    """Primers on the SII and RII, using the female life-expectancy gradient ``g``."""
    f = g.fit
    k = int(f["n_quantiles"])
    bands = "tenths (deciles)" if k == 10 else "fifths (quintiles)" if k == 5 else f"{k} bands"
    most, least = _ends(g)
    sii, lo, hi = float(f["sii"]), float(f["sii_lowercl"]), float(f["sii_uppercl"])
    sii_p = Primer(
        concept="sii",
        title="What the slope index of inequality measures, and why it uses every band",
        paragraphs=(
            f"Rank {place}'s neighbourhoods from most to least deprived and split the people "
            f"into {bands} of equal size. The **slope index of inequality (SII)** is the slope "
            "of a straight line fitted through the value of every band, each weighted by its "
            "population, and read across the whole social gradient: from the most deprived "
            "person (rank 0) to the least deprived (rank 1).",
            f"For {g.measure} in {place} the SII is **{num(sii)} years** (95% confidence "
            f"interval {num(lo)} to {num(hi)}). Comparing only the two end bands would ignore "
            "most of the population, would jump about with one unusual band, and would change "
            "with the number of bands. The SII uses every band and everyone in it, so places "
            "with different numbers of neighbourhoods can be compared.",
        ),
        example=(
            f"Most deprived band: {num(most)} years; least deprived band: {num(least)} years; "
            f"a simple gap of {num(least - most)} years between the two ends.",
            f"The fitted line runs from the most to the least deprived person, the full width "
            f"of the gradient, so its gap (the SII, {num(sii)} years) can differ from the gap "
            "between the end bands, whose centres are not at the very ends.",
            "The interval is found by simulation, as PHE and OHID do: each band's value is "
            "redrawn many times from its own uncertainty and the line refitted; the middle "
            "95% of the simulated slopes is the interval.",
        ),
    )
    rii = float(f["rii"])
    rii_p = Primer(
        concept="rii",
        title="The relative index: the same gap as a ratio",
        paragraphs=(
            f"The **relative index of inequality (RII)** divides the fitted value at the least "
            f"deprived end by the value at the most deprived end. For {g.measure} in {place} it "
            f"is {num(rii, 2)}. The SII says how big the gap is in the measure's own units "
            "(years); the RII says how big it is relative to the level, which matters when "
            "comparing measures or places with very different averages.",
        ),
    )
    return [sii_p, rii_p]


def discussion(g: Gradient, *, place: str) -> list[Discussion]:
    """Questions for the room, tied to the seeds."""
    return [
        Discussion(
            f"The gap in {g.measure} across {place} is {num(float(g.fit['sii']))} years. Which "
            "programmes in your plan could plausibly narrow it, and which early (proxy) measure "
            "would show within a year that they are working?",
            "Midlands accountability framework, "
            "Section 1: long-term outcomes and short-term proxy measures",
        ),
        Discussion(
            "Life expectancy could rise in every band while the SII stays the same. Would that "
            "be success? What would you ask the board to track alongside it?",
            "Board assurance tool, key line of enquiry 2: a clear vision and credible strategy",
        ),
        Discussion(
            "Who on your board could explain this slope to a community meeting, and how?",
            "Midlands accountability framework, Annex A: systems leadership",
        ),
    ]


def quiz(by_key: dict[str, Gradient], *, place: str) -> list[Question]:
    """The chapter's quiz; each answer is a number in the chapter's sidecar."""
    g = by_key["le_female"]
    m = by_key["le_male"]
    return [
        Question(
            "le_female_sii",
            f"On the fitted line, how many years lower is women's life expectancy at the most "
            f"deprived end of {place}'s gradient than at the least deprived end (the SII)?",
            float(g.fit["sii"]),
            ("le_female", "sii"),
            fmt="num1",
            unit="years",
            explanation=f"95% confidence interval {num(float(g.fit['sii_lowercl']))} to "
            f"{num(float(g.fit['sii_uppercl']))} years.",
        ),
        Question(
            "le_male_sii",
            f"And for men in {place}?",
            float(m.fit["sii"]),
            ("le_male", "sii"),
            fmt="num1",
            unit="years",
            explanation=f"95% confidence interval {num(float(m.fit['sii_lowercl']))} to "
            f"{num(float(m.fit['sii_uppercl']))} years.",
        ),
        Question(
            "bands",
            f"Into how many bands are {place}'s neighbourhoods grouped to compute the SII?",
            float(g.fit["n_quantiles"]),
            ("le_female", "n_quantiles"),
            fmt="whole",
            explanation="Deciles need enough neighbourhoods for each band to hold a stable "
            "population; smaller places use quintiles.",
        ),
    ]
