"""Needs-analysis numbers checked against independent calculations from the raw files."""

import csv
import gzip

import numpy as np
import pandas as pd
import pytest

from hi_analysis import needs
from hi_analysis.paths import public_data_dir

DATA = public_data_dir()


def _rows(name):
    opener = gzip.open if name.endswith(".gz") else open
    with opener(DATA / name, "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _independent_core20(district_codes):
    lsoas = {
        r["lsoa21_code"]
        for r in _rows("lookup_lsoa21_ward24_lad24_utla23_icb24_england.csv.gz")
        if r["ltla24_code"] in district_codes
    }
    decile = {r["lsoa21cd"]: int(r["imd_decile"]) for r in _rows("imd2025_lsoa21_england.csv")}
    residents = {
        r["lsoa21cd"]: int(r["all_usual_residents"])
        for r in _rows("census2021_ethnicity_lsoa21_england.csv.gz")
    }
    core = sum(residents[c] for c in lsoas if decile[c] <= 2)
    return core, sum(residents[c] for c in lsoas)


def test_llr_core20_share_matches_independent_calculation(llr):
    core = total = 0
    for place in llr.places:
        prof = needs.deprivation_profile(place)
        sub = prof[prof["edition"] == "IoD2025"]
        core += sub.loc[sub["decile"] <= 2, "residents"].sum()
        total += sub["residents"].sum()
    exp_core, exp_total = _independent_core20({d for p in llr.places for d in p.district_codes})
    assert (core, total) == (exp_core, exp_total)
    assert total == 1_122_002  # Census 2021 usual residents of LLR (ONS TS021)
    assert core / total == pytest.approx(exp_core / exp_total, rel=1e-12)


@pytest.mark.parametrize("place_id", ["leicester", "leicestershire", "rutland"])
def test_place_core20_share(llr, place_id):
    place = llr.place(place_id)
    core, total = _independent_core20(set(place.district_codes))
    prof = needs.deprivation_profile(place)
    assert needs.core20_share(prof) == pytest.approx(core / total, rel=1e-12)


def test_imd2019_profile_uses_mid2020_population(llr):
    place = llr.place("leicester")
    prof = needs.deprivation_profile(place)
    sub = prof[prof["edition"] == "IMD 2019"]
    assert sub["residents"].sum() == needs.total_population(place) == 354_036
    assert sub["lsoas"].sum() == 192
    assert sub["share"].sum() == pytest.approx(1.0)


def test_pyramid_preserves_the_population_and_models_sex(llr):
    place = llr.place("leicestershire")
    pyr = needs.population_pyramid(place)
    assert pyr["population"].sum() == pytest.approx(needs.total_population(place))
    assert pyr["share"].sum() == pytest.approx(1.0)
    assert pyr["england_share"].sum() == pytest.approx(1.0)
    assert len(pyr) == 36
    # more women than men among the oldest, as everywhere in England
    old = pyr[pyr["age_band"] == "85+"].set_index("sex")["population"]
    assert old["Female"] > old["Male"]


def test_sex_weights_follow_the_census_row():
    row = pd.Series(
        {
            "younger_females": 50,
            "younger_males": 50,
            "working_age_females": 60,
            "working_age_males": 40,
            "total_females": 200,
            "total_males": 100,
        }
    )
    w = needs._band_sex_weights(row)
    assert w["0-4"] == 0.5
    assert w["15-19"] == pytest.approx(0.2 * 0.5 + 0.8 * 0.6)
    assert w["30-34"] == 0.6
    assert w["85+"] == pytest.approx(90 / 100)


def test_ethnicity_shares_and_england(llr):
    eth = needs.ethnicity_profile(llr.place("leicester"))
    assert eth["share"].sum() == pytest.approx(1.0)
    assert eth["england_share"].sum() == pytest.approx(1.0)
    asian = eth.set_index("ethnic_group").loc["Asian, Asian British or Asian Welsh"]
    assert asian["residents"] == 159_994
    assert asian["england_share"] == pytest.approx(0.0961, abs=5e-4)


def test_ethnicity_core20_total_row_matches_profile(llr):
    place = llr.place("leicester")
    t = needs.ethnicity_core20(place).set_index("ethnic_group")
    assert t.loc["All residents", "share_core20"] == pytest.approx(
        needs.core20_share(needs.deprivation_profile(place))
    )
    assert (t["residents_core20"] <= t["residents"]).all()


def test_rutland_has_no_core20_neighbourhoods(llr):
    t = needs.ethnicity_core20(llr.place("rutland"))
    assert (t["residents_core20"] == 0).all()


def test_deprivation_change_counts_are_consistent(llr):
    ch = needs.deprivation_change(llr.place("leicester"))
    assert ch.transitions.to_numpy().sum() == ch.unchanged_lsoas
    t = ch.transitions.to_numpy()
    assert ch.more_deprived == int(np.tril(t, -1).sum())
    assert ch.less_deprived == int(np.triu(t, 1).sum())
    assert ch.into_core20 == int(t[2:, :2].sum())
    assert ch.out_of_core20 == int(t[:2, 2:].sum())


def test_health_status_county_uses_districts(llr):
    status = needs.health_status(llr.place("leicestershire"))
    le = status[(status["indicator"] == "Life expectancy at birth") & (status["sex"] == "Male")]
    assert len(le) == 7
    assert set(le["period"]) == {"2023 - 25"}
    assert (le["england_value"] == 79.7).all()
    assert any("districts" in n for n in needs.health_notes(llr.place("leicestershire")))


def test_health_status_values_come_from_the_extract(llr):
    status = needs.health_status(llr.place("leicester"))
    row = status[
        (status["indicator"] == "Life expectancy at birth") & (status["sex"] == "Female")
    ].iloc[0]
    raw = pd.read_csv(DATA / "fingertips_la_indicators_england.csv.gz")
    exp = raw[
        (raw["indicator"] == "Life expectancy at birth")
        & (raw["sex"] == "Female")
        & (raw["area_code"] == "E06000016")
        & (raw["period"] == "2023 - 25")
    ]
    assert row["value"] == exp["value"].iloc[0]
    assert row["comparison"] == exp["compared_to_England"].iloc[0]


def test_rutland_sii_not_published_note(llr):
    notes = needs.health_notes(llr.place("rutland"))
    assert any("does not publish" in n for n in notes)


def test_qof_prevalence_has_wilson_intervals(llr):
    qof = needs.qof_prevalence(llr.place("rutland"))
    assert set(qof["area"]) == {"Rutland", "England"}
    assert (qof["lowercl"] < qof["value"]).all() and (qof["value"] < qof["uppercl"]).all()
    raw = pd.read_csv(DATA / "qof1920_modelled_prevalence_by_lad24_england.csv.gz")
    hyp = raw[(raw["lad_code"] == "E06000017") & (raw["group_code"] == "HYP")].iloc[0]
    row = qof[(qof["area"] == "Rutland") & (qof["condition"] == "Hypertension")].iloc[0]
    x, n = round(hyp["register"]), round(hyp["list"])
    assert row["value"] == pytest.approx(100 * x / n)
    z = 1.959963984540054
    lo = (2 * x + z**2 - z * np.sqrt(z**2 + 4 * x * (1 - x / n))) / (2 * (n + z**2))
    assert row["lowercl"] == pytest.approx(100 * lo, rel=1e-9)


def test_practices_partition_the_llr_practices(llr):
    counts = {p.id: len(needs.practices(p)) for p in llr.places}
    assert sum(counts.values()) == 134
    assert counts["rutland"] == 4


def test_inverse_care_recovers_a_known_slope():
    rng = np.random.default_rng(1)
    imd = rng.uniform(5, 50, 200)
    t = pd.DataFrame(
        {
            "imd_score": imd,
            "qof_per_patient": 20 - 0.1 * imd,
            "registered_patients": rng.integers(2000, 20000, 200),
        }
    )
    fit = needs.inverse_care(t)
    assert fit.slope_per_10 == pytest.approx(-1.0)
    lo, hi = fit.band(np.array([10.0, 40.0]))
    assert np.allclose(lo, hi)  # a perfect fit has no uncertainty


def test_inverse_care_interval_contains_estimate(llr):
    fit = needs.inverse_care(needs.practices(llr.place("leicester")))
    assert fit.lowercl < fit.slope_per_10 < fit.uppercl
    assert fit.practices == 56
