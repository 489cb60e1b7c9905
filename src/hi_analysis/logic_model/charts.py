"""Charts of the logic-model chapter, in the Analysis Function style."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hi_analysis.charts import AF_CATEGORICAL, AF_DUO, AF_GREY, TEXT_COLOUR, Chart, _fig
from hi_analysis.logic_model.evaluate import Delivery, EquityResult, MeasureResult
from hi_analysis.logic_model.metrics import METRICS
from hi_analysis.text import num

SYNTH_SOURCE = "Synthetic programme series (hi-analysis generator, with built-in effects)"


def _covid_band(ax, series: pd.DataFrame) -> None:
    c = series[series["covid"]]
    if len(c):
        ax.axvspan(
            c["date"].min(),
            c["date"].max() + pd.DateOffset(months=1),
            facecolor="#EEEEEE",
            hatch="//",
            edgecolor="#BFBFBF",
            linewidth=0,
        )
        ax.text(
            c["date"].min(), ax.get_ylim()[1], " COVID-19", va="top", fontsize=8, color=TEXT_COLOUR
        )


def its_chart(mr: MeasureResult, *, place: str, title: str, source: str = SYNTH_SOURCE) -> Chart:
    """Observed rate, fitted line and the dashed counterfactual with its 95% band."""
    m = METRICS[mr.measure.metric]
    s = mr.its.series.copy()
    k = m.scale
    fig, ax = _fig(8, 4.4)
    ax.plot(s["date"], s["rate"] * k, "o", color=AF_GREY, markersize=3, label="Observed")
    ax.plot(s["date"], s["fitted"] * k, color=AF_DUO[0], linewidth=2)
    post = s[s["post"]]
    ax.fill_between(
        post["date"],
        post["cf_lower"] * k,
        post["cf_upper"] * k,
        color=AF_DUO[1],
        alpha=0.2,
        linewidth=0,
    )
    ax.plot(post["date"], post["counterfactual"] * k, color=AF_DUO[1], linewidth=2, linestyle="--")
    ax.axvline(mr.interruption, color=TEXT_COLOUR, linewidth=1, linestyle=":")
    ax.set_ylim(0, max(s["rate"].max(), post["cf_upper"].max() if len(post) else 0) * k * 1.15)
    _covid_band(ax, s)
    ax.text(
        mr.interruption,
        ax.get_ylim()[1] * 0.92,
        f" Evaluated from {mr.interruption:%b %Y}",
        fontsize=8,
        color=TEXT_COLOUR,
    )
    end = s["date"].iloc[-1]
    y_fit, y_cf = post["fitted"].iloc[-1] * k, post["counterfactual"].iloc[-1] * k
    gap = 0.09 * ax.get_ylim()[1]
    if abs(y_fit - y_cf) < gap:  # nudge the two labels apart
        mid = (y_fit + y_cf) / 2
        y_fit, y_cf = (
            (mid + gap / 2, mid - gap / 2) if y_fit >= y_cf else (mid - gap / 2, mid + gap / 2)
        )
    ax.text(end, y_fit, " With programme\n (modelled)", color=AF_DUO[0], fontsize=8, va="center")
    ax.text(end, y_cf, " Expected\n without it", color="#B3541E", fontsize=8, va="center")
    ax.set_xlim(s["date"].iloc[0], end + pd.DateOffset(months=22))
    ax.set_ylabel(
        m.unit.split(" per ")[0].capitalize() + " per " + m.unit.split(" per ", 1)[1]
        if " per " in m.unit
        else m.unit,
        fontsize=9,
    )
    ax.grid(axis="x", visible=False)
    r = mr.its
    subtitle = (
        f"{m.label}, {m.unit}, {place}, monthly {s['date'].iloc[0]:%b %Y} to "
        f"{end:%b %Y}; dashed line: expected without the programme (95% band)"
    )
    alt = (
        f"Line chart of {m.inline} in {place} each month, with the rate the model "
        f"expects without the programme after {mr.interruption:%B %Y}. The modelled rate is "
        f"{num(r.average_effect * 100)}% different from expected on average (95% CI "
        f"{num(r.average_lower * 100)}% to {num(r.average_upper * 100)}%)."
    )
    data = pd.DataFrame(
        {
            "month": s["date"].dt.strftime("%Y-%m"),
            "rate": (s["rate"] * k).round(3),
            "modelled": (s["fitted"] * k).round(3),
            "expected_without_programme": np.where(s["post"], s["counterfactual"] * k, np.nan),
            "expected_lower_95": np.where(s["post"], s["cf_lower"] * k, np.nan),
            "expected_upper_95": np.where(s["post"], s["cf_upper"] * k, np.nan),
        }
    )
    return Chart(fig, title, subtitle, alt, data, source, f"its-{mr.measure.id}")


def delivery_chart(d: Delivery, *, place: str, title: str) -> Chart:
    """The output's rolling 12-month rate against its target."""
    m = METRICS[d.output.metric]
    s = d.series.copy()
    roll = s["events"].rolling(12).sum() / s["population"].rolling(12).sum() * m.scale
    s["rolling"] = roll
    s = s[s["events"].cumsum() > 0]
    fig, ax = _fig(8, 3.8)
    ax.plot(s["date"], s["rolling"], color=AF_CATEGORICAL[0], linewidth=2)
    ax.axhline(d.output.target.value, color=TEXT_COLOUR, linestyle="--", linewidth=1.2)
    ax.text(
        s["date"].iloc[0],
        d.output.target.value,
        f" Target {num(d.output.target.value)} by {d.output.target.by:%B %Y}",
        va="bottom",
        fontsize=9,
    )
    ax.set_ylim(0, max(float(np.nanmax(s["rolling"])), d.output.target.value) * 1.25)
    ax.set_ylabel(m.unit, fontsize=9)
    ax.grid(axis="x", visible=False)
    subtitle = f"{m.label}, {m.unit}, rolling 12 months, {place}"
    alt = (
        f"Line chart of {m.inline} in {place}, over the previous 12 months at each "
        f"month, against the target of {num(d.output.target.value)}. Latest 12 months "
        f"({d.period}): {num(d.value)} (95% CI {num(d.lower)} to {num(d.upper)})."
    )
    data = pd.DataFrame(
        {
            "month": s["date"].dt.strftime("%Y-%m"),
            "rolling_12_month_rate": s["rolling"].round(3),
            "target": d.output.target.value,
        }
    )
    return Chart(fig, title, subtitle, alt, data, SYNTH_SOURCE, f"delivery-{d.output.id}")


def gap_chart(eq: EquityResult, *, place: str, title: str, start: pd.Timestamp) -> Chart:
    """Quarterly rate in the most and least deprived fifths of the place."""
    m = METRICS[eq.measure.metric]
    q = eq.quintiles
    lo, hi = int(q["quintile"].min()), int(q["quintile"].max())
    fig, ax = _fig(8, 4.0)
    for quint, colour, style, word in (
        (lo, AF_DUO[0], "-", "Most deprived fifth"),
        (hi, "#B3541E", "--", "Least deprived fifth"),
    ):
        d = q[q["quintile"] == quint]
        ax.plot(d["date"], d["rate"], color=colour, linestyle=style, linewidth=2)
        ax.text(
            d["date"].iloc[-1],
            d["rate"].iloc[-1],
            " " + word,
            color=colour,
            fontsize=8,
            va="center",
        )
    ax.axvline(start, color=TEXT_COLOUR, linestyle=":", linewidth=1)
    ax.text(start, ax.get_ylim()[1], " Programme starts", va="top", fontsize=8)
    ax.set_xlim(q["date"].min(), q["date"].max() + pd.DateOffset(months=18))
    ax.set_ylim(0, q["rate"].max() * 1.15)
    ax.set_ylabel(m.unit, fontsize=9)
    ax.grid(axis="x", visible=False)
    c = eq.change
    subtitle = (
        f"{m.label}, {m.unit}, by quarter, most and least deprived fifths of "
        f"{place}'s neighbourhoods"
    )
    alt = (
        f"Line chart of {m.inline} each quarter in the most and least deprived fifths "
        f"of {place}. The slope index of inequality changed by {num(c['sii_change'], 2)} "
        f"(95% CI {num(c['sii_change_lower'], 2)} to {num(c['sii_change_upper'], 2)}) "
        f"between {eq.pre_period} and {eq.post_period}."
    )
    data = q[q["quintile"].isin([lo, hi])].assign(
        quarter=lambda d: d["date"].dt.strftime("%Y-%m"), rate=lambda d: d["rate"].round(3)
    )[["quarter", "quintile", "rate"]]
    return Chart(fig, title, subtitle, alt, data, SYNTH_SOURCE, f"gap-{eq.measure.id}")


def targets_vs_objective(measures: list[MeasureResult], *, place: str, title: str) -> Chart:
    """Early measure and outcome as % above or below expected, on one time axis."""
    fig, ax = _fig(8, 3.8)
    rows = []
    for i, mr in enumerate(measures):
        if not mr.its.estimable:
            continue
        s = mr.its.series[mr.its.series["post"]]
        pct = (s["fitted"] / s["counterfactual"] - 1) * 100
        colour = AF_DUO[i % 2]
        observed = (s["rate"] / s["counterfactual"] - 1) * 100
        ax.plot(s["date"], observed, "o", color=colour, alpha=0.35, markersize=3)
        word = "Early measure" if mr.stage == "proxy" else "Outcome"
        ax.plot(s["date"], pct, color=colour, linewidth=2, linestyle="-" if i % 2 == 0 else "--")
        ax.text(s["date"].iloc[-1], pct.iloc[-1], f" {word}", color=colour, fontsize=9, va="center")
        rows.append(
            pd.DataFrame(
                {
                    "month": s["date"].dt.strftime("%Y-%m"),
                    "measure": word,
                    "percent_vs_expected": pct.round(2),
                }
            )
        )
    ax.axhline(0, color=TEXT_COLOUR, linewidth=1)
    ax.set_ylabel("% above or below expected")
    ax.grid(axis="x", visible=False)
    if rows:
        ax.set_xlim(right=ax.get_xlim()[1] + 400)
    data = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    subtitle = (
        f"Modelled change (lines) and monthly values (dots) against the expected level without "
        f"the programme, {place}; 0 = no change"
    )
    alt = (
        f"Line chart of the early measure and the outcome in {place} as a percentage above or "
        "below what the model expects without the programme, since each was evaluated."
    )
    return Chart(fig, title, subtitle, alt, data, SYNTH_SOURCE, "targets-vs-objective")


def context_chart(
    trend: pd.DataFrame, *, title: str, subtitle: str, ylabel: str, name: str
) -> Chart:
    """Real published values of the place (or its districts) against England over time."""
    periods = list(dict.fromkeys(trend["period"]))
    x = {p: i for i, p in enumerate(periods)}
    fig, ax = _fig(8, 4.2)
    areas = list(dict.fromkeys(trend["area_name"]))
    areas = [a for a in areas if a != "England"] + (["England"] if "England" in areas else [])
    for i, area in enumerate(areas):
        d = trend[trend["area_name"] == area]
        colour = TEXT_COLOUR if area == "England" else AF_CATEGORICAL[i % len(AF_CATEGORICAL)]
        style = ":" if area == "England" else ("-", "--", "-.")[i % 3]
        ax.plot(
            [x[p] for p in d["period"]],
            d["value"],
            color=colour,
            linestyle=style,
            linewidth=2,
            marker="o",
            markersize=3,
        )
        ax.text(
            x[d["period"].iloc[-1]] + 0.2,
            d["value"].iloc[-1],
            area,
            color=colour,
            fontsize=8,
            va="center",
        )
    step = max(1, len(periods) // 8)
    ticks = list(range(0, len(periods), step))
    ax.set_xticks(ticks, [periods[t] for t in ticks], fontsize=8)
    ax.set_xlim(-0.3, len(periods) + 2.5)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.grid(axis="x", visible=False)
    parts = []
    for area in areas:
        d = trend[trend["area_name"] == area]
        parts.append(
            f"{area}: {num(d['value'].iloc[0])} in {d['period'].iloc[0]} and "
            f"{num(d['value'].iloc[-1])} in {d['period'].iloc[-1]}"
        )
    alt = f"Line chart of {subtitle[0].lower() + subtitle[1:]}. " + "; ".join(parts) + "."
    return Chart(
        fig,
        title,
        subtitle,
        alt,
        trend,
        "OHID Fingertips (real, Open Government Licence v3.0)",
        name,
    )


def event_study_chart(mr: MeasureResult, *, place: str, title: str) -> Chart:
    """Event-study coefficients by quarter relative to the start, with 95% intervals."""
    es = mr.event_study
    if es is None:
        raise ValueError("this measure has no event study (design is not 'did')")
    m = METRICS[mr.measure.metric]
    e = es.events
    fig, ax = _fig(8, 3.8)
    pre = e["relative_period"] < 0
    for mask, colour, marker in ((pre, AF_GREY, "o"), (~pre, AF_DUO[0], "s")):
        d = e[mask]
        ax.errorbar(
            d["relative_period"],
            d["estimate"],
            yerr=[d["estimate"] - d["lower"], d["upper"] - d["estimate"]],
            fmt=marker,
            color=colour if colour != AF_GREY else "#6F6F6F",
            capsize=2,
            markersize=4,
        )
    ax.axhline(0, color=TEXT_COLOUR, linewidth=1)
    ax.axvline(-0.5, color=TEXT_COLOUR, linestyle=":", linewidth=1)
    ax.text(-0.4, ax.get_ylim()[1], " Start", va="top", fontsize=8)
    ax.set_xlabel("Quarters since the start (the quarter before is the reference, fixed at 0)")
    ax.set_ylabel("Difference (about %)", fontsize=9)
    ax.grid(axis="x", visible=False)
    subtitle = (
        f"{m.label}: difference between {place} and the comparator places in 100 x log rate "
        f"(about a % difference), by quarter relative to the start, with 95% confidence "
        f"intervals (model-based)"
    )
    alt = (
        f"Event-study chart for {m.inline} in {place} against the comparator places. "
        f"Before the start the differences are tested jointly for parallel trends "
        f"(p = {es.pretrend_p:.2f}); after it the average difference is {num(es.estimate, 2)} "
        f"(95% CI {num(es.lower, 2)} to {num(es.upper, 2)})."
    )
    data = e.round(4)
    return Chart(fig, title, subtitle, alt, data, SYNTH_SOURCE, f"event-study-{mr.measure.id}")
