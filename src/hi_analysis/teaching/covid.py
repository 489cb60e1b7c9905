"""Teaching material of the COVID-19 chapter, told with the place's own figures.

Every number comes from the chapter's :class:`hi_analysis.covid.chapter.CovidChapter`
and its key results (the one computation).
"""

from __future__ import annotations

from hi_analysis.covid.chapter import CovidChapter, key_results
from hi_analysis.results import KeyResult
from hi_analysis.teaching.core import Discussion, Primer, Question
from hi_analysis.text import num


def _kr(ch: CovidChapter, id_: str) -> KeyResult:
    return next(r for r in key_results(ch) if r.id == id_)


def _five_year(ch: CovidChapter) -> tuple[float, float] | None:
    f = ch.five_year
    if f is None:
        return None
    rows = f[f["area"] == ch.place.name]
    if rows.empty:
        return None
    r = rows.iloc[0]
    return float(r["excess_model"]), float(r["excess_average"])


def primers(ch: CovidChapter) -> list[Primer]:
    """Primers on excess deaths with prediction intervals, and on age standardisation."""
    place = ch.place.name
    if ch.place_periods is not None:
        ex = _kr(ch, "excess_deaths_2020_2021")
        pct = _kr(ch, "excess_percent_2020_2021")
        figure = (
            f"For {place}, March 2020 to December 2021: **{num(ex.value, 0)} excess deaths** "
            f"(95% prediction interval {num(ex.lower, 0)} to {num(ex.upper, 0)}), "
            f"{num(pct.value)}% more than expected."
        )
    else:  # local registrations are not shipped: the example is England's (said so)
        e = ch.england_periods.iloc[0]
        figure = (
            f"Monthly registrations are not shipped for {place}, so the example is "
            f"{ch.system.comparator.name}, March 2020 to December 2021: "
            f"**{num(e['excess'], 0)} excess deaths** (95% prediction interval "
            f"{num(e['excess_lower'], 0)} to {num(e['excess_upper'], 0)}), "
            f"{num(e['percent'])}% more than expected."
        )
    steps = [
        "Fit a model to the monthly deaths of 2015 to 2019: the usual seasonal pattern, the "
        "trend of those years, and the extra variation real counts show (quasi-Poisson).",
        "Use it to predict each month from March 2020: the **expected** deaths had the "
        "pandemic not happened.",
        "Excess = registered minus expected. " + figure,
    ]
    fy = _five_year(ch)
    if fy is not None:
        steps.append(
            f"The ONS five-year average (the mean of the same months in 2015 to 2019, no "
            f"trend) gives {num(fy[1], 0)} against the model's {num(fy[0], 0)}: the average "
            "ignores the trend of those years and the growth of the population, so the two "
            "differ."
        )
    excess_p = Primer(
        concept="excess_deaths",
        title="Excess deaths, and why a prediction interval",
        paragraphs=(
            "Excess deaths compare what happened with what a model of the years before "
            "predicts would have happened. The uncertainty is a **prediction interval**, not a "
            "confidence interval: it covers both the uncertainty in the fitted model and the "
            "month-to-month chance variation that real deaths would have shown even without a "
            "pandemic. That is why it is wider than a confidence interval for the model's mean.",
        ),
        example=tuple(steps),
    )
    crude = ch.headline_ratio("crude")
    adj = ch.headline_ratio("age-adjusted")
    age_p = Primer(
        concept="age_standardisation",
        title="Age standardisation: why the crude and adjusted ratios differ",
        paragraphs=(
            "COVID-19 killed older people far more often. Deprived neighbourhoods are usually "
            "younger, so comparing crude death rates hides part of their higher risk: their "
            "deaths are spread over more young people at low risk.",
            f"Across {ch.system.short_name}'s neighbourhoods, the crude ratio of death rates "
            f"involving COVID-19, most against least deprived fifth (March to December 2020), is "
            f"**{num(float(crude['ratio']), 2)}** (95% CI {num(float(crude['lower']), 2)} to "
            f"{num(float(crude['upper']), 2)}). Allowing for each neighbourhood's age mix it is "
            f"**{num(float(adj['ratio']), 2)}** (95% CI {num(float(adj['lower']), 2)} to "
            f"{num(float(adj['upper']), 2)}): the age-adjusted ratio compares like with like.",
        ),
    )
    return [excess_p, age_p]


def discussion(ch: CovidChapter) -> list[Discussion]:
    """Questions for the room, tied to the seeds."""
    place = ch.place.name
    return [
        Discussion(
            f"Which communities in {place} were hit hardest, and are they the ones your "
            "recovery plans reach first?",
            "Midlands system frameworks, "
            "Action 5: understand the full effect of the COVID-19 pandemic on health "
            "inequalities",
        ),
        Discussion(
            "If vaccination coverage is lower in some groups even within the same age band, "
            "what would you change in how the next programme is offered?",
            "Board assurance tool, "
            "key line of enquiry 7: communities involved and empowered for equitable "
            "access",
        ),
        Discussion(
            "Waiting lists are reported by deprivation and ethnicity: who on your board asks for "
            "that breakdown, and what do they do with it?",
            "Board assurance tool, priority 1: restore NHS services inclusively",
        ),
    ]


def quiz(ch: CovidChapter) -> list[Question]:
    """The chapter's quiz; each answer is a number in the chapter's sidecar."""
    place = ch.place.name
    adj = _kr(ch, "covid_death_rate_ratio_age_adjusted")
    if ch.place_periods is not None:
        ex = _kr(ch, "excess_deaths_2020_2021")
        first = Question(
            "excess_deaths",
            f"How many more people died in {place} from March 2020 to December 2021 than the "
            "2015 to 2019 model predicts?",
            float(ex.value),
            ("key_results", f"id={ex.id}", "value"),
            fmt="whole",
            unit="deaths",
            explanation=f"95% prediction interval {num(ex.lower, 0)} to {num(ex.upper, 0)}.",
        )
    else:
        sh = _kr(ch, "covid_share_of_deaths_to_2021w22")
        first = Question(
            "covid_share",
            f"What percentage of the deaths registered in {place} from January 2020 to "
            "4 June 2021 involved COVID-19?",
            float(sh.value),
            ("key_results", f"id={sh.id}", "value"),
            fmt="num1",
            unit="%",
            explanation=f"95% confidence interval {num(sh.lower)} to {num(sh.upper)} (real "
            "ONS data).",
        )
    return [
        first,
        Question(
            "adjusted_ratio",
            "After allowing for age, how many times higher was the death rate involving "
            f"COVID-19 in the most deprived fifth of {ch.system.short_name}'s neighbourhoods "
            "than in the least deprived fifth?",
            float(adj.value),
            ("key_results", f"id={adj.id}", "value"),
            fmt="num2",
            unit="times",
            explanation=f"95% confidence interval {num(adj.lower, 2)} to {num(adj.upper, 2)} "
            "(real ONS data, March to December 2020).",
        ),
    ]
