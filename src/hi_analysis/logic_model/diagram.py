"""The logic-model diagram: boxes and arrows drawn from the plan, each arrow's verdict in words.

The diagram is an SVG (matplotlib) with the verdict written on every box it
points into (colour only supplements the words, WCAG 1.4.1); the same content
is published as an accessible table and CSV (:func:`arrow_table`).
"""

from __future__ import annotations

import textwrap

import pandas as pd
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from hi_analysis.charts import TEXT_COLOUR, Chart, _fig
from hi_analysis.logic_model.evaluate import ProgrammeResult
from hi_analysis.logic_model.verdicts import WORDS

COLUMNS = (
    ("activity", "Activities"),
    ("output", "Outputs"),
    ("proxy", "Early measures"),
    ("outcome", "Outcomes"),
)
_FILL = {
    "on_track": "#D9EFEC",
    "delivered": "#D9EFEC",
    "too_early": "#EEEEEE",
    "target_not_objective": "#FBE3D6",
    "activity_not_moving": "#FBE3D6",
    "not_delivered": "#FBE3D6",
    "wrong_direction": "#FBE3D6",
}


def arrow_table(res: ProgrammeResult) -> pd.DataFrame:
    """One row per arrow: from, to, assumption, evidence, test, verdict, key number."""
    rows = []
    stages = res.programme.stages()
    tests = {
        "output": "Latest 12 months against target",
        "proxy": "Interrupted time series",
        "outcome": "Interrupted time series with MDE",
    }
    design = res.programme.evaluation.design
    if design != "its":
        tests.update(
            proxy="Controlled interrupted time series",
            outcome="Controlled interrupted time series with MDE",
        )
    for a, spec in zip(res.arrows[:-1], res.programme.assumptions, strict=True):
        rows.append(
            {
                "From": a.source,
                "To": a.target,
                "Assumption": a.assumption,
                "Evidence": a.evidence,
                "Test": tests[stages[spec.target]],
                "Verdict": WORDS[a.verdict],
                "Key number (95% CI)": a.key_number,
            }
        )
    eq = res.arrows[-1]
    rows.append(
        {
            "From": eq.source,
            "To": eq.target,
            "Assumption": eq.assumption,
            "Evidence": "The plan's equity intent",
            "Test": eq.evidence,
            "Verdict": WORDS[eq.verdict],
            "Key number (95% CI)": eq.key_number,
        }
    )
    return pd.DataFrame(rows)


def diagram(res: ProgrammeResult, *, place: str) -> Chart:
    """Draw the programme's logic model with each arrow's verdict."""
    prog = res.programme
    stages = prog.stages()
    incoming = {
        spec.target: a.verdict for a, spec in zip(res.arrows[:-1], prog.assumptions, strict=True)
    }
    by_col = {k: [s for s, st in stages.items() if st == k] for k, _ in COLUMNS}
    rows = max(len(v) for v in by_col.values())
    fig, ax = _fig(8, 1.0 + 1.7 * rows)
    ax.set_axis_off()
    ax.set_xlim(0, 4)
    ax.set_ylim(-0.42, rows + 0.25)
    pos = {}
    for j, (key, heading) in enumerate(COLUMNS):
        ax.text(
            j + 0.5,
            rows + 0.12,
            heading,
            ha="center",
            va="center",
            fontweight="bold",
            fontsize=11,
            color=TEXT_COLOUR,
        )
        for i, step_id in enumerate(by_col[key]):
            y = rows - i - 0.5
            pos[step_id] = (j + 0.5, y)
            verdict = incoming.get(step_id)
            text = textwrap.fill(prog.step(step_id).description, 19)
            if verdict:
                text += "\n\n" + textwrap.fill(WORDS[verdict].upper(), 19)
            ax.add_patch(
                FancyBboxPatch(
                    (j + 0.06, y - 0.45),
                    0.88,
                    0.9,
                    boxstyle="round,pad=0.02",
                    facecolor=_FILL.get(verdict or "", "#FFFFFF"),
                    edgecolor=TEXT_COLOUR,
                    linewidth=1,
                )
            )
            ax.text(j + 0.5, y, text, ha="center", va="center", fontsize=9, color=TEXT_COLOUR)
    for spec in prog.assumptions:
        (x0, y0), (x1, y1) = pos[spec.source], pos[spec.target]
        ax.add_patch(
            FancyArrowPatch(
                (x0 + 0.45, y0),
                (x1 - 0.45, y1),
                arrowstyle="-|>",
                mutation_scale=14,
                color=TEXT_COLOUR,
                linewidth=1.3,
            )
        )
    eq = res.arrows[-1]
    ax.text(
        2.0,
        -0.22,
        f"Who benefited ({eq.source.lower()} across deprivation): {WORDS[eq.verdict].upper()}",
        ha="center",
        va="center",
        fontsize=10,
        fontweight="bold",
        color=TEXT_COLOUR,
    )
    table = arrow_table(res)
    alt = (
        f"Logic model of {prog.name} in {place}: "
        + "; ".join(f"{r['From']} leads to {r['To']}: {r['Verdict']}" for _, r in table.iterrows())
        + "."
    )
    return Chart(
        fig,
        f"The logic model of {prog.name}, tested arrow by arrow",
        "Activities, outputs, early measures and outcomes from the plan; each box "
        "states the verdict on the arrow leading into it, and the line below says who benefited",
        alt,
        table,
        "The plan (parameters) and the evaluation on this page",
        f"logic-model-{prog.id}",
    )
