"""Health equity audits (seed 001 Action 8), laid out on seed 004's action-planning questions.

One page per ``audits/<id>.yml`` and an index. The page follows the four questions
of seed 004's "Health inequalities – service action planning tool"; the
who-uses-vs-who-needs table is computed from the record-level extracts with
:func:`hi_analysis.stats.use_need.use_to_need`, by national deprivation fifth and
ethnic group, with 95% confidence intervals and recording completeness. A
review past its due date at the end of the reporting period is flagged overdue.

Examples
--------
>>> import datetime as dt
>>> review_status(dt.date(2025, 9, 1), dt.date(2025, 12, 31))
'Review overdue (due 01 September 2025)'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hi_analysis import disclosure
from hi_analysis.accountability.plan import AUDIT_SOURCES, Audit
from hi_analysis.charts import Chart
from hi_analysis.config import System
from hi_analysis.extracts.schemas import ETHNICITY
from hi_analysis.stats.use_need import use_to_need

#: seed 004's four questions and the sub-questions of question 1, verbatim.
QUESTIONS = {
    "q1": "How can you identify health inequalities relating to your service or area of work?",
    "q1a": "a. What sources can you access?",
    "q1b": "b. What other information could be requested or captured?",
    "q1c": "c. Where and when can you review and discuss the information?",
    "q2": "Which inequalities are of most concern? (groups and drivers)",
    "q3": "What is the action plan to understand and address these?",
    "q4": "How can you monitor and evaluate the effect of the action taken?",
}
STAGES = {
    "prepare": "Prepare",
    "assess": "Assess",
    "refine_and_apply": "Refine and apply",
    "review": "Review",
}
QUINTILE_NAMES = {
    1: "1 (most deprived fifth of England)",
    2: "2",
    3: "3",
    4: "4",
    5: "5 (least deprived fifth of England)",
}


def review_status(review_due: dt.date, as_at: dt.date) -> str:
    """Whether the audit's review is overdue at ``as_at`` (the end of the reporting period)."""
    if review_due < as_at:
        return f"Review overdue (due {review_due:%d %B %Y})"
    return f"Review due {review_due:%d %B %Y}"


@dataclass(frozen=True)
class UseNeedTables:
    """Who uses the service against who needs it, by deprivation and by ethnicity."""

    deprivation: pd.DataFrame
    ethnicity: pd.DataFrame
    ethnicity_recorded: float
    synthetic: bool
    use_label: str
    need_label: str


def _quintiles(codes: list[str]) -> pd.Series:
    from hi_analysis.data import load

    imd = load("imd2019_lsoa11").set_index("lsoa11cd")
    return ((imd.loc[imd.index.intersection(codes), "imd_decile"] + 1) // 2).astype(int)


def use_need_tables(audit: Audit, system: System, load=None) -> UseNeedTables | None:
    """Compute the who-uses-vs-who-needs tables of an audit from the extracts.

    ``load(name)`` returns a validated extract (default :func:`hi_analysis.extracts.read_extract`
    for the system, from the build's cache); pass a caching loader when several audits read
    the same extracts.
    """
    from hi_analysis.extracts import is_synthetic, read_extract
    from hi_analysis.geography import lsoa11_codes

    if load is None:

        def load(name: str) -> pd.DataFrame:
            return read_extract(system, name)

    spec = audit.use_need
    if spec is None:
        return None
    codes = sorted({c for p in audit.places for c in lsoa11_codes(system.place(p))})
    if spec.extract == "vaccinations":
        v = load("vaccinations")
        v = v[
            (v["programme"].astype(str) == spec.programme)
            & (v["season"].astype(str) == spec.season)
            & v["eligible"].astype(bool)
            & (v["age"] >= spec.min_age)
            & v["lsoa11cd"].astype(str).isin(codes)
        ]
        need = v.assign(used=v["dose1_date"].notna())
        synthetic = is_synthetic(v)
        use_label, need_label = (
            f"vaccinated ({spec.programme}, {spec.season})",
            "eligible people",
        )
    else:
        act = load("programme_activity")
        act = act[
            (act["programme"].astype(str) == spec.programme)
            & (act["activity_date"].dt.year == spec.year)
        ]
        users = set(act["person_id"].astype(str))
        pop = load("registered_population")
        pop = pop[(pop["age"] >= spec.min_age) & pop["lsoa11cd"].astype(str).isin(codes)]
        need = pop.assign(used=pop["person_id"].astype(str).isin(users))
        synthetic = is_synthetic(act) or is_synthetic(pop)
        use_label = f"people with a {spec.programme.lower()} activity in {spec.year}"
        need_label = f"registered people aged {spec.min_age} and over"
    need = need.assign(quintile=need["lsoa11cd"].astype(str).map(_quintiles(codes)))
    dep = (
        need.groupby("quintile", observed=True)
        .agg(users=("used", "sum"), need=("used", "size"))
        .reset_index()
    )
    eth_col = need["ethnicity"].astype("object")
    recorded = eth_col.isin([e for e in ETHNICITY if e != "Not stated"])
    eth = (
        need[recorded]
        .assign(group=eth_col[recorded])
        .groupby("group")
        .agg(users=("used", "sum"), need=("used", "size"))
        .reset_index()
    )
    return UseNeedTables(
        deprivation=use_to_need(dep, group="quintile"),
        ethnicity=use_to_need(eth, group="group"),
        ethnicity_recorded=float(recorded.mean()) if len(need) else float("nan"),
        synthetic=synthetic,
        use_label=use_label,
        need_label=need_label,
    )


def chart_for(audit: Audit, tables: UseNeedTables, places: str) -> Chart:
    """The audit's use-to-need chart, titled with its finding."""
    low = tables.deprivation.sort_values("ratio").iloc[0]
    high = tables.deprivation.sort_values("ratio").iloc[-1]
    title = (
        f"{audit.title}: use relative to need is lowest in deprivation fifth "
        f"{int(low['quintile'])} and highest in fifth {int(high['quintile'])}"
    )
    return use_need_chart(tables, title=title, name=f"use-need-{audit.id}", places=places)


def _ratio_rows(table: pd.DataFrame, group: str, names: dict, rule: str) -> list[list[str]]:
    from hi_analysis.text import escape_markdown as md

    users = disclosure.control(table["users"], rule)
    need = disclosure.control(table["need"], rule)
    rows = []
    for i, r in table.iterrows():
        hidden = users.iloc[i] is pd.NA or need.iloc[i] is pd.NA
        ratio = (
            "[c]"
            if hidden or not np.isfinite(r["ratio"])
            else f"{r['ratio']:.2f} (95% CI {r['lowercl']:.2f} to {r['uppercl']:.2f})"
        )
        reading = ""
        if not hidden and np.isfinite(r["ratio"]):
            reading = (
                "under-served relative to need"
                if r["uppercl"] < 1
                else "over-represented relative to need"
                if r["lowercl"] > 1
                else "in line with need"
            )
        rows.append(
            [
                md(names.get(r[group], r[group])),
                md(disclosure.format_count(users.iloc[i])),
                md(disclosure.format_count(need.iloc[i])),
                md(ratio),
                md(reading or "not shown"),
            ]
        )
    return rows


def page(
    audit: Audit,
    system: System,
    as_at: dt.date,
    tables: UseNeedTables | None,
    *,
    illustrative: bool,
) -> str:
    """One audit's page, as MyST Markdown (``tables``: :func:`use_need_tables`)."""
    from hi_analysis.accountability.evidence import data_banner, illustrative_banner
    from hi_analysis.book import md_table
    from hi_analysis.report import chart_html
    from hi_analysis.text import escape_markdown as md

    places = ", ".join(system.place(p).name for p in audit.places)
    status = review_status(audit.review_due, as_at)
    out = [f"# Health equity audit: {md(audit.title)}", ""]
    owner = f"{audit.owner.role}, {audit.owner.organisation}"
    lead = f"{status}. Stage: {STAGES[audit.stage]}. Owner: {owner}."
    if tables is not None:
        low = tables.deprivation.sort_values("ratio").iloc[0]
        lead = (
            f"People in deprivation fifth {int(low['quintile'])} use the service at "
            f"{low['ratio']:.2f} times their share of need (95% CI {low['lowercl']:.2f} to "
            f"{low['uppercl']:.2f}), the lowest of the five fifths. " + lead
        )
    out += [f"**{md(lead)}**", ""]
    if illustrative:
        out += [illustrative_banner(), ""]
    if tables is not None:
        out += [
            data_banner(
                ["the who-uses-vs-who-needs tables"] if tables.synthetic else [],
                [] if tables.synthetic else ["the who-uses-vs-who-needs tables"],
            )
            if tables.synthetic
            else data_banner([], ["the who-uses-vs-who-needs tables (from the extracts)"]),
            "",
        ]
    header = [
        ["Project", md(audit.title)],
        ["Population", md(audit.population)],
        ["Places", md(places)],
        ["Owner", md(f"{audit.owner.role}, {audit.owner.organisation}")],
        ["Stage (OHID HEAT)", md(STAGES[audit.stage])],
        ["Completed", md(f"{audit.completed_on:%d %B %Y}")],
        ["Review", md(status)],
    ]
    out.append(md_table("About this audit", ["Item", "Detail"], header))
    out += ["", f"## 1. {md(QUESTIONS['q1'])}", "", f"### {md(QUESTIONS['q1a'])}", ""]
    out += [f"- {md(AUDIT_SOURCES[s])}" for s in audit.sources]
    out.append("")
    if tables is not None:
        rule = system.disclosure
        out += [
            "### Who uses the service against who needs it",
            "",
            md(
                f"Users: {tables.use_label}. Need: {tables.need_label}. The use-to-need ratio is "
                "a group's share of users divided by its share of need: 1 means use in "
                "proportion to need, below 1 under-served. Intervals are 95% Wilson intervals "
                "of the share of users; deprivation fifths are national (IMD 2019)."
            ),
            "",
            chart_html(chart_for(audit, tables, places), rule),
            "",
            md_table(
                f"Use-to-need ratio by deprivation fifth, {md(audit.title)}, {md(places)}",
                [
                    "Deprivation fifth",
                    "Users",
                    "People in need",
                    "Use-to-need ratio (95% CI)",
                    "Reading",
                ],
                _ratio_rows(tables.deprivation, "quintile", QUINTILE_NAMES, rule),
            ),
            "",
            md_table(
                f"Use-to-need ratio by ethnic group, {md(audit.title)}, {md(places)}",
                [
                    "Ethnic group",
                    "Users",
                    "People in need",
                    "Use-to-need ratio (95% CI)",
                    "Reading",
                ],
                _ratio_rows(tables.ethnicity, "group", {}, rule),
            ),
            "",
            md(
                f"Ethnicity recording completeness: {tables.ethnicity_recorded * 100:.1f}% of "
                "people in need have an ethnic group recorded (empty or 'Not stated' excluded "
                "from the ethnicity table)."
            ),
            "",
        ]
    out += [
        f"### {md(QUESTIONS['q1b'])}",
        "",
        md(audit.other_information),
        "",
        f"### {md(QUESTIONS['q1c'])}",
        "",
        md(audit.review_forum),
        "",
        f"## 2. {md(QUESTIONS['q2'])}",
        "",
        *[f"- {md(c)}" for c in audit.concerns],
        "",
    ]
    out.append(
        md_table(
            "Protected characteristics of the Equality Act 2010 reviewed",
            ["Characteristic", "Considered", "Note"],
            [
                [
                    md(p.characteristic.replace("_", " ").capitalize()),
                    "Yes" if p.considered else "No",
                    md(p.note),
                ]
                for p in audit.protected_characteristics
            ],
        )
    )
    out += ["", f"## 3. {md(QUESTIONS['q3'])}", ""]
    out.append(
        md_table(
            "Actions, owners and due dates",
            [
                "Action",
                "Owner",
                "Due",
                "Status at the end of the reporting period",
                "Dashboard metric",
            ],
            [
                [
                    md(a.description),
                    md(f"{a.owner.role}, {a.owner.organisation}"),
                    md(f"{a.due:%d %B %Y}"),
                    "Overdue" if a.due < as_at else "Not yet due",
                    md(a.metric or "none"),
                ]
                for a in audit.actions
            ],
        )
    )
    out += ["", f"## 4. {md(QUESTIONS['q4'])}", "", md(audit.monitoring), ""]
    return "\n".join(out)


def index_page(audits: list[Audit], system: System, as_at: dt.date, *, illustrative: bool) -> str:
    """The audits index, as MyST Markdown."""
    from hi_analysis.accountability.evidence import illustrative_banner
    from hi_analysis.book import md_table
    from hi_analysis.text import escape_markdown as md

    overdue = [a for a in audits if a.review_due < as_at]
    lead = (
        f"{len(audits)} health equity audits are recorded in the plan; {len(overdue)} "
        f"{'is' if len(overdue) == 1 else 'are'} past the review date at the end of the "
        f"reporting period ({as_at:%d %B %Y})."
    )
    out = ["# Health equity audits", "", f"**{md(lead)}**", ""]
    if illustrative:
        out += [illustrative_banner(), ""]
    out += [
        'Seed 001 Action 8: "A form of Health Equity Audit (HEA) will be undertaken for '
        "projects delivered at all levels of commissioning, service redesign and evaluation "
        "within the ICS.\" Each audit follows the questions of seed 004's service "
        "action-planning tool, with OHID's Health Equity Assessment Tool stages.",
        "",
    ]
    rows = [
        [
            f"[{md(a.title)}](audit-{a.id}.md)",
            md(f"{a.owner.role}, {a.owner.organisation}"),
            md(STAGES[a.stage]),
            md(review_status(a.review_due, as_at)),
            md(a.programme or "none"),
        ]
        for a in audits
    ]
    out.append(
        md_table(
            "Health equity audits in the plan",
            ["Audit", "Owner", "Stage", "Review", "Plan programme"],
            rows,
        )
    )
    out.append("")
    return "\n".join(out)


def use_need_chart(tables: UseNeedTables, *, title: str, name: str, places: str) -> Chart:
    """Dot-and-whisker chart of the use-to-need ratio by deprivation fifth, with 95% CIs.

    A vector (SVG) chart for the audit page and the board report's PDF, with a short
    alt text, a full text description and the data behind it.
    """
    from hi_analysis.charts import AF_DUO, _fig

    d = tables.deprivation.sort_values("quintile")
    labels = [QUINTILE_NAMES[int(q)].replace(" fifth of England", "") for q in d["quintile"]]
    fig, ax = _fig(7.0, 2.8)
    y = list(range(len(d)))[::-1]
    ax.errorbar(
        d["ratio"],
        y,
        xerr=[d["ratio"] - d["lowercl"], d["uppercl"] - d["ratio"]],
        fmt="o",
        color=AF_DUO[0],
        ecolor=AF_DUO[0],
        capsize=3,
        markersize=6,
    )
    ax.axvline(1.0, color="#3D3D3D", linewidth=1, linestyle="--")
    ax.text(1.0, len(d) - 0.45, " use in proportion to need", fontsize=9, color="#3D3D3D")
    ax.set_yticks(y, labels)
    ax.set_ylabel("Deprivation fifth (IMD 2019)")
    ax.set_xlabel("Use-to-need ratio (share of users ÷ share of need)")
    ax.grid(axis="y", visible=False)
    desc = (
        f"Use-to-need ratio of {tables.use_label} against {tables.need_label}, by national "
        "deprivation fifth (1 = most deprived), with 95% confidence intervals: "
        + "; ".join(
            f"fifth {int(r['quintile'])} {r['ratio']:.2f} (95% CI {r['lowercl']:.2f} to "
            f"{r['uppercl']:.2f})"
            for _, r in d.iterrows()
        )
        + "."
    )
    data = d[["quintile", "ratio", "lowercl", "uppercl"]].rename(
        columns={
            "quintile": "deprivation_fifth",
            "ratio": "use_to_need_ratio",
            "lowercl": "lower_95",
            "uppercl": "upper_95",
        }
    )
    return Chart(
        fig,
        title,
        f"Use-to-need ratio by deprivation fifth with 95% confidence intervals, {places}"
        + (" (synthetic extracts)" if tables.synthetic else ""),
        desc,
        data,
        "Computed from the record-level extracts; deprivation: IMD 2019 (MHCLG)",
        name,
        kind="Dot chart",
    )
