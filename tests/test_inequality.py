"""The SII chapter's computations on constructed data with a known gradient."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hi_analysis import inequality, stats
from hi_analysis import narrative as say


def linear(k: int, slope: float, intercept: float, pops) -> pd.DataFrame:
    pops = np.asarray(pops, dtype=float)
    share = pops / pops.sum()
    rank = np.cumsum(share) - share / 2
    value = intercept + slope * rank
    return pd.DataFrame({"quantile": np.arange(1, k + 1), "population": pops, "value": value,
                         "lowercl": value * 0.98, "uppercl": value * 1.02})


@pytest.mark.parametrize("value_type", [0, 1])
def test_exactly_linear_deciles_give_that_slope(value_type):
    pops = [900, 1200, 1000, 1100, 950, 1000, 1050, 980, 1020, 1000]
    d = linear(10, slope=9.5, intercept=72.0, pops=pops)
    fit = inequality.fit_sii(d, value_type=value_type, repetitions=10_000).iloc[0]
    assert fit["sii"] == pytest.approx(9.5, rel=1e-9)
    assert fit["intercept"] == pytest.approx(72.0, rel=1e-9)
    assert fit["rii"] == pytest.approx((72.0 + 9.5) / 72.0, rel=1e-9)
    assert fit["sii_lowercl"] < 9.5 < fit["sii_uppercl"]
    assert fit["n_quantiles"] == 10


def test_linear_proportions_in_percent_are_rescaled():
    d = linear(5, slope=-20.0, intercept=60.0, pops=[500] * 5)
    fit = inequality.fit_sii(d, value_type=2, repetitions=10_000).iloc[0]
    assert fit["sii"] == pytest.approx(-20.0, rel=1e-9)
    assert fit["intercept"] == pytest.approx(60.0, rel=1e-9)
    assert fit["sii_lowercl"] < -20 < fit["sii_uppercl"] < 0


def test_deciles_and_quintiles_in_one_call():
    a = linear(10, 5.0, 70.0, [100] * 10).assign(area="big")
    b = linear(5, 2.0, 80.0, [100] * 5).assign(area="small")
    fit = inequality.fit_sii(pd.concat([a, b]), value_type=0, by=["area"],
                             repetitions=5_000).set_index("area")
    assert fit.loc["big", "sii"] == pytest.approx(5.0)
    assert fit.loc["small", "sii"] == pytest.approx(2.0)
    assert fit.loc["big", "n_quantiles"] == 10 and fit.loc["small", "n_quantiles"] == 5


def test_assign_quantiles_uses_quintiles_for_small_areas():
    rng = np.random.default_rng(3)
    t = pd.DataFrame({"area": ["s"] * 23 + ["b"] * 40, "score": rng.random(63) * 50})
    out = inequality.assign_quantiles(t, score="score", by="area")
    small, big = out[out["area"] == "s"], out[out["area"] == "b"]
    assert small["n_quantiles"].eq(5).all() and sorted(small["quantile"].unique()) == [1, 2, 3,
                                                                                     4, 5]
    assert big["n_quantiles"].eq(10).all() and big["quantile"].nunique() == 10
    # 1 = most deprived = highest score
    assert small.loc[small["score"].idxmax(), "quantile"] == 1
    assert small.loc[small["score"].idxmin(), "quantile"] == 5
    assert out.index.equals(t.index)


def _toy_lsoas(k=5):
    return pd.DataFrame({"lsoa11cd": [f"E0100000{i}" for i in range(k)], "area": "X",
                         "quantile": np.arange(1, k + 1)})


def test_count_by_quantile_fills_zeros_and_bands():
    records = pd.DataFrame({"lsoa11cd": ["E01000000", "E01000000", "E01000004", "E09999999"],
                            "age": [0, 3, 95, 40], "sex": ["Female", "Male", "Male", "Male"]})
    c = inequality.count_by_quantile(records, _toy_lsoas(), band="life", by=["sex"])
    assert len(c) == 5 * 2 * 20  # every quantile, sex and band, zero where none
    assert c["count"].sum() == 3  # the LSOA outside the area is dropped
    got = c[c["count"] > 0].set_index(["quantile", "sex", "startage"])["count"]
    assert got.to_dict() == {(1, "Female", 0): 1, (1, "Male", 1): 1, (5, "Male", 90): 1}


def test_count_by_quantile_matches_a_row_by_row_count_with_typed_columns():
    """Arrow text and categorical columns, a missing code, many rows: same as counting by hand."""
    rng = np.random.default_rng(3)
    n = 5_000
    codes = [f"E0100000{i}" for i in range(5)] + ["E09999999"]
    lsoa = pd.Series(rng.choice(codes, n), dtype="str")
    lsoa[::97] = None  # missing code: dropped like one outside the area
    records = pd.DataFrame({
        "lsoa11cd": lsoa,
        "age": rng.integers(0, 100, n).astype("int16"),
        "sex": pd.Categorical(rng.choice(["Female", "Male"], n)),
        "year": rng.choice([2022, 2023], n),
    })
    c = inequality.count_by_quantile(records, _toy_lsoas(), band="esp", by=["sex", "year"])
    quantile = {f"E0100000{i}": i + 1 for i in range(5)}
    expected = {}
    for code, age, sex, year in records.itertuples(index=False):
        if code in quantile:
            key = (quantile[code], sex, str(year), min(age // 5 * 5, 90))
            expected[key] = expected.get(key, 0) + 1
    got = c[c["count"] > 0].set_index(["quantile", "sex", "year", "startage"])["count"]
    assert got.to_dict() == expected
    assert c["count"].sum() == sum(expected.values()) < n


def test_dsr_by_quantile_recovers_a_constant_age_specific_rate():
    lsoas = _toy_lsoas(2)
    ages = np.repeat(np.arange(0, 95), 20)
    pop = pd.DataFrame({"lsoa11cd": np.r_[["E01000000"] * len(ages), ["E01000001"] * len(ages)],
                        "age": np.r_[ages, ages]})
    # 1 event per 10 people in quantile 1, 1 per 20 in quantile 2, at every age
    ev1 = pop[pop["lsoa11cd"] == "E01000000"].iloc[::10]
    ev2 = pop[pop["lsoa11cd"] == "E01000001"].iloc[::20]
    out = inequality.dsr_by_quantile(pd.concat([ev1, ev2]), pop, lsoas, multiplier=100)
    assert out["value"].round(6).tolist() == [10.0, 5.0]
    assert (out["lowercl"] < out["value"]).all() and (out["uppercl"] > out["value"]).all()
    u75 = inequality.dsr_by_quantile(pd.concat([ev1, ev2]), pop, lsoas, max_age=75,
                                     multiplier=100)
    assert u75["value"].round(6).tolist() == [10.0, 5.0]
    with pytest.raises(ValueError, match="multiple of 5"):
        inequality.dsr_by_quantile(ev1, pop, lsoas, max_age=74)


def test_life_expectancy_by_quantile_matches_the_stats_function():
    lsoas = _toy_lsoas(2)
    rng = np.random.default_rng(0)
    ages = np.repeat(np.arange(0, 100), 200)
    pop = pd.DataFrame({"lsoa11cd": np.repeat(["E01000000", "E01000001"], len(ages)),
                        "age": np.r_[ages, ages], "sex": "Female"})
    old = pop[pop["age"] >= 50]
    died = old[rng.random(len(old)) < np.where(old["lsoa11cd"] == "E01000000", 0.06, 0.03)]
    deaths = died.assign(date_of_death=pd.Timestamp("2023-06-01"))
    le = inequality.life_expectancy_by_quantile(deaths, pop, lsoas, [2023])
    assert le["value"].iloc[0] < le["value"].iloc[1]  # more deaths, shorter lives
    c = inequality.count_by_quantile(deaths, lsoas, band="life", by=["sex"], name="d")
    p = inequality.count_by_quantile(pop, lsoas, band="life", by=["sex"], name="p")
    direct = stats.life_expectancy(p.merge(c), "d", "p", "startage", by=["quantile"])
    direct = direct[direct["startage"] == 0]["value"].to_numpy()
    assert le["value"].to_numpy() == pytest.approx(direct, rel=1e-12)


def _gradient(sii, lo, hi, *, unit=" per 100,000", better=False):
    fit = pd.Series({"sii": sii, "sii_lowercl": lo, "sii_uppercl": hi, "rii": 0.6,
                     "rii_lowercl": 0.5, "rii_uppercl": 0.7, "n_quantiles": 10})
    return inequality.Gradient("u75", "Under-75 mortality", "under-75 mortality", unit, "",
                               "2022 to 2024", 1, better, True, "", pd.DataFrame(), fit)


def test_reading_of_a_harmful_rate_higher_in_deprived_areas():
    text = say.sii_reading(_gradient(-283.0, -340.0, -227.0), "Leicester")
    assert text.startswith("The gap in under-75 mortality across Leicester's social gradient "
                           "is 283 per 100,000 (95% CI 227 to 340)")
    assert "higher at the most deprived end" in text and "fare worse" in text
    assert say.sii_headline(_gradient(-283.0, -340.0, -227.0), "Leicester").startswith(
        "Under-75 mortality is 283 per 100,000 higher at the most deprived end")


def test_reading_when_the_interval_includes_zero():
    g = _gradient(-80.0, -196.0, 34.0)
    text = say.sii_reading(g, "Rutland")
    assert "-80 per 100,000 (95% CI -196 to 34)" in text
    assert "do not show a clear gradient" in text
    assert "no clear gradient" in say.sii_headline(g, "Rutland")


def test_gap_in_percentages_is_in_percentage_points():
    g = _gradient(-1.4, -2.2, -0.6, unit="%")
    assert "1.4 percentage points (95% CI 0.6 to 2.2)" in say.sii_reading(g, "Rutland")


def test_quintile_text_explains_wide_intervals():
    text = say.quantile_choice_text("Rutland", 23, 5, 8095)
    assert "5 local quintiles" in text and "wide" in text
    assert "quintiles" not in say.quantile_choice_text("Leicester", 192, 10, 35400)
