"""Synthetic deaths calibrated to published life expectancy, its SII, and COVID-19 deaths.

All-cause mortality for a resident of age ``a`` and sex ``s`` in an LSOA of a
district ``d`` in year ``y`` is::

    m = m_base(a, s) * exp(theta[d, s] + gamma[d, s] * (0.5 - r)) * trend(y)

where ``r`` is the relative rank of the LSOA's local deprivation quantile within
the district (0 = most deprived end). ``theta`` is solved so life expectancy
for 2023-25 equals the published Fingertips value, and ``gamma`` so the slope
index of inequality in life expectancy for 2022-24 equals the published one.
Counts are rounded with :func:`~hi_analysis.synth._tools.controlled_round`, so
the realised figures match the targets closely while each death is still an
individual record. COVID-19 deaths are added on top, week by week, to the real
cumulative counts by district and Leicester's real first-wave curve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from hi_analysis import stats
from hi_analysis.data.schemas import ETHNIC_GROUPS_5
from hi_analysis.synth import targets as T
from hi_analysis.synth._tools import controlled_round, dates_in_years, make_ids

BANDS = np.asarray(stats.LE_AGE_BANDS)


def age_band(age: np.ndarray) -> np.ndarray:
    """Index of the life-table band (0, 1-4, 5-9, ..., 90+) of each age."""
    return np.searchsorted(BANDS, np.asarray(age), side="right") - 1


def base_rates(age: np.ndarray, female: np.ndarray) -> np.ndarray:
    """A smooth all-cause mortality schedule (per person-year) for England-like shape.

    Infant mortality, low childhood rates, a young-adult hump for men, and a
    Gompertz rise from 30 (doubling about every 7.3 years). Only the shape matters:
    the level is set by calibration.
    """
    a = np.minimum(np.asarray(age, dtype=float), 92.0)
    f = np.asarray(female, dtype=bool)
    gompertz = np.exp(np.where(f, -8.20, -7.95) + 0.095 * (a - 30))
    young = np.where(f, 0.00025, 0.0006)
    m = np.where(a < 1, np.where(f, 0.0033, 0.0040),
                 np.where(a < 15, 0.00012, np.where(a < 30, young, gompertz + young * 0.3)))
    return m


def trend(year: np.ndarray | int) -> np.ndarray:
    """Mortality improvement of 1% a year, relative to 2024."""
    return np.exp(-0.01 * (np.asarray(year, dtype=float) - 2024))


@dataclass(frozen=True)
class Calibration:
    """Solved mortality parameters for one district and sex."""

    district: str
    sex: str
    theta: float
    gamma: float
    target: T.MortalityTarget


def _relative_rank(pops: np.ndarray) -> np.ndarray:
    a = pops / pops.sum()
    return np.cumsum(a) - a / 2


def calibrate(pop: np.ndarray, base: np.ndarray, target: T.MortalityTarget) -> Calibration:
    """Solve ``theta`` and ``gamma`` for one district and sex.

    Parameters
    ----------
    pop, base : numpy.ndarray, shape (quantiles, 20)
        Population and base expected deaths per year (``pop * m_base``) by local
        quantile and life-table band.
    target : MortalityTarget
        The published life expectancy and SII.
    """
    q_pop = pop.sum(axis=1)
    r = _relative_rank(q_pop)
    le_years = trend(np.array(T.LE_PERIOD[1])).sum()
    sii_years = trend(np.array(T.SII_PERIOD[1])).sum()

    def deaths(theta: float, gamma: float, years: float) -> np.ndarray:
        return base * np.exp(theta + gamma * (0.5 - r))[:, None] * years

    def le(theta: float, gamma: float) -> float:
        d = deaths(theta, gamma, le_years).sum(axis=0)
        return float(stats.life_table(d, pop.sum(axis=0) * 3)[0][0])

    def theta_for(gamma: float) -> float:
        return brentq(lambda t: le(t, gamma) - target.life_expectancy, -4, 4, xtol=1e-10)

    def sii(gamma: float) -> float:
        theta = theta_for(gamma)
        e, _ = stats.life_table(deaths(theta, gamma, sii_years), pop * 3)
        return float(stats.sii_line(e[:, 0], q_pop)[1])

    gamma = brentq(lambda g: sii(g) - target.sii, -0.5, 3.0, xtol=1e-10)
    return Calibration(target.district, target.sex, theta_for(gamma), gamma, target)


def _cells(residents: pd.DataFrame, lsoas: pd.DataFrame) -> pd.DataFrame:
    """Residents counted by LSOA, single age (90+ as 90) and sex."""
    age = np.minimum(residents["age"].to_numpy(), 90)
    cells = pd.DataFrame({"lsoa": residents["lsoa"].to_numpy(), "age": age,
                          "female": residents["sex"].to_numpy() == "Female"})
    cells = cells.value_counts().rename("n").reset_index()
    cells["district"] = lsoas["district"].to_numpy()[cells["lsoa"]]
    cells["quantile"] = lsoas["local_quantile"].to_numpy()[cells["lsoa"]]
    cells["band"] = age_band(cells["age"].to_numpy())
    cells["base"] = cells["n"] * base_rates(cells["age"].to_numpy(), cells["female"].to_numpy())
    return cells


def calibrate_all(residents: pd.DataFrame, lsoas: pd.DataFrame) -> list[Calibration]:
    """Solve the mortality parameters of every district and sex of the system."""
    cells = _cells(residents, lsoas)
    out = []
    targets = T.mortality_targets(sorted(lsoas["district"].unique()), lsoas,
                                  lsoas.attrs.get("sii_if_unpublished"))
    for target in targets:
        sub = cells[(cells["district"] == target.district)
                    & (cells["female"] == (target.sex == "Female"))]
        n_q = int(sub["quantile"].max())
        pop = np.zeros((n_q, 20))
        base = np.zeros((n_q, 20))
        np.add.at(pop, (sub["quantile"] - 1, sub["band"]), sub["n"])
        np.add.at(base, (sub["quantile"] - 1, sub["band"]), sub["base"])
        out.append(calibrate(pop, base, target))
    return out


# ----------------------------------------------------------------------------- causes
_CAUSES = ("Circulatory", "Cancer", "Respiratory", "External causes", "Other")
#: Cause mix of non-COVID deaths by age group (under 35, 35-74, 75 and over).
_CAUSE_MIX = np.array([[0.05, 0.15, 0.05, 0.40, 0.35],
                       [0.25, 0.40, 0.10, 0.05, 0.20],
                       [0.28, 0.22, 0.15, 0.02, 0.33]])
_ICD = {
    "Circulatory": ("I21", "I25", "I64", "I50"),
    "Cancer": ("C34", "C18", "C50", "C61"),
    "Respiratory": ("J44", "J18", "J84"),
    "External causes": ("X59", "V89", "X70"),
    "Other": ("F03", "G30", "K70", "R99"),
}
#: Share of premature deaths counted as avoidable, by cause (approximates ONS/OHID 2019).
_AVOIDABLE = {"Circulatory": 0.8, "Cancer": 0.6, "Respiratory": 0.7, "External causes": 0.9,
              "Other": 0.3, "COVID-19": 1.0}


def _causes(age: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    grp = np.where(age < 35, 0, np.where(age < 75, 1, 2))
    cum = np.cumsum(_CAUSE_MIX, axis=1)[grp]
    idx = (rng.random(len(age))[:, None] > cum).sum(axis=1).clip(0, 4)
    cause = np.array(_CAUSES, dtype=object)[idx]
    icd = np.empty(len(age), dtype=object)
    for name, codes in _ICD.items():
        m = cause == name
        icd[m] = rng.choice(codes, size=m.sum())
    return cause, icd


def all_cause_deaths(residents: pd.DataFrame, lsoas: pd.DataFrame, calibration: list[Calibration],
                     years: range, rng: np.random.Generator) -> pd.DataFrame:
    """Non-COVID deaths for every year, as individual records."""
    cells = _cells(residents, lsoas)
    par = {(c.district, c.sex): c for c in calibration}
    q_pop = cells.groupby(["district", "female", "quantile"])["n"].sum()
    rank = {}
    for (district, female), sub in q_pop.groupby(level=[0, 1]):
        r = _relative_rank(sub.to_numpy(dtype=float))
        for q, value in zip(sub.index.get_level_values(2), r, strict=True):
            rank[(district, female, q)] = value
    keys = list(zip(cells["district"], cells["female"], cells["quantile"], strict=True))
    r = np.array([rank[k] for k in keys])
    sex = np.where(cells["female"], "Female", "Male")
    theta = np.array([par[(d, s)].theta for d, s in zip(cells["district"], sex, strict=True)])
    gamma = np.array([par[(d, s)].gamma for d, s in zip(cells["district"], sex, strict=True)])
    per_year = cells["base"].to_numpy() * np.exp(theta + gamma * (0.5 - r))
    yrs = np.array(years)
    n_cells = len(cells)
    expected = (per_year[None, :] * trend(yrs)[:, None]).ravel()  # (year, cell)
    year = np.repeat(yrs, n_cells)
    cell = np.tile(np.arange(n_cells), len(yrs))
    # group = (district, sex, band); order inside: year, quantile, lsoa, age
    dcode = pd.factorize(cells["district"])[0]
    group = (dcode * 2 + cells["female"].to_numpy()) * 20 + cells["band"].to_numpy()
    order = np.lexsort((cells["age"].to_numpy()[cell], cells["lsoa"].to_numpy()[cell],
                        cells["quantile"].to_numpy()[cell], year, group[cell]))
    counts = np.zeros(len(expected), dtype=np.int64)
    counts[order] = controlled_round(expected[order], group[cell][order], rng)
    rec_cell = np.repeat(cell, counts)
    rec_year = np.repeat(year, counts)
    age = cells["age"].to_numpy()[rec_cell].astype(np.int16)
    old = age == 90
    age[old] = 90 + np.minimum(rng.geometric(0.25, old.sum()) - 1, 14)
    lsoa = cells["lsoa"].to_numpy()[rec_cell]
    shares = lsoas[list(ETHNIC_GROUPS_5)].to_numpy()
    cum = np.cumsum(shares, axis=1)[lsoa]
    eth = (rng.random(len(lsoa))[:, None] > cum).sum(axis=1).clip(0, 4)
    cause, icd = _causes(age, rng)
    return pd.DataFrame({
        "lsoa": lsoa, "age": age,
        "sex": np.where(cells["female"].to_numpy()[rec_cell], "Female", "Male"),
        "ethnicity_true": np.array(ETHNIC_GROUPS_5, dtype=object)[eth],
        "date_of_death": dates_in_years(rec_year, rng, seasonal=True),
        "cause_group": cause, "underlying_cause_icd10": icd,
    })


# ----------------------------------------------------------------------------- COVID-19
#: Relative risk of dying with COVID-19 by ethnic group (ONS 2020-21 patterns, rounded).
COVID_ETHNIC_RR = {"Asian, Asian British or Asian Welsh": 2.0,
                   "Black, Black British, Black Welsh, Caribbean or African": 1.8,
                   "Mixed or Multiple ethnic groups": 1.2, "White": 1.0,
                   "Other ethnic group": 1.5}


def covid_weekly_counts(districts: list[str], rng: np.random.Generator) -> pd.DataFrame:
    """Deaths involving COVID-19 per district and ISO week, 2020-W10 to 2022-W52.

    To 2021-W22 the totals equal the real cumulative counts. Leicester's 2020 weeks
    1-39 are its real weekly counts; the rest of each district's deaths follow the
    same first-wave shape (scaled) and a winter 2020-21 second wave, so every
    district has the real cumulative total and Leicester's real first-wave curve.
    A small tail (15% of the cumulative count) follows from 2021-W23 to 2022-W52.
    """
    cumulative = T.covid_cumulative()
    first = T.leicester_first_wave()
    weeks = pd.date_range("2020-01-06", "2022-12-26", freq="W-MON")
    iso = weeks.isocalendar()
    key = list(zip(iso["year"].astype(int), iso["week"].astype(int), strict=True))
    to_w22 = np.array([k <= (2021, 22) for k in key])
    is_first = np.array([k[0] == 2020 and k[1] <= 39 for k in key])
    t = (weeks - pd.Timestamp("2021-01-18")).days.to_numpy() / 7
    second = np.where(~is_first & to_w22, np.exp(-0.5 * (t / 5.0) ** 2) + 0.15, 0.0)
    tail = np.where(~to_w22, np.exp(-0.5 * ((weeks - pd.Timestamp("2022-01-10")).days
                                            .to_numpy() / 7 / 12) ** 2), 0.0)
    first_shape = np.zeros(len(weeks))
    first_shape[is_first] = [first.get(k[1], 0) for k, f in zip(key, is_first, strict=True) if f]
    shape_district = T.first_wave_district()  # its own weeks are real; others take the shape
    leicester_total = float(cumulative[shape_district])
    first_share = first_shape.sum() / leicester_total
    rows = []
    for d in districts:
        total = float(cumulative[d])
        if d == shape_district:
            wave1 = first_shape.astype(float)
        else:
            wave1 = first_shape / first_shape.sum() * total * first_share
        rest = total - wave1.sum()
        expected = wave1 + second / second.sum() * rest + tail / tail.sum() * total * 0.15
        if d == shape_district:
            counts = np.where(is_first, first_shape.astype(np.int64), 0)
            counts[~is_first] = controlled_round(expected[~is_first],
                                                 np.zeros((~is_first).sum(), int), rng)
        else:
            counts = controlled_round(expected, np.zeros(len(weeks), int), rng)
        # controlled rounding keeps the pre-W22 total within 1: correct it exactly
        gap = int(total) - int(counts[to_w22].sum())
        if gap:
            j = int(np.flatnonzero(to_w22 & ~is_first)[np.argmax(expected[to_w22 & ~is_first])])
            counts[j] += gap
        rows.append(pd.DataFrame({"district": d, "week_start": weeks, "deaths": counts}))
    return pd.concat(rows, ignore_index=True)


def covid_deaths(residents: pd.DataFrame, lsoas: pd.DataFrame,
                 rng: np.random.Generator) -> pd.DataFrame:
    """Individual COVID-19 deaths: who died is drawn from residents by risk."""
    from hi_analysis.synth._tools import weighted_top_k

    weekly = covid_weekly_counts(sorted(lsoas["district"].unique()), rng)
    totals = weekly.groupby("district")["deaths"].sum()
    district = lsoas["district"].to_numpy()[residents["lsoa"].to_numpy()]
    codes, uniques = pd.factorize(district)
    age = residents["age"].to_numpy().astype(float)
    imd = lsoas["imd_decile"].to_numpy()[residents["lsoa"].to_numpy()]
    w = (np.exp(0.11 * (age - 80)) * np.where(residents["sex"] == "Male", 1.6, 1.0)
         * (1 + 0.06 * (10 - imd))
         * residents["ethnicity"].map(COVID_ETHNIC_RR).to_numpy(dtype=float))
    k = totals.reindex(uniques).to_numpy()
    chosen = weighted_top_k(codes, w, k, rng)
    people = residents[chosen].copy()
    people["district"] = district[chosen]
    people = people.sample(frac=1.0, random_state=rng.integers(2**31)).sort_values(
        "district", kind="stable")
    week_rows = weekly.loc[weekly.index.repeat(weekly["deaths"])]
    week_rows = week_rows.sort_values("district", kind="stable")
    days = rng.integers(0, 7, len(people)).astype("timedelta64[D]")
    icd = np.where(rng.random(len(people)) < 0.92, "U07.1", "U07.2")
    return pd.DataFrame({
        "lsoa": people["lsoa"].to_numpy(), "age": people["age"].to_numpy(),
        "sex": people["sex"].astype(str).to_numpy(),
        "ethnicity_true": people["ethnicity"].astype(str).to_numpy(),
        "date_of_death": (week_rows["week_start"].to_numpy().astype("datetime64[D]") + days)
        .astype("datetime64[ns]"),
        "cause_group": "COVID-19", "underlying_cause_icd10": icd,
    })


def monthly_targets(districts: list[str], years: range) -> pd.DataFrame:
    """Real deaths registered by district, year and month (ONS), the months' calibration target.

    Months not yet published (after June 2025) take the district's 2015-2019 mean for
    that calendar month. A district absent from the shipped series (outside LLR) takes
    England's counts: only the shares of each year's deaths by month are used.

    Returns
    -------
    pandas.DataFrame
        ``district, year, month, deaths`` for every district, year and month.
    """
    monthly = T.monthly_deaths()
    real = monthly[monthly["area_code"].isin(districts)].rename(columns={"area_code": "district"})
    # The shipped monthly series covers England and LLR's councils only: any other district
    # takes England's month-by-month pattern (only the shares within a year are used).
    england = monthly[monthly["area_code"] == "E92000001"]
    absent = [d for d in districts if d not in set(real["district"])]
    if absent:
        real = pd.concat([real] + [england.assign(district=d) for d in absent],
                         ignore_index=True)
    base = real[real["year"].between(2015, 2019)].groupby(["district", "month"])["deaths"].mean()
    full = pd.MultiIndex.from_product([districts, list(years), range(1, 13)],
                                      names=["district", "year", "month"]).to_frame(index=False)
    out = full.merge(real[["district", "year", "month", "deaths"]], how="left",
                     on=["district", "year", "month"])
    fill = pd.Series(list(zip(out["district"], out["month"], strict=True))).map(base)
    out["deaths"] = out["deaths"].astype(float).fillna(fill)
    return out


def _largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    """Integers summing to ``total``, as close as possible to ``total * shares``.

    Examples
    --------
    >>> _largest_remainder(10, np.array([0.55, 0.45])).tolist()
    [6, 4]
    """
    exact = total * shares
    n = np.floor(exact).astype(np.int64)
    short = total - int(n.sum())
    if short:
        n[np.argsort(-(exact - n), kind="stable")[:short]] += 1
    return n


def months_from_real(frame: pd.DataFrame, covid: pd.DataFrame, lsoas: pd.DataFrame,
                     years: range, rng: np.random.Generator) -> np.ndarray:
    """Dates of death for non-COVID deaths, spread over each year's months like the real ones.

    In each district and year the non-COVID deaths (whose yearly number is set by the
    life-expectancy calibration) are shared between months in proportion to the real
    registrations of the month less the synthetic COVID-19 deaths of that month (at least
    a fifth of the real count), so that all-cause deaths month by month follow the real
    monthly series, including the pandemic's peaks. The day within the month is uniform.
    """
    district = lsoas["district"].to_numpy()[frame["lsoa"].to_numpy()]
    year = pd.DatetimeIndex(frame["date_of_death"]).year.to_numpy()
    target = monthly_targets(sorted(set(district)), years)
    cd = lsoas["district"].to_numpy()[covid["lsoa"].to_numpy()]
    cdate = pd.DatetimeIndex(covid["date_of_death"])
    c = pd.DataFrame({"district": cd, "year": cdate.year, "month": cdate.month}).value_counts()
    target["covid"] = [c.get(k, 0) for k in zip(target["district"], target["year"],
                                                target["month"], strict=True)]
    target["weight"] = np.maximum(target["deaths"] - target["covid"], 0.2 * target["deaths"])
    weights = target.set_index(["district", "year", "month"])["weight"]
    month = np.zeros(len(frame), dtype=np.int64)
    order = np.lexsort((year, district))
    keys = pd.DataFrame({"d": district[order], "y": year[order]})
    bounds = np.flatnonzero(np.r_[True, (keys["d"].to_numpy()[1:] != keys["d"].to_numpy()[:-1])
                                  | (keys["y"].to_numpy()[1:] != keys["y"].to_numpy()[:-1]),
                                  True])
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        d, y = keys["d"].iloc[a], int(keys["y"].iloc[a])
        w = weights.loc[(d, y)].to_numpy(dtype=float)
        n = _largest_remainder(b - a, w / w.sum())
        month[order[a:b]] = rng.permutation(np.repeat(np.arange(1, 13), n))
    start = (year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1)
    days = (start + 1).astype("datetime64[D]") - start.astype("datetime64[D]")
    offset = (rng.random(len(frame)) * days.astype(int)).astype(np.int64)
    return (start.astype("datetime64[D]") + offset.astype("timedelta64[D]")).astype(
        "datetime64[ns]")


def deaths_extract(residents: pd.DataFrame, lsoas: pd.DataFrame, years: range,
                   rng: np.random.Generator, id_start: int) -> tuple[pd.DataFrame, list]:
    """The deaths extract (all causes, including COVID-19) and the calibration used."""
    calibration = calibrate_all(residents, lsoas)
    other = all_cause_deaths(residents, lsoas, calibration, years, rng)
    covid = covid_deaths(residents, lsoas, rng)
    other["date_of_death"] = months_from_real(other, covid, lsoas, years, rng)
    frame = pd.concat([other, covid], ignore_index=True)
    frame = frame.sort_values(["date_of_death", "lsoa", "age"], kind="stable").reset_index(
        drop=True)
    frame["premature"] = frame["age"] < 75
    p_avoid = frame["cause_group"].map(_AVOIDABLE).to_numpy(dtype=float)
    frame["avoidable"] = frame["premature"].to_numpy() & (rng.random(len(frame)) < p_avoid)
    frame["person_id"] = make_ids("P", id_start, len(frame))
    return frame, calibration
