"""Where it spread: confirmed COVID-19 cases by specimen date (UKHSA, real data).

Seven-day case rates per 100,000 (2019 populations, as the dashboard used) for
the place's districts and England; each area's cumulative rate in each wave as a
ratio to England's, with a log-scale Poisson interval
(:func:`hi_analysis.stats.ratios.rate_ratio`); and where the place's districts
ranked among England's 316 districts during Leicester's 2020 local lockdown.
Case counts depend on who was tested: they are not a count of infections.
"""

from __future__ import annotations

import pandas as pd

from hi_analysis.config import Place
from hi_analysis.data import load
from hi_analysis.stats.ratios import rate_ratio

#: England's first local lockdown (Leicester and parts of Oadby and Wigston, Blaby and
#: Charnwood), announced 29 June 2020 (GOV.UK, Leicester lockdown: what you can and cannot do).
LOCAL_LOCKDOWN = pd.Timestamp("2020-06-29")

#: The waves compared with England (specimen dates, inclusive).
WAVES = {
    "Wave 1 (March to August 2020)": ("2020-03-01", "2020-08-31"),
    "Leicester's local lockdown period (June to July 2020)": ("2020-06-01", "2020-07-31"),
    "Wave 2, Alpha (September 2020 to April 2021)": ("2020-09-01", "2021-04-30"),
    "Delta (May to November 2021)": ("2021-05-01", "2021-11-30"),
    "Omicron (December 2021 to March 2022)": ("2021-12-01", "2022-03-31"),
}
#: Free testing for the public ended on 1 April 2022; later counts are not comparable.
FREE_TESTING_ENDED = pd.Timestamp("2022-04-01")


def england_population() -> float:
    """England's 2019 population: the sum over the dashboard's 316 districts."""
    m = load("cases_monthly_ltla19")
    return float(m.drop_duplicates("ltla19_code")["population_2019"].sum())


def seven_day_rates(place: Place, *, end: pd.Timestamp = FREE_TESTING_ENDED) -> pd.DataFrame:
    """Seven-day case rate per 100,000 by day for the place's districts and England.

    Returns
    -------
    pandas.DataFrame
        ``date, area, cases_7d, population, rate`` (long), up to ``end``.
    """
    d = load("cases_daily_llr")
    d = d[d["ltla_code"].isin(place.district_codes)]
    if d.empty:
        raise ValueError(f"no daily cases for the districts of {place.name}")
    idx = pd.date_range("2020-03-01", end - pd.Timedelta(days=1), freq="D")
    frames = []
    if len(place.districts) > 1:
        total = d.groupby("date")["cases"].sum().reindex(idx, fill_value=0)
        pop = float(d.drop_duplicates("ltla_code")["population_2019"].sum())
        frames.append(_roll(total, pop, place.name))
    for _, sub in d.groupby("ltla_code"):
        s = sub.set_index("date")["cases"].reindex(idx, fill_value=0)
        name = sub["ltla_name"].iloc[0]
        frames.append(_roll(s, float(sub["population_2019"].iloc[0]), name))
    e = load("cases_daily_england").set_index("date")["cases_england_sum_of_ltlas"]
    frames.append(_roll(e.reindex(idx, fill_value=0), england_population(), "England"))
    return pd.concat(frames, ignore_index=True)


def _roll(s: pd.Series, population: float, area: str) -> pd.DataFrame:
    c7 = s.rolling(7, min_periods=7).sum()
    return pd.DataFrame(
        {
            "date": s.index,
            "area": area,
            "cases_7d": c7.to_numpy(),
            "population": population,
            "rate": (c7 / population * 100_000).to_numpy(),
        }
    ).dropna()


def wave_ratios(place: Place) -> pd.DataFrame:
    """Cumulative cases per 100,000 in each wave, and the ratio to England with 95% CI.

    Returns
    -------
    pandas.DataFrame
        ``wave, area, cases, population, rate, england_rate, ratio, lower, upper``.
    """
    d = load("cases_daily_llr")
    d = d[d["ltla_code"].isin(place.district_codes)]
    e = load("cases_daily_england")
    e_pop = england_population()
    areas = [(place.name, d)]
    if len(place.districts) > 1:
        areas += [(n, sub) for n, sub in d.groupby("ltla_name")]
    rows = []
    for wave, (start, end) in WAVES.items():
        in_e = e["date"].between(start, end)
        e_cases = float(e.loc[in_e, "cases_england_sum_of_ltlas"].sum())
        for name, sub in areas:
            in_w = sub["date"].between(start, end)
            cases = float(sub.loc[in_w, "cases"].sum())
            pop = float(sub.drop_duplicates("ltla_code")["population_2019"].sum())
            rr = rate_ratio(cases, pop, e_cases, e_pop)
            rows.append(
                {
                    "wave": wave,
                    "area": name,
                    "cases": cases,
                    "population": pop,
                    "rate": cases / pop * 100_000,
                    "england_rate": e_cases / e_pop * 1e5,
                    "ratio": rr["ratio"],
                    "lower": rr["lower"],
                    "upper": rr["upper"],
                }
            )
    return pd.DataFrame(rows)


def lockdown_ranks(place: Place) -> pd.DataFrame:
    """Rank of each of the place's districts among England's districts, June-July 2020.

    Returns
    -------
    pandas.DataFrame
        ``ltla19_code, ltla19_name, rate, rank, of`` (rank 1 = highest case rate).
    """
    m = load("cases_monthly_ltla19")
    every = m.drop_duplicates("ltla19_code")[["ltla19_code", "ltla19_name", "population_2019"]]
    m = m[m["month"].isin(["2020-06", "2020-07"])]
    g = every.merge(
        m.groupby("ltla19_code", as_index=False)["cases"].sum(), how="left", on="ltla19_code"
    ).fillna({"cases": 0})  # no row: no cases that month
    g = g.rename(columns={"population_2019": "population"})
    g["rate"] = g["cases"] / g["population"] * 100_000
    g["rank"] = g["rate"].rank(ascending=False, method="min").astype(int)
    g["of"] = len(g)
    return g[g["ltla19_code"].isin(place.district_codes)].sort_values("rank").reset_index(drop=True)
