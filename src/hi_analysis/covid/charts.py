"""Charts of the COVID-19 chapter (Analysis Function style, via :class:`hi_analysis.charts.Chart`).

Titles are passed in from :mod:`hi_analysis.covid.text` (they state the finding);
every chart carries a statistical subtitle, its source, alt text written from
the data and the table behind it.
"""

from __future__ import annotations

import geopandas as gpd
import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from hi_analysis.charts import (
    AF_CATEGORICAL,
    AF_GREY,
    AF_SEQUENTIAL,
    TEXT_COLOUR,
    Chart,
    _fig,
    _wrap,
)
from hi_analysis.covid.cases import LOCAL_LOCKDOWN
from hi_analysis.text import num

_MARKERS = ("o", "D", "s", "^", "v")


def dot_ci(
    data: pd.DataFrame,
    *,
    category: str,
    series: str | None,
    title: str,
    subtitle: str,
    xlabel: str,
    source: str,
    name: str,
    alt_intro: str,
    unit: str = "",
    reference: float | None = None,
    digits: int = 1,
    highlight: str | None = None,
    counts: tuple[str, ...] = (),
) -> Chart:
    """Dot-and-whisker chart of estimates with 95% intervals, one row per category.

    ``data`` has ``value, lowercl, uppercl`` (and ``series`` when several series
    share a row, drawn side by side with a legend). ``reference`` draws a
    vertical line (e.g. a ratio of 1); ``highlight`` names a category drawn in
    the focus colour when there is one series.
    """
    cats = list(dict.fromkeys(data[category].astype(str)))[::-1]
    groups = list(dict.fromkeys(data[series])) if series else [None]
    fig, ax = _fig(8, 0.45 * len(cats) * max(1, len(groups) * 0.6) + 1.6)
    y = np.arange(len(cats))
    width = 0.6 / max(len(groups), 1)
    for i, g in enumerate(groups):
        d = data if g is None else data[data[series] == g]
        d = d.assign(_c=d[category].astype(str)).set_index("_c").reindex(cats)
        off = (i - (len(groups) - 1) / 2) * width
        colours = AF_CATEGORICAL[i % len(AF_CATEGORICAL)]
        if g is None and highlight is not None:
            colours = [AF_CATEGORICAL[0] if c == highlight else "#6F777B" for c in cats]
        err = np.vstack(
            [(d["value"] - d["lowercl"]).clip(lower=0), (d["uppercl"] - d["value"]).clip(lower=0)]
        )
        ax.errorbar(
            d["value"],
            y + off,
            xerr=err,
            fmt="none",
            ecolor=colours if isinstance(colours, str) else TEXT_COLOUR,
            capsize=3,
            linewidth=1.2,
        )
        ax.scatter(
            d["value"],
            y + off,
            color=colours,
            marker=_MARKERS[i % len(_MARKERS)],
            s=40,
            zorder=3,
            label=str(g) if g is not None else None,
            edgecolor=TEXT_COLOUR,
            linewidth=0.5,
        )
    if reference is not None:
        ax.axvline(reference, color=TEXT_COLOUR, linestyle=":", linewidth=1)
    ax.set_yticks(y, [_wrap(c, 34) for c in cats])
    if highlight is not None:
        for lab in ax.get_yticklabels():
            if lab.get_text().replace("\n", " ") == highlight:
                lab.set_fontweight("bold")
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    if series:
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12 - 0.6 / fig.get_figheight()),
            ncol=min(len(groups), 3),
        )
    parts = []
    for c in cats[::-1]:
        rows = data[data[category].astype(str) == c]
        parts.append(
            f"{c}: "
            + ", ".join(
                (f"{r[series]} " if series else "")
                + f"{num(r['value'], digits)}{unit} (95% interval {num(r['lowercl'], digits)} to "
                f"{num(r['uppercl'], digits)})"
                for _, r in rows.iterrows()
            )
        )
    alt = alt_intro + " " + "; ".join(parts) + "."
    return Chart(fig, title, subtitle, alt, data, source, name, counts=counts)


def excess_chart(
    series: pd.DataFrame, *, place: str, title: str, rule_counts: bool = True
) -> Chart:
    """Monthly registered deaths against the expected band, 2015 to the latest month."""
    s = series.copy()
    s["date"] = pd.to_datetime(dict(year=s["year"], month=s["month"], day=1))
    fig, ax = _fig(8, 4.6)
    ax.fill_between(
        s["date"],
        s["expected_lower"],
        s["expected_upper"],
        color="#ADD1F1",
        step=None,
        label="Expected range (95% prediction interval)",
    )
    ax.plot(
        s["date"],
        s["expected"],
        color=AF_CATEGORICAL[0],
        linewidth=1.5,
        linestyle="--",
        label="Expected",
    )
    ax.plot(
        s["date"],
        s["deaths"],
        color=AF_CATEGORICAL[3],
        linewidth=1.8,
        marker="o",
        markersize=2.5,
        label="Registered deaths",
    )
    ax.axvspan(pd.Timestamp("2020-03-01"), pd.Timestamp("2021-12-31"), color="#F3F2F1", zorder=0)
    ax.text(
        pd.Timestamp("2020-03-15"),
        ax.get_ylim()[1],
        "March 2020 to\nDecember 2021",
        va="top",
        fontsize=9,
    )
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_ylabel("Deaths registered in the month")
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize=9)
    above = s[(s["deaths"] > s["expected_upper"]) & ~s["baseline"]]
    peak = s.loc[(s["deaths"] - s["expected"]).idxmax()]
    alt = (
        f"Line chart of deaths registered each month in {place}, January 2015 to "
        f"{s['date'].max():%B %Y}, against the number expected from the 2015 to 2019 "
        f"pattern with its 95% prediction interval. Deaths were above the expected range "
        f"in {len(above)} months after 2019. The largest excess was in {peak['date']:%B %Y}: "
        f"{num(peak['deaths'], 0)} registered against {num(peak['expected'], 0)} expected."
    )
    data = s[
        ["year", "month", "deaths", "expected", "expected_lower", "expected_upper", "baseline"]
    ].rename(columns={"deaths": "registered_deaths", "baseline": "in_fitting_period"})
    data[["expected", "expected_lower", "expected_upper"]] = data[
        ["expected", "expected_lower", "expected_upper"]
    ].round(1)
    return Chart(
        fig,
        title,
        f"Deaths registered per month, {place}, with the number expected "
        "(quasi-Poisson model of 2015 to 2019: month, trend and working days) and its "
        "95% prediction interval",
        alt,
        data,
        "ONS monthly deaths registered by area of usual residence (2024 and 2025 "
        "provisional); model: hi-analysis",
        "excess-deaths-monthly",
        counts=("registered_deaths",) if rule_counts else (),
    )


def case_rate_chart(rates: pd.DataFrame, *, place: str, title: str) -> Chart:
    """Seven-day case rates per 100,000 with England and the 2020 local lockdown marked."""
    fig, ax = _fig(8, 4.6)
    areas = list(dict.fromkeys(rates["area"]))
    main = [a for a in areas if a in (place, "England")]
    others = [a for a in areas if a not in main]
    for a in others:
        d = rates[rates["area"] == a]
        ax.plot(d["date"], d["rate"], color=AF_GREY, linewidth=0.8)
    styles = {place: (AF_CATEGORICAL[0], "-"), "England": (TEXT_COLOUR, "--")}
    ends = []
    for a in main:
        d = rates[rates["area"] == a]
        c, ls = styles[a]
        ax.plot(d["date"], d["rate"], color=c, linewidth=1.8, linestyle=ls)
        ends.append((float(d["rate"].iloc[-1]), a, c, d["date"].iloc[-1]))
    gap = (ax.get_ylim()[1] - ax.get_ylim()[0]) * 0.05
    placed: list[float] = []
    for y, a, c, x in sorted(ends):  # direct labels, nudged apart
        y = y if not placed or y - placed[-1] >= gap else placed[-1] + gap
        placed.append(y)
        ax.text(x + pd.Timedelta(days=10), y, a, color=c, va="center", fontsize=9)
    ax.axvline(LOCAL_LOCKDOWN, color=AF_CATEGORICAL[2], linewidth=1.2)
    ax.text(
        LOCAL_LOCKDOWN + pd.Timedelta(days=8),
        ax.get_ylim()[1] * 0.95,
        "29 June 2020:\nLeicester's local\nlockdown",
        color=AF_CATEGORICAL[2],
        va="top",
        fontsize=9,
    )
    ax.set_ylabel("Cases in 7 days per 100,000")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.grid(axis="x", visible=False)
    ax.set_xlim(rates["date"].min(), rates["date"].max() + pd.Timedelta(days=70))
    peaks = []
    for a in main + others:
        d = rates[rates["area"] == a]
        r = d.loc[d["rate"].idxmax()]
        peaks.append(
            f"{a} peaked at {num(r['rate'], 0)} per 100,000 in the week to {r['date']:%-d %B %Y}"
        )
    note = f" Districts of {place} are grey lines." if others else ""
    alt = (
        f"Line chart of seven-day COVID-19 case rates per 100,000 by specimen date, "
        f"March 2020 to March 2022, for {place} and England, with 29 June 2020 marked.{note} "
        + "; ".join(peaks)
        + "."
    )
    data = rates.assign(rate=rates["rate"].round(1))[["date", "area", "cases_7d", "rate"]]
    return Chart(
        fig,
        title,
        f"Confirmed cases in the previous 7 days per 100,000 people "
        f"(2019 populations), by specimen date, {place} and England, March 2020 to "
        "March 2022",
        alt,
        data,
        "UKHSA COVID-19 dashboard archive (cases by specimen date)",
        "covid-case-rates",
        counts=("cases_7d",),
    )


def index_chart(index: pd.DataFrame, *, place: str, title: str) -> Chart:
    """Waiting list by IMD quintile, indexed to February 2020 = 100 (synthetic)."""
    fig, ax = _fig(8, 4.6)
    qs = sorted(index["imd_quintile"].unique())
    colours = dict(zip(range(1, 6), AF_SEQUENTIAL[:4] + ("#6BACE6",), strict=True))
    styles = ("-", "--", ":", "-.", "-")
    ends = []
    for i, q in enumerate(qs):
        d = index[index["imd_quintile"] == q]
        ax.plot(
            d["snapshot_month"],
            d["index"],
            color=colours[int(q)],
            linestyle=styles[i % 5],
            linewidth=1.8,
        )
        last = d.iloc[-1]
        ends.append((float(last["index"]), int(q), last["snapshot_month"]))
    span = (ax.get_ylim()[1] - ax.get_ylim()[0]) * 0.055
    placed: list[float] = []
    for y, q, x in sorted(ends):  # direct labels, nudged apart
        y = y if not placed or y - placed[-1] >= span else placed[-1] + span
        placed.append(y)
        label = f"Quintile {q}" + (
            " (most deprived)" if q == 1 else " (least deprived)" if q == 5 else ""
        )
        ax.text(x + pd.Timedelta(days=20), y, label, color=colours[q], va="center", fontsize=9)
    ax.axhline(100, color=TEXT_COLOUR, linewidth=0.8, linestyle=":")
    ax.set_ylabel("Waiting list (February 2020 = 100)")
    ax.grid(axis="x", visible=False)
    ax.set_xlim(
        index["snapshot_month"].min(), index["snapshot_month"].max() + pd.Timedelta(days=700)
    )
    last = index[index["snapshot_month"] == index["snapshot_month"].max()]
    alt = (
        f"Line chart of the elective waiting list of {place}'s residents by national IMD "
        f"quintile, indexed to February 2020 = 100, from 2019 to "
        f"{index['snapshot_month'].max():%B %Y} (synthetic data). Latest values: "
        + "; ".join(
            f"quintile {int(r['imd_quintile'])}: {num(r['index'], 0)}" for _, r in last.iterrows()
        )
        + "."
    )
    data = index.assign(index=index["index"].round(1))
    return Chart(
        fig,
        title,
        f"Open elective pathways of {place}'s residents by national IMD "
        "2019 quintile of residence, February 2020 = 100, monthly (synthetic data)",
        alt,
        data,
        "Waiting-list extract (synthetic)",
        "waiting-list-index",
        counts=("pathways",),
    )


def msoa_map(
    shapes: gpd.GeoDataFrame, msoas: pd.DataFrame, *, place: str, title: str, vintage: str
) -> Chart:
    """Choropleth of MSOA crude death rates involving COVID-19 in five classes (real)."""
    g = shapes.merge(msoas, left_on="msoa11cd", right_on="msoa11cd")
    fig, ax = _fig(8, 7)
    bins = (
        np.quantile(msoas["rate"], [0.2, 0.4, 0.6, 0.8])
        if len(msoas) >= 10
        else np.quantile(msoas["rate"], [0.25, 0.5, 0.75, 0.9])
    )
    cls = np.searchsorted(bins, g["rate"].to_numpy(), side="right")
    palette = AF_SEQUENTIAL[::-1]
    for i, c in enumerate(palette):
        part = g[cls == i]
        if len(part):
            part.plot(
                ax=ax, color=c, edgecolor="white", linewidth=0.4, hatch="////" if i == 4 else None
            )
    ax.set_axis_off()
    ax.set_aspect(1 / np.cos(np.deg2rad(52.6)))
    edges = [msoas["rate"].min(), *bins, msoas["rate"].max()]
    labels = [f"{num(edges[i], 0)} to {num(edges[i + 1], 0)}" for i in range(5)]
    from matplotlib.patches import Patch

    ax.legend(
        handles=[
            Patch(facecolor=c, edgecolor=TEXT_COLOUR, label=lab, hatch="////" if i == 4 else None)
            for i, (c, lab) in enumerate(zip(palette, labels, strict=True))
        ],
        title="Deaths per 100,000",
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
    )
    top = msoas.sort_values("rate", ascending=False).head(3)
    alt = (
        f"Map of {place}'s {len(msoas)} MSOAs shaded by the crude rate of deaths involving "
        f"COVID-19 per 100,000 residents, March to December 2020, in five classes, darkest "
        f"(and hatched) highest. Highest: "
        + "; ".join(
            f"{r['msoa_name']} ({num(r['rate'], 0)} per 100,000, deprivation quintile "
            f"{int(r['quintile'])})"
            for _, r in top.iterrows()
        )
        + "."
    )
    data = msoas[
        [
            "msoa11cd",
            "msoa_name",
            "deaths",
            "population",
            "rate",
            "share_older",
            "imd_score",
            "quintile",
        ]
    ].assign(
        rate=lambda d: d["rate"].round(1), share_older=lambda d: (d["share_older"] * 100).round(1)
    )
    data = data.rename(
        columns={"share_older": "percent_aged_70_plus", "quintile": "local_deprivation_quintile"}
    )
    return Chart(
        fig,
        title,
        f"Crude rate of deaths involving COVID-19 per 100,000 residents "
        f"(mid-2020), MSOA 2011, {place}, March to December 2020",
        alt,
        data,
        f"ONS deaths involving COVID-19 by MSOA; ONS mid-2020 population. Boundaries: "
        f"{vintage}. Source: Office for National Statistics licensed under the Open "
        "Government Licence v.3.0. Contains OS data © Crown copyright and database "
        "right 2011-2024.",
        "covid-deaths-msoa-map",
        counts=("deaths",),
    )


def coverage_chart(coverage: pd.DataFrame, *, place: str, rest: str, title: str) -> Chart:
    """First-dose coverage by age band: place and rest of the system, over two denominators.

    Filled markers (with 95% CIs) use the NHS register (NIMS); hollow markers the ONS
    mid-2020 estimate.
    """
    c = coverage[coverage["dose"] == "First dose"]
    bands = [str(b) for b in dict.fromkeys(c["age_band"])][::-1]
    fig, ax = _fig(8, 0.42 * len(bands) + 1.9)
    y = np.arange(len(bands))
    for i, (area, colour, marker) in enumerate(
        ((place, AF_CATEGORICAL[0], "o"), (rest, AF_CATEGORICAL[3], "D"))
    ):
        d = (
            c[c["area"] == area]
            .assign(b=lambda f: f["age_band"].astype(str))
            .set_index("b")
            .reindex(bands)
        )
        off = 0.14 if i == 0 else -0.14
        ax.errorbar(
            d["coverage_nims"],
            y + off,
            xerr=[d["coverage_nims"] - d["lowercl"], d["uppercl"] - d["coverage_nims"]],
            fmt=marker,
            color=colour,
            markersize=6,
            capsize=2,
            label=f"{area}: NHS register (NIMS)",
        )
        ax.scatter(
            d["coverage_ons"],
            y + off,
            marker=marker,
            facecolor="white",
            edgecolor=colour,
            linewidth=1.5,
            s=36,
            zorder=3,
            label=f"{area}: ONS mid-2020 estimate",
        )
    ax.axvline(100, color=TEXT_COLOUR, linestyle=":", linewidth=1)
    ax.set_yticks(y, bands)
    ax.set_ylabel("Age band (years)")
    ax.set_xlabel("People with a first dose (%)")
    ax.grid(axis="y", visible=False)
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16 - 0.5 / fig.get_figheight()),
        ncol=2,
        fontsize=9,
    )
    parts = []
    for b in bands[::-1]:
        row = c[c["age_band"].astype(str) == b].set_index("area")
        parts.append(
            f"{b}: {place} {num(row.loc[place, 'coverage_nims'])}% (NIMS) and "
            f"{num(row.loc[place, 'coverage_ons'])}% (ONS); {rest} "
            f"{num(row.loc[rest, 'coverage_nims'])}% and "
            f"{num(row.loc[rest, 'coverage_ons'])}%"
        )
    alt = (
        "Dot chart of first-dose COVID-19 coverage by 11 July 2021 by age band, for "
        f"{place} and {rest}, over the NHS register (filled markers, with 95% confidence "
        "intervals) and the ONS mid-2020 estimate (hollow markers). " + "; ".join(parts) + "."
    )
    data = c[
        [
            "area",
            "age_band",
            "people",
            "nims",
            "ons",
            "coverage_nims",
            "lowercl",
            "uppercl",
            "coverage_ons",
        ]
    ].copy()
    data["age_band"] = data["age_band"].astype(str)
    for col in ("coverage_nims", "lowercl", "uppercl", "coverage_ons"):
        data[col] = data[col].round(2)
    chart = Chart(
        fig,
        title,
        "People with a first COVID-19 vaccine dose by 11 July 2021 as a "
        "percentage of the NHS register (NIMS, filled, with 95% CIs) and of the ONS "
        "mid-2020 estimate (hollow), by age band",
        alt,
        data,
        "NHS England COVID-19 vaccinations by district and age (15 July 2021); NIMS "
        "populations; ONS mid-2020 estimates",
        "vaccination-coverage-by-age",
        counts=("people", "nims", "ons"),
    )
    chart.notes.append(
        "Coverage above 100% means more people were vaccinated than the ONS "
        "estimate says live there: a sign the estimate is too low."
    )
    return chart
