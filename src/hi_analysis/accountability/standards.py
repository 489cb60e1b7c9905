"""How the plan measures up to the Midlands standards (seed 000 Section 2).

Each standard shows the system's own status and owner (``standards.yml``), links
to the evidence the book itself holds, and, where the data can, an automatic check
(for example B7: the plan's programmes expect change over short, medium and long
horizons, and every outcome has an expected lag).

Examples
--------
>>> Check("B7", "pass", "x").word
'Check passed'
"""

from __future__ import annotations

from dataclasses import dataclass

from hi_analysis.accountability.dashboard import Row
from hi_analysis.accountability.plan import STANDARDS, Accountability

STATUS_WORDS = {
    "met": "Met",
    "partly_met": "Partly met",
    "not_met": "Not met",
    "not_assessed": "Not assessed",
}


@dataclass(frozen=True)
class Check:
    """An automatic check of a standard: ``pass``, ``fail`` or ``info``, and what was found."""

    standard: str
    state: str
    text: str

    @property
    def word(self) -> str:
        """The outcome in words."""
        return {"pass": "Check passed", "fail": "Check failed", "info": "Evidence"}[self.state]


def checks(
    acc: Accountability,
    plan,  # hi_analysis.logic_model.plan.Plan | None
    rows_by_place: dict[str, list[Row]],
    places: list[str],
    as_at,
) -> dict[str, list[Check]]:
    """The automatic checks the data allow, by standard id."""
    out: dict[str, list[Check]] = {}

    def add(sid: str, state: str, text: str) -> None:
        out.setdefault(sid, []).append(Check(sid, state, text))

    metrics = acc.dashboard.metrics
    everywhere = [
        m.id
        for m in metrics
        if all(any(r.metric.id == m.id for r in rows_by_place.get(p, [])) for p in places)
    ]
    with_gap = [m.id for m in metrics if m.gap]
    add(
        "A2",
        "pass" if len(everywhere) == len(metrics) else "fail",
        f"{len(everywhere)} of {len(metrics)} agreed dashboard metrics have a value for every "
        f"place; {len(with_gap)} have a measure of the gap between most and least deprived.",
    )
    all_rows = [r for rows in rows_by_place.values() for r in rows]
    compared = [r for r in all_rows if (r.result.comparison or "not compared") != "not compared"]
    add(
        "B3",
        "info",
        f"{len(compared)} of {len(all_rows)} dashboard values are benchmarked against England "
        "(OHID's better, similar or worse judgement).",
    )
    vacc = [
        r
        for r in all_rows
        if r.metric.target is not None
        and r.metric.priority == "P4"
        and r.metric.domain == "prevention"
        and "vaccin" in r.result.label.lower()
    ]
    if vacc:
        met = [r for r in vacc if r.assured]
        add(
            "B2c",
            "pass" if len(met) == len(vacc) else "fail",
            f"Vaccination against the 90%+ ambition: {len(met)} of {len(vacc)} place values "
            "assured by their 95% interval.",
        )
    audited = {a.programme for a in acc.audits if a.programme}
    overdue = [a.id for a in acc.audits if a.review_due < as_at]
    if plan is not None:
        progs = [p.id for p in plan.programmes]
        add(
            "B1",
            "pass" if set(progs) <= audited and not overdue else "fail",
            f"{len(audited & set(progs))} of {len(progs)} plan programmes have a health equity "
            f"audit; {len(overdue)} audit review(s) overdue.",
        )
        horizons = {
            m.expected_change.horizon for p in plan.programmes for m in (*p.proxies, *p.outcomes)
        }
        missing = [h for h in ("short", "medium", "long") if h not in horizons]
        lags = [
            m.expected_change.lag_months for p in plan.programmes for m in (*p.proxies, *p.outcomes)
        ]
        add(
            "B7",
            "fail" if missing else "pass",
            f"Every one of {len(lags)} early measures and outcomes has an expected lag "
            f"({min(lags)} to {max(lags)} months); horizons in the plan: "
            + ", ".join(h for h in ("short", "medium", "long") if h in horizons)
            + (f"; missing: {', '.join(missing)}." if missing else "."),
        )
        add("A1", "info", f"The plan holds {len(progs)} logic models, each evaluated per place.")
    return out


def page(
    acc: Accountability,
    found: dict[str, list[Check]],
    places: list[tuple[str, str]],
    system_name: str,
    chapters: list[str],
) -> str:
    """The standards page, as MyST Markdown."""
    from hi_analysis.accountability.evidence import illustrative_banner
    from hi_analysis.book import md_table
    from hi_analysis.text import escape_markdown as md

    def links(kind: str) -> str:
        return ", ".join(f"[{md(name)}](../places/{pid}/{kind})" for pid, name in places)

    evidence = {
        "A1": ("logic_model.ipynb", "Logic-model evaluation")
        if "logic_model" in chapters
        else None,
        "A2": ("dashboard.md", "Health equity dashboard"),
        "A3": ("needs_analysis.ipynb", "Needs analysis") if "needs_analysis" in chapters else None,
        "B3": ("dashboard.md", "Health equity dashboard"),
        "B2c": ("dashboard.md", "Health equity dashboard"),
        "B4-primary-care": ("needs_analysis.ipynb", "Needs analysis (inverse care law)")
        if "needs_analysis" in chapters
        else None,
        "B7": ("logic_model.ipynb", "Logic-model evaluation")
        if "logic_model" in chapters
        else None,
    }
    by_id = {s.id: s for s in acc.standards.standards}
    failed = [c for cs in found.values() for c in cs if c.state == "fail"]
    met = sum(s.status == "met" for s in acc.standards.standards)
    lead = (
        f"The system rates {met} of {len(STANDARDS)} Midlands plan standards as met; "
        f"{sum(len(v) for v in found.values())} automatic checks were made from the data and "
        f"{len(failed)} failed."
    )
    out = [f"# How the plan measures up to the Midlands standards: {md(system_name)}", ""]
    out += [f"**{md(lead)}**", ""]
    if acc.illustrative:
        out += [illustrative_banner(), ""]
    out += [
        "The standards are seed 000 Section 2 (the seed numbers B4 twice; both are kept). "
        f"Status and owner are the system's own statement ({md(acc.standards.assessed_by)}); "
        "the evidence links point to the pages of this book that hold it, and the automatic "
        "checks are made from the plan and the data at every build.",
        "",
    ]
    groups: dict[str, list[list[str]]] = {}
    for sid, (label, heading, text) in STANDARDS.items():
        s = by_id[sid]
        ev = evidence.get(sid)
        cells = [md(f"{c.word}: {c.text}") for c in found.get(sid, [])]
        if ev:
            cells.append(f"{md(ev[1])}: {links(ev[0])}")
        if sid == "B1":
            cells.append("[Health equity audits](audits.md)")
        status = STATUS_WORDS[s.status] + (f". {s.note}" if s.note else "")
        groups.setdefault(heading, []).append(
            [
                md(f"{label}. {text}"),
                md(status),
                md(f"{s.owner.role}, {s.owner.organisation} ({s.assessed_on:%d %B %Y})"),
                "<br>".join(cells) if cells else "None held in this book",
            ]
        )
    for heading, rows in groups.items():
        out += [f"## {md(heading)}", ""]
        out.append(
            md_table(
                f"{md(heading)}: status, owner, evidence and automatic checks, " + md(system_name),
                ["Standard", "Status (the system's)", "Owner and date", "Evidence and checks"],
                rows,
            )
        )
        out.append("")
    out.append("")
    return "\n".join(out)
