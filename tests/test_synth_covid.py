"""Calibration targets the COVID-19 chapter added to the synthetic extracts.

Like ``test_synth.py``, these read the extracts the end-to-end build generated, so they
share its worker (``xdist_group("e2e")``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hi_analysis.covid import waiting
from hi_analysis.data import load
from hi_analysis.extracts import load_extract

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture(scope="module")
def extracts(built_book, extracts_root, llr):
    import os

    old = os.environ.get("HI_ANALYSIS_EXTRACTS")
    os.environ["HI_ANALYSIS_EXTRACTS"] = str(extracts_root)
    try:
        return {n: load_extract(llr, n) for n in ("deaths", "vaccinations", "waiting_list")}
    finally:
        if old is None:
            os.environ.pop("HI_ANALYSIS_EXTRACTS")
        else:
            os.environ["HI_ANALYSIS_EXTRACTS"] = old


def test_deaths_follow_the_real_monthly_registrations(extracts):
    d = extracts["deaths"]
    look = load("lookup_lsoa11_msoa11").set_index("lsoa11_code")["ltla21_code"]
    date = pd.DatetimeIndex(d["date_of_death"])
    synth = pd.DataFrame({"district": d["lsoa11cd"].astype(str).map(look).to_numpy(),
                          "year": date.year, "month": date.month}).value_counts()
    synth = synth.rename("synthetic").reset_index()
    real = load("deaths_monthly").rename(columns={"area_code": "district"})
    both = real.merge(synth, on=["district", "year", "month"], how="inner")
    assert both["district"].nunique() == 9
    assert len(both) == 9 * 126  # every district, January 2015 to June 2025
    full_years = both[both["year"] <= 2024]
    tv = full_years.groupby(["district", "year"]).apply(
        lambda g: 0.5 * np.abs(g["deaths"] / g["deaths"].sum()
                               - g["synthetic"] / g["synthetic"].sum()).sum())
    assert tv.mean() < 0.04, tv.sort_values().tail()
    lei = both[both["district"] == "E06000016"]
    assert np.corrcoef(lei["deaths"], lei["synthetic"])[0, 1] >= 0.8
    # the pandemic's first peak: April 2020 above any April of 2015-2019 in Leicester
    apr = lei[lei["month"] == 4].set_index("year")["synthetic"]
    assert apr[2020] > apr.loc[2015:2019].max()


def test_vaccinations_match_real_district_by_age_coverage(extracts):
    v = extracts["vaccinations"]
    v = v[(v["programme"] == "COVID-19") & v["dose1_date"].notna()]
    look = load("lookup_lsoa11_msoa11").set_index("lsoa11_code")["ltla21_code"]
    from hi_analysis.synth.services import vaccination_band

    synth = pd.DataFrame({"ltla_code": v["lsoa11cd"].astype(str).map(look).to_numpy(),
                          "age_band": vaccination_band(v["age"].to_numpy())}).value_counts()
    real = load("vaccinations_ltla_age")
    real = real[(real["publication_date"] == "2021-07-15") & (real["dose"] == "1st")
                & (real["age_band"] != "Under 25")]
    real = real.assign(synthetic=[synth.get(k, 0) for k in zip(
        real["ltla_code"], real["age_band"], strict=True)])
    ratio = real["synthetic"] / real["people"]
    assert len(real) == 9 * 12
    assert ratio.between(0.9, 1.0).all(), real.loc[~ratio.between(0.9, 1.0)]
    # where no MSOA cell of the district and band is capped, the count is exact
    msoa = load("covid_vaccination_msoa11")
    first = msoa[msoa["dose"] == "first"]
    capped = first["people_vaccinated"] > first["pop_ons_mid2020"]
    capped_cells = set(zip(first.loc[capped, "lad19cd"], first.loc[capped, "age_band"],
                           strict=True))
    free = [k not in capped_cells for k in zip(real["ltla_code"], real["age_band"],
                                               strict=True)]
    assert sum(free) >= 30
    assert (real.loc[free, "synthetic"] == real.loc[free, "people"]).all()


def test_waiting_list_gap_widens_after_the_pandemic(extracts, llr):
    """The unequal recovery the chapter measures: the DiD is positive in Leicester."""
    pathways = waiting.place_list(extracts["waiting_list"], llr.place("leicester"))
    shares = waiting.long_wait_shares(pathways, "imd_quintile")
    before = shares[shares["period"].str.startswith("Before")].set_index("group")
    assert before.loc[1, "value"] == pytest.approx(before.loc[5, "value"], abs=1.0)
    gap = waiting.gap_change(shares)
    assert gap["did"] > 0
    idx = waiting.list_index(pathways)
    march21 = idx[idx["snapshot_month"] == "2021-03-01"].set_index("imd_quintile")["index"]
    assert (march21 > 100).all()
