"""The COVID-19 chapter's estimators on constructed data with known answers, and its real figures.

The synthetic-extract calibration targets of the chapter are in ``test_synth_covid.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from hi_analysis.covid import deprivation, excess, vaccination
from hi_analysis.covid._select import in_codes, lookup
from hi_analysis.paths import public_data_dir
from hi_analysis.results import KeyResult
from hi_analysis.stats.did_proportions import difference_in_differences
from hi_analysis.stats.excess import BANK_HOLIDAYS_EW, fit_baseline, five_year_average
from hi_analysis.stats.ratios import proportion_ratio, rate_ratio, rate_ratio_model


# ----------------------------------------------------------------------------- excess deaths
def _series(excess_2020: float = 0.0) -> pd.DataFrame:
    """Expected deaths with seasonality and trend, exactly log-linear; a known 2020 excess."""
    s = pd.DataFrame(
        {"year": np.repeat(np.arange(2015, 2022), 12), "month": np.tile(np.arange(1, 13), 7)}
    )
    days = pd.to_datetime(dict(year=s["year"], month=s["month"], day=1)).dt.days_in_month
    t = (s["year"] - 2015) + (s["month"] - 1) / 12
    season = 1 + 0.15 * np.cos(2 * np.pi * (s["month"] - 1) / 12)
    s["deaths"] = days * 30 * season * np.exp(0.01 * t)
    s.loc[s["year"] == 2020, "deaths"] += excess_2020 / 12
    return s


def test_excess_recovers_an_injected_excess_exactly():
    fit = fit_baseline(_series(600.0), working_days=False)
    r = fit.summarise(fit.series["year"] == 2020)
    assert r["excess"] == pytest.approx(600.0, abs=0.5)
    assert r["excess_lower"] < 600 < r["excess_upper"]
    none = fit.summarise(fit.series["year"] == 2021)
    assert none["excess"] == pytest.approx(0.0, abs=0.5)


def test_excess_intervals_cover_at_about_95_percent_on_noisy_series():
    rng = np.random.default_rng(7)
    base = _series(0.0)
    hits = 0
    for _ in range(60):
        s = base.assign(deaths=rng.poisson(base["deaths"]))
        s.loc[s["year"] == 2020, "deaths"] += 300 // 12 * 1
        fit = fit_baseline(s, working_days=False, n_sim=1000, seed=int(rng.integers(1e6)))
        r = fit.summarise(fit.series["year"] == 2020)
        hits += r["excess_lower"] <= 300 // 12 * 12 <= r["excess_upper"]
    assert 50 <= hits <= 60  # nominal 95%: at least ~83% in 60 draws


def test_five_year_average_is_the_mean_of_the_same_month():
    s = _series()
    avg = five_year_average(s)
    jan = s[(s["month"] == 1) & s["year"].between(2015, 2019)]["deaths"].mean()
    assert avg[(s["year"] == 2020) & (s["month"] == 1)].iloc[0] == pytest.approx(jan)


def test_working_days_use_the_bank_holidays():
    from hi_analysis.stats.excess import month_calendar

    cal = month_calendar(np.array([2022, 2022]), np.array([6, 9]))
    # June 2022: 22 weekdays less the two jubilee holidays; September: the Queen's funeral
    assert cal["working_days"].tolist() == [20, 21]
    assert len(set(BANK_HOLIDAYS_EW)) == len(BANK_HOLIDAYS_EW)


def test_llr_excess_equals_an_independent_statsmodels_fit():
    """LLR March 2020 to December 2021, computed here with a plain statsmodels formula fit."""
    raw = pd.read_csv(public_data_dir() / "ons_monthly_deaths_registered_llr_england_2015_2025.csv")
    llr = raw[raw["area_code"].isin(["E06000016", "E10000018", "E06000017"])]
    d = llr.groupby(["year", "month"], as_index=False)["deaths"].sum()
    first = pd.to_datetime(dict(year=d["year"], month=d["month"], day=1))
    nxt = first + pd.offsets.MonthBegin(1)
    d["days"] = (nxt - first).dt.days
    d["wd"] = np.busday_count(
        first.values.astype("datetime64[D]"),
        nxt.values.astype("datetime64[D]"),
        holidays=np.array(BANK_HOLIDAYS_EW, dtype="datetime64[D]"),
    )
    d["t"] = (d["year"] - 2015) + (d["month"] - 1) / 12
    base = d[d["year"] <= 2019]
    res = smf.glm(
        "deaths ~ C(month) + t + np.log(wd)",
        data=base,
        family=sm.families.Poisson(),
        offset=np.log(base["days"]),
    ).fit(scale="X2")
    period = (d["year"] * 100 + d["month"]).between(202003, 202112)
    expected = res.predict(d[period], offset=np.log(d.loc[period, "days"]))
    independent = d.loc[period, "deaths"].sum() - expected.sum()

    from hi_analysis.config import load_system

    fits = excess.area_fits(load_system("llr"))
    system = next(a for a in fits if a.kind == "system")
    row = excess.period_table(system).set_index("period").loc["March 2020 to December 2021"]
    assert row["excess"] == pytest.approx(independent, rel=1e-9)
    # and the research note's figure: +2,820 (95% PI 2,034 to 3,612)
    assert round(row["excess"], -1) == 2820
    assert row["excess_lower"] == pytest.approx(2034, abs=80)
    assert row["excess_upper"] == pytest.approx(3612, abs=80)


def test_leicester_excess_is_27_percent():
    from hi_analysis.config import load_system

    system = load_system("llr")
    fits = excess.area_fits(system, system.place("leicester"))
    lei = excess.for_place(fits, system.place("leicester"))
    row = excess.period_table(lei).iloc[0]
    assert row["observed"] == 5581
    assert row["percent"] == pytest.approx(27.2, abs=0.05)
    assert not any(a.kind == "district" for a in fits)


# ----------------------------------------------------------------------------- ratios
def test_rate_ratio_matches_poisson_regression():
    r = rate_ratio(150, 50_000, 100, 80_000)
    frame = pd.DataFrame({"y": [150, 100], "n": [50_000, 80_000], "g": [1, 0]})
    fit = smf.glm(
        "y ~ g", data=frame, family=sm.families.Poisson(), offset=np.log(frame["n"])
    ).fit()
    lo, hi = np.exp(fit.conf_int().loc["g"])
    assert r["ratio"] == pytest.approx(np.exp(fit.params["g"]))
    assert (r["lower"], r["upper"]) == pytest.approx((lo, hi), rel=1e-6)


def test_proportion_ratio_katz():
    r = proportion_ratio(73, 1000, 40, 1000)
    se = np.sqrt(1 / 73 - 1 / 1000 + 1 / 40 - 1 / 1000)
    assert r["ratio"] == pytest.approx(1.825)
    assert r["lower"] == pytest.approx(1.825 * np.exp(-1.959964 * se), rel=1e-5)


def test_rate_ratio_model_recovers_a_known_gradient():
    rng = np.random.default_rng(3)
    areas = pd.DataFrame(
        {"q": np.repeat([1, 2, 3, 4, 5], 40), "pop": rng.integers(5000, 9000, 200)}
    )
    true = {1: 2.0, 2: 1.6, 3: 1.3, 4: 1.1, 5: 1.0}
    areas["deaths"] = areas["pop"] * 0.002 * areas["q"].map(true)  # exact expectations
    out = rate_ratio_model(areas, "deaths", "pop", "q", reference=5).set_index("group")
    for q, rr in true.items():
        assert out.loc[q, "ratio"] == pytest.approx(rr, rel=1e-9)
    noisy = areas.assign(deaths=rng.poisson(areas["deaths"]))
    out = rate_ratio_model(noisy, "deaths", "pop", "q", reference=5).set_index("group")
    assert out.loc[1, "lower"] < 2.0 < out.loc[1, "upper"]


def test_age_adjustment_changes_the_answer_by_construction():
    """Deprived areas are younger: the crude ratio hides a doubling the adjusted one finds."""
    q = np.repeat([1, 2, 3, 4, 5], 30)
    old = np.repeat([0.06, 0.09, 0.12, 0.15, 0.18], 30) + np.tile(np.linspace(-0.01, 0.01, 30), 5)
    areas = pd.DataFrame({"q": q, "pop": 8000.0, "share_older": old})
    areas["deaths"] = areas["pop"] * np.exp(-9 + 14 * old + np.log(2) * (q == 1))
    crude = rate_ratio_model(areas, "deaths", "pop", "q", reference=5).set_index("group")
    adj = rate_ratio_model(
        areas, "deaths", "pop", "q", reference=5, covariates=["share_older"]
    ).set_index("group")
    assert adj.loc[1, "ratio"] == pytest.approx(2.0, rel=1e-6)
    assert adj.loc[3, "ratio"] == pytest.approx(1.0, rel=1e-6)
    assert crude.loc[1, "ratio"] < 0.5  # the crude ratio even points the other way


def test_llr_msoa_rate_ratios_match_the_research_note():
    from hi_analysis.config import load_system

    msoas = deprivation.msoa_deaths(load_system("llr"))
    assert len(msoas) == 125 and msoas["deaths"].sum() == 1319
    rr = deprivation.rate_ratios(msoas)
    adj = rr[(rr["model"] == "age-adjusted") & (rr["quintile"] == 1)].iloc[0]
    crude = rr[(rr["model"] == "crude") & (rr["quintile"] == 1)].iloc[0]
    assert adj["ratio"] == pytest.approx(1.95, abs=0.01)
    assert (adj["lower"], adj["upper"]) == pytest.approx((1.34, 2.86), abs=0.02)
    assert crude["ratio"] == pytest.approx(1.19, abs=0.02)


def test_weighted_quintiles_have_equal_population():
    score = pd.Series(np.arange(100, dtype=float))
    pop = pd.Series(np.r_[np.full(50, 10.0), np.full(50, 30.0)])
    q = deprivation.weighted_quintiles(score, pop)
    shares = pop.groupby(q).sum() / pop.sum()
    assert np.allclose(shares, 0.2, atol=0.02)
    assert q.iloc[99] == 1 and q.iloc[0] == 5  # highest score = most deprived


# ----------------------------------------------------------------------------- DiD
def test_did_recovers_a_known_effect_and_matches_ols():
    cells = pd.DataFrame(
        {
            "g": ["A", "B", "A", "B"],
            "t": ["pre", "pre", "post", "post"],
            "x": [40, 40, 130, 70],
            "n": [1000, 1000, 1000, 1000],
        }
    )
    r = difference_in_differences(
        cells, group="g", period="t", groups=("A", "B"), periods=("pre", "post")
    )
    assert r["did"] == pytest.approx(0.06)
    rows = cells.loc[cells.index.repeat(cells["n"])].reset_index(drop=True)
    rows["y"] = np.concatenate(
        [np.r_[np.ones(x), np.zeros(n - x)] for x, n in zip(cells["x"], cells["n"], strict=True)]
    )
    rows["a"] = (rows["g"] == "A").astype(int)
    rows["post"] = (rows["t"] == "post").astype(int)
    ols = smf.ols("y ~ a * post", data=rows).fit(cov_type="HC0")
    assert ols.params["a:post"] == pytest.approx(r["did"])
    half = (r["upper"] - r["lower"]) / 2
    assert half == pytest.approx(1.959964 * ols.bse["a:post"], rel=1e-3)


def test_did_no_effect_interval_includes_zero():
    cells = pd.DataFrame(
        {
            "g": [1, 5, 1, 5],
            "t": [0, 0, 1, 1],
            "x": [50, 25, 100, 75],
            "n": [1000, 1000, 1000, 1000],
        }
    )
    r = difference_in_differences(cells, group="g", period="t", groups=(1, 5), periods=(0, 1))
    assert r["did"] == pytest.approx(0.0) and r["lower"] < 0 < r["upper"]


# ----------------------------------------------------------------------------- real sections
def test_vaccination_coverage_two_denominators_leicester():
    from hi_analysis.config import load_system

    system = load_system("llr")
    cov = vaccination.district_coverage(system)
    lei = cov[(cov["ltla_code"] == "E06000016") & (cov["dose"] == "First dose")]
    lei = lei.assign(age_band=lei["age_band"].astype(str)).set_index("age_band")
    assert lei.loc["80+", "coverage_nims"] == pytest.approx(91.0, abs=0.05)
    assert lei.loc["80+", "coverage_ons"] == pytest.approx(87.5, abs=0.05)
    assert lei.loc["50-54", "coverage_ons"] == pytest.approx(105.2, abs=0.05)
    assert lei.loc["80+", "lowercl"] < 91.0 < lei.loc["80+", "uppercl"]
    # Leicester's under-25 first doses come from the district file (the MSOA file has gaps)
    assert lei.loc["Under 25", "people"] == 25_549


def test_opensafely_sii_matches_the_research_note():
    est, sii = vaccination.opensafely_imd(pd.Timestamp("2022-06-22"))
    s = sii.set_index("age_band")["sii"]
    assert s["18-29"] == pytest.approx(24.6, abs=0.1)
    assert s["80+"] == pytest.approx(3.6, abs=0.1)


def test_select_helpers():
    col = pd.Series(pd.Categorical(["a", "b", None, "a"]))
    assert in_codes(col, ["a"]).tolist() == [True, False, False, True]
    out = lookup(col, pd.Series([1.0], index=["a"]))
    assert out[0] == 1.0 and np.isnan(out[1]) and np.isnan(out[2])


def test_key_results_validate_intervals():
    with pytest.raises(ValueError):
        KeyResult("covid", "x", "x", 5.0, 6.0, 7.0, "deaths", False)
