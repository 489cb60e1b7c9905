"""Who died: deaths involving COVID-19 by deprivation, age, sex and ethnic group.

Real: ONS deaths involving COVID-19 by MSOA (March to December 2020). The
system's MSOAs are grouped into local deprivation quintiles of equal population
(by their population-weighted IMD 2019 score, 1 = most deprived), and rate
ratios against the least deprived quintile are estimated by quasi-Poisson
regression (:func:`hi_analysis.stats.ratios.rate_ratio_model`) -- crude, and
adjusted for the share of residents aged 70 and over (ONS did not publish MSOA
deaths by age, so this is the adjustment the data allow).

Synthetic: age-standardised mortality rates (ESP 2013, Dobson limits) from the
deaths extract by national IMD 2019 decile, ethnic group and sex.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hi_analysis import stats
from hi_analysis.config import Place, System
from hi_analysis.covid._select import in_codes, lookup, recorded
from hi_analysis.data import load
from hi_analysis.geography import lsoa11_codes
from hi_analysis.inequality import ESP_STARTS
from hi_analysis.stats.ratios import rate_ratio_model

#: Age from which residents count as "older" in the age adjustment.
OLDER_AGE = 70
#: Fewest MSOAs a system needs for local deprivation quintiles: two per quintile, so the
#: quasi-Poisson models (5 and 6 parameters) keep residual degrees of freedom for the
#: dispersion.
MIN_MSOAS = 10
#: Smallest group (residents) given an age-standardised rate.
MIN_GROUP = 2_000
#: Period of the synthetic age-standardised rates.
SYNTH_PERIOD = (pd.Timestamp("2020-03-01"), pd.Timestamp("2021-12-31"))

#: Published England figures quoted beside the synthetic rates (ONS, 1 March to 17 April
#: 2020, deaths involving COVID-19, age-standardised per 100,000, ESP 2013).
ONS_ENGLAND_DECILE = {"most deprived decile": 55.1, "least deprived decile": 25.3}
ONS_ENGLAND_SEX = {"Male": 76.7, "Female": 39.6}


def weighted_quintiles(score: pd.Series, population: pd.Series, n: int = 5) -> pd.Series:
    """Quantiles of equal population by a deprivation score (1 = most deprived).

    Areas are sorted from most to least deprived; each goes to the quantile that
    contains the midpoint of its population in the cumulative distribution.

    Examples
    --------
    >>> weighted_quintiles(pd.Series([5.0, 4, 3, 2, 1]), pd.Series([1, 1, 1, 1, 1])).tolist()
    [1, 2, 3, 4, 5]
    """
    order = score.sort_values(ascending=False, kind="stable").index
    pop = population.loc[order].astype(float)
    mid = (pop.cumsum() - pop / 2) / pop.sum()
    q = np.minimum((mid * n).astype(int) + 1, n)
    return pd.Series(q.to_numpy(), index=order).loc[score.index].astype(int)


def msoa_population(codes: list[str] | None = None) -> pd.DataFrame:
    """Mid-2020 residents and the share aged 70 and over by MSOA 2011 (LLR)."""
    pop = load("population_2020_lsoa11_syoa")
    look = load("lookup_lsoa11_msoa11").set_index("lsoa11_code")["msoa11_code"]
    older = [
        c
        for c in pop.columns
        if c.startswith("age_") and int(c.split("_")[1].removesuffix("plus")) >= OLDER_AGE
    ]
    frame = pd.DataFrame(
        {
            "msoa11cd": pop["lsoa11cd"].map(look),
            "population": pop["all_ages"],
            "older": pop[older].sum(axis=1),
        }
    )
    out = frame.groupby("msoa11cd", as_index=False)[["population", "older"]].sum()
    out["share_older"] = out["older"] / out["population"]
    return out if codes is None else out[out["msoa11cd"].isin(codes)].reset_index(drop=True)


def msoa_names(codes: pd.Series) -> pd.Series:
    """Readable MSOA names: the House of Commons Library names where shipped, else ONS's.

    The Library's names (e.g. "Highfields North") come with the NHS England vaccination
    file, shipped for a few districts only; elsewhere the ONS name ("Shropshire 001") is
    used, and the code where neither exists.
    """
    hcl = load("covid_vaccination_msoa11").drop_duplicates("msoa11cd")
    hcl = hcl.set_index("msoa11cd")["msoa_hcl_name"]
    ons = load("lookup_lsoa11_msoa11").drop_duplicates("msoa11_code")
    ons = ons.set_index("msoa11_code")["msoa11_name"]
    return codes.map(hcl).fillna(codes.map(ons)).fillna(codes)


def msoa_deaths(system: System) -> pd.DataFrame:
    """Deaths involving COVID-19 (March to December 2020) for every MSOA of the system.

    Returns
    -------
    pandas.DataFrame
        ``msoa11cd, ltla_code, place_code, deaths, population, share_older,
        imd_score, quintile, rate`` (crude, per 100,000).
    """
    d = load("covid_deaths_msoa11")
    districts = {dd.code: p.code for p in system.places for dd in p.districts}
    look = load("lookup_lsoa11_msoa11").drop_duplicates("msoa11_code")
    look = look.set_index("msoa11_code")
    ltla = d["msoa11_code"].map(look["ltla24_code"])  # national: every English MSOA
    keep = ltla.isin(districts).to_numpy()
    d, ltla = d[keep], ltla[keep]
    if len(d) < MIN_MSOAS:
        from hi_analysis.data.public import dataset
        from hi_analysis.errors import DataValidationError

        raise DataValidationError(
            f"data/public/{dataset('covid_deaths_msoa11').file}",
            [
                f"{len(d)} MSOA(s) for the districts of {system.name} "
                f"({', '.join(districts)}); the covid chapter's deprivation quintiles need at "
                f"least {MIN_MSOAS}, two per quintile (remove covid from system.yml chapters)"
            ],
        )
    out = pd.DataFrame(
        {
            "msoa11cd": d["msoa11_code"].to_numpy(),
            "ltla_code": ltla.to_numpy(),
            "deaths": d["covid_deaths_mar_dec_2020"].to_numpy(),
            "imd_score": d["msoa_imd2019_score"].to_numpy(),
        }
    )
    out["place_code"] = out["ltla_code"].map(districts)
    out = out.merge(msoa_population(list(out["msoa11cd"])), on="msoa11cd", how="left")
    if out["population"].isna().any():
        missing = out.loc[out["population"].isna(), "msoa11cd"].tolist()[:3]
        raise ValueError(f"no mid-2020 population for MSOAs {missing}")
    out["msoa_name"] = msoa_names(out["msoa11cd"])
    out["quintile"] = weighted_quintiles(out["imd_score"], out["population"])
    out["rate"] = out["deaths"] / out["population"] * 100_000
    return out


def quintile_rates(msoas: pd.DataFrame) -> pd.DataFrame:
    """Crude death rate per 100,000 by quintile (exact Poisson limits) and share aged 70+."""
    g = msoas.groupby("quintile", as_index=False).agg(
        msoas=("msoa11cd", "size"),
        deaths=("deaths", "sum"),
        population=("population", "sum"),
        older=("older", "sum"),
    )
    r = stats.rate(g, "deaths", "population", multiplier=100_000)
    g["value"], g["lowercl"], g["uppercl"] = r["value"], r["lowercl"], r["uppercl"]
    g["share_older"] = g["older"] / g["population"]
    return g.drop(columns="older")


def rate_ratios(msoas: pd.DataFrame) -> pd.DataFrame:
    """Crude and age-adjusted rate ratios of each quintile against the least deprived (5).

    Returns
    -------
    pandas.DataFrame
        ``quintile, model ("crude" or "age-adjusted"), ratio, lower, upper, dispersion``.
    """
    crude = rate_ratio_model(msoas, "deaths", "population", "quintile", reference=5)
    adj = rate_ratio_model(
        msoas, "deaths", "population", "quintile", reference=5, covariates=["share_older"]
    )
    out = pd.concat([crude.assign(model="crude"), adj.assign(model="age-adjusted")])
    return (
        out.rename(columns={"group": "quintile"})
        .sort_values(["model", "quintile"], ascending=[False, True])
        .reset_index(drop=True)
    )


def place_msoas(msoas: pd.DataFrame, place: Place) -> pd.DataFrame:
    """The MSOAs of one place."""
    return msoas[msoas["place_code"] == place.code].reset_index(drop=True)


# ----------------------------------------------------------------------------- synthetic ASMR
def _imd_decile(place: Place) -> pd.Series:
    imd = load("imd2019_lsoa11").set_index("lsoa11cd")["imd_decile"]
    return imd.reindex(lsoa11_codes(place))


def asmr(deaths: pd.DataFrame, population: pd.DataFrame, place: Place, by: str) -> pd.DataFrame:
    """Age-standardised death rate from COVID-19 per 100,000 a year (ESP 2013, Dobson limits).

    Parameters
    ----------
    deaths, population : pandas.DataFrame
        The deaths and registered-population extracts.
    place : Place
        Residents of the place's LSOAs only.
    by : {"imd_decile", "ethnicity", "sex"}
        The grouping. Ethnicity uses the recorded group (records without one are
        left out of the ethnic comparison and counted in the recording section).

    Returns
    -------
    pandas.DataFrame
        ``group, events, population, value, lowercl, uppercl``.
    """
    start, end = SYNTH_PERIOD
    years = ((end - start).days + 1) / 365.25
    codes = lsoa11_codes(place)
    d = deaths[
        (deaths["cause_group"] == "COVID-19").to_numpy()
        & deaths["date_of_death"].between(start, end).to_numpy()
    ]
    d = d[in_codes(d["lsoa11cd"], codes)]
    p = population[in_codes(population["lsoa11cd"], codes)]
    decile = _imd_decile(place)

    def keyed(frame: pd.DataFrame) -> pd.DataFrame:
        if by == "imd_decile":
            g = pd.Series(lookup(frame["lsoa11cd"], decile), index=frame.index)
            keep = g.notna().to_numpy()
        else:
            g = frame[by]
            keep = recorded(g)
        band = np.minimum(frame["age"].to_numpy() // 5 * 5, 90)
        if by == "imd_decile":
            group = g.to_numpy()[keep].astype(int)
        else:  # stay categorical: never turn a million labels into Python strings
            group = g[keep].array.remove_unused_categories()
        return pd.DataFrame({"group": group, "startage": band[keep]})

    dc = keyed(d).value_counts().rename("events")
    pc = keyed(p).value_counts().rename("population")
    pc = pc[pc > 0]
    dc.index = dc.index.set_levels(
        [
            dc.index.levels[0].astype(str) if by != "imd_decile" else dc.index.levels[0],
            dc.index.levels[1],
        ]
    )
    pc.index = pc.index.set_levels(
        [
            pc.index.levels[0].astype(str) if by != "imd_decile" else pc.index.levels[0],
            pc.index.levels[1],
        ]
    )
    frame = pd.concat([pc, dc], axis=1).fillna(0).reset_index()
    groups = sorted(frame["group"].unique(), key=str)
    full = pd.MultiIndex.from_product([groups, list(ESP_STARTS)], names=["group", "startage"])
    frame = frame.set_index(["group", "startage"]).reindex(full, fill_value=0).reset_index()
    weights = dict(zip(ESP_STARTS, np.asarray(stats.ESP2013, dtype=float), strict=True))
    frame["stdpop"] = frame["startage"].map(weights)
    frame["person_years"] = frame["population"] * years
    # groups too small for a stable rate (e.g. a decile barely present in the place) are left out
    frame = frame[frame.groupby("group")["population"].transform("sum") >= MIN_GROUP]
    out = stats.dsr(
        frame, "events", "person_years", by=["group"], stdpop="stdpop", multiplier=100_000
    )
    pops = frame.groupby("group", as_index=False)["population"].sum()
    out = out.drop(columns=["person_years"]).merge(pops, on="group")
    # PHE rule: no standardised rate from fewer than 10 deaths (the value is missing)
    out = out.dropna(subset=["value"])
    return out[["group", "events", "population", "value", "lowercl", "uppercl"]].reset_index(
        drop=True
    )
