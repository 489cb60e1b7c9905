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

#: The districts (2019 and 2024 codes) of that local lockdown: Leicester, Oadby and Wigston,
#: Blaby and Charnwood. A page mentions the lockdown only where a place holds one of them.
LOCKDOWN_DISTRICTS = ("E06000016", "E07000135", "E07000129", "E07000130")
#: The June-July 2020 period's label where the place was not in that lockdown.
JUNE_JULY = "June to July 2020"

#: The waves compared with England (specimen dates, inclusive; whole months, so the monthly
#: national table gives the same totals as the daily one).
WAVES = {
    "Wave 1 (March to August 2020)": ("2020-03-01", "2020-08-31"),
    "Leicester's local lockdown period (June to July 2020)": ("2020-06-01", "2020-07-31"),
    "Wave 2, Alpha (September 2020 to April 2021)": ("2020-09-01", "2021-04-30"),
    "Delta (May to November 2021)": ("2021-05-01", "2021-11-30"),
    "Omicron (December 2021 to March 2022)": ("2021-12-01", "2022-03-31"),
}
#: Free testing for the public ended on 1 April 2022; later counts are not comparable.
FREE_TESTING_ENDED = pd.Timestamp("2022-04-01")


def in_lockdown(place: Place) -> bool:
    """Whether any of the place's districts was in England's first local lockdown."""
    return any(c in LOCKDOWN_DISTRICTS for c in place.district_codes)


def lockdown_wave(place: Place) -> str:
    """The label of the June-July 2020 period for the place."""
    return (
        "Leicester's local lockdown period (June to July 2020)" if in_lockdown(place) else JUNE_JULY
    )


def has_daily(place: Place) -> bool:
    """Whether daily cases are shipped for every district of the place (decided from data).

    The daily table was obtained for a few districts only (``data/public/README.md``);
    elsewhere the chapter uses the national monthly table.
    """
    from hi_analysis.data.public import missing_areas

    return not missing_areas("cases_daily_llr", list(place.district_codes))


def ltla19_of(place: Place) -> dict[str, str]:
    """The 2019 districts of the UKHSA monthly table that make up each of the place's districts.

    Built from the shipped LSOA tables (IMD 2019 carries the 2019 district, the national
    lookup the 2024 one), so merged districts (e.g. North Northamptonshire) map from their
    predecessors. Returns ``{ltla19_code: ltla24_code}``.
    """
    from hi_analysis.geography import lsoa11_codes

    imd = load("imd2019_lsoa11").set_index("lsoa11cd")["lad19cd"]
    look = load("lookup_lsoa11_msoa11").set_index("lsoa11_code")["ltla24_code"]
    codes = pd.Index(lsoa11_codes(place))
    pairs = pd.DataFrame({"l19": imd.reindex(codes).to_numpy(), "l24": look.reindex(codes)})
    pairs = pairs.dropna().drop_duplicates("l19")
    return dict(zip(pairs["l19"], pairs["l24"], strict=True))


def monthly_cases(place: Place) -> pd.DataFrame:
    """Monthly cases of the place's districts from the national UKHSA table (2024 districts).

    Returns
    -------
    pandas.DataFrame
        ``ltla_code, ltla_name, month, cases, population_2019``; empty when the national
        table has no rows for the place.
    """
    m = load("cases_monthly_ltla19")
    to24 = ltla19_of(place)
    m = m[m["ltla19_code"].isin(list(to24))].copy()
    names = {d.code: d.name for d in place.districts}
    m["ltla_code"] = m["ltla19_code"].map(to24)
    m["ltla_name"] = m["ltla_code"].map(names)
    pop = m.drop_duplicates("ltla19_code").groupby("ltla_code")["population_2019"].sum()
    g = m.groupby(["ltla_code", "ltla_name", "month"], as_index=False)["cases"].sum()
    g["population_2019"] = g["ltla_code"].map(pop)
    return g


def has_monthly(place: Place) -> bool:
    """Whether the national monthly table covers every district of the place."""
    got = set(monthly_cases(place)["ltla_code"])
    return all(c in got for c in place.district_codes)


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
    e = load("cases_daily_england")
    e_pop = england_population()
    if has_daily(place):
        d = load("cases_daily_llr")
        d = d[d["ltla_code"].isin(place.district_codes)]
    else:  # whole months: the wave totals are the same sums
        d = monthly_cases(place)
        d = d.assign(date=pd.to_datetime(d["month"] + "-01"))
    areas = [(place.name, d)]
    if len(place.districts) > 1:
        areas += [(n, sub) for n, sub in d.groupby("ltla_name")]
    rows = []
    for wave, (start, end) in WAVES.items():
        if wave.startswith("Leicester's"):
            wave = lockdown_wave(place)
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
    to24 = ltla19_of(place)
    names = {d.code: d.name for d in place.districts}
    mine = g[g["ltla19_code"].isin(list(to24))].copy()
    # a district merged since 2019 is named by its predecessor and its 2024 district
    mine["ltla19_name"] = [
        n if c in names else f"{n} (now {names.get(to24[c], to24[c])})"
        for c, n in zip(mine["ltla19_code"], mine["ltla19_name"], strict=True)
    ]
    return mine.sort_values("rank").reset_index(drop=True)
