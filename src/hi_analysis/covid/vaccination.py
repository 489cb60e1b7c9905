"""Did protection reach everyone: COVID-19 vaccination coverage.

Real: NHS England people vaccinated by district, age band and dose (published
15 July 2021, to 11 July), over two denominators -- the NIMS population
(GP-registered; inflated in cities with mobile populations) and the ONS mid-2020
estimate (too low for Leicester before Census 2021). The MSOA gradient comes
from :func:`hi_analysis.inequality.vaccination_gradient` (the SII chapter's).
National benchmark: OpenSAFELY-TPP first-dose coverage by IMD quintile and ethnic
group. Synthetic: within-place gaps by ethnic group and deprivation from the
vaccinations extract.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hi_analysis import stats
from hi_analysis.config import Place, System
from hi_analysis.covid._select import in_codes, lookup, recorded
from hi_analysis.data import load
from hi_analysis.geography import lsoa11_codes
from hi_analysis.inequality import fit_sii

#: The NHS England release the chapter reads (people vaccinated to 11 July 2021).
RELEASE = pd.Timestamp("2021-07-15")
AS_AT = pd.Timestamp("2021-07-11")
#: July 2021 bands; NIMS gives "16-24" for NHS England's "Under 25".
BANDS = (
    "Under 25",
    "25-29",
    "30-34",
    "35-39",
    "40-44",
    "45-49",
    "50-54",
    "55-59",
    "60-64",
    "65-69",
    "70-74",
    "75-79",
    "80+",
)
#: OpenSAFELY dates compared: a year into the programme, and its final release.
OPENSAFELY_DATES = (pd.Timestamp("2021-06-16"), pd.Timestamp("2022-06-22"))


def district_coverage(system: System) -> pd.DataFrame:
    """First- and second-dose coverage by district and age band, two denominators.

    Returns
    -------
    pandas.DataFrame
        ``ltla_code, ltla_name, place_code, age_band, dose, people, nims, ons,
        coverage_nims, lowercl, uppercl, coverage_ons`` (percentages; the Wilson
        limits are for the NIMS coverage).
    """
    v = load("vaccinations_ltla_age")
    v = v[v["publication_date"] == RELEASE]
    nims = load("nims_population_ltla_age").replace({"age_band": {"16-24": "Under 25"}})
    nims = nims.set_index(["ltla_code", "age_band"])["population_nims"]
    ons = load("covid_vaccination_msoa11")
    ons = (
        ons[ons["dose"] == "first"]
        .groupby(["lad19cd", "age_band"], observed=True)["pop_ons_mid2020"]
        .sum()
    )
    place_of = {d.code: p.code for p in system.places for d in p.districts}
    v = v[v["ltla_code"].isin(place_of) & v["age_band"].isin(BANDS)].copy()
    v["place_code"] = v["ltla_code"].map(place_of)
    v["dose"] = v["dose"].map({"1st": "First dose", "2nd": "Second dose"})
    keys = list(zip(v["ltla_code"], v["age_band"], strict=True))
    v["nims"] = [nims.get(k, np.nan) for k in keys]
    v["ons"] = [ons.get(k, np.nan) for k in keys]
    return _coverage(
        v[["ltla_code", "ltla_name", "place_code", "age_band", "dose", "people", "nims", "ons"]]
    )


def _coverage(frame: pd.DataFrame) -> pd.DataFrame:
    ok = frame["people"] <= frame["nims"]
    out = frame.copy()
    out["coverage_nims"] = out["people"] / out["nims"] * 100
    out["coverage_ons"] = out["people"] / out["ons"] * 100
    out["lowercl"] = np.nan
    out["uppercl"] = np.nan
    if ok.any():
        p = stats.proportion(out.loc[ok, ["people", "nims"]], "people", "nims", multiplier=100)
        out.loc[ok, "lowercl"] = p["lowercl"].to_numpy()
        out.loc[ok, "uppercl"] = p["uppercl"].to_numpy()
    out["age_band"] = pd.Categorical(out["age_band"], categories=list(BANDS), ordered=True)
    return out.sort_values(["dose", "age_band"]).reset_index(drop=True)


def place_coverage(coverage: pd.DataFrame, place: Place, system: System) -> pd.DataFrame:
    """Coverage by age band and dose for the place and for the rest of the system.

    Returns
    -------
    pandas.DataFrame
        ``area, age_band, dose, people, nims, ons, coverage_nims, lowercl,
        uppercl, coverage_ons``; ``area`` is the place name or "Rest of <system>".
    """
    c = coverage.assign(
        area=np.where(
            coverage["place_code"] == place.code, place.name, f"Rest of {system.short_name}"
        )
    )
    g = c.groupby(["area", "age_band", "dose"], as_index=False, observed=True)[
        ["people", "nims", "ons"]
    ].sum()
    return _coverage(g)


def district_range(
    coverage: pd.DataFrame, place: Place, *, dose: str = "First dose", band: str = "80+"
) -> tuple[float, float]:
    """Lowest and highest NIMS coverage among the system's districts outside the place."""
    c = coverage[
        (coverage["place_code"] != place.code)
        & (coverage["dose"] == dose)
        & (coverage["age_band"] == band)
    ]
    return float(c["coverage_nims"].min()), float(c["coverage_nims"].max())


# ----------------------------------------------------------------------------- national
def opensafely_imd(date: pd.Timestamp) -> pd.DataFrame:
    """National first-dose coverage by IMD quintile and age band at ``date``, with the SII.

    Returns
    -------
    (estimates, sii) : tuple of pandas.DataFrame
        Coverage (%, Wilson limits) by age band and quintile (1 = most deprived);
        and the SII (percentage points, least minus most deprived end) by age band.
    """
    o = load("opensafely_vaccine_coverage")
    o = o[(o["breakdown"] == "imd_quintile") & (o["date"] == date) & (o["group"] != "Unknown")]
    if o.empty:
        raise ValueError(f"no OpenSAFELY rows for {date:%d %B %Y}")
    o = o.assign(quantile=o["group"].str[0].astype(int))
    p = stats.proportion(
        o, "vaccinated_cum", "population", by=["age_band", "quantile"], multiplier=100
    )
    est = p.rename(columns={"vaccinated_cum": "vaccinated"})[
        ["age_band", "quantile", "vaccinated", "population", "value", "lowercl", "uppercl"]
    ]
    sii = fit_sii(est, value_type=2, by=["age_band"], repetitions=20_000)
    return est, sii[["age_band", "sii", "sii_lowercl", "sii_uppercl"]]


def opensafely_ethnicity(date: pd.Timestamp) -> pd.DataFrame:
    """National first-dose coverage by ethnic group (6 groups) and age band at ``date``."""
    o = load("opensafely_vaccine_coverage")
    o = o[(o["breakdown"] == "ethnicity_6") & (o["date"] == date) & (o["group"] != "Unknown")]
    p = stats.proportion(
        o, "vaccinated_cum", "population", by=["age_band", "group"], multiplier=100
    )
    return p.rename(columns={"vaccinated_cum": "vaccinated"})[
        ["age_band", "group", "vaccinated", "population", "value", "lowercl", "uppercl"]
    ]


# ----------------------------------------------------------------------------- synthetic
def synthetic_gaps(vaccinations: pd.DataFrame, place: Place, *, min_age: int = 50) -> dict:
    """First-dose coverage by 11 July 2021 among residents aged ``min_age``+ (synthetic).

    Everyone aged 50 and over had been offered a first dose by then, so differences
    are not differences in eligibility.

    Returns
    -------
    dict
        ``ethnicity`` and ``imd_quintile``: frames of ``group, vaccinated,
        eligible, value, lowercl, uppercl`` (%); national IMD 2019 quintile of the
        LSOA of residence (1 = most deprived).
    """
    codes = lsoa11_codes(place)
    v = vaccinations[
        (vaccinations["programme"] == "COVID-19").to_numpy()
        & (vaccinations["age"] >= min_age).to_numpy()
    ]
    v = v[in_codes(v["lsoa11cd"], codes)]
    got = (v["dose1_date"].notna() & (v["dose1_date"] <= AS_AT)).astype(int).to_numpy()
    imd = load("imd2019_lsoa11").set_index("lsoa11cd")["imd_decile"]
    groups = {
        "ethnicity": v["ethnicity"],
        "imd_quintile": pd.Series(lookup(v["lsoa11cd"], (imd + 1) // 2), index=v.index),
    }
    out = {}
    for col, g in groups.items():
        keep = recorded(g) if col == "ethnicity" else g.notna().to_numpy()
        f = pd.DataFrame(
            {
                "vaccinated": got[keep],
                "eligible": 1,
                col: (
                    g[keep].array.remove_unused_categories()
                    if col == "ethnicity"
                    else g.to_numpy()[keep].astype(int)
                ),
            }
        )
        p = stats.proportion(f, "vaccinated", "eligible", by=col, multiplier=100)
        p[col] = p[col].astype(str if col == "ethnicity" else int)
        out[col] = p.rename(columns={col: "group"})[
            ["group", "vaccinated", "eligible", "value", "lowercl", "uppercl"]
        ]
    return out
