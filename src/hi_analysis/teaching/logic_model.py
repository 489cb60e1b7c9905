"""Teaching material of the logic-model chapter, told with the place's own results.

Every number comes from the chapter's :class:`hi_analysis.logic_model.evaluate.ProgrammeResult`
objects and their key results (the one computation).
"""

from __future__ import annotations

from collections import Counter

from hi_analysis.config import Place
from hi_analysis.logic_model import verdicts as V
from hi_analysis.logic_model.evaluate import MeasureResult, ProgrammeResult, key_results
from hi_analysis.logic_model.metrics import METRICS
from hi_analysis.teaching.core import Discussion, Primer, Question
from hi_analysis.text import num


def _example_measure(results: list[ProgrammeResult]) -> tuple[ProgrammeResult, MeasureResult]:
    """The first estimable measure (an outcome if any), to teach the ITS with."""
    pairs = [(r, m) for r in results for m in r.measures if m.its.estimable]
    pairs.sort(key=lambda rm: rm[1].stage != "outcome")
    return pairs[0]


def primers(results: list[ProgrammeResult], *, place: str) -> list[Primer]:
    """Primers on interrupted time series, "too early to tell", and evidence for ratings."""
    out = []
    estimable = [m for r in results for m in r.measures if m.its.estimable]
    if estimable:
        prog, mr = _example_measure(results)
        r = mr.its
        m = METRICS[mr.measure.metric]
        want = mr.measure.expected_change
        steps = [
            f"Months before {mr.interruption:%B %Y} ({r.n_pre}) give the trend and the "
            "season; the model projects them forward as the **counterfactual**: what would "
            "have happened without the programme.",
            f"After the start ({r.n_post} months) the observed {m.inline} ran "
            f"**{num(r.average_effect * 100)}%** against the counterfactual (95% CI "
            f"{num(r.average_lower * 100)}% to {num(r.average_upper * 100)}%).",
            f"The plan expected a change of {num(want.relative_size * 100)}%. With this much "
            f"data, the smallest change the analysis could reliably detect (the minimum "
            f"detectable effect) is {num(mr.mde * 100)}%.",
            f"Verdict: {V.WORDS[mr.verdict]}.",
        ]
        out.append(
            Primer(
                concept="its",
                title="Interrupted time series: comparing with what would have happened",
                paragraphs=(
                    f"To judge whether {prog.programme.name} changed {m.inline} in {place}, "
                    "the chapter fits the monthly series before the programme started and "
                    "asks whether the months after it depart from that path, more than chance "
                    "would explain.",
                ),
                example=tuple(steps),
            )
        )
        out.append(
            Primer(
                concept="too_early",
                title="What \u201ctoo early to tell\u201d means",
                paragraphs=(
                    "An interval that includes no change is not evidence of no effect. If the "
                    "smallest change the data could detect is larger than the change the plan "
                    "expected, a real effect of the planned size could be there and still be "
                    "invisible: the honest verdict is **too early to tell**, and the answer is "
                    "more time or more data, not a red rating.",
                    f"Here the detectable change ({num(mr.mde * 100)}%) is "
                    + (
                        "larger than the expected one, so a null result would be too early to call."
                        if mr.mde > want.relative_size
                        else "smaller than the expected one, so a null result would count "
                        "against the assumption."
                    ),
                ),
            )
        )
    counts = Counter(a.verdict for r in results for a in r.arrows)
    holding = counts.get("on_track", 0) + counts.get("delivered", 0)
    total = sum(counts.values())
    out.append(
        Primer(
            concept="rag_evidence",
            title="Why a red, amber or green rating needs evidence",
            paragraphs=(
                "A rating is a claim about the world. Green should mean a measured change, in "
                "the planned direction, with an interval that excludes no change; it should "
                "say which data show it and whether they are real or synthetic.",
                f"Of the {total} arrows of the logic models covering {place}, {holding} hold on "
                "the evidence (delivered or on track). The others are a prompt to ask what the "
                "plan assumed, not a verdict on the people delivering it.",
            ),
        )
    )
    return out


def discussion(results: list[ProgrammeResult], *, place: str) -> list[Discussion]:
    """Questions for the room, tied to the seeds."""
    return [
        Discussion(
            f"Pick one arrow of a logic model covering {place} that does not hold. Which "
            "assumption failed: the activity, the link to the early measure, or the link to the "
            "outcome? Who would know?",
            "Midlands accountability framework, "
            "Section 1: a logic model of proxy indicators and evaluation",
        ),
        Discussion(
            "A target can be met while the objective is missed. Which of your targets could be "
            "met without narrowing the gap?",
            "Board assurance tool, "
            "key line of enquiry 5: managing risks, issues and performance with a "
            "focus on equity",
        ),
        Discussion(
            "What would you need to see before rating a programme green at the board?",
            "Board assurance tool, "
            "key line of enquiry 8: learning, continuous improvement and innovation",
        ),
    ]


def quiz(results: list[ProgrammeResult], place: Place) -> list[Question]:
    """The chapter's quiz; each answer is a number in the chapter's sidecar."""
    krs = key_results(results, place)
    out = []
    for kr in krs[:2]:
        arrow = kr.label.rsplit(" (", 1)[0]  # the label ends with the verdict: don't give it away
        out.append(
            Question(
                kr.id,
                f"The arrow \u201c{arrow}\u201d in {place.name}: what did the evaluation measure?",
                float(kr.value),
                ("key_results", f"id={kr.id}", "value"),
                fmt="num1",
                unit=kr.unit,
                explanation=(
                    f"95% confidence interval {num(kr.lower)} to {num(kr.upper)}."
                    if kr.lower is not None and kr.upper is not None
                    else ""
                ),
            )
        )
    return out
