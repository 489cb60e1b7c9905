"""The needs-analysis computations (Midlands standard A3: local communities and demography).

Each function takes a :class:`~hi_analysis.config.Place` and returns a tidy
frame (or a small dataclass) built only from the shipped real public data.
Presentation (charts, tables, sentences) lives elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from hi_analysis import stats
from hi_analysis.config import Place, System
from hi_analysis.data import load
from hi_analysis.data.public import dataset
from hi_analysis.data.schemas import AGE_BANDS_5YR, ETHNIC_GROUPS_5
from hi_analysis.errors import DataValidationError
from hi_analysis.geography import lsoa11_codes, lsoa21_codes
from hi_analysis.results import KeyResult, to_json
from hi_analysis.text import period

ENGLAND = "E92000001"
#: National deciles counted as "Core20": England's most deprived 20% of neighbourhoods.
CORE20_DECILES = (1, 2)

_BAND_COLUMNS = {b: "age_" + b.replace("-", "_").replace("+", "plus") for b in AGE_BANDS_5YR}


def require_coverage(name: str, found: pd.Series, expected: list[str], place: Place) -> None:
    """Raise a clear error when a shipped table lacks rows for some of a place's areas.

    Parameters
    ----------
    name : str
        The dataset (a key of :data:`hi_analysis.data.DATASETS`).
    found : pandas.Series
        Area codes present in the table.
    expected : list of str
        Area codes the place needs.
    place : Place
        For the message.
    """
    missing = sorted(set(expected) - set(found))
    if missing:
        ds = dataset(name)
        raise DataValidationError(
            f"data/public/{ds.file}",
            [
                f"no rows for {len(missing)} of {len(expected)} neighbourhoods of {place.name} "
                f"(for example {', '.join(missing[:3])}); this file does not cover the place"
            ],
        )


# --------------------------------------------------------------------------- population
def _band_sex_weights(census_row: pd.Series) -> pd.Series:
    """Female share of each five-year band, from a Census 2021 row of broad ages by sex.

    The Census table gives females and males aged 0-15 ("younger"), 16-64 ("working
    age") and the remainder (65 and over, taken as total minus the other two). The
    15-19 band straddles the first boundary, so its share is 1/5 of the 0-15 share and
    4/5 of the 16-64 share.
    """
    f_young = census_row["younger_females"] / (
        census_row["younger_females"] + census_row["younger_males"]
    )
    f_work = census_row["working_age_females"] / (
        census_row["working_age_females"] + census_row["working_age_males"]
    )
    old_f = (
        census_row["total_females"]
        - census_row["younger_females"]
        - census_row["working_age_females"]
    )
    old_m = (
        census_row["total_males"] - census_row["younger_males"] - census_row["working_age_males"]
    )
    f_old = old_f / (old_f + old_m)
    shares = {}
    for band in AGE_BANDS_5YR:
        start = int(band.rstrip("+").split("-")[0])
        if start < 15:
            shares[band] = f_young
        elif start == 15:
            shares[band] = 0.2 * f_young + 0.8 * f_work
        elif start < 65:
            shares[band] = f_work
        else:
            shares[band] = f_old
    return pd.Series(shares)


def _pyramid_from(pop_by_band: pd.DataFrame, census: pd.DataFrame) -> pd.DataFrame:
    """Split persons by band into sexes using each district's Census ratios, then total."""
    rows = []
    for district, group in pop_by_band.groupby("district"):
        weights = _band_sex_weights(census.loc[district])
        bands = group["age_band"].to_numpy()
        persons = group["persons"].to_numpy(dtype="float64")
        female = weights[bands].to_numpy()
        rows.append(
            pd.DataFrame({"age_band": bands, "sex": "Female", "population": persons * female})
        )
        rows.append(
            pd.DataFrame({"age_band": bands, "sex": "Male", "population": persons * (1 - female)})
        )
    out = (
        pd.concat(rows).groupby(["age_band", "sex"], sort=False, as_index=False)["population"].sum()
    )
    out["share"] = out["population"] / out["population"].sum()
    return out


def _lsoa11_population() -> pd.DataFrame:
    """Mid-2020 persons by LSOA 2011, five-year bands, with the LSOA's 2024 district."""
    pop = load("population_2020_lsoa11")
    lookup = load("lookup_lsoa11_msoa11")
    pop = pop.merge(
        lookup[["lsoa11_code", "ltla24_code"]],
        left_on="lsoa11cd",
        right_on="lsoa11_code",
        how="left",
    )
    return pop.rename(columns={"ltla24_code": "district"})


def _long_bands(pop: pd.DataFrame) -> pd.DataFrame:
    long = pop.melt(
        id_vars=["district"],
        value_vars=list(_BAND_COLUMNS.values()),
        var_name="column",
        value_name="persons",
    )
    long["age_band"] = long["column"].map({v: k for k, v in _BAND_COLUMNS.items()})
    return long.groupby(["district", "age_band"], sort=False, as_index=False)["persons"].sum()


def population_pyramid(place: Place) -> pd.DataFrame:
    """Population by five-year age band and sex for the place, beside England's shape.

    Persons come from ONS mid-2020 LSOA estimates; the sex split is **modelled**
    by applying each district's Census 2021 female share in ages 0-15, 16-64 and
    65+ (LSOA estimates by sex are not in the shipped data).

    Returns
    -------
    pandas.DataFrame
        Columns ``age_band, sex, population, share, england_share`` (shares of the
        whole population, so the bars of both sexes sum to 1), bands youngest first.
    """
    census = load("census2021_age_sex_lad").set_index("ltla21_code")
    pop = _lsoa11_population()
    place_pop = pop[pop["lsoa11cd"].isin(lsoa11_codes(place))]
    local = _pyramid_from(_long_bands(place_pop), census)
    # England: all LSOAs, with the national Census sex ratios.
    eng_long = _long_bands(pop.assign(district=ENGLAND))
    eng_census = census.sum(numeric_only=True).to_frame(ENGLAND).T
    england = _pyramid_from(eng_long, eng_census)
    out = local.merge(
        england[["age_band", "sex", "share"]].rename(columns={"share": "england_share"}),
        on=["age_band", "sex"],
    )
    order = {b: i for i, b in enumerate(AGE_BANDS_5YR)}
    return out.sort_values(
        ["age_band", "sex"], key=lambda s: s.map(order) if s.name == "age_band" else s
    ).reset_index(drop=True)


def total_population(place: Place) -> int:
    """Mid-2020 resident population of the place (ONS small-area estimates)."""
    pop = load("population_2020_lsoa11")
    return int(pop.loc[pop["lsoa11cd"].isin(lsoa11_codes(place)), "all_ages"].sum())


# --------------------------------------------------------------------------- deprivation
def _residents_2021() -> pd.DataFrame:
    """Census 2021 usual residents per LSOA 2021 (from the ethnicity table's total column)."""
    eth = load("ethnicity_lsoa21")
    return eth.drop_duplicates("lsoa21cd")[["lsoa21cd", "all_usual_residents"]]


def deprivation_lsoas(place: Place) -> pd.DataFrame:
    """The place's 2021 LSOAs with IoD2025 rank and decile, ward, district and residents."""
    imd = load("imd2025_lsoa21")
    lookup = load("lookup_lsoa21")
    codes = lsoa21_codes(place)
    require_coverage("imd2025_lsoa21", imd["lsoa21cd"], codes, place)
    require_coverage("ethnicity_lsoa21", _residents_2021()["lsoa21cd"], codes, place)
    sub = imd[imd["lsoa21cd"].isin(codes)]
    sub = sub.merge(
        lookup[["lsoa21_code", "ward24_name"]],
        left_on="lsoa21cd",
        right_on="lsoa21_code",
        how="left",
    )
    sub = sub.merge(_residents_2021(), on="lsoa21cd", how="left")
    return (
        sub[
            [
                "lsoa21cd",
                "lsoa21nm",
                "lad24nm",
                "ward24_name",
                "imd_score",
                "imd_rank",
                "imd_decile",
                "all_usual_residents",
            ]
        ]
        .rename(
            columns={
                "all_usual_residents": "residents",
                "ward24_name": "ward",
                "lad24nm": "district",
            }
        )
        .reset_index(drop=True)
    )


def deprivation_profile(place: Place) -> pd.DataFrame:
    """Share of the place's residents living in each national deprivation decile.

    IMD 2019 deciles (2011 LSOAs) are weighted by the ONS mid-2020 population;
    IoD2025 deciles (2021 LSOAs) by Census 2021 usual residents.

    Returns
    -------
    pandas.DataFrame
        Columns ``edition`` ("IMD 2019" or "IoD2025"), ``decile`` (1 = most deprived
        10% of England), ``lsoas``, ``residents`` and ``share`` (of the place's residents).
    """
    imd19 = load("imd2019_lsoa11")
    pop = load("population_2020_lsoa11")[["lsoa11cd", "all_ages"]]
    a = imd19[imd19["lsoa11cd"].isin(lsoa11_codes(place))].merge(pop, on="lsoa11cd")
    a = a.rename(columns={"all_ages": "residents"})
    b = deprivation_lsoas(place)
    frames = []
    for edition, df in (("IMD 2019", a), ("IoD2025", b)):
        g = df.groupby("imd_decile")
        t = pd.DataFrame({"lsoas": g.size(), "residents": g["residents"].sum()})
        t = t.reindex(range(1, 11), fill_value=0).rename_axis("decile").reset_index()
        t["share"] = t["residents"] / t["residents"].sum()
        t.insert(0, "edition", edition)
        frames.append(t)
    return pd.concat(frames, ignore_index=True)


def core20_share(profile: pd.DataFrame, edition: str = "IoD2025") -> float:
    """Share of residents in Core20 neighbourhoods (national deciles 1 and 2).

    Examples
    --------
    >>> prof = pd.DataFrame({"edition": "IoD2025", "decile": range(1, 11),
    ...                      "residents": [30, 10] + [5] * 8})
    >>> core20_share(prof)
    0.5
    """
    sub = profile[profile["edition"] == edition]
    return float(
        sub.loc[sub["decile"].isin(CORE20_DECILES), "residents"].sum() / sub["residents"].sum()
    )


@dataclass(frozen=True)
class DeprivationChange:
    """How the place's neighbourhoods moved between IMD 2019 and IoD2025."""

    unchanged_lsoas: int  # LSOAs whose boundary did not change 2011 -> 2021
    into_core20: int
    out_of_core20: int
    more_deprived: int  # moved to a more deprived national decile
    less_deprived: int
    transitions: pd.DataFrame  # decile_2019 x decile_2025 counts of unchanged LSOAs


def deprivation_change(place: Place) -> DeprivationChange:
    """Compare national deciles of neighbourhoods whose boundaries did not change.

    Only LSOAs with ONS change code ``U`` (unchanged 2011 to 2021) are compared, so
    like is compared with like. Deciles are relative ranks within England: a move
    means the neighbourhood changed *relative to others*, not necessarily in
    absolute terms.
    """
    lookup = load("lookup_lsoa11_lsoa21")
    same = lookup[(lookup["change_code"] == "U") & lookup["lsoa21_code"].isin(lsoa21_codes(place))]
    d19 = load("imd2019_lsoa11").set_index("lsoa11cd")["imd_decile"]
    d25 = load("imd2025_lsoa21").set_index("lsoa21cd")["imd_decile"]
    pair = pd.DataFrame(
        {
            "decile_2019": same["lsoa11_code"].map(d19).to_numpy(),
            "decile_2025": same["lsoa21_code"].map(d25).to_numpy(),
        }
    ).dropna()
    core19 = pair["decile_2019"].isin(CORE20_DECILES)
    core25 = pair["decile_2025"].isin(CORE20_DECILES)
    trans = pd.crosstab(pair["decile_2019"], pair["decile_2025"]).reindex(
        index=range(1, 11), columns=range(1, 11), fill_value=0
    )
    return DeprivationChange(
        unchanged_lsoas=len(pair),
        into_core20=int((~core19 & core25).sum()),
        out_of_core20=int((core19 & ~core25).sum()),
        more_deprived=int((pair["decile_2025"] < pair["decile_2019"]).sum()),
        less_deprived=int((pair["decile_2025"] > pair["decile_2019"]).sum()),
        transitions=trans,
    )


# --------------------------------------------------------------------------- ethnicity
def ethnicity_profile(place: Place) -> pd.DataFrame:
    """Residents by Census 2021 high-level ethnic group: the place against England.

    Returns
    -------
    pandas.DataFrame
        Columns ``ethnic_group, residents, share, england_share``, largest group first.
    """
    eth = load("ethnicity_lsoa21")
    codes = lsoa21_codes(place)
    require_coverage("ethnicity_lsoa21", eth["lsoa21cd"], codes, place)
    sub = eth[eth["lsoa21cd"].isin(codes)]
    local = sub.groupby("ethnic_group_5", as_index=False)["persons"].sum()
    local.columns = ["ethnic_group", "residents"]
    local["share"] = local["residents"] / local["residents"].sum()
    det = load("ethnicity_detailed_lad")
    eng = det[det["lad21cd"] == ENGLAND].copy()
    # 19-group labels read "<high-level group>: <detailed group>".
    eng["ethnic_group"] = eng["ethnic_group_19"].str.split(":").str[0]
    if (
        not eng["ethnic_group"].isin(ETHNIC_GROUPS_5).all()
    ):  # pragma: no cover - guards a changed input file
        raise ValueError("unrecognised Census 2021 ethnic group label in the England rows")
    england = eng.groupby("ethnic_group")["persons"].sum()
    local["england_share"] = local["ethnic_group"].map(england / england.sum())
    return local.sort_values("residents", ascending=False).reset_index(drop=True)


def ethnicity_core20(place: Place) -> pd.DataFrame:
    """Share of each ethnic group's residents who live in Core20 neighbourhoods (IoD2025).

    Returns
    -------
    pandas.DataFrame
        Columns ``ethnic_group, residents, residents_core20, share_core20``, plus a
        final row ``All residents`` for comparison.
    """
    eth = load("ethnicity_lsoa21")
    lsoas = deprivation_lsoas(place)
    core = set(lsoas.loc[lsoas["imd_decile"].isin(CORE20_DECILES), "lsoa21cd"])
    sub = eth[eth["lsoa21cd"].isin(set(lsoas["lsoa21cd"]))].assign(
        core20=lambda d: d["lsoa21cd"].isin(core)
    )
    g = sub.groupby("ethnic_group_5")
    out = pd.DataFrame(
        {
            "residents": g["persons"].sum(),
            "residents_core20": g.apply(
                lambda d: d.loc[d["core20"], "persons"].sum(), include_groups=False
            ),
        }
    )
    out = out.rename_axis("ethnic_group").reset_index()
    out = out.sort_values("residents", ascending=False)
    total = pd.DataFrame(
        {
            "ethnic_group": ["All residents"],
            "residents": [out["residents"].sum()],
            "residents_core20": [out["residents_core20"].sum()],
        }
    )
    out = pd.concat([out, total], ignore_index=True)
    out["share_core20"] = out["residents_core20"] / out["residents"]
    return out


# --------------------------------------------------------------------------- health status
#: Indicators shown in the health-status table, with their polarity for the reader.
HEALTH_INDICATORS = (
    "Life expectancy at birth",
    "Healthy life expectancy at birth",
    "Inequality in life expectancy at birth",
    "Under 75 mortality rate from causes considered preventable (per 100,000 population)",
    "Smoking Prevalence in adults (aged 18 and over) - current smokers (APS)",
    "Overweight (including obesity) prevalence in adults, (using adjusted self-reported height "
    "and weight)",
    "Percentage of physically inactive adults",
    "Year 6 prevalence of obesity (including severe obesity)",
    "Percentage of 5 year olds with experience of visually obvious dental decay",
    "Depression: QOF prevalence",
)


def health_areas(place: Place) -> list[tuple[str, str]]:
    """Fingertips areas shown for the place: the place itself, or its districts for a county.

    The Fingertips extract holds unitary authorities and districts but not county
    councils, so a county is shown through its districts.
    """
    if place.kind == "county council":
        return [(d.code, d.name) for d in place.districts]
    return [(place.code, place.name)]


def _latest(ft: pd.DataFrame) -> pd.DataFrame:
    """Keep each (indicator, sex, area) row of the latest period available."""
    ft = ft.assign(_order=ft["period"].str.replace(" ", ""))
    ft = ft.sort_values("_order").groupby(["indicator", "sex", "area_code"]).tail(1)
    return ft.drop(columns="_order")


def health_status(place: Place) -> pd.DataFrame:
    """Latest value of each headline indicator for the place's areas against England.

    Returns
    -------
    pandas.DataFrame
        Columns ``indicator, sex, unit, area_code, area_name, period, value,
        england_value, comparison`` where ``comparison`` is Fingertips' own
        better/similar/worse (or higher/lower) judgement against England. The
        extract carries no confidence intervals, so none are shown.
    """
    ft = load("fingertips")
    ft = ft[ft["breakdown"].isna() & ft["indicator"].isin(HEALTH_INDICATORS)]
    codes = [c for c, _ in health_areas(place)]
    local = _latest(ft[ft["area_code"].isin(codes)])
    eng = ft[ft["area_code"] == ENGLAND][["indicator", "sex", "period", "value"]].rename(
        columns={"value": "england_value"}
    )
    out = local.merge(eng, on=["indicator", "sex", "period"], how="left")
    out["comparison"] = out["compared_to_England"].fillna("Not compared")
    order = {name: i for i, name in enumerate(HEALTH_INDICATORS)}
    area_order = {c: i for i, c in enumerate(codes)}
    out = out.assign(_i=out["indicator"].map(order), _a=out["area_code"].map(area_order))
    out = out.sort_values(["_i", "sex", "_a"]).reset_index(drop=True)
    return out[
        [
            "indicator",
            "sex",
            "unit",
            "area_code",
            "area_name",
            "period",
            "value",
            "england_value",
            "comparison",
        ]
    ]


def health_trend(place: Place, indicator: str, sex: str) -> pd.DataFrame:
    """The time series of one indicator for the place's areas and England.

    Returns
    -------
    pandas.DataFrame
        Columns ``area_name, period, value, comparison``, in period order.
    """
    ft = load("fingertips")
    codes = [c for c, _ in health_areas(place)] + [ENGLAND]
    sub = ft[
        (ft["indicator"] == indicator)
        & (ft["sex"] == sex)
        & ft["breakdown"].isna()
        & ft["area_code"].isin(codes)
    ]
    sub = sub.assign(_order=sub["period"].str.replace(" ", "")).sort_values(["area_code", "_order"])
    return sub.rename(columns={"compared_to_England": "comparison"})[
        ["area_code", "area_name", "period", "value", "comparison"]
    ].reset_index(drop=True)


# --------------------------------------------------------------------------- QOF prevalence
#: QOF register codes -> plain names (the conditions shown, in order).
QOF_CONDITIONS = {
    "HYP": "Hypertension",
    "DM": "Diabetes (17+)",
    "AST": "Asthma",
    "DEP": "Depression (18+)",
    "CHD": "Coronary heart disease",
    "COPD": "COPD",
    "CKD": "Chronic kidney disease (18+)",
    "AF": "Atrial fibrillation",
    "STIA": "Stroke and TIA",
    "MH": "Serious mental illness",
    "DEM": "Dementia",
}


def qof_prevalence(place: Place, *, confidence: float = 0.95) -> pd.DataFrame:
    """Modelled QOF 2019/20 prevalence for the place and England, with Wilson intervals.

    Registers and list sizes are summed over the place's districts (practice
    registers apportioned to where patients live, House of Commons Library model).
    Intervals are Wilson score intervals from :func:`hi_analysis.stats.proportion`;
    they reflect random variation only, not the modelling.

    Returns
    -------
    pandas.DataFrame
        Columns ``condition, area, register, list, value, lowercl, uppercl`` with
        ``value`` in per cent, one row per condition and area (the place, England).
    """
    qof = load("qof_lad")
    qof = qof[qof["group_code"].isin(list(QOF_CONDITIONS))]
    local = qof[qof["lad_code"].isin(place.district_codes)].assign(area=place.name)
    england = qof[qof["lad_code"].str.startswith("E")].assign(area="England")
    both = pd.concat([local, england])
    both = both.groupby(["group_code", "area"], as_index=False)[["register", "list"]].sum()
    both[["register", "list"]] = both[["register", "list"]].round()
    res = stats.proportion(
        both, "register", "list", by=["group_code", "area"], confidence=confidence, multiplier=100
    )
    res["condition"] = res["group_code"].map(QOF_CONDITIONS)
    order = {c: i for i, c in enumerate(QOF_CONDITIONS)}
    res = res.sort_values(
        ["group_code", "area"],
        key=lambda s: (
            s.map(order) if s.name == "group_code" else s.map({place.name: 0, "England": 1})
        ),
    )
    return res[
        ["condition", "area", "register", "list", "value", "lowercl", "uppercl"]
    ].reset_index(drop=True)


# --------------------------------------------------------------------------- primary care
def practices(place: Place) -> pd.DataFrame:
    """The place's GP practices (2022/23) with list size, QOF payment per patient and IMD.

    Practices are selected by sub-ICB location and surgery postcode district as set
    in the place's parameters (an approximation: patients may live elsewhere).

    Returns
    -------
    pandas.DataFrame
        Columns ``practice_code, practice_name, pcn, rurality, registered_patients,
        qof_payment, qof_per_patient, imd_score``.
    """
    gp = load("gp_practices")
    sel = place.gp_practices
    pcd = gp["Practice Postcode"].str.split().str[0]
    keep = gp["CCG Code"].isin(sel.sub_icb)
    if sel.postcode_districts:
        keep &= pcd.isin(sel.postcode_districts)
    if sel.exclude_postcode_districts:
        keep &= ~pcd.isin(sel.exclude_postcode_districts)
    sub = gp[keep]
    out = pd.DataFrame(
        {
            "practice_code": sub["Practice Code"],
            "practice_name": sub["Practice Name"].str.title(),
            "pcn": sub["PCN Name"].str.title(),
            "rurality": sub["Practice Rurality"],
            "registered_patients": sub["Number of Registered Patients (Last Known Figure)"],
            "qof_payment": sub["Total QOF Payments"],
            "imd_score": sub["practice_imd_score_2019"],
        }
    )
    # A practice with no registered patients (closed in the year) has no payment per patient:
    # left empty, so it never enters the inverse-care fit (never an infinite value).
    listed = out["registered_patients"] > 0
    out["qof_per_patient"] = (out["qof_payment"] / out["registered_patients"]).where(listed)
    return out.sort_values("imd_score", ascending=False).reset_index(drop=True)


@dataclass(frozen=True)
class InverseCare:
    """A list-size-weighted regression of QOF payment per patient on practice deprivation."""

    slope_per_10: float  # pounds per patient per 10 IMD points
    lowercl: float
    uppercl: float
    confidence: float
    practices: int
    intercept: float
    slope: float  # per 1 IMD point
    covariance: tuple[tuple[float, float], tuple[float, float]]
    df_resid: float

    def band(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Confidence band for the fitted line at ``x`` (same level as the slope's interval)."""
        from scipy import stats as sps

        cov = np.asarray(self.covariance)
        design = np.column_stack([np.ones_like(x), x])
        se = np.sqrt(np.einsum("ij,jk,ik->i", design, cov, design))
        t = sps.t.ppf(0.5 + self.confidence / 2, self.df_resid)
        fit = self.intercept + self.slope * x
        return fit - t * se, fit + t * se


def inverse_care(practice_table: pd.DataFrame, *, confidence: float = 0.95) -> InverseCare:
    """Does QOF money per patient follow need? Fit payment per patient on practice IMD score.

    Weighted least squares, weights = registered patients; the interval is the
    usual t interval for the slope. A negative slope means practices serving more
    deprived populations earn less QOF income per patient (an inverse-care pattern).

    Examples
    --------
    >>> t = pd.DataFrame({"imd_score": [10.0, 20, 30, 40], "qof_per_patient": [20.0, 18, 16, 14],
    ...                   "registered_patients": [5000, 6000, 7000, 8000]})
    >>> round(inverse_care(t).slope_per_10, 6)
    -2.0
    """
    t = practice_table.dropna(subset=["imd_score", "qof_per_patient"])
    if len(t) < 3:
        raise ValueError("inverse_care needs at least three practices with an IMD score")
    fit = sm.WLS(
        t["qof_per_patient"].to_numpy(),
        sm.add_constant(t["imd_score"].to_numpy()),
        weights=t["registered_patients"].to_numpy(),
    ).fit()
    lo, hi = fit.conf_int(alpha=1 - confidence)[1]
    return InverseCare(
        slope_per_10=float(fit.params[1] * 10),
        lowercl=float(lo * 10),
        uppercl=float(hi * 10),
        confidence=confidence,
        practices=len(t),
        intercept=float(fit.params[0]),
        slope=float(fit.params[1]),
        covariance=tuple(map(tuple, np.asarray(fit.cov_params()).tolist())),
        df_resid=float(fit.df_resid),
    )


def practice_deprivation_fifths(practice_table: pd.DataFrame) -> pd.DataFrame:
    """Patients and QOF payment per patient by fifth of practice deprivation within the place."""
    t = practice_table.dropna(subset=["imd_score"]).copy()
    n = min(5, len(t))
    t["fifth"] = pd.qcut(
        t["imd_score"].rank(method="first", ascending=False), n, labels=range(1, n + 1)
    ).astype(int)
    g = t.groupby("fifth")
    out = pd.DataFrame(
        {
            "practices": g.size(),
            "registered_patients": g["registered_patients"].sum(),
            "qof_payment": g["qof_payment"].sum(),
            "imd_score_mean": g.apply(
                lambda d: np.average(d["imd_score"], weights=d["registered_patients"]),
                include_groups=False,
            ),
        }
    )
    out["qof_per_patient"] = out["qof_payment"] / out["registered_patients"]
    return out.reset_index()


# --------------------------------------------------------------------------- page helpers
#: Short display names for the health indicators.
SHORT_NAMES = {
    HEALTH_INDICATORS[0]: "Life expectancy at birth (years)",
    HEALTH_INDICATORS[1]: "Healthy life expectancy at birth (years)",
    HEALTH_INDICATORS[2]: "Slope index of inequality in life expectancy (years)",
    HEALTH_INDICATORS[3]: "Under-75 mortality from preventable causes (per 100,000, "
    "age-standardised)",
    HEALTH_INDICATORS[4]: "Adults who smoke (%)",
    HEALTH_INDICATORS[5]: "Adults overweight or obese (%)",
    HEALTH_INDICATORS[6]: "Adults physically inactive (%)",
    HEALTH_INDICATORS[7]: "Year 6 children obese (%)",
    HEALTH_INDICATORS[8]: "5-year-olds with tooth decay (%)",
    HEALTH_INDICATORS[9]: "Depression recorded by GPs, adults (%)",
}


def health_table(status: pd.DataFrame) -> pd.DataFrame:
    """The health-status table for display: one row per indicator, sex and area."""
    out = pd.DataFrame(
        {
            "Indicator": status["indicator"].map(SHORT_NAMES).fillna(status["indicator"]),
            "Sex": status["sex"],
            "Area": status["area_name"],
            "Period": status["period"].map(period),
            "Value": status["value"],
            "England": status["england_value"],
            "Compared with England": status["comparison"].str.replace(" 99.8", " (99.8%)"),
        }
    )
    return out.reset_index(drop=True)


def health_notes(place: Place) -> list[str]:
    """Caveats the reader needs before the health-status table, in plain English."""
    notes = []
    if place.kind == "county council":
        names = ", ".join(d.name for d in place.districts)
        notes.append(
            f"**Why districts?** The shipped Fingertips extract holds unitary authorities and "
            f"districts but not county councils, so {place.name} is shown through its "
            f"{len(place.districts)} districts ({names}). No county figure is derived: "
            "averaging district values would not reproduce the published county value for "
            "measures such as life expectancy, which are calculated from deaths and population."
        )
    ft = load("fingertips")
    sii = ft[
        (ft["indicator"] == "Inequality in life expectancy at birth")
        & ft["area_code"].isin([c for c, _ in health_areas(place)])
    ]
    if len(sii) and sii["value"].isna().all():
        notes.append(
            f"**Slope index of inequality:** OHID does not publish this for {place.name}: it has "
            "too few neighbourhoods for reliable deprivation deciles. It is shown as [x] "
            "(not available)."
        )
    return notes


#: Short stable ids and polarity of the health-status indicators, for key results.
HEALTH_RESULT_IDS: dict[str, tuple[str, str]] = {
    "Life expectancy at birth": ("life_expectancy", "higher_is_better"),
    "Healthy life expectancy at birth": ("healthy_life_expectancy", "higher_is_better"),
    "Inequality in life expectancy at birth": ("le_inequality_published", "lower_is_better"),
    "Under 75 mortality rate from causes considered preventable (per 100,000 population)": (
        "preventable_mortality_u75",
        "lower_is_better",
    ),
    "Smoking Prevalence in adults (aged 18 and over) - current smokers (APS)": (
        "smoking_prevalence",
        "lower_is_better",
    ),
    "Overweight (including obesity) prevalence in adults, (using adjusted self-reported height "
    "and weight)": ("adult_overweight", "lower_is_better"),
    "Percentage of physically inactive adults": ("physically_inactive", "lower_is_better"),
    "Year 6 prevalence of obesity (including severe obesity)": (
        "year6_obesity",
        "lower_is_better",
    ),
    "Percentage of 5 year olds with experience of visually obvious dental decay": (
        "dental_decay_age5",
        "lower_is_better",
    ),
    "Depression: QOF prevalence": ("depression_prevalence", "neutral"),
}


def _comparison_word(raw: str) -> str:
    """Fingertips' ``compared_to_England`` as one of :data:`hi_analysis.results.COMPARISONS`.

    Examples
    --------
    >>> _comparison_word("Higher 99.8"), _comparison_word("Not compared")
    ('higher', 'not compared')
    """
    word = str(raw).split(" ")[0].lower() if isinstance(raw, str) and raw else "not"
    return word if word in ("better", "similar", "worse", "higher", "lower") else "not compared"


def _unit(indicator: str, unit: object) -> str:
    """The unit of a Fingertips indicator: percentages where the extract leaves it empty.

    Examples
    --------
    >>> _unit("Percentage of physically inactive adults", float("nan")), _unit("x", "Years")
    ('%', 'years')
    """
    if isinstance(unit, str) and unit:
        return "%" if unit == "5 years children" else unit.lower()
    return "%"


def health_key_results(place: Place, status: pd.DataFrame) -> list[KeyResult]:
    """The health-status table as key results: latest value, England, judgement and series.

    One record per indicator and sex (and per district for a county, whose id ends in
    ``.<district code>``). These are OHID's published values: no interval is
    published in the shipped extract, so none is given.
    """
    out = []
    county = place.kind == "county council"
    for _, r in status.iterrows():
        if r["indicator"] not in HEALTH_RESULT_IDS or pd.isna(r["value"]):
            continue
        base, polarity = HEALTH_RESULT_IDS[r["indicator"]]
        sex = str(r["sex"]).lower()
        rid = base if sex == "persons" else f"{base}_{sex}"
        if county:
            rid += "." + str(r["area_code"])
        trend = health_trend(place, r["indicator"], r["sex"])
        trend = trend[(trend["area_code"] == r["area_code"]) & trend["value"].notna()]
        label = r["indicator"] if sex == "persons" else f"{r['indicator']}, {sex}s"
        eng = r["england_value"]
        out.append(
            KeyResult(
                chapter="needs_analysis",
                id=rid,
                label=label,
                value=float(r["value"]),
                lower=None,
                upper=None,
                unit=_unit(r["indicator"], r["unit"]),
                synthetic=False,
                period=period(str(r["period"])),
                polarity=polarity,
                comparator_value=None if pd.isna(eng) else float(eng),
                comparator_label="England",
                comparison=_comparison_word(r["comparison"]),
                series=tuple(
                    zip(trend["period"].astype(str), trend["value"].astype(float), strict=True)
                ),
                area=str(r["area_name"]) if county else None,
            )
        )
    return out


def key_results(
    *,
    place: Place,
    total: int,
    core19: float,
    core25: float,
    ethnicity: pd.DataFrame,
    status: pd.DataFrame,
    qof: pd.DataFrame,
    fit: InverseCare,
) -> dict[str, object]:
    """The page's key numbers, for the JSON sidecar the tests and runner read."""
    le = status[status["indicator"] == "Life expectancy at birth"]
    hyp = qof[(qof["condition"] == "Hypertension") & (qof["area"] == place.name)].iloc[0]
    records = [
        *health_key_results(place, status),
        *(
            KeyResult(
                chapter="needs_analysis",
                id=f"core20_share_{edition.lower()}",
                label=f"Residents in England's most deprived 20% of neighbourhoods ({edition})",
                value=share * 100,
                lower=None,
                upper=None,
                unit="%",
                synthetic=False,
                period=when,
            )
            for edition, share, when in (
                ("IoD2025", core25, "2025"),
                ("IMD2019", core19, "2019"),
            )
        ),
        KeyResult(
            chapter="needs_analysis",
            id="qof_hypertension_modelled",
            label="Modelled prevalence of hypertension (QOF)",
            value=float(hyp["value"]),
            lower=float(hyp["lowercl"]),
            upper=float(hyp["uppercl"]),
            unit="%",
            synthetic=False,
            period="2019/20",
        ),
    ]
    return {
        "key_results": to_json(records),
        "place": place.id,
        "population_mid2020": total,
        "core20_share_imd2019": core19,
        "core20_share_iod2025": core25,
        "largest_ethnic_group": str(ethnicity.iloc[0]["ethnic_group"]),
        "largest_ethnic_group_share": float(ethnicity.iloc[0]["share"]),
        "life_expectancy": {
            f"{r['sex']}|{r['area_name']}": float(r["value"]) for _, r in le.iterrows()
        },
        "qof_hypertension": qof[(qof["condition"] == "Hypertension") & (qof["area"] == place.name)][
            ["value", "lowercl", "uppercl"]
        ]
        .iloc[0]
        .to_dict(),
        "inverse_care_slope_per_10": fit.slope_per_10,
    }


@dataclass
class NeedsChapter:
    """Every number of one place's needs-analysis page (all real published data)."""

    pyramid: pd.DataFrame
    total: int
    profile: pd.DataFrame
    core19: float
    core25: float
    lsoas: pd.DataFrame
    change: DeprivationChange
    ethnicity: pd.DataFrame
    eth_core20: pd.DataFrame
    status: pd.DataFrame
    qof: pd.DataFrame
    gps: pd.DataFrame
    fit: InverseCare


def compute(
    system: System | None, place: Place, extracts: Mapping[str, pd.DataFrame] | None = None
) -> NeedsChapter:
    """Run every computation of the needs-analysis chapter for a place.

    What the notebook calls (and ``benchmarks/bench_build.py`` times without it). The
    signature is every chapter's (:attr:`hi_analysis.chapters.Chapter.compute`); this
    chapter reads only real published data, so ``system`` and ``extracts`` are unused.
    """
    profile = deprivation_profile(place)
    gps = practices(place)
    return NeedsChapter(
        pyramid=population_pyramid(place),
        total=total_population(place),
        profile=profile,
        core19=core20_share(profile, "IMD 2019"),
        core25=core20_share(profile, "IoD2025"),
        lsoas=deprivation_lsoas(place),
        change=deprivation_change(place),
        ethnicity=ethnicity_profile(place),
        eth_core20=ethnicity_core20(place),
        status=health_status(place),
        qof=qof_prevalence(place),
        gps=gps,
        fit=inverse_care(gps),
    )
