"""The social gradient: indicators by local deprivation quantile and their slope index.

This module holds the computations of the slope-index-of-inequality chapter:

1. neighbourhoods are ranked by IMD 2019 score **within the area** and grouped
   into local deprivation deciles (quintiles where the area has fewer than
   :data:`MIN_NEIGHBOURHOODS_FOR_DECILES` neighbourhoods), 1 = most deprived --
   the grouping Fingertips uses for its inequality indicators;
2. record-level events (deaths, admissions, register entries) and the registered
   population are counted by quantile, sex and age band;
3. the indicator for each quantile is computed with :mod:`hi_analysis.stats`
   (life expectancy, directly standardised rates, proportions), with 95% limits;
4. the slope index of inequality (SII) and relative index (RII) are fitted with
   :func:`hi_analysis.stats.sii`.

Every function takes frames and returns frames; charts and wording live in
:mod:`hi_analysis.charts` and :mod:`hi_analysis.narrative`.

Examples
--------
A decile pattern that is exactly linear in relative rank gives that slope back:

>>> import pandas as pd
>>> d = pd.DataFrame({"quantile": range(1, 11), "population": 1000,
...                   "value": [70 + 10 * (q - 0.5) / 10 for q in range(1, 11)],
...                   "lowercl": 0.0, "uppercl": 0.0})
>>> d["lowercl"], d["uppercl"] = d["value"] - 1, d["value"] + 1
>>> round(float(fit_sii(d, value_type=0, seed=1)["sii"].iloc[0]), 6)
10.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hi_analysis import stats
from hi_analysis.config import Place, System
from hi_analysis.data import load
from hi_analysis.geography import lsoa11_codes
from hi_analysis.results import KeyResult, to_json

#: Areas with fewer neighbourhoods than this are split into quintiles, not deciles.
MIN_NEIGHBOURHOODS_FOR_DECILES = 30
#: Below this many neighbourhoods (one per quintile) no social gradient can be measured: a
#: place that small (the Isles of Scilly has one LSOA) gets no SII chapter.
MIN_NEIGHBOURHOODS_FOR_GRADIENT = 5

#: Start ages of the European Standard Population 2013 bands (0-4, 5-9, ..., 90+).
ESP_STARTS = tuple(range(0, 95, 5))

#: Seed of the simulated SII limits, so a page is reproducible.
SII_SEED = 20_240_601


def n_quantiles(n_neighbourhoods: int) -> int:
    """Deciles, or quintiles for an area with few neighbourhoods.

    Examples
    --------
    >>> n_quantiles(192), n_quantiles(23)
    (10, 5)
    """
    return 10 if n_neighbourhoods >= MIN_NEIGHBOURHOODS_FOR_DECILES else 5


def assign_quantiles(table: pd.DataFrame, *, score: str, by: str,
                     name: str = "quantile") -> pd.DataFrame:
    """Add local deprivation quantiles (1 = most deprived) within each ``by`` group.

    Each group gets deciles, or quintiles when it has fewer than
    :data:`MIN_NEIGHBOURHOODS_FOR_DECILES` rows (see :func:`n_quantiles`); the
    number used is in ``n_quantiles``. Higher ``score`` means more deprived.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per neighbourhood.
    score : str
        Column of deprivation scores (IMD score: higher is more deprived).
    by : str
        Column naming the area within which neighbourhoods are ranked.
    name : str
        Name of the new quantile column.

    Returns
    -------
    pandas.DataFrame
        ``table`` with ``name`` (int) and ``n_quantiles`` columns, in the input order.
    """
    parts = []
    for _, sub in table.groupby(by, sort=False):
        k = n_quantiles(len(sub))
        q = stats.quantiles(sub, score, by=by, nquantiles=k, name=name)
        parts.append(q.assign(n_quantiles=k))
    out = pd.concat(parts).loc[table.index]
    out[name] = out[name].astype("int16")
    out["n_quantiles"] = out["n_quantiles"].astype("int16")
    return out


def place_lsoas(place: Place, *, within: str = "place") -> pd.DataFrame:
    """The place's 2011 neighbourhoods with their local deprivation quantile.

    Parameters
    ----------
    place : Place
        The place.
    within : {"place", "district"}
        Rank neighbourhoods across the whole place (the chapter's view), or within
        each district (how Fingertips computes district SIIs).

    Returns
    -------
    pandas.DataFrame
        ``lsoa11cd, district, area, imd_score, quantile, n_quantiles`` where ``area``
        is the place code or the district code.
    """
    if within not in ("place", "district"):
        raise ValueError(f"within must be 'place' or 'district', not {within!r}")
    codes = lsoa11_codes(place)
    look = load("lookup_lsoa11_msoa11").set_index("lsoa11_code")
    imd = load("imd2019_lsoa11").set_index("lsoa11cd")
    table = pd.DataFrame({"lsoa11cd": codes})
    table["district"] = table["lsoa11cd"].map(look["ltla24_code"])
    table["area"] = place.code if within == "place" else table["district"]
    table["imd_score"] = table["lsoa11cd"].map(imd["imd_score"])
    return assign_quantiles(table, score="imd_score", by="area")


def msoa_vaccination(place: Place) -> pd.DataFrame:
    """Real COVID-19 vaccination by MSOA for the place, with local deprivation quantiles.

    Second-dose uptake at 11 July 2021 among people aged 50 and over (everyone in
    that age range had been offered both doses by then), from NHS England's
    published MSOA counts and the ONS mid-2020 population of the same ages. MSOAs
    are ranked within the place by their population-weighted IMD 2019 score.

    Returns
    -------
    pandas.DataFrame
        ``msoa11cd, msoa_name, second_doses, population, imd_score, quantile,
        n_quantiles`` (one row per MSOA).
    """
    v = load("covid_vaccination_msoa11")
    look = load("lookup_lsoa11_msoa11")
    msoas = set(look.loc[look["lsoa11_code"].isin(lsoa11_codes(place)), "msoa11_code"])
    v = v[v["msoa11cd"].isin(msoas) & (v["dose"] == "second")]
    v = v[v["age_band"].isin(["50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80+"])]
    if v.empty:
        raise ValueError(f"no MSOA vaccination rows for {place.name}")
    out = v.groupby("msoa11cd", as_index=False).agg(
        msoa_name=("msoa_hcl_name", "first"), second_doses=("people_vaccinated", "sum"),
        population=("pop_ons_mid2020", "sum"),
        imd_score=("imd2019_msoa_pop_weighted_score", "first"))
    out["imd_score"] = out["imd_score"].astype(float)
    out["area"] = place.code
    return assign_quantiles(out, score="imd_score", by="area")


def _life_band(age: np.ndarray) -> np.ndarray:
    return np.asarray(stats.LE_AGE_BANDS)[
        np.searchsorted(np.asarray(stats.LE_AGE_BANDS), age, side="right") - 1]


def _esp_band(age: np.ndarray) -> np.ndarray:
    return np.minimum(np.asarray(age) // 5 * 5, 90)


def _as_text(values: pd.Series) -> np.ndarray:
    """``values.astype(str)`` as an array, converting each distinct value once."""
    codes, uniques = pd.factorize(values)
    if (codes < 0).any():  # a missing value: the plain conversion decides its text
        return values.astype(str).to_numpy()
    return np.asarray(pd.Series(uniques).astype(str), dtype=object)[codes]


def count_by_quantile(records: pd.DataFrame, lsoas: pd.DataFrame, *, band: str,
                      by: Sequence[str] = (), name: str = "count") -> pd.DataFrame:
    """Count records by area, local quantile, the ``by`` columns and age band.

    Records outside the LSOAs of ``lsoas`` are dropped. Every combination of
    area, quantile, ``by`` value and band appears (zero where none).

    Parameters
    ----------
    records : pandas.DataFrame
        Records with ``lsoa11cd`` and ``age`` (and the ``by`` columns).
    lsoas : pandas.DataFrame
        From :func:`place_lsoas`.
    band : {"life", "esp"}
        Life-table bands (0, 1-4, 5-9, ..., 90+) or ESP 2013 bands (0-4, ..., 90+).
    by : sequence of str
        Further grouping columns (e.g. ``["sex"]``).
    name : str
        Name of the count column.

    Returns
    -------
    pandas.DataFrame
        ``area, quantile, *by, startage, <name>``.
    """
    by = list(by)
    starts = stats.LE_AGE_BANDS if band == "life" else ESP_STARTS
    cut = _life_band if band == "life" else _esp_band
    info = lsoas.set_index("lsoa11cd")[["area", "quantile"]]
    # Look each distinct code up once (a few hundred codes among up to millions of rows).
    codes, uniques = pd.factorize(records["lsoa11cd"])
    found = np.append(info.index.get_indexer(uniques), -1)[codes]  # code -1 (missing) -> -1
    keep = found >= 0
    row = found[keep]
    frame = pd.DataFrame({"area": info["area"].to_numpy()[row],
                          "quantile": info["quantile"].to_numpy()[row],
                          "startage": cut(records["age"].to_numpy()[keep])})
    for col in by:
        frame[col] = _as_text(records[col])[keep]
    counts = frame.value_counts().rename(name)
    levels = [sorted(lsoas["area"].unique()), sorted(lsoas["quantile"].unique()), list(starts)]
    levels += [sorted(frame[c].unique()) for c in by]
    full = pd.MultiIndex.from_product(levels, names=["area", "quantile", "startage", *by])
    out = counts.reindex(full, fill_value=0).reset_index()
    return out[["area", "quantile", *by, "startage", name]]


def life_expectancy_by_quantile(deaths: pd.DataFrame, population: pd.DataFrame,
                                lsoas: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Life expectancy at birth by area, local quantile and sex, with 95% limits.

    Deaths in the given calendar years over person-years (the registered
    population times the number of years: the population is that of the
    extract, held fixed across the period).

    Returns
    -------
    pandas.DataFrame
        ``area, quantile, sex, population, deaths, value, lowercl, uppercl`` (years).
    """
    years = list(years)
    d = deaths[deaths["date_of_death"].dt.year.isin(years)]
    dc = count_by_quantile(d, lsoas, band="life", by=["sex"], name="deaths")
    pc = count_by_quantile(population, lsoas, band="life", by=["sex"], name="population")
    return _life_expectancy_from_counts(dc, pc, len(years))


def _life_expectancy_from_counts(dc: pd.DataFrame, pc: pd.DataFrame,
                                 n_years: int) -> pd.DataFrame:
    """Life expectancy at birth from deaths and population counts by quantile, sex and band."""
    frame = pc.merge(dc, on=["area", "quantile", "sex", "startage"], how="left")
    frame["deaths"] = frame["deaths"].fillna(0)
    frame["person_years"] = frame["population"] * n_years
    le = stats.life_expectancy(frame, "deaths", "person_years", "startage",
                               by=["area", "quantile", "sex"])
    le = le[le["startage"] == 0].drop(columns=["startage"])
    totals = frame.groupby(["area", "quantile", "sex"], as_index=False)[
        ["population", "deaths"]].sum()
    out = totals.merge(le[["area", "quantile", "sex", "value", "lowercl", "uppercl"]],
                       on=["area", "quantile", "sex"])
    return out.sort_values(["area", "sex", "quantile"]).reset_index(drop=True)


def dsr_by_quantile(events: pd.DataFrame, population: pd.DataFrame, lsoas: pd.DataFrame, *,
                    years: int = 1, max_age: int | None = None, by: Sequence[str] = (),
                    multiplier: float = 100_000) -> pd.DataFrame:
    """Directly standardised rate (ESP 2013, Dobson limits) by area and local quantile.

    Parameters
    ----------
    events : pandas.DataFrame
        The events already restricted to the period (``lsoa11cd``, ``age``).
    population : pandas.DataFrame
        The registered population extract.
    lsoas : pandas.DataFrame
        From :func:`place_lsoas`.
    years : int
        Length of the period (person-years = population x years).
    max_age : int, optional
        Upper age limit (exclusive, a multiple of 5), e.g. 75 for under-75 rates;
        the standard population is cut to the same bands.
    by : sequence of str
        Further grouping columns present in both frames.
    multiplier : float
        Rate per this many person-years (100 gives an age-standardised percentage).

    Returns
    -------
    pandas.DataFrame
        ``area, quantile, *by, events, population, value, lowercl, uppercl``.
    """
    by = list(by)
    ec = count_by_quantile(events, lsoas, band="esp", by=by, name="events")
    pc = count_by_quantile(population, lsoas, band="esp", by=by, name="population")
    keys = ["area", "quantile", *by, "startage"]
    frame = pc.merge(ec, on=keys, how="left").fillna({"events": 0})
    weights = dict(zip(ESP_STARTS, np.asarray(stats.ESP2013, dtype=float), strict=True))
    if max_age is not None:
        if max_age % 5:
            raise ValueError(f"max_age must be a multiple of 5, not {max_age}")
        frame = frame[frame["startage"] < max_age]
    frame["stdpop"] = frame["startage"].map(weights)
    frame["person_years"] = frame["population"] * years
    out = stats.dsr(frame, "events", "person_years", by=["area", "quantile", *by],
                    stdpop="stdpop", multiplier=multiplier)
    pops = frame.groupby(["area", "quantile", *by], as_index=False)["population"].sum()
    out = out.drop(columns=["person_years"]).merge(pops, on=["area", "quantile", *by])
    return out[["area", "quantile", *by, "events", "population", "value", "lowercl",
                "uppercl"]].sort_values(["area", *by, "quantile"]).reset_index(drop=True)


def proportion_by_quantile(frame: pd.DataFrame, x: str, n: str, *, by: Sequence[str] = (),
                           multiplier: float = 100) -> pd.DataFrame:
    """Proportion (Wilson limits) by area and quantile from counts already per row.

    Returns
    -------
    pandas.DataFrame
        ``area, quantile, *by, <x>, population, value, lowercl, uppercl`` where
        ``population`` is the summed ``n``.
    """
    keys = ["area", "quantile", *by]
    summed = frame.groupby(keys, as_index=False)[[x, n]].sum()
    out = stats.proportion(summed, x, n, by=keys, multiplier=multiplier)
    out = out.rename(columns={n: "population"})
    return out[[*keys, x, "population", "value", "lowercl", "uppercl"]].sort_values(
        [*keys[:1], *by, "quantile"]).reset_index(drop=True)


def fit_sii_where_defined(estimates: pd.DataFrame, *, by: Sequence[str], **kwargs
                          ) -> pd.DataFrame:
    """:func:`fit_sii` for the groups whose every quantile has a value; empty SII for the rest.

    Life expectancy is not calculated for a quantile of 5,000 people or fewer (the PHE
    rule; possible in a small district's decile); such a group gets no SII (empty ``sii``
    and limits) rather than one fitted to some of its quantiles.

    Examples
    --------
    >>> d = pd.DataFrame({"g": ["a"] * 5 + ["b"] * 5, "quantile": list(range(1, 6)) * 2,
    ...                   "population": 100, "value": [1, 2, 3, 4, 5, 1, 2, None, 4, 5]})
    >>> d["lowercl"], d["uppercl"] = d["value"] - 0.5, d["value"] + 0.5
    >>> out = fit_sii_where_defined(d, by=["g"], value_type=0, seed=1, repetitions=1000)
    >>> out.set_index("g")["sii"].round(6).fillna(-1).to_dict()
    {'a': 5.0, 'b': -1.0}
    """
    by = list(by)
    undefined = estimates.groupby(by)["value"].transform(lambda v: v.isna().any())
    fit = fit_sii(estimates[~undefined], by=by, **kwargs) if (~undefined).any() else None
    if not undefined.any():
        return fit
    gone = estimates.loc[undefined, by].drop_duplicates()
    k = estimates.loc[undefined].groupby(by)["quantile"].max().rename("n_quantiles")
    gone = gone.merge(k.reset_index(), on=by)
    return pd.concat([f for f in (fit, gone) if f is not None], ignore_index=True)


def fit_sii(estimates: pd.DataFrame, *, value_type: int, by: Sequence[str] = (),
            seed: int = SII_SEED, repetitions: int = 100_000) -> pd.DataFrame:
    """Slope and relative index of inequality with 95% limits, and the fitted line.

    Parameters
    ----------
    estimates : pandas.DataFrame
        One row per group and quantile: ``quantile, population, value, lowercl,
        uppercl`` (and the ``by`` columns).
    value_type : {0, 1, 2}
        0 for a value with symmetric limits (life expectancy), 1 for a rate,
        2 for a proportion (see :func:`hi_analysis.stats.sii`).
    by : sequence of str
        Grouping columns (one SII per group).
    seed, repetitions
        The simulation of the limits (fixed seed: the page is reproducible).

    Returns
    -------
    pandas.DataFrame
        ``*by, sii, sii_lowercl, sii_uppercl, rii, rii_lowercl, rii_uppercl,
        intercept, n_quantiles`` where ``intercept`` is the fitted value at the most
        deprived end (relative rank 0).
    """
    by = list(by)
    work = estimates.copy()
    scale = 1.0
    if value_type == 2 and work["value"].max() > 1:  # sii() takes proportions on 0-1
        scale = 100.0
        for c in ("value", "lowercl", "uppercl"):
            work[c] = work[c] / scale
    if by:  # groups with deciles and groups with quintiles are fitted separately
        work["n_quantiles"] = work.groupby(by)["quantile"].transform("nunique")
    else:
        work["n_quantiles"] = work["quantile"].nunique()
    parts = []
    for k, sub in work.groupby("n_quantiles", sort=True):
        res = stats.sii(sub.drop(columns="n_quantiles"), "quantile", "population",
                        by=by or None, value="value", lower_cl="lowercl", upper_cl="uppercl",
                        value_type=value_type, repetitions=repetitions, rii=True, seed=seed,
                        intercept=True)
        parts.append(res.assign(n_quantiles=int(k)))
    res = pd.concat(parts, ignore_index=True)
    for c in ("sii", "sii_lowercl", "sii_uppercl", "intercept"):
        res[c] = res[c] * scale
    return res


# ----------------------------------------------------------------------------- the chapter
#: Three-year period of the deaths-based indicators: the latest with a published SII.
MORTALITY_YEARS = (2022, 2023, 2024)
#: Period of the admissions indicator (the latest three complete years).
ADMISSION_YEARS = (2023, 2024, 2025)
#: Condition whose register prevalence the chapter shows.
LTC_CONDITION = "Diabetes"


@dataclass
class Gradient:
    """One indicator across the social gradient of a place: estimates, SII and wording."""

    key: str
    label: str
    measure: str
    unit: str
    ylabel: str
    period: str
    value_type: int
    higher_is_better: bool
    synthetic: bool
    source: str
    estimates: pd.DataFrame
    fit: pd.Series
    #: What the ranked areas are, when not neighbourhoods (LSOAs), e.g. ``"MSOA "``.
    areas: str = ""


def _period(years: Sequence[int]) -> str:
    years = list(years)
    return str(years[0]) if len(years) == 1 else f"{years[0]} to {years[-1]}"


def gradients(place: Place, extracts: Mapping[str, pd.DataFrame], *,
              seed: int = SII_SEED) -> list[Gradient]:
    """Every indicator of the chapter for a place, with its SII and RII.

    Parameters
    ----------
    place : Place
        The place; neighbourhoods are ranked within it.
    extracts : mapping
        The validated extracts ``registered_population``, ``deaths``,
        ``emergency_admissions`` and ``ltc_register`` (synthetic or real).
    seed : int
        Seed of the simulated SII limits.

    Returns
    -------
    list of Gradient
        Life expectancy (women, men), under-75 mortality, emergency admissions for
        ambulatory-care-sensitive conditions, diabetes prevalence (record-level
        extracts) and COVID-19 second-dose uptake (real published MSOA data).
    """
    from hi_analysis.extracts import is_synthetic

    pop, deaths = extracts["registered_population"], extracts["deaths"]
    adm, reg = extracts["emergency_admissions"], extracts["ltc_register"]
    synthetic = {k: is_synthetic(v) for k, v in extracts.items()}
    lsoas = place_lsoas(place)
    out: list[Gradient] = []
    le = life_expectancy_by_quantile(deaths, pop, lsoas, MORTALITY_YEARS)
    le_fit = fit_sii(le, value_type=0, by=["sex"], seed=seed).set_index("sex")
    for sex, word in (("Female", "women"), ("Male", "men")):
        out.append(Gradient(
            f"le_{sex.lower()}", f"Life expectancy at birth, {word}",
            f"{word}'s life expectancy at birth", " years", "Life expectancy at birth (years)",
            _period(MORTALITY_YEARS), 0, True,
            synthetic["deaths"] or synthetic["registered_population"],
            "Deaths and registered-population extracts; Chiang II life table",
            le[le["sex"] == sex].drop(columns=["area", "sex"]).reset_index(drop=True),
            le_fit.loc[sex]))
    in_years = deaths["date_of_death"].dt.year.isin(MORTALITY_YEARS)
    u75 = dsr_by_quantile(deaths[in_years], pop, lsoas, years=len(MORTALITY_YEARS), max_age=75)
    out.append(Gradient(
        "u75", "Under-75 mortality (all causes)", "under-75 mortality", " per 100,000",
        "Deaths under 75 per 100,000 (age-standardised)", _period(MORTALITY_YEARS), 1, False,
        synthetic["deaths"] or synthetic["registered_population"],
        "Deaths and registered-population extracts; ESP 2013, Dobson limits",
        u75.drop(columns="area"), fit_sii(u75, value_type=1, seed=seed).iloc[0]))
    a = adm[adm["acsc"] & adm["admission_date"].dt.year.isin(ADMISSION_YEARS)]
    acsc = dsr_by_quantile(a, pop, lsoas, years=len(ADMISSION_YEARS))
    out.append(Gradient(
        "acsc", "Emergency admissions for ambulatory-care-sensitive conditions",
        "emergency admissions for ambulatory-care-sensitive conditions", " per 100,000",
        "Admissions per 100,000 a year (age-standardised)", _period(ADMISSION_YEARS), 1, False,
        synthetic["emergency_admissions"] or synthetic["registered_population"],
        "Emergency-admissions and registered-population extracts; ESP 2013, Dobson limits",
        acsc.drop(columns="area"), fit_sii(acsc, value_type=1, seed=seed).iloc[0]))
    on = reg[reg["condition"] == LTC_CONDITION]
    as_at = pd.Timestamp(on["as_at"].max()) if len(on) else None
    ltc = dsr_by_quantile(on, pop, lsoas, multiplier=100)
    out.append(Gradient(
        "ltc", f"{LTC_CONDITION} recorded prevalence", f"recorded {LTC_CONDITION.lower()} "
        "prevalence", "%", "Patients on the register (%, age-standardised)",
        f"at {as_at:%-d %B %Y}" if as_at is not None else "", 1, False,
        synthetic["ltc_register"] or synthetic["registered_population"],
        "Long-term-condition register and registered-population extracts; ESP 2013",
        ltc.drop(columns="area"), fit_sii(ltc, value_type=1, seed=seed).iloc[0]))
    if has_msoa_vaccination(place):
        out.append(vaccination_gradient(place, seed=seed))
    return out


def has_msoa_vaccination(place: Place) -> bool:
    """Whether NHS England's MSOA vaccination counts are shipped for the place.

    They are published for every MSOA in England but only the LLR extract could be
    obtained (``data/public/README.md``); elsewhere the page says so
    (:func:`hi_analysis.narrative.msoa_vaccination_missing_text`).
    """
    look = load("lookup_lsoa11_msoa11")
    msoas = set(look.loc[look["lsoa11_code"].isin(lsoa11_codes(place)), "msoa11_code"])
    return bool(load("covid_vaccination_msoa11")["msoa11cd"].isin(msoas).any())


def vaccination_gradient(place: Place, *, seed: int = SII_SEED) -> Gradient:
    """Real COVID-19 second-dose uptake (aged 50+, 11 July 2021) across the place's MSOAs.

    Used by the SII chapter and the COVID-19 chapter (one implementation).

    Returns
    -------
    Gradient
        Uptake by local MSOA deprivation quantile (Wilson limits) with its SII and RII.
    """
    vac = proportion_by_quantile(msoa_vaccination(place), "second_doses", "population")
    return Gradient(
        "covid2", "COVID-19 vaccination: second dose, aged 50 and over",
        "second-dose COVID-19 vaccination uptake among people aged 50 and over", "%",
        "People aged 50+ with two doses (%)", "at 11 July 2021", 2, True, False,
        "NHS England vaccinations by MSOA (published 15 July 2021), ONS mid-2020 population",
        vac.drop(columns="area").rename(columns={"second_doses": "events"}),
        fit_sii(vac, value_type=2, seed=seed).iloc[0], areas="MSOA ")


def summary_table(items: Sequence[Gradient]) -> pd.DataFrame:
    """One row per indicator: period, SII and RII with 95% limits, and the data source kind."""
    rows = []
    for g in items:
        f = g.fit
        rows.append({
            "Indicator": g.label, "Period": g.period,
            "Neighbourhood groups": f"{int(f['n_quantiles'])} local "
                                    f"{'deciles' if f['n_quantiles'] == 10 else 'quintiles'}",
            "SII": float(f["sii"]), "SII lower 95% CI": float(f["sii_lowercl"]),
            "SII upper 95% CI": float(f["sii_uppercl"]), "RII": float(f["rii"]),
            "RII lower 95% CI": float(f["rii_lowercl"]),
            "RII upper 95% CI": float(f["rii_uppercl"]),
            "Data": "synthetic extracts" if g.synthetic else "real published data",
        })
    return pd.DataFrame(rows)


def le_sii_trend(place: Place, deaths: pd.DataFrame, population: pd.DataFrame, *,
                 first: int, last: int, seed: int = SII_SEED,
                 repetitions: int = 20_000) -> pd.DataFrame:
    """The SII in life expectancy by sex for rolling three-year periods.

    Returns
    -------
    pandas.DataFrame
        ``period`` (Fingertips style, e.g. ``"2015 - 17"``), ``series`` (sex),
        ``sii, sii_lowercl, sii_uppercl``.
    """
    lsoas = place_lsoas(place)
    # count once by year, then sum three-year windows (not a recount per period)
    years = deaths["date_of_death"].dt.year
    d = deaths[years.between(first, last)].assign(year=years)
    dc = count_by_quantile(d, lsoas, band="life", by=["sex", "year"], name="deaths")
    pc = count_by_quantile(population, lsoas, band="life", by=["sex"], name="population")
    keys = ["area", "quantile", "sex", "startage"]
    frames = []
    for start in range(first, last - 1):
        window = dc[dc["year"].astype(int).between(start, start + 2)]
        counts = window.groupby(keys, as_index=False)["deaths"].sum()
        le = _life_expectancy_from_counts(counts, pc, 3)
        frames.append(le.assign(period=f"{start} - {str(start + 2)[-2:]}"))
    le = pd.concat(frames, ignore_index=True)
    fit = fit_sii_where_defined(le, value_type=0, by=["period", "sex"], seed=seed,
                                repetitions=repetitions)
    return fit.rename(columns={"sex": "series"})[
        ["period", "series", "sii", "sii_lowercl", "sii_uppercl"]].sort_values(
        ["series", "period"]).reset_index(drop=True)


def published_le_sii(place: Place) -> pd.DataFrame:
    """OHID's published SII in life expectancy at birth for the place's districts (real).

    Returns
    -------
    pandas.DataFrame
        ``area_code, area_name, series`` (sex), ``period, value`` (years); empty
        when none is published (Rutland: too few neighbourhoods).
    """
    ft = load("fingertips")
    ft = ft[(ft["indicator"] == "Inequality in life expectancy at birth")
            & ft["breakdown"].isna() & ft["area_code"].isin(place.district_codes)]
    out = ft[["area_code", "area_name", "sex", "period", "value"]].rename(
        columns={"sex": "series"})
    return out.dropna(subset=["value"]).sort_values(["area_code", "series", "period"]
                                                    ).reset_index(drop=True)


def district_le_sii(place: Place, deaths: pd.DataFrame, population: pd.DataFrame, *,
                    seed: int = SII_SEED) -> pd.DataFrame:
    """Computed SII in life expectancy by district, beside the published one.

    Neighbourhoods are ranked within each district (as Fingertips does), for the
    period of :data:`MORTALITY_YEARS`.

    Returns
    -------
    pandas.DataFrame
        ``area_code, series, sii, sii_lowercl, sii_uppercl, n_quantiles, published``.
    """
    lsoas = place_lsoas(place, within="district")
    le = life_expectancy_by_quantile(deaths, population, lsoas, MORTALITY_YEARS)
    fit = fit_sii_where_defined(le, value_type=0, by=["area", "sex"], seed=seed)
    fit = fit.rename(columns={"area": "area_code", "sex": "series"})
    pub = published_le_sii(place)
    label = f"{MORTALITY_YEARS[0]} - {str(MORTALITY_YEARS[-1])[-2:]}"
    pub = pub[pub["period"] == label][["area_code", "series", "value"]].rename(
        columns={"value": "published"})
    return fit[["area_code", "series", "sii", "sii_lowercl", "sii_uppercl", "n_quantiles"]
               ].merge(pub, on=["area_code", "series"], how="left")


def gap_key_results(items: Sequence[Gradient], trend: pd.DataFrame | None = None
                    ) -> list[KeyResult]:
    """The SII of every indicator as key results (ids ``sii_<key>``), with the LE trend as series.

    The SII is the absolute gap across the social gradient, from the most to the
    least deprived end. For an indicator where higher is better (life expectancy)
    a wider gap is a larger SII, so the record's polarity is ``lower_is_better``;
    for rates where lower is better the SII is negative when the deprived fare
    worse, so the polarity is ``higher_is_better`` (towards zero).

    Parameters
    ----------
    items : sequence of Gradient
        The chapter's gradients (:func:`gradients`).
    trend : pandas.DataFrame, optional
        :func:`le_sii_trend` output; its rolling three-year SII becomes the
        ``series`` of the life-expectancy records.
    """
    out = []
    for g in items:
        series = None
        if trend is not None and g.key in ("le_female", "le_male"):
            sex = "Female" if g.key == "le_female" else "Male"
            t = trend[trend["series"] == sex].sort_values("period")
            series = tuple(zip(t["period"].astype(str), t["sii"].astype(float), strict=True))
        f = g.fit
        out.append(KeyResult(
            chapter="sii", id=f"sii_{g.key}", label=f"Slope index of inequality: {g.label}",
            value=float(f["sii"]), lower=float(f["sii_lowercl"]), upper=float(f["sii_uppercl"]),
            unit=g.unit.strip() or "units", synthetic=g.synthetic, period=g.period,
            polarity="lower_is_better" if g.higher_is_better else "higher_is_better",
            series=series))
    return out


def key_results(items: Sequence[Gradient], districts: pd.DataFrame,
                trend: pd.DataFrame | None = None) -> dict[str, object]:
    """The page's key results, for the JSON sidecar the end-to-end tests and dashboard read."""
    out: dict[str, object] = {"key_results": to_json(gap_key_results(items, trend))}
    for g in items:
        out[g.key] = {"sii": float(g.fit["sii"]), "lowercl": float(g.fit["sii_lowercl"]),
                      "uppercl": float(g.fit["sii_uppercl"]), "rii": float(g.fit["rii"]),
                      "n_quantiles": int(g.fit["n_quantiles"]), "synthetic": g.synthetic}
    out["districts"] = districts.to_dict(orient="records")
    return out


@dataclass
class SiiChapter:
    """Every number of one place's slope-index page."""

    items: list[Gradient]
    published: pd.DataFrame
    districts: pd.DataFrame
    trend: pd.DataFrame


def compute(system: System, place: Place, extracts: Mapping[str, pd.DataFrame]) -> SiiChapter:
    """Run every computation of the slope-index chapter for a place.

    What the notebook calls (and ``benchmarks/bench_build.py`` times without it):
    :func:`gradients`, the published and computed district SIIs and the trend over
    the system's reporting period.
    """
    deaths, pop = extracts["deaths"], extracts["registered_population"]
    return SiiChapter(
        items=gradients(place, extracts),
        published=published_le_sii(place),
        districts=district_le_sii(place, deaths, pop),
        trend=le_sii_trend(place, deaths, pop, first=system.reporting_period.start.year,
                           last=system.reporting_period.end.year),
    )
