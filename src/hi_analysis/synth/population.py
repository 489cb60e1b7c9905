"""The synthetic registered population, built from real small-area statistics.

Each resident gets a 2011 LSOA and single year of age from the ONS mid-2020
estimates (so the LSOA totals are exactly the real ones), a sex from the
district's Census 2021 female share in ages 0-15, 16-64 and 65+, and an ethnic
group drawn from the Census 2021 shares of the LSOA (2021 LSOA shares mapped to
2011 LSOAs through the ONS lookup, weighted by residents).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hi_analysis.config import System
from hi_analysis.data import load
from hi_analysis.data.schemas import ETHNIC_GROUPS_5, SYOA_COLUMNS
from hi_analysis.geography import lsoa11_codes
from hi_analysis.inequality import assign_quantiles
from hi_analysis.synth._tools import make_ids


def lsoa_table(system: System) -> pd.DataFrame:
    """One row per 2011 LSOA of the system with everything the generators condition on.

    Columns: ``lsoa11cd, district, place, msoa11cd, imd_score, imd_decile`` (national,
    IMD 2019), ``local_quantile`` (within the district, 1 = most deprived),
    ``n_quantiles`` (10, or 5 for a district with few LSOAs: see
    :func:`hi_analysis.inequality.assign_quantiles`), and the Census 2021
    ethnic shares (one column per group).
    """
    rows = []
    for place in system.places:
        for code in lsoa11_codes(place):
            rows.append((code, place.id))
    table = pd.DataFrame(rows, columns=["lsoa11cd", "place"])
    look = load("lookup_lsoa11_msoa11").set_index("lsoa11_code")
    table["district"] = table["lsoa11cd"].map(look["ltla24_code"])
    table["msoa11cd"] = table["lsoa11cd"].map(look["msoa11_code"])
    imd = load("imd2019_lsoa11").set_index("lsoa11cd")
    table["imd_score"] = table["lsoa11cd"].map(imd["imd_score"])
    table["imd_decile"] = table["lsoa11cd"].map(imd["imd_decile"]).astype("int16")
    table = assign_quantiles(table, score="imd_score", by="district", name="local_quantile")
    table = table.sort_values("lsoa11cd").reset_index(drop=True)
    table = table.join(_ethnic_shares(table["lsoa11cd"]), on="lsoa11cd")
    table.attrs["sii_if_unpublished"] = {
        d.code: dict(d.sii_if_unpublished)
        for p in system.places
        for d in p.districts
        if d.sii_if_unpublished
    }
    return table


def _ethnic_shares(lsoa11: pd.Series) -> pd.DataFrame:
    eth = load("ethnicity_lsoa21").pivot(index="lsoa21cd", columns="ethnic_group_5",
                                         values="persons")
    link = load("lookup_lsoa11_lsoa21")
    link = link[link["lsoa11_code"].isin(set(lsoa11))]
    counts = eth.reindex(link["lsoa21_code"]).set_axis(link["lsoa11_code"]).groupby(level=0).sum()
    shares = counts.div(counts.sum(axis=1), axis=0)
    return shares[list(ETHNIC_GROUPS_5)]


def _female_share(age: np.ndarray, census: pd.DataFrame, districts: np.ndarray) -> np.ndarray:
    c = census.loc[districts]
    young = c["younger_females"] / (c["younger_females"] + c["younger_males"])
    work = c["working_age_females"] / (c["working_age_females"] + c["working_age_males"])
    old_f = c["total_females"] - c["younger_females"] - c["working_age_females"]
    old_m = c["total_males"] - c["younger_males"] - c["working_age_males"]
    old = old_f / (old_f + old_m)
    return np.select([age < 16, age < 65], [young.to_numpy(), work.to_numpy()], old.to_numpy())


def build_residents(system: System, lsoas: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Build the synthetic registered population (one row per person).

    Returns
    -------
    pandas.DataFrame
        ``person_id, lsoa, age, sex, ethnicity`` where ``lsoa`` is the row number in
        ``lsoas``, ``age`` is in whole years (people in the 90+ band get ages 90 to 104)
        and ``ethnicity`` is the person's true Census group.
    """
    pop = load("population_2020_lsoa11_syoa").set_index("lsoa11cd").loc[lsoas["lsoa11cd"]]
    counts = pop[list(SYOA_COLUMNS)].to_numpy(dtype=np.int64)  # (lsoa, 91)
    n_lsoa, n_age = counts.shape
    flat = counts.ravel()
    cell = np.repeat(np.arange(flat.size), flat)
    lsoa = (cell // n_age).astype(np.int32)
    age = (cell % n_age).astype(np.int16)
    old = age == 90
    age[old] = 90 + np.minimum(rng.geometric(0.3, old.sum()) - 1, 14)
    census = load("census2021_age_sex_lad").set_index("ltla21_code")
    districts = lsoas["district"].to_numpy()[lsoa]
    female = rng.random(len(lsoa)) < _female_share(age, census, districts)
    shares = lsoas[list(ETHNIC_GROUPS_5)].to_numpy()
    cum = np.cumsum(shares, axis=1)[lsoa]
    group = (rng.random(len(lsoa))[:, None] > cum).sum(axis=1).clip(0, 4)
    n = len(lsoa)
    order = rng.permutation(n)  # ids carry no information about place or age
    return pd.DataFrame({
        "person_id": make_ids("P", 1, n)[np.argsort(order)],
        "lsoa": lsoa,
        "age": age,
        "sex": pd.Categorical.from_codes(female.astype(np.int8) ^ 1, ["Female", "Male"]),
        "ethnicity": pd.Categorical.from_codes(group.astype(np.int8), list(ETHNIC_GROUPS_5)),
    })
