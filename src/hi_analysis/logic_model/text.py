"""Sentences of the logic-model chapter, written from the numbers (plain text)."""

from __future__ import annotations

import pandas as pd

from hi_analysis.config import Place
from hi_analysis.logic_model.evaluate import Delivery, EquityResult, MeasureResult, ProgrammeResult
from hi_analysis.logic_model.metrics import METRICS, fingertips_areas, fingertips_rows
from hi_analysis.logic_model.verdicts import WORDS
from hi_analysis.text import num

#: The evaluation designs in words.
DESIGNS = {
    "its": "interrupted time series",
    "controlled_its": "controlled interrupted time series",
    "did": "difference-in-differences (controlled interrupted time series with an event study)",
}

#: Board wording of each programme verdict.
SENTENCES = {
    "on_track": "On track: the activity, the early measure and the outcome are all moving as "
    "planned.",
    "too_early": "Too early to tell: a change in the outcome of the size planned could not yet "
    "be detected.",
    "target_not_objective": "Target met but objective not (yet) met: the early measure moved "
    "but the outcome did not, although a change of the planned size would have been visible. "
    "Review the assumption that the early measure leads to the outcome.",
    "activity_not_moving": "Activity delivered but not changing the early measure: review the "
    "assumption that the activity moves it.",
    "not_delivered": "Not delivered as planned: the output is below its target.",
    "wrong_direction": "A measure is moving the wrong way: review the programme.",
    "gap_widening": "Gains concentrated in less deprived groups: the average improved but the gap "
    "between the most and least deprived neighbourhoods widened.",
}


def pct(x: float) -> str:
    """Signed percentage with one decimal, e.g. ``+4.2%`` (minus as a real minus sign)."""
    return f"{x * 100:+.1f}%".replace("-", "\u2212")


def summary(results: list[ProgrammeResult], place: str) -> list[str]:
    """Key messages: how many programmes are on track, then one line per programme."""
    n = len(results)
    on = sum(r.verdict == "on_track" for r in results)
    out = [
        f"{on} of {n} programme{'s' if n != 1 else ''} covering {place} "
        f"{'is' if on == 1 else 'are'} on track on every arrow of its logic model."
    ]
    for r in results:
        out.append(f"{r.programme.name}: {SENTENCES[r.verdict]}")
    return out


def delivery_text(d: Delivery, place: str) -> str:
    """The output against its target."""
    m = METRICS[d.output.metric]
    t = d.output.target
    word = "meets" if d.verdict == "delivered" else "misses"
    return (
        f"In {d.period}, {m.inline} in {place} ran at {num(d.value)} {m.unit} "
        f"(95% CI {num(d.lower)} to {num(d.upper)}). That {word} the target of "
        f"{'at least' if t.direction == 'at_least' else 'at most'} {num(t.value)} by "
        f"{t.by:%B %Y} ({t.source})."
    )


def its_headline(mr: MeasureResult, place: str) -> str:
    """Chart title stating the finding."""
    m = METRICS[mr.measure.metric]
    r = mr.its
    if not r.estimable:
        return f"Too few months yet to evaluate {m.inline} in {place}"
    if r.detected:
        word = "higher" if r.average_effect > 0 else "lower"
        return (
            f"{m.label} in {place} ran {num(abs(r.average_effect) * 100)}% {word} than "
            f"expected from {mr.interruption:%B %Y}"
        )
    return f"No change detected yet in {m.inline} in {place}"


def its_text(mr: MeasureResult, place: str, design: str) -> str:
    """The estimate, the autocorrelation check and (for outcomes) the MDE sentence."""
    m = METRICS[mr.measure.metric]
    r = mr.its
    ch = mr.measure.expected_change
    if not r.estimable:
        return (
            f"{m.label} cannot be evaluated yet in {place}: {r.reason}. "
            f"Verdict: {WORDS[mr.verdict]}."
        )
    comp = " relative to the change in the comparator places" if design != "its" else ""
    word = "higher" if r.average_effect > 0 else "lower"
    text = (
        f"From {mr.interruption:%B %Y}, {m.inline} in {place} ran "
        f"{num(abs(r.average_effect) * 100)}% {word} than the earlier trend, the season and the "
        f"COVID-19 period predict{comp} (95% CI {pct(r.average_lower)} to "
        f"{pct(r.average_upper)}; {r.n_pre} months before and {r.n_post} after). "
    )
    cum = r.cumulative
    text += (
        f"In total that is {num(cum[0], 0)} events against the expected number (95% CI "
        f"{num(cum[1], 0)} to {num(cum[2], 0)}). "
    )
    text += f"Interval: {r.interval_method}. "
    want = "rise" if ch.direction == "increase" else "fall"
    if mr.stage == "outcome" or not r.detected:
        if r.detected:
            text += f"The plan expected a {want} of {num(ch.relative_size * 100)}%."
        else:
            text += (
                f"A {want} smaller than {num(mr.mde * 100)}% could not have been detected "
                f"with these data (the minimum detectable effect); the plan expected "
                f"{num(ch.relative_size * 100)}%"
                + (
                    ", so it is too early to judge."
                    if mr.mde > ch.relative_size
                    else ", so a change of the planned size would have been visible."
                )
            )
    return text + f" Verdict: {WORDS[mr.verdict]}."


def equity_text(eq: EquityResult, place: str) -> str:
    """Who benefited: the change in SII and RII."""
    m = METRICS[eq.measure.metric]
    c = eq.change
    return (
        f"Across {place}'s neighbourhoods, from most to least deprived, the slope index of "
        f"inequality in {m.inline} was {num(c['sii_pre'], 2)} {m.unit} in "
        f"{eq.pre_period} (95% CI {num(c['sii_pre_lower'], 2)} to "
        f"{num(c['sii_pre_upper'], 2)}) and {num(c['sii_post'], 2)} in {eq.post_period} "
        f"(95% CI {num(c['sii_post_lower'], 2)} to {num(c['sii_post_upper'], 2)}): a change "
        f"of {num(c['sii_change'], 2)} (95% CI {num(c['sii_change_lower'], 2)} to "
        f"{num(c['sii_change_upper'], 2)}). The relative index changed by a factor of "
        f"{num(c['rii_change'], 2)} (95% CI {num(c['rii_change_lower'], 2)} to "
        f"{num(c['rii_change_upper'], 2)}). A positive SII means higher values in less "
        f"deprived neighbourhoods. Verdict: {WORDS[eq.verdict]}."
    )


def context_trend(metric_id: str, place: Place) -> pd.DataFrame:
    """Real Fingertips values of a metric for the place (else its districts) and England.

    Returns ``period, area_name, value`` (empty when the place has no values).
    """
    m = METRICS[metric_id]
    rows = fingertips_rows(m)
    codes = fingertips_areas(m, [place.code]) or fingertips_areas(m, place.district_codes)
    if not codes:
        return pd.DataFrame(columns=["period", "area_name", "value"])
    keep = rows[rows["area_code"].isin([*codes, "E92000001"])].dropna(subset=["value"])
    keep = keep.assign(period=keep["period"].astype(str).str.split(" - ").str[-1])
    return keep[["period", "area_name", "value"]].reset_index(drop=True)


#: Verdicts that ask the board to review an assumption.
REVIEW = (
    "not_delivered",
    "wrong_direction",
    "activity_not_moving",
    "target_not_objective",
    "gap_widening",
)


def assumptions_to_review(results: list[ProgrammeResult]) -> list[str]:
    """One line per arrow whose verdict asks for a review of its assumption (for the board)."""
    out = []
    for r in results:
        for a in r.arrows:
            if a.verdict in REVIEW:
                out.append(
                    f"{r.programme.name}: {a.source} → {a.target} ({WORDS[a.verdict]}). "
                    f"Assumption: {a.assumption}"
                )
    return out
